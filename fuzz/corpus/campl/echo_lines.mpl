-- Reads two lines and writes them back in the other order; `on c do`
-- groups the commands on one channel.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleGet :: S => Put([Char] | S)
    ConsoleClose :: S => TopBot

proc swap :: | Console => =
    | c => -> on c do
        hput ConsoleGet
        get first
        hput ConsoleGet
        get second
        hput ConsolePut
        put second
        hput ConsolePut
        put first
        hput ConsoleClose
        halt

proc run = | console => -> swap( | console => )
