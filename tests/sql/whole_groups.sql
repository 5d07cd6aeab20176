-- A GROUP BY that includes the first primary key column of a table placed by it: each worker holds its
-- groups whole and sends finished rows, cutting its parts (past the memory budget) only between runs of
-- that column's values. A small work_mem forces many parts.
DROP TABLE IF EXISTS wg_lines;
CREATE TABLE wg_lines (o int, l int, q numeric(12,2), t text, PRIMARY KEY (o, l));
INSERT INTO wg_lines SELECT o, l, (o * 7 + l) % 50, 'x' || (o % 13) FROM generate_series(1, 20000) o, generate_series(1, 1 + o % 7) l;
SET work_mem = '64kB';
SELECT count(*), sum(s), min(s), max(s), sum(n) FROM (SELECT o, sum(q) AS s, count(*) AS n FROM wg_lines GROUP BY o) g;
SELECT o, count(*), sum(q), avg(q), max(t), min(l) FROM wg_lines GROUP BY o HAVING sum(q) > 290 ORDER BY o;
SELECT count(*), count(DISTINCT o) FROM (SELECT o, t FROM wg_lines GROUP BY o, t) g;
SELECT count(*) FROM (SELECT o, l FROM wg_lines GROUP BY o, l) g;
SELECT t, o, sum(q) FROM wg_lines WHERE q > 45 GROUP BY t, o HAVING count(*) > 2 ORDER BY o, t;
SELECT o, sum(q) FROM wg_lines WHERE o IN (5, 6, 700) GROUP BY o ORDER BY o;
SELECT l, count(*), sum(q) FROM wg_lines GROUP BY l ORDER BY l;
SELECT count(*) FROM wg_lines WHERE o IN (SELECT o FROM wg_lines GROUP BY o HAVING sum(q) > 250);
RESET work_mem;
SELECT count(*), sum(s) FROM (SELECT o, sum(q) AS s FROM wg_lines GROUP BY o) g;
DROP TABLE wg_lines;
