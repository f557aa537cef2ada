# Tempo deletes blocks older than the retention and lists its blocks every 5m:
# a shorter retention (0 above all) loses traces queries still look for.
# expect: services.lookout.monitoring.tracing.retention is "4m59s"
{lib, ...}: {
  services.prometheus.listenAddress = lib.mkForce "127.0.0.1";
  services.lookout.monitoring.tracing = {
    enable = true;
    retention = "4m59s";
  };
}
