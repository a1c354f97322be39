//! What the machine tells a traced run's `trace::Trace`: a process started
//! (with its arguments shown briefly) or ended, a service opened, and each
//! `put` and `get` of the program's own code (the traced instructions the
//! compiler emits only when the run is traced). An untraced run never calls
//! into this file: its processes carry trace number 0 and its code has no
//! traced instructions.

use super::RunData;
use super::code::{CFunc, TraceSite};
use super::exec::{Frame, own_call};
use super::hot::{self, InstrResult};
use super::ops::Fault;
use crate::host::RunError;
use crate::ir::FuncId;
use crate::runtime::{Cx, End};
use crate::source::Span;
use crate::trace::{self, Message, ProcessId, What};
use crate::value::Value;

type Ctx<'a> = Cx<'a, Value, RunError>;

/// A new process of function `func` with `init` (captures, then
/// arguments): its trace number, or 0 when the run is not traced.
pub(super) fn start(shared: &RunData, func: FuncId, init: &[Value]) -> ProcessId {
    let Some(trace) = &shared.trace else {
        return 0;
    };
    let (name, args) = described(shared, func, init);
    trace.start(name, args)
}

/// Process `id` became another process by a call in tail position (the
/// wiring's last line, `server(c)` at the end of `client`), with `slots`
/// starting with its arguments.
pub(super) fn became(shared: &RunData, id: ProcessId, func: FuncId, slots: &[Value]) {
    if let Some(trace) = &shared.trace {
        let (name, args) = described(shared, func, slots);
        trace.event(id, What::Became { name, args });
    }
}

/// A process's name and its arguments (in `init`, after its captures)
/// shown briefly.
fn described(shared: &RunData, func: FuncId, init: &[Value]) -> (String, String) {
    let f = shared.code.funcs.get(func as usize);
    let name = f.map_or("?", |f| f.display_name()).to_string();
    let captures = f.map_or(0, |f| f.captures as usize);
    let params = f.map_or(0, |f| f.params as usize);
    let args: Vec<String> = init
        .iter()
        .enumerate()
        .take(captures + params)
        .skip(captures)
        .map(|(slot, v)| match v {
            // A channel by the name the process gives it.
            Value::Chan(_) => f
                .and_then(|f| f.slot_names.get(slot))
                .map_or("_".to_string(), |n| n.to_string()),
            v => trace::brief(&shown(v, shared).0),
        })
        .collect();
    (name, args.join(", "))
}

/// Process `id` ended (`failed`: with a runtime error).
pub(super) fn end(shared: &RunData, id: ProcessId, failed: bool) {
    if let Some(trace) = &shared.trace {
        trace.event(id, What::End { failed });
    }
}

/// Process `id` opened a service, named at `span`; `end` is its end.
pub(super) fn service(shared: &RunData, id: ProcessId, end: &End<Value>, span: Span) {
    if let Some(trace) = &shared.trace {
        let name = trace.text(span).to_string();
        let end = trace::End::new(end.id(), end.side());
        trace.event(id, What::Service { end, name });
    }
}

/// Who acts: the process, the function the `put` or `get` is in, and its
/// callers (in a prelude function, the message is shown at the program's
/// call it runs for).
type Who<'a> = ((&'a RunData, ProcessId), &'a CFunc, &'a [Frame]);

/// `TracedPut(k)`: records the message, then puts it.
pub(super) fn put(
    stack: &mut Vec<Value>,
    cx: &mut Ctx<'_>,
    k: u32,
    ((shared, id), f, frames): Who<'_>,
) -> InstrResult {
    if let (Some(trace), [.., Value::Chan(end), v]) = (&shared.trace, stack.as_slice())
        && trace.wants()
    {
        let message = message(shared, site(shared, k, (f, frames))?, end, v);
        trace.event(id, What::Put(message));
    }
    hot::put(stack, shared, cx)
}

/// `TracedGet(k)`: gets, then records the message got.
pub(super) fn get(
    stack: &mut [Value],
    bp: usize,
    k: u32,
    ((shared, id), f, frames): Who<'_>,
) -> InstrResult<Result<(), End<Value>>> {
    let end = match stack.last() {
        Some(Value::Chan(end)) => end.clone(),
        _ => return hot::get(stack, bp, shared, None),
    };
    let got = hot::get(stack, bp, shared, None)?;
    if got.is_ok()
        && let (Some(trace), Some(v)) = (&shared.trace, stack.last())
        && trace.wants()
    {
        let message = message(shared, site(shared, k, (f, frames))?, &end, v);
        trace.event(id, What::Get(message));
    }
    Ok(got)
}

/// Trace site `k`; in a prelude function `f`, placed at the program's call
/// it runs for (the channel stays as the prelude function names it).
fn site(shared: &RunData, k: u32, (f, frames): (&CFunc, &[Frame])) -> InstrResult<TraceSite> {
    let site = shared.code.trace_sites.get(k as usize).copied();
    let site = site.ok_or_else(|| Fault::internal("unknown trace site"))?;
    let caller = own_call(f, &shared.code, frames);
    Ok(TraceSite {
        at: caller.unwrap_or(site.at),
        ..site
    })
}

fn message(shared: &RunData, site: TraceSite, end: &End<Value>, v: &Value) -> Message {
    let (value, label) = shown(v, shared);
    Message {
        end: trace::End::new(end.id(), end.side()),
        at: site.at,
        channel: site.channel,
        value,
        label,
    }
}

/// A value as `show` writes it, cut at `trace::FULL` characters (a long
/// string or byte list is cut before it is shown), and whether it is a
/// label or constructor without fields.
fn shown(v: &Value, shared: &RunData) -> (String, bool) {
    let program = &shared.program;
    let text = match v {
        Value::Str(t) if t.len() > trace::FULL => {
            let s: String = t.chars().iter().take(trace::FULL).collect();
            format!("{}…", crate::value::show(&Value::string(&s), program))
        }
        Value::Bytes(bytes, start) if bytes.len() - *start as usize > trace::FULL => {
            format!("<{} bytes>", bytes.len() - *start as usize)
        }
        v => trace::cut(&crate::value::show(v, program), trace::FULL),
    };
    (text, matches!(v, Value::Tag(_)))
}
