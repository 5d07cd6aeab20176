//! Bound expressions and their evaluation.
//!
//! The binder resolves names and types once (at prepare time); what remains is a small tree whose
//! operands already have matching types, so evaluation is a plain recursive walk with PostgreSQL's
//! semantics: three-valued logic, NULL propagation, range-checked integer arithmetic, numeric division
//! scale, `22012` on division by zero. Expressions are `Send`: they travel to the worker that owns
//! the rows and are evaluated there.

use crate::numeric::{Fixed, Numeric};

use crate::error::{code, SqlError, SqlResult};
use crate::types::{cast, check_int, compare, DataType, Value};

/// Binary operators, typed by the binder.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BinOp {
    /// Arithmetic in the given result type (both operands already cast to it).
    Add(DataType),
    Sub(DataType),
    Mul(DataType),
    Div(DataType),
    Mod(DataType),
    Concat,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    /// Date, timestamp and interval arithmetic.
    Time(crate::datetime::TimeOp),
    /// `~`, `~*`, `!~`, `!~*`: text against a POSIX regular expression.
    Regex {
        insensitive: bool,
        negated: bool,
    },
    /// json and jsonb operators (`jsonb`: the left operand's type is jsonb, not json).
    Json(crate::json::JsonOp, bool),
    /// Bitwise operators on integers of the given type (`~x` is `x # -1`).
    Bit(BitOp, DataType),
}

impl BinOp {
    /// The comparison with its operands swapped (`a < b` is `b > a`); None for other operators.
    pub fn flipped(self) -> Option<BinOp> {
        Some(match self {
            BinOp::Lt => BinOp::Gt,
            BinOp::LtEq => BinOp::GtEq,
            BinOp::Gt => BinOp::Lt,
            BinOp::GtEq => BinOp::LtEq,
            BinOp::Eq => BinOp::Eq,
            BinOp::NotEq => BinOp::NotEq,
            _ => return None,
        })
    }
}

/// `&`, `|`, `#`, `<<`, `>>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    And,
    Or,
    Xor,
    ShiftLeft,
    ShiftRight,
}

impl BitOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BitOp::And => "&",
            BitOp::Or => "|",
            BitOp::Xor => "#",
            BitOp::ShiftLeft => "<<",
            BitOp::ShiftRight => ">>",
        }
    }
}

/// A bitwise operation as PostgreSQL's int2/int4/int8 functions compute it: shifts happen in the
/// C type the operand widens to (a count past the width wraps as the machine's shift does), and
/// a smallint result is cut back to 16 bits.
fn bitwise(op: BitOp, ty: DataType, a: i64, b: i64) -> i64 {
    let shift = |value: i64| -> i64 {
        match (op, ty) {
            (BitOp::ShiftLeft, DataType::Int8) => value.wrapping_shl(b as u32),
            (BitOp::ShiftRight, DataType::Int8) => value.wrapping_shr(b as u32),
            (BitOp::ShiftLeft, _) => (value as i32).wrapping_shl(b as u32) as i64,
            _ => (value as i32).wrapping_shr(b as u32) as i64,
        }
    };
    let result = match op {
        BitOp::And => a & b,
        BitOp::Or => a | b,
        BitOp::Xor => a ^ b,
        BitOp::ShiftLeft | BitOp::ShiftRight => shift(a),
    };
    match ty {
        DataType::Int2 => result as i16 as i64,
        DataType::Int4 => result as i32 as i64,
        _ => result,
    }
}

/// Scalar functions evaluated per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Abs,
    /// `(record).field`: the record's field at this position, and its name.
    Field(usize, &'static str),
    Lower,
    Upper,
    Length,
    Coalesce,
    /// `pg_sleep(seconds)`: the session sleeps before evaluating (see exec); evaluates to void.
    PgSleep,
    /// `setseed(seed)`: the session's `random()` starts over (evaluated by the session).
    SetSeed,
    /// `TABLESAMPLE BERNOULLI | SYSTEM (percent) [REPEATABLE (seed)]`: whether a row is in the
    /// sample, over (percent, seed, the row's columns...). With REPEATABLE (`true`) a hash of
    /// the seed and the row's values decides, so the same rows are chosen while the table holds
    /// them (equal rows alike); without it the seed is a `random()` draw per row.
    TableSample(bool),
    /// `ROW(a, b)` / `(a, b)`: a record of the arguments.
    Row,
    /// `a IS DISTINCT FROM b` (false: `IS NOT DISTINCT FROM`): `<>` / `=` where NULL is a
    /// value like any other (never NULL itself).
    IsDistinct(bool),
    /// `pg_advisory_lock` and its family (see [`crate::locks`]): through the session.
    Advisory(Advisory),
    /// `extract(field FROM x)` (numeric); args: field name, value.
    Extract,
    /// `date_part('field', x)` (double precision).
    DatePart,
    /// `date_trunc('unit', timestamp)`.
    DateTrunc,
    /// `gen_random_uuid()`: a version 4 (random) uuid.
    GenRandomUuid,
    /// random(): a float8 in [0, 1), 53 random bits.
    Random,
    /// clock_timestamp(): the time it is evaluated.
    ClockTimestamp,
    /// `GROUPING(args)`: rewritten over the grouping id when the query is grouped.
    Grouping,
    /// `set_config(name, value, is_local)`: run by the session (see `Sequences::set_config`).
    SetConfig,
    /// `current_setting(name)`: (name, the value when the statement was bound); a set_config
    /// earlier in the same statement wins (see `Sequences::pending_setting`).
    CurrentSetting,
    /// `pg_cancel_backend(pid)` (false) / `pg_terminate_backend(pid)` (true): through the session.
    SignalBackend(bool),
    /// `pg_stat_reset()` (no argument) / `pg_stat_reset_single_table_counters(oid)` /
    /// `pg_stat_reset_shared(target)` (a text argument): through the session.
    ResetStats,
    /// `txid_current()` / `pg_current_xact_id()`: the session's transaction id (through the
    /// session: see `Sequences::transaction_id`).
    TransactionId,
}

/// An advisory lock function: what it does to the lock its arguments name (one bigint, or two
/// integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advisory {
    pub action: AdvisoryAction,
    pub shared: bool,
    /// A transaction-level lock (`_xact_`), released when the transaction ends.
    pub xact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvisoryAction {
    /// `pg_advisory[_xact]_lock[_shared]`: waits for the lock (void).
    Lock,
    /// `pg_try_advisory[_xact]_lock[_shared]`: takes it if free (bool).
    TryLock,
    /// `pg_advisory_unlock[_shared]`: one hold fewer (bool).
    Unlock,
    /// `pg_advisory_unlock_all()` (void).
    UnlockAll,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    /// bool_and / every (true) and bool_or (false).
    Bool(bool),
    /// var_samp / variance (sample), var_pop; stddev_samp / stddev, stddev_pop (`root`).
    Variance {
        sample: bool,
        root: bool,
    },
    /// Aggregates that keep every input (string_agg, json_agg, jsonb_agg), optionally sorted.
    Collect(Collect),
    /// The two-variable statistics (`corr(y, x)`, `covar_*`, `regr_*`): the argument is the
    /// record `(y, x)` of double precision values.
    Regr(Regr),
}

/// What a two-variable aggregate gives of the sums PostgreSQL's `float8_regr_accum` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regr {
    Count,
    Sxx,
    Syy,
    Sxy,
    AvgX,
    AvgY,
    R2,
    Slope,
    Intercept,
    CovarPop,
    CovarSamp,
    Corr,
}

impl Regr {
    pub const ALL: [Regr; 12] = [
        Regr::Count,
        Regr::Sxx,
        Regr::Syy,
        Regr::Sxy,
        Regr::AvgX,
        Regr::AvgY,
        Regr::R2,
        Regr::Slope,
        Regr::Intercept,
        Regr::CovarPop,
        Regr::CovarSamp,
        Regr::Corr,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Regr::Count => "regr_count",
            Regr::Sxx => "regr_sxx",
            Regr::Syy => "regr_syy",
            Regr::Sxy => "regr_sxy",
            Regr::AvgX => "regr_avgx",
            Regr::AvgY => "regr_avgy",
            Regr::R2 => "regr_r2",
            Regr::Slope => "regr_slope",
            Regr::Intercept => "regr_intercept",
            Regr::CovarPop => "covar_pop",
            Regr::CovarSamp => "covar_samp",
            Regr::Corr => "corr",
        }
    }

    /// The result from the sums `[N, Sx, Sxx, Sy, Syy, Sxy]` (PostgreSQL's final functions:
    /// NULL where a divisor is zero or too few rows were seen).
    fn finish(self, [n, sx, sxx, sy, syy, sxy]: [f64; 6]) -> Value {
        let float = |x: f64| Value::Float(x);
        match self {
            Regr::Count => return Value::Int(n as i64),
            Regr::CovarSamp if n < 2.0 => return Value::Null,
            _ if n < 1.0 => return Value::Null,
            _ => {}
        }
        match self {
            Regr::Count => Value::Int(n as i64),
            Regr::Sxx => float(sxx),
            Regr::Syy => float(syy),
            Regr::Sxy => float(sxy),
            Regr::AvgX => float(sx / n),
            Regr::AvgY => float(sy / n),
            Regr::CovarPop => float(sxy / n),
            Regr::CovarSamp => float(sxy / (n - 1.0)),
            Regr::Corr if sxx == 0.0 || syy == 0.0 => Value::Null,
            Regr::Corr => float(sxy / (sxx * syy).sqrt()),
            Regr::R2 if sxx == 0.0 => Value::Null,
            Regr::R2 if syy == 0.0 => float(1.0),
            Regr::R2 => float((sxy * sxy) / (sxx * syy)),
            Regr::Slope if sxx == 0.0 => Value::Null,
            Regr::Slope => float(sxy / sxx),
            Regr::Intercept if sxx == 0.0 => Value::Null,
            Regr::Intercept => float((sy - sx * sxy / sxx) / n),
        }
    }
}

/// A collecting aggregate. Its argument is one packed row per input (`Scalar::PackRow`): the
/// value, string_agg's delimiter, then the ORDER BY keys; `desc` and `nulls_first` hold one bit
/// per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collect {
    pub kind: CollectKind,
    pub keys: u8,
    pub desc: u32,
    pub nulls_first: u32,
    /// json_agg over rows or arrays: PostgreSQL starts each element after the first on a new
    /// line (`, \n `).
    pub structured: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectKind {
    StringAgg,
    /// array_agg: the values (NULLs too) as an array; arrays stack into one more dimension.
    ArrayAgg,
    JsonAgg,
    JsonbAgg,
    /// json_object_agg / jsonb_object_agg: (key text, value json) pairs as one object.
    JsonObjectAgg,
    JsonbObjectAgg,
    /// Ordered-set aggregates (`WITHIN GROUP (ORDER BY x)`): percentile_cont(fraction) and
    /// percentile_disc(fraction) (the fraction is the packed row's second value), mode().
    PercentileCont,
    PercentileDisc,
    Mode,
}

impl AggFunc {
    /// Whether partial states from the workers can be merged (collecting aggregates keep their
    /// inputs in order and run on the session).
    pub fn mergeable(self) -> bool {
        !matches!(self, AggFunc::Collect(_))
    }

    pub fn name(self) -> &'static str {
        match self {
            AggFunc::CountStar | AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Variance { sample, root } => match (sample, root) {
                (true, false) => "var_samp",
                (false, false) => "var_pop",
                (true, true) => "stddev_samp",
                (false, true) => "stddev_pop",
            },
            AggFunc::Bool(true) => "bool_and",
            AggFunc::Bool(false) => "bool_or",
            AggFunc::Regr(regr) => regr.name(),
            AggFunc::Collect(c) => match c.kind {
                CollectKind::StringAgg => "string_agg",
                CollectKind::ArrayAgg => "array_agg",
                CollectKind::JsonAgg => "json_agg",
                CollectKind::JsonbAgg => "jsonb_agg",
                CollectKind::JsonObjectAgg => "json_object_agg",
                CollectKind::JsonbObjectAgg => "jsonb_object_agg",
                CollectKind::PercentileCont => "percentile_cont",
                CollectKind::PercentileDisc => "percentile_disc",
                CollectKind::Mode => "mode",
            },
        }
    }
}

/// One aggregate call of a grouped query.
#[derive(Debug, Clone, PartialEq)]
pub struct AggCall {
    pub func: AggFunc,
    pub arg: Option<Expr>,
    pub arg_type: DataType,
    pub result_type: DataType,
    /// `agg(DISTINCT x)`: each distinct non-null value once.
    pub distinct: bool,
    /// `agg(x) FILTER (WHERE condition)`: only rows where it is true.
    pub filter: Option<Expr>,
}

/// Window functions (`f(...) OVER (...)`).
#[derive(Debug, Clone, PartialEq)]
pub enum WindowFunc {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    /// `lag(x [, offset [, default]])`; `lead` with `forward`.
    Shift {
        forward: bool,
    },
    FirstValue,
    LastValue,
    NthValue,
    /// An aggregate over the frame.
    Agg(AggCall),
}

/// Frame units: rows, peer ranges, or peer groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameUnits {
    Rows,
    Range,
    Groups,
}

/// One end of a window frame (offsets in the frame's units).
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(Expr),
    CurrentRow,
    Following(Expr),
    UnboundedFollowing,
}

/// How a RANGE frame's offset moves away from the current row's ORDER BY value, by that
/// value's type (PostgreSQL's `in_range` support functions).
#[derive(Debug, Clone, PartialEq)]
pub enum RangeStep {
    /// Integers: exact, a bound past the type's range takes every row or none.
    Integer,
    /// real and double precision: a double precision offset.
    Float,
    Numeric,
    /// timestamp (a date orders as its midnight's timestamp) ± an interval.
    Timestamp,
    /// timestamptz ± an interval in the session's zone (`None`: UTC) as of binding.
    TimestampTz(Option<String>),
    /// time ± the interval's time part, not wrapping at midnight.
    Time,
    Interval,
}

