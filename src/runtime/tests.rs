//! Tests of the runtime on toy tasks (small state machines), named after the
//! rule each one checks, plus an ignored micro-benchmark
//! (`cargo test --release -- --ignored --nocapture chain_benchmark`).
//! Every run goes through `run_bounded`, which fails instead of hanging.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::*;
use crate::source::{FileId, Span};

type Msg = u64;
type Trace = Arc<Mutex<Vec<String>>>;
type TestRuntime = Runtime<Msg, String>;
type BoxTask = Box<dyn Task<Msg, String>>;

fn cfg(threads: usize) -> Config {
    Config {
        threads,
        seed: None,
        budget: 100,
        hold: false,
    }
}

fn seeded(seed: u64) -> Config {
    Config {
        threads: 1,
        seed: Some(seed),
        budget: 3,
        hold: false,
    }
}

/// Runs `rt` on another thread; fails the test if it takes over `secs`.
fn run_bounded(rt: TestRuntime, secs: u64) -> Outcome<String> {
    let h = rt.handle();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(rt.run()));
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(o) => o,
        Err(_) => {
            h.stop();
            panic!("run did not end within {secs}s");
        }
    }
}

/// A toy process: runs a list of operations on its channel ends.
#[derive(Clone, Debug)]
enum Op {
    Put(usize, Msg),
    /// Receive and check the value (None: anything).
    Get(usize, Option<Msg>),
    /// Forward end i to end j.
    Forward(usize, usize),
    /// Put values 0..n on an end.
    PutRange(usize, Msg),
    /// Receive n values, checking they are 0..n in order.
    GetRange(usize, Msg),
    /// Receive n values of any kind.
    GetN(usize, Msg),
    /// Receive one value from whichever of these ends has one (the one
    /// that arrived first), logging `race{i}got{v}`.
    Race(Vec<usize>),
    /// Burn budget forever (yielding).
    SpinForever,
    /// Yield n times.
    YieldN(u32),
    Fail,
    Panic,
}

struct Script {
    name: String,
    ends: Vec<Option<End<Msg>>>,
    ops: Vec<Op>,
    pc: usize,
    counter: Msg,
    trace: Option<Trace>,
}

fn script(name: &str, ends: Vec<End<Msg>>, ops: Vec<Op>) -> Script {
    Script {
        name: name.into(),
        ends: ends.into_iter().map(Some).collect(),
        ops,
        pc: 0,
        counter: 0,
        trace: None,
    }
}

impl Script {
    fn traced(mut self, t: &Trace) -> Self {
        self.trace = Some(t.clone());
        self
    }

    fn boxed(self) -> BoxTask {
        Box::new(self)
    }

    fn end(&self, i: usize) -> Result<&End<Msg>, String> {
        self.ends[i]
            .as_ref()
            .ok_or_else(|| format!("{}: end {i} gone", self.name))
    }

    fn log(&self, what: String) {
        if let Some(t) = &self.trace {
            t.lock().push(format!("{}:{what}", self.name));
        }
    }

    /// Receives into `v`; `Err(step)` means park or fail.
    fn recv(&self, i: usize) -> Result<Msg, Step<Msg, String>> {
        let e = self.end(i).map_err(Step::Fail)?;
        e.try_get().ok_or_else(|| Step::Park(e.clone()))
    }

