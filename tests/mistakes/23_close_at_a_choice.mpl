// Closed a service channel without saying goodbye first.
process main(TimeService time) {
  time.put(GetUnixTime);
  let now = time.get;
  time.close();
}
main(timeService);
