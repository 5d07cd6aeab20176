//! Arrays of base types, with PostgreSQL's text and binary forms, ordering and functions.
//!
//! An array value is a multidimensional box: per dimension a length and a lower bound (1 unless
//! the input said otherwise), and its elements in row-major order, any of which may be NULL. An
//! empty array has no dimensions. The array's type is `DataType::Array(element)`; as in PostgreSQL
//! `int[]` and `int[][]` are one type, and the number of dimensions belongs to the value.
//!
//! Text form (`array_in`/`array_out`): `{1,2,3}`, nested braces for more dimensions, an element
//! double-quoted when it is empty, is `NULL`, or holds braces, quotes, backslashes, the delimiter
//! or white space; a `[lower:upper]...=` prefix when a lower bound is not 1. Binary form: number of
//! dimensions, a has-nulls flag, the element type's OID, (length, lower bound) per dimension, then
//! each element as a length (-1 for NULL) and its binary form.
//!
//! Ordering (`array_cmp`): element by element (NULL above every value), then the shorter array
//! first, then by number of dimensions, then by each dimension's length and lower bound; two
//! arrays are equal only when their shapes are too.

use std::cmp::Ordering;
use std::fmt::Write as _;

use crate::error::{code, SqlError, SqlResult};
use crate::types::{self, DataType, Value};

/// One dimension of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dim {
    pub len: i32,
    pub lower: i32,
}

/// An array value.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// Outermost first; empty for an empty array.
    pub dims: Vec<Dim>,
    /// Row-major.
    pub items: Vec<Value>,
}

/// PostgreSQL's limit on dimensions (MAXDIM).
const MAX_DIMS: usize = 6;

impl Array {
    /// A one-dimensional array of `items` with lower bound 1 (empty when there are none).
    pub fn one_dim(items: Vec<Value>) -> Array {
        let dims = if items.is_empty() {
            Vec::new()
        } else {
            vec![Dim {
                len: items.len() as i32,
                lower: 1,
            }]
        };
        Array { dims, items }
    }

    pub fn has_nulls(&self) -> bool {
        self.items.iter().any(Value::is_null)
    }

    /// The lower bound of a one-dimensional array (1 for an empty one).
    fn lower(&self) -> i32 {
        self.dims.first().map_or(1, |d| d.lower)
    }

    fn upper(dim: &Dim) -> i32 {
        dim.lower + dim.len - 1
    }
}

fn malformed(text: &str, detail: &str) -> SqlError {
    SqlError::new(
        code::INVALID_TEXT_REPRESENTATION,
        format!("malformed array literal: \"{text}\""),
    )
    .with_detail(detail)
}

/// One level of a parsed literal: a braced list of levels, or an element (None: NULL).
enum Node {
    List(Vec<Node>),
    Item(Option<String>),
}

/// Reads a braced list at `*at` (just past its `{`).
fn parse_list(text: &str, chars: &[char], at: &mut usize) -> SqlResult<Vec<Node>> {
    let mut nodes = Vec::new();
    let skip_space = |at: &mut usize| {
        while *at < chars.len() && chars[*at].is_whitespace() {
            *at += 1;
        }
    };
    skip_space(at);
    if chars.get(*at) == Some(&'}') {
        *at += 1;
        return Ok(nodes);
    }
    loop {
        skip_space(at);
        let Some(&c) = chars.get(*at) else {
            return Err(malformed(text, "Unexpected end of input."));
        };
        match c {
            '{' => {
                if nodes.iter().any(|n| matches!(n, Node::Item(_))) {
                    return Err(malformed(text, "Unexpected \"{\" character."));
                }
                *at += 1;
                nodes.push(Node::List(parse_list(text, chars, at)?));
            }
            ',' | '}' => {
                return Err(malformed(text, &format!("Unexpected \"{c}\" character.")));
            }
            _ => {
                if nodes.iter().any(|n| matches!(n, Node::List(_))) {
                    return Err(malformed(text, "Unexpected array element."));
                }
                nodes.push(Node::Item(parse_item(text, chars, at)?));
            }
        }
        skip_space(at);
        match chars.get(*at) {
            Some(',') => *at += 1,
            Some('}') => {
                *at += 1;
                return Ok(nodes);
            }
            Some(c) => return Err(malformed(text, &format!("Unexpected \"{c}\" character."))),
            None => return Err(malformed(text, "Unexpected end of input.")),
        }
    }
}

/// Reads one element: quoted (backslash escapes, kept as written) or bare (trailing blanks
/// dropped; `NULL` in any case is the null value).
fn parse_item(text: &str, chars: &[char], at: &mut usize) -> SqlResult<Option<String>> {
    let mut out = String::new();
    if chars[*at] == '"' {
        *at += 1;
        loop {
            match chars.get(*at) {
                None => return Err(malformed(text, "Unexpected end of input.")),
                Some('"') => {
                    *at += 1;
                    return Ok(Some(out));
                }
                Some('\\') => {
                    let Some(&next) = chars.get(*at + 1) else {
                        return Err(malformed(text, "Unexpected end of input."));
                    };
                    out.push(next);
                    *at += 2;
                }
                Some(&c) => {
                    out.push(c);
                    *at += 1;
                }
            }
        }
    }
    // The length of `out` that must be kept (up to the last escaped or non-blank character).
    let mut kept = 0;
    let mut escaped = false;
    loop {
        match chars.get(*at) {
            None => return Err(malformed(text, "Unexpected end of input.")),
            Some(',' | '}') => break,
            Some(&c @ ('{' | '"')) => {
                return Err(malformed(text, &format!("Unexpected \"{c}\" character.")))
            }
            Some('\\') => {
                let Some(&next) = chars.get(*at + 1) else {
                    return Err(malformed(text, "Unexpected end of input."));
                };
                out.push(next);
                kept = out.len();
                escaped = true;
                *at += 2;
            }
            Some(&c) => {
                out.push(c);
                if !c.is_whitespace() {
                    kept = out.len();
                }
                *at += 1;
            }
        }
    }
    out.truncate(kept);
    if !escaped && out.eq_ignore_ascii_case("null") {
        return Ok(None);
    }
    Ok(Some(out))
}

