//! The two body wrappers of a served request: [`DeadlineBody`] fails a request body
//! that is not complete by its deadline (`--body-timeout` after the head), and
//! [`InFlightBody`] marks the connection idle once the response body is done.

use std::error::Error;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::body::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::{Instant, Sleep};

use super::activity::Activity;

type BoxError = Box<dyn Error + Send + Sync>;

/// The error a late request body ends with.
#[derive(Debug)]
pub(super) struct BodyTimedOut;

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("request body not received in time")
    }
}

impl Error for BodyTimedOut {}

/// A request body that fails with [`BodyTimedOut`] if it is not complete by
/// `deadline`. The timer is created only if the body is ever waited for, so bodies
/// that are already buffered cost no timer.
#[derive(Debug)]
pub(super) struct DeadlineBody {
    inner: Incoming,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
    activity: Arc<Activity>,
    done: bool,
}

impl DeadlineBody {
    pub(super) fn new(inner: Incoming, deadline: Instant, activity: Arc<Activity>) -> Self {
        Self {
            inner,
            deadline,
            timer: None,
            activity,
            done: false,
        }
    }

    fn finish(&mut self) {
        self.done = true;
        self.activity.body_finished();
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(context) {
            Poll::Ready(Some(Ok(frame))) => {
                if this.inner.is_end_stream() {
                    this.finish();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => {
                this.finish();
                Poll::Ready(Some(Err(error.into())))
            }
            Poll::Ready(None) => {
                this.finish();
                Poll::Ready(None)
            }
            Poll::Pending => {
                let deadline = this.deadline;
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                ready!(timer.as_mut().poll(context));
                this.done = true;
                this.activity.body_timed_out();
                Poll::Ready(Some(Err(Box::new(BodyTimedOut))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for DeadlineBody {
    fn drop(&mut self) {
        // A body dropped unread no longer holds the request back: hyper discards the
        // rest (or closes the connection) once the response is sent.
        self.activity.body_finished();
    }
}

/// A response body that marks its connection idle when it is dropped, which hyper
/// does once the last frame is taken (or the connection is gone).
#[derive(Debug)]
pub(super) struct InFlightBody {
    inner: axum::body::Body,
    activity: Arc<Activity>,
}

impl InFlightBody {
    pub(super) fn new(inner: axum::body::Body, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl Body for InFlightBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(context)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for InFlightBody {
    fn drop(&mut self) {
        self.activity.response_finished();
    }
}
