# NixOS module for lookout's user-service: the exercise's user API with
# Prometheus metrics on the same port, run as a hardened systemd unit.
{
  config,
  lib,
  pkgs,
  utils,
  ...
}: let
  cfg = config.services.user-service;
  shared = import ./service-options.nix {inherit lib;};
  faultControl = import ./fault-control.nix {inherit lib pkgs utils;};
  hardening = import ./hardening.nix {
    allowedAddresses =
      if shared.isLoopback cfg.listenAddress
      then ["localhost"]
      else null;
  };
in {
  options.services.user-service =
    shared.mkOptions "user-service" "lookout's user-service (user API and its metrics)"
    // {
      faultControl = faultControl.mkOptions "user-service";

      simulatedLatency = lib.mkOption {
        type = lib.types.bool;
        default = true;
        description = "Whether to keep the exercise's simulated latency (GET /users 10-100 ms, POST /users 50-200 ms); turn it off for benchmarks.";
      };

      maxUsers = lib.mkOption {
        type = lib.types.ints.positive;
        default = 10000;
        description = "How many users the in-memory store holds; creating one more is refused with a JSON error.";
      };
    };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      systemd.services.user-service =
        shared.mkUnit "lookout user-service"
        // {
          serviceConfig =
            hardening
            // {
              ExecStart = utils.escapeSystemdExecArgs (
                [(lib.getExe cfg.package)]
                ++ shared.commonFlags cfg
                ++ faultControl.flags cfg.faultControl
                ++ [
                  "--simulated-latency"
                  (lib.boolToString cfg.simulatedLatency)
                  "--max-users"
                  (toString cfg.maxUsers)
                ]
                ++ cfg.extraFlags
              );
            };
        };

      networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [cfg.port];
    }
    (faultControl.mkInjectUnit "user-service" cfg.faultControl)
  ]);
}
