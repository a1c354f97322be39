//! CaMPL's surface syntax: the language of the lab's current
//! implementation, read so that its programs run here unmodified.
//!
//! `lexer` makes tokens, `layout` applies the indentation rule, `parser`
//! builds CaMPL's own tree (`tree`), and `lower` turns it into the shared
//! syntax tree (`crate::syntax::ast`) that the checker reads, so every
//! check applies to CaMPL programs too. `detect` decides which syntax a
//! file is written in. Decisions on CaMPL's meaning are in `docs/campl.md`.

pub mod layout;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod tree;

use crate::source::FileId;
use crate::syntax::{Syntax, SyntaxError};

/// The helpers CaMPL programs get with the prelude (written in MPL): what
/// the services behind `run`'s channels do, in CaMPL's words.
pub const SUPPORT: (&str, &str) = (
    "prelude/campl/support.mpl",
    include_str!("../../../prelude/campl/support.mpl"),
);

/// The tokens of `text` with the layout rule applied, and the lexer's
/// errors.
fn laid_out(file: FileId, text: &str) -> (Vec<lexer::Lexeme>, Vec<SyntaxError>) {
    let (tokens, errors) = lexer::lex(file, text);
    (layout::resolve(tokens), errors)
}

/// Lex, lay out and parse one CaMPL file into CaMPL's tree.
pub fn parse_tree(file: FileId, text: &str) -> (Vec<tree::Defn>, Vec<SyntaxError>) {
    let (tokens, mut errors) = laid_out(file, text);
    let (defns, parse_errors) = parser::parse_file(file, tokens, text.len());
    errors.extend(parse_errors);
    (defns, errors)
}

/// The files a CaMPL file includes: `include M` is `M.mpl` beside it,
/// `include "path/file.mpl" : M` is that file; with where each is named
/// and the module name (`M`) that qualified names (`M.f`) use for it.
pub fn includes(defns: &[tree::Defn]) -> Vec<(String, crate::source::Span, String)> {
    defns
        .iter()
        .filter_map(|d| match d {
            tree::Defn::Include { dir, module, .. } => {
                let path = match dir {
                    Some(path) => path.clone(),
                    None => format!("{}.mpl", module.node),
                };
                Some((path, module.span, module.node.clone()))
            }
            _ => None,
        })
        .collect()
}

/// One REPL input in CaMPL's syntax, parsed; `None` with its errors if it
/// does not parse.
pub fn parse_repl_tree(file: FileId, text: &str) -> (Option<tree::ReplTree>, Vec<SyntaxError>) {
    let (tokens, mut errors) = laid_out(file, text);
    let (tree, more) = parser::parse_repl(file, tokens, text.len());
    errors.extend(more);
    (tree, errors)
}

/// Whether a REPL input in CaMPL's syntax goes on: a bracket is open, the
/// last line ends with a layout word or an arrow (its block comes next),
/// or the input has several lines and the last one is indented (a
/// definition's phrases go on until an empty line).
pub fn repl_incomplete(text: &str) -> bool {
    let (tokens, errors) = lexer::lex(FileId(u32::MAX), text);
    if errors.iter().any(|e| e.incomplete) {
        return true;
    }
    let mut depth = 0i32;
    for t in &tokens {
        match t.tok {
            lexer::Tok::Sym("(" | "[" | "{") => depth += 1,
            lexer::Tok::Sym(")" | "]" | "}") => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 {
        return true;
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(last) = lines.last() else {
        return false;
    };
    if text.ends_with("\n\n") {
        // An empty line ends the input.
        return false;
    }
    let opens_block = tokens.last().is_some_and(|t| {
        matches!(
            t.tok,
            lexer::Tok::Kw(
                "defn" | "where" | "let" | "of" | "switch" | "do" | "as" | "race" | "plug"
            ) | lexer::Tok::Sym("=" | "->" | "=>" | "," | "|")
        )
    });
    opens_block || (lines.len() > 1 && last.starts_with([' ', '\t']))
}

/// The rule (`docs/campl.md`): a file is CaMPL when the first word that
/// starts a line, outside comments of either syntax, is one only CaMPL
/// begins a definition with (`proc`, `fun`, `defn`, `coprotocol`,
/// `include`), or is `data`/`codata`/`protocol` whose line has CaMPL's
/// `->` or `=>` before its `=`. Anything else is MPL.
pub fn detect(text: &str) -> Syntax {
    let mut in_block = false;
    for line in text.lines() {
        let mut line = line.trim_end();
        if in_block {
            match line.find("-}").or_else(|| line.find("*/")) {
                Some(i) => {
                    in_block = false;
                    line = &line[i + 2..];
                }
                None => continue,
            }
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with("--") || trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("{-") || trimmed.starts_with("/*") {
            let close = if trimmed.starts_with("{-") {
                "-}"
            } else {
                "*/"
            };
            if !trimmed[2..].contains(close) {
                in_block = true;
            }
            continue;
        }
        let word: String = trimmed
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        return match word.as_str() {
            "proc" | "fun" | "defn" | "coprotocol" | "include" => Syntax::Campl,
            "data" | "codata" | "protocol" => {
                let head = trimmed.split('=').next().unwrap_or("");
                let campl_arrow = head.contains("->") || trimmed.contains("=>");
                if campl_arrow && !trimmed.contains(';') {
                    Syntax::Campl
                } else {
                    Syntax::Mpl
                }
            }
            _ => Syntax::Mpl,
        };
    }
    Syntax::Mpl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_reads_the_first_definition() {
        assert_eq!(detect("-- hi\nproc run =\n  | => -> halt c"), Syntax::Campl);
        assert_eq!(detect("{- a\n b -}\nfun f = a -> a"), Syntax::Campl);
        assert_eq!(detect("// hi\nprocess P() {}"), Syntax::Mpl);
        assert_eq!(detect("data List(A) -> S =\n"), Syntax::Campl);
        assert_eq!(detect("data T = A | B;"), Syntax::Mpl);
        assert_eq!(detect("coprotocol S => Console ="), Syntax::Campl);
        assert_eq!(detect("protocol P = put Int;"), Syntax::Mpl);
        assert_eq!(detect(""), Syntax::Mpl);
    }
}
