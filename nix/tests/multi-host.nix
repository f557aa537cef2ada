# Scenario 2: the stack across hosts. `monitor` runs Prometheus, Alertmanager,
# Grafana and the alert receiver; `app` runs both services on its network
# address, with the firewall open to the monitor only; `client` is any other
# machine on the network. The monitor scrapes the app across the network, a
# service stopped on the app pages with the app's instance label, and the client
# reaches Grafana but neither Prometheus nor Alertmanager.
{self, ...}: let
  secrets = import ./grafana-secrets.nix;
  preamble = import ./preamble.nix;
in {
  name = "lookout-multi-host";

  nodes = {
    app = {
      config,
      nodes,
      ...
    }: let
      servicePorts = [config.services.lookout.user-service.port config.services.lookout.order-service.port];
      monitorAddress = nodes.monitor.networking.primaryIPAddress;
    in {
      imports = [self.nixosModules.default];

      services.lookout.user-service = {
        enable = true;
        listenAddress = config.networking.primaryIPAddress;
      };
      services.lookout.order-service = {
        enable = true;
        listenAddress = config.networking.primaryIPAddress;
      };

      # The services' ports accept the monitor only (the rules below use the
      # iptables backend of the NixOS firewall, so pin it).
      networking.nftables.enable = false;
      networking.firewall.extraCommands =
        builtins.concatStringsSep "\n"
        (map (port: "iptables -A nixos-fw -p tcp -s ${monitorAddress} --dport ${toString port} -j nixos-fw-accept") servicePorts);
    };

    monitor = {
      nodes,
      pkgs,
      ...
    }: let
      app = nodes.app.services;
    in {
      imports = [self.nixosModules.default secrets.module];

      virtualisation.memorySize = 2048;
      environment.systemPackages = [pkgs.jq];

      services.lookout.alert-receiver.enable = true;
      services.lookout.monitoring = {
        enable = true;
        scrapeInterval = "2s";
        evaluationInterval = "2s";
        # Notifications without the production waits, so the test takes minutes.
        alertmanager.configArgs = {
          groupWait = "2s";
          groupInterval = "10s";
          criticalGroupInterval = "10s";
        };
        grafana = {
          adminPasswordFile = secrets.passwordFile;
          inherit (secrets) secretKeyFile;
        };
        # Scraped by host name: the instance label names the app host.
        extraTargets = {
          user-service = ["app:${toString app.lookout.user-service.port}"];
          order-service = ["app:${toString app.lookout.order-service.port}"];
        };
      };

      # Grafana is the one part of the stack meant to be reached by people.
      services.grafana.settings.server.http_addr = "0.0.0.0";
      services.grafana.openFirewall = true;
    };

    client = {};
  };

  # The script is multi-host.py, after the values it takes from the nodes'
  # options (multi-host-preamble.nix) and the shared helpers.
  # scripts.nix lists the files; `cargo xtask vm-lint` checks the same ones.
  testScript = {nodes, ...}: preamble.script (import ./scripts.nix).multi-host {inherit nodes;};
}
