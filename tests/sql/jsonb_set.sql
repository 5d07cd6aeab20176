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
