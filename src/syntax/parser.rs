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
use chumsky::input::{Input as _, MappedInput};
use chumsky::prelude::{
    Boxed, IterParser, Parser, Recursive, Rich, choice, empty, end, extra, just, nested_delimiters,
    none_of, one_of, recursive, select, via_parser,
};

use super::SyntaxError;
use super::ast::*;
use super::lexer::lex;
use super::token::Token;
use crate::source::{FileId, Span, Spanned};

type In<'a> = MappedInput<'a, Token, Span, &'a [(Token, Span)]>;
type Ex<Er> = extra::Err<Er>;
type Bx<'a, Er, O> = Boxed<'a, 'a, In<'a>, O, Ex<Er>>;
type Rec<'a, Er, O> = Recursive<chumsky::recursive::Indirect<'a, 'a, In<'a>, O, Ex<Er>>>;

/// The error type the grammar is built for: `Rich` for messages, or the
/// free `EmptyErr` for the fast first pass (a file without errors is
/// parsed once, cheaply; only a file with errors is parsed again with `Rich`).
trait PErr<'a>:
    chumsky::error::Error<'a, In<'a>> + chumsky::label::LabelError<'a, In<'a>, &'static str> + 'a
{
    fn custom(span: Span, msg: String) -> Self;
}

impl<'a> PErr<'a> for Rich<'a, Token, Span> {
    fn custom(span: Span, msg: String) -> Self {
        Rich::custom(span, msg)
    }
}

impl<'a> PErr<'a> for chumsky::error::EmptyErr {
    fn custom(_: Span, _: String) -> Self {
        chumsky::error::EmptyErr::default()
    }
}

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

    if let Some(err) = check_nesting(&tokens) {
        errors.push(err);
        finish_errors(&mut errors);
        return (None, errors);
    }

    let eoi = Span::new(file, text.len(), text.len());
    // Fast pass without error details; a second pass only when it failed.
    let (mut out, fast_errs) = top_parser::<chumsky::error::EmptyErr>()
        .parse(tokens.as_slice().split_token_span(eoi))
        .into_output_errors();
    if !fast_errs.is_empty() {
        let (slow_out, parse_errs) = top_parser::<Rich<'_, Token, Span>>()
            .parse(tokens.as_slice().split_token_span(eoi))
            .into_output_errors();
        out = slow_out;
        errors.extend(
            parse_errs
                .into_iter()
                .map(|e| convert_error(e, &tokens, eoi)),
        );
    }
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

// ---------------------------------------------------------------------------
// The grammar

fn spanned_list_fold_cons<'a, Er: PErr<'a>>(
    pats: Vec<Spanned<Pattern>>,
    emitter: &mut chumsky::input::Emitter<Er>,
) -> Spanned<Pattern> {
    let mut pats = pats;
    if pats.len() > MAX_CHAIN {
        let span = pats[MAX_CHAIN].span;
        emitter.emit(too_long(span));
        pats.truncate(MAX_CHAIN);
    }
    let mut iter = pats.into_iter().rev();
    let Some(mut acc) = iter.next() else {
        return Spanned::new(Pattern::Wild, Span::default());
    };
    for p in iter {
        let span = p.span.to(acc.span);
        acc = Spanned::new(Pattern::Cons(Box::new(p), Box::new(acc)), span);
    }
    acc
}

fn too_long<'a, Er: PErr<'a>>(span: Span) -> Er {
    Er::custom(
        span,
        format!(
            "nesting too deep{HELP_SEP}split the expression into smaller parts with `let` (at most {MAX_CHAIN} operators in a row)"
        ),
    )
}

fn show_pattern(p: &Pattern) -> String {
    match p {
        Pattern::Wild => "_".to_string(),
        Pattern::Var(s) => s.clone(),
        Pattern::Int(n) => n.to_string(),
        Pattern::Float(x) => format!("{x:?}"),
        Pattern::Char(c) => format!("{c:?}"),
        Pattern::Str(s) => format!("{s:?}"),
        Pattern::Bool(b) => b.to_string(),
        Pattern::Unit => "()".to_string(),
        Pattern::Ctor { name, args } if args.is_empty() => name.node.clone(),
        Pattern::Ctor { name, args } => format!(
            "{}({})",
            name.node,
            args.iter()
                .map(|a| show_pattern(&a.node))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Pattern::Tuple(ps) => format!(
            "({})",
            ps.iter()
                .map(|a| show_pattern(&a.node))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Pattern::List(ps) => format!(
            "[{}]",
            ps.iter()
                .map(|a| show_pattern(&a.node))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Pattern::Cons(a, b) => format!("{}:{}", show_pattern(&a.node), show_pattern(&b.node)),
    }
}

/// Skip a balanced `(...)`, `[...]` or `{...}` group (for recovery).
fn group<'a, Er: PErr<'a>>(open: Token, close: Token) -> Bx<'a, Er, ()> {
    let others: [(Token, Token); 2] = match open {
        Token::LParen => [
            (Token::LBracket, Token::RBracket),
            (Token::LBrace, Token::RBrace),
        ],
        Token::LBracket => [
            (Token::LParen, Token::RParen),
            (Token::LBrace, Token::RBrace),
        ],
        _ => [
            (Token::LParen, Token::RParen),
            (Token::LBracket, Token::RBracket),
        ],
    };
    nested_delimiters(open, close, others, |_| ()).boxed()
}

fn any_group<'a, Er: PErr<'a>>() -> Bx<'a, Er, ()> {
    choice((
        group(Token::LParen, Token::RParen),
        group(Token::LBracket, Token::RBracket),
        group(Token::LBrace, Token::RBrace),
    ))
    .boxed()
}

fn sp<'a, Er: PErr<'a>, O: 'a>(
    p: impl Parser<'a, In<'a>, O, Ex<Er>> + Clone + 'a,
) -> Bx<'a, Er, Spanned<O>> {
    p.map_with(|o, e| Spanned::new(o, e.span())).boxed()
}

