//! Brackets left open where the text ends: closed there for the parser
//! (`close_at_end`), with one report, at the brace most likely forgotten.
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

/// The brackets open where the text ends: the text for the parser, with a
/// closer for each added at the end (`None` when none is open), and the
/// error that reports them, at the end of the text with a note at each of
/// the innermost three (the last note is at the first one left open).
///
/// The parser could find the end of input inside the blocks itself, but
/// its recovery then parses each unclosed block again after the ones
/// inside it fail: time that grows with the number of open brackets times
/// the text's length and more (fuzzing found 160 unclosed `{` taking over
/// ten seconds, 18 in 10 kB a second). Closed at the end, the text parses
/// in one pass, as rustc's lexer closes token trees before its parser
/// runs. A closer closes the innermost open bracket of its kind; one with
/// none of its kind open closes nothing.
pub(super) fn close_at_end(
    tokens: &[(Token, Span)],
    eoi: Span,
) -> (Option<Vec<(Token, Span)>>, Option<SyntaxError>) {
    let mut open: Vec<(&Token, Span)> = Vec::new();
    for (tok, span) in tokens {
        let opener = match tok {
            Token::LParen | Token::LBracket | Token::LBrace => {
                open.push((tok, *span));
                continue;
            }
            Token::RParen => Token::LParen,
            Token::RBracket => Token::LBracket,
            Token::RBrace => Token::LBrace,
            _ => continue,
        };
        if let Some(at) = open.iter().rposition(|(t, _)| **t == opener) {
            open.truncate(at);
        }
    }
    let Some((innermost, _)) = open.last() else {
        return (None, None);
    };
    let closer = |t: &Token| match t {
        Token::LParen => Token::RParen,
        Token::LBracket => Token::RBracket,
        _ => Token::RBrace,
    };
    let message = match open.len() {
        1 => format!(
            "the text ends inside `{innermost}`: a `{}` is missing",
            closer(innermost)
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
    let error = SyntaxError {
        span: eoi,
        message,
        label: "the text ends here".into(),
        help: Some(format!(
            "close the `{innermost}` with `{}`",
            closer(innermost)
        )),
        notes,
        incomplete: true,
    };
    let mut closed = tokens.to_vec();
    closed.extend(open.iter().rev().map(|(t, _)| (closer(t), eoi)));
    (Some(closed), Some(error))
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
