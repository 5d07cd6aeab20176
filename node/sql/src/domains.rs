//! Domains: `CREATE DOMAIN posint AS integer CHECK (VALUE > 0)`.
//!
//! A domain is a base type with constraints (NOT NULL, CHECKs over `VALUE`) and perhaps a
//! default. Keel holds a value of a domain as a value of its base type, as PostgreSQL's
//! executor does (and as its wire protocol shows it: a column of a domain is described with the
//! base type's OID), so every operator and function takes it as it is. What the domain adds is
//! checked where a value *becomes* one ([`Coerce::check`]):
//!
//! - a cast (`x::posint`, `CAST(x AS posint)`): the binder casts to the base type and wraps
//!   that in an `Expr::Domain` that checks the result;
//! - a row written to a table whose column is of the domain (INSERT, UPDATE, COPY, MERGE, ON
//!   CONFLICT): the column keeps the domain's id beside its base type
//!   (`ColumnDef::domain`), its constraints are bound with the table's CHECKs when a write
//!   statement takes the table, and `fragment::check_row` checks them before the table's own
//!   constraints, as PostgreSQL coerces the new tuple's values before checking the relation's.
//!
//! A domain over a domain has the constraints of both, its parent's first (so a value that
//! fails both fails the parent's, as in PostgreSQL), and a NOT NULL of either. Its base type is
//! the base type at the bottom of the chain; `parent` names the domain it was declared over
//! (`pg_type.typbasetype`).
//!
//! Names for output (`format_type`, `::regtype`) need the domain where only an OID is at hand,
//! so definitions are kept in a process-wide registry by id, as enum types are (see
//! [`crate::enums`]): catalogs read at startup and DDL register them; ids are never reused.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::catalog::CheckDef;
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{EvalContext, Expr};
use crate::types::{DataType, Value};

/// One domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainDef {
    pub id: u64,
    /// The catalog key (`schema.name`).
    pub name: String,
    /// The base type under every domain of the chain (with its modifier: `varchar(5)`).
    pub base: DataType,
    /// The domain this one was declared over, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u64>,
    /// `NOT NULL` (`pg_type.typnotnull`).
    #[serde(default)]
    pub not_null: bool,
    /// `DEFAULT expr` as SQL text (`pg_type.typdefault`), cast to the base type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The CHECK constraints, in the order they were added; their SQL reads `VALUE`.
    #[serde(default)]
    pub checks: Vec<CheckDef>,
    #[serde(default)]
    pub owner: Option<String>,
}

impl DomainDef {
    /// The domain's name without its schema.
    pub fn relname(&self) -> &str {
        crate::catalog::relname(&self.name)
    }

    /// `pg_type.oid` (from the catalog's ids, as a table's or an enum type's).
    pub fn oid(&self) -> i64 {
        oid(self.id)
    }
}

/// The OID of domain `id`.
pub fn oid(id: u64) -> i64 {
    crate::system::enum_oid(id)
}

/// A domain's constraints bound over a one-column row (the value), with the chain's parents'
/// first: what a value must pass to become one of the domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Coerce {
    /// The domain's OID (`pg_typeof`) and name (for messages).
    pub oid: i64,
    pub name: String,
    pub not_null: bool,
    /// (constraint name, condition over `[value]`).
    pub checks: Vec<(String, Expr)>,
}

impl Coerce {
    /// PostgreSQL's `domain_check`: 23502 for a NULL the domain refuses, 23514 for a CHECK
    /// that is false (NULL passes, as in a table's CHECK; `VALUE IS NOT NULL` refuses NULL).
    pub fn check(&self, value: &Value, now: i64) -> SqlResult<()> {
        if self.not_null && value.is_null() {
            return Err(SqlError::new(
                code::NOT_NULL_VIOLATION,
                format!("domain {} does not allow null values", self.name),
            ));
        }
        for (constraint, condition) in &self.checks {
            let passed =
                condition.eval(std::slice::from_ref(value), &EvalContext::new(&[], now))?;
            if passed == Value::Bool(false) {
                return Err(SqlError::new(
                    code::CHECK_VIOLATION,
                    format!(
                        "value for domain {} violates check constraint \"{constraint}\"",
                        self.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A column's domain: its id (stored), and its constraints bound once a write statement takes
/// the table (`Binder::bind_table_expressions`; never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDomain {
    pub id: u64,
    #[serde(skip)]
    pub bound: Option<Arc<Coerce>>,
}

impl ColumnDomain {
    pub fn new(id: u64) -> ColumnDomain {
        ColumnDomain { id, bound: None }
    }
}

static REGISTRY: RwLock<Option<HashMap<u64, Arc<DomainDef>>>> = RwLock::new(None);

/// Makes `def` the definition of its domain for [`lookup`] (a newer one replaces it).
pub fn register(def: &Arc<DomainDef>) {
    let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    let map = registry.get_or_insert_with(HashMap::new);
    if map.get(&def.id).is_some_and(|known| **known == **def) {
        return;
    }
    map.insert(def.id, def.clone());
}

/// The registered definition of domain `id`.
pub fn lookup(id: u64) -> Option<Arc<DomainDef>> {
    let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    registry.as_ref()?.get(&id).cloned()
}

/// The domain whose OID is `oid`, when one is registered.
pub fn by_oid(oid: i64) -> Option<Arc<DomainDef>> {
    let id = u64::try_from(oid.checked_sub(crate::system::enum_oid(0))?).ok()?;
    lookup(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::BinOp;

    #[test]
    fn coerce_checks_not_null_then_each_check_in_order() {
        let positive = Expr::Binary(
            BinOp::Gt,
            Box::new(Expr::Column(0)),
            Box::new(Expr::Const(Value::Int(0))),
        );
        let small = Expr::Binary(
            BinOp::Lt,
            Box::new(Expr::Column(0)),
            Box::new(Expr::Const(Value::Int(10))),
        );
        let mut coerce = Coerce {
            oid: oid(7),
            name: "d".into(),
            not_null: false,
            checks: vec![("pos".into(), positive), ("small".into(), small)],
        };
        assert!(coerce.check(&Value::Int(5), 0).is_ok());
        // NULL passes a CHECK, unless the domain is NOT NULL.
        assert!(coerce.check(&Value::Null, 0).is_ok());
        let error = coerce.check(&Value::Int(-1), 0).unwrap_err();
        assert_eq!(error.code, code::CHECK_VIOLATION);
        assert_eq!(
            error.message,
            "value for domain d violates check constraint \"pos\""
        );
        let error = coerce.check(&Value::Int(20), 0).unwrap_err();
        assert!(error.message.ends_with("\"small\""), "{}", error.message);
        coerce.not_null = true;
        let error = coerce.check(&Value::Null, 0).unwrap_err();
        assert_eq!(error.code, code::NOT_NULL_VIOLATION);
        assert_eq!(error.message, "domain d does not allow null values");
    }

    #[test]
    fn registry_finds_a_domain_by_oid() {
        let def = Arc::new(DomainDef {
            id: 987_654,
            name: "s.dd".into(),
            base: DataType::Int4,
            parent: None,
            not_null: false,
            default: None,
            checks: Vec::new(),
            owner: None,
        });
        register(&def);
        assert_eq!(
            by_oid(def.oid()).map(|d| d.name.clone()),
            Some("s.dd".into())
        );
        assert_eq!(
            DataType::from_oid(def.oid() as u32).unwrap(),
            Some(DataType::Int4)
        );
        assert!(by_oid(oid(987_655)).is_none());
    }
}
