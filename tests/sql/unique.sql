-- UNIQUE constraints: column and table forms, names, NULLs, violations on INSERT and UPDATE,
-- ALTER TABLE ADD/DROP CONSTRAINT, DROP INDEX refused for a constraint's index, bad keys.
DROP TABLE IF EXISTS uq_a, uq_b, uq_c;
CREATE TABLE uq_a (id int PRIMARY KEY, email text UNIQUE, code text, CONSTRAINT uq_a_code UNIQUE (code));
INSERT INTO uq_a VALUES (1, 'a@x', 'A'), (2, 'b@x', 'B');
INSERT INTO uq_a VALUES (3, 'a@x', 'C');
INSERT INTO uq_a VALUES (3, 'c@x', 'A');
INSERT INTO uq_a VALUES (3, NULL, NULL), (4, NULL, NULL);
UPDATE uq_a SET email = 'b@x' WHERE id = 1;
SELECT * FROM uq_a ORDER BY id;
DROP INDEX uq_a_email_key;
ALTER TABLE uq_a DROP CONSTRAINT uq_a_email_key;
INSERT INTO uq_a VALUES (5, 'a@x', 'E');
ALTER TABLE uq_a DROP CONSTRAINT nope;
ALTER TABLE uq_a DROP CONSTRAINT IF EXISTS nope;
ALTER TABLE uq_a ADD CONSTRAINT uq_a_email UNIQUE (email);
DELETE FROM uq_a WHERE id = 5;
ALTER TABLE uq_a ADD UNIQUE (email);
INSERT INTO uq_a VALUES (6, 'a@x', 'F');
CREATE TABLE uq_b (a int, b int, c int, UNIQUE (a, b), UNIQUE (b));
INSERT INTO uq_b VALUES (1, 1, 1), (1, 2, 2);
INSERT INTO uq_b VALUES (1, 1, 3);
INSERT INTO uq_b VALUES (2, 2, 3);
SELECT * FROM uq_b WHERE b = 2;
-- Two rows of one statement with the same key: the second is refused, nothing is written.
INSERT INTO uq_b VALUES (7, 7, 7), (8, 8, 8), (9, 7, 9);
INSERT INTO uq_b VALUES (7, 7, 7), (7, 7, 8);
UPDATE uq_b SET b = 40 WHERE b IN (1, 2);
SELECT * FROM uq_b ORDER BY a, b;
-- A number goes into a text column through its text form (an assignment cast).
INSERT INTO uq_a VALUES (10, 42, 4.5);
SELECT * FROM uq_a WHERE id = 10;
INSERT INTO uq_a VALUES (11, true, now()::date - now()::date);
SELECT * FROM uq_a WHERE id = 11;
CREATE TABLE uq_c (a int UNIQUE, b int UNIQUE (a));
CREATE TABLE uq_c (a int, UNIQUE (zz));
DROP TABLE uq_a, uq_b;
CREATE TABLE uq_c (a int, PRIMARY KEY (zz));
CREATE TABLE uq_c (a int,
   CONSTRAINT foo UNIQUE (a, zz));
