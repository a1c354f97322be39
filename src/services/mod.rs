//! Built-in services: Rust tasks that play the other side of a protocol the
//! prelude declares (`prelude/services.mpl`). One file per service; this
//! module holds the registry that lists them ([`REGISTRY`]) and what every
//! service shares: the run's streams and permissions ([`ServiceEnv`]), the
//! label tags looked up once per run ([`service_labels!`]), the
//! [`Handler`]/[`Serve`] wrapper for message-driven services, and the
//! helpers for their errors.
//!
//! Adding a service: a file here with a `start` function and its labels,
//! its protocol in `prelude/services.mpl`, and one entry in [`REGISTRY`].
//! The checker reads the entry's name and protocol, the evaluator reaches
//! the start function through [`crate::host::Services`]; neither names the
//! service otherwise.
//!
//! Services are daemon tasks: they never keep a program alive on their own.
//! This module does no I/O of its own; the service files do.

pub mod console;
pub mod fs;
pub mod tcp;
pub mod terminal;
pub mod time;

use crate::host::{HostIo, Output, Permissions, RunError, Services};
use crate::ir::{Program, ServiceId, Tag};
use crate::runtime::{Cx, End, Step, Task, TaskInfo};
use crate::source::Span;
use crate::value::Value;
use parking_lot::Mutex;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The task context every service runs in.
pub type Ctx<'a> = Cx<'a, Value, RunError>;
/// What a service's turn returns.
pub type ServiceStep = Step<Value, RunError>;

/// What a service may reach beyond the terminal, granted by the command
/// line's `--allow-*` flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// The terminal only (always granted).
    Terminal,
    /// Files under the `--allow-read` and `--allow-write` roots.
    Files,
    /// Listening on the `--allow-net` address.
    Network,
}

/// The protocol the program's end of a service follows: a protocol the
/// prelude declares, applied to built-in types (`GetSeq<Char>`).
#[derive(Clone, Copy, Debug)]
pub struct ProtocolRef {
    pub name: &'static str,
    pub args: &'static [&'static str],
}

/// One built-in service.
pub struct Entry {
    /// The name the wiring uses (`stdin`, `timeService`).
    pub name: &'static str,
    /// The protocol of the program's end.
    pub protocol: ProtocolRef,
    /// What the service may reach; [`Connection`] shows it nothing more.
    pub permission: Permission,
    /// Every label the service speaks, in the order its `start` function
    /// receives their tags (a [`service_labels!`] struct's `NAMES`).
    pub labels: &'static [&'static str],
    /// Spawns the service's task and returns the program's end.
    pub start: fn(&mut Ctx<'_>, &Connection<'_>) -> Result<End<Value>, RunError>,
}

const fn protocol(name: &'static str, args: &'static [&'static str]) -> ProtocolRef {
    ProtocolRef { name, args }
}

/// Every built-in service, in the order of their ids (`ir::ServiceId`).
pub static REGISTRY: &[Entry] = &[
    Entry {
        name: "stdin",
        protocol: protocol("GetSeq", &["Char"]),
        permission: Permission::Terminal,
        labels: console::StdinLabels::NAMES,
        start: console::start_stdin,
    },
    Entry {
        name: "stdout",
        protocol: protocol("PutSeq", &["Char"]),
        permission: Permission::Terminal,
        labels: console::OutputLabels::NAMES,
        start: console::start_stdout,
    },
    Entry {
        name: "stderr",
        protocol: protocol("PutSeq", &["Char"]),
        permission: Permission::Terminal,
        labels: console::OutputLabels::NAMES,
        start: console::start_stderr,
    },
    Entry {
        name: "console",
        protocol: protocol("Console", &[]),
        permission: Permission::Terminal,
        labels: console::ConsoleLabels::NAMES,
        start: console::start_console,
    },
    Entry {
        name: "timeService",
        protocol: protocol("TimeService", &[]),
        permission: Permission::Terminal,
        labels: time::Labels::NAMES,
        start: time::start,
    },
    Entry {
        name: "fileSystem",
        protocol: protocol("FileSystem", &[]),
        permission: Permission::Files,
        labels: fs::Labels::NAMES,
        start: fs::start,
    },
    Entry {
        name: "tcpListenService",
        protocol: protocol("TcpListenService", &[]),
        permission: Permission::Network,
        labels: tcp::Labels::NAMES,
        start: tcp::start,
    },
    Entry {
        name: "terminals",
        protocol: protocol("Terminals", &[]),
        permission: Permission::Terminal,
        labels: terminal::Labels::NAMES,
        start: terminal::start,
    },
];

/// The id of the service the wiring calls `name`.
pub fn by_name(name: &str) -> Option<ServiceId> {
    REGISTRY
        .iter()
        .position(|e| e.name == name)
        .map(|i| ServiceId(i as u16))
}

/// The registry entry of `id`.
pub fn entry(id: ServiceId) -> &'static Entry {
    &REGISTRY[id.0 as usize]
}

/// Declares a struct of label tags for one service, with the label names in
/// field order (`NAMES`, for the registry) and a constructor from the tags
/// the registry looked up (`from_tags`, in the same order).
#[macro_export]
macro_rules! service_labels {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($field:ident = $label:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        $vis struct $name {
            $(pub $field: $crate::ir::Tag,)*
        }

        impl $name {
            /// The labels' names, in field order.
            pub const NAMES: &'static [&'static str] = &[$($label),*];

            /// The labels' tags from the registry's lookup, in field order.
            pub fn from_tags(tags: &[$crate::ir::Tag]) -> $name {
                let mut tags = tags.iter().copied();
                $name {
                    $($field: tags.next().unwrap_or($crate::ir::Tag::MAX),)*
                }
            }
        }
    };
}
pub use crate::service_labels;

