-- A CaMPL function whose phrases leave a value unhandled checks (with
-- warning W0005); called with that value, it stops the program there.
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
    put "before" on console
    hput ConsolePut on console
    put show(toInt(pred(Zero))) on console
    hput ConsoleClose on console
    halt console
