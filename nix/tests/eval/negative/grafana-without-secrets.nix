# Grafana's admin password and secret key must come from files.
# expect: services.lookout.monitoring.grafana.adminPasswordFile is not set
{lib, ...}: {
  services.lookout.monitoring.grafana.generateSecrets = lib.mkForce false;
}