/// A frame's EXCLUDE clause (`EXCLUDE NO OTHERS`, the default, is none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameExclusion {
    CurrentRow,
    /// The current row and its peers.
    Group,
    /// The current row's peers, not itself.
    Ties,
}

/// One window function call: its input row's expressions and its window.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowCall {
    pub func: WindowFunc,
    pub args: Vec<Expr>,
    pub partition: Vec<Expr>,
    /// ORDER BY: expression, descending, nulls first.
    pub order: Vec<(Expr, bool, bool)>,
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: FrameBound,
    /// A RANGE frame with an offset: how the offset applies to the one ORDER BY value.
    pub step: Option<RangeStep>,
    pub exclusion: Option<FrameExclusion>,
    pub result_type: DataType,
}

impl WindowCall {
    /// Every expression the call holds.
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = self.args.iter().chain(&self.partition).collect();
        out.extend(self.order.iter().map(|(e, ..)| e));
        for bound in [&self.start, &self.end] {
            if let FrameBound::Preceding(e) | FrameBound::Following(e) = bound {
                out.push(e);
            }
        }
        if let WindowFunc::Agg(call) = &self.func {
            out.extend(call.arg.iter().chain(call.filter.iter()));
        }
        out
    }

    /// [`WindowCall::exprs`], to change in place.
    pub fn exprs_mut(&mut self) -> Vec<&mut Expr> {
        let mut out: Vec<&mut Expr> = self.args.iter_mut().chain(&mut self.partition).collect();
        out.extend(self.order.iter_mut().map(|(e, ..)| e));
        for bound in [&mut self.start, &mut self.end] {
            if let FrameBound::Preceding(e) | FrameBound::Following(e) = bound {
                out.push(e);
            }
        }
        if let WindowFunc::Agg(call) = &mut self.func {
            out.extend(call.arg.iter_mut().chain(call.filter.iter_mut()));
        }
        out
    }

    /// Rebuilds the call with `f` applied to each expression.
    pub fn try_map_exprs<E>(
        mut self,
        f: &mut dyn FnMut(Expr) -> Result<Expr, E>,
    ) -> Result<WindowCall, E> {
        self.args = self
            .args
            .into_iter()
            .map(&mut *f)
            .collect::<Result<_, _>>()?;
        self.partition = self
            .partition
            .into_iter()
            .map(&mut *f)
            .collect::<Result<_, _>>()?;
        self.order = self
            .order
            .into_iter()
            .map(|(e, d, n)| Ok((f(e)?, d, n)))
            .collect::<Result<_, E>>()?;
        for bound in [&mut self.start, &mut self.end] {
            if let FrameBound::Preceding(e) | FrameBound::Following(e) = bound {
                *e = f(e.clone())?;
            }
        }
        if let WindowFunc::Agg(call) = &mut self.func {
            call.arg = call.arg.take().map(&mut *f).transpose()?;
            call.filter = call.filter.take().map(&mut *f).transpose()?;
        }
        Ok(self)
    }
}

/// A bound expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(Value),
    /// A column of the input row.
    Column(usize),
    /// A statement parameter (`$n`, zero-based).
    Param(usize),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>, DataType),
    IsNull(Box<Expr>, bool),
    /// (expression, from type, to type, explicit)
    Cast(Box<Expr>, DataType, DataType, bool),
    Func(Func, Vec<Expr>),
    /// A string or math function of the library (`functions.rs`).
    Scalar(crate::functions::Scalar, Vec<Expr>),
    /// `x [NOT] IN (list)`; with the items hashed when all are constants and there are enough
    /// of them (made by [`Expr::fold_constants`], which also makes `x = ANY (constant array)`
    /// and `x <> ALL (..)` one of these).
    InList(Box<Expr>, Vec<Expr>, bool, Option<HashedList>),
    /// Whether `x` is one of a set of keys: a semi-join filter the session adds to a scan from
    /// the rows of a relation the scan's rows will be joined with (see `crate::join_order`), so
    /// that rows no join partner can match stay on the worker. NULL is in no set.
    InKeys(Box<Expr>, KeyFilter),
    /// The statement's start time (`now()`, `CURRENT_TIMESTAMP`).
    StatementTime,
    /// After grouping: the n-th GROUP BY value.
    Group(usize),
    /// After grouping: the n-th aggregate's value.
    Agg(usize),
    /// The n-th window function call's value (a column the window operator adds).
    Window(usize),
    /// The n-th set-returning function call of a SELECT list (a column `Rel::ProjectSet` adds).
    SetFn(usize),
    /// A column of an enclosing query's row (a correlated subquery's outer reference): depth 1 is
    /// the row of the query just outside.
    Outer(usize, usize),
    /// A subquery, run by the session (never sent to a worker).
    Subquery(std::sync::Arc<Subquery>),
    /// `CASE WHEN c THEN v ... ELSE e END` (the simple form is bound to equality conditions).
    Case(Vec<(Expr, Expr)>, Box<Expr>),
    /// `x [NOT] LIKE | ILIKE pattern [ESCAPE e]` (escape None: no escape character).
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<char>,
        negated: bool,
        case_insensitive: bool,
    },
    /// nextval/currval/setval/lastval (see `crate::sequence`): run by the session only.
    Sequence(SequenceCall, Vec<Expr>),
    /// A value (of the domain's base type) made a value of a domain: checked against the
    /// domain's constraints, unchanged (PostgreSQL's CoerceToDomain; see `crate::domains`).
    Domain(std::sync::Arc<crate::domains::Coerce>, Box<Expr>),
}

/// An [`Expr::InList`]'s constant items hashed ([`crate::query::ValueSet`]). Made from the list,
/// so two lists equal item by item are equal whether hashed or not.
#[derive(Clone)]
pub struct HashedList(pub std::sync::Arc<crate::query::ValueSet>);

impl PartialEq for HashedList {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for HashedList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hashed")
    }
}

/// The keys of an [`Expr::InKeys`]: [`crate::query::append_hash_key`] bytes of the values, as a
/// hash join compares them.
#[derive(Clone)]
pub struct KeyFilter {
    pub keys: std::sync::Arc<crate::query::KeyIds>,
    /// Where the keys come from, for EXPLAIN (`orders.o_orderkey`).
    pub source: String,
}

impl PartialEq for KeyFilter {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.keys, &other.keys)
    }
}

impl std::fmt::Debug for KeyFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyFilter({} keys of {})", self.keys.len(), self.source)
    }
}

/// The sequence functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqFunc {
    NextVal,
    CurrVal,
    SetVal,
    LastVal,
    /// The columns of a sequence read as a relation (`SELECT last_value, log_cnt, is_called FROM
    /// seq`, as pg_dump does): its state now, not the session's.
    StateLast,
    StateLogCount,
    StateCalled,
}

impl SeqFunc {
    pub fn name(self) -> &'static str {
        match self {
            SeqFunc::NextVal => "nextval",
            SeqFunc::CurrVal => "currval",
            SeqFunc::SetVal => "setval",
            SeqFunc::LastVal => "lastval",
            SeqFunc::StateLast => "last_value",
            SeqFunc::StateLogCount => "log_cnt",
            SeqFunc::StateCalled => "is_called",
        }
    }
}

/// A sequence function and the sequence it names (none for lastval).
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceCall {
    pub func: SeqFunc,
    pub seq: Option<std::sync::Arc<crate::catalog::SequenceDef>>,
    /// When the sequence is named by an expression (`setval(pg_get_serial_sequence(...), ...)`):
    /// the sequences it may name, by name (also `public.`-qualified) and OID; the name is then the
    /// call's first argument.
    pub named_by: Option<std::sync::Arc<Vec<NamedSequence>>>,
}

/// A sequence a run-time name may resolve to: (name, OID, the sequence).
pub type NamedSequence = (String, i64, std::sync::Arc<crate::catalog::SequenceDef>);

/// What a subquery expression computes from its rows.
#[derive(Debug, Clone, PartialEq)]
pub enum SubqueryKind {
    /// The one column of the one row (NULL for no row; 21000 for several).
    Scalar,
    /// `ARRAY(subquery)`: the one column of every row, as an array.
    Array,
    Exists,
    /// `left op ANY (subquery)` (`IN` is `= ANY`), or `ALL` with `all`.
    Compare {
        left: Box<Expr>,
        op: BinOp,
        all: bool,
    },
}

/// A subquery inside an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    pub kind: SubqueryKind,
    pub rel: crate::plan::Rel,
    /// Columns of the enclosing row it reads; empty: it gives the same result for every row.
    pub reads: Vec<usize>,
    /// Whether it also reads rows of queries further out.
    pub reads_further: bool,
}

/// Runs subqueries for expressions (the session's query executor).
pub trait Subqueries {
    fn eval(&self, subquery: &Subquery, row: &[Value], ctx: &EvalContext<'_>) -> SqlResult<Value>;
}

/// What an expression may read besides its row.
#[derive(Clone, Copy)]
pub struct EvalContext<'a> {
    pub params: &'a [Value],
    /// Statement start, microseconds since 2000-01-01.
    pub now: i64,
    /// Rows of the enclosing queries, innermost last (for [`Expr::Outer`]).
    pub outer: &'a [Vec<Value>],
    /// Runs [`Expr::Subquery`] (absent on workers: the binder never sends them one).
    pub subqueries: Option<&'a dyn Subqueries>,
    /// Runs [`Expr::Sequence`] (the session's; absent on workers).
    pub sequences: Option<&'a dyn crate::sequence::Sequences>,
}

