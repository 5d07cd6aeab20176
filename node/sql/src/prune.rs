//! Column pruning: scans return only the columns the tree above them reads.
//!
//! The binder gives every [`Rel::Scan`] its table's full row, and every node above names its
//! input's columns by position, so a join of two 16-column tables makes 32-value rows even when
//! the query reads three of them. [`narrow`] walks the tree top-down with the set of output
//! columns each node must produce (the root: all of them) and rebuilds it bottom-up:
//!
//! - a scan keeps the columns asked of it, in table order ([`Rel::Scan`]'s `project`); its
//!   filter and access path still name table columns (they run on the worker before the row is
//!   cut);
//! - a node passes down what it is asked for plus what its own expressions read (join keys and
//!   conditions, filters, sort keys, grouping, window and lookup columns), then renumbers its
//!   expressions by the positions its inputs kept ([`Expr::remap_columns`], which also renumbers
//!   what correlated subqueries read of the row);
//! - a projection drops the outputs nobody reads that are plain columns or constants (nothing to
//!   fail or to run), as PostgreSQL's planner drops unused subquery outputs; every other output
//!   is still computed;
//! - nodes whose output must stay whole (set operations, recursive queries, DISTINCT without ON,
//!   LATERAL applies) ask their inputs for every column, and an aggregate the workers run over
//!   its scan (`query::pushable_aggregate`) is left as it is;
//! - subqueries in expressions are pruned too, asked for their first column (nothing for
//!   EXISTS, whose rows are only counted).
//!
//! A kept column keeps its relative order, so a node asked for all its columns keeps its layout:
//! the root's rows are unchanged. A tree with a LATERAL apply anywhere is left whole: its right
//! side reads the left row as an outer row one level in, which renumbering by depth does not
//! follow.

use std::cell::Cell;

use crate::expr::{Expr, SubqueryKind};
use crate::plan::Rel;

/// Where each output column of the old node went in the new one (None: dropped).
type Map = Vec<Option<usize>>;

/// `rel` with every scan cut to the columns the tree reads; its output rows are unchanged.
pub fn narrow(rel: &Rel) -> Rel {
    let mut apply = false;
    rel.visit(&mut |node| apply |= matches!(node, Rel::Apply { .. }));
    if apply {
        return rel.clone();
    }
    let lost = Cell::new(false);
    let need = vec![true; rel.width()];
    let (narrowed, _) = Pruner { lost: &lost }.prune(rel.clone(), &need);
    // A column an expression reads that its input dropped would be a bug here; the whole tree
    // is run as bound instead.
    debug_assert!(!lost.get(), "pruning dropped a column an expression reads");
    if lost.get() {
        return rel.clone();
    }
    narrowed
}

/// The columns `exprs` read (also those their subqueries read of the row), marked in `need`.
fn mark<'e>(exprs: impl IntoIterator<Item = &'e Expr>, need: &mut [bool]) {
    let mut columns = Vec::new();
    for expr in exprs {
        expr.columns(&mut columns);
    }
    for c in columns {
        if let Some(slot) = need.get_mut(c) {
            *slot = true;
        }
    }
}

fn identity(width: usize) -> Map {
    (0..width).map(Some).collect()
}

/// `need` with `columns` marked too.
fn with(need: &[bool], columns: impl IntoIterator<Item = usize>) -> Vec<bool> {
    let mut out = need.to_vec();
    for c in columns {
        if let Some(slot) = out.get_mut(c) {
            *slot = true;
        }
    }
    out
}

/// The map of a node that passes its input's row (kept as `input` says, `width` columns now)
/// and appends `added` columns of its own (window functions, set-returning calls).
fn appended(input: Map, width: usize, added: usize) -> Map {
    input
        .into_iter()
        .chain((0..added).map(|i| Some(width + i)))
        .collect()
}

struct Pruner<'a> {
    /// Set when an expression reads a column its input no longer has.
    lost: &'a Cell<bool>,
}