#[derive(Clone)]
enum Br {
    Labelled(Spanned<Branch>),
    Plain(Spanned<Proto>),
}

#[derive(Clone)]
enum Post {
    Put(Spanned<Expr>),
    Get,
    Close,
    Dtor(Ident, Vec<Spanned<Expr>>),
    Index(Spanned<Expr>, Spanned<Expr>),
}

#[derive(Clone)]
enum AfterExpr {
    Forward(Spanned<Expr>),
    Semi,
    Tail,
}

fn left_assoc<'a, Er: PErr<'a>>(
    next: Bx<'a, Er, Spanned<Expr>>,
    op: Bx<'a, Er, Spanned<BinOp>>,
) -> Bx<'a, Er, Spanned<Expr>> {
    next.clone()
        .then(op.then(next).repeated().collect::<Vec<_>>())
        .validate(|(first, rest), _, emitter| {
            let rest = cap_chain(rest, emitter);
            let mut acc = first;
            for (op, rhs) in rest {
                let span = acc.span.to(rhs.span);
                acc = Spanned::new(
                    Expr::Binary {
                        op,
                        lhs: Box::new(acc),
                        rhs: Box::new(rhs),
                    },
                    span,
                );
            }
            acc
        })
        .boxed()
}

/// Keeps at most `MAX_CHAIN` operators of one chain, reporting the rest.
fn cap_chain<'a, Er: PErr<'a>>(
    mut rest: Vec<(Spanned<BinOp>, Spanned<Expr>)>,
    emitter: &mut chumsky::input::Emitter<Er>,
) -> Vec<(Spanned<BinOp>, Spanned<Expr>)> {
    if rest.len() > MAX_CHAIN {
        emitter.emit(too_long(rest[MAX_CHAIN].0.span));
        rest.truncate(MAX_CHAIN);
    }
    rest
}

fn right_assoc<'a, Er: PErr<'a>>(
    next: Bx<'a, Er, Spanned<Expr>>,
    op: Bx<'a, Er, Spanned<BinOp>>,
) -> Bx<'a, Er, Spanned<Expr>> {
    next.clone()
        .then(op.then(next).repeated().collect::<Vec<_>>())
        .validate(|(first, rest), _, emitter| {
            let rest = cap_chain(rest, emitter);
            // a op1 b op2 c  =>  a op1 (b op2 c)
            let mut operands = vec![first];
            let mut ops = Vec::with_capacity(rest.len());
            for (op, rhs) in rest {
                ops.push(op);
                operands.push(rhs);
            }
            let mut acc = operands
                .pop()
                .unwrap_or_else(|| Spanned::new(Expr::Unit, Span::default()));
            while let (Some(op), Some(lhs)) = (ops.pop(), operands.pop()) {
                let span = lhs.span.to(acc.span);
                acc = Spanned::new(
                    Expr::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(acc),
                    },
                    span,
                );
            }
            acc
        })
        .boxed()
}

fn non_assoc<'a, Er: PErr<'a>>(
    next: Bx<'a, Er, Spanned<Expr>>,
    op: Bx<'a, Er, Spanned<BinOp>>,
) -> Bx<'a, Er, Spanned<Expr>> {
    next.clone()
        .then(op.then(next).or_not())
        .map(|(lhs, rest)| match rest {
            None => lhs,
            Some((op, rhs)) => {
                let span = lhs.span.to(rhs.span);
                Spanned::new(
                    Expr::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                )
            }
        })
        .boxed()
}

fn op<'a, Er: PErr<'a>>(tok: Token, o: BinOp) -> Bx<'a, Er, Spanned<BinOp>> {
    just(tok)
        .map_with(move |_, e| Spanned::new(o, e.span()))
        .boxed()
}

