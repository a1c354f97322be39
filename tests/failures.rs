//! Programs that must fail, and how: bad source text, which must give
//! diagnostics, never a panic or a hang, and the command line's exit codes.
//! (Runtime errors, deadlock and exhausted input, one test per program in
//! `tests/runtime_errors`, are run by `tests/programs.rs`.)

mod common;

use mpl::runtime::Config;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mpl-tests-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

fn assert_rejected(name: &str, bytes: &[u8]) {
    let path = temp_file(name, bytes);
    let ran = common::run_file(
        &path,
        vec![],
        vec![],
        Config::default(),
        Duration::from_secs(60),
    )
    .unwrap_or_else(|| panic!("{name}: no answer within 60 s"));
    assert_ne!(ran.code, 0, "{name}: accepted");
    assert!(!ran.report.is_empty(), "{name}: no diagnostic");
}

#[test]
fn binary_garbage_is_rejected_with_a_diagnostic() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    assert_rejected("garbage.mpl", &bytes);
    assert_rejected(
        "garbage_text.mpl",
        b"process \x01 main( { ] ) ;; \"unterminated",
    );
}

#[test]
fn truncated_program_is_rejected_with_a_diagnostic() {
    assert_rejected(
        "truncated.mpl",
        b"process main(PutSeq<Char> out) {\n  writeLine(out, \"hi",
    );
}

#[test]
fn deeply_nested_parentheses_are_rejected_without_overflow() {
    let mut text = String::from("process main(PutSeq<Char> out) { let x = ");
    text.push_str(&"(".repeat(100_000));
    text.push('1');
    text.push_str(&")".repeat(100_000));
    text.push_str("; out.put(StopPut); }\nmain(stdout);\n");
    assert_rejected("nested.mpl", text.as_bytes());
}

#[test]
fn ten_megabyte_file_gets_a_diagnostic() {
    let mut text = String::with_capacity(10 << 20);
    while text.len() < 10 << 20 {
        text.push_str("Int f(Int x) { x + 1 }\n");
    }
    assert_rejected("big.mpl", text.as_bytes());
}

fn mpl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mpl"))
}

#[test]
fn check_exits_zero_on_a_clean_program() {
    let path = temp_file(
        "clean.mpl",
        b"process main(PutSeq<Char> out) { out.put(StopPut); }\nmain(stdout);\n",
    );
    let out = mpl().arg("check").arg(&path).output().expect("run mpl");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn run_refuses_a_program_that_does_not_parse() {
    let path = temp_file(
        "broken.mpl",
        b"process main(PutSeq<Char> out) { writeLine(out, \"x\") }\nmain(stdout)\n",
    );
    let out = mpl().arg("run").arg(&path).output().expect("run mpl");
    assert_eq!(out.status.code(), Some(mpl::exit::FAILED));
    assert!(
        out.stdout.is_empty(),
        "a program that does not parse must not run"
    );
    assert!(!out.stderr.is_empty());
}

#[test]
fn output_is_flushed_before_a_runtime_error_exit() {
    let src = b"process main(PutSeq<Char> out, Int zero) {\n  writeLine(out, \"before\");\n  writeLine(out, show(1 / zero));\n  out.put(StopPut);\n}\nmain(stdout, 0);\n";
    let path = temp_file("flush.mpl", src);
    let out = mpl().arg("run").arg(&path).output().expect("run mpl");
    assert_eq!(out.status.code(), Some(mpl::exit::FAILED));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("division by zero"), "{err}");
}

#[test]
fn unknown_command_line_flag_is_a_usage_error() {
    let out = mpl()
        .arg("run")
        .arg("--no-such-flag")
        .output()
        .expect("run mpl");
    assert_eq!(out.status.code(), Some(mpl::exit::USAGE));
}

#[test]
fn check_total_rejects_recursion_outside_fold_groups() {
    let src = b"Int count(Int n) { if (n <= 0) { 0 } else { 1 + count(n - 1) } }\n";
    let path = temp_file("total.mpl", src);
    let plain = mpl().arg("check").arg(&path).output().expect("run mpl");
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let total = mpl()
        .args(["check", "--total"])
        .arg(&path)
        .output()
        .expect("run mpl");
    assert_eq!(total.status.code(), Some(mpl::exit::FAILED));
    assert!(String::from_utf8_lossy(&total.stderr).contains("E0023"));
}

#[test]
fn check_total_accepts_corecursion_through_records() {
    let src = b"codata S { Int head(); S tail(); }\nS from(Int n) { record S { Int head() { n } S tail() { from(n + 1) } } }\n";
    let path = temp_file("corec.mpl", src);
    let out = mpl()
        .args(["check", "--total"])
        .arg(&path)
        .output()
        .expect("run mpl");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
