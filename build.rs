//! Embeds every `prelude/*.mpl` file in the binary, so that `mpl` runs
//! programs without its source tree at hand.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=prelude");
    let mut names: Vec<String> = fs::read_dir("prelude")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".mpl"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("pub const PRELUDE: &[(&str, &str)] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed=prelude/{n}");
        out.push_str(&format!(
            "    (\"prelude/{n}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/prelude/{n}\"))),\n"
        ));
    }
    out.push_str("];\n");
    let dest =
        Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("prelude_files.rs");
    if let Err(e) = fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
