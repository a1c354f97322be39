//! The parser: tokens to the syntax tree of `ast`, with chumsky over the
//! token stream that `lexer` produces.
//!
//! It holds the grammar of declarations, protocols, types, statements,
//! expressions and patterns, its error recovery (brackets, statements and
//! items each recover, so one run reports many errors), the conversion of
//! chumsky's errors into `SyntaxError`, and the guards that keep hostile input
//! from overflowing the stack (bracket nesting and operator chains are
//! capped before and during parsing). It does not resolve names, check types
//! or render diagnostics.

use std::collections::HashMap;

use chumsky::error::{RichPattern, RichReason};
use chumsky::input::Input as _;
use chumsky::prelude::{Parser, Rich};

use super::SyntaxError;
use super::ast::*;
use super::lexer::lex;
use super::token::Token;
use crate::source::{FileId, Span, Spanned};

mod grammar;
mod hints;
mod unclosed;

use grammar::top_parser;

/// Brackets `(`, `[`, `{` may nest this deep; deeper input is refused
/// before the recursive parser runs.
pub const MAX_NESTING: usize = 256;
/// How many operators one statement may chain (`a + b + ...`, `c.put(1).put(2)...`)
/// before the tree would get too deep for the later passes.
pub const MAX_CHAIN: usize = 2000;

/// Separates a custom error's message from its help text (internal).
const HELP_SEP: char = '\u{1}';

/// What the REPL typed: declarations and statements, then maybe a bare
/// expression (written without `;`) whose value should be printed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplInput {
    pub items: Vec<Spanned<Item>>,
    pub expr: Option<Spanned<Expr>>,
}

/// Parse one source file.
pub fn parse_module(file: FileId, text: &str) -> (Option<Module>, Vec<SyntaxError>) {
    let (tops, errors) = parse_tops(file, text);
    let Some(tops) = tops else {
        return (None, errors);
    };
    let mut errors = errors;
    let mut items = Vec::new();
    for top in tops {
        match top {
            Top::Item(item) => items.push(item),
            Top::Tail(e) => {
                errors.push(missing_semi_at_top(file, text, &e));
                let span = e.span;
                items.push(Spanned::new(Item::Stmt(Stmt::Expr(e)), span));
            }
            Top::Skipped => {}
        }
    }
    finish_errors(&mut errors);
    (Some(Module { items }), errors)
}

/// Parse one REPL input: items and statements, optionally ending in an
/// expression without `;`.
pub fn parse_repl(file: FileId, text: &str) -> (Option<ReplInput>, Vec<SyntaxError>) {
    let (tops, errors) = parse_tops(file, text);
    let Some(tops) = tops else {
        return (None, errors);
    };
    let mut errors = errors;
    let mut items = Vec::new();
    let mut expr = None;
    let count = tops.len();
    for (i, top) in tops.into_iter().enumerate() {
        match top {
            Top::Item(item) => items.push(item),
            Top::Tail(e) if i + 1 == count => expr = Some(e),
            Top::Tail(e) => {
                errors.push(missing_semi_at_top(file, text, &e));
                let span = e.span;
                items.push(Spanned::new(Item::Stmt(Stmt::Expr(e)), span));
            }
            Top::Skipped => {}
        }
    }
    finish_errors(&mut errors);
    (Some(ReplInput { items, expr }), errors)
}

fn missing_semi_at_top(file: FileId, text: &str, e: &Spanned<Expr>) -> SyntaxError {
    let at = e.span.end as usize;
    let rest = text.get(at..).unwrap_or("");
    let at_end = rest.trim().is_empty();
    SyntaxError {
        span: Span::new(file, at, at),
        message: "expected `;` after the statement".to_string(),
        label: "expected `;` here".to_string(),
        help: Some("statements end with `;`".to_string()),
        notes: Vec::new(),
        incomplete: at_end,
    }
}

fn finish_errors(errors: &mut Vec<SyntaxError>) {
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup_by(|a, b| a.span == b.span && a.message == b.message);
}

