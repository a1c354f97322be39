//! The REPL's terminal side: reads inputs (rustyline on a terminal, plain
//! lines otherwise), asks the [`Session`] whether an input is complete,
//! hands complete ones to it, and keeps the history file. Everything the
//! REPL knows and does is in `crate::session`; this file only moves text
//! between the terminal and it.

use crate::host::Output;
use crate::session::{Session, Status};
use parking_lot::Mutex;
use rustyline::ExternalPrinter;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::cell::RefCell;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

const PROMPT: &str = "mpl> ";
const CONTINUE: &str = "...> ";

/// Reads inputs from a terminal with line editing until `:quit` or Ctrl-D.
/// `start` makes the session, given where processes' standard output
/// should go: through rustyline's external printer, so that what they
/// print while the user types appears above the line being edited.
pub fn run_terminal(start: impl FnOnce(Output) -> Option<Session>) {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor: Editor<ReplHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("mpl: cannot use the terminal ({e}); reading plain lines");
            let stdout: Output = Arc::new(Mutex::new(Box::new(std::io::stdout())));
            return run_lines(start(stdout), std::io::stdin().lock());
        }
    };
    let programs: Output = match editor.create_external_printer() {
        Ok(printer) => Arc::new(Mutex::new(Box::new(Printer {
            printer,
            line: Vec::new(),
        }))),
        Err(_) => Arc::new(Mutex::new(Box::new(std::io::stdout()))),
    };
    let Some(session) = start(programs) else {
        return;
    };
    let session = Rc::new(RefCell::new(session));
    editor.set_helper(Some(ReplHelper {
        session: session.clone(),
        files: FilenameCompleter::new(),
    }));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!(
        "MPL {} REPL; :help lists the commands, :quit or Ctrl-D leaves",
        env!("CARGO_PKG_VERSION")
    );
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { PROMPT } else { CONTINUE };
        match editor.readline(prompt) {
            Ok(line) => {
                pending.push_str(&line);
                pending.push('\n');
                if session.borrow().is_incomplete(&pending) {
                    continue;
                }
                let input = std::mem::take(&mut pending);
                let _ = editor.add_history_entry(input.trim_end());
                if session.borrow_mut().eval(&input) == Status::Quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) if pending.is_empty() => break,
            Err(ReadlineError::Eof) => pending.clear(),
            Err(e) => {
                eprintln!("mpl: cannot read the terminal: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
}

/// Reads inputs from plain lines (a pipe, a file): no prompt, no editing;
/// ends with the input or `:quit`.
pub fn run_lines(session: Option<Session>, input: impl BufRead) {
    let Some(mut session) = session else { return };
    let mut pending = String::new();
    for line in input.lines() {
        let Ok(line) = line else { break };
        pending.push_str(&line);
        pending.push('\n');
        if session.is_incomplete(&pending) {
            continue;
        }
        let text = std::mem::take(&mut pending);
        if session.eval(&text) == Status::Quit {
            return;
        }
    }
    if !pending.trim().is_empty() {
        session.eval(&pending);
    }
}

/// `$XDG_STATE_HOME/mpl/history` (or `~/.local/state/mpl/history`).
fn history_file() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("mpl").join("history"))
}

/// Processes' output, a line at a time, through rustyline's printer.
struct Printer<P: ExternalPrinter> {
    printer: P,
    line: Vec<u8>,
}

impl<P: ExternalPrinter> Printer<P> {
    fn send(&mut self) {
        if !self.line.is_empty() {
            let text = String::from_utf8_lossy(&self.line).into_owned();
            self.line.clear();
            let _ = self.printer.print(text);
        }
    }
}

impl<P: ExternalPrinter + Send> Write for Printer<P> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for chunk in buf.split_inclusive(|b| *b == b'\n') {
            self.line.extend_from_slice(chunk);
            if chunk.ends_with(b"\n") {
                self.send();
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send();
        Ok(())
    }
}

/// Completion for rustyline: the session's, and file paths after `:load`.
struct ReplHelper {
    session: Rc<RefCell<Session>>,
    files: FilenameCompleter,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if trimmed.starts_with(":load ") || trimmed.starts_with(":l ") {
            return self.files.complete(line, pos, ctx);
        }
        let Ok(session) = self.session.try_borrow() else {
            return Ok((pos, Vec::new()));
        };
        let (start, words) = session.completions(line, pos);
        let pairs = words
            .into_iter()
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}
