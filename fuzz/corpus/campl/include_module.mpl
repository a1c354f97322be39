-- include reads another file's definitions (here from a folder).
include "lib/Greeting.mpl" : Greeting

proc run = | console => -> on console do
    hput ConsolePut
    put greet("module")
    hput ConsoleClose
    halt
