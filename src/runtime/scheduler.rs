//! The scheduler: the [`Task`] trait and its [`Step`]s, the per-turn context
//! [`Cx`], the thread-safe [`Handle`], the work-stealing [`Runtime`] with its
//! [`Config`], quiescence detection and the end-of-run [`Outcome`] with
//! deadlock reports ([`WaitReport`]).
//!
//! It does not hold messages (see `channel.rs`) and knows nothing of MPL.
//!
//! Design notes:
//! * Each worker has a FIFO `crossbeam_deque::Worker` plus a one-task `next`
//!   slot for the task it last woke (the waker's worker runs it next, as Go
//!   does); the `next` slot is bypassed after a streak so the deque is never
//!   starved. A global `Injector` takes work from other threads.
//! * `busy` counts tasks that are runnable or running plus pending I/O. It is
//!   raised before a task becomes visible to others and lowered after it is
//!   parked or done, so `busy == 0` means nothing can ever run again. To keep
//!   the hot path free of shared atomics, a worker keeps the decrements of
//!   its parks in a local `debt` that later wakes cancel; the debt is paid
//!   back before the worker idles (so the global count only over-counts).
//! * Every task is registered (sharded map) at spawn and unregistered when
//!   dropped; a task's record remembers the mailbox it last parked in. Only
//!   the end of a run reads the records: to build deadlock reports and to
//!   drop parked tasks.
//! * A worker without work spins briefly, then yields its core a few times,
//!   then sleeps on a condition variable until work is published
//!   ([`IDLE_PAUSES`]): on a machine with few cores the run's I/O threads
//!   need the core more than the worker needs to catch work a little sooner.
//! * With `Config::seed`, one worker keeps its runnable tasks in a `Vec` and
//!   picks the next one with a seeded splitmix64.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
use std::time::Duration;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use parking_lot::{Condvar, Mutex};

use super::channel::{self, ChannelId, End, Half, Parked, Side};
use crate::source::Span;

/// A lightweight task: a state machine the workers step.
pub trait Task<M, E>: Send + 'static {
    /// Runs until the task blocks, finishes, fails or has taken about
    /// `cx.budget()` steps (the task counts them itself).
    fn run(&mut self, cx: &mut Cx<'_, M, E>) -> Step<M, E>;
    /// Describes the task for a deadlock report (never on the hot path).
    fn info(&self) -> TaskInfo;
    /// What the task holds, for a census of a failed run (see
    /// [`Cx::request_census`]); nothing, unless the task says.
    fn load(&self) -> Load {
        Load::default()
    }
}

/// What a task holds: its stack depth and the messages waiting at the
/// channel ends it holds (in the task's own units; for reports only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Load {
    pub frames: usize,
    pub queued: usize,
}

/// Every task left when a run failed, by name, with what it held.
pub type Census = Vec<(String, Load)>;

/// What a task's turn ended with.
#[derive(Debug)]
pub enum Step<M, E> {
    /// Used its budget; run again later.
    Yield,
    /// Found no message on this end; wake me when one arrives.
    Park(End<M>),
    /// Found no message on any of these ends (a `race`); wake me when one
    /// arrives at any of them.
    Race(Vec<End<M>>),
    /// Finished.
    Done,
    /// Failed: the whole run stops with [`Outcome::Failed`].
    Fail(E),
}

/// A task's own description, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskInfo {
    pub name: String,
    /// Where the `get` the task waits in is.
    pub waiting_at: Option<Span>,
    /// The channel ends the task holds.
    pub holds: Vec<(ChannelId, Side)>,
    /// What the task's own code calls some of the channels it holds (for
    /// reports; the runtime attaches no meaning to it).
    pub channel_names: Vec<(ChannelId, String)>,
}

/// One waiting task in a deadlock report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitReport {
    pub task: TaskInfo,
    pub channel: ChannelId,
    pub side: Side,
    /// Name of the task holding the other end, if any.
    pub peer_holder: Option<String>,
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome<E> {
    Finished,
    /// A task failed; with the census of the tasks left, if the failing
    /// task asked for one (else empty).
    Failed(E, Census),
    Deadlock(Vec<WaitReport>),
    InputExhausted(Vec<WaitReport>),
    Interrupted,
}

/// Scheduler settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub threads: usize,
    /// Single-threaded, seeded, deterministic scheduling.
    pub seed: Option<u64>,
    /// Steps a task may take per turn.
    pub budget: u32,
    /// A host holds the run open (see [`Handle::release_hold`]): it does
    /// not end when nothing can run, and a failed task does not stop the
    /// others (its error is kept for [`Handle::take_failures`]).
    pub hold: bool,
}

impl Default for Config {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Config {
            threads,
            seed: None,
            budget: 2000,
            hold: false,
        }
    }
}

