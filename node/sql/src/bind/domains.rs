//! CREATE / ALTER / DROP DOMAIN (see [`crate::domains`]), and the domain side of type names:
//! finding a domain a type name names, and binding a domain's constraints into the
//! [`Coerce`] a cast or a write checks values with.
//!
//! A domain's CHECK conditions are bound over a one-column row whose column is `value` (of
//! the base type), so `VALUE` (any case) reads the value and any other name is PostgreSQL's
//! 42703; subqueries and aggregates are refused as in a table's CHECK. The conditions are bound
//! from their text apart from the statement, so errors from them carry no position (as
//! PostgreSQL's do not).

use std::sync::Arc;

use sqlparser::ast::{self, ObjectName};

use super::{AggCollector, Binder, Scope};
use crate::catalog::{CheckDef, ColumnDef, TableDef};
use crate::domains::{Coerce, ColumnDomain, DomainDef};
use crate::error::{code, SqlError, SqlResult};
use crate::expr::Expr;
use crate::parse::{DomainAlteration, DomainConstraint, DomainStatement, Piece};
use crate::plan::{DomainChange, DomainCommand, Plan};
use crate::types::DataType;

/// The row a domain's CHECK reads: one column, `value`, of the base type.
fn value_row(base: DataType) -> TableDef {
    let value = ColumnDef::new("value", base);
    TableDef::plain(0, "value".into(), vec![value])
}

/// `text` (deparsed SQL) with its references to the value spelled `VALUE`, as PostgreSQL
/// prints them: the word `value` outside quotes. The value of a domain over a domain is of
/// that domain, which PostgreSQL relabels to the base type where an operator or function
/// takes it (`cast`: `(VALUE)::integer`), though not under IS [NOT] NULL.
fn upper_value(text: &str, cast: Option<&str>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let (mut at, mut quote) = (0, None);
    while at < chars.len() {
        let c = chars[at];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if ident(c) && (at == 0 || !ident(chars[at - 1])) => {
                let end = (at..chars.len())
                    .find(|&i| !ident(chars[i]))
                    .unwrap_or(chars.len());
                let word: String = chars[at..end].iter().collect();
                let rest: String = chars[end..].iter().collect();
                match cast {
                    Some(cast) if word == "value" && !rest.starts_with(" IS ") => {
                        out.push_str(&cast.replace("{}", "VALUE"))
                    }
                    _ if word == "value" => out.push_str("VALUE"),
                    _ => out.push_str(&word),
                }
                at = end;
                continue;
            }
            None => {}
        }
        out.push(c);
        at += 1;
    }
    out
}

fn missing(name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_OBJECT,
        format!("type \"{name}\" does not exist"),
    )
}

