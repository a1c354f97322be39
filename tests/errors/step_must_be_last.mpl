// Nothing may follow `loop` in a protocol.
protocol Bad = put Int, loop, get Int;
