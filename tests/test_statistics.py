"""ANALYZE's statistics (node/sql/src/stats.rs) outlive the node: they are saved to
DATA_DIR/keel.stats after each ANALYZE and read at start, after a clean stop and after kill -9;
a statistics file that cannot be read is ignored (the node starts, ANALYZE makes them again)."""

import psycopg


def stats_rows(node):
    with psycopg.connect(node.dsn(), autocommit=True) as conn:
        rows = conn.execute("select attname, null_frac, n_distinct, most_common_vals "
                            "from pg_stats where tablename = 'st' order by attname").fetchall()
        reltuples = conn.execute("select reltuples from pg_class where relname = 'st'").fetchone()[0]
    return rows, reltuples


def test_statistics_survive_restarts_and_a_bad_file(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table st (id int primary key, k int, t text)")
        conn.execute("insert into st select i, i % 5, case when i % 4 = 0 then null else 'x' || (i % 3) end "
                     "from generate_series(1, 1000) i")
        assert stats_rows(keel) == ([], -1.0)
        conn.execute("analyze st")
    analyzed = stats_rows(keel)
    assert analyzed[1] == 1000.0
    assert [row[0] for row in analyzed[0]] == ["id", "k", "t"]
    assert analyzed[0][1][2] == 5.0 and analyzed[0][2][1] == 0.25
    keel.stop()
    keel.start()
    assert stats_rows(keel) == analyzed
    keel.kill()
    keel.start()
    assert stats_rows(keel) == analyzed
    # A damaged file: the node starts without statistics, and ANALYZE brings them back.
    keel.stop()
    (keel.data_dir / "keel.stats").write_bytes(b"\xff\x00garbage")
    keel.start()
    assert stats_rows(keel) == ([], -1.0)
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("analyze")
    assert stats_rows(keel) == analyzed


def scan_order(conn, sql):
    plan = [row[0] for row in conn.execute("explain " + sql).fetchall()]
    return [line.split("Seq Scan on ")[1].split()[0] for line in plan if "Seq Scan on " in line]


def test_the_planner_orders_joins_by_statistics(keel):
    """Without statistics the planner starts from the equality with a constant (jd.half = 1);
    with them it knows that keeps half of jd, while jc.w < 5 keeps 5 rows, and joins jd last."""
    query = ("select count(*) from jd, ja, jc where jd.a = ja.id and ja.c = jc.id "
             "and jd.half = 1 and jc.w < 5")
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table ja (id int primary key, b int, c int)")
        conn.execute("create table jc (id int primary key, w int)")
        conn.execute("create table jd (id int primary key, a int, half int)")
        conn.execute("insert into ja select i, i % 10, i % 1000 from generate_series(1, 20000) i")
        conn.execute("insert into jc select i, i from generate_series(0, 999) i")
        conn.execute("insert into jd select i, i, i % 2 from generate_series(1, 20000) i")
        expected = conn.execute(query).fetchone()
        assert scan_order(conn, query)[0] == "jd"
        conn.execute("analyze")
        assert scan_order(conn, query)[-1] == "jd"
        assert conn.execute(query).fetchone() == expected
