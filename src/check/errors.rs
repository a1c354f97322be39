//! The checker's errors, as plain data: one enum, one variant per kind of
//! mistake, with named fields. Each kind has a stable code (`E0001`...) and
//! its text (message, labels, help) in one arm of [`CheckError::report`]'s
//! four helpers, grouped by kind. Drawing (miette, colours, layout) lives in
//! `crate::diagnostics`; nothing here decides whether something is an error.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum CheckError {
    UnknownVariable {
        name: String,
        span: Span,
        /// A name in scope close to `name` ("did you mean ...?").
        suggestion: Option<String>,
    },
    UnknownFunction {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    UnknownConstructor {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    UnknownDestructor {
        name: String,
        span: Span,
    },
    UnknownCodata {
        name: String,
        span: Span,
    },
    DuplicateDefinition {
        name: String,
        span: Span,
        first: Span,
    },
    WrongArity {
        name: String,
        span: Span,
        expected: usize,
        found: usize,
    },
    ServiceOutsideWiring {
        name: String,
        span: Span,
    },
    ServiceNamedTwice {
        name: String,
        span: Span,
        first: Span,
    },
    StdinAndConsole {
        span: Span,
        other: Span,
    },
    RecordMethodMissing {
        codata: String,
        method: String,
        span: Span,
    },
    RecordMethodUnknown {
        codata: String,
        method: String,
        span: Span,
    },
    DualOfNonChannel {
        name: String,
        span: Span,
    },
    ImportFailed {
        path: String,
        reason: String,
        span: Span,
    },
    // --- types and protocols (declarations)
    UnknownType {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A protocol was expected (after `neg`, `.after`, in a step).
    NotAProtocol {
        span: Span,
        found: String,
    },
    /// The branches of one choice mix `put` and `get`.
    MixedChoice {
        span: Span,
    },
    /// `loop`, a protocol name, `#p`, `neg` or `fork` followed by more steps.
    StepMustBeLast {
        span: Span,
    },
    LoopOutsideProtocol {
        span: Span,
    },
    /// A step of `.after<...>` does not match the protocol.
    AfterMismatch {
        span: Span,
        state: String,
    },
    // --- types and protocols (bodies), LANGUAGE.md 7.1-7.4
    TypeMismatch {
        expected: String,
        found: String,
        span: Span,
        context: String,
        /// A common confusion this mismatch fits; the help then says how
        /// to do what was meant.
        hint: Option<MismatchHint>,
    },
    /// A name not in scope used twice as a process argument, both times
    /// plain (or both times with `~`): a new channel whose other end was
    /// meant to be `~name` (LANGUAGE.md 6.3).
    ChannelWithoutDual {
        name: String,
        first: Span,
        second: Span,
        /// Both uses were written `~name`.
        dual: bool,
    },
    /// Two arguments of a call have each other's types: they were most
    /// likely written in the wrong order.
    SwappedArguments {
        function: String,
        /// 1-based positions, `first < second`.
        first: usize,
        second: usize,
        first_type: String,
        second_type: String,
        span: Span,
        other: Span,
    },
    /// A channel operation on something that is not a channel.
    NotAChannel {
        span: Span,
        found: String,
        operation: String,
    },
    /// The code does something other than what the protocol expects next.
    ProtocolMismatch {
        channel: String,
        expected: String,
        did: String,
        span: Span,
        /// The label that ends the protocol, when the code closes the
        /// channel where it must first choose (`put(StopTimeService)`).
        ending: Option<String>,
        /// The labels the other side chooses from, when the protocol is at
        /// a received choice.
        offered: Vec<String>,
    },
    /// The channel's protocol has reached `close`, and it is used again.
    ChannelFinished {
        channel: String,
        span: Span,
        did: String,
    },
    /// A label that the protocol does not offer here.
    UnknownLabel {
        channel: String,
        label: String,
        expected: Vec<String>,
        span: Span,
    },
    /// A `switch` on a channel's choice misses labels.
    MissingLabels {
        channel: String,
        missing: Vec<String>,
        span: Span,
    },
    /// A channel (or a value holding one) is used after it was given away.
    UsedAfterMove {
        name: String,
        span: Span,
        moved: Span,
        /// It was closed at `moved` (rather than given away).
        closed: bool,
    },
    /// A process or function ends while a channel it holds is still open.
    ChannelLeftOpen {
        name: String,
        state: String,
        span: Span,
        declared: Span,
        in_function: bool,
    },
    /// A value holding a channel is dropped.
    LinearValueDropped {
        name: String,
        span: Span,
        declared: Span,
    },
    /// A generic function that drops or copies its `t` gets a value that
    /// holds a channel.
    LinearArgument {
        function: String,
        var: String,
        found: String,
        span: Span,
    },
    /// A `#t` parameter promises linear use, and the function breaks it.
    LinearPromiseBroken {
        var: String,
        name: String,
        span: Span,
    },
    /// The paths through a body leave a channel in different states.
    /// Two branches of an `if` or `switch` leave a channel in different
    /// states: `state` at the branch `span` (the one that most likely
    /// forgot something), `other_state` at the branch `other`.
    BranchesDisagree {
        /// The channels concerned: one, or several that this branch leaves
        /// open and the other finishes (then the states are the first's).
        names: Vec<String>,
        state: String,
        span: Span,
        other_state: String,
        other: Span,
        /// This branch leaves the channel open where the other finished it
        /// (most likely a forgotten call, such as a loop's recursion).
        left_open: bool,
        in_function: bool,
    },
    /// An `if` without `else` whose then-branch gives a value of type `ty`.
    IfWithoutElse {
        ty: String,
        span: Span,
    },
    /// `~x`, `:=` or a new channel's two ends with protocols that are not dual.
    NotDual {
        left: String,
        right: String,
        span: Span,
    },
    /// The checker cannot tell a channel's protocol from what it sees.
    ProtocolUnknown {
        name: String,
        span: Span,
    },
    /// Several codata types have this destructor; the receiver's type is
    /// not known yet.
    AmbiguousDestructor {
        name: String,
        span: Span,
    },
    /// Statements after `fork` or `halt`.
    AfterEnd {
        span: Span,
        what: String,
    },
    /// A record method captures a channel.
    RecordCapturesChannel {
        name: String,
        span: Span,
    },
    /// A label used where a value is expected.
    LabelAsValue {
        label: String,
        span: Span,
    },
    // --- termination (fold groups), LANGUAGE.md 7.6
    /// A function in a `fold` group has no `fold by` parameter, or several.
    FoldByMissing {
        function: String,
        span: Span,
        found: usize,
    },
    /// A recursive call in a fold group passes something that is not a
    /// strictly smaller part of the `fold by` parameter.
    FoldNotSmaller {
        function: String,
        param: String,
        span: Span,
        param_span: Span,
    },
    /// `n - k` on an `Int` fold parameter, but no test `n > c` / `n <= c`
    /// bounds `n` from below on this path.
    FoldNotBounded {
        function: String,
        param: String,
        span: Span,
        param_span: Span,
    },
    /// `mpl check --total`: a function recursive outside any fold group.
    RecursionOutsideFold {
        function: String,
        span: Span,
    },
    // --- exhaustiveness, LANGUAGE.md 7.7
    /// A `switch` over data misses some values; `missing` are examples
    /// written as patterns (`Blue`, `Just(Nil)`, `(_, false)`).
    NonExhaustive {
        span: Span,
        missing: Vec<String>,
    },
    // --- wiring, LANGUAGE.md 6.3 and 7.5
    /// Both ends of channel `channel` are given to the process `process`.
    BothEndsOneProcess {
        channel: String,
        process: String,
        span: Span,
        other: Span,
    },
    /// A process declares a channel and keeps both of its ends.
    BothEndsKept {
        channel: String,
        process: String,
        span: Span,
    },
    /// Two channels join the same two processes.
    TwoChannelsBetween {
        first_process: String,
        second_process: String,
        channel: String,
        span: Span,
        other_channel: String,
        other: Span,
    },
    /// The processes and channels one block creates form a cycle; `cycle`
    /// names the processes along it, `span` is the call that closes it.
    WiringCycle {
        cycle: Vec<String>,
        span: Span,
        others: Vec<Span>,
    },
}

/// What a diagnostic shows, independent of how it is drawn.
pub struct Report {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    pub notes: Vec<(Span, String)>,
}

/// A common confusion behind a type mismatch (see `TypeMismatch::hint`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MismatchHint {
    /// `+` on two strings.
    JoinStrings,
    /// A number or `Bool` where a `String` is needed.
    Show,
    /// A `String` put on a channel that takes one `Char` at a time.
    WholeString { channel: String },
    /// A built-in service's name passed where its protocol does not fit;
    /// `fitting` are the services that do.
    Service {
        name: String,
        protocol: String,
        fitting: Vec<String>,
    },
}

impl MismatchHint {
    /// The help for a mismatch that found a value of type `found`.
    fn help(&self, found: &str) -> String {
        match self {
            MismatchHint::JoinStrings => {
                "`+` adds numbers; to join two strings write `a ++ b` (or `concat(a, b)`)".into()
            }
            MismatchHint::Show => {
                format!("turn the `{found}` into a `String` with `show(...)`")
            }
            MismatchHint::WholeString { channel } => format!(
                "`{channel}` takes one `Char` per `put`; to write a whole string use \
                 `writeLine({channel}, text)` (it adds a newline) or `bulkPut({channel}, text)`"
            ),
            MismatchHint::Service {
                name,
                protocol,
                fitting,
            } => {
                let what =
                    format!("`{name}` here is the built-in service of protocol `{protocol}`");
                match fitting.as_slice() {
                    [] => format!("{what}; no service has the type needed here"),
                    [one] => format!("{what}; the service of the type needed here is `{one}`"),
                    names => format!(
                        "{what}; the services of the type needed here are {}",
                        list_words(names)
                    ),
                }
            }
        }
    }
}

/// Puts errors in the order a reader should fix them: the causes first
/// (names that do not resolve, the wiring of processes: a channel whose
/// two ends go to one process makes channels look unused or open), then
/// the rest; each group in source order. Duplicates are dropped.
pub fn order(errors: &mut Vec<CheckError>) {
    errors.sort_by_key(|e| {
        let s = e.span();
        (!e.is_cause(), s.file, s.start)
    });
    errors.dedup();
}

impl CheckError {
    /// A type mismatch with `hint` as the likely confusion behind it (any
    /// other error unchanged).
    pub fn with_hint(mut self, hint: Option<MismatchHint>) -> CheckError {
        if let (CheckError::TypeMismatch { hint: h, .. }, Some(hint)) = (&mut self, hint) {
            *h = Some(hint);
        }
        self
    }

    /// Whether other errors may follow from this one (see [`order`]).
    pub fn is_cause(&self) -> bool {
        use CheckError::*;
        matches!(
            self,
            UnknownVariable { .. }
                | UnknownFunction { .. }
                | UnknownConstructor { .. }
                | UnknownType { .. }
                | ImportFailed { .. }
                | DuplicateDefinition { .. }
                | ChannelWithoutDual { .. }
                | BothEndsOneProcess { .. }
                | BothEndsKept { .. }
                | TwoChannelsBetween { .. }
                | WiringCycle { .. }
        )
    }

    pub fn span(&self) -> Span {
        self.report().span
    }

    pub fn code(&self) -> &'static str {
        self.report().code
    }

    /// What to show for this error: its code, message, labels and help.
    /// Each kind's text is in one arm of one of the functions below; this
    /// match says which (and makes a new kind without text a compile error).
    pub fn report(&self) -> Report {
        use CheckError::*;
        let text = match self {
            UnknownVariable { .. }
            | UnknownFunction { .. }
            | UnknownConstructor { .. }
            | UnknownDestructor { .. }
            | UnknownCodata { .. }
            | DuplicateDefinition { .. }
            | WrongArity { .. }
            | ServiceOutsideWiring { .. }
            | ServiceNamedTwice { .. }
            | StdinAndConsole { .. }
            | RecordMethodMissing { .. }
            | RecordMethodUnknown { .. }
            | DualOfNonChannel { .. }
            | ImportFailed { .. }
            | UnknownType { .. } => name_error(self),
            NotAProtocol { .. }
            | MixedChoice { .. }
            | StepMustBeLast { .. }
            | LoopOutsideProtocol { .. }
            | AfterMismatch { .. }
            | TypeMismatch { .. }
            | IfWithoutElse { .. }
            | SwappedArguments { .. }
            | NotAChannel { .. } => type_error(self),
            ProtocolMismatch { .. }
            | ChannelFinished { .. }
            | UnknownLabel { .. }
            | MissingLabels { .. }
            | UsedAfterMove { .. }
            | ChannelLeftOpen { .. }
            | LinearValueDropped { .. }
            | LinearArgument { .. }
            | LinearPromiseBroken { .. }
            | BranchesDisagree { .. }
            | NotDual { .. }
            | ProtocolUnknown { .. }
            | AmbiguousDestructor { .. }
            | AfterEnd { .. }
            | RecordCapturesChannel { .. }
            | LabelAsValue { .. } => protocol_error(self),
            FoldByMissing { .. }
            | FoldNotSmaller { .. }
            | FoldNotBounded { .. }
            | RecursionOutsideFold { .. }
            | NonExhaustive { .. }
            | BothEndsOneProcess { .. }
            | ChannelWithoutDual { .. }
            | BothEndsKept { .. }
            | TwoChannelsBetween { .. }
            | WiringCycle { .. } => program_error(self),
        };
        text.unwrap_or_else(|| Report {
            code: "E0000",
            message: format!("internal error: no message for {self:?}"),
            span: Span::default(),
            label: "here".into(),
            help: None,
            notes: Vec::new(),
        })
    }
}

