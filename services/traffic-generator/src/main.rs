//! `traffic-generator`: steady, tunable traffic for user-service and order-service.
//!
//! ```text
//! traffic-generator --rate 20 --duration 5m --error-share 0.2
//! ```
//!
//! Invalid flags print one line and exit 2; SIGTERM, ctrl-c or the end of
//! `--duration` stop it with exit 0 after the final summary line.

use std::process::ExitCode;

use clap::Parser;
use service_runtime::{shutdown::Shutdown, telemetry};

use traffic_generator::SERVICE;
use traffic_generator::config::Config;
use traffic_generator::runner;

/// Exit status for unusable flags, as clap uses.
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let config = match Config::try_parse() {
        Ok(config) => config,
        Err(error) if !error.use_stderr() => {
            // --help and --version: print and exit 0.
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => return usage_error(first_line(&error.to_string())),
    };
    let plan = match config.plan() {
        Ok(plan) => plan,
        Err(message) => return usage_error(&message),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return failure(&format!("cannot start tokio: {error}")),
    };
    let result = service_runtime::launch::run_to_exit(runtime, async {
        let telemetry = telemetry::init(SERVICE, &config.common, &config.tracing)?;
        let finished = runner::run(plan, Shutdown::on_signals()).await;
        telemetry.flush().await;
        finished
    });
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => failure(&format!("{error:#}")),
    }
}

/// clap's message without its `error: ` prefix and the usage hints after it.
fn first_line(message: &str) -> &str {
    let line = message.lines().next().unwrap_or(message);
    line.strip_prefix("error: ").unwrap_or(line)
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("traffic-generator: {message}");
    ExitCode::from(USAGE_ERROR)
}

fn failure(message: &str) -> ExitCode {
    eprintln!("traffic-generator: {message}");
    ExitCode::FAILURE
}
