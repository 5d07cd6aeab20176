-- A query sent without parameters (psql's simple query protocol) naming `$n`: 42P02 "there is
-- no parameter $n" at the first one, as PostgreSQL's parse analysis; a PREPAREd statement's
-- parameters are its own.
SELECT $1;
SELECT 1, $2, $1;
SELECT $0;
SELECT 'a $1 in a string', 1 AS "$1"; -- and $1 in a comment
PREPARE ps_p AS SELECT $1::int + 1, $2::text;
EXECUTE ps_p(41, 'x');
DEALLOCATE ps_p;
BEGIN;
DECLARE ps_c CURSOR FOR SELECT $1;
ROLLBACK;
SELECT 1 WHERE 2 = $1 OR true;
