//! CaMPL's tokens and its lexer: text to `(Tok, Span)` with each token's
//! line and column, for the layout rule (`layout`).
//!
//! It follows the token rules of CaMPL's grammar (`MPL.bnfc`): `--` and
//! `{- -}` comments, `(+)`/`(*)`, `|=|`, the built-in infix operators and
//! the user-defined ones, whose first character sets their precedence.
//! Operators are read by longest match, as CaMPL's lexer does. It does no
//! layout and no parsing; every bad character is one error, then it goes on.

use crate::source::{FileId, Span};
use crate::syntax::SyntaxError;

/// One CaMPL token.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A reserved word (`proc`, `hcase`, `of`, ...).
    Kw(&'static str),
    /// Punctuation (`::`, `->`, `=>`, `=`, `|`, `,`, `(`, `{`, `(+)`, ...).
    Sym(&'static str),
    /// An infix operator: the built-in ones (`==`, `+`, `++`, ...) and
    /// user-defined ones (`|>`, `^-^`), with their precedence level
    /// (1 loosest .. 8 tightest) in CaMPL's table.
    Op(String, u8),
    Upper(String),
    Lower(String),
    Int(i64),
    Double(f64),
    Char(char),
    Str(String),
    /// Inserted by the layout rule: an implicit `{`, `;` or `}`.
    VOpen,
    VSemi,
    VClose,
}

impl Tok {
    /// As written, for "found `...`" messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Kw(k) | Tok::Sym(k) => format!("`{k}`"),
            Tok::Op(o, _) => format!("`{o}`"),
            Tok::Upper(n) | Tok::Lower(n) => format!("`{n}`"),
            Tok::Int(n) => format!("`{n}`"),
            Tok::Double(n) => format!("`{n}`"),
            Tok::Char(c) => format!("{c:?}"),
            Tok::Str(_) => "a string".into(),
            Tok::VOpen => "the start of an indented block".into(),
            Tok::VSemi => "a new line".into(),
            Tok::VClose => "the end of an indented block".into(),
        }
    }
}

/// A token with where it is: its span, and the line and column (from 1)
/// of its first character.
#[derive(Clone, Debug, PartialEq)]
pub struct Lexeme {
    pub tok: Tok,
    pub span: Span,
    pub line: u32,
    pub col: u32,
}

pub const KEYWORDS: &[&str] = &[
    "data",
    "codata",
    "protocol",
    "coprotocol",
    "fun",
    "proc",
    "defn",
    "where",
    "let",
    "in",
    "if",
    "then",
    "else",
    "case",
    "of",
    "switch",
    "fold",
    "unfold",
    "do",
    "on",
    "put",
    "get",
    "hput",
    "hcase",
    "split",
    "into",
    "fork",
    "as",
    "with",
    "close",
    "halt",
    "race",
    "plug",
    "neg",
    "include",
    "store",
    "use",
    "and",
];

/// Punctuation made of operator characters, longest first where one is a
/// prefix of another.
const OP_SYMBOLS: &[&str] = &["|=|", "::", ":=", "->", "=>", "=", "|", ":"];

/// The built-in infix operators and their levels (CaMPL's table).
const BUILTIN_OPS: &[(&str, u8)] = &[
    ("||", 1),
    ("&&", 2),
    ("==", 3),
    ("/=", 3),
    ("<", 3),
    (">", 3),
    ("<=", 3),
    (">=", 3),
    ("++", 4),
    ("+", 5),
    ("-", 5),
    ("*", 6),
    ("/", 6),
    ("^", 7),
    ("!!", 8),
];

fn is_op_char(c: char) -> bool {
    "|&<>!+-*/%^=@#$_?:~".contains(c)
}

