//! The middleware that applies the fault settings to business routes.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use tower::{Layer, Service};

use super::Faults;

/// Layer injecting the current faults in front of the business routes. Hand-written
/// so the common case (no fault) costs two atomic loads and no allocation beyond the
/// boxed future.
#[derive(Debug, Clone)]
pub(super) struct FaultLayer {
    pub(super) faults: Faults,
}

impl<S> Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService {
            inner,
            faults: self.faults.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct FaultService<S> {
    inner: S,
    faults: Faults,
}

impl<S> Service<Request> for FaultService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let settings = self.faults.settings();
        if !settings.active() {
            return Box::pin(self.inner.call(request));
        }
        // The service polled ready goes into the future; a clone stays behind.
        let clone = self.inner.clone();
        let mut ready = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match settings.inject().await {
                Some(injected) => Ok(injected),
                None => ready.call(request).await,
            }
        })
    }
}
