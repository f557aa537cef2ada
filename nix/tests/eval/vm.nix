# nixos-eval test config for the demo VM: the lookout modules, nix/hosts/vm.nix
# exactly as the flake builds it, and stand-in packages where the flake would
# set its own builds. Run:
#   nixos-eval/check nix/tests/eval/vm.nix
{
  lib,
  pkgs,
  ...
}: {
  # As flake.nix's `host` builds nixosConfigurations.vm: the flake's
  # nixosModules.default, the host file and the platform.
  imports = [
    (import ./support/flake-modules.nix lib).default
    ../../hosts/vm.nix
  ];
  nixpkgs.hostPlatform = "x86_64-linux";

  services.lookout.user-service.package = pkgs.user-service;
  services.lookout.order-service.package = pkgs.order-service;
  services.lookout.alert-receiver.package = pkgs.alert-receiver;
  services.lookout.traffic-generator.package = pkgs.traffic-generator;
}
