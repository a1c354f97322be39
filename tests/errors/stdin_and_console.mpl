// stdin and console read the same input.
process a(GetSeq<Char> i) { i.put(StopGet); }
process b(Console c) { c.put(StopConsole); }
a(stdin);
b(console);