/// A report without notes.
fn report(
    code: &'static str,
    message: String,
    span: Span,
    label: &str,
    help: Option<String>,
) -> Report {
    Report {
        code,
        message,
        span,
        label: label.to_string(),
        help,
        notes: Vec::new(),
    }
}

/// "did you mean `X`?" when there is a suggestion, else the usual help.
fn did_you_mean(suggestion: &Option<String>, otherwise: impl FnOnce() -> String) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise(),
    }
}

/// Names, declarations, services and imports (E0001–E0015).
fn name_error(e: &CheckError) -> Option<Report> {
    use CheckError::*;
    let r = report;
    Some(match e {
            UnknownVariable { name, span, suggestion } => r(
                "E0001",
                format!("`{name}` is not defined here"),
                *span,
                "unknown name",
                Some(did_you_mean(suggestion, || format!(
                    "define `{name}` with `let` or as a parameter; a new channel needs `channel {name};` or two uses as process arguments, `{name}` and `~{name}`"
                ))),
            ),
            UnknownFunction { name, span, suggestion } => r(
                "E0002",
                format!("there is no function or process called `{name}`"),
                *span,
                "unknown function",
                Some(did_you_mean(suggestion, || "check the spelling, or declare it; `:browse` in the REPL lists the functions in scope, `:doc NAME` describes one".into())),
            ),
            UnknownConstructor { name, span, suggestion } => r(
                "E0003",
                format!("`{name}` is neither a data constructor nor a protocol label"),
                *span,
                "unknown constructor or label",
                Some(did_you_mean(suggestion, || format!("declare `{name}` in a `data` type or as a label in a `protocol`"))),
            ),
            UnknownDestructor { name, span } => r(
                "E0004",
                format!("no codata type has a destructor called `{name}`"),
                *span,
                "unknown destructor",
                Some("destructors are declared in `codata` types and called as `value.name(...)`".into()),
            ),
            UnknownCodata { name, span } => r(
                "E0005",
                format!("`{name}` is not a codata type"),
                *span,
                "not a codata type",
                Some("`record` builds a value of a type declared with `codata`".into()),
            ),
            DuplicateDefinition { name, span, first } => Report {
                notes: vec![(*first, "first defined here".into())],
                ..r(
                    "E0006",
                    format!("`{name}` is defined twice"),
                    *span,
                    "second definition",
                    Some("one name, one definition: MPL has no overloading; rename one of them".into()),
                )
            },
            WrongArity { name, span, expected, found } => r(
                "E0007",
                format!("`{name}` takes {expected} argument{}, but {found} {} given", plural(*expected), if *found == 1 { "was" } else { "were" }),
                *span,
                "wrong number of arguments",
                Some(format!("pass exactly {expected} argument{}", plural(*expected))),
            ),
            ServiceOutsideWiring { name, span } => r(
                "E0008",
                format!("the service `{name}` can only be named in the top-level wiring"),
                *span,
                "service used inside a declaration",
                Some(format!("pass `{name}` to a process from the top-level statements, and take it as a parameter")),
            ),
            ServiceNamedTwice { name, span, first } => Report {
                notes: vec![(*first, "first named here".into())],
                ..r(
                    "E0009",
                    format!("the service `{name}` is named twice in the wiring"),
                    *span,
                    "second use",
                    Some("each service is one channel and goes to one process; share it through a process that serves the others".into()),
                )
            },
            StdinAndConsole { span, other } => Report {
                notes: vec![(*other, "the other one is named here".into())],
                ..r(
                    "E0010",
                    "`stdin` and `console` read the same input; a program may name only one of them".into(),
                    *span,
                    "second reader of the input",
                    Some("use `console` for lines, or `stdin` for characters, not both".into()),
                )
            },
            RecordMethodMissing { codata, method, span } => r(
                "E0011",
                format!("this record of `{codata}` does not define `{method}`"),
                *span,
                "missing destructor",
                Some(format!("every destructor of `{codata}` needs a body in the record")),
            ),
            RecordMethodUnknown { codata, method, span } => r(
                "E0012",
                format!("`{codata}` has no destructor `{method}`"),
                *span,
                "not a destructor of this codata",
                Some(format!("remove it, or declare `{method}` in `codata {codata}`")),
            ),
            DualOfNonChannel { name, span } => r(
                "E0013",
                format!("`~{name}` names the other end of a new channel, but `{name}` is not one"),
                *span,
                "not a new channel",
                Some(format!("declare the channel with `channel {name};`, or use `{name}` and `~{name}` as two process arguments in one block")),
            ),
            ImportFailed { path, reason, span } => r(
                "E0014",
                format!("cannot import `{path}`: {reason}"),
                *span,
                "import failed",
                Some("paths are relative to the importing file".into()),
            ),
            UnknownType { name, span, suggestion } => r(
                "E0015",
                format!("there is no type called `{name}`"),
                *span,
                "unknown type",
                Some(did_you_mean(suggestion, || "types are Int, Float, Char, Byte, Bool, String, void, lists `[t]`, tuples, and declared data, codata and protocols; generic names are lower-case (`t`) or `#p`".into())),
            ),
        _ => return None,
    })
}

