//! Source text to syntax tree: tokens (`token`), the lexer (`lexer`), the
//! tree (`ast`) and the parser (`parser`), all with chumsky.
//!
//! Syntax errors are plain data (`SyntaxError`); they are rendered by
//! `crate::diagnostics`, never here. Nothing in this module resolves names.

pub mod ast;
pub mod campl;
mod error;
pub mod lexer;
pub mod parser;
pub mod token;

pub use error::SyntaxError;

use crate::source::FileId;

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
