//! Predicate placement and join order for the FROM clause of a query.
//!
//! The binder builds the FROM clause as written (comma-separated items are inner joins without a
//! condition) and hands the WHERE clause here as a list of conjuncts. [`place`] then:
//!
//! 1. flattens each region of inner joins into its leaves and the conjuncts of the region (its
//!    ON conditions and the WHERE conjuncts that reach it);
//! 2. pushes every conjunct that reads one leaf into that leaf: into a table scan's filter when it
//!    can run on a worker (which also picks the key or index access path), as a [`Rel::Lookup`]
//!    when it equates a column with a value from outside the row (a correlated subquery's outer
//!    reference), otherwise as a filter above the leaf;
//! 3. orders the leaves greedily: first the most selective-looking leaf (a key lookup, then an
//!    index range, then a filtered scan, then the rest), then always a leaf that an equality
//!    connects to what is joined so far, so no cross product appears unless the query asks for
//!    one. Each step is a hash join on the equalities between the joined set and the new leaf;
//!    the other conjuncts that become complete run as the join's residual condition;
//! 4. restores the written column order with a projection, so the rest of the query does not
//!    see the reordering.
//!
//! Outer joins are not reordered: WHERE conjuncts that read only the preserved side go below
//! them, ON conjuncts that read only the nullable side go into it, equalities across become the
//! hash keys, and the rest stays where it was written. But first an outer join that a condition
//! above it makes pointless becomes an inner one (PostgreSQL's reduce_outer_joins): a WHERE
//! conjunct, or a condition of the inner join region it is a leaf of, that is false or NULL
//! whenever the nullable side's columns are all NULL (`rejects_nulls`: `b.y = 3`, `b.y > a.x`,
//! `b.y IS NOT NULL`) drops every row the join pads, so `a LEFT JOIN b` is `a JOIN b` there, and
//! a FULL JOIN loses the padding of that side. The reduced join then joins its region: its
//! leaves are ordered with the others and their conditions pushed into them.
//!
//! At run time the executor orders long chains of inner joins again from the leaves' real row
//! counts (`crate::join_order`); row counts from ANALYZE will replace the ranking in step 3.

use crate::bind::key_access;
use crate::expr::{BinOp, Expr};
use crate::plan::{Access, JoinKind, Rel};

/// Splits a predicate into its AND-ed conjuncts. A conjunct that is an OR whose every branch
/// holds the same condition gives that condition as a conjunct of its own
/// (`(a AND b) OR (a AND c)` is `a AND (b OR c)`), so a join key written in each branch of an OR
/// still becomes a hash key.
/// Constant parts are computed first ([`Expr::fold_constants`]).
pub fn conjuncts(expr: Expr, out: &mut Vec<Expr>) {
    split_conjuncts(expr.fold_constants(), out)
}

fn split_conjuncts(expr: Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::Binary(BinOp::And, left, right) => {
            split_conjuncts(*left, out);
            split_conjuncts(*right, out);
        }
        Expr::Binary(BinOp::Or, ..) => out.extend(factor_or(expr)),
        other => out.push(other),
    }
}

/// The operands of a chain of `op` (AND or OR), flattened.
fn split(expr: Expr, op: BinOp, out: &mut Vec<Expr>) {
    match expr {
        Expr::Binary(found, left, right) if found == op => {
            split(*left, op, out);
            split(*right, op, out);
        }
        other => out.push(other),
    }
}

/// The conditions common to every branch of an OR, then the OR of what remains.
fn factor_or(expr: Expr) -> Vec<Expr> {
    let mut branches = Vec::new();
    split(expr.clone(), BinOp::Or, &mut branches);
    let split: Vec<Vec<Expr>> = branches
        .into_iter()
        .map(|branch| {
            let mut parts = Vec::new();
            split(branch, BinOp::And, &mut parts);
            parts
        })
        .collect();
    let common: Vec<Expr> = split[0]
        .iter()
        .filter(|part| split[1..].iter().all(|other| other.contains(part)))
        .cloned()
        .fold(Vec::new(), |mut acc, part| {
            if !acc.contains(&part) {
                acc.push(part);
            }
            acc
        });
    if common.is_empty() {
        return vec![expr];
    }
    let mut rest = Vec::new();
    for parts in split {
        let remaining: Vec<Expr> = parts.into_iter().filter(|p| !common.contains(p)).collect();
        match and_all(remaining) {
            Some(branch) => rest.push(branch),
            // A branch that is only the common conditions makes the OR true.
            None => return common,
        }
    }
    let or = rest
        .into_iter()
        .reduce(|a, b| Expr::Binary(BinOp::Or, Box::new(a), Box::new(b)))
        .expect("an OR has branches");
    let mut out = common;
    out.push(or);
    out
}

