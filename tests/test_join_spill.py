"""Queries whose tables and joins are larger than the statement's memory (`statement_mem`) run out
of core (node/sql/src/spill.rs `RowSet`, query.rs `grace_join`): the scans they read and the rows
their joins make go to temporary files, joins of spilled inputs partition both sides by key (a
grace hash join), sorts of spilled inputs merge runs of `work_mem`, and so do the inputs of merge
joins (enable_hashjoin off). The rows equal PostgreSQL's for
the same data, with and without spilling; EXPLAIN ANALYZE shows the join's batches; the files are
there while a spilled result is sent and gone afterwards (also after an error and a cancel)."""

import hashlib
import subprocess

import psycopg
import pytest

# About 25 MB of rows on the left, 6 MB on the right: far past the 1MB statement_mem below.
SETUP = [
    "create table fact (id int primary key, k int, pad text)",
    "create table dim (id int primary key, k int, v text)",
    # k repeats (a many-to-many join) and is NULL for every 97th row on each side.
    "insert into fact select g, case when g % 97 = 0 then null else (g * 7919) % 50021 end, "
    "repeat(md5(g::text), 2) from generate_series(1, 200000) g",
    "insert into dim select g, case when g % 97 = 0 then null else (g * 31) % 60013 end, "
    "md5(g::text) from generate_series(1, 100000) g",
]
QUERIES = [
    # Aggregates over the joins: the join's rows never reach the client.
    "select count(*), sum(f.id), sum(d.id), count(distinct d.v) from fact f join dim d on f.k = d.k",
    "select count(*), count(d.id), sum(f.id) from fact f left join dim d on f.k = d.k",
    "select count(*), count(f.id), sum(d.id) from fact f right join dim d on f.k = d.k",
    "select count(*), count(f.id), count(d.id) from fact f full join dim d on f.k = d.k",
    "select count(*) from fact f join dim d on f.k = d.k and f.id < d.id",
    # Grouped and sorted results of joins.
    "select d.k % 10 as bucket, count(*), sum(f.id) from fact f join dim d on f.k = d.k "
    "group by 1 order by 1",
    "select f.id, d.id, d.v from fact f join dim d on f.k = d.k order by f.id, d.id limit 50 offset 1000",
    # A large result sent as it is read back.
    "select f.id, f.pad, d.v from fact f join dim d on f.k = d.k where f.id % 3 = 0",
    # Three tables; a join on an expression; a semi-join and an anti-join.
    "select count(*), sum(a.id) from fact a join dim d on a.k = d.k join fact b on b.id = d.id",
    "select count(*) from fact f join dim d on f.k + 1 = d.k + 1",
    "select count(*) from fact f where f.k in (select k from dim where id % 2 = 0)",
    "select count(*) from fact f where not exists (select 1 from dim d where d.k = f.k)",
    "select count(*) from (select distinct f.k from fact f join dim d on f.k = d.k) s",
]


