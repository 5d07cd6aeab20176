#!/usr/bin/env python3
"""pgbench against Keel and a fresh PostgreSQL 15 in one run, alternating, with ratios.

    python3 bench/pgbench_vs_postgres.py              # scale 10, 8 clients, 3 rounds of 20 s
    python3 bench/pgbench_vs_postgres.py --quick      # scale 2, 2 rounds of 5 s (about a minute)

Both servers run on this machine, loopback only, with equal durability: PostgreSQL with fsync and
synchronous_commit on; Keel acknowledges a commit only after its WAL record is durable. Each round
runs every workload on both systems, the order alternating between rounds. The table shows medians
with min and max and the Keel/PostgreSQL ratio; a JSON result with machine facts and the exact
commands goes to bench/results/.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open")


class PostgresServer:
    name = "postgres"

    def __init__(self, workdir):
        self.dir = Path(workdir) / "pg"
        self.dir.mkdir()
        self.port = free_port()
        self.run_as = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        env = dict(os.environ, LC_ALL="C")
        subprocess.run(self.run_as + [str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
                   "-c fsync=on -c synchronous_commit=on -c max_connections=200")
        subprocess.run(self.run_as + [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-o", options, "-w", "start"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "postgres", "-c", "create database keel"], check=True)
        self.version = subprocess.run([str(PG_BIN / "postgres"), "--version"], capture_output=True, text=True).stdout.strip()

    def stop(self):
        subprocess.run(self.run_as + [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)


class KeelServer:
    name = "keel"

    def __init__(self, workdir, binary, cores):
        self.port = free_port()
        self.data = Path(workdir) / "keel-data"
        args = [str(binary), "serve", "--data-dir", str(self.data), "--listen", f"127.0.0.1:{self.port}"]
        if cores:
            args += ["--cores", str(cores)]
        self.log = open(Path(workdir) / "keel.log", "wb")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port)
        self.version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def pgbench_command(server, args):
    return ["pgbench", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", *args, "keel"]


def run_pgbench(server, args):
    command = pgbench_command(server, args)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{server.name}: {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    out = result.stdout
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([0-9.]+) ms", out).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out)
    return {"tps": tps, "latency_ms": latency, "failed": int(failed.group(1)) if failed else 0, "command": " ".join(command)}


def machine_facts():
    def read(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip()
        except OSError:
            return ""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": read("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
        "memory": read("free -h | awk '/Mem:/ {print $2}'"),
        "kernel": platform.release(),
        "disk": read(f"df -h {ROOT} | tail -1"),
        "git_commit": read(f"git -C {ROOT} rev-parse HEAD"),
        "pgbench": read("pgbench --version"),
        "rustc": read("rustc --version"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="scale 2, 2 rounds of 5 s")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cores", type=int, default=0, help="Keel workers (0: all cores)")
    parser.add_argument("--keel", default=None, help="keel binary (default: target/release/keel, built if missing)")
    args = parser.parse_args()
    if args.quick:
        args.scale, args.seconds, args.rounds = 2, 5, 2
    binary = Path(args.keel) if args.keel else Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "keel"
    if not args.keel:
        subprocess.run(["cargo", "build", "--release", "-p", "keel-server"], cwd=ROOT, check=True)

    workloads = [
        ("select-only", ["-S", "-M", "prepared"]),
        ("tpcb-like", ["-M", "prepared"]),
    ]
    workdir = tempfile.mkdtemp(prefix="keel-bench-")
    os.chmod(workdir, 0o755)  # PostgreSQL runs as its own user under it
    servers = []

    def stop_all(*_):
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(1)))
    results = {name: {"postgres": [], "keel": []} for name, _ in workloads}
    started = time.time()
    try:
        pg = PostgresServer(workdir)
        servers.append(pg)
        keel = KeelServer(workdir, binary, args.cores)
        servers.append(keel)
        for server in servers:
            print(f"[init] {server.name}: pgbench -i -s {args.scale}", flush=True)
            t0 = time.time()
            subprocess.run(pgbench_command(server, ["-i", "-q", "-s", str(args.scale)]), check=True, capture_output=True)
            print(f"[init] {server.name}: {time.time() - t0:.1f} s", flush=True)
        total_runs = args.rounds * len(workloads) * 2
        done = 0
        for round_number in range(args.rounds):
            order = servers if round_number % 2 == 0 else list(reversed(servers))
            for name, flags in workloads:
                for server in order:
                    left = (total_runs - done) * args.seconds
                    print(f"[round {round_number + 1}/{args.rounds}] {name} on {server.name} (about {left} s left)", flush=True)
                    run = run_pgbench(server, flags + ["-c", str(args.clients), "-j", "2", "-T", str(args.seconds)])
                    results[name][server.name].append(run)
                    done += 1
    finally:
        stop_all()

    print()
    print(f"pgbench scale {args.scale}, {args.clients} clients, -M prepared, {args.rounds} rounds x {args.seconds} s, equal durability")
    header = f"{'workload':<12} {'PostgreSQL tps median [min-max]':>34} {'Keel tps median [min-max]':>34} {'Keel/PG':>8} {'lat PG ms':>10} {'lat Keel ms':>12}"
    print(header)
    print("-" * len(header))
    summary = {}
    for name, _ in workloads:
        pg_runs, keel_runs = results[name]["postgres"], results[name]["keel"]
        pg_tps = [r["tps"] for r in pg_runs]
        keel_tps = [r["tps"] for r in keel_runs]
        ratio = statistics.median(keel_tps) / statistics.median(pg_tps)
        summary[name] = {
            "postgres_tps_median": statistics.median(pg_tps),
            "keel_tps_median": statistics.median(keel_tps),
            "ratio": ratio,
            "postgres_latency_ms_median": statistics.median(r["latency_ms"] for r in pg_runs),
            "keel_latency_ms_median": statistics.median(r["latency_ms"] for r in keel_runs),
        }
        print(f"{name:<12} {statistics.median(pg_tps):>12.0f} [{min(pg_tps):.0f}-{max(pg_tps):.0f}]".ljust(47)
              + f"{statistics.median(keel_tps):>12.0f} [{min(keel_tps):.0f}-{max(keel_tps):.0f}]".ljust(34)
              + f"{ratio:>8.2f} {summary[name]['postgres_latency_ms_median']:>10.3f} {summary[name]['keel_latency_ms_median']:>12.3f}")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"pgbench-{stamp}.json"
    path.write_text(json.dumps({
        "benchmark": "pgbench_vs_postgres",
        "arguments": vars(args),
        "machine": machine_facts(),
        "versions": {s.name: s.version for s in servers},
        "summary": summary,
        "runs": results,
        "elapsed_s": time.time() - started,
        "command": " ".join(sys.argv),
    }, indent=2))
    print(f"\nresult: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
