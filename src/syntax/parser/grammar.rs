//! The grammar of MPL's surface syntax, as chumsky parsers over the token
//! stream: one function per part of the language (names, types, protocols,
//! patterns, parameters, statements and blocks, `if`/`switch`, atoms,
//! postfix operations, operators, items), joined by [`top_parser`].
//!
//! The grammar is mutually recursive (a block holds expressions, an
//! expression holds blocks), so the recursive rules are declared first and
//! defined by the functions that build them; [`Rules`] carries the rules
//! every part reads. Rules refer to recursive rules only through weak
//! handles ([`late`]); the [`Grammar`] owns them, so dropping it frees the
//! whole grammar (chumsky's `Recursive::declare` alone makes cycles of
//! strong references, which leaked about 25 KB per parse). Recovery is per bracket pair, per statement and per
//! item. Entry points, token guards and the conversion of chumsky's errors
//! into `SyntaxError` live in `parser.rs`; nothing here resolves names.

use chumsky::input::MappedInput;
use chumsky::prelude::{
    Boxed, IterParser, Parser, Recursive, Rich, choice, empty, end, extra, just, nested_delimiters,
    none_of, one_of, recursive, select, via_parser,
};

use super::{Entry, HELP_SEP, MAX_CHAIN, Top, merge_functions};
use crate::source::{Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::token::Token;

/// The parser's input: tokens with their spans.
pub(super) type Tokens<'a> = MappedInput<'a, Token, Span, &'a [(Token, Span)]>;
/// The parser's state: only its error type.
type Extra<Error> = extra::Err<Error>;
/// A boxed grammar rule producing `O`.
type Rule<'a, Error, O> = Boxed<'a, 'a, Tokens<'a>, O, Extra<Error>>;
/// The definition of a recursive rule, filled in after its handle is used.
type Slot<'a, Error, O> =
    Recursive<chumsky::recursive::Indirect<'a, 'a, Tokens<'a>, O, Extra<Error>>>;
/// A recursive rule as other rules (and its own definition) use it: a weak
/// reference, so rules that refer to each other do not keep each other
/// alive.
type RecRule<'a, Error, O> =
    Recursive<chumsky::recursive::Direct<'a, 'a, Tokens<'a>, O, Extra<Error>>>;

/// Anything a grammar keeps alive for as long as it is used.
trait Kept {}
impl<T> Kept for T {}

/// The strong references to a grammar's recursive rules.
type Owners<'a> = Vec<Box<dyn Kept + 'a>>;

/// A recursive rule declared before it is defined: its handle, for use in
/// any definition, and the slot its definition goes into. `owners` keeps
/// it alive.
fn late<'a, Error: GrammarError<'a>, O: 'a>(
    owners: &mut Owners<'a>,
) -> (RecRule<'a, Error, O>, Slot<'a, Error, O>) {
    let slot: Slot<'a, Error, O> = Recursive::declare();
    let mut handle = None;
    let owner = recursive(|weak: RecRule<'a, Error, O>| {
        handle = Some(weak);
        slot.clone()
    });
    owners.push(Box::new(owner));
    let handle = handle.expect("`recursive` calls its closure before returning");
    (handle, slot)
}

/// The whole grammar, ready to parse a file: its top rule and what keeps
/// the recursive rules it uses alive.
pub(super) struct Grammar<'a, Error: GrammarError<'a>> {
    pub(super) top: Rule<'a, Error, Vec<Top>>,
    _owners: Owners<'a>,
}

/// The error type the grammar is built for: `Rich` for messages, or the
/// free `EmptyErr` for the fast first pass (a file without errors is
/// parsed once, cheaply; only a file with errors is parsed again with `Rich`).
pub(super) trait GrammarError<'a>:
    chumsky::error::Error<'a, Tokens<'a>>
    + chumsky::label::LabelError<'a, Tokens<'a>, &'static str>
    + Clone
    + 'a
{
    fn custom(span: Span, msg: String) -> Self;
}

impl<'a> GrammarError<'a> for Rich<'a, Token, Span> {
    fn custom(span: Span, msg: String) -> Self {
        Rich::custom(span, msg)
    }
}

impl<'a> GrammarError<'a> for chumsky::error::EmptyErr {
    fn custom(_: Span, _: String) -> Self {
        chumsky::error::EmptyErr::default()
    }
}

/// The rules every part of the grammar reads. The recursive ones are
/// declared in [`top_parser`] and defined by the part that owns them.
struct Rules<'a, Error: GrammarError<'a>> {
    /// A lower-case name (declaration keywords double as names).
    lower: Rule<'a, Error, Ident>,
    upper: Rule<'a, Error, Ident>,
    semi: Rule<'a, Error, Token>,
    colon_span: Rule<'a, Error, Span>,
    gt_span: Rule<'a, Error, Span>,
    ty: Rule<'a, Error, Spanned<Type>>,
    proto: Rule<'a, Error, Spanned<Proto>>,
    pattern: Rule<'a, Error, Spanned<Pattern>>,
    /// A pattern without a top-level `:` (a `case` label's).
    pat_atom: Rule<'a, Error, Spanned<Pattern>>,
    params: Rule<'a, Error, Vec<Spanned<Param>>>,
    expr: RecRule<'a, Error, Spanned<Expr>>,
    block: RecRule<'a, Error, Spanned<Block>>,
    /// `if`, `switch` and `{ }`: expressions that may end a statement
    /// without `;`.
    block_like: RecRule<'a, Error, Spanned<Expr>>,
}

