//! System catalogs: `pg_catalog` and `information_schema` relations, built from Keel's own
//! catalog each time a statement names one, so they are always current.
//!
//! A system relation binds to its rows as constants (`Rel::Constants`, scanned as VALUES), so every
//! query form works over it: joins with user tables, filters, grouping, subqueries. Object ids are
//! derived from Keel's table ids (above PostgreSQL's first user OID, 16384) and stay stable as long
//! as the object exists; the built-in types, schemas and the database use PostgreSQL's own OIDs.

use crate::bind::SessionInfo;
use crate::catalog::{Catalog, IndexDef, SequenceDef, TableDef};
use crate::plan::OutputColumn;
use crate::procs::{BuiltinProc, BUILTIN_PROCS};
use crate::types::{DataType, Value};

/// A system relation's columns and rows.
pub struct SystemRelation {
    pub columns: Vec<OutputColumn>,
    pub rows: Vec<Vec<Value>>,
    /// More rows, the same for every statement (built once per process and shared).
    pub shared: Vec<std::sync::Arc<Vec<Vec<Value>>>>,
    /// The last columns that are system columns (`tableoid`): named, never in `*`.
    pub system_columns: usize,
}

const PG_CATALOG: i64 = 11;
pub const PUBLIC: i64 = 2200;
const INFORMATION_SCHEMA: i64 = 13_182;
pub const DATABASE: i64 = 16_384 - 1;
/// The OID of the one role (the bootstrap superuser's, as in PostgreSQL).
pub const OWNER: i64 = 10;
/// `pg_database_owner`, the owner of the public schema since PostgreSQL 14.
pub const DATABASE_OWNER: i64 = 6171;
/// A table's OID is its id above this; its primary key index's is above [`PKEY_OIDS`].
pub(crate) const FIRST_OID: i64 = 16_384;
const PKEY_OIDS: i64 = 16_384 + (1 << 24);
const VIEW_OIDS: i64 = 16_384 + (2 << 24);
const ATTRDEF_OIDS: i64 = 16_384 + (3 << 24);
/// A table's constraints: its primary key at `table id * 1024` above this, its UNIQUE
/// constraints after it, its CHECK constraints from 512 on.
const CONSTRAINT_OIDS: i64 = 16_384 + (4 << 24);
/// An enum type's array type (`_mood`): its id above this.
const ENUM_ARRAY_OIDS: i64 = 16_384 + (5 << 24);
/// The default collation's OID (`pg_collation`), which text-like columns carry.
const DEFAULT_COLLATION: i64 = 100;
/// `pg_namespace`'s OID, and the comment the public schema has, as in PostgreSQL.
const PG_NAMESPACE: i64 = 2615;
pub const PUBLIC_COMMENT: &str = "standard public schema";
/// `pg_class`'s own OID (the class of relations in `pg_depend`).
const PG_CLASS: i64 = 1259;
/// `pg_type`'s and `pg_authid`'s OIDs (classes in `pg_shdepend`).
const PG_TYPE: i64 = 1247;
const PG_AUTHID: i64 = 1260;
/// pg_proc's OID: the class of a function's comment in pg_description.
const PG_PROC: i64 = 1255;
/// `pg_rewrite`'s OID, and where its rows' OIDs start (a view's `_RETURN` rule, by the view's
/// place among the views, as its own OID).
const PG_REWRITE: i64 = 2618;
/// `pg_attrdef`'s OID (the class of column defaults in `pg_depend`).
const PG_ATTRDEF: i64 = 2604;
const RULE_OIDS: i64 = 16_384 + (64 << 24);
/// `pg_default`'s OID.
const DEFAULT_TABLESPACE: i64 = 1663;

/// One table constraint, as `pg_constraint` lists it.
pub struct Constraint<'a> {
    pub oid: i64,
    pub name: String,
    /// `p`, `u`, `c` or `f`.
    pub kind: &'static str,
    pub table: &'a TableDef,
    pub columns: Vec<usize>,
    /// The index that enforces it (0 for a CHECK).
    pub index: i64,
    /// `pg_get_constraintdef`'s text.
    pub def: String,
    /// A foreign key's referenced table OID and columns, and its update and delete actions.
    pub references: Option<(i64, Vec<usize>, &'static str, &'static str)>,
    /// (DEFERRABLE, INITIALLY DEFERRED).
    pub deferrable: (bool, bool),
    /// False for a CHECK or FOREIGN KEY added NOT VALID and not validated since.
    pub validated: bool,
}

/// The columns a CHECK constraint's expression reads, in column order (`conkey`, as
/// PostgreSQL's set of the expression's attribute numbers): the identifiers of its text that
/// name a column of `table` and are not a function's name or a type's.
fn check_columns(table: &TableDef, sql: &str) -> Vec<usize> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return Vec::new();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut columns: Vec<usize> = tokens
        .iter()
        .enumerate()
        .filter_map(|(at, token)| {
            let Token::Word(word) = token else {
                return None;
            };
            let call = matches!(tokens.get(at + 1), Some(Token::LParen));
            let typed = at > 0 && matches!(tokens[at - 1], Token::DoubleColon);
            if call || typed {
                return None;
            }
            let name = match word.quote_style {
                Some(_) => word.value.clone(),
                None => word.value.to_lowercase(),
            };
            table.columns.iter().position(|c| c.name == name)
        })
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// Every domain's CHECK constraints with their OIDs (from the same range as a table's, by
/// the domain's id, which no table has).
pub fn domain_checks(
    catalog: &Catalog,
) -> impl Iterator<Item = (i64, &crate::domains::DomainDef, &crate::catalog::CheckDef)> {
    catalog.domains.values().flat_map(|def| {
        let base = CONSTRAINT_OIDS + def.id as i64 * 1024 + 512;
        (def.checks.iter().enumerate()).map(move |(i, check)| (base + i as i64, &**def, check))
    })
}

/// Every table constraint (primary keys, UNIQUE, CHECK and foreign key constraints); a
/// foreign key's definition names its table as a reader whose search path is `schemas` sees it
/// (qualified when that path does not find it, as pg_dump's empty path needs).
pub fn constraints<'c>(catalog: &'c Catalog, schemas: &[&str]) -> Vec<Constraint<'c>> {
    let mut out = Vec::new();
    for table in user_tables(catalog) {
        let base = CONSTRAINT_OIDS + table.id as i64 * 1024;
        let names = |columns: &[usize]| {
            columns
                .iter()
                .map(|&c| table.columns[c].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !table.primary_key.is_empty() {
            out.push(Constraint {
                oid: base,
                name: crate::catalog::relname(&table.pkey_name()).to_string(),
                kind: "p",
                table,
                columns: table.primary_key.clone(),
                index: pkey_oid(table),
                def: match table.primary_key_include.as_slice() {
                    [] => format!("PRIMARY KEY ({})", names(&table.primary_key)),
                    include => format!(
                        "PRIMARY KEY ({}) INCLUDE ({})",
                        names(&table.primary_key),
                        names(include)
                    ),
                },
                references: None,
                deferrable: (false, false),
                validated: true,
            });
        }
        for (i, index) in table.indexes.iter().enumerate() {
            if index.constraint {
                out.push(Constraint {
                    oid: base + 1 + i as i64,
                    name: crate::catalog::relname(&index.name).to_string(),
                    kind: "u",
                    table,
                    columns: index.columns.clone(),
                    index: FIRST_OID + index.id as i64,
                    def: format!(
                        "UNIQUE {}({}){}",
                        if index.nulls_not_distinct {
                            "NULLS NOT DISTINCT "
                        } else {
                            ""
                        },
                        names(&index.columns),
                        match index.include.as_slice() {
                            [] => String::new(),
                            include => format!(" INCLUDE ({})", names(include)),
                        }
                    ),
                    references: None,
                    deferrable: (false, false),
                    validated: true,
                });
            }
        }
        for (i, check) in table.checks.iter().enumerate() {
            out.push(Constraint {
                oid: base + 512 + i as i64,
                name: check.name.clone(),
                kind: "c",
                table,
                columns: check_columns(table, &check.sql),
                index: 0,
                def: format!("CHECK ({})", check.sql),
                references: None,
                deferrable: (false, false),
                validated: !check.not_valid,
            });
        }
        for (i, fk) in table.foreign_keys.iter().enumerate() {
            let Some(parent) = catalog.table_by_id(fk.parent) else {
                continue;
            };
            let parent_names: Vec<&str> = fk
                .parent_columns
                .iter()
                .map(|&c| parent.columns[c].name.as_str())
                .collect();
            let mut def = format!(
                "FOREIGN KEY ({}) REFERENCES {}({})",
                names(&fk.columns),
                catalog.display_name(&parent.name, schemas),
                parent_names.join(", ")
            );
            for (event, action) in [("UPDATE", fk.on_update), ("DELETE", fk.on_delete)] {
                if action != crate::catalog::FkAction::NoAction {
                    def.push_str(&format!(" ON {event} {}", action.sql()));
                }
            }
            if fk.deferrable {
                def.push_str(" DEFERRABLE");
            }
            if fk.initially_deferred {
                def.push_str(" INITIALLY DEFERRED");
            }
            // The referenced side's key index.
            let mut wanted = fk.parent_columns.clone();
            wanted.sort_unstable();
            let same = |columns: &[usize]| {
                let mut columns = columns.to_vec();
                columns.sort_unstable();
                columns == wanted
            };
            let index = if !parent.primary_key.is_empty() && same(&parent.primary_key) {
                pkey_oid(parent)
            } else {
                parent
                    .indexes
                    .iter()
                    .find(|index| index.unique && index.is_plain() && same(&index.columns))
                    .map_or(0, |index| FIRST_OID + index.id as i64)
            };
            out.push(Constraint {
                oid: base + 256 + i as i64,
                name: fk.name.clone(),
                kind: "f",
                table,
                columns: fk.columns.clone(),
                index,
                def,
                references: Some((
                    table_oid(parent),
                    fk.parent_columns.clone(),
                    fk.on_update.code(),
                    fk.on_delete.code(),
                )),
                deferrable: (fk.deferrable, fk.initially_deferred),
                validated: !fk.not_valid,
            });
        }
    }
    out
}

/// A smallint array value (`conkey`) or NULL for none.
/// An ACL as `aclitem[]` shows (text items); NULL for the default.
fn acl_array(acl: Option<&[crate::catalog::AclItem]>, letters: &[(u8, char, &str)]) -> Value {
    match acl {
        None => Value::Null,
        Some(items) => Value::Array(Box::new(crate::array::Array::one_dim(
            items.iter().map(|item| text(item.text(letters))).collect(),
        ))),
    }
}

/// A view's `reloptions` (`{security_barrier=true,check_option=local}`), NULL for none.
fn view_options(view: &crate::catalog::ViewDef) -> Value {
    if view.options.is_empty() {
        return Value::Null;
    }
    let items = view.options.iter().map(|o| text(o.clone())).collect();
    Value::Array(Box::new(crate::array::Array::one_dim(items)))
}

/// A role's settings as `rolconfig`/`setconfig` show them (`name=value` items); NULL for none.
fn setting_array<'s>(settings: impl Iterator<Item = &'s crate::catalog::RoleSetting>) -> Value {
    let items: Vec<Value> = settings
        .map(|s| text(format!("{}={}", s.name, s.value)))
        .collect();
    if items.is_empty() {
        return Value::Null;
    }
    Value::Array(Box::new(crate::array::Array::one_dim(items)))
}

/// The OID of the role called `name` (the bootstrap superuser's when there is none).
fn role_oid(catalog: &Catalog, name: Option<&str>) -> i64 {
    let Some(name) = name else { return OWNER };
    catalog.roles.get(name).map_or_else(
        || crate::catalog::predefined_role_oid(name).unwrap_or(OWNER),
        |role| role.oid,
    )
}

/// The name of the role whose OID is `oid` (the bootstrap superuser's is [`OWNER`]), if any.
pub fn role_named(catalog: &Catalog, oid: i64) -> Option<String> {
    if oid == OWNER {
        return Some(crate::catalog::BOOTSTRAP_ROLE.to_string());
    }
    let named = catalog.roles.values().find(|role| role.oid == oid);
    named.map(|role| role.name.clone()).or_else(|| {
        crate::catalog::PREDEFINED_ROLES
            .iter()
            .find(|(_, predefined)| *predefined == oid)
            .map(|(name, _)| name.to_string())
    })
}

/// Whether a catalog column is of PostgreSQL's `name` type (Keel holds it as text): the
/// catalogs' `*name` columns (relname, typname, nspname, attname, rolname, ...), but not the
/// text ones that end so (pg_settings.name, pg_stat_activity.application_name).
pub fn is_name_column(column: &str, ty: DataType) -> bool {
    ty == DataType::Text
        && column.ends_with("name")
        && !matches!(column, "name" | "application_name" | "client_hostname")
}

fn int2_array(items: impl IntoIterator<Item = i64>) -> Value {
    let items: Vec<Value> = items.into_iter().map(Value::Int).collect();
    if items.is_empty() {
        return Value::Null;
    }
    Value::Array(Box::new(crate::array::Array::one_dim(items)))
}

/// `attstorage`: plain for fixed-size types, main for numeric, extended for the rest.
pub(crate) fn storage(ty: DataType) -> &'static str {
    match ty {
        DataType::Numeric | DataType::Decimal(..) => "m",
        ty if ty.size() > 0 => "p",
        _ => "x",
    }
}

/// The collation a column of `ty` carries (0: none).
fn collation(ty: DataType) -> i64 {
    if ty.is_string() && ty != DataType::Unknown {
        DEFAULT_COLLATION
    } else {
        0
    }
}

/// One session as `pg_stat_activity` shows it (the server keeps these; see [`Backends`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub pid: i32,
    pub user: String,
    pub database: String,
    pub application_name: String,
    pub client_addr: String,
    pub client_port: i32,
    /// Timestamps: microseconds since 2000-01-01 UTC.
    pub backend_start: i64,
    pub xact_start: Option<i64>,
    pub query_start: Option<i64>,
    pub state_change: i64,
    /// `active`, `idle`, `idle in transaction`, `idle in transaction (aborted)`.
    pub state: &'static str,
    /// The running statement, or the last one when idle.
    pub query: String,
    /// The session's transaction id now (0: none), kept current by its session
    /// (`Session::txn_id`); read for `pg_locks`.
    pub txn_cell: TxnCell,
    /// The transaction (when the snapshot was taken) and the transactions it waits for.
    pub txn: Option<u64>,
    pub waiting_for: Vec<u64>,
    /// The connection's TLS, when it has it (`pg_stat_ssl`).
    pub ssl: Option<SslInfo>,
}

/// A TLS connection as `pg_stat_ssl` shows it: protocol version and cipher suite by OpenSSL's
/// names (what PostgreSQL shows), the cipher's key bits.
#[derive(Debug, Clone, PartialEq)]
pub struct SslInfo {
    pub version: String,
    pub cipher: String,
    pub bits: i32,
}

/// A session's open transaction id (0: none), shared with whoever lists the node's sessions.
#[derive(Debug, Clone, Default)]
pub struct TxnCell(pub std::sync::Arc<std::sync::atomic::AtomicU64>);

impl TxnCell {
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set(&self, txn: u64) {
        self.0.store(txn, std::sync::atomic::Ordering::Relaxed)
    }
}

impl PartialEq for TxnCell {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The node's client sessions, as the server knows them.
pub trait Backends: std::fmt::Debug {
    /// Every session on the node, for `pg_stat_activity`.
    fn activity(&self) -> Vec<Activity>;
    /// `pg_cancel_backend(pid)` (`terminate` false: cancels its running statement) or
    /// `pg_terminate_backend(pid)` (ends the session), asked by role `by`. Ok(false): no such
    /// session. 42501 when `by` may not signal it (PostgreSQL's rules: superusers signal anyone,
    /// others only sessions of their own role that are not superusers').
    fn signal(&self, pid: i32, terminate: bool, by: &str) -> crate::error::SqlResult<bool>;
    /// `pg_stat_reset()` (None: every activity counter) or
    /// `pg_stat_reset_single_table_counters(oid)` (that table's and its indexes'; an OID that
    /// is no table's resets nothing).
    fn reset_stats(&self, what: crate::pgstat::Reset);
    /// The node's client authentication rules (`pg_hba_file_rules`).
    fn hba_rules(&self) -> Vec<HbaRule>;
    /// The node's configuration file as it reads now (`pg_file_settings`).
    fn file_settings(&self) -> Vec<FileSetting>;
    /// The node's advisory locks, held and awaited (`pg_locks`).
    fn locks(&self) -> Vec<crate::locks::Listed>;
}

/// The table whose `pg_class` OID is `oid`, and the ids of its secondary indexes.
pub fn table_of_oid(
    catalog: &Catalog,
    oid: i64,
) -> Option<(keel_storage::TableId, Vec<keel_storage::TableId>)> {
    catalog
        .tables
        .values()
        .find(|table| table_oid(table) == oid)
        .map(|table| (table.id, table.indexes.iter().map(|i| i.id).collect()))
}

/// The OID of the schema a relation's catalog key is in.
fn schema_oid(catalog: &Catalog, key: &str) -> i64 {
    match crate::catalog::split_name(key).0 {
        "pg_catalog" => PG_CATALOG,
        "information_schema" => INFORMATION_SCHEMA,
        schema => catalog.schemas.get(schema).map_or(PUBLIC, |s| s.oid),
    }
}

/// Where the OIDs of enum labels (`pg_enum.oid`) start.
const ENUM_LABEL_OIDS: i64 = 1 << 40;

/// The OID of enum type `id` (ids come from the catalog's id counter, as tables' do).
pub fn enum_oid(id: u64) -> i64 {
    FIRST_OID + id as i64
}

/// The OID of enum type `id`'s array type.
pub fn enum_array_oid(id: u64) -> i64 {
    ENUM_ARRAY_OIDS + id as i64
}

/// The enum type whose array type has this OID, when it is one that exists.
pub fn enum_of_array_oid(oid: i64) -> Option<u32> {
    let id = u32::try_from(oid.checked_sub(ENUM_ARRAY_OIDS)?).ok()?;
    (oid < ENUM_ARRAY_OIDS + (1 << 24) && crate::enums::lookup(id).is_some()).then_some(id)
}

fn table_oid(table: &TableDef) -> i64 {
    FIRST_OID + table.id as i64
}

fn pkey_oid(table: &TableDef) -> i64 {
    PKEY_OIDS + table.id as i64
}

/// A table's indexes as the per-index views list them, primary key first: (OID, catalog key
/// of its name, what its activity counters are kept under).
fn relation_indexes(table: &TableDef) -> Vec<(i64, String, crate::pgstat::IndexRef)> {
    let pkey = (!table.primary_key.is_empty()).then(|| {
        let id = crate::pgstat::IndexRef::PrimaryKey(table.id);
        (pkey_oid(table), table.pkey_name(), id)
    });
    let secondary = table.indexes.iter().map(|index| {
        let id = crate::pgstat::IndexRef::Secondary(index.id);
        (FIRST_OID + index.id as i64, index.name.clone(), id)
    });
    pkey.into_iter().chain(secondary).collect()
}

/// A column default's OID (`pg_attrdef`).
fn attrdef_oid(table: &TableDef, column: usize) -> i64 {
    ATTRDEF_OIDS + table.id as i64 * 1024 + column as i64
}

fn sequence_oid(seq: &SequenceDef) -> i64 {
    FIRST_OID + seq.id as i64
}

/// The OID of the relation a lock is on (`pg_locks.relation`, deadlock reports): a table's,
/// a sequence's or a view's, by catalog id.
pub fn locked_relation_oid(catalog: &Catalog, id: keel_storage::TableId) -> i64 {
    match catalog
        .views
        .values()
        .enumerate()
        .find(|(_, view)| view.id == id)
    {
        Some((at, view)) => view_oid(at, view),
        None => FIRST_OID + id as i64,
    }
}

/// A view's columns as a table's would be listed: with the types they had when it was made,
/// nullable, without defaults.
pub(crate) fn view_column_defs(view: &crate::catalog::ViewDef) -> Vec<crate::catalog::ColumnDef> {
    let columns = view.columns.iter().zip(&view.types);
    columns
        .map(|(name, &ty)| crate::catalog::ColumnDef::new(name.clone(), ty))
        .collect()
}

/// A view's OID: its id above [`FIRST_OID`], as a table's, so it stays the view's while others
/// come and go. A view stored before views had ids (id 0) is numbered by its place among the
/// views above [`VIEW_OIDS`].
fn view_oid(position: usize, view: &crate::catalog::ViewDef) -> i64 {
    match view.id {
        0 => VIEW_OIDS + position as i64,
        id => FIRST_OID + id as i64,
    }
}

/// Whether `seq` is an identity column's.
fn is_identity_sequence(catalog: &Catalog, seq: &SequenceDef) -> bool {
    seq.owned_by.as_ref().is_some_and(|(table, column)| {
        catalog.tables.get(table).is_some_and(|t| {
            t.column_index(column)
                .is_some_and(|c| t.columns[c].identity.is_some())
        })
    })
}

/// The system relation `schema.name` names (`schema` None: unqualified, which finds the
/// `pg_catalog` ones, as PostgreSQL searches pg_catalog first).
pub fn relation(
    catalog: &Catalog,
    session: &SessionInfo,
    schema: Option<&str>,
    name: &str,
) -> Option<SystemRelation> {
    build(Builder::default(), catalog, session, schema, name)
}

/// [`relation`], made with `out` (a builder that may ask for other rows, see [`system_rows`]).
fn build(
    mut out: Builder,
    catalog: &Catalog,
    session: &SessionInfo,
    schema: Option<&str>,
    name: &str,
) -> Option<SystemRelation> {
    match (schema, name) {
        (None | Some("pg_catalog"), name) => pg_catalog(&mut out, catalog, session, name)?,
        (Some("information_schema"), name) => information_schema(&mut out, catalog, session, name)?,
        _ => return None,
    }
    // A catalog table's rows carry its OID as the system column `tableoid` (pg_dump reads
    // it): the last column, which `*` leaves out.
    let mut system_columns = 0;
    let table = catalog_oid(name).filter(|oid| *oid < FIRST_VIEW_OID);
    if let (None | Some("pg_catalog"), Some(oid)) = (schema, table) {
        out.columns.push(OutputColumn {
            name: "tableoid".into(),
            ty: I8,
            source: None,
        });
        for row in &mut out.rows {
            row.push(int(oid));
        }
        system_columns = 1;
    }
    Some(SystemRelation {
        columns: out.columns,
        rows: out.rows,
        shared: out.shared,
        system_columns,
    })
}

/// The rows `name` holds that are the same for every statement, with the `tableoid` column:
/// pg_class's and pg_attribute's about the system relations themselves, pg_proc's built-in
/// functions. Built once per process (by the relation's own code over an empty catalog) and
/// shared.
fn system_rows(name: &'static str) -> std::sync::Arc<Vec<Vec<Value>>> {
    type Shared = std::sync::OnceLock<std::sync::Arc<Vec<Vec<Value>>>>;
    static CLASSES: Shared = std::sync::OnceLock::new();
    static ATTRIBUTES: Shared = std::sync::OnceLock::new();
    static PROCS: Shared = std::sync::OnceLock::new();
    let cell = match name {
        "pg_class" => &CLASSES,
        "pg_attribute" => &ATTRIBUTES,
        _ => &PROCS,
    };
    let rows = cell.get_or_init(|| {
        let out = Builder {
            inline_system: true,
            ..Builder::default()
        };
        let (catalog, session) = (Catalog::default(), SessionInfo::default());
        let built = build(out, &catalog, &session, None, name).expect("a system catalog");
        std::sync::Arc::new(built.rows)
    });
    rows.clone()
}

#[derive(Default)]
struct Builder {
    columns: Vec<OutputColumn>,
    rows: Vec<Vec<Value>>,
    /// Only the columns are wanted (see [`system_classes`]): rows are dropped, and `pg_class`
    /// and `pg_attribute` leave out the system relations (which this builds).
    columns_only: bool,
    /// The rows [`system_rows`] shares are made here, among the others (building them),
    /// instead of shared.
    inline_system: bool,
    shared: Vec<std::sync::Arc<Vec<Vec<Value>>>>,
}

impl Builder {
    fn columns(&mut self, columns: &[(&str, DataType)]) {
        self.columns = columns
            .iter()
            .map(|(name, ty)| OutputColumn {
                name: name.to_string(),
                ty: *ty,
                source: None,
            })
            .collect();
    }
    fn row(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        if !self.columns_only {
            self.rows.push(row);
        }
    }
    /// Adds `name`'s rows that are the same for every statement ([`system_rows`]), unless
    /// this builder is the one making them, or wants no rows.
    fn share(&mut self, name: &'static str) {
        if !self.columns_only && !self.inline_system {
            self.shared.push(system_rows(name));
        }
    }
}

fn text(value: impl Into<String>) -> Value {
    Value::Text(value.into())
}

fn int(value: impl Into<i64>) -> Value {
    Value::Int(value.into())
}

fn opt_int(value: Option<i64>) -> Value {
    value.map_or(Value::Null, Value::Int)
}

fn yes_no(yes: bool) -> Value {
    text(if yes { "YES" } else { "NO" })
}

const T: DataType = DataType::Text;
const I2: DataType = DataType::Int2;
const I4: DataType = DataType::Int4;
const I8: DataType = DataType::Int8;
const B: DataType = DataType::Bool;
const F8: DataType = DataType::Float8;

/// PostgreSQL's internal type names (`pg_type.typname`, information_schema's `udt_name`).
fn type_name(ty: DataType) -> &'static str {
    match ty.expression_type() {
        DataType::Bool => "bool",
        DataType::Int2 => "int2",
        DataType::Int4 => "int4",
        DataType::Int8 => "int8",
        DataType::Float4 => "float4",
        DataType::Float8 => "float8",
        DataType::Numeric | DataType::Decimal(..) => "numeric",
        DataType::Text => "text",
        DataType::Varchar(_) => "varchar",
        DataType::Char(_) => "bpchar",
        DataType::Timestamp => "timestamp",
        DataType::TimestampTz => "timestamptz",
        DataType::Date => "date",
        DataType::Interval => "interval",
        DataType::Uuid => "uuid",
        DataType::Bytea => "bytea",
        DataType::Json => "json",
        DataType::Jsonb => "jsonb",
        DataType::JsonPath => "jsonpath",
        DataType::Unknown => "unknown",
        DataType::Int2Vector => "int2vector",
        DataType::Record(_) => "record",
        DataType::Oid => "oid",
        DataType::Reg(kind) => kind.type_name(),
        DataType::Time => "time",
        // (A column of an enum type names its type itself: see information_schema.columns.)
        DataType::Enum(_) => "anyenum",
        DataType::TimestampP(_)
        | DataType::TimestampTzP(_)
        | DataType::TimeP(_)
        | DataType::IntervalP(_) => unreachable!("expression types have no precision"),
        DataType::Array(elem) => match elem.ty() {
            DataType::Bool => "_bool",
            DataType::Int2 => "_int2",
            DataType::Int4 => "_int4",
            DataType::Int8 => "_int8",
            DataType::Float4 => "_float4",
            DataType::Float8 => "_float8",
            DataType::Numeric | DataType::Decimal(..) => "_numeric",
            DataType::Varchar(_) => "_varchar",
            DataType::Char(_) => "_bpchar",
            DataType::Timestamp => "_timestamp",
            DataType::TimestampTz => "_timestamptz",
            DataType::Date => "_date",
            DataType::Interval => "_interval",
            DataType::Uuid => "_uuid",
            DataType::Bytea => "_bytea",
            DataType::Json => "_json",
            DataType::Jsonb => "_jsonb",
            DataType::JsonPath => "_jsonpath",
            DataType::Oid => "_oid",
            DataType::Time => "_time",
            _ => "_text",
        },
    }
}

