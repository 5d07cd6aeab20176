"""Size functions (pg_relation_size, pg_table_size, pg_indexes_size, pg_total_relation_size,
pg_database_size) report the pages the tables' and indexes' trees take on every worker, as of each
execution; psql's \\dt+, \\di+ and \\l+ (which call them) work. The numbers are Keel's own (its
pages, not PostgreSQL's heap files), so they are checked for consistency, not against PostgreSQL;
the errors are PostgreSQL's."""

import subprocess

import psycopg
import pytest


def index_after(conn):
    return conn.execute("select pg_indexes_size('sz')").fetchone()[0]


def test_sizes_follow_the_data_and_psql_lists_show_them(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table sz (id int primary key, v text)")
        conn.execute("create index sz_v on sz (v)")
        conn.execute("create view sz_view as select * from sz")
        conn.execute("create sequence sz_seq")
        sizes = "select pg_relation_size('sz'), pg_table_size('sz'), pg_indexes_size('sz'), " \
                "pg_total_relation_size('sz'), pg_relation_size('sz_v'), pg_relation_size('sz_pkey'), " \
                "pg_relation_size('sz_view'), pg_relation_size('sz_seq'), pg_database_size('keel'), " \
                "pg_database_size(current_database())"
        empty = conn.execute(sizes).fetchone()
        conn.execute("insert into sz select g, md5(g::text) from generate_series(1, 20000) g")
        table, table_size, indexes, total, index, pkey, view, seq, database, current = conn.execute(sizes).fetchone()
        assert table > empty[0] and table % 4096 == 0 and table == table_size
        assert index > empty[4] and indexes == index and total == table + index
        # The primary key is the table's own tree; views and sequences take no pages here.
        assert (pkey, view, seq) == (0, 0, 0)
        assert database == current >= total
        # A prepared statement reads the sizes of its own execution.
        query = "select pg_total_relation_size('sz')"
        before = conn.execute(query, prepare=True).fetchone()[0]
        conn.execute("insert into sz select g, repeat(md5(g::text), 4) from generate_series(20001, 40000) g")
        after = conn.execute(query, prepare=True).fetchone()[0]
        assert after > before
        # By OID, as psql calls them; an OID of nothing gives NULL.
        assert conn.execute("select pg_table_size(c.oid) from pg_class c where relname = 'sz'").fetchone()[0] == \
            conn.execute("select pg_table_size('sz')").fetchone()[0]
        assert conn.execute("select pg_relation_size(0)").fetchone()[0] is None
        # Forks: only main holds pages; PostgreSQL's error for a bad name.
        assert conn.execute("select pg_relation_size('sz', 'main'), pg_relation_size('sz', 'fsm'), "
                            "pg_relation_size('sz', 'vm'), pg_relation_size('sz', 'init'), "
                            "pg_relation_size('sz', NULL)").fetchone() == (after - index_after(conn), 0, 0, 0, None)
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="invalid fork name"):
            conn.execute("select pg_relation_size('sz', 'bogus')")
        with pytest.raises(psycopg.errors.UndefinedTable, match='relation "nosuch" does not exist'):
            conn.execute("select pg_relation_size('nosuch')")
        with pytest.raises(psycopg.errors.InvalidCatalogName, match='database "nosuch" does not exist'):
            conn.execute("select pg_database_size('nosuch')")
        # Dropping a table gives its pages back.
        grown = conn.execute("select pg_database_size('keel')").fetchone()[0]
        conn.execute("drop view sz_view")
        conn.execute("drop table sz")
        assert conn.execute("select pg_database_size('keel')").fetchone()[0] < grown
        conn.execute("create table listed (id int primary key)")
        conn.execute("create index listed_id on listed (id)")
    for command in [r"\dt+", r"\di+", r"\l+"]:
        out = subprocess.run(keel.psql_args() + ["-c", command], capture_output=True, text=True)
        assert out.returncode == 0 and "ERROR" not in out.stderr, (command, out.stderr)
        assert "Size" in out.stdout, (command, out.stdout)
        assert command == r"\l+" or "listed" in out.stdout, (command, out.stdout)
