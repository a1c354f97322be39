//! The `mpl` command line: `mpl run FILE [ARGS...]` and `mpl check FILE`.
//! Parses arguments (clap), wires the real stdin/stdout/stderr into the
//! pipeline of `lib.rs`, prints diagnostics and sets the exit code.

/// mimalloc: interpreted programs allocate and free many small values
/// (list cells, strings, messages) from several worker threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use mpl::diagnostics::{self, Diagnostic};
use mpl::host::Permissions;
use mpl::host::{Host, Output, RunError};
use mpl::runtime::Handle;
use mpl::source::SourceMap;
use mpl::value::Value;
use mpl::{Options, SourceInput, exit, runtime};
use parking_lot::Mutex;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

#[derive(Parser)]
#[command(
    name = "mpl",
    version,
    about = "Run and check MPL programs: processes that talk over channels with checked protocols"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a program, then run it. ARGS become the program's `args`.
    Run {
        file: PathBuf,
        /// Arguments passed to the program as `args : [String]`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
        /// Worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
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
    },
    /// Check a program without running it; exit 0 if it is clean.
    Check {
        file: PathBuf,
        /// Also reject functions that recurse outside `fold` groups.
        #[arg(long)]
        total: bool,
    },
}

/// The running program, for the Ctrl-C handler.
static RUNNING: OnceLock<Handle<Value, RunError>> = OnceLock::new();

/// Ctrl-C ends a run cleanly (exit 130, output flushed); a panic, which is
/// a bug in mpl, is reported as such rather than as a Rust backtrace.
fn install_handlers() {
    let _ = ctrlc::set_handler(|| match RUNNING.get() {
        Some(h) => h.stop(),
        None => std::process::exit(exit::INTERRUPTED),
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
        Command::Run {
            file,
            args,
            threads,
            seed,
            allow_read,
            allow_write,
            allow_net,
        } => match permissions(allow_read, allow_write, allow_net) {
            Ok(p) => run(file, args, threads, seed, p),
            Err(message) => {
                eprintln!("mpl: {message}");
                exit::USAGE
            }
        },
        Command::Check { file, total } => check(file, total),
    };
    std::process::exit(code);
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn report(diags: &[Diagnostic], sources: &SourceMap) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = write!(err, "{}", diagnostics::render(d, sources, color()));
    }
    if diags.len() > 1 {
        let _ = writeln!(err, "{} errors", diags.len());
    }
}

fn compile(
    file: PathBuf,
    options: Options,
) -> (SourceMap, Result<mpl::ir::Program, Vec<Diagnostic>>) {
    mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let result = mpl::compile_with(&mut sources, SourceInput::File(file), options);
        (sources, result)
    })
}

fn check(file: PathBuf, total: bool) -> i32 {
    let (sources, result) = compile(file, Options { total });
    match result {
        Ok(_) => exit::OK,
        Err(diags) => {
            report(&diags, &sources);
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

fn run(
    file: PathBuf,
    args: Vec<String>,
    threads: Option<usize>,
    seed: Option<u64>,
    permissions: Permissions,
) -> i32 {
    let (sources, result) = compile(file, Options::default());
    let program = match result {
        Ok(p) => p,
        Err(diags) => {
            report(&diags, &sources);
            return exit::FAILED;
        }
    };
    let stdout: Output = Arc::new(Mutex::new(Box::new(std::io::stdout())));
    let stderr: Output = Arc::new(Mutex::new(Box::new(std::io::stderr())));
    let on_start: mpl::host::OnStart = Box::new(|h| {
        let _ = RUNNING.set(h);
    });
    let host = Host {
        stdin: Box::new(std::io::stdin()),
        stdout,
        stderr,
        args,
        on_start: Some(on_start),
        permissions,
    };
    let mut config = runtime::Config::default();
    if let Some(n) = threads {
        config.threads = n.max(1);
    }
    config.seed = seed;
    let (code, diag) = mpl::run_program(program, host, config);
    let _ = std::io::stdout().flush();
    if let Some(d) = diag {
        report(&[d], &sources);
    }
    code
}
