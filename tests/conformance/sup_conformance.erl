#!/usr/bin/env escript
%% -*- erlang -*-
%%
%% The Erlang half of the supervisor differential test (see README.md).
%%
%% Reads cases written by supdriver (one term per case, from file:consult):
%%
%%     {case, Name, Tree, Steps}.
%%
%%     Tree  = {Id, Worker, Restart}
%%           | {Id, {supervisor, Strategy, Intensity, PeriodMs, [Tree]}, Restart}
%%     Worker = worker | {worker, [Opt]}
%%     Opt   = trap                       traps exits (as a gen_server does)
%%           | {fail, N, ignore}          from its Nth start on, the start
%%           | {fail, N, {error, R}}      function returns ignore / {error, R}
%%     Steps = [Step]
%%     Step  = {kill, Id, Reason}          the worker Id exits with Reason
%%           | {signal, Id, Reason}        exit(Worker, Reason) from outside
%%           | {kill_one, SupId, Reason}   one child of a simple_one_for_one
%%           | {kill_sup, Id}              exit(Sup, kill) from outside
%%           | {start_child, SupId}        simple_one_for_one: one more child
%%           | {terminate_child, SupId, Id} | {restart_child, SupId, Id}
%%           | {delete_child, SupId, Id}
%%
%% Builds the tree with real supervisors, runs the steps, and after each one,
%% once the system is quiet, prints
%%
%%     {Name, StepIndex, Result, Snapshot}.
%%
%% Snapshot = [{Id, Starts, Alive}] for every id in the tree in tree order;
%% Starts counts calls of its start function (failed ones too); for a
%% simple_one_for_one template Alive is the number of live children. Step 0
%% is the top supervisor's start: ok or {error, Reason}.
%% The top supervisor's id is started with the case's Tree.
-module(sup_conformance).
-behaviour(supervisor).
-export([main/1, init/1, start_worker/2, start_anon/2, start_sup/2]).
-mode(compile).

main([File]) ->
    logger:set_primary_config(level, none), % no supervisor reports on stdout
    process_flag(trap_exit, true),
    {ok, Cases} = file:consult(File),
    ets:new(gens, [public, named_table, set]),
    lists:foreach(fun run_case/1, Cases),
    halt(0);
main(_) ->
    io:format(standard_error, "usage: sup_conformance.erl CasesFile~n", []),
    halt(2).

run_case({'case', Name, Tree, Steps}) ->
    ets:delete_all_objects(gens),
    {Top, {supervisor, _, _, _, _}, _} = Tree,
    Started = start_sup(Top, Tree),
    quiet(Tree),
    print(Name, 0, case Started of {ok, _} -> ok; Error -> Error end, Tree),
    lists:foldl(fun(Step, I) ->
                        Result = step(Step),
                        quiet(Tree),
                        print(Name, I, Result, Tree),
                        I + 1
                end, 1, Steps),
    %% Tear down: the next case starts from nothing, no name still taken.
    case Started of
        {ok, TopPid} -> unlink(TopPid);
        _ -> ok
    end,
    lists:foreach(fun(Id) -> kill(whereis(Id), kill) end, ids(Tree)),
    flush().

ids({Id, {supervisor, _, _, _, Children}, _}) -> [Id | lists:append([ids(C) || C <- Children])];
ids({Id, _Worker, _}) -> [Id].

flush() -> receive _ -> flush() after 0 -> ok end.

print(Name, I, Result, Tree) ->
    io:format("~w.~n", [{Name, I, Result, snapshot(Tree)}]).

%% ---------------------------------------------------------------- steps

step({kill, Id, Reason}) -> kill(whereis(Id), Reason);
step({signal, Id, Reason}) -> signal(whereis(Id), Reason);
step({kill_sup, Id}) -> kill(whereis(Id), kill);
step({kill_one, Sup, Reason}) ->
    case whereis(Sup) of
        undefined -> noproc;
        _ ->
            case [P || {_, P, _, _} <- supervisor:which_children(Sup), is_pid(P)] of
                [] -> noproc;
                Pids -> kill(lists:min(Pids), Reason)
            end
    end;
step({start_child, Sup}) ->
    call(fun() -> supervisor:start_child(Sup, []) end);
step({terminate_child, Sup, Id}) ->
    call(fun() -> supervisor:terminate_child(Sup, Id) end);
step({restart_child, Sup, Id}) ->
    call(fun() -> supervisor:restart_child(Sup, Id) end);
step({delete_child, Sup, Id}) ->
    call(fun() -> supervisor:delete_child(Sup, Id) end).

%% ok, undefined (the start function returned ignore), or the error's
%% reason: running, restarting, not_found, noproc, or {error, R} for a start
%% function's {error, R} when R is no atom.
call(F) ->
    try F() of
        ok -> ok;
        {ok, undefined} -> undefined;
        {ok, _} -> ok;
        {ok, _, _} -> ok;
        {error, {already_started, _}} -> already_started;
        {error, R} when is_atom(R) -> R;
        {error, R} -> {error, R}
    catch
        exit:{noproc, _} -> noproc
    end.