    /// Runs one operation; `Some(step)` ends the turn.
    fn op(&mut self, cx: &mut Cx<'_, Msg, String>) -> Option<Step<Msg, String>> {
        let Some(op) = self.ops.get(self.pc).cloned() else {
            return Some(Step::Done);
        };
        match op {
            Op::Put(i, v) => {
                self.log(format!("put{v}"));
                cx.put(self.end(i).ok()?, v);
            }
            Op::Get(i, want) => {
                let v = match self.recv(i) {
                    Ok(v) => v,
                    Err(s) => return Some(s),
                };
                self.log(format!("got{v}"));
                if want.is_some_and(|w| w != v) {
                    return Some(Step::Fail(format!("{} got {v}, want {want:?}", self.name)));
                }
            }
            Op::Forward(i, j) => {
                let (a, b) = (self.ends[i].take()?, self.ends[j].take()?);
                cx.forward(a, b);
            }
            Op::PutRange(i, n) => {
                cx.put(self.end(i).ok()?, self.counter);
                self.counter += 1;
                if self.counter < n {
                    return None;
                }
                self.counter = 0;
            }
            Op::GetRange(i, n) | Op::GetN(i, n) => {
                let v = match self.recv(i) {
                    Ok(v) => v,
                    Err(s) => return Some(s),
                };
                if matches!(op, Op::GetRange(..)) && v != self.counter {
                    let msg = format!("{} got {v}, want {}", self.name, self.counter);
                    return Some(Step::Fail(msg));
                }
                self.counter += 1;
                if self.counter < n {
                    return None;
                }
                self.counter = 0;
            }
            Op::Race(ref ends) => {
                let mut best: Option<(u64, usize)> = None;
                for &i in ends {
                    if let Some(at) = self.end(i).ok()?.arrival()
                        && best.is_none_or(|(b, _)| at < b)
                    {
                        best = Some((at, i));
                    }
                }
                let Some((_, i)) = best else {
                    let waiting = ends.iter().filter_map(|&i| self.end(i).ok().cloned());
                    return Some(Step::Race(waiting.collect()));
                };
                let v = self.end(i).ok()?.try_get()?;
                self.log(format!("race{i}got{v}"));
            }
            Op::SpinForever => return Some(Step::Yield),
            Op::YieldN(n) => {
                self.log(format!("yield{}", self.counter));
                self.counter += 1;
                if self.counter < n as Msg {
                    return Some(Step::Yield);
                }
                self.counter = 0;
            }
            Op::Fail => return Some(Step::Fail(format!("{} failed", self.name))),
            Op::Panic => panic!("{} panics (on purpose)", self.name),
        }
        self.pc += 1;
        None
    }
}

