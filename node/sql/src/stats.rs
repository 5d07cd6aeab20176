//! Table statistics from ANALYZE, computed as PostgreSQL 15's `analyze.c` computes them.
//!
//! ANALYZE keeps a uniform sample of at most [`SAMPLE_ROWS`] rows, read as PostgreSQL reads a
//! table's blocks: each worker lists its leaves' key ranges from the trees' inner nodes, picks at
//! most its share of [`SAMPLE_ROWS`] leaves at random ([`sample_leaves`], [`sample_indexes`]: all
//! of them in a smaller table), and reads only those, keeping a reservoir of their visible rows
//! ([`reservoir_slot`], decoding only the rows it takes); its row count is extrapolated from the
//! leaves read, as `reltuples` is from the blocks. The session merges the reservoirs in
//! proportion to the workers' rows ([`merge_samples`]); a table of at most [`SAMPLE_ROWS`] rows
//! is sampled whole. Per column, from the sample ([`analyze_column`], after
//! `compute_scalar_stats`):
//!
//! - `null_frac`: the sample's share of NULLs; `avg_width`: the mean stored size of the non-NULL
//!   values, in PostgreSQL's representation ([`stored_width`]), truncated;
//! - `n_distinct`: the sample's distinct values if every one of them appears more than once,
//!   `-(1 - null_frac)` if none repeats (a unique column), else the Haas-Stokes Duj1 estimate
//!   `n d / (n - f1 + f1 n / N)`; an estimate above a tenth of the rows is stored negated as a
//!   fraction of the rows (it grows with the table);
//! - the most common values: values seen more than once, most frequent first (ties in value
//!   order), all of them when the whole table was sampled, else only those whose count is
//!   significantly above the average of the rest (`analyze_mcv_list`: more than that average plus
//!   two standard deviations of a hypergeometric count);
//! - the histogram: up to [`TARGET`] + 1 bounds, evenly spaced over the sorted non-MCV values;
//! - `correlation` between the values' order and the order the rows were read in.
//!
//! The planner reads them through [`TableStats`]: rows, distinct values and the selectivity of a
//! comparison with a constant (`eqsel`/`scalarineqsel` with MCVs and the histogram).
//!
//! Statistics are node-wide and not transactional (an ANALYZE is seen at once by every session),
//! kept in memory by table id and written to `DATA_DIR/keel.stats` after each ANALYZE
//! (written whole to a new file, then renamed over the old one).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use keel_storage::TableId;

use crate::catalog::TableDef;
use crate::expr::{BinOp, EvalContext, Expr};
use crate::join_order::column_of;
use crate::types::{compare, decode_row, encode_row, DataType, Value};

/// `default_statistics_target`: MCV entries and histogram buckets per column.
pub const TARGET: usize = 100;

/// Rows sampled per table: 300 times the target, as PostgreSQL.
pub const SAMPLE_ROWS: usize = 300 * TARGET;

/// One column's statistics (a `pg_stats` row).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnStats {
    /// The column as it was when analyzed (name, type): statistics follow the column, not its
    /// position, through ALTER TABLE ([`TableStats::of`]).
    pub name: String,
    pub ty: String,
    pub null_frac: f64,
    pub avg_width: i32,
    /// Distinct values: positive, a count; negative, minus a fraction of the rows.
    pub n_distinct: f64,
    pub mcv: Vec<Value>,
    pub mcv_freqs: Vec<f64>,
    pub histogram: Vec<Value>,
    pub correlation: Option<f64>,
}

/// A table's statistics: its row count when analyzed and each column's (by position; None for
/// a column added since).
#[derive(Debug, Clone, PartialEq)]
pub struct TableStats {
    pub reltuples: f64,
    pub columns: Vec<Option<ColumnStats>>,
}

/// Where a reservoir sample of [`SAMPLE_ROWS`] puts the row it sees after `seen` others
/// (Algorithm R: the first rows fill it; row n replaces a random slot with probability
/// `SAMPLE_ROWS / n`); None: the row is not taken. The random choice is a hash of the row's
/// number and the worker, so one table analyzed twice gives the same statistics and a worker
/// keeps no state between the parts of its sample.
pub fn reservoir_slot(worker: u16, seen: u64) -> Option<usize> {
    if seen < SAMPLE_ROWS as u64 {
        return Some(seen as usize);
    }
    let slot = mix(worker, seen) % (seen + 1);
    (slot < SAMPLE_ROWS as u64).then_some(slot as usize)
}

/// splitmix64 of (`worker`, `n`): the sample's random numbers, the same on every run.
fn mix(worker: u16, n: u64) -> u64 {
    splitmix_finish(n ^ (u64::from(worker) << 48) ^ 0x9E37_79B9_7F4A_7C15)
}

