# What `cargo xtask vm-lint` needs of each VM test, from builtins only: the node
# names, the preamble's names and types (with typed placeholders: no NixOS node
# is evaluated, nodes and lib are never forced) and the script files' paths.
let
  preamble = import ./preamble.nix;
  notEvaluated = what: throw "vm-lint reads names and types only; it cannot evaluate ${what}";
  lintOf = spec: {
    nodes =
      builtins.attrNames
      (import spec.test {
        self = notEvaluated "self";
        lib = notEvaluated "lib";
      })
      .nodes;
    declarations = preamble.declarations (import spec.values {
      nodes = notEvaluated "nodes";
      lib = notEvaluated "lib";
    });
    test = toString spec.test;
    files = map toString spec.files;
  };
in
  builtins.mapAttrs (_: lintOf) (import ./scripts.nix)
