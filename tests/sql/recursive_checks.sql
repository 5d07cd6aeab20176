-- WITH RECURSIVE as PostgreSQL checks it: the recursive reference once, in the recursive term,
-- outside subqueries; no aggregates there; no ORDER BY / LIMIT / OFFSET / FOR UPDATE over a
-- recursive query; the non-recursive term's types are the query's; a plain UNION under WITH
-- RECURSIVE resolves its types as any UNION.
WITH RECURSIVE r(n) as (select 1 union all select n+1 from r where n < 3 union all select 5) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from r join r r2 using (n) where r.n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select n+1 from r where n < (select max(n) from r)) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from r left join (select 1 as y) x on true where r.n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select max(n)+1 from r where n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select n+1 from r where n < 3 order by 1) select * from r;
WITH RECURSIVE r(n) as (select 1 union all (select n+1 from r where n < 3 limit 1)) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select n+1 from r where n < 3 limit 2) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select n+1 from r where n < 3 offset 1) select * from r;
WITH RECURSIVE r(n) as (select 1 intersect select n+1 from r where n < 3) select * from r;
WITH RECURSIVE r(n) as (select n from r union all select 1) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select n+1 from r where n < 3 for update) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select n+1 from r where exists (select 1 from r)) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select n::bigint + 1 from r where n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1::bigint union all select n::int + 1 from r where n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union select 2.5) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select 2 order by 1 desc) select * from r;
WITH RECURSIVE r(n) as (select 'a' union all select n || 'b' from r where length(n) < 3) select * from r;
WITH RECURSIVE r(n) as (select 'a'::varchar union all select n || 'b' from r where length(n) < 3) select * from r;
WITH RECURSIVE r(n, p) as (select 1, array[1] union all select n+1, p || (n+1) from r where n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from (select 1) x left join r on true where r.n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from r left join (select 1 as y) x on true where r.n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from r right join (select 1 as y) x on true where r.n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from (select 1 as y) x right join r on true where r.n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from r full join (select 1 as y) x on true where r.n < 3) select * from r;
WITH RECURSIVE r(n) as (select 1 union all select r.n+1 from (select 1 as y) x join r on true left join (select 2) z on true where r.n < 3) select * from r;
