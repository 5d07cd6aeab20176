#!/usr/bin/env python3
"""Keel against PostgreSQL 15 in one run: every workload on both, alternating, with ratios.

    python3 bench/suite.py --quick     # under 2 minutes: scale 2, 8 clients, one short round
    python3 bench/suite.py             # scale 10, 1/8/32 clients, 3 rounds x 20 s
    python3 bench/suite.py --full      # also scale 100, TPC-H SF1 and bench/transactions.py
    python3 bench/suite.py --only pgbench   # workloads whose name contains "pgbench"

Both servers run on this machine, loopback only, with equal durability: PostgreSQL with fsync and
synchronous_commit on, Keel acknowledging a commit only once its WAL record is durable. Every round
runs each workload on both systems, the order alternating between rounds. Results: a table of
medians with min and max and the Keel/PostgreSQL ratio, latency percentiles (p50/p99/p99.9) from
pgbench's per-transaction log, a JSON file with machine facts and the exact commands, and an SVG
chart of the ratios under bench/results/. Everything started is stopped, also on Ctrl-C.
Beside pgbench, YCSB, the connection storm and COPY, it times query shapes of a web application's
pages over 500,000 orders of 50,000 customers (`QUERY_SHAPES`: paging through a join, top-N
with and without a join, an index nested loop), one client each.

It ends with the raw-IO comparison of keel-io against fio (bench/io_vs_fio.py), then, with
`--tpch SCALE` (SF1 in `--full`), the 22 TPC-H queries (bench/tpch.py: loading SF1 into both takes
minutes), and with `--transactions` (in `--full`), tpcb-like and the hot-row contention workloads
with aborts per second (bench/transactions.py). Each of those runs as its own script on fresh
servers, its progress shown as it goes, and its summary is folded into this run's JSON.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "tools"))

from servers import Fleet, Keel, Postgres, release_dir  # noqa: E402


def psql(server, sql, database="keel"):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", database, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def scalar(server, sql):
    """The single value `sql` returns, as text."""
    return subprocess.run(server.psql_args() + ["-At", "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


def pgbench_command(server, args):
    return ["pgbench", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", *args, "keel"]


def pgbench_threads(clients):
    """pgbench's -j: one thread per client up to half the machine's cores (at least 2), so that
    on a many-core machine the client is not what limits both servers, and on a 2-core one it
    leaves the servers their share."""
    return min(clients, max(2, (os.cpu_count() or 2) // 2))


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


class Workload:
    """One measured thing. `run` returns a dict with `value` (the headline number) and details."""

    higher_is_better = True
    unit = "tps"

    def prepare(self, server, workdir):
        pass


class Pgbench(Workload):
    def __init__(self, kind, scale, clients, seconds):
        self.kind, self.scale, self.clients, self.seconds = kind, scale, clients, seconds
        self.name = f"pgbench {kind} s{scale} c{clients}"
        self.flags = ["-S", "-M", "prepared"] if kind == "select-only" else ["-M", "prepared"]

    def run(self, server, workdir):
        args = self.flags + ["-c", str(self.clients), "-j", str(pgbench_threads(self.clients)), "-T", str(self.seconds)]
        if self.kind == "tpcb-like":
            args.append("-n")  # the history table is truncated once at init, not per run
        return run_pgbench(server, workdir, args)


def run_pgbench(server, workdir, args):
    """pgbench with `args` on `server`: tps, average latency, p50/p99/p99.9 from its
    per-transaction log (a 5 % sample), failed transactions, and the command."""
    log_dir = Path(tempfile.mkdtemp(dir=workdir))
    # A sample of per-transaction latencies gives the percentiles without slowing pgbench down much.
    command = pgbench_command(server, args + ["-l", "--sampling-rate=0.05", f"--log-prefix={log_dir}/tx"])
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{server.name}: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    out = result.stdout
    latencies = []
    for log in log_dir.glob("tx*"):
        for line in log.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 3:
                latencies.append(int(fields[2]) / 1000.0)
    latencies.sort()
    shutil.rmtree(log_dir, ignore_errors=True)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {
        "value": float(re.search(r"tps = ([0-9.]+)", out).group(1)),
        "latency_ms_avg": float(re.search(r"latency average = ([0-9.]+) ms", out).group(1)),
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "p999_ms": percentile(latencies, 0.999),
        "failed": int(failed.group(1)) if failed else 0,
        "command": " ".join(command),
    }


class ConnectionStorm(Workload):
    """Connect, run one query, disconnect: pgbench -C, every transaction on a new connection."""

    unit = "connections/s"

    def __init__(self, clients, seconds):
        self.clients, self.seconds = clients, seconds
        self.name = f"connection storm c{clients}"

    def run(self, server, workdir):
        command = pgbench_command(server, ["-C", "-S", "-c", str(self.clients), "-j", str(pgbench_threads(self.clients)), "-T", str(self.seconds)])
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{server.name}: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
        return {"value": float(re.search(r"tps = ([0-9.]+)", result.stdout).group(1)), "command": " ".join(command)}


class Copy(Workload):
    """COPY of N rows (int8, int4, text of 40 characters) into a fresh table through psql."""

    unit = "rows/s"

    def __init__(self, rows):
        self.rows = rows
        self.name = f"copy {rows // 1000}k rows"
        self.runs = 0

    def run(self, server, workdir):
        data = Path(workdir) / f"copy-{self.rows}.tsv"
        if not data.exists():
            with open(data, "w") as f:
                for i in range(self.rows):
                    f.write(f"{i}\t{i % 1000}\trow-{i:036d}\n")
        self.runs += 1
        table = f"bench_copy_{self.runs}"
        psql(server, f"create table {table} (id int8 primary key, grp int4, payload text)")
        command = ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "keel", "-c", f"\\copy {table} from '{data}'"]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        psql(server, f"drop table {table}")
        return {"value": self.rows / elapsed, "seconds": elapsed, "command": " ".join(command)}


class Ycsb(Workload):
    """YCSB core workload A/B/C through tools/ycsb (keel-ycsb), loaded once per server."""

    unit = "ops/s"

    def __init__(self, driver, workload, records, threads, seconds, distribution="zipfian"):
        self.driver, self.workload, self.records, self.threads, self.seconds = driver, workload, records, threads, seconds
        self.distribution = distribution
        self.name = f"ycsb {workload.upper()} c{threads}" + ("" if distribution == "zipfian" else f" {distribution}")
        self.loaded = set()

    def run(self, server, workdir):
        base = [str(self.driver), "--port", str(server.port)]
        if server.name not in self.loaded:
            subprocess.run(base + ["load", "--records", str(self.records)], check=True, capture_output=True)
            self.loaded.add(server.name)
        command = base + ["run", "--workload", self.workload, "--records", str(self.records),
                          "--threads", str(self.threads), "--seconds", str(self.seconds),
                          "--distribution", self.distribution]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{server.name}: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
        out = json.loads(result.stdout.strip().splitlines()[-1])
        if out["errors"]:
            raise RuntimeError(f"{server.name}: {out['errors']} YCSB operations failed")
        ms = lambda us: None if us is None else us / 1000.0
        return {"value": out["ops_per_s"], "p50_ms": ms(out["read_p50_us"]), "p99_ms": ms(out["read_p99_us"]),
                "p999_ms": ms(out["read_p999_us"]), "update_p99_ms": ms(out["update_p99_us"]), "command": " ".join(command)}


QUERY_TABLES = [
    "create table bench_customers (id int primary key, name text not null, region int)",
    "create table bench_orders (id int primary key, cust int not null references bench_customers (id), "
    "total numeric(10,2), created date)",
    "insert into bench_customers select g, 'cust ' || g, g % 7 from generate_series(1, {customers}) g",
    "insert into bench_orders select g, 1 + (g::bigint * 7919) % {customers}, (g % 1000) / 10.0, "
    "date '2020-01-01' + (g % 1500) from generate_series(1, {orders}) g",
    "create index bench_orders_cust on bench_orders (cust)",
    "analyze bench_customers",
    "analyze bench_orders",
]

# Query shapes of a web application's pages over orders and their customers (one client, prepared).
QUERY_SHAPES = [
    ("page through a join", "select o.id, o.total, c.name from bench_orders o left join bench_customers c "
     "on c.id = o.cust order by o.id desc limit 20"),
    ("top-N through a join", "select o.id, o.total, c.name from bench_orders o join bench_customers c "
     "on c.id = o.cust order by o.created desc, o.id limit 20 offset 5"),
    ("top-N", "select id, total from bench_orders order by created desc, id limit 20 offset 5"),
    ("index nested loop", "\\set cid random(1, {customers})\n"
     "select c.name, o.id, o.total from bench_customers c join bench_orders o on o.cust = c.id "
     "where c.id = :cid order by o.id"),
]


def make_once(made, server, statements, **values):
    """Runs `statements` (formatted with `values`) on `server` unless `made` names it already."""
    if server.name not in made:
        for statement in statements:
            psql(server, statement.format(**values))
        made.add(server.name)


class QueryShape(Workload):
    """One query shape of QUERY_SHAPES over `orders` orders of `orders // 10` customers (made
    once per server), run by pgbench with one client; queries per second and latency."""

    unit = "queries/s"
    made = set()

    def __init__(self, label, sql, orders, seconds):
        self.orders, self.seconds = orders, seconds
        self.customers = max(1, orders // 10)
        self.sql = sql.format(customers=self.customers)
        self.name = f"query {label}"

    def run(self, server, workdir):
        make_once(QueryShape.made, server, QUERY_TABLES, customers=self.customers, orders=self.orders)
        script = Path(workdir) / f"query-{abs(hash(self.name))}.sql"
        script.write_text(self.sql + "\n")
        command = pgbench_command(server, ["-n", "-M", "prepared", "-c", "1", "-T", str(self.seconds), "-f", str(script)])
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{server.name}: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
        return {"value": float(re.search(r"tps = ([0-9.]+)", result.stdout).group(1)),
                "latency_ms_avg": float(re.search(r"latency average = ([0-9.]+) ms", result.stdout).group(1)),
                "command": " ".join(command) + f"  # {self.sql}"}


JOB_TABLES = [
    "create table bench_jobs (id bigserial primary key, status text not null default 'queued', payload text)",
    "insert into bench_jobs (status, payload) select case when g <= {done} then 'done' else 'queued' end, "
    "'job ' || g from generate_series(1, {done} + {queued}) g",
    "create index bench_jobs_status on bench_jobs (status, id)",
    "analyze bench_jobs",
]

# A job queue's transactions (autocommit, prepared): enqueue a job, and take the oldest queued
# one that no other worker holds (the SKIP LOCKED idiom of Que, graphile-worker, pgmq), so the
# queue keeps its length while the table grows.
JOB_SCRIPT = """insert into bench_jobs (payload) values ('job');
update bench_jobs set status = 'done' where id = (select id from bench_jobs where status = 'queued'
  order by id for update skip locked limit 1) returning id;
