//! EXPLAIN: a query tree in PostgreSQL's text format.
//!
//! Each operator prints as PostgreSQL names the equivalent node (`Seq Scan`, `Index Scan`,
//! `Hash Join` over a `Hash`, `Merge Join` over two `Sort`s (`enable_hashjoin` off), `Nested
//! Loop`, `HashAggregate`, `Sort`, `Limit`, `WindowAgg`,
//! `Append`, `SubPlan` ...), with the detail lines PostgreSQL prints (`Filter:`, `Hash Cond:`,
//! `Merge Cond:`, `Group Key:`, `Sort Key:`). Projections are not nodes in PostgreSQL's output and are left
//! out here too. There is no cost model yet, so the lines look like PostgreSQL's `COSTS OFF`
//! form; with ANALYZE each node shows its actual rows and loops, and the statement its time.

use std::collections::HashMap;

use std::sync::Arc;

use crate::expr::{BinOp, Expr, Subquery, SubqueryKind, WindowFunc};
use crate::plan::{Access, JoinKind, Rel, SetOpKind};
use crate::types::{to_text, Value};

/// What one node did under EXPLAIN ANALYZE.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeStats {
    pub rows: u64,
    pub loops: u64,
    pub micros: u64,
    /// Time until the node's first row, over all loops (PostgreSQL's startup time: the
    /// first number of "actual time=startup..total"); a node whose rows are made all at once
    /// has its total here.
    pub startup_micros: u64,
    /// A hash aggregation's memory and partitions (its "Batches" line).
    pub hash: Option<crate::query::SpillStats>,
    /// A scan's rows its filter dropped (its "Rows Removed by Filter" line), where known.
    pub removed: Option<u64>,
    /// A join's pairs its filter turned down (its "Rows Removed by Join Filter" line).
    pub join_removed: Option<u64>,
}

/// " (actual [time=startup..total ]rows=.. loops=..)": a node's counts as EXPLAIN ANALYZE prints
/// them (per loop, as PostgreSQL), with times when `timing`.
pub fn actual(s: &NodeStats, timing: bool) -> String {
    let loops = s.loops.max(1);
    let time = if timing {
        let per_loop = |micros: u64| micros as f64 / 1000.0 / loops as f64;
        format!(
            "time={:.3}..{:.3} ",
            per_loop(s.startup_micros.min(s.micros)),
            per_loop(s.micros)
        )
    } else {
        String::new()
    };
    format!(" (actual {time}rows={} loops={})", s.rows / loops, s.loops)
}

/// Per-node statistics, by node address.
pub type Stats = HashMap<usize, NodeStats>;

struct Printer<'a> {
    lines: Vec<String>,
    stats: Option<&'a Stats>,
    /// Show each node's time (EXPLAIN ANALYZE's TIMING).
    timing: bool,
    /// Joins on equalities run as merge joins (`enable_hashjoin` off).
    merge_joins: bool,
    subplans: usize,
    /// Column names carry their table's name (the plan reads more than one table).
    qualify: bool,
    /// Extra indentation of a subplan's lines.
    base: usize,
    /// Scans read in key order under a LIMIT ([`crate::plan::top_scans`]), by address, whether
    /// backward, and the secondary index read (None: the primary key).
    ordered: Vec<(*const Rel, bool, Option<String>)>,
}

/// The plan's lines.
pub fn explain(rel: &Rel, stats: Option<&Stats>, timing: bool, merge_joins: bool) -> Vec<String> {
    let mut printer = Printer {
        lines: Vec::new(),
        stats,
        timing,
        merge_joins,
        subplans: 0,
        qualify: scans_shown(rel) > 1,
        base: 0,
        ordered: crate::plan::top_scans(rel)
            .into_iter()
            // A LIMIT whose value comes at run time is taken to be small enough.
            .filter(|top| match top.limit {
                Expr::Const(Value::Int(n)) => {
                    let offset = match top.offset {
                        Some(Expr::Const(Value::Int(o))) => *o,
                        _ => 0,
                    };
                    n.saturating_add(offset) <= crate::exec::ORDERED_READ_ROWS as i64
                }
                _ => true,
            })
            .filter_map(|top| {
                let order = top.order?;
                let backward = order.direction() == keel_storage::btree::Direction::Backward;
                let index = order.index().map(|index| index.name.clone());
                Some((top.scan as *const Rel, backward, index))
            })
            .collect(),
    };
    printer.node(rel, 0, true, &[]);
    printer.lines
}

/// The scans the plan shows: the tree's, and those of subqueries in scan filters (co-located
/// EXISTS, `crate::colocate`), which the tree's walk does not enter.
fn scans_shown(rel: &Rel) -> usize {
    let mut count = 0;
    rel.visit(&mut |node| {
        if let Rel::Scan { filter, .. } = node {
            count += 1;
            if let Some(filter) = filter {
                filter.visit(&mut |e| {
                    if let Expr::Subquery(sub) = e {
                        count += scans_shown(&sub.rel);
                    }
                });
            }
        }
    });
    count
}

