//! The `/metrics` exposition check and the promtool runner.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use super::Target;
use crate::catalog;
use crate::testing::{Scrape, request};

/// `/metrics` is served as text format 0.0.4, has HELP and TYPE for every metric,
/// includes the build-info and process metrics from start-up, and passes
/// `promtool check metrics` with no warnings. Fails if promtool is missing.
pub fn exposition(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    // Touch every kind of outcome so every metric family is in the payload.
    request(api, "GET", target.collection, None);
    request(api, "POST", target.collection, None);
    request(api, "POST", target.collection, Some(b"{"));
    for id in ["1", "999", "500"] {
        request(api, "GET", &format!("{}/{id}", target.collection), None);
    }
    request(api, "GET", "/no/such/route", None);
    let response = request(api, "GET", "/metrics", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some(crate::metrics::CONTENT_TYPE),
        "Prometheus 3 needs the text format content type"
    );
    let scrape = Scrape::parse(&response.body);
    let families: BTreeSet<&str> = scrape
        .samples
        .iter()
        .map(|sample| {
            let name = sample.name.as_str();
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| {
                    name.strip_suffix(suffix).filter(|base| {
                        catalog::spec(base)
                            .is_some_and(|spec| spec.kind == catalog::MetricKind::Histogram)
                    })
                })
                .unwrap_or(name)
        })
        .collect();
    for family in &families {
        let spec =
            catalog::spec(family).unwrap_or_else(|| panic!("{family} is not in the catalog"));
        assert!(
            response
                .body
                .contains(&format!("# HELP {family} {}\n", spec.help)),
            "{family}: no HELP"
        );
        assert!(
            response
                .body
                .contains(&format!("# TYPE {family} {}\n", spec.kind.as_str())),
            "{family}: wrong or missing TYPE"
        );
    }
    for required in [
        catalog::PROCESS_CPU_SECONDS_TOTAL,
        catalog::PROCESS_RESIDENT_MEMORY_BYTES,
        catalog::PROCESS_VIRTUAL_MEMORY_BYTES,
        catalog::PROCESS_OPEN_FDS,
        catalog::PROCESS_MAX_FDS,
        catalog::PROCESS_START_TIME_SECONDS,
        catalog::HTTP_REQUESTS_TOTAL,
        catalog::HTTP_REQUEST_DURATION_SECONDS,
    ] {
        assert!(
            families.contains(required),
            "{required} missing from /metrics"
        );
    }
    assert_eq!(
        scrape.value(
            catalog::LOOKOUT_BUILD_INFO,
            &[
                (catalog::LABEL_SERVICE, target.service),
                (catalog::LABEL_VERSION, env!("CARGO_PKG_VERSION"))
            ]
        ),
        1.0
    );
    promtool_check_metrics(&response.body);
}

/// Runs `promtool check metrics` on `text`; panics on any problem or if promtool is
/// not installed (never skips).
pub fn promtool_check_metrics(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "promtool is required (apt-get install prometheus, or the Nix devShell): {error}"
            )
        });
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(text.as_bytes())
        .expect("write to promtool");
    let output = child.wait_with_output().expect("promtool runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "promtool check metrics failed:\n{report}"
    );
    assert!(
        report.trim().is_empty(),
        "promtool check metrics warned:\n{report}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_promtool_check_fails_on_the_exercise_gauge_name() {
        let exercise =
            "# HELP active_users_total x\n# TYPE active_users_total gauge\nactive_users_total 1\n";
        let result = std::panic::catch_unwind(|| promtool_check_metrics(exercise));
        assert!(
            result.is_err(),
            "promtool accepted a gauge ending in _total"
        );
    }

    #[test]
    fn the_promtool_check_passes_on_a_clean_counter() {
        promtool_check_metrics(
            "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 1\n",
        );
    }
}