/// Registry shards (spawn and exit lock one).
const SHARDS: usize = 32;
/// Runs in a row from the `next` slot before the deque gets a turn.
const NEXT_STREAK: u32 = 64;
/// Every this many picks a worker looks at the injector first.
const INJECTOR_EVERY: u32 = 61;
/// Safety net for the sleep protocol: an idle worker re-checks this often.
const SLEEP_TIMEOUT: Duration = Duration::from_millis(50);
/// An idle worker first spins this many rounds of 32 `pause`s, then yields
/// its core [`IDLE_YIELDS`] times, then sleeps. Spinning catches work that
/// comes within microseconds without a sleep and a wake-up; but a spinning
/// worker holds a core that the run's I/O threads (and, on a small
/// machine, the client) may be waiting for, and yielding hands it over.
/// Pluto under `wrk` on 2 cores (alternating, with the network thread's
/// yields): 48 rounds then 16 yields 28.7k req/s and 55 us of CPU a
/// request; 8 and 8, 37.7k and 39 us. Spawn needs some spinning: with 0
/// rounds a spawn took 1.5 us in two suite runs (0.8 and 1.0 with 48); 8
/// rounds ran `spawn.mpl` as fast as 48 (hyperfine medians 108.4 and 112.0
/// ms; bench/RESULTS.md).
const IDLE_PAUSES: u32 = 8;
/// See [`IDLE_PAUSES`].
const IDLE_YIELDS: u32 = 8;

/// What a task leaves behind for the end-of-run walk.
struct Record<M> {
    id: u64,
    daemon: bool,
    /// Set by [`Handle::cancel`]: the task is dropped instead of run.
    cancelled: AtomicBool,
    /// The mailbox the task last parked in (written only by its own turns).
    parked_at: Mutex<Option<Half<M>>>,
}

/// A task's record, shared by its task box and its registry shard. Without
/// a weak count (`triomphe`): 8 bytes a task less (bench/RESULTS.md, spawn).
type RecordRef<M> = triomphe::Arc<Record<M>>;

/// Every live task's record, in shards by id.
struct Registry<M> {
    shards: Vec<Mutex<HashSet<ById<M>>>>,
}

/// A record as its shard holds it: found by its id, without a second copy
/// of the id as a map key (a set entry is 8 bytes, a map entry was 16;
/// bench/RESULTS.md, spawn).
struct ById<M>(RecordRef<M>);

impl<M> PartialEq for ById<M> {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl<M> Eq for ById<M> {}

impl<M> Hash for ById<M> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

/// Looked up by a bare id: hashes and compares as the id does.
impl<M> Borrow<u64> for ById<M> {
    fn borrow(&self) -> &u64 {
        &self.0.id
    }
}

impl<M> Registry<M> {
    fn new() -> Self {
        Registry {
            shards: (0..SHARDS).map(|_| Mutex::new(HashSet::new())).collect(),
        }
    }

    fn shard(&self, id: u64) -> &Mutex<HashSet<ById<M>>> {
        &self.shards[id as usize % SHARDS]
    }

    fn insert(&self, rec: RecordRef<M>) {
        self.shard(rec.id).lock().insert(ById(rec));
    }

    fn remove(&self, id: u64) {
        let old = self.shard(id).lock().take(&id);
        drop(old);
    }

    fn get(&self, id: u64) -> Option<RecordRef<M>> {
        self.shard(id).lock().get(&id).map(|r| r.0.clone())
    }