/// Reads `[lower:upper]` (or `[upper]`) groups and the `=` after them.
fn parse_dimension_prefix(text: &str, chars: &[char], at: &mut usize) -> SqlResult<Vec<Dim>> {
    let mut dims = Vec::new();
    let number = |at: &mut usize| -> Option<i32> {
        let start = *at;
        if matches!(chars.get(*at), Some('-' | '+')) {
            *at += 1;
        }
        while chars.get(*at).is_some_and(|c| c.is_ascii_digit()) {
            *at += 1;
        }
        chars[start..*at].iter().collect::<String>().parse().ok()
    };
    while chars.get(*at) == Some(&'[') {
        *at += 1;
        let first = number(at).ok_or_else(|| {
            malformed(
                text,
                "\"[\" must introduce explicitly-specified array dimensions.",
            )
        })?;
        let (lower, upper) = if chars.get(*at) == Some(&':') {
            *at += 1;
            let upper =
                number(at).ok_or_else(|| malformed(text, "Missing array dimension value."))?;
            (first, upper)
        } else {
            (1, first)
        };
        if chars.get(*at) != Some(&']') {
            return Err(malformed(text, "Missing \"]\" after array dimensions."));
        }
        *at += 1;
        if upper < lower {
            return Err(SqlError::new(
                code::PROGRAM_LIMIT_EXCEEDED,
                "upper bound cannot be less than lower bound",
            ));
        }
        dims.push(Dim {
            len: upper - lower + 1,
            lower,
        });
    }
    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
        *at += 1;
    }
    if chars.get(*at) != Some(&'=') {
        return Err(malformed(text, "Missing \"=\" after array dimensions."));
    }
    *at += 1;
    while chars.get(*at).is_some_and(|c| c.is_whitespace()) {
        *at += 1;
    }
    Ok(dims)
}

/// Parses an array's text form with elements of type `elem`.
pub fn parse(text: &str, elem: DataType) -> SqlResult<Array> {
    parse_in(text, elem, &crate::tz::Zone::UTC)
}

/// [`parse`] with timestamptz elements without an offset read in `zone`.
pub fn parse_in(text: &str, elem: DataType, zone: &crate::tz::Zone) -> SqlResult<Array> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    while at < chars.len() && chars[at].is_whitespace() {
        at += 1;
    }
    let declared = if chars.get(at) == Some(&'[') {
        Some(parse_dimension_prefix(text, &chars, &mut at)?)
    } else {
        None
    };
    if chars.get(at) != Some(&'{') {
        return Err(malformed(
            text,
            "Array value must start with \"{\" or dimension information.",
        ));
    }
    at += 1;
    let nodes = parse_list(text, &chars, &mut at)?;
    while at < chars.len() && chars[at].is_whitespace() {
        at += 1;
    }
    if at < chars.len() {
        return Err(malformed(text, "Junk after closing right brace."));
    }
    // The shape: follow the first list down; every list must match it.
    let mut lens = Vec::new();
    let mut level = &nodes;
    loop {
        lens.push(level.len());
        match level.first() {
            Some(Node::List(inner)) => level = inner,
            _ => break,
        }
    }
    if lens.len() > MAX_DIMS {
        return Err(SqlError::new(
            code::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "number of array dimensions ({}) exceeds the maximum allowed ({MAX_DIMS})",
                lens.len()
            ),
        ));
    }
    let mut items = Vec::new();
    fn collect(
        nodes: &[Node],
        depth: usize,
        lens: &[usize],
        elem: (DataType, &crate::tz::Zone),
        items: &mut Vec<Value>,
        text: &str,
    ) -> SqlResult<()> {
        let mismatch = || {
            malformed(
                text,
                "Multidimensional arrays must have sub-arrays with matching dimensions.",
            )
        };
        if nodes.len() != lens[depth] {
            return Err(mismatch());
        }
        for node in nodes {
            match node {
                Node::List(inner) if depth + 1 < lens.len() => {
                    collect(inner, depth + 1, lens, elem, items, text)?
                }
                Node::Item(item) if depth + 1 == lens.len() => items.push(match item {
                    None => Value::Null,
                    Some(text) => types::parse_text_in(text, elem.0, elem.1)?,
                }),
                _ => return Err(mismatch()),
            }
        }
        Ok(())
    }
    if lens == [0] {
        lens.clear();
    } else if lens.contains(&0) {
        return Err(malformed(
            text,
            "Multidimensional arrays must have sub-arrays with matching dimensions.",
        ));
    } else {
        collect(&nodes, 0, &lens, (elem, zone), &mut items, text)?;
    }
    let dims = match declared {
        Some(declared) => {
            let matches = declared.len() == lens.len()
                && declared
                    .iter()
                    .zip(&lens)
                    .all(|(d, &n)| d.len as usize == n);
            if !matches {
                return Err(malformed(
                    text,
                    "Specified array dimensions do not match array contents.",
                ));
            }
            declared
        }
        None => lens
            .iter()
            .map(|&n| Dim {
                len: n as i32,
                lower: 1,
            })
            .collect(),
    };
    Ok(Array { dims, items })
}

/// Whether an element's text must be double-quoted in an array's text form.
fn needs_quotes(text: &str) -> bool {
    text.is_empty()
        || text.eq_ignore_ascii_case("null")
        || text.chars().any(|c| {
            matches!(c, '{' | '}' | ',' | '"' | '\\')
                || matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
        })
}

/// Writes PostgreSQL's text form of an array with elements of type `elem`.
pub fn format(array: &Array, elem: DataType, out: &mut String) {
    format_in(array, elem, &crate::tz::Zone::UTC, out)
}

