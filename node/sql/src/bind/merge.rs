//! Binding of MERGE (PostgreSQL 15's: WHEN [NOT] MATCHED [AND condition] THEN UPDATE, DELETE,
//! INSERT or DO NOTHING) into one query and an action per WHEN clause.
//!
//! The query joins the target table with the source: an inner join when every clause is WHEN
//! MATCHED, else a right join that keeps each source row (the target's columns come first, as
//! the clauses' expressions see them, so a source row that matches nothing has NULLs there). A
//! row is matched when the target's first primary key column is not NULL, which a key column
//! never is (a table without a key tests the row key its scan returns after its columns,
//! [`crate::catalog::TableDef::row_key_column`], which also names the row to update or delete).
//! Each joined row ends with the number of the clause it takes: one CASE whose
//! branches are the clauses in order, each `matched AND condition` (or `NOT matched AND
//! condition`), so that a row takes the first clause of its kind whose condition holds, as
//! PostgreSQL's ExecMerge does. The actions' expressions (SET values, INSERT values) are
//! computed later over their own rows only (see `Session::run_merge`), so a value that would
//! fail for a row another clause took is never computed.
//!
//! WHEN NOT MATCHED clauses see only the source: naming the target there is PostgreSQL's
//! error, with its hint. The clauses' kinds and actions come from the statement's text
//! ([`crate::parse::merge_clauses`]), as sqlparser reads neither DO NOTHING, INSERT DEFAULT
//! VALUES nor OVERRIDING.

use sqlparser::ast::{self, Spanned};

use super::{Binder, Scope};
use crate::catalog::{PRIV_DELETE, PRIV_INSERT, PRIV_UPDATE};
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{BinOp, Expr};
use crate::parse::MergeVerb;
use crate::plan::{Access, JoinKind, MergeAction, MergePlan, Plan, Rel};
use crate::types::Value;

