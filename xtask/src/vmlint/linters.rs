//! pyflakes and mypy, invoked as nixos/lib/testing/driver.nix invokes them.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use super::script::{Script, SourceFile};
use super::tests_listing::VmTest;

/// The pinned versions, one `name==version` a line (`.ci/run` installs them).
const REQUIREMENTS: &str = include_str!("../../vm-lint-requirements.txt");

/// The driver's globals (the keys of `Driver.test_symbols` in
/// test_driver/driver.py), which its pyflakes run gets as builtins.
pub(crate) const DRIVER_SYMBOLS: &[&str] = &[
    "start_all",
    "test_script",
    "machines_qemu",
    "machines_nspawn",
    "vlans",
    "driver",
    "log",
    "os",
    "create_machine",
    "subtest",
    "run_tests",
    "join_all",
    "retry",
    "serial_stdout_off",
    "serial_stdout_on",
    "polling_condition",
    "BaseMachine",
    "t",
    "debug",
];

const GLOBALS: &str = "nix/tests/driver-stubs/globals.py";
const STUBS: &str = "nix/tests/driver-stubs";

/// The Python that runs the linters, once each pinned linter answers with its
/// pinned version.
pub(crate) fn check_installed() -> anyhow::Result<PathBuf> {
    let python = crate::ci::find_on_path("python3")
        .context("python3 is not on PATH; vm-lint needs it for pyflakes and mypy")?;
    for requirement in REQUIREMENTS.lines().filter(|line| !line.trim().is_empty()) {
        let (module, version) = requirement
            .split_once("==")
            .with_context(|| format!("{requirement:?} is not name==version"))?;
        let output = Command::new(&python)
            .args(["-m", module, "--version"])
            .output()
            .with_context(|| format!("cannot run {}", python.display()))?;
        let answer = String::from_utf8_lossy(&output.stdout);
        let installed = answer.split_whitespace().any(|word| word == version);
        if !output.status.success() || !installed {
            bail!(
                "{module} {version} is not installed for {} (found: {:?}); run: \
                 python3 -m pip install -r xtask/vm-lint-requirements.txt",
                python.display(),
                answer.trim()
            );
        }
    }
    Ok(python)
}

/// pyflakes on the script the driver runs: the preamble, then the files.
pub(crate) fn pyflakes(
    python: &Path,
    work_dir: &Path,
    test: &VmTest,
    files: &[SourceFile],
) -> anyhow::Result<Vec<String>> {
    let mut script = Script::default();
    script.push(&preamble_label(test), &test.declarations);
    for file in files {
        script.push(&file.label, &file.text);
    }
    let path = write(work_dir, &format!("{}.test-script", test.name), &script)?;
    let mut builtins = test.python_names();
    builtins.extend(DRIVER_SYMBOLS.iter().map(|&symbol| symbol.to_owned()));
    let output = Command::new(python)
        .args(["-m", "pyflakes"])
        .arg(&path)
        .env("PYFLAKES_BUILTINS", builtins.join(","))
        .output()
        .context("cannot run pyflakes")?;
    Ok(problems("pyflakes", &script, &path, &output))
}

/// mypy on the driver's globals, one `name: QemuMachine;` line per machine,
/// then the script, against the driver stubs. `--python-version 3.13` is the
/// Python the pinned nixpkgs runs the driver with.
pub(crate) fn mypy(
    python: &Path,
    work_dir: &Path,
    test: &VmTest,
    files: &[SourceFile],
) -> anyhow::Result<Vec<String>> {
    let mut script = Script::default();
    let globals =
        std::fs::read_to_string(GLOBALS).with_context(|| format!("cannot read {GLOBALS}"))?;
    script.push(GLOBALS, &globals);
    let hints: String = test
        .python_names()
        .iter()
        .map(|name| format!("{name}: QemuMachine;\n"))
        .collect();
    script.push("<node type hints>", &hints);
    script.push(&preamble_label(test), &test.declarations);
    for file in files {
        script.push(&file.label, &file.text);
    }
    let path = write(
        work_dir,
        &format!("{}.testScriptWithTypes.py", test.name),
        &script,
    )?;
    let stubs = std::env::current_dir()?.join(STUBS);
    let output = Command::new(python)
        .args([
            "-m",
            "mypy",
            "--no-implicit-optional",
            "--pretty",
            "--no-color-output",
        ])
        .args(["--python-version", "3.13", "--cache-dir"])
        .arg(work_dir.join("mypy-cache"))
        .arg(&path)
        .env("MYPYPATH", stubs)
        .output()
        .context("cannot run mypy")?;
    Ok(problems("mypy", &script, &path, &output))
}

fn preamble_label(test: &VmTest) -> String {
    format!("<preamble of {}>", test.name)
}

fn write(work_dir: &Path, name: &str, script: &Script) -> anyhow::Result<PathBuf> {
    let path = work_dir.join(name);
    std::fs::write(&path, script.text())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// A failed run's output, located in the sources; nothing for a clean run.
fn problems(
    tool: &str,
    script: &Script,
    path: &Path,
    output: &std::process::Output,
) -> Vec<String> {
    if output.status.success() {
        return Vec::new();
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = vec![format!("{tool} failed ({}):", output.status)];
    lines.extend(script.relabel(&path.display().to_string(), &text));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every driver symbol pyflakes accepts is declared, with a type, in the
    /// globals mypy reads: the two lists cannot drift apart.
    #[test]
    fn every_driver_symbol_is_typed_in_the_globals() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let globals = std::fs::read_to_string(root.join(GLOBALS)).unwrap();
        for symbol in DRIVER_SYMBOLS {
            let declared = globals.lines().any(|line| {
                line.starts_with(&format!("{symbol}:"))
                    || line.starts_with(&format!("{symbol} ="))
                    || line.ends_with(&format!(" as {symbol}"))
            });
            assert!(declared, "{symbol} is not declared in {GLOBALS}");
        }
    }
}
