"""pg_proc lists the built-in functions Keel binds, as PostgreSQL 15 has them.

Every row of Keel's pg_proc (node/sql/src/procs.rs, written by tools/gen_procs.py) is compared
with PostgreSQL's row of the same OID, and every function that can be called with arguments of
its declared types is described on Keel (Parse + Describe): it must bind, to its declared result
type. A function the binder stops knowing, or a row that drifts from PostgreSQL's, fails here."""

import psycopg

import gen_procs

COLUMNS = ("oid::int8, proname::text, prokind::text, proretset, provolatile::text, proisstrict, "
           "pronargs::int4, pronargdefaults::int4, prorettype::int8, provariadic::int8, "
           "prosrc, prolang::int8, proparallel::text, prosecdef, proleakproof, "
           "pg_get_function_arguments(oid), pg_get_function_identity_arguments(oid), "
           "pg_get_function_result(oid), obj_description(oid, 'pg_proc'), oid::regprocedure::text, "
           "proallargtypes::int8[]::text, proargmodes::text, proargnames::text")


def rows(conn, where):
    return {row[0]: row for row in conn.execute(f"select {COLUMNS} from pg_proc where {where}")}


def test_pg_proc_rows_are_postgres_rows(keel, postgres):
    with psycopg.connect(keel.dsn(), autocommit=True) as kconn, \
            psycopg.connect(postgres.dsn(), autocommit=True) as pconn:
        ours = rows(kconn, "true")
        assert len(ours) > 500, "pg_proc lists the built-in functions"
        oids = ",".join(str(oid) for oid in ours)
        theirs = rows(pconn, f"oid in ({oids})")
        differ = [(ours[oid], theirs.get(oid)) for oid in ours if ours[oid] != theirs.get(oid)]
        assert not differ, differ[:5]
        # proargtypes as PostgreSQL's oidvector prints it.
        ours = dict(kconn.execute("select oid::int8, proargtypes::text from pg_proc").fetchall())
        theirs = dict(pconn.execute(
            f"select oid::int8, proargtypes::text from pg_proc where oid in ({oids})").fetchall())
        assert ours == theirs


def test_every_listed_function_binds_to_its_result_type(keel, postgres):
    # The samples' objects, in a database of this test's own on the shared PostgreSQL.
    with psycopg.connect(postgres.dsn("postgres"), autocommit=True) as admin:
        admin.execute("drop database if exists keel_procs")
        admin.execute("create database keel_procs")
    with psycopg.connect(keel.dsn(), autocommit=True) as kconn, \
            psycopg.connect(postgres.dsn("keel_procs"), autocommit=True) as pconn:
        for statement in gen_procs.SETUP:
            kconn.execute(statement)
            pconn.execute(statement)
        oids = [oid for (oid,) in kconn.execute("select oid::int8 from pg_proc").fetchall()]
        # The generator's view of each function (argument type names, aggregate kinds) comes
        # from PostgreSQL's catalog, for the functions Keel lists.
        listed = [row for row in pconn.execute(gen_procs.ROWS).fetchall() if row[0] in set(oids)]
        assert len(listed) == len(oids)
        named = gen_procs.named_functions(kconn, pconn)
        failed, called = [], 0
        for row in listed:
            if row[1] in named:
                continue  # an input or output function the catalogs name: not called from SQL
            required = None
            sql = gen_procs.call_of(row, keel=True)
            got = gen_procs.described(kconn, sql)
            if got is None and row[7]:
                required = row[6] - row[7]
                sql = gen_procs.call_of(row, keel=True, required=required)
                got = gen_procs.described(kconn, sql)
            want = gen_procs.described(pconn, gen_procs.call_of(row, required=required))
            called += 1
            if got is None or got != gen_procs.KEEL_RESULTS.get(want, want):
                failed.append((sql, want, got))
        assert called > 450
        assert not failed, failed[:10]
