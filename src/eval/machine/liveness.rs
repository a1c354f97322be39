//! Last uses of slots: a pass over one compiled function that turns every
//! `Load` of a slot nobody reads afterwards into a `Move` (and a
//! `TestNilSlot` into its moving form), which takes the value out of the
//! frame instead of copying it.
//!
//! Moving matters for more than the saved reference count: a list or a
//! packed string that only the operand stack holds can be taken apart in
//! place (`Uncons` reuses the cell), and a value is freed as soon as its
//! last reader is done with it.
//!
//! Function bodies have no loops, so every jump goes forward and one
//! backward sweep over the instructions computes exact liveness
//! ([`Lives`], which `coalesce` uses too). A function with a backward jump
//! (none is compiled today) is left as it is. This file only rewrites
//! instructions; it never changes their number or their jump targets.

use super::code::{Code, Op};

/// The slots a loop step of `ops` (a self tail call, back to pc 0) must
/// reset, as a range `(lo, hi)` (empty, `lo >= hi`, when none): those
/// some instruction writes, but for the head slot of an `UnconsSlot` at
/// pc 0. That one is overwritten, its old value freed, by the very next
/// instruction the step runs; when the list is empty the old head stays
/// until the function returns (dead: nothing reads it). lines_loop's
/// loop step then resets nothing (its only other slot is `c`, that head):
/// 30 of a character's 270 machine instructions.
pub fn loop_written(ops: &[Op], code: &Code) -> (u32, u32) {
    let head = match ops.first() {
        Some(&Op::UnconsSlot(_, h, _)) => Some(h),
        _ => None,
    };
    let defs = ops.iter().flat_map(|&op| effect(op, code).defs);
    let defs = defs.filter(|&s| Some(s) != head);
    defs.fold((u32::MAX, 0), |(lo, hi), s| (lo.min(s), hi.max(s + 1)))
}

/// Which slots an instruction reads and which it writes.
pub(super) struct Effect {
    pub(super) uses: Vec<u32>,
    pub(super) defs: Vec<u32>,
}

/// Rewrites last-use `Load`s of `ops` (a function with `slots` slots) into
/// `Move`s. `code` gives the record, fork and split sites the instructions
/// index.
pub fn move_last_uses(ops: &mut [Op], slots: u32, code: &Code) {
    let Some(lives) = Lives::of(ops, slots, code) else {
        return;
    };
    let mut live = lives.buffer();
    for pc in 0..ops.len() {
        lives.live_out(ops, pc, &mut live);
        match ops[pc] {
            Op::Load(s) if !test(&live, s) => ops[pc] = Op::Move(s),
            Op::TestNilSlot(s, false, t) if !test(&live, s) => {
                ops[pc] = Op::TestNilSlot(s, true, t)
            }
            _ => {}
        }
    }
}

/// Which slots are live (read at or after an instruction before being
/// written) at each instruction of one function.
pub(super) struct Lives {
    words: usize,
    /// `live_in[pc * words ..]`: the slots live on entry to `pc`.
    live_in: Vec<u64>,
}

impl Lives {
    /// The live slots of `ops`, or `None` for an empty function, one
    /// without slots, or one with a backward jump.
    pub(super) fn of(ops: &[Op], slots: u32, code: &Code) -> Option<Lives> {
        let n = ops.len();
        if n == 0 || slots == 0 || has_backward_jump(ops) {
            return None;
        }
        let words = (slots as usize).div_ceil(64);
        let mut lives = Lives {
            words,
            live_in: vec![0u64; n * words],
        };
        let mut live = lives.buffer();
        for pc in (0..n).rev() {
            lives.live_out(ops, pc, &mut live);
            let effect = effect(ops[pc], code);
            for d in effect.defs {
                clear(&mut live, d);
            }
            for u in effect.uses {
                set(&mut live, u);
            }
            lives.live_in[pc * words..(pc + 1) * words].copy_from_slice(&live);
        }
        Some(lives)
    }

    /// Slot `s` is live on entry to `pc`.
    pub(super) fn live_in(&self, pc: usize, s: u32) -> bool {
        test(&self.live_in[pc * self.words..(pc + 1) * self.words], s)
    }

    /// A set of slots for [`Lives::live_out`] to fill.
    pub(super) fn buffer(&self) -> Vec<u64> {
        vec![0u64; self.words]
    }

    /// Sets `live` to the slots live right after `pc`: those live on entry
    /// to a successor.
    pub(super) fn live_out(&self, ops: &[Op], pc: usize, live: &mut [u64]) {
        live.iter_mut().for_each(|w| *w = 0);
        for succ in successors(ops[pc], pc) {
            if succ < ops.len() {
                let from = &self.live_in[succ * self.words..(succ + 1) * self.words];
                live.iter_mut().zip(from).for_each(|(w, s)| *w |= s);
            }
        }
    }
}

fn has_backward_jump(ops: &[Op]) -> bool {
    ops.iter()
        .enumerate()
        .any(|(pc, op)| op.clone().target_mut().is_some_and(|t| (*t as usize) <= pc))
}

