"""MVCC end to end: a long REPEATABLE READ snapshot keeps reading its versions while writers go on
at full speed (readers never block writers, writers never block readers), across checkpoints; and
versions survive neither a restart nor the end of the snapshot as anything a reader can see."""

import threading
import time

import psycopg

ROWS = 200
ROUNDS = 20


def test_a_long_snapshot_reads_its_versions_and_blocks_no_writer(keel_factory):
    node = keel_factory(cores=2, extra=["--set", "storage.checkpoint_interval_s=0.2"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table t (id int primary key, v int not null, pad text)")
        with conn.cursor() as cur:
            cur.executemany("insert into t values (%s, 0, %s)", [(i, "x" * 100) for i in range(ROWS)])
    reader = psycopg.connect(node.dsn(), autocommit=True)
    reader.execute("begin isolation level repeatable read")
    assert reader.execute("select sum(v), count(*) from t").fetchone() == (0, ROWS)
    # Writers update every row ROUNDS times (and delete and re-insert some) while the snapshot is open.
    errors = []

    def writer(offset):
        try:
            with psycopg.connect(node.dsn(), autocommit=True) as conn:
                for round_number in range(ROUNDS):
                    for i in range(offset, ROWS, 2):
                        conn.execute("update t set v = v + 1 where id = %s", (i,))
                    conn.execute("delete from t where id = %s", (offset,))
                    conn.execute("insert into t values (%s, %s, 'again')", (offset, round_number + 1))
        except psycopg.Error as error:
            errors.append(error)

    started = time.time()
    threads = [threading.Thread(target=writer, args=(offset,)) for offset in (0, 1)]
    for thread in threads:
        thread.start()
    # The reader keeps reading its snapshot meanwhile: the same answer every time, never waiting.
    reads = 0
    while any(thread.is_alive() for thread in threads):
        assert reader.execute("select sum(v), count(*) from t").fetchone() == (0, ROWS)
        assert reader.execute("select v from t where id = 7").fetchone() == (0,)
        reads += 1
    for thread in threads:
        thread.join()
    assert not errors, errors
    writes_s = time.time() - started
    assert reads > 0
    # Under the snapshot: still the old versions, also of the rows deleted and re-inserted.
    assert reader.execute("select sum(v), count(*) from t").fetchone() == (0, ROWS)
    assert reader.execute("select pad from t where id = 0").fetchone() == ("x" * 100,)
    reader.execute("commit")
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select sum(v), count(*) from t").fetchone() == (ROUNDS * ROWS, ROWS)
        assert conn.execute("select pad, v from t where id = 0").fetchone() == ("again", ROUNDS)
    print(f"{2 * ROUNDS * (ROWS // 2)} updates in {writes_s:.1f} s beside {reads} snapshot reads")
    # After a restart the newest versions are all there is.
    node.stop()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select sum(v), count(*) from t").fetchone() == (ROUNDS * ROWS, ROWS)
        conn.execute("begin isolation level repeatable read")
        assert conn.execute("select count(*) from t where pad = 'again'").fetchone() == (2,)
        conn.execute("commit")


def test_a_cancel_request_ends_a_lock_wait(keel_factory):
    """A client's cancel (the protocol's CancelRequest) ends a statement waiting for a row lock held
    on another worker's row, with 57014; the waiter's transaction is aborted, the holder goes on."""
    node = keel_factory(cores=2).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table w (id int primary key, v int)")
        conn.execute("insert into w values (1, 0), (2, 0), (3, 0), (4, 0)")
    holder = psycopg.connect(node.dsn(), autocommit=True)
    holder.execute("begin")
    holder.execute("update w set v = 1")
    waiter = psycopg.connect(node.dsn(), autocommit=True)
    outcome = {}

    def wait():
        try:
            waiter.execute("update w set v = 2 where id in (1, 2, 3, 4)")
            outcome["result"] = "updated"
        except psycopg.Error as error:
            outcome["result"] = error.sqlstate

    thread = threading.Thread(target=wait)
    started = time.time()
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive(), "the update should wait for the lock"
    waiter.cancel()
    thread.join(timeout=10)
    assert outcome.get("result") == "57014", outcome
    assert time.time() - started < 5
    holder.execute("commit")
    assert waiter.execute("select sum(v) from w").fetchone() == (4,)
    # The next statement of the canceled session is not canceled.
    waiter.execute("update w set v = 3 where id = 1")
    assert waiter.execute("select v from w where id = 1").fetchone() == (3,)
    holder.close()
    waiter.close()
