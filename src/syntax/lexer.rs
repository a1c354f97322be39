//! The lexer: source text to a list of `(Token, Span)`, with chumsky.
//!
//! It skips whitespace and comments (`//`, `/* */`), keeps `///` doc
//! comments as tokens, and recovers from every bad character (one error
//! each, then it goes on), so it never fails as a whole. It knows nothing
//! of the grammar: see `parser` for that.

use chumsky::prelude::*;

use super::SyntaxError;
use super::token::Token;
use crate::source::{FileId, Span};

type LexExtra = extra::Err<LexError>;

/// The lexer's own error: every lexer error is a custom message, so the
/// expected/found bookkeeping of chumsky's `Rich` (costly on every failed
/// alternative) is not needed.
#[derive(Clone, Debug)]
struct LexError {
    span: SimpleSpan,
    msg: String,
}

impl LexError {
    fn custom(span: SimpleSpan, msg: impl Into<String>) -> LexError {
        LexError {
            span,
            msg: msg.into(),
        }
    }
}

impl<'a> chumsky::error::Error<'a, &'a str> for LexError {}

impl<'a, L> chumsky::label::LabelError<'a, &'a str, L> for LexError {
    fn expected_found<E: IntoIterator<Item = L>>(
        _: E,
        _: Option<chumsky::util::MaybeRef<'a, char>>,
        span: SimpleSpan,
    ) -> Self {
        LexError {
            span,
            msg: String::new(),
        }
    }
}

const UNTERMINATED_STRING: &str = "unterminated string literal";
const UNTERMINATED_COMMENT: &str = "unterminated block comment";
const INT_TOO_LARGE: &str = "integer literal is too large";
const BAD_ESCAPE: &str = "unknown escape sequence";
const BAD_UNICODE: &str = "invalid unicode escape";
const BAD_CHAR_LITERAL: &str = "invalid character literal";

/// Lex one file. Never fails: every problem becomes a `SyntaxError` and the
/// lexer goes on after it.
pub fn lex(file: FileId, text: &str) -> (Vec<(Token, Span)>, Vec<SyntaxError>) {
    let (out, errs) = lexer().parse(text).into_output_errors();
    let tokens = out
        .unwrap_or_default()
        .into_iter()
        .map(|(tok, s): (Token, SimpleSpan)| (tok, Span::new(file, s.start, s.end)))
        .collect();
    let errors = errs
        .into_iter()
        .map(|e| convert_error(file, text.len(), e))
        .collect();
    (tokens, errors)
}

fn convert_error(file: FileId, len: usize, e: LexError) -> SyntaxError {
    let span = Span::new(file, e.span.start, e.span.end);
    let at_end = e.span.end >= len;
    let message = if e.msg.is_empty() {
        "unexpected input".to_string()
    } else {
        e.msg
    };
    let (label, help, incomplete) = if message == UNTERMINATED_STRING {
        (
            "this string is never closed".to_string(),
            Some("close the string with `\"` on the same line".to_string()),
            at_end,
        )
    } else if message == UNTERMINATED_COMMENT {
        (
            "this comment is never closed".to_string(),
            Some("close the comment with `*/`".to_string()),
            true,
        )
    } else if message == INT_TOO_LARGE {
        (
            "does not fit in 64 bits".to_string(),
            Some(format!("integers range from {} to {}", i64::MIN, i64::MAX)),
            false,
        )
    } else if message.starts_with(BAD_ESCAPE) || message.starts_with(BAD_UNICODE) {
        (
            "unknown escape".to_string(),
            Some(
                "the escapes are \\n \\t \\r \\0 \\\\ \\' \\\" and \\u{...} (hex code point)"
                    .to_string(),
            ),
            false,
        )
    } else if message == BAD_CHAR_LITERAL {
        (
            "not a character literal".to_string(),
            Some("a character literal holds exactly one character: 'a', '\\n'".to_string()),
            false,
        )
    } else {
        (
            "not part of MPL's syntax".to_string(),
            Some("remove this character".to_string()),
            false,
        )
    };
    SyntaxError {
        span,
        message,
        label,
        help,
        notes: Vec::new(),
        incomplete,
    }
}

