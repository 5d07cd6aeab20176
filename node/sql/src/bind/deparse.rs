//! The binder's half of deparsing (see [`crate::deparse`]): an expression's syntax turned into
//! the tree PostgreSQL's parser would have made of it, typed as PostgreSQL types it: operators
//! resolved to the ones its catalog has (an integer compared with a numeric is cast to numeric,
//! a varchar compared with anything is cast to text, integers of different widths meet in
//! cross-type operators without a cast), untyped literals given the type their context asks
//! for, functions' arguments cast to their parameters' types.
//!
//! It knows the common operators, functions and node kinds; anything else gives None, and the
//! caller keeps the expression's written text (the deparse is a presentation: what a stored
//! expression means is its bound form, never this text). A deparse is also only used when it
//! binds back to the very expression it was made from (see [`Binder::deparsed_same`]).

use sqlparser::ast::{self, BinaryOperator as B, UnaryOperator};
use sqlparser::tokenizer::Span;

use super::{ident_name, AggCollector, Binder, Scope};
use crate::deparse::{same_type, BoolOp, Node, SublinkKind};
use crate::expr::FrameExclusion;
use crate::types::{DataType, Value};

/// A node and its type (Unknown: an untyped literal, typed by what it meets).
#[derive(Debug, Clone)]
pub(super) struct Typed {
    node: Node,
    ty: DataType,
}

impl Typed {
    fn new(node: Node, ty: DataType) -> Typed {
        Typed { node, ty }
    }
}

/// The rank of a type among PostgreSQL's numeric ones, in implicit-cast order.
fn rank(ty: DataType) -> Option<u8> {
    Some(match ty.expression_type() {
        DataType::Int2 => 1,
        DataType::Int4 => 2,
        DataType::Int8 => 3,
        DataType::Numeric => 4,
        DataType::Float4 => 5,
        DataType::Float8 => 6,
        _ => return None,
    })
}

fn textish(ty: DataType) -> bool {
    matches!(
        ty,
        DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Unknown
    )
}

/// A binary-compatible coercion (RelabelType in PostgreSQL): varchar and text.
fn relabel(from: DataType, to: DataType) -> bool {
    matches!(
        (from, to),
        (DataType::Varchar(_), DataType::Text) | (DataType::Text, DataType::Varchar(_))
    ) || matches!((from, to), (DataType::Array(a), DataType::Array(b))
        if relabel(a.ty(), b.ty()))
}

/// The types of a comparison's operands once PostgreSQL has chosen its operator (None: not a
/// case this deparser knows).
fn comparison(l: DataType, r: DataType) -> Option<(DataType, DataType)> {
    let (lb, rb) = (l.expression_type(), r.expression_type());
    if let (Some(a), Some(b)) = (rank(lb), rank(rb)) {
        return match (a, b) {
            _ if a <= 3 && b <= 3 => Some((lb, rb)),
            (5, 6) | (6, 5) | (5, 5) => Some((lb, rb)),
            _ if a == 5 || b == 5 => None,
            _ => {
                let wide = if a >= b { lb } else { rb };
                Some((wide, wide))
            }
        };
    }
    if textish(lb) && textish(rb) {
        return Some(match (lb, rb) {
            (DataType::Char(_), DataType::Char(_)) => (lb, rb),
            _ => (DataType::Text, DataType::Text),
        });
    }
    let datetime = |t: DataType| {
        matches!(
            t,
            DataType::Date | DataType::Timestamp | DataType::TimestampTz
        )
    };
    if datetime(lb) && datetime(rb) {
        return Some((lb, rb));
    }
    same_type(lb, rb).then_some((lb, rb))
}

/// An arithmetic operator's operand types and result (None: not known here).
fn arithmetic(op: &str, l: DataType, r: DataType) -> Option<(DataType, DataType, DataType)> {
    use DataType as T;
    let (lb, rb) = (l.expression_type(), r.expression_type());
    if let (Some(a), Some(b)) = (rank(lb), rank(rb)) {
        let wide = if a >= b { lb } else { rb };
        return match (a, b) {
            _ if a <= 3 && b <= 3 && op == "%" => Some((wide, wide, wide)),
            _ if a <= 3 && b <= 3 => Some((lb, rb, wide)),
            (5, 6) | (6, 5) => Some((lb, rb, T::Float8)),
            _ if a == 5 || b == 5 => (a == b).then_some((lb, rb, lb)),
            _ => Some((wide, wide, wide)),
        };
    }
    let plus = op == "+";
    let minus = op == "-";
    Some(match (lb, rb) {
        (T::Date, T::Int4) if plus || minus => (lb, rb, T::Date),
        (T::Int4, T::Date) if plus => (lb, rb, T::Date),
        (T::Date, T::Date) if minus => (lb, rb, T::Int4),
        (T::Date, T::Interval) if plus || minus => (lb, rb, T::Timestamp),
        (T::Interval, T::Date) if plus => (lb, rb, T::Timestamp),
        (T::Timestamp | T::TimestampTz, T::Interval) if plus || minus => (lb, rb, lb),
        (T::Interval, T::Timestamp | T::TimestampTz) if plus => (lb, rb, rb),
        (T::Timestamp, T::Timestamp) | (T::TimestampTz, T::TimestampTz) if minus => {
            (lb, rb, T::Interval)
        }
        (T::Interval, T::Interval) if plus || minus => (lb, rb, lb),
        (T::Interval, n) if rank(n).is_some() && (op == "*" || op == "/") => {
            (lb, T::Float8, T::Interval)
        }
        (n, T::Interval) if rank(n).is_some() && op == "*" => (T::Float8, rb, T::Interval),
        _ => return None,
    })
}

/// PostgreSQL's `select_common_type` for the cases known here: numbers widen, strings meet in
/// text, dates and timestamps in the wider; untyped literals alone are text.
fn common_type(types: &[DataType]) -> Option<DataType> {
    let known: Vec<DataType> = types
        .iter()
        .copied()
        .filter(|t| *t != DataType::Unknown)
        .collect();
    let Some(&first) = known.first() else {
        return Some(DataType::Text);
    };
    if known.iter().all(|t| same_type(*t, first)) {
        return Some(first.expression_type());
    }
    if known.iter().all(|t| rank(*t).is_some()) {
        return known.iter().copied().max_by_key(|t| rank(*t));
    }
    if known.iter().all(|t| textish(*t)) {
        return known.contains(&DataType::Text).then_some(DataType::Text);
    }
    let order = |t: &DataType| match t {
        DataType::Date => Some(0),
        DataType::Timestamp => Some(1),
        DataType::TimestampTz => Some(2),
        _ => None,
    };
    if known.iter().all(|t| order(t).is_some()) {
        return known.iter().copied().max_by_key(|t| order(t));
    }
    None
}

/// A function's parameter types for its arguments' types, and its result (None: a function or
/// a signature not known here).
fn signature(name: &str, args: &[DataType]) -> Option<(Vec<DataType>, DataType)> {
    use DataType as T;
    let text = |n: usize| vec![T::Text; n];
    let first = args.first().map(|t| t.expression_type());
    Some(match (name, args.len()) {
        ("length" | "char_length" | "character_length", 1) => match first? {
            T::Char(_) => (args.to_vec(), T::Int4),
            T::Bytea => (args.to_vec(), T::Int4),
            _ => (text(1), T::Int4),
        },
        ("upper" | "lower" | "initcap" | "md5" | "reverse", 1) => (text(1), T::Text),
        ("btrim" | "ltrim" | "rtrim", 1 | 2) => (text(args.len()), T::Text),
        ("replace", 3) => (text(3), T::Text),
        ("substr", 2) => (vec![T::Text, T::Int4], T::Text),
        ("substr", 3) => (vec![T::Text, T::Int4, T::Int4], T::Text),
        ("split_part", 3) => (vec![T::Text, T::Text, T::Int4], T::Text),
        ("repeat", 2) => (vec![T::Text, T::Int4], T::Text),
        ("lpad" | "rpad", 2) => (vec![T::Text, T::Int4], T::Text),
        ("lpad" | "rpad", 3) => (vec![T::Text, T::Int4, T::Text], T::Text),
        ("strpos", 2) => (text(2), T::Int4),
        ("starts_with", 2) => (text(2), T::Bool),
        ("abs", 1) => match first? {
            t @ (T::Int2 | T::Int4 | T::Int8 | T::Numeric | T::Float4 | T::Float8) => (vec![t], t),
            _ => return None,
        },
        ("round" | "trunc" | "ceil" | "ceiling" | "floor", 1) => match first? {
            t @ (T::Numeric | T::Float8) => (vec![t], t),
            _ => return None,
        },
        ("round" | "trunc", 2) => (vec![T::Numeric, T::Int4], T::Numeric),
        ("now" | "statement_timestamp" | "transaction_timestamp" | "clock_timestamp", 0) => {
            (Vec::new(), T::TimestampTz)
        }
        ("random" | "pi", 0) => (Vec::new(), T::Float8),
        ("gen_random_uuid", 0) => (Vec::new(), T::Uuid),
        ("date_trunc", 2) => match args[1].expression_type() {
            t @ (T::Timestamp | T::TimestampTz | T::Interval) => (vec![T::Text, t], t),
            _ => return None,
        },
        _ => return None,
    })
}

/// Whether `name` is an aggregate [`aggregate`] knows.
fn aggregate_name(name: &str) -> bool {
    matches!(name, "count" | "sum" | "avg" | "min" | "max")
}

/// An aggregate's result type for its argument's (None: not an aggregate known here).
fn aggregate(name: &str, args: &[DataType]) -> Option<DataType> {
    use DataType as T;
    let [arg] = args else {
        return None;
    };
    let arg = arg.expression_type();
    Some(match (name, arg) {
        ("count", _) => T::Int8,
        ("sum", T::Int2 | T::Int4) => T::Int8,
        ("sum", T::Int8 | T::Numeric) => T::Numeric,
        ("sum" | "avg", T::Float8) => T::Float8,
        ("sum", T::Interval) => T::Interval,
        ("avg", T::Int2 | T::Int4 | T::Int8 | T::Numeric) => T::Numeric,
        ("min" | "max", t) if t != T::Unknown => t,
        _ => return None,
    })
}

