//! A scan's filter, applied while its row is decoded.
//!
//! A worker scanning a table decodes each stored row column by column (values are stored one after
//! another, see [`crate::types::encode_row`]). Most rows of a selective scan fail the filter, and
//! most of the cost of a row that fails is decoding the columns its failing condition did not
//! need. So the filter is split into its AND-ed conditions and each is tested as soon as the
//! columns it reads are decoded: a row of TPC-H's `lineitem` that fails `l_quantity < 24` (column
//! 4) is dropped before `l_extendedprice`, `l_discount` or `l_shipdate` are built.
//!
//! Conditions that cannot raise an error (a column compared with a constant or a parameter, IS
//! NULL, a semi-join key set: `Test::Compare`, `Test::IsNull`, `Test::InKeys`) are tested in
//! column order, the moment their column is decoded, and compare the row's value in place without
//! the general evaluator. The others keep their written order among themselves (a condition
//! that guards another, as in `x <> 0 AND y / x > 1`, still runs first); each runs once its
//! columns and those of the general conditions before it are decoded. PostgreSQL, too, orders a
//! scan's conditions by cost rather than as written; a row is kept exactly when the whole filter
//! is true, as before.

use crate::error::SqlResult;
use crate::expr::{holds, BinOp, EvalContext, Expr, KeyFilter};
use crate::types::{compare, Value};

/// One condition of a [`ScanFilter`].
enum Test {
    /// `column <op> constant` (the constant is not NULL).
    Compare(usize, BinOp, Value),
    /// `column <op> column`, as the evaluator compares them (NULL on either side: false).
    Columns(usize, BinOp, usize),
    /// `column IS [NOT] NULL` (true: IS NOT NULL).
    IsNull(usize, bool),
    /// The column's value is in a semi-join key set ([`Expr::InKeys`]).
    InKeys(usize, KeyFilter),
    /// Anything else, through [`Expr::eval`].
    General(Expr),
}

/// A filter split into tests, each with the number of leading columns it needs decoded.
pub struct ScanFilter {
    /// (columns needed, test), by columns needed.
    tests: Vec<(usize, Test)>,
    /// The key bytes of an `InKeys` test's value, reused from row to row.
    key: std::cell::RefCell<Vec<u8>>,
}

impl ScanFilter {
    /// Splits `filter` into tests for rows whose parameters are `ctx.params`.
    pub fn new(filter: &Expr, ctx: &EvalContext<'_>) -> ScanFilter {
        let conditions = filter.and_terms();
        let mut tests = Vec::with_capacity(conditions.len());
        // The general tests keep their order: each needs what the one before it needed.
        let mut general_needs = 0;
        for condition in conditions {
            let test =
                simple(condition, ctx.params).unwrap_or_else(|| Test::General(condition.clone()));
            let mut columns = Vec::new();
            condition.columns(&mut columns);
            let mut needs = columns.iter().max().map_or(0, |last| last + 1);
            if matches!(test, Test::General(_)) {
                needs = needs.max(general_needs);
                general_needs = needs;
            }
            tests.push((needs, test));
        }
        // Stable: among tests needing the same columns, the simple ones (pushed in order) and the
        // general ones keep the order they were written in.
        tests.sort_by_key(|(needs, test)| (*needs, matches!(test, Test::General(_))));
        ScanFilter {
            tests,
            key: std::cell::RefCell::new(Vec::with_capacity(16)),
        }
    }

    /// The position in `tests` a row's testing starts at.
    pub fn start(&self) -> usize {
        0
    }

    /// How many leading columns must be decoded before the test at `next` can run (usize::MAX:
    /// none is left), so a decoder asks [`ScanFilter::check`] only then.
    #[inline]
    pub fn due(&self, next: usize) -> usize {
        self.tests.get(next).map_or(usize::MAX, |(needs, _)| *needs)
    }