/// The whole grammar: a list of top-level entries.
pub(super) fn top_parser<'a, Error: GrammarError<'a>>() -> Grammar<'a, Error> {
    let mut owners = Owners::new();
    let names = name_parsers::<Error>();
    let (ty, proto) = type_parsers(&names.upper, &mut owners);
    let (pattern, pat_atom) = pattern_parsers(&names.lower, &names.upper, &mut owners);
    let params = param_parsers(&ty, &pattern, &names.lower);
    let (expr, expr_slot) = late(&mut owners);
    let (block, block_slot) = late(&mut owners);
    let (block_like, block_like_slot) = late(&mut owners);
    let g = Rules {
        lower: names.lower,
        upper: names.upper,
        semi: just(Token::Semi).boxed(),
        colon_span: just(Token::Colon).map_with(|_, e| e.span()).boxed(),
        gt_span: just(Token::Gt).map_with(|_, e| e.span()).boxed(),
        ty,
        proto,
        pattern,
        pat_atom,
        params,
        expr,
        block,
        block_like,
    };
    let (entry, body) = statement_parsers(&g);
    define_block(block_slot, body.clone());
    define_block_like(&g, block_like_slot, body);
    define_expr(&g, expr_slot);
    let item = item_parser(&g);
    Grammar {
        top: entries_parser(entry, item),
        _owners: owners,
    }
}

/// Names: lower-case (with keywords usable as names) and upper-case.
struct Names<'a, Error: GrammarError<'a>> {
    lower: Rule<'a, Error, Ident>,
    upper: Rule<'a, Error, Ident>,
}

fn name_parsers<'a, Error: GrammarError<'a>>() -> Names<'a, Error> {
    // Declaration keywords double as ordinary names where a name is expected
    // (the report's programs call a parameter `channel` or `data`).
    let lower: Rule<'a, Error, Ident> = sp(select! {
        Token::LowerIdent(s) => s,
        Token::Channel => "channel".to_string(),
        Token::Data => "data".to_string(),
        Token::Codata => "codata".to_string(),
        Token::Protocol => "protocol".to_string(),
        Token::Process => "process".to_string(),
        Token::Import => "import".to_string(),
        Token::By => "by".to_string(),
        Token::As => "as".to_string(),
    })
    .labelled("a name")
    .boxed();
    let upper: Rule<'a, Error, Ident> = sp(select! { Token::UpperIdent(s) => s })
        .labelled("an upper-case name")
        .boxed();
    Names { lower, upper }
}

