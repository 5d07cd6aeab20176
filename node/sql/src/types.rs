//! SQL types and values with PostgreSQL's text and binary forms, casts and comparison.
//!
//! One [`Value`] variant serves a family of types (`Int` for int2/int4/int8, `Text` for text, varchar and
//! char(n)); the [`DataType`] carried beside it by the binder decides range checks, padding and the
//! wire form. Timestamps are microseconds since 2000-01-01 00:00:00 UTC, PostgreSQL's own epoch, so the
//! binary wire form is the value itself.

use std::cmp::Ordering;
use std::fmt::Write as _;

use crate::numeric::Numeric;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::datetime::{
    format_date, format_interval, parse_date, parse_interval, Interval, USECS_PER_DAY,
};
use crate::error::{code, SqlError, SqlResult};

/// Serde for varchar's length in the catalog: unbounded (None) as 0, a length no varchar(n)
/// has, since TOML (the catalog image's format) has no null; a bounded length is written as
/// before (the number), so older images read back unchanged.
mod varchar_length {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(length: &Option<u32>, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_u32(length.unwrap_or(0))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Option<u32>, D::Error> {
        let length = u32::deserialize(input)?;
        Ok((length != 0).then_some(length))
    }
}

/// A SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataType {
    Bool,
    Int2,
    Int4,
    Int8,
    /// `real`: held as `Value::Float` with a value an f32 represents exactly; arithmetic rounds
    /// each result to single precision.
    Float4,
    Float8,
    Numeric,
    /// numeric(precision, scale): a column type; values are rounded to the scale on the way
    /// in, and expressions over the column see plain numeric.
    Decimal(u16, i16),
    Text,
    /// varchar(n); `None` is unbounded.
    Varchar(#[serde(with = "varchar_length")] Option<u32>),
    /// char(n), blank-padded; `Char(0)` is `bpchar` without a length (any length, kept as
    /// given: char(0) itself is not a type).
    Char(u32),
    Timestamp,
    TimestampTz,
    Date,
    Interval,
    /// Held as its canonical text (lower-case, hyphenated), which orders as the 16 bytes do.
    Uuid,
    Bytea,
    /// Held as the text given (checked).
    Json,
    /// Held in normalized text form (see `crate::json`).
    Jsonb,
    /// An untyped string literal or parameter, resolved by context.
    Unknown,
    /// An array of the element type (any number of dimensions; see `crate::array`).
    Array(Elem),
    /// `int2vector` (`pg_index.indkey`): a one-dimensional smallint array with lower bound 0,
    /// written as its elements separated by spaces.
    Int2Vector,
    /// `oid`: an unsigned 32-bit object identifier, held as an integer (4 bytes on the wire).
    Oid,
    /// `time` (without time zone): microseconds since midnight, held as `Value::Timestamp`.
    Time,
    /// `record` of a known shape (the fields a function returns), held as `Value::Record`.
    Record(RecordShape),
    /// An enum type (`CREATE TYPE ... AS ENUM`), by its id in the catalog: held as
    /// `Value::Int` of the label's sort key, so values order as the labels were declared (see
    /// [`crate::enums`]).
    Enum(u32),
    /// timestamp(p): a column type (like `Decimal` for numeric); values are rounded to `p`
    /// fractional digits of a second on the way in, and expressions over the column see plain
    /// timestamp. Also `TimestampTzP` (timestamptz(p)) and `TimeP` (time(p)).
    TimestampP(u8),
    TimestampTzP(u8),
    TimeP(u8),
    /// `interval` with fields or a precision (`interval(3)`, `interval hour to minute`): a
    /// column type like `TimestampP`, by PostgreSQL's typmod (the field range mask above 16
    /// bits, the precision below; see [`crate::datetime::adjust_interval`]).
    IntervalP(u32),
    /// An object identifier type (`regclass`, `regtype`, `regnamespace`, `regrole`...): an OID held as
    /// `Value::Int` that compares and converts as `oid` does, and prints as the object's name.
    /// Naming needs the catalog, so a cast to text names it when bound, and a column of this
    /// type sent to a client in text form is named by the session (see `Session::reg_name`).
    Reg(RegKind),
    /// `jsonpath`: held as the path's canonical text (see [`crate::jsonpath::normalize`]).
    JsonPath,
}

/// Which object an OID-alias type ([`DataType::Reg`]) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegKind {
    Class,
    Type,
    Namespace,
    /// regrole: a role by its name.
    Role,
    /// regproc: a function by its name.
    Proc,
    /// regprocedure: a function by its name and argument types.
    Procedure,
    /// regoper: an operator by its name. Keel lists no operators (pg_operator is empty), so
    /// every value prints as its number and no name converts.
    Oper,
    /// regoperator: an operator by its name and operand types (as regoper).
    Operator,
}

impl RegKind {
    /// The type's name (`regclass`...).
    pub fn type_name(self) -> &'static str {
        match self {
            RegKind::Class => "regclass",
            RegKind::Type => "regtype",
            RegKind::Namespace => "regnamespace",
            RegKind::Role => "regrole",
            RegKind::Proc => "regproc",
            RegKind::Procedure => "regprocedure",
            RegKind::Oper => "regoper",
            RegKind::Operator => "regoperator",
        }
    }

    /// The kind a reg* type name spells, if any.
    pub fn from_name(name: &str) -> Option<RegKind> {
        match name {
            "regclass" => Some(RegKind::Class),
            "regtype" => Some(RegKind::Type),
            "regnamespace" => Some(RegKind::Namespace),
            "regrole" => Some(RegKind::Role),
            "regproc" => Some(RegKind::Proc),
            "regprocedure" => Some(RegKind::Procedure),
            "regoper" => Some(RegKind::Oper),
            "regoperator" => Some(RegKind::Operator),
            _ => None,
        }
    }
}

/// Rounds microseconds to `precision` fractional digits of a second, half away from zero, as
/// PostgreSQL's `AdjustTimestampForTypmod` does (infinities stay).
pub fn round_seconds(micros: i64, precision: u8) -> i64 {
    if precision >= 6 || micros == i64::MIN || micros == i64::MAX {
        return micros;
    }
    let scale = 10i64.pow(6 - u32::from(precision));
    let rounded = (micros.unsigned_abs() + scale as u64 / 2) / scale as u64 * scale as u64;
    if micros < 0 {
        -(rounded as i64)
    } else {
        rounded as i64
    }
}

/// A timestamp or time value rounded to `precision` fractional digits ([`round_seconds`]).
fn round_value(value: Value, precision: u8) -> Value {
    match value {
        Value::Timestamp(t) => Value::Timestamp(round_seconds(t, precision)),
        other => other,
    }
}

/// The fields of a record type Keel knows: what a record-returning function gives, or what a
/// row constructor makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordShape {
    /// `information_schema._pg_expandarray(array)`: `(x element, n integer)`.
    ExpandArray(Elem),
    /// A row constructor's `ROW(a, b)` / `(a, b)`: fields `f1`, `f2`... of the types interned
    /// under this number ([`RecordShape::anonymous`]).
    Anonymous(u32),
    /// A composite type (`CREATE TYPE t AS (...)`) by its id in the catalog; its fields are
    /// registered (see [`crate::composites`]).
    Composite(u32),
}

/// Record shapes by number: interned so that `DataType` stays `Copy`. A process makes few
/// distinct shapes (one per distinct list of field types, and per table whose whole row a
/// query names), and keeps them.
static ANONYMOUS_SHAPES: std::sync::RwLock<Vec<InternedShape>> = std::sync::RwLock::new(Vec::new());

/// One interned record shape: its field types, and for a table's row type (a whole-row
/// reference, `SELECT t FROM t`) the type's name and the fields' names (else `f1`, `f2`...).
#[derive(PartialEq)]
struct InternedShape {
    types: Vec<DataType>,
    named: Option<(&'static str, Vec<&'static str>)>,
}

/// `f1`, `f2`, ...: anonymous records' field names, as PostgreSQL names them (made once).
fn anonymous_field_name(index: usize) -> &'static str {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        (1..=MAX_RECORD_FIELDS)
            .map(|n| &*Box::leak(format!("f{n}").into_boxed_str()))
            .collect()
    });
    names.get(index).copied().unwrap_or("f")
}

/// The most fields a row constructor may have (PostgreSQL's limit on a row's columns).
pub const MAX_RECORD_FIELDS: usize = 1664;

impl RecordShape {
    /// The shape of a row constructor whose fields have these types.
    pub fn anonymous(types: &[DataType]) -> RecordShape {
        RecordShape::intern(types, None)
    }

    /// The row type of a table named `type_name` (a whole-row reference's): fields `names` of
    /// `types`.
    pub fn named(type_name: &str, names: &[String], types: &[DataType]) -> RecordShape {
        RecordShape::intern(types, Some((type_name, names)))
    }

    fn intern(types: &[DataType], named: Option<(&str, &[String])>) -> RecordShape {
        let same = |shape: &InternedShape| {
            shape.types == types
                && match (&shape.named, named) {
                    (None, None) => true,
                    (Some((ty, fields)), Some((name, names))) => {
                        *ty == name && fields.iter().copied().eq(names.iter().map(String::as_str))
                    }
                    _ => false,
                }
        };
        let shapes = ANONYMOUS_SHAPES.read().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = shapes.iter().position(same) {
            return RecordShape::Anonymous(at as u32);
        }
        drop(shapes);
        let mut shapes = ANONYMOUS_SHAPES.write().unwrap_or_else(|p| p.into_inner());
        let at = shapes.iter().position(same).unwrap_or_else(|| {
            let leak = |name: &str| &*Box::leak(name.to_string().into_boxed_str());
            shapes.push(InternedShape {
                types: types.to_vec(),
                named: named.map(|(ty, names)| (leak(ty), names.iter().map(|n| leak(n)).collect())),
            });
            shapes.len() - 1
        });
        RecordShape::Anonymous(at as u32)
    }

