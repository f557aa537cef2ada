# The demo VM of `nix run .#vm`: the whole lookout stack on one machine, with
# traffic so the dashboards show data at once. Host-side port forwards reach
# Grafana, Prometheus, Alertmanager, the alert receiver and both services at
# 127.0.0.1:<same port> on the host running the VM.
#
# QEMU's user-mode forwards arrive on the guest's network interface, never on
# its loopback, so in here those servers listen on every interface. The guest's
# only interface is QEMU's private user network, which only the host reaches,
# and the fault-control listeners stay on loopback whatever happens.
{
  config,
  pkgs,
  ...
}: let
  # Reachable through the forwards: bind all interfaces and open the firewall.
  public = {
    listenAddress = "0.0.0.0";
    openFirewall = true;
  };
  forwardedPorts = [
    config.services.grafana.settings.server.http_port
    config.services.prometheus.port
    config.services.prometheus.alertmanager.port
    config.services.lookout.alert-receiver.port
    config.services.lookout.user-service.port
    config.services.lookout.order-service.port
  ];
in {
  networking.hostName = "lookout";
  system.stateVersion = "26.05";

  services.lookout.user-service = public // {enable = true;};
  services.lookout.order-service = public // {enable = true;};
  services.lookout.alert-receiver = public // {enable = true;};
  services.lookout.traffic-generator.enable = true;

  services.lookout.monitoring = {
    enable = true;
    # A random admin password in /var/lib/lookout-grafana-secrets, printed on
    # the console at boot: never in the Nix store, never the same twice.
    grafana.generateSecrets = true;
    # Tempo on the guest's loopback, every service exporting to it, Grafana's
    # Tempo datasource and service map. Prometheus listens on every interface
    # for the forwards, so its remote-write receiver does too: the guest's one
    # interface is QEMU's user-mode network, which only the host reaches.
    tracing = {
      enable = true;
      remoteWriteOnNetwork = true;
    };
  };
  services.prometheus.listenAddress = "0.0.0.0";
  services.prometheus.alertmanager = {
    listenAddress = "0.0.0.0";
    openFirewall = true;
  };
  services.grafana = {
    settings.server.http_addr = "0.0.0.0";
    openFirewall = true;
  };
  # The Prometheus module has no openFirewall option.
  networking.firewall.allowedTCPPorts = [config.services.prometheus.port];

  environment.systemPackages = [
    pkgs.curl
    pkgs.jq
  ];

  # `nix flake check` evaluates this system as if it were installed: give it a
  # root file system and no boot loader. The VM build replaces both.
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
  };
  boot.loader.grub.enable = false;

  virtualisation.vmVariant = {
    virtualisation = {
      memorySize = 2048;
      cores = 2;
      diskSize = 4096;
      # The serial console in the terminal; quit QEMU with Ctrl-a x.
      graphics = false;
      forwardPorts =
        map (port: {
          from = "host";
          # Only the host's own loopback, not its network.
          host.address = "127.0.0.1";
          host.port = port;
          guest.port = port;
        })
        forwardedPorts;
    };
    # The console logs straight in as root, to run the fault-control curl.
    services.getty.autologinUser = "root";
  };
}
