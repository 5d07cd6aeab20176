//! Storage parameters of a table (`CREATE TABLE ... WITH (name = value, ...)`, `ALTER TABLE
//! ... SET (...)` / `RESET (...)`), checked as PostgreSQL's reloptions.c checks them (the known
//! names, each value's type and bounds, PostgreSQL's messages) and kept as `pg_class.reloptions`
//! lists them, so that migrations tuning autovacuum and pg_dump's output of such tables load.
//! Keel's storage reads none of them: there is no heap to leave free space in, and no vacuum.

use sqlparser::ast::{self, SqlOption};

use super::ident_name;
use crate::catalog::TableDef;
use crate::error::{code, SqlError, SqlResult};
use crate::types::parse_bool;

/// What values a parameter takes.
#[derive(Clone, Copy)]
enum Kind {
    Int(i64, i64),
    Real(f64, f64),
    Bool,
    /// vacuum_index_cleanup: on, off or auto.
    Cleanup,
}

/// The table parameters PostgreSQL 15 knows (heap and autovacuum ones).
fn kind_of(name: &str) -> Option<Kind> {
    const MAX: i64 = i32::MAX as i64;
    Some(match name {
        "fillfactor" => Kind::Int(10, 100),
        "autovacuum_enabled" | "user_catalog_table" | "vacuum_truncate" => Kind::Bool,
        "autovacuum_vacuum_threshold" | "autovacuum_analyze_threshold" => Kind::Int(0, MAX),
        "autovacuum_vacuum_insert_threshold" | "log_autovacuum_min_duration" => Kind::Int(-1, MAX),
        "autovacuum_vacuum_cost_limit" => Kind::Int(1, 10_000),
        "autovacuum_freeze_min_age" | "autovacuum_multixact_freeze_min_age" => {
            Kind::Int(0, 1_000_000_000)
        }
        "autovacuum_freeze_max_age" => Kind::Int(100_000, 2_000_000_000),
        "autovacuum_multixact_freeze_max_age" => Kind::Int(10_000, 2_000_000_000),
        "autovacuum_freeze_table_age" | "autovacuum_multixact_freeze_table_age" => {
            Kind::Int(0, 2_000_000_000)
        }
        "toast_tuple_target" => Kind::Int(128, 8160),
        "parallel_workers" => Kind::Int(0, 1024),
        "autovacuum_vacuum_scale_factor"
        | "autovacuum_vacuum_insert_scale_factor"
        | "autovacuum_analyze_scale_factor"
        | "autovacuum_vacuum_cost_delay" => Kind::Real(0.0, 100.0),
        "vacuum_index_cleanup" => Kind::Cleanup,
        _ => return None,
    })
}

fn invalid(message: String) -> SqlError {
    SqlError::new(code::INVALID_PARAMETER_VALUE, message)
}

/// An option's value as PostgreSQL keeps it: a literal's text (a string without its quotes),
/// a word, a signed number.
fn value_text(value: &ast::Expr) -> String {
    match value {
        ast::Expr::Value(value) => match &value.value {
            ast::Value::SingleQuotedString(text) => text.clone(),
            ast::Value::Number(number, _) => number.clone(),
            ast::Value::Boolean(b) => b.to_string(),
            other => other.to_string(),
        },
        ast::Expr::Identifier(ident) => ident_name(ident),
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => format!("-{}", value_text(expr)),
        other => other.to_string(),
    }
}

/// The parameters of a btree index (PostgreSQL's btoptions).
fn index_kind_of(name: &str) -> Option<Kind> {
    match name {
        "fillfactor" => Some(Kind::Int(10, 100)),
        "deduplicate_items" => Some(Kind::Bool),
        _ => None,
    }
}

