//! Step 1: every target up, every rule group loaded and every rule evaluated
//! without error, Prometheus connected to Alertmanager, the traffic generator's
//! requests counted by both services, every listener on loopback, and the
//! exercise's requests answered with its status codes.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, ensure};
use lookout_e2e::stack::{ServiceName, Stack};
use lookout_e2e::wait::{Probe, wait_until};
use serde::Deserialize;

use crate::loopback::every_listener_is_on_loopback;
use crate::scrape_format::every_target_sends_a_prometheus3_content_type;
use crate::shared::{NO_FAULTS, QUICK};
use crate::traffic::traffic_generator_reaches_both_services;

pub(crate) async fn step1_targets_rules_and_alertmanager(stack: &mut Stack) -> Result<()> {
    let prometheus = stack.prometheus();
    let expected_jobs: BTreeSet<String> = stack.configs().prometheus["scrape_configs"]
        .as_array()
        .context("the rendered config has no scrape_configs")?
        .iter()
        .filter_map(|job| job["job_name"].as_str().map(str::to_owned))
        .collect();
    ensure!(
        expected_jobs.len() >= 6,
        "expected the services, receiver, node exporter, Alertmanager and Prometheus jobs, got {expected_jobs:?}"
    );
    wait_until("every scrape target to be up", QUICK, || async {
        let targets = prometheus.targets().await?;
        let up: BTreeSet<String> = targets
            .iter()
            .filter(|t| t.health == "up")
            .map(|t| t.labels["job"].clone())
            .collect();
        if up == expected_jobs && targets.len() == expected_jobs.len() {
            return Ok(Probe::Ready(()));
        }
        let states: Vec<String> = targets
            .iter()
            .map(|t| format!("{}={} {}", t.labels["job"], t.health, t.last_error))
            .collect();
        Ok(Probe::Pending(format!(
            "targets: {states:?}, expected jobs {expected_jobs:?}"
        )))
    })
    .await?;
    println!("[e2e] step 1: targets up: {expected_jobs:?}");
    every_target_sends_a_prometheus3_content_type(stack).await?;

    let expected_groups = rule_groups_in_files(stack)?;
    ensure!(
        !expected_groups.is_empty(),
        "no rule group in {:?}",
        stack.configs().rule_files
    );
    let evaluated = wait_until(
        "every rule group of rules/ to be loaded and evaluated without error",
        QUICK,
        || async {
            let groups = prometheus.rule_groups().await?;
            let loaded: BTreeMap<String, (String, Vec<String>)> = groups
                .iter()
                .map(|g| {
                    let names = g.rules.iter().map(|r| r.name.clone()).collect();
                    (g.name.clone(), (g.file.clone(), names))
                })
                .collect();
            let rules = || groups.iter().flat_map(|g| g.rules.iter().map(move |r| (g, r)));
            // A failed evaluation will not heal by itself: stop at once and name it.
            let failed: Vec<String> = rules()
                .filter_map(|(g, r)| {
                    let error = r.evaluation_error()?;
                    Some(format!("{}/{}: {error}", g.name, r.name))
                })
                .collect();
            if !failed.is_empty() {
                return Ok(Probe::Abort(format!(
                    "rules failed to evaluate: {failed:?}"
                )));
            }
            let not_yet: Vec<String> = rules()
                .filter(|(_, r)| r.health != "ok" || !r.has_been_evaluated())
                .map(|(g, r)| format!("{}/{}={}", g.name, r.name, r.health))
                .collect();
            Ok(if loaded == expected_groups && not_yet.is_empty() {
                Probe::Ready(rules().count())
            } else {
                Probe::Pending(format!(
                    "loaded {loaded:?}, expected {expected_groups:?}, not evaluated ok yet: {not_yet:?}"
                ))
            })
        },
    )
    .await?;
    println!(
        "[e2e] step 1: rule groups loaded: {:?}; all {evaluated} rules evaluated, health ok, no error",
        expected_groups.keys().collect::<Vec<_>>()
    );

    let alertmanager_url = format!(
        "http://127.0.0.1:{}/api/v2/alerts",
        stack.ports().alertmanager
    );
    wait_until(
        "Prometheus to be connected to our Alertmanager",
        QUICK,
        || async {
            let managers = prometheus.alertmanagers().await?;
            let urls: Vec<&str> = managers
                .active_alertmanagers
                .iter()
                .map(|m| m.url.as_str())
                .collect();
            Ok(if urls == [alertmanager_url.as_str()] {
                Probe::Ready(())
            } else {
                Probe::Pending(format!("active Alertmanagers: {urls:?}"))
            })
        },
    )
    .await?;
    let status = stack.alertmanager().status().await?;
    ensure!(
        status.cluster.status == "disabled",
        "Alertmanager must run as a single instance (empty --cluster.listen-address), cluster is {}",
        status.cluster.status
    );
    // Alertmanager loaded the rendered routing tree: same root receiver, receivers
    // and inhibition rules (compared as data; Alertmanager re-serialises the YAML).
    let loaded: serde_json::Value = serde_norway::from_str(&status.config.original)
        .context("Alertmanager's loaded config is not YAML")?;
    let rendered = &stack.configs().alertmanager;
    let receiver_names = |config: &serde_json::Value| -> BTreeSet<String> {
        config["receivers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["name"].as_str().map(str::to_owned))
            .collect()
    };
    let inhibit_count =
        |config: &serde_json::Value| config["inhibit_rules"].as_array().map_or(0, Vec::len);
    ensure!(
        loaded["route"]["receiver"] == rendered["route"]["receiver"]
            && receiver_names(&loaded) == receiver_names(rendered)
            && inhibit_count(&loaded) == inhibit_count(rendered),
        "Alertmanager did not load the rendered config:\n{}",
        status.config.original
    );
    println!("[e2e] step 1: Prometheus sends to {alertmanager_url}");
    // Before the test's own first request to a business route (just below).
    traffic_generator_reaches_both_services(stack).await?;
    every_listener_is_on_loopback(stack)?;
    for service in [ServiceName::User, ServiceName::Order] {
        let faults = stack.faults(service).get().await?;
        ensure!(
            faults == NO_FAULTS,
            "{} starts with faults {faults:?}",
            service.as_str()
        );
    }
    exercise_requests_answer_with_exercise_status_codes(stack).await?;
    println!(
        "[e2e] step 1: fault control answers, the exercise's requests answer as in the exercise"
    );
    Ok(())
}

/// The exercise's curl sequence ("Déploiement et tests") against both services.
pub(crate) async fn exercise_requests_answer_with_exercise_status_codes(
    stack: &Stack,
) -> Result<()> {
    let http = stack.http();
    let user = stack.service_url(ServiceName::User);
    let order = stack.service_url(ServiceName::Order);
    for (base, service) in [(&user, "user-service"), (&order, "order-service")] {
        let health: serde_json::Value = http
            .get(format!("{base}/health"))
            .send()
            .await?
            .json()
            .await?;
        ensure!(
            health == serde_json::json!({"status": "healthy", "service": service}),
            "{service} /health answered {health}"
        );
    }
    let users: serde_json::Value = http
        .get(format!("{user}/users"))
        .send()
        .await?
        .json()
        .await?;
    // The lists are paginated: the first page holds the first `DEFAULT_LIMIT`
    // items (or all of them), `total` counts every one.
    let first_page = |total: &serde_json::Value| {
        total
            .as_u64()
            .map(|total| (total as usize).min(service_runtime::pagination::DEFAULT_LIMIT))
    };
    ensure!(
        users["total"].as_u64() >= Some(3)
            && users["users"].as_array().map(Vec::len) == first_page(&users["total"]),
        "GET /users answered {users}"
    );
    let orders: serde_json::Value = http
        .get(format!("{order}/orders"))
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        orders["orders"].as_array().map(Vec::len) == first_page(&orders["total"]),
        "GET /orders answered {orders}"
    );
    let expectations = [
        ("GET", format!("{user}/users/1"), None, 200),
        ("GET", format!("{user}/users/999"), None, 404),
        ("GET", format!("{user}/users/500"), None, 500),
        ("POST", format!("{user}/users"), None, 201),
        ("GET", format!("{order}/orders/1"), None, 200),
        ("GET", format!("{order}/orders/999"), None, 404),
        ("GET", format!("{order}/orders/500"), None, 500),
        (
            "POST",
            format!("{order}/orders"),
            Some(serde_json::json!({"userId": 1, "product": "Monitor", "amount": 300})),
            201,
        ),
    ];
    for (method, url, body, expected) in expectations {
        let request = match method {
            "POST" => http.post(&url),
            _ => http.get(&url),
        };
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let status = request.send().await?.status().as_u16();
        ensure!(
            status == expected,
            "{method} {url} answered {status}, the exercise answers {expected}"
        );
    }
    Ok(())
}

/// Group name → (file, rule names in order), read from `rules/*.rules.yml`.
pub(crate) fn rule_groups_in_files(
    stack: &Stack,
) -> Result<BTreeMap<String, (String, Vec<String>)>> {
    #[derive(Deserialize)]
    struct RuleFile {
        groups: Vec<Group>,
    }
    #[derive(Deserialize)]
    struct Group {
        name: String,
        rules: Vec<RuleEntry>,
    }
    #[derive(Deserialize)]
    struct RuleEntry {
        alert: Option<String>,
        record: Option<String>,
    }
    let mut groups = BTreeMap::new();
    for path in &stack.configs().rule_files {
        let text = std::fs::read_to_string(path)?;
        let file: RuleFile =
            serde_norway::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        for group in file.groups {
            let names = group
                .rules
                .into_iter()
                .map(|rule| rule.alert.or(rule.record).unwrap_or_default())
                .collect();
            groups.insert(group.name, (path.display().to_string(), names));
        }
    }
    Ok(groups)
}
