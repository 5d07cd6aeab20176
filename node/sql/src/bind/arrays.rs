//! Binding of array expressions: constructors, subscripts, `op ANY/ALL (array)`, the array
//! operators and functions, with PostgreSQL's polymorphic typing (an unknown literal beside an
//! array takes the array's type; an element argument takes the array's element type).

use sqlparser::ast::{self, AccessExpr, BinaryOperator, Spanned, Subscript};
use sqlparser::tokenizer::Span;

use super::{unsupported, AggCollector, Binder, Scope};
use crate::array::{ArrayFn, Cmp, TextMatch};
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{Expr, SubqueryKind};
use crate::functions::Scalar;
use crate::types::{DataType, Value};

fn call(func: ArrayFn, args: Vec<Expr>) -> Expr {
    Expr::Scalar(Scalar::Array(func), args)
}

/// A bound expression and its type.
type Typed = (Expr, DataType);

fn no_operator(left: DataType, op: &str, right: DataType, position: Option<usize>) -> SqlError {
    SqlError::new(
        code::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} {op} {}",
            left.name(),
            right.name()
        ),
    )
    .with_hint(
        "No operator matches the given name and argument types. You might need to add explicit type casts.",
    )
    .at(position)
}

impl Binder<'_> {
    /// `ARRAY[a, b, ...]`: the elements' common type; elements that are arrays make a
    /// multidimensional array.
    pub(super) fn bind_array_constructor(
        &mut self,
        elems: &[ast::Expr],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        span: Span,
    ) -> SqlResult<(Expr, DataType)> {
        if elems.is_empty() {
            return Err(SqlError::new(
                code::INDETERMINATE_DATATYPE,
                "cannot determine type of empty array",
            )
            .with_hint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")
            .at(self.pos(span)));
        }
        let refs: Vec<&ast::Expr> = elems.iter().collect();
        let bound = self.bind_args(&refs, scope, aggs)?;
        let rows: Vec<Vec<DataType>> = bound.iter().map(|(_, t, _)| vec![*t]).collect();
        let common = self.common_types(&rows, "ARRAY", span)?[0];
        let mut exprs = Vec::with_capacity(bound.len());
        for (expr, ty, span) in bound {
            exprs.push(self.coerce_to(expr, ty, common, span)?);
        }
        let func = if common.element().is_some() {
            ArrayFn::MakeNested
        } else {
            ArrayFn::Make
        };
        Ok((call(func, exprs), common.array()))
    }

    /// `ARRAY(subquery)`: the subquery's one column collected into an array.
    pub(super) fn bind_array_subquery(
        &mut self,
        query: &ast::Query,
        scope: &Scope<'_>,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        let (subquery, columns) = self.bind_subquery(query, scope, SubqueryKind::Array)?;
        if columns.len() != 1 {
            return Err(
                SqlError::new(code::SYNTAX_ERROR, "subquery must return only one column")
                    .at(position),
            );
        }
        let ty = match columns[0].ty {
            DataType::Unknown => DataType::Text,
            ty => ty,
        };
        Ok((Expr::Subquery(std::sync::Arc::new(subquery)), ty.array()))
    }

    /// `a[i]`, `a[i][j]`, `a[l:u]`: an element, or a slice when any subscript is a range (a plain
    /// subscript among ranges is `1:i`, as in PostgreSQL).
    pub(super) fn bind_subscripts(
        &mut self,
        root: &ast::Expr,
        chain: &[AccessExpr],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        // `t.col[i]` arrives as `t` with `.col` then `[i]`: the name is `t.col`.
        let leading = chain
            .iter()
            .take_while(|a| matches!(a, AccessExpr::Dot(ast::Expr::Identifier(_))))
            .count();
        if leading > 0 && leading < chain.len() {
            let mut parts = match root {
                ast::Expr::Identifier(ident) => vec![ident.clone()],
                ast::Expr::CompoundIdentifier(idents) => idents.clone(),
                _ => Vec::new(),
            };
            if !parts.is_empty() {
                for access in &chain[..leading] {
                    if let AccessExpr::Dot(ast::Expr::Identifier(ident)) = access {
                        parts.push(ident.clone());
                    }
                }
                let name = ast::Expr::CompoundIdentifier(parts);
                return self.bind_subscripts(&name, &chain[leading..], scope, aggs, position);
            }
        }
        let (mut base, mut ty) = self.bind_expr(root, scope, aggs)?;
        let mut chain = chain;
        // `(record).field`, `(record).field.field`...
        while let (DataType::Record(shape), [AccessExpr::Dot(ast::Expr::Identifier(field)), ..]) =
            (ty, chain)
        {
            let name = super::ident_name(field);
            let fields = shape.fields();
            let Some(at) = fields.iter().position(|(f, _)| *f == name) else {
                let message = match shape {
                    crate::types::RecordShape::Composite(_) => {
                        format!("column \"{name}\" not found in data type {}", ty.name())
                    }
                    _ => format!("could not identify column \"{name}\" in record data type"),
                };
                return Err(SqlError::new(code::UNDEFINED_COLUMN, message).at(position));
            };
            base = Expr::Func(crate::expr::Func::Field(at, fields[at].0), vec![base]);
            ty = fields[at].1.expression_type();
            chain = &chain[1..];
        }
        if chain.is_empty() {
            return Ok((base, ty));
        }
        if let (
            DataType::Text,
            Expr::Column(at),
            [AccessExpr::Subscript(Subscript::Index { index })],
        ) = (ty, &base, chain)
        {
            if scope
                .column(*at)
                .is_some_and(|(_, column)| column.name_type)
            {
                return self.name_subscript(base, index, scope, aggs, position);
            }
        }
        let Some(elem) = ty.element() else {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!(
                    "cannot subscript type {} because it does not support subscripting",
                    ty.name()
                ),
            )
            .at(self.pos(root.span())));
        };
        let (subscripts, mask, slice) = self.subscript_args(chain, scope, aggs, position)?;
        let mut args = vec![base];
        args.extend(subscripts);
        Ok(if slice {
            (call(ArrayFn::Slice(mask), args), ty)
        } else {
            (call(ArrayFn::Subscript, args), elem)
        })
    }

    /// The subscripts of `a[i][j]...` / `a[l:u]...` bound: the arguments after the array that
    /// [`ArrayFn::Subscript`] (or [`ArrayFn::Slice`] with the mask, when the third is true)
    /// takes.
    fn subscript_args(
        &mut self,
        chain: &[AccessExpr],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Vec<Expr>, u32, bool)> {
        let mut subscripts = Vec::with_capacity(chain.len());
        for access in chain {
            match access {
                AccessExpr::Subscript(subscript) => subscripts.push(subscript),
                AccessExpr::Dot(_) => return Err(unsupported("field selection").at(position)),
            }
        }
        if subscripts.len() > 6 {
            return Err(SqlError::new(
                code::PROGRAM_LIMIT_EXCEEDED,
                "number of array dimensions (7) exceeds the maximum allowed (6)",
            ));
        }
        let slice = subscripts
            .iter()
            .any(|s| matches!(s, Subscript::Slice { .. }));
        let mut args = Vec::with_capacity(2 * subscripts.len());
        let mut mask = 0u32;
        for (k, subscript) in subscripts.into_iter().enumerate() {
            match subscript {
                Subscript::Index { index } if !slice => {
                    args.push(self.subscript(index, scope, aggs)?)
                }
                Subscript::Index { index } => {
                    args.push(Expr::Const(Value::Int(1)));
                    args.push(self.subscript(index, scope, aggs)?);
                    mask |= 0b11 << (2 * k);
                }
                Subscript::Slice {
                    lower_bound,
                    upper_bound,
                    stride: None,
                } => {
                    for (i, bound) in [lower_bound, upper_bound].into_iter().enumerate() {
                        match bound {
                            Some(bound) => {
                                args.push(self.subscript(bound, scope, aggs)?);
                                mask |= 1 << (2 * k + i);
                            }
                            None => args.push(Expr::Const(Value::Null)),
                        }
                    }
                }
                Subscript::Slice { .. } => return Err(unsupported("array slice strides")),
            }
        }
        Ok((args, mask, slice))
    }

    /// `SET v[...] = value` and `INSERT INTO t (v[...]) ...` (PostgreSQL's subscripted
    /// assignment): column `def`'s new value, `base` (its old value; NULL in an INSERT) with
    /// the element or slice that `target` names (`v[...]` as parse::subscripted_target reads
    /// it) replaced by `value`, which is cast to the element type (to the array type for a
    /// slice) as an assignment.
    pub(super) fn subscripted_assignment(
        &mut self,
        base: Expr,
        def: &crate::catalog::ColumnDef,
        target: &ast::Expr,
        (value, value_ty): Typed,
        value_span: Span,
        scope: &Scope<'_>,
    ) -> SqlResult<Expr> {
        let ast::Expr::CompoundFieldAccess { root, access_chain } = target else {
            return Err(unsupported("this assignment target"));
        };
        let position = self.pos(root.span());
        let Some(elem) = def.ty.element() else {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!(
                    "cannot subscript type {} because it does not support subscripting",
                    def.ty.name()
                ),
            )
            .at(position));
        };
        let mut none = AggCollector {
            context: "UPDATE",
            ..Default::default()
        };
        let (subscripts, mask, slice) =
            self.subscript_args(access_chain, scope, &mut none, position)?;
        let to = if slice { def.ty } else { elem };
        if !crate::types::assignment_castable(value_ty, to) {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!(
                    "subscripted assignment to \"{}\" requires type {} but expression is of type {}",
                    def.name,
                    to.name(),
                    value_ty.name()
                ),
            )
            .with_hint("You will need to rewrite or cast the expression.")
            .at(position));
        }
        let value = self.coerce_to(value, value_ty, to, value_span)?;
        let mut args = vec![base];
        args.extend(subscripts);
        args.push(value);
        Ok(call(
            if slice {
                ArrayFn::SetSlice(mask)
            } else {
                ArrayFn::SetElement
            },
            args,
        ))
    }

    /// `name[i]` on a catalog's name column: the character at 0-based `i` (`''` past the end),
    /// NULL outside the 64 bytes a name has, as PostgreSQL's fixed-size `name` answers.
    fn name_subscript(
        &mut self,
        base: Expr,
        index: &ast::Expr,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        use crate::expr::BinOp;
        let span = index.span();
        let at = self.subscript(index, scope, aggs)?;
        let int = |v| Expr::Const(Value::Int(v));
        let binary = |op, l: Expr, r: Expr| Expr::Binary(op, Box::new(l), Box::new(r));
        let in_range = binary(
            BinOp::And,
            binary(BinOp::GtEq, at.clone(), int(0)),
            binary(BinOp::Lt, at.clone(), int(64)),
        );
        let one_based = binary(BinOp::Add(DataType::Int8), at, int(1));
        let (character, ty) = self.call_function(
            "substr",
            vec![
                (base, DataType::Text, span),
                (one_based, DataType::Int8, span),
                (int(1), DataType::Int8, span),
            ],
            position,
        )?;
        Ok((
            Expr::Case(
                vec![(in_range, character)],
                Box::new(Expr::Const(Value::Null)),
            ),
            ty,
        ))
    }

    fn subscript(
        &mut self,
        index: &ast::Expr,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
    ) -> SqlResult<Expr> {
        let (bound, ty) = self.bind_expr(index, scope, aggs)?;
        // Any type with an assignment cast to integer (numeric rounds), as PostgreSQL's.
        if !crate::types::assignment_castable(ty, DataType::Int4) {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                "array subscript must have type integer",
            )
            .at(self.pos(index.span())));
        }
        self.coerce_to(bound, ty, DataType::Int4, index.span())
    }

    /// The operands of `left op ANY | ALL (right)`, bound: an untyped right side is read as
    /// `unknown_as(left's type)`; with the right side's element type (42809 for no array).
    fn quantified_operands(
        &mut self,
        left: &ast::Expr,
        right: &ast::Expr,
        unknown_as: fn(DataType) -> DataType,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Typed, Typed, DataType)> {
        let (lb, lt) = self.bind_expr(left, scope, aggs)?;
        let (rb, rt) = self.bind_expr(right, scope, aggs)?;
        let (rb, rt) = if rt == DataType::Unknown {
            let target = unknown_as(lt);
            (self.coerce_to(rb, rt, target, right.span())?, target)
        } else {
            (rb, rt)
        };
        let Some(elem) = rt.element() else {
            return Err(SqlError::new(
                code::WRONG_OBJECT_TYPE,
                "op ANY/ALL (array) requires array on right side",
            )
            .at(position));
        };
        Ok(((lb, lt), (rb, rt), elem))
    }

    /// `left op ANY | ALL (array expression)`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn bind_compare_array(
        &mut self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        all: bool,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        let cmp = match op {
            BinaryOperator::Eq => Cmp::Eq,
            BinaryOperator::NotEq => Cmp::NotEq,
            BinaryOperator::Lt => Cmp::Lt,
            BinaryOperator::LtEq => Cmp::LtEq,
            BinaryOperator::Gt => Cmp::Gt,
            BinaryOperator::GtEq => Cmp::GtEq,
            other => return Err(unsupported(format!("operator {other} with ANY/ALL"))),
        };
        let ((lb, lt), (rb, rt), elem) =
            self.quantified_operands(left, right, DataType::array, scope, aggs, position)?;
        let (lb, _, common) = self
            .unify(
                lb,
                lt,
                Expr::Const(Value::Null),
                elem,
                &op.to_string(),
                left.span(),
            )
            .map_err(|mut e| {
                e.position = position.or(e.position);
                e
            })?;
        // Text-family elements compare as text (char(n) without its padding).
        let rb = if common != elem && common == DataType::Text {
            self.coerce_to(rb, rt, DataType::Text.array(), right.span())?
        } else {
            rb
        };
        Ok((
            call(ArrayFn::Compare { op: cmp, all }, vec![lb, rb]),
            DataType::Bool,
        ))
    }

    /// The pattern match of `text op ANY | ALL (patterns)` for LIKE's (`~~`, `~~*`, `!~~`,
    /// `!~~*`) and the regular expressions' operators (None: `op` is neither).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn bind_match_array(
        &mut self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        all: bool,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<Option<(Expr, DataType)>> {
        let (op, negated) = match op {
            BinaryOperator::PGLikeMatch => (TextMatch::Like, false),
            BinaryOperator::PGNotLikeMatch => (TextMatch::Like, true),
            BinaryOperator::PGILikeMatch => (TextMatch::ILike, false),
            BinaryOperator::PGNotILikeMatch => (TextMatch::ILike, true),
            BinaryOperator::PGRegexMatch => (TextMatch::Regex, false),
            BinaryOperator::PGRegexNotMatch => (TextMatch::Regex, true),
            BinaryOperator::PGRegexIMatch => (TextMatch::IRegex, false),
            BinaryOperator::PGRegexNotIMatch => (TextMatch::IRegex, true),
            _ => return Ok(None),
        };
        let text_array = |_| DataType::Text.array();
        let ((lb, lt), (rb, rt), elem) =
            self.quantified_operands(left, right, text_array, scope, aggs, position)?;
        if !(lt.is_string() || lt == DataType::Unknown) || !elem.is_string() {
            return Err(no_operator(lt, &op.symbol(negated), elem, position));
        }
        let lb = self.coerce_to(lb, lt, DataType::Text, left.span())?;
        let rb = if elem == DataType::Text {
            rb
        } else {
            self.coerce_to(rb, rt, DataType::Text.array(), right.span())?
        };
        let test = call(ArrayFn::Match { op, negated, all }, vec![lb, rb]);
        Ok(Some((test, DataType::Bool)))
    }

    /// The array operators `||`, `@>`, `<@`, `&&` when an operand is an array (None: not an
    /// array operation).
    pub(super) fn bind_array_operator(
        &mut self,
        op: &BinaryOperator,
        (lb, lt, lspan): (Expr, DataType, Span),
        (rb, rt, rspan): (Expr, DataType, Span),
        position: Option<usize>,
    ) -> SqlResult<Option<(Expr, DataType)>> {
        let (la, ra) = (lt.element().is_some(), rt.element().is_some());
        if !la && !ra {
            return Ok(None);
        }
        let symbol = op.to_string();
        match op {
            BinaryOperator::StringConcat => {
                if la && ra {
                    let (lb, rb, ty) = self.unify_arrays(lb, lt, rb, rt, &symbol, position)?;
                    return Ok(Some((call(ArrayFn::Cat, vec![lb, rb]), ty)));
                }
                if la {
                    if rt == DataType::Unknown {
                        let rb = self.coerce_to(rb, rt, lt, rspan)?;
                        return Ok(Some((call(ArrayFn::Cat, vec![lb, rb]), lt)));
                    }
                    let elem = lt.element().expect("an array");
                    let rb = self.element_arg(rb, rt, elem, rspan, lt, &symbol, position)?;
                    return Ok(Some((call(ArrayFn::Append, vec![lb, rb]), lt)));
                }
                if lt == DataType::Unknown {
                    let lb = self.coerce_to(lb, lt, rt, lspan)?;
                    return Ok(Some((call(ArrayFn::Cat, vec![lb, rb]), rt)));
                }
                let elem = rt.element().expect("an array");
                let lb = self.element_arg(lb, lt, elem, lspan, rt, &symbol, position)?;
                Ok(Some((call(ArrayFn::Prepend, vec![lb, rb]), rt)))
            }
            BinaryOperator::AtArrow | BinaryOperator::ArrowAt | BinaryOperator::PGOverlap => {
                let lb = if lt == DataType::Unknown {
                    self.coerce_to(lb, lt, rt, lspan)?
                } else {
                    lb
                };
                let rb = if rt == DataType::Unknown {
                    self.coerce_to(rb, rt, lt, rspan)?
                } else {
                    rb
                };
                let lt = if lt == DataType::Unknown { rt } else { lt };
                let rt = if rt == DataType::Unknown { lt } else { rt };
                // anyarray operators: both sides of one array type.
                if lt != rt || lt.element().is_none() {
                    return Err(no_operator(lt, &symbol, rt, position));
                }
                Ok(Some(match op {
                    BinaryOperator::AtArrow => {
                        (call(ArrayFn::Contains, vec![lb, rb]), DataType::Bool)
                    }
                    BinaryOperator::ArrowAt => {
                        (call(ArrayFn::Contains, vec![rb, lb]), DataType::Bool)
                    }
                    _ => (call(ArrayFn::Overlaps, vec![lb, rb]), DataType::Bool),
                }))
            }
            _ => Ok(None),
        }
    }

    /// Two array operands brought to one array type (their elements' common type).
    pub(super) fn unify_arrays(
        &mut self,
        lb: Expr,
        lt: DataType,
        rb: Expr,
        rt: DataType,
        symbol: &str,
        position: Option<usize>,
    ) -> SqlResult<(Expr, Expr, DataType)> {
        let (Some(le), Some(re)) = (lt.element(), rt.element()) else {
            return Err(no_operator(lt, symbol, rt, position));
        };
        if le == re {
            return Ok((lb, rb, lt));
        }
        let common = if le.is_numeric_family() && re.is_numeric_family() {
            super::wider(le.expression_type(), re.expression_type())
        } else if le.is_string() && re.is_string() {
            DataType::Text
        } else if le.is_timestamp() && re.is_timestamp() {
            DataType::TimestampTz
        } else {
            return Err(no_operator(lt, symbol, rt, position));
        };
        let ty = common.array();
        let lb = if lt == ty {
            lb
        } else {
            Expr::Cast(Box::new(lb), lt, ty, false)
        };
        let rb = if rt == ty {
            rb
        } else {
            Expr::Cast(Box::new(rb), rt, ty, false)
        };
        Ok((lb, rb, ty))
    }

    /// An element argument beside an array of `array` type, cast to its element type.
    #[allow(clippy::too_many_arguments)]
    fn element_arg(
        &mut self,
        expr: Expr,
        ty: DataType,
        elem: DataType,
        span: Span,
        array: DataType,
        symbol: &str,
        position: Option<usize>,
    ) -> SqlResult<Expr> {
        let fits = ty == DataType::Unknown
            || ty == elem
            || (ty.is_numeric_family() && elem.is_numeric_family())
            || (ty.is_string() && elem.is_string())
            || (ty.is_datetime() && elem.is_datetime());
        if !fits {
            return Err(no_operator(array, symbol, ty, position));
        }
        self.coerce_to(expr, ty, elem, span)
    }

    /// The array functions (None: `name` is not one, or not with these arguments).
    pub(super) fn array_function(
        &mut self,
        name: &str,
        bound: &mut Vec<(Expr, DataType, Span)>,
        types: &[DataType],
        position: Option<usize>,
    ) -> SqlResult<Option<(Expr, DataType)>> {
        let is_array = |i: usize| types.get(i).is_some_and(|t| t.element().is_some());
        let int_like = |i: usize| {
            types
                .get(i)
                .is_some_and(|t| t.is_integer() || *t == DataType::Unknown)
        };
        let text_like = |i: usize| types.get(i).is_some_and(|t| t.is_string());
        let func = match (name, types.len()) {
            ("array_length" | "array_upper" | "array_lower", 2) if is_array(0) && int_like(1) => {
                match name {
                    "array_length" => ArrayFn::Length,
                    "array_upper" => ArrayFn::Upper,
                    _ => ArrayFn::Lower,
                }
            }
            ("array_ndims" | "array_dims" | "cardinality", 1) if is_array(0) => match name {
                "array_ndims" => ArrayFn::Ndims,
                "array_dims" => ArrayFn::Dims,
                _ => ArrayFn::Cardinality,
            },
            ("array_append", 2) if is_array(0) => ArrayFn::Append,
            ("array_prepend", 2) if is_array(1) => ArrayFn::Prepend,
            ("array_cat", 2) if is_array(0) || is_array(1) => ArrayFn::Cat,
            ("array_position", 2..=3) if is_array(0) && (types.len() == 2 || int_like(2)) => {
                ArrayFn::Position
            }
            ("array_positions", 2) if is_array(0) => ArrayFn::Positions,
            ("array_remove", 2) if is_array(0) => ArrayFn::Remove,
            ("array_replace", 3) if is_array(0) => ArrayFn::Replace,
            ("array_to_string", 2..=3) if is_array(0) && (1..types.len()).all(text_like) => {
                ArrayFn::ToString(types[0].element().expect("an array"))
            }
            ("string_to_array", 2..=3) if (0..types.len()).all(text_like) => ArrayFn::FromString,
            (
                "array_length" | "array_upper" | "array_lower" | "array_ndims" | "array_dims"
                | "cardinality" | "array_append" | "array_prepend" | "array_cat" | "array_position"
                | "array_positions" | "array_remove" | "array_replace" | "array_to_string"
                | "string_to_array",
                _,
            ) => return Err(self.no_function(name, types, position)),
            _ => return Ok(None),
        };
        let mut args: Vec<(Expr, DataType, Span)> = std::mem::take(bound);
        // timestamptz elements print in the session's zone: as text first.
        let func = match func {
            ArrayFn::ToString(DataType::TimestampTz) if self.session.timezone.is_some() => {
                let (expr, ty, span) = args[0].clone();
                let text = DataType::Text.array();
                args[0] = (self.cast_node(expr, ty, text, false), text, span);
                ArrayFn::ToString(DataType::Text)
            }
            func => func,
        };
        let result = match func {
            ArrayFn::Length | ArrayFn::Upper | ArrayFn::Lower => {
                let (dim, ty, span) = args.pop().expect("two arguments");
                let dim = self.coerce_to(dim, ty, DataType::Int4, span)?;
                let (array, _, _) = args.pop().expect("two arguments");
                return Ok(Some((call(func, vec![array, dim]), DataType::Int4)));
            }
            ArrayFn::Ndims | ArrayFn::Cardinality => DataType::Int4,
            ArrayFn::Dims => DataType::Text,
            ArrayFn::Append
            | ArrayFn::Prepend
            | ArrayFn::Remove
            | ArrayFn::Positions
            | ArrayFn::Position
            | ArrayFn::Replace => {
                let (array_at, elem_at) = if func == ArrayFn::Prepend {
                    (1, 0)
                } else {
                    (0, 1)
                };
                let array = types[array_at];
                let elem = array.element().expect("an array");
                let (expr, ty, span) = args[elem_at].clone();
                let symbol = "";
                args[elem_at].0 = self
                    .element_arg(expr, ty, elem, span, array, symbol, position)
                    .map_err(|_| self.no_function(name, types, position))?;
                if func == ArrayFn::Replace {
                    let (expr, ty, span) = args[2].clone();
                    args[2].0 = self
                        .element_arg(expr, ty, elem, span, array, symbol, position)
                        .map_err(|_| self.no_function(name, types, position))?;
                }
                if func == ArrayFn::Position && args.len() == 3 {
                    let (expr, ty, span) = args[2].clone();
                    args[2].0 = self.coerce_to(expr, ty, DataType::Int4, span)?;
                }
                match func {
                    ArrayFn::Position => DataType::Int4,
                    ArrayFn::Positions => DataType::Int4.array(),
                    _ => array,
                }
            }
            ArrayFn::Cat => {
                let (rb, rt, rspan) = args.pop().expect("two arguments");
                let (lb, lt, lspan) = args.pop().expect("two arguments");
                let lb = if lt == DataType::Unknown {
                    self.coerce_to(lb, lt, rt, lspan)?
                } else {
                    lb
                };
                let rb = if rt == DataType::Unknown {
                    self.coerce_to(rb, rt, lt, rspan)?
                } else {
                    rb
                };
                let (lt, rt) = (
                    if lt == DataType::Unknown { rt } else { lt },
                    if rt == DataType::Unknown { lt } else { rt },
                );
                let (lb, rb, ty) = self
                    .unify_arrays(lb, lt, rb, rt, "||", position)
                    .map_err(|_| self.no_function(name, types, position))?;
                return Ok(Some((call(func, vec![lb, rb]), ty)));
            }
            ArrayFn::ToString(_) => {
                for (expr, ty, span) in args.iter_mut().skip(1) {
                    *expr = self.coerce_to(expr.clone(), *ty, DataType::Text, *span)?;
                }
                DataType::Text
            }
            ArrayFn::FromString => {
                for (expr, ty, span) in args.iter_mut() {
                    *expr = self.coerce_to(expr.clone(), *ty, DataType::Text, *span)?;
                }
                DataType::Text.array()
            }
            _ => unreachable!("only the functions matched above"),
        };
        Ok(Some((
            call(func, args.into_iter().map(|(e, _, _)| e).collect()),
            result,
        )))
    }
}