/// Column names of a scan's table, for printing its filter and index conditions.
fn table_names(scan: &Rel, qualify: bool) -> Vec<String> {
    let Rel::Scan { table, alias, .. } = scan else {
        return Vec::new();
    };
    table
        .columns
        .iter()
        .map(|c| {
            if qualify {
                format!("{alias}.{}", c.name)
            } else {
                c.name.clone()
            }
        })
        .collect()
}

/// Column names of a node's output row, for printing expressions over it.
fn output_names(rel: &Rel, outer: &[Vec<String>], qualify: bool) -> Vec<String> {
    match rel {
        Rel::Scan {
            project: Some(project),
            ..
        } => {
            // Past the table's columns, its row key (`TableDef::row_key_column`), named as
            // PostgreSQL names the row by its place.
            let mut names = table_names(rel, qualify);
            names.push(match rel {
                Rel::Scan { alias, .. } if qualify => format!("{alias}.ctid"),
                _ => "ctid".into(),
            });
            project.iter().map(|&c| names[c].clone()).collect()
        }
        Rel::Scan { .. } => table_names(rel, qualify),
        Rel::Lookup { input, .. }
        | Rel::Filter { input, .. }
        | Rel::Distinct { input, .. }
        | Rel::Sort { input, .. }
        | Rel::Limit { input, .. } => output_names(input, outer, qualify),
        Rel::LockRows { input, width, .. } => {
            let mut names = output_names(input, outer, qualify);
            names.truncate(*width);
            names
        }
        Rel::Values { width, .. } | Rel::Constants { width, .. } => (1..=*width)
            .map(|i| format!("\"*VALUES*\".column{i}"))
            .collect(),
        Rel::Function {
            func, ordinality, ..
        } => {
            let mut names = vec![func.name().to_string(); func.width()];
            if *ordinality {
                names.push("ordinality".into());
            }
            names
        }
        Rel::Project { input, exprs } => {
            let names = output_names(input, outer, qualify);
            exprs.iter().map(|e| deparse(e, &names, outer)).collect()
        }
        Rel::Join { left, right, .. } | Rel::Apply { left, right, .. } => {
            let mut names = output_names(left, outer, qualify);
            names.extend(output_names(right, outer, qualify));
            names
        }
        Rel::Aggregate { input, keys, aggs } => {
            let names = output_names(input, outer, qualify);
            keys.iter()
                .map(|k| deparse(k, &names, outer))
                .chain(aggs.iter().map(|a| {
                    let func = a.func.name();
                    match &a.arg {
                        Some(arg) => format!("{func}({})", deparse(arg, &names, outer)),
                        None => "count(*)".into(),
                    }
                }))
                .collect()
        }
        Rel::Window { input, calls } => {
            let mut names = output_names(input, outer, qualify);
            names.extend(calls.iter().map(|c| window_name(&c.func)));
            names
        }
        Rel::ProjectSet { input, calls } => {
            let mut names = output_names(input, outer, qualify);
            names.extend(calls.iter().map(|(func, _)| format!("{}()", func.name())));
            names
        }
        Rel::SetOp { left, .. } | Rel::Recursive { base: left, .. } => {
            output_names(left, outer, qualify)
        }
        Rel::WorkTable { width, .. } => (1..=*width)
            .map(|i| format!("worktable.column{i}"))
            .collect(),
    }
}

fn window_name(func: &WindowFunc) -> String {
    match func {
        WindowFunc::Agg(call) => format!("{:?}", call.func).to_lowercase(),
        WindowFunc::Shift { forward: true } => "lead".into(),
        WindowFunc::Shift { forward: false } => "lag".into(),
        other => {
            let name = format!("{other:?}");
            // CamelCase to snake_case.
            let mut out = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_uppercase() && i > 0 {
                    out.push('_');
                }
                out.extend(c.to_lowercase());
            }
            out
        }
    }
}

