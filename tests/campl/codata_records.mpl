-- codata with `S -> Name` heads, records `(D := phrase, ...)`,
-- destructors applied as `D(args, record)`, and record patterns: a
-- destructor without arguments matches its value, one with arguments is
-- named and applied (`(Add := add)`, then `add(k)`).
codata S -> Stream(A) =
    Head :: S -> A
    Tail :: S -> S

codata S -> Counter =
    Add :: Int, S -> S
    Total :: S -> Int

fun from :: Int -> Stream(Int) =
    n -> (Head := -> n, Tail := -> from(n + 1))

fun takeS =
    0, _ -> []
    k, s -> Head(s) : takeS(k - 1, Tail(s))

fun counter :: Int -> Counter =
    n -> (Add := k -> counter(n + k), Total := -> n)

fun addTwice :: Counter, Int -> Int =
    (Add := add, Total := _), k -> Total(add(k))

fun firstTwo :: Stream(Int) -> (Int, Int) =
    (Head := h, Tail := (Head := next, Tail := _)) -> (h, next)

fun showAll :: [Int] -> [Char] =
    [] -> ""
    x : xs -> show(x) ++ " " ++ showAll(xs)

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => -> do
    hput ConsolePut on console
    put showAll(takeS(4, from(10))) on console
    hput ConsolePut on console
    put show(Total(Add(5, Add(2, counter(1))))) on console
    hput ConsolePut on console
    put show(addTwice(counter(30), 12)) on console
    hput ConsolePut on console
    put show(firstTwo(from(7))) on console
    hput ConsoleClose on console
    halt console
