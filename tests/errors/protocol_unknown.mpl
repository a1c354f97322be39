// A protocol that only names itself never says what to do first.
protocol Forever = Again;
protocol Again = Forever;
void send(Forever c) { c.put(1); }
