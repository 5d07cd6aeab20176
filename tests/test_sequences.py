"""Sequences across crashes and sessions: values handed out (by nextval or a SERIAL default) are
never handed out again, also after SIGKILL and restart; concurrent sessions never get the same value;
a clean restart goes on where the sequence was. PostgreSQL itself may skip values after a crash (it
logs 32 ahead), so the tests assert uniqueness and order, not the absence of gaps.
"""

import threading
import time

import psycopg


def taker(dsn, taken, inserted, stop):
    """Takes values both ways until stopped or the node goes away: recorded once acknowledged."""
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop.is_set():
                (value,) = conn.execute("select nextval('s')").fetchone()
                taken.append(value)
                (row_id,) = conn.execute("insert into t (v) values ('x') returning id").fetchone()
                inserted.append(row_id)
    except psycopg.Error:
        pass


def test_values_are_never_handed_out_twice_across_sigkills(keel_factory):
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create sequence s")
        conn.execute("create table t (id serial primary key, v text)")
    taken, inserted = [], []
    for _ in range(3):
        stop = threading.Event()
        threads = [threading.Thread(target=taker, args=(node.dsn(), taken, inserted, stop))
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.7)
        node.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        node.start()
        assert len(set(taken)) == len(taken), "two sessions got the same nextval"
        with psycopg.connect(node.dsn(), autocommit=True) as conn:
            ids = {row_id for (row_id,) in conn.execute("select id from t")}
            assert set(inserted) <= ids, "an acknowledged SERIAL insert was lost"
            (after,) = conn.execute("select nextval('s')").fetchone()
            assert after > max(taken), f"nextval gave {after} after {max(taken)} was handed out"
            taken.append(after)
            (row_id,) = conn.execute("insert into t (v) values ('after') returning id").fetchone()
            assert row_id > max(ids), "a SERIAL default repeated a value after the crash"
            inserted.append(row_id)
    assert len(taken) > 100 and len(inserted) > 100, "the takers hardly ran"


def test_clean_restart_continues_and_setval_is_kept(keel_factory):
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create sequence a")
        conn.execute("create sequence b increment by -1")
        assert [conn.execute("select nextval('a')").fetchone()[0] for _ in range(3)] == [1, 2, 3]
        conn.execute("select setval('b', -500, false)")
    node.stop()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        (a,) = conn.execute("select nextval('a')").fetchone()
        assert 3 < a <= 3 + 32
        assert conn.execute("select nextval('b')").fetchone()[0] == -500
        assert conn.execute("select nextval('b')").fetchone()[0] == -501


def test_alter_sequence_survives_sigkill(keel_factory):
    """ALTER SEQUENCE's new settings and RESTART are durable once acknowledged: after a SIGKILL the
    sequence goes on from the restart value with the new increment, and a renamed sequence keeps
    feeding the column default that named it."""
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create sequence s")
        conn.execute("create table t (id int8 default nextval('s'), v text)")
        assert [conn.execute("select nextval('s')").fetchone()[0] for _ in range(5)] == [1, 2, 3, 4, 5]
        conn.execute("alter sequence s restart with 1000 increment by 10 maxvalue 5000")
        conn.execute("alter sequence s rename to s2")
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select nextval('s2')").fetchone()[0] == 1000
        assert conn.execute("insert into t (v) values ('x') returning id").fetchone()[0] == 1010
        assert conn.execute("select increment_by, max_value from pg_sequences "
                            "where sequencename = 's2'").fetchone() == (10, 5000)
    node.stop()


def test_log_cnt_counts_the_values_logged_ahead(keel):
    """`log_cnt` of a sequence read as a relation: the values nextval may still hand out before it
    logs again (PostgreSQL's meaning; Keel's window holds 31 after the first value, PostgreSQL's 32)."""
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create sequence lc increment by 3")
        assert conn.execute("select log_cnt, is_called from lc").fetchone() == (0, False)
        conn.execute("select nextval('lc')")
        (first,) = conn.execute("select log_cnt from lc").fetchone()
        assert 0 < first <= 32
        conn.execute("select nextval('lc')")
        assert conn.execute("select log_cnt from lc").fetchone()[0] == first - 1
        for _ in range(first):
            conn.execute("select nextval('lc')")
        # The window ran out and a new one was logged.
        assert conn.execute("select log_cnt from lc").fetchone()[0] == first
