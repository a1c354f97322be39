//! Runtime values of MPL and the operations every part of the evaluator and
//! the services share: list views (cons cells and packed buffers, of
//! chars, bytes or any values, look alike to programs), structural
//! equality and order, and
//! `show` (values as MPL source text).
//!
//! Values are immutable and `Send`: composite values sit behind `Arc`, so
//! copying a value is cheap and values move freely between worker threads.
//! Nothing here evaluates code or touches I/O.

use crate::ir::{CodataId, FuncId, Program, ShowTy, Tag};
use crate::runtime::End;
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

mod text;
pub use text::Text;

#[derive(Clone, Debug)]
pub enum Value {
    Unit,
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(char),
    Byte(u8),
    /// The empty list `[]` (of any element type).
    Nil,
    /// `head : tail`
    Cons(Arc<Cons>),
    /// A packed list of characters: a window on a shared buffer of chars.
    /// It may be empty (it still shows as `""`).
    Str(Text),
    /// A packed list of bytes: `bytes[start..]`.
    Bytes(Arc<[u8]>, u32),
    /// A packed list of any other values: `items[start..]`. `Value::list`
    /// makes one (a native's result, a list literal): one allocation for
    /// the whole list instead of a cell per element. Programs cannot tell
    /// it from cells.
    Items(Arc<[Value]>, u32),
    Tuple(Arc<[Value]>),
    /// A constructor without fields, or a protocol label.
    Tag(Tag),
    /// A constructor with fields.
    Data(Tag, Arc<[Value]>),
    /// A codata value built by `record`.
    Record(Arc<RecordVal>),
    /// One end of a channel.
    Chan(End<Value>),
}

#[derive(Debug)]
pub struct Cons {
    pub head: Value,
    pub tail: Value,
}

/// Dropping a long list would recurse once per cell; unlink the cells this
/// drop owns one at a time instead (a shared tail is left to its owners).
impl Drop for Cons {
    fn drop(&mut self) {
        let mut tail = std::mem::replace(&mut self.tail, Value::Nil);
        while let Value::Cons(cell) = tail {
            match Arc::try_unwrap(cell) {
                Ok(mut cell) => tail = std::mem::replace(&mut cell.tail, Value::Nil),
                Err(_) => break,
            }
        }
    }
}

#[derive(Debug)]
pub struct RecordVal {
    pub codata: CodataId,
    /// `methods[i]` implements destructor `i` of the codata type.
    pub methods: Arc<[FuncId]>,
    /// Captured values, copied into the first slots of a method's frame.
    pub env: Box<[Value]>,
}

impl Value {
    pub fn string(s: &str) -> Value {
        Value::Str(Text::new(s))
    }

    /// `show` of an Int, as a packed string (no `String` on the way).
    pub fn show_int(n: i64) -> Value {
        let mut buf = [0; 20];
        let digits = int_digits(n, &mut buf).bytes().map(char::from);
        Value::Str(Text::from_exact(digits))
    }

    /// A packed string of a copy of `chars`.
    pub fn chars(chars: &[char]) -> Value {
        Value::Str(Text::from_chars(chars))
    }

    pub fn bytes(b: &[u8]) -> Value {
        Value::Bytes(Arc::from(b), 0)
    }

    pub fn cons(head: Value, tail: Value) -> Value {
        Value::Cons(Arc::new(Cons { head, tail }))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(items.into())
    }

