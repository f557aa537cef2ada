# Thanos for lookout's HA pair (docs/ha-nixos.md): a sidecar beside each
# Prometheus replica serving its data, with its external labels, over gRPC;
# and on the host of the global view, Thanos Query over every sidecar,
# deduplicating on the replica label of nix/lib/ha-labels.nix (its HTTP API is
# Prometheus-compatible, Grafana gets it as datasource `global` through
# nix/lib/grafana-provisioning.nix). Option names of nixpkgs' services.thanos.
# Part of monitoring.nix.
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
  shared = import ./service-options.nix {inherit lib;};
  prom = config.services.prometheus;
  sidecar = ha.thanosSidecar;
  view = ha.globalView;
in {
  options.services.lookout.monitoring.ha = {
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
        defaultText = lib.literalMD "the `thanos-sidecar-grpc` entry of `nix/ports.json`";
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
        defaultText = lib.literalMD "the `thanos-query-http` entry of `nix/ports.json`";
        description = "Port of the query view's HTTP API (Prometheus-compatible), on loopback: Grafana on this host is its client.";
      };
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
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
        port = sidecar.grpcPort;
        protocols = ["tcp"];
        sources = lib.optionals sidecar.enable sidecar.clients;
      }
    ];

    services.thanos.sidecar = lib.mkIf sidecar.enable {
      enable = true;
      prometheus.url = "http://${shared.localHost prom.listenAddress}:${toString prom.port}";
      grpc-address = "${firewall.bracketed sidecar.address}:${toString sidecar.grpcPort}";
      # Its own metrics and health, on loopback.
      http-address = "127.0.0.1:${toString ports.thanos-sidecar-http}";
    };

    services.thanos.query = lib.mkIf view.enable {
      enable = true;
      inherit (view) endpoints;
      query.replica-labels = [haLabels.replica];
      # Only Grafana on this host queries it.
      grpc-address = "127.0.0.1:${toString ports.thanos-query-grpc}";
      http-address = "127.0.0.1:${toString view.port}";
    };
  };
}
