# nixos-eval test config: the whole stack on one host with tracing on, as the
# vm-tracing node runs it. The harness evaluates nixpkgs' Tempo module too, so
# the Tempo settings are type-checked and its unit's command line renders. The
# assertions check the wiring the modules promise, on the merged values: every
# enabled lookout service sends its spans to Tempo (and the ratio reaches the
# flag), order-service calls the local user-service, Prometheus runs its
# remote-write receiver and Tempo's generator writes there, Grafana has the
# Tempo datasource, and Prometheus scrapes Tempo.
{
  config,
  lib,
  pkgs,
  utils,
  ...
}: let
  lookout = config.services.lookout;
  tracing = lookout.monitoring.tracing;
  traced = ["user-service" "order-service" "alert-receiver" "traffic-generator"];
  execStart = name: config.systemd.services.${name}.serviceConfig.ExecStart;
  # The flags in this order on the unit's command line, quoted as the modules quote them.
  hasFlags = name: flags: lib.hasInfix (utils.escapeSystemdExecArgs flags) (execStart name);
  prom = config.services.prometheus;
  tempo = config.services.tempo.settings;
  datasources = config.services.grafana.provision.datasources.settings.datasources;
in {
  imports = [(import ./support/flake-modules.nix lib).default];
  nixpkgs.hostPlatform = "x86_64-linux";

  services.lookout = {
    user-service = {
      enable = true;
      package = pkgs.user-service;
    };
    order-service = {
      enable = true;
      package = pkgs.order-service;
      traceSampleRatio = 0.25;
    };
    alert-receiver = {
      enable = true;
      package = pkgs.alert-receiver;
    };
    traffic-generator = {
      enable = true;
      package = pkgs.traffic-generator;
    };
    monitoring = {
      enable = true;
      grafana.generateSecrets = true;
      tracing = {
        enable = true;
        retention = "1h30m";
      };
    };
  };

  assertions = [
    {
      assertion = builtins.all (name: lookout.${name}.otlpEndpoint == tracing.otlpEndpoint && hasFlags name ["--otlp-endpoint" tracing.otlpEndpoint]) traced;
      message = "eval/tracing: a lookout service is not pointed at Tempo's OTLP receiver";
    }
    {
      assertion = hasFlags "order-service" ["--trace-sample-ratio" "0.25"] && hasFlags "user-service" ["--trace-sample-ratio" "1"];
      message = "eval/tracing: traceSampleRatio does not reach --trace-sample-ratio";
    }
    {
      assertion = lookout.order-service.userServiceUrl == "http://127.0.0.1:${toString lookout.user-service.port}" && hasFlags "order-service" ["--user-service-url" lookout.order-service.userServiceUrl];
      message = "eval/tracing: order-service is not pointed at the local user-service";
    }
    {
      assertion =
        lib.elem "--web.enable-remote-write-receiver" prom.extraFlags
        && tempo.metrics_generator.storage.remote_write
        == [
          {
            url = "http://127.0.0.1:${toString prom.port}/api/v1/write";
            send_exemplars = true;
          }
        ]
        && tempo.distributor.receivers.otlp.protocols.http.endpoint == "127.0.0.1:${toString tracing.otlpHttpPort}"
        && tempo.compactor.compaction.block_retention == "1h30m";
      message = "eval/tracing: Tempo's OTLP receiver, its remote write to Prometheus or its retention is not wired";
    }
    {
      assertion = builtins.any (ds: ds.uid == "tempo" && ds.type == "tempo" && ds.url == "http://127.0.0.1:${toString tracing.httpPort}") datasources;
      message = "eval/tracing: Grafana has no Tempo datasource with uid tempo";
    }
    {
      assertion = builtins.any (job: job.job_name == "tempo") prom.scrapeConfigs;
      message = "eval/tracing: Prometheus does not scrape Tempo";
    }
  ];
}