/// A type's support functions as `pg_type` names them (regproc, "-" for none): input, output,
/// receive, send, typmod input and output, analyze, subscript; by `typname` ("anyenum" and
/// "anyarray" for those kinds).
/// The `pg_type` row of the array type `_name` over the user-defined type keyed `key` (owned by
/// `owner`), whose OID is `element`; `align` as the element's.
fn user_array_type_row(
    catalog: &Catalog,
    (key, owner): (&str, Option<&str>),
    oid: i64,
    element: i64,
    align: &str,
) -> Vec<Value> {
    let mut row = vec![
        int(oid),
        text(format!("_{}", crate::catalog::relname(key))),
        int(schema_oid(catalog, key)),
        int(role_oid(catalog, owner)),
        int(-1),
        Value::Bool(false),
        text("b"),
        text("A"),
        Value::Bool(true),
        int(0),
        int(element),
        int(0),
        text(","),
        int(0),
        int(-1),
        Value::Bool(false),
        int(0),
        Value::Null,
        text("x"),
        text(align),
        Value::Null,
    ];
    row.extend(array_type_functions().map(regproc));
    row.push(Value::Null);
    row
}

/// The functions of an array type over a type without a modifier (a user-defined type's).
fn array_type_functions() -> [&'static str; 8] {
    let [input, output, receive, send, ..] = type_functions("anyarray");
    let (analyze, subscript) = ("array_typanalyze", "array_subscript_handler");
    [input, output, receive, send, "-", "-", analyze, subscript]
}

fn type_functions(typname: &str) -> [&'static str; 8] {
    let io: [&'static str; 4] = match typname {
        "bool" => ["boolin", "boolout", "boolrecv", "boolsend"],
        "int2" => ["int2in", "int2out", "int2recv", "int2send"],
        "int4" => ["int4in", "int4out", "int4recv", "int4send"],
        "int8" => ["int8in", "int8out", "int8recv", "int8send"],
        "float4" => ["float4in", "float4out", "float4recv", "float4send"],
        "float8" => ["float8in", "float8out", "float8recv", "float8send"],
        "numeric" => ["numeric_in", "numeric_out", "numeric_recv", "numeric_send"],
        "text" => ["textin", "textout", "textrecv", "textsend"],
        "varchar" => ["varcharin", "varcharout", "varcharrecv", "varcharsend"],
        "bpchar" => ["bpcharin", "bpcharout", "bpcharrecv", "bpcharsend"],
        "timestamp" => [
            "timestamp_in",
            "timestamp_out",
            "timestamp_recv",
            "timestamp_send",
        ],
        "timestamptz" => [
            "timestamptz_in",
            "timestamptz_out",
            "timestamptz_recv",
            "timestamptz_send",
        ],
        "date" => ["date_in", "date_out", "date_recv", "date_send"],
        "time" => ["time_in", "time_out", "time_recv", "time_send"],
        "interval" => [
            "interval_in",
            "interval_out",
            "interval_recv",
            "interval_send",
        ],
        "uuid" => ["uuid_in", "uuid_out", "uuid_recv", "uuid_send"],
        "bytea" => ["byteain", "byteaout", "bytearecv", "byteasend"],
        "json" => ["json_in", "json_out", "json_recv", "json_send"],
        "jsonb" => ["jsonb_in", "jsonb_out", "jsonb_recv", "jsonb_send"],
        "jsonpath" => [
            "jsonpath_in",
            "jsonpath_out",
            "jsonpath_recv",
            "jsonpath_send",
        ],
        "oid" => ["oidin", "oidout", "oidrecv", "oidsend"],
        "regclass" => ["regclassin", "regclassout", "regclassrecv", "regclasssend"],
        "regtype" => ["regtypein", "regtypeout", "regtyperecv", "regtypesend"],
        "regnamespace" => [
            "regnamespacein",
            "regnamespaceout",
            "regnamespacerecv",
            "regnamespacesend",
        ],
        "regrole" => ["regrolein", "regroleout", "regrolerecv", "regrolesend"],
        "regproc" => ["regprocin", "regprocout", "regprocrecv", "regprocsend"],
        "regprocedure" => [
            "regprocedurein",
            "regprocedureout",
            "regprocedurerecv",
            "regproceduresend",
        ],
        "anyenum" => ["enum_in", "enum_out", "enum_recv", "enum_send"],
        "record" => ["record_in", "record_out", "record_recv", "record_send"],
        "anyarray" => ["array_in", "array_out", "array_recv", "array_send"],
        _ => ["-", "-", "-", "-"],
    };
    let modifier: [&'static str; 2] = match typname {
        "varchar" => ["varchartypmodin", "varchartypmodout"],
        "bpchar" => ["bpchartypmodin", "bpchartypmodout"],
        "numeric" => ["numerictypmodin", "numerictypmodout"],
        "timestamp" => ["timestamptypmodin", "timestamptypmodout"],
        "timestamptz" => ["timestamptztypmodin", "timestamptztypmodout"],
        "time" => ["timetypmodin", "timetypmodout"],
        "interval" => ["intervaltypmodin", "intervaltypmodout"],
        _ => ["-", "-"],
    };
    [
        io[0],
        io[1],
        io[2],
        io[3],
        modifier[0],
        modifier[1],
        "-",
        "-",
    ]
}

/// The base types `pg_type` lists: (type, category).
const TYPES: &[(DataType, &str)] = &[
    (DataType::Bool, "B"),
    (DataType::Int2, "N"),
    (DataType::Int4, "N"),
    (DataType::Int8, "N"),
    (DataType::Float4, "N"),
    (DataType::Float8, "N"),
    (DataType::Numeric, "N"),
    (DataType::Text, "S"),
    (DataType::Varchar(None), "S"),
    (DataType::Char(1), "S"),
    (DataType::Timestamp, "D"),
    (DataType::TimestampTz, "D"),
    (DataType::Date, "D"),
    (DataType::Interval, "T"),
    (DataType::Uuid, "U"),
    (DataType::Bytea, "U"),
    (DataType::Json, "U"),
    (DataType::Jsonb, "U"),
    (DataType::JsonPath, "U"),
    (DataType::Oid, "N"),
    (DataType::Time, "D"),
    (DataType::Reg(crate::types::RegKind::Class), "N"),
    (DataType::Reg(crate::types::RegKind::Type), "N"),
    (DataType::Reg(crate::types::RegKind::Namespace), "N"),
    (DataType::Reg(crate::types::RegKind::Role), "N"),
    (DataType::Reg(crate::types::RegKind::Proc), "N"),
    (DataType::Reg(crate::types::RegKind::Procedure), "N"),
];

/// Relations of the public schema in name order, as pg_class lists them: (oid, name, kind).
/// Storage parameters as `pg_class.reloptions` shows them: `{name=value,...}`, NULL for none.
fn reloptions(options: &[(String, String)]) -> Value {
    if options.is_empty() {
        return Value::Null;
    }
    let items = (options.iter())
        .map(|(name, value)| Value::Text(format!("{name}={value}")))
        .collect();
    Value::Array(Box::new(crate::array::Array::one_dim(items)))
}

fn user_tables(catalog: &Catalog) -> impl Iterator<Item = &TableDef> {
    catalog.tables.values().map(|t| t.as_ref())
}

/// The tables that are not materialized views (what pg_tables and the information schema
/// show: PostgreSQL leaves materialized views out of them).
fn plain_tables(catalog: &Catalog) -> impl Iterator<Item = &TableDef> {
    user_tables(catalog).filter(|t| t.matview.is_none())
}

/// Every relation's OID and name (tables, indexes, sequences, views), for regclass casts.
pub fn relation_oids(catalog: &Catalog) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for table in user_tables(catalog) {
        out.push((table_oid(table), table.name.clone()));
        if !table.primary_key.is_empty() {
            out.push((pkey_oid(table), table.pkey_name()));
        }
        for index in &table.indexes {
            out.push((FIRST_OID + index.id as i64, index.name.clone()));
        }
    }
    for seq in catalog.sequences.values() {
        out.push((sequence_oid(seq), seq.name.clone()));
    }
    for (i, view) in catalog.views.values().enumerate() {
        out.push((view_oid(i, view), view.name.clone()));
    }
    for def in catalog.composites.values() {
        out.push((def.relation_oid(), def.name.clone()));
    }
    out
}

/// Column `i`'s default `default` as pg_get_expr and information_schema show it: deparsed as
/// PostgreSQL prints it (`CURRENT_TIMESTAMP`, a literal with its cast), else as
/// [`shown_default`] shows the stored text.
fn column_default(
    (binder, catalog, session): (&mut crate::bind::Binder<'_>, &Catalog, &SessionInfo),
    table: &TableDef,
    i: usize,
    default: &str,
) -> String {
    binder.deparse_default(table, i).map_or_else(
        || shown_default(catalog, session, default, table.columns[i].ty),
        |(plain, _)| plain,
    )
}

/// Generated column `i`'s expression as pg_get_expr and information_schema show it: deparsed
/// as PostgreSQL prints it, else as written (None: no generated column).
fn generation_text(
    binder: &mut crate::bind::Binder<'_>,
    table: &TableDef,
    i: usize,
) -> Option<String> {
    let sql = &table.columns[i].generated.as_ref()?.sql;
    Some(
        binder
            .deparse_generation(table, i)
            .map_or_else(|| sql.clone(), |(plain, _)| plain),
    )
}

/// A column default as the session sees it: deparsed (see [`deparsed_default`]), with each
/// sequence in `nextval('...'::regclass)` named bare when the search path finds it so, and
/// schema-qualified otherwise (PostgreSQL prints the regclass constant that way).
fn shown_default(catalog: &Catalog, session: &SessionInfo, default: &str, ty: DataType) -> String {
    let schemas = catalog.search_schemas(&session.search_path, &session.user);
    let text = deparsed_default(default, ty, &schemas);
    let Some((name_at, length, key)) = default_sequence(&text) else {
        return text;
    };
    let shown = catalog.display_name(&key, &schemas);
    format!("{}{shown}{}", &text[..name_at], &text[name_at + length..])
}

/// The sequence a column default's `nextval('...'::regclass)` names: where the name is in the
/// text, its length, and the sequence's key.
fn default_sequence(text: &str) -> Option<(usize, usize, String)> {
    const OPEN: &str = "nextval('";
    const CLOSE: &str = "'::regclass)";
    let name_at = text.find(OPEN)? + OPEN.len();
    let length = text[name_at..].find(CLOSE)?;
    // Stored by key as regclass text (see `catalog::regclass_text`): quotes come off.
    let written = crate::bind::regclass_name(&text[name_at..name_at + length].replace("''", "'"));
    let key = match written.split_once('.') {
        Some((schema, relation)) => crate::catalog::qualify(schema, relation),
        None => written,
    };
    Some((name_at, length, key))
}

/// A column default as PostgreSQL deparses it: a quoted literal carries its type's cast (an
/// enum type named as a session searching `schemas` finds it).
fn deparsed_default(default: &str, ty: DataType, schemas: &[&str]) -> String {
    let quoted = default.len() >= 2
        && default.starts_with('\'')
        && default.ends_with('\'')
        && !default[1..default.len() - 1]
            .replace("''", "")
            .contains('\'');
    if !quoted {
        return default.to_string();
    }
    let name = match ty {
        DataType::Varchar(_) => "character varying".to_string(),
        DataType::Char(_) => "bpchar".to_string(),
        DataType::Decimal(..) => "numeric".to_string(),
        DataType::Enum(_) | DataType::Record(_) => {
            crate::catalog::user_type_display_name(ty, schemas).unwrap_or_else(|| ty.name())
        }
        // (timestamp(0)'s literal is a timestamp's.)
        other => other.expression_type().name(),
    };
    format!("{default}::{name}")
}

/// The sequence a SERIAL or identity column takes its values from (`pg_get_serial_sequence`):
/// (table, column, schema-qualified sequence name).
pub fn serial_sequences(catalog: &Catalog) -> Vec<(String, String, String)> {
    catalog
        .sequences
        .values()
        .filter_map(|seq| {
            let (table, column) = seq.owned_by.as_ref()?;
            Some((table.clone(), column.clone(), {
                let (schema, relation) = crate::catalog::split_name(&seq.name);
                format!("{schema}.{relation}")
            }))
        })
        .collect()
}

/// One of the session's named prepared statements, as `pg_prepared_statements` shows it.
#[derive(Debug, Clone)]
pub struct PreparedStatement {
    pub name: String,
    pub statement: String,
    /// When it was prepared (a timestamp).
    pub prepare_time: i64,
    pub parameter_types: Vec<DataType>,
    pub from_sql: bool,
    pub executions: u64,
}

/// A client authentication rule, as `pg_hba_file_rules` shows it.
#[derive(Debug, Clone)]
pub struct HbaRule {
    pub line: i32,
    pub kind: &'static str,
    pub databases: Vec<String>,
    pub users: Vec<String>,
    pub address: String,
    pub netmask: Option<String>,
    pub method: &'static str,
}

/// One setting of the node's configuration file, as `pg_file_settings` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSetting {
    pub sourcefile: String,
    /// The line, None when the file could not be read.
    pub sourceline: Option<i32>,
    pub seqno: Option<i32>,
    /// `section.key`; None for a line that does not parse.
    pub name: Option<String>,
    pub setting: Option<String>,
    /// Whether the node runs with this value.
    pub applied: bool,
    pub error: Option<String>,
}

/// One of the session's open cursors, as `pg_cursors` shows it.
#[derive(Debug, Clone)]
pub struct CursorInfo {
    pub name: String,
    pub statement: String,
    pub holdable: bool,
    pub binary: bool,
    pub scrollable: bool,
    /// When it was declared (a timestamp).
    pub created: i64,
}

/// The schemas' OIDs and names, for regnamespace casts.
pub fn namespace_oids(catalog: &Catalog) -> Vec<(i64, String)> {
    let mut out = vec![
        (PG_CATALOG, "pg_catalog".into()),
        (PUBLIC, "public".into()),
        (INFORMATION_SCHEMA, "information_schema".into()),
    ];
    out.extend(catalog.schemas.values().map(|s| (s.oid, s.name.clone())));
    out
}

/// Every role's OID and name (`regrole`), after OID 0, which reads as `-` (no role) as in
/// PostgreSQL.
pub fn role_oids(catalog: &Catalog) -> Vec<(i64, String)> {
    std::iter::once((0, "-".to_string()))
        .chain(catalog.all_roles().into_iter().map(|r| (r.oid, r.name)))
        .collect()
}

/// Every view's and materialized view's OID and query text (`pg_get_viewdef`), as `session`
/// reads it. Each as PostgreSQL deparses it, plain and pretty (see `Binder::deparse_view`), or
/// else as written (both forms the same): (OID, plain, pretty), the views' first in
/// `catalog.views` order.
pub fn view_defs(catalog: &Catalog, session: &SessionInfo) -> Vec<(i64, String, String)> {
    let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
    let views = (catalog.views.values().enumerate()).map(|(i, view)| (view_oid(i, view), view));
    let matviews =
        user_tables(catalog).filter_map(|table| Some((table_oid(table), &table.matview()?.query)));
    views
        .chain(matviews)
        .map(|(oid, view)| {
            let shown = shown_query(view, session);
            let (plain, pretty) = binder
                .deparse_view(view, &shown)
                .unwrap_or_else(|| (format!(" {shown};"), format!(" {shown};")));
            (oid, plain, pretty)
        })
        .collect()
}

/// A view's query as `session` reads it: a relation qualified where its search path would not
/// find the plain name.
fn shown_query(view: &crate::catalog::ViewDef, session: &SessionInfo) -> String {
    view.query(|schema| {
        session
            .search_path
            .iter()
            .any(|entry| entry == schema || (entry == "$user" && *schema == session.user))
    })
}

/// COMMENT ON texts: (table OID, attnum or 0 for the table, text).
pub fn comments(catalog: &Catalog) -> Vec<(i64, i16, String)> {
    catalog
        .comments
        .iter()
        .filter_map(|c| {
            let table = catalog.table_by_id(c.table)?;
            Some((table_oid(table), c.column, c.text.clone()))
        })
        .collect()
}

/// A type's `typname` by OID (`int4`, `_text`, `any`); `???` for none Keel knows.
fn oid_typname(oid: i64) -> String {
    match oid {
        18 => return "char".into(),
        19 => return "name".into(),
        _ => {}
    }
    if let Some((_, typname, _)) = crate::functions::SIGNATURE_TYPES
        .iter()
        .find(|(o, ..)| *o == oid)
    {
        return typname.to_string();
    }
    match DataType::from_oid(oid as u32) {
        Ok(Some(ty)) => type_name(ty).to_string(),
        _ => "???".into(),
    }
}

/// `data_type` as information_schema shows a type by OID: `ARRAY` for an array type, else
/// the type's `format_type` name (every type here is a built-in one).
fn schema_data_type(oid: i64) -> String {
    let array = matches!(DataType::from_oid(oid as u32), Ok(Some(DataType::Array(_))))
        || matches!(oid, 22 | 30 | 1003 | 1263);
    if array {
        "ARRAY".into()
    } else {
        crate::functions::type_display(oid)
    }
}

/// The collations pg_collation lists: default, C, POSIX.
pub const COLLATION_OIDS: [i64; 3] = [DEFAULT_COLLATION, 950, 951];

/// PostgreSQL's encodings by number, as `pg_encoding_to_char` names them.
pub const ENCODINGS: &[(i64, &str)] = &[
    (0, "SQL_ASCII"),
    (1, "EUC_JP"),
    (2, "EUC_CN"),
    (3, "EUC_KR"),
    (4, "EUC_TW"),
    (5, "EUC_JIS_2004"),
    (6, "UTF8"),
    (7, "MULE_INTERNAL"),
    (8, "LATIN1"),
    (9, "LATIN2"),
    (10, "LATIN3"),
    (11, "LATIN4"),
    (12, "LATIN5"),
    (13, "LATIN6"),
    (14, "LATIN7"),
    (15, "LATIN8"),
    (16, "LATIN9"),
    (17, "LATIN10"),
    (18, "WIN1256"),
    (19, "WIN1258"),
    (20, "WIN866"),
    (21, "WIN874"),
    (22, "KOI8R"),
    (23, "WIN1251"),
    (24, "WIN1252"),
    (25, "ISO_8859_5"),
    (26, "ISO_8859_6"),
    (27, "ISO_8859_7"),
    (28, "ISO_8859_8"),
    (29, "WIN1250"),
    (30, "WIN1253"),
    (31, "WIN1254"),
    (32, "WIN1255"),
    (33, "WIN1257"),
    (34, "KOI8U"),
    (35, "SJIS"),
    (36, "BIG5"),
    (37, "GBK"),
    (38, "UHC"),
    (39, "GB18030"),
    (40, "JOHAB"),
    (41, "SHIFT_JIS_2004"),
];

/// A `regproc` column's type.
const REGPROC: DataType = DataType::Reg(crate::types::RegKind::Proc);

/// A catalog's `regproc` value: the OID of the built-in function of that name (each name a
/// catalog holds is one function's), 0 for `-` (none).
fn regproc(name: &str) -> Value {
    let oid = BUILTIN_PROCS
        .iter()
        .find(|proc| proc.name == name)
        .map_or(0, |proc| proc.oid);
    debug_assert!(oid != 0 || name == "-", "{name} is not in pg_proc");
    int(oid)
}

/// The built-in function with this OID (`procs::BUILTIN_PROCS` is in OID order).
pub fn builtin_proc(oid: i64) -> Option<&'static BuiltinProc> {
    BUILTIN_PROCS
        .binary_search_by_key(&oid, |proc| proc.oid)
        .ok()
        .map(|at| &BUILTIN_PROCS[at])
}

/// A function as `regprocedure` prints it: its name (quoted as an identifier needs) and its
/// argument types as `format_type` names them, `lower(text)`, `concat("any")`.
pub fn proc_signature(proc: &BuiltinProc) -> String {
    let args: Vec<String> = proc
        .args
        .iter()
        .map(|&oid| crate::functions::type_display(oid))
        .collect();
    format!(
        "{}({})",
        crate::functions::quote_ident(proc.name),
        args.join(",")
    )
}

/// The OIDs of the built-in functions a `regproc` or `regprocedure` text names: `name` (every
/// function of that name), or `name(type, ...)` (the one with those argument types; type names
/// as a cast spells them). Names may be qualified by `pg_catalog`; None when the text is no
/// such name (an unknown type, unbalanced parentheses).
pub fn procs_named(text: &str) -> Option<Vec<i64>> {
    let text = text.trim();
    let (name, args) = match text.find('(') {
        Some(open) => {
            let inner = text[open + 1..].strip_suffix(')')?;
            let args: Option<Vec<i64>> = if inner.trim().is_empty() {
                Some(Vec::new())
            } else {
                split_top_level(inner)
                    .iter()
                    .map(|arg| crate::functions::type_oid(arg.trim()))
                    .collect()
            };
            (&text[..open], Some(args?))
        }
        None => (text, None),
    };
    let name = crate::bind::regclass_name(name.trim());
    let name = name.strip_prefix("pg_catalog.").unwrap_or(&name);
    Some(
        BUILTIN_PROCS
            .iter()
            .filter(|proc| proc.name == name && args.as_deref().is_none_or(|a| a == proc.args))
            .map(|proc| proc.oid)
            .collect(),
    )
}

