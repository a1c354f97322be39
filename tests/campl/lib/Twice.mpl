-- A module used through its import list: `twice` without its module name.
fun twice :: [Char] -> [Char] =
    s -> s ++ s
