//! The catalog: tables, their columns and keys.
//!
//! The catalog is node metadata. Each version is an immutable [`Catalog`] value; DDL builds the next
//! version, logs its whole image (TOML) in a Catalog WAL record inside the DDL's transaction, and
//! publishes it once durable. Sessions bind each statement against one snapshot, so a statement never
//! sees half a DDL. When nodes join, the same versioned images travel through Raft.
//!
//! Every table has a row key: its primary key columns, or a hidden 8-byte row id when it has none
//! (PostgreSQL's ctid plays that role there). `ALTER TABLE .. ADD PRIMARY KEY` re-keys the rows.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{code, SqlError, SqlResult};
use crate::types::{DataType, Value};
use keel_storage::{Placement, TableId, VShard};

/// One column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    pub ty: DataType,
    pub not_null: bool,
    /// The DEFAULT expression as SQL text, bound when a statement uses it.
    pub default: Option<String>,
    /// `GENERATED ALWAYS AS IDENTITY` (true) or `BY DEFAULT` (false); the default names the
    /// identity's sequence.
    #[serde(default)]
    pub identity: Option<bool>,
    /// Column privileges GRANTed on it (`pg_attribute.attacl`): SELECT, INSERT, UPDATE and
    /// REFERENCES of this column only, on top of the table's. None: none granted.
    #[serde(default)]
    pub acl: Option<Vec<AclItem>>,
    /// `GENERATED ALWAYS AS (expr) STORED`: a value computed from the row's other columns
    /// whenever a row is written, never given (see [`Generated`]).
    #[serde(default)]
    pub generated: Option<Generated>,
    /// `ALTER COLUMN ... SET STATISTICS n` (`pg_attribute.attstattarget`; None: -1, the
    /// default): MCV entries and histogram buckets ANALYZE keeps for the column, none at 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stat_target: Option<i32>,
    /// `ALTER COLUMN ... SET STORAGE` (`pg_attribute.attstorage`: 'p', 'e', 'x' or 'm'; None:
    /// the type's default). Kept for the catalogs and pg_dump: Keel's rows have no TOAST.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<char>,
    /// The column's type is this domain (`ty` is its base type; see [`crate::domains`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<crate::domains::ColumnDomain>,
}

impl ColumnDef {
    /// A nullable column `name` of type `ty` with nothing else to it (no default, identity,
    /// generation, privileges, settings or domain).
    pub fn new(name: impl Into<String>, ty: DataType) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            ty,
            not_null: false,
            default: None,
            identity: None,
            acl: None,
            generated: None,
            stat_target: None,
            storage: None,
            domain: None,
        }
    }
}

/// A stored generated column's expression: its SQL text over the table's columns (by name, so
/// RENAME COLUMN rewrites it as it does a CHECK's), and the same bound over the table's row and
/// cast to the column's type once a write statement takes the table (`Binder::write_target`),
/// so that whoever makes a new row, the session or its owner, computes it
/// (`crate::fragment::generate_columns`). PostgreSQL's rules hold when it is made: it reads
/// plain columns only, no other generated column, and only IMMUTABLE functions; no subquery,
/// aggregate or window function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generated {
    pub sql: String,
    #[serde(skip)]
    pub bound: Option<crate::expr::Expr>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDef {
    pub id: TableId,
    pub name: String,
    pub columns: Vec<ColumnDef>,
    /// Primary key column positions; empty: rows are keyed by a hidden row id.
    pub primary_key: Vec<usize>,
    /// Name of the primary key constraint (`<table>_pkey` unless named).
    pub primary_key_name: Option<String>,
    /// The primary key's index is the one CLUSTER uses (see [`IndexDef::clustered`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub primary_key_clustered: bool,
    /// `PRIMARY KEY (..) INCLUDE (columns)`: the key's covering columns, kept for the catalogs
    /// (`pg_index.indkey`, `pg_get_indexdef`, `pg_get_constraintdef`) as a secondary index's
    /// [`IndexDef::include`]: the rows are the key's index here, and hold every column. The
    /// key goes with a dropped included column, as in PostgreSQL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub primary_key_include: Vec<usize>,
    pub fillfactor: Option<u32>,
    /// `CREATE UNLOGGED TABLE` (`pg_class.relpersistence` 'u'; see [`TableDef::persistence`]). Keel logs its writes as any
    /// table's, so it survives a crash that PostgreSQL would empty it after.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlogged: bool,
    /// Storage parameters (`WITH (...)`, `ALTER TABLE ... SET | RESET (...)`) as
    /// `pg_class.reloptions` lists them, `(name, value)`, the last set last; checked as
    /// PostgreSQL checks them (`bind::storage_options`) and kept for the catalogs and pg_dump.
    /// Keel's storage reads none of them (fillfactor is also in `fillfactor`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<(String, String)>,
    /// Secondary indexes (`CREATE [UNIQUE] INDEX`).
    #[serde(default)]
    pub indexes: Vec<IndexDef>,
    /// CHECK constraints, in name order (the order PostgreSQL checks them in).
    #[serde(default)]
    pub checks: Vec<CheckDef>,
    /// FOREIGN KEY constraints this table's rows must satisfy, in name order.
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// Some foreign key references this table (kept by [`Catalog::refresh_references`]): its
    /// writes report the rows they change, for the referencing tables' actions.
    #[serde(default)]
    pub referenced: bool,
    /// The role that created it (None: the bootstrap superuser, for tables made before roles).
    #[serde(default)]
    pub owner: Option<String>,
    /// GRANTed privileges (`pg_class.relacl`); None: the default, all for the owner only.
    #[serde(default)]
    pub acl: Option<Vec<AclItem>>,
    /// How the rows are placed on vshards ([`keel_storage::Placement`]): chosen when the table is
    /// created ([`TableDef::placement_for`]) and never changed, since the rows are where it put
    /// them (0, the whole key, for tables made before placements existed).
    #[serde(default)]
    pub placement: Placement,
    /// `CREATE MATERIALIZED VIEW`: the query whose rows the table holds (see [`MatView`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matview: Option<Box<MatView>>,
}

/// What makes a table a materialized view (`pg_class.relkind` 'm'): the query its rows come
/// from, kept as a view's is (so renames of what it reads follow it, and what it reads cannot be
/// dropped under it), and whether it holds them. `REFRESH MATERIALIZED VIEW` replaces the rows
/// with the query's in the refreshing transaction; INSERT, UPDATE, DELETE, TRUNCATE and COPY
/// FROM are refused, as PostgreSQL refuses them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatView {
    /// The query (its `name`, `id` and `owner` are the table's).
    pub query: ViewDef,
    /// False after `WITH NO DATA`: reading it is PostgreSQL's 55000 until a REFRESH fills it.
    pub populated: bool,
}

/// Table privileges, one bit each, with PostgreSQL's aclitem letters ([`TABLE_PRIVILEGES`]).
pub const PRIV_INSERT: u8 = 1;
pub const PRIV_SELECT: u8 = 2;
pub const PRIV_UPDATE: u8 = 4;
pub const PRIV_DELETE: u8 = 8;
pub const PRIV_TRUNCATE: u8 = 16;
pub const PRIV_REFERENCES: u8 = 32;
pub const PRIV_TRIGGER: u8 = 64;
/// Every table privilege.
pub const TABLE_ALL: u8 = 127;
/// The privileges a column may be granted.
pub const COLUMN_PRIVILEGES: u8 = PRIV_SELECT | PRIV_INSERT | PRIV_UPDATE | PRIV_REFERENCES;
/// Letters and names of the table privileges, in aclitem order.
pub const TABLE_PRIVILEGES: [(u8, char, &str); 7] = [
    (PRIV_INSERT, 'a', "INSERT"),
    (PRIV_SELECT, 'r', "SELECT"),
    (PRIV_UPDATE, 'w', "UPDATE"),
    (PRIV_DELETE, 'd', "DELETE"),
    (PRIV_TRUNCATE, 'D', "TRUNCATE"),
    (PRIV_REFERENCES, 'x', "REFERENCES"),
    (PRIV_TRIGGER, 't', "TRIGGER"),
];
/// Sequence privileges: SELECT (currval, lastval), UPDATE (nextval, setval), USAGE (currval,
/// nextval), in aclitem order.
pub const SEQUENCE_PRIVILEGES: [(u8, char, &str); 3] = [
    (PRIV_SELECT, 'r', "SELECT"),
    (PRIV_UPDATE, 'w', "UPDATE"),
    (PRIV_USAGE, 'U', "USAGE"),
];
/// Every sequence privilege.
pub const SEQUENCE_ALL: u8 = PRIV_SELECT | PRIV_UPDATE | PRIV_USAGE;
/// Schema privileges (USAGE is also a sequence's).
pub const PRIV_USAGE: u8 = 1;
pub const PRIV_CREATE: u8 = 2;
pub const SCHEMA_PRIVILEGES: [(u8, char, &str); 2] =
    [(PRIV_USAGE, 'U', "USAGE"), (PRIV_CREATE, 'C', "CREATE")];

/// One grant: `grantee` (empty: PUBLIC) holds `privileges` (and may pass on `grantable`), given by
/// `grantor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AclItem {
    pub grantee: String,
    pub grantor: String,
    pub privileges: u8,
    pub grantable: u8,
}

/// PostgreSQL's 42501 for a table (also for one of its columns).
pub fn permission_denied(table: &TableDef) -> SqlError {
    SqlError::new(
        code::INSUFFICIENT_PRIVILEGE,
        format!("permission denied for table {}", relname(&table.name)),
    )
}

/// An object's owner by name (None: the bootstrap superuser, who made it before roles existed).
pub fn owner_name(owner: Option<&str>) -> &str {
    owner.unwrap_or(BOOTSTRAP_ROLE)
}

/// An ACL after its object changed owner from `old` to `new` (PostgreSQL's `aclnewowner`): the old
/// owner's entries, as grantee or grantor, become the new owner's, merged with any the new owner
/// had.
pub fn acl_new_owner(acl: &[AclItem], old: &str, new: &str) -> Vec<AclItem> {
    let mut out: Vec<AclItem> = Vec::with_capacity(acl.len());
    for item in acl {
        let mut item = item.clone();
        if item.grantee == old {
            item.grantee = new.to_string();
        }
        if item.grantor == old {
            item.grantor = new.to_string();
        }
        merge_acl_item(&mut out, item);
    }
    out
}

/// Adds `item` to `acl`, into the entry of the same grantee and grantor when there is one.
pub fn merge_acl_item(acl: &mut Vec<AclItem>, item: AclItem) {
    match acl
        .iter_mut()
        .find(|o| o.grantee == item.grantee && o.grantor == item.grantor)
    {
        Some(same) => {
            same.privileges |= item.privileges;
            same.grantable |= item.grantable;
        }
        None => acl.push(item),
    }
}

