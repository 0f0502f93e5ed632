#!/usr/bin/env python3
"""Writes a scenario with about N processes (default 2,000) for trying the
studio's graph at scale: wide pools, nested shards, long names, and the
seed's consumer with its table manager.

    scripts/make-large-scenario.py 2000 > tests/data/scenarios/large-2000.json
"""
import json
import sys


def workers(prefix, count):
    return [{"kind": "worker", "id": f"{prefix}_{i:05d}"} for i in range(1, count + 1)]


def supervisor(id_, children, name=None):
    s = {"kind": "supervisor", "id": id_, "children": children}
    if name:
        s["name"] = name
    return s


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    # Shares of the total: sessions, acceptors, cache shards, job groups.
    sessions = total * 20 // 100
    acceptors = total * 30 // 100
    shards, per_shard = 4, total * 30 // 100 // 4
    groups, per_group = 10, total * 20 // 100 // 10
    root = {
        "name": "Immortal.Root",
        "intensity": 1000,
        "children": [
            {"kind": "worker", "id": "consumer", "name": "TableConsumer",
             "boot_delay_ms": 500,
             "workload": {"type": "counter", "table": "managed", "every_ms": 500}},
            {"kind": "table_manager", "id": "manager", "name": "TableManager",
             "target": "TableConsumer",
             "table": {"access": "protected"}},
            supervisor("sessions", workers("session", sessions),
                       name="Sessions.SessionManager"),
            supervisor("acceptors", workers("acceptor", acceptors),
                       name="Http.AcceptorPool"),
            supervisor("cache", [supervisor(f"cache_shard_{s}", workers(f"cache{s}_entry", per_shard))
                                 for s in range(1, shards + 1)],
                       name="Cache.ShardSupervisor"),
            supervisor("jobs", [supervisor(f"job_group_{g:02d}", workers(f"job{g:02d}", per_group))
                                for g in range(1, groups + 1)],
                       name="Jobs.Supervisor"),
        ],
    }
    scenario = {
        "format": "immortal-scenario",
        "version": 1,
        "title": f"About {total} processes",
        "description": "Wide pools and nested shards, for the graph at scale.",
        "root": root,
    }
    json.dump(scenario, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
