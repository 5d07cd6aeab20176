-- ROLLBACK TO SAVEPOINT past a TRUNCATE (or a rewrite, which truncates) of a table the transaction changed before the savepoint: the table comes back as it was at the savepoint, with the transaction's earlier changes, their locks and the index entries.
DROP TABLE IF EXISTS spt_a, spt_b, spt_i;
CREATE TABLE spt_a (k int PRIMARY KEY, v text);
INSERT INTO spt_a SELECT g, 'old' FROM generate_series(1, 100) g;
BEGIN;
INSERT INTO spt_a SELECT g, 'mine' FROM generate_series(101, 150) g;
UPDATE spt_a SET v = 'changed' WHERE k <= 10;
DELETE FROM spt_a WHERE k BETWEEN 11 AND 20;
SAVEPOINT s;
UPDATE spt_a SET v = 'after savepoint' WHERE k BETWEEN 21 AND 30;
DELETE FROM spt_a WHERE k > 140;
INSERT INTO spt_a VALUES (500, 'after savepoint');
TRUNCATE spt_a;
INSERT INTO spt_a VALUES (1, 'after truncate');
SELECT count(*) FROM spt_a;
ROLLBACK TO s;
SELECT v, count(*), min(k), max(k) FROM spt_a GROUP BY v ORDER BY v;
SELECT * FROM spt_a WHERE k IN (1, 15, 25, 145, 500) ORDER BY k;
INSERT INTO spt_a VALUES (101, 'twin');
ROLLBACK TO s;
INSERT INTO spt_a VALUES (15, 'back');
COMMIT;
SELECT v, count(*), min(k), max(k) FROM spt_a GROUP BY v ORDER BY v;
-- Nested savepoints, the truncate under the inner one, released, then the outer rolled back.
BEGIN;
UPDATE spt_a SET v = 'outer' WHERE k = 1;
SAVEPOINT s1;
UPDATE spt_a SET v = 'inner' WHERE k = 2;
SAVEPOINT s2;
TRUNCATE spt_a;
RELEASE s2;
SELECT count(*) FROM spt_a;
ROLLBACK TO s1;
SELECT * FROM spt_a WHERE k <= 3 ORDER BY k;
TRUNCATE spt_a;
INSERT INTO spt_a VALUES (7, 'kept');
COMMIT;
SELECT * FROM spt_a;
-- Two tables in one TRUNCATE, and a table with a secondary index.
CREATE TABLE spt_b (k int PRIMARY KEY, v text);
CREATE TABLE spt_i (k int PRIMARY KEY, tag text, n int);
CREATE INDEX spt_i_tag ON spt_i (tag);
INSERT INTO spt_b SELECT g, 'b' FROM generate_series(1, 20) g;
INSERT INTO spt_i SELECT g, 't' || (g % 3), g FROM generate_series(1, 30) g;
BEGIN;
UPDATE spt_i SET tag = 'moved' WHERE k <= 5;
INSERT INTO spt_i VALUES (31, 'fresh', 31);
DELETE FROM spt_b WHERE k > 10;
SAVEPOINT s;
TRUNCATE spt_a, spt_b, spt_i;
ROLLBACK TO s;
SELECT k, n FROM spt_i WHERE tag = 'moved' ORDER BY k;
SELECT k FROM spt_i WHERE tag = 'fresh';
SELECT count(*) FROM spt_i WHERE tag = 't1';
SELECT count(*) FROM spt_b;
SELECT * FROM spt_a;
COMMIT;
SELECT tag, count(*) FROM spt_i GROUP BY tag ORDER BY tag;
-- A failing statement under psql's ON_ERROR_ROLLBACK after a TRUNCATE rolled back.
\set ON_ERROR_ROLLBACK on
BEGIN;
INSERT INTO spt_b VALUES (11, 'again');
TRUNCATE spt_b;
INSERT INTO spt_b VALUES (1, 'one'), (1, 'twin');
SELECT count(*) FROM spt_b;
COMMIT;
\set ON_ERROR_ROLLBACK off
SELECT * FROM spt_b ORDER BY k;
DROP TABLE spt_a, spt_b, spt_i;
