//! One open document: its text and what the checker found in it (kept
//! until the next change), and the answers an editor asks of it:
//! diagnostics, hover, definition, the outline. The checking is the
//! library's (`crate::analyze`), the same as `mpl check`'s; this file only
//! looks things up in what it gives.

use super::position::LineIndex;
use super::served::Served;
use super::uri;
use crate::Analysis;
use crate::check::infer::Use;
use crate::diagnostics::Diagnostic as MplDiagnostic;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{Item, Module};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol,
    Documentation, InlayHint, InlayHintKind, InlayHintLabel, Location, MarkupContent, MarkupKind,
    NumberOrString, ParameterInformation, ParameterLabel, Range, SignatureHelp,
    SignatureInformation, Uri,
};
use std::str::FromStr;
use std::sync::Arc;

pub struct Document {
    pub uri: Uri,
    /// The copies of the prelude and the error index, if written.
    served: Option<Arc<Served>>,
    pub text: String,
    index: LineIndex,
    sources: SourceMap,
    analysis: Arc<Analysis>,
    main_file: Option<FileId>,
    /// The outline of the last version that parsed (kept while the text
    /// does not parse).
    pub symbols: Vec<DocumentSymbol>,
    /// The last version that parsed and what was found in it (for
    /// completion, asked while the text being typed does not parse).
    parsed: Parsed,
}

/// A version of the text that parsed, and its analysis: the variables'
/// uses, the channels' states after each operation, the syntax trees.
#[derive(Default)]
struct Parsed {
    text: String,
    analysis: Arc<Analysis>,
}

impl Parsed {
    /// Where `offset` of `now` was in this version: the same place before
    /// the edited stretch (the text the two do not share at either end),
    /// shifted by the edit's length after it, and the stretch's start
    /// within it (where the text being typed goes).
    fn offset_of(&self, now: &str, offset: usize) -> usize {
        let (old, new) = (self.text.as_bytes(), now.as_bytes());
        let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let room = old.len().min(new.len()) - prefix;
        let suffix = old
            .iter()
            .rev()
            .zip(new.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        if offset <= prefix {
            offset
        } else if offset >= new.len() - suffix {
            offset + old.len() - new.len()
        } else {
            prefix
        }
    }
}

/// What a name under the cursor is, found in the syntax trees.
struct Declared {
    span: Span,
    /// The declaration as written (a signature, or a whole protocol).
    text: String,
    doc: Option<String>,
    /// A function's or process's parameters, as written.
    params: Vec<Span>,
}

impl Document {
    pub fn new(uri: Uri, text: String, served: Option<Arc<Served>>) -> Document {
        let mut doc = Document {
            uri,
            served,
            index: LineIndex::new(&text),
            text,
            sources: SourceMap::new(),
            analysis: Arc::default(),
            main_file: None,
            symbols: Vec::new(),
            parsed: Parsed::default(),
        };
        doc.analyze();
        doc
    }

    pub fn set_text(&mut self, text: String) {
        self.index = LineIndex::new(&text);
        self.text = text;
        self.analyze();
    }

    /// Checks the text as `mpl check` would (on a thread with a big stack,
    /// as the command line does).
    fn analyze(&mut self) {
        let text = self.text.clone();
        let input = match uri::to_path(&self.uri) {
            Some(path) => crate::SourceInput::Edited { path, text },
            None => crate::SourceInput::Text {
                name: self.uri.as_str().to_string(),
                text,
            },
        };
        let (sources, analysis) = crate::with_big_stack(move || {
            let mut sources = SourceMap::new();
            let analysis = crate::analyze(&mut sources, input, crate::Options::default());
            (sources, analysis)
        });
        let name = match uri::to_path(&self.uri) {
            Some(path) => path.display().to_string(),
            None => self.uri.as_str().to_string(),
        };
        self.main_file = analysis.main_file.or_else(|| {
            sources
                .files()
                .find(|(_, f)| f.name == name)
                .map(|(id, _)| id)
        });
        let analysis = Arc::new(analysis);
        if let Some(main) = &analysis.main {
            self.symbols = super::symbols::outline(main, &|s| self.range_of(s));
            self.parsed = Parsed {
                text: self.text.clone(),
                analysis: analysis.clone(),
            };
        }
        self.sources = sources;
        self.analysis = analysis;
    }

    /// The byte offset of an editor's position.
    pub fn offset(&self, at: lsp_types::Position) -> usize {
        self.index.offset(&self.text, at)
    }

