-- MERGE (PostgreSQL 15): WHEN [NOT] MATCHED [AND condition] THEN UPDATE / DELETE / INSERT /
-- DO NOTHING, the first clause of its kind whose condition holds acting on each joined row;
-- constraints, foreign keys, identity columns, privileges, transactions and PostgreSQL's errors.
DROP VIEW IF EXISTS mg_view;
DROP TABLE IF EXISTS mg_t, mg_s, mg_g, mg_child, mg_parent, mg_src, mg_nopk;
DROP ROLE IF EXISTS mg_merger;
CREATE TABLE mg_t (id int PRIMARY KEY, v text, n int DEFAULT 7);
CREATE TABLE mg_s (id int, v text);
INSERT INTO mg_t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3);
INSERT INTO mg_s VALUES (1, 'x'), (2, 'y'), (4, 'z'), (5, NULL);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id
WHEN MATCHED AND mg_s.id = 1 THEN UPDATE SET v = mg_s.v
WHEN MATCHED THEN DELETE
WHEN NOT MATCHED AND mg_s.v IS NULL THEN DO NOTHING
WHEN NOT MATCHED THEN INSERT VALUES (mg_s.id, mg_s.v);
SELECT * FROM mg_t ORDER BY id;
merge into mg_t using mg_s on mg_t.id = mg_s.id when not matched then insert (id) values (mg_s.id + 10);
SELECT * FROM mg_t ORDER BY id;
-- Aliases, subqueries and functions as the source; the target's columns in SET.
MERGE INTO mg_t t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET n = t.n + 1;
MERGE INTO mg_t AS x USING (SELECT * FROM mg_s) AS y ON x.id = y.id
  WHEN MATCHED THEN UPDATE SET v = y.v || x.v;
MERGE INTO mg_t USING generate_series(1, 3) g ON mg_t.id = g WHEN MATCHED THEN UPDATE SET n = g * 100;
MERGE INTO mg_t USING (VALUES (12, 'twelve'), (99, 'new')) v(id, w) ON mg_t.id = v.id
  WHEN MATCHED THEN UPDATE SET v = v.w, n = DEFAULT
  WHEN NOT MATCHED THEN INSERT (v, id) VALUES (v.w, v.id);
SELECT * FROM mg_t ORDER BY id;
-- Several MATCHED clauses: the first whose condition holds; DO NOTHING counts nothing.
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id
  WHEN MATCHED AND mg_s.id = 1 THEN DO NOTHING
  WHEN MATCHED THEN UPDATE SET n = 99;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id
  WHEN MATCHED AND mg_t.id = 1 THEN UPDATE SET v = 'one'
  WHEN MATCHED AND mg_t.id = 4 THEN DELETE
  WHEN NOT MATCHED THEN DO NOTHING;
SELECT * FROM mg_t ORDER BY id;
-- Multiple-column SET, subqueries in conditions and values, DEFAULT in VALUES.
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET (v, n) = (mg_s.v, 5);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id
  WHEN MATCHED AND (SELECT true) THEN UPDATE SET (v, n) = (SELECT 'sub', (SELECT max(id) FROM mg_s));
MERGE INTO mg_t USING (VALUES (50)) v(id) ON mg_t.id = v.id
  WHEN NOT MATCHED THEN INSERT VALUES (v.id, (SELECT min(v) FROM mg_s), DEFAULT);
SELECT * FROM mg_t ORDER BY id;
-- A new primary key moves the row.
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET id = mg_s.id + 100;
SELECT * FROM mg_t ORDER BY id;
-- ON conditions that match everything, nothing, or a row twice.
MERGE INTO mg_t USING mg_s ON true WHEN MATCHED THEN DO NOTHING;
MERGE INTO mg_t USING (SELECT 1) x ON false WHEN NOT MATCHED THEN INSERT VALUES (77, 'seventy');
MERGE INTO mg_t USING (VALUES (12), (12)) s(id) ON mg_t.id = s.id WHEN MATCHED THEN UPDATE SET n = 0;
MERGE INTO mg_t USING (VALUES (12), (12)) s(id) ON mg_t.id = s.id WHEN MATCHED THEN DELETE;
MERGE INTO mg_t USING (VALUES (12), (12)) s(id) ON mg_t.id = s.id WHEN MATCHED THEN DO NOTHING;
MERGE INTO mg_t USING (VALUES (1000), (1000)) s(id) ON mg_t.id = s.id WHEN MATCHED THEN DELETE;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id + 100 AND mg_s.id > 1 WHEN MATCHED THEN DELETE;
SELECT * FROM mg_t ORDER BY id;
-- WITH, PREPARE, transactions and savepoints.
WITH w AS (SELECT 20 AS id) MERGE INTO mg_t USING w ON mg_t.id = w.id
  WHEN NOT MATCHED THEN INSERT VALUES (w.id, 'with');
