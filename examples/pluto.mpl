// Pluto, the static website server (after coq-concurrency/pluto), in MPL.
// Run: mpl run examples/pluto.mpl 8000 examples/html/
//      then open http://localhost:8000/
//      FOLDER must lie inside a folder the file service may read: the
//      current one unless `--allow-read=DIR` says otherwise; it may be
//      relative to that folder or absolute, so another folder is served with
//      mpl run --allow-read=/srv/www examples/pluto.mpl 8000 /srv/www
//
// It prints "Pluto starting on FOLDER, port PORT, on DATE." and then serves
// the files of FOLDER over HTTP/1.1: GET and HEAD, `/` and folders give
// their index.html, percent-encoded URLs, keep-alive and pipelined
// requests, one log line per request ("GET /index.html 200").
//
// The process graph: `pluto` binds the port and becomes `acceptClients`,
// which waits for connections; each connection is served by its own
// `serveConnection` process, which gets its own connection to the file
// system and the time service (`ShareFSWith`, `ShareTSWith`) and its own
// log stream. One `logger` process owns stdout.
//
// Logging without a shared stdout: stdout is one channel, held by the
// logger. Each connection has a log stream of its own; the logger merges
// them with `race` as they come (`mergeLogs`, one process per pair of
// streams, which forwards and ends when one of its two has ended), so a
// line is printed as soon as its request is served, whatever the other
// connections do; a kept-alive idle connection holds nothing back. A new
// stream starts a chain of its own until there are four, then is merged in
// at the head of one, the chains taking new streams in turn (`loggerOf4`);
// a line passes one merge per newer stream of its chain.

// ---------------------------------------------------------------------------
// Protocols

/// The receiving half of a TCP connection: the peer chooses `Put` with the
/// next chunk of bytes, or `StopPut` when it has closed its side.
protocol Inbound = neg<PutSeq<[Byte]>>;

/// One connection's log: a line per request, then `EndLog`.
protocol LogLines = put Line: put String, loop
                  | put EndLog: close;

/// What a new connection process receives, one channel after the other
/// (two processes may share only one channel, so they come over one).
protocol Kit = get FileSystem, get TimeService, get LogLines, close;

// ---------------------------------------------------------------------------
// Starting

/// Prints Pluto's usage text and ends.
process printUsage(PutSeq<Char> out, TimeService ts, FileSystem fs, TcpListenService tcp) {
  writeLine(out, "pluto port folder");
  writeLine(out, "  port: the port used by the server (like 80)");
  writeLine(out, "  folder: the folder of the website to serve");
  out.put(StopPut);
  ts.put(StopTimeService);
  fs.put(StopFileSystem);
  tcp.put(StopTcpListenService);
}

process pluto([String] argv, PutSeq<Char> out, TimeService ts, FileSystem fs, TcpListenService tcp) {
  switch argv {
    case [port, folder]:
      switch parseNatural(port) {
        case Nothing:
          printUsage(out, ts, fs, tcp);
        case Just(portNumber):
          ts.put(GetUnixTime);
          let now = ts.get;
          writeLine(out, flatten(["Pluto starting on ", folder, ", port ", port, ", on ", rfc1123(now), "."]));
          startServer(out, ts, fs, tcp, portNumber, folder);
      }
    case _:
      printUsage(out, ts, fs, tcp);
  }
}

/// A natural number in decimal (a port, a Content-Length): no sign.
Maybe<Int> parseNatural(String text) {
  switch text {
    case ('-':_): Nothing
    case _: strToInt(text)
  }
}

/// Checks that the folder can be read, binds the port and starts serving.
process startServer(PutSeq<Char> out, TimeService ts, FileSystem fs, TcpListenService tcp, Int portNumber, String folder) {
  let root = siteRoot(folder);
  fs.put(ListDir).put(root);
  switch (fs.get) {
    case Entries:
      let _ = fs.get;
      tcp.put(ListenOnPort).put(portNumber);
      switch (tcp.get) {
        case TcpBindSuccess:
          logger(~logs, out);
          acceptClients(tcp, fs, ts, logs, root);
        case TcpBindFailed:
          writeLine(out, concat("The server socket cannot bind: ", tcp.get));
          tcp.put(StopTcpListenService);
          out.put(StopPut);
          ts.put(StopTimeService);
          fs.put(StopFileSystem);
      }
    case ListFailed:
      writeLine(out, flatten(["Cannot read the folder '", folder, "': ", fs.get]));
      writeLine(out, "(files are read only under --allow-read folders, by default the current one)");
      tcp.put(StopTcpListenService);
      out.put(StopPut);
      ts.put(StopTimeService);
      fs.put(StopFileSystem);
  }
}

