//! GIN indexes (`CREATE INDEX ... USING gin (column)`): PostgreSQL's generalized inverted index
//! for jsonb and arrays, on Keel's secondary-index trees.
//!
//! A value is a set of *items*; the index has one entry per item of each row's value:
//!
//! ```text
//!   entry key = key(item) ++ row key          (never unique; placed by the item)
//!   items of an array     = its non-NULL elements (every dimension), each as its element type
//!   items of a jsonb      = 'K' ++ key    for every object key, at any depth
//!                           'S' ++ string, 'N' ++ number, 'T', 'F', 'Z' (null)
//!                                         for every scalar, at any depth
//! ```
//!
//! A number's item is its canonical decimal (`1.0` and `1` are one item, as jsonb compares
//! them). Items are what containment needs: when a row's value contains the query's (`@>`),
//! every item of the query's is an item of the row's, whatever the nesting. So a search is a
//! list of groups of items ([`Search::Groups`]); a row can match only when it has at least one
//! item of every group: `@>` has a group per item of the query value, `&&` and `?|` one group
//! of all their items, `?` one group of the key's two spellings (an object key or a string
//! element), `?&` a group per key. The session looks each group's items up (each item's
//! entries lie on one worker where its type places entries by value: text, numbers, dates),
//! intersects the row keys the groups give, and reads those rows;
//! the query's whole condition then runs on each row (PostgreSQL's recheck), so a row the items
//! let through wrongly (the items of `{"a": {"b": 1}}` are those of `{"b": {"a": 1}}`) is
//! dropped there. Groups of scalar items go first, object keys last (a key is in most
//! documents, a value in few), and once the row keys found are few the session stops looking
//! up and lets the recheck do the rest ([`FEW_ROWS`]). A search with no group to look up
//! ([`Search::All`]: `@> '{}'`, `@> '{}'::int[]`, `?& '{}'`) reads every row, as PostgreSQL's
//! full-index scan does.
//!
//! `jsonb_path_ops` (PostgreSQL hashes paths) keeps the same items here; as there it serves
//! only `@>`.

use serde::{Deserialize, Serialize};

use crate::error::{code, SqlError, SqlResult};
use crate::json::{Json, Kind};
use crate::types::{DataType, Value};

/// Candidate rows few enough that looking up a search's further groups costs more than
/// rechecking them.
pub const FEW_ROWS: usize = 256;

/// A GIN operator class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GinClass {
    /// jsonb's default: `@>`, `?`, `?|`, `?&`.
    JsonbOps,
    /// jsonb's `jsonb_path_ops`: `@>` only.
    JsonbPathOps,
    /// Arrays': `@>`, `&&` (and `<@` with the column on the right, which is `@>`).
    ArrayOps,
}

/// A condition a GIN index may serve: the indexed column on the left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GinOp {
    /// `@>` (jsonb or array).
    Contains,
    /// `&&` (arrays).
    Overlaps,
    /// `?` (jsonb).
    HasKey,
    /// `?|` (jsonb).
    HasAny,
    /// `?&` (jsonb).
    HasAll,
}

impl GinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            GinOp::Contains => "@>",
            GinOp::Overlaps => "&&",
            GinOp::HasKey => "?",
            GinOp::HasAny => "?|",
            GinOp::HasAll => "?&",
        }
    }
}

/// What a search reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    /// The rows with at least one item of each group (groups and items non-empty).
    Groups(Vec<Vec<Vec<u8>>>),
    /// Every row (the condition alone decides).
    All,
    /// No row can match.
    Nothing,
}

