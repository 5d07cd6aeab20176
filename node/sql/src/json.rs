//! json and jsonb.
//!
//! Both are held as text: json as the input text, unchanged (validated); jsonb in PostgreSQL's
//! normalized form, so its output, equality and grouping need no parsing: object keys sorted
//! (shorter first, then bytewise) without duplicates (the last one wins), `", "` and `": "`
//! separators, numbers as numeric prints them. Operators and functions parse the text into a
//! [`Json`] tree, whose nodes keep their span in the text so that json's `->` returns the
//! element's text exactly as it was written, as PostgreSQL's does.

use std::cmp::Ordering;

use crate::error::{code, SqlError, SqlResult};

/// A parsed JSON value; `span` is its byte range in the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub kind: Kind,
    pub span: (usize, usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// The number as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in input order (duplicates kept; jsonb normalization drops them).
    Object(Vec<(String, Json)>),
}

/// PostgreSQL's json syntax error; the context shows the text up to byte `upto` (the end of the
/// offending token), with `...` when more follows.
fn syntax_error(ty: &str, text: &str, detail: impl Into<String>, upto: usize) -> SqlError {
    let upto = upto.min(text.len());
    let shown = if upto < text.len() {
        format!("{}...", &text[..upto])
    } else {
        text.to_string()
    };
    SqlError::new(
        code::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type {ty}"),
    )
    .with_detail(detail.into())
    .with_context(format!("JSON data, line 1: {shown}"))
}

/// Parses JSON text (RFC 8259, any value at the top); `ty` names the type in errors.
pub fn parse(text: &str, ty: &str) -> SqlResult<Json> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        at: 0,
        ty,
    };
    parser.skip_space();
    if parser.at >= parser.bytes.len() {
        return Err(syntax_error(
            ty,
            text,
            "The input string ended unexpectedly.",
            text.len(),
        ));
    }
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.at < parser.bytes.len() {
        return Err(parser.expected("end of input"));
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    ty: &'a str,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.at < self.bytes.len()
            && matches!(self.bytes[self.at], b' ' | b'\t' | b'\n' | b'\r')
        {
            self.at += 1;
        }
    }

    /// The token at `at`, as PostgreSQL names it in messages.
    fn token(&self) -> String {
        let rest = &self.text[self.at..];
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut escaped = false;
            for (i, c) in quoted.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => return rest[..i + 2].to_string(),
                    _ => escaped = false,
                }
            }
            return rest.to_string();
        }
        let token: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '-' || *c == '+')
            .collect();
        if token.is_empty() {
            rest.chars().next().map(String::from).unwrap_or_default()
        } else {
            token
        }
    }

    /// PostgreSQL's message for an unexpected token where `expected` was.
    fn expected(&self, expected: &str) -> SqlError {
        if self.at >= self.bytes.len() {
            return syntax_error(
                self.ty,
                self.text,
                "The input string ended unexpectedly.",
                self.text.len(),
            );
        }
        let starts_value = matches!(
            self.bytes[self.at],
            b'{' | b'[' | b'"' | b'-' | b'0'
                ..=b'9' | b't' | b'f' | b'n' | b',' | b':' | b']' | b'}'
        );
        if !starts_value {
            return self.unexpected();
        }
        let token = self.token();
        syntax_error(
            self.ty,
            self.text,
            format!("Expected {expected}, but found \"{token}\"."),
            self.at + token.len(),
        )
    }

    fn unexpected(&self) -> SqlError {
        if self.at >= self.bytes.len() {
            return syntax_error(
                self.ty,
                self.text,
                "The input string ended unexpectedly.",
                self.text.len(),
            );
        }
        let token = self.token();
        syntax_error(
            self.ty,
            self.text,
            format!("Token \"{token}\" is invalid."),
            self.at + token.len(),
        )
    }

    /// After a member or element: a comma (false: another follows) or the container's `close`
    /// (true), both consumed.
    fn closes(&mut self, close: u8) -> SqlResult<bool> {
        self.skip_space();
        match self.bytes.get(self.at) {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(&c) if c == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(self.expected(&format!("\",\" or \"{}\"", close as char))),
        }
    }

    fn value(&mut self, depth: usize) -> SqlResult<Json> {
        if depth > 6400 {
            return Err(SqlError::new("54001", "stack depth limit exceeded"));
        }
        let start = self.at;
        let kind = match self.bytes.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                } else {
                    let mut first = true;
                    loop {
                        self.skip_space();
                        if self.bytes.get(self.at) != Some(&b'"') {
                            return Err(self.expected(if first {
                                "string or \"}\""
                            } else {
                                "string"
                            }));
                        }
                        first = false;
                        let key = self.string()?;
                        self.skip_space();
                        if self.bytes.get(self.at) != Some(&b':') {
                            return Err(self.expected("\":\""));
                        }
                        self.at += 1;
                        self.skip_space();
                        let value = self.value(depth + 1)?;
                        members.push((key, value));
                        if self.closes(b'}')? {
                            break;
                        }
                    }
                }
                Kind::Object(members)
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_space();
                        items.push(self.value(depth + 1)?);
                        if self.closes(b']')? {
                            break;
                        }
                    }
                }
                Kind::Array(items)
            }
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => {
                while self.at < self.bytes.len()
                    && matches!(
                        self.bytes[self.at],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.at += 1;
                }
                let number = &self.text[start..self.at];
                if !valid_number(number) {
                    self.at = start;
                    return Err(self.unexpected());
                }
                Kind::Number(number.to_string())
            }
            _ => {
                let rest = &self.bytes[self.at..];
                let word_end = rest
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .unwrap_or(rest.len());
                let kind = match &rest[..word_end] {
                    b"true" => Kind::Bool(true),
                    b"false" => Kind::Bool(false),
                    b"null" => Kind::Null,
                    b"" => return Err(self.expected("JSON value")),
                    _ => return Err(self.unexpected()),
                };
                self.at += word_end;
                kind
            }
        };
        Ok(Json {
            kind,
            span: (start, self.at),
        })
    }

    /// A string literal at `at` (which holds the opening quote).
    fn string(&mut self) -> SqlResult<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err(syntax_error(
                    self.ty,
                    self.text,
                    "The input string ended unexpectedly.",
                    self.text.len(),
                ));
            };
            match b {
                b'"' => {
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let escape = self.bytes.get(self.at + 1).copied();
                    self.at += 2;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let code = self.hex4()?;
                            let c = if (0xd800..0xdc00).contains(&code) {
                                if self.bytes.get(self.at) != Some(&b'\\')
                                    || self.bytes.get(self.at + 1) != Some(&b'u')
                                {
                                    return Err(syntax_error(
                                        self.ty,
                                        self.text,
                                        "Unicode high surrogate must not follow a high surrogate.",
                                        self.at,
                                    ));
                                }
                                self.at += 2;
                                let low = self.hex4()?;
                                char::from_u32(0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00))
                            } else if code == 0 {
                                return Err(SqlError::new(
                                    "22P05",
                                    "unsupported Unicode escape sequence",
                                )
                                .with_detail("\\u0000 cannot be converted to text."));
                            } else {
                                char::from_u32(code)
                            };
                            out.push(c.ok_or_else(|| {
                                syntax_error(
                                    self.ty,
                                    self.text,
                                    "Unicode low surrogate must follow a high surrogate.",
                                    self.at,
                                )
                            })?);
                        }
                        _ => {
                            self.at -= 1;
                            let seq: String = self.text[self.at - 1..].chars().take(2).collect();
                            return Err(syntax_error(
                                self.ty,
                                self.text,
                                format!("Escape sequence \"{seq}\" is invalid."),
                                self.at + 1,
                            ));
                        }
                    }
                }
                0x00..=0x1f => {
                    return Err(syntax_error(
                        self.ty,
                        self.text,
                        format!("Character with value 0x{b:02x} must be escaped."),
                        self.at + 1,
                    ))
                }
                _ => {
                    let c = self.text[self.at..].chars().next().expect("in bounds");
                    out.push(c);
                    self.at += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> SqlResult<u32> {
        let digits = self.text.get(self.at..self.at + 4).unwrap_or("");
        let code = u32::from_str_radix(digits, 16).map_err(|_| {
            syntax_error(
                self.ty,
                self.text,
                "\"\\u\" must be followed by four hexadecimal digits.",
                self.at,
            )
        })?;
        self.at += 4;
        Ok(code)
    }
}