/// The folder without trailing slashes ("." for the current folder).
String siteRoot(String folder) {
  let trimmed = reverse(dropWhileSlash(reverse(folder)));
  switch trimmed {
    case []: if (startsWith(folder, "/")) { "/" } else { "." }
    case _: trimmed
  }
}

String dropWhileSlash(String s) {
  switch s {
    case ('/':rest): dropWhileSlash(rest)
    case _: s
  }
}

/// Waits for the next client, starts a process for it, and loops.
process acceptClients(BoundTcpListener listener, FileSystem fs, TimeService ts, PutSeq<neg<LogLines>> logs, String root) {
  listener.put(Get);
  let connection = listener.get;
  FileSystem clientFs;
  TimeService clientTs;
  LogLines clientLog;
  fs.put(ShareFSWith).put(~clientFs);
  ts.put(ShareTSWith).put(~clientTs);
  logs.put(Put).put(~clientLog);
  neg<Kit> kit;
  serveConnection(connection, ~kit, root);
  kit.put(clientFs).put(clientTs).put(clientLog);
  acceptClients(listener, fs, ts, logs, root);
}

/// Owns stdout while no connection is open: waits for the first log stream.
process logger(neg<PutSeq<neg<LogLines>>> logs, PutSeq<Char> out) {
  switch (logs.get) {
    case Put:
      loggerOf(logs, logs.get, out);
    case StopPut:
      out.put(StopPut);
  }
}

/// Owns stdout: prints the lines of `lines` (the merged logs of the open
/// connections) as they come; a new connection's log starts a second chain.
process loggerOf(neg<PutSeq<neg<LogLines>>> logs, neg<LogLines> lines, PutSeq<Char> out) {
  // Older streams are listed first, here and in `mergeLogs`: a race takes
  // the message that arrived first, but of messages already waiting when
  // it first looks, the one listed first. When the logger falls behind,
  // the lines of a chain still come out in the order of their connections.
  race {
    case lines:
      switch (lines.get) {
        case Line:
          writeLine(out, lines.get);
          loggerOf(logs, lines, out);
        case EndLog:
          logger(logs, out);
      }
    case logs:
      switch (logs.get) {
        case Put:
          loggerOf2(logs, lines, logs.get, out);
        case StopPut:
          printLog(lines, out);
          out.put(StopPut);
      }
  }
}

/// Owns stdout with two chains of merged logs, `a` and `b` (older streams
/// first, here and in `loggerOf3` and `loggerOf4`); a new connection's log
/// starts a third chain.
process loggerOf2(neg<PutSeq<neg<LogLines>>> logs, neg<LogLines> a, neg<LogLines> b, PutSeq<Char> out) {
  race {
    case a:
      switch (a.get) {
        case Line:
          writeLine(out, a.get);
          loggerOf2(logs, a, b, out);
        case EndLog:
          loggerOf(logs, b, out);
      }
    case b:
      switch (b.get) {
        case Line:
          writeLine(out, b.get);
          loggerOf2(logs, a, b, out);
        case EndLog:
          loggerOf(logs, a, out);
      }
    case logs:
      switch (logs.get) {
        case Put:
          loggerOf3(logs, a, b, logs.get, out);
        case StopPut:
          printLog(a, out);
          printLog(b, out);
          out.put(StopPut);
      }
  }
}

