-- A destructor that takes arguments can only be named in a record
-- pattern (`App := f`), not matched against a pattern.
codata S -> Fun(A, B) =
    App :: A, S -> B

fun apply :: Fun(Int, Int), Int -> Int =
    (App := 3), a -> a
