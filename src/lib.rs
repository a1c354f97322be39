//! MPL: an interpreter for a concurrent language whose channels follow
//! checked protocols. This file holds the module table and the pipeline:
//! load and parse (prelude, program, imports), check, run.
//!
//! Data flows one way: `syntax` → `check` → `eval` → `runtime`, with
//! `services` reached by `eval` only through `host::Services` (this file
//! joins the two). The REPL is a front end on the same pipeline:
//! `session` (a library `Session`) and `repl` (its terminal side). Real I/O
//! happens in `services`, `main.rs`, `repl`, and here only to read source
//! files; a run takes its streams as arguments (`host::Host`) so tests run
//! programs in-process. Rendering diagnostics is `diagnostics`'s; nothing
//! here decides what is an error.

pub mod allocator;
pub mod check;
pub mod diagnostics;
pub mod eval;
pub mod explain;
pub mod host;
pub mod ir;
pub mod lsp;
pub mod memory;
pub mod protocol_graph;
pub mod repl;
pub mod runtime;
pub mod services;
pub mod session;
pub mod source;
pub mod syntax;
pub mod trace;
pub mod value;

use diagnostics::Diagnostic;
use eval::RunOutcome;
use host::Host;
use source::{FileId, SourceMap, Span, Spanned};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use syntax::ast::{Item, Module};

mod prelude_files {
    include!(concat!(env!("OUT_DIR"), "/prelude_files.rs"));
}
pub use prelude_files::PRELUDE;

/// Exit codes of `mpl run` and `mpl check` (documented in README.md).
pub mod exit {
    pub const OK: i32 = 0;
    /// The program does not check, or failed at run time.
    pub const FAILED: i32 = 1;
    pub const DEADLOCK: i32 = 2;
    pub const INPUT_EXHAUSTED: i32 = 3;
    /// The command line was wrong, or a file could not be read.
    pub const USAGE: i32 = 64;
    /// Standard output was closed by its reader (a pipe into `head`, say):
    /// the run ended quietly, as a Unix tool killed by SIGPIPE does.
    pub const OUTPUT_CLOSED: i32 = 141;
    pub const INTERRUPTED: i32 = 130;
}

/// At most this many diagnostics are shown for one program.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Largest source file accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024 * 1024;

/// Runs `f` on a thread with a large stack: the parser and the checker
/// recurse over the syntax tree, which user input can make deep.
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .name("mpl-frontend".into())
        .stack_size(1 << 30)
        .spawn(f);
    match handle.map(|h| h.join()) {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => panic!("cannot start the front-end thread: {e}"),
    }
}

/// Where a program's text comes from.
pub enum SourceInput {
    File(PathBuf),
    Text {
        name: String,
        text: String,
    },
    /// The text of the file at `path` as an editor holds it (perhaps not
    /// saved): its imports are found beside `path`.
    Edited {
        path: PathBuf,
        text: String,
    },
}

/// How strict `compile` is.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `mpl check --total`: functions may recurse only inside `fold`
    /// groups.
    pub total: bool,
    /// The surface syntax of the program file (`--syntax`); `None`:
    /// detected from its text.
    pub syntax: Option<syntax::Syntax>,
}

/// Loads the prelude and a program with its imports, parses and checks
/// them. On failure, every diagnostic found, in source order.
pub fn compile(
    sources: &mut SourceMap,
    input: SourceInput,
) -> Result<ir::Program, Vec<Diagnostic>> {
    compile_with(sources, input, Options::default())
}

/// `compile`, with options.
pub fn compile_with(
    sources: &mut SourceMap,
    input: SourceInput,
    options: Options,
) -> Result<ir::Program, Vec<Diagnostic>> {
    compile_with_warnings(sources, input, options).0
}

