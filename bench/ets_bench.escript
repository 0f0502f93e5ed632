#!/usr/bin/env escript
%%! +sbt db
%% The workload of bench_table.cpp in real OTP: a public set table of
%% 100k {Key, Value} integer rows, keys walked with a stride of 7919.
%% Prints one line per operation: "<name> <ns per op>", median of 7 runs.
-mode(compile).

-define(ROWS, 100000).
-define(STRIDE, 7919).
-define(OPS, 2000000).

main(_) ->
    T = ets:new(bench, [set, public]),
    report("ets_insert", fun() -> insert_loop(T, 0, ?OPS) end),
    report("ets_lookup", fun() -> lookup_loop(T, 0, ?OPS) end).

report(Name, Fun) ->
    Runs = lists:sort([element(1, timer:tc(Fun)) || _ <- lists:seq(1, 7)]),
    MedianUs = lists:nth(4, Runs),
    io:format("~s ~.2f~n", [Name, MedianUs * 1000 / ?OPS]).

insert_loop(_T, _K, 0) -> ok;
insert_loop(T, K, N) ->
    ets:insert(T, {K, K}),
    insert_loop(T, (K + ?STRIDE) rem ?ROWS, N - 1).

lookup_loop(_T, _K, 0) -> ok;
lookup_loop(T, K, N) ->
    ets:lookup(T, K),
    lookup_loop(T, (K + ?STRIDE) rem ?ROWS, N - 1).
