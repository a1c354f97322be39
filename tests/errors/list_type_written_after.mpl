// The report writes `String[] data`; MPL writes `[String] data`.
process show_all(PutSeq<Char> out, String[] data) { out.put(StopPut); }