    /// Every live record, in spawn order.
    fn all(&self) -> Vec<RecordRef<M>> {
        let mut out = Vec::new();
        for shard in &self.shards {
            out.extend(shard.lock().iter().map(|r| r.0.clone()));
        }
        out.sort_by_key(|r| r.id);
        out
    }
}

/// A task as the scheduler moves it around (one allocation per spawn).
struct TaskBox<M, E> {
    task: Box<dyn Task<M, E>>,
    rec: RecordRef<M>,
    reg: Arc<Registry<M>>,
    /// Address of the mailbox in `rec.parked_at`, to skip rewriting it.
    last_park: usize,
}

impl<M, E> Drop for TaskBox<M, E> {
    fn drop(&mut self) {
        self.reg.remove(self.rec.id);
    }
}

impl<M: Send + 'static, E: Send + 'static> TaskBox<M, E> {
    fn note_park(&mut self, end: &End<M>) {
        let addr = end.half_addr();
        if addr != self.last_park {
            self.last_park = addr;
            let old = self.rec.parked_at.lock().replace(end.half().clone());
            drop(old);
        }
    }
}

type TaskRef<M, E> = Box<TaskBox<M, E>>;

/// Turns a task handed back by a mailbox into the scheduler's type.
fn unerase<M: Send + 'static, E: Send + 'static>(p: Parked) -> Option<TaskRef<M, E>> {
    let t = p.downcast::<TaskBox<M, E>>().ok();
    debug_assert!(t.is_some(), "a channel end was used by two runtimes");
    t
}

enum Reason<E> {
    Failed(E),
    Interrupted,
    Quiescent,
}

struct SchedulerState<M, E> {
    injector: Injector<TaskRef<M, E>>,
    stealers: Vec<Stealer<TaskRef<M, E>>>,
    /// Runnable or running tasks plus pending I/O (see the file header).
    busy: AtomicUsize,
    /// Non-daemon tasks not yet done.
    live: AtomicUsize,
    stop: AtomicBool,
    reason: Mutex<Option<Reason<E>>>,
    input_exhausted: AtomicBool,
    sleep: Mutex<()>,
    wake: Condvar,
    sleepers: AtomicUsize,
    registry: Arc<Registry<M>>,
    next_id: AtomicU64,
    budget: u32,
    /// A host outside the workers (the REPL) holds channel ends and may
    /// act at any time: quiescence does not end the run, and a failed task
    /// is reported in `failures` instead of stopping every other.
    hold: AtomicBool,
    failures: Mutex<Vec<E>>,
    /// Filled with the tasks left when the run ends, once a failing task
    /// asked for it ([`Cx::request_census`]).
    census: Mutex<Option<Census>>,
}

impl<M: Send + 'static, E: Send + 'static> SchedulerState<M, E> {
    fn new_task(&self, task: Box<dyn Task<M, E>>, daemon: bool) -> TaskRef<M, E> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let rec = RecordRef::new(Record {
            id,
            daemon,
            cancelled: AtomicBool::new(false),
            parked_at: Mutex::new(None),
        });
        self.registry.insert(rec.clone());
        if !daemon {
            self.live.fetch_add(1, Ordering::AcqRel);
        }
        let reg = self.registry.clone();
        Box::new(TaskBox {
            task,
            rec,
            reg,
            last_park: 0,
        })
    }

    /// Makes a task runnable from outside a worker.
    fn inject(&self, t: TaskRef<M, E>) {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.injector.push(t);
        self.notify_one();
    }

    /// Lowers `busy` by `n`; the caller that brings it to zero ends the run.
    fn release(&self, n: usize) {
        if n > 0
            && self.busy.fetch_sub(n, Ordering::AcqRel) == n
            && !self.hold.load(Ordering::Acquire)
        {
            self.finish(Reason::Quiescent);
        }
    }

    /// A task failed: the run ends, unless a host holds it open.
    fn failed(&self, e: E) {
        match self.hold.load(Ordering::Acquire) {
            true => self.failures.lock().push(e),
            false => self.finish(Reason::Failed(e)),
        }
    }

