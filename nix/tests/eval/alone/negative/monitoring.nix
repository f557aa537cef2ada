# nixosModules.monitoring alone with only enable = true: each option without a
# default is named by an assertion.
# expect: services.lookout.monitoring.grafana.adminPasswordFile is not set
# expect: services.lookout.monitoring.grafana.secretKeyFile is not set
# expect: services.lookout.monitoring.alertmanager.webhookUrl is null
{lib, ...}: {
  imports = [(import ../../support/flake-modules.nix lib).monitoring];

  services.lookout.monitoring.enable = true;
}
