"""pgbench against Keel: initialisation, select-only and TPC-B-like runs, and the TPC-B invariants
sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta) of pgbench_history."""

import re
import subprocess


def pgbench(node, *args, timeout=300):
    result = subprocess.run(
        ["pgbench", "-h", "127.0.0.1", "-p", str(node.port), "-U", "postgres", *args, "keel"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout
    return result.stdout


def scalar(node, sql):
    out = subprocess.run(node.psql_args() + ["-At", "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    return out.stdout.strip()


def sums(node):
    return (
        scalar(node, "select sum(abalance) from pgbench_accounts"),
        scalar(node, "select sum(tbalance) from pgbench_tellers"),
        scalar(node, "select sum(bbalance) from pgbench_branches"),
        scalar(node, "select sum(delta) from pgbench_history"),
    )


def tps(output):
    match = re.search(r"tps = ([0-9.]+)", output)
    assert match, output
    return float(match.group(1))


def test_pgbench_init_select_only_tpcb_and_invariants(keel):
    pgbench(keel, "-i", "-s", "2")
    assert scalar(keel, "select count(*) from pgbench_accounts") == "200000"
    assert scalar(keel, "select count(*) from pgbench_branches") == "2"
    out = pgbench(keel, "-S", "-M", "prepared", "-c", "8", "-j", "2", "-T", "5")
    assert "number of failed transactions: 0" in out
    assert tps(out) > 0
    out = pgbench(keel, "-M", "prepared", "-c", "8", "-j", "2", "-T", "5")
    assert "number of failed transactions: 0" in out
    total = sums(keel)
    assert len(set(total)) == 1, total
    history = int(scalar(keel, "select count(*) from pgbench_history"))
    assert history > 0
    # pgbench truncates the history before each run: keep it (-n) so the invariants span both runs.
    out = pgbench(keel, "-n", "-c", "16", "-j", "2", "-t", "200")
    assert "number of failed transactions: 0" in out
    total = sums(keel)
    assert len(set(total)) == 1, total
    assert int(scalar(keel, "select count(*) from pgbench_history")) == history + 16 * 200


def test_pgbench_survives_restart(keel):
    pgbench(keel, "-i", "-s", "1")
    pgbench(keel, "-n", "-M", "prepared", "-c", "4", "-t", "250")
    before = sums(keel)
    keel.kill()
    keel.start()
    assert sums(keel) == before
    assert len(set(before)) == 1
    assert scalar(keel, "select count(*) from pgbench_history") == "1000"


def test_every_builtin_script_in_every_protocol_mode(keel):
    # Server-side data generation and foreign keys (-I ...f), as `pgbench -i -I dtGvpf` runs them.
    out = pgbench(keel, "-i", "-s", "1", "-I", "dtGvpf")
    assert "server-side generate" in out and "foreign keys" in out
    assert scalar(keel, "select count(*) from pgbench_accounts") == "100000"
    updates = 0
    for mode in ("simple", "extended", "prepared"):
        for script in ("tpcb-like", "simple-update", "select-only"):
            out = pgbench(keel, "-n", "-b", script, "-M", mode, "-c", "4", "-j", "2", "-t", "50")
            assert "number of failed transactions: 0" in out, out
            assert "number of transactions actually processed: 200/200" in out, out
            if script != "select-only":
                updates += 200
    # Both writing scripts keep the account and history sums equal; tpcb-like keeps all four.
    assert scalar(keel, "select count(*) from pgbench_history") == str(updates)
    assert scalar(keel, "select sum(abalance) from pgbench_accounts") == scalar(
        keel, "select sum(delta) from pgbench_history")