impl Binder<'_> {
    /// `expr`, read over `scope`, as PostgreSQL's tree of it (None: something the deparser does
    /// not know). Columns print bare, or as `alias.column` when `qualify`.
    pub(super) fn deparse_tree(
        &mut self,
        expr: &ast::Expr,
        scope: &Scope<'_>,
        qualify: bool,
    ) -> Option<Typed> {
        use ast::Expr as E;
        let go = |binder: &mut Self, e: &ast::Expr| binder.deparse_tree(e, scope, qualify);
        Some(match expr {
            E::Identifier(_) | E::CompoundIdentifier(_) => {
                let mut aggs = AggCollector::default();
                let (bound, ty) = self.bind_expr(expr, scope, &mut aggs).ok()?;
                let (rel, column) = match bound {
                    crate::expr::Expr::Column(i) => scope.column(i)?,
                    // A correlated subquery's reference to a query outside (depth 1: the
                    // one just outside).
                    crate::expr::Expr::Outer(depth, i) => {
                        let mut at = scope;
                        for _ in 0..depth {
                            at = at.outer?;
                        }
                        at.column(i)?
                    }
                    _ => return None,
                };
                let name = crate::functions::quote_ident(&column.name);
                let node = if qualify {
                    Node::Var(format!(
                        "{}.{name}",
                        crate::functions::quote_ident(rel.shown.as_deref().unwrap_or(&rel.alias))
                    ))
                } else {
                    Node::Var(name)
                };
                // A column of a domain: relabeled where an operator or function takes it.
                let of_domain = column.source.is_some_and(|(table, attnum)| {
                    let column = (self.catalog.table_by_id(table))
                        .and_then(|table| table.columns.get(usize::try_from(attnum - 1).ok()?));
                    column.is_some_and(|column| column.domain.is_some())
                });
                let node = match node {
                    Node::Var(name) if of_domain => Node::DomainVar(name, unmodified(ty)),
                    node => node,
                };
                Typed { node, ty }
            }
            E::Nested(inner) => go(self, inner)?,
            E::Value(value) => self.deparse_literal(&value.value, false)?,
            E::UnaryOp {
                op: UnaryOperator::Minus,
                expr: inner,
            } => match inner.as_ref() {
                E::Value(value) if matches!(value.value, ast::Value::Number(..)) => {
                    self.deparse_literal(&value.value, true)?
                }
                _ => {
                    let inner = go(self, inner)?;
                    rank(inner.ty)?;
                    Typed {
                        ty: inner.ty.expression_type(),
                        node: Node::Op {
                            op: "-".into(),
                            left: None,
                            right: Box::new(inner.node),
                        },
                    }
                }
            },
            E::UnaryOp {
                op: UnaryOperator::Not,
                expr: inner,
            } => {
                let inner = go(self, inner)?;
                let inner = coerce(self, inner, DataType::Bool)?;
                Typed {
                    node: Node::Not(Box::new(inner.node)),
                    ty: DataType::Bool,
                }
            }
            E::BinaryOp { left, op, right } => {
                // PostgreSQL's grammar flattens `a AND b AND c` as it reads it: a left operand
                // that is itself an AND written as one (not a BETWEEN, made later) joins it.
                let flat = matches!(left.as_ref(), E::BinaryOp { op: l, .. } if l == op)
                    || matches!(left.as_ref(), E::Nested(inner)
                        if matches!(inner.as_ref(), E::BinaryOp { op: l, .. } if l == op));
                let l = go(self, left)?;
                let r = go(self, right)?;
                self.deparse_binary(op, l, r, flat)?
            }
            E::AnyOp {
                left,
                compare_op,
                right,
                is_some: false,
            }
            | E::AllOp {
                left,
                compare_op,
                right,
            } => {
                let all = matches!(expr, E::AllOp { .. });
                if let E::Subquery(query) = right.as_ref() {
                    let op = comparison_symbol(compare_op)?;
                    let l = go(self, left)?;
                    let (sub, ty) = self.deparse_sublink(query, scope)?;
                    let node = self.sublink_test(l, op, all, sub, ty)?;
                    return Some(Typed::new(node, DataType::Bool));
                }
                let (l, r) = (go(self, left)?, go(self, right)?);
                if let Some(op) = pattern_symbol(compare_op) {
                    // Text against an array of patterns.
                    let l = coerce(self, l, DataType::Text)?;
                    let r = coerce(self, r, DataType::Text.array())?;
                    let node = Node::ArrayOp {
                        left: Box::new(l.node),
                        op: op.into(),
                        all,
                        right: Box::new(r.node),
                    };
                    return Some(Typed::new(node, DataType::Bool));
                }
                let elem = match r.ty {
                    DataType::Array(elem) => elem.ty(),
                    DataType::Unknown => l.ty,
                    _ => return None,
                };
                let op = comparison_symbol(compare_op)?;
                let (lt, rt) = comparison(
                    if l.ty == DataType::Unknown {
                        literal_type(elem)
                    } else {
                        l.ty
                    },
                    elem,
                )?;
                let l = coerce(self, l, lt)?;
                let r = coerce(self, r, rt.array())?;
                Typed::new(
                    Node::ArrayOp {
                        left: Box::new(l.node),
                        op: op.into(),
                        all,
                        right: Box::new(r.node),
                    },
                    DataType::Bool,
                )
            }
            E::Array(array) => {
                let elems = array
                    .elem
                    .iter()
                    .map(|e| go(self, e))
                    .collect::<Option<Vec<_>>>()?;
                let types: Vec<DataType> = elems.iter().map(|t| t.ty).collect();
                let common = common_type(&types)?;
                if matches!(common, DataType::Array(_)) || elems.is_empty() {
                    return None;
                }
                let nodes = elems
                    .into_iter()
                    .map(|t| coerce(self, t, common).map(|t| t.node))
                    .collect::<Option<Vec<_>>>()?;
                Typed::new(Node::Array(nodes), common.array())
            }
            E::Substring {
                expr: inner,
                substring_from,
                substring_for,
                special,
                shorthand,
            } => {
                let text = go(self, inner)?;
                let mut args = vec![coerce(self, text, DataType::Text)?.node];
                for part in [substring_from, substring_for].into_iter().flatten() {
                    let part = go(self, part)?;
                    args.push(coerce(self, part, DataType::Int4)?.node);
                }
                let node = if *shorthand {
                    Node::Func("substr".into(), args)
                } else if *special {
                    Node::Func("\"substring\"".into(), args)
                } else if substring_from.is_none() {
                    return None;
                } else {
                    let words = ["", " FROM ", " FOR "];
                    Node::Syntax("SUBSTRING", words.into_iter().zip(args).collect())
                };
                Typed::new(node, DataType::Text)
            }
            E::Like {
                negated,
                expr: inner,
                pattern,
                escape_char: None,
                any: false,
            }
            | E::ILike {
                negated,
                expr: inner,
                pattern,
                escape_char: None,
                any: false,
            } => {
                let op = if matches!(expr, E::ILike { .. }) {
                    "~~*"
                } else {
                    "~~"
                };
                let (l, r) = (go(self, inner)?, go(self, pattern)?);
                self.deparse_like(l, r, *negated, op)?
            }
            E::IsNull(inner) | E::IsNotNull(inner) => {
                let inner = go(self, inner)?;
                if inner.ty == DataType::Unknown {
                    return None;
                }
                Typed {
                    node: Node::NullTest(Box::new(inner.node), matches!(expr, E::IsNotNull(_))),
                    ty: DataType::Bool,
                }
            }
            E::IsTrue(inner)
            | E::IsNotTrue(inner)
            | E::IsFalse(inner)
            | E::IsNotFalse(inner)
            | E::IsUnknown(inner)
            | E::IsNotUnknown(inner) => {
                let test = match expr {
                    E::IsTrue(_) => "IS TRUE",
                    E::IsNotTrue(_) => "IS NOT TRUE",
                    E::IsFalse(_) => "IS FALSE",
                    E::IsNotFalse(_) => "IS NOT FALSE",
                    E::IsUnknown(_) => "IS UNKNOWN",
                    _ => "IS NOT UNKNOWN",
                };
                let inner = go(self, inner)?;
                let inner = coerce(self, inner, DataType::Bool)?;
                Typed {
                    node: Node::BoolTest(Box::new(inner.node), test),
                    ty: DataType::Bool,
                }
            }
            E::IsDistinctFrom(a, b) | E::IsNotDistinctFrom(a, b) => {
                let (a, b) = (go(self, a)?, go(self, b)?);
                let (a, b) = self.compared(a, b)?;
                let node = Node::Distinct(Box::new(a.node), Box::new(b.node));
                Typed {
                    node: if matches!(expr, E::IsNotDistinctFrom(..)) {
                        Node::Not(Box::new(node))
                    } else {
                        node
                    },
                    ty: DataType::Bool,
                }
            }
            E::Between {
                expr: inner,
                negated,
                low,
                high,
            } => {
                let symmetric = self.between_symmetric(inner, low).ok()?;
                let inner = go(self, inner)?;
                let (low, high) = (go(self, low)?, go(self, high)?);
                let (lo_op, hi_op) = if *negated { ("<", ">") } else { (">=", "<=") };
                let (op, outer) = if *negated {
                    (BoolOp::Or, BoolOp::And)
                } else {
                    (BoolOp::And, BoolOp::Or)
                };
                let mut range = |low: Typed, high: Typed| -> Option<Node> {
                    let a = self.deparse_compare(lo_op, inner.clone(), low)?;
                    let b = self.deparse_compare(hi_op, inner.clone(), high)?;
                    Some(Node::Bool(op, vec![a.node, b.node]))
                };
                let node = if symmetric {
                    // PostgreSQL's parser writes SYMMETRIC out as both orders of the bounds.
                    let first = range(low.clone(), high.clone())?;
                    Node::Bool(outer, vec![first, range(high, low)?])
                } else {
                    range(low, high)?
                };
                Typed {
                    node,
                    ty: DataType::Bool,
                }
            }
            E::InList {
                expr: inner,
                list,
                negated,
            } => {
                let inner = go(self, inner)?;
                let items = list
                    .iter()
                    // (Items that read columns make PostgreSQL's OR of comparisons: not here.)
                    .map(|e| self.deparse_tree(e, &Scope::empty(), qualify))
                    .collect::<Option<Vec<_>>>()?;
                let op = if *negated { "<>" } else { "=" };
                if let [only] = items.as_slice() {
                    return self.deparse_compare(op, inner, only.clone());
                }
                let mut types = vec![inner.ty];
                types.extend(items.iter().map(|t| t.ty));
                let common = common_type(&types)?;
                let elems = items
                    .into_iter()
                    .map(|t| coerce(self, t, common).map(|t| t.node))
                    .collect::<Option<Vec<_>>>()?;
                let array = Typed {
                    node: Node::Array(elems),
                    ty: common.array(),
                };
                let (left_ty, right_ty) = comparison(inner.ty, common)?;
                let left = coerce(self, inner, left_ty)?;
                let right = coerce(self, array, right_ty.array())?;
                Typed {
                    node: Node::ArrayOp {
                        left: Box::new(left.node),
                        op: op.into(),
                        all: *negated,
                        right: Box::new(right.node),
                    },
                    ty: DataType::Bool,
                }
            }
            E::Cast {
                kind: ast::CastKind::Cast | ast::CastKind::DoubleColon,
                expr: inner,
                data_type,
                format: None,
            } => {
                let to = self.data_type(data_type).ok()?;
                let mut written = inner.as_ref();
                while let E::Nested(e) = written {
                    written = e;
                }
                match (written, to) {
                    // PostgreSQL casts an ARRAY[...] constructor's elements instead.
                    (E::Array(array), DataType::Array(elem)) => {
                        let nodes = array
                            .elem
                            .iter()
                            .map(|e| {
                                let t = go(self, e)?;
                                explicit_cast(self, t, elem.ty()).map(|t| t.node)
                            })
                            .collect::<Option<Vec<_>>>()?;
                        if nodes.is_empty() {
                            return None;
                        }
                        Typed::new(Node::Array(nodes), to)
                    }
                    _ => {
                        let inner = go(self, inner)?;
                        explicit_cast(self, inner, to)?
                    }
                }
            }
            E::TypedString { .. } | E::Interval(_) => {
                let mut aggs = AggCollector::default();
                let (bound, ty) = self.bind_expr(expr, &Scope::empty(), &mut aggs).ok()?;
                let crate::expr::Expr::Const(value) = bound else {
                    return None;
                };
                Typed {
                    node: constant(&value, ty),
                    ty: ty.expression_type(),
                }
            }
            E::Case {
                operand: None,
                conditions,
                else_result,
                ..
            } => {
                let mut whens = Vec::new();
                let mut results = Vec::new();
                for when in conditions {
                    let condition = go(self, &when.condition)?;
                    let condition = coerce(self, condition, DataType::Bool)?;
                    whens.push(condition.node);
                    results.push(go(self, &when.result)?);
                }
                let otherwise = match else_result {
                    Some(e) => Some(go(self, e)?),
                    None => None,
                };
                let mut types: Vec<DataType> = results.iter().map(|t| t.ty).collect();
                types.extend(otherwise.iter().map(|t| t.ty));
                let common = common_type(&types)?;
                let results = results
                    .into_iter()
                    .map(|t| coerce(self, t, common).map(|t| t.node))
                    .collect::<Option<Vec<_>>>()?;
                let otherwise = match otherwise {
                    Some(t) => coerce(self, t, common)?.node,
                    None => Node::Const(None, common),
                };
                Typed {
                    node: Node::Case(
                        whens.into_iter().zip(results).collect(),
                        Box::new(otherwise),
                    ),
                    ty: common,
                }
            }
            E::Function(function) => self.deparse_function(function, scope, qualify)?,
            E::Subquery(query) => {
                let (sub, ty) = self.deparse_sublink(query, scope)?;
                Typed::new(sub(SublinkKind::Scalar), ty)
            }
            E::Exists { subquery, negated } => {
                let (sub, _) = self.deparse_sublink(subquery, scope)?;
                let node = sub(SublinkKind::Exists);
                let node = if *negated {
                    Node::Not(Box::new(node))
                } else {
                    node
                };
                Typed::new(node, DataType::Bool)
            }
            E::InSubquery {
                expr: inner,
                subquery,
                negated,
            } => {
                let left = go(self, inner)?;
                let (sub, ty) = self.deparse_sublink(subquery, scope)?;
                let node = self.sublink_test(left, "=", false, sub, ty)?;
                let node = if *negated {
                    Node::Not(Box::new(node))
                } else {
                    node
                };
                Typed::new(node, DataType::Bool)
            }
            _ => return None,
        })
    }

    /// A subquery of an expression over `scope`, deparsed as a query of its own (see
    /// [`Binder::deparse_query`]): a maker of its node for the kind of sublink, and the type of
    /// its first column. None as for a view's query.
    #[allow(clippy::type_complexity)]
    fn deparse_sublink(
        &mut self,
        query: &ast::Query,
        scope: &Scope<'_>,
    ) -> Option<(Box<dyn FnOnce(SublinkKind) -> Node>, DataType)> {
        let (plain, pretty, types) = self.deparse_query(query, None, false, Some(scope))?;
        let ty = *types.first()?;
        let make = move |kind| Node::Sublink {
            kind,
            plain,
            pretty,
        };
        Some((Box::new(make), ty))
    }

    /// `left op ANY (query)` for a subquery whose column is of type `ty`: the left side cast
    /// as the operator asks (a cast of the query's column applies to the value the query
    /// gives, inside the test, and does not print).
    fn sublink_test(
        &mut self,
        left: Typed,
        op: &str,
        all: bool,
        sub: Box<dyn FnOnce(SublinkKind) -> Node>,
        ty: DataType,
    ) -> Option<Node> {
        let column = Typed::new(Node::Var(String::new()), ty);
        let (left, _) = self.compared(left, column)?;
        Some(sub(SublinkKind::Test {
            left: Box::new(left.node),
            op: op.into(),
            all,
        }))
    }

    /// A literal: a number (negated when `negative`, as PostgreSQL's grammar folds a minus
    /// into a numeric constant), a string (untyped), a boolean, NULL.
    fn deparse_literal(&mut self, value: &ast::Value, negative: bool) -> Option<Typed> {
        let value = match (value, negative) {
            (ast::Value::Number(text, long), true) => ast::Value::Number(format!("-{text}"), *long),
            (_, true) => return None,
            (other, false) => other.clone(),
        };
        Some(match &value {
            ast::Value::Number(..) => {
                let (bound, ty) = self.literal(&value, None).ok()?;
                let crate::expr::Expr::Const(v) = bound else {
                    return None;
                };
                Typed {
                    node: constant(&v, ty),
                    ty,
                }
            }
            ast::Value::SingleQuotedString(s) => Typed {
                node: Node::Const(Some(s.clone()), DataType::Unknown),
                ty: DataType::Unknown,
            },
            ast::Value::Boolean(b) => Typed {
                node: Node::Const(Some(b.to_string()), DataType::Bool),
                ty: DataType::Bool,
            },
            ast::Value::Null => Typed {
                node: Node::Const(None, DataType::Unknown),
                ty: DataType::Unknown,
            },
            _ => return None,
        })
    }

    /// The operands of a comparison, each cast to the type of the operator PostgreSQL
    /// chooses (an untyped literal takes the other side's type).
    fn compared(&mut self, l: Typed, r: Typed) -> Option<(Typed, Typed)> {
        let (lt, rt) = match (l.ty, r.ty) {
            (DataType::Unknown, DataType::Unknown) => (DataType::Text, DataType::Text),
            (DataType::Unknown, t) => (literal_type(t), t),
            (t, DataType::Unknown) => (t, literal_type(t)),
            (a, b) => (a, b),
        };
        let (lt, rt) = comparison(lt, rt)?;
        Some((coerce(self, l, lt)?, coerce(self, r, rt)?))
    }

    fn deparse_compare(&mut self, op: &str, l: Typed, r: Typed) -> Option<Typed> {
        let (l, r) = self.compared(l, r)?;
        Some(Typed {
            node: binary(op, l.node, r.node),
            ty: DataType::Bool,
        })
    }

    fn deparse_like(&mut self, l: Typed, r: Typed, negated: bool, op: &str) -> Option<Typed> {
        let left_ty = match l.ty {
            DataType::Char(n) => DataType::Char(n),
            t if textish(t) => DataType::Text,
            _ => return None,
        };
        if !textish(r.ty) {
            return None;
        }
        let l = coerce(self, l, left_ty)?;
        let r = coerce(self, r, DataType::Text)?;
        let op = if negated {
            format!("!{op}")
        } else {
            op.to_string()
        };
        Some(Typed {
            node: binary(&op, l.node, r.node),
            ty: DataType::Bool,
        })
    }

    fn deparse_binary(&mut self, op: &B, l: Typed, r: Typed, flat: bool) -> Option<Typed> {
        if let Some(symbol) = comparison_symbol(op) {
            return self.deparse_compare(symbol, l, r);
        }
        let symbol = match op {
            B::Plus => "+",
            B::Minus => "-",
            B::Multiply => "*",
            B::Divide => "/",
            B::Modulo => "%",
            B::StringConcat => "||",
            op if pattern_symbol(op).is_some() => pattern_symbol(op)?,
            B::And | B::Or => {
                let kind = if matches!(op, B::And) {
                    BoolOp::And
                } else {
                    BoolOp::Or
                };
                let l = coerce(self, l, DataType::Bool)?;
                let r = coerce(self, r, DataType::Bool)?;
                // PostgreSQL's grammar flattens a left operand of the same kind.
                let args = match l.node {
                    Node::Bool(k, mut args) if k == kind && flat => {
                        args.push(r.node);
                        args
                    }
                    left => vec![left, r.node],
                };
                return Some(Typed {
                    node: Node::Bool(kind, args),
                    ty: DataType::Bool,
                });
            }
            _ => return None,
        };
        match symbol {
            // Regular expressions and LIKE: the same operand types (a negated operator is
            // its positive one's `!` form).
            "~" | "~*" | "!~" | "!~*" | "~~" | "~~*" | "!~~" | "!~~*" => {
                let (negated, op) = match symbol.strip_prefix('!') {
                    Some(op) => (true, op),
                    None => (false, symbol),
                };
                self.deparse_like(l, r, negated, op)
            }
            "||" => {
                let (lt, rt) = match (l.ty, r.ty) {
                    (a, b) if textish(a) && textish(b) => (DataType::Text, DataType::Text),
                    (a, b) if textish(a) && !matches!(b, DataType::Array(_)) => (DataType::Text, b),
                    (a, b) if textish(b) && !matches!(a, DataType::Array(_)) => (a, DataType::Text),
                    _ => return None,
                };
                let l = coerce(self, l, lt)?;
                let r = coerce(self, r, rt)?;
                Some(Typed {
                    node: binary("||", l.node, r.node),
                    ty: DataType::Text,
                })
            }
            _ => {
                let (lt, rt) = match (l.ty, r.ty) {
                    (DataType::Unknown, DataType::Unknown) => return None,
                    (DataType::Unknown, t) if rank(t).is_some() || t == DataType::Interval => {
                        (t.expression_type(), t)
                    }
                    (t, DataType::Unknown) if rank(t).is_some() || t == DataType::Interval => {
                        (t, t.expression_type())
                    }
                    (DataType::Unknown, _) | (_, DataType::Unknown) => return None,
                    (a, b) => (a, b),
                };
                let (lt, rt, result) = arithmetic(symbol, lt, rt)?;
                let l = coerce(self, l, lt)?;
                let r = coerce(self, r, rt)?;
                Some(Typed {
                    node: binary(symbol, l.node, r.node),
                    ty: result,
                })
            }
        }
    }

    fn deparse_function(
        &mut self,
        function: &ast::Function,
        scope: &Scope<'_>,
        qualify: bool,
    ) -> Option<Typed> {
        if function.filter.is_some()
            || !function.within_group.is_empty()
            || function.name.0.len() != 1
        {
            return None;
        }
        let name = ident_name(function.name.0[0].as_ident()?);
        if let Some(over) = &function.over {
            return self.deparse_window_call(function, &name, over, scope, qualify);
        }
        let args: Vec<&ast::Expr> = match &function.args {
            ast::FunctionArguments::None => {
                let (word, ty) = match name.as_str() {
                    "current_date" => ("CURRENT_DATE", DataType::Date),
                    "current_timestamp" => ("CURRENT_TIMESTAMP", DataType::TimestampTz),
                    "localtimestamp" => ("LOCALTIMESTAMP", DataType::Timestamp),
                    "current_user" => ("CURRENT_USER", DataType::Text),
                    "session_user" => ("SESSION_USER", DataType::Text),
                    _ => return None,
                };
                return Some(Typed {
                    node: Node::Keyword(word),
                    ty,
                });
            }
            ast::FunctionArguments::Subquery(_) => return None,
            ast::FunctionArguments::List(list) => {
                if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                    return None;
                }
                if name == "count"
                    && matches!(
                        list.args.as_slice(),
                        [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard)]
                    )
                {
                    return Some(Typed::new(
                        Node::Func("count".into(), vec![Node::Var("*".into())]),
                        DataType::Int8,
                    ));
                }
                list.args
                    .iter()
                    .map(|arg| match arg {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Some(e),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?
            }
        };
        let args = args
            .into_iter()
            .map(|e| self.deparse_tree(e, scope, qualify))
            .collect::<Option<Vec<_>>>()?;
        let types: Vec<DataType> = args.iter().map(|t| t.ty).collect();
        match name.as_str() {
            "coalesce" | "greatest" | "least" if !args.is_empty() => {
                let common = common_type(&types)?;
                let nodes = args
                    .into_iter()
                    .map(|t| coerce(self, t, common).map(|t| t.node))
                    .collect::<Option<Vec<_>>>()?;
                let word = match name.as_str() {
                    "coalesce" => "COALESCE",
                    "greatest" => "GREATEST",
                    _ => "LEAST",
                };
                return Some(Typed {
                    node: Node::Variadic(word, nodes),
                    ty: common,
                });
            }
            "nullif" if args.len() == 2 => {
                let mut args = args.into_iter();
                let (a, b) = (args.next()?, args.next()?);
                let ty = if a.ty == DataType::Unknown {
                    DataType::Text
                } else {
                    a.ty
                };
                let (a, b) = self.compared(a, b)?;
                return Some(Typed {
                    node: Node::NullIf(Box::new(a.node), Box::new(b.node)),
                    ty,
                });
            }
            _ => {}
        }
        if let Some(result) = aggregate(&name, &types) {
            // min and max have no varchar form: they take text.
            if matches!(name.as_str(), "min" | "max") && matches!(result, DataType::Varchar(_)) {
                let nodes = args
                    .into_iter()
                    .map(|t| coerce(self, t, DataType::Text).map(|t| t.node))
                    .collect::<Option<Vec<_>>>()?;
                return Some(Typed::new(Node::Func(name, nodes), DataType::Text));
            }
            let nodes = args.into_iter().map(|t| t.node).collect();
            return Some(Typed::new(Node::Func(name, nodes), result));
        }
        let (params, result) = signature(&name, &types)?;
        let nodes = args
            .into_iter()
            .zip(params)
            .map(|(t, p)| coerce(self, t, p).map(|t| t.node))
            .collect::<Option<Vec<_>>>()?;
        Some(Typed {
            node: Node::Func(crate::functions::quote_ident(&name), nodes),
            ty: result,
        })
    }

    /// A window function call (`f(..) OVER ..`): the window functions' own types (ranks are
    /// bigint, `percent_rank` and `cume_dist` double, `lag`/`lead`/`first_value`/`last_value`/
    /// `nth_value` their value's type, offsets integer), or an aggregate's.
    fn deparse_window_call(
        &mut self,
        function: &ast::Function,
        name: &str,
        over: &ast::WindowType,
        scope: &Scope<'_>,
        qualify: bool,
    ) -> Option<Typed> {
        let ast::FunctionArguments::List(list) = &function.args else {
            return None;
        };
        let bare = ast::Function {
            over: None,
            ..function.clone()
        };
        let call = match name {
            "row_number" | "rank" | "dense_rank" | "percent_rank" | "cume_dist" | "ntile"
            | "lag" | "lead" | "first_value" | "last_value" | "nth_value" => {
                if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
                    return None;
                }
                let args = list
                    .args
                    .iter()
                    .map(|arg| match arg {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                            self.deparse_tree(e, scope, qualify)
                        }
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                let value = args.first().map(|a| a.ty);
                let (params, ty) = match (name, args.len()) {
                    ("row_number" | "rank" | "dense_rank", 0) => (vec![], DataType::Int8),
                    ("percent_rank" | "cume_dist", 0) => (vec![], DataType::Float8),
                    ("ntile", 1) => (vec![DataType::Int4], DataType::Int4),
                    ("lag" | "lead", 1) | ("first_value" | "last_value", 1) => {
                        (vec![value?], value?)
                    }
                    ("lag" | "lead", 2) | ("nth_value", 2) => {
                        (vec![value?, DataType::Int4], value?)
                    }
                    ("lag" | "lead", 3) => (vec![value?, DataType::Int4, value?], value?),
                    _ => return None,
                };
                if ty == DataType::Unknown {
                    return None;
                }
                let nodes = args
                    .into_iter()
                    .zip(params)
                    .map(|(t, p)| coerce(self, t, p).map(|t| t.node))
                    .collect::<Option<Vec<_>>>()?;
                Typed::new(Node::Func(name.to_string(), nodes), ty)
            }
            _ => {
                let call = self.deparse_function(&bare, scope, qualify)?;
                // Only aggregates run over a window.
                if !matches!(call.node, Node::Func(ref f, _) if aggregate_name(f)) {
                    return None;
                }
                call
            }
        };
        let mut texts = Vec::new();
        for pretty in [false, true] {
            texts.push(match over {
                ast::WindowType::NamedWindow(window) => {
                    crate::functions::quote_ident(&ident_name(window))
                }
                ast::WindowType::WindowSpec(spec) => {
                    format!("({})", self.deparse_window_spec(spec, scope, pretty)?)
                }
            });
        }
        let pretty = texts.pop()?;
        let plain = texts.pop()?;
        Some(Typed::new(
            Node::Over {
                call: Box::new(call.node),
                plain,
                pretty,
            },
            call.ty,
        ))
    }

    /// A window's definition inside its parentheses (ruleutils' `get_rule_windowspec`):
    /// `PARTITION BY`, `ORDER BY`, and a frame written out (ROWS or GROUPS with integer offsets,
    /// RANGE offsets typed as the ORDER BY column's `in_range` takes them, EXCLUDE).
    fn deparse_window_spec(
        &mut self,
        spec: &ast::WindowSpec,
        scope: &Scope<'_>,
        pretty: bool,
    ) -> Option<String> {
        if spec.window_name.is_some() {
            return None;
        }
        let mut parts = Vec::new();
        if !spec.partition_by.is_empty() {
            let items = spec
                .partition_by
                .iter()
                .map(|e| self.deparse_sort_item(e, scope, pretty))
                .collect::<Option<Vec<_>>>()?;
            parts.push(format!("PARTITION BY {}", items.join(", ")));
        }
        if !spec.order_by.is_empty() {
            let mut items = Vec::new();
            for item in &spec.order_by {
                if item.with_fill.is_some() {
                    return None;
                }
                let mut part = self.deparse_sort_item(&item.expr, scope, pretty)?;
                sort_order(&mut part, &item.options);
                items.push(part);
            }
            parts.push(format!("ORDER BY {}", items.join(", ")));
        }
        // A RANGE offset takes the type of the ORDER BY column's `in_range` offset.
        let range_sort = match (&spec.window_frame, &spec.order_by[..]) {
            (Some(frame), [item]) if frame.units == ast::WindowFrameUnits::Range => {
                let sort = self
                    .deparse_tree(&item.expr, scope, true)?
                    .ty
                    .expression_type();
                Some((sort, super::range_step(sort, None)))
            }
            _ => None,
        };
        let mut range_offsets = Vec::new();
        if let (Some(frame), Some((sort, step))) = (&spec.window_frame, &range_sort) {
            for bound in std::iter::once(&frame.start_bound).chain(&frame.end_bound) {
                if let ast::WindowFrameBound::Preceding(Some(e))
                | ast::WindowFrameBound::Following(Some(e)) = bound
                {
                    let e = self.frame_offset_literal(e).unwrap_or(e);
                    let tree = self.deparse_tree(e, &Scope::empty(), false)?;
                    let to = super::range_offset_type(*sort, step.as_ref(), tree.ty)?;
                    let node = coerce(self, tree, to)?.node;
                    range_offsets.push(crate::deparse::print(&node, pretty, false));
                }
            }
        }
        let mut range_offsets = range_offsets.into_iter();
        if let Some(frame) = &spec.window_frame {
            let units = match frame.units {
                ast::WindowFrameUnits::Rows => "ROWS",
                ast::WindowFrameUnits::Groups => "GROUPS",
                ast::WindowFrameUnits::Range => "RANGE",
            };
            let mut bound = |bound: &ast::WindowFrameBound| -> Option<String> {
                let mut offset = |e: &Option<Box<ast::Expr>>, word: &str| match e {
                    None => Some(format!("UNBOUNDED {word}")),
                    Some(_) if units == "RANGE" => {
                        Some(format!("{} {word}", range_offsets.next()?))
                    }
                    Some(e) => match e.as_ref() {
                        ast::Expr::Value(v) if units != "RANGE" => match &v.value {
                            ast::Value::Number(n, _) if n.parse::<i64>().is_ok() => {
                                Some(format!("{n} {word}"))
                            }
                            _ => None,
                        },
                        _ => None,
                    },
                };
                match bound {
                    ast::WindowFrameBound::CurrentRow => Some("CURRENT ROW".into()),
                    ast::WindowFrameBound::Preceding(e) => offset(e, "PRECEDING"),
                    ast::WindowFrameBound::Following(e) => offset(e, "FOLLOWING"),
                }
            };
            let start = bound(&frame.start_bound)?;
            parts.push(match &frame.end_bound {
                None => format!("{units} {start}"),
                Some(end) => format!("{units} BETWEEN {start} AND {}", bound(end)?),
            });
            // EXCLUDE, read from the text (sqlparser does not keep it); where this frame is not
            // found in a text that has one, the query is kept as written.
            match self.window_positions(spec, None).1 {
                Ok(Some(exclusion)) => parts.push(
                    match exclusion {
                        FrameExclusion::CurrentRow => "EXCLUDE CURRENT ROW",
                        FrameExclusion::Group => "EXCLUDE GROUP",
                        FrameExclusion::Ties => "EXCLUDE TIES",
                    }
                    .into(),
                ),
                Ok(None) => {}
                Err(()) => {
                    let text = self.spans_text();
                    if !crate::parse::frame_exclusions(text).is_empty() {
                        return None;
                    }
                }
            }
        }
        Some(parts.join(" "))
    }

    /// A column default as PostgreSQL prints it, plain and pretty (None: kept as written).
    pub fn deparse_default(
        &mut self,
        table: &crate::catalog::TableDef,
        column: usize,
    ) -> Option<(String, String)> {
        let text = table.columns.get(column)?.default.as_ref()?;
        let ty = table.columns[column].ty;
        let expr = crate::parse::parse_expr(text).ok()?;
        let mut tree = self.deparse_tree(&expr, &Scope::empty(), false)?;
        if tree.ty == DataType::Unknown {
            // A constant of the column's type without its modifier (the length coercion or
            // rounding above it is the hidden cast).
            tree = coerce(self, tree, unmodified(ty))?;
        }
        let plain = crate::deparse::print(&tree.node, false, false);
        // Only a text that gives the column the same value.
        let mut column = table.columns[column].clone();
        let original = self.stored_default(&column).ok()??;
        let original = self.assign_cast(original, ty, "", Span::empty()).ok()?;
        column.default = Some(plain.clone());
        let reread = self.stored_default(&column).ok()??;
        let reread = self.assign_cast(reread, ty, "", Span::empty()).ok()?;
        if normalized(original) != normalized(reread) {
            return None;
        }
        Some((plain, crate::deparse::print(&tree.node, true, false)))
    }

    /// A CHECK constraint's expression as `pg_get_constraintdef` prints it, plain and pretty
    /// (None: another kind of constraint, or a check kept as written).
    pub fn deparsed_check(&mut self, c: &crate::system::Constraint) -> Option<(String, String)> {
        if c.kind != "c" {
            return None;
        }
        let check = c.table.checks.iter().find(|check| check.name == c.name)?;
        self.deparse_row_expr(c.table, &check.sql)
    }

    /// Generated column `column`'s expression as pg_get_expr prints it, plain and pretty: with
    /// the coercion to the column's type the parser adds (hidden, as ruleutils hides it, but
    /// parenthesizing an operator in the pretty form as PostgreSQL does). None: kept as written.
    pub fn deparse_generation(
        &mut self,
        table: &crate::catalog::TableDef,
        column: usize,
    ) -> Option<(String, String)> {
        let def = &table.columns[column];
        let sql = &def.generated.as_ref()?.sql;
        self.deparse_typed_row_expr(table, sql, Some(unmodified(def.ty)))
    }

    /// An expression over `table`'s row (a CHECK constraint's, a partial index's predicate) as
    /// PostgreSQL prints it, plain and pretty (None: kept as written).
    pub fn deparse_row_expr(
        &mut self,
        table: &crate::catalog::TableDef,
        sql: &str,
    ) -> Option<(String, String)> {
        self.deparse_typed_row_expr(table, sql, None)
    }

    /// [`Binder::deparse_row_expr`], coerced to type `to` when given.
    fn deparse_typed_row_expr(
        &mut self,
        table: &crate::catalog::TableDef,
        sql: &str,
        to: Option<DataType>,
    ) -> Option<(String, String)> {
        let expr = crate::parse::parse_expr(sql).ok()?;
        let scope = Scope::table(table, crate::catalog::relname(&table.name).to_string());
        let mut tree = self.deparse_tree(&expr, &scope, false)?;
        if let Some(to) = to {
            tree = coerce(self, tree, to)?;
        }
        let plain = crate::deparse::print(&tree.node, false, false);
        // Only a text that binds back to what the constraint holds.
        let again = crate::parse::parse_expr(&plain).ok()?;
        let mut aggs = AggCollector::default();
        let original = self.bind_expr(&expr, &scope, &mut aggs).ok()?;
        let reread = self.bind_expr(&again, &scope, &mut aggs).ok()?;
        if normalized(original.0) != normalized(reread.0) {
            return None;
        }
        Some((plain, crate::deparse::print(&tree.node, true, false)))
    }
}