/// Protocol declarations and types (E0016–E0019, E0024, E0050–E0051).
fn type_error(e: &CheckError) -> Option<Report> {
    use CheckError::*;
    let r = report;
    Some(match e {
            NotAProtocol { span, found } => r(
                "E0016",
                format!("a protocol is expected here, but `{found}` is not one"),
                *span,
                "not a protocol",
                Some("`neg<...>`, `.after<...>` and protocol steps take protocols".into()),
            ),
            MixedChoice { span } => r(
                "E0017",
                "the branches of one choice must all start with `put` or all with `get`".into(),
                *span,
                "this branch goes the other way",
                Some("one side chooses: make every label of this choice `put` (this end chooses) or `get` (the other end chooses)".into()),
            ),
            StepMustBeLast { span } => r(
                "E0018",
                "nothing may follow this step in a protocol".into(),
                *span,
                "must be the last step",
                Some("`loop`, `close`, a protocol name, `#p`, `neg<...>`, `fork(...)` and a choice end the sequence; put the other steps before them".into()),
            ),
            LoopOutsideProtocol { span } => r(
                "E0019",
                "`loop` is only meaningful inside a protocol declaration".into(),
                *span,
                "no enclosing protocol",
                Some("name the protocol to continue with instead".into()),
            ),
            AfterMismatch { span, state } => r(
                "E0024",
                format!("this `.after` step does not match the protocol, which is at `{state}`"),
                *span,
                "no such step here",
                Some("list the steps in order: `put Label`, `get Label` for choices, `put`/`get` for messages".into()),
            ),
            TypeMismatch {
                expected,
                found,
                span,
                context,
                hint,
            } => r(
                "E0050",
                format!("type mismatch{context}: expected `{expected}`, found `{found}`"),
                *span,
                &format!("this is `{found}`"),
                Some(match hint {
                    Some(h) => h.help(found),
                    None => format!("a value of type `{expected}` is needed here"),
                }),
            ),
            IfWithoutElse { ty, span } => r(
                "E0053",
                "this `if` has no `else`, so it has no value when its condition is false".into(),
                *span,
                &format!("gives `{ty}` only when the condition holds"),
                Some(format!("add `else {{ ... }}` giving a `{ty}` too")),
            ),
            SwappedArguments {
                function,
                first,
                second,
                first_type,
                second_type,
                span,
                other,
            } => {
                let mut report = r(
                    "E0052",
                    format!(
                        "arguments {first} and {second} of `{function}` are in the wrong order"
                    ),
                    *span,
                    &format!("this is `{second_type}`, which argument {second} takes"),
                    Some(format!(
                        "swap them: `{function}` takes `{first_type}` as argument {first} and `{second_type}` as argument {second}"
                    )),
                );
                report.notes.push((
                    *other,
                    format!("this is `{first_type}`, which argument {first} takes"),
                ));
                report
            }
            NotAChannel { span, found, operation } => r(
                "E0051",
                format!("`{operation}` needs a channel, but this is `{found}`"),
                *span,
                "not a channel",
                Some("channel operations apply to channel ends: parameters with a protocol type, declared channels, or channels received".into()),
            ),
        _ => return None,
    })
}

