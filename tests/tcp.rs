//! The TCP service over real sockets on 127.0.0.1: MPL servers from
//! `tests/tcp/*.mpl` run in-process (each run gets the port in `args`),
//! std clients talk to them, and the test stops a server that loops
//! forever through the run's handle. Every wait has a time limit.
//!
//! Not here: the protocol checker's view of the TCP protocols (the
//! programs must simply check), and performance limits (the 5 MB transfer
//! prints its rate, it asserts none).

mod common;

use common::SharedBuf;
use mpl::SourceInput;
use mpl::diagnostics;
use mpl::host::Host;
use mpl::host::Permissions;
use mpl::runtime::{Config, Handle};
use mpl::source::SourceMap;
use mpl::value::Value;
use parking_lot::Mutex;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

type RunHandle = Handle<Value, mpl::host::RunError>;

/// Per-operation limit for client sockets and server output.
const LIMIT: Duration = Duration::from_secs(20);

fn program(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tcp")
        .join(name)
}

/// A free port: bind an ephemeral one, note it, let it go.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local address").port()
}

/// An MPL program running on its own thread.
struct Server {
    out: SharedBuf,
    handle: Arc<Mutex<Option<RunHandle>>>,
    /// Exit code and rendered report.
    done: mpsc::Receiver<(i32, String)>,
}

impl Server {
    fn start(name: &str, args: &[String], permissions: Permissions) -> Server {
        Server::start_with(name, args, permissions, Config::default())
    }

    fn start_with(name: &str, args: &[String], permissions: Permissions, config: Config) -> Server {
        let out = SharedBuf::default();
        let handle = Arc::new(Mutex::new(None));
        let (tx, done) = mpsc::channel();
        let path = program(name);
        let (o, h, args) = (out.clone(), handle.clone(), args.to_vec());
        std::thread::Builder::new()
            .stack_size(1 << 28)
            .spawn(move || {
                let _ = tx.send(run(path, args, permissions, config, o, h));
            })
            .expect("start the server thread");
        Server { out, handle, done }
    }

