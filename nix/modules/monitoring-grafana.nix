# Grafana for lookout's monitoring stack: the Prometheus datasource (uid
# `prometheus`), with tracing the Tempo datasource (uid `tempo`), and the
# repository's dashboards, provisioned through
# nix/lib/grafana-provisioning.nix; the admin password and the secret key only
# from files (passed as systemd credentials, never through the Nix store);
# anonymous access and phoning home off. Part of monitoring.nix.
{
  config,
  lib,
  pkgs,
  ...
}: let
  cfg = config.services.lookout.monitoring;
  gCfg = cfg.grafana;
  ports = builtins.fromJSON (builtins.readFile ../ports.json);
  shared = import ./service-options.nix {inherit lib;};
  prom = config.services.prometheus;

  secretFile = lib.types.nullOr (lib.types.strMatching "/.+");
  generatedDir = "/var/lib/lookout-grafana-secrets";
  credential = name: "$__file{/run/credentials/grafana.service/${name}}";

  provisioning = import ../lib/grafana-provisioning.nix {
    prometheusUrl = "http://${shared.localHost prom.listenAddress}:${toString prom.port}";
    dashboardsPath = gCfg.dashboards;
    inherit (cfg) scrapeInterval;
    globalViewUrl =
      if cfg.ha.globalView.enable
      then "http://127.0.0.1:${toString cfg.ha.globalView.port}"
      else null;
    tempoUrl =
      if cfg.tracing.enable
      then "http://127.0.0.1:${toString cfg.tracing.httpPort}"
      else null;
  };
in {
  options.services.lookout.monitoring.grafana = {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Whether to run Grafana with the Prometheus datasource and lookout's dashboards.";
    };

    adminPasswordFile = lib.mkOption {
      type = secretFile;
      default =
        if gCfg.generateSecrets
        then "${generatedDir}/admin-password"
        else null;
      defaultText = lib.literalMD "null, or a generated file when `generateSecrets` is on";
      example = "/run/secrets/grafana-admin-password";
      description = "Absolute path of the file holding the password of Grafana's `admin` user (applied when Grafana creates its database); passed as a systemd credential, so it may be root-only.";
    };

    secretKeyFile = lib.mkOption {
      type = secretFile;
      default =
        if gCfg.generateSecrets
        then "${generatedDir}/secret-key"
        else null;
      defaultText = lib.literalMD "null, or a generated file when `generateSecrets` is on";
      example = "/run/secrets/grafana-secret-key";
      description = "Absolute path of the file holding Grafana's secret key (signs stored datasource secrets; e.g. `openssl rand -hex 32`).";
    };

    generateSecrets = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Whether to create a random admin password and secret key at first boot in ${generatedDir} (root-only) and print the password on the console; for demos and tests.";
    };

    dashboards = lib.mkOption {
      type = lib.types.path;
      default = ../../dashboards;
      defaultText = lib.literalMD "the `dashboards/` directory of the lookout repository";
      description = "Directory of dashboard JSON files Grafana provisions (read-only in the UI).";
    };
  };

  config = lib.mkIf (cfg.enable && gCfg.enable) (lib.mkMerge [
    {
      assertions = [
        {
          assertion = gCfg.adminPasswordFile != null;
          message = "services.lookout.monitoring.grafana.adminPasswordFile is not set: Grafana's admin password must come from a file (or set generateSecrets = true).";
        }
        {
          assertion = gCfg.secretKeyFile != null;
          message = "services.lookout.monitoring.grafana.secretKeyFile is not set: Grafana's secret key must come from a file (or set generateSecrets = true).";
        }
      ];

      services.grafana = {
        enable = true;
        settings = {
          server.http_port = lib.mkDefault ports.grafana;
          security = {
            admin_user = lib.mkDefault "admin";
            admin_password = credential "admin-password";
            secret_key = credential "secret-key";
            # No requests to gravatar.com from the browsers of people on the dashboards.
            disable_gravatar = true;
          };
          "auth.anonymous".enabled = false;
          users.allow_sign_up = false;
          analytics = {
            reporting_enabled = false;
            check_for_updates = false;
            check_for_plugin_updates = false;
            feedback_links_enabled = false;
          };
        };
        provision = {
          enable = true;
          datasources.settings = provisioning.datasources;
          dashboards.settings = provisioning.dashboards;
        };
      };

      systemd.services.grafana.serviceConfig.LoadCredential =
        lib.optional (gCfg.adminPasswordFile != null) "admin-password:${gCfg.adminPasswordFile}"
        ++ lib.optional (gCfg.secretKeyFile != null) "secret-key:${gCfg.secretKeyFile}";
    }

    (lib.mkIf gCfg.generateSecrets {
      systemd.services.grafana-secrets = {
        description = "Create Grafana's admin password and secret key on first boot";
        wantedBy = ["grafana.service"];
        requiredBy = ["grafana.service"];
        before = ["grafana.service"];
        path = [pkgs.coreutils];
        # Generated once: Grafana applies the admin password only when it creates
        # its database, so the file must outlive reboots like the database does.
        script = ''
          for name in admin-password secret-key; do
            if [ ! -s "${generatedDir}/$name" ]; then
              head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24 > "${generatedDir}/$name"
            fi
          done
          echo "lookout: Grafana login admin / $(cat ${generatedDir}/admin-password) (from ${generatedDir}/admin-password)"
        '';
        serviceConfig = {
          Type = "oneshot";
          RemainAfterExit = true;
          StateDirectory = baseNameOf generatedDir;
          StateDirectoryMode = "0700";
          UMask = "0077";
          StandardOutput = "journal+console";
          PrivateNetwork = true;
          PrivateTmp = true;
          ProtectSystem = "strict";
          ProtectHome = true;
          NoNewPrivileges = true;
        };
      };
    })
  ]);
}
