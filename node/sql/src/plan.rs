//! Bound statements ("plans") as the executor runs them.
//!
//! A plan is built once per prepared statement against one catalog version and is immutable; it is
//! shared (`Arc`) between executions and sent, in parts, to the workers that own the rows.
//! Single-table access is either a point lookup on the row key, routed to the one worker owning the
//! key's vshard, or a scan fanned out to every worker with the filter pushed down.

use std::sync::Arc;

use crate::catalog::TableDef;
use crate::expr::{AggCall, Expr};
use crate::types::{DataType, Value};

/// A result column.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputColumn {
    pub name: String,
    pub ty: DataType,
    /// (table id, 1-based column number) when the column comes straight from a table.
    pub source: Option<(u64, i16)>,
}

impl OutputColumn {
    /// The column's type as its table declares it (numeric(p,s), timestamp(p): what a client
    /// reads the type modifier of) when it comes straight from a table; else its type.
    pub fn declared_type(&self, catalog: &crate::catalog::Catalog) -> DataType {
        self.declared(catalog).map_or(self.ty, |column| column.ty)
    }

    /// The domain of the table column this column comes straight from, if it is of one.
    pub fn declared_domain(
        &self,
        catalog: &crate::catalog::Catalog,
    ) -> Option<crate::domains::ColumnDomain> {
        let domain = self.declared(catalog)?.domain.as_ref()?;
        Some(crate::domains::ColumnDomain::new(domain.id))
    }

    /// The table column this column comes straight from (of the same type).
    fn declared<'c>(
        &self,
        catalog: &'c crate::catalog::Catalog,
    ) -> Option<&'c crate::catalog::ColumnDef> {
        let (table, attnum) = self.source?;
        let table = catalog.table_by_id(table)?;
        let column = table
            .columns
            .get(usize::try_from(attnum).ok()?.checked_sub(1)?)?;
        (column.ty.expression_type() == self.ty).then_some(column)
    }
}

/// What a temporary table's transactions do to it at commit (`ON COMMIT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCommit {
    /// Empty it, at the commit of each transaction that wrote anything.
    DeleteRows,
    /// Drop it, at the commit of the transaction that made it.
    Drop,
}

/// How a statement reaches a table's rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Key column values in key order (they do not read the row).
    Key(Vec<Expr>),
    /// Several rows by primary key: equal to `eq` on the key's leading columns and to one of
    /// `values` on the next (`id IN (1, 2, 3)`, `id = ANY ($1)`), each looked up by its key on
    /// its owner, as PostgreSQL's index scan with `= ANY`; when that column is not the key's
    /// last, the rows under each prefix of keys (a table placed by its first key column: one
    /// vshard each). Through `index` (`eq` then empty):
    /// the rows its entries name whose first part is one of `values`. The filter still runs on
    /// every row found. `conds` are the filter's conjuncts they come from (EXPLAIN's Index Cond).
    Keys {
        index: Option<Box<crate::catalog::IndexDef>>,
        eq: Vec<Expr>,
        values: KeyValues,
        conds: Vec<Expr>,
    },
    /// Entries of a secondary index: equal to `eq` on the index's leading columns, then optionally
    /// within `lower`/`upper` (value, inclusive) on the next column. The rows found are a superset
    /// of the matches: the filter still runs on every row.
    Index {
        index: Box<crate::catalog::IndexDef>,
        eq: Vec<Expr>,
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
        /// The filter's conjuncts the equalities and bounds come from (EXPLAIN's Index Cond).
        conds: Vec<Expr>,
    },
    /// A range of the primary key: rows equal to `eq` on its leading columns, then optionally
    /// within `lower`/`upper` (value, inclusive) on the next one, whose encoding sorts as its
    /// values do ([`crate::types::DataType::key_ordered`]). Each vshard's tree is read from the
    /// range's start to its end, on every worker (on one, when the range lies within one value
    /// of the column a table is placed by); the filter still runs on every row found. `conds`
    /// are the filter's conjuncts the range comes from (EXPLAIN's Index Cond).
    Range {
        eq: Vec<Expr>,
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
        conds: Vec<Expr>,
    },
    /// The rows a GIN index ([`crate::catalog::IndexDef::gin`]) may hold for `column op
    /// query` (`query` does not read the row): each of the search's groups of items looked up,
    /// the row keys intersected ([`crate::gin`]). The filter still runs on every row found
    /// (PostgreSQL's recheck). `conds`: the conjunct it comes from (EXPLAIN's Index Cond).
    Gin {
        index: Box<crate::catalog::IndexDef>,
        op: crate::gin::GinOp,
        query: Expr,
        conds: Vec<Expr>,
    },
    /// Every row on every worker.
    Scan,
}

impl Access {
    /// The most rows a read of `table` by this access gives, when whole primary keys bound it:
    /// one for a key, one per listed value for a list of whole keys (not of key prefixes, nor
    /// of index entries, nor an array of unknown length).
    pub fn most_rows(&self, table: &TableDef) -> Option<f64> {
        match self {
            Access::Key(_) => Some(1.0),
            Access::Keys {
                index: None,
                values: KeyValues::List(list),
                eq,
                ..
            } if eq.len() + 1 == table.primary_key.len() => Some(list.len() as f64),
            _ => None,
        }
    }
}

/// The values an [`Access::Keys`] takes for the key column after its equalities (they do not
/// read the row).
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValues {
    /// An IN list's.
    List(Vec<Expr>),
    /// The elements of an array (`= ANY (array)`).
    Array(Expr),
}

/// GROUP BY / aggregate part of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub keys: Vec<Expr>,
    pub aggs: Vec<AggCall>,
    pub having: Option<Expr>,
    /// GROUPING SETS / ROLLUP / CUBE: each set as positions in `keys`, whose last entry is then
    /// the grouping-id placeholder ([`GROUPING_ID`]); the grouped rows are the union of one
    /// aggregation per set, with NULL for the keys a set leaves out.
    pub sets: Option<Vec<Vec<usize>>>,
}

/// The key that stands for the grouping id (bit k set: key k is not grouped in this row's set).
pub const GROUPING_ID: Expr = Expr::Param(usize::MAX);

/// One ORDER BY item: which output, descending, nulls first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SortKey {
    pub output: usize,
    pub descending: bool,
    pub nulls_first: bool,
}

/// What to do when a row to lock is locked by another transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    Wait,
    /// Fail with 55P03.
    NoWait,
    /// Leave the row out.
    SkipLocked,
}

/// PostgreSQL's row lock strengths, weakest first. Keel's rows have two kinds of lock: an
/// exclusive one (FOR UPDATE and FOR NO KEY UPDATE take it) and a shared one (FOR SHARE and FOR
/// KEY SHARE): the KEY variants block more than PostgreSQL's (a FOR KEY SHARE holder also keeps
/// an UPDATE of other columns waiting), never less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockStrength {
    KeyShare,
    Share,
    NoKeyUpdate,
    Update,
}

impl LockStrength {
    /// As the clause says it (`FOR <name>`).
    pub fn name(self) -> &'static str {
        match self {
            LockStrength::KeyShare => "KEY SHARE",
            LockStrength::Share => "SHARE",
            LockStrength::NoKeyUpdate => "NO KEY UPDATE",
            LockStrength::Update => "UPDATE",
        }
    }
}

/// `SELECT ... FOR UPDATE | FOR NO KEY UPDATE | FOR SHARE | FOR KEY SHARE [NOWAIT | SKIP
/// LOCKED]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowLocking {
    pub strength: LockStrength,
    pub wait: LockWait,
}

impl RowLocking {
    /// Takes the row's exclusive lock (else its shared one: other sharers are welcome, writers
    /// wait).
    pub fn exclusive(self) -> bool {
        self.strength >= LockStrength::NoKeyUpdate
    }

