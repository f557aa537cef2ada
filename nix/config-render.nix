# The config-render check of nix/checks.nix, as a pure function (builtins only)
# of the source root (a string path): the files it renders from nix/lib, the way
# the NixOS modules call those functions, and the script that loads them in
# promtool and amtool. nix/checks.nix runs it on the check's file set at
# evaluation time; `cargo xtask flake-checks` renders the same with
# nix-instantiate in a copy of that set and runs the same script there.
root: let
  configLib = import (root + "/nix/lib");
  ports = builtins.fromJSON (builtins.readFile (root + "/nix/ports.json"));
  rulesDir = root + "/rules";
  ruleFiles =
    map (name: "${rulesDir}/${name}")
    (builtins.filter (name: builtins.match ".*\\.rules\\.yml" name != null) (builtins.attrNames (builtins.readDir rulesDir)));
  local = job: "127.0.0.1:${toString ports.${job}}";
  # Every service of nix/services.nix that serves /metrics, and the stack's own.
  services = import (root + "/nix/services.nix");
  jobs = builtins.filter (name: services.${name}.scraped) (builtins.attrNames services) ++ ["prometheus" "alertmanager"];
in {
  # File name -> value; JSON is YAML, so each is written as JSON.
  files = {
    "prometheus.yml" = configLib.prometheusConfig {
      targets = builtins.listToAttrs (map (job: {
          name = job;
          value = [(local job)];
        })
        jobs);
      inherit ruleFiles;
      alertmanagers = [(local "alertmanager")];
    };
    "alertmanager.yml" = configLib.alertmanagerConfig {};
    "grafana-provisioning.json" = configLib.grafanaProvisioning {
      prometheusUrl = "http://${local "prometheus"}";
      dashboardsPath = root + "/dashboards";
      tempoUrl = "http://${local "tempo-http"}";
    };
    # As services.lookout.monitoring.tracing renders it (nixpkgs' Tempo unit
    # has StateDirectory=tempo).
    "tempo.json" = configLib.tempoConfig {
      httpPort = ports.tempo-http;
      grpcPort = ports.tempo-grpc;
      otlpHttpPort = ports.tempo-otlp-http;
      memberlistPort = ports.tempo-memberlist;
      stateDir = "/var/lib/tempo";
      remoteWriteUrl = "http://${local "prometheus"}/api/v1/write";
    };
    "ports.json" = ports;
  };

  # Run in the directory holding the files, with promtool, amtool and jq on PATH.
  script = ''
    promtool check config prometheus.yml
    amtool check-config alertmanager.yml
    jq -e '.datasources.datasources[0].uid == "prometheus"' grafana-provisioning.json
    # The Tempo datasource: uid tempo, its metric links and service map on a
    # Prometheus datasource that exists, the node graph on.
    jq -e '.datasources.datasources as $all
      | [$all[] | select(.type == "prometheus") | .uid] as $prometheus
      | [$all[] | select(.uid == "tempo")] as $tempo
      | ($tempo | length) == 1 and $tempo[0].type == "tempo"
        and ($tempo[0].jsonData
          | (.tracesToMetrics.datasourceUid | IN($prometheus[]))
            and (.serviceMap.datasourceUid | IN($prometheus[]))
            and .nodeGraph.enabled == true)' grafana-provisioning.json
    # Tempo: every listener on loopback at the ports of ports.json, OTLP over
    # HTTP, the generator's two processors writing to Prometheus, storage in
    # the state directory.
    jq -e --slurpfile ports ports.json '$ports[0] as $p
      | .server.http_listen_address == "127.0.0.1" and .server.http_listen_port == $p["tempo-http"]
        and .server.grpc_listen_address == "127.0.0.1" and .server.grpc_listen_port == $p["tempo-grpc"]
        and .memberlist.bind_addr == ["127.0.0.1"] and .memberlist.bind_port == $p["tempo-memberlist"]
        and .distributor.receivers.otlp.protocols == {http: {endpoint: "127.0.0.1:\($p["tempo-otlp-http"])"}}
        and .metrics_generator.storage.remote_write == [{url: "http://127.0.0.1:\($p.prometheus)/api/v1/write", send_exemplars: true}]
        and (.overrides.defaults.metrics_generator.processors | sort) == ["service-graphs", "span-metrics"]
        and .storage.trace.backend == "local"
        and ([.storage.trace.wal.path, .storage.trace.local.path, .metrics_generator.storage.path]
          | all(startswith("/var/lib/tempo/")))' tempo.json
  '';
}
