//! Files the server writes for the editor to open: the error index (a
//! diagnostic's code links to its entry) and the prelude (a definition in
//! it opens there). They are copies of what the binary holds, written once
//! per run under the user's cache folder and made read-only.

use std::path::{Path, PathBuf};

/// Where the copies are, when they could be written.
pub struct Served {
    dir: PathBuf,
}

impl Served {
    /// Writes the copies (the error index and every prelude file) under
    /// `mpl-VERSION/` of the user's cache folder (`$XDG_CACHE_HOME`, else
    /// `~/.cache`; the temporary folder when neither is set, which other
    /// users of the machine can write to); `None` if that fails.
    pub fn write() -> Option<Served> {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .filter(|p| p.is_absolute())
            .unwrap_or_else(std::env::temp_dir);
        let dir = cache.join(format!("mpl-{}", env!("CARGO_PKG_VERSION")));
        let files = crate::PRELUDE.iter().copied().chain([
            crate::syntax::campl::SUPPORT,
            ("docs/errors.md", crate::explain::INDEX),
        ]);
        for (name, text) in files {
            write_read_only(&dir.join(name), text).ok()?;
        }
        Some(Served { dir })
    }

    /// The copy of a prelude file, by its name in the source map.
    pub fn prelude_file(&self, name: &str) -> Option<PathBuf> {
        let known = crate::PRELUDE
            .iter()
            .map(|(n, _)| *n)
            .chain([crate::syntax::campl::SUPPORT.0])
            .any(|n| n == name);
        known.then(|| self.dir.join(name))
    }

    /// The error index, at the entry of `code` (its heading's anchor, as
    /// Markdown viewers make them).
    pub fn error_entry(&self, code: &str) -> Option<String> {
        let entry = crate::explain::find(code)?;
        let path = self.dir.join("docs/errors.md");
        let uri = super::uri::from_path(&path)?;
        let heading = format!("{}: {}", entry.code, entry.title);
        Some(format!("{}#{}", uri.as_str(), anchor(&heading)))
    }
}

/// A heading's anchor: lower case, spaces as `-`, other punctuation gone.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Writes `text` to `path`, read-only, unless it is there already. Each
/// server writes its own temporary file and renames it into place, so
/// servers starting at once never see half a file.
fn write_read_only(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let scratch = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&scratch, text)?;
    let mut permissions = std::fs::metadata(&scratch)?.permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&scratch, permissions)?;
    std::fs::rename(&scratch, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_made_as_markdown_viewers_make_them() {
        assert_eq!(anchor("E0050: type mismatch"), "e0050-type-mismatch");
        assert_eq!(
            anchor("W0004: a `let` that reuses a channel's name"),
            "w0004-a-let-that-reuses-a-channels-name"
        );
    }
}
