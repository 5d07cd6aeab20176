//! CREATE / ALTER / DROP ROLE (and USER, which the parser reads as ROLE): names checked, options
//! read in order. Permissions, existence and the password's secret are the session's business when
//! the statement runs (they depend on the catalog and settings of that moment).

use sqlparser::ast::{self, AlterRoleOperation, Expr as E, ObjectName, ObjectNamePart, RoleOption};

use super::{ident_name, unsupported, Binder};
use crate::catalog::{
    PRIV_CREATE, PRIV_DELETE, PRIV_INSERT, PRIV_REFERENCES, PRIV_SELECT, PRIV_TRIGGER,
    PRIV_TRUNCATE, PRIV_UPDATE, PRIV_USAGE, SEQUENCE_ALL, TABLE_ALL, TABLE_PRIVILEGES,
};
use crate::error::{code, SqlError, SqlResult};
use crate::plan::{GrantCommand, GrantTarget, Plan, RoleAttr, RoleCommand};

impl Binder<'_> {
    /// A role name as written: one identifier, not a reserved one.
    pub(super) fn role_name(&self, name: &ObjectName) -> SqlResult<String> {
        let [ObjectNamePart::Identifier(ident)] = name.0.as_slice() else {
            return Err(SqlError::syntax(format!(
                "syntax error at or near \"{name}\""
            )));
        };
        Ok(ident_name(ident))
    }

    /// A name a new role may take (PostgreSQL's reserved names refused).
    fn new_role_name(&self, ident: &ast::Ident) -> SqlResult<String> {
        let name = ident_name(ident);
        if matches!(name.as_str(), "public" | "none") {
            return Err(SqlError::new(
                code::RESERVED_NAME,
                format!("role name \"{name}\" is reserved"),
            )
            .at(self.pos(ident.span)));
        }
        if name.starts_with("pg_") {
            return Err(SqlError::new(
                code::RESERVED_NAME,
                format!("role name \"{name}\" is reserved"),
            )
            .with_detail("Role names starting with \"pg_\" are reserved."));
        }
        Ok(name)
    }

    fn role_string(expr: &E, what: &str) -> SqlResult<String> {
        match expr {
            E::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(s) => Ok(s.clone()),
                _ => Err(SqlError::syntax(format!("{what} must be a string literal"))),
            },
            _ => Err(SqlError::syntax(format!("{what} must be a string literal"))),
        }
    }

    fn role_attr(option: &RoleOption) -> SqlResult<RoleAttr> {
        Ok(match option {
            RoleOption::BypassRLS(on) => RoleAttr::BypassRls(*on),
            RoleOption::CreateDB(on) => RoleAttr::CreateDb(*on),
            RoleOption::CreateRole(on) => RoleAttr::CreateRole(*on),
            RoleOption::Inherit(on) => RoleAttr::Inherit(*on),
            RoleOption::Login(on) => RoleAttr::Login(*on),
            RoleOption::Replication(on) => RoleAttr::Replication(*on),
            RoleOption::SuperUser(on) => RoleAttr::Superuser(*on),
            RoleOption::ConnectionLimit(expr) => RoleAttr::ConnectionLimit(connection_limit(expr)?),
            RoleOption::Password(ast::Password::NullPassword) => RoleAttr::Password(None),
            RoleOption::Password(ast::Password::Password(expr)) => {
                RoleAttr::Password(Some(Self::role_string(expr, "password")?))
            }
            RoleOption::ValidUntil(expr) => {
                RoleAttr::ValidUntil(valid_until(&Self::role_string(expr, "VALID UNTIL")?)?)
            }
        })
    }

    pub(super) fn bind_role(&mut self, statement: &ast::Statement) -> SqlResult<Plan> {
        match statement {
            ast::Statement::CreateRole {
                names,
                if_not_exists,
                login,
                inherit,
                bypassrls,
                password,
                superuser,
                create_db,
                create_role,
                replication,
                connection_limit: limit,
                valid_until: until,
                in_role,
                in_group,
                role,
                user,
                admin,
                authorization_owner,
            } => {
                if *if_not_exists {
                    return Err(SqlError::syntax("syntax error at or near \"NOT\""));
                }
                if !(in_role.is_empty()
                    && in_group.is_empty()
                    && role.is_empty()
                    && user.is_empty()
                    && admin.is_empty()
                    && authorization_owner.is_none())
                {
                    return Err(unsupported("role membership (IN ROLE, ROLE, ADMIN)"));
                }
                let [name] = names.as_slice() else {
                    return Err(SqlError::syntax("syntax error at or near \",\""));
                };
                let [ObjectNamePart::Identifier(ident)] = name.0.as_slice() else {
                    return Err(SqlError::syntax(format!(
                        "syntax error at or near \"{name}\""
                    )));
                };
                let name = self.new_role_name(ident)?;
                let mut attrs = Vec::new();
                let flags = [
                    (login, RoleAttr::Login as fn(bool) -> RoleAttr),
                    (inherit, RoleAttr::Inherit),
                    (bypassrls, RoleAttr::BypassRls),
                    (superuser, RoleAttr::Superuser),
                    (create_db, RoleAttr::CreateDb),
                    (create_role, RoleAttr::CreateRole),
                    (replication, RoleAttr::Replication),
                ];
                for (flag, attr) in flags {
                    if let Some(on) = flag {
                        attrs.push(attr(*on));
                    }
                }
                if let Some(limit) = limit {
                    attrs.push(RoleAttr::ConnectionLimit(connection_limit(limit)?));
                }
                match password {
                    Some(ast::Password::NullPassword) => attrs.push(RoleAttr::Password(None)),
                    Some(ast::Password::Password(expr)) => attrs.push(RoleAttr::Password(Some(
                        Self::role_string(expr, "password")?,
                    ))),
                    None => {}
                }
                if let Some(until) = until {
                    attrs.push(RoleAttr::ValidUntil(valid_until(&Self::role_string(
                        until,
                        "VALID UNTIL",
                    )?)?));
                }
                Ok(Plan::Role(RoleCommand::Create { name, attrs }))
            }
            ast::Statement::AlterRole { name, operation } => {
                let role = ident_name(name);
                match operation {
                    AlterRoleOperation::WithOptions { options } => {
                        let attrs = options
                            .iter()
                            .map(Self::role_attr)
                            .collect::<SqlResult<Vec<_>>>()?;
                        Ok(Plan::Role(RoleCommand::Alter { name: role, attrs }))
                    }
                    AlterRoleOperation::RenameRole { role_name } => {
                        let new_name = self.new_role_name(role_name)?;
                        Ok(Plan::Role(RoleCommand::Rename {
                            name: role,
                            new_name,
                        }))
                    }
                    AlterRoleOperation::Set { .. } | AlterRoleOperation::Reset { .. } => {
                        Err(unsupported("ALTER ROLE ... SET / RESET"))
                    }
                    other => Err(unsupported(format!("ALTER ROLE {other}"))),
                }
            }
            ast::Statement::Drop {
                names,
                if_exists,
                cascade,
                ..
            } => {
                if *cascade {
                    return Err(SqlError::syntax("syntax error at or near \"CASCADE\""));
                }
                let names = names
                    .iter()
                    .map(|name| self.role_name(name))
                    .collect::<SqlResult<Vec<_>>>()?;
                Ok(Plan::Role(RoleCommand::Drop {
                    names,
                    if_exists: *if_exists,
                }))
            }
            _ => Err(unsupported(statement.to_string())),
        }
    }
}

