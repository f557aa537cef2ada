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
    };
  };

  # Run in the directory holding the files, with promtool, amtool and jq on PATH.
  script = ''
    promtool check config prometheus.yml
    amtool check-config alertmanager.yml
    jq -e '.datasources.datasources[0].uid == "prometheus"' grafana-provisioning.json
  '';
}
