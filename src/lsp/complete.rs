//! Completion (`textDocument/completion`): after `c.put(` the labels `c`
//! may send at that point; after `case` in a `switch (c.get)` the labels
//! it may receive; elsewhere the names in scope: the program's and the
//! prelude's declarations, the variables bound before the cursor, and the
//! keywords. In CaMPL's syntax, after `hput` the labels each channel of
//! the enclosing declaration may send (`Label on ch`), and at the start of
//! an alternative of `hcase ch of` the labels `ch` may receive. The states
//! come from the last version of the text that parsed (the one being typed
//! usually does not).

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
    /// `case` in a `switch (c.get)`, or an alternative of CaMPL's
    /// `hcase c of`: a label `c` may receive.
    Receive(&'t str),
    /// CaMPL's `hput`: a label some channel may send, and that channel.
    SendOn,
    Name,
}

/// The completions at `offset` of `text`. `uses` and `afters` are what the
/// checker recorded (`Use`) in the last version that parsed, where the
/// cursor is at `then`: each variable where used, and each channel's state
/// after each operation on it.
pub fn complete(
    text: &str,
    offset: usize,
    then: usize,
    uses: &[Use],
    afters: &[Use],
    modules: &[&Module],
) -> Vec<CompletionItem> {
    match context(&text[..offset.min(text.len())]) {
        Context::Send(c) => labels(state_at(c, then, uses, afters), true),
        Context::Receive(c) => labels(state_at(c, then, uses, afters), false),
        Context::SendOn => sendable(then, uses, afters, modules),
        Context::Name => names(then, uses, modules),
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '\''
}

fn context(before: &str) -> Context<'_> {
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
    if rest.ends_with("hput") && !rest[..rest.len() - 4].ends_with(is_word) {
        return Context::SendOn;
    }
    if let Some(c) = hcase_channel(before) {
        return Context::Receive(c);
    }
    Context::Name
}

/// The channel of CaMPL's `hcase c of` when the cursor starts one of its
/// alternatives: only a (partial) word on the cursor's line, and the first
/// line above indented less ends in `hcase c of` (or `hcase c of {`).
fn hcase_channel(before: &str) -> Option<&str> {
    let (above, line) = before.rsplit_once('\n')?;
    let indent = line.trim_end_matches(is_word);
    if !indent.trim().is_empty() {
        return None;
    }
    let outer = above
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && l.len() - l.trim_start().len() < indent.len())?;
    let head = outer.trim_end();
    let head = head.strip_suffix('{').unwrap_or(head).trim_end();
    let (_, name) = head.strip_suffix("of")?.rsplit_once("hcase")?;
    let name = name.trim();
    (!name.is_empty() && name.chars().all(is_word)).then_some(name)
}

/// Where the declaration around `offset` starts: the last declaration of
/// the file being edited (the first module) that starts before it. (A
/// CaMPL declaration's span is its name, so ends are not compared.)
fn enclosing(offset: usize, modules: &[&Module]) -> Option<crate::source::Span> {
    let main = modules.first()?;
    main.items
        .iter()
        .map(|item| item.span)
        .filter(|s| s.start as usize <= offset)
        .max_by_key(|s| s.start)
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

/// CaMPL's `hput`: the labels each channel of the enclosing declaration
/// may send at `offset`.
fn sendable(
    offset: usize,
    uses: &[Use],
    afters: &[Use],
    modules: &[&Module],
) -> Vec<CompletionItem> {
    let scope = enclosing(offset, modules);
    let in_scope = |u: &&Use| {
        scope.is_some_and(|s| {
            s.file == u.bound.file && s.start <= u.bound.start && u.bound.start as usize <= offset
        })
    };
    let mut names: Vec<&str> = uses
        .iter()
        .filter(in_scope)
        .map(|u| u.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let states = names.into_iter().map(|c| state_at(c, offset, uses, afters));
    states.flat_map(labels_on).collect()
}

/// CaMPL's `hput`: each label the channel of `state` may send, written
/// out with its channel (`Label on ch`).
fn labels_on(state: Option<&Use>) -> Vec<CompletionItem> {
    let Some(u) = state else {
        return Vec::new();
    };
    let mut items = labels(state, true);
    for item in &mut items {
        item.insert_text = Some(format!("{} on {}", item.label, u.name));
        item.label = format!("{} on {}", item.label, u.name);
        item.filter_text = item.insert_text.clone();
    }
    items
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

    #[test]
    fn campl_hput_and_the_alternatives_of_hcase_are_label_contexts() {
        assert!(matches!(context("  do\n    hput "), Context::SendOn));
        assert!(matches!(context("    hput Cons"), Context::SendOn));
        assert!(matches!(context("    chput "), Context::Name));
        let hcase =
            "    hcase colors of\n        RedFruit -> do\n            put x on colors\n        ";
        assert!(matches!(context(hcase), Context::Receive("colors")));
        assert!(matches!(
            context("  hcase k of {\n    Gre"),
            Context::Receive("k")
        ));
        assert!(matches!(
            context("  hcase k of\n    Red -> f"),
            Context::Name
        ));
    }
}
