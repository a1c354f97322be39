// A misspelt type in a parameter is reported once: the parameter is then
// used as whatever the body makes of it, with no errors of its own.
protocol Counter = put Inc: loop | put Stop: close;
process main(Countr c) {
  c.put(Inc);
  c.put(Stop);
}
