//! Channels: [`ChannelId`], [`Side`], the [`End`] handle, the mailbox behind
//! each end, and [`forward`] (`a := b`).
//!
//! A channel has two ends; each end owns a mailbox (the messages sent *to*
//! that end or the one task parked there for them, an [`Inbox`], and an
//! optional redirect set by a forward). Both mailboxes and the channel's
//! id sit in one allocation (`Pair`); an [`End`] is that allocation and a
//! side. `put` on an end
//! appends to the *peer's* mailbox. This file does not schedule anything:
//! delivering a message may hand back a parked task (type-erased as
//! [`Parked`]) that the scheduler must make runnable; the public
//! put/forward entry points live on `Cx` and `Handle`.
//!
//! A task may also wait on several ends at once (`race`): it is parked in a
//! shared [`RaceSlot`] that each of those mailboxes points to, and the
//! first message to arrive at any of them takes it out. A mailbox a race
//! has looked at stamps each later arrival from one global counter, so a
//! race can tell which of its channels received first.
//!
//! Locking: a put or a get locks one mailbox at a time; a forward locks two,
//! always in address order; a race slot is locked after a mailbox, or on
//! its own, never before one. Nothing that can run user drops (messages,
//! tasks) runs while a mailbox lock is held.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Mutex, MutexGuard};

use super::inbox::Inbox;
pub(crate) use super::inbox::Parked;
use super::scheduler::Handle;

/// Identifies one channel (both of its ends).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct ChannelId(pub u64);

/// Which end of a channel: `A` is the first end [`channel`] returns.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Side {
    A,
    B,
}

impl Side {
    /// The opposite end.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

static NEXT_CHANNEL: AtomicU64 = AtomicU64::new(1);

/// Arrival stamps for mailboxes a race watches (0: arrived before).
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

/// Where a task waiting on several ends (a `race`) is parked: the first
/// delivery to any of them takes it.
pub(crate) struct RaceSlot {
    task: Mutex<Option<Parked>>,
}

/// A channel: its identity and both ends' mailboxes, in one allocation
/// (one `Arc` per end cost 32 bytes more per channel, and a second
/// allocation per `new`; bench/RESULTS.md, spawn).
struct Pair<M> {
    id: ChannelId,
    /// End `B`'s reader takes a run of items as one message: set by
    /// [`channel_taking_runs`], read by [`End::peer_takes_runs`].
    b_takes_runs: bool,
    /// Indexed by [`Side`]: the messages sent *to* that end.
    mailboxes: [Mutex<Mailbox<M>>; 2],
}

/// One end's mailbox, named by its channel and side: where a forward
/// redirects and where the scheduler notes a task parked.
pub(crate) struct Half<M> {
    pair: Arc<Pair<M>>,
    side: Side,
}

impl<M> Clone for Half<M> {
    fn clone(&self) -> Self {
        Half {
            pair: self.pair.clone(),
            side: self.side,
        }
    }
}

struct Mailbox<M> {
    /// Messages sent to this end, or the task waiting for them.
    inbox: Inbox<M>,
    /// What only a mailbox that a race watched or a forward joined needs.
    /// Boxed, and made on first need: most channels never race or
    /// forward, and a parked process's channel is a large part of its
    /// memory (a mailbox went from 112 to 64 bytes, two per channel, and to
    /// 48 with [`Inbox`]; bench/RESULTS.md).
    rare: Option<Box<Rare<M>>>,
}

struct Rare<M> {
    /// A race waiting here among other ends (its slot may have been
    /// emptied by a delivery elsewhere: then it is stale, and ignored).
    racer: Option<Arc<RaceSlot>>,
    /// Set once a race has looked here: later arrivals are stamped.
    watched: bool,
    /// The stamps of the newest `stamps.len()` messages of `queue` (older
    /// ones arrived before the mailbox was watched).
    stamps: VecDeque<u64>,
    /// Set by a forward: every later message goes to this mailbox instead.
    redirect: Option<Half<M>>,
    /// The buffer of the last burst of messages, kept empty while a task
    /// waits here, for the next burst ([`Inbox::park`]).
    spare: VecDeque<M>,
}

impl<M> Rare<M> {
    /// Takes the race waiting here, if its task is still in its slot.
    fn take_racer(&mut self) -> Option<Parked> {
        self.racer.take()?.task.lock().take()
    }
}

impl<M> Mailbox<M> {
    fn new() -> Mutex<Self> {
        Mutex::new(Mailbox {
            inbox: Inbox::Empty,
            rare: None,
        })
    }

