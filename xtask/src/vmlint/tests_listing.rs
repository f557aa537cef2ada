//! The VM tests to lint, from `nix/tests/lint.nix`: each test's nodes, its
//! preamble's typed declarations and its Python files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Listed {
    test: PathBuf,
    nodes: Vec<String>,
    declarations: String,
    files: Vec<PathBuf>,
}

/// One VM test as the linters see it.
#[derive(Debug)]
pub(crate) struct VmTest {
    pub(crate) name: String,
    pub(crate) test: PathBuf,
    pub(crate) nodes: Vec<String>,
    pub(crate) declarations: String,
    pub(crate) files: Vec<PathBuf>,
}

impl VmTest {
    /// The names the driver gives the script for its machines: each node's
    /// pythonized name, and `machine` too when there is exactly one node not
    /// already called so (driver.nix, `theOnlyMachine`).
    pub(crate) fn python_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.nodes.iter().map(|node| pythonize(node)).collect();
        if names.len() == 1 && names[0] != "machine" {
            names.push("machine".to_owned());
        }
        names
    }
}

/// driver.nix's pythonizeName: a first character that cannot start an
/// identifier, and any other that cannot be in one, becomes `_`.
fn pythonize(name: &str) -> String {
    name.char_indices()
        .map(|(index, c)| {
            let allowed = c.is_ascii_alphabetic() || c == '_' || (index > 0 && c.is_ascii_digit());
            if allowed { c } else { '_' }
        })
        .collect()
}

/// Renders `nix/tests/lint.nix` under `root`.
pub(crate) fn load(root: &Path) -> anyhow::Result<Vec<VmTest>> {
    let lint = root.join("nix/tests/lint.nix");
    let output = Command::new("nix-instantiate")
        .args(["--eval", "--strict", "--json"])
        .arg(&lint)
        .output()
        .context("cannot run nix-instantiate (apt-get install nix-bin)")?;
    if !output.status.success() {
        bail!(
            "nix-instantiate {} failed:\n{}",
            lint.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let listed: BTreeMap<String, Listed> = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("{} did not render to the expected JSON", lint.display()))?;
    if listed.is_empty() {
        bail!("{} lists no VM test", lint.display());
    }
    Ok(listed
        .into_iter()
        .map(|(name, listed)| VmTest {
            name,
            test: listed.test,
            nodes: listed.nodes,
            declarations: listed.declarations,
            files: listed.files,
        })
        .collect())
}

/// Every test file with a testScript is listed, and every script file is used
/// by a listed test: nothing in `dir` escapes the linters.
pub(crate) fn check_complete(dir: &Path, tests: &[VmTest]) -> anyhow::Result<()> {
    let listed_tests: Vec<String> = tests.iter().filter_map(|t| file_name(&t.test)).collect();
    let listed_files: Vec<String> = tests
        .iter()
        .flat_map(|t| t.files.iter().filter_map(|f| file_name(f)))
        .collect();
    let mut missing = Vec::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let Some(name) = file_name(&path) else {
            continue;
        };
        let is_test =
            name.ends_with(".nix") && std::fs::read_to_string(&path)?.contains("testScript =");
        if is_test && !listed_tests.contains(&name) {
            missing.push(format!("{name} has a testScript but is not in scripts.nix"));
        }
        if name.ends_with(".py") && !listed_files.contains(&name) {
            missing.push(format!("{name} is not a file of any test in scripts.nix"));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        bail!("unlinted VM test files:\n  {}", missing.join("\n  "))
    }
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name()?.to_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_node_is_also_machine() {
        let test = VmTest {
            name: "demo".to_owned(),
            test: PathBuf::from("demo.nix"),
            nodes: vec!["vm".to_owned()],
            declarations: String::new(),
            files: Vec::new(),
        };
        assert_eq!(test.python_names(), ["vm", "machine"]);
    }

    #[test]
    fn names_are_pythonized() {
        assert_eq!(pythonize("web-1"), "web_1");
        assert_eq!(pythonize("1st"), "_st");
    }
}
