//! Composite types: `CREATE TYPE point3 AS (x float8, y float8, label text)`.
//!
//! A composite type is a named list of fields ([`CompositeDef`]). Its values are records: a
//! `Value::Record` of the fields' values, of type `DataType::Record(RecordShape::Composite(id))`.
//! Everything Keel already does with records (a row constructor's `ROW(1, 'a')`, a table's whole
//! row) serves it unchanged, since all of it asks the shape for its fields: text output
//! (`record_out`: `(1,a)`), binary output (`record_send`), comparison and sorting field by
//! field, key encoding (so a composite column can be indexed, grouped and hashed), storage (a
//! record is a row inside the row) and `(value).field`. What a named type adds:
//!
//! - **a name and OIDs**: `pg_type` lists the type (`typtype 'c'`) and its relation
//!   (`typrelid`, a `pg_class` row of relkind 'c' whose `pg_attribute` rows are the fields), as
//!   PostgreSQL does, so psql's `\d point3` and pg_dump find it;
//! - **input**: [`parse_record`] reads PostgreSQL's `record_in` text (`'(1,"a b")'::point3`),
//!   and a record of the same number of fields casts to the type field by field (`ROW(1, 'a')`
//!   assigned to a column of it);
//! - **columns** of the type, checked on the way in as any other column's values are.
//!
//! Field names and the type's name are needed where only a `DataType` is at hand (output,
//! `(p).x`), so definitions are kept in a process-wide registry by id ([`register`]), as enum
//! types and domains are: catalogs read at startup and DDL register them; ids are never reused.
//! Names handed out as `&'static str` are leaked once per distinct definition (a DDL statement
//! makes at most one), as interned anonymous record shapes are.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::error::{code, SqlError, SqlResult};
use crate::types::{DataType, Value};

/// One composite type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositeDef {
    /// `pg_type.oid` is [`oid`] of this id.
    pub id: u64,
    /// The id of its relation (`pg_type.typrelid`, a `pg_class` row of relkind 'c').
    pub relid: u64,
    /// The catalog key (`schema.name`).
    pub name: String,
    pub fields: Vec<CompositeField>,
    #[serde(default)]
    pub owner: Option<String>,
}

/// One field (attribute) of a composite type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositeField {
    pub name: String,
    pub ty: DataType,
}

impl CompositeDef {
    /// The type's name without its schema.
    pub fn relname(&self) -> &str {
        crate::catalog::relname(&self.name)
    }

    /// `pg_type.oid`.
    pub fn oid(&self) -> i64 {
        oid(self.id)
    }

    /// `pg_class.oid` of the type's relation.
    pub fn relation_oid(&self) -> i64 {
        crate::system::enum_oid(self.relid)
    }

    /// The type of its values.
    pub fn data_type(&self) -> DataType {
        data_type(self.id)
    }

    /// The position of field `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|field| field.name == name)
    }
}

/// The OID of composite type `id` (from the catalog's ids, as a table's or an enum type's).
pub fn oid(id: u64) -> i64 {
    crate::system::enum_oid(id)
}

/// The OID of composite type `id`'s array type (`_name`), in the range enum types' arrays take
/// theirs from (ids are shared, so they never meet).
pub fn array_oid(id: u64) -> i64 {
    crate::system::enum_array_oid(id)
}

/// The composite type whose array type's OID is `oid`, when one is registered.
pub fn by_array_oid(oid: i64) -> Option<CompositeDef> {
    let id = u32::try_from(oid.checked_sub(array_oid(0))?).ok()?;
    lookup(id)
}

/// The type of values of composite type `id`.
pub fn data_type(id: u64) -> DataType {
    DataType::Record(crate::types::RecordShape::Composite(id as u32))
}

/// The composite type id a type is, if it is one.
pub fn type_id(ty: DataType) -> Option<u32> {
    match ty {
        DataType::Record(crate::types::RecordShape::Composite(id)) => Some(id),
        _ => None,
    }
}

/// A registered definition, with the names [`fields`] and [`type_name`] hand out.
struct Registered {
    def: CompositeDef,
    name: &'static str,
    fields: Vec<(&'static str, DataType)>,
}

static REGISTRY: RwLock<Option<HashMap<u32, Arc<Registered>>>> = RwLock::new(None);

/// Makes `def` the definition of its type for [`fields`], [`type_name`] and [`lookup`] (a
/// newer one replaces it; the same one again changes nothing).
pub fn register(def: &CompositeDef) {
    let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    let map = registry.get_or_insert_with(HashMap::new);
    if map
        .get(&(def.id as u32))
        .is_some_and(|known| known.def == *def)
    {
        return;
    }
    let leak = |name: &str| &*Box::leak(name.to_string().into_boxed_str());
    let registered = Registered {
        def: def.clone(),
        name: leak(def.relname()),
        fields: (def.fields.iter())
            .map(|field| (leak(&field.name), field.ty))
            .collect(),
    };
    map.insert(def.id as u32, Arc::new(registered));
}

fn registered(id: u32) -> Option<Arc<Registered>> {
    let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    registry.as_ref()?.get(&id).cloned()
}

/// The registered definition of composite type `id`.
pub fn lookup(id: u32) -> Option<CompositeDef> {
    registered(id).map(|r| r.def.clone())
}

/// The composite type whose OID is `oid`, when one is registered.
pub fn by_oid(oid: i64) -> Option<CompositeDef> {
    let id = u32::try_from(oid.checked_sub(crate::system::enum_oid(0))?).ok()?;
    lookup(id)
}

/// The fields of composite type `id` (none for a type no catalog has).
pub fn fields(id: u32) -> Vec<(&'static str, DataType)> {
    registered(id).map(|r| r.fields.clone()).unwrap_or_default()
}

/// The name of composite type `id`, without its schema.
pub fn type_name(id: u32) -> Option<&'static str> {
    registered(id).map(|r| r.name)
}

