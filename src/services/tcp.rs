//! The `tcp` service (LANGUAGE.md section 9). Being written.

use super::ServiceEnv;
use crate::eval::RunError;
use crate::eval::value::Value;
use crate::runtime::{Cx, End};
use crate::source::Span;

/// Starts the service as a daemon task and returns the program's end.
pub fn start(
    _cx: &mut Cx<'_, Value, RunError>,
    _env: &ServiceEnv,
    span: Span,
) -> Result<End<Value>, RunError> {
    Err(RunError {
        message: "this service is not available yet".into(),
        span,
        process: "wiring".into(),
        help: None,
    })
}
