//! Tests of the machine on hand-built `ir::Program`s. Each program's entry
//! process receives "probe" channels whose other ends are held by Rust
//! tasks that record what arrives; every run has a time limit.

use super::RunData;
use super::compile::build_code;
use super::exec::Process;
use crate::eval::RunOutcome;
use crate::host::{Host, HostIo, RunError, Services};
use crate::ir::*;
use crate::runtime::{self, Config, Cx, End, Outcome, Runtime, Step, Task, TaskInfo};
use crate::source::{FileId, Span};
use crate::value::{Value, show};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ peak memory

fn peaks() -> &'static Mutex<HashMap<String, (usize, usize)>> {
    static PEAKS: OnceLock<Mutex<HashMap<String, (usize, usize)>>> = OnceLock::new();
    PEAKS.get_or_init(Default::default)
}

/// Called by a process that ends: its deepest (stack values, frames).
pub(super) fn record_peak(name: String, peak: (usize, usize)) {
    let mut map = peaks().lock();
    let e = map.entry(name).or_default();
    *e = (e.0.max(peak.0), e.1.max(peak.1));
}

fn peak_of(name: &str) -> (usize, usize) {
    peaks().lock().get(name).copied().unwrap_or_default()
}

// ------------------------------------------------------------ IR builders

fn sp(n: u32) -> Span {
    Span::new(FileId(0), n as usize, n as usize + 1)
}
fn ex(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}
fn at(n: u32, mut e: Expr) -> Expr {
    e.span = sp(n);
    e
}
fn int(n: i64) -> Expr {
    ex(ExprKind::Lit(Lit::Int(n)))
}
fn boolean(b: bool) -> Expr {
    ex(ExprKind::Lit(Lit::Bool(b)))
}
fn string(s: &str) -> Expr {
    ex(ExprKind::Lit(Lit::Str(s.into())))
}
fn unit() -> Expr {
    ex(ExprKind::Lit(Lit::Unit))
}
fn var(s: Slot) -> Expr {
    ex(ExprKind::Local(s))
}
fn call(func: FuncId, args: Vec<Expr>) -> Expr {
    ex(ExprKind::Call { func, args })
}
fn spawn(proc: FuncId, args: Vec<Expr>) -> Expr {
    ex(ExprKind::Spawn { proc, args })
}
fn bin(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    ex(ExprKind::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    })
}
fn if_(cond: Expr, then: Expr, else_: Expr) -> Expr {
    ex(ExprKind::If {
        cond: Box::new(cond),
        then: Box::new(then),
        else_: Some(Box::new(else_)),
    })
}
fn block(stmts: Vec<Stmt>, tail: Option<Expr>) -> Expr {
    ex(ExprKind::Block(Block {
        stmts,
        tail: tail.map(Box::new),
    }))
}
fn switch(scrutinee: Expr, arms: Vec<(Pattern, Expr)>) -> Expr {
    let arms = arms
        .into_iter()
        .map(|(pattern, body)| Arm {
            pattern,
            body,
            span: Span::default(),
        })
        .collect();
    ex(ExprKind::Match {
        scrutinee: Box::new(scrutinee),
        arms,
    })
}
fn ctor(tag: Tag, args: Vec<Expr>) -> Expr {
    ex(ExprKind::Ctor { tag, args })
}
fn put(channel: Expr, value: Expr) -> Expr {
    ex(ExprKind::Put {
        channel: Box::new(channel),
        value: Box::new(value),
    })
}
fn get(channel: Expr) -> Expr {
    ex(ExprKind::Get(Box::new(channel)))
}
fn let_(pattern: Pattern, value: Expr) -> Stmt {
    Stmt::Let {
        pattern,
        value,
        span: sp(99),
        ty: None,
    }
}
fn stmt(e: Expr) -> Stmt {
    let span = e.span;
    Stmt::Expr { expr: e, span }
}
fn pcons(h: Pattern, t: Pattern) -> Pattern {
    pat(PatternKind::Cons(Box::new(h), Box::new(t)))
}
fn pat(kind: PatternKind) -> Pattern {
    kind.into()
}
fn pbind(s: Slot) -> Pattern {
    pat(PatternKind::Bind(s))
}
fn pwild() -> Pattern {
    pat(PatternKind::Wild)
}
fn pnil() -> Pattern {
    pat(PatternKind::Nil)
}
fn plit(l: Lit) -> Pattern {
    pat(PatternKind::Lit(l))
}
fn ptuple(ps: Vec<Pattern>) -> Pattern {
    pat(PatternKind::Tuple(ps))
}
fn plist(ps: Vec<Pattern>) -> Pattern {
    pat(PatternKind::List(ps))
}
fn func(name: &str, kind: FnKind, params: u32, slots: u32, body: Expr) -> Function {
    Function {
        name: name.into(),
        kind,
        captures: 0,
        params,
        slots,
        slot_names: Vec::new(),
        body,
        clauses: false,
        param_spans: Vec::new(),
        param_types: Vec::new(),
        span: Span::default(),
        prelude: false,
        fold: None,
    }
}
fn function(name: &str, params: u32, slots: u32, body: Expr) -> Function {
    func(name, FnKind::Function, params, slots, body)
}
fn process(name: &str, params: u32, slots: u32, body: Expr) -> Function {
    func(name, FnKind::Process, params, slots, body)
}

fn program(functions: Vec<Function>, tags: &[&str]) -> Program {
    Program {
        functions,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Program::default()
    }
}

// ---------------------------------------------------------------- harness

fn host() -> Host {
    Host {
        stdin: crate::host::Input::none(),
        stdout: Arc::new(Mutex::new(Box::new(std::io::sink()))),
        stderr: Arc::new(Mutex::new(Box::new(std::io::sink()))),
        args: vec!["a1".into(), "a2".into()],
        on_start: None,
        permissions: Default::default(),
        limits: crate::host::Limits::default(),
        trace: None,
    }
}

/// The services of these hand-built programs: none (they name none).
struct NoServices;

impl Services for NoServices {
    fn connect(
        &self,
        id: ServiceId,
        span: Span,
        _cx: &mut Cx<'_, Value, RunError>,
    ) -> Result<End<Value>, RunError> {
        Err(RunError::at(
            span,
            "test",
            format!("no service {id:?} here"),
        ))
    }
}

fn no_services(_: &Program, _: HostIo) -> Result<Arc<dyn Services>, RunError> {
    Ok(Arc::new(NoServices))
}

fn shared(p: Program) -> Arc<RunData> {
    let p = Arc::new(p);
    let args = host().args;
    let code = match build_code(&p, true, false) {
        Ok(c) => c,
        Err(e) => panic!("compile error: {e:?}"),
    };
    let args = Value::list(args.iter().map(|a| Value::string(a)).collect());
    Arc::new(RunData {
        program: p,
        code,
        services: Arc::new(NoServices),
        args,
        guard: None,
        trace: None,
        max_stack: crate::host::Limits::DEFAULT_MAX_STACK,
        max_processes: crate::host::Limits::DEFAULT_MAX_PROCESSES,
    })
}

/// A Rust task that records the first `want` messages on its end.
struct Probe {
    end: End<Value>,
    want: usize,
    clock: Arc<AtomicU64>,
    got: Arc<Mutex<Vec<(u64, Value)>>>,
}

impl Task<Value, RunError> for Probe {
    fn run(&mut self, _cx: &mut Cx<'_, Value, RunError>) -> Step<Value, RunError> {
        let mut got = self.got.lock();
        while got.len() < self.want {
            match self.end.try_get() {
                Some(v) => got.push((self.clock.fetch_add(1, Ordering::SeqCst), v)),
                None => return Step::Park(self.end.clone()),
            }
        }
        Step::Done
    }
    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: "probe".into(),
            waiting_at: None,
            holds: vec![],
            channel_names: Vec::new(),
        }
    }
}

type Received = Vec<Vec<(u64, Value)>>;

fn one_thread() -> Config {
    Config {
        threads: 1,
        ..Config::default()
    }
}

