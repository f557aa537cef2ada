# The values demo.py gets from Nix (see preamble.nix): the VM's ports, the
# generated password's path, and the services dashboard's main queries.
{
  lib,
  nodes,
}: let
  inherit (import ./preamble.nix) str strList;
  cfg = nodes.vm.services;
  url = port: str "http://127.0.0.1:${toString port}";

  dashboard = builtins.fromJSON (builtins.readFile ../../dashboards/lookout-services.json);
  # The overview row: the panels above the dashboard's second row.
  rows = lib.filter (panel: panel.type == "row") dashboard.panels;
  overviewEnd = (lib.elemAt rows 1).gridPos.y;
  overview = lib.filter (panel: panel.type != "row" && panel.gridPos.y < overviewEnd) dashboard.panels;
  # Template variables as Grafana sends them with "All" selected (every
  # variable is used with =~) and a rate window that holds several scrapes.
  substitute = lib.replaceStrings ["$__rate_interval" "$job" "$instance" "$route"] ["1m" ".*" ".*" ".*"];
  mainQueries = lib.concatMap (panel: map (target: substitute target.expr) (panel.targets or [])) overview;
in {
  prometheus = url cfg.prometheus.port;
  grafana = url cfg.grafana.settings.server.http_port;
  password_file = str cfg.lookout.monitoring.grafana.adminPasswordFile;
  # The unit of nix/modules/monitoring-grafana.nix (generateSecrets) that
  # makes the password and prints it to the journal and the console.
  secrets_unit = str "grafana-secrets.service";
  main_queries = strList mainQueries;
  # The units of the lookout services (nix/services.nix) enabled on the VM.
  service_units = strList (lib.filter (name: cfg.lookout.${name}.enable) (lib.attrNames (import ../services.nix)));
}
