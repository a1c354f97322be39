//! The error index (`docs/errors.md`, built into the binary): one entry
//! per error and warning code, with a program that makes it, the report it
//! gets and the program fixed. `mpl explain CODE` prints an entry; the
//! test suite checks every program on the page. This module only reads
//! the page; it neither checks programs nor renders reports.

/// The page, as written in `docs/errors.md`.
pub const INDEX: &str = include_str!("../docs/errors.md");

/// One entry of the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// `E0060`, `W0001`.
    pub code: &'a str,
    /// The heading's words after the code.
    pub title: &'a str,
    /// The whole section, heading included, as Markdown.
    pub text: &'a str,
    /// The wrong program (the section's first `mpl` block).
    pub wrong: &'a str,
    /// The report it gets (the `text` block).
    pub report: &'a str,
    /// The fixed program (the second `mpl` block).
    pub fixed: &'a str,
}

/// Every entry of `page`, in order (sections `## CODE: title`).
pub fn entries(page: &str) -> Vec<Entry<'_>> {
    let mut starts: Vec<usize> = page.match_indices("\n## ").map(|(i, _)| i + 1).collect();
    starts.push(page.len());
    starts
        .windows(2)
        .filter_map(|w| entry(&page[w[0]..w[1]]))
        .collect()
}

/// The entry for `code` (any case) in the built-in index.
pub fn find(code: &str) -> Option<Entry<'static>> {
    entries(INDEX)
        .into_iter()
        .find(|e| e.code.eq_ignore_ascii_case(code.trim()))
}

/// Parses one section; `None` when it is not an entry.
fn entry(section: &str) -> Option<Entry<'_>> {
    let heading = section.lines().next()?.strip_prefix("## ")?;
    let (code, title) = heading.split_once(": ")?;
    let blocks = fenced_blocks(section);
    let block = |lang: &str, n: usize| {
        blocks
            .iter()
            .filter(|(l, _)| *l == lang)
            .nth(n)
            .map(|(_, b)| *b)
    };
    Some(Entry {
        code,
        title,
        text: section.trim_end(),
        wrong: block("mpl", 0)?,
        report: block("text", 0).unwrap_or(""),
        fixed: block("mpl", 1)?,
    })
}

/// The fenced code blocks of `text`: (language, contents with a final
/// newline, or empty).
pub fn fenced_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let Some(line_end) = after.find('\n') else {
            break;
        };
        let lang = after[..line_end].trim();
        let body = &after[line_end + 1..];
        let Some(close) = body.find("```") else {
            break;
        };
        out.push((lang, &body[..close]));
        rest = &body[close + 3..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_a_wrong_and_a_fixed_program() {
        let all = entries(INDEX);
        assert!(all.len() > 40, "{} entries", all.len());
        for e in &all {
            assert!(!e.wrong.trim().is_empty(), "{}", e.code);
            assert!(!e.fixed.trim().is_empty(), "{}", e.code);
        }
    }

    #[test]
    fn find_ignores_case_and_knows_no_unknown_code() {
        assert_eq!(find("e0060").map(|e| e.code), Some("E0060"));
        assert!(find("E9999").is_none());
    }
}
