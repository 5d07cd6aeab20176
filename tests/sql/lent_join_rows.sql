-- Joins and projections that feed an aggregate lend it each row from one reused buffer (query.rs
-- `assign_row`): text values of changing lengths (longer, shorter, empty, NULL) and types that
-- change from row to row in a column (a CASE of text or NULL) must come out as if each row were
-- new; also through outer joins' padding, a projection, a filter, a chain of three joins and
-- count(DISTINCT) over many groups. And uncorrelated [NOT] IN with integer and text keys, NULLs
-- and empty subqueries (hashed once, query.rs `in_set`).
DROP TABLE IF EXISTS lj_part;
DROP TABLE IF EXISTS lj_supp;
DROP TABLE IF EXISTS lj_ps;
CREATE TABLE lj_part (id int PRIMARY KEY, brand text, kind varchar(40), size int);
CREATE TABLE lj_supp (id int PRIMARY KEY, note text);
CREATE TABLE lj_ps (part int, supp int, cost numeric(10,2), PRIMARY KEY (part, supp));
INSERT INTO lj_part SELECT i, 'Brand#' || (i % 7),
  CASE WHEN i % 11 = 0 THEN NULL WHEN i % 5 = 0 THEN '' ELSE repeat('x', i % 23) || ' kind ' || (i % 4) END,
  i % 9 FROM generate_series(1, 3000) AS i;
INSERT INTO lj_supp SELECT i, CASE WHEN i % 17 = 0 THEN 'Customer Complaints' WHEN i % 29 = 0 THEN NULL ELSE 'fine ' || i END
FROM generate_series(1, 300) AS i;
INSERT INTO lj_ps SELECT p, 1 + (p * 7 + s * 13) % 300, (p % 97) * 1.5 + s
FROM generate_series(1, 3000) AS p, generate_series(1, 4) AS s;
ANALYZE lj_part;
ANALYZE lj_supp;
ANALYZE lj_ps;
-- Q16's shape: count(DISTINCT) per group over a join, NOT IN a subquery.
SELECT p.brand, p.kind, p.size, count(DISTINCT ps.supp) AS supps
FROM lj_ps ps, lj_part p
WHERE p.id = ps.part AND p.brand <> 'Brand#3' AND p.size IN (1, 3, 5, 7, 8)
  AND ps.supp NOT IN (SELECT id FROM lj_supp WHERE note LIKE '%Complaints%')
GROUP BY p.brand, p.kind, p.size
ORDER BY supps DESC, p.brand, p.kind NULLS FIRST, p.size
LIMIT 40;
SELECT count(*), count(DISTINCT brand || '|' || coalesce(kind, '~') || '|' || size), sum(supps) FROM (
  SELECT p.brand, p.kind, p.size, count(DISTINCT ps.supp) AS supps
  FROM lj_ps ps JOIN lj_part p ON p.id = ps.part
  GROUP BY p.brand, p.kind, p.size) AS t;
-- Text values of every length through the join into string_agg and min/max.
SELECT p.size, min(p.kind), max(p.kind), length(string_agg(p.kind, ',' ORDER BY ps.part, ps.supp)),
  count(p.kind), sum(length(p.kind))
FROM lj_part p JOIN lj_ps ps ON ps.part = p.id GROUP BY p.size ORDER BY p.size;
-- A column that is text on some rows and NULL on others, computed in a projection.
SELECT t.label, count(*), sum(t.cost) FROM (
  SELECT CASE WHEN ps.supp % 3 = 0 THEN p.brand || '/' || ps.supp ELSE NULL END AS label, ps.cost
  FROM lj_part p JOIN lj_ps ps ON ps.part = p.id WHERE p.id < 40) AS t
GROUP BY t.label ORDER BY t.label NULLS FIRST LIMIT 25;
-- Outer joins: padded rows among lent ones.
SELECT s.note IS NULL AS no_note, count(*), count(ps.part), count(DISTINCT ps.part)
FROM lj_supp s LEFT JOIN lj_ps ps ON ps.supp = s.id AND ps.part < 100 GROUP BY 1 ORDER BY 1;
SELECT coalesce(s.note, '-') AS note, count(ps.part) FROM lj_ps ps RIGHT JOIN lj_supp s
  ON ps.supp = s.id AND ps.cost > 140 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10;
SELECT count(*), count(p.id), count(ps.part), count(DISTINCT p.kind)
FROM (SELECT * FROM lj_part WHERE id % 2 = 0) p FULL JOIN (SELECT * FROM lj_ps WHERE supp < 50) ps ON ps.part = p.id;
-- A chain of three joins into an aggregate, and the same rows kept (not aggregated).
SELECT p.brand, s.note IS NULL AS no_note, count(*), sum(ps.cost), max(s.note)
FROM lj_part p JOIN lj_ps ps ON ps.part = p.id JOIN lj_supp s ON s.id = ps.supp
WHERE p.size = 4 GROUP BY 1, 2 ORDER BY 1, 2;
SELECT p.id, p.kind, s.note FROM lj_part p JOIN lj_ps ps ON ps.part = p.id JOIN lj_supp s ON s.id = ps.supp
WHERE p.id BETWEEN 30 AND 34 ORDER BY p.id, ps.supp;
-- [NOT] IN over integer and text keys, with NULLs and empty subqueries.
SELECT count(*) FROM lj_ps WHERE supp IN (SELECT id FROM lj_supp WHERE note LIKE 'fine 1%');
SELECT count(*) FROM lj_ps WHERE supp NOT IN (SELECT id FROM lj_supp WHERE id > 250);
SELECT count(*) FROM lj_ps WHERE supp NOT IN (SELECT CASE WHEN id = 7 THEN NULL ELSE id END FROM lj_supp WHERE id < 10);
SELECT count(*) FROM lj_ps WHERE supp NOT IN (SELECT id FROM lj_supp WHERE id < 0);
SELECT count(*) FROM lj_part WHERE kind NOT IN (SELECT note FROM lj_supp WHERE id > 5);
SELECT count(*) FROM lj_part WHERE kind IN (SELECT kind FROM lj_part WHERE id % 10 = 1);
SELECT count(*) FROM lj_part WHERE (kind IN (SELECT note FROM lj_supp)) IS NULL;
SELECT count(*) FROM lj_part WHERE size IN (SELECT id - 295 FROM lj_supp WHERE id > 290);
SELECT id, size NOT IN (SELECT size FROM lj_part WHERE id < 4) AS n FROM lj_part WHERE id < 12 ORDER BY id;
