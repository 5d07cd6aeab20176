-- Role membership: GRANT role TO role [WITH ADMIN OPTION], REVOKE, privileges through
-- inheritance, SET ROLE / RESET ROLE, current_user vs session_user, cycles, pg_auth_members.
DROP TABLE IF EXISTS rm_data;
DROP ROLE IF EXISTS rm_alice;
DROP ROLE IF EXISTS rm_bob;
DROP ROLE IF EXISTS rm_readers;
DROP ROLE IF EXISTS rm_noinherit;
CREATE ROLE rm_readers;
CREATE ROLE rm_alice;
CREATE ROLE rm_bob;
CREATE ROLE rm_noinherit NOINHERIT;
CREATE TABLE rm_data (id int PRIMARY KEY, v text);
INSERT INTO rm_data VALUES (1, 'one');
GRANT SELECT ON rm_data TO rm_readers;
GRANT rm_readers TO rm_alice;
GRANT rm_readers TO rm_alice;
GRANT rm_readers TO rm_noinherit;
GRANT rm_alice TO rm_readers;
GRANT rm_readers TO rm_readers;
GRANT rm_nosuch TO rm_alice;
SELECT r.rolname, m.rolname AS member, a.admin_option FROM pg_auth_members a
  JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  WHERE r.rolname LIKE 'rm_%' ORDER BY 1, 2;
SET ROLE rm_alice;
SELECT current_user, session_user;
SELECT * FROM rm_data;
INSERT INTO rm_data VALUES (2, 'two');
RESET ROLE;
SELECT current_user, session_user;
SET ROLE rm_bob;
SELECT * FROM rm_data;
SET ROLE NONE;
SET ROLE rm_noinherit;
SELECT * FROM rm_data;
SET ROLE rm_readers;
SELECT * FROM rm_data;
RESET ROLE;
SET ROLE rm_nosuch;
REVOKE rm_readers FROM rm_alice;
REVOKE rm_readers FROM rm_alice;
SET ROLE rm_alice;
SELECT * FROM rm_data;
RESET ROLE;
GRANT rm_readers TO rm_bob WITH ADMIN OPTION;
SELECT r.rolname, m.rolname AS member, a.admin_option FROM pg_auth_members a
  JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  WHERE r.rolname LIKE 'rm_%' ORDER BY 1, 2;
REVOKE ADMIN OPTION FOR rm_readers FROM rm_bob;
SELECT r.rolname, m.rolname AS member, a.admin_option FROM pg_auth_members a
  JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  WHERE r.rolname LIKE 'rm_%' ORDER BY 1, 2;
DROP ROLE rm_readers;
DROP TABLE rm_data;
DROP ROLE rm_readers;
SELECT count(*) FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member WHERE m.rolname LIKE 'rm_%';
DROP ROLE rm_alice;
DROP ROLE rm_bob;
DROP ROLE rm_noinherit;
-- GRANTED BY (as pg_dumpall writes role grants): recorded as the grantor; only a superuser may
-- name another role.
CREATE ROLE rm_g1;
CREATE ROLE rm_g2;
CREATE ROLE rm_g3 CREATEROLE;
GRANT rm_g1 TO rm_g2 GRANTED BY rm_g3;
GRANT rm_g3 TO rm_g2 GRANTED BY current_user;
SELECT r.rolname, m.rolname AS member, g.rolname AS grantor FROM pg_auth_members a
  JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member JOIN pg_roles g ON g.oid = a.grantor
  WHERE r.rolname LIKE 'rm_g%' ORDER BY 1, 2;
GRANT rm_g1 TO rm_g3 GRANTED BY rm_nobody;
SET ROLE rm_g3;
GRANT rm_g2 TO rm_g1 GRANTED BY postgres;
GRANT rm_g2 TO rm_g1 GRANTED BY rm_g3;
RESET ROLE;
REVOKE rm_g1 FROM rm_g2 GRANTED BY postgres;
SELECT count(*) FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid WHERE r.rolname LIKE 'rm_g%';
DROP ROLE rm_g1;
DROP ROLE rm_g2;
DROP ROLE rm_g3;
