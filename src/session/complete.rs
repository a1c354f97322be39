//! Tab completion for the REPL: commands after `:`, labels a channel may
//! send now after `c.put(`, labels it must be ready for after `case` in a
//! `switch (c.get)`, and otherwise the names in scope (what the session
//! holds, functions, processes, services, constructors). File paths after
//! `:load` are the terminal front end's (rustyline's file completer).

use super::Session;
use super::commands::COMMANDS;
use crate::check::types::Dir;
use crate::syntax::ast::Item;

/// Words of the language, completed like names.
const KEYWORDS: &[&str] = &[
    "let", "if", "else", "switch", "case", "channel", "process", "protocol", "data", "codata",
    "record", "fork", "split", "halt", "close", "put", "get", "neg", "fold", "import",
];

impl Session {
    /// Where the word being completed starts in `line` (cursor at `pos`)
    /// and the candidates for it, sorted.
    pub fn completions(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos.min(line.len())];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &before[start..];
        let head = &before[..start];
        let candidates = if head.trim_start() == ":" {
            COMMANDS.iter().map(|(c, ..)| c.to_string()).collect()
        } else if let Some(channel) = put_target(head) {
            self.labels(&channel, Dir::Put)
        } else if let Some(channel) = case_target(head) {
            self.labels(&channel, Dir::Get)
        } else {
            self.names()
        };
        let mut out: Vec<String> = candidates
            .into_iter()
            .filter(|c| c.starts_with(word) && c != word)
            .collect();
        out.sort();
        out.dedup();
        (start, out)
    }

    /// The labels channel `name` may send (`Put`) or must be ready to
    /// receive (`Get`) in its current state.
    fn labels(&self, name: &str, dir: Dir) -> Vec<String> {
        let held = self.held.iter().find(|h| h.binding.name == name);
        match held.and_then(|h| h.binding.labels.as_ref()) {
            Some((d, labels)) if *d == dir => labels.clone(),
            _ => Vec::new(),
        }
    }

    fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.held.iter().map(|h| h.binding.name.clone()).collect();
        for m in self.modules() {
            for item in &m.items {
                match &item.node {
                    Item::Function(f) => out.push(f.name.node.clone()),
                    Item::Fold(fs) => out.extend(fs.iter().map(|f| f.node.name.node.clone())),
                    Item::Process(p) => out.push(p.name.node.clone()),
                    Item::Data(d) => {
                        out.push(d.name.node.clone());
                        out.extend(d.ctors.iter().map(|c| c.node.name.node.clone()));
                    }
                    Item::Codata(c) => out.push(c.name.node.clone()),
                    Item::Protocol(p) => out.push(p.name.node.clone()),
                    Item::Import(_) | Item::Stmt(_) => {}
                }
            }
        }
        out.extend(crate::services::REGISTRY.iter().map(|e| e.name.to_string()));
        out.extend(KEYWORDS.iter().map(|k| k.to_string()));
        out
    }
}

/// `... c.put(` (the cursor right after it): `c`.
fn put_target(head: &str) -> Option<String> {
    let rest = head
        .trim_end()
        .strip_suffix('(')?
        .trim_end()
        .strip_suffix("put")?;
    let rest = rest.trim_end().strip_suffix('.')?;
    last_name(rest)
}

/// `... switch (c.get) { ... case ` (the cursor right after it): `c`.
fn case_target(head: &str) -> Option<String> {
    head.trim_end().strip_suffix("case")?;
    let at = head.rfind("switch")?;
    let scrutinee = head[at + "switch".len()..].split('{').next()?;
    let inner = scrutinee
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    let channel = inner.strip_suffix(".get")?;
    last_name(channel)
}

/// The identifier `text` ends with.
fn last_name(text: &str) -> Option<String> {
    let text = text.trim_end();
    let start = text
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &text[start..];
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_completion_finds_the_channel_before_put() {
        assert_eq!(put_target("svc.put(").as_deref(), Some("svc"));
        assert_eq!(put_target("  svc . put ( ").as_deref(), Some("svc"));
        assert_eq!(put_target("svc.get"), None);
    }

    #[test]
    fn case_completion_finds_the_channel_of_the_switch() {
        let head = "switch (svc.get) { case ";
        assert_eq!(case_target(head).as_deref(), Some("svc"));
        assert_eq!(case_target("switch (x) { case "), None);
    }
}