/// The whole grammar: a list of top-level entries.
fn top_parser<'a, Er: PErr<'a>>() -> Bx<'a, Er, Vec<Top>> {
    use Token as T;

    // Declaration keywords double as ordinary names where a name is expected
    // (the report's programs call a parameter `channel` or `data`).
    let lower: Bx<'a, Er, Ident> = sp(select! {
        T::LowerIdent(s) => s,
        T::Channel => "channel".to_string(),
        T::Data => "data".to_string(),
        T::Codata => "codata".to_string(),
        T::Protocol => "protocol".to_string(),
        T::Process => "process".to_string(),
        T::Import => "import".to_string(),
        T::By => "by".to_string(),
        T::As => "as".to_string(),
    })
    .labelled("a name")
    .boxed();
    let upper: Bx<'a, Er, Ident> = sp(select! { T::UpperIdent(s) => s })
        .labelled("an upper-case name")
        .boxed();
    let semi = just(T::Semi).boxed();
    let colon_span = just(T::Colon).map_with(|_, e| e.span()).boxed();
    let gt_span: Bx<'a, Er, Span> = just(T::Gt).map_with(|_, e| e.span()).boxed();

    // ----- types and protocols ---------------------------------------------
    let mut ty: Rec<'a, Er, Spanned<Type>> = Recursive::declare();
    let mut targ: Rec<'a, Er, Spanned<Type>> = Recursive::declare();
    let mut step: Rec<'a, Er, Spanned<Step>> = Recursive::declare();
    let mut proto: Rec<'a, Er, Spanned<Proto>> = Recursive::declare();

    let proto_start = one_of([T::Put, T::Get, T::Loop, T::Close, T::Halt, T::Fork]).boxed();

    let targs: Bx<'a, Er, Vec<Spanned<Type>>> = targ
        .clone()
        .separated_by(just(T::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(T::Lt), just(T::Gt))
        .recover_with(via_parser(nested_delimiters(
            T::Lt,
            T::Gt,
            [(T::LParen, T::RParen), (T::LBracket, T::RBracket)],
            |_| Vec::new(),
        )))
        .boxed();

    let paren_types = ty
        .clone()
        .separated_by(just(T::Comma))
        .at_least(1)
        .collect::<Vec<_>>()
        .delimited_by(just(T::LParen), just(T::RParen))
        .map(|mut ts: Vec<Spanned<Type>>| {
            if ts.len() == 1 {
                ts.pop().map(|t| t.node).unwrap_or(Type::Void)
            } else {
                Type::Tuple(ts)
            }
        })
        .recover_with(via_parser(group(T::LParen, T::RParen).map(|_| Type::Void)))
        .boxed();

    let ty_atom = sp(choice((
        just(T::Void).to(Type::Void),
        upper
            .clone()
            .then(targs.clone().or_not())
            .map(|(name, args)| Type::Named {
                name,
                args: args.unwrap_or_default(),
            }),
        select! { T::LowerIdent(s) => Type::Var(s), T::HashIdent(s) => Type::ProtoVar(s) },
        just(T::Neg)
            .ignore_then(targ.clone().delimited_by(just(T::Lt), just(T::Gt)))
            .map(|t| Type::Neg(Box::new(t))),
        ty.clone()
            .delimited_by(just(T::LBracket), just(T::RBracket))
            .map(|t| Type::List(Box::new(t)))
            .recover_with(via_parser(
                group(T::LBracket, T::RBracket).map(|_| Type::Void),
            )),
        proto_start
            .clone()
            .rewind()
            .ignore_then(proto.clone())
            .delimited_by(just(T::LParen), just(T::RParen))
            .map(|p| Type::Proto(Box::new(p))),
        paren_types,
    )));

    let after_step = sp(
        choice((just(T::Put).to(Dir::Put), just(T::Get).to(Dir::Get)))
            .then(upper.clone().or_not())
            .map(|(dir, label)| AfterStep { dir, label }),
    );
    let after = just(T::Dot)
        .ignore_then(select! { T::LowerIdent(s) if s == "after" => () })
        .ignore_then(
            after_step
                .separated_by(just(T::Comma))
                .collect::<Vec<_>>()
                .delimited_by(just(T::Lt), just(T::Gt)),
        )
        .boxed();
    ty.define(
        ty_atom
            .foldl_with(after.repeated(), |base, steps, e| {
                Spanned::new(
                    Type::After {
                        base: Box::new(base),
                        steps,
                    },
                    e.span(),
                )
            })
            .labelled("type"),
    );

    targ.define(choice((
        proto_start
            .clone()
            .rewind()
            .ignore_then(step.clone())
            .map(|s| {
                let span = s.span;
                Spanned::new(
                    Type::Proto(Box::new(Spanned::new(Proto::Seq(vec![s]), span))),
                    span,
                )
            }),
        ty.clone(),
    )));

    let fork_side = step.clone().map(|s| match s.node {
        Step::Group(p) => *p,
        other => Spanned::new(Proto::Seq(vec![Spanned::new(other, s.span)]), s.span),
    });
    step.define(
        sp(choice((
            just(T::Put).ignore_then(ty.clone()).map(Step::Put),
            just(T::Get).ignore_then(ty.clone()).map(Step::Get),
            just(T::Loop).to(Step::Loop),
            just(T::Close).or(just(T::Halt)).to(Step::Close),
            upper
                .clone()
                .then(targs.clone().or_not())
                .map(|(name, args)| Step::Ref {
                    name,
                    args: args.unwrap_or_default(),
                }),
            select! { T::HashIdent(s) => Step::Var(s) },
            proto
                .clone()
                .delimited_by(just(T::LParen), just(T::RParen))
                .map(|p| Step::Group(Box::new(p)))
                .recover_with(via_parser(group(T::LParen, T::RParen).map(|_| Step::Close))),
            just(T::Neg)
                .ignore_then(proto.clone().delimited_by(just(T::Lt), just(T::Gt)))
                .map(|p| Step::Neg(Box::new(p))),
            just(T::Fork)
                .ignore_then(
                    fork_side
                        .clone()
                        .then_ignore(just(T::Comma))
                        .then(fork_side)
                        .delimited_by(just(T::LParen), just(T::RParen)),
                )
                .map(|(a, b)| Step::Fork(Box::new(a), Box::new(b))),
        )))
        .labelled("protocol step"),
    );

    let seq0 = sp(step
        .clone()
        .separated_by(just(T::Comma))
        .collect::<Vec<_>>()
        .map(Proto::Seq));
    let seq1 = sp(step
        .clone()
        .separated_by(just(T::Comma))
        .at_least(1)
        .collect::<Vec<_>>()
        .map(Proto::Seq));
    let labelled_branch = choice((just(T::Put).to(Dir::Put), just(T::Get).to(Dir::Get)))
        .then(upper.clone())
        .then_ignore(just(T::Colon))
        .then(seq0)
        .map_with(|((dir, label), body), e| {
            Br::Labelled(Spanned::new(Branch { dir, label, body }, e.span()))
        });
    let branch = labelled_branch.or(seq1.map(Br::Plain));
    proto.define(
        branch
            .separated_by(just(T::Pipe))
            .at_least(1)
            .collect::<Vec<_>>()
            .validate(|brs, _, emitter| {
                if brs.len() == 1
                    && let Some(Br::Plain(p)) = brs.first()
                {
                    return p.node.clone();
                }
                let mut branches = Vec::new();
                let mut reported = false;
                for br in brs {
                    match br {
                        Br::Labelled(b) => branches.push(b),
                        Br::Plain(p) => {
                            if !reported {
                                reported = true;
                                emitter.emit(Er::custom(
                                    p.span,
                                    format!("a branch of a choice needs a label{HELP_SEP}write `put Label: ...` or `get Label: ...` for every branch"),
                                ));
                            }
                        }
                    }
                }
                Proto::Choice(branches)
            })
            .map_with(|p, e| Spanned::new(p, e.span()))
            .labelled("protocol"),
    );

    // ----- patterns -----------------------------------------------------------
    let mut pattern: Rec<'a, Er, Spanned<Pattern>> = Recursive::declare();
    let pat_list = pattern
        .clone()
        .separated_by(just(T::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .boxed();
    let pat_atom: Bx<'a, Er, Spanned<Pattern>> = sp(choice((
        just(T::Underscore).to(Pattern::Wild),
        lower.clone().map(|n| Pattern::Var(n.node)),
        select! {
            T::Int(n) => Pattern::Int(n),
            T::Float(x) => Pattern::Float(x),
            T::Char(c) => Pattern::Char(c),
            T::Str(s) => Pattern::Str(s),
            T::True => Pattern::Bool(true),
            T::False => Pattern::Bool(false),
        },
        just(T::Minus).ignore_then(select! {
            T::Int(n) => Pattern::Int(-n),
            T::Float(x) => Pattern::Float(-x),
        }),
        just(T::LParen).then(just(T::RParen)).to(Pattern::Unit),
        upper
            .clone()
            .then(
                pat_list
                    .clone()
                    .delimited_by(just(T::LParen), just(T::RParen))
                    .recover_with(via_parser(group(T::LParen, T::RParen).map(|_| Vec::new())))
                    .or_not(),
            )
            .map(|(name, args)| Pattern::Ctor {
                name,
                args: args.unwrap_or_default(),
            }),
        pattern
            .clone()
            .separated_by(just(T::Comma))
            .at_least(1)
            .collect::<Vec<_>>()
            .delimited_by(just(T::LParen), just(T::RParen))
            .map(|mut ps: Vec<Spanned<Pattern>>| {
                if ps.len() == 1 {
                    ps.pop().map(|p| p.node).unwrap_or(Pattern::Wild)
                } else {
                    Pattern::Tuple(ps)
                }
            })
            .recover_with(via_parser(
                group(T::LParen, T::RParen).map(|_| Pattern::Wild),
            )),
        pat_list
            .clone()
            .delimited_by(just(T::LBracket), just(T::RBracket))
            .map(Pattern::List)
            .recover_with(via_parser(
                group(T::LBracket, T::RBracket).map(|_| Pattern::Wild),
            )),
    )))
    .labelled("pattern")
    .boxed();
    pattern.define(
        pat_atom
            .clone()
            .separated_by(just(T::Colon))
            .at_least(1)
            .collect::<Vec<_>>()
            .validate(|ps, _, emitter| spanned_list_fold_cons(ps, emitter))
            .labelled("pattern"),
    );

    // ----- parameters ---------------------------------------------------------
    let param = sp(choice((
        just(T::Fold)
            .ignore_then(just(T::By))
            .ignore_then(ty.clone())
            .then(lower.clone())
            .map(|(t, name)| Param {
                ty: Some(t),
                pattern: Spanned::new(Pattern::Var(name.node), name.span),
                fold_by: true,
            }),
        ty.clone().then(lower.clone()).map(|(t, name)| Param {
            ty: Some(t),
            pattern: Spanned::new(Pattern::Var(name.node), name.span),
            fold_by: false,
        }),
        pattern.clone().map(|p| Param {
            ty: None,
            pattern: p,
            fold_by: false,
        }),
    )))
    .labelled("parameter");
    let params: Bx<'a, Er, Vec<Spanned<Param>>> = param
        .separated_by(just(T::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(T::LParen), just(T::RParen))
        .boxed();

    // ----- expressions, statements, blocks -------------------------------------
    let mut expr: Rec<'a, Er, Spanned<Expr>> = Recursive::declare();
    let mut block: Rec<'a, Er, Spanned<Block>> = Recursive::declare();
    let mut block_like: Rec<'a, Er, Spanned<Expr>> = Recursive::declare();

    let end_of_body = choice((just(T::RBrace).ignored(), just(T::Case).ignored(), end()))
        .rewind()
        .boxed();

    let let_stmt = just(T::Let)
        .ignore_then(pattern.clone())
        .then_ignore(just(T::Eq))
        .then(expr.clone())
        .then_ignore(semi.clone())
        .map(|(pattern, value)| Stmt::Let {
            pattern,
            ty: None,
            value,
        });
    let chan_stmt = just(T::Channel)
        .ignore_then(lower.clone())
        .then_ignore(semi.clone())
        .map(|name| Stmt::Channel { ty: None, name });
    let halt_stmt = just(T::Halt).then(semi.clone()).to(Stmt::Halt);
    let arm = sp(lower
        .clone()
        .then(block.clone())
        .map(|(name, body)| ForkArm { name, body }));
    let fork_stmt = just(T::Fork)
        .ignore_then(expr.clone())
        .then_ignore(just(T::As))
        .then(
            arm.separated_by(just(T::Comma))
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .then_ignore(semi.clone())
        .map(|(channel, arms)| Stmt::Fork { channel, arms });
    let split_stmt = just(T::Split)
        .ignore_then(expr.clone())
        .then_ignore(just(T::As))
        .then(
            lower
                .clone()
                .separated_by(just(T::Comma))
                .at_least(1)
                .collect::<Vec<_>>()
                .delimited_by(just(T::LParen), just(T::RParen)),
        )
        .then_ignore(semi.clone())
        .map(|(channel, names)| Stmt::Split { channel, names });
    let typed_decl = ty
        .clone()
        .then(lower.clone())
        .then(just(T::Eq).ignore_then(expr.clone()).or_not())
        .then_ignore(semi.clone())
        .map(|((t, name), value)| match value {
            Some(value) => Stmt::Let {
                pattern: Spanned::new(Pattern::Var(name.node), name.span),
                ty: Some(t),
                value,
            },
            None => Stmt::Channel { ty: Some(t), name },
        });
    let simple_stmt = sp(choice((
        let_stmt, chan_stmt, halt_stmt, fork_stmt, split_stmt, typed_decl,
    )))
    .map(Entry::Stmt);

    let blocklike_entry = block_like
        .clone()
        .then(choice((
            just(T::Semi).to(0u8),
            end_of_body.clone().to(1u8),
            empty().to(0u8),
        )))
        .map_with(|(ex, kind), e| {
            if kind == 1 {
                Entry::Tail(ex)
            } else {
                Entry::Stmt(Spanned::new(Stmt::Expr(ex), e.span()))
            }
        });

    let expr_entry = expr
        .clone()
        .then(choice((
            just(T::ColonEq)
                .ignore_then(expr.clone())
                .then_ignore(semi.clone())
                .map(AfterExpr::Forward),
            semi.clone().to(AfterExpr::Semi),
            end_of_body.clone().to(AfterExpr::Tail),
        )))
        .map_with(|(lhs, after), e| match after {
            AfterExpr::Forward(rhs) => Entry::Stmt(Spanned::new(Stmt::Forward(lhs, rhs), e.span())),
            AfterExpr::Semi => Entry::Stmt(Spanned::new(Stmt::Expr(lhs), e.span())),
            AfterExpr::Tail => Entry::Tail(lhs),
        });

    let entry: Bx<'a, Er, Entry> = choice((blocklike_entry, simple_stmt, expr_entry))
        .labelled("statement")
        .boxed();

    let skip_in_body = choice((
        any_group(),
        none_of([T::Semi, T::RBrace, T::Case]).ignored(),
    ));
    let entry_recovery = choice((
        skip_in_body
            .repeated()
            .at_least(1)
            .then(just(T::Semi).or_not())
            .ignored(),
        just(T::Semi).ignored(),
    ))
    .to(Entry::Skipped);
    let entry_r = none_of([T::RBrace, T::Case])
        .rewind()
        .ignore_then(entry.clone().recover_with(via_parser(entry_recovery)))
        .boxed();

    let body: Bx<'a, Er, Block> = entry_r
        .repeated()
        .collect::<Vec<_>>()
        .map(|entries| {
            let mut stmts = Vec::new();
            let mut tail = None;
            let count = entries.len();
            for (i, entry) in entries.into_iter().enumerate() {
                match entry {
                    Entry::Stmt(s) => stmts.push(s),
                    Entry::Tail(e) if i + 1 == count => tail = Some(Box::new(e)),
                    Entry::Tail(e) => {
                        let span = e.span;
                        stmts.push(Spanned::new(Stmt::Expr(e), span));
                    }
                    Entry::Skipped => {}
                }
            }
            Block { stmts, tail }
        })
        .boxed();

    block.define(
        sp(body.clone().delimited_by(just(T::LBrace), just(T::RBrace)))
            .recover_with(via_parser(group(T::LBrace, T::RBrace).map_with(|_, e| {
                Spanned::new(
                    Block {
                        stmts: Vec::new(),
                        tail: None,
                    },
                    e.span(),
                )
            })))
            .labelled("block"),
    );

    // if / switch / { }
    let if_expr = recursive(|if_| {
        just(T::If)
            .ignore_then(expr.clone())
            .then(block.clone())
            .then(
                just(T::Else)
                    .ignore_then(
                        if_.or(block
                            .clone()
                            .map(|b: Spanned<Block>| Spanned::new(Expr::Block(b.node), b.span))),
                    )
                    .or_not(),
            )
            .map_with(|((cond, then), else_), e| {
                Spanned::new(
                    Expr::If {
                        cond: Box::new(cond),
                        then,
                        else_: else_.map(Box::new),
                    },
                    e.span(),
                )
            })
    })
    .boxed();

    let tail_name = lower
        .clone()
        .or(sp(just(T::Underscore).to("_".to_string())));
    let bad_case_head = pat_atom
        .clone()
        .then(colon_span.clone())
        .then(tail_name)
        .then(colon_span.clone())
        .try_map(|(((p, c1), n), c2), span| {
            if p.span.end == c1.start && c1.end == n.span.start && n.span.end == c2.start {
                Ok((p, n, c2))
            } else {
                Err(Er::custom(span, "expected a case body".to_string()))
            }
        })
        .validate(|(p, n, c2), _, emitter| {
            let shown = format!("{}:{}", show_pattern(&p.node), n.node);
            emitter.emit(Er::custom(
                p.span.to(c2),
                format!(
                    "a cons pattern in a `case` label needs parentheses{HELP_SEP}write `case ({shown}):`"
                ),
            ));
            let span = p.span.to(n.span);
            let tail = Spanned::new(
                if n.node == "_" {
                    Pattern::Wild
                } else {
                    Pattern::Var(n.node)
                },
                n.span,
            );
            (
                Spanned::new(Pattern::Cons(Box::new(p), Box::new(tail)), span),
                c2,
            )
        });
    let case_head = bad_case_head.or(pat_atom.clone().then(colon_span.clone()));
    let case = just(T::Case)
        .ignore_then(case_head)
        .then(body.clone().map_with(|b, e| (b, e.span())))
        .map_with(|((pattern, colon), (b, bspan)), e| {
            let bspan = if b.stmts.is_empty() && b.tail.is_none() {
                empty_block_span(colon)
            } else {
                bspan
            };
            Spanned::new(
                Case {
                    pattern,
                    body: Spanned::new(b, bspan),
                },
                e.span(),
            )
        })
        .labelled("`case`");
    let switch_expr = just(T::Switch)
        .ignore_then(expr.clone())
        .then(
            case.repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(T::LBrace), just(T::RBrace))
                .recover_with(via_parser(group(T::LBrace, T::RBrace).map(|_| Vec::new()))),
        )
        .map_with(|(scrutinee, cases), e| {
            Spanned::new(
                Expr::Switch {
                    scrutinee: Box::new(scrutinee),
                    cases,
                },
                e.span(),
            )
        });

    block_like.define(choice((
        if_expr,
        switch_expr.boxed(),
        block
            .clone()
            .map(|b| Spanned::new(Expr::Block(b.node), b.span))
            .boxed(),
    )));

    // record Type { methods }
    let method = sp(choice((
        ty.clone()
            .then(lower.clone())
            .then(params.clone())
            .map(|((t, name), ps)| (Some(t), name, ps)),
        lower
            .clone()
            .then(params.clone())
            .map(|(name, ps)| (None, name, ps)),
    ))
    .then(block.clone())
    .map(|((ret, name, params), body)| Method {
        ret,
        name,
        params,
        body,
    }));
    let record = just(T::Record)
        .ignore_then(ty.clone())
        .then(
            method
                .repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(T::LBrace), just(T::RBrace))
                .recover_with(via_parser(group(T::LBrace, T::RBrace).map(|_| Vec::new()))),
        )
        .map(|(codata, methods)| Expr::Record { codata, methods });

    let args: Bx<'a, Er, Vec<Spanned<Expr>>> = expr
        .clone()
        .separated_by(just(T::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(T::LParen), just(T::RParen))
        .recover_with(via_parser(group(T::LParen, T::RParen).map(|_| Vec::new())))
        .boxed();

    let atom: Bx<'a, Er, Spanned<Expr>> = choice((
        sp(choice((
            select! {
                T::Int(n) => Expr::Int(n),
                T::Float(x) => Expr::Float(x),
                T::Char(c) => Expr::Char(c),
                T::Str(s) => Expr::Str(s),
                T::True => Expr::Bool(true),
                T::False => Expr::Bool(false),
            },
            just(T::LParen).then(just(T::RParen)).to(Expr::Unit),
            expr.clone()
                .separated_by(just(T::Comma))
                .at_least(1)
                .collect::<Vec<_>>()
                .delimited_by(just(T::LParen), just(T::RParen))
                .map(|mut es: Vec<Spanned<Expr>>| {
                    if es.len() == 1 {
                        es.pop().map(|e| e.node).unwrap_or(Expr::Unit)
                    } else {
                        Expr::Tuple(es)
                    }
                })
                .recover_with(via_parser(group(T::LParen, T::RParen).map(|_| Expr::Unit))),
            expr.clone()
                .separated_by(just(T::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(T::LBracket), just(T::RBracket))
                .map(Expr::List)
                .recover_with(via_parser(
                    group(T::LBracket, T::RBracket).map(|_| Expr::List(Vec::new())),
                )),
            lower
                .clone()
                .then(args.clone().or_not())
                .map(|(callee, args)| match args {
                    Some(args) => Expr::Call { callee, args },
                    None => Expr::Var(callee.node),
                }),
            sp(just(T::Split).to("split".to_string()))
                .then(args.clone())
                .map(|(callee, args)| Expr::Call { callee, args }),
            upper
                .clone()
                .then(args.clone().or_not())
                .map(|(callee, args)| match args {
                    Some(args) => Expr::Call { callee, args },
                    None => Expr::Ctor(callee.node),
                }),
            just(T::Tilde).ignore_then(lower.clone()).map(Expr::Dual),
            record,
        ))),
        block_like.clone(),
    ))
    .labelled("expression")
    .boxed();

    let post = choice((
        just(T::Dot).ignore_then(choice((
            just(T::Put)
                .ignore_then(
                    expr.clone()
                        .delimited_by(just(T::LParen), just(T::RParen))
                        .recover_with(via_parser(
                            group(T::LParen, T::RParen)
                                .map_with(|_, e| Spanned::new(Expr::Unit, e.span())),
                        )),
                )
                .map(Post::Put),
            just(T::Get).to(Post::Get),
            just(T::Close)
                .then(just(T::LParen))
                .then(just(T::RParen))
                .to(Post::Close),
            lower
                .clone()
                .then(args.clone())
                .map(|(name, args)| Post::Dtor(name, args)),
        ))),
        expr.clone()
            .then_ignore(just(T::Comma))
            .then(expr.clone())
            .delimited_by(just(T::LBracket), just(T::RBracket))
            .map(|(i, d)| Post::Index(i, d)),
    ))
    .map_with(|p, e| (p, e.span()))
    .boxed();

    let postfix: Bx<'a, Er, Spanned<Expr>> = atom
        .then(post.repeated().collect::<Vec<_>>())
        .validate(|(first, posts), _, emitter| {
            let mut posts = posts;
            if posts.len() > MAX_CHAIN {
                emitter.emit(too_long(posts[MAX_CHAIN].1));
                posts.truncate(MAX_CHAIN);
            }
            let mut acc = first;
            for (p, pspan) in posts {
                let span = acc.span.to(pspan);
                let recv = Box::new(acc);
                let node = match p {
                    Post::Put(value) => Expr::Put {
                        channel: recv,
                        value: Box::new(value),
                    },
                    Post::Get => Expr::Get(recv),
                    Post::Close => Expr::Close(recv),
                    Post::Dtor(name, args) => Expr::Dtor {
                        receiver: recv,
                        name,
                        args,
                    },
                    Post::Index(i, d) => Expr::Index {
                        list: recv,
                        index: Box::new(i),
                        default: Box::new(d),
                    },
                };
                acc = Spanned::new(node, span);
            }
            acc
        })
        .boxed();

    let unop = sp(select! { T::Minus => UnOp::Neg, T::Bang => UnOp::Not });
    let unary: Bx<'a, Er, Spanned<Expr>> = unop
        .repeated()
        .collect::<Vec<_>>()
        .then(postfix)
        .validate(|(ops, operand), _, emitter| {
            let mut ops = ops;
            if ops.len() > MAX_CHAIN {
                emitter.emit(too_long(ops[MAX_CHAIN].span));
                ops.truncate(MAX_CHAIN);
            }
            let mut acc = operand;
            while let Some(op) = ops.pop() {
                let span = op.span.to(acc.span);
                acc = match (op.node, acc.node) {
                    (UnOp::Neg, Expr::Int(n)) if n.checked_neg().is_some() => {
                        Spanned::new(Expr::Int(-n), span)
                    }
                    (UnOp::Neg, Expr::Float(x)) => Spanned::new(Expr::Float(-x), span),
                    (_, node) => Spanned::new(
                        Expr::Unary {
                            op,
                            operand: Box::new(Spanned::new(node, acc.span)),
                        },
                        span,
                    ),
                };
            }
            acc
        })
        .boxed();

    let shr = gt_span
        .clone()
        .then(gt_span.clone())
        .try_map(|(a, b), span| {
            if a.end == b.start {
                Ok(Spanned::new(BinOp::Shr, a.to(b)))
            } else {
                Err(Er::custom(span, "expected `>>`".to_string()))
            }
        })
        .boxed();
    let ge = gt_span
        .clone()
        .then(just(T::Eq).map_with(|_, e| e.span()))
        .try_map(|(a, b), span| {
            if a.end == b.start {
                Ok(Spanned::new(BinOp::Ge, a.to(b)))
            } else {
                Err(Er::custom(span, "expected `>=`".to_string()))
            }
        })
        .boxed();

    let mul = left_assoc(
        unary,
        choice((
            op(T::Star, BinOp::Mul),
            op(T::Slash, BinOp::Div),
            op(T::Percent, BinOp::Rem),
        ))
        .boxed(),
    );
    let add = left_assoc(
        mul,
        choice((op(T::Plus, BinOp::Add), op(T::Minus, BinOp::Sub))).boxed(),
    );
    let shift = left_assoc(add, choice((op(T::Shl, BinOp::Shl), shr)).boxed());
    let bits = left_assoc(
        shift,
        choice((
            op(T::Pipe, BinOp::BitOr),
            op(T::Caret, BinOp::BitXor),
            op(T::Amp, BinOp::BitAnd),
        ))
        .boxed(),
    );
    let cons = right_assoc(
        bits,
        choice((op(T::Colon, BinOp::Cons), op(T::PlusPlus, BinOp::Append))).boxed(),
    );
    let cmp = non_assoc(
        cons,
        choice((
            op(T::EqEq, BinOp::Eq),
            op(T::NotEq, BinOp::Ne),
            op(T::LtEq, BinOp::Le),
            op(T::Lt, BinOp::Lt),
            ge,
            op(T::Gt, BinOp::Gt),
        ))
        .boxed(),
    );
    let and = left_assoc(cmp, op(T::AmpAmp, BinOp::And));
    let or = left_assoc(and, op(T::PipePipe, BinOp::Or));
    expr.define(or.labelled("expression"));

    // ----- items ----------------------------------------------------------------
    let tparam = select! {
        T::LowerIdent(s) => (s, false),
        T::HashIdent(s) => (s, true),
    }
    .map_with(|(s, is_proto), e| TypeParam {
        name: Spanned::new(s, e.span()),
        is_proto,
    })
    .labelled("type parameter");
    let tparams = tparam
        .separated_by(just(T::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(T::Lt), just(T::Gt))
        .recover_with(via_parser(nested_delimiters(
            T::Lt,
            T::Gt,
            [(T::LParen, T::RParen)],
            |_| Vec::new(),
        )))
        .or_not()
        .map(Option::unwrap_or_default)
        .boxed();

    let import = just(T::Import)
        .ignore_then(sp(select! { T::Str(s) => s }).labelled("a file name in quotes"))
        .then_ignore(semi.clone())
        .map(Item::Import);

    let ctor = sp(upper
        .clone()
        .then(
            ty.clone()
                .separated_by(just(T::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(T::LParen), just(T::RParen))
                .recover_with(via_parser(group(T::LParen, T::RParen).map(|_| Vec::new())))
                .or_not(),
        )
        .map(|(name, fields)| CtorDecl {
            name,
            fields: fields.unwrap_or_default(),
        }));
    let data = just(T::Data)
        .ignore_then(upper.clone())
        .then(tparams.clone())
        .then_ignore(just(T::Eq))
        .then(
            ctor.separated_by(just(T::Pipe))
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .then_ignore(semi.clone())
        .map(|((name, params), ctors)| {
            Item::Data(DataDecl {
                doc: None,
                name,
                params,
                ctors,
            })
        });

    let dtor = sp(ty
        .clone()
        .then(lower.clone())
        .then(params.clone())
        .then_ignore(semi.clone())
        .map(|((ret, name), params)| DtorDecl { ret, name, params }));
    let codata = just(T::Codata)
        .ignore_then(upper.clone())
        .then(tparams.clone())
        .then(
            dtor.repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(T::LBrace), just(T::RBrace))
                .recover_with(via_parser(group(T::LBrace, T::RBrace).map(|_| Vec::new()))),
        )
        .map(|((name, params), dtors)| {
            Item::Codata(CodataDecl {
                doc: None,
                name,
                params,
                dtors,
            })
        });

    let protocol = just(T::Protocol)
        .ignore_then(upper.clone())
        .then(tparams.clone())
        .then_ignore(just(T::Eq))
        .then(proto.clone())
        .then_ignore(semi.clone())
        .map(|((name, params), body)| {
            Item::Protocol(ProtocolDecl {
                doc: None,
                name,
                params,
                body,
            })
        });

    // `split` is a statement keyword, and also the prelude's string
    // function: a function may be declared with that name.
    let fn_name: Bx<'a, Er, Ident> =
        choice((lower.clone(), sp(just(T::Split).to("split".to_string()))))
            .labelled("a function name")
            .boxed();
    let function: Bx<'a, Er, Spanned<FunctionDecl>> = choice((
        ty.clone()
            .then(fn_name.clone())
            .then(params.clone())
            .map(|((t, name), ps)| (Some(t), name, ps)),
        fn_name
            .clone()
            .then(params.clone())
            .map(|(name, ps)| (None, name, ps)),
    ))
    .then(block.clone())
    .map_with(|((ret, name, params), body), e| {
        let span = e.span();
        Spanned::new(
            FunctionDecl {
                doc: None,
                name,
                ret,
                clauses: vec![Spanned::new(Clause { params, body }, span)],
            },
            span,
        )
    })
    .boxed();

    let fold = just(T::Fold)
        .ignore_then(
            function
                .clone()
                .repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(T::LBrace), just(T::RBrace)),
        )
        .map(|fs| Item::Fold(merge_functions(fs)));

    let process = just(T::Process)
        .ignore_then(choice((upper.clone(), lower.clone())))
        .then(params.clone())
        .then(block.clone())
        .map(|((name, params), body)| {
            Item::Process(ProcessDecl {
                doc: None,
                name,
                params,
                body,
            })
        });

    let item = sp(choice((
        import.boxed(),
        data.boxed(),
        codata.boxed(),
        protocol.boxed(),
        fold.boxed(),
        process.boxed(),
        function.map(|f| f.node).map(Item::Function).boxed(),
    )))
    .map(Top::Item)
    .labelled("declaration");

    let top_entry = entry.map(|e| match e {
        Entry::Stmt(s) => {
            let span = s.span;
            Top::Item(Spanned::new(Item::Stmt(s.node), span))
        }
        Entry::Tail(e) => Top::Tail(e),
        Entry::Skipped => Top::Skipped,
    });

    let item_stops = [
        T::Semi,
        T::LBrace,
        T::RBrace,
        T::Data,
        T::Codata,
        T::Protocol,
        T::Process,
        T::Fold,
        T::Import,
    ];
    let item_filler = choice((
        group(T::LParen, T::RParen),
        group(T::LBracket, T::RBracket),
        none_of(item_stops).ignored(),
    ));
    let item_end = choice((
        group(T::LBrace, T::RBrace),
        just(T::Semi).ignored(),
        just(T::RBrace).ignored(),
    ));
    let item_skip = choice((
        item_end.clone(),
        choice((
            group(T::LParen, T::RParen),
            group(T::LBracket, T::RBracket),
            chumsky::prelude::any().ignored(),
        ))
        .then(item_filler.repeated())
        .then(item_end.or_not())
        .ignored(),
    ))
    .to(Top::Skipped);

    choice((item, top_entry))
        .recover_with(via_parser(item_skip))
        .repeated()
        .collect::<Vec<_>>()
        .then_ignore(end())
        .boxed()
}

#[cfg(test)]
mod tests;
