//! String and math functions, with PostgreSQL's edge cases (negative lengths, empty delimiters,
//! rounding rules, domain errors). The binder picks the overload and casts the arguments, so each
//! function here sees values of the types it declared; NULL arguments give NULL unless the
//! function says otherwise (`concat`, `greatest`/`least`).

use crate::numeric::Rounding;

use crate::error::{code, SqlError, SqlResult};
use crate::types::{compare, Value};

/// Float math of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Math {
    Sqrt,
    Cbrt,
    Exp,
    Ln,
    /// `log(x)`: base 10, as `log10`.
    Log,
    Log10,
    Degrees,
    Radians,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
}

/// The library's scalar functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// substring(text, start [, length])
    Substring,
    /// overlay(text placing text from start [for count]): the characters from `start` on
    /// (`count` of them, else as many as the new text has) replaced by the new text.
    Overlay,
    Strpos,
    Replace,
    SplitPart,
    Left,
    Right,
    Lpad,
    Rpad,
    Repeat,
    /// translate(text, from, to): each character of `from` becomes the one at its place in
    /// `to`, or goes when `to` is shorter (the first place of a repeated one counts).
    Translate,
    Reverse,
    /// md5(text | bytea): the digest in 32 lower-case hex digits.
    Md5,
    /// sha256 / sha384 / sha512(bytea): the SHA-2 digest of that many bits, as bytea.
    Sha2(u16),
    /// jsonb_path_exists / _match / _query_array / _query_first(target, path, vars, silent),
    /// and the `@?` / `@@` operators (see [`crate::jsonpath`]).
    JsonPath(crate::jsonpath::PathFunc),
    Initcap,
    /// quote_ident(text): double-quoted unless a plain lower-case name that is no keyword.
    QuoteIdent,
    /// quote_literal(text): single-quoted (`E'...'` when it holds a backslash).
    QuoteLiteral,
    /// quote_literal, with `NULL` for NULL.
    QuoteNullable,
    /// pg_size_pretty(bigint): bytes, kB, MB, GB, TB, PB, halving-rounded as PostgreSQL does.
    SizePretty,
    /// pg_column_size(value, kind, stored): the bytes PostgreSQL's datum takes (see
    /// [`column_size`]); `kind` a fixed width, or [`SIZE_VARLENA`] / [`SIZE_NUMERIC`].
    ColumnSize,
    Ascii,
    Chr,
    OctetLength,
    StartsWith,
    /// (leading, trailing)
    Trim(bool, bool),
    Concat,
    ConcatWs,
    /// format(fmt, args...): `%s`, `%I`, `%L` with positions, `-` and widths (see [`sql_format`]).
    Format,
    Round,
    Trunc,
    Ceil,
    Floor,
    Sign,
    Math(Math),
    /// `log(base, x)` (numeric).
    LogBase,
    /// `to_char(timestamp, format)`; timestamptz's when true.
    ToChar(bool),
    /// `timezone(zone, ts)` (`ts AT TIME ZONE zone`): a timestamptz's wall clock in the zone
    /// (true), or the instant a timestamp's wall clock in the zone is (see [`crate::tz`]).
    AtTimeZone(bool),
    /// An operation that reads the session's `TimeZone`, its setting the first argument (see
    /// [`crate::tz::ZoneOp`]).
    Zoned(crate::tz::ZoneOp),
    /// `to_char(interval, format)`.
    IntervalToChar,
    /// make_timestamp(year, month, day, hour, min, sec): the wall clock those fields give.
    MakeTimestamp,
    /// to_timestamp(seconds since 1970): an instant.
    ToTimestamp,
    /// to_timestamp(text, format): the instant the text gives, its wall clock read in UTC
    /// unless it has an offset (a session zone binds [`crate::tz::ZoneOp::ToTimestamp`]).
    ToTimestampText,
    /// to_date(text, format).
    ToDate,
    /// isfinite(date | timestamp | timestamptz | interval): not ±infinity.
    IsFinite,
    /// similar_to_escape(pattern [, escape]): a SQL regular expression (`SIMILAR TO`) as the
    /// POSIX one it means (see [`similar_escape`]).
    SimilarEscape,
    /// to_hex(integer | bigint): two's complement digits of 32 bits, or 64 when true.
    ToHex(bool),
    /// regexp_split_to_array(text, pattern [, flags]).
    RegexpSplit,
    /// substring(text FROM pattern [FOR escape]): the first match of a POSIX pattern (of a SQL
    /// one, through [`similar_escape`], with an escape), or its first parenthesized part.
    RegexSubstring,
    /// convert_from(bytea, encoding): the bytes as text (UTF8, LATIN1, SQL_ASCII).
    ConvertFrom,
    /// convert_to(text, encoding).
    ConvertTo,
    /// make_interval(years, months, weeks, days, hours, mins, secs).
    MakeInterval,
    /// json_strip_nulls / jsonb_strip_nulls (true).
    JsonStripNulls(bool),
    /// array_fill(value, dims [, lower bounds]): an array of that shape holding the value
    /// (NULL too) everywhere.
    ArrayFill,
    /// `to_number(text, format)`.
    ToNumber,
    /// `to_char(number, format)` of a number of this type.
    NumberToChar(crate::types::DataType),
    /// `scale(numeric)`: its decimals.
    NumericScale,
    MinScale,
    TrimScale,
    /// `div(numeric, numeric)`: the truncated quotient.
    DivTrunc,
    Factorial,
    /// `gcd` / `lcm` with their result type (integer, bigint or numeric).
    Gcd(crate::types::DataType),
    Lcm(crate::types::DataType),
    Power,
    Atan2,
    Pi,
    /// format_type(type oid, typmod): the type's SQL name with its modifier.
    FormatType,
    /// encode(bytea, 'hex' | 'base64' | 'escape')
    Encode,
    /// decode(text, 'hex' | 'base64' | 'escape')
    Decode,
    /// to_json / to_jsonb of a value of the given kind (`true`: jsonb).
    ToJson(crate::json::JsonKind, bool),
    /// json_build_object / jsonb_build_object over (key text, value json) pairs.
    JsonBuildObject(bool),
    /// `json_object(text[])`, `json_object(keys, values)` (jsonb: `jsonb_object`).
    JsonObject(bool),
    /// A whole-row reference as JSON (`row_to_json(t)`, `to_json(t)`, `json_agg(t)`): alternating
    /// column names and value json texts, written compactly (see `json::row_object`).
    RowToJson,
    /// json_build_array / jsonb_build_array over json values.
    JsonBuildArray(bool),
    JsonTypeof,
    JsonArrayLength,
    JsonbPretty,
    /// pg_get_expr's pretty form of a catalog's expression text: without the parentheses of
    /// its outermost operator.
    PrettyExpr,
    /// to_regtype(name): a type's OID, NULL when there is no such type.
    ToRegtype,
    /// A computed text cast to regproc (false) or regprocedure (true): the function's OID,
    /// with PostgreSQL's errors for no such function or several of the name.
    RegprocIn(bool),
    /// (text, database): a relation name as text, as regclass reads it: quoted parts as they
    /// are, others lower-cased, a leading part naming `database` dropped
    /// (`"db"."public"."t"`): the key the binder's name-to-OID lookup holds.
    RegclassName,
    /// The arguments packed as one stored row (`Value::Bytes`): a collecting aggregate's input.
    PackRow,
    Greatest,
    Least,
    /// An array function or operator (`crate::array`).
    Array(crate::array::ArrayFn),
    /// regexp_replace(source, pattern, replacement [, flags]): the first match (every one with
    /// flag `g`, case-insensitively with `i`); `\1`..`\9` and `\&` in the replacement name
    /// the groups and the match.
    RegexpReplace,
    /// age(timestamp, timestamp): see `datetime::age`.
    Age,
    /// jsonb_set(target, path, new_value [, create_if_missing]): see `json::set_path`.
    JsonbSet,
    /// jsonb_insert(target, path, new_value [, insert_after]): see `json::set_path`.
    JsonbInsert,
    /// num_nulls / num_nonnulls (true) of any arguments (not strict).
    NumNulls(bool),
    /// make_date(year, month, day).
    MakeDate,
    /// justify_days, justify_hours, justify_interval.
    Justify(Justify),
    /// date_bin(stride, source, origin) of timestamps (with or without time zone).
    DateBin,
    /// regexp_match(source, pattern [, flags]): the first match's groups (or the whole match
    /// when the pattern has none) as text[]; NULL without a match.
    RegexpMatch,
    /// width_bucket(operand, low, high, count) over float8 (numeric arguments are cast).
    WidthBucket,
}

/// Which parts of an interval `justify_*` carries over (30-day months, 24-hour days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Justify {
    Days,
    Hours,
    Interval,
}