fn op_symbol(op: &BinOp) -> &'static str {
    match op {
        BinOp::Add(_) => "+",
        BinOp::Sub(_) => "-",
        BinOp::Mul(_) => "*",
        BinOp::Div(_) => "/",
        BinOp::Mod(_) => "%",
        BinOp::Concat => "||",
        BinOp::Json(op, _) => op.symbol(),
        BinOp::Bit(op, _) => op.symbol(),
        BinOp::Regex {
            insensitive,
            negated,
        } => match (negated, insensitive) {
            (false, false) => "~",
            (false, true) => "~*",
            (true, false) => "!~",
            (true, true) => "!~*",
        },
        BinOp::Eq => "=",
        BinOp::NotEq => "<>",
        BinOp::Lt => "<",
        BinOp::LtEq => "<=",
        BinOp::Gt => ">",
        BinOp::GtEq => ">=",
        BinOp::And => "AND",
        BinOp::Or => "OR",
        BinOp::Time(crate::datetime::TimeOp::SubDays | crate::datetime::TimeOp::SubInterval)
        | BinOp::Time(
            crate::datetime::TimeOp::DiffDays | crate::datetime::TimeOp::DiffTimestamps,
        )
        | BinOp::Time(crate::datetime::TimeOp::IntervalSub) => "-",
        BinOp::Time(crate::datetime::TimeOp::IntervalMul) => "*",
        BinOp::Time(crate::datetime::TimeOp::IntervalDiv) => "/",
        BinOp::Time(_) => "+",
    }
}

/// An expression in PostgreSQL's EXPLAIN style.
pub fn deparse(expr: &Expr, names: &[String], outer: &[Vec<String>]) -> String {
    let go = |e: &Expr| deparse(e, names, outer);
    match expr {
        Expr::Const(Value::Null) => "NULL".into(),
        Expr::Const(Value::Bool(b)) => b.to_string(),
        Expr::Const(value @ (Value::Int(_) | Value::Float(_))) => {
            to_text(value, crate::types::DataType::Int8)
        }
        // An array constant's elements are of the type the other side of its operator gives.
        Expr::Const(value @ Value::Array(_)) => {
            format!(
                "'{}'",
                to_text(value, crate::types::DataType::Text).replace('\'', "''")
            )
        }
        Expr::Const(value) => {
            let (text, ty) = match value {
                Value::Numeric(_) | Value::BigNumeric(_) => {
                    (to_text(value, crate::types::DataType::Numeric), "numeric")
                }
                Value::Date(_) => (to_text(value, crate::types::DataType::Date), "date"),
                Value::Interval(_) => {
                    (to_text(value, crate::types::DataType::Interval), "interval")
                }
                Value::Timestamp(_) => (
                    to_text(value, crate::types::DataType::Timestamp),
                    "timestamp without time zone",
                ),
                _ => (to_text(value, crate::types::DataType::Text), "text"),
            };
            format!("'{}'::{ty}", text.replace('\'', "''"))
        }
        Expr::Column(i) | Expr::Group(i) | Expr::Agg(i) => {
            names.get(*i).cloned().unwrap_or_else(|| format!("${i}"))
        }
        Expr::Outer(depth, i) => outer
            .len()
            .checked_sub(*depth)
            .and_then(|level| outer[level].get(*i))
            .cloned()
            .unwrap_or_else(|| format!("outer.{i}")),
        Expr::Param(i) => format!("${}", i + 1),
        // jsonb operands of jsonb operators, text[] keys of `?|` and `?&`, by their types.
        Expr::Binary(BinOp::Json(op, true), l, r) => {
            use crate::json::JsonOp;
            let typed = |e: &Expr| match (op, e) {
                (
                    JsonOp::Contains | JsonOp::ContainedIn | JsonOp::Concat,
                    Expr::Const(Value::Text(t)),
                ) => {
                    format!("'{}'::jsonb", t.replace('\'', "''"))
                }
                (JsonOp::HasAny | JsonOp::HasAll, Expr::Const(Value::Array(_))) => {
                    format!("{}::text[]", go(e))
                }
                _ => go(e),
            };
            format!("({} {} {})", typed(l), op.symbol(), typed(r))
        }
        Expr::Binary(op, l, r) => format!("({} {} {})", go(l), op_symbol(op), go(r)),
        Expr::Not(inner) => format!("(NOT {})", go(inner)),
        Expr::Neg(inner, _) => format!("(- {})", go(inner)),
        Expr::IsNull(inner, negated) => {
            format!(
                "({} IS {}NULL)",
                go(inner),
                if *negated { "NOT " } else { "" }
            )
        }
        Expr::Cast(inner, _, to, _) => format!("({})::{}", go(inner), to.name()),
        Expr::Domain(coerce, inner) => format!("({})::{}", go(inner), coerce.name),
        Expr::Func(crate::expr::Func::Field(_, name), args) if args.len() == 1 => {
            format!("({}).{name}", go(&args[0]))
        }
        Expr::Func(func, args) => format!(
            "{}({})",
            format!("{func:?}").to_lowercase(),
            args.iter().map(go).collect::<Vec<_>>().join(", ")
        ),
        // A cast through the session's zone prints as the cast.
        Expr::Scalar(crate::functions::Scalar::Zoned(crate::tz::ZoneOp::Cast(_, to, _)), args)
            if args.len() == 2 =>
        {
            format!("({})::{}", go(&args[1]), to.name())
        }
        Expr::Scalar(
            crate::functions::Scalar::Array(crate::array::ArrayFn::Compare { op, all }),
            args,
        ) if args.len() == 2 => format!(
            "({} {} {} ({}))",
            go(&args[0]),
            op.symbol(),
            if *all { "ALL" } else { "ANY" },
            go(&args[1])
        ),
        Expr::Scalar(
            crate::functions::Scalar::Array(crate::array::ArrayFn::Match { op, negated, all }),
            args,
        ) if args.len() == 2 => format!(
            "({} {} {} ({}))",
            go(&args[0]),
            op.symbol(*negated),
            if *all { "ALL" } else { "ANY" },
            go(&args[1])
        ),
        // anyarray's `@>` and `&&`; a constant of text elements as text[].
        Expr::Scalar(
            crate::functions::Scalar::Array(
                func @ (crate::array::ArrayFn::Contains | crate::array::ArrayFn::Overlaps),
            ),
            args,
        ) if args.len() == 2 => {
            let typed = |e: &Expr| match e {
                Expr::Const(Value::Array(array))
                    if array.items.iter().any(|v| matches!(v, Value::Text(_))) =>
                {
                    format!("{}::text[]", go(e))
                }
                _ => go(e),
            };
            let symbol = match func {
                crate::array::ArrayFn::Contains => "@>",
                _ => "&&",
            };
            format!("({} {symbol} {})", typed(&args[0]), typed(&args[1]))
        }
        Expr::Scalar(func, args) => format!(
            "{}({})",
            format!("{func:?}").to_lowercase(),
            args.iter().map(go).collect::<Vec<_>>().join(", ")
        ),
        Expr::Sequence(call, args) => {
            let mut parts: Vec<String> = call
                .seq
                .iter()
                .map(|seq| format!("'{}'::regclass", seq.name))
                .collect();
            parts.extend(args.iter().map(go));
            format!("{}({})", call.func.name(), parts.join(", "))
        }
        // As PostgreSQL shows a list: an array constant when every item is a constant.
        Expr::InList(inner, list, negated, _) => {
            let constants: Option<Vec<Value>> = list
                .iter()
                .map(|item| match item {
                    Expr::Const(value) => Some(value.clone()),
                    _ => None,
                })
                .collect();
            let items = match constants {
                Some(values) => go(&Expr::Const(Value::Array(Box::new(
                    crate::array::Array::one_dim(values),
                )))),
                None => format!(
                    "ARRAY[{}]",
                    list.iter().map(go).collect::<Vec<_>>().join(", ")
                ),
            };
            let op = if *negated { "<> ALL" } else { "= ANY" };
            format!("({} {op} ({items}))", go(inner))
        }
        Expr::InKeys(inner, filter) => format!(
            "({} = ANY (keys of {}: {}))",
            go(inner),
            filter.source,
            filter.keys.len()
        ),
        Expr::StatementTime => "now()".into(),
        Expr::Window(i) => format!("window.{i}"),
        Expr::SetFn(i) => format!("srf.{i}"),
        Expr::Subquery(sub) => match &sub.kind {
            SubqueryKind::Exists => "(SubPlan)".into(),
            SubqueryKind::Scalar => "(SubPlan)".into(),
            SubqueryKind::Array => "ARRAY(SubPlan)".into(),
            SubqueryKind::Compare { left, op, all } => format!(
                "({} {} {}(SubPlan))",
                go(left),
                op_symbol(op),
                if *all { "ALL " } else { "ANY " }
            ),
        },
        Expr::Case(..) => "CASE ... END".into(),
        Expr::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
            ..
        } => format!(
            "({} {}{} {})",
            go(expr),
            if *negated { "!" } else { "" },
            if *case_insensitive { "~~*" } else { "~~" },
            go(pattern)
        ),
    }
}

