//! Process metrics read from `/proc/self`. They are rendered here rather than
//! through the `metrics` crate because its counters hold integers and
//! `process_cpu_seconds_total` is a fractional counter. Reading `/proc` is most of
//! the cost of a scrape, so the rendered block is reused for [`REFRESH`]: far below
//! any scrape interval, it only matters when something hammers `/metrics`.

use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crate::catalog::{self, MetricKind};

/// Clock ticks per second of `/proc/<pid>/stat` times; 100 on every Linux architecture
/// lookout targets (x86_64 and aarch64), and not readable without libc.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

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

/// Reads `/proc` and appends the process metrics to `out`.
///
/// A value that cannot be read (no `/proc`, a field missing) is left out rather than
/// reported wrong.
fn render_now(out: &mut String) {
    let stat = read_stat();
    if let Some(stat) = &stat {
        let cpu = (stat.utime_ticks + stat.stime_ticks) as f64 / CLOCK_TICKS_PER_SECOND;
        write_metric(out, catalog::PROCESS_CPU_SECONDS_TOTAL, cpu);
        write_metric(
            out,
            catalog::PROCESS_VIRTUAL_MEMORY_BYTES,
            stat.vsize_bytes as f64,
        );
    }
    if let Some(rss) = resident_bytes() {
        write_metric(out, catalog::PROCESS_RESIDENT_MEMORY_BYTES, rss as f64);
    }
    if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
        write_metric(out, catalog::PROCESS_OPEN_FDS, entries.count() as f64);
    }
    if let Some(max) = max_fds() {
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

struct Stat {
    utime_ticks: u64,
    stime_ticks: u64,
    start_ticks: u64,
    vsize_bytes: u64,
}

/// Parses `/proc/self/stat`. The command name (field 2) may contain spaces and
/// parentheses, so fields are counted from the last `)`.
fn read_stat() -> Option<Stat> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // fields[0] is field 3 (state) of proc(5), so field N is fields[N - 3].
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some(Stat {
        utime_ticks: field(14)?,
        stime_ticks: field(15)?,
        start_ticks: field(22)?,
        vsize_bytes: field(23)?,
    })
}

/// `VmRSS` of `/proc/self/status`, which is in kB whatever the page size.
fn resident_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kilobytes = line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    Some(kilobytes * 1024)
}

/// Soft limit of "Max open files" in `/proc/self/limits`.
fn max_fds() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Boot time plus the process's start offset; computed once, it never changes.
fn start_time_seconds(stat: Option<&Stat>) -> Option<f64> {
    static START: OnceLock<Option<f64>> = OnceLock::new();
    *START.get_or_init(|| {
        let stat = stat?;
        let text = std::fs::read_to_string("/proc/stat").ok()?;
        let boot = text.lines().find_map(|line| line.strip_prefix("btime "))?;
        let boot = boot.trim().parse::<f64>().ok()?;
        Some(boot + stat.start_ticks as f64 / CLOCK_TICKS_PER_SECOND)
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
        assert!(resident_bytes().is_some_and(|rss| rss > 100 * 1024));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs_f64();
        let start = start_time_seconds(read_stat().as_ref()).expect("start time");
        assert!(
            start <= now + 1.0 && start > now - 86_400.0 * 365.0,
            "{start} vs {now}"
        );
    }
}
