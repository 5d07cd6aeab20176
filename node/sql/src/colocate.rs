//! Correlated EXISTS over a co-located table runs on the workers, inside the outer scan.
//!
//! ```text
//! Filter / Join ON: [NOT] EXISTS (S' where T.k = outer.k and ...)      Join ...
//!   Join ...                                                =>          Scan L  filter: ... AND [NOT] EXISTS (...)
//!     Scan L
//! ```
//!
//! Tables whose primary key starts with an integer column are placed by that column
//! ([`crate::catalog::FIRST_COLUMN_PLACEMENT`]): every row with one value of it lies on the
//! vshard of that value's encoding, whatever the table. So when a correlated `[NOT] EXISTS`
//! finds its rows by equating the first key column of its table T with the first key column of
//! an outer table L, both placed so and of one integer type, the rows it asks about for an L row
//! lie on the worker that holds that L row. The condition then moves into L's scan filter and the
//! worker answers it while scanning: a seek under the key in its own store
//! (`fragment::Colocated`), after the scan's cheaper tests, and nothing of T travels to
//! the session. TPC-H Q21 (l2 and l3 keyed by `l1.l_orderkey`) is this shape, and PostgreSQL
//! runs it alike: a nested loop over `lineitem_pkey` inside each parallel worker's scan of l1.
//!
//! The rewrite moves a conjunct of a filter, or of an inner join's ON condition, only
//! through filters and inner joins down to a whole-table scan whose columns are all it reads
//! (so removing it above and testing it there keep the same rows), and only a subquery of the
//! shape the planner makes of `exists (select .. from T where T.k = L.k and ..)`: filters over a
//! [`Rel::Lookup`] of a whole-table scan of T, probed by the outer column alone, reading nothing
//! further out and running no subquery of its own.

use std::borrow::Cow;
use std::sync::Arc;

use crate::catalog::TableDef;
use crate::expr::{BinOp, Expr, Subquery, SubqueryKind};
use crate::plan::{Access, JoinKind, Rel};
use crate::types::DataType;

/// `rel` with every co-located `[NOT] EXISTS` moved into its outer scan; borrowed when none is.
pub fn rewritten(rel: &Rel) -> Cow<'_, Rel> {
    let found = |rel: &Rel| match rel {
        Rel::Filter { predicate, .. } => predicate.and_terms().into_iter().any(candidate),
        Rel::Join {
            kind: JoinKind::Inner,
            on,
            ..
        } => on.iter().any(candidate),
        _ => false,
    };
    crate::plan::rewrite_nodes(rel, &found, &rewrite_node)
}

/// Moves the co-located EXISTS conjuncts of `rel`'s own conditions down into scans.
fn rewrite_node(rel: &mut Rel) {
    match rel {
        Rel::Filter { input, predicate } => {
            let mut kept = Vec::new();
            for term in predicate
                .and_terms()
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
            {
                if let Err(term) = moved(input, term) {
                    kept.push(term);
                }
            }
            match kept
                .into_iter()
                .reduce(|a, b| Expr::Binary(BinOp::And, Box::new(a), Box::new(b)))
            {
                Some(rest) => *predicate = rest,
                // Every condition moved: the filter goes.
                None => {
                    let placeholder = Rel::Values {
                        rows: Vec::new(),
                        width: 0,
                    };
                    *rel = std::mem::replace(input.as_mut(), placeholder);
                }
            }
        }
        Rel::Join {
            kind: JoinKind::Inner,
            left,
            right,
            on,
            ..
        } => {
            let mut kept = Vec::new();
            for term in std::mem::take(on) {
                if let Err(term) = moved_into_join(left, right, term) {
                    kept.push(term);
                }
            }
            *on = kept;
        }
        _ => {}
    }
}

/// Whether `term` is a `[NOT] EXISTS` this rewrite may move (its outer scan still to be found).
fn candidate(term: &Expr) -> bool {
    subquery_of(term).is_some_and(|sub| shape(sub).is_some())
}

/// The EXISTS subquery of `EXISTS (..)` or `NOT EXISTS (..)`.
fn subquery_of(term: &Expr) -> Option<&Subquery> {
    let inner = match term {
        Expr::Not(inner) => inner,
        other => other,
    };
    match inner {
        Expr::Subquery(sub) if matches!(sub.kind, SubqueryKind::Exists) && !sub.reads_further => {
            Some(sub)
        }
        _ => None,
    }
}

