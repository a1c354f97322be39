//! Pluto in MPL (`examples/pluto.mpl`) on arbitrary bytes as a client's
//! request stream, through the real TCP service. One Pluto runs in-process
//! for the whole fuzzing session, serving a small site; each input is sent
//! on a new connection, which the client then half-closes. What must hold:
//! Pluto closes the connection (it does not hang on any input), the run
//! does not fail, and it keeps accepting connections.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpl::host::{Host, Permissions};
use mpl::source::SourceMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The running Pluto: its port, and the run's end (exit code, report).
struct Pluto {
    port: u16,
    ended: Mutex<Receiver<(i32, String)>>,
}

fn site() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mpl-fuzz-pluto-{}", std::process::id()));
    let files: [(&str, &[u8]); 4] = [
        ("index.html", b"<h1>fuzz</h1>\n"),
        ("notes.txt", b"notes\n"),
        ("docs/index.html", b"<p>docs</p>\n"),
        ("hello world.txt", b"hello\n"),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("make the site");
        }
        std::fs::write(path, bytes).expect("write the site");
    }
    dir
}

fn start() -> Pluto {
    let program = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/pluto.mpl");
    let mut sources = SourceMap::new();
    let compiled = mpl::compile(&mut sources, mpl::SourceInput::File(program))
        .unwrap_or_else(|_| panic!("examples/pluto.mpl does not check"));
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("an ephemeral port");
        l.local_addr().expect("its address").port()
    };
    let root = site();
    let mut host = Host::writing_to(mpl::host::discard(), mpl::host::discard());
    host.args = vec![port.to_string(), ".".to_string()];
    host.permissions = Permissions {
        read: vec![root],
        ..Permissions::default()
    };
    let (done, ended) = channel();
    std::thread::Builder::new()
        .stack_size(1 << 28)
        .spawn(move || {
            let config = mpl::runtime::Config {
                threads: 2,
                ..mpl::runtime::Config::default()
            };
            let (code, diag) = mpl::run_program(compiled, host, config);
            let report = diag
                .map(|d| mpl::diagnostics::render(&d, &sources, false))
                .unwrap_or_default();
            let _ = done.send((code, report));
        })
        .expect("start Pluto");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "Pluto did not start listening");
        std::thread::sleep(Duration::from_millis(20));
    }
    Pluto {
        port,
        ended: Mutex::new(ended),
    }
}

fn pluto() -> &'static Pluto {
    static PLUTO: OnceLock<Pluto> = OnceLock::new();
    PLUTO.get_or_init(start)
}

fuzz_target!(|data: &[u8]| {
    let pluto = pluto();
    let mut c = TcpStream::connect(("127.0.0.1", pluto.port)).expect("Pluto stopped accepting");
    c.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    c.set_write_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    // Pluto may answer and close before it has read everything.
    let _ = c.write_all(data);
    let _ = c.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    match c.read_to_end(&mut answer) {
        Err(e)
            if e.kind() == std::io::ErrorKind::WouldBlock
                || e.kind() == std::io::ErrorKind::TimedOut =>
        {
            panic!("Pluto kept a half-closed connection open for 10 s")
        }
        _ => {}
    }
    if let Ok((code, report)) = pluto.ended.lock().expect("lock").try_recv() {
        panic!("Pluto's run ended (exit {code}):\n{report}");
    }
});
