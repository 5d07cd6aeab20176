-- COLLATE "C" / "POSIX" / ucs_basic / default (Keel compares text by code point, so they change nothing), also after a cast (name::text COLLATE "C", which sqlparser does not read); other collations are PostgreSQL's 42704 where the database lacks them.
create table cpc_q1 (id int primary key, name text);
insert into cpc_q1 values (1, 'b'), (2, 'A'), (3, 'a'), (4, 'B');
select name::text collate "C" from cpc_q1 order by 1;
select name from cpc_q1 order by name::text collate "C" desc;
select name from cpc_q1 order by name collate "POSIX";
select id from cpc_q1 where name::varchar collate "C" < 'a' order by id;
select name::text collate pg_catalog."C" as n from cpc_q1 order by n;
select 'b'::text collate "C" < 'a';
select name collate ucs_basic from cpc_q1 order by 1;
select max(name::text collate "C") from cpc_q1;
select name collate "de_DE" from cpc_q1;
select 'a' collate "en_US";
drop table cpc_q1;
