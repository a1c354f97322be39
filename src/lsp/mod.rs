//! `mpl lsp`: a language server over standard input and output, on
//! `lsp-server` (the transport rust-analyzer uses). A front end on the
//! library, like the REPL: each open document is checked by the same
//! pipeline as `mpl check` (`crate::analyze`), and the answers are looked
//! up in what it found (`document`: diagnostics, hover, definition, inlay
//! hints, signature help, references; `complete`; `symbols`). This file holds the message loop:
//! documents opened and changed (checked again once the typing pauses),
//! requests answered one at a time; a request that fails, even by a
//! panic, is answered with an error and the server goes on.
//!
//! Offsets become positions in `position`; `file:` URIs become paths in
//! `uri`; `served` writes the prelude and the error index for the editor
//! to open.

mod complete;
mod document;
mod position;
mod served;
mod symbols;
mod uri;

use document::Document;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, GotoDefinition, HoverRequest, InlayHintRequest, References,
    Request as _, SignatureHelpRequest,
};
use lsp_types::{
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Hover,
    HoverContents, HoverProviderCapability, MarkupContent, MarkupKind, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, SignatureHelpOptions, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

/// A changed document is checked again once no message has come for this
/// long: a burst of keystrokes costs one check, and a pause as short as
/// between two words brings the diagnostics. With a check of a 2,000-line
/// file at about 60 ms, 50 ms here keeps a change within the 150 ms of
/// issue 14 (`benches/lsp_speed.rs`; figures in `bench/RESULTS.md`).
const SETTLE: Duration = Duration::from_millis(50);

type Answer = Result<serde_json::Value, (ErrorCode, String)>;

/// The response to request `id` that `handler` answers: its value, its
/// error, or, if it panics, an internal error (the panic is logged on
/// standard error, which editors show as the server's log).
fn guarded(id: lsp_server::RequestId, method: &str, handler: impl FnOnce() -> Answer) -> Response {
    match std::panic::catch_unwind(AssertUnwindSafe(handler)) {
        Ok(Ok(value)) => Response::new_ok(id, value),
        Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("mpl lsp: `{method}` failed: {why}");
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("the server failed while answering `{method}`; it goes on"),
            )
        }
    }
}

/// Serves one client on standard input and output until it says `exit`.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..Default::default()
        }),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["(".into(), " ".into()]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let capabilities = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let params = connection
        .initialize(capabilities)
        .map_err(|e| e.to_string())?;
    // `initializationOptions: { "inlayHints": false }` turns the channel
    // states after each line off (the editor may also hide them).
    let inlay_hints = params["initializationOptions"]["inlayHints"]
        .as_bool()
        .unwrap_or(true);
    let mut server = Server {
        connection,
        documents: HashMap::new(),
        changed: Vec::new(),
        inlay_hints,
        served: served::Served::write().map(std::sync::Arc::new),
    };
    server.serve()?;
    drop(server);
    io_threads.join().map_err(|e| e.to_string())
}

struct Server {
    connection: Connection,
    documents: HashMap<String, Document>,
    /// Documents changed since they were last checked.
    changed: Vec<String>,
    /// Whether inlay hints are given (on unless the client said no).
    inlay_hints: bool,
    /// The prelude and the error index, copied for the editor to open.
    served: Option<std::sync::Arc<served::Served>>,
}

