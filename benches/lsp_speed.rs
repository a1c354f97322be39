//! Language server speed (issue 14): drives the real `mpl lsp` binary over
//! its standard input and output, as an editor does, on a generated
//! well-typed program of about 2,000 lines, and times
//! - diagnostics after a change: from `didChange` sent to
//!   `publishDiagnostics` received, the wait for typing to pause included
//!   (target: within 150 ms);
//! - hover on a channel and completion after `c.put(`: from the request
//!   sent to its answer (target: within 30 ms each).
//!
//! Run with `cargo bench --bench lsp_speed`. Medians of several rounds.

#[path = "../tests/common/lsp_client.rs"]
mod lsp_client;
#[path = "common/program.rs"]
mod program;

use lsp_client::Server;
use serde_json::json;
use std::time::{Duration, Instant};

const ROUNDS: usize = 21;
const URI: &str = "file:///bench/gen.mpl";

fn median(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "median {:.1} ms (min {:.1}, max {:.1}) over {}",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    )
}

fn errors(diagnostics: &[serde_json::Value]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d["severity"] == json!(1))
        .count()
}

/// The line (0-based) and column just after `needle` in the block `block`.
fn position_after(text: &str, block: usize, needle: &str) -> (u32, u32) {
    let marker = format!("process client{block}(");
    let from = text.find(&marker).expect("the block exists");
    let at = from + text[from..].find(needle).expect("the needle exists") + needle.len();
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    (line as u32, column as u32)
}

fn main() {
    let (text, blocks) = program::program(2_000);
    let lines = text.lines().count();
    let mut server = Server::start();

    let start = Instant::now();
    let first = server.open(URI, &text);
    let opened = start.elapsed();
    // Only the unstarted blocks' warnings (W0003), no errors.
    assert!(errors(&first) == 0, "the generated program must check");

    // Each change edits a literal in the middle of the file, as typing does.
    let middle = blocks / 2;
    let mut changes = Vec::new();
    for round in 0..ROUNDS {
        let edited = text.replace(
            &format!("ask{middle}(c, out, 1);"),
            &format!("ask{middle}(c, out, {});", round + 2),
        );
        let start = Instant::now();
        let diagnostics = server.change(URI, round as i64 + 2, &edited);
        changes.push(start.elapsed());
        assert!(errors(&diagnostics) == 0, "the edit must check");
    }

    // Hover on `c` in `c.put(Done…)` of the middle client: a channel state.
    let (line, column) = position_after(&text, middle, &format!("c.put(Done{middle}"));
    let done_column = column - format!("c.put(Done{middle}").len() as u32;
    let mut hovers = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let hover = server.hover_text(URI, line, done_column);
        hovers.push(start.elapsed());
        assert!(hover.contains("Ask"), "{hover}");
    }

    // Completion just after `c.put(` there: the labels `c` may send.
    let column = done_column + "c.put(".len() as u32;
    let mut completions = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let r = server.at("textDocument/completion", URI, line, column);
        completions.push(start.elapsed());
        let items = r["result"].as_array().map_or(0, |a| a.len());
        assert!(items == 2, "{r}");
    }
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    server.stop();

    println!("lsp_speed: {lines} lines, {blocks} blocks");
    println!(
        "  open, first diagnostics: {:.1} ms",
        opened.as_secs_f64() * 1e3
    );
    println!("  change -> diagnostics:   {}", median(changes));
    println!("  hover on a channel:      {}", median(hovers));
    println!("  completion after put(:   {}", median(completions));
}
