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
SELECT count(*) FROM c;
DROP TABLE c;
