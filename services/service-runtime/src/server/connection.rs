//! One accepted connection: HTTP/1.1 served by hyper with a header timeout (hyper's
//! own timer), request bodies under a deadline, connection errors counted, and the
//! SIGTERM rule: a connection handling a fully received request may finish it,
//! every other one (idle, half-sent head or body) is closed at once.

use std::convert::Infallible;
use std::future::Future;
use std::io::IoSlice;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body as AxumBody;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tower::ServiceExt;

use super::activity::Activity;
use super::bodies::{DeadlineBody, InFlightBody};
use super::conn_errors;
use super::limits::ConnectionArgs;
use super::write_deadline::{WriteDeadline, is_write_timeout};
use crate::errors::ApiError;
use crate::shutdown::Shutdown;

/// Largest request head (request line and headers) hyper buffers; a larger one is
/// answered 431. It also caps each connection's read buffer, so slow or stuffed
/// heads cost at most this much memory per connection.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Largest number of request headers; one more is answered 431 (hyper's default).
pub const MAX_HEADERS: usize = 100;

/// What every connection of one listener shares.
#[derive(Debug, Clone)]
pub(super) struct Served {
    pub(super) app: Router,
    pub(super) http: http1::Builder,
    pub(super) body_timeout: Duration,
    pub(super) write_timeout: Duration,
    pub(super) shutdown: Shutdown,
}

impl Served {
    pub(super) fn new(app: Router, limits: &ConnectionArgs, shutdown: Shutdown) -> Self {
        let mut http = http1::Builder::new();
        // hyper 1.12 (proto/h1/conn.rs) starts the header timer whenever it polls
        // for a request head: on a new connection and again once a response is done,
        // so this one timeout also closes silent keep-alive connections.
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_headers(MAX_HEADERS)
            .max_buf_size(MAX_HEAD_BYTES);
        Self {
            app,
            http,
            body_timeout: limits.body_timeout,
            write_timeout: limits.write_timeout,
            shutdown,
        }
    }
}

/// Serves `stream` until the client or the server ends it; `_permit` is the
/// connection's slot under `--max-connections`, released when this returns.
pub(super) async fn serve(stream: TcpStream, served: Arc<Served>, _permit: OwnedSemaphorePermit) {
    let activity = Arc::new(Activity::default());
    let io = TokioIo::new(Watched {
        stream,
        activity: activity.clone(),
        writes: WriteDeadline::new(served.write_timeout),
    });
    let service = RequestService {
        app: served.app.clone(),
        body_timeout: served.body_timeout,
        activity: activity.clone(),
    };
    let connection = served.http.serve_connection(io, service);
    tokio::pin!(connection);
    let ended = tokio::select! {
        ended = connection.as_mut() => ended,
        () = served.shutdown.wait() => {
            if !activity.handling_complete_request() {
                return;
            }
            // Answer the request, then close; the listener's drain timeout bounds this.
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = ended {
        let kind = if is_write_timeout(&error) {
            Some(conn_errors::WRITE_TIMEOUT)
        } else {
            conn_errors::classify(&error, activity.heard())
        };
        if let Some(kind) = kind {
            conn_errors::count(kind);
            tracing::debug!(kind, %error, "connection error");
        }
    }
}

/// The hyper service of one connection: the axum app, with the request body under
/// its deadline and the response body tracked.
#[derive(Debug, Clone)]
struct RequestService {
    app: Router,
    body_timeout: Duration,
    activity: Arc<Activity>,
}

type ResponseFuture =
    Pin<Box<dyn Future<Output = Result<Response<InFlightBody>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for RequestService {
    type Response = Response<InFlightBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let has_body = !request.body().is_end_stream();
        self.activity.request_started(has_body);
        let request = if has_body {
            let deadline = tokio::time::Instant::now() + self.body_timeout;
            let activity = self.activity.clone();
            request.map(|body| AxumBody::new(DeadlineBody::new(body, deadline, activity)))
        } else {
            request.map(AxumBody::new)
        };
        let answer = self.app.clone().oneshot(request);
        let activity = self.activity.clone();
        let body_timeout = self.body_timeout;
        Box::pin(async move {
            let Ok(mut response) = answer.await;
            if activity.did_body_time_out() {
                conn_errors::count(conn_errors::BODY_TIMEOUT);
                response = body_timeout_response(body_timeout);
            }
            Ok(response.map(|body| InFlightBody::new(body, activity)))
        })
    }
}

/// 408 with a JSON body, and the connection closed after it: what is left of the
/// late body is never read.
fn body_timeout_response(timeout: Duration) -> Response<AxumBody> {
    let message = format!("Request body not received within {timeout:?}");
    let mut response = ApiError::new(StatusCode::REQUEST_TIMEOUT, message).into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The client socket, noting in the connection's [`Activity`] when bytes arrive,
/// with its writes under the write deadline.
#[derive(Debug)]
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    writes: WriteDeadline,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(context, buf);
        if buf.filled().len() > before {
            self.activity.heard_bytes();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(context, buf);
        this.writes.check(context, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(context, bufs);
        this.writes.check(context, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_flush(context);
        this.writes.check(context, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_shutdown(context);
        this.writes.check(context, polled)
    }
}
