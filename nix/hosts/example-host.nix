# An example host running all of lookout, to copy into your own flake and deploy
# with `nixos-rebuild switch --flake .#<host>`. The flake adds lookout's modules
# (`nixosModules.default`) and its packages; this file only says what runs.
#
# Before the first switch, create the two Grafana secrets (root-only is fine,
# systemd hands them to Grafana as credentials):
#   install -d -m 0700 /var/lib/lookout-secrets
#   (umask 077; openssl rand -base64 18 > /var/lib/lookout-secrets/grafana-admin-password)
#   (umask 077; openssl rand -hex 32 > /var/lib/lookout-secrets/grafana-secret-key)
{...}: {
  networking.hostName = "lookout-example";
  system.stateVersion = "26.05";

  # Your machine: replace these with your hardware-configuration.nix.
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
  };
  fileSystems."/boot" = {
    device = "/dev/disk/by-label/boot";
    fsType = "vfat";
  };
  boot.loader.systemd-boot.enable = true;

  # The services, on loopback: only this host reaches them (and Prometheus scrapes them).
  services.lookout.user-service.enable = true;
  services.lookout.order-service.enable = true;
  services.lookout.alert-receiver.enable = true;

  services.lookout.monitoring = {
    enable = true;
    grafana = {
      adminPasswordFile = "/var/lib/lookout-secrets/grafana-admin-password";
      secretKeyFile = "/var/lib/lookout-secrets/grafana-secret-key";
    };
    # Notifications to chat as well as to the alert receiver (files read at runtime):
    # alertmanager.slackApiUrlFile = "/var/lib/lookout-secrets/slack-webhook-url";
    # Services running on other hosts, scraped under the same job names:
    # extraTargets.user-service = [ "app2.example.org:8001" ];
  };

  # Grafana is the one server meant to be reached from the network (put a
  # TLS-terminating reverse proxy in front of it in production).
  services.grafana = {
    settings.server.http_addr = "0.0.0.0";
    openFirewall = true;
  };
}
