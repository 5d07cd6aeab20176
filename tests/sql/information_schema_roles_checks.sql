-- information_schema.check_constraints (CHECKs and NOT NULL columns), enabled_roles and
-- applicable_roles, as a superuser and as a role with memberships.
DROP TABLE IF EXISTS iscc_t;
DROP ROLE IF EXISTS iscc_member;
DROP ROLE IF EXISTS iscc_group;
DROP ROLE IF EXISTS iscc_admin;
CREATE TABLE iscc_t (id int PRIMARY KEY, qty int NOT NULL CHECK (qty > 0), price numeric CONSTRAINT iscc_price_ok CHECK (price >= 0 AND price < 1000), note text);
SELECT constraint_catalog, constraint_schema, constraint_name, check_clause
  FROM information_schema.check_constraints
 WHERE constraint_schema = 'public' AND constraint_name LIKE 'iscc%' ORDER BY constraint_name;
SELECT check_clause FROM information_schema.check_constraints
 WHERE constraint_name LIKE '%not_null' AND constraint_name LIKE '%' || 'iscc_t'::regclass::oid || '%' ORDER BY 1;
CREATE ROLE iscc_group;
CREATE ROLE iscc_admin;
CREATE ROLE iscc_member LOGIN;
GRANT iscc_group TO iscc_member;
GRANT iscc_admin TO iscc_member WITH ADMIN OPTION;
SELECT * FROM information_schema.applicable_roles WHERE grantee LIKE 'iscc%' OR role_name = 'pg_database_owner' ORDER BY 1, 2;
SELECT role_name FROM information_schema.enabled_roles WHERE role_name LIKE 'iscc%' ORDER BY 1;
SET ROLE iscc_member;
SELECT * FROM information_schema.enabled_roles ORDER BY 1;
SELECT * FROM information_schema.applicable_roles ORDER BY 1, 2;
RESET ROLE;
DROP ROLE iscc_member;
DROP ROLE iscc_group;
DROP ROLE iscc_admin;
DROP TABLE iscc_t;