    /// Two clauses on one table, as PostgreSQL combines them: the stronger strength, NOWAIT if
    /// either says it, else SKIP LOCKED if either does.
    pub fn merge(self, other: RowLocking) -> RowLocking {
        let wait = match (self.wait, other.wait) {
            (LockWait::NoWait, _) | (_, LockWait::NoWait) => LockWait::NoWait,
            (LockWait::SkipLocked, _) | (_, LockWait::SkipLocked) => LockWait::SkipLocked,
            _ => LockWait::Wait,
        };
        RowLocking {
            strength: self.strength.max(other.strength),
            wait,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectPlan {
    pub table: Option<Arc<TableDef>>,
    pub access: Access,
    pub filter: Option<Arc<Expr>>,
    pub grouping: Option<Grouping>,
    /// Visible outputs first, then hidden sort keys.
    pub outputs: Vec<Expr>,
    pub columns: Vec<OutputColumn>,
    pub order_by: Vec<SortKey>,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
    /// Rows returned are locked first.
    pub locking: Option<RowLocking>,
}

/// `RETURNING` of a write.
#[derive(Debug, Clone, PartialEq)]
pub struct Returning {
    pub exprs: Vec<Expr>,
    pub columns: Vec<OutputColumn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InsertPlan {
    pub table: Arc<TableDef>,
    /// Each row has one expression per table column, already cast to the column's type. With a
    /// `source`, one row of expressions over each source row.
    pub rows: Vec<Vec<Expr>>,
    /// `INSERT ... SELECT` (or VALUES with subqueries): the rows to insert come from this query.
    pub source: Option<Rel>,
    pub returning: Option<Returning>,
    /// `ON CONFLICT` on the primary key.
    pub on_conflict: Option<Arc<OnConflict>>,
}

/// `INSERT ... ON CONFLICT [(key columns)] DO NOTHING | DO UPDATE SET ... [WHERE ...]`, run by
/// each row's owner: a row whose key is taken is skipped or changes the row that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct OnConflict {
    /// None: DO NOTHING.
    pub update: Option<ConflictUpdate>,
    /// Unique indexes whose conflicts count (besides the primary key's): the DO UPDATE target,
    /// or every unique index for DO NOTHING without a target.
    pub indexes: Vec<keel_storage::TableId>,
    /// Set by the session for rows it sends by the key of the row they conflict with: that row
    /// must still be there (else 40001), never a new row under its key.
    pub update_only: bool,
}

/// DO UPDATE: expressions over the existing row followed by the proposed one (`excluded`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictUpdate {
    pub assignments: Vec<(usize, Expr)>,
    pub filter: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UpdatePlan {
    pub table: Arc<TableDef>,
    pub access: Access,
    pub filter: Option<Arc<Expr>>,
    /// (column, new value cast to the column type), evaluated against the old row.
    pub assignments: Arc<Vec<(usize, Expr)>>,
    pub returning: Option<Returning>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeletePlan {
    pub table: Arc<TableDef>,
    pub access: Access,
    pub filter: Option<Arc<Expr>>,
    pub returning: Option<Returning>,
}

/// How a join pairs its inputs' rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// Also CROSS JOIN and comma-separated FROM items (no condition).
    Inner,
    Left,
    Right,
    Full,
}

/// Set-returning functions usable in FROM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFunc {
    /// `generate_series(start, stop [, step])` over integers (bigint when `wide`) or numerics.
    GenerateSeries(crate::types::DataType),
    /// `unnest(array, ...)`: one row per element, the arrays side by side (the shorter padded
    /// with NULLs).
    Unnest(u8),
    /// `generate_subscripts(array, dim [, reverse])`: the subscripts of one dimension.
    Subscripts,
    /// `information_schema._pg_expandarray(array)`: per element of the first dimension, the
    /// element and its position from 1 (`x`, `n`); as one record column in a SELECT list.
    ExpandArray { record: bool },
    /// `regexp_matches(string, pattern [, flags])`: the capture groups (or the whole match) of
    /// the first match as a text[], or of every match with flag `g`.
    RegexpMatches,
    /// `pg_options_to_table(text[])`: each `name=value` option as (`option_name`,
    /// `option_value`), split at the first `=`.
    Options,
    /// `json[b]_each[_text]`, `json[b]_array_elements[_text]`, `json[b]_object_keys` (see
    /// [`crate::json::JsonRows`]); as one record column in a SELECT list (`record`).
    Json {
        rows: crate::json::JsonRows,
        jsonb: bool,
        text: bool,
        record: bool,
    },
    /// `jsonb_path_query(target, path, vars, silent)`: the items the path yields.
    JsonPath,
    /// `json[b]_to_record[set](doc) AS alias(column type, ...)`: per object, the text of the
    /// `columns` members named in the arguments after the document (name, json-typed), which a
    /// projection above reads as the declared types (see [`crate::json::record_rows`]).
    JsonRecord {
        jsonb: bool,
        set: bool,
        columns: u16,
    },
}

impl TableFunc {
    pub fn name(self) -> &'static str {
        match self {
            TableFunc::GenerateSeries(_) => "generate_series",
            TableFunc::Unnest(_) => "unnest",
            TableFunc::Subscripts => "generate_subscripts",
            TableFunc::ExpandArray { .. } => "_pg_expandarray",
            TableFunc::RegexpMatches => "regexp_matches",
            TableFunc::Options => "pg_options_to_table",
            TableFunc::Json {
                rows, jsonb, text, ..
            } => rows.name(jsonb, text),
            TableFunc::JsonPath => "jsonb_path_query",
            TableFunc::JsonRecord { jsonb, set, .. } => match (jsonb, set) {
                (false, false) => "json_to_record",
                (false, true) => "json_to_recordset",
                (true, false) => "jsonb_to_record",
                (true, true) => "jsonb_to_recordset",
            },
        }
    }

    /// The columns of each row (without WITH ORDINALITY's).
    pub fn width(self) -> usize {
        match self {
            TableFunc::GenerateSeries(_)
            | TableFunc::JsonPath
            | TableFunc::Subscripts
            | TableFunc::RegexpMatches
            | TableFunc::ExpandArray { record: true } => 1,
            TableFunc::ExpandArray { record: false } | TableFunc::Options => 2,
            TableFunc::Json {
                rows: crate::json::JsonRows::Each,
                record: false,
                ..
            } => 2,
            TableFunc::Json { .. } => 1,
            TableFunc::JsonRecord { columns, .. } => columns as usize,
            TableFunc::Unnest(n) => n as usize,
        }
    }
}

/// UNION / INTERSECT / EXCEPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOpKind {
    Union,
    Intersect,
    Except,
}

/// [`Rel::Constants`]'s rows, in chunks that statements may share (a system catalog's rows
/// that are the same for every statement are built once per process).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantRows(pub Vec<Arc<Vec<Vec<Value>>>>);

impl ConstantRows {
    pub fn iter(&self) -> impl Iterator<Item = &Vec<Value>> {
        self.0.iter().flat_map(|chunk| chunk.iter())
    }
}

/// A scan of a query tree under a LIMIT over a sort of its rows ([`top_scans`]). By the
/// scanned table's primary key, or by a secondary index's columns (`order`), it is read in that
/// order: each worker returns its first LIMIT + OFFSET rows, which the sort then orders and the
/// LIMIT cuts. Otherwise the workers sort their parts and return the first LIMIT + OFFSET of
/// each (`crate::fragment::TopRows`, on `keys`).
pub struct TopScan<'r> {
    pub scan: &'r Rel,
    pub order: Option<ScanOrder<'r>>,
    /// The sort keys over the scan's returned row.
    pub keys: Vec<SortKey>,
    pub limit: &'r Expr,
    pub offset: Option<&'r Expr>,
}

/// An order a table's rows can be read in that gives a query's ORDER BY: the primary key's
/// ([`key_order`]), or a secondary index's entries' ([`index_order`]).
#[derive(Debug, Clone, Copy)]
pub enum ScanOrder<'t> {
    Key(keel_storage::btree::Direction),
    /// `index`'s entries read in `direction`, its first `fixed` columns fixed by the access's
    /// equalities; `nulls_first`: rows with NULL in the first ordered column come before the
    /// others (the entries hold them first in key order, whatever the direction).
    Index {
        index: &'t crate::catalog::IndexDef,
        direction: keel_storage::btree::Direction,
        nulls_first: bool,
        fixed: usize,
    },
}

impl ScanOrder<'_> {
    pub fn direction(&self) -> keel_storage::btree::Direction {
        match self {
            ScanOrder::Key(direction) | ScanOrder::Index { direction, .. } => *direction,
        }
    }

    /// The direction of the primary key's order (None: a secondary index's).
    pub fn key(&self) -> Option<keel_storage::btree::Direction> {
        match self {
            ScanOrder::Key(direction) => Some(*direction),
            ScanOrder::Index { .. } => None,
        }
    }

    /// The index read, when it is a secondary one.
    pub fn index(&self) -> Option<&crate::catalog::IndexDef> {
        match self {
            ScanOrder::Key(_) => None,
            ScanOrder::Index { index, .. } => Some(index),
        }
    }
}

/// The order `table`'s rows are read in to give `order_by` over `outputs` when `access` reads
/// it: the primary key's when it gives it ([`key_order`]), else a secondary index's
/// ([`index_order`]). A read through an index ([`Access::Index`]) takes the index's order
/// first: its entries, the equalities fixing their first columns, end with the primary key, so
/// `WHERE status = $1 ORDER BY id LIMIT n` over an index on (status, id) reads its first
/// entries instead of every one the equality selects.
pub fn scan_order<'t>(
    table: &'t TableDef,
    access: &'t Access,
    outputs: &[Expr],
    order_by: &[SortKey],
) -> Option<ScanOrder<'t>> {
    let by_key = || key_order(table, access, outputs, order_by).map(ScanOrder::Key);
    let by_index = || index_order(table, access, outputs, order_by);
    match access {
        Access::Index { .. } => by_index().or_else(by_key),
        _ => by_key().or_else(by_index),
    }
}

/// The secondary index whose entries, read in order, give `order_by` over `outputs` when
/// `access` reads `table`: a whole-table index on plain columns ([`Access::Scan`]: any of the
/// table's; [`Access::Index`]: the one it reads, leaving out keys on the columns its equalities
/// fix), whose next columns the keys are in order (a prefix of them, or all of them and then
/// a prefix of the primary key's, which ends each entry), all ascending or all descending, of
/// types whose key encoding sorts as their values. The first ordered column may
/// hold NULLs (read as a range of their own, first or last as the query asks); a later one must
/// be NOT NULL or want its NULLs where the entries hold them (first ascending, last
/// descending), since they tie-break within the first's values.
pub fn index_order<'t>(
    table: &'t TableDef,
    access: &'t Access,
    outputs: &[Expr],
    order_by: &[SortKey],
) -> Option<ScanOrder<'t>> {
    let candidates: Vec<(&crate::catalog::IndexDef, usize)> = match access {
        Access::Scan => (table.indexes.iter())
            .filter(|index| index.is_btree())
            .map(|index| (index, 0))
            .collect(),
        Access::Index { index, eq, .. } => vec![(&**index, eq.len())],
        _ => return None,
    };
    let column = |key: &SortKey| match outputs.get(key.output) {
        Some(Expr::Column(c)) => Some(*c),
        _ => None,
    };
    candidates.into_iter().find_map(|(index, fixed)| {
        if index.needs_binding() || fixed > index.columns.len() {
            return None;
        }
        let fixed_columns = &index.columns[..fixed];
        let keys: Vec<&SortKey> = order_by
            .iter()
            .filter(|key| column(key).is_none_or(|c| !fixed_columns.contains(&c)))
            .collect();
        // Entries end with their row's primary key (a unique index's, when a part is NULL;
        // else no two tie), so after all of the index's columns come the key's.
        let rest: Vec<usize> = index.columns[fixed..]
            .iter()
            .chain(&table.primary_key)
            .copied()
            .collect();
        let first = keys.first()?;
        if keys.len() > rest.len() {
            return None;
        }
        let descending = first.descending;
        let follows = keys.iter().zip(&rest).enumerate().all(|(i, (key, &c))| {
            let def = &table.columns[c];
            key.descending == descending
                && column(key) == Some(c)
                && def.ty.key_ordered()
                && (i == 0 || def.not_null || key.nulls_first != descending)
        });
        follows.then_some(ScanOrder::Index {
            index,
            direction: if descending {
                keel_storage::btree::Direction::Backward
            } else {
                keel_storage::btree::Direction::Forward
            },
            nulls_first: first.nulls_first,
            fixed,
        })
    })
}

/// The scans of `rel` under `Limit -> Sort -> [Project ->] Scan` whose sort keys are the
/// table's primary key's or a secondary index's order ([`scan_order`]), outside the parts of the
/// tree that run more than once (the right side of a LATERAL apply, a recursive query) and
/// outside subqueries.
pub fn top_scans(rel: &Rel) -> Vec<TopScan<'_>> {
    let mut found = Vec::new();
    collect_top_scans(rel, &mut found);
    found
}

