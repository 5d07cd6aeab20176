-- bytea: hex and escape input, hex output, ordering, ||, length, encode/decode (hex, base64, escape), errors.
DROP TABLE IF EXISTS by_t;
CREATE TABLE by_t (id int PRIMARY KEY, b bytea);
INSERT INTO by_t VALUES (1, '\x0001ff'), (2, 'abc'), (3, E'\\000\\101\\\\'), (4, ''), (5, NULL), (6, '\x DE AD be ef');
SELECT * FROM by_t ORDER BY id;
SELECT id, length(b), octet_length(b), encode(b, 'hex'), encode(b, 'base64'), encode(b, 'escape') FROM by_t ORDER BY id;
SELECT id FROM by_t ORDER BY b, id;
SELECT b || '\x00'::bytea, '\x01'::bytea || b FROM by_t WHERE id = 1;
SELECT decode('3q2+7w==', 'base64'), decode('deadbeef', 'hex'), decode('a\\000b', 'escape');
SELECT encode(decode(repeat('ab', 60), 'hex'), 'base64');
SELECT 'abc'::bytea::text, 'abc'::bytea = '\x616263';
SELECT * FROM by_t WHERE b = '\x616263';
INSERT INTO by_t VALUES (7, '\x0g');
INSERT INTO by_t VALUES (7, '\x123');
SELECT decode('x', 'nope');
SELECT decode('@@', 'base64');
SELECT count(DISTINCT b) FROM by_t;
DROP TABLE by_t;
-- SHA-2 digests of bytea (an unknown literal is read as bytea; text needs a cast, as in PostgreSQL).
select encode(sha256('abc'), 'hex'), encode(sha384('abc'::bytea), 'hex');
select encode(sha512(''), 'hex'), sha256(null), sha256('\x00ff'::bytea);
select sha256('abc'::text);
select encode(sha256(convert_to('grüße', 'UTF8')), 'base64');
