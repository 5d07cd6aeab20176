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
