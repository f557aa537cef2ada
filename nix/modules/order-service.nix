# NixOS module for lookout's order-service: the exercise's order API with
# Prometheus metrics on the same port, run as a hardened systemd unit.
{
  config,
  lib,
  pkgs,
  utils,
  ...
}: let
  cfg = config.services.order-service;
  shared = import ./service-options.nix {inherit lib;};
  faultControl = import ./fault-control.nix {inherit lib pkgs utils;};
  hardening = import ./hardening.nix {
    allowedAddresses =
      if shared.isLoopback cfg.listenAddress
      then ["localhost"]
      else null;
  };
in {
  options.services.order-service =
    shared.mkOptions "order-service" "lookout's order-service (order API and its metrics)"
    // {
      faultControl = faultControl.mkOptions "order-service";

      simulatedLatency = lib.mkOption {
        type = lib.types.bool;
        default = true;
        description = "Whether to keep the exercise's simulated latency (GET /orders 0-100 ms); turn it off for benchmarks.";
      };

      maxOrders = lib.mkOption {
        type = lib.types.ints.positive;
        default = 10000;
        description = "How many orders the in-memory store holds; creating one more is refused with a JSON error.";
      };
    };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      systemd.services.order-service =
        shared.mkUnit "lookout order-service"
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
                  "--max-orders"
                  (toString cfg.maxOrders)
                ]
                ++ cfg.extraFlags
              );
            };
        };

      networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [cfg.port];
    }
    (faultControl.mkInjectUnit "order-service" cfg.faultControl)
  ]);
}
