//! `SyntaxError`: one syntax error of either surface syntax, as plain data
//! (rendered by `crate::diagnostics`, never here).
//!
//! In a file of its own so that the build script can compile the lexer and
//! the parser (which report with it) without the rest of `syntax`: it
//! parses the prelude at build time (see `build.rs`).

use crate::source::Span;

/// One syntax error, as data.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    /// Where the problem is (the primary label).
    pub span: Span,
    /// What went wrong, one line: "expected `;` after the statement, found `}`".
    pub message: String,
    /// Short text for the primary label ("expected `;` here").
    pub label: String,
    /// Advice in plain words.
    pub help: Option<String>,
    /// Secondary labels: e.g. where an unclosed bracket was opened.
    pub notes: Vec<(Span, String)>,
    /// True when the text ended too soon (an unclosed bracket, a missing
    /// `;` at the end of input): the REPL then asks for another line.
    pub incomplete: bool,
}