    /// Takes the task waiting here, alone or in a race.
    fn take_waiter(&mut self) -> Option<Parked> {
        if let Some(p) = self.inbox.take_waiter() {
            return Some(p);
        }
        self.rare.as_mut()?.take_racer()
    }

    /// The rarely used part, made now if it was not.
    fn rare(&mut self) -> &mut Rare<M> {
        self.rare.get_or_insert_with(|| {
            Box::new(Rare {
                racer: None,
                watched: false,
                stamps: VecDeque::new(),
                redirect: None,
                spare: VecDeque::new(),
            })
        })
    }

    /// Where a forward sends this mailbox's messages, if it was joined.
    fn redirect(&self) -> Option<&Half<M>> {
        self.rare.as_ref()?.redirect.as_ref()
    }
}

impl<M> Half<M> {
    pub(crate) fn id(&self) -> ChannelId {
        self.pair.id
    }

    pub(crate) fn side(&self) -> Side {
        self.side
    }

    fn mailbox(&self) -> &Mutex<Mailbox<M>> {
        &self.pair.mailboxes[self.side as usize]
    }

    /// The other end's mailbox.
    fn peer_mailbox(&self) -> &Mutex<Mailbox<M>> {
        &self.pair.mailboxes[self.side.other() as usize]
    }

    /// The other end.
    fn peer(&self) -> Half<M> {
        Half {
            pair: self.pair.clone(),
            side: self.side.other(),
        }
    }

    /// Address of the mailbox: distinct for each end, stable while held.
    fn addr(&self) -> usize {
        self.mailbox() as *const Mutex<Mailbox<M>> as usize
    }

    /// Looks at the parked task (alone or in a race), if any, leaving it
    /// parked.
    pub(crate) fn with_parked<T>(&self, f: impl FnOnce(&Parked) -> T) -> Option<T> {
        let g = self.mailbox().lock();
        if let Some(p) = g.inbox.waiter() {
            return Some(f(p));
        }
        let slot = g.rare.as_ref()?.racer.as_ref()?.task.lock();
        slot.as_ref().map(f)
    }

    /// Takes the parked task (alone or in a race) if `is_it` accepts it
    /// (used at the end of a run).
    pub(crate) fn take_parked_if(&self, is_it: impl FnOnce(&Parked) -> bool) -> Option<Parked> {
        let mut g = self.mailbox().lock();
        if let Some(p) = g.inbox.waiter() {
            return if is_it(p) {
                g.inbox.take_waiter()
            } else {
                None
            };
        }
        let mut slot = g.rare.as_ref()?.racer.as_ref()?.task.lock();
        match &*slot {
            Some(p) if is_it(p) => slot.take(),
            _ => None,
        }
    }
}

/// One end of a bidirectional channel: a cheap handle (an `Arc` and a
/// side). Cloning it does not make a new end; the evaluator keeps its use
/// linear.
pub struct End<M> {
    this: Half<M>,
}

impl<M> Clone for End<M> {
    fn clone(&self) -> Self {
        End {
            this: self.this.clone(),
        }
    }
}

impl<M> fmt::Debug for End<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chan#{}.{:?}", self.this.id().0, self.this.side)
    }
}

/// Makes a new channel with a fresh [`ChannelId`]; returns ends `A` and `B`.
pub fn channel<M>() -> (End<M>, End<M>) {
    new_channel(false)
}

/// [`channel`] for a reader of end `B` that takes a run of items as one
/// message (a service whose protocol sends items one by one, where the
/// writer may send several at once: the runtime only records it, the
/// writer and the reader agree on what a run is).
pub fn channel_taking_runs<M>() -> (End<M>, End<M>) {
    new_channel(true)
}

