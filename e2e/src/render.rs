//! Rendering configuration with the repository's pure Nix functions
//! (`nix/lib/*.nix`) through `nix-instantiate --eval --strict --json`, so that
//! Prometheus and Alertmanager here load exactly what the NixOS modules deploy.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::tools::{Tool, locate_tool};

/// Calls the function in `repo/nix/lib/<file>` with `args` and returns its value
/// as JSON. The arguments travel through a JSON file in `scratch_dir` (named after
/// `file`), which avoids quoting them into a Nix expression.
pub fn call_nix_function(
    repo: &Path,
    file: &str,
    args: &Value,
    scratch_dir: &Path,
) -> Result<Value> {
    let nix = locate_tool(Tool::NixInstantiate)?;
    let function = repo.join("nix/lib").join(file);
    if !function.is_file() {
        bail!("{} does not exist", function.display());
    }
    let args_path = scratch_dir.join(format!("{file}.args.json"));
    std::fs::write(&args_path, serde_json::to_vec_pretty(args)?)
        .with_context(|| format!("writing {}", args_path.display()))?;
    let expr = format!(
        "import {} (builtins.fromJSON (builtins.readFile {}))",
        nix_path(&function)?,
        nix_path(&args_path)?
    );
    let output = std::process::Command::new(&nix)
        .args(["--eval", "--strict", "--json", "--expr", &expr])
        .output()
        .with_context(|| format!("running {}", nix.display()))?;
    if !output.status.success() {
        bail!(
            "nix-instantiate failed on {}: {}",
            function.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout)
        .with_context(|| format!("{} did not evaluate to JSON", function.display()))
}

/// Writes a rendered value as a config file. JSON is valid YAML, so Prometheus
/// and Alertmanager read it as is.
pub fn write_config(path: &Path, value: &Value) -> Result<()> {
    std::fs::write(path, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("writing {}", path.display()))
}

/// An absolute path as a Nix path literal. Nix path literals cannot hold spaces
/// or quotes, so such paths are refused rather than mis-quoted.
fn nix_path(path: &Path) -> Result<String> {
    let absolute = std::path::absolute(path)?;
    let text = absolute
        .to_str()
        .with_context(|| format!("{} is not UTF-8", absolute.display()))?;
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        bail!("{text} cannot be written as a Nix path literal (unusual characters)");
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_is_called_with_json_arguments() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = dir.path().join("nix/lib");
        std::fs::create_dir_all(&lib).expect("mkdir");
        std::fs::write(lib.join("echo.nix"), "args: { got = args.x + 1; }").expect("write");
        let value = call_nix_function(
            dir.path(),
            "echo.nix",
            &serde_json::json!({"x": 41}),
            dir.path(),
        )
        .expect("evaluates");
        assert_eq!(value, serde_json::json!({"got": 42}));
    }

    #[test]
    fn odd_paths_are_refused() {
        assert!(nix_path(Path::new("/tmp/a b")).is_err());
        assert!(nix_path(Path::new("/tmp/ok-path_1.json")).is_ok());
    }
}
