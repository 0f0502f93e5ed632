#!/usr/bin/env escript
%%! +sbt db
%% The workload of bench_table.cpp in real OTP: a public set table of
%% {Key, Value} integer rows, keys walked with a stride of 7919.
%%   usage: ets_bench.escript [Runs [Rows]]   (default: 7 100000)
%% Prints one line per operation: "<name> <ns per op>", the median of Runs.
-mode(compile).

-define(STRIDE, 7919).
-define(OPS, 2000000).

main(Args) ->
    {Runs, Rows} = case Args of
                       [R, N] -> {list_to_integer(R), list_to_integer(N)};
                       [R] -> {list_to_integer(R), 100000};
                       [] -> {7, 100000}
                   end,
    T = ets:new(bench, [set, public]),
    report("ets_insert", Runs, fun() -> insert_loop(T, Rows, 0, ?OPS) end),
    report("ets_lookup", Runs, fun() -> lookup_loop(T, Rows, 0, ?OPS) end),
    report("ets_member", Runs, fun() -> member_loop(T, Rows, 0, ?OPS) end).

report(Name, Runs, Fun) ->
    Times = lists:sort([element(1, timer:tc(Fun)) || _ <- lists:seq(1, Runs)]),
    MedianUs = lists:nth((Runs + 1) div 2, Times),
    io:format("~s ~.2f~n", [Name, MedianUs * 1000 / ?OPS]).

insert_loop(_T, _Rows, _K, 0) -> ok;
insert_loop(T, Rows, K, N) ->
    ets:insert(T, {K, K}),
    insert_loop(T, Rows, (K + ?STRIDE) rem Rows, N - 1).

lookup_loop(_T, _Rows, _K, 0) -> ok;
lookup_loop(T, Rows, K, N) ->
    ets:lookup(T, K),
    lookup_loop(T, Rows, (K + ?STRIDE) rem Rows, N - 1).

member_loop(_T, _Rows, _K, 0) -> ok;
member_loop(T, Rows, K, N) ->
    ets:member(T, K),
    member_loop(T, Rows, (K + ?STRIDE) rem Rows, N - 1).