impl Binder<'_> {
    /// A view's query (`text`, as the reader's search path shows its relations) as PostgreSQL's
    /// `pg_get_viewdef` prints it, plain and pretty (None: a query the deparser does not know:
    /// recursive WITH ...; it is then shown as written).
    pub fn deparse_view(
        &mut self,
        view: &crate::catalog::ViewDef,
        text: &str,
    ) -> Option<(String, String)> {
        let ast::Statement::Query(query) = crate::parse::parse_sql(text).ok()? else {
            return None;
        };
        let outer_text = self.body_text.replace(text.to_string());
        let deparsed = self.deparse_query(&query, Some(&view.columns), false, None);
        self.body_text = outer_text;
        let (plain, pretty, _) = deparsed?;
        Some((format!("{plain};"), format!("{pretty};")))
    }

    /// A query as ruleutils prints it at the top level, plain and pretty, without the final
    /// semicolon, with the types of its columns: a view's (`names`: the view's columns, which
    /// name the targets) or a subquery's inside an expression over `outer` (named as written).
    /// None for what the deparser does not know (recursive WITH ...). A relation
    /// named as one of a query around it is shown renamed (`t_1`, see `deparse_leaf`).
    /// `with_body`: a WITH query's body (`names`: its own), whose set operation's later
    /// branches show their own names (ruleutils passes them no `resultDesc`), where a view's
    /// show the view's.
    fn deparse_query(
        &mut self,
        query: &ast::Query,
        names: Option<&[String]>,
        with_body: bool,
        outer: Option<&Scope<'_>>,
    ) -> Option<(String, String, Vec<DataType>)> {
        if query.fetch.is_some() || !query.locks.is_empty() {
            return None;
        }
        let before = self.ctes.len();
        let result = self.deparse_with(query, names, with_body, outer);
        self.ctes.truncate(before);
        result
    }

    /// [`Binder::deparse_query`] with the query's WITH list in scope, printed first (ruleutils'
    /// `get_with_clause`): each body as a query of its own a level in, named as written.
    fn deparse_with(
        &mut self,
        query: &ast::Query,
        names: Option<&[String]>,
        with_body: bool,
        outer: Option<&Scope<'_>>,
    ) -> Option<(String, String, Vec<DataType>)> {
        let mut with_text = [String::new(), String::new()];
        if let Some(with) = &query.with {
            if with.recursive {
                return None;
            }
            for cte in &with.cte_tables {
                if cte.materialized.is_some() || cte.from.is_some() {
                    return None;
                }
                self.bind_cte(cte, false, outer).ok()?;
            }
            // The main query's relations, around the bodies as ruleutils names them: a body's
            // relation named as one of them is shown renamed (`x_1`).
            let ast::SetExpr::Select(main) = query.body.as_ref() else {
                return None;
            };
            let (_, rels, _) = self.bind_from(&main.from, outer).ok()?;
            let main = Scope { rels, outer };
            let mut sep = " WITH ";
            for cte in &with.cte_tables {
                // (A set operation's columns are named by its first branch.)
                let body = super::leftmost_select(&cte.query.body)?;
                // A body's columns show the names they have (ruleutils' `colNamesVisible`).
                let own = body
                    .projection
                    .iter()
                    .map(|item| match item {
                        ast::SelectItem::UnnamedExpr(e) => Some(super::output_name(e)),
                        ast::SelectItem::ExprWithAlias { alias, .. } => Some(ident_name(alias)),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                let (plain, pretty, _) =
                    self.deparse_query(&cte.query, Some(&own), true, Some(&main))?;
                let mut head = crate::functions::quote_ident(&ident_name(&cte.alias.name));
                if !cte.alias.columns.is_empty() {
                    let columns: Vec<String> = cte
                        .alias
                        .columns
                        .iter()
                        .map(|c| crate::functions::quote_ident(&ident_name(&c.name)))
                        .collect();
                    head.push_str(&format!("({})", columns.join(", ")));
                }
                // The body on its own lines, a level (8) in, as is its closing parenthesis.
                for (out, body) in with_text.iter_mut().zip([plain, pretty]) {
                    out.push_str(sep);
                    out.push_str(&head);
                    out.push_str(" AS (");
                    crate::deparse::keyword_line(out, "", 8);
                    out.push_str(&body.replace('\n', "\n        "));
                    crate::deparse::keyword_line(out, ")", 8);
                }
                sep = ", ";
            }
            for out in &mut with_text {
                crate::deparse::keyword_line(out, "", 0);
            }
        }
        let (plain, pretty, types) = self.deparse_body(query, names, with_body, outer)?;
        let [with_plain, with_pretty] = with_text;
        Some((with_plain + &plain, with_pretty + &pretty, types))
    }

    /// A query's body and its ORDER BY and LIMIT (see [`Binder::deparse_query`]).
    fn deparse_body(
        &mut self,
        query: &ast::Query,
        names: Option<&[String]>,
        with_body: bool,
        outer: Option<&Scope<'_>>,
    ) -> Option<(String, String, Vec<DataType>)> {
        let mut types = Vec::new();
        match query.body.as_ref() {
            ast::SetExpr::Select(select) => {
                let (plain, pretty) =
                    self.deparse_leaf(select, Some(query), names, outer, &mut types)?;
                Some((plain, pretty, types))
            }
            // A view's query (its columns name every branch's) or a WITH query's body (its
            // first branch's names name the first branch's).
            body @ ast::SetExpr::SetOperation { .. } => {
                let names = names?;
                let mut outs = [String::new(), String::new()];
                let mut level = 0;
                let right = (!with_body).then_some(names);
                let branches = (Some(names), right);
                self.deparse_setop(body, branches, outer, &mut outs, &mut level, &mut types)?;
                setop_tail(self, query, names, &mut outs, &mut level)?;
                let [plain, pretty] = outs;
                Some((plain, pretty, types))
            }
            _ => None,
        }
    }

    /// One branch of a set operation (ruleutils' `get_setop_query`), appended to both forms
    /// (`outs`: plain, pretty) at indentation `level`: a branch as a query of its own; a set
    /// operation in parentheses, indented a level further, when its left side is one of another
    /// kind and always on its right side. Every branch has the types of the first (PostgreSQL
    /// would cast the others: not known here). The names its leftmost branch's outputs show,
    /// then those of the branches right of it (None: each its own).
    fn deparse_setop(
        &mut self,
        body: &ast::SetExpr,
        (names, right_names): (Option<&[String]>, Option<&[String]>),
        outer: Option<&Scope<'_>>,
        outs: &mut [String; 2],
        level: &mut isize,
        types: &mut Vec<DataType>,
    ) -> Option<()> {
        let kind = |body: &ast::SetExpr| match body {
            ast::SetExpr::SetOperation {
                op, set_quantifier, ..
            } => Some((*op, matches!(set_quantifier, ast::SetQuantifier::All))),
            _ => None,
        };
        match body {
            ast::SetExpr::Select(select) => {
                let mut mine = Vec::new();
                let (plain, pretty) = self.deparse_leaf(select, None, names, outer, &mut mine)?;
                if types.is_empty() {
                    *types = mine;
                } else if types.len() != mine.len()
                    || types.iter().zip(&mine).any(|(a, b)| !same_type(*a, *b))
                {
                    return None;
                }
                let shift = format!("\n{}", " ".repeat((*level).max(0) as usize));
                outs[0].push_str(&plain.replace('\n', &shift));
                outs[1].push_str(&pretty.replace('\n', &shift));
                Some(())
            }
            ast::SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let all = match set_quantifier {
                    ast::SetQuantifier::All => true,
                    ast::SetQuantifier::None | ast::SetQuantifier::Distinct => false,
                    _ => return None,
                };
                let word = match op {
                    ast::SetOperator::Union => "UNION ",
                    ast::SetOperator::Intersect => "INTERSECT ",
                    ast::SetOperator::Except => "EXCEPT ",
                    _ => return None,
                };
                let nested = kind(left).is_some_and(|k| k != (*op, all));
                if nested {
                    outs.iter_mut().for_each(|out| out.push('('));
                    context_keyword(outs, level, "", 8, 0, 0);
                }
                self.deparse_setop(left, (names, right_names), outer, outs, level, types)?;
                if nested {
                    context_keyword(outs, level, ") ", -8, 0, 0);
                } else {
                    context_keyword(outs, level, "", 0, 0, 0);
                }
                for out in outs.iter_mut() {
                    out.push_str(word);
                    if all {
                        out.push_str("ALL ");
                    }
                }
                let nested = kind(right).is_some();
                let sub = if nested { 8 } else { 0 };
                if nested {
                    outs.iter_mut().for_each(|out| out.push('('));
                }
                context_keyword(outs, level, "", sub, 0, 0);
                let right_branch = (right_names, right_names);
                self.deparse_setop(right, right_branch, outer, outs, level, types)?;
                *level -= sub;
                if nested {
                    context_keyword(outs, level, ")", 0, 0, 0);
                }
                Some(())
            }
            _ => None,
        }
    }

    /// A SELECT as a query of its own (see [`Binder::deparse_query`]), both forms; `tail`: the
    /// query whose ORDER BY and LIMIT it takes (None: a set operation's branch).
    fn deparse_leaf(
        &mut self,
        select: &ast::Select,
        tail: Option<&ast::Query>,
        names: Option<&[String]>,
        outer: Option<&Scope<'_>>,
        types: &mut Vec<DataType>,
    ) -> Option<(String, String)> {
        if select.having.is_some() && matches!(select.group_by, ast::GroupByExpr::All(_))
            || select.qualify.is_some()
            || select.top.is_some()
            || select.into.is_some()
        {
            return None;
        }
        let (_, mut rels, _) = self.bind_from(&select.from, None).ok()?;
        // ruleutils' `set_rtable_names`: a relation named as one of a query around this one
        // (or as one before it here) is shown as `name_1` (`_2` ...).
        let mut taken: Vec<String> = Vec::new();
        let mut around = outer;
        while let Some(scope) = around {
            taken.extend(
                scope
                    .rels
                    .iter()
                    .map(|r| r.shown.clone().unwrap_or_else(|| r.alias.clone())),
            );
            around = scope.outer;
        }
        for rel in &mut rels {
            if taken.contains(&rel.alias) {
                let shown = (1..)
                    .map(|n| format!("{}_{n}", rel.alias))
                    .find(|name| !taken.contains(name))?;
                rel.shown = Some(shown);
            }
            taken.push(rel.shown.clone().unwrap_or_else(|| rel.alias.clone()));
        }
        let scope = Scope { rels, outer };
        let plain = self.deparse_select(names, tail, select, &scope, false, types)?;
        types.clear();
        let pretty = self.deparse_select(names, tail, select, &scope, true, types)?;
        Some((plain, pretty))
    }

    fn deparse_select(
        &mut self,
        names: Option<&[String]>,
        query: Option<&ast::Query>,
        select: &ast::Select,
        scope: &Scope<'_>,
        pretty: bool,
        types: &mut Vec<DataType>,
    ) -> Option<String> {
        use crate::deparse::{keyword_line, print_at};
        // The target list: each entry after the first on its own line, with the name it has
        // (a view's column's, else its own) and the one ruleutils takes it to have without AS
        // (a column's name; `?column?` for any other expression).
        let mut targets: Vec<(String, String, String)> = Vec::new();
        // Each entry's tree, for ORDER BY and GROUP BY by position.
        let mut trees: Vec<Option<ast::Expr>> = Vec::new();
        for item in &select.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e)
                | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                    // A plain column's own name (no AS needed when the view's is the same).
                    let var = match e {
                        ast::Expr::Identifier(ident) => Some(ident_name(ident)),
                        ast::Expr::CompoundIdentifier(parts) => parts.last().map(ident_name),
                        _ => None,
                    };
                    let mut tree = self.deparse_tree(e, scope, true)?;
                    if tree.ty == DataType::Unknown {
                        // An untyped literal in a target list resolves to text.
                        tree = coerce(self, tree, DataType::Text)?;
                    }
                    types.push(tree.ty);
                    let text = print_at(&tree.node, pretty, true, 8);
                    let name = match item {
                        ast::SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
                        _ => super::output_name(e),
                    };
                    // ruleutils' `colNamesVisible`: a view's columns always show their names,
                    // a subquery's only when they are not the `?column?` of an expression.
                    let bare = match (var, names) {
                        (Some(var), _) => var,
                        (None, Some(_)) => String::new(),
                        (None, None) => "?column?".into(),
                    };
                    targets.push((text, name, bare));
                    trees.push(Some(e.clone()));
                }
                ast::SelectItem::Wildcard(options) => {
                    if options.opt_exclude.is_some()
                        || options.opt_except.is_some()
                        || options.opt_replace.is_some()
                        || options.opt_rename.is_some()
                    {
                        return None;
                    }
                    for rel in &scope.rels {
                        for column in rel.columns.iter().filter(|c| !c.merged && !c.system) {
                            targets.push((
                                format!(
                                    "{}.{}",
                                    crate::functions::quote_ident(
                                        rel.shown.as_deref().unwrap_or(&rel.alias)
                                    ),
                                    crate::functions::quote_ident(&column.name)
                                ),
                                column.name.clone(),
                                column.name.clone(),
                            ));
                            types.push(column.ty);
                            trees.push(None);
                        }
                    }
                }
                _ => return None,
            }
        }
        if let Some(names) = names {
            if targets.len() != names.len() {
                return None;
            }
            for (target, name) in targets.iter_mut().zip(names) {
                target.1 = name.clone();
            }
        }
        // `ORDER BY 2` is the second entry's expression.
        let positional = |e: &ast::Expr| -> ast::Expr {
            if let ast::Expr::Value(v) = e {
                if let ast::Value::Number(n, _) = &v.value {
                    if let Some(Some(tree)) = n
                        .parse::<usize>()
                        .ok()
                        .and_then(|k| k.checked_sub(1))
                        .and_then(|k| trees.get(k))
                    {
                        return tree.clone();
                    }
                }
            }
            e.clone()
        };
        let mut out = String::from(" SELECT");
        match &select.distinct {
            None => {}
            Some(ast::Distinct::Distinct) => out.push_str(" DISTINCT"),
            Some(ast::Distinct::On(exprs)) => {
                let items = exprs
                    .iter()
                    .map(|e| self.deparse_sort_item(&positional(e), scope, pretty))
                    .collect::<Option<Vec<_>>>()?;
                out.push_str(&format!(" DISTINCT ON ({})", items.join(", ")));
            }
        }
        for (i, (text, name, bare)) in targets.into_iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            // An entry that starts on a new line of its own (CASE) takes no other.
            if text.starts_with('\n') {
                while out.ends_with(' ') {
                    out.pop();
                }
            } else if i == 0 {
                out.push(' ');
            } else {
                keyword_line(&mut out, "", 4);
            }
            out.push_str(&text);
            if bare != name {
                out.push_str(" AS ");
                out.push_str(&crate::functions::quote_ident(&name));
            }
        }
        // FROM: items separated by commas, each after the first on its own line.
        if !select.from.is_empty() {
            keyword_line(&mut out, " FROM ", 2);
        }
        for (i, item) in select.from.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
                keyword_line(&mut out, "", 4);
            }
            let mut text = self.deparse_from_item(&item.relation, scope)?;
            for join in &item.joins {
                use ast::JoinOperator as J;
                let (word, constraint) = match &join.join_operator {
                    J::Join(c) | J::Inner(c) => (" JOIN ", c),
                    J::Left(c) | J::LeftOuter(c) => (" LEFT JOIN ", c),
                    J::Right(c) | J::RightOuter(c) => (" RIGHT JOIN ", c),
                    J::FullOuter(c) => (" FULL JOIN ", c),
                    _ => return None,
                };
                let ast::JoinConstraint::On(on) = constraint else {
                    return None;
                };
                let right = self.deparse_from_item(&join.relation, scope)?;
                let on = self.deparse_tree(on, scope, true)?;
                let on = coerce(self, on, DataType::Bool)?;
                let on = print_at(&on.node, pretty, false, 8);
                let mut joined = String::new();
                if !pretty {
                    joined.push('(');
                }
                joined.push_str(&text);
                keyword_line(&mut joined, word, 4);
                joined.push_str(&right);
                joined.push_str(" ON ");
                if pretty {
                    joined.push_str(&on);
                } else {
                    joined.push_str(&format!("({on})"));
                    joined.push(')');
                }
                text = joined;
            }
            out.push_str(&text);
        }
        if let Some(selection) = &select.selection {
            keyword_line(&mut out, " WHERE ", 1);
            let tree = self.deparse_tree(selection, scope, true)?;
            let tree = coerce(self, tree, DataType::Bool)?;
            out.push_str(&print_at(&tree.node, pretty, false, 8));
        }
        match &select.group_by {
            ast::GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
                if !exprs.is_empty() {
                    keyword_line(&mut out, " GROUP BY ", 1);
                    let items = exprs
                        .iter()
                        .map(|e| self.deparse_sort_item(&positional(e), scope, pretty))
                        .collect::<Option<Vec<_>>>()?;
                    out.push_str(&items.join(", "));
                }
            }
            _ => return None,
        }
        if let Some(having) = &select.having {
            keyword_line(&mut out, " HAVING ", 0);
            let tree = self.deparse_tree(having, scope, true)?;
            let tree = coerce(self, tree, DataType::Bool)?;
            out.push_str(&print_at(&tree.node, pretty, false, 8));
        }
        // Named windows (ruleutils' `get_rule_windowclause`), on one line.
        for (i, ast::NamedWindowDefinition(name, definition)) in
            select.named_window.iter().enumerate()
        {
            let ast::NamedWindowExpr::WindowSpec(spec) = definition else {
                return None;
            };
            if i == 0 {
                keyword_line(&mut out, " WINDOW ", 1);
            } else {
                out.push_str(", ");
            }
            let spec = self.deparse_window_spec(spec, scope, pretty)?;
            out.push_str(&format!(
                "{} AS ({spec})",
                crate::functions::quote_ident(&ident_name(name))
            ));
        }
        if let Some(order_by) = query.and_then(|q| q.order_by.as_ref()) {
            let ast::OrderByKind::Expressions(items) = &order_by.kind else {
                return None;
            };
            keyword_line(&mut out, " ORDER BY ", 1);
            let mut parts = Vec::new();
            for item in items {
                if item.with_fill.is_some() {
                    return None;
                }
                let mut part = self.deparse_sort_item(&positional(&item.expr), scope, pretty)?;
                sort_order(&mut part, &item.options);
                parts.push(part);
            }
            out.push_str(&parts.join(", "));
        }
        match query.and_then(|q| q.limit_clause.as_ref()) {
            None => {}
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) if limit_by.is_empty() => {
                if let Some(offset) = offset {
                    keyword_line(&mut out, " OFFSET ", 0);
                    let tree = self.deparse_tree(&offset.value, scope, true)?;
                    let tree = coerce(self, tree, DataType::Int8)?;
                    out.push_str(&print_at(&tree.node, pretty, false, 8));
                }
                if let Some(limit) = limit {
                    keyword_line(&mut out, " LIMIT ", 0);
                    let tree = self.deparse_tree(limit, scope, true)?;
                    let tree = coerce(self, tree, DataType::Int8)?;
                    out.push_str(&print_at(&tree.node, pretty, false, 8));
                }
            }
            _ => return None,
        }
        Some(out)
    }

    /// A FROM item: a table by the name the query gives (with its alias).
    fn deparse_from_item(&self, factor: &ast::TableFactor, scope: &Scope<'_>) -> Option<String> {
        let ast::TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = factor
        else {
            return None;
        };
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|part| {
                part.as_ident()
                    .map(|i| crate::functions::quote_ident(&ident_name(i)))
            })
            .collect::<Option<Vec<_>>>()?;
        let mut text = parts.join(".");
        // The relation's name in the query: its alias, else the table's own name.
        let named = match alias {
            Some(alias) if !alias.columns.is_empty() => return None,
            Some(alias) => ident_name(&alias.name),
            None => name.0.last()?.as_ident().map(ident_name)?,
        };
        let rel = scope.rels.iter().find(|r| r.alias == named)?;
        match (&rel.shown, alias) {
            (Some(shown), _) => {
                text.push(' ');
                text.push_str(&crate::functions::quote_ident(shown));
            }
            (None, Some(_)) => {
                text.push(' ');
                text.push_str(&crate::functions::quote_ident(&named));
            }
            (None, None) => {}
        }
        Some(text)
    }

    /// A GROUP BY or ORDER BY item (ruleutils' `get_rule_sortgroupclause`): a column as it is,
    /// a constant position never (not known here), a function-like expression in parentheses.
    fn deparse_sort_item(
        &mut self,
        expr: &ast::Expr,
        scope: &Scope<'_>,
        pretty: bool,
    ) -> Option<String> {
        let tree = self.deparse_tree(expr, scope, true)?;
        let text = crate::deparse::print_at(&tree.node, pretty, true, 8);
        Some(match tree.node {
            Node::Var(_) => text,
            Node::Const(..) => return None,
            Node::Func(..) if !pretty => format!("({text})"),
            _ if pretty => format!("({text})"),
            _ => text,
        })
    }
}

