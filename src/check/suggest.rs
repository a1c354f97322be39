//! "Did you mean ...?": the name in scope closest to a misspelt one, by
//! edit distance (Damerau–Levenshtein, as rustc and Gleam do), for the
//! checker's unknown-name errors. Nothing here knows which names are in
//! scope; callers pass them.

/// The candidate closest to `name`, if it is close enough to be a likely
/// typo: a difference in letter case only, or at most one edit per three
/// characters (so a one- or two-letter name gets no suggestion but for
/// case). `name` itself is never suggested.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = name.chars().count() / 3;
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name || c.is_empty() {
            continue;
        }
        let d = match c.to_lowercase() == lower {
            true => 0,
            false => strsim::damerau_levenshtein(name, c),
        };
        if d <= limit && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_one_letter_typo_finds_the_name() {
        assert_eq!(
            closest("conut", ["count", "other"]).as_deref(),
            Some("count")
        );
        assert_eq!(
            closest("writeLin", ["writeLine", "readLine"]).as_deref(),
            Some("writeLine")
        );
        assert_eq!(closest("Incr", ["Inc", "Dec"]).as_deref(), Some("Inc"));
    }

    #[test]
    fn case_differences_count_as_typos() {
        assert_eq!(
            closest("stringlookup", ["StringLookup"]).as_deref(),
            Some("StringLookup")
        );
    }

    #[test]
    fn distant_names_and_the_name_itself_are_not_suggested() {
        assert_eq!(closest("x", ["y"]), None);
        assert_eq!(closest("total", ["count"]), None);
        assert_eq!(closest("count", ["count"]), None);
    }
}