/// One top-level entry.
#[derive(Clone)]
enum Top {
    Item(Spanned<Item>),
    /// An expression without `;` (allowed last in the REPL).
    Tail(Spanned<Expr>),
    /// Skipped by error recovery.
    Skipped,
}

/// One entry of a block or case body.
#[derive(Clone)]
enum Entry {
    Stmt(Spanned<Stmt>),
    Tail(Spanned<Expr>),
    Skipped,
}

/// Lex, guard, parse and post-process; `None` when nothing could be parsed.
fn parse_tops(file: FileId, text: &str) -> (Option<Vec<Top>>, Vec<SyntaxError>) {
    let (raw_tokens, mut errors) = lex(file, text);

    // Doc comments go into a side table keyed by the next token's start.
    let mut docs: HashMap<u32, String> = HashMap::new();
    let mut tokens = Vec::with_capacity(raw_tokens.len());
    let mut pending: Option<String> = None;
    for (tok, span) in raw_tokens {
        match tok {
            Token::DocComment(line) => match &mut pending {
                Some(doc) => {
                    doc.push('\n');
                    doc.push_str(&line);
                }
                None => pending = Some(line),
            },
            tok => {
                if let Some(doc) = pending.take() {
                    docs.insert(span.start, doc);
                }
                tokens.push((tok, span));
            }
        }
    }

    let eoi = Span::new(file, text.len(), text.len());
    if let Some(err) = check_nesting(&tokens) {
        errors.push(err);
        finish_errors(&mut errors);
        return (None, errors);
    }
    // Brackets are matched for the parser (see `unclosed::balance`); each
    // repair is reported.
    let balanced = unclosed::balance(&tokens, eoi);
    let parse_tokens = balanced.tokens.as_deref().unwrap_or(&tokens);

    // Fast pass without error details; a second pass only when it failed.
    // The grammar lives for the statement; dropping it frees it.
    let (mut out, fast_errs) = top_parser::<chumsky::error::EmptyErr>()
        .top
        .parse(parse_tokens.split_token_span(eoi))
        .into_output_errors();
    let mut parsed: Vec<SyntaxError> = Vec::new();
    if !fast_errs.is_empty() {
        let (slow_out, parse_errs) = top_parser::<Rich<'_, Token, Span>>()
            .top
            .parse(parse_tokens.split_token_span(eoi))
            .into_output_errors();
        out = slow_out;
        parsed = parse_errs
            .into_iter()
            .map(|e| convert_error(e, &tokens, eoi))
            .collect();
        hints::add_hints(&mut parsed, &tokens);
    }
    if let Some(first) = balanced.first {
        // Errors after the first repair are most likely its consequence:
        // the text after a bracket left open was meant to be outside it.
        parsed.retain(|e| e.span.start < first);
        parsed.extend(balanced.errors);
    }
    unclosed::explain_unclosed(&mut parsed, &tokens, text);
    errors.extend(parsed);
    let tops = out.map(|tops| {
        let tops = merge_clauses(tops);
        attach_docs(tops, &docs)
    });
    finish_errors(&mut errors);
    (tops, errors)
}

