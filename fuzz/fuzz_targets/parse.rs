//! The lexer and the parser on arbitrary bytes: every input gives a tree
//! or syntax errors, never a panic, a hang or a stack overflow. The bytes
//! are read as `mpl` reads a file (invalid UTF-8 is a diagnostic there;
//! here it is replaced, so the parser sees every input).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    // As `mpl` does: the front end runs on a thread with a large stack.
    mpl::with_big_stack(move || {
        let _ = mpl::syntax::parse(mpl::source::FileId(0), &text);
    });
});
