//! CREATE / ALTER / DROP ROLE against the next catalog version, with PostgreSQL 15's permission
//! rules: a superuser may do anything; a role with CREATEROLE may create, change and drop roles that
//! are not superusers (and may not grant SUPERUSER, REPLICATION or BYPASSRLS); any role may change
//! its own password. Passwords are stored as secrets (`crate::auth`) chosen by the session's
//! `password_encryption`.

use std::sync::Arc;

use super::Session;
use crate::auth::{encrypt_password, Secret};
use crate::catalog::{
    change_acl, Catalog, RoleDef, BOOTSTRAP_ROLE, COLUMN_PRIVILEGES, PRIV_CREATE, PRIV_REFERENCES,
    SEQUENCE_ALL, TABLE_ALL,
};
use crate::error::{code, SqlError, SqlResult};
use crate::plan::{GrantCommand, GrantTarget, Plan, RoleAttr, RoleCommand};

/// What a non-owner may grant or revoke of `requested` holding `grantable` on `what` (a
/// relation or a column, as PostgreSQL's warnings name it): None, warned, when nothing; the part
/// it may, warned when not all.
fn grantable_part(
    command: &GrantCommand,
    requested: u8,
    grantable: u8,
    what: &str,
    notices: &mut Vec<SqlError>,
) -> Option<u8> {
    let allowed = requested & grantable;
    let verb = if command.grant { "granted" } else { "revoked" };
    if allowed == 0 {
        notices.push(warning(
            command.grant,
            format!("no privileges were {verb} for {what}"),
        ));
        return None;
    }
    if allowed != requested {
        notices.push(warning(
            command.grant,
            format!("not all privileges were {verb} for {what}"),
        ));
    }
    Some(allowed)
}

/// PostgreSQL's first OID for user objects (role OIDs share the catalog's id counter).
const FIRST_OID: i64 = 16_384;

/// Which statement [`Session::check_owned_by`] checks for.
pub(super) enum OwnedBy {
    Drop,
    Reassign,
}

fn denied(message: impl Into<String>) -> SqlError {
    SqlError::new(code::INSUFFICIENT_PRIVILEGE, message)
}

fn missing(name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_OBJECT,
        format!("role \"{name}\" does not exist"),
    )
}

fn notice(message: impl Into<String>) -> SqlError {
    SqlError::new(code::SUCCESSFUL_COMPLETION, message)
}

/// A WARNING for privileges not granted (01007) or not revoked (01006).
fn warning(grant: bool, message: impl Into<String>) -> SqlError {
    let code = if grant {
        code::WARNING_PRIVILEGE_NOT_GRANTED
    } else {
        code::WARNING_PRIVILEGE_NOT_REVOKED
    };
    SqlError::new(code, message)
}

/// The attributes only a superuser may give or take, with PostgreSQL's words for creating and
/// for altering.
fn superuser_only(attr: &RoleAttr) -> Option<(&'static str, &'static str)> {
    match attr {
        RoleAttr::Superuser(_) => Some((
            "create superusers",
            "alter superuser roles or change superuser attribute",
        )),
        RoleAttr::Replication(_) => Some((
            "create replication users",
            "alter replication roles or change replication attribute",
        )),
        RoleAttr::BypassRls(_) => Some(("create bypassrls users", "change bypassrls attribute")),
        _ => None,
    }
}

/// 42501 unless `user` may create in the schema of the relation keyed `key`.
fn require_create(catalog: &Catalog, key: &str, user: &str) -> SqlResult<()> {
    let schema = crate::catalog::split_name(key).0;
    if catalog.privileges_on_schema(schema, user) & PRIV_CREATE == 0 {
        return Err(denied(format!("permission denied for schema {schema}")));
    }
    Ok(())
}

