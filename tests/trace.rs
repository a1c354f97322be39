//! `mpl run --trace` and `--trace-html`: what a traced run records, and the
//! chart drawn from it, checked structurally (the SVG is parsed as XML; one
//! lifeline per process and service, one arrow per message), on one
//! thread, two threads and seeded runs. Each run has a time limit.

mod common;

use common::SharedBuf;
use mpl::SourceInput;
use mpl::host::Host;
use mpl::runtime::Config;
use mpl::source::SourceMap;
use mpl::trace::{Recorded, Trace, What};
use std::sync::Arc;
use std::time::Duration;

/// A client that asks twice and stops, a server that doubles.
const DOUBLER: &str = "\
protocol Ask = put Double: put Int, get Int, loop | put Stop: close;

process server(neg<Ask> c) {
  switch (c.get) {
    case Double:
      let n = c.get;
      c.put(n * 2);
      server(c);
    case Stop: c.close();
  }
}

process client(Ask c, PutSeq<Char> out) {
  c.put(Double).put(20);
  writeLine(out, show(c.get));
  c.put(Double).put(4);
  let x = c.get;
  c.put(Stop);
  c.close();
  writeLine(out, show(x));
  out.put(StopPut);
}

server(~a);
client(a, stdout);
";

struct Traced {
    recorded: Recorded,
    page: String,
    stdout: String,
    lines: String,
}

fn traced(text: &str, config: Config, limit: usize) -> Traced {
    let text = text.to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let mut sources = SourceMap::new();
            let input = SourceInput::Text {
                name: "doubler.mpl".into(),
                text,
            };
            let program = mpl::compile(&mut sources, input).expect("the program checks");
            let (out, lines) = (SharedBuf::default(), SharedBuf::default());
            let trace = Arc::new(Trace::new(limit, Some(lines.output()), &sources));
            let host = Host {
                trace: Some(trace.clone()),
                ..Host::writing_to(out.output(), mpl::host::discard())
            };
            let (code, _) = mpl::run_program(program, host, config);
            assert_eq!(code, 0);
            let recorded = trace.recorded();
            let page = mpl::trace::chart::page(&trace, &recorded, "doubler.mpl");
            let _ = tx.send(Traced {
                recorded,
                page,
                stdout: out.text(),
                lines: lines.text(),
            });
        })
        .expect("a thread");
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the run ends in time")
}

fn count(recorded: &Recorded, f: impl Fn(&What) -> bool) -> usize {
    recorded.events.iter().filter(|e| f(&e.what)).count()
}

/// The chart's SVG, parsed: its lifelines and arrows.
fn chart_parts(page: &str) -> (usize, usize) {
    let start = page.find("<svg").expect("an svg");
    let end = page.rfind("</svg>").expect("the svg closes") + "</svg>".len();
    let svg = roxmltree::Document::parse(&page[start..end]).expect("well-formed svg");
    let groups = |class: &str| {
        svg.descendants()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some(class))
            .count()
    };
    (groups("lifeline"), groups("msg"))
}

#[test]
fn a_traced_run_records_each_process_once_and_each_message_at_both_ends() {
    let t = traced(DOUBLER, Config::default(), 1000);
    assert_eq!(t.stdout, "40\n8\n");
    // The wiring (which becomes the client) and the server.
    assert_eq!(count(&t.recorded, |w| matches!(w, What::Start { .. })), 2);
    assert_eq!(count(&t.recorded, |w| matches!(w, What::End { .. })), 2);
    // Between the two processes: 2 × (Double, n, result) + Stop, each put
    // and got; to stdout: `Put` and a character for each character and
    // newline of "40\n" and "8\n", then StopPut.
    let puts = count(&t.recorded, |w| matches!(w, What::Put(_)));
    let gets = count(&t.recorded, |w| matches!(w, What::Get(_)));
    assert_eq!(gets, 7);
    assert_eq!(puts, 7 + 2 * 3 + 2 * 2 + 1);
    assert!(t.lines.contains("put    c <- Double"), "{}", t.lines);
    assert!(
        t.lines.contains("wiring#1         becomes client(c, out)"),
        "{}",
        t.lines
    );
    assert!(t.lines.contains("client#1         end"), "{}", t.lines);
    assert!(
        t.lines.contains("get    c -> Double  at doubler.mpl:4:"),
        "{}",
        t.lines
    );
}

#[test]
fn the_chart_has_one_lifeline_per_process_and_service_and_one_arrow_per_message() {
    let t = traced(DOUBLER, Config::default(), 1000);
    let (lifelines, arrows) = chart_parts(&t.page);
    assert_eq!(lifelines, 3, "client, server, stdout");
    let puts = count(&t.recorded, |w| matches!(w, What::Put(_)));
    assert_eq!(arrows, puts);
    assert!(!t.page.contains("<script"), "no script");
    assert!(!t.page.contains("http://") || !t.page.contains("src=\"http"));
}

#[test]
fn every_message_is_got_after_it_is_put_on_any_schedule() {
    let mut configs = vec![Config {
        threads: 2,
        ..Config::default()
    }];
    configs.extend((1..=4).map(|seed| Config {
        seed: Some(seed),
        ..Config::default()
    }));
    for config in configs {
        let t = traced(DOUBLER, config, 1000);
        // The n-th put on an end's way is the n-th get at the other end.
        let mut waiting: std::collections::HashMap<_, Vec<usize>> = Default::default();
        for (row, e) in t.recorded.events.iter().enumerate() {
            match &e.what {
                What::Put(m) => waiting.entry(m.end.other()).or_default().push(row),
                What::Get(m) => {
                    let queue = waiting.get_mut(&m.end).expect("a put before the get");
                    assert!(!queue.is_empty(), "a get with no put before it");
                    queue.remove(0);
                }
                _ => {}
            }
        }
        assert_eq!(chart_parts(&t.page).0, 3);
    }
}

#[test]
fn a_trace_keeps_at_most_its_limit_and_the_page_says_it_was_cut() {
    let t = traced(DOUBLER, Config::default(), 6);
    assert_eq!(t.recorded.events.len(), 6);
    assert!(t.recorded.dropped > 0);
    assert!(t.page.contains("The trace was cut"), "{}", t.page);
    assert!(t.lines.contains("trace: cut at 6 events"), "{}", t.lines);
    chart_parts(&t.page);
}
