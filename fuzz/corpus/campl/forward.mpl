-- |=| joins two ends of one type and opposite polarities; the middle
-- process drops out.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc source :: | => Put([Char] | TopBot) =
    | => out -> do
        put "passed along" on out
        halt out

proc middle :: | Put([Char] | TopBot) => Put([Char] | TopBot) =
    | inp => out -> out |=| inp

proc sink :: | Put([Char] | TopBot), Console => =
    | inp, console => -> do
        get s on inp
        close inp
        on console do
            hput ConsolePut
            put s
            hput ConsoleClose
            halt

proc run = | console => -> plug
    source( | => a)
    middle( | a => b)
    sink( | b, console => )
