//! CREATE TYPE ... AS ENUM | AS (fields), ALTER TYPE and DROP TYPE of enum and composite types
//! against the next catalog version, with PostgreSQL's words for what goes wrong. The definition
//! a statement makes is registered for value input and output at once (see
//! [`crate::enums::register`], [`crate::composites::register`]); a rollback registers the catalog
//! it returns to again.

use std::sync::Arc;

use super::{depended_on, Session};
use crate::catalog::Catalog;
use crate::composites::CompositeDef;
use crate::enums::EnumDef;
use crate::error::{code, SqlError, SqlResult};
use crate::plan::{CompositeAlteration, TypeCommand};
use crate::types::DataType;

fn denied(relname: &str) -> SqlError {
    SqlError::new(
        code::INSUFFICIENT_PRIVILEGE,
        format!("must be owner of type {relname}"),
    )
}

fn missing(name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_OBJECT,
        format!("type \"{}\" does not exist", crate::catalog::relname(name)),
    )
}

fn taken(name: &str) -> SqlError {
    SqlError::new(
        code::DUPLICATE_OBJECT,
        format!("type \"{}\" already exists", crate::catalog::relname(name)),
    )
}

/// The first of `count` new catalog ids for a type to be called `key`, after PostgreSQL's checks
/// that its schema exists (3F000) and no type has the name (42710).
pub(super) fn new_type_ids(next: &mut Catalog, key: &str, count: u64) -> SqlResult<u64> {
    let schema = crate::catalog::split_name(key).0;
    if !next.schema_exists(schema) {
        return Err(SqlError::new(
            code::INVALID_SCHEMA_NAME,
            format!("schema \"{schema}\" does not exist"),
        ));
    }
    if type_exists(next, key) {
        return Err(taken(key));
    }
    let id = next.next_table_id.max(1);
    next.next_table_id = id + count;
    Ok(id)
}

/// PostgreSQL's refusal to rename or move type `from` to key `to`, which a type has: "already
/// exists", or "already exists in schema" when the type would change schemas.
pub(super) fn taken_by_move(from: &str, to: &str) -> SqlError {
    let (schema, name) = crate::catalog::split_name(to);
    if crate::catalog::split_name(from).0 == schema {
        return taken(to);
    }
    SqlError::new(
        code::DUPLICATE_OBJECT,
        format!("type \"{name}\" already exists in schema \"{schema}\""),
    )
}

/// PostgreSQL's words for an attribute of composite type `def` that is not there.
fn no_attribute(def: &CompositeDef, name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_COLUMN,
        format!(
            "column \"{name}\" of relation \"{}\" does not exist",
            def.relname()
        ),
    )
}

/// PostgreSQL's words for an attribute of composite type `def` that is there already.
fn attribute_taken(def: &CompositeDef, name: &str) -> SqlError {
    SqlError::new(
        code::DUPLICATE_COLUMN,
        format!(
            "column \"{name}\" of relation \"{}\" already exists",
            def.relname()
        ),
    )
}

/// Whether a type (an enum, a domain, a composite type or a relation's row type) is called
/// `key`.
pub(super) fn type_exists(next: &Catalog, key: &str) -> bool {
    next.enums.contains_key(key) || next.domains.contains_key(key) || next.relation_exists(key)
}

/// What depends on type `ty` directly, in PostgreSQL's words: table columns of it (or of an
/// array of it), then the fields of composite types other than those keyed in `going` (which
/// the same statement drops).
fn type_dependents(next: &Catalog, ty: DataType, going: &[String]) -> Vec<String> {
    let columns = next.tables.values().flat_map(|table| {
        (table.columns.iter())
            .filter(|c| c.ty.uses_type(ty))
            .map(|column| {
                format!(
                    "column {} of table {} depends on type {}",
                    column.name,
                    crate::catalog::relname(&table.name),
                    column.ty.name()
                )
            })
    });
    let staying = (next.composites.values()).filter(|def| !going.contains(&def.name));
    let fields = staying.flat_map(|def| {
        (def.fields.iter())
            .filter(|f| f.ty.uses_type(ty))
            .map(|field| {
                format!(
                    "column {} of composite type {} depends on type {}",
                    field.name,
                    def.relname(),
                    field.ty.name()
                )
            })
    });
    columns.chain(fields).collect()
}

/// PostgreSQL's refusal to make composite type `def` hold itself (through a field of its own
/// type, an array of it, or another composite type that holds it).
fn check_member(def: &CompositeDef, ty: DataType) -> SqlResult<()> {
    if crate::composites::holds(ty, def.data_type()) {
        return Err(SqlError::new(
            code::INVALID_TABLE_DEFINITION,
            format!(
                "composite type {} cannot be made a member of itself",
                def.relname()
            ),
        ));
    }
    Ok(())
}