/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn valid_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let digits = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == digits {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let digits = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == digits {
            return false;
        }
    }
    i == b.len()
}

/// A number as jsonb keeps it: numeric's text form (`1e2` is `100`, `1.50` stays).
fn numeric_text(number: &str) -> String {
    match crate::numeric::Numeric::parse(number) {
        Ok(n) => n.to_string(),
        Err(_) => number.to_string(),
    }
}

/// jsonb's key order: shorter keys first, then bytewise.
fn key_order(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

impl Json {
    /// jsonb's normalization: keys sorted without duplicates (the last wins), numbers as
    /// numeric. Spans lose their meaning.
    pub fn normalize(self) -> Json {
        let kind = match self.kind {
            Kind::Number(n) => Kind::Number(numeric_text(&n)),
            Kind::Array(items) => Kind::Array(items.into_iter().map(Json::normalize).collect()),
            Kind::Object(members) => {
                let mut kept: Vec<(String, Json)> = Vec::with_capacity(members.len());
                for (key, value) in members {
                    let value = value.normalize();
                    match kept.iter_mut().find(|(k, _)| *k == key) {
                        Some(slot) => slot.1 = value,
                        None => kept.push((key, value)),
                    }
                }
                kept.sort_by(|a, b| key_order(&a.0, &b.0));
                Kind::Object(kept)
            }
            other => other,
        };
        Json { kind, span: (0, 0) }
    }

    /// `json[b]_strip_nulls`: object members whose value is null removed, at every depth
    /// (nulls in arrays stay).
    pub fn strip_nulls(self) -> Json {
        let kind = match self.kind {
            Kind::Object(members) => Kind::Object(
                members
                    .into_iter()
                    .filter(|(_, value)| value.kind != Kind::Null)
                    .map(|(key, value)| (key, value.strip_nulls()))
                    .collect(),
            ),
            Kind::Array(items) => Kind::Array(items.into_iter().map(Json::strip_nulls).collect()),
            other => other,
        };
        Json {
            kind,
            span: self.span,
        }
    }

    /// A json value written without white space (as json functions that rebuild a document
    /// write it).
    pub fn write_compact(&self, out: &mut String) {
        self.write_separated(out, (",", ":"));
    }

    /// jsonb's text form.
    pub fn write(&self, out: &mut String) {
        self.write_separated(out, (", ", ": "));
    }

    /// The text form with `separators` between items and after keys.
    fn write_separated(&self, out: &mut String, separators: (&str, &str)) {
        let (item, key) = separators;
        match &self.kind {
            Kind::Null => out.push_str("null"),
            Kind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Kind::Number(n) => out.push_str(n),
            Kind::String(s) => write_string(s, out),
            Kind::Array(items) => {
                out.push('[');
                for (i, value) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(item);
                    }
                    value.write_separated(out, separators);
                }
                out.push(']');
            }
            Kind::Object(members) => {
                out.push('{');
                for (i, (name, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(item);
                    }
                    write_string(name, out);
                    out.push_str(key);
                    value.write_separated(out, separators);
                }
                out.push('}');
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::Array(_) => "array",
            Kind::Object(_) => "object",
        }
    }

    /// `->` with a key.
    pub fn field(&self, key: &str) -> Option<&Json> {
        match &self.kind {
            // json keeps duplicates: the last one is the one found.
            Kind::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `->` with an index (negative: from the end).
    pub fn element(&self, index: i64) -> Option<&Json> {
        match &self.kind {
            Kind::Array(items) => {
                let index = if index < 0 {
                    items.len() as i64 + index
                } else {
                    index
                };
                usize::try_from(index).ok().and_then(|i| items.get(i))
            }
            _ => None,
        }
    }

    /// `@>`: whether `other` is contained in this value (jsonb semantics).
    pub fn contains(&self, other: &Json) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Object(mine), Kind::Object(theirs)) => theirs.iter().all(|(key, value)| {
                mine.iter()
                    .find(|(k, _)| k == key)
                    .is_some_and(|(_, v)| v.contains(value))
            }),
            (Kind::Array(mine), Kind::Array(theirs)) => theirs.iter().all(|value| {
                mine.iter().any(|v| match (&v.kind, &value.kind) {
                    (Kind::Array(_) | Kind::Object(_), _) => v.contains(value),
                    _ => v.same_scalar(value),
                })
            }),
            // A top-level array contains a scalar it holds.
            (Kind::Array(mine), _) if !matches!(other.kind, Kind::Object(_)) => {
                mine.iter().any(|v| v.same_scalar(other))
            }
            _ => self.same_scalar(other),
        }
    }

    fn same_scalar(&self, other: &Json) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Number(a), Kind::Number(b)) => {
                use crate::numeric::Numeric;
                match (Numeric::parse(a), Numeric::parse(b)) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => a == b,
                }
            }
            (a, b) => a == b && !matches!(a, Kind::Array(_) | Kind::Object(_)),
        }
    }

    /// `?`: a top-level key, or a string element of a top-level array.
    pub fn has_key(&self, key: &str) -> bool {
        match &self.kind {
            Kind::Object(members) => members.iter().any(|(k, _)| k == key),
            Kind::Array(items) => items
                .iter()
                .any(|item| matches!(&item.kind, Kind::String(s) if s == key)),
            Kind::String(s) => s == key,
            _ => false,
        }
    }
}