impl AclItem {
    /// The grantee as information_schema names it (PUBLIC for everyone).
    pub fn grantee_name(&self) -> &str {
        if self.grantee.is_empty() {
            "PUBLIC"
        } else {
            &self.grantee
        }
    }

    /// The privileges of `mask` it holds, each with its name and whether it may be passed on
    /// (an owner's always may), in aclitem order.
    pub fn granted(&self, owner: &str, mask: u8) -> Vec<(u8, &'static str, bool)> {
        TABLE_PRIVILEGES
            .iter()
            .filter(|(bit, _, _)| self.privileges & bit & mask != 0)
            .map(|&(bit, _, name)| {
                (
                    bit,
                    name,
                    self.grantable & bit != 0 || self.grantee == owner,
                )
            })
            .collect()
    }

    /// PostgreSQL's aclitem text: `grantee=letters/grantor`, `*` after a grantable letter.
    pub fn text(&self, letters: &[(u8, char, &str)]) -> String {
        let mut out = format!("{}=", self.grantee);
        for (bit, letter, _) in letters {
            if self.privileges & bit != 0 {
                out.push(*letter);
                if self.grantable & bit != 0 {
                    out.push('*');
                }
            }
        }
        out.push('/');
        out.push_str(&self.grantor);
        out
    }
}

/// Adds (`grant`) or removes privileges for each grantee in `acl`, keeping PostgreSQL's order
/// (existing entries in place, new grantees at the end) and dropping entries left empty.
pub fn change_acl(
    acl: &mut Vec<AclItem>,
    grant: bool,
    privileges: u8,
    grant_option: bool,
    grantees: &[String],
    grantor: &str,
) {
    for grantee in grantees {
        let at = acl
            .iter()
            .position(|item| &item.grantee == grantee && item.grantor == grantor);
        match (at, grant) {
            (Some(at), true) => {
                acl[at].privileges |= privileges;
                if grant_option {
                    acl[at].grantable |= privileges;
                }
            }
            (None, true) => acl.push(AclItem {
                grantee: grantee.clone(),
                grantor: grantor.to_string(),
                privileges,
                grantable: if grant_option { privileges } else { 0 },
            }),
            (Some(at), false) => {
                // REVOKE GRANT OPTION FOR keeps the privileges themselves.
                acl[at].grantable &= !privileges;
                if !grant_option {
                    acl[at].privileges &= !privileges;
                }
            }
            (None, false) => {}
        }
    }
    acl.retain(|item| item.privileges != 0);
}

/// What a foreign key does to the referencing rows when their referenced key goes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    /// `pg_constraint.confupdtype` / `confdeltype`.
    pub fn code(self) -> &'static str {
        match self {
            FkAction::NoAction => "a",
            FkAction::Restrict => "r",
            FkAction::Cascade => "c",
            FkAction::SetNull => "n",
            FkAction::SetDefault => "d",
        }
    }

    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// A FOREIGN KEY constraint (MATCH SIMPLE: a row with a NULL in its key columns references
/// nothing). The referenced table is named by id, so renames keep it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignKeyDef {
    pub name: String,
    pub columns: Vec<usize>,
    /// The referenced table's id (0 while the table that references itself is being created).
    pub parent: TableId,
    /// The referenced columns: the primary key or a UNIQUE constraint's columns.
    pub parent_columns: Vec<usize>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// DEFERRABLE: SET CONSTRAINTS may put its check off to the end of the transaction.
    #[serde(default)]
    pub deferrable: bool,
    /// INITIALLY DEFERRED: checked at COMMIT unless SET CONSTRAINTS says IMMEDIATE.
    #[serde(default)]
    pub initially_deferred: bool,
    /// Added NOT VALID and not validated since: new rows are checked, the rows that were there
    /// when it was added may not pass (`pg_constraint.convalidated` false).
    #[serde(default)]
    pub not_valid: bool,
}

/// A CHECK constraint: its condition as SQL text, and bound over the table's row when a write
/// statement takes the table (`Binder::write_target`), so that whoever computes a new row, the
/// session or its owner, can check it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckDef {
    pub name: String,
    pub sql: String,
    #[serde(skip)]
    pub bound: Option<crate::expr::Expr>,
    /// Not the table's: a view's CHECK OPTION that a write through the view (named `name`)
    /// carries on its copy of the table (`crate::bind::views`). A row passes only when the
    /// condition is true (NULL fails it, unlike a CHECK constraint), else 44000.
    #[serde(skip)]
    pub view: bool,
    /// Added NOT VALID and not validated since (as a foreign key's).
    #[serde(default)]
    pub not_valid: bool,
}

/// A secondary index: a hidden table of entries, each placed by its own key like any row (so a
/// unique index has one owner per key, and its row lock serializes inserters of the same key).
///
/// ```text
///   entry key = key(index columns)              unique, no NULL among them
///             | key(index columns) ++ row key   otherwise
///   entry value = row key
/// ```
/// Entries are changed in the writing transaction beside the row, with the store's row locks and
/// before-images, so a reader sees the entries of the row versions it sees (an entry an open
/// transaction deletes stays visible to others until it commits); readers re-check the row.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IndexDef {
    /// The entries' table id (from the catalog's table ids).
    pub id: TableId,
    pub name: String,
    pub columns: Vec<usize>,
    pub unique: bool,
    /// It backs a UNIQUE constraint (dropped with the constraint, not by DROP INDEX).
    #[serde(default)]
    pub constraint: bool,
    /// Per column as written, PostgreSQL's `indoption` bits: 1 DESC, 2 NULLS FIRST (empty: all
    /// ascending, NULLS LAST). Kept for the catalogs and `pg_get_indexdef`; the B+tree itself
    /// is read in either direction.
    #[serde(default)]
    pub options: Vec<i16>,
    /// A partial index (`CREATE INDEX ... WHERE condition`): the condition as written; only
    /// the rows it holds for have entries (so a unique partial index constrains only them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// An index on expressions (`ON t (lower(email))`): every key part's expression as written,
    /// a plain column as its quoted name; `columns` is then empty. Empty: the key is `columns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expressions: Vec<String>,
    /// The type of each of `expressions` when the index was made (for the catalogs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expression_types: Vec<DataType>,
    /// `INCLUDE (columns)`: non-key columns of a covering index, kept for the catalogs and
    /// `pg_get_indexdef` (an entry holds only the key: Keel's scans read the row anyway); a
    /// unique index is unique on its key alone, and the index goes with a dropped column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<usize>,
    /// `NULLS NOT DISTINCT` (a unique index): a key with NULLs constrains as any other, so two
    /// rows may not both have `(1, NULL)` (PostgreSQL 15's `indnullsnotdistinct`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    /// `CLUSTER ... USING` it or `ALTER TABLE ... CLUSTER ON` it (`pg_index.indisclustered`):
    /// the index a bare `CLUSTER t` uses. Keel's rows stay in primary key order (see
    /// `Binder::bind_cluster`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub clustered: bool,
    /// Storage parameters (`CREATE INDEX ... WITH (fillfactor = 70)`), as
    /// [`TableDef::options`]: checked, shown in `pg_class.reloptions` and `pg_get_indexdef`,
    /// read by nothing in Keel's B+trees.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<(String, String)>,
    /// `predicate` and `expressions` bound over the table's row, as CHECK constraints are
    /// (`Binder::bind_indexes`), when a statement takes the table; never stored.
    #[serde(skip)]
    pub bound: Option<Arc<BoundIndex>>,
    /// How the entries are placed on vshards ([`keel_storage::Placement`]): by their first key
    /// part ([`IndexDef::placement_for`]), chosen when the index is made and never changed
    /// (the entries are where it put them); 0, the whole entry, for indexes made before.
    #[serde(default)]
    pub placement: Placement,
    /// A GIN index (`USING gin`) of one column, by this operator class: an inverted index with
    /// an entry per item of the value ([`crate::gin`]), not a B+tree's ordered keys; None for
    /// a B+tree index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gin: Option<crate::gin::GinClass>,
}

/// An index's predicate and key expressions bound over its table's row (see [`IndexDef`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundIndex {
    pub predicate: Option<crate::expr::Expr>,
    /// Each key part and its type.
    pub parts: Vec<(crate::expr::Expr, DataType)>,
}

impl IndexDef {
    /// The placement of a new index's entries: by their first key part, of type `first`, so
    /// that the entries of one value (`status = 'queued'`, one customer's orders) lie in one
    /// vshard's tree on one worker, as ScyllaDB places a global index by the indexed value:
    /// the width of its encoding (a 0x01 byte, then 8 for integers, dates, times and floats, 1
    /// for booleans, 16 for intervals), or [`keel_storage::FIRST_FIELD`] (through the
    /// encoding's terminator) for text, numeric and bytea. Other types (arrays, records) keep
    /// the whole entry. The entries of a unique index of one column are their values alone, so
    /// they are placed as before.
    pub fn placement_for(first: DataType) -> Placement {
        match first {
            DataType::Bool => 2,
            DataType::Int2
            | DataType::Int4
            | DataType::Int8
            | DataType::Oid
            | DataType::Enum(_)
            | DataType::Float4
            | DataType::Float8
            | DataType::Timestamp
            | DataType::TimestampTz
            | DataType::Date
            | DataType::Time => 9,
            DataType::Interval => 17,
            DataType::Numeric
            | DataType::Decimal(..)
            | DataType::Text
            | DataType::Varchar(_)
            | DataType::Char(_)
            | DataType::Uuid
            | DataType::Bytea
            | DataType::Json
            | DataType::Jsonb => keel_storage::FIRST_FIELD,
            _ => keel_storage::WHOLE_KEY,
        }
    }

    /// The vshard of an entry.
    pub fn vshard(&self, entry: &[u8]) -> VShard {
        keel_storage::vshard_of(entry, self.placement)
    }

    /// The vshard of every entry that starts with `prefix` (the encoding of values of the
    /// leading key parts), when they share one: `prefix` holds the whole placement prefix.
    pub fn prefix_vshard(&self, prefix: &[u8]) -> Option<VShard> {
        keel_storage::placement_prefix(prefix, self.placement).map(|_| self.vshard(prefix))
    }

    /// Column `i`'s `indoption` bits.
    pub fn option(&self, i: usize) -> i16 {
        self.options.get(i).copied().unwrap_or(0)
    }

    /// Whether the index's entries are computed from expressions or a predicate (which must
    /// be bound first) rather than taken from columns.
    pub fn needs_binding(&self) -> bool {
        self.predicate.is_some() || !self.expressions.is_empty()
    }