/// splitmix64's output mix: spreads `z`'s bits over the whole word (also TABLESAMPLE
/// REPEATABLE's row hash, `crate::expr`).
pub(crate) fn splitmix_finish(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Leaves (or any items) ANALYZE reads on a worker: the node-wide [`SAMPLE_ROWS`] shared
/// evenly, as PostgreSQL reads 300 x the target blocks of a table.
pub fn sample_leaves(workers: usize) -> usize {
    SAMPLE_ROWS.div_ceil(workers.max(1))
}

/// `k` of the indexes `0..n` chosen uniformly at random (all of them when `k >= n`), in
/// increasing order: Knuth's selection sampling (Algorithm S), index `i` taken with probability
/// (still wanted) / (still left), its random number mixed from (`worker`, `i`).
pub fn sample_indexes(worker: u16, n: usize, k: usize) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    let mut chosen = Vec::with_capacity(k);
    for i in 0..n {
        let wanted = (k - chosen.len()) as u64;
        if wanted == 0 {
            break;
        }
        let left = (n - i) as u64;
        if mix(worker, i as u64) % left < wanted {
            chosen.push(i);
        }
    }
    chosen
}

/// One sample from the workers' reservoirs (`reservoirs[w]` holds worker w's sample of the
/// `seen[w]` rows it has): each worker gives a share of [`SAMPLE_ROWS`] in proportion to its
/// rows (any set of a reservoir's slots is a uniform sample of that worker's rows).
pub fn merge_samples(reservoirs: Vec<Vec<Vec<Value>>>, seen: &[u64]) -> Vec<Vec<Value>> {
    let total: u64 = seen.iter().sum();
    let held: usize = reservoirs.iter().map(Vec::len).sum();
    if total <= SAMPLE_ROWS as u64 {
        return reservoirs.into_iter().flatten().collect();
    }
    let mut out = Vec::with_capacity(SAMPLE_ROWS);
    let mut given = 0u64;
    let mut before = 0u64;
    for (w, (rows, &n)) in reservoirs.into_iter().zip(seen).enumerate() {
        // Cumulative rounding, so the shares add up to SAMPLE_ROWS exactly.
        before += n;
        let upto = (before as u128 * SAMPLE_ROWS.min(held) as u128 / total as u128) as u64;
        let share = (upto - given) as usize;
        given = upto;
        // A random choice of the reservoir's rows, in their order: one that never filled holds
        // them in the order they were read, so its first slots would be the first rows read.
        let mut keep = sample_indexes(w as u16 ^ 0x8000, rows.len(), share)
            .into_iter()
            .peekable();
        out.extend(
            rows.into_iter()
                .enumerate()
                .filter(|(i, _)| keep.next_if_eq(i).is_some())
                .map(|(_, row)| row),
        );
    }
    out
}

impl TableStats {
    /// Statistics of `table` from a sample of its `total` rows: of the columns in `only` (all
    /// when it is empty; the others get none).
    pub fn compute(
        table: &TableDef,
        sample: &[Vec<Value>],
        total: u64,
        only: &[usize],
    ) -> TableStats {
        if sample.is_empty() {
            // An empty table has a row count but no column statistics.
            return TableStats {
                reltuples: 0.0,
                columns: Vec::new(),
            };
        }
        let columns = (0..table.columns.len())
            .map(|c| {
                if !only.is_empty() && !only.contains(&c) {
                    return None;
                }
                let column = &table.columns[c];
                // SET STATISTICS 0: no statistics for the column, as PostgreSQL.
                let target = match column.stat_target {
                    Some(0) => return None,
                    Some(target) => target as usize,
                    None => TARGET,
                };
                let values: Vec<&Value> = sample.iter().map(|row| &row[c]).collect();
                let mut stats = analyze_column(&values, total as f64, column.ty, target);
                stats.name = column.name.clone();
                stats.ty = format!("{:?}", column.ty);
                Some(stats)
            })
            .collect();
        TableStats {
            reltuples: total as f64,
            columns,
        }
    }

    /// `table`'s statistics laid out by its columns now: a column dropped, retyped or added
    /// since ANALYZE has none, and the others stay with their columns when positions move.
    pub fn of(snapshot: &Snapshot, table: &TableDef) -> Option<Arc<TableStats>> {
        let stats = snapshot.get(&table.id)?;
        let aligned = table.columns.iter().enumerate().all(|(c, column)| {
            stats
                .columns
                .get(c)
                .and_then(Option::as_ref)
                .is_none_or(|s| s.name == column.name && s.ty == format!("{:?}", column.ty))
        }) && stats.columns.len() <= table.columns.len();
        if aligned {
            return Some(stats.clone());
        }
        let columns = table
            .columns
            .iter()
            .map(|column| {
                let ty = format!("{:?}", column.ty);
                stats
                    .columns
                    .iter()
                    .flatten()
                    .find(|s| s.name == column.name && s.ty == ty)
                    .cloned()
            })
            .collect();
        Some(Arc::new(TableStats {
            reltuples: stats.reltuples,
            columns,
        }))
    }

    pub fn column(&self, column: usize) -> Option<&ColumnStats> {
        self.columns.get(column).and_then(Option::as_ref)
    }

    /// Estimated distinct non-NULL values of a column.
    pub fn distinct(&self, column: usize) -> Option<f64> {
        let stats = self.column(column)?;
        Some(if stats.n_distinct < 0.0 {
            -stats.n_distinct * self.reltuples
        } else {
            stats.n_distinct
        })
    }

