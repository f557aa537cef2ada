//! The end-to-end alert pipeline against the real Prometheus, Alertmanager and
//! node exporter, with our services, alert receiver and traffic generator, all
//! configured by the repository's Nix functions and rules. One test, seven steps
//! asserted in order (docs/e2e.md lists them for the NixOS VM tests):
//!
//! 1. every target up, every rule group loaded, Prometheus connected to Alertmanager;
//! 2. HighErrorRate pending → firing → in Alertmanager → delivered with its labels;
//! 3. HighResponseTime fires and is delivered;
//! 4. a killed service fires ServiceDown, which is delivered and inhibits the
//!    job's other alerts; the restart delivers the resolved notification;
//! 5. Watchdog is delivered to its own receiver;
//! 6. an alert that fires while Alertmanager is down is delivered once it is back;
//! 7. every dashboard query returns at least one series;
//! 8. (a twin of the VM test's persistence check) a sample survives a Prometheus restart.
//!
//! The scenarios overlap so the whole run takes about four minutes although the
//! rules' `for` durations are real (1m, 2m). Every wait is bounded and fails with
//! the API state and the processes' log tails; latencies are printed, not asserted.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{
    AlertSelector, check_alert_contract, wait_alertmanager, wait_delivered, wait_prometheus_state,
};
use lookout_e2e::clients::faults::Faults;
use lookout_e2e::clients::receiver::ReceivedAlert;
use lookout_e2e::stack::{ServiceName, Stack, StackOptions, names};
use lookout_e2e::timeline::{Measurement, Timeline};
use lookout_e2e::tools::{lookout_binary, repo_dir};
use lookout_e2e::wait::{Probe, wait_until};
use serde::Deserialize;

/// Slack on top of a rule's `for` before a firing wait gives up.
const FIRING_SLACK: Duration = Duration::from_secs(60);
/// Bound for a step that should take a few seconds (Alertmanager, delivery).
const QUICK: Duration = Duration::from_secs(30);

/// The fault state a service starts with and returns to after `DELETE /faults`.
const NO_FAULTS: Faults = Faults {
    latency_ms: 0,
    error_ratio: 0.0,
};
/// Faults that trigger HighErrorRate on user-service (half of its requests fail).
const USER_SERVICE_FAULTS: Faults = Faults {
    latency_ms: 0,
    error_ratio: 0.5,
};
/// Faults that trigger HighResponseTime on order-service (every request takes 0.8 s,
/// above the 0.5 s threshold, in the (0.5, 1] histogram bucket).
const ORDER_SERVICE_FAULTS: Faults = Faults {
    latency_ms: 800,
    error_ratio: 0.0,
};

#[tokio::test]
async fn alert_pipeline_end_to_end() {
    let run_started = Instant::now();
    let options = StackOptions::for_tests().expect("free ports");
    let mut stack = match Stack::start(&repo_dir(), options).await {
        Ok(stack) => stack,
        Err(err) => panic!("the stack did not start: {err:#}"),
    };
    println!(
        "[e2e] stack up in {:.1}s, work directory {}",
        run_started.elapsed().as_secs_f64(),
        stack.dir().display()
    );
    let mut timeline = Timeline::default();
    let outcome = run_steps(&mut stack, &mut timeline).await;
    println!("[e2e] measured latencies:\n{}", timeline.table());
    if let Err(err) = outcome {
        let err = stack.diagnose(&err);
        panic!("{err:#}");
    }
    stack.shutdown().await;
    println!(
        "[e2e] every step passed in {:.0}s",
        run_started.elapsed().as_secs_f64()
    );
}

