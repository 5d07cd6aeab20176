-- DEFERRABLE foreign keys: INITIALLY DEFERRED checks wait for COMMIT, SET CONSTRAINTS moves them
-- (IMMEDIATE runs what waited), NO ACTION on the referenced side waits too, RESTRICT and actions
-- do not; savepoints take back what they undo.
SET client_min_messages = warning;
DROP TABLE IF EXISTS fd_child, fd_child2, fd_parent;
RESET client_min_messages;
CREATE TABLE fd_parent (id int PRIMARY KEY, name text);
CREATE TABLE fd_child (id int PRIMARY KEY, parent_id int REFERENCES fd_parent (id) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE fd_child2 (id int PRIMARY KEY, parent_id int,
  CONSTRAINT fd_child2_fk FOREIGN KEY (parent_id) REFERENCES fd_parent (id) DEFERRABLE);
\d fd_child
SELECT conname, condeferrable, condeferred, pg_get_constraintdef(oid) FROM pg_constraint
  WHERE contype = 'f' AND conname LIKE 'fd_%' ORDER BY 1;
SELECT constraint_name, is_deferrable, initially_deferred FROM information_schema.table_constraints
  WHERE constraint_name LIKE 'fd_%' ORDER BY 1;
-- The child first, its parent later in the same transaction.
BEGIN;
INSERT INTO fd_child VALUES (1, 10);
INSERT INTO fd_parent VALUES (10, 'ten');
COMMIT;
-- A missing parent fails at COMMIT, and the transaction is rolled back.
BEGIN;
INSERT INTO fd_child VALUES (2, 20);
SELECT count(*) FROM fd_child;
COMMIT;
SELECT id FROM fd_child ORDER BY id;
-- Autocommit: checked at the statement's end.
INSERT INTO fd_child VALUES (3, 30);
-- A child row removed before COMMIT needs no parent.
BEGIN;
INSERT INTO fd_child VALUES (4, 40);
DELETE FROM fd_child WHERE id = 4;
COMMIT;
-- SET CONSTRAINTS IMMEDIATE checks what waited, now.
BEGIN;
INSERT INTO fd_child VALUES (5, 50);
SET CONSTRAINTS ALL IMMEDIATE;
ROLLBACK;
BEGIN;
SET CONSTRAINTS fd_child_parent_id_fkey IMMEDIATE;
INSERT INTO fd_child VALUES (6, 60);
ROLLBACK;
-- DEFERRABLE INITIALLY IMMEDIATE: checked per statement until deferred.
INSERT INTO fd_child2 VALUES (1, 99);
BEGIN;
SET CONSTRAINTS fd_child2_fk DEFERRED;
INSERT INTO fd_child2 VALUES (1, 99);
INSERT INTO fd_parent VALUES (99, 'ninety-nine');
COMMIT;
-- The referenced side (NO ACTION): a parent deleted and put back before COMMIT.
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
DELETE FROM fd_parent WHERE id = 99;
INSERT INTO fd_parent VALUES (99, 'back');
COMMIT;
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
DELETE FROM fd_parent WHERE id = 99;
COMMIT;
-- A savepoint rolled back takes its deferred checks with it.
BEGIN;
INSERT INTO fd_child VALUES (7, 10);
SAVEPOINT s;
INSERT INTO fd_child VALUES (8, 80);
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT id, parent_id FROM fd_child ORDER BY id;
-- Errors.
SET CONSTRAINTS ALL DEFERRED;
BEGIN;
SET CONSTRAINTS fd_parent_pkey DEFERRED;
ROLLBACK;
BEGIN;
SET CONSTRAINTS nosuch DEFERRED;
ROLLBACK;
CREATE TABLE fd_bad (id int REFERENCES fd_parent (id) NOT DEFERRABLE INITIALLY DEFERRED);
DROP TABLE fd_child, fd_child2, fd_parent;