    /// The share of rows whose `column` equals `value` (`eqsel`): its MCV frequency, or else
    /// an even share of what the MCVs and NULLs leave among the other distinct values.
    pub fn eq_selectivity(&self, column: usize, value: &Value, map: &Map<'_>) -> Option<f64> {
        let stats = self.column(column)?;
        if value.is_null() {
            return Some(0.0);
        }
        if let Some(i) = stats
            .mcv
            .iter()
            .position(|m| map(m).is_some_and(|m| compare(&m, value).is_eq()))
        {
            return Some(stats.mcv_freqs[i]);
        }
        let rest = (1.0 - stats.mcv_freqs.iter().sum::<f64>() - stats.null_frac).max(0.0);
        let others = (self.distinct(column)? - stats.mcv.len() as f64).max(1.0);
        Some((rest / others).min(1.0))
    }

    /// The share of rows whose `column` is below `value` (or at most `value` with `inclusive`):
    /// `scalarineqsel`, from the MCVs that qualify plus the histogram's fraction (interpolated
    /// linearly in its bucket for numbers and dates) of the rest.
    pub fn below_selectivity(
        &self,
        column: usize,
        value: &Value,
        inclusive: bool,
        map: &Map<'_>,
    ) -> Option<f64> {
        let stats = self.column(column)?;
        if value.is_null() {
            return Some(0.0);
        }
        let below = |v: &Value| match map(v).map(|v| compare(&v, value)) {
            Some(Ordering::Less) => true,
            Some(Ordering::Equal) => inclusive,
            _ => false,
        };
        let mut mcv_part = 0.0;
        for (m, f) in stats.mcv.iter().zip(&stats.mcv_freqs) {
            if below(m) {
                mcv_part += f;
            }
        }
        let rest = (1.0 - stats.mcv_freqs.iter().sum::<f64>() - stats.null_frac).max(0.0);
        let hist = &stats.histogram;
        let fraction = if hist.len() >= 2 {
            let buckets = (hist.len() - 1) as f64;
            match hist.iter().position(|b| !below(b)) {
                Some(0) => 0.0,
                None => 1.0,
                Some(i) => {
                    let (lo, hi) = (map(&hist[i - 1]), map(&hist[i]));
                    let number = |v: Option<Value>| v.as_ref().and_then(as_number);
                    let within = match (number(lo), number(hi), as_number(value)) {
                        (Some(l), Some(h), Some(v)) if h > l => ((v - l) / (h - l)).clamp(0.0, 1.0),
                        _ => 0.5,
                    };
                    ((i - 1) as f64 + within) / buckets
                }
            }
        } else {
            // No histogram: the MCVs are all there is.
            let mcv_total: f64 = stats.mcv_freqs.iter().sum();
            return Some(if mcv_total > 0.0 { mcv_part } else { 1.0 / 3.0 });
        };
        Some((mcv_part + fraction * rest).clamp(0.0, 1.0))
    }
}

/// What a condition does to a column's values before comparing them (casts): statistics values
/// go through it too. None: the value cannot be compared.
pub type Map<'a> = dyn Fn(&Value) -> Option<Value> + 'a;

/// PostgreSQL's defaults where statistics say nothing (`selfuncs.h`).
const DEFAULT_EQ_SEL: f64 = 0.005;
const DEFAULT_INEQ_SEL: f64 = 1.0 / 3.0;
const DEFAULT_RANGE_INEQ_SEL: f64 = 0.005;
const DEFAULT_MATCH_SEL: f64 = 0.005;

/// The share of a table's rows that `filter` (an expression over the table's row) keeps,
/// estimated from the table's statistics as PostgreSQL's `clauselist_selectivity` does: the
/// product of the conjuncts' selectivities, except that a lower and an upper bound on one
/// column combine into a range (`hi + lo - 1`).
pub fn selectivity(stats: &TableStats, filter: &Expr, ctx: &EvalContext<'_>) -> f64 {
    let mut conjuncts = Vec::new();
    and_parts(filter, &mut conjuncts);
    let mut product = 1.0;
    // (the column expression, selectivity of its lower bound, of its upper bound)
    let mut ranges: Vec<(&Expr, Option<f64>, Option<f64>)> = Vec::new();
    for conjunct in conjuncts {
        if let Some((column, upper, s)) = range_bound(stats, conjunct, ctx) {
            let slot = match ranges.iter().position(|(c, ..)| *c == column) {
                Some(i) => i,
                None => {
                    ranges.push((column, None, None));
                    ranges.len() - 1
                }
            };
            let entry = if upper {
                &mut ranges[slot].2
            } else {
                &mut ranges[slot].1
            };
            *entry = Some(entry.map_or(s, |old: f64| old.min(s)));
            continue;
        }
        product *= clause_selectivity(stats, conjunct, ctx);
    }
    for (_, lo, hi) in ranges {
        product *= match (lo, hi) {
            (Some(lo), Some(hi)) => {
                let s = hi + lo - 1.0;
                if s <= 0.0 {
                    DEFAULT_RANGE_INEQ_SEL.min(lo).min(hi).max(1e-6)
                } else {
                    s
                }
            }
            (Some(s), None) | (None, Some(s)) => s,
            (None, None) => 1.0,
        };
    }
    product.clamp(0.0, 1.0)
}

