"""Advisory locks (pg_advisory_lock and its family), as migration tools and job queues use them:
the same calls in concurrent sessions give the same answers on Keel and on PostgreSQL 15 (try
results, unlock results, who waits and who gets the lock, pg_locks' advisory rows, deadlock and
lock_timeout errors)."""

import threading
import time

import psycopg
import pytest

LOCKS = ("select locktype, classid::bigint, objid::bigint, objsubid, mode, granted from pg_locks "
         "where locktype = 'advisory' order by classid, objid, objsubid, mode, granted")


def connect(dsn):
    return psycopg.connect(dsn, autocommit=True)


def one(conn, sql, *params):
    return conn.execute(sql, params).fetchone()[0]


def deadlocks(conn):
    return one(conn, "select deadlocks from pg_stat_database where datname = current_database()")


def scenario(dsn):
    """Runs the calls on a server; returns what each answered, in order."""
    seen = []
    a, b, watcher = connect(dsn), connect(dsn), connect(dsn)
    try:
        one(a, "select pg_advisory_lock(1)")
        one(a, "select pg_advisory_lock(1)")  # taken twice: held until unlocked twice
        one(a, "select pg_advisory_lock_shared(5, 6)")
        one(a, "select pg_advisory_lock(%s)", (7 << 32) + 9)
        seen.append(("try exclusive", one(b, "select pg_try_advisory_lock(1)")))
        seen.append(("try shared of a shared", one(b, "select pg_try_advisory_lock_shared(5, 6)")))
        seen.append(("try exclusive of a shared", one(b, "select pg_try_advisory_lock(5, 6)")))
        seen.append(("other key space", one(b, "select pg_try_advisory_lock(6)")))
        seen.append(("locks", watcher.execute(LOCKS).fetchall()))
        seen.append(("unlock once", one(a, "select pg_advisory_unlock(1)")))
        seen.append(("still held", one(b, "select pg_try_advisory_lock(1)")))
        seen.append(("unlock again", one(a, "select pg_advisory_unlock(1)")))
        # Unlocking a lock not held answers false with PostgreSQL's WARNING.
        notices = []
        a.add_notice_handler(lambda d: notices.append((d.severity, d.sqlstate, d.message_primary)))
        seen.append(("unlock not held", one(a, "select pg_advisory_unlock(1)")))
        seen.append(("unlock shared not held", one(a, "select pg_advisory_unlock_shared(5)")))
        seen.append(("unlock of another's", one(b, "select pg_advisory_unlock(%s)", (7 << 32) + 9)))
        seen.append(("warnings", notices))

        # A waiter gets the lock when its holder lets go.
        one(a, "select pg_advisory_lock(2)")
        got = []

        def wait_for_it():
            with connect(dsn) as c:
                c.execute("select pg_advisory_lock(2)")
                got.append(time.monotonic())
                c.execute("select pg_advisory_unlock(2)")

        waiter = threading.Thread(target=wait_for_it)
        waiter.start()
        time.sleep(0.5)
        seen.append(("waiting", got == [],
                     watcher.execute("select count(*) from pg_locks where locktype = 'advisory' "
                                     "and not granted").fetchone()[0]))
        released = time.monotonic()
        one(a, "select pg_advisory_unlock(2)")
        waiter.join(10)
        seen.append(("woken after the release", len(got) == 1 and got[0] >= released))

        # Transaction locks go with their transaction, commit or rollback.
        with a.transaction():
            one(a, "select pg_advisory_xact_lock(3)")
            seen.append(("xact held", one(b, "select pg_try_advisory_lock(3)")))
        seen.append(("xact after commit", one(b, "select pg_try_advisory_xact_lock(3)")))
        a.execute("begin")
        one(a, "select pg_try_advisory_xact_lock_shared(4)")
        a.execute("rollback")
        seen.append(("xact after rollback", one(b, "select pg_try_advisory_lock(4)")))

        # lock_timeout ends a wait with 55P03.
        b.execute("set lock_timeout = '200ms'")
        one(b, "select pg_advisory_lock(10)")
        a.execute("set lock_timeout = '200ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable) as error:
            a.execute("select pg_advisory_lock(10)")
        seen.append(("lock timeout", str(error.value).splitlines()[0]))
        a.execute("reset lock_timeout")
        b.execute("reset lock_timeout")

        # Two sessions waiting for each other: one is told 40P01 (and pg_stat_database counts
        # it), the other gets its lock.
        deadlocks_before = deadlocks(watcher)
        one(a, "select pg_advisory_lock(20)")
        one(b, "select pg_advisory_lock(21)")
        outcome = {}

        def cross():
            try:
                a.execute("select pg_advisory_lock(21)")
                outcome["a"] = "locked"
            except psycopg.errors.DeadlockDetected:
                outcome["a"] = "deadlock"
                a.execute("select pg_advisory_unlock_all()")

        t = threading.Thread(target=cross)
        t.start()
        time.sleep(0.3)
        try:
            b.execute("select pg_advisory_lock(20)")
            outcome["b"] = "locked"
        except psycopg.errors.DeadlockDetected:
            outcome["b"] = "deadlock"
            b.execute("select pg_advisory_unlock_all()")
        t.join(10)
        seen.append(("deadlock", sorted(outcome.values())))
        # PostgreSQL publishes a backend's counts within a second or so: read until they land.
        for _ in range(50):
            if deadlocks(watcher) > deadlocks_before:
                break
            time.sleep(0.1)
        seen.append(("deadlocks counted", deadlocks(watcher) - deadlocks_before))

        # A session's locks go when it ends.
        a.close()
        time.sleep(0.2)
        seen.append(("after the holder left", one(b, "select pg_try_advisory_lock(20)")))
        seen.append(("null key", one(b, "select pg_try_advisory_lock(NULL::bigint)")))
    finally:
        for conn in (a, b, watcher):
            conn.close()
    return seen


def test_advisory_locks_answer_as_postgres_does(keel, postgres):
    theirs = scenario(postgres.dsn())
    ours = scenario(keel.dsn())
    assert ours == theirs
    assert dict((k, v) for k, *v in theirs)["deadlock"] == [["deadlock", "locked"]]


def test_a_blocked_lock_in_a_statement_that_cannot_wait_says_so(keel):
    with connect(keel.dsn()) as a, connect(keel.dsn()) as b:
        a.execute("create table jobs (id int primary key)")
        a.execute("insert into jobs values (1), (2)")
        one(a, "select pg_advisory_lock(1)")
        # The try form in a query over rows (job queues' way) answers per row.
        assert b.execute("select id, pg_try_advisory_lock(id) from jobs order by id").fetchall() == \
            [(1, False), (2, True)]
        with pytest.raises(psycopg.errors.LockNotAvailable, match="could not obtain advisory lock"):
            b.execute("select pg_advisory_lock(id) from jobs where id = 1")
