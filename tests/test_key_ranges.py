"""Primary key ranges and key-ordered reads (node/sql/src/fragment.rs `ordered_scan`,
`Access::Range`): a condition on the primary key's leading columns reads each vshard's tree from
the range's start, and ORDER BY the primary key with a LIMIT (or min/max of its first column) reads each
worker's first rows in key order, merged across its vshards in batches and parts; ORDER BY a secondary
index's columns reads its entries in order on every worker, merged in rounds, and fetches their rows
(exec.rs `index_ordered_read`); ORDER BY other columns with a LIMIT sorts each part of the read on its
worker and returns its first rows (fragment.rs `TopRows`). The rows must be PostgreSQL's for every
shape: ascending and descending, OFFSET, composite keys, text and timestamp keys, filters that keep
few rows (so that a part ends on its visit budget), limits past one part's rows, MVCC snapshots
with rows deleted and updated under them, and an odd number of workers."""

import hashlib
import subprocess

import psycopg
import pytest

ROWS = 200_000
SETUP = [
    "create table big (id int primary key, k int, pad text)",
    f"insert into big select g, (g * 7919) % 100003, md5(g::text) from generate_series(1, {ROWS}) g",
    "create table pairs (a int, b text, v int, primary key (a, b))",
    "insert into pairs select g / 10, chr(97 + g % 10) || (g % 7)::text, g from generate_series(1, 20000) g",
    "create table names (name text primary key, n int)",
    "insert into names select md5(g::text), g from generate_series(1, 5000) g",
    "create table events (at timestamp primary key, n int)",
    "insert into events select timestamp '2026-01-01' + g * interval '1 minute', g from generate_series(1, 5000) g",
    # Deleted and updated rows leave tombstones and older versions in the trees.
    "delete from big where id % 5 = 0 and id < 20000",
    "update big set k = -k where id % 7 = 0 and id < 30000",
    "create view big_v as select id, pad from big",
    # Secondary indexes read in order (a nullable column, a composite one, a unique one).
    "create table ev (id int primary key, created int, cat int not null, score int, note text)",
    "insert into ev select g, case when g % 17 = 0 then null else (g * 7919) % 50000 end, g % 5, g % 97, "
    "md5(g::text) from generate_series(1, 100000) g",
    "create index ev_created on ev (created)",
    "create index ev_cat_score on ev (cat, score)",
    "create unique index ev_note on ev (note)",
    "delete from ev where id % 11 = 0 and id < 30000",
    "update ev set created = created + 1 where id % 13 = 0 and id < 40000",
]