fn int(value: &Value) -> i64 {
    match value {
        Value::Int(i) => *i,
        _ => 0,
    }
}

fn text(value: &Value) -> &str {
    match value {
        Value::Text(s) => s,
        _ => "",
    }
}

fn float(value: &Value) -> f64 {
    match value {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        _ => f64::NAN,
    }
}

fn chars_slice(s: &str, from: usize, to: usize) -> String {
    s.chars().skip(from).take(to.saturating_sub(from)).collect()
}

/// quote_ident: double-quoted unless a plain lower-case name that is no keyword.
pub fn quote_ident(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !RESERVED_WORDS.contains(&s);
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

/// quote_literal: single-quoted, `E'...'` with doubled backslashes when it holds one.
fn quote_literal(s: &str) -> String {
    let quoted = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}

/// PostgreSQL's `format(fmt, args...)` over arguments already in text form: `%%`, and
/// `%[n$][-][width]{s|I|L}` where width may be `*` or `*m$` (an argument; negative
/// left-justifies). Arguments are taken in order after the last one used; `%s` of NULL is empty,
/// `%L` of NULL is `NULL`, `%I` of NULL an error.
pub fn sql_format(args: &[Value]) -> SqlResult<Value> {
    let Some(Value::Text(fmt)) = args.first() else {
        return Ok(Value::Null);
    };
    let invalid = |message: String| SqlError::new(code::INVALID_PARAMETER_VALUE, message);
    let unterminated = || {
        invalid("unterminated format() type specifier".into())
            .with_hint("For a single \"%\" use \"%%\".")
    };
    let too_few = || invalid("too few arguments for format()".into());
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut next_arg = 1;
    let mut at = 0;
    // Digits at `at` and whether a `$` follows them.
    let number = |at: &mut usize| -> Option<(usize, bool)> {
        let start = *at;
        while *at < chars.len() && chars[*at].is_ascii_digit() {
            *at += 1;
        }
        if *at == start {
            return None;
        }
        let value: usize = chars[start..*at]
            .iter()
            .collect::<String>()
            .parse()
            .unwrap_or(usize::MAX);
        let dollar = chars.get(*at) == Some(&'$');
        if dollar {
            *at += 1;
        }
        Some((value, dollar))
    };
    while at < chars.len() {
        let c = chars[at];
        at += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if at >= chars.len() {
            return Err(unterminated());
        }
        if chars[at] == '%' {
            out.push('%');
            at += 1;
            continue;
        }
        let mut position = None;
        let mut width: Option<i64> = None;
        let mut left = false;
        let save = at;
        match number(&mut at) {
            Some((0, true)) => {
                return Err(invalid(
                    "format specifies argument 0, but arguments are numbered from 1".into(),
                ))
            }
            Some((n, true)) => position = Some(n),
            Some((n, false)) => width = Some(n as i64),
            None => at = save,
        }
        if width.is_none() {
            while chars.get(at) == Some(&'-') {
                left = true;
                at += 1;
            }
            if chars.get(at) == Some(&'*') {
                at += 1;
                let index = match number(&mut at) {
                    Some((0, true)) => {
                        return Err(invalid(
                            "format specifies argument 0, but arguments are numbered from 1".into(),
                        ))
                    }
                    Some((n, true)) => n,
                    Some((_, false)) => return Err(unterminated()),
                    None => {
                        let n = next_arg;
                        next_arg += 1;
                        n
                    }
                };
                let value = args.get(index).ok_or_else(too_few)?;
                let w = match value {
                    Value::Null => 0,
                    Value::Int(i) => *i,
                    Value::Text(t) => t.trim().parse::<i64>().map_err(|_| {
                        invalid(format!("invalid input syntax for type integer: \"{t}\""))
                    })?,
                    _ => 0,
                };
                width = Some(w);
            } else if let Some((n, dollar)) = number(&mut at) {
                if dollar {
                    return Err(unterminated());
                }
                width = Some(n as i64);
            }
        }
        let Some(&kind) = chars.get(at) else {
            return Err(unterminated());
        };
        at += 1;
        let index = match position {
            Some(n) => n,
            None => next_arg,
        };
        if !matches!(kind, 's' | 'I' | 'L') {
            return Err(
                invalid(format!("unrecognized format() type specifier \"{kind}\""))
                    .with_hint("For a single \"%\" use \"%%\"."),
            );
        }
        next_arg = index + 1;
        let value = args.get(index).ok_or_else(too_few)?;
        let piece = match (kind, value) {
            ('s', Value::Null) => String::new(),
            ('I', Value::Null) => {
                return Err(SqlError::new(
                    "22004",
                    "null values cannot be formatted as an SQL identifier",
                ))
            }
            ('L', Value::Null) => "NULL".to_string(),
            ('s', v) => text(v).to_string(),
            ('I', v) => quote_ident(text(v)),
            (_, v) => quote_literal(text(v)),
        };
        let mut width = width.unwrap_or(0);
        if width < 0 {
            left = true;
            width = -width;
        }
        let pad = (width as usize).saturating_sub(piece.chars().count());
        if left {
            out.push_str(&piece);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&piece);
        }
    }
    Ok(Value::Text(out))
}

fn domain_error(message: &str) -> SqlError {
    SqlError::new("2201F", message)
}

fn checked_float(value: f64) -> SqlResult<Value> {
    if value.is_infinite() {
        return Err(SqlError::new(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: overflow",
        ));
    }
    Ok(Value::Float(value))
}

/// Integer `gcd` (or `lcm`) of type `ty` (integer or bigint): "out of range" past it.
fn int_gcd_lcm(gcd: bool, ty: crate::types::DataType, x: i64, y: i64) -> SqlResult<i64> {
    let (limit, message) = if ty == crate::types::DataType::Int8 {
        (i64::MAX as u64, "bigint out of range")
    } else {
        (i32::MAX as u64, "integer out of range")
    };
    let out_of_range = || SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, message);
    let (mut a, mut b) = (x.unsigned_abs(), y.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let result = if gcd {
        a
    } else if x == 0 || y == 0 {
        0
    } else {
        (x.unsigned_abs() / a)
            .checked_mul(y.unsigned_abs())
            .ok_or_else(out_of_range)?
    };
    if result > limit {
        return Err(out_of_range());
    }
    Ok(result as i64)
}

/// Evaluates a function over its argument values.
/// A PostgreSQL regexp_replace replacement (`\1`..`\9` for groups, `\&` for the match, `\\`
/// for a backslash) in the regex crate's syntax (`${1}`, `${0}`, `$$` for a dollar).
fn regex_replacement(replacement: &str) -> String {
    let mut out = String::with_capacity(replacement.len());
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek().copied() {
                Some(d @ '1'..='9') => {
                    chars.next();
                    out.push_str(&format!("${{{d}}}"));
                }
                Some('&') => {
                    chars.next();
                    out.push_str("${0}");
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}

/// The date of `year` (negative: BC; there is no year 0), `month` and `day` as days from
/// 2000-01-01; 22008 naming the fields when there is none.
fn make_date(year: i64, month: i64, day: i64) -> SqlResult<i32> {
    let out_of_range = || {
        SqlError::new(
            code::DATETIME_FIELD_OVERFLOW,
            format!("date field value out of range: {year}-{month:02}-{day:02}"),
        )
    };
    let civil_year = if year < 0 { year + 1 } else { year };
    if year == 0
        || !(1..=12).contains(&month)
        || day < 1
        || day > crate::types::days_in_month(civil_year, month)
    {
        return Err(out_of_range());
    }
    let days =
        crate::types::days_from_civil(civil_year, month, day) - crate::datetime::UNIX_TO_PG_DAYS;
    i32::try_from(days).map_err(|_| out_of_range())
}

/// The pieces of `text` between the matches of `regex`, as PostgreSQL splits: an empty match
/// at the start or end of the text, or right after the previous match, splits nothing (so an
/// empty pattern splits between characters).
pub fn regexp_split<'t>(text: &'t str, regex: &regex::Regex) -> Vec<&'t str> {
    let mut parts = Vec::new();
    let (mut start, mut previous_end) = (0, None);
    for found in regex.find_iter(text) {
        let empty = found.start() == found.end();
        if empty
            && (found.start() == 0
                || found.start() == text.len()
                || Some(found.start()) == previous_end)
        {
            continue;
        }
        parts.push(&text[start..found.start()]);
        start = found.end();
        previous_end = Some(found.end());
    }
    parts.push(&text[start..]);
    parts
}

