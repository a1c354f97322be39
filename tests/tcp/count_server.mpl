// A one-connection server for tests/tcp.rs: listens on the port in
// args[0], accepts one connection, counts the bytes the peer sends until it
// closes, answers "got N bytes", prints the same line, stops listening and
// ends, so the run ends by itself.
// Run: mpl run tests/tcp/count_server.mpl 8080

/// Counts the bytes `recv` delivers until the peer closes.
Int countBytes(neg<PutSeq<[Byte]>> recv, Int total) {
  switch (recv.get) {
    case Put:
      let chunk = recv.get;
      countBytes(recv, total + length(chunk))
    case StopPut:
      total
  }
}

/// Counts one connection's bytes and answers with the count.
String serveOne(TcpConnection conn) {
  let send = conn.get;
  let recv = conn.get;
  let answer = concat("got ", concat(intToStr(countBytes(recv, 0)), " bytes"));
  send.put(Put).put(stringToBytes(answer));
  send.put(StopPut);
  answer
}

process server(TcpListenService tcp, PutSeq<Char> out, String port) {
  tcp.put(ListenOnPort).put(unwrap(strToInt(port), 8080));
  switch (tcp.get) {
    case TcpBindSuccess:
      writeLine(out, "listening");
      tcp.put(Get);
      let answer = serveOne(tcp.get);
      tcp.put(StopGet);
      writeLine(out, answer);
      out.put(StopPut);
    case TcpBindFailed:
      let reason = tcp.get;
      writeLine(out, concat("bind failed: ", reason));
      out.put(StopPut);
      tcp.put(StopTcpListenService);
  }
}

server(tcpListenService, stdout, args[0, "8080"]);
