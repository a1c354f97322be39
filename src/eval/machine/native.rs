//! Native equivalents of some prelude list and string functions.
//!
//! The prelude is written in MPL and stays the definition of what these
//! functions do (LANGUAGE.md section 10). Walking a list one interpreted
//! step per element is what costs in string-heavy programs (a web server
//! splits, compares and lowers its request text), so the compiler replaces
//! the body of the prelude functions named here by one `Op::Native`. Each
//! native gives the same result as the MPL body for every input, with at
//! most the same work: nothing here copies what the MPL version shares.
//! A function the program itself defines, even with the same name, is
//! never replaced. The differential tests at the end run every native
//! against its MPL body.
//!
//! Results may be packed differently (a `[Char]` built here is a packed
//! string where the MPL body would build cells); list values compare and
//! show the same whatever their packing.
//!
//! One native has an effect: `bulkPut(c, items)` puts `Put` and each item
//! on channel `c` (`Native::puts`). Puts never wait, so doing them all in
//! one instruction is what the MPL loop does, minus its steps; `instr`
//! runs it (it needs the runtime), not [`Native::call`]. A traced run
//! keeps the MPL body, so that the chart shows every message.

use super::ops::Fault;
use crate::value::{self, Text, Value};
use smallvec::SmallVec;

/// A prelude function with a native body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Native {
    LengthFrom,
    ReverseOnto,
    Take,
    Skip,
    Contains,
    StartsWith,
    SplitFrom,
    ToLower,
    ToUpper,
    TrimStart,
    TrimEnd,
    EndsWith,
    Flatten,
    IndexOfFrom,
    IndexOfPartFrom,
    WordsFrom,
    BulkPut,
}

/// The prelude functions with a native body, by name.
const TABLE: [(&str, Native); 17] = [
    ("lengthFrom", Native::LengthFrom),
    ("reverseOnto", Native::ReverseOnto),
    ("take", Native::Take),
    ("skip", Native::Skip),
    ("contains", Native::Contains),
    ("startsWith", Native::StartsWith),
    ("splitFrom", Native::SplitFrom),
    ("toLower", Native::ToLower),
    ("toUpper", Native::ToUpper),
    ("trimStart", Native::TrimStart),
    ("trimEnd", Native::TrimEnd),
    ("endsWith", Native::EndsWith),
    ("flatten", Native::Flatten),
    ("indexOfFrom", Native::IndexOfFrom),
    ("indexOfPartFrom", Native::IndexOfPartFrom),
    ("wordsFrom", Native::WordsFrom),
    ("bulkPut", Native::BulkPut),
];

impl Native {
    /// The native for the prelude function `name` taking `arity` arguments.
    pub fn lookup(name: &str, arity: u32) -> Option<Native> {
        TABLE
            .iter()
            .find(|(n, native)| *n == name && native.arity() == arity)
            .map(|(_, native)| *native)
    }