/// What the services of one run share: the host's streams and permissions,
/// and each registry entry's label tags, looked up once as the run starts.
pub struct ServiceEnv {
    pub stdin: Arc<Mutex<Option<crate::host::Input>>>,
    pub stdout: Output,
    pub stderr: Output,
    permissions: Permissions,
    /// `tags[i]` are the tags of `REGISTRY[i].labels`, in order.
    tags: Vec<Vec<Tag>>,
    /// See [`Services::unmet`]; services set and clear it.
    pub unmet: Unmet,
}

/// The failed request of a run that nothing has made good yet (see
/// [`Services::unmet`]), shared by the services that can fail that way.
pub type Unmet = Arc<Mutex<Option<RunError>>>;

/// Makes the services of one run: looks up every label each service
/// speaks in `program`. A label the prelude does not declare fails here,
/// naming the service and the label, before anything runs.
pub fn open(program: &Program, io: HostIo) -> Result<Arc<dyn Services>, RunError> {
    Ok(Arc::new(ServiceEnv::new(program, io)?))
}

impl ServiceEnv {
    pub fn new(program: &Program, io: HostIo) -> Result<ServiceEnv, RunError> {
        let tags = REGISTRY
            .iter()
            .map(|entry| lookup_labels(program, entry))
            .collect::<Result<_, _>>()?;
        Ok(ServiceEnv {
            stdin: Arc::new(Mutex::new(Some(io.stdin))),
            stdout: io.stdout,
            stderr: io.stderr,
            permissions: io.permissions,
            tags,
            unmet: Unmet::default(),
        })
    }
}

fn lookup_labels(program: &Program, entry: &Entry) -> Result<Vec<Tag>, RunError> {
    entry
        .labels
        .iter()
        .map(|label| {
            program.tag(label).ok_or_else(|| {
                RunError::internal(
                    entry.name,
                    format!(
                        "the service `{}` speaks the label `{label}`, which the prelude does not declare",
                        entry.name
                    ),
                )
            })
        })
        .collect()
}

impl Services for ServiceEnv {
    fn connect(&self, id: ServiceId, span: Span, cx: &mut Ctx<'_>) -> Result<End<Value>, RunError> {
        let Some(entry) = REGISTRY.get(id.0 as usize) else {
            return Err(RunError::internal(
                "wiring",
                format!("no service has id {}", id.0),
            ));
        };
        let connection = Connection {
            env: self,
            tags: &self.tags[id.0 as usize],
            permission: entry.permission,
            span,
        };
        (entry.start)(cx, &connection)
    }

    fn unmet(&self) -> Option<RunError> {
        self.unmet.lock().clone()
    }
}

/// What a service's `start` function gets: the run's shared streams, its
/// own label tags, the permission its entry declares, and where the
/// program names it.
pub struct Connection<'a> {
    pub env: &'a ServiceEnv,
    /// The tags of the entry's labels, in order (for `from_tags`).
    pub tags: &'a [Tag],
    permission: Permission,
    /// Where the wiring names the service.
    pub span: Span,
}

impl Connection<'_> {
    /// The roots under which this service may read and write files: none
    /// unless its entry declares [`Permission::Files`].
    pub fn file_roots(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        match self.permission {
            Permission::Files => (
                self.env.permissions.read.clone(),
                self.env.permissions.write.clone(),
            ),
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// The address this service may listen on: none unless its entry
    /// declares [`Permission::Network`] and `--allow-net` grants one.
    pub fn listen_address(&self) -> Option<IpAddr> {
        match self.permission {
            Permission::Network => self.env.permissions.listen,
            _ => None,
        }
    }
}

/// An internal error of service `process` on an unexpected message: `what`
/// it got (described briefly) where `expected` was expected.
pub fn unexpected(process: &str, got: &Value, expected: &str) -> RunError {
    RunError::internal(
        process,
        format!(
            "{process} got {} where {expected} was expected",
            describe(got)
        ),
    )
}

/// A short description of a message for internal errors (values can be
/// huge): its debug form, cut after 80 characters.
pub fn describe(v: &Value) -> String {
    let s = format!("{v:?}");
    match s.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s,
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
    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep>;
}

/// Runs a `Handler`: takes messages until none is left (then parks on its
/// end) or the budget is used.
pub struct Serve<H>(pub H);

impl<H: Handler> Task<Value, RunError> for Serve<H> {
    fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
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
            channel_names: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique() {
        for (i, a) in REGISTRY.iter().enumerate() {
            for b in &REGISTRY[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn a_label_missing_from_the_program_fails_naming_service_and_label() {
        let program = Program::default();
        let entry = &REGISTRY[by_name("timeService").map_or(0, |id| id.0 as usize)];
        let err = lookup_labels(&program, entry).err().map(|e| e.message);
        assert_eq!(
            err.as_deref(),
            Some(
                "internal error: the service `timeService` speaks the label \
                 `GetCpuTimerMicroseconds`, which the prelude does not declare"
            )
        );
    }
}
