//! The only place that renders errors. Syntax errors, checker errors,
//! runtime failures, deadlocks and exhausted input are turned into one
//! `Diagnostic` shape (message, code, primary label, secondary labels,
//! help) and drawn with miette against the source text.
//!
//! Nothing here decides *whether* something is an error.

use crate::check::CheckError;
use crate::host::RunError;
use crate::runtime::WaitReport;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::SyntaxError;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Severity,
};

/// One report, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Option<String>,
    pub message: String,
    /// Where the problem is, with its label; `None` for a problem with no
    /// place in any source (a file that cannot be read, a closed output).
    pub primary: Option<(Span, String)>,
    /// More labelled places, in any file.
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// The span of the primary label, if the diagnostic has a place.
    pub fn span(&self) -> Option<Span> {
        self.primary.as_ref().map(|(s, _)| *s)
    }
}

/// A checker error in the words of the syntax its file is written in:
/// for a file in CaMPL's syntax (`campl` says which files are), the
/// errors that name syntax name CaMPL's (`hcase`, `hput`, handles).
pub fn check_error(e: &CheckError, campl: &dyn Fn(FileId) -> bool) -> Diagnostic {
    let mut d = Diagnostic::from(e);
    if d.span().is_some_and(|s| campl(s.file)) {
        in_campl_words(e, &mut d);
    }
    d
}

fn in_campl_words(e: &CheckError, d: &mut Diagnostic) {
    let quoted = |items: &[String]| {
        let q: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
        q.join(", ")
    };
    match e {
        CheckError::MissingLabels {
            channel, missing, ..
        } => {
            d.message = format!(
                "this `hcase` on `{channel}` does not handle {}",
                quoted(missing)
            );
            let first = missing.first().map_or("", String::as_str);
            d.help = Some(format!(
                "the other side may put any handle of the protocol: add a phrase `{first} -> ...`"
            ));
            if let Some((_, label)) = &mut d.primary {
                *label = "not every handle is handled".into();
            }
        }
        CheckError::UnknownLabel { channel, label, .. } => {
            d.message = format!("`{label}` is not a handle `{channel}` can use here");
        }
        CheckError::ProtocolMismatch {
            channel,
            expected,
            did,
            ending,
            offered,
            ..
        } => {
            d.message = format!(
                "`{channel}` {}, but its protocol expects `{expected}`",
                campl_did(did)
            );
            d.help = Some(match (ending, offered.as_slice()) {
                (Some(label), _) => format!(
                    "to end the protocol here, put the handle that ends it: `hput {label} on {channel}`"
                ),
                (None, []) if expected.starts_with("get") => {
                    format!("at this point this end receives: use `get x on {channel}`")
                }
                (None, []) if expected.starts_with("put") => {
                    format!("at this point this end sends: use `put e on {channel}`")
                }
                (None, []) => "follow the protocol's steps in order".into(),
                (None, handles) => format!(
                    "the other side puts a handle here: receive it with `hcase {channel} of` and a phrase for each of {}",
                    quoted(handles)
                ),
            });
        }
        CheckError::ChannelFinished { channel, did, .. } => {
            d.message = format!(
                "`{channel}` has reached its end (`close` or `halt`): its protocol is finished, and it {}",
                campl_did(did)
            );
        }
        CheckError::LabelAsValue { label, .. } => {
            d.message = format!("`{label}` is a handle, not a value");
            d.help = Some(format!(
                "handles are sent with `hput {label} on c` and received with `hcase c of {label} -> ...`"
            ));
        }
        _ => {}
    }
}

/// What a channel operation did, in CaMPL's words.
fn campl_did(did: &str) -> String {
    match did {
        "receives a value" => "gets a value (`get`)".into(),
        "sends a value" => "puts a value (`put`)".into(),
        "chooses a label" => "puts a handle (`hput`)".into(),
        "receives a value outside a `switch`" => {
            "gets a value where a handle arrives (that takes `hcase`)".into()
        }
        "is closed" => "is closed (`close` or `halt`)".into(),
        "forks" => "forks (`fork`)".into(),
        "is split" => "is split (`split`)".into(),
        other => other.to_string(),
    }
}

