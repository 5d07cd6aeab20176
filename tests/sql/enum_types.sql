-- Enum types: CREATE TYPE ... AS ENUM, values in columns, literals, comparisons in declaration
-- order, indexes, ALTER TYPE (ADD VALUE BEFORE/AFTER, RENAME VALUE, RENAME TO), DROP TYPE, catalogs,
-- psql's \dT, JSON and aggregates, and PostgreSQL's errors.
DROP TABLE IF EXISTS person;
DROP TYPE IF EXISTS mood;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE person (id int PRIMARY KEY, name text, current_mood mood NOT NULL DEFAULT 'ok');
INSERT INTO person VALUES (1, 'Moe', 'happy'), (2, 'Larry', 'sad'), (3, 'Curly', 'ok');
INSERT INTO person (id, name) VALUES (4, 'Shemp');
INSERT INTO person VALUES (5, 'X', 'angry');
INSERT INTO person VALUES (5, 'X', 'Happy');
SELECT * FROM person ORDER BY current_mood, id;
SELECT * FROM person WHERE current_mood > 'sad' ORDER BY id;
SELECT * FROM person WHERE current_mood = 'ok' ORDER BY id;
SELECT current_mood, count(*) FROM person GROUP BY current_mood ORDER BY current_mood;
SELECT min(current_mood), max(current_mood) FROM person;
SELECT 'happy'::mood, 'happy'::mood::text, 'sad'::mood < 'happy'::mood, 'nope'::mood;
SELECT current_mood::text || '!' AS shout FROM person ORDER BY id;
SELECT * FROM person WHERE current_mood = 'ok'::text;
SELECT * FROM person WHERE current_mood IN ('ok', 'happy') ORDER BY id;
UPDATE person SET current_mood = 'happy' WHERE id = 2;
SELECT id, current_mood FROM person ORDER BY id;
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
ALTER TYPE mood ADD VALUE 'ecstatic';
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';
ALTER TYPE mood ADD VALUE 'ok';
ALTER TYPE mood ADD VALUE 'x' AFTER 'nope';
INSERT INTO person VALUES (6, 'Y', 'meh'), (7, 'Z', 'ecstatic');
SELECT * FROM person ORDER BY current_mood DESC, id;
ALTER TYPE mood RENAME VALUE 'meh' TO 'so-so';
ALTER TYPE mood RENAME VALUE 'nope' TO 'x';
ALTER TYPE mood RENAME VALUE 'ok' TO 'sad';
SELECT id, current_mood FROM person ORDER BY id;
SELECT enumlabel, enumsortorder > 0 FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY enumsortorder;
SELECT typname, typtype, typcategory FROM pg_type WHERE typname = 'mood';
SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_name = 'person' ORDER BY ordinal_position;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'person'::regclass AND attname = 'current_mood';
\d person
\dT mood
\dT+ mood
CREATE INDEX ON person (current_mood);
SELECT id FROM person WHERE current_mood = 'happy' ORDER BY id;
CREATE TYPE mood AS ENUM ('a');
CREATE TYPE person AS ENUM ('a');
DROP TYPE mood;
DROP TYPE nope;
ALTER TYPE mood RENAME TO feeling;
SELECT id, current_mood FROM person WHERE current_mood = 'happy'::feeling ORDER BY id;
\d person
ALTER TABLE person ALTER COLUMN current_mood TYPE text;
SELECT id, current_mood FROM person ORDER BY id;
ALTER TABLE person ALTER COLUMN current_mood DROP DEFAULT;
ALTER TABLE person ALTER COLUMN current_mood TYPE feeling USING current_mood::feeling;
DROP TYPE feeling;
DROP TABLE person;
DROP TYPE feeling;
CREATE TYPE e2 AS ENUM ();
INSERT INTO nothing VALUES ('a'::e2);
SELECT 'a'::e2;
DROP TYPE e2;
DROP TABLE IF EXISTS tick;
DROP TYPE IF EXISTS status;
CREATE TYPE status AS ENUM ('open', 'closed', 'on hold');
CREATE TABLE tick (id serial PRIMARY KEY, s status, tags text);
COPY tick (s, tags) FROM STDIN;
open	a
on hold	b
\N	c
closed	d
\.
COPY tick (s, tags) FROM STDIN;
bogus	x
\.
COPY (SELECT s, count(*) FROM tick GROUP BY s ORDER BY s) TO STDOUT WITH (FORMAT csv, HEADER);
ANALYZE tick;
SELECT attname, n_distinct, most_common_vals::text FROM pg_stats WHERE tablename = 'tick' AND attname = 's';
SELECT to_json(s), row_to_json(t) FROM tick t ORDER BY id;
SELECT s, s IS NULL FROM tick ORDER BY s NULLS FIRST;
SELECT DISTINCT s FROM tick ORDER BY 1;
SELECT s FROM tick UNION SELECT 'open' ORDER BY 1;
SELECT coalesce(s, 'closed') FROM tick ORDER BY id;
SELECT CASE WHEN s = 'open' THEN 'x' END FROM tick ORDER BY id;
SELECT s = 'open' AND s <> 'closed' FROM tick ORDER BY id;
SELECT greatest(s, 'closed') FROM tick ORDER BY id;
PREPARE q(status) AS SELECT id FROM tick WHERE s = $1;
EXECUTE q('closed');
EXECUTE q('nope');
SELECT string_agg(s::text, ',' ORDER BY s) FROM tick;
SELECT array_agg(s ORDER BY s) FROM tick;
DROP TABLE tick;
DROP TYPE status;
-- enum_first / enum_last / enum_range read the argument's type.
CREATE TYPE rainbow AS ENUM ('red', 'orange', 'yellow', 'green', 'blue');
SELECT enum_first(NULL::rainbow), enum_last(NULL::rainbow), enum_range(NULL::rainbow);
SELECT enum_range('orange'::rainbow, 'green'::rainbow), enum_range(NULL, 'orange'::rainbow), enum_range('green'::rainbow, NULL);
SELECT enum_range('green'::rainbow, 'orange'::rainbow), enum_first('blue'::rainbow) < 'green';
SELECT enum_first(1);
ALTER TYPE rainbow OWNER TO postgres;
ALTER TYPE rainbow OWNER TO no_such_role_here;
ALTER TYPE no_such_type OWNER TO postgres;
SELECT t.typname, pg_get_userbyid(t.typowner) FROM pg_type t WHERE t.typname = 'rainbow';
DROP TYPE rainbow;
DROP SCHEMA IF EXISTS shop CASCADE;
CREATE SCHEMA shop;
CREATE TYPE shop.state AS ENUM ('a', 'b');
CREATE TABLE shop.t (s shop.state);
INSERT INTO shop.t VALUES ('b'), ('a');
SELECT * FROM shop.t ORDER BY s;
DROP SCHEMA shop;
DROP TABLE shop.t;
DROP SCHEMA shop;
DROP SCHEMA shop CASCADE;
SELECT 'a'::shop.state;
