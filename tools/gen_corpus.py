#!/usr/bin/env python3
"""Writes tests/sql/generated_*.sql: seeded random queries over a small fixed schema, combining
the SQL the engine supports (filters, joins of every kind, grouping and aggregates, subqueries,
set operations, window functions, CASE/COALESCE, ORDER BY/LIMIT).

    python3 tools/gen_corpus.py            # rewrites the files (same seed: same queries)
    UPDATE_GOLDEN=1 python3 -m pytest tests/test_sql_golden.py -k generated   # their .out from PostgreSQL

Every query orders its rows by all its output columns, so PostgreSQL's output is the one right
answer and the golden test can compare text. The files are checked in; regenerate only to change
the corpus (a new seed or new templates), and keep every file passing on both servers.
"""

import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "sql"

SCHEMA = """DROP TABLE IF EXISTS g_a;
DROP TABLE IF EXISTS g_b;
DROP TABLE IF EXISTS g_c;
CREATE TABLE g_a (id int PRIMARY KEY, k int, v int, s text, n numeric(8,2), d date);
CREATE TABLE g_b (id int PRIMARY KEY, k int, w int, t text);
CREATE TABLE g_c (k int PRIMARY KEY, label text);
INSERT INTO g_a SELECT g, g % 7, CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 37) % 100 END, 'a' || (g % 4), (g * 13 % 1000) / 10.0, date '2024-01-01' + g * 9 FROM generate_series(1, 60) g;
INSERT INTO g_b SELECT g, g % 9, (g * 17) % 50, CASE WHEN g % 6 = 0 THEN NULL ELSE 'b' || (g % 3) END FROM generate_series(1, 45) g;
INSERT INTO g_c SELECT g, 'c' || g FROM generate_series(0, 5) g;
"""

