//! Enum types: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`.
//!
//! An enum type lives in the catalog ([`EnumDef`]: its id, name and labels) and a value of it is
//! held as `Value::Int` of its label's *sort key*, so that values compare, sort, group, hash and
//! key B+trees as integers do, in the order the labels were declared. Sort keys are spaced
//! [`SPACING`] apart when a type is made; `ALTER TYPE ... ADD VALUE ... BEFORE | AFTER` takes the
//! middle of the gap between two neighbours (PostgreSQL's `enumsortorder` is a float4 for the same
//! reason), and a value added at the end takes the last key plus [`SPACING`]. A key is never
//! changed or reused while the type exists, so stored values stay valid whatever labels are
//! added or renamed.
//!
//! Turning a key into its label (text output, the wire, casts to text) needs the type's labels
//! where only the `DataType` is at hand, so every enum type the node knows is kept in a
//! process-wide registry by id ([`register`]), as anonymous record shapes are (see
//! `types::RecordShape`): catalogs read at startup and DDL register them. Ids come from the
//! catalog's id counter and are never reused, so an entry registered by a transaction that rolled
//! back names no type any catalog has.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::error::{code, SqlError, SqlResult};

/// The distance between the sort keys of neighbouring labels when a type is made.
pub const SPACING: i64 = 1 << 24;

/// PostgreSQL's limit on a label's length (NAMEDATALEN - 1 bytes).
const MAX_LABEL_BYTES: usize = 63;

/// One enum type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumDef {
    pub id: u64,
    /// The catalog key (`schema.name`).
    pub name: String,
    /// (sort key, label), in sort key order.
    pub labels: Vec<(i64, String)>,
    #[serde(default)]
    pub owner: Option<String>,
    /// Labels an open transaction added to a type that existed before it (PostgreSQL refuses
    /// their use until it commits: 55P04); never stored.
    #[serde(skip)]
    pub uncommitted: Vec<String>,
}

impl EnumDef {
    /// A type with `labels` in order (PostgreSQL's checks: no label longer than 63 bytes, no
    /// label twice).
    pub fn new(id: u64, name: String, labels: &[String]) -> SqlResult<EnumDef> {
        let mut def = EnumDef {
            id,
            name,
            labels: Vec::with_capacity(labels.len()),
            owner: None,
            uncommitted: Vec::new(),
        };
        for (i, label) in labels.iter().enumerate() {
            check_label(label)?;
            if def.key_of(label).is_some() {
                return Err(SqlError::new(
                    code::UNIQUE_VIOLATION,
                    "duplicate key value violates unique constraint \"pg_enum_typid_label_index\"",
                )
                .with_detail(format!(
                    "Key (enumtypid, enumlabel)=({}, {label}) already exists.",
                    crate::system::enum_oid(id)
                )));
            }
            def.labels.push(((i as i64 + 1) * SPACING, label.clone()));
        }
        Ok(def)
    }

    /// The type's name without its schema.
    pub fn relname(&self) -> &str {
        crate::catalog::relname(&self.name)
    }

    /// The sort key of `label`.
    pub fn key_of(&self, label: &str) -> Option<i64> {
        self.labels
            .iter()
            .find(|(_, l)| l == label)
            .map(|(k, _)| *k)
    }

    /// The label of sort key `key`.
    pub fn label_of(&self, key: i64) -> Option<&str> {
        self.labels
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| self.labels[i].1.as_str())
    }

    /// `ALTER TYPE ... ADD VALUE label [BEFORE | AFTER neighbour]` (`after`: true for AFTER).
    /// False when the label is there already (IF NOT EXISTS skips it).
    pub fn add(&mut self, label: &str, neighbour: Option<(&str, bool)>) -> SqlResult<bool> {
        check_label(label)?;
        if self.key_of(label).is_some() {
            return Ok(false);
        }
        let key = match neighbour {
            None => self.labels.last().map_or(SPACING, |(k, _)| k + SPACING),
            Some((name, after)) => {
                let Some(at) = self.labels.iter().position(|(_, l)| l == name) else {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("\"{name}\" is not an existing enum label"),
                    ));
                };
                let (low, high) = if after {
                    let low = self.labels[at].0;
                    let high = self
                        .labels
                        .get(at + 1)
                        .map_or(low + 2 * SPACING, |(k, _)| *k);
                    (low, high)
                } else {
                    let high = self.labels[at].0;
                    let low = if at == 0 {
                        high - 2 * SPACING
                    } else {
                        self.labels[at - 1].0
                    };
                    (low, high)
                };
                if high - low < 2 {
                    return Err(SqlError::new(
                        code::PROGRAM_LIMIT_EXCEEDED,
                        format!(
                            "no room left in enum \"{}\" between \"{}\" and its neighbour",
                            self.relname(),
                            name
                        ),
                    )
                    .with_hint("Add the value at the end, or make the type anew."));
                }
                low + (high - low) / 2
            }
        };
        let at = self.labels.partition_point(|(k, _)| *k < key);
        self.labels.insert(at, (key, label.to_string()));
        Ok(true)
    }

    /// `ALTER TYPE ... RENAME VALUE from TO to`.
    pub fn rename(&mut self, from: &str, to: &str) -> SqlResult<()> {
        check_label(to)?;
        if self.key_of(to).is_some() {
            return Err(SqlError::new(
                code::DUPLICATE_OBJECT,
                format!("enum label \"{to}\" already exists"),
            ));
        }
        match self.labels.iter_mut().find(|(_, l)| l == from) {
            Some((_, label)) => {
                *label = to.to_string();
                Ok(())
            }
            None => Err(SqlError::new(
                code::INVALID_PARAMETER_VALUE,
                format!("\"{from}\" is not an existing enum label"),
            )),
        }
    }
}

