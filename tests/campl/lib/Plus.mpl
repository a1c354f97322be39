-- A module whose `f` calls itself: inside this file, `f` is this `f`.
fun f :: Int -> [Char] =
    n -> if n < 1 then [] else '+' : f(n - 1)