# Ordered by the primary key with a LIMIT: read in key order on each worker.
ORDERED = [
    "select * from big order by id limit 10",
    "select id, k from big order by id desc limit 25 offset 5",
    "select id, pad from big where id > 123456 order by id limit 20000",
    "select id from big where id <= 150000 order by id desc limit 30000 offset 100",
    # Sorted on columns no key gives: each worker sorts its parts (several per worker here)
    # and returns their first LIMIT + OFFSET rows (fragment.rs TopRows).
    "select id, k from big order by k desc, id limit 30",
    "select id, pad from big where k % 3 = 1 order by pad, id limit 40 offset 60",
    "select id, k from big order by k, id limit 2048",
    "select id from (select id, k from big order by k desc, id desc limit 25) s order by id",
    "select id, created from ev order by note desc limit 12",
    # Few rows pass: parts end on their visit budget, not on rows.
    "select id, k from big where k % 97 = 3 order by id limit 1500",
    "select id from big where k % 1000 = 7 and id > 5000 order by id desc limit 100",
    "select * from big where id < 0 order by id limit 5",
    "select id from big where id > 199990 order by id limit 50",
    "select id from big where id between 100 and 130 order by id desc limit 100",
    "select id, k from big where k < 0 order by id, k limit 40",
    "select * from pairs order by a, b limit 33",
    "select * from pairs where a = 77 order by a, b limit 100",
    "select * from pairs where a = 77 and b > 'e' order by a desc, b desc limit 3",
    "select * from pairs where a between 10 and 12 order by a, b limit 7 offset 2",
    "select * from pairs where a >= 1990 order by a desc, b desc limit 12",
    # A column the range fixes is left out of the order; a prefix of the key orders too.
    "select * from pairs where a = 77 order by b limit 3",
    "select * from pairs where a = 77 order by b desc limit 4 offset 1",
    "select * from pairs where a = 77 order by a desc, b limit 2",
    "select b, v from pairs where a = 1500 and b > 'c' order by b desc limit 5",
    "select a from pairs order by a limit 25",
    "select a from pairs where a < 100 order by a desc limit 31",
    "select a, count(*) from (select a from pairs order by a desc limit 25) s group by a order by a",
    "select * from names where name >= 'c' order by name limit 10",
    "select * from names where name like 'ab%' order by name desc limit 5",
    "select * from names order by name desc limit 3 offset 4997",
    "select * from events where at >= '2026-01-02' order by at limit 4",
    "select * from events where at < '2026-01-01 03:00' order by at desc limit 6",
    # Query trees: a LIMIT over a sort over a scan (through views and projections).
    "select * from big_v order by id desc limit 7",
    "select * from (select id, k from big where k > 50000 order by id limit 9) s order by k",
    "with t as (select id from big where id > 1000 order by id limit 6) select sum(id), count(*) from t",
    "select id from big where id < 50 order by id limit null",
    "select id from big where id < 50 order by id limit all offset 40",
    "select x.id, y.id from (select id from big order by id limit 3) x, (select id from big order by id desc limit 2) y order by 1, 2",
    "select p.a, l.id from (select distinct a from pairs where a between 1 and 3) p, "
    "lateral (select id from big where big.id > p.a * 1000 order by id limit 2) l order by 1, 2",
    "select a, (select id from big where big.id > pairs.a * 10 order by id limit 1) from pairs where a < 4 and b = 'b1' order by 1",
    "select id from big where id in (select id from big where k > 99990 order by id limit 3) order by id",
    # Through a secondary index: its entries in order on every worker, merged, rows fetched.
    "select id, created from ev order by created, id limit 20",
    "select id, created from ev order by created desc, id desc limit 15 offset 3",
    "select id, created from ev order by created desc nulls last, id desc limit 10",
    "select id, created from ev order by created nulls first, id limit 8 offset 5000",
    "select id, created from ev order by created, id limit 1000 offset 91000",
    "select id, created, score from ev where score = 3 order by created, id limit 25",
    "select id, created from ev where note like 'ab%' order by created desc, id desc limit 7",
    "select id, created from ev where created > 49990 order by created, id limit 30",
    "select id, cat, score from ev where cat = 2 order by score desc, id desc limit 12",
    "select id, cat, score from ev where cat = 2 and score < 40 order by score, id limit 9",
    "select id, cat, score from ev where cat = 4 and score between 10 and 12 order by cat, score desc, id desc limit 30",
    "select note from ev order by note limit 5",
    "select note, id from ev where id > 50000 order by note desc limit 6",
    "select * from (select id, created from ev where cat = 1 order by created desc, id desc limit 4) s order by id",
    "with t as (select id, created from ev where created > 49000 order by created, id limit 5) select count(*), sum(id) from t",
    "select id from ev where created is null order by created, id limit 3",
    "select id from ev where created > 100000 order by created limit 3",
]