/// AND of `exprs` (None for none).
pub fn and_all(exprs: Vec<Expr>) -> Option<Expr> {
    exprs
        .into_iter()
        .reduce(|a, b| Expr::Binary(BinOp::And, Box::new(a), Box::new(b)))
}

fn columns_of(expr: &Expr) -> Vec<usize> {
    let mut columns = Vec::new();
    expr.columns(&mut columns);
    columns
}

fn shift(expr: Expr, by: usize) -> Expr {
    if by == 0 {
        expr
    } else {
        expr.remap_columns(&|c| c - by)
    }
}

fn filter(input: Rel, conjuncts: Vec<Expr>) -> Rel {
    match and_all(conjuncts) {
        Some(predicate) => Rel::Filter {
            input: Box::new(input),
            predicate,
        },
        None => input,
    }
}

/// Whether `expr` is NULL whenever every column in `range` is: a column of the range under
/// operators that give NULL for a NULL operand (comparisons, arithmetic, LIKE, regular
/// expressions, IN, casts; not `||`, which an array may not propagate NULL through, nor json
/// operators or function calls, left out to stay on the safe side).
fn null_when_null(expr: &Expr, range: &std::ops::Range<usize>) -> bool {
    let null = |e: &Expr| null_when_null(e, range);
    match expr {
        Expr::Column(c) => range.contains(c),
        Expr::Binary(BinOp::And | BinOp::Or, l, r) => null(l) && null(r),
        Expr::Binary(BinOp::Concat | BinOp::Json(..), ..) => false,
        Expr::Binary(_, l, r) => null(l) || null(r),
        Expr::Not(e) | Expr::Neg(e, _) | Expr::Cast(e, ..) | Expr::InList(e, ..) => null(e),
        Expr::Like { expr, pattern, .. } => null(expr) || null(pattern),
        _ => false,
    }
}

/// Whether the condition `expr` is false or NULL whenever every column in `range` is NULL: it
/// drops every row an outer join pads with NULLs on that side.
fn rejects_nulls(expr: &Expr, range: &std::ops::Range<usize>) -> bool {
    match expr {
        Expr::Binary(BinOp::And, l, r) => rejects_nulls(l, range) || rejects_nulls(r, range),
        Expr::Binary(BinOp::Or, l, r) => rejects_nulls(l, range) && rejects_nulls(r, range),
        Expr::IsNull(e, true) => null_when_null(e, range),
        Expr::Not(inner) => match &**inner {
            Expr::IsNull(e, false) => null_when_null(e, range),
            _ => null_when_null(inner, range),
        },
        _ => null_when_null(expr, range),
    }
}

/// What an outer join of `kind` whose left input has `left_width` of its `width` columns
/// (starting at column `offset` of the conditions' row) becomes under `conditions` that hold
/// above it ([`rejects_nulls`]).
fn reduced_kind<'e>(
    kind: JoinKind,
    (offset, left_width, width): (usize, usize, usize),
    conditions: impl Iterator<Item = &'e Expr> + Clone,
) -> JoinKind {
    let rejects =
        |range: &std::ops::Range<usize>| conditions.clone().any(|c| rejects_nulls(c, range));
    let left = offset..offset + left_width;
    let right = offset + left_width..offset + width;
    match kind {
        JoinKind::Left if rejects(&right) => JoinKind::Inner,
        JoinKind::Right if rejects(&left) => JoinKind::Inner,
        JoinKind::Full => match (rejects(&left), rejects(&right)) {
            (true, true) => JoinKind::Inner,
            (true, false) => JoinKind::Left,
            (false, true) => JoinKind::Right,
            (false, false) => JoinKind::Full,
        },
        kind => kind,
    }
}