    /// Waits until stdout holds `text`; panics with what it holds if not.
    fn expect_output(&self, text: &str) {
        let deadline = Instant::now() + LIMIT;
        while !self.out.text().contains(text) {
            if let Ok((code, report)) = self.done.try_recv() {
                panic!("the server ended ({code}) before printing {text:?}: {report}");
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} in {:?}",
                self.out.text()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for the run to end by itself: (exit code, report).
    fn finish(self) -> (i32, String) {
        self.done.recv_timeout(LIMIT).expect("the run ends in time")
    }

    /// Stops a server that loops forever and waits for the run to end.
    fn stop(self) -> (i32, String) {
        if let Some(h) = self.handle.lock().as_ref() {
            h.stop();
        }
        self.finish()
    }
}

fn run(
    path: PathBuf,
    args: Vec<String>,
    permissions: Permissions,
    config: Config,
    out: SharedBuf,
    slot: Arc<Mutex<Option<RunHandle>>>,
) -> (i32, String) {
    let mut sources = SourceMap::new();
    let program = match mpl::compile(&mut sources, SourceInput::File(path)) {
        Ok(p) => p,
        Err(diags) => {
            let r = diags
                .iter()
                .map(|d| diagnostics::render(d, &sources, false))
                .collect();
            return (mpl::exit::FAILED, r);
        }
    };
    let host = Host {
        stdin: mpl::host::Input::none(),
        stdout: out.output(),
        stderr: SharedBuf::default().output(),
        args,
        on_start: Some(Box::new(move |h| *slot.lock() = Some(h))),
        permissions,
        limits: mpl::host::Limits::default(),
        trace: None,
    };
    let (code, diag) = mpl::run_program(program, host, config);
    let report = diag
        .map(|d| diagnostics::render(&d, &sources, false))
        .unwrap_or_default();
    (code, report)
}

/// An echo server on a free port, bound and ready.
fn echo_server() -> (Server, u16) {
    let port = free_port();
    let s = Server::start(
        "echo_server.mpl",
        &[port.to_string()],
        Permissions::default(),
    );
    s.expect_output("listening\n");
    (s, port)
}

fn connect(port: u16) -> TcpStream {
    let c = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    c.set_read_timeout(Some(LIMIT)).expect("read timeout");
    c.set_write_timeout(Some(LIMIT)).expect("write timeout");
    c
}

/// Reads exactly `n` bytes.
fn read_n(c: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    c.read_exact(&mut buf).expect("read the echo");
    buf
}

fn assert_interrupted((code, report): (i32, String)) {
    assert_eq!(code, mpl::exit::INTERRUPTED, "{report}");
}

#[test]
fn echo_round_trip() {
    let (server, port) = echo_server();
    let mut c = connect(port);
    c.write_all(b"hello, tcp").expect("write");
    assert_eq!(read_n(&mut c, 10), b"hello, tcp");
    c.write_all(b"again").expect("write");
    assert_eq!(read_n(&mut c, 5), b"again");
    assert_interrupted(server.stop());
}

#[test]
fn two_hundred_simultaneous_connections_are_all_answered() {
    let (server, port) = echo_server();
    let start = Instant::now();
    let mut clients: Vec<TcpStream> = (0..200).map(|_| connect(port)).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.write_all(format!("client {i:03}").as_bytes())
            .expect("write");
    }
    for (i, c) in clients.iter_mut().enumerate() {
        assert_eq!(read_n(c, 10), format!("client {i:03}").as_bytes());
    }
    eprintln!("200 connections answered in {:?}", start.elapsed());
    assert_interrupted(server.stop());
}

#[test]
fn a_silent_client_does_not_block_others() {
    let (server, port) = echo_server();
    let silent = connect(port);
    for i in 0..5 {
        let mut c = connect(port);
        let msg = format!("talker {i}");
        c.write_all(msg.as_bytes()).expect("write");
        assert_eq!(read_n(&mut c, msg.len()), msg.as_bytes());
    }
    drop(silent);
    assert_interrupted(server.stop());
}

#[test]
fn five_megabytes_come_back_byte_for_byte() {
    let (server, port) = echo_server();
    let data: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut c = connect(port);
    let mut writer = c.try_clone().expect("clone the socket");
    let sent = data.clone();
    let start = Instant::now();
    let w = std::thread::spawn(move || {
        writer.write_all(&sent).expect("write 5 MB");
        writer.shutdown(Shutdown::Write).expect("half-close");
    });
    let mut got = Vec::with_capacity(data.len());
    c.read_to_end(&mut got).expect("read the echo to its end");
    let took = start.elapsed();
    w.join().expect("writer thread");
    assert_eq!(got.len(), data.len());
    assert!(got == data, "the echo differs from what was sent");
    let mb = data.len() as f64 / (1024.0 * 1024.0);
    eprintln!(
        "5 MB echoed in {took:?} ({:.0} MB/s each way)",
        mb / took.as_secs_f64()
    );
    assert_interrupted(server.stop());
}

#[test]
fn the_peer_closing_is_seen_as_stop_put() {
    // The echo program answers the peer's StopPut with its own, which the
    // client sees as end of stream after the echo.
    let (server, port) = echo_server();
    let mut c = connect(port);
    c.write_all(b"last words").expect("write");
    c.shutdown(Shutdown::Write).expect("half-close");
    let mut got = Vec::new();
    c.read_to_end(&mut got).expect("read to end");
    assert_eq!(got, b"last words");
    assert_interrupted(server.stop());
}

#[test]
fn the_peer_closing_right_after_its_last_bytes_is_seen_every_time() {
    // Bytes and the close often arrive in one readiness event. A read that
    // does not fill the buffer is taken as "drained" (no second read), but
    // not when the event already reported the close: no event follows it.
    let (server, port) = echo_server();
    for i in 0..50 {
        let mut c = connect(port);
        let words = format!("last words {i}");
        c.write_all(words.as_bytes()).expect("write");
        c.shutdown(Shutdown::Write).expect("half-close");
        let mut got = Vec::new();
        c.read_to_end(&mut got).expect("read to end");
        assert_eq!(got, words.as_bytes());
    }
    assert_interrupted(server.stop());
}

#[test]
fn a_run_waits_for_its_client_then_ends_by_itself() {
    // The run must neither end nor report a deadlock while the program
    // waits in Get for a client, nor while it waits on the receive stream.
    let port = free_port();
    let server = Server::start(
        "count_server.mpl",
        &[port.to_string()],
        Permissions::default(),
    );
    server.expect_output("listening\n");
    std::thread::sleep(Duration::from_millis(300));
    let mut c = connect(port);
    c.write_all(b"12345").expect("write");
    std::thread::sleep(Duration::from_millis(300));
    c.write_all(b"678").expect("write");
    c.shutdown(Shutdown::Write).expect("half-close");
    let mut got = Vec::new();
    c.read_to_end(&mut got).expect("read to end");
    assert_eq!(got, b"got 8 bytes");
    let (code, report) = server.finish();
    assert_eq!(code, mpl::exit::OK, "{report}");
}

#[test]
fn a_port_in_use_answers_tcp_bind_failed() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("address").port();
    let server = Server::start(
        "count_server.mpl",
        &[port.to_string()],
        Permissions::default(),
    );
    server.expect_output("bind failed: 127.0.0.1:");
    // The program was told and ended; the run fails so scripts notice.
    let (code, report) = server.finish();
    assert_eq!(code, mpl::exit::FAILED, "{report}");
    assert!(report.contains("no port was bound"), "{report}");
    drop(taken);
}

