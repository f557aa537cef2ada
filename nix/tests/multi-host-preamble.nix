# The values multi-host.py gets from Nix (see preamble.nix): the monitor's
# ports and the app's scrape addresses, from the nodes' options.
{nodes, ...}: let
  inherit (import ./preamble.nix) str int;
  mon = nodes.monitor.services;
  app = nodes.app.services;
  url = port: str "http://127.0.0.1:${toString port}";
in {
  prometheus = url mon.prometheus.port;
  alertmanager = url mon.prometheus.alertmanager.port;
  receiver = url mon.lookout.alert-receiver.port;
  user_on_app = str "app:${toString app.lookout.user-service.port}";
  order_on_app = str "app:${toString app.lookout.order-service.port}";
  grafana_port = int mon.grafana.settings.server.http_port;
  prometheus_port = int mon.prometheus.port;
  alertmanager_port = int mon.prometheus.alertmanager.port;
}
