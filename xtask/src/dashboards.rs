//! `cargo xtask dashboards`: checks every Grafana dashboard in `dashboards/`.
//!
//! - no arguments: run every check and report each problem on its own line;
//! - `--queries [--var NAME=VALUE]... [--dashboard UID]...`: print every query
//!   with its variables substituted, as JSON (format in docs/dashboards.md),
//!   for the end-to-end test to run against a live Prometheus.
//!
//! `--dir DIR` and `--rules-dir DIR` point the check at other directories.

mod labels;
mod model;
mod queries;
#[cfg(test)]
mod query_tests;
mod structure;
#[cfg(test)]
mod tests;
mod variables;
mod vocabulary;

use std::path::{Path, PathBuf};

const USAGE: &str = "usage: cargo xtask dashboards [--dir DIR] [--rules-dir DIR] \
                     [--queries [--var NAME=VALUE]... [--dashboard UID]...]";

/// Parsed command line.
struct Options {
    dir: PathBuf,
    rules_dir: PathBuf,
    list_queries: bool,
    help: bool,
    vars: Vec<(String, String)>,
    only: Vec<String>,
}

/// Entry point called by xtask's `main`.
pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let options = parse_args(args)?;
    if options.help {
        println!("{USAGE}");
        return Ok(());
    }
    let dashboards = model::load_dir(&options.dir)?;
    if options.list_queries {
        let listing = queries::list(&dashboards, &options.vars, &options.only)?;
        println!("{}", serde_json::to_string_pretty(&listing)?);
        return Ok(());
    }
    let problems = check_all(&dashboards, &options.rules_dir)?;
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        anyhow::bail!("{} problem(s) in {}", problems.len(), options.dir.display());
    }
    let panel_count: usize = dashboards.iter().map(|d| d.panels().len()).sum();
    let query_count: usize = dashboards.iter().map(|d| d.queries().len()).sum();
    println!(
        "dashboards: {} dashboards, {panel_count} panels, {query_count} queries: all checks pass",
        dashboards.len()
    );
    Ok(())
}

/// Every problem of `dashboards`, checked against the services' catalog and
/// the recording rules of `rules_dir`, one line each prefixed with the file.
fn check_all(dashboards: &[model::Dashboard], rules_dir: &Path) -> anyhow::Result<Vec<String>> {
    let rules = vocabulary::load_rules(rules_dir)?;
    let vocabulary = vocabulary::Vocabulary::new(vocabulary::Vocabulary::catalog_metrics(), rules);
    let mut problems = structure::check_unique_uids(dashboards);
    for dashboard in dashboards {
        let found = structure::check(dashboard)
            .into_iter()
            .chain(queries::check(dashboard, &vocabulary));
        problems.extend(found.map(|problem| format!("{}.json: {problem}", dashboard.stem)));
    }
    Ok(problems)
}

fn parse_args(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        dir: PathBuf::from("dashboards"),
        rules_dir: PathBuf::from("rules"),
        list_queries: false,
        help: false,
        vars: Vec::new(),
        only: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--dir" => options.dir = value("--dir")?.into(),
            "--rules-dir" => options.rules_dir = value("--rules-dir")?.into(),
            "--queries" => options.list_queries = true,
            "--dashboard" => options.only.push(value("--dashboard")?),
            "--var" => {
                let pair = value("--var")?;
                let (name, val) = pair
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--var {pair:?}: expected NAME=VALUE"))?;
                options.vars.push((name.to_owned(), val.to_owned()));
            }
            "--help" | "-h" => options.help = true,
            other => anyhow::bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let query_flags = !options.vars.is_empty() || !options.only.is_empty();
    if query_flags && !options.list_queries {
        anyhow::bail!("--var and --dashboard only apply with --queries\n{USAGE}");
    }
    Ok(options)
}
