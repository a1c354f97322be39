//! Built-in services: Rust tasks that play the other side of a service
//! protocol declared in `prelude/`. One file per service; this module only
//! dispatches a wiring reference (`ir::Service`) to the right one.
//!
//! Services are daemon tasks: they never keep a program alive on their own.

pub mod console;

use crate::eval::value::Value;
use crate::eval::{Host, Output, RunError};
use crate::ir::{Program, Service, Tag};
use crate::runtime::{Cx, End};
use crate::source::Span;
use parking_lot::Mutex;
use std::io::Read;
use std::sync::Arc;

/// What the services of one run share: the host's streams and the tags of
/// the labels they speak, looked up once before the run.
pub struct ServiceEnv {
    pub stdin: Arc<Mutex<Option<Box<dyn Read + Send>>>>,
    pub stdout: Output,
    pub stderr: Output,
    pub labels: Labels,
}

/// Tags of the labels the terminal services use. A label the program never
/// mentions gets a tag no value carries (`u32::MAX`).
#[derive(Clone, Copy, Debug)]
pub struct Labels {
    pub get: Tag,
    pub stop_get: Tag,
    pub put: Tag,
    pub stop_put: Tag,
    pub read_line: Tag,
    pub line: Tag,
    pub end_of_input: Tag,
    pub write: Tag,
    pub stop_console: Tag,
}

impl Labels {
    pub fn of(program: &Program) -> Labels {
        let t = |n: &str| program.tag(n).unwrap_or(u32::MAX);
        Labels {
            get: t("Get"),
            stop_get: t("StopGet"),
            put: t("Put"),
            stop_put: t("StopPut"),
            read_line: t("ReadLine"),
            line: t("Line"),
            end_of_input: t("EndOfInput"),
            write: t("Write"),
            stop_console: t("StopConsole"),
        }
    }
}

impl ServiceEnv {
    pub fn new(host: Host, program: &Program) -> (ServiceEnv, Vec<String>) {
        let env = ServiceEnv {
            stdin: Arc::new(Mutex::new(Some(host.stdin))),
            stdout: host.stdout,
            stderr: host.stderr,
            labels: Labels::of(program),
        };
        (env, host.args)
    }
}

/// Starts the service `service` as a daemon task and returns the end the
/// program holds. `span` is where the wiring names it (for errors).
pub fn connect(
    service: Service,
    span: Span,
    cx: &mut Cx<'_, Value, RunError>,
    env: &ServiceEnv,
) -> Result<End<Value>, RunError> {
    match service {
        Service::Stdin => Ok(console::start_stdin(cx, env)),
        Service::Stdout => Ok(console::start_named_output(
            cx,
            "stdout",
            env.stdout.clone(),
            env.labels,
        )),
        Service::Stderr => Ok(console::start_named_output(
            cx,
            "stderr",
            env.stderr.clone(),
            env.labels,
        )),
        Service::Console => Ok(console::start_console(cx, env)),
        other => Err(RunError {
            message: format!("the {other:?} service is not available in this version"),
            span,
            process: "wiring".into(),
            help: Some("the terminal services stdin, stdout, stderr and console are".into()),
        }),
    }
}