/// A bound expression with what a deparse may show differently from what was written and
/// what does not change its value: whether a cast was written or added, casts between text
/// and varchar (one representation), constant parts folded.
fn normalized(expr: crate::expr::Expr) -> crate::expr::Expr {
    use crate::expr::Expr;
    let expr = expr
        .try_map::<std::convert::Infallible>(&mut |child| Ok(normalized(child)))
        .unwrap_or_else(|never| match never {})
        .fold_constants();
    let int = |t: DataType| rank(t).filter(|&r| r <= 3);
    match expr {
        Expr::Cast(inner, from, to, _)
            if matches!(
                from,
                DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Unknown
            ) && matches!(to, DataType::Text | DataType::Varchar(None)) =>
        {
            *inner
        }
        // A wider integer holds the same value (PostgreSQL casts where Keel's integer
        // operators take mixed widths).
        Expr::Cast(inner, from, to, _) if int(from).is_some() && int(from) <= int(to) => *inner,
        // `x IN (v)` is `x = v`.
        Expr::InList(left, mut list, negated, _) if list.len() == 1 => Expr::Binary(
            if negated {
                crate::expr::BinOp::NotEq
            } else {
                crate::expr::BinOp::Eq
            },
            left,
            Box::new(list.pop().expect("one item")),
        ),
        // NOT (a IS DISTINCT FROM b) is a IS NOT DISTINCT FROM b.
        Expr::Not(inner)
            if matches!(
                inner.as_ref(),
                Expr::Func(crate::expr::Func::IsDistinct(true), _)
            ) =>
        {
            let Expr::Func(_, args) = *inner else {
                unreachable!("matched above")
            };
            Expr::Func(crate::expr::Func::IsDistinct(false), args)
        }
        // NOT (x >= a AND x <= b) (NOT BETWEEN) is x < a OR x > b.
        Expr::Not(inner)
            if matches!(inner.as_ref(), Expr::Binary(crate::expr::BinOp::And, l, r)
            if matches!(l.as_ref(), Expr::Binary(crate::expr::BinOp::GtEq, ..))
                && matches!(r.as_ref(), Expr::Binary(crate::expr::BinOp::LtEq, ..))) =>
        {
            use crate::expr::BinOp;
            let Expr::Binary(_, l, r) = *inner else {
                unreachable!("matched above")
            };
            let (Expr::Binary(_, x1, a), Expr::Binary(_, x2, b)) = (*l, *r) else {
                unreachable!("matched above")
            };
            Expr::Binary(
                BinOp::Or,
                Box::new(Expr::Binary(BinOp::Lt, x1, a)),
                Box::new(Expr::Binary(BinOp::Gt, x2, b)),
            )
        }
        // `x = ANY (constant array)` is `x IN (constants)`.
        Expr::Scalar(
            crate::functions::Scalar::Array(crate::array::ArrayFn::Compare { op, all }),
            args,
        ) if args.len() == 2
            && matches!(
                (&op, all),
                (crate::array::Cmp::Eq, false) | (crate::array::Cmp::NotEq, true)
            )
            && matches!(&args[1], Expr::Const(Value::Array(a)) if a.dims.len() == 1) =>
        {
            let mut args = args.into_iter();
            let (left, Some(Expr::Const(Value::Array(array)))) = (args.next(), args.next()) else {
                unreachable!("matched above")
            };
            Expr::InList(
                Box::new(left.expect("two arguments")),
                array.items.into_iter().map(Expr::Const).collect(),
                all,
                None,
            )
        }
        Expr::Cast(inner, from, to, _) => Expr::Cast(inner, from, to, false),
        other => other,
    }
}

