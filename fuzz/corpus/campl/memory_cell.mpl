-- A protocol with handles (hput/hcase), a process with a value and a
-- channel, and plug joining two processes by a new channel.
protocol MemCell (A | ) => S =
    MemPut :: Put(A | S) => S
    MemGet :: Get(A | S) => S
    MemClose :: TopBot => S

coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc cell :: A | MemCell(A | ) => =
    v | ch => -> hcase ch of
        MemPut -> do
            get w on ch
            cell(w | ch => )
        MemGet -> do
            put v on ch
            cell(v | ch => )
        MemClose -> halt ch

proc user :: | Console => MemCell([Char] | ) =
    | console => mem -> do
        hput MemGet on mem
        get a on mem
        hput MemPut on mem
        put "second" on mem
        hput MemGet on mem
        get b on mem
        hput MemClose on mem
        close mem
        on console do
            hput ConsolePut
            put a ++ " then " ++ b
            hput ConsoleClose
            halt

proc run = | console => -> plug
    user( | console => mem)
    cell("first" | mem => )
