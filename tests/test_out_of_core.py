"""Tables larger than the buffer pool, in both miss modes (explicit reads, userfaultfd): pgbench data about ten times storage.buffer_pool_bytes, so pages
are evicted to the workers' data files and read back all the time. Full-table aggregates match
PostgreSQL's over the same pgbench data, the TPC-B invariants hold after a run, and after a SIGKILL
and restart (recovery opens the last checkpoint and replays the log after it through the same small
pool). Checkpoints run every half second throughout."""

import subprocess

import pytest

from test_pgbench import pgbench, scalar, sums

POOL = 4 << 20  # 4 MiB for the whole node, against about 30 MB of pgbench data at scale 2

AGGREGATES = [
    "select count(*), sum(aid), sum(bid), sum(abalance), min(aid), max(aid) from pgbench_accounts",
    "select count(*), sum(bid) from pgbench_branches",
    "select count(*), sum(tid), sum(bid) from pgbench_tellers",
    "select bid, count(*), sum(aid) from pgbench_accounts group by bid order by bid",
]


def psql_rows(args, sql):
    out = subprocess.run(args + ["-At", "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.parametrize("mode", ["explicit", "userfault"])
def test_pgbench_out_of_core_matches_postgres_and_survives_a_crash(keel_factory, postgres, mode):
    # Checkpoints every half second: copy-on-write under eviction pressure, in both miss modes.
    node = keel_factory(extra=["--set", f"storage.buffer_pool_bytes={POOL}", "--set", f"storage.buffer_mode={mode}",
                               "--set", "storage.checkpoint_interval_s=0.5"]).start()
    pgbench(node, "-i", "-s", "2", "-q")
    subprocess.run(postgres.psql_args("postgres") + ["-q", "-c", "create database ooc"], check=True)
    try:
        subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "-i", "-s", "2", "-q", "ooc"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for sql in AGGREGATES:
            assert psql_rows(node.psql_args(), sql) == psql_rows(postgres.psql_args("ooc"), sql), sql
    finally:
        subprocess.run(postgres.psql_args("postgres") + ["-q", "-c", "drop database ooc"], check=True)
    # Pages reach the data files only when evicted: several pools' worth must have been (the
    # files' length says less, their blocks being allocated ahead of the writes).
    spilled = int(scalar(node, "select buffers_backend from pg_stat_bgwriter")) * 4096
    assert spilled > 4 * POOL, spilled
    out = pgbench(node, "-n", "-M", "prepared", "-c", "4", "-j", "2", "-T", "5")
    assert "number of failed transactions: 0" in out
    before = sums(node)
    assert len(set(before)) == 1, before
    accounts = scalar(node, "select count(*), sum(aid) from pgbench_accounts")
    assert "checkpoint" in node.log() and "done" in node.log(), node.log()[-2000:]
    node.kill()
    node.start()
    assert sums(node) == before
    assert scalar(node, "select count(*), sum(aid) from pgbench_accounts") == accounts
    out = pgbench(node, "-n", "-M", "prepared", "-c", "4", "-j", "2", "-t", "200")
    assert "number of failed transactions: 0" in out
    after = sums(node)
    assert len(set(after)) == 1, after
