//! Materialized views, as PostgreSQL has them: a table whose rows are a stored query's
//! (`CREATE MATERIALIZED VIEW name [(columns)] [WITH (storage)] AS query [WITH [NO] DATA]`),
//! made again from the query by `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO]
//! DATA]`.
//!
//! The table is an ordinary one (`TableDef::matview` holds the query), so scans, indexes,
//! statistics and the planner treat it as any table. Its columns are what CREATE TABLE AS
//! would make of the query; the query is kept as a view's is (`Binder::bind_stored_query`),
//! so renaming a table or column it reads rewrites it, and dropping one is refused (or
//! cascades) while it stands. A REFRESH binds the query again as the view's text is bound
//! (the owner's privileges, the search path it was made under) and, in the refreshing
//! transaction, empties the table and writes the query's rows; WITH NO DATA empties it and
//! marks it unpopulated, and reading an unpopulated one is PostgreSQL's 55000. CONCURRENTLY
//! takes PostgreSQL's checks (a populated view with a unique index on plain columns and no
//! predicate); Keel's MVCC gives readers the old rows until the refresh commits either way.
//!
//! Writes other than REFRESH are refused as PostgreSQL refuses them: INSERT, UPDATE, DELETE
//! and MERGE "cannot change materialized view", TRUNCATE and DROP TABLE "is not a table",
//! COPY TO "cannot copy from materialized view" (COPY (SELECT ...) TO reads it).

use std::sync::Arc;

use sqlparser::ast::{self, CreateTableOptions, ObjectName, ViewColumnDef};

use super::{ident_name, storage_options, Binder};
use crate::catalog::{MatView, TableDef};
use crate::error::{code, SqlError, SqlResult};
use crate::plan::{Plan, QueryPlan};

impl Binder<'_> {
    /// `CREATE MATERIALIZED VIEW [IF NOT EXISTS] name [(columns)] [WITH (storage)] AS query
    /// [WITH [NO] DATA]`: a [`Plan::CreateTable`] of the query's columns, filled with its rows
    /// unless WITH NO DATA.
    pub(super) fn bind_create_matview(
        &mut self,
        name: &ObjectName,
        columns: &[ViewColumnDef],
        query: &ast::Query,
        options: &CreateTableOptions,
        if_not_exists: bool,
    ) -> SqlResult<Plan> {
        if writes_in_with(query) {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "materialized views must not use data-modifying statements in WITH",
            ));
        }
        let (rel, output, stored) = self.bind_stored_query(query)?;
        if self.reads_temp.get() {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "materialized views must not use temporary tables or views",
            ));
        }
        let (name, _) = self
            .create_name_in(name, false)
            .map_err(SqlError::unplaced)?;
        let names: Vec<String> = columns.iter().map(|c| ident_name(&c.name)).collect();
        let columns = self.query_table_columns(&output, &names)?;
        let populated = crate::parse::create_as_data(self.text);
        if populated {
            // Its query runs now: what it reads must be populated.
            for table in self.catalog.tables.values() {
                if stored.reads.contains(&table.id) {
                    self.require_populated(table)?;
                }
            }
        }
        let query = crate::catalog::ViewDef {
            name: name.clone(),
            columns: columns.iter().map(|c| c.name.clone()).collect(),
            types: columns.iter().map(|c| c.ty).collect(),
            ..stored
        };
        let mut table = TableDef {
            owner: Some(self.session.user.clone()),
            matview: Some(Box::new(MatView { query, populated })),
            ..TableDef::plain(0, name, columns)
        };
        if let CreateTableOptions::With(options) = options {
            storage_options::set_storage_options(&mut table, options)?;
        }
        Ok(Plan::CreateTable {
            table,
            if_not_exists,
            sequences: Vec::new(),
            source: Some(Arc::new(QueryPlan {
                rel,
                columns: output,
            })),
            with_data: populated,
            on_commit: None,
        })
    }

    /// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]` (`name` as Keel's
    /// parser reads it, with its offset): the owner only (42501), of a materialized view
    /// (42809 for another relation); CONCURRENTLY needs it populated (0A000) and a unique
    /// index on plain columns without a predicate (55000), and cannot go WITH NO DATA.
    pub fn bind_refresh(
        &mut self,
        (name, _): &(String, usize),
        concurrently: bool,
        data: bool,
    ) -> SqlResult<Plan> {
        let key = self
            .catalog
            .resolve_written(name, self.path(), &self.session.user);
        let Some(table) = self.catalog.tables.get(&key).cloned() else {
            if self.catalog.views.contains_key(&key) || self.catalog.relation_exists(&key) {
                return Err(crate::catalog::not_a(&key, "materialized view"));
            }
            return Err(SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            ));
        };
        let Some(matview) = table.matview() else {
            return Err(crate::catalog::not_a(&key, "materialized view"));
        };
        let user = &self.session.user;
        if !self.catalog.is_owner(table.owner.as_deref(), user) {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!(
                    "must be owner of materialized view {}",
                    crate::catalog::relname(&key)
                ),
            ));
        }
        if concurrently && !data {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "CONCURRENTLY and WITH NO DATA options cannot be used together",
            ));
        }
        if concurrently && !matview.populated {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "CONCURRENTLY cannot be used when the materialized view is not populated",
            ));
        }
        if concurrently
            && !table.indexes.iter().any(|index| {
                index.unique && index.predicate.is_none() && index.expressions.is_empty()
            })
        {
            let (schema, relation) = crate::catalog::split_name(&key);
            return Err(SqlError::new(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!("cannot refresh materialized view \"{schema}.{relation}\" concurrently"),
            )
            .with_hint(
                "Create a unique index with no WHERE clause on one or more columns of the materialized view.",
            ));
        }
        let lock = if concurrently {
            crate::locks::LockMode::Exclusive
        } else {
            crate::locks::LockMode::AccessExclusive
        };
        self.note_lock(table.id, lock);
        let source = if data {
            // Bound as a view's text is, with the owner's privileges and search path.
            let query = crate::catalog::ViewDef {
                owner: table.owner.clone(),
                ..matview.query.clone()
            };
            let (rel, columns) =
                self.with_stored_query(&query, |b, query| b.bind_query_rel(query, None))?;
            Some(Arc::new(QueryPlan { rel, columns }))
        } else {
            None
        };
        let table = self.bind_indexes(table)?;
        Ok(Plan::RefreshMatView {
            table,
            source,
            concurrently,
        })
    }

    /// `ALTER MATERIALIZED VIEW [IF EXISTS] name action` (`statement`, the ALTER TABLE Keel's
    /// parser reads it as): of a materialized view (42809 for another relation), bound as the
    /// ALTER TABLE and tagged as itself.
    pub(super) fn bind_alter_matview(
        &mut self,
        statement: &ast::Statement,
        name: &ObjectName,
        if_exists: bool,
    ) -> SqlResult<Plan> {
        const TAG: &str = "ALTER MATERIALIZED VIEW";
        let (key, _) = self.table_name(name)?;
        match self.catalog.tables.get(&key) {
            Some(table) if table.matview.is_some() => {}
            None if !self.catalog.relation_exists(&key)
                && !self.catalog.views.contains_key(&key) =>
            {
                if if_exists {
                    return Ok(super::skipped_relation(&name.to_string(), TAG));
                }
                return Err(SqlError::new(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{key}\" does not exist"),
                ));
            }
            _ => return Err(crate::catalog::not_a(&key, "materialized view")),
        }
        let mut plan = self.bind_statement(statement)?;
        if let Plan::AlterTable { tag, .. } | Plan::AlterOwner { tag, .. } = &mut plan {
            *tag = TAG;
        }
        Ok(plan)
    }

    /// INSERT, UPDATE or DELETE into `table`: PostgreSQL's 42809 for a materialized view.
    pub(super) fn refuse_matview_change(&self, table: &TableDef) -> SqlResult<()> {
        if table.matview.is_none() {
            return Ok(());
        }
        Err(SqlError::new(
            code::WRONG_OBJECT_TYPE,
            format!(
                "cannot change materialized view \"{}\"",
                crate::catalog::relname(&table.name)
            ),
        ))
    }

    /// Reading `table`: PostgreSQL's 55000 for a materialized view that is not populated (as
    /// the query runs: a view's or materialized view's query being stored may name one).
    pub(super) fn require_populated(&self, table: &TableDef) -> SqlResult<()> {
        if self.track_names.get() || self.plans_only.get() {
            return Ok(());
        }
        match table.matview() {
            Some(matview) if !matview.populated => Err(SqlError::new(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!(
                    "materialized view \"{}\" has not been populated",
                    crate::catalog::relname(&table.name)
                ),
            )
            .with_hint("Use the REFRESH MATERIALIZED VIEW command.")),
            _ => Ok(()),
        }
    }
}