    /// Ends the run (the first reason wins) and wakes every worker.
    fn finish(&self, why: Reason<E>) {
        {
            let mut r = self.reason.lock();
            if r.is_none() {
                *r = Some(why);
            }
        }
        self.stop.store(true, Ordering::SeqCst);
        let _g = self.sleep.lock();
        self.wake.notify_all();
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Wakes one sleeping worker, if any, after work was published.
    fn notify_one(&self) {
        fence(Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            let _g = self.sleep.lock();
            self.wake.notify_one();
        }
    }

    fn work_visible(&self) -> bool {
        !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
    }

    fn take_injected(&self, dest: Option<&Worker<TaskRef<M, E>>>) -> Option<TaskRef<M, E>> {
        loop {
            let got = match dest {
                Some(w) => self.injector.steal_batch_and_pop(w),
                None => self.injector.steal(),
            };
            match got {
                Steal::Success(t) => return Some(t),
                Steal::Empty => return None,
                Steal::Retry => continue,
            }
        }
    }
}

/// Stack size of each worker thread (address space, committed on use).
const WORKER_STACK: usize = 512 << 20;

/// A worker's own queue.
enum Queue<M, E> {
    Steal {
        deque: Worker<TaskRef<M, E>>,
        next: Option<TaskRef<M, E>>,
    },
    Seeded {
        ready: Vec<TaskRef<M, E>>,
        rng: u64,
    },
}

/// A worker's private state.
struct Local<M, E> {
    queue: Queue<M, E>,
    /// Parks and exits not yet subtracted from `SchedulerState::busy`.
    debt: usize,
    index: usize,
    tick: u32,
    streak: u32,
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<M: Send + 'static, E: Send + 'static> Local<M, E> {
    fn new(queue: Queue<M, E>, index: usize) -> Self {
        Local {
            queue,
            debt: 0,
            index,
            tick: 0,
            streak: 0,
        }
    }

    /// Counts one more runnable task (cancelling a pending decrement).
    fn acquire(&mut self, sh: &SchedulerState<M, E>) {
        match self.debt {
            0 => drop(sh.busy.fetch_add(1, Ordering::AcqRel)),
            _ => self.debt -= 1,
        }
    }

    fn flush(&mut self, sh: &SchedulerState<M, E>) {
        let n = std::mem::take(&mut self.debt);
        sh.release(n);
    }

    /// A task woken by this worker: it runs here next.
    fn push_woken(&mut self, sh: &SchedulerState<M, E>, t: TaskRef<M, E>) {
        self.acquire(sh);
        self.push_next(sh, t);
    }

    /// Puts an already-counted task in the `next` slot.
    fn push_next(&mut self, sh: &SchedulerState<M, E>, t: TaskRef<M, E>) {
        match &mut self.queue {
            Queue::Steal { deque, next } => {
                if let Some(old) = next.replace(t) {
                    deque.push(old);
                    sh.notify_one();
                }
            }
            Queue::Seeded { ready, .. } => ready.push(t),
        }
    }

    /// Puts an already-counted task at the back of the deque.
    fn push_back(&mut self, sh: &SchedulerState<M, E>, t: TaskRef<M, E>) {
        match &mut self.queue {
            Queue::Steal { deque, next } => {
                let others = !deque.is_empty() || next.is_some();
                deque.push(t);
                if others {
                    sh.notify_one();
                }
            }
            Queue::Seeded { ready, .. } => ready.push(t),
        }
    }

    fn push_spawned(&mut self, sh: &SchedulerState<M, E>, t: TaskRef<M, E>) {
        self.acquire(sh);
        match &mut self.queue {
            Queue::Steal { deque, .. } => {
                deque.push(t);
                sh.notify_one();
            }
            Queue::Seeded { ready, .. } => ready.push(t),
        }
    }

    /// The next task to run, from anywhere; `None` when no work is visible.
    fn pop(&mut self, sh: &SchedulerState<M, E>) -> Option<TaskRef<M, E>> {
        self.tick = self.tick.wrapping_add(1);
        let index = self.index;
        match &mut self.queue {
            Queue::Seeded { ready, rng } => {
                while let Some(t) = sh.take_injected(None) {
                    ready.push(t);
                }
                if ready.is_empty() {
                    return None;
                }
                let i = (splitmix(rng) % ready.len() as u64) as usize;
                Some(ready.swap_remove(i))
            }
            Queue::Steal { deque, next } => {
                if self.tick.is_multiple_of(INJECTOR_EVERY)
                    && let Some(t) = sh.take_injected(Some(deque))
                {
                    if let Some(n) = next.take() {
                        deque.push(n);
                    }
                    return Some(t);
                }
                if let Some(t) = next.take() {
                    if self.streak < NEXT_STREAK {
                        self.streak += 1;
                        return Some(t);
                    }
                    deque.push(t);
                }
                self.streak = 0;
                deque
                    .pop()
                    .or_else(|| sh.take_injected(Some(deque)))
                    .or_else(|| steal_other(sh, deque, index))
            }
        }
    }
}

/// Steals a batch from another worker, starting after `me`.
fn steal_other<M, E>(
    sh: &SchedulerState<M, E>,
    dest: &Worker<TaskRef<M, E>>,
    me: usize,
) -> Option<TaskRef<M, E>> {
    let n = sh.stealers.len();
    for k in 1..n {
        let s = &sh.stealers[(me + k) % n];
        loop {
            match s.steal_batch_and_pop(dest) {
                Steal::Success(t) => return Some(t),
                Steal::Empty => break,
                Steal::Retry => continue,
            }
        }
    }
    None
}

/// What a running task may do to the world.
pub struct Cx<'a, M, E> {
    shared: &'a Arc<SchedulerState<M, E>>,
    local: &'a mut Local<M, E>,
}

impl<M: Send + 'static, E: Send + 'static> Cx<'_, M, E> {
    /// Sends `msg` to the peer of `end`; a task parked there runs next on
    /// this worker.
    pub fn put(&mut self, end: &End<M>, msg: M) {
        if let Some(p) = end.deliver(msg) {
            self.wake(p);
        }
    }

    fn wake(&mut self, p: Parked) {
        if let Some(t) = unerase(p) {
            self.local.push_woken(self.shared, t);
        }
    }

    /// Starts a task that keeps the program alive.
    pub fn spawn(&mut self, task: Box<dyn Task<M, E>>) {
        let t = self.shared.new_task(task, false);
        self.local.push_spawned(self.shared, t);
    }

    /// Starts a service task that does not keep the program alive.
    pub fn spawn_daemon(&mut self, task: Box<dyn Task<M, E>>) {
        let t = self.shared.new_task(task, true);
        self.local.push_spawned(self.shared, t);
    }

