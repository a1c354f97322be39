-- (*): the output end forks into two processes, the input end splits;
-- `fork ... as a with c -> ...` names the channels each half takes.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc twins :: | => Put([Char] | TopBot) (*) Put([Char] | TopBot) =
    | => both -> fork both as
        a -> do
            put "left" on a
            halt a
        b -> do
            put "right" on b
            halt b

proc gather :: | Put([Char] | TopBot) (*) Put([Char] | TopBot), Console => =
    | both, console => -> do
        split both into x, y
        get l on x
        get r on y
        close x
        close y
        on console do
            hput ConsolePut
            put l ++ " and " ++ r
            hput ConsoleClose
            halt

proc run = | console => -> plug
    twins( | => both)
    gather( | both, console => )
