# Scenario 4: high availability (docs/ha-nixos.md). `app` runs both services;
# `monitorA` and `monitorB` are the two replicas of a Prometheus pair, each with
# a Thanos sidecar and an Alertmanager peer; `central` runs the third peer, the
# global view (Thanos Query over both sidecars), Grafana with its `global`
# datasource, and the alert receiver. A page is delivered exactly once, and
# still when monitorA loses power; monitorA coming back sends no duplicate.
{self, ...}: let
  secrets = import ./grafana-secrets.nix;
  preamble = import ./preamble.nix;
  ports = builtins.fromJSON (builtins.readFile ../ports.json);

  ip = nodes: name: nodes.${name}.networking.primaryIPAddress;
  monitorNames = ["monitorA" "monitorB"];
  peerNames = monitorNames ++ ["central"];
  on = port: address: "${address}:${toString port}";

  # Notifications without the production waits, so the test takes minutes.
  timings = {
    groupWait = "2s";
    groupInterval = "10s";
    criticalGroupInterval = "10s";
  };

  # The Alertmanager peer every node of the cluster runs, on its own address.
  peer = {
    config,
    nodes,
    ...
  }: let
    own = config.networking.primaryIPAddress;
  in {
    services.prometheus.alertmanager.listenAddress = own;
    services.lookout.monitoring.alertmanager.configArgs = timings;
    services.lookout.monitoring.ha.alertmanager = {
      gossipAddress = own;
      peers = map (name: on ports.alertmanager-gossip (ip nodes name)) peerNames;
      # Short, so a page waits seconds, not minutes, behind a peer's position.
      peerTimeout = "5s";
      # Every replica sends its alerts to every peer.
      webClients = builtins.filter (address: address != own) (map (ip nodes) monitorNames);
    };
    networking.nftables.enable = false;
  };

  monitor = {
    config,
    nodes,
    pkgs,
    ...
  }: {
    imports = [self.nixosModules.default peer];

    virtualisation.memorySize = 1024;
    environment.systemPackages = [pkgs.jq];

    # An alert stays valid 4 x resend delay after each send: a short delay
    # makes Alertmanager resolve it within seconds once no replica sends it.
    services.prometheus.extraFlags = ["--rules.alert.resend-delay=2s"];

    services.lookout.monitoring = {
      enable = true;
      scrapeInterval = "2s";
      evaluationInterval = "2s";
      grafana.enable = false;
      alertmanager.webhookUrl = nodes.central.services.lookout.alert-receiver.webhookUrl;
      # Scraped by host name: the instance label names the app host.
      extraTargets = {
        user-service = ["app:${toString nodes.app.services.lookout.user-service.port}"];
        order-service = ["app:${toString nodes.app.services.lookout.order-service.port}"];
      };
      ha = {
        enable = true;
        cluster = "vm";
        alertmanagers = map (name: on nodes.${name}.services.prometheus.alertmanager.port (ip nodes name)) peerNames;
        thanosSidecar = {
          enable = true;
          address = config.networking.primaryIPAddress;
          clients = [(ip nodes "central")];
        };
      };
    };
  };
in {
  name = "lookout-ha";

  nodes = {
    app = {
      config,
      nodes,
      ...
    }: {
      imports = [self.nixosModules.default];

      services.lookout.user-service = {
        enable = true;
        listenAddress = config.networking.primaryIPAddress;
      };
      services.lookout.order-service = {
        enable = true;
        listenAddress = config.networking.primaryIPAddress;
      };
      # Steady requests, so the dashboards' rate and latency panels have
      # numbers to compare between one replica and the global view.
      services.lookout.traffic-generator.enable = true;

      # Both replicas scrape the services, nobody else reaches them.
      networking.nftables.enable = false;
      networking.firewall.extraCommands = builtins.concatStringsSep "\n" (
        map (
          address:
            builtins.concatStringsSep "\n" (map (port: "iptables -A nixos-fw -p tcp -s ${address} --dport ${toString port} -j nixos-fw-accept") [
              config.services.lookout.user-service.port
              config.services.lookout.order-service.port
            ])
        ) (map (ip nodes) monitorNames)
      );
    };

    monitorA = monitor;
    monitorB = monitor;

    central = {
      nodes,
      pkgs,
      ...
    }: {
      imports = [self.nixosModules.default secrets.module peer];

      virtualisation.memorySize = 1536;
      environment.systemPackages = [pkgs.jq];

      services.lookout.alert-receiver = {
        enable = true;
        listenAddress = nodes.central.networking.primaryIPAddress;
        # The peers on the monitors deliver here too.
        openFirewall = true;
      };
      services.lookout.monitoring = {
        enable = true;
        grafana = {
          adminPasswordFile = secrets.passwordFile;
          inherit (secrets) secretKeyFile;
        };
        ha.globalView = {
          enable = true;
          endpoints = map (name: on nodes.${name}.services.lookout.monitoring.ha.thanosSidecar.grpcPort (ip nodes name)) monitorNames;
        };
      };
    };
  };

  # The script is ha.py, after the values it takes from the nodes' options
  # (ha-preamble.nix) and the shared helpers.
  # scripts.nix lists the files; `cargo xtask vm-lint` checks the same ones.
  testScript = {nodes, ...}: preamble.script (import ./scripts.nix).ha {inherit nodes;};
}
