//! lookout's host end-to-end harness: runs the real Prometheus, Alertmanager and
//! node exporter next to our services, alert receiver and traffic generator, with
//! configs rendered by the repository's pure Nix functions, and gives tests typed
//! clients for every API involved. The `lookout-stack` binary runs the same stack
//! on the well-known ports for local use.

pub mod alerts;
pub mod clients;
pub mod listeners;
pub mod otlp_sink;
pub mod ports;
pub mod render;
pub mod stack;
pub mod supervisor;
pub mod timeline;
pub mod tools;
pub mod wait;
