-- The smallest CaMPL program: run's console channel is the terminal.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run :: | Console => =
    | console => -> do
        hput ConsolePut on console
        put "hello from CaMPL" on console
        hput ConsoleClose on console
        halt console
