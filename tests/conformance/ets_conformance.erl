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
%% Usage: escript ets_conformance.erl Type Seed Ops [Exclude,...]
%%   Type     set | ordered_set | bag | duplicate_bag
%%   Exclude  comma-separated exclusion ids from known-divergences.md, or
%%            "-" for none. Each id turns off one kind of op or value.
-mode(compile).

main([TypeS, SeedS, OpsS | Rest]) ->
    Type = list_to_atom(TypeS),
    Seed = list_to_integer(SeedS),
    N = list_to_integer(OpsS),
    Excl = case Rest of
               [] -> [];
               ["-"] -> [];
               [E | _] -> [list_to_atom(X) || X <- string:lexemes(E, ",")]
           end,
    put(excl, Excl),
    put(type, Type),
    rand:seed(exsss, {Seed, Seed * 7 + 1, Seed * 13 + 2}),
    T = ets:new(conf, [Type, public]),
    run(T, N),
    halt(0);
main(_) ->
    io:format(standard_error, "usage: ets_conformance.erl Type Seed Ops [Exclude,...]~n", []),
    halt(2).

excluded(Id) -> lists:member(Id, get(excl)).

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
    case rand:uniform(6) of
        1 -> rand:uniform(21) - 11;
        2 -> pick([0.0, 1.0, -2.5, 3.25, 1.0e10]);
        3 -> pick([x, y, ok, undefined]);
        4 -> pick([{x, 1}, [1, 2.0], [], <<"v">>, {}]);
        _ -> rand:uniform(5) - 1
    end.

row() ->
    K = key(),
    case rand:uniform(4) of
        1 -> {K};
        2 -> {K, value()};
        3 -> {K, value(), value()};
        4 -> {K, value(), value(), value()}
    end.

rows() ->
    Rows = [row() || _ <- lists:seq(1, rand:uniform(4) - 1)],
    case get(type) =:= bag andalso excluded(bag_list_insert_order) of
        true -> distinct_keys(Rows, []);
        false -> Rows
    end.

%% The first row of each key (=:=, as a bag's key equality).
distinct_keys([], _Seen) -> [];
distinct_keys([R | Rest], Seen) ->
    K = element(1, R),
    case lists:any(fun(S) -> S =:= K end, Seen) of
        true -> distinct_keys(Rest, Seen);
        false -> [R | distinct_keys(Rest, [K | Seen])]
    end.

%% A match_object / match_delete pattern: '_' anywhere but some fixed values.
pattern() ->
    Len = rand:uniform(4),
    P = [case rand:uniform(3) of
             1 -> '_';
             2 when I =:= 1 -> key();
             _ when I =:= 1 -> '_';
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
           {1, walk_forward}, {1, walk_backward}, {1, tab2list}, {2, match_object},
           {1, match_delete}, {2, info_size}, {1, delete_all_objects},
           %% Features Immortal does not have yet: known-divergences.md lists
           %% them, which keeps them off until the line is deleted.
           {2, select}, {2, update_counter_threshold}]
        ++ case Ordered of
               true -> [{2, next}, {2, prev}];
               false -> []
           end,
    Allowed = [{W, O} || {W, O} <- Ops, not excluded(O)],
    Total = lists:sum([W || {W, _} <- Allowed]),
    op(choose(rand:uniform(Total), Allowed)).

choose(R, [{W, O} | _]) when R =< W -> O;
choose(R, [{W, _} | Rest]) -> choose(R - W, Rest).

pos() -> rand:uniform(5).

op(insert) -> {insert, row()};
op(insert_list) -> {insert, rows()};
op(insert_new) -> {insert_new, row()};
op(insert_new_list) -> {insert_new, rows()};
op(lookup) -> {lookup, key()};
op(member) -> {member, key()};
op(delete) -> {delete, key()};
op(delete_object) -> {delete_object, row()};
op(take) -> {take, key()};
op(update_counter) -> {update_counter, key(), pos(), rand:uniform(11) - 6};
op(update_counter_default) ->
    Default = [key() | [rand:uniform(9) - 5 || _ <- lists:seq(1, rand:uniform(4) - 1)]],
    {update_counter, key(), pos(), rand:uniform(11) - 6, list_to_tuple(Default)};
op(update_element) -> {update_element, key(), pos(), value()};
op(update_element_list) ->
    {update_element, key(), [{pos(), value()} || _ <- lists:seq(1, rand:uniform(3))]};
op(lookup_element) -> {lookup_element, key(), pos()};
op(walk_forward) -> walk_forward;
op(walk_backward) -> walk_backward;
op(tab2list) -> tab2list;
op(match_object) -> {match_object, pattern()};
op(match_delete) -> {match_delete, pattern()};
op(info_size) -> info_size;
op(delete_all_objects) -> delete_all_objects;
op(select) -> {select, [{pattern(), [], ['$_']}]};
op(update_counter_threshold) ->
    {update_counter_threshold, key(), {pos(), rand:uniform(11) - 6, rand:uniform(9) - 5, 0}};
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
apply_op(T, {match_delete, P}) -> ets:match_delete(T, P);
apply_op(T, info_size) -> ets:info(T, size);
apply_op(T, delete_all_objects) -> ets:delete_all_objects(T);
apply_op(T, {select, MS}) -> ets:select(T, MS);
apply_op(T, {update_counter_threshold, K, Op}) -> ets:update_counter(T, K, Op);
apply_op(T, {next, K}) -> ets:next(T, K);
apply_op(T, {prev, K}) -> ets:prev(T, K).

walk(_T, '$end_of_table', _Step) -> [];
walk(T, K, Step) -> [K | walk(T, Step(T, K), Step)].