/// A JSON string literal.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A jsonb number or boolean as a SQL value of type `to` (casts like `(j->'n')::int`).
pub fn jsonb_to_scalar(
    value: &crate::types::Value,
    to: crate::types::DataType,
) -> SqlResult<crate::types::Value> {
    use crate::types::{DataType, Value};
    let Value::Text(text) = value else {
        return Ok(Value::Null);
    };
    let json = parse(text, "jsonb")?;
    match (&json.kind, to) {
        (Kind::Bool(b), DataType::Bool) => Ok(Value::Bool(*b)),
        (Kind::Number(n), to) if to != DataType::Bool => crate::types::cast(
            Value::numeric(crate::types::numeric_input(n)?),
            DataType::Numeric,
            to,
            true,
        ),
        (_, to) => Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!(
                "cannot cast jsonb {} to type {}",
                json.type_name(),
                to.name()
            ),
        )),
    }
}

/// The json and jsonb operators (see `Binder::bind_json_operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonOp {
    /// `->` / `->>` with a key.
    Field {
        text: bool,
    },
    /// `->` / `->>` with an array index.
    Index {
        text: bool,
    },
    /// `#>` / `#>>`.
    Path {
        text: bool,
    },
    Contains,
    ContainedIn,
    HasKey,
    HasAny,
    HasAll,
    Concat,
    DeleteKey,
    DeleteIndex,
    DeletePath,
}

impl JsonOp {
    pub fn symbol(self) -> &'static str {
        match self {
            JsonOp::Field { text: false } | JsonOp::Index { text: false } => "->",
            JsonOp::Field { text: true } | JsonOp::Index { text: true } => "->>",
            JsonOp::Path { text: false } => "#>",
            JsonOp::Path { text: true } => "#>>",
            JsonOp::Contains => "@>",
            JsonOp::ContainedIn => "<@",
            JsonOp::HasKey => "?",
            JsonOp::HasAny => "?|",
            JsonOp::HasAll => "?&",
            JsonOp::Concat => "||",
            JsonOp::DeleteKey | JsonOp::DeleteIndex => "-",
            JsonOp::DeletePath => "#-",
        }
    }
}

/// An element as `->` returns it: json keeps the element's text as written, jsonb prints it.
fn element_value(doc: &str, element: &Json, jsonb: bool, text: bool) -> crate::types::Value {
    use crate::types::Value;
    match (&element.kind, text) {
        (Kind::Null, true) => Value::Null,
        (Kind::String(s), true) => Value::Text(s.clone()),
        _ if jsonb => Value::Text(element.to_text()),
        _ => Value::Text(doc[element.span.0..element.span.1].to_string()),
    }
}

/// `json[b]_to_record` (`set`: `json[b]_to_recordset`): the rows of `doc` (an object, or an
/// array of objects), each the members named by `columns` (name, whether the column is json or
/// jsonb) as the text the columns' types read, as PostgreSQL's populate functions give them:
/// NULL for a missing member or a JSON null, a string's contents, a JSON array as an array
/// literal (for array columns), anything else (and anything for a json column) as its JSON
/// text.
pub fn record_rows(
    doc: &str,
    jsonb: bool,
    set: bool,
    columns: &[(String, bool)],
) -> SqlResult<Vec<Vec<crate::types::Value>>> {
    use crate::types::Value;
    let parsed = parse(doc, if jsonb { "jsonb" } else { "json" })?;
    let prefix = if jsonb { "jsonb" } else { "json" };
    let refuse = |message: String| SqlError::new(code::INVALID_PARAMETER_VALUE, message);
    let objects: Vec<&Json> = match (&parsed.kind, set) {
        (Kind::Object(_), false) => vec![&parsed],
        (Kind::Array(_), false) => {
            return Err(refuse("cannot call populate_composite on an array".into()))
        }
        (_, false) => return Err(refuse("cannot call populate_composite on a scalar".into())),
        (Kind::Array(items), true) => {
            if items
                .iter()
                .any(|item| !matches!(item.kind, Kind::Object(_)))
            {
                return Err(refuse(format!(
                    "argument of {prefix}_to_recordset must be an array of objects"
                )));
            }
            items.iter().collect()
        }
        (_, true) => {
            return Err(refuse(format!(
                "cannot call {prefix}_to_recordset on a non-array"
            )))
        }
    };
    Ok(objects
        .into_iter()
        .map(|object| {
            columns
                .iter()
                .map(|(name, json)| match object.field(name) {
                    None
                    | Some(Json {
                        kind: Kind::Null, ..
                    }) => Value::Null,
                    Some(value) if *json => element_value(doc, value, jsonb, false),
                    Some(
                        value @ Json {
                            kind: Kind::Array(_),
                            ..
                        },
                    ) => Value::Text(array_literal(doc, value, jsonb)),
                    Some(value) => element_value(doc, value, jsonb, true),
                })
                .collect()
        })
        .collect())
}

