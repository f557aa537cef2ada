# The Alertmanager configuration lookout ships, as a pure function (builtins
# only) so that the NixOS module and the host end-to-end test load exactly the
# same routing tree. Render it with:
#   nix-instantiate --eval --strict --json --expr \
#     '(import ./nix/lib/alertmanager-config.nix) { }'
# JSON is YAML, so Alertmanager reads the output as its config file.
#
# Secrets (Slack and Teams URLs) are never arguments: only the PATHS of files
# read by Alertmanager at runtime are, and they must be strings, so that no
# secret is copied into the Nix store.
{
  # Default receiver: the lookout alert receiver's webhook.
  webhookUrl ? "http://127.0.0.1:${toString (builtins.fromJSON (builtins.readFile ../ports.json)).alert-receiver}/webhook",
  # Where the always-firing Watchdog goes; point it at a dead man's switch
  # service (which alerts when the heartbeats stop) in production.
  watchdogUrl ? webhookUrl,
  # Absolute path of a file holding a Slack incoming-webhook URL, or null for
  # no Slack. `api_url_file` exists in Alertmanager 0.25.
  slackApiUrlFile ? null,
  # Slack channel the notifications are posted to.
  slackChannel ? "#alerts",
  # Absolute path of a file holding a Microsoft Teams Workflows webhook URL,
  # or null for no Teams. Rendered as `msteamsv2_configs` (Microsoft is retiring
  # the Office 365 connectors that `msteams_configs` posts to), which needs
  # Alertmanager 0.28 or later; Alertmanager 0.25 rejects the config.
  msteamsWebhookUrlFile ? null,
  # How long a new group of warnings waits to collect more alerts.
  groupWait ? "30s",
  # How long to wait before notifying about alerts added to a group that was
  # already notified (warnings and unrouted alerts).
  groupInterval ? "5m",
  # Critical alerts are sent at once, without waiting for a group to fill.
  criticalGroupWait ? "0s",
  # New critical alerts joining an already notified group.
  criticalGroupInterval ? "1m",
  # Repeat of a still-firing critical group.
  criticalRepeatInterval ? "1h",
  # Repeat of a still-firing warning group (and of unrouted alerts).
  warningRepeatInterval ? "4h",
  # Heartbeat period of the Watchdog notifications.
  watchdogRepeatInterval ? "5m",
  # When not null, replaces all three repeat intervals above at once (tests
  # shorten it to see repeats quickly).
  repeatInterval ? null,
  # An alert that Prometheus stops sending is resolved after this long.
  resolveTimeout ? "5m",
}: let
  # A secret file must be given as an absolute path string; a Nix path value
  # (./slack-url) would be copied into the world-readable store.
  checkSecretFile = name: file:
    if file == null || (builtins.isString file && builtins.substring 0 1 file == "/")
    then file
    else throw "alertmanager-config: ${name} must be an absolute path string read at runtime (got ${builtins.typeOf file}), never a Nix path or a URL";

  repeatOr = interval:
    if repeatInterval == null
    then interval
    else repeatInterval;
  criticalRepeat = repeatOr criticalRepeatInterval;
  warningRepeat = repeatOr warningRepeatInterval;
  watchdogRepeat = repeatOr watchdogRepeatInterval;

  slackFile = checkSecretFile "slackApiUrlFile" slackApiUrlFile;
  msteamsFile = checkSecretFile "msteamsWebhookUrlFile" msteamsWebhookUrlFile;

  webhook = url: {
    webhook_configs = [
      {
        inherit url;
        send_resolved = true;
      }
    ];
  };

  # The optional chat receivers, added to every receiver except the Watchdog's.
  chat =
    (
      if slackFile == null
      then {}
      else {
        slack_configs = [
          {
            api_url_file = slackFile;
            channel = slackChannel;
            send_resolved = true;
            title = "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} {{ .CommonLabels.job }}";
            text = "{{ range .Alerts }}{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}";
          }
        ];
      }
    )
    // (
      if msteamsFile == null
      then {}
      else {
        msteamsv2_configs = [
          {
            webhook_url_file = msteamsFile;
            send_resolved = true;
          }
        ];
      }
    );

  receiver = name: url: extra: {inherit name;} // webhook url // extra;
in {
  global.resolve_timeout = resolveTimeout;

  route = {
    receiver = "default";
    group_by = ["alertname" "job"];
    group_wait = groupWait;
    group_interval = groupInterval;
    repeat_interval = warningRepeat;
    routes = [
      # First, so its severity "none" never reaches the paging routes.
      {
        receiver = "watchdog";
        matchers = ["alertname=\"Watchdog\""];
        group_wait = "0s";
        group_interval = watchdogRepeat;
        repeat_interval = watchdogRepeat;
      }
      {
        receiver = "critical";
        matchers = ["severity=\"critical\""];
        group_wait = criticalGroupWait;
        group_interval = criticalGroupInterval;
        repeat_interval = criticalRepeat;
      }
      {
        receiver = "warning";
        matchers = ["severity=\"warning\""];
        group_wait = groupWait;
        group_interval = groupInterval;
        repeat_interval = warningRepeat;
      }
    ];
  };

  # A job whose target is down explains its other alerts (errors, latency,
  # burn rates): only the ServiceDown page is sent.
  inhibit_rules = [
    {
      source_matchers = ["alertname=\"ServiceDown\""];
      target_matchers = ["alertname!=\"ServiceDown\""];
      equal = ["job"];
    }
    # A peer that is down explains its callers' failed calls to it. `equal`
    # compares one label name on both alerts, and the down service is `job` on
    # ServiceDown but `peer` on UpstreamErrors (whose `job` is the caller), so
    # the ServiceDown rule copies its job into a `peer` label
    # (rules/availability.rules.yml) and the two meet on `peer`. Done in the
    # rule rather than by relabelling in Prometheus so that promtool's tests
    # pin the label; `peer` is the same on every replica, so the HA pair's
    # alerts still deduplicate.
    {
      source_matchers = ["alertname=\"ServiceDown\""];
      target_matchers = ["alertname=\"UpstreamErrors\""];
      equal = ["peer"];
    }
  ];

  receivers = [
    (receiver "default" webhookUrl chat)
    (receiver "critical" webhookUrl chat)
    (receiver "warning" webhookUrl chat)
    (receiver "watchdog" watchdogUrl {})
  ];
}
