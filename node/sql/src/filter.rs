//! A scan's filter, applied to each stored row before its columns are built.
//!
//! A worker scanning a table has each stored row as bytes: its values one after another (see
//! [`crate::types::encode_row`]). Most rows of a selective scan fail the filter, and most of the
//! cost of a row that fails is building values nobody looks at. So the filter is split into its
//! AND-ed conditions, and each row is handled in three steps:
//!
//! 1. **Locate.** The row's values are stepped over by their encoded lengths (no value built) to
//!    find where each column the filter or the statement reads lies, as far as the next test
//!    needs: a row the first test drops is stepped over only up to that test's column.
//! 2. **Test.** The conditions that cannot raise an error (a column compared with a constant or a
//!    parameter, two columns compared, IS NULL, a semi-join key set, `column [NOT] LIKE
//!    'constant'`, `column [NOT] IN (constants)` or `= ANY (array parameter)`, hashed from 9
//!    items on: the `Test` kinds) run first, each on just its own column: a text column is
//!    compared or matched where it lies in the row, never copied into a string, and a column only
//!    the filter reads is never kept. They are AND-ed and none can fail, so any order gives the
//!    same rows; the filter counts how often each drops a row and runs the ones that drop the
//!    most (per unit of cost) first, re-ranked every `REORDER_EVERY` (1,024) rows, as adaptive
//!    filter ordering in column stores does. A row of TPC-H's `lineitem` outside Q14's month of
//!    `l_shipdate` (column 10) is dropped before `l_partkey`, `l_extendedprice` or `l_discount`
//!    (columns 1, 5, 6) are built.
//! 3. **Decode and finish.** A row that passes has the columns the statement reads built; then
//!    the other conditions (`ScanFilter::general`) run through the evaluator, in their written
//!    order, so a condition that guards another (`x <> 0 AND y / x > 1`) still runs first.
//!
//! PostgreSQL, too, orders a scan's conditions by cost rather than as written; a row is kept
//! exactly when the whole filter is true.

use std::borrow::Cow;
use std::cell::RefCell;

use std::sync::Arc;

use crate::array::{ArrayFn, Cmp};
use crate::error::SqlResult;
use crate::expr::{holds, like, BinOp, EvalContext, Expr, KeyFilter, PercentPattern};
use crate::functions::Scalar;
use crate::query::ValueSet;
use crate::types::{
    column_spans, compare, compare_encoded, compare_encoded_pair, decode_into, decode_one,
    encoded_text, DataType, Layout, Value,
};

/// Rows between two re-rankings of a filter's tests (see the module docs).
const REORDER_EVERY: u32 = 1024;

/// One condition of a [`ScanFilter`] that cannot raise an error, tested on the stored row.
enum Test {
    /// `column <op> constant` (the constant is not NULL).
    Compare(usize, BinOp, Value),
    /// `column <op> column`, as the evaluator compares them (NULL on either side: false).
    Columns(usize, BinOp, usize),
    /// `column IS [NOT] NULL` (true: IS NOT NULL).
    IsNull(usize, bool),
    /// The column's value is in a semi-join key set ([`Expr::InKeys`]).
    InKeys(usize, KeyFilter),
    /// `column [NOT] LIKE pattern` (case-sensitive; a constant pattern that [`like`] accepts, so
    /// matching cannot fail).
    Like(usize, Box<LikeTest>),
    /// `column [NOT] IN (constants)`, or `= ANY` / `<> ALL` a non-empty array constant.
    InList(usize, Box<ListTest>),
}

/// An IN-list test of a [`ScanFilter`].
struct ListTest {
    /// The items that are not NULL.
    values: Vec<Value>,
    /// Whether an item is NULL (then NOT IN is never true).
    had_null: bool,
    /// NOT IN.
    negated: bool,
    /// The items hashed, for a list long enough ([`ValueSet::MIN_ITEMS`]).
    set: Option<Arc<ValueSet>>,
}

