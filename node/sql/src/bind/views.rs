//! Automatically updatable views, as PostgreSQL's rewriter makes them (rewriteTargetView):
//! INSERT, UPDATE and DELETE on a view whose query reads one table or view, without DISTINCT,
//! GROUP BY, HAVING, UNION/INTERSECT/EXCEPT, WITH, LIMIT/OFFSET, and with no aggregate, window
//! or set-returning function in its select list, are rewritten into the same statement on that
//! relation before they are bound (any other view: PostgreSQL's 55000 with its reason):
//!
//! - each reference to a view column becomes the view's expression for it over the relation's
//!   row: qualified by the name the statement gives the view, or unqualified where no FROM item
//!   nearer to it (a subquery's) has a column of that name; naming a column of the relation
//!   that the view does not show is 42703, as it is in PostgreSQL;
//! - the view's WHERE is ANDed to the statement's, so UPDATE and DELETE touch only rows the view
//!   shows; INSERT adds what it is given;
//! - WITH CHECK OPTION: the WHERE of a view with the option (LOCAL), or of it and every view
//!   under it (CASCADED, also when an outer view's option is CASCADED), is carried down with
//!   the rewritten INSERT or UPDATE ([`ViewCheck`], rewritten through each view below like the
//!   statement), and on the table it ends on becomes a check on the plan's copy of the table
//!   (`CheckDef::view`): every new row, inserted, updated or ON CONFLICT-updated, must make it
//!   true, innermost view first, else PostgreSQL's 44000 naming the view;
//! - a column written (INSERT's list, SET, ON CONFLICT's target and DO UPDATE) must be a view
//!   column that is a plain column of the relation (else 0A000), and becomes that column;
//! - RETURNING gives the view's columns under the view's names (`*` is the view's columns).
//!
//! The relation takes the name the statement gave the view, and the view's own expressions are
//! requalified to it, so FROM / USING items (the view's own base table among them) never clash
//! with it. A view over a view is rewritten again when the rewritten statement is bound.
//! Privileges are PostgreSQL's: the session's role needs the statement's privilege on the view
//! (and SELECT when it reads view columns); the view's owner needs them on the relation, which
//! the binder checks for the statement's target only (`Binder::view_role`), never for what
//! FROM, USING or a subquery reads.

use std::ops::ControlFlow;

use sqlparser::ast::{
    self, Expr as AstExpr, Ident, ObjectName, ObjectNamePart, SelectItem, SetExpr, TableFactor,
    Visit, VisitMut, Visitor, VisitorMut,
};

use std::sync::Arc;

use super::{ident_name, output_name, Binder};
use crate::catalog::{TableDef, ViewDef, PRIV_DELETE, PRIV_INSERT, PRIV_SELECT, PRIV_UPDATE};
use crate::error::{code, SqlError, SqlResult};
use crate::plan::Plan;

/// The write a view is the target of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ViewWrite {
    Insert,
    Update,
    Delete,
}

impl ViewWrite {
    /// As PostgreSQL's messages say it: "cannot {verb} view", "To enable {gerund} the view".
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ViewWrite::Insert => ("insert into", "inserting into", "INSERT"),
            ViewWrite::Update => ("update", "updating", "UPDATE"),
            ViewWrite::Delete => ("delete from", "deleting from", "DELETE"),
        }
    }

    fn privilege(self) -> u8 {
        match self {
            ViewWrite::Insert => PRIV_INSERT,
            ViewWrite::Update => PRIV_UPDATE,
            ViewWrite::Delete => PRIV_DELETE,
        }
    }
}

/// A view's condition that rows written through it must meet (its CHECK OPTION), over the
/// relation the rewritten statement writes, which is `relation` (a catalog key): a view there
/// takes it over and rewrites it through itself, a table gets it as a check.
#[derive(Debug, Clone)]
pub(crate) struct ViewCheck {
    view: String,
    condition: AstExpr,
}

/// The checks a rewritten statement carries to the relation it writes (see
/// [`Binder::bind_with_checks`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct PendingChecks {
    relation: String,
    checks: Vec<ViewCheck>,
    /// An outer view's option is CASCADED: every view below is checked too.
    cascade: bool,
}

/// An updatable view, read from its query: what a write through it becomes.
pub(super) struct ViewTarget {
    /// The view's relation name (for messages) and schema.
    view: String,
    schema: String,
    /// The view's owner: the role the relation's privileges are checked for.
    owner: String,
    /// The FROM item of the view's query (schema-qualified), which the statement is rewritten
    /// to write.
    relation: TableFactor,
    /// The view's columns in order, each as an expression over the relation's row, qualified
    /// by [`ViewTarget::alias`].
    columns: Vec<ViewColumn>,
    /// The view's WHERE, qualified the same way.
    filter: Option<AstExpr>,
}

struct ViewColumn {
    name: String,
    expr: AstExpr,
    /// The relation's column it is, when it is a plain one (an updatable column).
    base: Option<Ident>,
}

