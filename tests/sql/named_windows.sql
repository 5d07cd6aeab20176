-- WINDOW clauses: named windows, OVER name, OVER (name ...) building on one, and PostgreSQL's errors.
select x, g, lag(x) over w, sum(x) over w, rank() over w from (values (1,'a'),(2,'a'),(3,'b'),(4,'b')) v(x,g) window w as (partition by g order by x) order by x;
select x, sum(x) over (w rows between unbounded preceding and current row) from (values (1),(2),(3)) v(x) window w as (order by x desc) order by x;
select x, first_value(x) over w2 from (values (1,'a'),(2,'a'),(3,'b')) v(x,g) window w1 as (partition by g), w2 as (w1 order by x desc) order by x;
select x, count(*) over w from (values (1),(2)) v(x) window w as (order by x), w as (order by x);
select x, count(*) over nosuch from (values (1),(2)) v(x);
select x, count(*) over (w partition by x) from (values (1),(2)) v(x) window w as (order by x);
select x, count(*) over (w order by x) from (values (1),(2)) v(x) window w as (order by x);
select x, count(*) over (w) from (values (1),(2)) v(x) window w as (order by x rows 1 preceding);
select x, (select count(*) over w from (values (1)) u(y) window w as ()) from (values (1),(2)) v(x) window w as (order by x) order by 1;
