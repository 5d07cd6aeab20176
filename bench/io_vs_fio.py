#!/usr/bin/env python3
"""keel-io's io_uring backend against fio on the same file, in one run, alternating, with ratios.

    python3 bench/io_vs_fio.py            # 1 GiB file, 3 rounds x 10 s per case
    python3 bench/io_vs_fio.py --quick    # 256 MiB, 1 round x 2 s

Cases (both tools: O_DIRECT, io_uring, one thread, the same file and sizes):
  4 KiB random reads at queue depth 1, 32 and 128; 128 KiB sequential writes at queue depth 32.
Reports IOPS (and MB/s) medians with min and max, the Keel/fio ratio, and CPU seconds per million
IOs for each (from the child process's rusage). JSON goes to bench/results/io-<time>.json.
Needs fio (Debian package `fio`).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from servers import release_dir  # noqa: E402


def run_measured(command):
    """Runs a command; returns (stdout, CPU seconds of the child)."""
    started = time.time()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out = process.stdout.read()
    err = process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed after {time.time() - started:.1f} s:\n{out}\n{err}")
    return out, usage.ru_utime + usage.ru_stime


def fio(path, size, rw, bs, qd, seconds):
    command = ["fio", "--name=bench", f"--filename={path}", f"--size={size}", f"--rw={rw}", f"--bs={bs}", f"--iodepth={qd}",
               "--ioengine=io_uring", "--direct=1", "--numjobs=1", "--time_based", f"--runtime={seconds}", "--norandommap",
               "--randrepeat=0", "--group_reporting", "--output-format=json"]
    out, cpu = run_measured(command)
    job = json.loads(out)["jobs"][0]
    side = job["read"] if rw == "randread" else job["write"]
    ops = side["total_ios"]
    return {"iops": side["iops"], "mb_per_s": side["bw_bytes"] / 1e6, "cpu_per_million_ios": cpu / max(ops, 1) * 1e6, "command": " ".join(command)}


def keel(binary, path, size, rw, bs, qd, seconds):
    mode = "randread" if rw == "randread" else "seqwrite"
    command = [str(binary), "--file", str(path), "--size", str(size), "--mode", mode, "--bs", str(bs), "--qd", str(qd), "--seconds", str(seconds)]
    out, cpu = run_measured(command)
    result = json.loads(out.strip().splitlines()[-1])
    return {"iops": result["iops"], "mb_per_s": result["mb_per_s"], "cpu_per_million_ios": cpu / max(result["ops"], 1) * 1e6, "command": " ".join(command)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--dir", default=str(ROOT), help="directory for the test file (on the disk to measure)")
    parser.add_argument("--binary", default=None, help="keel-iobench binary (default: cargo build --release first)")
    args = parser.parse_args()
    if shutil.which("fio") is None:
        sys.exit("fio is not installed: apt-get install fio")
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = args.seconds or (2 if args.quick else 10)
    size = (256 if args.quick else 1024) << 20
    binary = Path(args.binary) if args.binary else release_dir() / "keel-iobench"
    if not args.binary:
        subprocess.run(["cargo", "build", "--release", "-p", "keel-io", "--bin", "keel-iobench"], cwd=ROOT, check=True)
    cases = [("randread", 4096, 1), ("randread", 4096, 32), ("randread", 4096, 128), ("write", 131072, 32)]
    workdir = Path(tempfile.mkdtemp(prefix="keel-iobench-", dir=args.dir))
    path = workdir / "data"
    results = {}
    try:
        print(f"[prep] writing {size >> 20} MiB test file {path}", flush=True)
        subprocess.run(["fio", "--name=prep", f"--filename={path}", f"--size={size}", "--rw=write", "--bs=1M", "--direct=1",
                        "--ioengine=io_uring", "--output-format=terse"], check=True, stdout=subprocess.DEVNULL)
        for rw, bs, qd in cases:
            name = f"{'4k randread' if rw == 'randread' else '128k seqwrite'} qd{qd}"
            results[name] = {"fio": [], "keel": []}
            for round_number in range(rounds):
                order = ["fio", "keel"] if round_number % 2 == 0 else ["keel", "fio"]
                for tool in order:
                    print(f"[{name}] round {round_number + 1}/{rounds}: {tool}", flush=True)
                    run = fio(path, size, rw, bs, qd, seconds) if tool == "fio" else keel(binary, path, size, rw, bs, qd, seconds)
                    results[name][tool].append(run)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    header = f"{'case':<20} {'fio IOPS [min-max]':>26} {'Keel IOPS [min-max]':>26} {'Keel/fio':>9} {'fio MB/s':>9} {'Keel MB/s':>10} {'CPU s/M IOs fio':>16} {'Keel':>6}"
    print(header)
    print("-" * len(header))
    summary = {}
    for name, runs in results.items():
        fio_iops = [r["iops"] for r in runs["fio"]]
        keel_iops = [r["iops"] for r in runs["keel"]]
        entry = {
            "fio_iops": statistics.median(fio_iops),
            "keel_iops": statistics.median(keel_iops),
            "ratio": statistics.median(keel_iops) / statistics.median(fio_iops),
            "fio_mb_per_s": statistics.median(r["mb_per_s"] for r in runs["fio"]),
            "keel_mb_per_s": statistics.median(r["mb_per_s"] for r in runs["keel"]),
            "fio_cpu_per_million_ios": statistics.median(r["cpu_per_million_ios"] for r in runs["fio"]),
            "keel_cpu_per_million_ios": statistics.median(r["cpu_per_million_ios"] for r in runs["keel"]),
        }
        summary[name] = entry
        fio_text = f"{entry['fio_iops']:.0f} [{min(fio_iops):.0f}-{max(fio_iops):.0f}]"
        keel_text = f"{entry['keel_iops']:.0f} [{min(keel_iops):.0f}-{max(keel_iops):.0f}]"
        print(f"{name:<20} {fio_text:>26} {keel_text:>26} {entry['ratio']:>9.2f} {entry['fio_mb_per_s']:>9.0f} "
              f"{entry['keel_mb_per_s']:>10.0f} {entry['fio_cpu_per_million_ios']:>16.1f} {entry['keel_cpu_per_million_ios']:>6.1f}")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = out_dir / f"io-{stamp}.json"
    out.write_text(json.dumps({
        "command": " ".join(["python3", "bench/io_vs_fio.py"] + sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "fio": subprocess.run(["fio", "--version"], capture_output=True, text=True).stdout.strip(),
                    "disk": subprocess.run(f"df -h {args.dir} | tail -1", shell=True, capture_output=True, text=True).stdout.strip(),
                    "git_commit": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()},
        "summary": summary,
        "runs": results,
    }, indent=2))
    print(f"\nresult: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
