//! What one channel end's mailbox holds: the messages sent to that end, or
//! the one task waiting there for the next of them. Never both: a task
//! parks only where nothing is queued, and the first message to arrive
//! takes it out. [`Inbox`] says so in its type, and that is what makes it
//! small: the waiting task shares the bytes of the message queue, so a
//! mailbox is 48 bytes instead of 64 and a channel (two mailboxes and its
//! id in one allocation) fits mimalloc's 128-byte class instead of the
//! 160-byte one: 32 bytes less for every parked process (bench/RESULTS.md,
//! "spawn").
//!
//! One queued message, the usual case for a protocol step, is held without
//! a buffer; a buffer is made at the second (a label and its value are
//! two) and kept while messages keep coming. A task parking here gives the
//! buffer back to the caller (the mailbox keeps it in its rarely used part
//! for the next burst: an allocation per burst cost the `lines` benchmark
//! 11 % more instructions); one that grew past [`SHRINK_ABOVE`] messages is
//! freed as soon as it drains.
//!
//! Not here: locking (the mailbox's mutex), races and forwards (the
//! mailbox's rarely used part), and what a parked task is (the scheduler's
//! business; it is stored type-erased as [`Parked`]).

use std::any::Any;
use std::collections::VecDeque;
use std::mem;

/// A parked task as the channel stores it; the scheduler knows its type.
pub(crate) type Parked = Box<dyn Any + Send>;

/// Queues that grew past this many slots are freed once they drain.
pub(crate) const SHRINK_ABOVE: usize = 256;

/// The messages sent to one end, or the task waiting for them.
#[derive(Default)]
pub(crate) enum Inbox<M> {
    /// Nothing queued, nobody waiting.
    #[default]
    Empty,
    /// One message queued.
    One(M),
    /// Messages in order, oldest first (maybe none: a buffer kept for the
    /// next burst).
    Many(VecDeque<M>),
    /// A task waiting for the next message; nothing is queued.
    Waiting(Parked),
}

impl<M> Inbox<M> {
    /// Messages queued.
    pub(crate) fn len(&self) -> usize {
        match self {
            Inbox::One(_) => 1,
            Inbox::Many(q) => q.len(),
            Inbox::Empty | Inbox::Waiting(_) => 0,
        }
    }

    /// No message is queued (a task may be waiting).
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Queues `msg` and hands back the task that was waiting here, if any.
    /// Messages go into `spare`'s buffer (taken from it; see
    /// [`Inbox::park`]) if it has one, else the first is held alone and
    /// a buffer is made for the second.
    #[inline(always)]
    pub(crate) fn push(&mut self, msg: M, spare: Option<&mut VecDeque<M>>) -> Option<Parked> {
        match self {
            Inbox::Many(q) => {
                q.push_back(msg);
                None
            }
            Inbox::One(_) => {
                self.queue_second(msg);
                None
            }
            Inbox::Empty | Inbox::Waiting(_) => {
                let next = match spare {
                    Some(q) if q.capacity() > 0 => {
                        let mut q = mem::take(q);
                        q.push_back(msg);
                        Inbox::Many(q)
                    }
                    _ => Inbox::One(msg),
                };
                match mem::replace(self, next) {
                    Inbox::Waiting(task) => Some(task),
                    _ => None,
                }
            }
        }
    }

    /// `push` onto one queued message: both go into a new buffer.
    #[cold]
    fn queue_second(&mut self, msg: M) {
        if let Inbox::One(first) = mem::take(self) {
            *self = Inbox::Many(VecDeque::from([first, msg]));
        }
    }

