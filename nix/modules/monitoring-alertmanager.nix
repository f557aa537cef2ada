# Alertmanager for lookout's monitoring stack: the routing tree of
# nix/lib/alertmanager-config.nix, the alert receiver as default webhook, and
# optional Slack / Microsoft Teams receivers whose URLs stay in files read at
# runtime (never in the Nix store). Part of monitoring.nix.
{
  config,
  lib,
  ...
}: let
  cfg = config.services.lookout.monitoring;
  amCfg = cfg.alertmanager;
  ports = builtins.fromJSON (builtins.readFile ../ports.json);
  receiver = config.services.lookout.alert-receiver;

  # An absolute path as a string: a Nix path would copy the secret into the store.
  secretFile = lib.types.nullOr (lib.types.strMatching "/.+");

  # systemd copies each secret file into the unit's credentials directory, readable
  # by Alertmanager's dynamic user only, so the original can stay root-only (0400).
  credentials = lib.filterAttrs (_: file: file != null) {
    slack-api-url = amCfg.slackApiUrlFile;
    msteams-webhook-url = amCfg.msteamsWebhookUrlFile;
  };
  # monitoring-ha.nix: this peer's gossip address and the cluster's peers.
  gossip = cfg.ha.alertmanager;
  clusterArgs = lib.optionalAttrs (gossip.gossipAddress != null) {
    listenAddress = "${bracketed gossip.gossipAddress}:${toString gossip.gossipPort}";
    inherit (gossip) peers peerTimeout settleTimeout;
  };
  inherit (import ./monitoring-ha-firewall.nix {inherit lib;}) bracketed;

  credentialPath = name:
    if credentials ? ${name}
    then "/run/credentials/alertmanager.service/${name}"
    else null;
in {
  options.services.lookout.monitoring.alertmanager = {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Whether to run Alertmanager with lookout's routing tree and point Prometheus at it.";
    };

    webhookUrl = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default =
        if receiver.enable
        then receiver.webhookUrl
        else null;
      defaultText = lib.literalMD "the alert receiver's webhook URL when `services.lookout.alert-receiver` is enabled on this host";
      description = "Default webhook receiver (the lookout alert receiver, possibly on another host).";
    };

    slackApiUrlFile = lib.mkOption {
      type = secretFile;
      default = null;
      example = "/run/secrets/alertmanager-slack-url";
      description = "Absolute path of a file holding a Slack incoming-webhook URL, passed to Alertmanager as a systemd credential (the file may be root-only); null: no Slack.";
    };

    msteamsWebhookUrlFile = lib.mkOption {
      type = secretFile;
      default = null;
      example = "/run/secrets/alertmanager-teams-url";
      description = "Absolute path of a file holding a Microsoft Teams webhook URL, passed as a systemd credential; null: no Teams.";
    };

    configArgs = lib.mkOption {
      type = lib.types.attrs;
      default = {};
      example = {
        groupWait = "1s";
        repeatInterval = "1m";
      };
      description = "More arguments of nix/lib/alertmanager-config.nix, e.g. shorter timings for tests.";
    };
  };

  config = lib.mkIf (cfg.enable && amCfg.enable) {
    assertions = [
      {
        assertion = amCfg.webhookUrl != null;
        message = "services.lookout.monitoring.alertmanager.webhookUrl is null: enable services.lookout.alert-receiver on this host or give the receiver's URL.";
      }
    ];

    services.prometheus.alertmanager = {
      enable = true;
      listenAddress = lib.mkDefault "127.0.0.1";
      port = lib.mkDefault ports.alertmanager;
      configuration = import ../lib/alertmanager-config.nix (
        {
          slackApiUrlFile = credentialPath "slack-api-url";
          msteamsWebhookUrlFile = credentialPath "msteams-webhook-url";
          webhookUrl = toString amCfg.webhookUrl;
        }
        // amCfg.configArgs
      );
      # amtool runs in the build sandbox, where the secret files do not exist.
      checkConfig = lib.mkDefault (credentials == {});
      # A single Alertmanager needs no gossip cluster. Left on, it listens on
      # 0.0.0.0 and refuses to start on hosts without a private IP address
      # ("no private IP found", prometheus/alertmanager#1610): without a gossip
      # address the function turns clustering off. Peers go through these flags,
      # not `clusterPeers`, which appends the default gossip port to each peer.
      extraFlags = import ../lib/alertmanager-cluster-flags.nix clusterArgs;
    };

    systemd.services.alertmanager.serviceConfig.LoadCredential = lib.mkIf (credentials != {}) (
      lib.mapAttrsToList (name: file: "${name}:${file}") credentials
    );
  };
}
