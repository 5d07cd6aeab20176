-- jsonb_set: keys and indexes (negative from the end), create_if_missing, missing intermediate keys, PostgreSQL's errors.
select jsonb_set('{"a":1}', '{b}', '2');
select jsonb_set('{"a":1,"b":{"c":[1,2,3]}}', '{b,c,1}', '"x"');
select jsonb_set('{"a":1}', '{b}', '2', false);
select jsonb_set('{"a":{"b":1}}', '{a,zz,q}', '5');
select jsonb_set('[1,2,3]', '{-1}', '9'), jsonb_set('[1,2,3]', '{10}', '9'), jsonb_set('[1,2,3]', '{-10}', '9');
select jsonb_set('[1,2,3]', '{x}', '9');
select jsonb_set('5', '{a}', '9');
select jsonb_set('{"a":1}', '{}', '9');
select jsonb_set('{"a":1}', '{b}', null);
select jsonb_set('{"aa":1,"b":2}'::jsonb, array['c'], '{"z":[true,null]}'::jsonb);
select jsonb_set('{"a":[{"b":1}]}', '{a,0,b}', '"deep"');
select jsonb_set('{"a":1}', array['b', null], '2');
select jsonb_set('{"a":{"b":1}}', array['a', null], '2');
-- jsonb_insert: a new element before (after, with insert_after) the one at the index, a missing key
-- added (an existing one is an error), past either end of an array at that end.
select jsonb_insert('{"a":[1,2]}', '{a,1}', '9');
select jsonb_insert('{"a":[1,2]}', '{a,1}', '9', true);
select jsonb_insert('{"a":[1,2]}', '{a,-1}', '9'), jsonb_insert('{"a":[1,2]}', '{a,-1}', '9', true);
select jsonb_insert('{"a":[1,2]}', '{a,5}', '9'), jsonb_insert('{"a":[1,2]}', '{a,-5}', '9');
select jsonb_insert('{"a":[]}', '{a,0}', '"x"'), jsonb_insert('{"a":1}', '{b}', '2');
select jsonb_insert('{"a":1}', '{a}', '2');
select jsonb_insert('{"a":{"b":[0]}}', '{a,b,0}', '{"c":1}', true);
select jsonb_insert('1', '{a}', '2');
select jsonb_insert('{"a":1}', '{x,y}', '2');
select jsonb_insert('[1,2,3]', '{1}', 'null');
select jsonb_set('[1,2,3]', '{1}', '7'), jsonb_set('[1,2,3]', '{5}', '7', false);