/// Types (with `.after<...>`) and protocols: returns the type and the
/// protocol rules.
#[allow(clippy::type_complexity)]
fn type_parsers<'a, Error: GrammarError<'a>>(
    upper: &Rule<'a, Error, Ident>,
    owners: &mut Owners<'a>,
) -> (
    Rule<'a, Error, Spanned<Type>>,
    Rule<'a, Error, Spanned<Proto>>,
) {
    let (ty, mut ty_slot) = late::<Error, Spanned<Type>>(owners);
    let (targ, mut targ_slot) = late::<Error, Spanned<Type>>(owners);
    let (step, step_slot) = late::<Error, Spanned<Step>>(owners);
    let (proto, proto_slot) = late::<Error, Spanned<Proto>>(owners);

    let proto_start = one_of([
        Token::Put,
        Token::Get,
        Token::Loop,
        Token::Close,
        Token::Halt,
        Token::Fork,
    ])
    .boxed();

    let targs: Rule<'a, Error, Vec<Spanned<Type>>> = targ
        .clone()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::Lt), just(Token::Gt))
        .recover_with(via_parser(nested_delimiters(
            Token::Lt,
            Token::Gt,
            [
                (Token::LParen, Token::RParen),
                (Token::LBracket, Token::RBracket),
            ],
            |_| Vec::new(),
        )))
        .boxed();

    let paren_types = parenthesised(ty.clone(), Type::Tuple, || Type::Void);

    let ty_atom = sp(choice((
        just(Token::Void).to(Type::Void),
        upper
            .clone()
            .then(targs.clone().or_not())
            .map(|(name, args)| Type::Named {
                name,
                args: args.unwrap_or_default(),
            }),
        select! { Token::LowerIdent(s) => Type::Var(s), Token::HashIdent(s) => Type::ProtoVar(s) },
        just(Token::Neg)
            .ignore_then(targ.clone().delimited_by(just(Token::Lt), just(Token::Gt)))
            .map(|t| Type::Neg(Box::new(t))),
        ty.clone()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map(|t| Type::List(Box::new(t)))
            .recover_with(via_parser(
                group(Token::LBracket, Token::RBracket).map(|_| Type::Void),
            )),
        proto_start
            .clone()
            .rewind()
            .ignore_then(proto.clone())
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map(|p| Type::Proto(Box::new(p))),
        paren_types,
    )));

    let after_step = sp(
        choice((just(Token::Put).to(Dir::Put), just(Token::Get).to(Dir::Get)))
            .then(upper.clone().or_not())
            .map(|(dir, label)| AfterStep { dir, label }),
    );
    let after = just(Token::Dot)
        .ignore_then(select! { Token::LowerIdent(s) if s == "after" => () })
        .ignore_then(
            after_step
                .separated_by(just(Token::Comma))
                .collect::<Vec<_>>()
                .delimited_by(just(Token::Lt), just(Token::Gt)),
        )
        .boxed();
    ty_slot.define(
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

    targ_slot.define(choice((
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
    define_protocol(upper, &ty, &targs, &step, step_slot, &proto, proto_slot);
    (ty.boxed(), proto.boxed())
}

/// Protocol steps, sequences and choices (`put Label: ... | get ...`).
fn define_protocol<'a, Error: GrammarError<'a>>(
    upper: &Rule<'a, Error, Ident>,
    ty: &RecRule<'a, Error, Spanned<Type>>,
    targs: &Rule<'a, Error, Vec<Spanned<Type>>>,
    step: &RecRule<'a, Error, Spanned<Step>>,
    mut step_slot: Slot<'a, Error, Spanned<Step>>,
    proto: &RecRule<'a, Error, Spanned<Proto>>,
    mut proto_slot: Slot<'a, Error, Spanned<Proto>>,
) {
    let fork_side = step.clone().map(|s| match s.node {
        Step::Group(p) => *p,
        other => Spanned::new(Proto::Seq(vec![Spanned::new(other, s.span)]), s.span),
    });
    step_slot.define(
        sp(choice((
            just(Token::Put).ignore_then(ty.clone()).map(Step::Put),
            just(Token::Get).ignore_then(ty.clone()).map(Step::Get),
            just(Token::Loop).to(Step::Loop),
            just(Token::Close).or(just(Token::Halt)).to(Step::Close),
            upper
                .clone()
                .then(targs.clone().or_not())
                .map(|(name, args)| Step::Ref {
                    name,
                    args: args.unwrap_or_default(),
                }),
            select! { Token::HashIdent(s) => Step::Var(s) },
            proto
                .clone()
                .delimited_by(just(Token::LParen), just(Token::RParen))
                .map(|p| Step::Group(Box::new(p)))
                .recover_with(via_parser(
                    group(Token::LParen, Token::RParen).map(|_| Step::Close),
                )),
            just(Token::Neg)
                .ignore_then(proto.clone().delimited_by(just(Token::Lt), just(Token::Gt)))
                .map(|p| Step::Neg(Box::new(p))),
            just(Token::Fork)
                .ignore_then(
                    fork_side
                        .clone()
                        .then_ignore(just(Token::Comma))
                        .then(fork_side)
                        .delimited_by(just(Token::LParen), just(Token::RParen)),
                )
                .map(|(a, b)| Step::Fork(Box::new(a), Box::new(b))),
        )))
        .labelled("protocol step"),
    );

    let seq0 = sp(step
        .clone()
        .separated_by(just(Token::Comma))
        .collect::<Vec<_>>()
        .map(Proto::Seq));
    let seq1 = sp(step
        .clone()
        .separated_by(just(Token::Comma))
        .at_least(1)
        .collect::<Vec<_>>()
        .map(Proto::Seq));
    let labelled_branch = choice((just(Token::Put).to(Dir::Put), just(Token::Get).to(Dir::Get)))
        .then(upper.clone())
        .then_ignore(just(Token::Colon))
        .then(seq0)
        .map_with(|((dir, label), body), e| {
            ProtoBranch::Labelled(Spanned::new(Branch { dir, label, body }, e.span()))
        });
    let branch = labelled_branch.or(seq1.map(ProtoBranch::Plain));
    proto_slot.define(
        branch
            .separated_by(just(Token::Pipe))
            .at_least(1)
            .collect::<Vec<_>>()
            .validate(|brs, _, emitter| {
                if brs.len() == 1
                    && let Some(ProtoBranch::Plain(p)) = brs.first()
                {
                    return p.node.clone();
                }
                let mut branches = Vec::new();
                let mut reported = false;
                for br in brs {
                    match br {
                        ProtoBranch::Labelled(b) => branches.push(b),
                        ProtoBranch::Plain(p) => {
                            if !reported {
                                reported = true;
                                emitter.emit(Error::custom(
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
}

/// Patterns: returns the full pattern (with `:` cons chains) and a pattern
/// atom (what a `case` label takes).
#[allow(clippy::type_complexity)]
fn pattern_parsers<'a, Error: GrammarError<'a>>(
    lower: &Rule<'a, Error, Ident>,
    upper: &Rule<'a, Error, Ident>,
    owners: &mut Owners<'a>,
) -> (
    Rule<'a, Error, Spanned<Pattern>>,
    Rule<'a, Error, Spanned<Pattern>>,
) {
    let (pattern, mut pattern_slot) = late::<Error, Spanned<Pattern>>(owners);
    let pat_list = pattern
        .clone()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .boxed();
    let pat_atom: Rule<'a, Error, Spanned<Pattern>> = sp(choice((
        just(Token::Underscore).to(Pattern::Wild),
        lower.clone().map(|n| Pattern::Var(n.node)),
        select! {
            Token::Int(n) => Pattern::Int(n),
            Token::Float(x) => Pattern::Float(x),
            Token::Char(c) => Pattern::Char(c),
            Token::Str(s) => Pattern::Str(s),
            Token::True => Pattern::Bool(true),
            Token::False => Pattern::Bool(false),
        },
        just(Token::Minus).ignore_then(select! {
            Token::Int(n) => Pattern::Int(-n),
            Token::Float(x) => Pattern::Float(-x),
        }),
        just(Token::LParen)
            .then(just(Token::RParen))
            .to(Pattern::Unit),
        upper
            .clone()
            .then(
                pat_list
                    .clone()
                    .delimited_by(just(Token::LParen), just(Token::RParen))
                    .recover_with(via_parser(
                        group(Token::LParen, Token::RParen).map(|_| Vec::new()),
                    ))
                    .or_not(),
            )
            .map(|(name, args)| Pattern::Ctor {
                name,
                args: args.unwrap_or_default(),
            }),
        parenthesised(pattern.clone(), Pattern::Tuple, || Pattern::Wild),
        pat_list
            .clone()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map(Pattern::List)
            .recover_with(via_parser(
                group(Token::LBracket, Token::RBracket).map(|_| Pattern::Wild),
            )),
    )))
    .labelled("pattern")
    .boxed();
    pattern_slot.define(
        pat_atom
            .clone()
            .separated_by(just(Token::Colon))
            .at_least(1)
            .collect::<Vec<_>>()
            .validate(|ps, _, emitter| spanned_list_fold_cons(ps, emitter))
            .labelled("pattern"),
    );
    (pattern.boxed(), pat_atom)
}

/// A parenthesised parameter list: `fold by T x`, `T x`, or a pattern.
fn param_parsers<'a, Error: GrammarError<'a>>(
    ty: &Rule<'a, Error, Spanned<Type>>,
    pattern: &Rule<'a, Error, Spanned<Pattern>>,
    lower: &Rule<'a, Error, Ident>,
) -> Rule<'a, Error, Vec<Spanned<Param>>> {
    let param = sp(choice((
        just(Token::Fold)
            .ignore_then(just(Token::By))
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
    let params: Rule<'a, Error, Vec<Spanned<Param>>> = param
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .boxed();
    params
}

/// Statements and block bodies: returns one body entry (a statement or a
/// tail expression, with recovery) and a body (entries up to `}` or `case`).
#[allow(clippy::type_complexity)]
fn statement_parsers<'a, Error: GrammarError<'a>>(
    g: &Rules<'a, Error>,
) -> (Rule<'a, Error, Entry>, Rule<'a, Error, Block>) {
    let Rules {
        lower,
        semi,
        ty,
        pattern,
        expr,
        block,
        block_like,
        ..
    } = g;
    let end_of_body = choice((
        just(Token::RBrace).ignored(),
        just(Token::Case).ignored(),
        end(),
    ))
    .rewind()
    .boxed();

    let let_stmt = just(Token::Let)
        .ignore_then(pattern.clone())
        .then_ignore(just(Token::Eq))
        .then(expr.clone())
        .then_ignore(semi.clone())
        .map(|(pattern, value)| Stmt::Let {
            pattern,
            ty: None,
            value,
        });
    let chan_stmt = just(Token::Channel)
        .ignore_then(lower.clone())
        .then_ignore(semi.clone())
        .map(|name| Stmt::Channel { ty: None, name });
    let halt_stmt = just(Token::Halt).then(semi.clone()).to(Stmt::Halt);
    let arm = sp(lower
        .clone()
        .then(block.clone())
        .map(|(name, body)| ForkArm { name, body }));
    let fork_stmt = just(Token::Fork)
        .ignore_then(expr.clone())
        .then_ignore(just(Token::As))
        .then(
            arm.separated_by(just(Token::Comma))
                .at_least(1)
                .collect::<Vec<_>>(),
        )
        .then_ignore(semi.clone())
        .map(|(channel, arms)| Stmt::Fork { channel, arms });
    let split_stmt = just(Token::Split)
        .ignore_then(expr.clone())
        .then_ignore(just(Token::As))
        .then(
            lower
                .clone()
                .separated_by(just(Token::Comma))
                .at_least(1)
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LParen), just(Token::RParen)),
        )
        .then_ignore(semi.clone())
        .map(|(channel, names)| Stmt::Split { channel, names });
    let typed_decl = ty
        .clone()
        .then(lower.clone())
        .then(just(Token::Eq).ignore_then(expr.clone()).or_not())
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
            just(Token::Semi).to(0u8),
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
            just(Token::ColonEq)
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

    let entry: Rule<'a, Error, Entry> = choice((blocklike_entry, simple_stmt, expr_entry))
        .labelled("statement")
        .boxed();

    let skip_in_body = choice((
        any_group(),
        none_of([Token::Semi, Token::RBrace, Token::Case]).ignored(),
    ));
    let entry_recovery = choice((
        skip_in_body
            .repeated()
            .at_least(1)
            .then(just(Token::Semi).or_not())
            .ignored(),
        just(Token::Semi).ignored(),
    ))
    .to(Entry::Skipped);
    let entry_r = none_of([Token::RBrace, Token::Case])
        .rewind()
        .ignore_then(entry.clone().recover_with(via_parser(entry_recovery)))
        .boxed();

    let body: Rule<'a, Error, Block> = entry_r
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
    (entry, body)
}

/// `{ body }`, recovering a broken block as an empty one.
fn define_block<'a, Error: GrammarError<'a>>(
    mut block: Slot<'a, Error, Spanned<Block>>,
    body: Rule<'a, Error, Block>,
) {
    block.define(
        sp(body
            .clone()
            .delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .recover_with(via_parser(group(Token::LBrace, Token::RBrace).map_with(
            |_, e| {
                Spanned::new(
                    Block {
                        stmts: Vec::new(),
                        tail: None,
                    },
                    e.span(),
                )
            },
        )))
        // Memoized: statements and expressions that fail inside a block
        // are retried by the alternatives around it, and without it a run
        // of unclosed `{` took time exponential in its length (found by
        // fuzzing: 16 of them, over a second).
        .memoized()
        .labelled("block"),
    );
}

/// `if`/`else` chains, `switch` with its `case`s, and bare blocks.
fn define_block_like<'a, Error: GrammarError<'a>>(
    g: &Rules<'a, Error>,
    mut block_like: Slot<'a, Error, Spanned<Expr>>,
    body: Rule<'a, Error, Block>,
) {
    let Rules {
        lower,
        colon_span,
        pat_atom,
        expr,
        block,
        ..
    } = g;
    // if / switch / { }
    let if_expr = recursive(|if_| {
        just(Token::If)
            .ignore_then(expr.clone())
            .then(block.clone())
            .then(
                just(Token::Else)
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
        .or(sp(just(Token::Underscore).to("_".to_string())));
    let bad_case_head = pat_atom
        .clone()
        .then(colon_span.clone())
        .then(tail_name)
        .then(colon_span.clone())
        .try_map(|(((p, c1), n), c2), span| {
            if p.span.end == c1.start && c1.end == n.span.start && n.span.end == c2.start {
                Ok((p, n, c2))
            } else {
                Err(Error::custom(span, "expected a case body".to_string()))
            }
        })
        .validate(|(p, n, c2), _, emitter| {
            let shown = format!("{}:{}", show_pattern(&p.node), n.node);
            emitter.emit(Error::custom(
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
    let case = just(Token::Case)
        .ignore_then(case_head)
        .then(body.clone().map_with(|b, e| (b, e.span())))
        .map_with(|((pattern, colon), (b, bspan)), e| {
            Spanned::new(
                Case {
                    pattern,
                    body: case_body(b, bspan, colon),
                },
                e.span(),
            )
        })
        .labelled("`case`");
    let switch_expr = just(Token::Switch)
        .ignore_then(expr.clone())
        .then(
            case.repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace))
                .recover_with(via_parser(
                    group(Token::LBrace, Token::RBrace).map(|_| Vec::new()),
                )),
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

    // A case names a channel end: `a`, or `~a` (the REPL holds both ends
    // of a channel it declares).
    let race_channel = just(Token::Tilde)
        .map_with(|_, e| e.span())
        .or_not()
        .then(lower.clone())
        .map(|(tilde, name): (Option<Span>, Ident)| match tilde {
            Some(t) => Spanned::new(format!("~{}", name.node), t.to(name.span)),
            None => name,
        });
    let race_case = just(Token::Case)
        .ignore_then(race_channel.then(colon_span.clone()))
        .then(body.clone().map_with(|b, e| (b, e.span())))
        .map_with(|((channel, colon), (b, bspan)), e| {
            Spanned::new(
                RaceCase {
                    channel,
                    body: case_body(b, bspan, colon),
                },
                e.span(),
            )
        })
        .labelled("`case`");
    let race_expr = just(Token::Race)
        .ignore_then(
            race_case
                .repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace))
                .recover_with(via_parser(
                    group(Token::LBrace, Token::RBrace).map(|_| Vec::new()),
                )),
        )
        .map_with(|cases, e| Spanned::new(Expr::Race(cases), e.span()));

    block_like.define(choice((
        if_expr,
        switch_expr.boxed(),
        race_expr.boxed(),
        block
            .clone()
            .map(|b| Spanned::new(Expr::Block(b.node), b.span))
            .boxed(),
    )));
}

/// A `case`'s body (of a `switch` or a `race`), spanned; an empty one is
/// spanned just after its colon.
fn case_body(b: Block, span: Span, colon: Span) -> Spanned<Block> {
    let span = if b.stmts.is_empty() && b.tail.is_none() {
        empty_block_span(colon)
    } else {
        span
    };
    Spanned::new(b, span)
}

/// Atoms: literals, tuples, lists, names and calls, constructors, `~c`,
/// `record`, and the block-like expressions.
fn atom_parser<'a, Error: GrammarError<'a>>(
    g: &Rules<'a, Error>,
    args: &Rule<'a, Error, Vec<Spanned<Expr>>>,
) -> Rule<'a, Error, Spanned<Expr>> {
    let Rules {
        lower,
        upper,
        ty,
        params,
        expr,
        block,
        block_like,
        ..
    } = g;
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
    let record = just(Token::Record)
        .ignore_then(ty.clone())
        .then(
            method
                .repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace))
                .recover_with(via_parser(
                    group(Token::LBrace, Token::RBrace).map(|_| Vec::new()),
                )),
        )
        .map(|(codata, methods)| Expr::Record { codata, methods });

    let atom: Rule<'a, Error, Spanned<Expr>> = choice((
        sp(choice((
            select! {
                Token::Int(n) => Expr::Int(n),
                Token::Float(x) => Expr::Float(x),
                Token::Char(c) => Expr::Char(c),
                Token::Str(s) => Expr::Str(s),
                Token::True => Expr::Bool(true),
                Token::False => Expr::Bool(false),
            },
            just(Token::LParen).then(just(Token::RParen)).to(Expr::Unit),
            parenthesised(expr.clone(), Expr::Tuple, || Expr::Unit),
            expr.clone()
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBracket), just(Token::RBracket))
                .map(Expr::List)
                .recover_with(via_parser(
                    group(Token::LBracket, Token::RBracket).map(|_| Expr::List(Vec::new())),
                )),
            lower
                .clone()
                .then(args.clone().or_not())
                .map(|(callee, args)| match args {
                    Some(args) => Expr::Call { callee, args },
                    None => Expr::Var(callee.node),
                }),
            sp(just(Token::Split).to("split".to_string()))
                .then(args.clone())
                .map(|(callee, args)| Expr::Call { callee, args }),
            upper
                .clone()
                .then(args.clone().or_not())
                .map(|(callee, args)| match args {
                    Some(args) => Expr::Call { callee, args },
                    None => Expr::Ctor(callee.node),
                }),
            just(Token::Tilde)
                .ignore_then(lower.clone())
                .map(Expr::Dual),
            record,
        ))),
        block_like.clone(),
    ))
    .labelled("expression")
    .boxed();
    atom
}

/// Postfix operations (`.put(v)`, `.get`, `.close()`, `.m(args)`,
/// `[i, d]`) on an atom, then prefix `-` and `!`.
fn unary_parser<'a, Error: GrammarError<'a>>(
    g: &Rules<'a, Error>,
) -> Rule<'a, Error, Spanned<Expr>> {
    let Rules { lower, expr, .. } = g;
    let args: Rule<'a, Error, Vec<Spanned<Expr>>> = expr
        .clone()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .recover_with(via_parser(
            group(Token::LParen, Token::RParen).map(|_| Vec::new()),
        ))
        .boxed();
    let atom = atom_parser(g, &args);
    let post = choice((
        just(Token::Dot).ignore_then(choice((
            just(Token::Put)
                .ignore_then(
                    expr.clone()
                        .delimited_by(just(Token::LParen), just(Token::RParen))
                        .recover_with(via_parser(
                            group(Token::LParen, Token::RParen)
                                .map_with(|_, e| Spanned::new(Expr::Unit, e.span())),
                        )),
                )
                .map(Post::Put),
            just(Token::Get).to(Post::Get),
            just(Token::Close)
                .then(just(Token::LParen))
                .then(just(Token::RParen))
                .to(Post::Close),
            lower
                .clone()
                .then(args.clone())
                .map(|(name, args)| Post::Dtor(name, args)),
        ))),
        expr.clone()
            .then_ignore(just(Token::Comma))
            .then(expr.clone())
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map(|(i, d)| Post::Index(i, d)),
    ))
    .map_with(|p, e| (p, e.span()))
    .boxed();

    let postfix: Rule<'a, Error, Spanned<Expr>> = atom
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

    let unop = sp(select! { Token::Minus => UnOp::Neg, Token::Bang => UnOp::Not });
    let unary: Rule<'a, Error, Spanned<Expr>> = unop
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
    unary
}

/// Binary operators by precedence, loosest last: defines `expr`.
fn define_expr<'a, Error: GrammarError<'a>>(
    g: &Rules<'a, Error>,
    mut expr: Slot<'a, Error, Spanned<Expr>>,
) {
    let gt_span = &g.gt_span;
    let unary = unary_parser(g);
    let shr = gt_span
        .clone()
        .then(gt_span.clone())
        .try_map(|(a, b), span| {
            if a.end == b.start {
                Ok(Spanned::new(BinOp::Shr, a.to(b)))
            } else {
                Err(Error::custom(span, "expected `>>`".to_string()))
            }
        })
        .boxed();
    let ge = gt_span
        .clone()
        .then(just(Token::Eq).map_with(|_, e| e.span()))
        .try_map(|(a, b), span| {
            if a.end == b.start {
                Ok(Spanned::new(BinOp::Ge, a.to(b)))
            } else {
                Err(Error::custom(span, "expected `>=`".to_string()))
            }
        })
        .boxed();

    let mul = left_assoc(
        unary,
        choice((
            op(Token::Star, BinOp::Mul),
            op(Token::Slash, BinOp::Div),
            op(Token::Percent, BinOp::Rem),
        ))
        .boxed(),
    );
    let add = left_assoc(
        mul,
        choice((op(Token::Plus, BinOp::Add), op(Token::Minus, BinOp::Sub))).boxed(),
    );
    let shift = left_assoc(add, choice((op(Token::Shl, BinOp::Shl), shr)).boxed());
    let bits = left_assoc(
        shift,
        choice((
            op(Token::Pipe, BinOp::BitOr),
            op(Token::Caret, BinOp::BitXor),
            op(Token::Amp, BinOp::BitAnd),
        ))
        .boxed(),
    );
    let cons = right_assoc(
        bits,
        choice((
            op(Token::Colon, BinOp::Cons),
            op(Token::PlusPlus, BinOp::Append),
        ))
        .boxed(),
    );
    let cmp = non_assoc(
        cons,
        choice((
            op(Token::EqEq, BinOp::Eq),
            op(Token::NotEq, BinOp::Ne),
            op(Token::LtEq, BinOp::Le),
            op(Token::Lt, BinOp::Lt),
            ge,
            op(Token::Gt, BinOp::Gt),
        ))
        .boxed(),
    );
    let and = left_assoc(cmp, op(Token::AmpAmp, BinOp::And));
    let or = left_assoc(and, op(Token::PipePipe, BinOp::Or));
    expr.define(or.labelled("expression"));
}

/// Declarations: `import`, `data`, `codata`, `protocol`, `fold`,
/// `process` and functions.
fn item_parser<'a, Error: GrammarError<'a>>(g: &Rules<'a, Error>) -> Rule<'a, Error, Top> {
    let Rules {
        lower,
        upper,
        semi,
        ty,
        proto,
        params,
        block,
        ..
    } = g;
    // ----- items ----------------------------------------------------------------
    let tparam = select! {
        Token::LowerIdent(s) => (s, false),
        Token::HashIdent(s) => (s, true),
    }
    .map_with(|(s, is_proto), e| TypeParam {
        name: Spanned::new(s, e.span()),
        is_proto,
    })
    .labelled("type parameter");
    let tparams = tparam
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::Lt), just(Token::Gt))
        .recover_with(via_parser(nested_delimiters(
            Token::Lt,
            Token::Gt,
            [(Token::LParen, Token::RParen)],
            |_| Vec::new(),
        )))
        .or_not()
        .map(Option::unwrap_or_default)
        .boxed();

    let import = just(Token::Import)
        .ignore_then(sp(select! { Token::Str(s) => s }).labelled("a file name in quotes"))
        .then_ignore(semi.clone())
        .map(Item::Import);

    let ctor = sp(upper
        .clone()
        .then(
            ty.clone()
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LParen), just(Token::RParen))
                .recover_with(via_parser(
                    group(Token::LParen, Token::RParen).map(|_| Vec::new()),
                ))
                .or_not(),
        )
        .map(|(name, fields)| CtorDecl {
            name,
            fields: fields.unwrap_or_default(),
        }));
    let data = just(Token::Data)
        .ignore_then(upper.clone())
        .then(tparams.clone())
        .then_ignore(just(Token::Eq))
        .then(
            ctor.separated_by(just(Token::Pipe))
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
    let codata = just(Token::Codata)
        .ignore_then(upper.clone())
        .then(tparams.clone())
        .then(
            dtor.repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace))
                .recover_with(via_parser(
                    group(Token::LBrace, Token::RBrace).map(|_| Vec::new()),
                )),
        )
        .map(|((name, params), dtors)| {
            Item::Codata(CodataDecl {
                doc: None,
                name,
                params,
                dtors,
            })
        });

    let protocol = just(Token::Protocol)
        .ignore_then(upper.clone())
        .then(tparams.clone())
        .then_ignore(just(Token::Eq))
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
    let fn_name: Rule<'a, Error, Ident> = choice((
        lower.clone(),
        sp(just(Token::Split).to("split".to_string())),
    ))
    .labelled("a function name")
    .boxed();
    let function: Rule<'a, Error, Spanned<FunctionDecl>> = choice((
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

    let fold = just(Token::Fold)
        .ignore_then(
            function
                .clone()
                .repeated()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map(|fs| Item::Fold(merge_functions(fs)));

    let process = just(Token::Process)
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
    item.boxed()
}

/// The file: items and top-level statements, each recovering up to the
/// next likely start of an item.
fn entries_parser<'a, Error: GrammarError<'a>>(
    entry: Rule<'a, Error, Entry>,
    item: Rule<'a, Error, Top>,
) -> Rule<'a, Error, Vec<Top>> {
    let top_entry = entry.map(|e| match e {
        Entry::Stmt(s) => {
            let span = s.span;
            Top::Item(Spanned::new(Item::Stmt(s.node), span))
        }
        Entry::Tail(e) => Top::Tail(e),
        Entry::Skipped => Top::Skipped,
    });

    let item_stops = [
        Token::Semi,
        Token::LBrace,
        Token::RBrace,
        Token::Data,
        Token::Codata,
        Token::Protocol,
        Token::Process,
        Token::Fold,
        Token::Import,
    ];
    let item_filler = choice((
        group(Token::LParen, Token::RParen),
        group(Token::LBracket, Token::RBracket),
        none_of(item_stops).ignored(),
    ));
    let item_end = choice((
        group(Token::LBrace, Token::RBrace),
        just(Token::Semi).ignored(),
        just(Token::RBrace).ignored(),
    ));
    let item_skip = choice((
        item_end.clone(),
        choice((
            group(Token::LParen, Token::RParen),
            group(Token::LBracket, Token::RBracket),
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

fn spanned_list_fold_cons<'a, Error: GrammarError<'a>>(
    pats: Vec<Spanned<Pattern>>,
    emitter: &mut chumsky::input::Emitter<Error>,
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

fn too_long<'a, Error: GrammarError<'a>>(span: Span) -> Error {
    Error::custom(
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

/// `(x)` is `x` itself and `(x, y, ...)` a tuple built by `tuple`; a
/// broken group recovers as `broken()`. Types, patterns and expressions
/// share this shape.
fn parenthesised<'a, Error: GrammarError<'a>, T: Clone + 'a>(
    item: impl Parser<'a, Tokens<'a>, Spanned<T>, Extra<Error>> + Clone + 'a,
    tuple: fn(Vec<Spanned<T>>) -> T,
    broken: fn() -> T,
) -> Rule<'a, Error, T> {
    item.separated_by(just(Token::Comma))
        .at_least(1)
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map(move |mut items: Vec<Spanned<T>>| match items.len() {
            1 => items.pop().map_or_else(broken, |t| t.node),
            _ => tuple(items),
        })
        .recover_with(via_parser(
            group(Token::LParen, Token::RParen).map(move |_| broken()),
        ))
        .boxed()
}

/// Skip a balanced `(...)`, `[...]` or `{...}` group (for recovery).
fn group<'a, Error: GrammarError<'a>>(open: Token, close: Token) -> Rule<'a, Error, ()> {
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

fn any_group<'a, Error: GrammarError<'a>>() -> Rule<'a, Error, ()> {
    choice((
        group(Token::LParen, Token::RParen),
        group(Token::LBracket, Token::RBracket),
        group(Token::LBrace, Token::RBrace),
    ))
    .boxed()
}

fn sp<'a, Error: GrammarError<'a>, O: 'a>(
    p: impl Parser<'a, Tokens<'a>, O, Extra<Error>> + Clone + 'a,
) -> Rule<'a, Error, Spanned<O>> {
    p.map_with(|o, e| Spanned::new(o, e.span())).boxed()
}

#[derive(Clone)]
enum ProtoBranch {
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

fn left_assoc<'a, Error: GrammarError<'a>>(
    next: Rule<'a, Error, Spanned<Expr>>,
    op: Rule<'a, Error, Spanned<BinOp>>,
) -> Rule<'a, Error, Spanned<Expr>> {
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
fn cap_chain<'a, Error: GrammarError<'a>>(
    mut rest: Vec<(Spanned<BinOp>, Spanned<Expr>)>,
    emitter: &mut chumsky::input::Emitter<Error>,
) -> Vec<(Spanned<BinOp>, Spanned<Expr>)> {
    if rest.len() > MAX_CHAIN {
        emitter.emit(too_long(rest[MAX_CHAIN].0.span));
        rest.truncate(MAX_CHAIN);
    }
    rest
}

fn right_assoc<'a, Error: GrammarError<'a>>(
    next: Rule<'a, Error, Spanned<Expr>>,
    op: Rule<'a, Error, Spanned<BinOp>>,
) -> Rule<'a, Error, Spanned<Expr>> {
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

fn non_assoc<'a, Error: GrammarError<'a>>(
    next: Rule<'a, Error, Spanned<Expr>>,
    op: Rule<'a, Error, Spanned<BinOp>>,
) -> Rule<'a, Error, Spanned<Expr>> {
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

fn op<'a, Error: GrammarError<'a>>(tok: Token, o: BinOp) -> Rule<'a, Error, Spanned<BinOp>> {
    just(tok)
        .map_with(move |_, e| Spanned::new(o, e.span()))
        .boxed()
}
