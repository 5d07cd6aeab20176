"""Relation locks: LOCK TABLE and the locks statements and DDL take on the tables they use.
The same statements in concurrent sessions give the same answers on Keel and on PostgreSQL 15:
who waits for whom (a reader holds off DDL, DDL holds off readers that come after it, EXCLUSIVE
holds off writers but not readers), pg_locks' relation rows, pg_stat_activity's wait event and
pg_blocking_pids (holders and waiters queued ahead), NOWAIT, lock_timeout, deadlocks,
privileges, read-only transactions (any mode: PostgreSQL limits them only on a standby) and
views."""

import threading
import time

import psycopg
import pytest

RELATIONS = "('rl_t'::regclass, 'rl_u'::regclass, 'rl_v'::regclass)"
LOCKS = ("select relation::regclass::text, mode, granted from pg_locks "
         f"where locktype = 'relation' and relation in {RELATIONS} order by 1, 2, 3")


def connect(dsn, autocommit=True):
    return psycopg.connect(dsn, autocommit=autocommit)


def error_of(conn, sql):
    """The SQLSTATE and first line of the error `sql` gives (None when it succeeds)."""
    try:
        conn.execute(sql)
    except psycopg.Error as error:
        return (error.sqlstate, str(error).splitlines()[0])
    return None


class Background:
    """Runs statements on a connection in a thread; records each one's answer and when it came."""

    def __init__(self, conn, *statements):
        self.done = []
        self.thread = threading.Thread(target=self.run, args=(conn, statements))
        self.thread.start()

    def run(self, conn, statements):
        for sql in statements:
            try:
                cur = conn.execute(sql)
                rows = cur.fetchall() if cur.description else cur.statusmessage
                self.done.append(("ok", rows, time.monotonic()))
            except psycopg.Error as error:
                self.done.append((error.sqlstate, str(error).splitlines()[0], time.monotonic()))

    def join(self):
        self.thread.join(10)
        assert not self.thread.is_alive()
        return [(status, rows) for status, rows, _ in self.done]


def settle():
    time.sleep(0.4)


def waiting(watcher):
    return watcher.execute(
        f"select relation::regclass::text, mode from pg_locks where locktype = 'relation' "
        f"and relation in {RELATIONS} and not granted order by 1, 2").fetchall()


def who_waits(watcher, sessions):
    """Per session (by name): its wait event and the sessions pg_blocking_pids names (by name)."""
    names = {conn.info.backend_pid: name for name, conn in sessions.items()}
    out = []
    for name, conn in sessions.items():
        pid = conn.info.backend_pid
        event = watcher.execute(
            "select wait_event_type, wait_event from pg_stat_activity where pid = %s", (pid,)).fetchone()
        blockers = watcher.execute("select pg_blocking_pids(%s)", (pid,)).fetchone()[0]
        waiting = event if event and event[0] == "Lock" else None
        out.append((name, waiting, sorted(names.get(p, "?") for p in blockers)))
    return out