impl Server {
    fn serve(&mut self) -> Result<(), String> {
        loop {
            let message = match self.changed.is_empty() {
                true => self.connection.receiver.recv().ok(),
                false => match self.connection.receiver.recv_timeout(SETTLE) {
                    Ok(m) => Some(m),
                    Err(crossbeam::channel::RecvTimeoutError::Timeout) => {
                        self.check_changed();
                        continue;
                    }
                    Err(crossbeam::channel::RecvTimeoutError::Disconnected) => None,
                },
            };
            let Some(message) = message else {
                return Ok(());
            };
            match message {
                Message::Request(req) => {
                    if self
                        .connection
                        .handle_shutdown(&req)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    self.check_changed();
                    let response = self.answer(req);
                    self.send(Message::Response(response));
                }
                Message::Notification(n) => self.notified(n),
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, message: Message) {
        // The client is gone when this fails; the loop ends on its own.
        let _ = self.connection.sender.send(message);
    }

    /// Answers a request; a failure (bad parameters, a panic) becomes an
    /// error response.
    fn answer(&mut self, req: Request) -> Response {
        let (id, method) = (req.id.clone(), req.method.clone());
        guarded(id, &method, || self.dispatch(req))
    }

    fn dispatch(&mut self, req: Request) -> Answer {
        let to_json = |v: Result<serde_json::Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let at: PositionParams = params(&req)?;
                to_json(serde_json::to_value(self.hover(&at.inner)))
            }
            GotoDefinition::METHOD => {
                let at: PositionParams = params(&req)?;
                let found = self.definition(&at.inner);
                to_json(serde_json::to_value(
                    found.map(GotoDefinitionResponse::Scalar),
                ))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(&req)?;
                let symbols = self
                    .documents
                    .get(p.text_document.uri.as_str())
                    .map(|d| DocumentSymbolResponse::Nested(d.symbols.clone()));
                to_json(serde_json::to_value(symbols))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = params(&req)?;
                let at = p.text_document_position;
                let found = self
                    .documents
                    .get(at.text_document.uri.as_str())
                    .map(|doc| {
                        doc.references(doc.offset(at.position), p.context.include_declaration)
                    });
                to_json(serde_json::to_value(found.unwrap_or_default()))
            }
            SignatureHelpRequest::METHOD => {
                let at: PositionParams = params(&req)?;
                let at = at.inner;
                let help = self
                    .documents
                    .get(at.text_document.uri.as_str())
                    .and_then(|doc| doc.signature_help(doc.offset(at.position)));
                to_json(serde_json::to_value(help))
            }
            Completion::METHOD => {
                let at: lsp_types::CompletionParams = params(&req)?;
                let at = at.text_document_position;
                let items = match self.documents.get(at.text_document.uri.as_str()) {
                    Some(doc) => doc.complete(doc.offset(at.position)),
                    None => Vec::new(),
                };
                to_json(serde_json::to_value(CompletionResponse::Array(items)))
            }
            InlayHintRequest::METHOD => {
                let p: lsp_types::InlayHintParams = params(&req)?;
                let hints = match (
                    self.inlay_hints,
                    self.documents.get(p.text_document.uri.as_str()),
                ) {
                    (true, Some(doc)) => doc.inlay_hints(p.range.start.line, p.range.end.line),
                    _ => Vec::new(),
                };
                to_json(serde_json::to_value(hints))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("`{other}` is not a request this server answers"),
            )),
        }
    }

    fn hover(&self, at: &TextDocumentPositionParams) -> Option<Hover> {
        let doc = self.documents.get(at.text_document.uri.as_str())?;
        let offset = doc.offset(at.position);
        let (text, range) = doc.hover(offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(range),
        })
    }

    fn definition(&self, at: &TextDocumentPositionParams) -> Option<lsp_types::Location> {
        let doc = self.documents.get(at.text_document.uri.as_str())?;
        doc.definition(doc.offset(at.position))
    }

    fn notified(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    let uri = p.text_document.uri;
                    let key = uri.as_str().to_string();
                    let served = self.served.clone();
                    let text = p.text_document.text;
                    let opened = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        Document::new(uri, text, served)
                    }));
                    match opened {
                        Ok(doc) => {
                            self.publish(&doc);
                            self.documents.insert(key, doc);
                        }
                        Err(_) => eprintln!("mpl lsp: checking {key} failed; it is not served"),
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    let key = p.text_document.uri.as_str().to_string();
                    if let Some(doc) = self.documents.get_mut(&key) {
                        doc.text = change.text;
                        if !self.changed.contains(&key) {
                            self.changed.push(key);
                        }
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    let key = p.text_document.uri.as_str().to_string();
                    self.changed.retain(|k| *k != key);
                    if let Some(doc) = self.documents.remove(&key) {
                        self.clear(&doc.uri);
                    }
                }
            }
            _ => {}
        }
    }

    /// Checks the documents changed since their last check, and publishes
    /// what was found.
    fn check_changed(&mut self) {
        for key in std::mem::take(&mut self.changed) {
            let Some(doc) = self.documents.get_mut(&key) else {
                continue;
            };
            let text = std::mem::take(&mut doc.text);
            let checked = std::panic::catch_unwind(AssertUnwindSafe(|| doc.set_text(text)));
            if checked.is_err() {
                eprintln!("mpl lsp: checking {key} failed; its diagnostics are not updated");
                continue;
            }
            if let Some(doc) = self.documents.get(&key) {
                self.publish(doc);
            }
        }
    }

    fn publish(&self, doc: &Document) {
        let params = PublishDiagnosticsParams::new(doc.uri.clone(), doc.diagnostics(), None);
        self.notify::<PublishDiagnostics>(params);
    }

    fn clear(&self, uri: &Uri) {
        let params = PublishDiagnosticsParams::new(uri.clone(), Vec::new(), None);
        self.notify::<PublishDiagnostics>(params);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        let Ok(params) = serde_json::to_value(params) else {
            return;
        };
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }
}

/// A request's parameters naming a place in a document (hover,
/// definition: both flatten the same fields).
#[derive(serde::Deserialize)]
struct PositionParams {
    #[serde(flatten)]
    inner: TextDocumentPositionParams,
}

fn params<P: serde::de::DeserializeOwned>(req: &Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(req.params.clone()).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("the parameters of `{}` do not parse: {e}", req.method),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_whose_handler_panics_is_answered_with_an_internal_error() {
        let response = guarded(7.into(), "textDocument/hover", || panic!("a bug"));
        let error = response.error.expect("an error response");
        assert_eq!(error.code, ErrorCode::InternalError as i32);
        assert!(
            error.message.contains("textDocument/hover"),
            "{}",
            error.message
        );
        assert_eq!(response.id, 7.into());
    }

    #[test]
    fn a_handlers_value_and_error_are_answered_as_they_are() {
        let ok = guarded(1.into(), "m", || Ok(serde_json::json!(3)));
        assert_eq!(ok.result, Some(serde_json::json!(3)));
        let bad = guarded(2.into(), "m", || {
            Err((ErrorCode::InvalidParams, "no".into()))
        });
        assert_eq!(bad.error.map(|e| e.message), Some("no".to_string()));
    }
}