/// Runs function `entry` of `p` with one probe channel per entry in `want`
/// (passed as its arguments); returns the outcome and what each probe got.
fn run_probed(
    mut p: Program,
    entry: FuncId,
    want: &[usize],
    secs: u64,
) -> (Outcome<RunError>, Received) {
    p.entry = entry;
    let want = want.to_vec();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let names = p.clone();
        let shared = shared(p);
        let rt: Runtime<Value, RunError> = Runtime::new(one_thread());
        let clock = Arc::new(AtomicU64::new(0));
        let mut args = Vec::new();
        let mut boxes = Vec::new();
        for w in want {
            let (mine, theirs) = runtime::channel();
            let got = Arc::new(Mutex::new(Vec::new()));
            rt.handle().spawn(Box::new(Probe {
                end: mine,
                want: w,
                clock: clock.clone(),
                got: got.clone(),
            }));
            args.push(Value::Chan(theirs));
            boxes.push(got);
        }
        let main = Process::start(shared, entry, args).expect("entry fits");
        rt.handle().spawn(Box::new(main));
        let outcome = rt.run();
        let got: Received = boxes.iter().map(|b| b.lock().clone()).collect();
        drop(names);
        let _ = tx.send((outcome, got));
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(r) => r,
        Err(_) => panic!("the program did not end within {secs} s"),
    }
}

/// Evaluates `body` in a process `main(out)` with `slots` slots (slot 0 is
/// `out`) and returns the value it sends, shown, or the run's failure.
fn eval_in(
    mut funcs: Vec<Function>,
    tags: &[&str],
    slots: u32,
    body: Expr,
) -> Result<String, RunError> {
    let entry = funcs.len() as FuncId;
    funcs.push(process("main", 1, slots.max(1), put(var(0), body)));
    let p = program(funcs, tags);
    let names = p.clone();
    match run_probed(p, entry, &[1], 60) {
        (Outcome::Finished, got) => Ok(show(&got[0][0].1, &names)),
        (Outcome::Failed(e, _), _) => Err(e),
        (other, _) => panic!("unexpected outcome {other:?}"),
    }
}

fn eval(body: Expr) -> Result<String, RunError> {
    eval_in(vec![], &[], 1, body)
}

fn ok(r: Result<String, RunError>) -> String {
    match r {
        Ok(s) => s,
        Err(e) => panic!("runtime error: {e:?}"),
    }
}

// ------------------------------------------------------------------ tests

#[test]
fn arithmetic_evaluates_the_tree_left_to_right() {
    // (2 + 3) * 4 - 10 / 3 % 2  ==  20 - 1
    let e = bin(
        BinOp::Sub,
        bin(BinOp::Mul, bin(BinOp::Add, int(2), int(3)), int(4)),
        bin(BinOp::Rem, bin(BinOp::Div, int(10), int(3)), int(2)),
    );
    assert_eq!(ok(eval(e)), "19");
    let f = bin(
        BinOp::Add,
        ex(ExprKind::Lit(Lit::Float(0.5))),
        ex(ExprKind::Lit(Lit::Float(1.0))),
    );
    assert_eq!(ok(eval(f)), "1.5");
    let bits = bin(BinOp::BitOr, bin(BinOp::Shl, int(1), int(4)), int(3));
    assert_eq!(ok(eval(bits)), "19");
    let neg = ex(ExprKind::Unary {
        op: UnOp::Neg,
        operand: Box::new(int(5)),
    });
    assert_eq!(ok(eval(neg)), "-5");
}

#[test]
fn integer_overflow_is_a_runtime_error_at_the_operator() {
    let e = at(7, bin(BinOp::Add, int(i64::MAX), int(1)));
    let err = eval(e).unwrap_err();
    assert_eq!(err.message, "integer overflow in `+`");
    assert_eq!(err.span, Some(sp(7)));
    assert_eq!(err.process, "main");
}

#[test]
fn division_by_zero_is_a_runtime_error() {
    let e = at(3, bin(BinOp::Div, int(1), int(0)));
    let err = eval(e).unwrap_err();
    assert_eq!(
        (err.message.as_str(), err.span),
        ("division by zero", Some(sp(3)))
    );
    let e = at(4, bin(BinOp::Rem, int(1), int(0)));
    assert_eq!(eval(e).unwrap_err().message, "division by zero");
}

#[test]
fn short_circuit_operators_skip_the_right_operand() {
    let boom = bin(BinOp::Eq, bin(BinOp::Div, int(1), int(0)), int(1));
    assert_eq!(
        ok(eval(bin(BinOp::And, boolean(false), boom.clone()))),
        "false"
    );
    assert_eq!(ok(eval(bin(BinOp::Or, boolean(true), boom))), "true");
    assert_eq!(
        ok(eval(bin(BinOp::And, boolean(true), boolean(false)))),
        "false"
    );
}

#[test]
fn comparisons_are_structural() {
    let l = |xs: &[i64]| ex(ExprKind::List(xs.iter().map(|x| int(*x)).collect()));
    assert_eq!(ok(eval(bin(BinOp::Lt, l(&[1, 2]), l(&[1, 3])))), "true");
    assert_eq!(
        ok(eval(bin(
            BinOp::Eq,
            string("ab"),
            ex(ExprKind::List(vec![
                ex(ExprKind::Lit(Lit::Char('a'))),
                ex(ExprKind::Lit(Lit::Char('b'))),
            ]))
        ))),
        "true"
    );
    assert_eq!(ok(eval(bin(BinOp::Ge, string("b"), string("ab")))), "true");
}

#[test]
fn index_gives_the_default_out_of_range() {
    let xs = || ex(ExprKind::List(vec![int(10), int(20)]));
    let idx = |i| {
        ex(ExprKind::Index {
            list: Box::new(xs()),
            index: Box::new(int(i)),
            default: Box::new(int(-1)),
        })
    };
    assert_eq!(ok(eval(idx(1))), "20");
    assert_eq!(ok(eval(idx(2))), "-1");
    assert_eq!(ok(eval(idx(-1))), "-1");
}

#[test]
fn builtins_and_args_are_available() {
    let show_just = ex(ExprKind::Builtin {
        op: Builtin::Show,
        args: vec![ctor(
            0,
            vec![ex(ExprKind::Tuple(vec![int(1), boolean(true)]))],
        )],
        show: None,
        site: 0,
    });
    assert_eq!(
        ok(eval_in(vec![], &["Just"], 1, show_just)),
        "\"Just((1, true))\""
    );
    assert_eq!(ok(eval(ex(ExprKind::Args))), "[\"a1\", \"a2\"]");
    let bad = at(
        5,
        ex(ExprKind::Builtin {
            op: Builtin::IntToByte,
            args: vec![int(300)],
            show: None,
            site: 0,
        }),
    );
    assert_eq!(eval(bad).unwrap_err().span, Some(sp(5)));
}

fn fib_program() -> Vec<Function> {
    // fib(n) = if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
    let body = if_(
        bin(BinOp::Lt, var(0), int(2)),
        var(0),
        bin(
            BinOp::Add,
            call(0, vec![bin(BinOp::Sub, var(0), int(1))]),
            call(0, vec![bin(BinOp::Sub, var(0), int(2))]),
        ),
    );
    vec![function("fib", 1, 1, body)]
}

/// fib(20) makes 21,891 calls, ten turns of the default budget: calls
/// fused with their argument (`LoadSubIntCall`) yield and run again whole.
#[test]
fn fib_recursion_computes_the_right_value() {
    assert_eq!(
        ok(eval_in(fib_program(), &[], 1, call(0, vec![int(20)]))),
        "6765"
    );
}

