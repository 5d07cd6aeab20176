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
