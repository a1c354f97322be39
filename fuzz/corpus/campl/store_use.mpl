-- Higher-order processes: `store` makes a process a value (of type
-- Store(values | ins => outs)), which is sent like any other value, and
-- `use` starts it.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

proc greet :: [Char] | Console => =
    name | console => -> on console do
        hput ConsolePut
        put "hello, " ++ name
        hput ConsoleClose
        halt

proc sender :: | => Put(Store([Char] | Console =>) | TopBot) =
    | => ch -> do
        put store(greet) on ch
        halt ch

proc receiver :: | Put(Store([Char] | Console =>) | TopBot), Console => =
    | ch, console => -> do
        get p on ch
        close ch
        use(p)("stored process" | console => )

proc run = | console => -> plug
    sender( | => ch)
    receiver( | ch, console => )