    /// Whether the index can make entries as it is: it needs no binding, or has it.
    pub fn is_bound(&self) -> bool {
        !self.needs_binding() || self.bound.is_some()
    }

    /// A whole-table index on plain columns: one a foreign key or `ON CONFLICT (columns)` may
    /// stand on.
    pub fn is_plain(&self) -> bool {
        !self.needs_binding() && self.is_btree()
    }

    /// A B+tree index (not GIN): its entries are its key parts' values in order, so it serves
    /// equalities, ranges and orders on them.
    pub fn is_btree(&self) -> bool {
        self.gin.is_none()
    }

    /// How many key parts the index has.
    pub fn width(&self) -> usize {
        if self.expressions.is_empty() {
            self.columns.len()
        } else {
            self.expressions.len()
        }
    }

    /// The key parts as PostgreSQL's `pg_get_indexdef` lists them: quoted column names, an
    /// expression parenthesized unless it is a function call (`pretty`: without the
    /// parentheses of its own outermost operator).
    pub fn key_texts(&self, table: &TableDef, pretty: bool) -> Vec<String> {
        if self.expressions.is_empty() {
            return self
                .columns
                .iter()
                .map(|&c| crate::functions::quote_ident(&table.columns[c].name))
                .collect();
        }
        (self.expressions.iter())
            .map(|text| Self::expression_key(text, pretty))
            .collect()
    }

    /// An expression's text as a key part of `pg_get_indexdef`: as it is when a call or a
    /// column, else in parentheses (`pretty`: without those of its own outermost operator).
    pub fn expression_key(text: &str, pretty: bool) -> String {
        if simple_text(text) {
            text.to_string()
        } else if pretty {
            format!("({})", strip_parens(text))
        } else {
            format!("({text})")
        }
    }

    /// The predicate as `pg_get_indexdef` shows it (`pretty`: without the parentheses of its
    /// own outermost operator).
    pub fn predicate_text(&self, pretty: bool) -> Option<&str> {
        let text = self.predicate.as_deref()?;
        Some(if pretty { strip_parens(text) } else { text })
    }

    /// Whether the index's key or predicate reads `column` (its bound form tells for
    /// expressions and predicates).
    pub fn reads_column(&self, column: usize) -> bool {
        if self.columns.contains(&column) || self.include.contains(&column) {
            return true;
        }
        let Some(bound) = &self.bound else {
            return false;
        };
        let mut read = Vec::new();
        for (expr, _) in &bound.parts {
            expr.columns(&mut read);
        }
        if let Some(predicate) = &bound.predicate {
            predicate.columns(&mut read);
        }
        read.contains(&column)
    }

    /// The names a default index name joins (PostgreSQL's ChooseIndexColumnNames): each key
    /// part's ([`IndexDef::part_names`]), then each INCLUDE column's.
    pub fn name_parts(&self, table: &TableDef) -> Vec<String> {
        let mut names = self.part_names(table);
        names.extend(self.include.iter().map(|&c| table.columns[c].name.clone()));
        names
    }

    /// The names of the key parts as PostgreSQL's `ChooseIndexColumnNames` makes them (the
    /// index's `pg_attribute` names, and the words of its default name): a column's name, a
    /// function call's function name, else `expr`; a name already taken gets a number.
    pub fn part_names(&self, table: &TableDef) -> Vec<String> {
        let mut names: Vec<String> = Vec::with_capacity(self.width());
        for part in 0..self.width() {
            let base = match self.part_column(table, part) {
                Some(c) => table.columns[c].name.clone(),
                None => {
                    let text = &self.expressions[part];
                    let name = text.find('(').map(|open| text[..open].trim());
                    match name {
                        Some(name)
                            if !name.is_empty()
                                && name
                                    .chars()
                                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
                        {
                            let last = name.rsplit('.').next().unwrap_or(name);
                            last.to_lowercase()
                        }
                        _ => "expr".to_string(),
                    }
                }
            };
            let mut name = base.clone();
            let mut n = 0;
            while names.contains(&name) {
                n += 1;
                name = format!("{base}{n}");
            }
            names.push(name);
        }
        names
    }

    /// The type of key part `part`.
    pub fn part_type(&self, table: &TableDef, part: usize) -> DataType {
        if let Some(bound) = &self.bound {
            if let Some((_, ty)) = bound.parts.get(part) {
                return *ty;
            }
        }
        match self.part_column(table, part) {
            Some(c) => table.columns[c].ty,
            None => self
                .expression_types
                .get(part)
                .copied()
                .unwrap_or(DataType::Text),
        }
    }

    /// The column a key part is, or None for an expression (PostgreSQL's `indkey` 0).
    pub fn part_column(&self, table: &TableDef, part: usize) -> Option<usize> {
        if self.expressions.is_empty() {
            return self.columns.get(part).copied();
        }
        let text = self.expressions.get(part)?;
        let name = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(inner) => inner.replace("\"\"", "\""),
            None => text.to_lowercase(),
        };
        table.column_index(&name)
    }
}

/// Whether an expression's text is a function call or a column's name, which PostgreSQL's
/// deparse never parenthesizes (an operator's text comes with its parentheses).
pub fn simple_text(text: &str) -> bool {
    let call = text.ends_with(')')
        && text.find('(').is_some_and(|open| {
            open > 0 && balanced(&text[open..]) && {
                let name = &text[..open];
                name.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            }
        });
    let column = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .map_or(
            text.chars().all(|c| c.is_alphanumeric() || c == '_'),
            |inner| !inner.contains('"'),
        );
    call || column
}

/// `text` without one pair of parentheses around the whole of it.
pub fn strip_parens(text: &str) -> &str {
    if text.starts_with('(') && balanced(text) {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

/// Whether `text` is one parenthesized group: `(` ... the `)` that closes it at the end.
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// The placement of a table whose primary key starts with an integer column: the first 9 key bytes,
/// which are that column's encoding (a tag and 8 bytes; see [`crate::types::encode_key`]).
pub const FIRST_COLUMN_PLACEMENT: Placement = 9;

impl TableDef {
    /// The placement a new table gets: by the first primary key column when it is an integer
    /// (rows with one value of it share a vshard: an order's lines, a tenant's rows, a warehouse's
    /// districts, as ScyllaDB's partition key and Citus's distribution column place them), so a
    /// lookup by that column alone reads one tree on one worker, and tables keyed by the same
    /// integers are placed alike. Other keys are placed by the whole key: a leading date, text or
    /// boolean column tends to have few values or hot ones (today's rows), which would pile onto
    /// a few vshards. A single integer key is placed the same either way.
    pub fn placement_for(columns: &[ColumnDef], primary_key: &[usize]) -> Placement {
        match primary_key.first().map(|&c| columns[c].ty) {
            Some(DataType::Int2 | DataType::Int4 | DataType::Int8) => FIRST_COLUMN_PLACEMENT,
            _ => keel_storage::WHOLE_KEY,
        }
    }

    /// The vshard of the row under `key`.
    pub fn vshard(&self, key: &[u8]) -> VShard {
        keel_storage::vshard_of(key, self.placement)
    }

    /// Whether every row with one value of the first primary key column lies on one vshard (the
    /// vshard of that value's encoding).
    pub fn placed_by_first_key_column(&self) -> bool {
        self.placement == FIRST_COLUMN_PLACEMENT
            && Self::placement_for(&self.columns, &self.primary_key) == FIRST_COLUMN_PLACEMENT
    }

    /// The pseudo-column past the table's own that a scan's `project` may name
    /// ([`crate::plan::Rel::Scan`]): each row's storage key, as bytea. Writes found by a query
    /// (UPDATE FROM, DELETE USING, MERGE, subqueries) and row locks in joins name the rows of a
    /// table without a primary key by it, as PostgreSQL names rows by their `ctid`; EXPLAIN
    /// calls it `ctid`.
    pub fn row_key_column(&self) -> usize {
        self.columns.len()
    }

    /// Whether writes must report the rows they change (for index entries and foreign keys).
    pub fn tracks_changes(&self) -> bool {
        !self.indexes.is_empty() || !self.foreign_keys.is_empty() || self.referenced
    }

    /// Whether `new`, a new version of the row `old`, keeps its key: the values of the
    /// primary key's columns and of every unique index on plain columns without a predicate (the
    /// keys a foreign key may reference; PostgreSQL's key columns). Such an UPDATE takes
    /// PostgreSQL's FOR NO KEY UPDATE lock, which a foreign key's FOR KEY SHARE does not block.
    pub fn keeps_key(&self, old: &[Value], new: &[Value]) -> bool {
        let same = |c: &usize| old.get(*c) == new.get(*c);
        self.primary_key.iter().all(same)
            && (self.indexes.iter())
                .filter(|index| index.unique && index.is_plain() && index.predicate.is_none())
                .all(|index| index.columns.iter().all(same))
    }

    /// The generated columns whose expressions (bound: `Binder::write_target`) read one of
    /// `columns`: those a change of `columns` changes too.
    pub fn generated_reading(&self, columns: &[usize]) -> Vec<usize> {
        let mut found = Vec::new();
        for (at, column) in self.columns.iter().enumerate() {
            let Some(bound) = column.generated.as_ref().and_then(|g| g.bound.as_ref()) else {
                continue;
            };
            let mut read = Vec::new();
            bound.columns(&mut read);
            if read.iter().any(|c| columns.contains(c)) {
                found.push(at);
            }
        }
        found
    }

    /// Whether writing `columns` changes the primary key: one of them is a key column, or a
    /// generated key column reads one (generated expressions bound).
    pub fn changes_key(&self, columns: &[usize]) -> bool {
        (columns.iter().chain(&self.generated_reading(columns)))
            .any(|c| self.primary_key.contains(c))
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| column.name == name)
    }
    /// [`TableDef::column_index`], or PostgreSQL's 42703 naming the column and the table.
    pub fn column_position(&self, name: &str) -> SqlResult<usize> {
        self.column_index(name).ok_or_else(|| {
            SqlError::new(
                code::UNDEFINED_COLUMN,
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    relname(&self.name)
                ),
            )
        })
    }
    pub fn index(&self, name: &str) -> Option<&IndexDef> {
        self.indexes.iter().find(|index| index.name == name)
    }
    /// Forgets the bound form of the CHECK conditions and generated columns' expressions (a
    /// catalog holds their text only; `Binder::write_target` binds them).
    pub fn unbind_expressions(&mut self) {
        for check in &mut self.checks {
            check.bound = None;
        }
        for column in &mut self.columns {
            if let Some(generated) = &mut column.generated {
                generated.bound = None;
            }
        }
    }

    /// Forgets the bound form of every index (see [`IndexDef::bound`]).
    pub fn unbind_indexes(&mut self) {
        for index in &mut self.indexes {
            index.bound = None;
        }
    }

    /// A table of `columns` and nothing else: no key, index or constraint, no owner.
    pub fn plain(id: TableId, name: String, columns: Vec<ColumnDef>) -> TableDef {
        TableDef {
            primary_key_clustered: false,
            primary_key_include: Vec::new(),
            id,
            name,
            columns,
            primary_key: Vec::new(),
            primary_key_name: None,
            fillfactor: None,
            unlogged: false,
            options: Vec::new(),
            indexes: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            referenced: false,
            owner: None,
            acl: None,
            placement: 0,
            matview: None,
        }
    }

    /// A materialized view's definition, for a table that is one.
    pub fn matview(&self) -> Option<&MatView> {
        self.matview.as_deref()
    }

    /// The kind of relation as PostgreSQL's messages name it: "materialized view" or "table".
    pub fn kind_name(&self) -> &'static str {
        if self.matview.is_some() {
            "materialized view"
        } else {
            "table"
        }
    }

    /// PostgreSQL's `relkind`: 'm' for a materialized view, 'r' for a table.
    pub fn relkind(&self) -> char {
        if self.matview.is_some() {
            'm'
        } else {
            'r'
        }
    }

    /// PostgreSQL's `relpersistence`: 't' for a temporary table, 'u' for an unlogged one, 'p'
    /// for the rest.
    pub fn persistence(&self) -> char {
        if is_temp_schema(split_name(&self.name).0) {
            't'
        } else if self.unlogged {
            'u'
        } else {
            'p'
        }
    }

    /// The table keyed by hidden row ids instead of its primary key (the key dropped, or a
    /// column of it), placed as a table made without one. The key's columns stay NOT NULL,
    /// as in PostgreSQL.
    pub fn without_primary_key(&self) -> TableDef {
        let mut unkeyed = self.clone();
        unkeyed.primary_key.clear();
        unkeyed.primary_key_include.clear();
        unkeyed.primary_key_name = None;
        unkeyed.primary_key_clustered = false;
        unkeyed.placement = Self::placement_for(&unkeyed.columns, &[]);
        unkeyed
    }

    /// The unique key a foreign key referencing `columns` (in any order) stands on, as
    /// PostgreSQL records it when the foreign key is made: the primary key, else the oldest
    /// unique index on exactly those plain columns without a predicate. Dropping it needs the
    /// foreign key gone first, or CASCADE.
    pub fn referenced_key(&self, columns: &[usize]) -> Option<ReferencedKey> {
        let mut wanted = columns.to_vec();
        wanted.sort_unstable();
        let on_wanted = |key: &[usize]| {
            let mut key = key.to_vec();
            key.sort_unstable();
            key == wanted
        };
        if !self.primary_key.is_empty() && on_wanted(&self.primary_key) {
            return Some(ReferencedKey::Primary);
        }
        (self.indexes.iter())
            .filter(|index| index.unique && index.is_plain() && on_wanted(&index.columns))
            .min_by_key(|index| index.id)
            .map(|index| ReferencedKey::Index(index.id))
    }

    pub fn pkey_name(&self) -> String {
        self.primary_key_name
            .clone()
            .unwrap_or_else(|| format!("{}_pkey", self.name))
    }
}