impl Pruner<'_> {
    /// `expr` over an input renumbered by `map`, its subqueries pruned.
    fn expr(&self, expr: Expr, map: &Map) -> Expr {
        self.subqueries(expr)
            .remap_columns(&|c| self.column(c, map))
    }

    fn exprs(&self, exprs: Vec<Expr>, map: &Map) -> Vec<Expr> {
        exprs.into_iter().map(|e| self.expr(e, map)).collect()
    }

    /// A column number through `map`.
    fn column(&self, c: usize, map: &Map) -> usize {
        map.get(c).copied().flatten().unwrap_or_else(|| {
            self.lost.set(true);
            c
        })
    }

    /// Prunes the trees of the subqueries `expr` holds.
    fn subqueries(&self, expr: Expr) -> Expr {
        match expr {
            Expr::Subquery(sub) => {
                let mut sub = (*sub).clone();
                let width = sub.rel.width();
                let need = match sub.kind {
                    SubqueryKind::Exists => vec![false; width],
                    _ if width == 1 => vec![true],
                    _ => vec![true; width],
                };
                let rel = std::mem::replace(
                    &mut sub.rel,
                    Rel::Values {
                        rows: Vec::new(),
                        width: 0,
                    },
                );
                sub.rel = self.prune(rel, &need).0;
                if let SubqueryKind::Compare { left, op, all } = sub.kind {
                    sub.kind = SubqueryKind::Compare {
                        left: Box::new(self.subqueries(*left)),
                        op,
                        all,
                    };
                }
                Expr::Subquery(std::sync::Arc::new(sub))
            }
            other => other
                .try_map::<std::convert::Infallible>(&mut |e| Ok(self.subqueries(e)))
                .unwrap_or_else(|never| match never {}),
        }
    }

    /// `rel` pruned inside with every output kept (its layout unchanged).
    fn whole(&self, rel: Rel) -> Rel {
        let need = vec![true; rel.width()];
        self.prune(rel, &need).0
    }

    /// `rel` producing at least the columns `need` marks, and where each old column went.
    fn prune(&self, rel: Rel, need: &[bool]) -> (Rel, Map) {
        match rel {
            Rel::Scan {
                table,
                alias,
                access,
                filter,
                project,
            } => {
                let old: Vec<usize> = project.unwrap_or_else(|| (0..table.columns.len()).collect());
                let mut map = vec![None; old.len()];
                let mut kept = Vec::new();
                for (i, &column) in old.iter().enumerate() {
                    if need.get(i).copied().unwrap_or(true) {
                        map[i] = Some(kept.len());
                        kept.push(column);
                    }
                }
                // (The whole row, as a scan without `project` returns it: none. A scan that reads
                // the row key column keeps its list.)
                let project = (!kept.iter().copied().eq(0..table.columns.len())).then_some(kept);
                (
                    Rel::Scan {
                        table,
                        alias,
                        access,
                        filter,
                        project,
                    },
                    map,
                )
            }
            Rel::Lookup {
                input,
                columns,
                probes,
            } => {
                let inner = with(need, columns.iter().copied());
                let (input, map) = self.prune(*input, &inner);
                let columns = columns.iter().map(|&c| self.column(c, &map)).collect();
                // Probes read outer rows only.
                let probes = probes.into_iter().map(|p| self.subqueries(p)).collect();
                (
                    Rel::Lookup {
                        input: Box::new(input),
                        columns,
                        probes,
                    },
                    map,
                )
            }
            Rel::Constants { width, .. } => (rel, identity(width)),
            Rel::Values { rows, width } => (
                Rel::Values {
                    rows: rows
                        .into_iter()
                        .map(|row| row.into_iter().map(|e| self.subqueries(e)).collect())
                        .collect(),
                    width,
                },
                identity(width),
            ),
            Rel::Function {
                func,
                args,
                ordinality,
            } => {
                let rel = Rel::Function {
                    func,
                    args: args.into_iter().map(|e| self.subqueries(e)).collect(),
                    ordinality,
                };
                let width = rel.width();
                (rel, identity(width))
            }
            Rel::WorkTable { id, width } => (Rel::WorkTable { id, width }, identity(width)),
            Rel::Filter { input, predicate } => {
                let mut inner = need.to_vec();
                mark([&predicate], &mut inner);
                let (input, map) = self.prune(*input, &inner);
                let predicate = self.expr(predicate, &map);
                (
                    Rel::Filter {
                        input: Box::new(input),
                        predicate,
                    },
                    map,
                )
            }
            Rel::Project { input, exprs } => {
                // An output nobody reads goes if computing it can neither fail nor matter.
                let keep: Vec<bool> = exprs
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        need.get(i).copied().unwrap_or(true)
                            || !matches!(e, Expr::Column(_) | Expr::Const(_))
                    })
                    .collect();
                let mut inner = vec![false; input.width()];
                mark(
                    exprs.iter().zip(&keep).filter(|(_, k)| **k).map(|(e, _)| e),
                    &mut inner,
                );
                let (input, map) = self.prune(*input, &inner);
                let mut out = vec![None; exprs.len()];
                let mut kept = Vec::new();
                for (i, (expr, keep)) in exprs.into_iter().zip(keep).enumerate() {
                    if keep {
                        out[i] = Some(kept.len());
                        kept.push(self.expr(expr, &map));
                    }
                }
                (
                    Rel::Project {
                        input: Box::new(input),
                        exprs: kept,
                    },
                    out,
                )
            }
            Rel::Join {
                kind,
                left,
                right,
                keys,
                on,
            } => {
                let left_width = left.width();
                let mut both = need.to_vec();
                mark(&on, &mut both);
                let (mut l, mut r) = (both[..left_width].to_vec(), both[left_width..].to_vec());
                mark(keys.iter().map(|(lk, _)| lk), &mut l);
                mark(keys.iter().map(|(_, rk)| rk), &mut r);
                let (left, lmap) = self.prune(*left, &l);
                let (right, rmap) = self.prune(*right, &r);
                let new_left = left.width();
                let map: Map = lmap
                    .iter()
                    .copied()
                    .chain(rmap.iter().map(|c| c.map(|c| c + new_left)))
                    .collect();
                let keys = keys
                    .into_iter()
                    .map(|(lk, rk)| (self.expr(lk, &lmap), self.expr(rk, &rmap)))
                    .collect();
                let on = self.exprs(on, &map);
                (
                    Rel::Join {
                        kind,
                        left: Box::new(left),
                        right: Box::new(right),
                        keys,
                        on,
                    },
                    map,
                )
            }
            rel @ Rel::Aggregate { .. } if crate::query::pushable_aggregate(&rel) => {
                let width = rel.width();
                (rel, identity(width))
            }
            Rel::Aggregate { input, keys, aggs } => {
                let width = keys.len() + aggs.len();
                let mut inner = vec![false; input.width()];
                mark(&keys, &mut inner);
                mark(
                    aggs.iter()
                        .flat_map(|call| call.arg.iter().chain(call.filter.iter())),
                    &mut inner,
                );
                let (input, map) = self.prune(*input, &inner);
                let keys = self.exprs(keys, &map);
                let aggs = aggs
                    .into_iter()
                    .map(|mut call| {
                        call.arg = call.arg.map(|e| self.expr(e, &map));
                        call.filter = call.filter.map(|e| self.expr(e, &map));
                        call
                    })
                    .collect();
                (
                    Rel::Aggregate {
                        input: Box::new(input),
                        keys,
                        aggs,
                    },
                    identity(width),
                )
            }
            Rel::Window { input, calls } => {
                let input_width = input.width();
                let mut inner = need[..input_width].to_vec();
                mark(calls.iter().flat_map(|call| call.exprs()), &mut inner);
                let (input, map) = self.prune(*input, &inner);
                let new_width = input.width();
                let calls: Vec<_> = calls
                    .into_iter()
                    .map(|call| {
                        call.try_map_exprs::<std::convert::Infallible>(&mut |e| {
                            Ok(self.expr(e, &map))
                        })
                        .unwrap_or_else(|never| match never {})
                    })
                    .collect();
                let out = appended(map, new_width, calls.len());
                (
                    Rel::Window {
                        input: Box::new(input),
                        calls,
                    },
                    out,
                )
            }
            Rel::ProjectSet { input, calls } => {
                let input_width = input.width();
                let mut inner = need[..input_width].to_vec();
                mark(calls.iter().flat_map(|(_, args)| args), &mut inner);
                let (input, map) = self.prune(*input, &inner);
                let new_width = input.width();
                let calls: Vec<_> = calls
                    .into_iter()
                    .map(|(func, args)| (func, self.exprs(args, &map)))
                    .collect();
                let out = appended(map, new_width, calls.len());
                (
                    Rel::ProjectSet {
                        input: Box::new(input),
                        calls,
                    },
                    out,
                )
            }
            Rel::Distinct { input, on: None } => {
                let width = input.width();
                let input = Box::new(self.whole(*input));
                (Rel::Distinct { input, on: None }, identity(width))
            }
            Rel::Distinct {
                input,
                on: Some(on),
            } => {
                let inner = with(need, on.iter().copied());
                let (input, map) = self.prune(*input, &inner);
                let on = on.iter().map(|&c| self.column(c, &map)).collect();
                (
                    Rel::Distinct {
                        input: Box::new(input),
                        on: Some(on),
                    },
                    map,
                )
            }
            Rel::Sort { input, keys } => {
                let inner = with(need, keys.iter().map(|key| key.output));
                let (input, map) = self.prune(*input, &inner);
                let keys = keys
                    .into_iter()
                    .map(|mut key| {
                        key.output = self.column(key.output, &map);
                        key
                    })
                    .collect();
                (
                    Rel::Sort {
                        input: Box::new(input),
                        keys,
                    },
                    map,
                )
            }
            Rel::Limit {
                input,
                limit,
                offset,
                ties,
            } => {
                let inner = with(need, ties.iter().flatten().map(|key| key.output));
                let (input, map) = self.prune(*input, &inner);
                let ties = ties.map(|keys| {
                    keys.into_iter()
                        .map(|mut key| {
                            key.output = self.column(key.output, &map);
                            key
                        })
                        .collect()
                });
                (
                    Rel::Limit {
                        input: Box::new(input),
                        limit: limit.map(|e| self.subqueries(e)),
                        offset: offset.map(|e| self.subqueries(e)),
                        ties,
                    },
                    map,
                )
            }
            Rel::LockRows {
                input,
                width,
                targets,
                fixups,
                recheck,
                outputs,
                limit,
                offset,
            } => (
                Rel::LockRows {
                    input: Box::new(self.whole(*input)),
                    width,
                    targets,
                    fixups: (fixups.into_iter())
                        .map(|(column, e)| (column, self.subqueries(e)))
                        .collect(),
                    recheck: recheck.map(|e| self.subqueries(e)),
                    outputs: outputs.into_iter().map(|e| self.subqueries(e)).collect(),
                    limit: limit.map(|e| self.subqueries(e)),
                    offset: offset.map(|e| self.subqueries(e)),
                },
                identity(width),
            ),
            Rel::SetOp {
                op,
                all,
                left,
                right,
            } => {
                let width = left.width();
                let (left, right) = (self.whole(*left), self.whole(*right));
                let (left, right) = (Box::new(left), Box::new(right));
                (
                    Rel::SetOp {
                        op,
                        all,
                        left,
                        right,
                    },
                    identity(width),
                )
            }
            Rel::Recursive {
                id,
                all,
                base,
                step,
            } => {
                let width = base.width();
                let (base, step) = (Box::new(self.whole(*base)), Box::new(self.whole(*step)));
                (
                    Rel::Recursive {
                        id,
                        all,
                        base,
                        step,
                    },
                    identity(width),
                )
            }
            // Never reached: `narrow` leaves trees with an apply whole.
            rel @ Rel::Apply { .. } => {
                let width = rel.width();
                (rel, identity(width))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ColumnDef, TableDef};
    use crate::expr::{AggCall, AggFunc, BinOp, Subquery};
    use crate::plan::{Access, JoinKind, SortKey};
    use crate::query::{Executor, Row};
    use crate::spill::RowSet;
    use crate::types::{DataType, Value};
    use std::sync::Arc;

    fn table(id: u64, name: &str, width: usize) -> Arc<TableDef> {
        let columns = (0..width)
            .map(|i| ColumnDef::new(format!("c{i}"), DataType::Int8))
            .collect();
        Arc::new(TableDef {
            primary_key: vec![0],
            ..TableDef::plain(id, name.into(), columns)
        })
    }

    fn scan(table: &Arc<TableDef>, filter: Option<Expr>) -> Rel {
        Rel::Scan {
            table: table.clone(),
            alias: table.name.clone(),
            access: Access::Scan,
            filter: filter.map(Arc::new),
            project: None,
        }
    }

    fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
        Expr::Binary(op, Box::new(l), Box::new(r))
    }

    /// The table's rows: column `c` of row `i` holds `i * (c + 1) % 7` (column 0: `i`).
    fn rows(width: usize, n: i64) -> Vec<Row> {
        (0..n)
            .map(|i| {
                (0..width)
                    .map(|c| Value::Int(if c == 0 { i } else { i * (c as i64 + 1) % 7 }))
                    .collect()
            })
            .collect()
    }

    /// Runs `rel` with each scan given its table's rows cut as the scan's `project` says.
    fn run(rel: &Rel, data: &[(u64, Vec<Row>)]) -> Vec<Row> {
        let check = || Ok(());
        let mut executor = Executor::new(&[], 0, &check);
        for node in crate::query::scans(rel) {
            let Rel::Scan { table, project, .. } = node else {
                continue;
            };
            let (_, all) = data.iter().find(|(id, _)| *id == table.id).unwrap();
            let cut: Vec<Row> = all
                .iter()
                .map(|row| match project {
                    Some(project) => project.iter().map(|&c| row[c].clone()).collect(),
                    None => row.clone(),
                })
                .collect();
            executor.set_scan(node, RowSet::from(cut));
        }
        executor.run(rel, &[]).unwrap().rows().unwrap().to_vec()
    }

    #[test]
    fn scans_keep_the_columns_the_tree_reads_and_results_stay_equal() {
        let (a, b, c) = (table(1, "a", 6), table(2, "b", 5), table(3, "c", 4));
        // select a.c1, b.c3, count(*) from a join b on a.c0 = b.c2 and a.c4 < b.c1
        // where exists (select from c where c.c1 = a.c5) group by 1, 2 order by 1, 2
        let exists = Expr::Subquery(Arc::new(Subquery {
            kind: SubqueryKind::Exists,
            rel: Rel::Project {
                input: Box::new(Rel::Filter {
                    input: Box::new(scan(&c, None)),
                    predicate: bin(BinOp::Eq, Expr::Column(1), Expr::Outer(1, 5)),
                }),
                exprs: (0..4).map(Expr::Column).collect(),
            },
            reads: vec![5],
            reads_further: false,
        }));
        let join = Rel::Join {
            kind: JoinKind::Left,
            left: Box::new(scan(
                &a,
                Some(bin(BinOp::Gt, Expr::Column(3), Expr::Const(Value::Int(1)))),
            )),
            right: Box::new(scan(&b, None)),
            keys: vec![(Expr::Column(0), Expr::Column(2))],
            on: vec![bin(BinOp::Lt, Expr::Column(4), Expr::Column(7))],
        };
        let rel = Rel::Sort {
            input: Box::new(Rel::Aggregate {
                input: Box::new(Rel::Filter {
                    input: Box::new(join),
                    predicate: exists,
                }),
                keys: vec![Expr::Column(1), Expr::Column(9)],
                aggs: vec![AggCall {
                    func: AggFunc::CountStar,
                    arg: None,
                    arg_type: DataType::Int8,
                    result_type: DataType::Int8,
                    distinct: false,
                    filter: None,
                }],
            }),
            keys: vec![
                SortKey {
                    output: 0,
                    descending: false,
                    nulls_first: false,
                },
                SortKey {
                    output: 1,
                    descending: true,
                    nulls_first: true,
                },
            ],
        };
        let narrowed = narrow(&rel);
        let projects: Vec<Option<Vec<usize>>> = crate::query::scans(&narrowed)
            .iter()
            .map(|s| match s {
                Rel::Scan { project, .. } => project.clone(),
                _ => unreachable!(),
            })
            .collect();
        // c (in the subquery) reads c1 only; a: the key, c1, the join condition's c4, the
        // subquery's c5 (its filter c3 runs on the worker); b: key c2, c1 and c3.
        assert_eq!(
            projects,
            vec![Some(vec![1]), Some(vec![0, 1, 4, 5]), Some(vec![1, 2, 3])]
        );
        assert_eq!(narrowed.width(), rel.width());
        let data = [(1, rows(6, 300)), (2, rows(5, 200)), (3, rows(4, 3))];
        let expected = run(&rel, &data);
        assert!(expected.len() >= 4, "{expected:?}");
        assert_eq!(run(&narrowed, &data), expected);
    }

    #[test]
    fn trees_with_a_lateral_apply_are_left_whole() {
        let a = table(1, "a", 3);
        let rel = Rel::Apply {
            kind: JoinKind::Inner,
            left: Box::new(scan(&a, None)),
            right: Box::new(Rel::Values {
                rows: vec![vec![Expr::Outer(1, 2)]],
                width: 1,
            }),
            on: Vec::new(),
        };
        let rel = Rel::Project {
            input: Box::new(rel),
            exprs: vec![Expr::Column(3)],
        };
        assert_eq!(narrow(&rel), rel);
    }
}