/// The escape character of a SQL regular expression: none for an empty text; 22025 for more
/// than one character.
fn escape_character(escape: &str) -> SqlResult<Option<char>> {
    let mut chars = escape.chars();
    match (chars.next(), chars.next()) {
        (first, None) => Ok(first),
        _ => Err(
            SqlError::new(code::INVALID_ESCAPE_SEQUENCE, "invalid escape string")
                .with_hint("Escape string must be empty or one character."),
        ),
    }
}

/// An encoding's name as names compare: upper case, punctuation left out (`utf-8` is `UTF8`).
pub(crate) fn encoding_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// PostgreSQL's conversion of a SQL regular expression (`SIMILAR TO`) to a POSIX one
/// (`similar_escape`): anchored at both ends, `%` is `.*`, `_` is `.`, `(` opens a
/// non-capturing group, `.`, `^`, `$` and a backslash that is not the escape are literal, the
/// escape character makes the next one literal, and inside brackets everything is copied.
pub fn similar_escape(pattern: &str, escape: Option<char>) -> SqlResult<String> {
    let mut out = String::from("^(?:");
    let mut chars = pattern.chars();
    let mut bracket_depth = 0usize;
    let mut quotes = 0;
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            // A trailing escape character escapes nothing.
            let Some(next) = chars.next() else {
                break;
            };
            if next == '"' {
                // Separators of substring(... SIMILAR ...): parts become groups.
                quotes += 1;
                match quotes {
                    1 => out.push_str("){1,1}?("),
                    2 => out.push_str("){1,1}(?:"),
                    _ => {
                        return Err(SqlError::new(
                            code::INVALID_USE_OF_ESCAPE_CHARACTER,
                            "SQL regular expression may not contain more than two escape-double-quote separators",
                        ))
                    }
                }
            } else {
                out.push('\\');
                out.push(next);
            }
            continue;
        }
        if bracket_depth > 0 {
            match c {
                ']' => bracket_depth -= 1,
                '[' => bracket_depth += 1,
                '\\' => out.push('\\'),
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            '[' => {
                bracket_depth += 1;
                out.push('[');
                // A leading `^` or `]` belongs to the set.
                let rest = chars.as_str();
                if let Some(first @ ('^' | ']')) = rest.chars().next() {
                    out.push(first);
                    chars.next();
                    if first == '^' && chars.as_str().starts_with(']') {
                        out.push(']');
                        chars.next();
                    }
                }
            }
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            '(' => out.push_str("(?:"),
            '\\' | '.' | '^' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push_str(")$");
    Ok(out)
}

/// `array_fill(value, dims int[] [, lbounds int[]])`.
fn array_fill(args: &[Value]) -> SqlResult<Value> {
    let ints = |value: &Value| -> SqlResult<Vec<i64>> {
        match value {
            Value::Array(array) => array
                .items
                .iter()
                .map(|item| match item {
                    Value::Int(i) => Ok(*i),
                    _ => Err(SqlError::new(
                        code::NULL_VALUE_NOT_ALLOWED,
                        "dimension values cannot be null",
                    )),
                })
                .collect(),
            _ => Err(SqlError::new(
                code::NULL_VALUE_NOT_ALLOWED,
                "dimension array or low bound array cannot be null",
            )),
        }
    };
    let lens = ints(&args[1])?;
    let lowers = match args.get(2) {
        Some(bounds) => ints(bounds)?,
        None => vec![1; lens.len()],
    };
    if lowers.len() != lens.len() {
        return Err(SqlError::new(
            code::ARRAY_SUBSCRIPT_ERROR,
            "wrong number of array subscripts",
        )
        .with_detail("Low bound array has different size than dimensions array."));
    }
    const MAX_ITEMS: i64 = 134_217_727;
    let too_big = || {
        SqlError::new(
            code::PROGRAM_LIMIT_EXCEEDED,
            format!("array size exceeds the maximum allowed ({MAX_ITEMS})"),
        )
    };
    let mut total: i64 = 1;
    for len in &lens {
        if *len < 0 {
            return Err(too_big());
        }
        total = total
            .checked_mul(*len)
            .filter(|t| *t <= MAX_ITEMS)
            .ok_or_else(too_big)?;
    }
    if lens.is_empty() || total == 0 {
        return Ok(Value::Array(Box::new(crate::array::Array::one_dim(
            Vec::new(),
        ))));
    }
    let dims = lens
        .iter()
        .zip(&lowers)
        .map(|(&len, &lower)| crate::array::Dim {
            len: len as i32,
            lower: lower as i32,
        })
        .collect();
    Ok(Value::Array(Box::new(crate::array::Array {
        dims,
        items: vec![args[0].clone(); total as usize],
    })))
}

/// Seconds as C's `%02g` writes them (PostgreSQL's time-field messages).
fn seconds_text(seconds: f64) -> String {
    let text = format!("{seconds}");
    if seconds.fract() == 0.0 && (0.0..10.0).contains(&seconds) {
        format!("0{text}")
    } else {
        text
    }
}

/// [`Scalar::ColumnSize`]'s kind of a variable-length string or bytes value (text, varchar,
/// char, bytea, json: a varlena of the value's bytes).
pub const SIZE_VARLENA: i64 = -1;
/// [`Scalar::ColumnSize`]'s kind of a numeric (a varlena of base-10000 digits).
pub const SIZE_NUMERIC: i64 = -2;

/// The bytes PostgreSQL's datum of `value` takes, as `pg_column_size` reports them: a fixed
/// width as it is; a varlena with its header, one byte for a value read from a table row that
/// is short enough (at most 126 bytes of data) and four otherwise (a computed value's header
/// is always four). A numeric holds a 2-byte header word and two bytes per base-10000 digit
/// group, leading and trailing zero groups dropped (0 has none). PostgreSQL compresses a long
/// value stored in a row (TOAST); Keel does not, so a stored value past about 2 kB reports its
/// whole length here.
pub fn column_size(value: &Value, kind: i64, stored: bool) -> i64 {
    use crate::stats::{numeric_groups, varlena_size};
    let size = match kind {
        SIZE_NUMERIC => varlena_size(2 + 2 * numeric_groups(value), stored),
        SIZE_VARLENA => varlena_size(
            match value {
                Value::Bytes(bytes) => bytes.len(),
                other => crate::types::to_text(other, crate::types::DataType::Text).len(),
            },
            stored,
        ),
        width => return width,
    };
    size as i64
}

pub fn call(func: Scalar, args: Vec<Value>) -> SqlResult<Value> {
    match func {
        Scalar::Array(func) => return crate::array::call(func, args),
        Scalar::Zoned(op) => return crate::tz::zoned(op, &args),
        Scalar::ArrayFill => return array_fill(&args),
        Scalar::ToJson(kind, jsonb) => {
            return Ok(match &args[0] {
                Value::Null => Value::Null,
                value => Value::Text(crate::json::to_json(value, kind, jsonb)?),
            })
        }
        Scalar::JsonBuildObject(jsonb) => {
            return Ok(Value::Text(crate::json::build_object(&args, jsonb)?))
        }
        Scalar::JsonObject(jsonb) => {
            let arrays: Option<Vec<&crate::array::Array>> = (args.iter())
                .map(|arg| match arg {
                    Value::Array(array) => Some(array.as_ref()),
                    _ => None,
                })
                .collect();
            return Ok(match arrays {
                Some(arrays) => Value::Text(crate::json::object_from_arrays(&arrays, jsonb)?),
                None => Value::Null,
            });
        }
        Scalar::RowToJson => return Ok(Value::Text(crate::json::row_object(&args, false)?)),
        Scalar::JsonBuildArray(jsonb) => {
            return Ok(Value::Text(crate::json::build_array(&args, jsonb)?))
        }
        Scalar::PackRow => {
            let mut packed = Vec::new();
            crate::types::encode_row(&args, &mut packed);
            return Ok(Value::Bytes(packed));
        }
        Scalar::Concat => {
            let mut out = String::new();
            for arg in &args {
                out.push_str(text(arg));
            }
            return Ok(Value::Text(out));
        }
        Scalar::Format => return sql_format(&args),
        Scalar::ConcatWs => {
            if args[0].is_null() {
                return Ok(Value::Null);
            }
            let parts: Vec<&str> = args[1..]
                .iter()
                .filter(|a| !a.is_null())
                .map(text)
                .collect();
            return Ok(Value::Text(parts.join(text(&args[0]))));
        }
        Scalar::Greatest | Scalar::Least => {
            let mut best: Option<Value> = None;
            for arg in args.into_iter().filter(|a| !a.is_null()) {
                let better = match &best {
                    None => true,
                    Some(b) if func == Scalar::Greatest => compare(&arg, b).is_gt(),
                    Some(b) => compare(&arg, b).is_lt(),
                };
                if better {
                    best = Some(arg);
                }
            }
            return Ok(best.unwrap_or(Value::Null));
        }
        Scalar::Pi => return Ok(Value::Float(std::f64::consts::PI)),
        Scalar::NumNulls(non_nulls) => {
            let nulls = args.iter().filter(|a| a.is_null()).count();
            let count = if non_nulls { args.len() - nulls } else { nulls };
            return Ok(Value::Int(count as i64));
        }
        // Not strict: a NULL modifier means none.
        Scalar::FormatType => {
            // An enum type, composite type or domain (or an array of one) outside the schemas
            // the session finds types in is qualified.
            if let (Value::Int(oid), Some(Value::Text(visible))) = (&args[0], args.get(2)) {
                let visible: Vec<&str> = visible.split(',').collect();
                if let Some(def) = crate::domains::by_oid(*oid) {
                    return Ok(Value::Text(crate::catalog::type_display_name(
                        &def.name, &visible,
                    )));
                }
                if let Some(name) = crate::types::DataType::from_oid(*oid as u32)
                    .ok()
                    .flatten()
                    .and_then(|ty| crate::catalog::user_type_display_name(ty, &visible))
                {
                    return Ok(Value::Text(name));
                }
            }
            return Ok(match (&args[0], &args[1]) {
                (Value::Int(oid), Value::Int(typmod)) => Value::Text(format_type(*oid, *typmod)),
                (Value::Int(oid), _) => Value::Text(format_type(*oid, -1)),
                _ => Value::Null,
            });
        }
        Scalar::QuoteNullable => {
            return Ok(Value::Text(match &args[0] {
                Value::Text(text) => quote_literal(text),
                _ => "NULL".into(),
            }))
        }
        _ => {}
    }
    if args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let a = &args[0];
    Ok(match func {
        Scalar::Substring => {
            let s = text(a);
            let start = int(&args[1]);
            let end = match args.get(2) {
                Some(length) => {
                    let length = int(length);
                    if length < 0 {
                        return Err(SqlError::new(
                            "22011",
                            "negative substring length not allowed",
                        ));
                    }
                    start.saturating_add(length)
                }
                None => i64::MAX,
            };
            let from = (start.max(1) - 1) as usize;
            let to = if end < 1 { 0 } else { (end - 1) as usize };
            Value::Text(chars_slice(s, from, to))
        }
        Scalar::Overlay => {
            let s = text(a);
            let new = text(&args[1]);
            let start = int(&args[2]);
            let count = match args.get(3) {
                Some(count) => int(count),
                None => new.chars().count() as i64,
            };
            // PostgreSQL's `substring(s, 1, start - 1) || new || substring(s, start + count)`.
            if start < 1 {
                return Err(SqlError::new(
                    "22011",
                    "negative substring length not allowed",
                ));
            }
            let head = chars_slice(s, 0, (start - 1) as usize);
            let rest = (start.saturating_add(count).max(1) - 1) as usize;
            let tail = chars_slice(s, rest, usize::MAX);
            Value::Text(format!("{head}{new}{tail}"))
        }
        Scalar::Strpos => {
            let (haystack, needle) = (text(a), text(&args[1]));
            Value::Int(match haystack.find(needle) {
                Some(at) => haystack[..at].chars().count() as i64 + 1,
                None => 0,
            })
        }
        Scalar::Replace => {
            let (s, from, to) = (text(a), text(&args[1]), text(&args[2]));
            Value::Text(if from.is_empty() {
                s.to_string()
            } else {
                s.replace(from, to)
            })
        }
        Scalar::SplitPart => {
            let (s, delimiter, n) = (text(a), text(&args[1]), int(&args[2]));
            if n == 0 {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "field position must not be zero",
                ));
            }
            let parts: Vec<&str> = if delimiter.is_empty() {
                if s.is_empty() {
                    Vec::new()
                } else {
                    vec![s]
                }
            } else {
                s.split(delimiter).collect()
            };
            let index = if n > 0 {
                (n - 1) as usize
            } else {
                match parts.len().checked_sub(n.unsigned_abs() as usize) {
                    Some(i) => i,
                    None => return Ok(Value::Text(String::new())),
                }
            };
            Value::Text(parts.get(index).copied().unwrap_or("").to_string())
        }
        Scalar::Left | Scalar::Right => {
            let s = text(a);
            let count = s.chars().count() as i64;
            let n = int(&args[1]);
            let keep = if n >= 0 {
                n.min(count)
            } else {
                (count + n).max(0)
            } as usize;
            let count = count as usize;
            Value::Text(if func == Scalar::Left {
                chars_slice(s, 0, keep)
            } else {
                chars_slice(s, count - keep, count)
            })
        }
        Scalar::Lpad | Scalar::Rpad => {
            let s = text(a);
            let length = int(&args[1]).max(0) as usize;
            let fill = args.get(2).map_or(" ", text);
            let count = s.chars().count();
            if count >= length || fill.is_empty() {
                return Ok(Value::Text(chars_slice(s, 0, length)));
            }
            let padding: String = fill.chars().cycle().take(length - count).collect();
            Value::Text(if func == Scalar::Lpad {
                padding + s
            } else {
                s.to_string() + &padding
            })
        }
        Scalar::Repeat => Value::Text(text(a).repeat(int(&args[1]).max(0) as usize)),
        Scalar::Reverse => Value::Text(text(a).chars().rev().collect()),
        Scalar::Translate => {
            let from: Vec<char> = text(&args[1]).chars().collect();
            let to: Vec<char> = text(&args[2]).chars().collect();
            Value::Text(
                text(a)
                    .chars()
                    .filter_map(|c| match from.iter().position(|&f| f == c) {
                        Some(at) => to.get(at).copied(),
                        None => Some(c),
                    })
                    .collect(),
            )
        }
        Scalar::Md5 => {
            let digest = match a {
                Value::Bytes(bytes) => md5::compute(bytes),
                other => md5::compute(text(other).as_bytes()),
            };
            Value::Text(format!("{digest:x}"))
        }
        Scalar::JsonPath(func) => {
            let [Value::Text(doc), Value::Text(path), Value::Text(vars), Value::Bool(silent)] =
                &args[..]
            else {
                return Ok(Value::Null);
            };
            let mut values = crate::jsonpath::call(func, doc, path, Some(vars), *silent)?;
            values.pop().unwrap_or(Value::Null)
        }
        Scalar::Sha2(bits) => {
            let algorithm = match bits {
                256 => &ring::digest::SHA256,
                384 => &ring::digest::SHA384,
                _ => &ring::digest::SHA512,
            };
            let digest = match a {
                Value::Bytes(bytes) => ring::digest::digest(algorithm, bytes),
                other => ring::digest::digest(algorithm, text(other).as_bytes()),
            };
            Value::Bytes(digest.as_ref().to_vec())
        }
        Scalar::Initcap => {
            let mut out = String::new();
            let mut word_start = true;
            for c in text(a).chars() {
                if c.is_alphanumeric() {
                    if word_start {
                        out.extend(c.to_uppercase());
                    } else {
                        out.extend(c.to_lowercase());
                    }
                    word_start = false;
                } else {
                    out.push(c);
                    word_start = true;
                }
            }
            Value::Text(out)
        }
        Scalar::QuoteIdent => Value::Text(quote_ident(text(a))),
        Scalar::SizePretty => {
            // Each unit is used while the value is below 10240 of it (PostgreSQL's rule), the
            // value halved-then-rounded into the next unit.
            let mut size = int(a);
            let mut unit = "bytes";
            for next in ["kB", "MB", "GB", "TB", "PB"] {
                if size.unsigned_abs() < 10 * 1024 {
                    break;
                }
                size = (size / 512 + size.signum()) / 2;
                unit = next;
            }
            Value::Text(format!("{size} {unit}"))
        }
        Scalar::QuoteLiteral => Value::Text(quote_literal(text(a))),
        Scalar::ColumnSize => {
            let stored = matches!(args.get(2), Some(Value::Bool(true)));
            Value::Int(column_size(a, int(&args[1]), stored))
        }
        Scalar::Ascii => Value::Int(text(a).chars().next().map_or(0, |c| c as i64)),
        Scalar::Chr => {
            let n = int(a);
            if n == 0 {
                return Err(SqlError::new("54000", "null character not permitted"));
            }
            let c = u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .ok_or_else(|| {
                    SqlError::new("54000", "requested character too large for encoding")
                })?;
            Value::Text(c.to_string())
        }
        Scalar::OctetLength => Value::Int(match a {
            Value::Bytes(b) => b.len() as i64,
            other => text(other).len() as i64,
        }),
        Scalar::Encode => {
            let Value::Bytes(bytes) = a else {
                return Ok(Value::Null);
            };
            Value::Text(match text(&args[1]).to_ascii_lowercase().as_str() {
                "hex" => bytes.iter().map(|b| format!("{b:02x}")).collect(),
                "base64" => base64_encode(bytes, true),
                "escape" => bytes
                    .iter()
                    .map(|&b| match b {
                        b'\\' => "\\\\".to_string(),
                        0 | 0x80..=0xff => format!("\\{b:03o}"),
                        b => (b as char).to_string(),
                    })
                    .collect(),
                other => return Err(unrecognized_encoding(other)),
            })
        }
        Scalar::Decode => {
            let input = text(a);
            Value::Bytes(match text(&args[1]).to_ascii_lowercase().as_str() {
                "hex" => crate::types::parse_bytea(&format!("\\x{input}"))?,
                "base64" => base64_decode(input)?,
                "escape" => crate::types::parse_bytea(input)?,
                other => return Err(unrecognized_encoding(other)),
            })
        }
        Scalar::StartsWith => Value::Bool(text(a).starts_with(text(&args[1]))),
        Scalar::RegexpMatch => {
            let flags = args.get(2).map_or("", text);
            let (insensitive, global) = regexp_flags(flags)?;
            if global {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "regexp_match() does not support the \"global\" option",
                )
                .with_hint("Use the regexp_matches function instead."));
            }
            let regex = crate::expr::compiled_regex(text(&args[1]), insensitive)?;
            regex
                .captures(text(a))
                .map_or(Value::Null, |found| match_array(&found))
        }
        Scalar::WidthBucket => {
            let (operand, low, high) = (float(a), float(&args[1]), float(&args[2]));
            let Value::Int(count) = args[3] else {
                return Ok(Value::Null);
            };
            if count <= 0 {
                return Err(SqlError::new("2201G", "count must be greater than zero"));
            }
            if low == high {
                return Err(SqlError::new(
                    "2201G",
                    "lower bound cannot equal upper bound",
                ));
            }
            if [operand, low, high].iter().any(|v| v.is_nan()) {
                return Err(SqlError::new(
                    "2201G",
                    "operand, lower bound, and upper bound cannot be NaN",
                ));
            }
            let bucket = if low < high {
                if operand < low {
                    0
                } else if operand >= high {
                    count + 1
                } else {
                    ((count as f64) * (operand - low) / (high - low)) as i64 + 1
                }
            } else if operand > low {
                0
            } else if operand <= high {
                count + 1
            } else {
                ((count as f64) * (low - operand) / (low - high)) as i64 + 1
            };
            Value::Int(bucket)
        }
        Scalar::RegexpReplace => {
            let (insensitive, global) = regexp_flags(args.get(3).map_or("", text))?;
            let regex = crate::expr::compiled_regex(text(&args[1]), insensitive)?;
            let replacement = regex_replacement(text(&args[2]));
            let source = text(a);
            Value::Text(if global {
                regex.replace_all(source, replacement.as_str()).into_owned()
            } else {
                regex.replace(source, replacement.as_str()).into_owned()
            })
        }
        Scalar::MakeDate => {
            let (Value::Int(year), Value::Int(month), Value::Int(day)) = (a, &args[1], &args[2])
            else {
                return Ok(Value::Null);
            };
            Value::Date(make_date(*year, *month, *day)?)
        }
        Scalar::MakeTimestamp => {
            let [Value::Int(year), Value::Int(month), Value::Int(day), Value::Int(hour), Value::Int(minute), Value::Float(second)] =
                &args[..6]
            else {
                return Ok(Value::Null);
            };
            let day = i64::from(make_date(*year, *month, *day)?);
            // 24:00:00 is the next midnight; seconds below 60.
            let micros = (second * 1e6).round();
            let valid = (0..=23).contains(hour) && (0..=59).contains(minute)
                || (*hour == 24 && *minute == 0 && micros == 0.0);
            if !valid || !(0.0..60e6).contains(&micros) {
                return Err(SqlError::new(
                    code::DATETIME_FIELD_OVERFLOW,
                    format!(
                        "time field value out of range: {hour}:{minute:02}:{}",
                        seconds_text(*second)
                    ),
                ));
            }
            let time = (hour * 3600 + minute * 60) * 1_000_000 + micros as i64;
            day.checked_mul(crate::datetime::USECS_PER_DAY)
                .and_then(|d| d.checked_add(time))
                .map(Value::Timestamp)
                .ok_or_else(|| {
                    SqlError::new(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
                })?
        }
        Scalar::ToTimestampText | Scalar::ToDate => {
            let (Value::Text(input), Value::Text(format)) = (a, &args[1]) else {
                return Ok(Value::Null);
            };
            let (local, offset) = crate::datetime::from_char(input, format)?;
            if func == Scalar::ToDate {
                let days = local.div_euclid(crate::datetime::USECS_PER_DAY);
                return Ok(Value::Date(i32::try_from(days).map_err(|_| {
                    SqlError::new(code::DATETIME_FIELD_OVERFLOW, "date out of range")
                })?));
            }
            let offset = i64::from(offset.unwrap_or(0)) * 1_000_000;
            Value::Timestamp(local.checked_sub(offset).ok_or_else(|| {
                SqlError::new(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
            })?)
        }
        Scalar::SimilarEscape => {
            let escape = match args.get(1) {
                None => Some('\\'),
                Some(Value::Text(e)) => escape_character(e)?,
                Some(_) => return Ok(Value::Null),
            };
            match a {
                Value::Text(pattern) => Value::Text(similar_escape(pattern, escape)?),
                _ => Value::Null,
            }
        }
        Scalar::ToHex(wide) => match a {
            Value::Int(i) if wide => Value::Text(format!("{:x}", *i as u64)),
            Value::Int(i) => Value::Text(format!("{:x}", *i as i32 as u32)),
            _ => Value::Null,
        },
        Scalar::RegexpSplit => {
            let (Value::Text(text), Value::Text(pattern)) = (a, &args[1]) else {
                return Ok(Value::Null);
            };
            let flags = match args.get(2) {
                Some(Value::Text(flags)) => flags.as_str(),
                Some(_) => return Ok(Value::Null),
                None => "",
            };
            let (insensitive, global) = regexp_flags(flags)?;
            if global {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "regexp_split_to_array() does not support the \"global\" option",
                ));
            }
            let regex = crate::expr::compiled_regex(pattern, insensitive)?;
            let parts = regexp_split(text, &regex)
                .into_iter()
                .map(|p| Value::Text(p.to_string()));
            Value::Array(Box::new(crate::array::Array::one_dim(parts.collect())))
        }
        Scalar::RegexSubstring => {
            let (Value::Text(text), Value::Text(pattern)) = (a, &args[1]) else {
                return Ok(Value::Null);
            };
            let pattern = match args.get(2) {
                None => pattern.clone(),
                Some(Value::Text(escape)) => similar_escape(pattern, escape_character(escape)?)?,
                Some(_) => return Ok(Value::Null),
            };
            let regex = crate::expr::compiled_regex(&pattern, false)?;
            match regex.captures(text) {
                None => Value::Null,
                Some(found) => {
                    let part = if regex.captures_len() > 1 {
                        found.get(1)
                    } else {
                        found.get(0)
                    };
                    part.map_or(Value::Null, |m| Value::Text(m.as_str().to_string()))
                }
            }
        }
        Scalar::ConvertFrom | Scalar::ConvertTo => {
            let Value::Text(encoding) = &args[1] else {
                return Ok(Value::Null);
            };
            let latin1 = match encoding_key(encoding).as_str() {
                "UTF8" | "UNICODE" | "SQLASCII" => false,
                "LATIN1" | "ISO88591" => true,
                _ => {
                    let side = if func == Scalar::ConvertFrom {
                        "source"
                    } else {
                        "destination"
                    };
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("invalid {side} encoding name \"{encoding}\""),
                    ));
                }
            };
            let invalid = |bytes: &[u8], error: std::string::FromUtf8Error| {
                let at = error.utf8_error().valid_up_to();
                let len = error.utf8_error().error_len().unwrap_or(bytes.len() - at);
                let shown: Vec<String> = bytes[at..at + len]
                    .iter()
                    .map(|b| format!("0x{b:02x}"))
                    .collect();
                SqlError::new(
                    "22021",
                    format!(
                        "invalid byte sequence for encoding \"UTF8\": {}",
                        shown.join(" ")
                    ),
                )
            };
            match (func, a) {
                (Scalar::ConvertFrom, Value::Bytes(bytes)) if latin1 => {
                    Value::Text(bytes.iter().map(|&b| b as char).collect())
                }
                (Scalar::ConvertFrom, Value::Bytes(bytes)) => {
                    Value::Text(String::from_utf8(bytes.clone()).map_err(|e| invalid(bytes, e))?)
                }
                (Scalar::ConvertTo, Value::Text(text)) if latin1 => {
                    let mut out = Vec::with_capacity(text.len());
                    for c in text.chars() {
                        out.push(u8::try_from(u32::from(c)).map_err(|_| {
                            SqlError::new(
                                "22P05",
                                format!(
                                    "character with byte sequence {} in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"",
                                    c.to_string()
                                        .bytes()
                                        .map(|b| format!("0x{b:02x}"))
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                ),
                            )
                        })?);
                    }
                    Value::Bytes(out)
                }
                (Scalar::ConvertTo, Value::Text(text)) => Value::Bytes(text.as_bytes().to_vec()),
                _ => Value::Null,
            }
        }
        Scalar::MakeInterval => {
            let [Value::Int(years), Value::Int(months), Value::Int(weeks), Value::Int(days), Value::Int(hours), Value::Int(mins), Value::Float(secs)] =
                &args[..7]
            else {
                return Ok(Value::Null);
            };
            let out_of_range =
                || SqlError::new(code::DATETIME_FIELD_OVERFLOW, "interval out of range");
            let months = years
                .checked_mul(12)
                .and_then(|m| m.checked_add(*months))
                .and_then(|m| i32::try_from(m).ok())
                .ok_or_else(out_of_range)?;
            let days = weeks
                .checked_mul(7)
                .and_then(|d| d.checked_add(*days))
                .and_then(|d| i32::try_from(d).ok())
                .ok_or_else(out_of_range)?;
            let micros = (secs * 1e6).round();
            if !micros.is_finite() || micros.abs() >= 9.2e18 {
                return Err(out_of_range());
            }
            let micros = hours
                .checked_mul(3_600_000_000)
                .and_then(|h| h.checked_add(mins.checked_mul(60_000_000)?))
                .and_then(|t| t.checked_add(micros as i64))
                .ok_or_else(out_of_range)?;
            Value::Interval(crate::datetime::Interval {
                months,
                days,
                micros,
            })
        }
        Scalar::IsFinite => Value::Bool(match a {
            Value::Timestamp(t) => *t != i64::MAX && *t != i64::MIN,
            Value::Date(d) => *d != i32::MAX && *d != i32::MIN,
            _ => true,
        }),
        Scalar::ToTimestamp => {
            let Value::Float(seconds) = a else {
                return Ok(Value::Null);
            };
            if seconds.is_nan() {
                return Err(SqlError::new(
                    code::DATETIME_FIELD_OVERFLOW,
                    "timestamp cannot be NaN",
                ));
            }
            if seconds.is_infinite() {
                let end = if *seconds > 0.0 { i64::MAX } else { i64::MIN };
                return Ok(Value::Timestamp(end));
            }
            // PostgreSQL's range: 4714-11-24 BC to 294277-01-01 (microseconds from 2000).
            const EPOCH_2000: f64 = 946_684_800.0;
            let micros = ((seconds - EPOCH_2000) * 1e6).round();
            if !(-211_813_488_000e6..9_224_318_016_000e6).contains(&micros) {
                let mut text = String::new();
                crate::types::format_text(a, crate::types::DataType::Float8, &mut text);
                return Err(SqlError::new(
                    code::DATETIME_FIELD_OVERFLOW,
                    format!("timestamp out of range: \"{text}\""),
                ));
            }
            Value::Timestamp(micros as i64)
        }
        Scalar::DateBin => match (a, &args[1], &args[2]) {
            (Value::Interval(stride), Value::Timestamp(source), Value::Timestamp(origin)) => {
                if stride.months != 0 {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        "timestamps cannot be binned into intervals containing months or years",
                    ));
                }
                let step = stride.days as i64 * crate::datetime::USECS_PER_DAY + stride.micros;
                if step <= 0 {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "stride must be greater than zero",
                    ));
                }
                let overflow =
                    || SqlError::new(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range");
                let diff = source.checked_sub(*origin).ok_or_else(overflow)?;
                // Down to the bin's start, also before the origin.
                let start = diff.div_euclid(step) * step;
                Value::Timestamp(origin.checked_add(start).ok_or_else(overflow)?)
            }
            _ => Value::Null,
        },
        Scalar::Justify(how) => match a {
            Value::Interval(interval) => Value::Interval(crate::datetime::justify(*interval, how)?),
            _ => Value::Null,
        },
        Scalar::JsonbSet | Scalar::JsonbInsert => {
            let path: Vec<Option<String>> = match &args[1] {
                Value::Array(array) => array
                    .items
                    .iter()
                    .map(|item| match item {
                        Value::Text(step) => Some(step.clone()),
                        _ => None,
                    })
                    .collect(),
                other => crate::json::text_array(text(other))?
                    .into_iter()
                    .map(Some)
                    .collect(),
            };
            let flag = args.get(3).map(|c| *c == Value::Bool(true));
            let mode = match func {
                Scalar::JsonbInsert => crate::json::SetMode::Insert(flag.unwrap_or(false)),
                _ => crate::json::SetMode::Set(flag.unwrap_or(true)),
            };
            Value::Text(crate::json::set_path(text(a), &path, text(&args[2]), mode)?)
        }
        Scalar::Age => match (a, &args[1]) {
            (Value::Timestamp(x), Value::Timestamp(y)) => {
                Value::Interval(crate::datetime::age(*x, *y)?)
            }
            _ => Value::Null,
        },
        Scalar::Trim(leading, trailing) => {
            let set: Vec<char> = args.get(1).map_or(" ", text).chars().collect();
            let mut s = text(a);
            if leading {
                s = s.trim_start_matches(|c| set.contains(&c));
            }
            if trailing {
                s = s.trim_end_matches(|c| set.contains(&c));
            }
            Value::Text(s.to_string())
        }
        Scalar::Round | Scalar::Trunc => {
            let strategy = if func == Scalar::Round {
                Rounding::HalfAway
            } else {
                Rounding::Trunc
            };
            match a {
                Value::Float(f) => Value::Float(if func == Scalar::Round {
                    f.round_ties_even()
                } else {
                    f.trunc()
                }),
                numeric if numeric.is_numeric() => {
                    let digits = args.get(1).map_or(0, int);
                    Value::numeric(numeric.as_numeric().unwrap().round(digits, strategy)?)
                }
                other => other.clone(),
            }
        }
        Scalar::Ceil | Scalar::Floor => match a {
            Value::Float(f) => Value::Float(if func == Scalar::Ceil {
                f.ceil()
            } else {
                f.floor()
            }),
            numeric if numeric.is_numeric() => {
                Value::numeric(numeric.as_numeric().unwrap().round(
                    0,
                    if func == Scalar::Ceil {
                        Rounding::Ceil
                    } else {
                        Rounding::Floor
                    },
                )?)
            }
            other => other.clone(),
        },
        Scalar::Sign => match a {
            Value::Float(f) => Value::Float(if *f > 0.0 {
                1.0
            } else if *f < 0.0 {
                -1.0
            } else {
                0.0
            }),
            numeric if numeric.is_numeric() => {
                Value::numeric(numeric.as_numeric().unwrap().signum())
            }
            other => other.clone(),
        },
        Scalar::Math(math @ (Math::Sqrt | Math::Exp | Math::Ln | Math::Log | Math::Log10))
            if a.is_numeric() =>
        {
            let x = a.as_numeric().unwrap();
            Value::numeric(match math {
                Math::Sqrt => x.sqrt()?,
                Math::Exp => x.exp()?,
                Math::Ln => x.ln()?,
                // PostgreSQL's log(numeric) and log10(numeric) are SQL functions over log(10, x).
                _ => crate::numeric::Numeric::log(&crate::numeric::Numeric::from(10), &x).map_err(
                    |e| {
                        let name = if math == Math::Log { "log" } else { "log10" };
                        e.with_context(format!("SQL function \"{name}\" statement 1"))
                    },
                )?,
            })
        }
        Scalar::Math(math) => {
            let x = float(a);
            match math {
                Math::Sqrt if x < 0.0 => {
                    return Err(domain_error("cannot take square root of a negative number"))
                }
                Math::Ln | Math::Log | Math::Log10 if x == 0.0 => {
                    return Err(SqlError::new("2201E", "cannot take logarithm of zero"))
                }
                Math::Ln | Math::Log | Math::Log10 if x < 0.0 => {
                    return Err(SqlError::new(
                        "2201E",
                        "cannot take logarithm of a negative number",
                    ))
                }
                Math::Asin | Math::Acos if !(-1.0..=1.0).contains(&x) => {
                    return Err(SqlError::new(
                        code::NUMERIC_VALUE_OUT_OF_RANGE,
                        "input is out of range",
                    ))
                }
                _ => {}
            }
            checked_float(match math {
                Math::Sqrt => x.sqrt(),
                Math::Cbrt => x.cbrt(),
                Math::Exp => x.exp(),
                Math::Ln => x.ln(),
                Math::Log | Math::Log10 => x.log10(),
                Math::Degrees => x.to_degrees(),
                Math::Radians => x.to_radians(),
                Math::Sin => x.sin(),
                Math::Cos => x.cos(),
                Math::Tan => x.tan(),
                Math::Asin => x.asin(),
                Math::Acos => x.acos(),
                Math::Atan => x.atan(),
            })?
        }
        Scalar::Power if a.is_numeric() => match (a.as_numeric(), args[1].as_numeric()) {
            (Some(x), Some(y)) => Value::numeric(x.pow(&y)?),
            _ => Value::Null,
        },
        Scalar::NumericScale | Scalar::MinScale => match a.as_numeric() {
            Some(x) if x.is_finite() => Value::Int(if func == Scalar::MinScale {
                x.min_scale().unwrap_or(0)
            } else {
                x.scale()
            } as i64),
            _ => Value::Null,
        },
        Scalar::TrimScale => match a.as_numeric() {
            Some(x) => Value::numeric(x.normalized()),
            None => a.clone(),
        },
        Scalar::DivTrunc => match (a.as_numeric(), args[1].as_numeric()) {
            (Some(x), Some(y)) => Value::numeric(x.div_trunc(&y)?),
            _ => Value::Null,
        },
        Scalar::Factorial => Value::numeric(crate::numeric::Numeric::factorial(int(a))?),
        Scalar::Gcd(ty) | Scalar::Lcm(ty) => match (a, &args[1]) {
            (Value::Int(x), Value::Int(y)) => {
                Value::Int(int_gcd_lcm(func == Scalar::Gcd(ty), ty, *x, *y)?)
            }
            (x, y) => match (x.as_numeric(), y.as_numeric()) {
                (Some(x), Some(y)) => Value::numeric(if func == Scalar::Gcd(ty) {
                    x.gcd(&y)?
                } else {
                    x.lcm(&y)?
                }),
                _ => Value::Null,
            },
        },
        Scalar::NumberToChar(ty) => {
            use crate::numfmt::Source;
            let Value::Text(format) = &args[1] else {
                return Ok(Value::Null);
            };
            let source = match a {
                Value::Int(i) => Source::Int(*i),
                Value::Float(f) => Source::Float(
                    *f,
                    if ty == crate::types::DataType::Float4 {
                        6
                    } else {
                        15
                    },
                ),
                numeric => match numeric.as_numeric() {
                    Some(n) => Source::Numeric(n),
                    None => return Ok(Value::Null),
                },
            };
            Value::Text(crate::numfmt::to_char(source, format)?)
        }
        Scalar::ToNumber => match (a, &args[1]) {
            (Value::Text(input), Value::Text(format)) => {
                Value::numeric(crate::numfmt::to_number(input, format)?)
            }
            _ => Value::Null,
        },
        Scalar::IntervalToChar => match (a, &args[1]) {
            (Value::Interval(interval), Value::Text(format)) => {
                Value::Text(crate::datetime::interval_to_char(interval, format)?)
            }
            _ => Value::Null,
        },
        Scalar::AtTimeZone(to_local) => {
            let (zone, Value::Timestamp(t)) = (a, &args[1]) else {
                return Ok(Value::Null);
            };
            let zone = match zone {
                Value::Text(name) => crate::tz::Zone::named(name)?,
                Value::Interval(interval) => {
                    if interval.months != 0 || interval.days != 0 {
                        let mut text = String::new();
                        crate::datetime::format_interval(interval, &mut text);
                        return Err(SqlError::new(
                            code::INVALID_PARAMETER_VALUE,
                            format!(
                                "interval time zone \"{text}\" must not include months or days"
                            ),
                        ));
                    }
                    crate::tz::Zone::Fixed((interval.micros / 1_000_000) as i32)
                }
                _ => return Ok(Value::Null),
            };
            Value::Timestamp(match to_local {
                true => crate::tz::to_local(&zone, *t)?,
                false => crate::tz::from_local(&zone, *t)?,
            })
        }
        Scalar::ToChar(with_zone) => match (a, &args[1]) {
            (Value::Timestamp(t), Value::Text(format)) => {
                let zone = with_zone.then_some(("UTC", 0));
                crate::datetime::to_char(*t, zone, format).map_or(Value::Null, Value::Text)
            }
            _ => Value::Null,
        },
        Scalar::LogBase => match (a.as_numeric(), args[1].as_numeric()) {
            (Some(base), Some(x)) => Value::numeric(crate::numeric::Numeric::log(&base, &x)?),
            _ => Value::Null,
        },
        Scalar::Power => {
            let (x, y) = (float(a), float(&args[1]));
            if x == 0.0 && y < 0.0 {
                return Err(domain_error("zero raised to a negative power is undefined"));
            }
            if x < 0.0 && y.fract() != 0.0 {
                return Err(domain_error(
                    "a negative number raised to a non-integer power yields a complex result",
                ));
            }
            checked_float(x.powf(y))?
        }
        Scalar::Atan2 => Value::Float(float(a).atan2(float(&args[1]))),
        Scalar::Concat
        | Scalar::ConcatWs
        | Scalar::Format
        | Scalar::Greatest
        | Scalar::Least
        | Scalar::Pi
        | Scalar::NumNulls(_)
        | Scalar::FormatType
        | Scalar::ToJson(..)
        | Scalar::JsonBuildObject(_)
        | Scalar::JsonObject(_)
        | Scalar::QuoteNullable
        | Scalar::RowToJson
        | Scalar::JsonBuildArray(_)
        | Scalar::PackRow
        | Scalar::Zoned(_)
        | Scalar::ArrayFill
        | Scalar::Array(_) => {
            unreachable!("handled above")
        }
        Scalar::RegclassName => {
            let name = crate::bind::regclass_name(text(a).trim());
            Value::Text(crate::bind::without_database(name, text(&args[1])))
        }
        Scalar::RegprocIn(procedure) => Value::Int(crate::bind::regproc_oid(text(a), procedure)?),
        Scalar::ToRegtype => {
            // Quoted parts as they are (`"pg_catalog"."int4"`), others lower-cased.
            match type_oid(text(a)) {
                Some(oid) => Value::Int(oid),
                None => return Ok(Value::Null),
            }
        }
        Scalar::JsonTypeof => Value::Text(crate::json::parse(text(a), "json")?.type_name().into()),
        Scalar::JsonArrayLength => {
            let doc = crate::json::parse(text(a), "json")?;
            match &doc.kind {
                crate::json::Kind::Array(items) => Value::Int(items.len() as i64),
                crate::json::Kind::Object(_) => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "cannot get array length of a non-array",
                    ))
                }
                _ => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "cannot get array length of a scalar",
                    ))
                }
            }
        }
        Scalar::PrettyExpr => Value::Text(crate::catalog::strip_parens(text(a)).to_string()),
        Scalar::JsonbPretty => {
            Value::Text(crate::json::pretty(&crate::json::parse(text(a), "jsonb")?))
        }
        Scalar::JsonStripNulls(jsonb) => {
            let kind = if jsonb { "jsonb" } else { "json" };
            let stripped = crate::json::parse(text(a), kind)?.strip_nulls();
            Value::Text(if jsonb {
                stripped.normalize().to_text()
            } else {
                let mut out = String::new();
                stripped.write_compact(&mut out);
                out
            })
        }
    })
}

