-- Temporary tables' ON COMMIT actions: DELETE ROWS empties the table when a transaction
-- commits (not at a rollback, not between statements of a block), DROP drops it with the
-- transaction that made it (at once outside a block), PRESERVE ROWS keeps everything; a
-- failing action rolls the transaction back.
CREATE TEMP TABLE tmp_oc_rows (k int PRIMARY KEY, v text) ON COMMIT DELETE ROWS;
INSERT INTO tmp_oc_rows VALUES (1, 'gone at commit');
SELECT count(*) FROM tmp_oc_rows;
BEGIN;
INSERT INTO tmp_oc_rows VALUES (2, 'b'), (3, 'c');
SELECT * FROM tmp_oc_rows ORDER BY k;
UPDATE tmp_oc_rows SET v = 'changed' WHERE k = 3;
SELECT * FROM tmp_oc_rows ORDER BY k;
COMMIT;
SELECT count(*) FROM tmp_oc_rows;
BEGIN;
INSERT INTO tmp_oc_rows VALUES (4, 'd');
SAVEPOINT s1;
INSERT INTO tmp_oc_rows VALUES (5, 'e');
ROLLBACK TO s1;
SELECT * FROM tmp_oc_rows ORDER BY k;
ROLLBACK;
SELECT count(*) FROM tmp_oc_rows;
CREATE TEMP TABLE tmp_oc_keep (k int) ON COMMIT PRESERVE ROWS;
INSERT INTO tmp_oc_keep VALUES (1), (2);
SELECT count(*) FROM tmp_oc_keep;
-- Made and dropped in one statement's transaction.
CREATE TEMP TABLE tmp_oc_drop (k int) ON COMMIT DROP;
SELECT * FROM tmp_oc_drop;
BEGIN;
CREATE TEMP TABLE tmp_oc_drop (k int, v text) ON COMMIT DROP;
INSERT INTO tmp_oc_drop VALUES (1, 'a');
SELECT * FROM tmp_oc_drop;
CREATE TEMP TABLE tmp_oc_drop_as ON COMMIT DROP AS SELECT k * 10 AS k10 FROM tmp_oc_drop;
SELECT * FROM tmp_oc_drop_as;
COMMIT;
SELECT * FROM tmp_oc_drop;
SELECT * FROM tmp_oc_drop_as;
SELECT count(*) FROM pg_class WHERE relname LIKE 'tmp_oc_drop%';
-- Rolled back: nothing to drop; the name is free again.
BEGIN;
CREATE TEMP TABLE tmp_oc_drop (k int) ON COMMIT DROP;
ROLLBACK;
CREATE TEMP TABLE tmp_oc_drop (k int);
INSERT INTO tmp_oc_drop VALUES (7);
SELECT * FROM tmp_oc_drop;
DROP TABLE tmp_oc_drop;
-- DELETE ROWS as CREATE TABLE AS: filled, then emptied by the statement's commit.
CREATE TEMP TABLE tmp_oc_as ON COMMIT DELETE ROWS AS SELECT g FROM generate_series(1, 3) g;
SELECT count(*) FROM tmp_oc_as;
-- Temporary views: explicit, or made temporary by reading a temporary table (with a notice);
-- they read the session's temporary tables, shadow permanent relations and go with DISCARD.
CREATE TEMP TABLE tmp_oc_base (k int, v text);
INSERT INTO tmp_oc_base VALUES (1, 'one'), (2, 'two');
CREATE TEMP VIEW tmp_oc_view AS SELECT k * 2 AS k2 FROM generate_series(1, 2) k;
CREATE VIEW tmp_oc_view_of_temp AS SELECT v FROM tmp_oc_base WHERE k > 1;
SELECT * FROM tmp_oc_view ORDER BY 1;
SELECT * FROM tmp_oc_view_of_temp;
SELECT * FROM pg_temp.tmp_oc_view_of_temp;
SELECT c.relname, c.relkind, c.relpersistence, n.nspname LIKE 'pg_temp%' AS in_temp
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname LIKE 'tmp_oc_view%' ORDER BY 1;
CREATE OR REPLACE TEMP VIEW tmp_oc_view AS SELECT k * 3 AS k2 FROM generate_series(1, 2) k;
SELECT * FROM tmp_oc_view ORDER BY 1;
CREATE TEMP VIEW public.tmp_oc_wrong AS SELECT 1;
DROP VIEW tmp_oc_view;
DROP VIEW tmp_oc_view_of_temp;
DROP TABLE tmp_oc_base;
-- ON COMMIT only for temporary tables.
CREATE TABLE tmp_oc_permanent (k int) ON COMMIT DELETE ROWS;
CREATE TABLE tmp_oc_permanent (k int) ON COMMIT DROP;
DROP TABLE tmp_oc_rows;
DROP TABLE tmp_oc_keep;
DROP TABLE tmp_oc_as;
