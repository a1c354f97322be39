//! `Text`, what a packed `[Char]` value holds: a window `[start, end)` on
//! a shared, immutable buffer of chars. The tail of a string, a word of a
//! line and the first n characters of a string are windows on their
//! string's buffer, not copies of it. Nothing here knows about `Value`.

use triomphe::ThinArc;

/// `chars[start..end]` of a shared buffer. 16 bytes: the buffer's pointer
/// is thin (the buffer's length lives in its allocation), which keeps
/// `Value` at 24 bytes with both ends of the window in it.
///
/// Invariant: `start <= end <= ` the buffer's length.
#[derive(Clone)]
pub struct Text {
    buf: ThinArc<(), char>,
    start: u32,
    end: u32,
}

impl Text {
    /// A new buffer holding a copy of `chars`. A window ends at a `u32`:
    /// a longer text (16 GiB of chars, far past any memory limit) keeps
    /// its first 2^32 - 1.
    pub fn from_chars(chars: &[char]) -> Text {
        Text::whole(ThinArc::from_header_and_slice((), chars))
    }

    /// A new buffer holding the chars of `s`.
    pub fn new(s: &str) -> Text {
        if s.is_ascii() {
            // One pass, no intermediate vector: a byte is a char here.
            return Text::whole(ThinArc::from_header_and_iter((), s.bytes().map(char::from)));
        }
        Text::from_chars(&s.chars().collect::<Vec<char>>())
    }

    /// A new buffer holding the chars `chars` yields.
    pub fn from_exact(chars: impl ExactSizeIterator<Item = char>) -> Text {
        Text::whole(ThinArc::from_header_and_iter((), chars))
    }

    fn whole(buf: ThinArc<(), char>) -> Text {
        let end = u32::try_from(buf.slice.len()).unwrap_or(u32::MAX);
        Text { buf, start: 0, end }
    }

    /// The chars of the window.
    #[inline]
    pub fn chars(&self) -> &[char] {
        self.buf
            .slice
            .get(self.start as usize..self.end as usize)
            .unwrap_or(&[])
    }

    #[inline]
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The first char, and the window moved past it.
    #[inline]
    pub fn pop_front(&mut self) -> Option<char> {
        if self.start >= self.end {
            return None;
        }
        let c = *self.buf.slice.get(self.start as usize)?;
        self.start += 1;
        Some(c)
    }

    /// The window without its first `n` chars (empty past the end).
    pub fn skip(mut self, n: usize) -> Text {
        let n = u32::try_from(n.min(self.len())).unwrap_or(0);
        self.start += n;
        self
    }

    /// Chars `from..to` of the window (clamped to it), sharing the buffer.
    pub fn slice(&self, from: usize, to: usize) -> Text {
        let to = to.min(self.len());
        let from = from.min(to);
        Text {
            buf: self.buf.clone(),
            start: self.start + from as u32,
            end: self.start + to as u32,
        }
    }

    /// True when both windows are on one buffer.
    pub fn shares_buffer(&self, other: &Text) -> bool {
        self.buf.ptr() == other.buf.ptr()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s: String = self.chars().iter().collect();
        write!(f, "{s:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(t: &Text) -> String {
        t.chars().iter().collect()
    }

    #[test]
    fn a_window_and_its_slices_share_one_buffer() {
        let t = Text::new("to be or");
        let be = t.slice(3, 5);
        assert_eq!(string(&be), "be");
        assert!(be.shares_buffer(&t));
        assert_eq!(string(&be.slice(1, 9)), "e", "a slice is clamped");
        assert_eq!(string(&t.clone().skip(6)), "or");
        assert!(t.clone().skip(99).is_empty());
    }

    #[test]
    fn pop_front_walks_the_window_only() {
        let mut w = Text::new("λab").slice(1, 2);
        assert_eq!(w.pop_front(), Some('a'));
        assert_eq!(w.pop_front(), None);
        assert_eq!(w.len(), 0);
    }

    #[test]
    fn text_outside_ascii_keeps_its_chars() {
        let t = Text::new("naïve λ");
        assert_eq!(t.len(), 7);
        assert_eq!(string(&t), "naïve λ");
    }
}