/// [`format()`] with timestamptz elements in `zone` (see [`types::format_text_in`]).
pub fn format_in(array: &Array, elem: DataType, zone: &crate::tz::Zone, out: &mut String) {
    if array.dims.is_empty() {
        out.push_str("{}");
        return;
    }
    if array.dims.iter().any(|d| d.lower != 1) {
        for dim in &array.dims {
            let _ = write!(out, "[{}:{}]", dim.lower, Array::upper(dim));
        }
        out.push('=');
    }
    let mut items = array.items.iter();
    fn level(
        dims: &[Dim],
        items: &mut std::slice::Iter<'_, Value>,
        elem: DataType,
        zone: &crate::tz::Zone,
        out: &mut String,
    ) {
        out.push('{');
        for i in 0..dims[0].len {
            if i > 0 {
                out.push(',');
            }
            if dims.len() > 1 {
                level(&dims[1..], items, elem, zone, out);
                continue;
            }
            match items.next() {
                None | Some(Value::Null) => out.push_str("NULL"),
                Some(value) => {
                    let mut text = String::new();
                    types::format_text_in(value, elem, zone, &mut text);
                    if needs_quotes(&text) {
                        out.push('"');
                        for c in text.chars() {
                            if c == '"' || c == '\\' {
                                out.push('\\');
                            }
                            out.push(c);
                        }
                        out.push('"');
                    } else {
                        out.push_str(&text);
                    }
                }
            }
        }
        out.push('}');
    }
    level(&array.dims, &mut items, elem, zone, out);
}

/// Writes the binary wire form of an array with elements of type `elem`.
pub fn format_binary(array: &Array, elem: DataType, out: &mut Vec<u8>) -> SqlResult<()> {
    out.extend_from_slice(&(array.dims.len() as i32).to_be_bytes());
    out.extend_from_slice(&(array.has_nulls() as i32).to_be_bytes());
    out.extend_from_slice(&(elem.oid() as i32).to_be_bytes());
    for dim in &array.dims {
        out.extend_from_slice(&dim.len.to_be_bytes());
        out.extend_from_slice(&dim.lower.to_be_bytes());
    }
    for item in &array.items {
        if item.is_null() {
            out.extend_from_slice(&(-1i32).to_be_bytes());
            continue;
        }
        let at = out.len();
        out.extend_from_slice(&[0; 4]);
        types::format_binary(item, elem, out)?;
        let len = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

/// Parses the binary wire form of an array parameter with elements of type `elem`.
pub fn parse_binary(bytes: &[u8], elem: DataType) -> SqlResult<Array> {
    let bad = || {
        SqlError::new(
            code::INVALID_BINARY_REPRESENTATION,
            "insufficient data left in message",
        )
    };
    let mut at = 0;
    let int = |at: &mut usize| -> SqlResult<i32> {
        let raw = bytes.get(*at..*at + 4).ok_or_else(bad)?;
        *at += 4;
        Ok(i32::from_be_bytes(raw.try_into().map_err(|_| bad())?))
    };
    let ndims = int(&mut at)?;
    let _flags = int(&mut at)?;
    let elem_oid = int(&mut at)?;
    if !(0..=MAX_DIMS as i32).contains(&ndims) {
        return Err(SqlError::new(
            code::INVALID_BINARY_REPRESENTATION,
            format!("invalid number of dimensions: {ndims}"),
        ));
    }
    let given = DataType::from_oid(elem_oid as u32)?.unwrap_or(elem);
    let mut dims = Vec::new();
    let mut count: i64 = 1;
    for _ in 0..ndims {
        let len = int(&mut at)?;
        let lower = int(&mut at)?;
        if len < 0 {
            return Err(bad());
        }
        count = count.saturating_mul(len as i64);
        dims.push(Dim { len, lower });
    }
    if ndims == 0 || count == 0 {
        return Ok(Array {
            dims: Vec::new(),
            items: Vec::new(),
        });
    }
    let mut items = Vec::with_capacity(count.min(1 << 20) as usize);
    for _ in 0..count {
        let len = int(&mut at)?;
        if len < 0 {
            items.push(Value::Null);
            continue;
        }
        let start = at;
        at += len as usize;
        let raw = bytes.get(start..at).ok_or_else(bad)?;
        let value = types::parse_binary(raw, given)?;
        items.push(types::cast(value, given, elem, false)?);
    }
    if at != bytes.len() {
        return Err(SqlError::new(
            code::INVALID_BINARY_REPRESENTATION,
            "incorrect binary data format in array",
        ));
    }
    Ok(Array { dims, items })
}

/// PostgreSQL's array ordering (see the module docs).
pub fn compare(a: &Array, b: &Array) -> Ordering {
    for (x, y) in a.items.iter().zip(&b.items) {
        let order = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => types::compare(x, y),
        };
        if order.is_ne() {
            return order;
        }
    }
    a.items
        .len()
        .cmp(&b.items.len())
        .then(a.dims.len().cmp(&b.dims.len()))
        .then_with(|| {
            for (x, y) in a.dims.iter().zip(&b.dims) {
                let order = x.len.cmp(&y.len).then(x.lower.cmp(&y.lower));
                if order.is_ne() {
                    return order;
                }
            }
            Ordering::Equal
        })
}

/// Casts every element from `from` to `to`.
pub fn cast(array: Array, from: DataType, to: DataType, explicit: bool) -> SqlResult<Array> {
    let items = array
        .items
        .into_iter()
        .map(|item| types::cast(item, from, to, explicit))
        .collect::<SqlResult<Vec<_>>>()?;
    Ok(Array {
        dims: array.dims,
        items,
    })
}

/// Encodes an array as part of a memcmp-comparable key (see `types::encode_key`): each element
/// behind a 0x02 byte, then 0x01 and the shape, so a prefix sorts first and equal keys are equal
/// arrays.
pub fn encode_key(array: &Array, elem: DataType, out: &mut Vec<u8>) {
    for item in &array.items {
        out.push(0x02);
        types::encode_key(&[(item, elem)], out);
    }
    out.push(0x01);
    for dim in &array.dims {
        out.extend_from_slice(&((dim.len as u32) ^ (1 << 31)).to_be_bytes());
        out.extend_from_slice(&((dim.lower as u32) ^ (1 << 31)).to_be_bytes());
    }
}

/// The comparison of `x op ANY | ALL (array)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

impl Cmp {
    /// The operator as SQL writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::NotEq => "<>",
            Cmp::Lt => "<",
            Cmp::LtEq => "<=",
            Cmp::Gt => ">",
            Cmp::GtEq => ">=",
        }
    }

    fn holds(self, order: Ordering) -> bool {
        match self {
            Cmp::Eq => order.is_eq(),
            Cmp::NotEq => order.is_ne(),
            Cmp::Lt => order.is_lt(),
            Cmp::LtEq => order.is_le(),
            Cmp::Gt => order.is_gt(),
            Cmp::GtEq => order.is_ge(),
        }
    }
}