/// Refuse input nested too deep for a recursive parser (and for the passes
/// after it): brackets beyond `MAX_NESTING`, or one statement chaining more
/// than `MAX_CHAIN` operators.
fn check_nesting(tokens: &[(Token, Span)]) -> Option<SyntaxError> {
    // Per open bracket: how many operators its current statement chains.
    let mut stack: Vec<usize> = vec![0];
    let mut weight = 0usize;
    for (tok, span) in tokens {
        match tok {
            Token::LParen | Token::LBracket | Token::LBrace => {
                stack.push(0);
                if stack.len() - 1 > MAX_NESTING {
                    return Some(SyntaxError {
                        span: *span,
                        message: "nesting too deep".to_string(),
                        label: format!("more than {MAX_NESTING} brackets are open here"),
                        help: Some(
                            "split the expression into smaller parts with `let`".to_string(),
                        ),
                        notes: Vec::new(),
                        incomplete: false,
                    });
                }
            }
            Token::RParen | Token::RBracket | Token::RBrace if stack.len() > 1 => {
                weight -= stack.pop().unwrap_or(0);
            }
            Token::Semi | Token::Comma | Token::Case => {
                if let Some(top) = stack.last_mut() {
                    weight -= *top;
                    *top = 0;
                }
            }
            Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Percent
            | Token::PlusPlus
            | Token::Colon
            | Token::Pipe
            | Token::PipePipe
            | Token::Amp
            | Token::AmpAmp
            | Token::Caret
            | Token::Shl
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::EqEq
            | Token::NotEq
            | Token::Bang
            | Token::Dot
            | Token::Else => {
                if let Some(top) = stack.last_mut() {
                    *top += 1;
                    weight += 1;
                }
                if weight > MAX_CHAIN {
                    return Some(SyntaxError {
                        span: *span,
                        message: "nesting too deep".to_string(),
                        label: format!("more than {MAX_CHAIN} operators are chained here"),
                        help: Some(
                            "split the expression into smaller parts with `let`".to_string(),
                        ),
                        notes: Vec::new(),
                        incomplete: false,
                    });
                }
            }
            _ => {}
        }
    }
    None
}

/// Merge consecutive equation-style clauses of one function.
fn merge_clauses(tops: Vec<Top>) -> Vec<Top> {
    let mut out: Vec<Top> = Vec::with_capacity(tops.len());
    for top in tops {
        if let Top::Item(Spanned {
            node: Item::Function(f),
            span,
        }) = top
        {
            if let Some(Top::Item(Spanned {
                node: Item::Function(prev),
                span: prev_span,
            })) = out.last_mut()
                && prev.name.node == f.name.node
            {
                prev.clauses.extend(f.clauses);
                *prev_span = prev_span.to(span);
                continue;
            }
            out.push(Top::Item(Spanned::new(Item::Function(f), span)));
        } else {
            out.push(top);
        }
    }
    out
}

fn merge_functions(fs: Vec<Spanned<FunctionDecl>>) -> Vec<Spanned<FunctionDecl>> {
    let mut out: Vec<Spanned<FunctionDecl>> = Vec::with_capacity(fs.len());
    for f in fs {
        if let Some(prev) = out.last_mut()
            && prev.node.name.node == f.node.name.node
        {
            prev.node.clauses.extend(f.node.clauses);
            prev.span = prev.span.to(f.span);
            continue;
        }
        out.push(f);
    }
    out
}

fn attach_docs(mut tops: Vec<Top>, docs: &HashMap<u32, String>) -> Vec<Top> {
    if docs.is_empty() {
        return tops;
    }
    for top in &mut tops {
        let Top::Item(item) = top else { continue };
        let doc = docs.get(&item.span.start).cloned();
        match &mut item.node {
            Item::Data(d) => d.doc = doc,
            Item::Codata(d) => d.doc = doc,
            Item::Protocol(d) => d.doc = doc,
            Item::Function(d) => d.doc = doc,
            Item::Process(d) => d.doc = doc,
            Item::Fold(fs) => {
                for f in fs {
                    f.node.doc = docs.get(&f.span.start).cloned();
                }
            }
            Item::Import(_) | Item::Stmt(_) => {}
        }
    }
    tops
}

// ---------------------------------------------------------------------------
// Errors

fn pattern_text(p: &RichPattern<'_, Token>) -> String {
    match p {
        RichPattern::Token(t) => format!("`{}`", &**t),
        RichPattern::Label(l) => l.to_string(),
        RichPattern::Identifier(s) => format!("`{s}`"),
        RichPattern::Any => "any token".to_string(),
        RichPattern::SomethingElse => "something else".to_string(),
        RichPattern::EndOfInput => "end of input".to_string(),
        _ => "something else".to_string(),
    }
}

