//! The `mpl` command line: `mpl run FILE [ARGS...]`, `mpl check FILE` and
//! `mpl repl [FILE]` (also plain `mpl`). Parses arguments (clap), wires the
//! real stdin/stdout/stderr into the pipeline of `lib.rs` or into a REPL
//! session (`mpl::session`, `mpl::repl`), prints diagnostics and sets the
//! exit code.

/// mimalloc: interpreted programs allocate and free many small values
/// (list cells, strings, messages) from several worker threads.
/// Wrapped to count the bytes held, for `--max-memory` (`mpl::memory`).
#[global_allocator]
static ALLOCATOR: mpl::memory::Counting<mpl::allocator::Mimalloc> =
    mpl::memory::Counting(mpl::allocator::Mimalloc);

use clap::{Parser, Subcommand};
use mpl::diagnostics::{self, Diagnostic};
use mpl::host::{Host, Input, Output, RunError};
use mpl::host::{Limits, Permissions};
use mpl::runtime::Handle;
use mpl::source::SourceMap;
use mpl::value::Value;
use mpl::{Options, SourceInput, exit, runtime};
use parking_lot::Mutex;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

#[derive(Parser)]
#[command(
    name = "mpl",
    version,
    about = "Run and check MPL programs: processes that talk over channels with checked protocols"
)]
struct Cli {
    /// Without a command, `mpl` starts the REPL.
    #[command(subcommand)]
    command: Option<Command>,
}

/// How processes run: threads, scheduling and what services may reach.
#[derive(clap::Args, Default)]
struct RunOptions {
    /// Worker threads (default: one per core; at least 1).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    threads: Option<u64>,
    /// Run single-threaded with a seeded scheduler: the same seed gives
    /// the same interleaving and output.
    #[arg(long)]
    seed: Option<u64>,
    /// Let `fileSystem` read under DIR (repeatable; default: the
    /// current folder).
    #[arg(long = "allow-read", value_name = "DIR")]
    allow_read: Vec<PathBuf>,
    /// Let `fileSystem` write under DIR (repeatable; default: nowhere).
    #[arg(long = "allow-write", value_name = "DIR")]
    allow_write: Vec<PathBuf>,
    /// The address `tcpListenService` listens on: `--allow-net` alone
    /// or `--allow-net=127.0.0.1` (the default) for this machine only,
    /// `--allow-net=0.0.0.0` for everyone, `--allow-net=none` to deny.
    #[arg(long = "allow-net", value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1")]
    allow_net: Option<String>,
    /// Calls a process may have open at once before it fails with "stack
    /// overflow" (default: 2,000,000).
    #[arg(long = "max-stack", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_stack: Option<u64>,
    /// Processes alive at once before starting another fails the run
    /// (default: 1,000,000).
    #[arg(long = "max-processes", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_processes: Option<u64>,
    /// Memory the run may hold before it fails with "out of memory":
    /// bytes, or with K, M, G or T (512M, 2G). Default: three quarters
    /// of the machine's memory.
    #[arg(long = "max-memory", value_name = "SIZE", value_parser = mpl::memory::parse_size)]
    max_memory: Option<usize>,
    #[command(flatten)]
    syntax: SyntaxOption,
}

/// `mpl run`'s tracing: what happened, as lines or as a picture.
#[derive(clap::Args, Clone)]
struct TraceOptions {
    /// Write each event (a process started or ended, a message put or
    /// got, with its channel, value and source position) to standard
    /// error as it happens.
    #[arg(long)]
    trace: bool,
    /// Write the run as a message sequence chart: a page with no
    /// external resources, one lifeline per process, one arrow per
    /// message.
    #[arg(long = "trace-html", value_name = "OUT.html")]
    trace_html: Option<PathBuf>,
    /// The most events a trace keeps; the page says when it was cut.
    #[arg(long = "trace-limit", value_name = "N", default_value_t = mpl::trace::DEFAULT_LIMIT)]
    trace_limit: usize,
}