def scenario(dsn):
    seen = []
    a, b, c, watcher = connect(dsn), connect(dsn), connect(dsn), connect(dsn)
    try:
        a.execute("drop view if exists rl_v")
        a.execute("drop table if exists rl_t, rl_u")
        a.execute("drop sequence if exists rl_s")
        a.execute("drop role if exists rl_reader")
        a.execute("create table rl_t (id int primary key, v int)")
        a.execute("create table rl_u (id int primary key)")
        a.execute("create view rl_v as select id from rl_t")
        a.execute("create sequence rl_s")
        a.execute("insert into rl_t values (1, 10), (2, 20)")

        seen.append(("outside a block", error_of(a, "lock table rl_t")))
        seen.append(("unknown", error_of(a, "begin; lock table rl_nope")))
        a.execute("rollback")
        seen.append(("sequence", error_of(a, "begin; lock table rl_s")))
        a.execute("rollback")
        seen.append(("bad mode", error_of(a, "lock rl_t in share share mode")))

        # A held ACCESS SHARE lock: pg_locks shows it; NOWAIT for a conflicting one fails.
        a.execute("begin")
        a.execute("lock table rl_t in access share mode")
        seen.append(("held", watcher.execute(LOCKS).fetchall()))
        b.execute("begin")
        seen.append(("nowait", error_of(b, "lock table rl_t in access exclusive mode nowait")))
        b.execute("rollback")
        seen.append(("compatible nowait", error_of(b, "begin; lock only rl_t in row exclusive mode nowait")))
        seen.append(("star", error_of(b, "lock rl_t * in row share mode nowait")))
        seen.append(("only and star", error_of(b, "lock only rl_t * in row share mode")))
        b.execute("rollback")

        # DDL waits for the reader; a reader that comes after the DDL queues behind it and then
        # sees the DDL's column.
        ddl = Background(b, "alter table rl_t add column w int")
        settle()
        seen.append(("ddl waits", waiting(watcher), ddl.done == []))
        reader = Background(c, "select * from rl_t order by id")
        settle()
        seen.append(("reader queued behind ddl", waiting(watcher), reader.done == []))
        seen.append(("who waits", who_waits(watcher, {"a": a, "b": b, "c": c})))
        a.execute("commit")
        seen.append(("ddl ran", ddl.join()))
        seen.append(("reader saw it", reader.join()))

        # EXCLUSIVE holds off writers, not readers.
        a.execute("begin")
        a.execute("lock table rl_t in exclusive mode")
        seen.append(("reader goes", b.execute("select count(*) from rl_t").fetchone()[0]))
        writer = Background(b, "insert into rl_t values (3, 30, null)")
        settle()
        seen.append(("writer waits", waiting(watcher), writer.done == []))
        seen.append(("who waits for exclusive", who_waits(watcher, {"a": a, "b": b})))
        a.execute("commit")
        seen.append(("writer ran", writer.join()))

        # A view's lock is taken on what it reads too.
        a.execute("begin")
        a.execute("lock table rl_v in share mode")
        seen.append(("view locks", watcher.execute(LOCKS).fetchall()))
        writer = Background(b, "update rl_t set v = v + 1 where id = 1")
        settle()
        seen.append(("writer waits for the view's lock", waiting(watcher), writer.done == []))
        a.execute("rollback")
        seen.append(("writer ran", writer.join()))

        # DROP TABLE waits for the transaction that read the table.
        a.execute("begin")
        a.execute("select count(*) from rl_u").fetchone()
        drop = Background(b, "drop table rl_u")
        settle()
        seen.append(("drop waits", drop.done == []))
        a.execute("commit")
        seen.append(("drop ran", drop.join()))
        a.execute("create table rl_u (id int primary key)")

        # lock_timeout ends a wait.
        a.execute("begin")
        a.execute("lock table rl_t")
        b.execute("set lock_timeout = '200ms'")
        seen.append(("lock timeout", error_of(b, "select count(*) from rl_t")))
        b.execute("reset lock_timeout")
        a.execute("rollback")

        # Two transactions waiting for each other: one is told 40P01, the other goes on.
        a.execute("begin")
        a.execute("lock table rl_t in share mode")
        b.execute("begin")
        b.execute("lock table rl_u in share mode")
        crossing = Background(a, "lock table rl_u in exclusive mode")
        settle()
        outcome = error_of(b, "lock table rl_t in exclusive mode")
        results = crossing.join()
        seen.append(("deadlock", sorted([
            "deadlock" if outcome and outcome[0] == "40P01" else "locked",
            "deadlock" if results[0][0] == "40P01" else "locked",
        ])))
        a.execute("rollback")
        b.execute("rollback")

        # Privileges (PostgreSQL 15): SELECT allows ACCESS SHARE only; none, nothing.
        a.execute("create role rl_reader")
        a.execute("grant select on rl_t to rl_reader")
        b.execute("begin")
        b.execute("set role rl_reader")
        seen.append(("select allows access share", error_of(b, "lock table rl_t in access share mode")))
        seen.append(("not share", error_of(b, "lock table rl_t in share mode")))
        b.execute("rollback")
        b.execute("begin")
        b.execute("set role rl_reader")
        seen.append(("no privilege", error_of(b, "lock table rl_u in access share mode")))
        b.execute("rollback")
        b.execute("reset role")

        # Two ALTER TABLEs of one table: the second waits, then changes what the first made.
        # (Keel's DDL transactions are serial: the second waits for the catalog lock, which
        # pg_locks does not list, so only the wait itself is compared.)
        a.execute("begin")
        a.execute("alter table rl_t add column x1 int")
        second = Background(b, "alter table rl_t add column x2 int")
        settle()
        seen.append(("second ddl waits", second.done == []))
        a.execute("commit")
        seen.append(("second ddl ran", second.join()))
        seen.append(("both columns", [r[0] for r in watcher.execute(
            "select column_name from information_schema.columns where table_name = 'rl_t' "
            "order by ordinal_position").fetchall()]))

        # A read-only transaction may take any mode (PostgreSQL limits them only on a standby).
        b.execute("begin transaction isolation level repeatable read, read only")
        seen.append(("read only access share", error_of(b, "lock table rl_t in access share mode")))
        seen.append(("read only exclusive", error_of(b, "lock table rl_t in access exclusive mode")))
        b.execute("rollback")
        seen.append(("all released", watcher.execute(LOCKS).fetchall()))
    finally:
        for conn in (a, b, c, watcher):
            conn.close()
    cleanup = connect(dsn)
    cleanup.execute("drop view if exists rl_v")
    cleanup.execute("drop table if exists rl_t, rl_u")
    cleanup.execute("drop sequence if exists rl_s")
    cleanup.execute("drop role if exists rl_reader")
    cleanup.close()
    return seen


