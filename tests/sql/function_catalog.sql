-- pg_proc, regproc / regprocedure, has_function_privilege, information_schema.routines and
-- parameters, and psql's \df for built-in functions Keel and PostgreSQL both have.
-- A quoted function name is the name itself.
SELECT "lower"('ABC'), pg_catalog."upper"('abc');
-- regproc: a function by name; regprocedure: by name and argument types.
SELECT 'now'::regproc, 'now'::regproc::oid, 1299::regproc, 0::regproc, '-'::regproc, 'pg_catalog.now'::regproc;
SELECT 'lower(text)'::regprocedure, 'lower(text)'::regprocedure::oid, 'pg_catalog.substr(text, int)'::regprocedure;
SELECT 'substring(text,integer,integer)'::regprocedure::oid, 'concat("any")'::regprocedure, 'pg_catalog.concat_ws(text, "any")'::regprocedure;
SELECT 'to_char(timestamp with time zone, text)'::regprocedure, 'round(numeric(10,2), int4)'::regprocedure;
SELECT 1299::regprocedure, 870::regprocedure::text, 'now'::regproc::regprocedure;
SELECT 'foo'::regproc;
SELECT 'foo(int)'::regprocedure;
SELECT 'lower'::regprocedure;
SELECT 'lower(text'::regprocedure;
SELECT 'lower(text)'::regproc;
-- A computed text is looked up when the statement runs, with the same errors.
SELECT x::regproc, x::regproc::oid FROM (VALUES ('now'), ('pg_catalog.' || 'pg_backend_pid'), (NULL)) v(x);
SELECT x::regprocedure FROM (VALUES ('abs(integer)'), ('lower(text)'), ('abs(' || 'bigint)')) v(x);
SELECT x::regproc FROM (VALUES ('now'), ('abs')) v(x);
SELECT ('no_such' || 'fn')::regproc;
SELECT ('sqrt' || '(float8)')::regproc;
SELECT ('abs' || '')::regprocedure;
SELECT 'now()'::regprocedure = 'now'::regproc, pg_typeof('now'::regproc), pg_typeof('now()'::regprocedure);
SELECT proname, oid::regprocedure FROM pg_proc WHERE proname IN ('concat', 'concat_ws', 'pg_terminate_backend', 'array_agg') ORDER BY oid;
SELECT proname, prokind, proretset, provolatile, proisstrict, pronargs, pronargdefaults, prorettype::regtype, proargtypes, provariadic::regtype, proargnames, prosrc
  FROM pg_proc WHERE oid IN ('now'::regproc, 'generate_series(int, int)'::regprocedure, 'pg_terminate_backend'::regproc, 'row_number'::regproc, 'concat_ws'::regproc) ORDER BY oid;
SELECT p.proname, l.lanname, n.nspname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = 'now'::regproc;
SELECT pg_get_function_arguments('pg_terminate_backend'::regproc), pg_get_function_identity_arguments('pg_terminate_backend'::regproc), pg_get_function_result('generate_series(int, int)'::regprocedure), pg_get_function_result(1);
SELECT obj_description('now'::regproc, 'pg_proc'), d.description FROM pg_description d WHERE d.objoid = 'now'::regproc AND d.classoid = 'pg_proc'::regclass;
-- has_function_privilege: EXECUTE is PUBLIC's on every built-in function.
SELECT has_function_privilege('lower(text)', 'execute'), has_function_privilege('now()', 'EXECUTE WITH GRANT OPTION'), has_function_privilege('postgres', 'now()', 'execute');
SELECT has_function_privilege('now'::regproc, 'execute'), has_function_privilege(1, 'execute');
SELECT has_function_privilege('foo()', 'execute');
SELECT has_function_privilege('lower(text)', 'usage');
SELECT has_function_privilege('now', 'execute');
SELECT has_function_privilege('nobody', 'now()', 'execute');
-- pg_typeof gives a regtype.
DROP TYPE IF EXISTS fc_mood;
CREATE TYPE fc_mood AS ENUM ('a', 'b');
SELECT pg_typeof(NULL), pg_typeof(1.5::numeric(10,2)), pg_typeof(row(1,2)), pg_typeof('a'::fc_mood), pg_typeof('a'::varchar(3)), pg_typeof(array[1]), pg_typeof(now());
SELECT pg_typeof(pg_typeof(1)), pg_typeof(1)::text = 'integer', pg_typeof(1) = 'integer'::regtype, pg_typeof('x'), pg_typeof(array['a'::fc_mood]), pg_typeof('now'::regproc);
SELECT pg_typeof(x), format('%s', pg_typeof(x)), pg_typeof(x) || '!' FROM (VALUES (1), (2)) v(x);
DROP TYPE fc_mood;
-- information_schema
SELECT routine_name, routine_type, data_type, type_udt_name, routine_body, external_language, is_deterministic, security_type
  FROM information_schema.routines WHERE specific_name IN ('now_1299', 'btrim_885', 'count_2147', 'concat_ws_3059', 'string_to_array_376') ORDER BY 1, 3;
SELECT specific_name, ordinal_position, parameter_mode, parameter_name, data_type, udt_name
  FROM information_schema.parameters WHERE specific_name IN ('pg_terminate_backend_2096', 'concat_ws_3059', 'array_position_3277') ORDER BY 1, 2;
-- psql
\df
\df now
\df+ pg_catalog.now
\df concat*
\df pg_terminate_backend
\dfa count
\dfw row_number
\df pg_catalog.to_timestamp
\df json_each*
SELECT proname, proallargtypes, proargmodes, proargnames FROM pg_proc WHERE proname IN ('json_each', 'concat_ws') ORDER BY oid;
SELECT specific_name, ordinal_position, parameter_mode, parameter_name, data_type
  FROM information_schema.parameters WHERE specific_name LIKE 'jsonb_each_text%' ORDER BY 2;
-- The errors' SQLSTATEs.
\set VERBOSITY sqlstate
SELECT 'foo'::regproc;
SELECT 'foo(int)'::regprocedure;
SELECT 'lower'::regprocedure;
SELECT 'lower(text'::regprocedure;
SELECT has_function_privilege('foo()', 'execute');
SELECT has_function_privilege('lower(text)', 'usage');
SELECT has_function_privilege('nobody', 'now()', 'execute');
\set VERBOSITY default
-- regoper and regoperator exist (psql's \dAo casts to them); OID 0 reads as 0.
SELECT 0::regoper AS oper, 0::regoperator AS operator, pg_typeof(0::regoper), pg_typeof(0::regoperator);
