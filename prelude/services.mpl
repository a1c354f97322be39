// The prelude, part 5: the protocols of the built-in services
// (LANGUAGE.md section 9). The services themselves are provided by the
// runtime and named in a program's wiring: `stdin : GetSeq<Char>`,
// `stdout`, `stderr : PutSeq<Char>`, `console : Console`,
// `timeService : TimeService`, `fileSystem : FileSystem`,
// `tcpListenService : TcpListenService`, `terminals : Terminals`, and
// `args : [String]`.

/// The terminal, line by line, with end of input made explicit.
protocol Console = put ReadLine: ( get Line: get String, loop
                                 | get EndOfInput: loop )
                 | put Write: put String, loop
                 | put StopConsole: close;

/// Clocks and timers; `Sleep` takes milliseconds, `GetUnixTime` answers seconds since 1970.
protocol TimeService = put GetCpuTimerMicroseconds: get Int, loop
                     | put GetUnixTime: get Int, loop
                     | put Sleep: put Int, get void, loop
                     | put ShareTSWith: put neg<TimeService>, loop
                     | put StopTimeService: close;

/// Files under the directories the user allowed (`mpl run --allow-read/--allow-write`).
protocol FileSystem = put OpenFile: put String, ( get Opened: get File, loop
                                                | get OpenFailed: get String, loop )
                    | put ReadFile: put String, ( get Contents: get [Byte], loop
                                                | get ReadFailed: get String, loop )
                    | put WriteFile: put String, put [Byte], ( get Written: loop
                                                             | get WriteFailed: get String, loop )
                    | put ListDir: put String, ( get Entries: get [String], loop
                                               | get ListFailed: get String, loop )
                    | put ShareFSWith: put neg<FileSystem>, loop
                    | put StopFileSystem: close;

/// One open file: its length, chunks of up to n bytes (`[]` at the end), then `CloseFile`.
protocol File = put GetLength: get Int, loop
              | put ReadChunk: put Int, get [Byte], loop
              | put CloseFile: close;

/// TCP, server side: listen on a port, then receive connections.
protocol TcpListenService = put ListenOnPort: put Int,
                              ( get TcpBindSuccess: BoundTcpListener
                              | get TcpBindFailed: get String, loop )
                          | put StopTcpListenService: close;

/// A bound listener: each `Get` waits for the next connection.
protocol BoundTcpListener = GetSeq<TcpConnection>;

/// One connection: a channel that sends chunks to the peer, then one that receives the peer's chunks.
protocol TcpConnection = get PutSeq<[Byte]>, get neg<PutSeq<[Byte]>>, close;

/// Terminals beside the program's own (CaMPL's terminal windows): each `OpenTerminal` gives one, reached over TCP on this machine at the port announced on stderr.
protocol Terminals = put OpenTerminal: get Terminal, loop
                   | put StopTerminals: close;

/// One terminal: lines written to, and read from, whoever connects to it.
/// `TerminalDup` gives a second channel to the same terminal.
protocol Terminal = put TerminalPut: put String, loop
                  | put TerminalGet: get String, loop
                  | put TerminalDup: get Terminal, loop
                  | put TerminalClose: close;