/// A JSON array as PostgreSQL's array literal (`{1,"a b",{2,3}}`), as populate_array reads it.
fn array_literal(doc: &str, value: &Json, jsonb: bool) -> String {
    let mut out = String::new();
    fn write(doc: &str, value: &Json, jsonb: bool, out: &mut String) {
        match &value.kind {
            Kind::Array(items) => {
                out.push('{');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(doc, item, jsonb, out);
                }
                out.push('}');
            }
            Kind::Null => out.push_str("NULL"),
            _ => {
                let crate::types::Value::Text(text) = element_value(doc, value, jsonb, true) else {
                    return;
                };
                let plain = !text.is_empty()
                    && !text.eq_ignore_ascii_case("null")
                    && !text
                        .chars()
                        .any(|c| c.is_whitespace() || matches!(c, '{' | '}' | ',' | '"' | '\\'));
                if plain {
                    out.push_str(&text);
                } else {
                    out.push('"');
                    for c in text.chars() {
                        if matches!(c, '"' | '\\') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                }
            }
        }
    }
    write(doc, value, jsonb, &mut out);
    out
}

/// What a set-returning JSON function yields: an object's members, an array's elements, an
/// object's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonRows {
    /// `json[b]_each[_text]`: (key, value) per member.
    Each,
    /// `json[b]_array_elements[_text]`: one value per element.
    Elements,
    /// `json[b]_object_keys`: one key per member.
    Keys,
}

impl JsonRows {
    /// The SQL function's name.
    pub fn name(self, jsonb: bool, text: bool) -> &'static str {
        match (self, jsonb, text) {
            (JsonRows::Each, false, false) => "json_each",
            (JsonRows::Each, false, true) => "json_each_text",
            (JsonRows::Each, true, false) => "jsonb_each",
            (JsonRows::Each, true, true) => "jsonb_each_text",
            (JsonRows::Elements, false, false) => "json_array_elements",
            (JsonRows::Elements, false, true) => "json_array_elements_text",
            (JsonRows::Elements, true, false) => "jsonb_array_elements",
            (JsonRows::Elements, true, true) => "jsonb_array_elements_text",
            (JsonRows::Keys, false, _) => "json_object_keys",
            (JsonRows::Keys, true, _) => "jsonb_object_keys",
        }
    }

    /// The function named `name`: (rows, jsonb, text).
    pub fn named(name: &str) -> Option<(JsonRows, bool, bool)> {
        let (jsonb, rest) = match name.strip_prefix("jsonb_") {
            Some(rest) => (true, rest),
            None => (false, name.strip_prefix("json_")?),
        };
        Some(match rest {
            "each" => (JsonRows::Each, jsonb, false),
            "each_text" => (JsonRows::Each, jsonb, true),
            "array_elements" => (JsonRows::Elements, jsonb, false),
            "array_elements_text" => (JsonRows::Elements, jsonb, true),
            "object_keys" => (JsonRows::Keys, jsonb, true),
            _ => return None,
        })
    }

    /// The rows of the function over document `doc` (json or jsonb text): values as json
    /// (kept as written for json, printed for jsonb) or, `text`, as `->>` gives them.
    /// Another kind of document than the function takes is PostgreSQL's 22023.
    pub fn rows(
        self,
        doc: &str,
        jsonb: bool,
        text: bool,
    ) -> SqlResult<Vec<Vec<crate::types::Value>>> {
        use crate::types::Value;
        let parsed = parse(doc, if jsonb { "jsonb" } else { "json" })?;
        let name = self.name(jsonb, text);
        let refuse = |message: String| Err(SqlError::new(code::INVALID_PARAMETER_VALUE, message));
        let what = |kind: &Kind| match kind {
            Kind::Array(_) => "an array",
            _ => "a scalar",
        };
        match (self, &parsed.kind) {
            (JsonRows::Each, Kind::Object(members)) => Ok(members
                .iter()
                .map(|(key, value)| {
                    vec![
                        Value::Text(key.clone()),
                        element_value(doc, value, jsonb, text),
                    ]
                })
                .collect()),
            (JsonRows::Each, _) if jsonb => refuse(format!("cannot call {name} on a non-object")),
            (JsonRows::Each, Kind::Array(_)) => {
                refuse("cannot deconstruct an array as an object".into())
            }
            (JsonRows::Each, _) => refuse("cannot deconstruct a scalar".into()),
            (JsonRows::Elements, Kind::Array(items)) => Ok(items
                .iter()
                .map(|item| vec![element_value(doc, item, jsonb, text)])
                .collect()),
            (JsonRows::Elements, Kind::Object(_)) if jsonb => {
                refuse("cannot extract elements from an object".into())
            }
            (JsonRows::Elements, _) if jsonb => {
                refuse("cannot extract elements from a scalar".into())
            }
            (JsonRows::Elements, Kind::Object(_)) => {
                refuse(format!("cannot call {name} on a non-array"))
            }
            (JsonRows::Elements, _) => refuse(format!("cannot call {name} on a scalar")),
            (JsonRows::Keys, Kind::Object(members)) => Ok(members
                .iter()
                .map(|(key, _)| vec![Value::Text(key.clone())])
                .collect()),
            (JsonRows::Keys, kind) => refuse(format!("cannot call {name} on {}", what(kind))),
        }
    }
}