PREPARE mg_p(int) AS MERGE INTO mg_t USING (SELECT $1 AS id) s ON mg_t.id = s.id
  WHEN MATCHED THEN UPDATE SET n = n * 10 WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'p');
EXECUTE mg_p(20);
EXECUTE mg_p(60);
DEALLOCATE mg_p;
BEGIN;
MERGE INTO mg_t USING mg_s ON mg_t.id + 100 = mg_s.id WHEN NOT MATCHED THEN INSERT VALUES (mg_s.id + 200);
SELECT count(*) FROM mg_t;
SAVEPOINT a;
MERGE INTO mg_t USING mg_t AS o ON mg_t.id = o.id WHEN MATCHED THEN DELETE;
SELECT count(*) FROM mg_t;
ROLLBACK TO a;
SELECT count(*) FROM mg_t;
ROLLBACK;
SELECT * FROM mg_t ORDER BY id;
BEGIN READ ONLY;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN DELETE;
ROLLBACK;
-- Constraints and foreign keys.
CREATE TABLE mg_parent (id int PRIMARY KEY, name text UNIQUE, qty int CHECK (qty >= 0));
CREATE TABLE mg_child (id serial PRIMARY KEY, pid int REFERENCES mg_parent ON DELETE CASCADE, note text);
CREATE TABLE mg_src (id int, name text, qty int);
INSERT INTO mg_parent VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30);
INSERT INTO mg_child (pid, note) VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO mg_src VALUES (1, 'one', 5), (2, 'two', -1), (4, 'four', 40);
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id WHEN MATCHED THEN UPDATE SET qty = s.qty;
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id
  WHEN MATCHED AND s.qty < 0 THEN DELETE
  WHEN MATCHED THEN UPDATE SET qty = p.qty + s.qty
  WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name, s.qty);
SELECT * FROM mg_parent ORDER BY id;
SELECT * FROM mg_child ORDER BY id;
MERGE INTO mg_parent USING (VALUES (9, 'one', 1)) v(id, name, qty) ON mg_parent.id = v.id
  WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.name, v.qty);
MERGE INTO mg_child c USING (VALUES (1, 'x'), (5, 'y')) v(pid, note) ON c.pid = v.pid
  WHEN MATCHED THEN UPDATE SET note = v.note WHEN NOT MATCHED THEN INSERT (pid, note) VALUES (v.pid, v.note);
MERGE INTO mg_child c USING (VALUES (1, 'x'), (4, 'y')) v(pid, note) ON c.pid = v.pid
  WHEN MATCHED THEN UPDATE SET note = v.note WHEN NOT MATCHED THEN INSERT (pid, note) VALUES (v.pid, v.note);
SELECT * FROM mg_child ORDER BY id;
-- Identity columns: OVERRIDING SYSTEM VALUE / USER VALUE, DEFAULT VALUES.
CREATE TABLE mg_g (id int GENERATED ALWAYS AS IDENTITY (START WITH 100) PRIMARY KEY, v text DEFAULT 'dflt');
MERGE INTO mg_g USING mg_s ON mg_g.id = mg_s.id WHEN NOT MATCHED THEN INSERT (id, v) VALUES (mg_s.id, mg_s.v);
MERGE INTO mg_g USING mg_s ON mg_g.id = mg_s.id
  WHEN NOT MATCHED AND mg_s.id < 3 THEN INSERT (id, v) OVERRIDING SYSTEM VALUE VALUES (mg_s.id, mg_s.v);
MERGE INTO mg_g USING mg_s ON mg_g.id = mg_s.id
  WHEN NOT MATCHED AND mg_s.id = 4 THEN INSERT (id, v) OVERRIDING USER VALUE VALUES (mg_s.id + 10, mg_s.v)
  WHEN NOT MATCHED THEN INSERT DEFAULT VALUES;
