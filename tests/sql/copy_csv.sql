-- COPY FROM STDIN in CSV: quoting, embedded delimiters and newlines, HEADER, NULL, QUOTE/ESCAPE;
-- numeric(p,s) columns round what they are given.
DROP TABLE IF EXISTS cc;
CREATE TABLE cc (id int PRIMARY KEY, name text, price numeric(8,2), note varchar(20));
COPY cc FROM STDIN WITH (FORMAT csv, HEADER);
id,name,price,note
1,plain,1.5,x
2,"with, comma",2.345,
3,"quoted ""word""",-0.005,""
4,"two
lines",1234.5,"y"
\.
SELECT id, name, price, note, note IS NULL AS null_note FROM cc ORDER BY id;
COPY cc (id, name) FROM STDIN WITH (FORMAT csv, DELIMITER '|', NULL 'NA');
5|NA
6|'six'
\.
COPY cc (id, name, note) FROM STDIN WITH (FORMAT csv, QUOTE '''', ESCAPE '\');
7,'it\'s',z
\.
SELECT id, name, note FROM cc WHERE id >= 5 ORDER BY id;
COPY cc FROM STDIN WITH (FORMAT csv);
8,big,123456.789,n
\.
COPY cc FROM STDIN WITH (FORMAT csv);
9,overflow,1234567.0,n
\.
COPY cc FROM STDIN WITH (FORMAT csv);
10,short
\.
COPY cc FROM STDIN WITH (FORMAT text, HEADER);
\.
SELECT count(*), sum(price) FROM cc;
-- Plain lines beside quoted records that span lines; unquoted empty fields are NULL, quoted
-- ones empty strings; the line named in an error counts lines, not records.
COPY cc (id, name, note) FROM STDIN WITH (FORMAT csv);
11,eleven,
12,"twelve
spans, lines",""
13,,"x"
14,"a ""q""",n
\.
SELECT id, name, note, name IS NULL AS null_name, note IS NULL AS null_note FROM cc WHERE id > 10 ORDER BY id;
COPY cc (id, name, note) FROM STDIN WITH (FORMAT csv);
15,ok,n
16,"multi
line",n
x17,bad,n
\.
COPY cc (id, name) FROM STDIN WITH (FORMAT csv, DELIMITER '|');
18|pipe, with comma|
\.
SELECT count(*) FROM cc WHERE id > 14;
DROP TABLE IF EXISTS nm;
CREATE TABLE nm (a numeric(5,2), b numeric(3), c numeric(10,4));
INSERT INTO nm VALUES (1.005, 2.5, 3.14159), (-1.005, -2.5, 0), (999.994, 999, 123456.7891);
INSERT INTO nm VALUES (999.995, 1, 1);
INSERT INTO nm VALUES (1, 1000, 1);
SELECT a, b, c, a + b, a * 2, c / 3 FROM nm ORDER BY a;
UPDATE nm SET a = a / 3 WHERE b = 3;
UPDATE nm SET a = 0.125 WHERE b = -3;
SELECT a, b FROM nm ORDER BY a;
CREATE TABLE nm_small (x numeric(3, 5));
INSERT INTO nm_small VALUES (0.001234), (0.00999);
INSERT INTO nm_small VALUES (0.01);
SELECT x FROM nm_small ORDER BY x;
DROP TABLE nm_small;
DROP TABLE IF EXISTS cc2;
CREATE TABLE cc2 (id int PRIMARY KEY, name text, note varchar(20));
-- Quotes in the middle of a field, doubled quotes, an escape character that escapes nothing,
-- a quoted NULL string (a value), a field that is only a quoted delimiter.
COPY cc2 FROM STDIN WITH (FORMAT csv, NULL 'NA');
19,ab"c,d"e,"NA"
20,"x""y",NA
21,"a\b",","
22,"",
\.
COPY cc2 FROM STDIN WITH (FORMAT csv);
23,x"""y"
\.
COPY cc2 FROM STDIN WITH (FORMAT csv, ESCAPE '\');
24,"q\"q\\\x",""
\.
SELECT id, name, note, name IS NULL AS null_name, note IS NULL AS null_note FROM cc2 ORDER BY id;
COPY cc2 FROM STDIN WITH (FORMAT csv, DELIMITER 'é');
COPY cc2 FROM STDIN WITH (FORMAT csv, QUOTE 'ä');
DROP TABLE cc2;
