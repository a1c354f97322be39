// Equation-style functions: one clause per line of patterns, tried top to
// bottom, types inferred; constructor, literal, list, cons, tuple and
// wildcard patterns in parameter position.
data Tree<t> = Leaf | Node(Tree<t>, t, Tree<t>);

depth(Leaf) { 0 }
depth(Node(l, _, r)) { 1 + max(depth(l), depth(r)) }

fib(0) { 0 }
fib(1) { 1 }
fib(n) { fib(n - 1) + fib(n - 2) }

isNil([]) { true }
isNil(_) { false }

firstOr(Just(x), _) { x }
firstOr(Nothing, d) { d }

len([]) { 0 }
len((_:rest)) { 1 + len(rest) }

addPairs([], _) { [] }
addPairs(_, []) { [] }
addPairs((x:xs), (y:ys)) { (x + y) : addPairs(xs, ys) }

swapPair((a, b)) { (b, a) }

process main(PutSeq<Char> out) {
  let tree = Node(Node(Leaf, 1, Leaf), 2, Node(Node(Leaf, 3, Leaf), 4, Leaf));
  writeLine(out, show(depth(tree)));
  writeLine(out, show(fib(10)));
  writeLine(out, show(isNil([])));
  writeLine(out, show(isNil([1])));
  writeLine(out, show(firstOr(Just(3), 0)));
  writeLine(out, show(firstOr(Nothing, 7)));
  writeLine(out, show(len("abcd")));
  writeLine(out, show(addPairs([1, 2, 3], [10, 20])));
  writeLine(out, show(swapPair((1, 'x'))));
  out.put(StopPut);
}

main(stdout);
