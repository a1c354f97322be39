//! Checker errors, one test per file (filter by name as usual:
//! `cargo test --test errors -- unknown_variable`).
//!
//! - `error::NAME`: `tests/errors/NAME.mpl` is one small program per kind
//!   of mistake; its rendered diagnostics (no colour, 100 columns) are kept
//!   as the insta snapshot `tests/snapshots/NAME.snap`, whose header shows
//!   the program it came from.
//! - `conformance_error::NAME`: when the shared conformance suite is
//!   present, each of its `errors/` programs must be rejected with the
//!   first diagnostic's primary label on the line marked `//!`.
//! - `accepted::NAME`: every example and conformance program checks.
//!
//! The harness is libtest-mimic's, so every file is its own test.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use mpl::SourceInput;
use mpl::diagnostics::{self, Diagnostic};
use mpl::source::SourceMap;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut trials = Vec::new();
    for path in common::files_with_extension(&root.join("tests/errors"), "mpl") {
        trials.push(trial("error", &path, snapshot_matches));
    }
    for path in common::files_with_extension(&root.join("tests/mistakes"), "mpl") {
        trials.push(trial("mistake", &path, mistake_explained));
    }
    for path in common::files_with_extension(&root.join("tests/warnings"), "mpl") {
        trials.push(trial("warning", &path, warnings_match));
    }
    let conformance = root.join("../shared/conformance");
    for path in common::files_with_extension(&conformance.join("errors"), "mpl") {
        trials.push(trial("conformance_error", &path, rejected_at_marked_line));
    }
    trials.extend(common::conformance_absent(root, "conformance_error"));
    let mut accepted = common::files_with_extension(&root.join("examples"), "mpl");
    accepted.extend(common::files_with_extension(
        &conformance.join("programs"),
        "mpl",
    ));
    for path in accepted {
        trials.push(trial("accepted", &path, checks));
    }
    trials.push(Trial::test(
        "codes::every_error_code_is_produced_by_a_snapshot_test",
        every_code_has_a_snapshot,
    ));
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

/// The codes `src/check/errors.rs` defines (`"E0001"`...), without the
/// internal fallback `E0000`.
fn defined_codes() -> std::collections::BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check/errors.rs");
    let text = std::fs::read_to_string(src).unwrap_or_default();
    text.split('"')
        .filter(|w| {
            w.len() == 5 && w.starts_with("E0") && w[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .filter(|w| *w != "E0000")
        .map(String::from)
        .collect()
}

fn every_code_has_a_snapshot() -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut seen = std::collections::BTreeSet::new();
    let mut snaps = common::files_with_extension(&dir, "snap");
    snaps.extend(common::files_with_extension(&dir.join("mistakes"), "snap"));
    for path in snaps {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        seen.extend(
            text.lines()
                .filter(|l| l.len() == 5 && l.starts_with("E0"))
                .map(String::from),
        );
    }
    let missing: Vec<String> = defined_codes().difference(&seen).cloned().collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "no test in tests/errors or tests/mistakes produces {}",
            missing.join(", ")
        )
        .into())
    }
}

/// A test named `KIND::STEM` that runs `test` on `path`.
fn trial(kind: &str, path: &Path, test: fn(&Path) -> Result<(), Failed>) -> Trial {
    let name = format!("{kind}::{}", common::stem(path));
    let path = path.to_path_buf();
    Trial::test(name, move || test(&path))
}

fn compile_file(path: &Path) -> (SourceMap, Result<mpl::ir::Program, Vec<Diagnostic>>) {
    let path = path.to_path_buf();
    mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let result = mpl::compile(&mut sources, SourceInput::File(path));
        (sources, result)
    })
}

fn render_all(diags: &[Diagnostic], sources: &SourceMap) -> String {
    diags
        .iter()
        .map(|d| diagnostics::render(d, sources, false))
        .collect()
}