/// Owns stdout with three chains; a new connection's log starts a fourth.
process loggerOf3(neg<PutSeq<neg<LogLines>>> logs, neg<LogLines> a, neg<LogLines> b, neg<LogLines> c, PutSeq<Char> out) {
  race {
    case a:
      switch (a.get) {
        case Line:
          writeLine(out, a.get);
          loggerOf3(logs, a, b, c, out);
        case EndLog:
          loggerOf2(logs, b, c, out);
      }
    case b:
      switch (b.get) {
        case Line:
          writeLine(out, b.get);
          loggerOf3(logs, a, b, c, out);
        case EndLog:
          loggerOf2(logs, a, c, out);
      }
    case c:
      switch (c.get) {
        case Line:
          writeLine(out, c.get);
          loggerOf3(logs, a, b, c, out);
        case EndLog:
          loggerOf2(logs, a, b, out);
      }
    case logs:
      switch (logs.get) {
        case Put:
          loggerOf4(logs, a, b, c, logs.get, out);
        case StopPut:
          printLog(a, out);
          printLog(b, out);
          printLog(c, out);
          out.put(StopPut);
      }
  }
}

/// Owns stdout with four chains of merged logs: a new connection's log is
/// merged into `a`, which then goes last, so the chains take new logs in
/// turn. A line passes one merge per newer stream of its chain: with 50
/// connections kept alive, 25 on average with one chain, 12 with two and
/// 6 with four, and each merge costs its process a wake-up (about 2,500
/// machine instructions). Four chains instead of two: 165.5 k -> 152.0 k
/// machine instructions a request under `wrk -c50`.
process loggerOf4(neg<PutSeq<neg<LogLines>>> logs, neg<LogLines> a, neg<LogLines> b, neg<LogLines> c, neg<LogLines> d, PutSeq<Char> out) {
  race {
    case a:
      switch (a.get) {
        case Line:
          writeLine(out, a.get);
          loggerOf4(logs, a, b, c, d, out);
        case EndLog:
          loggerOf3(logs, b, c, d, out);
      }
    case b:
      switch (b.get) {
        case Line:
          writeLine(out, b.get);
          loggerOf4(logs, a, b, c, d, out);
        case EndLog:
          loggerOf3(logs, a, c, d, out);
      }
    case c:
      switch (c.get) {
        case Line:
          writeLine(out, c.get);
          loggerOf4(logs, a, b, c, d, out);
        case EndLog:
          loggerOf3(logs, a, b, d, out);
      }
    case d:
      switch (d.get) {
        case Line:
          writeLine(out, d.get);
          loggerOf4(logs, a, b, c, d, out);
        case EndLog:
          loggerOf3(logs, a, b, c, out);
      }
    case logs:
      switch (logs.get) {
        case Put:
          let newer = logs.get;
          mergeLogs(a, newer, merged);
          loggerOf4(logs, b, c, d, ~merged, out);
        case StopPut:
          printLog(a, out);
          printLog(b, out);
          printLog(c, out);
          printLog(d, out);
          out.put(StopPut);
      }
  }
}

/// Two log streams as one, line by line as they come (`a` the older, listed
/// first); when one ends, the other is forwarded as the rest and this
/// process ends.
process mergeLogs(neg<LogLines> a, neg<LogLines> b, LogLines both) {
  race {
    case a:
      switch (a.get) {
        case Line:
          both.put(Line).put(a.get);
          mergeLogs(a, b, both);
        case EndLog:
          both := b;
      }
    case b:
      switch (b.get) {
        case Line:
          both.put(Line).put(b.get);
          mergeLogs(a, b, both);
        case EndLog:
          both := a;
      }
  }
}

void printLog(neg<LogLines> lines, PutSeq<Char> out) {
  switch (lines.get) {
    case Line:
      writeLine(out, lines.get);
      printLog(lines, out);
    case EndLog:
  }
}

// ---------------------------------------------------------------------------
// One connection

process serveConnection(TcpConnection connection, Kit kit, String root) {
  let send = connection.get;
  let recv = connection.get;
  let fs = kit.get;
  let ts = kit.get;
  let log = kit.get;
  serveRequests(send, recv, fs, ts, log, root, [], Clock(-1, ""));
}

