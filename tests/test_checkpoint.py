"""Copy-on-write checkpoints: they run under write load without stopping it, give the write-ahead log
back, bound what a restart replays, and never let an uncommitted change in (a transaction open
across a checkpoint is undone by a crash, and one that commits after it is kept). A flipped byte in
a data file is reported with the file and page (XX001), never served, and the node stays up."""

import re
import time

import psycopg
import pytest

from test_pgbench import pgbench, scalar, sums


def wal_files(node):
    return sorted(node.data_dir.glob("wal-*.log"))


def checkpoints_done(node):
    return len(re.findall(r"keel: checkpoint \d+ done", node.log()))


def wait_for_checkpoints(node, more, timeout=90):
    target = checkpoints_done(node) + more
    deadline = time.time() + timeout
    while checkpoints_done(node) < target:
        assert time.time() < deadline, node.log()[-2000:]
        time.sleep(0.05)


def replayed_wal_bytes(node):
    found = re.findall(r"then (\d+) bytes of WAL", node.log())
    assert found, node.log()[-2000:]
    return int(found[-1])


def test_checkpoints_trim_the_log_and_bound_recovery(keel_factory):
    node = keel_factory(extra=["--set", "storage.checkpoint_interval_s=0.5"]).start()
    pgbench(node, "-i", "-s", "2", "-q")
    # Checkpoints run while pgbench writes: it sees no error and its throughput goes on.
    out = pgbench(node, "-n", "-M", "prepared", "-c", "4", "-j", "2", "-T", "5")
    assert "number of failed transactions: 0" in out, out
    assert checkpoints_done(node) >= 1, node.log()[-2000:]
    # pg_stat_bgwriter counts the rounds run on schedule and the pages they wrote.
    assert scalar(node, "select checkpoints_timed > 0 and buffers_checkpoint > 0 "
                        "and checkpoint_write_time > 0 from pg_stat_bgwriter") == "t"
    wait_for_checkpoints(node, 2)
    logical = sum(f.stat().st_size for f in wal_files(node))
    allocated = sum(f.stat().st_blocks * 512 for f in wal_files(node))
    # What stays allocated is the log after the last cut plus the space reserved ahead of appends
    # (4 MiB per worker, so that a full disk fails a commit rather than a log write).
    assert logical > 16 << 20, logical
    assert allocated < 12 << 20, f"the log before the last checkpoint was not given back: {allocated} of {logical} bytes"
    before = sums(node)
    assert len(set(before)) == 1, before
    node.kill()
    node.start()
    assert replayed_wal_bytes(node) < 1 << 20
    assert sums(node) == before


