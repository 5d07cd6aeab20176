-- pg_settings describes each setting as PostgreSQL 15 does (type, unit, category, descriptions,
-- context, range, enum values), shows a memory or time setting in its unit, and says where a
-- value came from; is_superuser and session_authorization are left out, as in PostgreSQL.
SELECT name, unit, category, short_desc, extra_desc, context, vartype, min_val, max_val, enumvals FROM pg_settings
WHERE name IN ('work_mem', 'statement_timeout', 'tcp_keepalives_idle', 'DateStyle', 'TimeZone', 'bytea_output', 'extra_float_digits', 'hash_mem_multiplier', 'transaction_isolation', 'enable_seqscan', 'search_path', 'max_connections', 'block_size') ORDER BY name;
SET work_mem = '64MB';
SET statement_timeout = '1min';
SET lock_timeout = 2500;
SELECT name, setting, unit, source, boot_val, reset_val, sourcefile, sourceline, pending_restart FROM pg_settings WHERE name IN ('work_mem', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'enable_seqscan') ORDER BY name;
SELECT count(*) FROM pg_settings WHERE name IN ('is_superuser', 'session_authorization');
SELECT setting::int * 1024 AS work_mem_bytes FROM pg_settings WHERE name = 'work_mem';
SELECT vartype, count(*) > 0 FROM pg_settings WHERE name IN ('work_mem','geqo','DateStyle','bytea_output','hash_mem_multiplier') GROUP BY vartype ORDER BY vartype;
-- Boolean settings take what boolean input takes (prefixes of true/false/yes/no, on, of[f],
-- 1, 0) and show on or off; anything else is 22023.
SET enable_seqscan = true;
SHOW enable_seqscan;
SET jit = 'of';
SHOW jit;
SET row_security = 1;
SHOW row_security;
SET geqo = 'Ye';
SHOW geqo;
SET track_wal_io_timing = 'maybe';
SET geqo = 'o';
SET transaction_read_only = 'n';
SHOW transaction_read_only;
SELECT current_setting('no_such_setting', 'tr') IS NULL AS missing_ok;
SELECT 'tr'::bool, 'FA'::bool, 'ye'::bool, 'of'::bool, ' 1 '::bool;
SELECT 'o'::bool;
SELECT name, setting, vartype, context FROM pg_settings WHERE name = 'track_wal_io_timing';
RESET ALL;