    /// Builds a list from its elements, packing chars and bytes.
    pub fn list(items: Vec<Value>) -> Value {
        if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Char(_))) {
            let chars: Vec<char> = items
                .iter()
                .filter_map(|v| match v {
                    Value::Char(c) => Some(*c),
                    _ => None,
                })
                .collect();
            return Value::chars(&chars);
        }
        if !items.is_empty() && items.iter().all(|v| matches!(v, Value::Byte(_))) {
            let bytes: Vec<u8> = items
                .iter()
                .filter_map(|v| match v {
                    Value::Byte(b) => Some(*b),
                    _ => None,
                })
                .collect();
            return Value::Bytes(bytes.into(), 0);
        }
        if items.is_empty() {
            return Value::Nil;
        }
        Value::Items(items.into(), 0)
    }

    /// `Value::list` of `items[from..]`, taken out of `items` (a list
    /// literal's elements on the stack). A list of values other than chars
    /// or bytes is made in one allocation at its size, not gathered into a
    /// `Vec` and copied (Pluto built 12 lists a request: 141.5 k -> 140.2 k
    /// machine instructions a request).
    pub fn list_drain(items: &mut Vec<Value>, from: usize) -> Value {
        let rest = items.get(from..).unwrap_or(&[]);
        let packs = |v: &Value| matches!(v, Value::Char(_) | Value::Byte(_));
        match rest.first() {
            None => Value::Nil,
            Some(first) if packs(first) => Value::list(items.drain(from..).collect()),
            Some(_) => Value::Items(shared_tail(items, from), 0),
        }
    }

    /// Splits a non-empty list into head and tail; `None` for `[]` or for a
    /// value that is not a list.
    pub fn uncons(&self) -> Option<(Value, Value)> {
        match self {
            Value::Cons(c) => Some((c.head.clone(), c.tail.clone())),
            Value::Str(t) => {
                let mut rest = t.clone();
                let c = rest.pop_front()?;
                Some((Value::Char(c), Value::Str(rest)))
            }
            Value::Bytes(b, i) => b
                .get(*i as usize)
                .map(|x| (Value::Byte(*x), Value::Bytes(b.clone(), i + 1))),
            Value::Items(items, i) => items
                .get(*i as usize)
                .map(|x| (x.clone(), Value::Items(items.clone(), i + 1))),
            _ => None,
        }
    }

    /// True for `[]` in any representation.
    pub fn is_empty_list(&self) -> bool {
        match self {
            Value::Nil => true,
            Value::Str(t) => t.is_empty(),
            Value::Bytes(b, i) => *i as usize >= b.len(),
            Value::Items(items, i) => *i as usize >= items.len(),
            _ => false,
        }
    }

    pub fn is_list(&self) -> bool {
        matches!(
            self,
            Value::Nil | Value::Cons(_) | Value::Str(..) | Value::Bytes(..) | Value::Items(..)
        )
    }

    /// The elements of a list, in order (empty for a non-list).
    pub fn list_items(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cur = self.clone();
        loop {
            match &cur {
                Value::Str(t) => {
                    out.extend(t.chars().iter().map(|c| Value::Char(*c)));
                    break;
                }
                Value::Bytes(b, i) => {
                    out.extend(
                        b[(*i as usize).min(b.len())..]
                            .iter()
                            .map(|x| Value::Byte(*x)),
                    );
                    break;
                }
                Value::Items(items, i) => {
                    out.extend_from_slice(items.get(*i as usize..).unwrap_or(&[]));
                    break;
                }
                Value::Cons(c) => {
                    out.push(c.head.clone());
                    let next = c.tail.clone();
                    cur = next;
                }
                _ => break,
            }
        }
        out
    }

    /// The text of a `[Char]`, or `None` if some element is not a char (or
    /// this is not a list).
    pub fn as_string(&self) -> Option<String> {
        if let Value::Str(t) = self {
            return Some(t.chars().iter().collect());
        }
        let mut chars = Vec::new();
        self.chars_into(&mut chars)
            .then(|| chars.into_iter().collect())
    }

    /// The bytes of a `[Byte]`, or `None` if some element is not a byte
    /// (or this is not a list).
    pub fn as_bytes(&self) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        self.bytes_into(&mut bytes).then_some(bytes)
    }

    /// Appends the elements of this list to `out` if every one is a char
    /// (whatever the list's representation); false, with `out` partly
    /// written, as soon as one is not (or this is not a list).
    pub fn chars_into(&self, out: &mut Vec<char>) -> bool {
        let elem = |v: &Value| match v {
            Value::Char(c) => Some(*c),
            _ => None,
        };
        fn packed(v: &Value) -> Option<&[char]> {
            match v {
                Value::Str(t) => Some(t.chars()),
                _ => None,
            }
        }
        self.packed_into(out, elem, packed)
    }

    /// `chars_into` for bytes.
    pub fn bytes_into(&self, out: &mut Vec<u8>) -> bool {
        let elem = |v: &Value| match v {
            Value::Byte(b) => Some(*b),
            _ => None,
        };
        fn packed(v: &Value) -> Option<&[u8]> {
            match v {
                Value::Bytes(b, i) => Some(b.get(*i as usize..).unwrap_or(&[])),
                _ => None,
            }
        }
        self.packed_into(out, elem, packed)
    }

    /// The walk of `chars_into`/`bytes_into`: `elem` reads one element,
    /// `packed` the elements of a packed list of the wanted kind.
    fn packed_into<'a, T: Copy + 'a>(
        &'a self,
        out: &mut Vec<T>,
        elem: impl Fn(&Value) -> Option<T>,
        packed: fn(&'a Value) -> Option<&'a [T]>,
    ) -> bool {
        let mut cur = self;
        loop {
            match cur {
                Value::Cons(c) => match elem(&c.head) {
                    Some(x) => {
                        out.push(x);
                        cur = &c.tail;
                    }
                    None => return false,
                },
                Value::Items(items, i) => {
                    let rest = items.get(*i as usize..).unwrap_or(&[]);
                    return rest.iter().all(|v| elem(v).map(|x| out.push(x)).is_some());
                }
                v => {
                    return match packed(v) {
                        Some(items) => {
                            out.extend_from_slice(items);
                            true
                        }
                        None => v.is_empty_list(),
                    };
                }
            }
        }
    }

    /// `a ++ b`. A packed `b` after chars (bytes) gives a packed list:
    /// `replicate(1, '0') ++ show(7)` is one text, not a cell and a text,
    /// which every later `++` and `flatten` of it would have taken apart
    /// into a cell per char (Pluto's date, whenever a day, hour, minute or
    /// second is under 10, and its whole response head with it: 23.6k ->
    /// 29.9k req/s). `b` is copied then, as two packed strings always were:
    /// linear in both, where cells before a shared `b` were linear in `a`.
    pub fn append(&self, other: &Value) -> Value {
        if other.is_empty_list() {
            return self.clone();
        }
        if let (Value::Str(a), Value::Str(_)) = (self, other)
            && a.is_empty()
        {
            return other.clone();
        }
        match other {
            Value::Str(b) => {
                let mut v = Vec::new();
                if self.chars_into(&mut v) {
                    v.extend_from_slice(b.chars());
                    return Value::chars(&v);
                }
            }
            Value::Bytes(b, j) => {
                let mut v = Vec::new();
                if self.bytes_into(&mut v) {
                    v.extend_from_slice(&b[(*j as usize).min(b.len())..]);
                    return Value::Bytes(v.into(), 0);
                }
            }
            _ => {}
        }
        self.list_items()
            .into_iter()
            .rev()
            .fold(other.clone(), |tail, head| Value::cons(head, tail))
    }

    /// Element `index` of a list, if there is one. Walks at most `index`
    /// cells; packed lists answer at once.
    pub fn list_index(&self, index: i64) -> Option<Value> {
        if index < 0 {
            return None;
        }
        let mut cur = self.clone();
        let mut left = index as u64;
        loop {
            match &cur {
                Value::Str(t) => {
                    return t.chars().get(left as usize).map(|c| Value::Char(*c));
                }
                Value::Bytes(b, i) => {
                    return b.get(*i as usize + left as usize).map(|x| Value::Byte(*x));
                }
                Value::Items(items, i) => {
                    return items.get(*i as usize + left as usize).cloned();
                }
                Value::Cons(c) if left == 0 => return Some(c.head.clone()),
                Value::Cons(c) => {
                    left -= 1;
                    let next = c.tail.clone();
                    cur = next;
                }
                _ => return None,
            }
        }
    }
}

