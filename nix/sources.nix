# The source of every derivation of nix/packages.nix and nix/checks.nix, declared
# once: the derivation's name -> the repository-relative paths (files or whole
# directories) it may read. Builtins only, so it means the same everywhere:
# nix/packages.nix turns each list into a lib.fileset, and `cargo xtask
# flake-checks` renders it with nix-instantiate, copies exactly those paths into an
# empty directory and runs the check's command there, so a file that a check reads
# but its set lacks fails CI here rather than `nix flake check` later.
let
  # Every crate of the workspace, as the compiler reads it: the root manifest,
  # lock and config (crane keeps .cargo/config.toml too), every member, and
  # nix/ports.nix, which service-runtime reads with include_str! (the default
  # ports). Every cargo set takes all members, never a subset: Cargo.lock also
  # pins the registry crates that only one member uses (proptest for
  # traffic-generator, for instance), and `cargo build --locked` refuses a lock
  # file that a missing member would leave with unused entries.
  allCrates = [".cargo" "Cargo.toml" "Cargo.lock" "e2e" "xtask" "services" "nix/ports.nix"];

  # The crates with their tests: a service-runtime unit test checks the units'
  # TimeoutStopSec and LimitNOFILE against the servers' defaults.
  cratesWithTests = allCrates ++ ["nix/modules/service-options.nix"];
in {
  # crane's buildDepsOnly: it keeps only the manifests and the lock file (the
  # code is replaced by dummies), so code changes do not rebuild dependencies.
  cargo-deps = allCrates;

  user-service = allCrates;
  order-service = allCrates;
  alert-receiver = allCrates;
  traffic-generator = allCrates;

  workspace-clippy = cratesWithTests;
  workspace-fmt = allCrates ++ ["rustfmt.toml"];

  # cargo-deny resolves the workspace's manifests and lock and reads its policy.
  cargo-deny = allCrates ++ ["deny.toml"];

  # The tests also read at run time: the rules and dashboards (xtask's unit
  # tests), the pure config functions and their route cases, the runbooks, the
  # VM test driver's stubs (vm-lint's globals are checked against its list), and
  # this file (xtask checks every set here has a twin).
  workspace-nextest = cratesWithTests ++ ["nix/lib" "nix/sources.nix" "nix/tests/driver-stubs" "rules" "dashboards" "docs/runbooks.md"];

  rules-promtool = ["rules"];

  # `cargo xtask rules`: promtool and amtool on rules/, the Alertmanager config
  # of nix/lib with its routing cases, and the runbook anchors every alert links.
  rules-xtask = allCrates ++ ["nix/lib" "rules" "docs/runbooks.md"];

  # `cargo xtask dashboards`: the dashboards and the rules' metric names.
  dashboards-lint = allCrates ++ ["dashboards" "rules"];

  # Read at evaluation time: the pure config functions (nix/config-render.nix
  # calls them), the ports, the rule files and dashboards they point at.
  config-render = ["nix/config-render.nix" "nix/lib" "nix/ports.nix" "rules" "dashboards"];

  # Every .nix file (the twin also fails if a tracked .nix file is outside it).
  nix-style = ["flake.nix" "nix"];

  # The binaries, then the end-to-end test: it renders nix/lib's configs with
  # the ports and loads the rules and the dashboards' queries.
  e2e-pipeline = cratesWithTests ++ ["nix/lib" "rules" "dashboards"];
}
