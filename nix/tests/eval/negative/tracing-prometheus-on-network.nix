# Tracing switches on Prometheus' remote-write receiver, so Prometheus must listen
# on loopback unless the host says its network is trusted; the demo VM (vm.nix)
# has Prometheus on 0.0.0.0 for QEMU's port forwards and says so: here it doesn't.
# expect: services.lookout.monitoring.tracing: services.prometheus.listenAddress is "0.0.0.0"
{lib, ...}: {
  services.lookout.monitoring.tracing = {
    enable = true;
    remoteWriteOnNetwork = lib.mkForce false;
  };
}
