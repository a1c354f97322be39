%% Erlang peers of bench/workloads: chain, spawn, fib.
%% Build: erlc bench.erl
%% Run:   erl -noshell -s bench chain 10000 50 -s erlang halt
%%        erl -noshell -s bench spawn 100000 -s erlang halt
%%        erl -noshell -s bench fib 30 -s erlang halt
-module(bench).
-compile({no_auto_import, [spawn/1]}).
-export([chain/1, spawn/1, fib/1, fib_n/1]).

arg(L, I) -> list_to_integer(atom_to_list(lists:nth(I, L))).

%% chain: N processes in a line; `go` travels down, the hop count back up.
chain(Args) ->
    N = arg(Args, 1), R = arg(Args, 2),
    First = line(N, self()),
    Total = rounds(First, R, 0),
    First ! stop,
    io:format("hops: ~p~n", [Total]).

line(1, Up) -> erlang:spawn(fun() -> far(Up) end);
line(N, Up) -> erlang:spawn(fun() -> Down = line(N - 1, self()), node(Up, Down) end).

node(Up, Down) ->
    receive
        go -> Down ! go,
              receive {hops, H} -> Up ! {hops, H + 1} end,
              node(Up, Down);
        stop -> Down ! stop
    end.

far(Up) ->
    receive
        go -> Up ! {hops, 1}, far(Up);
        stop -> ok
    end.

rounds(_, 0, Total) -> Total;
rounds(First, R, Total) ->
    First ! go,
    receive {hops, H} -> rounds(First, R - 1, Total + H) end.

%% spawn: N processes parked in receive, then each sent one message.
spawn(Args) ->
    N = arg(Args, 1),
    Pids = [erlang:spawn(fun() -> receive _ -> ok end end) || _ <- lists:seq(1, N)],
    [P ! 1 || P <- Pids],
    io:format("woke: ~p~n", [N]).

fib(Args) -> io:format("~p~n", [fib_n(arg(Args, 1))]).
fib_n(N) when N < 2 -> N;
fib_n(N) -> fib_n(N - 1) + fib_n(N - 2).
