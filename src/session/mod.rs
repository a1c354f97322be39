//! The REPL's session: a process the user drives by hand. It holds the
//! prelude, the declarations entered or loaded, the lines its process has
//! run, the values (channel ends among them) it holds, and a live runtime
//! (`eval::Live`). Every input is checked against all of that before
//! anything runs; a refused input changes nothing.
//!
//! Front ends (`src/repl.rs`, tests) call [`Session::eval`] with one
//! complete input, or ask [`Session::is_incomplete`] first; responses go
//! to the session's `Output`. `commands` holds the `:` commands, `show`
//! how the session prints what it holds. Nothing here reads a terminal.

mod commands;
mod complete;
mod show;

use crate::check::infer::{SessionBinding, Signatures};
use crate::check::resolve::Ids;
use crate::check::session::{CheckedLine, SessionInput, check_session};
use crate::diagnostics::{self, Diagnostic};
use crate::eval::{LineOutcome, Live};
use crate::host::{Host, Output};
use crate::ir::{FuncId, Program};
use crate::runtime;
use crate::source::{FileId, SourceMap, Span, Spanned};
use crate::syntax::ast::{Expr, Item, Module, Pattern, Stmt};
use crate::syntax::parser::{ReplInput, parse_repl};
use crate::value::Value;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use commands::COMMANDS;

/// What the session needs to start.
pub struct SessionConfig {
    /// The streams and permissions processes started from the session get.
    pub host: Host,
    pub runtime: runtime::Config,
    /// Draw diagnostics in colour.
    pub color: bool,
    /// After an input, how long to wait for the processes it started to
    /// come to rest (finish or wait), so that what they print or how they
    /// fail is shown with the answer rather than later.
    pub settle: Duration,
    /// The syntax inputs are written in (`mpl repl --syntax campl`).
    pub syntax: crate::syntax::Syntax,
}

/// What the front end should do after an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Continue,
    Quit,
}

/// Declarations from one input or one file.
#[derive(Clone)]
struct Declarations {
    module: Module,
    /// The file they were loaded from (`None`: typed in the session).
    file: Option<PathBuf>,
}

/// A name the session holds and its value.
struct Held {
    binding: SessionBinding,
    value: Value,
}

/// The file `:load` read: its declarations are in `Session::decls`, its
/// wiring waits for `:run`.
struct Loaded {
    path: PathBuf,
    wiring: Vec<Spanned<Stmt>>,
}

pub struct Session {
    sources: SourceMap,
    prelude: Vec<Module>,
    /// Persistent (`im`): a refused input drops its copy in O(1), and an
    /// unchanged module is shared, not copied.
    decls: im::Vector<Rc<Declarations>>,
    loaded: Option<Loaded>,
    /// The lines the session's process has run.
    history: im::Vector<Rc<[Spanned<Stmt>]>>,
    held: Vec<Held>,
    live: Live,
    /// Where the current generation of declarations starts.
    ids: Ids,
    /// The declarations' signatures, once their bodies are checked.
    signatures: Option<Signatures>,
    inputs: usize,
    out: Output,
    color: bool,
    settle: Duration,
    interrupt: Arc<AtomicBool>,
    syntax: crate::syntax::Syntax,
    /// In CaMPL's syntax: the definitions so far, as CaMPL's trees (each
    /// input is lowered with them in scope).
    campl: Vec<crate::syntax::campl::tree::Defn>,
}

impl Session {
    /// Parses and checks the prelude and starts the runtime; `out` takes
    /// every response.
    pub fn new(config: SessionConfig, out: Output) -> Result<Session, String> {
        let mut sources = SourceMap::new();
        let mut diags = Vec::new();
        let mut prelude = crate::parse_prelude(&mut sources, &mut diags);
        if config.syntax == crate::syntax::Syntax::Campl {
            prelude.push(crate::parse_campl_support(&mut sources, &mut diags));
        }
        if !diags.is_empty() {
            return Err("the prelude does not parse".into());
        }
        let (first, signatures) = first_generation(&prelude, &mut sources)?;
        let live = Live::start(first, config.host, crate::services::open, config.runtime)
            .map_err(|e| e.message.clone())?;
        Ok(Session {
            sources,
            prelude,
            decls: im::Vector::new(),
            loaded: None,
            history: im::Vector::new(),
            held: Vec::new(),
            live,
            ids: Ids::default(),
            signatures: Some(signatures),
            inputs: 0,
            out,
            color: config.color,
            settle: config.settle,
            interrupt: Arc::new(AtomicBool::new(false)),
            syntax: config.syntax,
            campl: Vec::new(),
        })
    }

