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
//! - `conformance::NAME`: the programs of `../shared/conformance/programs`
//!   when that folder is present beside the project.

mod common;

use common::Golden;
use libtest_mimic::{Arguments, Trial};
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut trials = Vec::new();
    let programs = root.join("tests/programs");
    for path in common::golden_programs(&programs) {
        trials.push(golden("golden", Golden::load(&path, &programs)));
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
    let conformance = root.join("../shared/conformance/programs");
    for path in common::golden_programs(&conformance) {
        trials.push(golden("conformance", Golden::load(&path, &conformance)));
    }
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn golden(kind: &str, g: Golden) -> Trial {
    let name = format!("{kind}::{}", common::stem(&g.program));
    Trial::test(name, move || g.check().map_err(Into::into))
}