/// Whether a value of type `ty` holds values of type `target` (an enum or composite type): is
/// one, an array of them, or a composite type with a field that holds them.
pub fn holds(ty: DataType, target: DataType) -> bool {
    let ty = ty.element().unwrap_or(ty);
    ty == target
        || type_id(ty).is_some_and(|own| fields(own).iter().any(|&(_, f)| holds(f, target)))
}

/// PostgreSQL's `record_in`: the text `(a,"b c",)` as a record of `types`: fields separated by
/// commas inside parentheses, an empty unquoted field NULL, `"` quoting (`""` a quote inside),
/// `\` escaping the next character; white space is kept, and only white space may follow the
/// closing parenthesis. Each field is read with its type's input.
pub fn parse_record(
    text: &str,
    types: &[DataType],
    zone: &crate::tz::Zone,
) -> SqlResult<Vec<Value>> {
    let malformed = |detail: &str| {
        SqlError::new(
            code::INVALID_TEXT_REPRESENTATION,
            format!("malformed record literal: \"{text}\""),
        )
        .with_detail(detail)
    };
    let mut chars = text.trim_start().chars().peekable();
    if chars.next() != Some('(') {
        return Err(malformed("Missing left parenthesis."));
    }
    let mut values = Vec::with_capacity(types.len());
    for (i, &ty) in types.iter().enumerate() {
        if i > 0 {
            match chars.next() {
                Some(',') => {}
                _ => return Err(malformed("Too few columns.")),
            }
        }
        if matches!(chars.peek(), Some(',') | Some(')')) {
            values.push(Value::Null);
            continue;
        }
        let mut field = String::new();
        let mut quoted = false;
        loop {
            match chars.peek().copied() {
                None => return Err(malformed("Unexpected end of input.")),
                Some(',') | Some(')') if !quoted => break,
                Some('\\') => {
                    chars.next();
                    match chars.next() {
                        Some(c) => field.push(c),
                        None => return Err(malformed("Unexpected end of input.")),
                    }
                }
                Some('"') => {
                    chars.next();
                    if quoted && chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = !quoted;
                    }
                }
                Some(c) => {
                    chars.next();
                    field.push(c);
                }
            }
        }
        values.push(crate::types::parse_text_in(&field, ty, zone)?);
    }
    match chars.next() {
        Some(')') => {}
        Some(',') => return Err(malformed("Too many columns.")),
        _ => return Err(malformed("Too few columns.")),
    }
    if chars.any(|c| !c.is_ascii_whitespace()) {
        return Err(malformed("Junk after right parenthesis."));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, types: &[DataType]) -> SqlResult<Vec<Value>> {
        parse_record(text, types, &crate::tz::Zone::UTC)
    }

    #[test]
    fn record_in_reads_postgres_text() {
        let types = [DataType::Int4, DataType::Text, DataType::Text];
        assert_eq!(
            parse(" (1,\"a, \"\"b\"\"\",)", &types).unwrap(),
            vec![Value::Int(1), Value::Text("a, \"b\"".into()), Value::Null]
        );
        assert_eq!(
            parse("(2,\"\",x\\)y)  ", &types).unwrap(),
            vec![
                Value::Int(2),
                Value::Text(String::new()),
                Value::Text("x)y".into())
            ]
        );
        let detail = |text: &str| {
            parse(text, &types)
                .unwrap_err()
                .detail
                .clone()
                .unwrap()
                .to_string()
        };
        assert_eq!(detail("1,2,3"), "Missing left parenthesis.");
        assert_eq!(detail("(1,2)"), "Too few columns.");
        assert_eq!(detail("(1,2,3,4)"), "Too many columns.");
        assert_eq!(detail("(1,2,3) x"), "Junk after right parenthesis.");
        assert_eq!(detail("(1,\"2"), "Unexpected end of input.");
        let error = parse("(x,2,3)", &types).unwrap_err();
        assert_eq!(error.code, code::INVALID_TEXT_REPRESENTATION);
        assert!(error.message.contains("integer"), "{}", error.message);
    }

    #[test]
    fn registry_names_fields() {
        let def = CompositeDef {
            id: 900_001,
            relid: 900_002,
            name: "public.pair".into(),
            fields: vec![
                CompositeField {
                    name: "a".into(),
                    ty: DataType::Int4,
                },
                CompositeField {
                    name: "b".into(),
                    ty: DataType::Text,
                },
            ],
            owner: None,
        };
        register(&def);
        let id = def.id as u32;
        assert_eq!(type_name(id), Some("pair"));
        assert_eq!(
            fields(id),
            vec![("a", DataType::Int4), ("b", DataType::Text)]
        );
        assert_eq!(def.data_type().name(), "pair");
        assert!(holds(def.data_type().array(), def.data_type()));
        assert!(holds(def.data_type(), DataType::Text));
        assert!(!holds(DataType::Int4, def.data_type()));
        assert_eq!(
            by_oid(def.oid()).map(|d| d.name),
            Some("public.pair".into())
        );
    }
}
