//! The machine's primitive operations on values: checked integer arithmetic,
//! IEEE float arithmetic, bit operations, comparisons, indexing and the
//! builtins of `ir::Builtin`.
//!
//! Each returns a [`Fault`] (a message, no position) on failure; `exec`
//! adds the span and the process name. Nothing here touches the stack,
//! channels or the scheduler.

use crate::ir::{BinOp, Builtin, Program};
use crate::value::{self, Value};
use std::cmp::Ordering;

/// A failed operation: the message of the runtime error to report.
///
/// Boxed, so that the `Result`s the dispatch loop's helpers return stay
/// one or two words and live in registers (with the text inline, every
/// `Result` was built in memory: fib(30) ran about 10 % slower).
#[derive(Debug)]
pub struct Fault(Box<FaultText>);

/// What a [`Fault`] says.
#[derive(Debug)]
pub struct FaultText {
    pub message: String,
    pub help: Option<String>,
}

impl Fault {
    pub fn new(message: impl Into<String>) -> Fault {
        Fault::with_help(message, None)
    }

    pub fn with_help(message: impl Into<String>, help: Option<String>) -> Fault {
        Fault(Box::new(FaultText {
            message: message.into(),
            help,
        }))
    }

    /// A value of the wrong shape: the checked program cannot do this.
    #[cold]
    pub fn internal(what: &str) -> Fault {
        Fault::with_help(
            format!("internal error: {what}"),
            Some("this is a bug in the interpreter, not in your program".into()),
        )
    }

    pub fn into_text(self) -> FaultText {
        *self.0
    }
}

impl std::ops::Deref for Fault {
    type Target = FaultText;

    fn deref(&self) -> &FaultText {
        &self.0
    }
}

pub type Res<T> = Result<T, Fault>;

/// "integer overflow in `+`": every checked Int operator fails with this.
pub fn overflow(op: BinOp) -> Fault {
    Fault::new(format!("integer overflow in `{}`", op.symbol()))
}

fn mismatch(op: BinOp) -> Fault {
    Fault::internal(&format!(
        "operands of `{}` have the wrong type",
        op.symbol()
    ))
}

/// Any binary operator except `&&` and `||` (compiled as jumps).
pub fn binary(op: BinOp, a: Value, b: Value) -> Res<Value> {
    use BinOp::*;
    match op {
        Eq => Ok(Value::Bool(value::equal(&a, &b))),
        Ne => Ok(Value::Bool(!value::equal(&a, &b))),
        Lt | Le | Gt | Ge => order(op, &a, &b).map(Value::Bool),
        Cons => Ok(Value::cons(a, b)),
        Append => append(a, b),
        _ => arith(op, a, b),
    }
}

fn append(a: Value, b: Value) -> Res<Value> {
    if !a.is_list() || !b.is_list() {
        return Err(mismatch(BinOp::Append));
    }
    if a.is_empty_list() {
        return Ok(b);
    }
    Ok(a.append(&b))
}

/// `< <= > >=`: IEEE on floats, structural otherwise.
pub fn order(op: BinOp, a: &Value, b: &Value) -> Res<bool> {
    let ord = match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => return Ok(float_order(op, *x, *y)),
        _ => value::compare(a, b),
    };
    let Some(ord) = ord else {
        return Err(Fault::new(format!(
            "these values cannot be compared with `{}`",
            op.symbol()
        )));
    };
    Ok(match op {
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

/// Any comparison operator, `==` and `!=` included.
pub fn compare(op: BinOp, a: &Value, b: &Value) -> Res<bool> {
    match op {
        BinOp::Eq => Ok(value::equal(a, b)),
        BinOp::Ne => Ok(!value::equal(a, b)),
        _ => order(op, a, b),
    }
}

/// A comparison of two Ints.
#[inline(always)]
pub fn int_compare(op: BinOp, x: i64, y: i64) -> bool {
    match op {
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        BinOp::Eq => x == y,
        _ => x != y,
    }
}

fn float_order(op: BinOp, x: f64, y: f64) -> bool {
    match op {
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        _ => x >= y,
    }
}

fn arith(op: BinOp, a: Value, b: Value) -> Res<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_op(op, x, y).map(Value::Int),
        (Value::Float(x), Value::Float(y)) => float_op(op, x, y).map(Value::Float),
        (Value::Byte(x), Value::Byte(y)) => byte_op(op, x, y).map(Value::Byte),
        _ => Err(mismatch(op)),
    }
}

