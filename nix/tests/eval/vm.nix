# nixos-eval test config for the demo VM: the lookout modules, nix/hosts/vm.nix
# exactly as the flake builds it, and stand-in packages where the flake would
# set its own builds. Run:
#   nixos-eval/check nix/tests/eval/vm.nix
{pkgs, ...}: {
  imports = [
    ../../modules
    ../../hosts/vm.nix
  ];

  services.user-service.package = pkgs.user-service;
  services.order-service.package = pkgs.order-service;
  services.alert-receiver.package = pkgs.alert-receiver;
  services.traffic-generator.package = pkgs.traffic-generator;
}
