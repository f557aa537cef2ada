# nixos-eval test config for nix/hosts/example-host.nix, with stand-in packages
# where the flake sets its own builds.
{pkgs, ...}: {
  imports = [
    ../../modules
    ../../hosts/example-host.nix
  ];

  services.user-service.package = pkgs.user-service;
  services.order-service.package = pkgs.order-service;
  services.alert-receiver.package = pkgs.alert-receiver;
}