/// What a foreign key's referenced columns stand on ([`TableDef::referenced_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferencedKey {
    Primary,
    /// A unique index, by id.
    Index(TableId),
}

/// One version of the catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub version: u64,
    pub next_table_id: TableId,
    #[serde(with = "as_list")]
    pub tables: BTreeMap<String, Arc<TableDef>>,
    /// Views by name (they share the tables' namespace).
    #[serde(default)]
    pub views: BTreeMap<String, ViewDef>,
    /// Sequences by name (they share the tables' namespace; see `crate::sequence`).
    #[serde(default, with = "as_list")]
    pub sequences: BTreeMap<String, Arc<SequenceDef>>,
    /// COMMENT ON TABLE / COLUMN texts.
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// Roles made by CREATE ROLE, and the bootstrap superuser once ALTER ROLE changed it (see
    /// [`Catalog::role`]).
    #[serde(default)]
    pub roles: BTreeMap<String, RoleDef>,
    /// GRANT/REVOKE ON SCHEMA public (None: PostgreSQL 15's default, see [`Catalog::schema_acl`]).
    #[serde(default)]
    pub schema_acl: Option<Vec<AclItem>>,
    /// Schemas made by CREATE SCHEMA (public is always there and not listed).
    #[serde(default)]
    pub schemas: BTreeMap<String, SchemaDef>,
    /// `ALTER DATABASE db SET name = value`: settings every session in that database starts
    /// with (under its role's).
    #[serde(default)]
    pub database_settings: Vec<RoleSetting>,
    /// Enum types by name (see [`crate::enums`]).
    #[serde(default, with = "as_list")]
    pub enums: BTreeMap<String, Arc<crate::enums::EnumDef>>,
    /// Domains by name (see [`crate::domains`]).
    #[serde(default, with = "as_list")]
    pub domains: BTreeMap<String, Arc<crate::domains::DomainDef>>,
    /// Composite types by name (see [`crate::composites`]).
    #[serde(default, with = "as_list")]
    pub composites: BTreeMap<String, Arc<crate::composites::CompositeDef>>,
}

/// A schema made by CREATE SCHEMA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaDef {
    pub name: String,
    /// `pg_namespace.oid` (see [`Catalog::add_schema`]).
    pub oid: i64,
    pub owner: String,
    /// GRANTed privileges; None: the owner's only.
    #[serde(default)]
    pub acl: Option<Vec<AclItem>>,
}

/// The schema every node starts with (`pg_namespace` OID 2200).
pub const PUBLIC_SCHEMA: &str = "public";

/// The schema holding the temporary relations of the session with process id `pid`
/// (PostgreSQL's `pg_temp_N`): made with its first temporary table, dropped with everything in it
/// when the session ends.
pub fn temp_schema(pid: i32) -> String {
    format!("pg_temp_{pid}")
}

/// Whether `schema` is a session's temporary schema.
pub fn is_temp_schema(schema: &str) -> bool {
    schema
        .strip_prefix("pg_temp_")
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// A relation's catalog key from its schema and name: the bare name in public, `schema.name`
/// elsewhere. Schema names hold no dots (CREATE SCHEMA refuses them), so the key splits back at
/// its first dot; a public relation whose own name has a dot is keyed `public.a.b`. Names
/// derived from a key by appending (`t_pkey`, `t_id_seq`) land in the same schema.
pub fn qualify(schema: &str, name: &str) -> String {
    if schema == PUBLIC_SCHEMA && !name.contains('.') {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

/// A catalog key's schema and relation name (see [`qualify`]).
pub fn split_name(key: &str) -> (&str, &str) {
    key.split_once('.').unwrap_or((PUBLIC_SCHEMA, key))
}

/// A catalog key as regclass text (`nextval('s.seq'::regclass)`): each part double-quoted when
/// it is not a plain lower-case name, public's relations without their schema.
pub fn regclass_text(key: &str) -> String {
    let quote = crate::functions::quote_ident;
    let (schema, relation) = split_name(key);
    if schema == PUBLIC_SCHEMA && !relation.contains('.') {
        quote(relation)
    } else {
        format!("{}.{}", quote(schema), quote(relation))
    }
}

/// The relation name of a catalog key, as messages and `pg_class.relname` show it.
pub fn relname(key: &str) -> &str {
    split_name(key).1
}

/// The name of the type (an enum type, a domain) with catalog key `key` as a session
/// searching `schemas` reads it (`format_type`): bare when its schema is one of them, else
/// schema-qualified (each part quoted as it needs).
pub fn type_display_name(key: &str, schemas: &[&str]) -> String {
    let (schema, name) = split_name(key);
    let name = crate::functions::quote_ident(name);
    if schemas.contains(&schema) {
        name
    } else {
        format!("{}.{name}", crate::functions::quote_ident(schema))
    }
}

/// The entry of a map of types by key (enums, domains, composite types) that a name finds: a
/// qualified name (`s.t`, also `public.t` as written) in its schema, a bare one along
/// `schemas`.
pub fn find_type<'a, T>(
    types: &'a BTreeMap<String, Arc<T>>,
    name: &str,
    schemas: &[&str],
) -> Option<&'a Arc<T>> {
    if let Some((schema, name)) = name.split_once('.') {
        return types.get(&qualify(schema, name));
    }
    schemas
        .iter()
        .find_map(|schema| types.get(&qualify(schema, name)))
}

/// The name of an enum or composite type (or of an array of one) as a session searching
/// `schemas` reads it ([`type_display_name`], `[]` after an array's); None for other types.
pub fn user_type_display_name(ty: DataType, schemas: &[&str]) -> Option<String> {
    let element = ty.element().unwrap_or(ty);
    let key = match element {
        DataType::Enum(id) => crate::enums::lookup(id)?.name.clone(),
        other => crate::composites::lookup(crate::composites::type_id(other)?)?.name,
    };
    let brackets = if ty.element().is_some() { "[]" } else { "" };
    Some(format!("{}{brackets}", type_display_name(&key, schemas)))
}

/// The role every node starts with, as `initdb` makes it: superuser, OID 10.
pub const BOOTSTRAP_ROLE: &str = "postgres";
/// The bootstrap role's OID.
pub const BOOTSTRAP_ROLE_OID: i64 = 10;

/// PostgreSQL 15's predefined roles with their OIDs: NOLOGIN roles that every cluster has
/// (pg_roles lists them, the public schema belongs to `pg_database_owner`, and pg_dump maps
/// owners through them). Their names are reserved; Keel gives them no privileges of their own
/// yet, so they are listed but cannot be granted.
pub const PREDEFINED_ROLES: [(&str, i64); 12] = [
    ("pg_monitor", 3373),
    ("pg_read_all_settings", 3374),
    ("pg_read_all_stats", 3375),
    ("pg_stat_scan_tables", 3377),
    ("pg_signal_backend", 4200),
    ("pg_checkpoint", 4544),
    ("pg_read_server_files", 4569),
    ("pg_write_server_files", 4570),
    ("pg_execute_server_program", 4571),
    ("pg_database_owner", 6171),
    ("pg_read_all_data", 6181),
    ("pg_write_all_data", 6182),
];

/// The OID of the predefined role called `name` (None: not one).
pub fn predefined_role_oid(name: &str) -> Option<i64> {
    PREDEFINED_ROLES
        .iter()
        .find(|(predefined, _)| *predefined == name)
        .map(|(_, oid)| *oid)
}

/// A predefined role's definition (None: not one): no login, and pg_monitor a member of three of
/// the others, as in PostgreSQL.
pub fn predefined_role(name: &str) -> Option<RoleDef> {
    let mut role = RoleDef::new(name, predefined_role_oid(name)?);
    if name == "pg_monitor" {
        role.member_of = [
            "pg_read_all_settings",
            "pg_read_all_stats",
            "pg_stat_scan_tables",
        ]
        .map(|of| Membership {
            role: of.into(),
            admin: false,
            grantor: BOOTSTRAP_ROLE.into(),
        })
        .to_vec();
    }
    Some(role)
}

/// A schema's ACL as initdb makes those it makes: `owner=UC/owner`, PUBLIC `U` (the public
/// schema's owner is `pg_database_owner`, pg_catalog's and information_schema's the bootstrap
/// superuser).
pub fn schema_acl_of(owner: &str) -> Vec<AclItem> {
    vec![
        AclItem {
            grantee: owner.into(),
            grantor: owner.into(),
            privileges: PRIV_USAGE | PRIV_CREATE,
            grantable: 0,
        },
        AclItem {
            grantee: String::new(),
            grantor: owner.into(),
            privileges: PRIV_USAGE,
            grantable: 0,
        },
    ]
}

/// A role (`pg_authid`): its attributes and its stored password secret (see `crate::auth`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleDef {
    pub name: String,
    pub oid: i64,
    pub superuser: bool,
    pub inherit: bool,
    pub create_role: bool,
    pub create_db: bool,
    pub login: bool,
    pub replication: bool,
    pub bypass_rls: bool,
    /// -1: no limit.
    pub connection_limit: i32,
    /// `SCRAM-SHA-256$...` or `md5...`; never the password itself.
    pub password: Option<String>,
    /// `VALID UNTIL`, microseconds since 2000-01-01 UTC (a timestamptz).
    pub valid_until: Option<i64>,
    /// The roles this one was GRANTed membership in (`pg_auth_members`).
    #[serde(default)]
    pub member_of: Vec<Membership>,
    /// `ALTER ROLE ... [IN DATABASE db] SET name = value`: settings a session of this role
    /// starts with (`pg_db_role_setting`), in the order they were set.
    #[serde(default)]
    pub settings: Vec<RoleSetting>,
}

