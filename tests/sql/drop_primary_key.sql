-- ALTER TABLE ... DROP CONSTRAINT of a primary key (the rows move under hidden row ids, the key's columns stay NOT NULL), DROP COLUMN of a key column, and the foreign keys that stand on a primary key or unique index: refused without CASCADE, dropped with it (also by DROP INDEX ... CASCADE); in a transaction that is rolled back nothing changes.
DROP TABLE IF EXISTS dpk_c, dpk_t, dpk_s, dpk_u, dpk_uc, dpk_m, dpk_i;
DROP SCHEMA IF EXISTS dpk_sch CASCADE;
CREATE TABLE dpk_t (k int PRIMARY KEY, v text, w int);
INSERT INTO dpk_t SELECT g, 'v' || g, g % 7 FROM generate_series(1, 2000) g;
ALTER TABLE dpk_t DROP CONSTRAINT dpk_t_pkey;
\d dpk_t
SELECT count(*), sum(k), count(DISTINCT v) FROM dpk_t;
INSERT INTO dpk_t VALUES (5, 'again', 0), (5, 'and again', 1);
INSERT INTO dpk_t VALUES (NULL, 'null key', 0);
SELECT * FROM dpk_t WHERE k = 5 ORDER BY v;
UPDATE dpk_t SET w = 100 WHERE k = 5 AND v = 'again' RETURNING *;
DELETE FROM dpk_t WHERE k = 5 AND v <> 'v5';
SELECT * FROM dpk_t WHERE k BETWEEN 4 AND 6 ORDER BY k;
ALTER TABLE dpk_t DROP CONSTRAINT dpk_t_pkey;
ALTER TABLE dpk_t DROP CONSTRAINT IF EXISTS dpk_t_pkey;
ALTER TABLE dpk_t ADD PRIMARY KEY (k);
SELECT * FROM dpk_t WHERE k = 1999;
-- Rolled back: the key and its rows are back as they were.
BEGIN;
ALTER TABLE dpk_t DROP CONSTRAINT dpk_t_pkey;
INSERT INTO dpk_t VALUES (1, 'twin', 0);
ROLLBACK;
\d dpk_t
INSERT INTO dpk_t VALUES (1, 'twin', 0);
SELECT count(*), sum(k) FROM dpk_t;
-- Secondary indexes are built again over the new row ids.
CREATE TABLE dpk_i (a int, b text, c int, PRIMARY KEY (a, b));
CREATE INDEX dpk_i_c ON dpk_i (c);
CREATE UNIQUE INDEX dpk_i_bc ON dpk_i (b, c);
INSERT INTO dpk_i SELECT g % 50, 'b' || g, g FROM generate_series(1, 1000) g;
ALTER TABLE dpk_i DROP CONSTRAINT dpk_i_pkey;
\d dpk_i
SELECT * FROM dpk_i WHERE c = 777;
SELECT count(*) FROM dpk_i WHERE c < 100;
INSERT INTO dpk_i VALUES (1, 'b777', 777);
INSERT INTO dpk_i VALUES (27, 'b777', 778), (27, 'b777', 779);
SELECT count(*) FROM dpk_i WHERE a = 27;
-- Foreign keys that stand on the key.
CREATE TABLE dpk_s (id int PRIMARY KEY, code int, parent int REFERENCES dpk_s);
CREATE UNIQUE INDEX dpk_s_code ON dpk_s (code);
CREATE TABLE dpk_c (x int REFERENCES dpk_s, y int REFERENCES dpk_s (code), z int REFERENCES dpk_s (id));
INSERT INTO dpk_s VALUES (1, 10, NULL), (2, 20, 1);
INSERT INTO dpk_c VALUES (1, 10, 2);
ALTER TABLE dpk_s DROP CONSTRAINT dpk_s_pkey;
DROP INDEX dpk_s_code;
ALTER TABLE dpk_s DROP COLUMN id;
ALTER TABLE dpk_s DROP CONSTRAINT dpk_s_pkey CASCADE;
\d dpk_c
\d dpk_s
INSERT INTO dpk_c VALUES (9, 10, 9);
INSERT INTO dpk_c VALUES (9, 30, 9);
DROP INDEX dpk_s_code CASCADE;
INSERT INTO dpk_c VALUES (9, 30, 9);
SELECT * FROM dpk_c ORDER BY x;
-- A UNIQUE constraint that a foreign key stands on.
CREATE TABLE dpk_u (a int, b int UNIQUE);
CREATE TABLE dpk_uc (x int REFERENCES dpk_u (b));
ALTER TABLE dpk_u DROP CONSTRAINT dpk_u_b_key;
ALTER TABLE dpk_u DROP CONSTRAINT dpk_u_b_key CASCADE;
\d dpk_uc
INSERT INTO dpk_uc VALUES (5);
-- DROP COLUMN of a key column takes the key with it.
CREATE TABLE dpk_m (a int, b text, c int, PRIMARY KEY (a, c));
INSERT INTO dpk_m VALUES (1, 'x', 1), (1, 'y', 2), (2, 'z', 1);
ALTER TABLE dpk_m DROP COLUMN c;
\d dpk_m
INSERT INTO dpk_m VALUES (1, 'w');
SELECT * FROM dpk_m ORDER BY a, b;
-- In another schema.
CREATE SCHEMA dpk_sch;
CREATE TABLE dpk_sch.t (k text PRIMARY KEY, v int);
INSERT INTO dpk_sch.t VALUES ('a', 1), ('b', 2);
ALTER TABLE dpk_sch.t DROP CONSTRAINT t_pkey;
INSERT INTO dpk_sch.t VALUES ('a', 3);
SELECT * FROM dpk_sch.t ORDER BY k, v;
SELECT conname FROM pg_constraint WHERE conrelid = 'dpk_sch.t'::regclass;
DROP SCHEMA dpk_sch CASCADE;
DROP TABLE dpk_c, dpk_t, dpk_s, dpk_u, dpk_uc, dpk_m, dpk_i;
