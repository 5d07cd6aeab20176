-- Columns of a table whose primary key is grouped may be selected without being grouped (PostgreSQL's functional dependency; Django's annotate queries GROUP BY the key alone); other columns, and grouping sets, are still refused.
drop table if exists fd_book, fd_author, fd_nopk;
create table fd_author(id int primary key, name text, born date);
create table fd_book(id int primary key, author_id int references fd_author, title text, pages int);
create table fd_nopk(a int, b int);
insert into fd_author values (1, 'ann', '1970-01-01'), (2, 'bob', null), (3, 'cy', '1980-05-05');
insert into fd_book values (1, 1, 'x', 100), (2, 1, 'y', 200), (3, 2, 'z', 50);
SELECT fd_author.id, fd_author.name, fd_author.born, COUNT(fd_book.id) AS n FROM fd_author LEFT OUTER JOIN fd_book ON (fd_author.id = fd_book.author_id) GROUP BY fd_author.id ORDER BY fd_author.name;
select a.name, sum(b.pages) from fd_author a join fd_book b on b.author_id = a.id group by a.id having sum(b.pages) > 60 order by a.name;
select a.name, b.title from fd_author a join fd_book b on b.author_id = a.id group by a.id;
select a.name, b.title from fd_author a join fd_book b on b.author_id = a.id group by a.id, b.id order by 1, 2;
select name, count(*) from fd_author group by id order by born nulls first;
select upper(name) || '!' as n from fd_author group by id order by 1;
select b from fd_nopk group by a;
select name from fd_author group by rollup(id);
select name, count(*) over () from fd_author group by id order by 1;
drop table fd_book, fd_author, fd_nopk;