/// ALTER TABLE of a materialized view: PostgreSQL's 42809 for the actions it takes on tables
/// only (renames, OWNER TO and storage parameters go on as for a table).
pub(super) fn alterable(
    table: &TableDef,
    operations: &[ast::AlterTableOperation],
) -> SqlResult<()> {
    use ast::{AlterColumnOperation as C, AlterTableOperation as A};
    for operation in operations {
        let action = match operation {
            A::AddColumn { .. } => "ADD COLUMN",
            A::DropColumn { .. } => "DROP COLUMN",
            A::AddConstraint { .. } => "ADD CONSTRAINT",
            A::DropConstraint { .. } => "DROP CONSTRAINT",
            A::ValidateConstraint { .. } => "VALIDATE CONSTRAINT",
            A::AlterColumn { op, .. } => match op {
                C::SetNotNull => "ALTER COLUMN ... SET NOT NULL",
                C::DropNotNull => "ALTER COLUMN ... DROP NOT NULL",
                C::SetDefault { .. } => "ALTER COLUMN ... SET DEFAULT",
                C::DropDefault => "ALTER COLUMN ... DROP DEFAULT",
                C::SetDataType { .. } => "ALTER COLUMN ... SET DATA TYPE",
                C::AddGenerated { .. } => "ALTER COLUMN ... ADD IDENTITY",
            },
            _ => continue,
        };
        let message = format!(
            "ALTER action {action} cannot be performed on relation \"{}\"",
            crate::catalog::relname(&table.name)
        );
        return Err(crate::catalog::not_supported_for(
            message,
            "materialized views",
        ));
    }
    Ok(())
}

/// Whether a query's WITH holds an INSERT, UPDATE or DELETE (at any depth of it).
fn writes_in_with(query: &ast::Query) -> bool {
    query.with.as_ref().is_some_and(|with| {
        with.cte_tables.iter().any(|cte| {
            matches!(
                *cte.query.body,
                ast::SetExpr::Insert(_) | ast::SetExpr::Update(_) | ast::SetExpr::Delete(_)
            ) || writes_in_with(&cte.query)
        })
    })
}
