-- Stored expressions and views printed as PostgreSQL deparses them: pg_get_constraintdef, pg_get_expr,
-- pg_get_indexdef and pg_get_viewdef, plain and pretty, and psql's \d (coercions shown as casts,
-- literals typed, LIKE as ~~, IN as = ANY (ARRAY[...]), BETWEEN as two comparisons); PostgreSQL's
-- printed forms read back.
DROP VIEW IF EXISTS dp_yv1, dp_yv2, dp_yv3, dp_yv4, dp_yv5, dp_yv6, dp_yv7, dp_yv8, dp_yv9, dp_yva, dp_yvb, dp_yvc, dp_yvd, dp_yve, dp_yvf, dp_yvg, dp_yvh, dp_yvi, dp_yvj;
DROP TABLE IF EXISTS dp_t, dp_u, dp_w, dp_x, dp_y, dp_z;
create table dp_t (
  a int primary key,
  b numeric(10,2) default 1.5 check (b >= 0),
  c bigint default -1,
  d text default 'a' || 'b',
  e varchar(20) default 'x' check (e in ('x', 'y', 'z')),
  f char(3) default 'abc',
  g date default current_date check (g > '2000-01-01'),
  h timestamp default now(),
  i boolean default true,
  j double precision default 2.5e3 check (j between 0 and 1e6),
  k int[] default '{1,2}',
  l smallint default 7 check (l % 2 = 1 or l is null),
  m interval default '1 day',
  n jsonb default '{}',
  check (a > 0 and a < 1000 and c <> 0),
  check (not (a = 5) or d like 'p%' or d ilike '%Q'),
  check (a + c * 2 - (a - 1) > -10),
  check (length(d) < 100 and upper(e) <> 'W' and coalesce(d, e) is not null),
  check (case when a > 10 then b > 1 else true end),
  check (e::text <> '' and f = 'abc' and d = e),
  check (h < '2100-01-01' and g + 1 > '2001-01-01' and h - interval '1 hour' > g),
  check (j > a and b > a and b * 2 > 1.5 and j < b)
);
select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'dp_t'::regclass and contype = 'c' order by conname;
select conname, pg_get_constraintdef(oid, true) from pg_constraint where conrelid = 'dp_t'::regclass and contype = 'c' order by conname;
select adnum, pg_get_expr(adbin, adrelid), pg_get_expr(adbin, adrelid, true) from pg_attrdef where adrelid = 'dp_t'::regclass order by adnum;
-- More operators, functions and casts.
create table dp_u (
  a int, b text, c varchar(10), d numeric, e boolean, f timestamptz, g date, h bigint, i real,
  check ((a is distinct from 3) and (a is not distinct from a)),
  check (b ~ '^x' or b !~* 'y' or c ~ 'z'),
  check (nullif(a, 0) > 1 and greatest(a, 2, h) < 100 and least(d, 1) < 5),
  check (-a < 5 and - d < 5 and a in (1) and a not in (2, 3) and d in (1, 2.5)),
  check (e is true or e is not false or e),
  check (f > now() - interval '1 year 2 days' and g < current_date + 30 and f < current_timestamp),
  check (b || c <> 'x' and b || a <> 'y' and 'p' || 'q' <> b),
  check (c::varchar(5) <> 'abc' and a::bigint > 0 and '5'::int > a and d::numeric(8,2) > 0 and b::varchar <> ''),
  check (case when a > 1 then 'x' when a > 2 then 'y' end <> b),
  check (abs(d) < 10 and round(d, 2) > 0 and round(d) < 9 and upper(b) = lower(c) and substr(b, 1, 2) <> 'zz'),
  check (date_trunc('day', f) <= f and length(c) > 0 and replace(b, 'a', 'b') <> '' and btrim(c) <> ''),
  check ((a > 1 or a < -1) and not (b is null or c is null)),
  check (a * (h + 1) > 0 and (a + h) * 2 > 0 and a - (h - 1) > 0 and a / 2 % 3 >= 0),
  check (d between -1.5 and 100 and a not between 5 and 6),
  check (g - 1 < g and g - g = 0 and f - f > interval '0' and h * 1.5 > 0)
);
select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'dp_u'::regclass and contype = 'c' order by conname;
select conname, pg_get_constraintdef(oid, true) from pg_constraint where conrelid = 'dp_u'::regclass and contype = 'c' order by conname;
-- PostgreSQL's printed forms read back.
alter table dp_u add constraint dp_back1 check (((c)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[])));
alter table dp_u add constraint dp_back2 check ((((a + (h * 2)) - (a - 1)) > '-10'::integer) AND (b ~~ 'p%'::text) AND (b !~~* '%Q'::text));
alter table dp_u add constraint dp_back3 check (((d * (2)::numeric) > 1.5) AND (i > ('1000000'::numeric)::double precision));
select conname, pg_get_constraintdef(oid, true) from pg_constraint where conrelid = 'dp_u'::regclass and conname like 'dp_back%' order by conname;
insert into dp_u (c, b, a) values ('x', 'pa', 1);
insert into dp_u (c, b, a) values ('w', 'pa', 1);
insert into dp_u (c, b, a) values ('x', 'qa', 1);
select 'abc'::bpchar, pg_typeof('abc'::bpchar), 'ab'::bpchar = 'ab  '::bpchar, length('ab  '::bpchar);
create table dp_w (b text, check (substring(b from 1 for 2) <> 'b'), check (substring(b from 2) <> 'c'), check (substr(b, 2) <> 'd'), check (b = any (array['x', 'y'])), check (b = any ('{x,y}'::text[])), check (b <> all (array['x', b])));
select pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) from pg_constraint where conrelid = 'dp_w'::regclass order by conname;
-- psql shows the pretty forms.
\d dp_t
-- Partial indexes' predicates (pg_get_indexdef, pg_index.indpred through pg_get_expr, psql's \d)
-- and pg_index.indexprs (expressions only).
create table dp_x (a int, b text, c varchar(10), d numeric, e date);
create index dp_xi1 on dp_x (lower(b));
create index dp_xi2 on dp_x (a) where d > 0;
create index dp_xi3 on dp_x ((a + 1), c) where c like 'x%' and a between 1 and 5;
create index dp_xi4 on dp_x (b) where c in ('a', 'b');
create index dp_xi5 on dp_x (e) where e > '2020-01-01';
select indexrelid::regclass, pg_get_indexdef(indexrelid), pg_get_expr(indpred, indrelid), pg_get_expr(indpred, indrelid, true), pg_get_expr(indexprs, indrelid) from pg_index where indrelid = 'dp_x'::regclass order by 1;
\d dp_x
-- Views: pg_get_viewdef plain and pretty, pg_views.definition, psql's \d+.
create table dp_y (a int primary key, b numeric, d text, e int);
create table dp_z (a int, c varchar(10));
create view dp_yv1 as select a, b * 2 as bb, d from dp_y where d like 'x%' and a in (1,2,3) order by a desc limit 5;
create view dp_yv2 as select dp_y.a, x.c from dp_y join dp_z x on x.a = dp_y.a left join dp_z y on y.a = dp_y.e where x.c <> 'q';
create view dp_yv3 as select d, count(*), sum(b) as total, max(a) from dp_y group by d having count(*) > 1 order by 2 desc;
create view dp_yv4 as select * from dp_y, dp_z where dp_y.a = dp_z.a;
create view dp_yv5 as select a, case when a > 1 then 'big' else 'small' end as size, coalesce(d, 'none') from dp_y order by d nulls first, a offset 2;
create view dp_yv6 as select upper(d) u, a + 1 from dp_y group by upper(d), a + 1;
-- Subqueries in expressions (scalar, EXISTS, IN, ANY/ALL, correlated), printed at their own level.
create view dp_yv7 as select a, (select max(z.c) from dp_z z where z.a = dp_y.a) as m, exists (select 1 from dp_z z2 where z2.c = dp_y.d) as e, not exists (select z3.a, z3.c from dp_z z3) as ne, a in (select z4.a + 1 from dp_z z4) as i, b > all (select z5.a from dp_z z5) as g, (select 1) as one, case when e not in (select z6.a from dp_z z6) then 'n' else 'y' end as k from dp_y where a = any (select z7.a from dp_z z7 where z7.c like 'x%') or d is null;
-- DISTINCT, DISTINCT ON, a conversion with a length coercion (two nodes), an untyped literal.
create view dp_yv8 as select distinct on (a) a, d::varchar(3) as dv, (a + 1)::varchar(4) as av, (d || 'x')::varchar(2) as xv, (a + 1)::numeric(6,1) as an, 'lit' as l from dp_y order by a, d desc;
create view dp_yv9 as select distinct d, e from dp_y where e > 1;
-- Set operations: branches at their level, a nested one of another kind in parentheses, ORDER BY by position.
create view dp_yva as select a, d from dp_y union select a + 1, d from dp_y where a > 2 order by d desc, 1 limit 3;
create view dp_yvb as select a from dp_y union all select a from dp_z where a > 1 except select e from dp_y intersect select 2 order by a;
-- WITH: each body a level in, its columns named as written.
create view dp_yvc as with x as (select a, d as dd, b * 2 from dp_y where a > 0), zz(q, r) as (select a, c from dp_z) select x.a, x.dd, zz.r from x join zz on zz.q = x.a;
-- A subquery's relation named as one around it is shown renamed (dp_y_1, then dp_y_1_1), in WITH bodies too.
create view dp_yvd as select a, (select max(b) from dp_y) as m from dp_y where a in (select a from dp_y where d in (select d from dp_y dp_y_1)) and exists (select 1 from dp_y);
create view dp_yve as with x as (select a, d from dp_y), y(q) as (select a from x) select * from x, y where x.a = y.q;
-- A WITH body that is a set operation: its first branch names the columns.
create view dp_yvi as with u as (select a, e as bb from dp_y where a > 1 union all select a, a from dp_z) select u.a, bb from u where u.bb > 0;
create view dp_yvh as with u(k) as (select 1 union select 2 except select 3) select k from u;
create view dp_yvj as with u as (select 1 as x, 5 as y union select 2 as z, 6) select * from u;
-- Window functions: OVER a definition or a named window, frames written out, the WINDOW clause.
create view dp_yvf as select a, row_number() over (partition by d order by a desc) as rn, sum(b) over w, rank() over w2 as r, lag(a) over (order by a) as l, lead(b, 2, 0) over (order by a nulls first) as ld, count(*) over () as n, avg(a) over (partition by d, a + 1 rows 2 preceding) as av, first_value(d) over (order by b desc rows between unbounded preceding and 1 following) as fv from dp_y window w as (order by a rows between 1 preceding and current row), w2 as (partition by d order by b);
create view dp_yvg as select a, ntile(3) over (order by a) as nt, percent_rank() over (order by a) as pr, max(b) over (order by a groups between current row and 2 following) as mx, min(d) over (order by a range between unbounded preceding and current row) as mn from dp_y;
select c.relname, pg_get_viewdef(c.oid) from pg_class c where relname like 'dp_yv%' order by 1;
select c.relname, pg_get_viewdef(c.oid, true) from pg_class c where relname like 'dp_yv%' order by 1;
select viewname, definition from pg_views where viewname = 'dp_yv2';
\d+ dp_yv1
