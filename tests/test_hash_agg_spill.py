"""Hash aggregation beyond hash_mem (work_mem x hash_mem_multiplier) writes the groups that do
not fit to partition files and aggregates each partition afterwards (node/sql/src/query.rs,
`Groups`): the results equal PostgreSQL's at work_mem 64kB, 1MB and 1GB, on the workers'
parallel path (one table) and in the general executor (a join below the aggregate); EXPLAIN
ANALYZE shows PostgreSQL's "Batches ... Disk Usage" line; no temporary file is left, also after
an error or a statement timeout in the middle of a spilling aggregation."""

import hashlib
import re
import subprocess

import psycopg
import pytest

ROWS = 150_000
CREATE = "create table agg (id int primary key, k int, g text, v numeric(12,2), f float8)"
LOAD = (f"insert into agg select i, (i * 7919) % 40000, md5((i % 5000)::text), (i % 1000) / 7.0, "
        f"i * 0.5 from generate_series(1, {ROWS}) i")
QUERIES = [
    "select k, count(*), sum(v), avg(v), min(g), max(f) from agg group by k order by k",
    "select g, k % 7, count(*), sum(id), avg(id) from agg group by g, k % 7 order by 1, 2",
    "select k, sum(v) from agg where id % 3 = 0 group by k having count(*) > 1 order by k limit 100 offset 10",
    "select g, bool_and(id > 10), count(v), min(k) from agg group by g order by g",
    # No ORDER BY: the rows are compared sorted.
    "select k, count(*) from agg group by k",
    # A join below the aggregate: grouped by the general executor, not on the workers.
    "select a.k, count(*), sum(b.v) from agg a join agg b on a.id = b.id + 1 group by a.k order by a.k",
]


def rows(args, sql, work_mem):
    out = subprocess.run(args + ["-qAt", "-c", f"set work_mem = '{work_mem}'", "-c", sql],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True, text=True).stdout
    lines = out.splitlines()
    if "order by" not in sql:
        lines.sort()
    return hashlib.md5("\n".join(lines).encode()).hexdigest(), len(lines)


@pytest.fixture(scope="module")
def pg_agg(postgres):
    with postgres.database("hashagg", [CREATE, LOAD]) as args:
        yield args


@pytest.fixture
def agg(keel):
    subprocess.run(keel.psql_args() + ["-q", "-c", CREATE, "-c", LOAD], check=True)
    return keel


def test_spilling_aggregates_match_postgres_and_leave_no_files(agg, pg_agg):
    for sql in QUERIES:
        theirs = rows(pg_agg, sql, "4MB")
        for work_mem in ("64kB", "1MB", "1GB"):
            assert rows(agg.psql_args(), sql, work_mem) == theirs, (sql, work_mem)
        assert agg.temp_files() == []


def batches(conn, sql):
    plan = [r[0] for r in conn.execute("explain analyze " + sql).fetchall()]
    for line in plan:
        match = re.search(r"Batches: (\d+)  Memory Usage: (\d+)kB(?:  Disk Usage: (\d+)kB)?", line)
        if match:
            return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    raise AssertionError(f"no Batches line in {plan}")


def test_explain_analyze_shows_batches_and_disk_usage(agg):
    with psycopg.connect(agg.dsn(), autocommit=True) as conn:
        for sql in ("select k, count(*) from agg group by k",
                    "select a.k, count(*) from agg a join agg b on a.id = b.id group by a.k"):
            conn.execute("set work_mem = '64kB'")
            spilled, memory, disk = batches(conn, sql)
            assert spilled > 1 and disk > 0, sql
            # hash_mem_multiplier (2) times work_mem, give or take one group.
            assert memory <= 130, sql
            conn.execute("set hash_mem_multiplier = 1000")
            assert batches(conn, sql)[0] == 1, sql
            conn.execute("reset hash_mem_multiplier")
            conn.execute("set work_mem = '64MB'")
            in_memory, memory, disk = batches(conn, sql)
            assert (in_memory, disk) == (1, 0) and memory > 1000, sql
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="outside the valid range"):
            conn.execute("set hash_mem_multiplier = 0.5")
    assert agg.temp_files() == []


def test_errors_and_timeouts_mid_spill_remove_the_partitions(agg):
    with psycopg.connect(agg.dsn(), autocommit=True) as conn:
        conn.execute("set work_mem = '64kB'")
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("select a.k, sum(1 / (b.id - 140000)) from agg a join agg b on a.id = b.id "
                         "group by a.k").fetchall()
        conn.execute("set statement_timeout = '50ms'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("select a.k, a.g, count(*) from agg a join agg b on a.id = b.id "
                         "join agg c on c.id = b.id group by a.k, a.g").fetchall()
        conn.execute("reset statement_timeout")
        assert conn.execute("select count(*) from (select k from agg group by k) s").fetchone() == (40000,)
    assert agg.temp_files() == []
