"""Durability: a client commits numbered rows one by one and records each acknowledgement; the node is
killed with SIGKILL mid-stream; after restart every acknowledged row is present (and nothing that was
never sent). Repeated several times, also with a multi-worker transaction per row, and across a
change of the worker count."""

import threading
import time

import psycopg
import pytest


def writer(dsn, start, acked, stop, multi):
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            n = start
            while not stop.is_set():
                if multi:
                    # Two rows on (most likely) different workers: one multi-worker transaction.
                    with conn.transaction():
                        conn.execute("insert into acked values (%s, 'a')", (n,))
                        conn.execute("insert into acked values (%s, 'b')", (n + 1_000_000,))
                else:
                    conn.execute("insert into acked values (%s, 'a')", (n,))
                acked.append(n)
                n += 1
    except psycopg.Error:
        pass


def test_acknowledged_commits_survive_sigkill(keel_factory):
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table acked (n int8 primary key, tag text not null)")
    next_n = 1
    for round_number in range(6):
        multi = round_number % 2 == 1
        acked, stop = [], threading.Event()
        threads = [threading.Thread(target=writer, args=(node.dsn(), next_n + i * 100_000, acked, stop, multi)) for i in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(0.7 + 0.2 * round_number)
        node.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert acked, "no commit was acknowledged before the kill"
        node.start()
        with psycopg.connect(node.dsn(), autocommit=True) as conn:
            rows = conn.execute("select n, tag from acked").fetchall()
            present = {n for n, _ in rows}
            b_rows = [n for n, tag in rows if tag == "b"]
            missing = [n for n in acked if n not in present]
            assert not missing, f"round {round_number}: {len(missing)} acknowledged rows lost, e.g. {missing[:5]}"
            if multi:
                lost_pairs = [n for n in acked if n + 1_000_000 not in present]
                assert not lost_pairs, f"half of a multi-worker transaction lost: {lost_pairs[:5]}"
                # Atomicity: no 'b' row without its 'a' row.
                orphans = [n for n in b_rows if n - 1_000_000 not in present]
                assert not orphans, orphans[:5]
        next_n += 1_000_000 * 2 + round_number * 10
    node.stop()


def test_restart_with_another_worker_count_keeps_data(keel_factory):
    node = keel_factory(cores=2).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table kv (k int primary key, v text)")
        with conn.cursor() as cur:
            cur.executemany("insert into kv values (%s, %s)", [(i, f"v{i}") for i in range(500)])
    node.stop()
    node.cores = 1
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*), sum(k) from kv").fetchone() == (500, sum(range(500)))
        conn.execute("update kv set v = 'changed' where k = 7")
    node.stop()
    node.cores = 2
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select v from kv where k = 7").fetchone() == ("changed",)
        assert conn.execute("select count(*) from kv").fetchone() == (500,)
    node.stop()


def test_sigterm_shuts_down_cleanly_and_keeps_data(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table t (k int primary key)")
        conn.execute("insert into t values (1), (2), (3)")
    idle = psycopg.connect(keel.dsn(), autocommit=True)
    assert keel.stop() == 0
    assert "shut down cleanly" in keel.log()
    idle.close()
    keel.start()
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*) from t").fetchone() == (3,)


def test_scan_write_that_matches_nothing_on_a_worker_still_commits(keel_factory):
    # A scan UPDATE is sent to every worker; a worker whose rows do not match still takes part in
    # the commit, and its commit record is what lets recovery accept the others' changes.
    node = keel_factory(cores=2).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table one (k int primary key, v int)")
        conn.execute("insert into one values (1, 0)")
        assert conn.execute("update one set v = 5").rowcount == 1
        assert conn.execute("update one set v = v + 1 where v = 5").rowcount == 1
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select v from one where k = 1").fetchone() == (6,)
    node.stop()