/// PostgreSQL's `format_type`: a type's SQL name, with the modifier `typmod` (-1: none).
/// The OID of a type by name (`'int4'::regtype`), arrays as `t[]` or `_t`.
fn regtype_oid(name: &str) -> Option<i64> {
    if let Some((oid, ..)) = SIGNATURE_TYPES
        .iter()
        .find(|(_, typname, shown)| *typname == name || shown.trim_matches('"') == name)
    {
        return Some(*oid);
    }
    let array_of = |base: &str| {
        let oid = regtype_oid(base)?;
        match crate::types::DataType::from_oid(oid as u32) {
            Ok(Some(ty)) if ty.array_oid() != 0 => Some(ty.array_oid()),
            _ => None,
        }
    };
    if let Some(base) = name.strip_suffix("[]") {
        return array_of(base.trim_end());
    }
    if let Some(base) = name.strip_prefix('_') {
        return array_of(base);
    }
    Some(match name {
        "bool" | "boolean" => 16,
        "bytea" => 17,
        "name" => 19,
        "int8" | "bigint" => 20,
        "int2" | "smallint" => 21,
        "int4" | "integer" | "int" => 23,
        "text" => 25,
        "oid" => 26,
        "json" => 114,
        "regproc" => 24,
        "regclass" => 2205,
        "regtype" => 2206,
        "regnamespace" => 4089,
        "regrole" => 4096,
        "float4" | "real" => 700,
        "float8" | "double precision" => 701,
        "bpchar" | "character" | "char" => 1042,
        "varchar" | "character varying" => 1043,
        "date" => 1082,
        "time" | "time without time zone" => 1083,
        "timestamp" | "timestamp without time zone" => 1114,
        "timestamptz" | "timestamp with time zone" => 1184,
        "interval" => 1186,
        "numeric" | "decimal" => 1700,
        "uuid" => 2950,
        "jsonb" => 3802,
        "jsonpath" => 4072,
        "regprocedure" => 2202,
        _ => return None,
    })
}

