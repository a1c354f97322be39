//! The evaluator and runtime on programs that check: the bytes drive a
//! generator of well-typed, terminating programs (`tests/common/progen.rs`:
//! protocols with choices, loops, forks and channels sent over channels;
//! data, codata and closures), each run under `--seed` and on two worker
//! threads. What must hold: the program checks, both runs end with exit 0,
//! and they print the same (only one process prints, and with no `race`
//! the protocols force the order of what it sees).
#![no_main]

#[path = "../../tests/common/progen.rs"]
mod progen;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(source) = progen::program(&mut u) else {
        return;
    };
    let seed = data
        .iter()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(*b)));
    mpl::with_big_stack(move || {
        let compiled = progen::compile(&source);
        progen::agree_on_schedules(&compiled, &source, seed, progen::run);
    });
});