/// Evaluates a json/jsonb operator (`jsonb`: the left operand is jsonb).
pub fn operator(
    op: JsonOp,
    jsonb: bool,
    left: crate::types::Value,
    right: crate::types::Value,
) -> SqlResult<crate::types::Value> {
    use crate::types::Value;
    let (Value::Text(doc), right) = (left, right) else {
        return Ok(Value::Null);
    };
    if right.is_null() {
        return Ok(Value::Null);
    }
    let ty = if jsonb { "jsonb" } else { "json" };
    let parsed = parse(&doc, ty)?;
    let right_text = || match &right {
        Value::Text(t) => t.clone(),
        _ => String::new(),
    };
    // A text[] operand (a path, a list of keys): its elements, None for a NULL one.
    let right_items = || -> SqlResult<Vec<Option<String>>> {
        Ok(match &right {
            Value::Array(array) => (array.items.iter())
                .map(|item| match item {
                    Value::Text(text) => Some(text.clone()),
                    _ => None,
                })
                .collect(),
            Value::Text(literal) => text_array(literal)?.into_iter().map(Some).collect(),
            _ => Vec::new(),
        })
    };
    Ok(match op {
        JsonOp::Field { text } => match parsed.field(&right_text()) {
            Some(element) => element_value(&doc, element, jsonb, text),
            None => Value::Null,
        },
        JsonOp::Index { text } => {
            let Value::Int(index) = right else {
                return Ok(Value::Null);
            };
            match parsed.element(index) {
                Some(element) => element_value(&doc, element, jsonb, text),
                None => Value::Null,
            }
        }
        JsonOp::Path { text } => {
            let mut current = &parsed;
            for step in right_items()? {
                let Some(step) = step else {
                    return Ok(Value::Null);
                };
                let next = match &current.kind {
                    Kind::Object(_) => current.field(&step),
                    Kind::Array(_) => step
                        .trim()
                        .parse::<i64>()
                        .ok()
                        .and_then(|i| current.element(i)),
                    _ => None,
                };
                match next {
                    Some(next) => current = next,
                    None => return Ok(Value::Null),
                }
            }
            element_value(&doc, current, jsonb, text)
        }
        JsonOp::Contains | JsonOp::ContainedIn => {
            let other = parse(&right_text(), "jsonb")?;
            Value::Bool(if op == JsonOp::Contains {
                parsed.contains(&other)
            } else {
                other.contains(&parsed)
            })
        }
        JsonOp::HasKey => Value::Bool(parsed.has_key(&right_text())),
        // NULL keys are left out of both lists.
        JsonOp::HasAny => Value::Bool(right_items()?.iter().flatten().any(|k| parsed.has_key(k))),
        JsonOp::HasAll => Value::Bool(right_items()?.iter().flatten().all(|k| parsed.has_key(k))),
        JsonOp::Concat => {
            let other = parse(&right_text(), "jsonb")?;
            let span = (0, 0);
            let kind = match (parsed.kind, other.kind) {
                (Kind::Object(mut a), Kind::Object(b)) => {
                    a.extend(b);
                    Kind::Object(a)
                }
                (Kind::Array(mut a), Kind::Array(b)) => {
                    a.extend(b);
                    Kind::Array(a)
                }
                (Kind::Array(mut a), b) => {
                    a.push(Json { kind: b, span });
                    Kind::Array(a)
                }
                (a, Kind::Array(mut b)) => {
                    b.insert(0, Json { kind: a, span });
                    Kind::Array(b)
                }
                (a, b) => Kind::Array(vec![Json { kind: a, span }, Json { kind: b, span }]),
            };
            Value::Text(Json { kind, span }.normalize().to_text())
        }
        JsonOp::DeleteKey => {
            let key = right_text();
            let kind = match parsed.kind {
                Kind::Object(members) => {
                    Kind::Object(members.into_iter().filter(|(k, _)| *k != key).collect())
                }
                Kind::Array(items) => Kind::Array(
                    items
                        .into_iter()
                        .filter(|item| !matches!(&item.kind, Kind::String(s) if *s == key))
                        .collect(),
                ),
                _ => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "cannot delete from scalar",
                    ))
                }
            };
            Value::Text(Json { kind, span: (0, 0) }.to_text())
        }
        JsonOp::DeleteIndex => {
            let Value::Int(index) = right else {
                return Ok(Value::Null);
            };
            let kind = match parsed.kind {
                Kind::Array(mut items) => {
                    let at = if index < 0 {
                        items.len() as i64 + index
                    } else {
                        index
                    };
                    if at >= 0 && (at as usize) < items.len() {
                        items.remove(at as usize);
                    }
                    Kind::Array(items)
                }
                Kind::Object(_) => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "cannot delete from object using integer index",
                    ))
                }
                _ => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "cannot delete from scalar",
                    ))
                }
            };
            Value::Text(Json { kind, span: (0, 0) }.to_text())
        }
        JsonOp::DeletePath => {
            let items = right_items()?;
            if let Some(null) = items.iter().position(Option::is_none) {
                return Err(SqlError::new(
                    code::NULL_VALUE_NOT_ALLOWED,
                    format!("path element at position {} is null", null + 1),
                ));
            }
            let path: Vec<String> = items.into_iter().flatten().collect();
            let mut doc = parsed;
            if matches!(doc.kind, Kind::Object(_) | Kind::Array(_)) {
                delete_path(&mut doc, &path);
            } else {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "cannot delete path in scalar",
                ));
            }
            Value::Text(doc.to_text())
        }
    })
}

/// What [`set_path`] does at the end of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetMode {
    /// `jsonb_set`: replaces what is there; with `true` (create_if_missing) adds a missing key,
    /// or an element past either end of an array.
    Set(bool),
    /// `jsonb_insert(..., insert_after)`: adds a missing key (an existing one is an error), or
    /// an element before (after, with `true`) the one at the index: at an end past either end.
    Insert(bool),
}

