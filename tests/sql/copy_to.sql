-- COPY ... TO STDOUT: table and query forms, text and CSV (HEADER, DELIMITER, NULL, QUOTE, ESCAPE,
-- FORCE_QUOTE), PostgreSQL's escaping and quoting, and errors.
DROP TABLE IF EXISTS cp_t, cp_one;
CREATE TABLE cp_t (id int PRIMARY KEY, s text, n numeric(6,2), d date, b boolean);
INSERT INTO cp_t VALUES (1, 'plain', 1.5, '2024-01-02', true), (2, E'tab\there', NULL, NULL, false), (3, E'line\nbreak\\slash', -2, '1999-12-31', NULL), (4, '', 0, '2000-02-29', true), (5, 'say "hi", ok', 3.25, NULL, NULL), (6, NULL, NULL, NULL, NULL);
CREATE TABLE cp_one (id int, s text, t timestamp);
INSERT INTO cp_one VALUES (7, E'a|b\tc', '2024-05-06 07:08:09.5');
COPY cp_one TO STDOUT;
COPY cp_one (s, id) TO STDOUT;
COPY cp_one TO STDOUT WITH (FORMAT csv, HEADER);
COPY cp_one TO STDOUT WITH (DELIMITER '|', HEADER);
COPY public.cp_one TO stdout;
COPY (SELECT * FROM cp_t ORDER BY id) TO STDOUT;
COPY (SELECT id, s FROM cp_t ORDER BY id) TO STDOUT WITH (FORMAT csv);
COPY (SELECT * FROM cp_t ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER);
COPY (SELECT s, id FROM cp_t ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL 'NULL');
COPY (SELECT * FROM cp_t ORDER BY id) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE (s, d));
COPY (SELECT * FROM cp_t ORDER BY id) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *, QUOTE '''', ESCAPE '\');
COPY (SELECT * FROM cp_t ORDER BY id) TO STDOUT WITH (DELIMITER '|', NULL '');
COPY (SELECT id, s FROM cp_t WHERE id > 3 ORDER BY id DESC) TO STDOUT;
COPY (SELECT count(*), sum(n) FROM cp_t) TO STDOUT WITH (FORMAT csv, HEADER);
COPY (VALUES (1, 'a'), (2, 'b')) TO STDOUT;
COPY (SELECT * FROM cp_t ORDER BY id) TO STDOUT WITH (HEADER);
COPY cp_t (zz) TO STDOUT;
COPY nope TO STDOUT;
COPY cp_one TO STDOUT WITH (FORMAT csv, FORCE_QUOTE (zz));
COPY (SELECT id FROM cp_t) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE (zz));
COPY (SELECT zz FROM cp_t) TO STDOUT;
DROP TABLE cp_t, cp_one;
