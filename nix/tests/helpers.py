# Helpers shared by lookout's VM test scripts (scripts.nix puts them before each
# test's own file). `BaseMachine` is a global the driver gives every script.
# Every check is a shell command run inside a VM: curl -sf for the HTTP call,
# jq -e for the assertion (jq -e fails on false, null or no output), and
# wait_until_succeeds for anything that takes time.

import re


def http_status(node: BaseMachine, url: str, curl_args: str = "") -> str:
    """The HTTP status code curl gets for url (curl -f would hide 4xx/5xx)."""
    return node.succeed(
        f"curl -s -o /dev/null -w '%{{http_code}}' {curl_args} '{url}'"
    ).strip()


def expect_status(node: BaseMachine, expected: str, url: str, curl_args: str = "") -> None:
    got = http_status(node, url, curl_args)
    assert got == expected, f"{curl_args} {url}: expected HTTP {expected}, got {got}"


def query_command(prometheus: str, promql: str) -> str:
    """Shell command for an instant query; curl URL-encodes the PromQL."""
    return f"curl -sf -G '{prometheus}/api/v1/query' --data-urlencode 'query={promql}'"


def jq_labels(labels: dict) -> str:
    """A jq condition on an object: every given label has the given value."""
    return " and ".join(f'.{name} == "{value}"' for name, value in labels.items())


def wait_prometheus_alert(node: BaseMachine, prometheus: str, state: str, labels: dict) -> None:
    """Wait until Prometheus has an alert with these labels in this state."""
    node.wait_until_succeeds(
        f"curl -sf '{prometheus}/api/v1/alerts' | jq -e '.data.alerts[]"
        f" | select(.state == \"{state}\" and (.labels | {jq_labels(labels)}))'"
    )


def wait_alertmanager_alert(node: BaseMachine, alertmanager: str, labels: dict) -> None:
    """Wait until Alertmanager's API lists an active alert with these labels."""
    node.wait_until_succeeds(
        f"curl -sf '{alertmanager}/api/v2/alerts?active=true' | jq -e '.[]"
        f" | select(.labels | {jq_labels(labels)})'"
    )


def wait_delivered(node: BaseMachine, receiver: str, status: str, labels: dict) -> None:
    """Wait until the alert receiver got a notification with an alert of this
    status and these labels (GET /alerts answers {"alerts": [...], "total": n})."""
    alertname = labels["alertname"]
    node.wait_until_succeeds(
        f"curl -sf '{receiver}/alerts?status={status}&alertname={alertname}'"
        f" | jq -e '.alerts[] | select(.labels | {jq_labels(labels)})'"
    )


def wait_fires_and_is_delivered(
    node: BaseMachine, prometheus: str, alertmanager: str, receiver: str, labels: dict
) -> None:
    """The whole path of an alert: firing in Prometheus, then active in
    Alertmanager, then delivered to the receiver's webhook."""
    wait_prometheus_alert(node, prometheus, "firing", labels)
    wait_alertmanager_alert(node, alertmanager, labels)
    wait_delivered(node, receiver, "firing", labels)


def listening_addresses(node: BaseMachine, port: int) -> list:
    """Local addresses of the TCP listeners on port, from ss."""
    lines = node.succeed("ss -Htln").splitlines()
    addresses = []
    for line in lines:
        fields = line.split()
        if len(fields) < 4:
            continue
        address, _, listener_port = fields[3].rpartition(":")
        if listener_port == str(port):
            addresses.append(address)
    return addresses


def assert_loopback_only(node: BaseMachine, name: str, port: int) -> None:
    addresses = listening_addresses(node, port)
    assert addresses, f"nothing listens on port {port} ({name})"
    for address in addresses:
        assert address in ("127.0.0.1", "[::1]"), (
            f"{name} listens on {address}:{port}, not on loopback only"
        )


def exposure(node: BaseMachine, unit: str) -> float:
    """The overall exposure systemd-analyze security gives a unit (0 to 10)."""
    output = node.succeed(f"systemd-analyze security {unit}")
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", output)
    assert match, f"no exposure level in systemd-analyze output for {unit}:\n{output}"
    return float(match.group(1))
