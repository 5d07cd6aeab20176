-- x [NOT] LIKE | ILIKE | ~ | ~* ANY (subquery): the operator over each row of the subquery.
create table la_words (s text);
insert into la_words values ('apple'), ('banana'), (null), ('Cherry');
select s, s like any (select 'a%' union all select '%y') as any_like, s ilike any (select 'c%') as any_ilike from la_words order by s;
select s from la_words where s not like any (select 'a%' union all select 'b%') order by s;
select s from la_words where s ~ any (select '^b' union all select null) order by s;
select s from la_words where s ~* some (select '^C') order by s;
select s from la_words where s like any (select p from (values ('%an%'), ('%pp%')) v(p) where p <> '%pp%') order by s;
select 'x' like any (select null::text), 'x' like any (select 'x' where false);
select s from la_words where s like any (select 1, 2);
select s from la_words where s like any (select 1);
drop table la_words;
