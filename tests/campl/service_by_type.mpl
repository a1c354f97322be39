-- A channel of `run` that is only joined to another with |=| tells its
-- service by its type, which checking the program finds.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc greet :: | Console => =
    | console => -> on console do
        hput ConsolePut
        put "found by its type"
        hput ConsoleClose
        halt

proc run = | console => -> plug
    greet( | c => )
    console => c -> c |=| console
