//! Which command twins each check of `nix/checks.nix` here. The file set of a
//! check is the entry of `nix/sources.nix` with the check's name; the twin runs
//! in a copy of exactly that set, with Debian's tools.
//!
//! The commands follow `nix/checks.nix` (and crane's, for the crane checks);
//! change both together. Where a twin is cheaper than its check, `note` says how.

/// How a check is twinned.
pub(super) enum Twin {
    /// These commands, in order, in the copy (program first).
    Commands(&'static [&'static [&'static str]]),
    /// Render `nix/config-render.nix` with nix-instantiate, then run its script.
    ConfigRender,
    /// alejandra (the crate) and deadnix over the copy, which must hold every
    /// tracked `.nix` file.
    NixStyle,
}

pub(super) struct FlakeCheck {
    /// The attribute in nix/checks.nix, and its set in nix/sources.nix.
    pub(super) name: &'static str,
    pub(super) twin: Twin,
    /// How the twin differs from the check, printed with its result.
    pub(super) note: &'static str,
}

const fn check(name: &'static str, twin: Twin, note: &'static str) -> FlakeCheck {
    FlakeCheck { name, twin, note }
}

const DEV_PROFILE: &str = "dev profile here, crane builds with --release: same files read";
const CHECK_FOR_BUILD: &str = "cargo check for crane's cargo build --release: the compiler reads \
     the same files (include_str!, manifests), linking reads none";

/// The sets of nix/sources.nix that have no twin of their own, and why.
pub(super) const NOT_TWINNED: &[(&str, &str)] = &[
    (
        "cargo-deps",
        "crane's buildDepsOnly keeps only the manifests and Cargo.lock of this set \
         and compiles dummies; every cargo twin below resolves and builds the same manifests",
    ),
    (
        "cargo-deny",
        "cargo-deny takes minutes to build from source (fat LTO) and CI has no prebuilt one; \
         deny.toml was checked by hand with cargo-deny 0.20.2 (docs/flake.md)",
    ),
];

/// Cheapest first, so a missing file in a small set is reported early.
pub(super) const CHECKS: &[FlakeCheck] = &[
    check(
        "nix-style",
        Twin::NixStyle,
        "alejandra 3.1.0 crate for nixpkgs' alejandra (`cargo xtask nixfmt` on the copy), deadnix --fail .",
    ),
    check(
        "rules-promtool",
        Twin::Commands(&[&[
            "bash",
            "-euo",
            "pipefail",
            "-c",
            "cd rules\npromtool check rules *.rules.yml\npromtool test rules tests/*.test.yml",
        ]]),
        "Debian's promtool 2.42 for nixpkgs' Prometheus 3",
    ),
    check(
        "config-render",
        Twin::ConfigRender,
        "rendered with nix-instantiate instead of at flake evaluation; Debian's promtool 2.42, amtool 0.25, jq",
    ),
    check(
        "workspace-fmt",
        Twin::Commands(&[&["cargo", "fmt", "--", "--check"]]),
        "",
    ),
    check(
        "workspace-clippy",
        Twin::Commands(&[&[
            "cargo",
            "clippy",
            "--locked",
            "--all-targets",
            "--",
            "--deny",
            "warnings",
        ]]),
        DEV_PROFILE,
    ),
    check(
        "user-service",
        Twin::Commands(&[&["cargo", "check", "--locked", "-p", "user-service"]]),
        CHECK_FOR_BUILD,
    ),
    check(
        "order-service",
        Twin::Commands(&[&["cargo", "check", "--locked", "-p", "order-service"]]),
        CHECK_FOR_BUILD,
    ),
    check(
        "alert-receiver",
        Twin::Commands(&[&["cargo", "check", "--locked", "-p", "alert-receiver"]]),
        CHECK_FOR_BUILD,
    ),
    check(
        "traffic-generator",
        Twin::Commands(&[&["cargo", "check", "--locked", "-p", "traffic-generator"]]),
        CHECK_FOR_BUILD,
    ),
    check(
        "rules-xtask",
        Twin::Commands(&[&[
            "cargo",
            "run",
            "--locked",
            "--package",
            "xtask",
            "--",
            "rules",
        ]]),
        "dev profile here (the check runs --release); Debian's promtool 2.42, amtool and Alertmanager 0.25",
    ),
    check(
        "dashboards-lint",
        Twin::Commands(&[&[
            "cargo",
            "run",
            "--locked",
            "--package",
            "xtask",
            "--",
            "dashboards",
        ]]),
        "dev profile here (the check runs --release)",
    ),
    check(
        "workspace-nextest",
        Twin::Commands(&[&[
            "cargo",
            "test",
            "--locked",
            "--workspace",
            "--exclude",
            "lookout-e2e",
        ]]),
        "cargo test for cargo nextest (same tests, same files), dev profile; Debian's promtool, amtool, nix-instantiate",
    ),
    check(
        "e2e-pipeline",
        Twin::Commands(&[
            // --all-targets: the dependencies as clippy's twin checked them.
            &["cargo", "check", "--locked", "--workspace", "--all-targets"],
            &[
                "cargo",
                "test",
                "--locked",
                "--package",
                "lookout-e2e",
                "--no-run",
            ],
            &[
                "cargo",
                "test",
                "--locked",
                "--package",
                "lookout-e2e",
                "--lib",
            ],
        ]),
        "checks the binaries and every other target (cargo check for build), builds the tests and runs e2e's unit tests \
         (they render nix/lib, the ports and the rules); the pipeline test itself runs in CI's \
         own step, in the repository",
    ),
];