# A key range without ORDER BY (rows compared sorted), and aggregates over ranges.
RANGES = [
    "select id, k from big where id between 1000 and 1200 and k > 50000",
    "select id from big where id > 199000",
    "select id from big where 150 >= id",
    "select * from pairs where a = 5",
    "select * from pairs where a = 5 and b >= 'c' and b < 'g'",
    "select * from names where name between 'a0' and 'a2'",
    "select count(*), sum(k), min(id), max(id) from big where id >= 150000",
    "select count(*) from big where id between 1000 and 2000",
    "select a, count(*) from pairs where a < 4 group by a",
    # min/max of the first key column: the first row in key order, either way.
    "select max(id) from big",
    "select min(id), max(id) from big where id > 100 and k > 0",
    "select min(id) from big where k % 1000 = 999",
    "select max(id) from big where id < 0",
    "select max(id) + 1, min(id) * 2 from big having max(id) > 5",
    "select max(id) from big having max(id) < 5",
    "select max(a), min(a) from pairs where b > 'j'",
    "select min(name), max(name) from names",
    "select max(at), min(at) from events where n between 100 and 200",
    # ... and of a secondary index's first column: its first entries either way, NULLs left out.
    "select min(created), max(created) from ev",
    "select max(created) from ev where score = 3 and cat = 1",
    "select min(created) from ev where created > 40000",
    "select max(note), min(note) from ev where id < 5000",
]


