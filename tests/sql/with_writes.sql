-- WITH on INSERT, UPDATE and DELETE, and data-modifying WITH queries (INSERT/UPDATE/DELETE ... RETURNING whose rows the rest of the statement reads).
DROP TABLE IF EXISTS ww_a, ww_b, ww_log;
CREATE TABLE ww_a (id int PRIMARY KEY, v text);
CREATE TABLE ww_b (id int PRIMARY KEY, v text);
CREATE TABLE ww_log (n serial PRIMARY KEY, what text, id int);
INSERT INTO ww_a VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
-- A plain WITH before the write.
WITH x AS (SELECT * FROM ww_a WHERE id > 2) INSERT INTO ww_b SELECT * FROM x;
WITH x AS (SELECT 3 AS id) UPDATE ww_b SET v = upper(v) FROM x WHERE ww_b.id = x.id;
WITH x AS (SELECT 4 AS id) DELETE FROM ww_b USING x WHERE ww_b.id = x.id RETURNING ww_b.*;
WITH x AS (SELECT max(id) AS m FROM ww_a) UPDATE ww_b SET v = v || '!' WHERE id < (SELECT m FROM x);
SELECT * FROM ww_b ORDER BY id;
-- Rows moved from one table to another in one statement.
WITH moved AS (DELETE FROM ww_a WHERE id <= 2 RETURNING *) INSERT INTO ww_b SELECT id, v FROM moved;
SELECT * FROM ww_a ORDER BY id;
SELECT * FROM ww_b ORDER BY id;
-- RETURNING rows read by the main query (grouped, joined, ordered).
WITH u AS (UPDATE ww_b SET v = v || v RETURNING id, v) SELECT * FROM u ORDER BY id;
WITH i AS (INSERT INTO ww_a VALUES (10, 'x'), (11, 'y') RETURNING id) SELECT count(*), sum(id) FROM i;
WITH d AS (DELETE FROM ww_a WHERE id = 10 RETURNING id, v), l AS (INSERT INTO ww_log (what, id) SELECT 'deleted ' || v, id FROM d RETURNING n, what) SELECT what FROM l;
WITH d AS (DELETE FROM ww_a WHERE id = 11 RETURNING *) INSERT INTO ww_log (what, id) SELECT 'gone', id FROM d RETURNING what, id;
SELECT what, id FROM ww_log ORDER BY n;
-- A data-modifying query runs even when nothing reads it; without RETURNING it cannot be read.
WITH i AS (INSERT INTO ww_log (what, id) VALUES ('quiet', 0)) SELECT 1 AS one;
SELECT what, id FROM ww_log ORDER BY n;
WITH i AS (INSERT INTO ww_log (what, id) VALUES ('loud', 0)) SELECT * FROM i;
-- Only at the top level.
SELECT * FROM (WITH d AS (DELETE FROM ww_a RETURNING *) SELECT * FROM d) s;
-- In a transaction block: rolled back with it; an error undoes the whole statement.
BEGIN;
WITH d AS (DELETE FROM ww_b RETURNING id) SELECT count(*) FROM d;
SELECT count(*) FROM ww_b;
ROLLBACK;
SELECT count(*) FROM ww_b;
WITH d AS (DELETE FROM ww_b WHERE id = 1 RETURNING *) INSERT INTO ww_a SELECT * FROM d UNION ALL SELECT 3, 'dup';
SELECT * FROM ww_b WHERE id = 1;
BEGIN READ ONLY;
WITH d AS (DELETE FROM ww_b RETURNING id) SELECT count(*) FROM d;
ROLLBACK;
-- Prepared, with parameters.
PREPARE ww_move(int) AS WITH d AS (DELETE FROM ww_b WHERE id = $1 RETURNING *) INSERT INTO ww_a SELECT * FROM d RETURNING id, v;
EXECUTE ww_move(3);
EXECUTE ww_move(3);
SELECT * FROM ww_a ORDER BY id;
DEALLOCATE ww_move;
DROP TABLE ww_a, ww_b, ww_log;