    /// Raise it (from a Ctrl-C handler) to abandon the line that runs.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// `text` is the start of an input that is not finished yet (a
    /// bracket or a declaration still open): read another line.
    pub fn is_incomplete(&self, text: &str) -> bool {
        if text.trim_start().starts_with(':') || text.trim().is_empty() {
            return false;
        }
        if self.syntax == crate::syntax::Syntax::Campl {
            return crate::syntax::campl::repl_incomplete(text);
        }
        let (_, errors) = parse_repl(FileId(u32::MAX), text);
        errors.iter().any(|e| e.incomplete)
    }

    /// Runs one complete input: a `:` command, declarations, statements,
    /// an expression.
    pub fn eval(&mut self, text: &str) -> Status {
        self.interrupt.store(false, Ordering::Release);
        let status = match text.trim_start().strip_prefix(':') {
            Some(command) => self.command(command.trim()),
            None => {
                self.input(text);
                Status::Continue
            }
        };
        self.live.settle(self.settle, &self.interrupt);
        self.report_failures();
        let _ = self.out.lock().flush();
        status
    }

    fn input(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let Some((file, ReplInput { items, expr })) = self.parse_input(text) else {
            return;
        };
        let (decls, stmts): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|i| !matches!(i.node, Item::Stmt(_) | Item::Import(_)));
        if !decls.is_empty() && !self.declare(Module { items: decls }, None) {
            return;
        }
        let stmts: Vec<Spanned<Stmt>> = stmts
            .into_iter()
            .filter_map(|i| match i.node {
                Item::Stmt(s) => Some(Spanned::new(s, i.span)),
                _ => None,
            })
            .collect();
        let span = Span::new(file, 0, text.len());
        match expr {
            Some(e) => self.expression(stmts, e, span),
            None if !stmts.is_empty() => {
                self.statements(stmts, span);
            }
            None => {}
        }
    }

    /// Adds `text` to the source map as the next `<repl:N>` and parses
    /// it; syntax errors are reported (and give `None`).
    fn parse_input(&mut self, text: &str) -> Option<(FileId, ReplInput)> {
        self.inputs += 1;
        let name = format!("<repl:{}>", self.inputs);
        let file = self.sources.add(name, text.to_string());
        if self.syntax == crate::syntax::Syntax::Campl {
            return self.parse_campl_input(file, text);
        }
        let (parsed, errors) = parse_repl(file, text);
        if !errors.is_empty() {
            let diags: Vec<Diagnostic> = errors.iter().map(Diagnostic::from).collect();
            self.report(&diags);
            return None;
        }
        parsed.map(|p| (file, p))
    }

    /// An input in CaMPL's syntax, lowered into the shared tree with the
    /// earlier definitions in scope.
    fn parse_campl_input(&mut self, file: FileId, text: &str) -> Option<(FileId, ReplInput)> {
        use crate::syntax::campl;
        let (tree, errors) = campl::parse_repl_tree(file, text);
        let report = |me: &Self, errors: &[crate::syntax::SyntaxError]| {
            let diags: Vec<Diagnostic> = errors.iter().map(Diagnostic::from).collect();
            me.report(&diags);
        };
        if !errors.is_empty() {
            report(self, &errors);
            return None;
        }
        let tree = tree?;
        let held: Vec<String> = self.held.iter().map(|h| h.binding.name.clone()).collect();
        let (items, expr, errors) = campl::lower::lower_repl(&self.campl, &tree, &held);
        if !errors.is_empty() {
            report(self, &errors);
            return None;
        }
        if let campl::tree::ReplTree::Defns(defns) = tree {
            self.campl.extend(defns);
        }
        Some((file, ReplInput { items, expr }))
    }

    // -----------------------------------------------------------------------
    // Declarations

    /// Adds `module`'s declarations, replacing those of the same names;
    /// refused (and nothing changes) if anything then fails to check.
    fn declare(&mut self, module: Module, file: Option<PathBuf>) -> bool {
        let names: Vec<String> = module.items.iter().flat_map(declared_names).collect();
        let mut replaced = Vec::new();
        let mut decls: im::Vector<Rc<Declarations>> = im::Vector::new();
        for d in &self.decls {
            let clashes = |item: &Spanned<Item>| -> Vec<String> {
                declared_names(item)
                    .into_iter()
                    .filter(|n| names.contains(n))
                    .collect()
            };
            if d.module.items.iter().all(|i| clashes(i).is_empty()) {
                decls.push_back(d.clone());
                continue;
            }
            let mut kept = Declarations::clone(d);
            kept.module.items.retain(|item| {
                let clash = clashes(item);
                if !clash.is_empty() {
                    replaced.push((clash.join(", "), item.span));
                }
                clash.is_empty()
            });
            decls.push_back(Rc::new(kept));
        }
        decls.push_back(Rc::new(Declarations { module, file }));
        let old = std::mem::replace(&mut self.decls, decls);
        match self.new_generation() {
            Ok(()) => {
                for (names, at) in replaced {
                    let at = self.sources.describe(at);
                    self.say(&format!(
                        "{names}: redefined (the old definition, at {at}, is replaced)"
                    ));
                }
                true
            }
            Err(diags) => {
                self.decls = old;
                self.report(&diags);
                if !replaced.is_empty() {
                    let history = self.history_files();
                    let in_history = diags
                        .iter()
                        .any(|d| d.span().is_some_and(|s| history.contains(&s.file)));
                    self.say(&match in_history {
                        true => "the redefinition is refused: earlier inputs of this session do not check with it (above); the old definition stays".to_string(),
                        false => "the redefinition is refused; the old definition stays".to_string(),
                    });
                }
                false
            }
        }
    }

    /// Checks the declarations with the history and, if all is well,
    /// compiles them as a new generation of the session's program.
    fn new_generation(&mut self) -> Result<(), Vec<Diagnostic>> {
        let base = self.live.program().functions.len() as FuncId;
        let ids = Ids {
            declarations: base,
            fresh: base,
            codata: self.live.program().codata.len() as u32,
        };
        let checked = self.check(&[], Span::default(), ids, true)?;
        let Some(generation) = checked.generation else {
            return Ok(());
        };
        let signatures = checked.signatures;
        let extended = self.live.extend(|p| {
            p.functions.extend(generation.functions);
            p.functions.extend(checked.functions);
            p.codata.extend(generation.codata);
            p.ctor_fields.extend(generation.ctor_fields);
            p.prelude = generation.prelude;
            p.tags = checked.tags;
            p.dtors = checked.dtors;
        });
        extended.map_err(|e| vec![Diagnostic::from(&e)])?;
        self.ids = ids;
        self.signatures = Some(signatures);
        Ok(())
    }

    fn check(
        &self,
        line: &[Spanned<Stmt>],
        line_span: Span,
        ids: Ids,
        new_generation: bool,
    ) -> Result<CheckedLine, Vec<Diagnostic>> {
        let held: Vec<String> = self.held.iter().map(|h| h.binding.name.clone()).collect();
        let program = self.live.program();
        let input = SessionInput {
            prelude: self.prelude.iter().collect(),
            declarations: self.decls.iter().map(|d| &d.module).collect(),
            history: self.history.iter().map(|l| &l[..]).collect(),
            line,
            line_span,
            held: &held,
            tags: &program.tags,
            dtors: &program.dtors,
            ids,
            new_generation,
            known: self.signatures.as_ref().filter(|_| !new_generation),
            partial_matches: self.syntax == crate::syntax::Syntax::Campl,
        };
        let checked = check_session(&input)
            .map_err(|errs| errs.iter().map(Diagnostic::from).collect::<Vec<_>>())?;
        let warnings: Vec<Diagnostic> = checked.warnings.iter().map(Diagnostic::from).collect();
        self.report_warnings(&warnings);
        Ok(checked)
    }

    /// Calls `f` with the session's declarations as the checker takes
    /// them (no line), for the questions `commands` asks.
    fn with_input<T>(&self, f: impl FnOnce(&SessionInput<'_>) -> T) -> T {
        let program = self.live.program();
        let input = SessionInput {
            prelude: self.prelude.iter().collect(),
            declarations: self.decls.iter().map(|d| &d.module).collect(),
            history: Vec::new(),
            line: &[],
            line_span: Span::default(),
            held: &[],
            tags: &program.tags,
            dtors: &program.dtors,
            ids: self.ids,
            new_generation: false,
            known: None,
            partial_matches: self.syntax == crate::syntax::Syntax::Campl,
        };
        f(&input)
    }

    /// Channels at `close` are finished: the session lets go of them
    /// (their `close : ...` line was printed with the input's answer).
    fn let_go_of_finished(&mut self) {
        self.held.retain(|h| !h.binding.finished);
    }

    fn holds(&self, name: &str) -> bool {
        self.held.iter().any(|h| h.binding.name == name)
    }

    /// The files of the inputs the session's process has run.
    fn history_files(&self) -> Vec<FileId> {
        self.history
            .iter()
            .filter_map(|line| line.first().map(|s| s.span.file))
            .collect()
    }

    // -----------------------------------------------------------------------
    // Lines of the session's process

    /// An expression: bound to `it` and printed with its type. A held
    /// channel named alone shows its state; a `put` or `close` chain (whose
    /// value is the channel it acts on) runs as a statement, since binding
    /// its value to `it` would take the channel from its name.
    fn expression(&mut self, mut stmts: Vec<Spanned<Stmt>>, e: Spanned<Expr>, span: Span) {
        if let Expr::Var(name) = &e.node
            && stmts.is_empty()
            && let Some(h) = self
                .held
                .iter()
                .find(|h| &h.binding.name == name && h.binding.linear)
        {
            return self.say(&format!("{name} : {}", h.binding.ty));
        }
        if let Expr::Var(name) = &e.node
            && stmts.is_empty()
            && !self.holds(name)
            && let Some(sig) = self.signature(name)
        {
            return self.say(&format!("{} : {}", sig.name, sig.text));
        }
        if matches!(e.node, Expr::Put { .. } | Expr::Close(_)) {
            let span_e = e.span;
            stmts.push(Spanned::new(Stmt::Expr(e), span_e));
            return self.statements(stmts, span);
        }
        stmts.push(bind_it(e));
        match self.check_line(&stmts, span) {
            Ok(checked) => {
                if let Some(before) = self.run(stmts, checked) {
                    self.print_it();
                    self.print_changes(&before);
                    self.let_go_of_finished();
                }
            }
            Err(diags) => self.report(&diags),
        }
    }

    /// Statements: checked after the history, then run.
    fn statements(&mut self, stmts: Vec<Spanned<Stmt>>, span: Span) {
        match self.check_line(&stmts, span) {
            Ok(checked) => {
                if let Some(before) = self.run(stmts, checked) {
                    self.print_changes(&before);
                    self.let_go_of_finished();
                }
            }
            Err(diags) => self.report(&diags),
        }
    }

    fn check_line(
        &self,
        stmts: &[Spanned<Stmt>],
        span: Span,
    ) -> Result<CheckedLine, Vec<Diagnostic>> {
        if let Some(d) = stmts.iter().find_map(ends_session) {
            return Err(vec![d]);
        }
        let fresh = self.live.program().functions.len() as FuncId;
        let ids = Ids { fresh, ..self.ids };
        self.check(stmts, span, ids, false)
    }

    /// Runs a checked line; on success the session holds what the line
    /// left, and what it held before is returned.
    fn run(&mut self, stmts: Vec<Spanned<Stmt>>, checked: CheckedLine) -> Option<Vec<Held>> {
        let func = self.live.program().functions.len() as FuncId;
        let grown = self.live.extend(|p| {
            p.functions.extend(checked.functions);
            p.tags = checked.tags;
            p.dtors = checked.dtors;
        });
        if let Err(e) = grown {
            self.report(&[Diagnostic::from(&e)]);
            return None;
        }
        let values: Vec<Value> = self.held.iter().map(|h| h.value.clone()).collect();
        match self.live.run_line(func, values, &self.interrupt) {
            LineOutcome::Done(results) => {
                let before = std::mem::take(&mut self.held);
                self.held = held_after(&checked.results, results, checked.held);
                self.history.push_back(stmts.into());
                Some(before)
            }
            LineOutcome::Failed(e) => {
                self.report(&[Diagnostic::from(&e)]);
                self.say("the session holds what it held before this input");
                None
            }
            LineOutcome::Stuck(waits) => {
                self.report(&[stuck(&waits)]);
                None
            }
            LineOutcome::Interrupted => {
                self.say("interrupted; the session holds what it held before this input");
                None
            }
        }
    }

    // -----------------------------------------------------------------------
    // Output

    fn say(&self, text: &str) {
        let _ = writeln!(self.out.lock(), "{text}");
    }

    fn report(&self, diags: &[Diagnostic]) {
        let mut out = self.out.lock();
        for d in diags.iter().take(crate::MAX_DIAGNOSTICS) {
            let _ = write!(out, "{}", diagnostics::render(d, &self.sources, self.color));
        }
    }

    fn report_warnings(&self, warnings: &[Diagnostic]) {
        let mut out = self.out.lock();
        for w in warnings.iter().take(crate::MAX_DIAGNOSTICS) {
            let _ = write!(
                out,
                "{}",
                diagnostics::render_warning(w, &self.sources, self.color)
            );
        }
    }

    /// Failures of processes started from the session, since the last input.
    fn report_failures(&mut self) {
        let failures = self.live.take_failures();
        let diags: Vec<Diagnostic> = failures.iter().map(Diagnostic::from).collect();
        self.report(&diags);
    }
}

