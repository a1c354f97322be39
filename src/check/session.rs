//! Checking for the REPL: the declarations a session has accumulated, the
//! lines its process has run (`history`) and the line just entered, all
//! against the same prelude. A line is checked as the next statements of
//! the session's one process, after every earlier line; it is resolved on
//! its own, as a function of the names the session holds (see
//! `resolve::resolve_line`), onto the session's growing program.
//!
//! This file joins the passes for that shape of input; it keeps no state
//! between calls (the caller, `crate::session`, does) and runs nothing.

use super::decls::Decls;
use super::errors::CheckError;
use super::globals::{Globals, Layer};
use super::infer::{self, SessionBinding, SessionCheck, Signatures};
use super::resolve::{self, Ids};
use super::{exhaustive, termination, wiring};
use crate::ir::{CodataInfo, FuncId, Function, ShowTy, Tag};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{Item, Module, Stmt};
use std::collections::HashMap;
use std::rc::Rc;

/// What the session asks the checker about.
pub struct SessionInput<'a> {
    pub prelude: Vec<&'a Module>,
    /// The declarations the session holds (statements in them are ignored).
    pub declarations: Vec<&'a Module>,
    /// The lines the session's process has run, oldest first.
    pub history: Vec<&'a [Spanned<Stmt>]>,
    /// The line to check (empty when only declarations changed).
    pub line: &'a [Spanned<Stmt>],
    /// Where the line is, for reports about it as a whole.
    pub line_span: Span,
    /// The names the session holds, in the order the line's function
    /// takes them.
    pub held: &'a [String],
    /// Every tag and destructor name the session's program has used.
    pub tags: &'a [String],
    pub dtors: &'a [String],
    /// The declarations' first ids in the session's program, the id the
    /// line's function gets, and where new codata ids start.
    pub ids: Ids,
    /// Resolve the declarations too (they changed): their functions are
    /// placed from `ids.fresh`, and the line's after them.
    pub new_generation: bool,
    /// The signatures an earlier check of the same declarations gave back
    /// (`CheckedLine::signatures`): their bodies are not checked again.
    pub known: Option<&'a Signatures>,
    /// The session's inputs are in a syntax whose matches may be partial
    /// (CaMPL's; see `check::Input::partial_matches`).
    pub partial_matches: bool,
}

/// The declarations resolved for a new generation of the program.
pub struct Generation {
    pub functions: Vec<Function>,
    pub prelude: HashMap<String, FuncId>,
    pub codata: Vec<CodataInfo>,
    /// The field types of each constructor, for `show`.
    pub ctor_fields: HashMap<Tag, Vec<ShowTy>>,
}

/// A line that checks.
pub struct CheckedLine {
    /// Set when `new_generation` was asked for.
    pub generation: Option<Generation>,
    /// The line's function first, then its closures.
    pub functions: Vec<Function>,
    /// The names the line's function sends back, in order.
    pub results: Vec<String>,
    /// What the session holds after the line.
    pub held: Vec<SessionBinding>,
    /// The tag and destructor tables, extended.
    pub tags: Vec<String>,
    pub dtors: Vec<String>,
    /// For `SessionInput::known` next time.
    pub signatures: Signatures,
    /// Matches of the line or of changed declarations that may be partial
    /// (`SessionInput::partial_matches`) and are.
    pub warnings: Vec<super::warnings::Warning>,
}

