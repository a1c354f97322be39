-- The built-in channel types: the output end of Put(A | T) puts, the
-- input end gets; TopBot ends; an anonymous process in a plug.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc server :: | Put(Int | Get([Char] | TopBot)) => =
    | ch => -> do
        get n on ch
        put "got " ++ show(n) on ch
        halt ch

proc run = | console => -> plug
    server( | ch => )
    console => ch -> do
        put 41 + 1 on ch
        get reply on ch
        close ch
        on console do
            hput ConsolePut
            put reply
            hput ConsoleClose
            halt
