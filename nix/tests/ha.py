# Scenario 4's script (ha.nix): `app`, the replicas `monitorA` and `monitorB`,
# and `central` (third Alertmanager peer, global view, Grafana, receiver). The
# driver runs it after the preamble of ha-preamble.nix and helpers.py.

import json

monitors = [monitorA, monitorB]
peers = [(monitorA, alertmanager_a), (monitorB, alertmanager_b), (central, alertmanager_central)]
order_down = {"alertname": "ServiceDown", "job": "order-service", "instance": order_on_app}
user_down = {"alertname": "ServiceDown", "job": "user-service", "instance": user_on_app}


def delivered(status: str, labels: dict) -> int:
    """How many alerts of this status and these labels the receiver got."""
    return int(central.succeed(
        f"curl -sf '{receiver}/alerts?status={status}&alertname={labels['alertname']}'"
        f" | jq '[.alerts[] | select(.labels | {jq_labels(labels)})] | length'"
    ))


def assert_delivered_once(labels: dict, resolved: int) -> None:
    """After a quiet period long enough for any duplicate to arrive: one firing
    notification for the alert, and `resolved` resolutions."""
    central.succeed(f"sleep {quiet_seconds}")
    firing = delivered("firing", labels)
    assert firing == 1, f"{labels}: {firing} firing notifications, expected exactly 1"
    got = delivered("resolved", labels)
    assert got == resolved, f"{labels}: {got} resolved notifications, expected {resolved}"


def global_query(promql: str, dedup: bool = True) -> str:
    """Shell command for an instant query on the global view (Thanos Query)."""
    flag = "" if dedup else " --data-urlencode dedup=false"
    return query_command(global_view, promql) + flag


def wait_replicas_in_global_view(expected: list) -> None:
    """Without deduplication, the app's user-service `up` series come from
    exactly these replicas, each with its replica label."""
    central.wait_until_succeeds(
        global_query('up{job="user-service"}', dedup=False)
        + f" | jq -e '[.data.result[].metric.{replica_label}] | sort == {json.dumps(sorted(expected))}'"
    )


def value_at(node: BaseMachine, url: str, promql: str, at: int, extra: str = "") -> float:
    """One instant query's single value at Unix time `at` (NaN when there is none)."""
    answer = node.succeed(
        query_command(url, promql) + f" --data-urlencode time={at}{extra} | jq -r '.data.result[0].value[1] // \"NaN\"'"
    )
    return float(answer.strip())


def close(value: float, reference: float) -> bool:
    """Within 10 % of a positive reference (the replicas scrape at different instants)."""
    return reference > 0 and abs(value - reference) <= 0.1 * reference


def tcp_connect(address: str) -> str:
    """Shell command that opens a TCP connection to "host port" within 5 s (a
    dropped SYN times out, a refused or accepted one answers at once)."""
    host, port = address.split()
    return f"timeout 5 bash -c '</dev/tcp/{host}/{port}'"


start_all()

with subtest("every node is up and the three Alertmanagers form one cluster"):
    app.wait_for_unit("user-service.service")
    app.wait_for_unit("order-service.service")
    for monitor in monitors:
        for unit in ["prometheus", "alertmanager", "thanos-sidecar"]:
            monitor.wait_for_unit(f"{unit}.service")
    for unit in ["alertmanager", "alert-receiver", "thanos-query", "grafana"]:
        central.wait_for_unit(f"{unit}.service")
    for node, alertmanager in peers:
        node.wait_until_succeeds(
            f"curl -sf {alertmanager}/api/v2/status"
            f" | jq -e '.cluster.status == \"ready\" and (.cluster.peers | length) == {peer_count}'"
        )

with subtest("monitorA's gossip port admits the other peers only, its sidecar the global view only"):
    # Listening first (admitted hosts connect), so a refusal below is the firewall.
    for node in [monitorB, central]:
        node.wait_until_succeeds(tcp_connect(gossip_a))
    central.wait_until_succeeds(tcp_connect(sidecar_a))
    app.fail(tcp_connect(gossip_a))
    for node in [app, monitorB]:
        node.fail(tcp_connect(sidecar_a))

with subtest("both replicas scrape the app and send to every peer; the global view deduplicates them"):
    for monitor in monitors:
        for instance in [user_on_app, order_on_app]:
            monitor.wait_until_succeeds(
                query_command(prometheus, f'up{{instance="{instance}"}} == 1') + " | jq -e '.data.result | length == 1'"
            )
        monitor.wait_until_succeeds(
            f"curl -sf {prometheus}/api/v1/alertmanagers"
            f" | jq -e '.data.activeAlertmanagers | length == {peer_count}'"
        )
    wait_replicas_in_global_view(replicas)
    # One series per app service, not one per replica: no double counting.
    central.succeed(
        global_query('sum(up{job=~"user-service|order-service"})') + " | jq -e '.data.result[0].value[1] == \"2\"'"
    )

