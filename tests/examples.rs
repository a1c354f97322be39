//! The examples whose output is not fixed: the guessing game draws its
//! secret from the clock. (The others run as golden tests in
//! `tests/programs.rs`; the servers are driven in `tests/http.rs`.)

mod common;

use mpl::runtime::Config;
use std::path::Path;
use std::time::Duration;

/// Guessing 1, 2, 3... finds any secret N in exactly N guesses, each wrong
/// one answered "Too low".
#[test]
fn guess_answers_every_guess_until_the_secret_and_counts_them() {
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/guess.mpl");
    let input: String = (1..=100).map(|n| format!("{n}\n")).collect();
    let config = Config {
        threads: 2,
        ..Config::default()
    };
    let ran = common::run_file(
        &program,
        input.into_bytes(),
        Vec::new(),
        config,
        Duration::from_secs(20),
    )
    .expect("the game did not finish within 20 s");
    assert_eq!(ran.code, 0, "{}", ran.report);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    let [intro, wrong @ .., right, count] = lines.as_slice() else {
        panic!("too little output:\n{}", ran.stdout);
    };
    assert_eq!(
        *intro,
        "I'm thinking of a number between 1 and 100. Guess it!"
    );
    assert!(
        wrong.iter().all(|l| *l == "Too low! Guess again!"),
        "{wrong:?}"
    );
    let secret = wrong.len() + 1;
    assert_eq!(*right, format!("Right on! I was thinking of {secret}!"));
    let noun = if secret == 1 { "guess" } else { "guesses" };
    assert_eq!(*count, format!("You needed {secret} {noun}."));
}
