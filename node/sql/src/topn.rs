//! A LIMIT over a sort moves below a join that keeps every row of one side.
//!
//! ```text
//! Limit n [offset m]                          Limit n
//!   Sort [keys over L's columns]                Sort [keys]
//!     Project ...                                 Project ...
//!       Join LEFT L.a = R.k           =>            Join LEFT L.a = R.k
//!         L                                           Limit n offset m
//!         R (unique on k)                               Sort [keys, over L's row]
//!                                                         L
//!                                                       R
//! ```
//!
//! Paging through a join (`ORDER BY o.id DESC LIMIT 20` over orders joined to their customers)
//! would otherwise join every row and sort the result for its first 20. When every row of the
//! sorted side L appears in the join's result at least once, with its own values in the sort
//! keys, the result's first n rows in that order come from L's first n rows: the sort and limit
//! can run on L alone, and the join meets n rows (and the sort above it sorts their matches).
//! PostgreSQL gets the same from a nested loop under its Limit, driven by an ordered index scan
//! of L. Here the limited side's scan then becomes a key-ordered read of each worker's first
//! rows when the keys are its primary key's or an index's (`plan::top_scans`), and the other
//! side takes its few join keys as a semi-join filter, read by seeks on its owners
//! (`join_order::key_edges`).
//!
//! Every row of L appears at least once when:
//!
//! - the join is LEFT (L its left side; RIGHT, its right): ON conditions beyond the keys only
//!   turn matches into NULLs, never drop L's row;
//! - or the join is INNER without conditions beyond its equalities, L's key columns are a
//!   FOREIGN KEY of a table under L (traced through filters, projections, inner joins and the
//!   preserved side of outer joins) that is NOT NULL in every column and not deferrable, and the
//!   other side is a whole-table scan of the referenced table without a filter: every row of L
//!   then has its one parent row there (the foreign key's checks lock the parent row until the
//!   referencing transaction ends, so no snapshot sees a child without its parent).
//!
//! It appears exactly once when, besides, the other side has at most one row per key (a
//! foreign key's parent; a scan, possibly under filters, whose plain-column keys cover its
//! table's primary key or a unique index on plain columns without a predicate). Then OFFSET m
//! moves down with the limit: the join passes rows m+1 .. m+n of L, and the limit above takes
//! them all. Otherwise a row of L may fill several places, so L's limit is n + m and the
//! offset stays above (a constant sum only). The limit and offset must be constants or
//! parameters, which give the same value when read twice. Only projections of plain columns may
//! stand between the sort and the join (a filter above the join could drop rows after the
//! limit). The rewrite repeats down a chain of such joins (orders to customers to nations).

use std::borrow::Cow;

use crate::catalog::TableDef;
use crate::expr::Expr;
use crate::plan::{scan_column, Access, JoinKind, Rel, SortKey};
use crate::types::Value;

/// `rel` with every LIMIT of the shape above moved below its join (inputs first); borrowed when
/// none is.
pub fn rewritten(rel: &Rel) -> Cow<'_, Rel> {
    crate::plan::rewrite_nodes(rel, &|rel| pushed_side(rel).is_some(), &push)
}

/// Which side of which join a limit moves to: the number of projections between the sort and
/// the join, whether it is the left side, the sort keys over that side's row, and the limit
/// and offset it takes there (the offset moves when the side's rows appear exactly once; else
/// the limit there is LIMIT + OFFSET, and the offset stays above).
struct Pushed {
    depth: usize,
    left: bool,
    keys: Vec<SortKey>,
    limit: Expr,
    offset: Option<Expr>,
}

/// Moves `rel`'s limit below its join when it has the shape of the module doc, then again below
/// the joins of the side it moved to.
fn push(rel: &mut Rel) {
    let Some(Pushed {
        depth,
        left,
        keys,
        limit,
        offset,
    }) = pushed_side(rel)
    else {
        return;
    };
    let Rel::Limit {
        input,
        offset: outer_offset,
        ..
    } = rel
    else {
        return;
    };
    if offset.is_some() {
        *outer_offset = None;
    }
    let Rel::Sort { input: sorted, .. } = input.as_mut() else {
        return;
    };
    let mut node = sorted.as_mut();
    for _ in 0..depth {
        let Rel::Project { input, .. } = node else {
            return;
        };
        node = input.as_mut();
    }
    let Rel::Join {
        left: l, right: r, ..
    } = node
    else {
        return;
    };
    let side = if left { l } else { r };
    let placeholder = Rel::Values {
        rows: Vec::new(),
        width: 0,
    };
    let input = std::mem::replace(side.as_mut(), placeholder);
    let mut limited = Rel::Limit {
        input: Box::new(Rel::Sort {
            input: Box::new(input),
            keys,
        }),
        limit: Some(limit),
        offset,
        ties: None,
    };
    push(&mut limited);
    **side = limited;
}