    fn range_of(&self, span: Span) -> Range {
        self.index
            .range(&self.text, span.start as usize, span.end as usize)
    }

    fn in_this_file(&self, span: Span) -> bool {
        Some(span.file) == self.main_file
    }

    // -----------------------------------------------------------------
    // Diagnostics

    /// The errors and warnings, as the protocol has them.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let errors = self
            .analysis
            .errors
            .iter()
            .map(|d| (d, DiagnosticSeverity::ERROR));
        let warnings = self
            .analysis
            .warnings
            .iter()
            .map(|d| (d, DiagnosticSeverity::WARNING));
        errors
            .chain(warnings)
            .map(|(d, severity)| self.diagnostic(d, severity))
            .collect()
    }

    fn diagnostic(&self, d: &MplDiagnostic, severity: DiagnosticSeverity) -> Diagnostic {
        // A problem in another file (an import, the prelude) is shown at
        // the top of this one, with its place as related information.
        let mut related = Vec::new();
        let range = match &d.primary {
            Some((span, _)) if self.in_this_file(*span) => self.range_of(*span),
            Some((span, label)) => {
                related.extend(self.location(*span, label));
                Range::default()
            }
            None => Range::default(),
        };
        for (span, label) in &d.secondary {
            related.extend(self.location(*span, label));
        }
        let mut message = d.message.clone();
        if let Some((_, label)) = &d.primary
            && !label.is_empty()
            && !d.message.contains(label.as_str())
        {
            message.push_str(&format!("\n{label}"));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let entry = d
            .code
            .as_deref()
            .and_then(|code| self.served.as_ref()?.error_entry(code));
        Diagnostic {
            range,
            severity: Some(severity),
            code: d.code.clone().map(NumberOrString::String),
            code_description: entry
                .and_then(|e| Uri::from_str(&e).ok())
                .map(|href| CodeDescription { href }),
            source: Some("mpl".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        }
    }

    /// A labelled place in any file the editor can open.
    fn location(&self, span: Span, label: &str) -> Option<DiagnosticRelatedInformation> {
        Some(DiagnosticRelatedInformation {
            location: self.location_of(span)?,
            message: label.to_string(),
        })
    }

    /// Where `span` is, for the editor: in this document, in a file on
    /// disk (an import), or in the prelude's read-only copy (`served`).
    pub fn location_of(&self, span: Span) -> Option<Location> {
        if self.in_this_file(span) {
            return Some(Location::new(self.uri.clone(), self.range_of(span)));
        }
        let file = self.file_of(span)?;
        let copy = self
            .served
            .as_ref()
            .and_then(|s| s.prelude_file(&file.name));
        let path = copy.unwrap_or_else(|| std::path::PathBuf::from(&file.name));
        if !path.is_absolute() || !path.exists() {
            return None;
        }
        let index = LineIndex::new(&file.text);
        let range = index.range(&file.text, span.start as usize, span.end as usize);
        Some(Location::new(uri::from_path(&path)?, range))
    }

    // -----------------------------------------------------------------
    // Hover and definition

    /// Markdown for what is at `offset`: a variable's type where it is
    /// used (a channel's protocol state there), or a declaration.
    pub fn hover(&self, offset: usize) -> Option<(String, Range)> {
        if let Some(u) = self.use_at(offset) {
            return Some((self.use_hover(u), self.range_of(u.span)));
        }
        let (word, start) = word_at(&self.text, offset)?;
        let declared = self.declared(word)?;
        let mut text = format!("```mpl\n{}\n```", declared.text.trim_end());
        if let Some(doc) = &declared.doc {
            text.push_str(&format!("\n\n{doc}"));
        }
        Some((
            text,
            self.index.range(&self.text, start, start + word.len()),
        ))
    }

    /// Where what is at `offset` is defined.
    pub fn definition(&self, offset: usize) -> Option<Location> {
        if let Some(u) = self.use_at(offset) {
            return self.location_of(u.bound);
        }
        let (word, _) = word_at(&self.text, offset)?;
        self.location_of(self.declared(word)?.span)
    }

    /// After each line that acts on channels, each channel's state after
    /// the line's last operation on it (`server : get Int`), at the line's
    /// end; only for lines `from..=to`.
    pub fn inlay_hints(&self, from: u32, to: u32) -> Vec<InlayHint> {
        let mut last: Vec<(u32, &str, usize, &str)> = Vec::new();
        for after in self.analysis.states_after.iter() {
            // After an error the checker may not know a state: no hint.
            if !self.in_this_file(after.span) || after.ty == crate::check::types::UNKNOWN_SESSION {
                continue;
            }
            let end = after.span.end as usize;
            let line = self.index.position(&self.text, end).line;
            if line < from || line > to {
                continue;
            }
            match last
                .iter_mut()
                .find(|(l, n, ..)| *l == line && *n == after.name)
            {
                Some(entry) if entry.2 <= end => *entry = (line, &after.name, end, &after.ty),
                Some(_) => {}
                None => last.push((line, &after.name, end, &after.ty)),
            }
        }
        last.sort_by_key(|(line, _, end, _)| (*line, *end));
        last.iter()
            .map(|(line, name, _, state)| InlayHint {
                position: self.line_end(*line),
                label: InlayHintLabel::String(format!("{name} : {state}")),
                kind: Some(InlayHintKind::TYPE),
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .collect()
    }

    /// The position at the end of line `line` (before its newline).
    fn line_end(&self, line: u32) -> lsp_types::Position {
        let end = self.index.line_end(&self.text, line);
        self.index.position(&self.text, end)
    }

    /// Completions at `offset` (`complete`).
    pub fn complete(&self, offset: usize) -> Vec<lsp_types::CompletionItem> {
        let parsed = &self.parsed.analysis;
        let modules: Vec<&Module> = parsed.main.iter().chain(&parsed.prelude).collect();
        let then = self.parsed.offset_of(&self.text, offset);
        let (uses, afters) = (&parsed.uses, &parsed.states_after);
        super::complete::complete(&self.text, offset, then, uses, afters, &modules)
    }

    /// Every place that names what is at `offset`: a variable's binding
    /// and uses; or a declaration and each word of this file and of the
    /// files it imports that names it, outside comments and strings, and
    /// not a variable of the same name.
    pub fn references(&self, offset: usize, with_declaration: bool) -> Vec<Location> {
        let spans: Vec<Span> = match self.use_at(offset) {
            Some(u) => {
                let mut spans: Vec<Span> = self
                    .analysis
                    .uses
                    .iter()
                    .filter(|v| v.name == u.name && v.bound == u.bound)
                    .map(|v| v.span)
                    .collect();
                if with_declaration {
                    spans.insert(0, u.bound);
                }
                spans
            }
            None => self.declaration_references(offset, with_declaration),
        };
        let mut out: Vec<Location> = Vec::new();
        for span in spans {
            if let Some(l) = self.location_of(span)
                && !out.contains(&l)
            {
                out.push(l);
            }
        }
        out
    }

    fn declaration_references(&self, offset: usize, with_declaration: bool) -> Vec<Span> {
        let Some((word, _)) = word_at(&self.text, offset) else {
            return Vec::new();
        };
        let Some(declared) = self.declared(word) else {
            return Vec::new();
        };
        let variable = |at: Span| {
            self.analysis.uses.iter().any(|u| {
                u.name == word
                    && (u.span.start == at.start || u.bound.start == at.start)
                    && u.bound.file == at.file
            })
        };
        let mut spans = Vec::new();
        for (file, text) in self.program_files() {
            let found = words_named(text, word).into_iter();
            spans.extend(found.map(|at| Span::new(file, at, at + word.len())));
        }
        spans.retain(|s| !variable(*s) && (with_declaration || *s != declared.span));
        spans
    }

    /// The file being edited and the files it imports, with their texts
    /// (the prelude is not searched: its names are read-only).
    fn program_files(&self) -> Vec<(crate::source::FileId, &str)> {
        let mut out: Vec<(crate::source::FileId, &str)> = Vec::new();
        if let Some(main) = self.main_file {
            out.push((main, &self.text));
        }
        for item in self.analysis.imports.iter().flat_map(|m| &m.items) {
            if !out.iter().any(|(f, _)| *f == item.span.file)
                && let Some(file) = self.file_of(item.span)
            {
                out.push((item.span.file, &file.text));
            }
        }
        out
    }

    /// A variable's type where it is used. For a channel whose protocol
    /// offers a choice there, the labels; for a channel at a named
    /// protocol, the protocol's declaration.
    fn use_hover(&self, u: &Use) -> String {
        let mut text = format!("```mpl\n{} : {}\n```", u.name, u.ty);
        if let Some(choice) = &u.choice {
            let labels: Vec<String> = choice.labels.iter().map(|l| format!("`{l}`")).collect();
            let verb = if choice.sends { "sends" } else { "receives" };
            text.push_str(&format!(
                "\n\nnext, `{}` {verb} one of {}",
                u.name,
                labels.join(", ")
            ));
        }
        let named = u.ty.strip_prefix("neg<").and_then(|t| t.strip_suffix('>'));
        let named = named.unwrap_or(&u.ty).split('<').next().unwrap_or_default();
        if let Some(protocol) = self
            .declared(named)
            .filter(|d| d.text.starts_with("protocol"))
        {
            text.push_str(&format!(
                "\n\n---\n```mpl\n{}\n```",
                protocol.text.trim_end()
            ));
        }
        text
    }

    /// The innermost recorded use of a variable at `offset`.
    fn use_at(&self, offset: usize) -> Option<&crate::check::infer::Use> {
        self.analysis
            .uses
            .iter()
            .filter(|u| self.in_this_file(u.span))
            .filter(|u| (u.span.start as usize) <= offset && offset <= u.span.end as usize)
            .min_by_key(|u| u.span.len())
    }

    /// The declaration `name` refers to: in the program (its main file and
    /// what it imports) first, else in the prelude; a protocol's label
    /// finds its protocol.
    fn declared(&self, name: &str) -> Option<Declared> {
        let analysis = &self.analysis;
        let modules = analysis
            .main
            .iter()
            .chain(&analysis.imports)
            .chain(&analysis.prelude);
        modules
            .clone()
            .find_map(|m| self.declared_in(m, name))
            .or_else(|| modules.clone().find_map(|m| self.label_in(m, name)))
    }

    fn declared_in(&self, module: &Module, name: &str) -> Option<Declared> {
        module.items.iter().find_map(|item| {
            let spans = |ps: &[crate::source::Spanned<crate::syntax::ast::Param>]| {
                ps.iter().map(|p| p.span).collect::<Vec<_>>()
            };
            let (ident, doc, whole, params) = match &item.node {
                Item::Function(f) => {
                    let params = f.clauses.first().map(|c| spans(&c.node.params));
                    (&f.name, &f.doc, false, params.unwrap_or_default())
                }
                Item::Process(p) => (&p.name, &p.doc, false, spans(&p.params)),
                Item::Protocol(p) => (&p.name, &p.doc, true, Vec::new()),
                Item::Data(d) => (&d.name, &d.doc, true, Vec::new()),
                Item::Codata(c) => (&c.name, &c.doc, true, Vec::new()),
                _ => return None,
            };
            if ident.node != name {
                return None;
            }
            // A declaration lowered from CaMPL's syntax spans only its
            // name: its line says the rest (`fun f :: A -> B =`).
            let text = match item.span == ident.span {
                true => self.line_text(ident.span),
                false => self.declaration_text(item.span, whole),
            };
            Some(Declared {
                span: ident.span,
                text,
                doc: doc.clone(),
                params,
            })
        })
    }

    /// The signature of the function or process whose call the cursor is
    /// in, with the argument it is at.
    pub fn signature_help(&self, offset: usize) -> Option<SignatureHelp> {
        let (name, active) = call_at(&self.text, offset)?;
        let declared = self.declared(name)?;
        if declared.params.is_empty() && !declared.text.contains('(') {
            return None;
        }
        let parameters = declared
            .params
            .iter()
            .map(|p| ParameterInformation {
                label: ParameterLabel::Simple(self.span_text(*p)),
                documentation: None,
            })
            .collect();
        let documentation = declared.doc.clone().map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d,
            })
        });
        Some(SignatureHelp {
            signatures: vec![SignatureInformation {
                label: declared.text,
                documentation,
                parameters: Some(parameters),
                active_parameter: Some(active),
            }],
            active_signature: Some(0),
            active_parameter: Some(active),
        })
    }

