//! `cargo xtask nixfmt [--write] [FILE...]`: checks that Nix files are formatted as
//! alejandra formats them (the style `nix fmt` gives users of the flake).
//!
//! Without FILE arguments it checks every git-tracked `.nix` file. It prints each file
//! that alejandra would change and fails; `--write` rewrites those files instead.
//! It uses the `alejandra` crate as a library, so no Nix is needed.
//!
//! The crate is alejandra 3.1.0, while `nix fmt` runs nixpkgs' alejandra 4.x. The one
//! known difference between them is the formatting of `/** ... */` doc comments, so a
//! `/**` anywhere in a `.nix` file fails this check: with `#` comments both agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// What alejandra thinks of one file's text.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Already formatted.
    Formatted,
    /// Alejandra would rewrite it to the contained text.
    NeedsFormatting(String),
    /// The file does not parse as Nix; alejandra's message.
    Unparsable(String),
}

/// Command line of `cargo xtask nixfmt`.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Rewrite the files alejandra would change, instead of failing.
    #[arg(long)]
    write: bool,
    /// Files to check [default: every git-tracked .nix file].
    #[arg(value_name = "FILE.nix")]
    files: Vec<PathBuf>,
}

impl Options {
    /// Check `files` (no rewriting), as another task asks for it.
    pub(crate) fn check(files: Vec<PathBuf>) -> Self {
        Self {
            write: false,
            files,
        }
    }
}

/// Checks (or with `--write` formats) the given or all git-tracked `.nix` files.
pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
    let write = options.write;
    let files = if options.files.is_empty() {
        tracked_nix_files()?
    } else {
        options.files.clone()
    };
    if files.is_empty() {
        bail!("no .nix files found: run it inside the git repository");
    }

    let mut unformatted = Vec::new();
    let mut unparsable = Vec::new();
    let mut doc_comments = Vec::new();
    for path in &files {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for line in doc_comment_lines(&text) {
            doc_comments.push(format!("{}:{line}", path.display()));
        }
        match verdict(path, text) {
            Verdict::Formatted => {}
            Verdict::NeedsFormatting(formatted) if write => {
                std::fs::write(path, formatted)
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("formatted {}", path.display());
            }
            Verdict::NeedsFormatting(_) => unformatted.push(path),
            Verdict::Unparsable(message) => {
                unparsable.push(format!("{}: {message}", path.display()))
            }
        }
    }

    for line in &unparsable {
        eprintln!("does not parse: {line}");
    }
    for path in &unformatted {
        eprintln!("not formatted as alejandra formats it: {}", path.display());
    }
    for place in &doc_comments {
        eprintln!(
            "{place}: `/**` doc comment: nixpkgs' alejandra 4.x (`nix fmt`) formats these \
             differently from the alejandra 3.1.0 crate this check uses, so `nix flake check` \
             (nix-style) and CI would disagree; write `#` comments instead"
        );
    }
    if !doc_comments.is_empty() {
        bail!(
            "{} `/**` doc comment(s) in .nix files (use `#` comments)",
            doc_comments.len()
        );
    }
    if !unparsable.is_empty() || !unformatted.is_empty() {
        bail!(
            "{} of {} .nix files need attention (run `cargo xtask nixfmt --write` or `nix fmt`)",
            unparsable.len() + unformatted.len(),
            files.len()
        );
    }
    println!(
        "{} .nix files formatted as alejandra formats them",
        files.len()
    );
    Ok(())
}

/// Formats `text` in memory and compares it with what alejandra produces.
fn verdict(path: &Path, text: String) -> Verdict {
    let name = path.display().to_string();
    // alejandra 3.1.0 unwraps internally; a panic on odd input must become an error
    // for that file, not abort the whole check.
    let formatted = std::panic::catch_unwind(move || alejandra::format::in_memory(name, text));
    match formatted {
        Ok((alejandra::format::Status::Error(message), _)) => Verdict::Unparsable(message),
        Ok((alejandra::format::Status::Changed(false), _)) => Verdict::Formatted,
        Ok((alejandra::format::Status::Changed(true), after)) => Verdict::NeedsFormatting(after),
        Err(_) => Verdict::Unparsable("alejandra panicked on this file".to_owned()),
    }
}