/// The conjuncts of an AND tree.
pub fn and_parts<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match expr {
        Expr::Binary(BinOp::And, l, r) => {
            and_parts(l, out);
            and_parts(r, out);
        }
        other => out.push(other),
    }
}

/// A comparison's constant side, computed (None: it reads the row or cannot be computed).
fn constant(expr: &Expr, ctx: &EvalContext<'_>) -> Option<Value> {
    if expr.reads_row() || !expr.is_local() {
        return None;
    }
    expr.eval(&[], ctx).ok()
}

/// `column_expr op constant` with `op` an inequality: (the column expression, whether it is an
/// upper bound, the share of rows it keeps).
fn range_bound<'e>(
    stats: &TableStats,
    expr: &'e Expr,
    ctx: &EvalContext<'_>,
) -> Option<(&'e Expr, bool, f64)> {
    let Expr::Binary(op, l, r) = expr else {
        return None;
    };
    let (column_expr, value, op) = match (column_of(l), column_of(r)) {
        (Some(_), None) => (&**l, constant(r, ctx)?, *op),
        (None, Some(_)) => (&**r, constant(l, ctx)?, op.flipped()?),
        _ => return None,
    };
    let column = column_of(column_expr)?;
    let map = mapper(column_expr, column, ctx);
    let null_frac = stats.column(column)?.null_frac;
    let (upper, s) = match op {
        BinOp::Lt => (true, stats.below_selectivity(column, &value, false, &map)?),
        BinOp::LtEq => (true, stats.below_selectivity(column, &value, true, &map)?),
        BinOp::Gt => (
            false,
            1.0 - stats.below_selectivity(column, &value, true, &map)? - null_frac,
        ),
        BinOp::GtEq => (
            false,
            1.0 - stats.below_selectivity(column, &value, false, &map)? - null_frac,
        ),
        _ => return None,
    };
    Some((column_expr, upper, s.clamp(0.0, 1.0)))
}

/// Runs a column's statistics values through `column_expr` (its casts).
fn mapper<'a>(
    column_expr: &'a Expr,
    column: usize,
    ctx: &'a EvalContext<'a>,
) -> impl Fn(&Value) -> Option<Value> + 'a {
    move |value: &Value| {
        if matches!(column_expr, Expr::Column(_)) {
            return Some(value.clone());
        }
        let mut row = vec![Value::Null; column + 1];
        row[column] = value.clone();
        column_expr.eval(&row, ctx).ok()
    }
}

/// One conjunct's selectivity (`clause_selectivity`).
fn clause_selectivity(stats: &TableStats, expr: &Expr, ctx: &EvalContext<'_>) -> f64 {
    match expr {
        Expr::Binary(BinOp::And, ..) => selectivity(stats, expr, ctx),
        Expr::Binary(BinOp::Or, l, r) => {
            let (a, b) = (
                clause_selectivity(stats, l, ctx),
                clause_selectivity(stats, r, ctx),
            );
            a + b - a * b
        }
        Expr::Not(inner) => 1.0 - clause_selectivity(stats, inner, ctx),
        Expr::Const(Value::Bool(b)) => f64::from(u8::from(*b)),
        Expr::IsNull(inner, negated) => {
            let null_frac = column_of(inner)
                .and_then(|c| stats.column(c))
                .map_or(DEFAULT_EQ_SEL, |s| s.null_frac);
            if *negated {
                1.0 - null_frac
            } else {
                null_frac
            }
        }
        Expr::InList(inner, items, negated, _) => {
            let s: f64 = items
                .iter()
                .map(|item| eq_clause(stats, inner, item, ctx))
                .sum::<f64>()
                .min(1.0);
            if *negated {
                1.0 - s
            } else {
                s
            }
        }
        Expr::Binary(BinOp::Eq, l, r) => eq_clause(stats, l, r, ctx),
        Expr::Binary(BinOp::NotEq, l, r) => {
            let null_frac = column_of(l)
                .or_else(|| column_of(r))
                .and_then(|c| stats.column(c))
                .map_or(0.0, |s| s.null_frac);
            (1.0 - eq_clause(stats, l, r, ctx) - null_frac).max(0.0)
        }
        Expr::Binary(BinOp::Lt | BinOp::LtEq | BinOp::Gt | BinOp::GtEq, ..) => {
            range_bound(stats, expr, ctx).map_or(DEFAULT_INEQ_SEL, |(_, _, s)| s)
        }
        Expr::Like { negated, .. } => {
            if *negated {
                1.0 - DEFAULT_MATCH_SEL
            } else {
                DEFAULT_MATCH_SEL
            }
        }
        _ => DEFAULT_INEQ_SEL,
    }
}

