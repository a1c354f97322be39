//! Targeted help for syntax errors whose cause is a habit from another
//! language or from the research report's own notation, recognised from
//! the tokens around the error: `String[] data` (a list type is written
//! `[String]`), `Just start` (a constructor's argument goes in
//! parentheses). The error itself is unchanged; only its help is.

use super::SyntaxError;
use crate::source::Span;
use crate::syntax::token::Token;

/// Adds a targeted help to each error that one of the patterns explains.
pub(super) fn add_hints(errors: &mut [SyntaxError], tokens: &[(Token, Span)]) {
    for e in errors {
        let at = tokens.partition_point(|(_, s)| s.start < e.span.start);
        if let Some(help) =
            list_type_suffix(tokens, at).or_else(|| ctor_without_parens(e, tokens, at))
        {
            e.help = Some(help);
        }
    }
}

/// `Type[] name`: the error is at the `[` after an upper-case type name.
fn list_type_suffix(tokens: &[(Token, Span)], at: usize) -> Option<String> {
    let (Token::LBracket, _) = tokens.get(at)? else {
        return None;
    };
    let (Token::RBracket, _) = tokens.get(at + 1)? else {
        return None;
    };
    let (Token::UpperIdent(ty), _) = tokens.get(at.checked_sub(1)?)? else {
        return None;
    };
    Some(format!(
        "MPL writes a list type with the brackets around the element type: `[{ty}]`, not `{ty}[]`"
    ))
}

/// `Ctor name` then `}` or `)`: parsed as the start of a declaration
/// `P name;` (a channel of protocol `P`), most likely meant as `Ctor(name)`.
fn ctor_without_parens(e: &SyntaxError, tokens: &[(Token, Span)], at: usize) -> Option<String> {
    if !e.message.starts_with("expected `;`") {
        return None;
    }
    if let (Token::UpperIdent(ctor), _) = tokens.get(at.checked_sub(1)?)? {
        // `Just 1`: a literal right after a constructor.
        let arg = literal_text(&tokens.get(at)?.0)?;
        return Some(format!(
            "a constructor's argument goes in parentheses: `{ctor}({arg})`, not `{ctor} {arg}`"
        ));
    }
    let (Token::LowerIdent(arg), _) = tokens.get(at.checked_sub(1)?)? else {
        return None;
    };
    let (Token::UpperIdent(ctor), _) = tokens.get(at.checked_sub(2)?)? else {
        return None;
    };
    Some(format!(
        "`{ctor} {arg}` reads as declaring a channel `{arg}` of protocol `{ctor}`; to apply the constructor, put its argument in parentheses: `{ctor}({arg})`"
    ))
}

/// A literal token as written (near enough for a hint), or `None`.
fn literal_text(token: &Token) -> Option<String> {
    match token {
        Token::Int(n) => Some(n.to_string()),
        Token::Float(x) => Some(x.to_string()),
        Token::Str(s) => Some(format!("{s:?}")),
        Token::Char(c) => Some(format!("{c:?}")),
        Token::True => Some("true".into()),
        Token::False => Some("false".into()),
        _ => None,
    }
}
