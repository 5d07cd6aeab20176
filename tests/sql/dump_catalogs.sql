-- Catalog pieces pg_dump reads: the system column tableoid (selectable, not in *), catalogs of
-- objects a database without them has none of, acldefault, regnamespace.
DROP TABLE IF EXISTS dc_t;
CREATE TABLE dc_t (id int PRIMARY KEY, v text);
SELECT c.tableoid::regclass AS catalog, c.relname, c.relkind FROM pg_class c WHERE c.relname IN ('dc_t', 'dc_t_pkey') ORDER BY 2;
SELECT n.tableoid = 'pg_namespace'::regclass AS is_namespace, n.nspname FROM pg_namespace n WHERE n.nspname = 'public';
SELECT count(*) FROM (SELECT * FROM pg_class WHERE relname = 'dc_t') s;
SELECT a.attname, a.attalign, a.attbyval, a.attislocal, a.attinhcount FROM pg_attribute a WHERE a.attrelid = 'dc_t'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT t.typname, t.typstorage, t.typalign, t.typacl FROM pg_type t WHERE t.typname IN ('int4', 'int8', 'text', 'bool', '_int4') ORDER BY 1;
SELECT i.indisready, i.indislive, i.indcheckxmin, i.indisexclusion FROM pg_index i WHERE i.indrelid = 'dc_t'::regclass;
SELECT acldefault('r', c.relowner) AS r, acldefault(CASE WHEN c.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner) AS by_kind
FROM pg_class c WHERE c.relname = 'dc_t';
SELECT 'public'::regnamespace::oid::int AS public_oid, '"public"'::regnamespace::oid::int AS quoted;
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'dc_t'::regclass;
SELECT count(*) FROM pg_policy WHERE polrelid = 'dc_t'::regclass;
SELECT count(*) FROM pg_init_privs WHERE objoid >= 16384;
SELECT count(*) FROM pg_seclabels;
SELECT count(*) FROM pg_publication;
SELECT count(*) FROM pg_subscription;
SELECT count(*) FROM pg_largeobject_metadata;
SELECT count(*) FROM pg_event_trigger;
SELECT count(*) FROM pg_default_acl;
SELECT count(*) FROM pg_foreign_server;
SELECT count(*) FROM pg_partitioned_table;
SELECT count(*) FROM pg_transform;
SELECT c.relfrozenxid IS NOT NULL AS frozen, c.relminmxid IS NOT NULL AS minmxid, c.relispopulated, c.relisshared, c.relhassubclass
FROM pg_class c WHERE c.relname = 'dc_t';
SELECT count(*) FROM pg_proc p LEFT JOIN pg_init_privs pip ON (p.oid = pip.objoid AND pip.classoid = 'pg_proc'::regclass)
WHERE p.pronamespace <> 'pg_catalog'::regnamespace AND p.pronamespace <> 'information_schema'::regnamespace AND p.proacl IS DISTINCT FROM pip.initprivs;
SELECT pg_is_in_recovery();
SET synchronize_seqscans = off;
DROP TABLE dc_t;
-- Predefined roles: pg_dump maps every owner OID (the public schema's is pg_database_owner).
SELECT oid::int, rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname LIKE 'pg\_%' ORDER BY oid;
SELECT r.rolname AS role, m.rolname AS member FROM pg_auth_members a
JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE r.rolname LIKE 'pg\_%' ORDER BY 1, 2;
SELECT n.nspname, r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'public';
CREATE ROLE pg_mine;
-- A name column takes a subscript: one character, 0-based; NULL past the name's 64 bytes.
SELECT typname, typname[0] AS first, typname[1] AS second, typname[0] = '_' AND typelem <> 0 AS isarray,
  typname[63] = '' AS padded, typname[64] IS NULL AS past
FROM pg_type WHERE typname IN ('_int4', 'int4') ORDER BY 1;
CREATE TABLE dc_name (a int);
SELECT relname[3] AS fourth, attname[0] FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 WHERE relname = 'dc_name';
DROP TABLE dc_name;
SELECT 'abc'::text[0];
-- regproc: a handler's OID, printed as its name.
SELECT 330::regproc AS btree_handler;
SELECT amname, amhandler::pg_catalog.regproc AS handler FROM pg_am WHERE amname IN ('heap', 'btree', 'hash') ORDER BY 1;
-- pg_options_to_table splits each option at its first '='.
SELECT * FROM pg_options_to_table(ARRAY['fillfactor=70', 'a=b=c', 'bare']);
SELECT count(*) FROM pg_options_to_table(NULL);
SELECT array_to_string(ARRAY(SELECT quote_ident(option_name) || ' ' || quote_literal(option_value)
  FROM pg_options_to_table(ARRAY['x=1','y=two']) ORDER BY option_name), ', ') AS srvoptions;
