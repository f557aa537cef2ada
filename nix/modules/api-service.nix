# The NixOS module shape the two API services share (user-service and
# order-service): the common service options, fault control, the exercise's
# simulated latency and the bound of the in-memory store, run as a hardened
# systemd unit. Each service's own module file calls this with its names.
{
  # Service and unit name; the options are `services.lookout.<name>`.
  name,
  # What the service is, for `enable`'s description.
  description,
  # The exercise's simulated latency of this service, for the option's description.
  latency,
  # The store bound: option name, command-line flag and what it counts.
  storeOption,
  storeFlag,
  storeNoun,
}: {
  config,
  lib,
  pkgs,
  utils,
  ...
}: let
  cfg = config.services.lookout.${name};
  shared = import ./service-options.nix {inherit lib;};
  faultControl = import ./fault-control.nix {inherit lib pkgs utils;};
  hardening = import ./hardening.nix {
    allowedAddresses =
      if shared.isLoopback cfg.listenAddress
      then ["localhost"]
      else null;
  };
in {
  imports = [(shared.renamedFrom name)];

  options.services.lookout.${name} =
    shared.mkOptions name description
    // {
      faultControl = faultControl.mkOptions name;

      simulatedLatency = lib.mkOption {
        type = lib.types.bool;
        default = true;
        description = "Whether to keep the exercise's simulated latency (${latency}); turn it off for benchmarks.";
      };

      ${storeOption} = lib.mkOption {
        type = lib.types.ints.positive;
        default = 10000;
        description = "How many ${storeNoun} the in-memory store holds; creating one more is refused with a JSON error.";
      };
    };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      systemd.services.${name} =
        shared.mkUnit "lookout ${name}"
        // {
          serviceConfig =
            hardening
            // shared.serverLimits
            // {
              ExecStart = utils.escapeSystemdExecArgs (
                [(lib.getExe cfg.package)]
                ++ shared.commonFlags cfg
                ++ faultControl.flags cfg.faultControl
                ++ [
                  "--simulated-latency"
                  (lib.boolToString cfg.simulatedLatency)
                  storeFlag
                  (toString cfg.${storeOption})
                ]
                ++ cfg.extraFlags
              );
            };
        };

      networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [cfg.port];
    }
    (faultControl.mkInjectUnit name cfg.faultControl)
  ]);
}
