// The string helpers of the prelude: strToInt (optional '-', digits only,
// no trimming, Nothing on overflow), intToStr, split, trim, join,
// startsWith / endsWith, case conversion, character classes.
process main(PutSeq<Char> out) {
  writeLine(out, show(strToInt("123")));
  writeLine(out, show(strToInt("-45")));
  writeLine(out, show(strToInt("")));
  writeLine(out, show(strToInt("-")));
  writeLine(out, show(strToInt(" 7")));
  writeLine(out, show(strToInt("12a")));
  writeLine(out, show(strToInt("007")));
  writeLine(out, show(strToInt("9223372036854775807")));
  writeLine(out, show(strToInt("9223372036854775808")));
  writeLine(out, show(strToInt("+5")));
  writeLine(out, show(strToInt("-0")));
  writeLine(out, intToStr(-12));
  writeLine(out, show(split("a,b,,c", ',')));
  writeLine(out, show(split("", ',')));
  writeLine(out, show(split("abc", ',')));
  writeLine(out, show(split(",x,", ',')));
  writeLine(out, show(trim("  \t hi there \r\n")));
  writeLine(out, show(trim("   ")));
  writeLine(out, show(trimStart("  a ")));
  writeLine(out, show(trimEnd("  a ")));
  writeLine(out, join(["a", "b", "c"], ", "));
  writeLine(out, show(join([], "-")));
  writeLine(out, join(["solo"], "-"));
  writeLine(out, show(startsWith("hello", "he")));
  writeLine(out, show(startsWith("he", "hello")));
  writeLine(out, show(startsWith("x", "")));
  writeLine(out, show(endsWith("hello", "llo")));
  writeLine(out, show(endsWith("hello", "hel")));
  writeLine(out, toUpper("Hello, World!"));
  writeLine(out, toLower("MiXeD 42"));
  writeLine(out, show(isDigit('5')));
  writeLine(out, show(isSpace('\t')));
  writeLine(out, show(isDigit('x')));
  writeLine(out, bytesToString(stringToBytes("bytes")));
  writeLine(out, show(join(split("a-b-c", '-'), "+")));
  writeLine(out, show(startsWith([1, 2, 3], [1, 2])));
  writeLine(out, show(charToUpper('q')));
  out.put(StopPut);
}

main(stdout);
