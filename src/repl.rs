//! The REPL's terminal side: reads inputs (rustyline on a terminal, plain
//! lines otherwise), asks the [`Session`] whether an input is complete,
//! hands complete ones to it, and keeps the history file. Everything the
//! REPL knows and does is in `crate::session`; this file only moves text
//! between the terminal and it.

use crate::session::{Session, Status};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::cell::RefCell;
use std::io::BufRead;
use std::path::PathBuf;
use std::rc::Rc;

const PROMPT: &str = "mpl> ";
const CONTINUE: &str = "...> ";

/// Reads inputs from a terminal with line editing until `:quit` or Ctrl-D.
pub fn run_terminal(session: Session) {
    let session = Rc::new(RefCell::new(session));
    let mut editor: Editor<ReplHelper, DefaultHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("mpl: cannot use the terminal ({e}); reading plain lines");
            return run_lines(
                Rc::try_unwrap(session).ok().map(RefCell::into_inner),
                std::io::stdin().lock(),
            );
        }
    };
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
