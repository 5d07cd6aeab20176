#!/usr/bin/env python3
"""Transaction throughput, Keel against PostgreSQL 15 in one run, with equal durability (both fsync
every commit: PostgreSQL with fsync=on and synchronous_commit=on, Keel with its group commit).

    python3 bench/transactions.py                   # scales 10 and 100, 8 and 32 clients
    python3 bench/transactions.py --scales 10 --seconds 10 --rounds 1   # a quicker look

- pgbench tpcb-like, `-M prepared`, at each scale and client count;
- hot rows: every client updates one of 10 rows (`UPDATE hot SET v = v + 1 WHERE id = random(1, 10)`),
  at READ COMMITTED (writers queue on the row locks) and at REPEATABLE READ (first-updater-wins
  makes the losers fail with 40001; pgbench counts them as failed transactions).

Each workload runs on both servers `--rounds` times, alternating which goes first; it prints tps
medians, the Keel/PostgreSQL ratio, and aborts per second (failed transactions / run time) beside
them. Writes JSON under bench/results/. The issue's target: tpcb-like at 8 clients at least 1.5x.
"""

import argparse
import datetime
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

from servers import Fleet, Keel, Postgres, release_dir  # noqa: E402
from suite import RESULTS, Pgbench, machine_facts, pgbench_command, pgbench_threads, psql, scalar  # noqa: E402

HOT_ROWS = 10


class HotRows:
    """All clients update 10 hot rows, at one isolation level."""

    def __init__(self, isolation, clients, seconds):
        self.isolation, self.clients, self.seconds = isolation, clients, seconds
        self.name = f"hot rows {isolation} c{clients}"

    def run(self, server, workdir):
        script = Path(tempfile.mkstemp(dir=workdir, suffix=".sql")[1])
        script.write_text(
            f"\\set id random(1, {HOT_ROWS})\n"
            f"BEGIN ISOLATION LEVEL {self.isolation.upper()};\n"
            "UPDATE hot SET v = v + 1 WHERE id = :id;\n"
            "END;\n")
        command = pgbench_command(server, ["-n", "-M", "prepared", "-f", str(script), "-c", str(self.clients),
                                           "-j", str(pgbench_threads(self.clients)), "-T", str(self.seconds)])
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{server.name}: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
        out = result.stdout
        failed = re.search(r"number of failed transactions: (\d+)", out)
        return {
            "value": float(re.search(r"tps = ([0-9.]+)", out).group(1)),
            "latency_ms_avg": float(re.search(r"latency average = ([0-9.]+) ms", out).group(1)),
            "failed": int(failed.group(1)) if failed else 0,
            "command": " ".join(command),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="10,100")
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keel", default=None, help="keel binary (default: cargo build --release first)")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    clients = [int(c) for c in args.clients.split(",")]
    binary = Path(args.keel) if args.keel else release_dir() / "keel"
    if not args.keel:
        subprocess.run(["cargo", "build", "--release", "-p", "keel-server"], cwd=ROOT, check=True)
    fleet = Fleet("keel-transactions-")
    workdir, servers = fleet.workdir, fleet.servers
    results = {}
    started = time.time()
    try:
        servers.append(Postgres(parent=workdir))
        servers.append(Keel(Path(workdir) / "keel-data", binary=binary).start())

        def measure(workload):
            runs = results.setdefault(workload.name, {"postgres": [], "keel": []})
            for round_number in range(args.rounds):
                order = servers if round_number % 2 == 0 else list(reversed(servers))
                for server in order:
                    print(f"[{workload.name}] {server.name}, round {round_number + 1}/{args.rounds}", flush=True)
                    runs[server.name].append(workload.run(server, workdir))
            line(workload.name, runs, args.seconds)

        for scale in scales:
            for server in servers:
                print(f"[init] pgbench -i -s {scale} on {server.name}", flush=True)
                subprocess.run(pgbench_command(server, ["-i", "-q", "-s", str(scale)]), check=True, capture_output=True)
            for count in clients:
                measure(Pgbench("tpcb-like", scale, count, args.seconds))
        for server in servers:
            psql(server, "CREATE TABLE hot (id int PRIMARY KEY, v int8 NOT NULL)")
            psql(server, "INSERT INTO hot VALUES " + ", ".join(f"({i}, 0)" for i in range(1, HOT_ROWS + 1)))
        for isolation in ("read committed", "repeatable read"):
            for count in clients:
                measure(HotRows(isolation, count, args.seconds))
        # Every committed hot-row update is one increment: the sums are the committed counts.
        totals = {server.name: scalar(server, "SELECT sum(v) FROM hot") for server in servers}
    finally:
        fleet.close()
    summary = {
        "benchmark": "transactions",
        "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "machine": machine_facts(),
        "seconds": args.seconds,
        "rounds": args.rounds,
        "results": results,
        "hot_row_increments": totals,
        "wall_s": round(time.time() - started, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"transactions-{summary['when']}.json"
    path.write_text(json.dumps(summary, indent=2))
    print(f"\nwrote {path} ({summary['wall_s']} s)")


def line(name, runs, seconds):
    keel = statistics.median(r["value"] for r in runs["keel"])
    postgres = statistics.median(r["value"] for r in runs["postgres"])
    aborts = {side: statistics.median(r.get("failed", 0) / seconds for r in runs[side]) for side in runs}
    print(f"== {name}: keel {keel:.0f} tps ({aborts['keel']:.1f} aborts/s), "
          f"postgres {postgres:.0f} tps ({aborts['postgres']:.1f} aborts/s), ratio {keel / postgres:.2f}x",
          flush=True)


if __name__ == "__main__":
    main()
