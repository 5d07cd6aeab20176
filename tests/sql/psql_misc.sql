-- psql's \x and \copy, information_schema.table_privileges / role_table_grants / routines.
SET client_min_messages = warning;
DROP TABLE IF EXISTS px_g;
DROP ROLE IF EXISTS px_r;
RESET client_min_messages;
DROP TABLE IF EXISTS px_t;
CREATE TABLE px_t (id int PRIMARY KEY, v text);
INSERT INTO px_t VALUES (1, 'a'), (2, 'b');
\x
SELECT * FROM px_t ORDER BY id;
\x
\copy (SELECT * FROM px_t ORDER BY id) TO STDOUT
\copy (SELECT id * 10, v FROM px_t ORDER BY 1) TO STDOUT WITH (FORMAT csv, HEADER)
SELECT table_name, privilege_type, grantee FROM information_schema.table_privileges WHERE table_name = 'px_t' ORDER BY 2;
SELECT routine_name FROM information_schema.routines WHERE routine_schema = 'public';
DROP TABLE px_t;
CREATE ROLE px_r LOGIN;
CREATE TABLE px_g (id int);
GRANT SELECT, UPDATE ON px_g TO px_r WITH GRANT OPTION;
GRANT INSERT ON px_g TO PUBLIC;
SELECT grantor, grantee, table_name, privilege_type, is_grantable, with_hierarchy FROM information_schema.table_privileges WHERE table_name = 'px_g' ORDER BY 2, 4;
SELECT grantor, grantee, privilege_type FROM information_schema.role_table_grants WHERE table_name = 'px_g' ORDER BY 2, 3;
\c - px_r
SELECT grantor, grantee, privilege_type, is_grantable FROM information_schema.table_privileges WHERE table_name = 'px_g' ORDER BY 2, 3;
\c - postgres
DROP TABLE px_g;
DROP ROLE px_r;
