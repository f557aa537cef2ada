# nixos-eval test config for nix/hosts/example-host.nix, with stand-in packages
# where the flake sets its own builds.
{
  lib,
  pkgs,
  ...
}: {
  # As flake.nix's `host` builds nixosConfigurations.example-host: the flake's
  # nixosModules.default, the host file and the platform.
  imports = [
    (import ./support/flake-modules.nix lib).default
    ../../hosts/example-host.nix
  ];
  nixpkgs.hostPlatform = "x86_64-linux";

  services.lookout.user-service.package = pkgs.user-service;
  services.lookout.order-service.package = pkgs.order-service;
  services.lookout.alert-receiver.package = pkgs.alert-receiver;
}