/// `l = r`: a column against a constant from its MCVs or distinct values; two columns of the
/// row `1 / max(ndv)`; else PostgreSQL's default.
fn eq_clause(stats: &TableStats, l: &Expr, r: &Expr, ctx: &EvalContext<'_>) -> f64 {
    let (column_expr, other) = match (column_of(l), column_of(r)) {
        (Some(_), Some(_)) => {
            let ndv = |e: &Expr| column_of(e).and_then(|c| stats.distinct(c));
            return match (ndv(l), ndv(r)) {
                (Some(a), Some(b)) => 1.0 / a.max(b).max(1.0),
                _ => DEFAULT_EQ_SEL,
            };
        }
        (Some(_), None) => (l, r),
        (None, Some(_)) => (r, l),
        (None, None) => return DEFAULT_EQ_SEL,
    };
    let Some(column) = column_of(column_expr) else {
        return DEFAULT_EQ_SEL;
    };
    match constant(other, ctx) {
        Some(value) => stats
            .eq_selectivity(column, &value, &mapper(column_expr, column, ctx))
            .unwrap_or(DEFAULT_EQ_SEL),
        // A parameter or another unknown value: an even share of the distinct values.
        None => stats
            .distinct(column)
            .map_or(DEFAULT_EQ_SEL, |d| 1.0 / d.max(1.0)),
    }
}

/// A value as a number on its type's line, for interpolating within a histogram bucket.
fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Date(d) => Some(f64::from(*d)),
        Value::Timestamp(t) => Some(*t as f64),
        v => v.as_numeric().map(|n| n.to_f64()),
    }
}

/// PostgreSQL's stored size of a non-NULL value (`VARSIZE_ANY` for variable-length types, with
/// a one-byte header up to 126 bytes of data).
pub fn stored_width(value: &Value, ty: DataType) -> usize {
    if let Some(width) = fixed_width(ty) {
        return width;
    }
    match ty.expression_type() {
        // A one-byte header, a two-byte short header and two bytes per base-10000 digit.
        DataType::Numeric | DataType::Decimal(..) => 3 + 2 * numeric_groups(value),
        _ => varlena_size(
            match value {
                Value::Text(s) => s.len(),
                Value::Bytes(b) => b.len(),
                other => crate::types::to_text(other, ty).len(),
            },
            true,
        ),
    }
}

/// The width of a PostgreSQL type of fixed length (None: a variable-length one).
pub fn fixed_width(ty: DataType) -> Option<usize> {
    Some(match ty.expression_type() {
        DataType::Bool => 1,
        DataType::Int2 => 2,
        DataType::Int4 | DataType::Float4 | DataType::Date | DataType::Oid => 4,
        DataType::Int8
        | DataType::Float8
        | DataType::Timestamp
        | DataType::TimestampTz
        | DataType::Time => 8,
        DataType::Interval | DataType::Uuid => 16,
        _ => return None,
    })
}

/// A varlena of `data` bytes with its header: one byte when `short` (a value in a stored row)
/// and the data is at most 126 bytes, else four.
pub fn varlena_size(data: usize, short: bool) -> usize {
    if short && data <= 126 {
        data + 1
    } else {
        data + 4
    }
}

/// A numeric's base-10000 digit groups as PostgreSQL packs them: the integer part grouped from
/// the point leftwards, the fraction rightwards, leading and trailing zero groups dropped (0,
/// NaN and the infinities have none).
pub fn numeric_groups(value: &Value) -> usize {
    let text = crate::types::to_text(value, DataType::Numeric);
    let digits = text.trim_start_matches('-');
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return 0; // NaN, Infinity
    }
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut groups: Vec<u32> = Vec::new();
    let int_bytes = int.as_bytes();
    let lead = int_bytes.len() % 4;
    let mut chunks: Vec<&[u8]> = Vec::new();
    if lead > 0 {
        chunks.push(&int_bytes[..lead]);
    }
    chunks.extend(int_bytes[lead..].chunks(4));
    for chunk in chunks {
        groups.push(
            std::str::from_utf8(chunk)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        );
    }
    for chunk in frac.as_bytes().chunks(4) {
        let mut padded = String::from_utf8_lossy(chunk).into_owned();
        while padded.len() < 4 {
            padded.push('0');
        }
        groups.push(padded.parse().unwrap_or(0));
    }
    let first = groups.iter().position(|&g| g != 0);
    let last = groups.iter().rposition(|&g| g != 0);
    match (first, last) {
        (Some(f), Some(l)) => l - f + 1,
        _ => 0,
    }
}