fn is_ident_start(c: &char) -> bool {
    c.is_ascii_alphabetic() || *c == '_'
}

fn is_ident_continue(c: &char) -> bool {
    c.is_ascii_alphanumeric() || *c == '_'
}

/// The whole lexer: tokens with their spans, trivia skipped, one error per
/// bad character.
fn lexer<'a>() -> impl Parser<'a, &'a str, Vec<(Token, SimpleSpan)>, LexExtra> {
    let token = choice((
        word_token(),
        doc_comment(),
        operator(),
        number(),
        just('#')
            .ignore_then(word())
            .map(|s: &str| Token::HashIdent(s.to_string())),
        char_literal(),
        string_literal(),
    ))
    .map_with(|tok, e| Some((tok, e.span())));

    // Anything else: one error per character, then go on.
    let bad = any().validate(|c: char, e, emitter| {
        emitter.emit(LexError::custom(
            e.span(),
            format!("unexpected character `{}`", c.escape_debug()),
        ));
        None
    });
    let trivia = trivia();
    trivia
        .clone()
        .ignore_then(
            token
                .or(bad)
                .then_ignore(trivia)
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then_ignore(end())
        .map(|toks| toks.into_iter().flatten().collect())
}

/// Integers (decimal and `0x` hexadecimal) and floats.
fn number<'a>() -> impl Parser<'a, &'a str, Token, LexExtra> + Clone {
    let digits = any()
        .filter(|c: &char| c.is_ascii_digit())
        .repeated()
        .at_least(1);

    let hex = just('0')
        .then(one_of("xX"))
        .ignore_then(
            any()
                .filter(|c: &char| c.is_ascii_hexdigit())
                .repeated()
                .at_least(1)
                .to_slice(),
        )
        .validate(|s: &str, e, emitter| match i64::from_str_radix(s, 16) {
            Ok(n) => Token::Int(n),
            Err(_) => {
                emitter.emit(LexError::custom(e.span(), INT_TOO_LARGE));
                Token::Int(0)
            }
        });

    let exponent = one_of("eE").then(one_of("+-").or_not()).then(digits);
    let float = digits
        .then(just('.').then(digits))
        .then(exponent.or_not())
        .to_slice()
        .or(digits.then(exponent).to_slice())
        .map(|s: &str| Token::Float(s.parse().unwrap_or(f64::NAN)));

    let int = digits
        .to_slice()
        .validate(|s: &str, e, emitter| match s.parse::<i64>() {
            Ok(n) => Token::Int(n),
            Err(_) => {
                emitter.emit(LexError::custom(e.span(), INT_TOO_LARGE));
                Token::Int(0)
            }
        });

    hex.or(float).or(int)
}

/// An identifier's text: a letter or `_`, then letters, digits, `_`, and
/// trailing primes.
fn word<'a>() -> impl Parser<'a, &'a str, &'a str, LexExtra> + Clone {
    any()
        .filter(is_ident_start)
        .then(any().filter(is_ident_continue).repeated())
        .then(just('\'').repeated())
        .to_slice()
}

/// A keyword, `_`, or an upper- or lower-case name.
fn word_token<'a>() -> impl Parser<'a, &'a str, Token, LexExtra> + Clone {
    word().map(|s: &str| {
        if s == "_" {
            Token::Underscore
        } else if let Some(kw) = Token::keyword(s) {
            kw
        } else if s.starts_with(|c: char| c.is_ascii_uppercase()) {
            Token::UpperIdent(s.to_string())
        } else {
            Token::LowerIdent(s.to_string())
        }
    })
}

