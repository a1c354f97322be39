// `import "path";` brings in another file's declarations (data, functions,
// protocols, processes); the path is relative to the importing file, and
// imports chain (lib/helpers.mpl imports lib/more.mpl).
import "lib/helpers.mpl";

process main(Shout s, PutSeq<Char> out) {
  writeLine(out, colorName(Blue));
  writeLine(out, show(triple(7)));
  writeLine(out, show(square(9)));
  writeLine(out, show([Red, Green]));
  s.put("quiet words");
  writeLine(out, s.get);
  out.put(StopPut);
}

shouter(~s);
main(s, stdout);
