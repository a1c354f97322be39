//! Parsing frees everything it allocates: a REPL session or a language
//! server parses on every input, so a per-parse leak grows without bound.
//! This test binary counts live heap bytes with the interpreter's own
//! counting allocator.

#[global_allocator]
static ALLOCATOR: mpl::memory::Counting<std::alloc::System> =
    mpl::memory::Counting(std::alloc::System);

/// A program that exercises every recursive rule of the grammar (types,
/// protocols, patterns, expressions, blocks), and one with a syntax error
/// (which takes the second, detailed pass).
const PROGRAMS: [&str; 2] = [
    "protocol P<t, #p> = put Go: get (Int, [t]), fork((put Int, close), #p) | put Stop: close;\n\
     Int f(Maybe<[Int]> m) { switch m { case Just((x:xs)): if (x > 0) { x } else { { 1 } } case _: 0 } }\n\
     process main(PutSeq<Char> out) { let (a, b) = (1, [2]); writeLine(out, show(a + f(Just(b)))); out.put(StopPut); }\n",
    "Int f(Int x) { x + }\n",
];

#[test]
fn parsing_frees_its_grammar() {
    let parse = |text: &str| {
        let mut sources = mpl::source::SourceMap::new();
        let file = sources.add("leak.mpl", text);
        drop(mpl::syntax::parse(file, text));
    };
    for text in PROGRAMS {
        // Warm up (one-time allocations such as thread-locals).
        for _ in 0..5 {
            parse(text);
        }
        let before = mpl::memory::allocated();
        for _ in 0..200 {
            parse(text);
        }
        let grown = mpl::memory::allocated().saturating_sub(before);
        assert!(
            grown < 64 * 1024,
            "200 parses left {grown} bytes allocated (a leak of about {} bytes per parse)",
            grown / 200
        );
    }
}