/// PostgreSQL's checks of an `OWNER TO role` of a type by `user`: the role exists, and a
/// non-superuser may give it only to a role it is in (as for relations).
pub(super) fn check_new_owner(next: &Catalog, user: &str, role: &str) -> SqlResult<()> {
    if next.role(role).is_none() {
        return Err(SqlError::new(
            code::UNDEFINED_OBJECT,
            format!("role \"{role}\" does not exist"),
        ));
    }
    if role != user && !next.is_superuser(user) && !next.is_member_of(user, role) {
        return Err(SqlError::new(
            code::INSUFFICIENT_PRIVILEGE,
            format!("must be member of role \"{role}\""),
        ));
    }
    Ok(())
}

impl Session {
    pub(super) fn run_type(
        &self,
        next: &mut Catalog,
        command: &TypeCommand,
        notices: &mut Vec<SqlError>,
    ) -> SqlResult<()> {
        let user = &self.info.user;
        match command {
            TypeCommand::CreateComposite { name, fields } => {
                // Two ids: the type's (pg_type) and its relation's (pg_class).
                let id = new_type_ids(next, name, 2)?;
                let def = CompositeDef {
                    id,
                    relid: id + 1,
                    name: name.clone(),
                    fields: fields.clone(),
                    owner: Some(user.clone()),
                };
                crate::composites::register(&def);
                next.composites.insert(name.clone(), Arc::new(def));
            }
            TypeCommand::Create { name, labels } => {
                let id = new_type_ids(next, name, 1)?;
                let mut def = EnumDef::new(id, name.clone(), labels)?;
                def.owner = Some(user.clone());
                crate::enums::register(&def);
                next.enums.insert(name.clone(), Arc::new(def));
            }
            TypeCommand::Drop {
                names,
                if_exists,
                cascade,
            } => {
                for name in names {
                    let found = match (next.enums.get(name), next.composites.get(name)) {
                        (Some(def), _) => Some((
                            def.owner.clone(),
                            def.relname().to_string(),
                            DataType::Enum(def.id as u32),
                        )),
                        (None, Some(def)) => Some((
                            def.owner.clone(),
                            def.relname().to_string(),
                            def.data_type(),
                        )),
                        (None, None) => None,
                    };
                    let Some((owner, relname, ty)) = found else {
                        if *if_exists {
                            notices.push(SqlError::new(
                                code::SUCCESSFUL_COMPLETION,
                                format!(
                                    "type \"{}\" does not exist, skipping",
                                    crate::catalog::relname(name)
                                ),
                            ));
                            continue;
                        }
                        return Err(missing(name));
                    };
                    if !next.is_owner(owner.as_deref(), user) {
                        return Err(denied(&relname));
                    }
                    let users = type_dependents(next, ty, names);
                    if !users.is_empty() {
                        if *cascade {
                            return Err(SqlError::unsupported(
                                "DROP TYPE ... CASCADE of a type columns use",
                            ));
                        }
                        return Err(depended_on(
                            format!(
                                "cannot drop type {relname} because other objects depend on it"
                            ),
                            &users,
                        ));
                    }
                    next.enums.remove(name);
                    next.composites.remove(name);
                }
            }
            TypeCommand::AddValue {
                name,
                label,
                neighbour,
                if_not_exists,
            } => {
                let mut def = self.owned_enum(next, name)?;
                let neighbour = neighbour.as_ref().map(|(n, after)| (n.as_str(), *after));
                if !def.add(label, neighbour)? {
                    let message = format!("enum label \"{label}\" already exists");
                    if *if_not_exists {
                        notices.push(SqlError::new(
                            code::DUPLICATE_OBJECT,
                            format!("{message}, skipping"),
                        ));
                        return Ok(());
                    }
                    return Err(SqlError::new(code::DUPLICATE_OBJECT, message));
                }
                // Not for use before the transaction commits (`Catalog::commit_enums`).
                def.uncommitted.push(label.clone());
                crate::enums::register(&def);
                next.enums.insert(name.clone(), Arc::new(def));
            }
            TypeCommand::RenameValue { name, from, to } => {
                let mut def = self.owned_enum(next, name)?;
                def.rename(from, to)?;
                crate::enums::register(&def);
                next.enums.insert(name.clone(), Arc::new(def));
            }
            TypeCommand::Owner { name, role } if next.composites.contains_key(name) => {
                let mut def = self.owned_composite(next, name)?;
                check_new_owner(next, user, role)?;
                def.owner = Some(role.clone());
                next.composites.insert(name.clone(), Arc::new(def));
            }
            TypeCommand::Owner { name, role } => {
                let mut def = self.owned_enum(next, name)?;
                check_new_owner(next, user, role)?;
                def.owner = Some(role.clone());
                next.enums.insert(name.clone(), Arc::new(def));
            }
            TypeCommand::Rename { name, to } if next.composites.contains_key(name) => {
                let mut def = self.owned_composite(next, name)?;
                if type_exists(next, to) {
                    return Err(taken_by_move(name, to));
                }
                next.composites.remove(name);
                def.name = to.clone();
                crate::composites::register(&def);
                next.composites.insert(to.clone(), Arc::new(def));
            }
            TypeCommand::AlterComposite { name, actions } => {
                let mut def = self.owned_composite(next, name)?;
                let ty = def.data_type();
                // A table's rows hold the fields as they are: Keel rewrites none of them.
                let stored = next.tables.values().find_map(|table| {
                    let column =
                        (table.columns.iter()).find(|c| crate::composites::holds(c.ty, ty))?;
                    Some(format!(
                        "{}.{}",
                        crate::catalog::relname(&table.name),
                        column.name
                    ))
                });
                let unstored = |action: &str| match &stored {
                    None => Ok(()),
                    Some(_) => Err(SqlError::unsupported(format!(
                        "ALTER TYPE ... {action} ATTRIBUTE of a type a table's column holds"
                    ))),
                };
                for action in actions {
                    match action {
                        CompositeAlteration::Add { name, ty } => {
                            if def.field_index(name).is_some() {
                                return Err(attribute_taken(&def, name));
                            }
                            check_member(&def, *ty)?;
                            unstored("ADD")?;
                            def.fields.push(crate::composites::CompositeField {
                                name: name.clone(),
                                ty: *ty,
                            });
                        }
                        CompositeAlteration::Drop { name, if_exists } => {
                            match def.field_index(name) {
                                Some(at) => {
                                    unstored("DROP")?;
                                    def.fields.remove(at);
                                }
                                None if *if_exists => notices.push(SqlError::new(
                                    code::SUCCESSFUL_COMPLETION,
                                    format!("{}, skipping", no_attribute(&def, name).message),
                                )),
                                None => return Err(no_attribute(&def, name)),
                            }
                        }
                        CompositeAlteration::Alter { name, ty } => {
                            let at = def
                                .field_index(name)
                                .ok_or_else(|| no_attribute(&def, name))?;
                            if let Some(column) = &stored {
                                // PostgreSQL's refusal too: it rewrites no stored values.
                                return Err(SqlError::new(
                                    code::FEATURE_NOT_SUPPORTED,
                                    format!(
                                        "cannot alter type \"{}\" because column \"{column}\" uses it",
                                        def.relname()
                                    ),
                                ));
                            }
                            check_member(&def, *ty)?;
                            def.fields[at].ty = *ty;
                        }
                    }
                }
                crate::composites::register(&def);
                next.composites.insert(def.name.clone(), Arc::new(def));
            }
            TypeCommand::RenameAttribute { name, from, to } => {
                let mut def = self.owned_composite(next, name)?;
                let Some(at) = def.field_index(from) else {
                    return Err(SqlError::new(
                        code::UNDEFINED_COLUMN,
                        format!("column \"{from}\" does not exist"),
                    ));
                };
                if def.field_index(to).is_some() {
                    return Err(attribute_taken(&def, to));
                }
                def.fields[at].name = to.clone();
                crate::composites::register(&def);
                next.composites.insert(def.name.clone(), Arc::new(def));
            }
            TypeCommand::Rename { name, to } => {
                let mut def = self.owned_enum(next, name)?;
                if type_exists(next, to) {
                    return Err(taken_by_move(name, to));
                }
                next.enums.remove(name);
                def.name = to.clone();
                crate::enums::register(&def);
                next.enums.insert(to.clone(), Arc::new(def));
            }
        }
        Ok(())
    }

    /// The enum type `name` (a copy to change), when the session's role owns it.
    fn owned_enum(&self, next: &Catalog, name: &str) -> SqlResult<EnumDef> {
        let def = next.enums.get(name).ok_or_else(|| missing(name))?;
        if !next.is_owner(def.owner.as_deref(), &self.info.user) {
            return Err(denied(def.relname()));
        }
        Ok((**def).clone())
    }

    /// The composite type `name` (a copy to change), when the session's role owns it.
    fn owned_composite(&self, next: &Catalog, name: &str) -> SqlResult<CompositeDef> {
        let def = next.composites.get(name).ok_or_else(|| missing(name))?;
        if !next.is_owner(def.owner.as_deref(), &self.info.user) {
            return Err(denied(def.relname()));
        }
        Ok((**def).clone())
    }
}
