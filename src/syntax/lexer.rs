//! The lexer: source text to a list of `(Token, Span)`, by hand.
//!
//! It skips whitespace and comments (`//`, `/* */`), keeps `///` doc
//! comments as tokens, and recovers from every bad character (one error
//! each, then it goes on), so it never fails as a whole. It knows nothing
//! of the grammar: see `parser` for that.
//!
//! Written by hand rather than with chumsky (as it once was): every run
//! lexes the prelude, and the combinator lexer spent 6 M instructions on
//! its 20 KB, a quarter of `mpl run`'s start-up (bench/RESULTS.md).

use super::SyntaxError;
use super::token::Token;
use crate::source::{FileId, Span};

/// What the lexer found wrong, named where it is found;
/// [`LexError::into_syntax_error`] is the one place that words it.
#[derive(Clone, Debug, PartialEq)]
enum LexProblem {
    /// A character that starts no token.
    UnexpectedChar(char),
    /// `/*` without its `*/`.
    UnterminatedComment,
    /// An integer literal past 64 bits.
    IntTooLarge,
    /// `\` followed by `c`, which is no escape (`u`: no `{hex}` after it).
    BadEscape(char),
    /// `\u{hex}` naming no character.
    BadUnicode(String),
    /// Quotes around other than one character.
    BadCharLiteral,
    /// A string the line or the text ends in.
    UnterminatedString,
}

/// A problem and the bytes it covers.
#[derive(Clone, Debug)]
struct LexError {
    span: std::ops::Range<usize>,
    problem: LexProblem,
}

impl LexError {
    /// The problem as a `SyntaxError`: message, label, help, and whether
    /// more input could mend it (the REPL then asks for another line).
    fn into_syntax_error(self, file: FileId, len: usize) -> SyntaxError {
        let at_end = self.span.end >= len;
        let escapes = "the escapes are \\n \\t \\r \\0 \\\\ \\' \\\" and \\u{...} (hex code point)";
        let (message, label, help, incomplete) = match self.problem {
            LexProblem::UnexpectedChar(c) => (
                format!("unexpected character `{}`", c.escape_debug()),
                "not part of MPL's syntax",
                "remove this character".to_string(),
                false,
            ),
            LexProblem::UnterminatedComment => (
                "unterminated block comment".to_string(),
                "this comment is never closed",
                "close the comment with `*/`".to_string(),
                true,
            ),
            LexProblem::IntTooLarge => (
                "integer literal is too large".to_string(),
                "does not fit in 64 bits",
                format!("integers range from {} to {}", i64::MIN, i64::MAX),
                false,
            ),
            LexProblem::BadEscape(c) => (
                format!("unknown escape sequence `\\{c}`"),
                "unknown escape",
                escapes.to_string(),
                false,
            ),
            LexProblem::BadUnicode(hex) => (
                format!("invalid unicode escape `\\u{{{hex}}}`"),
                "unknown escape",
                escapes.to_string(),
                false,
            ),
            LexProblem::BadCharLiteral => (
                "invalid character literal".to_string(),
                "not a character literal",
                "a character literal holds exactly one character: 'a', '\\n'".to_string(),
                false,
            ),
            LexProblem::UnterminatedString => (
                "unterminated string literal".to_string(),
                "this string is never closed",
                "close the string with `\"` on the same line".to_string(),
                at_end,
            ),
        };
        SyntaxError {
            span: Span::new(file, self.span.start, self.span.end),
            message,
            label: label.to_string(),
            help: Some(help),
            notes: Vec::new(),
            incomplete,
        }
    }
}

/// Lex one file. Never fails: every problem becomes a `SyntaxError` and the
/// lexer goes on after it.
pub fn lex(file: FileId, text: &str) -> (Vec<(Token, Span)>, Vec<SyntaxError>) {
    let mut lexer = Lexer {
        text,
        pos: 0,
        tokens: Vec::with_capacity(text.len() / 4),
        errors: Vec::new(),
    };
    lexer.run();
    let tokens = lexer
        .tokens
        .into_iter()
        .map(|(tok, r)| (tok, Span::new(file, r.start, r.end)))
        .collect();
    let errors = lexer
        .errors
        .into_iter()
        .map(|e| e.into_syntax_error(file, text.len()))
        .collect();
    (tokens, errors)
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Two-character operators, tried before the one-character ones.
const LONG_OPS: [(&str, Token); 8] = [
    (":=", Token::ColonEq),
    ("==", Token::EqEq),
    ("!=", Token::NotEq),
    ("<=", Token::LtEq),
    ("<<", Token::Shl),
    ("++", Token::PlusPlus),
    ("||", Token::PipePipe),
    ("&&", Token::AmpAmp),
];

/// A one-character operator or punctuation. (`>` is always single: `>>`
/// closes two type argument lists.)
fn short_op(c: char) -> Option<Token> {
    Some(match c {
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
        '^' => Token::Caret,
        _ => return None,
    })
}

/// The lexer's state: the text, the byte offset reached, what it found.
struct Lexer<'t> {
    text: &'t str,
    pos: usize,
    tokens: Vec<(Token, std::ops::Range<usize>)>,
    errors: Vec<LexError>,
}

