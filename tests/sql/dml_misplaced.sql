-- DELETE and UPDATE with MySQL's ORDER BY or LIMIT: PostgreSQL's syntax errors at the word.
create table dz (a int);
delete from dz where a > 1 ORDER BY a;
delete from dz limit 1;
update dz set a = 1 limit 1;
update dz set a = 1 where a > 0 order by a;
delete from dz where a in (select a from dz order by a limit 1);
drop table dz;
