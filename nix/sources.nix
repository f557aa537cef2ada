# The source of every derivation of nix/packages.nix and nix/checks.nix, declared
# once: the derivation's name -> the repository-relative paths (files or whole
# directories) it may read. Builtins only, so it means the same everywhere:
# nix/packages.nix turns each list into a lib.fileset, and `cargo xtask
# flake-checks` renders it with nix-instantiate, copies exactly those paths into an
# empty directory and runs the check's command there, so a file that a check reads
# but its set lacks fails CI here rather than `nix flake check` later.
let
  # What cargo needs for any command, even `-p <one crate>`: the root manifest
  # and lock, the config (crane keeps .cargo/config.toml too) and every member
  # of the workspace (`services/*`, `e2e`, `xtask`). Cargo.lock lists every
  # member, so with one missing cargo wants to rewrite the lock, which --locked
  # (crane's default, and every twin's) refuses. service-runtime reads
  # nix/ports.json with include_str! (the default ports).
  allCrates = [".cargo" "Cargo.toml" "Cargo.lock" "e2e" "xtask" "services" "nix/ports.json"];

  # Test code reads this too: service-runtime's unit tests (server/limits.rs)
  # include_str! the module file that sets LimitNOFILE and TimeoutStopSec, to
  # check them against the binaries' defaults. Every set that compiles tests
  # (clippy --all-targets, the tests, e2e's cargo check --all-targets) has it.
  allTargets = allCrates ++ ["nix/modules/service-options.nix"];

  services = builtins.attrNames (import ./services.nix);
in
  # user-service, order-service, ...: one set per service of nix/services.nix.
  builtins.listToAttrs (map (name: {
      inherit name;
      # A service binary needs the whole workspace, as above.
      value = allCrates;
    })
    services)
  // {
    # crane's buildDepsOnly: it keeps only the manifests and the lock file (the
    # code is replaced by dummies), so code changes do not rebuild dependencies.
    cargo-deps = allCrates;

    workspace-clippy = allTargets;
    workspace-fmt = allCrates ++ ["rustfmt.toml"];

    # cargo-deny resolves the workspace's manifests and lock and reads its policy.
    cargo-deny = allCrates ++ ["deny.toml"];

    # The tests also read at run time: the rules and dashboards (xtask's unit
    # tests), the pure config functions and their route cases, the runbooks, and
    # this file with the service list it reads (xtask checks every set here has
    # a twin), and the VM tests' driver globals (vm-lint's unit test).
    workspace-nextest = allTargets ++ ["nix/lib" "nix/sources.nix" "nix/services.nix" "nix/tests/driver-stubs/globals.py" "rules" "dashboards" "docs/runbooks.md"];

    rules-promtool = ["rules"];

    # `cargo xtask rules`: promtool and amtool on rules/, the Alertmanager config
    # of nix/lib with its routing cases, and the runbook anchors every alert links.
    rules-xtask = allCrates ++ ["nix/lib" "rules" "docs/runbooks.md"];

    # `cargo xtask dashboards`: the dashboards and the rules' metric names.
    dashboards-lint = allCrates ++ ["dashboards" "rules"];

    # Read at evaluation time: the pure config functions (nix/config-render.nix
    # calls them), the ports and the services, the rule files and dashboards they point at.
    config-render = ["nix/config-render.nix" "nix/lib" "nix/ports.json" "nix/services.nix" "rules" "dashboards"];

    # Every .nix file (the twin also fails if a tracked .nix file is outside it).
    nix-style = ["flake.nix" "nix"];

    # The binaries, then the end-to-end test: it renders nix/lib's configs with
    # the ports and loads the rules and the dashboards' queries.
    e2e-pipeline = allTargets ++ ["nix/lib" "rules" "dashboards"];
  }