fn collect_top_scans<'r>(rel: &'r Rel, found: &mut Vec<TopScan<'r>>) {
    match rel {
        Rel::Limit {
            input,
            limit: Some(limit),
            offset,
            ties: None,
        } => {
            if let Rel::Sort {
                input: sorted,
                keys,
            } = input.as_ref()
            {
                if let Some((scan, scan_keys)) = keys_over_scan(sorted, keys) {
                    let order = sorted_scan(sorted, keys).map(|(_, order)| order);
                    found.push(TopScan {
                        scan,
                        order,
                        keys: scan_keys,
                        limit,
                        offset: offset.as_ref(),
                    });
                    return;
                }
            }
            collect_top_scans(input, found);
        }
        Rel::Apply { left, .. } => collect_top_scans(left, found),
        Rel::Recursive { .. } => {}
        _ => {
            for input in rel.inputs() {
                collect_top_scans(input, found);
            }
        }
    }
}

/// The scan under `rel` (itself, or under projections of plain columns) and `keys` over `rel`'s
/// rows as keys over that scan's returned row; None when its filter cannot run on the workers
/// alone (see [`sorted_scan`]).
fn keys_over_scan<'r>(rel: &'r Rel, keys: &[SortKey]) -> Option<(&'r Rel, Vec<SortKey>)> {
    let mut columns: Vec<usize> = keys.iter().map(|key| key.output).collect();
    let (node, _) = below_projections(rel, &mut columns)?;
    let Rel::Scan { filter, .. } = node else {
        return None;
    };
    let keys = keys
        .iter()
        .zip(columns)
        .map(|(key, output)| SortKey { output, ..*key })
        .collect();
    filter
        .as_ref()
        .is_none_or(|f| f.is_local())
        .then_some((node, keys))
}

/// The first node under `rel` that is not a projection, and how many projections stand above
/// it; `columns` (of `rel`'s row) become the columns of that node's row they are, or None when
/// a projection computes one of them.
pub fn below_projections<'r>(rel: &'r Rel, columns: &mut [usize]) -> Option<(&'r Rel, usize)> {
    let mut node = rel;
    let mut depth = 0;
    while let Rel::Project { input, exprs } = node {
        for c in columns.iter_mut() {
            let Some(Expr::Column(inner)) = exprs.get(*c) else {
                return None;
            };
            *c = *inner;
        }
        node = input;
        depth += 1;
    }
    Some((node, depth))
}

/// The scan whose rows give column `c` of `rel`'s row, and that column of the scan's returned
/// row: traced through filters, sorts, limits, DISTINCT, projections of plain columns and joins.
/// With `padded`, also into the side an outer join pads with NULLs (whose values are then the
/// scan's or NULL); without, only where every row holds the scan's value.
pub fn column_source(rel: &Rel, c: usize, padded: bool) -> Option<(&Rel, usize)> {
    match rel {
        Rel::Scan { .. } => Some((rel, c)),
        Rel::Filter { input, .. }
        | Rel::Sort { input, .. }
        | Rel::Limit { input, .. }
        | Rel::Distinct { input, .. } => column_source(input, c, padded),
        Rel::Project { input, exprs } => match exprs.get(c)? {
            Expr::Column(inner) => column_source(input, *inner, padded),
            _ => None,
        },
        Rel::Join {
            kind, left, right, ..
        } => {
            let width = left.width();
            let kept = |side: JoinKind| padded || *kind == JoinKind::Inner || *kind == side;
            if c < width {
                kept(JoinKind::Left).then(|| column_source(left, c, padded))?
            } else {
                kept(JoinKind::Right).then(|| column_source(right, c - width, padded))?
            }
        }
        _ => None,
    }
}

/// The scan under `rel` (itself, or under projections) when `keys` over `rel`'s rows sort by
/// that scan's table's primary key or one of its indexes, and the order that gives; None when its filter cannot
/// run on the workers alone ([`Expr::is_local`]: it reads an outer row or runs a subquery, so
/// its rows would depend on more than the scan).
fn sorted_scan<'r>(rel: &'r Rel, keys: &[SortKey]) -> Option<(&'r Rel, ScanOrder<'r>)> {
    // The projections from the top down.
    let mut projections = Vec::new();
    let mut scan = rel;
    while let Rel::Project { input, exprs } = scan {
        projections.push(exprs);
        scan = input;
    }
    let Rel::Scan {
        table,
        access,
        filter,
        project,
        ..
    } = scan
    else {
        return None;
    };
    if filter.as_ref().is_some_and(|f| !f.is_local()) {
        return None;
    }
    // The table column each of the scan's outputs is, then each projection's.
    let mut columns: Vec<Option<usize>> = match project {
        Some(project) => project.iter().copied().map(Some).collect(),
        None => (0..table.columns.len()).map(Some).collect(),
    };
    for exprs in projections.into_iter().rev() {
        columns = exprs
            .iter()
            .map(|e| match e {
                Expr::Column(c) => columns.get(*c).copied().flatten(),
                _ => None,
            })
            .collect();
    }
    let outputs: Vec<Expr> = columns
        .into_iter()
        .map(|c| c.map_or(Expr::Const(Value::Null), Expr::Column))
        .collect();
    Some((scan, scan_order(table, access, &outputs, keys)?))
}

/// The key order that gives `order_by` over `outputs` (expressions over `table`'s rows) when
/// `access` reads the table: leaving out keys on primary key columns the access fixes by
/// equality (`Access::Range`'s `eq`), its keys are the primary key's next columns in order (a
/// prefix of them, or all of them and then anything: no two rows tie on the whole key), all
/// ascending or all descending, of types whose key encoding sorts as their values
/// ([`DataType::key_ordered`]). NULLS FIRST/LAST changes nothing (key columns hold no NULL).
/// Rows tied on a prefix come in key order, which is one of the orders the query allows.
pub fn key_order(
    table: &TableDef,
    access: &Access,
    outputs: &[Expr],
    order_by: &[SortKey],
) -> Option<keel_storage::btree::Direction> {
    let pk = &table.primary_key;
    let fixed = match access {
        Access::Range { eq, .. } => &pk[..eq.len().min(pk.len())],
        // Its keys are read in the order of their owners: a sort puts the few rows in order.
        Access::Keys { .. } => return None,
        _ => &pk[..0],
    };
    let column = |key: &SortKey| match outputs.get(key.output) {
        Some(Expr::Column(c)) => Some(*c),
        _ => None,
    };
    let keys: Vec<&SortKey> = order_by
        .iter()
        .filter(|key| column(key).is_none_or(|c| !fixed.contains(&c)))
        .collect();
    let rest = &pk[fixed.len()..];
    if pk.is_empty() || order_by.is_empty() || (keys.len() > rest.len() && rest.is_empty()) {
        return None;
    }
    let descending = keys.first().is_some_and(|key| key.descending);
    let follows = rest.iter().zip(&keys).all(|(&c, key)| {
        key.descending == descending && column(key) == Some(c) && table.columns[c].ty.key_ordered()
    });
    follows.then_some(if descending {
        keel_storage::btree::Direction::Backward
    } else {
        keel_storage::btree::Direction::Forward
    })
}

/// `rel` with `rewrite` applied to each of its nodes, inputs first, when `applies` holds for
/// one of them; borrowed, not copied, when it holds for none (the tree rewrites before a query
/// runs: `crate::eager`, `crate::colocate`, `crate::topn`).
pub fn rewrite_nodes<'r>(
    rel: &'r Rel,
    applies: &dyn Fn(&Rel) -> bool,
    rewrite: &dyn Fn(&mut Rel),
) -> std::borrow::Cow<'r, Rel> {
    fn any(rel: &Rel, applies: &dyn Fn(&Rel) -> bool) -> bool {
        applies(rel) || rel.inputs().into_iter().any(|input| any(input, applies))
    }
    fn each(rel: &mut Rel, rewrite: &dyn Fn(&mut Rel)) {
        for input in rel.inputs_mut() {
            each(input, rewrite);
        }
        rewrite(rel);
    }
    if !any(rel, applies) {
        return std::borrow::Cow::Borrowed(rel);
    }
    let mut rel = rel.clone();
    each(&mut rel, rewrite);
    std::borrow::Cow::Owned(rel)
}

/// Makes the table scan whose row starts at column `at` of `rel`'s row (a FROM clause as bound:
/// joins, filters, and projections that pass the table's columns on in order, as a pulled-up
/// subquery's, over leaves) return its row key after its columns
/// ([`TableDef::row_key_column`]), every column after them then one further on, also in the
/// conditions and expressions above it. Returns the scan's table width; None when no scan of a
/// table is found there so (`rel` is then left part changed).
pub fn add_row_key_at(rel: &mut Rel, at: usize) -> Option<usize> {
    // Columns past the widened table's, of a row in which its row starts at `start`.
    fn shift(expr: &mut Expr, start: usize, width: usize) {
        let moved = std::mem::replace(expr, Expr::Const(crate::types::Value::Null));
        *expr = moved.remap_columns(&|c| if c >= start + width { c + 1 } else { c });
    }
    match rel {
        Rel::Scan { table, project, .. } if at == 0 => {
            let width = table.columns.len();
            let mut columns = project.take().unwrap_or_else(|| (0..width).collect());
            columns.push(table.row_key_column());
            *project = Some(columns);
            Some(width)
        }
        Rel::Filter { input, predicate } => {
            let width = add_row_key_at(input, at)?;
            shift(predicate, at, width);
            Some(width)
        }
        Rel::Project { input, exprs } => {
            let Some(&Expr::Column(start)) = exprs.get(at) else {
                return None;
            };
            let width = add_row_key_at(input, start)?;
            let passed = (exprs.get(at..at + width)?.iter())
                .zip(start..)
                .all(|(e, c)| *e == Expr::Column(c));
            if !passed {
                return None;
            }
            for expr in exprs.iter_mut() {
                shift(expr, start, width);
            }
            exprs.insert(at + width, Expr::Column(start + width));
            Some(width)
        }
        Rel::Join {
            left,
            right,
            keys,
            on,
            ..
        } => {
            let left_width = left.width();
            let width = if at < left_width {
                let width = add_row_key_at(left, at)?;
                for (key, _) in keys.iter_mut() {
                    shift(key, at, width);
                }
                width
            } else {
                let width = add_row_key_at(right, at - left_width)?;
                for (_, key) in keys.iter_mut() {
                    shift(key, at - left_width, width);
                }
                width
            };
            for condition in on {
                shift(condition, at, width);
            }
            Some(width)
        }
        _ => None,
    }
}