async fn run_steps(stack: &mut Stack, timeline: &mut Timeline) -> Result<()> {
    let prometheus_ready = Instant::now();
    step1_targets_rules_and_alertmanager(stack)
        .await
        .context("step 1: targets up, rules loaded, Alertmanager connected")?;
    let faults_at = inject_faults(stack).await?;
    step2_high_error_rate_lifecycle(stack, timeline, faults_at)
        .await
        .context("step 2: HighErrorRate pending -> firing -> Alertmanager -> delivered")?;
    // Step 4's service goes down now, so that its ServiceDown `for` minute runs
    // while step 3 waits for HighResponseTime's two minutes.
    stack.kill(names::USER_SERVICE).await?;
    let user_service_killed_at = Instant::now();
    println!("[e2e] user-service killed");
    step3_high_response_time_delivered(stack, timeline, faults_at)
        .await
        .context("step 3: HighResponseTime fires and is delivered")?;
    step4_service_down_inhibits_then_resolves(stack, timeline, user_service_killed_at)
        .await
        .context("step 4: ServiceDown fires, is delivered, inhibits, resolves")?;
    step5_watchdog_has_its_own_receiver(stack, timeline, prometheus_ready)
        .await
        .context("step 5: Watchdog delivered to its own receiver")?;
    step6_alertmanager_outage_delivers_late(stack, timeline)
        .await
        .context("step 6: an alert fired during an Alertmanager outage is delivered")?;
    step7_every_dashboard_query_has_data(stack)
        .await
        .context("step 7: every dashboard query returns data")?;
    step8_samples_survive_a_prometheus_restart(stack)
        .await
        .context("step 8 (twin of the VM test's persistence check): samples survive a restart")?;
    Ok(())
}

// ---- step 1 ---------------------------------------------------------------

