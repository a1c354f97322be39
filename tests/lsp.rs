//! `mpl lsp` through its real protocol: each test starts the server
//! binary, speaks JSON-RPC to it over its standard input and output as an
//! editor does, and checks the answers. Every wait has a time limit.

#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::{Server, results};
use serde_json::{Value, json};

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
            "```mpl\nserver : Ask\n```\n\n---\n```mpl\nprotocol Ask = put Int, get Int, close;\n```",
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

const CAMPL_ASK: &str = "\
protocol Ask => S =
    Ping :: Put(Int | S) => S
    Stop :: TopBot => S

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc server :: | Ask, Console => =
    | ask, console => -> hcase ask of
        Ping -> do
            get _n on ask
            hput ConsolePut on console
            put \"ping\" on console
            server( | ask, console => )
        Stop -> do
            hput ConsoleClose on console
            close ask
            halt console

proc run = | console => -> plug
    server( | ask, console => )
    => ask -> do
        hput Ping on ask
        put 1 on ask
        hput Stop on ask
        halt ask
";

#[test]
fn campl_completion_after_hput_lists_each_channels_labels_with_the_channel() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    assert_eq!(server.open(uri, CAMPL_ASK), Vec::<Value>::new());
    // In `server`, `console` may send; `ask` receives, so offers none.
    assert_eq!(
        completion_labels(&mut server, uri, 12, 17),
        ["ConsolePut on console", "ConsoleClose on console"]
    );
    // In `run`, only `ask` is in scope at its second `hput`.
    assert_eq!(
        completion_labels(&mut server, uri, 25, 13),
        ["Ping on ask", "Stop on ask"]
    );
    server.stop();
}

#[test]
fn campl_completion_at_an_alternative_of_hcase_lists_the_labels_it_may_receive() {
    let mut server = Server::start();
    let uri = "file:///nowhere/ask.mpl";
    server.open(uri, CAMPL_ASK);
    assert_eq!(completion_labels(&mut server, uri, 15, 8), ["Ping", "Stop"]);
    server.stop();
}

#[test]
fn definition_and_references_reach_into_the_files_a_program_imports() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs");
    let uri = format!("file://{dir}/imports.mpl");
    let helpers = format!("file://{dir}/lib/helpers.mpl");
    let program = std::fs::read_to_string(format!("{dir}/imports.mpl")).expect("the program");
    let mut server = Server::start();
    assert_eq!(server.open(&uri, &program), Vec::<Value>::new());
    // `triple` is declared in lib/helpers.mpl and called here.
    let r = server.at("textDocument/definition", &uri, 7, 22);
    assert_eq!(r["result"]["uri"], json!(helpers), "{r}");
    assert_eq!(
        r["result"]["range"]["start"],
        json!({ "line": 16, "character": 4 })
    );
    let params = json!({
        "textDocument": { "uri": uri },
        "position": { "line": 7, "character": 22 },
        "context": { "includeDeclaration": true },
    });
    let r = server.request("textDocument/references", params);
    let found = results(&r, |l| (text(&l["uri"]), place(&l["range"]["start"])));
    assert_eq!(found, [(uri.clone(), (7, 22)), (helpers.clone(), (16, 4))]);
    server.stop();
}

#[test]
fn hover_on_a_channel_at_a_choice_names_its_labels_and_shows_its_protocol() {
    let mut server = Server::start();
    let uri = "file:///nowhere/counter.mpl";
    server.open(uri, COUNTER);
    let sender = server.hover_text(uri, 8, 2);
    assert!(
        sender.contains("next, `c` sends one of `Inc`, `Stop`"),
        "{sender}"
    );
    assert!(sender.contains("protocol Counter = put Inc"), "{sender}");
    let receiver = server.hover_text(uri, 2, 10);
    assert!(
        receiver.contains("k : neg<Counter>")
            && receiver.contains("next, `k` receives one of `Inc`, `Stop`"),
        "{receiver:?}"
    );
    server.stop();
}
