//! `mpl lsp` through its real protocol: each test starts the server
//! binary, speaks JSON-RPC to it over its standard input and output as an
//! editor does, and checks the answers. Every wait has a time limit.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

/// A running server and what it has sent that no test has taken yet.
struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    unread: Vec<Value>,
    next_id: i64,
}

impl Server {
    /// Starts `mpl lsp` and completes the handshake.
    fn start() -> Server {
        Server::start_with(Value::Null)
    }

    /// Starts `mpl lsp` with these `initializationOptions`.
    fn start_with(options: Value) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mpl"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mpl lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stdin,
            incoming,
            unread: Vec::new(),
            next_id: 1,
        };
        let params = json!({ "capabilities": {}, "initializationOptions": options });
        let init = server.request("initialize", params);
        assert!(
            init["result"]["capabilities"]["hoverProvider"] == json!(true),
            "{init}"
        );
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole message).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(|m| m["id"] == json!(id) && m.get("method").is_none())
    }

    /// The next message that `wanted` accepts (others are kept).
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.unread.iter().position(&wanted) {
            return self.unread.remove(at);
        }
        let deadline = Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .incoming
                .recv_timeout(left)
                .expect("the server did not answer in time");
            if wanted(&message) {
                return message;
            }
            self.unread.push(message);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait_for(|m| {
            m["method"] == json!("textDocument/publishDiagnostics")
                && m["params"]["uri"] == json!(uri)
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        let doc = json!({ "uri": uri, "languageId": "mpl", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) -> Vec<Value> {
        let params = json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "text": text }],
        });
        self.notify("textDocument/didChange", params);
        self.diagnostics(uri)
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        let params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": line, "character": character },
        });
        self.request(method, params)
    }

    fn hover_text(&mut self, uri: &str, line: u32, character: u32) -> String {
        let r = self.at("textDocument/hover", uri, line, character);
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Asks the server to stop, as an editor does; it must exit cleanly.
    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + LIMIT;
        loop {
            match self.child.try_wait().expect("wait") {
                Some(status) => {
                    assert!(status.success(), "{status}");
                    return;
                }
                None if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    panic!("the server did not exit");
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// One framed message, or `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Each element of a response's result array, read by `read`.
fn results<T>(response: &Value, read: impl Fn(&Value) -> T) -> Vec<T> {
    let items = response["result"].as_array();
    items
        .map(|a| a.iter().map(read).collect())
        .unwrap_or_default()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

/// A position's line and character.
fn place(at: &Value) -> (u64, u64) {
    let n = |v: &Value| v.as_u64().unwrap_or(u64::MAX);
    (n(&at["line"]), n(&at["character"]))
}

fn line_of(d: &Value) -> u64 {
    d["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX)
}

const ASK: &str = "\
protocol Ask = put Int, get Int, close;
/// Asks for 20 doubled.
process client(Ask server, PutSeq<Char> out) {
  server.put(20);
  let answer = server.get;
  server.close();
  writeLine(out, show(answer));
  out.put(StopPut);
  out.close();
}
process doubler(neg<Ask> c) { let n = c.get; c.put(n * 2); c.close(); }
client(s, stdout);
doubler(~s);
";

#[test]
fn an_error_is_published_at_its_range_with_its_code_and_cleared_after_the_fix() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    assert_eq!(server.open(uri, ASK), Vec::<Value>::new());
    let broken = ASK.replace("server.put(20);", "server.put(\"twenty\");");
    let diags = server.change(uri, 2, &broken);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], json!("E0050"), "{diags:?}");
    assert_eq!(diags[0]["severity"], json!(1));
    assert_eq!(line_of(&diags[0]), 3);
    assert!(
        diags[0]["message"].as_str().unwrap_or("").contains("help:"),
        "{diags:?}"
    );
    // The code links to its entry in the error index, which exists.
    let href = diags[0]["codeDescription"]["href"].as_str().unwrap_or("");
    let (file, anchor) = href.split_once('#').unwrap_or((href, ""));
    assert!(anchor.starts_with("e0050-"), "{href}");
    let path = file.strip_prefix("file://").unwrap_or(file);
    let index = std::fs::read_to_string(path).expect("the error index copy");
    assert!(index.contains("## E0050:"));
    assert_eq!(server.change(uri, 3, ASK), Vec::<Value>::new());
    server.stop();
}

#[test]
fn a_warning_is_published_with_warning_severity() {
    let mut server = Server::start();
    let uri = "file:///nowhere/unused.mpl";
    let text = ASK.replace("let n = c.get;", "let n = c.get; let unused = 1;");
    let diags = server.open(uri, &text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], json!("W0002"));
    assert_eq!(diags[0]["severity"], json!(2));
    server.stop();
}

#[test]
fn hover_on_a_channel_shows_its_protocol_state_at_each_point() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, ASK);
    let states: Vec<String> = [(3, 3), (4, 17), (5, 3)]
        .iter()
        .map(|&(line, col)| server.hover_text(uri, line, col))
        .collect();
    assert_eq!(
        states,
        [
            "```mpl\nserver : Ask\n```",
            "```mpl\nserver : get Int\n```",
            "```mpl\nserver : close\n```",
        ]
    );
    server.stop();
}

