//! CREATE / ALTER / DROP DOMAIN against the next catalog version, with PostgreSQL's words for
//! what goes wrong. A constraint added to a domain (a CHECK without NOT VALID, NOT NULL) is
//! first checked against the rows of every column of the domain or of a domain over it, as
//! PostgreSQL's `validateDomainConstraint` does. Each definition a statement makes is
//! registered at once (see [`crate::domains::register`]); a rollback registers the catalog it
//! returns to again.

use std::sync::Arc;

use super::user_types::{check_new_owner, new_type_ids, taken_by_move, type_exists};
use super::{cascade_notice, depended_on, first_row_where, Cluster, Session, Tx};
use crate::catalog::{Catalog, CheckDef, TableDef};
use crate::domains::DomainDef;
use crate::error::{code, SqlError, SqlResult};
use crate::expr::Expr;
use crate::plan::{DomainChange, DomainCommand};

fn no_constraint(name: &str, def: &DomainDef) -> SqlError {
    SqlError::new(
        code::UNDEFINED_OBJECT,
        format!(
            "constraint \"{name}\" of domain \"{}\" does not exist",
            def.relname()
        ),
    )
}

/// What depends on domain `id`, depth first in creation order as PostgreSQL lists it: the
/// domains over it (each followed by what depends on it) and the table columns of it, as
/// (description, what it depends on, the domain's key when it is a domain).
fn dependents(next: &Catalog, id: u64) -> Vec<(String, String, Option<String>)> {
    let Some(def) = next.domain_by_id(id) else {
        return Vec::new();
    };
    let on = format!("type {}", def.relname());
    // (creation order, column number, what)
    let mut direct: Vec<(u64, usize, Option<&Arc<DomainDef>>, String)> = Vec::new();
    for child in next.domains.values().filter(|d| d.parent == Some(id)) {
        direct.push((
            child.id,
            0,
            Some(child),
            format!("type {}", child.relname()),
        ));
    }
    for table in next.tables.values() {
        for (at, column) in table.columns.iter().enumerate() {
            if column.domain.as_ref().is_some_and(|d| d.id == id) {
                let what = format!(
                    "column {} of table {}",
                    column.name,
                    crate::catalog::relname(&table.name)
                );
                direct.push((table.id, at, None, what));
            }
        }
    }
    direct.sort_by_key(|(order, at, ..)| (*order, *at));
    let mut out = Vec::new();
    for (_, _, child, what) in direct {
        out.push((what, on.clone(), child.map(|c| c.name.clone())));
        if let Some(child) = child {
            out.extend(dependents(next, child.id));
        }
    }
    out
}

/// The ids of domain `id` and of every domain over it.
fn family(next: &Catalog, id: u64) -> Vec<u64> {
    let mut ids = vec![id];
    let mut at = 0;
    while at < ids.len() {
        let parent = ids[at];
        ids.extend(
            (next.domains.values())
                .filter(|d| d.parent == Some(parent))
                .map(|d| d.id),
        );
        at += 1;
    }
    ids
}

/// The table columns of domain `id` or of a domain over it.
fn columns_of(next: &Catalog, id: u64) -> Vec<(Arc<TableDef>, usize)> {
    let ids = family(next, id);
    let mut out = Vec::new();
    for table in next.tables.values() {
        for (at, column) in table.columns.iter().enumerate() {
            if column.domain.as_ref().is_some_and(|d| ids.contains(&d.id)) {
                out.push((table.clone(), at));
            }
        }
    }
    out
}