impl Task<Msg, String> for Script {
    fn run(&mut self, cx: &mut Cx<'_, Msg, String>) -> Step<Msg, String> {
        for _ in 0..cx.budget() {
            if let Some(step) = self.op(cx) {
                return step;
            }
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        let pc = self.pc;
        TaskInfo {
            name: self.name.clone(),
            waiting_at: Some(Span::new(FileId(0), pc, pc + 1)),
            holds: self
                .ends
                .iter()
                .flatten()
                .map(|e| (e.id(), e.side()))
                .collect(),
            channel_names: Vec::new(),
        }
    }
}

fn ping_pong(config: Config, rounds: u64) -> Outcome<String> {
    let rt = TestRuntime::new(config);
    let h = rt.handle();
    let (a, b) = channel();
    let mut ping = Vec::new();
    let mut pong = Vec::new();
    for i in 0..rounds {
        ping.extend([Op::Put(0, i), Op::Get(0, Some(i + 1000))]);
        pong.extend([Op::Get(0, Some(i)), Op::Put(0, i + 1000)]);
    }
    h.spawn(script("ping", vec![a], ping).boxed());
    h.spawn(script("pong", vec![b], pong).boxed());
    run_bounded(rt, 20)
}

fn finished(o: &Outcome<String>) -> bool {
    matches!(o, Outcome::Finished)
}

#[test]
fn ping_pong_one_thread() {
    let o = ping_pong(cfg(1), 10_000);
    assert!(finished(&o), "{o:?}");
}

#[test]
fn ping_pong_two_threads() {
    for _ in 0..10 {
        let o = ping_pong(cfg(2), 5_000);
        assert!(finished(&o), "{o:?}");
    }
}

#[test]
fn ping_pong_seeded() {
    for seed in 0..5 {
        let o = ping_pong(seeded(seed), 2_000);
        assert!(finished(&o), "{o:?}");
    }
}

#[test]
fn empty_run_finishes() {
    assert!(finished(&run_bounded(TestRuntime::new(cfg(2)), 5)));
}

/// A link of a token chain: the head starts each round, the tail bounces
/// the token back.
struct ChainNode {
    left: Option<End<Msg>>,
    right: Option<End<Msg>>,
    rounds: u32,
    waiting_right: bool,
}

fn take(e: &End<Msg>) -> Result<Msg, Step<Msg, String>> {
    e.try_get().ok_or_else(|| Step::Park(e.clone()))
}

impl ChainNode {
    fn step(&mut self, cx: &mut Cx<'_, Msg, String>) -> Result<(), Step<Msg, String>> {
        if !self.waiting_right {
            let v = match &self.left {
                None => self.rounds as Msg,
                Some(l) => take(l)?,
            };
            match (&self.right, &self.left) {
                (Some(r), _) => {
                    cx.put(r, v);
                    self.waiting_right = true;
                    return Ok(());
                }
                (None, Some(l)) => cx.put(l, v),
                (None, None) => {}
            }
        } else {
            let r = self.right.as_ref().ok_or(Step::Done)?;
            let v = take(r)?;
            if let Some(l) = &self.left {
                cx.put(l, v);
            }
            self.waiting_right = false;
        }
        self.rounds -= 1;
        match self.rounds {
            0 => Err(Step::Done),
            _ => Ok(()),
        }
    }
}

impl Task<Msg, String> for ChainNode {
    fn run(&mut self, cx: &mut Cx<'_, Msg, String>) -> Step<Msg, String> {
        for _ in 0..cx.budget() {
            if let Err(step) = self.step(cx) {
                return step;
            }
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: "node".into(),
            ..TaskInfo::default()
        }
    }
}

/// Spawns a chain of `n` nodes passing a token `rounds` times there and
/// back; returns the number of messages it will send.
fn spawn_chain(h: &Handle<Msg, String>, n: usize, rounds: u32) -> u64 {
    let mut left = None;
    for i in 0..n {
        let (r, next_left) = match i + 1 < n {
            true => {
                let (x, y) = channel();
                (Some(x), Some(y))
            }
            false => (None, None),
        };
        let node = ChainNode {
            left: left.take(),
            right: r,
            rounds,
            waiting_right: false,
        };
        h.spawn(Box::new(node));
        left = next_left;
    }
    2 * (n as u64 - 1) * rounds as u64
}

#[test]
fn chain_of_1000_tasks_passes_token() {
    for threads in [1, 2] {
        let rt = TestRuntime::new(cfg(threads));
        spawn_chain(&rt.handle(), 1000, 3);
        let o = run_bounded(rt, 30);
        assert!(finished(&o), "{o:?}");
    }
    let rt = TestRuntime::new(seeded(7));
    spawn_chain(&rt.handle(), 1000, 2);
    assert!(finished(&run_bounded(rt, 30)));
}

#[test]
fn hundred_thousand_messages_stay_ordered_on_one_channel() {
    for threads in [1, 2] {
        let rt = TestRuntime::new(cfg(threads));
        let h = rt.handle();
        let (a, b) = channel();
        h.spawn(script("tx", vec![a], vec![Op::PutRange(0, 100_000)]).boxed());
        h.spawn(script("rx", vec![b], vec![Op::GetRange(0, 100_000)]).boxed());
        let o = run_bounded(rt, 30);
        assert!(finished(&o), "{o:?}");
    }
}

#[test]
fn parking_race_loses_no_wakeup() {
    for _ in 0..20 {
        let rt = TestRuntime::new(cfg(2));
        let h = rt.handle();
        let (a, b) = channel();
        let senders = 16;
        let per = 2_000;
        for s in 0..senders {
            let ops = vec![Op::YieldN(s % 3), Op::PutRange(0, per)];
            h.spawn(script(&format!("tx{s}"), vec![a.clone()], ops).boxed());
        }
        drop(a);
        let rx = vec![Op::GetN(0, senders as Msg * per)];
        h.spawn(script("rx", vec![b], rx).boxed());
        let o = run_bounded(rt, 30);
        assert!(finished(&o), "{o:?}");
    }
}

#[test]
fn parking_race_with_puts_from_an_io_thread() {
    for _ in 0..20 {
        let rt = TestRuntime::new(cfg(2));
        let h = rt.handle();
        let (a, b) = channel();
        let n = 5_000;
        h.spawn(script("rx", vec![b], vec![Op::GetRange(0, n)]).boxed());
        h.io_begin();
        let h2 = h.clone();
        std::thread::spawn(move || {
            (0..n).for_each(|i| h2.put(&a, i));
            h2.io_end();
        });
        let o = run_bounded(rt, 30);
        assert!(finished(&o), "{o:?}");
    }
}

/// p --x-- [mid: a, b] --y-- q; mid puts on both, then does a := b.
fn forward_run(config: Config, n: Msg) -> Outcome<String> {
    let rt = TestRuntime::new(config);
    let h = rt.handle();
    let (p, a) = channel();
    let (b, q) = channel();
    let mid = vec![
        Op::Put(0, 500),
        Op::Put(1, 600),
        Op::YieldN(2),
        Op::Forward(0, 1),
    ];
    let side = |me: Msg, from_mid: Msg, from_peer: Msg| {
        vec![
            Op::PutRange(0, n),
            Op::Get(0, Some(from_mid)),
            Op::GetRange(0, n),
            Op::Put(0, me),
            Op::Get(0, Some(from_peer)),
        ]
    };
    h.spawn(script("p", vec![p], side(1, 500, 2)).boxed());
    h.spawn(script("mid", vec![a, b], mid).boxed());
    h.spawn(script("q", vec![q], side(2, 600, 1)).boxed());
    run_bounded(rt, 30)
}

#[test]
fn forward_keeps_order_of_queued_and_later_messages() {
    for threads in [1, 2] {
        for _ in 0..20 {
            let o = forward_run(cfg(threads), 3_000);
            assert!(finished(&o), "{o:?}");
        }
    }
    for seed in 0..20 {
        let o = forward_run(seeded(seed), 200);
        assert!(finished(&o), "{o:?}");
    }
}

#[test]
fn forward_wakes_a_peer_already_parked() {
    let rt = TestRuntime::new(cfg(2));
    let h = rt.handle();
    let (p, a) = channel();
    let (b, q) = channel();
    h.spawn(script("q", vec![q], vec![Op::Get(0, Some(9))]).boxed());
    let mid = vec![Op::YieldN(20), Op::Forward(0, 1)];
    h.spawn(script("mid", vec![a, b], mid).boxed());
    h.spawn(script("p", vec![p], vec![Op::Put(0, 9)]).boxed());
    let o = run_bounded(rt, 10);
    assert!(finished(&o), "{o:?}");
}

#[test]
fn a_race_wakes_on_whichever_end_receives() {
    for config in [cfg(1), cfg(2), seeded(1), seeded(2)] {
        for sender in 0..2 {
            let rt = TestRuntime::new(config.clone());
            let h = rt.handle();
            let trace = Trace::default();
            let (a, pa) = channel();
            let (b, pb) = channel();
            let racer = script("racer", vec![a, b], vec![Op::Race(vec![0, 1])]).traced(&trace);
            h.spawn(racer.boxed());
            let (to, idle) = if sender == 0 { (pa, pb) } else { (pb, pa) };
            h.spawn(script("idle", vec![idle], vec![Op::YieldN(5)]).boxed());
            h.spawn(script("sender", vec![to], vec![Op::YieldN(3), Op::Put(0, 7)]).boxed());
            let o = run_bounded(rt, 10);
            assert!(finished(&o), "{o:?}");
            assert_eq!(
                trace.lock().clone(),
                vec![format!("racer:race{sender}got7")]
            );
        }
    }
}

#[test]
fn a_task_waiting_in_a_race_is_in_the_deadlock_report() {
    for config in [cfg(1), cfg(2), seeded(3)] {
        let rt = TestRuntime::new(config);
        let h = rt.handle();
        let (a, pa) = channel();
        let (b, pb) = channel();
        h.spawn(script("racer", vec![a, b], vec![Op::Race(vec![0, 1])]).boxed());
        h.spawn(script("holder", vec![pa, pb], vec![Op::Get(0, None)]).boxed());
        let r = deadlock_reports(run_bounded(rt, 10));
        let names: Vec<&str> = r.iter().map(|w| w.task.name.as_str()).collect();
        assert_eq!(names, ["racer", "holder"], "{r:?}");
        assert_eq!(r[0].peer_holder.as_deref(), Some("holder"));
    }
}

fn deadlock_reports(o: Outcome<String>) -> Vec<WaitReport> {
    match o {
        Outcome::Deadlock(r) => r,
        other => panic!("expected a deadlock, got {other:?}"),
    }
}

#[test]
fn deadlock_two_tasks_waiting_for_each_other() {
    for config in [cfg(1), cfg(2), seeded(3)] {
        let rt = TestRuntime::new(config);
        let h = rt.handle();
        let (a, b) = channel();
        let (c, d) = channel();
        h.spawn(script("left", vec![a, c], vec![Op::Get(0, None)]).boxed());
        h.spawn(script("right", vec![b, d], vec![Op::Get(1, None)]).boxed());
        let r = deadlock_reports(run_bounded(rt, 10));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].task.name, "left");
        assert_eq!(r[0].peer_holder.as_deref(), Some("right"));
        assert_eq!(r[1].task.name, "right");
        assert_eq!(r[1].peer_holder.as_deref(), Some("left"));
        assert_eq!(r[1].side, Side::B);
        assert_eq!(r[0].task.waiting_at, Some(Span::new(FileId(0), 0, 1)));
    }
}