impl Session {
    /// Who may run a DDL statement: CREATE needs CREATE on the relation's schema; changing or dropping
    /// a table (its indexes, constraints, columns, comments) needs its ownership; a foreign key
    /// needs REFERENCES on the table it references. GRANT and ROLE statements check their own.
    pub(super) fn check_ddl_privileges(&self, catalog: &Catalog, plan: &Plan) -> SqlResult<()> {
        let user = &self.info.user;
        match plan {
            Plan::CreateView {
                view,
                or_replace: true,
                ..
            } if catalog.views.contains_key(&view.name) => {
                let old = &catalog.views[&view.name];
                if !catalog.is_owner(old.owner.as_deref(), user) {
                    return Err(denied(format!(
                        "must be owner of view {}",
                        crate::catalog::relname(&view.name)
                    )));
                }
                Ok(())
            }
            Plan::CreateTable { table, .. } => require_create(catalog, &table.name, user),
            Plan::CreateSequence { seq, .. } => require_create(catalog, &seq.name, user),
            Plan::CreateView { view, .. } => require_create(catalog, &view.name, user),
            Plan::AlterOwner { relation, role, .. } => {
                let owner = if let Some(table) = catalog.tables.get(relation) {
                    (table.owner.as_deref(), "table")
                } else if let Some(seq) = catalog.sequences.get(relation) {
                    (seq.owner.as_deref(), "sequence")
                } else if let Some(view) = catalog.views.get(relation) {
                    (view.owner.as_deref(), "view")
                } else {
                    return Ok(());
                };
                if !catalog.is_owner(owner.0, user) {
                    return Err(denied(format!(
                        "must be owner of {} {}",
                        owner.1,
                        crate::catalog::relname(relation)
                    )));
                }
                // The new owner must be a role the user is a member of (or the user a superuser).
                if role != user && !catalog.is_superuser(user) && !catalog.is_member_of(user, role)
                {
                    return Err(denied(format!("must be member of role \"{role}\"")));
                }
                Ok(())
            }
            Plan::AlterSequence { name, .. } => {
                if let Some(seq) = catalog.sequences.get(name) {
                    if !catalog.is_owner(seq.owner.as_deref(), user) {
                        return Err(denied(format!(
                            "must be owner of sequence {}",
                            crate::catalog::relname(name)
                        )));
                    }
                }
                Ok(())
            }
            Plan::DropSequences { names, .. } => {
                for name in names {
                    if let Some(seq) = catalog.sequences.get(name) {
                        if !catalog.is_owner(seq.owner.as_deref(), user) {
                            return Err(denied(format!(
                                "must be owner of sequence {}",
                                crate::catalog::relname(name)
                            )));
                        }
                    }
                }
                Ok(())
            }
            Plan::DropViews { names, .. } => {
                for name in names {
                    if let Some(view) = catalog.views.get(name) {
                        if !catalog.is_owner(view.owner.as_deref(), user) {
                            return Err(denied(format!(
                                "must be owner of view {}",
                                crate::catalog::relname(name)
                            )));
                        }
                    }
                }
                Ok(())
            }
            Plan::DropTables { names, .. } => {
                for (name, _) in names {
                    if let Ok(table) = catalog.table(name) {
                        catalog.require_owner(table, user)?;
                    }
                }
                Ok(())
            }
            Plan::DropIndexes { names, .. } => {
                for name in names {
                    let owner = catalog
                        .tables
                        .values()
                        .find(|t| t.indexes.iter().any(|i| &i.name == name));
                    if let Some(table) = owner {
                        if !catalog.owns(table, user) {
                            return Err(denied(format!(
                                "must be owner of index {}",
                                crate::catalog::relname(name)
                            )));
                        }
                    }
                }
                Ok(())
            }
            Plan::AddForeignKey { table, fk } => {
                catalog.require_owner(table, user)?;
                match catalog.table_by_id(fk.parent) {
                    Some(parent) => catalog.require(parent, PRIV_REFERENCES, user),
                    None => Ok(()),
                }
            }
            Plan::AddPrimaryKey { table, .. }
            | Plan::CreateIndex { table, .. }
            | Plan::AlterTable { table, .. }
            | Plan::DropConstraint { table, .. }
            | Plan::AddCheck { table, .. }
            | Plan::DropColumn { table, .. }
            | Plan::AlterTableSteps { table, .. }
            | Plan::Comment { table, .. } => catalog.require_owner(table, user),
            _ => Ok(()),
        }
    }

