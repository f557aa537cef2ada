//! Process metrics read from `/proc/self` through the `procfs` crate. They are rendered here rather than
//! through the `metrics` crate because its counters hold integers and
//! `process_cpu_seconds_total` is a fractional counter. Reading `/proc` is most of
//! the cost of a scrape, so the rendered block is reused for [`REFRESH`]: far below
//! any scrape interval, it only matters when something hammers `/metrics`.

use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use procfs::process::{LimitValue, Process, Stat};

use crate::catalog::{self, MetricKind};

/// How long a rendered block of process metrics is reused.
const REFRESH: Duration = Duration::from_secs(1);

/// Appends the process metrics in Prometheus text format to `out`, read at most
/// [`REFRESH`] ago.
pub(crate) fn render(out: &mut String) {
    static CACHE: Mutex<Option<(Instant, String)>> = Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    match cache.as_ref() {
        Some((read_at, block)) if read_at.elapsed() < REFRESH => out.push_str(block),
        _ => {
            let mut block = String::new();
            render_now(&mut block);
            out.push_str(&block);
            *cache = Some((Instant::now(), block));
        }
    }
}

/// Reads `/proc/self` and appends the process metrics to `out`.
///
/// A value that cannot be read (no `/proc`, a field missing) is left out rather than
/// reported wrong.
fn render_now(out: &mut String) {
    let Ok(process) = Process::myself() else {
        return;
    };
    let stat = process.stat().ok();
    if let Some(stat) = &stat {
        let ticks = (stat.utime + stat.stime) as f64;
        write_metric(
            out,
            catalog::PROCESS_CPU_SECONDS_TOTAL,
            ticks / ticks_per_second(),
        );
        write_metric(
            out,
            catalog::PROCESS_VIRTUAL_MEMORY_BYTES,
            stat.vsize as f64,
        );
    }
    if let Some(rss) = resident_bytes(&process) {
        write_metric(out, catalog::PROCESS_RESIDENT_MEMORY_BYTES, rss as f64);
    }
    if let Ok(open) = process.fd_count() {
        write_metric(out, catalog::PROCESS_OPEN_FDS, open as f64);
    }
    let max_fds = process
        .limits()
        .ok()
        .and_then(|limits| match limits.max_open_files.soft_limit {
            LimitValue::Value(max) => Some(max),
            LimitValue::Unlimited => None,
        });
    if let Some(max) = max_fds {
        write_metric(out, catalog::PROCESS_MAX_FDS, max as f64);
    }
    if let Some(start) = start_time_seconds(stat.as_ref()) {
        write_metric(out, catalog::PROCESS_START_TIME_SECONDS, start);
    }
}

fn write_metric(out: &mut String, name: &str, value: f64) {
    let (help, kind) =
        catalog::spec(name).map_or(("", MetricKind::Gauge), |spec| (spec.help, spec.kind));
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {}\n{name} {value}\n\n",
        kind.as_str()
    );
}

/// Clock ticks per second of `/proc/<pid>/stat` times (`sysconf(_SC_CLK_TCK)`).
fn ticks_per_second() -> f64 {
    procfs::ticks_per_second() as f64
}

/// `VmRSS` of `/proc/self/status`, which is in kB whatever the page size.
fn resident_bytes(process: &Process) -> Option<u64> {
    Some(process.status().ok()?.vmrss? * 1024)
}

/// Boot time plus the process's start offset; computed once, it never changes.
fn start_time_seconds(stat: Option<&Stat>) -> Option<f64> {
    static START: OnceLock<Option<f64>> = OnceLock::new();
    *START.get_or_init(|| {
        let boot = procfs::boot_time_secs().ok()? as f64;
        Some(boot + stat?.starttime as f64 / ticks_per_second())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_process_metric_with_help_and_type() {
        let mut out = String::new();
        render(&mut out);
        for name in [
            catalog::PROCESS_CPU_SECONDS_TOTAL,
            catalog::PROCESS_RESIDENT_MEMORY_BYTES,
            catalog::PROCESS_VIRTUAL_MEMORY_BYTES,
            catalog::PROCESS_OPEN_FDS,
            catalog::PROCESS_MAX_FDS,
            catalog::PROCESS_START_TIME_SECONDS,
        ] {
            assert!(
                out.contains(&format!("# HELP {name} ")),
                "{name} missing in {out}"
            );
            let value = out
                .lines()
                .find_map(|line| line.strip_prefix(&format!("{name} ")))
                .and_then(|value| value.parse::<f64>().ok());
            assert!(value.is_some_and(|value| value >= 0.0), "{name}: {value:?}");
        }
        assert!(out.contains("# TYPE process_cpu_seconds_total counter"));
    }

    #[test]
    fn resident_memory_and_start_time_are_plausible() {
        let process = Process::myself().expect("/proc/self");
        assert!(resident_bytes(&process).is_some_and(|rss| rss > 100 * 1024));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs_f64();
        let stat = process.stat().expect("/proc/self/stat");
        let start = start_time_seconds(Some(&stat)).expect("start time");
        assert!(
            start <= now + 1.0 && start > now - 86_400.0 * 365.0,
            "{start} vs {now}"
        );
    }
}