impl From<&SyntaxError> for Diagnostic {
    fn from(e: &SyntaxError) -> Self {
        Diagnostic {
            code: Some("syntax".into()),
            message: e.message.clone(),
            primary: Some((e.span, e.label.clone())),
            secondary: e.notes.clone(),
            help: e.help.clone(),
        }
    }
}

impl From<&CheckError> for Diagnostic {
    fn from(e: &CheckError) -> Self {
        let r = e.report();
        Diagnostic {
            code: Some(r.code.into()),
            message: r.message,
            primary: Some((r.span, r.label)),
            secondary: r.notes,
            help: r.help,
        }
    }
}

impl From<&crate::check::warnings::Warning> for Diagnostic {
    fn from(w: &crate::check::warnings::Warning) -> Self {
        let t = w.text();
        Diagnostic {
            code: Some(t.code.into()),
            message: t.message,
            primary: Some((t.span, t.label)),
            secondary: w.note().into_iter().collect(),
            help: Some(t.help),
        }
    }
}

impl From<&RunError> for Diagnostic {
    fn from(e: &RunError) -> Self {
        Diagnostic {
            code: Some("runtime".into()),
            message: format!("{} (in process `{}`)", e.message, e.process),
            primary: e.span.map(|span| (span, e.message.clone())),
            secondary: e.trace.clone(),
            help: e.help.clone(),
        }
    }
}

/// A deadlock or exhausted input: every waiting process, where it waits,
/// and who holds the other end of its channel.
pub fn waiting(reports: &[WaitReport], input_exhausted: bool) -> Diagnostic {
    let mut lines = Vec::new();
    let mut labels = Vec::new();
    for r in reports {
        let peer = match &r.peer_holder {
            Some(p) => format!("whose other end is held by `{p}`"),
            None => "whose other end no process holds".into(),
        };
        let channel = match r.task.channel_names.iter().find(|(id, _)| *id == r.channel) {
            Some((_, name)) => format!("`{name}`"),
            None => format!("channel #{}", r.channel.0),
        };
        lines.push(format!("  `{}` waits on {channel}, {peer}", r.task.name));
        if let Some(at) = r.task.waiting_at {
            labels.push((at, format!("`{}` waits here", r.task.name)));
        }
    }
    let (code, head, help) = if input_exhausted {
        (
            "input-exhausted",
            "input exhausted: a process waits for input after the end of standard input",
            "give the program more input, or read with `console`, which answers `EndOfInput`",
        )
    } else {
        (
            "deadlock",
            "deadlock: every remaining process waits for a message that will never come",
            "look at the order of `put` and `get` along the cycle: someone must send first",
        )
    };
    let mut labels = labels.into_iter();
    Diagnostic {
        code: Some(code.into()),
        message: format!("{head}\n{}", lines.join("\n")),
        primary: labels.next(),
        secondary: labels.collect(),
        help: Some(help.into()),
    }
}

/// Draws a diagnostic against its sources. The primary label's file is
/// drawn with every label in it; each other file with labels follows as a
/// note drawn against that file. A diagnostic with no primary label is the
/// message and help alone. `color` picks ANSI colours; tests pass `false`
/// for stable snapshots.
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    render_as(d, sources, color, Severity::Error)
}

/// `render`, drawn as a warning (the program still checks and runs).
pub fn render_warning(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    render_as(d, sources, color, Severity::Warning)
}

fn render_as(d: &Diagnostic, sources: &SourceMap, color: bool, severity: Severity) -> String {
    let mut diag = MietteDiagnostic::new(d.message.clone()).with_severity(severity);
    if let Some(code) = &d.code {
        diag = diag.with_code(code.clone());
    }
    if let Some(help) = &d.help {
        diag = diag.with_help(help.clone());
    }
    let main_file = d.span().map(|s| s.file);
    let mut out = String::new();
    match main_file {
        Some(file) => {
            let labels = labels_in(d, file);
            draw(
                &mut out,
                diag.with_labels(labels),
                Some((sources, file)),
                color,
            );
        }
        None => draw(&mut out, diag, None, color),
    }
    // The other files with labels, each once, in the order labels name them.
    let mut others: Vec<FileId> = Vec::new();
    for (span, _) in &d.secondary {
        if Some(span.file) != main_file && !others.contains(&span.file) {
            others.push(span.file);
        }
    }
    for file in others {
        let note = MietteDiagnostic::new(format!("see also {}", sources.get(file).name))
            .with_severity(Severity::Advice)
            .with_labels(labels_in(d, file));
        draw(&mut out, note, Some((sources, file)), color);
    }
    out
}

