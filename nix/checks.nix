# `nix flake check`: the builds, the Rust checks, the monitoring content checks,
# the Nix style checks, the end-to-end pipeline test against nixpkgs' Prometheus 3
# and Alertmanager, and the NixOS VM tests. Check names say what they check.
{
  pkgs,
  self,
  build,
}: let
  inherit (pkgs) lib;
  inherit (build) craneLib cargoArtifacts;

  # The cargo checks start from the shared dependency artifacts; each reads its
  # own file set of nix/sources.nix (named as the check is).
  cargoArgs = name:
    build.commonArgs
    // {
      inherit cargoArtifacts;
      src = build.source name;
    };

  # nix-instantiate wants a store and state directory of its own even to
  # evaluate, and the sandbox's /nix/var is not writable: it gets a private one
  # under the build directory (the setup nixpkgs uses to run its lib tests).
  privateNixStore = ''
    export HOME="$TMPDIR/home"
    export NIX_STORE_DIR="$TMPDIR/nix/store"
    export NIX_STATE_DIR="$TMPDIR/nix/var/nix"
    export NIX_LOCALSTATE_DIR="$TMPDIR/nix/var"
    export NIX_LOG_DIR="$TMPDIR/nix/var/log/nix"
    export NIX_CONF_DIR="$TMPDIR/nix/etc"
    mkdir -p "$HOME"
    nix-store --init
  '';

  # The programs the host tests look for (see e2e/src/tools.rs), from nixpkgs.
  monitoringTools = {
    PROMETHEUS_BIN = lib.getExe' pkgs.prometheus "prometheus";
    ALERTMANAGER_BIN = lib.getExe' pkgs.prometheus-alertmanager "alertmanager";
    NODE_EXPORTER_BIN = lib.getExe' pkgs.prometheus-node-exporter "node_exporter";
  };

  # One `cargo xtask <task>` over the check's source, with `tools` on PATH.
  xtaskCheck = name: task: tools:
    craneLib.mkCargoDerivation (cargoArgs name
      // {
        pname = "lookout-xtask-${task}";
        nativeBuildInputs = tools ++ [pkgs.nix];
        doInstallCargoArtifacts = false;
        buildPhaseCargoCommand = ''
          ${privateNixStore}
          cargo run --release --locked --package xtask -- ${task}
        '';
      });

  # The pure configuration functions of nix/lib, rendered at evaluation time the
  # way the NixOS modules use them (nix/config-render.nix, from the check's file
  # set), then loaded by nixpkgs' promtool and amtool.
  configRender = import ./config-render.nix "${build.source "config-render"}";
  ports = builtins.fromJSON (builtins.readFile ./ports.json);

  # A NixOS VM test from nix/tests/; the test modules take `self` as an argument.
  vmTest = file:
    pkgs.testers.runNixOSTest {
      imports = [file];
      _module.args.self = self;
    };
