-- The console's int and char handles, with CaMPL's own prompts.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    IntConsolePut :: S => Get(Int | S)
    IntConsoleGet :: S => Put(Int | S)
    CharConsolePut :: S => Get(Char | S)
    ConsoleClose :: S => TopBot

proc run :: | Console => =
    | console => -> on console do
        hput IntConsoleGet
        get n
        hput IntConsolePut
        put n * 2
        hput CharConsolePut
        put 'z'
        hput ConsolePut
        put "done"
        hput ConsoleClose
        halt
