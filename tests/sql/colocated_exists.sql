-- A correlated EXISTS / NOT EXISTS that finds its rows by the first key column of a table
-- placed by it, equal to the outer scan's first key column, runs on the workers inside the
-- outer scan (colocate.rs). The answers must be the session's: EXISTS and NOT EXISTS, with
-- conditions on the inner rows and on the outer row, in WHERE and in an inner join's ON,
-- inner keys without rows, negative keys, the transaction's own changes; and the shapes that
-- stay at the session (another key column, a LEFT JOIN's ON, keys of different types, a table
-- placed by its whole key).
DROP TABLE IF EXISTS co_lines;
DROP TABLE IF EXISTS co_orders;
DROP TABLE IF EXISTS co_big;
DROP TABLE IF EXISTS co_text;
CREATE TABLE co_orders (ok int PRIMARY KEY, cust int NOT NULL, status char(1) NOT NULL);
CREATE TABLE co_lines (ok int, ln int, supp int NOT NULL, qty numeric(10,2), cd date NOT NULL, rd date NOT NULL, note text, PRIMARY KEY (ok, ln));
CREATE TABLE co_big (ok bigint, ln int, supp int, PRIMARY KEY (ok, ln));
CREATE TABLE co_text (code text PRIMARY KEY, ok int);
INSERT INTO co_orders SELECT i, i % 97, CASE WHEN i % 3 = 0 THEN 'F' ELSE 'O' END FROM generate_series(-30, 3000) AS i;
INSERT INTO co_lines SELECT o, l, (o * 7 + l) % 23, CASE WHEN l = 2 THEN NULL ELSE (o % 50) + l * 0.25 END,
  date '1995-01-01' + ((o + l) % 300), date '1995-01-01' + ((o + l) % 300) + ((o * 3 + l) % 5) - 3, CASE WHEN l % 3 = 0 THEN 'x' END
FROM generate_series(-30, 3000) AS o, generate_series(1, 7) AS l
WHERE l <= 1 + (abs(o) % 7) AND o % 11 <> 4;
INSERT INTO co_big SELECT ok, ln, supp FROM co_lines WHERE ok % 5 = 0;
INSERT INTO co_text SELECT 'k' || ok, ok FROM co_orders WHERE ok % 7 = 0;
ANALYZE co_orders;
ANALYZE co_lines;
-- TPC-H Q21's shape: the same table outside and inside, a condition on both rows.
SELECT l1.supp, count(*) FROM co_lines l1 JOIN co_orders o ON o.ok = l1.ok
WHERE o.status = 'F' AND l1.rd > l1.cd
  AND EXISTS (SELECT * FROM co_lines l2 WHERE l2.ok = l1.ok AND l2.supp <> l1.supp)
  AND NOT EXISTS (SELECT * FROM co_lines l3 WHERE l3.ok = l1.ok AND l3.supp <> l1.supp AND l3.rd > l3.cd)
GROUP BY l1.supp ORDER BY 2 DESC, 1;
-- TPC-H Q4's shape: orders with a late line; orders without lines at all (ok % 11 = 4).
SELECT status, count(*), sum(ok) FROM co_orders o
WHERE EXISTS (SELECT 1 FROM co_lines l WHERE l.ok = o.ok AND l.cd < l.rd) GROUP BY status ORDER BY status;
SELECT count(*), sum(ok) FROM co_orders o WHERE NOT EXISTS (SELECT 1 FROM co_lines l WHERE l.ok = o.ok);
SELECT count(*), min(ok), max(ok) FROM co_orders o WHERE ok < 0 AND NOT EXISTS (SELECT 1 FROM co_lines l WHERE o.ok = l.ok AND l.qty IS NULL);
-- Conditions reading inner columns only NULLs or text fill, and the outer row's other columns.
SELECT count(*) FROM co_orders o WHERE EXISTS (SELECT 1 FROM co_lines l WHERE l.ok = o.ok AND l.note = 'x' AND l.supp > o.cust % 23);
-- In an inner join's ON, and under an outer query's aggregate.
SELECT o.cust, count(*) FROM co_orders o JOIN co_lines l ON l.ok = o.ok AND l.ln = 1
  AND NOT EXISTS (SELECT 1 FROM co_lines x WHERE x.ok = o.ok AND x.ln > 3)
WHERE o.cust < 5 GROUP BY o.cust ORDER BY 1;
-- Stays at the session: another column of the inner table, a LEFT JOIN's ON, int against
-- bigint keys, a table placed by its whole (text) key.
SELECT count(*) FROM co_orders o WHERE EXISTS (SELECT 1 FROM co_lines l WHERE l.supp = o.cust AND l.ln = 7);
SELECT count(*), count(l.ok) FROM co_orders o LEFT JOIN co_lines l ON l.ok = o.ok AND l.ln = 1
  AND EXISTS (SELECT 1 FROM co_lines x WHERE x.ok = o.ok AND x.ln = 5);
SELECT count(*) FROM co_orders o WHERE EXISTS (SELECT 1 FROM co_big b WHERE b.ok = o.ok AND b.supp < 5);
SELECT count(*) FROM co_text t WHERE EXISTS (SELECT 1 FROM co_lines l WHERE l.ok = t.ok AND l.ln = 1);
-- The transaction's own changes are seen by the seeks.
BEGIN;
DELETE FROM co_lines WHERE ok BETWEEN 0 AND 100 AND ln = 1;
INSERT INTO co_lines VALUES (4, 1, 3, 1.00, date '1995-01-01', date '1995-02-01', 'x');
UPDATE co_lines SET supp = 99 WHERE ok BETWEEN 200 AND 300;
SELECT count(*), sum(ok) FROM co_orders o WHERE ok BETWEEN -30 AND 400
  AND EXISTS (SELECT 1 FROM co_lines l WHERE l.ok = o.ok AND l.ln = 1);
SELECT count(*) FROM co_orders o WHERE ok BETWEEN 150 AND 350
  AND NOT EXISTS (SELECT 1 FROM co_lines l WHERE l.ok = o.ok AND l.supp <> 99);
ROLLBACK;
SELECT count(*), sum(ok) FROM co_orders o WHERE ok BETWEEN -30 AND 400
  AND EXISTS (SELECT 1 FROM co_lines l WHERE l.ok = o.ok AND l.ln = 1);
DROP TABLE co_lines;
DROP TABLE co_orders;
DROP TABLE co_big;
DROP TABLE co_text;