/// A scan's `filter` without the conjuncts `conds` its access reads as its index condition.
fn without_conds(filter: Option<Expr>, conds: &[Expr]) -> Option<Expr> {
    let mut rest = Vec::new();
    crate::planner::conjuncts(filter?, &mut rest);
    rest.retain(|c| !conds.contains(c));
    crate::planner::and_all(rest)
}

fn conjunction(exprs: &[Expr], names: &[String], outer: &[Vec<String>]) -> String {
    exprs
        .iter()
        .map(|e| deparse(e, names, outer))
        .collect::<Vec<_>>()
        .join(" AND ")
}

impl Printer<'_> {
    /// What `rel` did (nothing recorded: zeros).
    fn stat(&self, stats: &Stats, rel: &Rel) -> NodeStats {
        stats
            .get(&(rel as *const Rel as usize))
            .copied()
            .unwrap_or_default()
    }

    fn push(&mut self, depth: usize, first: bool, text: String, rel: &Rel) {
        let indent = " ".repeat(if depth == 0 { 0 } else { depth * 6 - 4 } + self.base);
        let arrow = if depth == 0 || !first { "" } else { "->  " };
        let mut line = format!("{indent}{arrow}{text}");
        if let Some(stats) = self.stats {
            line.push_str(&self.actual(&self.stat(stats, rel)));
        }
        self.lines.push(line);
    }

    /// A line for a node that is not a `Rel` of its own (a join's Hash, a union's Append).
    fn inner_node(&mut self, depth: usize, text: &str) {
        self.inner_node_with(depth, text, None);
    }

    /// [`inner_node`](Self::inner_node) with the counts EXPLAIN ANALYZE shows for it.
    fn inner_node_with(&mut self, depth: usize, text: &str, stats: Option<NodeStats>) {
        let indent = " ".repeat(depth * 6 - 4 + self.base);
        let actual = stats.map_or(String::new(), |s| self.actual(&s));
        self.lines.push(format!("{indent}->  {text}{actual}"));
    }

    /// " (actual [time=..] rows=.. loops=..)" for a node's counts.
    fn actual(&self, s: &NodeStats) -> String {
        actual(s, self.timing)
    }

    /// A join's "Rows Removed by Join Filter" line under ANALYZE (PostgreSQL leaves out 0).
    fn join_removed(&mut self, depth: usize, join: &Rel) {
        let removed = self.stats.and_then(|stats| {
            let s = self.stat(stats, join);
            s.join_removed.map(|removed| removed / s.loops.max(1))
        });
        if let Some(removed) = removed.filter(|&r| r > 0) {
            self.detail(depth, format!("Rows Removed by Join Filter: {removed}"));
        }
    }

    fn detail(&mut self, depth: usize, text: String) {
        let indent = if depth == 0 { 2 } else { depth * 6 + 2 } + self.base;
        self.lines.push(format!("{}{text}", " ".repeat(indent)));
    }

    /// Prints `rel` (and its subplans); `filters` are conditions of transparent parents.
    fn node(&mut self, rel: &Rel, depth: usize, arrow: bool, outer: &[Vec<String>]) {
        let qualify = self.qualify;
        let names_of = |r: &Rel| output_names(r, outer, qualify);
        let mut subplans: Vec<Arc<Subquery>> = Vec::new();
        let mut collect = |exprs: &[&Expr]| {
            for e in exprs {
                e.visit(&mut |x| {
                    if let Expr::Subquery(sub) = x {
                        subplans.push(sub.clone());
                    }
                });
            }
        };
        match rel {
            Rel::Project { input, exprs } => {
                collect(&exprs.iter().collect::<Vec<_>>());
                self.node(input, depth, arrow, outer);
                self.print_subplans(subplans, depth, rel, outer);
                return;
            }
            Rel::Filter { input, predicate } => {
                // PostgreSQL attaches a filter to the node it filters.
                collect(&[predicate]);
                let names = names_of(input);
                let at = self.lines.len();
                self.node(input, depth, arrow, outer);
                let indent = if depth == 0 { 2 } else { depth * 6 + 2 } + self.base;
                let line = format!(
                    "{}Filter: {}",
                    " ".repeat(indent),
                    deparse(predicate, &names, outer)
                );
                self.lines.insert(at + 1, line);
                // What the filter dropped: its input's rows less its own.
                if let Some(stats) = self.stats {
                    let (input, kept) = (self.stat(stats, input), self.stat(stats, rel));
                    if input.loops > 0 && kept.loops > 0 && input.rows > kept.rows {
                        let removed = (input.rows - kept.rows) / input.loops;
                        self.lines.insert(
                            at + 2,
                            format!("{}Rows Removed by Filter: {removed}", " ".repeat(indent)),
                        );
                    }
                }
                self.print_subplans(subplans, depth, rel, outer);
                return;
            }
            _ => {}
        }
        match rel {
            Rel::Scan {
                table,
                alias,
                access,
                filter,
                ..
            } => {
                let names = table_names(rel, self.qualify);
                let target = if *alias == table.name {
                    table.name.clone()
                } else {
                    format!("{} {alias}", table.name)
                };
                let mut filter = filter.as_deref().cloned();
                // Read in key order: PostgreSQL's scan of the primary key's index, or of the
                // secondary index read in order.
                let ordered = self
                    .ordered
                    .iter()
                    .find(|(scan, ..)| std::ptr::eq(*scan, rel));
                let backward = match ordered {
                    Some((_, true, _)) => " Backward",
                    _ => "",
                };
                let index_scan =
                    |name: &str| format!("Index Scan{backward} using {name} on {target}");
                let pkey_scan = match ordered {
                    Some((_, _, Some(index))) => index_scan(index),
                    _ => index_scan(&table.pkey_name()),
                };
                // A GIN read's Bitmap Index Scan, printed below the heap scan's details.
                let mut bitmap = None;
                match access {
                    Access::Gin { index, conds, .. } => {
                        self.push(depth, arrow, format!("Bitmap Heap Scan on {target}"), rel);
                        let cond: Vec<String> =
                            conds.iter().map(|c| deparse(c, &names, outer)).collect();
                        let cond = cond.join(" AND ");
                        self.detail(depth, format!("Recheck Cond: {cond}"));
                        filter = without_conds(filter.take(), conds);
                        bitmap = Some((format!("Bitmap Index Scan on {}", index.name), cond));
                    }
                    Access::Scan if ordered.is_some() => self.push(depth, arrow, pkey_scan, rel),
                    Access::Scan => self.push(depth, arrow, format!("Seq Scan on {target}"), rel),
                    Access::Key(values) => {
                        self.push(
                            depth,
                            arrow,
                            format!("Index Scan using {} on {target}", table.pkey_name()),
                            rel,
                        );
                        // The key's own equalities are the index condition, not a filter.
                        if let Some(f) = filter.take() {
                            let mut rest = Vec::new();
                            crate::planner::conjuncts(f, &mut rest);
                            rest.retain(|c| {
                                !matches!(c, Expr::Binary(BinOp::Eq, l, r)
                                    if matches!(**l, Expr::Column(col) if table.primary_key.contains(&col))
                                        && values.contains(r))
                            });
                            filter = crate::planner::and_all(rest);
                        }
                        let conds: Vec<String> = table
                            .primary_key
                            .iter()
                            .zip(values)
                            .map(|(&c, v)| {
                                format!("({} = {})", names[c], deparse(v, &names, outer))
                            })
                            .collect();
                        self.detail(depth, format!("Index Cond: {}", conds.join(" AND ")));
                    }
                    Access::Index { conds, .. }
                    | Access::Range { conds, .. }
                    | Access::Keys { conds, .. } => {
                        let line = match access {
                            Access::Index { index, .. }
                            | Access::Keys {
                                index: Some(index), ..
                            } => index_scan(&index.name),
                            _ => pkey_scan,
                        };
                        self.push(depth, arrow, line, rel);
                        // The access's conjuncts are the index condition, not a filter.
                        filter = without_conds(filter.take(), conds);
                        let conds: Vec<String> =
                            conds.iter().map(|c| deparse(c, &names, outer)).collect();
                        let cond = match &conds[..] {
                            [] => None,
                            [one] => Some(one.clone()),
                            many => Some(format!("({})", many.join(" AND "))),
                        };
                        if let Some(cond) = cond {
                            self.detail(depth, format!("Index Cond: {cond}"));
                        }
                    }
                }
                if let Some(filter) = filter {
                    self.detail(
                        depth,
                        format!("Filter: {}", deparse(&filter, &names, outer)),
                    );
                    // PostgreSQL leaves out a count of 0 in the text format.
                    let removed = self.stats.and_then(|stats| {
                        let s = self.stat(stats, rel);
                        s.removed.map(|removed| removed / s.loops.max(1))
                    });
                    if let Some(removed) = removed.filter(|&r| r > 0) {
                        self.detail(depth, format!("Rows Removed by Filter: {removed}"));
                    }
                    // A co-located EXISTS the workers run (`crate::colocate`).
                    collect(&[&filter]);
                }
                if let Some((line, cond)) = bitmap {
                    self.inner_node(depth + 1, &line);
                    self.detail(depth + 1, format!("Index Cond: {cond}"));
                }
            }
            Rel::Lookup {
                input,
                columns,
                probes,
            } => {
                let names = names_of(input);
                self.push(depth, arrow, "Hash Lookup".into(), rel);
                let conds: Vec<String> = columns
                    .iter()
                    .zip(probes)
                    .map(|(&c, p)| format!("({} = {})", names[c], deparse(p, &names, outer)))
                    .collect();
                self.detail(depth, format!("Lookup Cond: {}", conds.join(" AND ")));
                self.node(input, depth + 1, true, outer);
            }
            Rel::Values { rows, width } => {
                if *width == 0 && rows.len() == 1 {
                    self.push(depth, arrow, "Result".into(), rel);
                } else {
                    self.push(depth, arrow, "Values Scan on \"*VALUES*\"".into(), rel);
                }
            }
            Rel::Constants { .. } => {
                self.push(depth, arrow, "Values Scan on \"*VALUES*\"".into(), rel);
            }
            Rel::Function { func, .. } => {
                let name = func.name();
                self.push(depth, arrow, format!("Function Scan on {name}"), rel);
            }
            Rel::Join {
                kind,
                left,
                right,
                keys,
                on,
            } => {
                collect(&on.iter().collect::<Vec<_>>());
                let kind_name = match kind {
                    JoinKind::Inner => "",
                    JoinKind::Left => " Left",
                    JoinKind::Right => " Right",
                    JoinKind::Full => " Full",
                };
                let mut names = names_of(left);
                let right_names = names_of(right);
                names.extend(right_names.iter().cloned());
                if keys.is_empty() {
                    self.push(
                        depth,
                        arrow,
                        format!("Nested Loop{kind_name} Join")
                            .replace("Nested Loop Join", "Nested Loop"),
                        rel,
                    );
                    if !on.is_empty() {
                        self.detail(
                            depth,
                            format!("Join Filter: {}", conjunction(on, &names, outer)),
                        );
                        self.join_removed(depth, rel);
                    }
                    self.node(left, depth + 1, true, outer);
                    self.node(right, depth + 1, true, outer);
                } else {
                    let method = if self.merge_joins { "Merge" } else { "Hash" };
                    self.push(depth, arrow, format!("{method}{kind_name} Join"), rel);
                    let left_names = names_of(left);
                    let conds: Vec<String> = keys
                        .iter()
                        .map(|(l, r)| {
                            format!(
                                "({} = {})",
                                deparse(l, &left_names, outer),
                                deparse(r, &right_names, outer)
                            )
                        })
                        .collect();
                    self.detail(depth, format!("{method} Cond: {}", conds.join(" AND ")));
                    if !on.is_empty() {
                        self.detail(
                            depth,
                            format!("Join Filter: {}", conjunction(on, &names, outer)),
                        );
                        self.join_removed(depth, rel);
                    }
                    if self.merge_joins {
                        // Each input is sorted on its key: a Sort over it, with its counts.
                        for (input, names, left_side) in
                            [(left, &left_names, true), (right, &right_names, false)]
                        {
                            let sorted = self.stats.map(|stats| self.stat(stats, input));
                            self.inner_node_with(depth + 1, "Sort", sorted);
                            let sort_keys: Vec<String> = keys
                                .iter()
                                .map(|(l, r)| deparse(if left_side { l } else { r }, names, outer))
                                .collect();
                            let sort_keys = sort_keys.join(", ");
                            self.detail(depth + 1, format!("Sort Key: {sort_keys}"));
                            self.node(input, depth + 2, true, outer);
                        }
                    } else {
                        self.node(left, depth + 1, true, outer);
                        // The Hash holds the right input's rows: under ANALYZE it shows that
                        // input's counts (and time, most of what building the table costs).
                        let build = self.stats.map(|stats| self.stat(stats, right));
                        self.inner_node_with(depth + 1, "Hash", build);
                        // A grace hash join's partitions (PostgreSQL's batches) and its largest
                        // in-memory partition.
                        let hash = self
                            .stats
                            .and_then(|s| s.get(&(rel as *const Rel as usize)))
                            .and_then(|s| s.hash);
                        if let Some(hash) = hash {
                            self.detail(
                                depth + 1,
                                format!(
                                    "Batches: {}  Memory Usage: {}kB  Disk Usage: {}kB",
                                    hash.partitions,
                                    hash.peak.div_ceil(1024),
                                    hash.bytes.div_ceil(1024)
                                ),
                            );
                        }
                        self.node(right, depth + 2, true, outer);
                    }
                }
            }
            Rel::Apply {
                kind,
                left,
                right,
                on,
            } => {
                let kind_name = if *kind == JoinKind::Left {
                    " Left Join"
                } else {
                    ""
                };
                self.push(depth, arrow, format!("Nested Loop{kind_name}"), rel);
                if !on.is_empty() {
                    let mut names = names_of(left);
                    names.extend(names_of(right));
                    self.detail(
                        depth,
                        format!("Join Filter: {}", conjunction(on, &names, outer)),
                    );
                }
                self.node(left, depth + 1, true, outer);
                self.node(right, depth + 1, true, outer);
            }
            Rel::Aggregate { input, keys, .. } => {
                let names = names_of(input);
                let kind = if keys.is_empty() {
                    "Aggregate"
                } else {
                    "HashAggregate"
                };
                // An aggregate the workers compute in parts prints as PostgreSQL names the two
                // halves of a parallel aggregate.
                let partial = crate::query::pushable_aggregate(rel);
                let title = if partial {
                    format!("Finalize {kind}")
                } else {
                    kind.to_string()
                };
                self.push(depth, arrow, title, rel);
                if !keys.is_empty() {
                    let keys: Vec<String> =
                        keys.iter().map(|k| deparse(k, &names, outer)).collect();
                    self.detail(depth, format!("Group Key: {}", keys.join(", ")));
                }
                let hash = self
                    .stats
                    .and_then(|s| s.get(&(rel as *const Rel as usize)));
                if let Some(hash) = hash.and_then(|s| s.hash).filter(|_| !keys.is_empty()) {
                    // PostgreSQL counts the first pass as a batch too.
                    let mut line = format!(
                        "Batches: {}  Memory Usage: {}kB",
                        hash.partitions + 1,
                        hash.peak.div_ceil(1024)
                    );
                    if hash.partitions > 0 {
                        line.push_str(&format!("  Disk Usage: {}kB", hash.bytes.div_ceil(1024)));
                    }
                    self.detail(depth, line);
                }
                if partial {
                    self.inner_node(depth + 1, &format!("Partial {kind} (on each worker)"));
                    // The scan runs on the workers: no session-side counts to show.
                    let stats = self.stats.take();
                    self.node(input, depth + 2, true, outer);
                    self.stats = stats;
                } else {
                    self.node(input, depth + 1, true, outer);
                }
            }
            Rel::Window { input, .. } => {
                self.push(depth, arrow, "WindowAgg".into(), rel);
                self.node(input, depth + 1, true, outer);
            }
            Rel::ProjectSet { input, .. } => {
                self.push(depth, arrow, "ProjectSet".into(), rel);
                self.node(input, depth + 1, true, outer);
            }
            Rel::Distinct { input, .. } => {
                self.push(depth, arrow, "Unique".into(), rel);
                self.node(input, depth + 1, true, outer);
            }
            Rel::Sort { input, keys } => {
                let names = names_of(input);
                self.push(depth, arrow, "Sort".into(), rel);
                let keys: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        let mut text = names.get(k.output).cloned().unwrap_or_default();
                        if k.descending {
                            text.push_str(" DESC");
                        }
                        if k.nulls_first != k.descending {
                            text.push_str(if k.nulls_first {
                                " NULLS FIRST"
                            } else {
                                " NULLS LAST"
                            });
                        }
                        text
                    })
                    .collect();
                self.detail(depth, format!("Sort Key: {}", keys.join(", ")));
                self.node(input, depth + 1, true, outer);
            }
            Rel::Limit { input, .. } => {
                self.push(depth, arrow, "Limit".into(), rel);
                self.node(input, depth + 1, true, outer);
            }
            // PostgreSQL's Limit above its LockRows, which this node folds in.
            Rel::LockRows {
                input,
                limit,
                offset,
                ..
            } => {
                let limited = limit.is_some() || offset.is_some();
                if limited {
                    self.push(depth, arrow, "Limit".into(), rel);
                    self.inner_node(depth + 1, "LockRows");
                } else {
                    self.push(depth, arrow, "LockRows".into(), rel);
                }
                self.node(input, depth + 1 + limited as usize, true, outer);
            }
            Rel::SetOp {
                op,
                all,
                left,
                right,
            } => {
                let name = match (op, all) {
                    (SetOpKind::Union, true) => "Append".to_string(),
                    (SetOpKind::Union, false) => "HashAggregate".to_string(),
                    (SetOpKind::Intersect, all) => {
                        format!("HashSetOp Intersect{}", if *all { " All" } else { "" })
                    }
                    (SetOpKind::Except, all) => {
                        format!("HashSetOp Except{}", if *all { " All" } else { "" })
                    }
                };
                self.push(depth, arrow, name, rel);
                if (*op, *all) == (SetOpKind::Union, false) {
                    self.inner_node(depth + 1, "Append");
                    self.node(left, depth + 2, true, outer);
                    self.node(right, depth + 2, true, outer);
                } else {
                    self.node(left, depth + 1, true, outer);
                    self.node(right, depth + 1, true, outer);
                }
            }
            Rel::Recursive { base, step, .. } => {
                self.push(depth, arrow, "Recursive Union".into(), rel);
                self.node(base, depth + 1, true, outer);
                self.node(step, depth + 1, true, outer);
            }
            Rel::WorkTable { .. } => self.push(depth, arrow, "WorkTable Scan".into(), rel),
            Rel::Project { .. } | Rel::Filter { .. } => unreachable!("handled above"),
        }
        self.print_subplans(subplans, depth, rel, outer);
    }

    fn print_subplans(
        &mut self,
        subplans: Vec<Arc<Subquery>>,
        depth: usize,
        rel: &Rel,
        outer: &[Vec<String>],
    ) {
        if subplans.is_empty() {
            return;
        }
        let mut stack = outer.to_vec();
        // A scan's subplans are in its filter, which reads the table's columns.
        stack.push(match rel {
            Rel::Scan { .. } => table_names(rel, self.qualify),
            _ => output_names(rel, outer, self.qualify),
        });
        for sub in subplans {
            self.subplans += 1;
            let indent = if depth == 0 { 2 } else { depth * 6 + 2 } + self.base;
            self.lines
                .push(format!("{}SubPlan {}", " ".repeat(indent), self.subplans));
            // A subplan's tree sits two columns right of its SubPlan line.
            self.base += 2;
            self.node(&sub.rel, depth + 1, true, &stack);
            self.base -= 2;
        }
    }
}