COLUMNS = {"g_a": ["id", "k", "v"], "g_b": ["id", "k", "w"], "g_c": ["k"]}
TEXT = {"g_a": ["s"], "g_b": ["t"], "g_c": ["label"]}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, items):
        return self.r.choice(items)

    def int_col(self, alias, table):
        return f"{alias}.{self.pick(COLUMNS[table])}"

    def predicate(self, alias, table):
        col = self.int_col(alias, table)
        kind = self.r.randrange(8)
        if kind == 0:
            return f"{col} {self.pick(['=', '<>', '<', '<=', '>', '>='])} {self.r.randrange(0, 60)}"
        if kind == 1:
            return f"{col} BETWEEN {self.r.randrange(0, 20)} AND {self.r.randrange(20, 70)}"
        if kind == 2:
            return f"{col} IN ({', '.join(str(self.r.randrange(0, 30)) for _ in range(3))})"
        if kind == 3:
            return f"{col} IS {self.pick(['', 'NOT '])}NULL"
        if kind == 4:
            text = f"{alias}.{self.pick(TEXT[table])}"
            return f"{text} {self.pick(['LIKE', 'NOT LIKE'])} '{self.pick(['a%', '%1', 'b_', 'c%', '%'])}'"
        if kind == 5:
            return f"({col} % {self.r.randrange(2, 5)} = 0 OR {self.int_col(alias, table)} > {self.r.randrange(10, 50)})"
        if kind == 6:
            return f"NOT ({col} < {self.r.randrange(5, 40)})"
        return f"coalesce({col}, -1) >= {self.r.randrange(0, 40)}"

    def expr(self, alias, table):
        col = self.int_col(alias, table)
        kind = self.r.randrange(6)
        if kind == 0:
            return col
        if kind == 1:
            return f"{col} {self.pick(['+', '-', '*'])} {self.r.randrange(1, 9)}"
        if kind == 2:
            return f"CASE WHEN {col} > {self.r.randrange(0, 50)} THEN 'hi' ELSE 'lo' END"
        if kind == 3:
            return f"coalesce({col}, 0)"
        if kind == 4:
            return f"{col} / {self.r.randrange(1, 6)}"
        return f"{alias}.{self.pick(TEXT[table])}"

    def ordered(self, select_list, rest, n):
        return f"SELECT {select_list} {rest} ORDER BY {', '.join(str(i) for i in range(1, n + 1))}"

    def simple(self):
        table = self.pick(list(COLUMNS))
        outputs = [self.expr("x", table) for _ in range(self.r.randrange(1, 4))]
        where = " AND ".join(self.predicate("x", table) for _ in range(self.r.randrange(1, 3)))
        limit = f" LIMIT {self.r.randrange(1, 10)}" if self.r.random() < 0.3 else ""
        return self.ordered(", ".join(outputs), f"FROM {table} x WHERE {where}", len(outputs)) + limit

    def join(self):
        kind = self.pick(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"])
        left, right = self.pick([("g_a", "g_b"), ("g_b", "g_a"), ("g_a", "g_c"), ("g_b", "g_c")])
        on = f"x.k = y.k"
        if self.r.random() < 0.3:
            on += f" AND {self.predicate('y', right)}"
        outputs = [self.expr("x", left), self.expr("y", right)]
        where = f" WHERE {self.predicate('x', left)}" if self.r.random() < 0.5 and kind in ("JOIN", "LEFT JOIN") else ""
        return self.ordered(", ".join(outputs), f"FROM {left} x {kind} {right} y ON {on}{where}", 2)

    def grouped(self):
        table = self.pick(["g_a", "g_b"])
        key = self.pick(["x.k", f"x.{TEXT[table][0]}", "x.k % 3"])
        value = self.int_col("x", table)
        aggs = [self.pick([f"count(*)", f"count({value})", f"sum({value})", f"min({value})", f"max({value})",
                           f"avg({value})", f"count(DISTINCT {value})",
                           f"sum({value}) FILTER (WHERE {self.predicate('x', table)})"])
                for _ in range(self.r.randrange(1, 3))]
        having = f" HAVING count(*) > {self.r.randrange(0, 5)}" if self.r.random() < 0.4 else ""
        where = f" WHERE {self.predicate('x', table)}" if self.r.random() < 0.5 else ""
        return self.ordered(f"{key}, {', '.join(aggs)}", f"FROM {table} x{where} GROUP BY 1{having}", 1 + len(aggs))

    def subquery(self):
        kind = self.r.randrange(5)
        if kind == 0:
            return self.ordered("x.id, x.v", f"FROM g_a x WHERE x.k IN (SELECT y.k FROM g_b y WHERE {self.predicate('y', 'g_b')})", 2)
        if kind == 1:
            neg = self.pick(["", "NOT "])
            return self.ordered("x.id", f"FROM g_b x WHERE {neg}EXISTS (SELECT 1 FROM g_a y WHERE y.k = x.k AND {self.predicate('y', 'g_a')})", 1)
        if kind == 2:
            agg = self.pick(["max", "min", "sum", "count"])
            return self.ordered(f"x.id, (SELECT {agg}(y.w) FROM g_b y WHERE y.k = x.k)", f"FROM g_a x WHERE {self.predicate('x', 'g_a')}", 2)
        if kind == 3:
            op = self.pick(["<", ">", "<=", ">="])
            return self.ordered("x.id, x.v", f"FROM g_a x WHERE x.v {op} (SELECT avg(y.v) FROM g_a y WHERE y.k = x.k)", 2)
        neg = self.pick(["", "NOT "])
        return self.ordered("x.id", f"FROM g_a x WHERE x.v {neg}IN (SELECT y.w FROM g_b y WHERE y.w IS NOT NULL)", 1)

    def setop(self):
        op = self.pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT", "INTERSECT ALL", "EXCEPT ALL"])
        left = f"SELECT x.k, x.{self.pick(['v', 'id'])} % 10 FROM g_a x WHERE {self.predicate('x', 'g_a')}"
        right = f"SELECT y.k, y.w % 10 FROM g_b y WHERE {self.predicate('y', 'g_b')}"
        return f"{left} {op} {right} ORDER BY 1, 2"

    def window(self):
        table = self.pick(["g_a", "g_b"])
        value = self.pick([c for c in COLUMNS[table] if c != "id"])
        func = self.pick(["row_number()", "rank()", "dense_rank()", f"sum(x.{value})", f"count(x.{value})",
                          f"lag(x.{value})", f"lead(x.id, 2)", f"first_value(x.{value})", "ntile(3)"])
        partition = self.pick(["", "PARTITION BY x.k "])
        frame = ""
        if func.startswith(("sum", "count")) and self.r.random() < 0.5:
            frame = self.pick([" ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING", " ROWS UNBOUNDED PRECEDING",
                               " GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING"])
        return self.ordered(f"x.id, {func} OVER ({partition}ORDER BY x.id{frame})",
                            f"FROM {table} x WHERE {self.predicate('x', table)}", 2)

    def misc(self):
        kind = self.r.randrange(6)
        if kind == 0:
            return self.ordered(f"DISTINCT x.k, x.{self.pick(['s', 'v'])}", f"FROM g_a x WHERE {self.predicate('x', 'g_a')}", 2)
        if kind == 1:
            field = self.pick(["year", "month", "day", "dow", "doy", "quarter", "week"])
            return self.ordered(f"extract({field} FROM x.d), count(*)", "FROM g_a x GROUP BY 1", 2)
        if kind == 2:
            unit = self.pick(["month", "year", "week", "quarter"])
            return self.ordered(f"date_trunc('{unit}', x.d), sum(x.n)", f"FROM g_a x WHERE {self.predicate('x', 'g_a')} GROUP BY 1", 2)
        if kind == 3:
            fn = self.pick(["upper(x.s)", "length(x.t)", "substring(x.t from 2)", "x.t || '-' || x.k",
                            "replace(x.t, 'b', 'B')", "lpad(x.t, 4, '*')", "coalesce(x.t, 'none')"])
            table, alias = ("g_a", "x") if "x.s" in fn else ("g_b", "x")
            return self.ordered(f"x.id, {fn}", f"FROM {table} {alias} WHERE {self.predicate(alias, table)}", 2)
        if kind == 4:
            days = self.r.randrange(1, 200)
            return self.ordered("x.id, x.d + 7, x.d - date '2024-03-01'", f"FROM g_a x WHERE x.d < date '2024-01-01' + {days}", 3)
        return self.ordered("w.k, w.total", f"FROM (SELECT x.k, sum(x.n) AS total FROM g_a x WHERE {self.predicate('x', 'g_a')} GROUP BY x.k) w WHERE w.total > {self.r.randrange(0, 300)}", 2)

    def query(self):
        return self.pick([self.simple, self.simple, self.join, self.join, self.grouped, self.grouped,
                          self.subquery, self.setop, self.window, self.misc])()


def main():
    per_file, files = 150, 12
    for number in range(files):
        gen = Gen(1000 + number)
        lines = [f"-- Generated by tools/gen_corpus.py (seed {1000 + number}): random queries over a fixed schema.",
                 SCHEMA.strip()]
        seen = set()
        while len(seen) < per_file:
            query = gen.query() + ";"
            if query not in seen:
                seen.add(query)
                lines.append(query)
        # Each file has its own tables: the golden runner shares one PostgreSQL between files.
        text = "\n".join(lines) + "\n"
        for table in ("g_a", "g_b", "g_c"):
            text = text.replace(table, f"g{number + 1}{table[1:]}")
        (OUT / f"generated_{number + 1}.sql").write_text(text)


if __name__ == "__main__":
    main()