impl<'a> EvalContext<'a> {
    pub fn new(params: &'a [Value], now: i64) -> EvalContext<'a> {
        EvalContext {
            params,
            now,
            outer: &[],
            subqueries: None,
            sequences: None,
        }
    }
}

fn division_by_zero() -> SqlError {
    SqlError::new(code::DIVISION_BY_ZERO, "division by zero")
}

fn numeric_overflow() -> SqlError {
    SqlError::new(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        "value overflows numeric format",
    )
}

impl Expr {
    /// Evaluates against `row`.
    pub fn eval(&self, row: &[Value], ctx: &EvalContext<'_>) -> SqlResult<Value> {
        Ok(match self {
            Expr::Const(value) => value.clone(),
            Expr::Column(index) | Expr::Group(index) | Expr::Agg(index) => {
                row.get(*index).cloned().unwrap_or(Value::Null)
            }
            Expr::Window(_) => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "window function evaluated outside its window",
                ))
            }
            Expr::SetFn(_) => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "set-returning function evaluated outside its ProjectSet",
                ))
            }
            Expr::Param(index) => ctx.params.get(*index).cloned().unwrap_or(Value::Null),
            Expr::Outer(depth, index) => ctx
                .outer
                .len()
                .checked_sub(*depth)
                .and_then(|level| ctx.outer[level].get(*index))
                .cloned()
                .unwrap_or(Value::Null),
            Expr::Subquery(subquery) => match ctx.subqueries {
                Some(runner) => runner.eval(subquery, row, ctx)?,
                None => {
                    return Err(SqlError::new(
                        code::INTERNAL_ERROR,
                        "subquery evaluated outside the session",
                    ))
                }
            },
            Expr::Case(whens, otherwise) => {
                for (condition, result) in whens {
                    if condition.is_true(row, ctx)? {
                        return result.eval(row, ctx);
                    }
                }
                otherwise.eval(row, ctx)?
            }
            Expr::Like {
                expr,
                pattern,
                escape,
                negated,
                case_insensitive,
            } => {
                let (text, pattern) = (expr.eval_ref(row, ctx)?, pattern.eval_ref(row, ctx)?);
                let (Value::Text(text), Value::Text(pattern)) = (&*text, &*pattern) else {
                    return Ok(Value::Null);
                };
                let matched = if *case_insensitive {
                    like(&text.to_lowercase(), &pattern.to_lowercase(), *escape)?
                } else {
                    like(text, pattern, *escape)?
                };
                Value::Bool(matched != *negated)
            }
            Expr::StatementTime => Value::Timestamp(ctx.now),
            Expr::Binary(BinOp::And, left, right) => {
                let left = left.eval(row, ctx)?;
                if left == Value::Bool(false) {
                    return Ok(left);
                }
                match (left, right.eval(row, ctx)?) {
                    (_, Value::Bool(false)) => Value::Bool(false),
                    (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                    _ => Value::Null,
                }
            }
            Expr::Binary(BinOp::Or, left, right) => {
                let left = left.eval(row, ctx)?;
                if left == Value::Bool(true) {
                    return Ok(left);
                }
                match (left, right.eval(row, ctx)?) {
                    (_, Value::Bool(true)) => Value::Bool(true),
                    (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                    _ => Value::Null,
                }
            }
            Expr::Binary(
                op @ (BinOp::Eq | BinOp::NotEq | BinOp::Lt | BinOp::LtEq | BinOp::Gt | BinOp::GtEq),
                left,
                right,
            ) => {
                // Compared in place: a column's text is not copied to be looked at.
                let left = left.eval_ref(row, ctx)?;
                let right = right.eval_ref(row, ctx)?;
                if left.is_null() || right.is_null() {
                    return Ok(Value::Null);
                }
                Value::Bool(holds(*op, compare(&left, &right)))
            }
            Expr::Binary(op, left, right) => {
                let left = left.eval(row, ctx)?;
                let right = right.eval(row, ctx)?;
                if left.is_null() || right.is_null() {
                    return Ok(Value::Null);
                }
                binary(*op, left, right)?
            }
            Expr::Not(inner) => match inner.eval(row, ctx)? {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Null,
            },
            Expr::Neg(inner, ty) => match inner.eval(row, ctx)? {
                Value::Int(i) => Value::Int(check_int(
                    i.checked_neg()
                        .ok_or_else(|| check_int(i64::MAX, *ty).unwrap_err())?,
                    *ty,
                )?),
                Value::Float(f) => Value::Float(-f),
                Value::Numeric(d) => Value::Numeric(-d),
                Value::BigNumeric(n) => Value::numeric(-n),
                Value::Interval(i) => Value::Interval(crate::datetime::negate(i)?),
                _ => Value::Null,
            },
            Expr::IsNull(inner, negated) => {
                Value::Bool(inner.eval(row, ctx)?.is_null() != *negated)
            }
            Expr::Cast(inner, from, to, explicit) => {
                cast(inner.eval(row, ctx)?, *from, *to, *explicit)?
            }
            Expr::Domain(coerce, inner) => {
                let value = inner.eval(row, ctx)?;
                coerce.check(&value, ctx.now)?;
                value
            }
            Expr::Func(Func::SignalBackend(terminate), args) => {
                let Value::Int(pid) = args[0].eval(row, ctx)? else {
                    return Ok(Value::Null);
                };
                let session = ctx
                    .sequences
                    .ok_or_else(|| SqlError::unsupported("pg_cancel_backend() in this context"))?;
                Value::Bool(session.signal_backend(pid as i32, *terminate)?)
            }
            Expr::Func(Func::Advisory(advisory), args) => {
                let values = args
                    .iter()
                    .map(|arg| arg.eval(row, ctx))
                    .collect::<SqlResult<Vec<_>>>()?;
                let session = ctx
                    .sequences
                    .ok_or_else(|| SqlError::unsupported("advisory locks in this context"))?;
                session.advisory(*advisory, &values)?
            }
            Expr::Func(Func::ResetStats, args) => {
                use crate::pgstat::Reset;
                let what = match args.first() {
                    None => Some(Reset::Database),
                    Some(arg) => match arg.eval(row, ctx)? {
                        Value::Int(oid) => Some(Reset::Table(oid)),
                        // pg_stat_reset_shared: Keel has write-ahead logs and a checkpointer
                        // to count, and no recovery prefetch; its archiver view only has
                        // stats_reset.
                        Value::Text(target) => match target.as_str() {
                            "wal" => Some(Reset::Wal),
                            "bgwriter" => Some(Reset::Bgwriter),
                            "archiver" => Some(Reset::Archiver),
                            "recovery_prefetch" => None,
                            _ => {
                                return Err(SqlError::new(
                                    code::INVALID_PARAMETER_VALUE,
                                    format!("unrecognized reset target: \"{target}\""),
                                )
                                .with_hint(
                                    "Target must be \"archiver\", \"bgwriter\", \"recovery_prefetch\", or \"wal\".",
                                ))
                            }
                        },
                        _ => None,
                    },
                };
                let session = ctx
                    .sequences
                    .ok_or_else(|| SqlError::unsupported("pg_stat_reset() in this context"))?;
                if let Some(what) = what {
                    session.reset_stats(what)?;
                }
                Value::Text(String::new())
            }
            Expr::Func(Func::TransactionId, _) => ctx
                .sequences
                .ok_or_else(|| SqlError::unsupported("txid_current() in this context"))?
                .transaction_id()?,
            // Where the session evaluates it, random() is the session's, which setseed seeds.
            Expr::Func(Func::Random, _) if ctx.sequences.is_some() => {
                Value::Float(ctx.sequences.expect("checked by the guard").random())
            }
            Expr::Func(Func::SetSeed, args) => {
                let seed = match args.first().map(|arg| arg.eval(row, ctx)).transpose()? {
                    Some(Value::Float(seed)) => seed,
                    _ => return Ok(Value::Null),
                };
                if !(-1.0..=1.0).contains(&seed) {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!(
                            "setseed parameter {} is out of allowed range [-1,1]",
                            crate::functions::format_g(seed)
                        ),
                    ));
                }
                ctx.sequences
                    .ok_or_else(|| SqlError::unsupported("setseed() in this context"))?
                    .set_seed(seed);
                Value::Text(String::new())
            }
            Expr::Func(Func::CurrentSetting, args) => {
                let name = match args.first() {
                    Some(name) => name.eval(row, ctx)?,
                    None => Value::Null,
                };
                if let (Some(session), Value::Text(name)) = (ctx.sequences, &name) {
                    if let Some(value) = session.pending_setting(name) {
                        return Ok(Value::Text(value));
                    }
                }
                match args.get(1) {
                    Some(bound) => bound.eval(row, ctx)?,
                    // A custom setting nobody set: an error unless set earlier in the statement.
                    None => return Err(unrecognized_setting(&name)),
                }
            }
            Expr::Func(Func::SetConfig, args) => {
                let values = args
                    .iter()
                    .map(|arg| arg.eval(row, ctx))
                    .collect::<SqlResult<Vec<_>>>()?;
                let (Value::Text(name), Value::Text(value)) = (&values[0], &values[1]) else {
                    return Ok(Value::Null);
                };
                let session = ctx
                    .sequences
                    .ok_or_else(|| SqlError::unsupported("set_config() in this context"))?;
                session.set_config(name, value, values[2] == Value::Bool(true))?;
                Value::Text(value.clone())
            }
            Expr::Func(func, args) => {
                let values = args
                    .iter()
                    .map(|arg| arg.eval(row, ctx))
                    .collect::<SqlResult<Vec<_>>>()?;
                function(*func, values)?
            }
            Expr::Scalar(func, args) => {
                let values = args
                    .iter()
                    .map(|arg| arg.eval(row, ctx))
                    .collect::<SqlResult<Vec<_>>>()?;
                crate::functions::call(*func, values)?
            }
            Expr::Sequence(call, args) => {
                let values = args
                    .iter()
                    .map(|arg| arg.eval(row, ctx))
                    .collect::<SqlResult<Vec<_>>>()?;
                let sequences = ctx.sequences.ok_or_else(|| {
                    SqlError::unsupported(format!("{}() in this context", call.func.name()))
                })?;
                sequences.call(call, &values)?
            }
            Expr::InKeys(inner, filter) => {
                let value = inner.eval_ref(row, ctx)?;
                if value.is_null() {
                    return Ok(Value::Null);
                }
                let mut key = Vec::new();
                Value::Bool(filter.keys.contains(&value, &mut key))
            }
            Expr::InList(inner, list, negated, hashed) => {
                let value = inner.eval_ref(row, ctx)?;
                if value.is_null() {
                    return Ok(Value::Null);
                }
                if let Some(HashedList(set)) = hashed {
                    match set.contains(&value) {
                        Some(true) => return Ok(Value::Bool(!negated)),
                        Some(false) if set.had_null => return Ok(Value::Null),
                        Some(false) => return Ok(Value::Bool(*negated)),
                        None => {}
                    }
                }
                let mut saw_null = false;
                for item in list {
                    let item = item.eval(row, ctx)?;
                    if item.is_null() {
                        saw_null = true;
                    } else if compare(&value, &item).is_eq() {
                        return Ok(Value::Bool(!negated));
                    }
                }
                if saw_null {
                    Value::Null
                } else {
                    Value::Bool(*negated)
                }
            }
        })
    }

    /// [`Expr::eval`], borrowing a column's or a constant's value instead of copying it.
    pub fn eval_ref<'r>(
        &'r self,
        row: &'r [Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<std::borrow::Cow<'r, Value>> {
        use std::borrow::Cow;
        Ok(match self {
            Expr::Const(value) => Cow::Borrowed(value),
            Expr::Column(index) | Expr::Group(index) | Expr::Agg(index) => match row.get(*index) {
                Some(value) => Cow::Borrowed(value),
                None => Cow::Owned(Value::Null),
            },
            other => Cow::Owned(other.eval(row, ctx)?),
        })
    }

    /// Evaluates a predicate: true only for a true value (NULL and false both reject the row).
    pub fn is_true(&self, row: &[Value], ctx: &EvalContext<'_>) -> SqlResult<bool> {
        Ok(self.eval(row, ctx)? == Value::Bool(true))
    }

    /// The AND-ed terms of the expression, by reference, in written order (itself when no AND).
    pub fn and_terms(&self) -> Vec<&Expr> {
        fn walk<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
            match expr {
                Expr::Binary(BinOp::And, left, right) => {
                    walk(left, out);
                    walk(right, out);
                }
                other => out.push(other),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// Whether the expression reads the input row (columns, also through a correlated subquery).
    pub fn reads_row(&self) -> bool {
        let mut reads = false;
        self.visit(&mut |expr| {
            reads |= match expr {
                Expr::Column(_) | Expr::Group(_) | Expr::Agg(_) => true,
                Expr::Subquery(subquery) => !subquery.reads.is_empty(),
                _ => false,
            }
        });
        reads
    }

    /// Whether the expression calls nothing: no subquery, function or sequence, so it answers
    /// the same every time it is evaluated over the same row (`random() < 0.5` does not).
    pub fn calls_nothing(&self) -> bool {
        let mut plain = true;
        self.visit(&mut |e| {
            plain &= !matches!(e, Expr::Subquery(_) | Expr::Func(..) | Expr::Sequence(..))
        });
        plain
    }

    /// Whether the expression calls `random()` or `gen_random_uuid()` (each call draws from the
    /// session's generator, so how many calls there are shows).
    pub fn draws_random(&self) -> bool {
        let mut draws = false;
        self.visit(&mut |expr| {
            draws |= matches!(expr, Expr::Func(Func::Random | Func::GenRandomUuid, _))
        });
        draws
    }

    /// Whether a row lock's recheck may compute the expression again over a row's newest
    /// version (PostgreSQL's EvalPlanQual): it runs no subquery and no sequence function.
    pub fn recomputable(&self) -> bool {
        let mut plain = true;
        self.visit(&mut |e| plain &= !matches!(e, Expr::Subquery(_) | Expr::Sequence(..)));
        plain
    }

    /// Whether the expression can run on a worker: no subqueries, no outer references, no
    /// sequence functions.
    pub fn is_local(&self) -> bool {
        let mut local = true;
        self.visit(&mut |expr| {
            local &= !matches!(
                expr,
                Expr::Subquery(_)
                    | Expr::Outer(..)
                    | Expr::Sequence(..)
                    | Expr::Func(
                        Func::SetConfig
                            | Func::SignalBackend(_)
                            | Func::CurrentSetting
                            | Func::ResetStats
                            | Func::TransactionId
                            | Func::SetSeed
                            | Func::Advisory(_),
                        _
                    )
            )
        });
        local
    }

    /// The input columns the expression reads (also those a correlated subquery reads).
    pub fn columns(&self, out: &mut Vec<usize>) {
        self.visit(&mut |expr| match expr {
            Expr::Column(index) => out.push(*index),
            Expr::Subquery(subquery) => out.extend(&subquery.reads),
            _ => {}
        });
    }

    /// Direct children, in evaluation order.
    fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Binary(_, left, right) => vec![left, right],
            Expr::Not(inner)
            | Expr::Neg(inner, _)
            | Expr::IsNull(inner, _)
            | Expr::Cast(inner, ..)
            | Expr::Domain(_, inner)
            | Expr::InKeys(inner, _) => vec![inner],
            Expr::Func(_, args) | Expr::Scalar(_, args) | Expr::Sequence(_, args) => {
                args.iter().collect()
            }
            Expr::InList(inner, list, ..) => std::iter::once(&**inner).chain(list).collect(),
            Expr::Subquery(subquery) => match &subquery.kind {
                SubqueryKind::Compare { left, .. } => vec![left],
                _ => Vec::new(),
            },
            Expr::Case(whens, otherwise) => whens
                .iter()
                .flat_map(|(c, r)| [c, r])
                .chain(std::iter::once(&**otherwise))
                .collect(),
            Expr::Like { expr, pattern, .. } => vec![expr, pattern],
            Expr::Const(_)
            | Expr::Column(_)
            | Expr::Param(_)
            | Expr::StatementTime
            | Expr::Group(_)
            | Expr::Agg(_)
            | Expr::Window(_)
            | Expr::SetFn(_)
            | Expr::Outer(..) => Vec::new(),
        }
    }

    /// Calls `f` on this node and every node below it (not inside subqueries: their columns are
    /// another query's; a correlated one's reads are in [`Subquery::reads`]).
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        for child in self.children() {
            child.visit(f);
        }
    }

    /// Replaces each part of the expression that reads only constants by its value, bottom-up
    /// (PostgreSQL's `eval_const_expressions`): `date '1994-01-01' + interval '1' year` in a
    /// filter is then computed once per statement, not once per row. Only operators and functions
    /// whose result depends on nothing but their arguments fold (not parameters, `now()`,
    /// sequences, random values or session calls); a part whose evaluation fails stays as written,
    /// so its error is raised when (and only if) a row evaluates it, as before.
    pub fn fold_constants(self) -> Expr {
        let folded = self
            .try_map::<std::convert::Infallible>(&mut |child| Ok(child.fold_constants()))
            .unwrap_or_else(|never| match never {})
            .date_comparison()
            .hashed_list();
        let pure = match &folded {
            Expr::Binary(..)
            | Expr::Not(_)
            | Expr::Neg(..)
            | Expr::IsNull(..)
            | Expr::Cast(..)
            | Expr::Scalar(..)
            | Expr::InList(..)
            | Expr::Case(..)
            | Expr::Like { .. } => true,
            Expr::Func(func, _) => matches!(
                func,
                Func::Abs
                    | Func::Field(..)
                    | Func::Lower
                    | Func::Upper
                    | Func::Length
                    | Func::Coalesce
                    | Func::Extract
                    | Func::DatePart
                    | Func::DateTrunc
            ),
            _ => false,
        };
        if !pure
            || !folded
                .children()
                .iter()
                .all(|child| matches!(child, Expr::Const(_)))
        {
            return folded;
        }
        match folded.eval(&[], &EvalContext::new(&[], 0)) {
            Ok(value) => Expr::Const(value),
            Err(_) => folded,
        }
    }

    /// `x [NOT] IN (constants)` with its items hashed, and `x = ANY (constant array)` (`x <>
    /// ALL (..)`) as that, when [`crate::query::ValueSet::of`] takes the items: a row's test is
    /// then one probe (an ORM's `id = ANY ($1)` of thousands of ids, `NOT IN` a long list).
    /// Only one-dimensional arrays (their items are the list) with enough items to be hashed:
    /// an empty one answers differently for a NULL `x` (`NULL = ANY ('{}')` is false).
    fn hashed_list(self) -> Expr {
        use crate::array::{ArrayFn, Cmp};
        use crate::query::ValueSet;
        match self {
            Expr::InList(inner, list, negated, None)
                if list.len() >= ValueSet::MIN_ITEMS
                    && list.iter().all(|item| matches!(item, Expr::Const(_))) =>
            {
                let set = ValueSet::of(list.iter().map(|item| match item {
                    Expr::Const(value) => value,
                    _ => unreachable!("constants only"),
                }));
                Expr::InList(
                    inner,
                    list,
                    negated,
                    set.map(|set| HashedList(std::sync::Arc::new(set))),
                )
            }
            Expr::Scalar(crate::functions::Scalar::Array(ArrayFn::Compare { op, all }), args)
                if args.len() == 2
                    && matches!((op, all), (Cmp::Eq, false) | (Cmp::NotEq, true))
                    && matches!(&args[1], Expr::Const(Value::Array(array))
                        if array.dims.len() == 1 && array.items.len() >= ValueSet::MIN_ITEMS) =>
            {
                let Expr::Const(Value::Array(array)) = &args[1] else {
                    unreachable!("matched above")
                };
                let Some(set) = ValueSet::of(array.items.iter()) else {
                    return Expr::Scalar(
                        crate::functions::Scalar::Array(ArrayFn::Compare { op, all }),
                        args,
                    );
                };
                let mut args = args.into_iter();
                let (Some(left), Some(Expr::Const(Value::Array(array)))) =
                    (args.next(), args.next())
                else {
                    unreachable!("matched above")
                };
                Expr::InList(
                    Box::new(left),
                    array.items.into_iter().map(Expr::Const).collect(),
                    all,
                    Some(HashedList(std::sync::Arc::new(set))),
                )
            }
            other => other,
        }
    }

    /// `date_expr::timestamp <op> timestamp constant` as the same comparison of dates (`d <
    /// '1995-01-01 00:00'` is `d < date '1995-01-01'`; at a time past midnight, `d <= that day`),
    /// so a filter such as TPC-H's `l_shipdate < date '1994-01-01' + interval '1' year` does not
    /// cast every row's date. Exact: a date cast to timestamp is its midnight. Not for
    /// timestamptz, whose midnight depends on the session's time zone.
    fn date_comparison(self) -> Expr {
        let Expr::Binary(op, l, r) = self else {
            return self;
        };
        let day = crate::datetime::USECS_PER_DAY;
        let (date, stamp, op) = match (&*l, &*r) {
            (
                Expr::Cast(inner, DataType::Date, DataType::Timestamp, _),
                Expr::Const(Value::Timestamp(t)),
            ) => (inner, *t, op),
            (
                Expr::Const(Value::Timestamp(t)),
                Expr::Cast(inner, DataType::Date, DataType::Timestamp, _),
            ) => match op {
                BinOp::Lt => (inner, *t, BinOp::Gt),
                BinOp::LtEq => (inner, *t, BinOp::GtEq),
                BinOp::Gt => (inner, *t, BinOp::Lt),
                BinOp::GtEq => (inner, *t, BinOp::LtEq),
                _ => return Expr::Binary(op, l, r),
            },
            _ => return Expr::Binary(op, l, r),
        };
        if stamp == i64::MAX || stamp == i64::MIN {
            return Expr::Binary(op, l, r);
        }
        let (days, midnight) = (stamp.div_euclid(day), stamp.rem_euclid(day) == 0);
        let Ok(days) = i32::try_from(days) else {
            return Expr::Binary(op, l, r);
        };
        let op = match (op, midnight) {
            (BinOp::Lt, true) => BinOp::Lt,
            (BinOp::Lt | BinOp::LtEq, _) => BinOp::LtEq,
            (BinOp::GtEq, true) => BinOp::GtEq,
            (BinOp::Gt | BinOp::GtEq, _) => BinOp::Gt,
            _ => return Expr::Binary(op, l, r),
        };
        Expr::Binary(op, date.clone(), Box::new(Expr::Const(Value::Date(days))))
    }

    /// Rebuilds the node with `f` applied to each direct child (the subquery of
    /// [`Expr::Subquery`] is not a child: only its `left` operand is).
    /// The expression with each subquery in it (not those inside subqueries) replaced by
    /// what `f` makes of it.
    pub fn map_subqueries<E>(
        self,
        f: &mut dyn FnMut(std::sync::Arc<Subquery>) -> Result<Expr, E>,
    ) -> Result<Expr, E> {
        match self {
            Expr::Subquery(subquery) => f(subquery),
            other => other.try_map(&mut |child| child.map_subqueries(f)),
        }
    }

    /// Whether the expression reads nothing but its row, constants and subqueries that read
    /// nothing of the rows around them (PostgreSQL's InitPlans): a worker can run it once the
    /// session has put those subqueries' results in their places.
    pub fn is_local_but_initplans(&self) -> bool {
        let valued = self
            .clone()
            .map_subqueries(&mut |subquery| match subquery.reads.is_empty()
                && !subquery.reads_further
            {
                true => Ok(Expr::Const(Value::Null)),
                false => Err(()),
            });
        valued.is_ok_and(|expr| expr.is_local())
    }

    pub fn try_map<E>(self, f: &mut dyn FnMut(Expr) -> Result<Expr, E>) -> Result<Expr, E> {
        let boxed = |e: Box<Expr>, f: &mut dyn FnMut(Expr) -> Result<Expr, E>| f(*e).map(Box::new);
        Ok(match self {
            Expr::Binary(op, left, right) => Expr::Binary(op, boxed(left, f)?, boxed(right, f)?),
            Expr::Not(inner) => Expr::Not(boxed(inner, f)?),
            Expr::Neg(inner, ty) => Expr::Neg(boxed(inner, f)?, ty),
            Expr::IsNull(inner, negated) => Expr::IsNull(boxed(inner, f)?, negated),
            Expr::Cast(inner, from, to, explicit) => {
                Expr::Cast(boxed(inner, f)?, from, to, explicit)
            }
            Expr::Domain(coerce, inner) => Expr::Domain(coerce, boxed(inner, f)?),
            Expr::Func(func, args) => Expr::Func(
                func,
                args.into_iter().map(&mut *f).collect::<Result<_, _>>()?,
            ),
            Expr::Scalar(func, args) => Expr::Scalar(
                func,
                args.into_iter().map(&mut *f).collect::<Result<_, _>>()?,
            ),
            Expr::Sequence(call, args) => Expr::Sequence(
                call,
                args.into_iter().map(&mut *f).collect::<Result<_, _>>()?,
            ),
            Expr::InKeys(inner, filter) => Expr::InKeys(boxed(inner, f)?, filter),
            Expr::InList(inner, list, negated, hashed) => {
                let mut map =
                    |list: Vec<Expr>| list.into_iter().map(&mut *f).collect::<Result<Vec<_>, _>>();
                // The hashed items stand while the items do.
                let (list, hashed) = match hashed {
                    Some(hashed) => {
                        let mapped = map(list.clone())?;
                        let same = mapped == list;
                        (mapped, same.then_some(hashed))
                    }
                    None => (map(list)?, None),
                };
                Expr::InList(boxed(inner, f)?, list, negated, hashed)
            }
            Expr::Subquery(subquery) => match &subquery.kind {
                SubqueryKind::Compare { left, op, all } => {
                    let mut changed = (*subquery).clone();
                    changed.kind = SubqueryKind::Compare {
                        left: Box::new(f((**left).clone())?),
                        op: *op,
                        all: *all,
                    };
                    Expr::Subquery(std::sync::Arc::new(changed))
                }
                _ => Expr::Subquery(subquery),
            },
            Expr::Case(whens, otherwise) => Expr::Case(
                whens
                    .into_iter()
                    .map(|(c, r)| Ok((f(c)?, f(r)?)))
                    .collect::<Result<_, E>>()?,
                boxed(otherwise, f)?,
            ),
            Expr::Like {
                expr,
                pattern,
                escape,
                negated,
                case_insensitive,
            } => Expr::Like {
                expr: boxed(expr, f)?,
                pattern: boxed(pattern, f)?,
                escape,
                negated,
                case_insensitive,
            },
            leaf => leaf,
        })
    }

    /// Renumbers input columns (`Column(i)` becomes `Column(map(i))`), also those a correlated
    /// subquery reads from this row.
    pub fn remap_columns(self, map: &dyn Fn(usize) -> usize) -> Expr {
        fn go(expr: Expr, map: &dyn Fn(usize) -> usize, depth: usize) -> Expr {
            match expr {
                Expr::Column(index) if depth == 0 => Expr::Column(map(index)),
                Expr::Outer(d, index) if d == depth => Expr::Outer(d, map(index)),
                Expr::Subquery(subquery) => {
                    let mut changed = (*subquery).clone();
                    if depth == 0 {
                        changed.reads = changed.reads.iter().map(|&c| map(c)).collect();
                    }
                    if depth > 0 || !subquery.reads.is_empty() {
                        changed.rel = changed.rel.map_exprs(&mut |e| go(e, map, depth + 1));
                    }
                    if let SubqueryKind::Compare { left, op, all } = changed.kind {
                        changed.kind = SubqueryKind::Compare {
                            left: Box::new(go(*left, map, depth)),
                            op,
                            all,
                        };
                    }
                    Expr::Subquery(std::sync::Arc::new(changed))
                }
                other => other
                    .try_map::<std::convert::Infallible>(&mut |e| Ok(go(e, map, depth)))
                    .unwrap_or_else(|never| match never {}),
            }
        }
        go(self, map, 0)
    }
}

