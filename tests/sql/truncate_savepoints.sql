-- ROLLBACK TO SAVEPOINT around TRUNCATE: a savepoint taken before the truncate gives the table
-- its rows back (and its lock); one taken after it puts the truncated table's new rows back as
-- they were at the savepoint; RELEASE keeps what came after; a commit keeps what is left.
DROP TABLE IF EXISTS tsp_t, tsp_u;
CREATE TABLE tsp_t (id int PRIMARY KEY, v text UNIQUE);
CREATE TABLE tsp_u (id serial PRIMARY KEY, n int);
INSERT INTO tsp_t VALUES (1, 'a'), (2, 'b');
INSERT INTO tsp_u (n) VALUES (10), (20);
BEGIN;
SAVEPOINT before_truncate;
TRUNCATE tsp_t;
INSERT INTO tsp_t VALUES (3, 'c');
SELECT * FROM tsp_t ORDER BY id;
ROLLBACK TO before_truncate;
SELECT * FROM tsp_t ORDER BY id;
SELECT * FROM tsp_t WHERE v = 'b';
COMMIT;
SELECT * FROM tsp_t ORDER BY id;
-- Truncated, then a savepoint: inserts, updates and deletes after it go back.
BEGIN;
TRUNCATE tsp_t;
INSERT INTO tsp_t VALUES (5, 'e'), (6, 'f');
SAVEPOINT s1;
UPDATE tsp_t SET v = 'ee' WHERE id = 5;
DELETE FROM tsp_t WHERE id = 6;
INSERT INTO tsp_t VALUES (7, 'g');
SELECT * FROM tsp_t ORDER BY id;
ROLLBACK TO s1;
SELECT * FROM tsp_t ORDER BY id;
SELECT * FROM tsp_t WHERE v = 'f';
-- A savepoint released: its changes stay until a rollback to an outer one.
SAVEPOINT s2;
INSERT INTO tsp_t VALUES (8, 'h');
SAVEPOINT s3;
UPDATE tsp_t SET v = 'hh' WHERE id = 8;
RELEASE s3;
SELECT * FROM tsp_t ORDER BY id;
ROLLBACK TO s2;
SELECT * FROM tsp_t ORDER BY id;
-- Two tables, the second truncated after a savepoint.
SAVEPOINT s4;
TRUNCATE tsp_u;
INSERT INTO tsp_t VALUES (9, 'i');
ROLLBACK TO s4;
SELECT * FROM tsp_u ORDER BY id;
INSERT INTO tsp_t VALUES (10, 'j');
COMMIT;
SELECT * FROM tsp_t ORDER BY id;
SELECT * FROM tsp_u ORDER BY id;
-- A failed statement after the truncate, then the rollback to a savepoint.
BEGIN;
TRUNCATE tsp_t;
SAVEPOINT s5;
INSERT INTO tsp_t VALUES (11, 'k');
INSERT INTO tsp_t VALUES (12, 'k');
ROLLBACK TO s5;
INSERT INTO tsp_t VALUES (12, 'k');
COMMIT;
SELECT * FROM tsp_t ORDER BY id;
DROP TABLE tsp_t, tsp_u;
