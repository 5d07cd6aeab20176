-- psql's \du, \df, \db and \dp over Keel's catalogs (roles, functions, tablespaces, privileges); pg_size_pretty.
DROP TABLE IF EXISTS psl_a;
CREATE TABLE psl_a (id int PRIMARY KEY, v text);
\du
\df
\db
\dp psl_*
SELECT spcname, pg_tablespace_location(oid) FROM pg_tablespace ORDER BY 1;
SELECT rolname, rolvaliduntil, ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON m.roleid = b.oid WHERE m.member = r.oid) FROM pg_roles r WHERE rolname = current_user;
DROP TABLE psl_a;
SELECT pg_size_pretty(0::bigint), pg_size_pretty(1023::bigint), pg_size_pretty(10239::bigint), pg_size_pretty(10240::bigint), pg_size_pretty(10752::bigint), pg_size_pretty(123456789::bigint), pg_size_pretty(-123456789::bigint), pg_size_pretty(1099511627776::bigint), pg_size_pretty(9223372036854775807::bigint);
