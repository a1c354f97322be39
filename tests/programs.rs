//! Golden tests: every `tests/programs/NAME.mpl` runs in-process under
//! `--threads 1`, `--threads 2` and `--seed 1..5`, and its standard output
//! must equal `NAME.stdout`. When `../shared/conformance/programs` is
//! present beside the project, its programs run the same way.

mod common;

use std::path::Path;

fn assert_dir_passes(dir: &Path) {
    let (count, failures) = common::check_golden_dir(dir);
    assert!(count > 0, "no programs found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of {count} programs failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn golden_programs_produce_their_expected_output() {
    assert_dir_passes(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs"));
}

#[test]
fn conformance_programs_produce_their_expected_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/programs");
    if !dir.exists() {
        eprintln!("skipped: {} is not present", dir.display());
        return;
    }
    assert_dir_passes(&dir);
}