SELECT * FROM mg_g ORDER BY id;
MERGE INTO mg_g USING mg_s ON mg_g.id = mg_s.id WHEN MATCHED THEN UPDATE SET id = 5;
MERGE INTO mg_g USING (VALUES (1)) s(id) ON mg_g.id = s.id WHEN MATCHED THEN UPDATE SET id = DEFAULT, v = 'moved';
SELECT * FROM mg_g ORDER BY id;
-- A table without a primary key takes MERGE's inserts.
CREATE TABLE mg_nopk (a int, b int);
MERGE INTO mg_nopk USING generate_series(1, 3) g ON mg_nopk.a = g WHEN NOT MATCHED THEN INSERT VALUES (g, g);
MERGE INTO mg_nopk USING generate_series(1, 5) g ON mg_nopk.a = g AND mg_nopk.b > 1
  WHEN MATCHED AND g = 3 THEN DO NOTHING
  WHEN NOT MATCHED AND g > 1 THEN INSERT VALUES (g, g * 10);
SELECT * FROM mg_nopk ORDER BY a, b;
-- Privileges: each action needs its own.
CREATE ROLE mg_merger;
GRANT SELECT ON mg_parent, mg_src TO mg_merger;
SET ROLE mg_merger;
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id WHEN MATCHED THEN DELETE;
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id WHEN MATCHED THEN UPDATE SET qty = 1;
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id);
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id WHEN MATCHED THEN DO NOTHING;
RESET ROLE;
GRANT UPDATE (qty) ON mg_parent TO mg_merger;
SET ROLE mg_merger;
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id WHEN MATCHED THEN UPDATE SET qty = 2;
MERGE INTO mg_parent p USING mg_src s ON p.id = s.id WHEN MATCHED THEN UPDATE SET name = 'n';
RESET ROLE;
SELECT * FROM mg_parent ORDER BY id;
REVOKE ALL ON mg_parent, mg_src FROM mg_merger;
DROP ROLE mg_merger;
-- Errors.
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET v = mg_s.v WHEN MATCHED THEN DELETE;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT VALUES (9) WHEN NOT MATCHED THEN DO NOTHING;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED AND mg_t.v = 'a' THEN INSERT VALUES (1);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED AND n = 1 THEN DO NOTHING;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT VALUES (mg_s.id, mg_s.v, n);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED AND count(*) > 1 THEN DELETE;
MERGE INTO mg_t USING mg_s ON count(*) > 1 WHEN MATCHED THEN DELETE;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED AND mg_s.v THEN DELETE;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN INSERT VALUES (1);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN UPDATE SET v = 'q';
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN DELETE;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET v = 'q' RETURNING *;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED BY TARGET THEN INSERT VALUES (mg_s.id);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (mg_s.id), (mg_s.id + 1);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT (id) DEFAULT VALUES;
MERGE mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN DELETE;
CREATE VIEW mg_view AS SELECT * FROM mg_t;
MERGE INTO mg_view USING mg_s ON mg_view.id = mg_s.id WHEN MATCHED THEN DELETE;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET v = 'q', v = 'r';
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET nope = 1;
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET mg_t.v = 'w';
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET v.x = 'w';
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT (id, id) VALUES (1, 2);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (1, 2);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT VALUES (mg_s.id, mg_s.v, 1, 2);
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN NOT MATCHED THEN INSERT VALUES ('zz');
MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN UPDATE SET n = 'x';
MERGE INTO mg_t USING (VALUES ('x')) s(v) ON false WHEN NOT MATCHED THEN INSERT (v) VALUES (s.v);
MERGE INTO mg_t USING mg_s ON nope = 1 WHEN MATCHED THEN DELETE;
MERGE INTO nope USING mg_s ON nope.id = mg_s.id WHEN MATCHED THEN DELETE;
MERGE INTO mg_t USING nope ON mg_t.id = 1 WHEN MATCHED THEN DELETE;
MERGE INTO mg_t USING mg_t ON mg_t.id = 1 WHEN MATCHED THEN DELETE;
MERGE INTO mg_t t USING mg_s t ON t.id = 1 WHEN MATCHED THEN DELETE;
WITH m AS (MERGE INTO mg_t USING mg_s ON mg_t.id = mg_s.id WHEN MATCHED THEN DELETE) SELECT 1;
SELECT * FROM mg_t ORDER BY id;
DROP VIEW mg_view;
DROP TABLE mg_t, mg_s, mg_g, mg_child, mg_parent, mg_src, mg_nopk;