/// The detail of PostgreSQL's "not automatically updatable" error for a view's query, if any.
fn not_updatable_reason(query: &ast::Query) -> Option<&'static str> {
    let select = match query.body.as_ref() {
        SetExpr::Select(select) => Some(select),
        _ => None,
    };
    if let Some(select) = select {
        if select.distinct.is_some() {
            return Some("Views containing DISTINCT are not automatically updatable.");
        }
        let grouped = match &select.group_by {
            ast::GroupByExpr::All(_) => true,
            ast::GroupByExpr::Expressions(exprs, modifiers) => {
                !exprs.is_empty() || !modifiers.is_empty()
            }
        };
        if grouped {
            return Some("Views containing GROUP BY are not automatically updatable.");
        }
        if select.having.is_some() {
            return Some("Views containing HAVING are not automatically updatable.");
        }
    }
    if matches!(query.body.as_ref(), SetExpr::SetOperation { .. }) {
        return Some(
            "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.",
        );
    }
    if query.with.is_some() {
        return Some("Views containing WITH are not automatically updatable.");
    }
    if query.limit_clause.is_some() || query.fetch.is_some() {
        return Some("Views containing LIMIT or OFFSET are not automatically updatable.");
    }
    let single =
        "Views that do not select from a single table or view are not automatically updatable.";
    let Some(select) = select else {
        return Some(single);
    };
    // What the select list calls, outside its subqueries.
    let mut calls = Calls::default();
    for item in &select.projection {
        let _ = Visit::visit(item, &mut calls);
    }
    if calls.aggregate {
        return Some("Views that return aggregate functions are not automatically updatable.");
    }
    if calls.window {
        return Some("Views that return window functions are not automatically updatable.");
    }
    if calls.set_returning {
        return Some("Views that return set-returning functions are not automatically updatable.");
    }
    let one_relation = select.from.len() == 1
        && select.from[0].joins.is_empty()
        && matches!(
            select.from[0].relation,
            TableFactor::Table { args: None, .. }
        );
    (!one_relation).then_some(single)
}

/// Finds aggregate, window and set-returning calls in a select list (not in its subqueries).
#[derive(Default)]
struct Calls {
    depth: usize,
    aggregate: bool,
    window: bool,
    set_returning: bool,
}

impl Visitor for Calls {
    type Break = ();

    fn pre_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &ast::Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &AstExpr) -> ControlFlow<()> {
        let AstExpr::Function(function) = expr else {
            return ControlFlow::Continue(());
        };
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        if function.over.is_some() {
            self.window = true;
            return ControlFlow::Continue(());
        }
        let Some(ObjectNamePart::Identifier(name)) = function.name.0.last() else {
            return ControlFlow::Continue(());
        };
        let name = ident_name(name);
        for proc in crate::procs::BUILTIN_PROCS
            .iter()
            .filter(|p| p.name == name)
        {
            match proc.kind {
                'a' => self.aggregate = true,
                'w' => self.window = true,
                _ if proc.retset => self.set_returning = true,
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }
}

/// Whether `expr` names the column `column` of the relation called `alias` (plain, qualified
/// by the alias, or by the relation's schema-qualified name), through parentheses: the
/// column's identifier as written.
fn plain_column(expr: &AstExpr, alias: &str, columns: &[String]) -> Option<Ident> {
    let ident = match expr {
        AstExpr::Nested(inner) => return plain_column(inner, alias, columns),
        AstExpr::Identifier(ident) => ident,
        AstExpr::CompoundIdentifier(parts) if parts.len() >= 2 => {
            if ident_name(&parts[parts.len() - 2]) != alias {
                return None;
            }
            parts.last().expect("two parts at least")
        }
        _ => return None,
    };
    columns.contains(&ident_name(ident)).then(|| ident.clone())
}

/// Requalifies a view's expression to the name the rewritten statement gives its relation:
/// unqualified references to the relation's columns (outside subqueries) and references
/// qualified by the view's name for it.
struct Requalify<'a> {
    from: &'a str,
    to: &'a Ident,
    columns: &'a [String],
    depth: usize,
}

