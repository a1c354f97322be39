-- `fold` and `unfold`: a fold replaces each constructor by its phrase,
-- with the fields that are the state variable folded first; a group of
-- types joined by `and` folds together. An unfold builds a record from a
-- seed, and a destructor whose result is the state variable unfolds its
-- value again.
data Nat -> S =
    Succ :: S -> S
    Zero ::   -> S

data
    Rose(A) -> S =
        Branches :: A, T -> S
    and
    Forest(A) -> T =
        ForestCons :: S, T -> T
        ForestNil ::      -> T

codata S -> Stream(A) =
    Head :: S -> A
    Tail :: S -> S

codata
    S -> Zig(A, B) =
        HeadA :: S -> A
        TailA :: S -> T
    and
    T -> Zag(A, B) =
        HeadB :: T -> B
        TailB :: T -> S

fun toInt :: Nat -> Int =
    n -> fold n of
        Succ : k -> k + 1
        Zero : -> 0

-- The sum of every label of a rose tree, and how many nodes it has.
fun sumAndCount :: Rose(Int) -> (Int, Int) =
    r -> fold r of
        Branches : v, (s, c) -> (v + s, c + 1)
        ForestCons : (s1, c1), (s2, c2) -> (s1 + s2, c1 + c2)
        ForestNil : -> (0, 0)

-- Counting from `start` by `step`: `step` is captured from the scope.
fun from :: Int, Int -> Stream(Int) =
    start, step -> unfold start of
        n of
            Head : -> n
            Tail : -> n + step

fun take :: Int, Stream(Int) -> [Int] =
    0, _ -> []
    k, s -> Head(s) : take(k - 1, Tail(s))

-- Alternates between the two types: a Zig's tail is a Zag and back.
fun zigzag :: Int -> Zig(Int, [Char]) =
    seed -> unfold seed of
        n of
            HeadA : -> n
            TailA : -> n + 1
        m of
            HeadB : -> "zag " ++ show(m)
            TailB : -> m * 10

fun tree :: -> Rose(Int) =
    -> Branches(1, ForestCons(Branches(2, ForestNil), ForestCons(Branches(3, ForestCons(Branches(4, ForestNil), ForestNil)), ForestNil)))

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc run = | console => -> do
    hput ConsolePut on console
    put show(toInt(Succ(Succ(Succ(Zero))))) on console
    hput ConsolePut on console
    put show(sumAndCount(tree)) on console
    hput ConsolePut on console
    put show(take(5, from(3, 4))) on console
    hput ConsolePut on console
    put show(HeadA(zigzag(7))) on console
    hput ConsolePut on console
    put HeadB(TailA(zigzag(7))) on console
    hput ConsolePut on console
    put show(HeadA(TailB(TailA(zigzag(7))))) on console
    hput ConsoleClose on console
    halt console