impl GinClass {
    /// Its name (`pg_opclass.opcname`).
    pub fn name(self) -> &'static str {
        match self {
            GinClass::JsonbOps => "jsonb_ops",
            GinClass::JsonbPathOps => "jsonb_path_ops",
            GinClass::ArrayOps => "array_ops",
        }
    }

    /// Its `pg_opclass` OID (PostgreSQL 15's).
    pub fn oid(self) -> i64 {
        match self {
            GinClass::JsonbOps => 4036,
            GinClass::JsonbPathOps => 4037,
            GinClass::ArrayOps => 2745,
        }
    }

    /// Whether it is its type's default (`pg_get_indexdef` then names none).
    pub fn is_default(self) -> bool {
        self != GinClass::JsonbPathOps
    }

    /// The class of a column of type `ty` named `name` (None: the type's default), with
    /// PostgreSQL's errors for a type without one and a class that is not for the type.
    pub fn of(name: Option<&str>, ty: DataType, type_name: &str) -> SqlResult<GinClass> {
        let default = match ty {
            DataType::Jsonb => Some(GinClass::JsonbOps),
            _ if ty.element().is_some() => Some(GinClass::ArrayOps),
            _ => None,
        };
        let Some(name) = name else {
            return default.ok_or_else(|| {
                SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!(
                        "data type {type_name} has no default operator class for access method \"gin\""
                    ),
                )
                .with_hint("You must specify an operator class for the index or define a default operator class for the data type.")
            });
        };
        let class = match name {
            "jsonb_ops" => GinClass::JsonbOps,
            "jsonb_path_ops" => GinClass::JsonbPathOps,
            "array_ops" => GinClass::ArrayOps,
            _ => {
                return Err(SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!("operator class \"{name}\" does not exist for access method \"gin\""),
                ))
            }
        };
        let fits = match class {
            GinClass::ArrayOps => default == Some(GinClass::ArrayOps),
            _ => ty == DataType::Jsonb,
        };
        if !fits {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!("operator class \"{name}\" does not accept data type {type_name}"),
            ));
        }
        Ok(class)
    }

    /// The type of the items of a column of type `ty` (their key encoding's: the index's
    /// placement goes by it).
    pub fn item_type(self, ty: DataType) -> DataType {
        match self {
            GinClass::ArrayOps => ty.element().unwrap_or(DataType::Text),
            _ => DataType::Text,
        }
    }

    /// Whether a condition `column op value` can be served.
    pub fn serves(self, op: GinOp) -> bool {
        match self {
            GinClass::JsonbOps => op != GinOp::Overlaps,
            GinClass::JsonbPathOps => op == GinOp::Contains,
            GinClass::ArrayOps => matches!(op, GinOp::Contains | GinOp::Overlaps),
        }
    }

    /// The items of `value`, a value of the indexed column of type `ty`, each as its key
    /// encoding, sorted and without duplicates; none for NULL.
    pub fn items(self, value: &Value, ty: DataType) -> SqlResult<Vec<Vec<u8>>> {
        let mut items = match (self, value) {
            (_, Value::Null) => Vec::new(),
            (GinClass::ArrayOps, Value::Array(array)) => {
                let elem = self.item_type(ty);
                (array.items.iter())
                    .filter(|item| !item.is_null())
                    .map(|item| crate::exec::row_key(&[(item.clone(), elem)]))
                    .collect()
            }
            (GinClass::ArrayOps, _) => Vec::new(),
            (_, value) => {
                let mut items = Vec::new();
                json_items(&parse_jsonb(value)?, &mut items);
                items.into_iter().map(|(_, item)| item).collect()
            }
        };
        items.sort_unstable();
        items.dedup();
        Ok(items)
    }

    /// The search for `column op query` (`query` of the type the operator takes on its right:
    /// the column's for `@>` and `&&`, text for `?`, text[] for `?|` and `?&`).
    pub fn search(self, op: GinOp, query: &Value, ty: DataType) -> SqlResult<Search> {
        if query.is_null() {
            return Ok(Search::Nothing);
        }
        // The items a key names: an object key or a string (a top-level array's element).
        let key_items = |key: &str| vec![text_item('K', key), text_item('S', key)];
        let keys = || -> Vec<String> {
            match query {
                Value::Array(array) => (array.items.iter())
                    .filter_map(|item| match item {
                        Value::Text(key) => Some(key.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let groups: Vec<Vec<Vec<u8>>> = match op {
            GinOp::Contains if self != GinClass::ArrayOps => {
                // Scalars first, keys last (stable: the items' order otherwise).
                let mut items = Vec::new();
                json_items(&parse_jsonb(query)?, &mut items);
                items.sort_by(|a, b| (a.0 == 'K', &a.1).cmp(&(b.0 == 'K', &b.1)));
                items.dedup();
                if items.is_empty() {
                    return Ok(Search::All);
                }
                items.into_iter().map(|(_, item)| vec![item]).collect()
            }
            GinOp::Contains => {
                let items = self.items(query, ty)?;
                if items.is_empty() {
                    return Ok(Search::All);
                }
                items.into_iter().map(|item| vec![item]).collect()
            }
            GinOp::Overlaps => {
                let items = self.items(query, ty)?;
                if items.is_empty() {
                    return Ok(Search::Nothing);
                }
                vec![items]
            }
            GinOp::HasKey => match query {
                Value::Text(key) => vec![key_items(key)],
                _ => return Ok(Search::All),
            },
            GinOp::HasAny => {
                let items: Vec<Vec<u8>> = keys().iter().flat_map(|k| key_items(k)).collect();
                if items.is_empty() {
                    return Ok(Search::Nothing);
                }
                vec![items]
            }
            GinOp::HasAll => {
                let mut groups: Vec<Vec<Vec<u8>>> = keys().iter().map(|k| key_items(k)).collect();
                groups.sort_unstable();
                groups.dedup();
                if groups.is_empty() {
                    return Ok(Search::All);
                }
                groups
            }
        };
        Ok(Search::Groups(groups))
    }
}

fn parse_jsonb(value: &Value) -> SqlResult<Json> {
    match value {
        Value::Text(text) => crate::json::parse(text, "jsonb"),
        other => Err(SqlError::new(
            code::INTERNAL_ERROR,
            format!("a GIN index on jsonb got {other:?}"),
        )),
    }
}

/// An item of a jsonb value: a tag and a text, as a text key.
fn text_item(tag: char, text: &str) -> Vec<u8> {
    let mut item = String::with_capacity(text.len() + 1);
    item.push(tag);
    item.push_str(text);
    crate::exec::row_key(&[(Value::Text(item), DataType::Text)])
}

/// The items of a jsonb value and of everything in it, each with its tag.
fn json_items(json: &Json, out: &mut Vec<(char, Vec<u8>)>) {
    let push = |out: &mut Vec<_>, tag: char, text: &str| out.push((tag, text_item(tag, text)));
    match &json.kind {
        Kind::Object(members) => {
            for (key, value) in members {
                push(out, 'K', key);
                json_items(value, out);
            }
        }
        Kind::Array(elements) => {
            for element in elements {
                json_items(element, out);
            }
        }
        Kind::String(s) => push(out, 'S', s),
        Kind::Number(n) => push(out, 'N', &canonical_number(n)),
        Kind::Bool(true) => push(out, 'T', ""),
        Kind::Bool(false) => push(out, 'F', ""),
        Kind::Null => push(out, 'Z', ""),
    }
}

/// A JSON number as one text for every spelling of its value (`1`, `1.0`, `1e0`, `-0`).
fn canonical_number(written: &str) -> String {
    let Ok(number) = crate::numeric::Numeric::parse(written) else {
        return written.to_string();
    };
    let text = number.to_string();
    let text = match text.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => text,
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonb(text: &str) -> Value {
        Value::Text(text.to_string())
    }

    /// Whether a row whose value has `row`'s items may match `search`.
    fn admits(row: &[Vec<u8>], search: &Search) -> bool {
        match search {
            Search::All => true,
            Search::Nothing => false,
            Search::Groups(groups) => groups.iter().all(|g| g.iter().any(|i| row.contains(i))),
        }
    }

    #[test]
    fn containment_implies_items() {
        let class = GinClass::JsonbOps;
        let cases = [
            (
                r#"{"a": 1, "b": [1, "x", {"c": null}]}"#,
                r#"{"b": [{"c": null}]}"#,
            ),
            (r#"{"a": 1.50}"#, r#"{"a": 1.5}"#),
            (r#"["x", "y"]"#, r#""x""#),
            (r#"{"a": {"b": true}}"#, r#"{"a": {}}"#),
        ];
        for (row, query) in cases {
            let items = class.items(&jsonb(row), DataType::Jsonb).unwrap();
            let search = class.search(GinOp::Contains, &jsonb(query), DataType::Jsonb);
            assert!(admits(&items, &search.unwrap()), "{row} @> {query}");
        }
        let items = class.items(&jsonb(r#"{"a": 2}"#), DataType::Jsonb).unwrap();
        let search = class.search(GinOp::Contains, &jsonb(r#"{"a": 1}"#), DataType::Jsonb);
        assert!(!admits(&items, &search.unwrap()));
        let search = class.search(GinOp::Contains, &jsonb("{}"), DataType::Jsonb);
        assert_eq!(search.unwrap(), Search::All);
    }

    #[test]
    fn keys_and_arrays() {
        let class = GinClass::JsonbOps;
        let items = class.items(&jsonb(r#"["k", 2]"#), DataType::Jsonb).unwrap();
        let key = |k: &str| {
            class
                .search(GinOp::HasKey, &jsonb(k), DataType::Jsonb)
                .unwrap()
        };
        assert!(admits(&items, &key("k")));
        assert!(!admits(&items, &key("2")));
        let ints = DataType::Int4.array();
        let array = |items: Vec<i64>| {
            Value::Array(Box::new(crate::array::Array::one_dim(
                items.into_iter().map(Value::Int).collect(),
            )))
        };
        let row = GinClass::ArrayOps
            .items(&array(vec![1, 2, 2, 3]), ints)
            .unwrap();
        assert_eq!(row.len(), 3);
        let overlap = GinClass::ArrayOps.search(GinOp::Overlaps, &array(vec![9, 3]), ints);
        assert!(admits(&row, &overlap.unwrap()));
        let contains = GinClass::ArrayOps.search(GinOp::Contains, &array(vec![1, 4]), ints);
        assert!(!admits(&row, &contains.unwrap()));
        let empty = GinClass::ArrayOps.search(GinOp::Overlaps, &array(vec![]), ints);
        assert_eq!(empty.unwrap(), Search::Nothing);
        assert_eq!(canonical_number("1.500"), "1.5");
        assert_eq!(canonical_number("-0.0"), "0");
        assert_eq!(canonical_number("1e2"), "100");
    }
}
