# The fault-control listener of user-service and order-service: its options, its
# flags, and an optional one-shot unit that switches faults on at boot (so a
# host or the demo VM can be told declaratively to misbehave). The listener
# only ever binds loopback: the binaries refuse anything else, so the option
# type does too.
#
# Arguments:
#   lib, pkgs, utils the module arguments of the importing module.
{
  lib,
  pkgs,
  utils,
}: let
  ports = builtins.fromJSON (builtins.readFile ../ports.json);
in {
  # The `faultControl` options of the service `name` (its admin port default is
  # the `<name>-admin` entry of nix/ports.json).
  mkOptions = name: {
    listenAddress = lib.mkOption {
      type = lib.types.enum [
        "127.0.0.1"
        "::1"
      ];
      default = "127.0.0.1";
      description = "Loopback address of the fault-control listener (PUT/GET/DELETE /faults); it is never reachable from the network.";
    };

    port = lib.mkOption {
      type = lib.types.port;
      default = ports."${name}-admin";
      defaultText = lib.literalMD "the `${name}-admin` entry of `nix/ports.json`";
      description = "TCP port of the fault-control listener.";
    };

    inject = lib.mkOption {
      type = lib.types.nullOr (lib.types.submodule {
        options = {
          errorRatio = lib.mkOption {
            type = lib.types.numbers.between 0 1;
            default = 0;
            description = "Share of business requests answered with a 500.";
          };
          latencyMs = lib.mkOption {
            type = lib.types.ints.between 0 60000;
            default = 0;
            description = "Extra latency added to every business request, in milliseconds.";
          };
        };
      });
      default = null;
      example = {errorRatio = 0.5;};
      description = "Faults switched on each time the service starts (null: none). Faults live in memory, so this is how a host keeps them across restarts.";
    };
  };

  # Flags for the service binary.
  flags = fc: [
    "--admin-listen-address"
    fc.listenAddress
    "--admin-port"
    (toString fc.port)
  ];

  # NixOS config: a `<name>-faults` one-shot unit that PUTs `inject` to the
  # listener whenever the service starts, or nothing when `inject` is null.
  mkInjectUnit = name: fc: let
    host =
      if fc.listenAddress == "::1"
      then "[::1]"
      else fc.listenAddress;
    body = builtins.toJSON {
      error_ratio = fc.inject.errorRatio;
      latency_ms = fc.inject.latencyMs;
    };
  in
    lib.mkIf (fc.inject != null) {
      systemd.services."${name}-faults" = {
        description = "Switch on the configured faults of ${name}";
        # Started with the service and again on each restart of it, since a
        # restart forgets the faults.
        wantedBy = ["${name}.service"];
        partOf = ["${name}.service"];
        after = ["${name}.service"];
        serviceConfig =
          import ./hardening.nix {allowedAddresses = ["localhost"];}
          // {
            Type = "oneshot";
            RemainAfterExit = true;
            Restart = "no";
            # The listener may not be bound yet when the unit starts: retry.
            ExecStart = utils.escapeSystemdExecArgs [
              "${pkgs.curl}/bin/curl"
              "--silent"
              "--show-error"
              "--fail"
              "--retry"
              "30"
              "--retry-connrefused"
              "--retry-delay"
              "1"
              "--request"
              "PUT"
              "--header"
              "Content-Type: application/json"
              "--data"
              body
              "http://${host}:${toString fc.port}/faults"
            ];
          };
      };
    };
}
