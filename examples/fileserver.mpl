// The research report's HTTP file server, completed.
// Run: mpl run examples/fileserver.mpl 8080
//      then: curl -i http://localhost:8080/README.md
//
// Serves the files under the current folder (the run's `--allow-read`
// folder) on the port given (default 8080), speaking a small part of
// HTTP/1.1: GET and HEAD; any other method gets 405 (a POST's body is read
// and dropped first, per its Content-Length); every answer has a
// Content-Length; a connection carries several requests, pipelined or
// one after the other, until the client says `Connection: close`; a
// missing file is a 404, and a folder answers with its entry names.
//
// The report's design: `fileServer` binds the port and becomes `listen`,
// which gives each connection its own `serveFiles` process and its own
// connection to the file system (`ShareFSWith`). Requests are cut out of
// the byte stream by `receiveRequest`, which receives chunks until the
// blank line that ends a request head; what follows belongs to the next
// request (or is the body of this one).

/// The receiving half of a TCP connection: the peer chooses `Put` with the
/// next chunk of bytes, or `StopPut` when it has closed its side.
protocol Inbound = neg<PutSeq<[Byte]>>;

process fileServer(FileSystem fs, TcpListenService lService, PutSeq<Char> out, Int portNum) {
  lService.put(ListenOnPort).put(portNum);
  switch (lService.get) {
    case TcpBindFailed:
      writeLine(out, flatten(["Couldn't bind to port ", intToStr(portNum), ": ", lService.get]));
      lService.put(StopTcpListenService);
      out.put(StopPut);
      fs.put(StopFileSystem);
    case TcpBindSuccess:
      writeLine(out, flatten(["Serving the current folder on http://localhost:", intToStr(portNum), "/"]));
      out.put(StopPut);
      listen(fs, lService);
  }
}

process listen(FileSystem fs, BoundTcpListener listener) {
  listener.put(Get);
  let connection = listener.get;
  // The report's code, with the new channel declared: a channel made
  // implicitly must appear twice as a process argument.
  FileSystem newFileSystemRef;
  serveFiles(newFileSystemRef, connection);
  fs.put(ShareFSWith).put(~newFileSystemRef);
  listen(fs, listener);
}

process serveFiles(FileSystem fs, TcpConnection connection) {
  PutSeq<[Byte]> send = connection.get;
  Inbound recv = connection.get;
  handleNextRequest(fs, send, recv, []);
}

/// Reads one request (`buffered`: bytes already received), answers it, and
/// goes on with the next one while the connection stays open.
process handleNextRequest(FileSystem fs, PutSeq<[Byte]> send, Inbound recv, [Byte] buffered) {
  switch (receiveRequest(recv, skipBlankLines(buffered))) {
    case Closed(partial):
      // The client closed its side; a request cut short is answered anyway.
      if (!isEmpty(partial)) { sendSimple(send, 400, "Bad Request", [], "HEAD", false); }
      send.put(StopPut);
      fs.put(StopFileSystem);
    case Oversized(recv2):
      sendSimple(send, 431, "Request Header Fields Too Large", [], "GET", false);
      closeConnection(fs, send, recv2);
    case Complete(head, rest, recv2):
      switch (parseRequest(bytesToString(head))) {
        case Nothing:
          sendSimple(send, 400, "Bad Request", [], "GET", false);
          closeConnection(fs, send, recv2);
        case Just((method, path, version, headers)):
          let keepAlive = wantsKeepAlive(version, headers);
          switch (bodyLength(headers)) {
            case Nothing:
              sendSimple(send, 400, "Bad Request", [], method, false);
              closeConnection(fs, send, recv2);
            case Just(size):
              switch (skipBody(recv2, rest, length(rest), size)) {
                case Cut:
                  send.put(StopPut);
                  fs.put(StopFileSystem);
                case Skipped(next, recv3):
                  if (sendResponse(fs, send, method, path, keepAlive)) {
                    handleNextRequest(fs, send, recv3, next);
                  } else {
                    closeConnection(fs, send, recv3);
                  }
              }
          }
      }
  }
}

