# A Nix path would copy the secret into the world-readable store: refused.
# expect: services.lookout.monitoring.grafana.adminPasswordFile' is not of type
{lib, ...}: {
  services.lookout.monitoring.grafana.adminPasswordFile = lib.mkForce ./negative-secret;
}
