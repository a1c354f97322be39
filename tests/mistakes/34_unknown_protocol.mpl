// Misspelt a protocol name in a parameter.
protocol Counter = put Inc: loop | put Stop: close;

process drive(Countr c) {
  c.put(Stop);
  c.close();
}
