# High availability options of lookout's monitoring stack (docs/ha-nixos.md):
# this Prometheus as one replica of a pair (replica and cluster external
# labels, the replica label dropped from the alerts it sends), the Alertmanager
# peers it sends to, and this host's Alertmanager as a peer of a gossip cluster
# (Thanos: monitoring-ha-thanos.nix). The Prometheus and Alertmanager parts are
# rendered by the pure functions of nix/lib in monitoring.nix and
# monitoring-alertmanager.nix; the firewall openings are set here. With none
# of these options set, the configuration is the single-host one. Part of
# monitoring.nix.
{
  config,
  lib,
  ...
}: let
  cfg = config.services.lookout.monitoring;
  ha = cfg.ha;
  ports = builtins.fromJSON (builtins.readFile ../ports.json);
  haLabels = import ../lib/ha-labels.nix;
  firewall = import ./monitoring-ha-firewall.nix {inherit lib;};
  inherit (firewall.types) hostPort bindAddress addresses;
  gossip = ha.alertmanager;
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
        defaultText = lib.literalMD "the `alertmanager-gossip` entry of `nix/ports.json`";
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
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = gossip.peers == [] || gossip.gossipAddress != null;
        message = "services.lookout.monitoring.ha.alertmanager.peers is set but gossipAddress is null: give this host's network address to gossip on.";
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
    ];
  };
}
