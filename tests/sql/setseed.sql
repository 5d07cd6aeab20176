-- setseed and random(): a session's generator is PostgreSQL's pg_prng (xoroshiro128**), so the numbers
-- after setseed are PostgreSQL's own; setseed's range check and its message.
SELECT setseed(0.5);
SELECT random(), random(), random();
SELECT setseed(0);
SELECT random();
SELECT setseed(-1);
SELECT random() FROM generate_series(1, 3);
SELECT setseed(1);
SELECT round(random()::numeric, 10) FROM generate_series(1, 2);
SELECT setseed(0.5), random();
SELECT setseed(1e-10);
SELECT random();
SELECT setseed(2);
SELECT setseed(-1.5);
SELECT setseed(1234567);
SELECT setseed('nan');
SELECT setseed(0.25);
BEGIN;
SELECT random();
ROLLBACK;
SELECT random();
SELECT setseed(0.75);
SELECT x, random() < 2 AS below FROM generate_series(1, 2) x;
SELECT random();
SELECT random() >= 0 AS nonnegative;
