# Scenario 5's script (tracing.nix): the services' spans in Tempo, read back
# through its HTTP API and through Grafana, and the metrics-generator's series
# in Prometheus. The driver runs it after the preamble of tracing-preamble.nix
# (ports, the password's path, names) and helpers.py; `machine` is the node.

import secrets

units = service_units
assert "order-service" in units and "user-service" in units, units
json_body = "-H 'Content-Type: application/json'"
# The trace_id field of a unit's JSON log lines, newest last (other lines skipped).
logged_trace_ids = "jq -R -r 'fromjson? | .. | objects | .trace_id? // empty'"


def services_of_trace(url: str, services: list) -> str:
    """Shell command that succeeds once the trace at url (Tempo's GET
    /api/traces/<id>, directly or through Grafana) holds spans of every one of
    services, by their resource attribute service.name."""
    wanted = "[" + ", ".join(f'"{name}"' for name in services) + "]"
    return (
        f"curl -sf {url} | jq -e --argjson want '{wanted}'"
        " '[.. | objects | select(.key? == \"service.name\") | .value.stringValue] as $names"
        " | all($want[]; IN($names[]))'"
    )


def udp_addresses(port: int) -> list:
    """Local addresses of the UDP sockets on port, from ss."""
    addresses = []
    for line in machine.succeed("ss -Huln", timeout=30).splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        address, _, local_port = fields[3].rpartition(":")
        if local_port == str(port):
            addresses.append(address)
    return addresses


start_all()

with subtest("every unit starts; Tempo, Prometheus and Grafana are ready"):
    for unit in units + ["tempo", "prometheus", "grafana"]:
        machine.wait_for_unit(f"{unit}.service", timeout=300)
    machine.wait_until_succeeds(f"curl -sf {tempo}/ready", timeout=300)
    machine.wait_until_succeeds(f"curl -sf {prometheus}/-/ready", timeout=120)
    machine.wait_until_succeeds(f"curl -sf {grafana}/api/health", timeout=120)
    # Tempo writes in its state directory only (nixpkgs' unit: StateDirectory=tempo).
    machine.wait_until_succeeds("test -d /var/lib/tempo/wal", timeout=60)

with subtest("Tempo and Prometheus' remote-write receiver listen on loopback only"):
    for name, port in [("Tempo HTTP", tempo_http_port), ("Tempo gRPC", tempo_grpc_port),
                       ("Tempo OTLP/HTTP", tempo_otlp_port), ("Tempo memberlist", tempo_memberlist_port),
                       ("Prometheus", prometheus_port)]:
        assert_loopback_only(machine, name, port)
    gossip = udp_addresses(tempo_memberlist_port)
    assert gossip, f"nothing listens on UDP port {tempo_memberlist_port} (Tempo memberlist)"
    assert all(address in ("127.0.0.1", "[::1]") for address in gossip), (
        f"Tempo's memberlist has UDP sockets off loopback: {gossip}"
    )
    # The receiver is on: an empty body is refused as a bad request, not as an
    # unknown or disabled endpoint (404).
    status = http_status(machine, f"{prometheus}/api/v1/write", "-X POST --max-time 10")
    assert status.startswith("4") and status != "404", f"remote-write receiver answered {status}"

with subtest("Grafana's Tempo datasource exists, linked to the Prometheus datasource"):
    password = machine.succeed(f"cat {password_file}", timeout=10).strip()
    admin = f"-u admin:{password}"
    machine.succeed(
        f"curl -sf {admin} {grafana}/api/datasources/uid/tempo"
        " | jq -e '.type == \"tempo\" and .jsonData.serviceMap.datasourceUid == \"prometheus\""
        " and .jsonData.tracesToMetrics.datasourceUid == \"prometheus\" and .jsonData.nodeGraph.enabled'",
        timeout=30,
    )

with subtest("a request's trace id from order-service's log line is found in Tempo and through Grafana"):
    # A create with our own traceparent: order-service continues that trace and
    # calls user-service inside it.
    trace_id = secrets.token_hex(16)
    parent_span = secrets.token_hex(8)
    machine.succeed(
        f"curl -sf -X POST {json_body} -H 'traceparent: 00-{trace_id}-{parent_span}-01'"
        f" -d '{{\"userId\": 1, \"product\": \"Monitor\", \"amount\": 300}}' {order}/orders",
        timeout=30,
    )
    # sort -u: every line logged while the request runs carries its trace_id, and
    # at debug the call to user-service logs too (hyper-util's "pooling idle
    # connection" on every call, reqwest's "starting new connection" and
    # hyper-util's "connecting to" when it opens one): 2 to 5 lines per create.
    logged = machine.wait_until_succeeds(
        f"journalctl -u order-service -o cat | {logged_trace_ids} | grep -x {trace_id} | sort -u", timeout=60
    ).strip()
    assert logged == trace_id, f"order-service logged {logged!r}, the request carried {trace_id}"
    both = ["order-service", "user-service"]
    machine.wait_until_succeeds(services_of_trace(f"{tempo}/api/traces/{logged}", both), timeout=120)
    machine.wait_until_succeeds(
        services_of_trace(f"{admin} {grafana}/api/datasources/proxy/uid/tempo/api/traces/{logged}", both),
        timeout=60,
    )

with subtest("a trace the traffic generator started, its id from user-service's log, is in Tempo"):
    # The newest ids user-service logged (scrapes carry none: /metrics is not
    # traced) are tried until one is in Tempo with the generator's span too; the
    # newest may not be exported yet.
    generated = ["traffic-generator", "user-service"]
    started = machine.wait_until_succeeds(
        f"for id in $(journalctl -u user-service -o cat | {logged_trace_ids} | grep -vx {trace_id}"
        " | tail -n 50 | sort -u); do"
        f" if {services_of_trace(tempo + '/api/traces/$id', generated)} >/dev/null; then echo $id; exit 0; fi;"
        " done; exit 1",
        timeout=180,
    ).strip()
    machine.wait_until_succeeds(
        services_of_trace(f"{admin} {grafana}/api/datasources/proxy/uid/tempo/api/traces/{started}", generated),
        timeout=60,
    )

with subtest("the service graph and span metrics reach Prometheus; Tempo is scraped"):
    for client, server in [("order-service", "user-service"), ("traffic-generator", "order-service")]:
        machine.wait_until_succeeds(
            query_command(prometheus, f'{service_graph_metric}{{client="{client}",server="{server}"}}')
            + " | jq -e '.data.result | length > 0 and all(.value[1] | tonumber > 0)'",
            timeout=300,
        )
    for service in ["order-service", "user-service"]:
        machine.wait_until_succeeds(
            query_command(prometheus, f'{span_calls_metric}{{service="{service}"}}')
            + " | jq -e '.data.result | length > 0'",
            timeout=120,
        )
    machine.wait_until_succeeds(
        query_command(prometheus, 'up{job="tempo"} == 1') + " | jq -e '.data.result | length == 1'",
        timeout=120,
    )