fn check_label(label: &str) -> SqlResult<()> {
    if label.is_empty() || label.len() > MAX_LABEL_BYTES {
        return Err(SqlError::new(
            code::INVALID_NAME,
            format!("invalid enum label \"{label}\""),
        )
        .with_detail("Labels must be 63 bytes or less."));
    }
    Ok(())
}

static REGISTRY: RwLock<Option<HashMap<u32, Arc<EnumDef>>>> = RwLock::new(None);

/// Makes `def` the definition of its type for [`label`] and [`parse`] (a newer one replaces it).
pub fn register(def: &EnumDef) {
    let mut registry = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    let map = registry.get_or_insert_with(HashMap::new);
    if map
        .get(&(def.id as u32))
        .is_some_and(|known| **known == *def)
    {
        return;
    }
    map.insert(def.id as u32, Arc::new(def.clone()));
}

/// The registered definition of enum type `id`.
pub fn lookup(id: u32) -> Option<Arc<EnumDef>> {
    let registry = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    registry.as_ref()?.get(&id).cloned()
}

/// The name of enum type `id` (as `format_type` prints it).
pub fn type_name(id: u32) -> String {
    lookup(id).map_or_else(|| format!("enum {id}"), |def| def.relname().to_string())
}

/// The label a value of enum type `id` holds.
pub fn label(id: u32, key: i64) -> String {
    lookup(id)
        .and_then(|def| def.label_of(key).map(str::to_string))
        .unwrap_or_else(|| key.to_string())
}

/// The value of enum type `id` that `text` names: PostgreSQL's enum_in (exact text, 22P02).
pub fn parse(id: u32, text: &str) -> SqlResult<i64> {
    let def = lookup(id).ok_or_else(|| {
        SqlError::new(
            code::UNDEFINED_OBJECT,
            format!("enum type {id} does not exist"),
        )
    })?;
    if def.uncommitted.iter().any(|label| label == text) {
        return Err(SqlError::new(
            code::UNSAFE_NEW_ENUM_VALUE_USAGE,
            format!(
                "unsafe use of new value \"{text}\" of enum type {}",
                def.relname()
            ),
        )
        .with_hint("New enum values must be committed before they can be used."));
    }
    def.key_of(text).ok_or_else(|| {
        SqlError::new(
            code::INVALID_TEXT_REPRESENTATION,
            format!("invalid input value for enum {}: \"{text}\"", def.relname()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_added_between_others_sort_between_them() {
        let labels: Vec<String> = ["sad", "ok", "happy"].map(String::from).to_vec();
        let mut mood = EnumDef::new(900, "public.mood".into(), &labels).unwrap();
        assert!(mood.add("meh", Some(("ok", false))).unwrap());
        assert!(mood.add("glum", Some(("sad", false))).unwrap());
        assert!(mood.add("ecstatic", None).unwrap());
        assert!(mood.add("joyful", Some(("happy", true))).unwrap());
        assert!(!mood.add("ok", None).unwrap());
        let order: Vec<&str> = mood.labels.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            order,
            ["glum", "sad", "meh", "ok", "happy", "joyful", "ecstatic"]
        );
        assert!(mood.labels.windows(2).all(|w| w[0].0 < w[1].0));
        // Halving a gap again and again runs out of room with an error, not a clash.
        let mut last = "ok".to_string();
        let mut failed = false;
        for i in 0..40 {
            let label = format!("l{i}");
            match mood.add(&label, Some((&last, false))) {
                Ok(_) => last = label,
                Err(error) => {
                    assert_eq!(error.code, code::PROGRAM_LIMIT_EXCEEDED);
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed);
        assert!(mood.labels.windows(2).all(|w| w[0].0 < w[1].0));
        register(&mood);
        assert_eq!(parse(900, "meh").unwrap(), mood.key_of("meh").unwrap());
        assert_eq!(label(900, mood.key_of("joyful").unwrap()), "joyful");
        assert_eq!(
            parse(900, "Happy").unwrap_err().message,
            "invalid input value for enum mood: \"Happy\""
        );
    }
}