    /// A table row type's or composite type's name (None for an anonymous record).
    pub fn type_name(self) -> Option<&'static str> {
        let at = match self {
            RecordShape::Anonymous(at) => at,
            RecordShape::Composite(id) => return crate::composites::type_name(id),
            RecordShape::ExpandArray(_) => return None,
        };
        let shapes = ANONYMOUS_SHAPES.read().unwrap_or_else(|p| p.into_inner());
        shapes.get(at as usize)?.named.as_ref().map(|(ty, _)| *ty)
    }

    /// The fields' names and types.
    pub fn fields(self) -> Vec<(&'static str, DataType)> {
        match self {
            RecordShape::ExpandArray(elem) => vec![("x", elem.ty()), ("n", DataType::Int4)],
            RecordShape::Composite(id) => crate::composites::fields(id),
            RecordShape::Anonymous(at) => ANONYMOUS_SHAPES
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(at as usize)
                .map(|shape| {
                    let name = |i: usize| match &shape.named {
                        Some((_, names)) => names[i],
                        None => anonymous_field_name(i),
                    };
                    (shape.types.iter().enumerate())
                        .map(|(i, ty)| (name(i), *ty))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The element type of an array type: a base type with its modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Elem {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Decimal(u16, i16),
    Text,
    Varchar(#[serde(with = "varchar_length")] Option<u32>),
    Char(u32),
    Timestamp,
    TimestampTz,
    Date,
    Interval,
    Uuid,
    Bytea,
    Json,
    Jsonb,
    Oid,
    Time,
    /// An enum type's values (their sort keys), by the type's id.
    Enum(u32),
    /// Anonymous records (`ROW(...)`) of the field types interned under this number (see
    /// [`RecordShape::Anonymous`]); never stored in a table (PostgreSQL's record[] is a
    /// pseudo-type).
    Record(u32),
    JsonPath,
    /// A composite type's values (records), by the type's id.
    Composite(u32),
}

impl Elem {
    /// The element's type.
    pub fn ty(self) -> DataType {
        match self {
            Elem::Bool => DataType::Bool,
            Elem::Int2 => DataType::Int2,
            Elem::Int4 => DataType::Int4,
            Elem::Int8 => DataType::Int8,
            Elem::Float4 => DataType::Float4,
            Elem::Float8 => DataType::Float8,
            Elem::Numeric => DataType::Numeric,
            Elem::Decimal(p, s) => DataType::Decimal(p, s),
            Elem::Text => DataType::Text,
            Elem::Varchar(n) => DataType::Varchar(n),
            Elem::Char(n) => DataType::Char(n),
            Elem::Timestamp => DataType::Timestamp,
            Elem::TimestampTz => DataType::TimestampTz,
            Elem::Date => DataType::Date,
            Elem::Interval => DataType::Interval,
            Elem::Uuid => DataType::Uuid,
            Elem::Bytea => DataType::Bytea,
            Elem::Json => DataType::Json,
            Elem::Jsonb => DataType::Jsonb,
            Elem::Oid => DataType::Oid,
            Elem::Time => DataType::Time,
            Elem::JsonPath => DataType::JsonPath,
            Elem::Enum(id) => DataType::Enum(id),
            Elem::Record(shape) => DataType::Record(RecordShape::Anonymous(shape)),
            Elem::Composite(id) => DataType::Record(RecordShape::Composite(id)),
        }
    }
}

impl DataType {
    pub fn oid(self) -> u32 {
        match self {
            DataType::Bool => 16,
            DataType::Int2 => 21,
            DataType::Int4 => 23,
            DataType::Int8 => 20,
            DataType::Float4 => 700,
            DataType::Float8 => 701,
            DataType::Numeric | DataType::Decimal(..) => 1700,
            DataType::Text => 25,
            DataType::Varchar(_) => 1043,
            DataType::Char(_) => 1042,
            DataType::Timestamp => 1114,
            DataType::TimestampTz => 1184,
            DataType::Date => 1082,
            DataType::Interval => 1186,
            DataType::Uuid => 2950,
            DataType::JsonPath => 4072,
            DataType::Bytea => 17,
            DataType::Json => 114,
            DataType::Jsonb => 3802,
            DataType::Unknown => 705,
            DataType::Array(elem) => elem.ty().array_oid() as u32,
            DataType::Int2Vector => 22,
            DataType::Record(RecordShape::Composite(id)) => {
                crate::composites::oid(u64::from(id)) as u32
            }
            DataType::Record(_) => 2249,
            DataType::Oid => 26,
            DataType::Reg(RegKind::Class) => 2205,
            DataType::Reg(RegKind::Type) => 2206,
            DataType::Reg(RegKind::Namespace) => 4089,
            DataType::Reg(RegKind::Role) => 4096,
            DataType::Reg(RegKind::Proc) => 24,
            DataType::Reg(RegKind::Procedure) => 2202,
            DataType::Reg(RegKind::Oper) => 2203,
            DataType::Reg(RegKind::Operator) => 2204,
            DataType::Time => 1083,
            DataType::Enum(id) => crate::system::enum_oid(u64::from(id)) as u32,
            DataType::TimestampP(_)
            | DataType::TimestampTzP(_)
            | DataType::TimeP(_)
            | DataType::IntervalP(_) => self.expression_type().oid(),
        }
    }

    /// The OID of the array type over this type (PostgreSQL's `_int4` and friends); 0 for none.
    pub fn array_oid(self) -> i64 {
        match self {
            DataType::Bool => 1000,
            DataType::Int2 => 1005,
            DataType::Int4 => 1007,
            DataType::Int8 => 1016,
            DataType::Float4 => 1021,
            DataType::Float8 => 1022,
            DataType::Numeric | DataType::Decimal(..) => 1231,
            DataType::Text => 1009,
            DataType::Varchar(_) => 1015,
            DataType::Char(_) => 1014,
            DataType::Timestamp => 1115,
            DataType::TimestampTz => 1185,
            DataType::Date => 1182,
            DataType::Interval => 1187,
            DataType::Uuid => 2951,
            DataType::JsonPath => 4073,
            DataType::Bytea => 1001,
            DataType::Json => 199,
            DataType::Jsonb => 3807,
            DataType::Oid => 1028,
            DataType::Time => 1183,
            DataType::Record(RecordShape::Composite(id)) => {
                crate::composites::array_oid(u64::from(id))
            }
            DataType::Record(_) => 2287,
            DataType::TimestampP(_)
            | DataType::TimestampTzP(_)
            | DataType::TimeP(_)
            | DataType::IntervalP(_) => self.expression_type().array_oid(),
            DataType::Enum(id) => crate::system::enum_array_oid(u64::from(id)),
            DataType::Unknown | DataType::Array(_) | DataType::Int2Vector | DataType::Reg(_) => 0,
        }
    }

    /// The array type over this type (an unknown literal's is text[]; an array's is itself, as
    /// arrays of arrays are multidimensional arrays).
    pub fn array(self) -> DataType {
        DataType::Array(match self {
            DataType::Bool => Elem::Bool,
            DataType::Int2 => Elem::Int2,
            DataType::Int4 => Elem::Int4,
            DataType::Int8 => Elem::Int8,
            DataType::Float4 => Elem::Float4,
            DataType::Float8 => Elem::Float8,
            DataType::Numeric => Elem::Numeric,
            DataType::Decimal(p, s) => Elem::Decimal(p, s),
            DataType::Text | DataType::Unknown => Elem::Text,
            DataType::Varchar(n) => Elem::Varchar(n),
            DataType::Char(n) => Elem::Char(n),
            DataType::Timestamp => Elem::Timestamp,
            DataType::TimestampTz => Elem::TimestampTz,
            DataType::Date => Elem::Date,
            DataType::Interval => Elem::Interval,
            DataType::Uuid => Elem::Uuid,
            DataType::Bytea => Elem::Bytea,
            DataType::Json => Elem::Json,
            DataType::Jsonb => Elem::Jsonb,
            DataType::JsonPath => Elem::JsonPath,
            DataType::Array(elem) => elem,
            DataType::Int2Vector => Elem::Int2,
            DataType::Oid | DataType::Reg(_) => Elem::Oid,
            DataType::Time => Elem::Time,
            DataType::Record(RecordShape::Anonymous(shape)) => Elem::Record(shape),
            DataType::Record(RecordShape::Composite(id)) => Elem::Composite(id),
            // A function's record type's array holds the records' text forms.
            DataType::Record(_) => Elem::Text,
            DataType::Enum(id) => Elem::Enum(id),
            // (Arrays keep no precision: their elements are plain timestamps and times.)
            DataType::TimestampP(_) => Elem::Timestamp,
            DataType::IntervalP(_) => Elem::Interval,
            DataType::TimestampTzP(_) => Elem::TimestampTz,
            DataType::TimeP(_) => Elem::Time,
        })
    }

    /// An array type's element type.
    pub fn element(self) -> Option<DataType> {
        match self {
            DataType::Array(elem) => Some(elem.ty()),
            DataType::Int2Vector => Some(DataType::Int2),
            _ => None,
        }
    }

    /// The type for a parameter type OID sent by a client (`None` for 0, "unspecified").
    pub fn from_oid(oid: u32) -> SqlResult<Option<DataType>> {
        Ok(Some(match oid {
            0 => return Ok(None),
            16 => DataType::Bool,
            21 => DataType::Int2,
            23 => DataType::Int4,
            20 => DataType::Int8,
            701 => DataType::Float8,
            700 => DataType::Float4,
            1700 => DataType::Numeric,
            25 => DataType::Text,
            1043 => DataType::Varchar(None),
            1042 => DataType::Char(1),
            1114 => DataType::Timestamp,
            1184 => DataType::TimestampTz,
            1082 => DataType::Date,
            1186 => DataType::Interval,
            2950 => DataType::Uuid,
            4072 => DataType::JsonPath,
            17 => DataType::Bytea,
            114 => DataType::Json,
            3802 => DataType::Jsonb,
            705 => DataType::Unknown,
            22 => DataType::Int2Vector,
            26 => DataType::Oid,
            2205 => DataType::Reg(RegKind::Class),
            2206 => DataType::Reg(RegKind::Type),
            4089 => DataType::Reg(RegKind::Namespace),
            4096 => DataType::Reg(RegKind::Role),
            24 => DataType::Reg(RegKind::Proc),
            2202 => DataType::Reg(RegKind::Procedure),
            2203 => DataType::Reg(RegKind::Oper),
            2204 => DataType::Reg(RegKind::Operator),
            1083 => DataType::Time,
            // A domain's values are its base type's (see `crate::domains`).
            other if crate::domains::by_oid(i64::from(other)).is_some() => {
                crate::domains::by_oid(i64::from(other))
                    .expect("checked")
                    .base
            }
            // An enum type's (see `system::enum_oid`), or its array type's.
            other if other >= 16_384 && crate::enums::lookup(other - 16_384).is_some() => {
                DataType::Enum(other - 16_384)
            }
            other if crate::system::enum_of_array_oid(i64::from(other)).is_some() => {
                let id = crate::system::enum_of_array_oid(i64::from(other)).expect("checked");
                DataType::Enum(id).array()
            }
            // A composite type's (the same OID ranges as enum types'), or its array type's.
            other if crate::composites::by_oid(i64::from(other)).is_some() => {
                crate::composites::by_oid(i64::from(other))
                    .expect("checked")
                    .data_type()
            }
            other if crate::composites::by_array_oid(i64::from(other)).is_some() => {
                crate::composites::by_array_oid(i64::from(other))
                    .expect("checked")
                    .data_type()
                    .array()
            }
            other => {
                if let Some((_, elem)) = [
                    DataType::Bool,
                    DataType::Int2,
                    DataType::Int4,
                    DataType::Int8,
                    DataType::Float4,
                    DataType::Float8,
                    DataType::Numeric,
                    DataType::Text,
                    DataType::Varchar(None),
                    DataType::Char(1),
                    DataType::Timestamp,
                    DataType::TimestampTz,
                    DataType::Date,
                    DataType::Interval,
                    DataType::Uuid,
                    DataType::Bytea,
                    DataType::Json,
                    DataType::Jsonb,
                    DataType::Oid,
                    DataType::Time,
                    DataType::JsonPath,
                ]
                .into_iter()
                .map(|t| (t.array_oid(), t))
                .find(|(oid, _)| *oid == other as i64)
                {
                    return Ok(Some(elem.array()));
                }
                return Err(SqlError::unsupported(format!(
                    "parameter type with OID {other}"
                )));
            }
        }))
    }

    /// `pg_type.typlen`.
    pub fn size(self) -> i16 {
        match self {
            DataType::Bool => 1,
            DataType::Int2 => 2,
            DataType::Int4
            | DataType::Date
            | DataType::Oid
            | DataType::Reg(_)
            | DataType::Float4
            | DataType::Enum(_) => 4,
            DataType::Interval | DataType::IntervalP(_) | DataType::Uuid => 16,
            DataType::Int8
            | DataType::Float8
            | DataType::Timestamp
            | DataType::TimestampTz
            | DataType::Time
            | DataType::TimestampP(_)
            | DataType::TimestampTzP(_)
            | DataType::TimeP(_) => 8,
            DataType::Unknown => -2,
            _ => -1,
        }
    }

    /// `atttypmod`: declared length + 4 for varchar(n)/char(n), -1 otherwise.
    pub fn type_modifier(self) -> i32 {
        match self {
            DataType::Char(0) => -1,
            DataType::Varchar(Some(n)) | DataType::Char(n) => n as i32 + 4,
            DataType::Decimal(p, s) => (((p as i32) << 16) | (s as i32 & 0x7ff)) + 4,
            DataType::TimestampP(p) | DataType::TimestampTzP(p) | DataType::TimeP(p) => p as i32,
            DataType::IntervalP(typmod) => typmod as i32,
            DataType::Array(elem) => elem.ty().type_modifier(),
            _ => -1,
        }
    }

    /// The name PostgreSQL prints in messages (`format_type`).
    pub fn name(self) -> String {
        match self {
            DataType::Bool => "boolean".into(),
            DataType::Int2 => "smallint".into(),
            DataType::Int4 => "integer".into(),
            DataType::Int8 => "bigint".into(),
            DataType::Float4 => "real".into(),
            DataType::Float8 => "double precision".into(),
            DataType::Numeric => "numeric".into(),
            DataType::Decimal(p, s) => format!("numeric({p},{s})"),
            DataType::Text => "text".into(),
            DataType::Varchar(None) => "character varying".into(),
            DataType::Varchar(Some(n)) => format!("character varying({n})"),
            DataType::Char(0) => "character".into(),
            DataType::Char(n) => format!("character({n})"),
            DataType::Timestamp => "timestamp without time zone".into(),
            DataType::TimestampTz => "timestamp with time zone".into(),
            DataType::Date => "date".into(),
            DataType::Interval => "interval".into(),
            DataType::Uuid => "uuid".into(),
            DataType::Bytea => "bytea".into(),
            DataType::Json => "json".into(),
            DataType::Jsonb => "jsonb".into(),
            DataType::JsonPath => "jsonpath".into(),
            DataType::Unknown => "unknown".into(),
            DataType::Array(elem) => format!("{}[]", elem.ty().name()),
            DataType::Int2Vector => "int2vector".into(),
            DataType::Record(shape) => shape.type_name().unwrap_or("record").into(),
            DataType::Oid => "oid".into(),
            DataType::Reg(kind) => kind.type_name().into(),
            DataType::Time => "time without time zone".into(),
            DataType::Enum(id) => crate::enums::type_name(id),
            DataType::TimestampP(p) => format!("timestamp({p}) without time zone"),
            DataType::IntervalP(typmod) => crate::datetime::interval_type_name(typmod as i64),
            DataType::TimestampTzP(p) => format!("timestamp({p}) with time zone"),
            DataType::TimeP(p) => format!("time({p}) without time zone"),
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(
            self,
            DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Oid | DataType::Reg(_)
        )
    }
    pub fn is_numeric_family(self) -> bool {
        self.is_integer()
            || matches!(
                self,
                DataType::Float4 | DataType::Float8 | DataType::Numeric | DataType::Decimal(..)
            )
    }

    /// The type expressions over a column of this type see (numeric(p,s) is numeric,
    /// timestamp(p) timestamp).
    pub fn expression_type(self) -> DataType {
        match self {
            DataType::Decimal(..) => DataType::Numeric,
            DataType::TimestampP(_) => DataType::Timestamp,
            DataType::IntervalP(_) => DataType::Interval,
            DataType::TimestampTzP(_) => DataType::TimestampTz,
            DataType::TimeP(_) => DataType::Time,
            other => other,
        }
    }
    /// A record type's fields, names and types (none for another type).
    pub fn record_fields(self) -> Vec<(&'static str, DataType)> {
        match self {
            DataType::Record(shape) => shape.fields(),
            _ => Vec::new(),
        }
    }

    /// A record type's fields' types (none for another type).
    pub fn record_field_types(self) -> Vec<DataType> {
        (self.record_fields().into_iter())
            .map(|(_, ty)| ty)
            .collect()
    }

    /// Whether a column of this type holds values of `ty` directly (`ty` itself or an array of
    /// it): what PostgreSQL's dependency of a column on a type records.
    pub fn uses_type(self, ty: DataType) -> bool {
        self == ty || self == ty.array()
    }

    pub fn is_string(self) -> bool {
        matches!(
            self,
            DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Unknown
        )
    }
    pub fn is_timestamp(self) -> bool {
        matches!(
            self.expression_type(),
            DataType::Timestamp | DataType::TimestampTz
        )
    }
    /// Whether the key encoding of this type's values ([`encode_key`]) sorts as the values do
    /// (ORDER BY's order): integers, booleans, dates and times, enums (their sort keys), uuid and
    /// text (which Keel compares byte by byte); not numeric (normalized text), floats, char(n),
    /// arrays and the rest.
    pub fn key_ordered(self) -> bool {
        matches!(
            self.expression_type(),
            DataType::Int2
                | DataType::Int4
                | DataType::Int8
                | DataType::Oid
                | DataType::Bool
                | DataType::Date
                | DataType::Time
                | DataType::Timestamp
                | DataType::TimestampTz
                | DataType::Enum(_)
                | DataType::Uuid
                | DataType::Text
                | DataType::Varchar(_)
        )
    }

    /// Dates and timestamps (comparable with each other).
    pub fn is_datetime(self) -> bool {
        self.is_timestamp() || self == DataType::Date
    }
}

/// A SQL value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A numeric that fits a Decimal (96-bit mantissa, at most 28 decimals): nearly all of them,
    /// kept as a plain 16-byte copy so that expressions over numbers stay cheap.
    Numeric(Decimal),
    /// Any other numeric: more digits than a Decimal holds, NaN or ±Infinity; never a value
    /// `Numeric` can hold ([`Value::numeric`] picks). See `crate::numeric`.
    BigNumeric(Numeric),
    Text(String),
    /// Microseconds since 2000-01-01 00:00:00 (UTC for timestamptz).
    Timestamp(i64),
    /// Days since 2000-01-01.
    Date(i32),
    Interval(Interval),
    Bytes(Vec<u8>),
    Array(Box<crate::array::Array>),
    /// A record's fields (type `DataType::Record`, which names them).
    Record(Box<Vec<Value>>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A numeric as a value: [`Value::Numeric`] when it fits a Decimal, else
    /// [`Value::BigNumeric`].
    #[inline]
    pub fn numeric(n: Numeric) -> Value {
        match n {
            Numeric::Small(d) => Value::Numeric(d),
            other => Value::BigNumeric(other),
        }
    }

    /// The numeric this value holds, if it is one.
    #[inline]
    pub fn as_numeric(&self) -> Option<Numeric> {
        match self {
            Value::Numeric(d) => Some(Numeric::Small(*d)),
            Value::BigNumeric(n) => Some(n.clone()),
            _ => None,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Value::Numeric(_) | Value::BigNumeric(_))
    }
}

fn invalid_input(ty: DataType, text: &str) -> SqlError {
    let type_name = match ty {
        DataType::Varchar(_) | DataType::Char(_) => "text".to_string(),
        other => other.name(),
    };
    SqlError::new(
        code::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type {type_name}: \"{text}\""),
    )
}

fn out_of_range(ty: DataType) -> SqlError {
    match ty {
        DataType::Int2 => SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "smallint out of range"),
        DataType::Int8 => SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range"),
        _ => SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range"),
    }
}

/// Checks that `value` fits the integer type `ty`.
pub fn check_int(value: i64, ty: DataType) -> SqlResult<i64> {
    let fits = match ty {
        DataType::Int2 => i16::try_from(value).is_ok(),
        DataType::Int4 => i32::try_from(value).is_ok(),
        DataType::Oid | DataType::Reg(_) => u32::try_from(value).is_ok(),
        _ => true,
    };
    if fits {
        Ok(value)
    } else {
        Err(out_of_range(ty))
    }
}

/// Parses PostgreSQL's text form of `ty` (a timestamptz without an offset in UTC).
pub fn parse_text(text: &str, ty: DataType) -> SqlResult<Value> {
    parse_text_in(text, ty, &crate::tz::Zone::UTC)
}

/// [`parse_text`] with a timestamptz (also an array's) without an offset read in `zone`: a
/// session's `TimeZone`.
pub fn parse_text_in(text: &str, ty: DataType, zone: &crate::tz::Zone) -> SqlResult<Value> {
    let trimmed = text.trim();
    Ok(match ty {
        DataType::TimestampP(p) | DataType::TimestampTzP(p) | DataType::TimeP(p) => {
            round_value(parse_text_in(text, ty.expression_type(), zone)?, p)
        }
        DataType::IntervalP(typmod) => {
            // The fields give a bare number its unit (`'5'::interval hour`); a number before
            // a time is still days (`'2 03:04:05'`).
            let bare = trimmed.parse::<f64>().is_ok();
            let unit = crate::datetime::interval_bare_unit(typmod).filter(|_| bare);
            let parsed = crate::datetime::parse_interval(text, unit)?;
            Value::Interval(crate::datetime::adjust_interval(parsed, typmod))
        }
        // A label is taken exactly as written.
        DataType::Enum(id) => Value::Int(crate::enums::parse(id, text)?),
        DataType::Bool => match parse_bool(trimmed) {
            Some(value) => Value::Bool(value),
            None => {
                return Err(SqlError::new(
                    code::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type boolean: \"{text}\""),
                ))
            }
        },
        DataType::Oid | DataType::Reg(_) => {
            // As PostgreSQL's oidin: a negative value wraps around.
            let parsed: i64 = trimmed.parse().map_err(|_| invalid_input(ty, text))?;
            match parsed {
                0..=0xFFFF_FFFF => Value::Int(parsed),
                -0x8000_0000..=-1 => Value::Int(parsed + (1 << 32)),
                _ => return Err(value_out_of_range_for(text, ty)),
            }
        }
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            let parsed: i64 = match trimmed.parse::<i128>() {
                Ok(wide) => i64::try_from(wide).map_err(|_| value_out_of_range_for(text, ty))?,
                Err(_) => return Err(invalid_input(ty, text)),
            };
            check_int(parsed, ty).map_err(|_| value_out_of_range_for(text, ty))?;
            Value::Int(parsed)
        }
        DataType::Float8 => {
            let value = parse_float(trimmed).ok_or_else(|| invalid_input(ty, text))?;
            if value.is_infinite() && !trimmed.to_ascii_lowercase().contains("inf")
                || value == 0.0 && has_nonzero_digit(trimmed)
            {
                return Err(float_text_out_of_range(text, ty));
            }
            Value::Float(value)
        }
        DataType::Float4 => Value::Float(parse_float4(text)?),
        DataType::Numeric => Value::numeric(numeric_input(text)?),
        DataType::Decimal(p, s) => match typmod_decimal(text, p, s) {
            Some(value) => Value::Numeric(value),
            None => Value::numeric(numeric_input(text)?.apply_typmod(p, s)?),
        },
        DataType::Text | DataType::Unknown => Value::Text(text.to_string()),
        DataType::Varchar(limit) => Value::Text(fit_varchar(text, limit, false)?),
        DataType::Char(n) => Value::Text(fit_char(text, n, false)?),
        DataType::Date => Value::Date(parse_date(text)?),
        DataType::Interval => Value::Interval(parse_interval(text, None)?),
        DataType::Uuid => Value::Text(parse_uuid(text)?),
        DataType::Bytea => Value::Bytes(parse_bytea(text)?),
        DataType::Json => Value::Text(crate::json::json_in(text)?),
        DataType::Jsonb => Value::Text(crate::json::jsonb_in(text)?),
        DataType::JsonPath => Value::Text(crate::jsonpath::normalize(text)?),
        DataType::Array(elem) => {
            Value::Array(Box::new(crate::array::parse_in(text, elem.ty(), zone)?))
        }
        DataType::Int2Vector => {
            let items = text
                .split_whitespace()
                .map(|item| parse_text(item, DataType::Int2))
                .collect::<SqlResult<Vec<_>>>()?;
            let mut array = crate::array::Array::one_dim(items);
            if let Some(dim) = array.dims.first_mut() {
                dim.lower = 0;
            }
            Value::Array(Box::new(array))
        }
        DataType::Record(RecordShape::Composite(id)) => {
            let types: Vec<DataType> = crate::composites::fields(id)
                .into_iter()
                .map(|(_, ty)| ty)
                .collect();
            Value::Record(Box::new(crate::composites::parse_record(
                text, &types, zone,
            )?))
        }
        DataType::Record(_) => return Err(anonymous_record_input()),
        DataType::Time => Value::Timestamp(parse_time(trimmed).ok_or_else(|| {
            // Well-formed numbers out of range are a field overflow, as in PostgreSQL.
            let numeric = trimmed.contains(':')
                && trimmed
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.'));
            if numeric {
                crate::datetime::field_overflow(text)
            } else {
                SqlError::new(
                    code::INVALID_DATETIME_FORMAT,
                    format!("invalid input syntax for type time: \"{text}\""),
                )
            }
        })?),
        DataType::Timestamp | DataType::TimestampTz => Value::Timestamp(
            parse_timestamp_in(trimmed, (ty == DataType::TimestampTz).then_some(zone)).ok_or_else(
                || {
                    if crate::datetime::well_formed_datetime(trimmed) {
                        return crate::datetime::input_overflow(text);
                    }
                    // PostgreSQL's input function names the type `timestamp` here.
                    let name = match ty {
                        DataType::Timestamp => "timestamp",
                        _ => "timestamp with time zone",
                    };
                    SqlError::new(
                        code::INVALID_DATETIME_FORMAT,
                        format!("invalid input syntax for type {name}: \"{text}\""),
                    )
                },
            )?,
        ),
    })
}

/// PostgreSQL's bytea input: hex (`\\x0a1b`, whitespace between pairs allowed) or the escape
/// format (`\\\\` for a backslash, `\\ooo` octal, other bytes as they are).
pub fn parse_bytea(text: &str) -> SqlResult<Vec<u8>> {
    if let Some(hex) = text.strip_prefix("\\x") {
        let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let digit = |b: u8| -> SqlResult<u8> {
            (b as char).to_digit(16).map(|d| d as u8).ok_or_else(|| {
                SqlError::new(
                    code::INVALID_TEXT_REPRESENTATION,
                    format!("invalid hexadecimal digit: \"{}\"", b as char),
                )
            })
        };
        if digits.len() % 2 == 1 {
            return Err(SqlError::new(
                code::INVALID_TEXT_REPRESENTATION,
                "invalid hexadecimal data: odd number of digits",
            ));
        }
        return digits
            .chunks(2)
            .map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?))
            .collect();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            out.push(bytes[at]);
            at += 1;
        } else if bytes.get(at + 1) == Some(&b'\\') {
            out.push(b'\\');
            at += 2;
        } else if bytes.len() >= at + 4
            && bytes[at + 1..at + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
            && bytes[at + 1] <= b'3'
        {
            let octal = |b: u8| b - b'0';
            out.push(octal(bytes[at + 1]) << 6 | octal(bytes[at + 2]) << 3 | octal(bytes[at + 3]));
            at += 4;
        } else {
            return Err(SqlError::new(
                code::INVALID_TEXT_REPRESENTATION,
                "invalid input syntax for type bytea",
            ));
        }
    }
    Ok(out)
}