    /// `a := b` (see [`channel::forward`]).
    pub fn forward(&mut self, a: End<M>, b: End<M>) {
        for p in channel::forward_raw(a, b).into_iter().flatten() {
            self.wake(p);
        }
    }

    /// Tasks that keep the run alive (not daemons) and have not ended,
    /// this one included.
    pub fn live_tasks(&self) -> usize {
        self.shared.live.load(Ordering::Relaxed)
    }

    /// Asks for a census of the tasks left when the run ends (for a
    /// failure whose cause may lie in another task: memory, say). It comes
    /// with [`Outcome::Failed`].
    pub fn request_census(&self) {
        self.shared.census.lock().get_or_insert_with(Vec::new);
    }

    /// Steps the task may take in this turn.
    pub fn budget(&self) -> u32 {
        self.shared.budget
    }

    pub fn handle(&self) -> Handle<M, E> {
        Handle {
            shared: self.shared.clone(),
        }
    }

    /// A later deadlock is reported as input exhaustion.
    pub fn set_input_exhausted(&mut self) {
        self.shared.input_exhausted.store(true, Ordering::Release);
    }
}

/// The runtime seen from any thread (services' I/O threads, Ctrl-C).
pub struct Handle<M, E> {
    shared: Arc<SchedulerState<M, E>>,
}

impl<M, E> Clone for Handle<M, E> {
    fn clone(&self) -> Self {
        Handle {
            shared: self.shared.clone(),
        }
    }
}

impl<M: Send + 'static, E: Send + 'static> Handle<M, E> {
    /// Sends `msg` to the peer of `end`. From a thread that is not a
    /// worker, do it between [`Handle::io_begin`] and [`Handle::io_end`] so
    /// the run cannot end before the message lands.
    pub fn put(&self, end: &End<M>, msg: M) {
        if let Some(p) = end.deliver(msg) {
            self.wake(p);
        }
    }

    fn wake(&self, p: Parked) {
        if let Some(t) = unerase(p) {
            self.shared.inject(t);
        }
    }

    pub fn spawn(&self, task: Box<dyn Task<M, E>>) {
        let t = self.shared.new_task(task, false);
        self.shared.inject(t);
    }

    pub fn spawn_daemon(&self, task: Box<dyn Task<M, E>>) {
        let t = self.shared.new_task(task, true);
        self.shared.inject(t);
    }

    /// `a := b` (see [`channel::forward`]).
    pub fn forward(&self, a: End<M>, b: End<M>) {
        for p in channel::forward_raw(a, b).into_iter().flatten() {
            self.wake(p);
        }
    }

    /// One more pending I/O operation: the run is not quiescent until the
    /// matching [`Handle::io_end`].
    pub fn io_begin(&self) {
        self.shared.busy.fetch_add(1, Ordering::AcqRel);
    }

    pub fn io_end(&self) {
        self.shared.release(1);
    }

    pub fn set_input_exhausted(&self) {
        self.shared.input_exhausted.store(true, Ordering::Release);
    }

    /// Ends the run with [`Outcome::Interrupted`].
    pub fn stop(&self) {
        self.shared.finish(Reason::Interrupted);
    }

    // --- for a host that holds the run open (`Config::hold`) ---

    /// `spawn`, returning the task's id for [`Handle::is_alive`] and
    /// [`Handle::cancel`].
    pub fn spawn_tracked(&self, task: Box<dyn Task<M, E>>) -> TaskId {
        let t = self.shared.new_task(task, false);
        let id = TaskId(t.rec.id);
        self.shared.inject(t);
        id
    }

    /// The task has not finished, failed or been cancelled.
    pub fn is_alive(&self, id: TaskId) -> bool {
        self.shared.registry.get(id.0).is_some()
    }

    /// Nothing is runnable and no I/O is pending: without the host, nothing
    /// will ever happen again.
    pub fn quiescent(&self) -> bool {
        self.shared.busy.load(Ordering::Acquire) == 0
    }

    /// The non-daemon tasks parked in a mailbox, as a deadlock report would
    /// list them (they stay parked). Meaningful when [`Handle::quiescent`].
    pub fn waiting(&self) -> Vec<WaitReport> {
        let mut found = Vec::new();
        for rec in self.shared.registry.all() {
            let half = rec.parked_at.lock().clone();
            let Some(half) = half else { continue };
            let id = rec.id;
            let info = half.with_parked(|p| {
                p.downcast_ref::<TaskBox<M, E>>()
                    .filter(|t| t.rec.id == id)
                    .map(|t| t.task.info())
            });
            if let Some(info) = info.flatten() {
                found.push(Waiter {
                    daemon: rec.daemon,
                    half,
                    info,
                });
            }
        }
        reports(&found)
    }