/// Types that name no values of their own but appear in function signatures (pseudo-types,
/// and the few others of built-in functions' arguments and results): (OID, `typname`,
/// `format_type`'s spelling), as PostgreSQL 15 has them.
pub const SIGNATURE_TYPES: &[(i64, &str, &str)] = &[
    (194, "pg_node_tree", "pg_node_tree"),
    (269, "table_am_handler", "table_am_handler"),
    (325, "index_am_handler", "index_am_handler"),
    (1003, "_name", "name[]"),
    (1263, "_cstring", "cstring[]"),
    (2249, "record", "record"),
    (2275, "cstring", "cstring"),
    (2276, "any", "\"any\""),
    (2277, "anyarray", "anyarray"),
    (2278, "void", "void"),
    (2281, "internal", "internal"),
    (2283, "anyelement", "anyelement"),
    (2776, "anynonarray", "anynonarray"),
    (3500, "anyenum", "anyenum"),
    (5077, "anycompatible", "anycompatible"),
    (5078, "anycompatiblearray", "anycompatiblearray"),
];

/// The OID of the type a name spells as a cast would (`integer`, `character varying(10)`,
/// `"any"`, `pg_catalog.int4`, `text[]`); a type modifier is ignored. None for no known type.
pub(crate) fn type_oid(name: &str) -> Option<i64> {
    let name = name.trim();
    // Without its modifier: `numeric(10,2)` is numeric, `varchar(3)[]` is varchar[].
    let name = match (name.find('('), name.rfind(')')) {
        (Some(open), Some(close)) if open < close && !name.starts_with('"') => {
            format!("{}{}", name[..open].trim_end(), &name[close + 1..])
        }
        _ => name.to_string(),
    };
    let name = crate::bind::regclass_name(&name);
    let name = name.strip_prefix("pg_catalog.").unwrap_or(&name);
    regtype_oid(name)
}

