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

  # Members are `services/*`, `e2e` and `xtask`: cargo needs every listed member
  # present, so e2e and xtask are part of every source; services/* is a glob, so a
  # service crate can leave the other services out.
  workspaceManifests = lib.fileset.unions [
    ../Cargo.toml
    ../Cargo.lock
    (craneLib.fileset.commonCargoSources ../e2e)
    (craneLib.fileset.commonCargoSources ../xtask)
  ];

  # service-runtime reads nix/ports.nix with include_str! (the default ports), so
  # every crate that links it needs that file. Whole crate directories are taken
  # so test fixtures and other non-Rust files a crate reads are never missing.
  fileSetForCrate = crate:
    lib.fileset.toSource {
      inherit root;
      fileset = lib.fileset.unions [
        workspaceManifests
        ../nix/ports.nix
        ../services/service-runtime
        crate
      ];
    };

  # Everything a check of the whole workspace reads: the crates, the rules and
  # dashboards the xtask checks and the end-to-end test load, and nix/ (ports,
  # the pure configuration functions, the modules' inputs).
  workspaceSrc = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions [
      workspaceManifests
      ../services
      ../e2e
      ../xtask
      ../nix
      ../rules
      ../dashboards
    ];
  };

  # Arguments shared by every cargo derivation. The source of buildDepsOnly only
  # matters through its manifests (crane replaces the code with dummies), so the
  # cleaned Cargo source keeps the dependency build cached across code changes.
  commonArgs = {
    src = craneLib.cleanCargoSource root;
    strictDeps = true;
  };

  # Build *only* the dependencies of the whole workspace, once; every binary,
  # clippy and nextest start from these artifacts.
  cargoArtifacts = craneLib.buildDepsOnly commonArgs;

  descriptions = {
    user-service = "lookout user service: the exercise's user API, instrumented for Prometheus";
    order-service = "lookout order service: the exercise's order API, instrumented for Prometheus";
    alert-receiver = "lookout alert receiver: Alertmanager webhook receiver that logs and keeps notifications";
    traffic-generator = "lookout traffic generator: replays the exercise's requests against both services";
  };

  buildBinary = name: description:
    craneLib.buildPackage (commonArgs
      // {
        inherit cargoArtifacts;
        pname = name;
        src = fileSetForCrate ../services/${name};
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

  binaries = lib.mapAttrs buildBinary descriptions;
in {
  inherit craneLib commonArgs cargoArtifacts workspaceSrc binaries;

  # Every binary in one profile (`nix build` gives ./result/bin/<binary>).
  all = pkgs.symlinkJoin {
    name = "lookout";
    paths = lib.attrValues binaries;
    meta.description = "lookout: every binary of the workspace";
  };
}
