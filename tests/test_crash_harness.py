"""The crash harness: under write load (pgbench tpcb-like, a client committing numbered rows, and a
client committing multi-worker transfers), the node is SIGKILLed at a random moment, 50 times in a
row, and restarted each time. After every restart: every acknowledged numbered row and transfer is
present, the TPC-B invariants hold (accounts, tellers, branches and history moved by the same
deltas), each transfer's three rows (two ledger rows and the transfer record, on different workers)
are all there or all gone, and the log shows no checksum or corruption error. The buffer pool is
small, so pages are being evicted and read back when the kill comes.

The random moments come from one seed, printed on failure (KEEL_CRASH_SEED reproduces a run)."""

import os
import random
import shutil
import subprocess
import threading
import time

import psycopg

from test_pgbench import pgbench, sums

ROUNDS = 50


def numbered_writer(dsn, start, acked, stop):
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            n = start
            while not stop.is_set():
                conn.execute("insert into numbered values (%s, %s)", (n, "x" * 200))
                acked.append(n)
                n += 1
    except psycopg.Error:
        pass


LEDGER = 16


def transfer_writer(dsn, start, seed, acked, stop):
    """Transfers between ledger rows, each recorded in `transfers`: three rows that hash to
    different vshards, so most transactions commit across workers."""
    rng = random.Random(seed)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            n = start
            while not stop.is_set():
                a, b = rng.sample(range(LEDGER), 2)
                amount = rng.randint(1, 100)
                with conn.transaction():
                    conn.execute("update ledger set balance = balance - %s, sent = sent + %s where id = %s",
                                 (amount, amount, a))
                    conn.execute("update ledger set balance = balance + %s, received = received + %s where id = %s",
                                 (amount, amount, b))
                    conn.execute("insert into transfers values (%s, %s)", (n, amount))
                acked.append(n)
                n += 1
    except psycopg.Error:
        pass


def wal_summary(node, data_dir):
    """What `keel waldump` says of the files the kill left: where each log ends and why, frames
    beyond an end, and what recovery replays (put into a failure's message)."""
    dump = subprocess.run([str(node.binary), "waldump", "--data-dir", str(data_dir)],
                          capture_output=True, text=True).stdout
    keep = ("==", "end of log", "after the end", "no valid frame", "recovery from", "  txn ")
    return "\n".join(line for line in dump.splitlines() if line.startswith(keep))[:4000]


def ledger_state(node):
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        balance, sent, received = conn.execute(
            "select sum(balance), sum(sent), sum(received) from ledger").fetchone()
        moved = conn.execute("select coalesce(sum(amount), 0) from transfers").fetchone()[0]
        present = {n for (n,) in conn.execute("select n from transfers").fetchall()}
    return balance, sent, received, moved, present


def test_fifty_sigkills_under_load_lose_no_acknowledged_commit(keel_factory):
    seed = int(os.environ.get("KEEL_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    # Checkpoints every 0.3 s: kills land before, during and after them.
    node = keel_factory(extra=["--set", f"storage.buffer_pool_bytes={8 << 20}",
                               "--set", "storage.checkpoint_interval_s=0.3"]).start()
    pgbench(node, "-i", "-s", "1", "-q")
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table numbered (n int8 primary key, pad text)")
        conn.execute("create table ledger (id int primary key, balance int, sent int, received int)")
        conn.execute("create table transfers (n int8 primary key, amount int)")
        for i in range(LEDGER):
            conn.execute("insert into ledger values (%s, 1000, 0, 0)", (i,))
    all_acked = []
    all_transfers = []
    next_n = 0
    for round_number in range(ROUNDS):
        context = f"seed {seed} (KEEL_CRASH_SEED), round {round_number}"
        acked, transfers, stop = [], [], threading.Event()
        writer = threading.Thread(target=numbered_writer, args=(node.dsn(), next_n, acked, stop))
        mover = threading.Thread(target=transfer_writer,
                                 args=(node.dsn(), next_n, rng.random(), transfers, stop))
        load = subprocess.Popen(
            ["pgbench", "-h", "127.0.0.1", "-p", str(node.port), "-U", "postgres", "-n", "-M", "prepared",
             "-c", "4", "-j", "2", "-T", "60", "keel"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        writer.start()
        mover.start()
        time.sleep(0.2 + rng.random() * 0.8)
        node.kill()
        stop.set()
        writer.join(timeout=30)
        mover.join(timeout=30)
        all_transfers.extend(transfers)
        load.wait(timeout=30)
        all_acked.extend(acked)
        next_n += 1_000_000
        # The files as the kill left them, before recovery and later checkpoints rewrite them:
        # what a failure is diagnosed from (the logs' tails are gone once the node ran again).
        kept = node.data_dir.parent / "before-last-restart"
        shutil.rmtree(kept, ignore_errors=True)
        subprocess.run(["cp", "-a", "--sparse=always", str(node.data_dir), str(kept)], check=True)
        context += f" (files before the restart: {kept})"
        node.start()
        with psycopg.connect(node.dsn(), autocommit=True) as conn:
            present = {n for (n,) in conn.execute("select n from numbered").fetchall()}
        missing = [n for n in all_acked if n not in present]
        assert not missing, f"{context}: {len(missing)} acknowledged rows lost, e.g. {missing[:5]}\n" \
            + wal_summary(node, kept)
        balance, sent, received, moved, present = ledger_state(node)
        lost = [n for n in all_transfers if n not in present]
        assert not lost, f"{context}: {len(lost)} acknowledged transfers lost, e.g. {lost[:5]}\n" \
            + wal_summary(node, kept)
        assert (balance, sent, received) == (LEDGER * 1000, moved, moved), \
            f"{context}: a transfer committed in part: balance {balance}, sent {sent}, received {received}, recorded {moved}"
        # Before pgbench's first commit the history is empty and its sum is NULL.
        balances = [value or "0" for value in sums(node)]
        assert len(set(balances)) == 1, f"{context}: TPC-B invariants broken: {balances}"
    log = node.log().lower()
    assert "checksum" not in log and "corrupt" not in log and "keel: fatal" not in log, f"seed {seed}: {log[-2000:]}"
    assert len(all_acked) > ROUNDS, f"seed {seed}: the writer hardly ran"
    assert len(all_transfers) > ROUNDS, f"seed {seed}: the transfers hardly ran"
