-- Tables, types, constraints, INSERT/UPDATE/DELETE with RETURNING.
DROP TABLE IF EXISTS items, kinds;
CREATE TABLE items (
    id int PRIMARY KEY,
    small int2,
    big int8 NOT NULL DEFAULT 7,
    price numeric,
    ratio float8,
    name text NOT NULL,
    code varchar(5),
    tag char(4),
    active bool DEFAULT true,
    created timestamp
) WITH (fillfactor=90);
INSERT INTO items (id, small, price, ratio, name, code, tag, created)
VALUES (1, 10, 12.50, 0.25, 'apple', 'ap', 'x', '2024-01-02 03:04:05'),
       (2, -3, 100, 1e20, 'banana', 'bn', 'yy', '2024-02-29 23:59:59.5'),
       (3, NULL, NULL, NULL, 'cherry', NULL, NULL, NULL)
RETURNING id, big, active, tag || '|' AS tagged;
SELECT * FROM items ORDER BY id;
INSERT INTO items VALUES (4, 1, 2, 3.5, 4.5, 'date');
SELECT id, big, price, ratio, name, active FROM items WHERE id = 4;
UPDATE items SET price = price * 2, ratio = ratio + 1 WHERE id = 1 RETURNING id, price, ratio;
UPDATE items SET price = price * 2, ratio = ratio + 1 WHERE id = 2 RETURNING id, price, ratio;
UPDATE items SET name = name || '!' WHERE name = 'cherry';
UPDATE items SET code = DEFAULT, active = false WHERE id = 3;
SELECT id, name, code, active FROM items ORDER BY id;
DELETE FROM items WHERE id = 4 RETURNING name;
DELETE FROM items WHERE id = 99;
SELECT count(*) FROM items;
CREATE TABLE kinds (k text, n int);
INSERT INTO kinds VALUES ('a', 1), ('b', 2), ('a', 3), (NULL, 4);
SELECT k, n FROM kinds ORDER BY n;
ALTER TABLE kinds ADD PRIMARY KEY (n);
INSERT INTO kinds VALUES ('c', 3);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kinds WHERE n = 3;
TRUNCATE kinds;
SELECT count(*) FROM kinds;
CREATE TABLE IF NOT EXISTS kinds (x int);
CREATE TABLE kinds (x int);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE kinds;
DROP TABLE kinds;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE IF EXISTS kinds, items;
