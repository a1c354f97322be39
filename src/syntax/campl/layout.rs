//! CaMPL's layout rule: indentation to implicit braces and semicolons.
//!
//! After a layout word (`defn where = let of switch do as race plug`)
//! that is not followed by `{`, a block opens at the column of the next
//! token (`VOpen`). A later line that starts at that column begins a new
//! item of the block (`VSemi`); one that starts left of it closes the
//! block (`VClose`). `in` closes the blocks up to its `let`. An explicit
//! `{ ... }` turns the rule off inside it. This is the rule of CaMPL's
//! grammar (BNFC's `layout` directive); the parser sees only the result.

use super::lexer::{Lexeme, Tok};

const LAYOUT_WORDS: &[&str] = &[
    "defn", "where", "=", "let", "of", "switch", "do", "as", "race", "plug",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Block {
    /// Opened by the layout rule at this column; `by_let` for `let`.
    Implicit {
        col: u32,
        by_let: bool,
    },
    Explicit,
}

fn is_layout_word(tok: &Tok) -> bool {
    matches!(tok, Tok::Kw(k) | Tok::Sym(k) if LAYOUT_WORDS.contains(k))
}

fn virtual_token(tok: Tok, at: &Lexeme) -> Lexeme {
    Lexeme {
        tok,
        span: crate::syntax::ast::empty_block_span(at.span),
        line: at.line,
        col: at.col,
    }
}

/// Inserts the layout tokens into `tokens`.
pub fn resolve(tokens: Vec<Lexeme>) -> Vec<Lexeme> {
    let mut out: Vec<Lexeme> = Vec::with_capacity(tokens.len() * 5 / 4);
    let mut stack: Vec<Block> = Vec::new();
    let mut pending_open: Option<bool> = None;
    let mut prev_line = 0;
    let mut line_indent = 0;
    for t in tokens {
        if let Some(by_let) = pending_open.take() {
            if t.tok == Tok::Sym("{") {
                stack.push(Block::Explicit);
                prev_line = t.line;
                out.push(t);
                continue;
            }
            // A block whose first token starts a line no further right
            // than the line the layout word is on, nor than the block it
            // would be inside, is empty: that token belongs to an
            // enclosing block. (CaMPL compares with the line's indentation
            // too, so a block may start left of the block it is nested in.)
            let inner = stack.iter().rev().find_map(|b| match b {
                Block::Implicit { col, .. } => Some(*col),
                Block::Explicit => None,
            });
            let left_of_inner = inner.is_some_and(|c| t.col <= c);
            if t.line != prev_line && t.col <= line_indent && left_of_inner {
                out.push(virtual_token(Tok::VOpen, &t));
                out.push(virtual_token(Tok::VClose, &t));
            } else {
                out.push(virtual_token(Tok::VOpen, &t));
                stack.push(Block::Implicit { col: t.col, by_let });
                if t.line != prev_line {
                    line_indent = t.col;
                }
                prev_line = t.line;
                push_token(&mut out, &mut pending_open, t);
                continue;
            }
        }
        if t.line != prev_line {
            new_line(&mut out, &mut stack, &t);
            line_indent = t.col;
        }
        prev_line = t.line;
        if t.tok == Tok::Kw("in") {
            close_let(&mut out, &mut stack, &t);
        }
        if t.tok == Tok::Sym("}") {
            while let Some(Block::Implicit { .. }) = stack.last() {
                stack.pop();
                out.push(virtual_token(Tok::VClose, &t));
            }
            stack.pop();
        }
        push_token(&mut out, &mut pending_open, t);
    }
    let end = out.last().cloned();
    if let Some(end) = end {
        if pending_open.is_some() {
            out.push(virtual_token(Tok::VOpen, &end));
            out.push(virtual_token(Tok::VClose, &end));
        }
        for b in stack.iter().rev() {
            if matches!(b, Block::Implicit { .. }) {
                out.push(virtual_token(Tok::VClose, &end));
            }
        }
    }
    out
}

fn push_token(out: &mut Vec<Lexeme>, pending_open: &mut Option<bool>, t: Lexeme) {
    if is_layout_word(&t.tok) {
        *pending_open = Some(t.tok == Tok::Kw("let"));
    }
    out.push(t);
}

/// The first token of a line: closes the blocks it is left of, and starts
/// a new item of the block it is at the column of.
fn new_line(out: &mut Vec<Lexeme>, stack: &mut Vec<Block>, t: &Lexeme) {
    while let Some(Block::Implicit { col, .. }) = stack.last() {
        if t.col < *col {
            stack.pop();
            out.push(virtual_token(Tok::VClose, t));
        } else {
            break;
        }
    }
    if let Some(Block::Implicit { col, .. }) = stack.last()
        && t.col == *col
        && !matches!(out.last().map(|l| &l.tok), Some(Tok::VOpen | Tok::Sym(";")))
    {
        out.push(virtual_token(Tok::VSemi, t));
    }
}

/// `in`: closes the implicit blocks up to and including the nearest `let`
/// block (if there is one before an explicit brace).
fn close_let(out: &mut Vec<Lexeme>, stack: &mut Vec<Block>, t: &Lexeme) {
    let has_let = stack
        .iter()
        .rev()
        .take_while(|b| matches!(b, Block::Implicit { .. }))
        .any(|b| matches!(b, Block::Implicit { by_let: true, .. }));
    if !has_let {
        return;
    }
    while let Some(Block::Implicit { by_let, .. }) = stack.pop() {
        out.push(virtual_token(Tok::VClose, t));
        if by_let {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn shape(text: &str) -> String {
        let (toks, errors) = super::super::lexer::lex(FileId(0), text);
        assert!(errors.is_empty());
        resolve(toks)
            .iter()
            .map(|l| match &l.tok {
                Tok::VOpen => "{".to_string(),
                Tok::VSemi => ";".to_string(),
                Tok::VClose => "}".to_string(),
                Tok::Kw(k) | Tok::Sym(k) => k.to_string(),
                Tok::Lower(n) | Tok::Upper(n) | Tok::Op(n, _) => n.clone(),
                other => format!("{other:?}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn indentation_opens_separates_and_closes_blocks() {
        let text = "proc p =\n    | c => -> do\n        a\n        b\nproc q = x";
        assert_eq!(
            shape(text),
            "proc p = { | c => -> do { a ; b } } proc q = { x }"
        );
    }

    #[test]
    fn in_closes_the_blocks_of_its_let() {
        let text = "fun f =\n  a -> let fun g =\n           b -> a\n       in g(a)";
        assert_eq!(
            shape(text),
            "fun f = { a -> let { fun g = { b -> a } } in g ( a ) }"
        );
    }

    #[test]
    fn a_block_may_start_left_of_the_block_it_is_in() {
        let text = "proc p =\n  | => -> do\n    hcase w of P -> fork w as\n      a -> x\n      b -> y\n    z";
        assert_eq!(
            shape(text),
            "proc p = { | => -> do { hcase w of { P -> fork w as { a -> x ; b -> y } } ; z } }"
        );
    }

    #[test]
    fn explicit_braces_turn_the_rule_off() {
        assert_eq!(shape("proc p = { a ;\n b }"), "proc p = { a ; b }");
    }
}
