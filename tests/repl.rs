//! REPL transcripts, one test per file (`cargo test --test repl --
//! transcript::list_service`).
//!
//! `tests/repl/NAME.txt` is a session as a user sees it: a line starting
//! with `mpl> ` is typed (`...> ` continues the input), every other line is
//! what the session answers to it, processes' output included. Lines
//! starting with `#` before the first prompt are comments; the comment
//! `# syntax: campl` makes the session read CaMPL's syntax. The inputs go
//! through `mpl::session::Session` with injected output, one session per
//! file, and each answer must match exactly. `MPL_BLESS=1` rewrites the
//! answers with what the session says (then read the diff).

mod common;

use common::SharedBuf;
use libtest_mimic::{Arguments, Failed, Trial};
use mpl::host::Host;
use mpl::runtime::Config;
use mpl::session::{Session, SessionConfig, Status};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A transcript must finish within this.
const LIMIT: Duration = Duration::from_secs(60);

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trials = common::files_with_extension(&root.join("tests/repl"), "txt")
        .into_iter()
        .map(|path| {
            let name = format!("transcript::{}", common::stem(&path));
            Trial::test(name, move || check(path))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

/// One input and the answer expected to it.
struct Step {
    input: Vec<String>,
    answer: Vec<String>,
}

fn parse(text: &str) -> (Vec<String>, Vec<Step>) {
    let mut header = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    for line in text.lines() {
        if let Some(input) = line.strip_prefix("mpl> ").or(line.strip_prefix("mpl>")) {
            steps.push(Step {
                input: vec![input.to_string()],
                answer: Vec::new(),
            });
        } else if let Some(more) = line.strip_prefix("...> ").or(line.strip_prefix("...>"))
            && let Some(step) = steps.last_mut()
            && step.answer.is_empty()
        {
            step.input.push(more.to_string());
        } else {
            match steps.last_mut() {
                Some(step) => step.answer.push(line.to_string()),
                None => header.push(line.to_string()),
            }
        }
    }
    (header, steps)
}

fn check(path: PathBuf) -> Result<(), Failed> {
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{e}"))?;
    let (header, steps) = parse(&text);
    let inputs: Vec<Vec<String>> = steps.iter().map(|s| s.input.clone()).collect();
    let syntax = match header.iter().any(|h| h.trim() == "# syntax: campl") {
        true => mpl::syntax::Syntax::Campl,
        false => mpl::syntax::Syntax::Mpl,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let _ = tx.send(run(inputs, syntax));
        })
        .map_err(|e| format!("{e}"))?;
    let answers = rx
        .recv_timeout(LIMIT)
        .map_err(|_| format!("the transcript did not finish within {LIMIT:?}"))??;
    if std::env::var_os("MPL_BLESS").is_some() {
        return bless(&path, &header, &steps, &answers);
    }
    for (step, got) in steps.iter().zip(&answers) {
        let want = normal(&step.answer.join("\n"));
        if want != normal(got) {
            return Err(format!(
                "after `{}`\n--- expected\n{want}\n--- got\n{got}",
                step.input.join("\n")
            )
            .into());
        }
    }
    Ok(())
}

/// Feeds every input to a fresh session; returns each answer.
fn run(inputs: Vec<Vec<String>>, syntax: mpl::syntax::Syntax) -> Result<Vec<String>, String> {
    let out = SharedBuf::default();
    let host = Host::writing_to(out.output(), out.output());
    let config = SessionConfig {
        host,
        runtime: Config {
            threads: 2,
            ..Config::default()
        },
        color: false,
        settle: Duration::from_secs(10),
        syntax,
    };
    let mut session = Session::new(config, out.output())?;
    let mut answers = Vec::new();
    for input in inputs {
        let mut text = String::new();
        for line in &input {
            text.push_str(line);
            text.push('\n');
            let last = std::ptr::eq(line, input.last().unwrap_or(line));
            if session.is_incomplete(&text) == last {
                let state = if last { "incomplete" } else { "complete" };
                return Err(format!("the session finds `{}` {state}", text.trim_end()));
            }
        }
        out.0.lock().clear();
        let status = session.eval(&text);
        answers.push(out.text());
        if status == Status::Quit {
            break;
        }
    }
    Ok(answers)
}

/// Trailing blanks are not part of an answer, and channel numbers
/// (`channel #31`) depend on what ran before in the test process.
fn normal(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| channel_numbers(l.trim_end()))
        .collect();
    lines.join("\n").trim_end().to_string()
}

fn channel_numbers(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("channel #") {
        let (head, tail) = rest.split_at(at + "channel #".len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push('N');
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

fn bless(path: &Path, header: &[String], steps: &[Step], answers: &[String]) -> Result<(), Failed> {
    let mut text = String::new();
    for line in header {
        text.push_str(line);
        text.push('\n');
    }
    for (step, answer) in steps.iter().zip(answers) {
        for (i, line) in step.input.iter().enumerate() {
            let prompt = if i == 0 { "mpl> " } else { "...> " };
            text.push_str(prompt);
            text.push_str(line);
            text.push('\n');
        }
        for line in answer.trim_end().lines() {
            text.push_str(&channel_numbers(line.trim_end()));
            text.push('\n');
        }
    }
    std::fs::write(path, text).map_err(|e| format!("{e}"))?;
    Ok(())
}
