-- `defn ... where`: what follows `where` is local to its statement, so
-- two statements may each have a `go` of their own.
defn
    fun count :: [Char] -> Int =
        s -> go(0, s)
where
    fun go :: Int, [Char] -> Int =
        n, [] -> n
        n, _ : cs -> go(n + 1, cs)

defn
    fun shout :: [Char] -> [Char] =
        s -> go(s)
where
    fun go :: [Char] -> [Char] =
        [] -> "!"
        c : cs -> c : go(cs)

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => -> on console do
    hput ConsolePut
    put show(count("four")) ++ " " ++ shout("hey")
    hput ConsoleClose
    halt
