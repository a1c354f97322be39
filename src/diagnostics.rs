//! The only place that renders errors. Syntax errors, checker errors,
//! runtime failures, deadlocks and exhausted input are turned into one
//! `Diagnostic` shape (message, code, primary label, secondary labels,
//! help) and drawn with miette against the source text.
//!
//! Nothing here decides *whether* something is an error.

use crate::check::CheckError;
use crate::eval::RunError;
use crate::runtime::WaitReport;
use crate::source::{SourceMap, Span};
use crate::syntax::SyntaxError;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

/// One report, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Option<String>,
    pub message: String,
    pub primary: (Span, String),
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl From<&SyntaxError> for Diagnostic {
    fn from(e: &SyntaxError) -> Self {
        Diagnostic {
            code: Some("syntax".into()),
            message: e.message.clone(),
            primary: (e.span, e.label.clone()),
            secondary: e.notes.clone(),
            help: e.help.clone(),
        }
    }
}

impl From<&CheckError> for Diagnostic {
    fn from(e: &CheckError) -> Self {
        let r = e.render();
        Diagnostic {
            code: Some(r.code.into()),
            message: r.message,
            primary: (r.span, r.label),
            secondary: r.notes,
            help: r.help,
        }
    }
}

impl From<&RunError> for Diagnostic {
    fn from(e: &RunError) -> Self {
        Diagnostic {
            code: Some("runtime".into()),
            message: format!("{} (in process `{}`)", e.message, e.process),
            primary: (e.span, e.message.clone()),
            secondary: Vec::new(),
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
        lines.push(format!(
            "  `{}` waits on channel #{} {peer}",
            r.task.name, r.channel.0
        ));
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
    let primary = labels.next().unwrap_or_default();
    Diagnostic {
        code: Some(code.into()),
        message: format!("{head}\n{}", lines.join("\n")),
        primary,
        secondary: labels.collect(),
        help: Some(help.into()),
    }
}

/// Draws a diagnostic against its source. `color` picks ANSI colours; tests
/// pass `false` for stable snapshots.
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let file = sources.get(d.primary.0.file);
    let mut diag = MietteDiagnostic::new(d.message.clone());
    if let Some(code) = &d.code {
        diag = diag.with_code(code.clone());
    }
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(d.primary.1.clone()),
        d.primary.0.range(),
    )];
    let mut elsewhere = Vec::new();
    for (span, text) in &d.secondary {
        if span.file == d.primary.0.file {
            labels.push(LabeledSpan::new_with_span(Some(text.clone()), span.range()));
        } else {
            elsewhere.push(format!("{text}: {}", sources.describe(*span)));
        }
    }
    diag = diag.with_labels(labels);
    let mut help = d.help.clone().unwrap_or_default();
    for e in elsewhere {
        help = if help.is_empty() {
            e
        } else {
            format!("{help}\n{e}")
        };
    }
    if !help.is_empty() {
        diag = diag.with_help(help);
    }
    let report = miette::Report::new(diag)
        .with_source_code(NamedSource::new(file.name.clone(), file.text.clone()));
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        out = format!(
            "error: {}\n  at {}\n",
            d.message,
            sources.describe(d.primary.0)
        );
    }
    out
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
            primary: (Span::new(file, 11, 12), "here".into()),
            secondary: vec![],
            help: Some("finish the sum".into()),
        };
        let out = render(&d, &sources, false);
        assert!(out.contains("expected an expression"), "{out}");
        assert!(out.contains("t.mpl:1:12"), "{out}");
        assert!(out.contains("finish the sum"), "{out}");
    }
}
