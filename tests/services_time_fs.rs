//! Integration tests of the `timeService` and `fileSystem` services: MPL
//! programs, written to a fresh temporary folder, run in-process with the
//! permissions each test gives (`--allow-read`/`--allow-write`), captured
//! stdout and a time limit. The path resolution itself is unit-tested in
//! `src/services/fs.rs`; deterministic programs are golden tests in
//! `tests/programs/time_*.mpl` and `fs_*.mpl`.

mod common;

use common::SharedBuf;
use mpl::SourceInput;
use mpl::diagnostics;
use mpl::host::Host;
use mpl::host::Permissions;
use mpl::runtime::Config;
use mpl::source::SourceMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- harness

/// A fresh folder under the system's temp folder, removed on drop.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mpl-tfs-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("root")).expect("make the sandbox");
        Sandbox { dir }
    }

    /// The folder the programs may read (and, when allowed, write).
    fn root(&self) -> PathBuf {
        self.dir.join("root")
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let p = self.dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, bytes).expect("write a sandbox file");
    }

    fn read_only(&self) -> Permissions {
        Permissions {
            read: vec![self.root()],
            write: Vec::new(),
            ..Permissions::default()
        }
    }

    fn read_write(&self) -> Permissions {
        Permissions {
            read: vec![self.root()],
            write: vec![self.root()],
            ..Permissions::default()
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Debug)]
struct Ran {
    code: i32,
    stdout: String,
    report: String,
}

/// Writes `source` to the sandbox (outside the root), compiles and runs it
/// with `permissions` and `config`; panics if it takes more than `secs`.
fn run(sb: &Sandbox, source: &str, permissions: Permissions, config: Config, secs: u64) -> Ran {
    let path = sb.dir.join("program.mpl");
    std::fs::write(&path, source).expect("write the program");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let _ = tx.send(run_now(path, permissions, config));
        })
        .expect("start the run thread");
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(ran) => ran,
        Err(_) => panic!("the program did not finish within {secs} s"),
    }
}

fn run_now(path: PathBuf, permissions: Permissions, config: Config) -> Ran {
    let mut sources = SourceMap::new();
    let program = match mpl::compile(&mut sources, SourceInput::File(path)) {
        Ok(p) => p,
        Err(diags) => {
            let report = diags
                .iter()
                .map(|d| diagnostics::render(d, &sources, false))
                .collect();
            return Ran {
                code: mpl::exit::FAILED,
                stdout: String::new(),
                report,
            };
        }
    };
    let out = SharedBuf::default();
    let host = Host {
        stdin: mpl::host::Input::none(),
        stdout: out.output(),
        stderr: SharedBuf::default().output(),
        args: Vec::new(),
        on_start: None,
        permissions,
        limits: mpl::host::Limits::default(),
        trace: None,
    };
    let (code, diag) = mpl::run_program(program, host, config);
    let report = diag
        .map(|d| diagnostics::render(&d, &sources, false))
        .unwrap_or_default();
    Ran {
        code,
        stdout: out.text(),
        report,
    }
}

/// Runs and insists on exit code 0; returns stdout.
fn run_ok(sb: &Sandbox, source: &str, permissions: Permissions, config: Config) -> String {
    let ran = run(sb, source, permissions, config, 60);
    assert_eq!(ran.code, 0, "{}\n{}", ran.report, ran.stdout);
    ran.stdout
}

fn threads(n: usize) -> Config {
    Config {
        threads: n,
        ..Config::default()
    }
}

fn seeded(seed: u64) -> Config {
    Config {
        seed: Some(seed),
        threads: 1,
        ..Config::default()
    }
}

/// The configurations the timing tests run under.
fn configs() -> Vec<Config> {
    vec![threads(1), threads(2), seeded(7)]
}

/// The integer after `prefix ` on the line that starts with it.
fn value_of(stdout: &str, prefix: &str) -> i64 {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"))
}

// ------------------------------------------------------------------ time

