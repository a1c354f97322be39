//! Source text to syntax tree: tokens (`token`), the lexer (`lexer`), the
//! tree (`ast`) and the parser (`parser`), all with chumsky.
//!
//! Syntax errors are plain data (`SyntaxError`); they are rendered by
//! `crate::diagnostics`, never here. Nothing in this module resolves names.

pub mod ast;
pub mod campl;
pub mod lexer;
pub mod parser;
pub mod token;

use crate::source::{FileId, Span};

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

/// Which surface syntax a file is written in (`campl::detect` tells).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Syntax {
    #[default]
    Mpl,
    Campl,
}

/// Lex and parse one file. Returns the tree (with error-recovery nodes
/// dropped) and every syntax error found, in source order. A file with
/// errors may still produce a partial `Module`.
pub fn parse(file: FileId, text: &str) -> (Option<ast::Module>, Vec<SyntaxError>) {
    parser::parse_module(file, text)
}
