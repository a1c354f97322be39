// SYNTAX TEST "source.mpl" "channels, labels, protocol variables, comments, strings"

/// A protocol with labels.
// <--- comment.line.documentation.mpl
protocol Counter<#p> = put Inc: loop | put Stop: #p;
// <-------- keyword.declaration.mpl
//       ^^^^^^^ entity.name.type.mpl
//               ^^ variable.parameter.protocol.mpl
//                     ^^^ keyword.other.channel.mpl
//                         ^^^ entity.name.label.mpl

process drive(Counter<close> c) {
  c.put(Inc);
//  ^^^ keyword.other.channel.mpl
//      ^^^ entity.name.label.mpl
  switch (c.get) {
    case Stop: c.close();
//  ^^^^ keyword.control.mpl
//       ^^^^ entity.name.label.mpl
  }
  writeLine(out, "tab\there \u{1F600}");
//               ^ string.quoted.double.mpl
//                   ^^ constant.character.escape.mpl
//                          ^^^^^^^^^ constant.character.escape.mpl
}
drive(~k);
//    ^ keyword.operator.dual.mpl