/// Reduces the outer joins among an inner join region's leaves that the region's conditions
/// make pointless ([`reduced_kind`]); one that becomes inner is flattened into the region.
fn reduce_leaves(leaves: &mut Vec<Leaf>, conds: &mut Vec<Expr>) {
    let mut at = 0;
    while at < leaves.len() {
        let leaf = &leaves[at];
        let reduced = match &leaf.rel {
            Rel::Join {
                kind: kind @ (JoinKind::Left | JoinKind::Right | JoinKind::Full),
                left,
                ..
            } => {
                let shape = (leaf.offset, left.width(), leaf.width);
                Some(reduced_kind(*kind, shape, conds.iter())).filter(|k| k != kind)
            }
            _ => None,
        };
        let Some(reduced) = reduced else {
            at += 1;
            continue;
        };
        if let Rel::Join { kind, .. } = &mut leaves[at].rel {
            *kind = reduced;
        }
        if reduced == JoinKind::Inner {
            // Its leaves take its place, in order; the loop looks at them next.
            let leaf = leaves.remove(at);
            let mut flat = Vec::new();
            flatten_inner(leaf.rel, leaf.offset, &mut flat, conds);
            leaves.splice(at..at, flat);
        } else {
            at += 1;
        }
    }
}

/// Places `conjuncts` (over `rel`'s row) in and above `rel`; see the module docs.
pub fn place(rel: Rel, conjuncts: Vec<Expr>) -> Rel {
    match rel {
        Rel::Join {
            kind: JoinKind::Inner,
            ..
        } => {
            let mut leaves = Vec::new();
            let mut all = conjuncts;
            flatten_inner(rel, 0, &mut leaves, &mut all);
            reduce_leaves(&mut leaves, &mut all);
            join_leaves(leaves, all)
        }
        Rel::Join {
            kind,
            left,
            right,
            keys,
            on,
        } => {
            let left_width = left.width();
            let shape = (0, left_width, left_width + right.width());
            let reduced = reduced_kind(kind, shape, conjuncts.iter());
            if reduced != kind {
                let join = Rel::Join {
                    kind: reduced,
                    left,
                    right,
                    keys,
                    on,
                };
                return place(join, conjuncts);
            }
            let width = left_width + right.width();
            let in_left = |e: &Expr| columns_of(e).iter().all(|&c| c < left_width);
            let in_right = |e: &Expr| columns_of(e).iter().all(|&c| c >= left_width && c < width);
            let (mut left_conds, mut right_conds, mut above) = (Vec::new(), Vec::new(), Vec::new());
            for conjunct in conjuncts {
                let reads = !columns_of(&conjunct).is_empty();
                match kind {
                    JoinKind::Left if reads && in_left(&conjunct) => left_conds.push(conjunct),
                    JoinKind::Right if reads && in_right(&conjunct) => {
                        right_conds.push(shift(conjunct, left_width))
                    }
                    _ => above.push(conjunct),
                }
            }
            let mut residual = Vec::new();
            let mut keys = keys;
            for condition in on {
                let reads = !columns_of(&condition).is_empty();
                match kind {
                    JoinKind::Left if reads && in_right(&condition) => {
                        right_conds.push(shift(condition, left_width))
                    }
                    JoinKind::Right if reads && in_left(&condition) => left_conds.push(condition),
                    _ => match equi_key(&condition, 0..left_width, left_width..width) {
                        Some((l, r)) => keys.push((l, shift(r, left_width))),
                        None => residual.push(condition),
                    },
                }
            }
            let joined = Rel::Join {
                kind,
                left: Box::new(place(*left, left_conds)),
                right: Box::new(place(*right, right_conds)),
                keys,
                on: residual,
            };
            filter(joined, above)
        }
        Rel::Scan {
            table,
            alias,
            access: Access::Scan,
            filter: None,
            project: None,
        } => {
            let (local, rest): (Vec<Expr>, Vec<Expr>) =
                conjuncts.into_iter().partition(|c| c.is_local());
            let pushed = and_all(local);
            let access = pushed
                .as_ref()
                .map_or(Access::Scan, |f| key_access(&table, f));
            let scan = Rel::Scan {
                table,
                alias,
                access,
                filter: pushed.map(std::sync::Arc::new),
                project: None,
            };
            // Equalities with values from outside the row: a hash lookup per outer row.
            let (mut columns, mut probes, mut others) = (Vec::new(), Vec::new(), Vec::new());
            for conjunct in rest {
                match outer_equality(&conjunct) {
                    Some((column, probe)) => {
                        columns.push(column);
                        probes.push(probe);
                    }
                    None => others.push(conjunct),
                }
            }
            let rel = if columns.is_empty() {
                scan
            } else {
                Rel::Lookup {
                    input: Box::new(scan),
                    columns,
                    probes,
                }
            };
            filter(rel, others)
        }
        Rel::Apply {
            kind,
            left,
            right,
            on,
        } => {
            // Conditions on the left side's columns alone run below the apply.
            let left_width = left.width();
            let (below, above): (Vec<Expr>, Vec<Expr>) = conjuncts.into_iter().partition(|c| {
                let columns = columns_of(c);
                !columns.is_empty() && columns.iter().all(|&i| i < left_width)
            });
            let applied = Rel::Apply {
                kind,
                left: Box::new(place(*left, below)),
                right,
                on,
            };
            filter(applied, above)
        }
        other => filter(other, conjuncts),
    }
}