/// The name `format_type` gives a type OID, with no type modifier.
pub(crate) fn type_display(oid: i64) -> String {
    format_type(oid, -1)
}

fn format_type(oid: i64, typmod: i64) -> String {
    if let Some((_, _, shown)) = SIGNATURE_TYPES.iter().find(|(o, ..)| *o == oid) {
        return shown.to_string();
    }
    let modifier = (typmod >= 4).then_some(typmod - 4);
    match (oid, modifier) {
        (16, _) => "boolean".into(),
        (18, _) => "\"char\"".into(),
        (19, _) => "name".into(),
        (20, _) => "bigint".into(),
        (21, _) => "smallint".into(),
        (23, _) => "integer".into(),
        (25, _) => "text".into(),
        (22, _) => "int2vector".into(),
        (26, _) => "oid".into(),
        (28, _) => "xid".into(),
        (700, _) => "real".into(),
        (701, _) => "double precision".into(),
        (1042, Some(n)) => format!("character({n})"),
        (1042, None) => "character".into(),
        (1043, Some(n)) => format!("character varying({n})"),
        (1043, None) => "character varying".into(),
        (1082, _) => "date".into(),
        // A time's or timestamp's modifier is its precision itself.
        (1083, _) if typmod >= 0 => format!("time({typmod}) without time zone"),
        (1114, _) if typmod >= 0 => format!("timestamp({typmod}) without time zone"),
        (1184, _) if typmod >= 0 => format!("timestamp({typmod}) with time zone"),
        (1083, _) => "time without time zone".into(),
        (1114, _) => "timestamp without time zone".into(),
        (1184, _) => "timestamp with time zone".into(),
        (1186, _) => crate::datetime::interval_type_name(typmod),
        (2950, _) => "uuid".into(),
        (17, _) => "bytea".into(),
        (114, _) => "json".into(),
        (3802, _) => "jsonb".into(),
        (4072, _) => "jsonpath".into(),
        // The scale is 11 bits, signed (numeric(5,-1)).
        (1700, Some(m)) => format!("numeric({},{})", m >> 16, ((m & 0x7ff) ^ 1024) - 1024),
        (1700, None) => "numeric".into(),
        (705, _) => "unknown".into(),
        (2287, _) => "record[]".into(),
        (oid, _) if crate::domains::by_oid(oid).is_some() => crate::domains::by_oid(oid)
            .expect("checked")
            .relname()
            .to_string(),
        (oid, _) => match crate::types::DataType::from_oid(oid as u32) {
            Ok(Some(crate::types::DataType::Array(elem))) => {
                format!("{}[]", format_type(elem.ty().oid() as i64, typmod))
            }
            Ok(Some(
                ty @ (crate::types::DataType::Enum(_)
                | crate::types::DataType::Reg(_)
                | crate::types::DataType::Record(crate::types::RecordShape::Composite(_))),
            )) => ty.name(),
            _ => "???".into(),
        },
    }
}