/// Reads the next request (the bytes already received are `buffered`),
/// answers it, and loops while the connection is kept alive. `clock` is
/// the last date this connection formatted (see `dateNow`).
process serveRequests(PutSeq<[Byte]> send, Inbound recv, FileSystem fs, TimeService ts, LogLines log, String root, [Byte] buffered, Clock clock) {
  let start = skipBlankLines(buffered);
  switch (readHead(recv, start, length(start), 0)) {
    case Complete(head, rest, recv2):
      let (date, clock2) = dateNow(ts, clock);
      switch (parseHead(bytesToString(head))) {
        case Nothing:
          answerError(send, date, log, "-", firstLine(head), 400, "Bad Request");
          closeConnection(send, recv2, fs, ts, log);
        case Just(request):
          serveRequest(send, recv2, fs, ts, log, root, request, rest, date, clock2);
      }
    case Closed(partial):
      if (isEmpty(partial)) {
        send.put(StopPut);
      } else {
        let (date, _) = dateNow(ts, clock);
        answerError(send, date, log, "-", "-", 400, "Bad Request");
        send.put(StopPut);
      }
      fs.put(StopFileSystem);
      ts.put(StopTimeService);
      log.put(EndLog);
    case Oversized(recv2):
      let (date, _) = dateNow(ts, clock);
      answerError(send, date, log, "-", "-", 431, "Request Header Fields Too Large");
      closeConnection(send, recv2, fs, ts, log);
  }
}

/// Skips the request's body, answers (with `date` in the Date header), and
/// goes on with the next request or closes.
process serveRequest(PutSeq<[Byte]> send, Inbound recv, FileSystem fs, TimeService ts, LogLines log, String root, Request request, [Byte] rest, String date, Clock clock) {
  let Request(method, target, version, headers) = request;
  let keepAlive = wantsKeepAlive(version, headers);
  if (isJust(findHeader(headers, "transfer-encoding"))) {
    answerError(send, date, log, method, target, 501, "Not Implemented");
    closeConnection(send, recv, fs, ts, log);
  } else {
    switch (contentLength(headers)) {
      case Nothing:
        answerError(send, date, log, method, target, 400, "Bad Request");
        closeConnection(send, recv, fs, ts, log);
      case Just(bodyLength):
        switch (skipBody(recv, rest, length(rest), bodyLength)) {
          case Skipped(next, recv2):
            let stillOpen = answer(send, fs, date, log, root, method, target, keepAlive);
            if (stillOpen) {
              serveRequests(send, recv2, fs, ts, log, root, next, clock);
            } else {
              closeConnection(send, recv2, fs, ts, log);
            }
          case Cut:
            send.put(StopPut);
            fs.put(StopFileSystem);
            ts.put(StopTimeService);
            log.put(EndLog);
        }
    }
  }
}

/// Ends our side of the connection and of the services, then reads what
/// the peer still sends until it closes too.
process closeConnection(PutSeq<[Byte]> send, Inbound recv, FileSystem fs, TimeService ts, LogLines log) {
  send.put(StopPut);
  fs.put(StopFileSystem);
  ts.put(StopTimeService);
  log.put(EndLog);
  drain(recv);
}

process drain(Inbound recv) {
  switch (recv.get) {
    case Put:
      let _ = recv.get;
      drain(recv);
    case StopPut:
  }
}

// ---------------------------------------------------------------------------
// Reading requests from the byte stream

/// The head of a request (up to the blank line), what follows it, and the
/// receiving channel; or the connection closed (with what was received);
/// or a head too large to accept.
data Incoming = Complete([Byte], [Byte], Inbound)
              | Closed([Byte])
              | Oversized(Inbound);

/// The most bytes a request head may have.
Int maxHead() { 65536 }

/// Receives chunks until `buffer` holds a whole head. `size` is its length;
/// the search for the blank line starts at `from` (bytes before it were searched).
Incoming readHead(Inbound recv, [Byte] buffer, Int size, Int from) {
  let (headEnd, bodyStart) = findBlankLine(buffer, from);
  if (headEnd >= 0) {
    Complete(take(headEnd, buffer), skip(bodyStart, buffer), recv)
  } else if (size > maxHead()) {
    Oversized(recv)
  } else {
    switch (recv.get) {
      case Put:
        let chunk = recv.get;
        readHead(recv, buffer ++ chunk, size + length(chunk), max(0, size - 3))
      case StopPut:
        Closed(buffer)
    }
  }
}

