-- current_setting, set_config and pg_settings: read and change settings from SQL, as SET and SHOW do.
SELECT current_setting('DateStyle'), current_setting('search_path'), current_setting('nope', true) IS NULL AS missing;
SELECT current_setting('nope');
SELECT set_config('application_name', 'from sql', false);
SHOW application_name;
SELECT current_setting('application_name');
SELECT set_config('nope', 'x', false);
SELECT set_config('my.custom', 'value', false);
SELECT current_setting('my.custom');
SET client_encoding = 'utf-8';
SHOW client_encoding;
RESET application_name;
SELECT name, setting FROM pg_settings WHERE name IN ('DateStyle', 'TimeZone', 'max_index_keys', 'integer_datetimes', 'block_size', 'application_name') ORDER BY 1;
-- current_setting of a computed name, per row (psql's \dconfig reads pg_settings so).
\dconfig work*
\dconfig *style*
SELECT x, current_setting(x, true) FROM (VALUES ('WORK_MEM'), ('no_such'), (NULL)) v(x) ORDER BY 1;
SELECT current_setting(x) FROM (VALUES ('work_mem'), ('no_such.x')) v(x);