/// An escape sequence after `\` in a char or string literal.
fn escape<'a>() -> impl Parser<'a, &'a str, char, LexExtra> + Clone {
    let unicode = just('u')
        .ignore_then(
            any()
                .filter(|c: &char| c.is_ascii_hexdigit())
                .repeated()
                .at_least(1)
                .at_most(6)
                .to_slice()
                .delimited_by(just('{'), just('}')),
        )
        .validate(|s: &str, e, emitter| {
            match u32::from_str_radix(s, 16).ok().and_then(char::from_u32) {
                Some(c) => c,
                None => {
                    emitter.emit(LexError::custom(
                        e.span(),
                        format!("{BAD_UNICODE} `\\u{{{s}}}`"),
                    ));
                    '\u{FFFD}'
                }
            }
        });

    just('\\').ignore_then(choice((
        just('n').to('\n'),
        just('t').to('\t'),
        just('r').to('\r'),
        just('0').to('\0'),
        just('\\').to('\\'),
        just('\'').to('\''),
        just('"').to('"'),
        unicode,
        none_of("\n").validate(|c: char, e, emitter| {
            emitter.emit(LexError::custom(e.span(), format!("{BAD_ESCAPE} `\\{c}`")));
            c
        }),
    )))
}

/// `'c'`, or a broken char literal reported as one error.
fn char_literal<'a>() -> impl Parser<'a, &'a str, Token, LexExtra> + Clone {
    let escape = escape();
    let char_lit = just('\'')
        .ignore_then(escape.or(none_of("\\'\n")))
        .then_ignore(just('\''))
        .map(Token::Char);

    let bad_char_lit = just('\'')
        .then(none_of("'\n").repeated().at_least(1))
        .then(just('\''))
        .validate(|_, e, emitter| {
            emitter.emit(LexError::custom(e.span(), BAD_CHAR_LITERAL));
            Token::Char('\u{FFFD}')
        });

    char_lit.or(bad_char_lit)
}

/// `"..."` with escapes; an unterminated string is reported.
fn string_literal<'a>() -> impl Parser<'a, &'a str, Token, LexExtra> + Clone {
    let escape = escape();
    just('"')
        .ignore_then(escape.or(none_of("\\\"\n")).repeated().collect::<String>())
        .then(just('"').or_not())
        .validate(|(s, close), e, emitter| {
            if close.is_none() {
                emitter.emit(LexError::custom(e.span(), UNTERMINATED_STRING));
            }
            Token::Str(s)
        })
}

/// A `///` doc comment (kept as a token for the parser's doc table).
fn doc_comment<'a>() -> impl Parser<'a, &'a str, Token, LexExtra> + Clone {
    just("///")
        .and_is(just("////").not())
        .ignore_then(none_of("\n").repeated().to_slice())
        .map(|s: &str| {
            let s = s.strip_suffix('\r').unwrap_or(s);
            Token::DocComment(s.strip_prefix(' ').unwrap_or(s).to_string())
        })
}

/// Operators and punctuation, two-character ones first.
fn operator<'a>() -> impl Parser<'a, &'a str, Token, LexExtra> + Clone {
    let long_ops = choice((
        just(":=").to(Token::ColonEq),
        just("==").to(Token::EqEq),
        just("!=").to(Token::NotEq),
        just("<=").to(Token::LtEq),
        just("<<").to(Token::Shl),
        just("++").to(Token::PlusPlus),
        just("||").to(Token::PipePipe),
        just("&&").to(Token::AmpAmp),
    ));
    let short_ops = one_of("()[]{}<>,;:.=!~+-*/%|&^").map(|c: char| match c {
        '(' => Token::LParen,
        ')' => Token::RParen,
        '[' => Token::LBracket,
        ']' => Token::RBracket,
        '{' => Token::LBrace,
        '}' => Token::RBrace,
        '<' => Token::Lt,
        '>' => Token::Gt,
        ',' => Token::Comma,
        ';' => Token::Semi,
        ':' => Token::Colon,
        '.' => Token::Dot,
        '=' => Token::Eq,
        '!' => Token::Bang,
        '~' => Token::Tilde,
        '+' => Token::Plus,
        '-' => Token::Minus,
        '*' => Token::Star,
        '/' => Token::Slash,
        '%' => Token::Percent,
        '|' => Token::Pipe,
        '&' => Token::Amp,
        _ => Token::Caret,
    });

    long_ops.or(short_ops)
}

