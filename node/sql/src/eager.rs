//! Eager aggregation: an aggregate over a join, grouped by a key of the join's left table and
//! aggregating only the right side, aggregates the right side first.
//!
//! ```text
//! Aggregate [keys ⊇ L's primary key] [aggs over R]      Project [keys, agg columns]
//!   Join LEFT|INNER L.a = R.b               =>            Join LEFT|INNER L.a = R'.b
//!     Scan L                                                Scan L
//!     R                                                     Aggregate R' [b] [aggs]
//! ```
//!
//! Grouped by the left table's primary key, each group is one left row and the right rows that
//! join it, which are exactly the right rows whose join columns equal that row's: the right
//! side grouped by its join columns has, in its one row that joins the left row, the group's
//! aggregates. A left row without a match keeps NULLs there, which is what an aggregate over
//! only NULLs gives, except `count`, which gives 0 (a COALESCE puts it back). So the join meets
//! one row per distinct right key instead of every right row, the right side's aggregate runs
//! on the workers beside its scan (`query::pushable_aggregate`), and the grouping above the
//! join disappears. TPC-H Q13 (customers left join their 1.5 million orders, counted per
//! customer) is this shape; PostgreSQL does not rewrite it (it joins, then aggregates).
//!
//! The rewrite applies only where it cannot change a row: the join is LEFT or INNER with only
//! equality keys (no residual condition, which could read the left row), every join key is a
//! plain column on each side, the group keys are plain left columns that include the left
//! scan's whole primary key, and every aggregate is a mergeable one without DISTINCT whose
//! argument and FILTER read only right columns (`count(*)` counts left rows too, so it stays).

use std::borrow::Cow;

use crate::expr::{AggFunc, Expr, Func};
use crate::plan::{JoinKind, Rel};
use crate::types::Value;

/// `rel` with every aggregate of the shape above rewritten (inputs first); borrowed when none is.
pub fn rewritten(rel: &Rel) -> Cow<'_, Rel> {
    let rewrite = |rel: &mut Rel| {
        if let Some(rewritten) = eager(rel) {
            *rel = rewritten;
        }
    };
    match crate::plan::rewrite_nodes(rel, &|rel| eager(rel).is_some(), &rewrite) {
        // The nodes above an aggregate name its outputs `Group(i)` / `Agg(i)`, which read
        // position i of the row as `Column(i)` does; column pruning (`crate::prune`) follows
        // only `Column`, so above a rewritten aggregate, now a projection it may narrow, they
        // become columns.
        Cow::Owned(rel) => Cow::Owned(rel.map_exprs(&mut as_columns)),
        borrowed => borrowed,
    }
}

/// `expr` with `Group(i)` and `Agg(i)` as `Column(i)` (the same value).
pub(crate) fn as_columns(expr: Expr) -> Expr {
    match expr {
        Expr::Group(i) | Expr::Agg(i) => Expr::Column(i),
        other => other
            .try_map::<std::convert::Infallible>(&mut |e| Ok(as_columns(e)))
            .unwrap_or_else(|never| match never {}),
    }
}

/// The rewritten node, when `rel` is an aggregate of the shape in the module doc.
fn eager(rel: &Rel) -> Option<Rel> {
    let Rel::Aggregate { input, keys, aggs } = rel else {
        return None;
    };
    let Rel::Join {
        kind: kind @ (JoinKind::Left | JoinKind::Inner),
        left,
        right,
        keys: join_keys,
        on,
    } = input.as_ref()
    else {
        return None;
    };
    let Rel::Scan {
        table,
        project: None,
        ..
    } = left.as_ref()
    else {
        return None;
    };
    let width = left.width();
    let group_columns: Vec<usize> = keys
        .iter()
        .map(|key| match key {
            Expr::Column(c) if *c < width => Some(*c),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let unique = !table.primary_key.is_empty()
        && table.primary_key.iter().all(|c| group_columns.contains(c));
    if !unique || !on.is_empty() || join_keys.is_empty() {
        return None;
    }
    let right_columns: Vec<usize> = join_keys
        .iter()
        .map(|(l, r)| match (l, r) {
            (Expr::Column(_), Expr::Column(r)) => Some(*r),
            _ => None,
        })
        .collect::<Option<_>>()?;
    // Aggregates of right columns only, renumbered to the right side's row.
    let reads_right_only = |expr: &Expr| {
        let mut columns = Vec::new();
        expr.columns(&mut columns);
        expr.is_local() && columns.iter().all(|&c| c >= width)
    };
    let mut right_aggs = Vec::with_capacity(aggs.len());
    for call in aggs {
        let supported = matches!(
            call.func,
            AggFunc::Count
                | AggFunc::Sum
                | AggFunc::Avg
                | AggFunc::Min
                | AggFunc::Max
                | AggFunc::Bool(_)
        );
        let arg_ok = call.arg.as_ref().is_some_and(reads_right_only);
        let filter_ok = call.filter.as_ref().is_none_or(reads_right_only);
        if !supported || call.distinct || !arg_ok || !filter_ok {
            return None;
        }
        let shift = |e: &Expr| e.clone().remap_columns(&|c| c - width);
        let mut call = call.clone();
        call.arg = call.arg.as_ref().map(shift);
        call.filter = call.filter.as_ref().map(shift);
        right_aggs.push(call);
    }
    let pre = Rel::Aggregate {
        input: right.clone(),
        keys: right_columns.iter().map(|&c| Expr::Column(c)).collect(),
        aggs: right_aggs,
    };
    let joined = Rel::Join {
        kind: *kind,
        left: left.clone(),
        right: Box::new(pre),
        keys: join_keys
            .iter()
            .enumerate()
            .map(|(i, (l, _))| (l.clone(), Expr::Column(i)))
            .collect(),
        on: Vec::new(),
    };
    // The group keys as they were, then each aggregate from the joined row (a count of no
    // rows is 0, not NULL).
    let first = width + right_columns.len();
    let mut exprs = keys.clone();
    for (i, call) in aggs.iter().enumerate() {
        let value = Expr::Column(first + i);
        exprs.push(match call.func {
            AggFunc::Count => Expr::Func(Func::Coalesce, vec![value, Expr::Const(Value::Int(0))]),
            _ => value,
        });
    }
    Some(Rel::Project {
        input: Box::new(joined),
        exprs,
    })
}