/// PostgreSQL's reserved key words (and the type-function names), which quote_ident quotes.
const RESERVED_WORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

fn unrecognized_encoding(name: &str) -> SqlError {
    SqlError::new(
        code::INVALID_PARAMETER_VALUE,
        format!("unrecognized encoding: \"{name}\""),
    )
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64; with `wrap`, as PostgreSQL's encode() writes it: a line break after every 76 characters.
pub(crate) fn base64_encode(bytes: &[u8], wrap: bool) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if wrap && i > 0 && i % 19 == 0 {
            out.push('\n');
        }
        let n = chunk.len();
        let word = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= n {
                out.push(BASE64[(word >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 input: whitespace ignored, `=` padding at the end only.
pub(crate) fn base64_decode(text: &str) -> SqlResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut word = 0u32;
    let mut bits = 0;
    let mut padding = 0;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let value = match c {
            '=' => {
                padding += 1;
                continue;
            }
            _ if padding > 0 => {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "unexpected \"=\" while decoding base64 sequence",
                ))
            }
            c => BASE64.iter().position(|&b| b as char == c).ok_or_else(|| {
                SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("invalid symbol \"{c}\" found while decoding base64 sequence"),
                )
            })?,
        };
        word = word << 6 | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((word >> bits) as u8);
        }
    }
    Ok(out)
}

