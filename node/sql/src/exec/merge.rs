//! MERGE's execution. The binder's query (see `bind/merge.rs`) yields each row of the target
//! joined with the source and the WHEN clause the row takes; each clause's action then runs
//! over its rows as the statement it stands for runs: UPDATE and DELETE by the target rows'
//! keys (`Plan::WriteFromQuery` over the rows, so that a new primary key moves the row as
//! UPDATE does, and the foreign keys act), INSERT of the clause's values (`Plan::Insert` over
//! the rows: defaults, identity columns, checks and unique keys as INSERT's). The clauses run
//! in their order, each over all its rows; PostgreSQL acts row by row in the join's order,
//! which only differs where one clause's writes would make another's fail.
//!
//! A target row that two source rows would update or delete is PostgreSQL's 21000, found
//! before anything is written. The source is read under the statement's snapshot, so rows
//! the statement inserts are never matched.

use std::collections::HashSet;
use std::sync::Arc;

use super::{primary_key_of, tag_count, Cancel, Cluster, QueryResult, Session};
use crate::error::{code, SqlError, SqlResult};
use crate::expr::Expr;
use crate::fragment::Tx;
use crate::plan::{ConstantRows, InsertPlan, MergeAction, MergePlan, Plan, Rel, WriteFromQuery};
use crate::types::Value;

impl Session {
    pub(super) async fn run_merge<C: Cluster>(
        &mut self,
        cluster: &C,
        merge: &MergePlan,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let table = &merge.table;
        let found = self
            .query_rows(cluster, &merge.rel, params, txn, now, cancel)
            .await?;
        let joined = found.len() as u64;
        let mut taken: Vec<Vec<Vec<Value>>> = vec![Vec::new(); merge.actions.len()];
        let mut changed: HashSet<Vec<u8>> = HashSet::new();
        for row in found {
            let clause = match row.last() {
                Some(Value::Int(k)) if *k > 0 => *k as usize - 1,
                _ => continue,
            };
            let changes = matches!(
                merge.actions[clause],
                MergeAction::Update(_) | MergeAction::Delete
            );
            if changes && !changed.insert(target_key(table, &row)) {
                return Err(SqlError::new(
                    code::CARDINALITY_VIOLATION,
                    "MERGE command cannot affect row a second time",
                )
                .with_hint(
                    "Ensure that not more than one source row matches any one target row.",
                ));
            }
            taken[clause].push(row);
        }
        // Rows inserted, updated, deleted (EXPLAIN ANALYZE's counts).
        let mut counts = [0u64; 3];
        for (action, rows) in merge.actions.iter().zip(taken) {
            let Some(width) = rows.first().map(Vec::len) else {
                continue;
            };
            let rows = Rel::Constants {
                rows: ConstantRows(vec![Arc::new(rows)]),
                width,
            };
            let kind = match action {
                MergeAction::Nothing => continue,
                MergeAction::Insert(_) => 0,
                MergeAction::Update(_) => 1,
                MergeAction::Delete => 2,
            };
            let plan = match action {
                MergeAction::Nothing => continue,
                MergeAction::Delete | MergeAction::Update(_) => {
                    let assignments = match action {
                        MergeAction::Update(assignments) => &assignments[..],
                        _ => &[],
                    };
                    let keys: Vec<Expr> = match table.primary_key.is_empty() {
                        true => vec![Expr::Column(width - 2)],
                        false => table.primary_key.iter().map(|&c| Expr::Column(c)).collect(),
                    };
                    let values = assignments.iter().map(|(_, value)| value.clone());
                    Plan::WriteFromQuery(Arc::new(WriteFromQuery {
                        table: table.clone(),
                        rel: Rel::Project {
                            input: Box::new(rows),
                            exprs: keys.into_iter().chain(values).collect(),
                        },
                        columns: assignments.iter().map(|(c, _)| *c).collect(),
                        returning: None,
                    }))
                }
                MergeAction::Insert(values) => {
                    // Values the session computes itself, or a query's (subqueries, sequences).
                    let (values, source) = if values.iter().all(Expr::is_local) {
                        (values.clone(), rows)
                    } else {
                        let columns = (0..table.columns.len()).map(Expr::Column).collect();
                        let source = Rel::Project {
                            input: Box::new(rows),
                            exprs: values.clone(),
                        };
                        (columns, source)
                    };
                    Plan::Insert(Arc::new(InsertPlan {
                        table: table.clone(),
                        rows: vec![values],
                        source: Some(source),
                        returning: None,
                        on_conflict: None,
                    }))
                }
            };
            let result = Box::pin(self.run_plan(cluster, &plan, params, txn, now, cancel)).await?;
            counts[kind] += tag_count(&result.tag).unwrap_or(0);
        }
        let count: u64 = counts.iter().sum();
        if let Some(instrument) = &mut self.instrument {
            let [inserted, updated, deleted] = counts;
            instrument.merged = Some([inserted, updated, deleted, joined - count]);
        }
        Ok(QueryResult {
            tag: format!("MERGE {count}"),
            ..Default::default()
        })
    }
}

/// The storage key of the target row a row of MERGE's query names: its primary key, or the row
/// key it carries before the clause number (see [`MergePlan`]).
fn target_key(table: &crate::catalog::TableDef, row: &[Value]) -> Vec<u8> {
    if !table.primary_key.is_empty() {
        return primary_key_of(table, row);
    }
    match row.len().checked_sub(2).map(|at| &row[at]) {
        Some(Value::Bytes(key)) => key.clone(),
        _ => Vec::new(),
    }
}
