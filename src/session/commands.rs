//! The REPL's `:` commands: what each does, its help line, and the
//! "did you mean" answer for one that does not exist.

use super::{Loaded, Session, Status};
use crate::check::session::{self as checker, Signature};
use crate::diagnostics::Diagnostic;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{Item, Module, Stmt};
use std::path::PathBuf;

/// Every command with its argument and help line, in `:help` order.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "type",
        "EXPR",
        "the type of an expression (nothing runs), or a function's signature",
    ),
    (
        "protocol",
        "P",
        "a protocol, written out (`--dot P`: as a state machine)",
    ),
    ("dual", "P", "the dual of a protocol (the other end's view)"),
    (
        "channels",
        "",
        "the channels the session holds, and their states",
    ),
    (
        "ps",
        "",
        "processes started from the session that wait, and where",
    ),
    (
        "load",
        "FILE",
        "load a file's declarations; its wiring waits for :run",
    ),
    ("reload", "", "load the same file again"),
    (
        "run",
        "",
        "run the loaded file's wiring as the session's next input",
    ),
    ("doc", "NAME", "a declaration's /// comment and signature"),
    ("browse", "", "the names in scope, by kind"),
    (
        "explain",
        "CODE",
        "an error or warning code: an example, the report, the fix",
    ),
    ("help", "", "this list"),
    ("quit", "", "leave the REPL (Ctrl-D on an empty line too)"),
];

/// Width protocols are written to.
const WIDTH: usize = 72;

impl Session {
    pub(super) fn command(&mut self, text: &str) -> Status {
        let (name, arg) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let arg = arg.trim();
        match name {
            "quit" | "q" => return Status::Quit,
            "help" | "h" | "?" => self.help(),
            "type" | "t" => self.type_of(arg),
            "protocol" => self.show_protocol(arg, false),
            "dual" => self.show_protocol(arg, true),
            "channels" => self.print_channels(),
            "ps" => self.processes(),
            "load" | "l" => self.load(PathBuf::from(arg)),
            "reload" | "r" => self.reload(),
            "run" => self.run_wiring(),
            "doc" => self.doc(arg),
            "browse" | "b" => self.browse(),
            "explain" => self.explain(arg),
            _ => self.unknown_command(name),
        }
        Status::Continue
    }

    fn help(&self) {
        self.say("Enter declarations, statements (ending in `;`) or an expression.");
        for (name, arg, help) in COMMANDS {
            let head = format!(":{name} {arg}");
            self.say(&format!("  {head:<16}{help}"));
        }
    }

    fn unknown_command(&self, name: &str) {
        let best = COMMANDS
            .iter()
            .map(|(c, ..)| (strsim::damerau_levenshtein(name, c), *c))
            .min();
        match best {
            Some((d, c)) if d <= 2 => self.say(&format!(
                "unknown command `:{name}`; did you mean `:{c}`? (`:help` lists them)"
            )),
            _ => self.say(&format!(
                "unknown command `:{name}`; `:help` lists the commands"
            )),
        }
    }

    fn type_of(&mut self, text: &str) {
        if text.is_empty() {
            return self.say("usage: :type EXPR");
        }
        if let Some(sig) = self.signature(text) {
            return self.say(&format!("{} : {}", sig.name, sig.text));
        }
        let Some((file, parsed)) = self.parse_input(text) else {
            return;
        };
        let Some(e) = parsed.expr else {
            return self.say("usage: :type EXPR (an expression, without `;`)");
        };
        let span = e.span;
        let stmts = vec![super::bind_it(e)];
        match self.check_line(&stmts, Span::new(file, 0, text.len())) {
            Ok(checked) => match checked.held.iter().find(|b| b.name == "it") {
                Some(b) => self.say(&format!("{} : {}", text.trim(), b.ty)),
                None => self.say(&format!("{} : ?", self.sources.describe(span))),
            },
            Err(diags) => self.report(&diags),
        }
    }

    pub(super) fn signature(&self, name: &str) -> Option<Signature> {
        if !is_name(name) {
            return None;
        }
        let sigs = self.with_input(checker::signatures);
        sigs.into_iter().rev().find(|s| s.name == name)
    }

    fn show_protocol(&self, name: &str, dual: bool) {
        if let Some(name) = name.strip_prefix("--dot") {
            return self.protocol_dot(name.trim(), dual);
        }
        if name.is_empty() {
            return self.say(if dual {
                "usage: :dual P"
            } else {
                "usage: :protocol P"
            });
        }
        match self.with_input(|i| checker::protocol(i, name, dual, WIDTH)) {
            Some(text) => self.say(&text),
            None => self.say(&format!("no protocol is named `{name}`")),
        }
    }