/// The table column a scan's returned column `c` is ([`Rel::Scan`]'s `project`).
pub fn scan_column(scan: &Rel, c: usize) -> usize {
    match scan {
        Rel::Scan {
            project: Some(project),
            ..
        } => project.get(c).copied().unwrap_or(c),
        _ => c,
    }
}

/// A relational operator tree, the general form of a query (joins, subqueries, set operations):
/// the session runs it over rows the workers return for its [`Rel::Scan`] leaves (see
/// `query.rs`). Every node produces rows of a fixed width; a parent's expressions name its input's
/// columns by position (a join's row is its left row followed by its right row).
#[derive(Debug, Clone, PartialEq)]
pub enum Rel {
    /// One table's rows, read on the workers with `filter` pushed down (so it reads only the row).
    Scan {
        table: Arc<TableDef>,
        /// The name the query gave the table (for EXPLAIN).
        alias: String,
        access: Access,
        filter: Option<Arc<Expr>>,
        /// The table columns the scan returns, in this order (None: every column). Set by
        /// [`crate::prune::narrow`] to what the tree above reads; `filter` and `access` still
        /// name table columns, since they run on the worker before the row is cut.
        project: Option<Vec<usize>>,
    },
    /// The rows of `input` whose `columns` equal `probes` (expressions that do not read the row:
    /// outer references of a correlated subquery, parameters). The session builds a hash index on
    /// `columns` once per statement, so a correlated subquery costs a lookup per outer row.
    Lookup {
        input: Box<Rel>,
        columns: Vec<usize>,
        probes: Vec<Expr>,
    },
    /// Literal rows (`VALUES`, and the one empty row of a query without FROM).
    Values {
        rows: Vec<Vec<Expr>>,
        width: usize,
    },
    /// Rows whose values are known when the statement is bound (a system catalog's): held
    /// as values, not expressions, so the plan's passes have nothing in them to walk.
    Constants {
        rows: ConstantRows,
        width: usize,
    },
    /// Set-returning functions of a SELECT list: each input row is repeated as many times as
    /// the longest call returns rows, with one column per call appended (NULL once a shorter
    /// call has run out), as PostgreSQL 10 and later do.
    ProjectSet {
        input: Box<Rel>,
        calls: Vec<(TableFunc, Vec<Expr>)>,
    },
    /// A LATERAL join: `right` runs once per row of `left`, which its expressions read as the
    /// innermost outer row (`Expr::Outer(1, c)`); the joined rows pass `on` (LEFT: a left row
    /// without a match is kept with NULLs).
    Apply {
        kind: JoinKind,
        left: Box<Rel>,
        right: Box<Rel>,
        on: Vec<Expr>,
    },
    /// A set-returning function in FROM.
    Function {
        func: TableFunc,
        args: Vec<Expr>,
        /// WITH ORDINALITY: a bigint column numbering the rows from 1 follows.
        ordinality: bool,
    },
    /// `WITH RECURSIVE`: `base`, then `step` run again and again over the rows the previous
    /// round added (its [`Rel::WorkTable`] with the same `id`) until a round adds none. Without
    /// `all` (UNION), rows already produced are not added again.
    Recursive {
        id: usize,
        all: bool,
        base: Box<Rel>,
        step: Box<Rel>,
    },
    /// The rows the previous round of the [`Rel::Recursive`] with this `id` added.
    WorkTable {
        id: usize,
        width: usize,
    },
    Filter {
        input: Box<Rel>,
        predicate: Expr,
    },
    Project {
        input: Box<Rel>,
        exprs: Vec<Expr>,
    },
    /// `keys`: equality pairs (left expression over the left row, right over the right row) the
    /// join hashes on; `on`: the rest of the condition, over the joined row.
    Join {
        kind: JoinKind,
        left: Box<Rel>,
        right: Box<Rel>,
        keys: Vec<(Expr, Expr)>,
        on: Vec<Expr>,
    },
    /// Output: the group keys, then the aggregates (`keys ++ aggs`).
    Aggregate {
        input: Box<Rel>,
        keys: Vec<Expr>,
        aggs: Vec<AggCall>,
    },
    /// Window functions: each input row followed by one value per call.
    Window {
        input: Box<Rel>,
        calls: Vec<crate::expr::WindowCall>,
    },
    /// Removes duplicate rows; with `on`, keeps the first row of each run of equal `on` columns
    /// (DISTINCT ON, over sorted input).
    Distinct {
        input: Box<Rel>,
        on: Option<Vec<usize>>,
    },
    Sort {
        input: Box<Rel>,
        keys: Vec<SortKey>,
    },
    Limit {
        input: Box<Rel>,
        limit: Option<Expr>,
        offset: Option<Expr>,
        /// FETCH ... WITH TIES: the input's sort keys; rows equal on them to the last row the
        /// limit takes are taken too.
        ties: Option<Vec<SortKey>>,
    },
    SetOp {
        op: SetOpKind,
        all: bool,
        left: Box<Rel>,
        right: Box<Rel>,
    },
    /// `SELECT ... FOR UPDATE | FOR SHARE` over a tree (joins, subqueries, a query inside
    /// another statement): PostgreSQL's LockRows with the LIMIT above it folded in. `input` holds
    /// the candidate rows in the statement's order, each its `width` outputs followed by the
    /// FROM clause's row; in that order the rows of `targets` each candidate came from are
    /// locked, as many candidates as OFFSET + LIMIT need, and the first `width` columns of those
    /// kept (after OFFSET, up to LIMIT) come out. A candidate whose row was deleted meanwhile, or
    /// skipped (SKIP LOCKED), is passed over; one whose row changed (READ COMMITTED) is checked
    /// again with the newest version, as PostgreSQL's EvalPlanQual: the FROM row's columns that
    /// a view or subquery in FROM computes from its tables' rows are computed again (`fixups`,
    /// in order: each its column of the input's row and the expression that computes it), then
    /// `recheck` must still hold and the outputs are computed again (`outputs`). All name the
    /// input's columns, so the FROM row's column c is `width + c`. The session runs these nodes
    /// before the rest of the tree (`Session::lock_subtrees`): a correlated one is refused when
    /// bound.
    LockRows {
        input: Box<Rel>,
        width: usize,
        targets: Vec<LockTarget>,
        fixups: Vec<(usize, Expr)>,
        recheck: Option<Expr>,
        outputs: Vec<Expr>,
        limit: Option<Expr>,
        offset: Option<Expr>,
    },
}

/// A table whose rows a [`Rel::LockRows`] locks.
#[derive(Debug, Clone, PartialEq)]
pub struct LockTarget {
    pub table: Arc<TableDef>,
    /// Where the table's row starts in the FROM clause's row.
    pub offset: usize,
    pub locking: RowLocking,
}

impl Rel {
    /// Columns per row.
    pub fn width(&self) -> usize {
        match self {
            Rel::Scan { table, project, .. } => {
                project.as_ref().map_or(table.columns.len(), Vec::len)
            }
            Rel::Values { width, .. } | Rel::Constants { width, .. } => *width,
            Rel::Function {
                func, ordinality, ..
            } => func.width() + *ordinality as usize,
            Rel::WorkTable { width, .. } => *width,
            Rel::Recursive { base, .. } => base.width(),
            Rel::Project { exprs, .. } => exprs.len(),
            Rel::Join { left, right, .. } | Rel::Apply { left, right, .. } => {
                left.width() + right.width()
            }
            Rel::Aggregate { keys, aggs, .. } => keys.len() + aggs.len(),
            Rel::Window { input, calls } => input.width() + calls.len(),
            Rel::ProjectSet { input, calls } => input.width() + calls.len(),
            Rel::Lookup { input, .. }
            | Rel::Filter { input, .. }
            | Rel::Distinct { input, .. }
            | Rel::Sort { input, .. }
            | Rel::Limit { input, .. } => input.width(),
            Rel::SetOp { left, .. } => left.width(),
            Rel::LockRows { width, .. } => *width,
        }
    }