#[test]
fn fibs_base_case_is_one_instruction_and_its_recursive_case_four() {
    use super::code::Op;
    use BinOp::Lt;
    let code = build_code(&program(fib_program(), &[]), true, false).expect("compiles");
    assert_eq!(
        *code.funcs[0].ops,
        [
            // `if (n < 2) { n }`: the test and the return it guards.
            Op::ReturnIfSlotInt(Lt, 0, 2, 0),
            Op::LoadSubIntCall(0, 1, 0),
            Op::LoadSubIntCall(0, 2, 0),
            Op::AddReturn,
            // The `if`'s join, never reached: both branches return.
            Op::Return,
        ]
    );
}

#[test]
fn a_fused_base_case_moves_the_later_jumps_back_by_one() {
    use super::code::Op;
    // f(n) = if n < 1 { n } else if n == 5 { 100 } else { f(n - 1) + 1 }
    let body = if_(
        bin(BinOp::Lt, var(0), int(1)),
        var(0),
        if_(
            bin(BinOp::Eq, var(0), int(5)),
            int(100),
            bin(
                BinOp::Add,
                call(0, vec![bin(BinOp::Sub, var(0), int(1))]),
                int(1),
            ),
        ),
    );
    let funcs = vec![function("f", 1, 1, body)];
    let code = build_code(&program(funcs.clone(), &[]), true, false).expect("compiles");
    let ops = &code.funcs[0].ops;
    assert!(
        matches!(ops[0], Op::ReturnIfSlotInt(BinOp::Lt, 0, 1, 0)),
        "{ops:?}"
    );
    // Every jump still lands inside the function, on what it jumped to.
    assert!(ops.iter().all(|op| {
        op.clone()
            .target_mut()
            .is_none_or(|t| (*t as usize) < ops.len())
    }));
    for (n, want) in [(0, "0"), (-3, "-3"), (4, "4"), (5, "100"), (7, "102")] {
        assert_eq!(
            ok(eval_in(funcs.clone(), &[], 1, call(0, vec![int(n)]))),
            want,
            "f({n})"
        );
    }
}

#[test]
fn overflow_in_a_fused_call_argument_is_reported_at_the_call() {
    // f(n) = g(n - 1) + 0, g(n) = n; called with the least Int. The call
    // (not in tail position) is fused with its argument, and its span,
    // which holds the argument's, is the one a fault is reported at.
    let arg = at(5, bin(BinOp::Sub, var(0), int(1)));
    let body = bin(BinOp::Add, at(4, call(1, vec![arg])), int(0));
    let funcs = vec![function("f", 1, 1, body), function("g", 1, 1, var(0))];
    let err = eval_in(funcs, &[], 1, call(0, vec![int(i64::MIN)])).unwrap_err();
    assert_eq!(err.message, "integer overflow in `-`");
    assert_eq!(err.span, Some(sp(4)));
}

#[test]
fn overflow_in_a_sum_returned_is_reported_at_the_sum() {
    // f(n) = n + n in tail position: `Add` fused with `Return`.
    let body = at(6, bin(BinOp::Add, var(0), var(0)));
    let funcs = vec![function("f", 1, 1, body)];
    let err = eval_in(funcs, &[], 1, call(0, vec![int(i64::MAX)])).unwrap_err();
    assert_eq!(err.message, "integer overflow in `+`");
    assert_eq!(err.span, Some(sp(6)));
}

/// `cargo test --release -- --ignored --nocapture fib_30`
#[test]
#[ignore]
fn fib_30_timing() {
    let t = Instant::now();
    assert_eq!(
        ok(eval_in(fib_program(), &[], 1, call(0, vec![int(30)]))),
        "832040"
    );
    eprintln!("fib(30): {:?}", t.elapsed());
    let t = Instant::now();
    assert_eq!(
        ok(eval_in(fib_program(), &[], 1, call(0, vec![int(25)]))),
        "75025"
    );
    eprintln!("fib(25): {:?}", t.elapsed());
}

fn list_functions() -> Vec<Function> {
    // build(n) = if n == 0 { [] } else { n : build(n - 1) }    (not tail)
    let build = if_(
        bin(BinOp::Eq, var(0), int(0)),
        ex(ExprKind::List(vec![])),
        bin(
            BinOp::Cons,
            var(0),
            call(0, vec![bin(BinOp::Sub, var(0), int(1))]),
        ),
    );
    // len(l) = switch l { [] -> 0; (_ : r) -> 1 + len(r) }       (not tail)
    let len = switch(
        var(0),
        vec![
            (pnil(), int(0)),
            (
                pcons(pwild(), pbind(1)),
                bin(BinOp::Add, int(1), call(1, vec![var(1)])),
            ),
        ],
    );
    vec![function("build", 1, 1, build), function("len", 1, 2, len)]
}

/// words(s, inWord, acc): the words of a string counted by a loop over its
/// characters, as `bench/workloads/lines_loop.mpl` does.
fn count_words_program() -> Vec<Function> {
    let next = |in_word: bool, acc: Expr| call(0, vec![var(4), boolean(in_word), acc]);
    let body = switch(
        var(0),
        vec![
            (pnil(), var(2)),
            (
                pcons(pbind(3), pbind(4)),
                if_(
                    bin(BinOp::Eq, var(3), ex(ExprKind::Lit(Lit::Char(' ')))),
                    next(false, var(2)),
                    if_(
                        var(1),
                        next(true, var(2)),
                        next(true, bin(BinOp::Add, var(2), int(1))),
                    ),
                ),
            ),
        ],
    );
    vec![function("words", 3, 5, body)]
}

#[test]
fn a_switch_on_a_list_in_a_slot_takes_it_apart_where_it_lies() {
    use super::code::Op;
    let code = build_code(&program(count_words_program(), &[]), true, false).expect("compiles");
    let ops = &code.funcs[0].ops;
    // `switch l` (its last use) and `case (c:rest)` are one instruction:
    // the head goes to `c`'s slot 3, the tail stays in `l`'s slot 0
    // (`rest` shares it), and `case []` is what follows.
    assert!(matches!(ops[0], Op::UnconsSlot(0, 3, _)), "{ops:?}");
    assert!(matches!(ops[1], Op::ReturnSlot(2)), "{ops:?}");
    assert!(
        !ops.iter()
            .any(|op| matches!(op, Op::TestNilSlot(..) | Op::UnconsInto(..) | Op::Pop)),
        "{ops:?}"
    );
    // `if (inWord)` reads the slot without pushing it.
    assert!(
        ops.iter()
            .any(|op| matches!(op, Op::JumpIfSlot(1, false, _))),
        "{ops:?}"
    );
    assert!(
        !ops.iter()
            .any(|op| matches!(op, Op::Uncons(_) | Op::Store(_) | Op::TestNil(_))),
        "{ops:?}"
    );
}

#[test]
fn a_loop_over_a_string_with_fused_uncons_counts_its_words() {
    let e = call(
        0,
        vec![string("  two words, then four "), boolean(false), int(0)],
    );
    assert_eq!(ok(eval_in(count_words_program(), &[], 1, e)), "4");
    let e = call(0, vec![string(""), boolean(false), int(7)]);
    assert_eq!(ok(eval_in(count_words_program(), &[], 1, e)), "7");
}

#[test]
fn a_fused_uncons_takes_apart_cons_cells_too() {
    // The same loop over a list built with `:` (cells, not a packed string).
    let chars = "a b"
        .chars()
        .rev()
        .fold(ex(ExprKind::List(vec![])), |tail, c| {
            bin(BinOp::Cons, ex(ExprKind::Lit(Lit::Char(c))), tail)
        });
    let e = call(0, vec![chars, boolean(false), int(0)]);
    assert_eq!(ok(eval_in(count_words_program(), &[], 1, e)), "2");
}

#[test]
fn a_fused_uncons_takes_apart_a_list_built_whole() {
    // A list literal is one buffer of items (`Value::Items`), taken apart
    // where it lies too.
    let chars = "ab c d".chars().map(|c| ex(ExprKind::Lit(Lit::Char(c))));
    let e = call(
        0,
        vec![ex(ExprKind::List(chars.collect())), boolean(false), int(0)],
    );
    assert_eq!(ok(eval_in(count_words_program(), &[], 1, e)), "3");
}

