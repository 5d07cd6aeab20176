#!/usr/bin/env python3
"""The storage engine in and out of memory: YCSB A/B/C (zipfian and uniform keys) on Keel with its
buffer pool larger than the data and with the data 8x the pool, in both buffer-manager modes
(explicit reads, userfaultfd "active virtual memory"), beside PostgreSQL 15 with shared_buffers at the
same 1/8 of the data.

    python3 bench/storage.py --quick   # a couple of minutes: 20k records, one round of 4 s
    python3 bench/storage.py           # 200k records (about 220 MB), 3 rounds of 10 s

Reports ops/s medians [min-max] per configuration and workload, and the out-of-core / in-memory ratio
of each mode. Writes JSON under bench/results/. Keel reads its data file with O_DIRECT, so its
out-of-core runs really go to the disk; PostgreSQL's reads go through the kernel's page cache, which
holds its whole table here: its "1/8" column is PostgreSQL as users run it, not a cold cache.
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
from suite import RESULTS, Ycsb, machine_facts  # noqa: E402

ROW_BYTES = 1100  # ten 100-byte fields, the key and the row header


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keel", default=None, help="keel binary (default: cargo build --release first)")
    args = parser.parse_args()
    records = args.records or (20_000 if args.quick else 200_000)
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = args.seconds or (4 if args.quick else 10)
    binary = Path(args.keel) if args.keel else release_dir() / "keel"
    driver = binary.parent / "keel-ycsb"
    if not args.keel:
        subprocess.run(["cargo", "build", "--release", "-p", "keel-server", "-p", "keel-ycsb"], cwd=ROOT, check=True)
    data_bytes = records * ROW_BYTES
    small_pool = max(4 << 20, data_bytes // 8)
    big_pool = max(1 << 30, data_bytes * 4)
    configs = [
        ("keel explicit, in memory", "keel", ["--set", f"storage.buffer_pool_bytes={big_pool}", "--set", "storage.buffer_mode=explicit"]),
        ("keel explicit, data 8x pool", "keel", ["--set", f"storage.buffer_pool_bytes={small_pool}", "--set", "storage.buffer_mode=explicit"]),
        ("keel userfault, in memory", "keel", ["--set", f"storage.buffer_pool_bytes={big_pool}", "--set", "storage.buffer_mode=userfault"]),
        ("keel userfault, data 8x pool", "keel", ["--set", f"storage.buffer_pool_bytes={small_pool}", "--set", "storage.buffer_mode=userfault"]),
        ("postgres, shared_buffers 1/8", "postgres", f"-c shared_buffers={small_pool // 1024}kB"),
    ]
    workloads = [Ycsb(driver, w, records, args.threads, seconds, d) for d in ("zipfian", "uniform") for w in ("a", "b", "c")]
    loaded = set()  # one load per server serves every workload
    for workload in workloads:
        workload.loaded = loaded
    results = {name: {w.name: [] for w in workloads} for name, _, _ in configs}
    fleet = Fleet("keel-storage-bench-")
    workdir, running = fleet.workdir, fleet.servers
    total = len(configs) * len(workloads) * rounds
    done = 0
    started = time.time()
    commands = {}
    try:
        for index, (name, kind, options) in enumerate(configs):
            if kind == "keel":
                server = Keel(Path(workdir) / f"keel-{index}", binary=binary, extra=options).start()
                commands[name] = " ".join(server.command)
            else:
                server = Postgres(parent=workdir, extra_options=options)
                commands[name] = f"postgres {options}"
            running.append(server)
            loaded.discard(server.name)
            for round_number in range(rounds):
                for workload in workloads:
                    left = (total - done) * seconds
                    print(f"[{done + 1}/{total}] {name}: {workload.name}, round {round_number + 1}/{rounds} (about {left} s left)", flush=True)
                    results[name][workload.name].append(workload.run(server, workdir))
                    done += 1
            server.stop()
            running.remove(server)
    finally:
        fleet.close()

    def med(values):
        return statistics.median(values) if values else None

    print()
    header = f"{'workload':<22}" + "".join(f"{name:>32}" for name, _, _ in configs)
    print(header)
    print("-" * len(header))
    summary = {}
    for workload in workloads:
        row = f"{workload.name:<22}"
        for name, _, _ in configs:
            values = [r["value"] for r in results[name][workload.name]]
            summary.setdefault(name, {})[workload.name] = {"median": med(values), "min": min(values), "max": max(values)}
            row += f"{med(values):>14.0f} [{min(values):.0f}-{max(values):.0f}]".rjust(32)
        print(row)
    print()
    ratios = {}
    for mode in ("explicit", "userfault"):
        memory, outside = summary[f"keel {mode}, in memory"], summary[f"keel {mode}, data 8x pool"]
        ratios[mode] = {w: outside[w]["median"] / memory[w]["median"] for w in memory}
        print(f"out-of-core / in-memory, {mode}: " + ", ".join(f"{w} {r:.2f}" for w, r in ratios[mode].items()))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"storage-{stamp}.json"
    path.write_text(json.dumps({
        "records": records, "data_bytes_estimate": data_bytes, "small_pool_bytes": small_pool, "big_pool_bytes": big_pool,
        "rounds": rounds, "seconds": seconds, "threads": args.threads, "machine": machine_facts(),
        "commands": commands, "summary": summary, "out_of_core_ratio": ratios,
        "runs": results, "elapsed_s": time.time() - started,
    }, indent=2))
    print(f"\nresult: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
