# Distributed tracing for lookout's monitoring stack: nixpkgs' Grafana Tempo
# (services.tempo) on loopback with its OTLP/HTTP receiver, the lookout
# services enabled on this host pointed at it, and Tempo's metrics-generator
# (service graphs, span metrics) remote-writing into the local Prometheus, whose
# remote-write receiver is switched on for it. Tempo's configuration comes from
# nix/lib/tempo-config.nix; Grafana's Tempo datasource is added by
# monitoring-grafana.nix. Part of monitoring.nix.
{
  config,
  lib,
  options,
  ...
}: let
  cfg = config.services.lookout.monitoring;
  tCfg = cfg.tracing;
  ports = builtins.fromJSON (builtins.readFile ../ports.json);
  shared = import ./service-options.nix {inherit lib;};
  prom = config.services.prometheus;

  # Every Tempo listener binds here (nix/lib/tempo-config.nix pins them all).
  address = "127.0.0.1";
  port = name: description:
    lib.mkOption {
      type = lib.types.port;
      default = ports.${name};
      defaultText = lib.literalMD "the `${name}` entry of `nix/ports.json`";
      description = "Tempo's ${description}, on ${address}.";
    };

  # nixpkgs' Tempo unit runs with DynamicUser and StateDirectory=tempo: the only
  # place it may write. Written out, not read from the unit's serviceConfig: the
  # unit's ExecStart holds the config made from this, so reading it back would
  # make the module system evaluate the unit's attributes in a loop.
  stateDir = "/var/lib/tempo";

  # Milliseconds in a Go duration of the `retention` option's form ("1h30m").
  durationMs = duration: let
    unitMs = {
      ms = 1;
      s = 1000;
      m = 60 * 1000;
      h = 3600 * 1000;
    };
    # split keeps each match's two groups (digits, unit) as a list.
    parts = builtins.filter builtins.isList (builtins.split "([0-9]+)(ms|s|m|h)" duration);
  in
    builtins.foldl' (sum: part: sum + lib.toIntBase10 (builtins.elemAt part 0) * unitMs.${builtins.elemAt part 1}) 0 parts;

  # Tempo's storage.trace.blocklist_poll (its default, which tempo-config.nix
  # keeps): how often it lists its blocks. Tempo warns when blocks are deleted
  # sooner, as queriers may then read blocks that are gone.
  blocklistPoll = "5m";

  # The lookout services of nix/services.nix whose module is imported here (all
  # of them take --otlp-endpoint); the enabled ones send their spans to Tempo.
  tracedServices = builtins.filter (name: options.services.lookout ? ${name}) (builtins.attrNames (import ../services.nix));