#[test]
fn deadlock_on_a_channel_nobody_holds() {
    let rt = TestRuntime::new(cfg(2));
    let (a, b) = channel();
    drop(b);
    rt.handle()
        .spawn(script("lonely", vec![a], vec![Op::Get(0, None)]).boxed());
    let r = deadlock_reports(run_bounded(rt, 10));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].task.name, "lonely");
    assert_eq!(r[0].peer_holder, None);
}

#[test]
fn deadlock_report_lists_cycle_first_in_wait_order() {
    let rt = TestRuntime::new(cfg(2));
    let h = rt.handle();
    let (orphan, gone) = channel();
    drop(gone);
    h.spawn(script("stray", vec![orphan], vec![Op::Get(0, None)]).boxed());
    let (x01, x10) = channel();
    let (x12, x21) = channel();
    let (x20, x02) = channel();
    // t0 waits on x02 (held by t2), t2 on x21 (held by t1), t1 on x10.
    h.spawn(script("t0", vec![x01, x02], vec![Op::Get(1, None)]).boxed());
    h.spawn(script("t1", vec![x10, x12], vec![Op::Get(0, None)]).boxed());
    h.spawn(script("t2", vec![x20, x21], vec![Op::Get(1, None)]).boxed());
    let r = deadlock_reports(run_bounded(rt, 10));
    let names: Vec<_> = r.iter().map(|w| w.task.name.as_str()).collect();
    assert_eq!(names, ["t0", "t2", "t1", "stray"]);
    assert_eq!(r[0].peer_holder.as_deref(), Some("t2"));
}