in
  build.binaries
  // {
    # Clippy is its own derivation so lint failures block CI without stopping
    # anyone from building the packages.
    workspace-clippy = craneLib.cargoClippy (cargoArgs "workspace-clippy"
      // {
        cargoClippyExtraArgs = "--all-targets -- --deny warnings";
      });

    workspace-fmt = craneLib.cargoFmt {src = build.source "workspace-fmt";};

    # Every dependency's license, source (crates.io only) and the bans of
    # deny.toml. Advisories are left out: they need the RustSec database from
    # the network, which the build sandbox does not have (docs/flake.md says how
    # to run them). It reads the manifests, the lock file and deny.toml.
    cargo-deny = craneLib.cargoDeny (build.commonArgs
      // {
        src = build.source "cargo-deny";
        cargoDenyChecks = "licenses bans sources";
      });

    # Every unit and integration test except the end-to-end crate, which has its
    # own check below. Tests only use loopback (free ports), which the sandbox
    # has; the few that run promtool, amtool or nix-instantiate get them here.
    workspace-nextest = craneLib.cargoNextest (cargoArgs "workspace-nextest"
      // {
        nativeBuildInputs = [pkgs.prometheus.cli pkgs.prometheus-alertmanager pkgs.nix];
        preCheck = privateNixStore;
        cargoNextestExtraArgs = "--workspace --exclude lookout-e2e --no-tests=fail";
      });

    # The rule files load in Prometheus 3 and pass their unit tests.
    rules-promtool = pkgs.runCommand "lookout-rules-promtool" {nativeBuildInputs = [pkgs.prometheus.cli];} ''
      cd ${build.source "rules-promtool"}/rules
      promtool check rules *.rules.yml
      promtool test rules tests/*.test.yml
      touch $out
    '';

    # The same rules checks CI runs here (every alert has a firing and a quiet
    # test, Alertmanager routing tests), with nixpkgs' promtool and amtool.
    rules-xtask = xtaskCheck "rules-xtask" "rules" [pkgs.prometheus.cli pkgs.prometheus-alertmanager];

    # Every dashboard: JSON model, grid, PromQL, metric names and legends.
    dashboards-lint = xtaskCheck "dashboards-lint" "dashboards" [];

    # What NixOS deploys (scrape jobs, rules, alerting, routing tree, Grafana
    # datasource) evaluates and loads in Prometheus 3 and Alertmanager.
    config-render =
      pkgs.runCommand "lookout-config-render" {
        nativeBuildInputs = [pkgs.prometheus.cli pkgs.prometheus-alertmanager pkgs.jq];
      } ''
        ${lib.concatStrings (lib.mapAttrsToList (name: value: ''
            cp ${pkgs.writeText name (builtins.toJSON value)} ${name}
          '')
          configRender.files)}
        ${configRender.script}
        touch $out
      '';

    # Every well-known port of nix/ports.json is used by one thing only.
    ports-unique = let
      values = lib.attrValues ports;
      clashes = lib.filterAttrs (_: port: lib.count (other: other == port) values > 1) ports;
    in
      pkgs.runCommand "lookout-ports-unique" {} (
        if clashes == {}
        then "touch $out"
        else "echo 'nix/ports.json gives one port to several names: ${builtins.toJSON clashes}' >&2; exit 1"
      );

    # The style `nix fmt` gives, and no dead Nix code.
    nix-style = pkgs.runCommand "lookout-nix-style" {nativeBuildInputs = [pkgs.alejandra pkgs.deadnix];} ''
      cd ${build.source "nix-style"}
      alejandra --check .
      deadnix --fail .
      touch $out
    '';

    # The alert pipeline end to end against nixpkgs' Prometheus 3 and
    # Alertmanager: the same test CI runs here against Debian's 2.42 and 0.25.
    # As in CI, the workspace's binaries (the services, xtask for the dashboard
    # queries) are built first, here from the same source and artifacts. The
    # sandbox has loopback only, which is all the test uses.
    e2e-pipeline = craneLib.mkCargoDerivation (cargoArgs "e2e-pipeline"
      // {
        pname = "lookout-e2e";
        nativeBuildInputs = [pkgs.nix];
        doInstallCargoArtifacts = false;
        env = monitoringTools;
        buildPhaseCargoCommand = ''
          ${privateNixStore}
          cargo build --release --locked --workspace --bins
          export LOOKOUT_BIN_DIR="$(realpath "''${CARGO_TARGET_DIR:-target}")/release"
          cargo test --release --locked --package lookout-e2e -- --nocapture --test-threads=1
        '';
      });
  }
  # VM tests need KVM and a Linux builder.
  // lib.optionalAttrs pkgs.stdenv.hostPlatform.isLinux {
    vm-stack = vmTest ./tests/stack.nix;
    vm-multi-host = vmTest ./tests/multi-host.nix;
    vm-demo = vmTest ./tests/demo.nix;
    vm-ha = vmTest ./tests/ha.nix;
    vm-tracing = vmTest ./tests/tracing.nix;
  }
