# Scenario 1: the whole stack on one host, built from the flake's nixosModules
# only, with short scrape and evaluation intervals. It walks every promise of the
# stack: everything starts and is scraped, the exercise's requests answer as the
# exercise says, errors and latency become delivered alerts, a stopped service
# pages and resolves, Grafana is provisioned and locked, the units are
# sandboxed and listen on loopback, and the data survives restarts.
{
  self,
  lib,
  ...
}: let
  secrets = import ./grafana-secrets.nix;
  preamble = import ./preamble.nix;
in {
  name = "lookout-stack";

  nodes.machine = {pkgs, ...}: {
    imports = [self.nixosModules.default secrets.module];

    virtualisation.memorySize = 2048;

    services.lookout.user-service.enable = true;
    services.lookout.order-service.enable = true;
    services.lookout.alert-receiver.enable = true;
    services.lookout.monitoring = {
      enable = true;
      scrapeInterval = "2s";
      evaluationInterval = "2s";
      # Notifications without the production waits, so the test takes minutes.
      alertmanager.configArgs = {
        groupWait = "2s";
        groupInterval = "10s";
        criticalGroupInterval = "10s";
      };
      grafana = {
        adminPasswordFile = secrets.passwordFile;
        inherit (secrets) secretKeyFile;
      };
    };

    environment.systemPackages = [
      pkgs.jq
      # Steady requests to one URL, so rates and latency percentiles have data.
      (pkgs.writeShellApplication {
        name = "lookout-load";
        runtimeInputs = [pkgs.curl pkgs.coreutils];
        text = ''
          while true; do
            curl -s -o /dev/null "$1" || true
            sleep 0.1
          done
        '';
      })
    ];
  };

  # The script is stack.py, after the values it takes from the nodes' options
  # (stack-preamble.nix) and the shared helpers.
  # scripts.nix lists the files; `cargo xtask vm-lint` checks the same ones.
  testScript = {nodes, ...}: preamble.script (import ./scripts.nix).stack {inherit lib nodes;};
}