/// `items[from..]` moved into one shared slice, `items` cut to `from`: a
/// tuple's, a constructor's or a list literal's fields leave the stack in
/// one copy of their bytes. Collecting a `Drain` wrote them one at a
/// time, then shifted the empty tail: 187 machine instructions a tuple or
/// constructor with its allocation, about 110 now (callgrind; Pluto builds
/// 29 a request).
pub fn shared_tail(items: &mut Vec<Value>, from: usize) -> Arc<[Value]> {
    let from = from.min(items.len());
    let n = items.len() - from;
    let mut slice = Arc::<[Value]>::new_uninit_slice(n);
    let Some(dst) = Arc::get_mut(&mut slice) else {
        return items.drain(from..).collect();
    };
    // SAFETY: `dst` has room for the `n` values at `items[from..]`; they
    // are moved there bit for bit, and `set_len` makes `items` forget them,
    // so each is owned (and dropped) once, by the new slice, which
    // `assume_init` may then treat as initialised.
    unsafe {
        std::ptr::copy_nonoverlapping(
            items.as_ptr().add(from),
            dst.as_mut_ptr().cast::<Value>(),
            n,
        );
        items.set_len(from);
        slice.assume_init()
    }
}

/// The most nodes (list cells, tuples, constructor values) a value may have
/// to be copied for a new process.
const LOCAL_COPY_NODES: usize = 256;

