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
