"""Activity statistics (pg_stat_user_tables, pg_stat_user_indexes, pg_stat_database): the counters
move with what the node does. The row counts that do not depend on a plan or on the storage
format (rows inserted, updated, deleted, live rows, changes since ANALYZE, ANALYZE and VACUUM
counts) are checked against PostgreSQL 15 running the same statements; scans, dead rows and the
database's counters are checked against what the statements must have done on Keel."""

import time

import psycopg
import pytest

WORKLOAD = [
    "create table st (id int primary key, v text, n int)",
    "create index st_n on st (n)",
    "create table st_heap (a int, b int)",
    "insert into st select g, 'x' || g, g % 10 from generate_series(1, 1000) g",
    "insert into st_heap values (1, 2), (3, 4)",
    "update st set v = 'y' where id <= 10",
    "update st set n = 5 where id = 11",
    "delete from st where id > 990",
    "insert into st values (11, 'dup', 0) on conflict (id) do update set v = 'upserted'",
    "insert into st values (2000, 'new', 0) on conflict (id) do update set v = 'upserted'",
]

ROWS = ("select relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_mod_since_analyze, "
        "n_ins_since_vacuum, analyze_count, vacuum_count, idx_scan is null "
        "from pg_stat_user_tables where relname like 'st%' order by relname")


def run_workload(dsn, flush):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists st, st_heap")
        for statement in WORKLOAD:
            conn.execute(statement)
        # Rolled back: counted as inserted, never live.
        conn.autocommit = False
        conn.execute("insert into st values (5000, 'z', 1)")
        conn.rollback()
        conn.autocommit = True
        if flush:
            # PostgreSQL publishes a session's counts at most once a second: published before
            # ANALYZE, they are not added again on top of its count.
            conn.execute("select pg_stat_force_next_flush()")
            conn.execute("select 1")
        conn.execute("analyze st")
        conn.execute("insert into st values (3000, 'after analyze', 1)")
        conn.execute("vacuum st_heap")
        if flush:
            conn.execute("select pg_stat_force_next_flush()")
            conn.execute("select 1")