    /// Rebuilds the tree with `f` applied to every expression its nodes hold (not to expressions
    /// inside those expressions' subqueries).
    pub fn map_exprs(self, f: &mut dyn FnMut(Expr) -> Expr) -> Rel {
        let list = |exprs: Vec<Expr>, f: &mut dyn FnMut(Expr) -> Expr| -> Vec<Expr> {
            exprs.into_iter().map(&mut *f).collect()
        };
        match self {
            rel @ (Rel::Scan { .. } | Rel::Constants { .. }) => rel,
            Rel::Lookup {
                input,
                columns,
                probes,
            } => Rel::Lookup {
                input: Box::new(input.map_exprs(f)),
                columns,
                probes: list(probes, f),
            },
            Rel::Values { rows, width } => Rel::Values {
                rows: rows.into_iter().map(|row| list(row, f)).collect(),
                width,
            },
            Rel::Function {
                func,
                args,
                ordinality,
            } => Rel::Function {
                func,
                args: list(args, f),
                ordinality,
            },
            Rel::WorkTable { id, width } => Rel::WorkTable { id, width },
            Rel::Recursive {
                id,
                all,
                base,
                step,
            } => Rel::Recursive {
                id,
                all,
                base: Box::new(base.map_exprs(f)),
                step: Box::new(step.map_exprs(f)),
            },
            Rel::Filter { input, predicate } => Rel::Filter {
                input: Box::new(input.map_exprs(f)),
                predicate: f(predicate),
            },
            Rel::Project { input, exprs } => Rel::Project {
                input: Box::new(input.map_exprs(f)),
                exprs: list(exprs, f),
            },
            Rel::Join {
                kind,
                left,
                right,
                keys,
                on,
            } => Rel::Join {
                kind,
                left: Box::new(left.map_exprs(f)),
                right: Box::new(right.map_exprs(f)),
                keys: keys.into_iter().map(|(l, r)| (f(l), f(r))).collect(),
                on: list(on, f),
            },
            Rel::Apply {
                kind,
                left,
                right,
                on,
            } => Rel::Apply {
                kind,
                left: Box::new(left.map_exprs(f)),
                right: Box::new(right.map_exprs(f)),
                on: list(on, f),
            },
            Rel::Aggregate { input, keys, aggs } => Rel::Aggregate {
                input: Box::new(input.map_exprs(f)),
                keys: list(keys, f),
                aggs: aggs
                    .into_iter()
                    .map(|mut call| {
                        call.arg = call.arg.map(&mut *f);
                        call.filter = call.filter.map(&mut *f);
                        call
                    })
                    .collect(),
            },
            Rel::Distinct { input, on } => Rel::Distinct {
                input: Box::new(input.map_exprs(f)),
                on,
            },
            Rel::ProjectSet { input, calls } => Rel::ProjectSet {
                input: Box::new(input.map_exprs(f)),
                calls: calls
                    .into_iter()
                    .map(|(func, args)| (func, list(args, f)))
                    .collect(),
            },
            Rel::Window { input, calls } => Rel::Window {
                input: Box::new(input.map_exprs(f)),
                calls: calls
                    .into_iter()
                    .map(|call| {
                        call.try_map_exprs::<std::convert::Infallible>(&mut |e| Ok(f(e)))
                            .unwrap_or_else(|never| match never {})
                    })
                    .collect(),
            },
            Rel::Sort { input, keys } => Rel::Sort {
                input: Box::new(input.map_exprs(f)),
                keys,
            },
            Rel::Limit {
                input,
                limit,
                offset,
                ties,
            } => Rel::Limit {
                input: Box::new(input.map_exprs(f)),
                limit: limit.map(&mut *f),
                offset: offset.map(&mut *f),
                ties,
            },
            Rel::SetOp {
                op,
                all,
                left,
                right,
            } => Rel::SetOp {
                op,
                all,
                left: Box::new(left.map_exprs(f)),
                right: Box::new(right.map_exprs(f)),
            },
            Rel::LockRows {
                input,
                width,
                targets,
                fixups,
                recheck,
                outputs,
                limit,
                offset,
            } => Rel::LockRows {
                input: Box::new(input.map_exprs(f)),
                width,
                targets,
                fixups: (fixups.into_iter())
                    .map(|(column, expr)| (column, f(expr)))
                    .collect(),
                recheck: recheck.map(&mut *f),
                outputs: list(outputs, f),
                limit: limit.map(&mut *f),
                offset: offset.map(&mut *f),
            },
        }
    }

    /// The expressions this node holds (not those of its inputs).
    pub fn node_exprs(&self) -> Vec<&Expr> {
        match self {
            Rel::Scan { .. }
            | Rel::Distinct { .. }
            | Rel::Sort { .. }
            | Rel::SetOp { .. }
            | Rel::WorkTable { .. }
            | Rel::Constants { .. }
            | Rel::Recursive { .. } => Vec::new(),
            Rel::Values { rows, .. } => rows.iter().flatten().collect(),
            Rel::Function { args, .. } => args.iter().collect(),
            Rel::Lookup { probes, .. } => probes.iter().collect(),
            Rel::Filter { predicate, .. } => vec![predicate],
            Rel::Project { exprs, .. } => exprs.iter().collect(),
            Rel::Apply { on, .. } => on.iter().collect(),
            Rel::Join { keys, on, .. } => on
                .iter()
                .chain(keys.iter().flat_map(|(l, r)| [l, r]))
                .collect(),
            Rel::Aggregate { keys, aggs, .. } => keys
                .iter()
                .chain(aggs.iter().filter_map(|a| a.arg.as_ref()))
                .chain(aggs.iter().filter_map(|a| a.filter.as_ref()))
                .collect(),
            Rel::Limit { limit, offset, .. } => limit.iter().chain(offset.iter()).collect(),
            Rel::LockRows {
                fixups,
                recheck,
                outputs,
                limit,
                offset,
                ..
            } => (fixups.iter().map(|(_, expr)| expr))
                .chain(recheck.iter().chain(outputs))
                .chain(limit.iter().chain(offset.iter()))
                .collect(),
            Rel::Window { calls, .. } => calls.iter().flat_map(|c| c.exprs()).collect(),
            Rel::ProjectSet { calls, .. } => calls.iter().flat_map(|(_, args)| args).collect(),
        }
    }

    /// [`Rel::node_exprs`], to change in place.
    pub fn node_exprs_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Rel::Scan { .. }
            | Rel::Distinct { .. }
            | Rel::Sort { .. }
            | Rel::SetOp { .. }
            | Rel::WorkTable { .. }
            | Rel::Constants { .. }
            | Rel::Recursive { .. } => Vec::new(),
            Rel::Values { rows, .. } => rows.iter_mut().flatten().collect(),
            Rel::Function { args, .. } => args.iter_mut().collect(),
            Rel::Lookup { probes, .. } => probes.iter_mut().collect(),
            Rel::Filter { predicate, .. } => vec![predicate],
            Rel::Project { exprs, .. } => exprs.iter_mut().collect(),
            Rel::Apply { on, .. } => on.iter_mut().collect(),
            Rel::Join { keys, on, .. } => on
                .iter_mut()
                .chain(keys.iter_mut().flat_map(|(l, r)| [l, r]))
                .collect(),
            Rel::Aggregate { keys, aggs, .. } => keys
                .iter_mut()
                .chain(
                    aggs.iter_mut()
                        .flat_map(|a| a.arg.iter_mut().chain(a.filter.iter_mut())),
                )
                .collect(),
            Rel::Limit { limit, offset, .. } => limit.iter_mut().chain(offset.iter_mut()).collect(),
            Rel::LockRows {
                fixups,
                recheck,
                outputs,
                limit,
                offset,
                ..
            } => (fixups.iter_mut().map(|(_, expr)| expr))
                .chain(recheck.iter_mut().chain(outputs))
                .chain(limit.iter_mut().chain(offset.iter_mut()))
                .collect(),
            Rel::Window { calls, .. } => calls.iter_mut().flat_map(|c| c.exprs_mut()).collect(),
            Rel::ProjectSet { calls, .. } => calls.iter_mut().flat_map(|(_, args)| args).collect(),
        }
    }

    /// Calls `f` on each [`Rel::LockRows`] node of the tree that no other one holds (also
    /// inside subqueries), in one fixed order.
    pub fn each_lock_rows(&mut self, f: &mut dyn FnMut(&mut Rel)) {
        if matches!(self, Rel::LockRows { .. }) {
            f(self);
            return;
        }
        // The subqueries anywhere in an expression.
        fn walk(expr: Expr, f: &mut dyn FnMut(&mut Rel)) -> Expr {
            let expr = expr
                .try_map::<std::convert::Infallible>(&mut |e| Ok(walk(e, f)))
                .unwrap_or_else(|never| match never {});
            match expr {
                Expr::Subquery(mut subquery) => {
                    Arc::make_mut(&mut subquery).rel.each_lock_rows(f);
                    Expr::Subquery(subquery)
                }
                other => other,
            }
        }
        for expr in self.node_exprs_mut() {
            let taken = std::mem::replace(expr, Expr::Const(crate::types::Value::Null));
            *expr = walk(taken, f);
        }
        for input in self.inputs_mut() {
            input.each_lock_rows(f);
        }
    }

    /// What the planner makes of an EXISTS subquery's `where inner = outer and ..`: a
    /// [`Rel::Lookup`] under filters (and a projection, whose outputs EXISTS never computes).
    /// The filters (innermost last) and the lookup; None for another shape.
    pub fn filtered_lookup(&self) -> Option<(Vec<&Expr>, &Rel)> {
        let mut rel = self;
        if let Rel::Project { input, .. } = rel {
            rel = input;
        }
        let mut filters = Vec::new();
        while let Rel::Filter { input, predicate } = rel {
            filters.push(predicate);
            rel = input;
        }
        matches!(rel, Rel::Lookup { .. }).then_some((filters, rel))
    }

    /// The node's inputs.
    pub fn inputs(&self) -> Vec<&Rel> {
        match self {
            Rel::Scan { .. }
            | Rel::Values { .. }
            | Rel::Constants { .. }
            | Rel::Function { .. }
            | Rel::WorkTable { .. } => Vec::new(),
            Rel::Recursive { base, step, .. } => vec![base, step],
            Rel::Lookup { input, .. }
            | Rel::Filter { input, .. }
            | Rel::Project { input, .. }
            | Rel::Aggregate { input, .. }
            | Rel::Window { input, .. }
            | Rel::ProjectSet { input, .. }
            | Rel::Distinct { input, .. }
            | Rel::Sort { input, .. }
            | Rel::Limit { input, .. }
            | Rel::LockRows { input, .. } => vec![input],
            Rel::Join { left, right, .. }
            | Rel::SetOp { left, right, .. }
            | Rel::Apply { left, right, .. } => vec![left, right],
        }
    }

    /// The node's inputs, to change in place.
    pub fn inputs_mut(&mut self) -> Vec<&mut Rel> {
        match self {
            Rel::Scan { .. }
            | Rel::Values { .. }
            | Rel::Constants { .. }
            | Rel::Function { .. }
            | Rel::WorkTable { .. } => Vec::new(),
            Rel::Recursive { base, step, .. } => vec![base, step],
            Rel::Lookup { input, .. }
            | Rel::Filter { input, .. }
            | Rel::Project { input, .. }
            | Rel::Aggregate { input, .. }
            | Rel::Window { input, .. }
            | Rel::ProjectSet { input, .. }
            | Rel::Distinct { input, .. }
            | Rel::Sort { input, .. }
            | Rel::Limit { input, .. }
            | Rel::LockRows { input, .. } => vec![input],
            Rel::Join { left, right, .. }
            | Rel::SetOp { left, right, .. }
            | Rel::Apply { left, right, .. } => vec![left, right],
        }
    }

    /// Calls `f` on this node and every node below it, also inside subqueries of its expressions.
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Rel)) {
        f(self);
        for expr in self.node_exprs() {
            expr.visit(&mut |e| {
                if let Expr::Subquery(sub) = e {
                    sub.rel.visit(f);
                }
            });
        }
        for input in self.inputs() {
            input.visit(f);
        }
    }

    /// The outer references of the tree (also inside its subqueries), as (levels beyond the
    /// tree's own enclosing row, column): level 0 is the row just outside.
    /// [`Rel::outer_refs`] as a list.
    pub fn outer_refs_list(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.outer_refs(&mut out);
        out
    }

    pub fn outer_refs(&self, out: &mut Vec<(usize, usize)>) {
        fn walk(rel: &Rel, nesting: usize, out: &mut Vec<(usize, usize)>) {
            for expr in rel.node_exprs() {
                expr.visit(&mut |e| match e {
                    Expr::Outer(depth, column) if *depth > nesting => {
                        out.push((depth - nesting - 1, *column))
                    }
                    Expr::Subquery(sub) => walk(&sub.rel, nesting + 1, out),
                    _ => {}
                });
            }
            if let Rel::Apply { left, right, .. } = rel {
                // The right side is one level in: the left row is its innermost outer row.
                walk(left, nesting, out);
                walk(right, nesting + 1, out);
                return;
            }
            for input in rel.inputs() {
                walk(input, nesting, out);
            }
        }
        walk(self, 0, out);
    }
}