    /// Stops a task: taken out of the mailbox it waits in and dropped, or,
    /// if it is runnable, dropped instead of its next turn.
    pub fn cancel(&self, id: TaskId) {
        let Some(rec) = self.shared.registry.get(id.0) else {
            return;
        };
        rec.cancelled.store(true, Ordering::Release);
        let half = rec.parked_at.lock().clone();
        let Some(half) = half else { return };
        let is_it = |p: &Parked| {
            p.downcast_ref::<TaskBox<M, E>>()
                .is_some_and(|t| t.rec.id == id.0)
        };
        if let Some(t) = half.take_parked_if(is_it).and_then(unerase::<M, E>) {
            if !t.rec.daemon {
                self.shared.live.fetch_sub(1, Ordering::AcqRel);
            }
            drop(t);
        }
    }

    /// Tasks that keep the run alive (not daemons) and have not ended.
    pub fn live_tasks(&self) -> usize {
        self.shared.live.load(Ordering::Acquire)
    }

    /// The errors of tasks that failed while the host held the run.
    pub fn take_failures(&self) -> Vec<E> {
        std::mem::take(&mut *self.shared.failures.lock())
    }
}

/// A task's identity, from [`Handle::spawn_tracked`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskId(u64);

/// The scheduler; [`Runtime::run`] drives it to the end.
pub struct Runtime<M, E> {
    shared: Arc<SchedulerState<M, E>>,
    workers: Vec<Worker<TaskRef<M, E>>>,
    seed: Option<u64>,
}

impl<M: Send + 'static, E: Send + 'static> Runtime<M, E> {
    pub fn new(config: Config) -> Self {
        let n = match config.seed {
            Some(_) => 0,
            None => config.threads.max(1),
        };
        let workers: Vec<_> = (0..n).map(|_| Worker::new_fifo()).collect();
        let shared = SchedulerState {
            injector: Injector::new(),
            stealers: workers.iter().map(Worker::stealer).collect(),
            busy: AtomicUsize::new(0),
            live: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            reason: Mutex::new(None),
            input_exhausted: AtomicBool::new(false),
            sleep: Mutex::new(()),
            wake: Condvar::new(),
            sleepers: AtomicUsize::new(0),
            registry: Arc::new(Registry::new()),
            next_id: AtomicU64::new(0),
            budget: config.budget.max(1),
            hold: AtomicBool::new(config.hold),
            failures: Mutex::new(Vec::new()),
            census: Mutex::new(None),
        };
        Runtime {
            shared: Arc::new(shared),
            workers,
            seed: config.seed,
        }
    }

    /// A handle, e.g. to spawn the first tasks before [`Runtime::run`].
    pub fn handle(&self) -> Handle<M, E> {
        Handle {
            shared: self.shared.clone(),
        }
    }

    /// Runs until the end; the calling thread is worker 0.
    pub fn run(self) -> Outcome<E> {
        let Runtime {
            shared,
            workers,
            seed,
        } = self;
        if shared.busy.load(Ordering::Acquire) == 0 && !shared.hold.load(Ordering::Acquire) {
            shared.finish(Reason::Quiescent);
        }
        let mut locals: Vec<Local<M, E>> = match seed {
            Some(s) => vec![seeded_local(s)],
            None => workers.into_iter().enumerate().map(steal_local).collect(),
        };
        let first = locals.remove(0);
        std::thread::scope(|s| {
            for local in locals {
                let sh = &shared;
                // A large (lazily committed) stack: dropping a deeply
                // nested value recurses.
                let spawned = std::thread::Builder::new()
                    .name("mpl-worker".into())
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(s, move || work(sh, local));
                if let Err(e) = spawned {
                    panic!("cannot start a worker thread: {e}");
                }
            }
            work(&shared, first);
        });
        end_of_run(&shared)
    }
}

fn seeded_local<M: Send + 'static, E: Send + 'static>(seed: u64) -> Local<M, E> {
    let q = Queue::Seeded {
        ready: Vec::new(),
        rng: seed,
    };
    Local::new(q, 0)
}

fn steal_local<M: Send + 'static, E: Send + 'static>(
    (i, w): (usize, Worker<TaskRef<M, E>>),
) -> Local<M, E> {
    Local::new(
        Queue::Steal {
            deque: w,
            next: None,
        },
        i,
    )
}

/// Stops the run if a worker unwinds (a bug in a task), so others end too.
struct PanicGuard<'a, M: Send + 'static, E: Send + 'static>(&'a SchedulerState<M, E>);

impl<M: Send + 'static, E: Send + 'static> Drop for PanicGuard<'_, M, E> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.finish(Reason::Interrupted);
        }
    }
}