/// Where the head ends and the body starts: the first "\n\r\n" or "\n\n"
/// at or after `i` (a line feed alone ends a line too); (-1, -1) if none.
(Int, Int) findBlankLine([Byte] bytes, Int i) {
  let rest = skip(i, bytes);
  let lf = indexOfPart(rest, [intToByte(10), intToByte(10)]);
  let crlf = indexOfPart(rest, [intToByte(10), intToByte(13), intToByte(10)]);
  if (lf >= 0 && (crlf < 0 || lf < crlf)) {
    (i + lf, i + lf + 2)
  } else if (crlf >= 0) {
    (i + crlf, i + crlf + 3)
  } else {
    (-1, -1)
  }
}

/// Empty lines before a request are ignored (RFC 9112, 2.2).
[Byte] skipBlankLines([Byte] bytes) {
  switch bytes {
    case []: bytes
    case (b:rest):
      let n = byteToInt(b);
      if (n == 13 || n == 10) { skipBlankLines(rest) } else { bytes }
  }
}

/// The bytes after the body, or `Cut` when the peer closed before its end.
data AfterBody = Skipped([Byte], Inbound) | Cut;

/// Reads and drops `bodyLength` bytes: `have` (of length `size`) are received already.
AfterBody skipBody(Inbound recv, [Byte] have, Int size, Int bodyLength) {
  if (size >= bodyLength) {
    Skipped(skip(bodyLength, have), recv)
  } else {
    switch (recv.get) {
      case Put:
        let chunk = recv.get;
        skipBody(recv, chunk, length(chunk), bodyLength - size)
      case StopPut:
        Cut
    }
  }
}

// ---------------------------------------------------------------------------
// Parsing a request head

/// Method, request target, HTTP version, headers (names in lower case, values trimmed).
data Request = Request(String, String, String, [(String, String)]);

Maybe<Request> parseHead(String text) {
  switch (split(text, '\n')) {
    case []: Nothing
    case (first:rest):
      switch (split(dropCR(first), ' ')) {
        case [method, target, version]:
          if (isEmpty(method) || isEmpty(target) || !startsWith(version, "HTTP/1.")) {
            Nothing
          } else {
            switch (parseHeaders(rest, [])) {
              case Nothing: Nothing
              case Just(headers): Just(Request(method, target, version, headers))
            }
          }
        case _: Nothing
      }
  }
}

/// The first line of a malformed head, for the log (at most 100 characters).
String firstLine([Byte] head) {
  let (line, _) = splitAt(bytesToString(take(100, head)), '\n');
  show(dropCR(line))
}

String dropCR(String line) {
  if (endsWith(line, "\r")) { take(length(line) - 1, line) } else { line }
}

Maybe<[(String, String)]> parseHeaders([String] lines, [(String, String)] acc) {
  switch lines {
    case []: Just(reverse(acc))
    case ("":rest): parseHeaders(rest, acc)
    case ("\r":rest): parseHeaders(rest, acc)
    case (line:rest):
      let (name, value) = splitAt(dropCR(line), ':');
      if (isEmpty(name) || contains(name, ' ') || contains(name, '\t') || !startsWith(value, ":")) {
        Nothing
      } else {
        parseHeaders(rest, (toLower(name), trim(tail(value))) : acc)
      }
  }
}

/// The text before the first `c`, and the rest starting with `c` ("" if none).
(String, String) splitAt(String s, Char c) {
  let i = indexOf(s, c);
  if (i < 0) { (s, "") } else { (take(i, s), skip(i, s)) }
}

Maybe<String> findHeader([(String, String)] headers, String name) {
  switch headers {
    case []: Nothing
    case ((n, v):rest): if (n == name) { Just(v) } else { findHeader(rest, name) }
  }
}

/// The announced body length: 0 without the header, `Nothing` when it is not a number.
Maybe<Int> contentLength([(String, String)] headers) {
  switch (findHeader(headers, "content-length")) {
    case Nothing: Just(0)
    case Just(text):
      switch (parseNatural(text)) {
        case Nothing: Nothing
        case Just(n): Just(n)
      }
  }
}

/// HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes unless told `keep-alive`.
Bool wantsKeepAlive(String version, [(String, String)] headers) {
  let options = toLower(unwrap(findHeader(headers, "connection"), ""));
  if (version == "HTTP/1.0") {
    containsText(options, "keep-alive")
  } else {
    !containsText(options, "close")
  }
}

