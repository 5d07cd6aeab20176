-- uuid: input forms, canonical output, keys and ordering, casts, gen_random_uuid, errors.
DROP TABLE IF EXISTS uu;
CREATE TABLE uu (id uuid PRIMARY KEY, n int);
INSERT INTO uu VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1), ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12', 2), ('{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13}', 3), ('a0eebc999c0b4ef8bb6d6bb9bd380a14', 4), ('a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a15', 5);
INSERT INTO uu VALUES ('not-a-uuid', 6);
INSERT INTO uu VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 6);
INSERT INTO uu VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 7);
SELECT * FROM uu ORDER BY id;
SELECT * FROM uu WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13';
SELECT * FROM uu WHERE id > 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13' ORDER BY id;
SELECT id::text, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid, pg_typeof(id) FROM uu WHERE n = 1;
SELECT count(DISTINCT id), min(id), max(id) FROM uu;
SELECT length(gen_random_uuid()::text), gen_random_uuid() <> gen_random_uuid();
SELECT substr(gen_random_uuid()::text, 15, 1), substr(gen_random_uuid()::text, 20, 1) IN ('8', '9', 'a', 'b');
SELECT id = 'x' FROM uu;
SELECT id FROM uu WHERE id = 1;
DROP TABLE uu;
