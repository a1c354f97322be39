-- A `fold` phrase names a constructor of the data type it folds; `Head`
-- is a destructor.
data Nat -> S =
    Succ :: S -> S
    Zero ::   -> S

codata S -> Stream(A) =
    Head :: S -> A
    Tail :: S -> S

fun toInt :: Nat -> Int =
    n -> fold n of
        Succ : k -> k + 1
        Head : -> 0
