-- let with local functions (they use the variables around them),
-- defn ... where, switch with guards, and user infix operators with
-- CaMPL's precedence (the first character decides).
defn
    fun classify :: Int -> [Char] =
        n -> switch
            n < 0 -> "negative"
            n == 0 -> "zero"
            n < limit() -> "small"
            True -> "large"
where
    fun limit = -> 10

fun (+++) = a, b -> a ++ "+" ++ b
fun (**!) = a, b -> a ++ "*" ++ b

fun scaleAll :: Int, [Int] -> [Int] =
    k, xs -> let fun go =
                    [] -> []
                    y : ys -> (k * y) : go(ys)
             in go(xs)

fun showAll :: [Int] -> [Char] =
    [] -> ""
    x : xs -> show(x) ++ " " ++ showAll(xs)

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => -> on console do
    hput ConsolePut
    put classify(-3) ++ " " ++ classify(0) ++ " " ++ classify(7) ++ " " ++ classify(70)
    hput ConsolePut
    put showAll(scaleAll(3, [1, 2, 3]))
    hput ConsolePut
    put "a" +++ "b" **! "c" +++ "d"
    hput ConsoleClose
    halt
