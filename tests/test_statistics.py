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


def test_analyze_of_a_large_table_samples_its_leaves(keel):
    """A table of more leaves than the sample (~67,000 leaves of three 900-byte rows) is sampled as
    PostgreSQL samples blocks: 30,000 random leaves of the node's, their visible rows in a
    reservoir, the row count extrapolated from the leaves read; only those leaves are read. The
    estimates stay close to the truth, also after half the rows were deleted (the leaves remain,
    half their rows visible)."""
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table sl (id int primary key, g int, pad text)")
        conn.execute("insert into sl select i, i % 50, repeat('x', 900) from generate_series(1, 200000) i")
        pages = conn.execute("select pg_relation_size('sl') / 4096").fetchone()[0]
        assert pages > 60000
    # From a cold pool: the pages ANALYZE reads are the leaves it samples and the inner nodes.
    keel.stop()
    keel.start()
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        reads = "select sum(blks_read) from pg_stat_database"
        before = conn.execute(reads).fetchone()[0]
        conn.execute("analyze sl")
        read = conn.execute(reads).fetchone()[0] - before
        assert 30000 <= read < 30000 + pages // 20, (read, pages)
        reltuples = conn.execute("select reltuples from pg_class where relname = 'sl'").fetchone()[0]
        assert abs(reltuples - 200000) < 200000 * 0.03, reltuples
        stats = dict(conn.execute("select attname, n_distinct from pg_stats "
                                  "where tablename = 'sl'").fetchall())
        assert stats == {"id": -1.0, "g": 50.0, "pad": 1.0}
        bounds = conn.execute("select histogram_bounds::text from pg_stats "
                              "where tablename = 'sl' and attname = 'id'").fetchone()[0]
        bounds = [int(b) for b in bounds.strip("{}").split(",")]
        assert len(bounds) == 101 and bounds == sorted(bounds)
        assert bounds[0] < 5000 and bounds[-1] > 195000, (bounds[0], bounds[-1])
        conn.execute("delete from sl where id % 2 = 0")
        conn.execute("analyze sl")
        reltuples = conn.execute("select reltuples from pg_class where relname = 'sl'").fetchone()[0]
        assert abs(reltuples - 100000) < 100000 * 0.05, reltuples
        g = conn.execute("select n_distinct from pg_stats where tablename = 'sl' "
                         "and attname = 'g'").fetchone()[0]
        assert g == 25.0