/// One column's statistics from its values in the sample (`compute_scalar_stats`), with at
/// most `target` MCV entries and `target` histogram buckets (its statistics target).
pub fn analyze_column(
    values: &[&Value],
    total_rows: f64,
    ty: DataType,
    target: usize,
) -> ColumnStats {
    let sample_rows = values.len();
    let mut non_null: Vec<(usize, &Value)> = Vec::with_capacity(sample_rows);
    let mut width_sum = 0usize;
    for (position, value) in values.iter().enumerate() {
        if !value.is_null() {
            width_sum += stored_width(value, ty);
            non_null.push((position, value));
        }
    }
    let null_count = sample_rows - non_null.len();
    let null_frac = if sample_rows == 0 {
        0.0
    } else {
        null_count as f64 / sample_rows as f64
    };
    let avg_width = if non_null.is_empty() {
        0
    } else {
        (width_sum as f64 / non_null.len() as f64) as i32
    };
    if non_null.is_empty() {
        return ColumnStats {
            name: String::new(),
            ty: String::new(),
            null_frac,
            avg_width,
            n_distinct: 0.0,
            mcv: Vec::new(),
            mcv_freqs: Vec::new(),
            histogram: Vec::new(),
            correlation: None,
        };
    }
    // Sorted by value (stable: equal values keep the order they were read in).
    let mut sorted = non_null.clone();
    sorted.sort_by(|a, b| compare(a.1, b.1));
    // Runs of equal values: (first index in `sorted`, count).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, (_, value)) in sorted.iter().enumerate() {
        match runs.last_mut() {
            Some((start, count)) if compare(sorted[*start].1, value).is_eq() => *count += 1,
            _ => runs.push((i, 1)),
        }
    }
    let ndistinct = runs.len();
    let nmultiple = runs.iter().filter(|(_, c)| *c > 1).count();
    let n = non_null.len() as f64;
    let big_n = total_rows * (1.0 - null_frac);
    let mut n_distinct = if nmultiple == 0 {
        -(1.0 - null_frac)
    } else if nmultiple == ndistinct {
        ndistinct as f64
    } else {
        let f1 = (ndistinct - nmultiple) as f64;
        let d = ndistinct as f64;
        let mut estimate = if big_n > 0.0 {
            n * d / ((n - f1) + f1 * n / big_n)
        } else {
            0.0
        };
        estimate = estimate.max(d).min(big_n);
        (estimate + 0.5).floor()
    };
    if n_distinct > 0.1 * total_rows {
        n_distinct = -(n_distinct / total_rows);
    }
    // MCV candidates: values seen more than once, most frequent first, ties in value order.
    let mut track: Vec<(usize, usize)> = runs.iter().copied().filter(|(_, c)| *c > 1).collect();
    track.sort_by_key(|&(_, count)| std::cmp::Reverse(count));
    track.truncate(target);
    let keep = if track.len() == ndistinct && n_distinct > 0.0 && track.len() <= target {
        track.len()
    } else {
        let counts: Vec<usize> = track.iter().map(|(_, c)| *c).collect();
        analyze_mcv_list(&counts, n_distinct, null_frac, sample_rows, total_rows)
    };
    track.truncate(keep);
    let mcv: Vec<Value> = track.iter().map(|(i, _)| sorted[*i].1.clone()).collect();
    let mcv_freqs: Vec<f64> = track
        .iter()
        .map(|(_, c)| crate::types::to_float4(*c as f64 / sample_rows as f64).unwrap_or(0.0))
        .collect();
    // Histogram over the values not in the MCV list (duplicates kept).
    let mut histogram = Vec::new();
    let mut num_hist = ndistinct - keep;
    if num_hist > target {
        num_hist = target + 1;
    }
    if num_hist >= 2 {
        let in_mcv: std::collections::HashSet<usize> = track.iter().map(|(i, _)| *i).collect();
        let rest: Vec<&Value> = runs
            .iter()
            .filter(|(start, _)| !in_mcv.contains(start))
            .flat_map(|&(start, count)| sorted[start..start + count].iter().map(|(_, v)| *v))
            .collect();
        let nvals = rest.len();
        let delta = (nvals - 1) / (num_hist - 1);
        let delta_frac = (nvals - 1) % (num_hist - 1);
        let (mut pos, mut pos_frac) = (0usize, 0usize);
        for _ in 0..num_hist {
            histogram.push(rest[pos].clone());
            pos += delta;
            pos_frac += delta_frac;
            if pos_frac >= num_hist - 1 {
                pos += 1;
                pos_frac -= num_hist - 1;
            }
        }
    }
    // Correlation of the sorted order with the order read (ranks of the non-NULL values).
    let correlation = (sorted.len() > 1).then(|| {
        let count = sorted.len() as f64;
        let mut rank_of = vec![0usize; sample_rows];
        for (rank, (position, _)) in non_null.iter().enumerate() {
            rank_of[*position] = rank;
        }
        let xy: f64 = sorted
            .iter()
            .enumerate()
            .map(|(i, (position, _))| i as f64 * rank_of[*position] as f64)
            .sum();
        let x_sum = (count - 1.0) * count / 2.0;
        let x2_sum = (count - 1.0) * count * (2.0 * count - 1.0) / 6.0;
        let c = (count * xy - x_sum * x_sum) / (count * x2_sum - x_sum * x_sum);
        crate::types::to_float4(c).unwrap_or(0.0)
    });
    ColumnStats {
        name: String::new(),
        ty: String::new(),
        null_frac: crate::types::to_float4(null_frac).unwrap_or(0.0),
        avg_width,
        n_distinct: crate::types::to_float4(n_distinct).unwrap_or(0.0),
        mcv,
        mcv_freqs,
        histogram,
        correlation,
    }
}