def test_relation_locks_answer_as_postgres_does(keel, postgres):
    theirs = scenario(postgres.dsn())
    ours = scenario(keel.dsn())
    for mine, expected in zip(ours, theirs):
        assert mine == expected
    assert len(ours) == len(theirs)
    assert dict((k, v) for k, *v in theirs)["deadlock"] == [["deadlock", "locked"]]


def test_a_statement_that_waited_for_ddl_binds_against_it(keel):
    """A prepared statement that waited behind a DROP of the table it reads fails as a fresh
    one would (42P01), instead of reading a table that is gone."""
    with connect(keel.dsn()) as a, connect(keel.dsn()) as b:
        a.execute("create table rl_gone (id int)")
        a.execute("insert into rl_gone values (1)")
        b.execute("prepare q as select count(*) from rl_gone")
        assert b.execute("execute q").fetchone()[0] == 1
        a.execute("begin")
        a.execute("drop table rl_gone")
        pending = Background(b, "execute q")
        settle()
        assert pending.done == []
        a.execute("commit")
        [(status, message)] = pending.join()
        assert status == "42P01", message
        assert 'relation "rl_gone" does not exist' in message


def test_rollback_to_a_savepoint_releases_the_catalog_lock_ddl_took_since(keel):
    """Keel runs DDL transactions one at a time (the catalog lock). ROLLBACK TO a savepoint that
    came before a transaction's first DDL releases that lock with the DDL's other locks, so DDL
    of another session goes on, and the transaction's later DDL builds on the catalog that
    session published. DDL before the savepoint keeps the lock held until the end."""
    with connect(keel.dsn()) as a, connect(keel.dsn()) as b:
        a.execute("begin")
        a.execute("savepoint s")
        a.execute("create table rlsp_x (id int)")
        other = Background(b, "create table rlsp_y (id int)")
        settle()
        assert other.done == []
        a.execute("rollback to s")
        [(status, _)] = other.join()
        assert status == "ok"
        a.execute("create table rlsp_z (id int)")
        a.execute("commit")
        names = "select relname from pg_class where relname like 'rlsp%' order by 1"
        assert a.execute(names).fetchall() == [("rlsp_y",), ("rlsp_z",)]

        a.execute("begin")
        a.execute("alter table rlsp_z add column v int")
        a.execute("savepoint s")
        a.execute("alter table rlsp_z add column w int")
        other = Background(b, "drop table rlsp_y")
        settle()
        a.execute("rollback to s")
        settle()
        assert other.done == []
        a.execute("commit")
        [(status, _)] = other.join()
        assert status == "ok"
        columns = "select column_name from information_schema.columns where table_name = 'rlsp_z' order by 1"
        assert a.execute(columns).fetchall() == [("id",), ("v",)]
        assert a.execute(names).fetchall() == [("rlsp_z",)]
        a.execute("drop table rlsp_z")