/// The prelude resolved and compiled as the session program's first
/// generation.
fn first_generation(
    prelude: &[Module],
    sources: &mut SourceMap,
) -> Result<(Program, Signatures), String> {
    let empty = sources.add("<repl>", "");
    let input = SessionInput {
        prelude: prelude.iter().collect(),
        declarations: Vec::new(),
        history: Vec::new(),
        line: &[],
        line_span: Span::new(empty, 0, 0),
        held: &[],
        tags: &[],
        dtors: &[],
        ids: Ids::default(),
        new_generation: true,
        known: None,
        partial_matches: false,
    };
    let checked = check_session(&input).map_err(|_| "the prelude does not check".to_string())?;
    let generation = checked
        .generation
        .ok_or_else(|| "the prelude was not resolved".to_string())?;
    let mut functions = generation.functions;
    functions.extend(checked.functions);
    let program = Program {
        functions,
        tags: checked.tags,
        dtors: checked.dtors,
        codata: generation.codata,
        entry: 0,
        ctor_fields: generation.ctor_fields,
        monitor: Default::default(),
        prelude: generation.prelude,
    };
    Ok((program, checked.signatures))
}

/// The top-level names an item declares (functions, processes, types,
/// protocols): a later item with one of them replaces it.
fn declared_names(item: &Spanned<Item>) -> Vec<String> {
    match &item.node {
        Item::Function(f) => vec![f.name.node.clone()],
        Item::Fold(fs) => fs.iter().map(|f| f.node.name.node.clone()).collect(),
        Item::Process(p) => vec![p.name.node.clone()],
        Item::Data(d) => vec![d.name.node.clone()],
        Item::Codata(c) => vec![c.name.node.clone()],
        Item::Protocol(p) => vec![p.name.node.clone()],
        Item::Import(_) | Item::Stmt(_) => Vec::new(),
    }
}

