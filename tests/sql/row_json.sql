-- Whole-row references as JSON: row_to_json(t), to_json(t), to_jsonb(t), json_agg(t),
-- jsonb_agg(t), over tables, subqueries (PostgREST's shape), joins and correlated subqueries.
DROP TABLE IF EXISTS rj_orders;
DROP TABLE IF EXISTS rj_people;
CREATE TABLE rj_people (id int PRIMARY KEY, name text, born date, score numeric, tags text[], meta jsonb, ok boolean);
INSERT INTO rj_people VALUES (1, 'Ann', '1990-02-03', 1.50, '{a,b}', '{"k": [1, 2]}', true),
  (2, 'Bob "B"', NULL, NULL, NULL, NULL, NULL);
CREATE TABLE rj_orders (id int PRIMARY KEY, person int, total real, at timestamp);
INSERT INTO rj_orders VALUES (10, 1, 9.5, '2024-01-02 03:04:05'), (11, 1, 0.1, NULL), (12, 2, 3, '2024-05-06 07:08:09.5');
SELECT row_to_json(p) FROM rj_people p ORDER BY id;
SELECT to_json(p), to_jsonb(p) FROM rj_people p ORDER BY id;
SELECT json_agg(p ORDER BY p.id) FROM rj_people p;
SELECT json_agg(tags ORDER BY id), json_agg(id ORDER BY id) FROM rj_people;
SELECT jsonb_agg(o ORDER BY o.id) FROM rj_orders o;
SELECT coalesce(json_agg(t), '[]') FROM (SELECT id, name FROM rj_people ORDER BY id) t;
SELECT coalesce(json_agg(t), '[]') FROM (SELECT id FROM rj_people WHERE false) t;
SELECT p.name, (SELECT json_agg(o ORDER BY o.id) FROM rj_orders o WHERE o.person = p.id) AS orders
  FROM rj_people p ORDER BY p.id;
SELECT row_to_json(x) FROM (SELECT p.name, o.total FROM rj_people p JOIN rj_orders o ON o.person = p.id) x
  ORDER BY x.total;
SELECT row_to_json(rj_people) FROM rj_people ORDER BY id;
SELECT row_to_json(xyzzy) FROM rj_people;
SELECT row_to_json(1);
-- t.* as an argument is the whole row, as t.
SELECT to_jsonb(p.*) - 'meta' FROM rj_people p ORDER BY id;
SELECT row_to_json(rj_people.*) FROM rj_people WHERE id = 1;
SELECT json_agg(o.* ORDER BY o.id DESC) FROM rj_orders o;
DROP TABLE rj_orders;
DROP TABLE rj_people;
