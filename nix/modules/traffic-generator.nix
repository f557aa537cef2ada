# NixOS module for lookout's traffic generator: replays the exercise's curl
# sequence (reads, 404s, 500s, creates) against user-service and order-service
# at a steady rate, so dashboards have data and alerts can be provoked by
# raising `errorShare`. It serves nothing, so it has no port.
{
  config,
  lib,
  utils,
  ...
}: let
  cfg = config.services.traffic-generator;
  shared = import ./service-options.nix {inherit lib;};

  localUrl = name: let
    service = config.services.${name};
  in "http://${shared.localHost service.listenAddress}:${toString service.port}";

  # The host part of an http:// URL, brackets kept for IPv6.
  urlHost = url: builtins.head (builtins.match "http://(\\[[^]]*]|[^/:]*).*" url);
  loopbackUrl = url: let
    host = urlHost url;
  in
    host == "localhost" || host == "[::1]" || shared.isLoopback host;
  hardening = import ./hardening.nix {
    allowedAddresses =
      if loopbackUrl cfg.userServiceUrl && loopbackUrl cfg.orderServiceUrl
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
  options.services.traffic-generator =
    builtins.removeAttrs
    (shared.mkOptions "traffic-generator" "lookout's traffic generator (steady demo traffic to both services)")
    ["listenAddress" "port" "openFirewall"]
    // {
      userServiceUrl = lib.mkOption {
        type = lib.types.strMatching "http://.+";
        default = localUrl "user-service";
        defaultText = lib.literalMD "user-service's address and port on this host";
        description = "Base URL of user-service.";
      };

      orderServiceUrl = lib.mkOption {
        type = lib.types.strMatching "http://.+";
        default = localUrl "order-service";
        defaultText = lib.literalMD "order-service's address and port on this host";
        description = "Base URL of order-service.";
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
        type = lib.types.ints.between 1 10000;
        default = 32;
        description = "Most requests in flight at once; a slot that finds them all busy is skipped, so a slow service never piles requests up.";
      };
    };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.errorShare + cfg.notFoundShare + cfg.createShare <= 1;
        message = "services.traffic-generator: errorShare + notFoundShare + createShare must be at most 1.";
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
                "--user-service-url"
                cfg.userServiceUrl
                "--order-service-url"
                cfg.orderServiceUrl
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
              ++ cfg.extraFlags
            );
          };
      };
  };
}
