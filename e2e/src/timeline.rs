//! Measured alert latencies next to their theoretical minimum, printed as a table
//! at the end of the end-to-end test. These are figures, never assertions.

use std::time::Duration;

/// One measured delivery.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// What was delivered (`HighErrorRate{job=user-service} firing`).
    pub what: String,
    /// What the clock started at (`fault injected`, `service killed`, ...).
    pub from: String,
    /// Time from that event until the test saw the notification at the receiver.
    pub measured: Duration,
    /// Lower bound: `for` + evaluation interval + scrape interval + group wait.
    pub minimum: Duration,
    /// How the minimum is made up.
    pub minimum_formula: String,
}

/// Every measurement of one run.
#[derive(Debug, Default)]
pub struct Timeline {
    rows: Vec<Measurement>,
}

impl Timeline {
    /// Records one measurement and prints it at once.
    pub fn record(&mut self, row: Measurement) {
        println!(
            "[timing] {}: {:.1}s from {} (theoretical minimum {:.1}s = {})",
            row.what,
            row.measured.as_secs_f64(),
            row.from,
            row.minimum.as_secs_f64(),
            row.minimum_formula
        );
        self.rows.push(row);
    }

    /// The measurements so far.
    pub fn rows(&self) -> &[Measurement] {
        &self.rows
    }

    /// A Markdown table of every measurement.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| delivered | clock started at | measured | theoretical minimum | made of |\n| --- | --- | ---: | ---: | --- |\n",
        );
        for row in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {:.1} s | {:.1} s | {} |\n",
                row.what,
                row.from,
                row.measured.as_secs_f64(),
                row.minimum.as_secs_f64(),
                row.minimum_formula
            ));
        }
        out
    }
}
