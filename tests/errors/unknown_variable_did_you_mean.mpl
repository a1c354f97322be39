// A misspelt variable: the message suggests the name in scope.
Int next(Int count) { conut + 1 }