#[test]
fn hover_on_a_declaration_shows_its_signature_and_doc_comment() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, ASK);
    let text = server.hover_text(uri, 11, 1);
    assert!(
        text.contains("process client(Ask server, PutSeq<Char> out)"),
        "{text}"
    );
    assert!(text.contains("Asks for 20 doubled."), "{text}");
    let proto = server.hover_text(uri, 2, 16);
    assert!(
        proto.contains("protocol Ask = put Int, get Int, close;"),
        "{proto}"
    );
    // A prelude function: its signature from the prelude.
    let prelude = server.hover_text(uri, 6, 4);
    assert!(prelude.contains("writeLine("), "{prelude}");
    server.stop();
}

#[test]
fn definition_of_a_variable_is_where_it_is_bound() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, ASK);
    let r = server.at("textDocument/definition", uri, 6, 23);
    assert_eq!(r["result"]["uri"], json!(uri), "{r}");
    assert_eq!(
        r["result"]["range"]["start"],
        json!({ "line": 4, "character": 6 })
    );
    let r = server.at("textDocument/definition", uri, 11, 1);
    assert_eq!(
        r["result"]["range"]["start"],
        json!({ "line": 2, "character": 8 })
    );
    // A prelude function: its read-only copy, at its declaration.
    let r = server.at("textDocument/definition", uri, 6, 4);
    let target = r["result"]["uri"].as_str().unwrap_or("");
    assert!(target.contains("/prelude/"), "{r}");
    let path = target.strip_prefix("file://").unwrap_or(target);
    let text = std::fs::read_to_string(path).expect("the prelude copy");
    let line = r["result"]["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
    assert!(
        text.lines()
            .nth(line)
            .is_some_and(|l| l.contains("writeLine")),
        "{r}"
    );
    server.stop();
}

#[test]
fn definition_of_a_label_is_the_label_in_its_protocol() {
    let mut server = Server::start();
    let uri = "file:///nowhere/counter.mpl";
    let text = "\
protocol Counter = put Inc: loop | put Stop: close;
process count(neg<Counter> c, Int n) {
  switch (c.get) {
    case Inc: count(c, n + 1);
    case Stop: c.close();
  }
}
process drive(Counter c) { c.put(Inc); c.put(Stop); c.close(); }
count(~k, 0);
drive(k);
";
    assert_eq!(server.open(uri, text), Vec::<Value>::new());
    // `Inc` in `c.put(Inc)`, and `Stop` in `case Stop:`.
    let r = server.at("textDocument/definition", uri, 7, 34);
    assert_eq!(
        r["result"]["range"]["start"],
        json!({ "line": 0, "character": 23 }),
        "{r}"
    );
    let r = server.at("textDocument/definition", uri, 4, 10);
    assert_eq!(
        r["result"]["range"]["start"],
        json!({ "line": 0, "character": 39 }),
        "{r}"
    );
    server.stop();
}

#[test]
fn document_symbols_outline_the_declarations_and_survive_a_syntax_error() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, ASK);
    let names = |r: &Value| results(r, |s| text(&s["name"]));
    let params = json!({ "textDocument": { "uri": uri } });
    let r = server.request("textDocument/documentSymbol", params.clone());
    assert_eq!(names(&r), ["Ask", "client", "doubler"]);
    let diags = server.change(uri, 2, &ASK.replace("c.close(); }", "c.close();"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    let r = server.request("textDocument/documentSymbol", params);
    assert_eq!(
        names(&r),
        ["Ask", "client", "doubler"],
        "the last good outline"
    );
    server.stop();
}

#[test]
fn a_malformed_request_is_answered_with_an_error_and_the_server_goes_on() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, ASK);
    let r = server.request("textDocument/hover", json!({ "position": 3 }));
    assert_eq!(r["error"]["code"], json!(-32602), "{r}");
    let r = server.request("mpl/noSuchRequest", json!({}));
    assert_eq!(r["error"]["code"], json!(-32601), "{r}");
    let text = server.hover_text(uri, 3, 3);
    assert!(text.contains("server : Ask"), "{text}");
    server.stop();
}

#[test]
fn a_campl_file_gets_diagnostics_and_hover_in_its_own_syntax() {
    let mut server = Server::start();
    let uri = "file:///nowhere/hello.mpl";
    let text = "\
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

fun greet :: [Char] -> [Char] =
    name -> \"hello \" ++ name

proc run = | console => -> do
    hput ConsolePut on console
    put greet(\"you\") on console
    hput ConsoleClose on console
    halt console
";
    assert_eq!(server.open(uri, text), Vec::<Value>::new());
    let hover = server.hover_text(uri, 9, 8);
    assert!(hover.contains("fun greet"), "{hover}");
    let broken = text.replace("hput ConsoleClose on console\n", "");
    let diags = server.change(uri, 2, &broken);
    assert!(!diags.is_empty());
    assert!(diags.iter().all(|d| line_of(d) >= 7), "{diags:?}");
    server.stop();
}

fn hints(server: &mut Server, uri: &str) -> Vec<(u64, u64, String)> {
    let range =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } });
    let r = server.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": range }),
    );
    results(&r, |h| {
        let (line, character) = place(&h["position"]);
        (line, character, text(&h["label"]))
    })
}