impl Binder<'_> {
    pub(super) fn bind_merge(
        &mut self,
        target: &ast::TableFactor,
        source: &ast::TableFactor,
        on: &ast::Expr,
        clauses: &[ast::MergeClause],
    ) -> SqlResult<Plan> {
        let internal = || {
            SqlError::new(
                code::INTERNAL_ERROR,
                "MERGE's WHEN clauses differ from its text's",
            )
        };
        let written = match crate::parse::merge_clauses(self.text) {
            Some(Ok((written, _))) if written.len() == clauses.len() => written,
            _ => return Err(internal()),
        };
        // As PostgreSQL, before anything else: a clause after one of its kind without a
        // condition could never be taken.
        for kind in [true, false] {
            let mut unconditional = false;
            for when in written.iter().filter(|when| when.matched == kind) {
                if unconditional {
                    return Err(SqlError::syntax(
                        "unreachable WHEN clause specified after unconditional WHEN clause",
                    ));
                }
                unconditional |= !when.condition;
            }
        }
        let refused = |name: &str, kinds: &str| {
            let message = format!(
                "cannot execute MERGE on relation \"{}\"",
                crate::catalog::relname(name)
            );
            crate::catalog::not_supported_for(message, kinds)
        };
        if let Some((view, _)) = self.view_factor(target)? {
            return Err(refused(&view.name, "views"));
        }
        let (table, alias) = self.table_factor(target)?;
        if table.matview.is_some() {
            return Err(refused(&table.name, "materialized views"));
        }
        let table = self.write_target(table)?;
        let item = ast::TableWithJoins {
            relation: source.clone(),
            joins: Vec::new(),
        };
        let (scope, source_rel) =
            self.write_scope(&table, alias.clone(), std::slice::from_ref(&item))?;
        let source_rel = source_rel.ok_or_else(internal)?;
        if scope.rels[1..].iter().any(|rel| rel.alias == alias) {
            return Err(SqlError::new(
                code::DUPLICATE_ALIAS,
                format!("name \"{alias}\" specified more than once"),
            )
            .with_detail("The name is used both as MERGE target table and data source."));
        }
        let on = self.bind_predicate(on, &scope, "JOIN/ON")?;
        let mut conjuncts = Vec::new();
        crate::planner::conjuncts(on, &mut conjuncts);
        let source_scope = Scope {
            rels: scope.rels[1..].to_vec(),
            outer: None,
        };
        // Each clause's condition (None: always), its kind the clause's.
        let mut conditions = Vec::new();
        let mut actions = Vec::new();
        for (when, clause) in written.iter().zip(clauses) {
            let scope = if when.matched { &scope } else { &source_scope };
            let condition = match (&clause.predicate, when.condition) {
                (Some(condition), true) => Some(
                    self.bind_predicate(condition, scope, "WHEN")
                        .map_err(|error| target_named(error, when.matched, &table, &alias))?,
                ),
                _ => None,
            };
            conditions.push(condition);
            let action = match (when.action, &clause.action) {
                (MergeVerb::Nothing, _) => MergeAction::Nothing,
                (MergeVerb::Delete, _) => {
                    self.require(&table, PRIV_DELETE)?;
                    MergeAction::Delete
                }
                (MergeVerb::Update, ast::MergeAction::Update { assignments }) => {
                    let bound = self.bind_assignments(&table, assignments, scope)?;
                    let assigned: Vec<usize> = bound.iter().map(|(c, _)| *c).collect();
                    self.require_columns(&table, PRIV_UPDATE, &assigned)?;
                    MergeAction::Update(bound)
                }
                (
                    MergeVerb::Insert {
                        default_values: true,
                        ..
                    },
                    _,
                ) => {
                    self.require_columns(&table, PRIV_INSERT, &[])?;
                    MergeAction::Insert(self.defaults(&table)?)
                }
                (MergeVerb::Insert { overriding, .. }, ast::MergeAction::Insert(insert)) => {
                    let ast::MergeInsertKind::Values(values) = &insert.kind else {
                        return Err(internal());
                    };
                    // PostgreSQL's grammar takes one row.
                    if let Some(second) = values.rows.get(1) {
                        let at = second
                            .first()
                            .and_then(|value| self.pos_before(value.span(), ','));
                        return Err(SqlError::syntax("syntax error at or near \",\"").at(at));
                    }
                    let row = values.rows.first().ok_or_else(internal)?;
                    let targets = self.insert_targets(&table, &insert.columns)?;
                    let defaults = self.defaults(&table)?;
                    let listed = !insert.columns.is_empty();
                    let row = self
                        .values_row(&table, &targets, listed, row, scope, &defaults, overriding)
                        .map_err(|error| target_named(error, false, &table, &alias))?;
                    MergeAction::Insert(row)
                }
                _ => return Err(internal()),
            };
            actions.push(action);
        }
        // Whether a row matched: the target's first key column is not NULL; without a key, the
        // row key the target's scan returns after its columns (the source's then start one
        // further on).
        let width = table.columns.len();
        let keyless = table.primary_key.is_empty();
        let scan = Rel::Scan {
            table: table.clone(),
            alias,
            access: Access::Scan,
            filter: None,
            project: keyless.then(|| (0..=table.row_key_column()).collect()),
        };
        let marker = table.primary_key.first().copied().unwrap_or(width);
        let shift = |c: usize| {
            if c < width || !keyless {
                c
            } else {
                c + 1
            }
        };
        if keyless {
            conjuncts = (conjuncts.into_iter())
                .map(|c| c.remap_columns(&shift))
                .collect();
        }
        let branches = (written.iter().zip(conditions).enumerate())
            .map(|(k, (when, condition))| {
                let matched = Expr::IsNull(Box::new(Expr::Column(marker)), when.matched);
                let test = match condition {
                    Some(condition) => Expr::Binary(
                        BinOp::And,
                        Box::new(matched),
                        Box::new(condition.remap_columns(&shift)),
                    ),
                    None => matched,
                };
                (test, Expr::Const(Value::Int(k as i64 + 1)))
            })
            .collect();
        let on: Vec<Expr> = (conjuncts.iter())
            .filter(|c| c.recomputable())
            .cloned()
            .collect();
        let rel = if written.iter().any(|when| !when.matched) {
            let join = Rel::Join {
                kind: JoinKind::Right,
                left: Box::new(scan),
                right: Box::new(source_rel),
                keys: Vec::new(),
                on: conjuncts,
            };
            crate::planner::place(join, Vec::new())
        } else {
            let join = Rel::Join {
                kind: JoinKind::Inner,
                left: Box::new(scan),
                right: Box::new(source_rel),
                keys: Vec::new(),
                on: Vec::new(),
            };
            crate::planner::place(join, conjuncts)
        };
        let joined = rel.width() - usize::from(keyless);
        let mut exprs: Vec<Expr> = (0..joined).map(|c| Expr::Column(shift(c))).collect();
        if keyless {
            exprs.push(Expr::Column(marker));
        }
        let clause = Expr::Case(branches, Box::new(Expr::Const(Value::Int(0))));
        exprs.push(clause.clone());
        Ok(Plan::Merge(std::sync::Arc::new(MergePlan {
            table,
            rel: Rel::Project {
                input: Box::new(rel),
                exprs,
            },
            actions,
            on,
            clause,
        })))
    }
}

/// An error of a WHEN NOT MATCHED clause (which sees only the source) that names the target
/// table or one of its columns, in PostgreSQL's words: the name is there but may not be used.
fn target_named(
    error: SqlError,
    matched: bool,
    table: &crate::catalog::TableDef,
    alias: &str,
) -> SqlError {
    if matched {
        return error;
    }
    if error.code == code::UNDEFINED_TABLE
        && error.message == format!("missing FROM-clause entry for table \"{alias}\"")
    {
        let mut error = error.with_hint(format!(
            "There is an entry for table \"{alias}\", but it cannot be referenced from this part of the query."
        ));
        error.message = format!("invalid reference to FROM-clause entry for table \"{alias}\"");
        return error;
    }
    let column = (error.message.strip_prefix("column \""))
        .and_then(|rest| rest.strip_suffix("\" does not exist"))
        .filter(|name| table.column_index(name).is_some());
    match column {
        Some(name) if error.code == code::UNDEFINED_COLUMN && error.hint.is_none() => {
            let hint = format!(
                "There is a column named \"{name}\" in table \"{alias}\", but it cannot be referenced from this part of the query."
            );
            error.with_hint(hint)
        }
        _ => error,
    }
}
