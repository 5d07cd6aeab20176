-- ALTER TABLE ... ALTER COLUMN ... [SET DATA] TYPE [USING]: rows rewritten through the cast (or the USING expression); keys, indexes, defaults, checks, foreign keys and views checked against the new type.
DROP VIEW IF EXISTS act_v;
DROP TABLE IF EXISTS act_c, act_p, act_t, act_k, act_i;
CREATE TABLE act_t (id int PRIMARY KEY, a int, b text DEFAULT 'x', c numeric(6,2) CHECK (c > 0::numeric), d varchar(10));
CREATE INDEX act_t_a ON act_t (a);
INSERT INTO act_t VALUES (1, 10, '42', 1.25, 'one'), (2, 20, '7', 2.75, 'two'), (3, NULL, NULL, NULL, NULL);
ALTER TABLE act_t ALTER COLUMN a TYPE bigint;
\d act_t
SELECT * FROM act_t WHERE a = 20;
SELECT pg_typeof(a), a FROM act_t ORDER BY id;
-- No assignment cast from text to int: USING says how.
ALTER TABLE act_t ALTER COLUMN b TYPE int;
ALTER TABLE act_t ALTER COLUMN b TYPE int USING b::int;
SELECT id, b, b + 1 AS next FROM act_t ORDER BY id;
-- The default does not cast to int either.
ALTER TABLE act_t ALTER COLUMN b DROP DEFAULT;
ALTER TABLE act_t ALTER COLUMN b SET DATA TYPE int USING b::int;
ALTER TABLE act_t ALTER COLUMN b SET DEFAULT 5;
INSERT INTO act_t (id) VALUES (4);
SELECT * FROM act_t ORDER BY id;
-- Numeric to integer rounds; the check is checked again.
ALTER TABLE act_t ALTER COLUMN c TYPE int;
SELECT id, c FROM act_t ORDER BY id;
ALTER TABLE act_t ALTER COLUMN c TYPE numeric(4,1) USING c - 3;
ALTER TABLE act_t ALTER COLUMN c TYPE numeric(4,1) USING c * 100;
SELECT id, c FROM act_t ORDER BY id;
-- varchar widened and narrowed; a value too long fails the whole statement.
ALTER TABLE act_t ALTER COLUMN d TYPE varchar(20);
ALTER TABLE act_t ALTER COLUMN d TYPE varchar(2);
ALTER TABLE act_t ALTER COLUMN d TYPE text;
-- (PostgreSQL shows the check as it binds it now, c::numeric > 0::numeric; Keel as written.)
ALTER TABLE act_t DROP CONSTRAINT act_t_c_check;
\d act_t
-- A bad value in one row: nothing changes.
UPDATE act_t SET d = 'zz' WHERE id = 2;
ALTER TABLE act_t ALTER COLUMN d TYPE int USING d::int;
SELECT id, d FROM act_t ORDER BY id;
-- Several columns in one statement; USING reads the old values.
ALTER TABLE act_t ALTER COLUMN a TYPE text USING (a * 2)::text, ALTER COLUMN b TYPE numeric USING b + a;
SELECT id, a, b, pg_typeof(a), pg_typeof(b) FROM act_t ORDER BY id;
-- The primary key's type: rows move to their new keys, duplicates are refused.
CREATE TABLE act_k (k numeric PRIMARY KEY, v text);
INSERT INTO act_k VALUES (1.2, 'a'), (2.4, 'b'), (3.6, 'c');
ALTER TABLE act_k ALTER COLUMN k TYPE int;
SELECT * FROM act_k ORDER BY k;
SELECT * FROM act_k WHERE k = 4;
INSERT INTO act_k VALUES (2.6, 'dup');
ALTER TABLE act_k ALTER COLUMN k TYPE int USING k::int / 2;
SELECT * FROM act_k ORDER BY k;
-- Unique indexes are checked again.
CREATE TABLE act_i (x numeric UNIQUE);
INSERT INTO act_i VALUES (1.1), (1.4), (2);
ALTER TABLE act_i ALTER COLUMN x TYPE int;
SELECT x FROM act_i ORDER BY x;
-- Foreign keys: the types must still compare, and the rows must still match.
CREATE TABLE act_p (id int PRIMARY KEY);
CREATE TABLE act_c (p int REFERENCES act_p, note text);
INSERT INTO act_p VALUES (1), (2);
INSERT INTO act_c VALUES (1, 'a'), (2, 'b');
ALTER TABLE act_c ALTER COLUMN p TYPE text;
ALTER TABLE act_c ALTER COLUMN p TYPE bigint;
ALTER TABLE act_c ALTER COLUMN p TYPE bigint USING p + 5;
ALTER TABLE act_p ALTER COLUMN id TYPE bigint;
SELECT * FROM act_c ORDER BY p;
INSERT INTO act_c VALUES (3, 'c');
-- A view reading the column holds its type.
CREATE VIEW act_v AS SELECT id, note FROM act_c JOIN act_p ON act_p.id = act_c.p;
ALTER TABLE act_c ALTER COLUMN p TYPE int;
ALTER TABLE act_c ALTER COLUMN note TYPE varchar(5);
DROP VIEW act_v;
ALTER TABLE act_c ALTER COLUMN note TYPE varchar(5);
-- An identity column's sequence takes the new type; a serial's keeps its own.
CREATE TABLE act_s (id int GENERATED ALWAYS AS IDENTITY, s serial, v text);
INSERT INTO act_s (v) VALUES ('a');
ALTER TABLE act_s ALTER COLUMN id TYPE bigint, ALTER COLUMN s TYPE bigint;
ALTER TABLE act_s ALTER COLUMN id TYPE text;
SELECT seqrelid::regclass, seqtypid::regtype, seqmax FROM pg_sequence WHERE seqrelid IN ('act_s_id_seq'::regclass, 'act_s_s_seq'::regclass) ORDER BY 1;
INSERT INTO act_s (v) VALUES ('b');
SELECT * FROM act_s ORDER BY id;
-- Twice in one statement: the second converts the first's result; a column added by the
-- statement cannot change type in it.
ALTER TABLE act_s ALTER COLUMN v TYPE varchar(3), ALTER COLUMN v TYPE char(2);
\d act_s
ALTER TABLE act_s ADD COLUMN w int, ALTER COLUMN w TYPE text;
ALTER TABLE act_s ALTER COLUMN v TYPE int USING (SELECT 1);
ALTER TABLE act_s ALTER COLUMN v TYPE int USING length(v) + nextval('act_s_s_seq');
SELECT * FROM act_s ORDER BY id;
DROP TABLE act_s;
-- Errors: no such column, no such type, USING that is not the type.
ALTER TABLE act_c ALTER COLUMN nope TYPE int;
ALTER TABLE act_c ALTER COLUMN note TYPE nosuchtype;
ALTER TABLE act_c ALTER COLUMN note TYPE int USING 'abc';
ALTER TABLE act_c ALTER COLUMN note TYPE int USING note || 'x';
-- Inside a transaction it rolls back with it.
BEGIN;
ALTER TABLE act_c ALTER COLUMN note TYPE text USING upper(note);
SELECT * FROM act_c ORDER BY p;
ROLLBACK;
SELECT * FROM act_c ORDER BY p;
\d act_c
DROP TABLE act_c, act_p, act_t, act_k, act_i;
