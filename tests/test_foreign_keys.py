"""FOREIGN KEY constraints under concurrency, against PostgreSQL 15 for the expected outcome: a
referencing row inserted in an open transaction holds its referenced row (FOR SHARE), so a
DELETE of that row waits and then fails with 23503 once the insert commits; an insert that
references a row being deleted waits and then fails; two inserts referencing one row do not
wait for each other. No orphan is left either way. Many
clients inserting children while others delete parents end with every child's parent there."""

import random
import threading
import time

import psycopg
import pytest


def setup(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table if exists fk_child")
        conn.execute("drop table if exists fk_parent")
        conn.execute("create table fk_parent (id int primary key)")
        conn.execute("create table fk_child (id int primary key, pid int references fk_parent)")
        conn.execute("insert into fk_parent select g from generate_series(1, 40) g")


def teardown(dsn):
    # The PostgreSQL server is shared with other tests: leave nothing behind.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop table fk_child, fk_parent")


def race(dsn, first, second):
    """`first` in an open transaction, `second` from another session meanwhile: whether second
    waited for first's commit, and how it ended."""
    with psycopg.connect(dsn, autocommit=True) as a, psycopg.connect(dsn, autocommit=True) as b:
        a.execute("begin")
        a.execute(first)
        outcome = {}

        def run():
            try:
                b.execute(second)
                outcome["result"] = "ok"
            except psycopg.Error as error:
                outcome["result"] = error.sqlstate

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.5)
        waited = thread.is_alive()
        a.execute("commit")
        thread.join(timeout=30)
        return waited, outcome.get("result")


@pytest.mark.parametrize("first, second", [
    ("insert into fk_child values (1, 1)", "delete from fk_parent where id = 1"),
    ("delete from fk_parent where id = 2", "insert into fk_child values (2, 2)"),
    ("insert into fk_child values (3, 3)", "insert into fk_child values (4, 3)"),
])
def test_races_end_as_in_postgres(keel, postgres, first, second):
    outcomes = []
    for server in (postgres, keel):
        setup(server.dsn())
        outcomes.append(race(server.dsn(), first, second))
        teardown(server.dsn())
    assert outcomes[1] == outcomes[0]


def orphans(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(
            "select count(*) from fk_child c where not exists "
            "(select 1 from fk_parent p where p.id = c.pid)").fetchone()[0]


def test_concurrent_inserts_and_deletes_leave_no_orphans(keel):
    dsn = keel.dsn()
    setup(dsn)
    errors = []

    def inserter(n):
        rng = random.Random(n)
        with psycopg.connect(dsn, autocommit=True) as conn:
            for i in range(60):
                try:
                    conn.execute("insert into fk_child values (%s, %s)",
                                 (n * 1000 + i, rng.randint(1, 40)))
                except psycopg.errors.ForeignKeyViolation:
                    pass
                except psycopg.Error as error:
                    errors.append(error)

    def deleter(n):
        rng = random.Random(100 + n)
        with psycopg.connect(dsn, autocommit=True) as conn:
            for _ in range(30):
                try:
                    conn.execute("delete from fk_parent where id = %s", (rng.randint(1, 40),))
                except psycopg.errors.ForeignKeyViolation:
                    pass
                except psycopg.Error as error:
                    errors.append(error)

    threads = [threading.Thread(target=inserter, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=deleter, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert orphans(dsn) == 0
