//! `lookout-pdeathsig PARENT_PID PROGRAM [ARGS...]`: asks the kernel to SIGKILL
//! this process when its parent dies, then executes PROGRAM in its place (the
//! parent-death signal survives `execve`). The supervisor starts every child
//! through it, because setting the signal between `fork` and `exec` in the
//! supervisor itself would need `unsafe` (`pre_exec`), which lookout forbids.
//!
//! PARENT_PID is the pid the caller expects as parent: if that parent died
//! before the signal was set, nothing would ever send it, so the helper exits
//! instead of running an orphan.

use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use nix::sys::prctl::set_pdeathsig;
use nix::sys::signal::Signal;
use nix::unistd::getppid;

const USAGE: &str = "usage: lookout-pdeathsig PARENT_PID PROGRAM [ARGS...]";

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(parent), Some(program)) = (args.next(), args.next()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Some(parent) = parent.to_str().and_then(|text| text.parse::<i32>().ok()) else {
        eprintln!("lookout-pdeathsig: PARENT_PID must be a process id\n{USAGE}");
        return ExitCode::from(2);
    };
    if let Err(err) = set_pdeathsig(Signal::SIGKILL) {
        eprintln!("lookout-pdeathsig: cannot set the parent-death signal: {err}");
        return ExitCode::from(1);
    }
    if getppid().as_raw() != parent {
        eprintln!("lookout-pdeathsig: parent {parent} exited before the child started");
        return ExitCode::from(1);
    }
    // Only returns when the program could not be executed.
    let err = Command::new(&program).args(args).exec();
    eprintln!(
        "lookout-pdeathsig: cannot execute {}: {err}",
        program.to_string_lossy()
    );
    ExitCode::from(127)
}
