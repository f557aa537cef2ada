//! The driver methods a script may call: those `docs/vm-tests.md` lists as read
//! in the upstream driver (section [`SECTION`], one table row per method, its
//! name first in backticks). A console wait with a timeout is refused outright:
//! with one, the driver takes one queued console line per one-second retry, so
//! it falls behind a booting VM's console and times out.

use std::path::Path;

use anyhow::{Context, bail};

use super::linters::DRIVER_SYMBOLS;
use super::script::SourceFile;

const SECTION: &str = "## Driver methods the tests use";

/// Receivers that are machines besides the node names: the helpers' parameter.
const MACHINE_PARAMETERS: &[&str] = &["node"];

/// The method names of the doc's table.
pub(crate) fn documented_methods(doc: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(doc).with_context(|| format!("cannot read {}", doc.display()))?;
    let methods = methods_in(&text);
    if methods.is_empty() {
        bail!(
            "{} has no table of driver methods under {SECTION:?}",
            doc.display()
        );
    }
    Ok(methods)
}

fn methods_in(doc: &str) -> Vec<String> {
    doc.lines()
        .skip_while(|line| line.trim() != SECTION)
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Every call of an undocumented driver method or global, and every console
/// wait with a timeout, as `file:line: message`.
pub(crate) fn check(
    machines: &[String],
    files: &[SourceFile],
    documented: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        for (index, line) in file.text.lines().enumerate() {
            let code = line.split('#').next().unwrap_or("");
            for call in calls(code) {
                let method = match call.receiver {
                    Some(receiver)
                        if machines.iter().any(|m| m == receiver)
                            || MACHINE_PARAMETERS.contains(&receiver) =>
                    {
                        call.name
                    }
                    None if DRIVER_SYMBOLS.contains(&call.name) => call.name,
                    _ => continue,
                };
                let at = format!("{}:{}", file.label, index + 1);
                if method == "wait_for_console_text" && console_wait_has_timeout(&file.text, index)
                {
                    problems.push(format!(
                        "{at}: wait_for_console_text with a timeout reads one console line per \
                         one-second retry and falls behind a booting VM; poll the unit's journal \
                         with wait_until_succeeds"
                    ));
                } else if !documented.iter().any(|d| d == method) {
                    problems.push(format!(
                        "{at}: {method} is not in docs/vm-tests.md's list of driver methods read \
                         upstream; read it in the driver source and list it there first"
                    ));
                }
            }
        }
    }
    problems
}

/// Whether the `wait_for_console_text(...)` call starting on line `index` of
/// `text` passes a timeout, its arguments possibly spanning several lines.
fn console_wait_has_timeout(text: &str, index: usize) -> bool {
    let rest: String = text.lines().skip(index).collect::<Vec<_>>().join("\n");
    let Some(start) = rest.find("wait_for_console_text(") else {
        return false;
    };
    let arguments = &rest[start + "wait_for_console_text(".len()..];
    let mut depth = 1;
    for (offset, c) in arguments.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            let arguments = &arguments[..offset];
            // The second positional argument is the timeout too.
            return arguments.contains("timeout") || top_level_commas(arguments) > 0;
        }
    }
    true
}

/// Commas outside brackets and quotes: how many arguments follow the first.
fn top_level_commas(arguments: &str) -> usize {
    let mut depth = 0;
    let mut quote = None;
    let mut commas = 0;
    for c in arguments.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => commas += 1,
            _ => {}
        }
    }
    commas
}

struct Call<'a> {
    receiver: Option<&'a str>,
    name: &'a str,
}

/// The calls on one line: `name(` and `receiver.name(`, names being Python
/// identifiers.
fn calls(code: &str) -> Vec<Call<'_>> {
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = Vec::new();
    for (open, _) in code.match_indices('(') {
        let mut start = open;
        while start > 0 && is_ident(bytes[start - 1]) {
            start -= 1;
        }
        if start == open {
            continue;
        }
        let name = &code[start..open];
        let receiver = if start > 0 && bytes[start - 1] == b'.' {
            let end = start - 1;
            let mut begin = end;
            while begin > 0 && is_ident(bytes[begin - 1]) {
                begin -= 1;
            }
            Some(&code[begin..end])
        } else {
            None
        };
        found.push(Call { receiver, name });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Vec<SourceFile> {
        vec![SourceFile {
            label: "demo.py".to_owned(),
            text: text.to_owned(),
        }]
    }

    fn documented() -> Vec<String> {
        [
            "wait_until_succeeds",
            "succeed",
            "start_all",
            "wait_for_console_text",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    #[test]
    fn the_table_rows_of_the_section_are_read() {
        let doc = "# x\n## Driver methods the tests use\n\n| method | file |\n|---|---|\n\
                   | `wait_for_unit` (BaseMachine) | a |\n| `succeed` | b |\n## Next\n| `no` | c |\n";
        assert_eq!(methods_in(doc), ["wait_for_unit", "succeed"]);
    }

    #[test]
    fn documented_calls_pass() {
        let machines = ["machine".to_owned()];
        let text = "start_all()\nx = machine.succeed(f\"cat {path}\").strip()\nnode.wait_until_succeeds('true')\n";
        assert!(check(&machines, &file(text), &documented()).is_empty());
    }

    #[test]
    fn an_undocumented_method_fails() {
        let machines = ["machine".to_owned()];
        let problems = check(
            &machines,
            &file("machine.wait_for_open_port(80)\n"),
            &documented(),
        );
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("demo.py:1: wait_for_open_port is not"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_console_wait_with_a_timeout_fails_even_when_documented() {
        let machines = ["machine".to_owned()];
        let text = "machine.wait_for_console_text(\"Grafana login admin\", timeout=300)\n";
        let problems = check(&machines, &file(text), &documented());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("one console line per"), "{problems:?}");
    }

    #[test]
    fn a_console_wait_timeout_on_another_line_or_positional_fails() {
        let machines = ["machine".to_owned()];
        for text in [
            "machine.wait_for_console_text(\n    \"login\",\n    timeout=300,\n)\n",
            "machine.wait_for_console_text(\"a, b\", 300)\n",
        ] {
            let problems = check(&machines, &file(text), &documented());
            assert_eq!(problems.len(), 1, "{text}: {problems:?}");
        }
    }

    #[test]
    fn a_console_wait_without_timeout_is_only_checked_against_the_doc() {
        let machines = ["machine".to_owned()];
        let text = "machine.wait_for_console_text(\"a, b\")\n";
        assert!(check(&machines, &file(text), &documented()).is_empty());
    }
}