#[test]
fn a_tail_call_whose_arguments_are_slots_and_constants_is_one_instruction() {
    use super::code::{ArgSrc, Op};
    let code = build_code(&program(count_words_program(), &[]), true, false).expect("compiles");
    let ops = &code.funcs[0].ops;
    assert!(
        !ops.iter().any(|op| matches!(op, Op::TailCall(_))),
        "{ops:?}"
    );
    let calls: Vec<&[ArgSrc]> = ops
        .iter()
        .filter_map(|op| match op {
            Op::TailCallArgs(0, k) => Some(&*code.tail_args[*k as usize].srcs),
            _ => None,
        })
        .collect();
    // `words(rest, b, acc)`: the tail is in slot 0 already (`rest` shares
    // `l`'s slot), `acc` stays in its own slot 2 (or is itself plus one).
    assert_eq!(calls.len(), 3, "{ops:?}");
    // The leading `Keep` (the tail) is left out of the sources.
    assert!(code.tail_args.iter().all(|a| a.first == 1));
    for args in &calls {
        assert!(matches!(args[0], ArgSrc::Bool(_)), "{args:?}");
    }
    // `acc` passed on in its own slot is left out: nothing to write.
    assert!(calls.iter().any(|a| a.len() == 1));
    assert!(
        calls
            .iter()
            .any(|a| a.get(1) == Some(&ArgSrc::LoadAddInt(2, 1)))
    );
    // Every jump still lands inside the function.
    assert!(ops.iter().all(|op| {
        op.clone()
            .target_mut()
            .is_none_or(|t| (*t as usize) < ops.len())
    }));
}

fn self_tail_call_resets(code: &super::code::Code) -> Vec<(u32, u32)> {
    use super::code::Op;
    let ops = &code.funcs[0].ops;
    let resets = ops.iter().filter_map(|op| match op {
        Op::TailCallArgs(0, k) => Some(code.tail_args[*k as usize].reset),
        _ => None,
    });
    resets.collect()
}

#[test]
fn a_loop_step_does_not_reset_the_head_its_first_uncons_overwrites() {
    let code = build_code(&program(count_words_program(), &[]), true, false).expect("compiles");
    // `c` (slot 3) is written only by the uncons at pc 0, which overwrites
    // it first thing in the next step; `rest` shares `l`'s slot 0, so slot
    // 4 is never written. Nothing is left to reset, and the leading `Keep`
    // (the list) is skipped.
    let resets = self_tail_call_resets(&code);
    assert_eq!(resets.len(), 3, "{:?}", code.funcs[0].ops);
    assert!(resets.iter().all(|&(lo, hi)| lo >= hi), "{resets:?}");
    assert!(code.tail_args.iter().all(|a| a.first == 1));
}

#[test]
fn a_loop_step_resets_a_slot_its_body_binds() {
    // sum(l, acc) = case l of [] -> acc; (c:rest) -> let d = c + acc in
    // sum(rest, d): `d` (slot 4) is written inside the step, not by the
    // uncons, so the step resets it (and, the reset being one range from
    // the first slot past the parameters, the head's slot 2 with it).
    let body = switch(
        var(0),
        vec![
            (pnil(), var(1)),
            (
                pcons(pbind(2), pbind(3)),
                block(
                    vec![let_(pbind(4), bin(BinOp::Add, var(2), var(1)))],
                    Some(call(0, vec![var(3), var(4)])),
                ),
            ),
        ],
    );
    let funcs = vec![function("sum", 2, 5, body)];
    let code = build_code(&program(funcs.clone(), &[]), true, false).expect("compiles");
    let resets = self_tail_call_resets(&code);
    assert!(!resets.is_empty(), "{:?}", code.funcs[0].ops);
    for &(lo, hi) in &resets {
        assert!(lo <= 4 && 4 < hi, "slot 4 not reset: {resets:?}");
    }
    let list = ex(ExprKind::List(vec![int(1), int(2), int(3)]));
    assert_eq!(ok(eval_in(funcs, &[], 1, call(0, vec![list, int(0)]))), "6");
}

#[test]
fn a_tail_call_reading_a_slot_an_earlier_argument_took_is_not_fused() {
    use super::code::Op;
    // f(a, b, n) = if (n == 0) { a * 10 + b } else { f(b, a, n - 1) }: `a`
    // is read from slot 0 after `b` would have been written there.
    let body = if_(
        bin(BinOp::Eq, var(2), int(0)),
        bin(BinOp::Add, bin(BinOp::Mul, var(0), int(10)), var(1)),
        call(0, vec![var(1), var(0), bin(BinOp::Sub, var(2), int(1))]),
    );
    let funcs = vec![function("f", 3, 3, body)];
    let code = build_code(&program(funcs.clone(), &[]), true, false).expect("compiles");
    let ops = &code.funcs[0].ops;
    assert!(
        ops.iter().any(|op| matches!(op, Op::TailCall(0))),
        "{ops:?}"
    );
    for (n, want) in [(0, "12"), (1, "21"), (2, "12"), (5, "21")] {
        let e = call(0, vec![int(1), int(2), int(n)]);
        assert_eq!(ok(eval_in(funcs.clone(), &[], 1, e)), want, "n = {n}");
    }
}

#[test]
fn fused_tail_call_arguments_are_computed_in_place_and_overflow_is_reported_at_the_call() {
    use super::code::{ArgSrc, Op};
    // count(n, acc) = if (n == 0) { acc } else { count(n - 1, acc + 1) }
    let recurse = call(
        0,
        vec![
            bin(BinOp::Sub, var(0), int(1)),
            bin(BinOp::Add, var(1), int(1)),
        ],
    );
    let body = if_(bin(BinOp::Eq, var(0), int(0)), var(1), at(4, recurse));
    let funcs = vec![function("count", 2, 2, body)];
    let code = build_code(&program(funcs.clone(), &[]), true, false).expect("compiles");
    let ops = &code.funcs[0].ops;
    let k = ops.iter().find_map(|op| match op {
        Op::TailCallArgs(0, k) => Some(*k as usize),
        _ => None,
    });
    assert_eq!(
        k.map(|k| &*code.tail_args[k].srcs),
        Some(&[ArgSrc::LoadSubInt(0, 1), ArgSrc::LoadAddInt(1, 1)][..]),
        "{ops:?}"
    );
    let e = call(0, vec![int(100_000), int(7)]);
    assert_eq!(ok(eval_in(funcs.clone(), &[], 1, e)), "100007");
    // The argument's own instruction is gone: the fault is reported at the
    // call, whose span holds the argument's.
    let e = call(0, vec![int(3), int(i64::MAX - 1)]);
    let err = eval_in(funcs, &[], 1, e).unwrap_err();
    assert_eq!(err.message, "integer overflow in `+`");
    assert_eq!(err.span, Some(sp(4)));
}

#[test]
fn a_fused_tail_call_into_a_larger_frame_makes_its_slots() {
    use super::code::Op;
    // g(a) = h(a, 7, true); h(x, y, z) = if (z) { x + y } else { 0 }, with
    // a `let` of a string in g's frame that the call must free.
    let g = block(
        vec![let_(pbind(1), string("dropped by the call"))],
        Some(call(1, vec![var(0), int(7), boolean(true)])),
    );
    let h = if_(var(2), bin(BinOp::Add, var(0), var(1)), int(0));
    let funcs = vec![function("g", 1, 2, g), function("h", 3, 3, h)];
    let code = build_code(&program(funcs.clone(), &[]), true, false).expect("compiles");
    let ops = &code.funcs[0].ops;
    assert!(
        ops.iter().any(|op| matches!(op, Op::TailCallArgs(1, _))),
        "{ops:?}"
    );
    assert_eq!(ok(eval_in(funcs, &[], 1, call(0, vec![int(5)]))), "12");
}