fn new_channel<M>(b_takes_runs: bool) -> (End<M>, End<M>) {
    let id = ChannelId(NEXT_CHANNEL.fetch_add(1, Ordering::Relaxed));
    let pair = Arc::new(Pair {
        id,
        b_takes_runs,
        mailboxes: [Mailbox::new(), Mailbox::new()],
    });
    let a = Half {
        pair,
        side: Side::A,
    };
    let b = a.peer();
    (End { this: a }, End { this: b })
}

/// `a := b`: joins two ends held by one task, waking tasks parked on the
/// peers when messages move to them. Same as [`Handle::forward`]; inside a
/// task prefer `Cx::forward`, which keeps woken tasks on the current worker.
pub fn forward<M: Send + 'static, E: Send + 'static>(a: End<M>, b: End<M>, h: &Handle<M, E>) {
    h.forward(a, b);
}

impl<M> End<M> {
    pub fn id(&self) -> ChannelId {
        self.this.id()
    }

    pub fn side(&self) -> Side {
        self.this.side
    }

    /// True if the reader of what is put on this end takes runs (the end
    /// is the `A` end of a [`channel_taking_runs`]).
    pub fn peer_takes_runs(&self) -> bool {
        self.this.side == Side::A && self.this.pair.b_takes_runs
    }

    /// True if both handles denote the same end.
    pub fn ptr_eq(&self, other: &End<M>) -> bool {
        self.this.addr() == other.this.addr()
    }

    /// Takes the next message sent to this end, if one is queued.
    pub fn try_get(&self) -> Option<M> {
        let mut guard = self.this.mailbox().lock();
        let g = &mut *guard;
        match &mut g.rare {
            Some(rare) if !rare.stamps.is_empty() => {
                let msg = g.inbox.pop();
                if rare.stamps.len() > g.inbox.len() {
                    rare.stamps.pop_front();
                }
                msg
            }
            // Returned straight from the pop: kept in a variable across
            // the stamp check, the message went through two stack copies
            // the processor stalled on (22 % of the samples in here, in
            // `lines`).
            _ => g.inbox.pop(),
        }
    }

    /// When the oldest message queued at this end arrived (a stamp that
    /// orders arrivals across channels; 0 for one that arrived before the
    /// first call), or `None` when none is queued. Later arrivals here are
    /// stamped from now on.
    pub fn arrival(&self) -> Option<u64> {
        let mut g = self.this.mailbox().lock();
        let queued = g.inbox.len();
        let rare = g.rare();
        rare.watched = true;
        if queued == 0 {
            return None;
        }
        Some(match rare.stamps.len() < queued {
            true => 0,
            false => rare.stamps.front().copied().unwrap_or(0),
        })
    }

    /// Number of messages queued at this end (for tests and diagnostics).
    pub fn queued(&self) -> usize {
        self.this.mailbox().lock().inbox.len()
    }

    pub(crate) fn half(&self) -> &Half<M> {
        &self.this
    }

    /// Address of this end's mailbox, to compare park places cheaply.
    pub(crate) fn half_addr(&self) -> usize {
        self.this.addr()
    }

    /// Appends `msg` to the peer's mailbox (following forwards) and returns
    /// the task parked there, which the caller must make runnable.
    pub(crate) fn deliver(&self, msg: M) -> Option<Parked> {
        let mut g = self.this.peer_mailbox().lock();
        let next = match g.redirect() {
            None => return push(&mut g, msg),
            Some(next) => next.clone(),
        };
        drop(g);
        self.deliver_redirected(next, msg)
    }

    /// Slow path of [`End::deliver`]: walks the redirect chain, then points
    /// the peer's redirect at the final mailbox so later puts take one hop.
    fn deliver_redirected(&self, first: Half<M>, msg: M) -> Option<Parked> {
        let mut cur = first;
        let mut hops = 1;
        loop {
            let mut g = cur.mailbox().lock();
            let next = match g.redirect() {
                None => {
                    let woken = push(&mut g, msg);
                    drop(g);
                    if hops > 1 {
                        let old = self.this.peer_mailbox().lock().rare().redirect.replace(cur);
                        drop(old);
                    }
                    return woken;
                }
                Some(next) => next.clone(),
            };
            drop(g);
            cur = next;
            hops += 1;
        }
    }

