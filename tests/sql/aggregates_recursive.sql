-- Aggregates with DISTINCT and FILTER; WITH RECURSIVE.
DROP TABLE IF EXISTS r_tree;
DROP TABLE IF EXISTS r_sales;
CREATE TABLE r_tree (id int PRIMARY KEY, parent int, name text);
CREATE TABLE r_sales (id int PRIMARY KEY, region text, amount int, price float8);
INSERT INTO r_tree VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 2, 'a2'), (6, 4, 'a1x'), (7, 3, 'b1');
INSERT INTO r_sales VALUES (1, 'n', 10, 1.5), (2, 's', 20, 2.5), (3, 'n', 10, NULL), (4, 'e', NULL, 4), (5, 's', 50, 0.5), (6, 'n', 60, 6.25);
-- DISTINCT and FILTER
SELECT count(DISTINCT region), count(DISTINCT amount), sum(DISTINCT amount), avg(DISTINCT amount) FROM r_sales;
SELECT region, count(DISTINCT amount) FROM r_sales GROUP BY region ORDER BY 1;
SELECT count(*) FILTER (WHERE amount > 15), sum(amount) FILTER (WHERE region = 'n'), max(price) FILTER (WHERE price < 5) FROM r_sales;
SELECT region, count(*) FILTER (WHERE price IS NULL) AS missing, count(*) FROM r_sales GROUP BY region ORDER BY 1;
SELECT count(DISTINCT amount) FILTER (WHERE region <> 'e') FROM r_sales;
SELECT min(DISTINCT region), max(DISTINCT amount) FROM r_sales;
SELECT abs(-1) FILTER (WHERE true);
SELECT lower(DISTINCT 'A');
-- WITH RECURSIVE
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i), count(*) FROM n;
WITH RECURSIVE sub AS (SELECT id, name, 0 AS depth FROM r_tree WHERE id = 2 UNION ALL SELECT t.id, t.name, s.depth + 1 FROM r_tree t JOIN sub s ON t.parent = s.id) SELECT * FROM sub ORDER BY id;
WITH RECURSIVE up(id, parent, path) AS (SELECT id, parent, name FROM r_tree WHERE id = 6 UNION ALL SELECT t.id, t.parent, u.path || '<' || t.name FROM r_tree t, up u WHERE t.id = u.parent) SELECT path FROM up ORDER BY length(path) DESC LIMIT 1;
WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT (x + 1) % 4 FROM c) SELECT x FROM c ORDER BY x;
WITH RECURSIVE fib(a, b) AS (SELECT 0::int8, 1::int8 UNION ALL SELECT b, a + b FROM fib WHERE b < 1000) SELECT a FROM fib ORDER BY a;
WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n * 2 FROM t WHERE n < 100) SELECT n FROM t ORDER BY n;
WITH RECURSIVE plain AS (SELECT 1 AS v UNION SELECT 2) SELECT * FROM plain ORDER BY v;
WITH RECURSIVE bad(n) AS (SELECT 1 UNION ALL SELECT n, n FROM bad) SELECT * FROM bad;
