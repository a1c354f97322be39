//! The `timeService` service (`TimeService`, LANGUAGE.md section 9): a
//! monotonic microsecond clock, the Unix time in seconds, `Sleep` in
//! milliseconds, and `ShareTSWith` to give another process its own
//! connection to the same service.
//!
//! * Each connection is served by one daemon task ([`TimeService`]), a
//!   small state machine over the labels of the protocol. `ShareTSWith`
//!   spawns another such task on the end the program sends.
//! * All the tasks of one run share a [`Clock`] (the wiring names the
//!   service once, so one root task and its shares make up the run): the
//!   instant the run's service started (the zero of
//!   `GetCpuTimerMicroseconds`) and one timer thread, started by the first
//!   `Sleep` of a positive duration.
//! * A sleep never blocks a worker. The task hands the timer thread an
//!   [`Alarm`] (deadline plus the task's own end) after `io_begin`, so the
//!   run neither ends nor reports a deadlock while the sleep is pending; the
//!   thread keeps the alarms in a binary heap, waits with `recv_timeout`
//!   until the earliest deadline, then answers the program directly
//!   (`Handle::put` on the service's end sends to its peer) and calls
//!   `io_end`. The protocol guarantees the program sends nothing on that
//!   connection before the answer, so the task just parks meanwhile.
//! * `Sleep` of zero or a negative duration is answered at once; a duration
//!   beyond a century is cut to a century.
//! * The timer thread ends when every task holding the clock is gone (its
//!   channel disconnects). Alarms still pending then belong to a run that
//!   has ended (a failure or Ctrl-C): they get their `io_end` and no answer.
//!
//! What this file does not do: protocol checking beyond one label at a time
//! (the checker guarantees the rest; a stray message is an internal error),
//! or CPU time in the sense of a process's own time (the "CPU timer" is a
//! wall clock that never goes backwards).

use super::{Connection, Ctx, ServiceStep, service_labels, unexpected};
use crate::host::RunError;
use crate::ir::Tag;
use crate::runtime::{self, End, Handle, Step};
use crate::value::Value;
use parking_lot::Mutex;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The longest sleep honoured (a century, in milliseconds).
const MAX_SLEEP_MS: i64 = 100 * 365 * 24 * 3600 * 1000;
/// The task's name in reports and errors.
const NAME: &str = "timeService";

service_labels! {
    /// The tags of the protocol's labels.
    pub struct Labels {
        cpu_timer = "GetCpuTimerMicroseconds",
        unix_time = "GetUnixTime",
        sleep = "Sleep",
        share = "ShareTSWith",
        stop = "StopTimeService",
    }
}

/// Starts the service as a daemon task and returns the program's end.
pub fn start(cx: &mut Ctx<'_>, connection: &Connection<'_>) -> Result<End<Value>, RunError> {
    let (program_end, service_end) = runtime::channel();
    let clock = Arc::new(Clock {
        start: Instant::now(),
        timer: Mutex::new(None),
    });
    let labels = Labels::from_tags(connection.tags);
    let service = TimeService::new(service_end, labels, clock);
    cx.spawn_daemon(Box::new(super::Serve(service)));
    Ok(program_end)
}

/// Seconds since 1970 (negative if the system clock is set before it).
fn unix_seconds() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

// ----------------------------------------------------------------- clock

/// What the time-service tasks of one run share.
struct Clock {
    /// Zero of `GetCpuTimerMicroseconds`.
    start: Instant,
    /// The timer thread's inbox, once the first sleep started it.
    timer: Mutex<Option<mpsc::Sender<Alarm>>>,
}

impl Clock {
    fn micros(&self) -> i64 {
        i64::try_from(self.start.elapsed().as_micros()).unwrap_or(i64::MAX)
    }

    /// Answers `Sleep(ms)` on `end` after `ms` milliseconds, from the timer
    /// thread (started here if needed). `Err` if the thread cannot start.
    fn sleep(&self, cx: &mut Ctx<'_>, end: &End<Value>, ms: i64) -> Result<(), RunError> {
        let handle = cx.handle();
        let wait = Duration::from_millis(ms.clamp(0, MAX_SLEEP_MS) as u64);
        let at = Instant::now() + wait;
        let mut timer = self.timer.lock();
        if timer.is_none() {
            *timer = Some(start_timer(handle.clone())?);
        }
        handle.io_begin();
        let alarm = Alarm {
            at,
            seq: 0,
            end: end.clone(),
        };
        if let Some(Err(mpsc::SendError(alarm))) = timer.as_ref().map(|t| t.send(alarm)) {
            // The timer thread is gone (it cannot panic in practice):
            // answer at once rather than never.
            *timer = None;
            handle.put(&alarm.end, Value::Unit);
            handle.io_end();
        }
        Ok(())
    }
}

