# nixosModules.monitoring imported alone (it brings the service modules' options
# along, enabling none): enable, plus the options without a default, each of
# which an assertion names when it is missing (negative/monitoring.nix).
{lib, ...}: let
  ports = builtins.fromJSON (builtins.readFile ../../../ports.json);
in {
  imports = [(import ../support/flake-modules.nix lib).monitoring];

  services.lookout.monitoring = {
    enable = true;
    grafana.adminPasswordFile = "/var/lib/lookout-secrets/grafana-admin-password";
    grafana.secretKeyFile = "/var/lib/lookout-secrets/grafana-secret-key";
    # No alert receiver on this host: Alertmanager posts to one elsewhere.
    alertmanager.webhookUrl = "http://alerts.example.org:${toString ports.alert-receiver}/webhook";
  };
}
