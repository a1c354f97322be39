//! `mpl` as a Unix tool: exit codes as README's table gives them, flags
//! where they belong, a closed pipe, the last line of input. Each test runs
//! the real binary with a time limit.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mpl-cli-tests-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `mpl ARGS` with `input` on stdin (a pipe); kills it after `LIMIT`.
fn mpl(args: &[&str], input: &str) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpl"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mpl");
    // Written from a thread: the run may fill its output pipe before it
    // has read all of a large input.
    let writer = child.stdin.take().map(|mut stdin| {
        let input = input.to_string();
        std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        })
    });
    let ran = finish(&mut child);
    if let Some(w) = writer {
        let _ = w.join();
    }
    ran
}

/// Runs `mpl ARGS` with the file `input` as its stdin.
fn mpl_reading_file(args: &[&str], input: &PathBuf) -> Ran {
    let file = std::fs::File::open(input).expect("open the input");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpl"))
        .args(args)
        .stdin(Stdio::from(file))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mpl");
    finish(&mut child)
}

/// Collects the outputs of `child` until it ends (or `LIMIT` passes).
fn finish(child: &mut Child) -> Ran {
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let code = wait(child);
    Ran {
        code,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut text);
        }
        text
    })
}

fn wait(child: &mut Child) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code();
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("mpl did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

const HELLO: &str =
    "process main(PutSeq<Char> out) { writeLine(out, \"hi\"); out.put(StopPut); }\nmain(stdout);\n";

const ARGS: &str = "void each(PutSeq<Char> out, [String] xs) { switch xs { case []: out.put(StopPut); case (x:rest): writeLine(out, x); each(out, rest); } }\neach(stdout, args);\n";

#[test]
fn a_missing_file_is_a_usage_error() {
    let ran = mpl(&["run", "/no/such/file.mpl"], "");
    assert_eq!(ran.code, Some(mpl::exit::USAGE), "{}", ran.stderr);
    let ran = mpl(&["check", "/no/such/file.mpl"], "");
    assert_eq!(ran.code, Some(mpl::exit::USAGE), "{}", ran.stderr);
}

#[test]
fn zero_threads_are_refused() {
    let path = temp_file("hello0.mpl", HELLO);
    let ran = mpl(&["run", "--threads", "0", path.to_str().unwrap()], "");
    assert_eq!(ran.code, Some(mpl::exit::USAGE));
    assert!(ran.stdout.is_empty());
}

#[test]
fn a_flag_after_the_file_is_refused_with_a_hint() {
    let path = temp_file("hello1.mpl", HELLO);
    let ran = mpl(&["run", path.to_str().unwrap(), "--threads", "2"], "");
    assert_eq!(ran.code, Some(mpl::exit::USAGE));
    assert!(ran.stdout.is_empty(), "the program must not run");
    assert!(
        ran.stderr.contains("write `--` before it"),
        "{}",
        ran.stderr
    );
}

#[test]
fn arguments_after_a_double_dash_reach_the_program() {
    let path = temp_file("args.mpl", ARGS);
    let ran = mpl(&["run", path.to_str().unwrap(), "a", "--", "-v", "--x"], "");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, "a\n-v\n--x\n");
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let many = "void count(PutSeq<Char> out, Int i) { if (i < 1000000) { writeLine(out, intToStr(i)); count(out, i + 1); } else { out.put(StopPut); } }\ncount(stdout, 0);\n";
    let path = temp_file("many.mpl", many);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpl"))
        .args(["run", path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mpl");
    let mut first = [0u8; 2];
    if let Some(out) = child.stdout.as_mut() {
        out.read_exact(&mut first).expect("the first line");
    }
    drop(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let code = wait(&mut child);
    assert_eq!(&first, b"0\n");
    assert_eq!(code, Some(mpl::exit::OUTPUT_CLOSED));
    assert_eq!(stderr.join().unwrap_or_default(), "", "no report");
}

#[test]
fn the_last_input_line_without_a_newline_is_a_line() {
    let echo = "process echo(GetSeq<Char> inp, PutSeq<Char> out) {\n  let a = readLine(inp);\n  let b = readLine(inp);\n  writeLine(out, concat(a, b));\n  inp.put(StopGet);\n  out.put(StopPut);\n}\necho(stdin, stdout);\n";
    let path = temp_file("lines.mpl", echo);
    let ran = mpl(&["run", path.to_str().unwrap()], "one\ntwo");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, "onetwo\n");
}

/// Counts lines and words and echoes the last line (`console`).
const COUNT: &str = "process main(Console con, Int lines, Int words, String last) {\n  con.put(ReadLine);\n  switch (con.get) {\n    case Line:\n      let line = con.get;\n      main(con, lines + 1, words + length(words(line)), line);\n    case EndOfInput:\n      con.put(Write).put(concat(show(lines), concat(\" \", concat(show(words), concat(\" \", concat(last, \"\\n\"))))));\n      con.put(StopConsole);\n  }\n}\nmain(console, 0, 0, \"\");\n";

#[test]
fn input_from_a_file_reads_as_input_from_a_pipe() {
    // A file is read in place, a pipe by a reader thread: more than one
    // chunk (64 KiB) of input, with multibyte chars across the chunks'
    // edges and a last line without a newline.
    let mut text = String::new();
    for i in 0..9000 {
        text.push_str(&format!("line {i} é€😀 word\n"));
    }
    text.push_str("the end");
    let program = temp_file("count.mpl", COUNT);
    let input = temp_file("count.txt", &text);
    let args = ["run", program.to_str().unwrap()];
    let want = "9001 36002 the end\n";
    let piped = mpl(&args, &text);
    let filed = mpl_reading_file(&args, &input);
    for (how, ran) in [("a pipe", piped), ("a file", filed)] {
        let got = (ran.code, ran.stdout.as_str());
        assert_eq!(got, (Some(0), want), "from {how}: {}", ran.stderr);
    }
}

#[test]
fn a_recursion_past_the_stack_limit_fails_with_a_report() {
    let deep = "Int forever(Int n) { 1 + forever(n + 1) }\nprocess main(PutSeq<Char> out) { writeLine(out, show(forever(0))); out.put(StopPut); }\nmain(stdout);\n";
    let path = temp_file("deep.mpl", deep);
    let ran = mpl(&["run", "--max-stack", "10000", path.to_str().unwrap()], "");
    assert_eq!(ran.code, Some(mpl::exit::FAILED));
    assert!(
        ran.stderr.contains("stack overflow: more than 10000 calls"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("forever(n + 1)"),
        "the report shows the call: {}",
        ran.stderr
    );
}

const SPAWN_FOREVER: &str = "protocol Park = put Int, close;
process parked(neg<Park> c) { let _v = c.get; }
[Park] spawnAll(Int n, [Park] acc) { Park c; parked(~c); spawnAll(n + 1, c : acc) }
void wakeAll([Park] cs) { switch cs { case []: case (c:rest): c.put(1); wakeAll(rest); } }
process main() { wakeAll(spawnAll(0, [])); }
main();
";

/// Runs `source` with `flags`; insists on exit 1 and returns the report.
fn fails_with_report(name: &str, source: &str, flags: &[&str]) -> String {
    let path = temp_file(name, source);
    let mut args = vec!["run"];
    args.extend_from_slice(flags);
    args.push(path.to_str().unwrap());
    let ran = mpl(&args, "");
    assert_eq!(ran.code, Some(mpl::exit::FAILED), "{}", ran.stderr);
    ran.stderr
}

#[test]
fn a_program_that_spawns_forever_stops_at_the_process_limit() {
    let report = fails_with_report("spawn.mpl", SPAWN_FOREVER, &["--max-processes", "5000"]);
    assert!(
        report.contains("too many processes: 5000 are alive"),
        "{report}"
    );
    assert!(
        report.contains("parked(~c)"),
        "the report shows the call: {report}"
    );
    assert!(report.contains("--max-processes N"), "{report}");
}

#[test]
fn a_program_that_spawns_forever_stops_at_the_memory_limit() {
    let report = fails_with_report("spawn.mpl", SPAWN_FOREVER, &["--max-memory", "40M"]);
    assert!(report.contains("out of memory"), "{report}");
    assert!(report.contains("(40 MiB)"), "{report}");
    assert!(report.contains("--max-memory"), "{report}");
}

#[test]
fn a_program_that_puts_forever_to_a_deaf_process_stops_at_the_memory_limit() {
    let flood = "protocol Flood = put Int, loop;
process flood(Flood c, Int n) { c.put(n); flood(c, n + 1); }
process deaf(neg<Flood> c) { deaf(c); }
flood(f, 0);
deaf(~f);
";
    let report = fails_with_report("flood.mpl", flood, &["--max-memory", "40M"]);
    assert!(report.contains("out of memory"), "{report}");
    // The process that floods is blamed, not the one that waits, and the
    // report shows where the messages pile up.
    assert!(report.contains("this one, `flood`"), "{report}");
    assert!(
        report.contains("the longest queues: `deaf` ("),
        "the census names the queue: {report}"
    );
}

#[test]
fn a_program_that_builds_an_infinite_list_stops_at_the_memory_limit() {
    let list = "[Int] upFrom(Int n, [Int] acc) { upFrom(n + 1, n : acc) }
process main(PutSeq<Char> out) { writeLine(out, show(length(upFrom(0, [])))); out.put(StopPut); }
main(stdout);
";
    let report = fails_with_report("list.mpl", list, &["--max-memory", "40M"]);
    assert!(report.contains("out of memory"), "{report}");
    assert!(
        report.contains("n : acc"),
        "the report shows the cons: {report}"
    );
}

#[test]
fn a_memory_size_must_have_a_known_unit() {
    let path = temp_file("hello-mem.mpl", HELLO);
    let ran = mpl(&["run", "--max-memory", "5X", path.to_str().unwrap()], "");
    assert_eq!(ran.code, Some(mpl::exit::USAGE), "{}", ran.stderr);
    assert!(ran.stderr.contains("unknown unit"), "{}", ran.stderr);
    let ran = mpl(&["run", "--max-memory", "64M", path.to_str().unwrap()], "");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, "hi\n");
}

/// Found by fuzzing (`fuzz/`, target `check`): an unknown protocol name
/// on a channel used by two calls made the checker recurse until its stack
/// overflowed, and `mpl check` aborted after 12 s.
#[test]
fn an_unknown_protocol_used_by_two_calls_is_reported_not_a_crash() {
    let source = "void withdraw(Account c, Int amount, PutSeq<Char> out) {
  c.put(Withdraw).put(amount);
  switch (c.get) {
    case Ok:
      writeLine(out, concat(\"ok, left \", show(c.get)));
    case Insufficient:
      writeLine(out, concat(\"insufficient for \", show(amount)));
  }
}

process main(Account c, PutSeq<Char> out) {
  withdraw(c, 30, out);
  withdraw(c, 100, out);
  withdraw(c, 70, out);
  c.put(Balance);
  writeLine(out, concat(\"balance \", show(c.get)));
  c.put(CloseAccount);
  out.put(StopPut);
}

bank(~acct, 100);
main(acct, stdout);
";
    let path = temp_file("unknown-protocol.mpl", source);
    let ran = mpl(&["check", path.to_str().unwrap()], "");
    assert_eq!(ran.code, Some(mpl::exit::FAILED), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("there is no type called `Account`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_port_that_cannot_be_bound_fails_the_run() {
    // Hold a port, then ask the program to listen on it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = taken.local_addr().expect("address").port().to_string();
    let program = temp_file(
        "bind.mpl",
        r#"
process listen([String] args, PutSeq<Char> out, TcpListenService tcp) {
  let port = unwrap(strToInt(unwrap(head(args), "0")), 0);
  tcp.put(ListenOnPort).put(port);
  switch (tcp.get) {
    case TcpBindSuccess:
      tcp.put(StopGet);
      tcp.close();
      writeLine(out, "bound");
      out.put(StopPut);
      out.close();
    case TcpBindFailed:
      writeLine(out, concat("cannot bind: ", tcp.get));
      tcp.put(StopTcpListenService);
      tcp.close();
      out.put(StopPut);
      out.close();
  }
}
listen(args, stdout, tcpListenService);
"#,
    );
    let path = program.to_string_lossy();
    let ran = mpl(&["run", &path, &port], "");
    drop(taken);
    assert_eq!(ran.code, Some(1), "stderr: {}", ran.stderr);
    assert!(ran.stdout.starts_with("cannot bind: "), "{}", ran.stdout);
    assert!(ran.stderr.contains("no port was bound"), "{}", ran.stderr);
}

#[test]
fn explain_prints_the_entry_of_a_code_and_refuses_an_unknown_one() {
    let ran = mpl(&["explain", "E0060"], "");
    assert_eq!(ran.code, Some(0));
    assert!(ran.stdout.starts_with("## E0060: "), "{}", ran.stdout);
    assert!(ran.stdout.contains("Fixed:"), "{}", ran.stdout);
    let listed = mpl(&["explain"], "");
    assert!(
        listed.stdout.lines().any(|l| l.starts_with("W0002")),
        "{}",
        listed.stdout
    );
    let unknown = mpl(&["explain", "E9999"], "");
    assert_eq!(unknown.code, Some(64));
    assert!(
        unknown.stderr.contains("`mpl explain` lists them"),
        "{}",
        unknown.stderr
    );
}

const COUNTER: &str = "\
protocol Counter = put Inc: loop | put Stop: get Int, close;
process count(neg<Counter> k, Int n) {
  switch (k.get) {
    case Inc: count(k, n + 1);
    case Stop: k.put(n); k.close();
  }
}
process drive(Counter c, PutSeq<Char> out) {
  c.put(Inc);
  c.put(Stop);
  writeLine(out, show(c.get));
  c.close();
  out.put(StopPut);
}
count(~c, 0);
drive(c, stdout);
";

#[test]
fn protocol_prints_a_protocols_states_as_text_dot_and_svg() {
    let file = temp_file("counter_protocol.mpl", COUNTER);
    let file = file.to_str().expect("a path");
    let text = mpl(&["protocol", file, "Counter"], "");
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(
        text.stdout.starts_with("protocol Counter: 4 states"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("put Inc                  -> s0  (back to the start)")
    );
    let dot = mpl(&["protocol", file, "neg<Counter>", "--dot"], "");
    assert!(
        dot.stdout.starts_with("digraph \"neg<Counter>\""),
        "{}",
        dot.stdout
    );
    assert!(dot.stdout.contains("label=\"get Inc\""), "{}", dot.stdout);
    let svg = mpl(&["protocol", file, "Counter", "--svg"], "");
    let parsed = roxmltree::Document::parse(&svg.stdout).expect("well-formed svg");
    assert_eq!(parsed.root_element().tag_name().name(), "svg");
    assert!(svg.stdout.contains("put Stop"));
    let wrong = mpl(&["protocol", file, "Countr"], "");
    assert_eq!(wrong.code, Some(1));
    assert!(
        wrong.stderr.contains("did you mean `Counter`?"),
        "{}",
        wrong.stderr
    );
}

#[test]
fn run_with_trace_writes_each_event_to_stderr_and_a_chart_page() {
    let file = temp_file("counter_trace.mpl", COUNTER);
    let page = file.with_extension("html");
    let flag = format!("--trace-html={}", page.display());
    let ran = mpl(
        &["run", "--trace", &flag, file.to_str().expect("a path")],
        "",
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, "1\n");
    assert!(ran.stderr.contains("start  count(k, 0)"), "{}", ran.stderr);
    assert!(ran.stderr.contains("put    c <- Stop"), "{}", ran.stderr);
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.contains("<svg") && html.contains("c: Stop"), "{html}");
}