/// Checks the session's declarations, history and new line together.
pub fn check_session(input: &SessionInput<'_>) -> Result<CheckedLine, Vec<CheckError>> {
    let mut errors = Vec::new();
    let line_module = Module {
        items: input
            .line
            .iter()
            .map(|s| Spanned::new(Item::Stmt(s.node.clone()), s.span))
            .collect(),
    };
    let mut modules: Vec<(&Module, Layer)> =
        input.prelude.iter().map(|m| (*m, Layer::Prelude)).collect();
    modules.extend(input.declarations.iter().map(|m| (*m, Layer::Program)));
    let declarations_only = modules.clone();
    modules.push((&line_module, Layer::Program));
    let globals = Globals::collect_onto(&declarations_only, input.tags, input.dtors, &mut errors);
    let decls = Decls::collect(&declarations_only, &mut errors);
    let mut ids = input.ids;
    // The declarations' resolved bodies, when they are to be checked: the
    // new generation's, or resolved for the purpose.
    let fresh = Ids {
        fresh: ids.declarations,
        ..ids
    };
    let mut generation = None;
    let declarations = (input.new_generation || input.known.is_none()).then(|| {
        let (functions, prelude, more) = resolve::resolve_declarations(&globals, fresh);
        errors.extend(more);
        if input.new_generation {
            ids.fresh = ids.declarations + functions.len() as FuncId;
            generation = Some((prelude, globals.codata_info.clone()));
        }
        Rc::new(functions)
    });
    let mut session = SessionCheck::new(
        &globals,
        &decls,
        ids.declarations,
        declarations.clone(),
        input.known,
    );
    // Each earlier line is resolved as it was run (a function of the names
    // the session then held, of those it mentions: no other can matter to
    // it) and checked; then the new line.
    for stmts in &input.history {
        let stmts: Vec<&Spanned<Stmt>> = stmts.iter().collect();
        let mentioned = super::walk::mentioned_names(&stmts);
        let (held, gone) = session.names(Some(&mentioned));
        let span = lines_span(&stmts);
        let (line, more) = resolve::resolve_line(&globals, ids, &held, &gone, &stmts, span);
        errors.extend(more);
        session.line(ids.fresh, Rc::new(line.functions), &held, &gone);
    }
    let (_, gone) = session.names(None);
    let stmts: Vec<&Spanned<Stmt>> = input.line.iter().collect();
    let (line, more) =
        resolve::resolve_line(&globals, ids, input.held, &gone, &stmts, input.line_span);
    errors.extend(more);
    let line_functions = Rc::new(line.functions);
    session.line(ids.fresh, line_functions.clone(), input.held, &gone);
    let (typed, held, signatures) = session.finish();
    errors.extend(typed.errors);
    let line_functions = Rc::unwrap_or_clone(line_functions);
    let declarations = declarations.map(Rc::unwrap_or_clone);
    // Declarations already checked need no second look: only the line.
    let partial = |_| input.partial_matches;
    let (more, mut warnings) = super::partial_matches(
        exhaustive::check(&modules, &line_functions, &globals.tags),
        &partial,
    );
    errors.extend(more);
    let process_name = |id: FuncId| {
        let name = id
            .checked_sub(ids.declarations)
            .and_then(|i| globals.declaration_name(i as usize));
        name.unwrap_or_default().to_string()
    };
    errors.extend(wiring::check(&line_functions, ids.fresh, &process_name));
    if let Some(functions) = &declarations {
        // The declarations changed: their wiring and `fold` groups are
        // checked on their resolved form.
        errors.extend(wiring::check(functions, ids.declarations, &process_name));
        let (more, warned) = super::partial_matches(
            exhaustive::check(&modules, functions, &globals.tags),
            &partial,
        );
        errors.extend(more);
        warnings.extend(warned);
        errors.extend(termination::check(functions, ids.declarations, false));
    }
    if !errors.is_empty() {
        super::errors::order(&mut errors);
        return Err(errors);
    }
    let mut functions = line_functions;
    super::annotate_shows(&mut functions, ids.fresh, &typed.show_types);
    let generation = generation.map(|(prelude, codata)| {
        let mut functions = declarations.unwrap_or_default();
        super::annotate_shows(&mut functions, ids.declarations, &typed.show_types);
        Generation {
            functions,
            prelude,
            codata,
            ctor_fields: super::ctor_fields_of(&decls, &globals.tags),
        }
    });
    Ok(CheckedLine {
        generation,
        functions,
        results: line.results,
        held,
        tags: globals.tags.clone(),
        dtors: globals.dtors.clone(),
        signatures,
        warnings,
    })
}

/// Where a line's statements are.
fn lines_span(stmts: &[&Spanned<Stmt>]) -> Span {
    match (stmts.first(), stmts.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => Span::default(),
    }
}

/// What `:type`, `:doc` and `:browse` show of a declaration.
pub struct Signature {
    pub name: String,
    pub text: String,
    pub process: bool,
    pub prelude: bool,
}

/// The signatures of every function and process the session knows.
pub fn signatures(input: &SessionInput<'_>) -> Vec<Signature> {
    let mut errors = Vec::new();
    let modules = declaration_modules(input);
    let globals = Globals::collect_onto(&modules, input.tags, input.dtors, &mut errors);
    let decls = Decls::collect(&modules, &mut errors);
    let first = input.ids.declarations;
    let ids = Ids {
        fresh: first,
        ..input.ids
    };
    let (functions, _, _) = resolve::resolve_declarations(&globals, ids);
    infer::signatures(&globals, &decls, first, Rc::new(functions))
        .into_iter()
        .map(|(name, text, process, layer)| Signature {
            name,
            text,
            process,
            prelude: layer == Layer::Prelude,
        })
        .collect()
}

/// Protocol `name` written out (its dual when `dual`), `width` columns
/// wide: `protocol P<t> = ...`.
pub fn protocol(input: &SessionInput<'_>, name: &str, dual: bool, width: usize) -> Option<String> {
    let mut errors = Vec::new();
    let modules = declaration_modules(input);
    let decls = Decls::collect(&modules, &mut errors);
    let p = decls.protos.iter().rev().find(|p| p.name == name)?;
    let body = match dual {
        true => super::types::dual(&p.body),
        false => p.body.clone(),
    };
    let params: Vec<String> = p
        .params
        .iter()
        .map(|(n, proto)| {
            if *proto {
                format!("#{n}")
            } else {
                n.to_string()
            }
        })
        .collect();
    let head = match params.is_empty() {
        true => name.to_string(),
        false => format!("{name}<{}>", params.join(", ")),
    };
    let head = match dual {
        true => format!("neg<{head}>"),
        false => format!("protocol {head}"),
    };
    let one_line = super::types::pretty_session(&body, &decls, usize::MAX, 0);
    if head.len() + 3 + one_line.len() <= width {
        return Some(format!("{head} = {one_line}"));
    }
    let text = super::types::pretty_session(&body, &decls, width, 4);
    Some(format!("{head} =\n    {text}"))
}

fn declaration_modules<'a>(input: &SessionInput<'a>) -> Vec<(&'a Module, Layer)> {
    let mut modules: Vec<(&Module, Layer)> =
        input.prelude.iter().map(|m| (*m, Layer::Prelude)).collect();
    modules.extend(input.declarations.iter().map(|m| (*m, Layer::Program)));
    modules
}