/// The labels of `d` that lie in `file`, the primary one first.
fn labels_in(d: &Diagnostic, file: FileId) -> Vec<LabeledSpan> {
    let mut labels = Vec::new();
    if let Some((span, text)) = &d.primary
        && span.file == file
    {
        labels.push(LabeledSpan::new_primary_with_span(
            Some(text.clone()),
            span.range(),
        ));
    }
    for (span, text) in &d.secondary {
        if span.file == file {
            labels.push(LabeledSpan::new_with_span(Some(text.clone()), span.range()));
        }
    }
    labels
}

/// Appends one miette report, drawn against `file` when it has one.
fn draw(out: &mut String, diag: MietteDiagnostic, file: Option<(&SourceMap, FileId)>, color: bool) {
    let message = diag.message.clone();
    let report = match file {
        Some((sources, id)) => {
            let f = sources.get(id);
            miette::Report::new(diag)
                .with_source_code(NamedSource::new(f.name.clone(), f.text.clone()))
        }
        None => miette::Report::new(diag),
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut text = String::new();
    if handler.render_report(&mut text, report.as_ref()).is_err() {
        text = format!("error: {message}\n");
    }
    out.push_str(&text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_shows_message_label_and_help() {
        let mut sources = SourceMap::new();
        let file = sources.add("t.mpl", "let x = 1 +;\n");
        let d = Diagnostic {
            code: Some("syntax".into()),
            message: "expected an expression".into(),
            primary: Some((Span::new(file, 11, 12), "here".into())),
            secondary: vec![],
            help: Some("finish the sum".into()),
        };
        let out = render(&d, &sources, false);
        assert!(out.contains("expected an expression"), "{out}");
        assert!(out.contains("t.mpl:1:12"), "{out}");
        assert!(out.contains("finish the sum"), "{out}");
    }

    #[test]
    fn a_diagnostic_without_a_place_is_drawn_against_no_file() {
        let mut sources = SourceMap::new();
        sources.add("prelude/core.mpl", "data Bool = False | True;\n");
        let d = Diagnostic {
            code: Some("runtime".into()),
            message: "cannot write to stdout: broken pipe".into(),
            primary: None,
            secondary: vec![],
            help: None,
        };
        let out = render(&d, &sources, false);
        assert!(out.contains("cannot write to stdout"), "{out}");
        assert!(!out.contains("core.mpl"), "{out}");
        assert!(!out.contains("╭"), "{out}");
    }

    #[test]
    fn labels_in_another_file_are_drawn_against_that_file() {
        let mut sources = SourceMap::new();
        let main = sources.add("main.mpl", "let x = f(1);\n");
        let lib = sources.add("lib.mpl", "Int f(Int a) { a }\n");
        let d = Diagnostic {
            code: None,
            message: "wrong".into(),
            primary: Some((Span::new(main, 8, 12), "called here".into())),
            secondary: vec![(Span::new(lib, 4, 5), "declared here".into())],
            help: Some("a hint".into()),
        };
        let out = render(&d, &sources, false);
        assert!(out.contains("main.mpl:1:9"), "{out}");
        assert!(out.contains("lib.mpl:1:5"), "{out}");
        assert!(out.contains("declared here"), "{out}");
        assert!(out.contains("Int f(Int a)"), "{out}");
    }

    #[test]
    fn another_file_is_drawn_once_however_its_labels_are_ordered() {
        let mut sources = SourceMap::new();
        let main = sources.add("main.mpl", "let x = f(1);\n");
        let lib = sources.add("lib.mpl", "Int f(Int a) { a }\n");
        let d = Diagnostic {
            code: None,
            message: "wrong".into(),
            primary: Some((Span::new(main, 8, 12), "called here".into())),
            secondary: vec![
                (Span::new(lib, 4, 5), "declared here".into()),
                (Span::new(main, 4, 5), "bound here".into()),
                (Span::new(lib, 10, 11), "parameter".into()),
            ],
            help: None,
        };
        let out = render(&d, &sources, false);
        assert_eq!(out.matches("see also lib.mpl").count(), 1, "{out}");
        assert!(out.contains("parameter"), "{out}");
    }
}