/// The 1-based numbers of the lines holding `/**`, where a doc comment opens.
fn doc_comment_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains("/**"))
        .map(|(index, _)| index + 1)
        .collect()
}

/// Every `.nix` file git tracks, as paths relative to the current directory.
fn tracked_nix_files() -> anyhow::Result<Vec<PathBuf>> {
    let output = Command::new("git")
        .args(["ls-files", "-z", "--full-name", "--", ":(top)*.nix"])
        .output()
        .context("running git ls-files (is git installed?)")?;
    if !output.status.success() {
        bail!(
            "git ls-files failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let top = repository_root()?;
    let listing = String::from_utf8(output.stdout).context("git ls-files printed non-UTF-8")?;
    Ok(listing
        .split('\0')
        .filter(|name| !name.is_empty())
        .map(|name| top.join(name))
        // A tracked file deleted in the work tree has nothing left to format.
        .filter(|path| path.exists())
        .collect())
}

/// The work tree's top directory.
fn repository_root() -> anyhow::Result<PathBuf> {
    let output = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .context("running git rev-parse")?;
    if !output.status.success() {
        bail!("not inside a git work tree");
    }
    let top = String::from_utf8(output.stdout).context("git printed a non-UTF-8 path")?;
    Ok(PathBuf::from(top.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Verdict {
        verdict(Path::new("test.nix"), text.to_owned())
    }

    #[test]
    fn formatted_input_is_accepted() {
        let text = "{lib, ...}: {\n  options.x = lib.mkOption {type = lib.types.int;};\n}\n";
        assert_eq!(check(text), Verdict::Formatted);
    }

    #[test]
    fn misformatted_input_is_detected_with_its_fix() {
        let text = "{ lib, ... }:\n{\n    x   =   1;\n}\n";
        let Verdict::NeedsFormatting(fixed) = check(text) else {
            panic!("misformatted input was accepted");
        };
        assert_eq!(fixed, "{lib, ...}: {\n  x = 1;\n}\n");
        assert_eq!(check(&fixed), Verdict::Formatted);
    }

    #[test]
    fn missing_final_newline_is_detected() {
        assert!(matches!(check("{x = 1;}"), Verdict::NeedsFormatting(_)));
    }

    #[test]
    fn unparsable_input_is_reported_not_formatted() {
        assert!(matches!(check("{ x = ; }\n"), Verdict::Unparsable(_)));
    }

    /// `cargo xtask nixfmt ARGS`, as clap parses them.
    fn options(args: &[&str]) -> Options {
        #[derive(clap::Parser)]
        struct Command {
            #[command(flatten)]
            options: Options,
        }
        let args = std::iter::once("nixfmt").chain(args.iter().copied());
        <Command as clap::Parser>::try_parse_from(args)
            .expect("valid arguments")
            .options
    }

    #[test]
    fn doc_comments_are_found_by_line() {
        let text = "# a comment\n{\n  /** the answer */\n  x = 42;\n}\n";
        assert_eq!(doc_comment_lines(text), vec![3]);
        assert!(doc_comment_lines("# rules/*.rules.yml\n{ }\n").is_empty());
    }

    #[test]
    fn write_mode_fixes_a_file_and_check_mode_then_passes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("bad.nix");
        std::fs::write(&file, "{ a=1; }").expect("write fixture");
        let name = file.display().to_string();

        assert!(run(&options(&[&name])).is_err(), "check mode must fail");
        run(&options(&["--write", &name])).expect("write mode");
        run(&options(&[&name])).expect("check mode after --write");
    }
}