/// A comparison operator's symbol (None: not a comparison).
fn comparison_symbol(op: &B) -> Option<&'static str> {
    Some(match op {
        B::Eq => "=",
        B::NotEq => "<>",
        B::Lt => "<",
        B::LtEq => "<=",
        B::Gt => ">",
        B::GtEq => ">=",
        _ => return None,
    })
}

/// LIKE's and the regular expressions' operators.
fn pattern_symbol(op: &B) -> Option<&'static str> {
    Some(match op {
        B::PGRegexMatch => "~",
        B::PGRegexIMatch => "~*",
        B::PGRegexNotMatch => "!~",
        B::PGRegexNotIMatch => "!~*",
        B::PGLikeMatch => "~~",
        B::PGILikeMatch => "~~*",
        B::PGNotLikeMatch => "!~~",
        B::PGNotILikeMatch => "!~~*",
        _ => return None,
    })
}

fn binary(op: &str, l: Node, r: Node) -> Node {
    Node::Op {
        op: op.into(),
        left: Some(Box::new(l)),
        right: Box::new(r),
    }
}

/// The type an untyped literal takes beside a value of type `t` in a comparison: `t`, except
/// that varchar has no operators of its own (text's serve it).
fn literal_type(t: DataType) -> DataType {
    match t {
        DataType::Varchar(_) => DataType::Text,
        other => other.expression_type(),
    }
}

