//! docs/tutorial.md is tested: every block of code marked `mpl` is a whole
//! program, run here with the block marked `input` under it (if any) as its
//! standard input, and what it prints must be the block marked `output`
//! under it. Blocks marked `mpl fragment` are pieces and are not run. Each
//! run has a time limit.

mod common;

use mpl::runtime::Config;
use std::path::Path;
use std::time::Duration;

/// One fenced block: its info string and its text.
struct Block {
    info: String,
    text: String,
    line: usize,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (n, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    text: String::new(),
                    line: n + 1,
                })
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(b), None) => {
                // Blocks inside a list item are indented; take it off.
                let indent = line.len() - line.trim_start().len();
                b.text.push_str(&line[indent.min(line.len())..]);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The complete programs, each with its input and expected output.
fn programs(blocks: &[Block]) -> Vec<(usize, &str, &str, &str)> {
    let mut out = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if b.info != "mpl" {
            continue;
        }
        let rest = &blocks[i + 1..];
        let input = rest.first().filter(|n| n.info == "input");
        let output = rest.iter().take(2).find(|n| n.info == "output");
        let output = output.unwrap_or_else(|| {
            panic!(
                "docs/tutorial.md:{}: a complete program needs an `output` block under it \
                 (or mark it `mpl fragment`)",
                b.line
            )
        });
        out.push((
            b.line,
            b.text.as_str(),
            input.map_or("", |b| b.text.as_str()),
            output.text.as_str(),
        ));
    }
    out
}

fn tutorial() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tutorial.md");
    std::fs::read_to_string(path).expect("docs/tutorial.md")
}

#[test]
fn every_block_of_the_tutorial_is_a_complete_program_with_its_output_or_a_fragment() {
    let text = tutorial();
    let blocks = blocks(&text);
    for b in blocks.iter().filter(|b| b.info.starts_with("mpl")) {
        assert!(
            b.info == "mpl" || b.info == "mpl fragment",
            "docs/tutorial.md:{}: `{}` is neither `mpl` nor `mpl fragment`",
            b.line,
            b.info
        );
    }
    assert!(programs(&blocks).len() >= 6, "the tutorial's programs");
}

#[test]
fn every_complete_program_in_the_tutorial_prints_what_is_shown_under_it() {
    let text = tutorial();
    let blocks = blocks(&text);
    let dir = std::env::temp_dir().join(format!("mpl-tutorial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let mut failures = Vec::new();
    for (line, program, input, output) in programs(&blocks) {
        let path = dir.join(format!("line{line}.mpl"));
        std::fs::write(&path, program).expect("write the program");
        let config = Config::default();
        let limit = Duration::from_secs(60);
        let ran = common::run_file(&path, input.as_bytes().to_vec(), Vec::new(), config, limit);
        match ran {
            None => failures.push(format!("docs/tutorial.md:{line}: did not end in time")),
            Some(r) if r.code != 0 || r.stdout != output => failures.push(format!(
                "docs/tutorial.md:{line}: exit {}, printed\n{}\nexpected\n{output}{}",
                r.code, r.stdout, r.report
            )),
            Some(_) => {}
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
