# Every lookout NixOS module, for imports by path (the nixos-eval test configs,
# hosts without flakes). The flake's nixosModules import the same files one by
# one and set each service's `package` to the flake's own build.
{
  imports = [
    ./user-service.nix
    ./order-service.nix
    ./alert-receiver.nix
    ./traffic-generator.nix
    ./monitoring.nix
  ];
}