/// The level of a user-defined operator, from its first character; `None`
/// when `s` is not one.
fn user_op_level(s: &str) -> Option<u8> {
    let first = s.chars().next()?;
    if s.len() < 2 && first != '%' {
        return None;
    }
    match first {
        '|' => pipe_op(s).then_some(1),
        '&' => Some(2),
        '<' | '>' | '!' => Some(3),
        '+' | '-' => Some(5),
        '*' | '/' | '%' => Some(6),
        '^' => Some(7),
        _ => None,
    }
}

/// CaMPL's rule for operators that start with `|`: the second character
/// may not be `=` unless more follows (`|=` is not one, nor `|=>`; `|=>>`
/// is), so that `| =>` in a process's channel lists reads as written.
fn pipe_op(s: &str) -> bool {
    let rest = &s[1..];
    match rest.strip_prefix('=') {
        None => true,
        Some(after) => match after.strip_prefix('>') {
            Some(more) => !more.is_empty(),
            None => !after.is_empty() && after != "|",
        },
    }
}

/// The token that `s` (a run of operator characters) is, if any.
fn op_token(s: &str) -> Option<Tok> {
    if let Some(sym) = OP_SYMBOLS.iter().find(|k| **k == s) {
        return Some(Tok::Sym(sym));
    }
    if let Some((op, level)) = BUILTIN_OPS.iter().find(|(o, _)| *o == s) {
        return Some(Tok::Op(op.to_string(), *level));
    }
    user_op_level(s).map(|level| Tok::Op(s.to_string(), level))
}

/// The column (from 1) after `before`, the text of the line before a
/// token: a tab moves to the next multiple of 8, as in CaMPL's layout.
fn column(before: &str) -> u32 {
    before.chars().fold(0, |col, c| {
        if c == '\t' {
            (col / 8 + 1) * 8
        } else {
            col + 1
        }
    }) + 1
}

struct Lexer<'t> {
    text: &'t str,
    pos: usize,
    line: u32,
    line_start: usize,
    file: FileId,
    out: Vec<Lexeme>,
    errors: Vec<SyntaxError>,
}

