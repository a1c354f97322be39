//! The soundness guard: in debug builds, every message a process sends is
//! checked against the protocol state of the sending end (the automata of
//! `ir::Monitor`, built by the checker), and every message received moves
//! the receiving end on. A mismatch means the checker let through a program
//! it should not have: the run stops with an internal-error report.
//!
//! Release builds do not build a guard (`Guard::for_build`), so the hot
//! path pays nothing there. Ends the guard does not know (a service's own
//! end, a channel made outside the checked program) are not checked.

use crate::ir::{MonNode, Monitor, MsgKind, ServiceId};
use crate::runtime::{ChannelId, End, Side};
use crate::value::Value;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

pub struct Guard {
    monitor: Arc<Monitor>,
    states: Mutex<HashMap<(ChannelId, Side), u32>>,
}

impl Guard {
    /// A guard in debug builds, none in release builds.
    pub fn for_build(monitor: &Monitor) -> Option<Guard> {
        cfg!(debug_assertions).then(|| Guard::new(monitor))
    }

    pub fn new(monitor: &Monitor) -> Guard {
        Guard {
            monitor: Arc::new(monitor.clone()),
            states: Mutex::new(HashMap::new()),
        }
    }

    fn node(&self, n: u32) -> &MonNode {
        self.monitor.nodes.get(n as usize).unwrap_or(&MonNode::Any)
    }

    fn set(&self, end: &End<Value>, n: u32) {
        self.states.lock().insert((end.id(), end.side()), n);
    }

    /// A new channel whose ends start in the states `(x, y)`.
    pub fn created(&self, a: &End<Value>, b: &End<Value>, (x, y): (u32, u32)) {
        self.set(a, x);
        self.set(b, y);
    }

    /// The program's end of a new service connection.
    pub fn service(&self, end: &End<Value>, s: ServiceId) {
        if let Some(&n) = self.monitor.services.get(&s) {
            self.set(end, n);
        }
    }

    /// Checks a send on `end` and moves it on; `Err` describes a message
    /// the protocol does not allow.
    pub fn put(&self, end: &End<Value>, v: &Value) -> Result<(), String> {
        let key = (end.id(), end.side());
        let mut states = self.states.lock();
        let Some(&n) = states.get(&key) else {
            return Ok(());
        };
        let next = match self.node(n) {
            MonNode::Any => return Ok(()),
            MonNode::Msg {
                put: true,
                kind,
                next,
            } if fits(*kind, v) => *next,
            MonNode::Choice {
                put: true,
                branches,
            } => match v {
                Value::Tag(t) => match branches.iter().find(|(b, _)| b == t) {
                    Some((_, next)) => *next,
                    None => return Err(format!("label #{t} is not offered here")),
                },
                _ => return Err("a value was sent where a label is chosen".into()),
            },
            other => {
                return Err(format!(
                    "sent {} where the protocol is at {}",
                    describe(v),
                    state(other)
                ));
            }
        };
        states.insert(key, next);
        Ok(())
    }

    /// Moves `end` on after it received `v`.
    pub fn got(&self, end: &End<Value>, v: &Value) {
        let key = (end.id(), end.side());
        let mut states = self.states.lock();
        let Some(&n) = states.get(&key) else { return };
        let next = match (self.node(n), v) {
            (
                MonNode::Msg {
                    put: false, next, ..
                },
                _,
            ) => *next,
            (
                MonNode::Choice {
                    put: false,
                    branches,
                },
                Value::Tag(t),
            ) => match branches.iter().find(|(b, _)| b == t) {
                Some((_, next)) => *next,
                None => 0,
            },
            _ => 0,
        };
        states.insert(key, next);
    }

    /// A fork on `forked`: its arms' halves take the protocol's two parts,
    /// and the halves sent to the other side take the parts of its state.
    pub fn forked(&self, forked: &End<Value>, near: &[End<Value>], far: &[End<Value>]) {
        let mut states = self.states.lock();
        let mine = states.get(&(forked.id(), forked.side())).copied();
        let theirs = states.get(&(forked.id(), forked.side().other())).copied();
        for (ends, state) in [(near, mine), (far, theirs)] {
            let Some(MonNode::Fork { a, b, .. }) = state.map(|n| self.node(n)) else {
                continue;
            };
            for (end, n) in ends.iter().zip([*a, *b]) {
                states.insert((end.id(), end.side()), n);
            }
        }
    }
}

fn fits(kind: MsgKind, v: &Value) -> bool {
    match (kind, v) {
        (MsgKind::Any, _) => true,
        (MsgKind::Int, Value::Int(_)) => true,
        (MsgKind::Float, Value::Float(_)) => true,
        (MsgKind::Char, Value::Char(_)) => true,
        (MsgKind::Byte, Value::Byte(_)) => true,
        (MsgKind::Bool, Value::Bool(_)) => true,
        (MsgKind::Unit, Value::Unit) => true,
        (MsgKind::List, v) => v.is_list(),
        (MsgKind::Tuple(n), Value::Tuple(items)) => items.len() == n as usize,
        (MsgKind::Data, Value::Tag(_) | Value::Data(..)) => true,
        (MsgKind::Record, Value::Record(_)) => true,
        (MsgKind::Chan, Value::Chan(_)) => true,
        _ => false,
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Tag(_) => "a label",
        Value::Chan(_) => "a channel",
        _ => "a value",
    }
}

fn state(n: &MonNode) -> &'static str {
    match n {
        MonNode::Msg { put: true, .. } => "a `put` of another kind of value",
        MonNode::Msg { put: false, .. } => "a `get`",
        MonNode::Choice { put: true, .. } => "a choice this end makes",
        MonNode::Choice { put: false, .. } => "a choice the other end makes",
        MonNode::Close => "`close`",
        MonNode::Fork { .. } => "a fork",
        MonNode::Any => "an unchecked step",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::channel;

    /// put Int, close — seen from the first end.
    fn monitor() -> Monitor {
        let nodes = vec![
            MonNode::Any,
            MonNode::Msg {
                put: true,
                kind: MsgKind::Int,
                next: 2,
            },
            MonNode::Close,
            MonNode::Msg {
                put: false,
                kind: MsgKind::Int,
                next: 2,
            },
        ];
        Monitor {
            nodes,
            services: HashMap::new(),
        }
    }

    #[test]
    fn guard_accepts_what_the_protocol_allows() {
        let g = Guard::new(&monitor());
        let (a, b) = channel::<Value>();
        g.created(&a, &b, (1, 3));
        assert!(g.put(&a, &Value::Int(1)).is_ok());
        g.got(&b, &Value::Int(1));
    }

    #[test]
    fn guard_rejects_a_message_of_the_wrong_kind() {
        let g = Guard::new(&monitor());
        let (a, b) = channel::<Value>();
        g.created(&a, &b, (1, 3));
        assert!(g.put(&a, &Value::Bool(true)).is_err());
    }

    #[test]
    fn guard_rejects_a_send_after_close() {
        let g = Guard::new(&monitor());
        let (a, b) = channel::<Value>();
        g.created(&a, &b, (1, 3));
        assert!(g.put(&a, &Value::Int(1)).is_ok());
        assert!(g.put(&a, &Value::Int(2)).is_err());
    }

    #[test]
    fn guard_rejects_a_send_where_the_end_receives() {
        let g = Guard::new(&monitor());
        let (a, b) = channel::<Value>();
        g.created(&a, &b, (1, 3));
        assert!(g.put(&b, &Value::Int(1)).is_err());
    }
}
