-- Tables keyed by (integer, ...) are placed by their first key column, and a semi-join whose few
-- keys name that column reads the rows under each key by a seek on its owner instead of scanning
-- the table (exec.rs `seek_targets`). The answers must be the scan's: EXISTS / NOT EXISTS / IN,
-- joins driven by a selective side, keys without rows, negative and bigint keys, duplicate keys
-- on the driving side, a key set too large for seeks, and the transaction's own changes.
DROP TABLE IF EXISTS sj_lines;
DROP TABLE IF EXISTS sj_orders;
DROP TABLE IF EXISTS sj_wide;
CREATE TABLE sj_orders (ok int PRIMARY KEY, cust int NOT NULL, d date NOT NULL, status char(1) NOT NULL);
CREATE TABLE sj_lines (ok int, ln int, supp int NOT NULL, qty numeric(10,2) NOT NULL, cd date NOT NULL, rd date NOT NULL, PRIMARY KEY (ok, ln));
INSERT INTO sj_orders SELECT i, i % 997, date '1995-01-01' + (i % 700), CASE WHEN i % 3 = 0 THEN 'F' ELSE 'O' END
FROM generate_series(-50, 20000) AS i;
INSERT INTO sj_lines SELECT o, l, (o * 7 + l) % 101, (o % 50) + l * 0.25, date '1995-01-01' + ((o + l) % 300), date '1995-01-01' + ((o * 3 + l) % 310)
FROM generate_series(-50, 20000) AS o, generate_series(1, 7) AS l
WHERE l <= 1 + (abs(o) % 7) AND o % 13 <> 5;
ANALYZE sj_orders;
ANALYZE sj_lines;
-- EXISTS over a selective set of orders (TPC-H Q4's shape).
SELECT status, count(*) FROM sj_orders o
WHERE d >= date '1995-03-01' AND d < date '1995-03-08'
  AND EXISTS (SELECT 1 FROM sj_lines l WHERE l.ok = o.ok AND l.cd < l.rd)
GROUP BY status ORDER BY status;
-- NOT EXISTS, with orders that have no lines at all (ok % 13 = 5).
SELECT count(*), sum(ok) FROM sj_orders o
WHERE cust = 17 AND NOT EXISTS (SELECT 1 FROM sj_lines l WHERE l.ok = o.ok);
-- IN subquery and a join driven by a few orders; negative keys.
SELECT ok, ln, supp, qty FROM sj_lines WHERE ok IN (SELECT ok FROM sj_orders WHERE cust = 3 AND ok < 3000) ORDER BY ok, ln;
SELECT o.ok, sum(l.qty), count(*) FROM sj_orders o JOIN sj_lines l ON l.ok = o.ok
WHERE o.ok < -40 OR o.cust = 996 GROUP BY o.ok ORDER BY o.ok;
-- The driving side repeats its keys; a key of the driving side with no order or no lines.
SELECT l.ok, l.ln, x.n FROM (SELECT ok, count(*) AS n FROM sj_lines WHERE supp = 4 AND ok < 600 GROUP BY ok) x
JOIN sj_lines l ON l.ok = x.ok AND l.ln = 1 ORDER BY 1, 2;
SELECT count(*) FROM sj_lines l WHERE l.ok IN (5, 18, 31, 100000, -7);
-- Correlated EXISTS and NOT EXISTS on the same table (TPC-H Q21's shape).
SELECT count(*), sum(l1.ok) FROM sj_lines l1 JOIN sj_orders o ON o.ok = l1.ok
WHERE o.cust = 40 AND o.status = 'F' AND l1.rd > l1.cd
  AND EXISTS (SELECT 1 FROM sj_lines l2 WHERE l2.ok = l1.ok AND l2.supp <> l1.supp)
  AND NOT EXISTS (SELECT 1 FROM sj_lines l3 WHERE l3.ok = l1.ok AND l3.supp <> l1.supp AND l3.rd > l3.cd);
-- Scans of one table taking the same keys are read once (exec.rs `SharedRead`), each keeping
-- the rows of its own filter: one without a filter, one with; both with; three at once with
-- different columns; the same filter twice.
SELECT count(*), sum(l1.ok) FROM sj_lines l1 JOIN sj_orders o ON o.ok = l1.ok
WHERE o.cust = 40
  AND EXISTS (SELECT 1 FROM sj_lines l2 WHERE l2.ok = l1.ok AND l2.ln <> l1.ln)
  AND NOT EXISTS (SELECT 1 FROM sj_lines l3 WHERE l3.ok = l1.ok AND l3.rd < date '1995-03-01');
SELECT count(*), sum(o.ok) FROM sj_orders o
WHERE o.cust IN (41, 42)
  AND EXISTS (SELECT 1 FROM sj_lines l2 WHERE l2.ok = o.ok AND l2.qty > 20)
  AND NOT EXISTS (SELECT 1 FROM sj_lines l3 WHERE l3.ok = o.ok AND l3.supp < 10);
SELECT o.ok, a.ln, a.qty, b.supp, c.rd FROM sj_orders o
JOIN sj_lines a ON a.ok = o.ok JOIN sj_lines b ON b.ok = o.ok JOIN sj_lines c ON c.ok = o.ok
WHERE o.cust = 43 AND a.ln = 1 AND b.supp < 60 AND c.cd > date '1995-05-01'
ORDER BY 1, 2, 3, 4, 5;
SELECT count(*) FROM sj_orders o
WHERE o.cust = 44
  AND EXISTS (SELECT 1 FROM sj_lines l2 WHERE l2.ok = o.ok AND l2.qty > 10)
  AND EXISTS (SELECT 1 FROM sj_lines l3 WHERE l3.ok = o.ok AND l3.qty > 10 AND l3.ln > 1);
-- The key column under a cast: its keys are the cast's values (float8 bytes here), not the
-- column's, so they are tested on the rows, never sought as key prefixes.
SELECT count(*), sum(qty) FROM sj_lines WHERE ok::float8 IN (SELECT ok::float8 FROM sj_orders WHERE cust = 5);
SELECT count(*), sum(l.qty) FROM sj_lines l JOIN sj_orders o ON l.ok::bigint = o.ok::bigint WHERE o.cust = 6;
-- Too many keys for seeks: the same answer by a scan.
SELECT count(*), sum(qty) FROM sj_lines WHERE ok IN (SELECT ok FROM sj_orders WHERE status = 'F');
-- The transaction's own changes are seen by the seeks.
BEGIN;
DELETE FROM sj_lines WHERE ok = 996 AND ln = 1;
INSERT INTO sj_lines VALUES (1993, 9, 1, 1.00, date '1995-01-01', date '1995-02-01');
UPDATE sj_lines SET qty = qty + 100 WHERE ok = 2989;
SELECT l.ok, l.ln, l.qty FROM sj_orders o JOIN sj_lines l ON l.ok = o.ok WHERE o.cust = 996 AND o.ok < 4000 ORDER BY 1, 2;
ROLLBACK;
SELECT l.ok, l.ln, l.qty FROM sj_orders o JOIN sj_lines l ON l.ok = o.ok WHERE o.cust = 996 AND o.ok < 4000 ORDER BY 1, 2;
-- A bigint first key column.
CREATE TABLE sj_wide (a bigint, b int, v text, PRIMARY KEY (a, b));
INSERT INTO sj_wide SELECT i * 4294967296 + (i % 5), j, 'v' || i || '.' || j FROM generate_series(1, 3000) AS i, generate_series(1, 3) AS j;
ANALYZE sj_wide;
SELECT w.a, w.b, w.v FROM sj_wide w WHERE w.a IN (SELECT i * 4294967296 + (i % 5) FROM generate_series(10, 14) AS i) ORDER BY 1, 2;
DROP TABLE sj_wide;
DROP TABLE sj_lines;
DROP TABLE sj_orders;