/// `jsonb_set(target, path, new_value [, create_if_missing])` and `jsonb_insert(target, path,
/// new_value [, insert_after])`: `new_value` put at `path` (a key of an object, an index of an
/// array, negative from the end) as `mode` says; a path through a missing key or a scalar
/// leaves the document as it was, as PostgreSQL's `setPath` does. A NULL step is an error only
/// when the walk reaches it.
pub fn set_path(
    target: &str,
    path: &[Option<String>],
    new_value: &str,
    mode: SetMode,
) -> SqlResult<String> {
    let mut doc = parse(target, "jsonb")?;
    let value = parse(new_value, "jsonb")?;
    if !matches!(doc.kind, Kind::Object(_) | Kind::Array(_)) {
        return Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            "cannot set path in scalar",
        ));
    }
    set_at(&mut doc, path, 0, value, mode)?;
    Ok(doc.normalize().to_text())
}

fn set_at(
    doc: &mut Json,
    path: &[Option<String>],
    level: usize,
    value: Json,
    mode: SetMode,
) -> SqlResult<()> {
    let Some(step) = path.get(level) else {
        return Ok(());
    };
    let Some(step) = step else {
        return Err(SqlError::new(
            code::NULL_VALUE_NOT_ALLOWED,
            format!("path element at position {} is null", level + 1),
        ));
    };
    let last = level + 1 == path.len();
    let adds = matches!(mode, SetMode::Set(true) | SetMode::Insert(_));
    match &mut doc.kind {
        Kind::Object(members) => match members.iter_mut().rposition(|(k, _)| k == step) {
            Some(_) if last && matches!(mode, SetMode::Insert(_)) => {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "cannot replace existing key",
                )
                .with_hint("Try using the function jsonb_set to replace key value."))
            }
            Some(at) if last => members[at].1 = value,
            Some(at) => set_at(&mut members[at].1, path, level + 1, value, mode)?,
            None if last && adds => members.push((step.clone(), value)),
            None => {}
        },
        Kind::Array(items) => {
            let index: i64 = step.trim().parse().map_err(|_| {
                SqlError::new(
                    code::INVALID_TEXT_REPRESENTATION,
                    format!(
                        "path element at position {} is not an integer: \"{step}\"",
                        level + 1
                    ),
                )
            })?;
            let len = items.len() as i64;
            let at = if index < 0 { len + index } else { index };
            if (0..len).contains(&at) {
                let at = at as usize;
                match mode {
                    _ if !last => set_at(&mut items[at], path, level + 1, value, mode)?,
                    SetMode::Set(_) => items[at] = value,
                    SetMode::Insert(after) => items.insert(at + usize::from(after), value),
                }
            } else if last && adds {
                if at < 0 {
                    items.insert(0, value);
                } else {
                    items.push(value);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn delete_path(doc: &mut Json, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match &mut doc.kind {
        Kind::Object(members) => {
            if rest.is_empty() {
                members.retain(|(k, _)| k != first);
            } else if let Some((_, child)) = members.iter_mut().find(|(k, _)| k == first) {
                delete_path(child, rest);
            }
        }
        Kind::Array(items) => {
            let Ok(index) = first.trim().parse::<i64>() else {
                return;
            };
            let at = if index < 0 {
                items.len() as i64 + index
            } else {
                index
            };
            if at < 0 || at as usize >= items.len() {
                return;
            }
            if rest.is_empty() {
                items.remove(at as usize);
            } else {
                delete_path(&mut items[at as usize], rest);
            }
        }
        _ => {}
    }
}

/// How a SQL value becomes JSON (`to_json`), by its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonKind {
    /// Integers and numerics: a JSON number.
    Number,
    /// float8: a number, or a string for NaN and infinities.
    Float,
    /// real: as float8, with single precision's shortest digits.
    Float4,
    Bool,
    /// json or jsonb: embedded as it is.
    Json,
    /// timestamp: ISO 8601 with a `T`.
    Timestamp,
    /// timestamptz: ISO 8601 with a `T` and a `+hh:mm` offset.
    TimestampTz,
    /// time: `HH:MM:SS[.ffffff]`.
    Time,
    /// Anything else: its text form as a JSON string.
    Text,
    /// An array: nested JSON arrays (one level per dimension) of its elements' kind.
    Array(&'static JsonKind),
    /// A record: an object of its fields by name.
    Record(crate::types::RecordShape),
    /// A value of an enum type (by its id): its label as a JSON string.
    Enum(u32),
}

impl JsonKind {
    pub fn of(ty: crate::types::DataType) -> JsonKind {
        use crate::types::DataType as D;
        match ty.expression_type() {
            D::Int2 | D::Int4 | D::Int8 | D::Numeric | D::Decimal(..) => JsonKind::Number,
            D::Float8 => JsonKind::Float,
            D::Float4 => JsonKind::Float4,
            D::Bool => JsonKind::Bool,
            D::Json | D::Jsonb => JsonKind::Json,
            D::Timestamp => JsonKind::Timestamp,
            D::TimestampTz => JsonKind::TimestampTz,
            D::Time => JsonKind::Time,
            D::Array(elem) => JsonKind::Array(match JsonKind::of(elem.ty()) {
                JsonKind::Number => &JsonKind::Number,
                JsonKind::Float => &JsonKind::Float,
                JsonKind::Float4 => &JsonKind::Float4,
                JsonKind::Bool => &JsonKind::Bool,
                JsonKind::Json => &JsonKind::Json,
                JsonKind::Timestamp => &JsonKind::Timestamp,
                JsonKind::TimestampTz => &JsonKind::TimestampTz,
                JsonKind::Time => &JsonKind::Time,
                _ => &JsonKind::Text,
            }),
            D::Record(shape) => JsonKind::Record(shape),
            D::Enum(id) => JsonKind::Enum(id),
            _ => JsonKind::Text,
        }
    }
}

/// `to_json(value)`: the value's JSON text (jsonb: normalized), a timestamptz in UTC.
pub fn to_json(value: &crate::types::Value, kind: JsonKind, jsonb: bool) -> SqlResult<String> {
    to_json_in(value, kind, jsonb, &crate::tz::Zone::UTC)
}

/// [`to_json`] with timestamptz values (also in arrays and records) in `zone`.
pub fn to_json_in(
    value: &crate::types::Value,
    kind: JsonKind,
    jsonb: bool,
    zone: &crate::tz::Zone,
) -> SqlResult<String> {
    use crate::types::{format_text, DataType, Value};
    let mut out = String::new();
    match (value, kind) {
        (Value::Null, _) => out.push_str("null"),
        (Value::Bool(b), _) => out.push_str(if *b { "true" } else { "false" }),
        (Value::Int(key), JsonKind::Enum(id)) => {
            write_string(&crate::enums::label(id, *key), &mut out)
        }
        (Value::Int(i), _) => out.push_str(&i.to_string()),
        (Value::Numeric(d), _) => out.push_str(&crate::numeric::Numeric::Small(*d).to_string()),
        (Value::BigNumeric(n), _) if n.is_finite() => out.push_str(&n.to_string()),
        // NaN and the infinities are no JSON numbers: strings, as PostgreSQL writes them.
        (Value::BigNumeric(n), _) => write_string(&n.to_string(), &mut out),
        (Value::Float(f), kind) => {
            let ty = if kind == JsonKind::Float4 {
                DataType::Float4
            } else {
                DataType::Float8
            };
            if f.is_finite() {
                format_text(value, ty, &mut out)
            } else {
                let mut text = String::new();
                format_text(value, ty, &mut text);
                write_string(&text, &mut out);
            }
        }
        (Value::Text(t), JsonKind::Json) => {
            return if jsonb { jsonb_in(t) } else { Ok(t.clone()) };
        }
        (Value::Timestamp(t), JsonKind::Time) => {
            let mut text = String::new();
            crate::types::format_time(*t, &mut text);
            write_string(&text, &mut out);
        }
        (Value::Array(array), JsonKind::Array(elem)) => {
            fn level(
                dims: &[crate::array::Dim],
                items: &mut std::slice::Iter<'_, Value>,
                elem: JsonKind,
                zone: &crate::tz::Zone,
                out: &mut String,
            ) -> SqlResult<()> {
                out.push('[');
                for i in 0..dims[0].len {
                    if i > 0 {
                        out.push(',');
                    }
                    if dims.len() > 1 {
                        level(&dims[1..], items, elem, zone, out)?;
                    } else {
                        let item = items.next().unwrap_or(&Value::Null);
                        out.push_str(&to_json_in(item, elem, false, zone)?);
                    }
                }
                out.push(']');
                Ok(())
            }
            if array.dims.is_empty() {
                out.push_str("[]");
            } else {
                level(&array.dims, &mut array.items.iter(), *elem, zone, &mut out)?;
            }
        }
        (Value::Record(fields), JsonKind::Record(shape)) => {
            out.push('{');
            for (i, ((name, ty), field)) in
                shape.fields().into_iter().zip(fields.iter()).enumerate()
            {
                if i > 0 {
                    out.push(',');
                }
                write_string(name, &mut out);
                out.push(':');
                out.push_str(&to_json_in(field, JsonKind::of(ty), false, zone)?);
            }
            out.push('}');
        }
        (Value::Timestamp(_), JsonKind::Timestamp | JsonKind::TimestampTz) => {
            let ty = if kind == JsonKind::Timestamp {
                DataType::Timestamp
            } else {
                DataType::TimestampTz
            };
            let mut text = String::new();
            crate::types::format_text_in(value, ty, zone, &mut text);
            let mut text = text.replacen(' ', "T", 1);
            // +hh becomes +hh:mm.
            if kind == JsonKind::TimestampTz {
                let bytes = text.as_bytes();
                if bytes.len() > 3 && matches!(bytes[bytes.len() - 3], b'+' | b'-') {
                    text.push_str(":00");
                }
            }
            write_string(&text, &mut out);
        }
        (value, _) => {
            let mut text = String::new();
            format_text(value, DataType::Text, &mut text);
            write_string(&text, &mut out);
        }
    }
    if jsonb {
        return jsonb_in(&out);
    }
    Ok(out)
}

/// `json_build_object(k1, v1, ...)` over key texts and value json texts.
pub fn build_object(args: &[crate::types::Value], jsonb: bool) -> SqlResult<String> {
    use crate::types::Value;
    if args.len() % 2 == 1 {
        return Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            "argument list must have even number of elements",
        )
        .with_hint(format!(
            "The arguments of {}_build_object() must consist of alternating keys and values.",
            if jsonb { "jsonb" } else { "json" }
        )));
    }
    let mut out = String::from("{");
    for (i, pair) in args.chunks(2).enumerate() {
        let Value::Text(key) = &pair[0] else {
            return Err(SqlError::new(
                "22004",
                format!("argument {}: key must not be null", i * 2 + 1),
            ));
        };
        if i > 0 {
            out.push_str(", ");
        }
        write_string(key, &mut out);
        out.push_str(" : ");
        match &pair[1] {
            Value::Text(json) => out.push_str(json),
            _ => out.push_str("null"),
        }
    }
    out.push('}');
    if jsonb {
        return jsonb_in(&out);
    }
    Ok(out)
}

/// `json_object(text[])` (alternating keys and values, or a two-column two-dimensional array)
/// and `json_object(keys text[], values text[])`: an object whose values are strings (NULL: a
/// JSON null), written as `json_build_object` writes one. NULL arrays were answered before.
pub fn object_from_arrays(arrays: &[&crate::array::Array], jsonb: bool) -> SqlResult<String> {
    use crate::types::Value;
    let subscripts = || {
        SqlError::new(
            code::ARRAY_SUBSCRIPT_ERROR,
            "wrong number of array subscripts",
        )
    };
    let pairs: Vec<(&Value, &Value)> = match arrays {
        [array] => {
            match array.dims.len() {
                0 => {}
                1 if array.items.len() % 2 == 1 => {
                    return Err(SqlError::new(
                        code::ARRAY_SUBSCRIPT_ERROR,
                        "array must have even number of elements",
                    ))
                }
                1 => {}
                2 if array.dims[1].len != 2 => {
                    return Err(SqlError::new(
                        code::ARRAY_SUBSCRIPT_ERROR,
                        "array must have two columns",
                    ))
                }
                2 => {}
                _ => return Err(subscripts()),
            }
            array
                .items
                .chunks(2)
                .map(|pair| (&pair[0], &pair[1]))
                .collect()
        }
        [keys, values] => {
            if keys.dims.len() > 1 || values.dims.len() > 1 {
                return Err(subscripts());
            }
            if keys.items.len() != values.items.len() {
                return Err(SqlError::new(
                    code::ARRAY_SUBSCRIPT_ERROR,
                    "mismatched array dimensions",
                ));
            }
            keys.items.iter().zip(&values.items).collect()
        }
        _ => unreachable!("one or two arrays"),
    };
    let mut args = Vec::with_capacity(pairs.len() * 2);
    for (key, value) in pairs {
        let Value::Text(key) = key else {
            return Err(SqlError::new(
                code::NULL_VALUE_NOT_ALLOWED,
                "null value not allowed for object key",
            ));
        };
        args.push(Value::Text(key.clone()));
        args.push(match value {
            Value::Text(value) => {
                let mut json = String::new();
                write_string(value, &mut json);
                Value::Text(json)
            }
            _ => Value::Null,
        });
    }
    build_object(&args, jsonb)
}

/// A row as a JSON object, as `row_to_json` writes it: `{"a":1,"b":null}` (no spaces), from
/// alternating column names and value json texts.
pub fn row_object(args: &[crate::types::Value], jsonb: bool) -> SqlResult<String> {
    use crate::types::Value;
    let mut out = String::from("{");
    for (i, pair) in args.chunks(2).enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Value::Text(key) = &pair[0] {
            write_string(key, &mut out);
        }
        out.push(':');
        match pair.get(1) {
            Some(Value::Text(json)) => out.push_str(json),
            _ => out.push_str("null"),
        }
    }
    out.push('}');
    if jsonb {
        return jsonb_in(&out);
    }
    Ok(out)
}

