-- data with `->` heads, case, several phrases per function, and the
-- built-in list.
data Shape -> S =
    Circle :: Int -> S
    Rect :: Int, Int -> S

data Tree(A) -> T =
    Leaf :: -> T
    Node :: T, A, T -> T

fun area :: Shape -> Int =
    Circle(r) -> 3 * r * r
    Rect(w, h) -> w * h

fun insert =
    x, Leaf -> Node(Leaf, x, Leaf)
    x, Node(l, y, r) -> if x < y then Node(insert(x, l), y, r) else Node(l, y, insert(x, r))

fun toList =
    Leaf -> []
    Node(l, x, r) -> toList(l) ++ [x] ++ toList(r)

fun fromList =
    [] -> Leaf
    x : xs -> insert(x, fromList(xs))

fun showAll :: [Int] -> [Char] =
    [] -> ""
    [x] -> show(x)
    x : xs -> show(x) ++ ", " ++ showAll(xs)

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => -> do
    hput ConsolePut on console
    put show(area(Circle(2)) + area(Rect(3, 4))) on console
    hput ConsolePut on console
    put showAll(toList(fromList([5, 3, 8, 1, 4]))) on console
    hput ConsoleClose on console
    halt console
