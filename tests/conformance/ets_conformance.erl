#!/usr/bin/env escript
%% -*- erlang -*-
%%
%% The Erlang half of the ETS differential test (see README.md).
%%
%% Generates a random sequence of ets operations from a seed, runs it on a
%% real ets table of the given type and prints one line per operation:
%%
%%     {Op,Result}.
%%
%% written with ~w, so Term::parse reads it. Result is the value ets returned,
%% or the atom badarg when the call raised. etsdriver runs the same Op on an
%% Immortal Table and compares.
%%
%% Usage: escript ets_conformance.erl Type[,Type...] Seed[,Seed...] Ops [Exclude,...]
%%   Type     set | ordered_set | bag | duplicate_bag, or Type@KeyPos
%%            (set@2: a set with {keypos, 2})
%%   Seed     integers. For more than one type or seed, every run (types
%%            outer, seeds inner) starts with a line {run,Type,KeyPos,Seed}.
%%   Exclude  comma-separated exclusion ids from known-divergences.md, or
%%            "-" for none. Each id turns off one kind of op or value.
-mode(compile).

main([TypesS, SeedsS, OpsS | Rest]) ->
    Types = [parse_type(T) || T <- string:lexemes(TypesS, ",")],
    Seeds = [list_to_integer(S) || S <- string:lexemes(SeedsS, ",")],
    N = list_to_integer(OpsS),
    Excl = case Rest of
               [] -> [];
               ["-"] -> [];
               [E | _] -> [list_to_atom(X) || X <- string:lexemes(E, ",")]
           end,
    put(excl, Excl),
    Runs = [{Type, KeyPos, Seed} || {Type, KeyPos} <- Types, Seed <- Seeds],
    %% One VM for many runs: each starts with a {run,Type,Seed} line.
    Marked = length(Runs) > 1,
    lists:foreach(
      fun({Type, KeyPos, Seed}) ->
              Marked andalso io:format("~w.~n", [{run, Type, KeyPos, Seed}]),
              put(type, Type),
              put(keypos, KeyPos),
              rand:seed(exsss, {Seed, Seed * 7 + 1, Seed * 13 + 2}),
              T = ets:new(conf, [Type, public, {keypos, KeyPos}]),
              run(T, N),
              ets:delete(T)
      end, Runs),
    halt(0);
main(_) ->
    io:format(standard_error,
              "usage: ets_conformance.erl Type[,Type...] Seed[,Seed...] Ops [Exclude,...]~n", []),
    halt(2).

excluded(Id) -> lists:member(Id, get(excl)).

%% "set" or "set@2": the type and the key position.
parse_type(S) ->
    case string:split(S, "@") of
        [T] -> {list_to_atom(T), 1};
        [T, K] -> {list_to_atom(T), list_to_integer(K)}
    end.

%% Elements with the key put at the key position (or at the end, when there
%% are too few: a row too short for its key, which ets refuses).
with_key(K, Others) ->
    Kp = get(keypos),
    N = min(Kp - 1, length(Others)),
    list_to_tuple(lists:sublist(Others, N) ++ [K] ++ lists:nthtail(N, Others)).

key_of(R) ->
    Kp = get(keypos),
    case tuple_size(R) >= Kp of
        true -> element(Kp, R);
        false -> no_key
    end.

run(_T, 0) -> ok;
run(T, N) ->
    Op = gen_op(T),
    Result = try apply_op(T, Op) catch error:badarg -> badarg end,
    io:format("~w.~n", [{Op, Result}]),
    run(T, N - 1).

%% ---------------------------------------------------------------- values

pick(L) -> lists:nth(rand:uniform(length(L)), L).

%% Keys collide often: a small pool, numbers of both kinds that compare equal.
key() ->
    Pool = [0, 1, 2, 3, -1, -7, 1.0, 2.5, -1.0, a, b, c,
            {a, 1}, {1.0}, [1, 2], [], <<>>, <<1>>, <<"ab">>, {}, {b, [c]}]
        ++ case excluded(neg_zero_key) of
               true -> [0.0];
               false -> [0.0, -0.0]
           end
        ++ case excluded(bignum) of
               true -> [];
               false -> [18446744073709551616, -9223372036854775809]
           end,
    pick(Pool).

