-- bench: fib in CaMPL's syntax (fib.mpl in ours): fib(30), doubly
-- recursive. Run: mpl run bench/workloads/fib.campl.mpl
coprotocol S => Console =
    IntConsolePut :: S => Get(Int | S)
    ConsoleClose :: S => TopBot

fun fib :: Int -> Int =
    n -> if n < 2 then n else fib(n - 1) + fib(n - 2)

proc run = | console => -> on console do
    hput IntConsolePut
    put fib(30)
    hput ConsoleClose
    halt