/// Lex one CaMPL file. Never fails as a whole.
pub fn lex(file: FileId, text: &str) -> (Vec<Lexeme>, Vec<SyntaxError>) {
    let mut lx = Lexer {
        text,
        pos: 0,
        line: 1,
        line_start: 0,
        file,
        out: Vec::new(),
        errors: Vec::new(),
    };
    lx.run();
    (lx.out, lx.errors)
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.line_start = self.pos;
        }
        Some(c)
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn error(&mut self, start: usize, message: &str, label: &str, incomplete: bool) {
        self.errors.push(SyntaxError {
            span: self.span(start),
            message: message.to_string(),
            label: label.to_string(),
            help: None,
            notes: Vec::new(),
            incomplete,
        });
    }

    fn push(&mut self, tok: Tok, start: usize, line: u32, col: u32) {
        let span = self.span(start);
        self.out.push(Lexeme {
            tok,
            span,
            line,
            col,
        });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.bump();
                continue;
            }
            if self.rest().starts_with("--") && !self.dashes_are_an_operator() {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
                continue;
            }
            if self.rest().starts_with("{-") {
                self.block_comment();
                continue;
            }
            let (start, line) = (self.pos, self.line);
            let col = column(&self.text[self.line_start..self.pos]);
            match self.token(c) {
                Some(tok) => self.push(tok, start, line, col),
                None if self.pos == start => {
                    self.bump();
                    let msg = format!("unexpected character {c:?}");
                    self.error(start, &msg, "not part of any token", false);
                }
                None => {}
            }
        }
    }

    /// `-->` and the like are operators (longest match); `--` followed by
    /// anything else starts a comment.
    fn dashes_are_an_operator(&self) -> bool {
        let run: String = self.rest().chars().take_while(|c| is_op_char(*c)).collect();
        run.len() > 2 && run[2..].chars().any(|c| c != '-')
    }

    /// `{- ... -}`, nested. One left open runs to the end of the file, as
    /// CaMPL reads it.
    fn block_comment(&mut self) {
        let mut depth = 0;
        while !self.rest().is_empty() {
            if self.rest().starts_with("{-") {
                depth += 1;
                self.bump();
                self.bump();
            } else if self.rest().starts_with("-}") {
                depth -= 1;
                self.bump();
                self.bump();
                if depth == 0 {
                    return;
                }
            } else {
                self.bump();
            }
        }
    }

    fn token(&mut self, c: char) -> Option<Tok> {
        for (text, sym) in [("(+)", "(+)"), ("(*)", "(*)")] {
            if self.rest().starts_with(text) {
                (0..3).for_each(|_| {
                    self.bump();
                });
                return Some(Tok::Sym(sym));
            }
        }
        if c == '-'
            && self.rest()[1..].starts_with(|d: char| d.is_ascii_digit())
            && !self.after_operand()
        {
            self.bump();
            return self.number(true);
        }
        if c.is_ascii_digit() {
            return self.number(false);
        }
        if c.is_alphabetic() || c == '_' {
            return Some(self.word());
        }
        if c == '"' {
            return self.string();
        }
        if c == '\'' {
            return self.char_lit();
        }
        if let Some(sym) = ["(", ")", "[", "]", "{", "}", ",", ";", "."]
            .into_iter()
            .find(|s| self.rest().starts_with(s))
        {
            self.bump();
            return Some(Tok::Sym(sym));
        }
        if is_op_char(c) {
            return self.operator();
        }
        None
    }

    /// The previous token ends an operand, so `-` is subtraction.
    fn after_operand(&self) -> bool {
        matches!(
            self.out.last().map(|l| &l.tok),
            Some(
                Tok::Lower(_)
                    | Tok::Upper(_)
                    | Tok::Int(_)
                    | Tok::Double(_)
                    | Tok::Char(_)
                    | Tok::Str(_)
                    | Tok::Sym(")" | "]")
            )
        )
    }

    fn operator(&mut self) -> Option<Tok> {
        let run: String = self.rest().chars().take_while(|c| is_op_char(*c)).collect();
        // Longest match: the longest prefix of the run that is a token.
        for len in (1..=run.len()).rev() {
            let s = &run[..len];
            if s == "_" {
                break;
            }
            if let Some(tok) = op_token(s) {
                (0..len).for_each(|_| {
                    self.bump();
                });
                return Some(tok);
            }
        }
        let start = self.pos;
        (0..run.len()).for_each(|_| {
            self.bump();
        });
        let msg = format!("`{run}` is not an operator");
        self.error(start, &msg, "unknown operator", false);
        None
    }

    fn number(&mut self, negative: bool) -> Option<Tok> {
        let start = self.pos - usize::from(negative);
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        let is_double = self.rest().starts_with('.')
            && self.rest()[1..].starts_with(|c: char| c.is_ascii_digit());
        if is_double {
            self.bump();
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.bump();
            }
            if self.peek() == Some('e') {
                let save = (self.pos, self.line, self.line_start);
                self.bump();
                if self.peek() == Some('-') {
                    self.bump();
                }
                if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.bump();
                    }
                } else {
                    (self.pos, self.line, self.line_start) = save;
                }
            }
        }
        let text = &self.text[start..self.pos];
        if is_double {
            return text.parse().ok().map(Tok::Double);
        }
        match text.parse() {
            Ok(n) => Some(Tok::Int(n)),
            Err(_) => {
                self.error(start, "integer literal is too large", "too large", false);
                Some(Tok::Int(0))
            }
        }
    }

    fn word(&mut self) -> Tok {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '\'')
        {
            self.bump();
        }
        let text = &self.text[start..self.pos];
        if text == "_" {
            return Tok::Sym("_");
        }
        if let Some(k) = KEYWORDS.iter().find(|k| **k == text) {
            return Tok::Kw(k);
        }
        if text.starts_with(|c: char| c.is_uppercase()) {
            Tok::Upper(text.to_string())
        } else {
            Tok::Lower(text.to_string())
        }
    }

    /// The character after a `\` in a string or character literal.
    fn escape(&mut self, start: usize) -> char {
        match self.bump() {
            Some('n') => '\n',
            Some('t') => '\t',
            Some('r') => '\r',
            Some('f') => '\x0c',
            Some(c @ ('\\' | '"' | '\'')) => c,
            other => {
                self.error(start, "unknown escape sequence", "unknown escape", false);
                other.unwrap_or('\\')
            }
        }
    }

    fn string(&mut self) -> Option<Tok> {
        let start = self.pos;
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('"') => return Some(Tok::Str(s)),
                Some('\\') => {
                    let c = self.escape(start);
                    s.push(c);
                }
                // A string may span lines, as in CaMPL.
                None => {
                    self.error(start, "unterminated string literal", "opened here", true);
                    return Some(Tok::Str(s));
                }
                Some(c) => s.push(c),
            }
        }
    }

    fn char_lit(&mut self) -> Option<Tok> {
        let start = self.pos;
        self.bump();
        let c = match self.bump() {
            Some('\\') => self.escape(start),
            Some(c) if c != '\'' && c != '\n' => c,
            _ => {
                self.error(start, "invalid character literal", "here", false);
                return None;
            }
        };
        if self.peek() == Some('\'') {
            self.bump();
            Some(Tok::Char(c))
        } else {
            self.error(start, "invalid character literal", "expected `'`", false);
            Some(Tok::Char(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        let (out, errors) = lex(FileId(0), text);
        assert!(errors.is_empty(), "{errors:?}");
        out.into_iter().map(|l| l.tok).collect()
    }

    #[test]
    fn operators_are_read_by_longest_match() {
        assert_eq!(
            toks("a |=| b ++ c (+) (*) x:xs"),
            vec![
                Tok::Lower("a".into()),
                Tok::Sym("|=|"),
                Tok::Lower("b".into()),
                Tok::Op("++".into(), 4),
                Tok::Lower("c".into()),
                Tok::Sym("(+)"),
                Tok::Sym("(*)"),
                Tok::Lower("x".into()),
                Tok::Sym(":"),
                Tok::Lower("xs".into()),
            ]
        );
    }

    #[test]
    fn user_operators_take_their_level_from_the_first_character() {
        assert_eq!(toks("^-^")[0], Tok::Op("^-^".into(), 7));
        assert_eq!(toks("|>")[0], Tok::Op("|>".into(), 1));
        assert_eq!(toks("<+>")[0], Tok::Op("<+>".into(), 3));
        assert_eq!(toks("|=>")[0], Tok::Sym("|"));
        assert_eq!(toks("|=>>")[0], Tok::Op("|=>>".into(), 1));
    }

    #[test]
    fn a_tab_moves_to_the_next_multiple_of_eight() {
        let (out, _) = lex(FileId(0), "\ta\n  \tb");
        let cols: Vec<_> = out.iter().map(|l| l.col).collect();
        assert_eq!(cols, vec![9, 9]);
    }

    #[test]
    fn dashes_start_a_comment_and_braces_nest() {
        assert_eq!(
            toks("a -- b\n{- c {- d -} -} e"),
            vec![Tok::Lower("a".into()), Tok::Lower("e".into())]
        );
    }

    #[test]
    fn a_minus_after_an_operand_subtracts() {
        assert_eq!(
            toks("n-1 f(-1)"),
            vec![
                Tok::Lower("n".into()),
                Tok::Op("-".into(), 5),
                Tok::Int(1),
                Tok::Lower("f".into()),
                Tok::Sym("("),
                Tok::Int(-1),
                Tok::Sym(")"),
            ]
        );
    }

    #[test]
    fn columns_count_characters_from_one() {
        let (out, _) = lex(FileId(0), "proc run =\n    | x");
        let cols: Vec<_> = out.iter().map(|l| (l.line, l.col)).collect();
        assert_eq!(cols, vec![(1, 1), (1, 6), (1, 10), (2, 5), (2, 7)]);
    }
}
