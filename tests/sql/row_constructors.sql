-- Row constructors as values: ROW(a, b) and (a, b) make anonymous records, printed as
-- record_out prints them, compared, grouped and counted field by field (NULL fields too).
DROP TABLE IF EXISTS rc_t;
CREATE TABLE rc_t (id int PRIMARY KEY, a int, b text, c numeric(6,2));
INSERT INTO rc_t VALUES (1, 1, 'x', 1.50), (2, 1, 'x', 2.00), (3, 2, 'y', NULL), (4, 2, NULL, NULL),
  (5, NULL, NULL, NULL), (6, 2, 'y', NULL), (7, 3, 'a b', 3.25), (8, 3, 'q"uote', 0);
SELECT (1, 'two', 3.5);
SELECT ROW(1, 'two', NULL), ROW(), ROW(true);
SELECT id, (a, b) AS pair, ROW(b, c) FROM rc_t ORDER BY id;
SELECT count(DISTINCT (a, b)) AS pairs, count(DISTINCT a) AS singles, count((a, b)) AS rows FROM rc_t;
SELECT a, count(DISTINCT (b, c)) FROM rc_t GROUP BY a ORDER BY a NULLS LAST;
SELECT DISTINCT (a, b) AS r FROM rc_t ORDER BY r;
SELECT (a, b) AS r, count(*) FROM rc_t GROUP BY (a, b) ORDER BY r;
SELECT (a, b) AS r FROM rc_t ORDER BY (a, b) DESC, id LIMIT 4;
SELECT row_to_json(ROW(a, b)) FROM rc_t WHERE id IN (1, 5) ORDER BY id;
SELECT array_agg((id, b) ORDER BY id) FROM rc_t WHERE a = 2;
SELECT (a, b) = (1, 'x') AS eq, (a, b) < (2, 'z') AS lt, (a, b) IS NULL AS null_row FROM rc_t ORDER BY id;
SELECT count(*) FROM rc_t WHERE (a, b) IN (SELECT a, b FROM rc_t WHERE id > 6);
SELECT pg_typeof((1, 2));
CREATE TABLE rc_bad AS SELECT (1, 2) AS r;
DROP TABLE rc_t;