def test_a_transaction_open_across_a_checkpoint(keel_factory):
    node = keel_factory(extra=["--set", "storage.checkpoint_interval_s=0.2"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table t (k int primary key, v text)")
        conn.execute("insert into t values " + ",".join(f"({i}, 'old')" for i in range(1, 2001)))
    kept = psycopg.connect(node.dsn())
    kept.execute("update t set v = 'committed later' where k <= 1000")
    kept.execute("insert into t values (0, 'committed later')")
    lost = psycopg.connect(node.dsn())
    lost.execute("update t set v = 'never committed' where k > 1000")
    lost.execute("delete from t where k = 1999")
    lost.execute("insert into t values (6000, 'never committed')")
    # Checkpoints are taken while both are open, with their changes in the pages.
    wait_for_checkpoints(node, 2)
    kept.commit()
    wait_for_checkpoints(node, 1)
    node.kill()
    kept.close()
    lost.close()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        rows = dict(conn.execute("select v, count(*) from t group by v").fetchall())
        assert rows == {"committed later": 1001, "old": 1000}, rows
        assert conn.execute("select v from t where k = 1999").fetchone() == ("old",)


def test_bulk_inserts_committed_and_open_across_checkpoints(keel_factory):
    # Bulk inserts take implicit row locks (no lock-table entry per row) and, past 10,000 rows,
    # commit with a Commit record in each worker's log: a crash keeps the committed loads,
    # including one that was open across checkpoints, and none of the one never committed.
    node = keel_factory(extra=["--set", "storage.checkpoint_interval_s=0.2"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table bulk (k int8 primary key, v text)")
        conn.execute("create table bulk_nk (k int8, v text)")
        with conn.cursor().copy("copy bulk from stdin") as copy:
            for i in range(1, 30_001):
                copy.write_row((i, "copied"))
        conn.execute("insert into bulk_nk select g, 'copied' from generate_series(1, 30000) g")
        conn.execute("create table bulk_tr (k int primary key, v text)")
        conn.execute("insert into bulk_tr select g, 'old' from generate_series(1, 1000) g")
    # Changes, then a truncate of the same table, in a transaction open across checkpoints: the
    # truncate keeps the changes it set aside in the old trees, which the checkpoints write.
    truncating = psycopg.connect(node.dsn())
    truncating.execute("update bulk_tr set v = 'changed' where k <= 500")
    truncating.execute("insert into bulk_tr select g, 'new' from generate_series(2001, 3000) g")
    truncating.execute("truncate bulk_tr")
    truncating.execute("insert into bulk_tr values (5, 'after')")
    kept = psycopg.connect(node.dsn())
    kept.execute("insert into bulk select g, 'committed later' from generate_series(100001, 120000) g")
    kept.execute("insert into bulk_nk select g, 'committed later' from generate_series(1, 20000) g")
    lost = psycopg.connect(node.dsn())
    lost.execute("insert into bulk select g, 'never committed' from generate_series(200001, 220000) g")
    lost.execute("insert into bulk_nk select g, 'never committed' from generate_series(1, 20000) g")
    wait_for_checkpoints(node, 2)
    kept.commit()
    wait_for_checkpoints(node, 1)
    node.kill()
    kept.close()
    lost.close()
    truncating.close()
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        assert conn.execute("select v, count(*) from bulk_tr group by v").fetchall() == [("old", 1000)]
        for table in ["bulk", "bulk_nk"]:
            rows = dict(conn.execute(f"select v, count(*) from {table} group by v").fetchall())
            assert rows == {"copied": 30000, "committed later": 20000}, (table, rows)
        # Nothing of the lost load is left behind, not even a key.
        conn.execute("insert into bulk select g, 'again' from generate_series(200001, 220000) g")
        assert conn.execute("select count(*), sum(k) from bulk").fetchone() == (70000, 6850035000)


def test_a_flipped_byte_in_a_data_file_is_reported_not_served(keel_factory):
    node = keel_factory(extra=["--cores", "1", "--set", "storage.checkpoint_interval_s=0.2",
                               "--set", f"storage.buffer_pool_bytes={1 << 20}"]).start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table big (k int primary key, v text)")
        for start in range(0, 20000, 1000):
            conn.execute("insert into big values " +
                         ",".join(f"({i}, '{'x' * 100}')" for i in range(start, start + 1000)))
        total = conn.execute("select count(*), sum(k) from big").fetchone()
    wait_for_checkpoints(node, 2)
    node.stop()
    data = sorted(node.data_dir.glob("data-*.keel"))
    assert len(data) == 1
    raw = bytearray(data[0].read_bytes())
    # Flip one byte in the middle of every 4 KiB page: whatever is read is caught.
    for page in range(0, len(raw), 4096):
        raw[page + 2000] ^= 0x01
    data[0].write_bytes(bytes(raw))
    node.start()
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as error:
            conn.execute("select count(*), sum(k) from big").fetchone()
        assert error.value.sqlstate == "XX001", error.value
        assert data[0].name in str(error.value) and "page" in str(error.value), error.value
        # The node is still up and answers other queries.
        assert conn.execute("select 1").fetchone() == (1,)
    assert total[0] == 20000


def test_index_entries_survive_checkpoints_crashes_and_a_new_worker_count(keel_factory):
    node = keel_factory(extra=["--set", "storage.checkpoint_interval_s=0.3"]).start()
    expected = {}
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table t (k int primary key, grp int, tag text)")
        conn.execute("create index t_grp on t (grp)")
        conn.execute("create unique index t_tag on t (tag)")
        for start in range(0, 3000, 500):
            conn.execute("insert into t values " + ",".join(
                f"({k}, {k % 50}, 'tag{k}')" for k in range(start, start + 500)))
        wait_for_checkpoints(node, 2)
        # After the checkpoint: entries move (update), go (delete), and come (insert); an index
        # led by text (its entries placed by the text's encoding) is made, its catalog known
        # only from the log.
        conn.execute("update t set grp = 99 where grp = 7")
        conn.execute("delete from t where grp = 8")
        conn.execute("insert into t values (5000, 8, 'late')")
        conn.execute("create index t_kind on t ((left(tag, 4)), grp)")
        conn.execute("update t set tag = 'moved' || k where k % 50 = 9")
    kinds = {}
    for k in range(3000):
        if k % 50 != 8:
            expected[k] = 99 if k % 50 == 7 else k % 50
            kinds[k] = "move" if k % 50 == 9 else "tag" + str(k)[:1]
    expected[5000] = 8
    kinds[5000] = "late"

    def check():
        with psycopg.connect(node.dsn(), autocommit=True) as conn:
            for grp in (7, 8, 99, 13):
                got = sorted(k for (k,) in conn.execute("select k from t where grp = %s", (grp,)))
                assert got == sorted(k for k, g in expected.items() if g == grp), grp
            assert conn.execute("select k from t where tag = 'tag1234'").fetchone() == (1234,)
            assert conn.execute("select k from t where tag = 'late'").fetchone() == (5000,)
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute("insert into t values (6000, 1, 'tag1234')")
            for kind in ("move", "tag1", "late"):
                got = [k for (k,) in conn.execute(
                    "select k from t where left(tag, 4) = %s order by grp, k limit 7", (kind,))]
                want = sorted((expected[k], k) for k, v in kinds.items() if v == kind)[:7]
                assert got == [k for _, k in want], kind
                plan = [line for (line,) in conn.execute(
                    "explain select k from t where left(tag, 4) = %s order by grp, k limit 7", (kind,))]
                assert any("t_kind" in line for line in plan), plan

    node.kill()
    node.start()
    check()
    node.stop()
    node.cores = 1
    node.start()
    check()


def test_rows_placed_by_their_first_key_column_survive_checkpoints_crashes_and_a_new_worker_count(
    keel_factory,
):
    """Tables keyed by (integer, ...) are placed by the integer alone: recovery must put the
    checkpoint's undone changes and the log's rows back by that placement, for a table the
    checkpoint knows and for one created after it, and a new worker count must keep it."""
    node = keel_factory(extra=["--set", "storage.checkpoint_interval_s=0.3"]).start()
    expected = {}
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("create table lines (o bigint, l int, v text, primary key (o, l))")
        for start in range(0, 1200, 300):
            conn.execute("insert into lines values " + ",".join(
                f"({o}, {l}, 'v{o}.{l}')" for o in range(start, start + 300) for l in range(1, 1 + o % 7)))
        for o in range(1200):
            for l in range(1, 1 + o % 7):
                expected[(o, l)] = f"v{o}.{l}"
        # Open across a checkpoint: its changes are in the image and are taken back on restore.
        with psycopg.connect(node.dsn()) as open_conn:
            open_conn.execute("update lines set v = 'open' where o < 100")
            open_conn.execute("delete from lines where o between 100 and 150")
            wait_for_checkpoints(node, 2)
            open_conn.rollback()
        # After the checkpoint: changes to the checkpointed table, and a table it does not know.
        conn.execute("update lines set v = 'late' where o % 10 = 3")
        conn.execute("delete from lines where o % 10 = 4")
        conn.execute("create table parts (p int, s int, q int, primary key (p, s))")
        conn.execute("insert into parts select p, s, p * s from generate_series(1, 400) p, generate_series(1, 4) s")
        conn.execute("delete from parts where s = 2")
    for (o, l) in list(expected):
        if o % 10 == 3:
            expected[(o, l)] = "late"
        if o % 10 == 4:
            del expected[(o, l)]

    def check():
        with psycopg.connect(node.dsn(), autocommit=True) as conn:
            rows = conn.execute("select o, l, v from lines").fetchall()
            assert {(o, l): v for o, l, v in rows} == expected
            for o in (0, 6, 13, 104, 140, 599, 1193, 1199):
                got = conn.execute("select l, v from lines where o = %s order by l", (o,)).fetchall()
                assert got == sorted((l, v) for (oo, l), v in expected.items() if oo == o), o
                for l in range(1, 8):
                    got = conn.execute("select v from lines where o = %s and l = %s", (o, l)).fetchall()
                    assert got == ([(expected[(o, l)],)] if (o, l) in expected else []), (o, l)
            assert conn.execute("select count(*), sum(q) from parts").fetchone() == (1200, 8 * 400 * 401 // 2)
            assert conn.execute("select s, q from parts where p = 77 order by s").fetchall() == [(1, 77), (3, 231), (4, 308)]
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute("insert into lines values (13, 1, 'dup')")
            conn.execute("insert into lines values (14, 1, 'back')")
            conn.execute("delete from lines where o = 14 and l = 1")

    node.kill()
    node.start()
    check()
    node.stop()
    node.cores = 1
    node.start()
    check()
    node.kill()
    node.cores = 2
    node.start()
    check()


def test_checkpoint_command_bounds_what_a_crash_replays(keel_factory):
    # Scheduled rounds far apart: CHECKPOINT runs one at once and answers once it is published,
    # so a kill -9 right after replays nothing written before it.
    node = keel_factory(extra=["--set", "storage.checkpoint_interval_s=3600"]).start()
    pgbench(node, "-i", "-s", "1", "-q")
    pgbench(node, "-n", "-M", "prepared", "-c", "4", "-j", "2", "-t", "200")
    before = sums(node)
    assert scalar(node, "select checkpoints_req from pg_stat_bgwriter") == "0"
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        conn.execute("checkpoint")
        assert conn.execute("select checkpoints_req, checkpoints_timed from pg_stat_bgwriter").fetchone() == (1, 0)
    assert checkpoints_done(node) == 1, node.log()[-2000:]
    node.kill()
    node.start()
    assert replayed_wal_bytes(node) < 4096, node.log()[-2000:]
    assert sums(node) == before


def test_a_clean_shutdown_checkpoints_so_the_restart_replays_nothing(keel_factory):
    # Checkpoints on, but far apart: only the one at shutdown can have run.
    node = keel_factory(extra=["--set", "storage.checkpoint_interval_s=3600"]).start()
    pgbench(node, "-i", "-s", "1", "-q")
    pgbench(node, "-n", "-M", "prepared", "-c", "4", "-j", "2", "-t", "200")
    before = sums(node)
    node.stop()
    assert checkpoints_done(node) == 1, node.log()[-2000:]
    node.start()
    assert replayed_wal_bytes(node) == 0, node.log()[-2000:]
    assert sums(node) == before
