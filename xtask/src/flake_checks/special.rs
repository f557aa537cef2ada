//! The two twins that are more than commands: config-render (rendered at
//! evaluation time by the flake) and nix-style (alejandra has no Debian package,
//! its crate is linked into xtask).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, ensure};

/// Renders `nix/config-render.nix` of the copy with nix-instantiate, writes its
/// files into `work` and runs its script there, as the config-render check does.
pub(super) fn config_render(copy: &Path, work: &Path) -> anyhow::Result<()> {
    let root = copy.to_str().context("the copy's path is not UTF-8")?;
    ensure!(
        !root.contains(['"', '\\', '$']),
        "the copy's path {root:?} cannot be quoted in Nix"
    );
    let rendered =
        crate::nixcheck::eval_json(&format!("import {root}/nix/config-render.nix \"{root}\""))?;
    let files = rendered["files"]
        .as_object()
        .context("nix/config-render.nix gives no `files`")?;
    let script = rendered["script"]
        .as_str()
        .context("nix/config-render.nix gives no `script`")?;
    std::fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    for (name, value) in files {
        ensure!(
            !name.contains('/'),
            "rendered file name {name:?} is not a plain name"
        );
        std::fs::write(work.join(name), serde_json::to_vec_pretty(value)?)
            .with_context(|| format!("writing {name}"))?;
    }
    run_script(script, work)
}

fn run_script(script: &str, dir: &Path) -> anyhow::Result<()> {
    let status = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .status()
        .context("running bash")?;
    ensure!(
        status.success(),
        "the script exited with {status}:\n{script}"
    );
    Ok(())
}

/// The copy holds every tracked `.nix` file (else `nix flake check` would leave
/// it unchecked), each formatted as alejandra formats it, and deadnix finds
/// nothing in it.
pub(super) fn nix_style(copy: &Path, repository_files: &[String]) -> anyhow::Result<()> {
    let outside: Vec<&str> = repository_files
        .iter()
        .filter(|file| file.ends_with(".nix") && !copy.join(file).is_file())
        .map(String::as_str)
        .collect();
    ensure!(
        outside.is_empty(),
        ".nix files outside the nix-style set of nix/sources.nix (the flake check would not see them):\n  {}",
        outside.join("\n  ")
    );
    let copied = repository_files
        .iter()
        .filter(|file| file.ends_with(".nix"))
        .map(|file| copy.join(file))
        .collect();
    crate::nixfmt::run(&crate::nixfmt::Options::check(copied))?;
    let status = Command::new("deadnix")
        .args(["--fail", "."])
        .current_dir(copy)
        .status()
        .context("running deadnix (cargo install deadnix --locked)")?;
    ensure!(status.success(), "deadnix found unused code (see above)");
    Ok(())
}
