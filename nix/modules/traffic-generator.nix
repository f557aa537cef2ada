# NixOS module for lookout's traffic generator: replays the exercise's curl
# sequence (reads, 404s, 500s, creates) against user-service and order-service
# at a steady rate, so dashboards have data and alerts can be provoked by
# raising `errorShare`. It serves nothing, so it has no port.
{
  config,
  lib,
  options,
  utils,
  ...
}: let
  cfg = config.services.lookout.traffic-generator;
  shared = import ./service-options.nix {inherit lib;};
  ports = builtins.fromJSON (builtins.readFile ../ports.json);

  # The URL of a lookout service on this host, or null where that service's
  # module is not imported (the generator alone, aimed at another host): its
  # options do not exist there, so they cannot give a default.
  localUrl = name:
    if options.services.lookout ? ${name}
    then shared.serviceUrl config.services.lookout.${name}
    else null;
  urlOptions = ["userServiceUrl" "orderServiceUrl"];
  missingUrls = builtins.filter (option: cfg.${option} == null) urlOptions;

  hardening = import ./hardening.nix {
    # Only localhost while every URL it calls (the services, the span collector)
    # is on this host. A missing URL fails the assertion below anyway.
    allowedAddresses =
      if shared.loopbackUrls (map (option: cfg.${option}) urlOptions ++ [cfg.otlpEndpoint])
      then ["localhost"]
      else null;
    # AF_UNIX lets glibc ask nscd or systemd-resolved when a URL names a host.
    addressFamilies = ["AF_INET" "AF_INET6" "AF_UNIX"];
  };

  share = description:
    lib.mkOption {
      type = lib.types.numbers.between 0 1;
      inherit description;
    };
in {
  imports = [(shared.renamedFrom "traffic-generator")];

  options.services.lookout.traffic-generator =
    builtins.removeAttrs
    (shared.mkOptions "traffic-generator" "lookout's traffic generator (steady demo traffic to both services)")
    ["listenAddress" "port" "openFirewall"]
    // {
      userServiceUrl = lib.mkOption {
        type = lib.types.nullOr (lib.types.strMatching "http://.+");
        default = localUrl "user-service";
        defaultText = lib.literalMD "user-service's address and port on this host where its module is imported, else null (then it must be set)";
        example = "http://app.example.org:${toString ports.user-service}";
        description = "Base URL of user-service; required when user-service's module is not imported on this host.";
      };

      orderServiceUrl = lib.mkOption {
        type = lib.types.nullOr (lib.types.strMatching "http://.+");
        default = localUrl "order-service";
        defaultText = lib.literalMD "order-service's address and port on this host where its module is imported, else null (then it must be set)";
        example = "http://app.example.org:${toString ports.order-service}";
        description = "Base URL of order-service; required when order-service's module is not imported on this host.";
      };

      rate = lib.mkOption {
        type = lib.types.numbers.between 0.01 10000;
        default = 10;
        description = "Requests per second, over both services.";
      };

      # Quiet by default under lookout's own alerts: a 5xx share of r burns the
      # 99.9% error budget at r / 0.001 times the sustainable rate, and
      # ErrorBudgetBurnSlow fires from 6 (0.006), ErrorBudgetBurnFast from 14.4,
      # HighErrorRate above 0.05. 0.004 keeps some 500s on the dashboard only.
      errorShare = share "Share of requests to the simulated server error (GET /users/500, GET /orders/500 -> 500); from 0.006 the error-budget burn alerts fire, above 0.05 HighErrorRate." // {default = 0.004;};
      notFoundShare = share "Share of requests for missing ids (GET /users/999, GET /orders/999 -> 404)." // {default = 0.1;};
      createShare = share "Share of creates (POST /users, POST /orders -> 201); the rest are GET /users and GET /orders." // {default = 0.05;};

      concurrency = lib.mkOption {
        type = lib.types.ints.between 1 256;
        default = 32;
        description = "Most requests in flight at once; a slot that finds them all busy is skipped, so a slow service never piles requests up.";
      };
    };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = missingUrls == [];
        message = "services.lookout.traffic-generator: set ${lib.concatMapStringsSep " and " (option: "services.lookout.traffic-generator.${option}") missingUrls}: the service's module is not imported on this host, so there is no local default.";
      }
      {
        assertion = cfg.errorShare + cfg.notFoundShare + cfg.createShare <= 1;
        message = "services.lookout.traffic-generator: errorShare + notFoundShare + createShare must be at most 1.";
      }
    ];

    systemd.services.traffic-generator =
      shared.mkUnit "lookout traffic generator"
      // {
        after = ["network-online.target" "user-service.service" "order-service.service"];
        serviceConfig =
          hardening
          // {
            ExecStart = utils.escapeSystemdExecArgs (
              [
                (lib.getExe cfg.package)
                "--log-level"
                cfg.logLevel
                "--log-format"
                "json"
                # toString: a null URL (failed assertion above) must not stop
                # evaluation before the assertion's message is shown.
                "--user-service-url"
                (toString cfg.userServiceUrl)
                "--order-service-url"
                (toString cfg.orderServiceUrl)
                "--rate"
                (toString cfg.rate)
                "--error-share"
                (toString cfg.errorShare)
                "--not-found-share"
                (toString cfg.notFoundShare)
                "--create-share"
                (toString cfg.createShare)
                "--concurrency"
                (toString cfg.concurrency)
              ]
              ++ shared.tracingFlags cfg
              ++ cfg.extraFlags
            );
          };
      };
  };
}