/// A type without its modifier: varchar(n) is varchar, char(n) bpchar, numeric(p,s) numeric.
fn unmodified(ty: DataType) -> DataType {
    match ty {
        DataType::Varchar(_) => DataType::Varchar(None),
        DataType::Char(_) => DataType::Char(0),
        other => other.expression_type(),
    }
}

/// A constant of type `ty` in its output form.
fn constant(value: &Value, ty: DataType) -> Node {
    match value {
        Value::Null => Node::Const(None, ty),
        v => Node::Const(Some(crate::types::to_text(v, ty)), ty.expression_type()),
    }
}

/// `t` as a value of type `to`: an untyped literal becomes a constant of that type, another
/// value of another type is cast (an implicit coercion, as the parser adds one).
fn coerce(binder: &Binder<'_>, t: Typed, to: DataType) -> Option<Typed> {
    // A column of a domain taken as its base type (and then, if need be, as `to`).
    if let Node::DomainVar(name, base) = t.node {
        let relabeled = Typed {
            node: Node::Cast {
                arg: Box::new(Node::Var(name)),
                to: base,
                typmod: false,
                implicit: true,
                relabel: true,
            },
            ty: base,
        };
        return coerce(binder, relabeled, to);
    }
    if t.ty == DataType::Unknown {
        let node = match t.node {
            Node::Const(None, _) => Node::Const(None, to.expression_type()),
            Node::Const(Some(text), _) => {
                let value = binder
                    .cast_const(Value::Text(text), DataType::Unknown, to, false)
                    .ok()?;
                constant(&value, to)
            }
            _ => return None,
        };
        return Some(Typed {
            node,
            ty: to.expression_type(),
        });
    }
    if same_type(t.ty, to) {
        return Some(t);
    }
    Some(Typed {
        node: Node::Cast {
            relabel: relabel(t.ty, to),
            arg: Box::new(t.node),
            to,
            typmod: false,
            implicit: true,
        },
        ty: to,
    })
}