    /// `:protocol --dot P` (`:dual --dot P`): the state machine of `P`
    /// (of its other end) as Graphviz `dot` (`protocol_graph`).
    fn protocol_dot(&self, name: &str, dual: bool) {
        if name.is_empty() {
            return self.say("usage: :protocol --dot P");
        }
        let name = match dual {
            true => format!("neg<{name}>"),
            false => name.to_string(),
        };
        let modules: Vec<&crate::syntax::ast::Module> = self
            .decls
            .iter()
            .map(|d| &d.module)
            .chain(&self.prelude)
            .collect();
        let format = crate::protocol_graph::Format::Dot;
        match crate::protocol_graph::draw(&modules, &name, format) {
            Ok(dot) => self.say(dot.trim_end()),
            Err(message) => self.say(&message),
        }
    }

    fn processes(&self) {
        let (live, waits) = self.live.processes();
        if live == 0 {
            return self.say("no processes are running");
        }
        self.say(&format!("{live} process(es) alive"));
        for w in waits {
            let at = w
                .task
                .waiting_at
                .map(|s| format!(" at {}", self.sources.describe(s)))
                .unwrap_or_default();
            let peer = w
                .peer_holder
                .map(|p| format!(" (the other end is held by {p})"))
                .unwrap_or_default();
            self.say(&format!("  {}: waiting{at}{peer}", w.task.name));
        }
    }

    // -----------------------------------------------------------------------
    // Files

    fn load(&mut self, path: PathBuf) {
        if path.as_os_str().is_empty() {
            return self.say("usage: :load FILE");
        }
        let text = match crate::read_source(&path) {
            Ok(t) => t,
            Err(message) => return self.report(&[crate::file_error(message)]),
        };
        let file = self.sources.add(path.display().to_string(), text.clone());
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let mut diags: Vec<Diagnostic> = Vec::new();
        let (module, imports) = match self.syntax {
            crate::syntax::Syntax::Campl => {
                let prelude = self.prelude.clone();
                let (main, imports, defns) =
                    crate::load_campl(&mut self.sources, file, &dir, &prelude, &mut diags);
                if diags.is_empty() {
                    self.campl = defns;
                }
                (main, imports)
            }
            crate::syntax::Syntax::Mpl => {
                let (module, errors) = crate::syntax::parse(file, &text);
                diags.extend(errors.iter().map(Diagnostic::from));
                let module = module.unwrap_or(Module { items: Vec::new() });
                let imports = crate::load_imports(&mut self.sources, &module, &dir, &mut diags);
                (module, imports)
            }
        };
        if !diags.is_empty() {
            return self.report(&diags);
        }
        let (wiring, decls) = split_wiring(module);
        let before = self.decls.clone();
        self.decls.retain(|d| d.file.is_none());
        let mut all: Vec<Spanned<Item>> = imports.into_iter().flat_map(|m| m.items).collect();
        all.extend(decls.items);
        let loaded = Module {
            items: all
                .into_iter()
                .filter(|i| !matches!(i.node, Item::Stmt(_) | Item::Import(_)))
                .collect(),
        };
        if self.declare(loaded, Some(path.clone())) {
            self.loaded = Some(Loaded {
                path: path.clone(),
                wiring,
            });
            self.say(&format!("loaded {}", path.display()));
        } else {
            self.decls = before;
        }
    }

    fn reload(&mut self) {
        match &self.loaded {
            Some(l) => {
                let path = l.path.clone();
                self.load(path)
            }
            None => self.say("no file is loaded (`:load FILE` first)"),
        }
    }

    fn run_wiring(&mut self) {
        let Some(loaded) = &self.loaded else {
            return self.say("no file is loaded (`:load FILE` first)");
        };
        if loaded.wiring.is_empty() {
            return self.say(&format!("{} has no wiring to run", loaded.path.display()));
        }
        let stmts = loaded.wiring.clone();
        let span = stmts[0].span.to(stmts[stmts.len() - 1].span);
        self.statements(stmts, span);
    }

    // -----------------------------------------------------------------------
    // Names

    fn explain(&self, code: &str) {
        if code.is_empty() {
            return self.say("usage: :explain CODE (such as E0060)");
        }
        match crate::explain::find(code) {
            Some(entry) => self.say(entry.text),
            None => self.say(&format!(
                "no error or warning has the code `{code}` (`mpl explain` lists them)"
            )),
        }
    }

