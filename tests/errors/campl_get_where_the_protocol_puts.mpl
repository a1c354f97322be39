-- A CaMPL program that gets where its protocol puts: the report says so in CaMPL's words.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => -> do
    hput ConsolePut on console
    get x on console
    hput ConsoleClose on console
    halt console