"""


class JobQueue(Workload):
    """JOB_SCRIPT by `clients` pgbench clients over a queue of `queued` jobs behind `done` done
    ones (made once per server); transactions per second (an enqueue and a dequeue each) and
    latency percentiles."""

    made = set()

    def __init__(self, clients, queued, done, seconds):
        self.clients, self.queued, self.done, self.seconds = clients, queued, done, seconds
        self.name = f"job queue c{clients}"

    def run(self, server, workdir):
        make_once(JobQueue.made, server, JOB_TABLES, queued=self.queued, done=self.done)
        script = Path(workdir) / "job-queue.sql"
        script.write_text(JOB_SCRIPT)
        args = ["-n", "-M", "prepared", "-c", str(self.clients), "-j", str(pgbench_threads(self.clients)),
                "-T", str(self.seconds), "-f", str(script)]
        return run_pgbench(server, workdir, args)


def machine_facts():
    def read(cmd):
        return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": read("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "memory": read("free -h | awk '/Mem:/ {print $2}'"),
        "kernel": platform.release(),
        "disk": read(f"df -h {ROOT} | tail -1"),
        # Off a git checkout (bench/remote carries the tree without .git), pack.sh's commit.
        "git_commit": read(f"git -C {ROOT} rev-parse HEAD") or os.environ.get("KEEL_GIT_COMMIT", ""),
        "git_dirty": bool(read(f"git -C {ROOT} status --porcelain --untracked-files=no")),
        "pgbench": read("pgbench --version"),
        "rustc": read("rustc --version"),
    }


def svg_chart(summary, path):
    """A bar per workload: Keel/PostgreSQL ratio (higher is better), with the parity line."""
    rows = [(name, s["ratio"]) for name, s in summary.items() if s.get("ratio")]
    width, bar_height, left = 760, 22, 260
    top = 40
    height = top + len(rows) * (bar_height + 8) + 40
    max_ratio = max([2.0] + [r for _, r in rows])
    scale = (width - left - 60) / max_ratio
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             '<text x="10" y="22" font-size="15">Keel / PostgreSQL 15 (higher is better; same machine, same run)</text>']
    for i, (name, ratio) in enumerate(rows):
        y = top + i * (bar_height + 8)
        color = "#2a7ab9" if ratio >= 1 else "#d9822b"
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{ratio * scale:.1f}" height="{bar_height}" fill="{color}"/>')
        parts.append(f'<text x="{left + ratio * scale + 6:.1f}" y="{y + 15}">{ratio:.2f}x</text>')
    x1 = left + scale
    parts.append(f'<line x1="{x1:.1f}" y1="{top - 6}" x2="{x1:.1f}" y2="{height - 30}" stroke="black" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{x1:.1f}" y="{height - 14}" text-anchor="middle">1.0 = parity</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts))


def sub_benchmark(label, command):
    """Runs another of bench/'s scripts on its own servers, its output shown as it goes; the JSON
    it wrote (its last `wrote PATH` line), or None when it failed."""
    print(f"\n[{label}] {' '.join(command)}", flush=True)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    written = None
    for line in process.stdout:
        print(f"  {line}", end="", flush=True)
        match = re.match(r"wrote (\S+)", line)
        if match:
            written = Path(match.group(1))
    if process.wait() != 0 or written is None:
        print(f"[{label}] failed (exit status {process.returncode})", flush=True)
        return None
    result = json.loads(written.read_text())
    result["file"] = str(written.relative_to(ROOT) if written.is_relative_to(ROOT) else written)
    return result


def tpch_totals(tpch):
    """TPC-H's totals, and the queries slower on Keel than on PostgreSQL (lower ratio is better)."""
    slower = sorted(name for name, r in tpch["results"].items() if r.get("ratio") and r["ratio"] > 1.0)
    differ = sorted(name for name, r in tpch["results"].items() if r.get("verdict") not in (None, "same"))
    print(f"[tpch] SF{tpch['scale']}: Keel {tpch['total_keel_s']:.1f} s, PostgreSQL {tpch['total_postgres_s']:.1f} s, "
          f"Keel/PG {tpch['total_ratio']:.2f}x (target at most 0.5x); slower on Keel: {', '.join(slower) or 'none'}"
          + (f"; rows differ: {', '.join(differ)}" if differ else ""), flush=True)
    return {"file": tpch["file"], "scale": tpch["scale"], "total_keel_s": tpch["total_keel_s"],
            "total_postgres_s": tpch["total_postgres_s"], "total_ratio": tpch["total_ratio"],
            "slower_on_keel": slower, "rows_differ": differ,
            "ratios": {name: r.get("ratio") for name, r in tpch["results"].items()}}


