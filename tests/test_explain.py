"""EXPLAIN and EXPLAIN ANALYZE: the plan the query engine chose, in PostgreSQL's text layout.

Keel's plans differ from PostgreSQL's where the planners differ (join order, no costs yet), so
these tests pin the plans themselves: a key lookup is an index scan, an equi-join is a hash join
with its condition, filters sit on the scans they were pushed into, a correlated subquery's outer
equality becomes a hash lookup, and ANALYZE counts the rows each node really produced."""

import re
import subprocess

import psycopg


def plan(conn, sql):
    return [row[0] for row in conn.execute("explain " + sql).fetchall()]


def setup(conn):
    conn.execute("create table dept (id int primary key, name text, budget numeric)")
    conn.execute("create table emp (id int primary key, name text, dept_id int, salary int)")
    conn.execute("insert into dept select g, 'd' || g, g * 100 from generate_series(1, 10) g")
    conn.execute("insert into emp select g, 'e' || g, g % 10 + 1, g from generate_series(1, 200) g")


def test_plans_name_postgres_nodes(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        assert plan(conn, "select * from emp where id = 7") == [
            "Index Scan using emp_pkey on emp",
            "  Index Cond: (id = 7)",
        ]
        # An aggregate straight over a scan runs in parts on the workers.
        assert plan(conn, "select count(*) from emp where salary > 50") == [
            "Finalize Aggregate",
            "  ->  Partial Aggregate (on each worker)",
            "        ->  Seq Scan on emp",
            "              Filter: (salary > 50)",
        ]
        joined = plan(conn, "select e.name, d.name from emp e join dept d on e.dept_id = d.id where d.budget > 500 order by 1")
        assert joined[0] == "Sort" and joined[1] == "  Sort Key: e.name"
        assert "  ->  Hash Join" in joined
        assert any(re.fullmatch(r" +Hash Cond: \((d\.id = e\.dept_id|e\.dept_id = d\.id)\)", line) for line in joined)
        # The WHERE condition is pushed into the scan of dept, not left above the join.
        assert any(re.fullmatch(r" +Filter: \(d\.budget > '500'::numeric\)", line) for line in joined)
        left = plan(conn, "select d.name, count(e.id) from dept d left join emp e on e.dept_id = d.id group by d.name")
        assert left[:2] == ["HashAggregate", "  Group Key: d.name"]
        assert "  ->  Hash Left Join" in left
        correlated = plan(conn, "select name from emp e where salary > (select avg(salary) from emp x where x.dept_id = e.dept_id)")
        assert any(line.strip() == "SubPlan 1" for line in correlated)
        assert any(line.strip() == "Lookup Cond: (x.dept_id = e.dept_id)" for line in correlated)
        assert plan(conn, "select 1 union all select 2") == ["Append", "  ->  Result", "  ->  Result"]
        # Several keys: each looked up, as PostgreSQL's index scan with = ANY. A list of
        # constants shows as PostgreSQL shows it: an array constant.
        assert plan(conn, "select * from emp where id in (7, 3)") == [
            "Index Scan using emp_pkey on emp",
            "  Index Cond: (id = ANY ('{7,3}'))",
        ]
        assert plan(conn, "select id from emp where salary not in (1, 2) and dept_id in (1, salary)") == [
            "Seq Scan on emp",
            "  Filter: ((salary <> ALL ('{1,2}')) AND (dept_id = ANY (ARRAY[1, salary])))",
        ]
        assert plan(conn, "select * from emp where id = any ('{7,3}'::int[]) and salary > 1") == [
            "Index Scan using emp_pkey on emp",
            "  Index Cond: (id = ANY ('{7,3}'))",
            "  Filter: (salary > 1)",
        ]


def test_explain_analyze_counts_rows(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        lines = [row[0] for row in conn.execute(
            "explain analyze select d.name, count(*) from emp e join dept d on e.dept_id = d.id where e.salary <= 100 group by d.name").fetchall()]
        assert lines[-1].startswith("Execution Time: ")
        rows = {}
        for line in lines:
            match = re.search(r"(\w[\w ]*?)(?: on (\w+)(?: \w+)?)? \(actual time=[\d.]+ rows=(\d+) loops=(\d+)\)", line)
            if match:
                rows[(match.group(1).strip(), match.group(2))] = int(match.group(3))
        assert rows[("HashAggregate", None)] == 10
        assert rows[("Hash Join", None)] == 100
        assert rows[("Seq Scan", "emp")] == 100  # the filter ran on the workers
        assert rows[("Seq Scan", "dept")] == 10


def test_scans_read_after_a_narrowed_scan_take_its_keys(keel):
    # A scan whose rows an IN subquery narrows (a filter the workers cannot run, over the scan)
    # still hands its join keys to the scan read after it: that one reads only matching rows.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        conn.execute("insert into emp select g, 'f' || g, g % 10 + 1, g from generate_series(201, 5000) g")
        conn.execute("analyze")
        lines = [row[0] for row in conn.execute(
            "explain analyze select count(*) from dept d join emp e on e.dept_id = d.id "
            "where d.id in (select id from dept where budget = 300)").fetchall()]
        scans = [int(re.search(r"rows=(\d+)", line).group(1)) for line in lines if "Seq Scan on emp" in line]
        assert scans == [500], lines
        assert conn.execute("select count(*) from dept d join emp e on e.dept_id = d.id "
                            "where d.id in (select id from dept where budget = 300)").fetchone()[0] == 500


def test_lookups_take_the_keys_of_columns_the_join_makes_equal_to_their_probe(keel):
    # EXISTS probes c by a.k, and the join makes a.k = b.k on every row the subquery sees: so
    # the scan of c takes b's keys (100 of c's 1,000) although the probe names a (whose keys
    # are all of c's).
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table a (id int primary key, k int)")
        conn.execute("create table b (id int primary key, k int)")
        conn.execute("create table c (id int primary key, k int, flag int)")
        conn.execute("insert into a select g, g from generate_series(1, 1000) g")
        conn.execute("insert into b select g, g % 100 + 1 from generate_series(1, 5000) g")
        conn.execute("insert into c select g, g % 1000 + 1, 1 from generate_series(1, 8000) g")
        conn.execute("analyze")
        sql = ("select count(*) from a join b on a.k = b.k "
               "where exists (select 1 from c where c.k = a.k and c.flag = 1)")
        lines = [row[0] for row in conn.execute("explain analyze " + sql).fetchall()]
        scans = [int(re.search(r"rows=(\d+)", line).group(1)) for line in lines if "Seq Scan on c" in line]
        assert scans == [800], lines
        assert conn.execute(sql).fetchone()[0] == 5000


def test_explain_analyze_timing_and_summary_off(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        lines = [row[0] for row in conn.execute(
            "explain (analyze, timing off, summary off) select dept_id, count(*) from emp group by dept_id").fetchall()]
        # As PostgreSQL prints them: counts without times, no Execution Time line.
        assert re.search(r"HashAggregate \(actual rows=10 loops=1\)", lines[0]), lines
        assert not any("time=" in line or "Execution Time" in line for line in lines), lines
        assert any(line.strip().startswith("Batches: 1  Memory Usage: ") for line in lines), lines


def test_explain_refuses_what_it_cannot_show(keel):
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table t (k int primary key)")
        for sql in ("explain (format json) select 1", "explain analyze select * from t for update"):
            try:
                conn.execute(sql)
            except psycopg.errors.FeatureNotSupported:
                continue
            raise AssertionError(f"{sql} did not say it is not supported")


def test_row_locks_show_as_lock_rows_under_the_limit(keel):
    # Rel::LockRows: PostgreSQL's LockRows above the sort (and below the LIMIT it folds in), also
    # in a subquery; EXPLAIN without ANALYZE locks nothing.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        sql = "select e.id from emp e join dept d on d.id = e.dept_id order by e.id for update of e limit 2"
        lines = plan(conn, sql)
        assert lines[:4] == ["Limit", "  ->  LockRows", "        ->  Sort", "              Sort Key: e.id"]
        assert "Hash Join" in lines[4]
        sub = plan(conn, "select * from dept where id in (select dept_id from emp for share)")
        assert "    ->  LockRows" in sub and sub.index("    ->  LockRows") > sub.index("  SubPlan 1")
        with conn.transaction(), psycopg.connect(keel.dsn()) as other:
            assert plan(conn, "select * from emp for update") == ["LockRows", "  ->  Seq Scan on emp"]
            other.execute("set lock_timeout = '200ms'")
            other.execute("update emp set salary = 0 where id = 1")
            other.rollback()


def test_an_index_read_under_an_equality_gives_the_key_order_after_it(keel):
    # plan::scan_order: `dept_id = 3 ORDER BY id LIMIT 2` read through an index on (dept_id, id)
    # takes the index's entries in order (the equality fixes their first column, the key
    # follows), so the scan reads a few rows, not the twenty the equality selects.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        conn.execute("create index emp_dept_id on emp (dept_id, id)")
        for sql, expected in [
            ("select id from emp where dept_id = 3 order by id limit 2", [(2,), (12,)]),
            ("select id from emp where dept_id = 3 order by id desc limit 2", [(192,), (182,)]),
        ]:
            assert conn.execute(sql).fetchall() == expected
            lines = [row[0] for row in conn.execute("explain (analyze, timing off) " + sql).fetchall()]
            scan = next(line for line in lines if "Index Scan" in line)
            assert "emp_dept_id" in scan, lines
            assert int(re.search(r"rows=(\d+)", scan).group(1)) <= 8, lines


def test_explain_of_a_write_shows_it_and_writes_nothing(keel):
    # bind.rs explain_write: EXPLAIN (without ANALYZE) of INSERT/UPDATE/DELETE binds the write,
    # prints it over what finds its rows, and runs none of it.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table w (k int primary key, v int)")
        conn.execute("insert into w values (1, 10), (2, 20)")
        assert plan(conn, "insert into w values (3, 30)") == ["Insert on w", "  ->  Result"]
        assert plan(conn, "update w set v = 0 where k = 1") == [
            "Update on w",
            "  ->  Index Scan using w_pkey on w",
            "        Index Cond: (k = 1)",
        ]
        assert plan(conn, "delete from w where v > 5") == [
            "Delete on w",
            "  ->  Seq Scan on w",
            "        Filter: (v > 5)",
        ]
        rows = conn.execute("select k, v from w order by k").fetchall()
        assert rows == [(1, 10), (2, 20)]


def test_explain_analyze_of_a_write_runs_it_and_counts_its_rows(keel):
    # exec.rs explain_analyzed_write: the write runs in the statement's transaction; its node
    # shows the rows it returned, the tree under it the rows each node found.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table w (k int primary key, v int)")
        conn.execute("create table o (k int primary key, d int)")
        conn.execute("insert into w select g, g * 10 from generate_series(1, 20) g")
        conn.execute("insert into o select g, g from generate_series(1, 20, 2) g")
        analyzed = "explain (analyze, timing off, summary off) "
        assert plan(conn, "(analyze, timing off, summary off) update w set v = v + 1 where k = 1") == [
            "Update on w (actual rows=0 loops=1)",
            "  ->  Index Scan using w_pkey on w (actual rows=1 loops=1)",
            "        Index Cond: (k = 1)",
        ]
        assert conn.execute("select v from w where k = 1").fetchone() == (11,)
        # UPDATE ... FROM runs a join: each of its nodes shows what it produced.
        lines = [r[0] for r in conn.execute(analyzed + "update w set v = 0 from o where o.k = w.k and o.d > 10 returning w.k").fetchall()]
        assert lines[0] == "Update on w (actual rows=5 loops=1)", lines
        assert any("Join" in line and "(actual rows=5 loops=1)" in line for line in lines), lines
        assert conn.execute("select count(*) from w where v = 0").fetchone() == (5,)
        # An INSERT's query, and its time with TIMING on.
        lines = [r[0] for r in conn.execute("explain analyze insert into w select g, g from generate_series(100, 149) g").fetchall()]
        # PostgreSQL's "time=startup..total".
        assert re.fullmatch(r"Insert on w \(actual time=\d+\.\d{3}\.\.\d+\.\d{3} rows=0 loops=1\)", lines[0]), lines
        timed = [re.search(r"time=(\d+\.\d{3})\.\.(\d+\.\d{3}) ", line) for line in lines[1:-1]]
        assert timed and all(t and float(t.group(1)) <= float(t.group(2)) for t in timed), lines
        assert any("rows=50 loops=1" in line for line in lines[1:]), lines
        assert lines[-1].startswith("Execution Time: "), lines
        assert conn.execute("select count(*) from w").fetchone() == (70,)
        # Rolled back with its transaction, as any write.
        conn.execute("begin")
        lines = [r[0] for r in conn.execute(analyzed + "delete from w").fetchall()]
        assert lines == ["Delete on w (actual rows=0 loops=1)", "  ->  Seq Scan on w (actual rows=70 loops=1)"], lines
        conn.execute("rollback")
        assert conn.execute("select count(*) from w").fetchone() == (70,)
        # A write that fails fails the EXPLAIN, as in PostgreSQL.
        try:
            conn.execute(analyzed + "insert into w values (1, 1)")
        except psycopg.errors.UniqueViolation:
            pass
        else:
            raise AssertionError("a duplicate key went in under EXPLAIN ANALYZE")


def test_an_aggregate_over_a_join_by_the_left_key_aggregates_the_right_side_first(keel):
    # eager.rs: grouped by dept's key and aggregating only emp, emp is aggregated by its join
    # column on the workers and joined after; count() of a department without employees is 0.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        sql = "select d.id, count(e.id), sum(e.salary) from dept d left join emp e on e.dept_id = d.id and e.salary > 195 group by d.id"
        assert plan(conn, sql) == [
            "Hash Left Join",
            "  Hash Cond: (d.id = e.dept_id)",
            "  ->  Seq Scan on dept d",
            "  ->  Hash",
            "        ->  Finalize HashAggregate",
            "              Group Key: e.dept_id",
            "              ->  Partial HashAggregate (on each worker)",
            "                    ->  Seq Scan on emp e",
            "                          Filter: (e.salary > 195)",
        ]
        rows = conn.execute(sql + " order by 1").fetchall()
        assert rows == [(1, 1, 200)] + [(d, 0, None) for d in range(2, 7)] + [(d, 1, 189 + d) for d in range(7, 11)]
        # count(*) counts the department's own row: not rewritten.
        assert plan(conn, "select d.id, count(*) from dept d left join emp e on e.dept_id = d.id group by d.id")[0] == "HashAggregate"


def test_a_limit_moves_below_a_join_that_keeps_every_row_of_its_side(keel):
    # topn.rs: ORDER BY emp's key with LIMIT over emp LEFT JOIN dept: emp's first rows are read
    # in key order on each worker, and dept takes their keys (join_order::key_edges), so the
    # join meets a handful of rows on each side.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        setup(conn)
        sql = "select e.id, d.name from emp e left join dept d on d.id = e.dept_id order by e.id desc limit 3"
        assert plan(conn, sql) == [
            "Limit",
            "  ->  Sort",
            "        Sort Key: e.id DESC",
            "        ->  Hash Left Join",
            "              Hash Cond: (e.dept_id = d.id)",
            "              ->  Limit",
            "                    ->  Sort",
            "                          Sort Key: e.id DESC",
            "                          ->  Index Scan Backward using emp_pkey on emp e",
            "              ->  Hash",
            "                    ->  Seq Scan on dept d",
        ]
        assert conn.execute(sql).fetchall() == [(200, "d1"), (199, "d10"), (198, "d9")]
        lines = [row[0] for row in conn.execute("explain (analyze, timing off) " + sql).fetchall()]
        scanned = {line.split(" on ")[1].split(" (")[0]: int(re.search(r"rows=(\d+)", line).group(1))
                   for line in lines if " Scan" in line}
        # Each worker's first 3 rows; of the 10 departments, only those of the rows read.
        assert scanned["emp e"] <= 3 * 4 and scanned["dept d"] <= min(scanned["emp e"], 9)
        # Sorted on the other side's column: the limit stays above the join.
        other = plan(conn, "select e.id, d.name from emp e left join dept d on d.id = e.dept_id order by d.name, e.id limit 3")
        assert other[:4] == ["Limit", "  ->  Sort", "        Sort Key: d.name, e.id", "        ->  Hash Left Join"]
        assert not any(line.strip() == "->  Limit" for line in other)


def test_a_correlated_exists_on_a_colocated_table_runs_in_the_outer_scan(keel):
    # colocate.rs: ord and line are placed by their first key column (an int), so EXISTS and
    # NOT EXISTS keyed by it move into ord's scan filter and the workers answer them by seeks:
    # line is never read whole. Keyed by another column of line, the EXISTS stays at the
    # session, which reads line's rows.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table ord (ok int primary key, cust int)")
        conn.execute("create table line (ok int, ln int, supp int, primary key (ok, ln))")
        conn.execute("insert into ord select g, g % 10 from generate_series(1, 500) g")
        conn.execute("insert into line select o, l, (o + l) % 7 from generate_series(1, 500) o, "
                     "generate_series(1, 4) l where l <= 1 + o % 4")
        conn.execute("analyze")
        sql = ("select count(*) from ord o where o.cust < 5 "
               "and exists (select 1 from line l where l.ok = o.ok and l.supp = 3) "
               "and not exists (select 1 from line l2 where l2.ok = o.ok and l2.supp = 4)")
        assert plan(conn, sql) == [
            "Finalize Aggregate",
            "  ->  Partial Aggregate (on each worker)",
            "        ->  Seq Scan on ord o",
            "              Filter: (((o.cust < 5) AND (SubPlan)) AND (NOT (SubPlan)))",
            "              SubPlan 1",
            "                ->  Hash Lookup",
            "                      Lookup Cond: (l.ok = o.ok)",
            "                      ->  Seq Scan on line l",
            "                            Filter: (l.supp = 3)",
            "              SubPlan 2",
            "                ->  Hash Lookup",
            "                      Lookup Cond: (l2.ok = o.ok)",
            "                      ->  Seq Scan on line l2",
            "                            Filter: (l2.supp = 4)",
        ]
        lines_of = {}
        for ok, ln, supp in [(o, l, (o + l) % 7) for o in range(1, 501) for l in range(1, 5) if l <= 1 + o % 4]:
            lines_of.setdefault(ok, []).append(supp)
        expected = sum(1 for ok in range(1, 501) if ok % 10 < 5
                       and 3 in lines_of.get(ok, []) and 4 not in lines_of.get(ok, []))
        assert conn.execute(sql).fetchone()[0] == expected
        other = "select count(*) from ord o where exists (select 1 from line l where l.supp = o.cust and l.ln = 4)"
        lines = [row[0] for row in conn.execute("explain analyze " + other).fetchall()]
        inner = [line for line in lines if "Seq Scan on line" in line]
        assert len(inner) == 1 and "loops=1" in inner[0], lines


def test_group_keys_a_primary_key_determines_are_carried(keel, postgres):
    """GROUP BY a table's primary key and more of its columns groups by the key alone (the
    other columns ride along per group), as PostgreSQL's planner does: the Group Key lines
    agree (TPC-H Q10's and Q18's shapes)."""
    def group_key(lines):
        return [line.strip() for line in lines if line.strip().startswith("Group Key:")]

    queries = [
        "select d.id, d.name, d.budget, count(*) from dept d join emp e on e.dept_id = d.id "
        "group by d.id, d.name, d.budget",
        "select e.name, e.id, d.id, d.name, sum(e.salary) from emp e join dept d on e.dept_id = d.id "
        "group by e.name, e.id, d.id, d.name",
        # Not the whole key of emp: its columns stay keys.
        "select e.name, d.id, d.name, count(*) from emp e join dept d on e.dept_id = d.id "
        "group by e.name, d.id, d.name",
    ]
    subprocess.run(postgres.psql_args("postgres") + ["-q", "-c", "drop table if exists emp, dept"],
                   check=True)
    with psycopg.connect(keel.dsn(), autocommit=True) as conn, \
            psycopg.connect(postgres.dsn("postgres"), autocommit=True) as pg:
        setup(conn)
        setup(pg)
        for sql in queries:
            ours, theirs = group_key(plan(conn, sql)), group_key(plan(pg, sql))
            assert ours and ours == theirs, (sql, ours, theirs)
            rows = sorted(conn.execute(sql).fetchall())
            assert rows == sorted(pg.execute(sql).fetchall()), sql
        pg.execute("drop table emp, dept")


def test_explain_analyze_counts_what_a_join_filter_removed(keel, postgres):
    # query.rs hash_join counts the pairs with equal keys that the join's other conditions turn
    # down; explain.rs prints PostgreSQL's "Rows Removed by Join Filter" line (left out at 0) and
    # the Hash node's counts. Plans here are the same on both servers, so the lines must be too
    # (less PostgreSQL's Buckets line, which describes its own hash table).
    sql_setup = [
        "drop table if exists ja, jb",
        "create table ja (a int primary key, b int)",
        "create table jb (a int primary key, c int)",
        "insert into ja select g, g % 10 from generate_series(1, 1000) g",
        "insert into jb select g, g % 7 from generate_series(1, 1000) g",
        "analyze ja",
        "analyze jb",
    ]
    query = ("explain (analyze, costs off, timing off, summary off) "
             "select * from ja join jb on ja.a = jb.a where ja.b < jb.c")
    outputs = []
    for server in (keel, postgres):
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            for sql in sql_setup:
                conn.execute(sql)
            lines = [row[0] for row in conn.execute(query).fetchall()]
            outputs.append([line for line in lines if "Buckets:" not in line])
            if server is keel:
                # A join without keys is a nested loop over every pair (PostgreSQL plans an
                # index scan here).
                nested = [row[0] for row in conn.execute(
                    "explain (analyze, costs off, timing off, summary off) "
                    "select count(*) from ja join jb on ja.a < jb.c").fetchall()]
                assert "Rows Removed by Join Filter: 997855" in [line.strip() for line in nested], nested
            conn.execute("drop table ja, jb")
    assert outputs[0] == outputs[1]
    assert "  Rows Removed by Join Filter: 701" in outputs[0], outputs[0]
    assert "  ->  Hash (actual rows=1000 loops=1)" in outputs[0], outputs[0]


def test_outer_joins_that_conditions_make_pointless_are_inner(keel):
    # planner.rs reduced_kind / reduce_leaves (PostgreSQL's reduce_outer_joins): a condition above
    # an outer join that drops the rows it pads turns it into an inner join (whose leaves then
    # take their filters and join order as any inner join's); one that keeps them does not.
    with psycopg.connect(keel.dsn(), autocommit=True) as conn:
        conn.execute("create table ra (a int primary key, b int)")
        conn.execute("create table rb (a int primary key, c int)")
        conn.execute("create table rc (a int primary key, d int)")

        def joins(sql):
            nodes = [line.strip().removeprefix("->  ") for line in plan(conn, sql)]
            return [node for node in nodes if node.endswith("Join") or node.startswith("Nested Loop")]

        assert joins("select * from ra left join rb on ra.a = rb.a where rb.c = 3") == ["Hash Join"]
        assert joins("select * from ra left join rb on ra.a = rb.a where rb.c > ra.b") == ["Hash Join"]
        assert joins("select * from ra left join rb on ra.a = rb.a where rb.c is not null") == ["Hash Join"]
        assert joins("select * from ra left join rb on ra.a = rb.a where rb.c = 3 or rb.c = 4") == ["Hash Join"]
        # Conditions that padded rows can pass keep the outer join.
        for keeps in ("rb.c is null", "coalesce(rb.c, 3) = 3", "rb.c = 3 or ra.b = 1",
                      "(rb.c = 3) is not true", "rb.c is distinct from 3"):
            assert joins(f"select * from ra left join rb on ra.a = rb.a where {keeps}") == ["Hash Left Join"], keeps
        # A full join loses the padding of the side the condition needs.
        assert joins("select * from ra full join rb on ra.a = rb.a where ra.b = 3") == ["Hash Left Join"]
        assert joins("select * from ra full join rb on ra.a = rb.a where rb.c = 3") == ["Hash Right Join"]
        assert joins("select * from ra right join rb on ra.a = rb.a where ra.b = 3") == ["Hash Join"]
        # An inner join's condition on the nullable side reduces the outer join below it.
        assert joins("select * from (ra left join rb on ra.a = rb.a) join rc on rc.a = rb.a") == [
            "Hash Join", "Hash Join"]
