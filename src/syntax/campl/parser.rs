//! CaMPL's grammar (`MPL.bnfc`) as a recursive-descent parser over the
//! laid-out tokens (`layout`), building the CaMPL tree (`tree`).
//!
//! One function per rule of the grammar: definitions, types, patterns,
//! expressions (CaMPL's eight infix levels), process commands. A syntax
//! error abandons the definition it is in; parsing goes on at the next
//! line that starts in column 1, so one run reports every broken
//! definition. Nothing here knows what a name means.

use super::lexer::{Lexeme, Tok};
use super::tree::{self, *};
use crate::source::{FileId, Span, Spanned};
use crate::syntax::SyntaxError;

type PResult<T> = Result<T, SyntaxError>;

pub struct Parser {
    toks: Vec<Lexeme>,
    pos: usize,
    end: Span,
}

/// Parses a whole file: its definitions, and one error per definition that
/// does not parse.
pub fn parse_file(file: FileId, toks: Vec<Lexeme>, len: usize) -> (Vec<Defn>, Vec<SyntaxError>) {
    let end = Span::new(file, len, len);
    let mut p = Parser { toks, pos: 0, end };
    let mut defns = Vec::new();
    let mut errors = Vec::new();
    while p.pos < p.toks.len() {
        match p.top_level() {
            Ok(mut d) => defns.append(&mut d),
            Err(e) => {
                errors.push(e);
                p.recover();
            }
        }
    }
    (defns, errors)
}

/// Parses one REPL input: definitions, process commands (one per line),
/// or an expression, told apart by how the input starts.
pub fn parse_repl(
    file: FileId,
    toks: Vec<Lexeme>,
    len: usize,
) -> (Option<ReplTree>, Vec<SyntaxError>) {
    let end = Span::new(file, len, len);
    let mut p = Parser { toks, pos: 0, end };
    let definition = matches!(
        p.peek(),
        Some(Tok::Kw(
            "data" | "codata" | "protocol" | "coprotocol" | "fun" | "proc" | "defn" | "include"
        ))
    );
    if definition {
        let (defns, errors) = parse_file(file, p.toks, len);
        return (Some(ReplTree::Defns(defns)), errors);
    }
    let parsed = if p.starts_command() {
        p.repl_commands().map(ReplTree::Commands)
    } else {
        p.expr().map(ReplTree::Expr)
    };
    match parsed {
        Ok(_) if p.pos < p.toks.len() => (None, vec![p.error("the end of the input")]),
        Ok(tree) => (Some(tree), Vec::new()),
        Err(e) => (None, vec![e]),
    }
}

impl Parser {
    /// The input starts with a process command: a command keyword, a
    /// process call `p(... | ...)`, or `a |=| b`.
    fn starts_command(&self) -> bool {
        match self.peek() {
            Some(Tok::Kw(k)) => matches!(
                *k,
                "plug"
                    | "hput"
                    | "hcase"
                    | "get"
                    | "put"
                    | "close"
                    | "halt"
                    | "on"
                    | "fork"
                    | "split"
                    | "race"
                    | "use"
            ),
            Some(Tok::Lower(_)) => {
                if self.peek_at(1) == Some(&Tok::Sym("|=|")) {
                    return true;
                }
                // `p(args | ...)`: a `|` at the call's own bracket depth.
                let mut depth = 0;
                for l in self.toks.iter().skip(self.pos + 1) {
                    match &l.tok {
                        Tok::Sym("(") => depth += 1,
                        Tok::Sym(")") if depth <= 1 => return false,
                        Tok::Sym(")") => depth -= 1,
                        Tok::Sym("|") if depth == 1 => return true,
                        _ if depth == 0 => return false,
                        _ => {}
                    }
                }
                false
            }
            _ => false,
        }
    }

    /// Commands to the end of the input (each line one, or `;`).
    fn repl_commands(&mut self) -> PResult<Vec<Spanned<Command>>> {
        let mut out = Vec::new();
        while self.pos < self.toks.len() {
            if self.peek().is_some_and(is_separator) {
                self.pos += 1;
                continue;
            }
            out.extend(self.command()?);
        }
        Ok(out)
    }
}

fn is_block_open(t: &Tok) -> bool {
    matches!(t, Tok::VOpen | Tok::Sym("{"))
}

fn is_block_close(t: &Tok) -> bool {
    matches!(t, Tok::VClose | Tok::Sym("}"))
}

fn is_separator(t: &Tok) -> bool {
    matches!(t, Tok::VSemi | Tok::Sym(";"))
}