Bool containsText(String s, String part) {
  if (startsWith(s, part)) {
    true
  } else {
    switch s {
      case []: false
      case (_:rest): containsText(rest, part)
    }
  }
}

// ---------------------------------------------------------------------------
// URLs and file names

/// The file a request target names, relative to the site, as path segments;
/// `Nothing` for a target that is not a clean absolute path ("..", bad
/// percent-encoding, a NUL byte, or invalid UTF-8).
Maybe<([String], Bool)> targetPath(String target) {
  let path = withoutQuery(withoutOrigin(target));
  switch path {
    case ('/':_):
      switch (percentDecode(stringToBytes(path))) {
        case Nothing: Nothing
        case Just(bytes):
          let text = bytesToString(bytes);
          if (contains(bytes, intToByte(0)) || stringToBytes(text) != bytes) {
            Nothing
          } else {
            let segments = cleanSegments(split(text, '/'), []);
            if (contains(segments, "..")) { Nothing } else { Just((segments, endsWith(text, "/"))) }
          }
      }
    case _: Nothing
  }
}

/// "http://host:8000/a/b" is "/a/b" (the absolute form of a request target).
String withoutOrigin(String target) {
  if (startsWith(toLower(target), "http://")) {
    let (_, path) = splitAt(skip(7, target), '/');
    if (isEmpty(path)) { "/" } else { path }
  } else {
    target
  }
}

String withoutQuery(String target) {
  let (path, _) = splitAt(target, '?');
  let (clean, _) = splitAt(path, '#');
  clean
}

/// The non-empty segments other than ".".
[String] cleanSegments([String] parts, [String] acc) {
  switch parts {
    case []: reverse(acc)
    case (p:rest):
      if (p == "" || p == ".") { cleanSegments(rest, acc) } else { cleanSegments(rest, p : acc) }
  }
}

/// "%41" is 'A'; a '%' without two hex digits makes the whole URL invalid.
Maybe<[Byte]> percentDecode([Byte] bytes) {
  if (indexOf(bytes, intToByte(37)) < 0) { Just(bytes) } else { decodeFrom(bytes, []) }
}

/// `percentDecode` from the first '%' on; `acc` holds the bytes before it, reversed.
Maybe<[Byte]> decodeFrom([Byte] bytes, [Byte] acc) {
  switch bytes {
    case []: Just(reverse(acc))
    case (b:rest):
      if (byteToInt(b) != 37) {
        decodeFrom(rest, b : acc)
      } else {
        switch rest {
          case (h:(l:rest2)):
            let high = hexValue(byteToInt(h));
            let low = hexValue(byteToInt(l));
            if (high < 0 || low < 0) {
              Nothing
            } else {
              decodeFrom(rest2, intToByte(high * 16 + low) : acc)
            }
          case _: Nothing
        }
      }
  }
}

Int hexValue(Int c) {
  if (c >= 48 && c <= 57) { c - 48 }
  else if (c >= 65 && c <= 70) { c - 55 }
  else if (c >= 97 && c <= 102) { c - 87 }
  else { -1 }
}

/// The extension of the last segment, in lower case ("" if none).
String extension([String] segments) {
  switch (last(segments)) {
    case Nothing: ""
    case Just(name):
      let parts = split(name, '.');
      switch parts {
        case [_]: ""
        case _: toLower(unwrap(last(parts), ""))
      }
  }
}

String mimeType(String ext) {
  if (ext == "html" || ext == "htm") { "text/html" }
  else if (ext == "css") { "text/css" }
  else if (ext == "js" || ext == "mjs") { "text/javascript" }
  else if (ext == "json") { "application/json" }
  else if (ext == "txt") { "text/plain" }
  else if (ext == "png") { "image/png" }
  else if (ext == "jpg" || ext == "jpeg") { "image/jpeg" }
  else if (ext == "gif") { "image/gif" }
  else if (ext == "svg") { "image/svg+xml" }
  else if (ext == "ico") { "image/x-icon" }
  else { "application/octet-stream" }
}

