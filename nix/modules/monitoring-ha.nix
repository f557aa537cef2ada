# High availability options of lookout's monitoring stack (docs/ha-nixos.md):
# this Prometheus as one replica of a pair (replica and cluster external
# labels, the replica label dropped from the alerts it sends), the Alertmanager
# peers it sends to, this host's Alertmanager as a peer of a gossip cluster,
# and Thanos (a sidecar beside each replica, a query view deduplicating the
# replicas). The Prometheus and Alertmanager parts are rendered by the pure
# functions of nix/lib in monitoring.nix and monitoring-alertmanager.nix; the
# Thanos and firewall parts are set here. With none of these options set, the
# configuration is the single-host one. Part of monitoring.nix.
{
  config,
  lib,
  ...
}: let
  cfg = config.services.lookout.monitoring;
  ha = cfg.ha;
  ports = import ../ports.nix;
  haLabels = import ../lib/ha-labels.nix;
  firewall = import ./monitoring-ha-firewall.nix {inherit lib;};
  prom = config.services.prometheus;
  shared = import ./service-options.nix {inherit lib;};

  hostPort = lib.types.strMatching "[^/ ]+:[0-9]+";
  # An address to bind, never a wildcard: Alertmanager would have to guess which
  # of the host's addresses to advertise, Thanos would serve every interface.
  bindAddress = lib.types.addCheck (lib.types.strMatching "[0-9a-fA-F:.]+") (
    address: address != "0.0.0.0" && address != "::"
  );
  addresses = lib.types.listOf bindAddress;

  gossip = ha.alertmanager;
  sidecar = ha.thanosSidecar;
  view = ha.globalView;