    /// The prelude function the native is the body of.
    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(_, native)| *native == self)
            .map_or("?", |(n, _)| n)
    }

    pub fn arity(self) -> u32 {
        use Native::*;
        match self {
            ToLower | ToUpper | TrimStart | TrimEnd | Flatten => 1,
            LengthFrom | ReverseOnto | Take | Skip | Contains | StartsWith | EndsWith | BulkPut => {
                2
            }
            IndexOfFrom | IndexOfPartFrom | WordsFrom => 3,
            SplitFrom => 4,
        }
    }

    /// True for the native that puts on a channel (`bulkPut`), which
    /// `instr::bulk_put` runs instead of [`Native::call`].
    pub fn puts(self) -> bool {
        self == Native::BulkPut
    }

    /// Runs the native on its arguments (first argument first), taking
    /// them out of `args` (they are left `()`).
    pub fn call(self, args: &mut [Value]) -> Result<Value, Fault> {
        if args.len() != self.arity() as usize {
            return Err(Fault::internal(
                "a native prelude function got the wrong arguments",
            ));
        }
        let mut arg = |i: usize| std::mem::replace(&mut args[i], Value::Unit);
        Ok(match self {
            Native::LengthFrom => return length_from(&arg(0), arg(1)),
            Native::ReverseOnto => reverse_onto(&arg(0), arg(1)),
            Native::Take => take(arg(0), &arg(1)),
            Native::Skip => skip(arg(0), arg(1)),
            Native::Contains => Value::Bool(index_of(&arg(0), &arg(1)).is_some()),
            Native::StartsWith => Value::Bool(starts_with(arg(0), arg(1))),
            Native::SplitFrom => split_from(&arg(0), &arg(1), &arg(2), &arg(3)),
            Native::WordsFrom => words_from(&arg(0), &arg(1), &arg(2)),
            Native::ToLower => map_chars(arg(0), |c| c.to_ascii_lowercase()),
            Native::ToUpper => map_chars(arg(0), |c| c.to_ascii_uppercase()),
            Native::TrimStart => trim_start(arg(0)),
            Native::TrimEnd => trim_end(arg(0)),
            Native::EndsWith => Value::Bool(ends_with(&arg(0), &arg(1))),
            Native::Flatten => flatten(&arg(0)),
            Native::IndexOfFrom => return offset(index_of(&arg(0), &arg(1)), arg(2)),
            Native::IndexOfPartFrom => return offset(index_of_part(arg(0), &arg(1)), arg(2)),
            Native::BulkPut => return Err(Fault::internal("bulkPut puts: instr runs it")),
        })
    }
}

/// The number of elements, walking only the cells before a packed tail.
fn count(list: &Value) -> i64 {
    let mut n = 0i64;
    let mut cur = list;
    loop {
        match cur {
            Value::Cons(c) => {
                n += 1;
                cur = &c.tail;
            }
            Value::Str(t) => return n + t.len() as i64,
            Value::Bytes(b, i) => return n + b.len().saturating_sub(*i as usize) as i64,
            Value::Items(items, i) => return n + items.len().saturating_sub(*i as usize) as i64,
            _ => return n,
        }
    }
}

fn length_from(list: &Value, acc: Value) -> Result<Value, Fault> {
    plus(acc, count(list))
}

/// `acc + n`, failing on overflow as the MPL `+` does.
fn plus(acc: Value, n: i64) -> Result<Value, Fault> {
    let Value::Int(acc) = acc else {
        return Err(Fault::internal(
            "a native prelude function got a count that is not an Int",
        ));
    };
    match acc.checked_add(n) {
        Some(n) => Ok(Value::Int(n)),
        None => Err(super::ops::overflow(crate::ir::BinOp::Add)),
    }
}

/// The index found (counted from `start`), or -1.
fn offset(found: Option<usize>, start: Value) -> Result<Value, Fault> {
    match found {
        Some(k) => plus(start, i64::try_from(k).unwrap_or(i64::MAX)),
        None => Ok(Value::Int(-1)),
    }
}

/// The index of the first element `f` accepts.
fn position(list: &Value, mut f: impl FnMut(&Value) -> bool) -> Option<usize> {
    let mut k = 0;
    any(list, |x| {
        if f(x) {
            return true;
        }
        k += 1;
        false
    })
    .then_some(k)
}

/// Where `part` first occurs in `list` (at 0 when `part` is empty).
fn index_of_part(list: Value, part: &Value) -> Option<usize> {
    if let (Value::Bytes(a, i), Value::Bytes(b, j)) = (&list, part) {
        let (a, b) = (rest_of(a, *i), rest_of(b, *j));
        return find_slice(a, b);
    }
    if let (Value::Str(a), Value::Str(b)) = (&list, part) {
        return find_slice(a.chars(), b.chars());
    }
    let mut rest = list;
    let mut k = 0;
    loop {
        if starts_with(rest.clone(), part.clone()) {
            return Some(k);
        }
        rest = rest.uncons()?.1;
        k += 1;
    }
}

