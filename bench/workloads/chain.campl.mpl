-- bench: chain in CaMPL's syntax (chain.mpl in ours): 10,000 processes
-- in a line; a token goes to the far end and back 50 times, so 1,000,000
-- messages. Run: mpl run bench/workloads/chain.campl.mpl
protocol Link => S =
    Go :: Get(Int | S) => S
    Stop :: TopBot => S

coprotocol S => Console =
    IntConsolePut :: S => Get(Int | S)
    ConsoleClose :: S => TopBot

-- A middle node: forwards Go down, and the count (+1) back up.
proc node :: | Link => Link =
    | up => down -> hcase up of
        Go -> do
            hput Go on down
            get hops on down
            put hops + 1 on up
            node( | up => down)
        Stop -> do
            hput Stop on down
            close down
            halt up

-- The far end: turns the token around.
proc far :: | Link => =
    | up => -> hcase up of
        Go -> do
            put 1 on up
            far( | up => )
        Stop -> halt up

-- n nodes below `up`, the last one `far`.
proc line :: Int | Link => =
    n | up => -> if n <= 1
        then far( | up => )
        else plug
            node( | up => down)
            line(n - 1 | down => )

proc driver :: Int, Int | Console => Link =
    0, total | console => first -> do
        hput Stop on first
        close first
        on console do
            hput IntConsolePut
            put total
            hput ConsoleClose
            halt
    left, total | console => first -> do
        hput Go on first
        get hops on first
        driver(left - 1, total + hops | console => first)

proc run = | console => -> plug
    driver(50, 0 | console => first)
    line(10000 | first => )
