# The whole prometheus.yml of lookout as an attrset (JSON is YAML, so the rendered
# value is a config file Prometheus loads as is). The host end-to-end test renders
# it; the NixOS monitoring module takes its `global`, `alerting` and
# `scrape_configs` parts, so both run the same scrape jobs and Alertmanager wiring.
# Pure: builtins only.
#
# Arguments:
#   targets            attrset: job name -> list of "host:port" (see scrape-configs.nix).
#   scrapeInterval     global scrape interval, default "15s" (Prometheus' own default
#                      is 1m; lookout's alerts use 5m windows, so 15s gives 20 samples each).
#   evaluationInterval global rule evaluation interval, default "15s".
#   ruleFiles          list of rule file paths (strings or Nix paths), e.g. rules/*.rules.yml.
#   alertmanagers      list of "host:port" Alertmanager addresses; [] leaves alerting out.
#   externalLabels     attrset added to every series and alert sent out; {} leaves it out.
#                      A value must not contain `$` (see checkExternalLabel).
#   labels             extra target labels for every scrape job (see scrape-configs.nix).
#
# High availability (all optional; the defaults render a single Prometheus exactly
# as before):
#   replica            null, or this replica's name in a pair scraping the same
#                      targets: external label `replica` (name in ha-labels.nix),
#                      and alert relabeling drops it from the alerts sent, so both
#                      replicas' alerts are one alert in Alertmanager. Give
#                      `alertmanagers` every peer of the cluster: alerts are not
#                      gossiped between peers, each must hear from every replica.
#   cluster            null, or the pair's name: external label `cluster`, kept on
#                      alerts (the same on both replicas).
#   remoteWrite        list of `remote_write` entries, rendered verbatim (at least
#                      `url`; e.g. [ { url = "http://vm:8428/api/v1/write"; } ]);
#                      samples leave with the external labels. [] leaves it out.
#
# The alert relabeling is the top-level `alerting.alert_relabel_configs`, the only
# place Prometheus 2.42 accepts (Prometheus 2.51+ also takes it per Alertmanager).
{
  targets,
  scrapeInterval ? "15s",
  evaluationInterval ? "15s",
  ruleFiles ? [],
  alertmanagers ? [],
  externalLabels ? {},
  labels ? {},
  replica ? null,
  cluster ? null,
  remoteWrite ? [],
}: let
  # Prometheus 3 replaces `$name` and `${name}` in external label values with
  # environment variables (an unset one becomes ""), Prometheus 2.x keeps them
  # as written: a `$` would give the same config two meanings, so it is refused.
  checkExternalLabel = name: value:
    if builtins.length (builtins.split "[$]" value) > 1
    then throw "prometheus-config: external label ${name} = \"${value}\" contains `$`, which Prometheus 3 expands from its environment and Prometheus 2 keeps as is; write the value out"
    else value;
  haLabels = import ./ha-labels.nix;
  optionalLabel = name: value:
    if value == null
    then {}
    else {${name} = value;};
  allExternalLabels =
    externalLabels
    // optionalLabel haLabels.replica replica
    // optionalLabel haLabels.cluster cluster;
in
  {
    global =
      {
        scrape_interval = scrapeInterval;
        evaluation_interval = evaluationInterval;
      }
      // (
        if allExternalLabels == {}
        then {}
        else {external_labels = builtins.mapAttrs checkExternalLabel allExternalLabels;}
      );

    # Paths become strings: a Nix path would be copied to the store on rendering,
    # and the test hands Prometheus the files of the work tree directly.
    rule_files = map toString ruleFiles;

    alerting =
      {
        alertmanagers =
          if alertmanagers == []
          then []
          else [{static_configs = [{targets = alertmanagers;}];}];
      }
      // (
        if replica == null
        then {}
        else {
          # Applied after the external labels are added, so the replica label
          # is gone from what each Alertmanager receives.
          alert_relabel_configs = [
            {
              action = "labeldrop";
              regex = haLabels.replica;
            }
          ];
        }
      );

    scrape_configs = import ./scrape-configs.nix {inherit targets labels;};
  }
  // (
    if remoteWrite == []
    then {}
    else {remote_write = remoteWrite;}
  )