/// The instructions that may run right after `op` at `pc`.
pub(super) fn successors(op: Op, pc: usize) -> impl Iterator<Item = usize> {
    use Op::*;
    let mut op = op;
    let target = op.target_mut().map(|t| *t as usize);
    let falls_through = !matches!(
        op,
        Jump(_)
            | Return
            | ReturnSlot(_)
            | AddReturn
            | TailCall(_)
            | TailCallDtor(..)
            | TailSpawn(_)
            | Halt
            | MatchFail
            | LetFail
            | Fork(_)
    );
    falls_through.then_some(pc + 1).into_iter().chain(target)
}

pub(super) fn effect(op: Op, code: &Code) -> Effect {
    let (uses, defs): (Vec<u32>, Vec<u32>) = match op {
        Op::Load(s) | Op::Move(s) | Op::ReturnSlot(s) => (vec![s], vec![]),
        Op::ReturnIfSlotInt(_, s, _, v) => (vec![s, v], vec![]),
        Op::LoadAddInt(s, _)
        | Op::LoadSubInt(s, _)
        | Op::LoadAddIntCall(s, ..)
        | Op::LoadSubIntCall(s, ..)
        | Op::JumpIfNotSlotInt(_, s, _, _)
        | Op::JumpIfNotSlotChar(_, s, _, _)
        | Op::JumpIfSlot(s, _, _)
        | Op::TestNilSlot(s, _, _)
        | Op::JumpIfSlotCharIn(s, ..)
        | Op::PutSlot(s)
        | Op::GetSlot(s) => (vec![s], vec![]),
        Op::Store(s) | Op::UnconsHead(s, _) => (vec![], vec![s]),
        Op::UnconsInto(h, t, _) => (vec![], vec![h, t]),
        Op::UnconsSlot(s, h, _) => (vec![s], vec![h, s]),
        Op::NewChannel(a, b, _) => (vec![], vec![a, b]),
        Op::Record(k) => (
            code.records
                .get(k as usize)
                .map_or_else(Vec::new, |r| r.captures.to_vec()),
            vec![],
        ),
        Op::Fork(k) => (
            code.forks.get(k as usize).map_or_else(Vec::new, |arms| {
                arms.iter()
                    .flat_map(|a| a.captures.iter().copied())
                    .collect()
            }),
            vec![],
        ),
        Op::Race(k) => (
            code.races
                .get(k as usize)
                .map_or_else(Vec::new, |s| s.to_vec()),
            vec![],
        ),
        Op::Split(k) => (
            vec![],
            code.splits
                .get(k as usize)
                .map_or_else(Vec::new, |s| s.to_vec()),
        ),
        _ => (vec![], vec![]),
    };
    Effect { uses, defs }
}

pub(super) fn test(bits: &[u64], s: u32) -> bool {
    bits.get(s as usize / 64)
        .is_some_and(|w| w & (1 << (s % 64)) != 0)
}

fn set(bits: &mut [u64], s: u32) {
    if let Some(w) = bits.get_mut(s as usize / 64) {
        *w |= 1 << (s % 64);
    }
}

fn clear(bits: &mut [u64], s: u32) {
    if let Some(w) = bits.get_mut(s as usize / 64) {
        *w &= !(1 << (s % 64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::BinOp;

    fn moved(mut ops: Vec<Op>, slots: u32) -> Vec<Op> {
        move_last_uses(&mut ops, slots, &Code::default());
        ops
    }

    #[test]
    fn only_the_last_read_of_a_slot_moves() {
        let ops = moved(vec![Op::Load(0), Op::Load(0), Op::Add, Op::Return], 1);
        assert_eq!(ops[..2], [Op::Load(0), Op::Move(0)]);
    }

    #[test]
    fn a_slot_read_on_another_branch_is_still_moved_on_this_one() {
        // 0: if s1 == 0 goto 3; 1: load s0; 2: return; 3: load s0; 4: load s0; 5: return
        let ops = vec![
            Op::JumpIfNotSlotInt(BinOp::Eq, 1, 0, 3),
            Op::Load(0),
            Op::Return,
            Op::Load(0),
            Op::Load(0),
            Op::Return,
        ];
        let ops = moved(ops, 2);
        assert_eq!(ops[1], Op::Move(0));
        assert_eq!(ops[3..5], [Op::Load(0), Op::Move(0)]);
    }

    #[test]
    fn a_read_after_a_join_keeps_earlier_reads_copies() {
        // 0: load s0; 1: jump-if-false 3; 2: unit; 3: load s0 (both paths read it)
        let ops = vec![
            Op::Load(0),
            Op::JumpIfFalse(3),
            Op::Unit,
            Op::Load(0),
            Op::Return,
        ];
        let ops = moved(ops, 1);
        assert_eq!(ops[0], Op::Load(0));
        assert_eq!(ops[3], Op::Move(0));
    }

    #[test]
    fn a_store_ends_the_old_value_s_life() {
        let ops = moved(
            vec![
                Op::Load(0),
                Op::Int(1),
                Op::Store(0),
                Op::Load(0),
                Op::Return,
            ],
            1,
        );
        assert_eq!(ops[0], Op::Move(0));
        assert_eq!(ops[3], Op::Move(0));
    }

    #[test]
    fn a_backward_jump_leaves_the_function_alone() {
        let ops = moved(vec![Op::Load(0), Op::Jump(0)], 1);
        assert_eq!(ops[0], Op::Load(0));
    }
}