/// The flags of `regexp_replace`, `regexp_match` and `regexp_matches`: (case-insensitive,
/// global). Unknown flags
/// are PostgreSQL's 22023.
pub fn regexp_flags(flags: &str) -> SqlResult<(bool, bool)> {
    let (mut insensitive, mut global) = (false, false);
    for flag in flags.chars() {
        match flag {
            'i' => insensitive = true,
            'c' => insensitive = false,
            'g' => global = true,
            _ => {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("invalid regular expression option: \"{flag}\""),
                ))
            }
        }
    }
    Ok((insensitive, global))
}

/// A match as `regexp_match` gives it: its capture groups as a text[] (an unmatched group NULL),
/// or the whole match when the pattern has none.
pub fn match_array(found: &regex::Captures<'_>) -> Value {
    let items: Vec<Value> = if found.len() == 1 {
        vec![Value::Text(found[0].to_string())]
    } else {
        (1..found.len())
            .map(|i| {
                found
                    .get(i)
                    .map_or(Value::Null, |m| Value::Text(m.as_str().to_string()))
            })
            .collect()
    };
    Value::Array(Box::new(crate::array::Array::one_dim(items)))
}

/// `%g` of a double as PostgreSQL's own snprintf prints one in messages: six significant
/// digits, trailing zeros dropped, in exponent form below 1e-4 or from 1e6; `NaN`, `Infinity`.
pub fn format_g(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "NaN".into()
        } else if value > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let scientific = format!("{value:.5e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("LowerExp has an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    let trim = |digits: String| -> String {
        if digits.contains('.') {
            digits
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            digits
        }
    };
    if (-4..6).contains(&exponent) {
        let decimals = (5 - exponent).max(0) as usize;
        trim(format!("{value:.decimals$}"))
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa.to_string()), exponent.abs())
    }
}