/// `v` as a new process receives it. A small list, tuple or constructor
/// value is copied, so that the new process reading it touches no
/// reference count that another worker thread touches too: two processes
/// walking one shared 5x5 kernel spend most of their time fighting over
/// its cache lines. Larger values are shared (copying them would make a
/// spawn cost their size), and so are packed strings and bytes, records
/// and channel ends, whose reading touches one count, not one per element.
/// Values are immutable, so a copy is never observable.
pub fn for_new_process(v: Value) -> Value {
    let mut budget = LOCAL_COPY_NODES;
    let composite = matches!(
        v,
        Value::Cons(_) | Value::Items(..) | Value::Tuple(_) | Value::Data(..)
    );
    if !composite || !small(&v, &mut budget) {
        return v;
    }
    copy(&v)
}

/// Counts `v`'s nodes against `budget`; false once it runs out.
fn small(v: &Value, budget: &mut usize) -> bool {
    let mut cur = v;
    loop {
        let items: &[Value] = match cur {
            Value::Cons(c) => {
                if *budget == 0 || !small(&c.head, budget) {
                    return false;
                }
                *budget -= 1;
                cur = &c.tail;
                continue;
            }
            Value::Tuple(items) | Value::Data(_, items) => items,
            Value::Items(items, i) => items.get(*i as usize..).unwrap_or(&[]),
            _ => return true,
        };
        // A packed list counts as many nodes as the cells it stands for.
        let nodes = match cur {
            Value::Items(..) => items.len().max(1),
            _ => 1,
        };
        if *budget < nodes {
            return false;
        }
        *budget -= nodes;
        return items.iter().all(|x| small(x, budget));
    }
}

/// A fresh copy of the nodes of `v` (leaves are shared).
fn copy(v: &Value) -> Value {
    match v {
        Value::Cons(_) => {
            let mut heads = Vec::new();
            let mut cur = v;
            while let Value::Cons(c) = cur {
                heads.push(copy(&c.head));
                cur = &c.tail;
            }
            let end = copy(cur);
            heads
                .into_iter()
                .rev()
                .fold(end, |tail, head| Value::cons(head, tail))
        }
        Value::Items(items, i) => Value::list(
            items
                .get(*i as usize..)
                .unwrap_or(&[])
                .iter()
                .map(copy)
                .collect(),
        ),
        Value::Tuple(items) => Value::Tuple(items.iter().map(copy).collect()),
        Value::Data(t, items) => Value::Data(*t, items.iter().map(copy).collect()),
        other => other.clone(),
    }
}

/// Structural equality: numbers, chars, lists (whatever their packing),
/// tuples and data. Records and channels are never equal (the checker keeps
/// them out of `==`).
pub fn equal(a: &Value, b: &Value) -> bool {
    // Packed strings are equal when their buffers are: lengths first,
    // then one `memcmp`, where the order walks them a char at a time (a
    // `char`'s bytes do not sort as the char does). Pluto compares strings
    // 25 times a request (method, header names, MIME types): 140 machine
    // instructions each before.
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.chars() == y.chars(),
        _ => compare(a, b) == Some(Ordering::Equal),
    }
}

