//! Generated well-typed programs (`tests/common/progen.rs`) check, run to
//! the end, and print the same under a seeded single-threaded schedule and
//! on two worker threads: with no `race`, the protocols force the order of
//! everything the one printing process sees. The fuzz target `run` drives
//! the same generator with coverage feedback; this test runs a fixed set
//! of programs so every `cargo test` exercises it.

#[path = "common/progen.rs"]
mod progen;

use mpl::runtime::Config;
use std::sync::Arc;
use std::time::Duration;

/// Programs per `cargo test`; each takes milliseconds.
const PROGRAMS: u64 = 300;

/// The bytes program `n` is generated from.
fn bytes(n: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(n);
    let len = rng.usize(64..4096);
    (0..len).map(|_| rng.u8(..)).collect()
}

fn source(n: u64) -> String {
    let data = bytes(n);
    let mut u = arbitrary::Unstructured::new(&data);
    progen::program(&mut u).expect("the generator only fails on exhausted input, which it handles")
}

/// Runs a program under `config` on a thread of its own, giving up after
/// ten seconds (a hang is a failure, not a stuck test).
fn run_limited(compiled: &Arc<progen::Compiled>, source: &str, config: Config) -> progen::Outcome {
    let (tx, rx) = std::sync::mpsc::channel();
    let compiled = Arc::clone(compiled);
    std::thread::Builder::new()
        .stack_size(1 << 28)
        .spawn(move || {
            let _ = tx.send(progen::run(&compiled, config));
        })
        .expect("a thread");
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("this generated program did not end within 10 s:\n{source}"))
}

#[test]
fn generated_programs_print_the_same_under_every_schedule() {
    for n in 0..PROGRAMS {
        let source = source(n);
        let compiled = Arc::new(progen::compile(&source));
        let seeded = progen::agree_on_schedules(&compiled, &source, n, |_, config| {
            run_limited(&compiled, &source, config)
        });
        assert!(
            seeded.stdout.contains("total "),
            "program {n} printed no total:\n{source}"
        );
    }
}

#[test]
fn the_generator_covers_every_construct() {
    let all: String = (0..PROGRAMS).map(source).collect();
    for construct in [
        "fork c as",
        "split c as",
        "c.put(d",
        "= c.get;\na",
        "fuel - 1",
        "switch (c.get)",
        "map(record Func",
        "c.close()",
        "mkObj(",
        "Node(",
        "race {\ncase c:",
        "Int af",
    ] {
        assert!(
            all.contains(construct),
            "no generated program has `{construct}`"
        );
    }
}
