-- Arrays of enum types: columns, literals, ANY, array_agg, enum_range, subscripts, catalogs (pg_type's _name
-- array type, information_schema's udt_name) and DROP TYPE's dependency detail.
DROP TABLE IF EXISTS ea_t;
DROP TYPE IF EXISTS ea_mood;
create type ea_mood as enum ('sad','ok','happy');
create table ea_t (id int primary key, moods ea_mood[], m ea_mood);
insert into ea_t values (1, '{sad,happy}', 'ok'), (2, array['ok']::ea_mood[], 'sad'), (3, null, null), (4, '{}', 'happy');
select * from ea_t order by id;
select id from ea_t where 'happy' = any(moods) order by id;
select id from ea_t where m = any(moods) order by id;
select array_agg(m order by m) from ea_t;
select array_agg(x order by x) from unnest('{happy,sad}'::ea_mood[]) x;
select enum_range(null::ea_mood), enum_range('ok'::ea_mood, null), pg_typeof(enum_range(null::ea_mood));
select moods[1], array_length(moods, 1), moods || 'ok'::ea_mood from ea_t order by id;
select '{sad,nope}'::ea_mood[];
select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a where attrelid = 'ea_t'::regclass and attnum > 0 order by attnum;
select t.typname, t.typcategory, e.typname as elem from pg_type t join pg_type e on t.typelem = e.oid where t.typname = '_ea_mood';
select column_name, data_type, udt_name from information_schema.columns where table_name = 'ea_t' order by ordinal_position;
select max(moods) from ea_t;
select moods from ea_t order by moods nulls first, id;
update ea_t set moods = array_append(moods, 'sad') where id = 2 returning moods;
drop type ea_mood;
drop table ea_t; drop type ea_mood;
