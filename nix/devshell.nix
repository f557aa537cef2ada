# `nix develop`: the Rust toolchain (crane adds cargo, clippy, rustc and rustfmt)
# plus every program the checks, the end-to-end test and the local stack run, so
# `cargo xtask test` and `cargo xtask stack` work in this shell as they do in CI.
{
  pkgs,
  build,
}:
build.craneLib.devShell {
  packages = [
    # The monitoring stack: prometheus, promtool (in the cli output), alertmanager
    # with amtool, the node exporter and Grafana (the local stack starts it).
    pkgs.prometheus
    pkgs.prometheus.cli
    pkgs.prometheus-alertmanager
    pkgs.prometheus-node-exporter
    pkgs.grafana
    # Load and API checks.
    pkgs.wrk
    pkgs.curl
    pkgs.jq
    # Nix style and dead code.
    pkgs.alejandra
    pkgs.deadnix
    pkgs.cargo-nextest
    # Dependency checks: unused ones (a `cargo xtask test` step) and
    # licenses, bans, sources and advisories against deny.toml.
    pkgs.cargo-machete
    pkgs.cargo-deny
  ];
}
