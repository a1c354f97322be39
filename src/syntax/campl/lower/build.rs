//! Small constructors of the shared tree, for the lowering: each node
//! gets the span of the CaMPL text it stands for.

use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Expr, Stmt};

pub fn sp<T>(node: T, span: Span) -> Spanned<T> {
    Spanned::new(node, span)
}

pub fn var(name: &str, span: Span) -> Spanned<Expr> {
    sp(Expr::Var(name.to_string()), span)
}

pub fn call(name: &str, args: Vec<Spanned<Expr>>, span: Span) -> Spanned<Expr> {
    let callee = sp(name.to_string(), span);
    sp(Expr::Call { callee, args }, span)
}

pub fn put(channel: Spanned<Expr>, value: Spanned<Expr>, span: Span) -> Spanned<Expr> {
    sp(
        Expr::Put {
            channel: Box::new(channel),
            value: Box::new(value),
        },
        span,
    )
}

pub fn get(channel: Spanned<Expr>, span: Span) -> Spanned<Expr> {
    sp(Expr::Get(Box::new(channel)), span)
}

pub fn stmt(e: Spanned<Expr>) -> Spanned<Stmt> {
    let span = e.span;
    sp(Stmt::Expr(e), span)
}

/// A block of statements without a value.
pub fn block(stmts: Vec<Spanned<Stmt>>, span: Span) -> Spanned<ast::Block> {
    sp(ast::Block { stmts, tail: None }, span)
}

/// A block whose value is `e`.
pub fn value_block(e: Spanned<Expr>) -> Spanned<ast::Block> {
    let span = e.span;
    sp(
        ast::Block {
            stmts: Vec::new(),
            tail: Some(Box::new(e)),
        },
        span,
    )
}

/// `switch (scrutinee) { case pattern: body ... }`
pub fn switch(
    scrutinee: Spanned<Expr>,
    cases: Vec<(Spanned<ast::Pattern>, Spanned<ast::Block>)>,
    span: Span,
) -> Spanned<Expr> {
    let cases = cases
        .into_iter()
        .map(|(pattern, body)| {
            let span = pattern.span.to(body.span);
            sp(ast::Case { pattern, body }, span)
        })
        .collect();
    sp(
        Expr::Switch {
            scrutinee: Box::new(scrutinee),
            cases,
        },
        span,
    )
}

/// A label or constructor pattern without arguments.
pub fn label_pattern(name: &Spanned<String>) -> Spanned<ast::Pattern> {
    sp(
        ast::Pattern::Ctor {
            name: name.clone(),
            args: Vec::new(),
        },
        name.span,
    )
}

/// An untyped parameter that binds `name`.
pub fn param(name: &str, span: Span) -> Spanned<ast::Param> {
    typed_param(name, None, span)
}

pub fn typed_param(name: &str, ty: Option<Spanned<ast::Type>>, span: Span) -> Spanned<ast::Param> {
    sp(
        ast::Param {
            ty,
            pattern: sp(ast::Pattern::Var(name.to_string()), span),
            fold_by: false,
        },
        span,
    )
}