impl Binder<'_> {
    /// A name written in a hand-parsed statement, read as sqlparser reads one.
    pub(super) fn piece_name(&self, (text, offset): &Piece) -> SqlResult<ObjectName> {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(text)
            .and_then(|mut parser| parser.parse_object_name(false))
            .map_err(|_| SqlError::syntax(format!("syntax error at or near \"{text}\"")))
            .map_err(|error| error.at(Some(offset + 1)))
    }

    /// PostgreSQL's checks of a `COLLATE name` given with a domain's or an attribute's type
    /// `ty`: a string type, and a collation Keel has (it compares text by code point: the C
    /// collation, which these names are).
    pub(super) fn check_collation(&self, ty: DataType, collation: Option<&str>) -> SqlResult<()> {
        let Some(collation) = collation else {
            return Ok(());
        };
        if !ty.is_string() {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!("collations are not supported by type {}", ty.name()),
            ));
        }
        if !matches!(
            collation,
            "default" | "C" | "c" | "POSIX" | "posix" | "ucs_basic"
        ) {
            return Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!("collation \"{collation}\" for encoding \"UTF8\" does not exist"),
            ));
        }
        Ok(())
    }

    /// The domain a type name names (along the search path when unqualified).
    pub(super) fn domain_named(&self, name: &ObjectName) -> SqlResult<Option<Arc<DomainDef>>> {
        self.user_type_entry(name, &self.catalog.domains)
    }

    /// The domain a type names, when it names one (not an array of one).
    pub(super) fn domain_of(&self, ty: &ast::DataType) -> Option<Arc<DomainDef>> {
        match ty {
            ast::DataType::Custom(name, modifiers) if modifiers.is_empty() => {
                self.domain_named(name).ok().flatten()
            }
            _ => None,
        }
    }

    /// The domain of a column declared of type `ty`, when it names one.
    pub(super) fn column_domain(&self, ty: &ast::DataType) -> Option<ColumnDomain> {
        self.domain_of(ty).map(|def| ColumnDomain::new(def.id))
    }

    /// Whether `column` is of a domain that is NOT NULL (itself or a domain under it).
    pub(super) fn domain_not_null(&self, column: &ColumnDef) -> bool {
        let mut at = column.domain.as_ref().map(|d| d.id);
        while let Some(def) = at.and_then(|id| self.catalog.domain_by_id(id)) {
            if def.not_null {
                return true;
            }
            at = def.parent;
        }
        false
    }

    /// `pg_typeof(column)` of a table's column of a domain: the domain's OID (a value of the
    /// domain is held as its base type, which the general path would name).
    pub(super) fn domain_column_type(
        &mut self,
        name: &str,
        function: &ast::Function,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
    ) -> SqlResult<Option<i64>> {
        let ast::FunctionArguments::List(list) = &function.args else {
            return Ok(None);
        };
        let [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(arg))] = list.args.as_slice()
        else {
            return Ok(None);
        };
        if name != "pg_typeof"
            || !matches!(
                arg,
                ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_)
            )
        {
            return Ok(None);
        }
        let (Expr::Column(index), _) = self.bind_expr(arg, scope, aggs)? else {
            return Ok(None);
        };
        let Some((table, attnum)) = scope.column(index).and_then(|(_, c)| c.source) else {
            return Ok(None);
        };
        let column = (self.catalog.table_by_id(table))
            .and_then(|table| table.columns.get(usize::try_from(attnum - 1).ok()?));
        Ok(column
            .and_then(|column| column.domain.as_ref())
            .and_then(|domain| self.catalog.domain_by_id(domain.id))
            .map(|def| def.oid()))
    }

    /// The domain `name` names, for a statement that changes it: its owner only.
    fn owned_domain(&self, piece: &Piece) -> SqlResult<Arc<DomainDef>> {
        let name = self.piece_name(piece)?;
        let def = self.domain_named(&name)?.ok_or_else(|| missing(&piece.0))?;
        if !self
            .catalog
            .is_owner(def.owner.as_deref(), &self.session.user)
        {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!("must be owner of type {}", def.relname()),
            ));
        }
        Ok(def)
    }

    /// A domain's constraints, its parents' first, bound to check values with.
    pub(crate) fn domain_coerce(&mut self, def: &DomainDef) -> SqlResult<Arc<Coerce>> {
        let mut chain = vec![Arc::new(def.clone())];
        while let Some(parent) = chain.last().and_then(|d| d.parent) {
            let parent = self.catalog.domain_by_id(parent).ok_or_else(|| {
                SqlError::new(
                    code::INTERNAL_ERROR,
                    format!("the parent of domain {} is gone", def.relname()),
                )
            })?;
            chain.push(parent.clone());
        }
        let mut coerce = Coerce {
            oid: def.oid(),
            name: def.relname().to_string(),
            not_null: false,
            checks: Vec::new(),
        };
        for link in chain.iter().rev() {
            coerce.not_null |= link.not_null;
            for check in &link.checks {
                let condition = self.domain_check(def.base, &check.sql)?;
                coerce.checks.push((check.name.clone(), condition));
            }
        }
        Ok(Arc::new(coerce))
    }

    /// Domain `id`'s [`Coerce`].
    pub(crate) fn domain_coerce_by_id(&mut self, id: u64) -> SqlResult<Arc<Coerce>> {
        let def = self.catalog.domain_by_id(id).cloned().ok_or_else(|| {
            SqlError::new(code::INTERNAL_ERROR, format!("domain {id} does not exist"))
        })?;
        self.domain_coerce(&def)
    }

    /// A CHECK condition of a domain over `base` bound over the value (PostgreSQL's errors:
    /// boolean, no subquery or aggregate, no name but VALUE).
    fn domain_check(&mut self, base: DataType, sql: &str) -> SqlResult<Expr> {
        let expr = crate::parse::parse_expr(sql).map_err(SqlError::unplaced)?;
        let row = value_row(base);
        let (bound, ty) = self
            .bind_row_expr(&row, &expr, ("check constraints", "check constraint"))
            .map_err(SqlError::unplaced)?;
        self.expect_bool(ty, "CHECK", ast::Spanned::span(&expr))
            .map_err(SqlError::unplaced)?;
        Ok(bound)
    }

    /// A domain's CHECK as `pg_get_constraintdef` prints it, plain and pretty (None: as
    /// written).
    pub fn deparsed_domain_check(
        &mut self,
        def: &DomainDef,
        check: &CheckDef,
    ) -> Option<(String, String)> {
        let (plain, pretty) = self.deparse_row_expr(&value_row(def.base), &check.sql)?;
        let label = crate::deparse::type_label(def.base);
        let (plain_cast, pretty_cast) = match def.parent {
            Some(_) => (
                Some(format!("({{}})::{label}")),
                Some(format!("{{}}::{label}")),
            ),
            None => (None, None),
        };
        Some((
            upper_value(&plain, plain_cast.as_deref()),
            upper_value(&pretty, pretty_cast.as_deref()),
        ))
    }

    /// A default of a domain over `base`, bound and cast (PostgreSQL's errors for a value the
    /// base type cannot take), as the text a column default keeps.
    fn domain_default(&mut self, base: DataType, (text, _): &Piece) -> SqlResult<String> {
        let expr = crate::parse::parse_expr(text).map_err(SqlError::unplaced)?;
        let bound = self
            .bind_expr(&expr, &Scope::empty(), &mut AggCollector::default())
            .map_err(SqlError::unplaced)?;
        // A literal the base type cannot read is refused now; one too long for its length is
        // refused where the default is used (PostgreSQL's length coercion runs then).
        match self.assign_cast(bound, base, "value", ast::Spanned::span(&expr)) {
            Err(error) if error.code != code::STRING_DATA_RIGHT_TRUNCATION => {
                return Err(error.unplaced())
            }
            _ => {}
        }
        Ok(self.default_text(&expr, base))
    }

    /// A new CHECK of `def` named `name` or as PostgreSQL names it (`<domain>_check`, numbered
    /// past the names taken), bound.
    fn new_domain_check(
        &mut self,
        def: &DomainDef,
        name: Option<String>,
        (sql, _): &Piece,
        not_valid: bool,
    ) -> SqlResult<CheckDef> {
        let bound = self.domain_check(def.base, sql)?;
        let taken = |candidate: &str| def.checks.iter().any(|c| c.name == candidate);
        let name = match name {
            Some(name) if taken(&name) => {
                return Err(SqlError::new(
                    code::DUPLICATE_OBJECT,
                    format!(
                        "constraint \"{name}\" for domain \"{}\" already exists",
                        def.relname()
                    ),
                ))
            }
            Some(name) => name,
            None => {
                let base = format!("{}_check", def.relname());
                (0..)
                    .map(|n| match n {
                        0 => base.clone(),
                        n => format!("{base}{n}"),
                    })
                    .find(|candidate| !taken(candidate))
                    .expect("some name is free")
            }
        };
        Ok(CheckDef {
            name,
            sql: format!("({})", sql.trim()),
            bound: Some(bound),
            view: false,
            not_valid,
        })
    }

    /// Binds CREATE, ALTER or DROP DOMAIN.
    pub fn bind_domain(&mut self, statement: &DomainStatement) -> SqlResult<Plan> {
        Ok(Plan::Domain(match statement {
            DomainStatement::Create {
                name,
                base,
                collation,
                default,
                constraints,
            } => self.create_domain(name, base, collation.as_deref(), default, constraints)?,
            DomainStatement::Drop {
                names,
                if_exists,
                cascade,
            } => {
                let (mut keys, mut missing_names) = (Vec::new(), Vec::new());
                for piece in names {
                    let name = self.piece_name(piece)?;
                    match self.domain_named(&name)? {
                        Some(def) => keys.push(def.name.clone()),
                        None if *if_exists => missing_names.push(piece.0.clone()),
                        None => return Err(missing(&piece.0)),
                    }
                }
                DomainCommand::Drop {
                    keys,
                    missing: missing_names,
                    cascade: *cascade,
                }
            }
            DomainStatement::Alter { name, action } => {
                let def = self.owned_domain(name)?;
                let change = match action {
                    DomainAlteration::Default(None) => DomainChange::Default(None),
                    DomainAlteration::Default(Some(piece)) => {
                        DomainChange::Default(Some(self.domain_default(def.base, piece)?))
                    }
                    DomainAlteration::NotNull(set) => DomainChange::NotNull(*set),
                    DomainAlteration::Add(DomainConstraint::NotNull(_)) => {
                        DomainChange::NotNull(true)
                    }
                    DomainAlteration::Add(DomainConstraint::Null(_)) => {
                        return Err(SqlError::syntax(
                            "NULL is not allowed as a domain constraint to add",
                        ))
                    }
                    DomainAlteration::Add(DomainConstraint::Check {
                        name,
                        condition,
                        not_valid,
                    }) => DomainChange::AddCheck(self.new_domain_check(
                        &def,
                        name.clone(),
                        condition,
                        *not_valid,
                    )?),
                    DomainAlteration::DropConstraint { name, if_exists } => {
                        DomainChange::DropConstraint {
                            name: name.clone(),
                            if_exists: *if_exists,
                        }
                    }
                    DomainAlteration::RenameConstraint { from, to } => {
                        DomainChange::RenameConstraint {
                            from: from.clone(),
                            to: to.clone(),
                        }
                    }
                    DomainAlteration::Validate(constraint) => {
                        let Some(check) = def.checks.iter().find(|c| &c.name == constraint) else {
                            return Err(SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!(
                                    "constraint \"{constraint}\" of domain \"{}\" does not exist",
                                    def.relname()
                                ),
                            ));
                        };
                        let mut check = check.clone();
                        check.bound = Some(self.domain_check(def.base, &check.sql)?);
                        DomainChange::Validate(check)
                    }
                    DomainAlteration::Rename(to) => {
                        let schema = crate::catalog::split_name(&def.name).0;
                        DomainChange::Rename(crate::catalog::qualify(schema, to))
                    }
                    DomainAlteration::SetSchema(schema) => {
                        self.check_schema(schema, None)?;
                        self.require_create(schema, None)?;
                        DomainChange::Rename(crate::catalog::qualify(schema, def.relname()))
                    }
                    DomainAlteration::Owner(role) => DomainChange::Owner(self.written_owner(role)),
                };
                DomainCommand::Alter {
                    key: def.name.clone(),
                    change,
                }
            }
        }))
    }

    /// `CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT expr] [constraint ...]`.
    fn create_domain(
        &mut self,
        name: &Piece,
        base: &Piece,
        collation: Option<&str>,
        default: &Option<Piece>,
        constraints: &[DomainConstraint],
    ) -> SqlResult<DomainCommand> {
        let object = self.piece_name(name)?;
        let (key, _) = self.create_name(&object)?;
        let written = crate::parse::parse_data_type(&base.0)?;
        let parent = self.domain_of(&written);
        let base_type = self.data_type(&written).map_err(SqlError::unplaced)?;
        self.check_collation(base_type, collation)?;
        let mut def = DomainDef {
            id: 0,
            name: key,
            base: base_type,
            parent: parent.as_ref().map(|p| p.id),
            not_null: false,
            // A domain over a domain starts with its parent's default.
            default: parent.as_ref().and_then(|p| p.default.clone()),
            checks: Vec::new(),
            owner: Some(self.session.user.clone()),
        };
        if let Some(piece) = default {
            def.default = Some(self.domain_default(base_type, piece)?);
        }
        let mut nullable = None;
        for constraint in constraints {
            match constraint {
                DomainConstraint::NotNull(_) | DomainConstraint::Null(_) => {
                    let not_null = matches!(constraint, DomainConstraint::NotNull(_));
                    if nullable.is_some_and(|was| was != not_null) {
                        return Err(SqlError::syntax("conflicting NULL/NOT NULL constraints"));
                    }
                    nullable = Some(not_null);
                    def.not_null = not_null;
                }
                DomainConstraint::Check {
                    name,
                    condition,
                    not_valid,
                } => {
                    if *not_valid {
                        return Err(SqlError::syntax(
                            "check constraints for domains cannot be marked NOT VALID",
                        ));
                    }
                    let mut check = self.new_domain_check(&def, name.clone(), condition, false)?;
                    check.bound = None;
                    def.checks.push(check);
                }
            }
        }
        Ok(DomainCommand::Create(def))
    }
}
