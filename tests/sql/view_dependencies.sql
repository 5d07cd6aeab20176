-- Views depend on what they read: DROP TABLE / DROP VIEW of a relation a view reads fails with
-- PostgreSQL's 2BP01 and the dependents in its detail; CASCADE drops them (directly or through
-- other views), with PostgreSQL's notices; foreign keys referencing a dropped table go with it.
DROP TABLE IF EXISTS vd_child, vd_parent, vd_other CASCADE;
CREATE TABLE vd_parent (id int PRIMARY KEY, label text);
CREATE TABLE vd_child (id int PRIMARY KEY, parent int REFERENCES vd_parent (id));
CREATE TABLE vd_other (k int);
INSERT INTO vd_parent VALUES (1, 'one'), (2, 'two');
INSERT INTO vd_child VALUES (10, 1), (20, 2);
INSERT INTO vd_other VALUES (5);
CREATE VIEW vd_labels AS SELECT id, upper(label) AS label FROM vd_parent;
CREATE VIEW vd_joined AS SELECT c.id, l.label FROM vd_child c JOIN vd_labels l ON l.id = c.parent;
CREATE VIEW vd_sub AS SELECT k FROM vd_other WHERE k IN (SELECT id FROM vd_parent) OR k > 1;
SELECT * FROM vd_joined ORDER BY id;
DROP TABLE vd_other;
DROP VIEW vd_labels;
DROP VIEW vd_joined, vd_labels;
CREATE VIEW vd_labels AS SELECT id, upper(label) AS label FROM vd_parent;
CREATE VIEW vd_joined AS SELECT c.id, l.label FROM vd_child c JOIN vd_labels l ON l.id = c.parent;
DROP TABLE vd_parent;
DROP VIEW vd_labels CASCADE;
SELECT * FROM vd_joined;
SELECT count(*) FROM pg_views WHERE viewname LIKE 'vd_%';
-- A view dropped with the table it reads goes quietly; two tables dropped together.
CREATE VIEW vd_labels AS SELECT id, upper(label) AS label FROM vd_parent;
DROP TABLE vd_parent CASCADE;
SELECT conname FROM pg_constraint WHERE conrelid = 'vd_child'::regclass ORDER BY 1;
INSERT INTO vd_child VALUES (30, 99);
SELECT * FROM vd_child ORDER BY id;
DROP TABLE vd_other CASCADE;
SELECT viewname FROM pg_views WHERE viewname LIKE 'vd_%';
CREATE VIEW vd_self AS SELECT id FROM vd_child;
DROP TABLE vd_child, vd_self;
DROP VIEW vd_self;
DROP TABLE vd_child;
-- ON COMMIT DROP takes the temporary views of its table with it.
BEGIN;
CREATE TEMP TABLE vd_tmp (k int) ON COMMIT DROP;
CREATE TEMP VIEW vd_tmp_view AS SELECT * FROM vd_tmp;
COMMIT;
SELECT count(*) FROM pg_class WHERE relname LIKE 'vd_tmp%';
CREATE TABLE vd_table (k int);
DROP VIEW vd_table;
DROP TABLE vd_table;
-- Views follow renames of the tables and columns they read (PostgreSQL's hold OIDs): names
-- qualified or not, quoted or not, aliased tables, subqueries; a view's columns keep their names.
DROP TABLE IF EXISTS vr_t, vr_t2, vr_renamed CASCADE;
CREATE TABLE vr_t (a int, b int, c text, u int, "Mixed" int, d int);
CREATE TABLE vr_t2 (a int, e int);
INSERT INTO vr_t VALUES (1, 2, 'x', 0, 3, 4), (2, 0, 'y', 0, 5, 6);
INSERT INTO vr_t2 VALUES (1, 10), (2, 20);
CREATE VIEW vr_v1 AS SELECT a, c, vr_t."Mixed", d FROM vr_t WHERE vr_t.b > 0;
CREATE VIEW vr_v2 AS SELECT * FROM vr_v1 WHERE a > 0;
CREATE VIEW vr_v3 AS SELECT x.a, vr_t2.e, (SELECT count(*) FROM vr_t WHERE vr_t.a <= x.a) AS n
  FROM vr_t x JOIN vr_t2 ON vr_t2.a = x.a;
CREATE VIEW vr_v4 AS SELECT * FROM vr_t2;
ALTER TABLE vr_t RENAME TO vr_renamed;
SELECT * FROM vr_v1;
SELECT * FROM vr_v2;
SELECT * FROM vr_v3 ORDER BY a;
ALTER TABLE vr_renamed RENAME COLUMN a TO "A 2";
ALTER TABLE vr_renamed RENAME COLUMN "Mixed" TO m;
ALTER TABLE vr_t2 RENAME COLUMN e TO e2;
SELECT * FROM vr_v1;
SELECT * FROM vr_v3 ORDER BY a;
SELECT * FROM vr_v4 ORDER BY a;
SELECT attname FROM pg_attribute WHERE attrelid = 'vr_v1'::regclass AND attnum > 0 ORDER BY attnum;
-- A column a view reads cannot be dropped (2BP01, with what depends on it) but with CASCADE.
ALTER TABLE vr_renamed DROP COLUMN c;
ALTER TABLE vr_renamed DROP COLUMN b;
ALTER TABLE vr_t2 DROP COLUMN e2;
-- Dropping a column no view reads moves the later ones: the views still read theirs.
CREATE VIEW vr_v5 AS SELECT vr_renamed.d FROM vr_renamed;
ALTER TABLE vr_renamed DROP COLUMN u;
SELECT * FROM vr_v1;
ALTER TABLE vr_renamed RENAME COLUMN d TO d2;
SELECT * FROM vr_v5 ORDER BY d;
ALTER TABLE vr_renamed DROP COLUMN d2;
ALTER TABLE vr_renamed DROP COLUMN c CASCADE;
SELECT viewname FROM pg_views WHERE viewname LIKE 'vr_%' ORDER BY 1;
SELECT * FROM vr_v3 ORDER BY a;
DROP TABLE vr_t2 CASCADE;
DROP TABLE vr_renamed CASCADE;
-- A `*` is expanded once, when the view is made: columns added later are not the view's.
DROP TABLE IF EXISTS vs_t1, vs_t2 CASCADE;
CREATE TABLE vs_t1 (a int, b int);
CREATE TABLE vs_t2 (a int, c int);
INSERT INTO vs_t1 VALUES (1, 2);
INSERT INTO vs_t2 VALUES (1, 3);
CREATE VIEW vs_v1 AS SELECT * FROM vs_t1;
CREATE VIEW vs_v2 AS SELECT s.*, 5 AS k FROM vs_t1 s;
CREATE VIEW vs_v3 AS SELECT * FROM vs_t1 JOIN vs_t2 USING (a);
CREATE VIEW vs_v4 AS SELECT * FROM vs_t1 q, vs_t2 WHERE q.a = vs_t2.a;
CREATE VIEW vs_v6 AS SELECT * FROM (SELECT * FROM vs_t1) q, (SELECT c FROM vs_t2) r;
CREATE VIEW vs_v5 AS SELECT * FROM vs_v1;
ALTER TABLE vs_t1 ADD COLUMN z int DEFAULT 9;
ALTER TABLE vs_t2 ADD COLUMN y int DEFAULT 8;
SELECT * FROM vs_v1;
SELECT * FROM vs_v2;
SELECT * FROM vs_v3;
SELECT * FROM vs_v4;
SELECT * FROM vs_v5;
SELECT * FROM vs_v6;
SELECT z FROM vs_v1;
ALTER TABLE vs_t1 RENAME COLUMN b TO bb;
SELECT * FROM vs_v1;
ALTER TABLE vs_t1 DROP COLUMN z;
SELECT * FROM vs_v2;
SELECT pg_get_viewdef('no_such_view');
DROP TABLE vs_t2 CASCADE;
DROP TABLE vs_t1 CASCADE;
-- ALTER VIEW ... RENAME TO: views that read it follow (also where its name qualifies a column).
DROP TABLE IF EXISTS vn_t CASCADE;
CREATE TABLE vn_t (a int);
INSERT INTO vn_t VALUES (1);
CREATE VIEW vn_v AS SELECT a FROM vn_t;
ALTER VIEW vn_t RENAME TO vn_t2;
ALTER VIEW IF EXISTS vn_nope RENAME TO vn_x;
ALTER VIEW vn_nope RENAME TO vn_x;
ALTER VIEW vn_v RENAME TO vn_t;
CREATE VIEW vn_v2 AS SELECT vn_v.a FROM vn_v;
CREATE VIEW vn_v3 AS SELECT * FROM vn_v2 JOIN vn_v USING (a);
ALTER VIEW vn_v RENAME TO vn_new;
SELECT * FROM vn_v2;
SELECT * FROM vn_v3;
SELECT * FROM vn_new;
SELECT * FROM vn_v;
BEGIN;
ALTER VIEW vn_new RENAME TO vn_tx;
SELECT * FROM vn_tx;
ROLLBACK;
SELECT * FROM vn_new;
-- ALTER TABLE renames a view as well.
ALTER TABLE vn_new RENAME TO vn_by_table;
SELECT * FROM vn_v2;
ALTER TABLE IF EXISTS vn_by_table RENAME TO vn_new;
SELECT viewname FROM pg_views WHERE viewname LIKE 'vn_%' ORDER BY 1;
DROP TABLE vn_t CASCADE;
