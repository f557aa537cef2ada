# Every lookout NixOS module, for imports by path (the nixos-eval test configs,
# hosts without flakes). The flake's nixosModules import the same files one by
# one and set each service's `package` to the flake's own build.
{
  # nix/modules/<name>.nix for each service of nix/services.nix, then the stack.
  imports =
    map (name: ./. + "/${name}.nix") (builtins.attrNames (import ../services.nix))
    ++ [./monitoring.nix];
}
