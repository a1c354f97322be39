//! Micro-benchmark of the runtime alone (no MPL): a chain of 10,000 toy
//! tasks passes a token 50 times there and back (about 1,000,000 messages),
//! with 1 and 2 worker threads; prints ns per message.
//!
//! Needs `[[bench]] name = "runtime_chain"` with `harness = false` in
//! Cargo.toml; run with `cargo bench --bench runtime_chain`.

use std::time::Instant;

use mpl::runtime::{Config, Cx, End, Outcome, Runtime, Step, Task, TaskInfo, channel};

type Msg = u64;
type S = Step<Msg, ()>;

/// One link: the head starts each round, the tail bounces the token back.
struct Node {
    left: Option<End<Msg>>,
    right: Option<End<Msg>>,
    rounds: u32,
    waiting_right: bool,
}

fn take(e: &End<Msg>) -> Result<Msg, S> {
    e.try_get().ok_or_else(|| Step::Park(e.clone()))
}

impl Node {
    fn step(&mut self, cx: &mut Cx<'_, Msg, ()>) -> Result<(), S> {
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

impl Task<Msg, ()> for Node {
    fn run(&mut self, cx: &mut Cx<'_, Msg, ()>) -> S {
        for _ in 0..cx.budget() {
            if let Err(step) = self.step(cx) {
                return step;
            }
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        TaskInfo::default()
    }
}

fn chain(threads: usize, n: usize, rounds: u32) -> f64 {
    let rt: Runtime<Msg, ()> = Runtime::new(Config {
        threads,
        ..Config::default()
    });
    let h = rt.handle();
    let mut left = None;
    for i in 0..n {
        let (right, next_left) = match i + 1 < n {
            true => {
                let (x, y) = channel();
                (Some(x), Some(y))
            }
            false => (None, None),
        };
        let node = Node {
            left: left.take(),
            right,
            rounds,
            waiting_right: false,
        };
        h.spawn(Box::new(node));
        left = next_left;
    }
    let msgs = 2 * (n as u64 - 1) * rounds as u64;
    let start = Instant::now();
    let outcome = rt.run();
    let ns = start.elapsed().as_nanos() as f64 / msgs as f64;
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    ns
}

fn main() {
    for threads in [1, 2] {
        let best = (0..5)
            .map(|_| chain(threads, 10_000, 50))
            .fold(f64::INFINITY, f64::min);
        println!("runtime chain 10k tasks x 50 round trips, {threads} thread(s): {best:.1} ns/msg");
    }
}
