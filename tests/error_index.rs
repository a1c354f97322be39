//! The error index, `docs/errors.md`: every program on the page is
//! checked. For each entry `explain::CODE`, the wrong program gives the
//! entry's code first and exactly the report the page shows, and the fixed
//! program checks with no error and no warning. `explain::every_code` asks
//! for an entry per code `src/check/errors.rs` and `warnings.rs` define.
//!
//! `MPL_BLESS=1 cargo test --test error_index` rewrites the reports on the
//! page from what `mpl` says now (review the diff).

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use mpl::SourceInput;
use mpl::diagnostics::{self, Diagnostic};
use mpl::explain::{self, Entry};
use mpl::source::SourceMap;
use std::path::Path;

fn main() {
    let blessing = std::env::var_os("MPL_BLESS").is_some();
    let mut trials = Vec::new();
    if blessing {
        trials.push(Trial::test("explain::bless", bless));
    }
    for entry in explain::entries(explain::INDEX) {
        let code = entry.code.to_string();
        trials.push(Trial::test(format!("explain::{code}"), move || {
            let entry = explain::find(&code).ok_or("entry vanished")?;
            entry_holds(&entry, blessing)
        }));
    }
    trials.push(Trial::test("explain::every_code", every_code_has_an_entry));
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

/// What `mpl check` says of `program` (as `example.mpl`): the errors, or
/// the warnings when it checks; rendered without colour.
fn report(program: &str) -> (Vec<Diagnostic>, String) {
    let total = program
        .lines()
        .next()
        .is_some_and(|l| l.contains("--total"));
    let text = program.to_string();
    let (sources, result, warnings) = mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let input = SourceInput::Text {
            name: "example.mpl".into(),
            text,
        };
        let (result, warnings) = mpl::compile_with_warnings(
            &mut sources,
            input,
            mpl::Options {
                total,
                ..Default::default()
            },
        );
        (sources, result, warnings)
    });
    let (diags, warning) = match result {
        Err(errors) => (errors, false),
        Ok(_) => (warnings, true),
    };
    let rendered = diags
        .iter()
        .map(|d| match warning {
            true => diagnostics::render_warning(d, &sources, false),
            false => diagnostics::render(d, &sources, false),
        })
        .collect();
    (diags, rendered)
}

fn entry_holds(entry: &Entry<'_>, blessing: bool) -> Result<(), Failed> {
    let (diags, rendered) = report(entry.wrong);
    let first = diags.first().and_then(|d| d.code.clone());
    if first.as_deref() != Some(entry.code) {
        return Err(format!(
            "{}: the wrong program gives {first:?} first:\n{rendered}",
            entry.code
        )
        .into());
    }
    if !blessing && rendered != entry.report {
        return Err(format!(
            "{}: the page shows\n{}\nbut mpl says\n{rendered}\n(MPL_BLESS=1 rewrites the page)",
            entry.code, entry.report
        )
        .into());
    }
    let (fixed, rendered) = report(entry.fixed);
    if !fixed.is_empty() {
        return Err(format!(
            "{}: the fixed program is not clean:\n{rendered}",
            entry.code
        )
        .into());
    }
    Ok(())
}

/// Rewrites each entry's report block with what `mpl` says now.
fn bless() -> Result<(), Failed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/errors.md");
    let page = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let mut rest = page.as_str();
    for entry in explain::entries(&page) {
        let Some(at) = rest.find(entry.text) else {
            continue;
        };
        out.push_str(&rest[..at]);
        let (_, rendered) = report(entry.wrong);
        let old = format!("```text\n{}```", entry.report);
        let new = format!("```text\n{rendered}```");
        out.push_str(&entry.text.replacen(&old, &new, 1));
        rest = &rest[at + entry.text.len()..];
    }
    out.push_str(rest);
    std::fs::write(&path, out).map_err(|e| e.to_string())?;
    Ok(())
}

/// The codes defined in `file` (`"E0001"`, `"W0001"`...), without the
/// internal fallback `E0000`.
fn codes_in(file: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(src).unwrap_or_default();
    let mut codes: Vec<String> = text
        .split('"')
        .filter(|w| {
            w.len() == 5
                && (w.starts_with("E0") || w.starts_with("W0"))
                && w[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .filter(|w| *w != "E0000")
        .map(String::from)
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn every_code_has_an_entry() -> Result<(), Failed> {
    let mut codes = codes_in("src/check/errors.rs");
    codes.extend(codes_in("src/check/warnings.rs"));
    let missing: Vec<String> = codes
        .into_iter()
        .filter(|c| explain::find(c).is_none())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("docs/errors.md has no entry for {}", missing.join(", ")).into())
    }
}