/// A query in its general form.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    pub rel: Rel,
    pub columns: Vec<OutputColumn>,
}

/// An UPDATE (with `columns`) or DELETE (without) whose target rows a query finds: each row of
/// `rel` is a target's primary key (for a table without one, its row key:
/// [`TableDef::row_key_column`]) followed by the new values of `columns`, then the FROM items'
/// columns RETURNING reads, then those `recheck` reads.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteFromQuery {
    pub table: Arc<TableDef>,
    pub rel: Rel,
    pub columns: Vec<usize>,
    pub returning: Option<Returning>,
    /// How a found row whose target row changed since the snapshot is checked again (READ
    /// COMMITTED); None: the caller checks (MERGE).
    pub recheck: Option<FoundRecheck>,
}

/// PostgreSQL's EvalPlanQual of an UPDATE or DELETE whose rows a query found: under READ
/// COMMITTED a target row changed since the snapshot is locked, then the row the query joined
/// is rebuilt with the target's newest version and the FROM items' values it found; the WHERE
/// clause must still hold over it, and the new values are computed again from it.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundRecheck {
    /// The joined row's width: the target's columns (then its row key, for a table without a
    /// primary key), then the FROM items'.
    pub width: usize,
    /// The FROM items' columns `exprs` read (numbered in the joined row), which each of `rel`'s
    /// rows carries last, in this order.
    pub columns: Vec<usize>,
    /// Over the joined row: the WHERE clause (true without one), then each new value.
    pub exprs: Vec<Expr>,
}

impl WriteFromQuery {
    /// How many values of each of `rel`'s rows name the target row.
    pub fn key_width(&self) -> usize {
        self.table.primary_key.len().max(1)
    }
}

/// MERGE: `rel` yields each row of the target joined with the source (the target's columns,
/// then the source's; NULLs for a source row that matches none; for a table without a primary
/// key, then the target row's row key: [`TableDef::row_key_column`]) followed by the number of
/// the WHEN clause the row takes, from 1 (0: none); `actions[k - 1]` is what clause k does.
#[derive(Debug, Clone, PartialEq)]
pub struct MergePlan {
    pub table: Arc<TableDef>,
    pub rel: Rel,
    pub actions: Vec<MergeAction>,
    /// For a target row changed since the snapshot (READ COMMITTED), the join's conditions it
    /// must still pass (those that run no subquery or sequence function) and the expression
    /// that chooses the clause, both over the join's row (`rel`'s input: the target's columns,
    /// its row key for a table without a primary key, then the source's).
    pub on: Vec<Expr>,
    pub clause: Expr,
}

/// What a MERGE WHEN clause does with its rows: its expressions are over the joined row.
#[derive(Debug, Clone, PartialEq)]
pub enum MergeAction {
    Nothing,
    Delete,
    /// (column, new value cast to the column's type) of the matched target row.
    Update(Vec<(usize, Expr)>),
    /// One expression per column of the new row.
    Insert(Vec<Expr>),
}

/// EXPLAIN of INSERT, UPDATE or DELETE: the write's node (`Update on t`) and its detail lines,
/// over the tree that finds its rows, or over the one line `child` when the rows are not a tree
/// (`Result` for one VALUES row); `plan`, the write itself, which EXPLAIN ANALYZE runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainWrite {
    pub lines: Vec<String>,
    pub child: Option<String>,
    pub plan: Plan,
}

