# The source of every derivation of nix/packages.nix and nix/checks.nix, declared
# once: the derivation's name -> the repository-relative paths (files or whole
# directories) it may read. Builtins only, so it means the same everywhere:
# nix/packages.nix turns each list into a lib.fileset, and `cargo xtask
# flake-checks` renders it with nix-instantiate, copies exactly those paths into an
# empty directory and runs the check's command there, so a file that a check reads
# but its set lacks fails CI here rather than `nix flake check` later.
let
  # What cargo needs for any command: the root manifest and lock, the config
  # (crane keeps .cargo/config.toml too), and every named member. Members are
  # `services/*`, `e2e` and `xtask`: the glob lets a set leave services out.
  workspace = [".cargo" "Cargo.toml" "Cargo.lock" "e2e" "xtask"];

  # xtask and e2e link service-runtime, which reads nix/ports.json with
  # include_str! (the default ports), so every cargo set has both.
  runtime = ["services/service-runtime" "nix/ports.json"];

  # Every crate of the workspace, as the compiler reads it.
  allCrates = workspace ++ ["services" "nix/ports.json"];

  # One service binary: the workspace, the runtime and its own directory.
  serviceCrate = name: workspace ++ runtime ++ ["services/${name}"];

  services = builtins.attrNames (import ./services.nix);
in
  builtins.listToAttrs (map (name: {
      inherit name;
      value = serviceCrate name;
    })
    services)
  // {
    # crane's buildDepsOnly: it keeps only the manifests and the lock file (the
    # code is replaced by dummies), so code changes do not rebuild dependencies.
    cargo-deps = allCrates;

    # user-service, order-service, ...: one per service of nix/services.nix.

    workspace-clippy = allCrates;
    workspace-fmt = allCrates ++ ["rustfmt.toml"];

    # cargo-deny resolves the workspace's manifests and lock and reads its policy.
    cargo-deny = allCrates ++ ["deny.toml"];

    # The tests also read at run time: the rules and dashboards (xtask's unit
    # tests), the pure config functions and their route cases, the runbooks, and
    # this file with the service list it reads (xtask checks every set here has
    # a twin).
    workspace-nextest = allCrates ++ ["nix/lib" "nix/sources.nix" "nix/services.nix" "rules" "dashboards" "docs/runbooks.md"];

    rules-promtool = ["rules"];

    # `cargo xtask rules`: promtool and amtool on rules/, the Alertmanager config
    # of nix/lib with its routing cases, and the runbook anchors every alert links.
    rules-xtask = workspace ++ runtime ++ ["nix/lib" "rules" "docs/runbooks.md"];

    # `cargo xtask dashboards`: the dashboards and the rules' metric names.
    dashboards-lint = workspace ++ runtime ++ ["dashboards" "rules"];

    # Read at evaluation time: the pure config functions (nix/config-render.nix
    # calls them), the ports and the services, the rule files and dashboards they point at.
    config-render = ["nix/config-render.nix" "nix/lib" "nix/ports.json" "nix/services.nix" "rules" "dashboards"];

    # Every .nix file (the twin also fails if a tracked .nix file is outside it).
    nix-style = ["flake.nix" "nix"];

    # The binaries, then the end-to-end test: it renders nix/lib's configs with
    # the ports and loads the rules and the dashboards' queries.
    e2e-pipeline = allCrates ++ ["nix/lib" "rules" "dashboards"];
  }
