# The values tracing.py gets from Nix (see preamble.nix): the ports from the
# node's options, the admin password's path, and the names the trace and the
# service graph are checked for.
{
  lib,
  nodes,
}: let
  inherit (import ./preamble.nix) str int strList;
  secrets = import ./grafana-secrets.nix;
  cfg = nodes.machine.services;
  tracing = cfg.lookout.monitoring.tracing;
  url = port: str "http://127.0.0.1:${toString port}";
in {
  order = url cfg.lookout.order-service.port;
  prometheus = url cfg.prometheus.port;
  grafana = url cfg.grafana.settings.server.http_port;
  tempo = url tracing.httpPort;
  password_file = str secrets.passwordFile;
  # Every port Tempo listens on, and Prometheus' (the remote-write receiver's).
  prometheus_port = int cfg.prometheus.port;
  tempo_http_port = int tracing.httpPort;
  tempo_grpc_port = int tracing.grpcPort;
  tempo_otlp_port = int tracing.otlpHttpPort;
  tempo_memberlist_port = int tracing.memberlistPort;
  # The units of the lookout services (nix/services.nix) enabled on the node;
  # their names are also their spans' service.name and their Prometheus job.
  service_units = strList (lib.filter (name: cfg.lookout.${name}.enable) (lib.attrNames (import ../services.nix)));
  # The metrics-generator's counters (Tempo's names): the service graph's edges
  # (labels client and server) and the span metrics' calls (label service).
  service_graph_metric = str "traces_service_graph_request_total";
  span_calls_metric = str "traces_spanmetrics_calls_total";
}
