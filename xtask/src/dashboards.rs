//! `cargo xtask dashboards`: checks every Grafana dashboard in `dashboards/`.
//!
//! - no arguments: run every check and report each problem on its own line;
//! - `--queries [--var NAME=VALUE]... [--dashboard UID]...`: print every query
//!   with its variables substituted, as JSON (format in docs/dashboards.md),
//!   for the end-to-end test to run against a live Prometheus.
//!
//! `--dir DIR` and `--rules-dir DIR` point the check at other directories
//! (flags in [`Options`]).

mod explore_url;
mod labels;
mod model;
mod queries;
#[cfg(test)]
mod query_tests;
mod structure;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trace_link_tests;
mod trace_links;
mod variables;
mod vocabulary;

use std::path::{Path, PathBuf};

/// Command line of `cargo xtask dashboards`.
#[derive(clap::Args)]
pub(crate) struct Options {
    /// Directory of the dashboards.
    #[arg(long, value_name = "DIR", default_value = "dashboards")]
    dir: PathBuf,
    /// Directory of the recording rules whose names the queries may use.
    #[arg(long, value_name = "DIR", default_value = "rules")]
    rules_dir: PathBuf,
    /// Print every query with its variables substituted, as JSON, instead of
    /// checking (format in docs/dashboards.md).
    #[arg(long = "queries")]
    list_queries: bool,
    /// The value of a dashboard variable in the listed queries (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var, requires = "list_queries")]
    vars: Vec<(String, String)>,
    /// List the queries of this dashboard only (repeatable).
    #[arg(long = "dashboard", value_name = "UID", requires = "list_queries")]
    only: Vec<String>,
}

/// Entry point called by xtask's `main`.
pub(crate) fn run(options: &Options) -> anyhow::Result<()> {
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
            .chain(queries::check(dashboard, &vocabulary))
            .chain(trace_links::check(dashboard, &vocabulary));
        problems.extend(found.map(|problem| format!("{}.json: {problem}", dashboard.stem)));
    }
    Ok(problems)
}

fn parse_var(pair: &str) -> Result<(String, String), String> {
    let (name, value) = pair
        .split_once('=')
        .ok_or_else(|| format!("{pair:?}: expected NAME=VALUE"))?;
    Ok((name.to_owned(), value.to_owned()))
}
