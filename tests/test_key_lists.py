"""Reads by several primary keys (`Access::Keys`, node/sql/src/exec.rs `targets`): an IN list or
`= ANY (array)` on the key is looked up key by key on the keys' owners, as PostgreSQL's index
scan with `= ANY`, not read by scanning the table; and a table whose primary key was added after
it was loaded (pg_dump and pgbench do that) is placed by that key's first column as a table made
with it, so reads by keys taken from another table (a join, `IN (subquery)`, `= (subquery)`) seek
them too. The counters of pg_stat_user_tables show which way each read went; the rows are checked
against PostgreSQL in tests/sql/key_lists.sql."""

import psycopg


def scans(conn, table):
    return conn.execute(
        "select seq_scan, idx_scan, idx_tup_fetch from pg_stat_user_tables where relname = %s", (table,)
    ).fetchone()


def read_by_keys(conn, table, sql, params=()):
    """The rows of `sql` and the scans it made of `table`: (seq scans, index scans)."""
    seq, idx, _ = scans(conn, table)
    cursor = conn.execute(sql, params)
    rows = cursor.fetchall() if cursor.description else None
    after_seq, after_idx, _ = scans(conn, table)
    return rows, (after_seq - seq, after_idx - idx)


def test_key_lists_and_keys_from_other_tables_are_looked_up(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table kl (id int primary key, v text)")
        conn.execute("insert into kl select g, 'v' || g from generate_series(1, 20000) g")
        rows, made = read_by_keys(conn, "kl", "select id from kl where id in (7, 3, 20001, null) order by id")
        assert rows == [(3,), (7,)] and made == (0, 1)
        rows, made = read_by_keys(conn, "kl", "select id, v from kl where id = any(%s) order by id", ([9, 8, 9],))
        assert rows == [(8, "v8"), (9, "v9")] and made == (0, 1)
        assert read_by_keys(conn, "kl", "select id from kl where id in (-1, 0)") == ([], (0, 1))
        # Writes by several keys read them the same way.
        _, made = read_by_keys(conn, "kl", "update kl set v = 'w' where id in (1, 2)")
        assert made == (0, 1)
        # Not on the key: a scan.
        _, made = read_by_keys(conn, "kl", "select id from kl where v in ('v5', 'v6')")
        assert made == (1, 0)

        # Made without a key, loaded, keyed afterwards; then analyzed, as pgbench -i does.
        conn.execute("create table later (id int, n int)")
        conn.execute("insert into later select g, g % 10 from generate_series(1, 20000) g")
        conn.execute("alter table later add primary key (id)")
        conn.execute("create table few (k int primary key)")
        conn.execute("insert into few values (5), (500), (5000)")
        conn.execute("analyze")
        for sql in [
            "select l.id from later l join few f on f.k = l.id order by 1",
            "select id from later where id in (select k from few) order by 1",
        ]:
            rows, made = read_by_keys(conn, "later", sql)
            assert rows == [(5,), (500,), (5000,)], sql
            assert made == (0, 1), sql
        rows, made = read_by_keys(conn, "later", "select id, n from later where id = (select max(k) from few)")
        assert rows == [(5000, 0)] and made == (0, 1)


def index_scans(conn, index):
    return conn.execute("select idx_scan from pg_stat_user_indexes where indexrelname = %s", (index,)).fetchone()[0]


def test_key_lists_on_an_indexed_column_read_its_entries(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table post (id int primary key, author int, slug text)")
        conn.execute("insert into post select g, g % 100, 'p-' || g from generate_series(1, 20000) g")
        conn.execute("create index post_author on post (author)")
        conn.execute("create unique index post_slug on post (slug)")
        for sql, params, index, expected in [
            ("select count(*) from post where author in (1, 2, null)", (), "post_author", [(400,)]),
            ("select count(*) from post where author = any(%s)", ([7, 8, 9],), "post_author", [(600,)]),
            ("select id from post where slug in ('p-5', 'p-6', 'x') order by id", (), "post_slug", [(5,), (6,)]),
        ]:
            before = index_scans(conn, index)
            rows, made = read_by_keys(conn, "post", sql, params)
            assert rows == expected, sql
            assert made[0] == 0 and index_scans(conn, index) == before + 1, sql


def test_key_lists_on_a_leading_key_column_read_under_each_prefix(keel):
    # `ord IN (..)` on a key (ord, line): the rows under each value's prefix of keys, on its one
    # vshard (the table is placed by its first key column), for reads, aggregates and writes.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table ordline (ord bigint, line smallint, sku text, primary key (ord, line))")
        conn.execute("insert into ordline select o, l, 'sku-' || o || '-' || l from generate_series(1, 5000) o, generate_series(1, 4) l")
        conn.execute("create table abc (a int, b int, c int, v int, primary key (a, b, c))")
        conn.execute("insert into abc select a, b, c, a * 100 + b * 10 + c from generate_series(1, 50) a, generate_series(1, 50) b, generate_series(1, 8) c")
        conn.execute("create table named (name text, n int, primary key (name, n))")
        conn.execute("insert into named select 'n' || (g % 500), g from generate_series(1, 5000) g")
        cases = [
            ("ordline", "select ord, line from ordline where ord in (7, 3, 9999, null) order by 1, 2", (),
             [(3, 1), (3, 2), (3, 3), (3, 4), (7, 1), (7, 2), (7, 3), (7, 4)]),
            ("ordline", "select ord, line, sku from ordline where ord = any(%s) and line = 2 order by 1", ([12, 11, 12],),
             [(11, 2, "sku-11-2"), (12, 2, "sku-12-2")]),
            ("ordline", "select count(*), sum(line) from ordline where ord in (1, 2, 3)", (), [(12, 30)]),
            ("abc", "select a, b, count(*), sum(v) from abc where a = 2 and b in (3, 5) group by a, b order by 1, 2", (),
             [(2, 3, 8, 8 * 230 + 36), (2, 5, 8, 8 * 250 + 36)]),
            ("abc", "select count(*) from abc where a in (4, 6)", (), [(800,)]),
        ]
        for table, sql, params, expected in cases:
            rows, made = read_by_keys(conn, table, sql, params)
            assert rows == expected, sql
            assert made == (0, 1), sql
        # Writes under prefixes: only those rows change.
        _, made = read_by_keys(conn, "ordline", "update ordline set sku = 'changed' where ord in (20, 21)")
        assert made == (0, 1)
        assert conn.execute("select count(*) from ordline where sku = 'changed'").fetchone() == (8,)
        rows, made = read_by_keys(conn, "ordline", "delete from ordline where ord = any(%s) returning ord, line", ([30, 31],))
        assert sorted(rows) == [(o, l) for o in (30, 31) for l in range(1, 5)] and made == (0, 1)
        assert conn.execute("select count(*) from ordline").fetchone() == (19992,)
        # Locking reads lock exactly those rows.
        with conn.transaction():
            rows, made = read_by_keys(conn, "ordline", "select ord, line from ordline where ord in (40, 41) and line < 3 order by 1, 2 for update")
            assert rows == [(40, 1), (40, 2), (41, 1), (41, 2)] and made == (0, 1)
        # A text first key column places by the whole key: a scan.
        rows, made = read_by_keys(conn, "named", "select count(*) from named where name in ('n1', 'n2')")
        assert rows == [(20,)] and made == (1, 0)