/// `inner::to` as written: a literal becomes a constant of the type (with a length coercion
/// above it when the type has a modifier), a value of the same type without a modifier stays
/// as it is, anything else is cast.
fn explicit_cast(binder: &Binder<'_>, inner: Typed, to: DataType) -> Option<Typed> {
    let modified = to.type_modifier() >= 0;
    if inner.ty == DataType::Unknown {
        let typed = coerce(binder, inner, unmodified(to))?;
        if !modified {
            return Some(typed);
        }
        return Some(Typed {
            node: Node::Cast {
                arg: Box::new(typed.node),
                to,
                typmod: true,
                implicit: false,
                relabel: false,
            },
            ty: to,
        });
    }
    if same_type(inner.ty, to) && !modified {
        return Some(inner);
    }
    if modified && !same_type(inner.ty, to) {
        // A conversion and a length coercion: two nodes in PostgreSQL's tree, the conversion
        // shown as implicit. A binary-compatible one, or one through text (CoerceViaIO: to or
        // from a string type), is as simple as its argument, so an operator under it takes two
        // pairs of parentheses (`((t.a + 1))::character varying(4)`); a conversion function
        // (integer to numeric) is simple, like any function call.
        let base = unmodified(to);
        let through_text = inner.ty != DataType::Unknown && textish(inner.ty) != textish(base);
        let conversion = Node::Cast {
            relabel: relabel(inner.ty, base) || through_text,
            arg: Box::new(inner.node),
            to: base,
            typmod: false,
            implicit: true,
        };
        return Some(Typed {
            node: Node::Cast {
                relabel: false,
                arg: Box::new(conversion),
                to,
                typmod: true,
                implicit: false,
            },
            ty: to,
        });
    }
    Some(Typed {
        node: Node::Cast {
            relabel: relabel(inner.ty, to),
            arg: Box::new(inner.node),
            to,
            typmod: modified,
            implicit: false,
        },
        ty: to,
    })
}

