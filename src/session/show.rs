//! How the session prints what it holds: the value of an expression with
//! its type (`3 : Int`), and after each line the channels the line made or
//! moved on, in the checker's readable form (`svc : get String, StringLookup`).

use super::{Held, Session};
use crate::value::show_typed;

impl Session {
    /// Prints `it`, the value of the expression just run, with its type.
    pub(super) fn print_it(&self) {
        let Some(it) = self.held.iter().find(|h| h.binding.name == "it") else {
            return;
        };
        // `()` (type `void`) is not worth a line; a value holding a channel has nothing
        // to show but its type, which the list of changed channels gives.
        if it.binding.ty == "void" || it.binding.linear {
            return;
        }
        let shown = show_typed(&it.value, &it.binding.show, self.live.program());
        self.say(&format!("{shown} : {}", it.binding.ty));
    }

    /// Prints each channel that is new or in another state than `before`.
    pub(super) fn print_changes(&self, before: &[Held]) {
        for h in &self.held {
            let b = &h.binding;
            if !b.channel {
                continue;
            }
            let old = before.iter().find(|o| o.binding.name == b.name);
            if old.is_none_or(|o| o.binding.ty != b.ty) {
                self.say(&format!("{} : {}", b.name, b.ty));
            }
        }
    }

    /// `:channels`: every channel the session holds and its state.
    pub(super) fn print_channels(&self) {
        let channels: Vec<&Held> = self.held.iter().filter(|h| h.binding.channel).collect();
        if channels.is_empty() {
            return self.say("the session holds no channels");
        }
        for h in channels {
            self.say(&format!("{} : {}", h.binding.name, h.binding.ty));
        }
    }
}
