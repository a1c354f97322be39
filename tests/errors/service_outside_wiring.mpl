// A service named inside a process instead of in the wiring.
process main() {
  writeLine(stdout, "hi");
}
main();