/// A bound statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Select(Arc<SelectPlan>),
    /// A query beyond one table's rows (joins, subqueries, set operations, DISTINCT, VALUES).
    Query(Arc<QueryPlan>),
    /// UPDATE ... FROM, DELETE ... USING, and writes whose conditions hold subqueries.
    WriteFromQuery(Arc<WriteFromQuery>),
    Merge(Arc<MergePlan>),
    /// A statement with data-modifying WITH queries: each of `writes` runs first, in order, its
    /// RETURNING rows becoming the work table of its id ([`Rel::WorkTable`]), then `main`.
    With {
        writes: Vec<(usize, Plan)>,
        main: Box<Plan>,
    },
    /// `EXPLAIN [ANALYZE] query`: the query's tree as text (ANALYZE runs it).
    Explain {
        analyze: bool,
        /// Per-node times (EXPLAIN's TIMING) and the summary lines (SUMMARY), under ANALYZE.
        timing: bool,
        summary: bool,
        query: Arc<QueryPlan>,
        /// EXPLAIN of INSERT, UPDATE or DELETE: the write's node above `query`'s tree.
        write: Option<Arc<ExplainWrite>>,
        columns: Vec<OutputColumn>,
    },
    Insert(Arc<InsertPlan>),
    Update(Arc<UpdatePlan>),
    Delete(Arc<DeletePlan>),
    CreateTable {
        table: TableDef,
        if_not_exists: bool,
        /// Sequences of its SERIAL and identity columns (ids given when it runs).
        sequences: Vec<crate::catalog::SequenceDef>,
        /// `CREATE TABLE ... AS query`: the rows it starts with.
        source: Option<Arc<QueryPlan>>,
        /// False for `CREATE TABLE ... AS query WITH NO DATA`: the query gives the columns
        /// only and never runs.
        with_data: bool,
        /// A temporary table's `ON COMMIT DELETE ROWS` / `DROP` (None: PRESERVE ROWS).
        on_commit: Option<OnCommit>,
    },
    /// `REFRESH MATERIALIZED VIEW`: `table` (a materialized view) is emptied and given the
    /// rows of `source` (None: WITH NO DATA, which leaves it unpopulated).
    RefreshMatView {
        table: Arc<TableDef>,
        source: Option<Arc<QueryPlan>>,
        /// CONCURRENTLY: the old rows are deleted row by row (under MVCC, so readers holding
        /// the table's ACCESS SHARE lock go on reading them until it commits), not truncated.
        concurrently: bool,
    },
    CreateSequence {
        seq: crate::catalog::SequenceDef,
        if_not_exists: bool,
    },
    /// `ALTER SEQUENCE`: `seq` (None: IF EXISTS and there is none) replaces the sequence named
    /// `name`, renamed when its name differs; `restart`: the value the next nextval returns.
    AlterSequence {
        name: String,
        seq: Option<crate::catalog::SequenceDef>,
        restart: Option<i64>,
    },
    /// `ALTER TABLE|SEQUENCE name OWNER TO role` (ALTER TABLE also names sequences and views, as
    /// in PostgreSQL); `tag` is the command's.
    AlterOwner {
        relation: String,
        role: String,
        tag: &'static str,
    },
    /// `ALTER VIEW name RENAME TO new`: the view's key (None: IF EXISTS and there is no such
    /// view, `name` as written) and its new key.
    RenameView {
        view: Option<String>,
        name: String,
        to: String,
        /// ALTER VIEW or ALTER TABLE.
        tag: &'static str,
    },
    /// `ALTER ... SET SCHEMA`: `relation` (a table, materialized view, view or sequence key)
    /// moves to `schema` with what goes with it (a table's indexes and owned sequences).
    SetSchema {
        relation: String,
        schema: String,
        tag: &'static str,
    },
    DropSequences {
        names: Vec<String>,
        if_exists: bool,
        /// CASCADE: column defaults that take values from them go too.
        cascade: bool,
    },
    /// CREATE TYPE ... AS ENUM | AS (...), ALTER TYPE and DROP TYPE of enum and composite types.
    Type(TypeCommand),
    /// CREATE, ALTER and DROP DOMAIN.
    Domain(DomainCommand),
    /// `CREATE SCHEMA name [AUTHORIZATION owner]`.
    CreateSchema {
        name: String,
        owner: String,
        if_not_exists: bool,
    },
    /// `ALTER SCHEMA name RENAME TO rename | OWNER TO owner`.
    AlterSchema {
        name: String,
        rename: Option<String>,
        owner: Option<String>,
    },
    /// `DROP SCHEMA`: with `cascade`, the relations in them go too.
    DropSchemas {
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    },
    /// An ALTER TABLE of several actions that run as the single-action statements `steps`, in
    /// order, each bound against the catalog the one before left (`bind::alter_table_steps`).
    AlterTableSteps {
        table: Arc<TableDef>,
        steps: Vec<String>,
    },
    /// `DROP OWNED BY roles [CASCADE]` (role names as written; see `Session::drop_owned`).
    DropOwned {
        roles: Vec<String>,
        cascade: bool,
    },
    DropTables {
        names: Vec<(String, Option<usize>)>,
        if_exists: bool,
        /// CASCADE: the views that read them and the foreign keys that reference them go too
        /// (RESTRICT: they stop the drop).
        cascade: bool,
        /// DROP MATERIALIZED VIEW (the names must be materialized views, and DROP TABLE's
        /// must not be).
        matviews: bool,
    },
    Truncate {
        /// The tables named, then (CASCADE) those referencing them by foreign keys.
        tables: Vec<Arc<TableDef>>,
        /// How many of `tables` CASCADE added (each gets PostgreSQL's notice).
        cascaded: usize,
        /// RESTART IDENTITY: the sequences the tables' columns own (SERIAL, identity, OWNED
        /// BY), restarted at their START values within the transaction.
        restart: Vec<String>,
    },
    AddPrimaryKey {
        table: Arc<TableDef>,
        columns: Vec<usize>,
        name: Option<String>,
        /// `INCLUDE (columns)` (see [`crate::catalog::TableDef::primary_key_include`]).
        include: Vec<usize>,
    },
    CreateIndex {
        table: Arc<TableDef>,
        /// None: PostgreSQL's default name (`<table>_<columns>_idx`, `_key` for a constraint).
        name: Option<String>,
        columns: Vec<usize>,
        /// `indoption` per column (see [`crate::catalog::IndexDef::options`]).
        options: Vec<i16>,
        unique: bool,
        if_not_exists: bool,
        /// `ALTER TABLE ... ADD UNIQUE`: the index backs a constraint.
        constraint: bool,
        /// A partial index's condition as written (see [`crate::catalog::IndexDef::predicate`]).
        predicate: Option<String>,
        /// An index on expressions: each key part as written (`columns` is then empty).
        expressions: Vec<String>,
        expression_types: Vec<crate::types::DataType>,
        /// `INCLUDE (columns)` (see [`crate::catalog::IndexDef::include`]).
        include: Vec<usize>,
        /// `NULLS NOT DISTINCT` (see [`crate::catalog::IndexDef::nulls_not_distinct`]).
        nulls_not_distinct: bool,
        /// `WITH (storage parameters)` (see [`crate::catalog::IndexDef::storage`]).
        storage: Vec<(String, String)>,
        /// The predicate and expressions bound.
        bound: Option<Arc<crate::catalog::BoundIndex>>,
        /// `USING gin`: its operator class (see [`crate::catalog::IndexDef::gin`]).
        gin: Option<crate::gin::GinClass>,
    },
    /// `ALTER TABLE` renames and column changes: the table's next definition (checks bound),
    /// existing rows' values for added columns with defaults, and columns that must hold no NULL.
    AlterTable {
        table: Arc<TableDef>,
        new: Arc<TableDef>,
        fill: Vec<(usize, Expr)>,
        not_null: Vec<usize>,
        /// NOTICEs (`ADD COLUMN IF NOT EXISTS` of a column there).
        notices: Vec<crate::error::SqlError>,
        /// Sequences of identity columns it adds (`ADD GENERATED ... AS IDENTITY`).
        sequences: Vec<crate::catalog::SequenceDef>,
        /// Identity columns' sequences it changes (`SET` options, `RESTART`) or drops (`DROP
        /// IDENTITY`; None), by name.
        identity: Vec<(String, Option<SequenceChange>)>,
        /// `ALTER COLUMN ... TYPE`, and added columns whose value for each row only the session
        /// computes (SERIAL, identity, `DEFAULT nextval(...)`): per column, its value computed
        /// from the row as it is (`table`'s columns); the rows are written again.
        retype: Vec<(usize, Expr)>,
        /// ALTER TABLE, or ALTER INDEX for a renamed index.
        tag: &'static str,
    },
    /// `ALTER TABLE ... ADD [CONSTRAINT name] CHECK (...)`: the rows there must pass it.
    AddCheck {
        table: Arc<TableDef>,
        check: crate::catalog::CheckDef,
    },
    /// CREATE / ALTER / DROP ROLE (and USER).
    Role(RoleCommand),
    /// GRANT / REVOKE privileges on tables or on the public schema.
    Grant(GrantCommand),
    /// `COMMENT ON TABLE | COLUMN ... IS 'text' | NULL`.
    Comment {
        table: Arc<TableDef>,
        /// The column's position (None: the table's comment).
        column: Option<usize>,
        text: Option<String>,
    },
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`: checked against the rows there.
    AddForeignKey {
        table: Arc<TableDef>,
        fk: crate::catalog::ForeignKeyDef,
    },
    /// `ALTER TABLE ... DROP COLUMN`: the rows are rewritten without it (None: IF EXISTS and
    /// there is no such column).
    DropColumn {
        table: Arc<TableDef>,
        column: Option<usize>,
        name: String,
        cascade: bool,
        /// The CHECK constraints that read the column (dropped with it).
        checks: Vec<String>,
        /// The generated columns that read it (dropped before it with CASCADE).
        generated: Vec<String>,
    },
    /// `ALTER TABLE ... DROP CONSTRAINT` of a PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY
    /// constraint.
    DropConstraint {
        table: Arc<TableDef>,
        name: String,
        if_exists: bool,
        /// Foreign keys standing on the key go with it.
        cascade: bool,
    },
    /// `ALTER TABLE ... VALIDATE CONSTRAINT name`: a CHECK or FOREIGN KEY constraint added NOT
    /// VALID is checked against every row and marked valid.
    ValidateConstraint {
        table: Arc<TableDef>,
        name: String,
    },
    DropIndexes {
        names: Vec<String>,
        if_exists: bool,
        /// Foreign keys standing on a unique index go with it.
        cascade: bool,
    },
    CreateView {
        view: crate::catalog::ViewDef,
        or_replace: bool,
        /// Made temporary because it reads a temporary table (PostgreSQL says so in a notice).
        implicit_temp: bool,
    },
    DropViews {
        names: Vec<String>,
        if_exists: bool,
        /// CASCADE: the views that read them go too (RESTRICT: they stop the drop).
        cascade: bool,
    },
    /// DROP EXTENSION IF EXISTS: Keel has no extensions, so each name is skipped with a notice.
    DropExtensions {
        names: Vec<String>,
    },
}

impl Plan {
    /// The result columns a client sees (empty for statements without rows).
    pub fn columns(&self) -> &[OutputColumn] {
        match self {
            Plan::Select(select) => &select.columns,
            Plan::Query(query) => &query.columns,
            Plan::Explain { columns, .. } => columns,
            Plan::Insert(insert) => insert.returning.as_ref().map_or(&[], |r| &r.columns),
            Plan::Update(update) => update.returning.as_ref().map_or(&[], |r| &r.columns),
            Plan::Delete(delete) => delete.returning.as_ref().map_or(&[], |r| &r.columns),
            Plan::WriteFromQuery(write) => write.returning.as_ref().map_or(&[], |r| &r.columns),
            Plan::With { main, .. } => main.columns(),
            _ => &[],
        }
    }

    /// The tables whose rows the statement locks (`FOR UPDATE`, `FOR SHARE` anywhere in it),
    /// and how, in the order the clauses were bound.
    pub fn row_locks(&self) -> Vec<(&Arc<TableDef>, RowLocking)> {
        fn add<'p>(rel: &'p Rel, out: &mut Vec<(&'p Arc<TableDef>, RowLocking)>) {
            rel.visit(&mut |node| {
                if let Rel::LockRows { targets, .. } = node {
                    out.extend(targets.iter().map(|t| (&t.table, t.locking)));
                }
            });
        }
        let mut out = Vec::new();
        match self {
            Plan::Select(select) => {
                if let (Some(table), Some(locking)) = (&select.table, select.locking) {
                    out.push((table, locking));
                }
            }
            Plan::Query(query) => add(&query.rel, &mut out),
            Plan::WriteFromQuery(write) => add(&write.rel, &mut out),
            Plan::Merge(merge) => add(&merge.rel, &mut out),
            Plan::Insert(insert) => {
                if let Some(source) = &insert.source {
                    add(source, &mut out);
                }
            }
            Plan::With { writes, main } => {
                for (_, write) in writes {
                    out.extend(write.row_locks());
                }
                out.extend(main.row_locks());
            }
            _ => {}
        }
        out
    }

    /// How the statement's first locking clause locks rows, if it has one.
    pub fn row_locking(&self) -> Option<RowLocking> {
        self.row_locks().first().map(|(_, locking)| *locking)
    }

    /// The command a read-only transaction may not run, as PostgreSQL names it in the error.
    pub fn write_command(&self) -> Option<&'static str> {
        Some(match self {
            Plan::Select(_) | Plan::Query(_) => match self.row_locking()?.strength {
                LockStrength::Update => "SELECT FOR UPDATE",
                LockStrength::NoKeyUpdate => "SELECT FOR NO KEY UPDATE",
                LockStrength::Share => "SELECT FOR SHARE",
                LockStrength::KeyShare => "SELECT FOR KEY SHARE",
            },
            Plan::Explain { .. } => return None,
            Plan::Insert(_) => "INSERT",
            Plan::Update(_) => "UPDATE",
            Plan::Delete(_) => "DELETE",
            Plan::WriteFromQuery(write) if write.columns.is_empty() => "DELETE",
            Plan::WriteFromQuery(_) => "UPDATE",
            Plan::Merge(_) => "MERGE",
            // PostgreSQL names the statement's own command (SELECT for a query).
            Plan::With { main, .. } => main.write_command().unwrap_or("SELECT"),
            Plan::CreateTable { table, .. } if table.matview.is_some() => {
                "CREATE MATERIALIZED VIEW"
            }
            Plan::CreateTable { .. } => "CREATE TABLE",
            Plan::RefreshMatView { .. } => "REFRESH MATERIALIZED VIEW",
            Plan::CreateSequence { .. } => "CREATE SEQUENCE",
            Plan::AlterSequence { .. } => "ALTER SEQUENCE",
            Plan::AlterOwner { tag, .. } => tag,
            Plan::RenameView { tag, .. } | Plan::SetSchema { tag, .. } => tag,
            Plan::DropSequences { .. } => "DROP SEQUENCE",
            Plan::Type(TypeCommand::Create { .. } | TypeCommand::CreateComposite { .. }) => {
                "CREATE TYPE"
            }
            Plan::Type(TypeCommand::Drop { .. }) => "DROP TYPE",
            Plan::Type(_) => "ALTER TYPE",
            Plan::Domain(DomainCommand::Create(_)) => "CREATE DOMAIN",
            Plan::Domain(DomainCommand::Drop { .. }) => "DROP DOMAIN",
            Plan::Domain(DomainCommand::Alter { .. }) => "ALTER DOMAIN",
            Plan::CreateSchema { .. } => "CREATE SCHEMA",
            Plan::AlterSchema { .. } => "ALTER SCHEMA",
            Plan::DropSchemas { .. } => "DROP SCHEMA",
            Plan::DropTables { matviews: true, .. } => "DROP MATERIALIZED VIEW",
            Plan::DropTables { .. } => "DROP TABLE",
            Plan::Truncate { .. } => "TRUNCATE TABLE",
            Plan::AddPrimaryKey { .. } => "ALTER TABLE",
            Plan::CreateIndex { .. } => "CREATE INDEX",
            Plan::DropIndexes { .. } => "DROP INDEX",
            Plan::DropConstraint { .. }
            | Plan::ValidateConstraint { .. }
            | Plan::AddCheck { .. }
            | Plan::AddForeignKey { .. }
            | Plan::DropColumn { .. }
            | Plan::AlterTableSteps { .. }
            | Plan::AlterTable {
                tag: "ALTER TABLE", ..
            } => "ALTER TABLE",
            Plan::AlterTable { tag, .. } => tag,
            Plan::CreateView { .. } => "CREATE VIEW",
            Plan::Comment { .. } => "COMMENT",
            Plan::Role(RoleCommand::Create { .. }) => "CREATE ROLE",
            Plan::Role(
                RoleCommand::Alter { .. }
                | RoleCommand::Rename { .. }
                | RoleCommand::Setting { name: Some(_), .. }
                | RoleCommand::Setting {
                    all_roles: true, ..
                },
            ) => "ALTER ROLE",
            Plan::Role(RoleCommand::Setting { name: None, .. }) => "ALTER DATABASE",
            Plan::Role(RoleCommand::Drop { .. }) => "DROP ROLE",
            Plan::Role(RoleCommand::ReassignOwned { .. }) => "REASSIGN OWNED",
            Plan::Role(RoleCommand::RevokeAllFrom { .. }) | Plan::DropOwned { .. } => "DROP OWNED",
            Plan::Role(RoleCommand::Membership { grant: true, .. }) => "GRANT ROLE",
            Plan::Role(RoleCommand::Membership { grant: false, .. }) => "REVOKE ROLE",
            Plan::Grant(GrantCommand { grant: true, .. }) => "GRANT",
            Plan::Grant(GrantCommand { grant: false, .. }) => "REVOKE",
            Plan::DropViews { .. } => "DROP VIEW",
            Plan::DropExtensions { .. } => "DROP EXTENSION",
        })
    }

    /// Whether the statement changes the catalog (not allowed inside a transaction block yet).
    pub fn is_ddl(&self) -> bool {
        matches!(
            self,
            Plan::CreateTable { .. }
                | Plan::RefreshMatView { .. }
                | Plan::CreateSequence { .. }
                | Plan::AlterSequence { .. }
                | Plan::AlterOwner { .. }
                | Plan::RenameView { .. }
                | Plan::SetSchema { .. }
                | Plan::DropOwned { .. }
                | Plan::AlterTableSteps { .. }
                | Plan::DropSequences { .. }
                | Plan::Type(_)
                | Plan::Domain(_)
                | Plan::CreateSchema { .. }
                | Plan::AlterSchema { .. }
                | Plan::DropSchemas { .. }
                | Plan::DropTables { .. }
                | Plan::AddPrimaryKey { .. }
                | Plan::CreateIndex { .. }
                | Plan::DropIndexes { .. }
                | Plan::DropConstraint { .. }
                | Plan::ValidateConstraint { .. }
                | Plan::AddCheck { .. }
                | Plan::AddForeignKey { .. }
                | Plan::DropColumn { .. }
                | Plan::Comment { .. }
                | Plan::Role(_)
                | Plan::Grant(_)
                | Plan::AlterTable { .. }
                | Plan::CreateView { .. }
                | Plan::DropViews { .. }
                | Plan::DropExtensions { .. }
        ) || matches!(self, Plan::Truncate { restart, .. } if !restart.is_empty())
    }
}

/// A sequence as ALTER SEQUENCE (or an identity column's `SET` options) leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceChange {
    pub seq: crate::catalog::SequenceDef,
    /// RESTART's value (None: the counter goes on from where it is).
    pub restart: Option<i64>,
}

/// A statement on enum and composite types (see `crate::enums`, `crate::composites`); names are
/// catalog keys (`schema.name`).
#[derive(Debug, Clone, PartialEq)]
pub enum TypeCommand {
    /// `CREATE TYPE name AS ENUM (labels)`.
    Create { name: String, labels: Vec<String> },
    /// `CREATE TYPE name AS (field type, ...)`: a composite type (see `crate::composites`).
    CreateComposite {
        name: String,
        fields: Vec<crate::composites::CompositeField>,
    },
    /// `DROP TYPE [IF EXISTS] names [CASCADE]`.
    Drop {
        names: Vec<String>,
        if_exists: bool,
        cascade: bool,
    },
    /// `ALTER TYPE name ADD VALUE [IF NOT EXISTS] label [BEFORE | AFTER neighbour]` (true:
    /// AFTER).
    AddValue {
        name: String,
        label: String,
        neighbour: Option<(String, bool)>,
        if_not_exists: bool,
    },
    /// `ALTER TYPE name RENAME VALUE from TO to`.
    RenameValue {
        name: String,
        from: String,
        to: String,
    },
    /// `ALTER TYPE name RENAME TO to` (`to` is a key in the type's schema), or `SET SCHEMA` (a
    /// key in the new schema).
    Rename { name: String, to: String },
    /// `ALTER TYPE name action, ...` on a composite type's attributes, in order.
    AlterComposite {
        name: String,
        actions: Vec<CompositeAlteration>,
    },
    /// `ALTER TYPE name RENAME ATTRIBUTE from TO to`.
    RenameAttribute {
        name: String,
        from: String,
        to: String,
    },
    /// `ALTER TYPE name OWNER TO role`.
    Owner { name: String, role: String },
}

/// One attribute action of `ALTER TYPE` on a composite type, its type bound.
#[derive(Debug, Clone, PartialEq)]
pub enum CompositeAlteration {
    Add { name: String, ty: DataType },
    Drop { name: String, if_exists: bool },
    Alter { name: String, ty: DataType },
}

/// A domain statement (see [`crate::domains`]; bound in `bind/domains.rs`, run by the session's
/// DDL path in `exec/domains.rs`).
#[derive(Debug, Clone, PartialEq)]
pub enum DomainCommand {
    /// `CREATE DOMAIN`: the definition, given its id when it runs.
    Create(crate::domains::DomainDef),
    /// `DROP DOMAIN`: the keys of those to drop (IF EXISTS skips the others with a notice,
    /// `missing`).
    Drop {
        keys: Vec<String>,
        missing: Vec<String>,
        cascade: bool,
    },
    /// `ALTER DOMAIN key ...`.
    Alter { key: String, change: DomainChange },
}

/// What an `ALTER DOMAIN` changes.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainChange {
    /// SET DEFAULT (the text, cast to the base type) or DROP DEFAULT.
    Default(Option<String>),
    /// SET NOT NULL (checked against the rows of the domain's columns) or DROP NOT NULL.
    NotNull(bool),
    /// ADD CONSTRAINT ... CHECK, bound over the value; checked against the rows of the domain's
    /// columns unless NOT VALID.
    AddCheck(crate::catalog::CheckDef),
    DropConstraint {
        name: String,
        if_exists: bool,
    },
    RenameConstraint {
        from: String,
        to: String,
    },
    /// VALIDATE CONSTRAINT: the constraint, bound.
    Validate(crate::catalog::CheckDef),
    /// RENAME TO (the new key) or SET SCHEMA (the key in the new schema).
    Rename(String),
    Owner(String),
}

/// A role statement (see `bind/roles.rs`; run by the session's DDL path).
#[derive(Debug, Clone, PartialEq)]
pub enum RoleCommand {
    Create {
        name: String,
        attrs: Vec<RoleAttr>,
    },
    Alter {
        name: String,
        attrs: Vec<RoleAttr>,
    },
    Rename {
        name: String,
        new_name: String,
    },
    Drop {
        names: Vec<String>,
        if_exists: bool,
    },
    /// `REASSIGN OWNED BY from TO to`.
    ReassignOwned {
        from: Vec<String>,
        to: String,
    },
    /// DROP OWNED's last step: every privilege granted to `roles` goes (their objects were
    /// dropped first, see `Session::drop_owned`).
    RevokeAllFrom {
        roles: Vec<String>,
    },
    /// GRANT (`grant`) or REVOKE of membership in `roles` to `members`; `admin`: WITH ADMIN
    /// OPTION (REVOKE ADMIN OPTION FOR takes only the option).
    Membership {
        grant: bool,
        roles: Vec<String>,
        members: Vec<String>,
        admin: bool,
        /// `GRANTED BY role`: the grantor recorded (the current role when not given).
        grantor: Option<String>,
    },
    /// `ALTER ROLE name [IN DATABASE db] SET setting = value | RESET setting | RESET ALL`, or
    /// `ALTER DATABASE db SET ...` (no role): `setting` None is RESET ALL, `value` None a
    /// RESET (or SET ... TO DEFAULT). `ALTER ROLE ALL [IN DATABASE db]`: no role, `all_roles`
    /// (without a database: every session's default). `from_current`: SET ... FROM CURRENT, the
    /// session's value now.
    Setting {
        name: Option<String>,
        database: Option<String>,
        setting: Option<String>,
        value: Option<String>,
        all_roles: bool,
        from_current: bool,
    },
}

/// One role option, in the order given (a later one wins).
#[derive(Debug, Clone, PartialEq)]
pub enum RoleAttr {
    Superuser(bool),
    CreateDb(bool),
    CreateRole(bool),
    Inherit(bool),
    Login(bool),
    Replication(bool),
    BypassRls(bool),
    ConnectionLimit(i32),
    /// The password as given (None: `PASSWORD NULL`); the session stores its secret.
    Password(Option<String>),
    /// `VALID UNTIL`: microseconds since 2000-01-01 UTC.
    ValidUntil(i64),
}

/// A GRANT or REVOKE (see `bind/roles.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct GrantCommand {
    pub grant: bool,
    /// Privilege bits (`crate::catalog::PRIV_*`).
    pub privileges: u8,
    /// WITH GRANT OPTION, or REVOKE GRANT OPTION FOR.
    pub grant_option: bool,
    pub target: GrantTarget,
    /// Column privileges (`GRANT SELECT (a, b), UPDATE (b) ON t`): column name and privilege
    /// bits, in the order written; on tables only.
    pub columns: Vec<(String, u8)>,
    /// Role names; "" is PUBLIC.
    pub grantees: Vec<String>,
}

/// What a GRANT or REVOKE is on.
#[derive(Debug, Clone, PartialEq)]
pub enum GrantTarget {
    /// Tables and views, by name.
    Relations(Vec<String>),
    Sequences(Vec<String>),
    /// Schemas, by name.
    Schema(Vec<String>),
}
