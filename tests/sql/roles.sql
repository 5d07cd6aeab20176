-- Roles: CREATE / ALTER / DROP ROLE and USER, stored password secrets, pg_roles / pg_authid /
-- pg_user, PostgreSQL 15's permission rules. Roles are node-wide: the script drops what it makes.
SET client_min_messages = warning;
DROP TABLE IF EXISTS dd_mine, dd_t;
DROP ROLE IF EXISTS alice, bob, robert, carol, dave, erin, frank, dd_a, dd_b, dd_c, dd_d;
RESET client_min_messages;
CREATE ROLE alice;
CREATE ROLE alice;
CREATE USER bob PASSWORD 'secret' CREATEDB CONNECTION LIMIT 5;
CREATE ROLE carol WITH LOGIN SUPERUSER PASSWORD 'x' VALID UNTIL '2030-01-01';
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolconnlimit, rolpassword, rolvaliduntil, rolbypassrls FROM pg_roles WHERE rolname IN ('alice','bob','carol') ORDER BY 1;
SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$4096:%' AS scram FROM pg_authid WHERE rolname IN ('alice','bob','carol') ORDER BY 1;
SELECT usename, usesuper, usecreatedb, passwd, valuntil FROM pg_user WHERE usename IN ('alice','bob','carol') ORDER BY 1;
SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$4096:%' FROM pg_authid WHERE rolname = 'postgres';
ALTER ROLE alice WITH LOGIN CREATEROLE PASSWORD 'a1';
ALTER USER alice NOCREATEROLE;
ALTER ROLE alice PASSWORD NULL;
SELECT rolcanlogin, rolcreaterole, rolpassword FROM pg_authid WHERE rolname = 'alice';
SET password_encryption = 'md5';
ALTER ROLE bob PASSWORD 'secret';
SELECT rolname, rolpassword FROM pg_authid WHERE rolname = 'bob';
SET password_encryption = 'sha1';
RESET password_encryption;
SHOW password_encryption;
ALTER ROLE bob PASSWORD 'md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
SELECT rolname, rolpassword FROM pg_authid WHERE rolname = 'bob';
ALTER ROLE nobody PASSWORD 'x';
ALTER ROLE bob RENAME TO robert;
SELECT rolname, rolpassword FROM pg_authid WHERE rolname IN ('bob', 'robert');
ALTER ROLE robert RENAME TO carol;
CREATE ROLE gus CONNECTION LIMIT -2;
ALTER ROLE robert WITH CONNECTION LIMIT 3;
ALTER ROLE robert VALID UNTIL 'soon';
CREATE ROLE dave PASSWORD '';
SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'dave';
\du alice
\du robert
ALTER ROLE robert CONNECTION LIMIT -1;
ALTER USER robert WITH CONNECTION LIMIT 2 CREATEROLE;
SELECT rolconnlimit, rolcreaterole FROM pg_roles WHERE rolname = 'robert';
CREATE ROLE public;
CREATE ROLE pg_x;
CREATE ROLE "none";
DROP ROLE nobody;
DROP ROLE IF EXISTS nobody;
DROP ROLE postgres;
-- A role with CREATEROLE manages ordinary roles, not superusers; any role sets its own password.
CREATE ROLE erin LOGIN CREATEROLE;
\c - erin
SELECT current_user;
CREATE ROLE frank LOGIN;
CREATE ROLE x SUPERUSER;
CREATE ROLE x REPLICATION;
ALTER ROLE frank CREATEDB;
ALTER ROLE carol PASSWORD 'y';
ALTER ROLE frank SUPERUSER;
ALTER ROLE erin PASSWORD 'mine';
SELECT rolname FROM pg_authid;
DROP ROLE carol;
DROP ROLE erin;
\c - frank
CREATE ROLE x;
ALTER ROLE frank PASSWORD 'mine';
ALTER ROLE frank CREATEDB;
DROP ROLE alice;
\c - erin
DROP ROLE frank;
\c - postgres
SELECT rolname, rolcreatedb FROM pg_roles WHERE rolname IN ('erin', 'frank') ORDER BY 1;
DROP ROLE alice, robert, carol, dave, erin;
SELECT count(*) FROM pg_roles WHERE rolname IN ('alice','robert','carol','dave','erin');
-- Roles that own objects or hold grants cannot be dropped; renamed ones keep them.
CREATE ROLE dd_a LOGIN;
CREATE ROLE dd_b LOGIN;
CREATE TABLE dd_t (id int);
GRANT SELECT ON dd_t TO dd_b;
DROP ROLE dd_b;
GRANT CREATE ON SCHEMA public TO dd_a;
\c - dd_a
CREATE TABLE dd_mine (id int);
\c - postgres
DROP ROLE dd_a;
ALTER ROLE dd_a RENAME TO dd_c;
SELECT relname, pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'dd_mine';
ALTER ROLE dd_b RENAME TO dd_d;
SELECT relacl FROM pg_class WHERE relname = 'dd_t';
SELECT nspacl FROM pg_namespace WHERE nspname = 'public';
REVOKE CREATE ON SCHEMA public FROM dd_c;
DROP TABLE dd_mine;
DROP ROLE dd_c;
REVOKE SELECT ON dd_t FROM dd_d;
DROP ROLE dd_d;
DROP TABLE dd_t;
