//! Bound statements ("plans") as the executor runs them.
//!
//! A plan is built once per prepared statement against one catalog version and is immutable; it is
//! shared (`Arc`) between executions and sent, in parts, to the workers that own the rows.
//! Single-table access is either a point lookup on the row key, routed to the one worker owning the
//! key's vshard, or a scan fanned out to every worker with the filter pushed down.

use std::sync::Arc;

use crate::catalog::TableDef;
use crate::expr::{AggCall, Expr};
use crate::types::DataType;

/// A result column.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputColumn {
    pub name: String,
    pub ty: DataType,
    /// (table id, 1-based column number) when the column comes straight from a table.
    pub source: Option<(u64, i16)>,
}

/// How a statement reaches a table's rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Key column values in key order (they do not read the row).
    Key(Vec<Expr>),
    /// Entries of a secondary index: equal to `eq` on the index's leading columns, then optionally
    /// within `lower`/`upper` (value, inclusive) on the next column. The rows found are a superset
    /// of the matches: the filter still runs on every row.
    Index {
        index: crate::catalog::IndexDef,
        eq: Vec<Expr>,
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
    },
    /// Every row on every worker.
    Scan,
}

/// GROUP BY / aggregate part of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub keys: Vec<Expr>,
    pub aggs: Vec<AggCall>,
    pub having: Option<Expr>,
}

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

/// `SELECT ... FOR UPDATE | FOR SHARE [NOWAIT | SKIP LOCKED]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowLocking {
    /// FOR UPDATE (else FOR SHARE: other sharers are welcome, writers wait).
    pub exclusive: bool,
    pub wait: LockWait,
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
    /// Each row has one expression per table column, already cast to the column's type.
    pub rows: Vec<Vec<Expr>>,
    pub returning: Option<Returning>,
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

/// A bound statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Select(Arc<SelectPlan>),
    Insert(Arc<InsertPlan>),
    Update(Arc<UpdatePlan>),
    Delete(Arc<DeletePlan>),
    CreateTable {
        table: TableDef,
        if_not_exists: bool,
    },
    DropTables {
        names: Vec<(String, Option<usize>)>,
        if_exists: bool,
    },
    Truncate {
        tables: Vec<Arc<TableDef>>,
    },
    AddPrimaryKey {
        table: Arc<TableDef>,
        columns: Vec<usize>,
        name: Option<String>,
    },
    CreateIndex {
        table: Arc<TableDef>,
        /// None: PostgreSQL's default name (`<table>_<columns>_idx`).
        name: Option<String>,
        columns: Vec<usize>,
        unique: bool,
        if_not_exists: bool,
    },
    DropIndexes {
        names: Vec<String>,
        if_exists: bool,
    },
}

impl Plan {
    /// The result columns a client sees (empty for statements without rows).
    pub fn columns(&self) -> &[OutputColumn] {
        match self {
            Plan::Select(select) => &select.columns,
            Plan::Insert(insert) => insert.returning.as_ref().map_or(&[], |r| &r.columns),
            Plan::Update(update) => update.returning.as_ref().map_or(&[], |r| &r.columns),
            Plan::Delete(delete) => delete.returning.as_ref().map_or(&[], |r| &r.columns),
            _ => &[],
        }
    }

    /// The command a read-only transaction may not run, as PostgreSQL names it in the error.
    pub fn write_command(&self) -> Option<&'static str> {
        Some(match self {
            Plan::Select(select) if select.locking.is_some() => "SELECT FOR UPDATE",
            Plan::Select(_) => return None,
            Plan::Insert(_) => "INSERT",
            Plan::Update(_) => "UPDATE",
            Plan::Delete(_) => "DELETE",
            Plan::CreateTable { .. } => "CREATE TABLE",
            Plan::DropTables { .. } => "DROP TABLE",
            Plan::Truncate { .. } => "TRUNCATE TABLE",
            Plan::AddPrimaryKey { .. } => "ALTER TABLE",
            Plan::CreateIndex { .. } => "CREATE INDEX",
            Plan::DropIndexes { .. } => "DROP INDEX",
        })
    }

    /// Whether the statement changes the catalog (not allowed inside a transaction block yet).
    pub fn is_ddl(&self) -> bool {
        matches!(
            self,
            Plan::CreateTable { .. }
                | Plan::DropTables { .. }
                | Plan::AddPrimaryKey { .. }
                | Plan::CreateIndex { .. }
                | Plan::DropIndexes { .. }
        )
    }
}
