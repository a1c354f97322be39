//! One report for a `{` left unclosed, at the brace most likely forgotten.
//!
//! When the text ends inside a block, the parser's own errors are at the
//! end of input and name the outermost open `{` (a process body), though
//! the `}` usually went missing further in: the `}` meant for the body
//! closed an inner `switch` instead. Indentation tells: a `}` indented
//! less than the line that opened its `{` most likely belongs to an outer
//! block, so that `{` is the one never closed. This module replaces the
//! errors at the end of input with one that says so. It reads tokens and
//! the text's indentation; it does not parse.

use super::SyntaxError;
use crate::source::Span;
use crate::syntax::token::Token;

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