/// Pluto's caching: HTML is checked again at each visit, the rest is kept a week.
String cacheControl(String mime) {
  if (mime == "text/html") { "no-cache" } else { "max-age=604800, public" }
}

// ---------------------------------------------------------------------------
// Answers

/// Answers one GET/HEAD/other request; false when the connection must close.
Bool answer(PutSeq<[Byte]> send, FileSystem fs, String date, LogLines log, String root, String method, String target, Bool keepAlive) {
  if (method != "GET" && method != "HEAD") {
    let body = "405 Method Not Allowed\n";
    send.put(Put).put(responseHead(405, "Method Not Allowed", [("Allow", "GET, HEAD")] ++ plainHeaders(body, date, keepAlive)));
    send.put(Put).put(stringToBytes(body));
    logLine(log, method, target, 405);
    keepAlive
  } else {
    let isHead = method == "HEAD";
    switch (targetPath(target)) {
      case Nothing:
        answerError(send, date, log, method, target, 400, "Bad Request");
        false
      case Just((segments, isFolder)):
        let name = if (isFolder || isEmpty(segments)) { segments ++ ["index.html"] } else { segments };
        let path = join(root : name, "/");
        fs.put(OpenFile).put(path);
        switch (fs.get) {
          case Opened:
            let file = fs.get;
            let mime = mimeType(extension(name));
            let (status, complete) = sendFile(send, file, date, mime, isHead, keepAlive);
            logLine(log, method, target, status);
            complete && keepAlive
          case OpenFailed:
            let _ = fs.get;
            if (isFolder || isEmpty(segments)) {
              answerNotFound(send, date, log, method, target, isHead, keepAlive)
            } else {
              fs.put(ListDir).put(path);
              switch (fs.get) {
                case Entries:
                  let _ = fs.get;
                  redirect(send, date, log, method, target, keepAlive)
                case ListFailed:
                  let _ = fs.get;
                  answerNotFound(send, date, log, method, target, isHead, keepAlive)
              }
            }
        }
    }
  }
}

/// Sends the file's head and bytes; (status, whether exactly the announced bytes went out).
(Int, Bool) sendFile(PutSeq<[Byte]> send, File file, String date, String mime, Bool isHead, Bool keepAlive) {
  file.put(GetLength);
  let size = file.get;
  let headers = [("Cache-Control", cacheControl(mime)),
                 ("Content-Type", mime),
                 ("Content-Length", show(size)),
                 ("Date", date),
                 ("Server", "Pluto")] ++ connectionHeader(keepAlive);
  let head = responseHead(200, "OK", headers);
  if (isHead) {
    send.put(Put).put(head);
    file.put(CloseFile);
    (200, true)
  } else {
    // The head goes out with the first chunk: one write for a small file.
    file.put(ReadChunk).put(min(size, 65536));
    let first = file.get;
    send.put(Put).put(head ++ first);
    let n = length(first);
    let sent = if (n == 0) { 0 } else { n + sendChunks(send, file, size - n) };
    file.put(CloseFile);
    (200, sent == size)
  }
}

/// Sends the file's next chunks until `left` bytes went out or the file ends;
/// the number of bytes sent.
Int sendChunks(PutSeq<[Byte]> send, File file, Int left) {
  if (left <= 0) {
    0
  } else {
    file.put(ReadChunk).put(min(left, 65536));
    let chunk = file.get;
    switch chunk {
      case []: 0
      case _:
        let n = length(chunk);
        send.put(Put).put(chunk);
        n + sendChunks(send, file, left - n)
    }
  }
}

String notFoundBody() { "Error 404 (not found).\n" }

Bool answerNotFound(PutSeq<[Byte]> send, String date, LogLines log, String method, String target, Bool isHead, Bool keepAlive) {
  let body = notFoundBody();
  send.put(Put).put(responseHead(404, "Not Found", plainHeaders(body, date, keepAlive)));
  if (!isHead) { send.put(Put).put(stringToBytes(body)); }
  logLine(log, method, target, 404);
  keepAlive
}