/// A default setting of a role, for every database or one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleSetting {
    pub database: Option<String>,
    pub name: String,
    pub value: String,
}

/// Membership in a role: `GRANT role TO member [WITH ADMIN OPTION]`, kept on the member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub role: String,
    /// May grant the role to others (WITH ADMIN OPTION).
    pub admin: bool,
    pub grantor: String,
}

impl RoleDef {
    /// A role as CREATE ROLE makes it before its options (CREATE USER adds LOGIN).
    pub fn new(name: &str, oid: i64) -> RoleDef {
        RoleDef {
            name: name.to_string(),
            oid,
            superuser: false,
            inherit: true,
            create_role: false,
            create_db: false,
            login: false,
            replication: false,
            bypass_rls: false,
            connection_limit: -1,
            password: None,
            valid_until: None,
            member_of: Vec::new(),
            settings: Vec::new(),
        }
    }

    /// The settings a session in `database` starts with: the role's for every database, then
    /// its own for this one (which win).
    pub fn settings_for(&self, database: &str) -> Vec<(String, String)> {
        let all = self.settings.iter().filter(|s| s.database.is_none());
        let here = self
            .settings
            .iter()
            .filter(|s| s.database.as_deref() == Some(database));
        all.chain(here)
            .map(|s| (s.name.clone(), s.value.clone()))
            .collect()
    }

    fn bootstrap() -> RoleDef {
        RoleDef {
            superuser: true,
            create_role: true,
            create_db: true,
            login: true,
            replication: true,
            bypass_rls: true,
            ..RoleDef::new(BOOTSTRAP_ROLE, BOOTSTRAP_ROLE_OID)
        }
    }
}

/// A comment on a table (`column` 0) or on one of its columns (`column` is the attnum).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub table: TableId,
    pub column: i16,
    pub text: String,
}

/// A sequence: its options as `CREATE SEQUENCE` gave them (PostgreSQL's defaults otherwise). Its
/// counter lives outside the catalog (see `crate::sequence`); `id` names the hidden one-row table
/// that logs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceDef {
    pub id: TableId,
    pub name: String,
    /// smallint, integer or bigint (`AS type`).
    pub ty: DataType,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    /// The column it belongs to (SERIAL, identity, `OWNED BY`): dropped with its table.
    pub owned_by: Option<(String, String)>,
    /// Its creator (None: the bootstrap superuser).
    #[serde(default)]
    pub owner: Option<String>,
    /// GRANTed privileges (SELECT, UPDATE, USAGE; None: all for the owner only).
    #[serde(default)]
    pub acl: Option<Vec<AclItem>>,
}

impl SequenceDef {
    /// `AS ty`: bounds that were the old type's limits become the new type's (an ascending
    /// sequence's MAXVALUE, a descending one's MINVALUE), as PostgreSQL's ALTER SEQUENCE does.
    pub fn set_type(&mut self, ty: DataType) {
        let (old_min, old_max) = crate::sequence::type_limits(self.ty);
        let (min, max) = crate::sequence::type_limits(ty);
        let ascending = self.increment > 0;
        if self.max == old_max {
            self.max = if ascending { max } else { -1 };
        }
        if self.min == old_min {
            self.min = if ascending { 1 } else { min };
        }
        self.ty = ty;
    }
}

/// A view: its query as SQL text, bound again wherever the view is named (so it always reads
/// the current catalog), and its column names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewDef {
    pub name: String,
    pub sql: String,
    pub columns: Vec<String>,
    /// The columns' types when the view was made (for the catalogs; queries bind it again).
    #[serde(default)]
    pub types: Vec<crate::types::DataType>,
    /// Its creator; the view's query reads its tables with the owner's privileges.
    #[serde(default)]
    pub owner: Option<String>,
    /// GRANTed privileges (None: all for the owner only).
    #[serde(default)]
    pub acl: Option<Vec<AclItem>>,
    /// The search path its query was written under: names in it are found along this path
    /// whatever the reading session's (PostgreSQL binds them when the view is made).
    #[serde(default = "default_search_path")]
    pub search_path: Vec<String>,
    /// Given from the table id counter when made: orders views among the relations by age.
    #[serde(default)]
    pub id: TableId,
    /// The tables and views its query names (by id): they cannot be dropped while it stands,
    /// unless with CASCADE, which drops it too.
    #[serde(default)]
    pub reads: Vec<TableId>,
    /// Where `sql` names a relation without its schema: the character offset of the name and
    /// the schema it resolved to when the view was made (see [`ViewDef::query`]).
    #[serde(default)]
    pub qualifiers: Vec<(usize, String)>,
    /// Where `sql` names a table or one of its columns (see [`NameRef`]), in order.
    #[serde(default)]
    pub names: Vec<NameRef>,
    /// Its `WITH (...)` options as `pg_class.reloptions` shows them (`security_barrier=true`,
    /// `check_option=local`), in the order given (see [`ViewDef::check_option`]).
    #[serde(default)]
    pub options: Vec<String>,
    /// The table columns its query reads, `*` included, as (table id, attnum): a column in it
    /// cannot be dropped while the view stands (PostgreSQL's dependency), unless with CASCADE.
    #[serde(default)]
    pub columns_read: Vec<(TableId, i16)>,
    /// What each `*` of its query expanded to when it was made, in binding order.
    #[serde(default)]
    pub stars: Vec<Star>,
}

/// What one `*` of a view's query expanded to when the view was made: the table columns (id,
/// attnum). It reads these of its tables' columns ever after (`fixed`; other FROM items fix
/// their own), as PostgreSQL expands it once: a column added to a table later is not the
/// view's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Star {
    pub fixed: bool,
    pub columns: Vec<(TableId, i16)>,
}

/// A place in a view's text that names a table (`column` 0) or a table's column (its attnum),
/// as character offset and length: renaming the table or the column renames it there too, so
/// the view goes on reading what it read (PostgreSQL's views hold OIDs, not names).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NameRef {
    pub at: usize,
    pub len: usize,
    pub table: TableId,
    pub column: i16,
    /// A select list's bare column, whose name is the output column's: renamed, it keeps
    /// that name with `AS` (as PostgreSQL's deparsed views show it).
    #[serde(default)]
    pub output: bool,
}

impl ViewDef {
    /// Its `WITH [LOCAL | CASCADED] CHECK OPTION` (`"local"`, `"cascaded"`; the binder admits
    /// no other value): rows written through the view must be rows it shows
    /// (`crate::bind::views`).
    pub fn check_option(&self) -> Option<&str> {
        self.options
            .iter()
            .find_map(|option| option.strip_prefix("check_option="))
    }

    /// Writes `to` (quoted as needed) where the text names `table`'s column `column` (0: the
    /// table itself), moving the places after each by the change in length; a view that does
    /// not name it is left as it is.
    pub fn rename(&mut self, table: TableId, column: i16, to: &str) {
        if !self
            .names
            .iter()
            .any(|n| n.table == table && n.column == column)
        {
            return;
        }
        let written = crate::functions::quote_ident(to);
        let width = written.chars().count();
        let mut chars: Vec<char> = self.sql.chars().collect();
        // From the last place to the first, so the earlier offsets stay valid while writing.
        let mut i = self.names.len();
        while i > 0 {
            i -= 1;
            let NameRef { at, len, .. } = self.names[i];
            if self.names[i].table != table || self.names[i].column != column {
                continue;
            }
            if at + len > chars.len() {
                continue;
            }
            let mut replacement = written.clone();
            if self.names[i].output {
                // The output column keeps the name it had (as written: `a`, `"Mixed"`).
                let was: String = chars[at..at + len].iter().collect();
                replacement = format!("{written} AS {was}");
                self.names[i].output = false;
            }
            let grown = replacement.chars().count();
            chars.splice(at..at + len, replacement.chars());
            self.names[i].len = width;
            self.shift_places(at, len, grown);
        }
        self.sql = chars.into_iter().collect();
    }

    /// After the `len` characters at `at` became `grown` ones: the places after them move.
    fn shift_places(&mut self, at: usize, len: usize, grown: usize) {
        let moved = |offset: usize| {
            if offset > at {
                offset + grown - len
            } else {
                offset
            }
        };
        for name in &mut self.names {
            name.at = moved(name.at);
        }
        for (offset, _) in &mut self.qualifiers {
            *offset = moved(*offset);
        }
    }

