//! Join order chosen when the rows are in hand.
//!
//! The planner orders a region of inner joins by rules (`planner.rs`): it has no statistics. But
//! the session reads every scan before it evaluates the tree, so when the executor reaches a
//! chain of inner joins it knows how many rows each leaf really has, after its filters. For a
//! chain of three or more leaves with enough rows to matter it orders the joins again from those
//! counts ([`order`]):
//!
//! - each equality `a = b` between two leaves' columns is estimated to give
//!   `|A| * |B| / max(ndv(a), ndv(b))` rows, PostgreSQL's estimate for an equi-join (`eqjoinsel`
//!   without most-common values); `ndv` is the number of distinct values, estimated from an even
//!   sample of at most [`SAMPLE`] rows with the Haas-Stokes "Duj1" estimator PostgreSQL's ANALYZE
//!   uses, and a column of the joined rows has at most as many distinct values as rows;
//! - a set of leaves joined is estimated at the product of their row counts and of the
//!   selectivities of the equalities among them (for two leaves joined by several equalities, the
//!   most selective one only: a composite key's parts are not independent), whatever the order;
//! - of all left-deep orders (dynamic programming over the subsets of leaves, at most
//!   [`MAX_LEAVES`]) the one with the fewest rows in all its intermediate results wins (C_out),
//!   a step adding a leaf no equality connects only when none is connected (a cross product).
//!
//! Measured at TPC-H SF1 (this 2-core VM, best of 2): Q21 58.9 s -> 28.4 s, Q8 8.3 -> 7.8 s,
//! Q10 6.5 -> 6.1 s, Q9 17.4 -> 19.6 s (it starts from part and lineitem, as PostgreSQL does,
//! but the wide rows of that join cost more here).
//!
//! The chain's rows are then joined in that order and put back into the chain's column layout, so
//! nothing above notices. Only the output order of rows changes, which SQL leaves open anyway.
//!
//! Before that, while the scans are read, [`key_edges`] says which scan may filter which by its
//! join keys (semi-join reduction: equalities between a chain's scans, the lookups of correlated
//! subqueries, uncorrelated `IN` subqueries); the session reads the scans in an order that lets
//! small ones narrow big ones (`Session::run_tree`).

use std::collections::HashMap;

use crate::expr::{BinOp, Expr};
use crate::plan::{JoinKind, Rel};
use crate::query::{append_hash_key, KeyMap, Row};

/// Chains of more leaves keep the planner's order (the search below visits every subset).
pub const MAX_LEAVES: usize = 10;

/// Rows sampled per column to estimate its distinct values.
pub const SAMPLE: usize = 4096;

/// Chains whose leaves have fewer rows than this in all keep the planner's order: reordering
/// them would gain nothing and would change the order their rows come out in.
pub const MIN_ROWS: usize = 4096;

/// A chain of inner joins, flattened: its leaves (with where their columns sit in the chain's
/// row) and every condition of its joins over the chain's row.
pub struct Chain<'r> {
    pub leaves: Vec<(&'r Rel, usize, usize)>,
    pub conds: Vec<Expr>,
    /// Whether every join's right input is a leaf (as the planner builds them): joining the
    /// leaves in their order then does exactly what the tree does.
    pub left_deep: bool,
}