    /// Parks `task` in this end's mailbox unless a message is already
    /// queued, in which case the task is handed back (runnable at once).
    pub(crate) fn park(&self, task: Parked) -> Result<(), Parked> {
        let mut g = self.this.mailbox().lock();
        if let Some(mut spare) = g.inbox.park(task)? {
            std::mem::swap(&mut g.rare().spare, &mut spare);
            // The buffer it replaced was taken by a push: nothing to free,
            // and a drop call per park cost 1 % of `lines`.
            match spare.capacity() {
                0 => std::mem::forget(spare),
                _ => drop(spare),
            }
        }
        Ok(())
    }
}

#[inline(always)]
fn push<M>(g: &mut MutexGuard<'_, Mailbox<M>>, msg: M) -> Option<Parked> {
    let g = &mut **g;
    let Some(rare) = &mut g.rare else {
        return g.inbox.push(msg, None);
    };
    let woken = g.inbox.push(msg, Some(&mut rare.spare));
    if rare.watched {
        rare.stamps
            .push_back(NEXT_STAMP.fetch_add(1, Ordering::Relaxed));
    }
    match woken {
        Some(task) => Some(task),
        None => rare.take_racer(),
    }
}

/// Parks `task` on every end of `ends` at once (a `race`) unless one of
/// them already has a message, in which case the task is handed back. The
/// first message to arrive at any of them wakes it; the entries left at
/// the others are stale and ignored.
pub(crate) fn park_race<M>(ends: &[End<M>], task: Parked) -> Result<(), Parked> {
    let slot = Arc::new(RaceSlot {
        task: Mutex::new(Some(task)),
    });
    for e in ends {
        let mut g = e.this.mailbox().lock();
        if !g.inbox.is_empty() {
            drop(g);
            // Take the task back, unless a delivery to an end registered
            // before this one has already woken it.
            return match slot.task.lock().take() {
                Some(t) => Err(t),
                None => Ok(()),
            };
        }
        let old = g.rare().racer.replace(slot.clone());
        drop(g);
        drop(old);
    }
    Ok(())
}

/// Joins `a` and `b` (`a := b`) and returns the tasks to wake (at most two).
pub(crate) fn forward_raw<M>(a: End<M>, b: End<M>) -> [Option<Parked>; 2] {
    let w1 = join_half(&a.this, b.this.peer());
    let w2 = join_half(&b.this, a.this.peer());
    drop((a, b));
    [w1, w2]
}

/// Moves what is queued at `src` to the end of `dst` (following forwards
/// already made there) and redirects every later message from `src` there.
fn join_half<M>(src: &Half<M>, first: Half<M>) -> Option<Parked> {
    let mut dst = first;
    loop {
        if src.addr() == dst.addr() {
            // The two ends were joined to each other: nobody can receive.
            let dropped = src.mailbox().lock().inbox.take_messages();
            drop(dropped);
            return None;
        }
        let (mut gs, mut gd) = lock_pair(src, &dst);
        if let Some(next) = gd.redirect().cloned() {
            drop((gs, gd));
            dst = next;
            continue;
        }
        let moved = gs.inbox.take_messages();
        let waiter = gd.inbox.append(moved);
        // The moved messages lose their stamps: all count as arrived
        // before any stamped one.
        for g in [&mut gs, &mut gd] {
            if let Some(rare) = &mut g.rare {
                rare.stamps.clear();
            }
        }
        gs.rare().redirect = Some(dst.clone());
        return match (waiter, gd.inbox.is_empty()) {
            (Some(task), _) => Some(task),
            (None, true) => None,
            (None, false) => gd.take_waiter(),
        };
    }
}

type Guard<'x, M> = MutexGuard<'x, Mailbox<M>>;

