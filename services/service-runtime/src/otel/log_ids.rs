//! `trace_id` and `span_id` on JSON log lines. The request future sets them in a
//! thread-local while it is polled ([`WithLogIds`]), and the JSON formatter
//! ([`JsonWithTraceIds`]) writes them first on every line logged meanwhile. This
//! works whatever the log filter lets through, unlike reading span fields (a span
//! the log filter disables is invisible to the formatter).

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use opentelemetry::trace::{SpanId, TraceId};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The trace and span of the request being handled.
pub(crate) type LogIds = (TraceId, SpanId);

thread_local! {
    static CURRENT: Cell<Option<LogIds>> = const { Cell::new(None) };
}

/// A future with [`LogIds`] current while it is polled.
pub(crate) struct WithLogIds<F> {
    inner: Pin<Box<F>>,
    ids: LogIds,
}

impl<F> WithLogIds<F> {
    pub(crate) fn new(ids: LogIds, inner: F) -> Self {
        Self {
            inner: Box::pin(inner),
            ids,
        }
    }
}

impl<F: Future> Future for WithLogIds<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<F::Output> {
        let ids = self.ids;
        // Restored afterwards, so a nested poll (block_on in a handler) stays right.
        let previous = CURRENT.with(|current| current.replace(Some(ids)));
        let result = self.inner.as_mut().poll(context);
        CURRENT.with(|current| current.set(previous));
        result
    }
}

/// The ids current on this thread, if a traced request is being polled.
pub(crate) fn current() -> Option<LogIds> {
    CURRENT.with(Cell::get)
}

/// An event formatter writing `"trace_id"` and `"span_id"` (W3C hex) first, then
/// what the inner JSON formatter writes.
pub(crate) struct JsonWithTraceIds<E> {
    pub(crate) inner: E,
}

impl<S, N, E> FormatEvent<S, N> for JsonWithTraceIds<E>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    E: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let Some((trace_id, span_id)) = current() else {
            return self.inner.format_event(context, writer, event);
        };
        let mut line = String::new();
        self.inner
            .format_event(context, Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            Some(rest) => {
                let separator = if rest.starts_with('}') { "" } else { "," };
                write!(
                    writer,
                    "{{\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\"{separator}{rest}"
                )
            }
            None => writer.write_str(&line),
        }
    }
}
