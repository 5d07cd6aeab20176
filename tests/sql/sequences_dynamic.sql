-- Sequences named at run time: setval(pg_get_serial_sequence(...), max(id)) as data loaders reset
-- serial columns, nextval/currval by a text or an OID expression, unknown names.
DROP TABLE IF EXISTS sd_t;
CREATE TABLE sd_t (id serial PRIMARY KEY, v text);
INSERT INTO sd_t VALUES (10, 'a'), (20, 'b');
SELECT setval(pg_get_serial_sequence('sd_t', 'id'), coalesce(max(id), 1)) FROM sd_t;
INSERT INTO sd_t (v) VALUES ('c') RETURNING id;
SELECT nextval(pg_get_serial_sequence('sd_t', 'id')), currval(pg_get_serial_sequence('sd_t', 'id'));
SELECT setval(pg_get_serial_sequence('sd_t', 'id'), (SELECT max(id) FROM sd_t) + 100, false);
INSERT INTO sd_t (v) VALUES ('d') RETURNING id;
SELECT nextval(s) FROM (VALUES ('sd_t_id_seq'), ('public.sd_t_id_seq')) AS x(s);
SELECT nextval('sd_t_id_seq'::regclass::oid);
SELECT nextval(s) FROM (VALUES ('nope')) AS x(s);
SELECT nextval(NULL::text);
DROP TABLE sd_t;