/// One pending sleep: answer `end`'s peer at `at`. Ordered so that a
/// `BinaryHeap` pops the earliest deadline first (ties in arrival order).
struct Alarm {
    at: Instant,
    /// Arrival number at the timer thread.
    seq: u64,
    end: End<Value>,
}

impl Ord for Alarm {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl PartialOrd for Alarm {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Alarm {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Alarm {}

fn start_timer(handle: Handle<Value, RunError>) -> Result<mpsc::Sender<Alarm>, RunError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("mpl-timer".into())
        .spawn(move || timer_thread(rx, handle))
        .map_err(|e| RunError::unplaced(NAME, format!("cannot start the timer thread: {e}")))?;
    Ok(tx)
}

/// The timer thread: fires due alarms, waits for the next deadline or a
/// new alarm, and ends when every sender is gone.
fn timer_thread(alarms: mpsc::Receiver<Alarm>, handle: Handle<Value, RunError>) {
    let mut heap: BinaryHeap<Alarm> = BinaryHeap::new();
    let mut seq = 0u64;
    loop {
        let now = Instant::now();
        while heap.peek().is_some_and(|a| a.at <= now) {
            if let Some(a) = heap.pop() {
                handle.put(&a.end, Value::Unit);
                handle.io_end();
            }
        }
        let next = match heap.peek() {
            None => alarms.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(a) => alarms.recv_timeout(a.at.saturating_duration_since(now)),
        };
        match next {
            Ok(mut a) => {
                seq += 1;
                a.seq = seq;
                heap.push(a);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    // Every service task is gone, so the run is over: balance the books.
    for _ in heap.drain() {
        handle.io_end();
    }
}

// ------------------------------------------------------------------ task

/// What the task expects next from the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Label,
    /// The duration after `Sleep`.
    Millis,
    /// The end after `ShareTSWith`.
    Share,
}

/// One connection to the time service (plays `neg<TimeService>`).
struct TimeService {
    end: End<Value>,
    labels: Labels,
    clock: Arc<Clock>,
    want: Want,
}

impl TimeService {
    fn new(end: End<Value>, labels: Labels, clock: Arc<Clock>) -> TimeService {
        TimeService {
            end,
            labels,
            clock,
            want: Want::Label,
        }
    }

    /// Handles one message; `Some` ends the turn with that step.
    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        match (self.want, msg) {
            (Want::Label, Value::Tag(t)) => self.label(cx, t),
            (Want::Millis, Value::Int(ms)) => {
                self.want = Want::Label;
                if ms <= 0 {
                    cx.put(&self.end, Value::Unit);
                } else if let Err(e) = self.clock.sleep(cx, &self.end, ms) {
                    return Some(Step::Fail(e));
                }
                None
            }
            (Want::Share, Value::Chan(end)) => {
                self.want = Want::Label;
                let task = TimeService::new(end, self.labels, self.clock.clone());
                cx.spawn_daemon(Box::new(super::Serve(task)));
                None
            }
            (want, other) => {
                let expected = match want {
                    Want::Label => "a label",
                    Want::Millis => "an Int",
                    Want::Share => "a channel",
                };
                Some(Step::Fail(unexpected(NAME, &other, expected)))
            }
        }
    }

    fn label(&mut self, cx: &mut Ctx<'_>, t: Tag) -> Option<ServiceStep> {
        let l = self.labels;
        if t == l.cpu_timer {
            cx.put(&self.end, Value::Int(self.clock.micros()));
        } else if t == l.unix_time {
            cx.put(&self.end, Value::Int(unix_seconds()));
        } else if t == l.sleep {
            self.want = Want::Millis;
        } else if t == l.share {
            self.want = Want::Share;
        } else if t == l.stop {
            return Some(Step::Done);
        } else {
            let label = Value::Tag(t);
            return Some(Step::Fail(unexpected(NAME, &label, "a TimeService label")));
        }
        None
    }
}

impl super::Handler for TimeService {
    fn end(&self) -> &End<Value> {
        &self.end
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        TimeService::handle(self, cx, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(at: Instant, seq: u64) -> Alarm {
        Alarm {
            at,
            seq,
            end: runtime::channel().0,
        }
    }

    #[test]
    fn alarms_pop_earliest_first_then_in_arrival_order() {
        let t0 = Instant::now();
        let mut heap = BinaryHeap::new();
        heap.push(alarm(t0 + Duration::from_millis(30), 1));
        heap.push(alarm(t0 + Duration::from_millis(10), 3));
        heap.push(alarm(t0 + Duration::from_millis(10), 2));
        heap.push(alarm(t0, 4));
        let order: Vec<u64> = std::iter::from_fn(|| heap.pop().map(|a| a.seq)).collect();
        assert_eq!(order, vec![4, 2, 3, 1]);
    }

    #[test]
    fn unix_seconds_is_plausible() {
        // 2020-01-01 .. 2200-01-01
        let s = unix_seconds();
        assert!((1_577_836_800..7_258_118_400).contains(&s), "{s}");
    }
}