/// `text` split at the commas outside parentheses and double quotes (`numeric(10,2), text`).
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut quoted, mut start) = (Vec::new(), 0i32, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// System catalogs that `'pg_catalog.name'::regclass` names, with PostgreSQL's OIDs.
pub const CATALOG_OIDS: &[(&str, i64)] = &[
    ("pg_type", PG_TYPE),
    ("pg_attribute", 1249),
    ("pg_proc", 1255),
    ("pg_class", PG_CLASS),
    ("pg_attrdef", 2604),
    ("pg_constraint", 2606),
    ("pg_index", 2610),
    ("pg_namespace", 2615),
    ("pg_depend", 2608),
    ("pg_shdepend", 1214),
    ("pg_description", 2609),
    ("pg_database", 1262),
    ("pg_authid", PG_AUTHID),
    ("pg_sequence", 2224),
    ("pg_extension", 3079),
    ("pg_tablespace", 1213),
    ("pg_roles", 12_000),
    ("pg_user", 12_014),
    ("pg_shadow", 12_005),
    ("pg_aggregate", 2600),
    ("pg_am", 2601),
    ("pg_amop", 2602),
    ("pg_amproc", 2603),
    ("pg_auth_members", 1261),
    ("pg_cast", 2605),
    ("pg_collation", 3456),
    ("pg_conversion", 2607),
    ("pg_db_role_setting", 2964),
    ("pg_default_acl", 826),
    ("pg_enum", 3501),
    ("pg_event_trigger", 3466),
    ("pg_foreign_data_wrapper", 2328),
    ("pg_foreign_server", 1417),
    ("pg_foreign_table", 3118),
    ("pg_inherits", 2611),
    ("pg_init_privs", 3394),
    ("pg_language", 2612),
    ("pg_largeobject_metadata", 2995),
    ("pg_opclass", 2616),
    ("pg_operator", 2617),
    ("pg_opfamily", 2753),
    ("pg_parameter_acl", 6243),
    ("pg_partitioned_table", 3350),
    ("pg_policy", 3256),
    ("pg_publication", 6104),
    ("pg_publication_namespace", 6237),
    ("pg_publication_rel", 6106),
    ("pg_range", 3541),
    ("pg_rewrite", 2618),
    ("pg_seclabel", 3596),
    ("pg_shdescription", 2396),
    ("pg_shseclabel", 3592),
    ("pg_statistic", 2619),
    ("pg_statistic_ext", 3381),
    ("pg_subscription", 6100),
    ("pg_transform", 3576),
    ("pg_trigger", 2620),
    ("pg_ts_config", 3602),
    ("pg_ts_dict", 3600),
    ("pg_ts_parser", 3601),
    ("pg_ts_template", 3764),
    ("pg_user_mapping", 1418),
    ("pg_group", 12_010),
    ("pg_rules", 12_023),
    ("pg_matviews", 12_038),
    ("pg_available_extensions", 12_081),
    ("pg_available_extension_versions", 12_085),
    ("pg_prepared_xacts", 12_090),
    ("pg_stat_replication", 12_227),
    ("pg_replication_slots", 12_257),
    ("pg_prepared_statements", 12_095),
    ("pg_cursors", 12_077),
    ("pg_stat_wal", 12_293),
    ("pg_stat_ssl", 12_249),
    ("pg_stat_bgwriter", 12_289),
    ("pg_stat_archiver", 12_285),
    ("pg_timezone_names", 12_126),
    ("pg_timezone_abbrevs", 12_122),
    ("pg_hba_file_rules", 12_114),
    ("pg_file_settings", 12_110),
    ("pg_stat_database_conflicts", 12_271),
    ("pg_stat_gssapi", 12_253),
    ("pg_indexes", 12_043),
    ("pg_locks", 12_073),
    ("pg_policies", 12_018),
    ("pg_seclabels", 12_099),
    ("pg_sequences", 12_048),
    ("pg_settings", 12_104),
    ("pg_stat_activity", 12_222),
    ("pg_stat_all_indexes", 12_183),
    ("pg_stat_all_tables", 12_142),
    ("pg_stat_database", 12_266),
    ("pg_stat_sys_indexes", 12_188),
    ("pg_stat_sys_tables", 12_152),
    ("pg_stat_user_indexes", 12_192),
    ("pg_stat_user_tables", 12_161),
    ("pg_statio_all_indexes", 12_196),
    ("pg_statio_all_tables", 12_170),
    ("pg_statio_sys_indexes", 12_201),
    ("pg_statio_sys_tables", 12_175),
    ("pg_statio_user_indexes", 12_205),
    ("pg_statio_user_tables", 12_179),
    ("pg_stats", 12_053),
    ("pg_tables", 12_033),
    ("pg_views", 12_028),
    ("pg_ident_file_mappings", 12_118),
    ("pg_largeobject", 2613),
    ("pg_publication_tables", 12_068),
    ("pg_replication_origin", 6000),
    ("pg_replication_origin_status", 12_332),
    ("pg_stat_progress_basebackup", 12_317),
    ("pg_stat_progress_cluster", 12_307),
    ("pg_stat_replication_slots", 12_262),
    ("pg_stat_subscription", 12_244),
    ("pg_stat_subscription_stats", 12_336),
    ("pg_stat_user_functions", 12_275),
    ("pg_stat_wal_receiver", 12_236),
    ("pg_stat_xact_user_functions", 12_280),
    ("pg_statistic_ext_data", 3429),
    ("pg_stats_ext", 12_058),
    ("pg_stats_ext_exprs", 12_063),
    ("pg_subscription_rel", 6102),
    ("pg_ts_config_map", 3603),
    ("pg_user_mappings", 12_327),
];

/// The OID of a system catalog by name (`'pg_catalog.pg_class'::regclass`), PostgreSQL's own;
/// information_schema's views by their qualified names.
pub fn catalog_oid(name: &str) -> Option<i64> {
    let (list, name) = match name.strip_prefix("information_schema.") {
        Some(view) => (INFORMATION_SCHEMA_OIDS, view),
        None => (
            CATALOG_OIDS,
            name.strip_prefix("pg_catalog.").unwrap_or(name),
        ),
    };
    list.iter()
        .find(|(catalog, _)| *catalog == name)
        .map(|(_, oid)| *oid)
}

/// The system relations' OIDs and the names `regclass` shows them by: pg_catalog's bare (it
/// is always searched first), information_schema's qualified.
pub fn catalog_names() -> impl Iterator<Item = (i64, String)> {
    let pg = CATALOG_OIDS
        .iter()
        .map(|(name, oid)| (*oid, name.to_string()));
    let info = (INFORMATION_SCHEMA_OIDS.iter())
        .map(|(name, oid)| (*oid, format!("information_schema.{name}")));
    pg.chain(info)
}

/// PostgreSQL 15's initdb numbers its system views from here on; below are the catalog
/// tables, which alone carry the system column `tableoid`.
pub(crate) const FIRST_VIEW_OID: i64 = 12_000;

/// The information_schema views Keel answers, with PostgreSQL 15's OIDs.
pub const INFORMATION_SCHEMA_OIDS: &[(&str, i64)] = &[
    ("applicable_roles", 13_236),
    ("check_constraints", 13_260),
    ("column_privileges", 13_285),
    ("columns", 13_295),
    ("constraint_column_usage", 13_300),
    ("domain_constraints", 13_310),
    ("domains", 13_320),
    ("enabled_roles", 13_325),
    ("key_column_usage", 13_329),
    ("parameters", 13_334),
    ("referential_constraints", 13_339),
    ("role_table_grants", 13_421),
    ("routines", 13_377),
    ("schemata", 13_382),
    ("sequences", 13_386),
    ("table_constraints", 13_411),
    ("table_privileges", 13_416),
    ("tables", 13_425),
    ("views", 13_483),
];

/// A system catalog's ACL, as PostgreSQL's initdb leaves it: owned by the bootstrap
/// superuser, who grants SELECT to PUBLIC on all but those that hold secrets or the server's
/// files.
pub fn catalog_acl(name: &str) -> Vec<crate::catalog::AclItem> {
    let owner = crate::catalog::BOOTSTRAP_ROLE.to_string();
    let mut acl = vec![crate::catalog::AclItem {
        grantee: owner.clone(),
        grantor: owner.clone(),
        privileges: crate::catalog::TABLE_ALL,
        grantable: 0,
    }];
    if !is_private_catalog(name) {
        // pg_settings is also updatable (`UPDATE pg_settings` is a SET).
        let update = match name {
            "pg_settings" => crate::catalog::PRIV_UPDATE,
            _ => 0,
        };
        acl.push(crate::catalog::AclItem {
            grantee: String::new(),
            grantor: owner,
            privileges: crate::catalog::PRIV_SELECT | update,
            grantable: 0,
        });
    }
    acl
}

/// Whether only superusers may read system catalog `name` (no SELECT for PUBLIC).
pub fn is_private_catalog(name: &str) -> bool {
    matches!(
        name,
        "pg_authid"
            | "pg_shadow"
            | "pg_statistic"
            | "pg_statistic_ext_data"
            | "pg_user_mapping"
            | "pg_subscription"
            | "pg_largeobject"
            | "pg_hba_file_rules"
            | "pg_ident_file_mappings"
            | "pg_file_settings"
            | "pg_replication_origin_status"
    )
}

/// The catalogs shared by all databases of a PostgreSQL cluster (`relisshared`): pg_tablespace,
/// pg_shdepend, pg_authid, pg_auth_members, pg_database, pg_shdescription, pg_db_role_setting,
/// pg_shseclabel, pg_replication_origin, pg_subscription, pg_parameter_acl.
const SHARED_CATALOGS: [i64; 11] = [
    1213, 1214, 1260, 1261, 1262, 2396, 2964, 3592, 6000, 6100, 6243,
];

/// A system relation as `pg_class` and `pg_attribute` list it.
struct SystemClass {
    oid: i64,
    namespace: i64,
    name: &'static str,
    columns: Vec<(String, DataType)>,
}

/// Every system relation Keel answers (pg_catalog's and information_schema's) with its
/// columns: built once per process from the relations themselves over an empty catalog, as a
/// relation's columns never depend on what the catalog holds.
fn system_classes() -> &'static [SystemClass] {
    static CLASSES: std::sync::OnceLock<Vec<SystemClass>> = std::sync::OnceLock::new();
    CLASSES.get_or_init(|| {
        let catalog = Catalog::default();
        let session = SessionInfo::default();
        let pg = CATALOG_OIDS.iter().map(|entry| (PG_CATALOG, entry));
        let info = (INFORMATION_SCHEMA_OIDS.iter()).map(|entry| (INFORMATION_SCHEMA, entry));
        pg.chain(info)
            .filter_map(|(namespace, &(name, oid))| {
                let mut out = Builder {
                    columns_only: true,
                    ..Builder::default()
                };
                match namespace {
                    PG_CATALOG => pg_catalog(&mut out, &catalog, &session, name)?,
                    _ => information_schema(&mut out, &catalog, &session, name)?,
                }
                let columns = out.columns.into_iter().map(|c| (c.name, c.ty)).collect();
                Some(SystemClass {
                    oid,
                    namespace,
                    name,
                    columns,
                })
            })
            .collect()
    })
}

/// The type OID `pg_attribute` shows for a system relation's column: PostgreSQL's, where Keel
/// holds it otherwise (`name` as text; `oid` as bigint: every bigint column of a catalog
/// table but pg_sequence's values, and a view's that name an object; `xid` as bigint).
fn shown_column_type(relation: i64, column: &str, ty: DataType) -> i64 {
    const NAME: i64 = 19;
    const OID: i64 = 26;
    const XID: i64 = 28;
    const OID_ARRAY: i64 = 1028;
    let xid = column.ends_with("xid")
        || column.ends_with("xmin")
        || matches!(column, "transactionid" | "transaction");
    let object = if relation < FIRST_VIEW_OID {
        !column.starts_with("seq") || column.ends_with("id")
    } else {
        column == "oid"
            || (column.ends_with("id") && column != "query_id")
            || column.ends_with("oid")
            || matches!(
                column,
                "database" | "relation" | "objnamespace" | "grolist" | "umuser"
            )
    };
    // The system views' owner and tablespace names (`tableowner`, `tablespace`).
    let named = column.ends_with("owner") || column == "tablespace";
    match ty {
        ty if is_name_column(column, ty) => NAME,
        T if named && relation >= FIRST_VIEW_OID => NAME,
        I8 if xid => XID,
        I8 if object => OID,
        DataType::Array(_) if ty.element() == Some(I8) && object => OID_ARRAY,
        ty => i64::from(ty.oid()),
    }
}

/// The bytes `function` (pg_relation_size, pg_table_size, pg_indexes_size or
/// pg_total_relation_size) reports for each relation OID, from the bytes of each table's trees
/// (`sizes`, by table id). A table's own size is its tree (its primary key is the tree's key, so
/// the primary key index takes no pages of its own); its indexes are their hidden tables.
/// Sequences and views take none here.
pub fn relation_sizes(
    catalog: &Catalog,
    sizes: &[(keel_storage::TableId, u64)],
    function: &str,
) -> Vec<(i64, i64)> {
    let by_table: std::collections::HashMap<_, _> = sizes.iter().copied().collect();
    let bytes = |id: keel_storage::TableId| by_table.get(&id).map_or(0, |b| *b as i64);
    let mut out = Vec::new();
    for table in user_tables(catalog) {
        let own = bytes(table.id);
        let indexes: i64 = table.indexes.iter().map(|index| bytes(index.id)).sum();
        let value = match function {
            "pg_indexes_size" => indexes,
            "pg_total_relation_size" => own + indexes,
            _ => own,
        };
        out.push((table_oid(table), value));
        let index_value = |size: i64| {
            if function == "pg_indexes_size" {
                0
            } else {
                size
            }
        };
        if !table.primary_key.is_empty() {
            out.push((pkey_oid(table), 0));
        }
        for index in &table.indexes {
            out.push((FIRST_OID + index.id as i64, index_value(bytes(index.id))));
        }
    }
    for seq in catalog.sequences.values() {
        out.push((sequence_oid(seq), 0));
    }
    for (i, view) in catalog.views.values().enumerate() {
        out.push((view_oid(i, view), 0));
    }
    out
}

/// A relation's OID by name.
pub fn relation_oid(catalog: &Catalog, name: &str) -> Option<i64> {
    relation_oids(catalog)
        .into_iter()
        .find(|(_, n)| n == name)
        .map(|(oid, _)| oid)
}

/// `pg_get_indexdef` of every index: (index OID, definition); `pretty` as its third argument
/// (a partial index's condition without its outer parentheses).
pub fn index_defs(catalog: &Catalog, session: &SessionInfo, pretty: bool) -> Vec<(i64, String)> {
    let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
    let mut defs = Vec::new();
    for table in user_tables(catalog) {
        if !table.primary_key.is_empty() {
            defs.push((pkey_oid(table), pkey_def(table)));
        }
        for index in &table.indexes {
            let predicate = deparsed_predicate(&mut binder, table, index);
            let keys = deparsed_keys(&mut binder, table, index);
            defs.push((
                FIRST_OID + index.id as i64,
                index_def(table, index, pretty, predicate, &keys),
            ));
        }
    }
    defs
}

/// A partial index's predicate as PostgreSQL deparses it, plain and pretty (None: no predicate,
/// or one the deparser keeps as written; see `bind::deparse`).
pub fn deparsed_predicate(
    binder: &mut crate::bind::Binder<'_>,
    table: &TableDef,
    index: &IndexDef,
) -> Option<(String, String)> {
    binder.deparse_row_expr(table, index.predicate.as_deref()?)
}

/// An index's key parts as `pg_get_indexdef` prints them, plain and pretty: a column's name,
/// an expression as PostgreSQL deparses it (with the casts it leaves implicit: `lower((note)::
/// text)` of a varchar), in parentheses unless it is a call; one the deparser does not know as
/// written.
pub fn deparsed_keys(
    binder: &mut crate::bind::Binder<'_>,
    table: &TableDef,
    index: &IndexDef,
) -> Vec<(String, String)> {
    if index.expressions.is_empty() {
        let names = index.key_texts(table, false);
        return names.into_iter().map(|name| (name.clone(), name)).collect();
    }
    let key = crate::catalog::IndexDef::expression_key;
    (index.expressions.iter())
        .map(|text| match binder.deparse_row_expr(table, text) {
            Some((plain, pretty)) => (key(&plain, false), key(&pretty, true)),
            None => (key(text, false), key(text, true)),
        })
        .collect()
}

/// Every index's columns in order, as `pg_get_indexdef(index, n, pretty)` gives them: its key
/// parts (see [`deparsed_keys`]), then its INCLUDE columns; (index OID, (plain, pretty) texts).
pub fn index_columns(
    catalog: &Catalog,
    session: &SessionInfo,
) -> Vec<(i64, Vec<(String, String)>)> {
    let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
    let mut out = Vec::new();
    for table in user_tables(catalog) {
        if !table.primary_key.is_empty() {
            let names = table.primary_key.iter().chain(&table.primary_key_include);
            let names = names.map(|&c| {
                let name = crate::functions::quote_ident(&table.columns[c].name);
                (name.clone(), name)
            });
            out.push((pkey_oid(table), names.collect()));
        }
        for index in &table.indexes {
            let mut keys = deparsed_keys(&mut binder, table, index);
            keys.extend(index.include.iter().map(|&c| {
                let name = crate::functions::quote_ident(&table.columns[c].name);
                (name.clone(), name)
            }));
            out.push((FIRST_OID + index.id as i64, keys));
        }
    }
    out
}

/// `pg_am`'s OID of the GIN access method (btree's is 403).
const GIN_AM: i64 = 2742;

/// The text of `pg_get_indexdef` for a table's primary key index.
pub fn pkey_def(table: &TableDef) -> String {
    let names = |columns: &[usize]| -> Vec<String> {
        (columns.iter())
            .map(|&c| crate::functions::quote_ident(&table.columns[c].name))
            .collect()
    };
    let (keys, include) = (names(&table.primary_key), names(&table.primary_key_include));
    index_text(
        table,
        &table.pkey_name(),
        (&keys, &include),
        &[],
        true,
        "btree",
    )
}

/// The text of `pg_get_indexdef` for a secondary index of `table`.
/// `predicate`: its deparsed forms (see [`deparsed_predicate`]); `keys` its key parts' (see
/// [`deparsed_keys`]).
pub fn index_def(
    table: &TableDef,
    index: &IndexDef,
    pretty: bool,
    predicate: Option<(String, String)>,
    keys: &[(String, String)],
) -> String {
    let predicate = match &predicate {
        Some((_, shown)) if pretty => Some(shown.as_str()),
        Some((plain, _)) => Some(plain.as_str()),
        None => index.predicate_text(pretty),
    };
    let mut keys: Vec<String> = keys
        .iter()
        .map(|(plain, shown)| if pretty { shown } else { plain }.clone())
        .collect();
    // A GIN index names its operator class when it is not the type's default.
    if let (Some(class), Some(key)) = (index.gin, keys.first_mut()) {
        if !class.is_default() {
            key.push(' ');
            key.push_str(class.name());
        }
    }
    let include: Vec<String> = (index.include.iter())
        .map(|&c| crate::functions::quote_ident(&table.columns[c].name))
        .collect();
    let mut text = index_text(
        table,
        &index.name,
        (&keys, &include),
        &index.options,
        index.unique,
        if index.gin.is_some() { "gin" } else { "btree" },
    );
    // PostgreSQL's order: ... INCLUDE (...) NULLS NOT DISTINCT WITH (name='value', ...) WHERE
    // predicate; a value that needs no quotes as an identifier is bare (flatten_reloptions).
    if index.nulls_not_distinct {
        text.push_str(" NULLS NOT DISTINCT");
    }
    if !index.storage.is_empty() {
        let options: Vec<String> = (index.storage.iter())
            .map(
                |(name, value)| match crate::functions::quote_ident(value) == *value {
                    true => format!("{name}={value}"),
                    false => format!("{name}='{}'", value.replace('\'', "''")),
                },
            )
            .collect();
        text.push_str(&format!(" WITH ({})", options.join(", ")));
    }
    if let Some(predicate) = predicate {
        text.push_str(" WHERE ");
        text.push_str(predicate);
    }
    text
}

/// `CREATE [UNIQUE] INDEX name ON schema.table USING method (keys) [INCLUDE (columns)]`, each
/// key with its `indoption` bits: DESC, and NULLS FIRST/LAST where it is not the direction's
/// default.
fn index_text(
    table: &TableDef,
    name: &str,
    (keys, include): (&[String], &[String]),
    options: &[i16],
    unique: bool,
    method: &str,
) -> String {
    let keys: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let option = options.get(i).copied().unwrap_or(0);
            let mut key = key.clone();
            match (option & 1 == 1, option & 2 == 2) {
                (true, true) => key.push_str(" DESC"),
                (true, false) => key.push_str(" DESC NULLS LAST"),
                (false, true) => key.push_str(" NULLS FIRST"),
                (false, false) => {}
            }
            key
        })
        .collect();
    let (schema, relation) = crate::catalog::split_name(&table.name);
    let mut text = format!(
        "CREATE {}INDEX {} ON {}.{} USING {method} ({})",
        if unique { "UNIQUE " } else { "" },
        crate::functions::quote_ident(crate::catalog::relname(name)),
        crate::functions::quote_ident(schema),
        crate::functions::quote_ident(relation),
        keys.join(", ")
    );
    if !include.is_empty() {
        text.push_str(&format!(" INCLUDE ({})", include.join(", ")));
    }
    text
}

