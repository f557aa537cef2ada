# Tracing switches on Prometheus' remote-write receiver, so Prometheus must listen
# on loopback; the demo VM (vm.nix) has it on 0.0.0.0 for QEMU's port forwards.
# expect: services.lookout.monitoring.tracing: services.prometheus.listenAddress is "0.0.0.0"
{
  services.lookout.monitoring.tracing.enable = true;
}
