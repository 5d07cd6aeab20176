-- UPDATE of primary key columns (rows move to their new keys: indexes, unique checks and foreign keys follow) and multiple-column SET (a, b) = (...).
DROP TABLE IF EXISTS uk_c, uk_p, uk_t, uk_m;
CREATE TABLE uk_t (id int PRIMARY KEY, code text UNIQUE, v int);
CREATE INDEX uk_t_v ON uk_t (v);
INSERT INTO uk_t VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);
UPDATE uk_t SET id = 7 WHERE id = 1 RETURNING *;
SELECT * FROM uk_t ORDER BY id;
SELECT * FROM uk_t WHERE id = 7;
SELECT * FROM uk_t WHERE id = 1;
SELECT id FROM uk_t WHERE code = 'a';
SELECT id FROM uk_t WHERE v = 10;
-- Onto a key that is taken: refused, nothing moves.
UPDATE uk_t SET id = 2 WHERE id = 3;
SELECT * FROM uk_t ORDER BY id;
-- Keys and other columns at once, from expressions over the row.
UPDATE uk_t SET id = id * 100, v = v + 1 WHERE v > 15;
SELECT * FROM uk_t ORDER BY id;
SELECT * FROM uk_t WHERE v = 21;
UPDATE uk_t SET id = NULL WHERE id = 7;
-- A composite key, one of its columns changed.
CREATE TABLE uk_m (a int, b text, n int, PRIMARY KEY (a, b));
INSERT INTO uk_m VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', 3);
UPDATE uk_m SET b = 'z' WHERE a = 1 AND b = 'y';
UPDATE uk_m SET a = a + 10 WHERE b = 'x';
SELECT * FROM uk_m ORDER BY a, b;
SELECT * FROM uk_m WHERE a = 11 AND b = 'x';
-- Foreign keys: ON UPDATE CASCADE follows the key, NO ACTION refuses a referenced key.
CREATE TABLE uk_p (id int PRIMARY KEY, name text);
CREATE TABLE uk_c (cid int PRIMARY KEY, pid int REFERENCES uk_p ON UPDATE CASCADE, qid int REFERENCES uk_p (id));
INSERT INTO uk_p VALUES (1, 'one'), (2, 'two'), (3, 'three');
INSERT INTO uk_c VALUES (10, 1, NULL), (11, 1, 3), (12, 2, NULL);
UPDATE uk_p SET id = 5 WHERE id = 1;
SELECT * FROM uk_c ORDER BY cid;
UPDATE uk_p SET id = 6 WHERE id = 3;
UPDATE uk_c SET cid = 20, pid = 9 WHERE cid = 12;
UPDATE uk_c SET cid = 20, pid = 2 WHERE cid = 12;
SELECT * FROM uk_c ORDER BY cid;
SELECT * FROM uk_p ORDER BY id;
-- UPDATE ... FROM that sets the key.
UPDATE uk_c SET cid = uk_p.id * 100 FROM uk_p WHERE uk_p.id = uk_c.pid AND uk_p.name = 'two';
SELECT * FROM uk_c ORDER BY cid;
-- Inside a transaction, rolled back.
BEGIN;
UPDATE uk_t SET id = -id;
SELECT * FROM uk_t ORDER BY id;
ROLLBACK;
SELECT * FROM uk_t ORDER BY id;
-- SET (a, b) = (...): a list, ROW(...), a sub-SELECT, DEFAULT; the errors.
UPDATE uk_t SET (code, v) = ('q', 99) WHERE id = 7;
UPDATE uk_t SET (code, v) = ROW('r', 98) WHERE id = 200;
UPDATE uk_t SET (code, v) = (SELECT name, id FROM uk_p WHERE id = 2) WHERE id = 300;
UPDATE uk_t SET (v, code) = (DEFAULT, upper(code)) WHERE id = 7;
SELECT * FROM uk_t ORDER BY id;
UPDATE uk_t SET (code, v) = (1) WHERE id = 7;
UPDATE uk_t SET (code, v) = ('a', 1, 2) WHERE id = 7;
UPDATE uk_t SET (code, v) = (SELECT name FROM uk_p WHERE id = 2) WHERE id = 7;
UPDATE uk_t SET v = 1, v = 2;
UPDATE uk_t SET (v) = (5);
DROP TABLE uk_c, uk_p, uk_t, uk_m;