/// `--syntax`: which surface syntax the program file is written in.
#[derive(clap::Args, Default, Clone, Copy)]
struct SyntaxOption {
    /// The program file's syntax: `mpl`, or `campl` (the syntax of the
    /// lab's CaMPL). Default: detected from the file (see docs/campl.md).
    #[arg(long, value_enum, value_name = "SYNTAX")]
    syntax: Option<SyntaxArg>,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum SyntaxArg {
    Mpl,
    Campl,
}

impl SyntaxOption {
    fn get(self) -> Option<mpl::syntax::Syntax> {
        self.syntax.map(|s| match s {
            SyntaxArg::Mpl => mpl::syntax::Syntax::Mpl,
            SyntaxArg::Campl => mpl::syntax::Syntax::Campl,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check a program, then run it. ARGS become the program's `args`.
    /// mpl's flags go before FILE; a flag-like argument for the program
    /// goes after `--` (`mpl run prog.mpl -- -v`).
    Run {
        /// The program, then its arguments (`args : [String]`).
        #[arg(
            value_name = "FILE [ARGS]...",
            required = true,
            num_args = 1..,
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        command: Vec<String>,
        #[command(flatten)]
        options: RunOptions,
        #[command(flatten)]
        trace: TraceOptions,
    },
    /// An interactive session: declarations, expressions and statements,
    /// checked and run as you type them. FILE's declarations are loaded;
    /// its wiring runs on `:run`.
    Repl {
        file: Option<PathBuf>,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Check a program without running it; exit 0 if it is clean.
    Check {
        file: PathBuf,
        /// Also reject functions that recurse outside `fold` groups.
        #[arg(long)]
        total: bool,
        /// Treat warnings as errors (exit 1 if there are any).
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        syntax: SyntaxOption,
    },
    /// Draw a protocol as a state machine: its states (the points between
    /// steps) and transitions, as text, Graphviz dot (`--dot`) or SVG
    /// (`--svg`). NAME may be `neg<NAME>` for the other end.
    Protocol {
        file: PathBuf,
        name: String,
        /// Print Graphviz `dot` (render with `dot -Tsvg`).
        #[arg(long, conflicts_with = "svg")]
        dot: bool,
        /// Print an SVG (laid out without Graphviz).
        #[arg(long)]
        svg: bool,
        #[command(flatten)]
        syntax: SyntaxOption,
    },
    /// Explain an error or warning code (`mpl explain E0060`): a program
    /// that makes it, the report, and the program fixed. Without a code,
    /// list them all.
    Explain { code: Option<String> },
    /// Serve editors: a language server on standard input and output
    /// (diagnostics, hover with each channel's protocol state, go to
    /// definition, outline); see docs/editors.md.
    Lsp,
}

/// The running program, for the Ctrl-C handler.
static RUNNING: OnceLock<Handle<Value, RunError>> = OnceLock::new();

/// The REPL session's interrupt flag: Ctrl-C while a line runs abandons it.
static REPL_INTERRUPT: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Ctrl-C ends a run cleanly (exit 130, output flushed); a panic, which is
/// a bug in mpl, is reported as such rather than as a Rust backtrace.
fn install_handlers() {
    let _ = ctrlc::set_handler(|| {
        if let Some(flag) = REPL_INTERRUPT.get() {
            return flag.store(true, Ordering::Release);
        }
        match RUNNING.get() {
            Some(h) => h.stop(),
            None => std::process::exit(exit::INTERRUPTED),
        }
    });
    std::panic::set_hook(Box::new(|info| {
        eprintln!("mpl: internal error: {info}");
        eprintln!(
            "This is a bug in mpl, not in your program; please report it with the program that caused it."
        );
    }));
}

fn main() {
    install_handlers();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match cli.command {
        Some(Command::Run {
            command,
            options,
            trace,
        }) => {
            let mut command = command.into_iter();
            let file = PathBuf::from(command.next().unwrap_or_default());
            let args = command.collect();
            let syntax = options.syntax.get();
            with_options(options, |p, config, l| {
                run(file, args, syntax, (config, trace), p, l)
            })
        }
        Some(Command::Repl { file, options }) => {
            let syntax = options.syntax.get().unwrap_or_default();
            with_options(options, |p, config, l| repl(file, syntax, config, p, l))
        }
        None => with_options(RunOptions::default(), |p, config, l| {
            repl(None, Default::default(), config, p, l)
        }),
        Some(Command::Check {
            file,
            total,
            deny_warnings,
            syntax,
        }) => check(file, total, deny_warnings, syntax.get()),
        Some(Command::Protocol {
            file,
            name,
            dot,
            svg,
            syntax,
        }) => {
            let format = match (dot, svg) {
                (true, _) => mpl::protocol_graph::Format::Dot,
                (_, true) => mpl::protocol_graph::Format::Svg,
                _ => mpl::protocol_graph::Format::Text,
            };
            protocol(file, &name, format, syntax.get())
        }
        Some(Command::Explain { code }) => explain(code.as_deref()),
        Some(Command::Lsp) => match mpl::lsp::run() {
            Ok(()) => mpl::exit::OK,
            Err(e) => {
                eprintln!("mpl lsp: {e}");
                mpl::exit::FAILED
            }
        },
    };
    std::process::exit(code);
}

/// `mpl explain [CODE]`: one entry of the error index, or the list.
fn explain(code: Option<&str>) -> i32 {
    let Some(code) = code else {
        for e in mpl::explain::entries(mpl::explain::INDEX) {
            println!("{}  {}", e.code, e.title);
        }
        return exit::OK;
    };
    match mpl::explain::find(code) {
        Some(entry) => {
            println!("{}", entry.text);
            exit::OK
        }
        None => {
            eprintln!("mpl: no error or warning has the code `{code}`; `mpl explain` lists them");
            exit::USAGE
        }
    }
}

/// The process's standard input: read in place when it is a regular file
/// (a read then never waits), else on a thread of its own.
fn stdin_input() -> Input {
    let stdin = std::io::stdin();
    match stdin_is_a_file(&stdin) {
        true => Input::ready(Box::new(stdin)),
        false => Input::waiting(Box::new(stdin)),
    }
}

#[cfg(unix)]
fn stdin_is_a_file(stdin: &std::io::Stdin) -> bool {
    use std::os::fd::AsFd;
    let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|m| m.is_file())
}

#[cfg(not(unix))]
fn stdin_is_a_file(_: &std::io::Stdin) -> bool {
    false
}

/// Colour only on a terminal that can show it, and unless `NO_COLOR` is set.
fn color() -> bool {
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() && !dumb
}

/// The exit code for diagnostics that stopped a program before it ran:
/// 64 when the file itself could not be read, 1 for errors in it.
fn failed(diags: &[Diagnostic]) -> i32 {
    match diags {
        [only] if only.code.as_deref() == Some("file") => exit::USAGE,
        _ => exit::FAILED,
    }
}

/// The program's own arguments: everything after FILE, except that a
/// flag there is refused (it is most likely one of `mpl`'s, written too
/// late) unless a `--` comes first; the first `--` is dropped.
fn program_args(args: Vec<String>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut after_dashes = false;
    for a in args {
        if !after_dashes && a == "--" {
            after_dashes = true;
        } else if !after_dashes && a.starts_with('-') && a.len() > 1 {
            return Err(format!(
                "`{a}` comes after the program file, where it would be the program's argument\n  \
                 mpl's own flags go before the file: `mpl run {a} ... FILE`; to pass `{a}` to the program, write `--` before it"
            ));
        } else {
            out.push(a);
        }
    }
    Ok(out)
}

fn report(diags: &[Diagnostic], sources: &SourceMap) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = write!(err, "{}", diagnostics::render(d, sources, color()));
    }
    if diags.len() > 1 {
        let _ = writeln!(err, "{} errors", diags.len());
    }
    // As rustc does: point at the index for the codes shown.
    let mut codes: Vec<&str> = diags
        .iter()
        .filter_map(|d| d.code.as_deref())
        .filter(|c| mpl::explain::find(c).is_some())
        .collect();
    codes.dedup();
    if let Some(first) = codes.first() {
        let _ = writeln!(
            err,
            "For an example and its fix, run `mpl explain {first}`{}.",
            if codes.len() > 1 {
                " (or another code above)"
            } else {
                ""
            }
        );
    }
}

/// Loads and checks `file`; its warnings are drawn on stderr at once.
fn load_checked(
    file: PathBuf,
    options: Options,
) -> (SourceMap, Result<mpl::ir::Program, Vec<Diagnostic>>, usize) {
    let (sources, result, warnings) = mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let (result, warnings) =
            mpl::compile_with_warnings(&mut sources, SourceInput::File(file), options);
        (sources, result, warnings)
    });
    let mut err = std::io::stderr().lock();
    for w in &warnings {
        let _ = write!(err, "{}", diagnostics::render_warning(w, &sources, color()));
    }
    (sources, result, warnings.len())
}