/// PostgreSQL's uuid input: 32 hex digits, a hyphen allowed after any group of four, optionally
/// in braces; the canonical form back.
pub fn parse_uuid(text: &str) -> SqlResult<String> {
    let invalid = || {
        SqlError::new(
            code::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type uuid: \"{text}\""),
        )
    };
    let inner = match text.strip_prefix('{') {
        Some(rest) => rest.strip_suffix('}').ok_or_else(invalid)?,
        None => text,
    };
    let mut digits = String::with_capacity(32);
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii_hexdigit() {
            return Err(invalid());
        }
        digits.push(c.to_ascii_lowercase());
        if digits.len().is_multiple_of(4) && digits.len() < 32 && chars.peek() == Some(&'-') {
            chars.next();
        }
    }
    if digits.len() != 32 {
        return Err(invalid());
    }
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &digits[0..8],
        &digits[8..12],
        &digits[12..16],
        &digits[16..20],
        &digits[20..32]
    ))
}

/// The 16 bytes of a canonical uuid text.
fn uuid_bytes(text: &str) -> Option<[u8; 16]> {
    let hex: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let pair = std::str::from_utf8(pair).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(pair, 16).ok()?;
    }
    (hex.len() == 32).then_some(out)
}

/// The canonical text of 16 uuid bytes.
pub fn uuid_text(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn value_out_of_range_for(text: &str, ty: DataType) -> SqlError {
    SqlError::new(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("value \"{text}\" is out of range for type {}", ty.name()),
    )
}

/// PostgreSQL's message for a float's text out of range (`"1e39" is out of range for type real`).
fn float_text_out_of_range(text: &str, ty: DataType) -> SqlError {
    SqlError::new(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        format!("\"{text}\" is out of range for type {}", ty.name()),
    )
}

/// Whether a number's text has a nonzero digit in its mantissa (a value that must not read as 0).
fn has_nonzero_digit(text: &str) -> bool {
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

/// float4in: the text read as single precision (correctly rounded from the decimal, as strtof);
/// finite text that overflows or underflows to zero is out of range, as in PostgreSQL.
pub fn parse_float4(text: &str) -> SqlResult<f64> {
    let trimmed = text.trim();
    let wide = parse_float(trimmed).ok_or_else(|| invalid_input(DataType::Float4, text))?;
    if !wide.is_finite() {
        if wide.is_infinite() && !trimmed.to_ascii_lowercase().contains("inf") {
            return Err(float_text_out_of_range(text, DataType::Float4));
        }
        return Ok(wide);
    }
    let narrow: f32 = trimmed
        .parse()
        .map_err(|_| invalid_input(DataType::Float4, text))?;
    if narrow.is_infinite() || narrow == 0.0 && has_nonzero_digit(trimmed) {
        return Err(float_text_out_of_range(text, DataType::Float4));
    }
    Ok(narrow as f64)
}

/// A double rounded to single precision for a `real` result: PostgreSQL's overflow and
/// underflow errors when finite, nonzero inputs give an infinite or zero `real`.
pub fn to_float4(value: f64) -> SqlResult<f64> {
    let narrow = value as f32;
    if narrow.is_infinite() && value.is_finite() {
        return Err(SqlError::new(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: overflow",
        ));
    }
    if narrow == 0.0 && value != 0.0 {
        return Err(SqlError::new(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: underflow",
        ));
    }
    Ok(narrow as f64)
}

/// A number literal's text without an exponent, as PostgreSQL's numeric prints it
/// (`3.4e39` is `3400...0`, `1e-3` is `0.001`).
pub fn plain_decimal(text: &str) -> String {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    // The decimal point's place counted from the digits' start.
    let point = whole.len() as i64 + exponent;
    let mut out = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    };
    // Leading zeros of the integer part go, as in numeric_out.
    let trimmed = out.trim_start_matches('0');
    if trimmed.is_empty() || trimmed.starts_with('.') {
        out = format!("0{trimmed}");
    } else {
        out = trimmed.to_string();
    }
    out
}

fn parse_float(text: &str) -> Option<f64> {
    match text.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "infinity" | "+infinity" | "inf" | "+inf" => Some(f64::INFINITY),
        "-infinity" | "-inf" => Some(f64::NEG_INFINITY),
        lower => {
            if lower.is_empty() || lower.contains("inf") || lower.contains("nan") {
                return None;
            }
            lower.parse::<f64>().ok()
        }
    }
}

/// numeric's text input, with PostgreSQL's errors (22P02 for syntax, 22003 past its limits).
/// numeric(p,s) input written plainly (`-123.45`: digits, at most `s` after the point, no more
/// than the type's whole digits before it) read straight into its value at scale `s`, as the
/// general reading and [`Numeric::apply_typmod`] make it (what COPY input mostly is); None for
/// anything else, which goes the general way (exponents, rounding, spaces, errors, precision
/// past 28).
fn typmod_decimal(text: &str, precision: u16, scale: i16) -> Option<rust_decimal::Decimal> {
    if precision > 28 || scale < 0 {
        return None;
    }
    let (negative, body) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        bytes => (false, bytes),
    };
    let (whole, fraction) = match body.iter().position(|&b| b == b'.') {
        Some(point) => (&body[..point], &body[point + 1..]),
        None => (body, &[][..]),
    };
    let digits = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    let significant = whole.iter().skip_while(|&&b| b == b'0').count();
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > scale as usize
        || significant > (precision as usize).saturating_sub(scale as usize)
    {
        return None;
    }
    let mut units = whole
        .iter()
        .chain(fraction)
        .fold(0i128, |n, &b| n * 10 + i128::from(b - b'0'));
    units *= 10i128.pow((scale as usize - fraction.len()) as u32);
    if negative {
        units = -units;
    }
    rust_decimal::Decimal::try_from_i128_with_scale(units, scale as u32).ok()
}

pub fn numeric_input(text: &str) -> SqlResult<Numeric> {
    Numeric::parse(text).map_err(|e| match e {
        crate::numeric::ParseError::Syntax => invalid_input(DataType::Numeric, text),
        crate::numeric::ParseError::Overflow => crate::numeric::overflow(),
    })
}

/// varchar(n) input: too long is an error unless the excess is spaces (or the cast is explicit).
pub fn fit_varchar(text: &str, limit: Option<u32>, explicit: bool) -> SqlResult<String> {
    let Some(limit) = limit else {
        return Ok(text.to_string());
    };
    let limit = limit as usize;
    match text.char_indices().nth(limit) {
        None => Ok(text.to_string()),
        Some((cut, _)) if explicit || text[cut..].chars().all(|c| c == ' ') => {
            Ok(text[..cut].to_string())
        }
        Some(_) => Err(SqlError::new(
            code::STRING_DATA_RIGHT_TRUNCATION,
            format!("value too long for type character varying({limit})"),
        )),
    }
}

/// char(n) input: blank-padded to n; too long is an error unless the excess is spaces.
pub fn fit_char(text: &str, n: u32, explicit: bool) -> SqlResult<String> {
    if n == 0 {
        // bpchar without a length keeps any value as it is.
        return Ok(text.to_string());
    }
    let n = n as usize;
    let count = text.chars().count();
    if count <= n {
        // Spaces a slice at a time: pushed one char at a time they were a twentieth of loading
        // pgbench's accounts (an empty char(84) per row).
        const SPACES: &str = "                                                                ";
        let mut padded = String::with_capacity(text.len() + n - count);
        padded.push_str(text);
        let mut left = n - count;
        while left > 0 {
            let take = left.min(SPACES.len());
            padded.push_str(&SPACES[..take]);
            left -= take;
        }
        return Ok(padded);
    }
    let cut = text
        .char_indices()
        .nth(n)
        .map(|(at, _)| at)
        .unwrap_or(text.len());
    if explicit || text[cut..].chars().all(|c| c == ' ') {
        Ok(text[..cut].to_string())
    } else {
        Err(SqlError::new(
            code::STRING_DATA_RIGHT_TRUNCATION,
            format!("value too long for type character({n})"),
        ))
    }
}