/// SQL LIKE: `%` any run, `_` one character, `escape` quotes the next character.
pub(crate) fn like(text: &str, pattern: &str, escape: Option<char>) -> SqlResult<bool> {
    if !pattern.contains('_') && escape.is_none_or(|e| !pattern.contains(e)) {
        return Ok(like_percent(text, pattern));
    }
    like_general(text, pattern, escape)
}

/// LIKE for a pattern whose only wildcard is `%` (most are: `'%special%requests%'`, `'PROMO%'`):
/// the text starts with the part before the first `%`, ends with the part after the last one,
/// and holds the parts between them in order in what is left, each found leftmost (a substring
/// search, not a walk over characters). Leftmost is enough: a part found earlier leaves more
/// room for the parts after it. Allocates nothing: for one text; [`PercentPattern`] is the same
/// match compiled once for many.
fn like_percent(text: &str, pattern: &str) -> bool {
    let (Some(first), Some(last)) = (pattern.find('%'), pattern.rfind('%')) else {
        return text == pattern;
    };
    let (prefix, suffix) = (&pattern[..first], &pattern[last + 1..]);
    let Some(rest) = text.strip_prefix(prefix) else {
        return false;
    };
    let Some(mut middle) = rest.strip_suffix(suffix) else {
        return false;
    };
    if first < last {
        for part in pattern[first + 1..last].split('%') {
            if part.is_empty() {
                continue;
            }
            match middle.find(part) {
                Some(at) => middle = &middle[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// A LIKE pattern of literal text and `%` (no `_`, no escape), compiled: the text
/// equals it (no `%`), or starts with the text before the first `%`, ends with the text after
/// the last, and holds each piece between them in order, found with `memchr::memmem` (what
/// TPC-H's `'%special%requests%'` and `'PROMO%'` are). It runs on bytes: in valid UTF-8 (what a
/// text value holds) a literal's bytes match exactly where its characters do, so a scan filter
/// compiles it once and matches stored rows without building them (`crate::filter`).
pub(crate) struct PercentPattern {
    /// The whole pattern, when it has no `%`.
    exact: Option<Vec<u8>>,
    prefix: Vec<u8>,
    suffix: Vec<u8>,
    pieces: Vec<memchr::memmem::Finder<'static>>,
}

impl PercentPattern {
    pub(crate) fn new(pattern: &str, escape: Option<char>) -> Option<PercentPattern> {
        if pattern.contains('_') || escape.is_some_and(|e| pattern.contains(e)) {
            return None;
        }
        let (Some(first), Some(last)) = (pattern.find('%'), pattern.rfind('%')) else {
            return Some(PercentPattern {
                exact: Some(pattern.as_bytes().to_vec()),
                prefix: Vec::new(),
                suffix: Vec::new(),
                pieces: Vec::new(),
            });
        };
        let pieces = if first < last {
            pattern[first + 1..last]
                .split('%')
                .filter(|piece| !piece.is_empty())
                .map(|piece| memchr::memmem::Finder::new(piece.as_bytes()).into_owned())
                .collect()
        } else {
            Vec::new()
        };
        Some(PercentPattern {
            exact: None,
            prefix: pattern.as_bytes()[..first].to_vec(),
            suffix: pattern.as_bytes()[last + 1..].to_vec(),
            pieces,
        })
    }

    pub(crate) fn matches(&self, text: &[u8]) -> bool {
        if let Some(exact) = &self.exact {
            return text == exact.as_slice();
        }
        let Some(rest) = text.strip_prefix(self.prefix.as_slice()) else {
            return false;
        };
        let Some(mut middle) = rest.strip_suffix(self.suffix.as_slice()) else {
            return false;
        };
        for piece in &self.pieces {
            match piece.find(middle) {
                Some(at) => middle = &middle[at + piece.needle().len()..],
                None => return false,
            }
        }
        true
    }
}

/// LIKE by walking the pattern's tokens over the text's characters.
fn like_general(text: &str, pattern: &str, escape: Option<char>) -> SqlResult<bool> {
    enum Token {
        Any,
        One,
        Char(char),
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            c if Some(c) == escape => match chars.next() {
                Some(next) => Token::Char(next),
                None => {
                    return Err(SqlError::new(
                        "22025",
                        "LIKE pattern must not end with escape character",
                    ))
                }
            },
            '%' => Token::Any,
            '_' => Token::One,
            c => Token::Char(c),
        });
    }
    let text: Vec<char> = text.chars().collect();
    // Greedy matching with one backtrack point (the last %), linear in practice.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::One) => {
                t += 1;
                p += 1;
            }
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return Ok(false),
            },
        }
    }
    Ok(tokens[p..].iter().all(|token| matches!(token, Token::Any)))
}