#[test]
fn input_exhausted_flag_turns_deadlock_into_input_exhausted() {
    let rt = TestRuntime::new(cfg(2));
    let h = rt.handle();
    let (a, b) = channel();
    h.spawn_daemon(script("stdin", vec![a], vec![Op::YieldN(3)]).boxed());
    h.spawn(script("main", vec![b], vec![Op::Get(0, None)]).boxed());
    h.set_input_exhausted();
    match run_bounded(rt, 10) {
        Outcome::InputExhausted(r) => {
            assert_eq!(r.len(), 1);
            assert_eq!(r[0].task.name, "main");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pending_io_keeps_the_run_alive_until_its_put() {
    for threads in [1, 2] {
        let rt = TestRuntime::new(cfg(threads));
        let h = rt.handle();
        let (a, b) = channel();
        h.spawn(script("main", vec![b], vec![Op::Get(0, Some(42))]).boxed());
        h.io_begin();
        let h2 = h.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            h2.put(&a, 42);
            h2.io_end();
        });
        let o = run_bounded(rt, 10);
        assert!(finished(&o), "{o:?}");
    }
}

#[test]
fn daemon_parked_forever_does_not_keep_the_run_alive() {
    let rt = TestRuntime::new(cfg(2));
    let h = rt.handle();
    let (a, b) = channel();
    h.spawn_daemon(script("svc", vec![a], vec![Op::Get(0, None)]).boxed());
    h.spawn(script("main", vec![b], vec![Op::YieldN(5)]).boxed());
    let start = Instant::now();
    let o = run_bounded(rt, 10);
    assert!(finished(&o), "{o:?}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn fail_stops_the_run_promptly_while_others_spin() {
    for config in [cfg(1), cfg(2), seeded(1)] {
        let rt = TestRuntime::new(config);
        let h = rt.handle();
        for i in 0..4 {
            let s = script(&format!("spin{i}"), vec![], vec![Op::SpinForever]);
            h.spawn(s.boxed());
        }
        h.spawn(script("bad", vec![], vec![Op::YieldN(10), Op::Fail]).boxed());
        let start = Instant::now();
        match run_bounded(rt, 10) {
            Outcome::Failed(e, _) => assert_eq!(e, "bad failed"),
            other => panic!("{other:?}"),
        }
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}

#[test]
fn panicking_task_ends_the_run_instead_of_hanging() {
    let rt = TestRuntime::new(cfg(2));
    let h = rt.handle();
    h.spawn(script("spin", vec![], vec![Op::SpinForever]).boxed());
    h.spawn(script("bad", vec![], vec![Op::YieldN(5), Op::Panic]).boxed());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.run()));
        tx.send(r.is_err())
    });
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(true));
}

