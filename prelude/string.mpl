// The prelude, part 3: string helpers. A `String` is exactly `[Char]`, so
// the list helpers work on strings too. `bytesToString` and
// `stringToBytes` are built-in primitives and are not defined here.

/// Parses a decimal Int: an optional leading '-' then one or more digits; anything else (spaces included) or a value out of range gives `Nothing`.
Maybe<Int> strToInt(String s) {
  switch s {
    case ('-':digits):
      switch strToIntDigits(digits) {
        case Nothing: Nothing
        case Just(n): Just(-n)
      }
    case _: strToIntDigits(s)
  }
}

/// Parses one or more decimal digits (no sign) into `Just(n)`, else `Nothing` (worker of `strToInt`).
Maybe<Int> strToIntDigits(String digits) {
  switch digits {
    case []: Nothing
    case (_:_): strToIntFrom(digits, 0)
  }
}

fold {
  /// `Just(acc * 10^k + value of digits)`, or `Nothing` on a non-digit or on overflow (worker of `strToInt`).
  Maybe<Int> strToIntFrom(fold by String digits, Int acc) {
    switch digits {
      case []: Just(acc)
      case (c:rest):
        if (c < '0' || c > '9') {
          Nothing
        } else {
          let d = charToInt(c) - charToInt('0');
          if (acc > (9223372036854775807 - d) / 10) {
            Nothing
          } else {
            strToIntFrom(rest, acc * 10 + d)
          }
        }
    }
  }
}

/// The decimal text of an Int: `intToStr(-12)` is `"-12"` (the same as `show` on an Int).
String intToStr(Int n) { show(n) }

/// True for a space, a tab, '\r' or '\n'.
Bool isSpace(Char c) { c == ' ' || c == '\t' || c == '\r' || c == '\n' }

/// True for the characters '0' to '9'.
Bool isDigit(Char c) { c >= '0' && c <= '9' }

/// The parts of `s` between the separators: `split("a,,b", ',')` is `["a", "", "b"]`, `split("", ',')` is `[""]`.
[String] split(String s, Char sep) { splitFrom(s, sep, "", []) }

fold {
  /// Worker of `split`: `cur` is the current part reversed, `acc` the finished parts reversed.
  [String] splitFrom(fold by String s, Char sep, String cur, [String] acc) {
    switch s {
      case []: reverseOnto(reverseOnto(cur, "") : acc, [])
      case (c:rest):
        if (c == sep) {
          splitFrom(rest, sep, "", reverseOnto(cur, "") : acc)
        } else {
          splitFrom(rest, sep, c : cur, acc)
        }
    }
  }
}

/// The words of `s`: its parts between spaces, tabs, '\r' and '\n', without
/// empty ones: `words(" to  be\n")` is `["to", "be"]`.
[String] words(String s) { wordsFrom(s, "", []) }

fold {
  /// Worker of `words`: `cur` is the current word reversed, `acc` the finished words reversed.
  [String] wordsFrom(fold by String s, String cur, [String] acc) {
    switch s {
      case []: reverseOnto(endWord(cur, acc), [])
      case (c:rest):
        if (isSpace(c)) { wordsFrom(rest, "", endWord(cur, acc)) } else { wordsFrom(rest, c : cur, acc) }
    }
  }
}

/// `acc` with the word `cur` (reversed) put in front, unless it is empty (worker of `words`).
[String] endWord(String cur, [String] acc) {
  switch cur {
    case []: acc
    case _: reverseOnto(cur, "") : acc
  }
}

/// The parts joined into one list with `sep` between them: `join(["a", "b"], ", ")` is `"a, b"`.
[t] join([[t]] parts, [t] sep) {
  switch parts {
    case []: []
    case (first:rest): first ++ joinRest(rest, sep)
  }
}

fold {
  /// `sep` before each of the parts, all joined (worker of `join`).
  [t] joinRest(fold by [[t]] parts, [t] sep) {
    switch parts {
      case []: []
      case (p:rest): sep ++ p ++ joinRest(rest, sep)
    }
  }
}

fold {
  /// The string without its leading spaces, tabs, '\r' and '\n'.
  String trimStart(fold by String s) {
    switch s {
      case []: s
      case (c:rest):
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { trimStart(rest) } else { s }
    }
  }
}

/// The string without its trailing spaces, tabs, '\r' and '\n'.
String trimEnd(String s) { reverseOnto(trimStart(reverseOnto(s, "")), "") }

/// The string without spaces, tabs, '\r' and '\n' at either end.
String trim(String s) { trimEnd(trimStart(s)) }

fold {
  /// True when `s` begins with `prefix` (every list begins with `[]`).
  Bool startsWith([t] s, fold by [t] prefix) {
    switch prefix {
      case []: true
      case (p:prest):
        switch s {
          case []: false
          case (c:srest):
            if (c == p) { startsWith(srest, prest) } else { false }
        }
    }
  }
}

/// True when `s` ends with `suffix`.
Bool endsWith([t] s, [t] suffix) { startsWith(reverseOnto(s, []), reverseOnto(suffix, [])) }

/// The upper-case form of an ASCII letter; any other character is unchanged.
Char charToUpper(Char c) {
  if (c >= 'a' && c <= 'z') { intToChar(charToInt(c) - 32) } else { c }
}

/// The lower-case form of an ASCII letter; any other character is unchanged.
Char charToLower(Char c) {
  if (c >= 'A' && c <= 'Z') { intToChar(charToInt(c) + 32) } else { c }
}

fold {
  /// The string with its ASCII letters in upper case.
  String toUpper(fold by String s) {
    switch s {
      case []: s
      case (c:rest): charToUpper(c) : toUpper(rest)
    }
  }

  /// The string with its ASCII letters in lower case.
  String toLower(fold by String s) {
    switch s {
      case []: s
      case (c:rest): charToLower(c) : toLower(rest)
    }
  }
}
