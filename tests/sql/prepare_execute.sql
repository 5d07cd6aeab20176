-- PREPARE / EXECUTE / DEALLOCATE in SQL: parameter types given or inferred, argument expressions
-- cast to them, the errors PostgreSQL gives (duplicate, unknown, wrong count, bad argument).
DROP TABLE IF EXISTS pp;
CREATE TABLE pp (id int PRIMARY KEY, name text);
PREPARE ins (int, text) AS INSERT INTO pp VALUES ($1, $2) RETURNING *;
EXECUTE ins(1, 'one');
EXECUTE ins (2, 'two');
EXECUTE ins(1 + 2, 'th' || 'ree');
PREPARE sel AS SELECT * FROM pp WHERE id >= $1 ORDER BY id;
EXECUTE sel(2);
EXECUTE sel('1');
PREPARE cnt AS SELECT count(*) FROM pp;
EXECUTE cnt;
PREPARE cnt AS SELECT 1;
EXECUTE nope;
EXECUTE sel;
EXECUTE sel(1, 2);
EXECUTE ins('x', 'y');
DEALLOCATE sel;
EXECUTE sel(1);
DEALLOCATE sel;
DEALLOCATE ALL;
EXECUTE cnt;
PREPARE upd (int) AS UPDATE pp SET name = upper(name) WHERE id = $1;
EXECUTE upd(2);
SELECT * FROM pp ORDER BY id;
DROP TABLE pp;
-- pg_prepared_statements: the session's named statements, how often each ran (Keel binds once:
-- every run is a generic plan; compared as a sum). PostgreSQL shows the whole query string the
-- PREPARE came in, Keel the statement without its semicolon: compared without it.
deallocate all;
create table ps_t (id int primary key, v text);
prepare ps_q1(int, text) as insert into ps_t values ($1, $2);
prepare ps_q2 as select count(*) from ps_t;
execute ps_q1(1, 'a');
execute ps_q1(2, 'b');
execute ps_q2;
select name, rtrim(statement, ';'), parameter_types, from_sql, generic_plans + custom_plans as runs, prepare_time <= now() from pg_prepared_statements order by name;
deallocate ps_q1;
select name from pg_prepared_statements;
deallocate all;
select count(*) from pg_prepared_statements;
select 'pg_prepared_statements'::regclass::oid;
drop table ps_t;
