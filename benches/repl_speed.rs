//! REPL speed (issue 10): how long a session takes to start (prelude parsed,
//! checked and compiled, runtime up), and how long one entered line takes
//! to be checked and run with 1,000 user declarations loaded. Targets:
//! first prompt within 100 ms, each line within 20 ms. Run with
//! `cargo bench --bench repl_speed`; medians of several runs.

use mpl::host::{Host, Output};
use mpl::runtime::Config;
use mpl::session::{Session, SessionConfig};
use parking_lot::Mutex;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn sink() -> Output {
    Arc::new(Mutex::new(Box::new(std::io::sink())))
}

/// What the session answers (to check that the timed lines succeed).
#[derive(Clone, Default)]
struct Said(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Said {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    static OUT: Said = Said::default();
}

fn session() -> Session {
    let host = Host::writing_to(sink(), sink());
    let config = SessionConfig {
        host,
        runtime: Config::default(),
        color: false,
        settle: Duration::from_secs(1),
        syntax: Default::default(),
    };
    let answers: Output = Arc::new(Mutex::new(Box::new(OUT.with(Said::clone))));
    Session::new(config, answers).expect("the session starts")
}

/// Eight declarations (a data type, three functions, a protocol, two
/// processes and a function with a channel) per `i`.
fn declarations(units: usize) -> String {
    let mut out = String::new();
    for i in 0..units {
        let _ = write!(
            out,
            r#"data Shape{i} = Circle{i}(Int) | Rect{i}(Int, Int) | Dot{i};
Int area{i}(Shape{i} s) {{ switch s {{ case Circle{i}(r): 3 * r * r case Rect{i}(w, h): w * h case Dot{i}: 0 }} }}
Int sum{i}([Int] xs, Int acc) {{ switch xs {{ case []: acc case (x:rest): sum{i}(rest, acc + x) }} }}
[t] keep{i}([t] xs, Int n) {{ if (n <= 0) {{ [] }} else {{ switch xs {{ case []: [] case (x:rest): x : keep{i}(rest, n - 1) }} }} }}
protocol Ask{i} = put Query{i}: put Int, get Int, loop | put Done{i}: close;
process server{i}(neg<Ask{i}> c) {{ switch (c.get) {{ case Query{i}: let k = c.get; c.put(k * {i}); server{i}(c); case Done{i}: }} }}
Int ask{i}(Ask{i} c, Int k) {{ c.put(Query{i}).put(k); c.get }}
process client{i}(Ask{i} c) {{ let a = ask{i}(c, 1); c.put(Done{i}); }}
"#
        );
    }
    out
}

/// Runs `line`, which must be accepted and run without an error.
fn ok(s: &mut Session, line: &str) {
    OUT.with(|o| o.0.lock().clear());
    s.eval(line);
    let said = OUT.with(|o| String::from_utf8_lossy(&o.0.lock()).into_owned());
    assert!(!said.contains('×'), "`{line}` failed:\n{said}");
}

fn time(s: &mut Session, line: &str) -> Duration {
    let t = Instant::now();
    ok(s, line);
    t.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    mpl::with_big_stack(|| {
        let starts: Vec<Duration> = (0..7)
            .map(|_| {
                let t = Instant::now();
                let s = session();
                let d = t.elapsed();
                drop(s);
                d
            })
            .collect();
        println!(
            "repl start (prelude, runtime): median {:.1} ms over 7",
            ms(median(starts))
        );

        let mut s = session();
        let path = std::env::temp_dir().join(format!("mpl-repl-bench-{}.mpl", std::process::id()));
        let _ = std::fs::write(&path, declarations(125));
        let t = Instant::now();
        ok(&mut s, &format!(":load {}", path.display()));
        println!("load 1,000 declarations: {:.1} ms", ms(t.elapsed()));
        let _ = std::fs::remove_file(&path);

        let lines: [(&str, &str); 3] = [
            ("expression", "area7(Rect7(2, 3)) + sum9([1, 2, 3], 0)"),
            ("let", "let xs = keep3([1, 2, 3, 4], 2);"),
            (
                "start a process, one round trip",
                "server5(~c{k}); c{k}.put(Query5).put(2); let r = c{k}.get; c{k}.put(Done5);",
            ),
        ];
        for (what, line) in lines {
            let times = (0..9)
                .map(|k| time(&mut s, &line.replace("{k}", &k.to_string())))
                .collect();
            println!(
                "line with 1,000 declarations ({what}): median {:.1} ms over 9",
                ms(median(times))
            );
        }
        let mut times = Vec::new();
        for k in 0..9 {
            ok(&mut s, &format!("server5(~d{k}); d{k}.put(Query5).put(2);"));
            times.push(time(&mut s, &format!("d{k}.get")));
            ok(&mut s, &format!("d{k}.put(Done5);"));
        }
        println!(
            "line with 1,000 declarations (a get): median {:.1} ms over 9",
            ms(median(times))
        );
    });
}
