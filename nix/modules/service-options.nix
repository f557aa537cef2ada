# What every lookout service module has in common: the options of the shared
# command line (listen address, port, logging) and the flags they become. The
# binaries' shared flags come from one Rust crate (service-runtime), so the
# module side is one file too.
#
# Arguments:
#   lib the nixpkgs lib of the module that imports this file.
{lib}: let
  ports = builtins.fromJSON (builtins.readFile ../ports.json);

  # Whether an address only reaches this host: such services get IPAddressDeny=any
  # with loopback allowed, a second fence behind the bind address.
  isLoopback = address: address == "::1" || lib.hasPrefix "127." address;

  # How a client on this host reaches a service listening on `address`, as the host
  # part of a URL or a Prometheus target: wildcard binds are reached on loopback,
  # IPv6 addresses get brackets. (Alertmanager's "" means all interfaces.)
  localHost = address:
    if address == "0.0.0.0" || address == ""
    then "127.0.0.1"
    else if address == "::"
    then "[::1]"
    else if lib.hasInfix ":" address
    then "[${address}]"
    else address;

  # http only: reqwest is built without TLS, and the binaries refuse https:// URLs
  # (exit 2); refusing them here makes the mistake an evaluation error instead.
  httpUrl = lib.types.strMatching "http://.+";

  # Whether a URL names this host: localhost, [::1] or 127.x (brackets kept for IPv6).
  loopbackUrl = url: let
    host = builtins.head (builtins.match "https?://(\\[[^]]*]|[^/:]*).*" url);
  in
    host == "localhost" || host == "[::1]" || isLoopback host;
in {
  # Options `enable`, `package`, `listenAddress`, `port`, `openFirewall`,
  # `logLevel` and `extraFlags` for the service `name`, whose default port is the
  # `name` entry of nix/ports.json. `summary` completes "Whether to enable ...".
  mkOptions = name: summary: {
    enable = lib.mkEnableOption summary;

    package = lib.mkOption {
      type = lib.types.package;
      defaultText = lib.literalMD "this flake's `${name}` package";
      description = "The ${name} package to run (its main program is started).";
    };

    listenAddress = lib.mkOption {
      type = lib.types.str;
      default = "127.0.0.1";
      example = "0.0.0.0";
      description = "IP address the API and /metrics listen on (an address, not a host name); loopback keeps the service private to this host.";
    };

    port = lib.mkOption {
      type = lib.types.port;
      default = ports.${name};
      defaultText = lib.literalMD "the `${name}` entry of `nix/ports.json`";
      description = "TCP port of the API and /metrics.";
    };

    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Whether to open `port` in the firewall (useful only with a non-loopback `listenAddress`).";
    };

    logLevel = lib.mkOption {
      type = lib.types.str;
      default = "info";
      example = "info,${builtins.replaceStrings ["-"] ["_"] name}=debug";
      description = "Log filter: a level or a tracing EnvFilter directive; requests are logged one line each at debug.";
    };

    extraFlags = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [];
      example = ["--log-level" "debug"];
      description = "Extra command-line flags appended after the ones the module sets.";
    };

    otlpEndpoint = lib.mkOption {
      type = lib.types.nullOr httpUrl;
      default = null;
      defaultText = lib.literalMD "null; Tempo's OTLP receiver on this host when `services.lookout.monitoring.tracing.enable` is on";
      example = "http://127.0.0.1:${toString ports.tempo-otlp-http}";
      description = "Base URL of an OTLP/HTTP collector (Tempo, Jaeger, an OpenTelemetry Collector): spans are POSTed to `<URL>/v1/traces` (`--otlp-endpoint`). Null: no traces are exported.";
    };

    traceSampleRatio = lib.mkOption {
      type = lib.types.numbers.between 0 1;
      default = 1;
      example = 0.01;
      description = "Share of new traces this service samples (`--trace-sample-ratio`), parent-based: a request that arrives with a sampled `traceparent` is always traced. Used with `otlpEndpoint` only.";
    };
  };

  # The tracing flags for a service's evaluated config: none without a collector.
  # toJSON, not toString: toString writes 6 decimals, so 1e-7 would become 0.
  tracingFlags = cfg:
    lib.optionals (cfg.otlpEndpoint != null) [
      "--otlp-endpoint"
      cfg.otlpEndpoint
      "--trace-sample-ratio"
      (builtins.toJSON cfg.traceSampleRatio)
    ];

  # The type of the services' outbound base URLs.
  inherit httpUrl;

  # The URL clients on this host use for a lookout service's evaluated config.
  serviceUrl = service: "http://${localHost service.listenAddress}:${toString service.port}";

  # Whether every URL a unit calls (nulls are skipped) is on this host, so the
  # unit can keep IPAddressDeny=any with only localhost allowed.
  loopbackUrls = urls: builtins.all loopbackUrl (builtins.filter (url: url != null) urls);

  # hardening.nix's socket families for a unit that calls these URLs (nulls are
  # skipped): AF_UNIX as well once it calls any, so glibc can ask nscd or
  # systemd-resolved when a URL names a host (as the traffic generator does).
  # Without any, hardening.nix's default stays.
  clientAddressFamilies = urls:
    lib.optionalAttrs (builtins.any (url: url != null) urls) {
      addressFamilies = ["AF_INET" "AF_INET6" "AF_UNIX"];
    };

  # The shared flags for a service's evaluated config. Logs go to the journal as
  # JSON, one object per line, so journalctl -o json and log shippers keep the fields.
  commonFlags = cfg: [
    "--listen-address"
    cfg.listenAddress
    "--port"
    (toString cfg.port)
    "--log-level"
    cfg.logLevel
    "--log-format"
    "json"
  ];

  inherit isLoopback localHost;

  # The [Service] settings of every unit that serves HTTP. The binaries cap their
  # connections (--max-connections, default 512, plus 16 on a fault-control port)
  # well below LimitNOFILE, so clients cannot exhaust descriptors; TimeoutStopSec
  # leaves room beyond the binaries' drain timeout (--drain-timeout, default 10s)
  # plus the flush of the last spans (at most 5s, with tracing on), after which
  # they exit 0 whatever clients do, so a stop never ends in SIGKILL.
  # service-runtime's unit tests read these two lines and check both margins.
  serverLimits = {
    LimitNOFILE = 4096;
    TimeoutStopSec = "20s";
  };

  # The module that keeps the option path `services.<name>` of releases before
  # `services.lookout.<name>` working: nixpkgs' mkRenamedOptionModule declares
  # the old path as an invisible alias whose definitions go to the new one, and
  # adds a warning (not an error) naming the file that still uses it.
  renamedFrom = name: lib.mkRenamedOptionModule ["services" name] ["services" "lookout" name];

  # The unit fields every lookout service shares, around its ExecStart.
  mkUnit = description: {
    inherit description;
    wantedBy = ["multi-user.target"];
    # A non-loopback listenAddress must exist before the service binds it.
    wants = ["network-online.target"];
    after = ["network-online.target"];
  };
}
