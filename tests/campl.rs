//! The CaMPL front end against CaMPL's own material, and its terminals.
//!
//! - `reference::PATH`: when `../shared/campl` is beside the project, every
//!   program there must check, except those `docs/campl.md` lists (under
//!   "Programs that do not check", each with its reason), which must be
//!   rejected, so the list stays true. CaMPL's type-checker cases are
//!   held to the same rule, and its `negative` cases must be rejected.
//! - `terminal_*`: a program's terminal is reached over TCP at the port
//!   it announces on stderr.
//!
//! The golden programs of `tests/campl/` run with the others, in
//! `tests/programs.rs`.

mod common;

use common::SharedBuf;
use libtest_mimic::{Arguments, Failed, Trial};
use mpl::host::Host;
use mpl::source::SourceMap;
use mpl::syntax::Syntax;
use mpl::{Options, SourceInput};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut trials = vec![
        Trial::test("terminal_is_reached_over_tcp", terminal_is_reached_over_tcp),
        Trial::test(
            "terminal_dup_shares_one_connection",
            terminal_dup_shares_one_connection,
        ),
        Trial::test(
            "consoles_share_standard_output_line_by_line",
            consoles_share_standard_output_line_by_line,
        ),
        Trial::test(
            "a_channel_of_two_consoles_serves_each_half",
            a_channel_of_two_consoles_serves_each_half,
        ),
        Trial::test(
            "a_channel_of_two_consoles_that_run_forks_serves_each_half",
            a_channel_of_two_consoles_that_run_forks_serves_each_half,
        ),
    ];
    let shared = root.join("../shared/campl");
    if shared.is_dir() {
        let listed = listed_failures(&root.join("docs/campl.md"));
        for path in programs(&shared) {
            let rel = path
                .strip_prefix(&shared)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let must_fail = listed.contains(&rel) || rel.contains("/negative");
            let name = format!("reference::{rel}");
            trials.push(Trial::test(name, move || reference(&path, must_fail)));
        }
    } else {
        let name = "reference::absent (../shared/campl is not beside the project)";
        trials.push(Trial::test(name, || Ok(())).with_ignored_flag(true));
    }
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

/// Every `.mpl` file under `dir`, sorted.
fn programs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "mpl") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The paths listed in the table of programs that do not check: the
/// first backquoted text of each row.
fn listed_failures(doc: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(doc).unwrap_or_default();
    let Some(section) = text.split("## Programs that do not check").nth(1) else {
        return Vec::new();
    };
    let section = section.split("\n## ").next().unwrap_or("");
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.split('`').nth(1).map(str::to_string))
        .collect()
}

fn reference(path: &Path, must_fail: bool) -> Result<(), Failed> {
    let path = path.to_path_buf();
    let shown = path.display().to_string();
    let checked = mpl::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let options = Options {
            syntax: Some(Syntax::Campl),
            ..Options::default()
        };
        match mpl::compile_with(&mut sources, SourceInput::File(path), options) {
            Ok(_) => Ok(()),
            Err(diags) => Err(rendered(&diags, &sources)),
        }
    });
    match (checked, must_fail) {
        (Ok(()), false) | (Err(_), true) => Ok(()),
        (Ok(()), true) => Err(format!(
            "{shown} checks, but docs/campl.md lists it as rejected (or it is a negative case)"
        )
        .into()),
        (Err(report), false) => Err(format!("{shown} does not check:\n{report}").into()),
    }
}

/// Every diagnostic drawn, without colour.
fn rendered(diags: &[mpl::diagnostics::Diagnostic], sources: &SourceMap) -> String {
    diags
        .iter()
        .map(|d| mpl::diagnostics::render(d, sources, false))
        .collect()
}

const TERMINAL_PROGRAM: &str = r#"
protocol StringTerminal => S =
    StringTerminalGet :: Get([Char] | S) => S
    StringTerminalPut :: Put([Char] | S) => S
    StringTerminalDup :: S (+) S => S
    StringTerminalClose :: TopBot => S

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => term -> do
    hput StringTerminalPut on term
    put "name?" on term
    hput StringTerminalGet on term
    get name on term
    hput StringTerminalClose on term
    close term
    hput ConsolePut on console
    put "hello " ++ name on console
    hput ConsoleClose on console
    halt console
"#;

const DUP_PROGRAM: &str = r#"
protocol StringTerminal => S =
    StringTerminalGet :: Get([Char] | S) => S
    StringTerminalPut :: Put([Char] | S) => S
    StringTerminalDup :: S (+) S => S
    StringTerminalClose :: TopBot => S

proc run = | => term -> do
    hput StringTerminalDup on term
    split term into a, b
    hput StringTerminalPut on a
    put "from a" on a
    hput StringTerminalClose on a
    close a
    hput StringTerminalPut on b
    put "from b" on b
    hput StringTerminalClose on b
    halt b
"#;

/// A console and a process that says `msg` on one, twice.
const SAY: &str = r#"
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc say :: [Char] | Console => =
    msg | console => -> do
        hput ConsolePut on console
        put msg on console
        hput ConsolePut on console
        put msg ++ " again" on console
        hput ConsoleClose on console
        halt console
"#;