in {
  options.services.lookout.monitoring.ha = {
    enable = lib.mkEnableOption "this host's Prometheus as one replica of a pair scraping the same targets: external labels `replica` and `cluster`, the `replica` label dropped from the alerts it sends";

    replica = lib.mkOption {
      type = lib.types.strMatching "[^$]+";
      default = config.networking.hostName;
      defaultText = lib.literalExpression "config.networking.hostName";
      example = "monitor-a";
      description = "This replica's name, the value of its `${haLabels.replica}` external label; it must differ between the replicas of a pair.";
    };

    cluster = lib.mkOption {
      type = lib.types.strMatching "[^$]+";
      default = "lookout";
      example = "eu-west";
      description = "The pair's name, the value of the `${haLabels.cluster}` external label: the same on both replicas, kept on the alerts they send.";
    };

    alertmanagers = lib.mkOption {
      type = lib.types.listOf hostPort;
      default = [];
      example = ["10.0.0.11:${toString ports.alertmanager}" "10.0.0.12:${toString ports.alertmanager}"];
      description = "Web API \"host:port\" of every Alertmanager peer of the cluster, where this Prometheus sends its alerts (peers do not share alerts, only silences and notifications, so each must hear from every replica). Empty: this host's Alertmanager only.";
    };

    alertmanager = {
      gossipAddress = lib.mkOption {
        type = lib.types.nullOr bindAddress;
        default = null;
        example = "10.0.0.11";
        description = "This host's network address the Alertmanager gossips on (what the other peers list); null keeps clustering off.";
      };

      gossipPort = lib.mkOption {
        type = lib.types.port;
        default = ports.alertmanager-gossip;
        defaultText = lib.literalMD "the `alertmanager-gossip` entry of `nix/ports.nix`";
        description = "TCP and UDP port of the gossip.";
      };

      peers = lib.mkOption {
        type = lib.types.listOf hostPort;
        default = [];
        example = ["10.0.0.11:${toString ports.alertmanager-gossip}" "10.0.0.12:${toString ports.alertmanager-gossip}" "10.0.0.13:${toString ports.alertmanager-gossip}"];
        description = "Gossip \"host:port\" of every peer of the cluster; the same list on every peer (this host's own entry is skipped). Give IP addresses: the firewall admits these hosts only.";
      };

      peerTimeout = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "5s";
        description = "How long each peer waits per position before notifying (null: Alertmanager's 15s). The same on every peer.";
      };

      settleTimeout = lib.mkOption {
        type = lib.types.nullOr lib.types.str;
        default = null;
        example = "30s";
        description = "Longest wait for the gossip to settle before a starting peer notifies (null: Alertmanager's 1m).";
      };

      openFirewall = lib.mkOption {
        type = lib.types.bool;
        default = true;
        description = "Whether to open the gossip port (TCP and UDP) to the other peers' addresses only.";
      };

      webClients = lib.mkOption {
        type = addresses;
        default = [];
        example = ["10.0.0.12"];
        description = "Addresses admitted to the Alertmanager web API port (the other hosts' Prometheus replicas); give `services.prometheus.alertmanager.listenAddress` a network address too.";
      };
    };

    thanosSidecar = {
      enable = lib.mkEnableOption "a Thanos sidecar serving this replica's data (with its external labels) to a global view over gRPC";

      address = lib.mkOption {
        type = bindAddress;
        default = "127.0.0.1";
        example = "10.0.0.11";
        description = "Address of the sidecar's gRPC StoreAPI (a network address when the global view runs on another host).";
      };

      grpcPort = lib.mkOption {
        type = lib.types.port;
        default = ports.thanos-sidecar-grpc;
        defaultText = lib.literalMD "the `thanos-sidecar-grpc` entry of `nix/ports.nix`";
        description = "Port of the sidecar's gRPC StoreAPI.";
      };

      clients = lib.mkOption {
        type = addresses;
        default = [];
        example = ["10.0.0.13"];
        description = "Addresses admitted to the gRPC port (the hosts of the global view).";
      };
    };

    globalView = {
      enable = lib.mkEnableOption "Thanos Query over the replicas' sidecars, deduplicating on the `${haLabels.replica}` label, and a Grafana datasource (uid `global`) for it";

      endpoints = lib.mkOption {
        type = lib.types.listOf hostPort;
        default = [];
        example = ["10.0.0.11:${toString ports.thanos-sidecar-grpc}" "10.0.0.12:${toString ports.thanos-sidecar-grpc}"];
        description = "gRPC \"host:port\" of every replica's sidecar.";
      };

      port = lib.mkOption {
        type = lib.types.port;
        default = ports.thanos-query-http;
        defaultText = lib.literalMD "the `thanos-query-http` entry of `nix/ports.nix`";
        description = "Port of the query view's HTTP API (Prometheus-compatible), on loopback: Grafana on this host is its client.";
      };
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = gossip.peers == [] || gossip.gossipAddress != null;
        message = "services.lookout.monitoring.ha.alertmanager.peers is set but gossipAddress is null: give this host's network address to gossip on.";
      }
      {
        assertion = !sidecar.enable || ha.enable;
        message = "services.lookout.monitoring.ha.thanosSidecar needs ha.enable: the global view tells the replicas apart by their external labels.";
      }
      {
        assertion = !view.enable || view.endpoints != [];
        message = "services.lookout.monitoring.ha.globalView is enabled with no endpoints: list every replica's sidecar.";
      }
    ];

    networking.firewall = firewall.open config [
      {
        port = gossip.gossipPort;
        protocols = ["tcp" "udp"];
        sources = lib.optionals (gossip.gossipAddress != null && gossip.openFirewall) (
          builtins.filter (host: host != gossip.gossipAddress) (map firewall.hostOf gossip.peers)
        );
      }
      {
        port = config.services.prometheus.alertmanager.port;
        protocols = ["tcp"];
        sources = gossip.webClients;
      }
      {
        port = sidecar.grpcPort;
        protocols = ["tcp"];
        sources = lib.optionals sidecar.enable sidecar.clients;
      }
    ];

    services.thanos.sidecar = lib.mkIf sidecar.enable {
      enable = true;
      prometheus.url = "http://${shared.localHost prom.listenAddress}:${toString prom.port}";
      grpc-address = "${firewall.bracketed sidecar.address}:${toString sidecar.grpcPort}";
      http-address = "127.0.0.1:${toString ports.thanos-sidecar-http}";
    };

    services.thanos.query = lib.mkIf view.enable {
      enable = true;
      inherit (view) endpoints;
      query.replica-labels = [haLabels.replica];
      grpc-address = "127.0.0.1:${toString ports.thanos-query-grpc}";
      http-address = "127.0.0.1:${toString view.port}";
    };
  };
}