/// `name = value`, checked against `kinds`: PostgreSQL's 22023 for an unknown name or a value
/// of the wrong type or out of bounds.
fn checked(name: &str, value: &str, kinds: fn(&str) -> Option<Kind>) -> SqlResult<()> {
    let Some(kind) = kinds(name) else {
        return Err(invalid(format!("unrecognized parameter \"{name}\"")));
    };
    match kind {
        Kind::Int(low, high) => {
            // parse_int: a fractional value rounds.
            let parsed = value.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            let Some(number) = parsed else {
                return Err(invalid(format!(
                    "invalid value for integer option \"{name}\": {value}"
                )));
            };
            let rounded = number.round() as i64;
            if !(low..=high).contains(&rounded) {
                return Err(
                    invalid(format!("value {value} out of bounds for option \"{name}\""))
                        .with_detail(format!(
                            "Valid values are between \"{low}\" and \"{high}\"."
                        )),
                );
            }
        }
        Kind::Real(low, high) => {
            let parsed = value.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            let Some(number) = parsed else {
                return Err(invalid(format!(
                    "invalid value for floating point option \"{name}\": {value}"
                )));
            };
            if !(low..=high).contains(&number) {
                return Err(
                    invalid(format!("value {value} out of bounds for option \"{name}\""))
                        .with_detail(format!(
                            "Valid values are between \"{low:.6}\" and \"{high:.6}\"."
                        )),
                );
            }
        }
        Kind::Bool => {
            if parse_bool(value).is_none() {
                return Err(invalid(format!(
                    "invalid value for boolean option \"{name}\": {value}"
                )));
            }
        }
        Kind::Cleanup => {
            if parse_bool(value).is_none() && !value.eq_ignore_ascii_case("auto") {
                return Err(
                    invalid(format!("invalid value for enum option \"{name}\": {value}"))
                        .with_detail("Valid values are \"on\", \"off\", and \"auto\"."),
                );
            }
        }
    }
    Ok(())
}

/// Sets the storage parameters `options` on `table` (each checked; one named twice is 22023):
/// the ones not named keep their order, then come the ones named, in the order given, as
/// PostgreSQL's transformRelOptions writes the reloptions array.
pub(super) fn set_storage_options(table: &mut TableDef, options: &[SqlOption]) -> SqlResult<()> {
    let mut given: Vec<(String, String)> = Vec::with_capacity(options.len());
    for option in options {
        let SqlOption::KeyValue { key, value } = option else {
            return Err(super::unsupported(format!("table option {option}")));
        };
        let name = ident_name(key);
        let value = value_text(value);
        if given.iter().any(|(other, _)| *other == name) {
            return Err(invalid(format!(
                "parameter \"{name}\" specified more than once"
            )));
        }
        checked(&name, &value, kind_of)?;
        given.push((name, value));
    }
    table
        .options
        .retain(|(name, _)| !given.iter().any(|(other, _)| other == name));
    for (name, value) in given {
        if name == "fillfactor" {
            table.fillfactor = value.trim().parse::<f64>().ok().map(|v| v.round() as u32);
        }
        table.options.push((name, value));
    }
    Ok(())
}

/// `CREATE INDEX ... WITH (name = value, ...)` (sqlparser reads each as an `=` expression),
/// checked as a btree's parameters, in the order given.
pub(super) fn index_storage_options(with: &[ast::Expr]) -> SqlResult<Vec<(String, String)>> {
    let mut given: Vec<(String, String)> = Vec::with_capacity(with.len());
    for option in with {
        let ast::Expr::BinaryOp {
            left,
            op: ast::BinaryOperator::Eq,
            right,
        } = option
        else {
            return Err(super::unsupported(format!("index option {option}")));
        };
        let ast::Expr::Identifier(key) = left.as_ref() else {
            return Err(super::unsupported(format!("index option {option}")));
        };
        let (name, value) = (ident_name(key), value_text(right));
        if given.iter().any(|(other, _)| *other == name) {
            return Err(invalid(format!(
                "parameter \"{name}\" specified more than once"
            )));
        }
        checked(&name, &value, index_kind_of)?;
        given.push((name, value));
    }
    Ok(given)
}

/// `ALTER TABLE ... RESET (names)`: those parameters back to their defaults (an unknown or
/// unset name is no error, as in PostgreSQL).
pub(super) fn reset_storage_options(table: &mut TableDef, names: &[String]) {
    table.options.retain(|(name, _)| !names.contains(name));
    if names.iter().any(|name| name == "fillfactor") {
        table.fillfactor = None;
    }
}
