-- UPDATE and DELETE of a table without a primary key whose WHERE or SET holds subqueries that
-- read nothing of the row (PostgreSQL's InitPlans): each runs once, its value then in the
-- condition the workers test.
DROP TABLE IF EXISTS kw_np, kw_k, kw_s;
CREATE TABLE kw_k (id int PRIMARY KEY, v int);
CREATE TABLE kw_s (id int, v int);
CREATE TABLE kw_np (a int, b int);
CREATE INDEX kw_np_a ON kw_np (a);
INSERT INTO kw_k VALUES (1, 10), (2, 20);
INSERT INTO kw_s VALUES (1, 5), (2, 6);
INSERT INTO kw_np SELECT g % 5, g FROM generate_series(1, 20) g;
UPDATE kw_np SET b = -b WHERE a = (SELECT min(id) FROM kw_k);
SELECT * FROM kw_np WHERE b < 0 ORDER BY b;
DELETE FROM kw_np WHERE a IN (SELECT id + 1 FROM kw_k) AND b > (SELECT avg(v) / 2 FROM kw_k);
SELECT count(*) FROM kw_np;
UPDATE kw_np SET b = (SELECT max(v) FROM kw_k) WHERE b = ANY (SELECT v FROM kw_s);
SELECT * FROM kw_np WHERE b = 20 ORDER BY a;
WITH d AS (DELETE FROM kw_np WHERE b < ALL (SELECT v FROM kw_s) AND b > 0 RETURNING a, b)
  SELECT * FROM d ORDER BY a, b;
DELETE FROM kw_np WHERE EXISTS (SELECT 1 FROM kw_k WHERE v > 100);
UPDATE kw_np SET a = a + 100 WHERE NOT EXISTS (SELECT 1 FROM kw_k WHERE v > 100) AND b = 4
  RETURNING *, (SELECT count(*) FROM kw_k);
UPDATE kw_np SET b = b + 1 WHERE a NOT IN (SELECT id FROM kw_k) AND a <> ALL (ARRAY(SELECT id + 2 FROM kw_k));
DELETE FROM kw_np WHERE b > (SELECT v FROM kw_s WHERE id = 9);
UPDATE kw_np SET b = 0 WHERE b = (SELECT v FROM kw_k);
UPDATE kw_np SET b = b WHERE b < ANY (SELECT g FROM generate_series(-20000, -9) g);
DELETE FROM kw_np WHERE b > ALL (SELECT -g FROM generate_series(1, 20000) g) AND b < 0;
SELECT * FROM kw_np ORDER BY a, b;
DROP TABLE kw_np, kw_k, kw_s;

-- Rows of a table without a primary key found by a query (UPDATE FROM, DELETE USING, correlated
-- subqueries, MERGE) are named by their row keys, as PostgreSQL names them by ctid: duplicates
-- stay distinct rows, index entries follow.
CREATE TABLE kw_d (x int, y text);
CREATE INDEX kw_d_y ON kw_d (y);
CREATE TABLE kw_src (x int, c text);
INSERT INTO kw_d VALUES (1, 'a'), (1, 'a'), (2, 'b'), (2, 'b'), (2, 'b'), (3, 'c');
INSERT INTO kw_src VALUES (1, 'one'), (2, 'two'), (5, 'five');
WITH u AS (UPDATE kw_d SET y = s.c FROM kw_src s WHERE s.x = kw_d.x RETURNING kw_d.*, s.c, s.x AS sx)
  SELECT * FROM u ORDER BY 1, 2;
SELECT * FROM kw_d WHERE y = 'two' ORDER BY x;
SELECT count(*) FROM kw_d WHERE y = 'b';
WITH d AS (DELETE FROM kw_d USING kw_src s WHERE s.x = kw_d.x AND s.c = 'one' RETURNING kw_d.*, s.*)
  SELECT * FROM d ORDER BY 1;
SELECT * FROM kw_d ORDER BY x, y;
UPDATE kw_d SET y = (SELECT c || '?' FROM kw_src s WHERE s.x = kw_d.x + 1) WHERE x >= 2;
SELECT * FROM kw_d ORDER BY x, y;
DELETE FROM kw_d WHERE EXISTS (SELECT 1 FROM kw_src s WHERE s.x = kw_d.x * 2 - 1) RETURNING *;
INSERT INTO kw_d VALUES (4, 'd'), (4, 'd'), (6, 'f');
-- A self-join (the table scanned twice, once read for both): each row of a pair matches.
DELETE FROM kw_d a USING kw_d b WHERE a.x = b.x AND a.x = 4 AND a.y = b.y AND b.x = 4;
SELECT * FROM kw_d ORDER BY x, y;
INSERT INTO kw_d VALUES (5, 'e');
MERGE INTO kw_d d USING kw_src s ON d.x = s.x
  WHEN MATCHED AND s.x = 5 THEN DELETE
  WHEN MATCHED THEN UPDATE SET y = s.c || '!'
  WHEN NOT MATCHED THEN INSERT VALUES (s.x, s.c);
SELECT * FROM kw_d ORDER BY x, y;
SELECT * FROM kw_d WHERE y = 'two!' ORDER BY x;
MERGE INTO kw_d USING (VALUES (6), (6)) v(x) ON kw_d.x = v.x WHEN MATCHED THEN UPDATE SET y = 'twice';
MERGE INTO kw_d USING (VALUES (6)) v(x) ON kw_d.x = v.x WHEN MATCHED THEN UPDATE SET y = 'once';
BEGIN;
UPDATE kw_d SET y = 'rolled back' FROM kw_src s WHERE kw_d.x < s.x;
SELECT count(*) FROM kw_d WHERE y = 'rolled back';
ROLLBACK;
SELECT * FROM kw_d ORDER BY x, y;
SELECT y FROM kw_d WHERE y = 'rolled back';
MERGE INTO kw_d USING kw_src s ON kw_d.x = s.x WHEN MATCHED THEN DELETE;
SELECT * FROM kw_d ORDER BY x, y;
DROP TABLE kw_d, kw_src;