impl Parser {
    // -----------------------------------------------------------------
    // Tokens

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|l| &l.tok)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.pos + k).map(|l| &l.tok)
    }

    fn at_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }

    fn at_kw(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Kw(x)) if *x == s)
    }

    fn span(&self) -> Span {
        self.toks.get(self.pos).map_or(self.end, |l| l.span)
    }

    fn prev_span(&self) -> Span {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(self.end, |l| l.span)
    }

    fn since(&self, start: Span) -> Span {
        start.to(self.prev_span())
    }

    fn bump(&mut self) -> Option<Lexeme> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        let yes = self.at_sym(s);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn eat_kw(&mut self, s: &str) -> bool {
        let yes = self.at_kw(s);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn error(&self, expected: &str) -> SyntaxError {
        let found = self
            .peek()
            .map_or("the end of the file".to_string(), Tok::describe);
        SyntaxError {
            span: self.span(),
            message: format!("expected {expected}, found {found}"),
            label: format!("expected {expected} here"),
            help: None,
            notes: Vec::new(),
            incomplete: self.peek().is_none(),
        }
    }

    fn expect_sym(&mut self, s: &str) -> PResult<Span> {
        if self.at_sym(s) {
            self.pos += 1;
            Ok(self.prev_span())
        } else {
            Err(self.error(&format!("`{s}`")))
        }
    }

    fn expect_kw(&mut self, s: &str) -> PResult<Span> {
        if self.at_kw(s) {
            self.pos += 1;
            Ok(self.prev_span())
        } else {
            Err(self.error(&format!("`{s}`")))
        }
    }

    fn lower(&mut self, what: &str) -> PResult<Name> {
        match self.peek() {
            Some(Tok::Lower(n)) => {
                let n = n.clone();
                self.pos += 1;
                Ok(Spanned::new(n, self.prev_span()))
            }
            _ => Err(self.error(what)),
        }
    }

    fn upper(&mut self, what: &str) -> PResult<Name> {
        match self.peek() {
            Some(Tok::Upper(n)) => {
                let n = n.clone();
                self.pos += 1;
                Ok(Spanned::new(n, self.prev_span()))
            }
            _ => Err(self.error(what)),
        }
    }

    /// Skips to the next token that starts a line in column 1.
    fn recover(&mut self) {
        self.pos += 1;
        while let Some(l) = self.toks.get(self.pos) {
            let real = !matches!(l.tok, Tok::VOpen | Tok::VSemi | Tok::VClose);
            let fresh_line = self
                .pos
                .checked_sub(1)
                .and_then(|i| self.toks.get(i))
                .is_none_or(|p| p.line != l.line);
            if real && l.col == 1 && fresh_line {
                return;
            }
            self.pos += 1;
        }
    }

    /// `{ item; item; ... }`, braces and semicolons real or from layout.
    fn block<T>(&mut self, mut item: impl FnMut(&mut Self) -> PResult<T>) -> PResult<Vec<T>> {
        if !self.peek().is_some_and(is_block_open) {
            return Err(self.error("an indented block"));
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            while self.peek().is_some_and(is_separator) {
                self.pos += 1;
            }
            if self.peek().is_some_and(is_block_close) {
                self.pos += 1;
                return Ok(out);
            }
            if self.peek().is_none() {
                return Err(self.error("the end of the block"));
            }
            out.push(item(self)?);
            if !self
                .peek()
                .is_some_and(|t| is_separator(t) || is_block_close(t))
            {
                return Err(self.error("a new line or the end of the block"));
            }
        }
    }

    /// `a, b, c` (possibly none, when `stop` says the list is over).
    fn comma_list<T>(
        &mut self,
        stop: impl Fn(&Self) -> bool,
        mut item: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        let mut out = Vec::new();
        if stop(self) {
            return Ok(out);
        }
        loop {
            out.push(item(self)?);
            // A trailing comma before the end of the list is allowed.
            if !self.eat_sym(",") || stop(self) {
                return Ok(out);
            }
        }
    }

    fn names(&mut self, stop: impl Fn(&Self) -> bool) -> PResult<Vec<Name>> {
        self.comma_list(stop, |p| p.lower("a channel name"))
    }

    // -----------------------------------------------------------------
    // Definitions

    fn top_level(&mut self) -> PResult<Vec<Defn>> {
        if self.eat_kw("defn") {
            let mut defns: Vec<Defn> = self.block(Self::defn)?;
            let at = self.span();
            if self.eat_kw("where") {
                let id = at;
                let more: Vec<Vec<Defn>> = self.block(Self::top_level)?;
                let mut local: Vec<Defn> = more.into_iter().flatten().collect();
                for d in &mut local {
                    if let Some(scope) = d.scope_mut() {
                        scope.sees.insert(0, id);
                        scope.local_to.get_or_insert(id);
                    }
                }
                for d in &mut defns {
                    if let Some(scope) = d.scope_mut() {
                        scope.sees.insert(0, id);
                    }
                }
                defns.extend(local);
            }
            return Ok(defns);
        }
        Ok(vec![self.defn()?])
    }

    fn defn(&mut self) -> PResult<Defn> {
        match self.peek() {
            Some(Tok::Kw("data")) | Some(Tok::Kw("codata")) => {
                let codata = self.at_kw("codata");
                self.pos += 1;
                let clauses = self.clauses("->", Self::seq_phrase, codata)?;
                Ok(Defn::Data { codata, clauses })
            }
            Some(Tok::Kw("protocol")) | Some(Tok::Kw("coprotocol")) => {
                let co = self.at_kw("coprotocol");
                self.pos += 1;
                let clauses = self.clauses("=>", Self::conc_phrase, co)?;
                Ok(Defn::Protocol { co, clauses })
            }
            Some(Tok::Kw("fun")) => self.fun().map(Defn::Fun),
            Some(Tok::Kw("proc")) => self.proc().map(Defn::Proc),
            Some(Tok::Kw("include")) => self.include(),
            _ => Err(self.error("a definition (`data`, `protocol`, `fun`, `proc`, ...)")),
        }
    }

    fn clauses(
        &mut self,
        arrow: &str,
        phrase: fn(&mut Self) -> PResult<TypePhrase>,
        state_first: bool,
    ) -> PResult<Vec<TypeClause>> {
        let mut out = Vec::new();
        loop {
            let start = self.span();
            let lhs = self.ty()?;
            self.expect_sym(arrow)?;
            let rhs = self.ty()?;
            self.expect_sym("=")?;
            let phrases = self.block(phrase)?;
            out.push(self.clause_head((lhs, rhs), state_first, phrases, start)?);
            if !self.eat_kw("and") {
                return Ok(out);
            }
        }
    }

    /// The declared name with its parameters on one side of the head and
    /// the state variable on the other: `List(A) -> S` (data, protocol)
    /// or `S -> InfList(A)` (codata, coprotocol: `state_first`).
    fn clause_head(
        &self,
        (lhs, rhs): (Spanned<Type>, Spanned<Type>),
        state_first: bool,
        phrases: Vec<TypePhrase>,
        start: Span,
    ) -> PResult<TypeClause> {
        let (declared, state) = if state_first {
            (&rhs, &lhs)
        } else {
            (&lhs, &rhs)
        };
        let head = |t: &Spanned<Type>| -> Option<(Name, Vec<Name>, Vec<Name>)> {
            let Type::Named { name, seq, conc } = &t.node else {
                return None;
            };
            let bare = |t: &Spanned<Type>| match &t.node {
                Type::Named { name, seq, conc } if seq.is_empty() && conc.is_empty() => {
                    Some(name.clone())
                }
                _ => None,
            };
            let seq = seq.iter().map(bare).collect::<Option<Vec<_>>>()?;
            let conc = conc.iter().map(bare).collect::<Option<Vec<_>>>()?;
            Some((name.clone(), seq, conc))
        };
        let (Some((name, seq_params, conc_params)), Some((state, s1, s2))) =
            (head(declared), head(state))
        else {
            return Err(self.bad_head(lhs.span.to(rhs.span), state_first));
        };
        if !s1.is_empty() || !s2.is_empty() {
            return Err(self.bad_head(lhs.span.to(rhs.span), state_first));
        }
        Ok(TypeClause {
            name,
            seq_params,
            conc_params,
            state,
            phrases,
            span: start.to(self.prev_span()),
        })
    }

    fn bad_head(&self, span: Span, state_first: bool) -> SyntaxError {
        let example = if state_first {
            "`S => Console` or `S -> Stream(A)`"
        } else {
            "`List(A) -> S` or `MemCell(A | ) => S`"
        };
        SyntaxError {
            span,
            message: format!("expected a declaration head such as {example}"),
            label: "not a declaration head".into(),
            help: Some("one side names the type and its parameters, the other is a state variable such as `S`".into()),
            notes: Vec::new(),
            incomplete: false,
        }
    }

    fn handle_names(&mut self) -> PResult<Vec<Name>> {
        self.comma_list(|_| false, |p| p.upper("a name"))
    }

    /// `Ctor :: A, B -> S`
    fn seq_phrase(&mut self) -> PResult<TypePhrase> {
        let names = self.handle_names()?;
        self.expect_sym("::")?;
        let args = self.comma_list(|p| p.at_sym("->"), Self::ty)?;
        self.expect_sym("->")?;
        let result = self.ty()?;
        Ok(TypePhrase {
            names,
            args,
            result: Some(result),
        })
    }

    /// `Handle :: T => S` (or `S => T`)
    fn conc_phrase(&mut self) -> PResult<TypePhrase> {
        let names = self.handle_names()?;
        self.expect_sym("::")?;
        let a = self.ty()?;
        self.expect_sym("=>")?;
        let b = self.ty()?;
        Ok(TypePhrase {
            names,
            args: vec![a, b],
            result: None,
        })
    }

    fn fun(&mut self) -> PResult<Fun> {
        self.expect_kw("fun")?;
        let name = if self.at_sym("(") {
            let start = self.span();
            self.pos += 1;
            let op = match self.bump().map(|l| l.tok) {
                Some(Tok::Op(o, _)) => o,
                _ => return Err(self.error("an operator")),
            };
            self.expect_sym(")")?;
            Spanned::new(op, self.since(start))
        } else {
            self.lower("a function name")?
        };
        let ty = if self.eat_sym("::") {
            let args = self.comma_list(|p| p.at_sym("->"), Self::ty)?;
            self.expect_sym("->")?;
            Some((args, self.ty()?))
        } else {
            None
        };
        self.expect_sym("=")?;
        let phrases = self.block(Self::fun_phrase)?;
        Ok(Fun {
            name,
            ty,
            phrases,
            scope: Scope::default(),
        })
    }

    fn fun_phrase(&mut self) -> PResult<Spanned<FunPhrase>> {
        let start = self.span();
        let patterns = self.comma_list(|p| p.at_sym("->"), Self::pattern)?;
        self.expect_sym("->")?;
        let body = self.expr()?;
        Ok(Spanned::new(
            FunPhrase { patterns, body },
            self.since(start),
        ))
    }

    fn proc(&mut self) -> PResult<Proc> {
        self.expect_kw("proc")?;
        let name = self.lower("a process name")?;
        let ty = if self.eat_sym("::") {
            Some(self.proc_type()?)
        } else {
            None
        };
        self.expect_sym("=")?;
        let phrases = self.block(Self::proc_phrase)?;
        Ok(Proc {
            name,
            ty,
            phrases,
            scope: Scope::default(),
        })
    }

    fn proc_type(&mut self) -> PResult<ProcType> {
        let seq = self.comma_list(|p| p.at_sym("|"), Self::ty)?;
        self.expect_sym("|")?;
        let ins = self.comma_list(|p| p.at_sym("=>"), Self::ty)?;
        self.expect_sym("=>")?;
        let outs = self.comma_list(|p| p.at_sym("=") || p.at_sym(")"), Self::ty)?;
        Ok(ProcType { seq, ins, outs })
    }

    fn proc_phrase(&mut self) -> PResult<Spanned<ProcPhrase>> {
        let start = self.span();
        let patterns = self.comma_list(|p| p.at_sym("|"), Self::pattern)?;
        self.expect_sym("|")?;
        let ins = self.names(|p| p.at_sym("=>"))?;
        self.expect_sym("=>")?;
        let outs = self.names(|p| p.at_sym("->"))?;
        self.expect_sym("->")?;
        let body = self.commands_block()?;
        Ok(Spanned::new(
            ProcPhrase {
                patterns,
                ins,
                outs,
                body,
            },
            self.since(start),
        ))
    }

    fn include(&mut self) -> PResult<Defn> {
        self.expect_kw("include")?;
        let dir = match self.peek() {
            Some(Tok::Str(s)) => {
                let s = s.clone();
                self.pos += 1;
                self.expect_sym(":")?;
                Some(s)
            }
            _ => None,
        };
        let module = self.upper("a module name")?;
        let mut unqualified = Vec::new();
        if self.eat_sym("(") {
            unqualified.extend(self.names(|p| p.at_sym("|"))?);
            self.expect_sym("|")?;
            unqualified.extend(self.names(|p| p.at_sym(")"))?);
            self.expect_sym(")")?;
        }
        Ok(Defn::Include {
            dir,
            module,
            unqualified,
        })
    }

    // -----------------------------------------------------------------
    // Types

    /// `a (+) b`; `(*)` binds tighter.
    fn ty(&mut self) -> PResult<Spanned<Type>> {
        self.ty_binary("(+)", Self::ty_tensor, Type::Par)
    }

    fn ty_tensor(&mut self) -> PResult<Spanned<Type>> {
        self.ty_binary("(*)", Self::ty_atom, Type::Tensor)
    }

    /// `a SYM b` with both sides read by `side`, or `a` alone.
    fn ty_binary(
        &mut self,
        sym: &str,
        side: fn(&mut Self) -> PResult<Spanned<Type>>,
        node: fn(Box<Spanned<Type>>, Box<Spanned<Type>>) -> Type,
    ) -> PResult<Spanned<Type>> {
        let start = self.span();
        let a = side(self)?;
        if !self.eat_sym(sym) {
            return Ok(a);
        }
        let b = side(self)?;
        Ok(Spanned::new(
            node(Box::new(a), Box::new(b)),
            self.since(start),
        ))
    }

    fn ty_atom(&mut self) -> PResult<Spanned<Type>> {
        let start = self.span();
        let node = match self.peek() {
            Some(Tok::Upper(n)) if n == "Store" && self.peek_at(1) == Some(&Tok::Sym("(")) => {
                self.pos += 2;
                let t = self.proc_type()?;
                self.expect_sym(")")?;
                Type::Store(Box::new(t))
            }
            Some(Tok::Upper(_)) => {
                let name = self.upper("a type")?;
                let (mut seq, mut conc) = (Vec::new(), Vec::new());
                if self.eat_sym("(") {
                    seq = self.comma_list(|p| p.at_sym("|") || p.at_sym(")"), Self::ty)?;
                    if self.eat_sym("|") {
                        conc = self.comma_list(|p| p.at_sym(")"), Self::ty)?;
                    }
                    self.expect_sym(")")?;
                }
                Type::Named { name, seq, conc }
            }
            Some(Tok::Sym("[")) => {
                self.pos += 1;
                let t = self.ty()?;
                self.expect_sym("]")?;
                Type::List(Box::new(t))
            }
            Some(Tok::Sym("(")) => {
                self.pos += 1;
                if self.eat_sym(")") {
                    Type::Unit
                } else {
                    let items = self.comma_list(|_| false, Self::ty)?;
                    self.expect_sym(")")?;
                    match <[_; 1]>::try_from(items) {
                        Ok([one]) => return Ok(one),
                        Err(items) => Type::Tuple(items),
                    }
                }
            }
            _ => return Err(self.error("a type")),
        };
        Ok(Spanned::new(node, self.since(start)))
    }

    // -----------------------------------------------------------------
    // Patterns

    fn pattern(&mut self) -> PResult<Spanned<Pattern>> {
        let start = self.span();
        let head = self.pattern_atom()?;
        if self.eat_sym(":") {
            let tail = self.pattern()?;
            let span = self.since(start);
            return Ok(Spanned::new(
                Pattern::Cons(Box::new(head), Box::new(tail)),
                span,
            ));
        }
        Ok(head)
    }

    fn pattern_atom(&mut self) -> PResult<Spanned<Pattern>> {
        let start = self.span();
        let node = match self.bump().map(|l| l.tok) {
            Some(Tok::Sym("_")) => Pattern::Wild,
            Some(Tok::Lower(n)) => Pattern::Var(n),
            Some(Tok::Int(n)) => Pattern::Int(n),
            Some(Tok::Char(c)) => Pattern::Char(c),
            Some(Tok::Str(s)) => Pattern::Str(s),
            Some(Tok::Upper(n)) => {
                let name = Spanned::new(n, self.prev_span());
                let mut args = Vec::new();
                if self.eat_sym("(") {
                    args = self.comma_list(|p| p.at_sym(")"), Self::pattern)?;
                    self.expect_sym(")")?;
                }
                Pattern::Ctor { name, args }
            }
            Some(Tok::Sym("[")) => {
                let items = self.comma_list(|p| p.at_sym("]"), Self::pattern)?;
                self.expect_sym("]")?;
                Pattern::List(items)
            }
            Some(Tok::Sym("(")) => return self.paren_pattern(start),
            _ => {
                self.pos -= 1;
                return Err(self.error("a pattern"));
            }
        };
        Ok(Spanned::new(node, self.since(start)))
    }

    /// `Name :=` comes next: a record (or record pattern) after its `(`.
    fn at_record(&self) -> bool {
        matches!(self.peek(), Some(Tok::Upper(_))) && self.peek_at(1) == Some(&Tok::Sym(":="))
    }

    /// `Name := x, ...)`, each `x` read by `item`, after the `(`.
    fn record_fields<T>(&mut self, item: fn(&mut Self) -> PResult<T>) -> PResult<Vec<(Name, T)>> {
        let fields = self.comma_list(
            |_| false,
            |p| {
                let name = p.upper("a destructor")?;
                p.expect_sym(":=")?;
                Ok((name, item(p)?))
            },
        )?;
        self.expect_sym(")")?;
        Ok(fields)
    }

    /// `x)` or `x, y, ...)` after a `(`: the one item, or a tuple of them.
    fn one_or_tuple<T>(
        &mut self,
        start: Span,
        item: fn(&mut Self) -> PResult<Spanned<T>>,
        tuple: fn(Vec<Spanned<T>>) -> T,
    ) -> PResult<Spanned<T>> {
        let items = self.comma_list(|_| false, item)?;
        self.expect_sym(")")?;
        match <[_; 1]>::try_from(items) {
            Ok([one]) => Ok(one),
            Err(items) => Ok(Spanned::new(tuple(items), self.since(start))),
        }
    }

    /// After `(`: `()`, `(p)`, `(p, q)` or a record `(Head := p, ...)`.
    fn paren_pattern(&mut self, start: Span) -> PResult<Spanned<Pattern>> {
        if self.eat_sym(")") {
            return Ok(Spanned::new(Pattern::Unit, self.since(start)));
        }
        if self.at_record() {
            let fields = self.record_fields(Self::pattern)?;
            return Ok(Spanned::new(Pattern::Record(fields), self.since(start)));
        }
        self.one_or_tuple(start, Self::pattern, Pattern::Tuple)
    }

    // -----------------------------------------------------------------
    // Expressions

    pub(super) fn expr(&mut self) -> PResult<Spanned<Expr>> {
        let start = self.span();
        if self.eat_kw("if") {
            let c = self.expr()?;
            self.expect_kw("then")?;
            let t = self.expr()?;
            self.expect_kw("else")?;
            let e = self.expr()?;
            let span = self.since(start);
            return Ok(Spanned::new(
                Expr::If(Box::new(c), Box::new(t), Box::new(e)),
                span,
            ));
        }
        if self.eat_kw("let") {
            let defns: Vec<Vec<Defn>> = self.block(Self::top_level)?;
            self.expect_kw("in")?;
            let body = self.expr()?;
            let span = self.since(start);
            let defns = defns.into_iter().flatten().collect();
            return Ok(Spanned::new(Expr::Let(defns, Box::new(body)), span));
        }
        let head = self.infix(1)?;
        if self.at_sym(":") {
            let op = Spanned::new(":".to_string(), self.span());
            self.pos += 1;
            let tail = self.expr()?;
            let span = self.since(start);
            return Ok(Spanned::new(
                Expr::Infix {
                    op,
                    lhs: Box::new(head),
                    rhs: Box::new(tail),
                },
                span,
            ));
        }
        Ok(head)
    }

    /// Infix levels 1 (loosest) to 8; level 7 (`^...`) is right-associative.
    fn infix(&mut self, level: u8) -> PResult<Spanned<Expr>> {
        if level > 8 {
            return self.atom();
        }
        let start = self.span();
        let mut lhs = self.infix(level + 1)?;
        while let Some(Tok::Op(op, l)) = self.peek() {
            if *l != level {
                break;
            }
            let op = Spanned::new(op.clone(), self.span());
            self.pos += 1;
            let rhs = if level == 7 {
                self.infix(level)?
            } else {
                self.infix(level + 1)?
            };
            let span = self.since(start);
            lhs = Spanned::new(
                Expr::Infix {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            );
            if level == 7 {
                break;
            }
        }
        Ok(lhs)
    }

    fn args(&mut self) -> PResult<Vec<Spanned<Expr>>> {
        self.expect_sym("(")?;
        let args = self.comma_list(|p| p.at_sym(")"), Self::expr)?;
        self.expect_sym(")")?;
        Ok(args)
    }

    fn atom(&mut self) -> PResult<Spanned<Expr>> {
        let start = self.span();
        let node = match self.peek().cloned() {
            Some(Tok::Int(n)) => self.literal(Expr::Int(n)),
            Some(Tok::Double(n)) => self.literal(Expr::Double(n)),
            Some(Tok::Char(c)) => self.literal(Expr::Char(c)),
            Some(Tok::Str(s)) => self.literal(Expr::Str(s)),
            Some(Tok::Lower(_)) => {
                let name = self.lower("a name")?;
                if self.at_sym("(") {
                    let args = self.args()?;
                    Expr::Call {
                        module: None,
                        name,
                        args,
                    }
                } else {
                    Expr::Var(name.node)
                }
            }
            Some(Tok::Upper(_)) => self.upper_expr()?,
            Some(Tok::Sym("[")) => {
                self.pos += 1;
                let items = self.comma_list(|p| p.at_sym("]"), Self::expr)?;
                self.expect_sym("]")?;
                Expr::List(items)
            }
            Some(Tok::Sym(s @ ("(+)" | "(*)"))) => {
                self.pos += 1;
                let op = Spanned::new(s[1..2].to_string(), self.prev_span());
                self.section(op)?
            }
            Some(Tok::Sym("(")) => return self.paren_expr(start),
            Some(Tok::Kw("case")) => self.case_expr()?,
            Some(Tok::Kw("switch")) => {
                self.pos += 1;
                let arms = self.block(|p| {
                    let c = p.expr()?;
                    p.expect_sym("->")?;
                    Ok((c, p.expr()?))
                })?;
                Expr::Switch(arms)
            }
            Some(Tok::Kw("store")) => {
                self.pos += 1;
                self.expect_sym("(")?;
                let stored = if matches!(self.peek(), Some(Tok::Lower(_)))
                    && self.peek_at(1) == Some(&Tok::Sym(")"))
                {
                    tree::Stored::Named(self.lower("a process")?)
                } else {
                    tree::Stored::Phrase(self.proc_phrase()?)
                };
                self.expect_sym(")")?;
                Expr::Store(Box::new(stored))
            }
            Some(Tok::Kw("fold")) => self.fold_expr()?,
            Some(Tok::Kw("unfold")) => self.unfold_expr()?,
            _ => return Err(self.error("an expression")),
        };
        Ok(Spanned::new(node, self.since(start)))
    }

    fn literal(&mut self, e: Expr) -> Expr {
        self.pos += 1;
        e
    }

    fn upper_expr(&mut self) -> PResult<Expr> {
        let name = self.upper("a name")?;
        if self.at_sym(".") && matches!(self.peek_at(1), Some(Tok::Lower(_))) {
            self.pos += 1;
            let f = self.lower("a function name")?;
            let args = self.args()?;
            return Ok(Expr::Call {
                module: Some(name),
                name: f,
                args,
            });
        }
        let args = if self.at_sym("(") {
            Some(self.args()?)
        } else {
            None
        };
        Ok(Expr::Upper { name, args })
    }

    /// `(op)(a, b)`
    fn section(&mut self, op: Name) -> PResult<Expr> {
        let args = self.args()?;
        let Ok([a, b]) = <[_; 2]>::try_from(args) else {
            return Err(SyntaxError {
                span: op.span,
                message: format!("`({})` takes two arguments", op.node),
                label: "here".into(),
                help: None,
                notes: Vec::new(),
                incomplete: false,
            });
        };
        Ok(Expr::Infix {
            op,
            lhs: Box::new(a),
            rhs: Box::new(b),
        })
    }

    /// After `(`: `()`, `(e)`, `(a, b)`, a section `(op)(a, b)` or a
    /// record `(Head := -> e, ...)`.
    fn paren_expr(&mut self, start: Span) -> PResult<Spanned<Expr>> {
        self.expect_sym("(")?;
        if self.eat_sym(")") {
            return Ok(Spanned::new(Expr::Unit, self.since(start)));
        }
        if let Some(Tok::Op(op, _)) = self.peek().cloned()
            && self.peek_at(1) == Some(&Tok::Sym(")"))
        {
            let op = Spanned::new(op, self.span());
            self.pos += 2;
            let e = self.section(op)?;
            return Ok(Spanned::new(e, self.since(start)));
        }
        if self.at_record() {
            let fields = self.record_fields(Self::fun_phrase)?;
            return Ok(Spanned::new(Expr::Record(fields), self.since(start)));
        }
        self.one_or_tuple(start, Self::expr, Expr::Tuple)
    }

    /// `fold e of { Ctor : patterns -> e; ... }`
    fn fold_expr(&mut self) -> PResult<Expr> {
        self.expect_kw("fold")?;
        let scrutinee = self.expr()?;
        self.expect_kw("of")?;
        let phrases = self.block(Self::fold_phrase)?;
        Ok(Expr::Fold(Box::new(scrutinee), phrases))
    }

    /// `unfold e of { pattern of { Dtor : patterns -> e; ... }; ... }`
    fn unfold_expr(&mut self) -> PResult<Expr> {
        self.expect_kw("unfold")?;
        let seed = self.expr()?;
        self.expect_kw("of")?;
        let phrases = self.block(|p| {
            let seed = p.pattern()?;
            p.expect_kw("of")?;
            let dtors = p.block(Self::fold_phrase)?;
            Ok(UnfoldPhrase { seed, dtors })
        })?;
        Ok(Expr::Unfold(Box::new(seed), phrases))
    }

    /// `Name : p1, p2 -> e` (the `:` separates; it is not a cons here).
    fn fold_phrase(&mut self) -> PResult<FoldPhrase> {
        let name = self.upper("a constructor or destructor")?;
        self.expect_sym(":")?;
        let patterns = self.comma_list(|p| p.at_sym("->"), Self::pattern)?;
        self.expect_sym("->")?;
        let body = self.expr()?;
        Ok(FoldPhrase {
            name,
            patterns,
            body,
        })
    }

    fn case_expr(&mut self) -> PResult<Expr> {
        self.expect_kw("case")?;
        let scrutinee = self.expr()?;
        self.expect_kw("of")?;
        let phrases = self.block(Self::fun_phrase)?;
        Ok(Expr::Case(Box::new(scrutinee), phrases))
    }

    // -----------------------------------------------------------------
    // Process commands

    /// `do { commands }` or a single command.
    fn commands_block(&mut self) -> PResult<Vec<Spanned<Command>>> {
        if self.eat_kw("do") {
            let lists: Vec<Vec<Spanned<Command>>> = self.block(Self::command)?;
            return Ok(lists.into_iter().flatten().collect());
        }
        self.command()
    }

    /// One command (an `on c do` block is several).
    fn command(&mut self) -> PResult<Vec<Spanned<Command>>> {
        let start = self.span();
        let node = match self.peek().cloned() {
            Some(Tok::Kw("on")) => return self.on_block(),
            Some(Tok::Kw("close")) => {
                self.pos += 1;
                Command::Close(self.lower("a channel")?)
            }
            Some(Tok::Kw("halt")) => {
                self.pos += 1;
                Command::Halt(self.lower("a channel")?)
            }
            Some(Tok::Kw(k @ ("get" | "put" | "hput" | "hcase" | "split" | "fork"))) => {
                self.pos += 1;
                self.channel_command(k, None)?
            }
            Some(Tok::Kw("race")) => {
                self.pos += 1;
                Command::Race(self.block(|p| {
                    let c = p.lower("a channel")?;
                    p.expect_sym("->")?;
                    Ok((c, p.commands_block()?))
                })?)
            }
            Some(Tok::Kw("plug")) => {
                self.pos += 1;
                Command::Plug(self.block(Self::plug_phrase)?)
            }
            Some(Tok::Kw("case")) => self.case_command()?,
            Some(Tok::Kw("if")) => {
                self.pos += 1;
                let c = self.expr()?;
                self.expect_kw("then")?;
                let t = self.commands_block()?;
                self.expect_kw("else")?;
                Command::If(c, t, self.commands_block()?)
            }
            Some(Tok::Kw("switch")) => {
                self.pos += 1;
                Command::Switch(self.block(|p| {
                    let c = p.expr()?;
                    p.expect_sym("->")?;
                    Ok((c, p.commands_block()?))
                })?)
            }
            Some(Tok::Kw("use")) => {
                self.pos += 1;
                self.expect_sym("(")?;
                let stored = self.expr()?;
                self.expect_sym(")")?;
                let Command::Run {
                    args, ins, outs, ..
                } = self.run(Spanned::new(String::new(), stored.span))?
                else {
                    return Err(self.error("`(`"));
                };
                Command::Use {
                    stored,
                    args,
                    ins,
                    outs,
                }
            }
            Some(Tok::Lower(_)) if self.peek_at(1) == Some(&Tok::Sym("|=|")) => {
                let a = self.lower("a channel")?;
                self.pos += 1;
                let neg = self.eat_kw("neg");
                let b = self.lower("a channel")?;
                Command::Forward { a, b, neg }
            }
            Some(Tok::Lower(_)) => {
                let name = self.lower("a process")?;
                self.run(name)?
            }
            Some(Tok::Upper(_)) if self.peek_at(1) == Some(&Tok::Sym(".")) => {
                let module = self.upper("a module")?;
                self.pos += 1;
                let name = self.lower("a process")?;
                // Kept qualified (`M.p`); the lowering resolves it.
                let qualified = format!("{}.{}", module.node, name.node);
                self.run(Spanned::new(qualified, module.span.to(name.span)))?
            }
            _ => return Err(self.error("a process command")),
        };
        Ok(vec![Spanned::new(node, self.since(start))])
    }

    /// `p(args | ins => outs)`, after the name.
    fn run(&mut self, name: Name) -> PResult<Command> {
        self.expect_sym("(")?;
        let args = self.comma_list(|p| p.at_sym("|"), Self::expr)?;
        self.expect_sym("|")?;
        let ins = self.names(|p| p.at_sym("=>"))?;
        self.expect_sym("=>")?;
        let outs = self.names(|p| p.at_sym(")"))?;
        self.expect_sym(")")?;
        Ok(Command::Run {
            name,
            args,
            ins,
            outs,
        })
    }

    /// The commands that name one channel, after their keyword; `on` is
    /// the channel of an `on c do` block (then it is not written).
    fn channel_command(&mut self, kw: &str, on: Option<&Name>) -> PResult<Command> {
        let channel = |p: &mut Self, sep: &str| -> PResult<Name> {
            match on {
                Some(c) => Ok(c.clone()),
                None => {
                    if !sep.is_empty() {
                        p.expect_kw(sep)?;
                    }
                    p.lower("a channel")
                }
            }
        };
        Ok(match kw {
            "get" => {
                let pat = self.pattern()?;
                Command::Get(pat, channel(self, "on")?)
            }
            "put" => {
                let e = self.expr()?;
                Command::Put(e, channel(self, "on")?)
            }
            "hput" => {
                let h = self.upper("a handle")?;
                Command::HPut(h, channel(self, "on")?)
            }
            "hcase" => {
                let c = channel(self, "")?;
                self.expect_kw("of")?;
                Command::HCase(
                    c,
                    self.block(|p| {
                        let h = p.upper("a handle")?;
                        p.expect_sym("->")?;
                        Ok((h, p.commands_block()?))
                    })?,
                )
            }
            "split" => {
                let c = channel(self, "")?;
                self.expect_kw("into")?;
                Command::Split(c, self.names(|_| false)?)
            }
            _ => {
                let c = channel(self, "")?;
                self.expect_kw("as")?;
                Command::Fork(c, self.block(Self::fork_phrase)?)
            }
        })
    }

    fn on_block(&mut self) -> PResult<Vec<Spanned<Command>>> {
        self.expect_kw("on")?;
        let c = self.lower("a channel")?;
        self.expect_kw("do")?;
        self.block(|p| {
            let start = p.span();
            let node = match p.bump().map(|l| l.tok) {
                Some(Tok::Kw(k @ ("get" | "put" | "hput" | "hcase" | "split" | "fork"))) => {
                    p.channel_command(k, Some(&c))?
                }
                Some(Tok::Kw("close")) => Command::Close(c.clone()),
                Some(Tok::Kw("halt")) => Command::Halt(c.clone()),
                _ => {
                    p.pos -= 1;
                    return Err(p.error("a command on the channel (`get`, `put`, `hput`, ...)"));
                }
            };
            Ok(Spanned::new(node, p.since(start)))
        })
    }

    fn fork_phrase(&mut self) -> PResult<ForkPhrase> {
        let half = self.lower("a channel")?;
        let with = if self.eat_kw("with") {
            Some(self.names(|p| p.at_sym("->"))?)
        } else {
            None
        };
        self.expect_sym("->")?;
        let body = self.commands_block()?;
        Ok(ForkPhrase { half, with, body })
    }

    fn plug_phrase(&mut self) -> PResult<PlugPhrase> {
        let start = self.span();
        let listed = self.at_sym("=>")
            || (matches!(self.peek(), Some(Tok::Lower(_)))
                && matches!(self.peek_at(1), Some(Tok::Sym("," | "=>"))));
        let channels = if listed {
            let ins = self.names(|p| p.at_sym("=>"))?;
            self.expect_sym("=>")?;
            let outs = self.names(|p| p.at_sym("->"))?;
            self.expect_sym("->")?;
            Some((ins, outs))
        } else {
            None
        };
        let body = self.commands_block()?;
        Ok(PlugPhrase {
            channels,
            body,
            span: self.since(start),
        })
    }

    fn case_command(&mut self) -> PResult<Command> {
        self.expect_kw("case")?;
        let e = self.expr()?;
        self.expect_kw("of")?;
        let arms = self.block(|p| {
            let pat = p.pattern()?;
            p.expect_sym("->")?;
            Ok((pat, p.commands_block()?))
        })?;
        Ok(Command::Case(e, arms))
    }
}