/// Structural order, as `<`, `<=`... use it: lists and tuples
/// lexicographically, data by constructor tag then fields. `None` when the
/// values cannot be compared (records, channels, NaN).
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Unit, Unit) => Some(Ordering::Equal),
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Float(x), Float(y)) => x.partial_cmp(y),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Char(x), Char(y)) => Some(x.cmp(y)),
        (Byte(x), Byte(y)) => Some(x.cmp(y)),
        (Tag(x), Tag(y)) => Some(x.cmp(y)),
        (Tag(x), Data(y, _)) => Some(x.cmp(y).then(Ordering::Less)),
        (Data(x, _), Tag(y)) => Some(x.cmp(y).then(Ordering::Greater)),
        (Data(x, xs), Data(y, ys)) => match x.cmp(y) {
            Ordering::Equal => compare_seq(xs, ys),
            o => Some(o),
        },
        (Tuple(xs), Tuple(ys)) => compare_seq(xs, ys),
        _ if a.is_list() && b.is_list() => compare_lists(a, b),
        _ => None,
    }
}

fn compare_seq(xs: &[Value], ys: &[Value]) -> Option<Ordering> {
    for (x, y) in xs.iter().zip(ys) {
        match compare(x, y)? {
            Ordering::Equal => continue,
            o => return Some(o),
        }
    }
    Some(xs.len().cmp(&ys.len()))
}

fn compare_lists(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Value::Str(x), Value::Str(y)) = (a, b) {
        return Some(x.chars().cmp(y.chars()));
    }
    // Bytes sort as their buffers do: one `memcmp`, for `==` too.
    if let (Value::Bytes(x, i), Value::Bytes(y, j)) = (a, b) {
        let xs = x.get(*i as usize..).unwrap_or(&[]);
        return Some(xs.cmp(y.get(*j as usize..).unwrap_or(&[])));
    }
    if let (Value::Items(x, i), Value::Items(y, j)) = (a, b) {
        let xs = x.get(*i as usize..).unwrap_or(&[]);
        return compare_seq(xs, y.get(*j as usize..).unwrap_or(&[]));
    }
    let (mut a, mut b) = (a.clone(), b.clone());
    loop {
        match (a.uncons(), b.uncons()) {
            (None, None) => return Some(Ordering::Equal),
            (None, Some(_)) => return Some(Ordering::Less),
            (Some(_), None) => return Some(Ordering::Greater),
            (Some((x, xs)), Some((y, ys))) => {
                match compare(&x, &y)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
                a = xs;
                b = ys;
            }
        }
    }
}

/// `show(v)`: the value as MPL source text (LANGUAGE.md 4.3). A non-empty
/// list of chars shows as a string literal; so does a packed empty string.
pub fn show(v: &Value, program: &Program) -> String {
    let mut out = String::new();
    show_into(&mut out, v, program);
    out
}

/// The decimal digits of `n`, with its sign, written into `buf` digit by
/// digit: the formatting machinery cost about 800 instructions a number
/// (Pluto shows a length and a status per request).
fn int_digits(n: i64, buf: &mut [u8; 20]) -> &str {
    // i64::MIN is a sign and 19 digits.
    let mut at = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    // Only ASCII digits and '-' were written.
    std::str::from_utf8(&buf[at..]).unwrap_or("?")
}

/// `show(v)` (typed as `ty`) as the packed string a program gets.
pub fn shown(v: &Value, ty: &ShowTy, program: &Program) -> Value {
    match v {
        Value::Int(n) => Value::show_int(*n),
        _ => Value::string(&show_typed(v, ty, program)),
    }
}

