# lookout's pure configuration functions, in one attrset. Every function uses
# builtins only, so plain `nix-instantiate --eval --strict --json` renders it
# here and the NixOS modules import the very same code:
#   nix-instantiate --eval --strict --json --expr \
#     '(import ./nix/lib).scrapeConfigs { targets = { prometheus = [ "localhost:9999" ]; }; }'
{
  # { targets, scrapeInterval ? null, scrapeTimeout ? null, labels ? {} } -> [ scrape_config ]
  scrapeConfigs = import ./scrape-configs.nix;
  # { targets, scrapeInterval, evaluationInterval, ruleFiles, alertmanagers,
  #   replica ? null, cluster ? null, remoteWrite ? [], ... } -> prometheus.yml
  prometheusConfig = import ./prometheus-config.nix;
  # { listenAddress ? null, peers ? [], advertiseAddress, peerTimeout, settleTimeout } -> [ flag ]
  alertmanagerClusterFlags = import ./alertmanager-cluster-flags.nix;
  # { replica = "replica"; cluster = "cluster"; }: the HA external label names.
  haLabels = import ./ha-labels.nix;
  # { prometheusUrl, dashboardsPath, scrapeInterval ? "15s", folder ? "lookout",
  #   globalViewUrl ? null, tempoUrl ? null } -> { datasources; dashboards; }
  grafanaProvisioning = import ./grafana-provisioning.nix;
  # { httpPort, grpcPort, otlpHttpPort, memberlistPort, stateDir, remoteWriteUrl,
  #   listenAddress ? "127.0.0.1", retention ? "168h" } -> Tempo's config.yaml
  tempoConfig = import ./tempo-config.nix;
  # { webhookUrl, slackApiUrlFile, msteamsWebhookUrlFile, timings... } -> alertmanager.yml
  alertmanagerConfig = import ./alertmanager-config.nix;
}
