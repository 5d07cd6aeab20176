#!/usr/bin/env python3
"""TPC-H, Keel against PostgreSQL 15 in one run: the 22 queries, time per query and in total.

    python3 bench/tpch.py                  # SF1, 3 rounds
    python3 bench/tpch.py --scale 0.1 --rounds 1   # a quicker look
    python3 bench/tpch.py --queries 1,6,14         # some of the queries

Data comes from `tpchgen-cli` (crates.io; tests/run.sh installs it) and is loaded into both
servers with `\\copy ... (FORMAT csv, HEADER)`; both then run ANALYZE. Keel reads its data
files with O_DIRECT, so its buffer pool is what it caches: it gets `--pool-gib` (default a third
of the machine's memory, at most 8 GiB), where PostgreSQL caches through its 128 MB of shared
buffers and the kernel's page cache. Each query runs `--rounds` times on each server, the order alternating; the
result rows of both are compared (a query whose rows differ is reported, and its time still
counts). A query that runs past `--timeout` seconds is stopped and counted at the timeout.

Prints the median time per query on both, the Keel/PostgreSQL ratio (lower is better here), and
the totals; writes JSON and an SVG chart under bench/results/. The SQL issue's target: Keel's
total at most 0.5x PostgreSQL's, no query slower.
"""

import argparse
import datetime
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

from servers import Fleet, Keel, Postgres, release_dir  # noqa: E402
from suite import RESULTS, machine_facts, psql  # noqa: E402

TPCH = ROOT / "bench" / "tpch"
TABLES = ["region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem"]


def dsn(server):
    return f"host=127.0.0.1 port={server.port} user=postgres dbname=keel"


def load(server, data):
    subprocess.run(server.psql_args() + ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(TPCH / "schema.sql")],
                   check=True, capture_output=True)
    started = time.time()
    for table in TABLES:
        subprocess.run(server.psql_args() + ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                                             f"\\copy {table} from '{data / (table + '.csv')}' with (format csv, header)"],
                       check=True, capture_output=True)
    return time.time() - started


def memory_gib():
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1 << 20)
    return 3.0


