//! The CaMPL front end and the checker on arbitrary text read as CaMPL:
//! every input is checked or rejected with diagnostics, never a panic, a
//! hang or a stack overflow (the lexer, the layout rule, the parser, the
//! lowering and the checker on what the lowering makes).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    mpl::with_big_stack(move || {
        let mut sources = mpl::source::SourceMap::new();
        let input = mpl::SourceInput::Text {
            name: "fuzz.mpl".into(),
            text,
        };
        let options = mpl::Options {
            syntax: Some(mpl::syntax::Syntax::Campl),
            ..mpl::Options::default()
        };
        let _ = mpl::compile_with(&mut sources, input, options);
    });
});
