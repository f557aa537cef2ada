# nixosModules.alert-receiver imported alone, with only enable = true (the package
# stands in for the flake's own build, which the harness cannot evaluate).
{
  lib,
  pkgs,
  ...
}: {
  imports = [(import ../support/flake-modules.nix lib).alert-receiver];

  services.lookout.alert-receiver = {
    enable = true;
    package = pkgs.alert-receiver;
  };
}
