-- A process with several phrases (matched on its values), a coprotocol
-- (the output end receives the handles), and Neg.
coprotocol S => Ask =
    AskNext :: S => Put(Int | S)
    AskStop :: S => TopBot

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

-- Answers 1, 2, 3, ... (the output end of a coprotocol receives handles).
proc numbers :: Int | => Ask =
    n | => out -> hcase out of
        AskNext -> do
            put n on out
            numbers(n + 1 | => out)
        AskStop -> halt out

-- Asks k numbers and sums them; two phrases, chosen by k. Its channel
-- is Neg(Ask) at output polarity: Ask seen from the input end.
proc summer :: Int, Int | Console => Neg(Ask) =
    0, acc | console => ask -> do
        hput AskStop on ask
        close ask
        on console do
            hput ConsolePut
            put "sum " ++ show(acc)
            hput ConsoleClose
            halt
    k, acc | console => ask -> do
        hput AskNext on ask
        get x on ask
        summer(k - 1, acc + x | console => ask)

-- Two input-polarity channels of types T and Neg(T) are joined with
-- `|=| neg`.
proc relay :: | Ask, Neg(Ask) => =
    | a, b => -> b |=| neg a

proc run = | console => -> plug
    numbers(1 | => a)
    relay( | a, b => )
    summer(4, 0 | console => b)
