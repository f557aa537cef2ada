# The flake's nixosModules exactly as flake.nix builds them, for the eval configs
# of alone/ that import one of them alone. flake.nix's outputs are called with
# the harness's nixpkgs lib and nothing else: each config sets its service's
# package to a stand-in, so the flake's own default (self.packages, a crane
# build) is never evaluated.
lib: let
  outputs = (import ../../../../flake.nix).outputs {
    self = outputs;
    nixpkgs = {inherit lib;};
    crane = {};
  };
in
  outputs.nixosModules