fn find_slice<T: PartialEq>(list: &[T], part: &[T]) -> Option<usize> {
    let Some((first, rest)) = part.split_first() else {
        return Some(0);
    };
    // The first element is looked for alone and the rest compared only
    // where it matches: comparing every window called `memcmp` once per
    // position (Pluto looks for the blank line after a request's head
    // twice a request: 2.2 k machine instructions a request in `memcmp`).
    let last_start = list.len().checked_sub(part.len())?;
    let mut from = 0;
    while from <= last_start {
        let at = from + list[from..=last_start].iter().position(|x| x == first)?;
        if list[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `list` reversed onto `acc`: cells onto a non-empty `acc` (shared, as the
/// MPL body shares it), a fresh (packed) list onto an empty one. A packed
/// string or byte list onto `[]` is reversed buffer to buffer, without a
/// `Value` per element: `endsWith` and `trimEnd` reverse both their
/// strings, and a request head's lines went through them 10 times a
/// request in Pluto (11.8 k machine instructions a request, 7 % of all).
fn reverse_onto(list: &Value, acc: Value) -> Value {
    if acc.is_empty_list() {
        match list {
            Value::Str(t) if !t.is_empty() => {
                return Value::Str(Text::from_exact(t.chars().iter().rev().copied()));
            }
            Value::Bytes(b, i) if !rest_of(b, *i).is_empty() => {
                let bytes: std::sync::Arc<[u8]> = rest_of(b, *i).iter().rev().copied().collect();
                return Value::Bytes(bytes, 0);
            }
            _ => {}
        }
    }
    let items = list.list_items();
    if items.is_empty() {
        return acc;
    }
    if acc.is_empty_list() {
        return Value::list(items.into_iter().rev().collect());
    }
    items
        .into_iter()
        .fold(acc, |tail, head| Value::cons(head, tail))
}

fn take(qty: Value, list: &Value) -> Value {
    let Value::Int(q) = qty else {
        return Value::Nil;
    };
    if q <= 0 {
        return Value::Nil;
    }
    let q = usize::try_from(q).unwrap_or(usize::MAX);
    match list {
        Value::Str(t) => packed_or_nil(!t.is_empty(), || Value::Str(t.slice(0, q))),
        Value::Bytes(b, i) => {
            let b = rest_of(b, *i);
            let b = &b[..q.min(b.len())];
            packed_or_nil(!b.is_empty(), || Value::Bytes(b.into(), 0))
        }
        Value::Items(items, i) => {
            let items = rest_of(items, *i);
            Value::list(items[..q.min(items.len())].to_vec())
        }
        _ => {
            let mut items = Vec::new();
            let mut cur = list.clone();
            while items.len() < q {
                match cur.uncons() {
                    Some((h, t)) => {
                        items.push(h);
                        cur = t;
                    }
                    None => break,
                }
            }
            Value::list(items)
        }
    }
}

/// `items[start..]`, empty when `start` is past the end.
fn rest_of<T>(items: &[T], start: u32) -> &[T] {
    items.get(start as usize..).unwrap_or(&[])
}

fn packed_or_nil(nonempty: bool, make: impl FnOnce() -> Value) -> Value {
    if nonempty { make() } else { Value::Nil }
}

fn skip(qty: Value, list: Value) -> Value {
    let Value::Int(q) = qty else { return list };
    if q <= 0 {
        return list;
    }
    let mut left = u64::try_from(q).unwrap_or(u64::MAX);
    let mut cur = list;
    while left > 0 {
        cur = match cur {
            Value::Str(t) => {
                return Value::Str(t.skip(usize::try_from(left).unwrap_or(usize::MAX)));
            }
            Value::Bytes(b, i) => {
                let to = (i as u64).saturating_add(left).min(b.len() as u64);
                return Value::Bytes(b, to as u32);
            }
            Value::Items(items, i) => {
                let to = (i as u64).saturating_add(left).min(items.len() as u64);
                return Value::Items(items, to as u32);
            }
            Value::Cons(c) => c.tail.clone(),
            _ => return Value::Nil,
        };
        left -= 1;
    }
    cur
}

/// Calls `f` on each element until it says stop; true if it did.
fn any(list: &Value, mut f: impl FnMut(&Value) -> bool) -> bool {
    let mut cur = list;
    loop {
        match cur {
            Value::Cons(c) => {
                if f(&c.head) {
                    return true;
                }
                cur = &c.tail;
            }
            Value::Str(t) => return t.chars().iter().any(|c| f(&Value::Char(*c))),
            Value::Bytes(b, i) => return rest_of(b, *i).iter().any(|x| f(&Value::Byte(*x))),
            Value::Items(items, i) => return rest_of(items, *i).iter().any(f),
            _ => return false,
        }
    }
}

/// Where `item` first occurs in `list`. A char in a packed string or a
/// byte in packed bytes is looked for in the buffer, without a `Value`
/// and a call of `compare` per element (Pluto: 54 calls a request, from
/// `contains(name, ' ')` and the `indexOf`s of `splitAt`).
fn index_of(list: &Value, item: &Value) -> Option<usize> {
    match (list, item) {
        (Value::Str(t), Value::Char(c)) => t.chars().iter().position(|x| x == c),
        (Value::Bytes(b, i), Value::Byte(x)) => rest_of(b, *i).iter().position(|y| y == x),
        _ => position(list, |x| value::equal(x, item)),
    }
}

fn starts_with(s: Value, prefix: Value) -> bool {
    if let (Value::Str(a), Value::Str(b)) = (&s, &prefix) {
        return a.chars().starts_with(b.chars());
    }
    if let (Value::Bytes(a, i), Value::Bytes(b, j)) = (&s, &prefix) {
        let (a, b) = (rest_of(a, *i), rest_of(b, *j));
        return a.starts_with(b);
    }
    let mut rest = s;
    let mismatch = any(&prefix, |p| match rest.uncons() {
        Some((c, tail)) if value::equal(&c, p) => {
            rest = tail;
            false
        }
        _ => true,
    });
    !mismatch
}

/// `endsWith`: the MPL body reverses both lists to compare their starts;
/// this compares the ends where they lie.
fn ends_with(s: &Value, suffix: &Value) -> bool {
    if let (Value::Str(a), Value::Str(b)) = (s, suffix) {
        return a.chars().ends_with(b.chars());
    }
    if let (Value::Bytes(a, i), Value::Bytes(b, j)) = (s, suffix) {
        return rest_of(a, *i).ends_with(rest_of(b, *j));
    }
    let (s, suffix) = (s.list_items(), suffix.list_items());
    let Some(from) = s.len().checked_sub(suffix.len()) else {
        return false;
    };
    s[from..]
        .iter()
        .zip(&suffix)
        .all(|(a, b)| value::equal(a, b))
}

/// `split`'s worker: the finished parts of `acc` (latest first), the
/// current part `cur` (reversed), then the parts of `s` between `sep`s.
fn split_from(s: &Value, sep: &Value, cur: &Value, acc: &Value) -> Value {
    let sep = match sep {
        Value::Char(c) => Some(*c),
        _ => None,
    };
    cut(s, cur, acc, |c| Some(c) == sep, true)
}

/// `words`' worker: the finished words of `acc` (latest first), the
/// current word `cur` (reversed), then the words of `s`.
fn words_from(s: &Value, cur: &Value, acc: &Value) -> Value {
    cut(s, cur, acc, blank, false)
}

/// What `split` and `words` share: the parts of `acc` (latest first), then
/// `cur` (reversed) continued by `s` up to each character `is_sep` accepts,
/// then the rest. Empty parts are kept only when `keep_empty`.
fn cut(
    s: &Value,
    cur: &Value,
    acc: &Value,
    is_sep: impl Fn(char) -> bool,
    keep_empty: bool,
) -> Value {
    // `words(s)` and `split(s, c)` start with both empty: no walk then.
    let items_reversed = |v: &Value| match v.is_empty_list() {
        true => Vec::new(),
        false => v.list_items().into_iter().rev().collect(),
    };
    let mut parts: Vec<Value> = items_reversed(acc);
    let mut part: Vec<Value> = items_reversed(cur);
    let end = |part: Vec<Value>, parts: &mut Vec<Value>| {
        if keep_empty || !part.is_empty() {
            parts.push(Value::list(part));
        }
    };
    if let (Value::Str(t), true, true) = (s, part.is_empty(), parts.is_empty())
        && let Some(list) = cut_text(t, &is_sep, keep_empty)
    {
        return list;
    }
    if let (Value::Str(t), true) = (s, part.is_empty()) {
        // Parts before (`acc`) or more than `MAX_PARTS`: each part a window
        // on the string's buffer all the same (no copy, no allocation, no
        // `Value` per character; `words` on each line of 1 MiB of text:
        // 243 M -> 208 M instructions). Room for a line's worth of parts is
        // made at once, not 4, 8, 16... (5.7 M instructions fewer of 196 M).
        parts.reserve((t.len() + 1).min(32));
        each_part(t, &is_sep, keep_empty, |bounds| {
            parts.push(window(t, bounds));
            true
        });
        return Value::list(parts);
    }
    for c in s.list_items() {
        match c {
            Value::Char(ch) if is_sep(ch) => end(std::mem::take(&mut part), &mut parts),
            other => part.push(other),
        }
    }
    end(part, &mut parts);
    Value::list(parts)
}

/// Most parts a line is cut into: their bounds are kept on the stack.
const MAX_PARTS: usize = 64;

/// `cut` of a whole packed string into at most [`MAX_PARTS`] parts, `None`
/// when there are more. The bounds of the parts are found first, then the
/// list is made at its size: each part a window on the string's buffer, in
/// one allocation (no `Vec` grown, copied into the list and freed: `words`
/// on each line of 1 MiB of text, 138.9 M -> 134.4 M instructions).
fn cut_text(t: &Text, is_sep: impl Fn(char) -> bool, keep_empty: bool) -> Option<Value> {
    // On the stack, and not zeroed first (an array of `MAX_PARTS` bounds
    // was: 77 of the 4,230 machine instructions a line of `lines` spent).
    let mut bounds: SmallVec<[(usize, usize); MAX_PARTS]> = SmallVec::new();
    let all = each_part(t, is_sep, keep_empty, |part| {
        let room = bounds.len() < MAX_PARTS;
        if room {
            bounds.push(part);
        }
        room
    });
    if !all {
        return None;
    }
    if bounds.is_empty() {
        return Some(Value::Nil);
    }
    // An exact-size iterator: the `Arc` is allocated once, at its size.
    let items: std::sync::Arc<[Value]> = bounds.iter().map(|b| window(t, *b)).collect();
    Some(Value::Items(items, 0))
}

/// The walk `cut` makes of a packed string: calls `f` with the bounds of
/// each part of `t` between the characters `is_sep` accepts (empty parts
/// only when `keep_empty`) until `f` answers false; false if it did.
fn each_part(
    t: &Text,
    is_sep: impl Fn(char) -> bool,
    keep_empty: bool,
    mut f: impl FnMut((usize, usize)) -> bool,
) -> bool {
    let mut from = 0;
    for (at, c) in t.chars().iter().enumerate() {
        if is_sep(*c) {
            if (keep_empty || at > from) && !f((from, at)) {
                return false;
            }
            from = at + 1;
        }
    }
    let to = t.len();
    !(keep_empty || to > from) || f((from, to))
}

/// The part of `t` between `from` and `to`, a window on its buffer (no
/// copy); `[]` when empty.
fn window(t: &Text, (from, to): (usize, usize)) -> Value {
    packed_or_nil(to > from, || Value::Str(t.slice(from, to)))
}

fn map_chars(s: Value, f: impl Fn(char) -> char) -> Value {
    if s.is_empty_list() {
        return s;
    }
    if let Value::Str(t) = &s {
        return Value::Str(Text::from_exact(t.chars().iter().map(|c| f(*c))));
    }
    let items = s.list_items().into_iter().map(|v| match v {
        Value::Char(c) => Value::Char(f(c)),
        other => other,
    });
    Value::list(items.collect())
}

/// A space, tab, '\r' or '\n' (the prelude's `isSpace`).
fn blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn trim_start(s: Value) -> Value {
    let mut cur = s;
    loop {
        cur = match cur {
            Value::Str(t) => {
                let blanks = t.chars().iter().take_while(|c| blank(**c)).count();
                return Value::Str(t.skip(blanks));
            }
            Value::Cons(c) if matches!(c.head, Value::Char(h) if blank(h)) => c.tail.clone(),
            other => return other,
        }
    }
}

/// `trimEnd`: a packed string loses its trailing blanks as a narrower
/// window on its buffer (the MPL body reverses it twice); any other list
/// is rebuilt without them. All blanks gives `""`, as the body does.
fn trim_end(s: Value) -> Value {
    if let Value::Str(t) = &s {
        let blanks = t.chars().iter().rev().take_while(|c| blank(**c)).count();
        return Value::Str(t.slice(0, t.len() - blanks));
    }
    let mut items = s.list_items();
    while matches!(items.last(), Some(Value::Char(c)) if blank(*c)) {
        items.pop();
    }
    match items.is_empty() {
        true => Value::string(""),
        false => Value::list(items),
    }
}

/// All the inner lists in one: packed when the last non-empty one is and
/// every element of every one is a char (a byte), like `++`; else the cells
/// of all but the last before the last (shared, as `++` shares it).
///
/// A list literal of parts (`flatten([name, ": ", value])`) is read where
/// it lies, and the result's buffer is made at its size before the parts
/// are copied in: Pluto flattens 7 lists a request, and copying their
/// parts out first and growing the buffer 4, 8, 16... chars cost about
/// 11 k machine instructions a request.
fn flatten(lists: &Value) -> Value {
    let owned;
    let parts: &[Value] = match lists {
        Value::Items(items, i) => rest_of(items, *i),
        _ => {
            owned = lists.list_items();
            &owned
        }
    };
    let size = || parts.iter().map(count).sum::<i64>();
    match parts.iter().rev().find(|p| !p.is_empty_list()) {
        Some(Value::Str(_)) => {
            let mut out: Vec<char> = Vec::with_capacity(usize::try_from(size()).unwrap_or(0));
            if parts.iter().all(|p| p.chars_into(&mut out)) {
                return Value::chars(&out);
            }
        }
        Some(Value::Bytes(..)) => {
            let mut out: Vec<u8> = Vec::with_capacity(usize::try_from(size()).unwrap_or(0));
            if parts.iter().all(|p| p.bytes_into(&mut out)) {
                return Value::Bytes(out.into(), 0);
            }
        }
        _ => {}
    }
    let Some((last, init)) = parts.split_last() else {
        return Value::Nil;
    };
    let items: Vec<Value> = init.iter().flat_map(Value::list_items).collect();
    if last.is_empty_list() {
        return Value::list(items);
    }
    items
        .into_iter()
        .rev()
        .fold(last.clone(), |tail, head| Value::cons(head, tail))
}

#[cfg(test)]
mod tests {
    //! Every native against the MPL body it replaces: the same program
    //! runs with and without natives and must print the same thing.

    use super::{Value, flatten};
    use crate::eval::RunOutcome;
    use crate::host::Host;
    use crate::runtime::Config;
    use crate::source::SourceMap;
    use crate::{SourceInput, compile};
    use parking_lot::Mutex;
    use std::io::Write;
    use std::sync::{Arc, mpsc};
    use std::time::Duration;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What the program prints (and how it ends), within 30 seconds.
    fn output(src: &str, natives: bool) -> String {
        let mut sources = SourceMap::default();
        let input = SourceInput::Text {
            name: "natives.mpl".into(),
            text: src.into(),
        };
        let program = match compile(&mut sources, input) {
            Ok(p) => Arc::new(p),
            Err(d) => panic!("the test program does not check: {d:?}"),
        };
        let out = Buf::default();
        let host = Host {
            stdin: crate::host::Input::none(),
            stdout: Arc::new(Mutex::new(Box::new(out.clone()))),
            stderr: Arc::new(Mutex::new(Box::new(std::io::sink()))),
            args: Vec::new(),
            on_start: None,
            permissions: Default::default(),
            limits: crate::host::Limits::default(),
            trace: None,
        };
        let config = Config {
            threads: 1,
            seed: Some(1),
            ..Config::default()
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(super::super::run_with(
                program,
                host,
                crate::services::open,
                config,
                natives,
            ));
        });
        let end = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(RunOutcome::Finished) => "finished".to_string(),
            Ok(RunOutcome::Failed(e)) => format!("failed: {}", e.message),
            Ok(other) => format!("{other:?}"),
            Err(_) => panic!("the program did not end within 30 s"),
        };
        let text = String::from_utf8_lossy(&out.0.lock()).into_owned();
        format!("{text}[{end}]")
    }

    fn same_with_and_without_natives(src: &str) -> String {
        let interpreted = output(src, false);
        let native = output(src, true);
        assert_eq!(
            native, interpreted,
            "natives change what the program prints"
        );
        native
    }

    /// Strings packed, in cells, and mixed (cells before a packed tail).
    const SAMPLES: &str = r#"
[String] samples() {
  ["", "a", "abc", " \t x  y \r\n", 'q' : ('r' : " s,"), "a,b,,c", ",", "HeLLo, World!",
   "\r\n\r\n", 'x' : "", ' ' : (',' : ""), "\n\nab\n\r\n",
   flatten(replicate(70, "w ,")), flatten(replicate(64, ",")), flatten(replicate(63, "v "))]
}

void line(PutSeq<Char> out, String s) { writeLine(out, s); }

void each(PutSeq<Char> out, [String] ss) {
  switch ss {
    case []:
    case (s:rest):
      line(out, show(s));
      line(out, flatten([show(length(s)), " ", show(reverse(s)), " ", show(reverseOnto(s, "zz")), " ", show(reverseOnto(s, 'y' : ""))]));
      line(out, show([take(-1, s), take(0, s), take(1, s), take(3, s), take(100, s)]));
      line(out, show([skip(-1, s), skip(0, s), skip(1, s), skip(3, s), skip(100, s)]));
      line(out, show([contains(s, ','), contains(s, 'a'), startsWith(s, ""), startsWith(s, "a"), startsWith(s, 'a' : "b"), endsWith(s, ","), endsWith(s, ""), endsWith(s, "\r\n"), endsWith(s, s), endsWith(s, 'x' : ","), endsWith("", s)]));
      line(out, show([trimEnd(s), trimEnd(trimStart(s)), reverseOnto(s, []), reverseOnto(s, "")]));
      line(out, show(split(s, ',')));
      line(out, show([words(s), wordsFrom(s, "ba", ["z"]), wordsFrom(s, "", ["y", "x"])]));
      line(out, show([toLower(s), toUpper(s), trimStart(s), trim(s)]));
      line(out, show([flatten([s, s]), flatten([s, "x", []]), flatten([[], s]), flatten([s, 'k' : ""]), flatten([])]));
      line(out, show([indexOf(s, ','), indexOf(s, 'b'), indexOfPart(s, ",,"), indexOfPart(s, ""), indexOfPart(s, "\r\n"), indexOfPart(s, s)]));
      line(out, show(stringToBytes(s)));
      let bs = stringToBytes(s);
      line(out, show([indexOfPart(bs, stringToBytes("\n\r\n")), indexOf(bs, intToByte(10)), length(bs)]));
      line(out, show([take(2, bs), skip(2, bs), reverse(bs), reverse(skip(1, bs)), flatten([bs, bs])]));
      line(out, show([endsWith(bs, stringToBytes("\r\n")), endsWith(bs, []), endsWith(bs, bs), endsWith(skip(1, bs), bs)]));
      line(out, show([endsWith([1, 2, 3], [2, 3]), endsWith([1, 2, 3], [1, 3]), endsWith([1], [0, 1]), endsWith(1 : [2], 2 : [])]));
      each(out, rest);
  }
}
"#;

    #[test]
    fn natives_print_what_the_prelude_bodies_print_on_strings() {
        let src = format!(
            "{SAMPLES}\nprocess main(PutSeq<Char> out) {{ each(out, samples()); out.put(StopPut); }}\nmain(stdout);\n"
        );
        let printed = same_with_and_without_natives(&src);
        assert!(printed.contains("[finished]"), "{printed}");
        assert!(printed.contains(r#"["a", "b", "", "c"]"#), "{printed}");
    }

    #[test]
    fn find_slice_finds_what_a_scan_of_every_window_finds() {
        let cases: [(&str, &str); 10] = [
            ("aaab", "aab"),
            ("ab", "abc"),
            ("", "a"),
            ("", ""),
            ("abc", ""),
            ("a\n\r\n\n", "\n\n"),
            ("x\n\r\n", "\n\r\n"),
            ("abab", "bab"),
            ("abab", "abab"),
            ("abab", "b"),
        ];
        for (list, part) in cases {
            let (list, part) = (list.as_bytes(), part.as_bytes());
            let every = match part.is_empty() {
                true => Some(0),
                false => list.windows(part.len()).position(|w| w == part),
            };
            assert_eq!(super::find_slice(list, part), every, "{list:?} {part:?}");
        }
    }

    #[test]
    fn flatten_packs_cells_of_chars_before_a_packed_text() {
        let zero = Value::cons(Value::Char('0'), Value::Nil);
        let parts = |v: Vec<Value>| Value::list(v);
        let text = flatten(&parts(vec![zero.clone(), Value::string("7"), Value::Nil]));
        assert!(matches!(text, Value::Str(_)), "{text:?}");
        assert_eq!(text.as_string().as_deref(), Some("07"));
        let byte = Value::cons(Value::Byte(1), Value::Nil);
        let bytes = flatten(&parts(vec![byte, Value::Bytes(vec![2].into(), 0)]));
        assert_eq!(bytes.as_bytes(), Some(vec![1, 2]));
        assert!(matches!(bytes, Value::Bytes(..)));
        // A last list of cells stays shared: only the cells before it are made.
        let cells = flatten(&parts(vec![Value::string("a"), zero]));
        assert!(matches!(cells, Value::Cons(_)));
        assert_eq!(cells.as_string().as_deref(), Some("a0"));
    }

    #[test]
    fn natives_print_what_the_prelude_bodies_print_on_other_lists() {
        let src = r#"
process main(PutSeq<Char> out) {
  let xs = [3, 1, 4, 1, 5];
  writeLine(out, show([length(xs), lengthFrom(xs, 10), indexOf(xs, 1), indexOf(xs, 9), indexOfPart(xs, [1, 5]), indexOfPart(xs, [])]));
  writeLine(out, show([take(2, xs), skip(2, xs), reverse(xs), reverseOnto(xs, [7]), flatten([xs, [], [0]])]));
  writeLine(out, show([contains(xs, 4), contains(xs, 8), startsWith(xs, [3, 1]), startsWith(xs, [1])]));
  writeLine(out, show([[1.5, 0.0 / 0.0]] ++ [[2.5]]));
  writeLine(out, show(contains([0.0 / 0.0], 0.0 / 0.0)));
  writeLine(out, show(flatten([["a"], [], ["b", "c"]])));
  out.put(StopPut);
}
main(stdout);
"#;
        let printed = same_with_and_without_natives(src);
        assert!(printed.contains("[finished]"), "{printed}");
    }

    #[test]
    fn a_native_length_overflows_as_the_prelude_body_does() {
        let src = r#"
process main(PutSeq<Char> out) {
  writeLine(out, show(lengthFrom("ab", 9223372036854775807)));
  out.put(StopPut);
}
main(stdout);
"#;
        let printed = same_with_and_without_natives(src);
        assert!(
            printed.contains("failed: integer overflow in `+`"),
            "{printed}"
        );
    }

    #[test]
    fn a_program_s_own_function_with_a_prelude_name_is_not_replaced() {
        let src = r#"
[t] take(Int n, [t] list) { list }
process main(PutSeq<Char> out) {
  writeLine(out, take(1, "abc"));
  out.put(StopPut);
}
main(stdout);
"#;
        assert_eq!(output(src, true), "abc\n[finished]");
    }

    #[test]
    fn every_native_names_a_prelude_function_of_its_arity() {
        let mut sources = SourceMap::default();
        let input = SourceInput::Text {
            name: "empty.mpl".into(),
            text: String::new(),
        };
        let program = compile(&mut sources, input).expect("the empty program checks");
        for (name, native) in super::TABLE {
            let id = program.prelude.get(name).copied();
            let f = id.and_then(|id| program.functions.get(id as usize));
            let arity = f.map(|f| f.params);
            assert_eq!(arity, Some(native.arity()), "prelude function `{name}`");
        }
    }
}
