# nixosModules.traffic-generator alone with only enable = true: no service module
# here, so no URL default; the assertion names both options.
# expect: services.lookout.traffic-generator.userServiceUrl
# expect: services.lookout.traffic-generator.orderServiceUrl
{
  lib,
  pkgs,
  ...
}: {
  imports = [(import ../../support/flake-modules.nix lib).traffic-generator];

  services.lookout.traffic-generator = {
    enable = true;
    package = pkgs.traffic-generator;
  };
}
