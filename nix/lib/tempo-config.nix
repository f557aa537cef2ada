# Grafana Tempo's configuration for lookout: one single-binary Tempo (target
# `all`) on one address, receiving OTLP over HTTP, keeping traces in local
# storage under its state directory, and its metrics-generator turning spans
# into service-graph and span metrics that it remote-writes to Prometheus.
# The result is Tempo's config.yaml as an attrset (JSON is YAML), and fits
# `services.tempo.settings` in NixOS. Pure: builtins only.
#
# Every key is one of Tempo 2.10's configuration (its docs' manifest.md):
# Tempo refuses unknown keys at start-up.
#
# Arguments:
#   listenAddress  the address every Tempo listener binds, default "127.0.0.1":
#                  HTTP API, gRPC, the OTLP receiver and memberlist.
#   httpPort       Tempo's HTTP API (/api/traces/<id>, /ready, /metrics).
#   grpcPort       Tempo's gRPC server (its own components talk over it).
#   otlpHttpPort   the OTLP/HTTP receiver (POST /v1/traces).
#   memberlistPort memberlist gossip: Tempo always starts it, even alone.
#   stateDir       directory Tempo may write: WAL, blocks, generator WAL.
#   remoteWriteUrl Prometheus' remote-write receiver, e.g. "http://127.0.0.1:9090/api/v1/write".
#   retention      how long trace blocks are kept, default "168h".
{
  listenAddress ? "127.0.0.1",
  httpPort,
  grpcPort,
  otlpHttpPort,
  memberlistPort,
  stateDir,
  remoteWriteUrl,
  retention ? "168h",
}: let
  hostPort = port: "${listenAddress}:${toString port}";
in {
  server = {
    http_listen_address = listenAddress;
    http_listen_port = httpPort;
    grpc_listen_address = listenAddress;
    grpc_listen_port = grpcPort;
  };

  # Memberlist binds every interface unless told otherwise, and each ring takes
  # its instance address from eth0 or en0 by default (many hosts have neither,
  # and Tempo then fails to start): both are pinned to the one address.
  memberlist = {
    bind_addr = [listenAddress];
    bind_port = memberlistPort;
    advertise_addr = listenAddress;
    advertise_port = memberlistPort;
  };

  distributor = {
    ring.instance_addr = listenAddress;
    receivers.otlp.protocols.http.endpoint = hostPort otlpHttpPort;
  };

  ingester.lifecycler.address = listenAddress;

  compactor = {
    ring.instance_addr = listenAddress;
    compaction.block_retention = retention;
  };

  metrics_generator = {
    ring.instance_addr = listenAddress;
    storage = {
      path = "${stateDir}/generator/wal";
      remote_write = [
        {
          url = remoteWriteUrl;
          send_exemplars = true;
        }
      ];
    };
  };

  storage.trace = {
    backend = "local";
    wal.path = "${stateDir}/wal";
    local.path = "${stateDir}/blocks";
  };

  # The processors are switched on per tenant; single-tenant Tempo has only
  # the defaults. Service graphs give the edges (client -> server span pairs),
  # span metrics the RED of every span.
  overrides.defaults.metrics_generator.processors = ["service-graphs" "span-metrics"];

  # No reports to stats.grafana.org, as Grafana's own reporting is off.
  usage_report.reporting_enabled = false;
}
