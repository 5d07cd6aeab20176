-- TRUNCATE ... RESTART IDENTITY restarts the sequences the tables' columns own (SERIAL, identity,
-- OWNED BY) at their START values, inside the transaction: a rollback puts the counters back.
-- CONTINUE IDENTITY (the default) leaves them; CASCADE restarts those of the tables it adds; the
-- user must own each sequence.
DROP TABLE IF EXISTS tri_t, tri_u, tri_c, tri_p;
DROP SEQUENCE IF EXISTS tri_free;
DROP ROLE IF EXISTS tri_role;
CREATE TABLE tri_t (id serial PRIMARY KEY, v text);
CREATE TABLE tri_u (id int GENERATED ALWAYS AS IDENTITY, w int);
CREATE SEQUENCE tri_owned OWNED BY tri_u.w;
CREATE SEQUENCE tri_free;
SELECT nextval('tri_owned'), nextval('tri_free'), nextval('tri_owned');
INSERT INTO tri_t (v) VALUES ('a'), ('b');
INSERT INTO tri_u (w) VALUES (1), (2);
TRUNCATE tri_t, tri_u RESTART IDENTITY;
INSERT INTO tri_t (v) VALUES ('c') RETURNING *;
INSERT INTO tri_u (w) VALUES (5) RETURNING *;
SELECT nextval('tri_owned'), nextval('tri_free');
-- Undone with the transaction.
BEGIN;
TRUNCATE tri_t RESTART IDENTITY;
INSERT INTO tri_t (v) VALUES ('d') RETURNING *;
ROLLBACK;
INSERT INTO tri_t (v) VALUES ('e') RETURNING *;
SELECT * FROM tri_t ORDER BY id;
-- Kept by a savepoint's rollback only when the truncation was before it.
BEGIN;
TRUNCATE tri_t RESTART IDENTITY;
SAVEPOINT s;
INSERT INTO tri_t (v) VALUES ('f') RETURNING *;
ROLLBACK TO s;
INSERT INTO tri_t (v) VALUES ('g') RETURNING *;
COMMIT;
TRUNCATE tri_t CONTINUE IDENTITY;
INSERT INTO tri_t (v) VALUES ('h') RETURNING *;
TRUNCATE tri_t;
INSERT INTO tri_t (v) VALUES ('i') RETURNING *;
-- The START value, also after ALTER SEQUENCE changed it.
ALTER SEQUENCE tri_t_id_seq START WITH 100;
TRUNCATE TABLE tri_t RESTART IDENTITY;
INSERT INTO tri_t (v) VALUES ('j') RETURNING *;
ALTER TABLE tri_u ALTER COLUMN id RESTART WITH 50;
INSERT INTO tri_u (w) VALUES (6) RETURNING *;
TRUNCATE tri_u RESTART IDENTITY;
INSERT INTO tri_u (w) VALUES (7) RETURNING *;
-- CASCADE restarts the sequences of the tables it adds.
CREATE TABLE tri_p (id serial PRIMARY KEY);
CREATE TABLE tri_c (id serial, pid int REFERENCES tri_p);
INSERT INTO tri_p DEFAULT VALUES;
INSERT INTO tri_c (pid) VALUES (1), (1);
TRUNCATE tri_p RESTART IDENTITY;
TRUNCATE tri_p RESTART IDENTITY CASCADE;
INSERT INTO tri_p DEFAULT VALUES RETURNING *;
INSERT INTO tri_c (pid) VALUES (1) RETURNING *;
-- TRUNCATE privilege is enough to empty the table, not to restart its sequence.
CREATE ROLE tri_role;
GRANT TRUNCATE ON tri_t TO tri_role;
SET ROLE tri_role;
TRUNCATE tri_t RESTART IDENTITY;
TRUNCATE tri_t;
RESET ROLE;
SELECT count(*) FROM tri_t;
DROP TABLE tri_t, tri_u, tri_c, tri_p;
DROP SEQUENCE tri_free;
DROP ROLE tri_role;