def run(args, sql):
    out = subprocess.run(args + ["-qAt", "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return out.stdout


@pytest.fixture(scope="module")
def pg_db(postgres):
    with postgres.database("keyranges", SETUP) as args:
        yield args


@pytest.mark.parametrize("cores", [2, 3])
def test_key_ranges_and_ordered_reads_match_postgres(keel_factory, pg_db, cores):
    keel = keel_factory(cores=cores).start()
    args = keel.psql_args()
    subprocess.run(args + ["-q"] + [x for s in SETUP for x in ("-c", s)], check=True)
    for sql in ORDERED:
        ours, theirs = run(args, sql), run(pg_db, sql)
        assert hashlib.md5(ours).digest() == hashlib.md5(theirs).digest(), (sql, ours[:300], theirs[:300])
    for sql in RANGES:
        ours, theirs = run(args, sql), run(pg_db, sql)
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines()), sql
    # Both shown as a scan of the primary key, with the range as its index condition.
    plan = run(args, "explain select * from big where id > 500 and k = 3 order by id limit 5").decode()
    assert "Index Scan using big_pkey on big" in plan and "Index Cond: (id > 500)" in plan, plan
    assert "Filter: (k = 3)" in plan, plan
    plan = run(args, "explain select * from big_v order by id desc limit 3").decode()
    assert "Index Scan Backward using big_pkey on big" in plan, plan
    plan = run(args, "explain select * from pairs where a = 77 order by b desc limit 4").decode()
    assert "Index Scan Backward using pairs_pkey on pairs" in plan and "Index Cond: (a = 77)" in plan, plan
    plan = run(args, "explain select * from big_v order by id desc limit 300000").decode()
    assert "Seq Scan on big" in plan, plan
    plan = run(args, "explain select * from pairs where a = 5 and b < 'c'").decode()
    assert "Index Cond: ((a = 5) AND (b < 'c'::text))" in plan, plan
    plan = run(args, "explain select id from ev order by created desc, id desc limit 5").decode()
    assert "Index Scan Backward using ev_created on ev" in plan, plan
    plan = run(args, "explain select * from (select id from ev where cat = 2 order by score limit 5) s").decode()
    assert "Index Scan using ev_cat_score on ev" in plan, plan
    # A secondary index's equalities and bounds are its Index Cond, the rest the Filter.
    plan = run(args, "explain select * from ev where cat = 2 and score < 40 and id > 5").decode()
    assert "Index Scan using ev_cat_score on ev" in plan, plan
    assert "Index Cond: ((cat = 2) AND (score < 40))" in plan and "Filter: (id > 5)" in plan, plan
    # The index's statistics count the ordered reads.
    before = run(args, "select idx_scan from pg_stat_user_indexes where indexrelname = 'ev_created'")
    run(args, "select id from ev order by created limit 3")
    after = run(args, "select idx_scan from pg_stat_user_indexes where indexrelname = 'ev_created'")
    assert int(after) > int(before), (before, after)


def test_ordered_reads_see_their_snapshot(keel):
    setup = ["create table t (id int primary key, v int)",
             "insert into t select g, g from generate_series(1, 50000) g"]
    subprocess.run(keel.psql_args() + ["-q"] + [x for s in setup for x in ("-c", s)], check=True)
    with psycopg.connect(keel.dsn(), autocommit=True) as reader, psycopg.connect(keel.dsn(), autocommit=True) as writer:
        reader.execute("begin isolation level repeatable read")
        first = reader.execute("select id, v from t where id > 100 order by id limit 1000").fetchall()
        # Another session deletes, updates and inserts around the range the reader reads.
        writer.execute("delete from t where id between 101 and 600")
        writer.execute("update t set v = -v where id between 601 and 2000")
        writer.execute("insert into t select g, g from generate_series(-500, 0) g")
        assert reader.execute("select id, v from t where id > 100 order by id limit 1000").fetchall() == first
        assert reader.execute("select id from t order by id limit 3").fetchall() == [(1,), (2,), (3,)]
        assert reader.execute("select id from t order by id desc limit 2").fetchall() == [(50000,), (49999,)]
        reader.execute("commit")
        # A new statement sees the changes.
        assert reader.execute("select id, v from t where id > 100 order by id limit 2").fetchall() == [(601, -601), (602, -602)]
        assert reader.execute("select id from t order by id limit 2").fetchall() == [(-500,), (-499,)]
        # Parameters bound in the protocol give the range and the LIMIT.
        assert reader.execute("select id from t where id >= %s order by id desc limit %s", (49990, 3)).fetchall() == \
            [(50000,), (49999,), (49998,)]
        # Through a secondary index: entries written, moved and removed after the snapshot.
        writer.execute("create index t_v on t (v)")
        reader.execute("begin isolation level repeatable read")
        low = reader.execute("select id, v from t order by v, id limit 300").fetchall()
        high = reader.execute("select id, v from t order by v desc limit 50").fetchall()
        writer.execute("update t set v = v - 100000 where id between 40000 and 40100")
        writer.execute("delete from t where v between -2000 and -1000")
        writer.execute("update t set v = v + 1000000 where id between 100 and 200")
        assert reader.execute("select id, v from t order by v, id limit 300").fetchall() == low
        assert reader.execute("select id, v from t order by v desc limit 50").fetchall() == high
        reader.execute("commit")
        assert reader.execute("select id, v from t order by v limit 2").fetchall() == [(40000, -60000), (40001, -59999)]
        assert reader.execute("select id from t order by v desc limit 1").fetchall() == [(100,)]


WRITES = [
    "create table w (id int primary key, v int)",
    "insert into w select g, g from generate_series(1, 10000) g",
    "create table wp (a int, b text, v int, primary key (a, b))",
    "insert into wp select g / 10, chr(97 + g % 10), g from generate_series(1, 2000) g",
    "update w set v = v + 1 where id between 100 and 200",
    "delete from w where id > 9990",
    "update w set v = -v where id < 50 and v % 2 = 0 returning id, v",
    "delete from w where id >= 300 and id < 310 returning *",
    "update w set id = id + 100000 where id between 500 and 505",
    "delete from wp where a = 7 and b >= 'c'",
    "update wp set v = 0 where a = 3 returning a, b, v",
    "update wp set v = v * 2 where a between 10 and 12 and b < 'd'",
    "delete from wp where a > 195",
]


def test_writes_by_key_range_match_postgres(keel, postgres):
    """UPDATE and DELETE with primary key ranges visit only the range on each worker: the rows
    changed, RETURNING and the tables after are PostgreSQL's."""
    with postgres.database("keywrites") as theirs_args:
        for sql in WRITES:
            ours, theirs = run(keel.psql_args(), sql), run(theirs_args, sql)
            assert sorted(ours.splitlines()) == sorted(theirs.splitlines()), sql
        for sql in ["select * from w order by id", "select * from wp order by a, b"]:
            assert run(keel.psql_args(), sql) == run(theirs_args, sql), sql
