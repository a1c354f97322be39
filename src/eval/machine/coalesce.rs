//! Slot coalescing for loops over lists: the tail a `case (x:rest)` takes
//! apart is given the slot of the parameter a tail call passes it back in,
//! or else the slot of the list the `switch` took apart, when the two
//! never hold a live value at the same time.
//!
//! `countWords(rest, ..)` after `case (c:rest)` then leaves the list where
//! it is (the tail call's argument is `Keep`) instead of moving it from
//! `rest`'s slot to the parameter's on every step. The list is the value a
//! per-element loop carries from one step to the next, so each move was on
//! the loop's critical path: stored, read back and stored again.
//!
//! Only the tail of an `UnconsInto` is coalesced: it is always a list,
//! never a channel, so the slot's name (which reports give to the channels
//! a waiting process holds) cannot mislead. Slots that a table indexes
//! (records, forks, races, splits) are left alone. Runs after `liveness`
//! on the function's own instructions, before the tail calls are fused;
//! it changes slot numbers only, never the number of instructions or a
//! jump.

use super::code::{ArgSrc, Code, Op};
use super::liveness::{Lives, effect, test};
use crate::ir::{FuncId, Slot};

/// Renames slots of `ops` (a function with `slots` slots) as the header
/// says; `params` gives a callee's parameter count.
pub fn coalesce_tails(
    ops: &mut [Op],
    slots: u32,
    code: &Code,
    params: impl Fn(FuncId) -> Option<u32>,
) {
    for (tail, param) in candidates(ops, params) {
        if !only_list_tail(ops, tail, code) {
            continue;
        }
        let Some(lives) = Lives::of(ops, slots, code) else {
            return;
        };
        if interfere(ops, &lives, (tail, param), code) {
            continue;
        }
        let renamed: Vec<Op> = ops.iter().map(|&op| rename(op, tail, param)).collect();
        // An instruction `rename` does not know would still name `tail`:
        // then nothing changes.
        let complete = renamed.iter().all(|&op| {
            let e = effect(op, code);
            !e.uses.contains(&tail) && !e.defs.contains(&tail)
        });
        if complete {
            ops.copy_from_slice(&renamed);
        }
    }
}

/// `(t, i)` for each tail call that passes slot `t` as its argument `i`
/// (its `i`-th push, when each argument is one push), then `(t, s)` for
/// each `switch` on the list in slot `s` whose `case (x:rest)` puts the
/// tail in `t` (so that the two can become one `UnconsSlot` even when an
/// argument is computed, as `sum(rest, acc + x)`'s is).
fn candidates(ops: &[Op], params: impl Fn(FuncId) -> Option<u32>) -> Vec<(Slot, Slot)> {
    let mut found = tail_call_candidates(ops, params);
    for &op in ops {
        if let Op::TestNilSlot(s, true, a) = op
            && let Some(&Op::UnconsInto(_, t, _)) = ops.get(a as usize)
            && t != s
            && !found.iter().any(|&(u, _)| u == t)
        {
            found.push((t, s));
        }
    }
    found
}

fn tail_call_candidates(ops: &[Op], params: impl Fn(FuncId) -> Option<u32>) -> Vec<(Slot, Slot)> {
    let mut found = Vec::new();
    for (j, &op) in ops.iter().enumerate() {
        let Op::TailCall(g) = op else { continue };
        let Some(n) = params(g).map(|n| n as usize).filter(|&n| n <= j) else {
            continue;
        };
        let pushes = &ops[j - n..j];
        if pushes.iter().any(|&p| ArgSrc::of(p).is_none()) {
            continue;
        }
        for (i, &p) in pushes.iter().enumerate() {
            if let Op::Move(t) | Op::Load(t) = p
                && t as usize != i
                && !found.iter().any(|&(u, _)| u == t)
            {
                found.push((t, i as Slot));
            }
        }
    }
    found
}

/// Every instruction that writes `t` is an `UnconsInto` putting a tail
/// there (at least one is), and no table-indexed instruction names it.
fn only_list_tail(ops: &[Op], t: Slot, code: &Code) -> bool {
    let mut tails = 0;
    for &op in ops {
        let e = effect(op, code);
        let names = e.uses.contains(&t) || e.defs.contains(&t);
        match op {
            Op::UnconsInto(h, tail, _) if tail == t && h != t => tails += 1,
            Op::Record(_) | Op::Fork(_) | Op::Race(_) | Op::Split(_) if names => return false,
            _ if e.defs.contains(&t) => return false,
            _ => {}
        }
    }
    tails > 0
}

/// Slots `a` and `b` hold live values at the same time: both live on entry
/// to an instruction, or one written while the other is live after it.
fn interfere(ops: &[Op], lives: &Lives, (a, b): (Slot, Slot), code: &Code) -> bool {
    let mut out = lives.buffer();
    (0..ops.len()).any(|pc| {
        if lives.live_in(pc, a) && lives.live_in(pc, b) {
            return true;
        }
        let defs = effect(ops[pc], code).defs;
        lives.live_out(ops, pc, &mut out);
        (defs.contains(&a) && test(&out, b)) || (defs.contains(&b) && test(&out, a))
    })
}

