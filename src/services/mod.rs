//! Built-in services: Rust tasks that play the other side of a service
//! protocol declared in `prelude/`. One file per service; this module only
//! dispatches a wiring reference (`ir::Service`) to the right one.
//!
//! Services are daemon tasks: they never keep a program alive on their own.

pub mod console;
pub mod fs;
pub mod tcp;
pub mod time;

use crate::eval::value::Value;
use crate::eval::{Host, Output, RunError};
use crate::ir::{Program, Service, Tag};
use crate::runtime::{Cx, End, Step, Task, TaskInfo};
use crate::source::Span;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::io::Read;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What a run may reach outside the terminal (`mpl run --allow-read=DIR
/// --allow-write=DIR --allow-net[=ADDR]`). Every path a program names is
/// resolved inside one of these roots, or refused.
#[derive(Clone, Debug)]
pub struct Permissions {
    /// Roots under which files may be read (default: the current folder).
    pub read: Vec<PathBuf>,
    /// Roots under which files may be written (default: none).
    pub write: Vec<PathBuf>,
    /// The address `ListenOnPort` binds to (default: 127.0.0.1);
    /// `None` when network access is denied.
    pub listen: Option<IpAddr>,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions {
            read: vec![PathBuf::from(".")],
            write: Vec::new(),
            listen: Some(IpAddr::from([127, 0, 0, 1])),
        }
    }
}

/// What the services of one run share: the host's streams and the tags of
/// the labels they speak, looked up once before the run.
pub struct ServiceEnv {
    pub stdin: Arc<Mutex<Option<Box<dyn Read + Send>>>>,
    pub stdout: Output,
    pub stderr: Output,
    pub labels: Labels,
    pub permissions: Permissions,
    /// Every tag of the program by name, for services to look up the
    /// labels of their protocol once, when they start.
    pub tags: HashMap<String, Tag>,
}

impl ServiceEnv {
    /// The tag of a label the program may use; `u32::MAX` (a tag no value
    /// carries) when the program never mentions it.
    pub fn tag(&self, name: &str) -> Tag {
        self.tags.get(name).copied().unwrap_or(u32::MAX)
    }
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
            permissions: host.permissions,
            tags: program
                .tags
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i as Tag))
                .collect(),
        };
        (env, host.args)
    }
}

/// A service that answers the messages arriving on one end, one at a time.
/// `Serve` turns it into a task.
pub trait Handler: Send + 'static {
    /// The service's end of its channel.
    fn end(&self) -> &End<Value>;
    /// The name in reports.
    fn name(&self) -> &'static str;
    /// Handles one message; `Some(step)` ends the task's turn with `step`.
    fn handle(
        &mut self,
        cx: &mut Cx<'_, Value, RunError>,
        msg: Value,
    ) -> Option<Step<Value, RunError>>;
}

/// Runs a `Handler`: takes messages until none is left (then parks on its
/// end) or the budget is used.
pub struct Serve<H>(pub H);

impl<H: Handler> Task<Value, RunError> for Serve<H> {
    fn run(&mut self, cx: &mut Cx<'_, Value, RunError>) -> Step<Value, RunError> {
        for _ in 0..cx.budget() {
            let Some(msg) = self.0.end().try_get() else {
                return Step::Park(self.0.end().clone());
            };
            if let Some(step) = self.0.handle(cx, msg) {
                return step;
            }
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        let end = self.0.end();
        TaskInfo {
            name: self.0.name().into(),
            waiting_at: None,
            holds: vec![(end.id(), end.side())],
        }
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
        Service::TimeService => time::start(cx, env, span),
        Service::FileSystem => fs::start(cx, env, span),
        Service::TcpListenService => tcp::start(cx, env, span),
    }
}
