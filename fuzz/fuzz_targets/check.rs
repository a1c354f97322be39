//! The whole front end on programs: parse, resolve, check, and render
//! every diagnostic, as `mpl check` does. Seeded with programs that parse
//! and check (`fuzz/corpus/check`), so mutations explore the checker, not
//! only the parser's error paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpl::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_string();
    mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let input = mpl::SourceInput::Text {
            name: "fuzz.mpl".into(),
            text,
        };
        let (result, warnings) =
            mpl::compile_with_warnings(&mut sources, input, mpl::Options::default());
        if let Err(diags) = result {
            for d in &diags {
                let _ = mpl::diagnostics::render(d, &sources, false);
            }
        }
        for w in &warnings {
            let _ = mpl::diagnostics::render_warning(w, &sources, false);
        }
    });
});