/// How many of the MCV candidates (`counts`, most frequent first) to keep when the sample is not
/// the whole table: drop the least common while its count is not significantly above what the
/// rest of the values average (PostgreSQL's `analyze_mcv_list`).
fn analyze_mcv_list(
    counts: &[usize],
    n_distinct: f64,
    null_frac: f64,
    sample_rows: usize,
    total_rows: f64,
) -> usize {
    let mut keep = counts.len();
    if sample_rows as f64 == total_rows || total_rows <= 1.0 {
        return keep;
    }
    let table_distinct = if n_distinct < 0.0 {
        -n_distinct * total_rows
    } else {
        n_distinct
    };
    let mut sum: f64 = counts[..keep.saturating_sub(1)]
        .iter()
        .map(|&c| c as f64)
        .sum();
    let samples = sample_rows as f64;
    while keep > 0 {
        let mut selectivity = (1.0 - sum / samples - null_frac).clamp(0.0, 1.0);
        let other_distinct = table_distinct - (keep - 1) as f64;
        if other_distinct > 1.0 {
            selectivity /= other_distinct;
        }
        let big_n = total_rows;
        let last = counts[keep - 1] as f64;
        let k = big_n * last / samples;
        let variance =
            samples * k * (big_n - k) * (big_n - samples) / (big_n * big_n * (big_n - 1.0));
        let stddev = variance.max(0.0).sqrt();
        if last > selectivity * samples + 2.0 * stddev + 0.5 {
            break;
        }
        keep -= 1;
        if keep == 0 {
            break;
        }
        sum -= counts[keep - 1] as f64;
    }
    keep
}

/// Every analyzed table's statistics as of one moment.
pub type Snapshot = Arc<HashMap<TableId, Arc<TableStats>>>;

/// The node's statistics: in memory, saved to a file after each change.
#[derive(Default)]
pub struct Statistics {
    tables: RwLock<Snapshot>,
    path: Option<PathBuf>,
}

