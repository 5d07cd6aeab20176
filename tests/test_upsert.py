"""INSERT ... ON CONFLICT under concurrency: many sessions upserting the same few keys at READ
COMMITTED never fail and lose no increment (each conflict waits for the row's holder, then updates
its newest version), as in PostgreSQL."""

import threading

import psycopg

CLIENTS = 8
ROUNDS = 150
KEYS = 3


def upserter(dsn, sql, key, errors):
    """Runs `sql` ROUNDS times with keys cycling over KEYS values made by `key`."""
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for i in range(ROUNDS):
                conn.execute(sql, (key(i % KEYS),))
    except psycopg.Error as error:
        errors.append(error)


def run_clients(dsn, sql, key):
    errors = []
    threads = [threading.Thread(target=upserter, args=(dsn, sql, key, errors))
               for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]


def test_concurrent_upserts_count_every_increment(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table counters (k int primary key, n int not null)")
    run_clients(keel.dsn(),
                "insert into counters values (%s, 1) on conflict (k) do update set n = counters.n + 1",
                lambda k: k)
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        rows = conn.execute("select k, n from counters order by k").fetchall()
    assert len(rows) == KEYS
    assert sum(n for _, n in rows) == CLIENTS * ROUNDS


def test_repeatable_read_upsert_of_a_row_committed_after_the_snapshot_fails_40001(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as setup:
        setup.execute("create table rr (k int primary key, v text)")
    with psycopg.connect(keel.dsn(), autocommit=True) as a, \
            psycopg.connect(keel.dsn(), autocommit=True) as b:
        a.execute("begin isolation level repeatable read")
        a.execute("select count(*) from rr").fetchone()
        b.execute("insert into rr values (1, 'b')")
        try:
            a.execute("insert into rr values (1, 'a') on conflict (k) do update set v = 'a'")
            raise AssertionError("the upsert should have failed")
        except psycopg.errors.SerializationFailure:
            pass


def test_concurrent_upserts_on_a_unique_column_count_every_increment(keel):
    """Upserts keyed by a UNIQUE column (not the primary key) on rows that exist: each conflict
    is found through the index and updates the row there, none is lost."""
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table visits (id serial primary key, email text unique, n int default 0)")
        for k in range(KEYS):
            conn.execute("insert into visits (email) values (%s)", (f"user{k}@x",))
    run_clients(keel.dsn(),
                "insert into visits (email) values (%s) on conflict (email) do update set n = visits.n + 1",
                lambda k: f"user{k}@x")
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        rows = conn.execute("select email, n from visits order by email").fetchall()
    assert len(rows) == KEYS
    assert sum(n for _, n in rows) == CLIENTS * ROUNDS