/// `compile_with`, and the warnings of a program that checks (empty when
/// it does not: errors come first).
pub fn compile_with_warnings(
    sources: &mut SourceMap,
    input: SourceInput,
    options: Options,
) -> (Result<ir::Program, Vec<Diagnostic>>, Vec<Diagnostic>) {
    match compile_all(sources, input, options) {
        Ok((program, warnings)) => (Ok(program), warnings),
        Err(diags) => (Err(cap_diagnostics(diags)), Vec::new()),
    }
}

/// Keeps the first `MAX_DIAGNOSTICS`, and says how many more there were.
fn cap_diagnostics(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diags.len() <= MAX_DIAGNOSTICS {
        return diags;
    }
    let more = diags.len() - MAX_DIAGNOSTICS;
    let at = diags[MAX_DIAGNOSTICS].span();
    diags.truncate(MAX_DIAGNOSTICS);
    diags.push(Diagnostic {
        code: None,
        message: format!("{more} more errors are not shown"),
        primary: at.map(|at| (at, "the next one is here".into())),
        secondary: Vec::new(),
        help: Some("fix the errors above first; later ones are often caused by them".into()),
    });
    diags
}

fn compile_all(
    sources: &mut SourceMap,
    input: SourceInput,
    options: Options,
) -> Result<(ir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    let loaded = load(sources, input, options)?;
    let analysis = check::analyze(&loaded.input(options, false));
    if !analysis.errors.is_empty() {
        return Err(loaded.errors(&analysis.errors));
    }
    let warnings = loaded.warnings(analysis.warnings);
    Ok((analysis.program, warnings))
}

/// What a front end that shows more than a verdict (the language server)
/// learns of a program: its errors (the parser's, or the checker's), its
/// warnings, what each variable is where it is used, and its main file's
/// syntax tree (`None` when it does not parse).
#[derive(Default)]
pub struct Analysis {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub uses: Vec<check::infer::Use>,
    /// Each channel operation, with the channel's state after it.
    pub states_after: Vec<check::infer::Use>,
    pub main: Option<Module>,
    /// The main file's id in the source map (`None` when it was not read).
    pub main_file: Option<FileId>,
    /// The modules the main file imports, directly or not.
    pub imports: Vec<Module>,
    /// The prelude's syntax trees (for definitions and signatures in it).
    pub prelude: Vec<Module>,
}

/// Loads and checks a program as `compile` does, and keeps all it finds.
pub fn analyze(sources: &mut SourceMap, input: SourceInput, options: Options) -> Analysis {
    let loaded = match load(sources, input, options) {
        Ok(loaded) => loaded,
        Err(errors) => {
            return Analysis {
                errors: cap_diagnostics(errors),
                ..Analysis::default()
            };
        }
    };
    let analysis = check::analyze(&loaded.input(options, true));
    let errors = cap_diagnostics(loaded.errors(&analysis.errors));
    let warnings = match errors.is_empty() {
        true => loaded.warnings(analysis.warnings),
        false => Vec::new(),
    };
    Analysis {
        errors,
        warnings,
        uses: analysis.uses,
        states_after: analysis.states_after,
        main: Some(loaded.main),
        main_file: Some(loaded.main_file),
        imports: loaded.imports,
        prelude: loaded.prelude,
    }
}

/// A program read and parsed: the prelude, its main module and imports
/// (CaMPL files lowered), ready for the checker.
struct Loaded {
    prelude: Vec<Module>,
    main: Module,
    imports: Vec<Module>,
    main_file: FileId,
    /// The files in CaMPL's syntax.
    campl_files: HashSet<FileId>,
}

