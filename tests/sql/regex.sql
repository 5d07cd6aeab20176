-- POSIX regular expression operators (~, ~*, !~, !~*, OPERATOR(pg_catalog.~), COLLATE default).
DROP TABLE IF EXISTS rx;
CREATE TABLE rx (id int PRIMARY KEY, s text);
INSERT INTO rx VALUES (1, 'apple'), (2, 'Banana'), (3, 'cherry pie'), (4, NULL), (5, 'a1b2c3'), (6, '');
SELECT id, s ~ '^a' AS starts_a, s ~* '^b' AS ci_b, s !~ 'e' AS no_e, s !~* 'AN' AS no_an FROM rx ORDER BY id;
SELECT id FROM rx WHERE s ~ '[0-9]' ORDER BY id;
SELECT id FROM rx WHERE s ~ '^(apple|cherry.*)$' ORDER BY id;
SELECT id FROM rx WHERE s ~ '\d\w' ORDER BY id;
SELECT id FROM rx WHERE s ~ '[[:upper:]]' ORDER BY id;
SELECT 'abc' ~ 'b', 'abc' ~ 'B', 'abc' ~* 'B', 'abc' !~ 'x', NULL ~ 'a', 'a' ~ NULL;
SELECT s FROM rx WHERE s OPERATOR(pg_catalog.~) '^(apple)$' COLLATE pg_catalog.default;
SELECT 1 ~ 'a';
EXPLAIN (COSTS OFF) SELECT id FROM rx WHERE s ~ 'x' OR s !~* 'y';
DROP TABLE rx;