/// `column = value` where the value reads nothing of the row but is not a constant of the
/// statement either (an outer reference): the lookup's column and probe.
fn outer_equality(conjunct: &Expr) -> Option<(usize, Expr)> {
    let Expr::Binary(BinOp::Eq, left, right) = conjunct else {
        return None;
    };
    let probe_ok = |e: &Expr| !e.reads_row() && !e.is_local();
    match (left.as_ref(), right.as_ref()) {
        (Expr::Column(c), value) if probe_ok(value) => Some((*c, value.clone())),
        (value, Expr::Column(c)) if probe_ok(value) => Some((*c, value.clone())),
        _ => None,
    }
}

/// `l = r` with one side reading only `left` columns and the other only `right` ones (both
/// reading something, neither running a subquery): (left side, right side).
pub(crate) fn equi_key(
    condition: &Expr,
    left: std::ops::Range<usize>,
    right: std::ops::Range<usize>,
) -> Option<(Expr, Expr)> {
    let Expr::Binary(BinOp::Eq, a, b) = condition else {
        return None;
    };
    let within = |e: &Expr, range: &std::ops::Range<usize>| {
        let columns = columns_of(e);
        !columns.is_empty() && columns.iter().all(|c| range.contains(c)) && e.is_local()
    };
    if within(a, &left) && within(b, &right) {
        Some(((**a).clone(), (**b).clone()))
    } else if within(b, &left) && within(a, &right) {
        Some(((**b).clone(), (**a).clone()))
    } else {
        None
    }
}

/// A leaf of an inner-join region: its rel and where its columns sit in the region's row.
struct Leaf {
    rel: Rel,
    offset: usize,
    width: usize,
}

/// The conditions of an inner join whose left input starts at column `offset` of a region, over
/// the region's row: `on` as is, each hash key pair as an equality (the right side's columns
/// moved past the left input's `left_width`).
pub(crate) fn join_conditions(
    keys: Vec<(Expr, Expr)>,
    on: Vec<Expr>,
    left_width: usize,
    offset: usize,
    out: &mut Vec<Expr>,
) {
    let shift_up = |e: Expr| {
        if offset == 0 {
            e
        } else {
            e.remap_columns(&|c| c + offset)
        }
    };
    for condition in on {
        out.push(shift_up(condition));
    }
    for (l, r) in keys {
        let r = r.remap_columns(&|c| c + left_width);
        out.push(shift_up(Expr::Binary(BinOp::Eq, Box::new(l), Box::new(r))));
    }
}

fn flatten_inner(rel: Rel, offset: usize, leaves: &mut Vec<Leaf>, conds: &mut Vec<Expr>) {
    match rel {
        Rel::Join {
            kind: JoinKind::Inner,
            left,
            right,
            keys,
            on,
        } => {
            let left_width = left.width();
            join_conditions(keys, on, left_width, offset, conds);
            flatten_inner(*left, offset, leaves, conds);
            flatten_inner(*right, offset + left_width, leaves, conds);
        }
        other => {
            let width = other.width();
            leaves.push(Leaf {
                rel: other,
                offset,
                width,
            });
        }
    }
}