def table_rows(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(ROWS).fetchall()


def test_row_counters_match_postgres(keel, postgres):
    run_workload(keel.dsn(), flush=False)
    run_workload(postgres.dsn(), flush=True)
    # PostgreSQL publishes a session's counts when it ends or flushes; read them until they land.
    expected = None
    for _ in range(50):
        expected = table_rows(postgres.dsn())
        if expected and expected[0][1] == 1003:
            break
        time.sleep(0.1)
    assert table_rows(keel.dsn()) == expected
    assert expected[0][:4] == ("st", 1003, 12, 10)


def stat(conn, column, table="st"):
    return conn.execute(f"select {column} from pg_stat_user_tables where relname = %s", (table,)).fetchone()[0]


def database(conn, column):
    return conn.execute(f"select {column} from pg_stat_database where datname = current_database()").fetchone()[0]


def test_scans_dead_rows_and_the_database_counters(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table st (id int primary key, v text, n int)")
        conn.execute("create index st_n on st (n)")
        conn.execute("insert into st select g, 'x' || g, g % 10 from generate_series(1, 1000) g")
        # A whole-table read is one scan however many workers hold rows, and reads every row.
        seq, read = stat(conn, "seq_scan"), stat(conn, "seq_tup_read")
        assert conn.execute("select count(*) from st where v like 'x1%'").fetchone()[0] == 112
        assert (stat(conn, "seq_scan"), stat(conn, "seq_tup_read")) == (seq + 1, read + 1000)
        # A key lookup and an index scan are index scans of their indexes.
        conn.execute("select * from st where id = 7").fetchall()
        conn.execute("select * from st where n = 3").fetchall()
        assert stat(conn, "idx_scan") == 2 and stat(conn, "idx_tup_fetch") == 101
        indexes = {name: (scans, entries) for name, scans, entries in conn.execute(
            "select indexrelname, idx_scan, idx_tup_read from pg_stat_user_indexes where relname = 'st'")}
        assert indexes == {"st_pkey": (1, 1), "st_n": (1, 100)}
        # Updates that set no indexed column are HOT; each update or delete leaves a dead
        # version until the purge (VACUUM runs it now).
        hold = psycopg.connect(keel.dsn())
        hold.execute("begin isolation level repeatable read")
        hold.execute("select count(*) from st").fetchone()
        conn.execute("update st set v = 'y' where id <= 20")
        conn.execute("update st set n = 1 where id = 21")
        conn.execute("delete from st where id > 995")
        assert (stat(conn, "n_tup_upd"), stat(conn, "n_tup_hot_upd"), stat(conn, "n_tup_del")) == (21, 20, 5)
        # The open snapshot may still read the old versions: they stay.
        conn.execute("vacuum st")
        assert stat(conn, "n_dead_tup") == 26 and stat(conn, "n_live_tup") == 995
        hold.rollback()
        hold.close()
        conn.execute("vacuum st")
        assert stat(conn, "n_dead_tup") == 0 and stat(conn, "vacuum_count") == 2
        assert stat(conn, "last_vacuum") is not None

        # Transactions, rows and temporary files in pg_stat_database.
        commits, rollbacks = database(conn, "xact_commit"), database(conn, "xact_rollback")
        conn.execute("begin")
        conn.execute("insert into st values (5000, 'z', 1)")
        conn.execute("rollback")
        conn.execute("insert into st values (5001, 'z', 1)")
        assert database(conn, "xact_rollback") == rollbacks + 1
        assert database(conn, "xact_commit") >= commits + 1
        assert database(conn, "tup_inserted") == 1002 and database(conn, "tup_deleted") == 5
        assert database(conn, "numbackends") == 1 and database(conn, "blks_hit") > 0
        files = database(conn, "temp_files")
        conn.execute("set work_mem = '64kB'")
        assert len(conn.execute("select * from st order by v desc").fetchall()) == 996
        assert database(conn, "temp_files") > files and database(conn, "temp_bytes") > 0
        # Sessions: this one, and one that ends without saying goodbye... counted when it ends.
        sessions = database(conn, "sessions")
        with psycopg.connect(keel.dsn()) as other:
            other.execute("select 1")
        for _ in range(50):
            if database(conn, "sessions") == sessions + 1 and database(conn, "session_time") > 0:
                break
            time.sleep(0.1)
        assert database(conn, "sessions") == sessions + 1
        assert database(conn, "active_time") > 0

        # Resets, for superusers only.
        conn.execute("select pg_stat_reset_single_table_counters('st'::regclass)")
        assert (stat(conn, "seq_scan"), stat(conn, "n_tup_ins")) == (0, 0)
        conn.execute("create role watcher login password 'pw'")
        with psycopg.connect(keel.dsn().replace("user=postgres", "user=watcher password=pw")) as other:
            with pytest.raises(psycopg.errors.InsufficientPrivilege,
                               match="permission denied for function pg_stat_reset"):
                other.execute("select pg_stat_reset()")
        conn.execute("select pg_stat_reset()")
        assert database(conn, "xact_rollback") == 0 and database(conn, "stats_reset") is not None


def test_a_session_sees_its_own_commits_counted(keel):
    """A commit that wrote on several workers releases them by posts the session does not wait
    for; a pg_stat read that follows still counts every row it committed."""
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table st (id int primary key)")
        for round in range(1, 61):
            conn.execute("insert into st select g from generate_series(%s, %s) g",
                         (round * 10 - 9, round * 10))
            assert stat(conn, "n_live_tup") == round * 10


def test_counters_outlive_a_clean_shutdown_not_a_crash(keel):
    """As PostgreSQL's: a clean shutdown keeps every counter; after a crash they start again
    (live rows then from the last ANALYZE's count)."""
    columns = "seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_del, n_live_tup, analyze_count"

    def counters(conn, what=columns):
        return conn.execute(f"select {what} from pg_stat_user_tables where relname = 'st'").fetchone()
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table st (id int primary key)")
        conn.execute("insert into st select generate_series(1, 500)")
        conn.execute("analyze st")
        conn.execute("truncate st")
        conn.execute("insert into st select generate_series(1, 20)")
        assert stat(conn, "n_live_tup") == 20
        conn.execute("insert into st select generate_series(21, 100)")
        conn.execute("analyze st")
        conn.execute("select count(*) from st").fetchone()
        conn.execute("select * from st where id = 7").fetchone()
        before = counters(conn)
        committed = database(conn, "xact_commit")
        blocks = database(conn, "blks_hit + blks_read")
    assert before == (1, 100, 1, 600, 0, 100, 2)
    keel.stop()
    keel.start()
    assert not (keel.data_dir / "keel.pgstat").exists(), "read at start, then removed"
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        assert counters(conn) == before
        assert database(conn, "xact_commit") >= committed
        assert database(conn, "blks_hit + blks_read") >= blocks
        conn.execute("delete from st where id <= 10")
        assert counters(conn, "n_live_tup, n_tup_del") == (90, 10)
    keel.kill()
    keel.start()
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        assert counters(conn) == (0, 0, 0, 0, 0, 100, 0)
        assert conn.execute("select count(*) from st").fetchone()[0] == 90


def test_pg_stat_wal_counts_the_logs(keel, postgres):
    # pgstat.rs WalCounts: records, bytes and durable writes of every worker's log, summed; the
    # view has PostgreSQL's columns and types; pg_stat_reset_shared('wal') sets them back to
    # zero and stamps stats_reset; a bad target is PostgreSQL's 22023.
    def columns(server):
        return [(c.name, c.type_code) for c in server.execute("select * from pg_stat_wal").description]

    with psycopg.connect(keel.dsn(), autocommit=True) as conn, \
            psycopg.connect(postgres.dsn(), autocommit=True) as pconn:
        assert columns(conn) == columns(pconn)
        read = "select wal_records, wal_bytes, wal_write, wal_sync, wal_fpi, stats_reset from pg_stat_wal"
        conn.execute("create table walt (id int primary key, v text)")
        before = conn.execute(read).fetchone()
        for i in range(20):
            conn.execute("insert into walt values (%s, repeat('x', 100))", (i,))
        after = conn.execute(read).fetchone()
        assert after[0] - before[0] >= 20, "a record per insert at least"
        assert after[1] - before[1] >= 20 * 100, "the rows' bytes went to the log"
        assert after[2] - before[2] >= 20, "each autocommit insert waited for a durable write"
        assert after[3] - after[2] == before[3] - before[2], "each write is synced"
        # A read-only statement logs nothing.
        conn.execute("select count(*) from walt")
        assert conn.execute(read).fetchone()[:4] == after[:4]
        # The times show with track_wal_io_timing on (0 with it off, as PostgreSQL's).
        times = "select wal_write_time, wal_sync_time from pg_stat_wal"
        assert conn.execute(times).fetchone() == (0, 0)
        conn.execute("set track_wal_io_timing = on")
        write_time, sync_time = conn.execute(times).fetchone()
        assert write_time == 0 and 0 < sync_time < 60_000, "20 durable writes took some time"
        conn.execute("reset track_wal_io_timing")
        conn.execute("select pg_stat_reset_shared('wal')")
        conn.execute("set track_wal_io_timing = on")
        assert conn.execute(times).fetchone() == (0, 0)
        conn.execute("reset track_wal_io_timing")
        reset = conn.execute(read).fetchone()
        assert reset[:5] == (0, 0, 0, 0, 0)
        assert reset[5] > after[5]
        for server in (conn, pconn):
            with pytest.raises(psycopg.errors.InvalidParameterValue, match='unrecognized reset target: "nope"'):
                server.execute("select pg_stat_reset_shared('nope')")
        assert conn.execute("select pg_stat_reset_shared('bgwriter')").fetchone() == pconn.execute(
            "select pg_stat_reset_shared('bgwriter')").fetchone()
        conn.execute("drop table walt")


def test_pg_stat_bgwriter_counts_checkpoints(keel, postgres):
    # pgstat.rs BgwriterCounts: CHECKPOINT runs a round and waits for it (checkpoints_req), the
    # round's pages and times are counted, pages made new count as allocated;
    # pg_stat_reset_shared('bgwriter') and ('archiver') set them back and stamp stats_reset; the
    # views have PostgreSQL's columns and types; CHECKPOINT needs a superuser, as in PostgreSQL.
    def columns(server, view):
        return [(c.name, c.type_code) for c in server.execute(f"select * from {view}").description]

    with psycopg.connect(keel.dsn(), autocommit=True) as conn, \
            psycopg.connect(postgres.dsn(), autocommit=True) as pconn:
        for view in ("pg_stat_bgwriter", "pg_stat_archiver"):
            assert columns(conn, view) == columns(pconn, view)
        read = ("select checkpoints_req, buffers_checkpoint, checkpoint_write_time, buffers_alloc, "
                "buffers_clean, maxwritten_clean, buffers_backend_fsync, stats_reset from pg_stat_bgwriter")
        before = conn.execute(read).fetchone()
        conn.execute("create table bgw (id int primary key, v text)")
        conn.execute("insert into bgw select g, repeat('x', 300) from generate_series(1, 5000) g")
        assert conn.execute("checkpoint").statusmessage == "CHECKPOINT"
        after = conn.execute(read).fetchone()
        assert after[0] == before[0] + 1
        assert after[1] - before[1] > 100, "the 1.5 MB of new rows went out with the round"
        assert after[2] > before[2]
        assert after[3] - before[3] > 100, "new pages count as allocated"
        assert after[4:7] == (0, 0, 0)
        # In a transaction block too, as in PostgreSQL.
        with conn.transaction():
            conn.execute("checkpoint")
        assert conn.execute(read).fetchone()[0] == before[0] + 2
        conn.execute("select pg_stat_reset_shared('bgwriter')")
        reset = conn.execute(read).fetchone()
        assert reset[:4] == (0, 0, 0, 0) and reset[7] > after[7]
        archiver = "select archived_count, failed_count, last_archived_wal, stats_reset from pg_stat_archiver"
        first = conn.execute(archiver).fetchone()
        assert first[:3] == (0, 0, None)
        conn.execute("select pg_stat_reset_shared('archiver')")
        assert conn.execute(archiver).fetchone()[3] > first[3]
        for server in (conn, pconn):
            server.execute("drop role if exists bgw_nopriv")
            server.execute("create role bgw_nopriv")
            server.execute("set role bgw_nopriv")
            with pytest.raises(psycopg.errors.InsufficientPrivilege,
                               match="must be superuser or have privileges of pg_checkpoint to do CHECKPOINT"):
                server.execute("checkpoint")
            server.execute("reset role")
            server.execute("drop role bgw_nopriv")
        conn.execute("drop table bgw")