    /// The source file `span` is in (any file the analysis read).
    fn file_of(&self, span: Span) -> Option<&crate::source::SourceFile> {
        let (_, file) = self.sources.files().find(|(id, _)| *id == span.file)?;
        Some(file)
    }

    /// The text of `span`, in whichever file it is.
    fn span_text(&self, span: Span) -> String {
        let text = self.file_of(span).and_then(|f| f.text.get(span.range()));
        text.unwrap_or("").to_string()
    }

    /// A label of a protocol of `module`: its place, and the protocol.
    fn label_in(&self, module: &Module, name: &str) -> Option<Declared> {
        module.items.iter().find_map(|item| {
            let Item::Protocol(p) = &item.node else {
                return None;
            };
            let mut labels = Vec::new();
            super::symbols::labels_of(&p.body.node, &mut labels);
            let span = labels.into_iter().find(|(l, _)| l == name)?.1;
            Some(Declared {
                span,
                text: self.declaration_text(item.span, true),
                doc: p.doc.clone(),
                params: Vec::new(),
            })
        })
    }

    /// The line `span` starts on.
    fn line_text(&self, span: Span) -> String {
        let Some(file) = self.file_of(span) else {
            return String::new();
        };
        let at = (span.start as usize).min(file.text.len());
        let start = file.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = file.text[at..]
            .find('\n')
            .map_or(file.text.len(), |i| at + i);
        file.text[start..end].trim().to_string()
    }

