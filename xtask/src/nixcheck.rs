//! `cargo xtask nix`: the checks of the Nix layer that Nix 2.8 can run here
//! without nixpkgs: every `.nix` file parses, deadnix finds no dead code,
//! `flake.lock` is consistent with the inputs of `flake.nix`, and the ports
//! of `nix/ports.json` are distinct and written nowhere else.

use anyhow::{Context, bail, ensure};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The one file lookout's well-known ports are written in.
const PORTS_FILE: &str = "nix/ports.json";

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    if let Some(arg) = args.first() {
        bail!("`cargo xtask nix` takes no arguments, got {arg:?}");
    }
    let files = tracked_nix_files()?;
    ensure!(!files.is_empty(), "no tracked .nix files found");
    check_parse(&files)?;
    check_deadnix(&files)?;
    check_flake_lock()?;
    check_ports(&files)?;
    println!(
        "nix: {} files parse, no dead code, flake.lock and ports consistent",
        files.len()
    );
    Ok(())
}

/// The `.nix` files git tracks (a fresh clone sees exactly these).
pub(crate) fn tracked_nix_files() -> anyhow::Result<Vec<String>> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "*.nix",
        ])
        .output()
        .context("running git ls-files")?;
    ensure!(output.status.success(), "git ls-files failed");
    let text = String::from_utf8(output.stdout).context("git ls-files output is not UTF-8")?;
    Ok(text
        .lines()
        .filter(|f| Path::new(f).exists())
        .map(str::to_owned)
        .collect())
}

fn check_parse(files: &[String]) -> anyhow::Result<()> {
    let mut broken = Vec::new();
    for file in files {
        let output = Command::new("nix-instantiate")
            .args(["--parse", file])
            .output()
            .context("running nix-instantiate (apt-get install nix-bin)")?;
        if !output.status.success() {
            broken.push(format!(
                "{file}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    ensure!(
        broken.is_empty(),
        "files that do not parse:\n{}",
        broken.join("\n")
    );
    Ok(())
}

fn check_deadnix(files: &[String]) -> anyhow::Result<()> {
    let status = Command::new("deadnix")
        .arg("--fail")
        .args(files)
        .status()
        .context("running deadnix (cargo install deadnix --locked)")?;
    ensure!(status.success(), "deadnix found unused code (see above)");
    Ok(())
}

/// Evaluates a Nix expression to JSON with plain `nix-instantiate`.
pub(crate) fn eval_json(expr: &str) -> anyhow::Result<Value> {
    let output = Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json", "--expr", expr])
        .output()
        .context("running nix-instantiate (apt-get install nix-bin)")?;
    ensure!(
        output.status.success(),
        "nix-instantiate failed on {expr}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).context("nix-instantiate printed invalid JSON")
}

/// Every input of flake.nix is locked, by a node whose `original` is exactly
/// what the input's URL says (otherwise Nix re-locks, which needs the network),
/// and whose `locked` entry is a complete GitHub pin.
fn check_flake_lock() -> anyhow::Result<()> {
    let inputs = eval_json("builtins.mapAttrs (_: i: i.url) (import ./flake.nix).inputs")?;
    let inputs = inputs
        .as_object()
        .context("flake.nix inputs is not an attrset")?;
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string("flake.lock").context("reading flake.lock")?)
            .context("flake.lock is not JSON")?;
    ensure!(lock["version"] == 7, "flake.lock version is not 7");
    let root = lock["root"].as_str().context("flake.lock has no root")?;
    let root_inputs = lock["nodes"][root]["inputs"]
        .as_object()
        .context("root node has no inputs")?;
    let locked_names: Vec<&String> = root_inputs.keys().collect();
    let input_names: Vec<&String> = inputs.keys().collect();
    ensure!(
        locked_names == input_names,
        "flake.lock locks {locked_names:?} but flake.nix has inputs {input_names:?}"
    );
    for (name, url) in inputs {
        let url = url.as_str().context("input url is not a string")?;
        let node_name = root_inputs[name]
            .as_str()
            .context("root input is not a node name")?;
        let node = &lock["nodes"][node_name];
        let original = &node["original"];
        let expected = format!(
            "github:{}/{}/{}",
            original["owner"].as_str().unwrap_or_default(),
            original["repo"].as_str().unwrap_or_default(),
            original["ref"].as_str().unwrap_or_default()
        );
        ensure!(
            original["type"] == "github",
            "{name}: original is not a github input"
        );
        ensure!(
            url == expected,
            "{name}: flake.nix says {url}, flake.lock original says {expected}"
        );
        let locked = &node["locked"];
        let rev = locked["rev"].as_str().unwrap_or_default();
        ensure!(
            rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
            "{name}: locked rev {rev:?} is not a full commit hash"
        );
        ensure!(
            locked["narHash"]
                .as_str()
                .is_some_and(|h| h.starts_with("sha256-") && h.len() == 51),
            "{name}: locked narHash is not an SRI sha256"
        );
        ensure!(
            locked["lastModified"].is_u64(),
            "{name}: locked lastModified missing"
        );
        ensure!(
            locked["owner"] == original["owner"] && locked["repo"] == original["repo"],
            "{name}: locked owner/repo differ from original"
        );
    }
    Ok(())
}

/// Ports are distinct, and no Nix file writes one of them as a literal
/// (everything else must read the option or `nix/ports.json`).
fn check_ports(files: &[String]) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(PORTS_FILE).with_context(|| format!("reading {PORTS_FILE}"))?;
    let ports: BTreeMap<String, u64> = serde_json::from_str(&text)
        .with_context(|| format!("{PORTS_FILE} is not a JSON object of port numbers"))?;
    let mut by_port: BTreeMap<u64, &str> = BTreeMap::new();
    for (name, port) in &ports {
        ensure!(
            (1..=65535).contains(port),
            "{PORTS_FILE}: {name} = {port} is not a port"
        );
        if let Some(other) = by_port.insert(*port, name) {
            bail!("{PORTS_FILE}: {name} and {other} both use port {port}");
        }
    }
    let mut literals = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
        for (number, line) in text.lines().enumerate() {
            let code = line.split('#').next().unwrap_or_default();
            for port in by_port.keys() {
                if contains_number(code, *port) {
                    literals.push(format!("{file}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    ensure!(
        literals.is_empty(),
        "port numbers written outside {PORTS_FILE} (read the option or the file instead):\n{}",
        literals.join("\n")
    );
    Ok(())
}

/// Whether `text` holds `number` as a whole number (not part of a longer one).
fn contains_number(text: &str, number: u64) -> bool {
    text.split(|c: char| !c.is_ascii_digit())
        .any(|token| token == number.to_string())
}

#[cfg(test)]
mod tests {
    use super::contains_number;

    #[test]
    fn whole_numbers_only() {
        assert!(contains_number("port = 9090;", 9090));
        assert!(contains_number("\"127.0.0.1:9090\"", 9090));
        assert!(!contains_number("port = 19090;", 9090));
        assert!(!contains_number("sha256-90909090", 9090));
    }
}
