#!/usr/bin/env python3
"""pgbench on data larger than the buffer pool, Keel against PostgreSQL 15 with the same page cache.

    python3 bench/pgbench_large.py                    # scale 150 (about 2.2 GB), 256 MiB pool
    python3 bench/pgbench_large.py --scale 20 --pool-mb 32 --seconds 10   # a quicker look

Starts PostgreSQL with shared_buffers = the pool and Keel with storage.buffer_pool_bytes = the pool,
initialises both (`pgbench -i`, timed), checks that full-table aggregates over pgbench_accounts give
the same answer on both, then runs tpcb-like and select-only (`-M prepared`, 8 clients) on each,
alternating, and prints tps medians with the Keel/PostgreSQL ratio. Writes JSON under
bench/results/. PostgreSQL's reads still go through the kernel's page cache (Keel's data files use
O_DIRECT), so its side is PostgreSQL as deployed, not a cold cache.
"""

import argparse
import datetime
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

from servers import Fleet, Keel, Postgres, release_dir  # noqa: E402
from suite import RESULTS, Pgbench, machine_facts, pgbench_command, scalar  # noqa: E402

AGGREGATE = "select count(*), sum(aid), sum(bid), sum(abalance), min(bid), max(bid), max(aid) from pgbench_accounts"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=150)
    parser.add_argument("--pool-mb", type=int, default=256)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--keel", default=None, help="keel binary (default: cargo build --release first)")
    args = parser.parse_args()
    binary = Path(args.keel) if args.keel else release_dir() / "keel"
    if not args.keel:
        subprocess.run(["cargo", "build", "--release", "-p", "keel-server"], cwd=ROOT, check=True)
    fleet = Fleet("keel-pgbench-large-")
    workdir, servers = fleet.workdir, fleet.servers
    workloads = [Pgbench(kind, args.scale, args.clients, args.seconds) for kind in ("tpcb-like", "select-only")]
    results = {w.name: {"postgres": [], "keel": []} for w in workloads}
    init = {}
    aggregates = {}
    started = time.time()
    try:
        servers.append(Postgres(parent=workdir, extra_options=f"-c shared_buffers={args.pool_mb}MB"))
        servers.append(Keel(Path(workdir) / "keel-data", binary=binary,
                            extra=["--set", f"storage.buffer_pool_bytes={args.pool_mb << 20}"]).start())
        for server in servers:
            print(f"[init] pgbench -i -s {args.scale} on {server.name}", flush=True)
            t0 = time.time()
            subprocess.run(pgbench_command(server, ["-i", "-q", "-s", str(args.scale)]), check=True, capture_output=True)
            init[server.name] = time.time() - t0
            aggregates[server.name] = scalar(server, AGGREGATE)
            print(f"  {init[server.name]:.1f} s; {AGGREGATE}: {aggregates[server.name]}", flush=True)
        if aggregates["keel"] != aggregates["postgres"]:
            raise SystemExit(f"aggregates differ: keel {aggregates['keel']} postgres {aggregates['postgres']}")
        for round_number in range(args.rounds):
            order = servers if round_number % 2 == 0 else list(reversed(servers))
            for workload in workloads:
                for server in order:
                    print(f"[{workload.name}] {server.name}, round {round_number + 1}/{args.rounds}", flush=True)
                    result = workload.run(server, workdir)
                    if result["failed"]:
                        raise SystemExit(f"{server.name}: {result['failed']} failed transactions")
                    results[workload.name][server.name].append(result)
        # The TPC-B invariant on each side: accounts, tellers and branches moved by the same deltas.
        final = {}
        for server in servers:
            sums = [scalar(server, f"select sum({c}) from pgbench_{t}")
                    for c, t in (("abalance", "accounts"), ("tbalance", "tellers"), ("bbalance", "branches"))]
            if len(set(sums)) != 1:
                raise SystemExit(f"{server.name}: balances disagree: {sums}")
            final[server.name] = sums[0]
    finally:
        fleet.close()
    print()
    print(f"pgbench -i -s {args.scale}: PostgreSQL {init['postgres']:.1f} s, Keel {init['keel']:.1f} s; aggregates equal")
    summary = {}
    for workload in workloads:
        pg = [r["value"] for r in results[workload.name]["postgres"]]
        keel = [r["value"] for r in results[workload.name]["keel"]]
        ratio = statistics.median(keel) / statistics.median(pg)
        summary[workload.name] = {"postgres": statistics.median(pg), "keel": statistics.median(keel), "ratio": ratio}
        print(f"{workload.name:<34} PostgreSQL {statistics.median(pg):>9.0f} [{min(pg):.0f}-{max(pg):.0f}]  "
              f"Keel {statistics.median(keel):>9.0f} [{min(keel):.0f}-{max(keel):.0f}]  Keel/PG {ratio:.2f}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"pgbench-large-{stamp}.json"
    path.write_text(json.dumps({
        "scale": args.scale, "pool_mb": args.pool_mb, "seconds": args.seconds, "rounds": args.rounds,
        "clients": args.clients, "init_seconds": init, "aggregates": aggregates, "final_sum_balances": final,
        "summary": summary, "runs": results, "machine": machine_facts(), "elapsed_s": time.time() - started,
    }, indent=2))
    print(f"result: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