impl Loaded {
    fn input(&self, options: Options, record_uses: bool) -> check::Input<'_> {
        check::Input {
            prelude: self.prelude.iter().collect(),
            imports: self.imports.iter().collect(),
            main: &self.main,
            main_span: Span::new(self.main_file, 0, 0),
            total: options.total,
            // CaMPL's matches may be partial (docs/campl.md).
            partial_matches: self.campl_files.iter().copied().collect(),
            record_uses,
        }
    }

    /// The checker's errors as diagnostics, in CaMPL's words in its files.
    fn errors(&self, errors: &[check::CheckError]) -> Vec<Diagnostic> {
        let campl = |file: FileId| self.campl_files.contains(&file);
        errors
            .iter()
            .map(|e| diagnostics::check_error(e, &campl))
            .collect()
    }

    /// The warnings the checker found, with those of the main file's
    /// syntax tree, in source order.
    fn warnings(&self, mut warnings: Vec<check::warnings::Warning>) -> Vec<Diagnostic> {
        let mut all: Vec<&Module> = self.imports.iter().collect();
        all.push(&self.main);
        let protocols = self
            .prelude
            .iter()
            .chain(all.iter().copied())
            .flat_map(|m| &m.items)
            .filter_map(|i| match &i.node {
                Item::Protocol(p) => Some(p.name.node.clone()),
                _ => None,
            })
            .collect();
        warnings.extend(check::warnings::check(&self.main, &all, &protocols));
        warnings.sort_by_key(|w| {
            let at = w.text().span;
            (at.file, at.start)
        });
        warnings.iter().map(Diagnostic::from).collect()
    }
}

/// Reads and parses the prelude, the program and what it imports (or
/// includes, in CaMPL's syntax); the syntax errors when any.
fn load(
    sources: &mut SourceMap,
    input: SourceInput,
    options: Options,
) -> Result<Loaded, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut prelude = parse_prelude(sources, &mut diags);
    let (name, text, dir) = match input {
        SourceInput::File(path) => match read_source(&path) {
            Ok(text) => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                (path.display().to_string(), text, dir)
            }
            Err(message) => return Err(vec![file_error(message)]),
        },
        SourceInput::Text { name, text } => (name, text, PathBuf::from(".")),
        SourceInput::Edited { path, text } => {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            (path.display().to_string(), text, dir)
        }
    };
    let main_file = sources.add(name, text.as_str());
    let mut campl_files: HashSet<FileId> = HashSet::new();
    let syntax = options
        .syntax
        .unwrap_or_else(|| syntax::campl::detect(&text));
    let (main, imports) = match syntax {
        syntax::Syntax::Campl => {
            prelude.push(parse_campl_support(sources, &mut diags));
            let first_new = sources.files().count();
            let (main, imports, _) = load_campl(sources, main_file, &dir, &prelude, &mut diags);
            campl_files.insert(main_file);
            campl_files.extend(sources.files().skip(first_new).map(|(id, _)| id));
            (main, imports)
        }
        syntax::Syntax::Mpl => {
            let main = parse_into(sources, main_file, &mut diags);
            let imports = load_imports(sources, &main, &dir, &mut diags);
            (main, imports)
        }
    };
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Loaded {
        prelude,
        main,
        imports,
        main_file,
        campl_files,
    })
}