    /// Takes the oldest message; a large buffer is freed once it drains.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<M> {
        match self {
            Inbox::Many(q) => {
                let msg = q.pop_front();
                if q.is_empty() && q.capacity() > SHRINK_ABOVE {
                    *self = Inbox::Empty;
                }
                msg
            }
            Inbox::One(_) => match mem::take(self) {
                Inbox::One(msg) => Some(msg),
                _ => None,
            },
            Inbox::Empty | Inbox::Waiting(_) => None,
        }
    }

    /// Parks `task` here, unless a message is queued: then the task is
    /// handed back (runnable at once). Gives back the buffer of an earlier
    /// burst, if there was one, empty: a caller that keeps it and passes it to the next
    /// [`Inbox::push`] saves an allocation per burst (a label and its
    /// value are a burst of two).
    pub(crate) fn park(&mut self, task: Parked) -> Result<Option<VecDeque<M>>, Parked> {
        if !self.is_empty() {
            return Err(task);
        }
        debug_assert!(self.waiter().is_none(), "two tasks parked on one end");
        match mem::replace(self, Inbox::Waiting(task)) {
            Inbox::Many(q) => Ok(Some(q)),
            _ => Ok(None),
        }
    }

    /// The task waiting here, if any.
    pub(crate) fn waiter(&self) -> Option<&Parked> {
        match self {
            Inbox::Waiting(task) => Some(task),
            _ => None,
        }
    }

    /// Takes the task waiting here, if any.
    pub(crate) fn take_waiter(&mut self) -> Option<Parked> {
        match self {
            Inbox::Waiting(_) => match mem::take(self) {
                Inbox::Waiting(task) => Some(task),
                _ => None,
            },
            _ => None,
        }
    }

    /// Takes every queued message, oldest first (a waiting task stays).
    pub(crate) fn take_messages(&mut self) -> VecDeque<M> {
        match self {
            Inbox::Empty | Inbox::Waiting(_) => VecDeque::new(),
            Inbox::One(_) | Inbox::Many(_) => match mem::take(self) {
                Inbox::One(msg) => VecDeque::from([msg]),
                Inbox::Many(q) => q,
                _ => VecDeque::new(),
            },
        }
    }

    /// Queues `msgs` after the messages already here, in order, and hands
    /// back the task that was waiting, if there was one and `msgs` is not
    /// empty.
    pub(crate) fn append(&mut self, mut msgs: VecDeque<M>) -> Option<Parked> {
        if msgs.is_empty() {
            return None;
        }
        match mem::take(self) {
            Inbox::Empty => *self = Inbox::Many(msgs),
            Inbox::Waiting(task) => {
                *self = Inbox::Many(msgs);
                return Some(task);
            }
            Inbox::One(first) => {
                msgs.push_front(first);
                *self = Inbox::Many(msgs);
            }
            Inbox::Many(mut q) => {
                q.append(&mut msgs);
                *self = Inbox::Many(q);
            }
        }
        None
    }

    /// Slots of the buffer, if one is kept (tests).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        match self {
            Inbox::Many(q) => q.capacity(),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<M>(inbox: &mut Inbox<M>) -> Vec<M> {
        std::iter::from_fn(|| inbox.pop()).collect()
    }

    /// Pushes with no spare buffer.
    fn push<M>(inbox: &mut Inbox<M>, msg: M) -> Option<Parked> {
        inbox.push(msg, None)
    }

    #[test]
    fn an_inbox_is_as_small_as_its_message_queue() {
        // Messages of three words (like the evaluator's); the waiting task
        // shares the queue's bytes.
        assert_eq!(mem::size_of::<Inbox<[u64; 3]>>(), 32);
        assert_eq!(
            mem::size_of::<Inbox<[u64; 3]>>(),
            mem::size_of::<VecDeque<u64>>()
        );
    }

    #[test]
    fn messages_come_out_in_the_order_they_went_in() {
        let mut inbox = Inbox::default();
        for i in 0..10 {
            assert!(push(&mut inbox, i).is_none());
            assert_eq!(inbox.len(), i + 1);
        }
        assert_eq!(drain(&mut inbox), (0..10).collect::<Vec<_>>());
        assert!(inbox.is_empty());
        push(&mut inbox, 10);
        assert_eq!(drain(&mut inbox), vec![10]);
    }

    #[test]
    fn a_task_parks_only_where_nothing_is_queued_and_the_next_message_wakes_it() {
        let mut inbox = Inbox::default();
        push(&mut inbox, 1);
        assert!(inbox.park(Box::new(7u8)).is_err(), "a message waits");
        assert_eq!(inbox.pop(), Some(1));
        assert!(inbox.park(Box::new(7u8)).is_ok());
        assert!(inbox.waiter().is_some());
        assert_eq!(inbox.pop(), None, "a waiting task is not a message");
        let woken = push(&mut inbox, 2).expect("the waiting task is handed back");
        assert_eq!(woken.downcast_ref::<u8>(), Some(&7));
        assert!(inbox.waiter().is_none());
        assert_eq!(inbox.pop(), Some(2));
    }

    #[test]
    fn a_bursts_buffer_comes_back_at_the_next_park_and_serves_the_next_burst() {
        let mut inbox = Inbox::default();
        let mut spare = VecDeque::new();
        inbox.push(1, Some(&mut spare));
        inbox.push(2, Some(&mut spare));
        assert_eq!(drain(&mut inbox), vec![1, 2]);
        let Ok(Some(buffer)) = inbox.park(Box::new(7u8)) else {
            panic!("nothing is queued, and a buffer was made")
        };
        assert!(buffer.is_empty() && buffer.capacity() >= 2);
        let (kept, cap) = (buffer.as_slices().0.as_ptr(), buffer.capacity());
        spare = buffer;
        assert!(inbox.push(3, Some(&mut spare)).is_some(), "the task wakes");
        inbox.push(4, Some(&mut spare));
        assert_eq!(spare.capacity(), 0, "the buffer was taken");
        assert_eq!(inbox.capacity(), cap);
        let Inbox::Many(q) = &inbox else {
            panic!("two messages are queued")
        };
        assert_eq!(q.as_slices().0.as_ptr(), kept, "the same buffer");
        assert_eq!(drain(&mut inbox), vec![3, 4]);
    }

    #[test]
    fn appended_messages_follow_the_queued_ones_and_wake_a_waiting_task() {
        let mut inbox = Inbox::default();
        push(&mut inbox, 1);
        assert!(inbox.append(VecDeque::from([2, 3])).is_none());
        assert_eq!(inbox.take_messages(), VecDeque::from([1, 2, 3]));
        assert!(inbox.is_empty());
        assert!(inbox.park(Box::new(5u8)).is_ok());
        assert!(inbox.append(VecDeque::new()).is_none(), "nothing arrived");
        assert!(inbox.take_messages().is_empty(), "the task stays");
        assert!(inbox.append(VecDeque::from([4])).is_some());
        assert_eq!(drain(&mut inbox), vec![4]);
    }

    #[test]
    fn a_large_buffer_is_freed_once_it_drains_and_a_small_one_kept() {
        let mut inbox = Inbox::default();
        for i in 0..10_000u64 {
            push(&mut inbox, i);
        }
        drain(&mut inbox);
        assert_eq!(inbox.capacity(), 0);
        push(&mut inbox, 1);
        push(&mut inbox, 2);
        drain(&mut inbox);
        assert!(
            inbox.capacity() > 0,
            "a small buffer is kept for the next burst"
        );
    }
}