/// Protocols, labels and linearity (E0060–E0075).
fn protocol_error(e: &CheckError) -> Option<Report> {
    use CheckError::*;
    let r = report;
    Some(match e {
            ProtocolMismatch { channel, expected, did, span, ending, offered } => r(
                "E0060",
                format!("`{channel}` {did}, but its protocol expects `{expected}`"),
                *span,
                &format!("protocol expects `{expected}`"),
                Some(match (ending, offered.as_slice()) {
                    (Some(label), _) => format!("to end the protocol here, choose the label that ends it: `{channel}.put({label});` (after it the channel is closed)"),
                    (None, []) => protocol_help(channel, expected),
                    (None, labels) => format!(
                        "the other side chooses here: receive its choice with `switch ({channel}.get) {{ {} }}`",
                        labels.iter().map(|l| format!("case {l}: ...")).collect::<Vec<_>>().join(" ")
                    ),
                }),
            ),
            ChannelFinished { channel, span, did } => r(
                "E0061",
                format!("`{channel}` has reached `close`: its protocol is finished, and it {did}"),
                *span,
                "the channel is already finished",
                Some("nothing more can cross a closed channel; remove this step or extend the protocol".into()),
            ),
            UnknownLabel { channel, label, expected, span } => r(
                "E0062",
                format!("`{label}` is not a label `{channel}` can use here"),
                *span,
                "unknown label for this channel",
                Some(match super::suggest::closest(label, expected.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`? The protocol offers {}", list_words(expected)),
                    None if expected.is_empty() => "the protocol offers no choice at this point".to_string(),
                    None => format!("the protocol offers {}", list_words(expected)),
                }),
            ),
            MissingLabels { channel, missing, span } => r(
                "E0063",
                format!("this `switch` on `{channel}` does not handle {}", list_words(missing)),
                *span,
                "not every label is handled",
                Some(format!("the other side may choose any label of the protocol: add `case {}:`", missing.first().map_or("", |s| s.as_str()))),
            ),
            UsedAfterMove { name, span, moved, closed } => {
                let (gone, help) = match closed {
                    true => ("closed", format!("a closed channel is finished: move this before the end of `{name}`'s protocol, or remove it")),
                    false => ("given away", "a channel (or a value holding one) is used exactly once: once passed to a process, sent or returned, it is gone".to_string()),
                };
                Report {
                    notes: vec![(*moved, format!("`{name}` was {gone} here"))],
                    ..r("E0064", format!("`{name}` is used after it was {gone}"), *span, "used again here", Some(help))
                }
            }
            ChannelLeftOpen { name, state, span, declared, in_function } => Report {
                notes: vec![(*declared, format!("`{name}` comes from here"))],
                ..r(
                    "E0065",
                    format!("`{name}` is still open when this {} ends: its protocol expects `{state}`", if *in_function { "function" } else { "process" }),
                    *span,
                    &format!("`{name}` still expects `{state}`"),
                    Some(format!("finish the protocol of `{name}` (until `close`), or give it to another process before the end")),
                )
            },
            LinearValueDropped { name, span, declared } => Report {
                notes: vec![(*declared, format!("`{name}` is bound here"))],
                ..r(
                    "E0066",
                    format!("`{name}` holds a channel and is never used"),
                    *span,
                    "the channel inside would be lost",
                    Some(format!("match `{name}` and finish or pass on the channel it holds")),
                )
            },
            LinearArgument { function, var, found, span } => r(
                "E0067",
                format!("`{function}` may drop or copy its `{var}`, so it cannot take `{found}`, which holds a channel"),
                *span,
                "a channel could be lost here",
                Some(format!("match the value yourself, or use a function whose type parameter is written `#{var}` (a promise of linear use)")),
            ),
            LinearPromiseBroken { var, name, span } => r(
                "E0068",
                format!("`{name}` has type `#{var}`, which promises linear use, but it is dropped or copied here"),
                *span,
                "not used exactly once",
                Some("use a `#` parameter exactly once on every path, or write it as a plain `t`".into()),
            ),
            BranchesDisagree {
                names,
                state,
                span,
                other_state,
                other,
                left_open,
                in_function,
            } => {
                let forgot = *left_open;
                let (message, help) = match names.as_slice() {
                    [name] => (
                        format!("the branches leave `{name}` in different states: `{state}` after this one, `{other_state}` after another"),
                        if *in_function {
                            format!("every branch must leave `{name}` in the same state; when only run time can tell, return it inside a `Maybe` (as `receiveLine` does)")
                        } else if forgot {
                            format!("this branch must also finish `{name}` or give it away (to loop, call the process again with it)")
                        } else {
                            format!("make every branch do the same to `{name}`")
                        },
                    ),
                    several => {
                        let list = list_words(several);
                        (
                            format!("the branches leave {list} in different states: open after this one, finished or given away after another"),
                            format!("this branch must also finish {list} or give them away (to loop, call the process again with them)"),
                        )
                    }
                };
                let label = match names.as_slice() {
                    [name] => format!("`{name}` is `{state}` at the end of this branch"),
                    several => format!("{} are still open at the end of this branch", list_words(several)),
                };
                let mut report = r("E0069", message, *span, &label, Some(help));
                if other != span {
                    let note = match names.as_slice() {
                        [_] => format!("here it is `{other_state}`"),
                        _ => "here they are finished or given away".to_string(),
                    };
                    report.notes.push((*other, note));
                }
                report
            }
            NotDual { left, right, span } => r(
                "E0070",
                format!("these channel ends do not fit together: `{left}` and `{right}` are not dual"),
                *span,
                "protocols are not dual",
                Some("the two ends of a channel have dual protocols: every `put` on one side is a `get` on the other; use `neg<...>` for the other end".into()),
            ),
            ProtocolUnknown { name, span } => r(
                "E0071",
                format!("the protocol of `{name}` is not known here"),
                *span,
                "protocol unknown",
                Some(format!("give `{name}` a type: `P {name};` or a parameter type")),
            ),
            AmbiguousDestructor { name, span } => r(
                "E0072",
                format!("several codata types have a destructor `{name}`, and the value's type is not known yet"),
                *span,
                "which codata?",
                Some("annotate the value's type (a typed `let` or parameter)".into()),
            ),
            AfterEnd { span, what } => r(
                "E0073",
                format!("nothing may follow `{what}`: the process has ended"),
                *span,
                "unreachable",
                Some(format!("move this before `{what}`, or into one of its blocks")),
            ),
            RecordCapturesChannel { name, span } => r(
                "E0074",
                format!("a record cannot capture the channel `{name}`"),
                *span,
                "captured channel",
                Some("a record's methods may run any number of times, so they cannot hold a channel; pass it as an argument".into()),
            ),
            LabelAsValue { label, span } => r(
                "E0075",
                format!("`{label}` is a protocol label, not a value"),
                *span,
                "label used as a value",
                Some(format!("labels are chosen with `c.put({label})` and received with `switch (c.get) {{ case {label}: ... }}`")),
            ),
        _ => return None,
    })
}

/// Totality, exhaustiveness and wiring (E0020–E0023, E0030, E0040–E0042).
fn program_error(e: &CheckError) -> Option<Report> {
    use CheckError::*;
    let r = report;
    Some(match e {
            FoldByMissing { function, span, found } => r(
                "E0020",
                if *found == 0 {
                    format!("`{function}` is in a `fold` group but has no `fold by` parameter")
                } else {
                    format!("`{function}` has {found} `fold by` parameters; a fold function has exactly one")
                },
                *span,
                "needs exactly one `fold by` parameter",
                Some("mark the parameter that gets smaller on every recursive call: `fold by List<t> list`".into()),
            ),
            FoldNotSmaller { function, param, span, param_span } => Report {
                notes: vec![(*param_span, format!("`{param}` is the `fold by` parameter"))],
                ..r(
                    "E0021",
                    format!("this recursive call of `{function}` does not pass a smaller `{param}`"),
                    *span,
                    "not smaller than the parameter",
                    Some(format!(
                        "pass a part taken out of `{param}` by a pattern, such as `rest` in `case (x:rest):`, so that the recursion ends"
                    )),
                )
            },
            FoldNotBounded { function, param, span, param_span } => Report {
                notes: vec![(*param_span, format!("`{param}` is the `fold by` parameter"))],
                ..r(
                    "E0022",
                    format!("`{param}` gets smaller here, but nothing stops it from going below zero"),
                    *span,
                    "may count down for ever",
                    Some(format!(
                        "test `{param} <= 0` (not `{param} == 0`) before this call of `{function}`: a negative `{param}` would never reach 0"
                    )),
                )
            },
            RecursionOutsideFold { function, span } => r(
                "E0023",
                format!("`{function}` is recursive but not in a `fold` group (required by --total)"),
                *span,
                "recursion without a termination proof",
                Some("put the function in `fold { ... }` with a `fold by` parameter, or check without --total".into()),
            ),
            NonExhaustive { span, missing } => r(
                "E0030",
                format!("the patterns here do not cover {}", list_words(missing)),
                *span,
                "not every value is handled",
                Some(format!(
                    "add a case (or a clause) for `{}`, or a catch-all `_`; a value no pattern matches would stop the program",
                    missing.first().map_or("_", |s| s.as_str())
                )),
            ),
            BothEndsOneProcess { channel, process, span, other } => Report {
                notes: vec![(*other, "the other end goes here".into())],
                ..r(
                    "E0040",
                    format!("both ends of channel `{channel}` go to the same process `{process}`"),
                    *span,
                    "both ends of one channel",
                    Some("a process cannot talk to itself: give the other end to another process".into()),
                )
            },
            ChannelWithoutDual { name, first, second, dual } => {
                let (written, meant) = if *dual {
                    (format!("`~{name}`"), format!("`{name}`"))
                } else {
                    (format!("`{name}`"), format!("`~{name}`"))
                };
                Report {
                    notes: vec![(*second, format!("and again {written} here"))],
                    ..r(
                        "E0043",
                        format!("`{name}` is not defined, and both its uses are {written}: a new channel needs one `{name}` and one `~{name}`"),
                        *first,
                        &format!("{written} here"),
                        Some(format!("write {meant} in one of the two calls: each process gets one end of the new channel")),
                    )
                }
            }
            TwoChannelsBetween { first_process, second_process, channel, span, other_channel, other } => Report {
                notes: vec![(*other, format!("`{other_channel}` already joins them"))],
                ..r(
                    "E0041",
                    format!("`{channel}` would be a second channel between `{first_process}` and `{second_process}`"),
                    *span,
                    "second channel between the same processes",
                    Some("two processes share at most one channel (two could deadlock); carry both conversations on one protocol".into()),
                )
            },
            BothEndsKept { channel, process, span } => r(
                "E0076",
                format!("`{process}` declares channel `{channel}` and keeps both of its ends"),
                *span,
                "both ends stay in this process",
                Some(format!(
                    "a process cannot talk to itself (a `get` on one end waits for a `put` on the other that never comes): give `{channel}` or `~{channel}` to another process, e.g. `helper(~{channel});`"
                )),
            ),
            WiringCycle { cycle, span, others } => Report {
                notes: others.iter().map(|s| (*s, "part of the cycle".into())).collect(),
                ..r(
                    "E0042",
                    format!("these processes are wired in a cycle: {}", cycle.join(" -> ")),
                    *span,
                    "this call closes the cycle",
                    Some("processes joined in a ring can wait on each other for ever; wire them as a tree (or pass channels over channels)".into()),
                )
            },
        _ => return None,
    })
}

/// "`A`", "`A` and `B`", "`A`, `B` and 2 more".
pub(super) fn list_words(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().take(3).map(|s| format!("`{s}`")).collect();
    match (quoted.len(), items.len()) {
        (0, _) => "every case".into(),
        (1, _) => quoted[0].clone(),
        (n, total) if total > n => format!("{} and {} more", quoted.join(", "), total - n),
        (n, _) => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

fn protocol_help(channel: &str, expected: &str) -> String {
    if expected.starts_with("get") {
        format!("at this point this end receives: use `{channel}.get`")
    } else if expected.starts_with("put") {
        format!("at this point this end sends: use `{channel}.put(...)`")
    } else if expected == "close" {
        "the protocol is finished here".into()
    } else {
        "follow the protocol's steps in order".into()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