pub(crate) fn read_source(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(format!(
            "{} is larger than {} MB",
            path.display(),
            MAX_SOURCE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

pub(crate) fn file_error(message: String) -> Diagnostic {
    Diagnostic {
        code: Some("file".into()),
        message,
        primary: None,
        secondary: Vec::new(),
        help: Some("check the path and that the file is readable UTF-8 text".into()),
    }
}

/// The helpers CaMPL programs get with the prelude, parsed.
pub(crate) fn parse_campl_support(sources: &mut SourceMap, diags: &mut Vec<Diagnostic>) -> Module {
    let (name, text) = syntax::campl::SUPPORT;
    let file = sources.add(name, text);
    parse_into(sources, file, diags)
}

/// Adds the prelude's files to `sources` and gives their syntax trees, in
/// the prelude's order. A fresh map gives the files the ids that the build
/// script parsed them with (0, 1, ...): the trees are then decoded from
/// the binary (`PRELUDE_SYNTAX`, see `build.rs`), 1.0 M instructions
/// instead of the 9.6 M of a parse. Any other map (one that already holds
/// a file) has them parsed, so that their spans name its ids.
pub(crate) fn parse_prelude(sources: &mut SourceMap, diags: &mut Vec<Diagnostic>) -> Vec<Module> {
    let files = add_prelude_files(sources);
    let fresh = files
        .iter()
        .enumerate()
        .all(|(i, (id, _))| id.0 as usize == i);
    if fresh && let Some(modules) = embedded_prelude() {
        return modules;
    }
    parse_prelude_files(&files, diags)
}

/// The prelude's trees as the build script parsed them (`None` only if
/// the bytes do not decode, which a test rules out: the caller parses).
fn embedded_prelude() -> Option<Vec<Module>> {
    postcard::from_bytes(prelude_files::PRELUDE_SYNTAX).ok()
}

/// Adds the prelude's files to `sources`: their ids and texts, in order.
fn add_prelude_files(sources: &mut SourceMap) -> Vec<(FileId, &'static str)> {
    PRELUDE
        .iter()
        .map(|(name, text)| (sources.add(*name, *text), *text))
        .collect()
}

/// Parses the prelude's files, half of them on a second thread.
fn parse_prelude_files(files: &[(FileId, &str)], diags: &mut Vec<Diagnostic>) -> Vec<Module> {
    // The files are independent: every other one is parsed on a second
    // thread while this one parses the rest. Parsing is most of start-up
    // (9.8 M of the 15.6 M instructions of `mpl run` of a one-line
    // program) and the machine has a core to spare then.
    let parse = |(file, text): &(FileId, &str)| syntax::parse(*file, text);
    let odd_files = || {
        files
            .iter()
            .skip(1)
            .step_by(2)
            .map(parse)
            .collect::<Vec<_>>()
    };
    let (odd, even): (Vec<_>, Vec<_>) = std::thread::scope(|s| {
        // A thread that cannot start (the system is out of them) leaves
        // its half to this one.
        let helper = std::thread::Builder::new().spawn_scoped(s, odd_files);
        let even: Vec<_> = files.iter().step_by(2).map(parse).collect();
        let odd = match helper.map(|h| h.join()) {
            Ok(Ok(odd)) => odd,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => odd_files(),
        };
        (odd, even)
    });
    // Back in the prelude's order: each even file, then the odd one after it.
    let mut odd = odd.into_iter();
    even.into_iter()
        .flat_map(|e| std::iter::once(e).chain(odd.next()))
        .map(|parsed| into_module(parsed, diags))
        .collect()
}

/// Parses a file in our syntax (an MPL program's imports are MPL too).
fn parse_into(sources: &SourceMap, file: FileId, diags: &mut Vec<Diagnostic>) -> Module {
    let text = sources.get(file).text.clone();
    into_module(syntax::parse(file, &text), diags)
}

/// What a parse gave: its errors into `diags`, and the module (empty when
/// nothing could be parsed).
fn into_module(
    (module, errors): (Option<Module>, Vec<syntax::SyntaxError>),
    diags: &mut Vec<Diagnostic>,
) -> Module {
    diags.extend(errors.iter().map(Diagnostic::from));
    module.unwrap_or(Module { items: Vec::new() })
}

/// Follows `import "path";` items transitively, each file once.
pub(crate) fn load_imports(
    sources: &mut SourceMap,
    main: &Module,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Module> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut queue: Vec<(Spanned<String>, PathBuf)> = imports_of(main, dir);
    while let Some((path_lit, base)) = queue.pop() {
        let path = base.join(&path_lit.node);
        let key = path.canonicalize().unwrap_or(path.clone());
        if !seen.insert(key) {
            continue;
        }
        match read_source(&path) {
            Ok(text) => {
                let file = sources.add(path.display().to_string(), text);
                let module = parse_into(sources, file, diags);
                let next_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                queue.extend(imports_of(&module, &next_dir));
                out.push(module);
            }
            Err(reason) => diags.push(Diagnostic::from(&check::CheckError::ImportFailed {
                path: path_lit.node.clone(),
                reason,
                span: path_lit.span,
            })),
        }
    }
    out
}

/// A CaMPL program: the main file and the files it includes, read
/// transitively (each once), parsed, then lowered together so that each
/// sees the others' declarations. Returns the main module, the others,
/// and CaMPL's trees of all of them (the REPL lowers later inputs with
/// them in scope).
pub(crate) fn load_campl(
    sources: &mut SourceMap,
    main_file: FileId,
    dir: &Path,
    prelude: &[Module],
    diags: &mut Vec<Diagnostic>,
) -> (Module, Vec<Module>, Vec<syntax::campl::tree::Defn>) {
    use syntax::campl;
    let parse = |sources: &SourceMap, file: FileId, diags: &mut Vec<Diagnostic>| {
        let (defns, errors) = campl::parse_tree(file, &sources.get(file).text.clone());
        diags.extend(errors.iter().map(Diagnostic::from));
        defns
    };
    let main = parse(sources, main_file, diags);
    let mut seen: Vec<PathBuf> = Vec::new();
    // Each included file once, with the module names it is included as.
    let mut included: Vec<(Vec<syntax::campl::tree::Defn>, Vec<String>)> = Vec::new();
    let mut queue: Vec<_> = campl::includes(&main)
        .into_iter()
        .map(|(p, at, alias)| (p, at, alias, dir.to_path_buf()))
        .collect();
    while let Some((name, at, alias, base)) = queue.pop() {
        let path = base.join(&name);
        let key = path.canonicalize().unwrap_or(path.clone());
        if let Some(k) = seen.iter().position(|p| *p == key) {
            included[k].1.push(alias);
            continue;
        }
        match read_source(&path) {
            Ok(text) => {
                let file = sources.add(path.display().to_string(), text);
                let defns = parse(sources, file, diags);
                let next = path.parent().map(Path::to_path_buf).unwrap_or_default();
                queue.extend(
                    campl::includes(&defns)
                        .into_iter()
                        .map(|(p, at, alias)| (p, at, alias, next.clone())),
                );
                seen.push(key);
                included.push((defns, vec![alias]));
            }
            Err(reason) => diags.push(Diagnostic::from(&check::CheckError::ImportFailed {
                path: name,
                reason,
                span: at,
            })),
        }
    }
    let mut files: Vec<(&[syntax::campl::tree::Defn], Vec<String>)> = included
        .iter()
        .map(|(d, aliases)| (d.as_slice(), aliases.clone()))
        .collect();
    files.push((&main, Vec::new()));
    let mut lowered = campl::lower::lower(&files, &[]);
    if lowered.unserved && diags.is_empty() {
        // A channel of `run` whose service its syntax does not tell: the
        // program's types may (see `campl::lower::Lowered::unserved`).
        let found = run_protocols(&lowered.modules, prelude, main_file);
        if found.iter().any(Option::is_some) {
            lowered = campl::lower::lower(&files, &found);
        }
    }
    diags.extend(lowered.errors.iter().map(Diagnostic::from));
    let mut modules = lowered.modules;
    let main_module = modules.pop().unwrap_or(Module { items: Vec::new() });
    let mut defns: Vec<syntax::campl::tree::Defn> =
        included.into_iter().flat_map(|(d, _)| d).collect();
    defns.extend(main);
    (main_module, modules, defns)
}

/// The protocols the channels of a lowered CaMPL program's `run` are
/// found to have, checking its declarations (`check::process_protocols`
/// leaves the wiring out).
fn run_protocols(modules: &[Module], prelude: &[Module], main_file: FileId) -> Vec<Option<String>> {
    let Some((main, imports)) = modules.split_last() else {
        return Vec::new();
    };
    let input = check::Input {
        prelude: prelude.iter().collect(),
        imports: imports.iter().collect(),
        main,
        main_span: Span::new(main_file, 0, 0),
        total: false,
        partial_matches: Vec::new(),
        record_uses: false,
    };
    check::process_protocols(&input, "run")
}

fn imports_of(module: &Module, dir: &Path) -> Vec<(Spanned<String>, PathBuf)> {
    module
        .items
        .iter()
        .filter_map(|i| match &i.node {
            Item::Import(p) => Some((p.clone(), dir.to_path_buf())),
            _ => None,
        })
        .collect()
}

/// Runs a checked program and says how it ended: the exit code and, for a
/// failure, the diagnostic to show.
pub fn run_program(
    program: ir::Program,
    host: Host,
    config: runtime::Config,
) -> (i32, Option<Diagnostic>) {
    // The calling thread becomes worker 0: give it a worker's stack.
    let outcome =
        with_big_stack(move || eval::run(Arc::new(program), host, services::open, config));
    match outcome {
        RunOutcome::Finished => (exit::OK, None),
        RunOutcome::Failed(e) if e.output_closed => (exit::OUTPUT_CLOSED, None),
        RunOutcome::Failed(e) => (exit::FAILED, Some(Diagnostic::from(&e))),
        RunOutcome::Deadlock(r) => (exit::DEADLOCK, Some(diagnostics::waiting(&r, false))),
        RunOutcome::InputExhausted(r) => {
            (exit::INPUT_EXHAUSTED, Some(diagnostics::waiting(&r, true)))
        }
        RunOutcome::Interrupted => (exit::INTERRUPTED, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prelude_parsed_on_two_threads_is_the_prelude_parsed_in_order() {
        let mut sources = SourceMap::default();
        let mut diags = Vec::new();
        let files = add_prelude_files(&mut sources);
        let modules = parse_prelude_files(&files, &mut diags);
        assert!(diags.is_empty(), "the prelude parses cleanly");
        assert_prelude_as_parsed_apart(&sources, &modules, 0);
    }

    /// `modules` are the prelude's files parsed one by one, the first one
    /// with id `first` in `sources`.
    fn assert_prelude_as_parsed_apart(sources: &SourceMap, modules: &[Module], first: u32) {
        assert_eq!(modules.len(), PRELUDE.len());
        for (i, (module, (name, text))) in modules.iter().zip(PRELUDE).enumerate() {
            let file = FileId(first + i as u32);
            assert_eq!(sources.get(file).name, *name);
            let (alone, errors) = syntax::parse(file, text);
            assert!(errors.is_empty());
            assert_eq!(Some(module), alone.as_ref(), "{name} parsed apart");
        }
    }

    #[test]
    fn the_embedded_prelude_is_the_prelude_parsed_now() {
        let modules = embedded_prelude().expect("the embedded trees decode");
        let mut sources = SourceMap::default();
        add_prelude_files(&mut sources);
        assert_prelude_as_parsed_apart(&sources, &modules, 0);
    }

    #[test]
    fn the_prelude_loaded_again_is_the_prelude_with_its_own_file_ids() {
        for _ in 0..3 {
            let mut sources = SourceMap::default();
            let mut diags = Vec::new();
            let modules = parse_prelude(&mut sources, &mut diags);
            assert!(diags.is_empty());
            assert_prelude_as_parsed_apart(&sources, &modules, 0);
        }
        // A map that already holds a file gives the prelude other ids: its
        // spans must name those, not the embedded trees'.
        let mut sources = SourceMap::default();
        sources.add("before.mpl", "");
        let mut diags = Vec::new();
        let modules = parse_prelude(&mut sources, &mut diags);
        assert!(diags.is_empty());
        assert_prelude_as_parsed_apart(&sources, &modules, 1);
    }
}