    fn doc(&self, name: &str) {
        if name.is_empty() {
            return self.say("usage: :doc NAME");
        }
        let doc = self
            .modules()
            .find_map(|m| m.items.iter().rev().find_map(|i| doc_of(i, name)));
        let sig = self.signature(name);
        match (doc, sig) {
            (None, None) => self.say(&format!("nothing is named `{name}`")),
            (doc, sig) => {
                if let Some(sig) = sig {
                    self.say(&format!("{} : {}", sig.name, sig.text));
                }
                match doc.flatten() {
                    Some(text) => self.say(text.trim_end()),
                    None => self.say("(no /// comment)"),
                }
            }
        }
    }

    fn browse(&self) {
        let sigs = self.with_input(checker::signatures);
        for prelude in [false, true] {
            let prefix = if prelude { "prelude " } else { "" };
            let of = |process: bool| -> Vec<String> {
                sigs.iter()
                    .filter(|s| s.prelude == prelude && s.process == process && !s.name.is_empty())
                    .map(|s| s.name.clone())
                    .collect()
            };
            self.group(&format!("{prefix}functions"), of(false));
            self.group(&format!("{prefix}processes"), of(true));
            let modules: Vec<&Module> = match prelude {
                true => self.prelude.iter().collect(),
                false => self.decls.iter().map(|d| &d.module).collect(),
            };
            let (types, protocols) = type_names(&modules);
            self.group(&format!("{prefix}types"), types);
            self.group(&format!("{prefix}protocols"), protocols);
        }
        let services = crate::services::REGISTRY
            .iter()
            .map(|e| e.name.to_string())
            .collect();
        self.group("services", services);
        let held = self.held.iter().map(|h| h.binding.name.clone()).collect();
        self.group("the session holds", held);
    }

    /// `title: a, b, c`, wrapped at `WIDTH` columns; nothing when empty.
    fn group(&self, title: &str, names: Vec<String>) {
        if names.is_empty() {
            return;
        }
        let mut text = format!("{title}:");
        let mut column = text.len();
        for (i, name) in names.iter().enumerate() {
            let piece = if i + 1 < names.len() {
                format!(" {name},")
            } else {
                format!(" {name}")
            };
            if column + piece.len() > WIDTH {
                text.push_str("\n   ");
                column = 3;
            }
            column += piece.len();
            text.push_str(&piece);
        }
        self.say(&text);
    }

    /// The prelude's modules, then the session's declarations.
    pub(super) fn modules(&self) -> impl Iterator<Item = &Module> {
        self.prelude
            .iter()
            .chain(self.decls.iter().map(|d| &d.module))
    }
}

/// The data and codata types and the protocols `modules` declare.
fn type_names(modules: &[&Module]) -> (Vec<String>, Vec<String>) {
    let mut types = Vec::new();
    let mut protocols = Vec::new();
    for item in modules.iter().flat_map(|m| &m.items) {
        match &item.node {
            Item::Data(d) => types.push(d.name.node.clone()),
            Item::Codata(c) => types.push(c.name.node.clone()),
            Item::Protocol(p) => protocols.push(p.name.node.clone()),
            _ => {}
        }
    }
    (types, protocols)
}

/// A top-level name (`length`, `ListService`), not an expression.
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// `Some(doc)` if `item` declares `name` (`doc` is its `///` comment).
fn doc_of<'a>(item: &'a Spanned<Item>, name: &str) -> Option<Option<&'a String>> {
    let (n, doc) = match &item.node {
        Item::Function(f) => (&f.name.node, &f.doc),
        Item::Process(p) => (&p.name.node, &p.doc),
        Item::Data(d) => (&d.name.node, &d.doc),
        Item::Codata(c) => (&c.name.node, &c.doc),
        Item::Protocol(p) => (&p.name.node, &p.doc),
        Item::Fold(fs) => {
            let f = fs.iter().find(|f| f.node.name.node == name)?;
            (&f.node.name.node, &f.node.doc)
        }
        _ => return None,
    };
    (n == name).then_some(doc.as_ref())
}

/// A file's top-level statements (its wiring) and the rest.
fn split_wiring(module: Module) -> (Vec<Spanned<Stmt>>, Module) {
    let mut wiring = Vec::new();
    let mut items = Vec::new();
    for item in module.items {
        match item.node {
            Item::Stmt(s) => wiring.push(Spanned::new(s, item.span)),
            other => items.push(Spanned::new(other, item.span)),
        }
    }
    (wiring, Module { items })
}