    /// After relation `table` moved to schema `to` (`ALTER ... SET SCHEMA`): where the text
    /// names it without a schema, the schema that name resolved to becomes `to`; where it names
    /// it with one (`s.t`, also before a column: `s.t.c`), that schema is written `to`.
    pub fn move_schema(&mut self, table: TableId, to: &str) {
        let written: Vec<char> = crate::functions::quote_ident(to).chars().collect();
        let mut chars: Vec<char> = self.sql.chars().collect();
        // From the last place to the first, so the earlier offsets stay valid while writing.
        let mut i = self.names.len();
        while i > 0 {
            i -= 1;
            let NameRef { at, column, .. } = self.names[i];
            if self.names[i].table != table || column != 0 || at > chars.len() {
                continue;
            }
            if let Some((_, schema)) = self.qualifiers.iter_mut().find(|(q, _)| *q == at) {
                *schema = to.to_string();
                continue;
            }
            let Some(span) = qualifier_before(&chars, at) else {
                continue;
            };
            let (start, len) = (span.start, span.len());
            chars.splice(span, written.iter().copied());
            self.shift_places(start, len, written.len());
        }
        self.sql = chars.into_iter().collect();
    }

    /// After `table`'s column `column` (attnum) was dropped: the later columns' attnums move
    /// down by one, as Keel numbers a table's columns by position.
    pub fn column_dropped(&mut self, table: TableId, column: i16) {
        for name in &mut self.names {
            if name.table == table && name.column > column {
                name.column -= 1;
            }
        }
        let shift = |columns: &mut Vec<(TableId, i16)>| {
            columns.retain(|&(t, c)| !(t == table && c == column));
            for read in columns.iter_mut() {
                if read.0 == table && read.1 > column {
                    read.1 -= 1;
                }
            }
        };
        shift(&mut self.columns_read);
        for star in &mut self.stars {
            shift(&mut star.columns);
        }
    }

    /// Its query with the relations it names without a schema qualified by the schemas they
    /// resolved to when it was made (PostgreSQL binds a view's names then), except where
    /// `visible(schema)` says the plain name finds them (`pg_get_viewdef` shows a name
    /// qualified only when the reader's search path would not find it).
    pub fn query(&self, visible: impl Fn(&str) -> bool) -> String {
        let mut out = String::with_capacity(self.sql.len() + 16 * self.qualifiers.len());
        let mut qualifiers = self.qualifiers.iter().peekable();
        for (at, c) in self.sql.chars().enumerate() {
            while let Some((_, schema)) = qualifiers.next_if(|(offset, _)| *offset == at) {
                if !visible(schema) {
                    out.push_str(&crate::functions::quote_ident(schema));
                    out.push('.');
                }
            }
            out.push(c);
        }
        out
    }

    /// Its query with every relation qualified: what a reader binds.
    pub fn bound_query(&self) -> String {
        self.query(|_| false)
    }
}

/// The identifier that qualifies the name at `at` (`schema.` before it, spaces allowed around
/// the dot; quoted or not), as a range of `chars`.
fn qualifier_before(chars: &[char], at: usize) -> Option<std::ops::Range<usize>> {
    let mut end = at;
    while end > 0 && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    if end == 0 || chars[end - 1] != '.' {
        return None;
    }
    end -= 1;
    while end > 0 && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    let mut start = end;
    if start > 0 && chars[start - 1] == '"' {
        // A quoted identifier: back to the quote that opens it (a doubled one is a quote
        // inside it).
        start -= 1;
        loop {
            if start == 0 {
                return None;
            }
            start -= 1;
            if chars[start] == '"' {
                if start > 0 && chars[start - 1] == '"' {
                    start -= 1;
                    continue;
                }
                break;
            }
        }
    } else {
        while start > 0
            && (chars[start - 1].is_alphanumeric() || matches!(chars[start - 1], '_' | '$'))
        {
            start -= 1;
        }
    }
    (start < end).then_some(start..end)
}

/// PostgreSQL's 42809 for a relation of another kind than the command's: `"name" is not a
/// {wanted}`.
pub fn not_a(name: &str, wanted: &str) -> SqlError {
    SqlError::new(
        code::WRONG_OBJECT_TYPE,
        format!("\"{}\" is not a {wanted}", relname(name)),
    )
}

/// PostgreSQL's 42809 for an action a kind of relation does not take: `message`, with "This
/// operation is not supported for {kinds}." (`views`, `materialized views`).
pub fn not_supported_for(message: String, kinds: &str) -> SqlError {
    SqlError::new(code::WRONG_OBJECT_TYPE, message)
        .with_detail(format!("This operation is not supported for {kinds}."))
}

/// PostgreSQL's default `search_path` entries.
pub fn default_search_path() -> Vec<String> {
    vec!["$user".into(), PUBLIC_SCHEMA.into()]
}

/// Tables and sequences are stored as lists of their definitions (the map keys are their names).
trait Named {
    fn name(&self) -> &str;
}

impl Named for TableDef {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for SequenceDef {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for crate::enums::EnumDef {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for crate::domains::DomainDef {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for crate::composites::CompositeDef {
    fn name(&self) -> &str {
        &self.name
    }
}

mod as_list {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde::{Deserializer, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        map: &BTreeMap<String, Arc<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.values().map(|value| value.as_ref()))
    }
    pub fn deserialize<'de, T: DeserializeOwned + Named, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Arc<T>>, D::Error> {
        let list: Vec<T> = Vec::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|value| (value.name().to_string(), Arc::new(value)))
            .collect())
    }
}

/// The version of a catalog DDL makes from one of version `base`: above every version handed out
/// in this process too, so that one given to DDL that was rolled back (a transaction's, or a
/// savepoint's) is never given again. A statement prepared against that catalog remembers its
/// version, and would take a later catalog of the same number for its own.
pub fn next_version(base: u64) -> u64 {
    static HIGHEST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let order = std::sync::atomic::Ordering::Relaxed;
    let mut highest = HIGHEST.load(order);
    loop {
        let next = highest.max(base) + 1;
        match HIGHEST.compare_exchange_weak(highest, next, order, order) {
            Ok(_) => return next,
            Err(now) => highest = now,
        }
    }
}

