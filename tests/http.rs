//! The web servers written in MPL, `examples/pluto.mpl` and
//! `examples/fileserver.mpl`, run in-process on a free 127.0.0.1 port and
//! are spoken to over real sockets with a small HTTP/1.1 client written
//! with `std::net`. Each test serves a fresh temporary folder (the run's
//! only `--allow-read` root), stops the run at the end, and fails if it
//! takes longer than its time limit.

mod common;

use common::SharedBuf;
use mpl::SourceInput;
use mpl::diagnostics;
use mpl::host::Host;
use mpl::host::Permissions;
use mpl::host::RunError;
use mpl::runtime::{Config, Handle};
use mpl::source::SourceMap;
use mpl::value::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- harness

/// How long one socket operation may wait before the test fails.
const IO_LIMIT: Duration = Duration::from_secs(20);

/// Runs `body` on its own thread; panics if it has not finished after
/// `secs` seconds (a hung server must fail the test, not hang the suite).
fn with_limit(secs: u64, body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        body();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => {
            let _ = worker.join();
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: re-raise its message.
            if let Err(e) = worker.join() {
                std::panic::resume_unwind(e);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test did not finish within {secs} s"),
    }
}

/// A fresh folder under the system's temp folder, removed on drop; `site`
/// is the folder served, `outside` a sibling that must never be reachable.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mpl-http-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("site")).expect("make the sandbox");
        std::fs::create_dir_all(dir.join("outside")).expect("make the sandbox");
        std::fs::write(dir.join("outside/secret.txt"), SECRET).expect("write the secret");
        Sandbox { dir }
    }

    fn site(&self) -> PathBuf {
        self.dir.join("site")
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let p = self.site().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, bytes).expect("write a site file");
    }

    /// A small site like `examples/html/`.
    fn standard(name: &str) -> Sandbox {
        let sb = Sandbox::new(name);
        sb.write("index.html", INDEX.as_bytes());
        sb.write("style.css", b"body { color: #222; }\n");
        sb.write("app.js", b"console.log(1);\n");
        sb.write("data.json", b"{\"a\": 1}\n");
        sb.write("notes.txt", b"notes\n");
        sb.write("logo.png", &png_bytes());
        sb.write("photo.jpg", &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
        sb.write("icon.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
        sb.write("blob.bin", &[0, 1, 2, 3, 255]);
        sb.write("hello world.txt", b"Hello, world!\n");
        sb.write("docs/index.html", b"<p>docs</p>\n");
        sb
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const SECRET: &str = "TOP SECRET: this file is outside the site\n";
const INDEX: &str = "<!DOCTYPE html>\n<title>Test site</title>\n<p>Hello from the test site.</p>\n";

/// Not a picture anyone would look at: the PNG signature and arbitrary
/// bytes, every value 0..=255 included, to catch any text mangling.
fn png_bytes() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend((0..=255u8).cycle().take(3000));
    v
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}

/// A server program running in-process; stopped when dropped.
struct Server {
    port: u16,
    stdout: SharedBuf,
    handle: mpsc::Receiver<Handle<Value, RunError>>,
    stop: Option<Handle<Value, RunError>>,
    done: mpsc::Receiver<(i32, String)>,
}

impl Server {
    /// Runs `program` with `args(port)`, reading under `root`, and waits
    /// until it accepts connections.
    fn start(program: &Path, root: &Path, args: impl FnOnce(u16) -> Vec<String>) -> Server {
        let port = free_port();
        let args = args(port);
        let (out, ran) = start_run(program, root, args);
        let mut server = Server {
            port,
            stdout: out,
            handle: ran.0,
            stop: None,
            done: ran.1,
        };
        server.stop = server.handle.recv_timeout(IO_LIMIT).ok();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Ok((code, report)) = server.done.try_recv() {
                panic!(
                    "the server ended (exit {code}) before accepting:\n{report}\n{}",
                    server.stdout.text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the server does not accept connections on port {port}; stdout:\n{}",
                server.stdout.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn pluto(sb: &Sandbox) -> Server {
        Server::start(&example("pluto.mpl"), &sb.site(), |p| {
            vec![p.to_string(), ".".to_string()]
        })
    }

    fn fileserver(sb: &Sandbox) -> Server {
        Server::start(&example("fileserver.mpl"), &sb.site(), |p| {
            vec![p.to_string()]
        })
    }

    fn connect(&self) -> Client {
        Client::connect(self.port)
    }

    /// One request on a new connection, closed after the answer.
    fn get(&self, target: &str) -> Response {
        self.request("GET", target)
    }

    fn request(&self, method: &str, target: &str) -> Response {
        let mut c = self.connect();
        c.send(&format!(
            "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ));
        let r = c.response(method == "HEAD");
        assert_eq!(r.header("connection"), Some("close"), "{r:?}");
        c.expect_eof();
        r
    }

    /// Waits until stdout holds `lines` lines (the log lags the answers).
    fn log_lines(&self, lines: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.stdout.text();
            if text.lines().count() >= lines || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(h) = self.stop.take() {
            h.stop();
        }
        if !std::thread::panicking() {
            match self.done.recv_timeout(Duration::from_secs(10)) {
                Ok((code, report)) => assert!(
                    code == mpl::exit::INTERRUPTED,
                    "the server ended with exit {code}:\n{report}"
                ),
                Err(_) => panic!("the server did not stop within 10 s"),
            }
        }
    }
}

type Started = (
    mpsc::Receiver<Handle<Value, RunError>>,
    mpsc::Receiver<(i32, String)>,
);

/// Compiles `program` and runs it on its own thread; gives stdout, the
/// run's handle (once it starts) and the exit code with the report (once it ends).
fn start_run(program: &Path, root: &Path, args: Vec<String>) -> (SharedBuf, Started) {
    let mut sources = SourceMap::new();
    let compiled = match mpl::compile(&mut sources, SourceInput::File(program.to_path_buf())) {
        Ok(p) => p,
        Err(diags) => {
            let report: String = diags
                .iter()
                .map(|d| diagnostics::render(d, &sources, false))
                .collect();
            panic!("{} does not check:\n{report}", program.display());
        }
    };
    let out = SharedBuf::default();
    let (handle_tx, handle_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let host = Host {
        stdin: mpl::host::Input::none(),
        stdout: out.output(),
        stderr: SharedBuf::default().output(),
        args,
        on_start: Some(Box::new(move |h| {
            let _ = handle_tx.send(h);
        })),
        permissions: Permissions {
            read: vec![root.to_path_buf()],
            write: Vec::new(),
            ..Permissions::default()
        },
        limits: mpl::host::Limits::default(),
        trace: None,
    };
    let config = Config {
        threads: 4,
        ..Config::default()
    };
    std::thread::Builder::new()
        .stack_size(1 << 28)
        .spawn(move || {
            let (code, diag) = mpl::run_program(compiled, host, config);
            let report = diag
                .map(|d| diagnostics::render(&d, &sources, false))
                .unwrap_or_default();
            let _ = done_tx.send((code, report));
        })
        .expect("start the run thread");
    (out, (handle_rx, done_rx))
}

/// Runs a program that should end by itself (a usage message); gives the
/// exit code and stdout.
fn run_to_end(program: &Path, root: &Path, args: Vec<String>) -> (i32, String) {
    let (out, (_h, done)) = start_run(program, root, args);
    let (code, report) = done
        .recv_timeout(Duration::from_secs(20))
        .expect("the program did not end within 20 s");
    assert!(report.is_empty() || code == 0, "{report}");
    (code, out.text())
}

// ----------------------------------------------------------------- client

/// One HTTP connection: requests written as text, answers parsed one at a time.
struct Client {
    reader: BufReader<TcpStream>,
}

#[derive(Debug)]
struct Response {
    status: u16,
    status_line: String,
    /// Header names in lower case, in order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
        stream.set_read_timeout(Some(IO_LIMIT)).expect("timeout");
        stream.set_write_timeout(Some(IO_LIMIT)).expect("timeout");
        Client {
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, text: &str) {
        self.send_bytes(text.as_bytes());
    }

    fn send_bytes(&mut self, bytes: &[u8]) {
        self.reader
            .get_mut()
            .write_all(bytes)
            .expect("send the request");
    }

    /// Reads one answer; `head_only` for the answer to a HEAD (no body,
    /// whatever Content-Length says).
    fn response(&mut self, head_only: bool) -> Response {
        let status_line = self.line();
        assert!(
            !status_line.is_empty(),
            "the server closed instead of answering"
        );
        let mut parts = status_line.splitn(3, ' ');
        assert_eq!(
            parts.next(),
            Some("HTTP/1.1"),
            "status line {status_line:?}"
        );
        let status: u16 = parts
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("status line {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let line = self.line();
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("header line {line:?}"));
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
        let mut r = Response {
            status,
            status_line,
            headers,
            body: Vec::new(),
        };
        let length: usize = r
            .header("content-length")
            .unwrap_or_else(|| panic!("no Content-Length: {r:?}"))
            .parse()
            .expect("a numeric Content-Length");
        if !head_only {
            let mut body = vec![0; length];
            self.reader.read_exact(&mut body).expect("read the body");
            r.body = body;
        }
        r
    }

    /// One line without its "\r\n"; "" at the end of the stream too.
    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read a line");
        assert!(
            line.is_empty() || line.ends_with("\r\n"),
            "a line not ended by CRLF: {line:?}"
        );
        line.trim_end_matches("\r\n").to_string()
    }

    /// The server closes its side: no more bytes.
    fn expect_eof(&mut self) {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).expect("read to the end");
        assert!(
            rest.is_empty(),
            "bytes after the last answer: {:?}",
            String::from_utf8_lossy(&rest)
        );
    }

    /// Everything the server sends until it closes (for answers that do not parse).
    fn read_all(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest).expect("read to the end");
        rest
    }
}

/// "Sat, 21 Nov 2026 05:06:49 GMT".
fn is_rfc1123(date: &str) -> bool {
    let b = date.as_bytes();
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 29
        && days.contains(&&date[0..3])
        && &date[3..5] == ", "
        && digits(5..7)
        && months.contains(&&date[8..11])
        && digits(12..16)
        && digits(17..19)
        && digits(20..22)
        && digits(23..25)
        && &date[25..] == " GMT"
        && date[7..8] == *" "
        && date[11..12] == *" "
        && date[16..17] == *" "
        && date[19..20] == *":"
        && date[22..23] == *":"
}

// ------------------------------------------------------------------ Pluto

#[test]
fn pluto_prints_usage_for_wrong_arguments() {
    with_limit(60, || {
        let sb = Sandbox::new("usage");
        let usage = "pluto port folder\n  port: the port used by the server (like 80)\n  folder: the folder of the website to serve\n";
        for args in [
            vec![],
            vec!["8000".to_string()],
            vec!["80".into(), "a".into(), "b".into()],
            vec!["port".into(), ".".into()],
        ] {
            let (code, out) = run_to_end(&example("pluto.mpl"), &sb.site(), args.clone());
            assert_eq!(code, 0, "{args:?}");
            assert_eq!(out, usage, "{args:?}");
        }
    });
}

#[test]
fn pluto_announces_itself_and_serves_the_index() {
    with_limit(60, || {
        let sb = Sandbox::standard("index");
        let server = Server::pluto(&sb);
        let first = server.stdout.text();
        let first = first.lines().next().unwrap_or_default().to_string();
        let prefix = format!("Pluto starting on ., port {}, on ", server.port);
        assert!(first.starts_with(&prefix), "{first:?}");
        assert!(first.ends_with('.'), "{first:?}");
        let date = &first[prefix.len()..first.len() - 1];
        assert!(is_rfc1123(date), "{date:?}");

        let r = server.get("/");
        assert_eq!(r.status_line, "HTTP/1.1 200 OK");
        assert_eq!(r.text(), INDEX);
        assert_eq!(
            r.header("content-length"),
            Some(INDEX.len().to_string().as_str())
        );
        assert_eq!(r.header("content-type"), Some("text/html"));
        assert_eq!(r.header("cache-control"), Some("no-cache"));
        assert_eq!(r.header("server"), Some("Pluto"));
        assert!(is_rfc1123(r.header("date").unwrap_or_default()), "{r:?}");
        let again = server.get("/index.html");
        assert_eq!(again.body, r.body);
    });
}

/// Each connection keeps the last date it formatted (`dateNow`): the
/// Date header of a kept-alive connection still moves with the clock.
#[test]
fn pluto_date_on_a_kept_alive_connection_follows_the_clock() {
    with_limit(60, || {
        let sb = Sandbox::standard("date");
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        let mut date = || {
            c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
            let r = c.response(false);
            assert_eq!(r.status, 200, "{r:?}");
            let date = r.header("date").unwrap_or_default().to_string();
            assert!(is_rfc1123(&date), "{date:?}");
            date
        };
        let first = date();
        std::thread::sleep(Duration::from_millis(1100));
        let later = date();
        assert_ne!(
            later, first,
            "the date did not move after more than a second"
        );
    });
}

#[test]
fn pluto_content_types_and_caching() {
    with_limit(60, || {
        let sb = Sandbox::standard("types");
        let server = Server::pluto(&sb);
        for (path, mime) in [
            ("/style.css", "text/css"),
            ("/app.js", "text/javascript"),
            ("/data.json", "application/json"),
            ("/notes.txt", "text/plain"),
            ("/logo.png", "image/png"),
            ("/photo.jpg", "image/jpeg"),
            ("/icon.svg", "image/svg+xml"),
            ("/blob.bin", "application/octet-stream"),
        ] {
            let r = server.get(path);
            assert_eq!(r.status, 200, "{path}: {r:?}");
            assert_eq!(r.header("content-type"), Some(mime), "{path}");
            assert_eq!(
                r.header("cache-control"),
                Some("max-age=604800, public"),
                "{path}"
            );
            assert_eq!(r.header("server"), Some("Pluto"));
            assert!(is_rfc1123(r.header("date").unwrap_or_default()));
            let on_disk = std::fs::read(sb.site().join(&path[1..])).expect("read");
            assert_eq!(r.body, on_disk, "{path}");
        }
    });
}

#[test]
fn pluto_missing_file_is_404() {
    with_limit(60, || {
        let sb = Sandbox::standard("missing");
        let server = Server::pluto(&sb);
        let r = server.get("/nope.html");
        assert_eq!(r.status_line, "HTTP/1.1 404 Not Found");
        assert_eq!(r.text(), "Error 404 (not found).\n");
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert_eq!(r.header("server"), Some("Pluto"));
        assert!(is_rfc1123(r.header("date").unwrap_or_default()));
        assert_eq!(server.get("/docs/nope/deeper.css").status, 404);
    });
}

#[test]
fn pluto_folders_serve_their_index() {
    with_limit(60, || {
        let sb = Sandbox::standard("folders");
        let server = Server::pluto(&sb);
        let r = server.get("/docs/");
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "<p>docs</p>\n");
        let r = server.get("/docs");
        assert_eq!(r.status, 301, "{r:?}");
        assert_eq!(r.header("location"), Some("/docs/"));
        // A folder without an index.html.
        sb.write("empty/readme.txt", b"x");
        assert_eq!(server.get("/empty/").status, 404);
    });
}

#[test]
fn pluto_other_methods_are_405_and_a_body_is_skipped() {
    with_limit(60, || {
        let sb = Sandbox::standard("methods");
        let server = Server::pluto(&sb);
        let r = server.request("DELETE", "/index.html");
        assert_eq!(r.status_line, "HTTP/1.1 405 Method Not Allowed");
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
        // A POST with a body, then a GET on the same connection: the body
        // must not be read as the next request.
        let mut c = server.connect();
        c.send("POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nGET / HTTP");
        let r = c.response(false);
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
        c.send("GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        let r = c.response(false);
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "notes\n");
    });
}

#[test]
fn pluto_malformed_requests_are_400() {
    with_limit(60, || {
        let sb = Sandbox::standard("malformed");
        let server = Server::pluto(&sb);
        for request in [
            "NONSENSE\r\n\r\n",
            "GET /index.html\r\n\r\n",
            "GET /index.html HTTP/1.1 extra\r\n\r\n",
            "GET /index.html FTP/1.0\r\n\r\n",
            "GET /index.html HTTP/1.1\r\nNo colon here\r\n\r\n",
            "GET /a%zz HTTP/1.1\r\n\r\n",
            "GET /%00 HTTP/1.1\r\n\r\n",
            "GET index.html HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
        ] {
            let mut c = server.connect();
            c.send(request);
            let r = c.response(false);
            assert_eq!(r.status, 400, "{request:?}: {r:?}");
            assert_eq!(r.header("connection"), Some("close"));
            c.expect_eof();
        }
    });
}

#[test]
fn pluto_head_sends_headers_only() {
    with_limit(60, || {
        let sb = Sandbox::standard("head");
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        c.send("HEAD /logo.png HTTP/1.1\r\nHost: x\r\n\r\n");
        let r = c.response(true);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-length"),
            Some(png_bytes().len().to_string().as_str())
        );
        assert_eq!(r.header("content-type"), Some("image/png"));
        // The next answer starts right after the head: no body was sent.
        c.send("GET /notes.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let r = c.response(false);
        assert_eq!(r.text(), "notes\n");
        c.expect_eof();
        let r = server.request("HEAD", "/nope");
        assert_eq!(r.status, 404);
    });
}

#[test]
fn pluto_answers_pipelined_requests_in_order() {
    with_limit(60, || {
        let sb = Sandbox::standard("pipeline");
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        c.send(concat!(
            "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /hello%20world.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ));
        let a = c.response(false);
        let b = c.response(false);
        let d = c.response(false);
        assert_eq!((a.status, b.status, d.status), (200, 404, 200));
        assert_eq!(a.text(), "body { color: #222; }\n");
        assert_eq!(d.text(), "Hello, world!\n");
        assert_eq!(d.header("connection"), Some("close"));
        c.expect_eof();
    });
}

#[test]
fn pluto_keeps_connections_alive() {
    with_limit(60, || {
        let sb = Sandbox::standard("keepalive");
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        for _ in 0..5 {
            c.send("GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            let r = c.response(false);
            assert_eq!(r.status, 200);
            assert_eq!(r.header("connection"), None);
        }
        // HTTP/1.0 closes unless asked to keep the connection.
        let mut c = server.connect();
        c.send("GET /notes.txt HTTP/1.0\r\n\r\n");
        let r = c.response(false);
        assert_eq!(r.header("connection"), Some("close"));
        c.expect_eof();
    });
}

#[test]
fn pluto_serves_a_5_mb_file_byte_for_byte() {
    with_limit(120, || {
        let sb = Sandbox::standard("big");
        let mut big = Vec::with_capacity(5 << 20);
        let mut x: u32 = 12345;
        for _ in 0..(5 << 20) {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            big.push((x >> 16) as u8);
        }
        sb.write("big.bin", &big);
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        c.send(
            "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        );
        let r = c.response(false);
        assert_eq!(r.status, 200);
        assert_eq!(r.body.len(), big.len());
        assert!(r.body == big, "the 5 MB file came back different");
        assert_eq!(c.response(false).text(), "notes\n");
    });
}

#[test]
fn pluto_decodes_percent_encoded_names() {
    with_limit(60, || {
        let sb = Sandbox::standard("percent");
        sb.write("caf\u{e9}.txt", b"coffee\n");
        let server = Server::pluto(&sb);
        assert_eq!(server.get("/hello%20world.txt").text(), "Hello, world!\n");
        assert_eq!(server.get("/caf%C3%A9.txt").text(), "coffee\n");
        assert_eq!(server.get("/%6eotes.txt?version=2").text(), "notes\n");
        assert_eq!(server.get("/hello world.txt").status, 400);
    });
}

#[test]
fn pluto_refuses_to_leave_the_site() {
    with_limit(60, || {
        let sb = Sandbox::standard("traversal");
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            sb.dir.join("outside/secret.txt"),
            sb.site().join("link.txt"),
        )
        .expect("make a symlink");
        #[cfg(unix)]
        std::os::unix::fs::symlink(sb.dir.join("outside"), sb.site().join("linkdir"))
            .expect("make a symlink");
        let server = Server::pluto(&sb);
        for target in [
            "/../outside/secret.txt",
            "/docs/../../outside/secret.txt",
            "/%2e%2e/outside/secret.txt",
            "/%2E%2E%2Foutside%2Fsecret.txt",
            "/docs/%2e%2e/%2e%2e/outside/secret.txt",
            "//etc/passwd",
            "/etc/passwd",
            "/link.txt",
            "/linkdir/secret.txt",
            "/..%5coutside%5csecret.txt",
        ] {
            let mut c = server.connect();
            c.send(&format!(
                "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            ));
            let all = c.read_all();
            let text = String::from_utf8_lossy(&all);
            assert!(
                text.starts_with("HTTP/1.1 404 ") || text.starts_with("HTTP/1.1 400 "),
                "{target}: {text}"
            );
            assert!(!text.contains("TOP SECRET"), "{target} leaked the secret");
            assert!(!text.contains("root:"), "{target} leaked /etc/passwd");
        }
    });
}

#[test]
fn pluto_answers_200_simultaneous_connections() {
    with_limit(120, || {
        let sb = Sandbox::standard("many");
        let server = Server::pluto(&sb);
        let port = server.port;
        // All connected before any request is sent.
        let mut clients: Vec<Client> = (0..200).map(|_| Client::connect(port)).collect();
        for (i, c) in clients.iter_mut().enumerate() {
            let path = if i % 2 == 0 {
                "/index.html"
            } else {
                "/notes.txt"
            };
            c.send(&format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        let threads: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                std::thread::spawn(move || {
                    let r = c.response(false);
                    let expected = if i % 2 == 0 { INDEX } else { "notes\n" };
                    assert_eq!(r.status, 200);
                    assert_eq!(r.text(), expected);
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a client failed");
        }
    });
}

#[test]
fn pluto_a_silent_client_does_not_stop_the_others() {
    with_limit(60, || {
        let sb = Sandbox::standard("silent");
        let server = Server::pluto(&sb);
        let _silent = server.connect();
        let mut half = server.connect();
        half.send("GET /index.html HTTP/1.1\r\nHo");
        for _ in 0..3 {
            assert_eq!(server.get("/notes.txt").status, 200);
        }
        // The half-sent request completes later.
        half.send("st: x\r\n\r\n");
        assert_eq!(half.response(false).text(), INDEX);
    });
}

#[test]
fn pluto_logs_one_line_per_request() {
    with_limit(60, || {
        let sb = Sandbox::standard("log");
        let server = Server::pluto(&sb);
        // Each line is awaited before the next request: a connection logs
        // after its response has gone out, so lines of different
        // connections are ordered only by when their requests were served.
        server.get("/");
        server.log_lines(2);
        server.get("/nope");
        server.log_lines(3);
        server.request("HEAD", "/style.css");
        server.log_lines(4);
        server.request("PUT", "/x");
        let log = server.log_lines(5);
        let lines: Vec<&str> = log.lines().skip(1).collect();
        assert_eq!(
            lines,
            [
                "GET / 200",
                "GET /nope 404",
                "HEAD /style.css 200",
                "PUT /x 405"
            ],
            "{log}"
        );
    });
}

/// The logger keeps up to four chains of merges, new logs joining them in turn:
/// with several connections open, closing and opening, every request is
/// logged once, as soon as it is served.
#[test]
fn pluto_logs_every_request_of_connections_opened_and_closed_in_turn() {
    with_limit(60, || {
        let sb = Sandbox::standard("log-chains");
        let server = Server::pluto(&sb);
        let mut logged = 1; // the start line
        let ask = |c: &mut Client, target: &str, logged: &mut usize| {
            c.send(&format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n"));
            assert_eq!(c.response(false).status, 200, "{target}");
            *logged += 1;
            let log = server.log_lines(*logged);
            assert!(log.ends_with(&format!("GET {target} 200\n")), "{log}");
            assert_eq!(log.lines().count(), *logged, "{log}");
        };
        let mut open: Vec<Client> = (0..5).map(|_| server.connect()).collect();
        for (i, c) in open.iter_mut().enumerate() {
            ask(c, &format!("/notes.txt?first={i}"), &mut logged);
        }
        // Every one again, newest first, then the even ones close.
        for (i, c) in open.iter_mut().enumerate().rev() {
            ask(c, &format!("/notes.txt?again={i}"), &mut logged);
        }
        let mut odd: Vec<Client> = open.into_iter().skip(1).step_by(2).collect();
        for i in 0..3 {
            let mut c = server.connect();
            ask(&mut c, &format!("/notes.txt?late={i}"), &mut logged);
            odd.push(c);
        }
        for (i, c) in odd.iter_mut().enumerate() {
            ask(c, &format!("/notes.txt?last={i}"), &mut logged);
        }
    });
}

#[test]
fn pluto_logs_a_request_while_another_connection_idles_kept_alive() {
    with_limit(60, || {
        let sb = Sandbox::standard("log-race");
        let server = Server::pluto(&sb);
        // The first connection is served and kept open, idle.
        let mut idle = server.connect();
        idle.send("GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(idle.response(false).status, 200);
        // Its line is logged after the response went out; wait for it, so
        // the order below is the order of service, not of scheduling.
        server.log_lines(2);
        // A later connection's line is printed while it is still open
        // (before `race`, the logger read the first one's log to its end).
        server.get("/");
        let log = server.log_lines(3);
        let lines: Vec<&str> = log.lines().skip(1).collect();
        assert_eq!(lines, ["GET /notes.txt 200", "GET / 200"], "{log}");
        idle.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(idle.response(false).status, 404);
        let log = server.log_lines(4);
        assert!(log.ends_with("GET /nope 404\n"), "{log}");
    });
}

#[test]
fn pluto_reports_a_folder_it_cannot_read() {
    with_limit(60, || {
        let sb = Sandbox::new("badfolder");
        let port = free_port();
        let (code, out) = run_to_end(
            &example("pluto.mpl"),
            &sb.site(),
            vec![port.to_string(), "no-such-folder".into()],
        );
        assert_eq!(code, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].starts_with("Pluto starting on no-such-folder, port "),
            "{out}"
        );
        assert!(
            lines[1].starts_with("Cannot read the folder 'no-such-folder'"),
            "{out}"
        );
    });
}

// ------------------------------------------------------------- fileserver

#[test]
fn fileserver_serves_files_with_content_length() {
    with_limit(60, || {
        let sb = Sandbox::standard("fs-basic");
        let server = Server::fileserver(&sb);
        let r = server.get("/notes.txt");
        assert_eq!(r.status_line, "HTTP/1.1 200 OK");
        assert_eq!(r.header("content-length"), Some("6"));
        assert_eq!(r.text(), "notes\n");
        assert_eq!(server.get("/logo.png").body, png_bytes());
        assert_eq!(server.get("/hello%20world.txt").text(), "Hello, world!\n");
        let r = server.get("/missing.txt");
        assert_eq!(r.status, 404);
        assert!(r.header("content-length").is_some());
        let r = server.get("/docs/");
        assert_eq!(r.status, 200);
        assert_eq!(r.text(), "index.html\n");
    });
}

#[test]
fn fileserver_the_reports_session() {
    with_limit(60, || {
        let sb = Sandbox::new("fs-report");
        sb.write("folder/file one.txt", b"File one");
        sb.write("folder/file two.txt", b"File two\n");
        let server = Server::fileserver(&sb);
        let mut c = server.connect();
        c.send(concat!(
            "GET /folder/file%20one.txt HTTP/1.1\r\nHost: fileserver.dyndns.com:80\r\nEtc: other fields we can ignore\r\n\r\n",
            "GET /folder/file%20two.txt HTTP/1.1\r\nEtc: other fields we can ignore\r\n\r\n",
            "HEAD /folder/file%20two.txt HTTP/1.1\r\n\r\n",
            "POST /folder/file%20two.txt HTTP/1.1\r\nContent-Length: 5\r\n\r\nWTF?!",
            "GET /folder/file%20one.txt HTTP/1.1\r\nConnection: close\r\n\r\n",
        ));
        let one = c.response(false);
        assert_eq!((one.status, one.text().as_str()), (200, "File one"));
        assert_eq!(one.header("content-length"), Some("8"));
        let two = c.response(false);
        assert_eq!((two.status, two.text().as_str()), (200, "File two\n"));
        let head = c.response(true);
        assert_eq!(
            (head.status, head.header("content-length")),
            (200, Some("9"))
        );
        let post = c.response(false);
        assert_eq!(post.status_line, "HTTP/1.1 405 Method Not Allowed");
        assert_eq!(post.header("allow"), Some("GET, HEAD"));
        let last = c.response(false);
        assert_eq!(last.text(), "File one");
        assert_eq!(last.header("connection"), Some("close"));
        c.expect_eof();
    });
}

#[test]
fn fileserver_refuses_bad_requests_and_traversal() {
    with_limit(60, || {
        let sb = Sandbox::standard("fs-bad");
        let server = Server::fileserver(&sb);
        for (request, status) in [
            ("NONSENSE\r\n\r\n", 400),
            ("GET /../outside/secret.txt HTTP/1.1\r\n\r\n", 400),
            ("GET /%2e%2e/outside/secret.txt HTTP/1.1\r\n\r\n", 400),
            ("GET //etc/passwd HTTP/1.1\r\n\r\n", 404),
        ] {
            let mut c = server.connect();
            c.send(request);
            c.reader
                .get_ref()
                .shutdown(Shutdown::Write)
                .expect("shutdown");
            let all = c.read_all();
            let text = String::from_utf8_lossy(&all);
            assert!(
                text.starts_with(&format!("HTTP/1.1 {status} ")),
                "{request:?}: {text}"
            );
            assert!(!text.contains("TOP SECRET"));
        }
    });
}

#[test]
fn fileserver_serves_a_5_mb_file_and_many_clients() {
    with_limit(120, || {
        let sb = Sandbox::standard("fs-big");
        let big: Vec<u8> = (0..(5u32 << 20)).map(|i| (i % 251) as u8).collect();
        sb.write("big.bin", &big);
        let server = Server::fileserver(&sb);
        assert!(server.get("/big.bin").body == big);
        let port = server.port;
        let threads: Vec<_> = (0..50)
            .map(|_| {
                std::thread::spawn(move || {
                    let mut c = Client::connect(port);
                    c.send("GET /notes.txt HTTP/1.1\r\n\r\n");
                    assert_eq!(c.response(false).text(), "notes\n");
                    c.reader
                        .get_ref()
                        .shutdown(Shutdown::Write)
                        .expect("shutdown");
                    c.expect_eof();
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a client failed");
        }
    });
}

// ------------------------------------------------------------ abuse

/// Writes a 5 MB file of pseudo-random bytes to the site; returns them.
fn big_file(sb: &Sandbox) -> Vec<u8> {
    let mut big = Vec::with_capacity(5 << 20);
    let mut x: u32 = 777;
    for _ in 0..(5 << 20) {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        big.push((x >> 16) as u8);
    }
    sb.write("big.bin", &big);
    big
}

/// Other clients are answered.
fn others_are_served(server: &Server) {
    for _ in 0..3 {
        assert_eq!(server.get("/notes.txt").text(), "notes\n");
    }
}

#[test]
fn pluto_serves_others_while_a_thousand_connections_idle() {
    with_limit(120, || {
        let sb = Sandbox::standard("idle1000");
        let server = Server::pluto(&sb);
        // Half send nothing, half send part of a request line.
        let idle: Vec<Client> = (0..1000)
            .map(|i| {
                let mut c = server.connect();
                if i % 2 == 0 {
                    c.send("GET /index.html HTTP/1.1\r\nHo");
                }
                c
            })
            .collect();
        others_are_served(&server);
        drop(idle);
        others_are_served(&server);
    });
}

#[test]
fn pluto_a_header_sent_a_byte_at_a_time_does_not_stop_the_others() {
    with_limit(120, || {
        let sb = Sandbox::standard("trickle");
        let server = Server::pluto(&sb);
        let mut slow = server.connect();
        let request = "GET /notes.txt HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n";
        for (i, byte) in request.bytes().enumerate() {
            slow.send_bytes(&[byte]);
            if i % 10 == 0 {
                assert_eq!(server.get("/index.html").status, 200);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(slow.response(false).text(), "notes\n");
    });
}

#[test]
fn pluto_refuses_a_one_megabyte_header_line_and_serves_the_others() {
    with_limit(120, || {
        let sb = Sandbox::standard("hugeheader");
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        let line = format!("X-Big: {}\r\n", "a".repeat(1 << 20));
        c.send("GET /notes.txt HTTP/1.1\r\nHost: x\r\n");
        // The server may answer and close before it has read it all.
        let _ = c.reader.get_mut().write_all(line.as_bytes());
        let r = c.response(false);
        assert_eq!(r.status, 431, "{r:?}");
        others_are_served(&server);
    });
}

#[test]
fn pluto_answers_pipelined_garbage_with_400_and_serves_the_others() {
    with_limit(60, || {
        let sb = Sandbox::standard("garbage");
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        let mut garbage = b"GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
        garbage.extend((0..4096u32).map(|i| (i * 7 % 251) as u8));
        garbage.extend_from_slice(b"\r\n\r\nGET /index.html HTTP/1.1\r\n\r\n");
        c.send_bytes(&garbage);
        assert_eq!(c.response(false).text(), "notes\n");
        let r = c.response(false);
        assert_eq!(r.status, 400, "{r:?}");
        c.expect_eof();
        others_are_served(&server);
    });
}

#[test]
fn pluto_survives_a_client_that_resets_mid_response() {
    with_limit(120, || {
        let sb = Sandbox::standard("reset");
        big_file(&sb);
        let server = Server::pluto(&sb);
        for _ in 0..5 {
            let mut c = server.connect();
            c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            let mut first = [0u8; 1024];
            c.reader
                .read_exact(&mut first)
                .expect("the start of the answer");
            // Close with unread data pending: the kernel sends a reset.
            drop(c);
        }
        others_are_served(&server);
    });
}

#[test]
fn pluto_answers_a_half_closed_client() {
    with_limit(60, || {
        let sb = Sandbox::standard("halfclose");
        let server = Server::pluto(&sb);
        let mut c = server.connect();
        c.send("GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        c.reader
            .get_mut()
            .shutdown(std::net::Shutdown::Write)
            .expect("half-close");
        assert_eq!(c.response(false).text(), "notes\n");
        others_are_served(&server);
    });
}

#[test]
fn pluto_serves_a_5_mb_file_to_200_clients_at_once() {
    with_limit(300, || {
        let sb = Sandbox::standard("download200");
        let big = std::sync::Arc::new(big_file(&sb));
        let server = Server::pluto(&sb);
        let port = server.port;
        let mut clients: Vec<Client> = (0..200).map(|_| Client::connect(port)).collect();
        for c in &mut clients {
            c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        let threads: Vec<_> = clients
            .into_iter()
            .map(|mut c| {
                let big = big.clone();
                std::thread::spawn(move || {
                    let r = c.response(false);
                    assert_eq!(r.status, 200);
                    assert!(r.body == *big, "a download came back different");
                })
            })
            .collect();
        others_are_served(&server);
        for t in threads {
            t.join().expect("a download failed");
        }
    });
}