/// Ends our side, then reads what the client still sends until it closes.
process closeConnection(FileSystem fs, PutSeq<[Byte]> send, Inbound recv) {
  send.put(StopPut);
  fs.put(StopFileSystem);
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
// Answers

/// Sends the file if it exists and the method is GET, its head for HEAD,
/// or an error; false when the connection must close afterwards.
Bool sendResponse(FileSystem fs, PutSeq<[Byte]> send, String method, String path, Bool keepAlive) {
  let isHead = method == "HEAD";
  if (!isHead && method != "GET") {
    sendSimple(send, 405, "Method Not Allowed", [("Allow", "GET, HEAD")], method, keepAlive);
    keepAlive
  } else {
    switch (fileName(path)) {
      case Nothing:
        sendSimple(send, 400, "Bad Request", [], method, false);
        false
      case Just(name):
        fs.put(OpenFile).put(name);
        switch (fs.get) {
          case Opened:
            let file = fs.get;
            file.put(GetLength);
            let size = file.get;
            send.put(Put).put(responseHead(200, "OK", [("Content-Length", intToStr(size))], keepAlive));
            let sent = if (isHead) { size } else { sendChunks(send, file, size) };
            file.put(CloseFile);
            keepAlive && sent == size
          case OpenFailed:
            let _ = fs.get;
            fs.put(ListDir).put(name);
            switch (fs.get) {
              case Entries:
                let entries = fs.get;
                let listing = stringToBytes(flatten(map(record Func<String, String> {
                  String call(String entry) { concat(entry, "\n") }
                }, entries)));
                send.put(Put).put(responseHead(200, "OK", [("Content-Length", intToStr(length(listing)))], keepAlive));
                if (!isHead) { send.put(Put).put(listing); }
                keepAlive
              case ListFailed:
                let _ = fs.get;
                sendSimple(send, 404, "Not Found", [], method, keepAlive);
                keepAlive
            }
        }
    }
  }
}

/// Sends the file's chunks until `left` bytes went out or the file ends;
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

/// A short answer whose body is its status line (no body for HEAD).
void sendSimple(PutSeq<[Byte]> send, Int status, String reason, [(String, String)] headers, String method, Bool keepAlive) {
  let body = stringToBytes(flatten([intToStr(status), " ", reason, "\n"]));
  send.put(Put).put(responseHead(status, reason, headers ++ [("Content-Length", intToStr(length(body)))], keepAlive));
  if (method != "HEAD") { send.put(Put).put(body); }
}

[Byte] responseHead(Int status, String reason, [(String, String)] headers, Bool keepAlive) {
  let all = if (keepAlive) { headers } else { headers ++ [("Connection", "close")] };
  stringToBytes(flatten(["HTTP/1.1 ", intToStr(status), " ", reason, "\r\n", headerLines(all), "\r\n"]))
}

String headerLines([(String, String)] headers) {
  switch headers {
    case []: ""
    case ((name, value):rest): flatten([name, ": ", value, "\r\n", headerLines(rest)])
  }
}

// ---------------------------------------------------------------------------
// Cutting requests out of the byte stream

/// A request head (up to the blank line), the bytes after it and the
/// channel; or the client closed (with what it sent); or a head too large.
data Incoming = Complete([Byte], [Byte], Inbound)
              | Closed([Byte])
              | Oversized(Inbound);

Incoming receiveRequest(Inbound recv, [Byte] buffered) {
  receiveHead(recv, buffered, length(buffered), 0)
}

/// Receives chunks until `buffer` (of length `size`) holds a whole head;
/// the blank line is looked for from `from` on.
Incoming receiveHead(Inbound recv, [Byte] buffer, Int size, Int from) {
  let (headEnd, bodyStart) = findBlankLine(buffer, from, size);
  if (headEnd >= 0) {
    Complete(take(headEnd, buffer), skip(bodyStart, buffer), recv)
  } else if (size > 65536) {
    Oversized(recv)
  } else {
    switch (recv.get) {
      case Put:
        let chunk = recv.get;
        receiveHead(recv, buffer ++ chunk, size + length(chunk), max(0, size - 3))
      case StopPut:
        Closed(buffer)
    }
  }
}

Int byteAt([Byte] bytes, Int i) { byteToInt(bytes[i, intToByte(0)]) }

/// The end of the head and the start of the body: the first "\n\r\n" or
/// "\n\n" from `i` on; (-1, -1) if there is none yet.
(Int, Int) findBlankLine([Byte] bytes, Int i, Int size) {
  if (i + 1 >= size) {
    (-1, -1)
  } else if (byteAt(bytes, i) != 10) {
    findBlankLine(bytes, i + 1, size)
  } else if (byteAt(bytes, i + 1) == 10) {
    (i, i + 2)
  } else if (i + 2 < size && byteAt(bytes, i + 1) == 13 && byteAt(bytes, i + 2) == 10) {
    (i, i + 3)
  } else {
    findBlankLine(bytes, i + 1, size)
  }
}

/// Empty lines before a request are ignored.
[Byte] skipBlankLines([Byte] bytes) {
  switch bytes {
    case []: bytes
    case (b:rest):
      let n = byteToInt(b);
      if (n == 13 || n == 10) { skipBlankLines(rest) } else { bytes }
  }
}

/// The bytes after the body, or `Cut` when the client closed before its end.
data AfterBody = Skipped([Byte], Inbound) | Cut;

/// Reads and drops `bodyLength` bytes, `size` of which are in `have` already.
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
// Parsing

/// "GET /path/file%20one.txt HTTP/1.1" and the header lines into
/// ("GET", "/path/file%20one.txt", "HTTP/1.1", headers); header names in
/// lower case, values trimmed.
Maybe<(String, String, String, [(String, String)])> parseRequest(String head) {
  switch (split(head, '\n')) {
    case []: Nothing
    case (first:rest):
      switch (parseFirstLine(dropCR(first))) {
        case Nothing: Nothing
        case Just((method, path, version)):
          switch (readHeaderLines(rest, [])) {
            case Nothing: Nothing
            case Just(headers): Just((method, path, version, headers))
          }
      }
  }
}

Maybe<(String, String, String)> parseFirstLine(String line) {
  switch (split(line, ' ')) {
    case [method, path, version]:
      if (isEmpty(method) || !startsWith(path, "/") || !startsWith(version, "HTTP/1.")) {
        Nothing
      } else {
        Just((method, path, version))
      }
    case _: Nothing
  }
}

Maybe<[(String, String)]> readHeaderLines([String] lines, [(String, String)] acc) {
  switch lines {
    case []: Just(reverse(acc))
    case (line:rest):
      let text = dropCR(line);
      if (isEmpty(text)) {
        readHeaderLines(rest, acc)
      } else {
        let (name, value) = splitAt(text, ':');
        if (isEmpty(name) || contains(name, ' ') || isEmpty(value)) {
          Nothing
        } else {
          readHeaderLines(rest, (toLower(name), trim(tail(value))) : acc)
        }
      }
  }
}

String dropCR(String line) {
  if (endsWith(line, "\r")) { take(length(line) - 1, line) } else { line }
}

/// The text before the first `c`, and the rest from `c` on ("" if none).
(String, String) splitAt(String s, Char c) {
  switch s {
    case []: ("", "")
    case (x:rest):
      if (x == c) {
        ("", s)
      } else {
        let (before, after) = splitAt(rest, c);
        (x : before, after)
      }
  }
}

Maybe<String> findHeader([(String, String)] headers, String name) {
  switch headers {
    case []: Nothing
    case ((n, v):rest): if (n == name) { Just(v) } else { findHeader(rest, name) }
  }
}

/// The body's length (0 without Content-Length); `Nothing` if it is not a
/// number or the body is chunked (which this server does not read).
Maybe<Int> bodyLength([(String, String)] headers) {
  if (isJust(findHeader(headers, "transfer-encoding"))) {
    Nothing
  } else {
    switch (findHeader(headers, "content-length")) {
      case Nothing: Just(0)
      case Just(text):
        switch (strToInt(text)) {
          case Just(n): if (n >= 0 && !startsWith(text, "-")) { Just(n) } else { Nothing }
          case Nothing: Nothing
        }
    }
  }
}

Bool wantsKeepAlive(String version, [(String, String)] headers) {
  let options = toLower(unwrap(findHeader(headers, "connection"), ""));
  if (version == "HTTP/1.0") { hasWord(options, "keep-alive") } else { !hasWord(options, "close") }
}

Bool hasWord(String s, String word) {
  if (startsWith(s, word)) {
    true
  } else {
    switch s {
      case []: false
      case (_:rest): hasWord(rest, word)
    }
  }
}

/// The relative file name for a URL path ("/a/b%20c.txt" is "a/b c.txt",
/// "/" is "."); `Nothing` for bad percent-encoding, a NUL, invalid UTF-8
/// or a ".." segment.
Maybe<String> fileName(String path) {
  let (noQuery, _) = splitAt(path, '?');
  switch (percentDecode(stringToBytes(noQuery), [])) {
    case Nothing: Nothing
    case Just(bytes):
      let text = bytesToString(bytes);
      let segments = filter(record Func<String, Bool> {
        Bool call(String s) { s != "" && s != "." }
      }, split(text, '/'));
      if (contains(bytes, intToByte(0)) || stringToBytes(text) != bytes || contains(segments, "..")) {
        Nothing
      } else if (isEmpty(segments)) {
        Just(".")
      } else {
        Just(join(segments, "/"))
      }
  }
}

Maybe<[Byte]> percentDecode([Byte] bytes, [Byte] acc) {
  switch bytes {
    case []: Just(reverse(acc))
    case (b:rest):
      if (byteToInt(b) != 37) {
        percentDecode(rest, b : acc)
      } else {
        switch rest {
          case (h:(l:rest2)):
            let high = hexValue(byteToInt(h));
            let low = hexValue(byteToInt(l));
            if (high < 0 || low < 0) { Nothing } else { percentDecode(rest2, intToByte(high * 16 + low) : acc) }
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

// ---------------------------------------------------------------------------

fileServer(fileSystem, tcpListenService, stdout, unwrap(strToInt(args[0, "8080"]), 8080));