fn pg_catalog(
    out: &mut Builder,
    catalog: &Catalog,
    session: &SessionInfo,
    name: &str,
) -> Option<()> {
    match name {
        // The session's settings, described as PostgreSQL describes them (`SETTINGS`); a
        // setting with a unit shows its value in that unit, as PostgreSQL's `setting` does.
        "pg_settings" => {
            out.columns(&[
                ("name", T),
                ("setting", T),
                ("unit", T),
                ("category", T),
                ("short_desc", T),
                ("extra_desc", T),
                ("context", T),
                ("vartype", T),
                ("source", T),
                ("min_val", T),
                ("max_val", T),
                ("enumvals", DataType::Text.array()),
                ("boot_val", T),
                ("reset_val", T),
                ("sourcefile", T),
                ("sourceline", I4),
                ("pending_restart", B),
            ]);
            let defaults: std::collections::BTreeMap<String, String> =
                crate::exec::Settings::new(&session.user)
                    .all()
                    .into_iter()
                    .map(|(name, value)| (name.to_lowercase(), value))
                    .collect();
            for (name, value) in &session.settings {
                let lower = name.to_lowercase();
                // PostgreSQL leaves these out of SHOW ALL and pg_settings.
                if matches!(lower.as_str(), "is_superuser" | "session_authorization") {
                    continue;
                }
                let meta = SETTINGS
                    .binary_search_by(|meta| meta.name.cmp(lower.as_str()))
                    .ok()
                    .map(|at| &SETTINGS[at]);
                let optional = |text_: &str| {
                    if text_.is_empty() {
                        Value::Null
                    } else {
                        text(text_)
                    }
                };
                let shown = |value: &str| match meta {
                    Some(meta) => setting_in_unit(meta, value),
                    None => value.to_string(),
                };
                let boot = defaults.get(&lower);
                let source = if boot == Some(value) {
                    "default"
                } else {
                    "session"
                };
                let enumvals = match meta {
                    Some(meta) if !meta.enumvals.is_empty() => Value::Array(Box::new(
                        crate::array::Array::one_dim(meta.enumvals.split('|').map(text).collect()),
                    )),
                    _ => Value::Null,
                };
                let boot = boot.map_or(Value::Null, |boot| text(shown(boot)));
                out.row(vec![
                    text(name.clone()),
                    text(shown(value)),
                    meta.map_or(Value::Null, |meta| optional(meta.unit)),
                    text(meta.map_or("Customized Options", |meta| meta.category)),
                    meta.map_or(Value::Null, |meta| optional(meta.short_desc)),
                    meta.map_or(Value::Null, |meta| optional(meta.extra_desc)),
                    text(meta.map_or("user", |meta| meta.context)),
                    text(meta.map_or("string", |meta| meta.vartype)),
                    text(source),
                    meta.map_or(Value::Null, |meta| optional(meta.min)),
                    meta.map_or(Value::Null, |meta| optional(meta.max)),
                    enumvals,
                    boot.clone(),
                    boot,
                    Value::Null,
                    Value::Null,
                    Value::Bool(false),
                ]);
            }
        }
        "pg_description" => {
            out.columns(&[
                ("objoid", I8),
                ("classoid", I8),
                ("objsubid", I4),
                ("description", T),
            ]);
            for (oid, attnum, text_) in comments(catalog) {
                out.row(vec![int(oid), int(PG_CLASS), int(attnum), text(text_)]);
            }
            for proc in BUILTIN_PROCS {
                if let Some(description) = proc.description {
                    out.row(vec![int(proc.oid), int(PG_PROC), int(0), text(description)]);
                }
            }
            out.row(vec![
                int(PUBLIC),
                int(PG_NAMESPACE),
                int(0),
                text(PUBLIC_COMMENT),
            ]);
        }
        "pg_attrdef" => {
            out.columns(&[("oid", I8), ("adrelid", I8), ("adnum", I2), ("adbin", T)]);
            let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
            for table in user_tables(catalog) {
                for (i, column) in table.columns.iter().enumerate() {
                    if let Some(expression) = generation_text(&mut binder, table, i) {
                        out.row(vec![
                            int(attrdef_oid(table, i)),
                            int(table_oid(table)),
                            int(i as i64 + 1),
                            text(expression),
                        ]);
                    }
                    if let (Some(default), None) = (&column.default, column.identity) {
                        out.row(vec![
                            int(attrdef_oid(table, i)),
                            int(table_oid(table)),
                            int(i as i64 + 1),
                            // The expression's text, as pg_get_expr gives it back: PostgreSQL
                            // prints a quoted literal with its cast.
                            text(column_default(
                                (&mut binder, catalog, session),
                                table,
                                i,
                                default,
                            )),
                        ]);
                    }
                }
            }
        }
        // Logical replication is not there: no publications.
        "pg_publication" => out.columns(&[
            ("oid", I8),
            ("pubname", T),
            ("pubowner", I8),
            ("puballtables", B),
            ("pubinsert", B),
            ("pubupdate", B),
            ("pubdelete", B),
            ("pubtruncate", B),
            ("pubviaroot", B),
        ]),
        "pg_publication_namespace" => out.columns(&[("oid", I8), ("pnpubid", I8), ("pnnspid", I8)]),
        "pg_constraint" => {
            out.columns(&[
                ("oid", I8),
                ("conname", T),
                ("connamespace", I8),
                ("contype", T),
                ("condeferrable", B),
                ("condeferred", B),
                ("convalidated", B),
                ("conrelid", I8),
                ("contypid", I8),
                ("conindid", I8),
                ("conparentid", I8),
                ("confrelid", I8),
                ("confupdtype", T),
                ("confdeltype", T),
                ("confmatchtype", T),
                ("conislocal", B),
                ("coninhcount", I4),
                ("connoinherit", B),
                ("conkey", DataType::Int2.array()),
                ("confkey", DataType::Int2.array()),
                ("conbin", T),
            ]);
            for c in constraints(
                catalog,
                &catalog.search_schemas(&session.search_path, &session.user),
            ) {
                out.row(vec![
                    int(c.oid),
                    text(c.name),
                    int(schema_oid(catalog, &c.table.name)),
                    text(c.kind),
                    Value::Bool(c.deferrable.0),
                    Value::Bool(c.deferrable.1),
                    Value::Bool(c.validated),
                    int(table_oid(c.table)),
                    int(0),
                    int(c.index),
                    int(0),
                    int(c.references.as_ref().map_or(0, |r| r.0)),
                    text(c.references.as_ref().map_or(" ", |r| r.2)),
                    text(c.references.as_ref().map_or(" ", |r| r.3)),
                    text(if c.references.is_some() { "s" } else { " " }),
                    Value::Bool(true),
                    int(0),
                    Value::Bool(c.kind == "c"),
                    int2_array(c.columns.iter().map(|&i| i as i64 + 1)),
                    c.references.as_ref().map_or(Value::Null, |r| {
                        int2_array(r.1.iter().map(|&i| i as i64 + 1))
                    }),
                    if c.kind == "c" {
                        text(c.def)
                    } else {
                        Value::Null
                    },
                ]);
            }
            for (oid, def, check) in domain_checks(catalog) {
                out.row(vec![
                    int(oid),
                    text(check.name.clone()),
                    int(schema_oid(catalog, &def.name)),
                    text("c"),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(!check.not_valid),
                    int(0),
                    int(def.oid()),
                    int(0),
                    int(0),
                    int(0),
                    text(" "),
                    text(" "),
                    text(" "),
                    Value::Bool(true),
                    int(0),
                    Value::Bool(false),
                    Value::Null,
                    Value::Null,
                    text(format!("CHECK {}", check.sql)),
                ]);
            }
        }
        "pg_collation" => {
            out.columns(&[
                ("oid", I8),
                ("collname", T),
                ("collnamespace", I8),
                ("collowner", I8),
                ("collprovider", T),
                ("collisdeterministic", B),
                ("collencoding", I4),
                ("collcollate", T),
                ("collctype", T),
                ("colliculocale", T),
                ("collversion", T),
            ]);
            let [default, c, posix] = COLLATION_OIDS;
            for (oid, name, provider, encoding, locale) in [
                (default, "default", "d", -1, ""),
                (c, "C", "c", -1, "C"),
                (posix, "POSIX", "c", -1, "POSIX"),
            ] {
                out.row(vec![
                    int(oid),
                    text(name),
                    int(PG_CATALOG),
                    int(OWNER),
                    text(provider),
                    Value::Bool(true),
                    int(encoding),
                    text(locale),
                    text(locale),
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        // Row security, extended statistics, inheritance, triggers and publications are not
        // there: their catalogs are empty.
        "pg_policy" => out.columns(&[
            ("oid", I8),
            ("polname", T),
            ("polrelid", I8),
            ("polcmd", T),
            ("polpermissive", B),
            ("polroles", DataType::Oid.array()),
            ("polqual", T),
            ("polwithcheck", T),
        ]),
        "pg_statistic_ext" => out.columns(&[
            ("oid", I8),
            ("stxrelid", I8),
            ("stxname", T),
            ("stxnamespace", I8),
            ("stxowner", I8),
            ("stxstattarget", I4),
            ("stxkeys", DataType::Int2Vector),
            ("stxkind", DataType::Text.array()),
        ]),
        // The privileges initdb gave: those of pg_catalog and public (pg_dump dumps an ACL only
        // where it differs from these).
        "pg_init_privs" => {
            out.columns(&[
                ("objoid", I8),
                ("classoid", I8),
                ("objsubid", I4),
                ("privtype", T),
                ("initprivs", T.array()),
            ]);
            for (oid, owner) in [
                (PG_CATALOG, crate::catalog::BOOTSTRAP_ROLE),
                (PUBLIC, "pg_database_owner"),
            ] {
                let acl = crate::catalog::schema_acl_of(owner);
                out.row(vec![
                    int(oid),
                    int(PG_NAMESPACE),
                    int(0),
                    text("i"),
                    acl_array(Some(&acl), &crate::catalog::SCHEMA_PRIVILEGES),
                ]);
            }
            // The system relations' privileges as initdb left them (pg_dump dumps only what
            // differs).
            if !out.columns_only {
                for system in system_classes() {
                    out.row(vec![
                        int(system.oid),
                        int(PG_CLASS),
                        int(0),
                        text("i"),
                        acl_array(
                            Some(&catalog_acl(system.name)),
                            &crate::catalog::TABLE_PRIVILEGES,
                        ),
                    ]);
                }
            }
        }
        // Each view's `_RETURN` rule (its query is the view's).
        "pg_rewrite" => {
            out.columns(&[
                ("oid", I8),
                ("rulename", T),
                ("ev_class", I8),
                ("ev_type", T),
                ("ev_enabled", T),
                ("is_instead", B),
                ("ev_qual", T),
                ("ev_action", T),
            ]);
            for (i, view) in catalog.views.values().enumerate() {
                out.row(vec![
                    int(RULE_OIDS + i as i64),
                    text("_RETURN"),
                    int(view_oid(i, view)),
                    text("1"),
                    text("O"),
                    Value::Bool(true),
                    text("<>"),
                    text(view.bound_query()),
                ]);
            }
        }
        "pg_shdepend" => {
            out.columns(&[
                ("dbid", I8),
                ("classid", I8),
                ("objid", I8),
                ("objsubid", I4),
                ("refclassid", I8),
                ("refobjid", I8),
                ("deptype", T),
            ]);
            // Each object's owner ('o') and the roles its ACL names ('a'), as PostgreSQL records
            // them: never the built-in roles (pinned), never the owner twice.
            let mut depend =
                |class: i64,
                 objid: i64,
                 column: usize,
                 owner: i64,
                 acl: Option<&[crate::catalog::AclItem]>| {
                    let mut roles: Vec<(i64, &str)> = Vec::new();
                    if column == 0 {
                        roles.push((owner, "o"));
                    }
                    for item in acl.into_iter().flatten() {
                        for name in [&item.grantee, &item.grantor] {
                            let oid =
                                role_oid(catalog, (!name.is_empty()).then_some(name.as_str()));
                            if oid != owner && !roles.iter().any(|(r, _)| *r == oid) {
                                roles.push((oid, "a"));
                            }
                        }
                    }
                    for (role, deptype) in roles.into_iter().filter(|(r, _)| *r >= FIRST_OID) {
                        out.row(vec![
                            int(DATABASE),
                            int(class),
                            int(objid),
                            int(column as i64),
                            int(PG_AUTHID),
                            int(role),
                            text(deptype),
                        ]);
                    }
                };
            for table in user_tables(catalog) {
                let owner = role_oid(catalog, table.owner.as_deref());
                depend(PG_CLASS, table_oid(table), 0, owner, table.acl.as_deref());
                for (i, column) in table.columns.iter().enumerate() {
                    if column.acl.is_some() {
                        depend(
                            PG_CLASS,
                            table_oid(table),
                            i + 1,
                            owner,
                            column.acl.as_deref(),
                        );
                    }
                }
            }
            for (i, view) in catalog.views.values().enumerate() {
                let owner = role_oid(catalog, view.owner.as_deref());
                depend(PG_CLASS, view_oid(i, view), 0, owner, view.acl.as_deref());
            }
            for seq in catalog.sequences.values() {
                let owner = role_oid(catalog, seq.owner.as_deref());
                depend(PG_CLASS, sequence_oid(seq), 0, owner, seq.acl.as_deref());
            }
            for schema in catalog.schemas.values() {
                let owner = role_oid(catalog, Some(&schema.owner));
                depend(PG_NAMESPACE, schema.oid, 0, owner, schema.acl.as_deref());
            }
            for e in catalog.enums.values() {
                let owner = role_oid(catalog, e.owner.as_deref());
                depend(PG_TYPE, enum_oid(e.id), 0, owner, None);
            }
        }
        "pg_depend" => {
            out.columns(&[
                ("classid", I8),
                ("objid", I8),
                ("objsubid", I4),
                ("refclassid", I8),
                ("refobjid", I8),
                ("refobjsubid", I4),
                ("deptype", T),
            ]);
            // A view's rule is part of the view, and depends on what the view reads (pg_dump
            // orders a view after its tables by these).
            for (i, view) in catalog.views.values().enumerate() {
                let rule = RULE_OIDS + i as i64;
                let mut depend = |on: i64, deptype: &str| {
                    out.row(vec![
                        int(PG_REWRITE),
                        int(rule),
                        int(0),
                        int(PG_CLASS),
                        int(on),
                        int(0),
                        text(deptype),
                    ]);
                };
                depend(view_oid(i, view), "i");
                for read in &view.reads {
                    depend(locked_relation_oid(catalog, *read), "n");
                }
            }
            // A column default that calls nextval depends on its sequence (pg_dump sets such a
            // default after making the sequence).
            for table in user_tables(catalog) {
                for (i, column) in table.columns.iter().enumerate() {
                    let (Some(default), None) = (&column.default, column.identity) else {
                        continue;
                    };
                    let Some(seq) = default_sequence(default)
                        .and_then(|(_, _, key)| catalog.sequences.get(&key))
                    else {
                        continue;
                    };
                    out.row(vec![
                        int(PG_ATTRDEF),
                        int(attrdef_oid(table, i)),
                        int(0),
                        int(PG_CLASS),
                        int(sequence_oid(seq)),
                        int(0),
                        text("n"),
                    ]);
                }
            }
            // A composite type is its relation's (internally), and the relation's fields, as a
            // table's columns, depend on the user-defined types they hold (pg_dump makes a type
            // before what uses it by these).
            let user_type = |ty: DataType, domain: Option<&crate::domains::ColumnDomain>| {
                if let Some(domain) = domain {
                    return Some(crate::domains::oid(domain.id));
                }
                let element = ty.element().unwrap_or(ty);
                let user = matches!(element, DataType::Enum(_))
                    || crate::composites::type_id(element).is_some();
                user.then(|| i64::from(element.oid()))
            };
            let mut on_type = |relation: i64, number: usize, ty: i64| {
                out.row(vec![
                    int(PG_CLASS),
                    int(relation),
                    int(number as i64),
                    int(PG_TYPE),
                    int(ty),
                    int(0),
                    text("n"),
                ]);
            };
            for def in catalog.composites.values() {
                for (i, field) in def.fields.iter().enumerate() {
                    if let Some(ty) = user_type(field.ty, None) {
                        on_type(def.relation_oid(), i + 1, ty);
                    }
                }
            }
            for table in user_tables(catalog) {
                for (i, column) in table.columns.iter().enumerate() {
                    if let Some(ty) = user_type(column.ty, column.domain.as_ref()) {
                        on_type(table_oid(table), i + 1, ty);
                    }
                }
            }
            for def in catalog.composites.values() {
                out.row(vec![
                    int(PG_TYPE),
                    int(def.oid()),
                    int(0),
                    int(PG_CLASS),
                    int(def.relation_oid()),
                    int(0),
                    text("i"),
                ]);
            }
            // A sequence owned by a column: automatic (serial, OWNED BY) or internal (identity).
            for seq in catalog.sequences.values() {
                let Some((table, column)) = &seq.owned_by else {
                    continue;
                };
                let Some(table) = catalog.tables.get(table) else {
                    continue;
                };
                let Some(number) = table.column_index(column) else {
                    continue;
                };
                let identity = table.columns[number].identity.is_some();
                out.row(vec![
                    int(PG_CLASS),
                    int(sequence_oid(seq)),
                    int(0),
                    int(PG_CLASS),
                    int(table_oid(table)),
                    int(number as i64 + 1),
                    text(if identity { "i" } else { "a" }),
                ]);
            }
        }
        // No range types.
        "pg_range" => out.columns(&[
            ("rngtypid", I8),
            ("rngsubtype", I8),
            ("rngmultitypid", I8),
            ("rngcollation", I8),
            ("rngsubopc", I8),
            ("rngcanonical", I8),
            ("rngsubdiff", I8),
        ]),
        "pg_enum" => {
            out.columns(&[
                ("oid", I8),
                ("enumtypid", I8),
                ("enumsortorder", F8),
                ("enumlabel", T),
            ]);
            // A label's OID: its type's, shifted, plus its position (labels are few).
            for def in catalog.enums.values() {
                for (i, (key, label)) in def.labels.iter().enumerate() {
                    out.row(vec![
                        int(ENUM_LABEL_OIDS + enum_oid(def.id) * 1000 + i as i64),
                        int(enum_oid(def.id)),
                        Value::Float(*key as f64 / crate::enums::SPACING as f64),
                        text(label.clone()),
                    ]);
                }
            }
        }
        "pg_inherits" => out.columns(&[
            ("inhrelid", I8),
            ("inhparent", I8),
            ("inhseqno", I4),
            ("inhdetachpending", B),
        ]),
        "pg_trigger" => out.columns(&[
            ("oid", I8),
            ("tgrelid", I8),
            ("tgparentid", I8),
            ("tgname", T),
            ("tgfoid", I8),
            ("tgtype", I2),
            ("tgenabled", T),
            ("tgisinternal", B),
            ("tgconstrrelid", I8),
            ("tgconstrindid", I8),
            ("tgconstraint", I8),
        ]),
        "pg_publication_rel" => out.columns(&[
            ("oid", I8),
            ("prpubid", I8),
            ("prrelid", I8),
            ("prqual", T),
            ("prattrs", DataType::Int2Vector),
        ]),
        "pg_am" => {
            out.columns(&[
                ("oid", I8),
                ("amname", T),
                ("amhandler", REGPROC),
                ("amtype", T),
            ]);
            for (oid, name, handler, kind) in [
                (2, "heap", "heap_tableam_handler", "t"),
                (403, "btree", "bthandler", "i"),
                (405, "hash", "hashhandler", "i"),
                (GIN_AM, "gin", "ginhandler", "i"),
            ] {
                out.row(vec![int(oid), text(name), regproc(handler), text(kind)]);
            }
        }
        "pg_namespace" => {
            out.columns(&[
                ("oid", I8),
                ("nspname", T),
                ("nspowner", I8),
                ("nspacl", DataType::Text.array()),
            ]);
            for (oid, name) in namespace_oids(catalog) {
                let (owner, acl) = catalog.schema_owner_acl(&name).unwrap_or_default();
                out.row(vec![
                    int(oid),
                    text(name),
                    int(role_oid(catalog, Some(&owner))),
                    acl_array(acl.as_deref(), &crate::catalog::SCHEMA_PRIVILEGES),
                ]);
            }
        }
        // PostgreSQL 15's columns in its order; no transaction id wraparound (Keel's ids are
        // 64-bit): neutral frozen-xid values.
        "pg_database" => {
            out.columns(&[
                ("oid", I8),
                ("datname", T),
                ("datdba", I8),
                ("encoding", I4),
                ("datlocprovider", T),
                ("datistemplate", B),
                ("datallowconn", B),
                ("datconnlimit", I4),
                ("datfrozenxid", I8),
                ("datminmxid", I8),
                ("dattablespace", I8),
                ("datcollate", T),
                ("datctype", T),
                ("daticulocale", T),
                ("datcollversion", T),
                ("datacl", DataType::Text.array()),
            ]);
            out.row(vec![
                int(DATABASE),
                text(session.database.clone()),
                int(OWNER),
                int(6),
                text("c"),
                Value::Bool(false),
                Value::Bool(true),
                int(-1),
                int(0),
                int(0),
                int(DEFAULT_TABLESPACE),
                text("C.UTF-8"),
                text("C.UTF-8"),
                Value::Null,
                Value::Null,
                Value::Null,
            ]);
        }
        "pg_roles" | "pg_authid" => {
            let authid = name == "pg_authid";
            let mut columns = vec![
                ("rolname", T),
                ("rolsuper", B),
                ("rolinherit", B),
                ("rolcreaterole", B),
                ("rolcreatedb", B),
                ("rolcanlogin", B),
                ("rolreplication", B),
            ];
            // pg_authid leads with the OID and shows the secret; pg_roles masks it.
            if authid {
                columns.insert(0, ("oid", I8));
                columns.extend([
                    ("rolbypassrls", B),
                    ("rolconnlimit", I4),
                    ("rolpassword", T),
                ]);
                columns.push(("rolvaliduntil", DataType::TimestampTz));
            } else {
                columns.extend([
                    ("rolconnlimit", I4),
                    ("rolpassword", T),
                    ("rolvaliduntil", DataType::TimestampTz),
                    ("rolbypassrls", B),
                    ("rolconfig", DataType::Text.array()),
                    ("oid", I8),
                ]);
            }
            out.columns(&columns);
            for role in catalog.all_roles() {
                let flags = [
                    role.superuser,
                    role.inherit,
                    role.create_role,
                    role.create_db,
                    role.login,
                    role.replication,
                ]
                .map(Value::Bool);
                let mut row = vec![text(role.name.clone())];
                row.extend(flags);
                let until = role.valid_until.map_or(Value::Null, Value::Timestamp);
                if authid {
                    row.insert(0, int(role.oid));
                    row.extend([
                        Value::Bool(role.bypass_rls),
                        int(role.connection_limit),
                        role.password.clone().map_or(Value::Null, text),
                        until,
                    ]);
                } else {
                    row.extend([
                        int(role.connection_limit),
                        text("********"),
                        until,
                        Value::Bool(role.bypass_rls),
                        setting_array(role.settings.iter().filter(|s| s.database.is_none())),
                        int(role.oid),
                    ]);
                }
                out.row(row);
            }
        }
        // Roles that can log in, in the old view's shape.
        "pg_user" | "pg_shadow" => {
            out.columns(&[
                ("usename", T),
                ("usesysid", I8),
                ("usecreatedb", B),
                ("usesuper", B),
                ("userepl", B),
                ("usebypassrls", B),
                ("passwd", T),
                ("valuntil", DataType::TimestampTz),
                ("useconfig", T),
            ]);
            for role in catalog.all_roles().into_iter().filter(|r| r.login) {
                let passwd = if name == "pg_shadow" {
                    role.password.clone().map_or(Value::Null, text)
                } else {
                    text("********")
                };
                out.row(vec![
                    text(role.name.clone()),
                    int(role.oid),
                    Value::Bool(role.create_db),
                    Value::Bool(role.superuser),
                    Value::Bool(role.replication),
                    Value::Bool(role.bypass_rls),
                    passwd,
                    role.valid_until.map_or(Value::Null, Value::Timestamp),
                    Value::Null,
                ]);
            }
        }
        // Locks as PostgreSQL shows the ones Keel has: each transaction's own transaction id
        // and virtual id (held), and a transaction id waited for (not granted) by a session
        // blocked on a row another transaction holds. Row locks themselves are not listed, as in
        // PostgreSQL; table-level locks are not tracked.
        "pg_locks" => {
            out.columns(&[
                ("locktype", T),
                ("database", DataType::Oid),
                ("relation", DataType::Oid),
                ("page", I4),
                ("tuple", I2),
                ("virtualxid", T),
                ("transactionid", I8),
                ("classid", DataType::Oid),
                ("objid", DataType::Oid),
                ("objsubid", I2),
                ("virtualtransaction", T),
                ("pid", I4),
                ("mode", T),
                ("granted", B),
                ("fastpath", B),
                ("waitstart", DataType::TimestampTz),
            ]);
            for other in &session.activity {
                let Some(txn) = other.txn else { continue };
                let virtual_id = format!("{}/{}", other.pid, txn);
                let mut lock = |locktype: &str,
                                virtualxid: Option<String>,
                                xid: Option<u64>,
                                mode: &str,
                                granted: bool| {
                    out.row(vec![
                        text(locktype),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        virtualxid.map_or(Value::Null, Value::Text),
                        xid.map_or(Value::Null, |x| int(x as i64)),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        text(virtual_id.clone()),
                        int(other.pid),
                        text(mode),
                        Value::Bool(granted),
                        Value::Bool(locktype == "virtualxid"),
                        Value::Null,
                    ]);
                };
                lock(
                    "virtualxid",
                    Some(virtual_id.clone()),
                    None,
                    "ExclusiveLock",
                    true,
                );
                lock("transactionid", None, Some(txn), "ExclusiveLock", true);
                for holder in &other.waiting_for {
                    lock("transactionid", None, Some(*holder), "ShareLock", false);
                }
            }
            // Relation and advisory locks held and awaited (see `crate::locks`).
            for listed in &session.locks {
                let (locktype, relation, (classid, objid, objsubid)) = match listed.tag {
                    crate::locks::LockTag::Relation(id) => (
                        "relation",
                        int(locked_relation_oid(catalog, id)),
                        (Value::Null, Value::Null, Value::Null),
                    ),
                    crate::locks::LockTag::Advisory(key) => {
                        let (classid, objid, objsubid) = key.pg_locks_ids();
                        (
                            "advisory",
                            Value::Null,
                            (int(classid), int(objid), int(objsubid)),
                        )
                    }
                    // DDL's catalog lock has no row of its own in PostgreSQL.
                    crate::locks::LockTag::Catalog => continue,
                };
                let virtual_id = session
                    .activity
                    .iter()
                    .find(|a| a.pid == listed.pid)
                    .map_or(Value::Null, |a| {
                        text(format!("{}/{}", a.pid, a.txn.unwrap_or(0)))
                    });
                out.row(vec![
                    text(locktype),
                    int(DATABASE),
                    relation,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    classid,
                    objid,
                    objsubid,
                    virtual_id,
                    int(listed.pid),
                    text(listed.mode.name()),
                    Value::Bool(listed.granted),
                    Value::Bool(listed.fastpath),
                    Value::Null,
                ]);
            }
        }
        // Recovery conflicts happen only on a standby; Keel has none, so the database's row
        // counts none.
        "pg_stat_database_conflicts" => {
            out.columns(&[
                ("datid", I8),
                ("datname", T),
                ("confl_tablespace", I8),
                ("confl_lock", I8),
                ("confl_snapshot", I8),
                ("confl_bufferpin", I8),
                ("confl_deadlock", I8),
            ]);
            let mut row = vec![int(DATABASE), text(session.database.clone())];
            row.extend((0..5).map(|_| int(0)));
            out.row(row);
        }
        // Each session, none authenticated or encrypted by GSSAPI (Keel speaks no GSSAPI).
        "pg_stat_gssapi" => {
            out.columns(&[
                ("pid", I4),
                ("gss_authenticated", B),
                ("principal", T),
                ("encrypted", B),
            ]);
            for other in &session.activity {
                let no = Value::Bool(false);
                out.row(vec![int(other.pid), no.clone(), Value::Null, no]);
            }
        }
        // One row per session; another role's session shows only its pid to a non-superuser
        // (PostgreSQL fills the TLS columns only where pg_stat_activity shows the session).
        // Keel does not ask clients for certificates: no client DN, serial or issuer.
        "pg_stat_ssl" => {
            out.columns(&[
                ("pid", I4),
                ("ssl", B),
                ("version", T),
                ("cipher", T),
                ("bits", I4),
                ("client_dn", T),
                ("client_serial", DataType::Numeric),
                ("issuer_dn", T),
            ]);
            let superuser = catalog.is_superuser(&session.user);
            for other in &session.activity {
                let mut row = vec![Value::Null; 8];
                row[0] = int(other.pid);
                if superuser || other.user == session.user {
                    row[1] = Value::Bool(other.ssl.is_some());
                    if let Some(ssl) = &other.ssl {
                        row[2] = text(ssl.version.clone());
                        row[3] = text(ssl.cipher.clone());
                        row[4] = int(ssl.bits);
                    }
                }
                out.row(row);
            }
        }
        "pg_stat_activity" => {
            out.columns(&[
                ("datid", I8),
                ("datname", T),
                ("pid", I4),
                ("leader_pid", I4),
                ("usesysid", I8),
                ("usename", T),
                ("application_name", T),
                ("client_addr", T),
                ("client_hostname", T),
                ("client_port", I4),
                ("backend_start", DataType::TimestampTz),
                ("xact_start", DataType::TimestampTz),
                ("query_start", DataType::TimestampTz),
                ("state_change", DataType::TimestampTz),
                ("wait_event_type", T),
                ("wait_event", T),
                ("state", T),
                ("backend_xid", T),
                ("backend_xmin", T),
                ("query_id", I8),
                ("query", T),
                ("backend_type", T),
            ]);
            let stamp = |at: Option<i64>| at.map_or(Value::Null, Value::Timestamp);
            let superuser = catalog.is_superuser(&session.user);
            // A wait for a heavyweight lock, by session: PostgreSQL's wait event for its kind.
            let heavy_wait = |pid: i32| {
                session
                    .locks
                    .iter()
                    .find(|l| !l.granted && l.pid == pid)
                    .map(|l| match l.tag {
                        crate::locks::LockTag::Relation(_) => "relation",
                        crate::locks::LockTag::Advisory(_) => "advisory",
                        crate::locks::LockTag::Catalog => "object",
                    })
            };
            for other in &session.activity {
                let role = catalog.role(&other.user);
                // Another role's session shows only who it is to a non-superuser, as in
                // PostgreSQL (no query, address, times or state).
                if !superuser && other.user != session.user {
                    let mut row = vec![Value::Null; 22];
                    row[0] = int(DATABASE);
                    row[1] = text(other.database.clone());
                    row[2] = int(other.pid);
                    row[4] = role.map_or(Value::Null, |r| int(r.oid));
                    row[5] = text(other.user.clone());
                    row[6] = text(other.application_name.clone());
                    row[20] = text("<insufficient privilege>");
                    row[21] = text("client backend");
                    out.row(row);
                    continue;
                }
                let heavy = heavy_wait(other.pid);
                let session = other;
                let waits = !session.waiting_for.is_empty() || heavy.is_some();
                out.row(vec![
                    int(DATABASE),
                    text(session.database.clone()),
                    int(session.pid),
                    Value::Null,
                    role.map_or(Value::Null, |r| int(r.oid)),
                    text(session.user.clone()),
                    text(session.application_name.clone()),
                    text(session.client_addr.clone()),
                    Value::Null,
                    int(session.client_port),
                    stamp(Some(session.backend_start)),
                    stamp(session.xact_start),
                    stamp(session.query_start),
                    stamp(Some(session.state_change)),
                    if waits {
                        text("Lock")
                    } else if session.state == "active" {
                        Value::Null
                    } else {
                        text("Client")
                    },
                    if let Some(event) = heavy {
                        text(event)
                    } else if waits {
                        text("transactionid")
                    } else if session.state == "active" {
                        Value::Null
                    } else {
                        text("ClientRead")
                    },
                    text(session.state),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    text(session.query.clone()),
                    text("client backend"),
                ]);
            }
        }
        // ALTER ROLE ... [IN DATABASE db] SET: one row per role and database (0: every one).
        "pg_db_role_setting" => {
            out.columns(&[
                ("setdatabase", I8),
                ("setrole", I8),
                ("setconfig", DataType::Text.array()),
            ]);
            // ALTER DATABASE's (and ALTER ROLE ALL's: database 0 when for every database).
            let mut databases: Vec<Option<&str>> = Vec::new();
            for setting in &catalog.database_settings {
                if !databases.contains(&setting.database.as_deref()) {
                    databases.push(setting.database.as_deref());
                }
            }
            for database in databases {
                let oid = match database {
                    None => 0,
                    Some(name) if name == session.database => DATABASE,
                    Some(_) => DATABASE - 1,
                };
                out.row(vec![
                    int(oid),
                    int(0),
                    setting_array(
                        catalog
                            .database_settings
                            .iter()
                            .filter(|s| s.database.as_deref() == database),
                    ),
                ]);
            }
            for role in catalog.all_roles() {
                let mut databases: Vec<Option<&str>> = Vec::new();
                for setting in &role.settings {
                    if !databases.contains(&setting.database.as_deref()) {
                        databases.push(setting.database.as_deref());
                    }
                }
                for database in databases {
                    // The other database has no pg_database row in this session's view.
                    let oid = match database {
                        None => 0,
                        Some(name) if name == session.database => DATABASE,
                        Some(_) => DATABASE - 1,
                    };
                    out.row(vec![
                        int(oid),
                        int(role.oid),
                        setting_array(
                            role.settings
                                .iter()
                                .filter(|s| s.database.as_deref() == database),
                        ),
                    ]);
                }
            }
        }
        "pg_auth_members" => {
            out.columns(&[
                ("roleid", I8),
                ("member", I8),
                ("grantor", I8),
                ("admin_option", B),
            ]);
            for member in catalog.all_roles() {
                for membership in &member.member_of {
                    out.row(vec![
                        int(role_oid(catalog, Some(&membership.role))),
                        int(member.oid),
                        int(role_oid(catalog, Some(&membership.grantor))),
                        Value::Bool(membership.admin),
                    ]);
                }
            }
        }
        // The session's named prepared statements, SQL's and the protocol's. Keel binds a
        // statement once and runs that plan every time (re-bound only when the catalog changes
        // under it): each execution counts as a generic plan.
        "pg_prepared_statements" => {
            out.columns(&[
                ("name", T),
                ("statement", T),
                ("prepare_time", DataType::TimestampTz),
                ("parameter_types", T.array()),
                ("from_sql", B),
                ("generic_plans", I8),
                ("custom_plans", I8),
            ]);
            for p in &session.prepared {
                let types = (p.parameter_types.iter())
                    .map(|ty| text(crate::functions::type_display(i64::from(ty.oid()))))
                    .collect();
                out.row(vec![
                    text(p.name.clone()),
                    text(p.statement.clone()),
                    Value::Timestamp(p.prepare_time),
                    Value::Array(Box::new(crate::array::Array::one_dim(types))),
                    Value::Bool(p.from_sql),
                    int(p.executions as i64),
                    int(0),
                ]);
            }
        }
        // The client authentication rules the node read at start (`wire.hba_file`).
        "pg_hba_file_rules" => {
            out.columns(&[
                ("line_number", I4),
                ("type", T),
                ("database", T.array()),
                ("user_name", T.array()),
                ("address", T),
                ("netmask", T),
                ("auth_method", T),
                ("options", T.array()),
                ("error", T),
            ]);
            let names = |names: &[String]| {
                let items = names.iter().map(|n| text(n.clone())).collect();
                Value::Array(Box::new(crate::array::Array::one_dim(items)))
            };
            for rule in &session.hba_rules {
                out.row(vec![
                    Value::Int(i64::from(rule.line)),
                    text(rule.kind.to_string()),
                    names(&rule.databases),
                    names(&rule.users),
                    text(rule.address.clone()),
                    rule.netmask.clone().map_or(Value::Null, text),
                    text(rule.method.to_string()),
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        // The node's configuration file (`--config`), read again now: each `section.key`
        // with its line, and whether the node runs with that value (it reads its file only
        // when it starts, so a value changed since is not applied, as a PostgreSQL setting
        // that needs a restart).
        "pg_file_settings" => {
            out.columns(&[
                ("sourcefile", T),
                ("sourceline", I4),
                ("seqno", I4),
                ("name", T),
                ("setting", T),
                ("applied", B),
                ("error", T),
            ]);
            for setting in &session.file_settings {
                out.row(vec![
                    text(setting.sourcefile.clone()),
                    opt_int(setting.sourceline.map(i64::from)),
                    opt_int(setting.seqno.map(i64::from)),
                    setting.name.clone().map_or(Value::Null, text),
                    setting.setting.clone().map_or(Value::Null, text),
                    Value::Bool(setting.applied),
                    setting.error.clone().map_or(Value::Null, text),
                ]);
            }
        }
        // The session's open SQL cursors (DECLARE; the protocol's portals are not listed, as in
        // PostgreSQL).
        "pg_cursors" => {
            out.columns(&[
                ("name", T),
                ("statement", T),
                ("is_holdable", B),
                ("is_binary", B),
                ("is_scrollable", B),
                ("creation_time", DataType::TimestampTz),
            ]);
            for c in &session.cursors {
                out.row(vec![
                    text(c.name.clone()),
                    text(c.statement.clone()),
                    Value::Bool(c.holdable),
                    Value::Bool(c.binary),
                    Value::Bool(c.scrollable),
                    Value::Timestamp(c.created),
                ]);
            }
        }
        // The roles that cannot log in, with their members (PostgreSQL's view over pg_authid).
        "pg_group" => {
            out.columns(&[("groname", T), ("grosysid", I8), ("grolist", I8.array())]);
            let roles = catalog.all_roles();
            for group in roles.iter().filter(|r| !r.login) {
                let members = (roles.iter())
                    .filter(|m| m.member_of.iter().any(|of| of.role == group.name))
                    .map(|m| int(m.oid))
                    .collect();
                out.row(vec![
                    text(group.name.clone()),
                    int(group.oid),
                    Value::Array(Box::new(crate::array::Array::one_dim(members))),
                ]);
            }
        }
        // What Keel has none of, so these are empty, with PostgreSQL 15's columns: comments on
        // databases and roles, rules besides views' own `_RETURN` (which pg_rules leaves out),
        // materialized views, installable extensions, two-phase transactions, replication.
        "pg_shdescription" => out.columns(&[("objoid", I8), ("classoid", I8), ("description", T)]),
        "pg_rules" => out.columns(&[
            ("schemaname", T),
            ("tablename", T),
            ("rulename", T),
            ("definition", T),
        ]),
        "pg_matviews" => {
            out.columns(&[
                ("schemaname", T),
                ("matviewname", T),
                ("matviewowner", T),
                ("tablespace", T),
                ("hasindexes", B),
                ("ispopulated", B),
                ("definition", T),
            ]);
            let defs = view_defs(catalog, session);
            for table in user_tables(catalog) {
                let Some(matview) = table.matview() else {
                    continue;
                };
                let oid = table_oid(table);
                let definition = defs.iter().find(|(o, ..)| *o == oid);
                out.row(vec![
                    text(crate::catalog::split_name(&table.name).0),
                    text(crate::catalog::relname(&table.name)),
                    text(crate::catalog::owner_name(table.owner.as_deref())),
                    Value::Null,
                    Value::Bool(!table.indexes.is_empty()),
                    Value::Bool(matview.populated),
                    definition.map_or(Value::Null, |(_, plain, _)| text(plain)),
                ]);
            }
        }
        "pg_available_extensions" => out.columns(&[
            ("name", T),
            ("default_version", T),
            ("installed_version", T),
            ("comment", T),
        ]),
        "pg_available_extension_versions" => out.columns(&[
            ("name", T),
            ("version", T),
            ("installed", B),
            ("superuser", B),
            ("trusted", B),
            ("relocatable", B),
            ("schema", T),
            ("requires", T.array()),
            ("comment", T),
        ]),
        "pg_prepared_xacts" => out.columns(&[
            ("transaction", I8),
            ("gid", T),
            ("prepared", DataType::TimestampTz),
            ("owner", T),
            ("database", T),
        ]),
        "pg_stat_replication" => out.columns(&[
            ("pid", I4),
            ("usesysid", I8),
            ("usename", T),
            ("application_name", T),
            ("client_addr", T),
            ("client_hostname", T),
            ("client_port", I4),
            ("backend_start", DataType::TimestampTz),
            ("backend_xmin", I8),
            ("state", T),
            ("sent_lsn", T),
            ("write_lsn", T),
            ("flush_lsn", T),
            ("replay_lsn", T),
            ("write_lag", DataType::Interval),
            ("flush_lag", DataType::Interval),
            ("replay_lag", DataType::Interval),
            ("sync_priority", I4),
            ("sync_state", T),
            ("reply_time", DataType::TimestampTz),
        ]),
        "pg_replication_slots" => out.columns(&[
            ("slot_name", T),
            ("plugin", T),
            ("slot_type", T),
            ("datoid", I8),
            ("database", T),
            ("temporary", B),
            ("active", B),
            ("active_pid", I4),
            ("xmin", I8),
            ("catalog_xmin", I8),
            ("restart_lsn", T),
            ("confirmed_flush_lsn", T),
            ("wal_status", T),
            ("safe_wal_size", I8),
            ("two_phase", B),
        ]),
        // No extensions and no user functions yet.
        "pg_extension" => out.columns(&[
            ("oid", I8),
            ("extname", T),
            ("extowner", I8),
            ("extnamespace", I8),
            ("extrelocatable", B),
            ("extversion", T),
            ("extconfig", I8.array()),
            ("extcondition", T.array()),
        ]),
        // The languages the built-in functions are in (`prolang`), with PostgreSQL's OIDs.
        "pg_language" => {
            out.columns(&[
                ("oid", I8),
                ("lanname", T),
                ("lanowner", I8),
                ("lanispl", B),
                ("lanpltrusted", B),
                ("lanplcallfoid", I8),
                ("laninline", I8),
                ("lanvalidator", I8),
                ("lanacl", T.array()),
            ]);
            for (oid, name, trusted, validator) in [
                (12, "internal", false, 2246),
                (13, "c", false, 2247),
                (14, "sql", true, 2248),
            ] {
                out.row(vec![
                    int(oid),
                    text(name),
                    int(OWNER),
                    Value::Bool(false),
                    Value::Bool(trusted),
                    int(0),
                    int(0),
                    int(validator),
                    Value::Null,
                ]);
            }
        }
        // The built-in functions (Keel has no user-defined ones yet).
        "pg_proc" => {
            out.columns(&[
                ("oid", I8),
                ("proname", T),
                ("pronamespace", I8),
                ("proowner", I8),
                ("prolang", I8),
                ("procost", DataType::Float4),
                ("prorows", DataType::Float4),
                ("provariadic", I8),
                ("prosupport", T),
                ("prokind", T),
                ("prosecdef", B),
                ("proleakproof", B),
                ("proisstrict", B),
                ("proretset", B),
                ("provolatile", T),
                ("proparallel", T),
                ("pronargs", I2),
                ("pronargdefaults", I2),
                ("prorettype", I8),
                ("proargtypes", T),
                ("proallargtypes", I8.array()),
                ("proargmodes", T.array()),
                ("proargnames", T.array()),
                ("proargdefaults", T),
                ("protrftypes", I8.array()),
                ("prosrc", T),
                ("probin", T),
                ("prosqlbody", T),
                ("proconfig", T.array()),
                ("proacl", T.array()),
            ]);
            // The built-in functions' rows are the same for every statement: shared.
            if !out.inline_system {
                out.share("pg_proc");
                return Some(());
            }
            for proc in BUILTIN_PROCS {
                let args: Vec<String> = proc.args.iter().map(i64::to_string).collect();
                let names = proc.argnames.map_or(Value::Null, |names| {
                    Value::Array(Box::new(crate::array::Array::one_dim(
                        names.iter().map(|name| text(*name)).collect(),
                    )))
                });
                out.row(vec![
                    int(proc.oid),
                    text(proc.name),
                    int(PG_CATALOG),
                    int(OWNER),
                    int(proc.lang),
                    Value::Float(proc.cost),
                    Value::Float(proc.rows),
                    int(proc.variadic),
                    text("-"),
                    text(proc.kind.to_string()),
                    Value::Bool(proc.secdef),
                    Value::Bool(proc.leakproof),
                    Value::Bool(proc.strict),
                    Value::Bool(proc.retset),
                    text(proc.volatility.to_string()),
                    text(proc.parallel.to_string()),
                    int(proc.args.len() as i64),
                    int(proc.nargdefaults),
                    int(proc.rettype),
                    text(args.join(" ")),
                    proc.allargtypes.map_or(Value::Null, |types| {
                        Value::Array(Box::new(crate::array::Array::one_dim(
                            types.iter().map(|&oid| int(oid)).collect(),
                        )))
                    }),
                    proc.argmodes.map_or(Value::Null, |modes| {
                        Value::Array(Box::new(crate::array::Array::one_dim(
                            modes.chars().map(|mode| text(mode.to_string())).collect(),
                        )))
                    }),
                    names,
                    Value::Null,
                    Value::Null,
                    text(proc.src),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        "pg_tablespace" => {
            out.columns(&[
                ("oid", I8),
                ("spcname", T),
                ("spcowner", I8),
                ("spcacl", DataType::Text.array()),
                ("spcoptions", DataType::Text.array()),
            ]);
            for (oid, name) in [(DEFAULT_TABLESPACE, "pg_default"), (1664, "pg_global")] {
                out.row(vec![
                    int(oid),
                    text(name),
                    int(OWNER),
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        "pg_type" => {
            out.columns(&[
                ("oid", I8),
                ("typname", T),
                ("typnamespace", I8),
                ("typowner", I8),
                ("typlen", I2),
                ("typbyval", B),
                ("typtype", T),
                ("typcategory", T),
                ("typisdefined", B),
                ("typrelid", I8),
                ("typelem", I8),
                ("typarray", I8),
                ("typdelim", T),
                ("typbasetype", I8),
                ("typtypmod", I4),
                ("typnotnull", B),
                ("typcollation", I8),
                ("typdefault", T),
                ("typstorage", T),
                ("typalign", T),
                ("typacl", T.array()),
                ("typinput", REGPROC),
                ("typoutput", REGPROC),
                ("typreceive", REGPROC),
                ("typsend", REGPROC),
                ("typmodin", REGPROC),
                ("typmodout", REGPROC),
                ("typanalyze", REGPROC),
                ("typsubscript", REGPROC),
                ("typdefaultbin", T),
            ]);
            // Fixed-size types are stored plain and aligned to their size; the others are
            // varlena ('x', int-aligned; double-aligned for arrays of 8-byte types).
            let layout = |ty: DataType| match ty.size() {
                1 => ("p", "c"),
                2 => ("p", "s"),
                4 => ("p", "i"),
                8 => ("p", "d"),
                _ => ("x", "i"),
            };
            for &(ty, category) in TYPES {
                let (_, align) = layout(ty);
                let storage = storage(ty);
                let mut row = vec![
                    int(ty.oid()),
                    text(type_name(ty)),
                    int(PG_CATALOG),
                    int(OWNER),
                    int(ty.size()),
                    Value::Bool(matches!(ty.size(), 1 | 2 | 4 | 8)),
                    text("b"),
                    text(category),
                    Value::Bool(true),
                    int(0),
                    int(0),
                    int(ty.array_oid()),
                    text(","),
                    int(0),
                    int(-1),
                    Value::Bool(false),
                    int(collation(ty)),
                    Value::Null,
                    text(storage),
                    text(align),
                    Value::Null,
                ];
                row.extend(type_functions(type_name(ty)).map(regproc));
                row.push(Value::Null);
                out.row(row);
            }
            // Enum types: by value, 4 bytes in PostgreSQL (here their sort key).
            for def in catalog.enums.values() {
                let mut row = vec![
                    int(enum_oid(def.id)),
                    text(def.relname()),
                    int(schema_oid(catalog, &def.name)),
                    int(role_oid(catalog, def.owner.as_deref())),
                    int(4),
                    Value::Bool(true),
                    text("e"),
                    text("E"),
                    Value::Bool(true),
                    int(0),
                    int(0),
                    int(enum_array_oid(def.id)),
                    text(","),
                    int(0),
                    int(-1),
                    Value::Bool(false),
                    int(0),
                    Value::Null,
                    text("p"),
                    text("i"),
                    Value::Null,
                ];
                row.extend(type_functions("anyenum").map(regproc));
                row.push(Value::Null);
                out.row(row);
                // Its array type, `_name`, as PostgreSQL makes one with every type.
                out.row(user_array_type_row(
                    catalog,
                    (&def.name, def.owner.as_deref()),
                    enum_array_oid(def.id),
                    enum_oid(def.id),
                    "i",
                ));
            }
            // Domains: laid out as their base type, which `typbasetype` names (or the domain
            // each is over), with its modifier.
            let schemas = catalog.search_schemas(&session.search_path, &session.user);
            for def in catalog.domains.values() {
                let base = def.base;
                let (_, align) = layout(base);
                let parent = def.parent.and_then(|id| catalog.domain_by_id(id));
                let category = (TYPES.iter())
                    .find(|(ty, _)| type_name(*ty) == type_name(base))
                    .map_or("U", |(_, category)| *category);
                let default = def.default.as_ref().map_or(Value::Null, |default| {
                    text(deparsed_default(default, base, &schemas))
                });
                let mut row = vec![
                    int(def.oid()),
                    text(def.relname()),
                    int(schema_oid(catalog, &def.name)),
                    int(role_oid(catalog, def.owner.as_deref())),
                    int(base.size()),
                    Value::Bool(matches!(base.size(), 1 | 2 | 4 | 8)),
                    text("d"),
                    text(category),
                    Value::Bool(true),
                    int(0),
                    int(0),
                    int(0),
                    text(","),
                    int(parent.map_or(i64::from(base.oid()), |p| p.oid())),
                    int(match parent {
                        Some(_) => -1,
                        None => base.type_modifier(),
                    }),
                    Value::Bool(def.not_null),
                    int(collation(base)),
                    default.clone(),
                    text(storage(base)),
                    text(align),
                    Value::Null,
                ];
                let [_, output, _, send, ..] = type_functions(type_name(base.expression_type()));
                row.extend(
                    ["domain_in", output, "domain_recv", send, "-", "-", "-", "-"].map(regproc),
                );
                // (pg_get_expr of typdefaultbin reads it back as the text it is.)
                row.push(default);
                out.row(row);
            }
            // Composite types: a varlena record over the relation that lists the fields, and
            // the array type over it.
            for def in catalog.composites.values() {
                let owner = role_oid(catalog, def.owner.as_deref());
                let mut row = vec![
                    int(def.oid()),
                    text(def.relname()),
                    int(schema_oid(catalog, &def.name)),
                    int(owner),
                    int(-1),
                    Value::Bool(false),
                    text("c"),
                    text("C"),
                    Value::Bool(true),
                    int(def.relation_oid()),
                    int(0),
                    int(crate::composites::array_oid(def.id)),
                    text(","),
                    int(0),
                    int(-1),
                    Value::Bool(false),
                    int(0),
                    Value::Null,
                    text("x"),
                    text("d"),
                    Value::Null,
                ];
                row.extend(type_functions("record").map(regproc));
                row.push(Value::Null);
                out.row(row);
                out.row(user_array_type_row(
                    catalog,
                    (&def.name, def.owner.as_deref()),
                    crate::composites::array_oid(def.id),
                    def.oid(),
                    "d",
                ));
            }
            // (Keel has no arrays of reg* types: an array of OIDs is oid[].)
            for &(elem, _) in TYPES.iter().filter(|(ty, _)| ty.array_oid() != 0) {
                let ty = elem.array();
                let align = if elem.size() == 8 { "d" } else { "i" };
                let mut row = vec![
                    int(ty.oid()),
                    text(type_name(ty)),
                    int(PG_CATALOG),
                    int(OWNER),
                    int(-1),
                    Value::Bool(false),
                    text("b"),
                    text("A"),
                    Value::Bool(true),
                    int(0),
                    int(elem.oid()),
                    int(0),
                    text(","),
                    int(0),
                    int(-1),
                    Value::Bool(false),
                    int(collation(elem)),
                    Value::Null,
                    text("x"),
                    text(align),
                    Value::Null,
                ];
                let [input, output, receive, send, _, _, analyze, subscript] =
                    array_type_functions();
                let [.., modin, modout, _, _] = type_functions(type_name(elem));
                row.extend(
                    [
                        input, output, receive, send, modin, modout, analyze, subscript,
                    ]
                    .map(regproc),
                );
                row.push(Value::Null);
                out.row(row);
            }
        }
        "pg_class" => {
            // PostgreSQL 15's columns in its order.
            out.columns(&[
                ("oid", I8),
                ("relname", T),
                ("relnamespace", I8),
                ("reltype", I8),
                ("reloftype", I8),
                ("relowner", I8),
                ("relam", I8),
                ("relfilenode", I8),
                ("reltablespace", I8),
                ("relpages", I4),
                ("reltuples", F8),
                ("relallvisible", I4),
                ("reltoastrelid", I8),
                ("relhasindex", B),
                ("relisshared", B),
                ("relpersistence", T),
                ("relkind", T),
                ("relnatts", I2),
                ("relchecks", I2),
                ("relhasrules", B),
                ("relhastriggers", B),
                ("relhassubclass", B),
                ("relrowsecurity", B),
                ("relforcerowsecurity", B),
                ("relispopulated", B),
                ("relreplident", T),
                ("relispartition", B),
                ("relrewrite", I8),
                ("relfrozenxid", I8),
                ("relminmxid", I8),
                ("relacl", DataType::Text.array()),
                ("reloptions", DataType::Text.array()),
                ("relpartbound", T),
            ]);
            let inline_system = out.inline_system;
            // Unlogged tables, their indexes and the sequences they own ('u').
            let mut unlogged = std::collections::HashSet::new();
            for table in user_tables(catalog).filter(|table| table.unlogged) {
                unlogged.insert(table.name.clone());
                unlogged.insert(table.pkey_name());
                unlogged.extend(table.indexes.iter().map(|index| index.name.clone()));
                let owned = (catalog.sequences.values())
                    .filter(|seq| seq.owned_by.as_ref().is_some_and(|(t, _)| *t == table.name));
                unlogged.extend(owned.map(|seq| seq.name.clone()));
            }
            // Materialized views made or refreshed WITH NO DATA.
            let unpopulated: std::collections::HashSet<&str> = user_tables(catalog)
                .filter(|table| table.matview().is_some_and(|m| !m.populated))
                .map(|table| table.name.as_str())
                .collect();
            let mut class = |oid: i64,
                             name: &str,
                             kind: &str,
                             am: i64,
                             natts: usize,
                             checks: usize,
                             indexed: bool,
                             triggers: bool,
                             owner: i64,
                             acl: Value,
                             options: Value| {
                // Rows as of the last ANALYZE (-1: never analyzed, as PostgreSQL 14+).
                let reltuples = (session.statistics.iter())
                    .find(|(id, _)| FIRST_OID + **id as i64 == oid)
                    .map_or(-1.0, |(_, stats)| stats.reltuples);
                // Temporary relations live in a session's pg_temp_N schema.
                let temporary = crate::catalog::is_temp_schema(crate::catalog::split_name(name).0);
                // No files of PostgreSQL's kind, no visibility map, no inheritance, no
                // transaction id wraparound (Keel's ids are 64-bit): neutral values.
                out.row(vec![
                    int(oid),
                    text(crate::catalog::relname(name)),
                    int(schema_oid(catalog, name)),
                    int(0),
                    int(0),
                    int(owner),
                    int(am),
                    int(if kind == "v" || kind == "c" { 0 } else { oid }),
                    int(0),
                    int(0),
                    Value::Float(reltuples),
                    int(0),
                    int(0),
                    Value::Bool(indexed),
                    Value::Bool(SHARED_CATALOGS.contains(&oid)),
                    text(if temporary {
                        "t"
                    } else if unlogged.contains(name) {
                        "u"
                    } else {
                        "p"
                    }),
                    text(kind),
                    int(natts as i64),
                    int(checks as i64),
                    Value::Bool(kind == "v"),
                    Value::Bool(triggers),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(!unpopulated.contains(name)),
                    text(if kind == "r" || kind == "m" { "d" } else { "n" }),
                    Value::Bool(false),
                    int(0),
                    int(0),
                    int(0),
                    acl,
                    options,
                    Value::Null,
                ]);
            };
            for table in user_tables(catalog) {
                let indexed = !table.primary_key.is_empty() || !table.indexes.is_empty();
                let owner = role_oid(catalog, table.owner.as_deref());
                class(
                    table_oid(table),
                    &table.name,
                    if table.matview.is_some() { "m" } else { "r" },
                    2,
                    table.columns.len(),
                    table.checks.len(),
                    indexed,
                    !table.foreign_keys.is_empty() || table.referenced,
                    owner,
                    acl_array(table.acl.as_deref(), &crate::catalog::TABLE_PRIVILEGES),
                    reloptions(&table.options),
                );
                if !table.primary_key.is_empty() {
                    class(
                        pkey_oid(table),
                        &table.pkey_name(),
                        "i",
                        403,
                        table.primary_key.len() + table.primary_key_include.len(),
                        0,
                        false,
                        false,
                        owner,
                        Value::Null,
                        Value::Null,
                    );
                }
                for index in &table.indexes {
                    class(
                        FIRST_OID + index.id as i64,
                        &index.name,
                        "i",
                        if index.gin.is_some() { GIN_AM } else { 403 },
                        index.width(),
                        0,
                        false,
                        false,
                        owner,
                        Value::Null,
                        reloptions(&index.storage),
                    );
                }
            }
            for seq in catalog.sequences.values() {
                class(
                    sequence_oid(seq),
                    &seq.name,
                    "S",
                    0,
                    3,
                    0,
                    false,
                    false,
                    role_oid(catalog, seq.owner.as_deref()),
                    acl_array(seq.acl.as_deref(), &crate::catalog::SEQUENCE_PRIVILEGES),
                    Value::Null,
                );
            }
            for (i, view) in catalog.views.values().enumerate() {
                class(
                    view_oid(i, view),
                    &view.name,
                    "v",
                    0,
                    view.columns.len(),
                    0,
                    false,
                    false,
                    role_oid(catalog, view.owner.as_deref()),
                    acl_array(view.acl.as_deref(), &crate::catalog::TABLE_PRIVILEGES),
                    view_options(view),
                );
            }
            // A composite type's relation (relkind 'c'): what lists its fields.
            for def in catalog.composites.values() {
                class(
                    def.relation_oid(),
                    &def.name,
                    "c",
                    0,
                    def.fields.len(),
                    0,
                    false,
                    false,
                    role_oid(catalog, def.owner.as_deref()),
                    Value::Null,
                    Value::Null,
                );
            }
            if inline_system {
                for system in system_classes() {
                    let table = system.oid < FIRST_VIEW_OID;
                    let schema = match system.namespace {
                        PG_CATALOG => "pg_catalog",
                        _ => "information_schema",
                    };
                    class(
                        system.oid,
                        &format!("{schema}.{}", system.name),
                        if table { "r" } else { "v" },
                        if table { 2 } else { 0 },
                        system.columns.len(),
                        0,
                        false,
                        false,
                        OWNER,
                        acl_array(
                            Some(&catalog_acl(system.name)),
                            &crate::catalog::TABLE_PRIVILEGES,
                        ),
                        Value::Null,
                    );
                }
            }
            out.share("pg_class");
        }
        "pg_attribute" => {
            out.columns(&[
                ("attrelid", I8),
                ("attname", T),
                ("atttypid", DataType::Oid),
                ("attlen", I2),
                ("attnum", I2),
                ("atttypmod", I4),
                ("attnotnull", B),
                ("atthasdef", B),
                ("attidentity", T),
                ("attgenerated", T),
                ("attisdropped", B),
                ("attcollation", I8),
                ("attndims", I4),
                ("attstorage", T),
                ("attcompression", T),
                ("attstattarget", I4),
                ("attacl", DataType::Text.array()),
                ("attalign", T),
                ("attbyval", B),
                ("attislocal", B),
                ("attinhcount", I4),
                ("attoptions", T.array()),
                ("attfdwoptions", T.array()),
                ("attmissingval", T),
                ("atthasmissing", B),
            ]);
            let inline_system = out.inline_system;
            let mut attribute =
                |relation: i64, number: usize, column: &crate::catalog::ColumnDef, index: bool| {
                    let identity = match column.identity {
                        Some(true) if !index => "a",
                        Some(false) if !index => "d",
                        _ => "",
                    };
                    // A system relation's column shows PostgreSQL's type (`name` collates as "C").
                    let (type_oid, size, collation) = if relation < FIRST_OID {
                        match shown_column_type(relation, &column.name, column.ty) {
                            19 => (19, 64, COLLATION_OIDS[1]),
                            26 => (26, 4, 0),
                            other => (other, i64::from(column.ty.size()), collation(column.ty)),
                        }
                    } else {
                        let ty = column.ty;
                        let oid = match &column.domain {
                            Some(domain) => crate::domains::oid(domain.id),
                            None => i64::from(ty.oid()),
                        };
                        (oid, i64::from(ty.size()), collation(ty))
                    };
                    // A column of a domain has the domain's modifier (in pg_type), none here.
                    let typmod = match column.domain {
                        Some(_) => -1,
                        None => column.ty.type_modifier(),
                    };
                    out.row(vec![
                        int(relation),
                        text(column.name.clone()),
                        int(type_oid),
                        int(size),
                        int(number as i64),
                        int(typmod),
                        Value::Bool(column.not_null && !index),
                        Value::Bool(
                            (column.default.is_some() && column.identity.is_none()
                                || column.generated.is_some())
                                && !index,
                        ),
                        text(identity),
                        text(if column.generated.is_some() && !index {
                            "s"
                        } else {
                            ""
                        }),
                        Value::Bool(false),
                        int(collation),
                        int(column.ty.element().is_some() as i64),
                        match column.storage {
                            Some(code) => text(code.to_string()),
                            None => text(storage(column.ty)),
                        },
                        text(""),
                        int(column.stat_target.map_or(-1, i64::from)),
                        if index {
                            Value::Null
                        } else {
                            acl_array(column.acl.as_deref(), &crate::catalog::TABLE_PRIVILEGES)
                        },
                        text(match column.ty.size() {
                            1 => "c",
                            2 => "s",
                            8 => "d",
                            _ => "i",
                        }),
                        Value::Bool(matches!(column.ty.size(), 1 | 2 | 4 | 8)),
                        Value::Bool(true),
                        int(0),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Bool(false),
                    ]);
                };
            for table in user_tables(catalog) {
                for (i, column) in table.columns.iter().enumerate() {
                    attribute(table_oid(table), i + 1, column, false);
                }
                if !table.primary_key.is_empty() {
                    let columns = table.primary_key.iter().chain(&table.primary_key_include);
                    for (i, &c) in columns.enumerate() {
                        attribute(pkey_oid(table), i + 1, &table.columns[c], true);
                    }
                }
                for index in &table.indexes {
                    let names = index.part_names(table);
                    for (i, name) in names.into_iter().enumerate() {
                        let column = match index.part_column(table, i) {
                            Some(c) => table.columns[c].clone(),
                            None => crate::catalog::ColumnDef::new(name, index.part_type(table, i)),
                        };
                        attribute(FIRST_OID + index.id as i64, i + 1, &column, true);
                    }
                    for (j, &c) in index.include.iter().enumerate() {
                        let number = index.width() + j + 1;
                        attribute(FIRST_OID + index.id as i64, number, &table.columns[c], true);
                    }
                }
            }
            // A view's columns, with the types they had when it was made.
            for (v, view) in catalog.views.values().enumerate() {
                for (i, column) in view_column_defs(view).iter().enumerate() {
                    attribute(view_oid(v, view), i + 1, column, true);
                }
            }
            // A composite type's fields.
            for def in catalog.composites.values() {
                for (i, field) in def.fields.iter().enumerate() {
                    let column = crate::catalog::ColumnDef::new(field.name.clone(), field.ty);
                    attribute(def.relation_oid(), i + 1, &column, true);
                }
            }
            if inline_system {
                for system in system_classes() {
                    for (i, (name, ty)) in system.columns.iter().enumerate() {
                        let column = crate::catalog::ColumnDef::new(name.clone(), *ty);
                        attribute(system.oid, i + 1, &column, true);
                    }
                }
            }
            out.share("pg_attribute");
        }
        "pg_index" => {
            out.columns(&[
                ("indexrelid", I8),
                ("indrelid", I8),
                ("indnatts", I2),
                ("indisunique", B),
                ("indisprimary", B),
                ("indimmediate", B),
                ("indisvalid", B),
                ("indkey", DataType::Int2Vector),
                ("indoption", DataType::Int2Vector),
                ("indnkeyatts", I2),
                ("indisclustered", B),
                ("indisreplident", B),
                ("indnullsnotdistinct", B),
                ("indpred", T),
                ("indexprs", T),
                ("indisready", B),
                ("indislive", B),
                ("indcheckxmin", B),
                ("indisexclusion", B),
            ]);
            for table in user_tables(catalog) {
                let vector = |items: Vec<i64>| {
                    let mut array =
                        crate::array::Array::one_dim(items.into_iter().map(Value::Int).collect());
                    if let Some(dim) = array.dims.first_mut() {
                        dim.lower = 0;
                    }
                    Value::Array(Box::new(array))
                };
                let key =
                    |columns: &[usize]| vector(columns.iter().map(|c| *c as i64 + 1).collect());
                let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
                let mut tail = |width: usize, options: &[i16], index: Option<&IndexDef>| {
                    // The predicate and expressions as text (PostgreSQL's are node trees,
                    // which clients only hand to pg_get_expr, as Keel's texts are): the
                    // predicate deparsed as PostgreSQL prints it where the deparser knows it;
                    // expressions only (a plain column of the key is no expression).
                    let predicate = index.and_then(|i| {
                        deparsed_predicate(&mut binder, table, i)
                            .map(|(plain, _)| plain)
                            .or_else(|| i.predicate.clone())
                    });
                    let expressions = index.filter(|i| !i.expressions.is_empty()).map(|i| {
                        i.expressions
                            .iter()
                            .filter(|e| {
                                !table
                                    .columns
                                    .iter()
                                    .any(|c| crate::functions::quote_ident(&c.name) == **e)
                            })
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    });
                    vec![
                        vector(
                            (0..width)
                                .map(|i| options.get(i).copied().unwrap_or(0) as i64)
                                .collect(),
                        ),
                        int(width as i64),
                        Value::Bool(index.map_or(table.primary_key_clustered, |i| i.clustered)),
                        Value::Bool(false),
                        Value::Bool(index.is_some_and(|i| i.nulls_not_distinct)),
                        predicate.map_or(Value::Null, Value::Text),
                        expressions.map_or(Value::Null, Value::Text),
                        // Built whole when made: ready and live; no exclusion constraints.
                        Value::Bool(true),
                        Value::Bool(true),
                        Value::Bool(false),
                        Value::Bool(false),
                    ]
                };
                if !table.primary_key.is_empty() {
                    out.row(
                        vec![
                            int(pkey_oid(table)),
                            int(table_oid(table)),
                            int((table.primary_key.len() + table.primary_key_include.len()) as i64),
                            Value::Bool(true),
                            Value::Bool(true),
                            Value::Bool(true),
                            Value::Bool(true),
                            key(&[&table.primary_key[..], &table.primary_key_include[..]].concat()),
                        ]
                        .into_iter()
                        .chain(tail(table.primary_key.len(), &[], None))
                        .collect(),
                    );
                }
                for index in &table.indexes {
                    out.row(
                        vec![
                            int(FIRST_OID + index.id as i64),
                            int(table_oid(table)),
                            int((index.width() + index.include.len()) as i64),
                            Value::Bool(index.unique),
                            Value::Bool(false),
                            Value::Bool(true),
                            Value::Bool(true),
                            vector(
                                (0..index.width())
                                    .map(|i| {
                                        index.part_column(table, i).map_or(0, |c| c as i64 + 1)
                                    })
                                    .chain(index.include.iter().map(|&c| c as i64 + 1))
                                    .collect(),
                            ),
                        ]
                        .into_iter()
                        .chain(tail(index.width(), &index.options, Some(index)))
                        .collect(),
                    );
                }
            }
        }
        "pg_sequence" => {
            out.columns(&[
                ("seqrelid", I8),
                ("seqtypid", I8),
                ("seqstart", I8),
                ("seqincrement", I8),
                ("seqmax", I8),
                ("seqmin", I8),
                ("seqcache", I8),
                ("seqcycle", B),
            ]);
            for seq in catalog.sequences.values() {
                out.row(vec![
                    int(sequence_oid(seq)),
                    int(seq.ty.oid()),
                    int(seq.start),
                    int(seq.increment),
                    int(seq.max),
                    int(seq.min),
                    int(seq.cache),
                    Value::Bool(seq.cycle),
                ]);
            }
        }
        "pg_tables" => {
            out.columns(&[
                ("schemaname", T),
                ("tablename", T),
                ("tableowner", T),
                ("tablespace", T),
                ("hasindexes", B),
                ("hasrules", B),
                ("hastriggers", B),
                ("rowsecurity", B),
            ]);
            for table in plain_tables(catalog) {
                out.row(vec![
                    text(crate::catalog::split_name(&table.name).0),
                    text(crate::catalog::relname(&table.name)),
                    text(crate::catalog::owner_name(table.owner.as_deref())),
                    Value::Null,
                    Value::Bool(!table.primary_key.is_empty() || !table.indexes.is_empty()),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(false),
                ]);
            }
        }
        // Activity counters (see `crate::pgstat`). Keel's catalogs are views over its own
        // catalog, never scanned or written as tables: the sys_ views have no rows.
        "pg_stat_all_tables" | "pg_stat_user_tables" | "pg_stat_sys_tables" => {
            let stamp = DataType::TimestampTz;
            out.columns(&[
                ("relid", I8),
                ("schemaname", T),
                ("relname", T),
                ("seq_scan", I8),
                ("seq_tup_read", I8),
                ("idx_scan", I8),
                ("idx_tup_fetch", I8),
                ("n_tup_ins", I8),
                ("n_tup_upd", I8),
                ("n_tup_del", I8),
                ("n_tup_hot_upd", I8),
                ("n_live_tup", I8),
                ("n_dead_tup", I8),
                ("n_mod_since_analyze", I8),
                ("n_ins_since_vacuum", I8),
                ("last_vacuum", stamp),
                ("last_autovacuum", stamp),
                ("last_analyze", stamp),
                ("last_autoanalyze", stamp),
                ("vacuum_count", I8),
                ("autovacuum_count", I8),
                ("analyze_count", I8),
                ("autoanalyze_count", I8),
            ]);
            if name == "pg_stat_sys_tables" {
                return Some(());
            }
            let stats = activity_stats(session);
            let at = |time: Option<i64>| time.map_or(Value::Null, Value::Timestamp);
            for table in user_tables(catalog) {
                let none = crate::pgstat::TableCounts::default();
                let c = stats.tables.get(&table.id).unwrap_or(&none);
                let indexed = !table.primary_key.is_empty() || !table.indexes.is_empty();
                let if_indexed = |n: i64| if indexed { int(n) } else { Value::Null };
                out.row(vec![
                    int(table_oid(table)),
                    text(crate::catalog::split_name(&table.name).0),
                    text(crate::catalog::relname(&table.name)),
                    int(c.seq_scan),
                    int(c.seq_tup_read),
                    if_indexed(c.idx_scan),
                    if_indexed(c.idx_tup_fetch),
                    int(c.n_tup_ins),
                    int(c.n_tup_upd),
                    int(c.n_tup_del),
                    int(c.n_tup_hot_upd),
                    int(c.n_live_tup),
                    int(c.n_dead_tup),
                    int(c.n_mod_since_analyze),
                    int(c.n_ins_since_vacuum),
                    at(c.last_vacuum),
                    at(c.last_autovacuum),
                    at(c.last_analyze),
                    at(c.last_autoanalyze),
                    int(c.vacuum_count),
                    int(c.autovacuum_count),
                    int(c.analyze_count),
                    int(c.autoanalyze_count),
                ]);
            }
        }
        // Block I/O per relation: Keel counts pages read and hit per database
        // (pg_stat_database.blks_read/blks_hit), not per table yet: the counts are NULL
        // ("not known"), never a made-up number. Toast does not exist (NULL as PostgreSQL's
        // for a table without one).
        "pg_statio_all_tables" | "pg_statio_user_tables" | "pg_statio_sys_tables" => {
            out.columns(&[
                ("relid", I8),
                ("schemaname", T),
                ("relname", T),
                ("heap_blks_read", I8),
                ("heap_blks_hit", I8),
                ("idx_blks_read", I8),
                ("idx_blks_hit", I8),
                ("toast_blks_read", I8),
                ("toast_blks_hit", I8),
                ("tidx_blks_read", I8),
                ("tidx_blks_hit", I8),
            ]);
            if name == "pg_statio_sys_tables" {
                return Some(());
            }
            for table in user_tables(catalog) {
                let mut row = vec![
                    int(table_oid(table)),
                    text(crate::catalog::split_name(&table.name).0),
                    text(crate::catalog::relname(&table.name)),
                ];
                row.resize(11, Value::Null);
                out.row(row);
            }
        }
        "pg_statio_all_indexes" | "pg_statio_user_indexes" | "pg_statio_sys_indexes" => {
            out.columns(&[
                ("relid", I8),
                ("indexrelid", I8),
                ("schemaname", T),
                ("relname", T),
                ("indexrelname", T),
                ("idx_blks_read", I8),
                ("idx_blks_hit", I8),
            ]);
            if name == "pg_statio_sys_indexes" {
                return Some(());
            }
            for table in user_tables(catalog) {
                let schema = crate::catalog::split_name(&table.name).0;
                let relname = crate::catalog::relname(&table.name);
                for (oid, index, _) in relation_indexes(table) {
                    out.row(vec![
                        int(table_oid(table)),
                        int(oid),
                        text(schema),
                        text(relname),
                        text(crate::catalog::relname(&index)),
                        Value::Null,
                        Value::Null,
                    ]);
                }
            }
        }
        "pg_stat_all_indexes" | "pg_stat_user_indexes" | "pg_stat_sys_indexes" => {
            out.columns(&[
                ("relid", I8),
                ("indexrelid", I8),
                ("schemaname", T),
                ("relname", T),
                ("indexrelname", T),
                ("idx_scan", I8),
                ("idx_tup_read", I8),
                ("idx_tup_fetch", I8),
            ]);
            if name == "pg_stat_sys_indexes" {
                return Some(());
            }
            let stats = activity_stats(session);
            let counts = |index| stats.indexes.get(&index).copied().unwrap_or_default();
            for table in user_tables(catalog) {
                let schema = crate::catalog::split_name(&table.name).0;
                let relname = crate::catalog::relname(&table.name);
                // Rows read by key that no secondary index's entries account for were read
                // by the primary key.
                let secondary: i64 = table
                    .indexes
                    .iter()
                    .map(|i| counts(crate::pgstat::IndexRef::Secondary(i.id)).idx_tup_read)
                    .sum();
                let by_key = stats
                    .tables
                    .get(&table.id)
                    .map_or(0, |c| (c.idx_tup_fetch - secondary).max(0));
                for (oid, index, id) in relation_indexes(table) {
                    let c = counts(id);
                    let read = match id {
                        crate::pgstat::IndexRef::PrimaryKey(_) => by_key,
                        crate::pgstat::IndexRef::Secondary(_) => c.idx_tup_read,
                    };
                    out.row(vec![
                        int(table_oid(table)),
                        int(oid),
                        text(schema),
                        text(relname),
                        text(crate::catalog::relname(&index)),
                        int(c.idx_scan),
                        int(read),
                        int(read),
                    ]);
                }
            }
        }
        // The tz database's zones as of now (see `tz::all_zones`).
        "pg_timezone_names" => {
            out.columns(&[
                ("name", T),
                ("abbrev", T),
                ("utc_offset", DataType::Interval),
                ("is_dst", B),
            ]);
            for zone in crate::tz::all_zones(crate::types::now_timestamp()) {
                out.row(vec![
                    text(zone.name),
                    text(zone.abbreviation),
                    offset_interval(zone.offset),
                    Value::Bool(zone.daylight),
                ]);
            }
        }
        // PostgreSQL's `Default` abbreviation set, the dynamic ones as of now.
        "pg_timezone_abbrevs" => {
            out.columns(&[
                ("abbrev", T),
                ("utc_offset", DataType::Interval),
                ("is_dst", B),
            ]);
            for (name, offset, daylight) in
                crate::tz::all_abbreviations(crate::types::now_timestamp())
            {
                out.row(vec![
                    text(name.to_string()),
                    offset_interval(offset),
                    Value::Bool(daylight),
                ]);
            }
        }
        // The workers' write-ahead logs together. Keel writes a log batch with one linked write
        // and fdatasync, so wal_write and wal_sync count the same writes; it logs no full-page
        // images and its log buffer grows rather than fills. The logs always time their writes;
        // with track_wal_io_timing on, a write's whole time (the write and its sync, which one
        // completion reports) shows as wal_sync_time, and wal_write_time stays 0; off, both are
        // 0 as in PostgreSQL.
        "pg_stat_wal" => {
            out.columns(&[
                ("wal_records", I8),
                ("wal_fpi", I8),
                ("wal_bytes", DataType::Numeric),
                ("wal_buffers_full", I8),
                ("wal_write", I8),
                ("wal_sync", I8),
                ("wal_write_time", F8),
                ("wal_sync_time", F8),
                ("stats_reset", DataType::TimestampTz),
            ]);
            let wal = activity_stats(session).wal;
            let timed = session.setting("track_wal_io_timing") == Some("on");
            let sync_ms = if timed {
                wal.write_micros as f64 / 1000.0
            } else {
                0.0
            };
            out.row(vec![
                int(wal.records),
                int(0),
                Value::Numeric(wal.bytes.into()),
                int(0),
                int(wal.writes),
                int(wal.writes),
                Value::Float(0.0),
                Value::Float(sync_ms),
                Value::Timestamp(wal.reset_at),
            ]);
        }
        // Checkpoint rounds and the pools' page writes (see pgstat::BgwriterCounts): Keel has
        // no background writer, and evictions write and never fsync a page themselves.
        "pg_stat_bgwriter" => {
            out.columns(&[
                ("checkpoints_timed", I8),
                ("checkpoints_req", I8),
                ("checkpoint_write_time", F8),
                ("checkpoint_sync_time", F8),
                ("buffers_checkpoint", I8),
                ("buffers_clean", I8),
                ("maxwritten_clean", I8),
                ("buffers_backend", I8),
                ("buffers_backend_fsync", I8),
                ("buffers_alloc", I8),
                ("stats_reset", DataType::TimestampTz),
            ]);
            let counts = activity_stats(session).bgwriter;
            out.row(vec![
                int(counts.timed),
                int(counts.requested),
                Value::Float(counts.write_ms),
                Value::Float(counts.sync_ms),
                int(counts.checkpoint_pages),
                int(0),
                int(0),
                int(counts.evicted_pages),
                int(0),
                int(counts.allocated_pages),
                Value::Timestamp(counts.reset_at),
            ]);
        }
        // Keel archives no log (there is no archive_command): nothing archived or failed.
        "pg_stat_archiver" => {
            out.columns(&[
                ("archived_count", I8),
                ("last_archived_wal", T),
                ("last_archived_time", DataType::TimestampTz),
                ("failed_count", I8),
                ("last_failed_wal", T),
                ("last_failed_time", DataType::TimestampTz),
                ("stats_reset", DataType::TimestampTz),
            ]);
            out.row(vec![
                int(0),
                Value::Null,
                Value::Null,
                int(0),
                Value::Null,
                Value::Null,
                Value::Timestamp(activity_stats(session).archiver_reset_at),
            ]);
        }
        "pg_stat_database" => {
            out.columns(&[
                ("datid", I8),
                ("datname", T),
                ("numbackends", I4),
                ("xact_commit", I8),
                ("xact_rollback", I8),
                ("blks_read", I8),
                ("blks_hit", I8),
                ("tup_returned", I8),
                ("tup_fetched", I8),
                ("tup_inserted", I8),
                ("tup_updated", I8),
                ("tup_deleted", I8),
                ("conflicts", I8),
                ("temp_files", I8),
                ("temp_bytes", I8),
                ("deadlocks", I8),
                ("checksum_failures", I8),
                ("checksum_last_failure", DataType::TimestampTz),
                ("blk_read_time", F8),
                ("blk_write_time", F8),
                ("session_time", F8),
                ("active_time", F8),
                ("idle_in_transaction_time", F8),
                ("sessions", I8),
                ("sessions_abandoned", I8),
                ("sessions_fatal", I8),
                ("sessions_killed", I8),
                ("stats_reset", DataType::TimestampTz),
            ]);
            let stats = activity_stats(session);
            let d = &stats.database;
            let tables = stats.tables.values();
            let (mut returned, mut fetched) = (0, 0);
            let (mut inserted, mut updated, mut deleted) = (0, 0, 0);
            for c in tables {
                returned += c.seq_tup_read + c.idx_tup_fetch;
                fetched += c.idx_tup_fetch;
                inserted += c.n_tup_ins;
                updated += c.n_tup_upd;
                deleted += c.n_tup_del;
            }
            // Objects shared across databases (PostgreSQL's datid 0): Keel has none to read.
            let mut shared = vec![int(0), Value::Null];
            shared.extend((0..14).map(|_| int(0)));
            shared.extend([Value::Null, Value::Null]);
            shared.extend((0..5).map(|_| Value::Float(0.0)));
            shared.extend((0..4).map(|_| int(0)));
            shared.push(Value::Null);
            out.row(shared);
            out.row(vec![
                int(DATABASE),
                text(session.database.clone()),
                int(session.activity.len() as i64),
                int(d.xact_commit),
                int(d.xact_rollback),
                int(d.blks_read),
                int(d.blks_hit),
                int(returned),
                int(fetched),
                int(inserted),
                int(updated),
                int(deleted),
                int(0),
                int(d.temp_files),
                int(d.temp_bytes),
                int(d.deadlocks),
                Value::Null,
                Value::Null,
                Value::Float(0.0),
                Value::Float(0.0),
                Value::Float(d.session_time as f64 / 1000.0),
                Value::Float(d.active_time as f64 / 1000.0),
                Value::Float(d.idle_in_transaction_time as f64 / 1000.0),
                int(d.sessions),
                int(d.sessions_abandoned),
                int(d.sessions_fatal),
                int(d.sessions_killed),
                stats.reset_at.map_or(Value::Null, Value::Timestamp),
            ]);
        }
        "pg_stats" => {
            let real = DataType::Float4;
            out.columns(&[
                ("schemaname", T),
                ("tablename", T),
                ("attname", T),
                ("inherited", B),
                ("null_frac", real),
                ("avg_width", I4),
                ("n_distinct", real),
                ("most_common_vals", T),
                ("most_common_freqs", real.array()),
                ("histogram_bounds", T),
                ("correlation", real),
                ("most_common_elems", T),
                ("most_common_elem_freqs", real.array()),
                ("elem_count_histogram", real.array()),
            ]);
            for table in user_tables(catalog) {
                let Some(stats) = crate::stats::TableStats::of(&session.statistics, table) else {
                    continue;
                };
                for (c, column) in table.columns.iter().enumerate() {
                    let Some(s) = stats.column(c) else {
                        continue;
                    };
                    // anyarray columns print as an array of the column's type.
                    let values = |items: &[Value], ty: DataType| {
                        if items.is_empty() {
                            return Value::Null;
                        }
                        let array =
                            Value::Array(Box::new(crate::array::Array::one_dim(items.to_vec())));
                        text(crate::types::to_text(&array, ty.array()))
                    };
                    let freqs: Vec<Value> = s.mcv_freqs.iter().map(|f| Value::Float(*f)).collect();
                    out.row(vec![
                        text(crate::catalog::split_name(&table.name).0),
                        text(crate::catalog::relname(&table.name)),
                        text(column.name.clone()),
                        Value::Bool(false),
                        Value::Float(s.null_frac),
                        int(s.avg_width),
                        Value::Float(s.n_distinct),
                        values(&s.mcv, column.ty),
                        if freqs.is_empty() {
                            Value::Null
                        } else {
                            Value::Array(Box::new(crate::array::Array::one_dim(freqs)))
                        },
                        values(&s.histogram, column.ty),
                        s.correlation.map_or(Value::Null, Value::Float),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                    ]);
                }
            }
        }
        "pg_indexes" => {
            out.columns(&[
                ("schemaname", T),
                ("tablename", T),
                ("indexname", T),
                ("tablespace", T),
                ("indexdef", T),
            ]);
            let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
            for table in user_tables(catalog) {
                let mut row = |name: &str, def: String| {
                    out.row(vec![
                        text(crate::catalog::split_name(&table.name).0),
                        text(crate::catalog::relname(&table.name)),
                        text(crate::catalog::relname(name)),
                        Value::Null,
                        text(def),
                    ]);
                };
                if !table.primary_key.is_empty() {
                    row(&table.pkey_name(), pkey_def(table));
                }
                for index in &table.indexes {
                    let predicate = deparsed_predicate(&mut binder, table, index);
                    let keys = deparsed_keys(&mut binder, table, index);
                    row(
                        &index.name,
                        index_def(table, index, false, predicate, &keys),
                    );
                }
            }
        }
        "pg_views" => {
            out.columns(&[
                ("schemaname", T),
                ("viewname", T),
                ("viewowner", T),
                ("definition", T),
            ]);
            let defs = view_defs(catalog, session);
            for (view, (_, plain, _)) in catalog.views.values().zip(defs) {
                out.row(vec![
                    text(crate::catalog::split_name(&view.name).0),
                    text(crate::catalog::relname(&view.name)),
                    text(crate::catalog::owner_name(view.owner.as_deref())),
                    text(plain),
                ]);
            }
        }
        "pg_sequences" => {
            out.columns(&[
                ("schemaname", T),
                ("sequencename", T),
                ("sequenceowner", T),
                ("data_type", T),
                ("start_value", I8),
                ("min_value", I8),
                ("max_value", I8),
                ("increment_by", I8),
                ("cycle", B),
                ("cache_size", I8),
                ("last_value", I8),
            ]);
            for seq in catalog.sequences.values() {
                // NULL until nextval or setval(.., true) gave a value (pg_sequence_last_value).
                let last_value = session
                    .sequence_states
                    .iter()
                    .find(|(id, _, _)| *id == seq.id)
                    .filter(|(_, _, called)| *called)
                    .map_or(Value::Null, |(_, last, _)| int(*last));
                out.row(vec![
                    text(crate::catalog::split_name(&seq.name).0),
                    text(crate::catalog::relname(&seq.name)),
                    text(crate::catalog::owner_name(seq.owner.as_deref())),
                    text(seq.ty.name()),
                    int(seq.start),
                    int(seq.min),
                    int(seq.max),
                    int(seq.increment),
                    Value::Bool(seq.cycle),
                    int(seq.cache),
                    last_value,
                ]);
            }
        }
        name => {
            // Catalogs of things Keel does not have (rules, triggers, policies, publications,
            // text search, operators...): PostgreSQL's columns, no rows, so that tools that read
            // them all (pg_dump, GUIs) find nothing to list.
            let spec = EMPTY_CATALOGS.iter().find(|(n, _)| *n == name)?.1;
            let columns: Vec<(&str, DataType)> = spec
                .split(',')
                .filter_map(|column| {
                    let (name, code) = column.trim().split_once(' ')?;
                    Some((name, empty_column_type(code)))
                })
                .collect();
            out.columns(&columns);
        }
    }
    Some(())
}

/// The activity counters the statement was bound with (all zero when it was bound without).
/// A UTC offset (seconds east) as the interval `pg_timezone_names` and `pg_timezone_abbrevs` show.
fn offset_interval(seconds: i32) -> Value {
    Value::Interval(crate::datetime::Interval {
        months: 0,
        days: 0,
        micros: i64::from(seconds) * 1_000_000,
    })
}

fn activity_stats(session: &SessionInfo) -> std::borrow::Cow<'_, crate::pgstat::Snapshot> {
    session.activity_stats.as_deref().map_or_else(
        || std::borrow::Cow::Owned(Default::default()),
        std::borrow::Cow::Borrowed,
    )
}

/// The type an [`EMPTY_CATALOGS`] column's code names.
fn empty_column_type(code: &str) -> DataType {
    match code {
        "oid" => I8,
        "bool" => B,
        "int2" => I2,
        "int4" => I4,
        "oid[]" => I8.array(),
        "text[]" => T.array(),
        "int8" => I8,
        "float4" => DataType::Float4,
        "float8" => F8,
        "timestamptz" => DataType::TimestampTz,
        "bool[]" => B.array(),
        "float4[]" => DataType::Float4.array(),
        "float8[]" => F8.array(),
        "int2vector" => DataType::Int2Vector,
        "bytea" => DataType::Bytea,
        _ => T,
    }
}

/// PostgreSQL 15's catalogs that hold nothing in Keel, with their columns (`name type`; types
/// not listed in [`empty_column_type`] are text: name, char, pg_node_tree, aclitem[] as text[]).
const EMPTY_CATALOGS: &[(&str, &str)] = &[
    ("pg_policies", "schemaname name, tablename name, policyname name, permissive text, roles text[], cmd text, qual text, with_check text"),
    ("pg_subscription", "oid oid, subdbid oid, subskiplsn text, subname name, subowner oid, subenabled bool, subbinary bool, substream char, subtwophasestate char, subdisableonerr bool, subconninfo text, subslotname name, subsynccommit text, subpublications text[]"),
    ("pg_largeobject_metadata", "oid oid, lomowner oid, lomacl text[]"),
    ("pg_amop", "oid oid, amopfamily oid, amoplefttype oid, amoprighttype oid, amopstrategy int2, amoppurpose char, amopopr oid, amopmethod oid, amopsortfamily oid"),
    ("pg_amproc", "oid oid, amprocfamily oid, amproclefttype oid, amprocrighttype oid, amprocnum int2, amproc oid"),
    ("pg_seclabel", "objoid oid, classoid oid, objsubid int4, provider text, label text"),
    ("pg_shseclabel", "objoid oid, classoid oid, provider text, label text"),
    ("pg_parameter_acl", "oid oid, parname text, paracl text[]"),
    ("pg_seclabels", "objoid oid, classoid oid, objsubid int4, objtype text, objnamespace oid, objname text, provider text, label text"),
    ("pg_ts_template", "oid oid, tmplname name, tmplnamespace oid, tmplinit oid, tmpllexize oid"),
    ("pg_ts_parser", "oid oid, prsname name, prsnamespace oid, prsstart oid, prstoken oid, prsend oid, prsheadline oid, prslextype oid"),
    ("pg_ts_dict", "oid oid, dictname name, dictnamespace oid, dictowner oid, dicttemplate oid, dictinitoption text"),
    ("pg_ts_config", "oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid"),
    ("pg_transform", "oid oid, trftype oid, trflang oid, trffromsql oid, trftosql oid"),
    ("pg_partitioned_table", "partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2vector, partclass oid[], partcollation oid[], partexprs text"),
    ("pg_opfamily", "oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid"),
    ("pg_opclass", "oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault bool, opckeytype oid"),
    ("pg_operator", "oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge bool, oprcanhash bool, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode text, oprrest text, oprjoin text"),
    ("pg_foreign_server", "oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl text[], srvoptions text[]"),
    ("pg_foreign_data_wrapper", "oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl text[], fdwoptions text[]"),
    ("pg_foreign_table", "ftrelid oid, ftserver oid, ftoptions text[]"),
    ("pg_user_mapping", "oid oid, umuser oid, umserver oid, umoptions text[]"),
    ("pg_event_trigger", "oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags text[]"),
    ("pg_default_acl", "oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype char, defaclacl text[]"),
    ("pg_conversion", "oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4, conproc text, condefault bool"),
    ("pg_cast", "oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char"),
    ("pg_aggregate", "aggfnoid text, aggkind char, aggnumdirectargs int2, aggtransfn text, aggfinalfn text, aggcombinefn text, aggserialfn text, aggdeserialfn text, aggmtransfn text, aggminvtransfn text, aggmfinalfn text, aggfinalextra bool, aggmfinalextra bool, aggfinalmodify char, aggmfinalmodify char, aggsortop oid, aggtranstype oid, aggtransspace int4, aggmtranstype oid, aggmtransspace int4, agginitval text, aggminitval text"),
    ("pg_ident_file_mappings", "line_number int4, map_name text, sys_name text, pg_username text, error text"),
    ("pg_largeobject", "loid oid, pageno int4, data bytea"),
    ("pg_publication_tables", "pubname name, schemaname name, tablename name, attnames name[], rowfilter text"),
    ("pg_replication_origin", "roident oid, roname text"),
    ("pg_replication_origin_status", "local_id oid, external_id text, remote_lsn pg_lsn, local_lsn pg_lsn"),
    ("pg_stat_progress_basebackup", "pid int4, phase text, backup_total int8, backup_streamed int8, tablespaces_total int8, tablespaces_streamed int8"),
    ("pg_stat_progress_cluster", "pid int4, datid oid, datname name, relid oid, command text, phase text, cluster_index_relid oid, heap_tuples_scanned int8, heap_tuples_written int8, heap_blks_total int8, heap_blks_scanned int8, index_rebuild_count int8"),
    ("pg_stat_replication_slots", "slot_name text, spill_txns int8, spill_count int8, spill_bytes int8, stream_txns int8, stream_count int8, stream_bytes int8, total_txns int8, total_bytes int8, stats_reset timestamptz"),
    ("pg_stat_subscription", "subid oid, subname name, pid int4, relid oid, received_lsn pg_lsn, last_msg_send_time timestamptz, last_msg_receipt_time timestamptz, latest_end_lsn pg_lsn, latest_end_time timestamptz"),
    ("pg_stat_subscription_stats", "subid oid, subname name, apply_error_count int8, sync_error_count int8, stats_reset timestamptz"),
    ("pg_stat_user_functions", "funcid oid, schemaname name, funcname name, calls int8, total_time float8, self_time float8"),
    ("pg_stat_wal_receiver", "pid int4, status text, receive_start_lsn pg_lsn, receive_start_tli int4, written_lsn pg_lsn, flushed_lsn pg_lsn, received_tli int4, last_msg_send_time timestamptz, last_msg_receipt_time timestamptz, latest_end_lsn pg_lsn, latest_end_time timestamptz, slot_name text, sender_host text, sender_port int4, conninfo text"),
    ("pg_stat_xact_user_functions", "funcid oid, schemaname name, funcname name, calls int8, total_time float8, self_time float8"),
    ("pg_statistic_ext_data", "stxoid oid, stxdinherit bool, stxdndistinct text, stxddependencies text, stxdmcv text, stxdexpr text"),
    ("pg_stats_ext", "schemaname name, tablename name, statistics_schemaname name, statistics_name name, statistics_owner name, attnames text[], exprs text[], kinds text[], inherited bool, n_distinct text, dependencies text, most_common_vals text[], most_common_val_nulls bool[], most_common_freqs float8[], most_common_base_freqs float8[]"),
    ("pg_stats_ext_exprs", "schemaname name, tablename name, statistics_schemaname name, statistics_name name, statistics_owner name, expr text, inherited bool, null_frac float4, avg_width int4, n_distinct float4, most_common_vals text, most_common_freqs float4[], histogram_bounds text, correlation float4, most_common_elems text, most_common_elem_freqs float4[], elem_count_histogram float4[]"),
    ("pg_subscription_rel", "srsubid oid, srrelid oid, srsubstate char, srsublsn pg_lsn"),
    ("pg_ts_config_map", "mapcfg oid, maptokentype int4, mapseqno int4, mapdict oid"),
    ("pg_user_mappings", "umid oid, srvid oid, srvname name, umuser oid, usename name, umoptions text[]"),
];

/// information_schema's `data_type` and the numeric/character facets of a column type.
struct Facets {
    char_length: Option<i64>,
    octet_length: Option<i64>,
    precision: Option<i64>,
    radix: Option<i64>,
    scale: Option<i64>,
    datetime_precision: Option<i64>,
}

fn facets(ty: DataType) -> Facets {
    let mut f = Facets {
        char_length: None,
        octet_length: None,
        precision: None,
        radix: None,
        scale: None,
        datetime_precision: None,
    };
    match ty {
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            f.precision = Some(match ty {
                DataType::Int2 => 16,
                DataType::Int4 => 32,
                _ => 64,
            });
            f.radix = Some(2);
            f.scale = Some(0);
        }
        DataType::Float4 => {
            f.precision = Some(24);
            f.radix = Some(2);
        }
        DataType::Float8 => {
            f.precision = Some(53);
            f.radix = Some(2);
        }
        DataType::Numeric => f.radix = Some(10),
        DataType::Decimal(p, s) => {
            f.precision = Some(p as i64);
            f.radix = Some(10);
            // information_schema's `($2 - 4) & 65535`: a negative scale shows as 11-bit bits.
            f.scale = Some(s as i64 & 0x7ff);
        }
        DataType::Varchar(Some(n)) | DataType::Char(n) => {
            f.char_length = Some(n as i64);
            f.octet_length = Some(n as i64 * 4);
        }
        DataType::Varchar(None) | DataType::Text => f.octet_length = Some(1_073_741_824),
        DataType::Date => f.datetime_precision = Some(0),
        DataType::Timestamp | DataType::TimestampTz | DataType::Interval | DataType::Time => {
            f.datetime_precision = Some(6)
        }
        DataType::TimestampP(p) | DataType::TimestampTzP(p) | DataType::TimeP(p) => {
            f.datetime_precision = Some(i64::from(p))
        }
        DataType::IntervalP(typmod) => {
            let precision = typmod & 0xffff;
            f.datetime_precision = Some(if precision == 0xffff {
                6
            } else {
                i64::from(precision)
            })
        }
        DataType::Bytea => f.octet_length = Some(1_073_741_824),
        DataType::Bool
        | DataType::Uuid
        | DataType::Json
        | DataType::Jsonb
        | DataType::JsonPath
        | DataType::Unknown
        | DataType::Array(_)
        | DataType::Int2Vector
        | DataType::Record(_)
        | DataType::Oid
        | DataType::Reg(_)
        | DataType::Enum(_) => {}
    }
    f
}

/// information_schema's `data_type`: the type's SQL name without length or precision.
fn standard_type_name(ty: DataType) -> String {
    match ty {
        DataType::Varchar(_) => "character varying".into(),
        DataType::Char(_) => "character".into(),
        DataType::Decimal(..) => "numeric".into(),
        DataType::TimestampP(_)
        | DataType::TimestampTzP(_)
        | DataType::TimeP(_)
        | DataType::IntervalP(_) => ty.expression_type().name(),
        DataType::Array(_) => "ARRAY".into(),
        DataType::Enum(_) => "USER-DEFINED".into(),
        other => other.name(),
    }
}

fn information_schema(
    out: &mut Builder,
    catalog: &Catalog,
    session: &SessionInfo,
    name: &str,
) -> Option<()> {
    let db = || text(session.database.clone());
    match name {
        // Grants on tables and views: those the session's role gave or got, and PUBLIC's
        // (table_privileges); role_table_grants leaves PUBLIC's out.
        "table_privileges" | "role_table_grants" => {
            out.columns(&[
                ("grantor", T),
                ("grantee", T),
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("privilege_type", T),
                ("is_grantable", T),
                ("with_hierarchy", T),
            ]);
            let user = session.user.as_str();
            let relations = plain_tables(catalog)
                .map(|t| (t.name.as_str(), t.owner.as_deref(), t.acl.as_deref()))
                .chain(
                    catalog
                        .views
                        .values()
                        .map(|v| (v.name.as_str(), v.owner.as_deref(), v.acl.as_deref())),
                );
            for (table, owner, acl) in relations {
                let owner = crate::catalog::owner_name(owner);
                for item in Catalog::relation_acl(Some(owner), acl, crate::catalog::TABLE_ALL) {
                    let public = item.grantee.is_empty();
                    let mine = item.grantor == user || item.grantee == user;
                    if !(mine || (public && name == "table_privileges")) {
                        continue;
                    }
                    for (bit, privilege, grantable) in
                        item.granted(owner, crate::catalog::TABLE_ALL)
                    {
                        out.row(vec![
                            text(item.grantor.clone()),
                            text(item.grantee_name()),
                            db(),
                            text(crate::catalog::split_name(table).0),
                            text(crate::catalog::relname(table)),
                            text(privilege),
                            text(if grantable { "YES" } else { "NO" }),
                            text(if bit == crate::catalog::PRIV_SELECT {
                                "YES"
                            } else {
                                "NO"
                            }),
                        ]);
                    }
                }
            }
        }
        // Privileges on columns: each column's own grants and its table's (or view's), of the
        // kinds a column can hold, merged per grantor and grantee; those the session's role gave
        // or got, and PUBLIC's.
        "column_privileges" => {
            out.columns(&[
                ("grantor", T),
                ("grantee", T),
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("column_name", T),
                ("privilege_type", T),
                ("is_grantable", T),
            ]);
            let user = session.user.as_str();
            type Acl<'c> = Option<&'c [crate::catalog::AclItem]>;
            // (name, owner, ACL, columns: (name, ACL)).
            type Relation<'c> = (&'c str, Option<&'c str>, Acl<'c>, Vec<(&'c str, Acl<'c>)>);
            let relations: Vec<Relation> = plain_tables(catalog)
                .map(|t| {
                    let columns = t
                        .columns
                        .iter()
                        .map(|c| (c.name.as_str(), c.acl.as_deref()))
                        .collect();
                    (
                        t.name.as_str(),
                        t.owner.as_deref(),
                        t.acl.as_deref(),
                        columns,
                    )
                })
                .chain(catalog.views.values().map(|v| {
                    let columns = v.columns.iter().map(|c| (c.as_str(), None)).collect();
                    (
                        v.name.as_str(),
                        v.owner.as_deref(),
                        v.acl.as_deref(),
                        columns,
                    )
                }))
                .collect();
            for (table, owner, acl, columns) in relations {
                let owner = crate::catalog::owner_name(owner);
                let on_table = Catalog::relation_acl(Some(owner), acl, crate::catalog::TABLE_ALL);
                for (column, column_acl) in columns {
                    let mut merged: Vec<crate::catalog::AclItem> = Vec::new();
                    for item in on_table.iter().chain(column_acl.unwrap_or_default()) {
                        crate::catalog::merge_acl_item(&mut merged, item.clone());
                    }
                    for item in merged {
                        let public = item.grantee.is_empty();
                        if !(public || item.grantor == user || item.grantee == user) {
                            continue;
                        }
                        let mask = crate::catalog::COLUMN_PRIVILEGES;
                        for (_, privilege, grantable) in item.granted(owner, mask) {
                            out.row(vec![
                                text(item.grantor.clone()),
                                text(item.grantee_name()),
                                db(),
                                text(crate::catalog::split_name(table).0),
                                text(crate::catalog::relname(table)),
                                text(column),
                                text(privilege),
                                text(if grantable { "YES" } else { "NO" }),
                            ]);
                        }
                    }
                }
            }
        }
        // The built-in functions (Keel has no user-defined functions or procedures yet), as
        // PostgreSQL's views show them.
        "routines" => {
            out.columns(&[
                ("specific_catalog", T),
                ("specific_schema", T),
                ("specific_name", T),
                ("routine_catalog", T),
                ("routine_schema", T),
                ("routine_name", T),
                ("routine_type", T),
                ("data_type", T),
                ("type_udt_name", T),
                ("routine_body", T),
                ("routine_definition", T),
                ("external_language", T),
                ("is_deterministic", T),
                ("security_type", T),
            ]);
            // The functions' definitions show to their owner's members alone.
            let owner = catalog.is_superuser(&session.user);
            for proc in BUILTIN_PROCS {
                let language = match proc.lang {
                    14 => "SQL",
                    13 => "C",
                    _ => "INTERNAL",
                };
                out.row(vec![
                    text(session.database.clone()),
                    text("pg_catalog"),
                    text(format!("{}_{}", proc.name, proc.oid)),
                    text(session.database.clone()),
                    text("pg_catalog"),
                    text(proc.name),
                    match proc.kind {
                        'f' => text("FUNCTION"),
                        _ => Value::Null,
                    },
                    text(schema_data_type(proc.rettype)),
                    text(oid_typname(proc.rettype)),
                    text(if language == "SQL" { "SQL" } else { "EXTERNAL" }),
                    if owner { text(proc.src) } else { Value::Null },
                    text(language),
                    text(if proc.volatility == 'i' { "YES" } else { "NO" }),
                    text(if proc.secdef { "DEFINER" } else { "INVOKER" }),
                ]);
            }
        }
        "parameters" => {
            out.columns(&[
                ("specific_catalog", T),
                ("specific_schema", T),
                ("specific_name", T),
                ("ordinal_position", I4),
                ("parameter_mode", T),
                ("parameter_name", T),
                ("data_type", T),
                ("udt_name", T),
                ("parameter_default", T),
            ]);
            for proc in BUILTIN_PROCS {
                // Every parameter, OUT ones too, with its mode.
                let types = proc.allargtypes.unwrap_or(proc.args);
                let modes: Vec<char> = match proc.argmodes {
                    Some(modes) => modes.chars().collect(),
                    None => vec!['i'; types.len()],
                };
                for (i, (&ty, mode)) in types.iter().zip(modes).enumerate() {
                    let name = proc
                        .argnames
                        .and_then(|names| names.get(i))
                        .filter(|name| !name.is_empty());
                    let mode = match mode {
                        'o' | 't' => "OUT",
                        'b' => "INOUT",
                        _ => "IN",
                    };
                    out.row(vec![
                        text(session.database.clone()),
                        text("pg_catalog"),
                        text(format!("{}_{}", proc.name, proc.oid)),
                        int(i as i64 + 1),
                        text(mode),
                        name.map_or(Value::Null, |name| text(*name)),
                        text(schema_data_type(ty)),
                        text(oid_typname(ty)),
                        Value::Null,
                    ]);
                }
            }
        }
        "schemata" => {
            out.columns(&[
                ("catalog_name", T),
                ("schema_name", T),
                ("schema_owner", T),
                ("default_character_set_catalog", T),
                ("default_character_set_schema", T),
                ("default_character_set_name", T),
                ("sql_path", T),
            ]);
            for schema in ["pg_catalog", "public", "information_schema"] {
                out.row(vec![
                    db(),
                    text(schema),
                    text(session.user.clone()),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]);
            }
            // Schemas the session's role owns (a superuser sees all), as pg_has_role filters.
            for schema in catalog.schemas.values() {
                if schema.owner != session.user && !catalog.is_superuser(&session.user) {
                    continue;
                }
                out.row(vec![
                    db(),
                    text(schema.name.clone()),
                    text(schema.owner.clone()),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        "tables" => {
            out.columns(&[
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("table_type", T),
                ("self_referencing_column_name", T),
                ("reference_generation", T),
                ("user_defined_type_catalog", T),
                ("user_defined_type_schema", T),
                ("user_defined_type_name", T),
                ("is_insertable_into", T),
                ("is_typed", T),
                ("commit_action", T),
            ]);
            let binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
            let mut names: Vec<(&str, &str, bool)> = plain_tables(catalog)
                .map(|t| (t.name.as_str(), "BASE TABLE", true))
                .chain(catalog.views.values().map(|v| {
                    let (insertable, _, _) = binder.view_updatability(v);
                    (v.name.as_str(), "VIEW", insertable)
                }))
                .collect();
            names.sort();
            for (name, kind, insertable) in names {
                out.row(vec![
                    db(),
                    text(crate::catalog::split_name(name).0),
                    text(crate::catalog::relname(name)),
                    text(kind),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    yes_no(insertable),
                    text("NO"),
                    Value::Null,
                ]);
            }
        }
        "columns" => {
            let names = [
                "table_catalog",
                "table_schema",
                "table_name",
                "column_name",
                "ordinal_position",
                "column_default",
                "is_nullable",
                "data_type",
                "character_maximum_length",
                "character_octet_length",
                "numeric_precision",
                "numeric_precision_radix",
                "numeric_scale",
                "datetime_precision",
                "interval_type",
                "interval_precision",
                "character_set_catalog",
                "character_set_schema",
                "character_set_name",
                "collation_catalog",
                "collation_schema",
                "collation_name",
                "domain_catalog",
                "domain_schema",
                "domain_name",
                "udt_catalog",
                "udt_schema",
                "udt_name",
                "scope_catalog",
                "scope_schema",
                "scope_name",
                "maximum_cardinality",
                "dtd_identifier",
                "is_self_referencing",
                "is_identity",
                "identity_generation",
                "identity_start",
                "identity_increment",
                "identity_maximum",
                "identity_minimum",
                "identity_cycle",
                "is_generated",
                "generation_expression",
                "is_updatable",
            ];
            let numbers = [
                "ordinal_position",
                "character_maximum_length",
                "character_octet_length",
                "numeric_precision",
                "numeric_precision_radix",
                "numeric_scale",
                "datetime_precision",
                "interval_precision",
                "maximum_cardinality",
            ];
            let columns: Vec<(&str, DataType)> = names
                .iter()
                .map(|n| (*n, if numbers.contains(n) { I4 } else { T }))
                .collect();
            out.columns(&columns);
            // Tables' columns, then views' (nullable, no default, updatable where they are
            // plain columns of what an updatable view reads).
            let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
            let view_columns: Vec<(&str, Vec<crate::catalog::ColumnDef>, Vec<bool>)> = catalog
                .views
                .values()
                .map(|view| {
                    let (_, _, updatable) = binder.view_updatability(view);
                    (view.name.as_str(), view_column_defs(view), updatable)
                })
                .collect();
            let relations = plain_tables(catalog)
                .map(|table| (table.name.as_str(), &table.columns[..], None))
                .chain(
                    (view_columns.iter())
                        .map(|(name, c, updatable)| (*name, &c[..], Some(updatable))),
                );
            for (relation, columns, updatable) in relations {
                for (i, column) in columns.iter().enumerate() {
                    let updatable = updatable.is_none_or(|u| u[i]);
                    let f = facets(column.ty);
                    let identity_seq = column.identity.and_then(|_| {
                        catalog.sequences.values().find(|s| {
                            s.owned_by
                                .as_ref()
                                .is_some_and(|(t, c)| t == relation && *c == column.name)
                        })
                    });
                    let seq_text = |value: fn(&SequenceDef) -> String| {
                        identity_seq.map_or(Value::Null, |s| text(value(s)))
                    };
                    let mut row = vec![
                        db(),
                        text(crate::catalog::split_name(relation).0),
                        text(crate::catalog::relname(relation)),
                        text(column.name.clone()),
                        int(i as i64 + 1),
                        match (
                            &column.default,
                            column.identity,
                            catalog.tables.get(relation),
                        ) {
                            (Some(default), None, Some(table)) => text(column_default(
                                (&mut binder, catalog, session),
                                table,
                                i,
                                default,
                            )),
                            (Some(default), None, None) => {
                                text(shown_default(catalog, session, default, column.ty))
                            }
                            _ => Value::Null,
                        },
                        yes_no(!column.not_null),
                        text(standard_type_name(column.ty)),
                        opt_int(f.char_length),
                        opt_int(f.octet_length),
                        opt_int(f.precision),
                        opt_int(f.radix),
                        opt_int(f.scale),
                        opt_int(f.datetime_precision),
                        // interval_type: an interval's fields (and precision) upper-cased.
                        match column.ty {
                            DataType::IntervalP(typmod) => {
                                let name = crate::datetime::interval_type_name(typmod as i64);
                                match name.strip_prefix("interval ") {
                                    Some(fields) => text(fields.to_uppercase()),
                                    None => Value::Null,
                                }
                            }
                            _ => Value::Null,
                        },
                        Value::Null,
                    ];
                    row.extend(std::iter::repeat_n(Value::Null, 6));
                    // A column of a domain names it; one over another domain is of that one
                    // (a USER-DEFINED type).
                    let domain = (column.domain.as_ref()).and_then(|d| catalog.domain_by_id(d.id));
                    let parent = domain
                        .and_then(|def| def.parent)
                        .and_then(|id| catalog.domain_by_id(id));
                    match domain {
                        Some(def) => row.extend([
                            db(),
                            text(crate::catalog::split_name(&def.name).0),
                            text(def.relname()),
                        ]),
                        None => row.extend(std::iter::repeat_n(Value::Null, 3)),
                    }
                    if parent.is_some() {
                        row[7] = text("USER-DEFINED");
                    }
                    let (udt_schema, udt_name) = match column.ty {
                        _ if parent.is_some() => {
                            let parent = parent.expect("checked");
                            let (schema, name) = crate::catalog::split_name(&parent.name);
                            (schema.to_string(), name.to_string())
                        }
                        // An array of an enum: its array type, `_name`, in the enum's schema.
                        DataType::Array(crate::types::Elem::Enum(id)) => crate::enums::lookup(id)
                            .map_or(("pg_catalog".to_string(), "_text".to_string()), |def| {
                                let (schema, name) = crate::catalog::split_name(&def.name);
                                (schema.to_string(), format!("_{name}"))
                            }),
                        DataType::Enum(id) => crate::enums::lookup(id).map_or(
                            ("pg_catalog".to_string(), "anyenum".to_string()),
                            |def| {
                                let (schema, name) = crate::catalog::split_name(&def.name);
                                (schema.to_string(), name.to_string())
                            },
                        ),
                        ty => ("pg_catalog".to_string(), type_name(ty).to_string()),
                    };
                    row.extend([
                        db(),
                        text(udt_schema),
                        text(udt_name),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        Value::Null,
                        text((i + 1).to_string()),
                        text("NO"),
                        yes_no(column.identity.is_some()),
                        match column.identity {
                            Some(true) => text("ALWAYS"),
                            Some(false) => text("BY DEFAULT"),
                            None => Value::Null,
                        },
                        seq_text(|s| s.start.to_string()),
                        seq_text(|s| s.increment.to_string()),
                        seq_text(|s| s.max.to_string()),
                        seq_text(|s| s.min.to_string()),
                        yes_no(identity_seq.is_some_and(|s| s.cycle)),
                    ]);
                    let generation = (catalog.tables.get(relation))
                        .and_then(|table| generation_text(&mut binder, table, i));
                    row.extend([
                        text(if generation.is_some() {
                            "ALWAYS"
                        } else {
                            "NEVER"
                        }),
                        generation.map_or(Value::Null, text),
                        yes_no(updatable),
                    ]);
                    out.row(row);
                }
            }
        }
        "sequences" => {
            out.columns(&[
                ("sequence_catalog", T),
                ("sequence_schema", T),
                ("sequence_name", T),
                ("data_type", T),
                ("numeric_precision", I4),
                ("numeric_precision_radix", I4),
                ("numeric_scale", I4),
                ("start_value", T),
                ("minimum_value", T),
                ("maximum_value", T),
                ("increment", T),
                ("cycle_option", T),
            ]);
            // Identity columns' sequences are internal to them and not listed, as in PostgreSQL.
            for seq in catalog
                .sequences
                .values()
                .filter(|s| !is_identity_sequence(catalog, s))
            {
                let f = facets(seq.ty);
                out.row(vec![
                    db(),
                    text(crate::catalog::split_name(&seq.name).0),
                    text(crate::catalog::relname(&seq.name)),
                    text(seq.ty.name()),
                    opt_int(f.precision),
                    opt_int(f.radix),
                    opt_int(f.scale),
                    text(seq.start.to_string()),
                    text(seq.min.to_string()),
                    text(seq.max.to_string()),
                    text(seq.increment.to_string()),
                    yes_no(seq.cycle),
                ]);
            }
        }
        "table_constraints" => {
            out.columns(&[
                ("constraint_catalog", T),
                ("constraint_schema", T),
                ("constraint_name", T),
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("constraint_type", T),
                ("is_deferrable", T),
                ("initially_deferred", T),
                ("enforced", T),
                ("nulls_distinct", T),
            ]);
            for table in user_tables(catalog) {
                // `nulls_distinct`: a UNIQUE constraint's (NO for NULLS NOT DISTINCT).
                let mut row = |name: String,
                               kind: &str,
                               (deferrable, deferred): (bool, bool),
                               nulls_distinct: Option<bool>| {
                    let yes_no = |b: bool| text(if b { "YES" } else { "NO" });
                    out.row(vec![
                        db(),
                        text(crate::catalog::split_name(&table.name).0),
                        text(crate::catalog::relname(&name)),
                        db(),
                        text(crate::catalog::split_name(&table.name).0),
                        text(crate::catalog::relname(&table.name)),
                        text(kind),
                        yes_no(deferrable),
                        yes_no(deferred),
                        text("YES"),
                        nulls_distinct.map_or(Value::Null, yes_no),
                    ]);
                };
                let immediate = (false, false);
                if !table.primary_key.is_empty() {
                    row(table.pkey_name(), "PRIMARY KEY", immediate, None);
                }
                for index in table.indexes.iter().filter(|i| i.constraint) {
                    let distinct = Some(!index.nulls_not_distinct);
                    row(index.name.clone(), "UNIQUE", immediate, distinct);
                }
                for check in &table.checks {
                    row(check.name.clone(), "CHECK", immediate, None);
                }
                for fk in &table.foreign_keys {
                    row(
                        fk.name.clone(),
                        "FOREIGN KEY",
                        (fk.deferrable, fk.initially_deferred),
                        None,
                    );
                }
            }
        }
        "domains" => {
            let names = [
                "domain_catalog",
                "domain_schema",
                "domain_name",
                "data_type",
                "character_maximum_length",
                "character_octet_length",
                "character_set_catalog",
                "character_set_schema",
                "character_set_name",
                "collation_catalog",
                "collation_schema",
                "collation_name",
                "numeric_precision",
                "numeric_precision_radix",
                "numeric_scale",
                "datetime_precision",
                "interval_type",
                "interval_precision",
                "domain_default",
                "udt_catalog",
                "udt_schema",
                "udt_name",
                "scope_catalog",
                "scope_schema",
                "scope_name",
                "maximum_cardinality",
                "dtd_identifier",
            ];
            let numbers = [
                "character_maximum_length",
                "character_octet_length",
                "numeric_precision",
                "numeric_precision_radix",
                "numeric_scale",
                "datetime_precision",
                "interval_precision",
                "maximum_cardinality",
            ];
            let columns: Vec<(&str, DataType)> = names
                .iter()
                .map(|n| (*n, if numbers.contains(n) { I4 } else { T }))
                .collect();
            out.columns(&columns);
            let schemas = catalog.search_schemas(&session.search_path, &session.user);
            for def in catalog.domains.values() {
                let parent = def.parent.and_then(|id| catalog.domain_by_id(id));
                // Over another domain: a USER-DEFINED type, that domain, no facets.
                let f = match parent {
                    Some(_) => facets(DataType::Unknown),
                    None => facets(def.base),
                };
                let (udt_schema, udt_name) = match parent {
                    Some(parent) => {
                        let (schema, name) = crate::catalog::split_name(&parent.name);
                        (schema.to_string(), name.to_string())
                    }
                    None => ("pg_catalog".to_string(), type_name(def.base).to_string()),
                };
                let mut row = vec![
                    db(),
                    text(crate::catalog::split_name(&def.name).0),
                    text(def.relname()),
                    text(match parent {
                        Some(_) => "USER-DEFINED".to_string(),
                        None => standard_type_name(def.base),
                    }),
                    opt_int(f.char_length),
                    opt_int(f.octet_length),
                ];
                row.extend(std::iter::repeat_n(Value::Null, 6));
                row.extend([
                    opt_int(f.precision),
                    opt_int(f.radix),
                    opt_int(f.scale),
                    opt_int(f.datetime_precision),
                    Value::Null,
                    Value::Null,
                    def.default.as_ref().map_or(Value::Null, |default| {
                        text(deparsed_default(default, def.base, &schemas))
                    }),
                    db(),
                    text(udt_schema),
                    text(udt_name),
                ]);
                row.extend(std::iter::repeat_n(Value::Null, 4));
                row.push(text("1"));
                out.row(row);
            }
        }
        "domain_constraints" => {
            out.columns(&[
                ("constraint_catalog", T),
                ("constraint_schema", T),
                ("constraint_name", T),
                ("domain_catalog", T),
                ("domain_schema", T),
                ("domain_name", T),
                ("is_deferrable", T),
                ("initially_deferred", T),
            ]);
            for (_, def, check) in domain_checks(catalog) {
                let schema = crate::catalog::split_name(&def.name).0;
                out.row(vec![
                    db(),
                    text(schema),
                    text(check.name.clone()),
                    db(),
                    text(schema),
                    text(def.relname()),
                    text("NO"),
                    text("NO"),
                ]);
            }
        }
        // CHECK constraints, and each NOT NULL column as PostgreSQL 15 lists it (`a IS NOT
        // NULL`, named `<schema oid>_<table oid>_<attnum>_not_null`).
        "check_constraints" => {
            out.columns(&[
                ("constraint_catalog", T),
                ("constraint_schema", T),
                ("constraint_name", T),
                ("check_clause", T),
            ]);
            let schemas = catalog.search_schemas(&session.search_path, &session.user);
            let mut binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
            for check in constraints(catalog, &schemas) {
                if check.kind != "c" {
                    continue;
                }
                // pg_get_constraintdef's text, without its `CHECK `.
                let clause = match binder.deparsed_check(&check) {
                    Some((plain, _)) => format!("({plain})"),
                    None => (check.def.strip_prefix("CHECK ").unwrap_or(&check.def)).to_string(),
                };
                out.row(vec![
                    db(),
                    text(crate::catalog::split_name(&check.table.name).0),
                    text(check.name.clone()),
                    text(clause),
                ]);
            }
            for table in user_tables(catalog) {
                let schema = crate::catalog::split_name(&table.name).0;
                let prefix = format!("{}_{}", schema_oid(catalog, &table.name), table_oid(table));
                for (i, column) in table.columns.iter().enumerate() {
                    if column.not_null {
                        out.row(vec![
                            db(),
                            text(schema),
                            text(format!("{prefix}_{}_not_null", i + 1)),
                            text(format!("{} IS NOT NULL", column.name)),
                        ]);
                    }
                }
            }
        }
        // The roles the session's role uses the privileges of (all of them for a superuser,
        // as `pg_has_role(role, 'USAGE')` says), and the memberships they hold.
        "enabled_roles" | "applicable_roles" => {
            let user = &session.user;
            let enabled: Vec<String> = match catalog.is_superuser(user) {
                true => catalog.all_roles().into_iter().map(|r| r.name).collect(),
                false => catalog.privilege_roles(user),
            };
            if name == "enabled_roles" {
                out.columns(&[("role_name", T)]);
                for role in &enabled {
                    out.row(vec![text(role.clone())]);
                }
                return Some(());
            }
            out.columns(&[("grantee", T), ("role_name", T), ("is_grantable", T)]);
            let mut memberships = Vec::new();
            for member in catalog.all_roles() {
                for m in &member.member_of {
                    memberships.push((member.name.clone(), m.role.clone(), m.admin));
                }
            }
            // The database's owner belongs to pg_database_owner.
            let owner = crate::catalog::BOOTSTRAP_ROLE.to_string();
            memberships.push((owner, "pg_database_owner".to_string(), false));
            for (member, role, admin) in memberships {
                if enabled.contains(&member) {
                    out.row(vec![text(member), text(role), yes_no(admin)]);
                }
            }
        }
        "referential_constraints" => {
            out.columns(&[
                ("constraint_catalog", T),
                ("constraint_schema", T),
                ("constraint_name", T),
                ("unique_constraint_catalog", T),
                ("unique_constraint_schema", T),
                ("unique_constraint_name", T),
                ("match_option", T),
                ("update_rule", T),
                ("delete_rule", T),
            ]);
            let all = constraints(
                catalog,
                &catalog.search_schemas(&session.search_path, &session.user),
            );
            for c in all.iter().filter(|c| c.kind == "f") {
                let unique = all
                    .iter()
                    .find(|u| matches!(u.kind, "p" | "u") && u.index == c.index)
                    .map_or(Value::Null, |u| text(u.name.clone()));
                let Some(fk) = c.table.foreign_keys.iter().find(|fk| fk.name == c.name) else {
                    continue;
                };
                let schema = crate::catalog::split_name(&c.table.name).0;
                out.row(vec![
                    db(),
                    text(schema),
                    text(c.name.clone()),
                    db(),
                    text(schema),
                    unique,
                    text("NONE"),
                    text(fk.on_update.sql()),
                    text(fk.on_delete.sql()),
                ]);
            }
        }
        "key_column_usage" => {
            out.columns(&[
                ("constraint_catalog", T),
                ("constraint_schema", T),
                ("constraint_name", T),
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("column_name", T),
                ("ordinal_position", I4),
                ("position_in_unique_constraint", I4),
            ]);
            for table in user_tables(catalog) {
                let mut keys: Vec<(String, &[usize])> = Vec::new();
                if !table.primary_key.is_empty() {
                    keys.push((table.pkey_name(), &table.primary_key));
                }
                for index in table.indexes.iter().filter(|i| i.constraint) {
                    keys.push((index.name.clone(), &index.columns));
                }
                for (name, columns) in keys {
                    for (position, &column) in columns.iter().enumerate() {
                        out.row(vec![
                            db(),
                            text(crate::catalog::split_name(&table.name).0),
                            text(crate::catalog::relname(&name)),
                            db(),
                            text(crate::catalog::split_name(&table.name).0),
                            text(crate::catalog::relname(&table.name)),
                            text(table.columns[column].name.clone()),
                            int(position as i64 + 1),
                            Value::Null,
                        ]);
                    }
                }
                for fk in &table.foreign_keys {
                    for (position, &column) in fk.columns.iter().enumerate() {
                        // Where the referenced column stands in the referenced key (the
                        // primary key or UNIQUE constraint over those columns).
                        let referenced = catalog.table_by_id(fk.parent).and_then(|parent| {
                            let mut wanted = fk.parent_columns.clone();
                            wanted.sort_unstable();
                            let same = |columns: &Vec<usize>| {
                                let mut columns = columns.clone();
                                columns.sort_unstable();
                                columns == wanted
                            };
                            let key = std::iter::once(&parent.primary_key)
                                .chain(
                                    parent
                                        .indexes
                                        .iter()
                                        .filter(|i| i.unique)
                                        .map(|i| &i.columns),
                                )
                                .find(|key| same(key))?;
                            key.iter().position(|&c| c == fk.parent_columns[position])
                        });
                        out.row(vec![
                            db(),
                            text(crate::catalog::split_name(&table.name).0),
                            text(fk.name.clone()),
                            db(),
                            text(crate::catalog::split_name(&table.name).0),
                            text(crate::catalog::relname(&table.name)),
                            text(table.columns[column].name.clone()),
                            int(position as i64 + 1),
                            opt_int(referenced.map(|p| p as i64 + 1)),
                        ]);
                    }
                }
            }
        }
        // The columns each constraint uses: a primary key's, UNIQUE's or CHECK's own, a
        // foreign key's referenced ones (as PostgreSQL's view).
        "constraint_column_usage" => {
            out.columns(&[
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("column_name", T),
                ("constraint_catalog", T),
                ("constraint_schema", T),
                ("constraint_name", T),
            ]);
            for c in constraints(catalog, &[]) {
                let (table, columns) = match &c.references {
                    Some((oid, columns, ..)) => {
                        let parent = user_tables(catalog).find(|t| table_oid(t) == *oid);
                        match parent {
                            Some(parent) => (parent, columns),
                            None => continue,
                        }
                    }
                    None => (c.table, &c.columns),
                };
                let schema = crate::catalog::split_name(&c.table.name).0;
                for &column in columns {
                    out.row(vec![
                        db(),
                        text(crate::catalog::split_name(&table.name).0),
                        text(crate::catalog::relname(&table.name)),
                        text(table.columns[column].name.clone()),
                        db(),
                        text(schema),
                        text(c.name.clone()),
                    ]);
                }
            }
        }
        "views" => {
            out.columns(&[
                ("table_catalog", T),
                ("table_schema", T),
                ("table_name", T),
                ("view_definition", T),
                ("check_option", T),
                ("is_updatable", T),
                ("is_insertable_into", T),
                ("is_trigger_updatable", T),
                ("is_trigger_deletable", T),
                ("is_trigger_insertable_into", T),
            ]);
            let defs = view_defs(catalog, session);
            let binder = crate::bind::Binder::new(catalog, session, "", 0, Vec::new());
            for (view, (_, plain, _)) in catalog.views.values().zip(defs) {
                let (insertable, updatable, _) = binder.view_updatability(view);
                out.row(vec![
                    db(),
                    text(crate::catalog::split_name(&view.name).0),
                    text(crate::catalog::relname(&view.name)),
                    text(plain),
                    text(view.check_option().map_or("NONE", |o| {
                        if o == "local" {
                            "LOCAL"
                        } else {
                            "CASCADED"
                        }
                    })),
                    yes_no(updatable),
                    yes_no(insertable),
                    text("NO"),
                    text("NO"),
                    text("NO"),
                ]);
            }
        }
        _ => return None,
    }
    Some(())
}

/// What pg_settings says of a setting besides its value: PostgreSQL 15's own descriptions,
/// types, units and ranges for the settings Keel has (`statement_mem` is Keel's), sorted by
/// name for a binary search.
struct SettingMeta {
    name: &'static str,
    vartype: &'static str,
    unit: &'static str,
    category: &'static str,
    short_desc: &'static str,
    extra_desc: &'static str,
    context: &'static str,
    min: &'static str,
    max: &'static str,
    /// An enum's values, `|`-separated.
    enumvals: &'static str,
}

/// Whether `key` (lower case) names a boolean setting.
pub fn is_bool_setting(key: &str) -> bool {
    SETTINGS
        .iter()
        .any(|meta| meta.name == key && meta.vartype == "bool")
}

#[rustfmt::skip]
const SETTINGS: &[SettingMeta] = &[
    SettingMeta { name: "application_name", vartype: "string", unit: "", category: "Reporting and Logging / What to Log", short_desc: "Sets the application name to be reported in statistics and logs.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "block_size", vartype: "integer", unit: "", category: "Preset Options", short_desc: "Shows the size of a disk block.", extra_desc: "", context: "internal", min: "8192", max: "8192", enumvals: "" },
    SettingMeta { name: "bytea_output", vartype: "enum", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the output format for bytea.", extra_desc: "", context: "user", min: "", max: "", enumvals: "escape|hex" },
    SettingMeta { name: "check_function_bodies", vartype: "bool", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "client_encoding", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the client's character set encoding.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "client_min_messages", vartype: "enum", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the message levels that are sent to the client.", extra_desc: "Each level includes all the levels that follow it. The later the level, the fewer messages are sent.", context: "user", min: "", max: "", enumvals: "debug5|debug4|debug3|debug2|debug1|log|notice|warning|error" },
    SettingMeta { name: "datestyle", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the display format for date and time values.", extra_desc: "Also controls interpretation of ambiguous date inputs.", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "default_table_access_method", vartype: "string", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the default table access method for new tables.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "default_tablespace", vartype: "string", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the default tablespace to create tables and indexes in.", extra_desc: "An empty string selects the database's default tablespace.", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "default_transaction_isolation", vartype: "enum", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the transaction isolation level of each new transaction.", extra_desc: "", context: "user", min: "", max: "", enumvals: "serializable|repeatable read|read committed|read uncommitted" },
    SettingMeta { name: "default_transaction_read_only", vartype: "bool", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the default read-only status of new transactions.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "enable_hashjoin", vartype: "bool", unit: "", category: "Query Tuning / Planner Method Configuration", short_desc: "Enables the planner's use of hash join plans.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "enable_mergejoin", vartype: "bool", unit: "", category: "Query Tuning / Planner Method Configuration", short_desc: "Enables the planner's use of merge join plans.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "enable_nestloop", vartype: "bool", unit: "", category: "Query Tuning / Planner Method Configuration", short_desc: "Enables the planner's use of nested-loop join plans.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "enable_seqscan", vartype: "bool", unit: "", category: "Query Tuning / Planner Method Configuration", short_desc: "Enables the planner's use of sequential-scan plans.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "extra_float_digits", vartype: "integer", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the number of digits displayed for floating-point values.", extra_desc: "This affects real, double precision, and geometric data types. A zero or negative parameter value is added to the standard number of digits (FLT_DIG or DBL_DIG as appropriate). Any value greater than zero selects precise output mode.", context: "user", min: "-15", max: "3", enumvals: "" },
    SettingMeta { name: "geqo", vartype: "bool", unit: "", category: "Query Tuning / Genetic Query Optimizer", short_desc: "Enables genetic query optimization.", extra_desc: "This algorithm attempts to do planning without exhaustive searching.", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "hash_mem_multiplier", vartype: "real", unit: "", category: "Resource Usage / Memory", short_desc: "Multiple of work_mem to use for hash tables.", extra_desc: "", context: "user", min: "1", max: "1000", enumvals: "" },
    SettingMeta { name: "idle_in_transaction_session_timeout", vartype: "integer", unit: "ms", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the maximum allowed idle time between queries, when in a transaction.", extra_desc: "A value of 0 turns off the timeout.", context: "user", min: "0", max: "2147483647", enumvals: "" },
    SettingMeta { name: "in_hot_standby", vartype: "bool", unit: "", category: "Preset Options", short_desc: "Shows whether hot standby is currently active.", extra_desc: "", context: "internal", min: "", max: "", enumvals: "" },
    SettingMeta { name: "integer_datetimes", vartype: "bool", unit: "", category: "Preset Options", short_desc: "Shows whether datetimes are integer based.", extra_desc: "", context: "internal", min: "", max: "", enumvals: "" },
    SettingMeta { name: "intervalstyle", vartype: "enum", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the display format for interval values.", extra_desc: "", context: "user", min: "", max: "", enumvals: "postgres|postgres_verbose|sql_standard|iso_8601" },
    SettingMeta { name: "jit", vartype: "bool", unit: "", category: "Query Tuning / Other Planner Options", short_desc: "Allow JIT compilation.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "lc_messages", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the language in which messages are displayed.", extra_desc: "", context: "superuser", min: "", max: "", enumvals: "" },
    SettingMeta { name: "lc_monetary", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the locale for formatting monetary amounts.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "lc_numeric", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the locale for formatting numbers.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "lc_time", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the locale for formatting date and time values.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "lock_timeout", vartype: "integer", unit: "ms", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the maximum allowed duration of any wait for a lock.", extra_desc: "A value of 0 turns off the timeout.", context: "user", min: "0", max: "2147483647", enumvals: "" },
    SettingMeta { name: "max_connections", vartype: "integer", unit: "", category: "Connections and Authentication / Connection Settings", short_desc: "Sets the maximum number of concurrent connections.", extra_desc: "", context: "postmaster", min: "1", max: "262143", enumvals: "" },
    SettingMeta { name: "max_identifier_length", vartype: "integer", unit: "", category: "Preset Options", short_desc: "Shows the maximum identifier length.", extra_desc: "", context: "internal", min: "63", max: "63", enumvals: "" },
    SettingMeta { name: "max_index_keys", vartype: "integer", unit: "", category: "Preset Options", short_desc: "Shows the maximum number of index keys.", extra_desc: "", context: "internal", min: "32", max: "32", enumvals: "" },
    SettingMeta { name: "password_encryption", vartype: "enum", unit: "", category: "Connections and Authentication / Authentication", short_desc: "Chooses the algorithm for encrypting passwords.", extra_desc: "", context: "user", min: "", max: "", enumvals: "md5|scram-sha-256" },
    SettingMeta { name: "row_security", vartype: "bool", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Enable row security.", extra_desc: "When enabled, row security will be applied to all users.", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "search_path", vartype: "string", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the schema search order for names that are not schema-qualified.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "server_encoding", vartype: "string", unit: "", category: "Preset Options", short_desc: "Shows the server (database) character set encoding.", extra_desc: "", context: "internal", min: "", max: "", enumvals: "" },
    SettingMeta { name: "server_version", vartype: "string", unit: "", category: "Preset Options", short_desc: "Shows the server version.", extra_desc: "", context: "internal", min: "", max: "", enumvals: "" },
    SettingMeta { name: "server_version_num", vartype: "integer", unit: "", category: "Preset Options", short_desc: "Shows the server version as an integer.", extra_desc: "", context: "internal", min: "150000", max: "150000", enumvals: "" },
    SettingMeta { name: "standard_conforming_strings", vartype: "bool", unit: "", category: "Version and Platform Compatibility / Previous PostgreSQL Versions", short_desc: "Causes '...' strings to treat backslashes literally.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "statement_mem", vartype: "integer", unit: "kB", category: "Resource Usage / Memory", short_desc: "Sets the maximum memory the materialized results of one statement may hold together before they are written to temporary files.", extra_desc: "", context: "user", min: "64", max: "2147483647", enumvals: "" },
    SettingMeta { name: "statement_timeout", vartype: "integer", unit: "ms", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the maximum allowed duration of any statement.", extra_desc: "A value of 0 turns off the timeout.", context: "user", min: "0", max: "2147483647", enumvals: "" },
    SettingMeta { name: "synchronous_commit", vartype: "enum", unit: "", category: "Write-Ahead Log / Settings", short_desc: "Sets the current transaction's synchronization level.", extra_desc: "", context: "user", min: "", max: "", enumvals: "local|remote_write|remote_apply|on|off" },
    SettingMeta { name: "tcp_keepalives_count", vartype: "integer", unit: "", category: "Connections and Authentication / Connection Settings", short_desc: "Maximum number of TCP keepalive retransmits.", extra_desc: "Number of consecutive keepalive retransmits that can be lost before a connection is considered dead. A value of 0 uses the system default.", context: "user", min: "0", max: "2147483647", enumvals: "" },
    SettingMeta { name: "tcp_keepalives_idle", vartype: "integer", unit: "s", category: "Connections and Authentication / Connection Settings", short_desc: "Time between issuing TCP keepalives.", extra_desc: "A value of 0 uses the system default.", context: "user", min: "0", max: "2147483647", enumvals: "" },
    SettingMeta { name: "tcp_keepalives_interval", vartype: "integer", unit: "s", category: "Connections and Authentication / Connection Settings", short_desc: "Time between TCP keepalive retransmits.", extra_desc: "A value of 0 uses the system default.", context: "user", min: "0", max: "2147483647", enumvals: "" },
    SettingMeta { name: "timezone", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Sets the time zone for displaying and interpreting time stamps.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "timezone_abbreviations", vartype: "string", unit: "", category: "Client Connection Defaults / Locale and Formatting", short_desc: "Selects a file of time zone abbreviations.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "track_wal_io_timing", vartype: "bool", unit: "", category: "Statistics / Cumulative Query and Index Statistics", short_desc: "Collects timing statistics for WAL I/O activity.", extra_desc: "", context: "superuser", min: "", max: "", enumvals: "" },
    SettingMeta { name: "transaction_isolation", vartype: "enum", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the current transaction's isolation level.", extra_desc: "", context: "user", min: "", max: "", enumvals: "serializable|repeatable read|read committed|read uncommitted" },
    SettingMeta { name: "transaction_read_only", vartype: "bool", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets the current transaction's read-only status.", extra_desc: "", context: "user", min: "", max: "", enumvals: "" },
    SettingMeta { name: "work_mem", vartype: "integer", unit: "kB", category: "Resource Usage / Memory", short_desc: "Sets the maximum memory to be used for query workspaces.", extra_desc: "This much memory can be used by each internal sort operation and hash table before switching to temporary disk files.", context: "user", min: "64", max: "2147483647", enumvals: "" },
    SettingMeta { name: "xmloption", vartype: "enum", unit: "", category: "Client Connection Defaults / Statement Behavior", short_desc: "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.", extra_desc: "", context: "user", min: "", max: "", enumvals: "content|document" },
];

/// A setting's value as pg_settings' `setting` shows it: a memory or time setting as a number
/// of its unit (`4MB` is `4096` kB, `1min` is `60000` ms), anything else as SHOW gives it.
fn setting_in_unit(meta: &SettingMeta, value: &str) -> String {
    let number = match meta.unit {
        "kB" => crate::exec::parse_memory_kb(meta.name, value, i64::MIN, i64::MAX).ok(),
        "ms" => crate::exec::parse_duration_ms(value).map(|ms| ms as i64),
        // A bare number of a setting in seconds is seconds.
        "s" if value.trim().parse::<i64>().is_ok() => value.trim().parse().ok(),
        "s" => crate::exec::parse_duration_ms(value).map(|ms| (ms / 1000) as i64),
        _ => None,
    };
    number.map_or_else(|| value.to_string(), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_system_relation_is_listed_once_with_its_columns() {
        let classes = system_classes();
        // pg_statistic has an OID for regclass but no relation (Keel's statistics are in
        // pg_stats).
        let answered = CATALOG_OIDS.len() + INFORMATION_SCHEMA_OIDS.len() - 1;
        assert_eq!(classes.len(), answered);
        let mut oids: Vec<i64> = classes.iter().map(|c| c.oid).collect();
        oids.sort_unstable();
        oids.dedup();
        assert_eq!(oids.len(), classes.len(), "an OID given twice");
        assert!(classes.iter().all(|c| !c.columns.is_empty()));
        let pg_class = classes.iter().find(|c| c.name == "pg_class").unwrap();
        assert_eq!(pg_class.oid, PG_CLASS);
        assert_eq!(pg_class.columns[0].0, "oid");
        assert_eq!(shown_column_type(PG_CLASS, "relnamespace", I8), 26);
        assert_eq!(shown_column_type(PG_CLASS, "relname", T), 19);
        assert_eq!(shown_column_type(PG_CLASS, "relfrozenxid", I8), 28);
        assert_eq!(shown_column_type(2224, "seqmax", I8), 20);
        let activity = catalog_oid("pg_stat_activity").unwrap();
        assert_eq!(shown_column_type(activity, "query_id", I8), 20);
        assert_eq!(shown_column_type(activity, "usesysid", I8), 26);
    }

    #[test]
    fn every_function_a_catalog_names_is_in_pg_proc() {
        let mut names: Vec<&str> = TYPES
            .iter()
            .flat_map(|&(ty, _)| type_functions(type_name(ty)))
            .chain(type_functions("anyenum"))
            .chain(type_functions("record"))
            .chain(type_functions("anyarray"))
            .chain(["array_typanalyze", "array_subscript_handler"])
            .chain(["heap_tableam_handler", "bthandler", "hashhandler"])
            .filter(|name| *name != "-")
            .collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() > 50);
        for name in names {
            assert!(
                BUILTIN_PROCS.iter().any(|proc| proc.name == name),
                "{name} is not in pg_proc"
            );
        }
    }

    #[test]
    fn procs_are_in_oid_order_and_signatures_read_back() {
        assert!(BUILTIN_PROCS.windows(2).all(|w| w[0].oid < w[1].oid));
        for proc in BUILTIN_PROCS {
            assert_eq!(builtin_proc(proc.oid).map(|p| p.oid), Some(proc.oid));
            // What regprocedure prints, regprocedure reads.
            let found = procs_named(&proc_signature(proc));
            assert_eq!(found, Some(vec![proc.oid]), "{}", proc_signature(proc));
        }
    }
}