/// `json_build_array(v1, ...)` over value json texts.
pub fn build_array(args: &[crate::types::Value], jsonb: bool) -> SqlResult<String> {
    use crate::types::Value;
    let items: Vec<&str> = args
        .iter()
        .map(|arg| match arg {
            Value::Text(json) => json.as_str(),
            _ => "null",
        })
        .collect();
    let out = format!("[{}]", items.join(", "));
    if jsonb {
        return jsonb_in(&out);
    }
    Ok(out)
}

/// `jsonb_pretty`: four-space indents, one member or element per line.
pub fn pretty(doc: &Json) -> String {
    fn go(doc: &Json, depth: usize, out: &mut String) {
        let indent = |n: usize, out: &mut String| out.push_str(&"    ".repeat(n));
        match &doc.kind {
            Kind::Array(items) if !items.is_empty() => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    indent(depth + 1, out);
                    go(item, depth + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                indent(depth, out);
                out.push(']');
            }
            Kind::Object(members) if !members.is_empty() => {
                out.push_str("{\n");
                for (i, (key, value)) in members.iter().enumerate() {
                    indent(depth + 1, out);
                    write_string(key, out);
                    out.push_str(": ");
                    go(value, depth + 1, out);
                    out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
                }
                indent(depth, out);
                out.push('}');
            }
            // PostgreSQL opens and closes an empty container on two lines too.
            Kind::Array(_) => {
                out.push_str("[\n");
                indent(depth, out);
                out.push(']');
            }
            Kind::Object(_) => {
                out.push_str("{\n");
                indent(depth, out);
                out.push('}');
            }
            _ => doc.write(out),
        }
    }
    let mut out = String::new();
    go(doc, 0, &mut out);
    out
}