thread_local! {
    /// The statistics the statement being planned may use (see [`with_statistics`]).
    static STATISTICS: std::cell::RefCell<Option<crate::stats::Snapshot>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `plan` with `statistics` available to the join ordering of [`place`].
pub fn with_statistics<T>(statistics: &crate::stats::Snapshot, plan: impl FnOnce() -> T) -> T {
    let previous = STATISTICS.with(|s| s.replace(Some(statistics.clone())));
    let result = plan();
    STATISTICS.with(|s| *s.borrow_mut() = previous);
    result
}

/// The join order of a region's leaves estimated from ANALYZE statistics: each leaf a table scan
/// with statistics (rows x the selectivity of its filter), each equality between two leaves'
/// columns `1 / max(n_distinct)`. None when a leaf is not such a scan.
fn estimated_order(
    planned: &[(Rel, usize, usize)],
    multi: &[(Vec<usize>, Expr)],
) -> Option<Vec<usize>> {
    if planned.len() < 3 {
        return None;
    }
    let snapshot = STATISTICS.with(|s| s.borrow().clone())?;
    let ctx = crate::expr::EvalContext::new(&[], 0);
    let mut estimates = Vec::new();
    for (rel, ..) in planned {
        let Rel::Scan {
            table,
            access,
            filter,
            ..
        } = rel
        else {
            return None;
        };
        let stats = crate::stats::TableStats::of(&snapshot, table)?;
        // Whole keys: a row each at most (else, prefixes of keys too: as the filter says).
        let rows = access.most_rows(table).unwrap_or_else(|| {
            stats.reltuples
                * filter
                    .as_ref()
                    .map_or(1.0, |f| crate::stats::selectivity(&stats, f, &ctx))
        });
        estimates.push((rows.max(1.0), stats));
    }
    let chain = crate::join_order::Chain {
        leaves: planned.iter().map(|(rel, o, w)| (rel, *o, *w)).collect(),
        conds: multi.iter().map(|(_, cond)| cond.clone()).collect(),
        left_deep: true,
    };
    let order = crate::join_order::order_by(&chain, &|i| estimates[i].0, &mut |leaf, column| {
        let (rows, stats) = &estimates[leaf];
        stats.distinct(column).unwrap_or(*rows).min(*rows)
    });
    (order.len() == planned.len()).then_some(order)
}

/// How promising a planned leaf looks as the first of a join order (lower first).
fn rank(rel: &Rel) -> u8 {
    match rel {
        Rel::Scan {
            access: Access::Key(_),
            ..
        } => 0,
        Rel::Scan {
            access: Access::Index { .. } | Access::Keys { .. },
            ..
        } => 1,
        Rel::Lookup { .. } => 1,
        // An equality with a constant usually keeps few rows.
        Rel::Scan {
            filter: Some(filter),
            ..
        } if equates_constant(filter) => 2,
        Rel::Scan {
            filter: Some(_), ..
        } => 3,
        Rel::Filter { input, .. } => rank(input).min(3),
        Rel::Aggregate { .. } | Rel::Values { .. } | Rel::Constants { .. } => 2,
        _ => 4,
    }
}

/// Whether a filter holds `column = constant` (or `column IN (constants)`) among its conjuncts.
fn equates_constant(filter: &Expr) -> bool {
    match filter {
        Expr::Binary(BinOp::And, l, r) => equates_constant(l) || equates_constant(r),
        Expr::Binary(BinOp::Or, l, r) => equates_constant(l) && equates_constant(r),
        Expr::Binary(BinOp::Eq, l, r) => {
            (l.reads_row() && !r.reads_row()) || (r.reads_row() && !l.reads_row())
        }
        Expr::InList(inner, list, false, _) => {
            inner.reads_row() && list.iter().all(|e| !e.reads_row())
        }
        _ => false,
    }
}

/// The part of an OR that reads only columns in `range`: the OR of each branch's conjuncts that
/// do, when every branch has some (None otherwise, or when the OR reads only `range` already).
fn restrict_or(cond: &Expr, range: &std::ops::Range<usize>) -> Option<Expr> {
    let within = |e: &Expr| {
        let columns = columns_of(e);
        !columns.is_empty() && columns.iter().all(|c| range.contains(c)) && e.is_local()
    };
    if within(cond) {
        return None;
    }
    let mut branches = Vec::new();
    split(cond.clone(), BinOp::Or, &mut branches);
    let mut restricted = Vec::new();
    for branch in branches {
        let mut parts = Vec::new();
        split(branch, BinOp::And, &mut parts);
        let mine: Vec<Expr> = parts.into_iter().filter(|p| within(p)).collect();
        restricted.push(and_all(mine)?);
    }
    restricted
        .into_iter()
        .reduce(|a, b| Expr::Binary(BinOp::Or, Box::new(a), Box::new(b)))
}

/// The primary key columns (leaf-local) of a leaf that is a table's rows (possibly filtered).
fn primary_key(rel: &Rel) -> Option<Vec<usize>> {
    match rel {
        Rel::Scan { table, .. } if !table.primary_key.is_empty() => Some(table.primary_key.clone()),
        Rel::Filter { input, .. } | Rel::Lookup { input, .. } => primary_key(input),
        _ => None,
    }
}

/// Whether `columns` (region positions) include every column of `key` (leaf-local, at `offset`).
fn covers(key: &Option<Vec<usize>>, offset: usize, columns: &[usize]) -> bool {
    key.as_ref()
        .is_some_and(|key| key.iter().all(|k| columns.contains(&(offset + k))))
}

/// `column = column` conditions between leaf `i` and the joined leaves: (i's column, other's).
fn equal_columns(
    multi: &[(Vec<usize>, Expr)],
    i: usize,
    joined: &[usize],
    at: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    let inside = |c: usize, leaf: usize| c >= at[leaf].0 && c < at[leaf].0 + at[leaf].1;
    let mut pairs = Vec::new();
    for (touched, cond) in multi {
        if !touched.contains(&i) || !touched.iter().all(|t| *t == i || joined.contains(t)) {
            continue;
        }
        if let Expr::Binary(BinOp::Eq, l, r) = cond {
            if let (Expr::Column(a), Expr::Column(b)) = (l.as_ref(), r.as_ref()) {
                if inside(*a, i) && !inside(*b, i) {
                    pairs.push((*a, *b));
                } else if inside(*b, i) && !inside(*a, i) {
                    pairs.push((*b, *a));
                }
            }
        }
    }
    pairs
}

fn join_leaves(leaves: Vec<Leaf>, conds: Vec<Expr>) -> Rel {
    let leaf_of = |column: usize, leaves: &[Leaf]| {
        leaves
            .iter()
            .position(|l| column >= l.offset && column < l.offset + l.width)
            .expect("a region column belongs to a leaf")
    };
    // An OR across leaves also restricts each leaf that every branch restricts: PostgreSQL's
    // `(a.x = 1 AND b.y = 2) OR (a.x = 3 AND b.y = 4)` gives `a.x = 1 OR a.x = 3` to a's scan
    // (the OR itself still runs after the join).
    let mut conds = conds;
    let mut derived = Vec::new();
    for cond in &conds {
        if !matches!(cond, Expr::Binary(BinOp::Or, ..)) {
            continue;
        }
        for leaf in &leaves {
            let range = leaf.offset..leaf.offset + leaf.width;
            if let Some(restriction) = restrict_or(cond, &range) {
                if !conds.contains(&restriction) {
                    derived.push(restriction);
                }
            }
        }
    }
    conds.extend(derived);
    // Conjuncts by the leaves they read.
    let mut single: Vec<Vec<Expr>> = leaves.iter().map(|_| Vec::new()).collect();
    let mut multi: Vec<(Vec<usize>, Expr)> = Vec::new();
    let mut top = Vec::new();
    let mut late = Vec::new();
    for cond in conds {
        let mut touched: Vec<usize> = columns_of(&cond)
            .into_iter()
            .map(|c| leaf_of(c, &leaves))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        // Conditions that run a correlated subquery per row wait until the joins have cut the
        // rows down.
        // (A subquery that reads nothing of the row runs once: it may stay early.)
        let mut runs_subquery = false;
        cond.visit(&mut |e| {
            runs_subquery |=
                matches!(e, Expr::Subquery(sub) if !sub.reads.is_empty() || sub.reads_further)
        });
        match touched.as_slice() {
            [] => top.push(cond),
            _ if runs_subquery && leaves.len() > 1 => late.push(cond),
            [one] => {
                let offset = leaves[*one].offset;
                single[*one].push(shift(cond, offset));
            }
            _ => multi.push((touched, cond)),
        }
    }
    let planned: Vec<(Rel, usize, usize)> = leaves
        .into_iter()
        .zip(single)
        .map(|(leaf, conds)| (place(leaf.rel, conds), leaf.offset, leaf.width))
        .collect();
    let total: usize = planned.iter().map(|(_, _, w)| w).sum();
    let leaves_at: Vec<(usize, usize)> = planned.iter().map(|(_, o, w)| (*o, *w)).collect();
    let keys: Vec<Option<Vec<usize>>> = planned.iter().map(|(rel, ..)| primary_key(rel)).collect();
    let leaf_of = |column: usize, at: &[(usize, usize)]| {
        at.iter()
            .position(|(o, w)| column >= *o && column < o + w)
            .unwrap_or(usize::MAX)
    };
    // With statistics for every leaf's table: the order of fewest intermediate rows estimated
    // from them (`join_order::order_by`); else the greedy order below.
    let estimated = estimated_order(&planned, &multi);
    let mut remaining: Vec<usize> = (0..planned.len()).collect();
    let mut order: Vec<usize> = Vec::new();
    if let Some(estimated) = estimated {
        order = estimated;
        remaining.clear();
    }
    while !remaining.is_empty() {
        let connected = |i: usize| {
            multi.iter().any(|(touched, cond)| {
                touched.contains(&i)
                    && touched.iter().all(|t| *t == i || order.contains(t))
                    && matches!(cond, Expr::Binary(BinOp::Eq, ..))
            })
        };
        let candidates: Vec<usize> = if order.is_empty() {
            remaining.clone()
        } else {
            let linked: Vec<usize> = remaining
                .iter()
                .copied()
                .filter(|&i| connected(i))
                .collect();
            if linked.is_empty() {
                remaining.clone()
            } else {
                linked
            }
        };
        // Among connected leaves, first those joined on their own primary key (each row finds
        // at most one partner), then those whose key the joined side holds (a foreign key: the
        // rows fan out), last the many-to-many joins.
        let fit = |i: usize| -> u8 {
            if order.is_empty() {
                return 0;
            }
            let pairs = equal_columns(&multi, i, &order, &leaves_at);
            let own: Vec<usize> = pairs.iter().map(|(mine, _)| *mine).collect();
            if covers(&keys[i], leaves_at[i].0, &own) {
                return 0;
            }
            let joined_key = order.iter().any(|&j| {
                let theirs: Vec<usize> = pairs
                    .iter()
                    .filter(|(_, other)| leaf_of(*other, &leaves_at) == j)
                    .map(|(_, other)| *other)
                    .collect();
                covers(&keys[j], leaves_at[j].0, &theirs)
            });
            if joined_key {
                1
            } else {
                2
            }
        };
        let next = *candidates
            .iter()
            .min_by_key(|&&i| (fit(i), rank(&planned[i].0), i))
            .expect("candidates are not empty");
        remaining.retain(|&i| i != next);
        order.push(next);
    }
    // Build left-deep, tracking where each region column now sits.
    let mut position = vec![usize::MAX; total];
    let mut planned: Vec<Option<(Rel, usize, usize)>> = planned.into_iter().map(Some).collect();
    let mut joined: Vec<usize> = Vec::new();
    let mut current: Option<Rel> = None;
    let mut width = 0;
    for &i in &order {
        let (rel, offset, leaf_width) = planned[i].take().expect("each leaf joins once");
        for c in 0..leaf_width {
            position[offset + c] = width + c;
        }
        joined.push(i);
        let Some(left) = current.take() else {
            current = Some(rel);
            width = leaf_width;
            continue;
        };
        let (mut keys, mut on) = (Vec::new(), Vec::new());
        let mut k = 0;
        while k < multi.len() {
            if multi[k].0.contains(&i) && multi[k].0.iter().all(|t| joined.contains(t)) {
                let (_, cond) = multi.swap_remove(k);
                let cond = cond.remap_columns(&|c| position[c]);
                match equi_key(&cond, 0..width, width..width + leaf_width) {
                    Some((l, r)) => keys.push((l, shift(r, width))),
                    None => on.push(cond),
                }
            } else {
                k += 1;
            }
        }
        current = Some(Rel::Join {
            kind: JoinKind::Inner,
            left: Box::new(left),
            right: Box::new(rel),
            keys,
            on,
        });
        width += leaf_width;
    }
    let mut rel = current.expect("a region has a leaf");
    let leftover: Vec<Expr> = multi
        .into_iter()
        .map(|(_, cond)| cond)
        .chain(late)
        .map(|cond| cond.remap_columns(&|c| position[c]))
        .collect();
    rel = filter(rel, leftover);
    let identity = position.iter().enumerate().all(|(i, &p)| i == p);
    if !identity {
        rel = Rel::Project {
            input: Box::new(rel),
            exprs: position.iter().map(|&p| Expr::Column(p)).collect(),
        };
    }
    filter(rel, top)
}

/// GROUP BY keys that a table's primary key determines, moved out of the keys (PostgreSQL's
/// `remove_useless_groupby_columns`): when the keys hold every primary key column of a table
/// read in FROM, its other columns among the keys take one value per group, so the rows are
/// grouped by the rest and each of those columns rides along as the `min` of its one value.
/// TPC-H Q10 groups by c_custkey and six more customer columns (c_comment, c_address ...), which
/// then are no longer encoded, hashed and compared per row (Q10 about 12% faster side by side);
/// EXPLAIN's Group Key shows what PostgreSQL's does. Returns the keys, the aggregates (the moved
/// columns' `min`s after `aggs`), and the projection that lays the grouped row out as
/// `keys ++ aggs` again (None: nothing moved).
pub(crate) fn reduce_group_keys(
    from: &Rel,
    keys: Vec<Expr>,
    mut aggs: Vec<crate::expr::AggCall>,
) -> (Vec<Expr>, Vec<crate::expr::AggCall>, Option<Vec<Expr>>) {
    type Source<'r> = Option<(*const Rel, &'r crate::catalog::TableDef, usize)>;
    // Where each column of the FROM row comes from: (the scan node, its table, the table's
    // column), through filters, joins and the projection a reordered join is put back in FROM
    // order with (an outer join's padded rows are NULL in every column of the table, primary
    // key included, so they group alike).
    fn sources<'r>(rel: &'r Rel, out: &mut Vec<Source<'r>>) {
        match rel {
            Rel::Scan { table, project, .. } => {
                let scan = rel as *const Rel;
                match project {
                    Some(project) => out.extend(project.iter().map(|&c| Some((scan, &**table, c)))),
                    None => out.extend((0..table.columns.len()).map(|c| Some((scan, &**table, c)))),
                }
            }
            Rel::Filter { input, .. } => sources(input, out),
            Rel::Join { left, right, .. } => {
                sources(left, out);
                sources(right, out);
            }
            Rel::Project { input, exprs } => {
                let mut inner = Vec::new();
                sources(input, &mut inner);
                out.extend(exprs.iter().map(|e| match e {
                    Expr::Column(c) => inner.get(*c).copied().flatten(),
                    _ => None,
                }));
            }
            other => out.extend(std::iter::repeat_n(None, other.width())),
        }
    }
    let mut from_columns = Vec::new();
    sources(from, &mut from_columns);
    let source = |key: &Expr| match key {
        Expr::Column(c) => from_columns.get(*c).copied().flatten(),
        _ => None,
    };
    let moved: Vec<bool> = keys
        .iter()
        .map(|key| {
            let Some((scan, table, column)) = source(key) else {
                return false;
            };
            // Carried as the `min` of its one value: a type that compares plainly.
            let Some(read) = table.columns.get(column) else {
                return false;
            };
            let plain = !matches!(
                read.ty,
                crate::types::DataType::Json
                    | crate::types::DataType::Jsonb
                    | crate::types::DataType::Array(_)
                    | crate::types::DataType::Record(_)
            );
            plain
                && !table.primary_key.is_empty()
                && !table.primary_key.contains(&column)
                && table.primary_key.iter().all(|pk| {
                    keys.iter()
                        .any(|k| source(k).is_some_and(|(s, _, c)| s == scan && c == *pk))
                })
        })
        .collect();
    if !moved.contains(&true) {
        return (keys, aggs, None);
    }
    let kept = moved.iter().filter(|m| !**m).count();
    let aggregates = aggs.len();
    let mut restore = Vec::with_capacity(keys.len() + aggregates);
    let mut reduced = Vec::with_capacity(kept);
    let mut carried = Vec::new();
    for (key, moved) in keys.into_iter().zip(moved) {
        if moved {
            restore.push(Expr::Column(kept + aggregates + carried.len()));
            let ty = source(&key).map_or(crate::types::DataType::Text, |(_, table, column)| {
                table.columns[column].ty
            });
            carried.push(crate::expr::AggCall {
                func: crate::expr::AggFunc::Min,
                arg: Some(key),
                arg_type: ty,
                result_type: ty,
                distinct: false,
                filter: None,
            });
        } else {
            restore.push(Expr::Column(reduced.len()));
            reduced.push(key);
        }
    }
    restore.extend((0..aggregates).map(|j| Expr::Column(kept + j)));
    aggs.extend(carried);
    (reduced, aggs, Some(restore))
}