/// A worker's loop.
fn work<M: Send + 'static, E: Send + 'static>(
    sh: &Arc<SchedulerState<M, E>>,
    mut local: Local<M, E>,
) {
    let _guard = PanicGuard(sh);
    while !sh.stopped() {
        match local.pop(sh) {
            Some(t) => run_one(sh, &mut local, t),
            None => idle(sh, &mut local),
        }
    }
    // Drop what is left here: a task may hold a handle to the shared state,
    // which holds this deque (through its stealer), so a task left in it
    // would never be dropped (and a service would lose buffered output).
    match &mut local.queue {
        Queue::Steal { deque, next } => {
            if let Some(t) = next.take() {
                count(sh, t);
            }
            while let Some(t) = deque.pop() {
                count(sh, t);
            }
        }
        Queue::Seeded { ready, .. } => ready.drain(..).for_each(|t| count(sh, t)),
    }
}

/// Drops a task left at the end of a run, counting it first in the census
/// if one was asked for.
fn count<M: Send + 'static, E: Send + 'static>(sh: &SchedulerState<M, E>, t: TaskRef<M, E>) {
    if let Some(census) = sh.census.lock().as_mut() {
        census.push((t.task.info().name, t.task.load()));
    }
    drop(t);
}

fn run_one<M: Send + 'static, E: Send + 'static>(
    sh: &Arc<SchedulerState<M, E>>,
    local: &mut Local<M, E>,
    mut t: TaskRef<M, E>,
) {
    if t.rec.cancelled.load(Ordering::Relaxed) {
        finished(sh, local, t);
        return;
    }
    let step = {
        let mut cx = Cx { shared: sh, local };
        t.task.run(&mut cx)
    };
    match step {
        Step::Yield => local.push_back(sh, t),
        Step::Park(end) => park(sh, local, t, end),
        Step::Race(ends) => park_race(sh, local, t, ends),
        Step::Done => finished(sh, local, t),
        Step::Fail(e) => {
            finished(sh, local, t);
            sh.failed(e);
        }
    }
}

fn finished<M: Send + 'static, E: Send + 'static>(
    sh: &SchedulerState<M, E>,
    local: &mut Local<M, E>,
    t: TaskRef<M, E>,
) {
    if !t.rec.daemon {
        sh.live.fetch_sub(1, Ordering::AcqRel);
    }
    drop(t);
    local.debt += 1;
}

fn park<M: Send + 'static, E: Send + 'static>(
    sh: &SchedulerState<M, E>,
    local: &mut Local<M, E>,
    mut t: TaskRef<M, E>,
    end: End<M>,
) {
    t.note_park(&end);
    match end.park(t) {
        Ok(()) => local.debt += 1,
        Err(p) => {
            if let Some(t) = unerase(p) {
                local.push_next(sh, t);
            }
        }
    }
}

/// Parks a task on several ends at once; a deadlock report shows it
/// waiting at the first.
fn park_race<M: Send + 'static, E: Send + 'static>(
    sh: &SchedulerState<M, E>,
    local: &mut Local<M, E>,
    mut t: TaskRef<M, E>,
    ends: Vec<End<M>>,
) {
    let Some(first) = ends.first() else {
        local.push_back(sh, t);
        return;
    };
    t.note_park(first);
    match channel::park_race(&ends, t) {
        Ok(()) => local.debt += 1,
        Err(p) => {
            if let Some(t) = unerase(p) {
                local.push_next(sh, t);
            }
        }
    }
}