fn check(
    file: PathBuf,
    total: bool,
    deny_warnings: bool,
    syntax: Option<mpl::syntax::Syntax>,
) -> i32 {
    let (sources, result, warnings) = load_checked(file, Options { total, syntax });
    match result {
        Ok(_) if deny_warnings && warnings > 0 => {
            eprintln!("mpl: {warnings} warning(s), and --deny-warnings makes them errors");
            exit::FAILED
        }
        Ok(_) => exit::OK,
        Err(diags) => {
            report(&diags, &sources);
            failed(&diags)
        }
    }
}

/// `mpl protocol FILE NAME`: the protocol drawn, from the program's
/// declarations, the files it imports and the prelude (a program that
/// does not check still has its protocols drawn if they parse).
fn protocol(
    file: PathBuf,
    name: &str,
    format: mpl::protocol_graph::Format,
    syntax: Option<mpl::syntax::Syntax>,
) -> i32 {
    let mut sources = SourceMap::new();
    let options = Options {
        syntax,
        ..Options::default()
    };
    let analysis = mpl::analyze(&mut sources, SourceInput::File(file), options);
    let Some(main) = &analysis.main else {
        report(&analysis.errors, &sources);
        return failed(&analysis.errors);
    };
    let modules: Vec<&mpl::syntax::ast::Module> = std::iter::once(main)
        .chain(&analysis.imports)
        .chain(&analysis.prelude)
        .collect();
    match mpl::protocol_graph::draw(&modules, name, format) {
        Ok(text) => {
            print!("{text}");
            exit::OK
        }
        Err(message) => {
            eprintln!("mpl: {message}");
            exit::FAILED
        }
    }
}