const THREE_CONSOLES: &str = r#"
proc run = | c1, c2, c3 => -> plug
    c1, z1 => -> do
        close z1
        say("one" | c1 => )
    c2, z2 => z1 -> do
        close z1
        close z2
        say("two" | c2 => )
    c3 => z2 -> do
        close z2
        say("three" | c3 => )
"#;

const TWO_ON_ONE_CHANNEL: &str = r#"
proc run :: | Console (*) Console => =
    | consoles => -> do
        split consoles into a, b
        plug
            a => z -> do
                close z
                say("left" | a => )
            b, z => -> do
                close z
                say("right" | b => )
"#;

const TWO_ON_ONE_CHANNEL_FORKED: &str = r#"
proc run :: | Console (+) Console => =
    | consoles => -> fork consoles as
        a -> say("left" | a => )
        b -> say("right" | b => )
"#;

/// What a program run in the background left: its exit code and output.
struct Running {
    stderr: SharedBuf,
    done: std::sync::mpsc::Receiver<(i32, String)>,
}

/// Compiles and starts `text` (CaMPL) on a thread of its own.
fn start(text: &str) -> Result<Running, Failed> {
    let mut sources = SourceMap::new();
    let input = SourceInput::Text {
        name: "terminal.mpl".into(),
        text: text.into(),
    };
    let options = Options {
        syntax: Some(Syntax::Campl),
        ..Options::default()
    };
    let program = mpl::compile_with(&mut sources, input, options)
        .map_err(|d| Failed::from(rendered(&d, &sources)))?;
    let (out, err) = (SharedBuf::default(), SharedBuf::default());
    let host = Host {
        stdin: mpl::host::Input::none(),
        stdout: out.output(),
        stderr: err.output(),
        args: Vec::new(),
        on_start: None,
        permissions: Default::default(),
        limits: mpl::host::Limits::default(),
        trace: None,
    };
    let (tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (code, _) = mpl::run_program(program, host, Default::default());
        let _ = tx.send((code, out.text()));
    });
    Ok(Running { stderr: err, done })
}

/// The port of the first terminal the program announced.
fn announced_port(stderr: &SharedBuf) -> Result<u16, Failed> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = stderr.text();
        if let Some(rest) = text.split("127.0.0.1:").nth(1) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().map_err(|_| Failed::from(text.clone()));
        }
        if Instant::now() > deadline {
            return Err(format!("no terminal was announced; stderr: {text:?}").into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn connect(port: u16) -> Result<(std::net::TcpStream, BufReader<std::net::TcpStream>), Failed> {
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
    Ok((stream, reader))
}

fn read_line(reader: &mut BufReader<std::net::TcpStream>) -> Result<String, Failed> {
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line)
}

fn terminal_is_reached_over_tcp() -> Result<(), Failed> {
    let running = start(TERMINAL_PROGRAM)?;
    let port = announced_port(&running.stderr)?;
    let (mut stream, mut reader) = connect(port)?;
    assert_eq_or_fail(&read_line(&mut reader)?, "name?\n")?;
    stream.write_all(b"ada\n").map_err(|e| e.to_string())?;
    let (code, stdout) = running
        .done
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "the program did not end")?;
    assert_eq_or_fail(&format!("{code} {stdout}"), "0 hello ada\n")
}

fn terminal_dup_shares_one_connection() -> Result<(), Failed> {
    let running = start(DUP_PROGRAM)?;
    let port = announced_port(&running.stderr)?;
    let (_stream, mut reader) = connect(port)?;
    // The two channels are served by two tasks: their lines may come in
    // either order, both on the one connection.
    let mut lines = [read_line(&mut reader)?, read_line(&mut reader)?];
    lines.sort();
    assert_eq_or_fail(&lines.concat(), "from a\nfrom b\n")?;
    let (code, _) = running
        .done
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "the program did not end")?;
    assert_eq_or_fail(&code.to_string(), "0")
}

fn assert_eq_or_fail(got: &str, want: &str) -> Result<(), Failed> {
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want:?}, got {got:?}").into())
    }
}

/// Three channels of `run` that are consoles share standard output: each
/// line whole, every line there (their order is the schedule's).
fn consoles_share_standard_output_line_by_line() -> Result<(), Failed> {
    let want = "one|one again|three|three again|two|two again";
    assert_sorted_lines(THREE_CONSOLES, want)
}

/// A channel of `run` of type `Console (*) Console`: `run` splits it and
/// each half is a console.
fn a_channel_of_two_consoles_serves_each_half() -> Result<(), Failed> {
    assert_sorted_lines(TWO_ON_ONE_CHANNEL, "left|left again|right|right again")
}

/// A channel of `run` of type `Console (+) Console`: `run` forks it.
fn a_channel_of_two_consoles_that_run_forks_serves_each_half() -> Result<(), Failed> {
    let want = "left|left again|right|right again";
    assert_sorted_lines(TWO_ON_ONE_CHANNEL_FORKED, want)
}

/// Runs `run` (with `SAY`, and no input) and compares its exit code and
/// its output's lines, sorted, with `want` (lines joined with `|`).
fn assert_sorted_lines(run: &str, want: &str) -> Result<(), Failed> {
    let running = start(&format!("{SAY}{run}"))?;
    let (code, stdout) = running
        .done
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "the program did not end")?;
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort();
    assert_eq_or_fail(&format!("{code} {}", lines.join("|")), &format!("0 {want}"))
}