impl ListTest {
    /// Whether the stored value `cell` (not NULL) equals an item, compared one by one where it
    /// lies; `built` is its value when already built (else NULL: built for an item that cannot
    /// be compared in place, then once).
    fn compare_each(&self, cell: &[u8], mut built: Value) -> SqlResult<bool> {
        for item in &self.values {
            let equal = match compare_encoded(cell, item) {
                Some(order) => order.is_eq(),
                None => {
                    if built.is_null() {
                        built = decode_one(cell)?;
                    }
                    compare(&built, item).is_eq()
                }
            };
            if equal {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn new(items: Vec<Value>, negated: bool, set: Option<Arc<ValueSet>>) -> ListTest {
        let set = set.or_else(|| ValueSet::of(items.iter()).map(Arc::new));
        let had_null = items.iter().any(Value::is_null);
        let values = items.into_iter().filter(|v| !v.is_null()).collect();
        ListTest {
            values,
            had_null,
            negated,
            set,
        }
    }
}

/// The column `expr` reads as text unchanged: the column, or a varchar or text column cast to
/// text (a char(n) cast drops its trailing blanks, so it is not).
fn text_column(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Column(column) => Some(*column),
        Expr::Cast(inner, DataType::Varchar(_) | DataType::Text, DataType::Text, _) => {
            match **inner {
                Expr::Column(column) => Some(column),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A LIKE test of a [`ScanFilter`].
struct LikeTest {
    pattern: String,
    escape: Option<char>,
    /// NOT LIKE.
    negated: bool,
    /// The pattern compiled, when it is literal text and `%`s.
    literal: Option<PercentPattern>,
}

impl Test {
    /// The columns the test reads.
    fn columns(&self) -> [Option<usize>; 2] {
        match self {
            Test::Compare(c, ..)
            | Test::IsNull(c, _)
            | Test::InKeys(c, _)
            | Test::Like(c, ..)
            | Test::InList(c, _) => [Some(*c), None],
            Test::Columns(a, _, b) => [Some(*a), Some(*b)],
        }
    }

    /// A rough relative cost per row, to rank tests that drop rows equally often.
    fn cost(&self) -> f64 {
        match self {
            Test::IsNull(..) => 1.0,
            Test::Compare(_, _, Value::Text(_)) | Test::InKeys(..) | Test::Columns(..) => 3.0,
            Test::Compare(..) => 2.0,
            Test::Like(..) => 6.0,
            Test::InList(_, list) if list.set.is_some() => 4.0,
            Test::InList(_, list) => 2.0 + list.values.len() as f64,
        }
    }
}

/// A filter split into tests run on the stored row and general conditions run on the decoded one.
pub struct ScanFilter {
    /// The conditions that cannot fail, in the order written (they run in `Scratch::order`).
    tests: Vec<Test>,
    /// Per test: one past the last column it reads (how far a row is located before it runs).
    ends: Vec<usize>,
    /// The other conditions, in written order.
    general: Vec<Expr>,
    /// Per-row working memory, reused from row to row (a filter belongs to one scan).
    scratch: RefCell<Scratch>,
}

#[derive(Default)]
struct Scratch {
    /// Where each located column lies in the row's bytes.
    spans: Vec<(usize, usize)>,
    /// Where the last row's columns lay ([`column_spans`] checks the next row against it).
    layout: Layout,
    /// Which columns of the row are built already (by a test that read a column the statement
    /// reads too).
    decoded: Vec<bool>,
    /// The key bytes of an `InKeys` test's value.
    key: Vec<u8>,
    /// The order the tests run in: indexes into `tests`.
    order: Vec<usize>,
    /// Per test: rows it ran on and rows it dropped, since the counts were last halved.
    counts: Vec<(u32, u32)>,
    /// Rows tested since the last re-ranking.
    rows: u32,
}

impl ScanFilter {
    /// Splits `filter` into tests for rows whose parameters are `ctx.params`.
    pub fn new(filter: &Expr, ctx: &EvalContext<'_>) -> ScanFilter {
        let mut tests = Vec::new();
        let mut general = Vec::new();
        for condition in filter.and_terms() {
            match simple(condition, ctx.params) {
                Some(test) => tests.push(test),
                None => general.push(condition.clone()),
            }
        }
        let scratch = Scratch {
            order: (0..tests.len()).collect(),
            counts: vec![(0, 0); tests.len()],
            ..Scratch::default()
        };
        let ends = tests
            .iter()
            .map(|t| t.columns().into_iter().flatten().max().map_or(0, |c| c + 1))
            .collect();
        ScanFilter {
            tests,
            ends,
            general,
            scratch: RefCell::new(scratch),
        }
    }

    /// The conditions that run on the decoded row, in written order.
    pub fn general(&self) -> &[Expr] {
        &self.general
    }

    /// Marks in `decode` the columns the filter needs built: those its general conditions read.
    /// (The tests read their columns in the stored row; a column only they read is never built.)
    pub fn mark_decoded(&self, decode: &mut [bool]) {
        let mut columns = Vec::new();
        for condition in &self.general {
            condition.columns(&mut columns);
        }
        for c in columns {
            if let Some(slot) = decode.get_mut(c) {
                *slot = true;
            }
        }
    }

    /// Tests the stored row `bytes` of a table `width` columns wide (see the module docs): when
    /// the whole filter is true, `row` holds its values, the columns `used` marks built (None:
    /// all; the others NULL) and the result is true; false drops the row (`row` then holds
    /// nothing meaningful). `used_end` is [`used_end`](crate::types::used_end) of `used`,
    /// computed once per scan.
    pub fn scan_row(
        &self,
        bytes: &[u8],
        width: usize,
        (used, used_end): (Option<&[bool]>, usize),
        row: &mut Vec<Value>,
        ctx: &EvalContext<'_>,
    ) -> SqlResult<bool> {
        let mut scratch = self.scratch.borrow_mut();
        let Scratch {
            spans,
            layout,
            decoded,
            key,
            order,
            counts,
            rows,
        } = &mut *scratch;
        // The columns a test reads are located just before it runs: a row the first tests drop
        // is stepped over only as far as their columns.
        spans.clear();
        if row.len() != width {
            row.clear();
            row.resize(width, Value::Null);
        }
        decoded.clear();
        decoded.resize(width, false);
        *rows += 1;
        let mut kept = true;
        for &t in order.iter() {
            let test = &self.tests[t];
            let end = self.ends[t];
            if spans.len() < end {
                column_spans(bytes, end, spans, layout)?;
            }
            let at = Located { bytes, spans, used };
            let passed = match test {
                Test::IsNull(c, not_null) => {
                    at.cell(*c).is_none_or(|bytes| bytes.first() == Some(&0)) != *not_null
                }
                Test::Like(c, test) => match (&test.literal, at.cell(*c)) {
                    (Some(literal), Some([5, _, _, _, _, text @ ..])) => {
                        literal.matches(text) != test.negated
                    }
                    _ => match at.cell(*c).map(encoded_text).transpose()?.flatten() {
                        // `like` accepted the pattern when the test was made: it cannot fail.
                        Some(text) => {
                            like(text, &test.pattern, test.escape).unwrap_or(false) != test.negated
                        }
                        None => false,
                    },
                },
                // Compared where the values lie unless one is built already or they are of a
                // kind that is not (then built, as the evaluator compares them). A missing
                // column or NULL: unknown.
                Test::Compare(c, op, constant) => {
                    let in_place = match at.cell(*c) {
                        _ if decoded.get(*c) == Some(&true) => None,
                        None => Some(false),
                        Some(cell) if cell.first() == Some(&0) => Some(false),
                        Some(cell) => compare_encoded(cell, constant).map(|o| holds(*op, o)),
                    };
                    match in_place {
                        Some(passed) => passed,
                        None => {
                            at.build(*c, row, decoded)?;
                            match &*at.value(*c, row, decoded)? {
                                Value::Null => false,
                                value => holds(*op, compare(value, constant)),
                            }
                        }
                    }
                }
                Test::Columns(a, op, b) => {
                    let in_place = match (at.cell(*a), at.cell(*b)) {
                        _ if decoded.get(*a) == Some(&true) || decoded.get(*b) == Some(&true) => {
                            None
                        }
                        (Some(x), Some(y)) => compare_encoded_pair(x, y).map(|o| holds(*op, o)),
                        _ => Some(false),
                    };
                    match in_place {
                        Some(passed) => passed,
                        None => {
                            at.build(*a, row, decoded)?;
                            at.build(*b, row, decoded)?;
                            match (&*at.value(*a, row, decoded)?, &*at.value(*b, row, decoded)?) {
                                (Value::Null, _) | (_, Value::Null) => false,
                                (a, b) => holds(*op, compare(a, b)),
                            }
                        }
                    }
                }
                Test::InList(c, list) => match at.cell(*c) {
                    None => false,
                    Some(cell) if cell.first() == Some(&0) => false,
                    Some(cell) => {
                        // Looked up when hashed; else (or for a value of another kind than the
                        // items) items compared in place, the value built only for an item
                        // that cannot be (then once).
                        let hashed = match &list.set {
                            Some(set) => {
                                let value = decode_one(cell)?;
                                set.contains(&value).ok_or(value)
                            }
                            None => Err(Value::Null),
                        };
                        let found = match hashed {
                            Ok(found) => found,
                            Err(built) => list.compare_each(cell, built)?,
                        };
                        if list.negated {
                            !found && !list.had_null
                        } else {
                            found
                        }
                    }
                },
                Test::InKeys(c, filter) => {
                    at.build(*c, row, decoded)?;
                    match &*at.value(*c, row, decoded)? {
                        Value::Null => false,
                        value => filter.keys.contains(value, key),
                    }
                }
            };
            counts[t].0 += 1;
            if !passed {
                counts[t].1 += 1;
                kept = false;
                break;
            }
        }
        if *rows >= REORDER_EVERY {
            *rows = 0;
            // Most rows dropped per unit of cost first; the counts are halved so the ranking
            // follows the table as the scan moves through it.
            let rank = |t: usize| {
                let (ran, dropped) = counts[t];
                (f64::from(dropped) + 1.0) / (f64::from(ran) + 2.0) / self.tests[t].cost()
            };
            order.sort_by(|&a, &b| rank(b).total_cmp(&rank(a)));
            for count in counts.iter_mut() {
                *count = (count.0 / 2, count.1 / 2);
            }
        }
        if !kept {
            return Ok(false);
        }
        column_spans(bytes, used_end.min(width), spans, layout)?;
        let at = Located { bytes, spans, used };
        for c in 0..width {
            if at.is_used(c) {
                at.build(c, row, decoded)?;
            } else if !row[c].is_null() {
                row[c] = Value::Null;
            }
        }
        for condition in &self.general {
            if !condition.is_true(row, ctx)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// A stored row with its columns located ([`column_spans`]), and the columns the statement reads.
struct Located<'a> {
    bytes: &'a [u8],
    spans: &'a [(usize, usize)],
    used: Option<&'a [bool]>,
}

impl<'a> Located<'a> {
    /// Column `c`'s encoded value (None: the row has no such column; it reads as NULL).
    #[inline]
    fn cell(&self, c: usize) -> Option<&'a [u8]> {
        self.spans.get(c).map(|&(from, to)| &self.bytes[from..to])
    }

    fn is_used(&self, c: usize) -> bool {
        self.used.is_none_or(|u| u.get(c).copied().unwrap_or(true))
    }

    /// Builds column `c` into `row` when the statement reads it (once per row).
    #[inline]
    fn build(&self, c: usize, row: &mut [Value], decoded: &mut [bool]) -> SqlResult<()> {
        if c < row.len() && !decoded[c] && self.is_used(c) {
            match self.cell(c) {
                Some(bytes) => decode_into(bytes, &mut row[c])?,
                None => row[c] = Value::Null,
            }
            decoded[c] = true;
        }
        Ok(())
    }

    /// Column `c`'s value: the one built in `row`, or one built for a test alone.
    #[inline]
    fn value<'r>(&self, c: usize, row: &'r [Value], decoded: &[bool]) -> SqlResult<Cow<'r, Value>> {
        if decoded.get(c).copied().unwrap_or(false) {
            return Ok(Cow::Borrowed(&row[c]));
        }
        Ok(Cow::Owned(match self.cell(c) {
            Some(bytes) => decode_one(bytes)?,
            None => Value::Null,
        }))
    }
}

/// The test for a condition that cannot fail, if it is one.
fn simple(condition: &Expr, params: &[Value]) -> Option<Test> {
    let operand = |expr: &Expr| -> Option<Value> {
        match expr {
            Expr::Const(value) => Some(value.clone()),
            Expr::Param(index) => Some(params.get(*index).cloned().unwrap_or(Value::Null)),
            _ => None,
        }
    };
    match condition {
        Expr::Binary(op, left, right) if op.flipped().is_some() => {
            if let (Expr::Column(a), Expr::Column(b)) = (&**left, &**right) {
                return Some(Test::Columns(*a, *op, *b));
            }
            let (column, op, constant) = match (&**left, &**right) {
                (Expr::Column(column), other) => (*column, *op, operand(other)?),
                (other, Expr::Column(column)) => (*column, op.flipped()?, operand(other)?),
                _ => return None,
            };
            // NULL compares as unknown: no row passes (a General test says the same).
            (!constant.is_null()).then_some(Test::Compare(column, op, constant))
        }
        Expr::IsNull(inner, not_null) => match &**inner {
            Expr::Column(column) => Some(Test::IsNull(*column, *not_null)),
            _ => None,
        },
        Expr::InKeys(inner, filter) => match &**inner {
            Expr::Column(column) => Some(Test::InKeys(*column, filter.clone())),
            _ => None,
        },
        Expr::InList(inner, list, negated, hashed) => {
            let Expr::Column(column) = &**inner else {
                return None;
            };
            let values = list.iter().map(operand).collect::<Option<Vec<Value>>>()?;
            let set = hashed.as_ref().map(|hashed| hashed.0.clone());
            Some(Test::InList(
                *column,
                Box::new(ListTest::new(values, *negated, set)),
            ))
        }
        // `column = ANY (array)` / `<> ALL`, the array a parameter (an ORM's `id = ANY ($1)`)
        // or a constant too short to have become an IN list. Not an empty array: a NULL column
        // is not NULL = ANY ('{}'), which is false.
        Expr::Scalar(Scalar::Array(ArrayFn::Compare { op, all }), args)
            if args.len() == 2 && matches!((op, all), (Cmp::Eq, false) | (Cmp::NotEq, true)) =>
        {
            let Expr::Column(column) = &args[0] else {
                return None;
            };
            let Value::Array(array) = operand(&args[1])? else {
                return None;
            };
            (!array.items.is_empty())
                .then(|| Test::InList(*column, Box::new(ListTest::new(array.items, *all, None))))
        }
        Expr::Like {
            expr,
            pattern,
            escape,
            negated,
            case_insensitive: false,
        } => match (&**expr, operand(pattern)?) {
            // A pattern `like` refuses is refused whatever the text (the pattern is read
            // before any text is), so one that passes on '' passes on every row.
            (expr, Value::Text(pattern)) if like("", &pattern, *escape).is_ok() => {
                let column = text_column(expr)?;
                let literal = PercentPattern::new(&pattern, *escape);
                Some(Test::Like(
                    column,
                    Box::new(LikeTest {
                        pattern,
                        escape: *escape,
                        negated: *negated,
                        literal,
                    }),
                ))
            }
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::types::encode_row;

    fn col(i: usize) -> Box<Expr> {
        Box::new(Expr::Column(i))
    }
    fn int(v: i64) -> Box<Expr> {
        Box::new(Expr::Const(Value::Int(v)))
    }
    fn text(v: &str) -> Box<Expr> {
        Box::new(Expr::Const(Value::Text(v.to_string())))
    }
    fn and(a: Expr, b: Expr) -> Expr {
        Expr::Binary(BinOp::And, Box::new(a), Box::new(b))
    }
    fn like(c: usize, pattern: &str, negated: bool) -> Expr {
        Expr::Like {
            expr: col(c),
            pattern: text(pattern),
            escape: Some('\\'),
            negated,
            case_insensitive: false,
        }
    }

    /// Scans `row` as a worker does: encoded, then tested and decoded by the filter.
    fn scan(
        filter: &ScanFilter,
        row: &[Value],
        used: Option<&[bool]>,
        ctx: &EvalContext<'_>,
    ) -> SqlResult<Option<Vec<Value>>> {
        let mut bytes = Vec::new();
        encode_row(row, &mut bytes);
        let mut decoded = Vec::new();
        let end = crate::types::used_end(used, row.len());
        Ok(filter
            .scan_row(&bytes, row.len(), (used, end), &mut decoded, ctx)?
            .then_some(decoded))
    }

    #[test]
    fn a_row_is_kept_exactly_when_the_whole_filter_is_true() {
        // c2 > 5 AND 10 >= c0 AND c1 IS NOT NULL AND c0 + c2 < 100 AND c0 = $1 AND c1 <= c2
        // AND c3 LIKE 'a%c' AND c3 NOT LIKE '%x%' AND c3 >= 'ab'
        let filter = and(
            and(
                and(
                    Expr::Binary(BinOp::Gt, col(2), int(5)),
                    Expr::Binary(BinOp::GtEq, int(10), col(0)),
                ),
                Expr::IsNull(col(1), true),
            ),
            and(
                and(
                    Expr::Binary(
                        BinOp::Lt,
                        Box::new(Expr::Binary(
                            BinOp::Add(crate::types::DataType::Int8),
                            col(0),
                            col(2),
                        )),
                        int(100),
                    ),
                    and(
                        Expr::Binary(BinOp::Eq, col(0), Box::new(Expr::Param(0))),
                        Expr::Binary(BinOp::LtEq, col(1), col(2)),
                    ),
                ),
                and(
                    and(like(3, "a%c", false), like(3, "%x%", true)),
                    and(
                        Expr::Binary(BinOp::GtEq, col(3), text("ab")),
                        and(
                            Expr::InList(col(1), vec![*int(7), *int(6)], false, None),
                            Expr::InList(col(3), vec![*text("aac"), *text("abd")], true, None),
                        ),
                    ),
                ),
            ),
        );
        let params = [Value::Int(7)];
        let ctx = EvalContext::new(&params, 0);
        let scan_filter = ScanFilter::new(&filter, &ctx);
        // Every condition but the addition is tested on the stored row.
        assert_eq!(
            (scan_filter.tests.len(), scan_filter.general.len()),
            (10, 1)
        );
        let ints = [Value::Null, Value::Int(7), Value::Int(6), Value::Int(200)];
        let texts = ["abc", "axc", "ac", "aac", "abd"]
            .iter()
            .map(|t| Value::Text(t.to_string()))
            .chain([Value::Null])
            .collect::<Vec<_>>();
        let mut rows = Vec::new();
        for a in &ints {
            for b in &ints {
                for c in &ints {
                    for d in &texts {
                        rows.push([a.clone(), b.clone(), c.clone(), d.clone()]);
                    }
                }
            }
        }
        assert!(rows.iter().any(|row| filter.is_true(row, &ctx).unwrap()));
        // Enough rows for the tests to be re-ranked several times.
        for round in 0..4 * REORDER_EVERY as usize / rows.len() + 1 {
            for row in &rows {
                let kept = filter.is_true(row, &ctx).unwrap();
                let all = scan(&scan_filter, row, None, &ctx).unwrap();
                assert_eq!(all.as_deref(), kept.then_some(&row[..]), "{round} {row:?}");
                // Column 1 asked for, 0 and 2 built for the addition, 3 (tested only) NULL.
                let mut used = [false, true, false, false];
                scan_filter.mark_decoded(&mut used);
                assert_eq!(used, [true, true, true, false]);
                let some = scan(&scan_filter, row, Some(&used), &ctx).unwrap();
                let expected = [row[0].clone(), row[1].clone(), row[2].clone(), Value::Null];
                assert_eq!(some.as_deref(), kept.then_some(&expected[..]), "{row:?}");
            }
        }
    }

    #[test]
    fn general_conditions_run_after_the_tests_in_their_written_order() {
        let division = Expr::Binary(
            BinOp::Gt,
            Box::new(Expr::Binary(
                BinOp::Div(crate::types::DataType::Int8),
                col(2),
                col(1),
            )),
            int(1),
        );
        let guard = Expr::Binary(
            BinOp::NotEq,
            Box::new(Expr::Binary(
                BinOp::Add(crate::types::DataType::Int8),
                col(1),
                int(0),
            )),
            int(0),
        );
        let ctx = EvalContext::new(&[], 0);
        let zero = [Value::Int(1), Value::Int(0), Value::Int(9)];
        // c0 < 5 (a test) AND c2 / c1 > 1: the test drops a row before the division runs.
        let filter = and(Expr::Binary(BinOp::Lt, col(0), int(5)), division.clone());
        let scan_filter = ScanFilter::new(&filter, &ctx);
        let dropped = [Value::Int(9), Value::Int(0), Value::Int(9)];
        assert_eq!(scan(&scan_filter, &dropped, None, &ctx).unwrap(), None);
        assert!(scan(&scan_filter, &zero, None, &ctx).is_err());
        // A general guard written first runs first; written after, it is too late.
        let guarded = ScanFilter::new(&and(guard.clone(), division.clone()), &ctx);
        assert_eq!(scan(&guarded, &zero, None, &ctx).unwrap(), None);
        let unguarded = ScanFilter::new(&and(division, guard), &ctx);
        assert!(scan(&unguarded, &zero, None, &ctx).is_err());
    }

    #[test]
    fn columns_only_the_tests_read_are_not_built() {
        // c1 LIKE '%b%' AND c2 = 'x': a row whose only built column is c0.
        let filter = and(
            like(1, "%b%", false),
            Expr::Binary(BinOp::Eq, col(2), text("x")),
        );
        let ctx = EvalContext::new(&[], 0);
        let scan_filter = ScanFilter::new(&filter, &ctx);
        let mut decode = vec![true, false, false];
        scan_filter.mark_decoded(&mut decode);
        assert_eq!(decode, [true, false, false]);
        let row = [
            Value::Int(1),
            Value::Text("abc".into()),
            Value::Text("x".into()),
        ];
        assert_eq!(
            scan(&scan_filter, &row, Some(&decode), &ctx).unwrap(),
            Some(vec![Value::Int(1), Value::Null, Value::Null])
        );
        // NOT IN a list with a NULL is never true; IN such a list is when an item matches.
        for (negated, kept) in [(true, false), (false, true)] {
            let list = vec![*int(1), Expr::Const(Value::Null)];
            let in_list = ScanFilter::new(&Expr::InList(col(0), list, negated, None), &ctx);
            assert_eq!(in_list.tests.len(), 1);
            assert_eq!(scan(&in_list, &row, None, &ctx).unwrap().is_some(), kept);
        }
        // Long lists and arrays of a parameter are tests with their items hashed; a value of
        // another kind than the items is compared item by item.
        let items: Vec<Value> = (0..20)
            .map(|i| Value::Int(i * 3))
            .chain([Value::Null])
            .collect();
        let params = [Value::Array(Box::new(crate::array::Array::one_dim(
            items.clone(),
        )))];
        let ctx = EvalContext::new(&params, 0);
        let any = |negated: bool| {
            let (op, all) = if negated {
                (Cmp::NotEq, true)
            } else {
                (Cmp::Eq, false)
            };
            Expr::Scalar(
                Scalar::Array(ArrayFn::Compare { op, all }),
                vec![*col(0), Expr::Param(0)],
            )
        };
        let listed = |negated: bool| {
            let list = items.iter().cloned().map(Expr::Const).collect();
            Expr::InList(col(0), list, negated, None)
        };
        for negated in [false, true] {
            for filter in [any(negated), listed(negated)] {
                let filter = ScanFilter::new(&filter, &ctx);
                let [Test::InList(0, test)] = &filter.tests[..] else {
                    panic!("not one list test");
                };
                assert!(test.set.is_some());
                for (value, found) in [
                    (Value::Int(9), true),
                    (Value::Int(10), false),
                    (Value::Float(9.0), true),
                    (Value::Float(9.5), false),
                ] {
                    // Found: IN is true, NOT IN false; not found: both NULL (a NULL item).
                    let kept = found && !negated;
                    assert_eq!(
                        scan(&filter, std::slice::from_ref(&value), None, &ctx)
                            .unwrap()
                            .is_some(),
                        kept,
                        "{value:?}"
                    );
                }
                assert_eq!(scan(&filter, &[Value::Null], None, &ctx).unwrap(), None);
            }
        }
        // A pattern LIKE refuses stays a general condition, and fails as LIKE does.
        let bad = ScanFilter::new(&like(1, "ab\\", false), &ctx);
        assert_eq!((bad.tests.len(), bad.general.len()), (0, 1));
        assert_eq!(scan(&bad, &row, None, &ctx).unwrap_err().code, "22025");
    }
}