    /// Runs the tests not yet run (from `*next`) that need at most `decoded` leading columns of
    /// `row`; false as soon as one is not true (the row is dropped).
    pub fn check(
        &self,
        next: &mut usize,
        decoded: usize,
        row: &[Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<bool> {
        while let Some((needs, test)) = self.tests.get(*next) {
            if *needs > decoded {
                break;
            }
            *next += 1;
            // A column past the row reads as NULL (never a panic on a short row).
            let at = |column: usize| row.get(column).unwrap_or(&Value::Null);
            let passed = match test {
                Test::Compare(column, op, constant) => match at(*column) {
                    Value::Null => false,
                    value => holds(*op, compare(value, constant)),
                },
                Test::Columns(a, op, b) => match (at(*a), at(*b)) {
                    (Value::Null, _) | (_, Value::Null) => false,
                    (a, b) => holds(*op, compare(a, b)),
                },
                Test::IsNull(column, not_null) => at(*column).is_null() != *not_null,
                Test::InKeys(column, filter) => match at(*column) {
                    Value::Null => false,
                    value => filter.keys.contains(value, &mut self.key.borrow_mut()),
                },
                Test::General(expr) => expr.is_true(row, ctx)?,
            };
            if !passed {
                return Ok(false);
            }
        }
        Ok(true)
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
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(i: usize) -> Box<Expr> {
        Box::new(Expr::Column(i))
    }
    fn int(v: i64) -> Box<Expr> {
        Box::new(Expr::Const(Value::Int(v)))
    }
    fn and(a: Expr, b: Expr) -> Expr {
        Expr::Binary(BinOp::And, Box::new(a), Box::new(b))
    }

    /// Runs the filter the way a scan does: a test before each column is decoded, then at the end.
    fn keeps(filter: &ScanFilter, row: &[Value]) -> SqlResult<bool> {
        let ctx = EvalContext::new(&[], 0);
        let mut next = filter.start();
        for decoded in 0..=row.len() {
            if !filter.check(&mut next, decoded, row, &ctx)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    #[test]
    fn a_row_is_kept_exactly_when_the_whole_filter_is_true() {
        // c2 > 5 AND 10 >= c0 AND c1 IS NOT NULL AND c0 + c2 < 100 AND c0 = $1 AND c1 <= c2
        let filter = and(
            and(
                and(
                    Expr::Binary(BinOp::Gt, col(2), int(5)),
                    Expr::Binary(BinOp::GtEq, int(10), col(0)),
                ),
                Expr::IsNull(col(1), true),
            ),
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
        );
        let params = [Value::Int(7)];
        let ctx = EvalContext::new(&params, 0);
        let scan = ScanFilter::new(&filter, &ctx);
        let values = [Value::Null, Value::Int(7), Value::Int(6), Value::Int(200)];
        for a in &values {
            for b in &values {
                for c in &values {
                    let row = [a.clone(), b.clone(), c.clone()];
                    let mut next = scan.start();
                    let mut kept = true;
                    for decoded in 0..=row.len() {
                        if !scan.check(&mut next, decoded, &row, &ctx).unwrap() {
                            kept = false;
                            break;
                        }
                    }
                    assert_eq!(kept, filter.is_true(&row, &ctx).unwrap(), "{row:?}");
                    // As a scan decodes: asked only when the next test's columns are in.
                    let mut bytes = Vec::new();
                    crate::types::encode_row(&row, &mut bytes);
                    let mut next = scan.start();
                    let mut decoded = Vec::new();
                    let scanned = crate::types::decode_row_checked(
                        &bytes,
                        row.len(),
                        None,
                        &mut decoded,
                        |n, values| {
                            Ok(scan
                                .check(&mut next, n, values, &ctx)?
                                .then(|| scan.due(next)))
                        },
                    )
                    .unwrap();
                    assert_eq!(scanned, kept, "{row:?}");
                }
            }
        }
    }

    #[test]
    fn simple_tests_run_in_column_order_and_general_ones_as_written() {
        // c3 / c1 > 1 AND c1 <> 0 AND c0 < 5: the division is written first and stays before
        // any other general test, but the comparisons of c0 and c1 run before it.
        let division = Expr::Binary(
            BinOp::Gt,
            Box::new(Expr::Binary(
                BinOp::Div(crate::types::DataType::Int8),
                col(3),
                col(1),
            )),
            int(1),
        );
        let filter = and(
            and(division, Expr::Binary(BinOp::NotEq, col(1), int(0))),
            Expr::Binary(BinOp::Lt, col(0), int(5)),
        );
        let scan = ScanFilter::new(&filter, &EvalContext::new(&[], 0));
        let needs: Vec<usize> = scan.tests.iter().map(|(needs, _)| *needs).collect();
        assert_eq!(needs, vec![1, 2, 4]);
        // A row the comparison of c1 drops never divides by zero.
        let row = [Value::Int(1), Value::Int(0), Value::Null, Value::Int(9)];
        assert!(!keeps(&scan, &row).unwrap());
        // c0 < 5 fails after one column: nothing else is looked at.
        let row = [Value::Int(9), Value::Int(0), Value::Null, Value::Int(9)];
        let mut next = scan.start();
        let ctx = EvalContext::new(&[], 0);
        assert!(!scan.check(&mut next, 1, &row, &ctx).unwrap());
        assert_eq!(next, 1);
    }
}