#[test]
fn tail_calls_between_frames_of_different_sizes_keep_their_arguments() {
    // small(a, b) (2 slots) tail-calls big(b, a) (2 params, 4 slots, two
    // lets), which tail-calls small again until a reaches 0.
    let small = if_(
        bin(BinOp::Eq, var(0), int(0)),
        var(1),
        call(1, vec![var(1), bin(BinOp::Sub, var(0), int(1))]),
    );
    let big = block(
        vec![
            let_(pbind(2), bin(BinOp::Add, var(1), int(0))),
            let_(pbind(3), string("kept only in this frame")),
        ],
        Some(call(0, vec![var(2), bin(BinOp::Add, var(0), int(10))])),
    );
    let funcs = vec![function("small", 2, 2, small), function("big", 2, 4, big)];
    let e = call(0, vec![int(5), int(0)]);
    assert_eq!(ok(eval_in(funcs, &[], 1, e)), "50");
}

fn ch(c: char) -> Expr {
    ex(ExprKind::Lit(Lit::Char(c)))
}

/// `f(c, d) = if (cond) { 1 } else { 0 }`, called on each of `chars`
/// (with `d` = 'x'): the results in order.
fn classify(cond: Expr, chars: &str) -> (Vec<super::code::Op>, String) {
    let funcs = vec![function("f", 2, 2, if_(cond, int(1), int(0)))];
    let code = build_code(&program(funcs.clone(), &[]), true, false).expect("compiles");
    let got = chars
        .chars()
        .map(|c| {
            ok(eval_in(
                funcs.clone(),
                &[],
                1,
                call(0, vec![ch(c), ch('x')]),
            ))
        })
        .collect();
    (code.funcs[0].ops.to_vec(), got)
}

#[test]
fn an_or_of_char_equalities_on_one_slot_is_one_set_test() {
    use super::code::Op;
    let any = |cs: &[char]| {
        cs.iter()
            .map(|c| bin(BinOp::Eq, var(0), ch(*c)))
            .reduce(|a, b| bin(BinOp::Or, a, b))
            .expect("one at least")
    };
    let (ops, got) = classify(any(&[' ', '\t', '\n']), " a\tb\n");
    assert!(
        matches!(ops[0], Op::JumpIfSlotCharIn(0, _, false, _)),
        "{ops:?}"
    );
    assert_eq!(got, "10101");
    // Negated, the jump is taken on the other outcome.
    let not = ex(ExprKind::Unary {
        op: UnOp::Not,
        operand: Box::new(any(&[' ', '\t'])),
    });
    let (ops, got) = classify(not, " a\t");
    assert!(
        matches!(ops[0], Op::JumpIfSlotCharIn(0, _, true, _)),
        "{ops:?}"
    );
    assert_eq!(got, "010");
}

#[test]
fn an_and_of_char_inequalities_on_one_slot_is_one_set_test() {
    use super::code::Op;
    let none = bin(
        BinOp::And,
        bin(BinOp::Ne, var(0), ch('a')),
        bin(BinOp::Ne, var(0), ch('b')),
    );
    let (ops, got) = classify(none, "abc");
    assert!(
        matches!(ops[0], Op::JumpIfSlotCharIn(0, _, true, _)),
        "{ops:?}"
    );
    assert_eq!(got, "001");
}

#[test]
fn char_tests_of_two_slots_or_other_operators_stay_separate_jumps() {
    use super::code::Op;
    let two_slots = bin(
        BinOp::Or,
        bin(BinOp::Eq, var(0), ch('a')),
        bin(BinOp::Eq, var(1), ch('a')),
    );
    let (ops, got) = classify(two_slots, "ab");
    assert!(
        !ops.iter().any(|op| matches!(op, Op::JumpIfSlotCharIn(..))),
        "{ops:?}"
    );
    assert_eq!(got, "10");
    let mixed = bin(
        BinOp::Or,
        bin(BinOp::Eq, var(0), ch('a')),
        bin(BinOp::Lt, var(0), ch('c')),
    );
    let (ops, got) = classify(mixed, "abc");
    assert!(
        !ops.iter().any(|op| matches!(op, Op::JumpIfSlotCharIn(..))),
        "{ops:?}"
    );
    assert_eq!(got, "110");
}

#[test]
fn non_tail_recursion_a_million_deep_does_not_overflow() {
    let e = call(1, vec![call(0, vec![int(1_000_000)])]);
    assert_eq!(ok(eval_in(list_functions(), &[], 1, e)), "1000000");
}

#[test]
fn tail_calls_run_in_constant_memory() {
    // count(n, acc) = if n == 0 { acc } else { count(n - 1, acc + 1) }
    let body = if_(
        bin(BinOp::Eq, var(0), int(0)),
        var(1),
        call(
            0,
            vec![
                bin(BinOp::Sub, var(0), int(1)),
                bin(BinOp::Add, var(1), int(1)),
            ],
        ),
    );
    let funcs = vec![function("count", 2, 2, body)];
    let mut p = funcs;
    p.push(process(
        "tail_main",
        1,
        1,
        put(var(0), call(0, vec![int(10_000_000), int(0)])),
    ));
    let names = program(p, &[]);
    let (outcome, got) = run_probed(names.clone(), 1, &[1], 120);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert_eq!(show(&got[0][0].1, &names), "10000000");
    let (values, frames) = peak_of("tail_main");
    assert!(
        values < 10 && frames <= 1,
        "peak {values} values, {frames} frames"
    );
}

#[test]
fn unit_tail_statements_are_tail_calls() {
    // walk(n) { if n == 0 { } else { walk(n - 1); } } — `walk(n-1);` is a
    // statement whose value is dropped, and walk always returns ().
    let body = if_(
        bin(BinOp::Eq, var(0), int(0)),
        block(vec![], None),
        block(
            vec![stmt(call(0, vec![bin(BinOp::Sub, var(0), int(1))]))],
            None,
        ),
    );
    let main = process(
        "unit_main",
        1,
        1,
        block(
            vec![stmt(call(0, vec![int(100_000)]))],
            Some(put(var(0), int(1))),
        ),
    );
    let p = program(vec![function("walk", 1, 1, body), main], &[]);
    let (outcome, _) = run_probed(p, 1, &[1], 60);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert!(peak_of("unit_main").1 <= 2, "{:?}", peak_of("unit_main"));
}

#[test]
fn patterns_match_constructors_tuples_and_literals() {
    // classify(v) = switch v { Nothing -> 0; Just((1, x)) -> x; Just((_, x)) -> x * 100 }
    let body = switch(
        var(0),
        vec![
            (
                pat(PatternKind::Ctor {
                    tag: 0,
                    args: vec![],
                }),
                int(0),
            ),
            (
                pat(PatternKind::Ctor {
                    tag: 1,
                    args: vec![ptuple(vec![plit(Lit::Int(1)), pbind(1)])],
                }),
                var(1),
            ),
            (
                pat(PatternKind::Ctor {
                    tag: 1,
                    args: vec![ptuple(vec![pwild(), pbind(1)])],
                }),
                bin(BinOp::Mul, var(1), int(100)),
            ),
        ],
    );
    let funcs = vec![function("classify", 1, 2, body)];
    let just = |a, b| ctor(1, vec![ex(ExprKind::Tuple(vec![int(a), int(b)]))]);
    let sum = bin(
        BinOp::Add,
        call(0, vec![ctor(0, vec![])]),
        bin(
            BinOp::Add,
            call(0, vec![just(1, 7)]),
            call(0, vec![just(2, 3)]),
        ),
    );
    assert_eq!(ok(eval_in(funcs, &["Nothing", "Just"], 1, sum)), "307");
}

#[test]
fn match_with_no_matching_case_is_a_runtime_error() {
    let e = at(11, switch(int(3), vec![(plit(Lit::Int(1)), int(0))]));
    let err = eval(e).unwrap_err();
    assert_eq!(err.span, Some(sp(11)));
    assert!(err.message.contains("no pattern"), "{}", err.message);
}