#[test]
fn time_unix_time_is_plausible_and_the_timer_never_goes_back() {
    let sb = Sandbox::new("unix");
    let src = r#"
process main(TimeService time, PutSeq<Char> out) {
  time.put(GetUnixTime);
  let t = time.get;
  time.put(GetCpuTimerMicroseconds);
  let a = time.get;
  time.put(GetCpuTimerMicroseconds);
  let b = time.get;
  time.put(Sleep).put(-5);
  time.get;
  time.put(Sleep).put(0);
  time.get;
  time.put(StopTimeService);
  writeLine(out, concat("unix ", show(t)));
  writeLine(out, concat("monotonic ", show(b >= a && a >= 0)));
  out.put(StopPut);
}

main(timeService, stdout);
"#;
    let out = run_ok(&sb, src, Permissions::default(), threads(2));
    let unix = value_of(&out, "unix");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    assert!((unix - now).abs() <= 5, "unix {unix}, now {now}");
    assert!(out.contains("monotonic true"), "{out}");
}

/// A sleeper sleeps 50 ms on its own connection while main keeps printing
/// timer readings: some reading falls inside the sleep, even on one thread.
const NONBLOCKING: &str = r#"
protocol Job = put TimeService, get Int, get Int, close;

process sleeper(neg<Job> job) {
  let time = job.get;
  time.put(GetCpuTimerMicroseconds);
  let before = time.get;
  time.put(Sleep).put(50);
  time.get;
  time.put(GetCpuTimerMicroseconds);
  let after = time.get;
  time.put(StopTimeService);
  job.put(before).put(after);
}

void ticks(TimeService time, PutSeq<Char> out, Int last, Int until) {
  time.put(GetCpuTimerMicroseconds);
  let now = time.get;
  if (now < until) {
    if (now >= last + 1000) {
      writeLine(out, concat("tick ", show(now)));
      ticks(time, out, now, until);
    } else {
      ticks(time, out, last, until);
    }
  }
}

process main(TimeService time, PutSeq<Char> out) {
  TimeService mine;
  time.put(ShareTSWith).put(~mine);
  Job job;
  sleeper(~job);
  job.put(mine);
  time.put(GetCpuTimerMicroseconds);
  let start = time.get;
  ticks(time, out, start, start + 400000);
  let before = job.get;
  let after = job.get;
  writeLine(out, concat("before ", show(before)));
  writeLine(out, concat("after ", show(after)));
  time.put(StopTimeService);
  out.put(StopPut);
}

main(timeService, stdout);
"#;

#[test]
fn time_sleep_waits_its_time_without_blocking_other_processes() {
    let sb = Sandbox::new("nonblocking");
    for config in configs() {
        let label = format!("{config:?}");
        let t = Instant::now();
        let out = run_ok(&sb, NONBLOCKING, Permissions::default(), config);
        assert!(t.elapsed() >= Duration::from_millis(50), "{label}");
        let (before, after) = (value_of(&out, "before"), value_of(&out, "after"));
        assert!(after - before >= 50_000, "{label}: slept {before}..{after}");
        let during = out
            .lines()
            .filter_map(|l| l.strip_prefix("tick ")?.parse::<i64>().ok())
            .filter(|&t| before < t && t < after)
            .count();
        assert!(during > 0, "{label}: no tick while sleeping:\n{out}");
    }
}

#[test]
fn time_a_thousand_sleeps_run_concurrently() {
    let sb = Sandbox::new("thousand");
    let src = r#"
protocol Node = put TimeService, get Int, close;

// Starts the next sleeper first, then sleeps: all the sleeps overlap.
process node(Int n, neg<Node> up) {
  let time = up.get;
  if (n == 0) {
    time.put(StopTimeService);
    up.put(0);
  } else {
    Node down;
    node(n - 1, ~down);
    TimeService next;
    time.put(ShareTSWith).put(~next);
    down.put(next);
    time.put(Sleep).put(200);
    time.get;
    time.put(StopTimeService);
    up.put(down.get + 1);
  }
}

process main(TimeService time, PutSeq<Char> out) {
  time.put(GetCpuTimerMicroseconds);
  let start = time.get;
  Node first;
  node(1000, ~first);
  TimeService mine;
  time.put(ShareTSWith).put(~mine);
  first.put(mine);
  let n = first.get;
  time.put(GetCpuTimerMicroseconds);
  let stop = time.get;
  time.put(StopTimeService);
  writeLine(out, concat("sleepers ", show(n)));
  writeLine(out, concat("elapsed ", show(stop - start)));
  out.put(StopPut);
}

main(timeService, stdout);
"#;
    for config in configs() {
        let out = run_ok(&sb, src, Permissions::default(), config);
        assert_eq!(value_of(&out, "sleepers"), 1000, "{out}");
        let elapsed = value_of(&out, "elapsed");
        // One after the other they would take 200 s.
        assert!((200_000..10_000_000).contains(&elapsed), "{out}");
    }
}