impl VisitorMut for Requalify<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, _: &mut ast::Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &mut ast::Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut AstExpr) -> ControlFlow<()> {
        match expr {
            AstExpr::Identifier(ident)
                if self.depth == 0 && self.columns.contains(&ident_name(ident)) =>
            {
                *expr = AstExpr::CompoundIdentifier(vec![self.to.clone(), ident.clone()]);
            }
            AstExpr::CompoundIdentifier(parts)
                if parts.len() >= 2 && ident_name(&parts[parts.len() - 2]) == self.from =>
            {
                let column = parts.last().expect("two parts at least").clone();
                *expr = AstExpr::CompoundIdentifier(vec![self.to.clone(), column]);
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// Replaces references to a view's columns in a statement's own expressions (see the module
/// documentation): `names` are the names the view's row goes by (the statement's name for the
/// view; `excluded` in ON CONFLICT DO UPDATE), each with its columns' replacements.
struct Substitute<'a, 'b> {
    binder: &'a Binder<'b>,
    /// The view's schema, when the statement calls it by its own name (which a column may
    /// then be qualified with as well).
    schema: Option<String>,
    names: Vec<(String, Vec<(String, AstExpr)>)>,
    /// The relation's columns the view does not show (naming one unqualified is 42703 unless
    /// a FROM / USING item has it).
    hidden: Vec<String>,
    /// The columns of the statement's FROM / USING items (None: not all known).
    from: Option<Vec<String>>,
    /// For each subquery around the expression visited: its FROM items' columns (None: not
    /// all known).
    scopes: Vec<Option<Vec<String>>>,
    /// A view column was read.
    read: bool,
    error: Option<SqlError>,
}

impl Substitute<'_, '_> {
    fn replacement(&self, name: &str, column: &str) -> Option<AstExpr> {
        let (_, columns) = self.names.iter().find(|(n, _)| n == name)?;
        let (_, expr) = columns.iter().find(|(c, _)| c == column)?;
        Some(AstExpr::Nested(Box::new(expr.clone())))
    }

    /// `expr` with the view's columns replaced.
    fn expr(&mut self, mut expr: AstExpr) -> SqlResult<AstExpr> {
        let _ = VisitMut::visit(&mut expr, self);
        match self.error.take() {
            Some(error) => Err(error),
            None => Ok(expr),
        }
    }

    /// A RETURNING list over the view: `*` (or `view.*`) is the view's columns, and each item
    /// keeps the name it has over the view.
    fn returning(&mut self, items: &[SelectItem]) -> SqlResult<Vec<SelectItem>> {
        let mut out = Vec::new();
        for item in items {
            match item {
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    self.read = true;
                    let columns = self.names[0].1.clone();
                    for (name, expr) in columns {
                        out.push(SelectItem::ExprWithAlias {
                            expr: AstExpr::Nested(Box::new(expr)),
                            alias: Ident::with_quote('"', name),
                        });
                    }
                }
                SelectItem::UnnamedExpr(expr) => out.push(SelectItem::ExprWithAlias {
                    alias: Ident::with_quote('"', output_name(expr)),
                    expr: self.expr(expr.clone())?,
                }),
                SelectItem::ExprWithAlias { expr, alias } => out.push(SelectItem::ExprWithAlias {
                    expr: self.expr(expr.clone())?,
                    alias: alias.clone(),
                }),
            }
        }
        Ok(out)
    }
}

impl VisitorMut for Substitute<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut ast::Query) -> ControlFlow<()> {
        let columns = match (query.body.as_ref(), &query.with) {
            (SetExpr::Select(select), None) => self.binder.columns_of_from(&select.from),
            _ => None,
        };
        self.scopes.push(columns);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &mut ast::Query) -> ControlFlow<()> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut AstExpr) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        match expr {
            AstExpr::Identifier(ident) => {
                let name = ident_name(ident);
                // A nearer FROM item's column (or one that may be) hides the view's.
                let nearer = self
                    .scopes
                    .iter()
                    .any(|scope| scope.as_ref().is_none_or(|c| c.contains(&name)));
                if nearer {
                    return ControlFlow::Continue(());
                }
                let main = self.names[0].0.clone();
                if let Some(replacement) = self.replacement(&main, &name) {
                    self.read = true;
                    *expr = replacement;
                } else if self.hidden.contains(&name)
                    && self.from.as_ref().is_some_and(|from| !from.contains(&name))
                {
                    self.error = Some(
                        SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{name}\" does not exist"),
                        )
                        .at(self.binder.pos(ident.span)),
                    );
                }
            }
            AstExpr::CompoundIdentifier(parts) if matches!(parts.len(), 2 | 3) => {
                // `name.column`, or `schema.view.column` for a view the statement does not
                // rename.
                let at = parts.len() - 2;
                let qualifier = ident_name(&parts[at]);
                if !self.names.iter().any(|(n, _)| *n == qualifier)
                    || (at == 1 && self.schema.as_deref() != Some(&ident_name(&parts[0])))
                {
                    return ControlFlow::Continue(());
                }
                let column = ident_name(&parts[at + 1]);
                match self.replacement(&qualifier, &column) {
                    Some(replacement) => {
                        self.read = true;
                        *expr = replacement;
                    }
                    None => {
                        let written: Vec<String> = parts.iter().map(ident_name).collect();
                        let mut error = SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!("column {} does not exist", written.join(".")),
                        );
                        // PostgreSQL's hint, when the view's names are all the statement has
                        // (no FROM items, not in a subquery).
                        if self.scopes.is_empty() && self.from.as_ref().is_some_and(Vec::is_empty) {
                            let items: Vec<(&str, Vec<&str>)> = (self.names.iter())
                                .map(|(name, columns)| {
                                    (
                                        name.as_str(),
                                        columns.iter().map(|(c, _)| c.as_str()).collect(),
                                    )
                                })
                                .collect();
                            error.hint =
                                super::nearest_column_hint(&items, Some(&qualifier), &column)
                                    .map(Into::into);
                        }
                        self.error = Some(error.at(self.binder.pos(parts[0].span)));
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

impl Binder<'_> {
    /// The columns the FROM items `from` give a query, by name (None when one of them is not a
    /// table or view found by its name: a subquery, a function, a WITH query's name).
    fn columns_of_from(&self, from: &[ast::TableWithJoins]) -> Option<Vec<String>> {
        let mut columns = Vec::new();
        let factors = from.iter().flat_map(|item| {
            std::iter::once(&item.relation).chain(item.joins.iter().map(|j| &j.relation))
        });
        for factor in factors {
            let TableFactor::Table {
                name, args: None, ..
            } = factor
            else {
                return None;
            };
            if name.0.len() == 1 && self.ctes.iter().any(|cte| {
                matches!(name.0.first(), Some(ObjectNamePart::Identifier(i)) if ident_name(i) == cte.name)
            }) {
                return None;
            }
            let (key, _) = self.table_name(name).ok()?;
            if let Some(table) = self.catalog.tables.get(&key) {
                columns.extend(table.columns.iter().map(|c| c.name.clone()));
            } else if let Some(view) = self.catalog.views.get(&key) {
                columns.extend(view.columns.iter().cloned());
            } else {
                return None;
            }
        }
        Some(columns)
    }

    /// The columns of the relation a view's query reads (None: not a table or view).
    fn relation_columns(&self, name: &ObjectName) -> Option<Vec<String>> {
        let (key, _) = self.table_name(name).ok()?;
        if let Some(table) = self.catalog.tables.get(&key) {
            return Some(table.columns.iter().map(|c| c.name.clone()).collect());
        }
        let view = self.catalog.views.get(&key)?;
        Some(view.columns.clone())
    }

    /// View `view` as the target of `write`, its expressions qualified by `alias` (the name the
    /// statement gives the view): PostgreSQL's 55000 when it is not automatically updatable.
    /// The session's role (or, for a view under another view, the outer view's owner) must
    /// then hold the write's privilege on it.
    fn view_target(&self, view: &ViewDef, write: ViewWrite, alias: &str) -> SqlResult<ViewTarget> {
        let target = self.view_shape(view, write, alias)?;
        let role = self.target_role();
        if self
            .catalog
            .relation_privileges(Some(&target.owner), view.acl.as_deref(), role)
            & write.privilege()
            == 0
        {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!("permission denied for view {}", target.view),
            ));
        }
        Ok(target)
    }

    /// Whether `view` takes INSERT, and UPDATE and DELETE, and which of its columns can be
    /// written, as `pg_relation_is_updatable` and `pg_column_is_updatable` say (through the
    /// views it is over): what information_schema shows.
    pub(crate) fn view_updatability(&self, view: &ViewDef) -> (bool, bool, Vec<bool>) {
        let name = crate::catalog::relname(&view.name);
        let Ok(shape) = self.view_shape(view, ViewWrite::Delete, name) else {
            return (false, false, vec![false; view.columns.len()]);
        };
        let TableFactor::Table { name, .. } = &shape.relation else {
            unreachable!("a view target's relation is a table or view");
        };
        let (mut insertable, mut updatable) = (true, true);
        let mut columns: Vec<bool> = shape.columns.iter().map(|c| c.base.is_some()).collect();
        let inner = (self.table_name(name).ok()).and_then(|(key, _)| self.catalog.views.get(&key));
        if let Some(inner) = inner {
            let (inner_insert, inner_update, inner_columns) = self.view_updatability(inner);
            insertable = inner_insert;
            updatable = inner_update;
            for (column, writable) in shape.columns.iter().zip(&mut columns) {
                let at = column.base.as_ref().and_then(|base| {
                    let base = ident_name(base);
                    inner.columns.iter().position(|c| *c == base)
                });
                *writable = at.is_some_and(|at| inner_columns[at]);
            }
        }
        let any = columns.iter().any(|c| *c);
        (insertable && any, updatable && any, columns)
    }

    /// [`Binder::view_target`] without the privilege check.
    fn view_shape(&self, view: &ViewDef, write: ViewWrite, alias: &str) -> SqlResult<ViewTarget> {
        let relname = crate::catalog::relname(&view.name);
        let (verb, gerund, keyword) = write.words();
        let not_updatable = |reason: &str| {
            SqlError::new(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!("cannot {verb} view \"{relname}\""),
            )
            .with_detail(reason)
            .with_hint(format!(
                "To enable {gerund} the view, provide an INSTEAD OF {keyword} trigger or an \
                 unconditional ON {keyword} DO INSTEAD rule."
            ))
        };
        let owner = view
            .owner
            .clone()
            .unwrap_or_else(|| crate::catalog::BOOTSTRAP_ROLE.into());
        let ast::Statement::Query(query) = crate::parse::parse_sql(&view.bound_query())? else {
            return Err(SqlError::new(
                code::INTERNAL_ERROR,
                "a view that is not a query",
            ));
        };
        if let Some(reason) = not_updatable_reason(&query) {
            return Err(not_updatable(reason));
        }
        let SetExpr::Select(select) = *query.body else {
            unreachable!("checked by not_updatable_reason");
        };
        let mut relation = select.from[0].relation.clone();
        let TableFactor::Table {
            name,
            alias: view_alias,
            ..
        } = &mut relation
        else {
            unreachable!("checked by not_updatable_reason");
        };
        let Some(base_columns) = self.relation_columns(name) else {
            return Err(not_updatable(
                "Views that do not select from a single table or view are not automatically updatable.",
            ));
        };
        let from = match view_alias {
            Some(a) => ident_name(&a.name),
            None => match name.0.last() {
                Some(ObjectNamePart::Identifier(i)) => ident_name(i),
                _ => String::new(),
            },
        };
        let to = Ident::with_quote('"', alias);
        *view_alias = Some(ast::TableAlias {
            name: to.clone(),
            columns: Vec::new(),
        });
        let mut requalify = Requalify {
            from: &from,
            to: &to,
            columns: &base_columns,
            depth: 0,
        };
        // The select list, `*` expanded to the relation's columns as when the view was made
        // (columns added to the relation since come after them).
        let mut exprs: Vec<AstExpr> = Vec::new();
        let stars = select
            .projection
            .iter()
            .filter(|i| {
                matches!(
                    i,
                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                )
            })
            .count();
        let expanded = (view.columns.len() + stars).saturating_sub(select.projection.len());
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                    exprs.push(expr.clone())
                }
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    for column in base_columns.iter().take(expanded / stars.max(1)) {
                        exprs.push(AstExpr::CompoundIdentifier(vec![
                            Ident::with_quote('"', from.clone()),
                            Ident::with_quote('"', column.clone()),
                        ]));
                    }
                }
            }
        }
        let mut columns = Vec::with_capacity(view.columns.len());
        for (name, mut expr) in view.columns.iter().zip(exprs) {
            let base = plain_column(&expr, &from, &base_columns);
            let _ = VisitMut::visit(&mut expr, &mut requalify);
            columns.push(ViewColumn {
                name: name.clone(),
                expr,
                base,
            });
        }
        if write != ViewWrite::Delete && columns.iter().all(|c| c.base.is_none()) {
            return Err(not_updatable(
                "Views that have no updatable columns are not automatically updatable.",
            ));
        }
        let mut filter = select.selection.clone();
        if let Some(filter) = &mut filter {
            let _ = VisitMut::visit(filter, &mut requalify);
        }
        Ok(ViewTarget {
            view: relname.to_string(),
            schema: crate::catalog::split_name(&view.name).0.to_string(),
            owner,
            relation,
            columns,
            filter,
        })
    }

    /// The substitution of `target`'s columns in a statement that names the view `alias` and
    /// reads the FROM / USING items `from`.
    fn substitute<'s>(
        &'s self,
        target: &ViewTarget,
        alias: &str,
        from: &[ast::TableWithJoins],
    ) -> Substitute<'s, 's> {
        let columns: Vec<(String, AstExpr)> = (target.columns.iter())
            .map(|c| (c.name.clone(), c.expr.clone()))
            .collect();
        let TableFactor::Table { name, .. } = &target.relation else {
            unreachable!("a view target's relation is a table or view");
        };
        let shown: Vec<String> = (target.columns.iter())
            .filter_map(|c| c.base.as_ref().map(ident_name))
            .collect();
        let hidden = (self.relation_columns(name).unwrap_or_default().into_iter())
            .filter(|c| !shown.contains(c) && !columns.iter().any(|(n, _)| n == c))
            .collect();
        Substitute {
            binder: self,
            schema: (alias == target.view).then(|| target.schema.clone()),
            names: vec![(alias.to_string(), columns)],
            hidden,
            from: self.columns_of_from(from),
            scopes: Vec::new(),
            read: false,
            error: None,
        }
    }

    /// The relation column a written view column is, with its span (`action`: "insert into" /
    /// "update" for the messages): 42703 for no such view column, 0A000 for one that is not a plain
    /// column of the relation.
    fn written_column(&self, target: &ViewTarget, ident: &Ident, action: &str) -> SqlResult<Ident> {
        let name = ident_name(ident);
        let position = self.pos(ident.span);
        let Some(column) = target.columns.iter().find(|c| c.name == name) else {
            return Err(SqlError::new(
                code::UNDEFINED_COLUMN,
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    target.view
                ),
            )
            .at(position));
        };
        // At the view column's place in the statement (where subscripts written after it are
        // found: see `Binder::target_subscripts`).
        let base = column.base.clone().map(|base| Ident {
            span: ident.span,
            ..base
        });
        base.ok_or_else(|| {
            SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!(
                    "cannot {action} column \"{name}\" of view \"{}\"",
                    target.view
                ),
            )
            .with_detail(
                "View columns that are not columns of their base relation are not updatable.",
            )
        })
    }

    /// SET targets over the view as the relation's columns, their values substituted.
    fn view_assignments(
        &self,
        target: &ViewTarget,
        assignments: &[ast::Assignment],
        substitute: &mut Substitute<'_, '_>,
    ) -> SqlResult<Vec<ast::Assignment>> {
        let column = |name: &ObjectName| -> SqlResult<ObjectName> {
            let Some(ObjectNamePart::Identifier(ident)) = name.0.last() else {
                return Err(super::unsupported("this SET target"));
            };
            let base = self.written_column(target, ident, "update")?;
            Ok(ObjectName(vec![ObjectNamePart::Identifier(base)]))
        };
        let mut out = Vec::with_capacity(assignments.len());
        for assignment in assignments {
            let target = match &assignment.target {
                ast::AssignmentTarget::ColumnName(name) => {
                    ast::AssignmentTarget::ColumnName(column(name)?)
                }
                ast::AssignmentTarget::Tuple(names) => ast::AssignmentTarget::Tuple(
                    names.iter().map(column).collect::<SqlResult<_>>()?,
                ),
            };
            out.push(ast::Assignment {
                target,
                value: substitute.expr(assignment.value.clone())?,
            });
        }
        Ok(out)
    }

    /// 42501 unless the session's role (or the outer view's owner) may SELECT from the view,
    /// when the statement reads its columns.
    pub(super) fn require_view_select(&self, view: &ViewDef, read: bool) -> SqlResult<()> {
        if !read {
            return Ok(());
        }
        let owner = view
            .owner
            .as_deref()
            .unwrap_or(crate::catalog::BOOTSTRAP_ROLE);
        let role = self.target_role();
        if self
            .catalog
            .relation_privileges(Some(owner), view.acl.as_deref(), role)
            & PRIV_SELECT
            == 0
        {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!(
                    "permission denied for view {}",
                    crate::catalog::relname(&view.name)
                ),
            ));
        }
        Ok(())
    }

    /// An UPDATE's or DELETE's WHERE over the view, substituted and ANDed with the view's own,
    /// and its RETURNING over the view; SELECT on the view is checked when the statement reads
    /// view columns (here or in SET, substituted before).
    fn view_clauses(
        &self,
        view: &ViewDef,
        target: &ViewTarget,
        mut substitute: Substitute<'_, '_>,
        selection: Option<&AstExpr>,
        returning: Option<&Vec<SelectItem>>,
    ) -> SqlResult<(Option<AstExpr>, Option<Vec<SelectItem>>)> {
        let selection = selection.map(|e| substitute.expr(e.clone())).transpose()?;
        let returning = returning
            .map(|items| substitute.returning(items))
            .transpose()?;
        self.require_view_select(view, substitute.read)?;
        Ok((and(target.filter.clone(), selection), returning))
    }

    /// Binds `bind` (the rewritten statement) with the view's owner as the role its target's
    /// privileges are checked for.
    fn as_view_owner(
        &mut self,
        owner: String,
        bind: impl FnOnce(&mut Self) -> SqlResult<Plan>,
    ) -> SqlResult<Plan> {
        let outer = self.view_role.replace(owner);
        let plan = bind(self);
        self.view_role = outer;
        plan
    }

    /// Runs `bind` with a missing column's hints naming the columns of `target`'s view under
    /// `alias` (see `Binder::view_names`), unless a view around it already named its own.
    fn with_view_names(
        &mut self,
        alias: &str,
        target: &ViewTarget,
        bind: impl FnOnce(&mut Self) -> SqlResult<Plan>,
    ) -> SqlResult<Plan> {
        let outer = self.view_names.clone();
        if outer.is_none() {
            let columns = target.columns.iter().map(|c| c.name.clone()).collect();
            self.view_names = Some((alias.to_string(), columns));
        }
        let plan = bind(self);
        self.view_names = outer;
        plan
    }

    /// DELETE FROM a view (named `alias` in the statement).
    pub(super) fn delete_from_view(
        &mut self,
        view: &ViewDef,
        alias: &str,
        using: &[ast::TableWithJoins],
        selection: Option<&AstExpr>,
        returning: Option<&Vec<SelectItem>>,
    ) -> SqlResult<Plan> {
        let target = self.view_target(view, ViewWrite::Delete, alias)?;
        let substitute = self.substitute(&target, alias, using);
        let (selection, returning) =
            self.view_clauses(view, &target, substitute, selection, returning)?;
        self.with_view_names(alias, &target, |this| {
            this.as_view_owner(target.owner.clone(), |this| {
                this.bind_delete(
                    &target.relation,
                    using,
                    selection.as_ref(),
                    returning.as_ref(),
                )
            })
        })
    }

    /// UPDATE a view (named `alias` in the statement).
    pub(super) fn update_view(
        &mut self,
        view: &ViewDef,
        alias: &str,
        assignments: &[ast::Assignment],
        from: &[ast::TableWithJoins],
        selection: Option<&AstExpr>,
        returning: Option<&Vec<SelectItem>>,
    ) -> SqlResult<Plan> {
        let target = self.view_target(view, ViewWrite::Update, alias)?;
        let handed = self.handed_checks(view);
        let mut substitute = self.substitute(&target, alias, from);
        let assignments = self.view_assignments(&target, assignments, &mut substitute)?;
        let checks = self.checks_below(view, &target, handed, &mut substitute)?;
        let (selection, returning) =
            self.view_clauses(view, &target, substitute, selection, returning)?;
        let owner = target.owner.clone();
        self.with_view_names(alias, &target, |this| {
            this.bind_with_checks(checks, alias, |this| {
                this.as_view_owner(owner, |this| {
                    this.bind_update(
                        &target.relation,
                        &assignments,
                        from,
                        selection.as_ref(),
                        returning.as_ref(),
                    )
                })
            })
        })
    }

    /// The checks a write through `view` carries on to its relation: those an outer view
    /// handed to this one, rewritten through it, after this view's own WHERE when it has CHECK
    /// OPTION or an outer view's is CASCADED (innermost first, the order PostgreSQL tests
    /// them in). Rewriting them reads no view column for privileges' sake.
    fn checks_below(
        &self,
        view: &ViewDef,
        target: &ViewTarget,
        handed: PendingChecks,
        substitute: &mut Substitute<'_, '_>,
    ) -> SqlResult<PendingChecks> {
        let mut checks = Vec::new();
        if view.check_option().is_some() || handed.cascade {
            if let Some(filter) = &target.filter {
                checks.push(ViewCheck {
                    view: target.view.clone(),
                    condition: filter.clone(),
                });
            }
        }
        let read = substitute.read;
        for check in handed.checks {
            checks.push(ViewCheck {
                view: check.view,
                condition: substitute.expr(check.condition)?,
            });
        }
        substitute.read = read;
        let TableFactor::Table { name, .. } = &target.relation else {
            unreachable!("a view target's relation is a table or view");
        };
        let (relation, _) = self.table_name(name)?;
        Ok(PendingChecks {
            relation,
            checks,
            cascade: handed.cascade || view.check_option() == Some("cascaded"),
        })
    }

    /// The checks an outer level addressed to `view` (a write in a WITH query to another
    /// relation leaves them for the statement they belong to).
    fn handed_checks(&mut self, view: &ViewDef) -> PendingChecks {
        match &self.view_checks {
            Some(pending) if pending.relation == view.name => self.view_checks.take(),
            _ => None,
        }
        .unwrap_or_default()
    }

    /// Binds the rewritten statement (`bind`) with `pending` addressed to its relation: a view
    /// there takes them over; when they come back untaken the relation is a table, and they
    /// become checks on the plan's copy of it (the relation is named `alias` there).
    fn bind_with_checks(
        &mut self,
        pending: PendingChecks,
        alias: &str,
        bind: impl FnOnce(&mut Self) -> SqlResult<Plan>,
    ) -> SqlResult<Plan> {
        let relation = pending.relation.clone();
        let outer = self.view_checks.replace(pending);
        let plan = bind(self);
        let left = match std::mem::replace(&mut self.view_checks, outer) {
            Some(pending) if pending.relation == relation => pending.checks,
            _ => Vec::new(),
        };
        let plan = plan?;
        if left.is_empty() {
            return Ok(plan);
        }
        self.add_view_checks(plan, &left, alias)
    }

    /// `plan` (an INSERT's or UPDATE's) writing a copy of its table that carries `checks`
    /// (see [`crate::catalog::CheckDef::view`]).
    fn add_view_checks(
        &mut self,
        plan: Plan,
        checks: &[ViewCheck],
        alias: &str,
    ) -> SqlResult<Plan> {
        let table_with = |this: &mut Self, table: &Arc<TableDef>| -> SqlResult<Arc<TableDef>> {
            let scope = super::Scope::table(table, alias.to_string());
            let mut copy = (**table).clone();
            for check in checks {
                let bound = this.bind_predicate(&check.condition, &scope, "CHECK OPTION")?;
                if !bound.is_local() {
                    return Err(super::unsupported(format!(
                        "WITH CHECK OPTION on view \"{}\", whose condition holds a subquery",
                        check.view
                    )));
                }
                copy.checks.push(crate::catalog::CheckDef {
                    name: check.view.clone(),
                    sql: check.condition.to_string(),
                    bound: Some(bound),
                    view: true,
                    not_valid: false,
                });
            }
            Ok(Arc::new(copy))
        };
        Ok(match plan {
            Plan::Insert(insert) => {
                let mut insert = (*insert).clone();
                insert.table = table_with(self, &insert.table)?;
                Plan::Insert(Arc::new(insert))
            }
            Plan::Update(update) => {
                let mut update = (*update).clone();
                update.table = table_with(self, &update.table)?;
                Plan::Update(Arc::new(update))
            }
            Plan::WriteFromQuery(write) => {
                let mut write = (*write).clone();
                write.table = table_with(self, &write.table)?;
                Plan::WriteFromQuery(Arc::new(write))
            }
            Plan::With { writes, main } => Plan::With {
                writes,
                main: Box::new(self.add_view_checks(*main, checks, alias)?),
            },
            _ => return Err(super::unsupported("WITH CHECK OPTION on this statement")),
        })
    }

    /// INSERT INTO a view.
    pub(super) fn insert_into_view(
        &mut self,
        insert: &ast::Insert,
        view: &ViewDef,
    ) -> SqlResult<Plan> {
        let alias = insert.table_alias.as_ref().map_or_else(
            || crate::catalog::relname(&view.name).to_string(),
            ident_name,
        );
        let target = self.view_target(view, ViewWrite::Insert, &alias)?;
        let mut insert = insert.clone();
        // No column list: the view's columns, as many as the rows give values for.
        if insert.columns.is_empty() {
            if let Some(source) = insert.source.clone() {
                let given = match source.body.as_ref() {
                    SetExpr::Values(values) => values.rows.first().map(Vec::len),
                    SetExpr::Select(select)
                        if !select.projection.iter().any(|i| {
                            matches!(
                                i,
                                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                            )
                        }) =>
                    {
                        Some(select.projection.len())
                    }
                    _ => None,
                };
                // Otherwise (`*`, a set operation, a parenthesized query) the query's own
                // columns, as binding it finds them.
                let count = match given {
                    Some(count) => count,
                    None => self.bind_query_rel(&source, None)?.1.len(),
                };
                insert.columns = (target.columns.iter().take(count))
                    .map(|c| Ident::with_quote('"', c.name.clone()))
                    .collect();
            }
        }
        insert.columns = (insert.columns.iter())
            .map(|ident| self.written_column(&target, ident, "insert into"))
            .collect::<SqlResult<_>>()?;
        let TableFactor::Table { name, .. } = &target.relation else {
            unreachable!("a view target's relation is a table or view");
        };
        insert.table = ast::TableObject::TableName(name.clone());
        insert.table_alias = Some(Ident::with_quote('"', alias.clone()));
        let handed = self.handed_checks(view);
        let mut substitute = self.substitute(&target, &alias, &[]);
        if let Some(items) = &insert.returning {
            insert.returning = Some(substitute.returning(items)?);
        }
        if let Some(ast::OnInsert::OnConflict(on_conflict)) = &mut insert.on {
            if let Some(ast::ConflictTarget::Columns(columns)) = &mut on_conflict.conflict_target {
                *columns = (columns.iter())
                    .map(|ident| self.written_column(&target, ident, "insert into"))
                    .collect::<SqlResult<_>>()?;
            }
            if let ast::OnConflictAction::DoUpdate(update) = &mut on_conflict.action {
                // EXCLUDED is the proposed row as the view shows it.
                let excluded = Ident::new("excluded");
                let mut requalify = Requalify {
                    from: &alias,
                    to: &excluded,
                    columns: &[],
                    depth: 0,
                };
                let proposed = (target.columns.iter())
                    .map(|c| {
                        let mut expr = c.expr.clone();
                        let _ = VisitMut::visit(&mut expr, &mut requalify);
                        (c.name.clone(), expr)
                    })
                    .collect();
                substitute.names.push(("excluded".into(), proposed));
                update.assignments =
                    self.view_assignments(&target, &update.assignments, &mut substitute)?;
                if let Some(selection) = update.selection.take() {
                    update.selection = Some(substitute.expr(selection)?);
                }
            }
        }
        let checks = self.checks_below(view, &target, handed, &mut substitute)?;
        let read = substitute.read;
        self.require_view_select(view, read)?;
        let owner = target.owner.clone();
        self.with_view_names(&alias, &target, |this| {
            this.bind_with_checks(checks, &alias, |this| {
                this.as_view_owner(owner, |this| this.bind_insert(&insert))
            })
        })
    }
}

/// `a AND b`, each in parentheses; either may be missing.
fn and(a: Option<AstExpr>, b: Option<AstExpr>) -> Option<AstExpr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(AstExpr::BinaryOp {
            left: Box::new(AstExpr::Nested(Box::new(a))),
            op: ast::BinaryOperator::And,
            right: Box::new(AstExpr::Nested(Box::new(b))),
        }),
        (a, b) => a.or(b),
    }
}
