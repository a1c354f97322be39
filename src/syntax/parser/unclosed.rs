//! Brackets that do not match: matched for the parser (`balance`), each
//! repair reported; and one report for a `{` left unclosed at the end, at
//! the brace most likely forgotten (`explain_unclosed`).
//!
//! When the text ends inside a block, the bracket left open is usually
//! the outermost (a process body), though the `}` went missing further
//! in: the `}` meant for the body closed an inner `switch` instead.
//! Indentation tells: a `}` indented less than the line that opened its
//! `{` most likely belongs to an outer block, so that `{` is the one never
//! closed. `explain_unclosed` makes the report say so. This module reads
//! tokens and the text's indentation; it does not parse.

use super::SyntaxError;
use crate::source::Span;
use crate::syntax::token::Token;

/// The text for the parser with every bracket matched, when it was not;
/// an error for each repair; and where the first repair is (parser errors
/// after it are most likely its consequence).
pub(super) struct Balanced {
    pub tokens: Option<Vec<(Token, Span)>>,
    pub errors: Vec<SyntaxError>,
    pub first: Option<u32>,
}

/// Matches every bracket before the parser runs, as rustc's lexer builds
/// token trees: a closer that closes an outer bracket closes the ones left
/// open inside it first; a closer that closes nothing is dropped; brackets
/// still open where the text ends are closed there. Each repair is
/// reported.
///
/// Left to the parser's own recovery, unbalanced brackets made it parse
/// the text after them again for each bracket: time that grew with their
/// number times the text's length (fuzzing found 160 unclosed `{` taking
/// over ten seconds, and 8 kB with 30 stray closers two seconds).
pub(super) fn balance(tokens: &[(Token, Span)], eoi: Span) -> Balanced {
    let mut out: Vec<(Token, Span)> = Vec::with_capacity(tokens.len() + 8);
    let mut open: Vec<(Token, Span)> = Vec::new();
    let mut errors = Vec::new();
    let mut first: Option<u32> = None;
    for (tok, span) in tokens {
        let Some(opener) = opener_of(tok) else {
            if closer_of(tok).is_some() {
                open.push((tok.clone(), *span));
            }
            out.push((tok.clone(), *span));
            continue;
        };
        match open.iter().rposition(|(t, _)| *t == opener) {
            Some(at) if at + 1 == open.len() => {
                open.pop();
                out.push((tok.clone(), *span));
            }
            Some(at) => {
                let inside = open.split_off(at + 1);
                errors.push(left_open_inside(&inside, &open[at], tok, *span));
                first = Some(first.unwrap_or(inside[0].1.start));
                let here = Span::new(span.file, span.start as usize, span.start as usize);
                out.extend(
                    inside
                        .iter()
                        .rev()
                        .filter_map(|(t, _)| Some((closer_of(t)?, here))),
                );
                open.pop();
                out.push((tok.clone(), *span));
            }
            None => {
                errors.push(closes_nothing(tok, *span));
                first = Some(first.unwrap_or(span.start));
            }
        }
    }
    if let Some(error) = left_open_at_end(&open, eoi) {
        errors.push(error);
        first = Some(first.unwrap_or(open[0].1.start));
        out.extend(
            open.iter()
                .rev()
                .filter_map(|(t, _)| Some((closer_of(t)?, eoi))),
        );
    }
    Balanced {
        tokens: first.is_some().then_some(out),
        errors,
        first,
    }
}

/// The opener a closer closes.
fn opener_of(t: &Token) -> Option<Token> {
    match t {
        Token::RParen => Some(Token::LParen),
        Token::RBracket => Some(Token::LBracket),
        Token::RBrace => Some(Token::LBrace),
        _ => None,
    }
}

/// The closer of an opener.
fn closer_of(t: &Token) -> Option<Token> {
    match t {
        Token::LParen => Some(Token::RParen),
        Token::LBracket => Some(Token::RBracket),
        Token::LBrace => Some(Token::RBrace),
        _ => None,
    }
}

/// `closer` closes `outer`, but the brackets `inside` it are still open.
fn left_open_inside(
    inside: &[(Token, Span)],
    outer: &(Token, Span),
    closer: &Token,
    at: Span,
) -> SyntaxError {
    let (innermost, open_at) = &inside[inside.len() - 1];
    SyntaxError {
        span: *open_at,
        message: format!("this `{innermost}` is never closed"),
        label: "never closed".into(),
        help: Some(format!(
            "close the `{innermost}` with `{}` before this `{closer}`",
            super::closer(innermost)
        )),
        notes: vec![
            (at, format!("this `{closer}` closes an outer `{}`", outer.0)),
            (outer.1, format!("the `{}` it closes", outer.0)),
        ],
        incomplete: false,
    }
}