#[test]
fn time_two_processes_share_the_service() {
    let sb = Sandbox::new("share");
    let src = r#"
protocol Job = put TimeService, get String, close;

process worker(neg<Job> job, String name, Int ms) {
  let time = job.get;
  time.put(GetUnixTime);
  let t = time.get;
  time.put(Sleep).put(ms);
  time.get;
  time.put(GetUnixTime);
  let u = time.get;
  time.put(StopTimeService);
  job.put(concat(name, if (u >= t && t > 1500000000) { " ok" } else { " wrong" }));
}

process main(TimeService time, PutSeq<Char> out) {
  Job a;
  worker(~a, "slow", 30);
  Job b;
  worker(~b, "fast", 1);
  TimeService ta;
  time.put(ShareTSWith).put(~ta);
  a.put(ta);
  TimeService tb;
  time.put(ShareTSWith).put(~tb);
  b.put(tb);
  time.put(StopTimeService);
  writeLine(out, a.get);
  writeLine(out, b.get);
  out.put(StopPut);
}

main(timeService, stdout);
"#;
    for config in configs() {
        let out = run_ok(&sb, src, Permissions::default(), config);
        assert_eq!(out, "slow ok\nfast ok\n");
    }
}

#[test]
fn time_a_failure_ends_the_run_while_a_sleep_is_pending() {
    let sb = Sandbox::new("failure");
    // main lets the sleeper start its long sleep, then fails.
    let src = r#"
protocol Job = put TimeService, close;

process sleeper(neg<Job> job) {
  let time = job.get;
  time.put(Sleep).put(600000);
  time.get;
  time.put(StopTimeService);
}

process main(TimeService time, PutSeq<Char> out, Int zero) {
  Job job;
  sleeper(~job);
  TimeService mine;
  time.put(ShareTSWith).put(~mine);
  job.put(mine);
  time.put(Sleep).put(50);
  time.get;
  time.put(StopTimeService);
  writeLine(out, show(1 / zero));
  out.put(StopPut);
}

main(timeService, stdout, 0);
"#;
    for config in configs() {
        let t = Instant::now();
        let ran = run(&sb, src, Permissions::default(), config, 20);
        assert_eq!(ran.code, mpl::exit::FAILED, "{}", ran.report);
        assert!(ran.report.contains("division by zero"), "{}", ran.report);
        assert!(t.elapsed() < Duration::from_secs(10));
    }
}

// ----------------------------------------------------------------- files

/// MPL helpers that print each answer of the file system on one line.
const FS_HELPERS: &str = r#"
void readShow(FileSystem fs, PutSeq<Char> out, String path) {
  fs.put(ReadFile).put(path);
  switch (fs.get) {
    case Contents:
      writeLine(out, concat("contents ", bytesToString(fs.get)));
    case ReadFailed:
      writeLine(out, concat("read failed ", fs.get));
  }
}

void openShow(FileSystem fs, PutSeq<Char> out, String path) {
  fs.put(OpenFile).put(path);
  switch (fs.get) {
    case Opened:
      let f = fs.get;
      f.put(GetLength);
      let n = f.get;
      f.put(ReadChunk).put(3);
      let c = f.get;
      f.put(CloseFile);
      writeLine(out, concat("opened ", concat(show(n), concat(" ", bytesToString(c)))));
    case OpenFailed:
      writeLine(out, concat("open failed ", fs.get));
  }
}

void listShow(FileSystem fs, PutSeq<Char> out, String path) {
  fs.put(ListDir).put(path);
  switch (fs.get) {
    case Entries:
      writeLine(out, concat("entries ", show(fs.get)));
    case ListFailed:
      writeLine(out, concat("list failed ", fs.get));
  }
}

