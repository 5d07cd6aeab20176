"""Sorts and results larger than work_mem go through temporary files (node/sql/src/spill.rs): the
rows match PostgreSQL's for the same data and settings, the files exist while a result is being
sent, and they are gone afterwards: after the last row, after an error, a cancel, a statement
timeout, and (for a killed node) after the restart."""

import asyncio
import hashlib
import subprocess
import time

import asyncpg
import psycopg
import pytest

ROWS = 200_000
CREATE = "create table big (id int primary key, k int, pad text)"
# About 25 MB of rows; sort keys with ties broken by id, so that every order is total.
LOAD = (f"insert into big select g, (g * 7919) % 100003, repeat(md5(g::text), 2) "
        f"from generate_series(1, {ROWS}) g")
SORTS = [
    "select id, k, pad from big order by k, id",
    "select k, id from big order by k desc nulls first, id desc limit 1000 offset 10",
    "select pad, id from big where k % 3 = 0 order by pad, id",
    # The sort key is not in the select list.
    "select id, k from big order by md5(id::text) limit 20 offset 50000",
    "select id from big order by k, id offset 199990",
]


def digest(args, sql, work_mem="1MB"):
    out = subprocess.run(args + ["-qAt", "-c", f"set work_mem = '{work_mem}'", "-c", sql],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return hashlib.md5(out.stdout).hexdigest(), out.stdout.count(b"\n")


@pytest.fixture(scope="module")
def pg_big(postgres):
    with postgres.database("spill", [CREATE, LOAD]) as args:
        yield args


@pytest.fixture
def big(keel):
    subprocess.run(keel.psql_args() + ["-q", "-c", CREATE, "-c", LOAD], check=True)
    return keel


def test_sorts_beyond_work_mem_match_postgres_and_leave_no_files(big, pg_big):
    for sql in SORTS:
        theirs = digest(pg_big, sql)
        assert digest(big.psql_args(), sql) == theirs, sql
        # The same rows in memory (a large work_mem) and through many small runs (the minimum).
        assert digest(big.psql_args(), sql, "1GB") == theirs, sql
        assert digest(big.psql_args(), sql, "64kB") == theirs, sql
    assert big.temp_files() == []
    # Without ORDER BY the result keeps its order through the files: the same rows as PostgreSQL.
    out = subprocess.run(big.psql_args() + ["-qAt", "-c", "set work_mem = '64kB'", "-c", "select id, pad from big"],
                         stdout=subprocess.PIPE, check=True, text=True).stdout.splitlines()
    theirs = subprocess.run(pg_big + ["-qAt", "-c", "select id, pad from big"],
                            stdout=subprocess.PIPE, check=True, text=True).stdout.splitlines()
    assert len(out) == ROWS and sorted(out) == sorted(theirs)
    # LIMIT without ORDER BY stops reading once it has its rows.
    assert digest(big.psql_args(), "select id from big limit 7")[1] == 7
    # COPY TO STDOUT sends its lines from the sorter's files too.
    for copy in ["copy (select id, k, pad from big order by k, id) to stdout",
                 "copy (select id, pad from big where k < 5000 order by pad) to stdout (format csv, header)"]:
        assert digest(big.psql_args(), copy, "64kB") == digest(pg_big, copy), copy
    # A portal fetched a few rows per Execute (asyncpg's cursor) reads on from the files.
    async def cursor_rows():
        conn = await asyncpg.connect(host="127.0.0.1", port=big.port, user="postgres", database="keel")
        try:
            await conn.execute("set work_mem = '1MB'")
            async with conn.transaction():
                return [tuple(r) async for r in conn.cursor("select k, id from big order by k, id", prefetch=5000)]
        finally:
            await conn.close()
    rows = asyncio.run(cursor_rows())
    assert len(rows) == ROWS and rows == sorted(rows)
    assert big.temp_files() == []


def test_temporary_files_go_after_the_result_an_error_a_cancel_and_a_crash(big):
    sql = "select id, pad from big order by pad, id"
    with psycopg.connect(big.dsn(), autocommit=True) as conn:
        conn.execute("set work_mem = '1MB'")
        # A result read slowly: the node sends what the socket takes and keeps the rest in its
        # files until the client reads on.
        rows = conn.cursor().stream(sql)
        first = next(rows)
        assert big.temp_files(), "a result sorted through temporary files holds them while it is sent"
        count = 1 + sum(1 for _ in rows)
        assert count == ROWS and first[0] is not None
        assert big.temp_files() == []
        # A cancel while the rows are being sent ends the statement (57014); the files go.
        rows = conn.cursor().stream(sql)
        next(rows)
        assert big.temp_files()
        conn.cancel_safe()
        with pytest.raises(psycopg.errors.QueryCanceled):
            for _ in rows:
                pass
        assert big.temp_files() == []
        # An error in the middle of the input (division by zero at one row): nothing is left.
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("select id, 1 / (id - 150000) from big order by pad").fetchall()
        assert big.temp_files() == []
        # A statement timeout while sorting.
        conn.execute("set statement_timeout = '50ms'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("select id, pad, k from big order by pad desc, k").fetchall()
        conn.execute("reset statement_timeout")
        assert big.temp_files() == []
        assert conn.execute("select count(*) from big").fetchone()[0] == ROWS
    # A node killed while it holds temporary files removes them when it starts again.
    conn = psycopg.connect(big.dsn(), autocommit=True)
    conn.execute("set work_mem = '1MB'")
    rows = conn.cursor().stream(sql)
    next(rows)
    left = big.temp_files()
    assert left
    big.kill()
    conn.close()
    big.start()
    deadline = time.time() + 10
    while big.temp_files() and time.time() < deadline:
        time.sleep(0.1)
    assert big.temp_files() == []
    assert f"removed {len(left)} temporary files" in big.log()
    assert digest(big.psql_args(), "select count(*) from big")[1] == 1