value() ->
    case rand:uniform(7) of
        1 -> rand:uniform(21) - 11;
        2 -> pick([0.0, 1.0, -2.5, 3.25, 1.0e10, -0.0]);
        3 -> pick([x, y, ok, undefined]);
        4 -> pick([{x, 1}, [1, 2.0], [], <<"v">>, {}]);
        5 -> big_value();
        _ -> rand:uniform(5) - 1
    end.

%% Integers at and beyond 64 bits, so counters cross 2^63 both ways.
big_value() ->
    case excluded(bignum) of
        true -> pick([9223372036854775807, -9223372036854775808, 9223372036854775806]);
        false -> pick([9223372036854775807, -9223372036854775808, 9223372036854775806,
                       9223372036854775808, -9223372036854775809, 18446744073709551616,
                       -340282366920938463463374607431768211456])
    end.

%% A counter increment: usually small, sometimes big enough to cross 2^63.
incr() ->
    case rand:uniform(8) of
        1 -> big_value();
        _ -> rand:uniform(11) - 6
    end.

row() ->
    with_key(key(), [value() || _ <- lists:seq(1, rand:uniform(4) - 1)]).

rows() ->
    Rows = [row() || _ <- lists:seq(1, rand:uniform(4) - 1)],
    case get(type) =:= bag andalso excluded(bag_list_insert_order) of
        true -> distinct_keys(Rows, []);
        false -> Rows
    end.