/// Checked integer arithmetic and bit operations.
pub fn int_op(op: BinOp, x: i64, y: i64) -> Res<i64> {
    use BinOp::*;
    let r = match op {
        Add => x.checked_add(y),
        Sub => x.checked_sub(y),
        Mul => x.checked_mul(y),
        Div | Rem if y == 0 => return Err(Fault::new("division by zero")),
        Div => x.checked_div(y),
        Rem => x.checked_rem(y),
        BitOr => Some(x | y),
        BitXor => Some(x ^ y),
        BitAnd => Some(x & y),
        Shl | Shr => return shift(op, x, y),
        _ => return Err(mismatch(op)),
    };
    r.ok_or_else(|| overflow(op))
}

fn shift(op: BinOp, x: i64, y: i64) -> Res<i64> {
    if !(0..64).contains(&y) {
        return Err(Fault::new(format!(
            "shift amount {y} out of range in `{}` (must be 0 to 63)",
            op.symbol()
        )));
    }
    Ok(match op {
        BinOp::Shl => x << y,
        _ => x >> y,
    })
}

fn float_op(op: BinOp, x: f64, y: f64) -> Res<f64> {
    use BinOp::*;
    Ok(match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        Div => x / y,
        Rem => x % y,
        _ => return Err(mismatch(op)),
    })
}

fn byte_op(op: BinOp, x: u8, y: u8) -> Res<u8> {
    use BinOp::*;
    let r = match op {
        Add => x.checked_add(y),
        Sub => x.checked_sub(y),
        Mul => x.checked_mul(y),
        Div | Rem if y == 0 => return Err(Fault::new("division by zero")),
        Div => x.checked_div(y),
        Rem => x.checked_rem(y),
        BitOr => Some(x | y),
        BitXor => Some(x ^ y),
        BitAnd => Some(x & y),
        Shl | Shr if y >= 8 => {
            return Err(Fault::new(format!(
                "shift amount {y} out of range in `{}` (must be 0 to 7)",
                op.symbol()
            )));
        }
        Shl => Some(x << y),
        Shr => Some(x >> y),
        _ => return Err(mismatch(op)),
    };
    r.ok_or_else(|| overflow(op))
}

pub fn negate(v: Value) -> Res<Value> {
    match v {
        Value::Int(x) => x
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| Fault::new("integer overflow in unary `-`")),
        Value::Float(x) => Ok(Value::Float(-x)),
        _ => Err(Fault::internal("operand of unary `-` has the wrong type")),
    }
}

pub fn not(v: Value) -> Res<Value> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        _ => Err(Fault::internal("operand of `!` has the wrong type")),
    }
}

/// `list[index, default]`.
pub fn index(list: Value, index: Value, default: Value) -> Res<Value> {
    match index {
        Value::Int(i) => Ok(list.list_index(i).unwrap_or(default)),
        _ => Err(Fault::internal("a list index is not an Int")),
    }
}

/// A builtin applied to its argument.
pub fn builtin(op: Builtin, v: Value, program: &Program) -> Res<Value> {
    use Builtin::*;
    match (op, v) {
        (Show, v) => Ok(value::shown(&v, &crate::ir::ShowTy::Any, program)),
        (IntToFloat, Value::Int(n)) => Ok(Value::Float(n as f64)),
        (FloatToInt, Value::Float(x)) => float_to_int(x).map(Value::Int),
        (FloatToByteClipped, Value::Float(x)) => Ok(Value::Byte(x as u8)),
        (ByteToInt, Value::Byte(b)) => Ok(Value::Int(b as i64)),
        (IntToByte, Value::Int(n)) => u8::try_from(n)
            .map(Value::Byte)
            .map_err(|_| Fault::new(format!("intToByte: {n} is not a byte (0 to 255)"))),
        (CharToInt, Value::Char(c)) => Ok(Value::Int(c as i64)),
        (IntToChar, Value::Int(n)) => int_to_char(n).map(Value::Char),
        (BytesToString, v) => bytes_to_string(&v),
        (StringToBytes, v) => string_to_bytes(&v),
        (op, _) => Err(Fault::internal(&format!(
            "the argument of {op:?} has the wrong type"
        ))),
    }
}

fn float_to_int(x: f64) -> Res<i64> {
    // 2^63 is exact as a float; every float in [-2^63, 2^63) fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&x) {
        return Err(Fault::new(format!(
            "floatToInt: {} does not fit in an Int",
            value::show_float(x)
        )));
    }
    Ok(x.trunc() as i64)
}

fn int_to_char(n: i64) -> Res<char> {
    u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| Fault::new(format!("intToChar: {n} is not a Unicode scalar value")))
}

