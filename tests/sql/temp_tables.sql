-- Temporary tables: created in the session's temporary schema, found before the search path
-- (hiding a permanent table of the same name), named explicitly as pg_temp.x, made by CREATE
-- TEMP TABLE .. AS, shown as relpersistence 't', dropped, and rolled back with their DDL.
DROP TABLE IF EXISTS tmp_shadow;
CREATE TABLE tmp_shadow (k int PRIMARY KEY, v text);
INSERT INTO tmp_shadow VALUES (1, 'permanent'), (2, 'permanent');
CREATE TEMP TABLE tmp_shadow (k int, w numeric(8,2) DEFAULT 1.5, t text NOT NULL);
INSERT INTO tmp_shadow (k, t) VALUES (10, 'a'), (20, 'b');
SELECT * FROM tmp_shadow ORDER BY k;
SELECT * FROM public.tmp_shadow ORDER BY k;
SELECT k, t FROM pg_temp.tmp_shadow ORDER BY k;
INSERT INTO tmp_shadow (k) VALUES (30);
CREATE TEMPORARY TABLE tmp_sum AS SELECT p.k, p.v, count(t.k) AS n FROM public.tmp_shadow p LEFT JOIN tmp_shadow t ON t.k = p.k * 10 GROUP BY p.k, p.v;
SELECT * FROM tmp_sum ORDER BY k;
UPDATE tmp_sum SET n = n + 100 WHERE k = 2;
DELETE FROM tmp_shadow WHERE k = 20;
SELECT k, n FROM tmp_sum ORDER BY k;
SELECT count(*) FROM tmp_shadow;
SELECT c.relname, c.relpersistence, n.nspname LIKE 'pg_temp%' AS in_temp, pg_table_is_visible(c.oid) AS visible
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname IN ('tmp_shadow', 'tmp_sum') AND c.relkind = 'r' ORDER BY 1, 3;
SELECT current_schema();
CREATE TEMP TABLE tmp_keys (id serial PRIMARY KEY, label text UNIQUE);
INSERT INTO tmp_keys (label) VALUES ('x'), ('y');
INSERT INTO tmp_keys (label) VALUES ('x');
SELECT * FROM tmp_keys ORDER BY id;
SELECT pg_get_serial_sequence('tmp_keys', 'id') LIKE 'pg_temp%' AS temp_sequence, pg_get_serial_sequence('pg_temp.tmp_keys', 'id') LIKE 'pg_temp%' AS by_alias;
CREATE TABLE tmp_permanent_bad (a int) ON COMMIT PRESERVE ROWS;
CREATE TEMP TABLE public.tmp_wrong (a int);
BEGIN;
CREATE TEMP TABLE tmp_rolled_back (a int);
INSERT INTO tmp_rolled_back VALUES (1);
ROLLBACK;
SELECT * FROM tmp_rolled_back;
DROP TABLE tmp_shadow;
SELECT * FROM tmp_shadow ORDER BY k;
DROP TABLE tmp_shadow;
DROP TABLE tmp_sum;
DROP TABLE tmp_keys;
