# The one place lookout's well-known ports are written down. The NixOS modules use
# these as option defaults, the Rust binaries read this file at compile time for
# their default ports, and the local stack runner binds them. Tests use free ports.
{
  user-service = 8001;
  order-service = 8002;
  # Fault-control listeners: bound to loopback only, never the public port.
  user-service-admin = 8011;
  order-service-admin = 8012;
  alert-receiver = 5001;
  prometheus = 9090;
  alertmanager = 9093;
  # Gossip between the peers of an Alertmanager cluster (TCP and UDP).
  alertmanager-gossip = 9094;
  grafana = 3000;
  node-exporter = 9100;
  # Thanos: a sidecar beside each Prometheus replica (StoreAPI over gRPC, and
  # its own HTTP for metrics) and the query view that merges the replicas.
  thanos-sidecar-grpc = 10901;
  thanos-sidecar-http = 10902;
  thanos-query-grpc = 10903;
  thanos-query-http = 10904;
}