def run_query(server, sql, timeout):
    """Seconds the query took and its rows (None when it ran past the timeout or failed)."""
    with psycopg.connect(dsn(server), autocommit=True) as conn:
        conn.execute(f"set statement_timeout = {int(timeout * 1000)}")
        started = time.perf_counter()
        try:
            rows = conn.execute(sql).fetchall()
        except psycopg.Error as error:
            return time.perf_counter() - started, None, str(error).strip()
        return time.perf_counter() - started, rows, None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="1")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", default="", help="comma-separated query numbers (default: all 22)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per query run")
    parser.add_argument("--keel", default=None, help="keel binary (default: cargo build --release first)")
    parser.add_argument("--pool-gib", type=float, default=None,
                        help="Keel's buffer pool (default: a third of the memory, at most 8 GiB)")
    args = parser.parse_args()
    generator = shutil.which("tpchgen-cli")
    if not generator:
        sys.exit("tpchgen-cli is missing: cargo install --locked tpchgen-cli --version 4.0.0")
    queries = sorted((TPCH / "queries").glob("q*.sql"))
    if args.queries:
        wanted = {int(q) for q in args.queries.split(",")}
        queries = [q for q in queries if int(q.stem[1:]) in wanted]
    binary = Path(args.keel) if args.keel else release_dir() / "keel"
    if not args.keel:
        subprocess.run(["cargo", "build", "--release", "-p", "keel-server"], cwd=ROOT, check=True)
    fleet = Fleet("keel-tpch-")
    workdir, servers = Path(fleet.workdir), fleet.servers
    started = time.time()
    results, loads = {}, {}
    try:
        data = workdir / "data"
        print(f"[gen] tpchgen-cli csv -s {args.scale}", flush=True)
        subprocess.run([generator, "csv", "-s", args.scale, f"--output-dir={data}"], check=True, capture_output=True)
        data.chmod(0o755)
        servers.append(Postgres(parent=str(workdir)))
        pool = int((args.pool_gib or min(8.0, memory_gib() / 3)) * (1 << 30))
        servers.append(Keel(workdir / "keel-data", binary=binary,
                            extra=["--set", f"storage.buffer_pool_bytes={pool}"]).start())
        for server in servers:
            print(f"[load] {server.name}", flush=True)
            loads[server.name] = round(load(server, data), 1)
        for server in servers:
            started_analyze = time.time()
            psql(server, "ANALYZE")
            loads[server.name + "_analyze"] = round(time.time() - started_analyze, 1)
        for query in queries:
            sql = query.read_text()
            runs = {server.name: [] for server in servers}
            rows, failed = {}, set()
            for round_number in range(args.rounds):
                order = servers if round_number % 2 == 0 else list(reversed(servers))
                for server in order:
                    elapsed = time.time() - started
                    print(f"[{query.stem}] {server.name}, round {round_number + 1}/{args.rounds} ({elapsed:.0f} s so far)", flush=True)
                    seconds, result, error = run_query(server, sql, args.timeout)
                    runs[server.name].append(min(seconds, args.timeout) if error is None else args.timeout)
                    if error:
                        failed.add(server.name)
                        print(f"    {server.name}: {error}", flush=True)
                    rows[server.name] = result
            keel, postgres = (statistics.median(runs[name]) for name in ("keel", "postgres"))
            same = rows.get("keel") is not None and rows.get("keel") == rows.get("postgres")
            verdict = "same" if same else ("failed: " + ", ".join(sorted(failed)) if failed else "DIFFER")
            results[query.stem] = {"keel_s": runs["keel"], "postgres_s": runs["postgres"],
                                   "keel_median_s": keel, "postgres_median_s": postgres,
                                   "ratio": keel / postgres if postgres else None, "same_rows": same,
                                   "failed": sorted(failed), "verdict": verdict}
            print(f"== {query.stem}: keel {keel * 1000:.0f} ms, postgres {postgres * 1000:.0f} ms, "
                  f"ratio {keel / postgres:.2f}x  rows {verdict}", flush=True)
    finally:
        fleet.close()
    total_keel = sum(r["keel_median_s"] for r in results.values())
    total_pg = sum(r["postgres_median_s"] for r in results.values())
    print(f"\n{'query':<6} {'keel ms':>10} {'postgres ms':>12} {'ratio':>7}  rows")
    for name, r in results.items():
        print(f"{name:<6} {r['keel_median_s'] * 1000:>10.0f} {r['postgres_median_s'] * 1000:>12.0f} "
              f"{r['ratio']:>6.2f}x  {r['verdict']}")
    print(f"{'total':<6} {total_keel * 1000:>10.0f} {total_pg * 1000:>12.0f} {total_keel / total_pg:>6.2f}x")
    print(f"load (s): {loads}")
    summary = {
        "benchmark": "tpch",
        "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "machine": machine_facts(),
        "scale": args.scale,
        "rounds": args.rounds,
        "timeout_s": args.timeout,
        "load_s": loads,
        "results": results,
        "total_keel_s": total_keel,
        "total_postgres_s": total_pg,
        "total_ratio": total_keel / total_pg if total_pg else None,
        "wall_s": round(time.time() - started, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"tpch-{summary['when']}.json"
    path.write_text(json.dumps(summary, indent=2))
    write_chart(results, RESULTS / f"tpch-{summary['when']}.svg")
    print(f"\nwrote {path} ({summary['wall_s']} s)")


def write_chart(results, path):
    """A bar per query: Keel time / PostgreSQL time (lower is better), with the parity line."""
    rows = [(name, r["ratio"]) for name, r in results.items() if r.get("ratio")]
    width, bar_height, left, top = 760, 18, 80, 40
    height = top + len(rows) * (bar_height + 6) + 40
    max_ratio = max([2.0] + [min(r, 50.0) for _, r in rows])
    scale = (width - left - 80) / max_ratio
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             '<text x="10" y="22" font-size="15">TPC-H: Keel time / PostgreSQL 15 time (lower is better)</text>']
    for i, (name, ratio) in enumerate(rows):
        y = top + i * (bar_height + 6)
        color = "#2a7ab9" if ratio <= 1 else "#d9822b"
        shown = min(ratio, 50.0)
        parts.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{shown * scale:.1f}" height="{bar_height}" fill="{color}"/>')
        parts.append(f'<text x="{left + shown * scale + 6:.1f}" y="{y + 13}">{ratio:.2f}x</text>')
    x1 = left + scale
    parts.append(f'<line x1="{x1:.1f}" y1="{top - 6}" x2="{x1:.1f}" y2="{height - 30}" stroke="black" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{x1:.1f}" y="{height - 14}" text-anchor="middle">1.0 = parity</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts))


if __name__ == "__main__":
    main()