/// Whether `text` matches `pattern` anywhere (PostgreSQL's `~`). Patterns are compiled once per
/// thread and kept (a few hundred at most): a filter applies one pattern to many rows.
pub(crate) fn regex_matches(text: &str, pattern: &str, insensitive: bool) -> SqlResult<bool> {
    Ok(compiled_regex(pattern, insensitive)?.is_match(text))
}

/// `pattern` compiled (cached per thread; 2201B for a bad one, as PostgreSQL).
pub(crate) fn compiled_regex(pattern: &str, insensitive: bool) -> SqlResult<regex::Regex> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static COMPILED: RefCell<HashMap<(String, bool), regex::Regex>> =
            RefCell::new(HashMap::new());
    }
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        let key = (pattern.to_string(), insensitive);
        if !compiled.contains_key(&key) {
            let regex = regex::RegexBuilder::new(pattern)
                .case_insensitive(insensitive)
                .build()
                .map_err(|error| {
                    let reason = match &error {
                        regex::Error::Syntax(text) => {
                            text.lines().last().unwrap_or_default().trim().to_string()
                        }
                        other => other.to_string(),
                    };
                    SqlError::new(
                        "2201B",
                        format!(
                            "invalid regular expression: {}",
                            reason.trim_start_matches("error: ")
                        ),
                    )
                })?;
            if compiled.len() >= 256 {
                compiled.clear();
            }
            compiled.insert(key.clone(), regex);
        }
        Ok(compiled[&key].clone())
    })
}

/// Whether comparison `op` holds for operands that compare as `order`.
pub(crate) fn holds(op: BinOp, order: std::cmp::Ordering) -> bool {
    match op {
        BinOp::Eq => order.is_eq(),
        BinOp::NotEq => order.is_ne(),
        BinOp::Lt => order.is_lt(),
        BinOp::LtEq => order.is_le(),
        BinOp::Gt => order.is_gt(),
        BinOp::GtEq => order.is_ge(),
        _ => unreachable!("comparison operators only"),
    }
}

pub(crate) fn binary(op: BinOp, left: Value, right: Value) -> SqlResult<Value> {
    Ok(match op {
        BinOp::Eq | BinOp::NotEq | BinOp::Lt | BinOp::LtEq | BinOp::Gt | BinOp::GtEq => {
            Value::Bool(holds(op, compare(&left, &right)))
        }
        BinOp::Json(op, jsonb) => crate::json::operator(op, jsonb, left, right)?,
        BinOp::Regex {
            insensitive,
            negated,
        } => match (left, right) {
            (Value::Text(text), Value::Text(pattern)) => {
                Value::Bool(regex_matches(&text, &pattern, insensitive)? != negated)
            }
            _ => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "regular expression match of non-text values",
                ))
            }
        },
        BinOp::Concat => match (left, right) {
            (Value::Text(mut a), Value::Text(b)) => {
                a.push_str(&b);
                Value::Text(a)
            }
            (Value::Bytes(mut a), Value::Bytes(b)) => {
                a.extend_from_slice(&b);
                Value::Bytes(a)
            }
            _ => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "concatenation of non-text values",
                ))
            }
        },
        BinOp::Add(ty) | BinOp::Sub(ty) | BinOp::Mul(ty) | BinOp::Div(ty) | BinOp::Mod(ty) => {
            arithmetic(op, ty, left, right)?
        }
        BinOp::Time(op) => crate::datetime::time_op(op, left, right)?,
        BinOp::Bit(op, ty) => match (left, right) {
            (Value::Int(a), Value::Int(b)) => Value::Int(bitwise(op, ty, a, b)),
            _ => Value::Null,
        },
        BinOp::And | BinOp::Or => unreachable!("handled with short-circuit above"),
    })
}

fn unrecognized_setting(name: &Value) -> SqlError {
    let name = match name {
        Value::Text(name) => name.as_str(),
        _ => "",
    };
    SqlError::new(
        code::UNDEFINED_OBJECT,
        format!("unrecognized configuration parameter \"{name}\""),
    )
}

fn float_overflow() -> SqlError {
    SqlError::new(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: overflow",
    )
}

fn arithmetic(op: BinOp, ty: DataType, left: Value, right: Value) -> SqlResult<Value> {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => {
            let overflow = || {
                check_int(
                    i64::MAX,
                    if ty == DataType::Int8 {
                        DataType::Int8
                    } else {
                        ty
                    },
                )
                .err()
                .unwrap_or_else(|| {
                    SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range")
                })
            };
            let result = match op {
                BinOp::Add(_) => a.checked_add(b),
                BinOp::Sub(_) => a.checked_sub(b),
                BinOp::Mul(_) => a.checked_mul(b),
                BinOp::Div(_) => {
                    if b == 0 {
                        return Err(division_by_zero());
                    }
                    a.checked_div(b)
                }
                BinOp::Mod(_) => {
                    if b == 0 {
                        return Err(division_by_zero());
                    }
                    Some(a.checked_rem(b).unwrap_or(0))
                }
                _ => unreachable!("arithmetic operators only"),
            };
            let value = result.ok_or_else(overflow)?;
            Ok(Value::Int(check_int(value, ty)?))
        }
        (Value::Float(a), Value::Float(b)) => {
            let value = match op {
                BinOp::Add(_) => a + b,
                BinOp::Sub(_) => a - b,
                BinOp::Mul(_) => a * b,
                BinOp::Div(_) => {
                    if b == 0.0 {
                        return Err(division_by_zero());
                    }
                    a / b
                }
                BinOp::Mod(_) => {
                    return Err(SqlError::new(
                        code::UNDEFINED_FUNCTION,
                        format!("operator does not exist: {0} % {0}", ty.name()),
                    ))
                }
                _ => unreachable!("arithmetic operators only"),
            };
            if value.is_infinite() && a.is_finite() && b.is_finite() {
                return Err(float_overflow());
            }
            if ty == DataType::Float4 {
                let narrow = value as f32;
                if narrow.is_infinite() && value.is_finite() {
                    return Err(float_overflow());
                }
                // float4mul/float4div: a zero from nonzero operands underflowed.
                if narrow == 0.0 && a != 0.0 && matches!(op, BinOp::Mul(_) | BinOp::Div(_)) {
                    return Err(SqlError::new(
                        code::NUMERIC_VALUE_OUT_OF_RANGE,
                        "value out of range: underflow",
                    ));
                }
                return Ok(Value::Float(narrow as f64));
            }
            Ok(Value::Float(value))
        }
        (Value::Numeric(a), Value::Numeric(b)) => match decimal_arithmetic(op, a, b) {
            Some(value) => Ok(Value::Numeric(value)),
            None => numeric_arithmetic(op, Numeric::Small(a), Numeric::Small(b)),
        },
        (left, right) if left.is_numeric() && right.is_numeric() => {
            numeric_arithmetic(op, left.as_numeric().unwrap(), right.as_numeric().unwrap())
        }
        _ => Err(SqlError::new(
            code::INTERNAL_ERROR,
            "arithmetic on mismatched types",
        )),
    }
}

/// `+`, `-` and `*` of two Decimals when the result is exact (the scale PostgreSQL gives it);
/// None sends the operation to [`numeric_arithmetic`].
#[inline]
pub(crate) fn decimal_arithmetic(
    op: BinOp,
    a: rust_decimal::Decimal,
    b: rust_decimal::Decimal,
) -> Option<rust_decimal::Decimal> {
    fixed_arithmetic(op, Fixed::of(a), Fixed::of(b))?.decimal()
}

/// `+`, `-` and `*` on [`Fixed`] values (exact; None past an i128 or for another operator): the
/// step of [`decimal_arithmetic`] and of `arith::NumericProgram`.
#[inline]
pub(crate) fn fixed_arithmetic(op: BinOp, a: Fixed, b: Fixed) -> Option<Fixed> {
    match op {
        BinOp::Add(_) => a.checked_add(b),
        BinOp::Sub(_) => a.checked_sub(b),
        BinOp::Mul(_) => a.checked_mul(b),
        _ => None,
    }
}

/// Arithmetic on numerics of any size (see `crate::numeric`).
fn numeric_arithmetic(op: BinOp, a: Numeric, b: Numeric) -> SqlResult<Value> {
    let value = match op {
        BinOp::Add(_) => a.add(&b)?,
        BinOp::Sub(_) => a.sub(&b)?,
        BinOp::Mul(_) => a.mul(&b)?,
        BinOp::Div(_) => a.div(&b)?,
        BinOp::Mod(_) => a.rem(&b)?,
        _ => unreachable!("arithmetic operators only"),
    };
    Ok(Value::numeric(value))
}

/// 16 random bytes: a per-thread generator (xorshift128+) seeded from the kernel's entropy once.
pub(crate) fn random_bytes() -> [u8; 16] {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<(u64, u64)> = Cell::new({
            let mut seed = [0u8; 16];
            let read = std::fs::File::open("/dev/urandom")
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut seed));
            if read.is_err() {
                // No /dev/urandom: the clock and the thread's stack address still differ.
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos();
                seed = (nanos ^ (&seed as *const _ as u128)).to_le_bytes();
            }
            let a = u64::from_le_bytes(seed[..8].try_into().expect("8 bytes"));
            let b = u64::from_le_bytes(seed[8..].try_into().expect("8 bytes"));
            (a | 1, b | 1)
        });
    }
    STATE.with(|state| {
        let next = || {
            let (mut s1, s0) = state.get();
            let result = s0.wrapping_add(s1);
            s1 ^= s1 << 23;
            state.set((s0, s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26)));
            result
        };
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&next().to_le_bytes());
        out[8..].copy_from_slice(&next().to_le_bytes());
        out
    })
}

