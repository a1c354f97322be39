//! Shared helpers for the integration tests: run an MPL program in-process
//! with injected stdin/stdout/stderr and a time limit.

#![allow(dead_code)]

use mpl::SourceInput;
use mpl::diagnostics;
use mpl::host::{Host, Output};
use mpl::runtime::Config;
use mpl::source::SourceMap;
use parking_lot::Mutex;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// When the shared conformance suite is not beside the project, one
/// ignored trial says so (rather than the suite passing with nothing run).
pub fn conformance_absent(root: &std::path::Path, kind: &str) -> Option<libtest_mimic::Trial> {
    let dir = root.join("../shared/conformance");
    (!dir.is_dir()).then(|| {
        let name = format!("{kind}::absent (../shared/conformance is not beside the project)");
        libtest_mimic::Trial::test(name, || Ok(())).with_ignored_flag(true)
    })
}

/// A `Write` that appends to a shared buffer the test reads afterwards.
#[derive(Clone, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
    pub fn output(&self) -> Output {
        Arc::new(Mutex::new(Box::new(self.clone())))
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Rendered diagnostics (compile errors or the runtime report).
    pub report: String,
}

/// Compiles and runs `path` with `stdin`, `args` and `config`; gives up
/// (returns `None`) after `limit`.
pub fn run_file(
    path: &Path,
    stdin: Vec<u8>,
    args: Vec<String>,
    config: Config,
    limit: Duration,
) -> Option<Ran> {
    let path = path.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let _ = tx.send(run_now(path, stdin, args, config));
        })
        .ok()?;
    rx.recv_timeout(limit).ok()
}

fn run_now(path: PathBuf, stdin: Vec<u8>, args: Vec<String>, config: Config) -> Ran {
    let mut sources = SourceMap::new();
    let program = match mpl::compile(&mut sources, SourceInput::File(path)) {
        Ok(p) => p,
        Err(diags) => {
            let report = diags
                .iter()
                .map(|d| diagnostics::render(d, &sources, false))
                .collect();
            return Ran {
                code: mpl::exit::FAILED,
                stdout: String::new(),
                stderr: String::new(),
                report,
            };
        }
    };
    let (out, err) = (SharedBuf::default(), SharedBuf::default());
    let host = Host {
        stdin: mpl::host::Input::ready(Box::new(std::io::Cursor::new(stdin))),
        stdout: out.output(),
        stderr: err.output(),
        args,
        on_start: None,
        permissions: Default::default(),
        limits: mpl::host::Limits::default(),
        trace: None,
    };
    let (code, diag) = mpl::run_program(program, host, config);
    let report = diag
        .map(|d| diagnostics::render(&d, &sources, false))
        .unwrap_or_default();
    Ran {
        code,
        stdout: out.text(),
        stderr: err.text(),
        report,
    }
}

/// The scheduler configurations every golden program must pass under.
pub fn configs() -> Vec<(String, Config)> {
    let mut out = vec![
        (
            "--threads 1".to_string(),
            Config {
                threads: 1,
                ..Config::default()
            },
        ),
        (
            "--threads 2".to_string(),
            Config {
                threads: 2,
                ..Config::default()
            },
        ),
    ];
    for seed in 1..=5 {
        out.push((
            format!("--seed {seed}"),
            Config {
                seed: Some(seed),
                threads: 1,
                ..Config::default()
            },
        ));
    }
    out
}

/// The files of `dir` ending in `.EXT`, sorted; none if `dir` is absent.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == ext));
    out.sort();
    out
}

/// A file's name without its extension.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `.mpl` files of a folder that have a `.stdout` beside them.
pub fn golden_programs(dir: &Path) -> Vec<PathBuf> {
    let mut out = files_with_extension(dir, "mpl");
    out.retain(|p| p.with_extension("stdout").exists());
    out
}

/// What a golden program is given and must print: `expected` from
/// `NAME.stdout`, input from `NAME.stdin`, arguments from `NAME.args`
/// (whitespace-separated), all found beside `NAME.mpl` or in `sidecar`.
pub struct Golden {
    pub program: PathBuf,
    pub expected: String,
    pub stdin: Vec<u8>,
    pub args: Vec<String>,
}

impl Golden {
    /// The golden files of `program`, looked up as `sidecar/STEM.*`.
    pub fn load(program: &Path, sidecar: &Path) -> Golden {
        let base = sidecar.join(stem(program));
        let read = |ext: &str| std::fs::read(base.with_extension(ext)).unwrap_or_default();
        Golden {
            program: program.to_path_buf(),
            expected: String::from_utf8_lossy(&read("stdout")).into_owned(),
            stdin: read("stdin"),
            args: String::from_utf8_lossy(&read("args"))
                .split_whitespace()
                .map(String::from)
                .collect(),
        }
    }

    /// Runs the program under every configuration; the first failure,
    /// described.
    pub fn check(&self) -> Result<(), String> {
        for (name, config) in configs() {
            let ran = run_file(
                &self.program,
                self.stdin.clone(),
                self.args.clone(),
                config,
                Duration::from_secs(20),
            );
            let problem = match ran {
                None => Some("did not finish within 20 s".to_string()),
                Some(r) if r.code != 0 => Some(format!("exit {}\n{}", r.code, r.report)),
                Some(r) if r.stdout != self.expected => Some(format!(
                    "wrong output\n--- expected\n{}\n--- got\n{}",
                    self.expected, r.stdout
                )),
                Some(_) => None,
            };
            if let Some(p) = problem {
                return Err(format!("{} ({name}): {p}", self.program.display()));
            }
        }
        Ok(())
    }
}