    /// The text of the declaration at `span`: whole, or up to its body.
    fn declaration_text(&self, span: Span, whole: bool) -> String {
        let text = self.span_text(span);
        let text = text.as_str();
        match whole {
            true => text.to_string(),
            false => text.split('{').next().unwrap_or(text).trim().to_string(),
        }
    }
}

/// Where `name` is written as a whole word in `text`, outside `//`
/// comments and string and character literals.
fn words_named(text: &str, name: &str) -> Vec<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '\'';
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev_word = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '/' if text[i..].starts_with("//") => {
                while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                    chars.next();
                }
            }
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if is_word(c) && !prev_word => {
                let end = text[i..]
                    .find(|c: char| !is_word(c))
                    .map_or(text.len(), |n| i + n);
                if &text[i..end] == name {
                    out.push(i);
                }
            }
            _ => {}
        }
        prev_word = is_word(c) && c != '"';
    }
    out
}

/// The name of the call whose parentheses `offset` is inside, and how
/// many of its arguments come before the cursor (commas at its level).
/// Reads the text back to the call's `(`; a `;` or a brace on the way
/// means the cursor is in no call.
fn call_at(text: &str, offset: usize) -> Option<(&str, u32)> {
    let before = text.get(..offset)?;
    let (mut depth, mut commas) = (0u32, 0u32);
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | ']' => depth += 1,
            '(' | '[' if depth > 0 => depth -= 1,
            '(' => {
                let head = before[..i].trim_end();
                let start = head
                    .char_indices()
                    .rev()
                    .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '\'')
                    .last()
                    .map(|(j, _)| j)?;
                return Some((&head[start..], commas));
            }
            '[' => return None,
            ',' if depth == 0 => commas += 1,
            ';' | '{' | '}' => return None,
            _ => {}
        }
    }
    None
}

