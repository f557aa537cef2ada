//! Steps that run at the same time, each writing to its own log file, so their
//! output never interleaves; the logs are printed in step order once every
//! step has ended. Every step ends by itself (each test has its own deadlines),
//! so waiting for all of them has a bound.

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::Context;

use super::{Step, report};

/// Runs `steps` together; returns the names of those that failed.
pub(super) fn run(steps: &[Step]) -> anyhow::Result<Vec<&'static str>> {
    let logs = PathBuf::from("target/ci-logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let started = Instant::now();
    println!(
        "\n==> {} steps at the same time (their output follows when all have ended):",
        steps.len()
    );
    let mut running = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        println!("    {}", step.name);
        let path = logs.join(format!("step-{index}.log"));
        let log = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let child = Command::new(step.program)
            .args(step.args)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn();
        running.push((step, path, child));
    }
    let mut failed = Vec::new();
    for (step, path, child) in running {
        let status = child.and_then(|mut child| child.wait());
        println!("\n==> {}", step.name);
        match File::open(&path) {
            Ok(mut log) => {
                let mut stdout = std::io::stdout().lock();
                std::io::copy(&mut log, &mut stdout)
                    .with_context(|| format!("printing {}", path.display()))?;
            }
            Err(err) => println!("(no log at {}: {err})", path.display()),
        }
        if !report(step, status, started) {
            failed.push(step.name);
        }
    }
    Ok(failed)
}