fn function(func: Func, args: Vec<Value>) -> SqlResult<Value> {
    if func == Func::Row {
        return Ok(Value::Record(Box::new(args)));
    }
    let mut args = args.into_iter();
    let first = args.next().unwrap_or(Value::Null);
    Ok(match func {
        Func::Row => unreachable!("made above"),
        Func::IsDistinct(distinct) => {
            let second = args.next().unwrap_or(Value::Null);
            let differ = match (&first, &second) {
                (Value::Null, Value::Null) => false,
                (Value::Null, _) | (_, Value::Null) => true,
                (a, b) => crate::types::compare(a, b).is_ne(),
            };
            Value::Bool(differ == distinct)
        }
        Func::Field(at, _) => match first {
            Value::Record(fields) => fields.into_iter().nth(at).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        Func::Coalesce => {
            if !first.is_null() {
                return Ok(first);
            }
            args.find(|value| !value.is_null()).unwrap_or(Value::Null)
        }
        Func::PgSleep => Value::Text(String::new()),
        // Outside a session: the value it had when bound.
        Func::CurrentSetting => match args.next() {
            Some(value) => value,
            None => return Err(unrecognized_setting(&first)),
        },
        Func::SetConfig
        | Func::SignalBackend(_)
        | Func::ResetStats
        | Func::TransactionId
        | Func::SetSeed
        | Func::Advisory(_) => {
            return Err(SqlError::new(
                code::INTERNAL_ERROR,
                "a session function evaluated outside the session",
            ))
        }
        Func::Grouping => {
            return Err(SqlError::new(
                code::GROUPING_ERROR,
                "GROUPING outside a grouped query",
            ))
        }
        Func::TableSample(repeatable) => {
            let invalid = |message: &str| SqlError::new("2202H", message.to_string());
            let percent = match first {
                Value::Float(percent) => percent,
                _ => return Err(invalid("TABLESAMPLE parameter cannot be null")),
            };
            if !(0.0..=100.0).contains(&percent) {
                return Err(invalid("sample percentage must be between 0 and 100"));
            }
            let seed = match args.next() {
                Some(Value::Float(seed)) => seed,
                _ if repeatable => {
                    return Err(invalid("TABLESAMPLE REPEATABLE parameter cannot be null"))
                }
                _ => 0.0,
            };
            let fraction = if repeatable {
                // FNV-1a over the row's values, mixed with the seed (splitmix64's finish).
                let values: Vec<Value> = args.collect();
                let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed.to_bits();
                for byte in crate::query::hash_key(&values) {
                    hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
                (crate::stats::splitmix_finish(hash) >> 11) as f64 / (1u64 << 53) as f64
            } else {
                seed
            };
            Value::Bool(fraction * 100.0 < percent)
        }
        Func::Random => {
            let bytes = random_bytes();
            let bits = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) >> 11;
            Value::Float(bits as f64 / (1u64 << 53) as f64)
        }
        Func::ClockTimestamp => Value::Timestamp(crate::types::now_timestamp()),
        Func::GenRandomUuid => {
            let mut bytes = random_bytes();
            bytes[6] = (bytes[6] & 0x0f) | 0x40;
            bytes[8] = (bytes[8] & 0x3f) | 0x80;
            Value::Text(crate::types::uuid_text(&bytes))
        }
        Func::Extract | Func::DatePart | Func::DateTrunc => {
            let value = args.next().unwrap_or(Value::Null);
            let Value::Text(field) = first else {
                return Ok(Value::Null);
            };
            if value.is_null() {
                return Ok(Value::Null);
            }
            let type_name = match value {
                Value::Date(_) => "date",
                Value::Interval(_) => "interval",
                _ => "timestamp without time zone",
            };
            match func {
                Func::DateTrunc => match value {
                    Value::Timestamp(t) => {
                        Value::Timestamp(crate::datetime::date_trunc(&field, t, type_name)?)
                    }
                    _ => Value::Null,
                },
                _ => {
                    let number = crate::datetime::extract(&field, &value, type_name)?;
                    if func == Func::DatePart {
                        Value::Float(number.to_string().parse().unwrap_or(f64::NAN))
                    } else {
                        Value::Numeric(number)
                    }
                }
            }
        }
        _ if first.is_null() => Value::Null,
        Func::Abs => match first {
            Value::Int(i) => Value::Int(i.checked_abs().ok_or_else(|| {
                SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
            })?),
            Value::Float(f) => Value::Float(f.abs()),
            Value::Numeric(d) => Value::Numeric(d.abs()),
            Value::BigNumeric(n) => Value::numeric(n.abs()),
            other => other,
        },
        Func::Lower => match first {
            Value::Text(s) => Value::Text(s.to_lowercase()),
            other => other,
        },
        Func::Upper => match first {
            Value::Text(s) => Value::Text(s.to_uppercase()),
            other => other,
        },
        Func::Length => match first {
            Value::Text(s) => Value::Int(s.chars().count() as i64),
            _ => Value::Null,
        },
    })
}

/// The running state of one aggregate.
#[derive(Debug, Clone)]
pub enum Accumulator {
    Count(i64),
    SumInt(Wide, bool),
    SumFloat(f64, bool),
    /// A numeric sum while every input is a small numeric and the sum's digits fit an i128: the
    /// digits and their scale ([`crate::numeric::Fixed`]: exact, several times quicker than
    /// adding Numerics), and whether a value came. Past that it becomes a `SumNumeric`.
    SumFixed(Wide, u32, bool),
    SumNumeric(Numeric, bool),
    /// A numeric average's sum (as `SumFixed`, becoming an `Avg` past it) and count.
    AvgFixed(Wide, u32, i64),
    Avg(Numeric, i64),
    AvgFloat(f64, i64),
    MinMax(Value, bool),
    /// bool_and / bool_or: the result so far (None: no input yet).
    Bool(Option<bool>, bool),
    /// Variance of integers and numerics: count, sum and sum of squares, exact.
    /// (Boxed, as the two below: an accumulator is as large as its largest kind, and a hash
    /// aggregation holds one per group and aggregate.)
    Moments(Box<(i64, Numeric, Numeric)>),
    /// Variance of floats: count, sum, and the sum of squared differences from the mean kept
    /// by Youngs and Cramer's update (PostgreSQL's `float8_accum`).
    MomentsFloat(f64, f64, f64),
    /// Two-variable statistics: `[N, Sx, Sxx, Sy, Syy, Sxy]`, the squares and products kept as
    /// sums of differences from the means by PostgreSQL's `float8_regr_accum`.
    Regr(Box<[f64; 6]>),
    /// The unpacked rows of a collecting aggregate.
    Collect(Vec<Vec<Value>>),
}

/// An integer sum's 128 bits as two words: an `i128` field would align the whole
/// [`Accumulator`] to 16 bytes and make it 16 bytes larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wide([u64; 2]);

impl Wide {
    #[inline]
    fn new(value: i128) -> Wide {
        Wide([value as u64, (value >> 64) as u64])
    }

    #[inline]
    fn get(self) -> i128 {
        (i128::from(self.0[1] as i64) << 64) | i128::from(self.0[0])
    }
}

impl Fixed {
    /// A sum kept as two words (see [`Wide`]) and its scale.
    #[inline]
    fn new(units: Wide, scale: u32) -> Fixed {
        Fixed {
            units: units.get(),
            scale,
        }
    }
}

/// `sum += value` for a numeric `value`; the usual case in place: a Decimal sum plus a Decimal,
/// exactly.
fn add_numeric(sum: &mut Numeric, value: &Value) -> SqlResult<()> {
    if let (Numeric::Small(total), Value::Numeric(d)) = (&mut *sum, value) {
        if let Some(next) = Fixed::of(*total)
            .checked_add(Fixed::of(*d))
            .and_then(Fixed::decimal)
        {
            *total = next;
            return Ok(());
        }
    }
    *sum = sum.add(&value.as_numeric().expect("a numeric value"))?;
    Ok(())
}

impl Accumulator {
    pub fn new(call: &AggCall) -> Accumulator {
        match call.func {
            AggFunc::CountStar | AggFunc::Count => Accumulator::Count(0),
            AggFunc::Sum if call.arg_type.is_integer() => Accumulator::SumInt(Wide::new(0), false),
            AggFunc::Sum if matches!(call.arg_type, DataType::Float4 | DataType::Float8) => {
                Accumulator::SumFloat(0.0, false)
            }
            AggFunc::Sum => Accumulator::SumFixed(Wide::new(0), 0, false),
            AggFunc::Avg if matches!(call.arg_type, DataType::Float4 | DataType::Float8) => {
                Accumulator::AvgFloat(0.0, 0)
            }
            AggFunc::Avg => Accumulator::AvgFixed(Wide::new(0), 0, 0),
            AggFunc::Min => Accumulator::MinMax(Value::Null, false),
            AggFunc::Max => Accumulator::MinMax(Value::Null, true),
            AggFunc::Bool(and) => Accumulator::Bool(None, and),
            AggFunc::Variance { .. }
                if matches!(call.arg_type, DataType::Float4 | DataType::Float8) =>
            {
                Accumulator::MomentsFloat(0.0, 0.0, 0.0)
            }
            AggFunc::Variance { .. } => {
                Accumulator::Moments(Box::new((0, Numeric::ZERO, Numeric::ZERO)))
            }
            AggFunc::Collect(_) => Accumulator::Collect(Vec::new()),
            AggFunc::Regr(_) => Accumulator::Regr(Box::new([0.0; 6])),
        }
    }

    /// Adds a small numeric input to a `SumFixed` or `AvgFixed` in place; false (nothing
    /// changed) when this is another kind or the sum would leave the i128.
    #[inline]
    pub fn add_fixed(&mut self, x: Fixed) -> bool {
        let (sum, scale) = match self {
            Accumulator::SumFixed(sum, scale, _) | Accumulator::AvgFixed(sum, scale, _) => {
                (sum, scale)
            }
            _ => return false,
        };
        let Some(next) = Fixed::new(*sum, *scale).checked_add(x) else {
            return false;
        };
        *sum = Wide::new(next.units);
        *scale = next.scale;
        match self {
            Accumulator::SumFixed(_, _, seen) => *seen = true,
            Accumulator::AvgFixed(_, _, n) => *n += 1,
            _ => {}
        }
        true
    }

    /// A `SumFixed` or `AvgFixed` as its general form (`SumNumeric`, `Avg`), for an input or
    /// a sum past an i128; any other kind stays.
    fn widen(&mut self) {
        *self = match *self {
            Accumulator::SumFixed(sum, scale, seen) => {
                Accumulator::SumNumeric(Numeric::from(Fixed::new(sum, scale)), seen)
            }
            Accumulator::AvgFixed(sum, scale, n) => {
                Accumulator::Avg(Numeric::from(Fixed::new(sum, scale)), n)
            }
            _ => return,
        };
    }

    /// Adds one input value (`Null` for `count(*)` rows is still counted).
    /// Takes an input added before back out, for a window frame whose start moves (PostgreSQL's
    /// moving-aggregate inverse transition): counts, and integer sums and averages, which stay
    /// exact. False, changing nothing, for every other kind: a float sum would round otherwise
    /// than one added afresh, a numeric sum could keep a larger display scale, min and max
    /// cannot tell what is left; such a frame is aggregated again. A sum or average left with
    /// no non-null input is the caller's to reset (its result is NULL, not 0).
    pub fn remove(&mut self, call: &AggCall, value: &Value) -> bool {
        if call.distinct {
            return false;
        }
        if call.func == AggFunc::CountStar || value.is_null() {
            if let Accumulator::Count(n) = self {
                *n -= i64::from(call.func == AggFunc::CountStar);
                return true;
            }
            return value.is_null() && !matches!(self, Accumulator::Collect(_));
        }
        match (self, value) {
            (Accumulator::Count(n), _) => *n -= 1,
            (Accumulator::SumInt(sum, _), Value::Int(i)) => {
                *sum = Wide::new(sum.get() - *i as i128)
            }
            (Accumulator::AvgFixed(sum, 0, n), Value::Int(i)) if call.arg_type.is_integer() => {
                *sum = Wide::new(sum.get() - *i as i128);
                *n -= 1;
            }
            _ => return false,
        }
        true
    }

    pub fn add(&mut self, call: &AggCall, value: Value) -> SqlResult<()> {
        if call.func == AggFunc::CountStar {
            if let Accumulator::Count(n) = self {
                *n += 1;
            }
            return Ok(());
        }
        if value.is_null() {
            return Ok(());
        }
        match (self, value) {
            (Accumulator::Count(n), _) => *n += 1,
            (Accumulator::Bool(result, and), Value::Bool(b)) => {
                *result = Some(match result {
                    None => b,
                    Some(r) if *and => *r && b,
                    Some(r) => *r || b,
                });
            }
            (Accumulator::Collect(rows), Value::Bytes(packed)) => {
                rows.push(crate::types::decode_row(&packed, 0)?);
            }
            (Accumulator::SumInt(sum, seen), Value::Int(i)) => {
                *sum = Wide::new(sum.get() + i as i128);
                *seen = true;
            }
            (Accumulator::SumFloat(sum, seen), Value::Float(f)) => {
                // float4pl/float8pl: each step in the argument's precision, overflow an error.
                let next = *sum + f;
                if next.is_infinite() && sum.is_finite() && f.is_finite() {
                    return Err(float_overflow());
                }
                *sum = if call.arg_type == DataType::Float4 {
                    let narrow = next as f32;
                    if narrow.is_infinite() && next.is_finite() {
                        return Err(float_overflow());
                    }
                    narrow as f64
                } else {
                    next
                };
                *seen = true;
            }
            (acc @ (Accumulator::SumFixed(..) | Accumulator::AvgFixed(..)), value) => {
                let small = match value {
                    Value::Numeric(d) => Some(Fixed::of(d)),
                    Value::Int(i) => Some(Fixed {
                        units: i128::from(i),
                        scale: 0,
                    }),
                    _ => None,
                };
                if !small.is_some_and(|x| acc.add_fixed(x)) {
                    acc.widen();
                    acc.add(call, value)?;
                }
            }
            (Accumulator::SumNumeric(sum, seen), value) if value.is_numeric() => {
                *seen = true;
                add_numeric(sum, &value)?;
            }
            (Accumulator::Avg(sum, n), Value::Int(i)) => {
                *sum = sum.add(&Numeric::from(i))?;
                *n += 1;
            }
            (Accumulator::Avg(sum, n), value) if value.is_numeric() => {
                add_numeric(sum, &value)?;
                *n += 1;
            }
            (Accumulator::AvgFloat(sum, n), Value::Float(f)) => {
                *sum += f;
                *n += 1;
            }
            (Accumulator::Moments(moments), value) => {
                let (n, sum, squares) = &mut **moments;
                let x = match value {
                    Value::Int(i) => Numeric::from(i),
                    value => value.as_numeric().ok_or_else(|| {
                        SqlError::new(code::INTERNAL_ERROR, "aggregate input of unexpected type")
                    })?,
                };
                *squares = squares.add(&x.mul(&x)?)?;
                *sum = sum.add(&x)?;
                *n += 1;
            }
            (Accumulator::Regr(sums), Value::Record(pair)) => {
                // A row counts only when both values are there.
                let (Some(Value::Float(y)), Some(Value::Float(x))) = (pair.first(), pair.get(1))
                else {
                    return Ok(());
                };
                let (x, y) = (*x, *y);
                let [n, sx, sxx, sy, syy, sxy] = &mut **sums;
                *n += 1.0;
                *sx += x;
                *sy += y;
                if *n > 1.0 {
                    let tx = x * *n - *sx;
                    let ty = y * *n - *sy;
                    let scale = 1.0 / (*n * (*n - 1.0));
                    *sxx += tx * tx * scale;
                    *syy += ty * ty * scale;
                    *sxy += tx * ty * scale;
                    let overflow = (sx.is_infinite() || sxx.is_infinite()) && x.is_finite()
                        || (sy.is_infinite() || syy.is_infinite()) && y.is_finite()
                        || sxy.is_infinite() && x.is_finite() && y.is_finite();
                    if overflow {
                        return Err(float_overflow());
                    }
                } else {
                    // NaN or infinity: the sums of squares are NaN.
                    if !x.is_finite() {
                        *sxx = f64::NAN;
                        *sxy = f64::NAN;
                    }
                    if !y.is_finite() {
                        *syy = f64::NAN;
                        *sxy = f64::NAN;
                    }
                }
            }
            (Accumulator::MomentsFloat(n, sx, sxx), Value::Float(x)) => {
                let before = *n;
                *n += 1.0;
                *sx += x;
                if before > 0.0 {
                    let t = x * *n - *sx;
                    *sxx += t * t / (*n * before);
                    if (sx.is_infinite() || sxx.is_infinite()) && x.is_finite() {
                        return Err(float_overflow());
                    }
                } else if !x.is_finite() {
                    // NaN or infinity: the variance is NaN.
                    *sxx = f64::NAN;
                }
            }
            (Accumulator::MinMax(best, is_max), value) => {
                let better = best.is_null() || {
                    let order = compare(&value, best);
                    if *is_max {
                        order.is_gt()
                    } else {
                        order.is_lt()
                    }
                };
                if better {
                    *best = value;
                }
            }
            _ => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "aggregate input of unexpected type",
                ))
            }
        }
        Ok(())
    }

    /// Appends the running state as values to `out`, to ship a partial aggregate from a worker
    /// ([`Accumulator::merge`] adds it into another accumulator of the same call).
    pub fn state_into(&self, out: &mut Vec<Value>) -> SqlResult<()> {
        let or_null = |seen: bool, value: Value| if seen { value } else { Value::Null };
        match self {
            Accumulator::Count(n) => out.push(Value::Int(*n)),
            Accumulator::SumInt(sum, seen) => out.push(or_null(
                *seen,
                Value::numeric(Numeric::from_i128(sum.get())),
            )),
            Accumulator::SumFloat(sum, seen) => out.push(or_null(*seen, Value::Float(*sum))),
            Accumulator::SumNumeric(sum, seen) => {
                out.push(or_null(*seen, Value::numeric(sum.clone())))
            }
            Accumulator::SumFixed(sum, scale, seen) => out.push(or_null(
                *seen,
                Value::numeric(Numeric::from(Fixed::new(*sum, *scale))),
            )),
            Accumulator::AvgFixed(sum, scale, n) => {
                out.push(Value::numeric(Numeric::from(Fixed::new(*sum, *scale))));
                out.push(Value::Int(*n));
            }
            Accumulator::Avg(sum, n) => {
                out.push(Value::numeric(sum.clone()));
                out.push(Value::Int(*n));
            }
            Accumulator::AvgFloat(sum, n) => {
                out.push(Value::Float(*sum));
                out.push(Value::Int(*n));
            }
            Accumulator::MinMax(best, _) => out.push(best.clone()),
            Accumulator::Bool(result, _) => out.push(result.map_or(Value::Null, Value::Bool)),
            Accumulator::Moments(moments) => {
                let (n, sum, squares) = &**moments;
                out.push(Value::Int(*n));
                out.push(Value::numeric(sum.clone()));
                out.push(Value::numeric(squares.clone()));
            }
            Accumulator::MomentsFloat(n, sx, sxx) => {
                out.extend([Value::Float(*n), Value::Float(*sx), Value::Float(*sxx)])
            }
            Accumulator::Regr(sums) => out.extend(sums.iter().map(|s| Value::Float(*s))),
            Accumulator::Collect(_) => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "a collecting aggregate has no partial state",
                ))
            }
        }
        Ok(())
    }

    /// The memory a new accumulator for `call` takes: its own size, and the state a variance
    /// or regression keeps boxed.
    pub fn bytes(call: &AggCall) -> usize {
        std::mem::size_of::<Accumulator>()
            + match Accumulator::new(call) {
                Accumulator::Moments(_) => std::mem::size_of::<(i64, Numeric, Numeric)>(),
                Accumulator::Regr(_) => std::mem::size_of::<[f64; 6]>(),
                _ => 0,
            }
    }

    /// How many values [`Accumulator::state_into`] gives for `call`.
    pub fn state_width(call: &AggCall) -> usize {
        match Accumulator::new(call) {
            Accumulator::Avg(..) | Accumulator::AvgFixed(..) | Accumulator::AvgFloat(..) => 2,
            Accumulator::Moments(..) | Accumulator::MomentsFloat(..) => 3,
            Accumulator::Regr(_) => 6,
            _ => 1,
        }
    }

    /// Adds a partial state (from [`Accumulator::state_into`]) into this accumulator.
    pub fn merge(&mut self, call: &AggCall, state: &[Value]) -> SqlResult<()> {
        if let Accumulator::AvgFixed(..) = self {
            // Once per group and worker: the general form takes it.
            self.widen();
        }
        match (self, state) {
            (Accumulator::Count(n), [Value::Int(m)]) => *n += m,
            (Accumulator::Avg(sum, n), [s, Value::Int(m)]) if s.is_numeric() => {
                *sum = sum.add(&s.as_numeric().unwrap())?;
                *n += m;
            }
            (Accumulator::AvgFloat(sum, n), [Value::Float(s), Value::Int(m)]) => {
                *sum += s;
                *n += m;
            }
            (Accumulator::Moments(moments), [Value::Int(m), s, q])
                if s.is_numeric() && q.is_numeric() =>
            {
                let (n, sum, squares) = &mut **moments;
                *n += m;
                *sum = sum.add(&s.as_numeric().unwrap())?;
                *squares = squares.add(&q.as_numeric().unwrap())?;
            }
            (
                Accumulator::MomentsFloat(n, sx, sxx),
                [Value::Float(n2), Value::Float(sx2), Value::Float(sxx2)],
            ) => {
                // PostgreSQL's float8_combine.
                if *n == 0.0 {
                    (*n, *sx, *sxx) = (*n2, *sx2, *sxx2);
                } else if *n2 > 0.0 {
                    let total = *n + n2;
                    let t = *sx / *n - sx2 / n2;
                    *sxx = *sxx + sxx2 + *n * n2 * t * t / total;
                    *sx += sx2;
                    *n = total;
                }
            }
            (Accumulator::Regr(sums), state) if state.len() == 6 => {
                let mut other = [0.0; 6];
                for (slot, value) in other.iter_mut().zip(state) {
                    let Value::Float(f) = value else {
                        return Err(SqlError::new(
                            code::INTERNAL_ERROR,
                            "a partial aggregate state of unexpected type",
                        ));
                    };
                    *slot = *f;
                }
                // PostgreSQL's float8_regr_combine.
                let [n1, sx1, sxx1, sy1, syy1, sxy1] = **sums;
                let [n2, sx2, sxx2, sy2, syy2, sxy2] = other;
                if n1 == 0.0 {
                    **sums = other;
                } else if n2 > 0.0 {
                    let n = n1 + n2;
                    let dx = sx1 / n1 - sx2 / n2;
                    let dy = sy1 / n1 - sy2 / n2;
                    **sums = [
                        n,
                        sx1 + sx2,
                        sxx1 + sxx2 + n1 * n2 * dx * dx / n,
                        sy1 + sy2,
                        syy1 + syy2 + n1 * n2 * dy * dy / n,
                        sxy1 + sxy2 + n1 * n2 * dx * dy / n,
                    ];
                }
            }
            (_, [Value::Null]) => {}
            (Accumulator::SumInt(sum, seen), [d]) if d.is_numeric() => {
                let part = d
                    .as_numeric()
                    .unwrap()
                    .to_i128(crate::numeric::Rounding::Trunc)
                    .ok_or_else(numeric_overflow)?;
                *sum = Wide::new(sum.get().checked_add(part).ok_or_else(numeric_overflow)?);
                *seen = true;
            }
            (acc @ Accumulator::Bool(..), [value]) => acc.add(call, value.clone())?,
            (
                acc @ (Accumulator::SumFloat(..)
                | Accumulator::SumFixed(..)
                | Accumulator::SumNumeric(..)
                | Accumulator::MinMax(..)),
                [value],
            ) => {
                // A partial sum, minimum or maximum adds like one more input value.
                let as_input = AggCall {
                    func: if matches!(acc, Accumulator::MinMax(..)) {
                        call.func
                    } else {
                        AggFunc::Sum
                    },
                    ..call.clone()
                };
                acc.add(&as_input, value.clone())?;
            }
            _ => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "partial aggregate of unexpected shape",
                ))
            }
        }
        Ok(())
    }

    /// The aggregate's result.
    pub fn finish(self, call: &AggCall) -> SqlResult<Value> {
        Ok(match self {
            Accumulator::Count(n) => Value::Int(n),
            Accumulator::SumInt(_, false)
            | Accumulator::SumFloat(_, false)
            | Accumulator::SumNumeric(_, false) => Value::Null,
            Accumulator::SumInt(sum, true) => {
                let sum = sum.get();
                if call.result_type == DataType::Int8 {
                    Value::Int(i64::try_from(sum).map_err(|_| {
                        SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range")
                    })?)
                } else {
                    Value::numeric(Numeric::from_i128(sum))
                }
            }
            Accumulator::SumFloat(sum, true) => Value::Float(sum),
            Accumulator::SumNumeric(sum, true) => Value::numeric(sum),
            Accumulator::SumFixed(_, _, false) => Value::Null,
            Accumulator::SumFixed(sum, scale, true) => {
                Value::numeric(Numeric::from(Fixed::new(sum, scale)))
            }
            Accumulator::AvgFixed(_, _, 0) => Value::Null,
            Accumulator::AvgFixed(sum, scale, n) => {
                Value::numeric(Numeric::from(Fixed::new(sum, scale)).div(&Numeric::from(n))?)
            }
            Accumulator::Avg(_, 0) | Accumulator::AvgFloat(_, 0) => Value::Null,
            Accumulator::Avg(sum, n) => Value::numeric(sum.div(&Numeric::from(n))?),
            Accumulator::AvgFloat(sum, n) => Value::Float(sum / n as f64),
            Accumulator::MinMax(best, _) => best,
            Accumulator::Bool(result, _) => result.map_or(Value::Null, Value::Bool),
            Accumulator::Moments(moments) => {
                let (n, sum, squares) = *moments;
                let AggFunc::Variance { sample, root } = call.func else {
                    return Ok(Value::Null);
                };
                variance_numeric(n, &sum, &squares, sample, root)?
            }
            Accumulator::MomentsFloat(n, _, sxx) => {
                let AggFunc::Variance { sample, root } = call.func else {
                    return Ok(Value::Null);
                };
                let divisor = if sample { n - 1.0 } else { n };
                if divisor <= 0.0 {
                    return Ok(Value::Null);
                }
                let variance = sxx / divisor;
                Value::Float(if root { variance.sqrt() } else { variance })
            }
            Accumulator::Collect(rows) => {
                let AggFunc::Collect(collect) = call.func else {
                    return Ok(Value::Null);
                };
                finish_collect(collect, rows)?
            }
            Accumulator::Regr(sums) => {
                let AggFunc::Regr(regr) = call.func else {
                    return Ok(Value::Null);
                };
                regr.finish(*sums)
            }
        })
    }
}

