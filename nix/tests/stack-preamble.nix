# The values stack.py gets from Nix (see preamble.nix): every port from the
# node's options, the secrets' paths, and what rules/ and dashboards/ hold.
{
  lib,
  nodes,
}: let
  inherit (import ./preamble.nix) str strList;
  secrets = import ./grafana-secrets.nix;
  cfg = nodes.machine.services;
  url = port: str "http://127.0.0.1:${toString port}";

  # The rule groups of rules/*.rules.yml, from their manifest (JSON, which Nix
  # reads; `cargo xtask rules` checks it against the YAML files).
  ruleGroups = lib.concatLists (lib.attrValues (builtins.fromJSON (builtins.readFile ../../rules/groups.json)));

  # Each dashboard file's uid is its file stem (the dashboards check enforces it).
  dashboardUids =
    map (lib.removeSuffix ".json")
    (lib.filter (lib.hasSuffix ".json") (lib.attrNames (builtins.readDir ../../dashboards)));
in {
  user = url cfg.lookout.user-service.port;
  order = url cfg.lookout.order-service.port;
  user_admin = url cfg.lookout.user-service.faultControl.port;
  order_admin = url cfg.lookout.order-service.faultControl.port;
  receiver = url cfg.lookout.alert-receiver.port;
  prometheus = url cfg.prometheus.port;
  alertmanager = url cfg.prometheus.alertmanager.port;
  grafana = url cfg.grafana.settings.server.http_port;
  password_file = str secrets.passwordFile;
  secret_key_file = str secrets.secretKeyFile;
  dashboard_uids = strList dashboardUids;
  rule_groups = strList ruleGroups;
  # The units of the lookout services (nix/services.nix) enabled on the node.
  service_units = strList (lib.filter (name: cfg.lookout.${name}.enable) (lib.attrNames (import ../services.nix)));
}