/// The pattern match of `x LIKE | ILIKE | ~ | ~* ANY | ALL (array of patterns)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    Like,
    ILike,
    Regex,
    IRegex,
}

impl TextMatch {
    /// The operator as PostgreSQL prints it (`!~~` when negated).
    pub fn symbol(self, negated: bool) -> String {
        let symbol = match self {
            TextMatch::Like => "~~",
            TextMatch::ILike => "~~*",
            TextMatch::Regex => "~",
            TextMatch::IRegex => "~*",
        };
        if negated {
            format!("!{symbol}")
        } else {
            symbol.to_string()
        }
    }

    /// Whether `text` matches `pattern` (LIKE's escape is the backslash, as for `~~`).
    fn matches(self, text: &str, pattern: &str) -> SqlResult<bool> {
        match self {
            TextMatch::Like => crate::expr::like(text, pattern, Some('\\')),
            TextMatch::ILike => {
                crate::expr::like(&text.to_lowercase(), &pattern.to_lowercase(), Some('\\'))
            }
            TextMatch::Regex => crate::expr::regex_matches(text, pattern, false),
            TextMatch::IRegex => crate::expr::regex_matches(text, pattern, true),
        }
    }
}

/// Array functions and operators (the binder has cast the arguments to the declared types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayFn {
    /// `ARRAY[a, b, ...]` over scalars.
    Make,
    /// `ARRAY[ARRAY[...], ...]`: the sub-arrays stacked as a new outer dimension.
    MakeNested,
    /// `a[i][j]...`: args the array then one index per dimension.
    Subscript,
    /// `a[l:u]...`: args the array then (lower, upper) per dimension; bit `2k` (`2k+1`) of the
    /// mask says the lower (upper) bound of dimension `k` was given.
    Slice(u32),
    /// `SET a[i][j]... = x`: args as [`ArrayFn::Subscript`]'s, then x; the array with that
    /// element replaced ([`set_element`]).
    SetElement,
    /// `SET a[l:u]... = x`: args as [`ArrayFn::Slice`]'s, then the array x; the array with that
    /// slice replaced ([`set_slice`]).
    SetSlice(u32),
    /// `x op ANY (array)` (`all`: ALL); args: x, the array.
    Compare {
        op: Cmp,
        all: bool,
    },
    /// `x LIKE ANY (patterns)` and the other pattern matches (`negated`: NOT LIKE, `!~`; `all`:
    /// ALL); args: the text, the array of patterns.
    Match {
        op: TextMatch,
        negated: bool,
        all: bool,
    },
    Length,
    Upper,
    Lower,
    Ndims,
    Dims,
    Cardinality,
    Append,
    Prepend,
    Cat,
    /// array_position(array, value [, start])
    Position,
    Positions,
    Remove,
    Replace,
    /// array_to_string(array, delimiter [, null text]) over elements of the given type.
    ToString(DataType),
    /// string_to_array(text, delimiter [, null text])
    FromString,
    /// `@>` (and `<@` with the arguments swapped).
    Contains,
    /// `&&`
    Overlaps,
}

fn array_arg(value: &Value) -> Option<&Array> {
    match value {
        Value::Array(array) => Some(array),
        _ => None,
    }
}