#[test]
fn stop_from_another_thread_interrupts() {
    let rt = TestRuntime::new(cfg(2));
    let h = rt.handle();
    h.spawn(script("spin", vec![], vec![Op::SpinForever]).boxed());
    let h2 = h.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        h2.stop();
    });
    assert!(matches!(run_bounded(rt, 10), Outcome::Interrupted));
}

#[test]
fn run_end_drops_every_task_and_message() {
    struct Probe(Arc<AtomicBool>);
    impl Drop for Probe {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    struct Holder(#[allow(dead_code)] Probe, End<Msg>);
    impl Task<Msg, String> for Holder {
        fn run(&mut self, _cx: &mut Cx<'_, Msg, String>) -> Step<Msg, String> {
            Step::Park(self.1.clone())
        }
        fn info(&self) -> TaskInfo {
            TaskInfo::default()
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let rt = TestRuntime::new(cfg(2));
    let (a, b) = channel();
    let probe = Probe(dropped.clone());
    rt.handle().spawn_daemon(Box::new(Holder(probe, a)));
    drop(b);
    assert!(finished(&run_bounded(rt, 10)));
    assert!(dropped.load(Ordering::SeqCst));
}

fn seeded_trace(seed: u64) -> Vec<String> {
    let rt = TestRuntime::new(seeded(seed));
    let h = rt.handle();
    let trace: Trace = Arc::default();
    let (a, b) = channel();
    let (c, d) = channel();
    let ops = |end: usize, v: Msg| vec![Op::YieldN(4), Op::Put(end, v), Op::YieldN(2)];
    h.spawn(script("p", vec![a], ops(0, 1)).traced(&trace).boxed());
    h.spawn(script("q", vec![c], ops(0, 2)).traced(&trace).boxed());
    let recv = |i| vec![Op::YieldN(3), Op::Get(i, None)];
    h.spawn(script("r", vec![b], recv(0)).traced(&trace).boxed());
    h.spawn(script("s", vec![d], recv(0)).traced(&trace).boxed());
    assert!(finished(&run_bounded(rt, 10)));
    trace.lock().clone()
}

#[test]
fn seeded_runs_repeat_their_interleaving() {
    for seed in 0..10 {
        assert_eq!(seeded_trace(seed), seeded_trace(seed));
    }
    let distinct: std::collections::HashSet<_> = (0..10).map(seeded_trace).collect();
    assert!(distinct.len() > 1);
}

/// 10,000 tasks pass a token 50 times there and back (about 1,000,000
/// messages). Run with `--release -- --ignored --nocapture`.
#[test]
#[ignore]
fn chain_benchmark() {
    for threads in [1, 2, 1, 2] {
        let rt = TestRuntime::new(Config {
            threads,
            seed: None,
            budget: 2000,
            hold: false,
        });
        let msgs = spawn_chain(&rt.handle(), 10_000, 50);
        let start = Instant::now();
        let o = run_bounded(rt, 120);
        let ns = start.elapsed().as_nanos() as f64 / msgs as f64;
        assert!(finished(&o), "{o:?}");
        println!("chain 10k x 50, {threads} thread(s): {msgs} msgs, {ns:.1} ns/msg");
    }
}

/// 1,000 independent ping-pong pairs, 500 round trips each (1,000,000
/// messages): measures parallel throughput and work stealing.
#[test]
#[ignore]
fn pairs_benchmark() {
    for threads in [1, 2] {
        let rt = TestRuntime::new(Config {
            threads,
            seed: None,
            budget: 2000,
            hold: false,
        });
        let h = rt.handle();
        let rounds = 500;
        for _ in 0..1000 {
            let (a, b) = channel();
            let ping = (0..rounds).flat_map(|i| [Op::Put(0, i), Op::Get(0, None)]);
            let pong = (0..rounds).flat_map(|i| [Op::Get(0, None), Op::Put(0, i)]);
            h.spawn(script("ping", vec![a], ping.collect()).boxed());
            h.spawn(script("pong", vec![b], pong.collect()).boxed());
        }
        let start = Instant::now();
        let o = run_bounded(rt, 120);
        let ns = start.elapsed().as_nanos() as f64 / 1e6;
        assert!(finished(&o), "{o:?}");
        println!("pairs 1000 x {rounds} round trips, {threads} thread(s): {ns:.1} ns/msg");
    }
}

#[test]
fn handles_and_ends_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Handle<Msg, String>>();
    send_sync::<End<Msg>>();
    send::<TestRuntime>();
}
