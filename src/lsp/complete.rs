//! Completion (`textDocument/completion`): after `c.put(` the labels `c`
//! may send at that point; after `case` in a `switch (c.get)` the labels
//! it may receive; elsewhere the names in scope: the program's and the
//! prelude's declarations, the variables bound before the cursor, and the
//! keywords. The states come from the last version of the text that
//! parsed (the one being typed usually does not).

use crate::check::infer::Use;
use crate::syntax::ast::{Item, Module};
use lsp_types::{CompletionItem, CompletionItemKind};

const KEYWORDS: &[&str] = &[
    "data", "codata", "record", "protocol", "process", "fold", "by", "switch", "case", "if",
    "else", "let", "channel", "put", "get", "loop", "close", "halt", "neg", "fork", "split",
    "race", "as", "import", "true", "false", "void",
];

/// What the text before the cursor asks for.
enum Context<'t> {
    /// `c.put(`: a label `c` may send.
    Send(&'t str),
    /// `case` in a `switch (c.get)`: a label `c` may receive.
    Receive(&'t str),
    Name,
}

/// The completions at `offset` of `text`. `uses` and `afters` are what the
/// checker recorded (`Use`): each variable where used, and each channel's
/// state after each operation on it.
pub fn complete(
    text: &str,
    offset: usize,
    uses: &[Use],
    afters: &[Use],
    modules: &[&Module],
) -> Vec<CompletionItem> {
    match context(&text[..offset.min(text.len())]) {
        Context::Send(c) => labels(state_at(c, offset, uses, afters), true),
        Context::Receive(c) => labels(state_at(c, offset, uses, afters), false),
        Context::Name => names(offset, uses, modules),
    }
}

fn context(before: &str) -> Context<'_> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '\'';
    let rest = before.trim_end_matches(is_word).trim_end();
    if let Some(call) = rest.strip_suffix('(')
        && let Some(receiver) = call.trim_end().strip_suffix(".put")
    {
        let start = receiver.trim_end_matches(is_word).len();
        if start < receiver.len() {
            return Context::Send(&receiver[start..]);
        }
    }
    if rest.ends_with("case")
        && rest[..rest.len() - 4].ends_with(|c: char| !is_word(c))
        && let Some(c) = switch_channel(rest)
    {
        return Context::Receive(c);
    }
    Context::Name
}

/// The channel of the innermost `switch (c.get)` before the end of `text`.
fn switch_channel(text: &str) -> Option<&str> {
    let mut end = text.len();
    while let Some(at) = text[..end].rfind("switch") {
        let after = text[at + "switch".len()..].trim_start();
        if let Some(inner) = after.strip_prefix('(') {
            let inner = inner.trim_start();
            let name_len = inner
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
                .unwrap_or(inner.len());
            let (name, tail) = inner.split_at(name_len);
            if !name.is_empty() && tail.trim_start().starts_with(".get") {
                return Some(name);
            }
        }
        end = at;
    }
    None
}

/// The state of channel `name` at `offset`: after its last operation
/// before the cursor, else before its first use; of the binding of that
/// name bound last before the cursor.
fn state_at<'u>(name: &str, offset: usize, uses: &'u [Use], afters: &'u [Use]) -> Option<&'u Use> {
    let all = || uses.iter().chain(afters).filter(|u| u.name == name);
    let bound = all()
        .map(|u| u.bound)
        .filter(|b| (b.start as usize) <= offset)
        .max_by_key(|b| b.start)?;
    let of_binding = |u: &&Use| u.bound == bound;
    afters
        .iter()
        .filter(|u| u.name == name)
        .filter(of_binding)
        .filter(|u| (u.span.end as usize) <= offset)
        .max_by_key(|u| u.span.end)
        .or_else(|| {
            uses.iter()
                .filter(|u| u.name == name)
                .filter(of_binding)
                .min_by_key(|u| u.span.start)
        })
}

fn labels(state: Option<&Use>, sends: bool) -> Vec<CompletionItem> {
    let Some(choice) = state
        .and_then(|u| u.choice.as_ref())
        .filter(|c| c.sends == sends)
    else {
        return Vec::new();
    };
    let detail = state.map(|u| format!("{} : {}", u.name, u.ty));
    choice
        .labels
        .iter()
        .map(|l| CompletionItem {
            label: l.clone(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: detail.clone(),
            ..Default::default()
        })
        .collect()
}

fn names(offset: usize, uses: &[Use], modules: &[&Module]) -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = Vec::new();
    let mut add = |label: &str, kind: CompletionItemKind, detail: Option<String>| {
        if !out.iter().any(|i| i.label == label) {
            out.push(CompletionItem {
                label: label.to_string(),
                kind: Some(kind),
                detail,
                ..Default::default()
            });
        }
    };
    let mut bound: Vec<&Use> = uses
        .iter()
        .filter(|u| (u.bound.start as usize) <= offset)
        .collect();
    bound.sort_by_key(|u| std::cmp::Reverse(u.bound.start));
    for u in bound {
        add(&u.name, CompletionItemKind::VARIABLE, Some(u.ty.clone()));
    }
    for module in modules {
        for item in &module.items {
            let (name, kind) = match &item.node {
                Item::Function(f) => (&f.name.node, CompletionItemKind::FUNCTION),
                Item::Process(p) => (&p.name.node, CompletionItemKind::CLASS),
                Item::Protocol(p) => (&p.name.node, CompletionItemKind::INTERFACE),
                Item::Data(d) => (&d.name.node, CompletionItemKind::ENUM),
                Item::Codata(c) => (&c.name.node, CompletionItemKind::INTERFACE),
                _ => continue,
            };
            if !name.contains('$') {
                add(name, kind, None);
            }
        }
    }
    for k in KEYWORDS {
        add(k, CompletionItemKind::KEYWORD, None);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_read_off_the_text_before_the_cursor() {
        assert!(matches!(context("  c.put("), Context::Send("c")));
        assert!(matches!(
            context("  server.put( In"),
            Context::Send("server")
        ));
        assert!(matches!(
            context("switch (k.get) {\n    case Inc: f();\n    case "),
            Context::Receive("k")
        ));
        assert!(matches!(context("  let x = show"), Context::Name));
        assert!(matches!(context("  showcase"), Context::Name));
    }
}