def rows(args, sql, settings=()):
    command = list(args) + ["-qAt"]
    for setting in settings:
        command += ["-c", setting]
    out = subprocess.run(command + ["-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=True)
    # The order of rows without ORDER BY is the server's: compare them as a set.
    lines = out.stdout.splitlines() if "order by" in sql else sorted(out.stdout.splitlines())
    return hashlib.md5(b"\n".join(lines)).hexdigest(), len(lines)


@pytest.fixture(scope="module")
def pg_tables(postgres):
    with postgres.database("joinspill", SETUP) as args:
        yield args


@pytest.fixture
def tables(keel):
    subprocess.run(keel.psql_args() + ["-q"] + [a for s in SETUP for a in ("-c", s)], check=True)
    return keel


SPILL = ("set statement_mem = '1MB'", "set work_mem = '256kB'")


def test_joins_past_statement_mem_match_postgres_and_leave_no_files(tables, pg_tables):
    for sql in QUERIES:
        theirs = rows(pg_tables, sql)
        assert rows(tables.psql_args(), sql) == theirs, sql
        assert rows(tables.psql_args(), sql, SPILL) == theirs, sql
    assert tables.temp_files() == []
    # Merge joins (enable_hashjoin off): each input is sorted on its key in runs of work_mem on
    # disk, then merged; the same rows, and no file left.
    for sql in QUERIES:
        assert rows(tables.psql_args(), sql, SPILL + ("set enable_hashjoin = off",)) \
            == rows(pg_tables, sql), sql
    assert tables.temp_files() == []
    # ANALYZE'd tables are read in one request per worker when they fit; the same rows.
    subprocess.run(tables.psql_args() + ["-q", "-c", "analyze"], check=True)
    for sql in QUERIES[:4]:
        assert rows(tables.psql_args(), sql, SPILL) == rows(pg_tables, sql), sql
    assert tables.temp_files() == []


def test_a_spilled_join_shows_its_batches_and_holds_files_only_while_needed(tables):
    with psycopg.connect(tables.dsn(), autocommit=True) as conn:
        for setting in SPILL:
            conn.execute(setting)
        plan = "\n".join(r[0] for r in conn.execute(
            "explain analyze select count(*) from fact f join dim d on f.k = d.k"))
        assert "Hash Join" in plan and "Batches: " in plan, plan
        batches = int(plan.split("Batches: ")[1].split()[0])
        assert batches >= 2, plan
        # In memory (the default statement_mem) the join needs no batches.
        conn.execute("reset statement_mem")
        plan = "\n".join(r[0] for r in conn.execute(
            "explain analyze select count(*) from fact f join dim d on f.k = d.k"))
        assert "Batches: " not in plan, plan
        # With hash joins off it is a merge join of its sorted inputs.
        conn.execute("set enable_hashjoin = off")
        plan = "\n".join(r[0] for r in conn.execute(
            "explain analyze select count(*) from fact f join dim d on f.k = d.k"))
        assert "Merge Join" in plan and "Merge Cond: (f.k = d.k)" in plan, plan
        assert "Sort Key: f.k" in plan and "Sort Key: d.k" in plan, plan
        conn.execute("reset enable_hashjoin")
        for setting in SPILL:
            conn.execute(setting)
        # A large joined result is read from its file while it is sent.
        sql = "select f.id, f.pad, d.v from fact f join dim d on f.k = d.k"
        stream = conn.cursor().stream(sql)
        next(stream)
        assert tables.temp_files(), "a spilled result holds its files while it is sent"
        count = 1 + sum(1 for _ in stream)
        assert count == conn.execute("select count(*) from fact f join dim d on f.k = d.k").fetchone()[0]
        assert tables.temp_files() == []
        # An error in the middle of a spilled join (at the last joined row of fact): the
        # statement fails, nothing is left.
        last = conn.execute("select max(f.id) from fact f join dim d on f.k = d.k").fetchone()[0]
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute(f"select f.id / (f.id - {last}) from fact f join dim d on f.k = d.k").fetchall()
        assert tables.temp_files() == []
        # A cancel while the rows are being sent.
        stream = conn.cursor().stream(sql)
        next(stream)
        assert tables.temp_files()
        conn.cancel_safe()
        with pytest.raises(psycopg.errors.QueryCanceled):
            for _ in stream:
                pass
        assert tables.temp_files() == []
        # The session goes on with its rows intact.
        assert conn.execute("select count(*) from fact").fetchone()[0] == 200000
        # statement_mem is a setting like work_mem: SHOW, bad values refused.
        assert conn.execute("show statement_mem").fetchone()[0] == "1MB"
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            conn.execute("set statement_mem = 'lots'")


def test_a_chain_of_joins_past_its_memory_runs_its_planned_joins(keel, postgres):
    """A chain of joins keeps its joined rows as row numbers (query.rs `run_chain`) while they
    fit a quarter of statement_mem; a many-to-many join past that hands the chain to the
    planned joins, which spill. Its scans are small enough to stay in memory."""
    setup = [
        "create table chainy (id int primary key, k int)",
        "insert into chainy select g, g % 10 from generate_series(1, 3000) g",
    ]
    # a and b join many to many (810,000 rows) before the last join, whatever the order.
    sql = ("select count(*), sum(a.id + b.id * 2 + c.id * 3 + d.id * 4) from chainy a "
           "join chainy b on a.k = b.k join chainy c on c.id = b.id join chainy d on d.id = a.id "
           "where c.k <> 3")
    subprocess.run(postgres.psql_args("postgres") + ["-q", "-c", "drop table if exists chainy"]
                   + [a for s in setup for a in ("-c", s)], check=True)
    subprocess.run(keel.psql_args() + ["-q"] + [a for s in setup for a in ("-c", s)], check=True)
    theirs = rows(postgres.psql_args("postgres"), sql)
    assert rows(keel.psql_args(), sql) == theirs
    assert rows(keel.psql_args(), sql, ("set statement_mem = '2MB'",)) == theirs
    subprocess.run(postgres.psql_args("postgres") + ["-q", "-c", "drop table chainy"], check=True)
    assert keel.temp_files() == []