impl<'t> Lexer<'t> {
    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// The character after the next one.
    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    /// Moves past the next character.
    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    /// Moves past the characters that `keep` accepts; how many bytes.
    fn skip_while(&mut self, keep: impl Fn(char) -> bool) -> usize {
        let start = self.pos;
        let n = self
            .rest()
            .find(|c: char| !keep(c))
            .unwrap_or(self.rest().len());
        self.pos += n;
        self.pos - start
    }

    fn error(&mut self, span: std::ops::Range<usize>, problem: LexProblem) {
        self.errors.push(LexError { span, problem });
    }

    /// The whole text: trivia, then tokens (or one error per bad
    /// character), each followed by trivia.
    fn run(&mut self) {
        loop {
            self.trivia();
            let Some(c) = self.peek() else { break };
            let start = self.pos;
            match self.token(c) {
                Some(tok) => self.tokens.push((tok, start..self.pos)),
                None => {
                    self.pos = start + c.len_utf8();
                    self.error(start..self.pos, LexProblem::UnexpectedChar(c));
                }
            }
        }
    }

    /// Whitespace and comments: `//` (but not `///`, a doc comment, unless
    /// it is `////`) and `/* */`, which do not nest.
    fn trivia(&mut self) {
        loop {
            let rest = self.rest();
            if rest.starts_with(char::is_whitespace) {
                self.bump();
            } else if rest.starts_with("//")
                && (!rest.starts_with("///") || rest.starts_with("////"))
            {
                self.skip_while(|c| c != '\n');
            } else if let Some(body) = rest.strip_prefix("/*") {
                let start = self.pos;
                match body.find("*/") {
                    Some(i) => self.pos += 2 + i + 2,
                    None => {
                        self.pos = self.text.len();
                        self.error(start..self.pos, LexProblem::UnterminatedComment);
                    }
                }
            } else {
                return;
            }
        }
    }

    /// The token starting with `c`, or `None` (nothing consumed) when no
    /// token starts here.
    fn token(&mut self, c: char) -> Option<Token> {
        if is_ident_start(c) {
            return Some(self.word_token());
        }
        let rest = self.rest();
        if rest.starts_with("///") {
            return Some(self.doc_comment());
        }
        if let Some((op, tok)) = LONG_OPS.iter().find(|(op, _)| rest.starts_with(op)) {
            self.pos += op.len();
            return Some(tok.clone());
        }
        if let Some(tok) = short_op(c) {
            self.bump();
            return Some(tok);
        }
        match c {
            '0'..='9' => Some(self.number()),
            '#' if self.peek2().is_some_and(is_ident_start) => {
                self.bump();
                Some(Token::HashIdent(self.word().to_string()))
            }
            '\'' => self.char_literal(),
            '"' => Some(self.string_literal()),
            _ => None,
        }
    }