impl Binder<'_> {
    /// `unnest(array [, array ...]) [WITH ORDINALITY]` in FROM.
    pub(super) fn bind_unnest(
        &mut self,
        exprs: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
        offset: usize,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(crate::plan::Rel, Vec<super::ScopeRel>)> {
        let bound = self.bind_from_args(exprs, outer)?;
        let types: Vec<DataType> = bound.iter().map(|(_, ty, _)| *ty).collect();
        if bound.is_empty()
            || bound.len() > u8::MAX as usize
            || types.iter().any(|t| t.element().is_none())
        {
            return Err(self.no_function("unnest", &types, None));
        }
        let elements: Vec<DataType> = types
            .iter()
            .map(|ty| ty.element().expect("checked above"))
            .collect();
        super::function_rel(
            crate::plan::TableFunc::Unnest(bound.len() as u8),
            bound.into_iter().map(|(e, _, _)| e).collect(),
            &elements,
            "unnest",
            alias,
            ordinality,
            offset,
        )
    }
}

impl Binder<'_> {
    /// The arguments of `regexp_matches(string, pattern [, flags])`, as text; other types are
    /// 42883 as in PostgreSQL.
    pub(super) fn bind_regexp_matches(
        &mut self,
        bound: Vec<(Expr, DataType, Span)>,
        position: Option<usize>,
    ) -> SqlResult<Vec<Expr>> {
        let types: Vec<DataType> = bound.iter().map(|(_, ty, _)| *ty).collect();
        let texty = |ty: &DataType| {
            matches!(
                ty,
                DataType::Text | DataType::Unknown | DataType::Varchar(_) | DataType::Char(_)
            )
        };
        if !(2..=3).contains(&types.len()) || !types.iter().all(texty) {
            return Err(self.no_function("regexp_matches", &types, position));
        }
        bound
            .into_iter()
            .map(|(expr, ty, span)| self.coerce_to(expr, ty, DataType::Text, span))
            .collect()
    }

    /// unnest / generate_series / generate_subscripts in a SELECT list: the call becomes a
    /// column of a `Rel::ProjectSet` below the projection.
    pub(super) fn bind_set_function(
        &mut self,
        name: &str,
        exprs: &[&ast::Expr],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        if aggs.context == "aggregate function calls" {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "aggregate function calls cannot contain set-returning function calls",
            )
            .with_hint(
                "You might be able to move the set-returning function into a LATERAL FROM item.",
            )
            .at(position));
        }
        if !aggs.windows_allowed || !aggs.allowed {
            let context = if aggs.context.is_empty() {
                "this context"
            } else {
                aggs.context
            };
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("set-returning functions are not allowed in {context}"),
            )
            .at(position));
        }
        let bound = self.bind_args(exprs, scope, aggs)?;
        let types: Vec<DataType> = bound.iter().map(|(_, t, _)| *t).collect();
        let (func, args, ty) = match name {
            "generate_series" => {
                let (args, ty) = self.bind_series(bound, position)?;
                (crate::plan::TableFunc::GenerateSeries(ty), args, ty)
            }
            // No partitions: a relation's only ancestor is itself.
            "pg_partition_ancestors" if types.len() == 1 => {
                let (oid, ty, span) = bound.into_iter().next().expect("one argument");
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let args = vec![call(ArrayFn::Make, vec![oid])];
                (crate::plan::TableFunc::Unnest(1), args, DataType::Int8)
            }
            name if super::split_to_array(name).is_some() => {
                let array_function = super::split_to_array(name).expect("matched");
                let (array, _) = self.call_function(array_function, bound, position)?;
                (
                    crate::plan::TableFunc::Unnest(1),
                    vec![array],
                    DataType::Text,
                )
            }
            "unnest" if types.len() == 1 && types[0].element().is_some() => {
                let elem = types[0].element().expect("an array");
                let args = bound.into_iter().map(|(e, _, _)| e).collect();
                (crate::plan::TableFunc::Unnest(1), args, elem)
            }
            "information_schema._pg_expandarray"
                if types.len() == 1 && types[0].element().is_some() =>
            {
                let DataType::Array(elem) = types[0].array() else {
                    unreachable!("array() gives an array type")
                };
                let args = bound.into_iter().map(|(e, _, _)| e).collect();
                (
                    crate::plan::TableFunc::ExpandArray { record: true },
                    args,
                    DataType::Record(crate::types::RecordShape::ExpandArray(elem)),
                )
            }
            "regexp_matches" => (
                crate::plan::TableFunc::RegexpMatches,
                self.bind_regexp_matches(bound, position)?,
                DataType::Text.array(),
            ),
            "generate_subscripts"
                if (2..=3).contains(&types.len())
                    && types[0].element().is_some()
                    && (types[1].is_integer() || types[1] == DataType::Unknown)
                    && types
                        .get(2)
                        .is_none_or(|t| *t == DataType::Bool || *t == DataType::Unknown) =>
            {
                let mut args = Vec::with_capacity(3);
                for (i, (expr, ty, span)) in bound.into_iter().enumerate() {
                    args.push(match i {
                        0 => expr,
                        1 => self.coerce_to(expr, ty, DataType::Int4, span)?,
                        _ => self.coerce_to(expr, ty, DataType::Bool, span)?,
                    });
                }
                (crate::plan::TableFunc::Subscripts, args, DataType::Int4)
            }
            _ if crate::json::JsonRows::named(name).is_some() && types.len() == 1 => {
                let (rows, jsonb, text) = crate::json::JsonRows::named(name).expect("named");
                let (func, doc, types) =
                    self.bind_json_rows(name, rows, jsonb, text, bound, position)?;
                let ty = match types.as_slice() {
                    [one] => *one,
                    fields => DataType::Record(crate::types::RecordShape::anonymous(fields)),
                };
                (func(types.len() > 1), vec![doc], ty)
            }
            _ => return Err(self.no_function(name, &types, position)),
        };
        aggs.srfs.push((func, args));
        Ok((Expr::SetFn(aggs.srfs.len() - 1), ty))
    }
}
