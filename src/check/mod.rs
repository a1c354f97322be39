//! The checker: from syntax trees to the resolved program the evaluator
//! runs. `globals` collects declarations, `resolve` resolves bodies and the
//! wiring, `errors` holds every error kind as data.
//!
//! `resolve` also checks names, arities, constructors, labels, services
//! and implicit channels; then, whatever it found, `decls` and `infer`
//! check types, protocols and linearity, `exhaustive` patterns, `wiring`
//! the shape of the process graph, and `termination` the `fold` groups
//! (LANGUAGE.md section 7). All of them read the resolved program (`ir`),
//! not the syntax tree; only signatures and declared types are read from
//! the declarations. `monitor` turns protocols into the guard's automata.
//! `tests` holds unit tests of duality, unification and channel states.
//! Nothing here runs a program or renders a diagnostic.

pub mod decls;
pub mod errors;
pub mod exhaustive;
pub mod globals;
pub mod infer;
pub mod monitor;
pub mod resolve;
pub mod session;
pub mod suggest;
pub mod termination;
#[cfg(test)]
mod tests;
pub mod types;
pub mod unify;
pub mod walk;
pub mod warnings;
pub mod wiring;

pub use errors::CheckError;
pub use globals::Layer;

use crate::ir::Program;
use crate::source::{FileId, Span};
use crate::syntax::ast::{Item, Module};

/// The modules of one program: the prelude's, then the program file's and
/// its imports'. The wiring is the top-level statements of `main`.
pub struct Input<'a> {
    pub prelude: Vec<&'a Module>,
    pub imports: Vec<&'a Module>,
    pub main: &'a Module,
    /// Where the wiring lives, for reports about the program as a whole.
    pub main_span: Span,
    /// `--total`: recursion outside `fold` groups is an error.
    pub total: bool,
    /// Files whose matches may leave values unhandled (CaMPL's, whose
    /// language allows it): there a match that is not exhaustive is a
    /// warning, and a value no pattern matches stops the program.
    pub partial_matches: Vec<FileId>,
    /// Say what every variable is where it is used (`Analysis::uses`).
    pub record_uses: bool,
}

/// All the checker finds in a program, errors or not: for a front end
/// that shows more than a verdict (the language server).
pub struct Analysis {
    pub program: Program,
    pub errors: Vec<CheckError>,
    pub warnings: Vec<warnings::Warning>,
    /// Every use of a variable with its type there, when
    /// `Input::record_uses` asked for them.
    pub uses: Vec<infer::Use>,
    /// Every channel operation with the channel's state after it (same
    /// condition).
    pub states_after: Vec<infer::Use>,
}

/// The checker's verdict on a program that checks: the program, and its
/// warnings (those the checking passes find; `warnings::check` looks for
/// the rest on the syntax tree).
pub struct Checked {
    pub program: Program,
    pub warnings: Vec<warnings::Warning>,
}

/// Splits the exhaustiveness errors in files whose matches may be partial
/// off `errors`, as warnings.
fn partial_matches(
    errors: Vec<CheckError>,
    partial: &dyn Fn(FileId) -> bool,
) -> (Vec<CheckError>, Vec<warnings::Warning>) {
    let mut kept = Vec::new();
    let mut warned = Vec::new();
    for error in errors {
        match error {
            CheckError::NonExhaustive { span, missing } if partial(span.file) => {
                warned.push(warnings::Warning::PartialMatch { span, missing });
            }
            other => kept.push(other),
        }
    }
    (kept, warned)
}

/// The field types of every constructor, for `show` (see `ir::ShowTy`);
/// `tags` is the program's tag table.
fn ctor_fields_of(
    decls: &decls::Decls,
    tags: &[String],
) -> std::collections::HashMap<crate::ir::Tag, Vec<crate::ir::ShowTy>> {
    let mut out = std::collections::HashMap::new();
    for data in &decls.data {
        for c in &data.ctors {
            if let Some(tag) = tags.iter().position(|t| **t == *c.name) {
                let tag = tag as crate::ir::Tag;
                out.insert(
                    tag,
                    c.fields
                        .iter()
                        .map(|f| infer::show_ty(f, &data.params))
                        .collect(),
                );
            }
        }
    }
    out
}

/// Writes the static type of each `show` argument that inference found
/// (by function id and site) onto the `show` node itself, where the
/// evaluator reads it. `functions` have ids from `first` on.
fn annotate_shows(
    functions: &mut [crate::ir::Function],
    first: crate::ir::FuncId,
    types: &std::collections::HashMap<(crate::ir::FuncId, u32), crate::ir::ShowTy>,
) {
    for (k, function) in functions.iter_mut().enumerate() {
        let id = first + k as crate::ir::FuncId;
        function.body.for_each_mut(&mut |e| {
            if let crate::ir::ExprKind::Builtin {
                op: crate::ir::Builtin::Show,
                show,
                site,
                ..
            } = &mut e.kind
            {
                *show = types.get(&(id, *site)).cloned();
            }
        });
    }
}