async fn step1_targets_rules_and_alertmanager(stack: &mut Stack) -> Result<()> {
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

    let expected_groups = rule_groups_in_files(stack)?;
    wait_until(
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
            let unhealthy: Vec<String> = groups
                .iter()
                .flat_map(|g| &g.rules)
                .filter(|r| r.health != "ok")
                .map(|r| format!("{}={} {:?}", r.name, r.health, r.last_error))
                .collect();
            Ok(if loaded == expected_groups && unhealthy.is_empty() {
                Probe::Ready(())
            } else {
                Probe::Pending(format!(
                    "loaded {loaded:?}, expected {expected_groups:?}, not ok yet: {unhealthy:?}"
                ))
            })
        },
    )
    .await?;
    println!(
        "[e2e] step 1: rule groups loaded: {:?}",
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
    let loaded: serde_json::Value = serde_yaml::from_str(&status.config.original)
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
async fn exercise_requests_answer_with_exercise_status_codes(stack: &Stack) -> Result<()> {
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
    ensure!(
        users["total"].as_u64() >= Some(3)
            && users["users"].as_array().map(Vec::len)
                == users["total"].as_u64().map(|n| n as usize),
        "GET /users answered {users}"
    );
    let orders: serde_json::Value = http
        .get(format!("{order}/orders"))
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        orders["orders"].as_array().map(Vec::len) == orders["total"].as_u64().map(|n| n as usize),
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
fn rule_groups_in_files(stack: &Stack) -> Result<BTreeMap<String, (String, Vec<String>)>> {
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
            serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
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

// ---- step 2 ---------------------------------------------------------------

async fn inject_faults(stack: &Stack) -> Result<Instant> {
    let user = stack
        .faults(ServiceName::User)
        .set(USER_SERVICE_FAULTS)
        .await?;
    ensure!(
        user == USER_SERVICE_FAULTS,
        "user-service reports faults {user:?}"
    );
    let order = stack
        .faults(ServiceName::Order)
        .set(ORDER_SERVICE_FAULTS)
        .await?;
    ensure!(
        order == ORDER_SERVICE_FAULTS,
        "order-service reports faults {order:?}"
    );
    println!("[e2e] faults injected: user-service {user:?}, order-service {order:?}");
    Ok(Instant::now())
}

async fn step2_high_error_rate_lifecycle(
    stack: &Stack,
    timeline: &mut Timeline,
    faults_at: Instant,
) -> Result<()> {
    let selector = AlertSelector::named("HighErrorRate").with("job", names::USER_SERVICE);
    let prometheus = stack.prometheus();
    let hold = rule_hold(stack, "HighErrorRate").await?;
    let pending = wait_prometheus_state(&prometheus, &selector, "pending", QUICK).await?;
    println!(
        "[e2e] step 2: {selector} pending after {:.1}s (value {})",
        faults_at.elapsed().as_secs_f64(),
        pending.value
    );
    wait_prometheus_state(&prometheus, &selector, "firing", hold + FIRING_SLACK).await?;
    println!(
        "[e2e] step 2: {selector} firing after {:.1}s",
        faults_at.elapsed().as_secs_f64()
    );
    let held = wait_alertmanager(&stack.alertmanager(), &selector, "active", QUICK, |a| {
        a.status.state == "active"
    })
    .await?;
    let expected_receiver = stack
        .configs()
        .receiver_for(&held.labels)
        .context("no route for HighErrorRate")?;
    ensure!(
        held.receivers.iter().any(|r| r.name == expected_receiver),
        "Alertmanager routes {selector} to {:?}, the config says {expected_receiver}",
        held.receivers
    );
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
    check_delivery(&delivered, "warning", &expected_receiver)?;
    record(
        stack,
        timeline,
        &delivered,
        "fault injected",
        seen_at - faults_at,
        hold,
    );
    Ok(())
}

// ---- step 3 ---------------------------------------------------------------

async fn step3_high_response_time_delivered(
    stack: &Stack,
    timeline: &mut Timeline,
    faults_at: Instant,
) -> Result<()> {
    let selector = AlertSelector::named("HighResponseTime").with("job", names::ORDER_SERVICE);
    let hold = rule_hold(stack, "HighResponseTime").await?;
    let firing = wait_prometheus_state(
        &stack.prometheus(),
        &selector,
        "firing",
        hold + FIRING_SLACK,
    )
    .await?;
    let p95: f64 = firing
        .value
        .parse()
        .context("alert value is not a number")?;
    ensure!(
        p95 > 0.5,
        "HighResponseTime fires with p95 {p95}, expected > 0.5"
    );
    wait_alertmanager(&stack.alertmanager(), &selector, "active", QUICK, |a| {
        a.status.state == "active"
    })
    .await?;
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
    let expected_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for HighResponseTime")?;
    check_delivery(&delivered, "warning", &expected_receiver)?;
    record(
        stack,
        timeline,
        &delivered,
        "fault injected",
        seen_at - faults_at,
        hold,
    );
    Ok(())
}

// ---- step 4 ---------------------------------------------------------------

async fn step4_service_down_inhibits_then_resolves(
    stack: &mut Stack,
    timeline: &mut Timeline,
    killed_at: Instant,
) -> Result<()> {
    let instance = format!("127.0.0.1:{}", stack.ports().user_service);
    let selector = AlertSelector::named("ServiceDown")
        .with("job", names::USER_SERVICE)
        .with("instance", &instance);
    let hold = rule_hold(stack, "ServiceDown").await?;
    wait_prometheus_state(
        &stack.prometheus(),
        &selector,
        "firing",
        hold + FIRING_SLACK,
    )
    .await?;
    // HighErrorRate of the same job still fires: its 5-minute rate windows keep the
    // errors from before the kill (range selectors ignore staleness), so it is an
    // alert Alertmanager must now inhibit.
    let inhibited = AlertSelector::named("HighErrorRate").with("job", names::USER_SERVICE);
    wait_prometheus_state(&stack.prometheus(), &inhibited, "firing", QUICK).await?;
    let alertmanager = stack.alertmanager();
    let source = wait_alertmanager(&alertmanager, &selector, "active", QUICK, |a| {
        a.status.state == "active"
    })
    .await?;
    let target = wait_alertmanager(
        &alertmanager,
        &inhibited,
        "suppressed, inhibited by ServiceDown",
        QUICK,
        |a| a.status.state == "suppressed" && a.status.inhibited_by.contains(&source.fingerprint),
    )
    .await?;
    println!(
        "[e2e] step 4: {inhibited} is {} with inhibitedBy {:?} (ServiceDown fingerprint {})",
        target.status.state, target.status.inhibited_by, source.fingerprint
    );
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
    let expected_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for ServiceDown")?;
    check_delivery(&delivered, "critical", &expected_receiver)?;
    record(
        stack,
        timeline,
        &delivered,
        "service killed",
        seen_at - killed_at,
        hold,
    );

    stack.restart(names::USER_SERVICE).await?;
    let restarted_at = Instant::now();
    let resolved = wait_delivered(&stack.receiver(), &selector, "resolved", QUICK).await?;
    let seen_at = Instant::now();
    ensure!(
        resolved.receiver == expected_receiver,
        "resolved ServiceDown went to {}, expected {expected_receiver}",
        resolved.receiver
    );
    let options = stack.options();
    timeline.record(Measurement {
        what: format!("ServiceDown{{job={}}} resolved", names::USER_SERVICE),
        from: String::from("service restarted"),
        measured: seen_at - restarted_at,
        minimum: options.scrape_interval
            + options.evaluation_interval
            + options.alertmanager.group_interval,
        minimum_formula: String::from(
            "scrape + evaluation + group_interval (upper bound: the next scrape, evaluation and group flush)",
        ),
    });
    Ok(())
}

// ---- step 5 ---------------------------------------------------------------

async fn step5_watchdog_has_its_own_receiver(
    stack: &Stack,
    timeline: &mut Timeline,
    prometheus_ready: Instant,
) -> Result<()> {
    let selector = AlertSelector::named("Watchdog");
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let watchdog_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for Watchdog")?;
    ensure!(
        delivered.receiver == watchdog_receiver,
        "Watchdog was delivered by receiver {}, the config routes it to {watchdog_receiver}",
        delivered.receiver
    );
    let others: BTreeSet<String> = stack
        .receiver()
        .alerts(None, None)
        .await?
        .into_iter()
        .filter(|a| a.labels.get("alertname").map(String::as_str) != Some("Watchdog"))
        .map(|a| a.receiver)
        .collect();
    ensure!(
        !others.is_empty() && !others.contains(&watchdog_receiver),
        "Watchdog's receiver {watchdog_receiver} must be its own; other alerts went to {others:?}"
    );
    // Watchdog was delivered long ago; its delivery time comes from the receiver's
    // clock relative to now, which this process shares.
    let age = age_of(&delivered.received_at)?;
    let measured = prometheus_ready.elapsed().saturating_sub(age);
    println!("[e2e] step 5: Watchdog delivered to {watchdog_receiver}, other alerts to {others:?}");
    let options = stack.options();
    let group_wait = stack
        .configs()
        .group_wait_for(&delivered.labels)
        .unwrap_or_default();
    timeline.record(Measurement {
        what: String::from("Watchdog firing"),
        from: String::from("Prometheus ready"),
        measured,
        minimum: options.evaluation_interval + group_wait,
        minimum_formula: format!(
            "evaluation + group_wait {}s (no `for`, no scrape needed)",
            group_wait.as_secs()
        ),
    });
    Ok(())
}

// ---- step 6 ---------------------------------------------------------------

async fn step6_alertmanager_outage_delivers_late(
    stack: &mut Stack,
    timeline: &mut Timeline,
) -> Result<()> {
    let prometheus = stack.prometheus();
    let errors_before = notification_errors(&prometheus).await?;
    stack.stop(names::ALERTMANAGER).await?;
    stack.kill(names::ORDER_SERVICE).await?;
    println!("[e2e] step 6: Alertmanager stopped, order-service killed");
    let selector = AlertSelector::named("ServiceDown")
        .with("job", names::ORDER_SERVICE)
        .with(
            "instance",
            &format!("127.0.0.1:{}", stack.ports().order_service),
        );
    let hold = rule_hold(stack, "ServiceDown").await?;
    wait_prometheus_state(&prometheus, &selector, "firing", hold + FIRING_SLACK).await?;
    wait_until(
        "Prometheus to count failed sends to the stopped Alertmanager",
        QUICK,
        || async {
            let errors = notification_errors(&prometheus).await?;
            Ok(if errors > errors_before {
                Probe::Ready(())
            } else {
                Probe::Pending(format!("prometheus_notifications_errors_total = {errors}"))
            })
        },
    )
    .await?;
    let early: Vec<ReceivedAlert> = stack
        .receiver()
        .alerts(None, Some("ServiceDown"))
        .await?
        .into_iter()
        .filter(|a| selector.matches(&a.labels))
        .collect();
    ensure!(
        early.is_empty(),
        "{selector} reached the receiver while Alertmanager was down: {early:?}"
    );
    stack.restart(names::ALERTMANAGER).await?;
    let back_at = Instant::now();
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
    let expected_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for ServiceDown")?;
    check_delivery(&delivered, "critical", &expected_receiver)?;
    let options = stack.options();
    let group_wait = stack
        .configs()
        .group_wait_for(&delivered.labels)
        .unwrap_or_default();
    timeline.record(Measurement {
        what: format!("ServiceDown{{job={}}} firing", names::ORDER_SERVICE),
        from: String::from("Alertmanager back"),
        measured: seen_at - back_at,
        minimum: options.resend_delay + group_wait,
        minimum_formula: String::from("Prometheus resend delay + group_wait"),
    });
    stack.restart(names::ORDER_SERVICE).await?;
    Ok(())
}

async fn notification_errors(
    prometheus: &lookout_e2e::clients::prometheus::PrometheusClient,
) -> Result<f64> {
    let samples = prometheus
        .query("sum(prometheus_notifications_errors_total)")
        .await?;
    let value = samples.first().map_or("0", |s| s.value.1.as_str());
    value
        .parse()
        .context("prometheus_notifications_errors_total is not a number")
}

// ---- step 7 ---------------------------------------------------------------

/// One query of `cargo xtask dashboards --queries` (see docs/dashboards.md).
#[derive(Debug, Deserialize)]
struct DashboardQuery {
    dashboard: String,
    kind: String,
    title: String,
    expr: String,
}

async fn step7_every_dashboard_query_has_data(stack: &Stack) -> Result<()> {
    let xtask = lookout_binary("xtask")?;
    // Four 1 s scrape intervals would do for `$__rate_interval`; 1m keeps the
    // windows wide enough to span the restarts of steps 4 and 6.
    let output = std::process::Command::new(&xtask)
        .current_dir(stack.repo())
        .args([
            "dashboards",
            "--queries",
            "--var",
            "__rate_interval=1m",
            "--var",
            "__range=5m",
        ])
        .output()
        .with_context(|| format!("running {}", xtask.display()))?;
    ensure!(
        output.status.success(),
        "xtask dashboards --queries failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let queries: Vec<DashboardQuery> =
        serde_json::from_slice(&output.stdout).context("decoding the query list")?;
    let dashboards: BTreeSet<&str> = queries.iter().map(|q| q.dashboard.as_str()).collect();
    let files = dashboard_files(stack)?;
    ensure!(
        files.iter().all(|uid| dashboards.contains(uid.as_str())),
        "dashboards without queries: files {files:?}, queried {dashboards:?}"
    );
    let prometheus = stack.prometheus();
    let queries = &queries;
    wait_until(
        "every dashboard query to return at least one series",
        QUICK,
        || async {
            let mut empty = Vec::new();
            for query in queries {
                match prometheus.query(&query.expr).await {
                    Ok(series) if !series.is_empty() => {}
                    Ok(_) => empty.push(format!(
                        "{} / {} {:?}: no series for {}",
                        query.dashboard, query.kind, query.title, query.expr
                    )),
                    Err(err) => empty.push(format!(
                        "{} / {} {:?}: {err:#}",
                        query.dashboard, query.kind, query.title
                    )),
                }
            }
            Ok(if empty.is_empty() {
                Probe::Ready(())
            } else {
                Probe::Pending(empty.join("\n"))
            })
        },
    )
    .await?;
    println!(
        "[e2e] step 7: {} queries of {} dashboards all return data",
        queries.len(),
        dashboards.len()
    );
    Ok(())
}

/// Uids (file stems) of `dashboards/*.json`.
fn dashboard_files(stack: &Stack) -> Result<BTreeSet<String>> {
    let dir = stack.repo().join("dashboards");
    Ok(std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter_map(|path| path.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect())
}

// ---- step 8 ---------------------------------------------------------------

/// Not one of issue 4's seven points: the twin of the VM test's persistence
/// subtest. A sample scraped before a Prometheus restart is still there after it.
async fn step8_samples_survive_a_prometheus_restart(stack: &mut Stack) -> Result<()> {
    let prometheus = stack.prometheus();
    let unix_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64();
    let before = format!("{unix_now:.3}");
    let query = format!("up{{job=\"{}\"}} @ {before}", names::USER_SERVICE);
    let earlier = wait_until("a user-service sample at a known time", QUICK, || async {
        let series = prometheus.query(&query).await?;
        Ok(if series.len() == 1 {
            Probe::Ready(series)
        } else {
            Probe::Pending(format!("{query} returned {series:?}"))
        })
    })
    .await?;
    stack.stop(names::PROMETHEUS).await?;
    stack.restart(names::PROMETHEUS).await?;
    let after = prometheus.query(&query).await?;
    ensure!(
        after.len() == 1
            && after[0].metric == earlier[0].metric
            && after[0].value.1 == earlier[0].value.1,
        "after the restart {query} returned {after:?}, before it {earlier:?}"
    );
    println!("[e2e] step 8: {query} is the same sample after a Prometheus restart");
    Ok(())
}

// ---- shared ---------------------------------------------------------------

/// The `for` duration of an alerting rule, as Prometheus loaded it.
async fn rule_hold(stack: &Stack, alertname: &str) -> Result<Duration> {
    let groups = stack.prometheus().rule_groups().await?;
    let seconds = groups
        .iter()
        .flat_map(|g| &g.rules)
        .find(|r| r.kind == "alerting" && r.name == alertname)
        .with_context(|| format!("Prometheus has no alerting rule {alertname}"))?
        .duration
        .unwrap_or(0.0);
    Ok(Duration::from_secs_f64(seconds))
}

/// The delivered alert has the contract's labels and annotations and came
/// through the receiver the routing tree names.
fn check_delivery(alert: &ReceivedAlert, severity: &str, receiver: &str) -> Result<()> {
    check_alert_contract(alert, severity)?;
    ensure!(
        alert.receiver == receiver,
        "{:?} was delivered by receiver {}, the routing tree says {receiver}",
        alert.labels,
        alert.receiver
    );
    if let Some(job) = alert.labels.get("job") {
        ensure!(
            alert.annotations["description"].contains(job.as_str()),
            "the description must name the job {job}: {:?}",
            alert.annotations["description"]
        );
    }
    Ok(())
}

/// Records fault → delivery against `for` + evaluation + scrape + group wait.
fn record(
    stack: &Stack,
    timeline: &mut Timeline,
    delivered: &ReceivedAlert,
    from: &str,
    measured: Duration,
    hold: Duration,
) {
    let options = stack.options();
    let group_wait = stack
        .configs()
        .group_wait_for(&delivered.labels)
        .unwrap_or_default();
    let job = delivered.labels.get("job").map_or("", String::as_str);
    timeline.record(Measurement {
        what: format!(
            "{}{{job={job}}} {}",
            delivered
                .labels
                .get("alertname")
                .map_or("?", String::as_str),
            delivered.status
        ),
        from: from.to_owned(),
        measured,
        minimum: hold + options.evaluation_interval + options.scrape_interval + group_wait,
        minimum_formula: format!(
            "for {}s + evaluation {}s + scrape {}s + group_wait {}s",
            hold.as_secs(),
            options.evaluation_interval.as_secs(),
            options.scrape_interval.as_secs(),
            group_wait.as_secs()
        ),
    });
}

/// How long ago an RFC 3339 UTC timestamp (`2026-01-01T00:00:00.123Z`) was.
fn age_of(rfc3339: &str) -> Result<Duration> {
    let then = lookout_e2e::timestamps::parse_rfc3339_utc(rfc3339)
        .with_context(|| format!("bad timestamp {rfc3339}"))?;
    Ok(std::time::SystemTime::now()
        .duration_since(then)
        .unwrap_or_default())
}
