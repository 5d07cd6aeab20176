-- ALTER TABLE ... DROP COLUMN: rows rewritten without it; indexes, UNIQUE/CHECK/FOREIGN KEY constraints and owned sequences over it go with it; IF EXISTS; referencing foreign keys need CASCADE.
DROP TABLE IF EXISTS dc_c, dc_p, dc_t, dc_n;
CREATE TABLE dc_t (id int PRIMARY KEY, a text, b int CHECK (b > 0), c numeric(5,2) DEFAULT 1.5, d serial, CHECK (b < c * 100), UNIQUE (a, b));
CREATE INDEX dc_t_c ON dc_t (c);
CREATE INDEX dc_t_a ON dc_t (a);
INSERT INTO dc_t (id, a, b, c) VALUES (1, 'x', 5, 2.5), (2, 'y', 6, 3.5), (3, NULL, NULL, NULL);
ALTER TABLE dc_t DROP COLUMN b;
SELECT * FROM dc_t ORDER BY id;
\d dc_t
SELECT id FROM dc_t WHERE a = 'x';
SELECT id FROM dc_t WHERE c > 3;
INSERT INTO dc_t (id, a, c) VALUES (4, 'w', 9.99);
SELECT * FROM dc_t ORDER BY id;
ALTER TABLE dc_t DROP COLUMN d;
ALTER TABLE dc_t DROP COLUMN IF EXISTS nope;
ALTER TABLE dc_t DROP COLUMN nope;
ALTER TABLE dc_t ADD COLUMN e int DEFAULT 7;
ALTER TABLE dc_t DROP COLUMN a;
SELECT * FROM dc_t ORDER BY id;
CREATE TABLE dc_n (x int, y text, z int);
INSERT INTO dc_n VALUES (1, 'a', 10), (2, 'b', 20);
ALTER TABLE dc_n DROP COLUMN y;
SELECT * FROM dc_n ORDER BY x;
CREATE TABLE dc_p (id int PRIMARY KEY, code text UNIQUE, extra int);
CREATE TABLE dc_c (id int PRIMARY KEY, note text, pcode text REFERENCES dc_p (code));
INSERT INTO dc_p VALUES (1, 'k', 0);
INSERT INTO dc_c VALUES (1, 'n', 'k');
ALTER TABLE dc_p DROP COLUMN code;
ALTER TABLE dc_p DROP COLUMN extra;
ALTER TABLE dc_c DROP COLUMN note;
INSERT INTO dc_c VALUES (2, 'missing');
ALTER TABLE dc_p DROP COLUMN code CASCADE;
INSERT INTO dc_c VALUES (2, 'missing');
SELECT * FROM dc_c ORDER BY id;
\d dc_c
DROP TABLE dc_c, dc_p, dc_t, dc_n;
