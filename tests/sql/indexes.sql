-- Secondary indexes: CREATE [UNIQUE] INDEX, DROP INDEX, unique violations, and queries that
-- the planner answers through an index (equality on leading columns, ranges on the next one).
DROP TABLE IF EXISTS people;
CREATE TABLE people (id int PRIMARY KEY, email text, age int, city text, score float8);
INSERT INTO people VALUES
  (1, 'ann@x', 30, 'paris', 1.5), (2, 'bob@x', 40, 'rome', 2.5), (3, 'cid@x', 30, 'oslo', 3.5),
  (4, NULL, 50, 'rome', NULL), (5, NULL, 20, 'paris', 0.5), (6, 'dee@x', NULL, 'oslo', 9.0);
CREATE UNIQUE INDEX people_email ON people (email);
CREATE INDEX ON people (age);
CREATE INDEX people_city_age ON people USING btree (city, age DESC);
CREATE INDEX IF NOT EXISTS people_email ON people (city);
CREATE INDEX people ON people (age);
CREATE INDEX bad ON people (nope);
-- Unique: a second 'ann@x' fails, NULLs never collide.
INSERT INTO people VALUES (7, 'ann@x', 1, 'x', 0);
INSERT INTO people VALUES (7, NULL, 1, 'x', 0), (8, NULL, 2, 'y', 0);
SELECT id FROM people WHERE email = 'bob@x';
SELECT id FROM people WHERE email = 'nobody';
SELECT id FROM people WHERE email IS NULL ORDER BY id;
SELECT id FROM people WHERE age = 30 ORDER BY id;
SELECT id FROM people WHERE age > 30 ORDER BY id;
SELECT id FROM people WHERE age >= 30 AND age < 50 ORDER BY id;
SELECT id FROM people WHERE 40 >= age ORDER BY id;
SELECT id FROM people WHERE age BETWEEN 20 AND 30 ORDER BY id;
SELECT id FROM people WHERE age = 30.0 ORDER BY id;
SELECT id FROM people WHERE age = 30.5 ORDER BY id;
SELECT id FROM people WHERE age = NULL;
SELECT id, age FROM people WHERE city = 'rome' AND age > 40 ORDER BY id;
SELECT id FROM people WHERE city = 'oslo' ORDER BY id;
SELECT count(*) FROM people WHERE city = 'paris' AND age < 100;
-- Writes keep the entries in step: updates move them, deletes remove them.
UPDATE people SET email = 'bee@x' WHERE id = 2;
SELECT id FROM people WHERE email = 'bob@x';
SELECT id FROM people WHERE email = 'bee@x';
UPDATE people SET email = 'ann@x' WHERE id = 3;
UPDATE people SET age = age + 1 WHERE city = 'paris';
SELECT id, age FROM people WHERE age > 25 ORDER BY id;
DELETE FROM people WHERE age = 21;
SELECT id FROM people WHERE city = 'paris' ORDER BY id;
UPDATE people SET city = 'lima' WHERE age = 31 RETURNING id, city;
SELECT id FROM people WHERE city = 'lima';
-- A unique index cannot be built over duplicates; the failed build leaves no index behind.
CREATE UNIQUE INDEX people_age_key ON people (age);
INSERT INTO people VALUES (9, 'eve@x', 40, 'rome', 0);
CREATE UNIQUE INDEX people_age_key ON people (age);
DELETE FROM people WHERE id = 9;
CREATE UNIQUE INDEX people_age_key ON people (age);
INSERT INTO people VALUES (9, 'eve@x', 40, 'rome', 0);
-- In a transaction: an entry deleted by an open update is still found by others' reads; rollback
-- restores everything.
BEGIN;
UPDATE people SET email = 'gone@x' WHERE id = 1;
SELECT id FROM people WHERE email = 'gone@x';
ROLLBACK;
SELECT id FROM people WHERE email = 'ann@x';
SELECT id FROM people WHERE email = 'gone@x';
-- TRUNCATE empties the indexes too.
TRUNCATE people;
INSERT INTO people VALUES (1, 'ann@x', 30, 'paris', 1.5);
SELECT id FROM people WHERE email = 'ann@x';
SELECT id FROM people WHERE age = 30;
DROP INDEX people_age_idx, people_city_age;
DROP INDEX people_age_idx;
DROP INDEX IF EXISTS people_age_idx;
DROP INDEX people;
SELECT id FROM people WHERE age = 30;
DROP TABLE people;
DROP INDEX people_email;
-- Tables and indexes share one namespace.
CREATE TABLE named (k int PRIMARY KEY, v int);
CREATE INDEX named_v ON named (v);
CREATE TABLE named_v (k int);
CREATE INDEX named ON named (v);
DROP TABLE named;
CREATE TABLE named_v (k int);
DROP TABLE named_v;
