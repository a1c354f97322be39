//! Checker errors. `tests/errors/NAME.mpl` is one small program per kind
//! of mistake; its rendered diagnostics (no colour, 100 columns) are kept
//! as an insta snapshot in `tests/snapshots/`. When the shared conformance
//! suite is present, each of its `errors/` programs must be rejected with
//! the first diagnostic's primary label on the line marked `//!`.

use mpl::SourceInput;
use mpl::diagnostics::{self, Diagnostic};
use mpl::source::SourceMap;
use std::path::{Path, PathBuf};

fn compile(name: &str, text: &str) -> (SourceMap, Result<mpl::ir::Program, Vec<Diagnostic>>) {
    let (name, text) = (name.to_string(), text.to_string());
    mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let result = mpl::compile(&mut sources, SourceInput::Text { name, text });
        (sources, result)
    })
}

fn compile_file(path: &Path) -> (SourceMap, Result<mpl::ir::Program, Vec<Diagnostic>>) {
    let path = path.to_path_buf();
    mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let result = mpl::compile(&mut sources, SourceInput::File(path));
        (sources, result)
    })
}

fn mpl_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "mpl"));
    out.sort();
    out
}

#[test]
fn each_error_kind_renders_as_its_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let files = mpl_files(&dir);
    assert!(!files.is_empty(), "no programs in {}", dir.display());
    for path in files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let (sources, result) = compile(&format!("{stem}.mpl"), &text);
        let diags = match result {
            Ok(_) => panic!("{stem}.mpl was accepted, but it holds a mistake"),
            Err(d) => d,
        };
        let rendered: String = diags
            .iter()
            .map(|d| diagnostics::render(d, &sources, false))
            .collect();
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(stem.clone(), rendered);
        });
    }
}

/// The 1-based line of the `//!` marker.
fn marked_line(text: &str) -> Option<usize> {
    text.lines().position(|l| l.contains("//!")).map(|i| i + 1)
}

#[test]
fn conformance_errors_are_rejected_at_the_marked_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/errors");
    if !dir.exists() {
        eprintln!("skipped: {} is not present", dir.display());
        return;
    }
    let mut failures = Vec::new();
    for path in mpl_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let name = path.display().to_string();
        let (sources, result) = compile_file(&path);
        let Err(diags) = result else {
            failures.push(format!("{name}: accepted"));
            continue;
        };
        let first = &diags[0];
        let Some(span) = first.span() else {
            failures.push(format!("{name}: the first error has no place"));
            continue;
        };
        let file = sources.get(span.file);
        let (line, _) = file.line_col(span.start as usize);
        let want = marked_line(&text);
        if file.name != name || Some(line) != want {
            failures.push(format!(
                "{name}: first error at {}:{line}, expected line {want:?}\n{}",
                file.name,
                diagnostics::render(first, &sources, false)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn examples_and_conformance_programs_pass_the_checker() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = mpl_files(&root.join("examples"));
    files.extend(mpl_files(&root.join("../shared/conformance/programs")));
    let mut failures = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let (sources, result) = compile_file(&path);
        if let Err(diags) = result {
            let rendered: String = diags
                .iter()
                .map(|d| diagnostics::render(d, &sources, false))
                .collect();
            failures.push(format!("{name}:\n{rendered}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
