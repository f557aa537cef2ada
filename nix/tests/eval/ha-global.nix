# nixos-eval test config for the host of the global view (docs/ha-nixos.md):
# Thanos Query over both replicas' sidecars, Grafana's `global` datasource, the
# alert receiver, and a third Alertmanager peer, behind the nftables firewall.
{pkgs, ...}: let
  ports = builtins.fromJSON (builtins.readFile ../../ports.json);
  on = address: port: "${address}:${toString port}";
in {
  imports = [../../modules];

  networking.hostName = "global";
  networking.nftables.enable = true;
  system.stateVersion = "26.05";

  services.lookout.user-service.package = pkgs.user-service;
  services.lookout.order-service.package = pkgs.order-service;
  services.lookout.alert-receiver = {
    enable = true;
    package = pkgs.alert-receiver;
    listenAddress = "10.0.0.13";
  };

  services.prometheus.alertmanager.listenAddress = "10.0.0.13";
  services.lookout.monitoring = {
    enable = true;
    grafana.generateSecrets = true;
    ha = {
      alertmanager = {
        gossipAddress = "10.0.0.13";
        peers = map (address: on address ports.alertmanager-gossip) ["10.0.0.11" "10.0.0.12" "10.0.0.13"];
        webClients = ["10.0.0.11" "10.0.0.12"];
      };
      globalView = {
        enable = true;
        endpoints = map (address: on address ports.thanos-sidecar-grpc) ["10.0.0.11" "10.0.0.12"];
      };
    };
  };
}