const USECS_PER_SEC: i64 = 1_000_000;
/// Days from 1970-01-01 to 2000-01-01.
const UNIX_TO_PG_DAYS: i64 = 10_957;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z|(+|-)HH[:MM]| zone]`. An offset or zone
/// is honoured for timestamptz and ignored for timestamp, as PostgreSQL does (a timestamptz
/// without one is read in UTC: [`parse_timestamp_in`] reads it in a session's zone).
pub fn parse_timestamp(text: &str, with_zone: bool) -> Option<i64> {
    parse_timestamp_in(text, with_zone.then_some(&crate::tz::Zone::UTC))
}

/// [`parse_timestamp`] of a timestamptz (`zone`: the zone a text without an offset or zone
/// name is read in) or a timestamp (None). A zone name (`Europe/Berlin`, `PST`) is resolved
/// as `AT TIME ZONE` resolves one.
pub fn parse_timestamp_in(text: &str, zone: Option<&crate::tz::Zone>) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "epoch" => return Some(-UNIX_TO_PG_DAYS * USECS_PER_DAY),
        "infinity" => return Some(i64::MAX),
        "-infinity" => return Some(i64::MIN),
        _ => {}
    }
    // An era after the rest: `0044-03-15 BC` is the year -43 (there is no year 0).
    let (text, bc) = match text.rsplit_once(' ') {
        Some((before, era)) if era.eq_ignore_ascii_case("bc") => (before.trim_end(), true),
        Some((before, era)) if era.eq_ignore_ascii_case("ad") => (before.trim_end(), false),
        _ => (text, false),
    };
    // A zone name after the date and time: `2024-01-01 12:00 Europe/Berlin`.
    let (text, named) = match text.rsplit_once(' ') {
        Some((before, name))
            if name.starts_with(|c: char| c.is_ascii_alphabetic())
                && before.contains('-')
                && !name.eq_ignore_ascii_case("z") =>
        {
            (before.trim_end(), Some(crate::tz::Zone::named(name).ok()?))
        }
        _ => (text, None),
    };
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Option<i64> {
        let part = text.get(from..to)?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let dash1 = text.find('-')?;
    let year = number(0, dash1)?;
    let year = match bc {
        true if year > 0 => 1 - year,
        // Year 0 is no year (1 BC comes before 1 AD), as PostgreSQL reads it.
        _ if year == 0 => return None,
        true => return None,
        false => year,
    };
    let dash2 = dash1 + 1 + text[dash1 + 1..].find('-')?;
    let month = number(dash1 + 1, dash2)?;
    let mut at = dash2 + 1;
    let day_end = text[at..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(text.len(), |i| at + i);
    let day = number(at, day_end)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    at = day_end;
    let (mut hour, mut minute, mut second, mut micros) = (0, 0, 0, 0);
    let mut offset_secs = None;
    if at < bytes.len() {
        if bytes[at] != b' ' && bytes[at] != b'T' && bytes[at] != b't' {
            return None;
        }
        at += 1;
        let rest = &text[at..];
        let zone_at = rest.find(['+', '-', 'Z', 'z']).map(|i| at + i);
        let time_end = zone_at.unwrap_or(text.len());
        let time = text[at..time_end].trim_end();
        let mut parts = time.split(':');
        hour = parts.next().and_then(|p| p.parse::<i64>().ok())?;
        minute = parts.next().and_then(|p| p.parse::<i64>().ok())?;
        if let Some(seconds) = parts.next() {
            (second, micros) = parse_seconds(seconds)?;
        }
        if parts.next().is_some() || hour > 24 || minute > 59 || second > 60 {
            return None;
        }
        if let Some(zone_at) = zone_at {
            let zone = &text[zone_at..];
            offset_secs = Some(0);
            if !zone.eq_ignore_ascii_case("z") {
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                let (hours, minutes) = zone[1..].split_once(':').unwrap_or((&zone[1..], "0"));
                offset_secs = Some(
                    sign * (hours.parse::<i64>().ok()? * 3600 + minutes.parse::<i64>().ok()? * 60),
                );
            }
        }
    }
    let days = days_from_civil(year, month, day) - UNIX_TO_PG_DAYS;
    let usecs =
        days * USECS_PER_DAY + ((hour * 60 + minute) * 60 + second) * USECS_PER_SEC + micros;
    let Some(session) = zone else {
        return Some(usecs);
    };
    let offset = match (offset_secs, &named) {
        (Some(offset), _) => offset,
        (None, Some(named)) => i64::from(crate::tz::local_offset(named, usecs)),
        (None, None) => i64::from(crate::tz::local_offset(session, usecs)),
    };
    usecs.checked_sub(offset * USECS_PER_SEC)
}

/// The seconds field of a time (`SS[.fffffff]`): whole seconds and microseconds, the fraction
/// rounded to the microsecond as PostgreSQL rounds it.
fn parse_seconds(seconds: &str) -> Option<(i64, i64)> {
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let second: i64 = whole.parse().ok()?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(7)
        .collect();
    Some((second, (digits.parse::<i64>().ok()? + 5) / 10))
}

/// Parses a time of day (`HH:MM[:SS[.ffffff]]`, `24:00:00` allowed, a leading date ignored):
/// microseconds since midnight.
pub fn parse_time(text: &str) -> Option<i64> {
    let lower = text.trim().to_ascii_lowercase();
    if lower == "allballs" {
        return Some(0);
    }
    // A date before the time (`2024-01-01 10:00`) is allowed and ignored, as in PostgreSQL.
    let clock = match lower.split_once(' ') {
        Some((date, clock)) if date.contains('-') => clock.trim(),
        _ => lower.as_str(),
    };
    let mut parts = clock.split(':');
    let hour: i64 = parts.next()?.trim().parse().ok()?;
    let minute: i64 = parts.next()?.trim().parse().ok()?;
    let (second, micros) = match parts.next() {
        None => (0, 0),
        Some(seconds) => parse_seconds(seconds)?,
    };
    if parts.next().is_some() || !(0..=59).contains(&minute) || !(0..=60).contains(&second) {
        return None;
    }
    let total = ((hour * 60 + minute) * 60 + second) * USECS_PER_SEC + micros;
    if !(0..=24).contains(&hour) || total > USECS_PER_DAY {
        return None;
    }
    Some(total)
}

/// Writes a time of day as PostgreSQL does (`HH:MM:SS`, a fraction only when there is one).
pub fn format_time(usecs: i64, out: &mut String) {
    crate::datetime::format_clock(usecs.max(0) as u64, out);
}

/// Formats a timestamp the way PostgreSQL does with `DateStyle = ISO`; a timestamptz's wall
/// clock (`usecs`) with its UTC offset (`offset`, seconds east) after it.
pub fn format_timestamp(usecs: i64, offset: Option<i32>, out: &mut String) {
    match usecs {
        i64::MAX => return out.push_str("infinity"),
        i64::MIN => return out.push_str("-infinity"),
        _ => {}
    }
    let days = usecs.div_euclid(USECS_PER_DAY);
    let mut rest = usecs.rem_euclid(USECS_PER_DAY);
    let (year, month, day) = civil_from_days(days + UNIX_TO_PG_DAYS);
    let micros = rest % USECS_PER_SEC;
    rest /= USECS_PER_SEC;
    let (hour, minute, second) = (rest / 3600, rest / 60 % 60, rest % 60);
    if year <= 0 {
        let _ = write!(
            out,
            "{:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}",
            1 - year
        );
    } else {
        let _ = write!(
            out,
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"
        );
    }
    if micros != 0 {
        let fraction = format!("{micros:06}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    if let Some(offset) = offset {
        crate::tz::format_offset(offset, true, out);
    }
    if year <= 0 {
        out.push_str(" BC");
    }
}

/// The current time as a timestamp.
pub fn now_timestamp() -> i64 {
    let since_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    since_unix.as_micros() as i64 - UNIX_TO_PG_DAYS * USECS_PER_DAY
}

/// Formats a float8 the way PostgreSQL 15 does by default (shortest round-trip digits, exponent form
/// outside 1e-4 <= |x| < 1e15).
pub fn format_float(value: f64, out: &mut String) {
    if let Some(special) = special_float(value) {
        return out.push_str(special);
    }
    write_shortest(&format!("{value:e}"), value, 15, out);
}

/// Formats a `real` as PostgreSQL 15 does (shortest digits that read back as the same single
/// precision value; exponent form outside 1e-4 <= |x| < 1e6).
pub fn format_float4(value: f64, out: &mut String) {
    if let Some(special) = special_float(value) {
        return out.push_str(special);
    }
    let narrow = value as f32;
    write_shortest(&format!("{narrow:e}"), narrow, 6, out);
}

fn special_float(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value.is_infinite() {
        Some(if value > 0.0 { "Infinity" } else { "-Infinity" })
    } else if value == 0.0 {
        Some(if value.is_sign_negative() { "-0" } else { "0" })
    } else {
        None
    }
}

/// Writes a float given its shortest `{:e}` form: plain when its decimal exponent is in
/// `-4..limit` (as `{}` prints it), else `d.ddde+XX`.
fn write_shortest(scientific: &str, value: impl std::fmt::Display, limit: i32, out: &mut String) {
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("LowerExp has an exponent");
    let exponent: i32 = exponent.parse().expect("exponent is an integer");
    if (-4..limit).contains(&exponent) {
        let _ = write!(out, "{value}");
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "{mantissa}e{sign}{:02}", exponent.abs());
    }
}

/// Writes PostgreSQL's text form of `value` as type `ty` (not for NULL), a timestamptz in
/// UTC.
pub fn format_text(value: &Value, ty: DataType, out: &mut String) {
    format_text_in(value, ty, &crate::tz::Zone::UTC, out)
}

/// [`format_text`] with timestamptz values (also in arrays and records) in `zone`: a session's
/// `TimeZone`.
pub fn format_text_in(value: &Value, ty: DataType, zone: &crate::tz::Zone, out: &mut String) {
    let ty = ty.expression_type();
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Int(key) if matches!(ty, DataType::Enum(_)) => {
            let DataType::Enum(id) = ty else {
                unreachable!("matched above")
            };
            out.push_str(&crate::enums::label(id, *key));
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) if ty == DataType::Float4 => format_float4(*f, out),
        Value::Float(f) => format_float(*f, out),
        // Through Numeric's Display: a Decimal's negative zero prints without its sign.
        Value::Numeric(d) => {
            let _ = write!(out, "{}", Numeric::Small(*d));
        }
        Value::BigNumeric(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Text(s) => out.push_str(s),
        Value::Bytes(b) => {
            out.push_str("\\x");
            for byte in b {
                let _ = write!(out, "{byte:02x}");
            }
        }
        Value::Timestamp(t) if ty == DataType::Time => format_time(*t, out),
        Value::Timestamp(t) if ty == DataType::TimestampTz => format_timestamptz(*t, zone, out),
        Value::Timestamp(t) => format_timestamp(*t, None, out),
        Value::Array(array) if ty == DataType::Int2Vector => {
            for (i, item) in array.items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                format_text(item, DataType::Int2, out);
            }
        }
        Value::Array(array) => {
            crate::array::format_in(array, ty.element().unwrap_or(DataType::Text), zone, out)
        }
        Value::Record(fields) => format_record(fields, ty, zone, out),
        Value::Date(d) => format_date(*d, out),
        Value::Interval(i) => format_interval(i, out),
    }
}

/// PostgreSQL's `record_out`: `(a,b)`, a NULL field empty, a field quoted (with `"` and `\`
/// doubled) when it is empty or holds `"`, `\`, `(`, `)`, `,` or white space.
fn format_record(fields: &[Value], ty: DataType, zone: &crate::tz::Zone, out: &mut String) {
    let types = ty.record_field_types();
    out.push('(');
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.is_null() {
            continue;
        }
        let mut text = String::new();
        format_text_in(
            field,
            types.get(i).copied().unwrap_or(DataType::Text),
            zone,
            &mut text,
        );
        let quote = text.is_empty()
            || text
                .chars()
                .any(|c| matches!(c, '"' | '\\' | '(' | ')' | ',') || c.is_ascii_whitespace());
        if quote {
            out.push('"');
        }
        for c in text.chars() {
            if matches!(c, '"' | '\\') {
                out.push(c);
            }
            out.push(c);
        }
        if quote {
            out.push('"');
        }
    }
    out.push(')');
}

/// A timestamptz's text form in `zone`: its wall clock there and the offset.
pub fn format_timestamptz(usecs: i64, zone: &crate::tz::Zone, out: &mut String) {
    if usecs == i64::MAX || usecs == i64::MIN {
        return format_timestamp(usecs, None, out);
    }
    let offset = crate::tz::instant_offset(zone, usecs);
    match usecs.checked_add(i64::from(offset) * USECS_PER_SEC) {
        Some(local) => format_timestamp(local, Some(offset), out),
        None => format_timestamp(usecs, Some(0), out),
    }
}

/// The text form of a value (for messages and casts to text).
pub fn to_text(value: &Value, ty: DataType) -> String {
    let mut out = String::new();
    format_text(value, ty, &mut out);
    out
}

/// Writes the binary wire form of `value` as `ty`.
pub fn format_binary(value: &Value, ty: DataType, out: &mut Vec<u8>) -> SqlResult<()> {
    match (value, ty) {
        (Value::Bool(b), _) => out.push(*b as u8),
        (Value::Int(i), DataType::Int2) => out.extend_from_slice(&(*i as i16).to_be_bytes()),
        (Value::Int(i), DataType::Int4) => out.extend_from_slice(&(*i as i32).to_be_bytes()),
        (Value::Int(i), DataType::Oid | DataType::Reg(_)) => {
            out.extend_from_slice(&(*i as u32).to_be_bytes())
        }
        // An enum's binary form is its label's text, as PostgreSQL's enum_send.
        (Value::Int(i), DataType::Enum(id)) => {
            out.extend_from_slice(crate::enums::label(id, *i).as_bytes())
        }
        (Value::Int(i), _) => out.extend_from_slice(&i.to_be_bytes()),
        (Value::Float(f), DataType::Float4) => out.extend_from_slice(&(*f as f32).to_be_bytes()),
        (Value::Float(f), _) => out.extend_from_slice(&f.to_be_bytes()),
        (Value::Text(s), DataType::Uuid) => match uuid_bytes(s) {
            Some(bytes) => out.extend_from_slice(&bytes),
            None => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "a uuid value that is not canonical",
                ))
            }
        },
        (Value::Text(s), DataType::Jsonb | DataType::JsonPath) => {
            out.push(1);
            out.extend_from_slice(s.as_bytes());
        }
        (Value::Text(s), _) => out.extend_from_slice(s.as_bytes()),
        (Value::Bytes(b), _) => out.extend_from_slice(b),
        (Value::Array(array), ty) => {
            crate::array::format_binary(array, ty.element().unwrap_or(DataType::Text), out)?
        }
        (Value::Timestamp(t), _) => out.extend_from_slice(&t.to_be_bytes()),
        (Value::Date(d), _) => out.extend_from_slice(&d.to_be_bytes()),
        (Value::Interval(i), _) => {
            out.extend_from_slice(&i.micros.to_be_bytes());
            out.extend_from_slice(&i.days.to_be_bytes());
            out.extend_from_slice(&i.months.to_be_bytes());
        }
        (Value::Numeric(d), _) => numeric_send(&Numeric::Small(*d), out),
        (Value::BigNumeric(n), _) => numeric_send(n, out),
        (Value::Record(fields), ty) => {
            // record_send: the field count, then per field its type's OID, length and bytes.
            let types = ty.record_field_types();
            out.extend_from_slice(&(fields.len() as i32).to_be_bytes());
            for (i, field) in fields.iter().enumerate() {
                let field_ty = types.get(i).copied().unwrap_or(DataType::Text);
                out.extend_from_slice(&field_ty.oid().to_be_bytes());
                if field.is_null() {
                    out.extend_from_slice(&(-1i32).to_be_bytes());
                    continue;
                }
                let at = out.len();
                out.extend_from_slice(&[0; 4]);
                format_binary(field, field_ty, out)?;
                let len = (out.len() - at - 4) as i32;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
        (Value::Null, _) => {}
    }
    Ok(())
}

/// PostgreSQL's binary numeric: digit count, weight (of the first base-10000 digit), sign, display
/// scale, then the base-10000 digits without leading or trailing zero digits.
fn numeric_send(d: &Numeric, out: &mut Vec<u8>) {
    let (digits, weight) = d.base10000();
    let sign: u16 = match d {
        Numeric::NaN => 0xC000,
        Numeric::Inf(false) => 0xD000,
        Numeric::Inf(true) => 0xF000,
        _ if d.is_negative() => 0x4000,
        _ => 0,
    };
    out.extend_from_slice(&(digits.len() as i16).to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&(d.scale() as i16).to_be_bytes());
    for digit in digits {
        out.extend_from_slice(&digit.to_be_bytes());
    }
}

