-- json and jsonb: input (normalization for jsonb, kept as written for json), ->, ->>, #>, #>>, @>, <@,
-- ?, ?|, ?&, ||, -, #-, casts, typeof, array_length, build_object/array, to_json, jsonb_pretty, errors.
DROP TABLE IF EXISTS js;
CREATE TABLE js (id int PRIMARY KEY, j json, b jsonb);
INSERT INTO js VALUES
 (1, '{"a": 1, "b": [1, 2, {"c": "x"}], "a": 2}', '{"a": 1, "b": [1, 2, {"c": "x"}], "a": 2}'),
 (2, '[1, "two", null, true, 1.50, 1e2]', '[1, "two", null, true, 1.50, 1e2]'),
 (3, '"just a string"', '"just a string"'),
 (4, '  {"nested": {"deep": {"k": [10, 20]}}, "empty": {}, "arr": []} ', '  {"nested": {"deep": {"k": [10, 20]}}, "empty": {}, "arr": []} '),
 (5, NULL, NULL),
 (6, '{"quote": "a\"b\\c\n", "uni": "\u00e9"}', '{"quote": "a\"b\\c\n", "uni": "\u00e9"}');
SELECT id, j, b FROM js ORDER BY id;
SELECT id, j -> 'a', b -> 'a', j ->> 'b', b ->> 'b', b -> 'zz' FROM js ORDER BY id;
SELECT id, j -> 1, b -> 1, b ->> 1, b -> -1, j ->> 4 FROM js WHERE id = 2;
SELECT b #> '{nested,deep,k,1}', b #>> '{nested,deep}', j #> '{nested,deep}', b #> '{nested,missing}' FROM js WHERE id = 4;
SELECT id FROM js WHERE b @> '{"b": [2]}' ORDER BY id;
SELECT id FROM js WHERE b @> '[1, true]' ORDER BY id;
SELECT '{"a": 1}'::jsonb <@ '{"a": 1, "b": 2}', b ? 'a', b ?| '{x,a}', b ?& '{a,b}', b ?& '{a,zz}' FROM js WHERE id = 1;
SELECT id, jsonb_typeof(b), json_typeof(j) FROM js ORDER BY id;
SELECT jsonb_array_length(b), json_array_length(j) FROM js WHERE id = 2;
SELECT jsonb_array_length(b) FROM js WHERE id = 1;
SELECT jsonb_build_object('a', 1, 'b', 'text', 'c', NULL, 'd', true, 'e', 1.5::numeric, 'f', '{"x": 1}'::jsonb);
SELECT json_build_object('a', 1, 'b', 'text', 'c', NULL), json_build_array(1, 'x', NULL, false);
SELECT jsonb_build_array(1, 'x', NULL, false, '[1]'::jsonb), to_jsonb('text'::text), to_json(42), to_jsonb(true), to_json(1.25::float8);
SELECT to_jsonb('2024-01-02 03:04:05'::timestamp), to_json('2024-01-02'::date);
SELECT '{"a": 1, "b": 2}'::jsonb || '{"b": 3, "c": 4}', '[1, 2]'::jsonb || '[3]', '[1]'::jsonb || '"x"', '{"a": 1, "b": 2}'::jsonb - 'a', '[1, 2, 3]'::jsonb - 1, '["a", "b", "a"]'::jsonb - 'a';
SELECT '{"a": {"b": 1, "c": 2}}'::jsonb #- '{a,b}', '[1, [2, 3]]'::jsonb #- '{1,0}';
SELECT ('{"n": 42}'::jsonb -> 'n')::int + 1, ('{"n": 1.5}'::jsonb -> 'n')::numeric, ('{"t": true}'::jsonb -> 't')::boolean;
SELECT ('{"s": "x"}'::jsonb -> 's')::int;
SELECT '{"b": 1, "a": 2}'::jsonb = '{"a": 2, "b": 1}'::jsonb, '{"a":1}'::json::jsonb, '{"b": 1, "a": 2}'::jsonb::json::text;
SELECT jsonb_pretty('{"a": [1, {"b": null}], "c": {}}');
SELECT count(*), b ->> 'a' FROM js WHERE b ? 'a' GROUP BY b ->> 'a';
SELECT '{"a": 1'::jsonb;
SELECT '[1, 2,]'::json;
SELECT j @> '{}' FROM js;
SELECT 1 -> 'a';
DROP TABLE js;
SELECT '{"a" 1}'::json;
SELECT '{"a": 1 "b": 2}'::jsonb;
SELECT '{1: 2}'::jsonb;
SELECT '[1 2]'::jsonb;
SELECT '1 2'::jsonb;
SELECT 'nul'::jsonb;
SELECT '{}'::jsonb, '[]'::jsonb, 'null'::jsonb, '-0.0'::jsonb, '1E-2'::jsonb, '""'::jsonb;
