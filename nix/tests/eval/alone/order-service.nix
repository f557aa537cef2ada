# nixosModules.order-service imported alone, with only enable = true (the package
# stands in for the flake's own build, which the harness cannot evaluate).
{
  lib,
  pkgs,
  ...
}: {
  imports = [(import ../support/flake-modules.nix lib).order-service];

  services.lookout.order-service = {
    enable = true;
    package = pkgs.order-service;
  };
}
