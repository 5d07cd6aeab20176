-- String constants in each of PostgreSQL's forms: standard, escape (E''), Unicode escape (U&''),
-- dollar-quoted, and adjacent ones continued across lines.
select 'a''b', E'a\tb\\c\x41\101', $$dollar 'quoted'$$, $tag$with $$ inside$tag$;
select U&'\0041', U&'d\0061t\+000061', U&'\00e9t\00e9' = 'été', length(U&'\+01F600'), U&'plain';
select 'con'
  'tinued', E'esc'
  'aped';
select pg_typeof(U&'\0041'), U&'\0031'::int + 1;
select 'a' -- a comment between
  'b' /* and
  another */
  'c' as joined;
select E'tab:'
  '\t|' as tab;
select 'one' 'two';
