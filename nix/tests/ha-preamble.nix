# The values ha.py gets from Nix (see preamble.nix): addresses and ports from
# the nodes' options, the replicas' names, the replica label of nix/lib, and
# how long "no duplicate" is watched, from the Alertmanager timings.
{nodes, ...}: let
  inherit (import ./preamble.nix) str int strList;
  haLabels = import ../lib/ha-labels.nix;
  monA = nodes.monitorA.services;
  central = nodes.central.services;
  on = node: port: str "http://${node.networking.primaryIPAddress}:${toString port}";
  local = port: str "http://127.0.0.1:${toString port}";
  seconds = duration: builtins.fromJSON (builtins.head (builtins.match "([0-9]+)s" duration));
  timings = monA.lookout.monitoring.alertmanager.configArgs;
  # A dashboard panel's query by its title, with "All" jobs selected.
  dashboard = builtins.fromJSON (builtins.readFile ../../dashboards/lookout-services.json);
  panelQuery = title: let
    panel = builtins.head (builtins.filter (panel: (panel.title or "") == title) dashboard.panels);
  in
    builtins.replaceStrings ["$job"] [".*"] (builtins.head panel.targets).expr;
in {
  # Every node of the pair has Prometheus on loopback at the same port.
  prometheus = local monA.prometheus.port;
  alertmanager_a = on nodes.monitorA monA.prometheus.alertmanager.port;
  alertmanager_b = on nodes.monitorB nodes.monitorB.services.prometheus.alertmanager.port;
  alertmanager_central = on nodes.central central.prometheus.alertmanager.port;
  receiver = on nodes.central central.lookout.alert-receiver.port;
  global_view = local central.lookout.monitoring.ha.globalView.port;
  grafana = local central.grafana.settings.server.http_port;
  password_file = str (import ./grafana-secrets.nix).passwordFile;
  # "host port" of monitorA's gossip and sidecar gRPC listeners, for bash's /dev/tcp.
  gossip_a = str "${nodes.monitorA.networking.primaryIPAddress} ${toString monA.lookout.monitoring.ha.alertmanager.gossipPort}";
  sidecar_a = str "${nodes.monitorA.networking.primaryIPAddress} ${toString monA.lookout.monitoring.ha.thanosSidecar.grpcPort}";
  user_on_app = str "app:${toString nodes.app.services.lookout.user-service.port}";
  order_on_app = str "app:${toString nodes.app.services.lookout.order-service.port}";
  replica_label = str haLabels.replica;
  # The services dashboard's overview rate and quantile panels.
  rate_panel = str (panelQuery "Request rate");
  quantile_panel = str (panelQuery "p95 latency");
  replicas = strList [monA.lookout.monitoring.ha.replica nodes.monitorB.services.lookout.monitoring.ha.replica];
  peer_count = int (builtins.length monA.lookout.monitoring.ha.alertmanager.peers);
  # Two group intervals and every peer's position wait: a duplicate would
  # have been sent by then.
  quiet_seconds = int (
    2
    * seconds timings.criticalGroupInterval
    + builtins.length monA.lookout.monitoring.ha.alertmanager.peers * seconds monA.lookout.monitoring.ha.alertmanager.peerTimeout
  );
}