#[test]
fn refutable_let_that_fails_is_a_runtime_error() {
    let e = block(
        vec![let_(pnil(), ex(ExprKind::List(vec![int(1)])))],
        Some(int(0)),
    );
    let err = eval(e).unwrap_err();
    assert_eq!(err.span, Some(sp(99)));
    let ok_let = block(
        vec![let_(
            ptuple(vec![pbind(1), pbind(2)]),
            ex(ExprKind::Tuple(vec![int(4), int(5)])),
        )],
        Some(bin(BinOp::Sub, var(1), var(2))),
    );
    assert_eq!(ok(eval_in(vec![], &[], 3, ok_let)), "-1");
}

#[test]
fn cons_and_list_patterns_work_on_packed_strings() {
    // count(s) = switch s { [] -> 0; ('x' : r) -> 100 + count(r); (_ : r) -> 1 + count(r) }
    let body = switch(
        var(0),
        vec![
            (pnil(), int(0)),
            (
                pcons(plit(Lit::Char('x')), pbind(1)),
                bin(BinOp::Add, int(100), call(0, vec![var(1)])),
            ),
            (
                pcons(pwild(), pbind(1)),
                bin(BinOp::Add, int(1), call(0, vec![var(1)])),
            ),
        ],
    );
    let funcs = || vec![function("count", 1, 2, body.clone())];
    assert_eq!(
        ok(eval_in(funcs(), &[], 1, call(0, vec![string("héxlo")]))),
        "104"
    );
    // [a, b] on a string, and a string literal pattern.
    let two = switch(
        string("hi"),
        vec![
            (plist(vec![pbind(1)]), int(1)),
            (
                plist(vec![pbind(1), pbind(2)]),
                ex(ExprKind::Tuple(vec![var(2), var(1)])),
            ),
        ],
    );
    assert_eq!(ok(eval_in(vec![], &[], 3, two)), "('i', 'h')");
    let lit = switch(
        bin(BinOp::Cons, ex(ExprKind::Lit(Lit::Char('o'))), string("k")),
        vec![
            (plit(Lit::Str("no".into())), int(0)),
            (plit(Lit::Str("ok".into())), int(1)),
        ],
    );
    assert_eq!(ok(eval(lit)), "1");
}

#[test]
fn records_capture_values_and_dispatch_destructors() {
    // codata Counter { get(); add(n) }
    // make(k) = record Counter { get() { k } add(n) { make(k + n) } }
    let make = ex(ExprKind::Record {
        codata: 0,
        methods: vec![1, 2],
        captures: vec![0],
        ty: Box::new(crate::source::Spanned::new(
            crate::syntax::ast::Type::Void,
            Span::default(),
        )),
    });
    let mut get_m = function("Counter.get", 0, 1, var(0));
    get_m.kind = FnKind::Method;
    get_m.captures = 1;
    let mut add_m = function(
        "Counter.add",
        1,
        2,
        call(0, vec![bin(BinOp::Add, var(0), var(1))]),
    );
    add_m.kind = FnKind::Method;
    add_m.captures = 1;
    let funcs = vec![function("make", 1, 1, make), get_m, add_m];
    let dtor = |r, d, args| {
        ex(ExprKind::Dtor {
            receiver: Box::new(r),
            dtor: d,
            args,
            name: Span::default(),
        })
    };
    let e = dtor(
        dtor(
            dtor(call(0, vec![int(1)]), 1, vec![int(2)]),
            1,
            vec![int(3)],
        ),
        0,
        vec![],
    );
    let entry = funcs.len() as FuncId;
    let mut fs = funcs;
    fs.push(process("main", 1, 1, put(var(0), e)));
    let mut p = program(fs, &[]);
    p.dtors = vec!["get".into(), "add".into()];
    p.codata = vec![CodataInfo {
        name: "Counter".into(),
        dtors: vec![0, 1],
    }];
    let names = p.clone();
    let (outcome, got) = run_probed(p, entry, &[1], 30);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert_eq!(show(&got[0][0].1, &names), "6");
}

/// Tags: 0 Lookup, 1 Stop.
fn server() -> Function {
    // process Server(ch) { switch ch.get { Lookup: let i = ch.get; ch.put(i * 10); Server(ch)
    //                                       Stop: () } }
    let lookup = block(
        vec![
            let_(pbind(1), get(var(0))),
            stmt(put(var(0), bin(BinOp::Mul, var(1), int(10)))),
            stmt(spawn(0, vec![var(0)])),
        ],
        None,
    );
    let body = block(
        vec![stmt(switch(
            get(var(0)),
            vec![
                (
                    pat(PatternKind::Ctor {
                        tag: 0,
                        args: vec![],
                    }),
                    lookup,
                ),
                (
                    pat(PatternKind::Ctor {
                        tag: 1,
                        args: vec![],
                    }),
                    unit(),
                ),
            ],
        ))],
        None,
    );
    process("Server", 1, 2, body)
}

#[test]
fn processes_exchange_messages_over_a_declared_channel() {
    // main(out) { channel c (1) / ~c (2); Server(~c); c.put(Lookup).put(4);
    //             let a = c.get; c.put(Lookup).put(5); let b = c.get; c.put(Stop); out.put(a + b) }
    let lookup = |n| put(put(var(1), ctor(0, vec![])), int(n));
    let body = block(
        vec![
            Stmt::Channel {
                end: 1,
                dual: 2,
                span: Span::default(),
                ty: None,
                monitor: None,
                implicit: false,
            },
            stmt(spawn(0, vec![var(2)])),
            stmt(lookup(4)),
            let_(pbind(3), get(var(1))),
            stmt(lookup(5)),
            let_(pbind(4), get(var(1))),
            stmt(put(var(1), ctor(1, vec![]))),
        ],
        Some(put(var(0), bin(BinOp::Add, var(3), var(4)))),
    );
    let p = program(
        vec![server(), process("main", 1, 5, body)],
        &["Lookup", "Stop"],
    );
    let (outcome, got) = run_probed(p, 1, &[1], 30);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert!(matches!(got[0][0].1, Value::Int(90)));
}

#[test]
fn process_tail_spawn_loops_in_constant_memory() {
    // process Loop(out, n) { if n == 0 { out.put(7); } else { Loop(out, n - 1); } }
    let body = if_(
        bin(BinOp::Eq, var(1), int(0)),
        block(vec![stmt(put(var(0), int(7)))], None),
        block(
            vec![stmt(spawn(
                0,
                vec![var(0), bin(BinOp::Sub, var(1), int(1))],
            ))],
            None,
        ),
    );
    let lp = process("Loop", 2, 2, body);
    let main = process(
        "spawn_main",
        1,
        1,
        block(vec![stmt(spawn(0, vec![var(0), int(1_000_000)]))], None),
    );
    let (outcome, got) = run_probed(program(vec![lp, main], &[]), 1, &[1], 60);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert!(matches!(got[0][0].1, Value::Int(7)));
    let (values, frames) = peak_of("Loop");
    assert!(
        values < 10 && frames == 0,
        "peak {values} values, {frames} frames"
    );
}

