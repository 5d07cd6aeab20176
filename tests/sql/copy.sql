-- COPY FROM STDIN in text format.
DROP TABLE IF EXISTS c;
CREATE TABLE c (id int PRIMARY KEY, name text, note varchar(10), score float8);
COPY c FROM stdin;
1	alpha	first	1.5
2	beta	\N	2
3	tab\there	x\\y	-0.5
\.
COPY c (id, name) FROM STDIN WITH (FORMAT text, DELIMITER ',');
4,delta
5,\N
\.
SELECT * FROM c ORDER BY id;
COPY c FROM stdin;
6	bad
\.
\echo :LAST_ERROR_SQLSTATE
COPY c FROM stdin;
7	seven	x	1
7	again	y	2
\.
\echo :LAST_ERROR_SQLSTATE
-- The first line that fails is named: a key that has a row before a key repeated later...
COPY c FROM stdin;
8	eight	x	1
1	dup	y	2
8	again	z	3
\.
-- ... and a repeated key before a key that has a row.
COPY c FROM stdin;
9	nine	x	1
9	again	y	2
2	dup	z	3
\.
SELECT count(*) FROM c;
-- Inside a transaction, after a savepoint: the failed COPY leaves nothing, the rows before stay.
BEGIN;
INSERT INTO c (id, name) VALUES (10, 'ten');
SAVEPOINT s;
COPY c (id, name) FROM stdin;
11	eleven
10	again
\.
ROLLBACK TO SAVEPOINT s;
COPY c (id, name) FROM stdin;
11	eleven
12	twelve
\.
COMMIT;
SELECT id, name FROM c WHERE id >= 8 ORDER BY id;
DROP TABLE c;
-- Defaults are evaluated only for columns the input does not give: a serial's sequence advances
-- once per row that takes it.
CREATE TABLE cs (id serial PRIMARY KEY, v text, at int DEFAULT 7);
COPY cs (id, v) FROM stdin;
10	given
11	given
\.
COPY cs (v) FROM stdin;
from the sequence
\.
SELECT * FROM cs ORDER BY id;
SELECT nextval('cs_id_seq');
DROP TABLE cs;
