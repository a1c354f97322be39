-- `/` on integers rounds down, as CaMPL's machine divides.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

fun showAll :: [Int] -> [Char] =
    [] -> ""
    x : xs -> show(x) ++ " " ++ showAll(xs)

proc run = | console => -> on console do
    hput ConsolePut
    put showAll([7 / 2, (0 - 7) / 2, 7 / (0 - 2), (0 - 8) / 2, 0 / 5])
    hput ConsoleClose
    halt