kill(undefined, _Reason) -> noproc;
kill(Pid, Reason) ->
    Ref = monitor(process, Pid),
    case Reason of
        kill -> exit(Pid, kill);
        _ -> Pid ! {die, Reason} % the process exits with Reason itself
    end,
    receive {'DOWN', Ref, _, _, _} -> ok end.

%% exit(Pid, Reason) from this process; then, as signals between two
%% processes keep their order, a ping answered means it survived it.
signal(undefined, _Reason) -> noproc;
signal(Pid, Reason) ->
    Ref = monitor(process, Pid),
    exit(Pid, Reason),
    Pid ! {ping, self(), Ref},
    receive
        {'DOWN', Ref, _, _, _} -> ok;
        {pong, Ref} -> demonitor(Ref, [flush]), ok
    end.

%% ---------------------------------------------------------------- quiet

%% Until two rounds of syncing every live supervisor (top-down) see the
%% same snapshot, nothing is in flight.
quiet(Tree) -> quiet(Tree, snapshot(Tree), 50).
quiet(_Tree, _Snap, 0) -> ok;
quiet(Tree, Snap, N) ->
    sync(Tree),
    timer:sleep(1),
    sync(Tree),
    case snapshot(Tree) of
        Snap -> ok;
        New -> quiet(Tree, New, N - 1)
    end.

sync({Id, {supervisor, _, _, _, Children}, _}) ->
    case whereis(Id) of
        undefined -> ok;
        Pid -> catch sys:get_state(Pid, 1000)
    end,
    lists:foreach(fun sync/1, Children);
sync({_Id, _Worker, _}) -> ok.

snapshot(Tree) -> snapshot(Tree, undefined).
snapshot({Id, {supervisor, Strategy, _, _, Children}, _}, _) ->
    [put({sup_of, C}, Id) || {C, _, _} <- Children],
    [{Id, starts(Id), whereis(Id) =/= undefined}
     | lists:append([snapshot(C, Strategy) || C <- Children])];
snapshot({Id, _Worker, _}, simple_one_for_one) ->
    Sup = get({sup_of, Id}),
    Alive = case whereis(Sup) of
                undefined -> 0;
                _ ->
                    try proplists:get_value(active, supervisor:count_children(Sup), 0)
                    catch exit:_ -> 0
                    end
            end,
    [{Id, starts(Id), Alive}];
snapshot({Id, _Worker, _}, _) -> [{Id, starts(Id), whereis(Id) =/= undefined}].

starts(Id) ->
    case ets:lookup(gens, Id) of
        [{_, N}] -> N;
        [] -> 0
    end.

%% ---------------------------------------------------------------- processes

count(Id) -> ets:update_counter(gens, Id, 1, {Id, 0}).

start_sup(Id, Tree) -> supervisor:start_link({local, Id}, ?MODULE, Tree).

init({Id, {supervisor, Strategy, Intensity, Period, Children}, _}) ->
    count(Id),
    Flags = #{strategy => Strategy, intensity => Intensity,
              period => max(1, Period div 1000)},
    {ok, {Flags, [child_spec(Strategy, C) || C <- Children]}}.

child_spec(_, {Id, {supervisor, _, _, _, _}, Restart} = Tree) ->
    #{id => Id, start => {?MODULE, start_sup, [Id, Tree]}, restart => Restart,
      shutdown => infinity, type => supervisor};
child_spec(simple_one_for_one, {Id, Worker, Restart}) ->
    #{id => Id, start => {?MODULE, start_anon, [Id, opts(Worker)]}, restart => Restart,
      shutdown => 5000, type => worker};
child_spec(_, {Id, Worker, Restart}) ->
    #{id => Id, start => {?MODULE, start_worker, [Id, opts(Worker)]}, restart => Restart,
      shutdown => 5000, type => worker}.

opts(worker) -> [];
opts({worker, Opts}) -> Opts.

start_worker(Id, Opts) -> start_process(Id, true, Opts).
start_anon(Id, Opts) -> start_process(Id, false, Opts).

%% Runs in the supervisor: counts the call, then either returns the outcome
%% the spec asks for from this start on, or spawns the worker.
start_process(Id, Register, Opts) ->
    N = count(Id),
    case [Outcome || {fail, From, Outcome} <- Opts, N >= From] of
        [Outcome | _] -> Outcome;
        [] ->
            Parent = self(),
            Trap = lists:member(trap, Opts),
            Pid = spawn_link(fun() ->
                                     process_flag(trap_exit, Trap),
                                     case Register of
                                         true -> register(Id, self());
                                         false -> ok
                                     end,
                                     Parent ! {started, self()},
                                     worker_loop(Parent)
                             end),
            receive {started, Pid} -> {ok, Pid} end
    end.

%% A trapping worker behaves as a gen_server: its parent's exit signal ends
%% it with the parent's reason, any other {'EXIT', _, _} is ignored.
worker_loop(Parent) ->
    receive
        {die, Reason} -> exit(Reason);
        {ping, From, Ref} -> From ! {pong, Ref}, worker_loop(Parent);
        {'EXIT', Parent, Reason} -> exit(Reason);
        _ -> worker_loop(Parent)
    end.