/// What a co-located EXISTS is made of (see the module docs).
pub struct Shape<'r> {
    /// The conditions above the lookup, innermost last.
    pub filters: Vec<&'r Expr>,
    /// The lookup's scan (of the inner table T).
    pub scan: &'r Rel,
    /// T's table.
    pub table: &'r Arc<TableDef>,
    /// The scan's own filter (on T's columns).
    pub filter: Option<&'r Arc<Expr>>,
    /// The scan's columns (None: all of T's), which the filters above read.
    pub project: Option<&'r Vec<usize>>,
    /// The column of the enclosing row the lookup is probed with.
    pub outer_column: usize,
}

/// The parts of `sub` when it has the shape the workers run: `[Project] Filter* Lookup` over a
/// whole-table scan of a table placed by its first key column, looked up by that column alone
/// with one column of the enclosing row; no condition runs a subquery.
pub fn shape(sub: &Subquery) -> Option<Shape<'_>> {
    let (
        filters,
        Rel::Lookup {
            input,
            columns,
            probes,
        },
    ) = sub.rel.filtered_lookup()?
    else {
        return None;
    };
    let scan = input.as_ref();
    let Rel::Scan {
        table,
        access: Access::Scan,
        filter,
        project,
        ..
    } = scan
    else {
        return None;
    };
    let ([column], [Expr::Outer(1, outer_column)]) = (columns.as_slice(), probes.as_slice()) else {
        return None;
    };
    let column = match project {
        Some(project) => *project.get(*column)?,
        None => *column,
    };
    let runs_subquery = |expr: &Expr| {
        let mut found = false;
        expr.visit(&mut |e| found |= matches!(e, Expr::Subquery(_)));
        found
    };
    if !table.placed_by_first_key_column()
        || table.primary_key.first() != Some(&column)
        || filters.iter().any(|f| runs_subquery(f))
        || filter.as_deref().is_some_and(runs_subquery)
    {
        return None;
    }
    Some(Shape {
        filters,
        scan,
        table,
        filter: filter.as_ref(),
        project: project.as_ref(),
        outer_column: *outer_column,
    })
}

/// Whether the subquery of `term` reads only columns below `width`.
fn sub_reads_within(term: &Expr, width: usize) -> bool {
    subquery_of(term).is_some_and(|sub| sub.reads.iter().all(|&c| c < width))
}

/// Moves `term` (reading `left ++ right`) into the scan under one side, or gives it back.
fn moved_into_join(left: &mut Rel, right: &mut Rel, term: Expr) -> Result<(), Expr> {
    let Some(sub) = subquery_of(&term) else {
        return Err(term);
    };
    let width = left.width();
    if sub.reads.iter().all(|&c| c < width) {
        moved(left, term)
    } else if sub.reads.iter().all(|&c| c >= width) {
        moved(right, term.remap_columns(&|c| c - width))
            .map_err(|term| term.remap_columns(&|c| c + width))
    } else {
        Err(term)
    }
}

/// Moves `term` (reading `rel`'s row) into the whole-table scan under `rel` whose columns are
/// all it reads, through filters and inner joins, when the scan's table is co-located with the
/// subquery's; or gives it back.
fn moved(rel: &mut Rel, term: Expr) -> Result<(), Expr> {
    if !candidate(&term) {
        return Err(term);
    }
    match rel {
        Rel::Filter { input, .. } => moved(input, term),
        Rel::Join {
            kind: JoinKind::Inner,
            left,
            right,
            ..
        } => moved_into_join(left, right, term),
        Rel::Scan {
            table,
            access: Access::Scan,
            filter,
            project: None,
            ..
        } => {
            let Some(shape) = subquery_of(&term).and_then(shape) else {
                return Err(term);
            };
            let key_type = |table: &TableDef| {
                let column = *table.primary_key.first()?;
                Some(table.columns[column].ty)
            };
            let same_key = sub_reads_within(&term, table.columns.len())
                && table.placed_by_first_key_column()
                && table.primary_key.first() == Some(&shape.outer_column)
                && key_type(table) == key_type(shape.table)
                && matches!(
                    key_type(table),
                    Some(DataType::Int2 | DataType::Int4 | DataType::Int8)
                );
            if !same_key {
                return Err(term);
            }
            *filter = Some(Arc::new(match filter.take() {
                Some(rest) => Expr::Binary(BinOp::And, Box::new((*rest).clone()), Box::new(term)),
                None => term,
            }));
            Ok(())
        }
        _ => Err(term),
    }
}