impl<'r> Chain<'r> {
    /// The chain rooted at `rel` (an inner join).
    pub fn of(rel: &'r Rel) -> Chain<'r> {
        let mut chain = Chain {
            leaves: Vec::new(),
            conds: Vec::new(),
            left_deep: true,
        };
        chain.flatten(rel, 0);
        chain
    }

    fn flatten(&mut self, rel: &'r Rel, offset: usize) {
        match rel {
            Rel::Join {
                kind: JoinKind::Inner,
                left,
                right,
                keys,
                on,
            } => {
                let left_width = left.width();
                crate::planner::join_conditions(
                    keys.clone(),
                    on.clone(),
                    left_width,
                    offset,
                    &mut self.conds,
                );
                if matches!(
                    right.as_ref(),
                    Rel::Join {
                        kind: JoinKind::Inner,
                        ..
                    }
                ) {
                    self.left_deep = false;
                }
                self.flatten(left, offset);
                self.flatten(right, offset + left_width);
            }
            other => self.leaves.push((other, offset, other.width())),
        }
    }

    /// The leaf holding chain column `column`.
    pub fn leaf_of(&self, column: usize) -> Option<usize> {
        self.leaves
            .iter()
            .position(|&(_, offset, width)| column >= offset && column < offset + width)
    }

    /// The leaves a condition reads (sorted, each once).
    pub fn touched(&self, cond: &Expr) -> Vec<usize> {
        let mut columns = Vec::new();
        cond.columns(&mut columns);
        let mut leaves: Vec<usize> = columns.iter().filter_map(|&c| self.leaf_of(c)).collect();
        leaves.sort_unstable();
        leaves.dedup();
        leaves
    }
}

/// Distinct non-NULL values of column `column` in `rows`, estimated from an even sample.
pub fn distinct_values(rows: &[Row], column: usize) -> f64 {
    let total = rows.len();
    if total == 0 {
        return 0.0;
    }
    let step = total.div_ceil(SAMPLE).max(1);
    let mut counts: KeyMap<u32> = KeyMap::default();
    let mut key = Vec::new();
    let mut sampled = 0usize;
    // One row at a random place in each stretch of `step` rows (a fixed stride would alias
    // with periodic data: every 25th row of `i % 25` is the same value).
    let mut random = 0x9E37_79B9_7F4A_7C15u64 ^ total as u64;
    let picks = (0..total).step_by(step).map(|start| {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        (start + (random % step as u64) as usize).min(total - 1)
    });
    for row in picks.map(|i| &rows[i]) {
        let Some(value) = row.get(column) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        sampled += 1;
        key.clear();
        append_hash_key(value, &mut key);
        *counts.entry(key.clone()).or_default() += 1;
    }
    let (n, d) = (sampled as f64, counts.len() as f64);
    if sampled == 0 {
        return 0.0;
    }
    if step == 1 {
        return d;
    }
    // The non-NULL rows the sample stands for.
    let big_n = (n * step as f64).min(total as f64);
    let once = counts.values().filter(|&&c| c == 1).count() as f64;
    // Duj1 (Haas and Stokes 1998): n*d / (n - f1 + f1*n/N).
    let estimate = n * d / (n - once + once * n / big_n);
    estimate.clamp(d, big_n)
}

/// The order to join `chain`'s leaves in, given each leaf's rows.
pub fn order(chain: &Chain<'_>, rows: &[&[Row]]) -> Vec<usize> {
    order_by(chain, &|i| rows[i].len() as f64, &mut |leaf, column| {
        distinct_values(rows[leaf], column)
    })
}

/// The order to join `chain`'s leaves in, given each leaf's (estimated) row count and the
/// (estimated) distinct values of a leaf's column: the planner calls this with statistics from
/// ANALYZE, the executor with the rows in hand.
pub fn order_by(
    chain: &Chain<'_>,
    count: &dyn Fn(usize) -> f64,
    distinct: &mut dyn FnMut(usize, usize) -> f64,
) -> Vec<usize> {
    // Equalities between exactly two leaves: (leaf a, its column, leaf b, its column), the
    // columns leaf-local; an operand that is not a plain column has no estimate (None).
    let mut equalities: Vec<(usize, Option<usize>, usize, Option<usize>)> = Vec::new();
    for cond in &chain.conds {
        let Expr::Binary(BinOp::Eq, l, r) = cond else {
            continue;
        };
        let side = |e: &Expr| -> Option<(usize, Option<usize>)> {
            let mut columns = Vec::new();
            e.columns(&mut columns);
            let leaf = chain.leaf_of(*columns.first()?)?;
            if columns.iter().any(|&c| chain.leaf_of(c) != Some(leaf)) {
                return None;
            }
            let local = match e {
                Expr::Column(c) => Some(c - chain.leaves[leaf].1),
                _ => None,
            };
            Some((leaf, local))
        };
        if let (Some((a, ac)), Some((b, bc))) = (side(l), side(r)) {
            if a != b {
                equalities.push((a, ac, b, bc));
            }
        }
    }
    let n = chain.leaves.len();
    if n > MAX_LEAVES || equalities.is_empty() {
        return (0..n).collect();
    }
    let mut ndv_cache: HashMap<(usize, usize), f64> = HashMap::new();
    let mut ndv = |leaf: usize, column: Option<usize>| -> f64 {
        match column {
            Some(c) => *ndv_cache
                .entry((leaf, c))
                .or_insert_with(|| distinct(leaf, c)),
            None => count(leaf),
        }
        .max(1.0)
    };
    // Selectivity of joining leaves a and b: their most selective equality, 1 / max(ndv).
    let mut selectivity = vec![vec![1.0f64; n]; n];
    for &(a, ac, b, bc) in &equalities {
        let s = 1.0 / ndv(a, ac).max(ndv(b, bc));
        selectivity[a][b] = selectivity[a][b].min(s);
        selectivity[b][a] = selectivity[a][b];
    }
    let linked = |a: usize, b: usize| selectivity[a][b] < 1.0;
    // Left-deep orders of every subset: (cost, rows, last leaf), cost = the rows of every join
    // on the way (C_out). A subset's rows do not depend on the order that built it.
    let full = (1usize << n) - 1;
    let mut best: Vec<Option<(f64, f64, usize)>> = vec![None; full + 1];
    for (i, slot) in (0..n).map(|i| (i, 1usize << i)) {
        best[slot] = Some((0.0, count(i).max(1.0), i));
    }
    for set in 1..full {
        let Some((cost, size, _)) = best[set] else {
            continue;
        };
        let outside = (0..n).filter(|&j| set & (1 << j) == 0);
        let connected: Vec<usize> = outside
            .clone()
            .filter(|&j| (0..n).any(|i| set & (1 << i) != 0 && linked(i, j)))
            .collect();
        // A cross product only when nothing connects.
        let next: Vec<usize> = if connected.is_empty() {
            outside.collect()
        } else {
            connected
        };
        for j in next {
            let mut rows_out = size * count(j).max(1.0);
            for i in (0..n).filter(|&i| set & (1 << i) != 0) {
                rows_out *= selectivity[i][j];
            }
            let rows_out = rows_out.max(1.0);
            let total = cost + rows_out;
            let grown = set | (1 << j);
            if best[grown].is_none_or(|(c, ..)| total < c) {
                best[grown] = Some((total, rows_out, j));
            }
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut set = full;
    while set != 0 {
        let (_, _, last) = best[set].expect("every subset is reachable");
        order.push(last);
        set &= !(1 << last);
    }
    order.reverse();
    order
}

/// A semi-join filter one scan can take from another read before it: rows of `to` whose
/// `to_expr` value is not among the values of `from_expr` over `from`'s rows can join nothing.
/// Both expressions read their own scan's row.
#[derive(Debug)]
pub struct KeyEdge<'r> {
    pub from: KeyFrom<'r>,
    pub from_expr: Expr,
    pub to: &'r Rel,
    pub to_expr: Expr,
}

/// Where a semi-join filter's keys come from.
#[derive(Debug, Clone, Copy)]
pub enum KeyFrom<'r> {
    /// The rows of a scan (`from_expr` over its row).
    Scan(&'r Rel),
    /// The rows of an uncorrelated `x IN (subquery)` that the target's rows must pass
    /// (`from_expr` is the subquery's first column).
    Subquery(&'r crate::expr::Subquery),
}

impl KeyFrom<'_> {
    /// Whether the keys come from scan `rel`.
    pub fn is_scan(&self, rel: &Rel) -> bool {
        matches!(self, KeyFrom::Scan(scan) if std::ptr::eq(*scan, rel))
    }
}

/// The semi-join filters of a tree (also inside its subqueries):
///
/// - an equality between columns of two scans that are leaves of one chain of inner joins gives
///   an edge each way: a row of either without a partner among the other's rows is not in the
///   join's result (a leaf that limits, projects or joins a scan only gives keys, those of its
///   scan's rows: narrowing the scan under a limit would change the rows the limit takes);
/// - an outer join's equality gives an edge from its preserved side's scan to a scan on the
///   other side, whose rows without a partner are never joined;
/// - a correlated subquery whose rows come from a [`Rel::Lookup`] over a scan, probed by a column
///   of a scan of the enclosing chain (or of the one scan a filter reads), gives an edge from that
///   scan to the looked-up one: the lookup only ever asks for values the enclosing rows hold.
///
/// Only plain columns (possibly cast) are filtered on, so the worker computes nothing new.
pub fn key_edges(rel: &Rel) -> Vec<KeyEdge<'_>> {
    fn add<'r>(edge: KeyEdge<'r>, edges: &mut Vec<KeyEdge<'r>>) {
        let same_from = |e: &KeyEdge<'_>| match (e.from, edge.from) {
            (KeyFrom::Scan(a), KeyFrom::Scan(b)) => std::ptr::eq(a, b),
            (KeyFrom::Subquery(a), KeyFrom::Subquery(b)) => std::ptr::eq(a, b),
            _ => false,
        };
        let same = |e: &KeyEdge<'_>| {
            same_from(e)
                && std::ptr::eq(e.to, edge.to)
                && e.from_expr == edge.from_expr
                && e.to_expr == edge.to_expr
        };
        if !edges.iter().any(same) {
            edges.push(edge);
        }
    }
    let mut edges: Vec<KeyEdge<'_>> = Vec::new();
    rel.visit(&mut |node| {
        // A lookup probed by an uncorrelated scalar subquery (`key = (SELECT ..)`, which the
        // planner makes a hash lookup): its scan's rows without the subquery's one value are
        // never asked for (several values give no keys: the session's `run_tree`).
        if let Rel::Lookup { .. } = node {
            let mut lookups = Vec::new();
            direct_lookups(node, &mut lookups);
            for (scan, columns, probes) in lookups {
                for (&column, probe) in columns.iter().zip(probes) {
                    let Expr::Subquery(sub) = probe else {
                        continue;
                    };
                    let uncorrelated = sub.reads.is_empty() && !sub.reads_further;
                    if sub.kind == crate::expr::SubqueryKind::Scalar && uncorrelated {
                        let edge = KeyEdge {
                            from: KeyFrom::Subquery(sub),
                            from_expr: Expr::Column(0),
                            to: scan,
                            to_expr: Expr::Column(column),
                        };
                        add(edge, &mut edges);
                    }
                }
            }
        }
        // An outer join's equalities: the preserved side's keys narrow the other side, a scan
        // (its rows without a partner there are never joined).
        if let Rel::Join {
            kind: kind @ (JoinKind::Left | JoinKind::Right),
            left,
            right,
            keys,
            ..
        } = node
        {
            for (l, r) in keys {
                let ((kept, kept_expr), (other, other_expr)) = match kind {
                    JoinKind::Left => ((left, l), (right, r)),
                    _ => ((right, r), (left, l)),
                };
                let (Some((from, from_expr)), Some(to)) =
                    (key_source(kept, kept_expr), scan_below(other))
                else {
                    continue;
                };
                if column_of(other_expr).is_some() {
                    add(
                        KeyEdge {
                            from: KeyFrom::Scan(from),
                            from_expr,
                            to,
                            to_expr: other_expr.clone(),
                        },
                        &mut edges,
                    );
                }
            }
        }
        // The row a node's conditions read, as scans and where their columns sit in it.
        let (chain, conds): (Option<Chain<'_>>, Vec<&Expr>) = match node {
            // A join's own conditions read the joined row, whose layout is the chain's (those of
            // the joins below it are visited with their own chains).
            Rel::Join {
                kind: JoinKind::Inner,
                on,
                ..
            } => (Some(Chain::of(node)), on.iter().collect()),
            Rel::Filter { input, predicate } => match input.as_ref() {
                Rel::Join {
                    kind: JoinKind::Inner,
                    ..
                } => (Some(Chain::of(input)), vec![predicate]),
                scan @ Rel::Scan { .. } => (
                    Some(Chain {
                        leaves: vec![(scan, 0, scan.width())],
                        conds: Vec::new(),
                        left_deep: true,
                    }),
                    vec![predicate],
                ),
                _ => (None, Vec::new()),
            },
            _ => (None, Vec::new()),
        };
        let Some(chain) = chain else {
            return;
        };
        // `e` as an expression over one leaf's own row, and that leaf.
        let over_leaf = |e: &Expr| -> Option<(&Rel, Expr)> {
            let mut columns = Vec::new();
            e.columns(&mut columns);
            let leaf = chain.leaf_of(*columns.first()?)?;
            let (rel, offset, _) = chain.leaves[leaf];
            if columns.iter().any(|&c| chain.leaf_of(c) != Some(leaf)) || column_of(e).is_none() {
                return None;
            }
            Some((rel, e.clone().remap_columns(&|c| c - offset)))
        };
        // `e` as an expression over one scan leaf's own row. A leaf that filters a scan (a
        // condition that cannot run on the workers, such as an IN subquery) has the scan's
        // columns: its keys are among the scan's, and narrowing the scan narrows it.
        let over_scan = |e: &Expr| -> Option<(&Rel, Expr)> {
            let (rel, e) = over_leaf(e)?;
            Some((scan_below(rel)?, e))
        };
        for cond in &chain.conds {
            let Expr::Binary(BinOp::Eq, l, r) = cond else {
                continue;
            };
            // Each side gives keys when its values come from a scan (a limited one too: its
            // rows are among the scan's), and takes them when it is a scan (not a limited one,
            // whose limit would then take other rows).
            let (Some((a_leaf, ae)), Some((b_leaf, be))) = (over_leaf(l), over_leaf(r)) else {
                continue;
            };
            for ((from, from_expr), (to, to_expr)) in [
                ((a_leaf, &ae), (b_leaf, &be)),
                ((b_leaf, &be), (a_leaf, &ae)),
            ] {
                let (Some(source), Some(target)) = (key_source(from, from_expr), scan_below(to))
                else {
                    continue;
                };
                if !std::ptr::eq(source.0, target) {
                    add(
                        KeyEdge {
                            from: KeyFrom::Scan(source.0),
                            from_expr: source.1,
                            to: target,
                            to_expr: to_expr.clone(),
                        },
                        &mut edges,
                    );
                }
            }
        }
        // Uncorrelated `x IN (subquery)` conditions (conjuncts): a row whose x is not among
        // the subquery's values fails them.
        let mut conjuncts = Vec::new();
        for cond in &conds {
            crate::stats::and_parts(cond, &mut conjuncts);
        }
        // Uncorrelated `x = (scalar subquery)` too: a row whose x is not its one value fails
        // it (the session's `run_tree` gives up these keys when the subquery returns several
        // rows, so that the comparison still fails with 21000).
        for conjunct in conjuncts {
            use crate::expr::SubqueryKind;
            let (sub, left) = match conjunct {
                Expr::Subquery(sub) => match &sub.kind {
                    SubqueryKind::Compare {
                        left,
                        op: BinOp::Eq,
                        all: false,
                    } => (sub, left.as_ref()),
                    _ => continue,
                },
                Expr::Binary(BinOp::Eq, a, b) => match (a.as_ref(), b.as_ref()) {
                    (Expr::Subquery(sub), left) | (left, Expr::Subquery(sub))
                        if sub.kind == SubqueryKind::Scalar =>
                    {
                        (sub, left)
                    }
                    _ => continue,
                },
                _ => continue,
            };
            if !sub.reads.is_empty() || sub.reads_further {
                continue;
            }
            if let Some((to, to_expr)) = over_scan(left) {
                add(
                    KeyEdge {
                        from: KeyFrom::Subquery(sub),
                        from_expr: Expr::Column(0),
                        to,
                        to_expr,
                    },
                    &mut edges,
                );
            }
        }
        // Lookups of correlated subqueries in the conditions over this row.
        for cond in conds {
            cond.visit(&mut |e| {
                let Expr::Subquery(sub) = e else {
                    return;
                };
                let mut lookups = Vec::new();
                direct_lookups(&sub.rel, &mut lookups);
                for (scan, columns, probes) in lookups {
                    for (&column, probe) in columns.iter().zip(probes) {
                        let Expr::Outer(1, outer) = probe else {
                            continue;
                        };
                        // The probe's column, and the columns the chain's equalities make equal
                        // to it on every row the condition sees: each scan holding one narrows
                        // the looked-up scan (TPC-H Q21: l1.l_orderkey = o_orderkey, so the
                        // lookups of l2 and l3 ask only for orders the join kept).
                        let mut equal = vec![Expr::Column(*outer)];
                        for cond in &chain.conds {
                            if let Expr::Binary(BinOp::Eq, l, r) = cond {
                                match (&**l, &**r) {
                                    (Expr::Column(a), other) | (other, Expr::Column(a))
                                        if *a == *outer && column_of(other).is_some() =>
                                    {
                                        equal.push(other.clone())
                                    }
                                    _ => {}
                                }
                            }
                        }
                        for probe_column in &equal {
                            let Some((from, from_expr)) = over_scan(probe_column) else {
                                continue;
                            };
                            add(
                                KeyEdge {
                                    from: KeyFrom::Scan(from),
                                    from_expr,
                                    to: scan,
                                    to_expr: Expr::Column(column),
                                },
                                &mut edges,
                            );
                        }
                    }
                }
            });
        }
    });
    edges
}

