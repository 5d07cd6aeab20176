//! Numeric arithmetic compiled for the rows of an aggregation.
//!
//! TPC-H's aggregates sum expressions like `l_extendedprice * (1 - l_discount) * (1 + l_tax)`
//! over millions of rows. [`crate::expr::Expr::eval`] walks such a tree per row: a call per
//! node into one large function, each operand made into a [`Value`], matched on, and dropped.
//! A [`NumericProgram`] is the same expression as postfix operations on a small stack of
//! [`Fixed`] values (a Decimal's digits as an i128 and its scale, copied): an operand is read
//! from the row and checked to be a `Value::Numeric`, an operation is the exact integer one the
//! tree walk also uses for two decimals (`expr::fixed_arithmetic`), and only the result is
//! made a Decimal again. Anything else in a row (a NULL, a numeric too large for a Decimal, a
//! result past an i128 or one a Decimal cannot hold) makes [`NumericProgram::run`] answer None,
//! and the caller evaluates the expression as before; as every step is exact, a program never
//! gives another answer than the tree walk, only the common answer sooner.
//!
//! Only `+`, `-` and `*` of type numeric over numeric columns (or integer ones cast to numeric)
//! and constants compile (and, in an
//! aggregate whose argument shares an earlier one's part, that part's value for the row:
//! `Outer(1, j)`, see `query::SharedArgs`), or a column or constant alone. A hash aggregation
//! adds a program's result to a numeric sum or average as it is ([`NumericProgram::run_fixed`]
//! into `Accumulator::add_fixed`): no Decimal, no `Value` per row.

use rust_decimal::Decimal;

use crate::expr::{fixed_arithmetic, BinOp, Expr};
use crate::numeric::Fixed;
use crate::types::{DataType, Value};

/// Deepest stack a program may use.
const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    /// Pushes the row's column.
    Column(usize),
    /// Pushes the row's integer column as a numeric (a cast `int::numeric`).
    IntColumn(usize),
    /// Pushes the value an earlier aggregate's argument had for the row.
    Shared(usize),
    Const(Fixed),
    /// Pops two operands, pushes their result.
    Arith(BinOp),
}

/// An arithmetic expression over numeric values as postfix operations (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct NumericProgram {
    ops: Vec<Op>,
}

impl NumericProgram {
    /// The program of `expr` when it is numeric arithmetic on numeric columns and constants,
    /// or one of them alone (for [`NumericProgram::run_fixed`]: a numeric column summed); with
    /// `shared`, `Outer(1, j)` reads the row's earlier values.
    pub fn compile(expr: &Expr, shared: bool) -> Option<NumericProgram> {
        let mut ops = Vec::new();
        let depth = emit(expr, shared, &mut ops)?;
        (depth <= MAX_DEPTH).then_some(NumericProgram { ops })
    }

    /// The expression's value for `row` (and the earlier values `shared`), or None when the
    /// operands or a result are not all plain Decimals: the caller evaluates it in full.
    #[inline]
    pub fn run(&self, row: &[Value], shared: &[Value]) -> Option<Decimal> {
        self.run_fixed(row, shared, &[])?.decimal()
    }

    /// [`NumericProgram::run`]'s value before it is made a Decimal: None only when an operand
    /// is not a plain Decimal or a step leaves the i128 (a value a Decimal cannot hold is the
    /// caller's to make a `Numeric`). `fixed`: earlier values still held as they were
    /// computed (a `Some` there stands for `shared`'s value at that place, which is then not
    /// read).
    #[inline]
    pub fn run_fixed(
        &self,
        row: &[Value],
        shared: &[Value],
        fixed: &[Option<Fixed>],
    ) -> Option<Fixed> {
        // A column alone (most of an aggregation's sums and averages): no stack to set up.
        if let [Op::Column(c)] = self.ops[..] {
            return match row.get(c) {
                Some(Value::Numeric(value)) => Some(Fixed::of(*value)),
                _ => None,
            };
        }
        let mut stack = [Fixed { units: 0, scale: 0 }; MAX_DEPTH];
        let mut top = 0;
        for op in &self.ops {
            let operand = match *op {
                Op::Column(c) => row.get(c),
                Op::Shared(j) => match fixed.get(j) {
                    Some(Some(value)) => {
                        stack[top] = *value;
                        top += 1;
                        continue;
                    }
                    _ => shared.get(j),
                },
                Op::IntColumn(c) => {
                    let Some(Value::Int(i)) = row.get(c) else {
                        return None;
                    };
                    stack[top] = Fixed {
                        units: i128::from(*i),
                        scale: 0,
                    };
                    top += 1;
                    continue;
                }
                Op::Const(value) => {
                    stack[top] = value;
                    top += 1;
                    continue;
                }
                Op::Arith(op) => {
                    top -= 1;
                    let (a, b) = (stack[top - 1], stack[top]);
                    stack[top - 1] = fixed_arithmetic(op, a, b)?;
                    continue;
                }
            };
            let Some(Value::Numeric(value)) = operand else {
                return None;
            };
            stack[top] = Fixed::of(*value);
            top += 1;
        }
        (top == 1).then_some(stack[0])
    }
}