/// Reads PostgreSQL's binary numeric (see [`numeric_send`]).
fn numeric_recv(bytes: &[u8]) -> SqlResult<Numeric> {
    let bad = || {
        SqlError::new(
            code::INVALID_BINARY_REPRESENTATION,
            "invalid binary data for type numeric",
        )
    };
    let word = |at: usize| -> SqlResult<i16> {
        let raw = bytes.get(at..at + 2).ok_or_else(bad)?;
        Ok(i16::from_be_bytes([raw[0], raw[1]]))
    };
    let (ndigits, weight, sign, dscale) = (word(0)?, word(2)?, word(4)? as u16, word(6)?);
    if ndigits < 0 || dscale < 0 || bytes.len() != 8 + 2 * ndigits as usize {
        return Err(bad());
    }
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Ok(Numeric::NaN),
        0xD000 => return Ok(Numeric::Inf(false)),
        0xF000 => return Ok(Numeric::Inf(true)),
        _ => return Err(bad()),
    }
    let digits = (0..ndigits as usize)
        .map(|i| word(8 + 2 * i))
        .collect::<SqlResult<Vec<i16>>>()?;
    if digits.iter().any(|d| !(0..10_000).contains(d)) {
        return Err(bad());
    }
    let digit_at = |position: i32| -> i16 {
        // The digit worth 10000^position.
        let index = weight as i32 - position;
        if index >= 0 && (index as usize) < digits.len() {
            digits[index as usize]
        } else {
            0
        }
    };
    let mut text = String::new();
    if sign == 0x4000 {
        text.push('-');
    }
    if weight >= 0 {
        for position in (0..=weight as i32).rev() {
            text.push_str(&format!("{:04}", digit_at(position)));
        }
    } else {
        text.push('0');
    }
    let mut frac = String::new();
    let mut position = -1;
    while frac.len() < dscale as usize {
        frac.push_str(&format!("{:04}", digit_at(position)));
        position -= 1;
    }
    frac.truncate(dscale as usize);
    if !frac.is_empty() {
        text.push('.');
        text.push_str(&frac);
    }
    Numeric::parse(&text).map_err(|_| crate::numeric::overflow())
}

/// Parses the binary wire form of a parameter of type `ty`.
pub fn parse_binary(bytes: &[u8], ty: DataType) -> SqlResult<Value> {
    let bad = || {
        SqlError::new(
            code::INVALID_BINARY_REPRESENTATION,
            format!(
                "incorrect binary data format in bind parameter of type {}",
                ty.name()
            ),
        )
    };
    let fixed = |n: usize| -> SqlResult<&[u8]> {
        if bytes.len() == n {
            Ok(bytes)
        } else {
            Err(bad())
        }
    };
    Ok(match ty {
        DataType::Enum(id) => {
            let text = std::str::from_utf8(bytes).map_err(|_| bad())?;
            Value::Int(crate::enums::parse(id, text)?)
        }
        DataType::Bool => Value::Bool(fixed(1)?[0] != 0),
        DataType::Int2 => {
            Value::Int(i16::from_be_bytes(fixed(2)?.try_into().map_err(|_| bad())?) as i64)
        }
        DataType::Int4 => {
            Value::Int(i32::from_be_bytes(fixed(4)?.try_into().map_err(|_| bad())?) as i64)
        }
        DataType::Int8 => Value::Int(i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad())?)),
        DataType::Oid | DataType::Reg(_) => {
            Value::Int(u32::from_be_bytes(fixed(4)?.try_into().map_err(|_| bad())?) as i64)
        }
        DataType::Float8 => {
            Value::Float(f64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad())?))
        }
        DataType::Float4 => {
            Value::Float(f32::from_be_bytes(fixed(4)?.try_into().map_err(|_| bad())?) as f64)
        }
        DataType::Timestamp | DataType::TimestampTz | DataType::Time => {
            Value::Timestamp(i64::from_be_bytes(fixed(8)?.try_into().map_err(|_| bad())?))
        }
        DataType::Date => Value::Date(i32::from_be_bytes(fixed(4)?.try_into().map_err(|_| bad())?)),
        DataType::Interval => {
            let raw = fixed(16)?;
            Value::Interval(Interval {
                micros: i64::from_be_bytes(raw[0..8].try_into().map_err(|_| bad())?),
                days: i32::from_be_bytes(raw[8..12].try_into().map_err(|_| bad())?),
                months: i32::from_be_bytes(raw[12..16].try_into().map_err(|_| bad())?),
            })
        }
        DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Unknown => {
            Value::Text(String::from_utf8(bytes.to_vec()).map_err(|_| bad())?)
        }
        DataType::Uuid => Value::Text(uuid_text(fixed(16)?.try_into().map_err(|_| bad())?)),
        DataType::Bytea => Value::Bytes(bytes.to_vec()),
        DataType::Json => Value::Text(crate::json::json_in(
            std::str::from_utf8(bytes).map_err(|_| bad())?,
        )?),
        DataType::Jsonb => match bytes.split_first() {
            Some((1, text)) => Value::Text(crate::json::jsonb_in(
                std::str::from_utf8(text).map_err(|_| bad())?,
            )?),
            _ => return Err(bad()),
        },
        DataType::JsonPath => match bytes.split_first() {
            Some((1, text)) => Value::Text(crate::jsonpath::normalize(
                std::str::from_utf8(text).map_err(|_| bad())?,
            )?),
            _ => return Err(bad()),
        },
        DataType::Numeric => Value::numeric(numeric_recv(bytes)?),
        DataType::Decimal(p, s) => Value::numeric(numeric_recv(bytes)?.apply_typmod(p, s)?),
        DataType::TimestampP(p) | DataType::TimestampTzP(p) | DataType::TimeP(p) => {
            round_value(parse_binary(bytes, ty.expression_type())?, p)
        }
        DataType::IntervalP(typmod) => match parse_binary(bytes, DataType::Interval)? {
            Value::Interval(i) => Value::Interval(crate::datetime::adjust_interval(i, typmod)),
            other => other,
        },
        DataType::Array(elem) => {
            Value::Array(Box::new(crate::array::parse_binary(bytes, elem.ty())?))
        }
        DataType::Int2Vector => {
            Value::Array(Box::new(crate::array::parse_binary(bytes, DataType::Int2)?))
        }
        DataType::Record(RecordShape::Composite(id)) => {
            // record_recv: the field count, then per field its type's OID (which must be the
            // field's), its length (-1 for NULL) and its binary form.
            let fields = crate::composites::fields(id);
            let mut rest = bytes;
            let mut take = |n: usize| -> SqlResult<&[u8]> {
                if rest.len() < n {
                    return Err(bad());
                }
                let (head, tail) = rest.split_at(n);
                rest = tail;
                Ok(head)
            };
            let int = |b: &[u8]| i32::from_be_bytes(b.try_into().expect("4 bytes"));
            let count = int(take(4)?);
            if count != fields.len() as i32 {
                return Err(SqlError::new(
                    code::DATATYPE_MISMATCH,
                    format!(
                        "wrong number of columns: {count}, expected {}",
                        fields.len()
                    ),
                ));
            }
            let mut values = Vec::with_capacity(fields.len());
            for (i, &(_, field_ty)) in fields.iter().enumerate() {
                let oid = int(take(4)?) as u32;
                if oid != field_ty.oid() {
                    return Err(SqlError::new(
                        code::DATATYPE_MISMATCH,
                        format!(
                            "binary data has type {oid} instead of expected {} in record column {}",
                            field_ty.oid(),
                            i + 1
                        ),
                    ));
                }
                let len = int(take(4)?);
                values.push(match usize::try_from(len) {
                    Ok(len) => parse_binary(take(len)?, field_ty)?,
                    Err(_) => Value::Null,
                });
            }
            if !rest.is_empty() {
                return Err(bad());
            }
            Value::Record(Box::new(values))
        }
        DataType::Record(_) => return Err(anonymous_record_input()),
    })
}

/// A record of no named type cannot be read back from text or binary (`record_in`).
fn anonymous_record_input() -> SqlError {
    SqlError::new(
        code::FEATURE_NOT_SUPPORTED,
        "input of anonymous composite types is not implemented",
    )
}

/// A numeric cast to a float or integer type.
fn numeric_cast(d: Numeric, to: DataType) -> SqlResult<Value> {
    Ok(match to {
        DataType::Float8 => {
            // numeric_float8 reads the text as float8 does: past its range is an error.
            let f = d.to_f64();
            if d.is_finite() && (f.is_infinite() || (f == 0.0 && !d.is_zero())) {
                return Err(float_text_out_of_range(&d.to_string(), to));
            }
            Value::Float(f)
        }
        DataType::Float4 => Value::Float(parse_float4(&d.to_string())?),
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            if !d.is_finite() {
                return Err(SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    format!(
                        "cannot convert {} to {}",
                        if d.is_nan() { "NaN" } else { "infinity" },
                        to.name()
                    ),
                ));
            }
            Value::Int(check_int(
                d.to_i64_rounded().ok_or_else(|| out_of_range(to))?,
                to,
            )?)
        }
        _ => {
            return Err(SqlError::new(
                code::CANNOT_COERCE,
                format!("cannot cast type numeric to {}", to.name()),
            ))
        }
    })
}

/// Converts a value of type `from` to type `to`; `explicit` for CAST/`::` (truncates strings
/// silently, as PostgreSQL does).
pub fn cast(value: Value, from: DataType, to: DataType, explicit: bool) -> SqlResult<Value> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    if let DataType::Decimal(p, s) = to {
        return match cast(value, from, DataType::Numeric, explicit)? {
            numeric if numeric.is_numeric() => Ok(Value::numeric(
                numeric.as_numeric().unwrap().apply_typmod(p, s)?,
            )),
            other => Ok(other),
        };
    }
    if let DataType::TimestampP(p) | DataType::TimestampTzP(p) | DataType::TimeP(p) = to {
        return Ok(round_value(
            cast(value, from, to.expression_type(), explicit)?,
            p,
        ));
    }
    if let DataType::IntervalP(typmod) = to {
        // Text is read with the fields' meaning for a bare number, as PostgreSQL's input.
        if let (Value::Text(text), true) = (&value, from.is_string()) {
            return parse_text(text, to);
        }
        return Ok(match cast(value, from, DataType::Interval, explicit)? {
            Value::Interval(i) => Value::Interval(crate::datetime::adjust_interval(i, typmod)),
            other => other,
        });
    }
    let from = from.expression_type();
    if let (Value::Record(fields), DataType::Record(shape)) = (&value, to) {
        if from == to {
            return Ok(value);
        }
        if let RecordShape::Composite(_) = shape {
            return record_to_composite(fields, from, shape, explicit);
        }
    }
    if let DataType::Enum(_) = to {
        return match value {
            Value::Int(key) if from == to => Ok(Value::Int(key)),
            Value::Text(text) => parse_text(&text, to),
            _ => Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!("cannot cast type {} to {}", from.name(), to.name()),
            )),
        };
    }
    if from == DataType::Jsonb
        && matches!(
            to,
            DataType::Int2
                | DataType::Int4
                | DataType::Int8
                | DataType::Float4
                | DataType::Float8
                | DataType::Numeric
                | DataType::Bool
        )
    {
        return crate::json::jsonb_to_scalar(&value, to);
    }
    Ok(match (value, to) {
        (value, DataType::Text | DataType::Unknown) => Value::Text(text_of(value, from)),
        (value, DataType::Varchar(limit)) => {
            Value::Text(fit_varchar(&text_of(value, from), limit, explicit)?)
        }
        (value, DataType::Char(n)) => {
            let text = text_of(value, from);
            Value::Text(fit_char(
                if from.is_string() && !matches!(from, DataType::Char(_)) {
                    &text
                } else {
                    text.as_str()
                },
                n,
                explicit,
            )?)
        }
        (Value::Text(text), to) => parse_text(&text, to)?,
        (
            Value::Int(i),
            DataType::Int2 | DataType::Int4 | DataType::Int8 | DataType::Oid | DataType::Reg(_),
        ) => Value::Int(check_int(i, to)?),
        (Value::Int(i), DataType::Float8) => Value::Float(i as f64),
        (Value::Int(i), DataType::Float4) => Value::Float(i as f32 as f64),
        (Value::Int(i), DataType::Numeric) => Value::Numeric(Decimal::from(i)),
        (Value::Int(i), DataType::Bool) if from == DataType::Int4 => Value::Bool(i != 0),
        (Value::Float(f), DataType::Float8) => Value::Float(f),
        (Value::Float(f), DataType::Float4) if from == DataType::Float4 => Value::Float(f),
        (Value::Float(f), DataType::Float4) => Value::Float(to_float4(f)?),
        // float4_numeric / float8_numeric: FLT_DIG (6) or DBL_DIG (15) significant digits.
        (Value::Float(f), DataType::Numeric) if from == DataType::Float4 => {
            Value::numeric(Numeric::from_f64(f, 6))
        }
        (Value::Float(f), DataType::Int2 | DataType::Int4 | DataType::Int8) => {
            let rounded = f.round_ties_even();
            if !rounded.is_finite() || rounded < i64::MIN as f64 || rounded >= i64::MAX as f64 {
                return Err(out_of_range(to));
            }
            Value::Int(check_int(rounded as i64, to)?)
        }
        (Value::Float(f), DataType::Numeric) => Value::numeric(Numeric::from_f64(f, 15)),
        (numeric, DataType::Numeric) if numeric.is_numeric() => numeric,
        (
            numeric,
            to @ (DataType::Float8
            | DataType::Float4
            | DataType::Int2
            | DataType::Int4
            | DataType::Int8),
        ) if numeric.is_numeric() => numeric_cast(numeric.as_numeric().unwrap(), to)?,
        (Value::Bool(b), DataType::Bool) => Value::Bool(b),
        (Value::Bool(b), DataType::Int4) => Value::Int(b as i64),
        (Value::Timestamp(t), DataType::Time) if from == DataType::Time => Value::Timestamp(t),
        (Value::Timestamp(t), DataType::Time) => match t {
            i64::MAX | i64::MIN => {
                return Err(SqlError::new(
                    code::DATETIME_FIELD_OVERFLOW,
                    "timestamp out of range",
                ))
            }
            t => Value::Timestamp(t.rem_euclid(USECS_PER_DAY)),
        },
        (Value::Timestamp(t), DataType::Interval) if from == DataType::Time => {
            Value::Interval(Interval {
                months: 0,
                days: 0,
                micros: t,
            })
        }
        (Value::Interval(i), DataType::Time) => {
            Value::Timestamp(i.micros.rem_euclid(USECS_PER_DAY))
        }
        (Value::Timestamp(_), DataType::Timestamp | DataType::TimestampTz)
            if from == DataType::Time =>
        {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!("cannot cast type time without time zone to {}", to.name()),
            ))
        }
        (Value::Timestamp(t), DataType::Timestamp | DataType::TimestampTz) => Value::Timestamp(t),
        (Value::Date(d), DataType::Timestamp | DataType::TimestampTz) => {
            Value::Timestamp(match d {
                i32::MAX => i64::MAX,
                i32::MIN => i64::MIN,
                d => d as i64 * USECS_PER_DAY,
            })
        }
        (Value::Timestamp(t), DataType::Date) => Value::Date(match t {
            i64::MAX => i32::MAX,
            i64::MIN => i32::MIN,
            t => i32::try_from(t.div_euclid(USECS_PER_DAY))
                .map_err(|_| SqlError::new(code::DATETIME_FIELD_OVERFLOW, "date out of range"))?,
        }),
        (Value::Date(d), DataType::Date) => Value::Date(d),
        (Value::Interval(i), DataType::Interval) => Value::Interval(i),
        (Value::Bytes(b), DataType::Bytea) => Value::Bytes(b),
        (Value::Array(array), DataType::Array(elem)) => {
            let Some(from_elem) = from.element() else {
                return Err(SqlError::new(
                    code::DATATYPE_MISMATCH,
                    format!("cannot cast type {} to {}", from.name(), to.name()),
                ));
            };
            Value::Array(Box::new(crate::array::cast(
                *array,
                from_elem,
                elem.ty(),
                explicit,
            )?))
        }
        (_, to) => {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!("cannot cast type {} to {}", from.name(), to.name()),
            ))
        }
    })
}

