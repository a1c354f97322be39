// Closing a service channel where its protocol waits for a choice: the
// help names the label that ends the protocol.
process clock(TimeService time) {
  time.close();
}
clock(timeService);
