//! Checker speed: generates a well-typed program of about 10,000 lines
//! (data types, generic and recursive functions, protocols and processes
//! that use them) and times `mpl::compile` on it. Target (issue 3): under
//! 0.5 s on one core. Run with `cargo bench --bench check_speed`.

use mpl::SourceInput;
use mpl::source::SourceMap;
use std::time::{Duration, Instant};

#[path = "common/program.rs"]
mod program;

fn main() {
    let (text, i) = program::program(10_000);
    let lines = text.lines().count();
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = text.clone();
        let start = Instant::now();
        let ok = mpl::with_big_stack(move || {
            let mut sources = SourceMap::new();
            mpl::compile(
                &mut sources,
                SourceInput::Text {
                    name: "gen.mpl".into(),
                    text: t,
                },
            )
            .is_ok()
        });
        times.push(start.elapsed());
        assert!(ok, "the generated program must check");
    }
    times.sort();
    let median: Duration = times[times.len() / 2];
    println!(
        "check_speed: {lines} lines, {i} units: median {:.1} ms over {} runs (min {:.1} ms)",
        median.as_secs_f64() * 1e3,
        times.len(),
        times[0].as_secs_f64() * 1e3
    );
}
