-- information_schema.columns.column_default prints SQL-standard keywords and casts as pg_get_expr does (CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP, CURRENT_USER).
create table ct_t (a timestamp default current_timestamp, b timestamptz default current_timestamp, c date default current_date, d timestamp default now(), e text default current_user, f timestamp(0) default localtimestamp);
select column_name, column_default from information_schema.columns where table_name = 'ct_t' order by ordinal_position;
drop table ct_t;
