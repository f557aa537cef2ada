//! A checked script is several pieces put one after another (driver globals,
//! node type hints, the preamble, the Python files); the linters report lines
//! of the whole, which `Script::locate` turns back into a piece and its line.

use std::path::PathBuf;

use anyhow::Context;

/// A Python file of a test, read.
pub(crate) struct SourceFile {
    pub(crate) label: String,
    pub(crate) text: String,
}

/// Reads each file, labelled by its path relative to the workspace root.
pub(crate) fn read_files(paths: &[PathBuf]) -> anyhow::Result<Vec<SourceFile>> {
    let root = std::env::current_dir()?;
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let label = path
                .strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string();
            Ok(SourceFile { label, text })
        })
        .collect()
}

/// The pieces of one checked file, in order.
#[derive(Default)]
pub(crate) struct Script {
    text: String,
    /// Each piece's label and the number of lines it takes.
    pieces: Vec<(String, usize)>,
}

impl Script {
    pub(crate) fn push(&mut self, label: &str, text: &str) {
        let mut text = text.to_owned();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.pieces.push((label.to_owned(), text.lines().count()));
        self.text.push_str(&text);
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The piece and 1-based line within it of the whole's 1-based `line`.
    pub(crate) fn locate(&self, line: usize) -> Option<(&str, usize)> {
        let mut first = 1;
        for (label, count) in &self.pieces {
            if line < first + count {
                return Some((label, line - first + 1));
            }
            first += count;
        }
        None
    }

    /// A linter's output with every `file:LINE:` prefix naming the piece and
    /// its own line instead (other lines, such as mypy's excerpts, unchanged).
    pub(crate) fn relabel(&self, file: &str, output: &str) -> Vec<String> {
        output
            .lines()
            .map(|line| {
                self.relabel_line(file, line)
                    .unwrap_or_else(|| line.to_owned())
            })
            .collect()
    }

    fn relabel_line(&self, file: &str, line: &str) -> Option<String> {
        let rest = line.strip_prefix(file)?.strip_prefix(':')?;
        let (number, rest) = rest.split_once(':')?;
        let (label, local) = self.locate(number.parse().ok()?)?;
        Some(format!("{label}:{local}:{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Script {
        let mut script = Script::default();
        script.push("preamble", "a = 1\nb = 2\n");
        script.push("stack.py", "start_all()\nmachine.oops()");
        script
    }

    #[test]
    fn lines_map_back_to_their_piece() {
        let script = sample();
        assert_eq!(script.locate(2), Some(("preamble", 2)));
        assert_eq!(script.locate(4), Some(("stack.py", 2)));
        assert_eq!(script.locate(5), None);
        assert!(script.text().ends_with("machine.oops()\n"));
    }

    #[test]
    fn linter_output_names_the_source_file() {
        let script = sample();
        let relabelled =
            script.relabel("test-script", "test-script:4:1: undefined name 'x'\n    x");
        assert_eq!(relabelled, ["stack.py:2:1: undefined name 'x'", "    x"]);
    }
}
