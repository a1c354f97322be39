//! The runtime: lightweight tasks, channels between them, a work-stealing
//! scheduler, and deadlock detection. It moves messages of any type `M` and
//! runs anything that implements [`Task`]; it knows nothing of MPL syntax or
//! values, so it is tested on its own with toy tasks.
//!
//! Contract (what `crate::eval` and `crate::services` rely on):
//!
//! * [`channel`] makes a channel and returns its two [`End`]s. An `End` is a
//!   cheap handle (an `Arc`) that can be moved into messages and tasks.
//! * `put` never blocks: it appends to the peer's mailbox and, if a task is
//!   parked there, makes it runnable (on the current worker when called from
//!   a task, through the global queue otherwise).
//! * `try_get` takes the next message sent to this end, or `None`.
//! * A task that finds no message returns [`Step::Park`] with that end; the
//!   worker then parks the task *inside* the end's mailbox under its lock:
//!   if a message arrived in between, the task is made runnable again at
//!   once. A parked task is plain data; it holds no thread.
//! * [`forward`] joins two ends (`a := b`): what the peer of `a` sends goes
//!   to the peer of `b` and the other way round, messages already queued
//!   included, in order.
//! * Daemon tasks (services) do not keep the program alive. The run ends
//!   with [`Outcome::Finished`] when no non-daemon task is left and no I/O is
//!   pending; with [`Outcome::Deadlock`] or [`Outcome::InputExhausted`] when
//!   non-daemon tasks remain but nothing can run and no I/O is pending.
//!   Either way the run ends only once nothing is runnable: a daemon with
//!   work (say, output to flush) runs until it parks; parked daemons are
//!   then dropped.
//! * A thread that is not a worker (a service's I/O thread) brackets its
//!   work with `Handle::io_begin` / `Handle::io_end` and puts its result
//!   before `io_end`; while I/O is pending the run is not quiescent.
//! * [`Config::seed`] gives a single-threaded scheduler that picks the next
//!   runnable task with a seeded RNG: same seed, same interleaving.
//! * With [`Config::hold`] a host outside the workers (the REPL) holds the
//!   run open: quiescence does not end it ([`Handle::quiescent`] tells the
//!   host), a failed task is kept for [`Handle::take_failures`] instead of
//!   stopping the run, and the host may [`Handle::spawn_tracked`],
//!   [`Handle::cancel`] and read [`Handle::waiting`] without taking tasks
//!   out of their mailboxes. The run ends with [`Handle::stop`].

pub mod channel;
mod inbox;
pub mod scheduler;

pub use channel::{ChannelId, End, Side, channel, channel_taking_runs, forward};
pub use scheduler::{
    Census, Config, Cx, Handle, Load, Outcome, Runtime, Step, Task, TaskId, TaskInfo, WaitReport,
};

#[cfg(test)]
mod tests;