/// A folder named without its final slash: send the browser to the folder.
Bool redirect(PutSeq<[Byte]> send, String date, LogLines log, String method, String target, Bool keepAlive) {
  let (path, query) = splitAt(target, '?');
  let location = path ++ "/" ++ query;
  let body = concat(concat("Moved to ", location), "\n");
  let headers = [("Location", location)] ++ plainHeaders(body, date, keepAlive);
  send.put(Put).put(responseHead(301, "Moved Permanently", headers));
  if (method != "HEAD") { send.put(Put).put(stringToBytes(body)); }
  logLine(log, method, target, 301);
  keepAlive
}

/// An error answer after which the connection closes.
void answerError(PutSeq<[Byte]> send, String date, LogLines log, String method, String target, Int status, String reason) {
  let body = concat(concat(show(status), concat(" ", reason)), "\n");
  send.put(Put).put(responseHead(status, reason, plainHeaders(body, date, false)));
  if (method != "HEAD") { send.put(Put).put(stringToBytes(body)); }
  logLine(log, method, target, status);
}

[(String, String)] plainHeaders(String body, String date, Bool keepAlive) {
  [("Content-Type", "text/plain"),
   ("Content-Length", show(length(stringToBytes(body)))),
   ("Date", date),
   ("Server", "Pluto")] ++ connectionHeader(keepAlive)
}

[(String, String)] connectionHeader(Bool keepAlive) {
  if (keepAlive) { [] } else { [("Connection", "close")] }
}

[Byte] responseHead(Int status, String reason, [(String, String)] headers) {
  stringToBytes(flatten(["HTTP/1.1 ", show(status), " ", reason, "\r\n", headerLines(headers), "\r\n"]))
}

String headerLines([(String, String)] headers) {
  switch headers {
    case []: ""
    case ((name, value):rest): flatten([name, ": ", value, "\r\n", headerLines(rest)])
  }
}

void logLine(LogLines log, String method, String target, Int status) {
  log.put(Line).put(flatten([method, " ", target, " ", show(status)]));
}

/// The last second a connection formatted a date for, and the text.
data Clock = Clock(Int, String);

/// The Date header's text for now, and the clock to use next time. A date
/// changes once a second and formatting one was a fifth of the
/// interpreted work of a request (310 of 1,680 instructions under `wrk`),
/// so each connection keeps the last one, as nginx keeps one per worker.
(String, Clock) dateNow(TimeService ts, Clock last) {
  ts.put(GetUnixTime);
  let now = ts.get;
  let Clock(second, text) = last;
  if (now == second) {
    (text, last)
  } else {
    let fresh = rfc1123(now);
    (fresh, Clock(now, fresh))
  }
}

// ---------------------------------------------------------------------------
// Dates: "Sat, 21 Nov 2026 05:06:49 GMT" (RFC 1123, always in GMT)

String rfc1123(Int unixTime) {
  let days = floorDiv(unixTime, 86400);
  let seconds = unixTime - days * 86400;
  let (year, month, day) = civilFromDays(days);
  let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][floorMod(days + 4, 7), "?"];
  let monthName = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1, "?"];
  flatten([weekday, ", ", pad(day, 2), " ", monthName, " ", pad(year, 4), " ",
           pad(seconds / 3600, 2), ":", pad(seconds / 60 % 60, 2), ":", pad(seconds % 60, 2), " GMT"])
}

Int floorDiv(Int a, Int b) {
  let q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) { q - 1 } else { q }
}

Int floorMod(Int a, Int b) { a - floorDiv(a, b) * b }

/// The (year, month, day) of a count of days since 1970-01-01, in the
/// proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`).
(Int, Int, Int) civilFromDays(Int days) {
  let z = days + 719468;
  let era = floorDiv(z, 146097);
  let doe = z - era * 146097;
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  let mp = (5 * doy + 2) / 153;
  let day = doy - (153 * mp + 2) / 5 + 1;
  let month = if (mp < 10) { mp + 3 } else { mp - 9 };
  let year = yoe + era * 400 + (if (month <= 2) { 1 } else { 0 });
  (year, month, day)
}

/// `n` in decimal with leading zeros up to `width` digits.
String pad(Int n, Int width) {
  let text = show(n);
  concat(replicate(width - length(text), '0'), text)
}

// ---------------------------------------------------------------------------

pluto(args, stdout, timeService, fileSystem, tcpListenService);
