-- DISCARD, as a connection pooler resets a session: SEQUENCES forgets currval/lastval, TEMP drops
-- the temporary tables, PLANS keeps prepared statements, ALL does all of it plus RESET ALL,
-- DEALLOCATE ALL and SET SESSION AUTHORIZATION DEFAULT, and not inside a transaction block.
DROP TABLE IF EXISTS dis_perm;
DROP SEQUENCE IF EXISTS dis_seq;
CREATE SEQUENCE dis_seq;
CREATE TABLE dis_perm (a int PRIMARY KEY);
INSERT INTO dis_perm VALUES (1);
SELECT nextval('dis_seq');
SELECT currval('dis_seq'), lastval();
DISCARD SEQUENCES;
SELECT currval('dis_seq');
SELECT lastval();
SELECT nextval('dis_seq');
CREATE TEMP TABLE dis_perm (b text);
INSERT INTO dis_perm VALUES ('temp');
SELECT * FROM dis_perm;
DISCARD TEMP;
SELECT * FROM dis_perm;
CREATE TEMPORARY TABLE dis_temp (x int);
PREPARE dis_stmt AS SELECT count(*) FROM dis_perm;
DISCARD PLANS;
EXECUTE dis_stmt;
SET work_mem = '64MB';
SET extra_float_digits = 3;
BEGIN;
DISCARD ALL;
ROLLBACK;
SHOW work_mem;
DISCARD ALL;
SHOW work_mem;
SHOW extra_float_digits;
EXECUTE dis_stmt;
SELECT * FROM dis_temp;
SELECT currval('dis_seq');
DISCARD TEMPORARY;
DISCARD;
DROP TABLE dis_perm;
DROP SEQUENCE dis_seq;
