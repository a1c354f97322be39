-- CaMPL's Timer: put a number of microseconds, then the channel splits
-- into the timer and a one-shot channel that receives () when time is up.
coprotocol S => Console =
    ConsolePut :: S => Get([Char] | S)
    ConsoleClose :: S => TopBot

coprotocol S => Timer =
    Timer :: S => Get(Int | S (*) Put(() | TopBot))
    TimerClose :: S => TopBot

proc wait :: | Timer, Console => =
    | timer, console => -> do
        hput Timer on timer
        put 2000 on timer
        split timer into again, alarm
        get () on alarm
        close alarm
        hput TimerClose on again
        close again
        on console do
            hput ConsolePut
            put "rang"
            hput ConsoleClose
            halt

proc run = | timer, console => -> wait( | timer, console => )
