# nixosModules.user-service imported alone, with only enable = true (the package
# stands in for the flake's own build, which the harness cannot evaluate).
{
  lib,
  pkgs,
  ...
}: {
  imports = [(import ../support/flake-modules.nix lib).user-service];

  services.lookout.user-service = {
    enable = true;
    package = pkgs.user-service;
  };
}
