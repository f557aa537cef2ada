# Every lookout NixOS module. The flake's `nixosModules.default` imports this
# and sets each service's `package` (lib.mkDefault) to the flake's own build.
{
  imports = [
    ./user-service.nix
    ./order-service.nix
    ./alert-receiver.nix
    ./traffic-generator.nix
    ./monitoring.nix
  ];
}