fn text_of(value: Value, from: DataType) -> String {
    match value {
        Value::Text(text) if matches!(from, DataType::Char(_)) => {
            text.trim_end_matches(' ').to_string()
        }
        Value::Text(text) => text,
        Value::Bool(b) => if b { "true" } else { "false" }.to_string(),
        other => to_text(&other, from),
    }
}

/// Whether a value of type `from` may be stored in a column of type `to` without an explicit cast
/// (PostgreSQL's assignment casts).
pub fn assignable(from: DataType, to: DataType) -> bool {
    from == to
        || from == DataType::Unknown
        || (from.is_numeric_family() && to.is_numeric_family())
        || (from.is_string() && to.is_string())
        || (from.is_datetime() && to.is_datetime())
        || from.expression_type() == to.expression_type()
        || match (from, to) {
            (DataType::Array(a), DataType::Array(b)) => assignable(a.ty(), b.ty()),
            // A row constructor becomes a composite type's value field by field (the binder
            // checks the number of fields: `crate::bind` `Binder::record_fits`).
            (
                DataType::Record(RecordShape::Anonymous(_)),
                DataType::Record(RecordShape::Composite(_)),
            ) => true,
            _ => false,
        }
}

/// A record of type `from` as a value of composite type `shape`: each field cast to the
/// type's field (`explicit` as the cast is), PostgreSQL's 42846 when the counts differ.
fn record_to_composite(
    fields: &[Value],
    from: DataType,
    shape: RecordShape,
    explicit: bool,
) -> SqlResult<Value> {
    let from_types = from.record_field_types();
    let to_types = shape.fields();
    if let Some(error) = record_count_error(fields.len(), DataType::Record(shape)) {
        return Err(error);
    }
    (fields.iter().zip(&to_types).enumerate())
        .map(|(i, (value, &(_, to)))| {
            let from = from_types.get(i).copied().unwrap_or(DataType::Unknown);
            cast(value.clone(), from, to, explicit)
        })
        .collect::<SqlResult<Vec<_>>>()
        .map(|values| Value::Record(Box::new(values)))
}

/// PostgreSQL's refusal to cast a record of `count` fields to composite type `to` when its
/// field count differs (None when it is the same).
pub fn record_count_error(count: usize, to: DataType) -> Option<SqlError> {
    let DataType::Record(shape) = to else {
        return None;
    };
    let expected = shape.fields().len();
    let detail = match count.cmp(&expected) {
        Ordering::Equal => return None,
        Ordering::Less => "Input has too few columns.",
        Ordering::Greater => "Input has too many columns.",
    };
    Some(
        SqlError::new(
            code::CANNOT_COERCE,
            format!("cannot cast type record to {}", to.name()),
        )
        .with_detail(detail),
    )
}

/// Whether PostgreSQL casts `from` to `to` on assignment (into a column, a column's new type):
/// [`assignable`]'s casts, and any type into a string type (its I/O conversion).
pub fn assignment_castable(from: DataType, to: DataType) -> bool {
    assignable(from, to) || to.is_string()
}

/// Compares two non-null values of comparable types (PostgreSQL's ordering: NaN sorts above all
/// numbers; char(n) ignores trailing blanks).
pub fn compare(left: &Value, right: &Value) -> Ordering {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => a.cmp(b),
        (Value::Float(a), Value::Float(b)) => compare_floats(*a, *b),
        (Value::Numeric(a), Value::Numeric(b)) => a.cmp(b),
        (Value::Int(a), Value::Float(b)) => compare_floats(*a as f64, *b),
        (Value::Float(a), Value::Int(b)) => compare_floats(*a, *b as f64),
        (Value::Int(a), Value::Numeric(b)) => Decimal::from(*a).cmp(b),
        (Value::Numeric(a), Value::Int(b)) => a.cmp(&Decimal::from(*b)),
        (Value::Float(a), b) if b.is_numeric() => {
            compare_floats(*a, b.as_numeric().unwrap().to_f64())
        }
        (a, Value::Float(b)) if a.is_numeric() => {
            compare_floats(a.as_numeric().unwrap().to_f64(), *b)
        }
        (Value::Int(a), b) if b.is_numeric() => Numeric::from(*a).cmp(&b.as_numeric().unwrap()),
        (a, Value::Int(b)) if a.is_numeric() => a.as_numeric().unwrap().cmp(&Numeric::from(*b)),
        (a, b) if a.is_numeric() && b.is_numeric() => {
            a.as_numeric().unwrap().cmp(&b.as_numeric().unwrap())
        }
        (Value::Text(a), Value::Text(b)) => a.cmp(b),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        (Value::Timestamp(a), Value::Timestamp(b)) => a.cmp(b),
        (Value::Date(a), Value::Date(b)) => a.cmp(b),
        (Value::Interval(a), Value::Interval(b)) => a.normalized().cmp(&b.normalized()),
        (Value::Bytes(a), Value::Bytes(b)) => a.cmp(b),
        (Value::Array(a), Value::Array(b)) => crate::array::compare(a, b),
        // Field by field, NULL fields last (record comparison's btree order).
        (Value::Record(a), Value::Record(b)) => a
            .iter()
            .zip(b.iter())
            .map(|(x, y)| compare(x, y))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.len().cmp(&b.len())),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

fn compare_floats(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// The integer whose one-value [`encode_key`] encoding `key` is (an integer's, a date's or a
/// timestamp's: 0x01 then the value, sign bit flipped, big-endian), when it is one.
#[inline]
pub(crate) fn integer_of_key(key: &[u8]) -> Option<i64> {
    match key {
        [0x01, rest @ ..] if rest.len() == 8 => {
            Some((u64::from_be_bytes(rest.try_into().ok()?) ^ (1 << 63)) as i64)
        }
        _ => None,
    }
}

/// Encodes key columns so that byte order is value order (memcmp-comparable), for B+tree keys and
/// vshard hashing. char(n) keys drop trailing blanks (they compare equal with or without them).
pub fn encode_key(values: &[(&Value, DataType)], out: &mut Vec<u8>) {
    for (value, ty) in values {
        match value {
            Value::Null => out.push(0x00),
            Value::Bool(b) => out.extend_from_slice(&[0x01, *b as u8]),
            Value::Int(i) | Value::Timestamp(i) => {
                out.push(0x01);
                out.extend_from_slice(&((*i as u64) ^ (1 << 63)).to_be_bytes());
            }
            Value::Float(f) => {
                out.push(0x01);
                let bits = f.to_bits();
                let ordered = if bits >> 63 == 1 {
                    !bits
                } else {
                    bits | (1 << 63)
                };
                out.extend_from_slice(&ordered.to_be_bytes());
            }
            Value::Date(d) => {
                out.push(0x01);
                out.extend_from_slice(&((*d as i64 as u64) ^ (1 << 63)).to_be_bytes());
            }
            Value::Interval(i) => {
                out.push(0x01);
                out.extend_from_slice(&((i.normalized() as u128) ^ (1 << 127)).to_be_bytes());
            }
            Value::Numeric(d) => {
                // Equality-preserving (normalized); range order for numeric keys comes with the B+tree.
                out.push(0x01);
                encode_key_text(&Numeric::Small(*d).key_text(), out);
            }
            Value::BigNumeric(n) => {
                out.push(0x01);
                encode_key_text(&n.key_text(), out);
            }
            Value::Bytes(b) => {
                out.push(0x01);
                for &byte in b {
                    if byte == 0 {
                        out.extend_from_slice(&[0x00, 0xff]);
                    } else {
                        out.push(byte);
                    }
                }
                out.extend_from_slice(&[0x00, 0x01]);
            }
            Value::Array(array) => {
                out.push(0x01);
                crate::array::encode_key(array, ty.element().unwrap_or(DataType::Text), out);
            }
            Value::Record(fields) => {
                out.push(0x01);
                let types = ty.record_field_types();
                let pairs: Vec<(&Value, DataType)> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (f, types.get(i).copied().unwrap_or(DataType::Text)))
                    .collect();
                encode_key(&pairs, out);
            }
            Value::Text(s) => {
                out.push(0x01);
                let text = if matches!(ty, DataType::Char(_)) {
                    s.trim_end_matches(' ')
                } else {
                    s.as_str()
                };
                encode_key_text(text, out);
            }
        }
    }
}

fn encode_key_text(text: &str, out: &mut Vec<u8>) {
    for &b in text.as_bytes() {
        if b == 0 {
            out.extend_from_slice(&[0x00, 0xff]);
        } else {
            out.push(b);
        }
    }
    out.extend_from_slice(&[0x00, 0x01]);
}