/// Compiles the program as `NAME.mpl` (so snapshots do not depend on the
/// folder) and compares its diagnostics with the snapshot.
fn snapshot_matches(path: &Path) -> Result<(), Failed> {
    snapshot_in(path, "tests/snapshots").map(|_| ())
}

/// One of the mistakes a student makes in a first lab
/// (`tests/mistakes/NN_kind.mpl`, its first line saying what was meant):
/// its diagnostics match the snapshot in `tests/snapshots/mistakes`, there
/// is exactly one (one mistake, one report), and it says how to fix it.
fn mistake_explained(path: &Path) -> Result<(), Failed> {
    let (diags, rendered) = snapshot_in(path, "tests/snapshots/mistakes")?;
    if diags.len() != 1 {
        return Err(format!("one mistake gave {} reports:\n{rendered}", diags.len()).into());
    }
    if diags.iter().any(|d| d.help.is_none()) {
        return Err(format!("the report says no fix:\n{rendered}").into());
    }
    Ok(())
}

/// Compiles `path` as `NAME.mpl`, compares the rendered diagnostics with
/// the snapshot `NAME` in `dir`, and returns them.
fn snapshot_in(path: &Path, dir: &str) -> Result<(Vec<Diagnostic>, String), Failed> {
    let stem = common::stem(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("{e}"))?;
    let (name, source) = (format!("{stem}.mpl"), text.clone());
    // A program whose first line says `mpl check --total` is checked so.
    let total = text.lines().next().is_some_and(|l| l.contains("--total"));
    let (sources, result) = mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let input = SourceInput::Text { name, text: source };
        let result = mpl::compile_with(
            &mut sources,
            input,
            mpl::Options {
                total,
                ..Default::default()
            },
        );
        (sources, result)
    });
    let Err(diags) = result else {
        return Err(format!("{stem}.mpl was accepted, but it holds a mistake").into());
    };
    let rendered = render_all(&diags, &sources);
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => text,
        snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
    }, {
        insta::assert_snapshot!(stem, rendered);
    });
    Ok((diags, rendered))
}

/// A program of `tests/warnings` checks, and its warnings match the
/// snapshot (which shows the source).
fn warnings_match(path: &Path) -> Result<(), Failed> {
    let stem = common::stem(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("{e}"))?;
    let (name, source) = (format!("{stem}.mpl"), text.clone());
    let (sources, result, warnings) = mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let input = SourceInput::Text { name, text: source };
        let (result, warnings) =
            mpl::compile_with_warnings(&mut sources, input, mpl::Options::default());
        (sources, result, warnings)
    });
    if let Err(diags) = result {
        return Err(format!("{stem} must check:\n{}", render_all(&diags, &sources)).into());
    }
    let rendered: String = warnings
        .iter()
        .map(|w| diagnostics::render_warning(w, &sources, false))
        .collect();
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => text,
        snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/warnings"),
    }, {
        insta::assert_snapshot!(stem, rendered);
    });
    Ok(())
}

/// The 1-based line of the `//!` marker.
fn marked_line(text: &str) -> Option<usize> {
    text.lines().position(|l| l.contains("//!")).map(|i| i + 1)
}

fn rejected_at_marked_line(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let name = path.display().to_string();
    let (sources, result) = compile_file(path);
    let Err(diags) = result else {
        return Err(format!("{name}: accepted").into());
    };
    let first = &diags[0];
    let Some(span) = first.span() else {
        return Err(format!("{name}: the first error has no place").into());
    };
    let file = sources.get(span.file);
    let (line, _) = file.line_col(span.start as usize);
    let want = marked_line(&text);
    if file.name != name || Some(line) != want {
        return Err(format!(
            "{name}: first error at {}:{line}, expected line {want:?}\n{}",
            file.name,
            diagnostics::render(first, &sources, false)
        )
        .into());
    }
    Ok(())
}

fn checks(path: &Path) -> Result<(), Failed> {
    match compile_file(path) {
        (_, Ok(_)) => Ok(()),
        (sources, Err(diags)) => Err(render_all(&diags, &sources).into()),
    }
}
