//! Well-known ports, read at compile time from `nix/ports.json`, the one file where
//! lookout's ports are written down (the NixOS modules read the same file with
//! `builtins.fromJSON`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The text of `nix/ports.json`, embedded so the binaries need no file at run time.
const PORTS_JSON: &str = include_str!("../../../nix/ports.json");

/// The embedded table, parsed on first use. The file is part of the source, so a
/// malformed one is a build mistake: the first lookup panics with the parse error,
/// and the unit tests below (run by CI and the flake's nextest check) make it fail
/// before any binary ships.
static PORTS: LazyLock<BTreeMap<String, u16>> =
    LazyLock::new(|| parse(PORTS_JSON).unwrap_or_else(|error| panic!("{error}")));

/// A JSON object of name -> port (1..=65535), or an error naming the file.
fn parse(text: &str) -> Result<BTreeMap<String, u16>, String> {
    let table: BTreeMap<String, u16> = serde_json::from_str(text)
        .map_err(|error| format!("nix/ports.json is not a JSON object of port numbers: {error}"))?;
    match table.iter().find(|(_, port)| **port == 0) {
        Some((name, _)) => Err(format!("nix/ports.json: {name} has port 0")),
        None => Ok(table),
    }
}

/// Every entry of `nix/ports.json`, by name.
pub fn entries() -> &'static BTreeMap<String, u16> {
    &PORTS
}

/// The port of `name` in `nix/ports.json`, or `None` if the file has no such entry.
pub fn port(name: &str) -> Option<u16> {
    entries().get(name).copied()
}

/// The default port of a lookout component (`"user-service"`, `"user-service-admin"`, ...).
///
/// # Panics
/// If `name` is not in `nix/ports.json`. Callers pass compile-time constants, and the
/// unit tests below check every name the binaries use, so this is a programming error.
pub fn default_port(name: &str) -> u16 {
    port(name).unwrap_or_else(|| panic!("{name} has no entry in nix/ports.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_parses() {
        let entries = parse(PORTS_JSON).expect("nix/ports.json parses");
        assert!(entries.len() >= 9, "too few entries: {entries:?}");
    }

    #[test]
    fn a_malformed_file_is_reported_with_its_name_and_the_reason() {
        for (text, reason) in [
            ("{\"user-service\": 8001,}", "trailing comma"),
            ("{\"user-service\": 70000}", "70000"),
            ("{\"user-service\": \"8001\"}", "invalid type"),
            ("[8001]", "invalid type"),
        ] {
            let error = parse(text).expect_err(text);
            assert!(error.starts_with("nix/ports.json is not"), "{error}");
            assert!(error.contains(reason), "{text}: {error}");
        }
        let error = parse("{\"user-service\": 0}").expect_err("port 0");
        assert_eq!(error, "nix/ports.json: user-service has port 0");
    }

    #[test]
    fn the_names_the_binaries_use_exist_with_their_contract_ports() {
        let expected = [
            ("user-service", 8001),
            ("order-service", 8002),
            ("user-service-admin", 8011),
            ("order-service-admin", 8012),
            ("alert-receiver", 5001),
            ("prometheus", 9090),
            ("alertmanager", 9093),
            ("grafana", 3000),
            ("node-exporter", 9100),
        ];
        for (name, port) in expected {
            assert_eq!(default_port(name), port, "{name}");
        }
    }

    #[test]
    fn ports_are_distinct() {
        let mut ports: Vec<u16> = entries().values().copied().collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(
            ports.len(),
            entries().len(),
            "duplicate port in {:?}",
            entries()
        );
    }

    #[test]
    fn unknown_names_have_no_port() {
        assert_eq!(port("no-such-service"), None);
    }
}