void writeShow(FileSystem fs, PutSeq<Char> out, String path, String text) {
  fs.put(WriteFile).put(path).put(stringToBytes(text));
  switch (fs.get) {
    case Written:
      writeLine(out, "written");
    case WriteFailed:
      writeLine(out, concat("write failed ", fs.get));
  }
}
"#;

/// A program whose `main` runs `body` with `fs` and `out`, then stops both.
fn fs_program(body: &str) -> String {
    format!(
        "{FS_HELPERS}\nprocess main(FileSystem fs, PutSeq<Char> out) {{\n{body}\n  \
         fs.put(StopFileSystem);\n  out.put(StopPut);\n}}\n\nmain(fileSystem, stdout);\n"
    )
}

fn lines(out: &str) -> Vec<&str> {
    out.lines().collect()
}

#[test]
fn fs_reads_a_file_and_opens_it() {
    let sb = Sandbox::new("read");
    sb.write("root/a.txt", b"hello file");
    let src = fs_program(r#"readShow(fs, out, "a.txt"); openShow(fs, out, "./a.txt");"#);
    let out = run_ok(&sb, &src, sb.read_only(), threads(2));
    assert_eq!(lines(&out), ["contents hello file", "opened 10 hel"]);
}

#[test]
fn fs_a_missing_file_is_answered_as_missing() {
    let sb = Sandbox::new("missing");
    let src = fs_program(
        r#"readShow(fs, out, "nope.txt"); openShow(fs, out, "nope/x.txt"); listShow(fs, out, "nodir");"#,
    );
    let out = run_ok(&sb, &src, sb.read_only(), threads(2));
    assert_eq!(
        lines(&out),
        [
            "read failed no such file or folder",
            "open failed no such file or folder",
            "list failed no such file or folder"
        ]
    );
}

#[test]
fn fs_lists_a_folder_sorted() {
    let sb = Sandbox::new("list");
    for name in ["b.txt", "a.txt", "Z", "sub/inner.txt"] {
        sb.write(&format!("root/{name}"), b"x");
    }
    let src = fs_program(
        r#"listShow(fs, out, ""); listShow(fs, out, "sub"); listShow(fs, out, "a.txt");"#,
    );
    let out = run_ok(&sb, &src, sb.read_only(), threads(2));
    let got = lines(&out);
    assert_eq!(got[0], r#"entries ["Z", "a.txt", "b.txt", "sub"]"#);
    assert_eq!(got[1], r#"entries ["inner.txt"]"#);
    assert!(got[2].starts_with("list failed "), "{out}");
}

#[test]
fn fs_writes_where_allowed() {
    let sb = Sandbox::new("write");
    sb.write("root/sub/keep.txt", b"");
    let src = fs_program(
        r#"writeShow(fs, out, "new.txt", "new text");
  writeShow(fs, out, "sub/two.txt", "two");
  writeShow(fs, out, "new.txt", "again");
  readShow(fs, out, "new.txt");
  writeShow(fs, out, "nodir/x.txt", "x");
  writeShow(fs, out, "sub", "x");"#,
    );
    let out = run_ok(&sb, &src, sb.read_write(), threads(2));
    let got = lines(&out);
    assert_eq!(
        got[..4],
        ["written", "written", "written", "contents again"]
    );
    assert_eq!(got[4], "write failed no such file or folder");
    assert!(got[5].starts_with("write failed "), "{out}");
    let read = |p: &str| std::fs::read_to_string(sb.root().join(p)).expect("written file");
    assert_eq!(read("new.txt"), "again");
    assert_eq!(read("sub/two.txt"), "two");
}

#[test]
fn fs_write_is_refused_without_allow_write() {
    let sb = Sandbox::new("nowrite");
    sb.write("root/a.txt", b"keep");
    let src =
        fs_program(r#"writeShow(fs, out, "a.txt", "x"); writeShow(fs, out, "new.txt", "x");"#);
    let out = run_ok(&sb, &src, sb.read_only(), threads(2));
    for line in lines(&out) {
        assert!(
            line.starts_with("write failed not allowed to write"),
            "{out}"
        );
    }
    assert_eq!(
        std::fs::read(sb.root().join("a.txt")).expect("a.txt"),
        b"keep"
    );
    assert!(!sb.root().join("new.txt").exists());
}

#[test]
fn fs_traversal_is_refused() {
    let sb = Sandbox::new("traversal");
    sb.write("outside/secret.txt", b"secret");
    sb.write("root/a.txt", b"a");
    let secret = sb.dir.join("outside/secret.txt");
    let abs = secret.to_string_lossy().replace('\\', "\\\\");
    let mut body = String::new();
    for path in ["../outside/secret.txt", "a/../../outside/secret.txt", &abs] {
        body.push_str(&format!(
            "readShow(fs, out, \"{path}\"); openShow(fs, out, \"{path}\"); \
             listShow(fs, out, \"{path}\"); writeShow(fs, out, \"{path}\", \"x\");\n"
        ));
    }
    body.push_str(r#"listShow(fs, out, ".."); writeShow(fs, out, "../new.txt", "x");"#);
    #[cfg(unix)]
    {
        let outside = sb.dir.join("outside");
        std::os::unix::fs::symlink(&secret, sb.root().join("link")).expect("symlink");
        std::os::unix::fs::symlink(&outside, sb.root().join("dirlink")).expect("symlink");
        let dangling = outside.join("made.txt");
        std::os::unix::fs::symlink(&dangling, sb.root().join("dangling")).expect("symlink");
        body.push_str(
            r#"readShow(fs, out, "link"); openShow(fs, out, "link"); listShow(fs, out, "dirlink");
  readShow(fs, out, "dirlink/secret.txt"); writeShow(fs, out, "link", "x");
  writeShow(fs, out, "dirlink/new.txt", "x"); writeShow(fs, out, "dangling", "x");"#,
        );
    }
    let src = fs_program(&body);
    let out = run_ok(&sb, &src, sb.read_write(), threads(2));
    assert!(!out.is_empty());
    for line in lines(&out) {
        assert!(
            line.contains("failed outside the allowed folders"),
            "not refused: {line}\n{out}"
        );
    }
    assert_eq!(std::fs::read(&secret).expect("secret"), b"secret");
    let outside: Vec<_> = std::fs::read_dir(sb.dir.join("outside"))
        .expect("outside")
        .collect();
    assert_eq!(outside.len(), 1, "a file was created outside the root");
    assert!(!sb.dir.join("new.txt").exists());
}

/// Bytes that are not all alike (a simple LCG).
fn pattern(n: usize) -> Vec<u8> {
    let mut x: u32 = 12345;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect()
}

/// The service reads in place what the kernel answers at once and hands
/// the rest to its I/O threads (src/services/fs/nowait.rs): the first
/// request of a run always goes to the threads (the folders are opened
/// there), later ones to either; the answers are the same.
#[test]
fn fs_answers_the_same_read_in_place_or_by_the_io_threads() {
    let sb = Sandbox::new("inplace");
    let big = pattern(300_000);
    sb.write("root/big.bin", &big);
    sb.write("root/small.txt", b"small text");
    let src = r#"
String summary([Byte] bytes) {
  flatten([show(length(bytes)), " ", show(take(3, bytes)), " ", show(take(3, reverse(bytes)))])
}

void readAll(FileSystem fs, PutSeq<Char> out, String path) {
  fs.put(ReadFile).put(path);
  switch (fs.get) {
    case Contents: writeLine(out, concat("read ", summary(fs.get)));
    case ReadFailed: writeLine(out, concat("read failed ", fs.get));
  }
}

void chunks(FileSystem fs, PutSeq<Char> out, String path, Int size) {
  fs.put(OpenFile).put(path);
  switch (fs.get) {
    case Opened:
      let f = fs.get;
      f.put(ReadChunk).put(size);
      let first = f.get;
      f.put(ReadChunk).put(size);
      let second = f.get;
      f.put(CloseFile);
      writeLine(out, flatten(["chunks ", summary(first), " / ", summary(second)]));
    case OpenFailed:
      writeLine(out, concat("open failed ", fs.get));
  }
}

void twice(FileSystem fs, PutSeq<Char> out) {
  readAll(fs, out, "small.txt");
  readAll(fs, out, "big.bin");
  readAll(fs, out, "missing.txt");
  chunks(fs, out, "small.txt", 4);
  chunks(fs, out, "big.bin", 290000);
  chunks(fs, out, "missing.txt", 1);
}

process main(FileSystem fs, PutSeq<Char> out) {
  twice(fs, out);
  twice(fs, out);
  fs.put(StopFileSystem);
  out.put(StopPut);
}

main(fileSystem, stdout);
"#;
    let out = run_ok(&sb, src, sb.read_write(), threads(2));
    let show3 = |b: &[u8]| {
        let items: Vec<String> = b.iter().map(|x| x.to_string()).collect();
        format!("[{}]", items.join(", "))
    };
    let summary = |b: &[u8]| {
        let tail: Vec<u8> = b.iter().rev().take(3).copied().collect();
        format!(
            "{} {} {}",
            b.len(),
            show3(&b[..3.min(b.len())]),
            show3(&tail)
        )
    };
    let round = [
        format!("read {}", summary(b"small text")),
        format!("read {}", summary(&big)),
        format!("read failed {}", mpl::services::fs::NOT_FOUND),
        format!("chunks {} / {}", summary(b"smal"), summary(b"l te")),
        format!(
            "chunks {} / {}",
            summary(&big[..290_000]),
            summary(&big[290_000..])
        ),
        format!("open failed {}", mpl::services::fs::NOT_FOUND),
    ];
    let want: Vec<String> = round.iter().chain(round.iter()).cloned().collect();
    assert_eq!(lines(&out), want);
}

#[test]
fn fs_streams_a_five_megabyte_file_in_chunks() {
    let sb = Sandbox::new("big");
    let data = pattern(5_000_000);
    sb.write("root/big.bin", &data);
    let src = r#"
([Byte], Int) readAll(File f, [Byte] acc, Int chunks) {
  f.put(ReadChunk).put(100000);
  switch (f.get) {
    case []: (acc, chunks)
    case c: readAll(f, acc ++ c, chunks + 1)
  }
}

process main(FileSystem fs, PutSeq<Char> out) {
  fs.put(OpenFile).put("big.bin");
  switch (fs.get) {
    case Opened:
      let f = fs.get;
      f.put(GetLength);
      writeLine(out, concat("length ", show(f.get)));
      let (all, chunks) = readAll(f, [], 0);
      f.put(ReadChunk).put(10);
      writeLine(out, concat("after end ", show(f.get)));
      f.put(CloseFile);
      writeLine(out, concat("chunks ", show(chunks)));
      fs.put(WriteFile).put("copy.bin").put(all);
      switch (fs.get) {
        case Written: writeLine(out, "copied");
        case WriteFailed: writeLine(out, concat("write failed ", fs.get));
      }
    case OpenFailed:
      writeLine(out, concat("open failed ", fs.get));
  }
  fs.put(StopFileSystem);
  out.put(StopPut);
}

main(fileSystem, stdout);
"#;
    let out = run_ok(&sb, src, sb.read_write(), threads(2));
    assert_eq!(
        lines(&out),
        ["length 5000000", "after end []", "chunks 50", "copied"]
    );
    let copy = std::fs::read(sb.root().join("copy.bin")).expect("copy.bin");
    assert!(copy == data, "the copy differs from the file");
}

#[test]
fn fs_two_processes_share_the_service() {
    let sb = Sandbox::new("fsshare");
    sb.write("root/a.txt", b"first");
    sb.write("root/b.txt", b"second");
    let src = r#"
protocol Job = put FileSystem, get String, close;

String readText(FileSystem fs, String path) {
  fs.put(ReadFile).put(path);
  switch (fs.get) {
    case Contents: bytesToString(fs.get)
    case ReadFailed: concat("failed ", fs.get)
  }
}

process reader(neg<Job> job, String path) {
  let fs = job.get;
  let text = readText(fs, path);
  fs.put(StopFileSystem);
  job.put(text);
}

process main(FileSystem fs, PutSeq<Char> out) {
  Job a;
  reader(~a, "a.txt");
  Job b;
  reader(~b, "b.txt");
  FileSystem fa;
  fs.put(ShareFSWith).put(~fa);
  a.put(fa);
  FileSystem fb;
  fs.put(ShareFSWith).put(~fb);
  b.put(fb);
  writeLine(out, readText(fs, "a.txt"));
  fs.put(StopFileSystem);
  writeLine(out, a.get);
  writeLine(out, b.get);
  out.put(StopPut);
}

main(fileSystem, stdout);
"#;
    for config in configs() {
        let out = run_ok(&sb, src, sb.read_only(), config);
        assert_eq!(lines(&out), ["first", "first", "second"]);
    }
}

#[test]
fn fs_reads_from_the_first_root_that_has_the_file() {
    let sb = Sandbox::new("roots");
    sb.write("other/only_other.txt", b"other");
    sb.write("root/both.txt", b"root");
    sb.write("other/both.txt", b"other");
    let src = fs_program(
        r#"readShow(fs, out, "both.txt"); readShow(fs, out, "only_other.txt"); readShow(fs, out, "none.txt");"#,
    );
    let perms = Permissions {
        read: vec![sb.root(), sb.dir.join("other")],
        write: Vec::new(),
        ..Permissions::default()
    };
    let out = run_ok(&sb, &src, perms, threads(2));
    assert_eq!(
        lines(&out),
        [
            "contents root",
            "contents other",
            "read failed no such file or folder"
        ]
    );
}

/// A program reads `x.txt` over and over while another thread replaces it,
/// again and again, by a link to a file outside the root and back by a
/// plain file: no read ever returns the outside file's content (with the
/// old check-then-open sandbox, about one read in 3,000 did).
#[cfg(unix)]
#[test]
fn fs_a_link_swapped_in_and_out_never_leaks_outside_content() {
    let sb = Sandbox::new("swap");
    sb.write("outside/secret.txt", b"secret");
    sb.write("root/x.txt", b"inside");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, root) = (stop.clone(), sb.root());
        let secret = sb.dir.join("outside/secret.txt");
        std::thread::spawn(move || {
            let (x, file, link) = (root.join("x.txt"), root.join(".f"), root.join(".l"));
            while !stop.load(Ordering::Relaxed) {
                let _ = std::fs::write(&file, "inside");
                let _ = std::fs::rename(&file, &x);
                let _ = std::os::unix::fs::symlink(&secret, &link);
                let _ = std::fs::rename(&link, &x);
            }
        })
    };
    let src = r#"
(Int, Int, Int) readMany(FileSystem fs, Int n, (Int, Int, Int) seen) {
  let (inside, leaked, refused) = seen;
  if (n == 0) {
    seen
  } else {
    fs.put(ReadFile).put("x.txt");
    switch (fs.get) {
      case Contents:
        if (bytesToString(fs.get) == "inside") {
          readMany(fs, n - 1, (inside + 1, leaked, refused))
        } else {
          readMany(fs, n - 1, (inside, leaked + 1, refused))
        }
      case ReadFailed:
        let why = fs.get;
        readMany(fs, n - 1, (inside, leaked, refused + 1))
    }
  }
}

process main(FileSystem fs, PutSeq<Char> out) {
  let (inside, leaked, refused) = readMany(fs, 3000, (0, 0, 0));
  writeLine(out, "inside " ++ show(inside));
  writeLine(out, "leaked " ++ show(leaked));
  writeLine(out, "refused " ++ show(refused));
  fs.put(StopFileSystem);
  out.put(StopPut);
}

main(fileSystem, stdout);
"#;
    // The race must really be run: reads see both the file and the link.
    // On a loaded machine the swapping thread may sleep through a whole
    // round of reads, so a round that saw only one of them is run again
    // (no round may ever leak).
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let ran = run(&sb, src, sb.read_only(), threads(2), 60);
        assert_eq!(ran.code, 0, "{}\n{}", ran.report, ran.stdout);
        assert_eq!(value_of(&ran.stdout, "leaked"), 0, "{}", ran.stdout);
        let raced = value_of(&ran.stdout, "inside") > 0 && value_of(&ran.stdout, "refused") > 0;
        rounds.push(ran.stdout);
        if raced {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().expect("the swapping thread");
    let last = rounds.last().map_or("", String::as_str);
    assert!(
        value_of(last, "inside") > 0 && value_of(last, "refused") > 0,
        "no round saw both the file and the link: {rounds:?}"
    );
}
