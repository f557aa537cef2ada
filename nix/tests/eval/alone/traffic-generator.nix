# nixosModules.traffic-generator imported alone, as on a host that generates
# traffic for services on another host: enable, and the two URLs, which have no
# default without the services' modules (negative/ checks the assertion).
{
  lib,
  pkgs,
  ...
}: let
  ports = builtins.fromJSON (builtins.readFile ../../../ports.json);
in {
  imports = [(import ../support/flake-modules.nix lib).traffic-generator];

  services.lookout.traffic-generator = {
    enable = true;
    package = pkgs.traffic-generator;
    userServiceUrl = "http://app.example.org:${toString ports.user-service}";
    orderServiceUrl = "http://app.example.org:${toString ports.order-service}";
  };
}
