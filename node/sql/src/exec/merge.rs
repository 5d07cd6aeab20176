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
//!
//! Under READ COMMITTED a target row a concurrent transaction changed after the snapshot is
//! left unwritten by its UPDATE or DELETE clause (its owner locks it and returns its newest
//! version: [`Changed::Return`]); once every clause has run, each such row takes its clause
//! again from the newest version ([`clause_again`], PostgreSQL 15's EvalPlanQual: still
//! matched while the join's conditions hold, else a source row that matches nothing) and the
//! new clauses run over them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{primary_key_of, tag_count, Cancel, Changed, Cluster, QueryResult, Row, Session};
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{EvalContext, Expr};
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
        let mut taken: Vec<Vec<Row>> = vec![Vec::new(); merge.actions.len()];
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
        // The first pass runs every clause over its rows; a target row changed since the
        // snapshot (READ COMMITTED) is left unwritten and locked, then takes its clause again from
        // its newest version (PostgreSQL's EvalPlanQual), and a second pass writes those rows.
        let mut pass = taken;
        let mut first = true;
        loop {
            let mut moved_on = Vec::new();
            let mut ran = Vec::with_capacity(pass.len());
            for (action, rows) in merge.actions.iter().zip(pass) {
                let rows = Arc::new(rows);
                let changed = match first {
                    true => Changed::Return(&mut moved_on),
                    false => Changed::Write,
                };
                self.merge_clause(
                    cluster,
                    merge,
                    action,
                    &rows,
                    changed,
                    &mut counts,
                    params,
                    txn,
                    now,
                    cancel,
                )
                .await?;
                ran.push(rows);
            }
            if moved_on.is_empty() {
                break;
            }
            pass = vec![Vec::new(); merge.actions.len()];
            let newest: HashMap<Vec<u8>, Option<Row>> = moved_on.into_iter().collect();
            let ctx = EvalContext::new(params, now);
            for row in ran.iter().flat_map(|rows| rows.iter()) {
                let key = target_key(table, row);
                if let Some(version) = newest.get(&key) {
                    let (clause, row) = clause_again(merge, row, version.as_deref(), &ctx)?;
                    if let Some(clause) = clause {
                        pass[clause].push(row);
                    }
                }
            }
            first = false;
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

    /// Runs one WHEN clause's `action` over its `rows` (rows of MERGE's query) as the statement
    /// it stands for, adding what it wrote to `counts` (inserted, updated, deleted).
    #[allow(clippy::too_many_arguments)]
    async fn merge_clause<C: Cluster>(
        &mut self,
        cluster: &C,
        merge: &MergePlan,
        action: &MergeAction,
        rows: &Arc<Vec<Row>>,
        changed: Changed<'_>,
        counts: &mut [u64; 3],
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        let table = &merge.table;
        let Some(width) = rows.first().map(Vec::len) else {
            return Ok(());
        };
        let rows = Rel::Constants {
            rows: ConstantRows(vec![rows.clone()]),
            width,
        };
        let (kind, result) = match action {
            MergeAction::Nothing => return Ok(()),
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
                let write = WriteFromQuery {
                    table: table.clone(),
                    rel: Rel::Project {
                        input: Box::new(rows),
                        exprs: keys.into_iter().chain(values).collect(),
                    },
                    columns: assignments.iter().map(|(c, _)| *c).collect(),
                    returning: None,
                    recheck: None,
                };
                let found = self
                    .query_rows(cluster, &write.rel, params, txn, now, cancel)
                    .await?;
                let ctx = EvalContext::new(params, now);
                let result = self
                    .write_found(cluster, &write, found, changed, params, txn, &ctx, cancel)
                    .await?;
                let kind = if matches!(action, MergeAction::Delete) {
                    2
                } else {
                    1
                };
                (kind, result)
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
                let plan = Plan::Insert(Arc::new(InsertPlan {
                    table: table.clone(),
                    rows: vec![values],
                    source: Some(source),
                    returning: None,
                    on_conflict: None,
                }));
                let result =
                    Box::pin(self.run_plan(cluster, &plan, params, txn, now, cancel)).await?;
                (0, result)
            }
        };
        counts[kind] += tag_count(&result.tag).unwrap_or(0);
        Ok(())
    }
}

/// The clause a row of MERGE's query takes again when its target row changed since the
/// snapshot (`newest`, None: deleted meanwhile), and the row as it then is: matched with the
/// newest version while the join's conditions still hold, else not matched (the target's
/// columns NULL), as PostgreSQL 15 goes on to the WHEN NOT MATCHED clauses. A clause chosen by
/// a subquery's value stays as it was while the row still matches (None when it no longer does).
fn clause_again(
    merge: &MergePlan,
    row: &[Value],
    newest: Option<&[Value]>,
    ctx: &EvalContext<'_>,
) -> SqlResult<(Option<usize>, Row)> {
    let table = &merge.table;
    let width = table.columns.len();
    let keyless = table.primary_key.is_empty();
    // The join's row: the row key (of a table without a primary key) after the target's columns.
    let mut joined = row[..row.len() - 1].to_vec();
    if keyless {
        let key = joined.pop().unwrap_or(Value::Null);
        joined.insert(width, key);
    }
    let mut matched = false;
    if let Some(newest) = newest {
        joined[..width].clone_from_slice(newest);
        matched = true;
        for condition in &merge.on {
            if !condition.is_true(&joined, ctx)? {
                matched = false;
                break;
            }
        }
    }
    if !matched {
        let target = if keyless { width + 1 } else { width };
        joined[..target].fill(Value::Null);
    }
    let clause = if merge.clause.recomputable() {
        match merge.clause.eval(&joined, ctx)? {
            Value::Int(k) if k > 0 => Some(k as usize - 1),
            _ => None,
        }
    } else {
        match (matched, row.last()) {
            (true, Some(Value::Int(k))) if *k > 0 => Some(*k as usize - 1),
            _ => None,
        }
    };
    if keyless {
        let key = joined.remove(width);
        joined.push(key);
    }
    joined.push(Value::Int(clause.map_or(0, |k| k as i64 + 1)));
    Ok((clause, joined))
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