/// `let it = e;`: how an expression entered in the session is run.
fn bind_it(e: Spanned<Expr>) -> Spanned<Stmt> {
    let span = e.span;
    let stmt = Stmt::Let {
        pattern: Spanned::new(Pattern::Var("it".into()), span),
        ty: None,
        value: e,
    };
    Spanned::new(stmt, span)
}

/// `halt` and `fork` would end the session's process: refused.
fn ends_session(s: &Spanned<Stmt>) -> Option<Diagnostic> {
    let what = match &s.node {
        Stmt::Halt => "`halt`",
        Stmt::Fork { .. } => "`fork`",
        _ => return None,
    };
    Some(Diagnostic {
        code: None,
        message: format!("{what} would end the session's own process"),
        primary: Some((s.span, "not in the REPL".into())),
        secondary: Vec::new(),
        help: Some("start a process that does it, or leave the REPL with `:quit`".into()),
    })
}

/// What the session holds after a line: the bindings the checker says are
/// live, with the values the line sent back under their names.
fn held_after(names: &[String], values: Vec<Value>, live: Vec<SessionBinding>) -> Vec<Held> {
    let mut by_name: std::collections::HashMap<&str, Value> =
        names.iter().map(String::as_str).zip(values).collect();
    live.into_iter()
        .filter_map(|binding| {
            let value = by_name.remove(binding.name.as_str())?;
            Some(Held { binding, value })
        })
        .collect()
}

/// The report for a line that can never finish.
fn stuck(waits: &[runtime::WaitReport]) -> Diagnostic {
    let mut d = diagnostics::waiting(waits, false);
    d.message = format!("this input can never finish: {}", d.message);
    d.help = Some(
        "nothing else can run, so the other side will never answer; the session holds what it held before this input".into(),
    );
    d
}
