-- psql's \du, \df, \db and \dp over Keel's catalogs (roles, functions, tablespaces, privileges).
DROP TABLE IF EXISTS psl_a;
CREATE TABLE psl_a (id int PRIMARY KEY, v text);
\du
\df
\db
\dp psl_*
SELECT spcname, pg_tablespace_location(oid) FROM pg_tablespace ORDER BY 1;
SELECT rolname, rolvaliduntil, ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON m.roleid = b.oid WHERE m.member = r.oid) FROM pg_roles r WHERE rolname = current_user;
DROP TABLE psl_a;
