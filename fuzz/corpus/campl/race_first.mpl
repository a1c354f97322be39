-- race: the branch of the channel whose message comes first runs; the
-- other channel is used afterwards, in the state it was in.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc sender :: [Char] | => Put([Char] | TopBot) =
    s | => out -> do
        put s on out
        halt out

proc listener :: | Put([Char] | TopBot), Put([Char] | TopBot), Console => =
    | a, b, console => -> race
        a -> do
            get x on a
            get y on b
            close a
            close b
            report(x, y | console => )
        b -> do
            get y on b
            get x on a
            close a
            close b
            report(x, y | console => )

proc report :: [Char], [Char] | Console => =
    x, y | console => -> on console do
        hput ConsolePut
        put x ++ y
        hput ConsoleClose
        halt

proc run = | console => -> plug
    sender("a" | => p)
    sender("b" | => q)
    listener( | p, q, console => )