    /// Applies a GRANT or REVOKE to `next`. Only a table's owner (or a superuser) grants on it,
    /// and the grant is recorded as the owner's, as PostgreSQL records it.
    pub(super) fn run_grant(
        &self,
        next: &mut Catalog,
        command: &GrantCommand,
        notices: &mut Vec<SqlError>,
    ) -> SqlResult<()> {
        let user = &self.info.user;
        for grantee in &command.grantees {
            if !grantee.is_empty() && next.role(grantee).is_none() {
                return Err(missing(grantee));
            }
        }
        let (names, sequences) = match &command.target {
            GrantTarget::Relations(names) => (names, false),
            GrantTarget::Sequences(names) => (names, true),
            GrantTarget::Schema(_) => (&Vec::new(), false),
        };
        if let GrantTarget::Schema(schemas) = &command.target {
            for name in schemas {
                let (mut acl, grantor) = match next.schemas.get(name) {
                    // public: the database owner's (the bootstrap role's).
                    None => {
                        if !(next.is_superuser(user) || user == BOOTSTRAP_ROLE) {
                            return Err(denied("permission denied for schema public"));
                        }
                        (next.schema_acl(), "pg_database_owner".to_string())
                    }
                    Some(schema) => {
                        if !next.is_owner(Some(&schema.owner), user) {
                            return Err(denied(format!("permission denied for schema {name}")));
                        }
                        // A made schema's ACL starts as its owner's USAGE and CREATE.
                        let acl = schema.acl.clone().unwrap_or_else(|| {
                            vec![crate::catalog::AclItem {
                                grantee: schema.owner.clone(),
                                grantor: schema.owner.clone(),
                                privileges: crate::catalog::PRIV_USAGE | PRIV_CREATE,
                                grantable: 0,
                            }]
                        });
                        (acl, schema.owner.clone())
                    }
                };
                change_acl(
                    &mut acl,
                    command.grant,
                    command.privileges,
                    command.grant_option,
                    &command.grantees,
                    &grantor,
                );
                match next.schemas.get_mut(name) {
                    Some(stored) => stored.acl = Some(acl),
                    None => next.schema_acl = Some(acl),
                }
            }
            return Ok(());
        }
        let all = if sequences { SEQUENCE_ALL } else { TABLE_ALL };
        for name in names {
            if !command.columns.is_empty() {
                self.grant_columns(next, command, name, notices)?;
                if command.privileges == 0 {
                    continue;
                }
            }
            // A table, a view or a sequence: its owner and ACL.
            let (owner, current) = match (sequences, next.views.get(name)) {
                (true, _) => {
                    let seq = next.sequences.get(name).ok_or_else(|| {
                        SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!("relation \"{name}\" does not exist"),
                        )
                    })?;
                    (seq.owner.clone(), seq.acl.clone())
                }
                (false, Some(view)) => (view.owner.clone(), view.acl.clone()),
                (false, None) => {
                    let table = next.table(name)?;
                    (table.owner.clone(), table.acl.clone())
                }
            };
            let owner = owner.unwrap_or_else(|| BOOTSTRAP_ROLE.to_string());
            let mut acl = Catalog::relation_acl(Some(&owner), current.as_deref(), all);
            // The owner (or a superuser, on the owner's behalf) grants anything; another role
            // only what it holds WITH GRANT OPTION, as itself, warned about the rest.
            let (grantor, privileges) = if next.is_owner(Some(&owner), user) {
                (owner, command.privileges)
            } else {
                if next.relation_privileges(Some(&owner), current.as_deref(), user) == 0 {
                    let kind = if sequences { "sequence" } else { "table" };
                    return Err(denied(format!(
                        "permission denied for {kind} {}",
                        crate::catalog::relname(name)
                    )));
                }
                let grantable = next.grant_options(Some(&owner), current.as_deref(), user);
                let what = format!("\"{name}\"");
                let Some(allowed) =
                    grantable_part(command, command.privileges, grantable, &what, notices)
                else {
                    continue;
                };
                (user.clone(), allowed)
            };
            change_acl(
                &mut acl,
                command.grant,
                privileges,
                command.grant_option,
                &command.grantees,
                &grantor,
            );
            if sequences {
                let mut changed = (*next.sequences[name]).clone();
                changed.acl = Some(acl);
                next.sequences.insert(name.clone(), Arc::new(changed));
            } else if let Some(view) = next.views.get_mut(name) {
                view.acl = Some(acl);
            } else {
                let mut changed = (**next.table(name)?).clone();
                changed.acl = Some(acl);
                // Revoking a table privilege revokes it from each column too (PostgreSQL's
                // REVOKE ... ON TABLE).
                if !command.grant {
                    for column in &mut changed.columns {
                        if let Some(column_acl) = &mut column.acl {
                            change_acl(
                                column_acl,
                                false,
                                privileges & COLUMN_PRIVILEGES,
                                command.grant_option,
                                &command.grantees,
                                &grantor,
                            );
                            if column_acl.is_empty() {
                                column.acl = None;
                            }
                        }
                    }
                }
                next.tables.insert(name.clone(), Arc::new(changed));
            }
        }
        Ok(())
    }

    /// The column part of a GRANT or REVOKE on table `name`: each named column's ACL changed as
    /// a table's is (the owner grants as itself; another role what it holds WITH GRANT OPTION on
    /// the table or the column).
    fn grant_columns(
        &self,
        next: &mut Catalog,
        command: &GrantCommand,
        name: &str,
        notices: &mut Vec<SqlError>,
    ) -> SqlResult<()> {
        let user = &self.info.user;
        if next.views.contains_key(name) {
            return Err(SqlError::unsupported("column privileges on views"));
        }
        let table = next.table(name)?.clone();
        let owner = crate::catalog::owner_name(table.owner.as_deref()).to_string();
        let mut changed = (*table).clone();
        for (column_name, bits) in &command.columns {
            let column = table.column_position(column_name)?;
            let (grantor, privileges) = if next.is_owner(Some(&owner), user) {
                (owner.clone(), *bits)
            } else {
                if next.column_privileges(&table, column, user) == 0 {
                    return Err(denied(format!(
                        "permission denied for column \"{column_name}\" of relation \"{}\"",
                        crate::catalog::relname(name)
                    )));
                }
                let mut grantable = next.grant_options(Some(&owner), table.acl.as_deref(), user);
                for item in table.columns[column].acl.iter().flatten() {
                    if item.grantee == *user || item.grantee.is_empty() {
                        grantable |= item.grantable;
                    }
                }
                let what = format!(
                    "column \"{}\".\"{column_name}\"",
                    crate::catalog::relname(name)
                );
                let Some(allowed) = grantable_part(command, *bits, grantable, &what, notices)
                else {
                    continue;
                };
                (user.clone(), allowed)
            };
            let def = &mut changed.columns[column];
            let mut acl = def.acl.take().unwrap_or_default();
            change_acl(
                &mut acl,
                command.grant,
                privileges,
                command.grant_option,
                &command.grantees,
                &grantor,
            );
            def.acl = (!acl.is_empty()).then_some(acl);
        }
        next.tables.insert(name.to_string(), Arc::new(changed));
        Ok(())
    }

    /// Applies `command` to `next`; NOTICEs go to `notices`.
    /// DROP OWNED's and REASSIGN OWNED's checks, as PostgreSQL makes them: every role named
    /// (`owners`, whose objects go, and `others`, REASSIGN's new owner) exists, the current
    /// role has the privileges of each, and no owner is the bootstrap superuser.
    pub(super) fn check_owned_by(
        &self,
        catalog: &Catalog,
        owners: &[String],
        others: &[String],
        what: OwnedBy,
    ) -> SqlResult<()> {
        let named = || owners.iter().chain(others);
        if let Some(role) = named().find(|role| !catalog.has_role(role)) {
            return Err(missing(role));
        }
        let mine = catalog.privilege_roles(&self.info.user);
        if !catalog.is_superuser(&self.info.user) && !named().all(|role| mine.contains(role)) {
            return Err(denied(match what {
                OwnedBy::Drop => "permission denied to drop objects",
                OwnedBy::Reassign => "permission denied to reassign objects",
            }));
        }
        if let Some(role) = owners.iter().find(|r| *r == BOOTSTRAP_ROLE) {
            let action = match what {
                OwnedBy::Drop => "drop objects",
                OwnedBy::Reassign => "reassign ownership of objects",
            };
            return Err(SqlError::new(
                code::DEPENDENT_OBJECTS_STILL_EXIST,
                format!(
                    "cannot {action} owned by role {role} because they are required by the database system"
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn run_role(
        &self,
        next: &mut Catalog,
        command: &RoleCommand,
        notices: &mut Vec<SqlError>,
    ) -> SqlResult<()> {
        let me = next.role(&self.info.user);
        let superuser = me.as_ref().is_some_and(|r| r.superuser);
        let create_role = superuser || me.as_ref().is_some_and(|r| r.create_role);
        let encryption = self
            .settings
            .get("password_encryption")
            .unwrap_or("scram-sha-256")
            .to_string();
        match command {
            RoleCommand::Create { name, attrs } => {
                if !create_role {
                    return Err(denied("permission denied to create role"));
                }
                if !superuser {
                    if let Some((what, _)) = attrs.iter().find_map(|a| superuser_only(a)) {
                        return Err(denied(format!("must be superuser to {what}")));
                    }
                }
                if next.role(name).is_some() {
                    return Err(SqlError::new(
                        code::DUPLICATE_OBJECT,
                        format!("role \"{name}\" already exists"),
                    ));
                }
                let oid = FIRST_OID + next.next_table_id as i64;
                next.next_table_id += 1;
                let mut role = RoleDef::new(name, oid);
                apply(&mut role, attrs, &encryption, notices)?;
                next.roles.insert(name.clone(), role);
            }
            RoleCommand::Alter { name, attrs } => {
                let mut role = next.role(name).ok_or_else(|| missing(name))?;
                let own_password = name == &self.info.user
                    && attrs.iter().all(|a| matches!(a, RoleAttr::Password(_)));
                if !superuser {
                    if role.superuser {
                        return Err(denied(
                            "must be superuser to alter superuser roles or change superuser attribute",
                        ));
                    }
                    if role.replication {
                        return Err(denied(
                            "must be superuser to alter replication roles or change replication attribute",
                        ));
                    }
                    if let Some((_, what)) = attrs.iter().find_map(|a| superuser_only(a)) {
                        return Err(denied(format!("must be superuser to {what}")));
                    }
                    if !create_role && !own_password {
                        return Err(denied("permission denied"));
                    }
                }
                apply(&mut role, attrs, &encryption, notices)?;
                next.roles.insert(name.clone(), role);
            }
            RoleCommand::Rename { name, new_name } => {
                let mut role = next.role(name).ok_or_else(|| missing(name))?;
                if name == &self.info.user {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        "session user cannot be renamed",
                    ));
                }
                if next.role(new_name).is_some() {
                    return Err(SqlError::new(
                        code::DUPLICATE_OBJECT,
                        format!("role \"{new_name}\" already exists"),
                    ));
                }
                if role.superuser && !superuser {
                    return Err(denied("must be superuser to rename superusers"));
                }
                if !create_role {
                    return Err(denied("permission denied to rename role"));
                }
                // An md5 secret includes the name: it no longer matches.
                if matches!(
                    role.password.as_deref().and_then(Secret::parse),
                    Some(Secret::Md5(_))
                ) {
                    role.password = None;
                    notices.push(notice("MD5 password cleared because of role rename"));
                }
                next.roles.remove(name);
                role.name = new_name.clone();
                next.roles.insert(new_name.clone(), role);
                rename_in_grants(next, name, new_name);
            }
            RoleCommand::Setting {
                name,
                database,
                setting,
                value,
                all_roles,
                from_current,
            } => {
                // SET ... FROM CURRENT: the session's value now.
                let current;
                let value = match setting {
                    Some(setting) if *from_current => {
                        let now = self.settings.get(setting).ok_or_else(|| {
                            SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!("unrecognized configuration parameter \"{setting}\""),
                            )
                        })?;
                        current = Some(now.to_string());
                        &current
                    }
                    _ => value,
                };
                if let Some(database) = database {
                    if database != "postgres" && database != "keel" {
                        return Err(SqlError::new(
                            code::INVALID_CATALOG_NAME,
                            format!("database \"{database}\" does not exist"),
                        ));
                    }
                }
                let mut role = match name {
                    Some(name) => Some(next.role(name).ok_or_else(|| missing(name))?),
                    None => None,
                };
                let allowed = match &role {
                    Some(role) => {
                        superuser || (create_role && !role.superuser) || role.name == self.info.user
                    }
                    // The bootstrap superuser owns both databases.
                    None => superuser,
                };
                if *all_roles && database.is_none() && !superuser {
                    return Err(denied("must be superuser to alter settings globally"));
                }
                if !allowed {
                    return Err(denied(match &role {
                        Some(_) => "permission denied".to_string(),
                        None => format!(
                            "must be owner of database {}",
                            database.as_deref().unwrap_or_default()
                        ),
                    }));
                }
                let list = match &mut role {
                    Some(role) => &mut role.settings,
                    None => &mut next.database_settings,
                };
                let scoped = |s: &crate::catalog::RoleSetting| s.database == *database;
                match (setting, value) {
                    (None, _) => list.retain(|s| !scoped(s)),
                    (Some(setting), value) => {
                        let key = setting.to_lowercase();
                        // The value must be one the setting takes (checked on a copy).
                        self.settings.clone().set(&key, value.as_deref(), false)?;
                        list.retain(|s| !(scoped(s) && s.name == key));
                        if let Some(value) = value {
                            list.push(crate::catalog::RoleSetting {
                                database: database.clone(),
                                name: key,
                                value: value.clone(),
                            });
                        }
                    }
                }
                if let Some(role) = role {
                    next.roles.insert(role.name.clone(), role);
                }
            }
            RoleCommand::Membership {
                grant,
                roles,
                members,
                admin,
                grantor,
            } => {
                for name in roles.iter().chain(members) {
                    if next.role(name).is_none() {
                        return Err(missing(name));
                    }
                }
                let user = &self.info.user;
                // GRANTED BY (PostgreSQL 15): recorded as given; only a superuser may name
                // another role.
                let recorded = match grantor.as_deref() {
                    None | Some("current_user" | "current_role") => user.clone(),
                    Some("session_user") => self.info.session_user().to_string(),
                    Some(name) => {
                        if next.role(name).is_none() {
                            return Err(missing(name));
                        }
                        if name != user && !superuser {
                            return Err(denied("must be superuser to set grantor".to_string()));
                        }
                        name.to_string()
                    }
                };
                for role_name in roles {
                    let role = next.role(role_name).ok_or_else(|| missing(role_name))?;
                    // PostgreSQL 15: superusers; CREATEROLE for roles that are no superuser;
                    // otherwise the admin option on the role.
                    let has_admin = next.role(user).is_some_and(|me| {
                        me.member_of.iter().any(|m| m.role == *role_name && m.admin)
                    });
                    let allowed = if role.superuser {
                        superuser
                    } else {
                        create_role || has_admin
                    };
                    if !allowed {
                        return Err(denied(if role.superuser {
                            "must be superuser to alter superusers".to_string()
                        } else {
                            format!("must have admin option on role \"{role_name}\"")
                        }));
                    }
                    for member_name in members {
                        let mut member =
                            next.role(member_name).ok_or_else(|| missing(member_name))?;
                        let at = member.member_of.iter().position(|m| m.role == *role_name);
                        if *grant {
                            if next.is_member_of(role_name, member_name) {
                                return Err(SqlError::new(
                                    "0LP01",
                                    format!(
                                        "role \"{role_name}\" is a member of role \"{member_name}\""
                                    ),
                                ));
                            }
                            match at {
                                Some(i) if member.member_of[i].admin || !*admin => {
                                    notices.push(notice(format!(
                                        "role \"{member_name}\" is already a member of role \"{role_name}\""
                                    )));
                                    continue;
                                }
                                Some(i) => member.member_of[i].admin = true,
                                None => member.member_of.push(crate::catalog::Membership {
                                    role: role_name.clone(),
                                    admin: *admin,
                                    grantor: recorded.clone(),
                                }),
                            }
                        } else {
                            match at {
                                None => {
                                    notices.push(SqlError::new(
                                        "01000",
                                        format!(
                                            "role \"{member_name}\" is not a member of role \"{role_name}\""
                                        ),
                                    ));
                                    continue;
                                }
                                Some(i) if *admin => member.member_of[i].admin = false,
                                Some(i) => {
                                    member.member_of.remove(i);
                                }
                            }
                        }
                        next.roles.insert(member_name.clone(), member);
                    }
                }
            }
            RoleCommand::RevokeAllFrom { roles } => {
                for role in roles {
                    revoke_all_from(next, role);
                }
            }
            RoleCommand::ReassignOwned { from, to } => {
                let to = self.info.role_named(to);
                let from: Vec<String> = from.iter().map(|r| self.info.role_named(r)).collect();
                self.check_owned_by(next, &from, std::slice::from_ref(&to), OwnedBy::Reassign)?;
                for old in &from {
                    reassign_owned(next, old, &to);
                }
            }
            RoleCommand::Drop { names, if_exists } => {
                if !create_role {
                    return Err(denied("permission denied to drop role"));
                }
                for name in names {
                    let Some(role) = next.role(name) else {
                        if *if_exists {
                            notices
                                .push(notice(format!("role \"{name}\" does not exist, skipping")));
                            continue;
                        }
                        return Err(missing(name));
                    };
                    if name == &self.info.user {
                        return Err(SqlError::new(
                            code::OBJECT_IN_USE,
                            "current user cannot be dropped",
                        ));
                    }
                    if name == BOOTSTRAP_ROLE {
                        return Err(SqlError::new(
                            code::OBJECT_IN_USE,
                            format!(
                                "cannot drop role {name} because it is required by the database system"
                            ),
                        ));
                    }
                    if role.superuser && !superuser {
                        return Err(denied("must be superuser to drop superusers"));
                    }
                    let depending = dependents(next, name);
                    if !depending.is_empty() {
                        return Err(SqlError::new(
                            code::DEPENDENT_OBJECTS_STILL_EXIST,
                            format!(
                                "role \"{name}\" cannot be dropped because some objects depend on it"
                            ),
                        )
                        .with_detail(depending.join("\n")));
                    }
                    next.roles.remove(name);
                    // Its memberships go with it, both ways.
                    for role in next.roles.values_mut() {
                        role.member_of.retain(|m| m.role != *name);
                    }
                }
            }
        }
        Ok(())
    }
}

/// What keeps `role` from being dropped: tables and views it owns, grants it gave or holds
/// (PostgreSQL's DETAIL lines, in the order of the objects' OIDs, as PostgreSQL sorts them).
fn dependents(catalog: &Catalog, role: &str) -> Vec<String> {
    let mut found: Vec<(i64, String)> = Vec::new();
    if let Some(acl) = &catalog.schema_acl {
        if acl.iter().any(|item| item.grantee == role) {
            found.push((2200, "privileges for schema public".into()));
        }
    }
    for schema in catalog.schemas.values() {
        if schema.owner == role {
            found.push((schema.oid, format!("owner of schema {}", schema.name)));
        } else if schema
            .acl
            .iter()
            .flatten()
            .any(|item| item.grantee == role || item.grantor == role)
        {
            found.push((schema.oid, format!("privileges for schema {}", schema.name)));
        }
    }
    let relations = catalog
        .tables
        .values()
        .map(|t| ("table", &t.name, t.owner.as_deref(), t.acl.as_deref()))
        .chain(
            catalog
                .views
                .values()
                .map(|v| ("view", &v.name, v.owner.as_deref(), v.acl.as_deref())),
        )
        .chain(
            catalog
                .sequences
                .values()
                .map(|q| ("sequence", &q.name, q.owner.as_deref(), q.acl.as_deref())),
        );
    for (kind, name, owner, acl) in relations {
        let oid = crate::system::relation_oid(catalog, name).unwrap_or(i64::MAX);
        // PostgreSQL names relations outside public with their schema here.
        let (schema, relation) = crate::catalog::split_name(name);
        let name = if schema == crate::catalog::PUBLIC_SCHEMA {
            relation.to_string()
        } else {
            format!("{schema}.{relation}")
        };
        if owner == Some(role) {
            found.push((oid, format!("owner of {kind} {name}")));
            continue;
        }
        let mentioned = acl
            .unwrap_or_default()
            .iter()
            .any(|item| item.grantee == role || item.grantor == role);
        if mentioned {
            found.push((oid, format!("privileges for {kind} {name}")));
        }
    }
    found.sort();
    found.into_iter().map(|(_, line)| line).collect()
}

/// DROP OWNED's revoke: every privilege granted to `role`, on every object, goes.
fn revoke_all_from(catalog: &mut Catalog, role: &str) {
    use crate::catalog::AclItem;
    let revoke = |acl: &mut Option<Vec<AclItem>>| {
        if let Some(items) = acl {
            items.retain(|item| item.grantee != role);
        }
    };
    let mentions = |acl: &Option<Vec<AclItem>>| acl.iter().flatten().any(|i| i.grantee == role);
    for table in catalog.tables.values_mut() {
        if mentions(&table.acl) {
            revoke(&mut Arc::make_mut(table).acl);
        }
    }
    for view in catalog.views.values_mut() {
        revoke(&mut view.acl);
    }
    for seq in catalog.sequences.values_mut() {
        if mentions(&seq.acl) {
            revoke(&mut Arc::make_mut(seq).acl);
        }
    }
    for schema in catalog.schemas.values_mut() {
        revoke(&mut schema.acl);
    }
    revoke(&mut catalog.schema_acl);
}

/// REASSIGN OWNED: every object of the database `old` owns becomes `new`'s, its ACL as ALTER ...
/// OWNER TO makes it (`acl_new_owner`); grants to `old` on others' objects stay.
fn reassign_owned(catalog: &mut Catalog, old: &str, new: &str) {
    use crate::catalog::{acl_new_owner, owner_name, AclItem};
    let owned = |owner: &Option<String>| owner_name(owner.as_deref()) == old;
    let give = |owner: &mut Option<String>, acl: &mut Option<Vec<AclItem>>| {
        *owner = Some(new.to_string());
        if let Some(acl) = acl {
            *acl = acl_new_owner(acl, old, new);
        }
    };
    for table in catalog.tables.values_mut() {
        if owned(&table.owner) {
            let table = Arc::make_mut(table);
            give(&mut table.owner, &mut table.acl);
        }
    }
    for view in catalog.views.values_mut() {
        if owned(&view.owner) {
            give(&mut view.owner, &mut view.acl);
        }
    }
    for seq in catalog.sequences.values_mut() {
        if owned(&seq.owner) {
            let seq = Arc::make_mut(seq);
            give(&mut seq.owner, &mut seq.acl);
        }
    }
    for def in catalog.enums.values_mut() {
        if owned(&def.owner) {
            Arc::make_mut(def).owner = Some(new.to_string());
        }
    }
    for def in catalog.domains.values_mut() {
        if owned(&def.owner) {
            Arc::make_mut(def).owner = Some(new.to_string());
        }
    }
    for def in catalog.composites.values_mut() {
        if owned(&def.owner) {
            Arc::make_mut(def).owner = Some(new.to_string());
        }
    }
    for schema in catalog.schemas.values_mut() {
        if schema.owner == old {
            schema.owner = new.to_string();
            if let Some(acl) = &mut schema.acl {
                *acl = acl_new_owner(acl, old, new);
            }
        }
    }
}

/// A renamed role keeps what it owns and its grants (PostgreSQL refers to roles by OID).
fn rename_in_grants(catalog: &mut Catalog, old: &str, new: &str) {
    use crate::catalog::AclItem;
    let rename_acl = |acl: &mut Option<Vec<AclItem>>| {
        for item in acl.iter_mut().flatten() {
            if item.grantee == old {
                item.grantee = new.to_string();
            }
            if item.grantor == old {
                item.grantor = new.to_string();
            }
        }
    };
    // An object's owner and ACL, renamed in place.
    let rename = |owner: &mut Option<String>, acl: &mut Option<Vec<AclItem>>| {
        if owner.as_deref() == Some(old) {
            *owner = Some(new.to_string());
        }
        rename_acl(acl);
    };
    // Whether an object names the role at all (tables and sequences are shared `Arc`s: only
    // those are copied).
    let mentions = |owner: &Option<String>, acl: &Option<Vec<AclItem>>| {
        owner.as_deref() == Some(old)
            || acl
                .iter()
                .flatten()
                .any(|item| item.grantee == old || item.grantor == old)
    };
    for table in catalog.tables.values_mut() {
        if mentions(&table.owner, &table.acl) {
            let table = Arc::make_mut(table);
            rename(&mut table.owner, &mut table.acl);
        }
    }
    for view in catalog.views.values_mut() {
        rename(&mut view.owner, &mut view.acl);
    }
    for seq in catalog.sequences.values_mut() {
        if mentions(&seq.owner, &seq.acl) {
            let seq = Arc::make_mut(seq);
            rename(&mut seq.owner, &mut seq.acl);
        }
    }
    rename_acl(&mut catalog.schema_acl);
    for role in catalog.roles.values_mut() {
        for membership in &mut role.member_of {
            if membership.role == old {
                membership.role = new.to_string();
            }
            if membership.grantor == old {
                membership.grantor = new.to_string();
            }
        }
    }
    for schema in catalog.schemas.values_mut() {
        if schema.owner == old {
            schema.owner = new.to_string();
        }
        rename_acl(&mut schema.acl);
    }
}

/// Applies `attrs` in order to `role`; a password becomes its secret.
fn apply(
    role: &mut RoleDef,
    attrs: &[RoleAttr],
    encryption: &str,
    notices: &mut Vec<SqlError>,
) -> SqlResult<()> {
    for attr in attrs {
        match attr {
            RoleAttr::Superuser(on) => role.superuser = *on,
            RoleAttr::CreateDb(on) => role.create_db = *on,
            RoleAttr::CreateRole(on) => role.create_role = *on,
            RoleAttr::Inherit(on) => role.inherit = *on,
            RoleAttr::Login(on) => role.login = *on,
            RoleAttr::Replication(on) => role.replication = *on,
            RoleAttr::BypassRls(on) => role.bypass_rls = *on,
            RoleAttr::ConnectionLimit(limit) => role.connection_limit = *limit,
            RoleAttr::ValidUntil(at) => role.valid_until = Some(*at),
            RoleAttr::Password(None) => role.password = None,
            RoleAttr::Password(Some(password)) if password.is_empty() => {
                notices.push(notice(
                    "empty string is not a valid password, clearing password",
                ));
                role.password = None;
            }
            RoleAttr::Password(Some(password)) => {
                role.password = Some(encrypt_password(password, &role.name, encryption)?);
            }
        }
    }
    Ok(())
}
