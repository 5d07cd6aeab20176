-- WITH RECURSIVE ... SEARCH {DEPTH | BREADTH} FIRST BY ... SET and CYCLE ... SET ... [TO ..
-- DEFAULT ..] USING: the added sequence, cycle mark and path columns (record and record[]
-- values that order as PostgreSQL's), cycles cut where a row repeats, and PostgreSQL's errors.
DROP TABLE IF EXISTS sc_graph;
CREATE TABLE sc_graph (f int, t int, label text);
INSERT INTO sc_graph VALUES (1, 2, 'arc 1 -> 2'), (1, 3, 'arc 1 -> 3'), (2, 3, 'arc 2 -> 3'),
  (1, 4, 'arc 1 -> 4'), (4, 5, 'arc 4 -> 5'), (5, 1, 'arc 5 -> 1'), (3, 10, 'x'), (10, 11, 'y');
WITH RECURSIVE search_graph(f, t, label) AS (
  SELECT * FROM sc_graph g
  UNION ALL
  SELECT g.* FROM sc_graph g, search_graph sg WHERE g.f = sg.t
) CYCLE f, t SET is_cycle USING path
SELECT * FROM search_graph ORDER BY path;
WITH RECURSIVE search_graph(f, t, label) AS (
  SELECT * FROM sc_graph g WHERE f = 1
  UNION ALL
  SELECT g.* FROM sc_graph g, search_graph sg WHERE g.f = sg.t
) SEARCH DEPTH FIRST BY f, t SET seq CYCLE f, t SET is_cycle USING path
SELECT f, t, label, seq, is_cycle FROM search_graph ORDER BY seq;
WITH RECURSIVE search_graph(f, t, label) AS (
  SELECT * FROM sc_graph g WHERE f = 1
  UNION ALL
  SELECT g.* FROM sc_graph g, search_graph sg WHERE g.f = sg.t
) SEARCH BREADTH FIRST BY f, t SET seq CYCLE f, t SET is_cycle TO 'Y' DEFAULT 'N' USING path
SELECT f, t, seq, is_cycle FROM search_graph ORDER BY seq, f, t;
-- Depth-first order compares numbers as numbers (10 after 9).
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 12)
  SEARCH DEPTH FIRST BY n SET s
SELECT n FROM r ORDER BY s DESC LIMIT 3;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3)
  SEARCH BREADTH FIRST BY n SET s
SELECT * FROM r ORDER BY s;
WITH RECURSIVE r(n, m) AS (SELECT 1, 'a' UNION ALL SELECT n + 1, m || 'b' FROM r WHERE n < 3)
  SEARCH DEPTH FIRST BY m, n SET s
SELECT *, pg_typeof(s) FROM r ORDER BY s;
WITH RECURSIVE t(n, p) AS (VALUES (1, 'a') UNION SELECT n + 1, p || n FROM t WHERE n < 3)
  SEARCH BREADTH FIRST BY p SET o
SELECT * FROM t ORDER BY o;
-- The added columns can be read in the recursive term; a parenthesized recursive term, an alias.
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r.n + 1 FROM r WHERE r.s IS NULL)
  SEARCH DEPTH FIRST BY n SET s
SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM r WHERE n < 3))
  SEARCH DEPTH FIRST BY n SET s
SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT x.n + 1 FROM r AS x, generate_series(1, 2) g WHERE x.n < 3)
  SEARCH DEPTH FIRST BY n SET s
SELECT * FROM r ORDER BY s;
-- The cycle mark's value and default take their common type.
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3)
  CYCLE n SET c TO 1 DEFAULT 2.5 USING p
SELECT *, pg_typeof(c) FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT (n + 1) % 3 FROM r)
  CYCLE n SET c TO text 'a' DEFAULT 'b' USING p
SELECT *, pg_typeof(c) FROM r;
-- Errors.
WITH r(n) AS (SELECT 1) SEARCH DEPTH FIRST BY n SET s SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1) SEARCH DEPTH FIRST BY n SET s SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH DEPTH FIRST BY x SET s SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH DEPTH FIRST BY n, n SET s SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM (SELECT * FROM r) q WHERE n < 3) SEARCH DEPTH FIRST BY n SET s SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) CYCLE n SET c TO 1 DEFAULT 'x' USING p SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) CYCLE n SET c TO 1 DEFAULT true USING p SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) CYCLE n SET c USING c SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) CYCLE x SET c USING p SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH BREADTH FIRST BY n SET s CYCLE n SET s USING p SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH BREADTH FIRST BY n SET s CYCLE n SET c USING s SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT n FROM r UNION ALL SELECT 1) SEARCH DEPTH FIRST BY n SET s SELECT * FROM r;
DROP TABLE sc_graph;
-- A clause's column repeating a query column: PostgreSQL analyzes the query first, its recursive
-- reference carrying the clause's columns too, so a reference to that name is ambiguous there;
-- without one, the clause's error.
with recursive t(n, m) as (select 1, 2 union all select n + 1, 5 from t where n < 3) search depth first by n set m select * from t;
with recursive t(n, m) as (select 1, 2 union all select n + 1, 5 from t where n < 3) cycle n set m using p select * from t;
with recursive t(n, m) as (select 1, 2 union all select t.n + 1, t.m from t where t.n < 3) search depth first by n set m select * from t;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) cycle n set n using p select * from t;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) cycle n set c using n select * from t;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) cycle n set c using c select * from t;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) search depth first by n set n select * from t;