#[test]
fn inlay_hints_give_each_channel_state_after_each_line_that_acts_on_it() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, ASK);
    let line_len = |n: usize| ASK.lines().nth(n).map_or(0, |l| l.len() as u64);
    assert_eq!(
        hints(&mut server, uri),
        [
            (3, line_len(3), "server : get Int".to_string()),
            (4, line_len(4), "server : close".to_string()),
            (5, line_len(5), "server : closed".to_string()),
            (6, line_len(6), "out : PutSeq<Char>".to_string()),
            (7, line_len(7), "out : close".to_string()),
            (8, line_len(8), "out : closed".to_string()),
            (10, line_len(10), "c : closed".to_string()),
        ]
    );
    server.stop();
    let mut server = Server::start_with(json!({ "inlayHints": false }));
    server.open(uri, ASK);
    assert_eq!(hints(&mut server, uri), []);
    server.stop();
}

fn completion_labels(server: &mut Server, uri: &str, line: u32, character: u32) -> Vec<String> {
    let r = server.at("textDocument/completion", uri, line, character);
    results(&r, |i| text(&i["label"]))
}

const COUNTER: &str = "\
protocol Counter = put Inc: loop | put Stop: close;
process count(neg<Counter> k, Int n) {
  switch (k.get) {
    case Inc: count(k, n + 1);
    case Stop: k.close();
  }
}
process drive(Counter c) {
  c.put(Inc);
  c.put(Stop);
  c.close();
}
count(~x, 0);
drive(x);
";

#[test]
fn completion_after_put_lists_exactly_the_labels_the_channel_may_send() {
    let mut server = Server::start();
    let uri = "file:///nowhere/counter.mpl";
    assert_eq!(server.open(uri, COUNTER), Vec::<Value>::new());
    let typing = COUNTER.replace("  c.put(Inc);\n", "  c.put(Inc);\n  c.put(\n");
    assert!(
        !server.change(uri, 2, &typing).is_empty(),
        "the text does not parse"
    );
    assert_eq!(completion_labels(&mut server, uri, 9, 8), ["Inc", "Stop"]);
    server.stop();
}

#[test]
fn completion_after_case_in_a_switch_on_a_channel_lists_the_labels_it_may_receive() {
    let mut server = Server::start();
    let uri = "file:///nowhere/counter.mpl";
    server.open(uri, COUNTER);
    let typing = COUNTER.replace("    case Stop: k.close();\n", "    case \n");
    server.change(uri, 2, &typing);
    assert_eq!(completion_labels(&mut server, uri, 4, 9), ["Inc", "Stop"]);
    // Elsewhere: names in scope, the prelude's, and keywords.
    let names = completion_labels(&mut server, uri, 3, 14);
    for name in ["count", "drive", "writeLine", "k", "n", "switch"] {
        assert!(names.iter().any(|l| l == name), "{name} in {names:?}");
    }
    server.stop();
}

#[test]
fn signature_help_shows_the_called_process_and_the_argument_reached() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, ASK);
    // `client(s, stdout);`: the cursor after the comma.
    let r = server.at("textDocument/signatureHelp", uri, 11, 10);
    let signature = &r["result"]["signatures"][0];
    assert_eq!(
        signature["label"],
        json!("process client(Ask server, PutSeq<Char> out)"),
        "{r}"
    );
    assert_eq!(
        signature["parameters"][1]["label"],
        json!("PutSeq<Char> out")
    );
    assert_eq!(r["result"]["activeParameter"], json!(1));
    assert_eq!(
        signature["documentation"]["value"],
        json!("Asks for 20 doubled.")
    );
    // Outside any call: nothing.
    let r = server.at("textDocument/signatureHelp", uri, 0, 3);
    assert_eq!(r["result"], Value::Null, "{r}");
    server.stop();
}

fn reference_starts(server: &mut Server, uri: &str, line: u32, character: u32) -> Vec<(u64, u64)> {
    let params = json!({
        "textDocument": { "uri": uri },
        "position": { "line": line, "character": character },
        "context": { "includeDeclaration": true },
    });
    let r = server.request("textDocument/references", params);
    results(&r, |l| place(&l["range"]["start"]))
}

#[test]
fn references_of_a_channel_and_of_a_process_are_every_place_naming_them() {
    let mut server = Server::start();
    let uri = "file:///nowhere/counter.mpl";
    server.open(uri, COUNTER);
    // `c` in `drive`: its parameter and its three uses (not `count`'s `k`).
    assert_eq!(
        reference_starts(&mut server, uri, 8, 2),
        [(7, 22), (8, 2), (9, 2), (10, 2)]
    );
    // `count`: its declaration, its recursive call, the wiring's call.
    assert_eq!(
        reference_starts(&mut server, uri, 12, 1),
        [(1, 8), (3, 14), (12, 0)]
    );
    server.stop();
}
