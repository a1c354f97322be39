//! The real `mpl` binary under a pseudo-terminal (expectrl): the prompt, a
//! declaration over several lines with the continuation prompt, tab
//! completion of a label, Ctrl-C during a `get` that waits, and Ctrl-D.
//! Every wait has a time limit, so a broken REPL fails instead of hanging;
//! the terminal's traffic is logged to stderr (shown when the test fails).

use expectrl::{Eof, Session};
use std::process::Command;
use std::time::Duration;

/// `mpl` with `args` under a pseudo-terminal, its history in a folder of
/// its own (`tag`); everything the terminal shows is logged to stderr,
/// which the test harness prints when the test fails.
macro_rules! spawn {
    ($args:expr, $tag:expr) => {{
        let state = std::env::temp_dir().join(format!("mpl-{}-{}", $tag, std::process::id()));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mpl"));
        cmd.args($args)
            .env("XDG_STATE_HOME", &state)
            .env("NO_COLOR", "1")
            .env("TERM", "xterm");
        let p = Session::spawn(cmd).expect("spawn mpl");
        let mut p = expectrl::session::log(p, std::io::stderr()).expect("log the session");
        p.set_expect_timeout(Some(Duration::from_secs(30)));
        p
    }};
}

#[test]
fn the_repl_edits_completes_interrupts_and_quits_on_a_terminal() {
    let mut p = spawn!(["repl"], "repl-test");
    p.expect("mpl> ").expect("first prompt");

    // A declaration over three lines: the continuation prompt, then the
    // session's answer to the whole.
    p.send_line("protocol Menu = put Coffee: get Int, close")
        .unwrap();
    p.expect("...> ").expect("continuation prompt");
    p.send_line("              | put Tea: get Int, close;")
        .unwrap();
    p.expect("mpl> ").unwrap();
    p.send_line("process Barista(neg<Menu> m) {").unwrap();
    p.expect("...> ").unwrap();
    p.send_line("  switch (m.get) { case Coffee: m.put(3); case Tea: m.put(2); } }")
        .unwrap();
    p.expect("mpl> ").unwrap();
    p.send_line("Barista(~m);").unwrap();
    p.expect("m : Menu").expect("the session holds m");
    // Each answer ends with the next prompt; input is typed only after it
    // (rustyline drops what was typed ahead when it takes the terminal).
    p.expect("mpl> ").unwrap();

    // Tab completes the only label starting with `Co` that m may send.
    p.send("m.put(Co").unwrap();
    p.send("\t").unwrap();
    p.send(");\r").unwrap();
    p.expect("m : get Int")
        .expect("the completed label was sent");
    p.expect("mpl> ").unwrap();
    p.send_line("m.get").unwrap();
    p.expect("3 : Int").unwrap();
    p.expect("mpl> ").unwrap();

    // A `get` whose other side runs forever: Ctrl-C abandons the wait.
    p.send_line("protocol Ask = put Int, get Int, close;")
        .unwrap();
    p.expect("mpl> ").unwrap();
    p.send_line("process Spin(neg<Ask> c) { Spin(c); }")
        .unwrap();
    p.expect("mpl> ").unwrap();
    p.send_line("Spin(~s); s.put(1);").unwrap();
    p.expect("s : get Int").unwrap();
    p.expect("mpl> ").unwrap();
    p.send_line("s.get").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send("\x03").unwrap();
    p.expect("interrupted").expect("Ctrl-C abandons the wait");
    p.expect("mpl> ").unwrap();
    p.send_line(":channels").unwrap();
    p.expect("s : get Int").expect("the channel is as it was");
    p.expect("mpl> ").unwrap();

    // Ctrl-D on an empty line leaves.
    p.send("\x04").unwrap();
    p.expect(Eof).expect("the REPL ends on Ctrl-D");
}

#[test]
fn the_repl_reads_campl_with_a_continuation_prompt_until_an_empty_line() {
    let mut p = spawn!(["repl", "--syntax", "campl"], "repl-campl");
    p.expect("mpl> ").expect("first prompt");
    p.send_line("fun fact =").unwrap();
    p.expect("...> ").expect("a definition goes on after `=`");
    p.send_line("    0 -> 1").unwrap();
    p.expect("...> ").expect("an indented line goes on");
    p.send_line("    n -> n * fact(n - 1)").unwrap();
    p.expect("...> ").unwrap();
    p.send_line("").unwrap();
    p.expect("mpl> ")
        .expect("an empty line ends the definition");
    p.send_line("fact(5)").unwrap();
    p.expect("120 : Int").expect("the function was defined");
    p.expect("mpl> ").unwrap();
    p.send("\x04").unwrap();
    p.expect(Eof).expect("the REPL ends on Ctrl-D");
}
