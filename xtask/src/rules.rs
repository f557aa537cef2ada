//! `cargo xtask rules [--root DIR]`: every check of the monitoring rules and the
//! Alertmanager routing, against the real tools (promtool, amtool, Alertmanager,
//! nix-instantiate). A missing tool fails with an install hint; nothing is skipped.
//!
//! 1. `promtool check rules rules/*.rules.yml`;
//! 2. `promtool test rules rules/tests/*.test.yml`;
//! 3. coverage: every alert has a firing test and a quiet test, its labels and
//!    annotations follow the alert contract, and its `runbook_url` anchor exists
//!    in `docs/runbooks.md` (see `rules/coverage.rs`);
//! 4. `nix/lib/alertmanager-config.nix` rendered with `nix-instantiate`, loaded by
//!    `amtool check-config`, its routing proven with `amtool config routes test`
//!    and its inhibition with a real Alertmanager (see `rules/alertmanager.rs`);
//! 5. (run before 4) no rule or test matches `le` or `quantile` against an
//!    integer, which Prometheus 3 stores as a float (see `rules/float_labels.rs`);
//! 6. (run before 4) `rules/groups.json` lists every rule file with its groups,
//!    as the YAML says (see `rules/groups.rs`).
//!
//! `--root DIR` runs the checks on another copy of the repository (for instance
//! a deliberately broken one, to see a check fail).

mod alertmanager;
mod coverage;
mod float_labels;
mod groups;
mod inhibition;
mod tools;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Command line of `cargo xtask rules`.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Run the checks on another copy of the repository (e.g. a broken one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
}

/// Runs every rules and routing check; the first failing step ends the run.
pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
    let root = &options.root;
    let rule_files = files_ending_with(&root.join("rules"), ".rules.yml")?;
    let test_files = files_ending_with(&root.join("rules/tests"), ".test.yml")?;

    let mut check = vec!["check".to_owned(), "rules".to_owned()];
    check.extend(rule_files.iter().map(|path| path.display().to_string()));
    tools::run_tool(&tools::PROMTOOL, &check).context("promtool check rules failed")?;
    println!(
        "rules: promtool check rules: {} files load",
        rule_files.len()
    );

    let mut test = vec!["test".to_owned(), "rules".to_owned()];
    test.extend(test_files.iter().map(|path| path.display().to_string()));
    tools::run_tool(&tools::PROMTOOL, &test).context("promtool test rules failed")?;
    println!(
        "rules: promtool test rules: {} test files pass",
        test_files.len()
    );

    let report = coverage::check(&rule_files, &test_files, &root.join("docs/runbooks.md"))?;
    println!(
        "rules: coverage: {} alerts, each with a firing and a quiet test; {} recording rules; runbook anchors exist",
        report.alerts, report.recording_rules
    );

    let checked = float_labels::check(&rule_files, &test_files)?;
    println!(
        "rules: Prometheus 3 portability: {checked} expressions and label sets match no le or quantile integer"
    );

    let listed = groups::check(root, &rule_files)?;
    println!(
        "rules: {}: {listed} groups of {} files, as the YAML says",
        groups::MANIFEST,
        rule_files.len()
    );

    alertmanager::check(root)?;
    Ok(())
}

/// The files of `dir` whose name ends with `suffix`, sorted; none is an error
/// (an empty glob would make promtool check nothing).
fn files_ending_with(dir: &Path, suffix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.ends_with(suffix))
        {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("{} holds no *{suffix} file", dir.display());
    }
    Ok(files)
}
