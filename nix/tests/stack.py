# Scenario 1's script (stack.nix): the whole stack on one host. The driver runs
# it after the preamble of stack-preamble.nix (ports, secret paths, rule groups,
# dashboard uids) and helpers.py; `machine` is the test's one node.

# service_units (preamble): the lookout services of nix/services.nix enabled on
# the node, which are also their units' names.
units = service_units
assert units, "no lookout service enabled on the node"
json_body = "-H 'Content-Type: application/json'"

start_all()

with subtest("every unit starts and every port answers"):
    for unit in units + ["prometheus", "alertmanager", "grafana"]:
        machine.wait_for_unit(f"{unit}.service")
    for base in [user, order, receiver]:
        machine.wait_until_succeeds(f"curl -sf {base}/health")
    machine.wait_until_succeeds(f"curl -sf {prometheus}/-/ready")
    machine.wait_until_succeeds(f"curl -sf {alertmanager}/-/ready")
    machine.wait_until_succeeds(f"curl -sf {grafana}/api/health")
    for admin_url in [user_admin, order_admin]:
        machine.succeed(f"curl -sf {admin_url}/faults | jq -e '.latency_ms == 0 and .error_ratio == 0'")

with subtest("every target is up, every rule group is loaded, Alertmanager is connected"):
    machine.wait_until_succeeds(
        f"curl -sf {prometheus}/api/v1/targets"
        " | jq -e '(.data.activeTargets | length > 0) and (.data.activeTargets | all(.health == \"up\"))'"
    )
    assert rule_groups, "no rule group found in rules/"
    for group in rule_groups:
        machine.succeed(
            f"curl -sf {prometheus}/api/v1/rules | jq -e '.data.groups[] | select(.name == \"{group}\")'"
        )
    # Every rule has been evaluated without error.
    machine.wait_until_succeeds(
        f"curl -sf {prometheus}/api/v1/rules | jq -e '[.data.groups[].rules[].health] | all(. == \"ok\")'"
    )
    for alertname in ["ServiceDown", "HighErrorRate", "HighResponseTime",
                      "ErrorBudgetBurnFast", "ErrorBudgetBurnSlow", "Watchdog"]:
        machine.succeed(
            f"curl -sf {prometheus}/api/v1/rules"
            f" | jq -e '[.data.groups[].rules[] | select(.name == \"{alertname}\")] | length == 1'"
        )
    machine.wait_until_succeeds(
        f"curl -sf {prometheus}/api/v1/alertmanagers | jq -e '.data.activeAlertmanagers | length == 1'"
    )

with subtest("the exercise's requests answer with the exercise's status codes"):
    machine.succeed(
        f"curl -sf {user}/health | jq -e '.status == \"healthy\" and .service == \"user-service\"'",
        f"curl -sf {order}/health | jq -e '.status == \"healthy\" and .service == \"order-service\"'",
        f"curl -sf {user}/users | jq -e '.total >= 3 and (.users | length) == .total'",
        f"curl -sf {order}/orders | jq -e '(.orders | length) == .total'",
    )
    for base, kind in [(user, "users"), (order, "orders")]:
        expect_status(machine, "200", f"{base}/{kind}/1")
        expect_status(machine, "404", f"{base}/{kind}/999")
        expect_status(machine, "500", f"{base}/{kind}/500")
    expect_status(machine, "201", f"{user}/users", "-X POST")
    expect_status(machine, "201", f"{order}/orders",
                  json_body + " -d '{\"userId\": 1, \"product\": \"Monitor\", \"amount\": 300}'")

with subtest("error traffic: HighErrorRate pending, firing, in Alertmanager, delivered"):
    machine.succeed("systemd-run --unit=load-users /run/current-system/sw/bin/lookout-load " + user + "/users/1")
    machine.succeed(f"curl -sf -X PUT {json_body} -d '{{\"error_ratio\": 0.5}}' {user_admin}/faults")
    labels = {"alertname": "HighErrorRate", "job": "user-service"}
    wait_prometheus_alert(machine, prometheus, "pending", labels)
    wait_fires_and_is_delivered(machine, prometheus, alertmanager, receiver, labels)
    machine.succeed(f"curl -sf -X DELETE {user_admin}/faults")

with subtest("injected latency: HighResponseTime firing, in Alertmanager, delivered"):
    machine.succeed("systemd-run --unit=load-orders /run/current-system/sw/bin/lookout-load " + order + "/orders/1")
    machine.succeed(f"curl -sf -X PUT {json_body} -d '{{\"latency_ms\": 800}}' {order_admin}/faults")
    labels = {"alertname": "HighResponseTime", "job": "order-service"}
    wait_fires_and_is_delivered(machine, prometheus, alertmanager, receiver, labels)
    machine.succeed(f"curl -sf -X DELETE {order_admin}/faults")