/// PostgreSQL's `numeric_stddev_internal`: (N·Σx² − (Σx)²) / (N·(N−1)) (N² for the
/// population) at numeric division's scale, its square root at that scale for stddev; NULL
/// below two inputs (one for the population), 0 when rounding makes the numerator negative.
fn variance_numeric(
    n: i64,
    sum: &Numeric,
    squares: &Numeric,
    sample: bool,
    root: bool,
) -> SqlResult<Value> {
    if n == 0 || (sample && n == 1) {
        return Ok(Value::Null);
    }
    if sum.is_nan() || squares.is_nan() || !sum.is_finite() || !squares.is_finite() {
        return Ok(Value::numeric(Numeric::NaN));
    }
    let count = Numeric::from(n);
    let numerator = count.mul(squares)?.sub(&sum.mul(sum)?)?;
    if numerator.is_negative() || numerator.is_zero() {
        return Ok(Value::numeric(Numeric::ZERO));
    }
    let denominator = if sample {
        count.mul(&Numeric::from(n - 1))?
    } else {
        count.mul(&count)?
    };
    let variance = numerator.div(&denominator)?;
    Ok(Value::numeric(if root {
        variance.sqrt_at(variance.scale())?
    } else {
        variance
    }))
}

/// An ordered-set aggregate over its rows (value, [fraction], sort key), sorted by the key: NULL
/// values are left out; percentile_disc takes the first value at or past the fraction of the
/// count, percentile_cont interpolates between the two around it (as float8), mode the most
/// frequent value (the first of equals in sort order), as PostgreSQL's.
fn ordered_set(kind: CollectKind, rows: Vec<Vec<Value>>) -> SqlResult<Value> {
    let fraction = match rows.first().and_then(|row| row.get(1)) {
        _ if kind == CollectKind::Mode => 0.0,
        Some(Value::Float(f)) => *f,
        Some(Value::Null) => return Ok(Value::Null),
        _ => 0.0,
    };
    if kind != CollectKind::Mode && !(0.0..=1.0).contains(&fraction) {
        return Err(SqlError::new(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("percentile value {fraction} is not between 0 and 1"),
        ));
    }
    let values: Vec<Value> = rows
        .into_iter()
        .filter_map(|row| row.into_iter().next().filter(|v| !v.is_null()))
        .collect();
    if values.is_empty() {
        return Ok(Value::Null);
    }
    let n = values.len();
    Ok(match kind {
        CollectKind::PercentileDisc => {
            // The first row whose cumulative share reaches the fraction.
            let row = ((fraction * n as f64).ceil() as usize).max(1);
            values[row.min(n) - 1].clone()
        }
        CollectKind::PercentileCont => {
            let float = |v: &Value| match v {
                Value::Float(f) => *f,
                Value::Int(i) => *i as f64,
                other => other.as_numeric().map_or(0.0, |n| n.to_f64()),
            };
            let position = fraction * (n - 1) as f64;
            let (low, high) = (position.floor() as usize, position.ceil() as usize);
            let (a, b) = (float(&values[low]), float(&values[high]));
            Value::Float(if low == high {
                a
            } else {
                a + (position - low as f64) * (b - a)
            })
        }
        _ => {
            let (mut best, mut best_count) = (0, 0);
            let mut start = 0;
            while start < n {
                let mut end = start + 1;
                while end < n && compare(&values[end], &values[start]).is_eq() {
                    end += 1;
                }
                if end - start > best_count {
                    (best, best_count) = (start, end - start);
                }
                start = end;
            }
            values[best].clone()
        }
    })
}