/// No work visible: pay the debt, spin briefly, then sleep until notified.
fn idle<M: Send + 'static, E: Send + 'static>(sh: &SchedulerState<M, E>, local: &mut Local<M, E>) {
    local.flush(sh);
    for i in 0..IDLE_PAUSES + IDLE_YIELDS {
        if sh.stopped() || sh.work_visible() {
            return;
        }
        match i < IDLE_PAUSES {
            true => (0..32).for_each(|_| std::hint::spin_loop()),
            false => std::thread::yield_now(),
        }
    }
    let mut g = sh.sleep.lock();
    sh.sleepers.fetch_add(1, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    if !sh.stop.load(Ordering::SeqCst) && !sh.work_visible() {
        sh.wake.wait_for(&mut g, SLEEP_TIMEOUT);
    }
    sh.sleepers.fetch_sub(1, Ordering::SeqCst);
}

/// A parked task taken out of its mailbox at the end of a run.
struct Stranded<M, E> {
    rec: RecordRef<M>,
    half: Half<M>,
    task: TaskRef<M, E>,
}

/// Workers have stopped: decide the outcome and drop every task left.
fn end_of_run<M: Send + 'static, E: Send + 'static>(sh: &SchedulerState<M, E>) -> Outcome<E> {
    let stranded = take_parked(sh);
    let reason = sh.reason.lock().take();
    let outcome = match reason {
        Some(Reason::Failed(e)) => {
            while let Some(t) = sh.take_injected(None) {
                count(sh, t);
            }
            for s in &stranded {
                if let Some(census) = sh.census.lock().as_mut() {
                    census.push((s.task.task.info().name, s.task.task.load()));
                }
            }
            Outcome::Failed(e, sh.census.lock().take().unwrap_or_default())
        }
        Some(Reason::Interrupted) => Outcome::Interrupted,
        Some(Reason::Quiescent) | None => quiescent(sh, &stranded),
    };
    drop(stranded);
    while let Some(t) = sh.take_injected(None) {
        drop(t);
    }
    outcome
}

fn quiescent<M: Send + 'static, E: Send + 'static>(
    sh: &SchedulerState<M, E>,
    stranded: &[Stranded<M, E>],
) -> Outcome<E> {
    if sh.live.load(Ordering::Acquire) == 0 {
        return Outcome::Finished;
    }
    let waiters: Vec<Waiter<M>> = stranded
        .iter()
        .map(|s| Waiter {
            daemon: s.rec.daemon,
            half: s.half.clone(),
            info: s.task.task.info(),
        })
        .collect();
    let reports = reports(&waiters);
    match sh.input_exhausted.load(Ordering::Acquire) {
        true => Outcome::InputExhausted(reports),
        false => Outcome::Deadlock(reports),
    }
}

/// Takes every parked task out of its mailbox, in spawn order.
fn take_parked<M: Send + 'static, E: Send + 'static>(
    sh: &SchedulerState<M, E>,
) -> Vec<Stranded<M, E>> {
    let mut out = Vec::new();
    for rec in sh.registry.all() {
        let half = rec.parked_at.lock().clone();
        let Some(half) = half else { continue };
        let id = rec.id;
        let is_it = |p: &Parked| {
            p.downcast_ref::<TaskBox<M, E>>()
                .is_some_and(|t| t.rec.id == id)
        };
        if let Some(task) = half.take_parked_if(is_it).and_then(unerase) {
            out.push(Stranded { rec, half, task });
        }
    }
    out
}

/// A parked task as a report sees it.
struct Waiter<M> {
    daemon: bool,
    half: Half<M>,
    info: TaskInfo,
}

/// Reports for the waiting non-daemon tasks, cycles first.
fn reports<M>(stranded: &[Waiter<M>]) -> Vec<WaitReport> {
    let infos: Vec<TaskInfo> = stranded.iter().map(|s| s.info.clone()).collect();
    // A task may still list an end it has sent away (its frames keep the
    // handle); another task that lists it is the better guess.
    let mut holders: HashMap<(ChannelId, Side), Vec<usize>> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        for &h in &info.holds {
            holders.entry(h).or_default().push(i);
        }
    }
    let peer_of = |i: usize| {
        let h = &stranded[i].half;
        let all = holders.get(&(h.id(), h.side().other()))?;
        all.iter()
            .copied()
            .find(|&j| j != i)
            .or(all.first().copied())
    };
    let waiting: Vec<usize> = (0..stranded.len())
        .filter(|&i| !stranded[i].daemon)
        .collect();
    let next = |i: usize| peer_of(i).filter(|&j| !stranded[j].daemon);
    let order = cycle_order(&waiting, stranded.len(), next);
    let report = |i: usize| WaitReport {
        task: infos[i].clone(),
        channel: stranded[i].half.id(),
        side: stranded[i].half.side(),
        peer_holder: peer_of(i).map(|j| infos[j].name.clone()),
    };
    order.into_iter().map(report).collect()
}

/// Orders `nodes` (in spawn order) so that each wait cycle comes first and
/// reads along its edges (from its earliest task); the rest keep their order.
fn cycle_order(nodes: &[usize], n: usize, next: impl Fn(usize) -> Option<usize>) -> Vec<usize> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const PLACED: u8 = 2;
    const SEEN: u8 = 3;
    let mut state = vec![NEW; n];
    let mut order = Vec::new();
    for &start in nodes {
        let mut path = Vec::new();
        let mut cur = Some(start);
        while let Some(c) = cur.filter(|&c| state[c] == NEW) {
            state[c] = ON_PATH;
            path.push(c);
            cur = next(c);
        }
        if let Some(pos) = cur.and_then(|c| path.iter().position(|&p| p == c)) {
            let cycle = &path[pos..];
            let low = (0..cycle.len()).min_by_key(|&k| cycle[k]).unwrap_or(0);
            for k in 0..cycle.len() {
                let c = cycle[(low + k) % cycle.len()];
                state[c] = PLACED;
                order.push(c);
            }
        }
        for p in path {
            if state[p] == ON_PATH {
                state[p] = SEEN;
            }
        }
    }
    order.extend(nodes.iter().copied().filter(|&i| state[i] != PLACED));
    order
}
