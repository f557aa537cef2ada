# Scenario 2's script (multi-host.nix): `monitor`, `app` and `client`. The
# driver runs it after the preamble of multi-host-preamble.nix and helpers.py.

start_all()

with subtest("every node is up"):
    app.wait_for_unit("user-service.service")
    app.wait_for_unit("order-service.service")
    for unit in ["prometheus", "alertmanager", "grafana", "alert-receiver"]:
        monitor.wait_for_unit(f"{unit}.service")
    client.wait_for_unit("multi-user.target")

with subtest("the monitor scrapes both services on the app across the network"):
    for job, instance in [("user-service", user_on_app), ("order-service", order_on_app)]:
        monitor.succeed(f"curl -sf http://{instance}/health")
        monitor.wait_until_succeeds(
            query_command(prometheus, f'up{{job="{job}", instance="{instance}"}} == 1')
            + " | jq -e '.data.result | length == 1'"
        )

with subtest("the app's services refuse every host but the monitor"):
    for instance in [user_on_app, order_on_app]:
        client.fail(f"curl -sf --connect-timeout 5 http://{instance}/health")

with subtest("a service stopped on the app fires ServiceDown with the app's instance, delivered"):
    app.succeed("systemctl stop user-service")
    labels = {"alertname": "ServiceDown", "job": "user-service", "instance": user_on_app}
    wait_fires_and_is_delivered(monitor, prometheus, alertmanager, receiver, labels)
    app.succeed("systemctl start user-service")
    wait_delivered(monitor, receiver, "resolved", labels)

with subtest("the client reaches Grafana, not Prometheus or Alertmanager"):
    # grep without -q reads all its input (see demo.py): an early exit could kill
    # curl with SIGPIPE, which pipefail (the driver's shell) counts as a failure.
    client.wait_until_succeeds(
        f"curl -sf http://monitor:{grafana_port}/api/health | grep database >/dev/null"
    )
    client.fail(f"curl -sf --connect-timeout 5 http://monitor:{prometheus_port}/-/ready")
    client.fail(f"curl -sf --connect-timeout 5 http://monitor:{alertmanager_port}/-/ready")