%% The first row of each key (=:=, as a bag's key equality).
distinct_keys([], _Seen) -> [];
distinct_keys([R | Rest], Seen) ->
    K = key_of(R),
    case lists:any(fun(S) -> S =:= K end, Seen) of
        true -> distinct_keys(Rest, Seen);
        false -> [R | distinct_keys(Rest, [K | Seen])]
    end.

%% A match / match_object / match_delete pattern: '_', variables '$1'..'$3'
%% (a repeated one must match equal values) and fixed values.
pattern() ->
    Kp = get(keypos),
    Len = rand:uniform(4),
    P = [case rand:uniform(4) of
             1 -> '_';
             2 when I =:= Kp -> key();
             2 -> value();
             3 -> pick(['$1', '$2', '$3']);
             _ when I =:= Kp -> '_';
             _ -> value()
         end || I <- lists:seq(1, Len)],
    case rand:uniform(6) of
        1 -> '_';
        _ -> list_to_tuple(P)
    end.

%% ---------------------------------------------------------------- ops

%% An op that no excluded divergence touches.
gen_op(T) ->
    Op = gen_any_op(),
    case allowed(Op, T) of
        true -> Op;
        false -> gen_op(T)
    end.

allowed({update_element, K, _, _}, T) -> allowed_update_element(K, T);
allowed({update_element, K, _}, T) -> allowed_update_element(K, T);
allowed({Match, '_'}, _T) when Match =:= match_object; Match =:= match_delete ->
    not excluded(match_atom_pattern);
allowed(_, _) -> true.

allowed_update_element(K, T) ->
    not excluded(update_element_missing_key) orelse ets:member(T, K).

gen_any_op() ->
    Ordered = get(type) =:= ordered_set,
    Ops = [{10, insert}, {4, insert_list}, {4, insert_new}, {2, insert_new_list},
           {8, lookup}, {4, member}, {3, delete}, {3, delete_object}, {2, take},
           {5, update_counter}, {3, update_counter_default}, {3, update_element},
           {1, update_element_list}, {3, lookup_element},
           {1, walk_forward}, {1, walk_backward}, {1, tab2list}, {2, match_object}, {1, match},
           {1, match_delete}, {2, info_size}, {1, delete_all_objects},
           {1, insert_bad}, {1, insert_new_bad}, {1, foldl}, {1, foldr},
           {2, select}, {1, select_reverse}, {1, select_count}, {1, select_delete},
           {1, select_replace}, {2, select_limit}, {1, select_reverse_limit},
           {3, update_counter_threshold}]
        ++ case Ordered of
               true -> [{2, next}, {2, prev}, {1, select_limit_write}];
               false -> []
           end,
    Allowed = [{W, O} || {W, O} <- Ops, not excluded(O)],
    Total = lists:sum([W || {W, _} <- Allowed]),
    op(choose(rand:uniform(Total), Allowed)).

choose(R, [{W, O} | _]) when R =< W -> O;
choose(R, [{W, _} | Rest]) -> choose(R - W, Rest).

pos() -> rand:uniform(5).

%% A counter's position: mostly 2 or 3, where rows hold integers often.
counter_pos() -> pick([2, 2, 2, 3, 3, 4, 1, 5]).

op(insert) -> {insert, row()};
op(insert_list) -> {insert, rows()};
op(insert_new) -> {insert_new, row()};
op(insert_new_list) -> {insert_new, rows()};
op(lookup) -> {lookup, key()};
op(member) -> {member, key()};
op(delete) -> {delete, key()};
op(delete_object) -> {delete_object, row()};
op(take) -> {take, key()};
op(update_counter) -> {update_counter, key(), counter_pos(), incr()};
op(update_counter_default) ->
    {update_counter, key(), counter_pos(), incr(), default_row()};
op(update_element) -> {update_element, key(), pos(), value()};
op(update_element_list) ->
    {update_element, key(), [{pos(), value()} || _ <- lists:seq(1, rand:uniform(3))]};
op(lookup_element) -> {lookup_element, key(), pos()};
op(walk_forward) -> walk_forward;
op(walk_backward) -> walk_backward;
op(tab2list) -> tab2list;
op(match_object) -> {match_object, pattern()};
op(match) -> {match, pattern()};
op(match_delete) -> {match_delete, pattern()};
op(info_size) -> info_size;
op(delete_all_objects) -> delete_all_objects;
op(select) -> {select, match_spec(select)};
op(update_counter_threshold) ->
    K = key(),
    case rand:uniform(4) of
        1 -> {update_counter_threshold, K, counter_op()};
        2 -> {update_counter_threshold, K, counter_op(), default_row()};
        3 -> {update_counter_threshold, K, [counter_op() || _ <- lists:seq(1, rand:uniform(4) - 1)]};
        4 -> {update_counter_threshold, K, [counter_op() || _ <- lists:seq(1, rand:uniform(3))],
              default_row()}
    end;
op(insert_bad) -> {insert, bad_rows()};
op(insert_new_bad) -> {insert_new, bad_rows()};
op(foldl) -> foldl;
op(foldr) -> foldr;
op(select_count) -> {select_count, match_spec(count)};
op(select_delete) -> {select_delete, match_spec(count)};
op(select_replace) -> {select_replace, match_spec(replace)};
op(select_reverse) -> {select_reverse, match_spec(select)};
op(select_limit) -> {select_limit, match_spec(select), rand:uniform(4)};
op(select_limit_write) ->
    {select_limit_write, pick([select, select_reverse]), match_spec(select), rand:uniform(3),
     pick([insert, delete]), row()};
op(select_reverse_limit) -> {select_reverse_limit, match_spec(select), rand:uniform(4)};
op(next) -> {next, key()};
op(prev) -> {prev, key()}.

apply_op(T, {insert, R}) -> ets:insert(T, R);
apply_op(T, {insert_new, R}) -> ets:insert_new(T, R);
apply_op(T, {lookup, K}) -> ets:lookup(T, K);
apply_op(T, {member, K}) -> ets:member(T, K);
apply_op(T, {delete, K}) -> ets:delete(T, K);
apply_op(T, {delete_object, R}) -> ets:delete_object(T, R);
apply_op(T, {take, K}) -> ets:take(T, K);
apply_op(T, {update_counter, K, P, I}) -> ets:update_counter(T, K, {P, I});
apply_op(T, {update_counter, K, P, I, D}) -> ets:update_counter(T, K, {P, I}, D);
apply_op(T, {update_element, K, L}) -> ets:update_element(T, K, L);
apply_op(T, {update_element, K, P, V}) -> ets:update_element(T, K, {P, V});
apply_op(T, {lookup_element, K, P}) -> ets:lookup_element(T, K, P);
apply_op(T, walk_forward) -> walk(T, ets:first(T), fun ets:next/2);
apply_op(T, walk_backward) -> walk(T, ets:last(T), fun ets:prev/2);
apply_op(T, tab2list) -> ets:tab2list(T);
apply_op(T, {match_object, P}) -> ets:match_object(T, P);
apply_op(T, {match, P}) -> ets:match(T, P);
apply_op(T, {match_delete, P}) -> ets:match_delete(T, P);
apply_op(T, info_size) -> ets:info(T, size);
apply_op(T, delete_all_objects) -> ets:delete_all_objects(T);
apply_op(T, {select, MS}) -> ets:select(T, MS);
apply_op(T, {select_reverse, MS}) -> ets:select_reverse(T, MS);
apply_op(T, {select_count, MS}) -> ets:select_count(T, MS);
apply_op(T, {select_delete, MS}) -> ets:select_delete(T, MS);
apply_op(T, {select_replace, MS}) -> ets:select_replace(T, MS);
apply_op(T, {select_limit, MS, N}) ->
    chunks(ets:select(T, MS, N), fun ets:select/1);
apply_op(T, {select_reverse_limit, MS, N}) ->
    chunks(ets:select_reverse(T, MS, N), fun ets:select_reverse/1);
%% ordered_set: a write between the first chunk and the rest, which the
%% continuation sees as ets does (it goes on after the last key returned).
apply_op(T, {select_limit_write, F, MS, N, W, Row}) ->
    Next = case F of select -> fun ets:select/1; select_reverse -> fun ets:select_reverse/1 end,
    case ets:F(T, MS, N) of
        '$end_of_table' -> {[], '$end_of_table'};
        {First, Cont} ->
            case W of
                insert -> ets:insert(T, Row);
                delete -> ets:delete(T, element(get(keypos), Row))
            end,
            {Rest, End} = chunks(Next(Cont), Next),
            {mark_last([{First, cont_or_end(Cont)} | Rest]), End}
    end;
apply_op(T, foldl) -> ets:foldl(fun(R, Acc) -> [R | Acc] end, [], T);
apply_op(T, foldr) -> ets:foldr(fun(R, Acc) -> [R | Acc] end, [], T);
apply_op(T, {update_counter_threshold, K, Op}) -> ets:update_counter(T, K, Op);
apply_op(T, {update_counter_threshold, K, Op, D}) -> ets:update_counter(T, K, Op, D);
apply_op(T, {next, K}) -> ets:next(T, K);
apply_op(T, {prev, K}) -> ets:prev(T, K).

%% A default row for update_counter/4. With default_row_too_short listed
%% (an OTP 25 bug, see known-divergences.md) it is long enough to hold
%% the key at the key position.
default_row() ->
    Min = case excluded(default_row_too_short) of
              true -> get(keypos) - 1;
              false -> 0
          end,
    with_key(key(), [rand:uniform(9) - 5 || _ <- lists:seq(1, Min + rand:uniform(4) - 1)]).

%% {Pos, Incr} or {Pos, Incr, Threshold, SetValue}.
counter_op() ->
    case rand:uniform(3) of
        1 -> {counter_pos(), incr()};
        _ -> {counter_pos(), incr(), pick([rand:uniform(9) - 5, big_value()]), rand:uniform(5) - 3}
    end.

%% A list of rows with something that is not a row in it: an empty tuple (no
%% key), and for insert_new also a row whose key may exist already.
bad_rows() ->
    Rows = [row() || _ <- lists:seq(1, rand:uniform(3) - 1)],
    Pos = rand:uniform(length(Rows) + 1),
    {A, B} = lists:split(Pos - 1, Rows),
    A ++ [{}] ++ B.

%% ---------------------------------------------------------------- match specs

%% [{Head, Guards, Body}, ...]. Kind: select (any body), count (bodies
%% true or not: select_count and select_delete count only true), replace
%% (a body that keeps the key, so select_replace accepts it, mostly).
match_spec(Kind) ->
    [ms_clause(Kind) || _ <- lists:seq(1, pick([1, 1, 1, 2]))].

ms_clause(Kind) ->
    {Head, Vars} = ms_head(Kind),
    Guards = [ms_guard(Vars) || _ <- lists:seq(1, pick([0, 0, 1, 1, 2]))],
    {Head, Guards, [ms_body(Kind, Vars)]}.

%% A head and the variables it binds.
ms_head(replace) ->
    %% The key a variable so the body can keep it.
    Kp = get(keypos),
    Len = Kp - 1 + rand:uniform(4),
    Elems = [case I of Kp -> '$1'; _ -> ms_head_elem(I) end || I <- lists:seq(1, Len)],
    {list_to_tuple(Elems), ms_vars(Elems)};
ms_head(_) ->
    case rand:uniform(8) of
        1 -> {'_', []};
        2 -> {'$1', ['$1']};
        _ ->
            Kp = get(keypos),
            Len = rand:uniform(4),
            Elems = [case I of
                         Kp -> pick(['$1', '_', '_', key()]);
                         _ -> ms_head_elem(I)
                     end || I <- lists:seq(1, Len)],
            {list_to_tuple(Elems), ms_vars(Elems)}
    end.

ms_head_elem(_I) ->
    case rand:uniform(6) of
        1 -> '_';
        2 -> value();
        3 -> '$2';
        4 -> '$3';
        5 -> '$1';
        6 -> '_'
    end.

ms_vars(Elems) -> lists:usort([E || E <- Elems, is_atom(E), E =/= '_',
                                    lists:prefix("$", atom_to_list(E))]).

ms_var(Vars) ->
    case Vars of
        [] -> '$_';
        _ -> pick(Vars)
    end.

ms_guard(Vars) ->
    V = ms_var(Vars),
    case rand:uniform(7) of
        1 -> {'>', V, rand:uniform(5) - 3};
        2 -> {is_integer, V};
        3 -> {'andalso', {is_integer, V}, {'<', V, rand:uniform(5) - 2}};
        4 -> {'==', {element, get(keypos), '$_'}, key()};
        5 -> {'=:=', {element, 2, '$_'}, value()};
        6 -> {'orelse', {is_atom, V}, {is_tuple, V}};
        7 -> {'>=', {element, 1, V}, 0}
    end.

ms_body(count, Vars) ->
    case rand:uniform(5) of
        1 -> ms_body(select, Vars);
        2 -> false;
        _ -> true
    end;
ms_body(replace, Vars) ->
    case rand:uniform(8) of
        1 -> '$_';
        2 -> {{key()}}; % most likely another key: badarg
        _ -> {with_key('$1', [pick([{const, value()}, ms_var(Vars)])
                              || _ <- lists:seq(1, get(keypos) - 1 + rand:uniform(3) - 1)])}
    end;
ms_body(select, Vars) ->
    case rand:uniform(6) of
        1 -> '$_';
        2 -> '$$';
        3 -> ms_var(Vars);
        4 -> {{ms_var(Vars), pick([value(), {const, {x, 1}}])}};
        5 -> [ms_var(Vars), '$_'];
        6 -> pick(['$1', '$_'])
    end.

%% All chunks of a select with a limit: {[Chunk, ...], '$end_of_table'}.
%% Each chunk is {Matches, cont} or {Matches, '$end_of_table'}: whether ets
%% gave a continuation with it (it does for every full chunk) or ended.
%% With select_last_chunk_end excluded, the last chunk says `last` instead.
chunks('$end_of_table', _Next) -> {[], '$end_of_table'};
chunks({Matches, Cont}, Next) ->
    {Rest, End} = chunks(Next(Cont), Next),
    {mark_last([{Matches, cont_or_end(Cont)} | Rest]), End}.

mark_last([{Matches, Flag}]) ->
    case excluded(select_last_chunk_end) of
        true -> [{Matches, last}];
        false -> [{Matches, Flag}]
    end;
mark_last(Chunks) -> Chunks.

cont_or_end('$end_of_table') -> '$end_of_table';
cont_or_end(_) -> cont.

walk(_T, '$end_of_table', _Step) -> [];
walk(T, K, Step) -> [K | walk(T, Step(T, K), Step)].