impl Catalog {
    /// Looks a table up by (lower-cased or quoted) name.
    pub fn table(&self, name: &str) -> SqlResult<&Arc<TableDef>> {
        self.tables.get(name).ok_or_else(|| {
            SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            )
        })
    }

    /// The table that has an index named `name`.
    pub fn table_of_index(&self, name: &str) -> Option<&Arc<TableDef>> {
        self.tables
            .values()
            .find(|table| table.index(name).is_some())
    }

    /// The stored queries, each with its relation's kind as PostgreSQL's messages name it:
    /// views ("view") and materialized views' ("materialized view"), whose `reads`,
    /// `columns_read` and `names` make them depend on what they read.
    pub fn stored_queries(&self) -> impl Iterator<Item = (&'static str, &ViewDef)> {
        let views = self.views.values().map(|view| ("view", view));
        let matviews = (self.tables.values())
            .filter_map(|table| table.matview())
            .map(|matview| ("materialized view", &matview.query));
        views.chain(matviews)
    }

    /// Runs `change` on every stored query (see [`Catalog::stored_queries`]).
    pub fn change_stored_queries(&mut self, mut change: impl FnMut(&mut ViewDef)) {
        self.views.values_mut().for_each(&mut change);
        for table in self.tables.values_mut() {
            if table.matview.is_some() {
                if let Some(matview) = &mut Arc::make_mut(table).matview {
                    change(&mut matview.query);
                }
            }
        }
    }

    /// Whether a table or index (a primary key's too) is named `name` (they share one
    /// namespace).
    pub fn relation_exists(&self, name: &str) -> bool {
        self.tables.contains_key(name)
            || self.table_of_index(name).is_some()
            || self.tables.values().any(|t| {
                !t.primary_key.is_empty()
                    && match &t.primary_key_name {
                        Some(given) => given == name,
                        None => name.strip_suffix("_pkey") == Some(t.name.as_str()),
                    }
            })
            || self.views.contains_key(name)
            || self.sequences.contains_key(name)
            || self.composites.contains_key(name)
    }

    /// Adds schema `name` owned by `owner`, with an OID from the counter relations take theirs
    /// from, in the user range as theirs are (schemas made before this took the bare id, and keep
    /// it: no relation's OID is below 16384, so neither meets another).
    pub fn add_schema(&mut self, name: &str, owner: String) {
        let id = self.next_table_id.max(1);
        self.next_table_id = id + 1;
        let schema = SchemaDef {
            name: name.to_string(),
            oid: crate::system::FIRST_OID + id as i64,
            owner,
            acl: None,
        };
        self.schemas.insert(name.to_string(), schema);
    }

    /// Whether a schema of this name exists.
    pub fn schema_exists(&self, name: &str) -> bool {
        name == PUBLIC_SCHEMA || self.schemas.contains_key(name)
    }

    /// The schemas of a search path (`$user` is the role's own schema, when there is one) that
    /// exist and `user` may use, in order, each once.
    pub fn search_schemas<'a>(&self, path: &'a [String], user: &'a str) -> Vec<&'a str> {
        let mut schemas: Vec<&str> = Vec::new();
        for entry in path {
            let schema = if entry == "$user" {
                user
            } else {
                entry.as_str()
            };
            if self.schema_exists(schema)
                && !schemas.contains(&schema)
                && self.privileges_on_schema(schema, user) & PRIV_USAGE != 0
            {
                schemas.push(schema);
            }
        }
        schemas
    }

    /// The key of a relation named as the hand-parsed statements give it (COPY, VACUUM, ALTER
    /// SEQUENCE): a qualified name is its key already; a bare one is the first relation of that
    /// name along the search path (or itself, for the caller's "does not exist").
    pub fn resolve_written(&self, written: &str, path: &[String], user: &str) -> String {
        if written.contains('.') {
            return written.to_string();
        }
        self.find_along(written, &self.search_schemas(path, user))
            .unwrap_or_else(|| written.to_string())
    }

    /// The key of the first relation named `name` in `schemas`, in order.
    pub fn find_along(&self, name: &str, schemas: &[&str]) -> Option<String> {
        schemas
            .iter()
            .map(|schema| qualify(schema, name))
            .find(|key| self.relation_exists(key))
    }

    /// Whether the relation keyed `key` is the one its bare name finds along `schemas`.
    pub fn is_visible(&self, key: &str, schemas: &[&str]) -> bool {
        self.find_along(split_name(key).1, schemas).as_deref() == Some(key)
    }

    /// A relation as PostgreSQL names it to a session searching `schemas` (regclass output,
    /// dependency messages, sequences in defaults): bare when its name finds it, else
    /// schema-qualified; each part quoted as an identifier needs.
    pub fn display_name(&self, key: &str, schemas: &[&str]) -> String {
        let quote = crate::functions::quote_ident;
        let (schema, relation) = split_name(key);
        if self.is_visible(key, schemas) {
            quote(relation)
        } else {
            format!("{}.{}", quote(schema), quote(relation))
        }
    }

    /// The keys of every relation (table, index, view, sequence) in `schema`, with what each
    /// is, in name order.
    pub fn relations_in(&self, schema: &str) -> Vec<(String, &'static str)> {
        let mut found: Vec<(String, &'static str)> = Vec::new();
        let mine = |key: &str| split_name(key).0 == schema;
        for (key, table) in &self.tables {
            if mine(key) {
                found.push((key.clone(), "table"));
            }
            for index in &table.indexes {
                if mine(&index.name) {
                    found.push((index.name.clone(), "index"));
                }
            }
        }
        found.extend(
            self.views
                .keys()
                .filter(|k| mine(k))
                .map(|k| (k.clone(), "view")),
        );
        found.extend(
            self.sequences
                .keys()
                .filter(|k| mine(k))
                .map(|k| (k.clone(), "sequence")),
        );
        found.sort();
        found
    }

    /// Whether `id` is a table's, an index's or a sequence's (storage holds trees for each).
    pub fn owns_id(&self, id: TableId) -> bool {
        self.tables
            .values()
            .any(|table| table.id == id || table.indexes.iter().any(|index| index.id == id))
            || self.sequences.values().any(|sequence| sequence.id == id)
    }

    /// The role called `name`; the bootstrap superuser exists even before anything changed it.
    pub fn role(&self, name: &str) -> Option<RoleDef> {
        match self.roles.get(name) {
            Some(role) => Some(role.clone()),
            None if name == BOOTSTRAP_ROLE => Some(RoleDef::bootstrap()),
            None => None,
        }
    }

    /// Whether `role` is a superuser (without copying the role).
    pub fn is_superuser(&self, role: &str) -> bool {
        self.roles
            .get(role)
            .map_or(role == BOOTSTRAP_ROLE, |r| r.superuser)
    }

    /// The privileges `role` holds on `table` (a superuser holds all of them).
    pub fn table_privileges(&self, table: &TableDef, role: &str) -> u8 {
        self.relation_privileges(table.owner.as_deref(), table.acl.as_deref(), role)
    }

    /// The privileges `role` holds on a table or view with this owner and ACL.
    pub fn relation_privileges(
        &self,
        owner: Option<&str>,
        acl: Option<&[AclItem]>,
        role: &str,
    ) -> u8 {
        if self.is_superuser(role) {
            return TABLE_ALL;
        }
        let roles = self.privilege_roles(role);
        let mine = |name: &str| roles.iter().any(|r| r == name);
        match acl {
            None if mine(owner.unwrap_or(BOOTSTRAP_ROLE)) => TABLE_ALL,
            None => 0,
            Some(items) => items
                .iter()
                .filter(|item| mine(&item.grantee) || item.grantee.is_empty())
                .fold(0, |all, item| all | item.privileges),
        }
    }

    /// The privileges `role` holds on column `column` of `table`: the table's and the column's
    /// own grants.
    pub fn column_privileges(&self, table: &TableDef, column: usize, role: &str) -> u8 {
        let on_table = self.table_privileges(table, role);
        let Some(acl) = table.columns.get(column).and_then(|c| c.acl.as_deref()) else {
            return on_table;
        };
        let roles = self.privilege_roles(role);
        acl.iter()
            .filter(|item| item.grantee.is_empty() || roles.contains(&item.grantee))
            .fold(on_table, |all, item| all | item.privileges)
    }

    /// Whether `role` holds `privilege` on the table or on at least one of its columns
    /// (PostgreSQL's test for a statement that names no column, as `SELECT count(*)`).
    pub fn any_column_privilege(&self, table: &TableDef, privilege: u8, role: &str) -> bool {
        (0..table.columns.len().max(1))
            .any(|c| self.column_privileges(table, c, role) & privilege == privilege)
    }

    /// 42501 unless `role` holds `privilege` on each of `columns` of `table` (through the table
    /// or the column); no columns: on the table or any one column.
    pub fn require_columns(
        &self,
        table: &TableDef,
        privilege: u8,
        columns: &[usize],
        role: &str,
    ) -> SqlResult<()> {
        let held = if columns.is_empty() {
            self.any_column_privilege(table, privilege, role)
        } else {
            columns
                .iter()
                .all(|&c| self.column_privileges(table, c, role) & privilege == privilege)
        };
        if held {
            return Ok(());
        }
        Err(permission_denied(table))
    }

    /// 42501 unless `role` holds `privileges` on `table`.
    pub fn require(&self, table: &TableDef, privileges: u8, role: &str) -> SqlResult<()> {
        if self.table_privileges(table, role) & privileges == privileges {
            return Ok(());
        }
        Err(permission_denied(table))
    }

    /// 42501 unless `role` owns `table` (PostgreSQL's words for DDL by anyone else).
    pub fn require_owner(&self, table: &TableDef, role: &str) -> SqlResult<()> {
        if self.owns(table, role) {
            return Ok(());
        }
        Err(SqlError::new(
            code::INSUFFICIENT_PRIVILEGE,
            format!(
                "must be owner of {} {}",
                table.kind_name(),
                relname(&table.name)
            ),
        ))
    }

    /// The privileges `role` may grant on a table, view or sequence with this owner and ACL: the
    /// owner every one (its grant options are implicit, whatever the ACL says), anyone else those
    /// granted to it or to PUBLIC WITH GRANT OPTION.
    pub fn grant_options(&self, owner: Option<&str>, acl: Option<&[AclItem]>, role: &str) -> u8 {
        if owner.unwrap_or(BOOTSTRAP_ROLE) == role {
            return u8::MAX;
        }
        acl.unwrap_or_default()
            .iter()
            .filter(|item| item.grantee == role || item.grantee.is_empty())
            .fold(0, |all, item| all | item.grantable)
    }

    /// A table's, view's or sequence's ACL as it stands, the default spelled out (the owner holds
    /// `all`, the object kind's every privilege).
    pub fn relation_acl(owner: Option<&str>, acl: Option<&[AclItem]>, all: u8) -> Vec<AclItem> {
        acl.map(<[AclItem]>::to_vec).unwrap_or_else(|| {
            let owner = owner.unwrap_or(BOOTSTRAP_ROLE).to_string();
            vec![AclItem {
                grantee: owner.clone(),
                grantor: owner,
                privileges: all,
                grantable: 0,
            }]
        })
    }

    /// Whether `role` owns `table` (or is a superuser, who may act as any owner).
    pub fn owns(&self, table: &TableDef, role: &str) -> bool {
        self.is_owner(table.owner.as_deref(), role)
    }

    /// Whether `role` is the owner recorded as `owner` (None: the bootstrap superuser), or a
    /// superuser, who may act as any owner.
    pub fn is_owner(&self, owner: Option<&str>, role: &str) -> bool {
        let owner = owner.unwrap_or(BOOTSTRAP_ROLE);
        owner == role
            || self.is_superuser(role)
            || self.privilege_roles(role).iter().any(|r| r == owner)
    }

    /// The public schema's ACL: PostgreSQL 15's default (`pg_database_owner=UC`, PUBLIC `U`)
    /// until GRANT/REVOKE ON SCHEMA changes it.
    pub fn schema_acl(&self) -> Vec<AclItem> {
        self.schema_acl
            .clone()
            .unwrap_or_else(|| schema_acl_of("pg_database_owner"))
    }

    /// The privileges `role` holds on schema `name`: a superuser all; a schema without grants
    /// its owner's only; otherwise what its ACL gives the role and the roles it inherits from
    /// (and PUBLIC; `pg_database_owner`'s entries are the bootstrap superuser's, the database's
    /// owner). The owner of a schema made by CREATE SCHEMA keeps everything.
    pub fn privileges_on_schema(&self, name: &str, role: &str) -> u8 {
        if self.is_superuser(role) {
            return PRIV_USAGE | PRIV_CREATE;
        }
        let Some((owner, acl)) = self.schema_owner_acl(name) else {
            return 0;
        };
        let roles = self.privilege_roles(role);
        let mine = |name: &str| {
            roles.iter().any(|r| r == name)
                || (name == "pg_database_owner" && roles.iter().any(|r| r == BOOTSTRAP_ROLE))
        };
        if mine(&owner) && (acl.is_none() || self.schemas.contains_key(name)) {
            return PRIV_USAGE | PRIV_CREATE;
        }
        acl.iter()
            .flatten()
            .filter(|item| item.grantee.is_empty() || mine(&item.grantee))
            .fold(0, |all, item| all | item.privileges)
    }

    /// Schema `name`'s owner and ACL as `pg_namespace` shows them (None: no such schema; no
    /// ACL: the owner's privileges only): public belongs to `pg_database_owner`, pg_catalog and
    /// information_schema to the bootstrap superuser, with initdb's ACLs.
    pub fn schema_owner_acl(&self, name: &str) -> Option<(String, Option<Vec<AclItem>>)> {
        match self.schemas.get(name) {
            Some(schema) => Some((schema.owner.clone(), schema.acl.clone())),
            None if name == PUBLIC_SCHEMA => {
                Some(("pg_database_owner".into(), Some(self.schema_acl())))
            }
            None if matches!(name, "pg_catalog" | "information_schema") => {
                Some((BOOTSTRAP_ROLE.into(), Some(schema_acl_of(BOOTSTRAP_ROLE))))
            }
            None => None,
        }
    }

    /// Whether `role` is `of` or a member of it, directly or through other roles (PostgreSQL's
    /// is_member_of_role, whatever INHERIT says: what SET ROLE and cycles are checked with).
    pub fn is_member_of(&self, role: &str, of: &str) -> bool {
        self.member_roles(role).iter().any(|r| r == of)
    }

    /// The roles [`Catalog::is_member_of`] finds `role` a member of: itself and every role it
    /// is in, directly or through others.
    pub fn member_roles(&self, role: &str) -> Vec<String> {
        self.member_closure(role, false)
    }

    /// Whether a role of this name exists: in the catalog, the bootstrap one, or predefined.
    pub fn has_role(&self, name: &str) -> bool {
        self.roles.contains_key(name)
            || name == BOOTSTRAP_ROLE
            || predefined_role_oid(name).is_some()
    }

    /// The roles whose privileges `role` uses: itself, and with INHERIT the roles it is a
    /// member of, following members that inherit in turn (has_privs_of_role).
    pub fn privilege_roles(&self, role: &str) -> Vec<String> {
        self.member_closure(role, true)
    }

    fn member_closure(&self, role: &str, inheriting: bool) -> Vec<String> {
        let mut found = vec![role.to_string()];
        let mut at = 0;
        while at < found.len() {
            // Roles in the map have the memberships granted them (the bootstrap role enters it
            // when altered or granted one); a predefined role outside it has its built-in ones
            // (pg_monitor's).
            let predefined;
            let def = match self.roles.get(&found[at]) {
                Some(def) => Some(def),
                None => {
                    predefined = predefined_role(&found[at]);
                    predefined.as_ref()
                }
            };
            if let Some(def) = def {
                if !inheriting || def.inherit {
                    for membership in &def.member_of {
                        if !found.contains(&membership.role) {
                            found.push(membership.role.clone());
                        }
                    }
                }
            }
            at += 1;
        }
        found
    }

    /// Every role, by name (the bootstrap one included).
    pub fn all_roles(&self) -> Vec<RoleDef> {
        let mut roles: Vec<RoleDef> = self.roles.values().cloned().collect();
        if !self.roles.contains_key(BOOTSTRAP_ROLE) {
            roles.push(RoleDef::bootstrap());
        }
        roles.extend(
            PREDEFINED_ROLES
                .iter()
                .filter_map(|(name, _)| predefined_role(name)),
        );
        roles.sort_by(|a, b| a.name.cmp(&b.name));
        roles
    }

    pub fn table_by_id(&self, id: TableId) -> Option<&Arc<TableDef>> {
        self.tables.values().find(|table| table.id == id)
    }

    /// The foreign keys that reference table `id`: (referencing table, constraint).
    pub fn referencing(&self, id: TableId) -> Vec<(&Arc<TableDef>, &ForeignKeyDef)> {
        let mut found: Vec<(&Arc<TableDef>, &ForeignKeyDef)> = (self.tables.values())
            .flat_map(|table| table.foreign_keys.iter().map(move |fk| (table, fk)))
            .filter(|(_, fk)| fk.parent == id)
            .collect();
        // The oldest table's first, as PostgreSQL's dependency walk lists them.
        found.sort_by_key(|(table, _)| table.id);
        found
    }

    /// Sets each table's `referenced` flag from the foreign keys there are (after DDL).
    /// Drops what statements bound into the tables' indexes (see [`IndexDef::bound`]): a
    /// stored table's indexes are bound anew by each statement, against its columns then.
    pub fn forget_bound_indexes(&mut self) {
        for table in self.tables.values_mut() {
            if table.indexes.iter().any(|index| index.bound.is_some()) {
                let mut unbound = (**table).clone();
                unbound.unbind_indexes();
                *table = Arc::new(unbound);
            }
        }
    }

    pub fn refresh_references(&mut self) {
        let parents: std::collections::BTreeSet<TableId> = self
            .tables
            .values()
            .flat_map(|table| table.foreign_keys.iter().map(|fk| fk.parent))
            .collect();
        for table in self.tables.values_mut() {
            let referenced = parents.contains(&table.id);
            if table.referenced != referenced {
                Arc::make_mut(table).referenced = referenced;
            }
        }
    }

    /// The catalog image logged in the WAL; a catalog that cannot be written is an internal
    /// error of the DDL statement that made it (it never is published), not a crash.
    pub fn to_image(&self) -> SqlResult<Vec<u8>> {
        toml::to_string(self)
            .map(String::into_bytes)
            .map_err(|error| {
                SqlError::new(
                    code::INTERNAL_ERROR,
                    format!("the catalog could not be written: {error}"),
                )
            })
    }

    /// Reads a logged image back.
    pub fn from_image(image: &[u8]) -> Result<Catalog, String> {
        let text = std::str::from_utf8(image).map_err(|error| error.to_string())?;
        let catalog: Catalog = toml::from_str(text).map_err(|error| error.to_string())?;
        catalog.register_enums();
        Ok(catalog)
    }

    /// Makes this catalog's enum types known to value input and output (see
    /// [`crate::enums::register`]), its domains to type names (see
    /// [`crate::domains::register`]) and its composite types' fields to records (see
    /// [`crate::composites::register`]).
    pub fn register_enums(&self) {
        for def in self.enums.values() {
            crate::enums::register(def);
        }
        for def in self.domains.values() {
            crate::domains::register(def);
        }
        for def in self.composites.values() {
            crate::composites::register(def);
        }
    }

    /// At commit: the labels the transaction added become usable (see
    /// [`crate::enums::EnumDef::uncommitted`]), and every enum type is registered as it is now.
    pub fn commit_enums(&mut self) {
        for def in self.enums.values_mut() {
            if !def.uncommitted.is_empty() {
                let mut committed = (**def).clone();
                committed.uncommitted.clear();
                *def = Arc::new(committed);
            }
        }
        self.register_enums();
    }

    /// The domain a (possibly qualified) name finds along `schemas`.
    pub fn find_domain(
        &self,
        name: &str,
        schemas: &[&str],
    ) -> Option<&Arc<crate::domains::DomainDef>> {
        find_type(&self.domains, name, schemas)
    }

    /// The domain with id `id`.
    pub fn domain_by_id(&self, id: u64) -> Option<&Arc<crate::domains::DomainDef>> {
        self.domains.values().find(|def| def.id == id)
    }

    /// The composite type a (possibly qualified) name finds along `schemas`.
    pub fn find_composite(
        &self,
        name: &str,
        schemas: &[&str],
    ) -> Option<&Arc<crate::composites::CompositeDef>> {
        find_type(&self.composites, name, schemas)
    }

    /// The key of the enum type a (possibly qualified) name finds along `schemas`.
    pub fn find_enum(&self, name: &str, schemas: &[&str]) -> Option<&Arc<crate::enums::EnumDef>> {
        find_type(&self.enums, name, schemas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_schema_is_written_where_the_view_names_the_table() {
        let sql = r#"SELECT s.t.a FROM "O""S" . t, t AS x, u"#;
        // ASCII: byte offsets are character offsets.
        let at = |from: usize, what: &str| from + sql[from..].find(what).unwrap();
        let (first, second) = (at(0, "t.a"), at(20, " t,") + 1);
        let (third, u) = (at(second + 1, "t AS"), at(0, "u"));
        let mut view: ViewDef =
            toml::from_str(&format!("name = 'v'\nsql = '''{sql}'''\ncolumns = []")).unwrap();
        let name = |at: usize, table: TableId| NameRef {
            at,
            len: 1,
            table,
            column: 0,
            output: false,
        };
        view.names = vec![name(first, 7), name(second, 7), name(third, 7), name(u, 8)];
        view.qualifiers = vec![(third, "public".into()), (u, "public".into())];
        view.move_schema(7, "n e w");
        assert_eq!(
            view.sql,
            r#"SELECT "n e w".t.a FROM "n e w" . t, t AS x, u"#
        );
        let chars: Vec<char> = view.sql.chars().collect();
        for (i, name) in view.names.iter().enumerate() {
            assert_eq!(chars[name.at], if i < 3 { 't' } else { 'u' }, "{name:?}");
        }
        let moved: Vec<(char, &str)> = (view.qualifiers.iter())
            .map(|(at, s)| (chars[*at], s.as_str()))
            .collect();
        assert_eq!(moved, [('t', "n e w"), ('u', "public")]);
        // Another table's names stay.
        view.move_schema(9, "other");
        assert_eq!(
            view.sql,
            r#"SELECT "n e w".t.a FROM "n e w" . t, t AS x, u"#
        );
    }

    #[test]
    fn image_round_trips() {
        let mut catalog = Catalog {
            version: 3,
            next_table_id: 8,
            ..Default::default()
        };
        catalog.tables.insert(
            "t".into(),
            Arc::new(TableDef {
                primary_key_clustered: false,
                primary_key_include: Vec::new(),
                id: 7,
                name: "t".into(),
                columns: vec![
                    ColumnDef {
                        not_null: true,
                        ..ColumnDef::new("id", DataType::Int4)
                    },
                    ColumnDef {
                        default: Some("'x'".into()),
                        identity: Some(true),
                        ..ColumnDef::new("v", DataType::Varchar(Some(10)))
                    },
                    // Unbounded varchar (and arrays of it): TOML has no null to write.
                    ColumnDef::new("w", DataType::Varchar(None)),
                    ColumnDef::new("a", DataType::Varchar(None).array()),
                ],
                primary_key: vec![0],
                primary_key_name: None,
                fillfactor: Some(100),
                unlogged: false,
                options: Vec::new(),
                checks: Vec::new(),
                foreign_keys: Vec::new(),
                referenced: false,
                owner: None,
                acl: None,
                placement: 0,
                indexes: vec![
                    IndexDef {
                        id: 9,
                        name: "t_v_idx".into(),
                        columns: vec![1],
                        unique: true,
                        constraint: true,
                        ..Default::default()
                    },
                    IndexDef {
                        id: 10,
                        name: "t_lower_idx".into(),
                        unique: true,
                        predicate: Some("(id > 0)".into()),
                        expressions: vec!["lower((v)::text)".into(), "id".into()],
                        expression_types: vec![DataType::Text, DataType::Int8],
                        ..Default::default()
                    },
                ],
                matview: None,
            }),
        );
        // A materialized view's query goes into the image with the table.
        let view = ViewDef {
            name: "m".into(),
            sql: "select id from t".into(),
            columns: vec!["id".into()],
            types: vec![DataType::Int4],
            owner: None,
            acl: None,
            search_path: default_search_path(),
            id: 11,
            reads: vec![7],
            qualifiers: vec![(15, "public".into())],
            names: Vec::new(),
            options: Vec::new(),
            columns_read: vec![(7, 1)],
            stars: Vec::new(),
        };
        let columns = catalog.tables["t"].columns[..1].to_vec();
        catalog.tables.insert(
            "m".into(),
            Arc::new(TableDef {
                matview: Some(Box::new(MatView {
                    query: view,
                    populated: false,
                })),
                ..TableDef::plain(11, "m".into(), columns)
            }),
        );
        let image = catalog.to_image().unwrap();
        assert_eq!(Catalog::from_image(&image).unwrap(), catalog);
        assert_eq!(catalog.tables["m"].relkind(), 'm');
        assert!(catalog.owns_id(7) && catalog.owns_id(9) && !catalog.owns_id(8));
        assert!(catalog.relation_exists("t_v_idx"));
        assert_eq!(catalog.table_of_index("t_v_idx").unwrap().id, 7);
    }
}