def test_rollback_to_a_savepoint_before_ddl_is_what_recovery_finds(keel_factory):
    # The catalog a commit logs is the one the savepoint had: DDL rolled back to it is gone after
    # a kill too, whether the transaction ran DDL before the savepoint or only after it, and the
    # ids the undone DDL gave out are given out again to empty tables.
    node = keel_factory(cores=2).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table spk_a (id int primary key, v text)")
        conn.execute("insert into spk_a values (1, 'one')")
        with conn.transaction():
            conn.execute("create table spk_b (id int primary key)")
            conn.execute("savepoint s1")
            conn.execute("alter table spk_a add column w int default 7")
            conn.execute("create table spk_x (id int primary key)")
            conn.execute("insert into spk_x select generate_series(1, 100)")
            conn.execute("rollback to s1")
            conn.execute("insert into spk_b values (2)")
        with conn.transaction():
            conn.execute("savepoint s1")
            conn.execute("create table spk_y (id int)")
            conn.execute("insert into spk_y values (1), (2)")
            conn.execute("drop table spk_b")
            conn.execute("rollback to s1")
            conn.execute("insert into spk_a values (3, 'three')")
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select * from spk_a order by id").fetchall() == [(1, "one"), (3, "three")]
        assert conn.execute("select * from spk_b").fetchall() == [(2,)]
        tables = conn.execute("select relname from pg_class where relname like 'spk%' and relkind = 'r' order by 1")
        assert tables.fetchall() == [("spk_a",), ("spk_b",)]
        conn.execute("create table spk_x (id int primary key)")
        conn.execute("create table spk_y (id int)")
        assert conn.execute("select count(*) from spk_x").fetchone() == (0,)
        assert conn.execute("select count(*) from spk_y").fetchone() == (0,)
    node.stop()


def test_waldump_reads_the_logs_as_recovery_does(keel_factory):
    """`keel waldump` on a killed node's data directory lists the frames after the checkpoint and
    predicts exactly what the next start replays; it refuses a directory a running node holds."""
    import re
    import subprocess

    # No checkpoint during the test: everything stays in the logs.
    node = keel_factory(cores=2, extra=["--set", "storage.checkpoint_interval_s=3600"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table acked (n int8 primary key, tag text not null)")
        for n in range(20):
            conn.execute("insert into acked values (%s, 'a')", (n,))
        with conn.transaction():
            for n in range(100, 110):
                conn.execute("insert into acked values (%s, 'b')", (n,))
    waldump = [str(node.binary), "waldump", "--data-dir", str(node.data_dir)]
    refused = subprocess.run(waldump, capture_output=True, text=True)
    assert refused.returncode != 0 and "in use by another keel process" in refused.stderr, refused
    node.kill()
    dump = subprocess.run(waldump, capture_output=True, text=True, check=True).stdout
    assert "== worker 0:" in dump and "== worker 1:" in dump, dump
    assert dump.count("end of log at offset") == 2, dump
    commits = [line for line in dump.splitlines() if " commit " in line]
    # The table's creation and 20 single-row commits (on one worker each); the 10-row
    # transaction on both is decided by one worker's parts frame, the other's part ends with its
    # prepared frame.
    assert len(commits) >= 1 + 20, dump
    decided = [line for line in dump.splitlines() if " parts    committed; parts of worker " in line]
    # (A part is appended lazily: unless a later write on that worker carried it out, the kill
    # took it, and recovery applies it from the parts frame.)
    prepared = [line for line in dump.splitlines()
                if " prepared decided by worker " in line or "lost from its log, applied from" in line]
    assert len(decided) == 1 and len(prepared) == 1, dump
    predicted = re.search(r"(\d+) committed transactions replayed, (\d+) incomplete discarded, (\d+) parts", dump)
    node.start()
    # The last recovery line in the log is this start's.
    recovered = re.findall(r"\((\d+) committed transactions replayed, (\d+) incomplete discarded, (\d+) parts", node.log())
    assert predicted and recovered and predicted.groups() == recovered[-1], (dump[-500:], node.log())
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*) from acked").fetchone()[0] == 30
    node.stop()


def test_a_part_lost_with_its_log_is_applied_and_logged_again(keel_factory):
    """A multi-worker commit is one write in the session's worker's log; the other worker's part goes
    to its own log lazily. Killed before that log was written, the part comes back from the
    deciding worker's log at the next start, which also writes it into its own log again: a second
    kill right after finds it there (or, if that write had not landed yet, applies it again from the
    same place). Rows are right after both restarts, and later updates of the same rows are not
    undone by the old part."""
    import re
    import subprocess

    node = keel_factory(cores=2, extra=["--set", "storage.checkpoint_interval_s=3600"]).start()
    waldump = [str(node.binary), "waldump", "--data-dir", str(node.data_dir)]
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table pair (k int primary key, v int)")
        conn.execute("insert into pair select g, 0 from generate_series(1, 20) g")
        # Rows on both workers, changed by one transaction: one worker decides, the other's
        # part waits for a write there that never comes.
        conn.execute("update pair set v = 1")
    node.kill()
    dump = subprocess.run(waldump, capture_output=True, text=True, check=True).stdout
    lost = re.search(r"(\d+) parts applied from their anchors' logs", dump)
    # (The insert and the update: both are multi-worker commits whose other parts never left.)
    assert lost and int(lost.group(1)) >= 1, dump
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*), sum(v) from pair").fetchone() == (20, 20)
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*), sum(v) from pair").fetchone() == (20, 20)
        # Later single-row commits on those rows: a part applied again must not undo them.
        for k in range(1, 21):
            conn.execute("update pair set v = 2 where k = %s", (k,))
    node.kill()
    dump = subprocess.run(waldump, capture_output=True, text=True, check=True).stdout
    # The part is in its own log now (written again at the first restart, before those updates).
    assert "prepared decided by worker" in dump, dump
    assert re.search(r" 0 parts applied from their anchors' logs", dump), dump
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*), sum(v) from pair").fetchone() == (20, 40)
    node.stop()


