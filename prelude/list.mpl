// The prelude, part 2: list helpers. `[t]` is the built-in list type
// (`[]`, `x : xs`); `String` is `[Char]`, so all of these work on strings.
//
// Prelude functions that other prelude functions rely on use distinctive
// names (`reverseOnto`, `lengthFrom`, ...) rather than `reverse` or
// `length`, so that a program defining its own `length` changes nothing here.
//
// Functions in `fold { ... }` groups are checked for termination
// (LANGUAGE.md 7.6): each recursive call passes, in its `fold by` position,
// a variable bound by a cons pattern of that parameter, or `n - 1` after an
// `n <= 0` test.

/// The number of elements of a list.
Int length([t] list) { lengthFrom(list, 0) }

fold {
  /// `acc` plus the number of elements of `list` (tail-recursive worker of `length`).
  Int lengthFrom(fold by [t] list, Int acc) {
    switch list {
      case []: acc
      case (_:rest): lengthFrom(rest, acc + 1)
    }
  }
}

/// True when the list has no elements.
Bool isEmpty([t] list) {
  switch list {
    case []: true
    case (_:_): false
  }
}

/// The first element of a list, or `Nothing` when it is empty.
Maybe<t> head([t] list) {
  switch list {
    case []: Nothing
    case (x:_): Just(x)
  }
}

/// The list without its first element; the tail of `[]` is `[]`.
[t] tail([t] list) {
  switch list {
    case []: []
    case (_:rest): rest
  }
}

fold {
  /// The last element of a list, or `Nothing` when it is empty.
  Maybe<t> last(fold by [t] list) {
    switch list {
      case []: Nothing
      case [x]: Just(x)
      case (_:rest): last(rest)
    }
  }
}

/// The element at `index` (0-based), or `Nothing` when out of range; see also `xs[i, d]`.
Maybe<t> nth([t] list, Int index) {
  if (index < 0) { Nothing } else { nthFrom(list, index) }
}

fold {
  /// The element at `index` of `list`, for `index >= 0` (worker of `nth`).
  Maybe<t> nthFrom(fold by [t] list, Int index) {
    switch list {
      case []: Nothing
      case (x:rest):
        if (index <= 0) { Just(x) } else { nthFrom(rest, index - 1) }
    }
  }
}

/// The two lists one after the other (the same as `a ++ b`).
[t] append([t] a, [t] b) { a ++ b }

/// The two lists one after the other: `concat("ab", "cd")` is `"abcd"` (the report's name).
[t] concat([t] a, [t] b) { a ++ b }

fold {
  /// All the inner lists, one after the other: `[[1], [2, 3]]` gives `[1, 2, 3]`.
  [t] flatten(fold by [[t]] lists) {
    switch lists {
      case []: []
      case (first:rest): first ++ flatten(rest)
    }
  }
}

/// The list in reverse order.
[t] reverse([t] list) { reverseOnto(list, []) }

fold {
  /// `list` reversed, followed by `acc`: `reverseOnto([1, 2], [3])` is `[2, 1, 3]`.
  [t] reverseOnto(fold by [t] list, [t] acc) {
    switch list {
      case []: acc
      case (x:rest): reverseOnto(rest, x : acc)
    }
  }
}

fold {
  /// The first `qty` elements (all of them when the list is shorter).
  [t] take(fold by Int qty, [t] list) {
    if (qty <= 0) {
      []
    } else {
      switch list {
        case []: []
        case (x:xs): x : take(qty - 1, xs)
      }
    }
  }

  /// The list without its first `qty` elements.
  [t] skip(fold by Int qty, [t] list) {
    if (qty <= 0) {
      list
    } else {
      switch list {
        case []: []
        case (_:xs): skip(qty - 1, xs)
      }
    }
  }
}

fold {
  /// `mapper.call(x)` for each element `x`, in order.
  [r] map(Func<t, r> mapper, fold by [t] list) {
    switch list {
      case []: []
      case (item:rest): mapper.call(item) : map(mapper, rest)
    }
  }

  /// The elements for which `keep.call(x)` is true, in order.
  [t] filter(Func<t, Bool> keep, fold by [t] list) {
    switch list {
      case []: []
      case (item:rest):
        if (keep.call(item)) { item : filter(keep, rest) } else { filter(keep, rest) }
    }
  }
}

fold {
  // Decision: MPL has no curried functions, so the step function takes one
  // tuple, (accumulator so far, next element), and returns the new
  // accumulator: foldl(f, z, [a, b]) is f.call((f.call((z, a)), b)).
  /// Combines the elements left to right: `step.call((acc, x))` for each `x`, starting from `init`.
  b foldl(Func<(b, t), b> step, b init, fold by [t] list) {
    switch list {
      case []: init
      case (x:rest): foldl(step, step.call((init, x)), rest)
    }
  }
}

fold {
  /// Pairs of elements at the same position; stops at the end of the shorter list.
  [(a, b)] zip(fold by [a] xs, [b] ys) {
    switch xs {
      case []: []
      case (x:xrest):
        switch ys {
          case []: []
          case (y:yrest): (x, y) : zip(xrest, yrest)
        }
    }
  }
}

/// The Ints from `from` up to `to`, `to` excluded: `range(2, 5)` is `[2, 3, 4]`.
[Int] range(Int from, Int to) { rangeBuild(from, to - from, []) }

fold {
  /// `[from, ..., from + count - 1]` followed by `acc` (worker of `range`, built from the end).
  [Int] rangeBuild(Int from, fold by Int count, [Int] acc) {
    if (count <= 0) { acc } else { rangeBuild(from, count - 1, (from + count - 1) : acc) }
  }
}

fold {
  /// A list of `count` copies of `item`.
  [t] replicate(fold by Int count, t item) {
    if (count <= 0) { [] } else { item : replicate(count - 1, item) }
  }
}

/// The index of the first element equal to `item`, or -1 when there is none.
Int indexOf([t] list, t item) { indexOfFrom(list, item, 0) }

fold {
  /// Worker of `indexOf`: `i` is the index of the first element of `list`.
  Int indexOfFrom(fold by [t] list, t item, Int i) {
    switch list {
      case []: -1
      case (x:rest):
        if (x == item) { i } else { indexOfFrom(rest, item, i + 1) }
    }
  }
}

/// The index where `part` first occurs in `list`, or -1 when it does not:
/// `indexOfPart("ab\r\n\r\n", "\r\n\r\n")` is 2, and `[]` occurs at 0.
Int indexOfPart([t] list, [t] part) { indexOfPartFrom(list, part, 0) }

fold {
  /// Worker of `indexOfPart`: `i` is the index of the first element of `list`.
  Int indexOfPartFrom(fold by [t] list, [t] part, Int i) {
    if (startsWith(list, part)) {
      i
    } else {
      switch list {
        case []: -1
        case (_:rest): indexOfPartFrom(rest, part, i + 1)
      }
    }
  }
}

fold {
  /// True when some element of `list` equals `item`.
  Bool contains(fold by [t] list, t item) {
    switch list {
      case []: false
      case (x:rest):
        if (x == item) { true } else { contains(rest, item) }
    }
  }
}

/// The sum of a list of Ints (0 for `[]`).
Int sum([Int] list) { sumFrom(list, 0) }

fold {
  /// `acc` plus the sum of `list` (tail-recursive worker of `sum`).
  Int sumFrom(fold by [Int] list, Int acc) {
    switch list {
      case []: acc
      case (x:rest): sumFrom(rest, acc + x)
    }
  }
}