/// Locks two distinct mailboxes in address order; returns (src, dst) guards.
fn lock_pair<'x, M>(src: &'x Half<M>, dst: &'x Half<M>) -> (Guard<'x, M>, Guard<'x, M>) {
    if src.addr() < dst.addr() {
        let gs = src.mailbox().lock();
        (gs, dst.mailbox().lock())
    } else {
        let gd = dst.mailbox().lock();
        (src.mailbox().lock(), gd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn drain<M>(e: &End<M>) -> Vec<M> {
        std::iter::from_fn(|| e.try_get()).collect()
    }

    /// A parked process's channel is most of its memory (bench/RESULTS.md,
    /// spawn): one allocation for both ends, and the race and forward
    /// fields out of line until needed.
    #[test]
    fn a_channel_fits_in_mimallocs_128_byte_class() {
        assert!(std::mem::size_of::<Mutex<Mailbox<[u64; 3]>>>() <= 48);
        assert!(std::mem::size_of::<Pair<[u64; 3]>>() + 16 <= 128);
        assert_eq!(std::mem::size_of::<End<[u64; 3]>>(), 16);
        let (a, b) = channel::<u32>();
        assert!(a.this.mailbox().lock().rare.is_none());
        a.deliver(1);
        assert_eq!(b.arrival(), Some(0));
        assert!(b.this.mailbox().lock().rare.is_some());
    }

    #[test]
    fn only_the_writer_of_a_channel_taking_runs_sees_that_its_peer_takes_them() {
        let (a, b) = channel_taking_runs::<u32>();
        assert!(a.peer_takes_runs());
        assert!(!b.peer_takes_runs());
        let (c, d) = channel::<u32>();
        assert!(!c.peer_takes_runs() && !d.peer_takes_runs());
    }

    #[test]
    fn a_burst_after_a_park_reuses_the_last_bursts_buffer() {
        let (a, b) = channel::<u32>();
        let spare = |e: &End<u32>| {
            let g = e.this.mailbox().lock();
            g.rare.as_ref().map(|r| r.spare.capacity())
        };
        a.deliver(1);
        a.deliver(2);
        assert_eq!(drain(&b), vec![1, 2]);
        assert_eq!(spare(&b), None, "nothing kept before a park");
        assert!(b.park(Box::new(7u8)).is_ok());
        assert!(spare(&b).is_some_and(|c| c >= 2), "kept at the park");
        assert!(a.deliver(3).is_some(), "the parked task wakes");
        a.deliver(4);
        assert_eq!(spare(&b), Some(0), "taken by the next burst");
        assert_eq!(drain(&b), vec![3, 4]);
    }

    #[test]
    fn put_reaches_peer_in_order() {
        let (a, b) = channel::<u32>();
        for i in 0..10 {
            assert!(a.deliver(i).is_none());
        }
        assert_eq!(drain(&b), (0..10).collect::<Vec<_>>());
        assert!(a.try_get().is_none());
        assert_eq!(a.id(), b.id());
        assert_eq!((a.side(), b.side()), (Side::A, Side::B));
        assert_eq!(format!("{a:?}"), format!("chan#{}.A", a.id().0));
    }

    #[test]
    fn park_returns_task_when_message_waits() {
        let (a, b) = channel::<u32>();
        a.deliver(1);
        assert!(b.park(Box::new(7u8)).is_err());
        b.try_get();
        assert!(b.park(Box::new(7u8)).is_ok());
        let woken = a.deliver(2).expect("parked task is handed back");
        assert_eq!(woken.downcast_ref::<u8>(), Some(&7));
    }

    #[test]
    fn a_race_is_woken_by_the_first_delivery_and_later_ones_find_it_gone() {
        let (a, pa) = channel::<u32>();
        let (b, pb) = channel::<u32>();
        assert!(park_race(&[a.clone(), b.clone()], Box::new(5u8)).is_ok());
        let woken = pb.deliver(1).expect("the first delivery wakes the race");
        assert_eq!(woken.downcast_ref::<u8>(), Some(&5));
        assert!(pa.deliver(2).is_none(), "the entry left at `a` is stale");
        assert!(
            park_race(&[a.clone(), b], Box::new(6u8)).is_err(),
            "a message waits"
        );
        assert_eq!(a.try_get(), Some(2));
    }

    #[test]
    fn arrivals_at_watched_ends_are_ordered_across_channels() {
        let (a, pa) = channel::<u32>();
        let (b, pb) = channel::<u32>();
        pa.deliver(1);
        assert_eq!(a.arrival(), Some(0), "arrived before the end was watched");
        assert_eq!(b.arrival(), None);
        pb.deliver(2);
        pa.deliver(3);
        a.try_get();
        let (at_a, at_b) = (a.arrival().unwrap(), b.arrival().unwrap());
        assert!(at_b < at_a, "b's message arrived first: {at_b} < {at_a}");
        b.try_get();
        assert_eq!(b.arrival(), None);
    }

    #[test]
    fn queue_memory_is_released_after_drain() {
        let (a, b) = channel::<u64>();
        for i in 0..10_000 {
            a.deliver(i);
        }
        drain(&b);
        assert!(b.half().mailbox().lock().inbox.capacity() <= super::super::inbox::SHRINK_ABOVE);
    }

    #[test]
    fn forward_moves_queued_then_later_messages_in_order() {
        // p --x-- a [task] b --y-- q ; the task does a := b.
        let (p, a) = channel::<u32>();
        let (b, q) = channel::<u32>();
        p.deliver(1);
        q.deliver(10);
        b.deliver(100); // sent by the task before forwarding
        let woken = forward_raw(a, b);
        assert!(woken.iter().all(Option::is_none));
        p.deliver(2);
        q.deliver(11);
        assert_eq!(drain(&q), vec![100, 1, 2]);
        assert_eq!(drain(&p), vec![10, 11]);
    }

    #[test]
    fn forward_wakes_parked_peer() {
        let (p, a) = channel::<u32>();
        let (b, q) = channel::<u32>();
        assert!(q.park(Box::new(1u8)).is_ok());
        p.deliver(5);
        let woken = forward_raw(a, b);
        assert!(woken[0].is_some());
        assert_eq!(drain(&q), vec![5]);
    }

    #[test]
    fn forward_chains_are_followed_and_compressed() {
        // p -- a1 [t1] b1 -- a2 [t2] b2 -- a3 [t3] b3 -- q
        let (p, a1) = channel::<u32>();
        let (b1, a2) = channel::<u32>();
        let (b2, a3) = channel::<u32>();
        let (b3, q) = channel::<u32>();
        p.deliver(1);
        forward_raw(a2, b2);
        p.deliver(2);
        forward_raw(a1, b1);
        p.deliver(3);
        forward_raw(a3, b3);
        p.deliver(4);
        p.deliver(5);
        q.deliver(9);
        assert_eq!(drain(&q), vec![1, 2, 3, 4, 5]);
        assert_eq!(drain(&p), vec![9]);
    }

    #[test]
    fn forward_of_two_joined_ends_drops_messages() {
        let (x, y) = channel::<u32>();
        x.deliver(1);
        forward_raw(x, y);
    }

    #[test]
    fn forward_with_concurrent_putters_keeps_order() {
        for round in 0..50 {
            let (p, a) = channel::<u32>();
            let (b, q) = channel::<u32>();
            let n = 2000;
            let tp = thread::spawn(move || {
                (0..n).for_each(|i| drop(p.deliver(i)));
                p
            });
            let tq = thread::spawn(move || {
                (0..n).for_each(|i| drop(q.deliver(i)));
                q
            });
            if round % 2 == 0 {
                thread::yield_now();
            }
            forward_raw(a, b);
            let (p, q) = (tp.join().unwrap(), tq.join().unwrap());
            assert_eq!(drain(&q), (0..n).collect::<Vec<_>>());
            assert_eq!(drain(&p), (0..n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn forwards_racing_on_shared_mailboxes_do_not_deadlock() {
        // t1 holds a, b; t2 holds pa, pb: both forward at once (a cycle the
        // checker forbids, but the runtime must not hang on it).
        for _ in 0..200 {
            let (a, pa) = channel::<u32>();
            let (b, pb) = channel::<u32>();
            a.deliver(1);
            pb.deliver(2);
            let t = thread::spawn(move || forward_raw(pa, pb));
            forward_raw(a, b);
            t.join().unwrap();
        }
    }
}