impl Statistics {
    /// The statistics saved in `path` (none when it does not exist or cannot be read: ANALYZE
    /// makes them again).
    pub fn open(path: PathBuf) -> Statistics {
        let tables = std::fs::read(&path)
            .ok()
            .and_then(|bytes| decode_file(&bytes))
            .unwrap_or_default();
        Statistics {
            tables: RwLock::new(Arc::new(tables)),
            path: Some(path),
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        self.tables.read().map(|t| t.clone()).unwrap_or_default()
    }

    /// Sets a table's statistics and saves them all.
    pub fn set(&self, table: TableId, stats: TableStats) -> std::io::Result<()> {
        let snapshot = {
            let Ok(mut tables) = self.tables.write() else {
                return Ok(());
            };
            let mut next = (**tables).clone();
            next.insert(table, Arc::new(stats));
            *tables = Arc::new(next);
            tables.clone()
        };
        if let Some(path) = &self.path {
            let fresh = path.with_extension("stats.new");
            std::fs::write(&fresh, encode_file(&snapshot))?;
            std::fs::rename(&fresh, path)?;
        }
        Ok(())
    }
}

/// The file: for each column of each table, one row in the storage row format (length-prefixed):
/// table id, reltuples, column, null_frac, avg_width, n_distinct, MCVs, their frequencies,
/// histogram, correlation, the column's name and type.
fn encode_file(tables: &HashMap<TableId, Arc<TableStats>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut row = Vec::new();
    for (&id, stats) in tables {
        for (c, column) in stats.columns.iter().enumerate() {
            let Some(s) = column else {
                continue;
            };
            let list =
                |items: Vec<Value>| Value::Array(Box::new(crate::array::Array::one_dim(items)));
            let values = vec![
                Value::Int(id as i64),
                Value::Float(stats.reltuples),
                Value::Int(c as i64),
                Value::Float(s.null_frac),
                Value::Int(i64::from(s.avg_width)),
                Value::Float(s.n_distinct),
                list(s.mcv.clone()),
                list(s.mcv_freqs.iter().map(|f| Value::Float(*f)).collect()),
                list(s.histogram.clone()),
                s.correlation.map_or(Value::Null, Value::Float),
                Value::Text(s.name.clone()),
                Value::Text(s.ty.clone()),
            ];
            row.clear();
            encode_row(&values, &mut row);
            out.extend_from_slice(&(row.len() as u32).to_le_bytes());
            out.extend_from_slice(&row);
        }
    }
    out
}

fn decode_file(mut bytes: &[u8]) -> Option<HashMap<TableId, Arc<TableStats>>> {
    let mut tables: HashMap<TableId, TableStats> = HashMap::new();
    while !bytes.is_empty() {
        let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let row = decode_row(bytes.get(4..4 + len)?, 12).ok()?;
        bytes = &bytes[4 + len..];
        let int = |v: &Value| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        };
        let float = |v: &Value| match v {
            Value::Float(f) => Some(*f),
            _ => None,
        };
        let list = |v: &Value| match v {
            Value::Array(a) => Some(a.items.clone()),
            _ => None,
        };
        let id = TableId::try_from(int(&row[0])?).ok()?;
        let column = usize::try_from(int(&row[2])?).ok()?;
        let text = |v: &Value| match v {
            Value::Text(t) => t.clone(),
            _ => String::new(),
        };
        let stats = ColumnStats {
            name: text(&row[10]),
            ty: text(&row[11]),
            null_frac: float(&row[3])?,
            avg_width: i32::try_from(int(&row[4])?).ok()?,
            n_distinct: float(&row[5])?,
            mcv: list(&row[6])?,
            mcv_freqs: list(&row[7])?.iter().filter_map(float).collect(),
            histogram: list(&row[8])?,
            correlation: float(&row[9]),
        };
        let table = tables.entry(id).or_insert_with(|| TableStats {
            reltuples: 0.0,
            columns: Vec::new(),
        });
        table.reltuples = float(&row[1])?;
        if table.columns.len() <= column {
            table.columns.resize(column + 1, None);
        }
        table.columns[column] = Some(stats);
    }
    Some(tables.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_small_table_gives_exact_counts() {
        let values: Vec<Value> = (0..1000).map(|i| Value::Int(i % 10)).collect();
        let refs: Vec<&Value> = values.iter().collect();
        let stats = analyze_column(&refs, 1000.0, DataType::Int4, TARGET);
        assert_eq!(stats.n_distinct, 10.0);
        assert_eq!(stats.mcv.len(), 10);
        assert!(stats.histogram.is_empty());
        let unique: Vec<Value> = (0..1000).map(Value::Int).collect();
        let refs: Vec<&Value> = unique.iter().collect();
        let stats = analyze_column(&refs, 1000.0, DataType::Int4, TARGET);
        assert_eq!(stats.n_distinct, -1.0);
        assert!(stats.mcv.is_empty());
        assert_eq!(stats.histogram.len(), TARGET + 1);
        assert_eq!(stats.histogram[0], Value::Int(0));
        assert_eq!(stats.histogram[TARGET], Value::Int(999));
        assert_eq!(stats.correlation, Some(1.0));
    }

    /// Selection sampling takes exactly k indexes, in order, the same ones every time, each
    /// about equally often across workers; all of them when k is not smaller than n.
    #[test]
    fn sample_indexes_are_k_uniform_ordered_and_repeatable() {
        assert_eq!(sample_indexes(0, 5, 5), vec![0, 1, 2, 3, 4]);
        assert_eq!(sample_indexes(0, 3, 10), vec![0, 1, 2]);
        assert!(sample_indexes(0, 10, 0).is_empty());
        let mut hits = [0u32; 10];
        for worker in 0..2000u16 {
            let chosen = sample_indexes(worker, 1000, 100);
            assert_eq!(chosen.len(), 100);
            assert!(chosen.windows(2).all(|w| w[0] < w[1]) && chosen[99] < 1000);
            assert_eq!(chosen, sample_indexes(worker, 1000, 100));
            for i in chosen {
                hits[i / 100] += 1;
            }
        }
        // 20,000 expected per tenth of the range.
        for (tenth, &n) in hits.iter().enumerate() {
            assert!((19_000..21_000).contains(&n), "tenth {tenth}: {n}");
        }
    }

    /// Reservoirs that never filled hold their rows in read order: the merged sample takes a
    /// random share of each, not its first rows, in proportion to each worker's rows.
    #[test]
    fn merged_samples_take_random_shares_of_unfilled_reservoirs() {
        let rows = |from: i64, n: i64| (from..from + n).map(|i| vec![Value::Int(i)]).collect();
        let merged = merge_samples(
            vec![rows(0, 20_000), rows(100_000, 20_000)],
            &[40_000, 20_000],
        );
        assert_eq!(merged.len(), SAMPLE_ROWS.min(40_000));
        let value = |row: &Vec<Value>| match row[0] {
            Value::Int(i) => i,
            _ => unreachable!(),
        };
        let first: Vec<i64> = merged.iter().map(value).filter(|&i| i < 100_000).collect();
        assert_eq!(first.len(), 20_000);
        let second: Vec<i64> = merged.iter().map(value).filter(|&i| i >= 100_000).collect();
        assert_eq!(second.len(), 10_000);
        assert!(second.windows(2).all(|w| w[0] < w[1]));
        let late = second.iter().filter(|&&i| i >= 110_000).count();
        assert!(
            (4_500..5_500).contains(&late),
            "{late} of 10,000 from the later half"
        );
        // Small enough to keep whole: everything, as it came.
        let whole = merge_samples(vec![rows(0, 10), rows(50, 5)], &[10, 5]);
        assert_eq!(whole.len(), 15);
    }

    #[test]
    fn the_file_round_trips() {
        let values: Vec<Value> = (0..100).map(|i| Value::Int(i % 7)).collect();
        let refs: Vec<&Value> = values.iter().collect();
        let stats = TableStats {
            reltuples: 100.0,
            columns: vec![
                Some(analyze_column(&refs, 100.0, DataType::Int4, TARGET)),
                None,
            ],
        };
        let mut tables = HashMap::new();
        tables.insert(7, Arc::new(stats.clone()));
        let back = decode_file(&encode_file(&tables)).expect("decodes");
        assert_eq!(back[&7].columns[0], stats.columns[0]);
        assert_eq!(back[&7].reltuples, 100.0);
    }
}
