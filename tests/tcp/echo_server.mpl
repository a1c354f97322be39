// An echo server for tests/tcp.rs: listens on the port in args[0], serves
// each connection with its own `echo` process (every chunk received is
// sent back; when the peer closes, the send side is closed too) and
// accepts forever. Prints "listening" once bound, or the bind failure.
// Run: mpl run tests/tcp/echo_server.mpl 8080

/// Sends back every chunk `recv` delivers; at the peer's StopPut, stops `send`.
process echo(PutSeq<[Byte]> send, neg<PutSeq<[Byte]>> recv) {
  switch (recv.get) {
    case Put:
      let chunk = recv.get;
      send.put(Put).put(chunk);
      echo(send, recv);
    case StopPut:
      send.put(StopPut);
  }
}

/// Splits one connection into its two streams and echoes on them.
process serveConnection(TcpConnection conn) {
  let send = conn.get;
  let recv = conn.get;
  echo(send, recv);
}

/// Accepts connections forever, one `serveConnection` process each.
process acceptLoop(BoundTcpListener listener) {
  listener.put(Get);
  serveConnection(listener.get);
  acceptLoop(listener);
}

process server(TcpListenService tcp, PutSeq<Char> out, String port) {
  tcp.put(ListenOnPort).put(unwrap(strToInt(port), 8080));
  switch (tcp.get) {
    case TcpBindSuccess:
      writeLine(out, "listening");
      out.put(StopPut);
      acceptLoop(tcp);
    case TcpBindFailed:
      let reason = tcp.get;
      writeLine(out, concat("bind failed: ", reason));
      out.put(StopPut);
      tcp.put(StopTcpListenService);
  }
}

server(tcpListenService, stdout, args[0, "8080"]);