with subtest("a stopped service fires ServiceDown, delivered, inhibiting the job's other alerts; starting it delivers the resolution"):
    machine.succeed("systemctl stop order-service")
    labels = {"alertname": "ServiceDown", "job": "order-service"}
    wait_fires_and_is_delivered(machine, prometheus, alertmanager, receiver, labels)
    # ServiceDown inhibits the job's other alerts: HighResponseTime still fires
    # from its 5m window, and Alertmanager holds it back.
    machine.wait_until_succeeds(
        f"curl -sf '{alertmanager}/api/v2/alerts' | jq -e '.[] | select(.labels.alertname == \"HighResponseTime\""
        " and .labels.job == \"order-service\" and (.status.inhibitedBy | length > 0))'"
    )
    machine.succeed("systemctl start order-service")
    wait_delivered(machine, receiver, "resolved", labels)

password = machine.succeed(f"cat {password_file}").strip()
secret_key = machine.succeed(f"cat {secret_key_file}").strip()
admin = f"-u admin:{password}"

with subtest("Grafana: healthy, datasource provisioned and working, dashboards, login locked"):
    machine.succeed(f"curl -sf {grafana}/api/health | jq -e '.database == \"ok\"'")
    machine.succeed(
        f"curl -sf {admin} {grafana}/api/datasources/uid/prometheus | jq -e '.type == \"prometheus\"'",
        f"curl -sf {admin} {grafana}/api/datasources/uid/prometheus/health | jq -e '.status == \"OK\"'",
    )
    for uid in dashboard_uids:
        machine.succeed(f"curl -sf {admin} {grafana}/api/dashboards/uid/{uid} | jq -e '.dashboard.uid == \"{uid}\"'")
    machine.succeed(
        f"curl -sf {admin} -G {grafana}/api/datasources/proxy/uid/prometheus/api/v1/query"
        " --data-urlencode 'query=up{job=\"user-service\"}' | jq -e '.data.result | length > 0'"
    )
    expect_status(machine, "401", f"{grafana}/api/org", "-u admin:admin")
    expect_status(machine, "200", f"{grafana}/api/org", admin)
    expect_status(machine, "401", f"{grafana}/api/dashboards/uid/{dashboard_uids[0]}")

with subtest("security: loopback listeners, no secret in the store, sandboxed units"):
    for name, base in [("prometheus", prometheus), ("alertmanager", alertmanager),
                       ("user-service", user), ("order-service", order),
                       ("user-service fault control", user_admin),
                       ("order-service fault control", order_admin),
                       ("alert-receiver", receiver)]:
        assert_loopback_only(machine, name, int(base.rpartition(":")[2]))
    # Every store path of the system small enough to be configuration
    # (packages are skipped: they cannot hold a secret made at boot).
    machine.succeed(
        "nix-store -qR /run/current-system | while read -r path; do"
        " [ \"$(nix-store -q --size \"$path\")\" -lt 1000000 ] && echo \"$path\"; done"
        " > /tmp/config-paths || true"
    )
    count = int(machine.succeed("wc -l < /tmp/config-paths"))
    assert count > 100, f"only {count} store paths to search: the closure query failed"
    for secret in [password, secret_key]:
        machine.succeed(
            f"if grep -rlsF -e {secret} $(cat /tmp/config-paths); then exit 1; else test $? -eq 1; fi"
        )
    for unit in units:
        level = exposure(machine, f"{unit}.service")
        machine.log(f"{unit}: systemd-analyze security exposure {level}")
        assert level <= 2.0, f"{unit} has an exposure of {level}, above 2.0"

with subtest("persistence: samples and dashboards survive a Prometheus restart and a reboot"):
    before = machine.succeed("date +%s").strip()
    earlier = query_command(prometheus, 'up{job="user-service"}') + f" --data-urlencode 'time={before}'"
    machine.wait_until_succeeds(earlier + " | jq -e '.data.result | length == 1'")
    machine.succeed("systemctl restart prometheus")
    machine.wait_until_succeeds(f"curl -sf {prometheus}/-/ready")
    machine.succeed(earlier + " | jq -e '.data.result | length == 1'")
    machine.shutdown()
    machine.start()
    machine.wait_for_unit("prometheus.service")
    machine.wait_for_unit("grafana.service")
    machine.wait_until_succeeds(f"curl -sf {prometheus}/-/ready")
    machine.succeed(earlier + " | jq -e '.data.result | length == 1'")
    machine.wait_until_succeeds(f"curl -sf {grafana}/api/health")
    for uid in dashboard_uids:
        machine.succeed(f"curl -sf {admin} {grafana}/api/dashboards/uid/{uid} | jq -e '.dashboard.uid == \"{uid}\"'")
