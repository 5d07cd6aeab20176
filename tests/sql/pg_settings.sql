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
