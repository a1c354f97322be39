//! The outline of a document (`textDocument/documentSymbol`): its data
//! and codata types with their constructors and destructors, protocols
//! with their labels, functions and processes. Read off the syntax tree;
//! nothing is checked here.

use crate::source::Span;
use crate::syntax::ast::{Item, Module, Proto, Step};
use lsp_types::{DocumentSymbol, Range, SymbolKind};

/// One symbol per declaration of `module`, in order; `range_of` places a
/// span in the document.
pub fn outline(module: &Module, range_of: &dyn Fn(Span) -> Range) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for item in &module.items {
        let whole = range_of(item.span);
        let symbol = |name: &crate::source::Spanned<String>, kind, children| {
            symbol(&name.node, kind, whole, range_of(name.span), children)
        };
        match &item.node {
            Item::Data(d) => {
                let ctors = d
                    .ctors
                    .iter()
                    .map(|c| leaf(&c.node.name.node, SymbolKind::ENUM_MEMBER, range_of(c.span)))
                    .collect();
                out.push(symbol(&d.name, SymbolKind::ENUM, ctors));
            }
            Item::Codata(c) => {
                let dtors = c
                    .dtors
                    .iter()
                    .map(|d| leaf(&d.node.name.node, SymbolKind::METHOD, range_of(d.span)))
                    .collect();
                out.push(symbol(&c.name, SymbolKind::INTERFACE, dtors));
            }
            Item::Protocol(p) => {
                let mut labels = Vec::new();
                labels_of(&p.body.node, &mut labels);
                let labels = labels
                    .iter()
                    .map(|(l, at)| leaf(l, SymbolKind::ENUM_MEMBER, range_of(*at)))
                    .collect();
                out.push(symbol(&p.name, SymbolKind::INTERFACE, labels));
            }
            Item::Function(f) => out.push(symbol(&f.name, SymbolKind::FUNCTION, Vec::new())),
            Item::Fold(fs) => {
                for f in fs {
                    let whole = range_of(f.span);
                    let name = &f.node.name;
                    out.push(self::symbol(
                        &name.node,
                        SymbolKind::FUNCTION,
                        whole,
                        range_of(name.span),
                        Vec::new(),
                    ));
                }
            }
            Item::Process(p) => out.push(symbol(&p.name, SymbolKind::CLASS, Vec::new())),
            Item::Import(_) | Item::Stmt(_) => {}
        }
    }
    out
}

/// The labels a protocol body names, with where (for the outline, and
/// for finding a label's protocol).
pub fn labels_of(proto: &Proto, out: &mut Vec<(String, Span)>) {
    match proto {
        Proto::Choice(branches) => {
            for b in branches {
                out.push((b.node.label.node.clone(), b.node.label.span));
                labels_of(&b.node.body.node, out);
            }
        }
        Proto::Seq(steps) => {
            for s in steps {
                if let Step::Group(p) | Step::Neg(p) = &s.node {
                    labels_of(&p.node, out);
                }
            }
        }
    }
}

fn leaf(name: &str, kind: SymbolKind, range: Range) -> DocumentSymbol {
    symbol(name, kind, range, range, Vec::new())
}

#[allow(deprecated)] // `deprecated` is a field the protocol still requires.
fn symbol(
    name: &str,
    kind: SymbolKind,
    range: Range,
    selection_range: Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: name.to_string(),
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children: (!children.is_empty()).then_some(children),
    }
}
