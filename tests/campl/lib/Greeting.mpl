-- A module of definitions, included by include_module.mpl.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

fun greet :: [Char] -> [Char] =
    name -> "hello, " ++ name
