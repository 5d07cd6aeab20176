-- has_table_privilege on the system catalogs: owned by the bootstrap superuser, SELECT for PUBLIC
-- except on the ones holding secrets (pg_authid, pg_statistic, ...), by name, OID and per row.
drop role if exists hcp_r;
create role hcp_r;
select has_table_privilege('pg_class', 'select'), has_table_privilege('pg_catalog.pg_class', 'insert'), has_table_privilege('pg_authid', 'select');
select has_table_privilege('hcp_r', 'pg_class', 'select'), has_table_privilege('hcp_r', 'pg_class', 'insert'), has_table_privilege('hcp_r', 'pg_authid', 'select'),
  has_table_privilege('hcp_r', 'pg_statistic', 'select'), has_table_privilege('hcp_r', 'pg_catalog.pg_namespace', 'select, update'), has_table_privilege('hcp_r', 'pg_class', 'select with grant option');
select x::regclass, has_table_privilege('hcp_r', x, 'select') as sel, has_table_privilege(x, 'update') as upd
from (values ('pg_class'::regclass::oid), ('pg_type'::regclass), ('pg_authid'::regclass), ('pg_statistic'::regclass)) v(x) order by 1;
select r.rolname, has_table_privilege(r.oid, 'pg_proc', 'select'), has_table_privilege(r.oid, 'pg_authid', 'select') from pg_roles r where r.rolname in ('hcp_r', 'postgres') order by 1;
drop role hcp_r;