in {
  options.services.lookout.monitoring.tracing = {
    enable = lib.mkEnableOption "distributed tracing: Grafana Tempo on loopback receiving OTLP/HTTP from the lookout services of this host, its service-graph and span metrics written to this host's Prometheus (remote-write receiver on, so Prometheus must listen on loopback), and a Tempo datasource in Grafana";

    otlpHttpPort = port "tempo-otlp-http" "OTLP/HTTP receiver (POST /v1/traces)";
    httpPort = port "tempo-http" "HTTP API (/api/traces/<id>, /ready, /metrics; Grafana's datasource)";
    grpcPort = port "tempo-grpc" "gRPC server (used by its own components)";
    memberlistPort = port "tempo-memberlist" "memberlist gossip (always started, even for one instance)";

    retention = lib.mkOption {
      type = lib.types.strMatching "([0-9]+(ms|s|m|h))+";
      default = "168h";
      example = "720h";
      description = "How long Tempo keeps trace blocks (a Go duration, at least ${blocklistPoll}: Tempo lists its blocks that often); disk use grows with it and the traffic.";
    };

    remoteWriteOnNetwork = lib.mkOption {
      type = lib.types.bool;
      default = false;
      example = true;
      description = "Allow Prometheus to listen on a non-loopback address although tracing switches its remote-write receiver on: every client that reaches Prometheus' port can then write samples (Prometheus has no per-endpoint access control). Only for a host whose network only trusted clients reach, such as the demo VM, whose one interface is QEMU's user-mode network behind the host's loopback.";
    };

    otlpEndpoint = lib.mkOption {
      type = lib.types.str;
      readOnly = true;
      default = "http://${address}:${toString tCfg.otlpHttpPort}";
      defaultText = lib.literalMD "`http://127.0.0.1:<otlpHttpPort>`";
      description = "Base URL of Tempo's OTLP/HTTP receiver (read-only): the default `otlpEndpoint` of the lookout services enabled here.";
    };
  };

  config = lib.mkIf (cfg.enable && tCfg.enable) {
    assertions = [
      {
        # 0 would delete every block as soon as it is written (Tempo's retention
        # cutoff is now minus retention).
        assertion = durationMs tCfg.retention >= durationMs blocklistPoll;
        message = "services.lookout.monitoring.tracing.retention is ${builtins.toJSON tCfg.retention}: Tempo lists its blocks every ${blocklistPoll} (storage.trace.blocklist_poll) and a shorter retention lets queries read blocks already deleted: give ${blocklistPoll} or more.";
      }
      {
        # The receiver accepts samples from any client that reaches Prometheus'
        # port, and Prometheus has no per-endpoint access control.
        assertion = tCfg.remoteWriteOnNetwork || shared.isLoopback prom.listenAddress;
        message = "services.lookout.monitoring.tracing: services.prometheus.listenAddress is ${builtins.toJSON prom.listenAddress}; tracing switches on Prometheus' remote-write receiver, which must be reachable on loopback only: give Prometheus a loopback address (127.0.0.1 or ::1), or set services.lookout.monitoring.tracing.remoteWriteOnNetwork if only trusted clients reach that address.";
      }
    ];

    services.tempo = {
      enable = true;
      settings = import ../lib/tempo-config.nix {
        listenAddress = address;
        inherit (tCfg) httpPort grpcPort otlpHttpPort memberlistPort retention;
        inherit stateDir;
        remoteWriteUrl = "http://${shared.localHost prom.listenAddress}:${toString prom.port}/api/v1/write";
      };
    };

    # What nixpkgs' Tempo unit lacks: only loopback peers, and the sandbox
    # nixpkgs gives its Prometheus unit (another Go server that writes only its
    # state directory), which Tempo needs no more than Prometheus does.
    # AF_NETLINK: Go lists the network interfaces through it.
    systemd.services.tempo.serviceConfig = {
      IPAddressDeny = "any";
      IPAddressAllow = ["localhost"];
      CapabilityBoundingSet = [""];
      LockPersonality = true;
      MemoryDenyWriteExecute = true;
      PrivateDevices = true;
      PrivateTmp = true;
      PrivateUsers = true;
      ProtectClock = true;
      ProtectControlGroups = true;
      ProtectHome = true;
      ProtectHostname = true;
      ProtectKernelLogs = true;
      ProtectKernelModules = true;
      ProtectKernelTunables = true;
      ProtectProc = "invisible";
      RemoveIPC = true;
      RestrictAddressFamilies = ["AF_INET" "AF_INET6" "AF_UNIX" "AF_NETLINK"];
      RestrictNamespaces = true;
      RestrictRealtime = true;
      RestrictSUIDSGID = true;
      SystemCallArchitectures = "native";
      SystemCallFilter = ["@system-service" "~@privileged"];
    };

    services.prometheus.extraFlags = ["--web.enable-remote-write-receiver"];

    # mkDefault: a service may still send elsewhere (or nowhere, with null).
    services.lookout = lib.genAttrs tracedServices (_: {
      otlpEndpoint = lib.mkDefault tCfg.otlpEndpoint;
    });
  };
}
