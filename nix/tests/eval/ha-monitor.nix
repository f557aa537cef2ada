# nixos-eval test config for one replica of an HA pair (docs/ha-nixos.md): the
# replica and cluster labels, alerts to every Alertmanager peer, this host's
# Alertmanager in the gossip cluster, the firewall open to the peers only
# (iptables backend), and a Thanos sidecar for the global view on 10.0.0.13.
{pkgs, ...}: let
  ports = builtins.fromJSON (builtins.readFile ../../ports.json);
  on = address: port: "${address}:${toString port}";
  monitors = ["10.0.0.11" "10.0.0.12"];
  peers = monitors ++ ["10.0.0.13"];
in {
  imports = [../../modules];

  networking.hostName = "monitor-a";
  networking.nftables.enable = false;
  system.stateVersion = "26.05";

  services.lookout.user-service.package = pkgs.user-service;
  services.lookout.order-service.package = pkgs.order-service;
  services.lookout.alert-receiver.package = pkgs.alert-receiver;

  services.prometheus.alertmanager.listenAddress = "10.0.0.11";
  services.lookout.monitoring = {
    enable = true;
    grafana.generateSecrets = true;
    alertmanager.webhookUrl = "http://10.0.0.13:${toString ports.alert-receiver}/webhook";
    ha = {
      enable = true;
      cluster = "eval";
      alertmanagers = map (address: on address ports.alertmanager) peers;
      alertmanager = {
        gossipAddress = "10.0.0.11";
        peers = map (address: on address ports.alertmanager-gossip) peers;
        peerTimeout = "5s";
        webClients = ["10.0.0.12"];
      };
      thanosSidecar = {
        enable = true;
        address = "10.0.0.11";
        clients = ["10.0.0.13"];
      };
    };
  };
}