#[test]
fn fork_sends_the_halves_and_split_receives_them() {
    // process Forker(ch, n) { fork ch as a1 { a1.put(n * 2) }, a2 { a2.put(show(n)) } }
    let arm1 = Function {
        captures: 1,
        ..func(
            "Forker/a1",
            FnKind::ForkArm,
            0,
            2,
            put(var(1), bin(BinOp::Mul, var(0), int(2))),
        )
    };
    let show_n = ex(ExprKind::Builtin {
        op: Builtin::Show,
        args: vec![var(0)],
        show: None,
        site: 0,
    });
    let arm2 = Function {
        captures: 1,
        ..func("Forker/a2", FnKind::ForkArm, 0, 2, put(var(1), show_n))
    };
    let arms = vec![
        ForkArm {
            func: 1,
            captures: vec![1],
            half: 1,
            name: Span::default(),
        },
        ForkArm {
            func: 2,
            captures: vec![1],
            half: 1,
            name: Span::default(),
        },
    ];
    let forker = process(
        "Forker",
        2,
        2,
        block(
            vec![Stmt::Fork {
                channel: var(0),
                arms,
                span: sp(1),
            }],
            None,
        ),
    );
    // main(o1, o2) { channel c (2) / ~c (3); Forker(~c, 21); split c as (x (4), y (5));
    //                o1.put(x.get); o2.put(y.get) }
    let main = process(
        "main",
        2,
        6,
        block(
            vec![
                Stmt::Channel {
                    end: 2,
                    dual: 3,
                    span: Span::default(),
                    ty: None,
                    monitor: None,
                    implicit: false,
                },
                stmt(spawn(0, vec![var(3), int(21)])),
                Stmt::Split {
                    channel: var(2),
                    slots: vec![4, 5],
                    span: sp(2),
                    names: Vec::new(),
                },
                stmt(put(var(0), get(var(4)))),
            ],
            Some(put(var(1), get(var(5)))),
        ),
    );
    let p = program(vec![forker, arm1, arm2, main], &[]);
    let (outcome, got) = run_probed(p, 3, &[1, 1], 30);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert!(matches!(got[0][0].1, Value::Int(42)));
    assert_eq!(got[1][0].1.as_string().as_deref(), Some("21"));
}

#[test]
fn forward_joins_two_channels() {
    // Producer(p) { p.put(5) }   Relay(a, b) { a := b; }
    // main(out) { channel a (1) / ~a (2); channel b (3) / ~b (4);
    //             Producer(~a); Relay(a, b); out.put(~b.get) }
    let producer = process("Producer", 1, 1, put(var(0), int(5)));
    let relay = process(
        "Relay",
        2,
        2,
        block(
            vec![Stmt::Forward {
                a: var(0),
                b: var(1),
                span: sp(3),
            }],
            None,
        ),
    );
    let main = process(
        "main",
        1,
        5,
        block(
            vec![
                Stmt::Channel {
                    end: 1,
                    dual: 2,
                    span: Span::default(),
                    ty: None,
                    monitor: None,
                    implicit: false,
                },
                Stmt::Channel {
                    end: 3,
                    dual: 4,
                    span: Span::default(),
                    ty: None,
                    monitor: None,
                    implicit: false,
                },
                stmt(spawn(0, vec![var(2)])),
                stmt(spawn(1, vec![var(1), var(3)])),
            ],
            Some(put(var(0), get(var(4)))),
        ),
    );
    let (outcome, got) = run_probed(program(vec![producer, relay, main], &[]), 2, &[1], 30);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert!(matches!(got[0][0].1, Value::Int(5)));
}

#[test]
fn compute_bound_process_does_not_starve_others() {
    // Slow(o) { o.put(spin(3000000)) }  Fast(o) { o.put(1) }  main(a, b) { Slow(a); Fast(b); }
    let spin = if_(
        bin(BinOp::Eq, var(0), int(0)),
        int(0),
        call(0, vec![bin(BinOp::Sub, var(0), int(1))]),
    );
    let slow = process("Slow", 1, 1, put(var(0), call(0, vec![int(3_000_000)])));
    let fast = process("Fast", 1, 1, put(var(0), int(1)));
    let main = process(
        "main",
        2,
        2,
        block(
            vec![stmt(spawn(1, vec![var(0)])), stmt(spawn(2, vec![var(1)]))],
            None,
        ),
    );
    let p = program(vec![function("spin", 1, 1, spin), slow, fast, main], &[]);
    let (outcome, got) = run_probed(p, 3, &[1, 1], 60);
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert!(
        got[1][0].0 < got[0][0].0,
        "the fast process waited for the slow one"
    );
}

#[test]
fn deadlock_is_reported_with_the_waiting_processes() {
    // wiring { channel c (0) / ~c (1); Waiter(~c); c.get }   Waiter(d) { d.get }
    let waiter = process("Waiter", 1, 1, at(50, get(var(0))));
    let wiring = func(
        "wiring-fn",
        FnKind::Wiring,
        0,
        2,
        block(
            vec![
                Stmt::Channel {
                    end: 0,
                    dual: 1,
                    span: Span::default(),
                    ty: None,
                    monitor: None,
                    implicit: false,
                },
                stmt(spawn(0, vec![var(1)])),
            ],
            Some(at(42, get(var(0)))),
        ),
    );
    let mut p = program(vec![waiter, wiring], &[]);
    p.entry = 1;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(super::run(Arc::new(p), host(), no_services, one_thread()));
    });
    let outcome = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the run ended");
    let RunOutcome::Deadlock(reports) = outcome else {
        panic!("expected a deadlock, got {outcome:?}");
    };
    let text = format!("{reports:?}");
    assert_eq!(reports.len(), 2, "{text}");
    assert!(
        text.contains("\"wiring\"") && text.contains("\"Waiter\""),
        "{text}"
    );
    assert!(
        text.contains("0:42..43") && text.contains("0:50..51"),
        "{text}"
    );
}

#[test]
fn a_finished_wiring_is_a_finished_run() {
    let wiring = func("w", FnKind::Wiring, 0, 0, block(vec![], None));
    let p = program(vec![wiring], &[]);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(super::run(Arc::new(p), host(), no_services, one_thread()));
    });
    let outcome = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the run ended");
    assert!(matches!(outcome, RunOutcome::Finished), "{outcome:?}");
}

#[test]
fn malformed_ir_is_an_internal_error_not_a_panic() {
    let bad = process("bad", 0, 1, var(5));
    let mut p = program(vec![bad], &[]);
    p.entry = 0;
    let outcome = super::run(Arc::new(p), host(), no_services, one_thread());
    let RunOutcome::Failed(e) = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(e.message.starts_with("internal error"), "{}", e.message);
}

/// `cargo test --release -- --ignored --nocapture message_passing`
#[test]
#[ignore]
fn message_passing_timing() {
    // Pinger(c, n) { if n == 0 { c.put(Stop); } else { c.put(Ping).put(n); Pinger(c, n - 1); } }
    // Sink(d, acc, out) { switch d.get { Ping: let v = d.get; Sink(d, acc + v, out)
    //                                    Stop: out.put(acc) } }
    let pinger = process(
        "Pinger",
        2,
        2,
        if_(
            bin(BinOp::Eq, var(1), int(0)),
            block(vec![stmt(put(var(0), ctor(1, vec![])))], None),
            block(
                vec![
                    stmt(put(put(var(0), ctor(0, vec![])), var(1))),
                    stmt(spawn(0, vec![var(0), bin(BinOp::Sub, var(1), int(1))])),
                ],
                None,
            ),
        ),
    );
    let ping = block(
        vec![
            let_(pbind(3), get(var(0))),
            stmt(spawn(
                1,
                vec![var(0), bin(BinOp::Add, var(1), var(3)), var(2)],
            )),
        ],
        None,
    );
    let sink = process(
        "Sink",
        3,
        4,
        switch(
            get(var(0)),
            vec![
                (
                    pat(PatternKind::Ctor {
                        tag: 0,
                        args: vec![],
                    }),
                    ping,
                ),
                (
                    pat(PatternKind::Ctor {
                        tag: 1,
                        args: vec![],
                    }),
                    put(var(2), var(1)),
                ),
            ],
        ),
    );
    let n = 1_000_000;
    let main = process(
        "main",
        1,
        3,
        block(
            vec![
                Stmt::Channel {
                    end: 1,
                    dual: 2,
                    span: Span::default(),
                    ty: None,
                    monitor: None,
                    implicit: false,
                },
                stmt(spawn(0, vec![var(1), int(n)])),
                stmt(spawn(1, vec![var(2), int(0), var(0)])),
            ],
            None,
        ),
    );
    let p = program(vec![pinger, sink, main], &["Ping", "Stop"]);
    let t = Instant::now();
    let (outcome, got) = run_probed(p, 2, &[1], 120);
    let dt = t.elapsed();
    assert!(matches!(outcome, Outcome::Finished), "{outcome:?}");
    assert!(matches!(got[0][0].1, Value::Int(x) if x == n * (n + 1) / 2));
    eprintln!(
        "{} messages: {dt:?}, {:?} per message",
        2 * n,
        dt / (2 * n as u32)
    );
}