    /// An identifier's text: a letter or `_`, then letters, digits, `_`,
    /// and trailing primes.
    fn word(&mut self) -> &'t str {
        let start = self.pos;
        self.skip_while(is_ident_continue);
        self.skip_while(|c| c == '\'');
        &self.text[start..self.pos]
    }

    /// A keyword, `_`, or an upper- or lower-case name.
    fn word_token(&mut self) -> Token {
        let s = self.word();
        if s == "_" {
            Token::Underscore
        } else if let Some(kw) = Token::keyword(s) {
            kw
        } else if s.starts_with(|c: char| c.is_ascii_uppercase()) {
            Token::UpperIdent(s.to_string())
        } else {
            Token::LowerIdent(s.to_string())
        }
    }

    /// A `///` doc comment (kept as a token for the parser's doc table):
    /// its text without the line end's `\r` and one leading space.
    fn doc_comment(&mut self) -> Token {
        self.pos += 3;
        let start = self.pos;
        self.skip_while(|c| c != '\n');
        let s = &self.text[start..self.pos];
        let s = s.strip_suffix('\r').unwrap_or(s);
        Token::DocComment(s.strip_prefix(' ').unwrap_or(s).to_string())
    }

    /// Integers (decimal and `0x` hexadecimal) and floats (`1.5`, `2e3`,
    /// `1.5e-3`: a dot needs a digit after it).
    fn number(&mut self) -> Token {
        let start = self.pos;
        let rest = self.rest();
        if (rest.starts_with("0x") || rest.starts_with("0X"))
            && rest[2..].starts_with(|c: char| c.is_ascii_hexdigit())
        {
            self.pos += 2;
            let digits = self.pos;
            self.skip_while(|c| c.is_ascii_hexdigit());
            return self.int(i64::from_str_radix(&self.text[digits..self.pos], 16), start);
        }
        self.skip_while(|c| c.is_ascii_digit());
        let mut float = false;
        if self.peek() == Some('.') && self.peek2().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            self.skip_while(|c| c.is_ascii_digit());
            float = true;
        }
        float |= self.exponent();
        let s = &self.text[start..self.pos];
        if float {
            Token::Float(s.parse().unwrap_or(f64::NAN))
        } else {
            self.int(s.parse(), start)
        }
    }

    /// An exponent (`e`, an optional sign, digits), if one is next.
    fn exponent(&mut self) -> bool {
        let rest = self.rest().as_bytes();
        let sign = matches!(rest.get(1), Some(b'+' | b'-')) as usize;
        let is_exponent = matches!(rest.first(), Some(b'e' | b'E'))
            && rest.get(1 + sign).is_some_and(u8::is_ascii_digit);
        if is_exponent {
            self.pos += 1 + sign;
            self.skip_while(|c| c.is_ascii_digit());
        }
        is_exponent
    }

    /// An integer token from its parsed value; too large is an error (the
    /// token is then `0`).
    fn int<E>(&mut self, parsed: Result<i64, E>, start: usize) -> Token {
        Token::Int(parsed.unwrap_or_else(|_| {
            self.error(start..self.pos, LexProblem::IntTooLarge);
            0
        }))
    }

    /// An escape sequence at `\\`; `None` (nothing consumed) when the
    /// line or the text ends after the backslash.
    fn escape(&mut self) -> Option<char> {
        let backslash = self.pos;
        self.bump();
        let at = self.pos;
        let c = match self.peek() {
            None | Some('\n') => {
                self.pos = backslash;
                return None;
            }
            Some(c) => c,
        };
        self.bump();
        Some(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            '\\' | '\'' | '"' => c,
            'u' => match self.unicode(at) {
                Some(c) => c,
                None => {
                    self.error(at..self.pos, LexProblem::BadEscape('u'));
                    'u'
                }
            },
            other => {
                self.error(at..self.pos, LexProblem::BadEscape(other));
                other
            }
        })
    }

    /// After `\u`: `{`, one to six hex digits, `}`; `None` (nothing more
    /// consumed) if that is not what follows. A number that is no
    /// character is an error, and the character is U+FFFD.
    fn unicode(&mut self, at: usize) -> Option<char> {
        let rest = self.rest().strip_prefix('{')?;
        let n = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        if !(1..=6).contains(&n) || !rest[n..].starts_with('}') {
            return None;
        }
        let hex = &rest[..n];
        let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
        self.pos += n + 2;
        Some(c.unwrap_or_else(|| {
            self.error(at..self.pos, LexProblem::BadUnicode(hex.to_string()));
            '\u{FFFD}'
        }))
    }

    /// `'c'`, or a broken char literal (`'ab'`) reported as one error;
    /// `None` (nothing consumed) when no closing quote is on the line.
    fn char_literal(&mut self) -> Option<Token> {
        let start = self.pos;
        let errors = self.errors.len();
        self.bump();
        let c = match self.peek() {
            Some('\\') => self.escape(),
            Some(c) if c != '\'' && c != '\n' => {
                self.bump();
                Some(c)
            }
            _ => None,
        };
        if let Some(c) = c
            && self.peek() == Some('\'')
        {
            self.bump();
            return Some(Token::Char(c));
        }
        // Not one character: what the escape reported goes, and the
        // literal runs to the next quote on the line.
        self.errors.truncate(errors);
        self.pos = start + 1;
        if self.skip_while(|c| c != '\'' && c != '\n') > 0 && self.peek() == Some('\'') {
            self.bump();
            self.error(start..self.pos, LexProblem::BadCharLiteral);
            return Some(Token::Char('\u{FFFD}'));
        }
        self.pos = start;
        None
    }

    /// `"..."` with escapes; an unterminated string (the line or the text
    /// ends first) is reported, and is still a token.
    fn string_literal(&mut self) -> Token {
        let start = self.pos;
        self.bump();
        let mut s = String::new();
        loop {
            match self.peek() {
                Some('"') => {
                    self.bump();
                    return Token::Str(s);
                }
                Some('\\') => match self.escape() {
                    Some(c) => s.push(c),
                    None => break,
                },
                None | Some('\n') => break,
                Some(c) => {
                    self.bump();
                    s.push(c);
                }
            }
        }
        self.error(start..self.pos, LexProblem::UnterminatedString);
        Token::Str(s)
    }
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
    fn a_number_takes_a_dot_or_an_exponent_only_with_digits_after() {
        assert_eq!(
            toks("1. 1e 1.5e 0x 2E+2"),
            vec![
                Token::Int(1),
                Token::Dot,
                Token::Int(1),
                Token::LowerIdent("e".into()),
                Token::Float(1.5),
                Token::LowerIdent("e".into()),
                Token::Int(0),
                Token::LowerIdent("x".into()),
                Token::Float(200.0),
            ]
        );
    }

    #[test]
    fn a_char_literal_without_its_closing_quote_is_one_bad_character() {
        // The escape's own error goes with the literal that failed.
        let (t, e) = lex(FileId(0), "'\\q\nx");
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].message, "unexpected character `\\'`");
        assert_eq!(e[1].message, "unexpected character `\\\\`");
        assert_eq!(t.len(), 2);
        let (t, e) = lex(FileId(0), "'ab' c");
        assert_eq!(e[0].message, "invalid character literal");
        assert_eq!(e[0].span.range(), 0..4);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn each_lexing_problem_has_its_message_label_help_and_incompleteness() {
        let cases = [
            (
                "#",
                "unexpected character `#`",
                "not part of MPL's syntax",
                false,
            ),
            (
                "/* x",
                "unterminated block comment",
                "this comment is never closed",
                true,
            ),
            (
                "99999999999999999999",
                "integer literal is too large",
                "does not fit in 64 bits",
                false,
            ),
            (
                "\"\\q\"",
                "unknown escape sequence `\\q`",
                "unknown escape",
                false,
            ),
            (
                "\"\\u{d800}\"",
                "invalid unicode escape `\\u{d800}`",
                "unknown escape",
                false,
            ),
            (
                "'ab'",
                "invalid character literal",
                "not a character literal",
                false,
            ),
            (
                "\"ab",
                "unterminated string literal",
                "this string is never closed",
                true,
            ),
            (
                "\"ab\nc",
                "unterminated string literal",
                "this string is never closed",
                false,
            ),
        ];
        for (text, message, label, incomplete) in cases {
            let (_, e) = lex(FileId(0), text);
            assert_eq!(e.len(), 1, "{text:?}: {e:?}");
            assert_eq!(e[0].message, message, "{text:?}");
            assert_eq!(e[0].label, label, "{text:?}");
            assert!(
                e[0].help.as_ref().is_some_and(|h| !h.is_empty()),
                "{text:?}"
            );
            assert_eq!(e[0].incomplete, incomplete, "{text:?}");
        }
    }

    #[test]
    fn a_unicode_escape_takes_one_to_six_hex_digits_in_braces() {
        let (t, e) = lex(FileId(0), "\"\\u{1234567}\"");
        assert_eq!(t[0].0, Token::Str("u{1234567}".into()));
        assert_eq!(e[0].message, "unknown escape sequence `\\u`");
        assert_eq!(e[0].span.range(), 2..3);
        let (_, e) = lex(FileId(0), "'\\u{110000}'");
        assert_eq!(e[0].message, "invalid unicode escape `\\u{110000}`");
        assert_eq!(e[0].span.range(), 2..11);
    }

    #[test]
    fn a_string_ends_at_its_line_and_a_backslash_there_is_left_over() {
        let (t, e) = lex(FileId(0), "\"ab\\\nc");
        assert_eq!(t[0].0, Token::Str("ab".into()));
        assert_eq!(e[0].message, "unterminated string literal");
        assert_eq!(e[0].span.range(), 0..3);
        assert_eq!(e[1].message, "unexpected character `\\\\`");
    }

    #[test]
    fn binary_garbage_does_not_panic() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = lex(FileId(0), &text);
    }
}