fn show_into(out: &mut String, v: &Value, program: &Program) {
    match v {
        Value::Unit => out.push_str("()"),
        Value::Int(n) => out.push_str(int_digits(*n, &mut [0; 20])),
        Value::Float(f) => out.push_str(&show_float(*f)),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Char(c) => {
            out.push('\'');
            escape_char(out, *c, '\'');
            out.push('\'');
        }
        Value::Byte(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Str(..) | Value::Cons(_) | Value::Nil | Value::Bytes(..) | Value::Items(..) => {
            show_list(out, v, program)
        }
        Value::Tuple(items) => {
            out.push('(');
            show_items(out, items, program);
            out.push(')');
        }
        Value::Tag(t) => out.push_str(tag_name(program, *t)),
        Value::Data(t, fields) => {
            out.push_str(tag_name(program, *t));
            out.push('(');
            show_items(out, fields, program);
            out.push(')');
        }
        Value::Record(r) => {
            let name = program
                .codata
                .get(r.codata as usize)
                .map_or("?", |c| c.name.as_str());
            let _ = write!(out, "<record {name}>");
        }
        Value::Chan(e) => {
            let _ = write!(out, "<channel {:?}>", e);
        }
    }
}

/// `show(v)` guided by the static type of `v` (see `ir::ShowTy`): an
/// empty `[Char]` shows as `""`, and types inside lists, tuples and data
/// are followed down.
pub fn show_typed(v: &Value, ty: &ShowTy, program: &Program) -> String {
    let mut out = String::new();
    show_typed_into(&mut out, v, ty, &[], program);
    out
}

fn show_typed_into(out: &mut String, v: &Value, ty: &ShowTy, args: &[ShowTy], program: &Program) {
    match (ty, v) {
        (ShowTy::Param(i), _) => {
            let t = args.get(*i as usize).cloned().unwrap_or(ShowTy::Any);
            show_typed_into(out, v, &t, &[], program)
        }
        (ShowTy::Str, _) if v.is_list() => {
            out.push('"');
            for c in v.as_string().unwrap_or_default().chars() {
                escape_char(out, c, '"');
            }
            out.push('"');
        }
        (ShowTy::List(elem), _) if v.is_list() => {
            out.push('[');
            for (i, item) in v.list_items().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_typed_into(out, item, elem, args, program);
            }
            out.push(']');
        }
        (ShowTy::Tuple(ts), Value::Tuple(items)) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_typed_into(out, item, ts.get(i).unwrap_or(&ShowTy::Any), args, program);
            }
            out.push(')');
        }
        (ShowTy::Data(targs), Value::Data(t, fields)) => {
            out.push_str(tag_name(program, *t));
            out.push('(');
            let templates = program.ctor_fields.get(t);
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let ft = templates.and_then(|f| f.get(i)).unwrap_or(&ShowTy::Any);
                show_typed_into(out, field, ft, targs, program);
            }
            out.push(')');
        }
        _ => show_into(out, v, program),
    }
}

fn tag_name(program: &Program, t: Tag) -> &str {
    program.tags.get(t as usize).map_or("?", |s| s.as_str())
}

fn show_items(out: &mut String, items: &[Value], program: &Program) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        show_into(out, item, program);
    }
}

fn show_list(out: &mut String, v: &Value, program: &Program) {
    let is_text = matches!(v, Value::Str(..)) || (!v.is_empty_list() && v.as_string().is_some());
    if is_text {
        out.push('"');
        for c in v.as_string().unwrap_or_default().chars() {
            escape_char(out, c, '"');
        }
        out.push('"');
        return;
    }
    out.push('[');
    show_items(out, &v.list_items(), program);
    out.push(']');
}