/// `op` with slot `from` named `to` wherever it names a slot itself.
fn rename(op: Op, from: Slot, to: Slot) -> Op {
    let r = |s: Slot| if s == from { to } else { s };
    use Op::*;
    match op {
        Load(s) => Load(r(s)),
        Move(s) => Move(r(s)),
        Store(s) => Store(r(s)),
        ReturnSlot(s) => ReturnSlot(r(s)),
        PutSlot(s) => PutSlot(r(s)),
        GetSlot(s) => GetSlot(r(s)),
        LoadAddInt(s, k) => LoadAddInt(r(s), k),
        LoadSubInt(s, k) => LoadSubInt(r(s), k),
        LoadAddIntCall(s, k, g) => LoadAddIntCall(r(s), k, g),
        LoadSubIntCall(s, k, g) => LoadSubIntCall(r(s), k, g),
        JumpIfSlot(s, w, t) => JumpIfSlot(r(s), w, t),
        JumpIfNotSlotInt(c, s, k, t) => JumpIfNotSlotInt(c, r(s), k, t),
        JumpIfNotSlotChar(c, s, k, t) => JumpIfNotSlotChar(c, r(s), k, t),
        JumpIfSlotCharIn(s, k, w, t) => JumpIfSlotCharIn(r(s), k, w, t),
        TestNilSlot(s, m, t) => TestNilSlot(r(s), m, t),
        ReturnIfSlotInt(c, s, k, v) => ReturnIfSlotInt(c, r(s), k, r(v)),
        UnconsHead(h, t) => UnconsHead(r(h), t),
        UnconsInto(h, tail, t) => UnconsInto(r(h), r(tail), t),
        UnconsSlot(s, h, t) => UnconsSlot(r(s), r(h), t),
        NewChannel(a, b, k) => NewChannel(r(a), r(b), k),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::machine::liveness::move_last_uses;

    /// `ops` after liveness and coalescing (4 slots, callees of 2 parameters).
    fn coalesced(mut ops: Vec<Op>) -> Vec<Op> {
        let code = Code::default();
        move_last_uses(&mut ops, 4, &code);
        coalesce_tails(&mut ops, 4, &code, |_| Some(2));
        ops
    }

    /// `f(l, acc)` with slots l 0, acc 1, c 2, rest 3: `case []: acc`,
    /// `case (c:rest): f(rest, <second>)` (`second` pushes the second
    /// argument), then `after` (unreachable, but it names its slots).
    fn loop_passing(second: &[Op], after: Op) -> Vec<Op> {
        let fail = (second.len() + 7) as u32;
        let mut ops = vec![
            Op::TestNilSlot(0, false, 3),
            Op::Pop,
            Op::ReturnSlot(1),
            Op::UnconsInto(2, 3, fail),
            Op::Load(3),
        ];
        ops.extend_from_slice(second);
        ops.extend([Op::TailCall(0), after, Op::MatchFail]);
        coalesced(ops)
    }

    #[test]
    fn a_list_tail_passed_back_in_its_parameter_shares_its_slot() {
        let ops = loop_passing(&[Op::LoadAddInt(1, 1)], Op::MatchFail);
        assert_eq!(ops[0], Op::TestNilSlot(0, true, 3));
        assert_eq!(ops[3], Op::UnconsInto(2, 0, 8));
        assert_eq!(ops[4], Op::Move(0));
    }

    #[test]
    fn a_list_tail_shares_its_list_s_slot_when_an_argument_is_computed() {
        // `f(rest, acc + c)`: the second argument is three pushes, so the
        // call is no candidate; the `switch` on slot 0 is.
        let ops = loop_passing(&[Op::Load(1), Op::Load(2), Op::Add], Op::MatchFail);
        assert_eq!(ops[3], Op::UnconsInto(2, 0, 10));
        assert_eq!(ops[4], Op::Move(0));
    }

    #[test]
    fn a_tail_whose_list_is_still_read_keeps_its_own_slot() {
        // `f(rest, l)`: the list in slot 0 lives on past the uncons.
        let ops = loop_passing(&[Op::Load(0)], Op::MatchFail);
        assert_eq!(ops[3], Op::UnconsInto(2, 3, 8));
        assert_eq!(ops[4..6], [Op::Move(3), Op::Move(0)]);
    }

    #[test]
    fn a_slot_written_by_anything_but_an_uncons_is_not_renamed() {
        let ops = loop_passing(&[Op::LoadAddInt(1, 1)], Op::Store(3));
        assert_eq!(ops[3], Op::UnconsInto(2, 3, 8));
        assert_eq!(ops[7], Op::Store(3));
    }
}