fn bytes_to_string(v: &Value) -> Res<Value> {
    // Packed bytes are read where they lie (Pluto's request head, a
    // request), not copied out first.
    let copied;
    let bytes = match v {
        Value::Bytes(b, i) => b.get(*i as usize..).unwrap_or(&[]),
        _ => {
            copied = v
                .as_bytes()
                .ok_or_else(|| Fault::internal("bytesToString takes a [Byte]"))?;
            &copied[..]
        }
    };
    Ok(Value::string(&String::from_utf8_lossy(bytes)))
}

fn string_to_bytes(v: &Value) -> Res<Value> {
    // An ASCII packed string is its bytes: one allocation at the size,
    // without a `String` grown char by char in between (Pluto's response
    // head, once a request, took 1,250 machine instructions that way).
    if let Value::Str(t) = v
        && t.chars().iter().all(char::is_ascii)
    {
        let bytes: std::sync::Arc<[u8]> = t.chars().iter().map(|c| *c as u8).collect();
        return Ok(Value::Bytes(bytes, 0));
    }
    match v.as_string() {
        Some(s) => Ok(Value::bytes(s.as_bytes())),
        None => Err(Fault::internal("stringToBytes takes a String")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_arithmetic_is_checked() {
        assert!(int_op(BinOp::Add, i64::MAX, 1).is_err());
        assert!(int_op(BinOp::Sub, i64::MIN, 1).is_err());
        assert!(int_op(BinOp::Mul, i64::MAX, 2).is_err());
        assert!(int_op(BinOp::Div, i64::MIN, -1).is_err());
        assert!(int_op(BinOp::Rem, i64::MIN, -1).is_err());
        assert_eq!(
            int_op(BinOp::Div, 7, 0).unwrap_err().message,
            "division by zero"
        );
        assert_eq!(
            int_op(BinOp::Rem, 7, 0).unwrap_err().message,
            "division by zero"
        );
        assert_eq!(int_op(BinOp::Div, -7, 2).unwrap(), -3);
        assert_eq!(int_op(BinOp::Rem, -7, 2).unwrap(), -1);
        assert!(negate(Value::Int(i64::MIN)).is_err());
    }

    #[test]
    fn shifts_outside_0_to_63_fail() {
        assert!(int_op(BinOp::Shl, 1, 64).is_err());
        assert!(int_op(BinOp::Shr, 1, -1).is_err());
        assert_eq!(int_op(BinOp::Shl, 1, 63).unwrap(), i64::MIN);
        assert_eq!(int_op(BinOp::Shr, -8, 1).unwrap(), -4);
    }

    #[test]
    fn float_conversions_follow_the_builtin_rules() {
        let p = Program::default();
        let conv = |op, v| builtin(op, v, &p);
        assert!(matches!(
            conv(Builtin::FloatToInt, Value::Float(-2.9)),
            Ok(Value::Int(-2))
        ));
        assert!(conv(Builtin::FloatToInt, Value::Float(f64::NAN)).is_err());
        assert!(conv(Builtin::FloatToInt, Value::Float(1e19)).is_err());
        let clip = |x| conv(Builtin::FloatToByteClipped, Value::Float(x)).ok();
        assert!(matches!(clip(-3.0), Some(Value::Byte(0))));
        assert!(matches!(clip(300.0), Some(Value::Byte(255))));
        assert!(matches!(clip(f64::NAN), Some(Value::Byte(0))));
        assert!(matches!(clip(7.9), Some(Value::Byte(7))));
        assert!(conv(Builtin::IntToByte, Value::Int(256)).is_err());
        assert!(conv(Builtin::IntToChar, Value::Int(0xD800)).is_err());
        assert!(matches!(
            conv(Builtin::IntToChar, Value::Int(65)),
            Ok(Value::Char('A'))
        ));
    }

    #[test]
    fn nan_compares_false_not_as_an_error() {
        let nan = Value::Float(f64::NAN);
        assert!(!order(BinOp::Lt, &nan, &Value::Float(1.0)).unwrap());
        assert!(matches!(
            binary(BinOp::Eq, nan.clone(), nan),
            Ok(Value::Bool(false))
        ));
    }

    #[test]
    fn bytes_and_strings_convert_lossily() {
        let p = Program::default();
        let s = builtin(Builtin::BytesToString, Value::bytes(&[104, 0xff]), &p).unwrap();
        assert_eq!(s.as_string().as_deref(), Some("h\u{fffd}"));
        let b = builtin(Builtin::StringToBytes, Value::string("é"), &p).unwrap();
        assert_eq!(b.as_bytes(), Some(vec![0xc3, 0xa9]));
    }
}