/// ruleutils' `appendContextKeyword` on both forms of a query (`outs`) at indentation `level`:
/// the level moves by `before`, a new line indented to it plus `plus` takes `word`, and the level
/// moves by `after` (never below 0).
fn context_keyword(
    outs: &mut [String; 2],
    level: &mut isize,
    word: &str,
    before: isize,
    after: isize,
    plus: usize,
) {
    *level += before;
    let spaces = (*level).max(0) as usize + plus;
    for out in outs.iter_mut() {
        crate::deparse::keyword_line(out, word, spaces);
    }
    *level = (*level + after).max(0);
}

/// A set operation's ORDER BY, OFFSET and LIMIT: sort keys by output position (ruleutils
/// forces column numbers there), each a position or a name among the view's `names`.
fn setop_tail(
    binder: &mut Binder<'_>,
    query: &ast::Query,
    names: &[String],
    outs: &mut [String; 2],
    level: &mut isize,
) -> Option<()> {
    if let Some(order_by) = &query.order_by {
        let ast::OrderByKind::Expressions(items) = &order_by.kind else {
            return None;
        };
        let mut parts = Vec::new();
        for item in items {
            if item.with_fill.is_some() {
                return None;
            }
            let position = match &item.expr {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::Number(n, _) => n.parse::<usize>().ok()?,
                    _ => return None,
                },
                ast::Expr::Identifier(ident) => {
                    let name = ident_name(ident);
                    names.iter().position(|n| *n == name)? + 1
                }
                _ => return None,
            };
            if position == 0 || position > names.len() {
                return None;
            }
            let mut part = position.to_string();
            sort_order(&mut part, &item.options);
            parts.push(part);
        }
        context_keyword(outs, level, " ORDER BY ", -8, 8, 1);
        let text = parts.join(", ");
        outs.iter_mut().for_each(|out| out.push_str(&text));
    }
    match &query.limit_clause {
        None => {}
        Some(ast::LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) if limit_by.is_empty() => {
            for (word, value) in [
                (" OFFSET ", offset.as_ref().map(|o| &o.value)),
                (" LIMIT ", limit.as_ref()),
            ] {
                let Some(value) = value else {
                    continue;
                };
                let tree = binder.deparse_tree(value, &Scope::empty(), true)?;
                let tree = coerce(binder, tree, DataType::Int8)?;
                context_keyword(outs, level, word, -8, 8, 0);
                for (out, pretty) in outs.iter_mut().zip([false, true]) {
                    out.push_str(&crate::deparse::print_at(&tree.node, pretty, false, 8));
                }
            }
        }
        _ => return None,
    }
    Some(())
}

/// A sort key's direction as ruleutils prints it: DESC, and NULLS FIRST/LAST where it is not
/// the direction's default.
fn sort_order(part: &mut String, options: &ast::OrderByOptions) {
    let desc = options.asc == Some(false);
    if desc {
        part.push_str(" DESC");
    }
    match (options.nulls_first, desc) {
        (Some(true), false) => part.push_str(" NULLS FIRST"),
        (Some(false), true) => part.push_str(" NULLS LAST"),
        _ => {}
    }
}
