"""A randomized history checker, in the spirit of Jepsen's Elle: many clients run random bank
transfers and list-append transactions at one isolation level against a node with several workers
(so most transactions commit across workers), while the node is SIGKILLed and restarted between
rounds. After each round the checker verifies:

- money: every single-statement sum of the accounts (and, at REPEATABLE READ and SERIALIZABLE,
  every pair of sums in one transaction) equals the total: no reader ever sees half of a
  multi-worker commit, and no acknowledged transfer is lost or doubled across crashes;
- lists: every list read is a prefix of the key's final list; no element of an aborted
  transaction, nor of one never attempted, is ever seen (G0/G1a); every acknowledged append is in
  the final list exactly once;
- cycles: from the lists, write-write, write-read and read-write dependencies between committed
  transactions. SERIALIZABLE allows no cycle at all; REPEATABLE READ (snapshot isolation) allows no
  cycle with a single read-write edge (G-single); READ COMMITTED allows no cycle of write-write
  and write-read edges alone (G1c).

The moments and choices come from one seed, printed on failure (KEEL_HISTORY_SEED reproduces it)."""

import os
import random
import threading
import time
from collections import defaultdict

import psycopg
import pytest

ACCOUNTS = 10
START_BALANCE = 1000
KEYS = 6
CLIENTS = 6
ROUNDS = 3
ROUND_S = 4.0
RETRYABLE = {"40001", "40P01"}


