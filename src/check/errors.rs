//! The checker's errors, as plain data: one enum, one variant per kind of
//! mistake, with named fields. Each kind has a stable code (`E0001`...).
//! Rendering (miette, colours, layout) lives in `crate::diagnostics`; this
//! module only says what to show: message, labels and help.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum CheckError {
    UnknownVariable {
        name: String,
        span: Span,
    },
    UnknownFunction {
        name: String,
        span: Span,
    },
    UnknownConstructor {
        name: String,
        span: Span,
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
}

/// What a diagnostic shows, independent of how it is drawn.
pub struct Rendered {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    pub notes: Vec<(Span, String)>,
}

impl CheckError {
    pub fn span(&self) -> Span {
        self.render().span
    }

    pub fn code(&self) -> &'static str {
        self.render().code
    }

    pub fn render(&self) -> Rendered {
        use CheckError::*;
        let r = |code, message: String, span, label: &str, help: Option<String>| Rendered {
            code,
            message,
            span,
            label: label.to_string(),
            help,
            notes: Vec::new(),
        };
        match self {
            UnknownVariable { name, span } => r(
                "E0001",
                format!("`{name}` is not defined here"),
                *span,
                "unknown name",
                Some(format!(
                    "define `{name}` with `let` or as a parameter; a new channel needs `channel {name};` or two uses as process arguments, `{name}` and `~{name}`"
                )),
            ),
            UnknownFunction { name, span } => r(
                "E0002",
                format!("there is no function or process called `{name}`"),
                *span,
                "unknown function",
                Some("check the spelling, or declare it; the prelude's functions are listed by `:doc` in the REPL".into()),
            ),
            UnknownConstructor { name, span } => r(
                "E0003",
                format!("`{name}` is neither a data constructor nor a protocol label"),
                *span,
                "unknown constructor or label",
                Some(format!("declare `{name}` in a `data` type or as a label in a `protocol`")),
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
            DuplicateDefinition { name, span, first } => Rendered {
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
            ServiceNamedTwice { name, span, first } => Rendered {
                notes: vec![(*first, "first named here".into())],
                ..r(
                    "E0009",
                    format!("the service `{name}` is named twice in the wiring"),
                    *span,
                    "second use",
                    Some("each service is one channel and goes to one process; share it through a process that serves the others".into()),
                )
            },
            StdinAndConsole { span, other } => Rendered {
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
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
