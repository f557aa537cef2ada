# The crane build of the Cargo workspace: the pieces every Rust derivation shares
# (crane library, common arguments, the dependency artifacts built once) and one
# package per binary. flake.nix exposes `binaries` as packages; nix/checks.nix
# reuses the rest for clippy, nextest and the other cargo-based checks.
{
  pkgs,
  crane,
}: let
  inherit (pkgs) lib;
  craneLib = crane.mkLib pkgs;
  root = ../.;

  # Every derivation's source: the file set its name is given in nix/sources.nix
  # (repository-relative paths, declared once, also copied and run by `cargo
  # xtask flake-checks`). A path that does not exist fails evaluation.
  sources = import ./sources.nix;
  source = name:
    lib.fileset.toSource {
      inherit root;
      fileset = lib.fileset.unions (map (path: root + "/${path}") sources.${name});
    };

  # Arguments shared by every cargo derivation. The source of buildDepsOnly only
  # matters through its manifests: crane's mkDummySrc keeps the Cargo.toml files
  # (trimmed at evaluation time), Cargo.lock and .cargo/config.toml and replaces
  # the code with dummies, so code changes do not rebuild the dependencies.
  commonArgs = {
    src = source "cargo-deps";
    strictDeps = true;
  };

  # Build *only* the dependencies of the whole workspace, once; every binary,
  # clippy and nextest start from these artifacts.
  cargoArtifacts = craneLib.buildDepsOnly commonArgs;

  buildBinary = name: {description, ...}:
    craneLib.buildPackage (commonArgs
      // {
        inherit cargoArtifacts;
        pname = name;
        src = source name;
        # Setting cargoExtraArgs replaces crane's default "--locked": keep it.
        cargoExtraArgs = "--locked -p ${name}";
        # Tests run once for the whole workspace in the nextest check.
        doCheck = false;
        meta = {
          inherit description;
          mainProgram = name;
          license = lib.licenses.mit;
          platforms = lib.platforms.linux;
        };
      });

  # One package per service of nix/services.nix.
  binaries = lib.mapAttrs buildBinary (import ./services.nix);
in {
  inherit craneLib commonArgs cargoArtifacts source binaries;

  # Every binary in one profile (`nix build` gives ./result/bin/<binary>).
  all = pkgs.symlinkJoin {
    name = "lookout";
    paths = lib.attrValues binaries;
    meta.description = "lookout: every binary of the workspace";
  };
}
