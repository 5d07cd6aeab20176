"""Temporary tables: each session's live in its own pg_temp_N schema, found before the search
path, invisible to other sessions, and dropped with the schema when the session ends, or, when
the node was killed first, when the next session of that process id starts.
"""

import psycopg
import pytest
from psycopg import errors
from servers import eventually


def connect(node):
    return psycopg.connect(node.dsn(), autocommit=True)


def temp_schemas(conn):
    return [row[0] for row in conn.execute(
        "select nspname from pg_namespace where nspname like 'pg_temp%' order by 1").fetchall()]


def test_temp_tables_belong_to_their_session(keel):
    with connect(keel) as owner, connect(keel) as other:
        owner.execute("create table shared (k int primary key, v text)")
        owner.execute("insert into shared values (1, 'permanent')")
        owner.execute("create temp table shared (k int, w int)")
        owner.execute("insert into shared values (7, 70)")
        owner.execute("create temp table scratch as select k, v from public.shared")
        # The session's own temporary table hides the permanent one; the other session sees
        # only the permanent one, and cannot name the temporary one.
        assert owner.execute("select k, w from shared").fetchall() == [(7, 70)]
        assert other.execute("select k, v from shared").fetchall() == [(1, "permanent")]
        schema = owner.execute(
            "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where c.relname = 'scratch'").fetchone()[0]
        assert schema.startswith("pg_temp_")
        with pytest.raises(errors.FeatureNotSupported, match="temporary tables of other sessions"):
            other.execute(f"select * from {schema}.scratch")
        with pytest.raises(errors.UndefinedTable):
            other.execute("select * from scratch")
        # COPY finds it too.
        with owner.cursor().copy("copy scratch from stdin") as copy:
            copy.write_row((2, "copied"))
        assert owner.execute("select count(*) from scratch").fetchone() == (2,)
        assert temp_schemas(other) == [schema]
    # Gone with the session: the schema, its tables, their rows.
    with connect(keel) as conn:
        assert eventually(lambda: temp_schemas(conn) == []), temp_schemas(conn)
        assert conn.execute("select relname from pg_class where relname in ('scratch', 'shared') "
                            "order by 1").fetchall() == [("shared",)]
        assert conn.execute("select k, v from shared").fetchall() == [(1, "permanent")]
        # The drop at the session's end released its locks: DDL goes on (it once waited forever
        # for the catalog lock the drop kept).
        conn.execute("set lock_timeout = '5s'")
        conn.execute("drop table shared")
        conn.execute("create table after_temp (k int)")


def test_a_killed_nodes_temp_tables_go_when_their_process_id_comes_back(keel):
    with connect(keel) as conn:
        pid = conn.execute("select pg_backend_pid()").fetchone()[0]
        conn.execute("create temp table left_behind (k int primary key)")
        conn.execute("insert into left_behind select generate_series(1, 100)")
        keel.kill()
    keel.start()
    # Sessions are numbered again from the start on each worker: one of the first few gets the
    # same id, and once it has started no table of the session that had it before is left.
    conns, pids = [], []
    try:
        while pid not in pids and len(conns) < 40:
            conns.append(connect(keel))
            pids.append(conns[-1].execute("select pg_backend_pid()").fetchone()[0])
        assert pid in pids, (pid, pids)
        assert temp_schemas(conns[0]) == []
        assert conns[0].execute(
            "select count(*) from pg_class where relname = 'left_behind'").fetchone() == (0,)
    finally:
        for c in conns:
            c.close()


def test_temp_table_definitions_that_postgres_refuses(keel):
    with connect(keel) as conn:
        with pytest.raises(errors.InvalidTableDefinition, match="only be used on temporary tables"):
            conn.execute("create table p (a int) on commit preserve rows")
        with pytest.raises(errors.InvalidTableDefinition, match="non-temporary schema"):
            conn.execute("create temp table public.t (a int)")
        conn.execute("create temp table t (a int)")
        # A view of a temporary table is made temporary, as PostgreSQL makes it; it stops a
        # plain DROP of its table.
        conn.execute("create view v as select * from t")
        assert conn.execute("select n.nspname like 'pg_temp%' from pg_class c join pg_namespace n "
                            "on n.oid = c.relnamespace where c.relname = 'v'").fetchone() == (True,)
        with pytest.raises(errors.DependentObjectsStillExist):
            conn.execute("drop table t")
        # A rolled-back CREATE TEMP TABLE leaves nothing, not even the schema.
        conn.execute("drop table t cascade")
        conn.execute("begin")
        conn.execute("create temp table gone (a int)")
        conn.execute("rollback")
        with pytest.raises(errors.UndefinedTable, match='relation "gone" does not exist'):
            conn.execute("select * from gone")


def test_discard_all_over_the_extended_protocol_resets_the_session(keel):
    # psycopg sends each execute as Parse/Bind/Execute/Sync: DISCARD is allowed there (no
    # transaction block), drops the temporary tables and resets settings, as a pooler expects.
    with connect(keel) as conn:
        conn.execute("create temp table pooled (a int)")
        conn.execute("set work_mem = '32MB'")
        conn.execute("prepare stale as select 1")
        conn.execute("discard all")
        assert conn.execute("show work_mem").fetchone() == ("4MB",)
        assert temp_schemas(conn) == []
        with pytest.raises(errors.UndefinedTable):
            conn.execute("select * from pooled")
        with pytest.raises(errors.InvalidSqlStatementName):
            conn.execute("execute stale")
        conn.execute("create temp table pooled (a int)")
        conn.execute("begin")
        conn.execute("insert into pooled values (1)")
        conn.execute("discard temp")
        conn.execute("rollback")
        # Rolled back with the transaction it ran in: the table is back.
        assert conn.execute("select count(*) from pooled").fetchone() == (0,)
        with pytest.raises(errors.ActiveSqlTransaction):
            with conn.transaction():
                conn.execute("discard all")
