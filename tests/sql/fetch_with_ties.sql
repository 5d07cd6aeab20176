-- FETCH FIRST n ROWS WITH TIES: the rows that sort equal to the last one taken come too.
drop table if exists ft;
create table ft (id int primary key, grp int, score int, name text);
insert into ft values (1, 1, 90, 'a'), (2, 1, 80, 'b'), (3, 2, 80, 'c'), (4, 2, 70, 'd'),
  (5, 3, 70, 'e'), (6, 3, 70, 'f'), (7, 4, null, 'g'), (8, 4, 60, 'h');
select * from (select id, score from ft order by score desc fetch first 2 rows with ties) s order by 1;
select * from (select id, score from ft order by score desc fetch first 1 row with ties) s order by 1;
select * from (select id, score from ft order by score desc offset 1 fetch next 2 rows with ties) s order by 1;
select * from (select id, score from ft order by score desc nulls last fetch first 4 rows with ties) s order by 1;
select * from (select id, score from ft order by score fetch first 6 rows with ties) s order by 1;
select * from (select id, score from ft order by score desc fetch first 0 rows with ties) s order by 1;
select * from (select id, score from ft order by score desc fetch first 100 rows with ties) s order by 1;
select * from (select name from ft order by score desc, grp fetch first 3 rows with ties) s order by 1;
select * from (select grp, count(*) from ft group by grp order by count(*) desc fetch first 1 row with ties) s order by 1;
select id from (select id, score from ft order by score desc fetch first 2 rows with ties) s order by id;
select * from ft where score in (select score from ft order by score desc fetch first 3 rows with ties) order by id;
select * from (select id, score from ft join (values (70), (80)) v(s) on v.s = ft.score order by score fetch first 1 rows with ties) s order by 1;
select score from ft union all select 75 order by 1 desc fetch first 3 rows with ties;
select score from ft union all select 70 order by 1 desc nulls last fetch first 4 rows with ties;
select id from ft fetch first 2 rows with ties;
select id from ft order by id fetch first null rows with ties;
select id from ft order by id fetch first 2 rows only;
drop table ft;
