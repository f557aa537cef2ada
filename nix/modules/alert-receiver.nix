# NixOS module for lookout's alert receiver: the Alertmanager webhook endpoint
# (POST /webhook) that logs, keeps and counts notifications, with the history
# appended to a JSON-lines file in its StateDirectory so a restart loses nothing.
{
  config,
  lib,
  utils,
  ...
}: let
  cfg = config.services.lookout.alert-receiver;
  shared = import ./service-options.nix {inherit lib;};
  hardening = import ./hardening.nix ({
      allowedAddresses =
        if shared.isLoopback cfg.listenAddress && shared.loopbackUrls [cfg.otlpEndpoint]
        then ["localhost"]
        else null;
    }
    // shared.clientAddressFamilies [cfg.otlpEndpoint]);

  # systemd creates /var/lib/<StateDirectory> owned by the dynamic user.
  stateDirectory = "alert-receiver";
  storeFile = "/var/lib/${stateDirectory}/notifications.jsonl";
in {
  imports = [(shared.renamedFrom "alert-receiver")];

  options.services.lookout.alert-receiver =
    shared.mkOptions "alert-receiver" "lookout's alert receiver (Alertmanager webhook target)"
    // {
      capacity = lib.mkOption {
        type = lib.types.ints.between 1 100000;
        default = 1000;
        description = "How many notifications GET /alerts keeps in memory (and reloads from the store file); the oldest is dropped first.";
      };

      persist = lib.mkOption {
        type = lib.types.bool;
        default = true;
        description = "Whether to append every notification to ${storeFile} and reload it at start-up.";
      };

      maxLabelValues = lib.mkOption {
        type = lib.types.ints.between 1 10000;
        default = 100;
        description = "Distinct alertname and receiver values the receiver's metrics keep; later ones are counted as `other` (bounded cardinality).";
      };

      webhookUrl = lib.mkOption {
        type = lib.types.str;
        readOnly = true;
        default = "http://${shared.localHost cfg.listenAddress}:${toString cfg.port}/webhook";
        defaultText = lib.literalMD "`http://<listenAddress>:<port>/webhook`";
        description = "URL Alertmanager on this host posts to (read-only; the monitoring module uses it).";
      };
    };

  config = lib.mkIf cfg.enable {
    systemd.services.alert-receiver =
      shared.mkUnit "lookout alert receiver"
      // {
        serviceConfig =
          hardening
          // shared.serverLimits
          // {
            ExecStart = utils.escapeSystemdExecArgs (
              [(lib.getExe cfg.package)]
              ++ shared.commonFlags cfg
              ++ [
                "--capacity"
                (toString cfg.capacity)
                "--max-label-values"
                (toString cfg.maxLabelValues)
              ]
              ++ lib.optionals cfg.persist [
                "--store-file"
                storeFile
              ]
              ++ shared.tracingFlags cfg
              ++ cfg.extraFlags
            );
            StateDirectory = stateDirectory;
            StateDirectoryMode = "0700";
          };
      };

    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [cfg.port];
  };
}
