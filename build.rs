//! The build script: embeds every `prelude/*.mpl` file in the binary, so
//! that `mpl` runs programs without its source tree at hand, and embeds
//! the prelude's syntax trees too, parsed here once instead of at every
//! start of `mpl`.
//!
//! Parsing the prelude's 20 KB was 9.6 M of the 16 M instructions that
//! `mpl run` spent before running a one-line program (1.6-3 ms of its
//! 6 ms, on two threads); decoding the trees takes a fraction of that
//! (bench/RESULTS.md, 2026-12-04, night). The parser compiled here is the
//! crate's own (`src/source.rs` and `src/syntax/`'s lexer and parser, as
//! modules of this script), so the trees are the ones a parse at run time
//! would give; `lib.rs` has a test that says so.
//!
//! Writes, in `OUT_DIR`: `prelude_files.rs` (`PRELUDE`: each file's name
//! and text, and `PRELUDE_SYNTAX`: the trees of all of them, in
//! `PRELUDE`'s order with file ids 0, 1, ..., as postcard bytes) and
//! `prelude_syntax.bin` (those bytes). A prelude that does not parse
//! fails the build with the parser's messages.

use std::env;
use std::fs;
use std::path::Path;

/// The crate's `source` and its lexer and parser, as `src/` has them (an
/// inline `src` module, so that the files are found where they are;
/// without the CaMPL front end, which the prelude does not need).
#[allow(dead_code, unused_imports)]
mod src {
    pub mod source;
    pub mod syntax {
        pub mod ast;
        mod error;
        pub mod lexer;
        pub mod parser;
        pub mod token;
        pub use error::SyntaxError;
    }
}
use src::{source, syntax};

fn main() {
    println!("cargo:rerun-if-changed=prelude");
    println!("cargo:rerun-if-changed=src/syntax");
    println!("cargo:rerun-if-changed=src/source.rs");
    let names = prelude_names();
    let out_dir = env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let trees = parse_all(&names);
    let bytes = match postcard::to_allocvec(&trees) {
        Ok(bytes) => bytes,
        Err(e) => panic!("cannot encode the prelude's syntax trees: {e}"),
    };
    write(&Path::new(&out_dir).join("prelude_syntax.bin"), &bytes);
    write(
        &Path::new(&out_dir).join("prelude_files.rs"),
        prelude_files_rs(&names).as_bytes(),
    );
}

/// The prelude's file names, sorted (the prelude's order).
fn prelude_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir("prelude")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".mpl"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for n in &names {
        println!("cargo:rerun-if-changed=prelude/{n}");
    }
    names
}

/// Each prelude file parsed, with the id it gets in a fresh source map.
fn parse_all(names: &[String]) -> Vec<syntax::ast::Module> {
    let mut trees = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let path = format!("prelude/{n}");
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => panic!("cannot read {path}: {e}"),
        };
        let (module, errors) = syntax::parser::parse_module(source::FileId(i as u32), &text);
        match (module, errors.as_slice()) {
            (Some(module), []) => trees.push(module),
            (_, errors) => {
                let report: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{path} at byte {}: {}", e.span.start, e.message))
                    .collect();
                panic!("the prelude does not parse:\n{}", report.join("\n"));
            }
        }
    }
    trees
}

fn prelude_files_rs(names: &[String]) -> String {
    let mut out = String::from("pub const PRELUDE: &[(&str, &str)] = &[\n");
    for n in names {
        out.push_str(&format!(
            "    (\"prelude/{n}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/prelude/{n}\"))),\n"
        ));
    }
    out.push_str("];\n");
    out.push_str(
        "pub const PRELUDE_SYNTAX: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/prelude_syntax.bin\"));\n",
    );
    out
}

fn write(dest: &Path, bytes: &[u8]) {
    if let Err(e) = fs::write(dest, bytes) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
