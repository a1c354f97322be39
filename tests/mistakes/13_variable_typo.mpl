// Misspelt a variable.
Int next(Int count) { conut + 1 }