class History:
    """What the clients did: appends by transaction, reads, outcomes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.txns = {}  # txn id -> {"ops": [...], "outcome": "ok" | "aborted" | "unknown"}
        self.sums = []  # (txn id, [sums]) of reads that must all equal the total
        self.errors = []  # unexpected errors of clients
        self.next = 0

    def new(self):
        with self.lock:
            self.next += 1
            self.txns[self.next] = {"ops": [], "outcome": None}
            return self.next


def transfer(conn, rng, level):
    a, b = rng.sample(range(ACCOUNTS), 2)
    amount = rng.randint(1, 50)
    if level == "read committed":
        # Server-side arithmetic: READ COMMITTED re-checks the newest row, so no update is lost.
        conn.execute("update accounts set balance = balance - %s where id = %s", (amount, a))
        conn.execute("update accounts set balance = balance + %s where id = %s", (amount, b))
    else:
        # Read, then write what was read: first-updater-wins keeps this from losing updates.
        balances = dict(conn.execute("select id, balance from accounts where id in (%s, %s)", (a, b)).fetchall())
        conn.execute("update accounts set balance = %s where id = %s", (balances[a] - amount, a))
        conn.execute("update accounts set balance = %s where id = %s", (balances[b] + amount, b))


def sums(conn, level):
    first = conn.execute("select sum(balance) from accounts").fetchone()[0]
    if level == "read committed":
        return [first]
    return [first, conn.execute("select sum(balance) from accounts").fetchone()[0]]


def owner(value):
    """The transaction that appended `value` (each append's value is unique: txn * 10 + op)."""
    return value // 10


def list_ops(conn, rng, history, txn):
    for op in range(rng.randint(1, 4)):
        key = rng.randrange(KEYS)
        if rng.random() < 0.5:
            row = conn.execute("select vals from lists where k = %s", (key,)).fetchone()
            values = [int(v) for v in row[0].split(",") if v] if row else []
            history.txns[txn]["ops"].append(("r", key, values))
        else:
            value = txn * 10 + op
            conn.execute("update lists set vals = vals || %s where k = %s", (f",{value}", key))
            history.txns[txn]["ops"].append(("a", key, value))


def client(dsn, level, seed, history, stop):
    rng = random.Random(seed)
    conn = None
    while not stop.is_set():
        txn = None
        try:
            if conn is None:
                conn = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
            txn = history.new()
            kind = rng.random()
            conn.execute(f"begin isolation level {level}")
            try:
                if kind < 0.4:
                    transfer(conn, rng, level)
                elif kind < 0.6:
                    history.sums.append((txn, sums(conn, level)))
                else:
                    list_ops(conn, rng, history, txn)
                history.txns[txn]["outcome"] = "unknown"
                conn.execute("commit")
                history.txns[txn]["outcome"] = "ok"
            except psycopg.errors.Error as error:
                if error.sqlstate is None or error.sqlstate not in RETRYABLE:
                    raise
                history.txns[txn]["outcome"] = "aborted"
                conn.execute("rollback")
        except (psycopg.OperationalError, psycopg.InterfaceError):
            # The node died under us: the open transaction's outcome stays as recorded ("unknown"
            # once its commit was sent, else never committed).
            if conn is not None:
                conn.close()
            conn = None
            if txn is not None and history.txns[txn]["outcome"] is None:
                history.txns[txn]["outcome"] = "aborted"
            time.sleep(0.05)
        except psycopg.Error as error:
            history.errors.append(f"{type(error).__name__} {error.sqlstate}: {error}")
            if txn is not None and history.txns[txn]["outcome"] is None:
                history.txns[txn]["outcome"] = "aborted"
            stop.set()
    if conn is not None:
        conn.close()


def dependency_cycles(history, finals):
    """Edges between committed transactions from the list histories: (from, to, kind)."""
    committed = {t for t, x in history.txns.items() if x["outcome"] == "ok"}
    edges = defaultdict(set)
    for key, values in finals.items():
        for position in range(len(values) - 1):
            a, b = owner(values[position]), owner(values[position + 1])
            if a != b:
                edges[a].add((b, "ww"))
    for txn in committed:
        for op in history.txns[txn]["ops"]:
            if op[0] != "r":
                continue
            _, key, seen = op
            # Own appends show in own reads; dependencies are on others' appends.
            others = [owner(v) for v in seen if owner(v) != txn]
            if others:
                edges[others[-1]].add((txn, "wr"))
            following = [owner(v) for v in finals[key][len(seen):] if owner(v) != txn]
            if following:
                edges[txn].add((following[0], "rw"))
    return committed, edges


def reachable(edges, start, goal, kinds):
    """A path of edges of `kinds` from `start` to `goal`, as [(txn, kind, next)], or None."""
    stack, came = [start], {start: None}
    while stack:
        at = stack.pop()
        for nxt, kind in edges.get(at, ()):
            if kind not in kinds or nxt in came:
                continue
            came[nxt] = (at, kind)
            if nxt == goal:
                path = []
                while came[nxt] is not None:
                    prev, how = came[nxt]
                    path.append((prev, how, nxt))
                    nxt = prev
                return path[::-1]
            stack.append(nxt)
    return None


def explain(history, path):
    return "\n".join(f"  {a} -{kind}-> {b}: {a} did {history.txns[a]['ops']}" for a, kind, b in path)


def check(history, finals, level, total, context):
    assert not history.errors, f"{context}: unexpected errors: {history.errors[:5]}"
    for txn, seen in history.sums:
        if history.txns[txn]["outcome"] == "ok":
            assert all(s == total for s in seen), f"{context}: txn {txn} summed {seen}, total {total}"
    status = {t: x["outcome"] for t, x in history.txns.items()}
    for key, values in finals.items():
        assert len(values) == len(set(values)), f"{context}: key {key} holds an element twice: {values}"
        for value in values:
            assert status.get(owner(value)) in ("ok", "unknown"), \
                f"{context}: key {key} holds {value} of a transaction that {status.get(owner(value))}"
    for txn, x in history.txns.items():
        for op in x["ops"]:
            if op[0] == "a" and x["outcome"] == "ok":
                assert op[2] in finals[op[1]], f"{context}: acknowledged append {op} is lost"
            if op[0] == "r" and x["outcome"] == "ok":
                _, key, seen = op
                own_free = [v for v in seen if owner(v) != txn]
                final_free = [v for v in finals[key] if owner(v) != txn]
                assert own_free == final_free[:len(own_free)], \
                    f"{context}: txn {txn} read {seen} of key {key}, not a prefix of {finals[key]}"
    committed, edges = dependency_cycles(history, finals)
    for a in committed:
        for b, kind in edges.get(a, ()):
            if b not in committed:
                continue
            if level == "serializable":
                back, what = reachable(edges, b, a, {"ww", "wr", "rw"}), "a dependency cycle"
            elif level == "repeatable read" and kind == "rw":
                back, what = reachable(edges, b, a, {"ww", "wr"}), "G-single"
            elif kind in ("ww", "wr"):
                back, what = reachable(edges, b, a, {"ww", "wr"}), "G1c"
            else:
                back = None
            assert back is None, f"{context}: {what} at {level}:\n" + explain(history, [(a, kind, b)] + back)


@pytest.mark.parametrize("level", ["read committed", "repeatable read", "serializable"])
def test_random_histories_with_sigkills_keep_money_and_order(keel_factory, level):
    seed = int(os.environ.get("KEEL_HISTORY_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    node = keel_factory(cores=3, extra=["--set", "storage.checkpoint_interval_s=0.5"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table accounts (id int primary key, balance int not null)")
        conn.execute("create table lists (k int primary key, vals text not null)")
        for i in range(ACCOUNTS):
            conn.execute("insert into accounts values (%s, %s)", (i, START_BALANCE))
        for k in range(KEYS):
            conn.execute("insert into lists values (%s, '')", (k,))
    total = ACCOUNTS * START_BALANCE
    history = History()
    for round_number in range(ROUNDS):
        context = f"seed {seed} (KEEL_HISTORY_SEED), {level}, round {round_number}"
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(node.dsn(), level, rng.random(), history, stop))
                   for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(ROUND_S / 2, ROUND_S))
        node.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        node.start()
        with psycopg.connect(node.dsn(), autocommit=True) as conn:
            finals = {k: [int(v) for v in vals.split(",") if v]
                      for k, vals in conn.execute("select k, vals from lists").fetchall()}
            assert conn.execute("select sum(balance) from accounts").fetchone()[0] == total, context
        check(history, finals, level, total, context)
    committed = sum(1 for x in history.txns.values() if x["outcome"] == "ok")
    aborted = sum(1 for x in history.txns.values() if x["outcome"] == "aborted")
    print(f"{level}: {committed} committed, {aborted} aborted, seed {seed}")
    assert committed > 100, f"too little happened to check: {committed} commits"