/// The scan under a leaf of a chain: the leaf itself, or the scan filters over it read.
fn scan_below(rel: &Rel) -> Option<&Rel> {
    match rel {
        Rel::Scan { .. } => Some(rel),
        Rel::Filter { input, .. } => scan_below(input),
        _ => None,
    }
}

/// The scan whose rows hold the values of `e` (a column, possibly cast) over `rel`'s row, and
/// `e` over that scan's row: the values `rel` has there are among the scan's
/// ([`crate::plan::column_source`]; a column an outer join pads is NULL there, which no key
/// matches).
fn key_source<'r>(rel: &'r Rel, e: &Expr) -> Option<(&'r Rel, Expr)> {
    let (scan, column) = crate::plan::column_source(rel, column_of(e)?, true)?;
    Some((scan, e.clone().remap_columns(&|_| column)))
}

/// The column a column expression (possibly cast) reads.
pub fn column_of(e: &Expr) -> Option<usize> {
    match e {
        Expr::Column(c) => Some(*c),
        Expr::Cast(inner, ..) => column_of(inner),
        _ => None,
    }
}

/// The [`Rel::Lookup`]s over a scan (directly or through a filter) among `rel` and the inputs
/// below it, not inside nested subqueries or the right side of an apply (their outer rows are
/// others): (the scan, the looked-up columns, their probes).
fn direct_lookups<'r>(rel: &'r Rel, out: &mut Vec<(&'r Rel, &'r [usize], &'r [Expr])>) {
    match rel {
        Rel::Lookup {
            input,
            columns,
            probes,
        } => {
            let scan = match input.as_ref() {
                Rel::Filter { input, .. } => input.as_ref(),
                other => other,
            };
            if matches!(scan, Rel::Scan { .. }) {
                out.push((scan, columns, probes));
            }
        }
        Rel::Apply { left, .. } => direct_lookups(left, out),
        other => {
            for input in other.inputs() {
                direct_lookups(input, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    #[test]
    fn distinct_values_are_exact_for_small_inputs_and_close_for_large_ones() {
        let small: Vec<Row> = (0..1000).map(|i| vec![Value::Int(i % 10)]).collect();
        assert_eq!(distinct_values(&small, 0), 10.0);
        let unique: Vec<Row> = (0..100_000).map(|i| vec![Value::Int(i)]).collect();
        let estimate = distinct_values(&unique, 0);
        assert!(estimate > 90_000.0, "{estimate}");
        let few: Vec<Row> = (0..100_000).map(|i| vec![Value::Int(i % 25)]).collect();
        assert_eq!(distinct_values(&few, 0), 25.0);
        let nulls: Vec<Row> = (0..10).map(|_| vec![Value::Null]).collect();
        assert_eq!(distinct_values(&nulls, 0), 0.0);
    }

    #[test]
    fn the_order_starts_small_and_follows_the_keys() {
        // Leaves: big (100k rows, column 0 a key into mid), mid (1k rows, key column 0), tiny
        // (1 row, joined to mid's column 1). Chain layout: big 0..2, mid 2..4, tiny 4..5.
        let scan = Rel::Values {
            rows: Vec::new(),
            width: 2,
        };
        let one = Rel::Values {
            rows: Vec::new(),
            width: 1,
        };
        let col = |c: usize| Box::new(Expr::Column(c));
        let chain = Chain {
            leaves: vec![(&scan, 0, 2), (&scan, 2, 2), (&one, 4, 1)],
            conds: vec![
                Expr::Binary(BinOp::Eq, col(0), col(2)),
                Expr::Binary(BinOp::Eq, col(3), col(4)),
            ],
            left_deep: true,
        };
        let big: Vec<Row> = (0..100_000)
            .map(|i| vec![Value::Int(i % 1000), Value::Int(0)])
            .collect();
        let mid: Vec<Row> = (0..1000)
            .map(|i| vec![Value::Int(i), Value::Int(i % 100)])
            .collect();
        let tiny: Vec<Row> = vec![vec![Value::Int(7)]];
        // tiny and mid first (in either order: the same rows), big last.
        let order = order(&chain, &[&big, &mid, &tiny]);
        assert_eq!(order[2], 0, "{order:?}");
    }
}