/// The side a limit at `rel` moves to, when `rel` has the shape of the module doc.
fn pushed_side(rel: &Rel) -> Option<Pushed> {
    let Rel::Limit {
        input,
        limit: Some(limit),
        offset,
        ties: None,
    } = rel
    else {
        return None;
    };
    let stable = |e: &Expr| matches!(e, Expr::Const(_) | Expr::Param(_));
    if !stable(limit) || !offset.as_ref().is_none_or(stable) {
        return None;
    }
    let Rel::Sort {
        input: sorted,
        keys,
    } = input.as_ref()
    else {
        return None;
    };
    // The sort keys as columns of the join's row, through the projections above it.
    let mut columns: Vec<usize> = keys.iter().map(|key| key.output).collect();
    let (node, depth) = crate::plan::below_projections(sorted, &mut columns)?;
    let Rel::Join {
        kind,
        left,
        right,
        keys: join_keys,
        on,
    } = node
    else {
        return None;
    };
    let (kind, left, right) = (*kind, left.as_ref(), right.as_ref());
    if join_keys.is_empty() || keys.is_empty() {
        return None;
    }
    let width = left.width();
    let on_left = if columns.iter().all(|&c| c < width) {
        true
    } else if columns.iter().all(|&c| c >= width) {
        false
    } else {
        return None;
    };
    // Already limited (the rewrite has run here).
    let (side, other) = if on_left {
        (left, right)
    } else {
        (right, left)
    };
    if matches!(side, Rel::Limit { .. }) {
        return None;
    }
    let pairs: Vec<(&Expr, &Expr)> = join_keys
        .iter()
        .map(|(l, r)| if on_left { (l, r) } else { (r, l) })
        .collect();
    // Every row of the side appears at least once (an outer join keeps it; an inner one finds
    // its parent), and exactly once when the other side is unique on the keys (as a foreign
    // key's parent is).
    let kept = matches!(
        (kind, on_left),
        (JoinKind::Left, true) | (JoinKind::Right, false)
    );
    let found = kind == JoinKind::Inner && on.is_empty() && references(side, other, &pairs);
    if !kept && !found {
        return None;
    }
    let once = found || unique_on(other, pairs.iter().map(|(_, o)| *o));
    let (limit, offset) = match offset {
        _ if once => (limit.clone(), offset.clone()),
        None => (limit.clone(), None),
        // The first LIMIT + OFFSET rows of the join come from as many rows of the side, or
        // fewer; a constant sum only (a parameter's is not known here).
        Some(Expr::Const(Value::Int(o))) => match limit {
            Expr::Const(Value::Int(l)) if *l >= 0 && *o >= 0 => {
                (Expr::Const(Value::Int(l.saturating_add(*o))), None)
            }
            _ => return None,
        },
        Some(_) => return None,
    };
    let shift = if on_left { 0 } else { width };
    let keys = keys
        .iter()
        .zip(&columns)
        .map(|(key, &c)| SortKey {
            output: c - shift,
            ..*key
        })
        .collect();
    Some(Pushed {
        depth,
        left: on_left,
        keys,
        limit,
        offset,
    })
}

/// Whether `rel` has at most one row per value of `exprs` (over its row): a scan, under filters
/// only, whose plain-column keys cover its primary key or a unique index on plain columns
/// without a predicate.
fn unique_on<'e>(rel: &Rel, exprs: impl Iterator<Item = &'e Expr>) -> bool {
    let mut scan = rel;
    while let Rel::Filter { input, .. } = scan {
        scan = input;
    }
    let Rel::Scan { table, .. } = scan else {
        return false;
    };
    let mut columns = Vec::new();
    for e in exprs {
        let Expr::Column(c) = e else {
            return false;
        };
        columns.push(scan_column(scan, *c));
    }
    let covers = |key: &[usize]| !key.is_empty() && key.iter().all(|c| columns.contains(c));
    covers(&table.primary_key)
        || table
            .indexes
            .iter()
            .any(|index| index.unique && !index.needs_binding() && covers(&index.columns))
}

/// Whether every row of `side` has exactly one partner in `parent` on `pairs` (side's
/// expression, parent's): the side's columns are a non-null, non-deferrable foreign key of one
/// table under it, and `parent` reads the referenced table whole.
fn references(side: &Rel, parent: &Rel, pairs: &[(&Expr, &Expr)]) -> bool {
    let Rel::Scan {
        table: parent_table,
        access: Access::Scan,
        filter: None,
        ..
    } = parent
    else {
        return false;
    };
    // Each pair as (the child's table and column, the parent's table column).
    let mut traced: Vec<(&TableDef, usize, usize)> = Vec::new();
    for (s, p) in pairs {
        let (Expr::Column(s), Expr::Column(p)) = (s, p) else {
            return false;
        };
        // The child's column on every row of the side, never NULL padded.
        let Some((scan @ Rel::Scan { table, .. }, c)) = crate::plan::column_source(side, *s, false)
        else {
            return false;
        };
        traced.push((table, scan_column(scan, c), scan_column(parent, *p)));
    }
    let Some(&(child, ..)) = traced.first() else {
        return false;
    };
    if traced.iter().any(|(t, ..)| !std::ptr::eq(*t, child)) {
        return false;
    }
    child.foreign_keys.iter().any(|fk| {
        fk.parent == parent_table.id
            && !fk.deferrable
            && fk.columns.iter().all(|&c| child.columns[c].not_null)
            && fk.columns.iter().zip(&fk.parent_columns).all(|(&c, &p)| {
                traced.iter().any(|&(_, child_column, parent_column)| {
                    child_column == c && parent_column == p
                })
            })
    })
}