/// A closer with no bracket of its kind open.
fn closes_nothing(closer: &Token, at: Span) -> SyntaxError {
    let opener = opener_of(closer).map_or_else(String::new, |o| o.to_string());
    SyntaxError {
        span: at,
        message: format!("this `{closer}` closes nothing"),
        label: format!("no `{opener}` is open here"),
        help: Some(format!(
            "remove it, or open the `{opener}` it is meant to close"
        )),
        notes: Vec::new(),
        incomplete: false,
    }
}

/// The text ends with brackets open: one error at its end, with a note at
/// each of the innermost three and at the first.
fn left_open_at_end(open: &[(Token, Span)], eoi: Span) -> Option<SyntaxError> {
    let (innermost, _) = open.last()?;
    let message = match open.len() {
        1 => format!(
            "the text ends inside `{innermost}`: a `{}` is missing",
            super::closer(innermost)
        ),
        n => format!("the text ends with {n} brackets never closed"),
    };
    let mut notes: Vec<(Span, String)> = open
        .iter()
        .rev()
        .take(3)
        .map(|(t, sp)| (*sp, format!("this `{t}` is never closed")))
        .collect();
    if open.len() > 3 {
        notes.push((
            open[0].1,
            format!("and this `{}`, the first never closed", open[0].0),
        ));
    }
    Some(SyntaxError {
        span: eoi,
        message,
        label: "the text ends here".into(),
        help: Some(format!(
            "close the `{innermost}` with `{}`",
            super::closer(innermost)
        )),
        notes,
        incomplete: true,
    })
}

/// When the text ends inside a block: keeps one error at the end of input
/// (the first), and, if indentation points at an inner `{` that its `}`
/// does not seem to close, makes that `{` the error's place.
pub(super) fn explain_unclosed(
    errors: &mut Vec<SyntaxError>,
    tokens: &[(Token, Span)],
    text: &str,
) {
    let at_end = |e: &SyntaxError| e.span.start as usize >= text.len();
    let mut kept = 0;
    errors.retain(|e| {
        let keep = !at_end(e) || kept == 0;
        if at_end(e) {
            kept += 1;
        }
        keep
    });
    let Some(error) = errors.iter_mut().find(|e| at_end(e)) else {
        return;
    };
    if let Some((open, close)) = misindented_pair(tokens, text) {
        let opener = line_keyword(tokens, text, open.start as usize)
            .map(|k| {
                format!(
                    " (the `{k}` on line {})",
                    line_of(text, open.start as usize)
                )
            })
            .unwrap_or_default();
        let close_line = line_of(text, close.start as usize);
        error.message = "the file ends inside a block: a `}` is missing".to_string();
        error.label = format!("this `{{`{opener} is probably the one never closed");
        error.notes = vec![(
            close,
            "this `}` is indented like an outer block: it seems meant for that block, but closes this one"
                .to_string(),
        )];
        error.help = Some(format!(
            "add the missing `}}` before line {close_line}, where the inner block ends"
        ));
        error.span = open;
    }
}

/// The first `{ ... }` pair whose `}` is indented less than the line of
/// its `{`: the `{` and the `}`.
fn misindented_pair(tokens: &[(Token, Span)], text: &str) -> Option<(Span, Span)> {
    let mut stack: Vec<Span> = Vec::new();
    for (tok, span) in tokens {
        match tok {
            Token::LBrace => stack.push(*span),
            Token::RBrace => {
                let open = stack.pop()?;
                let close_indent = indent_of_line(text, span.start as usize);
                let close_starts_line = close_indent == column_of(text, span.start as usize);
                if close_starts_line && close_indent < indent_of_line(text, open.start as usize) {
                    return Some((open, *span));
                }
            }
            _ => {}
        }
    }
    None
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

fn column_of(text: &str, at: usize) -> usize {
    at.min(text.len()) - line_start(text, at)
}

fn indent_of_line(text: &str, at: usize) -> usize {
    let start = line_start(text, at);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .count()
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// The keyword that starts the line of offset `at`, if any (`switch`,
/// `if`, `process`...), to name the block.
fn line_keyword(tokens: &[(Token, Span)], text: &str, at: usize) -> Option<String> {
    let start = line_start(text, at);
    let (tok, _) = tokens.iter().find(|(_, s)| s.start as usize >= start)?;
    match tok {
        Token::Switch
        | Token::Race
        | Token::If
        | Token::Else
        | Token::Case
        | Token::Process
        | Token::Fold
        | Token::Record
        | Token::Data
        | Token::Codata => Some(tok.to_string()),
        _ => None,
    }
}
