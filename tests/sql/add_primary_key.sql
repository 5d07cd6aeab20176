-- ALTER TABLE ... ADD PRIMARY KEY on a table with rows: every row moves to its new key (rows move between workers as stored); NULLs and repeated keys are refused with PostgreSQL's errors and the table is left as it was.
DROP TABLE IF EXISTS apk_t, apk_n, apk_d, apk_c, apk_x, apk_y;
CREATE TABLE apk_t (k int NOT NULL, v text, w numeric(8,2));
INSERT INTO apk_t SELECT g, 'v' || g, g / 4.0 FROM generate_series(1, 3000) g;
ALTER TABLE apk_t ADD PRIMARY KEY (k);
\d apk_t
SELECT count(*), sum(k), sum(w), min(v), max(v) FROM apk_t;
SELECT * FROM apk_t WHERE k = 2024;
SELECT * FROM apk_t WHERE k BETWEEN 1498 AND 1502 ORDER BY k;
INSERT INTO apk_t VALUES (7, 'again', 0);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO apk_t VALUES (3001, 'new', 1) RETURNING *;
UPDATE apk_t SET v = 'changed' WHERE k = 10 RETURNING *;
DELETE FROM apk_t WHERE k > 2990;
SELECT count(*) FROM apk_t;
-- A NULL in the key column (a column without NOT NULL gets it).
CREATE TABLE apk_n (k int, v text);
INSERT INTO apk_n SELECT g, 'n' FROM generate_series(1, 500) g;
INSERT INTO apk_n VALUES (NULL, 'null key');
ALTER TABLE apk_n ADD PRIMARY KEY (k);
SELECT count(*), count(k) FROM apk_n;
DELETE FROM apk_n WHERE k IS NULL;
ALTER TABLE apk_n ADD PRIMARY KEY (k);
\d apk_n
-- A key repeated: nothing changes.
CREATE TABLE apk_d (k int, v text);
INSERT INTO apk_d SELECT g, 'd' || g FROM generate_series(1, 1000) g;
INSERT INTO apk_d VALUES (777, 'twin');
ALTER TABLE apk_d ADD PRIMARY KEY (k);
SELECT count(*), count(DISTINCT k) FROM apk_d;
SELECT * FROM apk_d WHERE k = 777 ORDER BY v;
DELETE FROM apk_d WHERE v = 'twin';
ALTER TABLE apk_d ADD CONSTRAINT apk_d_key PRIMARY KEY (k);
\d apk_d
SELECT * FROM apk_d WHERE k = 777;
-- Composite and text keys; the key order is the columns' order.
CREATE TABLE apk_c (a text, b int, c text);
INSERT INTO apk_c SELECT chr(97 + g % 5), g, 'c' || g FROM generate_series(1, 2000) g;
ALTER TABLE apk_c ADD PRIMARY KEY (a, b);
SELECT a, count(*), min(b), max(b) FROM apk_c GROUP BY a ORDER BY a;
SELECT * FROM apk_c WHERE a = 'c' AND b = 1002;
SELECT * FROM apk_c WHERE a = 'b' ORDER BY a, b LIMIT 3;
INSERT INTO apk_c VALUES ('a', 5, 'dup');
\echo :LAST_ERROR_SQLSTATE
-- In a transaction: rows the transaction wrote move too, and a rollback takes it all back.
CREATE TABLE apk_x (k bigint, v text);
INSERT INTO apk_x VALUES (1, 'committed');
BEGIN;
INSERT INTO apk_x SELECT g, 'mine' FROM generate_series(2, 1200) g;
ALTER TABLE apk_x ADD PRIMARY KEY (k);
SELECT v, count(*) FROM apk_x GROUP BY v ORDER BY v;
SELECT * FROM apk_x WHERE k = 1100;
ROLLBACK;
SELECT count(*) FROM apk_x;
\d apk_x
INSERT INTO apk_x SELECT g, 'more' FROM generate_series(2, 1200) g;
BEGIN;
SAVEPOINT s;
INSERT INTO apk_x VALUES (600, 'twin');
ALTER TABLE apk_x ADD PRIMARY KEY (k);
ROLLBACK TO s;
ALTER TABLE apk_x ADD PRIMARY KEY (k);
COMMIT;
SELECT v, count(*) FROM apk_x GROUP BY v ORDER BY v;
SELECT * FROM apk_x WHERE k = 600;
-- Rows inserted before a savepoint, a failing ADD PRIMARY KEY after it, rolled back to it.
CREATE TABLE apk_y (k bigint, v text);
INSERT INTO apk_y SELECT g, 'committed' FROM generate_series(1, 300) g;
BEGIN;
INSERT INTO apk_y SELECT g, 'in transaction' FROM generate_series(5001, 5400) g;
SAVEPOINT s;
INSERT INTO apk_y VALUES (5005, 'twin');
ALTER TABLE apk_y ADD PRIMARY KEY (k);
ROLLBACK TO s;
SELECT v, count(*) FROM apk_y GROUP BY v ORDER BY v;
ALTER TABLE apk_y ADD PRIMARY KEY (k);
COMMIT;
SELECT * FROM apk_y WHERE k IN (7, 5005) ORDER BY k;
DROP TABLE apk_t, apk_n, apk_d, apk_c, apk_x, apk_y;
