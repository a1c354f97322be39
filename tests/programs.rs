//! Golden tests, one test per program (filter by name as usual:
//! `cargo test --test programs -- golden::fold_groups`).
//!
//! - `golden::NAME`: `tests/programs/NAME.mpl` runs in-process under
//!   `--threads 1`, `--threads 2` and `--seed 1..5`, and its standard
//!   output must equal `NAME.stdout` (input from `NAME.stdin`, arguments
//!   from `NAME.args`, when present).
//! - `example::NAME`: each program of `examples/` that runs to an end, the
//!   same way, with its golden files in `tests/examples/`. The servers
//!   (`fileserver`, `pluto`) are driven through a socket by `tests/http.rs`,
//!   and the guessing game, whose secret comes from the clock, by
//!   `tests/examples.rs`.
//! - `runtime_error::NAME`: `tests/runtime_errors/NAME.mpl` must fail the
//!   same way under every configuration: `NAME.expect` gives the exit code
//!   on its first line and a text the report must contain on its second
//!   (input from `NAME.stdin`); the whole report, under `--seed 1`, is the
//!   snapshot `tests/snapshots/runtime/NAME.snap`.
//! - `campl::NAME`: `tests/campl/NAME.mpl`, programs written in CaMPL's
//!   syntax (detected from the file), the same way: one per construct.
//! - `conformance::NAME`: the programs of `../shared/conformance/programs`
//!   when that folder is present beside the project.

mod common;

use common::Golden;
use libtest_mimic::{Arguments, Trial};
use std::path::Path;
use std::time::Duration;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut trials = Vec::new();
    let programs = root.join("tests/programs");
    for path in common::golden_programs(&programs) {
        trials.push(golden("golden", Golden::load(&path, &programs)));
    }
    let campl = root.join("tests/campl");
    for path in common::golden_programs(&campl) {
        trials.push(golden("campl", Golden::load(&path, &campl)));
    }
    let expected = root.join("tests/examples");
    for path in common::files_with_extension(&root.join("examples"), "mpl") {
        if expected
            .join(common::stem(&path))
            .with_extension("stdout")
            .exists()
        {
            trials.push(golden("example", Golden::load(&path, &expected)));
        }
    }
    for expect in common::files_with_extension(&root.join("tests/runtime_errors"), "expect") {
        let name = format!("runtime_error::{}", common::stem(&expect));
        trials.push(Trial::test(name, move || fails_as_expected(&expect)));
    }
    let conformance = root.join("../shared/conformance/programs");
    for path in common::golden_programs(&conformance) {
        trials.push(golden("conformance", Golden::load(&path, &conformance)));
    }
    trials.extend(common::conformance_absent(root, "conformance"));
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

/// Runs `NAME.mpl` beside `expect` under every configuration; it must end
/// with the exit code and report text `expect` gives.
fn fails_as_expected(expect: &Path) -> Result<(), libtest_mimic::Failed> {
    let spec = std::fs::read_to_string(expect).unwrap_or_default();
    let mut lines = spec.lines();
    let code: i32 = lines
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(-1);
    let needle = lines.next().unwrap_or("").trim().to_string();
    let program = expect.with_extension("mpl");
    let stdin = std::fs::read(expect.with_extension("stdin")).unwrap_or_default();
    for (name, config) in common::configs() {
        let limit = Duration::from_secs(20);
        match common::run_file(&program, stdin.clone(), vec![], config, limit) {
            None => return Err(format!("{} ({name}): hung", program.display()).into()),
            Some(r) if r.code != code || !r.report.contains(&needle) => {
                return Err(format!(
                    "{} ({name}): expected exit {code} with {needle:?}, got exit {}\n{}",
                    program.display(),
                    r.code,
                    r.report
                )
                .into());
            }
            Some(_) => {}
        }
    }
    snapshot_report(&program, stdin)
}

/// The whole report a student sees, under `--seed 1` (so the order of
/// waiting processes is fixed), as the snapshot `tests/snapshots/runtime/
/// NAME.snap`; paths are shown relative to the project.
fn snapshot_report(program: &Path, stdin: Vec<u8>) -> Result<(), libtest_mimic::Failed> {
    let config = mpl::runtime::Config {
        seed: Some(1),
        threads: 1,
        ..mpl::runtime::Config::default()
    };
    let ran =
        common::run_file(program, stdin, vec![], config, Duration::from_secs(20)).ok_or("hung")?;
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    let report = ran.report.replace(&root, "");
    let source = std::fs::read_to_string(program).unwrap_or_default();
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => source,
        snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/runtime"),
    }, {
        insta::assert_snapshot!(common::stem(program), report);
    });
    Ok(())
}

fn golden(kind: &str, g: Golden) -> Trial {
    let name = format!("{kind}::{}", common::stem(&g.program));
    Trial::test(name, move || g.check().map_err(Into::into))
}
