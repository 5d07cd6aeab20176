-- The system catalogs and views themselves, as pg_class and pg_attribute list them (psql's \dS,
-- \d pg_catalog.X), their OIDs as regclass, their privileges (readable by PUBLIC except those
-- holding secrets or the server's files) and information_schema's visibility.
DROP ROLE IF EXISTS sysrel_reader;
CREATE ROLE sysrel_reader;
\dv pg_stat_user*
\dt pg_catalog.pg_sh*
\dv pg_catalog.pg_stat_progress_b*
\d pg_stat_user_tables
\d pg_locks
\d pg_cursors
\d pg_tables
SELECT relname, relkind, relnatts, relisshared, relowner::regrole, relacl
  FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace
   AND relname IN ('pg_class', 'pg_authid', 'pg_database', 'pg_roles', 'pg_stat_activity', 'pg_hba_file_rules')
 ORDER BY relname;
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'information_schema' AND c.relname IN ('tables', 'columns', 'schemata') ORDER BY 1;
SELECT attnum, attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'pg_namespace'::regclass AND attnum BETWEEN 1 AND 3 ORDER BY attnum;
SELECT attnum, attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'pg_catalog.pg_stats_ext'::regclass AND attnum <= 5 AND attnum > 0 ORDER BY attnum;
SELECT 'pg_stat_activity'::regclass::oid > 0 AS has_oid,
       'pg_stat_activity'::regclass = (SELECT oid FROM pg_class WHERE relname = 'pg_stat_activity') AS same,
       'information_schema.tables'::regclass AS qualified;
SELECT pg_table_is_visible('pg_class'::regclass) AS pg_class,
       pg_table_is_visible('information_schema.tables'::regclass) AS tables;
SET search_path = public, information_schema;
SELECT pg_table_is_visible('information_schema.tables'::regclass) AS tables_on_path;
RESET search_path;
SELECT count(*) FROM pg_stats_ext;
SELECT count(*) FROM pg_stats_ext_exprs;
SELECT count(*) FROM pg_stat_user_functions;
\d pg_stat_database_conflicts
\d pg_stat_gssapi
SELECT datname = current_database() AS ours, confl_tablespace, confl_lock, confl_snapshot, confl_bufferpin, confl_deadlock
  FROM pg_stat_database_conflicts WHERE datname = current_database();
SELECT gss_authenticated, principal, encrypted FROM pg_stat_gssapi WHERE pid = pg_backend_pid();
SELECT objoid::regclass, initprivs FROM pg_init_privs
 WHERE objoid IN ('pg_authid'::regclass, 'pg_class'::regclass, 'pg_settings'::regclass) ORDER BY 1;
SELECT has_table_privilege('sysrel_reader', 'pg_class', 'SELECT') AS pg_class,
       has_table_privilege('sysrel_reader', 'pg_hba_file_rules', 'SELECT') AS hba,
       has_table_privilege('sysrel_reader', 'pg_largeobject', 'SELECT') AS largeobject;
SET ROLE sysrel_reader;
SELECT count(*) > 0 AS some FROM pg_class;
SELECT * FROM pg_hba_file_rules;
SELECT * FROM pg_authid;
RESET ROLE;
DROP ROLE sysrel_reader;