/// The permissions a run gets from its flags.
fn permissions(
    read: Vec<PathBuf>,
    write: Vec<PathBuf>,
    net: Option<String>,
) -> Result<Permissions, String> {
    let mut p = Permissions::default();
    if !read.is_empty() {
        p.read = read;
    }
    p.write = write;
    p.listen = match net.as_deref() {
        None => p.listen,
        Some("none") => None,
        Some(addr) => Some(addr.parse().map_err(|_| {
            format!("--allow-net={addr}: not an IP address (try 127.0.0.1 or 0.0.0.0)")
        })?),
    };
    Ok(p)
}

/// Turns the run options into permissions and a runtime configuration
/// and calls `f`, or reports a wrong option (exit 64).
fn with_options(
    options: RunOptions,
    f: impl FnOnce(Permissions, runtime::Config, Limits) -> i32,
) -> i32 {
    let permissions = match permissions(options.allow_read, options.allow_write, options.allow_net)
    {
        Ok(p) => p,
        Err(message) => {
            eprintln!("mpl: {message}");
            return exit::USAGE;
        }
    };
    let mut config = runtime::Config::default();
    if let Some(n) = options.threads {
        config.threads = usize::try_from(n).unwrap_or(usize::MAX).max(1);
    }
    config.seed = options.seed;
    let mut limits = Limits::default();
    if let Some(n) = options.max_stack {
        limits.max_stack = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = options.max_processes {
        limits.max_processes = usize::try_from(n).unwrap_or(usize::MAX);
    }
    mpl::memory::set_limit(options.max_memory.or_else(mpl::memory::default_limit));
    f(permissions, config, limits)
}

/// `mpl repl [FILE]`: a session on the real terminal (or on plain lines
/// when standard input is not one). Processes get no standard input: the
/// REPL reads it.
fn repl(
    file: Option<PathBuf>,
    syntax: mpl::syntax::Syntax,
    config: runtime::Config,
    permissions: Permissions,
    limits: Limits,
) -> i32 {
    let terminal = std::io::stdin().is_terminal();
    let color = color();
    mpl::with_big_stack(move || {
        let start = move |programs: Output| {
            let stderr: Output = Arc::new(Mutex::new(Box::new(std::io::stderr())));
            let host = Host {
                permissions,
                limits,
                ..Host::writing_to(programs, stderr)
            };
            let config = mpl::session::SessionConfig {
                host,
                runtime: config,
                color,
                settle: std::time::Duration::from_millis(250),
                syntax,
            };
            let answers: Output = Arc::new(Mutex::new(Box::new(std::io::stdout())));
            let mut session = match mpl::session::Session::new(config, answers) {
                Ok(s) => s,
                Err(message) => {
                    eprintln!("mpl: cannot start the REPL: {message}");
                    return None;
                }
            };
            let _ = REPL_INTERRUPT.set(session.interrupt_flag());
            if let Some(file) = file {
                session.eval(&format!(":load {}", file.display()));
            }
            Some(session)
        };
        match terminal {
            true => mpl::repl::run_terminal(start),
            false => {
                let stdout: Output = Arc::new(Mutex::new(Box::new(std::io::stdout())));
                mpl::repl::run_lines(start(stdout), std::io::stdin().lock())
            }
        }
        exit::OK
    })
}

fn run(
    file: PathBuf,
    args: Vec<String>,
    syntax: Option<mpl::syntax::Syntax>,
    (config, tracing): (runtime::Config, TraceOptions),
    permissions: Permissions,
    limits: Limits,
) -> i32 {
    let args = match program_args(args) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("mpl: {message}");
            return exit::USAGE;
        }
    };
    let options = Options {
        syntax,
        ..Options::default()
    };
    let (sources, result, _) = load_checked(file.clone(), options);
    let program = match result {
        Ok(p) => p,
        Err(diags) => {
            report(&diags, &sources);
            return failed(&diags);
        }
    };
    let stdout: Output = Arc::new(Mutex::new(Box::new(std::io::stdout())));
    let stderr: Output = Arc::new(Mutex::new(Box::new(std::io::stderr())));
    let trace = (tracing.trace || tracing.trace_html.is_some()).then(|| {
        let live = tracing.trace.then(|| stderr.clone());
        Arc::new(mpl::trace::Trace::new(tracing.trace_limit, live, &sources))
    });
    let on_start: mpl::host::OnStart = Box::new(|h| {
        let _ = RUNNING.set(h);
    });
    let host = Host {
        stdin: stdin_input(),
        stdout,
        stderr,
        args,
        on_start: Some(on_start),
        permissions,
        limits,
        trace: trace.clone(),
    };
    let (code, diag) = mpl::run_program(program, host, config);
    let _ = std::io::stdout().flush();
    if let Some(d) = diag {
        report(&[d], &sources);
    }
    if let (Some(trace), Some(out)) = (trace, tracing.trace_html) {
        let title = file.display().to_string();
        let page = mpl::trace::chart::page(&trace, &trace.recorded(), &title);
        if let Err(e) = std::fs::write(&out, page) {
            eprintln!("mpl: cannot write {}: {e}", out.display());
            return exit::USAGE.max(code);
        }
    }
    code
}
