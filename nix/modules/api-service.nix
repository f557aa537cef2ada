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
  # The lookout services this one calls: option name -> { service; flag; use; },
  # `use` completing "Base URL of <service>, which <name> calls ...".
  peers ? {},
}: {
  config,
  lib,
  options,
  pkgs,
  utils,
  ...
}: let
  cfg = config.services.lookout.${name};
  shared = import ./service-options.nix {inherit lib;};
  ports = builtins.fromJSON (builtins.readFile ../ports.json);
  faultControl = import ./fault-control.nix {inherit lib pkgs utils;};
  outboundUrls = map (option: cfg.${option}) (builtins.attrNames peers) ++ [cfg.otlpEndpoint];
  hardening = import ./hardening.nix ({
      # Only localhost while it listens on loopback and everything it calls (its
      # peers, the span collector) is on this host.
      allowedAddresses =
        if shared.isLoopback cfg.listenAddress && shared.loopbackUrls outboundUrls
        then ["localhost"]
        else null;
    }
    // shared.clientAddressFamilies outboundUrls);

  # A peer's URL on this host: where its module is imported (its options exist,
  # so this module also evaluates alone) and it is enabled.
  localPeerUrl = service:
    if options.services.lookout ? ${service} && config.services.lookout.${service}.enable
    then shared.serviceUrl config.services.lookout.${service}
    else null;
  peerOption = peer:
    lib.mkOption {
      type = lib.types.nullOr shared.httpUrl;
      default = localPeerUrl peer.service;
      defaultText = lib.literalMD "${peer.service}'s address and port where its module is imported on this host and it is enabled, else null";
      example = "http://app.example.org:${toString ports.${peer.service}}";
      description = "Base URL of ${peer.service}, which ${name} calls ${peer.use} (`${peer.flag}`). Null: no call.";
    };
  peerFlags = lib.concatLists (lib.mapAttrsToList (option: peer:
    lib.optionals (cfg.${option} != null) [peer.flag cfg.${option}])
  peers);
  # Started after the local peers it calls, so its first requests find them.
  peerUnits = lib.concatLists (lib.mapAttrsToList (option: peer:
    lib.optional (cfg.${option} != null) "${peer.service}.service")
  peers);
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
    }
    // builtins.mapAttrs (_: peerOption) peers;

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      systemd.services.${name} =
        shared.mkUnit "lookout ${name}"
        // {
          after = ["network-online.target"] ++ peerUnits;
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
                ++ peerFlags
                ++ shared.tracingFlags cfg
                ++ cfg.extraFlags
              );
            };
        };

      networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [cfg.port];
    }
    (faultControl.mkInjectUnit name cfg.faultControl)
  ]);
}