#[test]
fn denied_network_answers_tcp_bind_failed() {
    let permissions = Permissions {
        listen: None,
        ..Permissions::default()
    };
    let server = Server::start("count_server.mpl", &[free_port().to_string()], permissions);
    server.expect_output("bind failed: network access is denied");
    let (code, report) = server.finish();
    assert_eq!(code, mpl::exit::FAILED, "{report}");
    assert!(report.contains("no port was bound"), "{report}");
}

#[test]
fn stopping_the_run_closes_the_listener_and_its_connections() {
    let (server, port) = echo_server();
    let mut c = connect(port);
    c.write_all(b"x").expect("write");
    assert_eq!(read_n(&mut c, 1), b"x");
    assert_interrupted(server.stop());
    // The network thread ends with the run and closes every socket.
    let mut rest = Vec::new();
    let _ = c.read_to_end(&mut rest);
    assert!(rest.is_empty(), "{rest:?}");
    let deadline = Instant::now() + LIMIT;
    while TcpListener::bind(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "port {port} is still bound");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn echo_works_on_one_worker_and_under_the_seeded_scheduler() {
    let configs = [
        Config {
            threads: 1,
            ..Config::default()
        },
        Config {
            seed: Some(7),
            threads: 1,
            ..Config::default()
        },
    ];
    for config in configs {
        let port = free_port();
        let args = [port.to_string()];
        let server = Server::start_with("echo_server.mpl", &args, Permissions::default(), config);
        server.expect_output("listening\n");
        let mut clients: Vec<TcpStream> = (0..20).map(|_| connect(port)).collect();
        for (i, c) in clients.iter_mut().enumerate() {
            c.write_all(format!("seeded {i:02}").as_bytes())
                .expect("write");
        }
        for (i, c) in clients.iter_mut().enumerate() {
            assert_eq!(read_n(c, 9), format!("seeded {i:02}").as_bytes());
        }
        assert_interrupted(server.stop());
    }
}