def transaction_ratios(transactions):
    """Per workload of the transactions benchmark: median tps and aborts per second, and the ratio."""
    seconds = transactions["seconds"]
    out = {"file": transactions["file"], "hot_row_increments": transactions.get("hot_row_increments")}
    for name, runs in transactions["results"].items():
        if not runs["keel"] or not runs["postgres"]:
            continue
        entry = {}
        for side in ("postgres", "keel"):
            entry[f"{side}_tps"] = statistics.median(r["value"] for r in runs[side])
            entry[f"{side}_aborts_per_s"] = statistics.median(r.get("failed", 0) / seconds for r in runs[side])
        entry["ratio"] = entry["keel_tps"] / entry["postgres_tps"]
        out[name] = entry
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="under 2 minutes, for development")
    parser.add_argument("--full", action="store_true",
                        help="also pgbench at scale 100, TPC-H SF1 and the transactions benchmark")
    parser.add_argument("--tpch", default=None, metavar="SCALE",
                        help="also TPC-H at this scale factor (bench/tpch.py; --full: 1)")
    parser.add_argument("--transactions", action="store_true",
                        help="also tpcb-like and hot rows with aborts (bench/transactions.py; in --full)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--clients", default=None, help="pgbench client counts, comma-separated (default 1,8,32; --quick 8)")
    parser.add_argument("--cores", type=int, default=0, help="Keel workers (0: all cores)")
    parser.add_argument("--only", default=None, help="run only workloads whose name contains this")
    parser.add_argument("--keel", default=None, help="keel binary (default: cargo build --release first)")
    parser.add_argument("--buffer-pool-mb", type=int, default=1024,
                        help="Keel's storage.buffer_pool_bytes and PostgreSQL's shared_buffers (MiB)")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = args.seconds or (3 if args.quick else 20)
    scales = [2] if args.quick else ([10, 100] if args.full else [10])
    clients = [int(c) for c in args.clients.split(",")] if args.clients else ([8] if args.quick else [1, 8, 32])
    target = release_dir()
    binary = Path(args.keel) if args.keel else target / "keel"
    driver = (binary.parent if args.keel else target) / "keel-ycsb"
    if not args.keel:
        subprocess.run(["cargo", "build", "--release", "-p", "keel-server", "-p", "keel-ycsb", "-p", "keel-io"], cwd=ROOT, check=True)
    # Checked before anything starts: a missing driver found at the YCSB step loses the run so far.
    for needed in (binary, driver):
        if not needed.is_file():
            sys.exit(f"{needed} not found: build it (cargo build --release -p keel-server -p keel-ycsb) "
                     "or pass --keel the keel binary of a release directory that has keel-ycsb beside it")

    per_scale = {scale: [Pgbench(kind, scale, c, seconds) for kind in ("select-only", "tpcb-like") for c in clients] for scale in scales}
    records = 10_000 if args.quick else 100_000
    others = [Ycsb(driver, w, records, 8, seconds) for w in ("a", "b", "c")]
    others += [ConnectionStorm(8, seconds), Copy(100_000 if args.quick else 1_000_000)]
    others += [QueryShape(label, sql, 100_000 if args.quick else 500_000, seconds) for label, sql in QUERY_SHAPES]
    others += [JobQueue(8, 10_000, 20_000 if args.quick else 100_000, seconds)]
    if args.only:
        per_scale = {s: [w for w in ws if args.only in w.name] for s, ws in per_scale.items()}
        others = [w for w in others if args.only in w.name]
    workloads = [w for ws in per_scale.values() for w in ws] + others
    total_runs = len(workloads) * 2 * rounds
    estimate = sum(seconds if not isinstance(w, Copy) else 5 for w in workloads) * 2 * rounds

    fleet = Fleet("keel-bench-")
    workdir, servers = fleet.workdir, fleet.servers
    results = {w.name: {"postgres": [], "keel": []} for w in workloads}
    started = time.time()
    done = 0
    init_seconds = {}
    versions = {}
    try:
        pool = args.buffer_pool_mb
        servers.extend([Postgres(parent=workdir, extra_options=f"-c shared_buffers={pool}MB"),
                        Keel(Path(workdir) / "keel-data", binary=binary, cores=args.cores or None,
                             extra=["--set", f"storage.buffer_pool_bytes={pool << 20}"]).start()])
        versions.update({server.name: server.version for server in servers})
        versions["keel_command"] = " ".join(servers[1].command)
        for scale, scale_workloads in per_scale.items():
            # The workloads beside pgbench run after the last scale's (the connection storm
            # reads its tables); --only may leave either list empty.
            scale_workloads = scale_workloads + (others if scale == scales[-1] else [])
            if not scale_workloads:
                continue
            for server in servers:
                print(f"[init] pgbench -i -s {scale} on {server.name}", flush=True)
                t0 = time.time()
                subprocess.run(pgbench_command(server, ["-i", "-q", "-s", str(scale)]), check=True, capture_output=True)
                init_seconds[f"{server.name} s{scale}"] = time.time() - t0
            for workload in scale_workloads:
                for round_number in range(rounds):
                    order = servers if (round_number + done) % 2 == 0 else list(reversed(servers))
                    for server in order:
                        left = max(0, estimate - (time.time() - started))
                        print(f"[{done + 1}/{total_runs}] {workload.name} on {server.name}, round {round_number + 1}/{rounds} (about {left:.0f} s left)", flush=True)
                        results[workload.name][server.name].append(workload.run(server, workdir))
                        done += 1
    finally:
        fleet.close()

    summary = {}
    print()
    header = f"{'workload':<30} {'unit':<14} {'PostgreSQL median [min-max]':>30} {'Keel median [min-max]':>30} {'Keel/PG':>8}"
    print(header)
    print("-" * len(header))
    for workload in workloads:
        pg = [r["value"] for r in results[workload.name]["postgres"]]
        keel = [r["value"] for r in results[workload.name]["keel"]]
        if not pg or not keel:
            continue
        ratio = statistics.median(keel) / statistics.median(pg)
        entry = {"unit": workload.unit, "postgres_median": statistics.median(pg), "keel_median": statistics.median(keel), "ratio": ratio,
                 "postgres_min": min(pg), "postgres_max": max(pg), "keel_min": min(keel), "keel_max": max(keel)}
        for key in ("p50_ms", "p99_ms", "p999_ms"):
            for system in ("postgres", "keel"):
                values = [r[key] for r in results[workload.name][system] if r.get(key) is not None]
                if values:
                    entry[f"{system}_{key}"] = statistics.median(values)
        summary[workload.name] = entry
        print(f"{workload.name:<30} {workload.unit:<14} {f'{statistics.median(pg):.0f} [{min(pg):.0f}-{max(pg):.0f}]':>30} "
              f"{f'{statistics.median(keel):.0f} [{min(keel):.0f}-{max(keel):.0f}]':>30} {ratio:>8.2f}")
    latency_rows = [(n, s) for n, s in summary.items() if "keel_p99_ms" in s]
    if latency_rows:
        print()
        print(f"{'latency (ms)':<30} {'PG p50':>8} {'PG p99':>8} {'PG p99.9':>9} {'Keel p50':>9} {'Keel p99':>9} {'Keel p99.9':>11}")
        for name, s in latency_rows:
            print(f"{name:<30} {s['postgres_p50_ms']:>8.3f} {s['postgres_p99_ms']:>8.3f} {s['postgres_p999_ms']:>9.3f} "
                  f"{s['keel_p50_ms']:>9.3f} {s['keel_p99_ms']:>9.3f} {s['keel_p999_ms']:>11.3f}")
    io_summary = None
    if not args.only or args.only in "io fio":
        # Raw IO: keel-io's uring backend against fio, in the same run (its own script, its own table).
        command = [sys.executable, str(ROOT / "bench" / "io_vs_fio.py"), "--binary", str(binary.parent / "keel-iobench")] + (["--quick"] if args.quick else [])
        print(f"\n[io] {' '.join(command)}", flush=True)
        io_run = subprocess.run(command, capture_output=True, text=True)
        print(io_run.stdout[io_run.stdout.find("\ncase"):] if "\ncase" in io_run.stdout else io_run.stdout + io_run.stderr)
        match = re.search(r"result: (\S+)", io_run.stdout)
        if io_run.returncode == 0 and match:
            io_summary = json.loads((ROOT / match.group(1)).read_text())["summary"]
    tpch_summary = transactions_summary = None
    tpch_scale = args.tpch or ("1" if args.full else None)
    if tpch_scale and (not args.only or args.only in "tpch"):
        if shutil.which("tpchgen-cli") is None:
            print("\n[tpch] skipped: tpchgen-cli is not installed (cargo install --locked tpchgen-cli --version 4.0.0)")
        else:
            tpch = sub_benchmark("tpch", [sys.executable, str(ROOT / "bench" / "tpch.py"), "--scale", tpch_scale,
                                          "--rounds", str(rounds), "--timeout", "120" if args.full else "30",
                                          "--keel", str(binary)])
            tpch_summary = tpch and tpch_totals(tpch)
    if (args.transactions or args.full) and (not args.only or args.only in "transactions"):
        command = [sys.executable, str(ROOT / "bench" / "transactions.py"), "--scales", ",".join(map(str, scales)),
                   "--clients", "8,32", "--seconds", str(seconds), "--rounds", str(rounds), "--keel", str(binary)]
        transactions = sub_benchmark("transactions", command)
        transactions_summary = transactions and transaction_ratios(transactions)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    json_path = RESULTS / f"suite-{stamp}.json"
    json_path.write_text(json.dumps({
        "command": " ".join(["python3", "bench/suite.py"] + sys.argv[1:]),
        "arguments": vars(args),
        "machine": machine_facts(),
        "versions": versions,
        "init_seconds": init_seconds,
        "summary": summary,
        "io_vs_fio": io_summary,
        "tpch": tpch_summary,
        "transactions": transactions_summary,
        "runs": results,
        "elapsed_s": time.time() - started,
    }, indent=2))
    svg_path = RESULTS / f"suite-{stamp}.svg"
    svg_chart(summary, svg_path)
    print(f"\nresults: {json_path.relative_to(ROOT)}, chart: {svg_path.relative_to(ROOT)} ({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