impl Binder<'_> {
    /// GRANT / REVOKE on tables (also ALL TABLES IN SCHEMA public) or on SCHEMA public.
    pub(super) fn bind_grant(&mut self, statement: &ast::Statement) -> SqlResult<Plan> {
        let (grant, privileges, objects, grantees, grant_option) = match statement {
            ast::Statement::Grant {
                privileges,
                objects,
                grantees,
                with_grant_option,
                granted_by: None,
                as_grantor: None,
                current_grants: None,
            } => (true, privileges, objects, grantees, *with_grant_option),
            ast::Statement::Revoke {
                privileges,
                objects,
                grantees,
                granted_by: None,
                cascade,
            } => {
                if matches!(cascade, Some(ast::CascadeOption::Cascade)) {
                    return Err(unsupported("REVOKE ... CASCADE"));
                }
                // REVOKE GRANT OPTION FOR (blanked out before sqlparser read the statement).
                let grant_option = crate::parse::is_revoke_grant_option(self.text);
                (false, privileges, objects, grantees, grant_option)
            }
            _ => return Err(unsupported(statement.to_string())),
        };
        let Some(objects) = objects else {
            return Err(unsupported("granting roles to roles"));
        };
        let schema = |names: &[ObjectName]| -> SqlResult<Vec<String>> {
            let mut found = Vec::new();
            for name in names {
                let schema = self.role_name(name)?;
                if !self.catalog.schema_exists(&schema) {
                    return Err(SqlError::new(
                        "3F000",
                        format!("schema \"{schema}\" does not exist"),
                    ));
                }
                found.push(schema);
            }
            Ok(found)
        };
        let in_schemas = |schemas: &[String], key: &str| {
            schemas
                .iter()
                .any(|s| s == crate::catalog::split_name(key).0)
        };
        let sequence = |name: &ObjectName| -> SqlResult<String> {
            let name = self.table_name(name)?.0;
            match self.catalog.sequences.get(&name) {
                Some(seq) => Ok(seq.name.clone()),
                None => Err(SqlError::new(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{name}\" does not exist"),
                )),
            }
        };
        let target = match objects {
            ast::GrantObjects::Tables(names) => GrantTarget::Relations(
                names
                    .iter()
                    // A table or a view; PostgreSQL reports a missing one without a position.
                    .map(|name| {
                        let name = self.table_name(name)?.0;
                        if self.catalog.views.contains_key(&name) {
                            return Ok(name);
                        }
                        Ok(self.catalog.table(&name)?.name.clone())
                    })
                    .collect::<SqlResult<Vec<_>>>()?,
            ),
            ast::GrantObjects::AllTablesInSchema { schemas } => {
                let schemas = schema(schemas)?;
                GrantTarget::Relations(
                    self.catalog
                        .tables
                        .keys()
                        .chain(self.catalog.views.keys())
                        .filter(|key| in_schemas(&schemas, key))
                        .cloned()
                        .collect(),
                )
            }
            ast::GrantObjects::Sequences(names) => {
                GrantTarget::Sequences(names.iter().map(sequence).collect::<SqlResult<Vec<_>>>()?)
            }
            ast::GrantObjects::AllSequencesInSchema { schemas } => {
                let schemas = schema(schemas)?;
                GrantTarget::Sequences(
                    self.catalog
                        .sequences
                        .keys()
                        .filter(|key| in_schemas(&schemas, key))
                        .cloned()
                        .collect(),
                )
            }
            ast::GrantObjects::Schemas(schemas) => GrantTarget::Schema(schema(schemas)?),
            other => return Err(unsupported(format!("GRANT ON {other}"))),
        };
        let (all, kind, allowed): (u8, &str, &[&str]) = match target {
            GrantTarget::Schema(_) => (PRIV_USAGE | PRIV_CREATE, "schema", &["USAGE", "CREATE"]),
            GrantTarget::Sequences(_) => (SEQUENCE_ALL, "sequence", &["SELECT", "UPDATE", "USAGE"]),
            GrantTarget::Relations(_) => (
                TABLE_ALL,
                "table",
                &[
                    "SELECT",
                    "INSERT",
                    "UPDATE",
                    "DELETE",
                    "TRUNCATE",
                    "REFERENCES",
                    "TRIGGER",
                ],
            ),
        };
        let mut columns: Vec<(String, u8)> = Vec::new();
        let privileges = match privileges {
            ast::Privileges::All { .. } => all,
            ast::Privileges::Actions(actions) => {
                let mut bits = 0;
                for action in actions {
                    // Column privileges: SELECT, INSERT, UPDATE and REFERENCES of some columns.
                    let named = match action {
                        ast::Action::Select { columns: Some(c) } => Some((PRIV_SELECT, c)),
                        ast::Action::Insert { columns: Some(c) } => Some((PRIV_INSERT, c)),
                        ast::Action::Update { columns: Some(c) } => Some((PRIV_UPDATE, c)),
                        ast::Action::References { columns: Some(c) } => Some((PRIV_REFERENCES, c)),
                        _ => None,
                    };
                    if let Some((bit, names)) = named {
                        if !matches!(target, GrantTarget::Relations(_)) {
                            return Err(SqlError::new(
                                "0LP01",
                                format!(
                                    "invalid privilege type {} for column",
                                    TABLE_PRIVILEGES
                                        .iter()
                                        .find(|(b, _, _)| *b == bit)
                                        .map_or("", |(_, _, name)| *name)
                                ),
                            ));
                        }
                        for name in names {
                            let name = ident_name(name);
                            match columns.iter_mut().find(|(c, _)| *c == name) {
                                Some((_, held)) => *held |= bit,
                                None => columns.push((name, bit)),
                            }
                        }
                        continue;
                    }
                    let (bit, name) = match action {
                        ast::Action::Select { columns: None } => (PRIV_SELECT, "SELECT"),
                        ast::Action::Insert { columns: None } => (PRIV_INSERT, "INSERT"),
                        ast::Action::Update { columns: None } => (PRIV_UPDATE, "UPDATE"),
                        ast::Action::Delete => (PRIV_DELETE, "DELETE"),
                        ast::Action::Truncate => (PRIV_TRUNCATE, "TRUNCATE"),
                        ast::Action::References { columns: None } => {
                            (PRIV_REFERENCES, "REFERENCES")
                        }
                        ast::Action::Trigger => (PRIV_TRIGGER, "TRIGGER"),
                        ast::Action::Usage => (PRIV_USAGE, "USAGE"),
                        ast::Action::Create { obj_type: None } => (PRIV_CREATE, "CREATE"),
                        other => return Err(unsupported(format!("privilege {other}"))),
                    };
                    let fits = allowed.contains(&name);
                    if !fits {
                        return Err(SqlError::new(
                            "0LP01",
                            format!("invalid privilege type {name} for {kind}"),
                        ));
                    }
                    bits |= bit;
                }
                bits
            }
        };
        let grantees = grantees
            .iter()
            .map(|grantee| match (&grantee.grantee_type, &grantee.name) {
                (ast::GranteesType::Public, _) => Ok(String::new()),
                (_, Some(ast::GranteeName::ObjectName(name))) => {
                    let name = self.role_name(name)?;
                    Ok(if name == "public" {
                        String::new()
                    } else {
                        name
                    })
                }
                _ => Err(unsupported(format!("grantee {grantee}"))),
            })
            .collect::<SqlResult<Vec<_>>>()?;
        Ok(Plan::Grant(GrantCommand {
            grant,
            privileges,
            columns,
            grant_option,
            target,
            grantees,
        }))
    }
}

fn connection_limit(expr: &E) -> SqlResult<i32> {
    let text = match expr {
        E::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.clone(),
            _ => String::new(),
        },
        E::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            E::Value(v) => match &v.value {
                ast::Value::Number(n, _) => format!("-{n}"),
                _ => String::new(),
            },
            _ => String::new(),
        },
        _ => String::new(),
    };
    let limit: i32 = text
        .parse()
        .map_err(|_| SqlError::syntax(format!("syntax error at or near \"{expr}\"")))?;
    if limit < -1 {
        return Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("invalid connection limit: {limit}"),
        ));
    }
    Ok(limit)
}

fn valid_until(text: &str) -> SqlResult<i64> {
    crate::types::parse_timestamp(text, true).ok_or_else(|| {
        SqlError::new(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid input syntax for type timestamp with time zone: \"{text}\""),
        )
    })
}