/// The identifier around `offset` (letters, digits, `_`), with its start.
fn word_at(text: &str, offset: usize) -> Option<(&str, usize)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then(|| (&text[start..end], start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_is_carried_back_to_the_version_that_parsed() {
        let parsed = Parsed {
            text: "let a = 1;\nc.put(X);\nlet b = 2;\n".into(),
            analysis: Arc::default(),
        };
        // A line typed after the first: before it the same, in it its
        // start, after it shifted back.
        let now = "let a = 1;\nd.put(\nc.put(X);\nlet b = 2;\n";
        assert_eq!(parsed.offset_of(now, 4), 4);
        assert_eq!(parsed.offset_of(now, 17), 11);
        assert_eq!(parsed.offset_of(now, now.len()), parsed.text.len());
        // The same text: the same offsets.
        let same = parsed.text.clone();
        assert_eq!(parsed.offset_of(&same, 12), 12);
    }

    #[test]
    fn a_call_is_found_back_to_its_parenthesis_with_the_argument_reached() {
        let text = "  client(s, f(x, y), [1, 2], ";
        assert_eq!(call_at(text, text.len()), Some(("client", 3)));
        assert_eq!(call_at(text, 16), Some(("f", 1)));
        assert_eq!(call_at("x; (1 + 2", 9), None);
        assert_eq!(call_at("f(a); g", 7), None);
    }

    #[test]
    fn words_are_found_outside_comments_and_strings() {
        let text = "f(x); // f here\ng(\"f\", f_2, f); f";
        assert_eq!(words_named(text, "f"), [0, 28, 32]);
    }

    #[test]
    fn the_word_at_an_offset_spans_letters_digits_and_underscores() {
        let text = "c.put(Stop_2);";
        assert_eq!(word_at(text, 8), Some(("Stop_2", 6)));
        assert_eq!(word_at(text, 0), Some(("c", 0)));
        assert_eq!(word_at(text, 1), Some(("c", 0)));
        assert_eq!(word_at(text, 13), None);
    }
}