impl Session {
    pub(super) async fn run_domain<C: Cluster>(
        &self,
        cluster: &C,
        next: &mut Catalog,
        command: &DomainCommand,
        txn: Tx,
        notices: &mut Vec<SqlError>,
    ) -> SqlResult<()> {
        let user = &self.info.user;
        match command {
            DomainCommand::Create(def) => {
                let id = new_type_ids(next, &def.name, 1)?;
                let def = Arc::new(DomainDef { id, ..def.clone() });
                crate::domains::register(&def);
                next.domains.insert(def.name.clone(), def);
            }
            DomainCommand::Drop {
                keys,
                missing,
                cascade,
            } => {
                for name in missing {
                    notices.push(SqlError::new(
                        code::SUCCESSFUL_COMPLETION,
                        format!("type \"{name}\" does not exist, skipping"),
                    ));
                }
                for key in keys {
                    // (A domain named twice, or over one dropped before it, is gone already.)
                    let Some(def) = next.domains.get(key).cloned() else {
                        continue;
                    };
                    if !next.is_owner(def.owner.as_deref(), user) {
                        return Err(SqlError::new(
                            code::INSUFFICIENT_PRIVILEGE,
                            format!("must be owner of type {}", def.relname()),
                        ));
                    }
                    let depending = dependents(next, def.id);
                    if !depending.is_empty() && !cascade {
                        let lines: Vec<String> = (depending.iter())
                            .map(|(what, on, _)| format!("{what} depends on {on}"))
                            .collect();
                        return Err(depended_on(
                            format!(
                                "cannot drop type {} because other objects depend on it",
                                def.relname()
                            ),
                            &lines,
                        ));
                    }
                    if let Some((column, ..)) = depending.iter().find(|(_, _, d)| d.is_none()) {
                        return Err(SqlError::unsupported(format!(
                            "DROP DOMAIN ... CASCADE of a domain a table uses ({column})"
                        )));
                    }
                    if !depending.is_empty() {
                        let lines: Vec<String> = (depending.iter())
                            .map(|(what, ..)| format!("drop cascades to {what}"))
                            .collect();
                        notices.push(cascade_notice(&lines));
                    }
                    for (_, _, domain) in depending {
                        if let Some(domain) = domain {
                            next.domains.remove(&domain);
                        }
                    }
                    next.domains.remove(key);
                }
            }
            DomainCommand::Alter { key, change } => {
                let Some(current) = next.domains.get(key).cloned() else {
                    return Err(SqlError::new(
                        code::UNDEFINED_OBJECT,
                        format!("type \"{}\" does not exist", crate::catalog::relname(key)),
                    ));
                };
                let mut def = (*current).clone();
                match change {
                    DomainChange::Default(default) => def.default = default.clone(),
                    DomainChange::NotNull(set) => {
                        if *set && !def.not_null {
                            for (table, column) in columns_of(next, def.id) {
                                let nulls = Expr::IsNull(Box::new(Expr::Column(column)), false);
                                if first_row_where(cluster, &table, nulls, txn)
                                    .await?
                                    .is_some()
                                {
                                    return Err(SqlError::new(
                                        code::NOT_NULL_VIOLATION,
                                        format!(
                                            "column \"{}\" of table \"{}\" contains null values",
                                            table.columns[column].name,
                                            crate::catalog::relname(&table.name)
                                        ),
                                    ));
                                }
                            }
                        }
                        def.not_null = *set;
                    }
                    DomainChange::AddCheck(check) => {
                        if !check.not_valid {
                            validate(cluster, next, &def, check, txn).await?;
                        }
                        def.checks.push(CheckDef {
                            bound: None,
                            ..check.clone()
                        });
                    }
                    DomainChange::Validate(check) => {
                        validate(cluster, next, &def, check, txn).await?;
                        for stored in &mut def.checks {
                            if stored.name == check.name {
                                stored.not_valid = false;
                            }
                        }
                    }
                    DomainChange::DropConstraint { name, if_exists } => {
                        let before = def.checks.len();
                        def.checks.retain(|check| &check.name != name);
                        if def.checks.len() == before {
                            if !*if_exists {
                                return Err(no_constraint(name, &def));
                            }
                            let mut notice = no_constraint(name, &def);
                            notice.code = code::SUCCESSFUL_COMPLETION;
                            notice.message.push_str(", skipping");
                            notices.push(notice);
                        }
                    }
                    DomainChange::RenameConstraint { from, to } => {
                        if def.checks.iter().any(|check| &check.name == to) {
                            return Err(SqlError::new(
                                code::DUPLICATE_OBJECT,
                                format!(
                                    "constraint \"{to}\" for domain \"{}\" already exists",
                                    def.relname()
                                ),
                            ));
                        }
                        let Some(check) = def.checks.iter_mut().find(|c| &c.name == from) else {
                            return Err(SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!(
                                    "constraint \"{from}\" for domain {} does not exist",
                                    def.relname()
                                ),
                            ));
                        };
                        check.name = to.clone();
                    }
                    DomainChange::Rename(to) => {
                        if type_exists(next, to) {
                            return Err(taken_by_move(key, to));
                        }
                        next.domains.remove(key);
                        def.name = to.clone();
                    }
                    DomainChange::Owner(role) => {
                        check_new_owner(next, user, role)?;
                        def.owner = Some(role.clone());
                    }
                }
                let def = Arc::new(def);
                crate::domains::register(&def);
                next.domains.insert(def.name.clone(), def);
            }
        }
        Ok(())
    }
}

/// PostgreSQL's check of a CHECK (bound over the value) against the rows of every column of
/// `def` or of a domain over it: 23514 at the first column holding a value it refuses.
async fn validate<C: Cluster>(
    cluster: &C,
    next: &Catalog,
    def: &DomainDef,
    check: &CheckDef,
    txn: Tx,
) -> SqlResult<()> {
    let condition = check.bound.clone().ok_or_else(|| {
        SqlError::new(
            code::INTERNAL_ERROR,
            format!("check constraint \"{}\" is not bound", check.name),
        )
    })?;
    for (table, column) in columns_of(next, def.id) {
        let violated = Expr::Not(Box::new(condition.clone().remap_columns(&|_| column)));
        if first_row_where(cluster, &table, violated, txn)
            .await?
            .is_some()
        {
            return Err(SqlError::new(
                code::CHECK_VIOLATION,
                format!(
                    "column \"{}\" of table \"{}\" contains values that violate the new constraint",
                    table.columns[column].name,
                    crate::catalog::relname(&table.name)
                ),
            ));
        }
    }
    Ok(())
}
