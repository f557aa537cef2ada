//! Well-known ports, read at compile time from `nix/ports.nix`, the one file where
//! lookout's ports are written down (the NixOS modules read the same file).

/// The text of `nix/ports.nix`, embedded so the binaries need no file at run time.
const PORTS_NIX: &str = include_str!("../../../nix/ports.nix");

/// Every `name = port;` entry of `nix/ports.nix`, in file order.
///
/// Comments (`#`), braces and blank lines are skipped; any other line that does not
/// parse as `name = <u16>;` is reported as an error naming the line.
pub fn entries() -> Result<Vec<(&'static str, u16)>, String> {
    let mut out = Vec::new();
    for (number, raw) in PORTS_NIX.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line == "{" || line == "}" {
            continue;
        }
        let parsed = line
            .strip_suffix(';')
            .and_then(|body| body.split_once('='))
            .and_then(|(name, port)| {
                let port = port.trim().parse::<u16>().ok()?;
                Some((name.trim(), port))
            });
        match parsed {
            Some(entry) => out.push(entry),
            None => {
                return Err(format!(
                    "nix/ports.nix line {}: cannot parse {raw:?}",
                    number + 1
                ));
            }
        }
    }
    Ok(out)
}

/// The port of `name` in `nix/ports.nix`, or `None` if the file has no such entry.
pub fn port(name: &str) -> Option<u16> {
    entries()
        .ok()?
        .into_iter()
        .find_map(|(entry, port)| (entry == name).then_some(port))
}

/// The default port of a lookout component (`"user-service"`, `"user-service-admin"`, ...).
///
/// # Panics
/// If `name` is not in `nix/ports.nix`. Callers pass compile-time constants, and the
/// unit tests below check every name the binaries use, so this is a programming error.
pub fn default_port(name: &str) -> u16 {
    port(name).unwrap_or_else(|| panic!("{name} has no entry in nix/ports.nix"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_ports_nix_parses() {
        let entries = entries().expect("nix/ports.nix parses");
        assert!(entries.len() >= 9, "too few entries: {entries:?}");
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
        let entries = entries().expect("nix/ports.nix parses");
        let mut ports: Vec<u16> = entries.iter().map(|(_, port)| *port).collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), entries.len(), "duplicate port in {entries:?}");
    }

    #[test]
    fn unknown_names_have_no_port() {
        assert_eq!(port("no-such-service"), None);
    }
}