fn escape_char(out: &mut String, c: char, quote: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\0' => out.push_str("\\0"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_control() => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// The shortest text that reads back to the same float, always with a `.`
/// or an exponent: `2.0`, `0.1`, `1e300`, `NaN`, `Infinity`.
pub fn show_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let s = format!("{f:?}");
    if s.contains('.') || s.contains('e') || s.contains("inf") {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_int_writes_what_the_formatter_writes() {
        let edges = [
            0,
            7,
            -7,
            9,
            10,
            -10,
            99,
            100,
            65536,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        let steps = (0..64).flat_map(|k| {
            [
                1i64 << k,
                (1i64 << k).wrapping_sub(1),
                (1i64 << k).wrapping_neg(),
            ]
        });
        for n in edges.into_iter().chain(steps) {
            assert_eq!(Value::show_int(n).as_string(), Some(n.to_string()), "{n}");
            let in_a_list = Value::list(vec![Value::Int(n), Value::Int(-1)]);
            assert_eq!(show(&in_a_list, &prog()), format!("[{n}, -1]"));
        }
    }

    fn prog() -> Program {
        Program {
            tags: vec!["Just".into(), "Nothing".into()],
            ..Program::default()
        }
    }

    #[test]
    fn show_matches_the_reference_examples() {
        let p = prog();
        assert_eq!(show(&Value::Int(42), &p), "42");
        assert_eq!(show(&Value::string("hi"), &p), "\"hi\"");
        assert_eq!(show(&Value::string(""), &p), "\"\"");
        assert_eq!(show(&Value::Char('c'), &p), "'c'");
        assert_eq!(
            show(&Value::list(vec![Value::Int(1), Value::Int(2)]), &p),
            "[1, 2]"
        );
        let just = Value::Data(
            0,
            vec![Value::tuple(vec![Value::Int(1), Value::Bool(true)])].into(),
        );
        assert_eq!(show(&just, &p), "Just((1, true))");
        assert_eq!(show(&Value::Float(2.0), &p), "2.0");
        assert_eq!(show(&Value::Float(0.1), &p), "0.1");
        assert_eq!(show(&Value::Nil, &p), "[]");
    }

    #[test]
    fn chars_before_a_packed_text_append_to_a_packed_text() {
        let p = prog();
        let zero = Value::cons(Value::Char('0'), Value::Nil);
        let joined = zero.append(&Value::string("7"));
        assert!(matches!(joined, Value::Str(_)), "{joined:?}");
        assert_eq!(show(&joined, &p), "\"07\"");
        let bytes =
            Value::cons(Value::Byte(1), Value::Nil).append(&Value::Bytes(vec![2].into(), 0));
        assert!(matches!(bytes, Value::Bytes(_, 0)), "{bytes:?}");
        // Not all chars: the cells of the first, sharing the second.
        let mixed =
            Value::cons(Value::Int(1), Value::Nil).append(&Value::list(vec![Value::Int(2)]));
        assert!(matches!(mixed, Value::Cons(_)));
        assert_eq!(show(&mixed, &p), "[1, 2]");
        // Before a list of cells, the second list is shared, not copied.
        let tail = Value::cons(Value::Char('b'), Value::Nil);
        assert!(matches!(zero.append(&tail), Value::Cons(_)));
    }

    #[test]
    fn packed_and_cons_lists_are_equal() {
        let packed = Value::string("ab");
        let cells = Value::cons(Value::Char('a'), Value::cons(Value::Char('b'), Value::Nil));
        assert!(equal(&packed, &cells));
        assert_eq!(
            compare(&Value::string("ab"), &Value::string("b")),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn packed_texts_and_byte_lists_are_equal_exactly_when_their_elements_are() {
        let texts = ["", "a", "ab", "abc", "abd", "b", "GET", "HEAD"];
        for x in texts {
            for y in texts {
                let (a, b) = (Value::string(x), Value::string(y));
                assert_eq!(equal(&a, &b), x == y, "{x:?} == {y:?}");
                assert_eq!(equal(&a, &b), compare(&a, &b) == Some(Ordering::Equal));
            }
        }
        // Byte lists compare from where each starts in its buffer.
        let bytes = |v: &[u8], at: u32| Value::Bytes(v.to_vec().into(), at);
        assert!(equal(&bytes(&[1, 2, 3], 1), &bytes(&[2, 3], 0)));
        assert!(equal(&bytes(&[1, 2], 2), &bytes(&[], 0)));
        assert!(!equal(&bytes(&[1, 2, 3], 1), &bytes(&[2], 0)));
        assert!(!equal(&bytes(&[1, 2, 3], 0), &bytes(&[1, 2, 4], 0)));
        let order = |x: &Value, y: &Value| compare(x, y);
        assert_eq!(
            order(&bytes(&[9, 2, 3], 1), &bytes(&[2, 4], 0)),
            Some(Ordering::Less)
        );
        assert_eq!(
            order(&bytes(&[2, 3], 0), &bytes(&[2], 0)),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn shared_tail_moves_the_values_above_the_mark_and_leaves_the_rest() {
        let p = prog();
        let mut stack = vec![
            Value::Int(0),
            Value::string("kept"),
            Value::string("a"),
            Value::list(vec![Value::Int(1)]),
        ];
        let moved = shared_tail(&mut stack, 2);
        assert_eq!(show(&Value::Tuple(moved), &p), "(\"a\", [1])");
        assert_eq!(stack.len(), 2);
        assert_eq!(show(&stack[1], &p), "\"kept\"");
        assert!(shared_tail(&mut stack, 2).is_empty());
        assert!(shared_tail(&mut stack, 9).is_empty());
        assert_eq!(stack.len(), 2);
    }

    #[test]
    fn a_list_of_other_values_is_one_packed_buffer_that_reads_like_cells() {
        let p = prog();
        let ints = |n: i64| (1..=n).map(Value::Int).collect::<Vec<_>>();
        let packed = Value::list(ints(3));
        assert!(matches!(packed, Value::Items(_, 0)));
        let cells = ints(3)
            .into_iter()
            .rev()
            .fold(Value::Nil, |t, h| Value::cons(h, t));
        assert!(equal(&packed, &cells));
        assert_eq!(
            compare(&packed, &Value::list(ints(2))),
            Some(Ordering::Greater)
        );
        assert_eq!(show(&packed, &p), "[1, 2, 3]");
        assert!(matches!(packed.list_index(2), Some(Value::Int(3))));
        assert!(packed.list_index(3).is_none());
        let (h, t) = packed.uncons().unwrap();
        assert!(matches!(h, Value::Int(1)));
        assert_eq!(show(&t, &p), "[2, 3]");
        let (_, t) = t.uncons().unwrap();
        let (_, t) = t.uncons().unwrap();
        assert!(t.is_empty_list() && t.uncons().is_none());
        assert!(matches!(Value::list(Vec::new()), Value::Nil));
    }

    #[test]
    fn a_value_is_three_words() {
        // Every stack slot, list cell and message is a `Value`: a string
        // window keeps both its ends in it thanks to a thin buffer pointer.
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    #[test]
    fn uncons_walks_a_packed_string() {
        let (h, t) = Value::string("ab").uncons().unwrap();
        assert!(matches!(h, Value::Char('a')));
        assert_eq!(t.as_string().as_deref(), Some("b"));
    }

    #[test]
    fn a_text_is_read_from_any_list_of_chars_and_from_nothing_else() {
        let cells = Value::cons(Value::Char('a'), Value::string("b"));
        assert_eq!(cells.as_string().as_deref(), Some("ab"));
        assert_eq!(Value::Nil.as_string().as_deref(), Some(""));
        assert_eq!(Value::Int(3).as_string(), None);
        assert_eq!(Value::list(vec![Value::Int(3)]).as_string(), None);
        let bytes = Value::cons(Value::Byte(1), Value::bytes(&[2]));
        assert_eq!(bytes.as_bytes(), Some(vec![1, 2]));
        assert_eq!(Value::Unit.as_bytes(), None);
    }

    #[test]
    fn append_keeps_strings_packed() {
        let s = Value::string("ab").append(&Value::string("cd"));
        assert!(matches!(s, Value::Str(..)));
        assert_eq!(s.as_string().as_deref(), Some("abcd"));
    }

    /// Where the spine of a list lives: each cell, or the packed buffer.
    fn cells(v: &Value) -> Vec<*const ()> {
        let mut out = Vec::new();
        let mut cur = v;
        loop {
            match cur {
                Value::Cons(c) => {
                    out.push(Arc::as_ptr(c).cast());
                    cur = &c.tail;
                }
                Value::Items(items, _) => {
                    out.push(Arc::as_ptr(items).cast());
                    return out;
                }
                _ => return out,
            }
        }
    }

    fn floats(n: usize) -> Value {
        Value::list((0..n).map(|i| Value::Float(i as f64)).collect())
    }

    #[test]
    fn a_small_value_given_to_a_new_process_is_a_fresh_equal_copy() {
        let row = floats(5);
        let kernel = Value::list(vec![
            row.clone(),
            row.clone(),
            Value::tuple(vec![row.clone()]),
        ]);
        let copy = for_new_process(kernel.clone());
        assert!(equal(&copy, &kernel));
        let (a, b) = (cells(&kernel), cells(&copy));
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x != y), "the spine is copied");
        let (Some((inner, _)), Some((orig, _))) = (copy.uncons(), kernel.uncons()) else {
            panic!("not a list");
        };
        assert!(
            cells(&inner)[0] != cells(&orig)[0],
            "nested lists are copied too"
        );
    }

    #[test]
    fn a_large_value_given_to_a_new_process_is_shared() {
        let big = floats(LOCAL_COPY_NODES + 1);
        let same = for_new_process(big.clone());
        assert_eq!(cells(&same), cells(&big));
    }

    #[test]
    fn packed_text_given_to_a_new_process_is_shared() {
        let s = Value::string("shared");
        let t = for_new_process(s.clone());
        match (&s, &t) {
            (Value::Str(a), Value::Str(b)) => assert!(a.shares_buffer(b)),
            _ => panic!("not packed"),
        }
    }
}
