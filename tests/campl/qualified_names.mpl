-- Qualified names: `P.f` is the `f` of the file included as `P`, while
-- this file's own `f` keeps the plain name (in each file, a plain name
-- means the file's own definition first); an import list makes a
-- module's function usable without its name.
include "lib/Plus.mpl" : P
include "lib/Twice.mpl" : T (twice | )

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

fun f :: Int -> [Char] =
    n -> "hi" ++ P.f(n)

proc run = | console => -> on console do
    hput ConsolePut
    put twice(f(2))
    hput ConsoleClose
    halt
