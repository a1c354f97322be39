-- W0005: CaMPL lets a function leave values unhandled; `pred(Zero)`
-- would stop the program, so the checker warns instead of refusing.
data Nat -> S =
    Succ :: S -> S
    Zero ::   -> S

fun pred :: Nat -> Nat =
    Succ(n) -> n

fun toInt :: Nat -> Int =
    Zero -> 0
    Succ(n) -> 1 + toInt(n)

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => -> do
    hput ConsolePut on console
    put show(toInt(pred(Succ(Succ(Zero))))) on console
    hput ConsoleClose on console
    halt console