fn int_arg(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

/// Equality as `IS NOT DISTINCT FROM` (array_position, array_remove and friends).
fn same(a: &Value, b: &Value) -> bool {
    match (a.is_null(), b.is_null()) {
        (true, true) => true,
        (false, false) => types::compare(a, b).is_eq(),
        _ => false,
    }
}

/// PostgreSQL's MaxArraySize: the most elements an array holds.
const MAX_ITEMS: i64 = 134_217_727;

fn too_large() -> SqlError {
    SqlError::new(
        code::PROGRAM_LIMIT_EXCEEDED,
        format!("array size exceeds the maximum allowed ({MAX_ITEMS})"),
    )
}

fn subscript_error(message: &str) -> SqlError {
    SqlError::new(code::ARRAY_SUBSCRIPT_ERROR, message)
}

/// A subscript of an assignment, which may not be NULL.
fn assigned_subscript(value: &Value) -> SqlResult<i64> {
    int_arg(value).ok_or_else(|| {
        SqlError::new(
            code::NULL_VALUE_NOT_ALLOWED,
            "array subscript in assignment must not be null",
        )
    })
}

/// A one-dimensional array's items re-based so that it spans `lower..=upper` (which covers its
/// present span), NULL in the new places: PostgreSQL extends a one-dimensional array this way
/// when an element or slice is assigned outside it.
fn extended(array: Array, lower: i64, upper: i64) -> SqlResult<Array> {
    let (old_lower, old_len) = array
        .dims
        .first()
        .map_or((lower, 0), |d| (d.lower as i64, d.len as i64));
    let len = upper - lower + 1;
    if len > MAX_ITEMS {
        return Err(too_large());
    }
    let mut items = Vec::with_capacity(len as usize);
    items.resize((old_lower - lower) as usize, Value::Null);
    items.extend(array.items);
    items.resize(len as usize, Value::Null);
    debug_assert!(old_lower - lower + old_len <= len);
    Ok(Array {
        dims: vec![Dim {
            len: len as i32,
            lower: lower as i32,
        }],
        items,
    })
}

/// `array[i][j]... := value` (PostgreSQL's array_set_element): a NULL or empty array becomes
/// one holding just that element at those subscripts; a one-dimensional array grows (NULLs in
/// between) to reach the subscript; a multidimensional one must hold it already.
pub fn set_element(array: Option<Array>, indexes: &[i64], value: Value) -> SqlResult<Array> {
    let array = array.unwrap_or_else(|| Array::one_dim(Vec::new()));
    if array.dims.is_empty() {
        let dims = indexes
            .iter()
            .map(|&i| Dim {
                len: 1,
                lower: i as i32,
            })
            .collect();
        return Ok(Array {
            dims,
            items: vec![value],
        });
    }
    if array.dims.len() != indexes.len() {
        return Err(subscript_error("wrong number of array subscripts"));
    }
    let mut array = if let [index] = *indexes {
        let dim = array.dims[0];
        let (lower, upper) = (dim.lower as i64, Array::upper(&dim) as i64);
        extended(array, lower.min(index), upper.max(index))?
    } else {
        array
    };
    let mut offset = 0usize;
    for (dim, &index) in array.dims.iter().zip(indexes) {
        let at = index - dim.lower as i64;
        if at < 0 || at >= dim.len as i64 {
            return Err(subscript_error("array subscript out of range"));
        }
        offset = offset * dim.len as usize + at as usize;
    }
    array.items[offset] = value;
    Ok(array)
}

/// `array[l:u]... := source` (PostgreSQL's array_set_slice): the slice's places take the
/// source's items in order (extras ignored, too few an error). `bounds`: a (lower, upper) per
/// subscript, None where not written (the array's own bound). A NULL or empty array becomes the
/// slice itself (every bound written); a one-dimensional array grows to reach the slice; a
/// multidimensional one must hold it. A NULL source leaves the array as it is.
pub fn set_slice(
    array: Option<Array>,
    bounds: &[(Option<i64>, Option<i64>)],
    source: Option<&Array>,
) -> SqlResult<Array> {
    let array = array.unwrap_or_else(|| Array::one_dim(Vec::new()));
    let Some(source) = source else {
        return Ok(array);
    };
    let too_small = || subscript_error("source array too small");
    if array.dims.is_empty() {
        let mut dims = Vec::with_capacity(bounds.len());
        let mut count = 1i64;
        for &bound in bounds {
            let (Some(lower), Some(upper)) = bound else {
                return Err(subscript_error("array slice subscript must provide both boundaries")
                    .with_detail("When assigning to a slice of an empty array value, slice boundaries must be fully specified."));
            };
            let len = upper - lower + 1;
            if len < 0 {
                return Err(too_large());
            }
            count = count.saturating_mul(len);
            dims.push(Dim {
                len: len as i32,
                lower: lower as i32,
            });
        }
        if count > MAX_ITEMS {
            return Err(too_large());
        }
        if (source.items.len() as i64) < count {
            return Err(too_small());
        }
        if count == 0 {
            return Ok(Array::one_dim(Vec::new()));
        }
        let items = source.items[..count as usize].to_vec();
        return Ok(Array { dims, items });
    }
    if array.dims.len() < bounds.len() {
        return Err(subscript_error("wrong number of array subscripts"));
    }
    // Each dimension's (lower, upper) of the slice: unwritten bounds (and dimensions past the
    // subscripts) are the array's.
    let mut ranges = Vec::with_capacity(array.dims.len());
    for (k, dim) in array.dims.iter().enumerate() {
        let (lower, upper) = bounds.get(k).copied().unwrap_or((None, None));
        let lower = lower.unwrap_or(dim.lower as i64);
        let upper = upper.unwrap_or(Array::upper(dim) as i64);
        if lower > upper {
            return Err(subscript_error(
                "upper bound cannot be less than lower bound",
            ));
        }
        ranges.push((lower, upper));
    }
    let mut array = if let [(lower, upper)] = *ranges {
        let dim = array.dims[0];
        let (old_lower, old_upper) = (dim.lower as i64, Array::upper(&dim) as i64);
        extended(array, lower.min(old_lower), upper.max(old_upper))?
    } else {
        for (dim, &(lower, upper)) in array.dims.iter().zip(&ranges) {
            if lower < dim.lower as i64 || upper > Array::upper(dim) as i64 {
                return Err(subscript_error("array subscript out of range"));
            }
        }
        array
    };
    let count: i64 = ranges.iter().map(|(l, u)| u - l + 1).product();
    if (source.items.len() as i64) < count {
        return Err(too_small());
    }
    // Visit the slice's places in row-major order, each taking the next source item.
    let dims = array.dims.clone();
    let mut place = vec![0i64; ranges.len()];
    for item in &source.items[..count as usize] {
        let mut offset = 0usize;
        for (k, dim) in dims.iter().enumerate() {
            let index = ranges[k].0 + place[k];
            offset = offset * dim.len as usize + (index - dim.lower as i64) as usize;
        }
        array.items[offset] = item.clone();
        for k in (0..ranges.len()).rev() {
            place[k] += 1;
            if place[k] <= ranges[k].1 - ranges[k].0 {
                break;
            }
            place[k] = 0;
        }
    }
    Ok(array)
}

fn one_dimensional(array: &Array, message: &str) -> SqlResult<()> {
    if array.dims.len() > 1 {
        return Err(SqlError::new(code::FEATURE_NOT_SUPPORTED, message));
    }
    Ok(())
}

fn incompatible(detail: String) -> SqlError {
    SqlError::new(
        code::ARRAY_SUBSCRIPT_ERROR,
        "cannot concatenate incompatible arrays",
    )
    .with_detail(detail)
}

/// Stacks equally shaped arrays as the elements of a new outer dimension.
pub fn stack(parts: Vec<Array>) -> SqlResult<Array> {
    let Some(first) = parts.iter().find(|p| !p.dims.is_empty()) else {
        return Ok(Array::one_dim(Vec::new()));
    };
    let shape = first.dims.clone();
    if shape.len() + 1 > MAX_DIMS {
        return Err(SqlError::new(
            code::PROGRAM_LIMIT_EXCEEDED,
            format!(
                "number of array dimensions ({}) exceeds the maximum allowed ({MAX_DIMS})",
                shape.len() + 1
            ),
        ));
    }
    let mut dims = vec![Dim {
        len: parts.len() as i32,
        lower: 1,
    }];
    dims.extend(&shape);
    let mut items = Vec::new();
    for part in parts {
        if part.dims != shape {
            return Err(SqlError::new(
                code::ARRAY_SUBSCRIPT_ERROR,
                "multidimensional arrays must have array expressions with matching dimensions",
            ));
        }
        items.extend(part.items);
    }
    Ok(Array { dims, items })
}

/// Evaluates an array function. NULL handling is each function's own (array_append of a NULL
/// array is a one-element array; array_cat ignores a NULL side).
pub fn call(func: ArrayFn, mut args: Vec<Value>) -> SqlResult<Value> {
    let null = Ok(Value::Null);
    let wrap = |array: Array| Ok(Value::Array(Box::new(array)));
    match func {
        ArrayFn::Make => wrap(Array::one_dim(args)),
        ArrayFn::MakeNested => {
            let mut parts = Vec::with_capacity(args.len());
            for arg in args {
                match arg {
                    Value::Array(array) => parts.push(*array),
                    _ => {
                        return Err(SqlError::new(
                            code::ARRAY_SUBSCRIPT_ERROR,
                            "multidimensional arrays must have array expressions with matching dimensions",
                        ))
                    }
                }
            }
            wrap(stack(parts)?)
        }
        ArrayFn::Subscript => {
            let Some(array) = array_arg(&args[0]) else {
                return null;
            };
            if args.len() - 1 != array.dims.len() {
                return null;
            }
            let mut offset = 0usize;
            for (dim, index) in array.dims.iter().zip(&args[1..]) {
                let Some(index) = int_arg(index) else {
                    return null;
                };
                let at = index - dim.lower as i64;
                if at < 0 || at >= dim.len as i64 {
                    return null;
                }
                offset = offset * dim.len as usize + at as usize;
            }
            Ok(array.items[offset].clone())
        }
        ArrayFn::Slice(mask) => {
            let Some(array) = array_arg(&args[0]) else {
                return null;
            };
            let given = (args.len() - 1) / 2;
            if array.dims.is_empty() || given > array.dims.len() {
                return wrap(Array::one_dim(Vec::new()));
            }
            let mut ranges = Vec::with_capacity(array.dims.len());
            for (k, dim) in array.dims.iter().enumerate() {
                let (mut lo, mut hi) = (dim.lower as i64, Array::upper(dim) as i64);
                if k < given {
                    if mask & (1 << (2 * k)) != 0 {
                        match int_arg(&args[1 + 2 * k]) {
                            Some(l) => lo = lo.max(l),
                            None => return null,
                        }
                    }
                    if mask & (1 << (2 * k + 1)) != 0 {
                        match int_arg(&args[2 + 2 * k]) {
                            Some(u) => hi = hi.min(u),
                            None => return null,
                        }
                    }
                }
                if lo > hi {
                    return wrap(Array::one_dim(Vec::new()));
                }
                ranges.push((lo - dim.lower as i64, hi - dim.lower as i64));
            }
            let mut items = Vec::new();
            fn walk(
                array: &Array,
                ranges: &[(i64, i64)],
                depth: usize,
                base: usize,
                out: &mut Vec<Value>,
            ) {
                for i in ranges[depth].0..=ranges[depth].1 {
                    let offset = base * array.dims[depth].len as usize + i as usize;
                    if depth + 1 == ranges.len() {
                        out.push(array.items[offset].clone());
                    } else {
                        walk(array, ranges, depth + 1, offset, out);
                    }
                }
            }
            walk(array, &ranges, 0, 0, &mut items);
            let dims = ranges
                .iter()
                .map(|(lo, hi)| Dim {
                    len: (hi - lo + 1) as i32,
                    lower: 1,
                })
                .collect();
            wrap(Array { dims, items })
        }
        ArrayFn::SetElement => {
            let value = args.pop().expect("the value assigned");
            let indexes = (args[1..].iter())
                .map(assigned_subscript)
                .collect::<SqlResult<Vec<_>>>()?;
            let array = match args.swap_remove(0) {
                Value::Array(array) => Some(*array),
                _ => None,
            };
            wrap(set_element(array, &indexes, value)?)
        }
        ArrayFn::SetSlice(mask) => {
            let source = args.pop().expect("the array assigned");
            let mut bounds = Vec::with_capacity(args.len() / 2);
            for (k, pair) in args[1..].chunks(2).enumerate() {
                let bound = |i: usize| {
                    (mask & (1 << (2 * k + i)) != 0)
                        .then(|| assigned_subscript(&pair[i]))
                        .transpose()
                };
                bounds.push((bound(0)?, bound(1)?));
            }
            let array = match args.swap_remove(0) {
                Value::Array(array) => Some(*array),
                _ => None,
            };
            wrap(set_slice(array, &bounds, array_arg(&source))?)
        }
        ArrayFn::Compare { op, all } => {
            let Some(array) = array_arg(&args[1]) else {
                return null;
            };
            let left = &args[0];
            let mut saw_null = false;
            for item in &array.items {
                if item.is_null() || left.is_null() {
                    saw_null = true;
                    continue;
                }
                let holds = op.holds(types::compare(left, item));
                if holds != all {
                    return Ok(Value::Bool(holds));
                }
            }
            if saw_null {
                null
            } else {
                Ok(Value::Bool(all))
            }
        }
        ArrayFn::Match { op, negated, all } => {
            // As Compare: a NULL text or pattern makes a NULL test, which only a deciding
            // match elsewhere in the array overrides; an empty array is false for ANY.
            let Some(array) = array_arg(&args[1]) else {
                return null;
            };
            let text = match &args[0] {
                Value::Text(text) => Some(text.as_str()),
                _ => None,
            };
            let mut saw_null = false;
            for item in &array.items {
                let (Some(text), Value::Text(pattern)) = (text, item) else {
                    saw_null = true;
                    continue;
                };
                let holds = op.matches(text, pattern)? != negated;
                if holds != all {
                    return Ok(Value::Bool(holds));
                }
            }
            if saw_null {
                null
            } else {
                Ok(Value::Bool(all))
            }
        }
        ArrayFn::Length | ArrayFn::Upper | ArrayFn::Lower => {
            let (Some(array), Some(dim)) = (array_arg(&args[0]), int_arg(&args[1])) else {
                return null;
            };
            if dim < 1 || dim as usize > array.dims.len() {
                return null;
            }
            let dim = array.dims[dim as usize - 1];
            Ok(Value::Int(match func {
                ArrayFn::Length => dim.len,
                ArrayFn::Upper => Array::upper(&dim),
                _ => dim.lower,
            } as i64))
        }
        ArrayFn::Ndims => match array_arg(&args[0]) {
            Some(array) if !array.dims.is_empty() => Ok(Value::Int(array.dims.len() as i64)),
            _ => null,
        },
        ArrayFn::Dims => match array_arg(&args[0]) {
            Some(array) if !array.dims.is_empty() => {
                let mut out = String::new();
                for dim in &array.dims {
                    let _ = write!(out, "[{}:{}]", dim.lower, Array::upper(dim));
                }
                Ok(Value::Text(out))
            }
            _ => null,
        },
        ArrayFn::Cardinality => match array_arg(&args[0]) {
            Some(array) => Ok(Value::Int(array.items.len() as i64)),
            None => null,
        },
        ArrayFn::Append | ArrayFn::Prepend => {
            let (array, item) = if func == ArrayFn::Append {
                (args.remove(0), args.remove(0))
            } else {
                (args.remove(1), args.remove(0))
            };
            let array = match array {
                Value::Array(array) => *array,
                _ => Array::one_dim(Vec::new()),
            };
            if array.dims.len() > 1 {
                return Err(SqlError::new(
                    code::DATA_EXCEPTION,
                    "argument must be empty or one-dimensional array",
                ));
            }
            let lower = array.lower();
            let mut items = array.items;
            // Both keep the input's lower bound, as PostgreSQL's do.
            if func == ArrayFn::Append {
                items.push(item);
            } else {
                items.insert(0, item);
            }
            wrap(Array {
                dims: vec![Dim {
                    len: items.len() as i32,
                    lower,
                }],
                items,
            })
        }
        ArrayFn::Cat => {
            let right = args.pop().unwrap_or(Value::Null);
            let left = args.pop().unwrap_or(Value::Null);
            let (left, right) = match (left, right) {
                (Value::Array(l), Value::Array(r)) => (*l, *r),
                (Value::Array(l), _) => return wrap(*l),
                (_, Value::Array(r)) => return wrap(*r),
                _ => return null,
            };
            if left.dims.is_empty() {
                return wrap(right);
            }
            if right.dims.is_empty() {
                return wrap(left);
            }
            let (ln, rn) = (left.dims.len(), right.dims.len());
            let dims = if ln == rn {
                if left.dims[1..]
                    .iter()
                    .zip(&right.dims[1..])
                    .any(|(a, b)| a.len != b.len)
                {
                    return Err(incompatible(
                        "Arrays with differing element dimensions are not compatible for concatenation.".into(),
                    ));
                }
                let mut dims = left.dims.clone();
                dims[0].len += right.dims[0].len;
                dims
            } else if ln == rn + 1 {
                if left.dims[1..]
                    .iter()
                    .zip(&right.dims)
                    .any(|(a, b)| a.len != b.len)
                {
                    return Err(incompatible(
                        "Arrays with differing dimensions are not compatible for concatenation."
                            .into(),
                    ));
                }
                let mut dims = left.dims.clone();
                dims[0].len += 1;
                dims
            } else if ln + 1 == rn {
                if right.dims[1..]
                    .iter()
                    .zip(&left.dims)
                    .any(|(a, b)| a.len != b.len)
                {
                    return Err(incompatible(
                        "Arrays with differing dimensions are not compatible for concatenation."
                            .into(),
                    ));
                }
                let mut dims = right.dims.clone();
                dims[0].len += 1;
                dims
            } else {
                return Err(incompatible(format!(
                    "Arrays of {ln} and {rn} dimensions are not compatible for concatenation."
                )));
            };
            let mut items = left.items;
            items.extend(right.items);
            wrap(Array { dims, items })
        }
        ArrayFn::Position | ArrayFn::Positions => {
            let Some(array) = array_arg(&args[0]) else {
                return null;
            };
            one_dimensional(
                array,
                "searching for elements in multidimensional arrays is not supported",
            )?;
            let lower = array.lower() as i64;
            let start = match args.get(2) {
                Some(Value::Null) => {
                    return Err(SqlError::new(
                        code::NULL_VALUE_NOT_ALLOWED,
                        "initial position must not be null",
                    ))
                }
                Some(v) => int_arg(v).unwrap_or(lower),
                None => lower,
            };
            let found = array
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| (lower + i as i64, item))
                .filter(|(index, item)| *index >= start && same(item, &args[1]))
                .map(|(index, _)| Value::Int(index));
            if func == ArrayFn::Position {
                Ok(found.into_iter().next().unwrap_or(Value::Null))
            } else {
                wrap(Array::one_dim(found.collect()))
            }
        }
        ArrayFn::Remove | ArrayFn::Replace => {
            let Some(array) = array_arg(&args[0]) else {
                return null;
            };
            if func == ArrayFn::Remove {
                one_dimensional(
                    array,
                    "removing elements from multidimensional arrays is not supported",
                )?;
                let lower = array.lower();
                let items: Vec<Value> = array
                    .items
                    .iter()
                    .filter(|item| !same(item, &args[1]))
                    .cloned()
                    .collect();
                if items.is_empty() {
                    return wrap(Array::one_dim(items));
                }
                return wrap(Array {
                    dims: vec![Dim {
                        len: items.len() as i32,
                        lower,
                    }],
                    items,
                });
            }
            let items = array
                .items
                .iter()
                .map(|item| {
                    if same(item, &args[1]) {
                        args[2].clone()
                    } else {
                        item.clone()
                    }
                })
                .collect();
            wrap(Array {
                dims: array.dims.clone(),
                items,
            })
        }
        ArrayFn::ToString(elem) => {
            let (Some(array), Value::Text(delimiter)) = (array_arg(&args[0]), &args[1]) else {
                return null;
            };
            let null_text = match args.get(2) {
                Some(Value::Text(t)) => Some(t.as_str()),
                _ => None,
            };
            let mut out = String::new();
            let mut first = true;
            for item in &array.items {
                let text = match item {
                    Value::Null => match null_text {
                        Some(t) => t.to_string(),
                        None => continue,
                    },
                    value => types::to_text(value, elem),
                };
                if !first {
                    out.push_str(delimiter);
                }
                first = false;
                out.push_str(&text);
            }
            Ok(Value::Text(out))
        }
        ArrayFn::FromString => {
            let Value::Text(text) = &args[0] else {
                return null;
            };
            let null_text = match args.get(2) {
                Some(Value::Text(t)) => Some(t.as_str()),
                _ => None,
            };
            let pieces: Vec<String> = match &args[1] {
                _ if text.is_empty() => Vec::new(),
                Value::Null => text.chars().map(String::from).collect(),
                Value::Text(d) if d.is_empty() => vec![text.clone()],
                Value::Text(d) => text.split(d.as_str()).map(String::from).collect(),
                _ => return null,
            };
            let items = pieces
                .into_iter()
                .map(|piece| {
                    if Some(piece.as_str()) == null_text {
                        Value::Null
                    } else {
                        Value::Text(piece)
                    }
                })
                .collect();
            wrap(Array::one_dim(items))
        }
        ArrayFn::Contains | ArrayFn::Overlaps => {
            let (Some(left), Some(right)) = (array_arg(&args[0]), array_arg(&args[1])) else {
                return null;
            };
            let member = |item: &Value| {
                !item.is_null()
                    && left
                        .items
                        .iter()
                        .any(|x| !x.is_null() && types::compare(x, item).is_eq())
            };
            Ok(Value::Bool(if func == ArrayFn::Contains {
                right.items.iter().all(member)
            } else {
                right.items.iter().any(member)
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, elem: DataType) -> String {
        let array = parse(text, elem).unwrap();
        let mut out = String::new();
        format(&array, elem, &mut out);
        out
    }

    #[test]
    fn text_forms_round_trip() {
        assert_eq!(round_trip("{1,2,3}", DataType::Int4), "{1,2,3}");
        assert_eq!(
            round_trip(" { 1 , NULL ,3 } ", DataType::Int4),
            "{1,NULL,3}"
        );
        assert_eq!(round_trip("{{1,2},{3,4}}", DataType::Int4), "{{1,2},{3,4}}");
        assert_eq!(round_trip("{}", DataType::Int4), "{}");
        assert_eq!(round_trip("[0:1]={5,6}", DataType::Int4), "[0:1]={5,6}");
        assert_eq!(
            round_trip(r#"{"a b","",null,"NULL","x\"y",c\,d}"#, DataType::Text),
            r#"{"a b","",NULL,"NULL","x\"y","c,d"}"#
        );
    }

    #[test]
    fn malformed_literals_are_refused() {
        for bad in ["1,2", "{1,2", "{1,{2}}", "{{1},{2,3}}", "{1,2}x", "{1,,2}"] {
            let error = parse(bad, DataType::Int4).unwrap_err();
            assert_eq!(error.code, code::INVALID_TEXT_REPRESENTATION, "{bad}");
        }
    }

    #[test]
    fn binary_form_round_trips() {
        let array = parse("{{1,NULL},{3,4}}", DataType::Int8).unwrap();
        let mut out = Vec::new();
        format_binary(&array, DataType::Int8, &mut out).unwrap();
        assert_eq!(parse_binary(&out, DataType::Int8).unwrap(), array);
    }

    #[test]
    fn ordering_follows_postgres() {
        let a = |t: &str| parse(t, DataType::Int4).unwrap();
        assert!(compare(&a("{1,2}"), &a("{1,3}")).is_lt());
        assert!(compare(&a("{1,2}"), &a("{1,2,0}")).is_lt());
        assert!(compare(&a("{1,NULL}"), &a("{1,2}")).is_gt());
        assert!(compare(&a("{1,2}"), &a("[0:1]={1,2}")).is_gt());
        assert!(compare(&a("{1,2}"), &a("{1,2}")).is_eq());
    }
}