fn open_brackets_before(tokens: &[(Token, Span)], pos: u32) -> Vec<(Token, Span)> {
    let mut stack: Vec<(Token, Span)> = Vec::new();
    for (tok, span) in tokens {
        if span.start >= pos {
            break;
        }
        match tok {
            Token::LParen | Token::LBracket | Token::LBrace => stack.push((tok.clone(), *span)),
            Token::RParen | Token::RBracket | Token::RBrace => {
                let want = match tok {
                    Token::RParen => Token::LParen,
                    Token::RBracket => Token::LBracket,
                    _ => Token::LBrace,
                };
                if let Some(i) = stack.iter().rposition(|(t, _)| *t == want) {
                    stack.truncate(i);
                }
            }
            _ => {}
        }
    }
    stack
}

fn closer(open: &Token) -> &'static str {
    match open {
        Token::LParen => ")",
        Token::LBracket => "]",
        _ => "}",
    }
}

fn convert_error(e: Rich<'_, Token, Span>, tokens: &[(Token, Span)], eoi: Span) -> SyntaxError {
    let span = *e.span();
    let found_eoi = e.found().is_none() || span.start >= eoi.start;
    let found = match e.found() {
        Some(t) => format!("`{t}`"),
        None => "end of input".to_string(),
    };
    let mut notes = Vec::new();
    let open = open_brackets_before(tokens, span.start);
    if found_eoi {
        for (tok, sp) in open.iter().rev().take(3) {
            notes.push((*sp, format!("this `{tok}` is never closed")));
        }
    }
    match e.reason() {
        RichReason::Custom(msg) => {
            let (message, help) = match msg.split_once(HELP_SEP) {
                Some((m, h)) => (m.to_string(), Some(h.to_string())),
                None => (msg.clone(), None),
            };
            SyntaxError {
                span,
                label: message.clone(),
                message,
                help,
                notes,
                incomplete: found_eoi,
            }
        }
        RichReason::ExpectedFound { .. } => {
            let mut expected: Vec<String> = e.expected().map(pattern_text).collect();
            expected.sort();
            expected.dedup();
            let has = |s: &str| expected.iter().any(|x| x == s);
            let (message, label, help);
            if has("`;`") {
                message = format!("expected `;` after the statement, found {found}");
                label = "expected `;` here".to_string();
                help = "statements end with `;`".to_string();
            } else {
                let list = match expected.len() {
                    0 => "something else".to_string(),
                    1 => expected[0].clone(),
                    n if n <= 8 => {
                        format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1])
                    }
                    _ => format!("{}, ...", expected[..8].join(", ")),
                };
                message = format!("expected {list}, found {found}");
                label = if found_eoi {
                    "the input ends here".to_string()
                } else {
                    format!("unexpected {found}")
                };
                help = if let Some((tok, _)) = open
                    .last()
                    .filter(|(t, _)| has(&format!("`{}`", closer(t))))
                {
                    if let Some((_, sp)) = open.last()
                        && !found_eoi
                    {
                        notes.push((*sp, format!("this `{tok}` is opened here")));
                    }
                    format!("close the `{tok}` with `{}`", closer(tok))
                } else if found_eoi {
                    "the text ended before this was finished".to_string()
                } else if has("expression") {
                    "an expression is needed here: a value, a name, a call, `(...)`".to_string()
                } else if has("pattern") {
                    "a pattern is needed here: `_`, a name, a literal, `Ctor(p, ...)`, `(p, q)`, `[p, q]`"
                        .to_string()
                } else if has("type") {
                    "a type is needed here: `Int`, `[t]`, `Maybe<t>`, `(a, b)`, `neg<P>`"
                        .to_string()
                } else if has("protocol step") || has("protocol") {
                    "a protocol step is needed here: `put T`, `get T`, `loop`, `close`, a protocol name, `#p`"
                        .to_string()
                } else if found == "`}`" {
                    "something is missing before this `}`".to_string()
                } else {
                    format!("remove {found} or write one of the expected items before it")
                };
            }
            SyntaxError {
                span,
                message,
                label,
                help: Some(help),
                notes,
                incomplete: found_eoi,
            }
        }
    }
}

#[cfg(test)]
mod tests;