with subtest("Grafana's global datasource answers with the deduplicated view"):
    admin = "-u admin:$(cat " + password_file + ")"
    central.succeed(f"curl -sf {admin} {grafana}/api/datasources/uid/global | jq -e '.type == \"prometheus\"'")
    central.succeed(
        f"curl -sf {admin} -G {grafana}/api/datasources/proxy/uid/global/api/v1/query"
        " --data-urlencode 'query=count(up{job=~\"user-service|order-service\"})'"
        " | jq -e '.data.result[0].value[1] == \"2\"'"
    )

with subtest("the global view gives the rate and quantile panels one replica's numbers, not twice them"):
    # monitorB's own Prometheus against the global view, at one instant a little
    # in the past (both have its samples). Without deduplication the rate panel
    # sums both replicas' series: about twice, which this check would see.
    for attempt in range(36):
        at = int(central.succeed("date +%s")) - 30
        rate_one = value_at(monitorB, prometheus, rate_panel, at)
        rate_global = value_at(central, global_view, rate_panel, at)
        rate_both = value_at(central, global_view, rate_panel, at, " --data-urlencode dedup=false")
        p95_one = value_at(monitorB, prometheus, quantile_panel, at)
        p95_global = value_at(central, global_view, quantile_panel, at)
        found = (
            f"rate {rate_one} on monitorB, {rate_global} global, {rate_both} without dedup;"
            f" p95 {p95_one} on monitorB, {p95_global} global"
        )
        if close(rate_global, rate_one) and close(rate_both, 2 * rate_one) and close(p95_global, p95_one):
            central.log(f"same numbers on the global view: {found}")
            break
        central.succeed("sleep 5")
    else:
        raise AssertionError(f"the global view does not give one replica's numbers: {found}")

with subtest("a service down on the app fires in both replicas, one alert without replica label, one notification"):
    app.succeed("systemctl stop order-service")
    for monitor in monitors:
        wait_prometheus_alert(monitor, prometheus, "firing", order_down)
    wait_delivered(central, receiver, "firing", order_down)
    for node, alertmanager in peers:
        node.succeed(
            f"curl -sf '{alertmanager}/api/v2/alerts?active=true'"
            f" | jq -e '[.[] | select(.labels | {jq_labels(order_down)})]"
            f" | length == 1 and (.[0].labels | has(\"{replica_label}\") | not)'"
        )
    assert_delivered_once(order_down, resolved=0)

with subtest("monitorA loses power: the alert stays firing, still one notification, the global view answers from monitorB"):
    monitorA.crash()
    # The alert would resolve within seconds if monitorB stopped sending it.
    assert_delivered_once(order_down, resolved=0)
    for node, alertmanager in peers[1:]:
        node.succeed(
            f"curl -sf '{alertmanager}/api/v2/alerts?active=true' | jq -e '.[] | select(.labels | {jq_labels(order_down)})'"
        )
    wait_replicas_in_global_view(replicas[1:])

with subtest("with monitorA down, a service stopped on the app is still detected and delivered once"):
    app.succeed("systemctl stop user-service")
    wait_prometheus_alert(monitorB, prometheus, "firing", user_down)
    wait_delivered(central, receiver, "firing", user_down)
    assert_delivered_once(user_down, resolved=0)

with subtest("monitorA is back: it rejoins, fires both alerts again, and no duplicate is sent"):
    monitorA.start()
    for unit in ["prometheus", "alertmanager", "thanos-sidecar"]:
        monitorA.wait_for_unit(f"{unit}.service")
    monitorA.wait_until_succeeds(
        f"curl -sf {alertmanager_a}/api/v2/status"
        f" | jq -e '.cluster.status == \"ready\" and (.cluster.peers | length) == {peer_count}'"
    )
    for labels in [order_down, user_down]:
        wait_prometheus_alert(monitorA, prometheus, "firing", labels)
    for labels in [order_down, user_down]:
        assert_delivered_once(labels, resolved=0)
    wait_replicas_in_global_view(replicas)

with subtest("the services come back: each resolution is delivered exactly once"):
    app.succeed("systemctl start user-service order-service")
    for labels in [order_down, user_down]:
        wait_delivered(central, receiver, "resolved", labels)
    for labels in [order_down, user_down]:
        assert_delivered_once(labels, resolved=1)