/// The top-level statements of a module (the wiring).
fn wiring_of(module: &Module) -> Vec<crate::source::Spanned<crate::syntax::ast::Stmt>> {
    module
        .items
        .iter()
        .filter_map(|i| match &i.node {
            Item::Stmt(s) => Some(crate::source::Spanned::new(s.clone(), i.span)),
            _ => None,
        })
        .collect()
}

/// `modules` resolved (the last one's top-level statements are the
/// wiring), with the resolver's errors: for unit tests of the passes
/// that read the resolved program.
#[cfg(test)]
pub(crate) fn resolve_for_tests(modules: &[(&Module, Layer)]) -> (Program, Vec<CheckError>) {
    let mut errors = Vec::new();
    let globals = globals::Globals::collect(modules, &mut errors);
    let wiring = modules
        .last()
        .map(|(m, _)| wiring_of(m))
        .unwrap_or_default();
    let wiring: Vec<_> = wiring.iter().collect();
    let (program, more) = resolve::resolve_program(&globals, &wiring, Span::default());
    errors.extend(more);
    (program, errors)
}

/// The modules of `input` in the order the checker reads them, each with
/// its layer.
fn modules_of<'a>(input: &Input<'a>) -> Vec<(&'a Module, Layer)> {
    let mut modules: Vec<(&Module, Layer)> =
        input.prelude.iter().map(|m| (*m, Layer::Prelude)).collect();
    modules.extend(input.imports.iter().map(|m| (*m, Layer::Program)));
    modules.push((input.main, Layer::Program));
    modules
}

/// The protocol (its declared name) each channel of process `name` is
/// found to have by checking the program's declarations, without its
/// wiring (`None` where none is found): for a front end that wires a
/// process by the protocols of its channels (CaMPL's `run`, whose
/// channels are services).
pub fn process_protocols(input: &Input<'_>, name: &str) -> Vec<Option<String>> {
    let mut errors = Vec::new();
    let modules = modules_of(input);
    let globals = globals::Globals::collect(&modules, &mut errors);
    let (program, _) = resolve::resolve_program(&globals, &[], input.main_span);
    let decls = decls::Decls::collect(&modules, &mut errors);
    infer::process_protocols(&globals, &decls, std::rc::Rc::new(program.functions), name)
}

/// Checks a program. All independent errors are returned, in source order.
pub fn check(input: &Input<'_>) -> Result<Checked, Vec<CheckError>> {
    let analysis = analyze(input);
    if analysis.errors.is_empty() {
        Ok(Checked {
            program: analysis.program,
            warnings: analysis.warnings,
        })
    } else {
        Err(analysis.errors)
    }
}

/// Checks a program, and keeps all it finds (`Analysis`).
pub fn analyze(input: &Input<'_>) -> Analysis {
    let mut errors = Vec::new();
    let modules = modules_of(input);
    let globals = globals::Globals::collect(&modules, &mut errors);
    let wiring = wiring_of(input.main);
    let wiring_refs: Vec<_> = wiring.iter().collect();
    let (mut program, more) = resolve::resolve_program(&globals, &wiring_refs, input.main_span);
    errors.extend(more);
    // The type, protocol, exhaustiveness, wiring and termination passes run
    // even when names failed to resolve: each treats an unknown name as
    // unknown (a fresh type, no binding) and reports only what it finds
    // itself, so a file's name errors and its unrelated type errors come
    // in one run. Duplicates of resolution errors are removed below.
    let decls = decls::Decls::collect(&modules, &mut errors);
    let functions = std::rc::Rc::new(std::mem::take(&mut program.functions));
    let typed = infer::check(
        &globals,
        &decls,
        functions.clone(),
        program.entry,
        input.record_uses,
    );
    program.functions = std::rc::Rc::unwrap_or_clone(functions);
    errors.extend(typed.errors);
    annotate_shows(&mut program.functions, 0, &typed.show_types);
    monitor::build(&decls, &mut program, &typed.channel_sites);
    program.ctor_fields = ctor_fields_of(&decls, &program.tags);
    let (partial, warnings) = partial_matches(
        exhaustive::check(&modules, &program.functions, &program.tags),
        &|file| input.partial_matches.contains(&file),
    );
    errors.extend(partial);
    let process_name = |id: crate::ir::FuncId| {
        let name = globals.declaration_name(id as usize);
        name.unwrap_or_default().to_string()
    };
    errors.extend(wiring::check(&program.functions, 0, &process_name));
    errors.extend(termination::check(&program.functions, 0, input.total));
    errors::order(&mut errors);
    Analysis {
        program,
        errors,
        warnings,
        uses: typed.uses,
        states_after: typed.states_after,
    }
}