/// Encodes a row for storage: per column a tag and its payload. Tags: 0 NULL, 1 bool, 2 integer
/// (8 bytes), 3 float, 4 numeric (a `Decimal`'s 16 bytes), 14 numeric with a 64-bit mantissa
/// (8 bytes and the scale), 12 numeric beyond a `Decimal` (its text), 5 text, 6 timestamp, 7
/// date, 8 interval, 9 bytes, 10 array, 13 record; text, bytes and tag 12 give their length in 4
/// bytes after the tag. A value always encodes the same way.
pub fn encode_row(values: &[Value], out: &mut Vec<u8>) {
    for value in values {
        match value {
            Value::Null => out.push(0),
            Value::Bool(b) => out.extend_from_slice(&[1, *b as u8]),
            Value::Int(i) => {
                out.push(2);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(3);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Numeric(d) => match small_numeric(d) {
                // Most stored numerics (prices, quantities, rates) have a 64-bit mantissa: 10
                // bytes instead of 17, so a scan reads fewer bytes per row.
                Some(mantissa) => {
                    out.push(14);
                    out.extend_from_slice(&mantissa.to_le_bytes());
                    out.push(d.scale() as u8);
                }
                None => {
                    out.push(4);
                    out.extend_from_slice(&d.serialize());
                }
            },
            Value::BigNumeric(n) => {
                // Larger than a Decimal, NaN or infinite: the text (tag 12).
                let text = n.to_string();
                out.push(12);
                out.extend_from_slice(&(text.len() as u32).to_le_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            Value::Text(s) => {
                out.push(5);
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            Value::Timestamp(t) => {
                out.push(6);
                out.extend_from_slice(&t.to_le_bytes());
            }
            Value::Date(d) => {
                out.push(7);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Value::Interval(i) => {
                out.push(8);
                out.extend_from_slice(&i.months.to_le_bytes());
                out.extend_from_slice(&i.days.to_le_bytes());
                out.extend_from_slice(&i.micros.to_le_bytes());
            }
            Value::Bytes(b) => {
                out.push(9);
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(b);
            }
            Value::Array(array) => {
                // Shape, element count, then the elements as a row.
                out.push(10);
                out.push(array.dims.len() as u8);
                for dim in &array.dims {
                    out.extend_from_slice(&dim.len.to_le_bytes());
                    out.extend_from_slice(&dim.lower.to_le_bytes());
                }
                out.extend_from_slice(&(array.items.len() as u32).to_le_bytes());
                encode_row(&array.items, out);
            }
            Value::Record(fields) => {
                // Field count, then the fields as a row (records live only in results and
                // temporary files, never in tables).
                out.push(13);
                out.extend_from_slice(&(fields.len() as u32).to_le_bytes());
                encode_row(fields, out);
            }
        }
    }
}

/// The mantissa of a numeric [`encode_row`] writes in the small form (tag 14: the mantissa as 8
/// bytes, then the scale): one that fits 64 bits, other than a negative zero (which the full
/// form keeps, so every value decodes to exactly the `Decimal` encoded).
fn small_numeric(d: &Decimal) -> Option<i64> {
    let mantissa = i64::try_from(d.mantissa()).ok()?;
    (mantissa != 0 || !d.is_sign_negative()).then_some(mantissa)
}

/// A numeric in the small form (see [`small_numeric`]), from the 9 bytes after its tag.
#[inline]
fn small_numeric_value(raw: [u8; 9]) -> SqlResult<Decimal> {
    let mantissa = i64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
    if u32::from(raw[8]) > Decimal::MAX_SCALE {
        return Err(corrupt());
    }
    Ok(small_numeric_parts(mantissa, raw[8]))
}

/// The Decimal of a small-form mantissa and a scale of at most `Decimal::MAX_SCALE`, built from
/// its parts: no Result to pass through memory per value (a scan's hot path, `decode_into`).
#[inline(always)]
fn small_numeric_parts(mantissa: i64, scale: u8) -> Decimal {
    let magnitude = mantissa.unsigned_abs();
    Decimal::from_parts(
        magnitude as u32,
        (magnitude >> 32) as u32,
        0,
        mantissa < 0,
        u32::from(scale),
    )
}

/// Decodes a row written by [`encode_row`]. Rows come from our own store or log (checksummed), so a
/// malformed row is corruption: it is reported as an internal error, never guessed at.
pub fn decode_row(bytes: &[u8], columns: usize) -> SqlResult<Vec<Value>> {
    let mut values = Vec::with_capacity(columns);
    decode_row_into(bytes, columns, (None, usize::MAX), &mut values)?;
    Ok(values)
}

/// Decodes a row written by [`encode_row`] into `values` (reused: its allocation is kept), a
/// row `columns` wide, decoding only the columns `used` marks (None: all; the others read as
/// NULL). Decoding stops at `end`, [`used_end`] of `used` (computed once per scan): values are
/// stored one after another, so the ones before the last used must be stepped over, but none
/// after it. Columns added after the row was written read as NULL.
pub fn decode_row_into(
    mut bytes: &[u8],
    columns: usize,
    (used, end): (Option<&[bool]>, usize),
    values: &mut Vec<Value>,
) -> SqlResult<()> {
    if values.len() != columns {
        values.clear();
        values.resize(columns, Value::Null);
    }
    let mut i = 0;
    while !bytes.is_empty() && i < end {
        if used.is_none_or(|u| u.get(i).copied().unwrap_or(true)) {
            match (values.get_mut(i), encoded_len(bytes)) {
                // A string already there takes the text (see `decode_into`).
                (Some(slot @ Value::Text(_)), Some(n)) => {
                    decode_into(&bytes[..n], slot)?;
                    bytes = &bytes[n..];
                }
                (Some(slot), _) => *slot = decode_value(&mut bytes, true)?,
                (None, _) => values.push(decode_value(&mut bytes, true)?),
            }
        } else {
            skip_value(&mut bytes)?;
            if let Some(slot) = values.get_mut(i).filter(|v| !v.is_null()) {
                *slot = Value::Null;
            }
        }
        i += 1;
    }
    let from = i.min(values.len());
    for slot in &mut values[from..] {
        if !slot.is_null() {
            *slot = Value::Null;
        }
    }
    Ok(())
}

/// One past the last column of a row `columns` wide that `used` marks (None, or a mark list
/// shorter than the row: every column): where decoding a row can stop.
pub fn used_end(used: Option<&[bool]>, columns: usize) -> usize {
    match used {
        Some(u) if u.len() >= columns => u.iter().rposition(|&keep| keep).map_or(0, |l| l + 1),
        _ => usize::MAX,
    }
}

/// Where each of the first `end` values of a row written by [`encode_row`] lies in `bytes`:
/// (start, end) byte offsets, appended to `spans`, which holds those of the row's first values
/// already (none, or as many as an earlier call located: a scan filter locates the columns its
/// next test reads, not all). Fewer when the row has fewer values (columns added after it was
/// written: they read as NULL). Steps over each value by its length, building none.
///
/// `layout` is where the values of the row located before this one lay (see [`Layout`]): a value
/// that starts with the same tag, and for text the same length, as the one at its place in that
/// row is taken from it without stepping.
pub(crate) fn column_spans(
    bytes: &[u8],
    end: usize,
    spans: &mut Vec<(usize, usize)>,
    layout: &mut Layout,
) -> SqlResult<()> {
    // Predicted: each check reads bytes whose places the layout knows, so the checks do not
    // wait on one another as stepping (each value's start is the last one's end) does. The
    // layout's cells lie one after another from the row's start, as `spans` do: when the cells
    // before `spans.len()` were taken (or stepped and noted), the next cell starts where the
    // last span ends.
    let first = spans.len();
    let known = layout.cells.len().min(end);
    if first < known {
        let fit = layout.cells[first..known]
            .iter()
            .position(|cell| !cell.fits(bytes))
            .map_or(known, |misfit| first + misfit);
        spans.extend(
            layout.cells[first..fit]
                .iter()
                .map(|cell| (cell.from, cell.to)),
        );
        if fit < known {
            layout.cells.truncate(fit);
        }
    }
    let mut at = spans.last().map_or(0, |&(_, to)| to);
    while at < bytes.len() && spans.len() < end {
        let rest = &bytes[at..];
        let n = match encoded_len(rest) {
            Some(n) => {
                if layout.cells.len() == spans.len() {
                    layout.cells.push(Cell::of(rest, at, n));
                }
                n
            }
            None => {
                let mut after = rest;
                skip_value(&mut after)?;
                rest.len() - after.len()
            }
        };
        spans.push((at, at + n));
        at += n;
    }
    Ok(())
}

/// Where the values of the last row [`column_spans`] located lay, as far as each was a scalar
/// (arrays and records end it). The rows of a table mostly repeat their layout, up to the first
/// value of varying length (TPC-H's `lineitem` has integers, numerics, one-letter flags and
/// dates before its first comment), so the next row's values are checked against it: the same
/// tag (and for text, bytes and json the same length) at the same place means the same span.
/// Checking needs one load per value at a place known in advance, where stepping needs each
/// value's length before it can find the next.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    cells: Vec<Cell>,
}

/// One value's place in a [`Layout`], and the bytes that fix its length.
#[derive(Debug, Clone, Copy)]
struct Cell {
    from: usize,
    to: usize,
    tag: u8,
    /// The length a text, bytes or json value gives after its tag (`sized`).
    len: u32,
    sized: bool,
}

impl Cell {
    /// The cell of a value of `n` bytes (its [`encoded_len`]) at `at`, `rest` its bytes on.
    fn of(rest: &[u8], at: usize, n: usize) -> Cell {
        let tag = rest[0];
        let sized = length_prefixed(tag);
        let len = match rest.get(1..5) {
            Some(len) if sized => u32::from_le_bytes(len.try_into().expect("4 bytes")),
            _ => 0,
        };
        Cell {
            from: at,
            to: at + n,
            tag,
            len,
            sized,
        }
    }

    /// Whether `bytes` has a value of this cell's length at its place: the same tag, the same
    /// length after it when sized, and room for it.
    #[inline]
    fn fits(&self, bytes: &[u8]) -> bool {
        self.to <= bytes.len()
            && bytes[self.from] == self.tag
            && (!self.sized || bytes[self.from + 1..self.from + 5] == self.len.to_le_bytes())
    }
}

/// The one value written by [`encode_row`] in `bytes` (a span from [`column_spans`]).
#[inline]
pub(crate) fn decode_one(mut bytes: &[u8]) -> SqlResult<Value> {
    decode_value(&mut bytes, true)
}

/// [`decode_one`] into `slot`: a text value goes into the string `slot` holds already, when it
/// holds one (a scan decodes each row into the same row of values: no allocation per row).
#[inline]
pub(crate) fn decode_into(bytes: &[u8], slot: &mut Value) -> SqlResult<()> {
    // A value of the kind the slot holds already (the same column of the row before) is
    // written over it in place: no value is moved through a Result and none dropped.
    match (bytes, &mut *slot) {
        ([5, rest @ ..], Value::Text(text)) => {
            let stored = rest.get(4..).ok_or_else(corrupt)?;
            text.clear();
            text.push_str(std::str::from_utf8(stored).map_err(|_| corrupt())?);
        }
        ([14, rest @ ..], Value::Numeric(d))
            if rest.len() == 9 && u32::from(rest[8]) <= Decimal::MAX_SCALE =>
        {
            // Read straight from the row: the mantissa and the scale go to the slot in
            // registers, not through an array and a Result in memory.
            let mantissa = i64::from_le_bytes(rest[..8].try_into().expect("8 bytes"));
            *d = small_numeric_parts(mantissa, rest[8]);
        }
        ([2, rest @ ..], Value::Int(i)) => {
            *i = i64::from_le_bytes(rest.try_into().map_err(|_| corrupt())?);
        }
        ([6, rest @ ..], Value::Timestamp(t)) => {
            *t = i64::from_le_bytes(rest.try_into().map_err(|_| corrupt())?);
        }
        ([7, rest @ ..], Value::Date(d)) => {
            *d = i32::from_le_bytes(rest.try_into().map_err(|_| corrupt())?);
        }
        _ => *slot = decode_one(bytes)?,
    }
    Ok(())
}

/// The text of one encoded value (a span from [`column_spans`]), borrowed from the row instead of
/// built: None when it is not a text value (NULL, another type).
#[inline]
pub(crate) fn encoded_text(bytes: &[u8]) -> SqlResult<Option<&str>> {
    match bytes.first() {
        Some(5) => std::str::from_utf8(bytes.get(5..).ok_or_else(corrupt)?)
            .map(Some)
            .map_err(|_| corrupt()),
        _ => Ok(None),
    }
}

/// Whether a value written by [`encode_row`] with this tag gives its length (4 bytes) after
/// the tag: text, bytes and json.
#[inline]
fn length_prefixed(tag: u8) -> bool {
    matches!(tag, 5 | 9 | 12)
}

/// The length of the first value written by [`encode_row`] in `bytes`, tag included, when it
/// is a scalar that fits (arrays, records and malformed bytes: None). What a scan steps over
/// most: one branch and no bounds check per byte taken.
#[inline]
fn encoded_len(bytes: &[u8]) -> Option<usize> {
    // Fixed lengths by tag (0: a length follows the tag, or not a scalar): a table load rather
    // than a jump per value.
    const FIXED: [u8; 16] = [1, 2, 9, 9, 17, 0, 9, 5, 17, 0, 0, 0, 0, 0, 10, 0];
    let tag = *bytes.first()? as usize;
    let n = match FIXED.get(tag) {
        Some(&n) if n != 0 => n as usize,
        _ if length_prefixed(tag as u8) => {
            5 + u32::from_le_bytes(bytes.get(1..5)?.try_into().ok()?) as usize
        }
        _ => return None,
    };
    (n <= bytes.len()).then_some(n)
}

/// [`compare`] of one encoded value (a span from [`column_spans`]) with `constant`, read where
/// it lies, when both are of a kind compared in place (integers, dates, timestamps, numerics
/// that fit a Decimal, text); None for any other pair, NULL included (build the value then).
#[inline]
pub(crate) fn compare_encoded(cell: &[u8], constant: &Value) -> Option<Ordering> {
    let fixed = |n: usize| cell.get(1..1 + n);
    Some(match (*cell.first()?, constant) {
        (2, Value::Int(c)) => i64::from_le_bytes(fixed(8)?.try_into().ok()?).cmp(c),
        (6, Value::Timestamp(c)) => i64::from_le_bytes(fixed(8)?.try_into().ok()?).cmp(c),
        (7, Value::Date(c)) => i32::from_le_bytes(fixed(4)?.try_into().ok()?).cmp(c),
        // At the same scale, the mantissas compare as the values do.
        (14, Value::Numeric(c)) if u32::from(*cell.get(9)?) == c.scale() => {
            i128::from(i64::from_le_bytes(fixed(8)?.try_into().ok()?)).cmp(&c.mantissa())
        }
        (4, Value::Numeric(c)) => {
            numeric_order(Decimal::deserialize(fixed(16)?.try_into().ok()?), c)
        }
        (14, Value::Numeric(c)) => {
            numeric_order(small_numeric_value(fixed(9)?.try_into().ok()?).ok()?, c)
        }
        // Text compares by bytes (as `str` does), valid UTF-8 or not.
        (5, Value::Text(c)) => cell.get(5..)?.cmp(c.as_bytes()),
        _ => return None,
    })
}

/// A stored numeric against a constant: as fixed-point integers when both fit, else as Decimals.
#[inline]
fn numeric_order(stored: Decimal, constant: &Decimal) -> Ordering {
    crate::numeric::Fixed::of(stored)
        .checked_cmp(crate::numeric::Fixed::of(*constant))
        .unwrap_or_else(|| stored.cmp(constant))
}

/// [`compare`] of two encoded values of the same fixed-width integer kind (integers, dates,
/// timestamps), read where they lie; None for any other pair.
#[inline]
pub(crate) fn compare_encoded_pair(a: &[u8], b: &[u8]) -> Option<Ordering> {
    let int = |cell: &[u8], n: usize| -> Option<i64> {
        let raw = cell.get(1..1 + n)?;
        Some(match n {
            4 => i64::from(i32::from_le_bytes(raw.try_into().ok()?)),
            _ => i64::from_le_bytes(raw.try_into().ok()?),
        })
    };
    let width = match (*a.first()?, *b.first()?) {
        (2, 2) | (6, 6) => 8,
        (7, 7) => 4,
        _ => return None,
    };
    Some(int(a, width)?.cmp(&int(b, width)?))
}

/// Steps over one value written by [`encode_row`] without building it: a scalar by its
/// [`encoded_len`], an array or record value by value.
#[inline]
fn skip_value(bytes: &mut &[u8]) -> SqlResult<()> {
    if let Some(n) = encoded_len(bytes) {
        *bytes = &bytes[n..];
        return Ok(());
    }
    let tag = take(1, bytes)?[0];
    match tag {
        10 => {
            let ndims = take(1, bytes)?[0] as usize;
            take(8 * ndims, bytes)?;
            let count = u32::from_le_bytes(fixed(bytes)?) as usize;
            for _ in 0..count {
                skip_value(bytes)?;
            }
        }
        13 => {
            let count = u32::from_le_bytes(fixed(bytes)?) as usize;
            for _ in 0..count {
                skip_value(bytes)?;
            }
        }
        // A scalar cut short, or an unknown tag.
        _ => return Err(corrupt()),
    }
    Ok(())
}

fn corrupt() -> SqlError {
    SqlError::new(code::INTERNAL_ERROR, "corrupt row in storage")
}

fn take<'b>(n: usize, bytes: &mut &'b [u8]) -> SqlResult<&'b [u8]> {
    if bytes.len() < n {
        return Err(corrupt());
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

fn fixed<const N: usize>(bytes: &mut &[u8]) -> SqlResult<[u8; N]> {
    take(N, bytes)?.try_into().map_err(|_| corrupt())
}

/// Decodes one value written by [`encode_row`] (NULL without allocating unless `keep`).
fn decode_value(bytes: &mut &[u8], keep: bool) -> SqlResult<Value> {
    let tag = take(1, bytes)?[0];
    let value = match tag {
        0 => Value::Null,
        1 => Value::Bool(take(1, bytes)?[0] != 0),
        2 => Value::Int(i64::from_le_bytes(fixed(bytes)?)),
        3 => Value::Float(f64::from_le_bytes(fixed(bytes)?)),
        4 => Value::Numeric(Decimal::deserialize(fixed(bytes)?)),
        14 => Value::Numeric(small_numeric_value(fixed(bytes)?)?),
        5 => {
            let len = u32::from_le_bytes(fixed(bytes)?) as usize;
            let text = take(len, bytes)?;
            if keep {
                Value::Text(String::from_utf8(text.to_vec()).map_err(|_| corrupt())?)
            } else {
                Value::Null
            }
        }
        6 => Value::Timestamp(i64::from_le_bytes(fixed(bytes)?)),
        7 => Value::Date(i32::from_le_bytes(fixed(bytes)?)),
        8 => {
            let raw: [u8; 16] = fixed(bytes)?;
            Value::Interval(Interval {
                months: i32::from_le_bytes(raw[0..4].try_into().map_err(|_| corrupt())?),
                days: i32::from_le_bytes(raw[4..8].try_into().map_err(|_| corrupt())?),
                micros: i64::from_le_bytes(raw[8..16].try_into().map_err(|_| corrupt())?),
            })
        }
        9 => {
            let len = u32::from_le_bytes(fixed(bytes)?) as usize;
            let data = take(len, bytes)?;
            if keep {
                Value::Bytes(data.to_vec())
            } else {
                Value::Null
            }
        }
        10 => {
            let ndims = take(1, bytes)?[0] as usize;
            let mut dims = Vec::with_capacity(ndims);
            for _ in 0..ndims {
                let len = i32::from_le_bytes(fixed(bytes)?);
                let lower = i32::from_le_bytes(fixed(bytes)?);
                dims.push(crate::array::Dim { len, lower });
            }
            let count = u32::from_le_bytes(fixed(bytes)?) as usize;
            let mut items = Vec::with_capacity(count.min(bytes.len()));
            for _ in 0..count {
                items.push(decode_value(bytes, keep)?);
            }
            Value::Array(Box::new(crate::array::Array { dims, items }))
        }
        12 => {
            let len = u32::from_le_bytes(fixed(bytes)?) as usize;
            let text = std::str::from_utf8(take(len, bytes)?).map_err(|_| corrupt())?;
            Value::numeric(Numeric::parse(text).map_err(|_| corrupt())?)
        }
        13 => {
            let count = u32::from_le_bytes(fixed(bytes)?) as usize;
            let mut fields = Vec::with_capacity(count.min(bytes.len()));
            for _ in 0..count {
                fields.push(decode_value(bytes, keep)?);
            }
            Value::Record(Box::new(fields))
        }
        _ => return Err(corrupt()),
    };
    Ok(if keep { value } else { Value::Null })
}

/// PostgreSQL's parse_bool: any prefix of true, false, yes or no, "on", "of" or "off", 1 or 0, in
/// any case (boolean input and boolean settings alike).
pub fn parse_bool(text: &str) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    let prefix_of = |word: &str| !lower.is_empty() && word.starts_with(lower.as_str());
    match lower.as_str() {
        "1" | "on" => Some(true),
        "0" | "of" | "off" => Some(false),
        _ if prefix_of("true") || prefix_of("yes") => Some(true),
        _ if prefix_of("false") || prefix_of("no") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numeric_input_reads_as_the_general_input_does() {
        let texts = [
            "0",
            "-0",
            "0.00",
            "-0.00",
            "17",
            "21168.23",
            "-0.005",
            "0.04",
            "1.5",
            "007.10",
            "999.99",
            "1000.00",
            "-999.99",
            "12345678901234.56",
            "1234567890123.5",
            ".5",
            "5.",
            "1e3",
            " 1",
            "1.234",
            "+1",
            "--1",
            "",
            "-",
        ];
        let types = [(15, 2), (5, 2), (3, 0), (10, 4), (28, 10), (6, 6)];
        let zone = crate::tz::Zone::UTC;
        for (p, s) in types {
            for text in texts {
                let general = numeric_input(text)
                    .and_then(|n| n.apply_typmod(p, s))
                    .map(Value::numeric);
                if let Some(value) = typmod_decimal(text, p, s) {
                    let general = general
                        .clone()
                        .unwrap_or_else(|e| panic!("{text} ({p},{s}): {e:?}"));
                    assert_eq!(Value::Numeric(value), general, "{text} ({p},{s})");
                    let ty = DataType::Decimal(p, s);
                    assert_eq!(
                        to_text(&Value::Numeric(value), ty),
                        to_text(&general, ty),
                        "{text} ({p},{s})"
                    );
                }
                let read = parse_text_in(text, DataType::Decimal(p, s), &zone).map_err(|e| e.code);
                assert_eq!(read, general.map_err(|e| e.code), "{text} ({p},{s})");
            }
        }
    }

    /// Numerics encode in the small form (tag 14) when their mantissa fits 64 bits, else in the
    /// full one; both decode to exactly the value encoded (scale and sign kept), and compare in
    /// place with constants of any scale as the values do.
    #[test]
    fn numerics_round_trip_in_both_forms_and_compare_in_place() {
        let negative_zero = -Decimal::new(0, 2);
        assert!(negative_zero.is_sign_negative());
        let values = [
            Decimal::new(12345, 2),
            Decimal::new(-7, 0),
            Decimal::new(0, 3),
            negative_zero,
            Decimal::new(i64::MAX, 4),
            Decimal::new(i64::MIN, 0),
            Decimal::from_i128_with_scale(i128::from(i64::MAX) + 1, 2),
            Decimal::from_i128_with_scale(-(1 << 90), 28),
            Decimal::new(1, 28),
        ];
        let constants = [
            Decimal::new(12345, 2),
            Decimal::new(123450, 3),
            Decimal::new(-7, 0),
            Decimal::new(0, 0),
            Decimal::new(5, 1),
            Decimal::new(i64::MAX, 4),
            Decimal::new(1, 28),
        ];
        for value in &values {
            let mut bytes = Vec::new();
            encode_row(&[Value::Numeric(*value)], &mut bytes);
            let small = i64::try_from(value.mantissa()).is_ok()
                && !(value.is_zero() && value.is_sign_negative());
            assert_eq!(bytes[0], if small { 14 } else { 4 }, "{value:?}");
            assert_eq!(encoded_len(&bytes), Some(bytes.len()), "{value:?}");
            match &decode_row(&bytes, 1).unwrap()[0] {
                Value::Numeric(back) => {
                    assert_eq!(back.serialize(), value.serialize(), "{value:?}");
                    assert_eq!(back.to_string(), value.to_string());
                }
                other => panic!("{value:?} decoded as {other:?}"),
            }
            for constant in &constants {
                assert_eq!(
                    compare_encoded(&bytes, &Value::Numeric(*constant)),
                    Some(value.cmp(constant)),
                    "{value:?} against {constant:?}"
                );
            }
        }
    }

    #[test]
    fn encoded_lengths_step_over_each_scalar_exactly() {
        let values = [
            Value::Null,
            Value::Bool(true),
            Value::Int(-7),
            Value::Float(1.5),
            Value::Numeric(Decimal::new(12345, 2)),
            Value::Numeric(Decimal::from_i128_with_scale(1 << 70, 3)),
            Value::Text("héllo".into()),
            Value::Text(String::new()),
            Value::Timestamp(99),
            Value::Date(-3),
            Value::Interval(Interval {
                months: 1,
                days: 2,
                micros: 3,
            }),
            Value::Bytes(vec![0, 1, 2]),
        ];
        for value in &values {
            let mut bytes = Vec::new();
            encode_row(std::slice::from_ref(value), &mut bytes);
            assert_eq!(encoded_len(&bytes), Some(bytes.len()), "{value:?}");
            // A value cut short is left to skip_value, which reports the corruption.
            assert_eq!(encoded_len(&bytes[..bytes.len() - 1]), None, "{value:?}");
        }
        let mut bytes = Vec::new();
        encode_row(
            &[Value::Array(Box::new(crate::array::Array::one_dim(vec![
                Value::Int(1),
            ])))],
            &mut bytes,
        );
        assert_eq!(encoded_len(&bytes), None);
        // Rows of every kind decode the same when their other columns are skipped.
        let mut row = Vec::new();
        encode_row(&values, &mut row);
        let used: Vec<bool> = (0..values.len()).map(|i| i % 3 == 1).collect();
        let mut decoded = Vec::new();
        let end = used_end(Some(&used), values.len());
        decode_row_into(&row, values.len(), (Some(&used), end), &mut decoded).unwrap();
        for (i, value) in decoded.iter().enumerate() {
            let expected = if used[i] {
                values[i].clone()
            } else {
                Value::Null
            };
            assert_eq!(*value, expected, "column {i}");
        }
    }

    #[test]
    fn encoded_values_compare_in_place_as_built_ones_do() {
        let values = [
            Value::Null,
            Value::Int(-7),
            Value::Int(3),
            Value::Int(i64::MAX),
            Value::Numeric(Decimal::new(12345, 2)),
            Value::Numeric(Decimal::new(-5, 0)),
            Value::Numeric(Decimal::new(1234500, 4)),
            Value::Text("héllo".into()),
            Value::Text("hello".into()),
            Value::Text(String::new()),
            Value::Timestamp(99),
            Value::Timestamp(-1),
            Value::Date(-3),
            Value::Date(9000),
            Value::Float(1.5),
        ];
        let encoded = |value: &Value| {
            let mut bytes = Vec::new();
            encode_row(std::slice::from_ref(value), &mut bytes);
            bytes
        };
        let mut in_place = 0;
        for a in &values {
            for b in &values {
                let (x, y) = (encoded(a), encoded(b));
                if let Some(order) = compare_encoded(&x, b) {
                    assert_eq!(order, compare(a, b), "{a:?} {b:?}");
                    in_place += 1;
                }
                if let Some(order) = compare_encoded_pair(&x, &y) {
                    assert_eq!(order, compare(a, b), "{a:?} {b:?}");
                }
                if a.is_null() || b.is_null() {
                    assert_eq!(compare_encoded(&x, b), None);
                }
            }
        }
        // Same-kind pairs of the five kinds read in place: 9 + 9 + 9 + 4 + 4.
        assert_eq!(in_place, 35);
    }

    fn float(value: f64) -> String {
        let mut out = String::new();
        format_float(value, &mut out);
        out
    }

    #[test]
    fn reals_round_to_single_precision_and_print_shortest() {
        let real = |text: &str| {
            let mut out = String::new();
            format_float4(parse_float4(text).unwrap(), &mut out);
            out
        };
        assert_eq!(real("0.1"), "0.1");
        assert_eq!(real("1234567"), "1.234567e+06");
        assert_eq!(real("999999"), "999999");
        assert_eq!(real("123456789"), "1.2345679e+08");
        assert_eq!(real("0.00012345"), "0.00012345");
        assert_eq!(real("1e-5"), "1e-05");
        assert_eq!(real("1.5e-45"), "1e-45");
        assert_eq!(real("-0"), "-0");
        assert_eq!(real("-inf"), "-Infinity");
        assert!(parse_float4("1e39").is_err());
        assert!(parse_float4("1e-50").is_err());
        assert!(parse_float4("0e-50").is_ok());
        // The double a real holds widens exactly: 1.1 as real is 1.100000023841858.
        assert_eq!(float(parse_float4("1.1").unwrap()), "1.100000023841858");
        assert!(to_float4(1e39).is_err());
        assert!(to_float4(1e-50).is_err());
    }

    #[test]
    fn number_literals_print_without_exponent() {
        assert_eq!(plain_decimal("3.4e39"), format!("34{}", "0".repeat(38)));
        assert_eq!(plain_decimal("1e-3"), "0.001");
        assert_eq!(plain_decimal("12.5e1"), "125");
        assert_eq!(plain_decimal("12.5e-1"), "1.25");
        assert_eq!(plain_decimal("00.5"), "0.5");
    }

    #[test]
    fn times_parse_and_print_like_postgres() {
        let time = |text: &str| {
            let mut out = String::new();
            format_time(parse_time(text).unwrap(), &mut out);
            out
        };
        assert_eq!(time("10:30"), "10:30:00");
        assert_eq!(time("07:05:09.250"), "07:05:09.25");
        assert_eq!(time("24:00:00"), "24:00:00");
        assert_eq!(time("2024-01-01 08:15"), "08:15:00");
        assert_eq!(parse_time("24:00:01"), None);
        assert_eq!(parse_time("10:60"), None);
    }

    #[test]
    fn numerics_round_trip_in_binary() {
        for text in [
            "0",
            "1",
            "-1",
            "0.001",
            "-12345.6789",
            "10000",
            "0.00010",
            "99999999.5",
            "123456789012345678901234567890123456789.000000000000000000000000000000001",
            "-1e-40",
            "NaN",
            "Infinity",
            "-Infinity",
        ] {
            let d = Numeric::parse(text).unwrap();
            let mut out = Vec::new();
            numeric_send(&d, &mut out);
            let back = numeric_recv(&out).unwrap();
            assert_eq!(back.to_string(), d.to_string(), "{text}");
            // Storage keeps value and scale too (Decimal bytes or, past them, the text).
            let mut row = Vec::new();
            encode_row(std::slice::from_ref(&Value::numeric(d.clone())), &mut row);
            let stored = decode_row(&row, 1).unwrap();
            assert_eq!(
                format!("{:?}", stored[0]),
                format!("{:?}", Value::numeric(d))
            );
        }
        // 1.5 is one digit of weight 0 and one of weight -1: 0001 5000, display scale 1.
        let mut out = Vec::new();
        numeric_send(&Numeric::parse("1.5").unwrap(), &mut out);
        assert_eq!(out, [0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 19, 136]);
    }

    #[test]
    fn floats_print_like_postgres() {
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(1e20), "1e+20");
        assert_eq!(float(1.5e-5), "1.5e-05");
        assert_eq!(float(123456789012345.0), "123456789012345");
        assert_eq!(float(1e15), "1e+15");
        assert_eq!(float(-2.5), "-2.5");
        assert_eq!(float(f64::INFINITY), "Infinity");
    }

    #[test]
    fn timestamps_round_trip() {
        for text in [
            "2000-01-01 00:00:00",
            "2024-02-29 13:45:07.25",
            "1999-12-31 23:59:59.999999",
            "1970-01-01 00:00:00",
        ] {
            let parsed = parse_timestamp(text, false).unwrap();
            let mut out = String::new();
            format_timestamp(parsed, None, &mut out);
            assert_eq!(out, text);
        }
        assert_eq!(parse_timestamp("2000-01-01", false), Some(0));
        assert_eq!(parse_timestamp("2000-01-01 01:00:00+01", true), Some(0));
        assert_eq!(parse_timestamp("2023-02-29", false), None);
    }

    #[test]
    fn keys_sort_like_values() {
        let key = |value: Value, ty| {
            let mut out = Vec::new();
            encode_key(&[(&value, ty)], &mut out);
            out
        };
        assert!(key(Value::Int(-5), DataType::Int4) < key(Value::Int(3), DataType::Int4));
        assert!(
            key(Value::Float(-1.5), DataType::Float8) < key(Value::Float(0.25), DataType::Float8)
        );
        assert!(
            key(Value::Text("ab".into()), DataType::Text)
                < key(Value::Text("abc".into()), DataType::Text)
        );
        assert_eq!(
            key(Value::Text("x  ".into()), DataType::Char(3)),
            key(Value::Text("x".into()), DataType::Char(3))
        );
    }

    /// Spans located with the last row's layout are the spans located by stepping, whatever
    /// changes from row to row (a NULL, a text's length, an array, a shorter row), and whether
    /// the spans come in one call or in several.
    #[test]
    fn column_spans_with_a_layout_are_the_stepped_ones() {
        let array = Value::Array(Box::new(
            crate::array::parse("{1,2}", DataType::Int8).unwrap(),
        ));
        let rows = vec![
            vec![
                Value::Int(1),
                Value::Text("ab".into()),
                Value::Date(3),
                Value::Int(4),
            ],
            vec![
                Value::Int(5),
                Value::Text("cd".into()),
                Value::Date(7),
                Value::Int(8),
            ],
            vec![
                Value::Int(5),
                Value::Text("xyz".into()),
                Value::Date(7),
                Value::Int(8),
            ],
            vec![
                Value::Null,
                Value::Text("xyz".into()),
                Value::Date(7),
                Value::Int(8),
            ],
            vec![Value::Int(5), array.clone(), Value::Date(7), Value::Int(8)],
            vec![
                Value::Int(5),
                Value::Text("xy".into()),
                Value::Date(7),
                Value::Int(8),
            ],
            vec![Value::Int(5), Value::Text("xy".into())],
            vec![
                Value::Int(5),
                Value::Text("xy".into()),
                Value::Null,
                Value::Int(9),
            ],
            vec![
                Value::Int(5),
                Value::Text("xy".into()),
                Value::Null,
                Value::Int(9),
            ],
            vec![
                Value::Float(1.0),
                Value::Text("xy".into()),
                Value::Null,
                array,
            ],
            vec![
                Value::Int(5),
                Value::Text("xy".into()),
                Value::Null,
                Value::Int(9),
            ],
        ];
        for steps in [vec![4], vec![1, 3, 4], vec![2, 2, 4]] {
            let mut layout = Layout::default();
            for row in &rows {
                let mut bytes = Vec::new();
                encode_row(row, &mut bytes);
                let mut stepped = Vec::new();
                column_spans(&bytes, 4, &mut stepped, &mut Layout::default()).unwrap();
                let mut predicted = Vec::new();
                for &end in &steps {
                    column_spans(&bytes, end, &mut predicted, &mut layout).unwrap();
                }
                assert_eq!(predicted, stepped, "{row:?}");
                assert_eq!(stepped.len(), row.len());
            }
        }
    }

    #[test]
    fn column_spans_of_varied_rows_are_the_stepped_ones() {
        // Rows that mostly repeat a layout and sometimes break it (a NULL, a text of another
        // length, an integer where a date was), early or late, located in steps of every size.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut layout = Layout::default();
        for _ in 0..2000 {
            let row: Vec<Value> = (0..12)
                .map(|c| match (c % 3, next(10)) {
                    (_, 0) => Value::Null,
                    (0, 1) => Value::Date(7),
                    (0, _) => Value::Int(c),
                    (1, 1) => Value::Text("xyz".into()),
                    (1, _) => Value::Text("ab".into()),
                    (_, 1) => Value::Numeric(Decimal::new(5, 1)),
                    _ => Value::Date(c as i32),
                })
                .collect();
            let width = 1 + next(12) as usize;
            let mut bytes = Vec::new();
            encode_row(&row[..width], &mut bytes);
            let mut stepped = Vec::new();
            column_spans(&bytes, 12, &mut stepped, &mut Layout::default()).unwrap();
            let mut predicted = Vec::new();
            let mut end = 0;
            while end < 12 {
                end = (end + 1 + next(6) as usize).min(12);
                column_spans(&bytes, end, &mut predicted, &mut layout).unwrap();
                assert_eq!(predicted[..], stepped[..end.min(width)], "{row:?}");
            }
        }
    }

    #[test]
    fn rows_round_trip() {
        let row = vec![
            Value::Int(-7),
            Value::Null,
            Value::Text("hé".into()),
            Value::Float(2.5),
            Value::Bool(true),
            Value::Numeric(Decimal::new(12345, 2)),
            Value::Timestamp(99),
        ];
        let mut bytes = Vec::new();
        encode_row(&row, &mut bytes);
        assert_eq!(decode_row(&bytes, row.len()).unwrap(), row);
        assert!(decode_row(&[9], 1).is_err());
    }

    #[test]
    fn text_input_errors_name_the_type() {
        let error = parse_text("abc", DataType::Int4).unwrap_err();
        assert_eq!(error.code, code::INVALID_TEXT_REPRESENTATION);
        assert_eq!(
            error.message,
            "invalid input syntax for type integer: \"abc\""
        );
        assert_eq!(
            parse_text("99999999999", DataType::Int4).unwrap_err().code,
            code::NUMERIC_VALUE_OUT_OF_RANGE
        );
        assert_eq!(fit_char("ab", 4, false).unwrap(), "ab  ");
        // Past the 64 spaces padded at a time; a multibyte character counts as one.
        assert_eq!(fit_char("", 84, false).unwrap(), " ".repeat(84));
        assert_eq!(
            fit_char("é", 130, false).unwrap(),
            format!("é{}", " ".repeat(129))
        );
        assert_eq!(
            fit_varchar("abcdef", Some(3), false).unwrap_err().code,
            code::STRING_DATA_RIGHT_TRUNCATION
        );
    }
}
