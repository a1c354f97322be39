//! The tokens of MPL, as produced by `lexer` and consumed by `parser`.
//!
//! This file holds the `Token` enum, its display form (used in "found `}`"
//! messages) and the glue that lets chumsky use `crate::source::Span` as the
//! span type of a token stream. It does no lexing and no parsing.
//!
//! `>` is always a single token: the expression parser joins two adjacent
//! `>` into `>>` and `>` followed by `=` into `>=`, so that
//! `Maybe<Maybe<Int>>` closes two generic lists.

use std::fmt;

use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    // Keywords.
    Data,
    Codata,
    Record,
    Protocol,
    Process,
    Fold,
    By,
    Switch,
    Case,
    If,
    Else,
    Let,
    Channel,
    Put,
    Get,
    Loop,
    Close,
    Halt,
    Neg,
    Fork,
    Split,
    Race,
    As,
    Import,
    True,
    False,
    Void,

    // Literals.
    Int(i64),
    Float(f64),
    Char(char),
    Str(String),

    // Names. `HashIdent` holds the name without its `#`.
    LowerIdent(String),
    UpperIdent(String),
    HashIdent(String),
    /// `_`
    Underscore,

    // Punctuation and operators.
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    /// `<`
    Lt,
    /// `>` (never `>>` or `>=`: see the module comment)
    Gt,
    /// `<=`
    LtEq,
    /// `<<`
    Shl,
    Comma,
    Semi,
    Colon,
    /// `:=`
    ColonEq,
    Dot,
    /// `=`
    Eq,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    Bang,
    Tilde,
    Plus,
    /// `++`
    PlusPlus,
    Minus,
    Star,
    Slash,
    Percent,
    Pipe,
    /// `||`
    PipePipe,
    Amp,
    /// `&&`
    AmpAmp,
    Caret,

    /// One `///` line, without the slashes (and one leading space).
    DocComment(String),
}

impl Token {
    /// The keyword token for a word, if it is one.
    pub fn keyword(word: &str) -> Option<Token> {
        Some(match word {
            "data" => Token::Data,
            "codata" => Token::Codata,
            "record" => Token::Record,
            "protocol" => Token::Protocol,
            "process" => Token::Process,
            "fold" => Token::Fold,
            "by" => Token::By,
            "switch" => Token::Switch,
            "case" => Token::Case,
            "if" => Token::If,
            "else" => Token::Else,
            "let" => Token::Let,
            "channel" => Token::Channel,
            "put" => Token::Put,
            "get" => Token::Get,
            "loop" => Token::Loop,
            "close" => Token::Close,
            "halt" => Token::Halt,
            "neg" => Token::Neg,
            "fork" => Token::Fork,
            "split" => Token::Split,
            "race" => Token::Race,
            "as" => Token::As,
            "import" => Token::Import,
            "true" => Token::True,
            "false" => Token::False,
            "void" => Token::Void,
            _ => return None,
        })
    }

    /// The fixed text of a keyword or punctuation token.
    pub fn text(&self) -> Option<&'static str> {
        use Token::*;
        Some(match self {
            Data => "data",
            Codata => "codata",
            Record => "record",
            Protocol => "protocol",
            Process => "process",
            Fold => "fold",
            By => "by",
            Switch => "switch",
            Case => "case",
            If => "if",
            Else => "else",
            Let => "let",
            Channel => "channel",
            Put => "put",
            Get => "get",
            Loop => "loop",
            Close => "close",
            Halt => "halt",
            Neg => "neg",
            Fork => "fork",
            Split => "split",
            Race => "race",
            As => "as",
            Import => "import",
            True => "true",
            False => "false",
            Void => "void",
            Underscore => "_",
            LParen => "(",
            RParen => ")",
            LBracket => "[",
            RBracket => "]",
            LBrace => "{",
            RBrace => "}",
            Lt => "<",
            Gt => ">",
            LtEq => "<=",
            Shl => "<<",
            Comma => ",",
            Semi => ";",
            Colon => ":",
            ColonEq => ":=",
            Dot => ".",
            Eq => "=",
            EqEq => "==",
            NotEq => "!=",
            Bang => "!",
            Tilde => "~",
            Plus => "+",
            PlusPlus => "++",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            Pipe => "|",
            PipePipe => "||",
            Amp => "&",
            AmpAmp => "&&",
            Caret => "^",
            Int(_) | Float(_) | Char(_) | Str(_) | LowerIdent(_) | UpperIdent(_) | HashIdent(_)
            | DocComment(_) => return None,
        })
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.text() {
            return f.write_str(text);
        }
        match self {
            Token::Int(n) => write!(f, "{n}"),
            Token::Float(x) => write!(f, "{x:?}"),
            Token::Char(c) => write!(f, "{c:?}"),
            Token::Str(s) => write!(f, "{s:?}"),
            Token::LowerIdent(s) | Token::UpperIdent(s) => f.write_str(s),
            Token::HashIdent(s) => write!(f, "#{s}"),
            Token::DocComment(_) => f.write_str("///"),
            _ => Ok(()),
        }
    }
}

/// Lets chumsky carry our own `Span` (with its file) through a token stream.
impl chumsky::span::Span for Span {
    type Context = FileId;
    type Offset = usize;

    fn new(context: FileId, range: std::ops::Range<usize>) -> Span {
        Span::new(context, range.start, range.end)
    }

    fn context(&self) -> FileId {
        self.file
    }

    fn start(&self) -> usize {
        self.start as usize
    }

    fn end(&self) -> usize {
        self.end as usize
    }
}