/// jsonb input: parsed, normalized, printed.
pub fn jsonb_in(text: &str) -> SqlResult<String> {
    Ok(parse(text, "json")?.normalize().to_text())
}

/// json input: checked, kept as written.
pub fn json_in(text: &str) -> SqlResult<String> {
    parse(text, "json")?;
    Ok(text.to_string())
}

/// The elements of a text[] literal used as a path or key list (`'{a,b,"c d"}'`).
pub fn text_array(literal: &str) -> SqlResult<Vec<String>> {
    let malformed = || {
        SqlError::new(
            code::INVALID_TEXT_REPRESENTATION,
            format!("malformed array literal: \"{literal}\""),
        )
    };
    let inner = literal
        .trim()
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or_else(malformed)?;
    let mut items = Vec::new();
    if inner.trim().is_empty() {
        return Ok(items);
    }
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => item.extend(chars.next()),
                    Some(c) => item.push(c),
                    None => return Err(malformed()),
                }
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                item.push(c);
                chars.next();
            }
            item = item.trim().to_string();
        }
        items.push(item);
        match chars.next() {
            Some(',') => continue,
            None => break,
            Some(_) => return Err(malformed()),
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonb_normalizes_like_postgres() {
        assert_eq!(
            jsonb_in(r#"{"b": 1, "aa": [1.50, 1e2, -0], "a": {"y":true,"x":null}, "b": "z"}"#)
                .unwrap(),
            r#"{"a": {"x": null, "y": true}, "b": "z", "aa": [1.50, 100, 0]}"#
        );
        assert_eq!(jsonb_in(r#""\u00e9\n""#).unwrap(), "\"é\\n\"");
        assert!(jsonb_in("{\"a\" 1}").is_err());
        assert!(jsonb_in("01").is_err());
        assert!(jsonb_in("[1,]").is_err());
    }

    #[test]
    fn containment_and_keys() {
        let doc = parse(r#"{"a": [1, 2, {"b": 3}], "c": "d"}"#, "json").unwrap();
        let part = parse(r#"{"a": [{"b": 3}, 1]}"#, "json").unwrap();
        assert!(doc.contains(&part));
        assert!(!part.contains(&doc));
        assert!(doc.has_key("c") && !doc.has_key("d"));
        assert_eq!(text_array(r#"{a, "b c",1}"#).unwrap(), ["a", "b c", "1"]);
    }
}
