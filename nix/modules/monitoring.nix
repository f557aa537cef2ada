# The monitoring stack of lookout on one host: Prometheus scraping every lookout
# service enabled here (plus extra targets on other hosts), the repository's
# alert rules, Alertmanager routing to the alert receiver, Grafana with the
# repository's dashboards, and the node exporter for host metrics. The scrape
# jobs, routing tree and Grafana provisioning come from the pure functions in
# nix/lib, the same ones the host end-to-end test renders and runs.
# Everything listens on loopback unless configured otherwise.
{
  config,
  lib,
  ...
}: let
  cfg = config.services.lookout.monitoring;
  pureConfig = import ../lib;
  shared = import ./service-options.nix {inherit lib;};
  ports = builtins.fromJSON (builtins.readFile ../ports.json);
  prom = config.services.prometheus;
  am = config.services.prometheus.alertmanager;
  node = config.services.prometheus.exporters.node;

  # "host:port" of a server on this host listening on `address`.
  local = address: port: "${shared.localHost address}:${toString port}";

  # The services of nix/services.nix that serve /metrics, where enabled here.
  scrapedServices = builtins.attrNames (lib.filterAttrs (_: service: service.scraped) (import ../services.nix));
  services = config.services.lookout;
  enabledServices = builtins.filter (name: services.${name}.enable) scrapedServices;
  localTargets =
    lib.genAttrs enabledServices (name: [(local services.${name}.listenAddress services.${name}.port)])
    // {
      prometheus = [(local prom.listenAddress prom.port)];
      alertmanager = lib.optional am.enable (local am.listenAddress am.port);
      grafana = lib.optional config.services.grafana.enable (
        local config.services.grafana.settings.server.http_addr config.services.grafana.settings.server.http_port
      );
      node-exporter = lib.optional node.enable (local node.listenAddress node.port);
      # Tempo's own metrics (ingestion, generator, remote-write), on its HTTP port.
      tempo = lib.optional (cfg.tracing.enable && config.services.tempo.enable) (local "127.0.0.1" cfg.tracing.httpPort);
    };
  # Extra targets join the local ones of the same job (one job per service
  # across hosts, told apart by the instance label).
  targets = lib.zipAttrsWith (_: lib.concatLists) [localTargets cfg.extraTargets];

  # As one replica of a pair (monitoring-ha.nix), Prometheus labels what it
  # sends and sends its alerts to every peer of the Alertmanager cluster.
  ha = cfg.ha;
  promConfig = pureConfig.prometheusConfig {
    inherit targets;
    inherit (cfg) scrapeInterval evaluationInterval remoteWrite;
    alertmanagers =
      if ha.alertmanagers != []
      then ha.alertmanagers
      else lib.optional am.enable (local am.listenAddress am.port);
    replica =
      if ha.enable
      then ha.replica
      else null;
    cluster =
      if ha.enable
      then ha.cluster
      else null;
  };
  # nixpkgs renders only `alerting.alertmanagers`, so the alert relabeling the
  # function puts at the top level of `alerting` goes into each Alertmanager
  # entry, where nixpkgs' Prometheus (3.x; 2.51 and later) applies it too.
  alertRelabeling = lib.optionalAttrs (promConfig.alerting ? alert_relabel_configs) {
    inherit (promConfig.alerting) alert_relabel_configs;
  };

  rulesDir = ../../rules;
  repoRuleFiles = map (name: rulesDir + "/${name}") (
    builtins.filter (lib.hasSuffix ".rules.yml") (builtins.attrNames (builtins.readDir rulesDir))
  );
in {
  imports = [
    ./monitoring-alertmanager.nix
    ./monitoring-grafana.nix
    ./monitoring-ha.nix
    ./monitoring-ha-thanos.nix
    ./monitoring-tracing.nix
  ];

  options.services.lookout.monitoring = {
    enable = lib.mkEnableOption "lookout's monitoring stack (Prometheus, Alertmanager, Grafana, node exporter)";

    scrapeInterval = lib.mkOption {
      type = lib.types.str;
      default = "15s";
      description = "How often Prometheus scrapes every target (Grafana's $__rate_interval is told the same).";
    };

    evaluationInterval = lib.mkOption {
      type = lib.types.str;
      default = "15s";
      description = "How often Prometheus evaluates the alerting and recording rules.";
    };

    extraTargets = lib.mkOption {
      type = lib.types.attrsOf (lib.types.listOf lib.types.str);
      default = {};
      example = {
        user-service = ["app.example.org:${toString ports.user-service}"];
        node-exporter = ["app.example.org:${toString ports.node-exporter}"];
      };
      description = "More \"host:port\" targets per job, for services on other hosts; the job name is the service name, as on this host.";
    };

    ruleFiles = lib.mkOption {
      type = lib.types.listOf lib.types.path;
      default = repoRuleFiles;
      defaultText = lib.literalMD "every `rules/*.rules.yml` of the lookout repository";
      description = "Rule files Prometheus loads; Nix paths, so promtool checks them at build time.";
    };

    retentionTime = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = "15d";
      description = "How long Prometheus keeps samples (null: Prometheus' default).";
    };

    remoteWrite = lib.mkOption {
      type = lib.types.listOf lib.types.attrs;
      default = [];
      example = [{url = "http://mimir.example.org/api/v1/push";}];
      description = "Remote-write endpoints (Mimir, Thanos receive, VictoriaMetrics), as `services.prometheus.remoteWrite` entries, passed through nix/lib's `remoteWrite` input; samples leave with the external labels (`replica`, `cluster` of `ha`), so a central store keeps or deduplicates the replicas. The alternative to `ha.globalView` when one machine is outgrown.";
    };

    nodeExporter.enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Whether to run nixpkgs' node exporter on this host (loopback only) and scrape it.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.prometheus = {
      enable = true;
      listenAddress = lib.mkDefault "127.0.0.1";
      port = lib.mkDefault ports.prometheus;
      globalConfig = promConfig.global;
      scrapeConfigs = promConfig.scrape_configs;
      alertmanagers = map (entry: entry // alertRelabeling) promConfig.alerting.alertmanagers;
      remoteWrite = promConfig.remote_write or [];
      inherit (cfg) ruleFiles retentionTime;
    };

    services.prometheus.exporters.node = lib.mkIf cfg.nodeExporter.enable {
      enable = true;
      listenAddress = lib.mkDefault "127.0.0.1";
      port = lib.mkDefault ports.node-exporter;
    };
  };
}
