# Scenario 3's script (demo.nix): the demo VM boots. The driver runs it after
# the preamble of demo-preamble.nix and helpers.py.

# The node's host name is the demo's, so the driver knows it as `machine`.
start_all()

with subtest("the demo VM boots with every unit of the stack"):
    assert service_units, "no lookout service enabled on the demo VM"
    for unit in service_units + ["prometheus", "alertmanager", "grafana"]:
        machine.wait_for_unit(f"{unit}.service")
    machine.wait_until_succeeds(f"curl -sf {prometheus}/-/ready")
    machine.wait_until_succeeds(f"curl -sf {grafana}/api/health")

with subtest("the admin password is made at first boot, outside the store, and shown on the console"):
    assert not password_file.startswith("/nix/store"), password_file
    # The unit prints the line with StandardOutput=journal+console, so the
    # journal holds what the console showed. Polling it with a shell command
    # has a real deadline; the driver's console wait with a timeout reads one
    # queued console line per one-second retry and falls behind the boot log.
    printed = f"journalctl -b --no-pager -o cat -u {secrets_unit}"
    # grep without -q reads all its input: an early exit could kill journalctl
    # with SIGPIPE, which pipefail (the driver runs every command with it) fails.
    machine.wait_until_succeeds(f"{printed} | grep -F 'Grafana login admin / ' >/dev/null", timeout=300)
    password = machine.succeed(f"cat {password_file}").strip()
    machine.succeed(f"{printed} | grep -F 'Grafana login admin / {password} ' >/dev/null")
    assert len(password) >= 16, "the generated password is too short"
    machine.succeed(f"test $(stat -c %a {password_file}) = 600 -o $(stat -c %a {password_file}) = 400")
    expect_status(machine, "200", f"{grafana}/api/org", f"-u admin:{password}")
    expect_status(machine, "401", f"{grafana}/api/org", "-u admin:admin")

with subtest("the traffic generator's requests reach both services"):
    for job in ["user-service", "order-service"]:
        machine.wait_until_succeeds(
            query_command(prometheus, f'sum(http_requests_total{{job="{job}", route!="/metrics"}}) > 0')
            + " | jq -e '.data.result | length == 1'"
        )

with subtest("the services dashboard's main queries return data within a minute"):
    admin = f"-u admin:{password}"
    for promql in main_queries:
        machine.wait_until_succeeds(
            f"curl -sf {admin} -G {grafana}/api/datasources/proxy/uid/prometheus/api/v1/query"
            f" --data-urlencode 'query={promql}' | jq -e '.data.result | length > 0'",
            timeout=60,
        )