/// Appends `expr`'s operations; the stack depth they need.
fn emit(expr: &Expr, shared: bool, ops: &mut Vec<Op>) -> Option<usize> {
    match expr {
        Expr::Column(c) => ops.push(Op::Column(*c)),
        Expr::Cast(inner, from, DataType::Numeric, _) if from.is_integer() => match **inner {
            Expr::Column(c) => ops.push(Op::IntColumn(c)),
            _ => return None,
        },
        Expr::Outer(1, j) if shared => ops.push(Op::Shared(*j)),
        Expr::Const(Value::Numeric(value)) => ops.push(Op::Const(Fixed::of(*value))),
        Expr::Binary(
            op @ (BinOp::Add(DataType::Numeric)
            | BinOp::Sub(DataType::Numeric)
            | BinOp::Mul(DataType::Numeric)),
            left,
            right,
        ) => {
            let left = emit(left, shared, ops)?;
            let right = emit(right, shared, ops)?;
            ops.push(Op::Arith(*op));
            return Some(left.max(right + 1));
        }
        _ => return None,
    }
    Some(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::EvalContext;

    fn numeric(text: &str) -> Value {
        Value::Numeric(text.parse().unwrap())
    }

    #[test]
    fn programs_answer_as_the_tree_walk_or_not_at_all() {
        let column = |c| Box::new(Expr::Column(c));
        let one = Box::new(Expr::Const(numeric("1")));
        // price * (1 - discount) * (1 + tax)
        let charge = Expr::Binary(
            BinOp::Mul(DataType::Numeric),
            Box::new(Expr::Binary(
                BinOp::Mul(DataType::Numeric),
                column(0),
                Box::new(Expr::Binary(
                    BinOp::Sub(DataType::Numeric),
                    one.clone(),
                    column(1),
                )),
            )),
            Box::new(Expr::Binary(BinOp::Add(DataType::Numeric), one, column(2))),
        );
        let program = NumericProgram::compile(&charge, false).expect("compiles");
        let ctx = EvalContext::new(&[], 0);
        let rows = [
            vec![numeric("17954.55"), numeric("0.04"), numeric("0.02")],
            vec![numeric("1000.00"), numeric("0.00"), numeric("0.00")],
            vec![numeric("-3.5"), numeric("1.25"), numeric("-1")],
            vec![
                numeric("79228162514264337593543950.33"),
                numeric("0.5"),
                numeric("0.5"),
            ],
            vec![Value::Null, numeric("0.04"), numeric("0.02")],
            vec![numeric("1.00"), Value::Int(1), numeric("0.02")],
        ];
        let mut answered = 0;
        for row in &rows {
            let walked = charge.eval(row, &ctx);
            match program.run(row, &[]) {
                Some(value) => {
                    answered += 1;
                    let walked = walked.expect("the tree walk agrees");
                    assert_eq!(walked, Value::Numeric(value), "{row:?}");
                    // Same digits after the point too.
                    let Value::Numeric(walked) = walked else {
                        panic!("a numeric")
                    };
                    assert_eq!(walked.scale(), value.scale(), "{row:?}");
                }
                // NULLs, another type, a product too large: the tree walk's to give.
                None => assert!(
                    row[0] == Value::Null
                        || row[1] == Value::Int(1)
                        || row[0] == numeric("79228162514264337593543950.33")
                ),
            }
        }
        assert_eq!(answered, 3);
        // Shared values, and what does not compile.
        let shared = Expr::Binary(
            BinOp::Mul(DataType::Numeric),
            Box::new(Expr::Outer(1, 0)),
            column(1),
        );
        assert!(NumericProgram::compile(&shared, false).is_none());
        let program = NumericProgram::compile(&shared, true).expect("compiles");
        assert_eq!(
            program.run(&[Value::Null, numeric("2")], &[numeric("1.5")]),
            Some("3.0".parse().unwrap())
        );
        // A column alone reads as itself, a number of another type not at all.
        let alone = NumericProgram::compile(&Expr::Column(0), false).expect("compiles");
        assert_eq!(
            alone.run_fixed(&[numeric("-1.50")], &[], &[]),
            Some(Fixed {
                units: -150,
                scale: 2
            })
        );
        assert_eq!(alone.run_fixed(&[Value::Int(2)], &[], &[]), None);
        // An integer column cast to numeric (TPC-H Q11's `ps_supplycost * ps_availqty`).
        let cost = Expr::Binary(
            BinOp::Mul(DataType::Numeric),
            column(0),
            Box::new(Expr::Cast(
                column(1),
                DataType::Int4,
                DataType::Numeric,
                false,
            )),
        );
        let program = NumericProgram::compile(&cost, false).expect("compiles");
        for row in [
            vec![numeric("771.64"), Value::Int(3325)],
            vec![numeric("-0.5"), Value::Int(-7)],
            vec![numeric("1.5"), Value::Null],
        ] {
            let walked = cost.eval(&row, &ctx).expect("evaluates");
            match program.run(&row, &[]) {
                Some(value) => assert_eq!(walked, Value::Numeric(value), "{row:?}"),
                None => assert_eq!(row[1], Value::Null),
            }
        }
        let float = Expr::Binary(BinOp::Mul(DataType::Float8), column(0), column(1));
        assert!(NumericProgram::compile(&float, false).is_none());
    }
}