#[test]
fn clause_functions_match_their_arguments_without_a_tuple() {
    // pick([], _) = -1;  pick(x : _, 0) = x;  pick(_ : r, n) = pick(r, n - 1)
    let arm = |ps: Vec<Pattern>, body| (ptuple(ps), body);
    let body = switch(
        ex(ExprKind::Tuple(vec![var(0), var(1)])),
        vec![
            arm(vec![pnil(), pwild()], int(-1)),
            arm(vec![pcons(pbind(2), pwild()), plit(Lit::Int(0))], var(2)),
            arm(
                vec![pcons(pwild(), pbind(3)), pbind(4)],
                call(0, vec![var(3), bin(BinOp::Sub, var(4), int(1))]),
            ),
        ],
    );
    let funcs = || vec![function("pick", 2, 5, body.clone())];
    let xs = || ex(ExprKind::List(vec![int(10), int(20), int(30)]));
    let pick = |i| bin(BinOp::Add, call(0, vec![xs(), int(i)]), int(0));
    assert_eq!(ok(eval_in(funcs(), &[], 1, pick(2))), "30");
    assert_eq!(ok(eval_in(funcs(), &[], 1, pick(5))), "-1");
    let code = build_code(&program(funcs(), &[]), true, false).expect("compiles");
    let ops = &code.funcs[0].ops;
    assert!(
        !ops.iter().any(|op| matches!(op, super::code::Op::Tuple(_))),
        "{ops:?}"
    );
}

#[test]
fn census_note_names_the_longest_queues_deepest_stacks_and_most_numerous() {
    use crate::runtime::Load;
    let mut census: crate::runtime::Census = vec![
        (
            "deaf".into(),
            Load {
                frames: 1,
                queued: 1_050_001,
            },
        ),
        (
            "deep".into(),
            Load {
                frames: 12_000,
                queued: 0,
            },
        ),
    ];
    census.extend((0..1500).map(|_| {
        (
            "worker".to_string(),
            Load {
                frames: 1,
                queued: 0,
            },
        )
    }));
    let note = super::census_note(&census).expect("a note");
    assert_eq!(
        note,
        "Held by the other processes: the longest queues: `deaf` (1,050,001 messages waiting); \
         the deepest stacks: `deep` (12,000 calls open); the most numerous: `worker` (1,500 processes)."
    );
    let quiet: crate::runtime::Census = vec![(
        "main".into(),
        Load {
            frames: 1,
            queued: 0,
        },
    )];
    assert_eq!(super::census_note(&quiet), None, "nothing stands out");
}

/// The instructions of function `name` in `src` (natives on or off),
/// with the names of the functions they call.
pub(super) fn compiled(
    src: &str,
    name: &str,
    natives: bool,
) -> (Vec<super::code::Op>, Vec<String>) {
    let mut sources = crate::source::SourceMap::default();
    let input = crate::SourceInput::Text {
        name: "forward.mpl".into(),
        text: src.into(),
    };
    let program = crate::compile(&mut sources, input).expect("the test program checks");
    let code = super::compile::build_code(&program, natives, false).expect("it compiles");
    let f = code.funcs.iter().find(|f| &*f.name == name);
    let ops = f.expect("the function is there").ops.to_vec();
    let called = ops
        .iter()
        .filter_map(|op| match op {
            super::code::Op::Call(g) | super::code::Op::TailCall(g) => {
                Some(code.funcs[*g as usize].name.to_string())
            }
            _ => None,
        })
        .collect();
    (ops, called)
}

#[test]
fn puts_and_gets_on_a_channel_in_a_slot_use_the_slot_in_place() {
    use super::code::Op;
    let src = "protocol Ask = put Int, put Int, get Int, close;\n\
        process adder(neg<Ask> c) { let a = c.get; let b = c.get; c.put(a + b); }\n\
        process main(Ask c, PutSeq<Char> out) {\n\
          c.put(1).put(2);\n\
          let sum = c.get;\n\
          writeLine(out, show(sum));\n\
          out.put(StopPut);\n\
        }\n\
        adder(~c);\n\
        main(c, stdout);\n";
    let (ops, _) = compiled(src, "main", true);
    let slot_ops: Vec<&Op> = ops
        .iter()
        .filter(|op| matches!(op, Op::PutSlot(_) | Op::GetSlot(_) | Op::Put | Op::Get))
        .collect();
    // `c.put(1).put(2);` is two puts from slot 0 and `c.get` one get; the
    // `out.put(StopPut)` inside the prelude's `writeLine` is not here.
    assert_eq!(
        slot_ops,
        [
            &Op::PutSlot(0),
            &Op::PutSlot(0),
            &Op::GetSlot(0),
            &Op::PutSlot(1)
        ],
        "{ops:?}"
    );
    // The channel is never copied onto the stack.
    assert!(!ops.contains(&Op::Load(0)), "{ops:?}");
    let (adder, _) = compiled(src, "adder", true);
    assert!(adder.contains(&Op::GetSlot(0)) && adder.contains(&Op::PutSlot(0)));
}

#[test]
fn a_char_set_holds_its_ascii_and_other_characters_and_nothing_else() {
    let set = super::code::CharSet::new(&[' ', '\t', '\u{7f}', '\0', 'λ', '€']);
    for c in [' ', '\t', '\u{7f}', '\0', 'λ', '€'] {
        assert!(set.contains(c), "{c:?}");
    }
    for c in ['a', '\n', '~', '\u{80}', 'μ', '\u{10FFFF}'] {
        assert!(!set.contains(c), "{c:?}");
    }
}

#[test]
fn a_tail_call_with_more_arguments_than_the_callers_slots_passes_them_in_order() {
    // f(x) = g(x, x * 10, x * 100) in tail position; g(a, b, c) = a - b + c.
    // f's frame has one slot, so g's arguments overlap its first slots.
    let args = vec![
        var(0),
        bin(BinOp::Mul, var(0), int(10)),
        bin(BinOp::Mul, var(0), int(100)),
    ];
    let g_body = bin(BinOp::Add, bin(BinOp::Sub, var(0), var(1)), var(2));
    let funcs = vec![
        function("f", 1, 1, call(1, args)),
        function("g", 3, 3, g_body),
    ];
    assert_eq!(ok(eval_in(funcs, &[], 1, call(0, vec![int(2)]))), "182");
}

#[test]
fn a_list_tuple_or_constructor_of_literals_is_one_constant() {
    use super::code::Op;
    let src = "data Pair = Pair(Int, [Byte]);\n\
        [Byte] blank() { [intToByte(10), intToByte(13), intToByte(10)] }\n\
        (Int, Pair) both() { (1, Pair(2, [intToByte(7)])) }\n\
        [Int] computed(Int n) { [1, n] }\n\
        [Byte] failing() { [intToByte(300)] }\n\
        process main(PutSeq<Char> out) {\n\
          writeLine(out, show(blank()));\n\
          writeLine(out, show(both()));\n\
          writeLine(out, show(computed(3)));\n\
          out.put(StopPut);\n\
        }\n\
        main(stdout);\n";
    let one_const = |name: &str| {
        let (ops, _) = compiled(src, name, true);
        assert!(matches!(ops[0], Op::Const(_)), "{name}: {ops:?}");
        assert!(
            !ops.iter().any(|op| matches!(
                op,
                Op::List(_) | Op::Tuple(_) | Op::Data(..) | Op::Builtin(_)
            )),
            "{name}: {ops:?}"
        );
    };
    one_const("blank");
    one_const("both");
    // A part computed at run time, or a conversion that fails (it fails
    // when it runs, at its place), keeps the list built at run time.
    for name in ["computed", "failing"] {
        let (ops, _) = compiled(src, name, true);
        assert!(
            ops.iter().any(|op| matches!(op, Op::List(1 | 2))),
            "{name}: {ops:?}"
        );
    }
}