/// The result of a collecting aggregate over its unpacked rows (value, [delimiter], keys...).
fn finish_collect(collect: Collect, mut rows: Vec<Vec<Value>>) -> SqlResult<Value> {
    let first_key = match collect.kind {
        CollectKind::StringAgg
        | CollectKind::PercentileCont
        | CollectKind::PercentileDisc
        | CollectKind::JsonObjectAgg
        | CollectKind::JsonbObjectAgg => 2,
        _ => 1,
    };
    if collect.keys > 0 {
        rows.sort_by(|a, b| {
            for k in 0..collect.keys as usize {
                let (x, y) = (&a[first_key + k], &b[first_key + k]);
                let desc = collect.desc & (1 << k) != 0;
                let nulls_first = collect.nulls_first & (1 << k) != 0;
                let order = match (x.is_null(), y.is_null()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) if nulls_first => std::cmp::Ordering::Less,
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) if nulls_first => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ if desc => compare(y, x),
                    _ => compare(x, y),
                };
                if order.is_ne() {
                    return order;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    match collect.kind {
        CollectKind::PercentileCont | CollectKind::PercentileDisc | CollectKind::Mode => {
            ordered_set(collect.kind, rows)
        }
        CollectKind::StringAgg => {
            let mut out: Option<String> = None;
            for row in &rows {
                let Value::Text(value) = &row[0] else {
                    continue;
                };
                match &mut out {
                    None => out = Some(value.clone()),
                    Some(text) => {
                        if let Value::Text(delimiter) = &row[1] {
                            text.push_str(delimiter);
                        }
                        text.push_str(value);
                    }
                }
            }
            Ok(out.map_or(Value::Null, Value::Text))
        }
        CollectKind::ArrayAgg => {
            if rows.is_empty() {
                return Ok(Value::Null);
            }
            let items: Vec<Value> = rows
                .into_iter()
                .map(|row| row.into_iter().next().unwrap_or(Value::Null))
                .collect();
            if !items.iter().any(|v| matches!(v, Value::Array(_))) {
                return Ok(Value::Array(Box::new(crate::array::Array::one_dim(items))));
            }
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Array(array) if !array.dims.is_empty() => parts.push(*array),
                    Value::Array(_) => {
                        return Err(SqlError::new(
                            code::ARRAY_SUBSCRIPT_ERROR,
                            "cannot accumulate empty arrays",
                        ))
                    }
                    _ => {
                        return Err(SqlError::new(
                            code::NULL_VALUE_NOT_ALLOWED,
                            "cannot accumulate null arrays",
                        ))
                    }
                }
            }
            crate::array::stack(parts).map(|array| Value::Array(Box::new(array)))
        }
        CollectKind::JsonObjectAgg | CollectKind::JsonbObjectAgg => {
            if rows.is_empty() {
                return Ok(Value::Null);
            }
            // json's layout is PostgreSQL's json_object_agg's: `{ "k" : v, ... }`.
            let mut text = String::from("{ ");
            for (i, row) in rows.iter().enumerate() {
                let Value::Text(key) = &row[0] else {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "field name must not be null",
                    ));
                };
                if i > 0 {
                    text.push_str(", ");
                }
                crate::json::write_string(key, &mut text);
                text.push_str(" : ");
                match &row[1] {
                    Value::Text(json) => text.push_str(json),
                    _ => text.push_str("null"),
                }
            }
            text.push_str(" }");
            Ok(Value::Text(
                if collect.kind == CollectKind::JsonbObjectAgg {
                    crate::json::jsonb_in(&text)?
                } else {
                    text
                },
            ))
        }
        CollectKind::JsonAgg | CollectKind::JsonbAgg => {
            if rows.is_empty() {
                return Ok(Value::Null);
            }
            let mut text = String::from("[");
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                match &row[0] {
                    Value::Text(json) => {
                        if i > 0 && collect.structured {
                            text.push_str("\n ");
                        }
                        text.push_str(json);
                    }
                    _ => text.push_str("null"),
                }
            }
            text.push(']');
            Ok(Value::Text(if collect.kind == CollectKind::JsonbAgg {
                crate::json::jsonb_in(&text)?
            } else {
                text
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_list_answers_as_the_items_compared_one_by_one() {
        use crate::array::{Array, ArrayFn, Cmp};
        use crate::functions::Scalar;
        use crate::numeric::Numeric;
        let ctx = EvalContext::new(&[], 0);
        let numeric = |text: &str| Value::numeric(Numeric::parse(text).expect("a numeric"));
        // Per kind: the items (nine or more), then values to look up (of the kind, of another
        // kind, NULL).
        let cases: Vec<(Vec<Value>, Vec<Value>)> = vec![
            (
                (0..12).map(|i| Value::Int(i * 7)).collect(),
                vec![
                    Value::Int(14),
                    Value::Int(15),
                    Value::Float(21.0),
                    numeric("28.0"),
                ],
            ),
            (
                [0.0, 1.5, f64::NAN, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
                    .into_iter()
                    .map(Value::Float)
                    .collect(),
                vec![
                    Value::Float(-0.0),
                    Value::Float(-f64::NAN),
                    Value::Float(1.25),
                    Value::Int(3),
                ],
            ),
            (
                ["1.0", "2.50", "3", "4", "5", "6", "7", "8", "9", "1e40"]
                    .iter()
                    .map(|t| numeric(t))
                    .collect(),
                vec![
                    numeric("1"),
                    numeric("2.5"),
                    numeric("1e40"),
                    Value::Int(3),
                    numeric("2.51"),
                ],
            ),
            (
                (0..10)
                    .map(|i| Value::Text(format!("v{i}")))
                    .chain([Value::Null])
                    .collect(),
                vec![
                    Value::Text("v3".into()),
                    Value::Text("V3".into()),
                    Value::Text("v3 ".into()),
                ],
            ),
            (
                (0..10)
                    .map(|i| {
                        Value::Interval(crate::datetime::Interval {
                            months: 0,
                            days: i,
                            micros: 0,
                        })
                    })
                    .collect(),
                vec![
                    Value::Interval(crate::datetime::Interval {
                        months: 0,
                        days: 0,
                        micros: 86_400_000_000,
                    }),
                    Value::Interval(crate::datetime::Interval {
                        months: 0,
                        days: 0,
                        micros: 1,
                    }),
                ],
            ),
        ];
        for (items, probes) in cases {
            let list: Vec<Expr> = items.iter().cloned().map(Expr::Const).collect();
            for negated in [false, true] {
                let plain = |x: &Value| {
                    Expr::InList(
                        Box::new(Expr::Const(x.clone())),
                        list.clone(),
                        negated,
                        None,
                    )
                };
                let array = Expr::Const(Value::Array(Box::new(Array::one_dim(items.clone()))));
                let op = if negated { Cmp::NotEq } else { Cmp::Eq };
                let any = Expr::Scalar(
                    Scalar::Array(ArrayFn::Compare { op, all: negated }),
                    vec![Expr::Column(0), array],
                )
                .fold_constants();
                let Expr::InList(_, _, _, Some(_)) = &any else {
                    panic!("not hashed: {any:?}");
                };
                let hashed = Expr::InList(Box::new(Expr::Column(0)), list.clone(), negated, None)
                    .fold_constants();
                for x in probes.iter().chain([&Value::Null]) {
                    let expected = plain(x).eval(&[], &ctx).expect("compared");
                    assert_eq!(
                        hashed.eval(std::slice::from_ref(x), &ctx).ok(),
                        Some(expected.clone()),
                        "{x:?} in {items:?}"
                    );
                    assert_eq!(
                        any.eval(std::slice::from_ref(x), &ctx).ok(),
                        Some(expected),
                        "{x:?} = any {items:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn accumulators_stay_small() {
        // A hash aggregation holds one per group and aggregate, and counts it against
        // work_mem: TPC-H Q13's 100k groups of count() fit the default 8 MB hash budget at 40
        // bytes each (at 64 they spilled).
        assert!(std::mem::size_of::<Accumulator>() <= 40);
        for value in [0, 1, -1, i128::from(i64::MAX) * 3, i128::from(i64::MIN) * 5] {
            assert_eq!(Wide::new(value).get(), value);
        }
        assert_eq!(Wide::new(i128::MIN).get(), i128::MIN);
        assert_eq!(Wide::new(i128::MAX).get(), i128::MAX);
    }

    #[test]
    fn like_with_only_percent_signs_matches_as_the_general_walk() {
        // Every pattern of up to 5 symbols over {a, b, %} against every text of up to 5 letters
        // over {a, b}, and some multi-byte ones.
        fn words(alphabet: &[char], max: usize) -> Vec<String> {
            let mut out = vec![String::new()];
            let mut last = vec![String::new()];
            for _ in 0..max {
                let next: Vec<String> = last
                    .iter()
                    .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                    .collect();
                out.extend(next.iter().cloned());
                last = next;
            }
            out
        }
        let mut texts = words(&['a', 'b'], 5);
        texts.extend(["é", "aéü", "éaü", "üé"].map(String::from));
        let mut patterns = words(&['a', 'b', '%'], 5);
        patterns.extend(["%é%", "é%ü", "%üé"].map(String::from));
        patterns.extend(["%special%requests%", "x%%y", "%a%a%a%"].map(String::from));
        texts.extend(["special requests", "specialrequests and more", "x%y"].map(String::from));
        for pattern in &patterns {
            let compiled = PercentPattern::new(pattern, None).expect("literal and %");
            for text in &texts {
                let expected = like_general(text, pattern, None).unwrap();
                assert_eq!(
                    like_percent(text, pattern),
                    expected,
                    "{text:?} LIKE {pattern:?}"
                );
                assert_eq!(
                    compiled.matches(text.as_bytes()),
                    expected,
                    "{text:?} LIKE {pattern:?} (compiled)"
                );
            }
        }
        assert!(PercentPattern::new("a_c", None).is_none());
        assert!(PercentPattern::new("a!%c", Some('!')).is_none());
    }

    fn eval(expr: Expr) -> SqlResult<Value> {
        expr.eval(&[], &EvalContext::new(&[], 0))
    }

    fn int(i: i64) -> Box<Expr> {
        Box::new(Expr::Const(Value::Int(i)))
    }

    #[test]
    fn integer_overflow_and_division_by_zero() {
        let add = Expr::Binary(BinOp::Add(DataType::Int4), int(i32::MAX as i64), int(1));
        assert_eq!(eval(add).unwrap_err().message, "integer out of range");
        let div = Expr::Binary(BinOp::Div(DataType::Int4), int(1), int(0));
        assert_eq!(eval(div).unwrap_err().code, code::DIVISION_BY_ZERO);
        let div = Expr::Binary(BinOp::Div(DataType::Int4), int(-7), int(2));
        assert_eq!(eval(div).unwrap(), Value::Int(-3));
    }

    #[test]
    fn three_valued_logic() {
        let null = Box::new(Expr::Const(Value::Null));
        let f = Box::new(Expr::Const(Value::Bool(false)));
        let t = Box::new(Expr::Const(Value::Bool(true)));
        assert_eq!(
            eval(Expr::Binary(BinOp::And, null.clone(), f.clone())).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            eval(Expr::Binary(BinOp::And, null.clone(), t.clone())).unwrap(),
            Value::Null
        );
        assert_eq!(
            eval(Expr::Binary(BinOp::Or, null.clone(), t)).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(eval(Expr::Binary(BinOp::Or, null, f)).unwrap(), Value::Null);
    }

    #[test]
    fn partial_aggregates_merge_to_the_whole() {
        let values = [
            Value::Int(3),
            Value::Null,
            Value::Int(-7),
            Value::Int(10),
            Value::Int(5),
        ];
        for (func, arg_type, result_type) in [
            (AggFunc::CountStar, DataType::Int8, DataType::Int8),
            (AggFunc::Count, DataType::Int4, DataType::Int8),
            (AggFunc::Sum, DataType::Int4, DataType::Int8),
            (AggFunc::Sum, DataType::Int8, DataType::Numeric),
            (AggFunc::Avg, DataType::Int4, DataType::Numeric),
            (AggFunc::Min, DataType::Int4, DataType::Int4),
            (AggFunc::Max, DataType::Int4, DataType::Int4),
        ] {
            let call = AggCall {
                func,
                arg: Some(Expr::Column(0)),
                arg_type,
                result_type,
                distinct: false,
                filter: None,
            };
            for split in 0..=values.len() {
                let mut whole = Accumulator::new(&call);
                for v in &values {
                    whole.add(&call, v.clone()).unwrap();
                }
                let (mut first, mut second) = (Accumulator::new(&call), Accumulator::new(&call));
                for v in &values[..split] {
                    first.add(&call, v.clone()).unwrap();
                }
                for v in &values[split..] {
                    second.add(&call, v.clone()).unwrap();
                }
                let mut merged = Accumulator::new(&call);
                for part in [&first, &second] {
                    let mut state = Vec::new();
                    part.state_into(&mut state).unwrap();
                    merged.merge(&call, &state).unwrap();
                }
                assert_eq!(
                    merged.finish(&call).unwrap(),
                    whole.finish(&call).unwrap(),
                    "{func:?} split at {split}"
                );
            }
        }
    }
}
