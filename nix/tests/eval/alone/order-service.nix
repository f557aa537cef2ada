# nixosModules.order-service imported alone, with only enable = true (the package
# stands in for the flake's own build, which the harness cannot evaluate). With no
# user-service module on the host, userServiceUrl has no local default: null, so
# order-service runs without the user check (no --user-service-url).
{
  config,
  lib,
  pkgs,
  ...
}: {
  imports = [(import ../support/flake-modules.nix lib).order-service];

  services.lookout.order-service = {
    enable = true;
    package = pkgs.order-service;
  };

  assertions = [
    {
      assertion =
        config.services.lookout.order-service.userServiceUrl
        == null
        && !lib.hasInfix "--user-service-url" config.systemd.services.order-service.serviceConfig.ExecStart;
      message = "alone/order-service: userServiceUrl must default to null without user-service's module";
    }
  ];
}