def test_a_bulk_commit_larger_than_a_log_step_and_the_commits_after_it_survive_sigkill(keel_factory):
    """A commit whose log records pass the log's 4 MiB zero-filled step goes into blocks allocated
    unwritten (not zero-filled first); small commits after it land in zeros again. After kill -9
    every acknowledged row is back: the big commit's, the small ones', and a second big one's."""
    node = keel_factory().start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table bulk_log (id int8 primary key, pad text not null)")
        conn.execute("insert into bulk_log select i, repeat('p', 200) || i from generate_series(1, 60000) i")
        for i in range(60001, 60051):
            conn.execute("insert into bulk_log values (%s, 'small')", (i,))
        conn.execute("insert into bulk_log select i, repeat('q', 200) || i from generate_series(60051, 120000) i")
        conn.execute("update bulk_log set pad = 'after' where id = 7")
        expected = conn.execute("select count(*), sum(id), sum(length(pad)) from bulk_log").fetchone()
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*), sum(id), sum(length(pad)) from bulk_log").fetchone() == expected
        assert conn.execute("select pad from bulk_log where id = 7").fetchone()[0] == "after"
        assert conn.execute("select count(*) from bulk_log where pad = 'small'").fetchone()[0] == 50


def test_a_dropped_primary_key_and_the_rows_it_moved_survive_sigkill(keel_factory):
    # DROP CONSTRAINT of a primary key writes every row again under a hidden row id (on any
    # worker) and builds the indexes again: after a kill the committed drop is what recovery
    # finds, and a drop rolled back left its table keyed as before.
    node = keel_factory(cores=2).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        for name in ("dk_a", "dk_b"):
            conn.execute(f"create table {name} (k int primary key, v text)")
            conn.execute(f"create index {name}_v on {name} (v)")
            conn.execute(f"insert into {name} select g, 'v' || g from generate_series(1, 20000) g")
        conn.execute("alter table dk_a drop constraint dk_a_pkey")
        conn.execute("insert into dk_a values (7, 'twin')")
        with conn.transaction():
            conn.execute("alter table dk_b drop constraint dk_b_pkey")
            conn.execute("insert into dk_b values (7, 'twin')")
            raise psycopg.Rollback()
    node.kill()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*), count(distinct k), sum(k) from dk_a").fetchone() == (20001, 20000, 200010007)
        assert conn.execute("select v from dk_a where k = 7 order by v").fetchall() == [("twin",), ("v7",)]
        assert conn.execute("select k from dk_a where v = 'v19999'").fetchall() == [(19999,)]
        keys = "select conname from pg_constraint where conrelid = '{}'::regclass and contype = 'p'"
        assert conn.execute(keys.format("dk_a")).fetchall() == []
        assert conn.execute(keys.format("dk_b")).fetchall() == [("dk_b_pkey",)]
        assert conn.execute("select count(*), sum(k) from dk_b").fetchone() == (20000, 200010000)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("insert into dk_b values (7, 'twin')")
    node.stop()