/// Whitespace and comments between tokens.
fn trivia<'a>() -> impl Parser<'a, &'a str, (), LexExtra> + Clone {
    let line_comment = just("//")
        .and_is(just("///").not().ignored().or(just("////").ignored()))
        .then(none_of("\n").repeated())
        .ignored();
    let block_comment = just("/*")
        .then(any().and_is(just("*/").not()).repeated())
        .then(just("*/").or_not())
        .validate(|(_, close), e, emitter| {
            if close.is_none() {
                emitter.emit(LexError::custom(e.span(), UNTERMINATED_COMMENT));
            }
        });
    let trivia = choice((
        any().filter(|c: &char| c.is_whitespace()).ignored(),
        line_comment,
        block_comment,
    ))
    .repeated();

    trivia.ignored()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Token> {
        let (t, e) = lex(FileId(0), text);
        assert!(e.is_empty(), "unexpected errors: {e:?}");
        t.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn keywords_and_identifiers() {
        assert_eq!(
            toks("data Foo recv' childE'' _ _x #p split"),
            vec![
                Token::Data,
                Token::UpperIdent("Foo".into()),
                Token::LowerIdent("recv'".into()),
                Token::LowerIdent("childE''".into()),
                Token::Underscore,
                Token::LowerIdent("_x".into()),
                Token::HashIdent("p".into()),
                Token::Split,
            ]
        );
    }

    #[test]
    fn numbers_decimal_hex_float() {
        assert_eq!(
            toks("42 0x1F 1.0 2.5e3 1e-3 -7"),
            vec![
                Token::Int(42),
                Token::Int(31),
                Token::Float(1.0),
                Token::Float(2500.0),
                Token::Float(0.001),
                Token::Minus,
                Token::Int(7),
            ]
        );
    }

    #[test]
    fn integer_too_large_is_an_error() {
        let (t, e) = lex(FileId(0), "x 99999999999999999999 y");
        assert_eq!(t.len(), 3);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].span.range(), 2..22);
        assert!(e[0].message.contains("too large"));
    }

    #[test]
    fn char_and_string_escapes() {
        assert_eq!(
            toks(r#"'a' '\n' '\'' '\u{3bb}' "a\tb\n\"\\\0\r""#),
            vec![
                Token::Char('a'),
                Token::Char('\n'),
                Token::Char('\''),
                Token::Char('λ'),
                Token::Str("a\tb\n\"\\\0\r".into()),
            ]
        );
    }

    #[test]
    fn comments_and_doc_comments() {
        assert_eq!(
            toks("/* block */ a // line\n/// doc line\n//// not doc\nb"),
            vec![
                Token::LowerIdent("a".into()),
                Token::DocComment("doc line".into()),
                Token::LowerIdent("b".into()),
            ]
        );
    }

    #[test]
    fn greater_than_is_always_single() {
        assert_eq!(
            toks(">> >= := <= << ++ || && == !="),
            vec![
                Token::Gt,
                Token::Gt,
                Token::Gt,
                Token::Eq,
                Token::ColonEq,
                Token::LtEq,
                Token::Shl,
                Token::PlusPlus,
                Token::PipePipe,
                Token::AmpAmp,
                Token::EqEq,
                Token::NotEq,
            ]
        );
    }

    #[test]
    fn bad_characters_recover_one_error_each() {
        let (t, e) = lex(FileId(0), "a $ b @ c");
        assert_eq!(t.len(), 3);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].span.range(), 2..3);
        assert_eq!(e[1].span.range(), 6..7);
    }

    #[test]
    fn unterminated_string_and_comment_do_not_panic() {
        let (_, e) = lex(FileId(0), "\"");
        assert_eq!(e.len(), 1);
        assert!(e[0].incomplete);
        let (_, e) = lex(FileId(0), "a /* never closed");
        assert_eq!(e.len(), 1);
        assert!(e[0].incomplete);
        let (_, e) = lex(FileId(0), "'");
        assert_eq!(e.len(), 1);
        let (_, e) = lex(FileId(0), "'\\q'");
        assert_eq!(e.len(), 1);
    }

    #[test]
    fn binary_garbage_does_not_panic() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = lex(FileId(0), &text);
    }
}
