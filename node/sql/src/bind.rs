//! The binder: sqlparser's AST plus one catalog snapshot in, a typed [`Plan`] out.
//!
//! It resolves tables and columns (unquoted names fold to lower case, as in PostgreSQL), types every
//! expression, inserts the implicit casts PostgreSQL would, infers parameter types from context
//! (`aid = $1` makes `$1` an integer), folds typed literals, finds point lookups on the row key, and
//! rejects what Keel does not do yet with `0A000` naming the feature. Errors carry the position of
//! the offending token in the client's query string.

use std::borrow::Cow;
use std::sync::Arc;

mod arrays;
mod composites;
mod deparse;
mod domains;
mod foreign_keys;
mod matviews;
mod merge;
mod roles;
mod storage_options;
mod table_like;
mod views;

use foreign_keys::ForeignKeyClause;

use sqlparser::ast::{
    self, AlterTableOperation, AssignmentTarget, BinaryOperator, CastKind, CharacterLength,
    ColumnOption, CreateTableOptions, ExactNumberInfo, FromTable, FunctionArg, FunctionArgExpr,
    FunctionArguments, GeneratedAs, GroupByExpr, LimitClause, ObjectName, ObjectNamePart,
    ObjectType, OrderByKind, SelectItem, SequenceOptions, SetExpr, Spanned, SqlOption, Statement,
    TableConstraint, TableFactor, TableObject, TimezoneInfo, UnaryOperator,
};
use sqlparser::tokenizer::Span;

use crate::catalog::{
    Catalog, ColumnDef, IndexDef, SequenceDef, TableDef, PRIV_DELETE, PRIV_INSERT, PRIV_SELECT,
    PRIV_TRUNCATE, PRIV_UPDATE,
};
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{
    Advisory, AdvisoryAction, AggCall, AggFunc, BinOp, BitOp, EvalContext, Expr, FrameBound,
    FrameExclusion, FrameUnits, Func, RangeStep, SeqFunc, SequenceCall, Subquery, SubqueryKind,
    WindowCall, WindowFunc,
};
use crate::parse::offset_of;
use crate::plan::{
    Access, DeletePlan, Grouping, InsertPlan, JoinKind, KeyValues, LockStrength, LockTarget,
    LockWait, OutputColumn, Plan, QueryPlan, Rel, Returning, RowLocking, SelectPlan, SetOpKind,
    SortKey, TableFunc, UpdatePlan, WriteFromQuery,
};
use crate::types::{assignable, assignment_castable, cast, parse_text, DataType, Value};

/// Facts about the session that expressions may read as constants.
#[derive(Debug, Clone, Default)]
pub struct SessionInfo {
    pub database: String,
    pub user: String,
    pub version: String,
    /// The session's settings (name as SHOW labels it, value) when the statement reads them
    /// (`current_setting`, `pg_settings`); empty otherwise.
    pub settings: Vec<(String, String)>,
    /// The session's process id (`pg_backend_pid()`).
    pub pid: i32,
    /// The node's sessions when the statement reads `pg_stat_activity`; empty otherwise.
    pub activity: Vec<crate::system::Activity>,
    /// The node's advisory locks when the statement reads `pg_locks`; empty otherwise.
    pub locks: Vec<crate::locks::Listed>,
    /// Bytes each table's (and hidden index table's) trees take on all workers, by table id,
    /// when the statement calls a size function (`pg_relation_size`...); empty otherwise.
    pub sizes: Vec<(keel_storage::TableId, u64)>,
    /// Each sequence's counter (id, last value, is_called) when the statement reads
    /// `pg_sequences`; empty otherwise.
    pub sequence_states: Vec<(keel_storage::TableId, i64, bool)>,
    /// The session's `search_path` as its entries (`$user` unexpanded, quotes removed).
    pub search_path: Vec<String>,
    /// The role that connected (`session_user`); `user` is the current role, which SET ROLE
    /// changes.
    pub session_user: String,
    /// Table statistics from ANALYZE (`pg_stats`, `pg_class.reltuples`).
    pub statistics: crate::stats::Snapshot,
    /// The session's `TimeZone` setting when it is not UTC (None: UTC, or a zone always at
    /// offset 0). Operations that read it are bound with it (see [`crate::tz::ZoneOp`]).
    pub timezone: Option<String>,
    /// The node's activity counters as of this execution when the statement reads a
    /// `pg_stat_*` view ([`crate::pgstat`]); None otherwise.
    pub activity_stats: Option<std::sync::Arc<crate::pgstat::Snapshot>>,
    /// The session's named prepared statements when the statement reads
    /// `pg_prepared_statements`; empty otherwise.
    pub prepared: Vec<crate::system::PreparedStatement>,
    /// The session's open cursors when the statement reads `pg_cursors`; empty otherwise.
    pub cursors: Vec<crate::system::CursorInfo>,
    /// The node's authentication rules when the statement reads `pg_hba_file_rules`.
    pub hba_rules: Vec<crate::system::HbaRule>,
    /// The node's configuration file's settings when the statement reads `pg_file_settings`.
    pub file_settings: Vec<crate::system::FileSetting>,
}

impl SessionInfo {
    /// The role that connected (`session_user`; the current role until SET ROLE).
    pub fn session_user(&self) -> &str {
        if self.session_user.is_empty() {
            &self.user
        } else {
            &self.session_user
        }
    }

    /// A setting's value, when the statement was handed the settings (`settings`).
    pub fn setting(&self, name: &str) -> Option<&str> {
        (self.settings.iter())
            .find(|(setting, _)| setting.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// A role named in a statement, with `current_user`, `current_role` and `session_user`
    /// (hand-parsed statements read them as plain words) the roles they stand for.
    pub fn role_named(&self, name: &str) -> String {
        match name {
            "current_user" | "current_role" => self.user.clone(),
            "session_user" => self.session_user().to_string(),
            _ => name.to_string(),
        }
    }
}

/// Where aggregates may not be: the AggCollector context of a recursive term's SELECT list.
const RECURSIVE_TERM: &str = "a recursive query's recursive term";

/// "WITH query is not recursive" at the query's name (a SEARCH or CYCLE clause on a query
/// that does not read itself).
fn not_recursive(binder: &Binder<'_>, cte: &ast::Cte) -> SqlError {
    SqlError::new(code::SYNTAX_ERROR, "WITH query is not recursive")
        .at(binder.pos(cte.alias.name.span))
}

/// The name under which a FROM item (a table or a join, not inside a subquery) reads the WITH
/// query `name`.
fn cte_reference(item: &ast::TableWithJoins, name: &str) -> Option<ast::Ident> {
    let of = |factor: &TableFactor| match factor {
        TableFactor::Table {
            name: table, alias, ..
        } => match table.0.as_slice() {
            [ObjectNamePart::Identifier(ident)] if ident_name(ident) == name => {
                Some(alias.as_ref().map_or(ident.clone(), |a| a.name.clone()))
            }
            _ => None,
        },
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => cte_reference(table_with_joins, name),
        _ => None,
    };
    of(&item.relation).or_else(|| item.joins.iter().find_map(|join| of(&join.relation)))
}

/// Of `step` (a recursive term's SELECT, its recursive reference called `reference`): the first
/// column reference, in the order PostgreSQL analyzes a SELECT (join conditions, the SELECT
/// list, WHERE, GROUP BY, HAVING), that is one of `names`, unqualified or qualified by
/// `reference`; with where it is written.
fn first_reference_to(
    step: &ast::Select,
    reference: &str,
    names: &[&String],
) -> Option<(String, sqlparser::tokenizer::Span)> {
    use std::ops::ControlFlow;
    let named = |expr: &ast::Expr| -> ControlFlow<(String, sqlparser::tokenizer::Span)> {
        let found = match expr {
            ast::Expr::Identifier(ident) => Some((ident_name(ident), ident.span)),
            ast::Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [qualifier, column] if ident_name(qualifier) == reference => {
                    Some((ident_name(column), qualifier.span))
                }
                _ => None,
            },
            _ => None,
        };
        match found {
            Some((column, span)) if names.iter().any(|n| **n == column) => {
                ControlFlow::Break((column, span))
            }
            _ => ControlFlow::Continue(()),
        }
    };
    fn first<V: ast::Visit, T>(
        node: &V,
        named: &impl Fn(&ast::Expr) -> ControlFlow<T>,
    ) -> Option<T> {
        match ast::visit_expressions(node, named) {
            ControlFlow::Break(found) => Some(found),
            ControlFlow::Continue(()) => None,
        }
    }
    (step.from.iter().flat_map(|item| &item.joins))
        .find_map(|join| first(&join.join_operator, &named))
        .or_else(|| first(&step.projection, &named))
        .or_else(|| first(&step.selection, &named))
        .or_else(|| first(&step.group_by, &named))
        .or_else(|| first(&step.having, &named))
}

/// The first SELECT of a query body: itself, or a set operation's leftmost branch (in
/// parentheses or not), whose outputs name the body's columns.
fn leftmost_select(body: &SetExpr) -> Option<&ast::Select> {
    match body {
        SetExpr::Select(select) => Some(select),
        SetExpr::SetOperation { left, .. } => leftmost_select(left),
        SetExpr::Query(query) => leftmost_select(&query.body),
        _ => None,
    }
}

/// The SELECT a recursive query's term is: itself, or the one in its parentheses.
fn term_select(term: &SetExpr) -> Option<&ast::Select> {
    match term {
        SetExpr::Select(select) => Some(select),
        SetExpr::Query(query) => match query.body.as_ref() {
            SetExpr::Select(select) => Some(select),
            _ => None,
        },
        _ => None,
    }
}

/// A SELECT Keel writes (SEARCH and CYCLE's rewriting), parsed: its body.
fn template_select(sql: &str) -> SqlResult<SetExpr> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let query = sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(sql)
        .and_then(|mut parser| parser.parse_query())
        .map_err(|error| {
            SqlError::new(
                code::INTERNAL_ERROR,
                format!("{error} in rewritten query {sql}"),
            )
        })?;
    Ok(*query.body)
}

/// Puts `body` in the place of the (one) derived table's query of a [`template_select`].
fn set_derived_body(select: &mut SetExpr, body: SetExpr) {
    if let SetExpr::Select(select) = select {
        if let Some(TableFactor::Derived { subquery, .. }) =
            select.from.first_mut().map(|item| &mut item.relation)
        {
            *subquery.body = body;
        }
    }
}

/// What an EXPLAIN shows, bound: the plan, its columns, and the write of an INSERT, UPDATE,
/// DELETE or MERGE.
type Explained = (
    Rel,
    Vec<OutputColumn>,
    Option<Arc<crate::plan::ExplainWrite>>,
);

/// An ALTER TABLE whose actions [`Binder::bind_alter_table`] does not apply together (a DROP
/// COLUMN, ADD or DROP CONSTRAINT, VALIDATE CONSTRAINT beside other actions, an ADD COLUMN
/// with a REFERENCES, UNIQUE or PRIMARY KEY constraint) as single-action ALTER TABLE
/// statements on `table`, run one after the other in the statement's transaction
/// ([`Plan::AlterTableSteps`]). The actions are ordered as PostgreSQL's passes order them
/// (`AlterTablePass`: drops, then type changes, added columns, CHECKs, column attributes,
/// index constraints, foreign keys and defaults, the rest), keeping the written order within a
/// pass, so `ADD CHECK (c > 0), ADD COLUMN c int` works as there; an added column's UNIQUE,
/// PRIMARY KEY or REFERENCES is an ADD CONSTRAINT of its own in its pass (named as PostgreSQL
/// names both). Neighbouring actions that [`Binder::bind_alter_table`] applies together stay
/// one step. Keel has no tables without columns, so when the drops take every column and
/// columns are added, the last column to drop is renamed out of the way in its place
/// (PostgreSQL's name for a dropped column) and dropped after the rest (the table ends the
/// same). None for actions [`Binder::bind_alter_table`] applies together.
fn alter_table_steps(table: &TableDef, operations: &[AlterTableOperation]) -> Option<Vec<String>> {
    use ast::AlterColumnOperation as Column;
    let alone = |operation: &AlterTableOperation| {
        matches!(
            operation,
            AlterTableOperation::AddConstraint { .. }
                | AlterTableOperation::ValidateConstraint { .. }
                | AlterTableOperation::DropConstraint { .. }
        ) || matches!(operation, AlterTableOperation::DropColumn { column_names, .. } if column_names.len() == 1)
    };
    // A column constraint that is an ADD CONSTRAINT of its own.
    let constraint_of = |option: &ast::ColumnOptionDef| {
        matches!(
            option.option,
            ColumnOption::Unique { .. } | ColumnOption::ForeignKey { .. }
        )
    };
    let column_constraints = |operation: &AlterTableOperation| {
        matches!(operation, AlterTableOperation::AddColumn { column_def, .. }
            if column_def.options.iter().any(constraint_of))
    };
    let split = operations.len() > 1 && operations.iter().any(alone);
    if !split && !operations.iter().any(column_constraints) {
        return None;
    }
    let pass = |operation: &AlterTableOperation| match operation {
        AlterTableOperation::DropColumn { .. }
        | AlterTableOperation::DropConstraint { .. }
        | AlterTableOperation::AlterColumn {
            op: Column::DropNotNull,
            ..
        } => 0,
        AlterTableOperation::AlterColumn {
            op: Column::SetDataType { .. },
            ..
        } => 1,
        AlterTableOperation::AddColumn { .. } => 2,
        AlterTableOperation::AddConstraint {
            constraint: TableConstraint::Check { .. },
            ..
        } => 3,
        AlterTableOperation::AlterColumn {
            op: Column::SetNotNull | Column::AddGenerated { .. },
            ..
        } => 4,
        AlterTableOperation::AddConstraint {
            constraint: TableConstraint::PrimaryKey { .. } | TableConstraint::Unique { .. },
            ..
        } => 5,
        AlterTableOperation::AddConstraint { .. }
        | AlterTableOperation::AlterColumn {
            op: Column::SetDefault { .. } | Column::DropDefault,
            ..
        } => 6,
        _ => 7,
    };
    // Each action: its pass, whether it is a step of its own, its text, the DROP COLUMN it is.
    let mut actions: Vec<(u8, bool, String, Option<&AlterTableOperation>)> = Vec::new();
    for operation in operations {
        let AlterTableOperation::AddColumn {
            column_keyword,
            if_not_exists,
            column_def,
            column_position,
        } = operation
        else {
            let drop = matches!(operation, AlterTableOperation::DropColumn { .. });
            let text = operation.to_string();
            actions.push((
                pass(operation),
                alone(operation),
                text,
                drop.then_some(operation),
            ));
            continue;
        };
        let mut added = column_def.clone();
        added.options.retain(|option| !constraint_of(option));
        let added = AlterTableOperation::AddColumn {
            column_keyword: *column_keyword,
            if_not_exists: *if_not_exists,
            column_def: added,
            column_position: column_position.clone(),
        };
        actions.push((2, false, added.to_string(), None));
        // A column there already, skipped: its constraints too.
        if *if_not_exists && table.column_index(&ident_name(&column_def.name)).is_some() {
            continue;
        }
        for option in column_def.options.iter().filter(|o| constraint_of(o)) {
            let name = (option.name.as_ref()).map_or(String::new(), |n| format!("CONSTRAINT {n} "));
            let column = &column_def.name;
            let (pass, text) = match &option.option {
                ColumnOption::Unique {
                    is_primary,
                    characteristics,
                } => {
                    let kind = if *is_primary { "PRIMARY KEY" } else { "UNIQUE" };
                    let characteristics =
                        characteristics.map_or(String::new(), |c| format!(" {c}"));
                    (5, format!("ADD {name}{kind} ({column}){characteristics}"))
                }
                references => (6, format!("ADD {name}FOREIGN KEY ({column}) {references}")),
            };
            actions.push((pass, true, text, None));
        }
    }
    actions.sort_by_key(|action| action.0);
    let dropped: Vec<String> = (actions.iter())
        .filter_map(|action| match action.3 {
            Some(AlterTableOperation::DropColumn { column_names, .. }) => {
                Some(ident_name(&column_names[0]))
            }
            _ => None,
        })
        .collect();
    let drops_all = (table.columns.iter()).all(|column| dropped.contains(&column.name));
    let adds = (operations.iter()).any(|o| matches!(o, AlterTableOperation::AddColumn { .. }));
    let last_drop = actions.iter().rposition(|action| {
        matches!(action.3, Some(AlterTableOperation::DropColumn { column_names, .. })
            if table.column_index(&ident_name(&column_names[0])).is_some())
    });
    if let (true, true, Some(at)) = (drops_all, adds, last_drop) {
        let Some(AlterTableOperation::DropColumn {
            column_names,
            drop_behavior,
            ..
        }) = actions[at].3
        else {
            unreachable!("found as a DROP COLUMN");
        };
        let out_of_way = crate::exec::quote_ident("........pg.dropped........");
        let behavior = drop_behavior.map_or(String::new(), |b| format!(" {b}"));
        let rename = format!("RENAME COLUMN {} TO {out_of_way}", column_names[0]);
        actions[at] = (0, false, rename, None);
        let drop = format!("DROP COLUMN {out_of_way}{behavior}");
        actions.push((7, true, drop, None));
    }
    let mut steps: Vec<(bool, Vec<String>)> = Vec::new();
    for (_, single, action, _) in actions {
        match steps.last_mut() {
            Some((false, group)) if !single => group.push(action),
            _ => steps.push((single, vec![action])),
        }
    }
    let table = crate::exec::quote_relation(&table.name);
    Some(
        (steps.into_iter())
            .map(|(_, actions)| format!("ALTER TABLE {table} {}", actions.join(", ")))
            .collect(),
    )
}

/// A statement with IF EXISTS on a relation there is not (written `name`): PostgreSQL's
/// notice that it skips it, under `tag` (a [`Plan::RenameView`] of no view).
fn skipped_relation(name: &str, tag: &'static str) -> Plan {
    Plan::RenameView {
        view: None,
        name: name.to_string(),
        to: String::new(),
        tag,
    }
}

/// The ON COMMIT clause of a CREATE TABLE: only for a temporary table, as PostgreSQL allows it;
/// None for PRESERVE ROWS (the default).
fn temporary_options(create: &ast::CreateTable) -> SqlResult<Option<crate::plan::OnCommit>> {
    match &create.on_commit {
        None => Ok(None),
        Some(_) if !create.temporary => Err(SqlError::new(
            code::INVALID_TABLE_DEFINITION,
            "ON COMMIT can only be used on temporary tables",
        )),
        Some(ast::OnCommit::PreserveRows) => Ok(None),
        Some(ast::OnCommit::DeleteRows) => Ok(Some(crate::plan::OnCommit::DeleteRows)),
        Some(ast::OnCommit::Drop) => Ok(Some(crate::plan::OnCommit::Drop)),
    }
}

/// A `search_path` value's entries: comma-separated names, double-quoted ones as they are,
/// others lower-cased.
pub fn parse_search_path(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(
            |entry| match entry.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => entry.to_lowercase(),
            },
        )
        .collect()
}

/// Binds statements of one query string.
pub struct Binder<'a> {
    catalog: &'a Catalog,
    session: &'a SessionInfo,
    /// The statement's text and its character offset in the query string.
    text: &'a str,
    offset: usize,
    /// Parameter types: given by the client or inferred; `None` until known.
    pub params: Vec<Option<DataType>>,
    /// Column references seen, with their positions (for errors found after binding).
    column_positions: Vec<(usize, Option<usize>)>,
    /// WITH queries in scope, innermost last.
    ctes: Vec<Cte>,
    /// While a view's query is bound: its owner, whose privileges its tables are read with.
    acting: Option<String>,
    /// While a statement rewritten from one on a view is bound: the view's owner, whose
    /// privileges its target relation is written with (see `bind::views`).
    view_role: Option<String>,
    /// While a statement rewritten from an INSERT or UPDATE on a view is bound: the conditions
    /// of the views with CHECK OPTION it went through, for the relation it now writes (see
    /// `bind::views`).
    view_checks: Option<views::PendingChecks>,
    /// While a statement rewritten from a write on a view is bound: the statement's name for
    /// the (outermost) view and the view's columns, which a missing column's hint names in
    /// place of the relation's, as PostgreSQL's (which binds before rewriting) does.
    view_names: Option<(String, Vec<String>)>,
    /// The next SELECT bound is a set operation's branch: its unknown literals stay unknown.
    keep_unknown: bool,
    /// Recursive queries bound so far (their work tables' ids).
    work_tables: usize,
    /// How many expression subqueries (scalar, EXISTS, IN ...) are being bound around the
    /// current point: a recursive reference must not be inside one its recursive term holds.
    sublinks: usize,
    /// The address of a recursive query's recursive term (a SELECT) while it is bound: its
    /// SELECT list may hold no aggregate.
    recursive_term: Option<usize>,
    /// While a stored query (a view's) is bound or deparsed: its text, which the spans of its
    /// syntax tree refer to (`text` is the statement naming it).
    body_text: Option<String>,
    /// While a view's query is bound: the search path it was made under.
    view_path: Option<Vec<String>>,
    /// The view being bound is one of the session's temporary views.
    temp_view: bool,
    /// Tables and views the statement names in FROM (see `note_read`).
    reads: std::cell::RefCell<Vec<keel_storage::TableId>>,
    /// While the argument of a JSON function that takes a row is bound (`row_to_json(t)`,
    /// `to_json[b](t)`, `json[b]_agg(t)`): a FROM item's name stands for its whole row.
    whole_row_json: bool,
    /// The WINDOW clause of the SELECT being bound: each name with its definition resolved
    /// (a definition that builds on an earlier one has that one's clauses copied in).
    windows: Vec<(String, ast::WindowSpec)>,
    /// The session's temporary schema (`pg_temp_<pid>`), which may not exist yet.
    temp_schema: String,
    /// Set when a relation name resolved to a temporary relation.
    reads_temp: std::cell::Cell<bool>,
    /// An `ALTER MATERIALIZED VIEW` (read as the ALTER TABLE it is) is being bound.
    altering_matview: std::cell::Cell<bool>,
    /// An EXPLAIN without ANALYZE is being bound: its statement is planned, never run.
    plans_only: std::cell::Cell<bool>,
    /// The relation locks the statement takes before it runs: every table and view it reads
    /// (through views too), its write target (see [`crate::locks`]).
    locks: std::cell::RefCell<Vec<(keel_storage::TableId, crate::locks::LockMode)>>,
    /// Relations the statement's own text names without a schema: the name's character offset
    /// in the text and the schema it resolved to (a view made of the statement keeps them; see
    /// [`crate::catalog::ViewDef::qualifiers`]).
    unqualified: std::cell::RefCell<Vec<(usize, String)>>,
    /// Where the statement's own text names tables and their columns (absolute offsets; a view
    /// made of the statement keeps them: [`crate::catalog::ViewDef::names`]).
    names: std::cell::RefCell<Vec<crate::catalog::NameRef>>,
    /// The table columns the statement reads (a view keeps them:
    /// [`crate::catalog::ViewDef::columns_read`]).
    columns_read: std::cell::RefCell<Vec<(keel_storage::TableId, i16)>>,
    /// `names` and `columns_read` are kept (binding a view's query).
    track_names: std::cell::Cell<bool>,
    /// What the `*`s of a view being made expanded to ([`crate::catalog::ViewDef::stars`]).
    stars_made: std::cell::RefCell<Vec<crate::catalog::Star>>,
    /// While a view's query is bound where it is read: its `stars`, and how many `*`s were
    /// bound so far.
    star_plan: std::cell::RefCell<Option<(Vec<crate::catalog::Star>, usize)>>,
    /// While a SELECT's FROM clause is bound: its locking clauses (a view or subquery among
    /// its items that one applies to is locked too, see [`ItemLock`]).
    from_locks: Vec<BoundLock>,
    /// The next query bound is a view or subquery in FROM that a locking clause of the query
    /// around it applies to: PostgreSQL locks its tables' rows as if it said so itself.
    inherited_lock: Option<RowLocking>,
    /// Set by that query when its rows carry its FROM row for the query around it to lock.
    carried: Option<Carried>,
}

/// How a locking clause of a query reaches one of its FROM items that is not a table.
#[derive(Debug, Clone, Default)]
enum ItemLock {
    #[default]
    None,
    /// A WITH query: a clause without OF passes it over, one that names it is an error.
    Cte,
    /// A view or subquery that locks its rows itself (a LockRows of its own): one PostgreSQL
    /// would not pull up into the query around it (ORDER BY, LIMIT, WITH ... in it).
    Inside,
    /// A view or subquery that is a plain SELECT of its FROM clause, as PostgreSQL pulls up:
    /// the query around it locks its tables' rows, those that pass its own WHERE too.
    Carried(Arc<Carried>),
}

/// What a view or subquery in FROM gives the query around it to lock its tables' rows with.
/// Its row is its visible columns followed by its own FROM row.
#[derive(Debug)]
struct Carried {
    /// Its tables whose rows are locked (offsets in its row).
    targets: Vec<LockTarget>,
    /// What a locked row that changed meanwhile must still pass (its WHERE and inner joins'
    /// conditions, over its row).
    recheck: Vec<Expr>,
    /// Its row's columns computed again, in order, when a locked row changed: its visible
    /// columns, and those of views and subqueries inside it.
    fixups: Vec<(usize, Expr)>,
}

/// One FROM item as expressions see it.
#[derive(Debug, Clone)]
struct ScopeRel {
    alias: String,
    /// The FROM item gave it an alias (a table without one is named by its own name).
    aliased: bool,
    /// The view it is, when it is one (by id).
    view: Option<keel_storage::TableId>,
    /// The table's own name, when the item is a table.
    table: Option<String>,
    columns: Vec<ScopeColumn>,
    /// Position of its first column in the FROM clause's row.
    offset: usize,
    /// A function in FROM that returns one scalar column: its name (the alias) also names
    /// that column, as PostgreSQL's whole-row reference of a scalar function does.
    scalar: bool,
    /// The name a deparse prints it by when that is not its alias: PostgreSQL's ruleutils
    /// renames a subquery's relation named as one of a query around it (`t_1`).
    shown: Option<String>,
    /// How the query's locking clauses reach it (a view, subquery or WITH query).
    lock: ItemLock,
    /// An outer join may pad it with NULLs: its whole-row reference is then NULL.
    padded: bool,
}

#[derive(Debug, Clone)]
struct ScopeColumn {
    name: String,
    ty: DataType,
    source: Option<(u64, i16)>,
    /// Merged into the left input's column by USING or NATURAL: found only when qualified, and
    /// left out of `*`.
    merged: bool,
    /// A table's column the acting role may not read (it holds SELECT on some other columns
    /// only): naming it, or `*` over it, is PostgreSQL's 42501.
    denied: bool,
    /// A system column (a catalog's `tableoid`): found by name, left out of `*`.
    system: bool,
    /// A catalog column of PostgreSQL's `name` type, held as text: it takes a subscript as
    /// `name` does (`typname[0]`, one character, 0-based).
    name_type: bool,
}

/// The columns an expression may name: the FROM items of its query, then (for a subquery) those
/// of the queries around it.
struct Scope<'a> {
    rels: Vec<ScopeRel>,
    outer: Option<&'a Scope<'a>>,
}

impl Scope<'static> {
    fn empty() -> Scope<'static> {
        Scope {
            rels: Vec::new(),
            outer: None,
        }
    }

    fn table(table: &TableDef, alias: String) -> Scope<'static> {
        Scope {
            rels: vec![ScopeRel::table(table, alias, 0)],
            outer: None,
        }
    }
}

impl ScopeRel {
    fn table(table: &TableDef, alias: String, offset: usize) -> ScopeRel {
        ScopeRel {
            alias,
            aliased: false,
            view: None,
            table: Some(table.name.clone()),
            columns: table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| ScopeColumn {
                    name: c.name.clone(),
                    ty: c.ty.expression_type(),
                    source: Some((table.id, i as i16 + 1)),
                    merged: false,
                    denied: false,
                    system: false,
                    name_type: false,
                })
                .collect(),
            offset,
            scalar: false,
            shown: None,
            lock: ItemLock::None,
            padded: false,
        }
    }
}

impl ScopeRel {
    /// 42501 for reading a denied column of this table.
    fn permission_denied(&self) -> SqlError {
        SqlError::new(
            code::INSUFFICIENT_PRIVILEGE,
            format!(
                "permission denied for table {}",
                crate::catalog::relname(self.table.as_deref().unwrap_or(&self.alias))
            ),
        )
    }
}

impl Scope<'_> {
    /// The FROM item and column at a position of the FROM row.
    fn column(&self, index: usize) -> Option<(&ScopeRel, &ScopeColumn)> {
        self.rels.iter().find_map(|rel| {
            index
                .checked_sub(rel.offset)
                .and_then(|i| rel.columns.get(i))
                .map(|column| (rel, column))
        })
    }
}

/// A window definition with the named window it builds on (`OVER (w ORDER BY x)`, `WINDOW w2
/// AS (w1 ...)`) copied in, with PostgreSQL's rules: the new one may not give PARTITION BY,
/// nor ORDER BY when the named one has one, and the named one may have no frame.
fn resolve_window(
    spec: &ast::WindowSpec,
    windows: &[(String, ast::WindowSpec)],
    pos: &dyn Fn(Span) -> Option<usize>,
) -> SqlResult<ast::WindowSpec> {
    let Some(base_name) = &spec.window_name else {
        return Ok(spec.clone());
    };
    // PostgreSQL points at the parenthesis the definition starts with.
    let at = pos(base_name.span);
    let name = ident_name(base_name);
    let Some((_, base)) = windows.iter().find(|(n, _)| *n == name) else {
        return Err(SqlError::new(
            code::UNDEFINED_OBJECT,
            format!("window \"{name}\" does not exist"),
        )
        .at(at));
    };
    let windowing = |text: String| SqlError::new("42P20", text).at(at);
    if !spec.partition_by.is_empty() {
        return Err(windowing(format!(
            "cannot override PARTITION BY clause of window \"{name}\""
        )));
    }
    if !spec.order_by.is_empty() && !base.order_by.is_empty() {
        return Err(windowing(format!(
            "cannot override ORDER BY clause of window \"{name}\""
        )));
    }
    if base.window_frame.is_some() {
        let error = windowing(format!(
            "cannot copy window \"{name}\" because it has a frame clause"
        ));
        // `OVER (w)` alone: PostgreSQL suggests `OVER w`.
        let bare = spec.order_by.is_empty() && spec.window_frame.is_none();
        return Err(if bare {
            error.with_hint("Omit the parentheses in this OVER clause.")
        } else {
            error
        });
    }
    let mut resolved = spec.clone();
    resolved.window_name = None;
    resolved.partition_by = base.partition_by.clone();
    if resolved.order_by.is_empty() {
        resolved.order_by = base.order_by.clone();
    }
    Ok(resolved)
}

/// `FETCH FIRST [n] ROWS ONLY | WITH TIES` as the LIMIT it means (n defaults to 1), the query
/// rewritten; None when the query has no FETCH. WITH TIES keeps the FETCH beside the LIMIT (the
/// binder reads it with [`with_ties`]); PERCENT stays (the binder refuses it).
fn fetch_as_limit(query: &ast::Query) -> SqlResult<Option<ast::Query>> {
    let Some(fetch) = &query.fetch else {
        return Ok(None);
    };
    if fetch.percent {
        return Ok(None);
    }
    if fetch.with_ties {
        if query.order_by.is_none() {
            return Err(SqlError::syntax(
                "WITH TIES cannot be specified without ORDER BY clause",
            ));
        }
        if matches!(&fetch.quantity, Some(ast::Expr::Value(v)) if v.value == ast::Value::Null) {
            return Err(SqlError::new(
                "2201W",
                "row count cannot be null in FETCH FIRST ... WITH TIES clause",
            ));
        }
    }
    let offset = match &query.limit_clause {
        None => None,
        Some(LimitClause::LimitOffset {
            limit: None,
            offset,
            limit_by,
        }) if limit_by.is_empty() => offset.clone(),
        Some(_) => {
            return Err(SqlError::syntax("multiple LIMIT clauses not allowed"));
        }
    };
    let one = || ast::Expr::value(ast::Value::Number("1".into(), false));
    let mut rewritten = query.clone();
    if !fetch.with_ties {
        rewritten.fetch = None;
    }
    rewritten.limit_clause = Some(LimitClause::LimitOffset {
        limit: Some(fetch.quantity.clone().unwrap_or_else(one)),
        offset,
        limit_by: Vec::new(),
    });
    Ok(Some(rewritten))
}

/// Whether a query (rewritten by [`fetch_as_limit`]) keeps the rows tied with its last one.
fn with_ties(query: &ast::Query) -> bool {
    query.fetch.as_ref().is_some_and(|fetch| fetch.with_ties)
}

/// Refuses what is left of a FETCH clause after [`fetch_as_limit`]: PERCENT.
fn check_fetch(query: &ast::Query) -> SqlResult<()> {
    match &query.fetch {
        Some(fetch) if fetch.percent => Err(unsupported("FETCH FIRST ... PERCENT")),
        _ => Ok(()),
    }
}

/// The column argument of has_column_privilege (or has_any_column_privilege's any column).
#[derive(Clone)]
enum ColumnArg {
    Name(String),
    Number(i64),
    Any,
}

/// A name that did not resolve in one scope.
enum Unresolved {
    NotFound,
    Error(SqlError),
}

/// Aggregates collected while binding a grouped query's expressions.
#[derive(Default)]
struct AggCollector {
    aggs: Vec<AggCall>,
    allowed: bool,
    context: &'static str,
    /// Window function calls (collected only where `windows_allowed`: SELECT list, ORDER BY).
    windows: Vec<WindowCall>,
    windows_allowed: bool,
    /// Set-returning function calls of a SELECT list (collected where `windows_allowed`).
    srfs: Vec<(TableFunc, Vec<Expr>)>,
}

/// Folds an identifier the way PostgreSQL does.
pub fn ident_name(ident: &ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// The OID of the built-in function a `regproc` (`name`) or `regprocedure` (`name(types)`)
/// text names, with PostgreSQL's errors for none, several, and malformed text; `-` is 0 and
/// digits are the OID itself.
pub(crate) fn regproc_oid(text: &str, procedure: bool) -> SqlResult<i64> {
    let trimmed = text.trim();
    if trimmed == "-" {
        return Ok(0);
    }
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed
            .parse()
            .map_err(|_| SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range"));
    }
    let malformed = |what: &str| SqlError::new(code::INVALID_TEXT_REPRESENTATION, what.to_string());
    if procedure && !trimmed.contains('(') {
        return Err(malformed("expected a left parenthesis"));
    }
    if procedure && !trimmed.ends_with(')') {
        return Err(malformed("expected a right parenthesis"));
    }
    let missing = || {
        SqlError::new(
            code::UNDEFINED_FUNCTION,
            format!("function \"{trimmed}\" does not exist"),
        )
    };
    if !procedure && trimmed.contains('(') {
        return Err(missing());
    }
    let found = crate::system::procs_named(trimmed).ok_or_else(missing)?;
    match found.as_slice() {
        [] => Err(missing()),
        [oid] => Ok(*oid),
        _ => Err(SqlError::new(
            "42725",
            format!("more than one function named \"{trimmed}\""),
        )),
    }
}

/// The option suffix has_*_privilege accept after a privilege.
const GRANT_OPTION: &[&str] = &[" WITH GRANT OPTION"];

/// A has_*_privilege privilege list (`'SELECT, UPDATE WITH GRANT OPTION'`, any case) as the
/// bits of `known`'s privileges it names, and whether any asks for the option (one of
/// `options`, the suffixes accepted: [`GRANT_OPTION`], or pg_has_role's grant and admin
/// options); an item that names nothing in `known` is PostgreSQL's 22023, naming that item.
fn privilege_list(
    privileges: &str,
    known: &[(u8, char, &str)],
    options: &[&str],
) -> SqlResult<(u8, bool)> {
    let (mut wanted, mut grantable) = (0u8, false);
    for given in privileges.split(',') {
        let given = given.trim();
        let item = given.to_ascii_uppercase();
        let (name, with_option) = match options.iter().find_map(|option| item.strip_suffix(option))
        {
            // One space before the option, as PostgreSQL compares the whole item.
            Some(name) => (name, true),
            None => (item.as_str(), false),
        };
        let bit = known
            .iter()
            .find(|(_, _, privilege)| *privilege == name)
            .map(|(bit, _, _)| *bit)
            .ok_or_else(|| {
                SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("unrecognized privilege type: \"{given}\""),
                )
            })?;
        wanted |= bit;
        grantable |= with_option;
    }
    Ok((wanted, grantable))
}

/// The text of a constant argument (a literal, or a literal cast): an object or privilege name
/// the privilege functions must know when they are bound.
fn constant_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Const(Value::Text(text)) => Some(text.clone()),
        Expr::Cast(inner, _, _, _) => match inner.as_ref() {
            Expr::Const(Value::Text(text)) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A function's (possibly qualified) name as the catalog spells it: each part by
/// [`ident_name`], joined by dots (`"lower"` is `lower`, `PG_CATALOG.Now` is `pg_catalog.now`).
fn function_name(name: &ObjectName) -> String {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident_name(ident),
            other => other.to_string().to_lowercase(),
        })
        .collect();
    parts.join(".")
}

fn unsupported(feature: impl std::fmt::Display) -> SqlError {
    SqlError::unsupported(feature)
}

impl<'a> Binder<'a> {
    pub fn new(
        catalog: &'a Catalog,
        session: &'a SessionInfo,
        text: &'a str,
        offset: usize,
        params: Vec<Option<DataType>>,
    ) -> Binder<'a> {
        Binder {
            catalog,
            session,
            text,
            offset,
            params,
            column_positions: Vec::new(),
            ctes: Vec::new(),
            keep_unknown: false,
            work_tables: 0,
            sublinks: 0,
            recursive_term: None,
            body_text: None,
            view_path: None,
            temp_view: false,
            reads: std::cell::RefCell::default(),
            whole_row_json: false,
            windows: Vec::new(),
            acting: None,
            view_role: None,
            view_checks: None,
            view_names: None,
            temp_schema: crate::catalog::temp_schema(session.pid),
            reads_temp: std::cell::Cell::new(false),
            altering_matview: std::cell::Cell::new(false),
            plans_only: std::cell::Cell::new(false),
            locks: std::cell::RefCell::default(),
            unqualified: std::cell::RefCell::default(),
            names: std::cell::RefCell::default(),
            columns_read: std::cell::RefCell::default(),
            track_names: std::cell::Cell::new(false),
            stars_made: std::cell::RefCell::default(),
            star_plan: std::cell::RefCell::default(),
            from_locks: Vec::new(),
            inherited_lock: None,
            carried: None,
        }
    }

    /// `ALTER VIEW name RENAME TO to`: the view's key and its new one, for its owner.
    /// `ALTER TYPE name OWNER TO role` of an enum or composite type (`name` as the hand parser
    /// gives it: a catalog key when qualified).
    pub fn bind_alter_type_owner(&self, name: &str, role: &str) -> SqlResult<Plan> {
        let schemas = self.catalog.search_schemas(self.path(), &self.session.user);
        let key = match (self.catalog.find_enum(name, &schemas))
            .map(|def| def.name.clone())
            .or_else(|| (self.catalog.find_composite(name, &schemas)).map(|def| def.name.clone()))
        {
            Some(key) => key,
            None => {
                return Err(SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!("type \"{}\" does not exist", crate::catalog::relname(name)),
                ))
            }
        };
        Ok(Plan::Type(crate::plan::TypeCommand::Owner {
            name: key,
            role: role.to_string(),
        }))
    }

    /// `ALTER VIEW [IF EXISTS] name OWNER TO role` (`current_user`, `current_role` and
    /// `session_user` name the session's role): PostgreSQL's 42809 for a relation that is not
    /// a view.
    pub fn bind_view_owner(&self, name: &str, if_exists: bool, role: &str) -> SqlResult<Plan> {
        let key = self
            .catalog
            .resolve_written(name, self.path(), &self.session.user);
        if !self.catalog.views.contains_key(&key) {
            return self.no_view(&key, name, if_exists, "ALTER VIEW");
        }
        Ok(Plan::AlterOwner {
            relation: key,
            role: self.written_owner(role),
            tag: "ALTER VIEW",
        })
    }

    /// The role an `OWNER TO` names as Keel's own parser hands it over: `current_user`,
    /// `current_role` and `session_user` are the session's role.
    fn written_owner(&self, role: &str) -> String {
        match role {
            "current_user" | "current_role" | "session_user" => self.session.user.clone(),
            role => role.to_string(),
        }
    }

    /// The role an `OWNER TO` names as sqlparser hands it over (`CURRENT_USER` and friends
    /// are the session's role).
    fn new_owner(&self, owner: &ast::Owner) -> String {
        match owner {
            ast::Owner::Ident(ident) => ident_name(ident),
            _ => self.session.user.clone(),
        }
    }

    /// An ALTER VIEW of `key` (written `name`), which is no view: 42809 for another relation,
    /// with IF EXISTS PostgreSQL's notice (a [`Plan::RenameView`] of no view), else 42P01.
    fn no_view(
        &self,
        key: &str,
        name: &str,
        if_exists: bool,
        tag: &'static str,
    ) -> SqlResult<Plan> {
        if self.catalog.relation_exists(key) {
            return Err(crate::catalog::not_a(key, "view"));
        }
        if if_exists {
            return Ok(skipped_relation(name, tag));
        }
        Err(SqlError::new(
            code::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        ))
    }

    /// `ALTER TABLE | VIEW | MATERIALIZED VIEW | SEQUENCE [IF EXISTS] name SET SCHEMA schema`
    /// (`tag`: which). ALTER TABLE moves any of them, as in PostgreSQL; the others only their
    /// own kind (42809). The owner only; the schema must exist (3F000). Temporary relations
    /// stay in their schema (0A000).
    pub fn bind_set_schema(
        &self,
        tag: &'static str,
        name: &str,
        if_exists: bool,
        schema: &str,
    ) -> SqlResult<Plan> {
        let key = self.written_key(name)?;
        let (kind, owner) = if let Some(table) = self.catalog.tables.get(&key) {
            (table.kind_name(), table.owner.as_deref())
        } else if let Some(view) = self.catalog.views.get(&key) {
            ("view", view.owner.as_deref())
        } else if let Some(seq) = self.catalog.sequences.get(&key) {
            ("sequence", seq.owner.as_deref())
        } else if if_exists {
            return Ok(skipped_relation(crate::catalog::relname(name), tag));
        } else {
            return Err(SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            ));
        };
        let wanted = tag.strip_prefix("ALTER ").unwrap_or(tag).to_lowercase();
        if wanted != "table" && wanted != kind {
            return Err(crate::catalog::not_a(&key, &wanted));
        }
        if !self.catalog.is_owner(owner, &self.session.user) {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!("must be owner of {kind} {}", crate::catalog::relname(&key)),
            ));
        }
        // The new schema as PostgreSQL's LookupCreationNamespace finds it (CREATE on it), then
        // CheckSetNamespace's refusal of temporary schemas.
        let temporary = schema.starts_with("pg_temp");
        if !temporary {
            self.check_schema(schema, None)?;
            self.require_create(schema, None)?;
        }
        if temporary || crate::catalog::is_temp_schema(crate::catalog::split_name(&key).0) {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "cannot move objects into or out of temporary schemas",
            ));
        }
        Ok(Plan::SetSchema {
            relation: key,
            schema: schema.to_string(),
            tag,
        })
    }

    pub fn bind_rename_view(&self, name: &str, if_exists: bool, to: &str) -> SqlResult<Plan> {
        let key = self
            .catalog
            .resolve_written(name, self.path(), &self.session.user);
        self.rename_view(&key, name, if_exists, to, "ALTER VIEW")
    }

    /// Renaming the view `key` (written `name`) to `to` by a statement tagged `tag` (ALTER
    /// TABLE renames views too, as in PostgreSQL).
    fn rename_view(
        &self,
        key: &str,
        name: &str,
        if_exists: bool,
        to: &str,
        tag: &'static str,
    ) -> SqlResult<Plan> {
        let key = key.to_string();
        let Some(view) = self.catalog.views.get(&key) else {
            return self.no_view(&key, name, if_exists, tag);
        };
        if !self
            .catalog
            .is_owner(view.owner.as_deref(), &self.session.user)
        {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!("must be owner of view {}", crate::catalog::relname(&key)),
            ));
        }
        let schema = crate::catalog::split_name(&key).0;
        Ok(Plan::RenameView {
            view: Some(key.clone()),
            name: name.to_string(),
            to: crate::catalog::qualify(schema, to),
            tag,
        })
    }

    /// Marks the noted column name at `ident` as giving its select list item's output name.
    fn note_output_name(&self, ident: &ast::Ident) {
        if !self.track_names.get() || self.view_path.is_some() {
            return;
        }
        let start = ident.span.start;
        if let Some(at) = offset_of(self.text, start.line, start.column) {
            for name in self.names.borrow_mut().iter_mut().rev() {
                if name.at == at && name.column != 0 {
                    name.output = true;
                    break;
                }
            }
        }
    }

    /// Notes that `ident`, in the statement's own text, names `table` (`column` 0) or its
    /// column `column` (an attnum), and that the statement reads that column.
    fn note_name(&self, ident: &ast::Ident, table: keel_storage::TableId, column: i16) {
        if !self.track_names.get() || self.view_path.is_some() {
            return;
        }
        if column != 0 {
            self.columns_read.borrow_mut().push((table, column));
        }
        let (start, end) = (ident.span.start, ident.span.end);
        let (Some(at), Some(to)) = (
            offset_of(self.text, start.line, start.column),
            offset_of(self.text, end.line, end.column),
        ) else {
            return;
        };
        // Only where the text is the identifier as written (plain or double-quoted).
        let written: String = self
            .text
            .chars()
            .skip(at)
            .take(to.saturating_sub(at))
            .collect();
        let plain = ident.quote_style.is_none() && written.eq_ignore_ascii_case(&ident.value);
        let quoted = ident.quote_style == Some('"')
            && written == format!("\"{}\"", ident.value.replace('"', "\"\""));
        if plain || quoted {
            self.names.borrow_mut().push(crate::catalog::NameRef {
                at,
                len: to - at,
                table,
                column,
                output: false,
            });
        }
    }

    /// Notes a relation the statement's own text names without its schema (not a temporary
    /// one: a view of it is temporary and bound in its session).
    fn note_unqualified(&self, name: &ObjectName, key: &str) {
        let schema = crate::catalog::split_name(key).0;
        if self.view_path.is_some() || name.0.len() != 1 || schema == self.temp_schema {
            return;
        }
        let start = name.span().start;
        if let Some(at) = offset_of(self.text, start.line, start.column) {
            self.unqualified.borrow_mut().push((at, schema.to_string()));
        }
    }

    /// A view's query text as written (from its start to the statement's end), and where it
    /// names relations without a schema (offsets in that text); sqlparser's rendering without
    /// them when the text cannot be found.
    fn view_text(
        &self,
        query: &ast::Query,
    ) -> (String, Vec<(usize, String)>, Vec<crate::catalog::NameRef>) {
        let start = query.span().start;
        let Some(begin) = offset_of(self.text, start.line, start.column) else {
            return (query.to_string(), Vec::new(), Vec::new());
        };
        let chars: Vec<char> = self.text.chars().collect();
        // A materialized view's query ends before its `WITH [NO] DATA`.
        let mut end = crate::parse::create_as_data_clause(self.text)
            .map_or(chars.len(), |(from, _, _)| from.max(begin));
        while end > begin && (chars[end - 1].is_whitespace() || chars[end - 1] == ';') {
            end -= 1;
        }
        let text: String = chars[begin..end].iter().collect();
        // The text must be the query sqlparser read, or it is not used.
        if crate::parse::parse_sql(&text).map(|s| s.to_string()) != Ok(query.to_string()) {
            return (query.to_string(), Vec::new(), Vec::new());
        }
        let mut qualifiers: Vec<(usize, String)> = self
            .unqualified
            .borrow()
            .iter()
            .filter(|(at, _)| (begin..end).contains(at))
            .map(|(at, schema)| (at - begin, schema.clone()))
            .collect();
        qualifiers.sort();
        qualifiers.dedup();
        let mut names: Vec<crate::catalog::NameRef> = self
            .names
            .borrow()
            .iter()
            .filter(|name| begin <= name.at && name.at + name.len <= end)
            .map(|name| crate::catalog::NameRef {
                at: name.at - begin,
                ..name.clone()
            })
            .collect();
        names.sort();
        names.dedup_by_key(|name| name.at);
        (text, qualifiers, names)
    }

    /// Binds a query to be kept as text (a view's or a materialized view's), noting what its
    /// text names so that the text follows renames of it and its reads stop drops: its plan,
    /// columns, and a [`ViewDef`](crate::catalog::ViewDef) with all but `name`, `columns`,
    /// `types` and `options` filled in (`reads_temp` says whether it read a temporary
    /// relation).
    fn bind_stored_query(
        &mut self,
        query: &ast::Query,
    ) -> SqlResult<(Rel, Vec<OutputColumn>, crate::catalog::ViewDef)> {
        // Bound now to check it and name its columns; stored as text: as written, with where
        // the names it gives without a schema resolved.
        self.reads_temp.set(false);
        self.reads.borrow_mut().clear();
        self.unqualified.borrow_mut().clear();
        self.names.borrow_mut().clear();
        self.columns_read.borrow_mut().clear();
        self.stars_made.borrow_mut().clear();
        self.track_names.set(true);
        let bound = self.bind_query_rel(query, None);
        self.track_names.set(false);
        let (rel, output) = bound?;
        let (sql, qualifiers, names) = self.view_text(query);
        let mut columns_read = std::mem::take(&mut *self.columns_read.borrow_mut());
        columns_read.sort_unstable();
        columns_read.dedup();
        let mut reads = std::mem::take(&mut *self.reads.borrow_mut());
        reads.sort_unstable();
        reads.dedup();
        let view = crate::catalog::ViewDef {
            name: String::new(),
            sql,
            columns: Vec::new(),
            types: Vec::new(),
            owner: Some(self.session.user.clone()),
            acl: None,
            search_path: self.path().to_vec(),
            id: 0,
            reads,
            qualifiers,
            names,
            options: Vec::new(),
            columns_read,
            stars: std::mem::take(&mut *self.stars_made.borrow_mut()),
        };
        Ok((rel, output, view))
    }

    /// Runs `bind` on a stored query (`view`'s) as its text is bound: with its owner's
    /// privileges, its search path and its `*`s as they expanded when it was made (a temporary
    /// view, the session's own, reads its session's temporary tables).
    fn with_stored_query<T>(
        &mut self,
        view: &crate::catalog::ViewDef,
        bind: impl FnOnce(&mut Self, &ast::Query) -> SqlResult<T>,
    ) -> SqlResult<T> {
        let statement = crate::parse::parse_sql(&view.bound_query())?;
        let Statement::Query(query) = statement else {
            return Err(SqlError::new(
                code::INTERNAL_ERROR,
                "a view that is not a query",
            ));
        };
        let outer = self.acting.replace(
            view.owner
                .clone()
                .unwrap_or_else(|| crate::catalog::BOOTSTRAP_ROLE.into()),
        );
        let outer_path = self.view_path.replace(view.search_path.clone());
        let temp_view = crate::catalog::split_name(&view.name).0 == self.temp_schema;
        let outer_temp = std::mem::replace(&mut self.temp_view, temp_view);
        let outer_stars = self.star_plan.replace(Some((view.stars.clone(), 0)));
        let outer_text = self.body_text.replace(view.bound_query());
        let bound = bind(self, &query);
        self.body_text = outer_text;
        self.star_plan.replace(outer_stars);
        self.acting = outer;
        self.view_path = outer_path;
        self.temp_view = outer_temp;
        bound
    }

    /// The statement an EXPLAIN shows: its plan, columns and (INSERT, UPDATE, DELETE, MERGE)
    /// the write.
    fn bind_explained(&mut self, statement: &Statement) -> SqlResult<Explained> {
        match statement {
            Statement::Query(query) => {
                let (rel, columns) = self.bind_query_rel(query, None)?;
                Ok((rel, columns, None))
            }
            Statement::Insert(_)
            | Statement::Update { .. }
            | Statement::Delete(_)
            | Statement::Merge { .. } => {
                let plan = self.bind_statement(statement)?;
                let (write, rel) = explain_write(&plan, statement)?;
                Ok((rel, Vec::new(), Some(Arc::new(write))))
            }
            _ => Err(unsupported("EXPLAIN of statements other than queries")),
        }
    }

    /// Notes a relation lock the statement takes before it runs.
    fn note_lock(&self, id: keel_storage::TableId, mode: crate::locks::LockMode) {
        self.locks.borrow_mut().push((id, mode));
    }

    /// The relation locks of the statement bound, each once.
    pub fn take_locks(&self) -> Vec<(keel_storage::TableId, crate::locks::LockMode)> {
        let mut locks = std::mem::take(&mut *self.locks.borrow_mut());
        locks.sort_unstable();
        locks.dedup();
        locks
    }

    fn pos(&self, span: Span) -> Option<usize> {
        offset_of(self.text, span.start.line, span.start.column).map(|at| self.offset + at + 1)
    }

    /// Position of the nearest keyword `word` (lower case) before `span`.
    /// PostgreSQL's syntax error at keyword `word` (lower case), the last before `span`, which
    /// its grammar does not have there: the word as written, and its position.
    fn misplaced_word(&self, span: Span, word: &str) -> SqlError {
        let at = self.word_before(span, word);
        let written: Option<String> = at.map(|at| {
            let skip = (at - 1).saturating_sub(self.offset);
            self.text
                .chars()
                .skip(skip)
                .take(word.chars().count())
                .collect()
        });
        let written = written.unwrap_or_else(|| word.to_string());
        SqlError::syntax(format!("syntax error at or near \"{written}\"")).at(at)
    }

    fn word_before(&self, span: Span, word: &str) -> Option<usize> {
        let at = offset_of(self.text, span.start.line, span.start.column)?;
        let before: String = self
            .text
            .chars()
            .take(at)
            .collect::<String>()
            .to_lowercase();
        let found = before.rfind(word)?;
        Some(self.offset + before[..found].chars().count() + 1)
    }

    /// A `GENERATED ALWAYS AS (expr) STORED` clause of column `def` of table `table`, checked
    /// as PostgreSQL's grammar and `transformColumnDefinition` check it (errors at the clause's
    /// GENERATED); the expression is bound once the table's columns are known
    /// ([`Binder::bind_generation`]).
    fn generated_clause(
        &self,
        def: &ColumnDef,
        table: &str,
        (stored, generated): (&GeneratedAs, bool),
        expr: &ast::Expr,
    ) -> SqlResult<crate::catalog::Generated> {
        // sqlparser reads PostgreSQL's `GENERATED ALWAYS AS (expr) STORED` as ExpStored (its
        // PostgreSQL grammar wants STORED), and other dialects' `AS (expr)` without GENERATED.
        if !generated || !matches!(stored, GeneratedAs::ExpStored) {
            return Err(SqlError::syntax("syntax error at or near \"as\"")
                .at(self.word_before(expr.span(), "as")));
        }
        let at = self.word_before(expr.span(), "generated");
        if def.identity.is_some() {
            return Err(both_identity_and_generated(def, table).at(at));
        }
        if def.default.is_some() {
            return Err(both_default_and_generated(def, table).at(at));
        }
        Ok(crate::catalog::Generated {
            sql: expr.to_string(),
            bound: None,
        })
    }

    /// Position of the nearest `ch` before `span`.
    fn pos_before(&self, span: Span, ch: char) -> Option<usize> {
        let at = offset_of(self.text, span.start.line, span.start.column)?;
        let before: Vec<char> = self.text.chars().take(at).collect();
        let found = before.iter().rposition(|&c| c == ch)?;
        Some(self.offset + found + 1)
    }

    /// Position of a table constraint (`[CONSTRAINT name] PRIMARY KEY | UNIQUE (...)`) whose
    /// key list starts with `first`: the start of the element, as PostgreSQL reports it.
    fn constraint_pos(&self, first: Span) -> Option<usize> {
        let at = offset_of(self.text, first.start.line, first.start.column)?;
        let before: Vec<char> = self.text.chars().take(at).collect();
        let list = before.iter().rposition(|&c| c == '(')?;
        let element = before[..list].iter().rposition(|&c| c == ',' || c == '(')? + 1;
        let start = element
            + before[element..]
                .iter()
                .take_while(|c| c.is_whitespace())
                .count();
        Some(self.offset + start + 1)
    }

    /// Position of the first parenthesized SELECT inside `span` (sqlparser keeps no span for
    /// subqueries), where PostgreSQL points for errors about one.
    fn subquery_pos(&self, span: Span) -> Option<usize> {
        let start = offset_of(self.text, span.start.line, span.start.column)?;
        let end = offset_of(self.text, span.end.line, span.end.column)?;
        let chars: Vec<char> = self.text.chars().collect();
        let end = end.min(chars.len());
        (start.saturating_sub(1)..end).find_map(|at| {
            if chars[at] != '(' {
                return None;
            }
            let word: String = chars[at + 1..]
                .iter()
                .skip_while(|c| c.is_whitespace())
                .take(6)
                .collect();
            word.eq_ignore_ascii_case("select")
                .then_some(self.offset + at + 1)
        })
    }

    /// Position of the `(` that opens a parenthesized list whose span starts inside it (else
    /// of the span's start).
    fn paren_pos(&self, span: Span) -> Option<usize> {
        let start = offset_of(self.text, span.start.line, span.start.column)?;
        let chars: Vec<char> = self.text.chars().collect();
        let mut at = start.min(chars.len());
        while at > 0 && chars[at - 1].is_whitespace() {
            at -= 1;
        }
        match at > 0 && chars[at - 1] == '(' {
            true => Some(self.offset + at),
            false => self.pos(span),
        }
    }

    /// Position of the statement's `ON CONFLICT` (sqlparser keeps no span for it).
    fn on_conflict_pos(&self) -> Option<usize> {
        let chars: Vec<char> = self.text.chars().collect();
        let word = |at: usize, w: &str| {
            w.chars().enumerate().all(|(i, c)| {
                chars
                    .get(at + i)
                    .is_some_and(|x| x.eq_ignore_ascii_case(&c))
            })
        };
        (0..chars.len()).find_map(|at| {
            if !word(at, "on") || at > 0 && chars[at - 1].is_alphanumeric() {
                return None;
            }
            let mut next = at + 2;
            let gap = next;
            while chars.get(next).is_some_and(|c| c.is_whitespace()) {
                next += 1;
            }
            (next > gap && word(next, "conflict")).then_some(self.offset + at + 1)
        })
    }

    /// Position of the first token after `span` (an operator after its left operand; closing
    /// brackets are skipped, as sqlparser's span of `ARRAY[...]` ends at its last element).
    fn pos_after(&self, span: Span) -> Option<usize> {
        self.pos_past(span, ']')
    }

    /// Position of the operator after a row constructor: past its closing parenthesis (the
    /// span of `(a, b)` ends inside it).
    fn pos_after_row(&self, row: &ast::Expr) -> Option<usize> {
        self.pos_past(row.span(), ')')
    }

    /// Position of the first token after `span`, past whitespace and `closer`s.
    fn pos_past(&self, span: Span, closer: char) -> Option<usize> {
        let at = offset_of(self.text, span.end.line, span.end.column)?;
        let skipped = self
            .text
            .chars()
            .skip(at)
            .take_while(|c| c.is_whitespace() || *c == closer)
            .count();
        Some(self.offset + at + skipped + 1)
    }

    /// Position of the parenthesis that opens a subquery whose text starts at `span`.
    fn pos_paren_before(&self, span: Span) -> Option<usize> {
        let at = offset_of(self.text, span.start.line, span.start.column)?;
        let before: Vec<char> = self.text.chars().take(at).collect();
        let mut i = before.len();
        while i > 0 && before[i - 1].is_whitespace() {
            i -= 1;
        }
        if i > 0 && before[i - 1] == '(' {
            Some(self.offset + i)
        } else {
            Some(self.offset + at + 1)
        }
    }

    /// Final parameter types: never-inferred ones are text.
    pub fn param_types(&self) -> Vec<DataType> {
        self.params
            .iter()
            .map(|ty| ty.unwrap_or(DataType::Text))
            .collect()
    }

    /// The schemas of the session's search path that exist and the session may use, in order
    /// (`$user` is the schema named as the session's role, when there is one).
    ///
    /// Relations are looked up in the session's temporary schema first, when it has one, as in
    /// PostgreSQL (not while a permanent view's query is bound: it reads no session's
    /// temporary tables); other sessions' temporary schemas are never searched.
    pub fn search_schemas(&self) -> Vec<&str> {
        let mut schemas = self.creation_schemas();
        if (self.view_path.is_none() || self.temp_view)
            && self.catalog.schema_exists(&self.temp_schema)
        {
            schemas.insert(0, &self.temp_schema);
        }
        schemas
    }

    /// The search path's schemas without temporary ones: where a new relation goes, and what
    /// `current_schema` names.
    fn creation_schemas(&self) -> Vec<&str> {
        let mut schemas = self.catalog.search_schemas(self.path(), &self.session.user);
        schemas.retain(|schema| !crate::catalog::is_temp_schema(schema));
        schemas
    }

    /// A schema as written, with `pg_temp` meaning the session's own temporary schema; naming
    /// another session's is refused, as PostgreSQL refuses it.
    fn written_schema(&self, schema: String, at: Option<usize>) -> SqlResult<String> {
        if schema == "pg_temp" {
            return Ok(self.temp_schema.clone());
        }
        if crate::catalog::is_temp_schema(&schema) && schema != self.temp_schema {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "cannot access temporary tables of other sessions",
            )
            .at(at));
        }
        Ok(schema)
    }

    /// The search path names are looked up along: the session's, or a view's own.
    fn path(&self) -> &[String] {
        self.view_path
            .as_deref()
            .unwrap_or(&self.session.search_path)
    }

    /// A column default's stored text (see the free `default_text`): a sequence named in it is
    /// found along the search path now and stored by its key, as PostgreSQL keeps its OID.
    /// A string literal cast to the column's own type (`'2024-01-01'::date`, as pg_dump writes
    /// a default; a timestamp literal for a timestamp(0) column too) is stored as the literal,
    /// as PostgreSQL keeps the typed constant: shown with the cast either way.
    fn default_text(&self, expr: &ast::Expr, ty: DataType) -> String {
        if let ast::Expr::Cast {
            expr: inner,
            data_type,
            format: None,
            ..
        } = expr
        {
            if let ast::Expr::Value(value) = inner.as_ref() {
                if matches!(value.value, ast::Value::SingleQuotedString(_))
                    && self
                        .data_type(data_type)
                        .is_ok_and(|cast| cast.expression_type() == ty.expression_type())
                {
                    return value.to_string();
                }
            }
        }
        default_text(expr, &|name| self.relation_key_from_text(name))
    }

    /// The catalog key a relation name given as text (`'s.t'::regclass`, nextval's argument)
    /// refers to, found as [`Binder::table_name`] finds a name in SQL.
    fn relation_key_from_text(&self, text: &str) -> String {
        let name = without_database(parse_regclass(text), &self.session.database);
        match name.split_once('.') {
            Some((schema, relation)) => crate::catalog::qualify(schema, relation),
            None => self.unqualified_key(&name),
        }
    }

    /// The key an unqualified relation name refers to: the first relation of that name along
    /// the search path, or else a key in the path's first schema (so "does not exist" names it
    /// as written when that is public).
    fn unqualified_key(&self, name: &str) -> String {
        let schemas = self.search_schemas();
        self.catalog.find_along(name, &schemas).unwrap_or_else(|| {
            let first = self.creation_schemas().first().copied();
            crate::catalog::qualify(first.unwrap_or("pg_catalog"), name)
        })
    }

    /// A relation as regclass prints it: its name alone when the search path finds it by that
    /// name, else schema-qualified; parts quoted as identifiers need.
    fn shown_relation(&self, key: &str) -> String {
        self.catalog.display_name(key, &self.search_schemas())
    }

    /// The role that connected (the current one until SET ROLE).
    fn session_user(&self) -> &str {
        self.session.session_user()
    }

    /// `current_schema`: the search path's first schema that exists (NULL for none).
    fn current_schema(&self) -> (Expr, DataType) {
        let value = match self.creation_schemas().first() {
            Some(schema) => Value::Text(schema.to_string()),
            None => Value::Null,
        };
        (Expr::Const(value), DataType::Text)
    }

    /// A name's parts (schema and relation, or the relation alone) with their positions.
    fn name_parts(&self, name: &ObjectName) -> SqlResult<Vec<(String, Option<usize>)>> {
        let mut parts = Vec::new();
        for part in &name.0 {
            match part {
                ObjectNamePart::Identifier(ident) => {
                    parts.push((ident_name(ident), self.pos(ident.span)))
                }
                ObjectNamePart::Function(_) => return Err(unsupported("table functions")),
            }
        }
        if parts.len() > 2 {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("cross-database references are not implemented: {name}"),
            ));
        }
        Ok(parts)
    }

    /// 3F000 unless `schema` exists; 42501 unless the session may use it.
    fn check_schema(&self, schema: &str, position: Option<usize>) -> SqlResult<()> {
        let system = matches!(schema, "pg_catalog" | "information_schema");
        if !system && !self.catalog.schema_exists(schema) {
            return Err(
                SqlError::new("3F000", format!("schema \"{schema}\" does not exist")).at(position),
            );
        }
        if !system
            && self
                .catalog
                .privileges_on_schema(schema, &self.session.user)
                & crate::catalog::PRIV_USAGE
                == 0
        {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!("permission denied for schema {schema}"),
            )
            .at(position));
        }
        Ok(())
    }

    /// The catalog key (see [`crate::catalog::qualify`]) of the relation a name refers to: a
    /// qualified name's schema must exist; an unqualified one is looked for in the search path's
    /// schemas in order. A name found nowhere keys into the path's first schema (so the caller's
    /// "does not exist" names it as written when that is public).
    fn table_name(&self, name: &ObjectName) -> SqlResult<(String, Option<usize>)> {
        let mut parts = self.name_parts(name)?;
        if parts.len() == 2 {
            // A schema that does not exist holds no such relation (PostgreSQL's message).
            let (relation, _) = parts.remove(1);
            parts[0].0 = self.written_schema(std::mem::take(&mut parts[0].0), parts[0].1)?;
            if crate::catalog::is_temp_schema(&parts[0].0) {
                self.reads_temp.set(true);
                return Ok((crate::catalog::qualify(&parts[0].0, &relation), parts[0].1));
            }
            if self.catalog.schema_exists(&parts[0].0) {
                self.check_schema(&parts[0].0, parts[0].1)?;
            }
            // Errors point at the name's start, its schema.
            return Ok((crate::catalog::qualify(&parts[0].0, &relation), parts[0].1));
        }
        let (relation, position) = parts.remove(0);
        let key = self.unqualified_key(&relation);
        if crate::catalog::is_temp_schema(crate::catalog::split_name(&key).0) {
            self.reads_temp.set(true);
        }
        Ok((key, position))
    }

    /// The catalog key a new relation of this name gets: in the named schema, or in the search
    /// path's first schema (3F000 when the path has none). CREATE privilege on it is checked.
    fn create_name(&self, name: &ObjectName) -> SqlResult<(String, Option<usize>)> {
        self.create_name_in(name, false)
    }

    /// [`Binder::create_name`], or for a temporary relation the key it gets in the session's
    /// temporary schema (a schema named must be `pg_temp`, or that one).
    fn create_name_in(
        &self,
        name: &ObjectName,
        temporary: bool,
    ) -> SqlResult<(String, Option<usize>)> {
        let mut parts = self.name_parts(name)?;
        let (relation, position) = parts.pop().expect("a name has a part");
        let written = match parts.pop() {
            Some((schema, at)) => Some((self.written_schema(schema, at)?, at)),
            None => None,
        };
        if temporary
            || written
                .as_ref()
                .is_some_and(|(s, _)| *s == self.temp_schema)
        {
            return match written {
                Some((schema, at)) if schema != self.temp_schema => Err(SqlError::new(
                    "42P16",
                    "cannot create temporary relation in non-temporary schema",
                )
                .at(at)),
                _ => Ok((
                    crate::catalog::qualify(&self.temp_schema, &relation),
                    position,
                )),
            };
        }
        let schema = match written {
            Some((schema, at)) => {
                if matches!(schema.as_str(), "pg_catalog" | "information_schema") {
                    return Err(SqlError::new(
                        code::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied to create \"{schema}.{relation}\""),
                    )
                    .with_detail("System catalog modifications are currently disallowed.")
                    .at(at));
                }
                self.check_schema(&schema, at)?;
                schema
            }
            None => match self.creation_schemas().first() {
                Some(schema) => schema.to_string(),
                None => {
                    return Err(
                        SqlError::new("3F000", "no schema has been selected to create in")
                            .at(position),
                    )
                }
            },
        };
        self.require_create(&schema, position)?;
        Ok((crate::catalog::qualify(&schema, &relation), position))
    }

    /// The sequence a FROM item names, if it names one (and no table or view of that name).
    fn sequence_named(&self, name: &ObjectName) -> Option<Arc<SequenceDef>> {
        let (name, _) = self.table_name(name).ok()?;
        self.catalog.sequences.get(&name).cloned()
    }

    /// The system catalog relation a name refers to (`pg_catalog.*`, unqualified `pg_*`,
    /// `information_schema.*`), with its default alias.
    fn system_relation(
        &self,
        name: &ObjectName,
    ) -> Option<(crate::system::SystemRelation, String)> {
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|part| match part {
                ObjectNamePart::Identifier(ident) => Some(ident_name(ident)),
                ObjectNamePart::Function(_) => None,
            })
            .collect::<Option<_>>()?;
        let (schema, relation) = match parts.as_slice() {
            [relation] if relation.starts_with("pg_") => (None, relation),
            [schema, relation] => (Some(schema.as_str()), relation),
            _ => return None,
        };
        crate::system::relation(self.catalog, self.session, schema, relation)
            .map(|found| (found, relation.clone()))
    }

    /// An OID's object name (`oid::regclass` and friends) as a lookup over the catalog.
    /// The name of the object a reg* value's OID stands for, as the type's output function
    /// prints it: a relation qualified when the search path does not find it, a type by
    /// `format_type`; an OID nothing has prints as the number.
    pub(crate) fn reg_names(&self, kind: crate::types::RegKind, oid: Expr) -> Expr {
        match kind {
            // OID 0 reads as `-` (no type).
            crate::types::RegKind::Type => lookup(
                &oid,
                [(Value::Int(0), Value::Text("-".into()))],
                Expr::Scalar(
                    crate::functions::Scalar::FormatType,
                    vec![
                        oid.clone(),
                        Expr::Const(Value::Null),
                        self.visible_schemas(),
                    ],
                ),
            ),
            other => self.oid_names(other.type_name(), oid),
        }
    }

    fn oid_names(&self, kind: &str, oid: Expr) -> Expr {
        let names: Vec<(i64, String)> = match kind {
            // OID 0 reads as `-` (no object), as in PostgreSQL.
            "regclass" => std::iter::once((0, "-".to_string()))
                .chain(
                    crate::system::relation_oids(self.catalog)
                        .into_iter()
                        .map(|(oid, key)| (oid, self.shown_relation(&key))),
                )
                // The system catalogs, by the names PostgreSQL shows (pg_catalog is always
                // searched first).
                .chain(crate::system::catalog_names())
                .collect(),
            "regnamespace" => crate::system::namespace_oids(self.catalog),
            // OID 0 reads as `-` (no role), as in PostgreSQL.
            "regrole" => crate::system::role_oids(self.catalog)
                .into_iter()
                .map(|(oid, name)| match oid {
                    0 => (oid, name),
                    _ => (oid, crate::functions::quote_ident(&name)),
                })
                .collect(),
            // Built-in functions by name, or by name and argument types.
            "regproc" | "regprocedure" => std::iter::once((0, "-".to_string()))
                .chain(crate::procs::BUILTIN_PROCS.iter().map(|proc| {
                    let shown = if kind == "regproc" {
                        crate::functions::quote_ident(proc.name)
                    } else {
                        crate::system::proc_signature(proc)
                    };
                    (proc.oid, shown)
                }))
                .collect(),
            _ => Vec::new(),
        };
        let fallback = Expr::Cast(Box::new(oid.clone()), DataType::Int8, DataType::Text, true);
        lookup(
            &oid,
            names
                .into_iter()
                .map(|(key, name)| (Value::Int(key), Value::Text(name))),
            fallback,
        )
    }

    /// A schema's (`regnamespace`) or a role's (`regrole`) OID from its name, as the type's input
    /// function reads it (double quotes keep case, otherwise folded to lower case): a constant
    /// unknown name is PostgreSQL's error when `strict` (3F000, 42704), NULL otherwise, as a
    /// computed one is (`to_regnamespace`, `to_regrole`).
    fn named_oid(&self, kind: &str, text: Expr, strict: bool) -> SqlResult<Expr> {
        let names: Vec<(i64, String)> = match kind {
            "regnamespace" => crate::system::namespace_oids(self.catalog),
            _ => crate::system::role_oids(self.catalog),
        };
        if let Expr::Const(Value::Text(name)) = &text {
            // Digits are the OID itself, as the input functions read them.
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
                let oid = name.parse::<u32>().map_err(|_| {
                    SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range")
                })?;
                return Ok(Expr::Const(Value::Int(i64::from(oid))));
            }
            let unquoted = parse_regclass(name);
            return match names.iter().find(|(_, n)| *n == unquoted) {
                Some((oid, _)) => Ok(Expr::Const(Value::Int(*oid))),
                None if !strict => Ok(Expr::Const(Value::Null)),
                None if kind == "regnamespace" => Err(SqlError::new(
                    code::INVALID_SCHEMA_NAME,
                    format!("schema \"{unquoted}\" does not exist"),
                )),
                None => Err(SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!("role \"{unquoted}\" does not exist"),
                )),
            };
        }
        // Computed: each name as written plain and quoted.
        let pairs: Vec<(Value, Value)> = names
            .into_iter()
            .flat_map(|(oid, name)| {
                let quoted = crate::functions::quote_ident(&name);
                [
                    (Value::Text(name), Value::Int(oid)),
                    (Value::Text(quoted), Value::Int(oid)),
                ]
            })
            .collect();
        Ok(lookup(&text, pairs, Expr::Const(Value::Null)))
    }

    /// A relation name's OID (`to_regclass`, `text::regclass`) as a lookup over the catalog,
    /// plain or `public.`-qualified; NULL when unknown.
    /// The OID a relation name (as `'name'::regclass` reads it) stands for; 42P01 at `span`
    /// when there is no such relation.
    fn regclass_oid(&self, text: &str, span: Span) -> SqlResult<i64> {
        let key = self.relation_key_from_text(text);
        let name = without_database(parse_regclass(text), &self.session.database);
        let system = name.strip_prefix("pg_catalog.").unwrap_or(&name);
        crate::system::relation_oid(self.catalog, &key)
            .or_else(|| crate::system::catalog_oid(system))
            .ok_or_else(|| {
                SqlError::new(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{name}\" does not exist"),
                )
                .at(self.pos(span))
            })
    }

    fn relation_oids(&self, name: Expr) -> Expr {
        // The text as regclass reads it, to match the keys below.
        let database = Expr::Const(Value::Text(self.session.database.clone()));
        let name = Expr::Scalar(crate::functions::Scalar::RegclassName, vec![name, database]);
        let catalogs = crate::system::catalog_names().flat_map(|(oid, name)| {
            let qualified = match name.contains('.') {
                true => None,
                false => Some((oid, format!("pg_catalog.{name}"))),
            };
            qualified.into_iter().chain([(oid, name)])
        });
        let schemas = self.search_schemas();
        let pairs = crate::system::relation_oids(self.catalog)
            .into_iter()
            .flat_map(|(oid, key)| {
                let (schema, relation) = crate::catalog::split_name(&key);
                let mut names = vec![(oid, format!("{schema}.{relation}"))];
                if self.catalog.is_visible(&key, &schemas) {
                    names.push((oid, relation.to_string()));
                }
                names
            })
            .chain(catalogs)
            .map(|(oid, relname)| (Value::Text(relname), Value::Int(oid)));
        lookup(&name, pairs, Expr::Const(Value::Null))
    }

    /// A `regclass` argument's OID: a name in a string is looked up (a constant one now, with
    /// PostgreSQL's error when no relation has it), a number is the OID itself.
    fn regclass_arg(&mut self, expr: Expr, ty: DataType, span: Span) -> SqlResult<Expr> {
        if !ty.is_string() && ty != DataType::Unknown {
            return self.coerce_to(expr, ty, DataType::Int8, span);
        }
        let text = self.coerce_to(expr, ty, DataType::Text, span)?;
        let Expr::Const(Value::Text(name)) = &text else {
            return Ok(self.relation_oids(text));
        };
        let name = parse_regclass(name);
        let name = name.strip_prefix("public.").unwrap_or(&name).to_string();
        match crate::system::relation_oid(self.catalog, &name)
            .or_else(|| crate::system::catalog_oid(&name))
        {
            Some(oid) => Ok(Expr::Const(Value::Int(oid))),
            None => Err(SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            )
            .at(self.pos(span))),
        }
    }

    /// What size function `function` gives for each relation OID (see
    /// `crate::system::relation_sizes`).
    fn relation_sizes(&self, function: &str) -> Vec<(i64, i64)> {
        crate::system::relation_sizes(self.catalog, &self.session.sizes, function)
    }

    /// Notes a relation (table or view) the statement's own text reads in FROM: what a view
    /// being made depends on (not what the views it reads read).
    fn note_read(&self, id: keel_storage::TableId) {
        if self.view_path.is_none() {
            self.reads.borrow_mut().push(id);
        }
    }

    /// The view a name refers to, if it is one.
    fn view(&self, name: &ObjectName) -> SqlResult<Option<crate::catalog::ViewDef>> {
        let (name, _) = self.table_name(name)?;
        Ok(self.catalog.views.get(&name).cloned())
    }

    /// 42501 unless the session's role may create in the public schema (PostgreSQL 15 gives
    /// CREATE there to the database owner only, until GRANT CREATE ON SCHEMA public).
    fn require_create(&self, schema: &str, position: Option<usize>) -> SqlResult<()> {
        if self
            .catalog
            .privileges_on_schema(schema, &self.session.user)
            & crate::catalog::PRIV_CREATE
            != 0
        {
            return Ok(());
        }
        Err(SqlError::new(
            code::INSUFFICIENT_PRIVILEGE,
            format!("permission denied for schema {schema}"),
        )
        .at(position))
    }

    /// 42501 unless the acting role (the session's, or a view's owner while its query is bound)
    /// holds `privileges` on `table`.
    fn require(&self, table: &TableDef, privileges: u8) -> SqlResult<()> {
        self.catalog.require(table, privileges, self.target_role())
    }

    /// The role whose privileges are checked: a view's owner inside the view, else the user.
    fn acting_role(&self) -> &str {
        self.acting.as_deref().unwrap_or(&self.session.user)
    }

    /// The role whose privileges on a write statement's target are checked: the acting role,
    /// or the owner of the view the statement was written against.
    fn target_role(&self) -> &str {
        self.view_role
            .as_deref()
            .unwrap_or_else(|| self.acting_role())
    }

    /// 42501 unless the acting role holds `privilege` on each of `columns` of `table` (see
    /// [`Catalog::require_columns`]).
    fn require_columns(&self, table: &TableDef, privilege: u8, columns: &[usize]) -> SqlResult<()> {
        self.catalog
            .require_columns(table, privilege, columns, self.target_role())
    }

    /// `table`'s columns as a FROM item, those the acting role may not SELECT marked denied (an
    /// error when named). `must_read`: a query reading the table needs SELECT on the table or
    /// on one column at least; an UPDATE's or DELETE's target needs none until it names one.
    fn readable_scope(
        &self,
        table: &TableDef,
        alias: String,
        offset: usize,
        must_read: bool,
    ) -> SqlResult<ScopeRel> {
        let mut scope = ScopeRel::table(table, alias, offset);
        // A write's target (the only scope that need not be read) is checked for the target's
        // role.
        let role = if must_read {
            self.acting_role()
        } else {
            self.target_role()
        };
        if self.catalog.table_privileges(table, role) & PRIV_SELECT != 0 {
            return Ok(scope);
        }
        if must_read && !self.catalog.any_column_privilege(table, PRIV_SELECT, role) {
            return Err(crate::catalog::permission_denied(table));
        }
        for (i, column) in scope.columns.iter_mut().enumerate() {
            column.denied = self.catalog.column_privileges(table, i, role) & PRIV_SELECT == 0;
        }
        Ok(scope)
    }

    /// 42501 unless the acting role holds one of `privileges` on a view or sequence with this
    /// owner and ACL (`kind` and `name` for PostgreSQL's message); no privileges wanted passes.
    fn require_on(
        &self,
        (owner, acl): (Option<&str>, Option<&[crate::catalog::AclItem]>),
        privileges: u8,
        kind: &str,
        name: &str,
    ) -> SqlResult<()> {
        let role = self.acting.as_deref().unwrap_or(&self.session.user);
        if privileges != 0 && self.catalog.relation_privileges(owner, acl, role) & privileges == 0 {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!(
                    "permission denied for {kind} {}",
                    crate::catalog::relname(name)
                ),
            ));
        }
        Ok(())
    }

    /// The table `name` names, with its indexes' expressions and predicates bound.
    fn lookup_table(&self, name: &ObjectName) -> SqlResult<Arc<TableDef>> {
        let (name, position) = self.table_name(name)?;
        let table = self
            .catalog
            .table(&name)
            .cloned()
            .map_err(|error| error.at(position))?;
        self.bind_indexes(table)
    }

    /// Binds one statement.
    pub fn bind(&mut self, statement: &Statement) -> SqlResult<Plan> {
        // Join order may use the statistics ANALYZE keeps (`planner::estimated_order`).
        let statistics = self.session.statistics.clone();
        crate::planner::with_statistics(&statistics, || self.bind_statement(statement))
    }

    fn bind_statement(&mut self, statement: &Statement) -> SqlResult<Plan> {
        match statement {
            Statement::Query(query) => self.bind_query(query),
            Statement::Explain {
                analyze,
                statement,
                format,
                options,
                verbose,
                ..
            } => {
                if format.is_some() || *verbose {
                    return Err(unsupported("EXPLAIN formats other than text, and VERBOSE"));
                }
                let mut analyze = *analyze;
                let (mut timing, mut summary) = (true, true);
                for option in options.iter().flatten() {
                    let name = option.name.value.to_lowercase();
                    let on = match &option.arg {
                        None => true,
                        Some(ast::Expr::Value(v)) => {
                            let text = v.value.to_string().to_lowercase();
                            !matches!(text.trim_matches('\''), "false" | "off" | "0")
                        }
                        Some(ast::Expr::Identifier(i)) => {
                            !matches!(i.value.to_lowercase().as_str(), "false" | "off")
                        }
                        Some(_) => true,
                    };
                    match name.as_str() {
                        "analyze" => analyze = on,
                        "timing" => timing = on,
                        "summary" => summary = on,
                        // Without a cost model the output is always COSTS OFF's.
                        "costs" => {}
                        other => return Err(unsupported(format!("EXPLAIN option {other}"))),
                    }
                }
                let outer_plans_only = self.plans_only.replace(!analyze);
                let explained = self.bind_explained(statement);
                self.plans_only.set(outer_plans_only);
                let (rel, columns, write) = explained?;
                // The locked rows replace their node before the tree runs (no counts of its own).
                let mut locks = false;
                rel.visit(&mut |node| locks |= matches!(node, Rel::LockRows { .. }));
                if analyze && locks {
                    return Err(unsupported(
                        "EXPLAIN ANALYZE of SELECT ... FOR UPDATE/SHARE",
                    ));
                }
                Ok(Plan::Explain {
                    analyze,
                    timing,
                    summary,
                    query: Arc::new(QueryPlan { rel, columns }),
                    write,
                    columns: vec![OutputColumn {
                        name: "QUERY PLAN".into(),
                        ty: DataType::Text,
                        source: None,
                    }],
                })
            }
            Statement::Insert(insert) => self.bind_insert(insert),
            Statement::Merge {
                table,
                source,
                on,
                clauses,
                output,
                ..
            } => {
                if output.is_some() {
                    return Err(unsupported("MERGE ... RETURNING"));
                }
                self.bind_merge(table, source, on, clauses)
            }
            Statement::Update {
                table,
                assignments,
                from,
                selection,
                returning,
                or,
                limit,
            } => {
                if let Some(limit) = limit {
                    return Err(self.misplaced_word(limit.span(), "limit"));
                }
                if or.is_some() || !table.joins.is_empty() {
                    return Err(unsupported("this form of UPDATE"));
                }
                let from = match from {
                    None => &[][..],
                    Some(
                        ast::UpdateTableFromKind::AfterSet(from)
                        | ast::UpdateTableFromKind::BeforeSet(from),
                    ) => from.as_slice(),
                };
                self.bind_update(
                    &table.relation,
                    assignments,
                    from,
                    selection.as_ref(),
                    returning.as_ref(),
                )
            }
            Statement::Delete(delete) => {
                // MySQL's ORDER BY and LIMIT, which PostgreSQL's grammar has not.
                if let Some(first) = delete.order_by.first() {
                    return Err(self.misplaced_word(first.expr.span(), "order"));
                }
                if let Some(limit) = &delete.limit {
                    return Err(self.misplaced_word(limit.span(), "limit"));
                }
                if !delete.tables.is_empty() {
                    return Err(unsupported("this form of DELETE"));
                }
                let tables = match &delete.from {
                    FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables) => {
                        tables
                    }
                };
                if tables.len() != 1 || !tables[0].joins.is_empty() {
                    return Err(unsupported("DELETE from several tables"));
                }
                self.bind_delete(
                    &tables[0].relation,
                    delete.using.as_deref().unwrap_or_default(),
                    delete.selection.as_ref(),
                    delete.returning.as_ref(),
                )
            }
            Statement::CreateTable(create) => self.bind_create_table(create),
            Statement::CreateIndex(create) => self.bind_create_index(create),
            Statement::CreateSequence {
                temporary,
                if_not_exists,
                name,
                data_type,
                sequence_options,
                owned_by,
            } => {
                if *temporary {
                    return Err(unsupported("temporary sequences"));
                }
                self.bind_create_sequence(
                    name,
                    *if_not_exists,
                    data_type.as_ref(),
                    sequence_options,
                    owned_by.as_ref(),
                )
            }
            Statement::CreateType {
                name,
                representation: ast::UserDefinedTypeRepresentation::Enum { labels },
            } => {
                let (name, _) = self.create_name_in(name, false)?;
                let labels = labels.iter().map(|l| l.value.clone()).collect();
                Ok(Plan::Type(crate::plan::TypeCommand::Create {
                    name,
                    labels,
                }))
            }
            Statement::CreateType {
                name,
                representation: ast::UserDefinedTypeRepresentation::Composite { attributes },
            } => self.bind_create_composite(name, attributes),
            // Keel loads no extensions: none can be made, none exists to drop.
            Statement::CreateExtension { name, .. } => Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("extension \"{}\" is not available", ident_name(name)),
            )
            .with_hint("Keel has no extensions.")),
            Statement::DropExtension {
                names,
                if_exists: true,
                ..
            } => Ok(Plan::DropExtensions {
                names: names.iter().map(ident_name).collect(),
            }),
            Statement::DropExtension { names, .. } => Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!(
                    "extension \"{}\" does not exist",
                    names.first().map(ident_name).unwrap_or_default()
                ),
            )),
            Statement::Drop {
                object_type: ObjectType::Type,
                if_exists,
                names,
                cascade,
                ..
            } => {
                let mut keys = Vec::with_capacity(names.len());
                for name in names {
                    match (self.enum_named(name)?, self.composite_named(name)?) {
                        (Some(def), _) => keys.push(def.name.clone()),
                        (None, Some(def)) => keys.push(def.name.clone()),
                        (None, None) => keys.push(name.to_string()),
                    }
                }
                Ok(Plan::Type(crate::plan::TypeCommand::Drop {
                    names: keys,
                    if_exists: *if_exists,
                    cascade: *cascade,
                }))
            }
            Statement::AlterType(ast::AlterType {
                name,
                operation: ast::AlterTypeOperation::Rename(rename),
            }) if self.composite_named(name)?.is_some() => {
                let key = self.composite_named(name)?.expect("checked").name.clone();
                let schema = crate::catalog::split_name(&key).0;
                Ok(Plan::Type(crate::plan::TypeCommand::Rename {
                    to: crate::catalog::qualify(schema, &ident_name(&rename.new_name)),
                    name: key,
                }))
            }
            Statement::AlterType(ast::AlterType { name, .. })
                if self.composite_named(name)?.is_some() =>
            {
                Err(SqlError::new(
                    code::WRONG_OBJECT_TYPE,
                    format!(
                        "{} is not an enum",
                        self.composite_named(name)?.expect("checked").relname()
                    ),
                ))
            }
            Statement::AlterType(ast::AlterType { name, operation }) => {
                let def = self.enum_named(name)?.ok_or_else(|| {
                    SqlError::new(
                        code::UNDEFINED_OBJECT,
                        format!("type \"{name}\" does not exist"),
                    )
                })?;
                let key = def.name.clone();
                use crate::plan::TypeCommand;
                Ok(Plan::Type(match operation {
                    ast::AlterTypeOperation::AddValue(add) => TypeCommand::AddValue {
                        name: key,
                        label: add.value.value.clone(),
                        neighbour: add.position.as_ref().map(|position| match position {
                            ast::AlterTypeAddValuePosition::Before(n) => (n.value.clone(), false),
                            ast::AlterTypeAddValuePosition::After(n) => (n.value.clone(), true),
                        }),
                        if_not_exists: add.if_not_exists,
                    },
                    ast::AlterTypeOperation::RenameValue(rename) => TypeCommand::RenameValue {
                        name: key,
                        from: rename.from.value.clone(),
                        to: rename.to.value.clone(),
                    },
                    ast::AlterTypeOperation::Rename(rename) => {
                        let schema = crate::catalog::split_name(&key).0;
                        TypeCommand::Rename {
                            to: crate::catalog::qualify(schema, &ident_name(&rename.new_name)),
                            name: key,
                        }
                    }
                }))
            }
            Statement::Drop {
                object_type: ObjectType::Sequence,
                if_exists,
                names,
                cascade,
                ..
            } => {
                let names = names
                    .iter()
                    .map(|name| self.table_name(name).map(|(name, _)| name))
                    .collect::<SqlResult<Vec<_>>>()?;
                Ok(Plan::DropSequences {
                    names,
                    if_exists: *if_exists,
                    cascade: *cascade,
                })
            }
            Statement::Drop {
                object_type: object_type @ (ObjectType::Index | ObjectType::View),
                if_exists,
                names,
                cascade,
                ..
            } => {
                let names = names
                    .iter()
                    .map(|name| self.table_name(name).map(|(name, _)| name))
                    .collect::<SqlResult<Vec<_>>>()?;
                let if_exists = *if_exists;
                Ok(match object_type {
                    ObjectType::Index => Plan::DropIndexes {
                        names,
                        if_exists,
                        cascade: *cascade,
                    },
                    _ => Plan::DropViews {
                        names,
                        if_exists,
                        cascade: *cascade,
                    },
                })
            }
            Statement::CreateView {
                or_replace,
                materialized,
                name,
                columns,
                query,
                temporary,
                if_not_exists,
                options,
                ..
            } => {
                if *materialized {
                    if *temporary {
                        // PostgreSQL has no temporary materialized views.
                        let at = self.text.to_ascii_lowercase().find("materialized");
                        let at = at.map(|byte| self.offset + self.text[..byte].chars().count() + 1);
                        return Err(
                            SqlError::syntax("syntax error at or near \"materialized\"").at(at)
                        );
                    }
                    return self.bind_create_matview(name, columns, query, options, *if_not_exists);
                }
                if *if_not_exists {
                    return Err(unsupported("this form of CREATE VIEW"));
                }
                let options = view_options(options)?;
                let (_, bound, stored) = self.bind_stored_query(query)?;
                // A view of a temporary table is temporary too, as PostgreSQL makes it.
                let implicit_temp = !*temporary && self.reads_temp.get();
                // (PostgreSQL gives no position here, unlike CREATE TABLE's.)
                let (name, _) = self
                    .create_name_in(name, *temporary || implicit_temp)
                    .map_err(SqlError::unplaced)?;
                if columns.len() > bound.len() {
                    return Err(SqlError::syntax(
                        "CREATE VIEW specifies more column names than columns",
                    ));
                }
                // A column read straight from a table keeps its declared type (numeric(5,2)).
                let types: Vec<DataType> = bound
                    .iter()
                    .map(|c| match c.declared_type(self.catalog) {
                        DataType::Unknown => DataType::Text,
                        ty => ty,
                    })
                    .collect();
                let mut names: Vec<String> = bound.into_iter().map(|c| c.name).collect();
                for (slot, column) in names.iter_mut().zip(columns) {
                    *slot = ident_name(&column.name);
                }
                for (i, name) in names.iter().enumerate() {
                    if names[..i].contains(name) {
                        return Err(SqlError::new(
                            code::DUPLICATE_COLUMN,
                            format!("column \"{name}\" specified more than once"),
                        ));
                    }
                }
                Ok(Plan::CreateView {
                    view: crate::catalog::ViewDef {
                        name,
                        columns: names,
                        types,
                        options,
                        ..stored
                    },
                    or_replace: *or_replace,
                    implicit_temp,
                })
            }
            Statement::CreateRole { .. } | Statement::AlterRole { .. } => self.bind_role(statement),
            Statement::Grant { .. } | Statement::Revoke { .. } => self.bind_grant(statement),
            Statement::Drop {
                object_type: ObjectType::Role | ObjectType::User,
                ..
            } => self.bind_role(statement),
            Statement::Drop {
                object_type: ObjectType::Schema,
                if_exists,
                names,
                cascade,
                ..
            } => {
                let names = names
                    .iter()
                    .map(|name| match self.name_parts(name)?.as_slice() {
                        [(schema, _)] => Ok(schema.clone()),
                        _ => Err(SqlError::syntax(format!(
                            "improper qualified name (too many dotted names): {name}"
                        ))),
                    })
                    .collect::<SqlResult<Vec<_>>>()?;
                Ok(Plan::DropSchemas {
                    names,
                    if_exists: *if_exists,
                    cascade: *cascade,
                })
            }
            Statement::AlterSchema(alter) => {
                let name = self.role_name(&alter.name)?;
                let [operation] = alter.operations.as_slice() else {
                    return Err(unsupported("this form of ALTER SCHEMA"));
                };
                let (rename, owner) = match operation {
                    ast::AlterSchemaOperation::Rename { name: new } => {
                        let new = self.role_name(new)?;
                        check_schema_name(&new)?;
                        (Some(new), None)
                    }
                    ast::AlterSchemaOperation::OwnerTo { owner } => {
                        let role = self.new_owner(owner);
                        if self.catalog.role(&role).is_none() {
                            return Err(SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!("role \"{role}\" does not exist"),
                            ));
                        }
                        (None, Some(role))
                    }
                    _ => return Err(unsupported("this form of ALTER SCHEMA")),
                };
                Ok(Plan::AlterSchema {
                    name,
                    rename,
                    owner,
                })
            }
            Statement::CreateSchema {
                schema_name,
                if_not_exists,
                with: None,
                options: None,
                default_collate_spec: None,
                clone: None,
            } => {
                let (name, owner) = match schema_name {
                    ast::SchemaName::Simple(name) => (Some(name), None),
                    ast::SchemaName::UnnamedAuthorization(role) => (None, Some(role)),
                    ast::SchemaName::NamedAuthorization(name, role) => (Some(name), Some(role)),
                };
                let owner = match owner {
                    Some(role) => {
                        let role = ident_name(role);
                        if self.catalog.role(&role).is_none() {
                            return Err(SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!("role \"{role}\" does not exist"),
                            ));
                        }
                        role
                    }
                    None => self.session.user.clone(),
                };
                let name = match name {
                    Some(name) => match self.name_parts(name)?.as_slice() {
                        [(schema, _)] => schema.clone(),
                        _ => {
                            return Err(SqlError::syntax(format!(
                                "improper qualified name (too many dotted names): {name}"
                            )))
                        }
                    },
                    None => owner.clone(),
                };
                check_schema_name(&name)?;
                Ok(Plan::CreateSchema {
                    name,
                    owner,
                    if_not_exists: *if_not_exists,
                })
            }
            Statement::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                ..
            } => {
                let matviews = *object_type == ObjectType::MaterializedView;
                if *object_type != ObjectType::Table && !matviews {
                    return Err(unsupported(format!("DROP {object_type}")));
                }
                let names = names
                    .iter()
                    .map(|name| self.table_name(name))
                    .collect::<SqlResult<Vec<_>>>()?;
                Ok(Plan::DropTables {
                    names,
                    if_exists: *if_exists,
                    cascade: *cascade,
                    matviews,
                })
            }
            Statement::Comment {
                object_type,
                object_name,
                comment,
                if_exists: false,
            } => match object_type {
                ast::CommentObject::Table => Ok(Plan::Comment {
                    // PostgreSQL reports a missing table here without a position.
                    table: self
                        .catalog
                        .table(&self.table_name(object_name)?.0)?
                        .clone(),
                    column: None,
                    text: comment.clone(),
                }),
                ast::CommentObject::Column => {
                    let mut parts = object_name.0.clone();
                    let Some(column) = parts.pop() else {
                        return Err(SqlError::syntax("column name missing"));
                    };
                    if parts.is_empty() {
                        return Err(SqlError::syntax("column name must be qualified"));
                    }
                    let table = self.lookup_table(&ObjectName(parts))?;
                    let column = match &column {
                        ObjectNamePart::Identifier(ident) => ident_name(ident),
                        other => other.to_string(),
                    };
                    let position = table.column_position(&column)?;
                    Ok(Plan::Comment {
                        table,
                        column: Some(position),
                        text: comment.clone(),
                    })
                }
                other => Err(unsupported(format!("COMMENT ON {other}"))),
            },
            Statement::Truncate {
                table_names,
                partitions,
                identity,
                cascade,
                ..
            } => {
                if partitions.is_some() {
                    return Err(unsupported("TRUNCATE with partitions"));
                }
                let mut tables: Vec<Arc<TableDef>> = Vec::new();
                for target in table_names {
                    let table = self.lookup_table(&target.name)?;
                    if table.matview.is_some() {
                        return Err(crate::catalog::not_a(&table.name, "table"));
                    }
                    if !tables.iter().any(|t| t.id == table.id) {
                        tables.push(table);
                    }
                }
                // CASCADE: the tables referencing them, and those referencing these, in turn.
                let named = tables.len();
                if matches!(cascade, Some(ast::CascadeOption::Cascade)) {
                    let mut at = 0;
                    while at < tables.len() {
                        // In creation order, as PostgreSQL's OID order.
                        let mut children: Vec<Arc<TableDef>> = (self.catalog)
                            .referencing(tables[at].id)
                            .into_iter()
                            .map(|(child, _)| child.clone())
                            .collect();
                        children.sort_by_key(|child| child.id);
                        for child in children {
                            if !tables.iter().any(|t| t.id == child.id) {
                                tables.push(child);
                            }
                        }
                        at += 1;
                    }
                }
                for table in &tables {
                    self.require(table, PRIV_TRUNCATE)?;
                }
                for table in &tables {
                    let outside = self
                        .catalog
                        .referencing(table.id)
                        .into_iter()
                        .find(|(child, _)| !tables.iter().any(|t| t.id == child.id));
                    if let Some((child, _)) = outside {
                        return Err(SqlError::new(
                            code::FEATURE_NOT_SUPPORTED,
                            "cannot truncate a table referenced in a foreign key constraint",
                        )
                        .with_detail(format!(
                            "Table \"{}\" references \"{}\".",
                            child.name, table.name
                        ))
                        .with_hint(format!(
                            "Truncate table \"{}\" at the same time, or use TRUNCATE ... CASCADE.",
                            crate::catalog::relname(&child.name)
                        )));
                    }
                }
                // RESTART IDENTITY: the sequences the tables own, each of which the user must own.
                let mut restart: Vec<&crate::catalog::SequenceDef> = Vec::new();
                if matches!(identity, Some(ast::TruncateIdentityOption::Restart)) {
                    restart = (self.catalog.sequences.values())
                        .filter(|seq| {
                            seq.owned_by.as_ref().is_some_and(|(owner, _)| {
                                tables.iter().any(|table| table.name == *owner)
                            })
                        })
                        .map(|seq| &**seq)
                        .collect();
                    restart.sort_by_key(|seq| seq.id);
                }
                for seq in &restart {
                    if !(self.catalog).is_owner(seq.owner.as_deref(), self.acting_role()) {
                        return Err(SqlError::new(
                            code::INSUFFICIENT_PRIVILEGE,
                            format!(
                                "must be owner of sequence {}",
                                crate::catalog::relname(&seq.name)
                            ),
                        ));
                    }
                }
                Ok(Plan::Truncate {
                    cascaded: tables.len() - named,
                    restart: restart.iter().map(|seq| seq.name.clone()).collect(),
                    tables,
                })
            }
            Statement::AlterIndex {
                name,
                operation: ast::AlterIndexOperation::RenameIndex { index_name },
            } => self.rename_index(name, index_name),
            Statement::AlterTable {
                name,
                if_exists,
                operations,
                ..
            } => {
                if !self.altering_matview.get() && crate::parse::alters_matview(self.text) {
                    self.altering_matview.set(true);
                    let plan = self.bind_alter_matview(statement, name, *if_exists);
                    self.altering_matview.set(false);
                    return plan;
                }
                if *if_exists {
                    let (relation, _) = self.table_name(name)?;
                    if !self.catalog.relation_exists(&relation)
                        && !self.catalog.views.contains_key(&relation)
                    {
                        return Ok(skipped_relation(&name.to_string(), "ALTER TABLE"));
                    }
                }
                if let [AlterTableOperation::OwnerTo { new_owner }] = operations.as_slice() {
                    let (relation, _) = self.table_name(name)?;
                    if !self.catalog.relation_exists(&relation) {
                        return Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!("relation \"{relation}\" does not exist"),
                        ));
                    }
                    return Ok(Plan::AlterOwner {
                        relation,
                        role: self.new_owner(new_owner),
                        tag: "ALTER TABLE",
                    });
                }
                // ALTER TABLE renames a view too, as in PostgreSQL.
                if let [AlterTableOperation::RenameTable { table_name }] = operations.as_slice() {
                    let (relation, _) = self.table_name(name)?;
                    if self.catalog.views.contains_key(&relation) {
                        let (ast::RenameTableNameKind::To(to) | ast::RenameTableNameKind::As(to)) =
                            table_name;
                        let parts = self.name_parts(to)?;
                        let to = &parts.last().expect("a name has a part").0;
                        let written = name.to_string();
                        return self.rename_view(&relation, &written, false, to, "ALTER TABLE");
                    }
                }
                // PostgreSQL names no position here (AlterTableLookupRelation).
                let table = self.lookup_table(name).map_err(SqlError::unplaced)?;
                if table.matview.is_some() {
                    matviews::alterable(&table, operations)?;
                }
                if let Some(steps) = alter_table_steps(&table, operations) {
                    // A column to drop that is not there stops the statement before its first
                    // step (Keel's refusal to drop a table's last column would come first).
                    for operation in operations {
                        if let AlterTableOperation::DropColumn {
                            column_names,
                            if_exists: false,
                            ..
                        } = operation
                        {
                            table.column_position(&ident_name(&column_names[0]))?;
                        }
                    }
                    return Ok(Plan::AlterTableSteps { table, steps });
                }
                match operations.as_slice() {
                    [AlterTableOperation::AddConstraint {
                        constraint:
                            constraint @ (TableConstraint::PrimaryKey { name, columns, .. }
                            | TableConstraint::Unique { name, columns, .. }),
                        ..
                    }] => {
                        let nulls_not_distinct = matches!(
                            constraint,
                            TableConstraint::Unique {
                                nulls_distinct: ast::NullsDistinctOption::NotDistinct,
                                ..
                            }
                        );
                        let include = (self.constraint_include(columns).iter())
                            .map(|name| {
                                table
                                    .column_index(name)
                                    .ok_or_else(|| missing_key_column(name))
                            })
                            .collect::<SqlResult<Vec<usize>>>()?;
                        let columns = columns
                            .iter()
                            .map(|column| self.index_column(&table, &column.column.expr))
                            .collect::<SqlResult<Vec<_>>>()?;
                        // Named in the table's schema, as every index.
                        let schema = crate::catalog::split_name(&table.name).0.to_string();
                        let name = name
                            .as_ref()
                            .map(|n| crate::catalog::qualify(&schema, &ident_name(n)));
                        if matches!(constraint, TableConstraint::PrimaryKey { .. }) {
                            return Ok(Plan::AddPrimaryKey {
                                table,
                                columns,
                                name,
                                include,
                            });
                        }
                        Ok(Plan::CreateIndex {
                            gin: None,
                            table,
                            name,
                            columns,
                            options: Vec::new(),
                            unique: true,
                            if_not_exists: false,
                            constraint: true,
                            predicate: None,
                            expressions: Vec::new(),
                            expression_types: Vec::new(),
                            include,
                            nulls_not_distinct,
                            storage: Vec::new(),
                            bound: None,
                        })
                    }
                    [AlterTableOperation::AddConstraint {
                        constraint: TableConstraint::Check { name, expr, .. },
                        not_valid,
                    }] => {
                        let mut check = self.bind_check(
                            &table,
                            name.as_ref().map(ident_name),
                            expr,
                            None,
                            false,
                        )?;
                        check.not_valid = *not_valid;
                        Ok(Plan::AddCheck { table, check })
                    }
                    [AlterTableOperation::ValidateConstraint { name }] => {
                        Ok(Plan::ValidateConstraint {
                            // With its checks bound, to check the rows against.
                            table: self.write_target(table)?,
                            name: ident_name(name),
                        })
                    }
                    [AlterTableOperation::AddConstraint {
                        constraint:
                            TableConstraint::ForeignKey {
                                name,
                                columns: key_columns,
                                foreign_table,
                                referred_columns,
                                on_delete,
                                on_update,
                                characteristics,
                                ..
                            },
                        not_valid,
                    }] => {
                        let key = key_columns
                            .iter()
                            .map(|ident| {
                                let column = ident_name(ident);
                                table.column_index(&column).ok_or_else(|| {
                                    SqlError::new(
                                        code::UNDEFINED_COLUMN,
                                        format!(
                                            "column \"{column}\" referenced in foreign key constraint does not exist"
                                        ),
                                    )
                                })
                            })
                            .collect::<SqlResult<Vec<_>>>()?;
                        let fk = self.bind_foreign_key(
                            &table,
                            ForeignKeyClause {
                                name: name.as_ref().map(ident_name),
                                columns: key,
                                parent: foreign_table,
                                parent_columns: referred_columns,
                                on_delete: *on_delete,
                                on_update: *on_update,
                                characteristics: characteristics.as_ref(),
                            },
                        )?;
                        let fk = crate::catalog::ForeignKeyDef {
                            not_valid: *not_valid,
                            ..fk
                        };
                        Ok(Plan::AddForeignKey { table, fk })
                    }
                    [AlterTableOperation::DropColumn {
                        column_names,
                        if_exists,
                        drop_behavior,
                        ..
                    }] if column_names.len() == 1 => {
                        let name = ident_name(&column_names[0]);
                        let column = table.column_index(&name);
                        if column.is_none() && !*if_exists {
                            table.column_position(&name)?;
                        }
                        let mut checks = Vec::new();
                        let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                        let mut generated = Vec::new();
                        if let Some(c) = column {
                            let bound = self.write_target(table.clone())?;
                            // Generated columns that read it: dropped first with CASCADE (else
                            // PostgreSQL's dependency error, when the plan runs).
                            let users: Vec<usize> = (bound.generated_reading(&[c]).into_iter())
                                .filter(|&g| g != c)
                                .collect();
                            if table.columns.len() == 1 + users.len() {
                                return Err(unsupported("tables without columns"));
                            }
                            generated = (users.iter())
                                .map(|&g| table.columns[g].name.clone())
                                .collect();
                            // The CHECK constraints that read it (or a generated column dropped
                            // with it) go with it.
                            for check in &bound.checks {
                                let mut read = Vec::new();
                                if let Some(condition) = &check.bound {
                                    condition.columns(&mut read);
                                }
                                if read.contains(&c) || read.iter().any(|r| users.contains(r)) {
                                    checks.push(check.name.clone());
                                }
                            }
                        }
                        Ok(Plan::DropColumn {
                            table,
                            column,
                            name,
                            cascade,
                            checks,
                            generated,
                        })
                    }
                    [AlterTableOperation::DropConstraint {
                        if_exists,
                        name,
                        drop_behavior,
                    }] => Ok(Plan::DropConstraint {
                        table,
                        name: ident_name(name),
                        if_exists: *if_exists,
                        cascade: matches!(drop_behavior, Some(ast::DropBehavior::Cascade)),
                    }),
                    operations => self.bind_alter_table(table, operations),
                }
            }
            other => {
                let text = other.to_string();
                let feature: Vec<&str> = text.split_whitespace().take(2).collect();
                Err(unsupported(feature.join(" ").to_uppercase()))
            }
        }
    }

    /// ALTER TABLE renames, ADD COLUMN, ALTER COLUMN SET/DROP DEFAULT and NOT NULL, applied in
    /// order to the table's next definition.
    fn bind_alter_table(
        &mut self,
        table: Arc<TableDef>,
        operations: &[AlterTableOperation],
    ) -> SqlResult<Plan> {
        let mut new = (*table).clone();
        let mut fill = Vec::new();
        let mut not_null = Vec::new();
        let mut notices = Vec::new();
        let mut sequences = Vec::new();
        let mut retype = Vec::new();
        let column_of =
            |new: &TableDef, ident: &ast::Ident| new.column_position(&ident_name(ident));
        for operation in operations {
            match operation {
                AlterTableOperation::RenameTable { table_name } => {
                    let (ast::RenameTableNameKind::To(name) | ast::RenameTableNameKind::As(name)) =
                        table_name;
                    // The new name is in the table's schema (PostgreSQL ignores none given).
                    let parts = self.name_parts(name)?;
                    let relation = &parts.last().expect("a name has a part").0;
                    let name = crate::catalog::qualify(
                        crate::catalog::split_name(&table.name).0,
                        relation,
                    );
                    // Names derived from the old one stay, as in PostgreSQL.
                    new.primary_key_name = Some(new.pkey_name());
                    new.name = name;
                }
                AlterTableOperation::RenameConstraint { old_name, new_name } => {
                    self.rename_constraint(&mut new, &ident_name(old_name), &ident_name(new_name))?;
                }
                AlterTableOperation::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => {
                    let name = ident_name(old_column_name);
                    let index = new.column_index(&name).ok_or_else(|| {
                        SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{name}\" does not exist"),
                        )
                    })?;
                    let to = ident_name(new_column_name);
                    if new.column_index(&to).is_some() {
                        return Err(SqlError::new(
                            code::DUPLICATE_COLUMN,
                            format!(
                                "column \"{to}\" of relation \"{}\" already exists",
                                crate::catalog::relname(&new.name)
                            ),
                        ));
                    }
                    for check in &mut new.checks {
                        check.sql = rename_identifier(&check.sql, &name, &to);
                    }
                    for column in &mut new.columns {
                        if let Some(generated) = &mut column.generated {
                            generated.sql = rename_identifier(&generated.sql, &name, &to);
                        }
                    }
                    for index in &mut new.indexes {
                        let rename = |sql: &String| rename_identifier(sql, &name, &to);
                        index.predicate = index.predicate.as_ref().map(rename);
                        index.expressions = index.expressions.iter().map(rename).collect();
                    }
                    new.columns[index].name = to;
                }
                AlterTableOperation::AddColumn {
                    if_not_exists,
                    column_def,
                    ..
                } => {
                    let name = ident_name(&column_def.name);
                    if new.column_index(&name).is_some() {
                        let message = format!(
                            "column \"{name}\" of relation \"{}\" already exists",
                            crate::catalog::relname(&new.name)
                        );
                        if *if_not_exists {
                            notices.push(SqlError::new(
                                code::DUPLICATE_COLUMN,
                                format!("{message}, skipping"),
                            ));
                            continue;
                        }
                        return Err(SqlError::new(code::DUPLICATE_COLUMN, message));
                    }
                    let serial = serial_type(&column_def.data_type);
                    let ty = match serial {
                        Some(ty) => ty,
                        None => self.data_type(&column_def.data_type)?,
                    };
                    let mut def = ColumnDef {
                        domain: self.column_domain(&column_def.data_type),
                        ..ColumnDef::new(name, ty)
                    };
                    let column = new.columns.len();
                    // A value the session computes for each row there (a sequence's next).
                    let mut per_row = None;
                    if serial.is_some() {
                        self.owned_sequence(&table.name, &mut def, &[], &mut sequences)?;
                        per_row = Some(self.next_value_of(sequences.last(), &def)?);
                    }
                    let mut checks = Vec::new();
                    let mut generated = None;
                    for option in &column_def.options {
                        match &option.option {
                            ColumnOption::Null => def.not_null = false,
                            ColumnOption::NotNull => def.not_null = true,
                            ColumnOption::Default(expr) => {
                                if def.generated.is_some() {
                                    return Err(both_default_and_generated(&def, &table.name)
                                        .at(self.word_before(expr.span(), "default")));
                                }
                                let bound = self.bind_expr(
                                    expr,
                                    &Scope::empty(),
                                    &mut AggCollector::default(),
                                )?;
                                let bound = self.assign_cast(bound, ty, &def.name, expr.span())?;
                                let mut subquery = false;
                                bound.visit(&mut |e| subquery |= matches!(e, Expr::Subquery(_)));
                                if subquery {
                                    return Err(SqlError::new(
                                        code::FEATURE_NOT_SUPPORTED,
                                        "cannot use subquery in DEFAULT expression",
                                    ));
                                }
                                def.default = Some(self.default_text(expr, ty));
                                if !bound.is_local() {
                                    per_row = Some(bound);
                                } else if bound != Expr::Const(Value::Null) {
                                    fill.push((column, bound));
                                }
                            }
                            ColumnOption::Generated {
                                generated_as:
                                    generated_as @ (GeneratedAs::Always | GeneratedAs::ByDefault),
                                sequence_options,
                                generation_expr: None,
                                ..
                            } => {
                                if def.generated.is_some() {
                                    return Err(both_identity_and_generated(&def, &table.name));
                                }
                                self.identity_column(
                                    &table.name,
                                    &mut def,
                                    *generated_as == GeneratedAs::Always,
                                    sequence_options.as_deref().unwrap_or_default(),
                                    &mut sequences,
                                )?;
                                per_row = Some(self.next_value_of(sequences.last(), &def)?);
                            }
                            ColumnOption::Generated {
                                generated_as,
                                generation_expr: Some(expr),
                                generated_keyword,
                                ..
                            } => {
                                def.generated = Some(self.generated_clause(
                                    &def,
                                    &table.name,
                                    (generated_as, *generated_keyword),
                                    expr,
                                )?);
                                generated = Some(expr);
                                // Each row's value: the bound expression, once bound below.
                                per_row = Some(Expr::Const(Value::Null));
                            }
                            ColumnOption::Check(expr) => {
                                checks.push((option.name.as_ref().map(ident_name), expr))
                            }
                            other => return Err(unsupported(format!("ADD COLUMN ... {other}"))),
                        }
                    }
                    // A domain's default fills the rows there when the column has none.
                    if def.default.is_none() && per_row.is_none() {
                        if let Some(expr) = self.stored_default_expr(&def)? {
                            let bound = self.bind_expr(
                                &expr,
                                &Scope::empty(),
                                &mut AggCollector::default(),
                            )?;
                            fill.push((
                                column,
                                self.assign_cast(bound, ty, &def.name, expr.span())?,
                            ));
                        }
                    }
                    let filled = fill.iter().any(|(c, _)| *c == column) || per_row.is_some();
                    if (def.not_null || self.domain_not_null(&def)) && !filled {
                        not_null.push(column);
                    }
                    if let Some(value) = per_row {
                        retype.push((column, value));
                    }
                    new.columns.push(def);
                    if let Some(expr) = generated {
                        self.bind_generation(&new, column, expr)?;
                    }
                    for (name, expr) in checks {
                        let check = self.bind_check(&new, name, expr, Some(column), false)?;
                        new.checks.push(check);
                        new.checks.sort_by(|a, b| a.name.cmp(&b.name));
                    }
                }
                AlterTableOperation::AlterColumn { column_name, op } => {
                    let index = column_of(&new, column_name)?;
                    match op {
                        ast::AlterColumnOperation::SetNotNull => {
                            if !new.columns[index].not_null {
                                new.columns[index].not_null = true;
                                not_null.push(index);
                            }
                        }
                        ast::AlterColumnOperation::DropNotNull => {
                            if new.primary_key.contains(&index) {
                                return Err(SqlError::new(
                                    code::INVALID_TABLE_DEFINITION,
                                    format!(
                                        "column \"{}\" is in a primary key",
                                        new.columns[index].name
                                    ),
                                ));
                            }
                            new.columns[index].not_null = false;
                        }
                        ast::AlterColumnOperation::SetDefault { value } => {
                            generated_default(&new, index, false)?;
                            let bound = self.bind_expr(
                                value,
                                &Scope::empty(),
                                &mut AggCollector::default(),
                            )?;
                            let def = &new.columns[index];
                            self.assign_cast(bound, def.ty, &def.name, value.span())?;
                            let ty = def.ty;
                            new.columns[index].default = Some(self.default_text(value, ty));
                        }
                        ast::AlterColumnOperation::DropDefault => {
                            generated_default(&new, index, true)?;
                            new.columns[index].default = None;
                        }
                        ast::AlterColumnOperation::AddGenerated {
                            generated_as,
                            sequence_options,
                        } => {
                            // PostgreSQL's checks (`ATExecAddIdentity`), in its order.
                            let def = &new.columns[index];
                            let prerequisite = |what: &str| {
                                Err(SqlError::new(
                                    code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                                    format!(
                                        "column \"{}\" of relation \"{}\" {what}",
                                        def.name,
                                        crate::catalog::relname(&table.name)
                                    ),
                                ))
                            };
                            if !def.not_null {
                                return prerequisite(
                                    "must be declared NOT NULL before identity can be added",
                                );
                            }
                            if def.identity.is_some() {
                                return prerequisite("is already an identity column");
                            }
                            if def.default.is_some() {
                                return prerequisite("already has a default value");
                            }
                            if !matches!(def.ty, DataType::Int2 | DataType::Int4 | DataType::Int8) {
                                return Err(SqlError::new(
                                    code::DATATYPE_MISMATCH,
                                    "identity column type must be smallint, integer, or bigint",
                                ));
                            }
                            let options = sequence_options.clone().unwrap_or_default();
                            let mut def = new.columns[index].clone();
                            self.owned_sequence(&table.name, &mut def, &options, &mut sequences)?;
                            def.identity =
                                Some(!matches!(generated_as, Some(GeneratedAs::ByDefault)));
                            new.columns[index] = def;
                        }
                        ast::AlterColumnOperation::SetDataType {
                            data_type, using, ..
                        } => {
                            let def = &new.columns[index];
                            if def.generated.is_some() && using.is_some() {
                                return Err(SqlError::new(
                                    code::INVALID_COLUMN_DEFINITION,
                                    "cannot specify USING when altering type of generated column",
                                )
                                .with_detail(format!(
                                    "Column \"{}\" is a generated column.",
                                    def.name
                                )));
                            }
                            let bound = self.bind_table_expressions(Arc::new(new.clone()))?;
                            if let Some(&user) = bound.generated_reading(&[index]).first() {
                                return Err(SqlError::new(
                                    code::FEATURE_NOT_SUPPORTED,
                                    "cannot alter type of a column used by a generated column",
                                )
                                .with_detail(format!(
                                    "Column \"{}\" is used by generated column \"{}\".",
                                    def.name, new.columns[user].name
                                )));
                            }
                            let conversion = self.bind_retype(
                                &table,
                                &mut new,
                                index,
                                data_type,
                                using.as_ref(),
                            )?;
                            retype.retain(|(c, _)| *c != index);
                            retype.push((index, conversion));
                            // A GIN index of the column is made again for the new type, as
                            // PostgreSQL rebuilds it: with its class as written (none: the
                            // type's default), which must take the type.
                            let ty = new.columns[index].ty;
                            for gin in &mut new.indexes {
                                let Some(class) = gin.gin.filter(|_| gin.columns == [index]) else {
                                    continue;
                                };
                                let written = (!class.is_default()).then(|| class.name());
                                gin.gin = Some(crate::gin::GinClass::of(written, ty, &ty.name())?);
                            }
                        }
                    }
                }
                AlterTableOperation::SetOptionsParens { options } => {
                    storage_options::set_storage_options(&mut new, options)?;
                }
                other => {
                    let text = other.to_string();
                    let words: Vec<&str> = text.split_whitespace().take(2).collect();
                    return Err(unsupported(format!("ALTER TABLE ... {}", words.join(" "))));
                }
            }
        }
        let retyped: Vec<usize> = retype.iter().map(|(column, _)| *column).collect();
        self.check_retyped_keys(&new, &retyped)?;
        new.unbind_expressions();
        let new = self.write_target(Arc::new(new))?;
        // Generated columns added or retyped: their expressions compute the rows' values.
        for (column, value) in &mut retype {
            if let Some(bound) =
                (new.columns[*column].generated.as_ref()).and_then(|g| g.bound.clone())
            {
                *value = bound;
            }
        }
        Ok(Plan::AlterTable {
            table,
            new,
            fill,
            not_null,
            notices,
            sequences,
            retype,
            identity: Vec::new(),
            tag: "ALTER TABLE",
        })
    }

    /// `ALTER INDEX name RENAME TO to`: the index keeps its table and schema (a primary key's
    /// or a UNIQUE constraint's index renames its constraint, as in PostgreSQL).
    fn rename_index(&mut self, name: &ObjectName, to: &ObjectName) -> SqlResult<Plan> {
        let (index, _) = self.table_name(name)?;
        let missing = || {
            SqlError::new(
                code::UNDEFINED_TABLE,
                format!(
                    "relation \"{}\" does not exist",
                    crate::catalog::relname(&index)
                ),
            )
        };
        let table = match self.catalog.table_of_index(&index) {
            Some(table) => table.clone(),
            None => (self.catalog.tables.values())
                .find(|t| {
                    !t.primary_key.is_empty()
                        && crate::catalog::qualify(
                            crate::catalog::split_name(&t.name).0,
                            &t.pkey_name(),
                        ) == index
                })
                .cloned()
                .ok_or_else(missing)?,
        };
        if !(self.catalog).is_owner(table.owner.as_deref(), self.acting_role()) {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                format!("must be owner of index {}", crate::catalog::relname(&index)),
            ));
        }
        let parts = self.name_parts(to)?;
        let to = parts.last().expect("a name has a part").0.clone();
        let schema = crate::catalog::split_name(&table.name).0.to_string();
        let qualified = crate::catalog::qualify(&schema, &to);
        if self.catalog.relation_exists(&qualified) {
            return Err(SqlError::new(
                code::DUPLICATE_TABLE,
                format!("relation \"{to}\" already exists"),
            ));
        }
        let mut new = (*table).clone();
        match new.indexes.iter_mut().find(|i| i.name == index) {
            Some(renamed) => renamed.name = qualified,
            None => new.primary_key_name = Some(to),
        }
        let new = self.write_target(Arc::new(new))?;
        Ok(alter_table_plan(table, new, "ALTER INDEX"))
    }

    /// `ALTER TABLE ... RENAME CONSTRAINT from TO to`: a CHECK, FOREIGN KEY, UNIQUE or
    /// PRIMARY KEY constraint of `table` (the index of one of the last two is renamed with it,
    /// as in PostgreSQL).
    fn rename_constraint(&self, table: &mut TableDef, from: &str, to: &str) -> SqlResult<()> {
        let relname = crate::catalog::relname(&table.name).to_string();
        let schema = crate::catalog::split_name(&table.name).0.to_string();
        let index_key = |name: &str| crate::catalog::qualify(&schema, name);
        let pkey = !table.primary_key.is_empty() && table.pkey_name() == from;
        let index = table
            .indexes
            .iter()
            .position(|i| i.constraint && i.name == index_key(from));
        let check = table.checks.iter().position(|c| c.name == from);
        let fk = table.foreign_keys.iter().position(|f| f.name == from);
        if !pkey && index.is_none() && check.is_none() && fk.is_none() {
            return Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!("constraint \"{from}\" for table \"{relname}\" does not exist"),
            ));
        }
        let taken = (table.checks.iter()).any(|c| c.name == to)
            || table.foreign_keys.iter().any(|f| f.name == to)
            || (table.indexes.iter()).any(|i| i.constraint && i.name == index_key(to))
            || (!table.primary_key.is_empty() && table.pkey_name() == to);
        if taken {
            return Err(SqlError::new(
                "42710",
                format!("constraint \"{to}\" for relation \"{relname}\" already exists"),
            ));
        }
        if (pkey || index.is_some()) && self.catalog.relation_exists(&index_key(to)) {
            return Err(SqlError::new(
                code::DUPLICATE_TABLE,
                format!("relation \"{to}\" already exists"),
            ));
        }
        if pkey {
            table.primary_key_name = Some(to.to_string());
        }
        if let Some(i) = index {
            table.indexes[i].name = index_key(to);
        }
        if let Some(i) = check {
            table.checks[i].name = to.to_string();
            table.checks.sort_by(|a, b| a.name.cmp(&b.name));
        }
        if let Some(i) = fk {
            table.foreign_keys[i].name = to.to_string();
            table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(())
    }

    /// `nextval` of the sequence just made for `column` (SERIAL, identity), cast to it: the
    /// value each existing row takes when the column is added.
    fn next_value_of(&mut self, seq: Option<&SequenceDef>, column: &ColumnDef) -> SqlResult<Expr> {
        let seq = seq.expect("the column's sequence was just made");
        let call = Expr::Sequence(
            SequenceCall {
                func: SeqFunc::NextVal,
                seq: Some(Arc::new(seq.clone())),
                named_by: None,
            },
            Vec::new(),
        );
        self.assign_cast(
            (call, DataType::Int8),
            column.ty,
            &column.name,
            Span::empty(),
        )
    }

    /// `ALTER COLUMN ... TYPE to [USING expr]`: sets the column's type in `new` and returns the
    /// expression over the table's rows as they are (`table`) that gives its new value. Without
    /// USING that is the assignment cast of the column, which must exist (PostgreSQL's rule);
    /// a default must cast to the new type the same way, an identity column stays an integer.
    fn bind_retype(
        &mut self,
        table: &TableDef,
        new: &mut TableDef,
        index: usize,
        data_type: &ast::DataType,
        using: Option<&ast::Expr>,
    ) -> SqlResult<Expr> {
        let name = new.columns[index].name.clone();
        if index >= table.columns.len() {
            // PostgreSQL changes types before it adds columns.
            return Err(SqlError::new(
                code::UNDEFINED_COLUMN,
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    crate::catalog::relname(&table.name)
                ),
            ));
        }
        // (PostgreSQL names no position for a type that does not exist here.)
        let to = self.data_type(data_type).map_err(SqlError::unplaced)?;
        let cannot = |what: String, hint: String| {
            SqlError::new(
                code::DATATYPE_MISMATCH,
                format!("{what} cannot be cast automatically to type {}", to.name()),
            )
            .with_hint(hint)
        };
        let from = table.columns[index].ty;
        let conversion = match using {
            None => {
                if !assignment_castable(from, to) {
                    return Err(cannot(
                        format!("column \"{name}\""),
                        format!(
                            "You might need to specify \"USING {}::{}\".",
                            crate::functions::quote_ident(&name),
                            to.name()
                        ),
                    ));
                }
                self.coerce_to(Expr::Column(index), from, to, Span::empty())?
            }
            Some(expr) => {
                let context = ("transform expressions", "transform expression");
                let (bound, ty) = self.bind_row_expr(table, expr, context)?;
                if !assignment_castable(ty, to) {
                    return Err(cannot(
                        format!("result of USING clause for column \"{name}\""),
                        "You might need to add an explicit cast.".into(),
                    ));
                }
                // A literal that is not of the type fails here, without a position (as
                // PostgreSQL's does).
                self.coerce_to(bound, ty, to, expr.span())
                    .map_err(SqlError::unplaced)?
            }
        };
        if let Some((_, ty)) = self.stored_default(&new.columns[index])? {
            // A bare literal was stored as a value of the column's type.
            let ty = if ty == DataType::Unknown { from } else { ty };
            if !assignment_castable(ty, to) {
                return Err(SqlError::new(
                    code::DATATYPE_MISMATCH,
                    format!(
                        "default for column \"{name}\" cannot be cast automatically to type {}",
                        to.name()
                    ),
                ));
            }
        }
        if new.columns[index].identity.is_some()
            && !matches!(to, DataType::Int2 | DataType::Int4 | DataType::Int8)
        {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                "identity column type must be smallint, integer, or bigint",
            ));
        }
        if new.columns[index].ty != from {
            // An earlier ALTER TYPE of the statement changed it (PostgreSQL's limit).
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("cannot alter type of column \"{name}\" twice"),
            ));
        }
        // A view (or a materialized view's query) holds the types of the columns it reads.
        let attnum = index as i16 + 1;
        let view = (self.catalog.stored_queries())
            .filter(|(_, view)| view.columns_read.contains(&(table.id, attnum)))
            .min_by_key(|(_, view)| view.id);
        if let Some((kind, view)) = view {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "cannot alter type of a column used by a view or rule",
            )
            .with_detail(format!(
                "rule _RETURN on {kind} {} depends on column \"{name}\"",
                view.name
            )));
        }
        new.columns[index].ty = to;
        // To a domain: each row's new value must pass its constraints.
        new.columns[index].domain = self.column_domain(data_type);
        match self.domain_of(data_type) {
            Some(def) => Ok(Expr::Domain(
                self.domain_coerce(&def)?,
                Box::new(conversion),
            )),
            None => Ok(conversion),
        }
    }

    /// After ALTER COLUMN ... TYPE of `retyped` columns: the foreign keys over them, this
    /// table's and those that reference it, must still compare their keys.
    fn check_retyped_keys(&self, new: &TableDef, retyped: &[usize]) -> SqlResult<()> {
        let touches = |columns: &[usize]| columns.iter().any(|c| retyped.contains(c));
        let parent_of = |id: keel_storage::TableId| {
            if id == new.id {
                Some(new)
            } else {
                self.catalog.table_by_id(id).map(|table| &**table)
            }
        };
        for fk in &new.foreign_keys {
            let own = fk.parent == new.id && touches(&fk.parent_columns);
            if !(touches(&fk.columns) || own) {
                continue;
            }
            if let Some(parent) = parent_of(fk.parent) {
                foreign_keys::check_key_types(
                    &fk.name,
                    new,
                    &fk.columns,
                    parent,
                    &fk.parent_columns,
                )?;
            }
        }
        for (child, fk) in self.catalog.referencing(new.id) {
            if child.id != new.id && touches(&fk.parent_columns) {
                foreign_keys::check_key_types(
                    &fk.name,
                    child,
                    &fk.columns,
                    new,
                    &fk.parent_columns,
                )?;
            }
        }
        Ok(())
    }

    fn index_column(&self, table: &TableDef, expr: &ast::Expr) -> SqlResult<usize> {
        match expr {
            ast::Expr::Identifier(ident) => {
                let name = ident_name(ident);
                table.column_index(&name).ok_or_else(|| {
                    SqlError::new(
                        code::UNDEFINED_COLUMN,
                        format!("column \"{name}\" named in key does not exist"),
                    )
                    .at(self.pos(ident.span))
                })
            }
            _ => Err(unsupported("expressions in keys")),
        }
    }

    fn bind_create_index(&mut self, create: &ast::CreateIndex) -> SqlResult<Plan> {
        let method = (create.using.as_ref()).map(|using| using.to_string().to_lowercase());
        let gin = method.as_deref() == Some("gin");
        if let Some(using) = method.as_deref().filter(|m| !gin && *m != "btree") {
            return Err(unsupported(format!("index access method \"{using}\"")));
        }
        // What a GIN index cannot be, in PostgreSQL's words (its checks come first).
        let gin_cannot = |what: &str| {
            SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("access method \"gin\" does not support {what}"),
            )
        };
        if gin && create.unique {
            return Err(gin_cannot("unique indexes"));
        }
        if gin && !create.include.is_empty() {
            return Err(gin_cannot("included columns"));
        }
        if gin && create.columns.len() > 1 {
            return Err(unsupported("GIN indexes of several columns"));
        }
        // A GIN index's operator class as written (None: its type's default).
        let mut gin_class: Option<String> = None;
        let table = self.lookup_table(&create.table_name)?;
        let mut columns = Vec::with_capacity(create.columns.len());
        let mut options = Vec::with_capacity(create.columns.len());
        // Key parts as expressions (a column too, once any part is an expression), as written.
        let mut parts: Vec<(&ast::Expr, String)> = Vec::new();
        let mut expressions = false;
        for column in &create.columns {
            // The pattern operator classes order text bytewise, as Keel's B+tree always does
            // (C collation): the index is the default one (its class is not recorded).
            if gin {
                if column.column.options.asc.is_some() {
                    return Err(gin_cannot("ASC/DESC options"));
                }
                if column.column.options.nulls_first.is_some() {
                    return Err(gin_cannot("NULLS FIRST/LAST options"));
                }
                gin_class = column.operator_class.as_ref().map(ident_name);
            } else if let Some(class) = &column.operator_class {
                let class = class.to_string().to_lowercase();
                if !matches!(
                    class.as_str(),
                    "text_pattern_ops" | "varchar_pattern_ops" | "bpchar_pattern_ops"
                ) {
                    return Err(unsupported(format!("index operator class {class}")));
                }
            }
            // ASC/DESC and NULLS FIRST/LAST do not matter to a B+tree scanned both ways; the
            // catalog keeps them as written (NULLS FIRST is DESC's default).
            let descending = column.column.options.asc == Some(false);
            let nulls_first = column.column.options.nulls_first.unwrap_or(descending);
            options.push(descending as i16 | (nulls_first as i16) << 1);
            match &column.column.expr {
                ast::Expr::Identifier(ident) => {
                    let name = ident_name(ident);
                    // PostgreSQL gives no position here.
                    let position = table.column_index(&name).ok_or_else(|| {
                        SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{name}\" does not exist"),
                        )
                    })?;
                    columns.push(position);
                    let text = crate::functions::quote_ident(&table.columns[position].name);
                    parts.push((&column.column.expr, text));
                }
                expr => {
                    expressions = true;
                    // `((a + b))`: the expression is what the parentheses hold.
                    let expr = match expr {
                        ast::Expr::Nested(inner) => inner.as_ref(),
                        other => other,
                    };
                    let text = self.written(expr).unwrap_or_else(|| expr.to_string());
                    parts.push((expr, text));
                }
            }
        }
        if parts.is_empty() {
            return Err(unsupported("indexes without columns"));
        }
        // INCLUDE's columns (PostgreSQL gives no position for a missing one either).
        let include = (create.include.iter())
            .map(|ident| {
                let name = ident_name(ident);
                table.column_index(&name).ok_or_else(|| {
                    SqlError::new(
                        code::UNDEFINED_COLUMN,
                        format!("column \"{name}\" does not exist"),
                    )
                })
            })
            .collect::<SqlResult<Vec<usize>>>()?;
        let mut predicate = create.predicate.as_ref().map(|p| {
            let p = match p {
                ast::Expr::Nested(inner) => inner.as_ref(),
                other => other,
            };
            (p, self.written(p).unwrap_or_else(|| p.to_string()))
        });
        let (bound, expressions, expression_types) = if expressions || predicate.is_some() {
            let exprs: Vec<&ast::Expr> = if expressions {
                parts.iter().map(|(e, _)| *e).collect()
            } else {
                Vec::new()
            };
            let condition = predicate.as_ref().map(|(p, _)| *p);
            let bound = self.bind_index_parts(&table, &exprs, condition)?;
            let types = bound.parts.iter().map(|(_, ty)| *ty).collect();
            if let (Some((_, text)), Some(condition)) = (&mut predicate, &bound.predicate) {
                *text = self.index_text(&table, condition, text, true);
            }
            if expressions {
                columns.clear();
                let mut texts = Vec::with_capacity(parts.len());
                for ((_, text), (expr, _)) in parts.iter().zip(&bound.parts) {
                    texts.push(self.index_text(&table, expr, text, false));
                }
                (Some(Arc::new(bound)), texts, types)
            } else {
                (Some(Arc::new(bound)), Vec::new(), Vec::new())
            }
        } else {
            (None, Vec::new(), Vec::new())
        };
        let name = match &create.name {
            // An index lives in its table's schema (PostgreSQL refuses a qualified name here).
            Some(name) => {
                let parts = self.name_parts(name)?;
                if parts.len() > 1 {
                    return Err(SqlError::syntax(
                        "an index name cannot be qualified: it is in its table's schema",
                    ));
                }
                let schema = crate::catalog::split_name(&table.name).0;
                Some(crate::catalog::qualify(schema, &parts[0].0))
            }
            None => None,
        };
        let gin = match gin {
            true => {
                let ty = match expression_types.first() {
                    Some(ty) => *ty,
                    None => table.columns[columns[0]].ty,
                };
                Some(crate::gin::GinClass::of(
                    gin_class.as_deref(),
                    ty,
                    &ty.name(),
                )?)
            }
            false => None,
        };
        Ok(Plan::CreateIndex {
            gin,
            table,
            name,
            columns,
            options,
            unique: create.unique,
            if_not_exists: create.if_not_exists,
            constraint: false,
            predicate: predicate.map(|(_, text)| text),
            expressions,
            expression_types,
            include,
            nulls_not_distinct: create.nulls_distinct == Some(false),
            storage: storage_options::index_storage_options(&create.with)?,
            bound,
        })
    }

    /// The text an index keeps for `bound`, an expression or predicate of it written as
    /// `written`: PostgreSQL's deparse (`((a * 10) + b)`, `'x'::text`; EXPLAIN's text, see
    /// [`crate::explain::deparse`]) when it reads back as the same expression, else the text
    /// as written (a predicate in parentheses unless it is a call or a column, as PostgreSQL
    /// prints an operator's).
    fn index_text(&self, table: &TableDef, bound: &Expr, written: &str, predicate: bool) -> String {
        if predicate {
            // Kept as written where the deparser knows it: the catalogs print PostgreSQL's
            // deparse of it when read (a deparse read again need not deparse the same way:
            // PostgreSQL reads `(ARRAY[...])::text[]` as casts of the elements).
            let mut binder = Binder::new(self.catalog, self.session, "", 0, Vec::new());
            if binder.deparse_row_expr(table, written).is_some() {
                return written.to_string();
            }
        }
        let names: Vec<String> = table
            .columns
            .iter()
            .map(|c| crate::functions::quote_ident(&c.name))
            .collect();
        let text = crate::explain::deparse(bound, &names, &[]);
        let mut binder = Binder::new(self.catalog, self.session, "", 0, Vec::new());
        let same = crate::parse::parse_expr(&text).ok().is_some_and(|expr| {
            binder
                .bind_row_expr(table, &expr, ("index expressions", "index expression"))
                .is_ok_and(|(again, _)| again == *bound)
        });
        if same {
            text
        } else if predicate && !crate::catalog::simple_text(written) {
            format!("({written})")
        } else {
            written.to_string()
        }
    }

    /// An index's key expressions (none: its key is plain columns) and predicate bound over
    /// `table`'s row (see [`crate::catalog::BoundIndex`]), with PostgreSQL's errors for what an
    /// index may not hold: aggregates, subqueries, functions that are not IMMUTABLE (42P17),
    /// a predicate that is not boolean.
    fn bind_index_parts(
        &mut self,
        table: &TableDef,
        exprs: &[&ast::Expr],
        predicate: Option<&ast::Expr>,
    ) -> SqlResult<crate::catalog::BoundIndex> {
        let mut parts = Vec::with_capacity(exprs.len());
        for expr in exprs {
            let (bound, ty) =
                self.bind_row_expr(table, expr, ("index expressions", "index expression"))?;
            if !immutable(&bound) {
                return Err(SqlError::new(
                    code::INVALID_OBJECT_DEFINITION,
                    "functions in index expression must be marked IMMUTABLE",
                ));
            }
            parts.push((bound, ty));
        }
        let predicate = match predicate {
            Some(expr) => {
                let (bound, ty) =
                    self.bind_row_expr(table, expr, ("index predicates", "index predicate"))?;
                self.expect_bool(ty, "WHERE", expr.span())?;
                if !immutable(&bound) {
                    return Err(SqlError::new(
                        code::INVALID_OBJECT_DEFINITION,
                        "functions in index predicate must be marked IMMUTABLE",
                    ));
                }
                Some(bound)
            }
            None => None,
        };
        Ok(crate::catalog::BoundIndex { predicate, parts })
    }

    /// `table` with the expressions and predicates of its indexes bound (see
    /// [`crate::catalog::IndexDef::bound`]); the same table when none needs it.
    pub fn bind_indexes(&self, table: Arc<TableDef>) -> SqlResult<Arc<TableDef>> {
        if table.indexes.iter().all(IndexDef::is_bound) {
            return Ok(table);
        }
        let mut binder = Binder::new(self.catalog, self.session, "", 0, Vec::new());
        let mut bound = (*table).clone();
        for index in &mut bound.indexes {
            if index.is_bound() {
                continue;
            }
            let stored = |text: &str| {
                crate::parse::parse_expr(text).map_err(|error| {
                    SqlError::new(
                        code::INTERNAL_ERROR,
                        format!("stored index \"{}\" does not parse: {error}", index.name),
                    )
                })
            };
            let exprs = index
                .expressions
                .iter()
                .map(|text| stored(text))
                .collect::<SqlResult<Vec<ast::Expr>>>()?;
            let predicate = index.predicate.as_deref().map(stored).transpose()?;
            let refs: Vec<&ast::Expr> = exprs.iter().collect();
            let parts = binder.bind_index_parts(&table, &refs, predicate.as_ref())?;
            index.bound = Some(Arc::new(parts));
        }
        Ok(Arc::new(bound))
    }

    fn bind_create_table(&mut self, create: &ast::CreateTable) -> SqlResult<Plan> {
        if let (Some(query), true) = (&create.query, create.columns.is_empty()) {
            return self.bind_create_table_as(create, query);
        }
        // `LIKE source` items (blanked for sqlparser): written out, then bound as the rest.
        let likes = crate::parse::create_table_likes(self.text)?;
        if !likes.is_empty() && create.query.is_none() {
            // CREATE on the schema is checked before the sources are read.
            self.create_name_in(&create.name, create.temporary)?;
            let (expanded, copied, pkey_include) = self.expand_table_likes(create, &likes)?;
            let mut plan = self.bind_create_table_columns(&expanded)?;
            if let Plan::CreateTable { table, .. } = &mut plan {
                self.add_copied_indexes(table, copied, &pkey_include);
            }
            return Ok(plan);
        }
        self.bind_create_table_columns(create)
    }

    /// CREATE TABLE with its columns and constraints listed.
    fn bind_create_table_columns(&mut self, create: &ast::CreateTable) -> SqlResult<Plan> {
        if create.query.is_some()
            || create.like.is_some()
            || create.inherits.is_some()
            || create.partition_by.is_some()
        {
            return Err(unsupported("this form of CREATE TABLE"));
        }
        let on_commit = temporary_options(create)?;
        let (name, _) = self.create_name_in(&create.name, create.temporary)?;
        let mut columns: Vec<ColumnDef> = Vec::new();
        let mut primary_key: Vec<usize> = Vec::new();
        let mut primary_key_name = None;
        let mut sequences: Vec<SequenceDef> = Vec::new();
        // UNIQUE constraints: (name, columns, INCLUDE columns, NULLS NOT DISTINCT).
        type Unique = (Option<String>, Vec<usize>, Vec<usize>, bool);
        let mut uniques: Vec<Unique> = Vec::new();
        // CHECK constraints: (name, condition, the column it was written on).
        let mut checks: Vec<(Option<String>, &ast::Expr, Option<usize>)> = Vec::new();
        // FOREIGN KEY constraints, resolved once the table's columns are known.
        let mut foreign_keys: Vec<ForeignKeyClause<'_>> = Vec::new();
        // Generated columns' expressions, bound once the table's columns are known.
        let mut generated: Vec<(usize, &ast::Expr)> = Vec::new();
        let mut set_primary_key = |key: Vec<usize>,
                                   name: Option<String>,
                                   position: Option<usize>,
                                   existing: &mut Vec<usize>| {
            if !existing.is_empty() {
                return Err(SqlError::new(
                    code::INVALID_TABLE_DEFINITION,
                    format!(
                        "multiple primary keys for table \"{}\" are not allowed",
                        create.name
                    ),
                )
                .at(position));
            }
            *existing = key;
            primary_key_name = name;
            Ok(())
        };
        let mut primary_key_include = Vec::new();
        // Columns whose UNIQUE says NULLS NOT DISTINCT (read from the text: see `parse`).
        let not_distinct_columns = crate::parse::nulls_not_distinct_columns(self.text);
        for column in &create.columns {
            let column_name = ident_name(&column.name);
            if columns.iter().any(|c| c.name == column_name) {
                return Err(SqlError::new(
                    code::DUPLICATE_COLUMN,
                    format!("column \"{column_name}\" specified more than once"),
                ));
            }
            let serial = serial_type(&column.data_type);
            let ty = match serial {
                Some(ty) => ty,
                None => self.data_type(&column.data_type)?,
            };
            let mut def = ColumnDef {
                domain: self.column_domain(&column.data_type),
                ..ColumnDef::new(column_name, ty)
            };
            if serial.is_some() {
                self.owned_sequence(&name, &mut def, &[], &mut sequences)?;
            }
            for option in &column.options {
                match &option.option {
                    ColumnOption::Null => def.not_null = false,
                    ColumnOption::NotNull => def.not_null = true,
                    ColumnOption::Generated {
                        generated_as: generated_as @ (GeneratedAs::Always | GeneratedAs::ByDefault),
                        sequence_options,
                        generation_expr: None,
                        ..
                    } => {
                        if def.generated.is_some() {
                            return Err(both_identity_and_generated(&def, &name));
                        }
                        self.identity_column(
                            &name,
                            &mut def,
                            *generated_as == GeneratedAs::Always,
                            sequence_options.as_deref().unwrap_or_default(),
                            &mut sequences,
                        )?
                    }
                    ColumnOption::Generated {
                        generated_as,
                        generation_expr: Some(expr),
                        generated_keyword,
                        ..
                    } => {
                        def.generated = Some(self.generated_clause(
                            &def,
                            &name,
                            (generated_as, *generated_keyword),
                            expr,
                        )?);
                        generated.push((columns.len(), expr));
                    }
                    ColumnOption::Default(expr) => {
                        if def.generated.is_some() {
                            return Err(both_default_and_generated(&def, &name)
                                .at(self.word_before(expr.span(), "default")));
                        }
                        // Bind now to report errors at CREATE time; store the text.
                        let bound =
                            self.bind_expr(expr, &Scope::empty(), &mut AggCollector::default())?;
                        self.assign_cast(bound, ty, &def.name, expr.span())?;
                        def.default = Some(self.default_text(expr, ty));
                    }
                    ColumnOption::Unique {
                        is_primary: false, ..
                    } => uniques.push((
                        option.name.as_ref().map(ident_name),
                        vec![columns.len()],
                        Vec::new(),
                        not_distinct_columns.contains(&def.name),
                    )),
                    ColumnOption::Check(expr) => checks.push((
                        option.name.as_ref().map(ident_name),
                        expr,
                        Some(columns.len()),
                    )),
                    ColumnOption::ForeignKey {
                        foreign_table,
                        referred_columns,
                        on_delete,
                        on_update,
                        characteristics,
                    } => foreign_keys.push(ForeignKeyClause {
                        name: option.name.as_ref().map(ident_name),
                        columns: vec![columns.len()],
                        parent: foreign_table,
                        parent_columns: referred_columns,
                        on_delete: *on_delete,
                        on_update: *on_update,
                        characteristics: characteristics.as_ref(),
                    }),
                    ColumnOption::Unique {
                        is_primary: true, ..
                    } => {
                        def.not_null = true;
                        set_primary_key(
                            vec![columns.len()],
                            option.name.as_ref().map(ident_name),
                            self.pos(column.name.span),
                            &mut primary_key,
                        )?;
                    }
                    other => return Err(unsupported(format!("column option {other}"))),
                }
            }
            columns.push(def);
        }
        for constraint in &create.constraints {
            match constraint {
                TableConstraint::PrimaryKey {
                    name,
                    columns: key_columns,
                    ..
                } => {
                    // PostgreSQL points at the constraint (its CONSTRAINT word when named).
                    let at = match name {
                        Some(name) => self.word_before(name.span, "constraint"),
                        None => (key_columns.first())
                            .and_then(|c| self.word_before(c.column.expr.span(), "primary")),
                    };
                    primary_key_include = (self.constraint_include(key_columns).iter())
                        .map(|name| {
                            (columns.iter().position(|c| c.name == *name))
                                .ok_or_else(|| missing_key_column(name).at(at))
                        })
                        .collect::<SqlResult<Vec<usize>>>()?;
                    let key = self.key_columns(&columns, key_columns)?;
                    for &index in &key {
                        columns[index].not_null = true;
                    }
                    set_primary_key(key, name.as_ref().map(ident_name), None, &mut primary_key)?;
                }
                TableConstraint::Unique {
                    name,
                    columns: key_columns,
                    nulls_distinct,
                    ..
                } => {
                    let not_distinct = *nulls_distinct == ast::NullsDistinctOption::NotDistinct;
                    let key = self.key_columns(&columns, key_columns)?;
                    // PostgreSQL points at the constraint (its CONSTRAINT word when named).
                    let at = match name {
                        Some(name) => self.word_before(name.span, "constraint"),
                        None => (key_columns.first())
                            .and_then(|c| self.word_before(c.column.expr.span(), "unique")),
                    };
                    let include = (self.constraint_include(key_columns).iter())
                        .map(|name| {
                            columns
                                .iter()
                                .position(|c| c.name == *name)
                                .ok_or_else(|| missing_key_column(name).at(at))
                        })
                        .collect::<SqlResult<Vec<usize>>>()?;
                    uniques.push((name.as_ref().map(ident_name), key, include, not_distinct));
                }
                TableConstraint::Check { name, expr, .. } => {
                    checks.push((name.as_ref().map(ident_name), expr, None))
                }
                TableConstraint::ForeignKey {
                    name,
                    columns: key_columns,
                    foreign_table,
                    referred_columns,
                    on_delete,
                    on_update,
                    characteristics,
                    ..
                } => {
                    let key = key_columns
                        .iter()
                        .map(|ident| {
                            let column = ident_name(ident);
                            columns.iter().position(|c| c.name == column).ok_or_else(|| {
                                SqlError::new(
                                    code::UNDEFINED_COLUMN,
                                    format!(
                                        "column \"{column}\" referenced in foreign key constraint does not exist"
                                    ),
                                )
                            })
                        })
                        .collect::<SqlResult<Vec<_>>>()?;
                    foreign_keys.push(ForeignKeyClause {
                        name: name.as_ref().map(ident_name),
                        columns: key,
                        parent: foreign_table,
                        parent_columns: referred_columns,
                        on_delete: *on_delete,
                        on_update: *on_update,
                        characteristics: characteristics.as_ref(),
                    });
                }
                other => return Err(unsupported(format!("table constraint {other}"))),
            }
        }
        // WITH (storage parameters), checked and kept for the catalogs.
        let options: &[SqlOption] = match &create.table_options {
            CreateTableOptions::None => &[],
            CreateTableOptions::With(options) => options,
            _ => return Err(unsupported("these table options")),
        };
        if columns.is_empty() {
            return Err(unsupported("tables without columns"));
        }
        // Each UNIQUE constraint is a unique index; an unnamed one gets its name (and id) when
        // the table is made.
        // Constraint indexes are named in the table's schema.
        let schema = crate::catalog::split_name(&name).0.to_string();
        let primary_key_name =
            primary_key_name.map(|n: String| crate::catalog::qualify(&schema, &n));
        let indexes = uniques
            .into_iter()
            .map(|(name, columns, include, nulls_not_distinct)| IndexDef {
                id: 0,
                name: name
                    .map(|n| crate::catalog::qualify(&schema, &n))
                    .unwrap_or_default(),
                columns,
                unique: true,
                constraint: true,
                options: Vec::new(),
                include,
                nulls_not_distinct,
                ..Default::default()
            })
            .collect();
        let mut table = TableDef {
            primary_key_clustered: false,
            primary_key_include,
            id: 0,
            name,
            columns,
            primary_key,
            primary_key_name,
            fillfactor: None,
            unlogged: crate::parse::create_unlogged(self.text),
            options: Vec::new(),
            indexes,
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            referenced: false,
            owner: Some(self.session.user.clone()),
            acl: None,
            placement: 0,
            matview: None,
        };
        storage_options::set_storage_options(&mut table, options)?;
        for (column, expr) in generated {
            self.bind_generation(&table, column, expr)?;
        }
        for clause in foreign_keys {
            let fk = self.bind_foreign_key(&table, clause)?;
            table.foreign_keys.push(fk);
        }
        table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        for (name, expr, column) in checks {
            let check = self.bind_check(&table, name, expr, column, true)?;
            table.checks.push(check);
        }
        table.checks.sort_by(|a, b| a.name.cmp(&b.name));
        table.unbind_expressions();
        Ok(Plan::CreateTable {
            table,
            if_not_exists: create.if_not_exists,
            sequences,
            source: None,
            with_data: false,
            on_commit,
        })
    }

    /// `CREATE TABLE name AS query`: a table with the query's columns (an unknown literal's
    /// column is text), without keys, filled with the query's rows.
    fn bind_create_table_as(
        &mut self,
        create: &ast::CreateTable,
        query: &ast::Query,
    ) -> SqlResult<Plan> {
        let on_commit = temporary_options(create)?;
        let (name, _) = self.create_name_in(&create.name, create.temporary)?;
        let (rel, output) = self.bind_query_rel(query, None)?;
        // `CREATE TABLE name (a, b) AS ...` names the first columns.
        let names = crate::parse::create_as_column_names(self.text);
        let columns = self.query_table_columns(&output, &names)?;
        let mut table = TableDef {
            unlogged: crate::parse::create_unlogged(self.text),
            owner: Some(self.session.user.clone()),
            ..TableDef::plain(0, name, columns)
        };
        if let CreateTableOptions::With(options) = &create.table_options {
            storage_options::set_storage_options(&mut table, options)?;
        }
        Ok(Plan::CreateTable {
            table,
            if_not_exists: create.if_not_exists,
            sequences: Vec::new(),
            source: Some(Arc::new(QueryPlan {
                rel,
                columns: output,
            })),
            with_data: crate::parse::create_as_data(self.text),
            on_commit,
        })
    }

    /// The columns of a table made from a query's `output` (CREATE TABLE AS, a materialized
    /// view), the first named `names` (42601 for more names than columns): an unknown
    /// literal's column is text, one read straight from a table keeps its declared type.
    fn query_table_columns(
        &self,
        output: &[OutputColumn],
        names: &[String],
    ) -> SqlResult<Vec<ColumnDef>> {
        if names.len() > output.len() {
            return Err(SqlError::syntax("too many column names were specified"));
        }
        let mut columns: Vec<ColumnDef> = Vec::with_capacity(output.len());
        for (i, column) in output.iter().enumerate() {
            let name = names.get(i).unwrap_or(&column.name);
            // Records are not stored (a table's row type too: Keel has no composite columns).
            let pseudo = match column.ty {
                DataType::Record(_) => Some("record"),
                DataType::Array(crate::types::Elem::Record(_)) => Some("record[]"),
                _ => None,
            };
            if let Some(pseudo) = pseudo {
                return Err(SqlError::new(
                    code::INVALID_TABLE_DEFINITION,
                    format!("column \"{name}\" has pseudo-type {pseudo}"),
                ));
            }
            if columns.iter().any(|c| c.name == *name) {
                return Err(SqlError::new(
                    code::DUPLICATE_COLUMN,
                    format!("column \"{name}\" specified more than once"),
                ));
            }
            // A column read straight from a table keeps its declared type (numeric(p,s)).
            let ty = match column.declared_type(self.catalog) {
                DataType::Unknown => DataType::Text,
                ty => ty,
            };
            columns.push(ColumnDef {
                domain: column.declared_domain(self.catalog),
                ..ColumnDef::new(name.clone(), ty)
            });
        }
        Ok(columns)
    }

    /// The positions of a table constraint's key columns among `columns` (42703 at the
    /// constraint for a name that is not one).
    fn key_columns(
        &self,
        columns: &[ColumnDef],
        key_columns: &[ast::IndexColumn],
    ) -> SqlResult<Vec<usize>> {
        key_columns
            .iter()
            .map(|key_column| {
                let ast::Expr::Identifier(ident) = &key_column.column.expr else {
                    return Err(unsupported("expressions in keys"));
                };
                let column_name = ident_name(ident);
                columns
                    .iter()
                    .position(|c| c.name == column_name)
                    .ok_or_else(|| {
                        SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{column_name}\" named in key does not exist"),
                        )
                        .at(self.constraint_pos(ident.span))
                    })
            })
            .collect()
    }

    /// SERIAL and identity columns: an integer column whose default takes the next value of a
    /// sequence the column owns.
    fn owned_sequence(
        &self,
        table: &str,
        def: &mut ColumnDef,
        options: &[SequenceOptions],
        sequences: &mut Vec<SequenceDef>,
    ) -> SqlResult<()> {
        let seq_name = self.choose_sequence_name(table, &def.name, sequences);
        let mut seq = sequence_def(&seq_name, def.ty, options)?;
        seq.owner = Some(self.session.user.clone());
        seq.owned_by = Some((table.to_string(), def.name.clone()));
        def.default = Some(format!(
            "nextval('{}'::regclass)",
            crate::catalog::regclass_text(&seq_name).replace('\'', "''")
        ));
        def.not_null = true;
        sequences.push(seq);
        Ok(())
    }

    /// An expression over one row of `table`, without aggregates or subqueries: a CHECK
    /// constraint, ALTER TYPE's USING. `context` names it in PostgreSQL's errors (for
    /// aggregates, for a subquery: "cannot use subquery in check constraint").
    fn bind_row_expr(
        &mut self,
        table: &TableDef,
        expr: &ast::Expr,
        context: (&'static str, &'static str),
    ) -> SqlResult<(Expr, DataType)> {
        let scope = Scope::table(table, crate::catalog::relname(&table.name).to_string());
        let mut none = AggCollector {
            allowed: false,
            context: context.0,
            ..Default::default()
        };
        let (bound, ty) = self.bind_expr(expr, &scope, &mut none)?;
        let mut subquery = false;
        bound.visit(&mut |e| subquery |= matches!(e, Expr::Subquery(_)));
        if subquery {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("cannot use subquery in {}", context.1),
            )
            .at(self.subquery_pos(expr.span())));
        }
        Ok((bound, ty))
    }

    /// Of the FROM row's columns `read`, those that grouping by `keys` determines: columns of a
    /// table whose whole primary key is grouped (PostgreSQL's functional dependency). Grouping
    /// by them too makes the same groups, so they become keys (the planner carries such keys
    /// per group rather than hashing them: `planner::reduce_group_keys`).
    fn dependent_columns(&self, scope: &Scope<'_>, keys: &[Expr], read: &[usize]) -> Vec<Expr> {
        let mut extra: Vec<Expr> = Vec::new();
        for rel in &scope.rels {
            let Some(table) = (rel.columns.iter())
                .find_map(|c| c.source)
                .and_then(|(id, _)| self.catalog.table_by_id(id))
                .filter(|table| rel.table.as_deref() == Some(table.name.as_str()))
            else {
                continue;
            };
            let at = |attnum: usize| {
                let source = Some((table.id, attnum as i16 + 1));
                (rel.columns.iter()).position(|c| c.source == source && !c.merged)
            };
            let grouped = !table.primary_key.is_empty()
                && (table.primary_key.iter())
                    .all(|&c| at(c).is_some_and(|i| keys.contains(&Expr::Column(rel.offset + i))));
            if !grouped {
                continue;
            }
            for &column in read {
                let inside = column >= rel.offset && column < rel.offset + rel.columns.len();
                let key = Expr::Column(column);
                if inside && !keys.contains(&key) && !extra.contains(&key) {
                    extra.push(key);
                }
            }
        }
        extra
    }

    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [(options)]` on column `def` of `table`
    /// (CREATE TABLE, ADD COLUMN): PostgreSQL's checks, then the column's owned sequence.
    fn identity_column(
        &self,
        table: &str,
        def: &mut ColumnDef,
        always: bool,
        options: &[SequenceOptions],
        sequences: &mut Vec<SequenceDef>,
    ) -> SqlResult<()> {
        if !matches!(def.ty, DataType::Int2 | DataType::Int4 | DataType::Int8) {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                "identity column type must be smallint, integer, or bigint",
            ));
        }
        let clash = match def.identity {
            Some(_) => Some("multiple identity specifications"),
            None if def.default.is_some() => Some("both default and identity specified"),
            None => None,
        };
        if let Some(clash) = clash {
            return Err(SqlError::syntax(format!(
                "{clash} for column \"{}\" of table \"{}\"",
                def.name,
                crate::catalog::relname(table)
            )));
        }
        self.owned_sequence(table, def, options, sequences)?;
        def.identity = Some(always);
        Ok(())
    }

    /// A CHECK constraint of `table`: bound to check it (boolean, no subqueries or aggregates),
    /// named as PostgreSQL names it when unnamed (`<table>_<column>_check` when it names one
    /// column, else `<table>_check`, numbered past the names taken).
    fn bind_check(
        &mut self,
        table: &TableDef,
        name: Option<String>,
        expr: &ast::Expr,
        column: Option<usize>,
        creating: bool,
    ) -> SqlResult<crate::catalog::CheckDef> {
        let (bound, ty) =
            self.bind_row_expr(table, expr, ("check constraints", "check constraint"))?;
        self.expect_bool(ty, "CHECK", expr.span())?;
        let mut sequence = false;
        bound.visit(&mut |e| sequence |= matches!(e, Expr::Sequence(..)));
        if sequence {
            return Err(unsupported("sequence functions in check constraints"));
        }
        let name = match name {
            Some(name) => {
                if table.checks.iter().any(|c| c.name == name) {
                    return Err(SqlError::new(
                        "42710",
                        if creating {
                            format!("check constraint \"{name}\" already exists")
                        } else {
                            format!(
                                "constraint \"{name}\" for relation \"{}\" already exists",
                                crate::catalog::relname(&table.name)
                            )
                        },
                    ));
                }
                name
            }
            None => {
                let mut read = Vec::new();
                bound.columns(&mut read);
                read.sort_unstable();
                read.dedup();
                let column = column.or(match read.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                });
                let base = match column {
                    Some(c) => format!(
                        "{}_{}_check",
                        crate::catalog::relname(&table.name),
                        table.columns[c].name
                    ),
                    None => format!("{}_check", crate::catalog::relname(&table.name)),
                };
                let taken = |candidate: &str| table.checks.iter().any(|c| c.name == candidate);
                (0..)
                    .map(|n| {
                        if n == 0 {
                            base.clone()
                        } else {
                            format!("{base}{n}")
                        }
                    })
                    .find(|candidate| !taken(candidate))
                    .expect("some name is free")
            }
        };
        Ok(crate::catalog::CheckDef {
            name,
            sql: self.written(expr).unwrap_or_else(|| expr.to_string()),
            bound: Some(bound),
            view: false,
            not_valid: false,
        })
    }

    /// An expression's text as the statement wrote it (sqlparser's rendering spells type
    /// names in capitals and respaces; catalogs show what was written): from where its span
    /// starts to the `)` or `,` that closes what holds it (a span's end can stop short of a
    /// cast's type), when that text reads back as the same expression.
    fn written(&self, expr: &ast::Expr) -> Option<String> {
        // A parenthesized expression's span starts inside its parentheses.
        if let ast::Expr::Nested(inner) = expr {
            return self.written(inner).map(|text| format!("({text})"));
        }
        let span = expr.span();
        let start = offset_of(self.text, span.start.line, span.start.column)?;
        let chars: Vec<char> = self.text.chars().collect();
        let (mut depth, mut quoted, mut end) = (0usize, false, chars.len());
        for (at, &c) in chars.iter().enumerate().skip(start) {
            match c {
                '\'' => quoted = !quoted,
                _ if quoted => {}
                '(' => depth += 1,
                ')' if depth == 0 => {
                    end = at;
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    end = at;
                    break;
                }
                _ => {}
            }
        }
        let text: String = chars[start..end]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        let same = crate::parse::parse_expr(&text).is_ok_and(|e| e.to_string() == expr.to_string());
        same.then_some(text)
    }

    /// The table a write statement changes, with its CHECK constraints bound (see
    /// [`crate::catalog::CheckDef`]).
    pub fn write_target(&mut self, table: Arc<TableDef>) -> SqlResult<Arc<TableDef>> {
        self.note_lock(table.id, crate::locks::LockMode::RowExclusive);
        self.bind_table_expressions(table)
    }

    /// `table` with its CHECK conditions and generated columns' expressions bound over its
    /// row (the same table when they are).
    pub fn bind_table_expressions(&mut self, table: Arc<TableDef>) -> SqlResult<Arc<TableDef>> {
        let unbound_generated =
            |c: &ColumnDef| c.generated.as_ref().is_some_and(|g| g.bound.is_none());
        let unbound_domain = |c: &ColumnDef| c.domain.as_ref().is_some_and(|d| d.bound.is_none());
        if table.checks.iter().all(|c| c.bound.is_some())
            && !table.columns.iter().any(unbound_generated)
            && !table.columns.iter().any(unbound_domain)
        {
            return Ok(table);
        }
        let mut bound = (*table).clone();
        for column in &mut bound.columns {
            if let Some(domain) = &mut column.domain {
                domain.bound = Some(self.domain_coerce_by_id(domain.id)?);
            }
        }
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        for at in 0..bound.columns.len() {
            let Some(generated) = &table.columns[at].generated else {
                continue;
            };
            let expr = crate::parse::parse_expr(&generated.sql)?;
            let expr = self.bind_generation(&table, at, &expr)?;
            if let Some(generated) = &mut bound.columns[at].generated {
                generated.bound = Some(expr);
            }
        }
        let scope = Scope::table(&table, crate::catalog::relname(&table.name).to_string());
        for check in &mut bound.checks {
            let expr = sqlparser::parser::Parser::new(&dialect)
                .try_with_sql(&check.sql)
                .and_then(|mut parser| parser.parse_expr())
                .map_err(|error| {
                    SqlError::new(
                        code::INTERNAL_ERROR,
                        format!(
                            "stored check constraint \"{}\" does not parse: {error}",
                            check.name
                        ),
                    )
                })?;
            check.bound = Some(self.bind_predicate(&expr, &scope, "CHECK")?);
        }
        Ok(Arc::new(bound))
    }

    /// Column `column`'s generation expression `expr` bound over `table`'s row (whose columns
    /// say which are generated) and cast to the column's type, with PostgreSQL's errors for
    /// what it may not hold (`transformGenerationExpr`, `cookDefault`): aggregates, window
    /// functions and subqueries, another generated column (42P17, at the reference), a value of
    /// another type, a function that is not IMMUTABLE (42P17).
    fn bind_generation(
        &mut self,
        table: &TableDef,
        column: usize,
        expr: &ast::Expr,
    ) -> SqlResult<Expr> {
        use std::ops::ControlFlow;
        let context = (
            "column generation expressions",
            "column generation expression",
        );
        let (bound, ty) = self.bind_row_expr(table, expr, context)?;
        let mut read = Vec::new();
        bound.columns(&mut read);
        if let Some(&other) = read.iter().find(|&&c| table.columns[c].generated.is_some()) {
            let name = &table.columns[other].name;
            let reference = |e: &ast::Expr| match e {
                ast::Expr::Identifier(ident) if ident_name(ident) == *name => {
                    ControlFlow::Break(ident.span)
                }
                ast::Expr::CompoundIdentifier(parts)
                    if parts.last().is_some_and(|ident| ident_name(ident) == *name) =>
                {
                    ControlFlow::Break(parts.last().expect("a part").span)
                }
                _ => ControlFlow::Continue(()),
            };
            let at = match ast::visit_expressions(expr, reference) {
                ControlFlow::Break(span) => self.pos(span),
                ControlFlow::Continue(()) => None,
            };
            return Err(SqlError::new(
                code::INVALID_OBJECT_DEFINITION,
                format!("cannot use generated column \"{name}\" in column generation expression"),
            )
            .with_detail("A generated column cannot reference another generated column.")
            .at(at));
        }
        let def = &table.columns[column];
        let bound = self.assign_cast((bound, ty), def.ty, &def.name.clone(), expr.span())?;
        if !immutable(&bound) {
            return Err(SqlError::new(
                code::INVALID_OBJECT_DEFINITION,
                "generation expression is not immutable",
            ));
        }
        Ok(bound)
    }

    /// PostgreSQL's name for the sequence of a SERIAL or identity column: `<table>_<column>_seq`,
    /// with a number appended while that is taken.
    fn choose_sequence_name(&self, table: &str, column: &str, taken: &[SequenceDef]) -> String {
        let base = format!("{table}_{column}_seq");
        let free = |candidate: &str| {
            !self.catalog.relation_exists(candidate) && taken.iter().all(|s| s.name != candidate)
        };
        if free(&base) {
            return base;
        }
        (1..)
            .map(|n| format!("{base}{n}"))
            .find(|candidate| free(candidate))
            .expect("some name is free")
    }

    fn bind_create_sequence(
        &mut self,
        name: &ObjectName,
        if_not_exists: bool,
        data_type: Option<&ast::DataType>,
        options: &[SequenceOptions],
        owned_by: Option<&ObjectName>,
    ) -> SqlResult<Plan> {
        let (name, _) = self.create_name(name)?;
        let ty = match data_type {
            None => DataType::Int8,
            Some(ty) => match self.data_type(ty)? {
                ty @ (DataType::Int2 | DataType::Int4 | DataType::Int8) => ty,
                _ => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "sequence type must be smallint, integer, or bigint",
                    ))
                }
            },
        };
        let mut seq = sequence_def(&name, ty, options)?;
        seq.owner = Some(self.session.user.clone());
        if let Some(owner) = owned_by {
            let parts: Vec<String> = owner
                .0
                .iter()
                .map(|part| match part {
                    ObjectNamePart::Identifier(ident) => ident_name(ident),
                    other => other.to_string(),
                })
                .collect();
            match parts.as_slice() {
                [none] if none.eq_ignore_ascii_case("none") => {}
                [table @ .., column] if !table.is_empty() => {
                    seq.owned_by = Some(self.owned_by(&table.join("."), column)?);
                }
                _ => {
                    return Err(SqlError::syntax("invalid OWNED BY option")
                        .with_hint("Specify OWNED BY table.column or OWNED BY NONE."))
                }
            }
        }
        Ok(Plan::CreateSequence { seq, if_not_exists })
    }

    /// The `(table, column)` a sequence's `OWNED BY [schema.]table.column` names, once both
    /// exist (the table found along the search path).
    fn owned_by(&self, table: &str, column: &str) -> SqlResult<(String, String)> {
        let key = self
            .catalog
            .resolve_written(table, self.path(), &self.session.user);
        let table_def = self.catalog.table(&key)?;
        table_def.column_position(column)?;
        Ok((table_def.name.clone(), column.to_string()))
    }

    /// `ALTER SEQUENCE`: the sequence as it will be, by PostgreSQL's rules (`init_params`):
    /// options not given stay; a new type resets MINVALUE/MAXVALUE that were the old type's
    /// limits; START changes only what a later RESTART goes back to; RESTART without a value
    /// restarts at START. The current value is checked against new bounds when the plan runs.
    pub fn bind_alter_sequence(&mut self, alter: &crate::parse::AlterSequence) -> SqlResult<Plan> {
        use crate::parse::SequenceAlteration;
        let key = self
            .catalog
            .resolve_written(&alter.name, self.path(), &self.session.user);
        let Some(old) = self.catalog.sequences.get(&key) else {
            if alter.if_exists {
                return Ok(Plan::AlterSequence {
                    name: key.clone(),
                    seq: None,
                    restart: None,
                });
            }
            // PostgreSQL gives no position here.
            return Err(SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{}\" does not exist", alter.name),
            ));
        };
        let mut seq = (**old).clone();
        let changes = match &alter.action {
            SequenceAlteration::RenameTo(to) => {
                // The new name is in the sequence's schema.
                let to_key = crate::catalog::qualify(crate::catalog::split_name(&key).0, to);
                if self.catalog.relation_exists(&to_key) {
                    return Err(SqlError::new(
                        code::DUPLICATE_TABLE,
                        format!("relation \"{to}\" already exists"),
                    ));
                }
                seq.name = to_key;
                return Ok(Plan::AlterSequence {
                    name: key.clone(),
                    seq: Some(seq),
                    restart: None,
                });
            }
            SequenceAlteration::OwnerTo(role) => {
                return Ok(Plan::AlterOwner {
                    relation: key.clone(),
                    role: self.written_owner(role),
                    tag: "ALTER SEQUENCE",
                });
            }
            SequenceAlteration::Options(changes) => changes,
        };
        let change = self.altered_sequence(old, changes)?;
        Ok(Plan::AlterSequence {
            name: key,
            seq: Some(change.seq),
            restart: change.restart,
        })
    }

    /// The sequence `old` as the options `changes` leave it (see [`Self::bind_alter_sequence`]).
    fn altered_sequence(
        &self,
        old: &SequenceDef,
        changes: &crate::parse::SequenceChanges,
    ) -> SqlResult<crate::plan::SequenceChange> {
        let mut seq = old.clone();
        let invalid = |message: String| SqlError::new(code::INVALID_PARAMETER_VALUE, message);
        let mut retype = None;
        if let Some(name) = &changes.data_type {
            let canonical = match name.as_str() {
                "smallint" => "int2",
                "integer" | "int" => "int4",
                "bigint" => "int8",
                other => other,
            };
            let ty = match named_type(canonical) {
                Some(ty @ (DataType::Int2 | DataType::Int4 | DataType::Int8)) => ty,
                _ => {
                    return Err(invalid(
                        "sequence type must be smallint, integer, or bigint".into(),
                    ))
                }
            };
            retype = Some(ty);
        }
        if let Some(increment) = changes.increment {
            if increment == 0 {
                return Err(invalid("INCREMENT must not be zero".into()));
            }
            seq.increment = increment;
        }
        if let Some(ty) = retype {
            seq.set_type(ty);
        }
        let (type_min, type_max) = crate::sequence::type_limits(seq.ty);
        let ascending = seq.increment > 0;
        match changes.max {
            Some(Some(max)) => seq.max = max,
            Some(None) => seq.max = if ascending { type_max } else { -1 },
            None => {}
        }
        match changes.min {
            Some(Some(min)) => seq.min = min,
            Some(None) => seq.min = if ascending { 1 } else { type_min },
            None => {}
        }
        let type_name = seq.ty.name();
        if seq.max < type_min || seq.max > type_max {
            return Err(invalid(format!(
                "MAXVALUE ({}) is out of range for sequence data type {type_name}",
                seq.max
            )));
        }
        if seq.min < type_min || seq.min > type_max {
            return Err(invalid(format!(
                "MINVALUE ({}) is out of range for sequence data type {type_name}",
                seq.min
            )));
        }
        if seq.min >= seq.max {
            return Err(invalid(format!(
                "MINVALUE ({}) must be less than MAXVALUE ({})",
                seq.min, seq.max
            )));
        }
        if let Some(start) = changes.start {
            seq.start = start;
        }
        if seq.start < seq.min {
            return Err(invalid(format!(
                "START value ({}) cannot be less than MINVALUE ({})",
                seq.start, seq.min
            )));
        }
        if seq.start > seq.max {
            return Err(invalid(format!(
                "START value ({}) cannot be greater than MAXVALUE ({})",
                seq.start, seq.max
            )));
        }
        if let Some(cache) = changes.cache {
            if cache <= 0 {
                return Err(invalid(format!(
                    "CACHE ({cache}) must be greater than zero"
                )));
            }
            seq.cache = cache;
        }
        if let Some(cycle) = changes.cycle {
            seq.cycle = cycle;
        }
        match &changes.owned_by {
            None => {}
            Some(None) => seq.owned_by = None,
            Some(Some((table, column))) => seq.owned_by = Some(self.owned_by(table, column)?),
        }
        let restart = changes.restart.map(|value| value.unwrap_or(seq.start));
        Ok(crate::plan::SequenceChange { seq, restart })
    }

    /// `ALTER TABLE ... ALTER [COLUMN] c` identity actions, as PostgreSQL's ATExecSetIdentity
    /// and ATExecDropIdentity: the column must be an identity column (55000; DROP IDENTITY IF
    /// EXISTS: a notice). SET GENERATED changes how it is generated; sequence options and
    /// RESTART change its sequence as ALTER SEQUENCE does; DROP IDENTITY drops the sequence and
    /// the default, NOT NULL stays. DROP EXPRESSION (ATExecDropExpression) makes a stored
    /// generated column a plain one with the values it has (55000 for another column).
    /// The table a hand-parsed ALTER TABLE names (`name` as written; a temporary one too):
    /// None where IF EXISTS finds no relation of that name, 42P01 without IF EXISTS (no
    /// position, as PostgreSQL's AlterTableLookupRelation).
    /// The catalog key of a relation a hand-parsed statement names (`crate::parse`'s
    /// `Cursor::written_name`), as `Binder::table_name` finds it: a schema named (`public`
    /// too) must be usable; a bare name is looked for along the path, temporary schema first.
    fn written_key(&self, name: &str) -> SqlResult<String> {
        Ok(match name.split_once('.') {
            Some((schema, relation)) => {
                let schema = self.written_schema(schema.to_string(), None)?;
                if !crate::catalog::is_temp_schema(&schema) && self.catalog.schema_exists(&schema) {
                    self.check_schema(&schema, None)?;
                }
                crate::catalog::qualify(&schema, relation)
            }
            None => self.unqualified_key(name),
        })
    }

    fn altered_table(&self, name: &str, if_exists: bool) -> SqlResult<Option<Arc<TableDef>>> {
        let key = self.written_key(name)?;
        match self.catalog.tables.get(&key) {
            Some(table) => Ok(Some(table.clone())),
            None if if_exists && !self.catalog.relation_exists(&key) => Ok(None),
            None => Err(SqlError::new(
                code::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            )),
        }
    }

    /// `CLUSTER table [USING index]`: the index marked as the table's clustered one (PostgreSQL's
    /// `indisclustered`), without one the index marked before (42704 when there is none).
    /// PostgreSQL rewrites the table in the index's order; Keel's rows are kept in primary key
    /// order by every write (a B+tree per vshard), which no other order can replace, so there is
    /// nothing to rewrite: the mark is what pg_dump, psql and a later bare CLUSTER read.
    pub fn bind_cluster(
        &mut self,
        (name, _): &(String, usize),
        index: Option<&str>,
    ) -> SqlResult<Plan> {
        let Some(table) = self.altered_table(name, false)? else {
            unreachable!("without IF EXISTS a missing table is an error");
        };
        self.catalog.require_owner(&table, &self.session.user)?;
        let table = self.bind_indexes(table)?;
        let new = match index {
            Some(index) => self.clustered_on(&table, Some(index))?,
            None => {
                let marked =
                    table.primary_key_clustered || table.indexes.iter().any(|i| i.clustered);
                if !marked {
                    return Err(SqlError::new(
                        code::UNDEFINED_OBJECT,
                        format!(
                            "there is no previously clustered index for table \"{}\"",
                            crate::catalog::relname(&table.name)
                        ),
                    ));
                }
                (*table).clone()
            }
        };
        Ok(alter_table_plan(table, Arc::new(new), "CLUSTER"))
    }

    /// `table` with `index` (a name in its schema) marked as its clustered index and no other
    /// (None: none, `SET WITHOUT CLUSTER`); PostgreSQL's errors for an index that is not
    /// there, belongs to another table, or has a predicate.
    fn clustered_on(&self, table: &TableDef, index: Option<&str>) -> SqlResult<TableDef> {
        let mut new = table.clone();
        new.primary_key_clustered = false;
        for index in &mut new.indexes {
            index.clustered = false;
        }
        let Some(index) = index else {
            return Ok(new);
        };
        let relname = crate::catalog::relname(&table.name);
        let key = crate::catalog::qualify(crate::catalog::split_name(&table.name).0, index);
        if !table.primary_key.is_empty() && table.pkey_name() == key {
            new.primary_key_clustered = true;
            return Ok(new);
        }
        match new.indexes.iter_mut().find(|i| i.name == key) {
            Some(found) if found.predicate.is_some() => Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("cannot cluster on partial index \"{index}\""),
            )),
            Some(found) => {
                found.clustered = true;
                Ok(new)
            }
            None if self.catalog.relation_exists(&key) => Err(SqlError::new(
                code::WRONG_OBJECT_TYPE,
                format!("\"{index}\" is not an index for table \"{relname}\""),
            )),
            None => Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!("index \"{index}\" for table \"{relname}\" does not exist"),
            )),
        }
    }

    /// `ALTER TABLE name SET LOGGED | UNLOGGED`: the table's persistence in the catalogs
    /// (Keel logs every table's writes; see `TableDef::unlogged`); `RESET (parameters)`.
    pub fn bind_alter_storage(
        &mut self,
        (name, _): &(String, usize),
        if_exists: bool,
        change: &crate::parse::StorageChange,
    ) -> SqlResult<Plan> {
        let Some(table) = self.altered_table(name, if_exists)? else {
            return Ok(skipped_relation(
                crate::catalog::relname(name),
                "ALTER TABLE",
            ));
        };
        let logged = match change {
            crate::parse::StorageChange::Logged(logged) => *logged,
            crate::parse::StorageChange::Cluster(index) => {
                let new = self.clustered_on(&table, index.as_deref())?;
                return Ok(alter_table_plan(table, Arc::new(new), "ALTER TABLE"));
            }
            crate::parse::StorageChange::Reset(names) => {
                let table = self.bind_indexes(table)?;
                let mut new = (*table).clone();
                storage_options::reset_storage_options(&mut new, names);
                return Ok(alter_table_plan(table, Arc::new(new), "ALTER TABLE"));
            }
        };
        let relname = crate::catalog::relname(&table.name);
        let refused = |message: String| Err(SqlError::new(code::INVALID_TABLE_DEFINITION, message));
        if table.persistence() == 't' {
            return refused(format!(
                "cannot change logged status of table \"{relname}\" because it is temporary"
            ));
        }
        // Permanent tables reference only permanent ones (self-references aside).
        if logged {
            for fk in &table.foreign_keys {
                let parent = self.catalog.table_by_id(fk.parent);
                if let Some(parent) = parent.filter(|p| p.id != table.id && p.unlogged) {
                    return refused(format!(
                        "could not change table \"{relname}\" to logged because it references unlogged table \"{}\"",
                        crate::catalog::relname(&parent.name)
                    ));
                }
            }
        } else {
            for (child, _) in self.catalog.referencing(table.id) {
                if child.id != table.id && child.persistence() == 'p' {
                    return refused(format!(
                        "could not change table \"{relname}\" to unlogged because it references logged table \"{}\"",
                        crate::catalog::relname(&child.name)
                    ));
                }
            }
        }
        let table = self.bind_indexes(table)?;
        let mut new = (*table).clone();
        new.unlogged = !logged;
        Ok(alter_table_plan(table, Arc::new(new), "ALTER TABLE"))
    }

    pub fn bind_alter_identity(
        &mut self,
        (name, _): &(String, usize),
        if_exists: bool,
        actions: &[crate::parse::IdentityAction],
    ) -> SqlResult<Plan> {
        use crate::parse::IdentityChange;
        let matview = crate::parse::alters_matview(self.text);
        let tag = match matview {
            true => "ALTER MATERIALIZED VIEW",
            false => "ALTER TABLE",
        };
        let Some(table) = self.altered_table(name, if_exists)? else {
            return Ok(skipped_relation(crate::catalog::relname(name), tag));
        };
        if matview && table.matview.is_none() {
            return Err(crate::catalog::not_a(&table.name, "materialized view"));
        }
        let table = self.bind_indexes(table)?;
        let mut new = (*table).clone();
        let mut notices = Vec::new();
        let mut identity: Vec<(String, Option<crate::plan::SequenceChange>)> = Vec::new();
        for action in actions {
            let column = &action.column.0;
            let relation = crate::catalog::relname(&table.name);
            let Some(index) = new.column_index(column) else {
                return Err(SqlError::new(
                    code::UNDEFINED_COLUMN,
                    format!("column \"{column}\" of relation \"{relation}\" does not exist"),
                ));
            };
            match &action.change {
                // PostgreSQL's ATExecSetStatistics: below -1 refused, above 10000 lowered.
                IdentityChange::Statistics(target) => {
                    if *target < -1 {
                        return Err(SqlError::new(
                            code::INVALID_PARAMETER_VALUE,
                            format!("statistics target {target} is too low"),
                        ));
                    }
                    if *target > 10_000 {
                        notices.push(SqlError::new(
                            "01000",
                            "lowering statistics target to 10000",
                        ));
                    }
                    let target = (*target).min(10_000) as i32;
                    new.columns[index].stat_target = (target != -1).then_some(target);
                    continue;
                }
                // ATExecSetStorage: a type stored only in line (fixed size) stays PLAIN.
                IdentityChange::Storage(storage) => {
                    let code = match storage.as_str() {
                        "plain" => 'p',
                        "external" => 'e',
                        "extended" => 'x',
                        "main" => 'm',
                        _ => {
                            return Err(SqlError::new(
                                code::INVALID_PARAMETER_VALUE,
                                format!("invalid storage type \"{storage}\""),
                            ))
                        }
                    };
                    let ty = new.columns[index].ty;
                    if code != 'p' && crate::system::storage(ty) == "p" {
                        return Err(SqlError::new(
                            code::DATATYPE_MISMATCH,
                            format!("column data type {} can only have storage PLAIN", ty.name()),
                        ));
                    }
                    new.columns[index].storage = Some(code);
                    continue;
                }
                _ => {}
            }
            if let IdentityChange::DropExpression { if_exists } = action.change {
                // PostgreSQL's ATExecDropExpression: the values stay, the expression goes.
                if new.columns[index].generated.take().is_none() {
                    let message = format!(
                        "column \"{column}\" of relation \"{relation}\" is not a stored generated column"
                    );
                    if !if_exists {
                        return Err(SqlError::new(
                            code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                            message,
                        ));
                    }
                    notices.push(SqlError::new(
                        code::SUCCESSFUL_COMPLETION,
                        format!("{message}, skipping"),
                    ));
                }
                continue;
            }
            let not_identity =
                format!("column \"{column}\" of relation \"{relation}\" is not an identity column");
            if new.columns[index].identity.is_none() {
                if let IdentityChange::Drop { if_exists: true } = action.change {
                    notices.push(SqlError::new(
                        code::SUCCESSFUL_COMPLETION,
                        format!("{not_identity}, skipping"),
                    ));
                    continue;
                }
                return Err(SqlError::new(
                    code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    not_identity,
                ));
            }
            // The column's sequence, as this statement has left it so far.
            let owner = Some((table.name.clone(), table.columns[index].name.clone()));
            let seq_name = (self.catalog.sequences.values())
                .find(|seq| seq.owned_by == owner)
                .map(|seq| seq.name.clone())
                .ok_or_else(|| {
                    SqlError::new(
                        code::INTERNAL_ERROR,
                        format!("identity column \"{column}\" has no sequence"),
                    )
                })?;
            // (One DROP IDENTITY before makes the column no identity column: refused above.)
            let earlier = identity.iter().position(|(name, _)| *name == seq_name);
            let current = (earlier.and_then(|at| identity[at].1.clone())).unwrap_or_else(|| {
                crate::plan::SequenceChange {
                    seq: (*self.catalog.sequences[&seq_name]).clone(),
                    restart: None,
                }
            });
            let change = match &action.change {
                IdentityChange::DropExpression { .. }
                | IdentityChange::Statistics(_)
                | IdentityChange::Storage(_) => continue,
                IdentityChange::Drop { .. } => {
                    let column = &mut new.columns[index];
                    column.identity = None;
                    column.default = None;
                    None
                }
                IdentityChange::Set { always, options } => {
                    if let Some(always) = always {
                        new.columns[index].identity = Some(*always);
                    }
                    let mut change = self.altered_sequence(&current.seq, options)?;
                    change.restart = change.restart.or(current.restart);
                    Some(change)
                }
            };
            match earlier {
                Some(at) => identity[at].1 = change,
                None => identity.push((seq_name, change)),
            }
        }
        let new = self.write_target(Arc::new(new))?;
        Ok(Plan::AlterTable {
            table,
            new,
            fill: Vec::new(),
            not_null: Vec::new(),
            notices,
            sequences: Vec::new(),
            retype: Vec::new(),
            identity,
            tag,
        })
    }

    /// A column type.
    pub fn data_type(&self, ty: &ast::DataType) -> SqlResult<DataType> {
        use ast::DataType as T;
        let length = |length: &Option<CharacterLength>| -> SqlResult<Option<u32>> {
            match length {
                None => Ok(None),
                Some(CharacterLength::IntegerLength { length, .. })
                    if *length >= 1 && *length <= 10_485_760 =>
                {
                    Ok(Some(*length as u32))
                }
                Some(CharacterLength::IntegerLength { .. }) => Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "length for type varchar must be at least 1",
                )),
                Some(CharacterLength::Max) => Err(unsupported("varchar(max)")),
            }
        };
        Ok(match ty {
            T::Bool | T::Boolean => DataType::Bool,
            T::Int2(_) | T::SmallInt(_) => DataType::Int2,
            T::Int(_) | T::Int4(_) | T::Integer(_) => DataType::Int4,
            T::Int8(_) | T::BigInt(_) => DataType::Int8,
            T::Float8 | T::DoublePrecision | T::Double(ExactNumberInfo::None) => DataType::Float8,
            T::Real | T::Float4 => DataType::Float4,
            T::Float(ExactNumberInfo::None) => DataType::Float8,
            // float(p): PostgreSQL's real up to 24 bits of precision, double precision to 53.
            T::Float(ExactNumberInfo::Precision(bits)) => match bits {
                0 => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "precision for type float must be at least 1 bit",
                    ))
                }
                1..=24 => DataType::Float4,
                25..=53 => DataType::Float8,
                _ => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        "precision for type float must be less than 54 bits",
                    ))
                }
            },
            T::Numeric(ExactNumberInfo::None) | T::Decimal(ExactNumberInfo::None) => {
                DataType::Numeric
            }
            T::Numeric(info) | T::Decimal(info) => {
                let (precision, scale) = match info {
                    ExactNumberInfo::Precision(p) => (*p, 0),
                    ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
                    ExactNumberInfo::None => (0, 0),
                };
                if !(1..=1000).contains(&precision) {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("NUMERIC precision {precision} must be between 1 and 1000"),
                    ));
                }
                if !(-1000..=1000).contains(&scale) {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("NUMERIC scale {scale} must be between -1000 and 1000"),
                    ));
                }
                DataType::Decimal(precision as u16, scale as i16)
            }
            T::Text => DataType::Text,
            T::Varchar(len) | T::CharacterVarying(len) => DataType::Varchar(length(len)?),
            T::Char(len) | T::Character(len) => DataType::Char(length(len)?.unwrap_or(1)),
            // A declared precision rounds values on the way in (at most 6, microseconds, as
            // PostgreSQL keeps: a larger one is reduced to it).
            T::Timestamp(Some(p), TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => {
                DataType::TimestampP((*p).min(6) as u8)
            }
            T::Timestamp(Some(p), TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => {
                DataType::TimestampTzP((*p).min(6) as u8)
            }
            T::Time(Some(p), TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => {
                DataType::TimeP((*p).min(6) as u8)
            }
            T::Timestamp(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => {
                DataType::Timestamp
            }
            T::Timestamp(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => DataType::TimestampTz,
            T::Date => DataType::Date,
            T::Time(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => DataType::Time,
            T::Uuid => DataType::Uuid,
            T::Bytea => DataType::Bytea,
            T::JSON => DataType::Json,
            T::JSONB => DataType::Jsonb,
            T::Interval {
                fields: None,
                precision: None,
            } => DataType::Interval,
            T::Interval { fields, precision } => {
                let fields = fields.as_ref().map(|f| f.to_string());
                let precision = precision.map(|p| p as u32);
                DataType::IntervalP(
                    crate::datetime::interval_typmod(fields.as_deref(), precision)
                        .ok_or_else(|| unsupported(format!("type {ty}")))?,
                )
            }
            T::Custom(name, modifiers) if modifiers.is_empty() => {
                match written_type_name(name).trim_start_matches("pg_catalog.") {
                    "int2vector" => DataType::Int2Vector,
                    "oidvector" => DataType::Int8.array(),
                    name if named_type(name).is_some() => named_type(name).expect("checked"),
                    array if array.starts_with('_') && named_type(&array[1..]).is_some() => {
                        named_type(&array[1..]).expect("checked").array()
                    }
                    "serial" | "bigserial" => return Err(unsupported("serial columns")),
                    other => match self.enum_named(name)? {
                        Some(def) => DataType::Enum(def.id as u32),
                        None if self.composite_named(name)?.is_some() => {
                            self.composite_named(name)?.expect("checked").data_type()
                        }
                        // A domain's values are its base type's (see `crate::domains`).
                        None if self.domain_named(name)?.is_some() => {
                            self.domain_named(name)?.expect("checked").base
                        }
                        None => {
                            return Err(SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!("type \"{other}\" does not exist"),
                            )
                            .at(self.pos(name.span())))
                        }
                    },
                }
            }
            T::Array(
                ast::ArrayElemTypeDef::SquareBracket(inner, _)
                | ast::ArrayElemTypeDef::AngleBracket(inner)
                | ast::ArrayElemTypeDef::Parenthesis(inner),
            ) => self.data_type(inner)?.array(),
            other => return Err(unsupported(format!("type {other}"))),
        })
    }

    /// The schemas the session's search path finds types in, as format_type's third argument
    /// (a type elsewhere prints schema-qualified, as PostgreSQL prints it).
    fn visible_schemas(&self) -> Expr {
        let schemas = self.catalog.search_schemas(self.path(), &self.session.user);
        Expr::Const(Value::Text(schemas.join(",")))
    }

    /// The OID of the type a computed text names (`to_regtype($1)`, as drivers ask for a type's
    /// fields): a user-defined type's by the names it is written with (`name` when the search
    /// path finds it, `schema.name`, and `name[]` for an enum or composite type's array), else
    /// a built-in type's, looked up when the statement runs.
    fn computed_regtype(&self, text: Expr) -> Expr {
        let schemas = self.catalog.search_schemas(self.path(), &self.session.user);
        let catalog = self.catalog;
        let is_type = |key: &String| {
            catalog.enums.contains_key(key)
                || catalog.composites.contains_key(key)
                || catalog.domains.contains_key(key)
        };
        let mut pairs = Vec::new();
        let mut add = |key: &str, oid: i64, array: Option<i64>| {
            let (schema, name) = crate::catalog::split_name(key);
            let mut names = vec![format!("{schema}.{name}")];
            // Bare when the search path finds this type first under its name.
            let first = (schemas.iter()).find(|s| is_type(&crate::catalog::qualify(s, name)));
            if first == Some(&schema) {
                names.push(name.to_string());
            }
            for name in names {
                if let Some(array) = array {
                    pairs.push((Value::Text(format!("{name}[]")), Value::Int(array)));
                }
                pairs.push((Value::Text(name), Value::Int(oid)));
            }
        };
        for def in self.catalog.enums.values() {
            let ty = DataType::Enum(def.id as u32);
            add(&def.name, i64::from(ty.oid()), Some(ty.array_oid()));
        }
        for def in self.catalog.composites.values() {
            let ty = def.data_type();
            add(&def.name, def.oid(), Some(ty.array_oid()));
        }
        for def in self.catalog.domains.values() {
            add(&def.name, def.oid(), None);
        }
        let built_in = Expr::Scalar(crate::functions::Scalar::ToRegtype, vec![text.clone()]);
        lookup(&text, pairs, built_in)
    }

    /// The OID of the enum type, composite type or domain a name given as text names
    /// (`'mood'::regtype`), or of the array type over an enum or composite type (`'mood[]'`).
    fn user_type_by_text(&self, text: &str) -> Option<i64> {
        let text = text.trim();
        let (text, array) = match text.strip_suffix("[]") {
            Some(element) => (element.trim_end(), true),
            None => (text, false),
        };
        let name = crate::parse::parse_expr(text).ok()?;
        let name = match name {
            ast::Expr::Identifier(ident) => ObjectName::from(vec![ident]),
            ast::Expr::CompoundIdentifier(idents) => ObjectName::from(idents),
            _ => return None,
        };
        let ty = match (self.enum_named(&name).ok().flatten())
            .map(|def| DataType::Enum(def.id as u32))
            .or_else(|| Some(self.composite_named(&name).ok().flatten()?.data_type()))
        {
            Some(ty) => ty,
            None if array => return None,
            None => return Some(self.domain_named(&name).ok().flatten()?.oid()),
        };
        Some(match array {
            true => ty.array_oid(),
            false => i64::from(ty.oid()),
        })
    }

    /// The enum type a type name names (along the search path when unqualified).
    fn enum_named(&self, name: &ObjectName) -> SqlResult<Option<Arc<crate::enums::EnumDef>>> {
        let parts = self.name_parts(name)?;
        if let [(schema, at), _] = parts.as_slice() {
            if !self.catalog.schema_exists(schema) && schema != "pg_catalog" {
                return Err(SqlError::new(
                    code::INVALID_SCHEMA_NAME,
                    format!("schema \"{schema}\" does not exist"),
                )
                .at(*at));
            }
        }
        self.user_type_entry(name, &self.catalog.enums)
    }

    /// The composite type a type name names (along the search path when unqualified).
    pub(crate) fn composite_named(
        &self,
        name: &ObjectName,
    ) -> SqlResult<Option<Arc<crate::composites::CompositeDef>>> {
        self.user_type_entry(name, &self.catalog.composites)
    }

    /// The entry of `types` (the catalog's enums, domains or composite types) a type name
    /// names: along the search path when unqualified; when qualified, in that schema whatever
    /// the search path (`public.mood` under pg_dump's empty one).
    fn user_type_entry<T>(
        &self,
        name: &ObjectName,
        types: &std::collections::BTreeMap<String, Arc<T>>,
    ) -> SqlResult<Option<Arc<T>>> {
        let parts = self.name_parts(name)?;
        Ok(match parts.as_slice() {
            [(name, _)] => {
                let schemas = self.catalog.search_schemas(self.path(), &self.session.user);
                crate::catalog::find_type(types, name, &schemas).cloned()
            }
            [(schema, _), (name, _)] => types.get(&crate::catalog::qualify(schema, name)).cloned(),
            _ => None,
        })
    }

    /// Binds a query (SELECT).
    /// A query statement: the single-table form when the query is one (its scan, filter and
    /// locks run on the workers), else the general tree.
    pub fn bind_query(&mut self, query: &ast::Query) -> SqlResult<Plan> {
        let rewritten = fetch_as_limit(query)?;
        let query = rewritten.as_ref().unwrap_or(query);
        let writes = written_statement(query).is_some()
            || (query.with.iter()).any(|with| {
                with.cte_tables
                    .iter()
                    .any(|cte| written_statement(&cte.query).is_some())
            });
        if writes {
            return self.bind_with_writes(query);
        }
        if let (None, SetExpr::Select(select)) = (&query.with, query.body.as_ref()) {
            let parts = self.bind_select(select, query, None)?;
            return match parts.into_select_plan() {
                Ok(plan) => Ok(Plan::Select(Arc::new(plan))),
                Err(parts) => {
                    let (rel, columns) = parts.into_locking_rel()?;
                    Ok(Plan::Query(Arc::new(QueryPlan { rel, columns })))
                }
            };
        }
        let (rel, columns) = self.bind_rewritten_query_rel(query, None)?;
        Ok(Plan::Query(Arc::new(QueryPlan { rel, columns })))
    }

    /// A query as a tree; `outer` is the scope of the query around it (for a subquery).
    fn bind_query_rel(
        &mut self,
        query: &ast::Query,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        let rewritten = fetch_as_limit(query)?;
        self.bind_rewritten_query_rel(rewritten.as_ref().unwrap_or(query), outer)
    }

    /// [`Binder::bind_query_rel`] of a query whose FETCH [`fetch_as_limit`] rewrote already.
    fn bind_rewritten_query_rel(
        &mut self,
        query: &ast::Query,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        let before = self.ctes.len();
        let result = self.bind_with_body(query, outer);
        self.ctes.truncate(before);
        result
    }

    fn bind_with_body(
        &mut self,
        query: &ast::Query,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        // A locking clause of the query around this one (not of its WITH queries).
        let inherited = self.inherited_lock.take();
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                if written_statement(&cte.query).is_some() {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        "WITH clause containing a data-modifying statement must be at the top level",
                    )
                    .at(self.pos(cte.alias.name.span)));
                }
                self.bind_cte(cte, with.recursive, outer)?;
            }
        }
        check_fetch(query)?;
        if let SetExpr::Select(select) = query.body.as_ref() {
            // PostgreSQL pulls a plain SELECT of its FROM clause up into the query around it,
            // which then locks the rows of its tables that pass both queries' conditions.
            let pulled_up = inherited.is_some()
                && query.with.is_none()
                && query.order_by.is_none()
                && query.limit_clause.is_none()
                && query.fetch.is_none()
                && query.locks.is_empty();
            let parts = self.bind_select_inheriting(select, query, outer, inherited)?;
            if pulled_up && parts.is_plain() {
                let (rel, columns, carried) = parts.into_carrying_rel();
                self.carried = Some(carried);
                return Ok((rel, columns));
            }
            return parts.into_locking_rel();
        }
        let own = self.lock_clauses(query).first().map(|c| c.locking);
        let set_operation = matches!(query.body.as_ref(), SetExpr::SetOperation { .. });
        if let Some(locking) = own.or(inherited.filter(|_| set_operation)) {
            let strength = locking.strength.name();
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("FOR {strength} is not allowed with UNION/INTERSECT/EXCEPT"),
            ));
        }
        let (mut rel, columns) = self.bind_set_expr(query.body.as_ref(), outer)?;
        if let Some(order) = &query.order_by {
            let OrderByKind::Expressions(items) = &order.kind else {
                return Err(unsupported("ORDER BY ALL"));
            };
            let mut keys = Vec::new();
            for item in items {
                let output = match self.output_position(&item.expr, columns.len(), "ORDER BY")? {
                    Some(index) => index,
                    None => {
                        let name = match &item.expr {
                            ast::Expr::Identifier(ident) => Some(ident_name(ident)),
                            _ => None,
                        };
                        match name.and_then(|n| columns.iter().position(|c| c.name == n)) {
                            Some(index) => index,
                            None => {
                                return Err(SqlError::new(
                                    code::FEATURE_NOT_SUPPORTED,
                                    "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
                                )
                                .with_detail("Only result column names can be used, not expressions or functions.")
                                .at(self.pos(item.expr.span())))
                            }
                        }
                    }
                };
                let descending = item.options.asc == Some(false);
                keys.push(SortKey {
                    output,
                    descending,
                    nulls_first: item.options.nulls_first.unwrap_or(descending),
                });
            }
            rel = Rel::Sort {
                input: Box::new(rel),
                keys,
            };
        }
        let (limit, offset) = self.limit_clause(query.limit_clause.as_ref())?;
        if limit.is_some() || offset.is_some() {
            let ties = match &rel {
                Rel::Sort { keys, .. } if with_ties(query) => Some(keys.clone()),
                _ => None,
            };
            rel = Rel::Limit {
                input: Box::new(rel),
                limit,
                offset,
                ties,
            };
        }
        Ok((rel, columns))
    }

    /// A WITH RECURSIVE query: `base UNION [ALL] step`, where `step` reads the query itself
    /// (the rows the previous round added). A query that does not read itself binds as usual.
    fn bind_recursive_cte(
        &mut self,
        cte: &ast::Cte,
        name: &str,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        let query = &cte.query;
        let (
            SetExpr::SetOperation {
                op: ast::SetOperator::Union,
                set_quantifier,
                left,
                right,
            },
            None,
        ) = (query.body.as_ref(), &query.with)
        else {
            if self.search_cycle_of(cte).is_some() {
                return Err(not_recursive(self, cte));
            }
            // A query of another form must not read itself.
            let at = self.pos(cte.alias.name.span);
            let bound = self.guarded(name, CteGuard::NotUnion(at), |binder| {
                binder.bind_query_rel(query, outer)
            });
            let (rel, columns) = bound?;
            return Ok((rel, rename_columns(columns, &cte.alias, name)?));
        };
        let all = match set_quantifier {
            ast::SetQuantifier::All => true,
            ast::SetQuantifier::Distinct | ast::SetQuantifier::None => false,
            other => return Err(unsupported(format!("UNION {other}"))),
        };
        if query.order_by.is_some()
            || query.limit_clause.is_some()
            || query.fetch.is_some()
            || !query.locks.is_empty()
        {
            // PostgreSQL has none of these over a recursive query (0A000); over a plain UNION
            // they are as in any query.
            let (rel, _) = self.bind_recursion(cte, name, outer, left, right, all, 0)?;
            if !matches!(rel, Rel::Recursive { .. }) {
                let (rel, columns) = self.bind_query_rel(query, outer)?;
                return Ok((rel, rename_columns(columns, &cte.alias, name)?));
            }
            // At the clause's expression, as PostgreSQL points.
            let clause = |binder: &Binder<'_>, what: &str, at: Option<Span>| {
                SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("{what} in a recursive query is not implemented"),
                )
                .at(at.and_then(|span| binder.pos(span)))
            };
            let order = match query.order_by.as_ref().map(|o| &o.kind) {
                Some(ast::OrderByKind::Expressions(exprs)) => exprs.first().map(|e| e.expr.span()),
                _ => None,
            };
            let (limit, offset) = match &query.limit_clause {
                Some(ast::LimitClause::LimitOffset { limit, offset, .. }) => (
                    limit.as_ref().map(|l| l.span()),
                    offset.as_ref().map(|o| o.value.span()),
                ),
                Some(ast::LimitClause::OffsetCommaLimit { offset, limit }) => {
                    (Some(limit.span()), Some(offset.span()))
                }
                None => (None, None),
            };
            let fetch = query
                .fetch
                .as_ref()
                .and_then(|f| f.quantity.as_ref().map(|q| q.span()));
            return Err(if query.order_by.is_some() {
                clause(self, "ORDER BY", order)
            } else if offset.is_some() {
                clause(self, "OFFSET", offset)
            } else if limit.is_some() || query.fetch.is_some() {
                clause(self, "LIMIT", limit.or(fetch))
            } else {
                SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    "FOR UPDATE/SHARE in a recursive query is not implemented",
                )
            });
        }
        if let Some(clauses) = self.search_cycle_of(cte) {
            return self.bind_search_cycle(cte, name, outer, left, right, all, clauses);
        }
        self.bind_recursion(cte, name, outer, left, right, all, 0)
    }

    /// PostgreSQL's error for a recursive query whose recursive term, bound now, reads it in
    /// `side` (the nullable side of an outer join); None when `side` does not read one.
    fn outer_joined(&self, side: &Rel) -> Option<SqlError> {
        self.ctes.iter().find_map(|cte| {
            let (CteGuard::RecursiveTerm { read, .. }, Rel::WorkTable { id, .. }) =
                (&cte.guard, &cte.rel)
            else {
                return None;
            };
            let mut reads = false;
            side.visit(&mut |r| reads |= matches!(r, Rel::WorkTable { id: w, .. } if w == id));
            reads.then(|| {
                SqlError::new(
                    code::INVALID_RECURSION,
                    format!(
                        "recursive reference to query \"{}\" must not appear within an outer join",
                        cte.name
                    ),
                )
                .at(read.get().flatten())
            })
        })
    }

    /// Runs `bind` with a stand-in for the recursive WITH query `name` in scope that makes any
    /// reference to it the error `guard` names (its rows are not there yet).
    fn guarded<T>(
        &mut self,
        name: &str,
        guard: CteGuard,
        bind: impl FnOnce(&mut Binder<'a>) -> SqlResult<T>,
    ) -> SqlResult<T> {
        self.ctes.push(Cte {
            name: name.to_string(),
            rel: Rel::Values {
                width: 0,
                rows: Vec::new(),
            },
            columns: Vec::new(),
            returning: true,
            hidden: 0,
            guard,
        });
        let bound = bind(self);
        self.ctes.pop();
        bound
    }

    /// A WITH query's SEARCH and CYCLE clauses (see `parse::search_cycle`), found in the text
    /// after its closing parenthesis.
    fn search_cycle_of(
        &self,
        cte: &ast::Cte,
    ) -> Option<(
        Option<crate::parse::SearchClause>,
        Option<crate::parse::CycleClause>,
    )> {
        let text = self.spans_text();
        let start = cte.closing_paren_token.0.span.start;
        let paren = crate::parse::offset_of(text, start.line, start.column)?;
        let (search, cycle, _) = crate::parse::search_cycle(text, paren + 1)?;
        Some((search, cycle))
    }

    /// A recursive WITH query with SEARCH and/or CYCLE clauses, rewritten as PostgreSQL's
    /// rewriteSearchAndCycle does before it is bound: the non-recursive term gains the added
    /// columns' first values (`SELECT *, ROW(0, cols) | ARRAY[ROW(cols)], mark default,
    /// ARRAY[ROW(cols)] FROM (base)`), the recursive term reads its own SELECT with the CTE's
    /// added columns appended and computes the next values from them (depth + 1, the path
    /// grown by this row, the mark set when the row is on the path), keeping out rows whose
    /// mark says they closed a cycle. A breadth-first sequence is `ROW(depth, cols)`, a
    /// depth-first one the array of the rows on the way (which sorts as a depth-first walk).
    #[allow(clippy::too_many_arguments)]
    fn bind_search_cycle(
        &mut self,
        cte: &ast::Cte,
        name: &str,
        outer: Option<&Scope<'_>>,
        left: &SetExpr,
        right: &SetExpr,
        all: bool,
        (search, cycle): (
            Option<crate::parse::SearchClause>,
            Option<crate::parse::CycleClause>,
        ),
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        let offset = self.offset;
        let syntax = |message: String, at: usize| {
            SqlError::new(code::SYNTAX_ERROR, message).at(Some(at + 1 + offset))
        };
        let duplicate = |message: String, at: usize| {
            SqlError::new(code::DUPLICATE_COLUMN, message).at(Some(at + 1 + offset))
        };
        if matches!(left, SetExpr::SetOperation { .. }) {
            // A recursive reference there is the error to report first.
            self.bind_recursion(cte, name, outer, left, right, all, 0)?;
            return Err(SqlError::new(
                code::SYNTAX_ERROR,
                "with a SEARCH or CYCLE clause, the left side of the UNION must be a SELECT",
            ));
        }
        // A SELECT, or one in parentheses with nothing around it.
        let bare = !matches!(right, SetExpr::Query(query)
            if query.with.is_some() || query.order_by.is_some() || query.limit_clause.is_some());
        let Some(step) = term_select(right).filter(|_| bare) else {
            return Err(SqlError::new(
                code::SYNTAX_ERROR,
                "with a SEARCH or CYCLE clause, the right side of the UNION must be a SELECT",
            ));
        };
        // The query's columns, as its non-recursive term names them.
        let bound = self.guarded(name, CteGuard::NonRecursiveTerm, |binder| {
            binder.bind_set_expr(left, outer)
        });
        let (_, base_columns) = bound?;
        let names: Vec<String> = (rename_columns(base_columns, &cte.alias, name)?)
            .into_iter()
            .map(|c| c.name)
            .collect();
        // PostgreSQL analyzes the query first, its recursive reference carrying the clauses'
        // columns too: a reference to a name one of them repeats is ambiguous there.
        let added_names = (search.iter().map(|s| &s.set.0))
            .chain(cycle.iter().flat_map(|c| [&c.mark.0, &c.path.0]));
        let repeated: Vec<&String> = added_names.filter(|n| names.contains(n)).collect();
        let reference = step.from.iter().find_map(|item| cte_reference(item, name));
        if let (false, Some(reference)) = (repeated.is_empty(), &reference) {
            let reference = ident_name(reference);
            if let Some((column, span)) = first_reference_to(step, &reference, &repeated) {
                return Err(SqlError::new(
                    code::AMBIGUOUS_COLUMN,
                    format!("column reference \"{column}\" is ambiguous"),
                )
                .at(self.pos(span)));
            }
        }
        // PostgreSQL's checks (analyzeCTE), in its order.
        // A clause's columns: the query's, each once.
        let listed = |what: &str, columns: &[(String, usize)], at: usize| {
            let mut seen: Vec<&str> = Vec::new();
            for (column, _) in columns {
                if !names.contains(column) {
                    return Err(syntax(
                        format!("{what} column \"{column}\" not in WITH query column list"),
                        at,
                    ));
                }
                if seen.contains(&column.as_str()) {
                    return Err(duplicate(
                        format!("{what} column \"{column}\" specified more than once"),
                        at,
                    ));
                }
                seen.push(column);
            }
            Ok(())
        };
        let mut added: Vec<String> = Vec::new();
        if let Some(search) = &search {
            listed("search", &search.by, search.at)?;
            if names.contains(&search.set.0) {
                return Err(duplicate(
                    format!(
                        "search sequence column name \"{}\" already used in WITH query column list",
                        search.set.0
                    ),
                    search.at,
                ));
            }
            added.push(search.set.0.clone());
        }
        let mut mark = None;
        if let Some(cycle) = &cycle {
            listed("cycle", &cycle.columns, cycle.at)?;
            for (what, column) in [("mark", &cycle.mark.0), ("path", &cycle.path.0)] {
                if names.contains(column) {
                    return Err(duplicate(
                        format!(
                            "cycle {what} column name \"{column}\" already used in WITH query column list"
                        ),
                        cycle.at,
                    ));
                }
            }
            if cycle.mark.0 == cycle.path.0 {
                return Err(duplicate(
                    "cycle mark column name and cycle path column name are the same".into(),
                    cycle.at,
                ));
            }
            if let Some(search) = &search {
                for (what, column) in [("mark", &cycle.mark.0), ("path", &cycle.path.0)] {
                    if *column == search.set.0 {
                        return Err(duplicate(
                            format!("search sequence column name and cycle {what} column name are the same"),
                            search.at,
                        ));
                    }
                }
            }
            mark = Some(self.cycle_mark(cycle)?);
            added.push(cycle.mark.0.clone());
            added.push(cycle.path.0.clone());
        }
        // The recursive reference, which must be among the step's own FROM items.
        let Some(reference) = step.from.iter().find_map(|item| cte_reference(item, name)) else {
            return Err(SqlError::new(
                code::SYNTAX_ERROR,
                format!(
                    "with a SEARCH or CYCLE clause, the recursive reference to WITH query \"{name}\" must be at the top level of its right-hand SELECT"
                ),
            ));
        };
        let quote = crate::exec::quote_ident;
        let (base_alias, step_alias) = ("\"*tlocrn*\"", "\"*trocrn*\"");
        // `alias.column, ...`: the fields of a row of the clause's columns.
        let fields = |alias: &str, columns: &[(String, usize)]| {
            let fields: Vec<String> = (columns.iter())
                .map(|(column, _)| format!("{alias}.{}", quote(column)))
                .collect();
            fields.join(", ")
        };
        let column_list = |extra: &[String]| {
            let all: Vec<String> = names.iter().chain(extra).map(|n| quote(n)).collect();
            all.join(", ")
        };
        let mut first = Vec::new();
        let mut next = Vec::new();
        let mut keep = String::new();
        if let Some(search) = &search {
            let sequence = format!("{step_alias}.{}", quote(&search.set.0));
            let (base, step) = (
                fields(base_alias, &search.by),
                fields(step_alias, &search.by),
            );
            if search.breadth {
                first.push(format!("ROW(CAST(0 AS bigint), {base})"));
                next.push(format!("ROW(({sequence}).f1 + 1, {step})"));
            } else {
                first.push(format!("ARRAY[ROW({base})]"));
                next.push(format!("{sequence} || ARRAY[ROW({step})]"));
            }
        }
        if let (Some(cycle), Some((value, default))) = (&cycle, &mark) {
            let path = format!("{step_alias}.{}", quote(&cycle.path.0));
            let (base, step) = (
                fields(base_alias, &cycle.columns),
                fields(step_alias, &cycle.columns),
            );
            first.push(default.clone());
            first.push(format!("ARRAY[ROW({base})]"));
            next.push(format!(
                "CASE WHEN ROW({step}) = ANY({path}) THEN {value} ELSE {default} END"
            ));
            next.push(format!("{path} || ARRAY[ROW({step})]"));
            keep = format!(
                " WHERE {step_alias}.{} IS DISTINCT FROM {value}",
                quote(&cycle.mark.0)
            );
        }
        // The added columns under their names.
        let named = |values: Vec<String>| {
            let named: Vec<String> = (values.iter().zip(&added))
                .map(|(value, name)| format!("{value} AS {}", quote(name)))
                .collect();
            named.join(", ")
        };
        let base_sql = format!(
            "SELECT {base_alias}.*, {} FROM (SELECT 1) AS {base_alias}({})",
            named(first),
            column_list(&[])
        );
        let step_columns: Vec<String> = (names.iter())
            .map(|n| format!("{step_alias}.{}", quote(n)))
            .collect();
        let step_sql = format!(
            "SELECT {}, {} FROM (SELECT 1) AS {step_alias}({}){keep}",
            step_columns.join(", "),
            named(next),
            column_list(&added)
        );
        let mut base = template_select(&base_sql)?;
        set_derived_body(&mut base, left.clone());
        let mut inner = step.clone();
        for column in &added {
            inner
                .projection
                .push(SelectItem::UnnamedExpr(ast::Expr::CompoundIdentifier(
                    vec![reference.clone(), ast::Ident::with_quote('"', column)],
                )));
        }
        let mut next = template_select(&step_sql)?;
        set_derived_body(&mut next, SetExpr::Select(Box::new(inner)));
        let (rel, columns) =
            self.bind_recursion(cte, name, outer, &base, &next, all, added.len())?;
        if !matches!(rel, Rel::Recursive { .. }) {
            return Err(not_recursive(self, cte));
        }
        Ok((rel, columns))
    }

    /// A CYCLE clause's mark value and default as SQL of their common type (`TO` and
    /// `DEFAULT`, else true and false), checked as PostgreSQL checks them: of one type
    /// ("CYCLE types .. cannot be matched"), each a valid value of it, at the constant.
    fn cycle_mark(&mut self, cycle: &crate::parse::CycleClause) -> SqlResult<(String, String)> {
        let Some((value, default)) = &cycle.values else {
            return Ok(("true".into(), "false".into()));
        };
        let text = self.spans_text().to_string();
        let mut bound = Vec::new();
        for (constant, at) in [value, default] {
            // Parsed where it stands in the statement, so that its span points there.
            let end = at + constant.chars().count();
            let placed = crate::parse::blank_ranges(&text, &[(0, *at), (end, usize::MAX)]);
            let dialect = sqlparser::dialect::PostgreSqlDialect {};
            let expr = sqlparser::parser::Parser::new(&dialect)
                .try_with_sql(&placed)
                .and_then(|mut parser| parser.parse_expr())
                .map_err(|error| SqlError::syntax(error.to_string()))?;
            let (expr_bound, ty) =
                self.bind_expr(&expr, &Scope::empty(), &mut AggCollector::default())?;
            bound.push((expr, expr_bound, ty, constant.clone()));
        }
        let types: Vec<Vec<DataType>> = bound.iter().map(|b| vec![b.2]).collect();
        let common = self.common_types(&types, "CYCLE", bound[1].0.span())?[0];
        let mut sql = Vec::new();
        for (expr, expr_bound, ty, constant) in bound {
            self.coerce_to(expr_bound, ty, common, expr.span())?;
            sql.push(format!("CAST({constant} AS {})", common.name()));
        }
        Ok((sql[0].clone(), sql[1].clone()))
    }

    /// `base UNION [ALL] step` of a recursive WITH query named `name`, where `step` reads the
    /// query itself (the rows the previous round added; the last `hidden` columns found only
    /// by name); a step that does not read it makes a plain UNION.
    #[allow(clippy::too_many_arguments)]
    fn bind_recursion(
        &mut self,
        cte: &ast::Cte,
        name: &str,
        outer: Option<&Scope<'_>>,
        left: &SetExpr,
        right: &SetExpr,
        all: bool,
        hidden: usize,
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        let bound = self.guarded(name, CteGuard::NonRecursiveTerm, |binder| {
            binder.bind_set_expr(left, outer)
        });
        let (base, base_columns) = bound?;
        let base_types: Vec<DataType> = base_columns.iter().map(|c| c.ty).collect();
        let types: Vec<DataType> = base_types
            .iter()
            .map(|&t| {
                if t == DataType::Unknown {
                    DataType::Text
                } else {
                    t
                }
            })
            .collect();
        let base = self.cast_rel(base, &base_types, &types, left)?;
        let mut columns = rename_columns(base_columns, &cte.alias, name)?;
        for (column, &ty) in columns.iter_mut().zip(&types) {
            column.ty = ty;
            column.source = None;
        }
        let id = self.work_tables;
        self.work_tables += 1;
        self.ctes.push(Cte {
            name: name.to_string(),
            rel: Rel::WorkTable {
                id,
                width: columns.len(),
            },
            columns: columns.clone(),
            returning: true,
            hidden,
            guard: CteGuard::RecursiveTerm {
                sublinks: self.sublinks,
                read: std::cell::Cell::new(None),
            },
        });
        // Its SELECT list may hold no aggregate.
        let around = std::mem::replace(
            &mut self.recursive_term,
            term_select(right).map(|select| select as *const ast::Select as usize),
        );
        let step = self.bind_set_expr(right, outer);
        self.recursive_term = around;
        self.ctes.pop();
        let (step, step_columns) = step?;
        if step_columns.len() != columns.len() {
            return Err(SqlError::new(
                code::SYNTAX_ERROR,
                "each UNION query must have the same number of columns",
            )
            .at(self.pos(first_output_span(right))));
        }
        let step_types: Vec<DataType> = step_columns.iter().map(|c| c.ty).collect();
        let mut recursive = false;
        step.visit(&mut |r| recursive |= matches!(r, Rel::WorkTable { id: w, .. } if *w == id));
        let common = self.common_types(
            &[types.clone(), step_types.clone()],
            "UNION",
            first_output_span(right),
        )?;
        if !recursive {
            // A plain UNION: both sides take their common types.
            let base = self.cast_rel(base, &types, &common, left)?;
            let step = self.cast_rel(step, &step_types, &common, right)?;
            for (column, &ty) in columns.iter_mut().zip(&common) {
                column.ty = ty;
            }
            let rel = Rel::SetOp {
                op: SetOpKind::Union,
                all,
                left: Box::new(base),
                right: Box::new(step),
            };
            return Ok((rel, columns));
        }
        // The work table holds the non-recursive term's types: the whole must have them.
        for (i, (own, overall)) in types.iter().zip(&common).enumerate() {
            // Strings convert to each other implicitly both ways: PostgreSQL's common type is
            // then the first one (select_common_type), the non-recursive term's.
            if own != overall && !(own.is_string() && step_types[i].is_string()) {
                return Err(SqlError::new(
                    code::DATATYPE_MISMATCH,
                    format!(
                        "recursive query \"{name}\" column {} has type {} in non-recursive term but type {} overall",
                        i + 1,
                        own.name(),
                        overall.name()
                    ),
                )
                .with_hint("Cast the output of the non-recursive term to the correct type.")
                .at(self.pos(output_span(left, i))));
            }
        }
        let step = self.cast_rel(step, &step_types, &types, right)?;
        let rel = Rel::Recursive {
            id,
            all,
            base: Box::new(base),
            step: Box::new(step),
        };
        Ok((rel, columns))
    }

    /// One query of a WITH list, in scope for what follows it.
    fn bind_cte(
        &mut self,
        cte: &ast::Cte,
        recursive: bool,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<()> {
        let name = ident_name(&cte.alias.name);
        let (rel, columns) = match recursive {
            true => self.bind_recursive_cte(cte, &name, outer)?,
            false => {
                if self.search_cycle_of(cte).is_some() {
                    return Err(not_recursive(self, cte));
                }
                let (rel, columns) = self.bind_query_rel(&cte.query, outer)?;
                (rel, rename_columns(columns, &cte.alias, &name)?)
            }
        };
        self.ctes.push(Cte {
            name,
            rel,
            columns,
            returning: true,
            hidden: 0,
            guard: CteGuard::None,
        });
        Ok(())
    }

    /// A statement whose WITH holds INSERT, UPDATE or DELETE, or whose body is one of them
    /// (`WITH ... INSERT ...`). Each data-modifying query of the list runs first, in order, to
    /// completion; the rows of its RETURNING are a work table ([`Rel::WorkTable`]) that what
    /// follows reads ([`Plan::With`]). PostgreSQL runs them all on one snapshot, which Keel's
    /// statements, reading their own writes, cannot: a table one of them writes may be neither
    /// read nor updated or deleted from by another part of the statement (0A000), so no part
    /// sees another's changes (INSERTs into it from several parts are fine).
    fn bind_with_writes(&mut self, query: &ast::Query) -> SqlResult<Plan> {
        let before = self.ctes.len();
        let result = self.bind_with_writes_in_scope(query);
        self.ctes.truncate(before);
        result
    }

    fn bind_with_writes_in_scope(&mut self, query: &ast::Query) -> SqlResult<Plan> {
        // Each part's range of noted locks, its write target and whether it only inserts.
        struct Part {
            locks: std::ops::Range<usize>,
            target: Option<keel_storage::TableId>,
            inserts: bool,
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut writes = Vec::new();
        let noted = |binder: &Binder<'_>| binder.locks.borrow().len();
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let start = noted(self);
                let Some(statement) = written_statement(&cte.query) else {
                    self.bind_cte(cte, with.recursive, None)?;
                    parts.push(Part {
                        locks: start..noted(self),
                        target: None,
                        inserts: false,
                    });
                    continue;
                };
                if let Statement::Merge { .. } = statement {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        "MERGE not supported in WITH query",
                    )
                    .at(self.pos(cte.alias.name.span)));
                }
                let plan = self.bind_statement(statement)?;
                let (target, inserts, columns) = match &plan {
                    Plan::Insert(insert) => (insert.table.id, true, plan.columns()),
                    Plan::Update(update) => (update.table.id, false, plan.columns()),
                    Plan::Delete(delete) => (delete.table.id, false, plan.columns()),
                    Plan::WriteFromQuery(write) => (write.table.id, false, plan.columns()),
                    _ => return Err(unsupported("this statement in WITH")),
                };
                let name = ident_name(&cte.alias.name);
                let returning = !matches!(
                    statement,
                    Statement::Insert(ast::Insert {
                        returning: None,
                        ..
                    }) | Statement::Update {
                        returning: None,
                        ..
                    } | Statement::Delete(ast::Delete {
                        returning: None,
                        ..
                    })
                );
                let columns = columns
                    .iter()
                    .map(|column| OutputColumn {
                        source: None,
                        ..column.clone()
                    })
                    .collect();
                let columns = rename_columns(columns, &cte.alias, &name)?;
                let id = self.work_tables;
                self.work_tables += 1;
                self.ctes.push(Cte {
                    name,
                    rel: Rel::WorkTable {
                        id,
                        width: columns.len(),
                    },
                    columns,
                    returning,
                    hidden: 0,
                    guard: CteGuard::None,
                });
                writes.push((id, plan));
                parts.push(Part {
                    locks: start..noted(self),
                    target: Some(target),
                    inserts,
                });
            }
        }
        let start = noted(self);
        let (main, inserts) = match query.body.as_ref() {
            SetExpr::Insert(statement) => (self.bind_statement(statement)?, true),
            SetExpr::Update(statement) | SetExpr::Delete(statement) | SetExpr::Merge(statement) => {
                (self.bind_statement(statement)?, false)
            }
            _ => {
                let body = ast::Query {
                    with: None,
                    ..query.clone()
                };
                (self.bind_query(&body)?, false)
            }
        };
        parts.push(Part {
            locks: start..noted(self),
            target: None,
            inserts,
        });
        let locks = self.locks.borrow();
        for (k, part) in parts.iter().enumerate() {
            let Some(target) = part.target else { continue };
            let clash = parts.iter().enumerate().any(|(p, other)| {
                p != k
                    && locks[other.locks.clone()].iter().any(|(id, mode)| {
                        *id == target
                            && (*mode < crate::locks::LockMode::RowExclusive || !other.inserts)
                    })
            });
            if clash {
                return Err(unsupported(
                    "a table that a data-modifying WITH query changes, read or changed by another part of the statement",
                ));
            }
        }
        drop(locks);
        Ok(Plan::With {
            writes,
            main: Box::new(main),
        })
    }

    /// A set operation, VALUES list, or parenthesized query.
    fn bind_set_expr(
        &mut self,
        body: &SetExpr,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        match body {
            SetExpr::Select(select) => {
                self.keep_unknown = true;
                let parts = self.bind_select_clauses(select, None, None, &[], outer);
                Ok(parts?.into_rel())
            }
            SetExpr::Query(query) => self.bind_query_rel(query, outer),
            SetExpr::Values(values) => self.bind_values(values, outer),
            SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let kind = match op {
                    ast::SetOperator::Union => SetOpKind::Union,
                    ast::SetOperator::Intersect => SetOpKind::Intersect,
                    ast::SetOperator::Except | ast::SetOperator::Minus => SetOpKind::Except,
                };
                let all = match set_quantifier {
                    ast::SetQuantifier::All => true,
                    ast::SetQuantifier::Distinct | ast::SetQuantifier::None => false,
                    other => return Err(unsupported(format!("{op} {other}"))),
                };
                let (left_rel, left_columns) = self.bind_set_expr(left, outer)?;
                let (right_rel, right_columns) = self.bind_set_expr(right, outer)?;
                let name = op.to_string().to_uppercase();
                if left_columns.len() != right_columns.len() {
                    return Err(SqlError::new(
                        code::SYNTAX_ERROR,
                        format!("each {name} query must have the same number of columns"),
                    )
                    .at(self.pos(first_output_span(right))));
                }
                let left_types: Vec<DataType> = left_columns.iter().map(|c| c.ty).collect();
                let right_types: Vec<DataType> = right_columns.iter().map(|c| c.ty).collect();
                let common = self.common_types_at(
                    &[left_types.clone(), right_types.clone()],
                    &name,
                    &|_, column| output_span(right, column),
                )?;
                let left_rel = self.cast_rel(left_rel, &left_types, &common, left)?;
                let right_rel = self.cast_rel(right_rel, &right_types, &common, right)?;
                let columns = left_columns
                    .into_iter()
                    .zip(&common)
                    .map(|(column, &ty)| OutputColumn {
                        name: column.name,
                        ty,
                        source: None,
                    })
                    .collect();
                Ok((
                    Rel::SetOp {
                        op: kind,
                        all,
                        left: Box::new(left_rel),
                        right: Box::new(right_rel),
                    },
                    columns,
                ))
            }
            other => Err(unsupported(format!("{other}"))),
        }
    }

    /// `VALUES (...), (...)`: columns `column1` ... of the rows' common types.
    fn bind_values(
        &mut self,
        values: &ast::Values,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        let scope = Scope {
            rels: Vec::new(),
            outer,
        };
        let mut rows = Vec::new();
        let mut types = Vec::new();
        for row in &values.rows {
            if let Some(first) = rows.first() {
                let first: &Vec<Expr> = first;
                if row.len() != first.len() {
                    return Err(SqlError::new(
                        code::SYNTAX_ERROR,
                        "VALUES lists must all be the same length",
                    )
                    .at(row.first().and_then(|e| self.pos(e.span()))));
                }
            }
            let mut exprs = Vec::new();
            let mut row_types = Vec::new();
            for expr in row {
                let mut none = AggCollector {
                    context: "VALUES",
                    ..Default::default()
                };
                let (bound, ty) = self.bind_expr(expr, &scope, &mut none)?;
                exprs.push(bound);
                row_types.push(ty);
            }
            rows.push(exprs);
            types.push(row_types);
        }
        let span = values
            .rows
            .first()
            .and_then(|r| r.first())
            .map_or(Span::empty(), |e| e.span());
        let common = self.common_types(&types, "VALUES", span)?;
        let mut cast_rows = Vec::with_capacity(rows.len());
        for ((row, row_types), ast_row) in rows.into_iter().zip(&types).zip(&values.rows) {
            let mut cast_row = Vec::with_capacity(row.len());
            for (((expr, &from), &to), ast_expr) in
                row.into_iter().zip(row_types).zip(&common).zip(ast_row)
            {
                cast_row.push(self.coerce_to(expr, from, to, ast_expr.span())?);
            }
            cast_rows.push(cast_row);
        }
        let columns = common
            .iter()
            .enumerate()
            .map(|(i, &ty)| OutputColumn {
                name: format!("column{}", i + 1),
                ty,
                source: None,
            })
            .collect();
        Ok((
            Rel::Values {
                width: common.len(),
                rows: cast_rows,
            },
            columns,
        ))
    }

    /// The type each column of several rows (of set operation inputs or VALUES) resolves to, as
    /// PostgreSQL's UNION/CASE resolution does: unknown literals follow the others (text if all
    /// are unknown), numbers widen, strings become text.
    fn common_types(
        &self,
        rows: &[Vec<DataType>],
        context: &str,
        span: Span,
    ) -> SqlResult<Vec<DataType>> {
        self.common_types_at(rows, context, &|_, _| span)
    }

    /// [`Binder::common_types`], an error placed at the value of row `r`, column `c` that
    /// does not match (`span_of(r, c)`), as PostgreSQL places it.
    fn common_types_at(
        &self,
        rows: &[Vec<DataType>],
        context: &str,
        span_of: &dyn Fn(usize, usize) -> Span,
    ) -> SqlResult<Vec<DataType>> {
        let width = rows.first().map_or(0, Vec::len);
        let mut common = Vec::with_capacity(width);
        for column in 0..width {
            let mut result = DataType::Unknown;
            for (r, row) in rows.iter().enumerate() {
                let span = span_of(r, column);
                let ty = row[column];
                result = match (result, ty) {
                    (DataType::Unknown, ty) | (ty, DataType::Unknown) => ty,
                    (a, b) if a == b => a,
                    (a, b) if a.is_numeric_family() && b.is_numeric_family() => wider(a, b),
                    (a, b) if a.is_string() && b.is_string() => DataType::Text,
                    // A date widens to a timestamp (its midnight).
                    (DataType::Date, t) | (t, DataType::Date) if t.is_timestamp() => {
                        t.expression_type()
                    }
                    (a, b) if a.is_timestamp() && b.is_timestamp() => DataType::TimestampTz,
                    // Types of one category (date and time) whose values do not convert.
                    (a, b)
                        if (a.is_datetime() || a.expression_type() == DataType::Time)
                            && (b.is_datetime() || b.expression_type() == DataType::Time) =>
                    {
                        return Err(SqlError::new(
                            code::CANNOT_COERCE,
                            format!(
                                "{context} could not convert type {} to {}",
                                b.name(),
                                a.name()
                            ),
                        )
                        .at(self.pos(span)))
                    }
                    (a, b) => {
                        return Err(SqlError::new(
                            code::DATATYPE_MISMATCH,
                            format!(
                                "{context} types {} and {} cannot be matched",
                                a.name(),
                                b.name()
                            ),
                        )
                        .at(self.pos(span)))
                    }
                };
            }
            common.push(if result == DataType::Unknown {
                DataType::Text
            } else {
                result
            });
        }
        Ok(common)
    }

    /// Casts the columns of `rel`, the tree of the query `body`, from `from` to `to` (a
    /// projection, when any differs). A projection's own expressions take the casts, so that
    /// a literal is converted now and its error points at it, as PostgreSQL's does.
    fn cast_rel(
        &mut self,
        rel: Rel,
        from: &[DataType],
        to: &[DataType],
        body: &SetExpr,
    ) -> SqlResult<Rel> {
        if from == to {
            return Ok(rel);
        }
        let (input, mut exprs) = match rel {
            Rel::Project { input, exprs } => (input, exprs),
            rel => {
                let exprs = (0..from.len()).map(Expr::Column).collect();
                (Box::new(rel), exprs)
            }
        };
        for (i, (&from, &to)) in from.iter().zip(to).enumerate() {
            let expr = std::mem::replace(&mut exprs[i], Expr::Const(Value::Null));
            exprs[i] = self.coerce_to(expr, from, to, output_span(body, i))?;
        }
        Ok(Rel::Project { input, exprs })
    }

    fn limit_clause(
        &mut self,
        clause: Option<&LimitClause>,
    ) -> SqlResult<(Option<Expr>, Option<Expr>)> {
        match clause {
            None => Ok((None, None)),
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(unsupported("LIMIT BY"));
                }
                let limit = limit
                    .as_ref()
                    .map(|e| self.bind_count(e, "LIMIT"))
                    .transpose()?;
                let offset = offset
                    .as_ref()
                    .map(|o| self.bind_count(&o.value, "OFFSET"))
                    .transpose()?;
                Ok((limit, offset))
            }
            Some(LimitClause::OffsetCommaLimit { .. }) => Err(unsupported("LIMIT offset, count")),
        }
    }

    /// A SELECT with the query's ORDER BY, LIMIT and locking clauses.
    fn bind_select(
        &mut self,
        select: &ast::Select,
        query: &ast::Query,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<SelectParts> {
        self.bind_select_inheriting(select, query, outer, None)
    }

    /// [`Binder::bind_select`], also locking as `inherited` says (a locking clause of the
    /// query around it, which applies to all of its FROM items).
    fn bind_select_inheriting(
        &mut self,
        select: &ast::Select,
        query: &ast::Query,
        outer: Option<&Scope<'_>>,
        inherited: Option<RowLocking>,
    ) -> SqlResult<SelectParts> {
        check_fetch(query)?;
        let mut locks = self.lock_clauses(query);
        locks.extend(inherited.map(|locking| BoundLock {
            locking,
            of: Vec::new(),
        }));
        let mut parts = self.bind_select_clauses(
            select,
            query.order_by.as_ref(),
            query.limit_clause.as_ref(),
            &locks,
            outer,
        )?;
        parts.with_ties = with_ties(query);
        if parts.with_ties && !parts.locks.is_empty() {
            return Err(unsupported("FOR UPDATE/SHARE with FETCH ... WITH TIES"));
        }
        Ok(parts)
    }

    /// The query's locking clauses: how each locks, and the tables its OF names. Read from the
    /// statement's text where it shows them all (sqlparser reads FOR NO KEY UPDATE as FOR
    /// UPDATE, FOR KEY SHARE as FOR SHARE, and `OF a, b` as `OF a`: see
    /// `parse::lock_clauses_for_sqlparser`), else as sqlparser read them.
    fn lock_clauses(&self, query: &ast::Query) -> Vec<BoundLock> {
        let mut written = self.written_lock_clauses(query);
        if written.len() != query.locks.len() {
            written.clear();
        }
        let mut written = written.into_iter();
        (query.locks.iter())
            .map(|clause| {
                let (strength, of) = written.next().unwrap_or_else(|| {
                    let strength = match clause.lock_type {
                        ast::LockType::Update => LockStrength::Update,
                        ast::LockType::Share => LockStrength::Share,
                    };
                    let of = clause.of.as_ref().map(|name| OfName {
                        parts: (name.0.iter())
                            .map(|part| part.as_ident().map(ident_name).unwrap_or_default())
                            .collect(),
                        position: (name.0.first())
                            .and_then(|part| part.as_ident())
                            .and_then(|ident| self.pos(ident.span)),
                    });
                    (strength, of.into_iter().collect())
                });
                let wait = match clause.nonblock {
                    None => LockWait::Wait,
                    Some(ast::NonBlock::Nowait) => LockWait::NoWait,
                    Some(ast::NonBlock::SkipLocked) => LockWait::SkipLocked,
                };
                BoundLock {
                    locking: RowLocking { strength, wait },
                    of,
                }
            })
            .collect()
    }

    /// The locking clauses at `query`'s own level of the statement's text, in order: each one's
    /// strength and OF names (empty when its body's position is unknown).
    fn written_lock_clauses(&self, query: &ast::Query) -> Vec<(LockStrength, Vec<OfName>)> {
        if query.locks.is_empty() {
            return Vec::new();
        }
        let span = query.body.span();
        let Some(start) = offset_of(self.text, span.start.line, span.start.column) else {
            return Vec::new();
        };
        let text: String = self.text.chars().skip(start).collect();
        let Ok(tokens) = crate::parse::lex(&text) else {
            return Vec::new();
        };
        use crate::parse::Token;
        let token = |i: usize| tokens.get(i).map(|t| &t.token);
        let word = |i: usize, w: &str| matches!(token(i), Some(Token::Word(x)) if x == w);
        let mut depth = 0;
        let mut found = Vec::new();
        for (i, tok) in tokens.iter().enumerate() {
            match &tok.token {
                Token::Punct('(') => depth += 1,
                Token::Punct(')') if depth == 0 => break,
                Token::Punct(')') => depth -= 1,
                Token::Word(w) if w == "for" && depth == 0 => {
                    let (strength, mut next) = if word(i + 1, "update") {
                        (LockStrength::Update, i + 2)
                    } else if word(i + 1, "share") {
                        (LockStrength::Share, i + 2)
                    } else if word(i + 1, "no") && word(i + 2, "key") && word(i + 3, "update") {
                        (LockStrength::NoKeyUpdate, i + 4)
                    } else if word(i + 1, "key") && word(i + 2, "share") {
                        (LockStrength::KeyShare, i + 3)
                    } else {
                        continue;
                    };
                    let mut names = Vec::new();
                    if word(next, "of") {
                        next += 1;
                        loop {
                            let position =
                                tokens.get(next).map(|t| self.offset + start + t.offset + 1);
                            let mut parts = Vec::new();
                            while let Some(Token::Word(part) | Token::Quoted(part)) = token(next) {
                                parts.push(part.clone());
                                next += 1;
                                if token(next) != Some(&Token::Punct('.')) {
                                    break;
                                }
                                next += 1;
                            }
                            names.push(OfName { parts, position });
                            if token(next) != Some(&Token::Punct(',')) {
                                break;
                            }
                            next += 1;
                        }
                    }
                    found.push((strength, names));
                }
                _ => {}
            }
        }
        found
    }

    /// How a locking clause of the SELECT whose FROM clause is being bound reaches its item
    /// named `alias` (a view or subquery): the clauses that apply to it combined, or None.
    fn lock_for(&self, alias: &str) -> Option<RowLocking> {
        (self.from_locks.iter())
            .filter(|clause| {
                clause.of.is_empty()
                    || (clause.of.iter())
                        .any(|name| matches!(name.parts.as_slice(), [only] if only == alias))
            })
            .map(|clause| clause.locking)
            .reduce(RowLocking::merge)
    }

    /// A view's or subquery's query in FROM, locked as `locking` says (a clause of the query
    /// around it applies to it): its tree, its columns, and how it is locked.
    fn bind_item_query(
        &mut self,
        query: &ast::Query,
        outer: Option<&Scope<'_>>,
        locking: Option<RowLocking>,
    ) -> SqlResult<(Rel, Vec<OutputColumn>, ItemLock)> {
        self.inherited_lock = locking;
        let bound = self.bind_query_rel(query, outer);
        self.inherited_lock = None;
        let carried = self.carried.take();
        let (rel, columns) = bound?;
        let lock = match (locking, carried) {
            (None, _) => ItemLock::None,
            (Some(_), Some(carried)) => ItemLock::Carried(Arc::new(carried)),
            (Some(_), None) => ItemLock::Inside,
        };
        Ok((rel, columns, lock))
    }

    /// The tables whose rows a SELECT's locking clauses lock, each once with its clauses
    /// combined ([`RowLocking::merge`]), as PostgreSQL applies them: a clause without OF to
    /// every FROM item, one with OF to the items it names; a function named is an error, VALUES
    /// are passed over, and a table an outer join may pad with NULLs cannot be locked. A view
    /// or subquery pulled up ([`ItemLock::Carried`]) adds its tables, the conditions a changed
    /// row must still pass and the columns computed again from it (over the FROM row); one
    /// that locks its own rows is passed over, and so is a WITH query (naming one is an error).
    fn lock_targets(
        &self,
        clauses: &[BoundLock],
        from: &Rel,
        scope: &Scope<'_>,
    ) -> SqlResult<Locks> {
        let mut locks = Locks::default();
        if clauses.is_empty() {
            return Ok(locks);
        }
        let mut items = Vec::new();
        from_items(from, 0, false, &mut items);
        let mut chosen: Vec<Option<RowLocking>> = vec![None; scope.rels.len()];
        let mut pulled_up = vec![false; scope.rels.len()];
        for clause in clauses {
            let strength = clause.locking.strength.name();
            // The items it applies to, and the name that picked each (None: no OF).
            let mut applies: Vec<(usize, Option<&OfName>)> = Vec::new();
            if clause.of.is_empty() {
                applies.extend((0..scope.rels.len()).map(|i| (i, None)));
            }
            for name in &clause.of {
                let [wanted] = name.parts.as_slice() else {
                    return Err(SqlError::syntax(format!(
                        "FOR {strength} must specify unqualified relation names"
                    ))
                    .at(name.position));
                };
                let before = applies.len();
                applies.extend(
                    (scope.rels.iter().enumerate())
                        .filter(|(_, rel)| rel.alias == *wanted)
                        .map(|(i, _)| (i, Some(name))),
                );
                if applies.len() == before {
                    return Err(SqlError::new(
                        code::UNDEFINED_TABLE,
                        format!(
                            "relation \"{wanted}\" in FOR {strength} clause not found in FROM clause"
                        ),
                    )
                    .at(name.position));
                }
            }
            for (index, named) in applies {
                let rel = &scope.rels[index];
                let item = items.iter().find(|(offset, ..)| *offset == rel.offset);
                let nullable = item.is_some_and(|(_, _, nullable)| *nullable);
                match &rel.lock {
                    ItemLock::None => {}
                    ItemLock::Cte if named.is_some() => {
                        return Err(SqlError::new(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("FOR {strength} cannot be applied to a WITH query"),
                        )
                        .at(named.and_then(|name| name.position)))
                    }
                    ItemLock::Cte => continue,
                    ItemLock::Carried(_) | ItemLock::Inside if nullable => {
                        return Err(SqlError::new(
                            code::FEATURE_NOT_SUPPORTED,
                            format!(
                                "FOR {strength} cannot be applied to the nullable side of an outer join"
                            ),
                        ))
                    }
                    ItemLock::Inside => continue,
                    ItemLock::Carried(_) => {
                        pulled_up[index] = true;
                        continue;
                    }
                }
                match item {
                    Some((_, Rel::Scan { .. }, true)) => {
                        return Err(SqlError::new(
                            code::FEATURE_NOT_SUPPORTED,
                            format!(
                                "FOR {strength} cannot be applied to the nullable side of an outer join"
                            ),
                        ))
                    }
                    Some((_, Rel::Scan { .. }, false)) => {
                        let merged = chosen[index].map_or(clause.locking, |other| {
                            other.merge(clause.locking)
                        });
                        chosen[index] = Some(merged);
                    }
                    Some((_, Rel::Function { .. }, _)) if named.is_some() => {
                        return Err(SqlError::new(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("FOR {strength} cannot be applied to a function"),
                        )
                        .at(named.and_then(|name| name.position)));
                    }
                    Some((_, Rel::Function { .. } | Rel::Values { .. }, _)) => {}
                    _ => {
                        return Err(SqlError::new(
                            code::INTERNAL_ERROR,
                            format!("FOR {strength} of \"{}\": not a table", rel.alias),
                        ))
                    }
                }
            }
        }
        for (index, (rel, locking)) in scope.rels.iter().zip(chosen).enumerate() {
            if let ItemLock::Carried(carried) = &rel.lock {
                if pulled_up[index] {
                    let at = rel.offset;
                    let shift = |e: &Expr| e.clone().remap_columns(&|c| c + at);
                    locks
                        .targets
                        .extend(carried.targets.iter().map(|t| LockTarget {
                            offset: t.offset + at,
                            ..t.clone()
                        }));
                    locks.recheck.extend(carried.recheck.iter().map(shift));
                    (locks.fixups).extend(carried.fixups.iter().map(|(c, e)| (c + at, shift(e))));
                }
                continue;
            }
            let Some(locking) = locking else { continue };
            let table = items.iter().find_map(|(offset, item, _)| match item {
                Rel::Scan { table, .. } if *offset == rel.offset => Some(table.clone()),
                _ => None,
            });
            if let Some(table) = table {
                locks.targets.push(LockTarget {
                    table,
                    offset: rel.offset,
                    locking,
                });
            }
        }
        Ok(locks)
    }

    /// The FROM clause as written: its tree, the items expressions may name, and the FROM row's
    /// columns that `*` expands to (USING columns once, first).
    fn bind_from(
        &mut self,
        from: &[ast::TableWithJoins],
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<ScopeRel>, Vec<usize>)> {
        let mut result: Option<(Rel, Vec<ScopeRel>)> = None;
        let mut star = Vec::new();
        for item in from {
            let offset = result.as_ref().map_or(0, |(rel, _)| rel.width());
            // A LATERAL item (or a function call) sees the items before it.
            let lateral = match &result {
                Some((_, left_rels)) if is_lateral(&item.relation) => Some(Scope {
                    rels: left_rels.clone(),
                    outer,
                }),
                _ => None,
            };
            let (rel, rels, item_star) =
                self.bind_table_with_joins(item, offset, lateral.as_ref().or(outer))?;
            star.extend(item_star);
            result = Some(match result {
                None => (rel, rels),
                Some((left, mut left_rels)) => {
                    left_rels.extend(rels);
                    (
                        join_or_apply(JoinKind::Inner, left, rel, Vec::new(), lateral.is_some()),
                        left_rels,
                    )
                }
            });
        }
        let (rel, rels) = result.unwrap_or_else(|| {
            (
                Rel::Values {
                    rows: vec![Vec::new()],
                    width: 0,
                },
                Vec::new(),
            )
        });
        Ok((rel, rels, star))
    }

    fn bind_table_with_joins(
        &mut self,
        item: &ast::TableWithJoins,
        offset: usize,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<ScopeRel>, Vec<usize>)> {
        let (mut rel, mut rels, mut star) = self.bind_factor(&item.relation, offset, outer)?;
        for join in &item.joins {
            use ast::JoinOperator as J;
            let (kind, constraint) = match &join.join_operator {
                J::Join(c) | J::Inner(c) => (JoinKind::Inner, c),
                J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, c),
                J::Right(c) | J::RightOuter(c) => (JoinKind::Right, c),
                J::FullOuter(c) => (JoinKind::Full, c),
                J::CrossJoin(c) => (JoinKind::Inner, c),
                _ => return Err(unsupported("this kind of join")),
            };
            let left_width = rel.width();
            // A LATERAL item (or a function call) sees the join's left side, as the innermost
            // outer row (positions relative to that row).
            let lateral = is_lateral(&join.relation).then(|| Scope {
                rels: rels
                    .iter()
                    .map(|r| ScopeRel {
                        offset: r.offset - offset,
                        ..r.clone()
                    })
                    .collect(),
                outer,
            });
            let (right, mut right_rels, right_star) = self.bind_factor(
                &join.relation,
                offset + left_width,
                lateral.as_ref().or(outer),
            )?;
            // A recursive query's own rows may not be the side an outer join pads with NULLs.
            let nullable: &[&Rel] = match kind {
                JoinKind::Left => &[&right],
                JoinKind::Right => &[&rel],
                JoinKind::Full => &[&rel, &right],
                _ => &[],
            };
            if let Some(error) = nullable.iter().find_map(|side| self.outer_joined(side)) {
                return Err(error);
            }
            let left_ref = right
                .outer_refs_list()
                .into_iter()
                .find(|(level, _)| *level == 0)
                .and_then(|(_, c)| {
                    lateral
                        .as_ref()?
                        .rels
                        .iter()
                        .find(|r| c >= r.offset && c < r.offset + r.columns.len())
                });
            if let (Some(referenced), JoinKind::Right | JoinKind::Full) = (left_ref, kind) {
                return Err(SqlError::new(
                    "42P10",
                    format!(
                        "invalid reference to FROM-clause entry for table \"{}\"",
                        referenced.alias
                    ),
                )
                .with_detail(
                    "The combining JOIN type must be INNER or LEFT for a LATERAL reference.",
                ));
            }
            // Columns USING or NATURAL joins on: (left position, right position), by name.
            let using: Vec<String> = match constraint {
                ast::JoinConstraint::Using(names) => names
                    .iter()
                    .map(|name| name.to_string().trim_matches('"').to_string())
                    .collect(),
                ast::JoinConstraint::Natural => {
                    let mut common = Vec::new();
                    for rel in &rels {
                        for column in rel.columns.iter().filter(|c| !c.merged) {
                            if right_rels
                                .iter()
                                .any(|r| r.columns.iter().any(|c| c.name == column.name))
                            {
                                common.push(column.name.clone());
                            }
                        }
                    }
                    common
                }
                _ => Vec::new(),
            };
            let mut on = Vec::new();
            let mut using_first = Vec::new();
            let mut using_pairs = Vec::new();
            if !using.is_empty() && kind == JoinKind::Full {
                return Err(unsupported("FULL JOIN with USING or NATURAL"));
            }
            for name in &using {
                let find = |rels: &[ScopeRel], side: &str| -> SqlResult<(usize, DataType)> {
                    let scope = Scope {
                        rels: rels.to_vec(),
                        outer: None,
                    };
                    match resolve(&scope, None, name, name) {
                        Ok(found) => Ok(found),
                        Err(Unresolved::Error(error)) => Err(error),
                        Err(Unresolved::NotFound) => Err(SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{name}\" specified in USING clause does not exist in {side} table"),
                        )),
                    }
                };
                let (l, lt) = find(&rels, "left")?;
                let (r, rt) = find(&right_rels, "right")?;
                let (le, re, _) =
                    self.unify(Expr::Column(l), lt, Expr::Column(r), rt, "=", Span::empty())?;
                on.push(Expr::Binary(BinOp::Eq, Box::new(le), Box::new(re)));
                // The join's column is the left one (the right one for RIGHT JOIN); the other
                // is merged into it.
                let (keep, hide) = if kind == JoinKind::Right {
                    (r, l)
                } else {
                    (l, r)
                };
                using_first.push(keep);
                using_pairs.extend([l, r]);
                for scope_rel in rels.iter_mut().chain(right_rels.iter_mut()) {
                    if let Some(column) = hide
                        .checked_sub(scope_rel.offset)
                        .and_then(|i| scope_rel.columns.get_mut(i))
                    {
                        column.merged = true;
                    }
                }
            }
            // The sides an outer join pads with NULLs.
            if matches!(kind, JoinKind::Left | JoinKind::Full) {
                right_rels.iter_mut().for_each(|r| r.padded = true);
            }
            if matches!(kind, JoinKind::Right | JoinKind::Full) {
                rels.iter_mut().for_each(|r| r.padded = true);
            }
            rels.extend(right_rels);
            star = using_first
                .iter()
                .copied()
                .chain(
                    star.into_iter()
                        .chain(right_star)
                        .filter(|c| !using_pairs.contains(c)),
                )
                .collect();
            if let ast::JoinConstraint::On(expr) = constraint {
                let scope = Scope {
                    rels: rels.clone(),
                    outer,
                };
                let condition = self.bind_predicate(expr, &scope, "JOIN/ON")?;
                // Relative to this join's row.
                let condition = if offset == 0 {
                    condition
                } else {
                    condition.remap_columns(&|c| c - offset)
                };
                crate::planner::conjuncts(condition, &mut on);
            } else if offset != 0 {
                on = on
                    .into_iter()
                    .map(|c| c.remap_columns(&|c| c - offset))
                    .collect();
            }
            rel = join_or_apply(kind, rel, right, on, lateral.is_some());
        }
        Ok((rel, rels, star))
    }

    /// A table with `TABLESAMPLE BERNOULLI | SYSTEM (percent) [REPEATABLE (seed)]`: its scan
    /// filtered by [`Func::TableSample`] over its columns. Keel's storage has no pages, so
    /// SYSTEM samples rows as BERNOULLI does (PostgreSQL's takes whole pages: the same share of
    /// rows, in clumps). The percentage and seed may not read the table (PostgreSQL's rule);
    /// their errors are PostgreSQL's (2202H), also for an empty table.
    fn bind_sampled(
        &mut self,
        factor: &TableFactor,
        sample: &ast::TableSampleKind,
        offset: usize,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<ScopeRel>, Vec<usize>)> {
        let (ast::TableSampleKind::BeforeTableAlias(sample)
        | ast::TableSampleKind::AfterTableAlias(sample)) = sample;
        let position = self.pos(factor.span());
        match &sample.name {
            Some(ast::TableSampleMethod::Bernoulli | ast::TableSampleMethod::System) => {}
            // sqlparser names the methods it knows; another is the word after TABLESAMPLE
            // (where the error points).
            method => {
                let text = self.text.to_ascii_lowercase();
                let after = text.find("tablesample").map_or(text.len(), |at| at + 11);
                let start = after + (text[after..].len() - text[after..].trim_start().len());
                let end = text[start..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(text.len(), |len| start + len);
                let method = match method {
                    Some(method) => method.to_string().to_lowercase(),
                    None => text[start..end].to_string(),
                };
                let at = Some(self.text[..start].chars().count() + self.offset + 1);
                return Err(SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!("tablesample method {method} does not exist"),
                )
                .at(at));
            }
        }
        let quantity = match &sample.quantity {
            Some(q) if q.unit.is_none() && sample.bucket.is_none() && sample.offset.is_none() => q,
            _ => return Err(unsupported("this form of TABLESAMPLE")),
        };
        let empty = Scope::empty();
        let scope = outer.unwrap_or(&empty);
        let mut aggs = AggCollector::default();
        let (percent, ty) = self.bind_expr(&quantity.value, scope, &mut aggs)?;
        let span = quantity.value.span();
        let percent = self.coerce_to(percent, ty, DataType::Float8, span)?;
        let (seed, repeatable) = match &sample.seed {
            Some(seed) => {
                let literal = ast::Expr::value(seed.value.clone());
                let (seed, ty) = self.bind_expr(&literal, scope, &mut aggs)?;
                (self.coerce_to(seed, ty, DataType::Float8, span)?, true)
            }
            None => (Expr::Func(Func::Random, vec![]), false),
        };
        // Constant arguments are checked now, as PostgreSQL checks them before the scan (so
        // an empty table's sample is refused too).
        let checked_seed = match &seed {
            Expr::Func(Func::Random, _) => Expr::Const(Value::Float(0.0)),
            seed => seed.clone(),
        };
        if immutable(&percent) && immutable(&checked_seed) {
            let check = Expr::Func(
                Func::TableSample(repeatable),
                vec![percent.clone(), checked_seed],
            );
            check.eval(&[], &EvalContext::new(&[], 0))?;
        }
        let mut plain = factor.clone();
        if let TableFactor::Table { sample, .. } = &mut plain {
            *sample = None;
        }
        let (rel, rels, star) = self.bind_factor(&plain, offset, outer)?;
        if rels.len() != 1 || rels[0].table.is_none() {
            return Err(SqlError::new(
                code::WRONG_OBJECT_TYPE,
                "TABLESAMPLE clause can only be applied to tables and materialized views",
            )
            .at(position));
        }
        let width = rel.width();
        let args = [percent, seed]
            .into_iter()
            .chain((0..width).map(Expr::Column))
            .collect();
        let rel = Rel::Filter {
            input: Box::new(rel),
            predicate: Expr::Func(Func::TableSample(repeatable), args),
        };
        Ok((rel, rels, star))
    }

    /// One FROM item: a table or WITH query by name, a subquery, or parenthesized joins.
    fn bind_factor(
        &mut self,
        factor: &TableFactor,
        offset: usize,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<ScopeRel>, Vec<usize>)> {
        let with_star = |(rel, rels): (Rel, Vec<ScopeRel>)| {
            let star = (offset..offset + rel.width()).collect();
            (rel, rels, star)
        };
        if let TableFactor::Table {
            sample: Some(sample),
            ..
        } = factor
        {
            return self.bind_sampled(factor, sample, offset, outer);
        }
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                ..
            } if with_hints.is_empty() => {
                if let [ObjectNamePart::Identifier(ident)] = name.0.as_slice() {
                    let cte_name = ident_name(ident);
                    if let Some(cte) = self.ctes.iter().rev().find(|c| c.name == cte_name) {
                        let recursion = |what: &str| {
                            SqlError::new(
                                code::INVALID_RECURSION,
                                format!("recursive reference to query \"{cte_name}\" must not appear {what}"),
                            )
                            .at(self.pos(ident.span))
                        };
                        match &cte.guard {
                            CteGuard::None => {}
                            CteGuard::NonRecursiveTerm => {
                                return Err(recursion("within its non-recursive term"))
                            }
                            CteGuard::NotUnion(at) => {
                                return Err(SqlError::new(
                                    code::INVALID_RECURSION,
                                    format!("recursive query \"{cte_name}\" does not have the form non-recursive-term UNION [ALL] recursive-term"),
                                )
                                .at(*at))
                            }
                            CteGuard::RecursiveTerm { sublinks, read } => {
                                if self.sublinks > *sublinks {
                                    return Err(recursion("within a subquery"));
                                }
                                if read.replace(Some(self.pos(ident.span))).is_some() {
                                    return Err(recursion("more than once"));
                                }
                            }
                        }
                        if !cte.returning {
                            return Err(SqlError::new(
                                code::FEATURE_NOT_SUPPORTED,
                                format!(
                                    "WITH query \"{cte_name}\" does not have a RETURNING clause"
                                ),
                            )
                            .at(self.pos(ident.span)));
                        }
                        let (rel, columns) = (cte.rel.clone(), cte.columns.clone());
                        let rel_alias = alias
                            .as_ref()
                            .map_or(cte_name.clone(), |a| ident_name(&a.name));
                        let columns = match alias {
                            Some(alias) => rename_columns(columns, alias, &rel_alias)?,
                            None => columns,
                        };
                        let mut scope = scope_rel(rel_alias, &columns, offset);
                        scope.lock = ItemLock::Cte;
                        let width = scope.columns.len();
                        for column in &mut scope.columns[width - cte.hidden.min(width)..] {
                            column.system = true;
                        }
                        return Ok(with_star((rel, vec![scope])));
                    }
                }
                if let Some((relation, default_alias)) = self.system_relation(name) {
                    // Password secrets and the server's files are for superusers' eyes only.
                    if crate::system::is_private_catalog(&default_alias)
                        && !self
                            .catalog
                            .role(&self.session.user)
                            .is_some_and(|r| r.superuser)
                    {
                        let kind = match crate::system::catalog_oid(&default_alias) {
                            Some(oid) if oid < crate::system::FIRST_VIEW_OID => "table",
                            _ => "view",
                        };
                        return Err(SqlError::new(
                            code::INSUFFICIENT_PRIVILEGE,
                            format!("permission denied for {kind} {default_alias}"),
                        ));
                    }
                    let rel_alias = alias
                        .as_ref()
                        .map_or(default_alias, |a| ident_name(&a.name));
                    let width = relation.columns.len();
                    let system = relation.system_columns;
                    let name_typed: Vec<bool> = relation
                        .columns
                        .iter()
                        .map(|c| crate::system::is_name_column(&c.name, c.ty))
                        .collect();
                    let mut rows = vec![std::sync::Arc::new(relation.rows)];
                    rows.extend(relation.shared);
                    let rows = crate::plan::ConstantRows(rows);
                    let columns = match alias {
                        Some(alias) => rename_columns(relation.columns, alias, &rel_alias)?,
                        None => relation.columns,
                    };
                    let mut scope = scope_rel(rel_alias, &columns, offset);
                    for column in scope.columns.iter_mut().skip(width - system) {
                        column.system = true;
                    }
                    for (column, name_type) in scope.columns.iter_mut().zip(name_typed) {
                        column.name_type = name_type;
                    }
                    // `*` leaves the system columns out.
                    let star = (offset..offset + width - system).collect();
                    return Ok((Rel::Constants { rows, width }, vec![scope], star));
                }
                if let Some(seq) = self.sequence_named(name) {
                    // A sequence reads as one row of its state (pg_dump reads it so).
                    self.require_on(
                        (seq.owner.as_deref(), seq.acl.as_deref()),
                        PRIV_SELECT,
                        "sequence",
                        &seq.name,
                    )?;
                    let rel_alias = alias
                        .as_ref()
                        .map_or(crate::catalog::relname(&seq.name).to_string(), |a| {
                            ident_name(&a.name)
                        });
                    let state = |func| {
                        Expr::Sequence(
                            SequenceCall {
                                func,
                                seq: Some(seq.clone()),
                                named_by: None,
                            },
                            Vec::new(),
                        )
                    };
                    let row = vec![
                        state(SeqFunc::StateLast),
                        state(SeqFunc::StateLogCount),
                        state(SeqFunc::StateCalled),
                    ];
                    let column = |name: &str, ty| OutputColumn {
                        name: name.into(),
                        ty,
                        source: None,
                    };
                    let columns = vec![
                        column("last_value", DataType::Int8),
                        column("log_cnt", DataType::Int8),
                        column("is_called", DataType::Bool),
                    ];
                    let columns = match alias {
                        Some(alias) => rename_columns(columns, alias, &rel_alias)?,
                        None => columns,
                    };
                    return Ok(with_star((
                        Rel::Values {
                            rows: vec![row],
                            width: 3,
                        },
                        vec![scope_rel(rel_alias, &columns, offset)],
                    )));
                }
                if let Some(view) = self.view(name)? {
                    self.note_read(view.id);
                    self.note_unqualified(name, &view.name);
                    if let Some(ObjectNamePart::Identifier(ident)) = name.0.last() {
                        self.note_name(ident, view.id, 0);
                    }
                    self.note_lock(view.id, crate::locks::LockMode::AccessShare);
                    let rel_alias = alias
                        .as_ref()
                        .map_or(crate::catalog::relname(&view.name).to_string(), |a| {
                            ident_name(&a.name)
                        });
                    self.require_on(
                        (view.owner.as_deref(), view.acl.as_deref()),
                        PRIV_SELECT,
                        "view",
                        &view.name,
                    )?;
                    let locking = self.lock_for(&rel_alias);
                    let (rel, mut columns, lock) = self.with_stored_query(&view, |b, query| {
                        b.bind_item_query(query, None, locking)
                    })?;
                    for (column, name) in columns.iter_mut().zip(&view.columns) {
                        column.name = name.clone();
                    }
                    let columns = match alias {
                        Some(alias) => rename_columns(columns, alias, &rel_alias)?,
                        None => columns,
                    };
                    let mut scope = scope_rel(rel_alias, &columns, offset);
                    scope.view = Some(view.id);
                    scope.aliased = alias.is_some();
                    scope.lock = lock;
                    // Columns a locked view carries for the query around it are not its own.
                    let star = (offset..offset + columns.len()).collect();
                    return Ok((rel, vec![scope], star));
                }
                let table = self.lookup_table(name)?;
                self.require_populated(&table)?;
                self.note_read(table.id);
                self.note_unqualified(name, &table.name);
                if let Some(ObjectNamePart::Identifier(ident)) = name.0.last() {
                    self.note_name(ident, table.id, 0);
                }
                self.note_lock(table.id, crate::locks::LockMode::AccessShare);
                let mut scope = self.readable_scope(
                    &table,
                    crate::catalog::relname(&table.name).to_string(),
                    offset,
                    true,
                )?;
                if let Some(alias) = alias {
                    scope.alias = ident_name(&alias.name);
                    scope.aliased = true;
                    if alias.columns.len() > scope.columns.len() {
                        return Err(SqlError::new(
                            "42P10",
                            format!(
                                "table \"{}\" has {} columns available but {} columns specified",
                                scope.alias,
                                scope.columns.len(),
                                alias.columns.len()
                            ),
                        ));
                    }
                    for (column, name) in scope.columns.iter_mut().zip(&alias.columns) {
                        column.name = ident_name(&name.name);
                    }
                }
                Ok(with_star((
                    Rel::Scan {
                        table,
                        alias: scope.alias.clone(),
                        access: Access::Scan,
                        filter: None,
                        project: None,
                    },
                    vec![scope],
                )))
            }
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_ordinality,
                ..
            } => {
                let exprs = positional_args(&args.args)?;
                self.bind_from_function(
                    name,
                    &exprs,
                    alias.as_ref(),
                    *with_ordinality,
                    offset,
                    outer,
                )
                .map(with_star)
            }
            TableFactor::Function {
                name, args, alias, ..
            } => {
                let exprs = positional_args(args)?;
                self.bind_from_function(name, &exprs, alias.as_ref(), false, offset, outer)
                    .map(with_star)
            }
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_offset: false,
                with_ordinality,
                ..
            } => {
                let exprs: Vec<&ast::Expr> = array_exprs.iter().collect();
                self.bind_unnest(&exprs, alias.as_ref(), *with_ordinality, offset, outer)
                    .map(with_star)
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let Some(alias) = alias else {
                    return Err(SqlError::new(
                        code::SYNTAX_ERROR,
                        "subquery in FROM must have an alias",
                    )
                    .with_hint("For example, FROM (SELECT ...) [AS] foo.")
                    .at(self.pos_paren_before(subquery.span())));
                };
                let name = ident_name(&alias.name);
                let locking = self.lock_for(&name);
                let (rel, columns, lock) = self.bind_item_query(subquery, outer, locking)?;
                let columns = rename_columns(columns, alias, &name)?;
                let mut scope = scope_rel(name, &columns, offset);
                scope.lock = lock;
                // Columns a locked subquery carries for the query around it are not its own.
                let star = (offset..offset + columns.len()).collect();
                Ok((rel, vec![scope], star))
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => self.bind_table_with_joins(table_with_joins, offset, outer),
            _ => Err(unsupported("this kind of FROM item")),
        }
    }

    /// generate_series's arguments cast to the overload PostgreSQL picks (int4, int8, numeric,
    /// or timestamp[tz] with an interval step), and that type.
    fn bind_series(
        &mut self,
        bound: Vec<(Expr, DataType, Span)>,
        position: Option<usize>,
    ) -> SqlResult<(Vec<Expr>, DataType)> {
        let types: Vec<DataType> = bound.iter().map(|(_, ty, _)| *ty).collect();
        // (timestamp, timestamp, interval): timestamptz unless a bound is a timestamp and none a
        // timestamptz or date (a date or a literal casts to timestamptz, as PostgreSQL resolves
        // it).
        // An untyped step beside a typed timestamp is an interval.
        let step_unknown = |a: DataType, b: DataType| {
            [a, b].iter().any(|t| {
                matches!(
                    t,
                    DataType::Timestamp | DataType::TimestampTz | DataType::Date
                )
            })
        };
        if let [a, b, step] = types[..] {
            let datetime = |t: DataType| {
                matches!(
                    t,
                    DataType::Timestamp
                        | DataType::TimestampTz
                        | DataType::Date
                        | DataType::Unknown
                )
            };
            let interval =
                step == DataType::Interval || (step == DataType::Unknown && step_unknown(a, b));
            if interval && datetime(a) && datetime(b) {
                let ty = if [a, b].contains(&DataType::Timestamp)
                    && ![a, b].contains(&DataType::TimestampTz)
                    && ![a, b].contains(&DataType::Date)
                {
                    DataType::Timestamp
                } else {
                    DataType::TimestampTz
                };
                let mut exprs = Vec::new();
                for (i, (expr, from, span)) in bound.into_iter().enumerate() {
                    let to = if i == 2 { DataType::Interval } else { ty };
                    exprs.push(self.coerce_to(expr, from, to, span)?);
                }
                // A timestamptz series steps on the session's wall clock (its zone last).
                match &self.session.timezone {
                    Some(zone) if ty == DataType::TimestampTz => {
                        exprs.push(Expr::Const(Value::Text(zone.clone())))
                    }
                    _ => {}
                }
                return Ok((exprs, ty));
            }
        }
        if !(2..=3).contains(&bound.len())
            || !types
                .iter()
                .all(|t| t.is_numeric_family() || *t == DataType::Unknown)
        {
            return Err(self.no_function("generate_series", &types, position));
        }
        let ty = types.iter().fold(DataType::Int4, |acc, &t| match t {
            DataType::Unknown | DataType::Int2 | DataType::Int4 => acc,
            DataType::Int8 if acc == DataType::Int4 => DataType::Int8,
            DataType::Int8 => acc,
            _ => DataType::Numeric,
        });
        let mut exprs = Vec::new();
        for (expr, from, span) in bound {
            exprs.push(self.coerce_to(expr, from, ty, span)?);
        }
        Ok((exprs, ty))
    }

    /// The arguments of a function in FROM: they see the enclosing queries (and, LATERAL, the
    /// items before it through `outer`), and no aggregates.
    fn bind_from_args(
        &mut self,
        exprs: &[&ast::Expr],
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<Vec<(Expr, DataType, Span)>> {
        self.in_from(outer, |binder, scope, none| {
            binder.bind_args(exprs, scope, none)
        })
    }

    /// Runs `bind` in the scope a function in FROM sees: the FROM items before it (`outer`,
    /// for LATERAL), no aggregates.
    fn in_from<T>(
        &mut self,
        outer: Option<&Scope<'_>>,
        bind: impl FnOnce(&mut Self, &Scope<'_>, &mut AggCollector) -> SqlResult<T>,
    ) -> SqlResult<T> {
        let scope = Scope {
            rels: Vec::new(),
            outer,
        };
        let mut none = AggCollector {
            context: "functions in FROM",
            ..Default::default()
        };
        bind(self, &scope, &mut none)
    }

    /// A set-returning function in FROM (generate_series, unnest).
    fn bind_from_function(
        &mut self,
        name: &ObjectName,
        exprs: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        with_ordinality: bool,
        offset: usize,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<ScopeRel>)> {
        let function = function_name(name);
        let function = function.strip_prefix("pg_catalog.").unwrap_or(&function);
        if function == "unnest" {
            return self.bind_unnest(exprs, alias, with_ordinality, offset, outer);
        }
        if let Some(array_function) = split_to_array(function) {
            // regexp_split_to_table / string_to_table: the elements of the array form.
            let bound = self.bind_from_args(exprs, outer)?;
            let (array, _) = self.call_function(array_function, bound, None)?;
            return function_rel(
                TableFunc::Unnest(1),
                vec![array],
                &[DataType::Text],
                function,
                alias,
                with_ordinality,
                offset,
            );
        }
        if function == "pg_partition_ancestors" && exprs.len() == 1 {
            // No partitions: a relation's only ancestor is itself.
            let (oid, ty, span) = self
                .bind_from_args(exprs, outer)?
                .pop()
                .expect("one argument");
            let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
            let array = Expr::Scalar(
                crate::functions::Scalar::Array(crate::array::ArrayFn::Make),
                vec![oid],
            );
            return function_rel(
                TableFunc::Unnest(1),
                vec![array],
                &[DataType::Int8],
                function,
                alias,
                with_ordinality,
                offset,
            );
        }
        if function == "information_schema._pg_expandarray" && exprs.len() == 1 {
            let (array, ty, _) = self
                .bind_from_args(exprs, outer)?
                .pop()
                .expect("one argument");
            let Some(elem) = ty.element() else {
                return Err(self.no_function(function, &[ty], None));
            };
            return function_rel(
                TableFunc::ExpandArray { record: false },
                vec![array],
                &[elem, DataType::Int4],
                "_pg_expandarray",
                alias,
                with_ordinality,
                offset,
            );
        }
        if function == "pg_options_to_table" && exprs.len() == 1 {
            let (options, ty, span) = self
                .bind_from_args(exprs, outer)?
                .pop()
                .expect("one argument");
            let options = self.coerce_to(options, ty, DataType::Text.array(), span)?;
            return function_rel(
                TableFunc::Options,
                vec![options],
                &[DataType::Text, DataType::Text],
                function,
                alias,
                with_ordinality,
                offset,
            );
        }
        if function == "regexp_matches" {
            let bound = self.bind_from_args(exprs, outer)?;
            let position = self.pos(name.span());
            let args = self.bind_regexp_matches(bound, position)?;
            return function_rel(
                TableFunc::RegexpMatches,
                args,
                &[DataType::Text.array()],
                function,
                alias,
                with_ordinality,
                offset,
            );
        }
        if let (Some((rows, jsonb, text)), 1) =
            (crate::json::JsonRows::named(function), exprs.len())
        {
            let bound = self.bind_from_args(exprs, outer)?;
            let position = self.pos(name.span());
            let (func, doc, types) =
                self.bind_json_rows(function, rows, jsonb, text, bound, position)?;
            return function_rel(
                func(false),
                vec![doc],
                &types,
                function,
                alias,
                with_ordinality,
                offset,
            );
        }
        if let Some((jsonb, set)) = match function {
            "json_to_record" => Some((false, false)),
            "json_to_recordset" => Some((false, true)),
            "jsonb_to_record" => Some((true, false)),
            "jsonb_to_recordset" => Some((true, true)),
            _ => None,
        } {
            let position = self.pos(name.span());
            return self.bind_json_record(
                (function, position),
                (jsonb, set),
                exprs,
                alias,
                with_ordinality,
                offset,
                outer,
            );
        }
        if function == "jsonb_path_query" {
            if exprs.len() > 4 {
                return Err(SqlError::new(
                    code::UNDEFINED_FUNCTION,
                    format!("function {function} does not exist"),
                ));
            }
            let slots: Vec<Option<&ast::Expr>> = (0..4).map(|i| exprs.get(i).copied()).collect();
            let position = self.pos(name.span());
            let func = crate::jsonpath::PathFunc::Query;
            let args = self.in_from(outer, |binder, scope, none| {
                binder.bind_path_arguments(func, &slots, scope, none, position)
            })?;
            return function_rel(
                TableFunc::JsonPath,
                args,
                &[DataType::Jsonb],
                function,
                alias,
                with_ordinality,
                offset,
            );
        }
        if function != "generate_series" {
            return Err(SqlError::new(
                code::UNDEFINED_FUNCTION,
                format!("function {function} does not exist"),
            ));
        }
        let bound = self.bind_from_args(exprs, outer)?;
        let (exprs, ty) = self.bind_series(bound, None)?;
        function_rel(
            TableFunc::GenerateSeries(ty),
            exprs,
            &[ty],
            function,
            alias,
            with_ordinality,
            offset,
        )
    }

    /// `json[b]_to_record[set](doc) AS alias(column type, ...)`: the function yields each
    /// declared column's member as text (see [`crate::json::record_rows`]) and a projection
    /// above reads it as the column's type, as PostgreSQL's populate functions hand a member's
    /// text to the type's input function (a varchar(n) too long is an error, not cut).
    #[allow(clippy::too_many_arguments)]
    fn bind_json_record(
        &mut self,
        (function, position): (&str, Option<usize>),
        (jsonb, set): (bool, bool),
        exprs: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        with_ordinality: bool,
        offset: usize,
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<(Rel, Vec<ScopeRel>)> {
        let defined = alias.filter(|alias| {
            !alias.columns.is_empty() && alias.columns.iter().all(|c| c.data_type.is_some())
        });
        let Some(alias) = defined else {
            return Err(SqlError::syntax(
                "a column definition list is required for functions returning \"record\"",
            )
            .at(position));
        };
        if with_ordinality {
            return Err(SqlError::syntax(
                "WITH ORDINALITY cannot be used with a column definition list",
            )
            .with_hint("Put the column definition list inside ROWS FROM().")
            .at(self.pos(alias.columns[0].name.span)));
        }
        let bound = self.bind_from_args(exprs, outer)?;
        let want = if jsonb {
            DataType::Jsonb
        } else {
            DataType::Json
        };
        let types: Vec<DataType> = bound.iter().map(|(_, ty, _)| *ty).collect();
        let [(doc, ty, span)] =
            <[_; 1]>::try_from(bound).map_err(|_| self.no_function(function, &types, position))?;
        if ty != want && ty != DataType::Unknown {
            return Err(self.no_function(function, &types, position));
        }
        let mut args = vec![self.coerce_to(doc, ty, want, span)?];
        let mut declared = Vec::with_capacity(alias.columns.len());
        for column in &alias.columns {
            let ty = self.data_type(column.data_type.as_ref().expect("checked"))?;
            args.push(Expr::Const(Value::Text(ident_name(&column.name))));
            args.push(Expr::Const(Value::Bool(matches!(
                ty,
                DataType::Json | DataType::Jsonb
            ))));
            declared.push(ty);
        }
        let func = TableFunc::JsonRecord {
            jsonb,
            set,
            columns: declared.len() as u16,
        };
        let texts = vec![DataType::Text; declared.len()];
        let (rel, mut scopes) =
            function_rel(func, args, &texts, function, Some(alias), false, offset)?;
        let exprs = (declared.iter().enumerate())
            .map(|(i, &ty)| match ty {
                DataType::Text => Expr::Column(i),
                _ => Expr::Cast(Box::new(Expr::Column(i)), DataType::Text, ty, false),
            })
            .collect();
        let alias_name = ident_name(&alias.name);
        let columns: Vec<OutputColumn> = (alias.columns.iter().zip(&declared))
            .map(|(column, &ty)| OutputColumn {
                name: ident_name(&column.name),
                ty,
                source: None,
            })
            .collect();
        scopes[0] = scope_rel(alias_name, &columns, offset);
        let rel = Rel::Project {
            input: Box::new(rel),
            exprs,
        };
        Ok((rel, scopes))
    }

    /// The arguments of a jsonpath function (`target`, `path`, `vars`, `silent`; see
    /// [`path_arguments`]): jsonb, jsonpath, jsonb (`'{}'` when not given) and boolean
    /// (false); untyped literals take those types.
    fn bind_path_arguments(
        &mut self,
        func: crate::jsonpath::PathFunc,
        slots: &[Option<&ast::Expr>],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<Vec<Expr>> {
        let wanted = [
            DataType::Jsonb,
            DataType::JsonPath,
            DataType::Jsonb,
            DataType::Bool,
        ];
        let mut bound = Vec::with_capacity(4);
        let mut types = Vec::with_capacity(4);
        for (slot, want) in slots.iter().zip(wanted) {
            match slot {
                Some(expr) => {
                    let (e, ty) = self.bind_expr(expr, scope, aggs)?;
                    types.push(ty);
                    bound.push(Some((e, ty, expr.span(), want)));
                }
                None => bound.push(None),
            }
        }
        let fits = bound.iter().all(|arg| {
            arg.as_ref()
                .is_none_or(|(_, ty, _, want)| *ty == *want || *ty == DataType::Unknown)
        });
        if !fits || bound[0].is_none() || bound[1].is_none() {
            return Err(self.no_function(func.name(), &types, position));
        }
        let mut args = Vec::with_capacity(4);
        for (i, arg) in bound.into_iter().enumerate() {
            args.push(match arg {
                Some((e, ty, span, want)) if i == 1 => {
                    self.check_path_literal(&e, ty, span)?;
                    self.coerce_to(e, ty, want, span)?
                }
                Some((e, ty, span, want)) => self.coerce_to(e, ty, want, span)?,
                None if i == 2 => Expr::Const(Value::Text("{}".into())),
                None => Expr::Const(Value::Bool(false)),
            });
        }
        Ok(args)
    }

    /// A path written as a literal is read when the statement is bound, as PostgreSQL reads
    /// a jsonpath constant: a syntax error points at it.
    fn check_path_literal(&self, path: &Expr, ty: DataType, span: Span) -> SqlResult<()> {
        if let (Expr::Const(Value::Text(text)), DataType::Unknown) = (path, ty) {
            crate::jsonpath::parse(text).map_err(|e| e.at(self.pos(span)))?;
        }
        Ok(())
    }

    /// The argument of a set-returning JSON function (json or jsonb, an untyped literal taken
    /// as one): the function (given `record`), the document, and the columns' types.
    #[allow(clippy::type_complexity)]
    fn bind_json_rows(
        &mut self,
        function: &str,
        rows: crate::json::JsonRows,
        jsonb: bool,
        text: bool,
        mut bound: Vec<(Expr, DataType, Span)>,
        position: Option<usize>,
    ) -> SqlResult<(impl Fn(bool) -> TableFunc, Expr, Vec<DataType>)> {
        let want = if jsonb {
            DataType::Jsonb
        } else {
            DataType::Json
        };
        let (doc, ty, span) = bound.pop().expect("one argument");
        if !(ty == want || ty == DataType::Unknown) {
            return Err(self.no_function(function, &[ty], position));
        }
        let doc = self.coerce_to(doc, ty, want, span)?;
        let value = if text { DataType::Text } else { want };
        let types = match rows {
            crate::json::JsonRows::Each => vec![DataType::Text, value],
            crate::json::JsonRows::Elements => vec![value],
            crate::json::JsonRows::Keys => vec![DataType::Text],
        };
        let func = move |record| TableFunc::Json {
            rows,
            jsonb,
            text,
            record,
        };
        Ok((func, doc, types))
    }

    /// A subquery in an expression, with what it reads of the rows around it.
    fn bind_subquery(
        &mut self,
        query: &ast::Query,
        scope: &Scope<'_>,
        kind: SubqueryKind,
    ) -> SqlResult<(Subquery, Vec<OutputColumn>)> {
        self.sublinks += 1;
        let bound = self.bind_query_rel(query, Some(scope));
        self.sublinks -= 1;
        let (rel, columns) = bound?;
        let mut refs = Vec::new();
        rel.outer_refs(&mut refs);
        let mut reads: Vec<usize> = refs
            .iter()
            .filter(|(level, _)| *level == 0)
            .map(|(_, c)| *c)
            .collect();
        reads.sort_unstable();
        reads.dedup();
        let reads_further = refs.iter().any(|(level, _)| *level > 0);
        Ok((
            Subquery {
                kind,
                rel,
                reads,
                reads_further,
            },
            columns,
        ))
    }

    /// The clauses of one SELECT.
    fn bind_select_clauses(
        &mut self,
        select: &ast::Select,
        order_by: Option<&ast::OrderBy>,
        limit_clause: Option<&LimitClause>,
        locks: &[BoundLock],
        outer: Option<&Scope<'_>>,
    ) -> SqlResult<SelectParts> {
        let keep_unknown = std::mem::take(&mut self.keep_unknown);
        if select.into.is_some() {
            return Err(unsupported("SELECT INTO"));
        }
        let outer_locks = std::mem::replace(&mut self.from_locks, locks.to_vec());
        let bound = self.bind_from(&select.from, outer);
        self.from_locks = outer_locks;
        let (from, rels, star) = bound?;
        let scope = Scope { rels, outer };
        // WINDOW w AS (...): for this SELECT's OVER clauses (a nested SELECT has its own).
        let mut windows: Vec<(String, ast::WindowSpec)> = Vec::new();
        for ast::NamedWindowDefinition(name, definition) in &select.named_window {
            let ast::NamedWindowExpr::WindowSpec(spec) = definition else {
                return Err(unsupported("WINDOW name AS other_name"));
            };
            // PostgreSQL points at the definition's parenthesis.
            let at = offset_of(self.text, name.span.start.line, name.span.start.column).and_then(
                |from| {
                    let found = self.text.chars().skip(from).position(|c| c == '(')?;
                    Some(self.offset + from + found + 1)
                },
            );
            let name = ident_name(name);
            if windows.iter().any(|(n, _)| *n == name) {
                return Err(SqlError::new(
                    "42P20",
                    format!("window \"{name}\" is already defined"),
                )
                .at(at));
            }
            let resolved = resolve_window(spec, &windows, &|span| self.pos_before(span, '('))?;
            windows.push((name, resolved));
        }
        let outer_windows = std::mem::replace(&mut self.windows, windows);
        let result = self.bind_select_rest(
            select,
            order_by,
            limit_clause,
            locks,
            keep_unknown,
            from,
            scope,
            star,
        );
        self.windows = outer_windows;
        result
    }

    /// The rest of [`Binder::bind_select_clauses`], once its FROM and WINDOW clauses are known.
    #[allow(clippy::too_many_arguments)]
    fn bind_select_rest(
        &mut self,
        select: &ast::Select,
        order_by: Option<&ast::OrderBy>,
        limit_clause: Option<&LimitClause>,
        locks: &[BoundLock],
        keep_unknown: bool,
        from: Rel,
        scope: Scope<'_>,
        star: Vec<usize>,
    ) -> SqlResult<SelectParts> {
        let filter = match &select.selection {
            Some(expr) => Some(self.bind_predicate(expr, &scope, "WHERE")?),
            None => None,
        };
        // Outputs (no aggregates in a recursive query's recursive term).
        let step = self.recursive_term == Some(select as *const ast::Select as usize);
        let mut aggs = AggCollector {
            allowed: !step,
            context: if step { RECURSIVE_TERM } else { "" },
            windows_allowed: true,
            ..Default::default()
        };
        let mut outputs = Vec::new();
        let mut columns = Vec::new();
        for item in &select.projection {
            // sqlparser takes a string constant as a column alias (`select 'one' 'two'`);
            // PostgreSQL does not.
            if let SelectItem::ExprWithAlias { alias, expr } = item {
                if alias.quote_style == Some('\'') {
                    // (The alias has no span: the first quote after the expression.)
                    let end = expr.span().end;
                    let position = offset_of(self.text, end.line, end.column).and_then(|at| {
                        let after = self.text.chars().skip(at).position(|c| c == '\'')?;
                        Some(self.offset + at + after + 1)
                    });
                    return Err(SqlError::syntax(format!(
                        "syntax error at or near \"'{}'\"",
                        alias.value.replace('\'', "''")
                    ))
                    .at(position));
                }
            }
            match item {
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    let qualifier = wildcard_qualifier(item)?;
                    if scope.rels.is_empty() {
                        return Err(SqlError::new(
                            code::SYNTAX_ERROR,
                            "SELECT * with no tables specified is not valid",
                        ));
                    }
                    let mut found = false;
                    // In a view's query read where the view is named: the table columns the
                    // star expanded to when the view was made (None: as it expands now).
                    let recorded = match (&self.view_path, &mut *self.star_plan.borrow_mut()) {
                        (Some(_), Some((stars, next))) => {
                            *next += 1;
                            stars
                                .get(*next - 1)
                                .filter(|star| star.fixed)
                                .map(|star| star.columns.clone())
                        }
                        _ => None,
                    };
                    // The tables' columns the star reads (a view of it depends on them).
                    let mut star_reads = Vec::new();
                    let mut expand = |index: usize, column: &ScopeColumn| {
                        let (rel, _) = scope.column(index).expect("star columns exist");
                        if let (Some(_), Some(source)) = (&rel.table, column.source) {
                            if recorded.as_ref().is_some_and(|r| !r.contains(&source)) {
                                return Ok(());
                            }
                            star_reads.push(source);
                        }
                        if column.denied {
                            return Err(rel.permission_denied());
                        }
                        outputs.push((Expr::Column(index), column.ty));
                        columns.push(OutputColumn {
                            name: column.name.clone(),
                            ty: column.ty,
                            source: column.source,
                        });
                        Ok(())
                    };
                    match &qualifier {
                        None => {
                            found = true;
                            for &index in &star {
                                let (_, column) = scope.column(index).expect("star columns exist");
                                expand(index, column)?;
                            }
                        }
                        Some(qualifier) => {
                            for rel in scope.rels.iter().filter(|r| r.alias == *qualifier) {
                                found = true;
                                for (i, column) in rel.columns.iter().enumerate() {
                                    if !column.system {
                                        expand(rel.offset + i, column)?;
                                    }
                                }
                            }
                        }
                    }
                    if let (false, Some(qualifier)) = (found, qualifier) {
                        return Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{qualifier}\""),
                        ));
                    }
                    if self.track_names.get() && self.view_path.is_none() {
                        // Other FROM items (subqueries, views) fix their own columns.
                        self.stars_made.borrow_mut().push(crate::catalog::Star {
                            fixed: true,
                            columns: star_reads.clone(),
                        });
                        self.columns_read.borrow_mut().extend(star_reads);
                    }
                }
                SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                    let (bound, ty) = self.bind_expr(expr, &scope, &mut aggs)?;
                    let bare = match item {
                        SelectItem::UnnamedExpr(ast::Expr::Identifier(last)) => Some(last),
                        SelectItem::UnnamedExpr(ast::Expr::CompoundIdentifier(parts)) => {
                            parts.last()
                        }
                        _ => None,
                    };
                    if let Some(last) = bare {
                        self.note_output_name(last);
                    }
                    // A literal of unknown type is text, except in a set operation's branch
                    // (the operation resolves it with the other branches).
                    let ty = if ty == DataType::Unknown && !keep_unknown {
                        DataType::Text
                    } else {
                        ty
                    };
                    let name = match item {
                        SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
                        _ => output_name(expr),
                    };
                    // A column read as it is (a cast to its own type makes a value of that
                    // type: no modifier, no domain).
                    let source = match (&bound, expr) {
                        (_, ast::Expr::Cast { .. }) => None,
                        (Expr::Column(index), _) => {
                            scope.column(*index).and_then(|(_, c)| c.source)
                        }
                        _ => None,
                    };
                    outputs.push((bound, ty));
                    columns.push(OutputColumn { name, ty, source });
                }
            }
        }
        let group_items = match &select.group_by {
            GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs.clone(),
            _ => return Err(unsupported("GROUP BY ALL and grouping modifiers")),
        };
        // ROLLUP, CUBE and GROUPING SETS: each item's sets (as lists of expressions); the
        // query's sets are their cross product.
        let has_sets = group_items.iter().any(|e| {
            matches!(
                e,
                ast::Expr::Rollup(_) | ast::Expr::Cube(_) | ast::Expr::GroupingSets(_)
            )
        });
        let mut item_sets: Vec<Vec<Vec<ast::Expr>>> = Vec::new();
        for item in &group_items {
            let flatten = |lists: &[Vec<ast::Expr>], take: &[usize]| -> Vec<ast::Expr> {
                take.iter()
                    .flat_map(|&i| lists[i].iter().cloned())
                    .collect()
            };
            item_sets.push(match item {
                ast::Expr::Rollup(lists) => (0..=lists.len())
                    .rev()
                    .map(|n| flatten(lists, &(0..n).collect::<Vec<_>>()))
                    .collect(),
                ast::Expr::Cube(lists) => {
                    let n = lists.len();
                    if n > 12 {
                        return Err(SqlError::new("54001", "CUBE is limited to 12 elements"));
                    }
                    let mut masks: Vec<usize> = (0..1usize << n).collect();
                    // Larger sets first, as PostgreSQL lists them.
                    masks.sort_by_key(|m| std::cmp::Reverse(m.count_ones()));
                    masks
                        .into_iter()
                        .map(|m| {
                            flatten(
                                lists,
                                &(0..n)
                                    .filter(|i| m & (1 << (n - 1 - i)) != 0)
                                    .collect::<Vec<_>>(),
                            )
                        })
                        .collect()
                }
                ast::Expr::GroupingSets(lists) => lists.clone(),
                other => vec![vec![other.clone()]],
            });
        }
        let group_exprs: Vec<ast::Expr> = if has_sets {
            item_sets.iter().flatten().flatten().cloned().collect()
        } else {
            group_items.clone()
        };
        let mut keys = Vec::new();
        for expr in &group_exprs {
            // GROUP BY n names an output column.
            if let Some(index) = self.output_position(expr, columns.len(), "GROUP BY")? {
                let mut has_aggregate = false;
                outputs[index]
                    .0
                    .visit(&mut |e| has_aggregate |= matches!(e, Expr::Agg(_)));
                if has_aggregate {
                    let position = match select.projection.get(index) {
                        Some(
                            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. },
                        ) => self.pos(e.span()),
                        _ => None,
                    };
                    return Err(SqlError::new(
                        code::GROUPING_ERROR,
                        "aggregate functions are not allowed in GROUP BY",
                    )
                    .at(position));
                }
                keys.push(outputs[index].0.clone());
                continue;
            }
            // GROUP BY name of an output column (when no input column has that name).
            if let ast::Expr::Identifier(ident) = expr {
                let name = ident_name(ident);
                if resolve(&scope, None, &name, &name).is_err() {
                    if let Some(index) = columns.iter().position(|c| c.name == name) {
                        keys.push(outputs[index].0.clone());
                        continue;
                    }
                }
            }
            let mut none = AggCollector {
                allowed: false,
                context: "GROUP BY",
                ..Default::default()
            };
            keys.push(self.bind_expr(expr, &scope, &mut none)?.0);
        }
        // Distinct keys, and each grouping set as positions among them.
        let sets = if has_sets {
            let mut distinct: Vec<Expr> = Vec::new();
            let mut position_of = |key: &Expr| match distinct.iter().position(|k| k == key) {
                Some(at) => at,
                None => {
                    distinct.push(key.clone());
                    distinct.len() - 1
                }
            };
            let mut bound = keys.into_iter();
            let mut per_item: Vec<Vec<Vec<usize>>> = Vec::new();
            for sets in &item_sets {
                per_item.push(
                    sets.iter()
                        .map(|set| {
                            set.iter()
                                .map(|_| {
                                    position_of(&bound.next().expect("one key per expression"))
                                })
                                .collect()
                        })
                        .collect(),
                );
            }
            let mut product: Vec<Vec<usize>> = vec![Vec::new()];
            for sets in per_item {
                product = product
                    .iter()
                    .flat_map(|prefix| {
                        sets.iter().map(move |set| {
                            let mut combined = prefix.clone();
                            combined.extend(set.iter().filter(|k| !prefix.contains(k)));
                            combined
                        })
                    })
                    .collect();
            }
            keys = distinct;
            keys.push(crate::plan::GROUPING_ID);
            Some(product)
        } else {
            None
        };
        let having = match &select.having {
            Some(expr) => {
                aggs.windows_allowed = false;
                aggs.context = "HAVING";
                let bound = self.bind_expr(expr, &scope, &mut aggs);
                aggs.windows_allowed = true;
                aggs.context = "";
                let (bound, ty) = bound?;
                self.expect_bool(ty, "HAVING", expr.span())?;
                Some(bound)
            }
            None => None,
        };
        // ORDER BY
        let mut sort = Vec::new();
        if let Some(order) = order_by {
            let OrderByKind::Expressions(items) = &order.kind else {
                return Err(unsupported("ORDER BY ALL"));
            };
            for item in items {
                let descending = item.options.asc == Some(false);
                let nulls_first = item.options.nulls_first.unwrap_or(descending);
                let output =
                    self.order_by_output(&item.expr, &scope, &mut aggs, &mut outputs, &columns)?;
                sort.push((
                    SortKey {
                        output,
                        descending,
                        nulls_first,
                    },
                    item.expr.span(),
                ));
            }
        }
        // DISTINCT [ON]
        let distinct = match &select.distinct {
            None => None,
            Some(ast::Distinct::Distinct) => {
                if let Some((_, span)) = sort.iter().find(|(key, _)| key.output >= columns.len()) {
                    return Err(SqlError::new(
                        "42P10",
                        "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                    )
                    .at(self.pos(*span)));
                }
                Some(None)
            }
            Some(ast::Distinct::On(exprs)) => {
                let mut on = Vec::new();
                for expr in exprs {
                    on.push(self.order_by_output(
                        expr,
                        &scope,
                        &mut aggs,
                        &mut outputs,
                        &columns,
                    )?);
                }
                // The leading ORDER BY items must be the DISTINCT ON expressions (PostgreSQL's
                // transformDistinctOnClause): once an ORDER BY item that is not one of them has
                // been passed, none of them may follow, nor be missing from ORDER BY.
                let mismatch = |binder: &Binder<'_>, at: usize| {
                    SqlError::new(
                        "42P10",
                        "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                    )
                    .at(binder.pos(exprs[at].span()))
                };
                let mut skipped = false;
                let mut sorted = Vec::new();
                for (key, _) in &sort {
                    match on.iter().position(|&o| o == key.output) {
                        Some(at) if skipped => return Err(mismatch(self, at)),
                        Some(_) => sorted.push(key.output),
                        None => skipped = true,
                    }
                }
                if let Some(at) = on.iter().position(|o| !sorted.contains(o)) {
                    if skipped {
                        return Err(mismatch(self, at));
                    }
                }
                // The rest of them sort after ORDER BY (PostgreSQL adds them too).
                for &output in on.iter().filter(|o| !sorted.contains(o)) {
                    sort.push((
                        SortKey {
                            output,
                            descending: false,
                            nulls_first: false,
                        },
                        Span::empty(),
                    ));
                }
                Some(Some(on))
            }
        };
        let order_by: Vec<SortKey> = sort.into_iter().map(|(key, _)| key).collect();
        // Aggregates, GROUP BY or HAVING make the query grouped (HAVING alone groups into one row).
        let grouped = !keys.is_empty() || !aggs.aggs.is_empty() || having.is_some();
        let mut windows = std::mem::take(&mut aggs.windows);
        let mut srfs = std::mem::take(&mut aggs.srfs);
        if sets.is_none() && !keys.is_empty() {
            let mut read = Vec::new();
            for (expr, _) in &outputs {
                expr.columns(&mut read);
            }
            if let Some(having) = &having {
                having.columns(&mut read);
            }
            keys.extend(self.dependent_columns(&scope, &keys, &read));
        }
        let (grouping, outputs) = if grouped {
            let grouping_error = |binder: &Binder<'_>, column: usize| {
                let position = binder
                    .column_positions
                    .iter()
                    .find(|(c, _)| *c == column)
                    .and_then(|(_, p)| *p);
                let (alias, name) = scope
                    .column(column)
                    .map_or((String::new(), String::new()), |(rel, c)| {
                        (rel.alias.clone(), c.name.clone())
                    });
                SqlError::new(
                    code::GROUPING_ERROR,
                    format!("column \"{alias}.{name}\" must appear in the GROUP BY clause or be used in an aggregate function"),
                )
                .at(position)
            };
            let outputs = outputs
                .into_iter()
                .map(|(expr, _)| {
                    regroup(expr, &keys).map_err(|column| grouping_error(self, column))
                })
                .collect::<SqlResult<Vec<_>>>()?;
            let having = having
                .map(|expr| regroup(expr, &keys).map_err(|column| grouping_error(self, column)))
                .transpose()?;
            // Window functions run over the grouped rows.
            windows = windows
                .into_iter()
                .map(|call| {
                    call.try_map_exprs(&mut |e| {
                        regroup(e, &keys).map_err(|column| grouping_error(self, column))
                    })
                })
                .collect::<SqlResult<Vec<_>>>()?;
            srfs = srfs
                .into_iter()
                .map(|(func, args)| {
                    let args = args
                        .into_iter()
                        .map(|e| regroup(e, &keys).map_err(|column| grouping_error(self, column)))
                        .collect::<SqlResult<Vec<_>>>()?;
                    Ok((func, args))
                })
                .collect::<SqlResult<Vec<_>>>()?;
            (
                Some(Grouping {
                    keys,
                    aggs: aggs.aggs,
                    having,
                    sets,
                }),
                outputs,
            )
        } else {
            (None, outputs.into_iter().map(|(expr, _)| expr).collect())
        };
        let (limit, offset) = self.limit_clause(limit_clause)?;
        let locking = locks.first().map(|clause| clause.locking);
        if let (Some(locking), Some(grouping)) = (locking, &grouping) {
            let strength = locking.strength.name();
            let what = if grouping.keys.is_empty() {
                "aggregate functions"
            } else {
                "GROUP BY clause"
            };
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("FOR {strength} is not allowed with {what}"),
            ));
        }
        if let (Some(locking), Some(_)) = (locking, &distinct) {
            let strength = locking.strength.name();
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("FOR {strength} is not allowed with DISTINCT clause"),
            ));
        }
        if let (Some(locking), false) = (locking, windows.is_empty()) {
            let strength = locking.strength.name();
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("FOR {strength} is not allowed with window functions"),
            ));
        }
        if let (Some(locking), false) = (locking, srfs.is_empty()) {
            let strength = locking.strength.name();
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!(
                    "FOR {strength} is not allowed with set-returning functions in the target list"
                ),
            ));
        }
        let Locks {
            targets: locks,
            recheck: lock_recheck,
            fixups: lock_fixups,
        } = self.lock_targets(locks, &from, &scope)?;
        Ok(SelectParts {
            from,
            filter,
            grouping,
            windows,
            srfs,
            outputs,
            columns,
            distinct,
            order_by,
            limit,
            offset,
            with_ties: false,
            locks,
            lock_recheck,
            lock_fixups,
        })
    }

    fn bind_count(&mut self, expr: &ast::Expr, what: &'static str) -> SqlResult<Expr> {
        let (bound, ty) = self.bind_expr(expr, &Scope::empty(), &mut AggCollector::default())?;
        self.coerce(bound, ty, DataType::Int8, expr.span(), what)
    }

    fn order_by_output(
        &mut self,
        expr: &ast::Expr,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        outputs: &mut Vec<(Expr, DataType)>,
        columns: &[OutputColumn],
    ) -> SqlResult<usize> {
        if let Some(index) = self.output_position(expr, columns.len(), "ORDER BY")? {
            return Ok(index);
        }
        if let ast::Expr::Identifier(ident) = expr {
            let name = ident_name(ident);
            if let Some(index) = columns.iter().position(|column| column.name == name) {
                return Ok(index);
            }
        }
        let (bound, ty) = self.bind_expr(expr, scope, aggs)?;
        // An output computing the same, visible or added for an earlier ORDER BY or DISTINCT
        // ON item (`DISTINCT ON (x % 2) .. ORDER BY x % 2`: one column, as PostgreSQL matches
        // its resjunk target entries too).
        if let Some(index) = outputs.iter().position(|(output, _)| *output == bound) {
            return Ok(index);
        }
        outputs.push((bound, ty));
        Ok(outputs.len() - 1)
    }

    /// `GROUP BY n` / `ORDER BY n`: the zero-based output column a number names, if `expr` is one.
    fn output_position(
        &self,
        expr: &ast::Expr,
        outputs: usize,
        clause: &str,
    ) -> SqlResult<Option<usize>> {
        let ast::Expr::Value(value) = expr else {
            return Ok(None);
        };
        let ast::Value::Number(n, _) = &value.value else {
            return Ok(None);
        };
        match n.parse::<usize>() {
            Ok(index) if index >= 1 && index <= outputs => Ok(Some(index - 1)),
            _ => Err(SqlError::new(
                "42P10",
                format!("{clause} position {n} is not in select list"),
            )
            .at(self.pos(expr.span()))),
        }
    }

    /// `FROM t [alias]`
    /// The view an UPDATE or DELETE names as its target, with the name the statement gives it
    /// (None: not a view).
    fn view_factor(
        &self,
        factor: &TableFactor,
    ) -> SqlResult<Option<(crate::catalog::ViewDef, String)>> {
        let TableFactor::Table { name, alias, .. } = factor else {
            return Ok(None);
        };
        let Some(view) = self.view(name)? else {
            return Ok(None);
        };
        let alias = match alias {
            Some(alias) => ident_name(&alias.name),
            None => crate::catalog::relname(&view.name).to_string(),
        };
        Ok(Some((view, alias)))
    }

    fn table_factor(&self, factor: &TableFactor) -> SqlResult<(Arc<TableDef>, String)> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                ..
            } if with_hints.is_empty() => {
                let table = self.lookup_table(name)?;
                let alias = match alias {
                    Some(alias) if alias.columns.is_empty() => ident_name(&alias.name),
                    Some(_) => return Err(unsupported("column aliases on tables")),
                    None => crate::catalog::relname(&table.name).to_string(),
                };
                Ok((table, alias))
            }
            TableFactor::Derived { .. } => Err(unsupported("subqueries in FROM")),
            _ => Err(unsupported("this kind of FROM item")),
        }
    }

    fn bind_predicate(
        &mut self,
        expr: &ast::Expr,
        scope: &Scope<'_>,
        context: &'static str,
    ) -> SqlResult<Expr> {
        // PostgreSQL's aggregate and window errors name some clauses in words of their own.
        let calls = match context {
            "JOIN/ON" => "JOIN conditions",
            "WHEN" => "MERGE WHEN conditions",
            other => other,
        };
        let mut none = AggCollector {
            allowed: false,
            context: calls,
            ..Default::default()
        };
        let (bound, ty) = self.bind_expr(expr, scope, &mut none)?;
        self.expect_bool(ty, context, expr.span())?;
        Ok(bound)
    }

    /// string_agg(value, delimiter [ORDER BY ...]), json_agg / jsonb_agg(value [ORDER BY ...]):
    /// the inputs are packed into one row each (value, delimiter, sort keys) for the accumulator,
    /// which sorts and joins them at the end (see [`crate::expr::Collect`]).
    #[allow(clippy::too_many_arguments)]
    fn bind_collect_call(
        &mut self,
        name: &str,
        mut collect: crate::expr::Collect,
        function: &ast::Function,
        distinct: bool,
        args: &[&FunctionArg],
        scope: &Scope<'_>,
        inner: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<AggCall> {
        use crate::expr::CollectKind;
        let exprs = positional_args(args.iter().copied())?;
        let bound = self.bind_args(&exprs, scope, inner)?;
        let types: Vec<DataType> = bound.iter().map(|(_, t, _)| *t).collect();
        let arguments: Vec<Expr> = bound.iter().map(|(e, _, _)| e.clone()).collect();
        let mut packed = Vec::new();
        let result_type = match (collect.kind, bound.len()) {
            (CollectKind::StringAgg, 2) if types.iter().all(|t| t.is_string()) => {
                for (expr, ty, span) in bound {
                    packed.push(self.coerce_to(expr, ty, DataType::Text, span)?);
                }
                DataType::Text
            }
            (CollectKind::ArrayAgg, 1) => {
                let (expr, ty, span) = bound.into_iter().next().expect("one argument");
                let ty = if ty == DataType::Unknown {
                    packed.push(self.coerce_to(expr, ty, DataType::Text, span)?);
                    DataType::Text
                } else {
                    packed.push(expr);
                    ty
                };
                ty.array()
            }
            (CollectKind::JsonAgg | CollectKind::JsonbAgg, 1) => {
                let (expr, ty, _) = bound.into_iter().next().expect("one argument");
                collect.structured = ty.element().is_some()
                    || matches!(ty, DataType::Record(_))
                    || matches!(expr, Expr::Scalar(crate::functions::Scalar::RowToJson, _));
                packed.push(json_value(expr, ty, false, self.session.timezone.as_ref()));
                if collect.kind == CollectKind::JsonAgg {
                    DataType::Json
                } else {
                    DataType::Jsonb
                }
            }
            (CollectKind::JsonObjectAgg | CollectKind::JsonbObjectAgg, 2) => {
                let mut bound = bound.into_iter();
                let (key, key_ty, key_span) = bound.next().expect("two arguments");
                let (value, ty, _) = bound.next().expect("two arguments");
                packed.push(self.coerce_to(key, key_ty, DataType::Text, key_span)?);
                let zone = self.session.timezone.as_ref();
                packed.push(json_value(value, ty, false, zone));
                if collect.kind == CollectKind::JsonObjectAgg {
                    DataType::Json
                } else {
                    DataType::Jsonb
                }
            }
            (CollectKind::PercentileCont | CollectKind::PercentileDisc | CollectKind::Mode, _) => {
                // WITHIN GROUP (ORDER BY key): the key is the value and the sort key; the
                // fraction (a direct argument) rides along.
                let key = &function.within_group[0];
                let (value, ty) = self.bind_expr(&key.expr, scope, inner)?;
                let cont = collect.kind == CollectKind::PercentileCont;
                let mode = collect.kind == CollectKind::Mode;
                if bound.len() != usize::from(!mode)
                    || (cont
                        && !ty.is_numeric_family()
                        && !matches!(ty, DataType::Float4 | DataType::Float8 | DataType::Unknown))
                {
                    let mut all = types.clone();
                    all.push(ty);
                    return Err(self.no_function(name, &all, position));
                }
                let value = if cont {
                    self.coerce_to(value, ty, DataType::Float8, key.expr.span())?
                } else {
                    value
                };
                packed.push(value.clone());
                if let Some((fraction, fty, span)) = bound.into_iter().next() {
                    packed.push(self.coerce_to(fraction, fty, DataType::Float8, span)?);
                }
                let desc = key.options.asc == Some(false);
                if desc {
                    collect.desc |= 1;
                }
                if key.options.nulls_first.unwrap_or(desc) {
                    collect.nulls_first |= 1;
                }
                collect.keys = 1;
                packed.push(value);
                if cont {
                    DataType::Float8
                } else if ty == DataType::Unknown {
                    DataType::Text
                } else {
                    ty
                }
            }
            _ => return Err(self.no_function(name, &types, position)),
        };
        if let FunctionArguments::List(list) = &function.args {
            for clause in &list.clauses {
                let ast::FunctionArgumentClause::OrderBy(keys) = clause else {
                    continue;
                };
                for key in keys {
                    if collect.keys as usize >= 32 {
                        return Err(unsupported("more than 32 ORDER BY keys in an aggregate"));
                    }
                    let (bound, _) = self.bind_expr(&key.expr, scope, inner)?;
                    // With DISTINCT the rows compared are the arguments, so each key must be one
                    // (the packed row then repeats only what the arguments decide).
                    if distinct && !arguments.contains(&bound) {
                        return Err(SqlError::new(
                            "42P10",
                            "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                        )
                        .at(self.pos(key.expr.span())));
                    }
                    let bit = 1u32 << collect.keys;
                    let desc = key.options.asc == Some(false);
                    if desc {
                        collect.desc |= bit;
                    }
                    if key.options.nulls_first.unwrap_or(desc) {
                        collect.nulls_first |= bit;
                    }
                    collect.keys += 1;
                    packed.push(bound);
                }
            }
        }
        if distinct && collect.keys == 0 {
            // PostgreSQL sorts a DISTINCT aggregate's input by its arguments to find the
            // repeats: the values come out in that order.
            for argument in arguments.iter().take(32) {
                collect.keys += 1;
                packed.push(argument.clone());
            }
        }

        let filter = match &function.filter {
            Some(expr) => {
                let (bound, ty) = self.bind_expr(expr, scope, inner)?;
                Some(self.coerce(bound, ty, DataType::Bool, expr.span(), "FILTER")?)
            }
            None => None,
        };
        Ok(AggCall {
            func: AggFunc::Collect(collect),
            arg: Some(Expr::Scalar(crate::functions::Scalar::PackRow, packed)),
            arg_type: DataType::Bytea,
            result_type,
            distinct,
            filter,
        })
    }

    /// json and jsonb operators: `->`, `->>`, `#>`, `#>>` on both; `@>`, `<@`, `?`, `?|`, `?&`,
    /// `||`, `-`, `#-` on jsonb. Paths and key lists are text[] literals (`'{a,1}'`).
    fn bind_json_operator(
        &mut self,
        op: &BinaryOperator,
        (lb, lt, lspan): (Expr, DataType, Span),
        (rb, rt, rspan): (Expr, DataType, Span),
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        use crate::json::JsonOp as J;
        let no_operator = |binder: &Self| {
            SqlError::new(
                code::UNDEFINED_FUNCTION,
                format!("operator does not exist: {} {op} {}", lt.name(), rt.name()),
            )
            .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
            .at(position.or(binder.pos(lspan)))
        };
        let json_left = matches!(lt, DataType::Json | DataType::Jsonb);
        let jsonb = lt == DataType::Jsonb;
        // Paths and key lists are text[] (a literal, a text value read as one, or an array).
        let text_list = rt.is_string() || rt.element().is_some_and(|elem| elem.is_string());
        let (json_op, right_ty, result) = match op {
            BinaryOperator::Arrow | BinaryOperator::LongArrow if json_left => {
                let text = matches!(op, BinaryOperator::LongArrow);
                let result = if text { DataType::Text } else { lt };
                if rt.is_integer() {
                    (J::Index { text }, DataType::Int8, result)
                } else if rt.is_string() {
                    (J::Field { text }, DataType::Text, result)
                } else {
                    return Err(no_operator(self));
                }
            }
            BinaryOperator::HashArrow | BinaryOperator::HashLongArrow if json_left && text_list => {
                let text = matches!(op, BinaryOperator::HashLongArrow);
                (
                    J::Path { text },
                    DataType::Text.array(),
                    if text { DataType::Text } else { lt },
                )
            }
            BinaryOperator::AtArrow | BinaryOperator::ArrowAt
                if jsonb && matches!(rt, DataType::Jsonb | DataType::Unknown) =>
            {
                let op = if matches!(op, BinaryOperator::AtArrow) {
                    J::Contains
                } else {
                    J::ContainedIn
                };
                (op, DataType::Jsonb, DataType::Bool)
            }
            BinaryOperator::Question if jsonb && rt.is_string() => {
                (J::HasKey, DataType::Text, DataType::Bool)
            }
            BinaryOperator::QuestionPipe if jsonb && text_list => {
                (J::HasAny, DataType::Text.array(), DataType::Bool)
            }
            BinaryOperator::QuestionAnd if jsonb && text_list => {
                (J::HasAll, DataType::Text.array(), DataType::Bool)
            }
            BinaryOperator::StringConcat
                if matches!(lt, DataType::Jsonb | DataType::Unknown)
                    && matches!(rt, DataType::Jsonb | DataType::Unknown) =>
            {
                let lb = self.coerce_to(lb, lt, DataType::Jsonb, lspan)?;
                let rb = self.coerce_to(rb, rt, DataType::Jsonb, rspan)?;
                return Ok((
                    Expr::Binary(BinOp::Json(J::Concat, true), Box::new(lb), Box::new(rb)),
                    DataType::Jsonb,
                ));
            }
            BinaryOperator::Minus if jsonb && rt.is_integer() => {
                (J::DeleteIndex, DataType::Int8, DataType::Jsonb)
            }
            BinaryOperator::Minus if jsonb && rt.is_string() => {
                (J::DeleteKey, DataType::Text, DataType::Jsonb)
            }
            BinaryOperator::HashMinus if jsonb && text_list => {
                (J::DeletePath, DataType::Text.array(), DataType::Jsonb)
            }
            _ => return Err(no_operator(self)),
        };
        let rb = self.coerce_to(rb, rt, right_ty, rspan)?;
        Ok((
            Expr::Binary(BinOp::Json(json_op, jsonb), Box::new(lb), Box::new(rb)),
            result,
        ))
    }

    /// `inner::to` (the general cast; a literal read as the type where it can be).
    fn bind_cast_to(
        &mut self,
        inner: &ast::Expr,
        to: DataType,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        if let (ast::Expr::Value(v), DataType::Float4 | DataType::Float8) = (inner, to) {
            if let ast::Value::Number(text, _) = &v.value {
                // A number literal read straight as a float (PostgreSQL's numeric to
                // float cast reads the number's text the same way); Keel's numeric has
                // 28 digits, PostgreSQL's more, so `3.4e38::real` must not pass through it.
                let value = parse_text(text, to).map_err(|_| {
                    SqlError::new(
                        code::NUMERIC_VALUE_OUT_OF_RANGE,
                        format!(
                            "\"{}\" is out of range for type {}",
                            crate::types::plain_decimal(text),
                            to.name()
                        ),
                    )
                })?;
                return Ok((Expr::Const(value), to));
            }
        }
        let (bound, from) = self.bind_expr(inner, scope, aggs)?;
        self.record_fits(&bound, from, to, position)?;
        Ok(if from == to {
            (bound, to)
        } else if let Expr::Const(value) = bound {
            (
                Expr::Const(
                    // A literal's input error points at it (PostgreSQL reads it while
                    // parsing); a typed value's cast fails at run time, without one.
                    self.cast_const(value, from, to, true).map_err(|e| {
                        if from == DataType::Unknown {
                            e.at(self.pos(inner.span()))
                        } else {
                            e
                        }
                    })?,
                ),
                to,
            )
        } else if let (Expr::Param(index), DataType::Unknown) = (&bound, from) {
            self.params[*index] = Some(to);
            (bound, to)
        } else {
            if !castable(from, to) {
                return Err(SqlError::new(
                    code::CANNOT_COERCE,
                    format!("cannot cast type {} to {}", from.name(), to.name()),
                )
                .at(position));
            }
            (self.cast_node(bound, from, to, true), to)
        })
    }

    fn expect_bool(&self, ty: DataType, context: &str, span: Span) -> SqlResult<()> {
        if ty == DataType::Bool || ty == DataType::Unknown {
            Ok(())
        } else {
            Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!(
                    "argument of {context} must be type boolean, not type {}",
                    ty.name()
                ),
            )
            .at(self.pos(span)))
        }
    }

    fn bind_insert(&mut self, insert: &ast::Insert) -> SqlResult<Plan> {
        let TableObject::TableName(name) = &insert.table else {
            return Err(unsupported("INSERT into a table function"));
        };
        if let Some(view) = self.view(name)? {
            return self.insert_into_view(insert, &view);
        }
        let table = self.lookup_table(name)?;
        self.refuse_matview_change(&table)?;
        // INSERT on the columns given values is checked once they are known; RETURNING's
        // columns need SELECT (its scope checks them).
        if let Some(ast::OnInsert::OnConflict(ast::OnConflict {
            action: ast::OnConflictAction::DoUpdate(_),
            ..
        })) = &insert.on
        {
            self.require(&table, PRIV_UPDATE)?;
        }
        let table = self.write_target(table)?;
        // The name the table goes by in ON CONFLICT and RETURNING.
        let alias = insert.table_alias.as_ref().map_or_else(
            || crate::catalog::relname(&table.name).to_string(),
            ident_name,
        );
        let on_conflict =
            match &insert.on {
                None => None,
                Some(ast::OnInsert::OnConflict(on_conflict)) => Some(Arc::new(
                    self.bind_on_conflict(&table, alias.clone(), on_conflict)?,
                )),
                Some(_) => return Err(unsupported("ON DUPLICATE KEY UPDATE")),
            };
        let targets = self.insert_targets(&table, &insert.columns)?;
        let returning = self.returning(&table, alias, insert.returning.as_ref())?;
        let overriding = offset_of(self.text, name.span().start.line, name.span().start.column)
            .and_then(|from| crate::parse::insert_overriding(self.text, from));
        let Some(source) = &insert.source else {
            // INSERT ... DEFAULT VALUES: one row of the columns' defaults.
            self.require_columns(&table, PRIV_INSERT, &[])?;
            let rows = vec![self.defaults(&table)?];
            return Ok(values_insert(table, rows, returning, on_conflict));
        };
        let values = match source.body.as_ref() {
            SetExpr::Values(values) if source.with.is_none() && source.order_by.is_none() => values,
            _ => {
                // INSERT ... SELECT: one row of expressions over each row of the query.
                // An unknown literal in the SELECT list takes the target column's type.
                self.keep_unknown =
                    source.with.is_none() && matches!(source.body.as_ref(), SetExpr::Select(_));
                let bound = self.bind_query_rel(source, None);
                self.keep_unknown = false;
                let (rel, columns) = bound?;
                // Where each output is written (for error positions), when the query is a SELECT.
                let item_span = |i: usize| match source.body.as_ref() {
                    SetExpr::Select(select) => match select.projection.get(i) {
                        Some(
                            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. },
                        ) => e.span(),
                        _ => source.span(),
                    },
                    _ => source.span(),
                };
                if columns.len() > targets.len() {
                    return Err(SqlError::syntax(
                        "INSERT has more expressions than target columns",
                    )
                    .at(self.pos(item_span(targets.len()))));
                }
                if columns.len() < targets.len() && !insert.columns.is_empty() {
                    return Err(SqlError::syntax(
                        "INSERT has more target columns than expressions",
                    )
                    .at(self.pos(insert.columns[columns.len()].span)));
                }
                let written: Vec<usize> = targets.iter().map(|t| t.0).collect();
                self.require_columns(&table, PRIV_INSERT, &written[..columns.len()])?;
                let mut row = self.defaults(&table)?;
                for (i, column) in columns.iter().enumerate() {
                    let def = &table.columns[targets[i].0];
                    check_generated_insert(def)?;
                    if overriding == Some(false) && def.identity.is_some() {
                        continue;
                    }
                    if overriding.is_none() {
                        check_identity_insert(def)?;
                    }
                    let value = (Expr::Column(i), column.ty);
                    self.insert_value(&table, &mut row, &targets, i, value, item_span(i))?;
                }
                return Ok(Plan::Insert(Arc::new(InsertPlan {
                    table,
                    rows: vec![row],
                    source: Some(rel),
                    returning,
                    on_conflict,
                })));
            }
        };
        let scope = Scope::empty();
        let defaults = self.defaults(&table)?;
        let mut rows = Vec::with_capacity(values.rows.len());
        for row in &values.rows {
            let listed = !insert.columns.is_empty();
            rows.push(
                self.values_row(&table, &targets, listed, row, &scope, &defaults, overriding)?,
            );
        }
        Ok(values_insert(table, rows, returning, on_conflict))
    }

    /// The columns an INSERT's column list names, in its order (none listed: all of them), each
    /// with the subscripts written after it (`v[1]`: an element or slice of it; see
    /// [`Binder::target_subscripts`]). A column may be named more than once only so.
    fn insert_targets(
        &self,
        table: &TableDef,
        columns: &[ast::Ident],
    ) -> SqlResult<Vec<InsertTarget>> {
        if columns.is_empty() {
            return Ok((0..table.columns.len()).map(|c| (c, None)).collect());
        }
        let mut targets: Vec<InsertTarget> = Vec::new();
        for ident in columns {
            let name = ident_name(ident);
            let index = table
                .column_position(&name)
                .map_err(|error| error.at(self.pos(ident.span)))?;
            let subscripts = self.target_subscripts(ident.span)?;
            let repeated =
                (targets.iter()).any(|(c, s)| *c == index && (s.is_none() || subscripts.is_none()));
            if repeated {
                return Err(SqlError::new(
                    code::DUPLICATE_COLUMN,
                    format!("column \"{name}\" specified more than once"),
                )
                .at(self.pos(ident.span)));
            }
            targets.push((index, subscripts));
        }
        Ok(targets)
    }

    /// The INCLUDE columns written after the key list `key` of a UNIQUE or PRIMARY KEY
    /// constraint (blanked for sqlparser: see `parse::constraint_includes`), by name.
    fn constraint_include(&self, key: &[ast::IndexColumn]) -> Vec<String> {
        let text = self.spans_text();
        let Some(last) = key.last() else {
            return Vec::new();
        };
        let end = last.column.expr.span().end;
        let Some(end) = offset_of(text, end.line, end.column) else {
            return Vec::new();
        };
        // The `)` that closes the list: the first after its last column.
        let close = text
            .chars()
            .skip(end)
            .position(|c| c == ')')
            .map(|at| end + at);
        (crate::parse::constraint_includes(text).into_iter())
            .find(|include| Some(include.close) == close)
            .map_or_else(Vec::new, |include| include.names)
    }

    /// The subscripts written after the assignment target whose name spans `span` (`SET v[2]
    /// = x`, `INSERT INTO t (v[1:2])`), read back from the statement's text (sqlparser read it
    /// with them blanked: see `parse::assignment_subscripts`): the target as the expression
    /// `v[...]`, with the statement's positions. None when it has none.
    fn target_subscripts(&self, span: Span) -> SqlResult<Option<ast::Expr>> {
        let text = self.spans_text();
        if !text.contains('[') {
            return Ok(None);
        }
        let (Some(start), Some(end)) = (
            offset_of(text, span.start.line, span.start.column),
            offset_of(text, span.end.line, span.end.column),
        ) else {
            return Ok(None);
        };
        let gap = text
            .chars()
            .skip(end)
            .take_while(|c| c.is_whitespace())
            .count();
        let ranges = crate::parse::assignment_subscripts(text);
        match ranges.iter().find(|(from, _)| *from == end + gap) {
            Some(&(_, to)) => crate::parse::subscripted_target(text, start, to).map(Some),
            None => Ok(None),
        }
    }

    /// Writes the INSERT value `value` (bound, of its type; written at `span`) for target
    /// `targets[i]` into `row`: cast to its column, or, for a subscripted target, assigned into
    /// that element or slice of the column's value so far (NULL before its first).
    fn insert_value(
        &mut self,
        table: &TableDef,
        row: &mut [Expr],
        targets: &[InsertTarget],
        i: usize,
        value: (Expr, DataType),
        span: Span,
    ) -> SqlResult<()> {
        let (column, subscripts) = &targets[i];
        let def = &table.columns[*column];
        row[*column] = match subscripts {
            None => self.assign_cast(value, def.ty, &def.name, span)?,
            Some(target) => {
                let base = if targets[..i].iter().any(|t| t.0 == *column) {
                    std::mem::replace(&mut row[*column], Expr::Const(Value::Null))
                } else {
                    Expr::Const(Value::Null)
                };
                self.subscripted_assignment(base, def, target, value, span, &Scope::empty())?
            }
        };
        Ok(())
    }

    /// One VALUES row of an INSERT (or of MERGE's): an expression per column of `table`, the
    /// `targets`' values bound over `scope` and cast to their columns, `defaults` for the rest
    /// and for DEFAULT. `listed`: the statement lists its columns. `overriding` (OVERRIDING
    /// SYSTEM VALUE: Some(true), USER VALUE: Some(false)) lets a GENERATED ALWAYS identity
    /// column take the value given, or makes every identity column take its default.
    #[allow(clippy::too_many_arguments)]
    fn values_row(
        &mut self,
        table: &TableDef,
        targets: &[InsertTarget],
        listed: bool,
        row: &[ast::Expr],
        scope: &Scope<'_>,
        defaults: &[Expr],
        overriding: Option<bool>,
    ) -> SqlResult<Vec<Expr>> {
        if row.len() > targets.len() {
            return Err(
                SqlError::syntax("INSERT has more expressions than target columns")
                    .at(self.pos(row[targets.len()].span())),
            );
        }
        if row.len() < targets.len() && listed {
            return Err(SqlError::syntax(
                "INSERT has more target columns than expressions",
            ));
        }
        let written: Vec<usize> = targets.iter().map(|t| t.0).collect();
        self.require_columns(table, PRIV_INSERT, &written[..row.len()])?;
        let mut full = defaults.to_vec();
        for (i, (expr, (column, subscripts))) in row.iter().zip(targets).enumerate() {
            let def = &table.columns[*column];
            if let (Some(target), true) = (subscripts, is_default_keyword(expr)) {
                return Err(element_default(self, target));
            }
            if is_default_keyword(expr) || (overriding == Some(false) && def.identity.is_some()) {
                continue;
            }
            check_generated_insert(def)?;
            if overriding.is_none() {
                check_identity_insert(def)?;
            }
            let bound = self.bind_expr(
                expr,
                scope,
                &mut AggCollector {
                    context: "VALUES",
                    ..Default::default()
                },
            )?;
            self.insert_value(table, &mut full, targets, i, bound, expr.span())?;
        }
        Ok(full)
    }

    /// `SET column = value, ...` of UPDATE and ON CONFLICT DO UPDATE: each value bound over
    /// `scope` (DEFAULT: the column's default) and cast to its column. `(a, b) = (x, y)` (or
    /// `ROW(x, y)`, or a sub-SELECT of as many columns) assigns each column its own value.
    fn bind_assignments(
        &mut self,
        table: &TableDef,
        assignments: &[ast::Assignment],
        scope: &Scope<'_>,
    ) -> SqlResult<Vec<(usize, Expr)>> {
        type Target<'n> = (&'n ast::Ident, Option<(usize, DataType)>);
        let mut items: Vec<(Target<'_>, Cow<'_, ast::Expr>)> = Vec::new();
        // `a.b` assigns to field b of a composite column a: the column, and the field's
        // position and type.
        fn column<'n>(
            this: &Binder<'_>,
            table: &TableDef,
            name: &'n ObjectName,
        ) -> SqlResult<Target<'n>> {
            match name.0.as_slice() {
                [ObjectNamePart::Identifier(ident)] => Ok((ident, None)),
                [ObjectNamePart::Identifier(first), ObjectNamePart::Identifier(field)]
                    if table.column_index(&ident_name(first)).is_some_and(|c| {
                        crate::composites::type_id(table.columns[c].ty).is_some()
                    }) =>
                {
                    let column =
                        &table.columns[table.column_index(&ident_name(first)).expect("checked")];
                    let name = ident_name(field);
                    let fields = column.ty.record_fields();
                    match fields.iter().position(|(f, _)| *f == name) {
                        Some(at) => Ok((first, Some((at, fields[at].1)))),
                        None => Err(SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!(
                                "cannot assign to field \"{name}\" of column \"{}\" because there is no such column in data type {}",
                                column.name,
                                column.ty.name()
                            ),
                        )
                        .at(this.pos(first.span))),
                    }
                }
                [ObjectNamePart::Identifier(first), ObjectNamePart::Identifier(field), ..] => {
                    let first_name = ident_name(first);
                    let error = match table.column_index(&first_name) {
                        Some(c) => SqlError::new(
                            code::DATATYPE_MISMATCH,
                            format!(
                                "cannot assign to field \"{}\" of column \"{first_name}\" because its type {} is not a composite type",
                                ident_name(field),
                                table.columns[c].ty.name()
                            ),
                        ),
                        None => SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!(
                                "column \"{first_name}\" of relation \"{}\" does not exist",
                                crate::catalog::relname(&table.name)
                            ),
                        ),
                    };
                    Err(error.at(this.pos(first.span)))
                }
                _ => Err(unsupported("this UPDATE target")),
            }
        }
        for assignment in assignments {
            match &assignment.target {
                AssignmentTarget::ColumnName(name) => {
                    items.push((column(self, table, name)?, Cow::Borrowed(&assignment.value)));
                }
                AssignmentTarget::Tuple(names) => {
                    let columns = (names.iter())
                        .map(|name| column(self, table, name))
                        .collect::<SqlResult<Vec<_>>>()?;
                    let values = self.multiple_assignment(&assignment.value, columns.len())?;
                    items.extend(columns.into_iter().zip(values.into_iter().map(Cow::Owned)));
                }
            }
        }
        let mut bound_assignments: Vec<(usize, Expr)> = Vec::new();
        // Columns assigned through subscripts (`v[1] = x`), which may be assigned so again.
        let mut subscripted = Vec::new();
        for ((ident, field), value) in items {
            let column_name = ident_name(ident);
            let index = table
                .column_position(&column_name)
                .map_err(|error| error.at(self.pos(ident.span)))?;
            let subscripts = self.target_subscripts(ident.span)?;
            let earlier = bound_assignments.iter().position(|(c, _)| *c == index);
            let piecewise = subscripts.is_some() || field.is_some();
            if earlier.is_some() && (!piecewise || !subscripted.contains(&index)) {
                return Err(SqlError::syntax(format!(
                    "multiple assignments to same column \"{column_name}\""
                )));
            }
            if let Some((at, field_type)) = field {
                // The record again with one field replaced (the others NULL when the column
                // is): PostgreSQL's FieldStore.
                if is_default_keyword(&value) {
                    return Err(unsupported("DEFAULT for a field of a composite column"));
                }
                let bound = self.bind_assigned(&table.columns[index], &value, scope)?;
                let def = &table.columns[index];
                let assigned = self.assign_cast(bound, field_type, &def.name, value.span())?;
                let base = match earlier {
                    Some(at) => bound_assignments.remove(at).1,
                    None => Expr::Column(index),
                };
                let names = def.ty.record_fields();
                let mut assigned = Some(assigned);
                let fields = (names.iter().enumerate())
                    .map(|(i, (name, _))| match i == at {
                        true => assigned.take().expect("one field"),
                        false => Expr::Func(Func::Field(i, name), vec![base.clone()]),
                    })
                    .collect();
                bound_assignments.push((index, Expr::Func(Func::Row, fields)));
                subscripted.push(index);
                continue;
            }
            if let Some(target) = subscripts {
                if is_default_keyword(&value) {
                    return Err(element_default(self, &target));
                }
                let bound = self.bind_assigned(&table.columns[index], &value, scope)?;
                let base = match earlier {
                    Some(at) => bound_assignments.remove(at).1,
                    None => Expr::Column(index),
                };
                let def = &table.columns[index];
                let assigned =
                    self.subscripted_assignment(base, def, &target, bound, value.span(), scope)?;
                bound_assignments.push((index, assigned));
                subscripted.push(index);
                continue;
            }
            let value = if is_default_keyword(&value) {
                self.defaults(table)?.swap_remove(index)
            } else {
                let def = &table.columns[index];
                let bound = self.bind_assigned(def, &value, scope)?;
                self.assign_cast(bound, def.ty, &def.name, value.span())?
            };
            bound_assignments.push((index, value));
        }
        Ok(bound_assignments)
    }

    /// A value assigned to column `def` by UPDATE (whole, an element or a field), bound over
    /// `scope` (no aggregates), once the column may be assigned at all.
    fn bind_assigned(
        &mut self,
        def: &crate::catalog::ColumnDef,
        value: &ast::Expr,
        scope: &Scope<'_>,
    ) -> SqlResult<(Expr, DataType)> {
        check_update(def)?;
        let mut none = AggCollector {
            context: "UPDATE",
            ..Default::default()
        };
        self.bind_expr(value, scope, &mut none)
    }

    /// The values of `(a, b, ...) = source`: a parenthesized list or `ROW(...)` of `columns`
    /// values, or a sub-SELECT of `columns` output columns (one scalar subquery per column,
    /// each its own output column).
    fn multiple_assignment(&self, source: &ast::Expr, columns: usize) -> SqlResult<Vec<ast::Expr>> {
        let mismatch = || {
            let at = match source {
                ast::Expr::Subquery(_) => self.subquery_pos(source.span()),
                _ => self.paren_pos(source.span()),
            };
            SqlError::syntax("number of columns does not match number of values").at(at)
        };
        let values: Vec<ast::Expr> = match source {
            ast::Expr::Tuple(values) => values.clone(),
            ast::Expr::Function(function)
                if function.name.to_string().eq_ignore_ascii_case("row") =>
            {
                let ast::FunctionArguments::List(list) = &function.args else {
                    return Err(mismatch());
                };
                list.args
                    .iter()
                    .map(|arg| match arg {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(expr)) => {
                            Ok(expr.clone())
                        }
                        _ => Err(unsupported("this ROW() item")),
                    })
                    .collect::<SqlResult<_>>()?
            }
            ast::Expr::Subquery(query) => {
                let ast::SetExpr::Select(select) = query.body.as_ref() else {
                    return Err(unsupported("a multiple-column UPDATE from a set operation"));
                };
                let plain = select.projection.iter().all(|item| {
                    matches!(
                        item,
                        SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }
                    )
                });
                if !plain {
                    return Err(unsupported("* in a multiple-column UPDATE's sub-SELECT"));
                }
                if select.projection.len() != columns {
                    return Err(mismatch());
                }
                (0..columns)
                    .map(|i| {
                        let mut one = (**query).clone();
                        let mut select = select.clone();
                        select.projection = vec![select.projection[i].clone()];
                        one.body = Box::new(ast::SetExpr::Select(select));
                        ast::Expr::Subquery(Box::new(one))
                    })
                    .collect()
            }
            other => {
                return Err(SqlError::syntax(
                    "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression",
                )
                .at(match other {
                    // PostgreSQL points inside the parentheses.
                    ast::Expr::Nested(inner) => self.pos(inner.span()),
                    _ => self.pos(other.span()),
                }));
            }
        };
        if values.len() != columns {
            return Err(mismatch());
        }
        Ok(values)
    }

    /// The bound predicate of `ON CONFLICT (columns) WHERE predicate` whose column list starts
    /// at `first` (read from the statement's text: see `parse::conflict_wheres`); None without
    /// one.
    fn conflict_predicate(&mut self, table: &TableDef, first: Span) -> SqlResult<Option<Expr>> {
        let Some(at) = offset_of(self.text, first.start.line, first.start.column) else {
            return Ok(None);
        };
        let clause = crate::parse::conflict_wheres(self.text)
            .into_iter()
            .filter(|&(where_at, _, _)| where_at > at)
            .min();
        let Some((_, from, to)) = clause else {
            return Ok(None);
        };
        let text: String = self.text.chars().skip(from).take(to - from).collect();
        let ast = crate::parse::parse_expr(text.trim())?;
        // Positions in the predicate are counted in `SELECT predicate`: moved to where it
        // stands in the statement (dropped when it spans lines).
        let single_line = !text.trim().contains('\n');
        let bound = self
            .bind_index_parts(table, &[], Some(&ast))
            .map_err(|mut error| {
                error.position = error
                    .position
                    .filter(|_| single_line)
                    .and_then(|p| (p + from).checked_sub("SELECT ".len()));
                error
            })?;
        Ok(bound.predicate)
    }

    /// `ON CONFLICT`: the arbiters (the primary key, or the unique indexes the target names or
    /// its predicate infers; all unique indexes for DO NOTHING without a target); DO UPDATE
    /// binds over the existing row (by the table's name or alias) followed by the proposed one
    /// (`excluded`).
    fn bind_on_conflict(
        &mut self,
        table: &Arc<TableDef>,
        alias: String,
        on_conflict: &ast::OnConflict,
    ) -> SqlResult<crate::plan::OnConflict> {
        let no_match = || {
            SqlError::new(
                "42P10",
                "there is no unique or exclusion constraint matching the ON CONFLICT specification",
            )
        };
        let mut indexes = Vec::new();
        match &on_conflict.conflict_target {
            None => {
                if matches!(on_conflict.action, ast::OnConflictAction::DoUpdate(_)) {
                    return Err(SqlError::syntax(
                        "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                    )
                    .at(self.on_conflict_pos())
                    .with_hint("For example, ON CONFLICT (column_name)."));
                }
                indexes = table
                    .indexes
                    .iter()
                    .filter(|index| index.unique)
                    .map(|index| index.id)
                    .collect();
            }
            Some(ast::ConflictTarget::Columns(columns)) => {
                let mut named = Vec::new();
                // PostgreSQL points at the list's parenthesis.
                let list_pos = columns
                    .first()
                    .and_then(|ident| self.pos_before(ident.span, '('));
                for ident in columns {
                    let name = ident_name(ident);
                    let index = table.column_index(&name).ok_or_else(|| {
                        SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{name}\" does not exist"),
                        )
                        .at(list_pos)
                    })?;
                    named.push(index);
                }
                named.sort_unstable();
                named.dedup();
                let predicate = match columns.first() {
                    Some(first) => self.conflict_predicate(table, first.span)?,
                    None => None,
                };
                let mut key = table.primary_key.clone();
                key.sort_unstable();
                if named != key || key.is_empty() {
                    // Every unique index on exactly these columns whose predicate (if it is
                    // partial) the clause's WHERE implies is an arbiter, as in PostgreSQL.
                    let mut given = Vec::new();
                    if let Some(predicate) = &predicate {
                        crate::stats::and_parts(predicate, &mut given);
                    }
                    indexes = table
                        .indexes
                        .iter()
                        .filter(|index| {
                            let mut columns = index.columns.clone();
                            columns.sort_unstable();
                            let implied = match (&index.predicate, &index.bound) {
                                (None, _) => true,
                                (Some(_), Some(bound)) => {
                                    let mut needed = Vec::new();
                                    if let Some(p) = &bound.predicate {
                                        crate::stats::and_parts(p, &mut needed);
                                    }
                                    needed.iter().all(|part| given.contains(part))
                                }
                                (Some(_), None) => false,
                            };
                            index.unique
                                && index.expressions.is_empty()
                                && columns == named
                                && implied
                        })
                        .map(|index| index.id)
                        .collect();
                    if indexes.is_empty() {
                        return Err(no_match());
                    }
                }
            }
            Some(ast::ConflictTarget::OnConstraint(name)) => {
                let name = name.to_string().to_lowercase();
                if let Some(index) = table.index(&name).filter(|index| index.unique) {
                    indexes = vec![index.id];
                } else if table.primary_key.is_empty() || name != table.pkey_name() {
                    return Err({
                        SqlError::new(
                            code::UNDEFINED_OBJECT,
                            format!(
                                "constraint \"{name}\" for table \"{}\" does not exist",
                                crate::catalog::relname(&table.name)
                            ),
                        )
                    });
                }
            }
        }
        let ast::OnConflictAction::DoUpdate(update) = &on_conflict.action else {
            return Ok(crate::plan::OnConflict {
                update: None,
                indexes,
                update_only: false,
            });
        };
        let width = table.columns.len();
        let scope = Scope {
            rels: vec![
                ScopeRel::table(table, alias, 0),
                ScopeRel::table(table, "excluded".into(), width),
            ],
            outer: None,
        };
        let assignments = self.bind_assignments(table, &update.assignments, &scope)?;
        let assigned: Vec<usize> = assignments.iter().map(|(c, _)| *c).collect();
        // (Also a generated key column that reads an assigned one.)
        if table.changes_key(&assigned) {
            return Err(unsupported("ON CONFLICT DO UPDATE of primary key columns"));
        }
        let filter = update
            .selection
            .as_ref()
            .map(|selection| self.bind_predicate(selection, &scope, "WHERE"))
            .transpose()?;
        if !assignments.iter().all(|(_, e)| e.is_local()) || !filter.iter().all(Expr::is_local) {
            return Err(unsupported("subqueries in ON CONFLICT DO UPDATE"));
        }
        Ok(crate::plan::OnConflict {
            update: Some(crate::plan::ConflictUpdate {
                assignments,
                filter,
            }),
            indexes,
            update_only: false,
        })
    }

    /// A value computed before the statement runs (EXECUTE's arguments): bound with no columns
    /// in scope and, when `to` is known, cast to it as an assignment would.
    pub fn bind_argument(&mut self, text: &str, to: Option<DataType>) -> SqlResult<Expr> {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let expr = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(text)
            .and_then(|mut parser| parser.parse_expr())
            .map_err(|error| SqlError::syntax(error.to_string()))?;
        let bound = self.bind_expr(&expr, &Scope::empty(), &mut AggCollector::default())?;
        match to {
            Some(to) => self.assign_cast(bound, to, "parameter", expr.span()),
            None => Ok(bound.0),
        }
    }

    /// A type named in SQL text (PREPARE's parameter types).
    pub fn type_named(&self, text: &str) -> SqlResult<DataType> {
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        let ty = sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(text)
            .and_then(|mut parser| parser.parse_data_type())
            .map_err(|error| SqlError::syntax(error.to_string()))?;
        self.data_type(&ty)
    }

    /// Each column's DEFAULT (or NULL), bound and cast.
    pub fn defaults(&mut self, table: &TableDef) -> SqlResult<Vec<Expr>> {
        table
            .columns
            .iter()
            .map(|column| match self.stored_default_expr(column)? {
                None => Ok(Expr::Const(Value::Null)),
                Some(expr) => {
                    let bound =
                        self.bind_expr(&expr, &Scope::empty(), &mut AggCollector::default())?;
                    self.assign_cast(bound, column.ty, &column.name, expr.span())
                }
            })
            .collect()
    }

    /// A column's stored DEFAULT text, parsed.
    fn stored_default_expr(&self, column: &ColumnDef) -> SqlResult<Option<ast::Expr>> {
        // A column of a domain without a default of its own takes the domain's.
        let of_domain = column.domain.as_ref().and_then(|domain| {
            let def = self.catalog.domain_by_id(domain.id)?;
            def.default.as_ref()
        });
        let Some(text) = column.default.as_ref().or(of_domain) else {
            return Ok(None);
        };
        let dialect = sqlparser::dialect::PostgreSqlDialect {};
        sqlparser::parser::Parser::new(&dialect)
            .try_with_sql(text)
            .and_then(|mut parser| parser.parse_expr())
            .map(Some)
            .map_err(|error| {
                SqlError::new(
                    code::INTERNAL_ERROR,
                    format!(
                        "stored default of column \"{}\" does not parse: {error}",
                        column.name
                    ),
                )
            })
    }

    /// A column's DEFAULT bound as written (before the cast into the column).
    fn stored_default(&mut self, column: &ColumnDef) -> SqlResult<Option<(Expr, DataType)>> {
        match self.stored_default_expr(column)? {
            None => Ok(None),
            Some(expr) => self
                .bind_expr(&expr, &Scope::empty(), &mut AggCollector::default())
                .map(Some),
        }
    }

    /// PostgreSQL's assignment cast into a column.
    fn assign_cast(
        &mut self,
        (expr, ty): (Expr, DataType),
        to: DataType,
        column: &str,
        span: Span,
    ) -> SqlResult<Expr> {
        if !assignment_castable(ty, to) {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!(
                    "column \"{column}\" is of type {} but expression is of type {}",
                    to.name(),
                    ty.name()
                ),
            )
            .with_hint("You will need to rewrite or cast the expression.")
            .at(self.pos(span)));
        }
        self.coerce_to(expr, ty, to, span)
    }

    /// Whether `expr`, of type `from`, may become a value of `to` as far as record shapes go:
    /// only a row constructor becomes a composite type's value (field by field, as PostgreSQL
    /// coerces a `ROW(...)` expression; a record from elsewhere, a subquery's column, does not),
    /// and it must have the type's number of fields (42846 either way).
    fn record_fits(
        &self,
        expr: &Expr,
        from: DataType,
        to: DataType,
        position: Option<usize>,
    ) -> SqlResult<()> {
        if let (
            DataType::Record(from @ crate::types::RecordShape::Anonymous(_)),
            DataType::Record(crate::types::RecordShape::Composite(_)),
        ) = (from, to)
        {
            let constructed = matches!(
                expr,
                Expr::Func(Func::Row, _) | Expr::Const(Value::Record(_) | Value::Null)
            );
            if !constructed {
                return Err(SqlError::new(
                    code::CANNOT_COERCE,
                    format!("cannot cast type record to {}", to.name()),
                )
                .at(position));
            }
            if let Some(error) = crate::types::record_count_error(from.fields().len(), to) {
                return Err(error.at(position));
            }
        }
        Ok(())
    }

    /// Converts `expr` of type `ty` to `to`: folds constants (so bad literals fail at bind time with
    /// their position), types parameters, inserts a cast node otherwise.
    pub(super) fn coerce_to(
        &mut self,
        expr: Expr,
        ty: DataType,
        to: DataType,
        span: Span,
    ) -> SqlResult<Expr> {
        if ty == to {
            return Ok(expr);
        }
        self.record_fits(&expr, ty, to, self.pos(span))?;
        if let (
            DataType::Decimal(..)
            | DataType::TimestampP(_)
            | DataType::TimestampTzP(_)
            | DataType::TimeP(_)
            | DataType::IntervalP(_),
            false,
        ) = (to, ty == DataType::Unknown)
        {
            // A numeric(p,s) column's rounding and overflow check run with the statement, as
            // PostgreSQL's do (their errors have no position).
            return Ok(Expr::Cast(Box::new(expr), ty, to, false));
        }
        if let (DataType::Decimal(..), Expr::Const(value)) = (to, &expr) {
            // A literal's syntax errors point at it; the typmod's overflow has no position.
            let numeric = cast(value.clone(), ty, DataType::Numeric, false)
                .map_err(|error| error.at(self.pos(span)))?;
            return Ok(Expr::Const(cast(numeric, DataType::Numeric, to, false)?));
        }
        match expr {
            // A literal's syntax errors point at it; a varchar(n) or char(n) length's check,
            // PostgreSQL's length coercion, has no position.
            Expr::Const(value) => Ok(Expr::Const(self.cast_const(value, ty, to, false).map_err(
                |error| match error.code {
                    code::STRING_DATA_RIGHT_TRUNCATION => error,
                    _ => error.at(self.pos(span)),
                },
            )?)),
            Expr::Param(index) if ty == DataType::Unknown => {
                self.params[index] = Some(to);
                Ok(Expr::Param(index))
            }
            Expr::Param(index) if self.params[index] == Some(to) => Ok(Expr::Param(index)),
            other => Ok(self.cast_node(other, ty, to, false)),
        }
    }

    fn coerce(
        &mut self,
        expr: Expr,
        ty: DataType,
        to: DataType,
        span: Span,
        context: &str,
    ) -> SqlResult<Expr> {
        if !(assignable(ty, to) || (ty.is_integer() && to.is_integer())) {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!(
                    "argument of {context} must be type {}, not type {}",
                    to.name(),
                    ty.name()
                ),
            )
            .at(self.pos(span)));
        }
        self.coerce_to(expr, ty, to, span)
    }

    /// A write statement's RETURNING list over the row of `table`, named `alias` there.
    fn returning(
        &mut self,
        table: &Arc<TableDef>,
        alias: String,
        items: Option<&Vec<SelectItem>>,
    ) -> SqlResult<Option<Returning>> {
        let Some(items) = items else { return Ok(None) };
        let rel = self.readable_scope(table, alias, 0, false)?;
        let scope = Scope {
            rels: vec![rel],
            outer: None,
        };
        self.returning_in(table, &scope, items).map(Some)
    }

    /// RETURNING over `scope`: the target table's row, then (UPDATE ... FROM, DELETE ...
    /// USING) the other FROM items' columns, which `*` takes too, as PostgreSQL's.
    fn returning_in(
        &mut self,
        table: &Arc<TableDef>,
        scope: &Scope<'_>,
        items: &[SelectItem],
    ) -> SqlResult<Returning> {
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for item in items {
            match item {
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    let qualifier = wildcard_qualifier(item)?;
                    let mut found = false;
                    for (r, rel) in scope.rels.iter().enumerate() {
                        if qualifier.as_ref().is_some_and(|q| *q != rel.alias) {
                            continue;
                        }
                        found = true;
                        if rel.columns.iter().any(|c| c.denied) {
                            return Err(match r {
                                0 => crate::catalog::permission_denied(table),
                                _ => rel.permission_denied(),
                            });
                        }
                        for (i, column) in rel.columns.iter().enumerate() {
                            if column.merged || column.system {
                                continue;
                            }
                            exprs.push(Expr::Column(rel.offset + i));
                            columns.push(OutputColumn {
                                name: column.name.clone(),
                                ty: column.ty,
                                source: match r {
                                    0 => Some((table.id, i as i16 + 1)),
                                    _ => column.source,
                                },
                            });
                        }
                    }
                    if let (false, Some(qualifier)) = (found, &qualifier) {
                        return Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{qualifier}\""),
                        )
                        .at(self.pos(item.span())));
                    }
                }
                SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                    let mut none = AggCollector {
                        context: "RETURNING",
                        ..Default::default()
                    };
                    let (bound, ty) = self.bind_expr(expr, scope, &mut none)?;
                    let name = match item {
                        SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
                        _ => output_name(expr),
                    };
                    exprs.push(bound);
                    columns.push(OutputColumn {
                        name,
                        ty: if ty == DataType::Unknown {
                            DataType::Text
                        } else {
                            ty
                        },
                        source: None,
                    });
                }
            }
        }
        Ok(Returning { exprs, columns })
    }

    /// The scope of an UPDATE or DELETE: the target table, then the FROM / USING items (whose
    /// tree comes back too).
    fn write_scope(
        &mut self,
        table: &TableDef,
        alias: String,
        from: &[ast::TableWithJoins],
    ) -> SqlResult<(Scope<'static>, Option<Rel>)> {
        let mut scope = Scope {
            rels: vec![self.readable_scope(table, alias, 0, false)?],
            outer: None,
        };
        if from.is_empty() {
            return Ok((scope, None));
        }
        let (rel, rels, _) = self.bind_from(from, None)?;
        let width = table.columns.len();
        scope.rels.extend(rels.into_iter().map(|mut r| {
            r.offset += width;
            r
        }));
        Ok((scope, Some(rel)))
    }

    fn bind_update(
        &mut self,
        relation: &TableFactor,
        assignments: &[ast::Assignment],
        from: &[ast::TableWithJoins],
        selection: Option<&ast::Expr>,
        returning: Option<&Vec<SelectItem>>,
    ) -> SqlResult<Plan> {
        if let Some((view, alias)) = self.view_factor(relation)? {
            return self.update_view(&view, &alias, assignments, from, selection, returning);
        }
        let (table, alias) = self.table_factor(relation)?;
        self.refuse_matview_change(&table)?;
        let table = self.write_target(table)?;
        // Columns read (WHERE, SET values, RETURNING) need SELECT: the scope checks them.
        let (scope, from_rel) = self.write_scope(&table, alias.clone(), from)?;
        let bound_assignments = self.bind_assignments(&table, assignments, &scope)?;
        let assigned: Vec<usize> = bound_assignments.iter().map(|(c, _)| *c).collect();
        self.require_columns(&table, PRIV_UPDATE, &assigned)?;
        let (access, filter, returning) =
            self.write_clauses(&table, &scope, selection, returning)?;
        let local = filter.as_deref().is_none_or(Expr::is_local)
            && bound_assignments.iter().all(|(_, e)| e.is_local());
        // A new primary key moves the row: the query finds the rows, the session moves them
        // (also a generated key column that reads an assigned one).
        let moves = table.changes_key(&assigned);
        // Uncorrelated subqueries run first, their values then written into what the workers
        // run (`Session::initplans`, which also finds the keys they name): no query names the
        // rows.
        let initplans = filter.as_deref().is_none_or(Expr::is_local_but_initplans)
            && bound_assignments
                .iter()
                .all(|(_, e)| e.is_local_but_initplans());
        // (An index's bounds could hold such a subquery: the session finds the access path once
        // the subqueries have run, `access_after_initplans`.)
        let access = if local { access } else { Access::Scan };
        if from_rel.is_some() || !(local || initplans) || moves {
            let filter = filter.map(Arc::unwrap_or_clone);
            return self.write_from_query(
                table,
                alias,
                from_rel,
                filter,
                bound_assignments,
                returning,
            );
        }
        Ok(Plan::Update(Arc::new(UpdatePlan {
            table,
            access,
            filter,
            assignments: Arc::new(bound_assignments),
            returning,
        })))
    }

    fn bind_delete(
        &mut self,
        relation: &TableFactor,
        using: &[ast::TableWithJoins],
        selection: Option<&ast::Expr>,
        returning: Option<&Vec<SelectItem>>,
    ) -> SqlResult<Plan> {
        if let Some((view, alias)) = self.view_factor(relation)? {
            return self.delete_from_view(&view, &alias, using, selection, returning);
        }
        let (table, alias) = self.table_factor(relation)?;
        self.refuse_matview_change(&table)?;
        // Columns read (WHERE, RETURNING) need SELECT: the scope checks them.
        self.require(&table, PRIV_DELETE)?;
        let (scope, from_rel) = self.write_scope(&table, alias.clone(), using)?;
        let (access, filter, returning) =
            self.write_clauses(&table, &scope, selection, returning)?;
        let local = filter.as_deref().is_none_or(Expr::is_local);
        let initplans = filter.as_deref().is_none_or(Expr::is_local_but_initplans);
        let access = if local { access } else { Access::Scan };
        if from_rel.is_some() || !(local || initplans) {
            let filter = filter.map(Arc::unwrap_or_clone);
            return self.write_from_query(table, alias, from_rel, filter, Vec::new(), returning);
        }
        Ok(Plan::Delete(Arc::new(DeletePlan {
            table,
            access,
            filter,
            returning,
        })))
    }

    /// An UPDATE or DELETE whose rows a query finds (FROM / USING, or subqueries): the query
    /// yields each target row's primary key (once, the first match winning, as in PostgreSQL)
    /// and the new values; each row is then written by key. A table without a primary key
    /// names its rows by their row keys, which its scan returns after the table's columns
    /// ([`TableDef::row_key_column`]); the FROM items' columns come one later then. Each row
    /// ends with the FROM items' columns that READ COMMITTED's check of a row changed meanwhile
    /// reads ([`crate::plan::FoundRecheck`]).
    fn write_from_query(
        &mut self,
        table: Arc<TableDef>,
        alias: String,
        from: Option<Rel>,
        mut filter: Option<Expr>,
        mut assignments: Vec<(usize, Expr)>,
        mut returning: Option<Returning>,
    ) -> SqlResult<Plan> {
        let width = table.columns.len();
        let keyless = table.primary_key.is_empty();
        let project = keyless.then(|| (0..=width).collect());
        if keyless && from.is_some() {
            let after_key = |c: usize| if c >= width { c + 1 } else { c };
            filter = filter.map(|f| f.remap_columns(&after_key));
            for (_, expr) in &mut assignments {
                *expr = std::mem::replace(expr, Expr::Const(Value::Null)).remap_columns(&after_key);
            }
            if let Some(returning) = &mut returning {
                returning.exprs = std::mem::take(&mut returning.exprs)
                    .into_iter()
                    .map(|e| e.remap_columns(&after_key))
                    .collect();
            }
        }
        // Where the FROM items' columns start in the joined row.
        let from_at = if keyless { width + 1 } else { width };
        let scan = Rel::Scan {
            table: table.clone(),
            alias,
            access: Access::Scan,
            filter: None,
            project,
        };
        // Only a join with FROM items can find a row more than once.
        let joined = from.is_some();
        let rel = match from {
            Some(from) => Rel::Join {
                kind: JoinKind::Inner,
                left: Box::new(scan),
                right: Box::new(from),
                keys: Vec::new(),
                on: Vec::new(),
            },
            None => scan,
        };
        let joined_width = rel.width();
        let mut conjuncts = Vec::new();
        if let Some(filter) = filter {
            crate::planner::conjuncts(filter, &mut conjuncts);
        }
        let condition = (conjuncts.iter().cloned())
            .reduce(|a, b| Expr::Binary(BinOp::And, Box::new(a), Box::new(b)))
            .unwrap_or(Expr::Const(Value::Bool(true)));
        let exprs: Vec<Expr> = std::iter::once(condition)
            .chain(assignments.iter().map(|(_, e)| e.clone()))
            .collect();
        let mut read = Vec::new();
        exprs.iter().for_each(|e| e.columns(&mut read));
        read.sort_unstable();
        read.dedup();
        let recheck = crate::plan::FoundRecheck {
            width: joined_width,
            columns: read.into_iter().filter(|&c| c >= from_at).collect(),
            exprs,
        };
        let rel = crate::planner::place(rel, conjuncts);
        let mut exprs: Vec<Expr> = match keyless {
            true => vec![Expr::Column(table.row_key_column())],
            false => table.primary_key.iter().map(|&c| Expr::Column(c)).collect(),
        };
        let key_width = exprs.len();
        let columns: Vec<usize> = assignments.iter().map(|(c, _)| *c).collect();
        exprs.extend(assignments.into_iter().map(|(_, e)| e));
        // The FROM items' columns RETURNING reads come after the new values, and RETURNING
        // reads them there: after the written row's columns, in that order.
        let mut carried: Vec<usize> = Vec::new();
        for expr in returning.iter().flat_map(|r| &r.exprs) {
            let mut read = Vec::new();
            expr.columns(&mut read);
            for c in read {
                if c >= from_at && !carried.contains(&c) {
                    carried.push(c);
                }
            }
        }
        let returning = returning.map(|mut returning| {
            let at = |c: usize| match carried.iter().position(|&k| k == c) {
                Some(k) => width + k,
                None => c,
            };
            returning.exprs = (returning.exprs.into_iter())
                .map(|e| e.remap_columns(&at))
                .collect();
            returning
        });
        if !carried.is_empty() && table.changes_key(&columns) {
            return Err(unsupported(
                "RETURNING columns of FROM items in an UPDATE that changes the primary key",
            ));
        }
        exprs.extend(carried.iter().map(|&c| Expr::Column(c)));
        exprs.extend(recheck.columns.iter().map(|&c| Expr::Column(c)));
        let rel = Rel::Project {
            input: Box::new(rel),
            exprs,
        };
        let rel = match joined {
            true => Rel::Distinct {
                input: Box::new(rel),
                on: Some((0..key_width).collect()),
            },
            false => rel,
        };
        Ok(Plan::WriteFromQuery(Arc::new(WriteFromQuery {
            table,
            rel,
            columns,
            returning,
            recheck: Some(recheck),
        })))
    }

    /// The WHERE clause of an UPDATE or DELETE, the access path it allows, and RETURNING.
    #[allow(clippy::type_complexity)]
    fn write_clauses(
        &mut self,
        table: &Arc<TableDef>,
        scope: &Scope<'_>,
        selection: Option<&ast::Expr>,
        returning: Option<&Vec<SelectItem>>,
    ) -> SqlResult<(Access, Option<Arc<Expr>>, Option<Returning>)> {
        let filter = selection
            .map(|expr| self.bind_predicate(expr, scope, "WHERE"))
            .transpose()?;
        let access = filter
            .as_ref()
            .map_or(Access::Scan, |f| key_access(table, f));
        let returning = returning
            .map(|items| self.returning_in(table, scope, items))
            .transpose()?;
        Ok((access, filter.map(Arc::new), returning))
    }

    fn column_ref(
        &mut self,
        idents: &[ast::Ident],
        scope: &Scope<'_>,
    ) -> SqlResult<(Expr, DataType)> {
        let last = idents.last().expect("identifier chain is not empty");
        let name = ident_name(last);
        let position = self.pos(idents[0].span);
        let qualifier = (idents.len() > 1).then(|| ident_name(&idents[idents.len() - 2]));
        let full_name = idents.iter().map(ident_name).collect::<Vec<_>>().join(".");
        let mut depth = 0;
        let mut current = Some(scope);
        let mut unresolved = None;
        while let Some(level) = current {
            match resolve(level, qualifier.as_deref(), &name, &full_name) {
                Ok((index, ty)) => {
                    if let Some((rel, column)) = level.column(index) {
                        if column.denied {
                            return Err(rel.permission_denied());
                        }
                        // A table's column (not a view's or a subquery's): its name, and the
                        // table's where it qualifies the column, are the table's.
                        if let (Some(_), Some((table, attnum)), false) =
                            (&rel.table, column.source, column.system)
                        {
                            self.note_name(last, table, attnum);
                            if let ([qualifier, _], false) = (idents, rel.aliased) {
                                self.note_name(qualifier, table, 0);
                            }
                        }
                        // A view's name qualifying one of its columns.
                        if let (Some(view), [qualifier, _], false) = (rel.view, idents, rel.aliased)
                        {
                            self.note_name(qualifier, view, 0);
                        }
                    }
                    if depth == 0 {
                        self.column_positions.push((index, position));
                        return Ok((Expr::Column(index), ty));
                    }
                    return Ok((Expr::Outer(depth, index), ty));
                }
                // (A qualified `tableoid` of a table is not among its columns.)
                Err(Unresolved::Error(mut error)) if name != "tableoid" => {
                    if error.code == code::UNDEFINED_COLUMN {
                        error.hint = missing_column_hint(
                            scope,
                            self.view_names.as_ref(),
                            qualifier.as_deref(),
                            &name,
                        )
                        .map(Into::into);
                    }
                    return Err(error.at(position));
                }
                Err(Unresolved::Error(error)) => unresolved = unresolved.or(Some(error)),
                Err(Unresolved::NotFound) => {}
            }
            // A table's system column `tableoid`: its OID, a constant (Keel has no counterpart
            // of PostgreSQL's other system columns), found at the nearest level as a column.
            if name == "tableoid" {
                let named = |rel: &&ScopeRel| qualifier.as_ref().is_none_or(|q| *q == rel.alias);
                let tables: Vec<&ScopeRel> = (level.rels.iter())
                    .filter(|rel| rel.table.is_some() && rel.view.is_none())
                    .filter(named)
                    .collect();
                match tables.as_slice() {
                    [rel] => {
                        let key = rel.table.as_deref().unwrap_or_default();
                        let oid = crate::system::relation_oid(self.catalog, key).unwrap_or(0);
                        return Ok((Expr::Const(Value::Int(oid)), DataType::Oid));
                    }
                    [] => {}
                    _ => {
                        return Err(SqlError::new(
                            code::AMBIGUOUS_COLUMN,
                            "column reference \"tableoid\" is ambiguous",
                        )
                        .at(position))
                    }
                }
            }
            depth += 1;
            current = level.outer;
        }
        if let Some(error) = unresolved {
            return Err(error.at(position));
        }
        if qualifier.is_none() {
            // A scalar function's name for its one column.
            let mut depth = 0;
            let mut current = Some(scope);
            while let Some(level) = current {
                if let Some(rel) = level.rels.iter().find(|r| r.scalar && r.alias == name) {
                    let (index, ty) = (rel.offset, rel.columns[0].ty);
                    return Ok(match depth {
                        0 => (Expr::Column(index), ty),
                        _ => (Expr::Outer(depth, index), ty),
                    });
                }
                depth += 1;
                current = level.outer;
            }
        }
        if let (true, None) = (self.whole_row_json, &qualifier) {
            if let Some(row) = whole_row(scope, &name, self.session.timezone.as_ref()) {
                return Ok(row);
            }
        }
        if qualifier.is_none() {
            if let Some(row) = self.whole_row_record(scope, &name) {
                return Ok(row);
            }
        }
        // A table named by its name although the query gave it an alias.
        let mut aliased = None;
        let mut current = Some(scope);
        while let (Some(level), None, Some(qualifier)) = (current, &aliased, &qualifier) {
            aliased = level
                .rels
                .iter()
                .find(|rel| rel.table.as_deref() == Some(qualifier.as_str()))
                .map(|rel| rel.alias.clone());
            current = level.outer;
        }
        Err(match qualifier {
            Some(qualifier) if aliased.is_some() => SqlError::new(
                code::UNDEFINED_TABLE,
                format!("invalid reference to FROM-clause entry for table \"{qualifier}\""),
            )
            .with_hint(format!(
                "Perhaps you meant to reference the table alias \"{}\".",
                aliased.unwrap_or_default()
            )),
            Some(qualifier) => SqlError::new(
                code::UNDEFINED_TABLE,
                format!("missing FROM-clause entry for table \"{qualifier}\""),
            ),
            None => {
                let mut error = SqlError::new(
                    code::UNDEFINED_COLUMN,
                    format!("column \"{name}\" does not exist"),
                );
                error.hint = missing_column_hint(scope, self.view_names.as_ref(), None, &name)
                    .map(Into::into);
                error
            }
        }
        .at(position))
    }

    /// Binds an expression; returns it with its type.
    fn bind_expr(
        &mut self,
        expr: &ast::Expr,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
    ) -> SqlResult<(Expr, DataType)> {
        use ast::Expr as E;
        let position = self.pos(expr.span());
        Ok(match expr {
            E::Identifier(ident) => {
                let name = ident_name(ident);
                if ident.quote_style.is_none() {
                    match name.as_str() {
                        "current_user" | "user" | "current_role" => {
                            return Ok((
                                Expr::Const(Value::Text(self.session.user.clone())),
                                DataType::Text,
                            ))
                        }
                        "session_user" => {
                            return Ok((
                                Expr::Const(Value::Text(self.session_user().to_string())),
                                DataType::Text,
                            ))
                        }
                        "current_catalog" => {
                            return Ok((
                                Expr::Const(Value::Text(self.session.database.clone())),
                                DataType::Text,
                            ))
                        }
                        "current_schema" => return Ok(self.current_schema()),
                        "current_timestamp" | "localtimestamp" => return Ok(self.now_expr(&name)),
                        "localtime" => return Ok(self.local_now(DataType::Time)),
                        "current_date" => return Ok(self.local_now(DataType::Date)),
                        _ => {}
                    }
                }
                self.column_ref(std::slice::from_ref(ident), scope)?
            }
            E::CompoundIdentifier(idents) => self.column_ref(idents, scope)?,
            E::Value(value) => self.literal(&value.value, position)?,
            E::TypedString(typed) => {
                let ty = self.data_type(&typed.data_type)?;
                let text = typed
                    .value
                    .clone()
                    .into_string()
                    .ok_or_else(|| unsupported("this typed literal"))?;
                let value = crate::types::parse_text_in(&text, ty, &self.zone()?);
                (Expr::Const(value.map_err(|e| e.at(position))?), ty)
            }
            E::Nested(inner) => self.bind_expr(inner, scope, aggs)?,
            E::Array(ast::Array { elem, .. }) => {
                self.bind_array_constructor(elem, scope, aggs, expr.span())?
            }
            E::CompoundFieldAccess { root, access_chain } => {
                self.bind_subscripts(root, access_chain, scope, aggs, position)?
            }
            E::IsNull(inner) | E::IsNotNull(inner) if row_items(inner).is_some() => {
                // A row IS NULL when every field is; IS NOT NULL when none is.
                let not_null = matches!(expr, E::IsNotNull(_));
                let mut combined: Option<Expr> = None;
                for item in row_items(inner).expect("checked by the guard") {
                    let (bound, _) = self.bind_expr(item, scope, aggs)?;
                    let test = Expr::IsNull(Box::new(bound), not_null);
                    combined = Some(match combined {
                        None => test,
                        Some(prev) => Expr::Binary(BinOp::And, Box::new(prev), Box::new(test)),
                    });
                }
                (
                    combined.unwrap_or(Expr::Const(Value::Bool(true))),
                    DataType::Bool,
                )
            }
            E::IsNull(inner) | E::IsNotNull(inner) => {
                let (bound, ty) = self.bind_expr(inner, scope, aggs)?;
                let not_null = matches!(expr, E::IsNotNull(_));
                let fields = ty.record_fields();
                if fields.is_empty() {
                    (Expr::IsNull(Box::new(bound), not_null), DataType::Bool)
                } else {
                    // A record IS NULL when every field is (a NULL record's are); IS NOT
                    // NULL when none is.
                    let tests = (fields.iter().enumerate()).map(|(at, (name, _))| {
                        let field = Expr::Func(Func::Field(at, name), vec![bound.clone()]);
                        Expr::IsNull(Box::new(field), not_null)
                    });
                    let all = tests
                        .reduce(|a, b| Expr::Binary(BinOp::And, Box::new(a), Box::new(b)))
                        .expect("a record has fields");
                    (all, DataType::Bool)
                }
            }
            E::IsTrue(inner) | E::IsFalse(inner) | E::IsNotTrue(inner) | E::IsNotFalse(inner) => {
                let (bound, ty) = self.bind_expr(inner, scope, aggs)?;
                let bound = self.coerce(bound, ty, DataType::Bool, inner.span(), "IS TRUE")?;
                // IS NOT TRUE is NOT (IS TRUE), IS NOT FALSE is NOT (IS FALSE).
                let target = matches!(expr, E::IsTrue(_) | E::IsNotTrue(_));
                let is_target = Expr::Binary(
                    BinOp::Eq,
                    Box::new(bound.clone()),
                    Box::new(Expr::Const(Value::Bool(target))),
                );
                // IS [NOT] TRUE/FALSE never returns NULL.
                let not_null = Expr::IsNull(Box::new(bound), true);
                let positive = Expr::Binary(BinOp::And, Box::new(not_null), Box::new(is_target));
                let result = if matches!(expr, E::IsTrue(_) | E::IsFalse(_)) {
                    positive
                } else {
                    Expr::Not(Box::new(Expr::Func(
                        Func::Coalesce,
                        vec![positive, Expr::Const(Value::Bool(false))],
                    )))
                };
                (result, DataType::Bool)
            }
            E::UnaryOp {
                op: op @ (UnaryOperator::Minus | UnaryOperator::Plus),
                expr: inner,
            } if leftmost_exp_operand(inner) => {
                // PostgreSQL's unary minus binds tighter than `^` (`-2 ^ 2` is 4); the parser
                // gives it the precedence of binary minus, so move it onto the leftmost operand.
                return self.bind_expr(&sign_leftmost(*op, inner), scope, aggs);
            }
            E::UnaryOp { op, expr: inner } => {
                let (bound, ty) = self.bind_expr(inner, scope, aggs)?;
                match op {
                    UnaryOperator::Not => {
                        let bound = self.coerce(bound, ty, DataType::Bool, inner.span(), "NOT")?;
                        (Expr::Not(Box::new(bound)), DataType::Bool)
                    }
                    UnaryOperator::PGBitwiseNot => {
                        let ty = if ty == DataType::Unknown {
                            DataType::Int4
                        } else {
                            ty
                        };
                        if !ty.is_integer() {
                            return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: ~ {}", ty.name()))
                                .with_hint("No operator matches the given name and argument type. You might need to add an explicit type cast.")
                                .at(self.pos_before(inner.span(), '~').or(position)));
                        }
                        // ~x is x # -1 (all bits flipped).
                        (
                            Expr::Binary(
                                BinOp::Bit(BitOp::Xor, ty),
                                Box::new(bound),
                                Box::new(Expr::Const(Value::Int(-1))),
                            ),
                            ty,
                        )
                    }
                    UnaryOperator::Minus | UnaryOperator::Plus => {
                        let ty = if ty == DataType::Unknown {
                            DataType::Numeric
                        } else {
                            ty
                        };
                        if !ty.is_numeric_family() && ty != DataType::Interval {
                            return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {op} {}", ty.name()))
                                .with_hint("No operator matches the given name and argument type. You might need to add an explicit type cast.")
                                .at(position));
                        }
                        if *op == UnaryOperator::Plus {
                            (bound, ty)
                        } else {
                            match bound {
                                Expr::Const(Value::Int(i)) if i != i64::MIN => {
                                    (Expr::Const(Value::Int(-i)), ty)
                                }
                                Expr::Const(Value::Numeric(d)) => {
                                    (Expr::Const(Value::Numeric(-d)), ty)
                                }
                                Expr::Const(Value::BigNumeric(n)) => {
                                    (Expr::Const(Value::numeric(-n)), ty)
                                }
                                Expr::Const(Value::Float(f)) => (Expr::Const(Value::Float(-f)), ty),
                                other => (Expr::Neg(Box::new(other), ty), ty),
                            }
                        }
                    }
                    // `|/ x`, `||/ x` (double precision only) and `@ x`.
                    UnaryOperator::PGSquareRoot
                    | UnaryOperator::PGCubeRoot
                    | UnaryOperator::PGAbs
                        if ty.is_numeric_family() || ty == DataType::Unknown =>
                    {
                        let (name, bound, ty) = match op {
                            UnaryOperator::PGAbs if ty != DataType::Unknown => ("abs", bound, ty),
                            other => {
                                let to = DataType::Float8;
                                let bound = self.coerce_to(bound, ty, to, inner.span())?;
                                let name = match other {
                                    UnaryOperator::PGSquareRoot => "sqrt",
                                    UnaryOperator::PGCubeRoot => "cbrt",
                                    _ => "abs",
                                };
                                (name, bound, to)
                            }
                        };
                        self.call_function(name, vec![(bound, ty, inner.span())], position)?
                    }
                    UnaryOperator::PGSquareRoot
                    | UnaryOperator::PGCubeRoot
                    | UnaryOperator::PGAbs => {
                        // PostgreSQL points at the operator.
                        let at = match op {
                            UnaryOperator::PGAbs => self.pos_before(inner.span(), '@'),
                            UnaryOperator::PGSquareRoot => {
                                self.pos_before(inner.span(), '/').map(|p| p - 1)
                            }
                            _ => self.pos_before(inner.span(), '/').map(|p| p - 2),
                        };
                        return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {op} {}", ty.name()))
                            .with_hint("No operator matches the given name and argument type. You might need to add an explicit type cast.")
                            .at(at.or(position)));
                    }
                    other => return Err(unsupported(format!("operator {other}"))),
                }
            }
            // `~~` and friends are LIKE's operators (what PostgreSQL prints LIKE as).
            E::BinaryOp {
                left,
                op:
                    op @ (BinaryOperator::PGLikeMatch
                    | BinaryOperator::PGNotLikeMatch
                    | BinaryOperator::PGILikeMatch
                    | BinaryOperator::PGNotILikeMatch),
                right,
            } => {
                let negated = matches!(
                    op,
                    BinaryOperator::PGNotLikeMatch | BinaryOperator::PGNotILikeMatch
                );
                let like = if matches!(
                    op,
                    BinaryOperator::PGLikeMatch | BinaryOperator::PGNotLikeMatch
                ) {
                    E::Like {
                        negated,
                        any: false,
                        expr: left.clone(),
                        pattern: right.clone(),
                        escape_char: None,
                    }
                } else {
                    E::ILike {
                        negated,
                        any: false,
                        expr: left.clone(),
                        pattern: right.clone(),
                        escape_char: None,
                    }
                };
                return self.bind_expr(&like, scope, aggs);
            }
            E::BinaryOp {
                left,
                op: op @ (BinaryOperator::Plus | BinaryOperator::Minus),
                right,
            } if matches!(
                left.as_ref(),
                E::UnaryOp {
                    op: UnaryOperator::PGBitwiseNot,
                    ..
                }
            ) =>
            {
                // PostgreSQL's prefix `~` binds looser than `+` and `-` (`~1 + 1` is `~(1 + 1)`);
                // the parser gave it their precedence.
                let E::UnaryOp { expr: inner, .. } = left.as_ref() else {
                    unreachable!("matched above")
                };
                let regrouped = E::UnaryOp {
                    op: UnaryOperator::PGBitwiseNot,
                    expr: Box::new(E::BinaryOp {
                        left: inner.clone(),
                        op: op.clone(),
                        right: right.clone(),
                    }),
                };
                return self.bind_expr(&regrouped, scope, aggs);
            }
            E::BinaryOp { left, op, right } => {
                let operator = self.pos_after(left.span()).or(position);
                // OPERATOR(pg_catalog.op) names a built-in operator.
                let builtin = match op {
                    BinaryOperator::PGCustomBinaryOperator(parts)
                        if parts.len() == 2 && parts[0] == "pg_catalog" =>
                    {
                        match parts[1].as_str() {
                            "~" => Some(BinaryOperator::PGRegexMatch),
                            "~*" => Some(BinaryOperator::PGRegexIMatch),
                            "!~" => Some(BinaryOperator::PGRegexNotMatch),
                            "!~*" => Some(BinaryOperator::PGRegexNotIMatch),
                            "=" => Some(BinaryOperator::Eq),
                            "<>" => Some(BinaryOperator::NotEq),
                            "<" => Some(BinaryOperator::Lt),
                            ">" => Some(BinaryOperator::Gt),
                            "<=" => Some(BinaryOperator::LtEq),
                            ">=" => Some(BinaryOperator::GtEq),
                            "||" => Some(BinaryOperator::StringConcat),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                self.bind_binary(
                    left,
                    builtin.as_ref().unwrap_or(op),
                    right,
                    scope,
                    aggs,
                    operator,
                )?
            }
            // Keel compares text by code point (the C collation): COLLATE "C" and the default
            // collation change nothing.
            E::Collate {
                expr: inner,
                collation,
            } if matches!(
                collation.to_string().to_lowercase().as_str(),
                "pg_catalog.default"
                    | "default"
                    | "\"c\""
                    | "pg_catalog.\"c\""
                    | "c"
                    | "\"posix\""
                    | "pg_catalog.\"posix\""
                    | "posix"
                    | "ucs_basic"
                    | "\"ucs_basic\""
            ) =>
            {
                self.bind_expr(inner, scope, aggs)?
            }
            // Keel has no other collation (PostgreSQL's error where a database lacks one).
            E::Collate { collation, .. } => {
                let name = match collation.0.as_slice() {
                    [.., ObjectNamePart::Identifier(last)] => last.value.clone(),
                    _ => collation.to_string(),
                };
                return Err(SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!("collation \"{name}\" for encoding \"UTF8\" does not exist"),
                )
                .at(self.word_before(collation.span(), "collate")));
            }
            E::Between {
                expr: inner,
                negated,
                low,
                high,
            } => {
                let mut range = |binder: &mut Binder<'_>, low, high| -> SqlResult<Expr> {
                    let ge = binder
                        .bind_binary(inner, &BinaryOperator::GtEq, low, scope, aggs, position)?
                        .0;
                    let le = binder
                        .bind_binary(inner, &BinaryOperator::LtEq, high, scope, aggs, position)?
                        .0;
                    Ok(Expr::Binary(BinOp::And, Box::new(ge), Box::new(le)))
                };
                let mut both = range(self, low, high)?;
                // SYMMETRIC: either order of the bounds (PostgreSQL's OR of the two ranges).
                if self.between_symmetric(inner, low)? {
                    let swapped = range(self, high, low)?;
                    both = Expr::Binary(BinOp::Or, Box::new(both), Box::new(swapped));
                }
                (
                    if *negated {
                        Expr::Not(Box::new(both))
                    } else {
                        both
                    },
                    DataType::Bool,
                )
            }
            E::InList {
                expr: inner,
                list,
                negated,
            } if row_items(inner).is_some() => {
                // (a, b) IN ((1, 2), (3, 4)): the row equalities ORed (NOT IN: negated).
                let mut combined: Option<Expr> = None;
                for item in list {
                    let (equal, _) =
                        self.bind_binary(inner, &BinaryOperator::Eq, item, scope, aggs, position)?;
                    combined = Some(match combined {
                        None => equal,
                        Some(prev) => Expr::Binary(BinOp::Or, Box::new(prev), Box::new(equal)),
                    });
                }
                let combined = combined.unwrap_or(Expr::Const(Value::Bool(false)));
                let combined = if *negated {
                    Expr::Not(Box::new(combined))
                } else {
                    combined
                };
                (combined, DataType::Bool)
            }
            E::InList {
                expr: inner,
                list,
                negated,
            } => self.bind_in_list(inner, list, *negated, false, scope, aggs)?,
            E::Cast {
                kind: CastKind::Cast | CastKind::DoubleColon,
                expr: inner,
                data_type,
                format: None,
            } if reg_type(data_type).is_some() => {
                // Object identifier types: an OID held as an integer; regclass, regtype and
                // regnamespace values print as the object's name (`DataType::Reg`), and a cast
                // from text looks the name up.
                let (bound, from) = self.bind_expr(inner, scope, aggs)?;
                let kind = reg_type(data_type).expect("checked by the guard");
                let reg = crate::types::RegKind::from_name(kind).map(DataType::Reg);
                if kind == "oid" {
                    let bound = self.coerce_to(bound, from, DataType::Oid, inner.span())?;
                    (bound, DataType::Oid)
                } else if from.is_integer() {
                    match reg {
                        Some(reg) => (self.coerce_to(bound, from, reg, inner.span())?, reg),
                        // regproc is held as the function's name (see below).
                        None => (self.oid_names(kind, bound), DataType::Text),
                    }
                } else if from.is_string() {
                    let text = self.coerce_to(bound, from, DataType::Text, inner.span())?;
                    let reg_kind = crate::types::RegKind::from_name(kind)
                        .unwrap_or(crate::types::RegKind::Class);
                    match (kind, &text) {
                        // An enum type's or a domain's name (the catalog's, not the built-in
                        // list).
                        ("regtype", Expr::Const(Value::Text(name)))
                            if self.user_type_by_text(name).is_some() =>
                        {
                            let oid = self.user_type_by_text(name).expect("checked by the guard");
                            (Expr::Const(Value::Int(oid)), DataType::Reg(reg_kind))
                        }
                        ("regtype", _) => (self.computed_regtype(text), DataType::Reg(reg_kind)),
                        ("regclass", Expr::Const(Value::Text(digits)))
                            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            // A numeric literal is the OID itself.
                            let oid = digits.parse::<i64>().map_err(|_| {
                                SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range")
                            })?;
                            (Expr::Const(Value::Int(oid)), DataType::Reg(reg_kind))
                        }
                        ("regclass", Expr::Const(Value::Text(text))) => (
                            Expr::Const(Value::Int(self.regclass_oid(text, inner.span())?)),
                            DataType::Reg(reg_kind),
                        ),
                        ("regclass", _) => (self.relation_oids(text), DataType::Reg(reg_kind)),
                        ("regproc" | "regprocedure", Expr::Const(Value::Text(name))) => (
                            Expr::Const(Value::Int(
                                regproc_oid(name, kind == "regprocedure")
                                    .map_err(|e| e.at(self.pos(inner.span())))?,
                            )),
                            DataType::Reg(reg_kind),
                        ),
                        // A computed name: looked up when the statement runs, with the
                        // errors a literal gets when it is bound.
                        ("regproc" | "regprocedure", _) => (
                            Expr::Scalar(
                                crate::functions::Scalar::RegprocIn(kind == "regprocedure"),
                                vec![text],
                            ),
                            DataType::Reg(reg_kind),
                        ),
                        ("regnamespace" | "regrole", _) => (
                            self.named_oid(kind, text, true)
                                .map_err(|e| e.at(self.pos(inner.span())))?,
                            DataType::Reg(reg_kind),
                        ),
                        _ => return Err(unsupported(format!("casts of text to {kind}"))),
                    }
                } else {
                    return Err(SqlError::new(
                        code::CANNOT_COERCE,
                        format!("cannot cast type {} to {kind}", from.name()),
                    ));
                }
            }
            E::Cast {
                kind: CastKind::Cast | CastKind::DoubleColon,
                expr: inner,
                data_type,
                format: None,
            } if matches!(inner.as_ref(), E::Array(ast::Array { elem, .. }) if elem.is_empty()) => {
                // `ARRAY[]::t[]`: the cast gives the empty array its type.
                let to = self.data_type(data_type)?;
                if to.element().is_none() {
                    return self.bind_array_constructor(&[], scope, aggs, inner.span());
                }
                (
                    Expr::Const(Value::Array(Box::new(crate::array::Array::one_dim(
                        Vec::new(),
                    )))),
                    to,
                )
            }
            E::Cast {
                kind: kind @ (CastKind::Cast | CastKind::DoubleColon),
                expr: inner,
                data_type,
                format: None,
            } => {
                let to = self.data_type(data_type)?;
                // PostgreSQL places a failed `x::t` at the `::`, a CAST at its keyword.
                let position = match kind {
                    CastKind::DoubleColon => self.pos_past(inner.span(), ')'),
                    _ => position,
                };
                let bound = self.bind_cast_to(inner, to, scope, aggs, position)?;
                // A domain's constraints check what the cast to its base type made.
                match self.domain_of(data_type) {
                    Some(def) => {
                        let coerce = self.domain_coerce(&def)?;
                        (Expr::Domain(coerce, Box::new(bound.0)), bound.1)
                    }
                    None => bound,
                }
            }
            E::Function(function) => self.bind_function(function, scope, aggs, position)?,
            E::Interval(interval) => {
                let text = match interval.value.as_ref() {
                    E::Value(v) => match &v.value {
                        ast::Value::SingleQuotedString(s) => s.clone(),
                        ast::Value::Number(n, _) => n.clone(),
                        _ => return Err(unsupported("this interval literal").at(position)),
                    },
                    _ => return Err(unsupported("this interval literal").at(position)),
                };
                // `INTERVAL '...' day to second(3)`: read and cut as a value of that type.
                let fields = match (&interval.leading_field, &interval.last_field) {
                    (None, _) => None,
                    (Some(first), None) => Some(first.to_string()),
                    (Some(first), Some(last)) => Some(format!("{first} to {last}")),
                };
                // `SECOND(p)` alone gives its precision as the leading one.
                let precision = interval
                    .fractional_seconds_precision
                    .or(match (&interval.leading_field, &interval.last_field) {
                        (Some(ast::DateTimeField::Second), None) => interval.leading_precision,
                        _ => None,
                    })
                    .map(|p| p as u32);
                let typmod = crate::datetime::interval_typmod(fields.as_deref(), precision)
                    .ok_or_else(|| unsupported("these interval fields").at(position))?;
                let value =
                    parse_text(&text, DataType::IntervalP(typmod)).map_err(|e| e.at(position))?;
                (Expr::Const(value), DataType::Interval)
            }
            E::Substring {
                expr: inner,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![inner.as_ref()];
                let one = ast::Expr::value(ast::Value::Number("1".into(), false));
                args.push(substring_from.as_deref().unwrap_or(&one));
                args.extend(substring_for.as_deref());
                let bound = self.bind_args(&args, scope, aggs)?;
                self.call_function("substring", bound, position)?
            }
            E::Position { expr: needle, r#in } => {
                let bound = self.bind_args(&[r#in.as_ref(), needle.as_ref()], scope, aggs)?;
                self.call_function("strpos", bound, position)?
            }
            E::Overlay {
                expr: inner,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                let mut args = vec![inner.as_ref(), overlay_what.as_ref(), overlay_from.as_ref()];
                args.extend(overlay_for.as_deref());
                let bound = self.bind_args(&args, scope, aggs)?;
                self.call_function("overlay", bound, position)?
            }
            E::Trim {
                expr: inner,
                trim_where,
                trim_what,
                trim_characters,
            } => {
                if trim_characters.is_some() {
                    return Err(unsupported("this TRIM form").at(position));
                }
                let name = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                let mut args = vec![inner.as_ref()];
                args.extend(trim_what.as_deref());
                let bound = self.bind_args(&args, scope, aggs)?;
                self.call_function(name, bound, position)?
            }
            E::Ceil { expr: inner, .. } | E::Floor { expr: inner, .. } => {
                let name = if matches!(expr, E::Ceil { .. }) {
                    "ceil"
                } else {
                    "floor"
                };
                let bound = self.bind_args(&[inner.as_ref()], scope, aggs)?;
                self.call_function(name, bound, position)?
            }
            E::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                // `ts AT TIME ZONE zone` is `timezone(zone, ts)`.
                let bound =
                    self.bind_args(&[time_zone.as_ref(), timestamp.as_ref()], scope, aggs)?;
                self.call_function("timezone", bound, position)?
            }
            E::Extract {
                field, expr: inner, ..
            } => {
                let (bound, ty) = self.bind_expr(inner, scope, aggs)?;
                let (bound, ty) = match ty {
                    DataType::Unknown => (
                        self.coerce_to(bound, ty, DataType::TimestampTz, inner.span())?,
                        DataType::TimestampTz,
                    ),
                    // A time of day extracts as the interval since midnight (hour, minute,
                    // second, epoch).
                    DataType::Time => (
                        Expr::Cast(Box::new(bound), DataType::Time, DataType::Interval, true),
                        DataType::Interval,
                    ),
                    ty => (bound, ty),
                };
                if !(ty.is_datetime() || ty == DataType::Interval) {
                    return Err(self.no_function("extract", &[DataType::Text, ty], position));
                }
                let field = Expr::Const(Value::Text(field.to_string().to_lowercase()));
                let zoned = (ty == DataType::TimestampTz)
                    .then(|| {
                        let args = vec![field.clone(), bound.clone()];
                        self.zoned(crate::tz::ZoneOp::Extract(true), args)
                    })
                    .flatten();
                (
                    zoned.unwrap_or(Expr::Func(Func::Extract, vec![field, bound])),
                    DataType::Numeric,
                )
            }
            // `x SIMILAR TO p [ESCAPE e]` is `x ~ similar_to_escape(p, e)`, as in PostgreSQL.
            E::SimilarTo {
                negated,
                expr: inner,
                pattern,
                escape_char,
            } => {
                let (text, text_ty) = self.bind_expr(inner, scope, aggs)?;
                let (pattern_bound, pattern_ty) = self.bind_expr(pattern, scope, aggs)?;
                let string = |t: DataType| t.is_string() || t == DataType::Unknown;
                if !(string(text_ty) && string(pattern_ty)) {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} ~ {}", text_ty.name(), pattern_ty.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position));
                }
                let text = self.coerce_to(text, text_ty, DataType::Text, inner.span())?;
                let pattern_bound =
                    self.coerce_to(pattern_bound, pattern_ty, DataType::Text, pattern.span())?;
                let mut args = vec![pattern_bound];
                match escape_char {
                    None => {}
                    Some(ast::Value::SingleQuotedString(s)) => {
                        args.push(Expr::Const(Value::Text(s.clone())))
                    }
                    Some(_) => return Err(unsupported("this ESCAPE value")),
                }
                let regex = Expr::Scalar(crate::functions::Scalar::SimilarEscape, args);
                let op = BinOp::Regex {
                    insensitive: false,
                    negated: *negated,
                };
                (
                    Expr::Binary(op, Box::new(text), Box::new(regex)).fold_constants(),
                    DataType::Bool,
                )
            }
            E::Like {
                negated,
                any: false,
                expr: inner,
                pattern,
                escape_char,
            }
            | E::ILike {
                negated,
                any: false,
                expr: inner,
                pattern,
                escape_char,
            } => {
                let (text, text_ty) = self.bind_expr(inner, scope, aggs)?;
                let (pattern_bound, pattern_ty) = self.bind_expr(pattern, scope, aggs)?;
                let op = match (matches!(expr, E::ILike { .. }), negated) {
                    (false, false) => "~~",
                    (false, true) => "!~~",
                    (true, false) => "~~*",
                    (true, true) => "!~~*",
                };
                if !(text_ty.is_string() || text_ty == DataType::Unknown)
                    || !(pattern_ty.is_string() || pattern_ty == DataType::Unknown)
                {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} {op} {}", text_ty.name(), pattern_ty.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(self.pos_after(inner.span()).or(position)));
                }
                let text = self.coerce_to(text, text_ty, DataType::Text, inner.span())?;
                let pattern_bound =
                    self.coerce_to(pattern_bound, pattern_ty, DataType::Text, pattern.span())?;
                let escape = match escape_char {
                    None => Some('\\'),
                    Some(ast::Value::SingleQuotedString(s)) if s.is_empty() => None,
                    Some(ast::Value::SingleQuotedString(s)) if s.chars().count() == 1 => {
                        s.chars().next()
                    }
                    Some(_) => {
                        return Err(SqlError::new("22019", "invalid escape string")
                            .with_hint("Escape string must be empty or one character."))
                    }
                };
                (
                    Expr::Like {
                        expr: Box::new(text),
                        pattern: Box::new(pattern_bound),
                        escape,
                        negated: *negated,
                        case_insensitive: matches!(expr, E::ILike { .. }),
                    },
                    DataType::Bool,
                )
            }
            E::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.bind_case(
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
                scope,
                aggs,
            )?,
            E::Subquery(query) => {
                let (subquery, columns) = self.bind_subquery(query, scope, SubqueryKind::Scalar)?;
                if columns.len() != 1 {
                    return Err(SqlError::new(
                        code::SYNTAX_ERROR,
                        "subquery must return only one column",
                    )
                    .at(self.pos_paren_before(query.span())));
                }
                (Expr::Subquery(Arc::new(subquery)), columns[0].ty)
            }
            E::Exists { subquery, negated } => {
                let (subquery, _) = self.bind_subquery(subquery, scope, SubqueryKind::Exists)?;
                let exists = Expr::Subquery(Arc::new(subquery));
                let bound = if *negated {
                    Expr::Not(Box::new(exists))
                } else {
                    exists
                };
                (bound, DataType::Bool)
            }
            E::InSubquery {
                expr: left,
                subquery,
                negated,
            } if row_items(left).is_some() => {
                // (a, b) IN (SELECT x, y ...): true when some row equals, NULL when none does but
                // some comparison is NULL, false otherwise; bound as two correlated EXISTS over
                // the subquery's rows.
                let lefts = row_items(left).expect("checked by the guard");
                let operator = self.pos_after_row(left).or(position);
                let (_, columns) = self.bind_subquery(subquery, scope, SubqueryKind::Exists)?;
                if columns.len() != lefts.len() {
                    return Err(SqlError::new(
                        code::SYNTAX_ERROR,
                        if columns.len() > lefts.len() {
                            "subquery has too many columns"
                        } else {
                            "subquery has too few columns"
                        },
                    )
                    .at(operator));
                }
                let names: Vec<String> = (1..=lefts.len())
                    .map(|i| format!("__keel_in_{i}"))
                    .collect();
                let row = |items: Vec<String>| format!("({})", items.join(", "));
                let equal = format!(
                    "{} = {}",
                    row(lefts.iter().map(|e| e.to_string()).collect()),
                    row(names.iter().map(|n| format!("__keel_in.{n}")).collect())
                );
                let exists = |condition: &str| {
                    format!(
                        "EXISTS (SELECT 1 FROM ({subquery}) AS __keel_in({}) WHERE {condition})",
                        names.join(", ")
                    )
                };
                let sql = format!(
                    "CASE WHEN {} THEN true WHEN {} THEN NULL ELSE false END",
                    exists(&equal),
                    exists(&format!("({equal}) IS NULL"))
                );
                let parsed = crate::parse::parse_expr(&sql)?;
                let (bound, _) = self.bind_expr(&parsed, scope, aggs).map_err(|mut e| {
                    // Positions in the rewritten text mean nothing to the client.
                    e.position = position;
                    e
                })?;
                let bound = if *negated {
                    Expr::Not(Box::new(bound))
                } else {
                    bound
                };
                (bound, DataType::Bool)
            }
            E::InSubquery {
                expr: left,
                subquery,
                negated,
            } => {
                let operator = self.pos_after(left.span()).or(position);
                let bound = self.bind_compare_subquery(
                    left,
                    &BinaryOperator::Eq,
                    subquery,
                    false,
                    scope,
                    aggs,
                    operator,
                )?;
                let bound = if *negated {
                    Expr::Not(Box::new(bound))
                } else {
                    bound
                };
                (bound, DataType::Bool)
            }
            E::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | E::AllOp {
                left,
                compare_op,
                right,
            } => {
                let mut array = right.as_ref();
                while let E::Nested(inner) = array {
                    array = inner;
                }
                let all = matches!(expr, E::AllOp { .. });
                if let E::Subquery(query) = array {
                    // `x LIKE ANY (subquery)` (and ILIKE, ~, ~*, their negations) is the
                    // operator over `ARRAY(subquery)`: the same answer, NULLs included.
                    let operator = self.pos_after(left.span()).or(position);
                    if let SetExpr::Select(select) = query.body.as_ref() {
                        let plain = (select.projection.iter()).all(|item| {
                            matches!(
                                item,
                                SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }
                            )
                        });
                        if plain && select.projection.len() > 1 {
                            return Err(
                                SqlError::syntax("subquery has too many columns").at(operator)
                            );
                        }
                    }
                    let array = ast::Expr::Function(ast::Function {
                        name: ObjectName::from(vec![ast::Ident::new("array")]),
                        uses_odbc_syntax: false,
                        parameters: FunctionArguments::None,
                        args: FunctionArguments::Subquery(query.clone()),
                        filter: None,
                        null_treatment: None,
                        over: None,
                        within_group: Vec::new(),
                    });
                    if let Some(bound) =
                        self.bind_match_array(left, compare_op, &array, all, scope, aggs, operator)?
                    {
                        return Ok(bound);
                    }
                }
                if !matches!(array, E::Subquery(_)) {
                    let operator = self.pos_after(left.span()).or(position);
                    if let Some(bound) =
                        self.bind_match_array(left, compare_op, array, all, scope, aggs, operator)?
                    {
                        return Ok(bound);
                    }
                }
                if let E::Array(ast::Array { elem, .. }) = array {
                    // x op ANY (ARRAY[a, b]) is x op a OR x op b (ALL: AND), with IN's typing
                    // for = ANY and <> ALL.
                    if elem.is_empty() {
                        return Ok((Expr::Const(Value::Bool(all)), DataType::Bool));
                    }
                    let is_in = !all && *compare_op == BinaryOperator::Eq;
                    let not_in = all && matches!(compare_op, BinaryOperator::NotEq);
                    if is_in || not_in {
                        return self.bind_in_list(left, elem, not_in, true, scope, aggs);
                    }
                    let operator = self.pos_after(left.span()).or(position);
                    let mut combined: Option<Expr> = None;
                    for item in elem {
                        let (compared, _) =
                            self.bind_binary(left, compare_op, item, scope, aggs, operator)?;
                        combined = Some(match combined {
                            None => compared,
                            Some(prev) => Expr::Binary(
                                if all { BinOp::And } else { BinOp::Or },
                                Box::new(prev),
                                Box::new(compared),
                            ),
                        });
                    }
                    return Ok((combined.expect("non-empty"), DataType::Bool));
                }
                let E::Subquery(subquery) = right.as_ref() else {
                    let operator = self.pos_after(left.span()).or(position);
                    return self
                        .bind_compare_array(left, compare_op, right, all, scope, aggs, operator);
                };
                let operator = self.pos_after(left.span()).or(position);
                (
                    self.bind_compare_subquery(
                        left, compare_op, subquery, all, scope, aggs, operator,
                    )?,
                    DataType::Bool,
                )
            }
            E::IsDistinctFrom(left, right) | E::IsNotDistinctFrom(left, right)
                if matches!(
                    &**right,
                    E::BinaryOp {
                        op: ast::BinaryOperator::And | ast::BinaryOperator::Or,
                        ..
                    }
                ) =>
            {
                // sqlparser reads `a IS DISTINCT FROM b AND c` as `a IS DISTINCT FROM (b AND
                // c)`; IS binds tighter than AND and OR in PostgreSQL.
                let E::BinaryOp {
                    left: inner,
                    op,
                    right: rest,
                } = &**right
                else {
                    unreachable!("checked by the guard")
                };
                let test = match expr {
                    E::IsDistinctFrom(..) => E::IsDistinctFrom(left.clone(), inner.clone()),
                    _ => E::IsNotDistinctFrom(left.clone(), inner.clone()),
                };
                let regrouped = E::BinaryOp {
                    left: Box::new(test),
                    op: op.clone(),
                    right: rest.clone(),
                };
                return self.bind_expr(&regrouped, scope, aggs);
            }
            E::IsDistinctFrom(left, right) | E::IsNotDistinctFrom(left, right)
                if matches!(
                    (row_items(left), row_items(right)),
                    (Some(l), Some(r)) if l.len() == r.len()
                ) =>
            {
                // Row constructors: field by field (distinct when any field is).
                let distinct = matches!(expr, E::IsDistinctFrom(..));
                let (lefts, rights) = (row_items(left).expect("checked"), row_items(right));
                let tests = lefts.iter().zip(rights.expect("checked")).map(|(l, r)| {
                    let (l, r) = (Box::new((*l).clone()), Box::new((*r).clone()));
                    match distinct {
                        true => E::IsDistinctFrom(l, r),
                        false => E::IsNotDistinctFrom(l, r),
                    }
                });
                let op = match distinct {
                    true => ast::BinaryOperator::Or,
                    false => ast::BinaryOperator::And,
                };
                let combined = tests
                    .reduce(|a, b| E::BinaryOp {
                        left: Box::new(a),
                        op: op.clone(),
                        right: Box::new(b),
                    })
                    .unwrap_or(E::Value(ast::Value::Boolean(!distinct).into()));
                return self.bind_expr(&combined, scope, aggs);
            }
            E::IsDistinctFrom(left, right) | E::IsNotDistinctFrom(left, right) => {
                // Bound as `=` (the same coercions), then compared with NULL as a value.
                let equal = ast::Expr::BinaryOp {
                    left: left.clone(),
                    op: ast::BinaryOperator::Eq,
                    right: right.clone(),
                };
                let distinct = matches!(expr, E::IsDistinctFrom(..));
                match self.bind_expr(&equal, scope, aggs)? {
                    (Expr::Binary(BinOp::Eq, l, r), _) => (
                        Expr::Func(Func::IsDistinct(distinct), vec![*l, *r]),
                        DataType::Bool,
                    ),
                    _ => return Err(unsupported("IS DISTINCT FROM of these operands").at(position)),
                }
            }
            E::Tuple(items) => {
                let mut bound = Vec::with_capacity(items.len());
                for item in items {
                    let (expr, ty) = self.bind_expr(item, scope, aggs)?;
                    bound.push((expr, ty, item.span()));
                }
                return self.make_row(bound);
            }
            other => {
                let text = other.to_string();
                return Err(unsupported(format!(
                    "the expression {}",
                    text.chars().take(40).collect::<String>()
                ))
                .at(position));
            }
        })
    }

    /// A row constructor's record (`ROW(a, b)`, `(a, b)`): its fields' types name its shape
    /// (an unknown literal's is text, as PostgreSQL resolves it).
    fn make_row(&mut self, fields: Vec<(Expr, DataType, Span)>) -> SqlResult<(Expr, DataType)> {
        if fields.len() > crate::types::MAX_RECORD_FIELDS {
            return Err(SqlError::new(
                code::TOO_MANY_COLUMNS,
                format!(
                    "ROW expressions can have at most {} entries",
                    crate::types::MAX_RECORD_FIELDS
                ),
            ));
        }
        let mut args = Vec::with_capacity(fields.len());
        let mut types = Vec::with_capacity(fields.len());
        for (expr, ty, span) in fields {
            let to = if ty == DataType::Unknown {
                DataType::Text
            } else {
                ty
            };
            args.push(self.coerce_to(expr, ty, to, span)?);
            types.push(to);
        }
        let shape = crate::types::RecordShape::anonymous(&types);
        Ok((Expr::Func(Func::Row, args), DataType::Record(shape)))
    }

    fn bind_args(
        &mut self,
        args: &[&ast::Expr],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
    ) -> SqlResult<Vec<(Expr, DataType, Span)>> {
        let mut bound = Vec::with_capacity(args.len());
        for arg in args {
            let (e, t) = self.bind_expr(arg, scope, aggs)?;
            bound.push((e, t, arg.span()));
        }
        Ok(bound)
    }

    /// `inner [NOT] IN (list)`, or the items of `inner = ANY (ARRAY[list])` / `<> ALL`
    /// (`array_items`), typed as PostgreSQL types them.
    fn bind_in_list(
        &mut self,
        inner: &ast::Expr,
        list: &[ast::Expr],
        negated: bool,
        array_items: bool,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
    ) -> SqlResult<(Expr, DataType)> {
        let (mut bound, mut ty) = self.bind_expr(inner, scope, aggs)?;
        let mut bound_items = Vec::with_capacity(list.len());
        for item in list {
            bound_items.push(self.bind_expr(item, scope, aggs)?);
        }
        // With more than one item free of columns, PostgreSQL compares in the common
        // type of the operand and those items (so `r IN (1.1, 2)` reads 1.1 as real
        // where `r = 1.1` compares in double precision); it matters only for real. Not for
        // an array's items, which take their own common type first (`r = ANY (ARRAY[1.1,
        // 2])` compares in double precision, as with numeric[]).
        let constant = |e: &Expr| {
            let mut columns = Vec::new();
            e.columns(&mut columns);
            columns.is_empty()
        };
        let numbers = std::iter::once(ty)
            .chain(
                bound_items
                    .iter()
                    .filter(|(e, _)| constant(e))
                    .map(|(_, t)| *t),
            )
            .filter(|t| *t != DataType::Unknown);
        let mut common = None;
        if !array_items
            && bound_items.iter().filter(|(e, _)| constant(e)).count() > 1
            && numbers.clone().all(|t| t.is_numeric_family())
            && numbers.clone().any(|t| t == DataType::Float4)
        {
            let to = numbers.fold(DataType::Int2, wider);
            bound = self.coerce_to(bound, ty, to, inner.span())?;
            ty = to;
            common = Some(to);
        }
        // Otherwise the operand in the type its comparisons with the items take where one
        // changes it (PostgreSQL compares the list in the common type of the operand and
        // its items: `d IN (timestamp '..', '..')` reads the date as a timestamp, and the
        // other items as timestamps too); the items are then read in that type below.
        if common.is_none() {
            for ((item_bound, item_ty), item) in bound_items.iter().zip(list) {
                let (left, _, to) = self.unify(
                    bound.clone(),
                    ty,
                    item_bound.clone(),
                    *item_ty,
                    "=",
                    item.span(),
                )?;
                if left != bound {
                    (bound, ty) = (left, to);
                }
            }
        }
        let mut items = Vec::new();
        for ((item_bound, item_ty), item) in bound_items.into_iter().zip(list) {
            let item_bound = match common {
                Some(to) if constant(&item_bound) => {
                    self.coerce_to(item_bound, item_ty, to, item.span())?
                }
                _ => {
                    self.unify(bound.clone(), ty, item_bound, item_ty, "=", item.span())?
                        .1
                }
            };
            items.push(item_bound);
        }
        let bound = if ty == DataType::Unknown {
            self.coerce_to(bound, ty, DataType::Text, inner.span())?
        } else {
            bound
        };
        Ok((
            Expr::InList(Box::new(bound), items, negated, None),
            DataType::Bool,
        ))
    }

    /// `left op ANY | ALL (subquery)`; the subquery's column is cast to the comparison's type.
    #[allow(clippy::too_many_arguments)]
    fn bind_compare_subquery(
        &mut self,
        left: &ast::Expr,
        op: &BinaryOperator,
        query: &ast::Query,
        all: bool,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<Expr> {
        let binop = match op {
            BinaryOperator::Eq => BinOp::Eq,
            BinaryOperator::NotEq => BinOp::NotEq,
            BinaryOperator::Lt => BinOp::Lt,
            BinaryOperator::LtEq => BinOp::LtEq,
            BinaryOperator::Gt => BinOp::Gt,
            BinaryOperator::GtEq => BinOp::GtEq,
            other => return Err(unsupported(format!("operator {other} with ANY/ALL"))),
        };
        let (left_bound, left_ty) = self.bind_expr(left, scope, aggs)?;
        let (mut subquery, columns) = self.bind_subquery(query, scope, SubqueryKind::Exists)?;
        if columns.len() != 1 {
            return Err(SqlError::new(
                code::SYNTAX_ERROR,
                if columns.len() > 1 {
                    "subquery has too many columns"
                } else {
                    "subquery has too few columns"
                },
            )
            .at(position));
        }
        let (left_bound, right, _) = self
            .unify(
                left_bound,
                left_ty,
                Expr::Column(0),
                columns[0].ty,
                &op.to_string(),
                left.span(),
            )
            .map_err(|mut e| {
                // At the operator, as PostgreSQL reports it.
                e.position = position.or(e.position);
                e
            })?;
        if right != Expr::Column(0) {
            subquery.rel = Rel::Project {
                input: Box::new(subquery.rel),
                exprs: vec![right],
            };
        }
        subquery.kind = SubqueryKind::Compare {
            left: Box::new(left_bound),
            op: binop,
            all,
        };
        Ok(Expr::Subquery(Arc::new(subquery)))
    }

    /// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`: results resolve to one type as PostgreSQL
    /// does; the simple form compares the operand with each WHEN value.
    fn bind_case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
    ) -> SqlResult<(Expr, DataType)> {
        let operand = match operand {
            Some(expr) => Some((self.bind_expr(expr, scope, aggs)?, expr.span())),
            None => None,
        };
        let mut whens = Vec::new();
        let mut results = Vec::new();
        for when in conditions {
            let condition = match &operand {
                Some(((bound, ty), span)) => {
                    let (value, value_ty) = self.bind_expr(&when.condition, scope, aggs)?;
                    let (l, r, _) = self.unify(bound.clone(), *ty, value, value_ty, "=", *span)?;
                    Expr::Binary(BinOp::Eq, Box::new(l), Box::new(r))
                }
                None => {
                    let (bound, ty) = self.bind_expr(&when.condition, scope, aggs)?;
                    self.coerce(
                        bound,
                        ty,
                        DataType::Bool,
                        when.condition.span(),
                        "CASE/WHEN",
                    )?
                }
            };
            whens.push(condition);
            results.push((
                self.bind_expr(&when.result, scope, aggs)?,
                when.result.span(),
            ));
        }
        let otherwise = match else_result {
            Some(expr) => Some((self.bind_expr(expr, scope, aggs)?, expr.span())),
            None => None,
        };
        let types: Vec<Vec<DataType>> = results
            .iter()
            .chain(otherwise.iter())
            .map(|((_, ty), _)| vec![*ty])
            .collect();
        let span = results.first().map_or(Span::empty(), |(_, s)| *s);
        let ty = self.common_types(&types, "CASE", span)?[0];
        let mut cast_results = Vec::new();
        for ((bound, from), span) in results {
            cast_results.push(self.coerce_to(bound, from, ty, span)?);
        }
        let otherwise = match otherwise {
            Some(((bound, from), span)) => self.coerce_to(bound, from, ty, span)?,
            None => Expr::Const(Value::Null),
        };
        Ok((
            Expr::Case(
                whens.into_iter().zip(cast_results).collect(),
                Box::new(otherwise),
            ),
            ty,
        ))
    }

    /// An aggregate call's argument, FILTER and types; `inner` collects what its argument may
    /// hold (nested aggregates are refused there, except in a window's argument).
    #[allow(clippy::too_many_arguments)]
    fn bind_agg_call(
        &mut self,
        name: &str,
        func: AggFunc,
        function: &ast::Function,
        distinct: bool,
        args: &[&FunctionArg],
        scope: &Scope<'_>,
        inner: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<AggCall> {
        if let AggFunc::Collect(collect) = func {
            return self.bind_collect_call(
                name, collect, function, distinct, args, scope, inner, position,
            );
        }
        let order_by = match &function.args {
            FunctionArguments::List(list) => !list.clauses.is_empty(),
            _ => false,
        };
        if order_by && distinct {
            return Err(unsupported("ORDER BY with DISTINCT in aggregate calls"));
        }
        let (func, arg, arg_type) = match args {
            [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)] if func == AggFunc::Count => {
                (AggFunc::CountStar, None, DataType::Int8)
            }
            // (y, x) as one record of two doubles.
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(y)), FunctionArg::Unnamed(FunctionArgExpr::Expr(x))]
                if matches!(func, AggFunc::Regr(_)) =>
            {
                let (y, yt) = self.bind_expr(y, scope, inner)?;
                let (x, xt) = self.bind_expr(x, scope, inner)?;
                let number = |t: DataType| t.is_numeric_family() || t == DataType::Unknown;
                if !number(yt) || !number(xt) {
                    return Err(self.no_function(name, &[yt, xt], position));
                }
                let span = function.span();
                let y = self.coerce_to(y, yt, DataType::Float8, span)?;
                let x = self.coerce_to(x, xt, DataType::Float8, span)?;
                (
                    func,
                    Some(Expr::Func(Func::Row, vec![y, x])),
                    DataType::Float8,
                )
            }
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))]
                if !matches!(func, AggFunc::Regr(_)) =>
            {
                let (bound, ty) = self.bind_expr(expr, scope, inner)?;
                let ty = if ty == DataType::Unknown {
                    DataType::Text
                } else {
                    ty
                };
                (func, Some(bound), ty)
            }
            _ if matches!(func, AggFunc::Regr(_)) => {
                // The wrong number of arguments: named with their types.
                let mut types = Vec::new();
                for arg in args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) = arg {
                        types.push(self.bind_expr(expr, scope, inner)?.1);
                    }
                }
                return Err(self.no_function(name, &types, position));
            }
            _ => return Err(self.no_function(name, &[], position)),
        };
        let result_type = match func {
            AggFunc::CountStar | AggFunc::Count => DataType::Int8,
            AggFunc::Sum => match arg_type {
                DataType::Int2 | DataType::Int4 => DataType::Int8,
                DataType::Int8 | DataType::Numeric => DataType::Numeric,
                DataType::Float4 => DataType::Float4,
                DataType::Float8 => DataType::Float8,
                other => return Err(self.no_function(name, &[other], position)),
            },
            AggFunc::Avg | AggFunc::Variance { .. } => match arg_type {
                t if t.is_integer() || matches!(t, DataType::Numeric | DataType::Decimal(..)) => {
                    DataType::Numeric
                }
                DataType::Float4 | DataType::Float8 => DataType::Float8,
                other => return Err(self.no_function(name, &[other], position)),
            },
            // PostgreSQL has no min/max over booleans or uuids.
            AggFunc::Min | AggFunc::Max if matches!(arg_type, DataType::Bool | DataType::Uuid) => {
                return Err(self.no_function(name, &[arg_type], position))
            }
            AggFunc::Min | AggFunc::Max => arg_type,
            AggFunc::Bool(_) if arg_type == DataType::Bool => DataType::Bool,
            AggFunc::Regr(crate::expr::Regr::Count) => DataType::Int8,
            AggFunc::Regr(_) => DataType::Float8,
            AggFunc::Bool(_) | AggFunc::Collect(_) => {
                return Err(self.no_function(name, &[arg_type], position))
            }
        };
        let filter = match &function.filter {
            Some(expr) => {
                let (bound, ty) = self.bind_expr(expr, scope, inner)?;
                Some(self.coerce(bound, ty, DataType::Bool, expr.span(), "FILTER")?)
            }
            None => None,
        };
        Ok(AggCall {
            func,
            arg,
            arg_type,
            result_type,
            distinct: distinct && func != AggFunc::CountStar,
            filter,
        })
    }

    /// `f(...) OVER (PARTITION BY ... ORDER BY ... frame)`.
    #[allow(clippy::too_many_arguments)]
    fn bind_window_call(
        &mut self,
        name: &str,
        function: &ast::Function,
        over: &ast::WindowType,
        aggregate: Option<AggFunc>,
        distinct: bool,
        args: &[&FunctionArg],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        if !aggs.windows_allowed && aggs.context == "aggregate function calls" {
            return Err(SqlError::new(
                code::GROUPING_ERROR,
                "aggregate function calls cannot contain window function calls",
            )
            .at(position));
        }
        if !aggs.windows_allowed {
            let context = if aggs.context.is_empty() {
                "this context"
            } else {
                aggs.context
            };
            return Err(SqlError::new(
                "42P20",
                format!("window functions are not allowed in {context}"),
            )
            .at(position));
        }
        let spec = match over {
            ast::WindowType::WindowSpec(spec) => {
                resolve_window(spec, &self.windows, &|span| self.pos_before(span, '('))?
            }
            ast::WindowType::NamedWindow(ident) => {
                let name = ident_name(ident);
                match self.windows.iter().find(|(n, _)| *n == name) {
                    Some((_, spec)) => spec.clone(),
                    None => {
                        return Err(SqlError::new(
                            code::UNDEFINED_OBJECT,
                            format!("window \"{name}\" does not exist"),
                        )
                        .at(self.pos(ident.span)))
                    }
                }
            }
        };
        let spec = &spec;
        // Window arguments may hold aggregates (of a grouped query), not other windows.
        aggs.windows_allowed = false;
        let result = self.bind_window_parts(
            name, function, spec, aggregate, distinct, args, scope, aggs, position,
        );
        aggs.windows_allowed = true;
        let call = result?;
        let ty = call.result_type;
        aggs.windows.push(call);
        Ok((Expr::Window(aggs.windows.len() - 1), ty))
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_window_parts(
        &mut self,
        name: &str,
        function: &ast::Function,
        spec: &ast::WindowSpec,
        aggregate: Option<AggFunc>,
        distinct: bool,
        args: &[&FunctionArg],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<WindowCall> {
        let mut partition = Vec::new();
        for expr in &spec.partition_by {
            partition.push(self.bind_expr(expr, scope, aggs)?.0);
        }
        let mut order = Vec::new();
        let mut order_types = Vec::new();
        for item in &spec.order_by {
            let descending = item.options.asc == Some(false);
            let nulls_first = item.options.nulls_first.unwrap_or(descending);
            let (expr, ty) = self.bind_expr(&item.expr, scope, aggs)?;
            order.push((expr, descending, nulls_first));
            order_types.push(ty);
        }
        let mut exclusion = None;
        let (units, start, end, step) = match &spec.window_frame {
            None => (
                FrameUnits::Range,
                FrameBound::UnboundedPreceding,
                FrameBound::CurrentRow,
                None,
            ),
            Some(frame) => {
                use ast::WindowFrameBound as B;
                let units = match frame.units {
                    ast::WindowFrameUnits::Rows => FrameUnits::Rows,
                    ast::WindowFrameUnits::Range => FrameUnits::Range,
                    ast::WindowFrameUnits::Groups => FrameUnits::Groups,
                };
                let end_bound = frame.end_bound.as_ref().unwrap_or(&B::CurrentRow);
                // The grammar's checks (PostgreSQL's gram.y), before the offsets are bound.
                let misplaced = match (&frame.start_bound, end_bound) {
                    (B::Following(None), _) => Some("frame start cannot be UNBOUNDED FOLLOWING"),
                    (B::Following(Some(_)), _) if frame.end_bound.is_none() => {
                        Some("frame starting from following row cannot end with current row")
                    }
                    (_, B::Preceding(None)) => Some("frame end cannot be UNBOUNDED PRECEDING"),
                    (B::CurrentRow, B::Preceding(Some(_))) => {
                        Some("frame starting from current row cannot have preceding rows")
                    }
                    (B::Following(Some(_)), B::Preceding(Some(_)) | B::CurrentRow) => {
                        Some("frame starting from following row cannot have preceding rows")
                    }
                    _ => None,
                };
                let ([paren, start_at, end_at], found) =
                    self.window_positions(spec, Some(function.name.span()));
                exclusion = found.ok().flatten();
                if let Some(message) = misplaced {
                    let at = match (&frame.start_bound, &frame.end_bound) {
                        (B::Following(None), _) | (_, None) => start_at,
                        _ => end_at,
                    };
                    return Err(SqlError::new("42P20", message).at(at));
                }
                let offset = |b: &B| matches!(b, B::Preceding(Some(_)) | B::Following(Some(_)));
                let mut step = None;
                if units == FrameUnits::Range && (offset(&frame.start_bound) || offset(end_bound)) {
                    if order.len() != 1 {
                        return Err(SqlError::new(
                            "42P20",
                            "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                        )
                        .at(paren));
                    }
                    let sort = order_types[0].expression_type();
                    if sort == DataType::Date {
                        // A date orders as its midnight (in_range(date, date, interval)).
                        let (expr, ..) = &mut order[0];
                        let date = std::mem::replace(expr, Expr::Const(Value::Null));
                        *expr = self.cast_node(date, DataType::Date, DataType::Timestamp, false);
                    }
                    step = Some((sort, range_step(sort, self.session.timezone.clone())));
                }
                let start = self.frame_bound(&frame.start_bound, units, step.as_ref(), scope)?;
                let end = self.frame_bound(end_bound, units, step.as_ref(), scope)?;
                (units, start, end, step.and_then(|(_, step)| step))
            }
        };
        let mut call = WindowCall {
            func: WindowFunc::RowNumber,
            args: Vec::new(),
            partition,
            order,
            units,
            start,
            end,
            step,
            exclusion,
            result_type: DataType::Int8,
        };
        if let (Some(_), true) = (aggregate, distinct) {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "DISTINCT is not implemented for window functions",
            )
            .at(position));
        }
        if let Some(func) = aggregate {
            let agg =
                self.bind_agg_call(name, func, function, distinct, args, scope, aggs, position)?;
            call.result_type = agg.result_type;
            call.func = WindowFunc::Agg(agg);
            return Ok(call);
        }
        if distinct {
            return Err(SqlError::syntax(format!(
                "DISTINCT specified, but {name} is not an aggregate function"
            ))
            .at(position));
        }
        let exprs = positional_args(args.iter().copied())?;
        let mut bound = self.bind_args(&exprs, scope, aggs)?;
        let types: Vec<DataType> = bound.iter().map(|(_, t, _)| *t).collect();
        let count = bound.len();
        let arity = |range: std::ops::RangeInclusive<usize>, binder: &Binder<'_>| {
            if range.contains(&count) {
                Ok(())
            } else {
                Err(binder.no_function(name, &types, position))
            }
        };
        let int_arg = |binder: &mut Binder<'_>,
                       bound: &mut Vec<(Expr, DataType, Span)>,
                       index: usize|
         -> SqlResult<()> {
            let (e, ty, span) = bound[index].clone();
            if !(ty.is_integer() || ty == DataType::Unknown) {
                return Err(binder.no_function(name, &types, position));
            }
            bound[index].0 = binder.coerce_to(e, ty, DataType::Int8, span)?;
            Ok(())
        };
        match name {
            "row_number" | "rank" | "dense_rank" | "percent_rank" | "cume_dist" => {
                arity(0..=0, self)?;
                call.func = match name {
                    "row_number" => WindowFunc::RowNumber,
                    "rank" => WindowFunc::Rank,
                    "dense_rank" => WindowFunc::DenseRank,
                    "percent_rank" => WindowFunc::PercentRank,
                    _ => WindowFunc::CumeDist,
                };
                if matches!(name, "percent_rank" | "cume_dist") {
                    call.result_type = DataType::Float8;
                }
            }
            "ntile" => {
                arity(1..=1, self)?;
                int_arg(self, &mut bound, 0)?;
                call.func = WindowFunc::Ntile;
                call.result_type = DataType::Int4;
            }
            "lag" | "lead" => {
                arity(1..=3, self)?;
                if bound.len() > 1 {
                    int_arg(self, &mut bound, 1)?;
                }
                // lag/lead(anycompatible, integer, anycompatible): the value and the default
                // meet in their common type, as a UNION's branches do.
                let mut ty = types[0];
                if bound.len() > 2 {
                    let span = bound[2].2;
                    ty = match self.common_types(&[vec![types[0]], vec![types[2]]], "lag", span) {
                        Ok(common) => common[0],
                        Err(_) => {
                            let names: Vec<String> = types.iter().map(|t| t.name()).collect();
                            return Err(SqlError::new(
                                code::UNDEFINED_FUNCTION,
                                format!("function {name}({}) does not exist", names.join(", ")),
                            )
                            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
                            .at(position));
                        }
                    };
                }
                if ty == DataType::Unknown {
                    ty = DataType::Text;
                }
                for k in [0, 2] {
                    if let Some((e, from, span)) = bound.get(k).cloned() {
                        bound[k].0 = self.coerce_to(e, from, ty, span)?;
                    }
                }
                call.func = WindowFunc::Shift {
                    forward: name == "lead",
                };
                call.result_type = ty;
            }
            "first_value" | "last_value" | "nth_value" => {
                arity(if name == "nth_value" { 2..=2 } else { 1..=1 }, self)?;
                if name == "nth_value" {
                    int_arg(self, &mut bound, 1)?;
                }
                call.func = match name {
                    "first_value" => WindowFunc::FirstValue,
                    "last_value" => WindowFunc::LastValue,
                    _ => WindowFunc::NthValue,
                };
                call.result_type = if types[0] == DataType::Unknown {
                    DataType::Text
                } else {
                    types[0]
                };
            }
            _ => {
                return Err(SqlError::new(
                    code::WRONG_OBJECT_TYPE,
                    format!(
                    "OVER specified, but {name} is not a window function nor an aggregate function"
                ),
                )
                .at(position))
            }
        }
        call.args = bound.into_iter().map(|(e, ..)| e).collect();
        Ok(call)
    }

    /// One end of a window frame. An offset holds no column of the query (constants,
    /// parameters, outer references); ROWS and GROUPS count in bigint, RANGE steps in the type
    /// PostgreSQL's `in_range` takes with the ORDER BY column's type (`range`: that type and its
    /// step, none where it has none).
    fn frame_bound(
        &mut self,
        bound: &ast::WindowFrameBound,
        units: FrameUnits,
        range: Option<&(DataType, Option<RangeStep>)>,
        scope: &Scope<'_>,
    ) -> SqlResult<FrameBound> {
        let offset = |binder: &mut Binder<'_>, expr: &ast::Expr| -> SqlResult<Expr> {
            let construct = match units {
                FrameUnits::Rows => "ROWS",
                FrameUnits::Range => "RANGE",
                FrameUnits::Groups => "GROUPS",
            };
            let mut none = AggCollector {
                context: match units {
                    FrameUnits::Rows => "window ROWS",
                    FrameUnits::Range => "window RANGE",
                    FrameUnits::Groups => "window GROUPS",
                },
                ..Default::default()
            };
            let expr = binder.frame_offset_literal(expr).unwrap_or(expr);
            let (e, ty) = binder.bind_expr(expr, scope, &mut none)?;
            let mut columns = Vec::new();
            e.columns(&mut columns);
            if !columns.is_empty() {
                return Err(SqlError::new(
                    "42P10",
                    format!("argument of {construct} must not contain variables"),
                )
                .at(binder.pos(expr.span())));
            }
            let Some((sort, step)) = range else {
                return binder.coerce(e, ty, DataType::Int8, expr.span(), construct);
            };
            let candidates = range_offset_types(*sort, step.as_ref());
            let selected = range_offset_type(*sort, step.as_ref(), ty);
            let Some(selected) = selected else {
                let error = if candidates.is_empty() {
                    SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        format!(
                            "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
                            sort.name()
                        ),
                    )
                } else {
                    SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        format!(
                            "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {} and offset type {}",
                            sort.name(),
                            ty.name()
                        ),
                    )
                    .with_hint("Cast the offset value to an appropriate type.")
                };
                return Err(error.at(binder.pos(expr.span())));
            };
            binder.coerce_to(e, ty, selected, expr.span())
        };
        Ok(match bound {
            ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            ast::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            ast::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            ast::WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(offset(self, e)?),
            ast::WindowFrameBound::Following(Some(e)) => FrameBound::Following(offset(self, e)?),
        })
    }

    /// The text the syntax tree being bound was parsed from: a view's stored query while it is
    /// bound or deparsed, else the statement.
    fn spans_text(&self) -> &str {
        self.body_text.as_deref().unwrap_or(self.text)
    }

    /// Where a window definition's parts are in the statement, for PostgreSQL's error positions:
    /// the `(` it starts with, its frame's start bound and its frame's end bound; and its frame's
    /// EXCLUDE clause (Err: the frame was not found in the text). Found in the text after its
    /// last PARTITION BY or ORDER BY expression (or the call at `call`), as the parser keeps no
    /// positions of its own for them (nor the EXCLUDE clause: see `parse::frame_exclusions`).
    fn window_positions(
        &self,
        spec: &ast::WindowSpec,
        call: Option<Span>,
    ) -> ([Option<usize>; 3], Result<Option<FrameExclusion>, ()>) {
        let text = self.spans_text();
        let chars: Vec<char> = text.chars().collect();
        let exprs: Vec<&ast::Expr> = spec
            .partition_by
            .iter()
            .chain(spec.order_by.iter().map(|item| &item.expr))
            .collect();
        let from = match (exprs.last(), call) {
            (Some(last), _) => {
                let span = last.span();
                offset_of(text, span.end.line, span.end.column)
            }
            (None, Some(span)) => offset_of(text, span.end.line, span.end.column),
            (None, None) => None,
        };
        let Some(from) = from else {
            return ([None; 3], Err(()));
        };
        // The words after `from` (skipping quoted text), lowercase, with where they start.
        let mut words = Vec::new();
        let mut i = from;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' || c == '"' {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    i += 1;
                }
                i += 1;
            } else if c.is_alphanumeric() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                words.push((start, i, word.to_ascii_lowercase()));
            } else {
                i += 1;
            }
        }
        let after = |end: usize| {
            let mut at = end;
            while at < chars.len() && chars[at].is_whitespace() {
                at += 1;
            }
            at
        };
        let units = words
            .iter()
            .position(|(.., w)| matches!(w.as_str(), "rows" | "range" | "groups"));
        let mut start = None;
        let mut end = None;
        let mut exclusion = Err(());
        if let Some(units) = units {
            let between = words.get(units + 1).is_some_and(|(.., w)| w == "between");
            let bound_start = after(words[units + between as usize].1);
            start = Some(bound_start);
            let bound_word = |from: usize| {
                words.iter().position(|(at, _, w)| {
                    *at >= from && matches!(w.as_str(), "preceding" | "following" | "row")
                })
            };
            let mut last = bound_word(bound_start);
            if let Some(and) = last.and_then(|b| {
                words[b + 1..]
                    .iter()
                    .find(|(.., w)| w == "and")
                    .filter(|_| between)
            }) {
                end = Some(after(and.1));
                last = bound_word(after(and.1));
            }
            // An EXCLUDE clause right after the frame's last bound (blanked for sqlparser).
            if let Some(last) = last {
                let clause = after(words[last].1);
                exclusion = Ok(crate::parse::frame_exclusions(text)
                    .into_iter()
                    .find(|(at, ..)| *at == clause)
                    .and_then(|(.., exclusion)| exclusion));
            }
        }
        let first = exprs
            .first()
            .and_then(|e| {
                let span = e.span();
                offset_of(text, span.start.line, span.start.column)
            })
            .or(start);
        let paren = first.and_then(|at| chars[..at].iter().rposition(|&c| c == '('));
        // (Positions in a stored query's text are no positions in the statement.)
        let position = |at: Option<usize>| {
            at.filter(|_| self.body_text.is_none())
                .map(|at| self.offset + at + 1)
        };
        ([position(paren), position(start), position(end)], exclusion)
    }

    /// Whether `inner BETWEEN .. low` says SYMMETRIC between the two (a word blanked for
    /// sqlparser: see `parse::between_symmetries`). An error where the text has such a word and
    /// this BETWEEN cannot be placed in it (its operands keep no positions).
    pub(crate) fn between_symmetric(&self, inner: &ast::Expr, low: &ast::Expr) -> SqlResult<bool> {
        let text = self.spans_text();
        let found = crate::parse::between_symmetries(text);
        if found.is_empty() {
            return Ok(false);
        }
        let (end, start) = (inner.span().end, low.span().start);
        match offset_of(text, end.line, end.column).zip(offset_of(text, start.line, start.column)) {
            Some((from, to)) if from <= to => Ok(found
                .iter()
                .any(|&(at, _, symmetric)| symmetric && (from..to).contains(&at))),
            _ => Err(unsupported("BETWEEN SYMMETRIC with these operands")),
        }
    }

    /// sqlparser reads a frame offset written as a bare string constant (`RANGE '1 day'
    /// PRECEDING`) as an interval literal; PostgreSQL's is an untyped constant, which takes the
    /// offset type of the ORDER BY column. That constant, where `expr` is one.
    fn frame_offset_literal<'e>(&self, expr: &'e ast::Expr) -> Option<&'e ast::Expr> {
        let ast::Expr::Interval(interval) = expr else {
            return None;
        };
        let ast::Expr::Value(value) = interval.value.as_ref() else {
            return None;
        };
        let bare = interval.leading_field.is_none()
            && interval.last_field.is_none()
            && interval.fractional_seconds_precision.is_none()
            && matches!(value.value, ast::Value::SingleQuotedString(_));
        let text = self.spans_text();
        let start = value.span.start;
        let at = offset_of(text, start.line, start.column)?;
        let before: String = text.chars().take(at).collect();
        let keyword = before.trim_end().to_ascii_lowercase().ends_with("interval");
        (bare && !keyword).then_some(interval.value.as_ref())
    }

    fn now_expr(&self, name: &str) -> (Expr, DataType) {
        if name == "localtimestamp" {
            self.local_now(DataType::Timestamp)
        } else {
            (Expr::StatementTime, DataType::TimestampTz)
        }
    }

    /// The statement's start on the session's wall clock as a timestamp, date
    /// (`current_date`) or time (`localtime`).
    fn local_now(&self, ty: DataType) -> (Expr, DataType) {
        let explicit = ty == DataType::Time;
        (
            self.cast_node(Expr::StatementTime, DataType::TimestampTz, ty, explicit),
            ty,
        )
    }

    /// `make_interval([years [, months [, weeks [, days [, hours [, mins [, secs]]]]]]])`,
    /// arguments by position or by name (`days => 3`), those not given 0.
    fn bind_make_interval(
        &mut self,
        args: &[&FunctionArg],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        const NAMES: [&str; 7] = ["years", "months", "weeks", "days", "hours", "mins", "secs"];
        let mut given: [Option<&ast::Expr>; 7] = [None; 7];
        let mut named = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            let name = match arg {
                FunctionArg::Named { name, .. } => Some(name),
                FunctionArg::ExprNamed {
                    name: ast::Expr::Identifier(name),
                    ..
                } => Some(name),
                _ => None,
            };
            let value = match arg {
                FunctionArg::Named {
                    arg: FunctionArgExpr::Expr(expr),
                    ..
                }
                | FunctionArg::ExprNamed {
                    arg: FunctionArgExpr::Expr(expr),
                    ..
                }
                | FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => expr,
                _ => return Err(unsupported("these make_interval arguments")),
            };
            let (slot, expr) = match name {
                None if named.is_empty() => (i, value),
                None => return Err(unsupported("these make_interval arguments")),
                Some(name) => {
                    let expr = value;
                    let key = ident_name(name);
                    named.push(key.clone());
                    match NAMES.iter().position(|n| *n == key) {
                        Some(slot) => (slot, value),
                        None => {
                            let (_, ty) = self.bind_expr(expr, scope, aggs)?;
                            return Err(SqlError::new(
                                code::UNDEFINED_FUNCTION,
                                format!(
                                    "function make_interval({key} => {}) does not exist",
                                    ty.name()
                                ),
                            )
                            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
                            .at(position));
                        }
                    }
                }
            };
            if slot >= NAMES.len() {
                return Err(self.no_function("make_interval", &[DataType::Int4; 8], position));
            }
            if given[slot].is_some() {
                return Err(SqlError::syntax(format!(
                    "argument name \"{}\" used more than once",
                    NAMES[slot]
                ))
                .at(position));
            }
            given[slot] = Some(expr);
        }
        let mut bound = Vec::with_capacity(7);
        for (slot, expr) in given.iter().enumerate() {
            let to = if slot == 6 {
                DataType::Float8
            } else {
                DataType::Int8
            };
            bound.push(match expr {
                Some(expr) => {
                    let (value, ty) = self.bind_expr(expr, scope, aggs)?;
                    self.coerce(value, ty, to, expr.span(), "make_interval")?
                }
                None if slot == 6 => Expr::Const(Value::Float(0.0)),
                None => Expr::Const(Value::Int(0)),
            });
        }
        let f = crate::functions::Scalar::MakeInterval;
        Ok((Expr::Scalar(f, bound), DataType::Interval))
    }

    /// The session's `TimeZone` (UTC when it sets none).
    fn zone(&self) -> SqlResult<crate::tz::Zone> {
        match &self.session.timezone {
            None => Ok(crate::tz::Zone::UTC),
            Some(name) => crate::tz::Zone::of_setting(name),
        }
    }

    /// A [`crate::tz::ZoneOp`] call over `args` with the session's zone, or None when the
    /// session is in UTC (the plain operation gives the same).
    fn zoned(&self, op: crate::tz::ZoneOp, args: Vec<Expr>) -> Option<Expr> {
        let zone = self.session.timezone.as_ref()?;
        let mut all = vec![Expr::Const(Value::Text(zone.clone()))];
        all.extend(args);
        Some(Expr::Scalar(crate::functions::Scalar::Zoned(op), all))
    }

    /// Whether a cast between `from` and `to` crosses between an instant and a wall clock or
    /// text, which the session's zone does when it is not UTC.
    pub(crate) fn cast_reads_zone(&self, from: DataType, to: DataType) -> bool {
        use DataType as D;
        if let (Some(from), Some(to)) = (from.element(), to.element()) {
            return self.cast_reads_zone(from, to);
        }
        let wall = |t: DataType| {
            matches!(t, D::Timestamp | D::Date | D::Time | D::Unknown) || t.is_string()
        };
        let instant = |t: DataType| t == D::TimestampTz || t.element() == Some(D::TimestampTz);
        self.session.timezone.is_some()
            && ((instant(from) && wall(to)) || (instant(to) && wall(from)))
    }

    /// `expr` of type `from` cast to `to`: through the session's zone where the cast reads it.
    pub(crate) fn cast_node(
        &self,
        expr: Expr,
        from: DataType,
        to: DataType,
        explicit: bool,
    ) -> Expr {
        if let DataType::Reg(kind) = from {
            if to.is_string() && to != DataType::Unknown {
                // reg* output: the object's name.
                let name = self.reg_names(kind, expr);
                return match to {
                    DataType::Text => name,
                    _ => Expr::Cast(Box::new(name), DataType::Text, to, explicit),
                };
            }
        }
        if self.cast_reads_zone(from, to) {
            if let Some(zoned) = self.zoned(
                crate::tz::ZoneOp::Cast(from, to, explicit),
                vec![expr.clone()],
            ) {
                return zoned;
            }
        }
        Expr::Cast(Box::new(expr), from, to, explicit)
    }

    /// A constant cast at bind time (as [`Binder::cast_node`] would evaluate it).
    fn cast_const(
        &self,
        value: Value,
        from: DataType,
        to: DataType,
        explicit: bool,
    ) -> SqlResult<Value> {
        if matches!(from, DataType::Reg(_)) && to.is_string() {
            let named = self.cast_node(Expr::Const(value), from, to, explicit);
            return named.eval(&[], &EvalContext::new(&[], 0));
        }
        match self
            .session
            .timezone
            .as_ref()
            .filter(|_| self.cast_reads_zone(from, to))
        {
            Some(zone) => crate::tz::zoned(
                crate::tz::ZoneOp::Cast(from, to, explicit),
                &[Value::Text(zone.clone()), value],
            ),
            None => cast(value, from, to, explicit),
        }
    }

    fn literal(
        &mut self,
        value: &ast::Value,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        Ok(match value {
            ast::Value::Number(text, _) => {
                if let Ok(i) = text.parse::<i64>() {
                    let ty = if i32::try_from(i).is_ok() {
                        DataType::Int4
                    } else {
                        DataType::Int8
                    };
                    (Expr::Const(Value::Int(i)), ty)
                } else {
                    let d = crate::types::numeric_input(text).map_err(|e| e.at(position))?;
                    (Expr::Const(Value::numeric(d)), DataType::Numeric)
                }
            }
            // U&'\0041' comes decoded.
            ast::Value::SingleQuotedString(s)
            | ast::Value::EscapedStringLiteral(s)
            | ast::Value::UnicodeStringLiteral(s) => {
                (Expr::Const(Value::Text(s.clone())), DataType::Unknown)
            }
            ast::Value::DollarQuotedString(s) => {
                (Expr::Const(Value::Text(s.value.clone())), DataType::Unknown)
            }
            ast::Value::Boolean(b) => (Expr::Const(Value::Bool(*b)), DataType::Bool),
            ast::Value::Null => (Expr::Const(Value::Null), DataType::Unknown),
            ast::Value::Placeholder(name) => {
                let index: usize = name.trim_start_matches('$').parse().map_err(|_| {
                    SqlError::syntax(format!("syntax error at or near \"{name}\"")).at(position)
                })?;
                if index == 0 || index > 65_535 {
                    return Err(SqlError::new(
                        code::UNDEFINED_PARAMETER,
                        format!("there is no parameter ${index}"),
                    )
                    .at(position));
                }
                if self.params.len() < index {
                    self.params.resize(index, None);
                }
                let ty = self.params[index - 1].unwrap_or(DataType::Unknown);
                (Expr::Param(index - 1), ty)
            }
            other => return Err(unsupported(format!("literal {other}")).at(position)),
        })
    }

    /// Brings two operands to a common type for `op`; returns (left, right, common type).
    fn unify(
        &mut self,
        left: Expr,
        lt: DataType,
        right: Expr,
        rt: DataType,
        op: &str,
        span: Span,
    ) -> SqlResult<(Expr, Expr, DataType)> {
        let mismatch = |binder: &Binder<'_>| {
            SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} {op} {}", lt.name(), rt.name()))
                .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                .at(binder.pos(span))
        };
        match (lt, rt) {
            (DataType::Unknown, DataType::Unknown) => {
                let left = self.coerce_to(left, lt, DataType::Text, span)?;
                let right = self.coerce_to(right, rt, DataType::Text, span)?;
                Ok((left, right, DataType::Text))
            }
            (DataType::Unknown, other) => {
                Ok((self.coerce_to(left, lt, other, span)?, right, other))
            }
            (other, DataType::Unknown) => {
                Ok((left, self.coerce_to(right, rt, other, span)?, other))
            }
            (a, b) if a.is_numeric_family() && b.is_numeric_family() => {
                // real meets another number type in double precision: PostgreSQL has only
                // float4-float4 and float4-float8 operators, and float8 is the preferred type.
                let common = if (a == DataType::Float4) != (b == DataType::Float4) {
                    DataType::Float8
                } else {
                    wider(a, b)
                };
                let left = if a.is_integer() && common.is_integer() {
                    left
                } else {
                    self.coerce_to(left, a, common, span)?
                };
                let right = if b.is_integer() && common.is_integer() {
                    right
                } else {
                    self.coerce_to(right, b, common, span)?
                };
                Ok((left, right, common))
            }
            (a, b) if a.is_string() && b.is_string() => {
                // char(n) compares without trailing blanks: compare as text.
                let strip =
                    |binder: &mut Binder<'_>, expr: Expr, ty: DataType| -> SqlResult<Expr> {
                        if matches!(ty, DataType::Char(_))
                            && !matches!((a, b), (DataType::Char(_), DataType::Char(_)))
                        {
                            binder.coerce_to(expr, ty, DataType::Text, span)
                        } else if let (DataType::Char(_), DataType::Char(_)) = (a, b) {
                            Ok(Expr::Cast(Box::new(expr), ty, DataType::Text, false))
                        } else {
                            Ok(expr)
                        }
                    };
                let left = strip(self, left, a)?;
                let right = strip(self, right, b)?;
                Ok((left, right, DataType::Text))
            }
            // timestamp meets timestamptz as the instant its wall clock is in the session's
            // zone (the same value in UTC).
            (a, b)
                if a.is_timestamp()
                    && b.is_timestamp()
                    && (a == b || self.session.timezone.is_none()) =>
            {
                Ok((left, right, a))
            }
            (a, b) if a.is_datetime() && b.is_datetime() => {
                // A date compares with a timestamp as that day's midnight; timestamp with
                // timestamptz as timestamptz.
                let common = match (a, b) {
                    (DataType::Date, b) => b,
                    (a, DataType::Date) => a,
                    _ => DataType::TimestampTz,
                };
                let left = self.coerce_to(left, a, common, span)?;
                let right = self.coerce_to(right, b, common, span)?;
                Ok((left, right, common))
            }
            // A table's row against a row constructor (or another table's row) of the same
            // field types.
            (DataType::Record(a), DataType::Record(b))
                if a.fields()
                    .iter()
                    .map(|f| f.1)
                    .eq(b.fields().iter().map(|f| f.1)) =>
            {
                Ok((left, right, lt))
            }
            (a, b) if a == b => Ok((left, right, a)),
            _ => Err(mismatch(self)),
        }
    }

    fn bind_binary(
        &mut self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        if let (Some(lefts), Some(rights)) = (row_items(left), row_items(right)) {
            let position = self.pos_after_row(left).or(position);
            return self.bind_row_comparison(&lefts, op, &rights, scope, aggs, position);
        }
        let (lb, lt) = self.bind_expr(left, scope, aggs)?;
        let (rb, rt) = self.bind_expr(right, scope, aggs)?;
        let span = left.span().union(&right.span());
        if matches!(
            op,
            BinaryOperator::StringConcat
                | BinaryOperator::AtArrow
                | BinaryOperator::ArrowAt
                | BinaryOperator::PGOverlap
        ) && (lt.element().is_some() || rt.element().is_some())
        {
            if let Some(bound) = self.bind_array_operator(
                op,
                (lb.clone(), lt, left.span()),
                (rb.clone(), rt, right.span()),
                position,
            )? {
                return Ok(bound);
            }
        }
        match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let name = if *op == BinaryOperator::And {
                    "AND"
                } else {
                    "OR"
                };
                let lb = self.coerce(lb, lt, DataType::Bool, left.span(), name)?;
                let rb = self.coerce(rb, rt, DataType::Bool, right.span(), name)?;
                let op = if name == "AND" { BinOp::And } else { BinOp::Or };
                Ok((Expr::Binary(op, Box::new(lb), Box::new(rb)), DataType::Bool))
            }
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq => {
                let (lb, rb, _) =
                    self.unify(lb, lt, rb, rt, &op.to_string(), span)
                        .map_err(|mut e| {
                            // A missing operator is reported at the operator, as PostgreSQL
                            // does; a literal that does not convert, at the literal.
                            if e.code == code::UNDEFINED_FUNCTION || e.position.is_none() {
                                e.position = position.or(e.position);
                            } else if rt == DataType::Unknown {
                                e.position = self.pos(right.span()).or(e.position);
                            } else if lt == DataType::Unknown {
                                e.position = self.pos(left.span()).or(e.position);
                            }
                            e
                        })?;
                let op = match op {
                    BinaryOperator::Eq => BinOp::Eq,
                    BinaryOperator::NotEq => BinOp::NotEq,
                    BinaryOperator::Lt => BinOp::Lt,
                    BinaryOperator::LtEq => BinOp::LtEq,
                    BinaryOperator::Gt => BinOp::Gt,
                    _ => BinOp::GtEq,
                };
                Ok((Expr::Binary(op, Box::new(lb), Box::new(rb)), DataType::Bool))
            }
            BinaryOperator::Arrow
            | BinaryOperator::LongArrow
            | BinaryOperator::HashArrow
            | BinaryOperator::HashLongArrow
            | BinaryOperator::AtArrow
            | BinaryOperator::ArrowAt
            | BinaryOperator::Question
            | BinaryOperator::QuestionPipe
            | BinaryOperator::QuestionAnd
            | BinaryOperator::HashMinus => {
                self.bind_json_operator(op, (lb, lt, left.span()), (rb, rt, right.span()), position)
            }
            BinaryOperator::AtQuestion | BinaryOperator::AtAt
                if matches!(lt, DataType::Jsonb | DataType::Unknown)
                    && matches!(rt, DataType::JsonPath | DataType::Unknown) =>
            {
                // jsonb @? jsonpath, jsonb @@ jsonpath: the functions, silent.
                let func = if matches!(op, BinaryOperator::AtQuestion) {
                    crate::jsonpath::PathFunc::Exists
                } else {
                    crate::jsonpath::PathFunc::Match
                };
                self.check_path_literal(&rb, rt, right.span())?;
                let path = self.coerce_to(rb, rt, DataType::JsonPath, right.span())?;
                let args = vec![
                    self.coerce_to(lb, lt, DataType::Jsonb, left.span())?,
                    path,
                    Expr::Const(Value::Text("{}".into())),
                    Expr::Const(Value::Bool(true)),
                ];
                Ok((
                    Expr::Scalar(crate::functions::Scalar::JsonPath(func), args),
                    DataType::Bool,
                ))
            }
            BinaryOperator::StringConcat | BinaryOperator::Minus
                if lt == DataType::Jsonb
                    || (rt == DataType::Jsonb
                        && matches!(op, BinaryOperator::StringConcat)
                        && lt == DataType::Unknown) =>
            {
                self.bind_json_operator(op, (lb, lt, left.span()), (rb, rt, right.span()), position)
            }
            BinaryOperator::PGStartsWith => {
                // text ^@ text: starts_with.
                let string = |t: DataType| t.is_string() || t == DataType::Unknown;
                if !(string(lt) && string(rt)) {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} ^@ {}", lt.name(), rt.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position));
                }
                let lb = self.text_expr(lb, lt, left.span())?;
                let rb = self.text_expr(rb, rt, right.span())?;
                Ok((
                    Expr::Scalar(crate::functions::Scalar::StartsWith, vec![lb, rb]),
                    DataType::Bool,
                ))
            }
            BinaryOperator::PGRegexMatch
            | BinaryOperator::PGRegexIMatch
            | BinaryOperator::PGRegexNotMatch
            | BinaryOperator::PGRegexNotIMatch => {
                let string = |t: DataType| t.is_string() || t == DataType::Unknown;
                if !(string(lt) && string(rt)) {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} {op} {}", lt.name(), rt.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position));
                }
                let lb = self.text_expr(lb, lt, left.span())?;
                let rb = self.text_expr(rb, rt, right.span())?;
                let op = BinOp::Regex {
                    insensitive: matches!(
                        op,
                        BinaryOperator::PGRegexIMatch | BinaryOperator::PGRegexNotIMatch
                    ),
                    negated: matches!(
                        op,
                        BinaryOperator::PGRegexNotMatch | BinaryOperator::PGRegexNotIMatch
                    ),
                };
                Ok((Expr::Binary(op, Box::new(lb), Box::new(rb)), DataType::Bool))
            }
            BinaryOperator::StringConcat
                if (lt == DataType::Bytea || rt == DataType::Bytea)
                    && !(lt.is_string() && lt != DataType::Unknown)
                    && !(rt.is_string() && rt != DataType::Unknown) =>
            {
                let lb = self.coerce(lb, lt, DataType::Bytea, left.span(), "||")?;
                let rb = self.coerce(rb, rt, DataType::Bytea, right.span(), "||")?;
                Ok((
                    Expr::Binary(BinOp::Concat, Box::new(lb), Box::new(rb)),
                    DataType::Bytea,
                ))
            }
            BinaryOperator::StringConcat => {
                if !(lt.is_string() || rt.is_string()) {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} || {}", lt.name(), rt.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position));
                }
                let lb = self.text_expr(lb, lt, left.span())?;
                let rb = self.text_expr(rb, rt, right.span())?;
                Ok((
                    Expr::Binary(BinOp::Concat, Box::new(lb), Box::new(rb)),
                    DataType::Text,
                ))
            }
            BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
            | BinaryOperator::Modulo => {
                let symbol = op.to_string();
                let temporal =
                    |t: DataType| t.is_datetime() || t == DataType::Interval || t == DataType::Time;
                if temporal(lt) || temporal(rt) {
                    return self.bind_time_arithmetic(op, (lb, lt), (rb, rt), span, position);
                }
                let both_unknown = lt == DataType::Unknown && rt == DataType::Unknown;
                let numeric = |t: DataType| t.is_numeric_family() || t == DataType::Unknown;
                if both_unknown || !numeric(lt) || !numeric(rt) {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} {symbol} {}", lt.name(), rt.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position));
                }
                let (lb, rb, common) = self.unify(lb, lt, rb, rt, &symbol, span)?;
                if matches!(common, DataType::Float4 | DataType::Float8)
                    && matches!(op, BinaryOperator::Modulo)
                {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} % {}", lt.name(), rt.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position));
                }
                let common = if common == DataType::Int2
                    && (lt == DataType::Unknown || rt == DataType::Unknown)
                {
                    DataType::Int2
                } else {
                    common
                };
                let op = match op {
                    BinaryOperator::Plus => BinOp::Add(common),
                    BinaryOperator::Minus => BinOp::Sub(common),
                    BinaryOperator::Multiply => BinOp::Mul(common),
                    BinaryOperator::Divide => BinOp::Div(common),
                    _ => BinOp::Mod(common),
                };
                Ok((Expr::Binary(op, Box::new(lb), Box::new(rb)), common))
            }
            BinaryOperator::BitwiseAnd
            | BinaryOperator::BitwiseOr
            | BinaryOperator::PGBitwiseXor
            | BinaryOperator::PGBitwiseShiftLeft
            | BinaryOperator::PGBitwiseShiftRight => {
                let symbol = op.to_string();
                let integer = |t: DataType| t.is_integer() || t == DataType::Unknown;
                if !integer(lt)
                    || !integer(rt)
                    || (lt == DataType::Unknown && rt == DataType::Unknown)
                {
                    return Err(SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} {symbol} {}", lt.name(), rt.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position));
                }
                let bit = match op {
                    BinaryOperator::BitwiseAnd => BitOp::And,
                    BinaryOperator::BitwiseOr => BitOp::Or,
                    BinaryOperator::PGBitwiseXor => BitOp::Xor,
                    BinaryOperator::PGBitwiseShiftLeft => BitOp::ShiftLeft,
                    _ => BitOp::ShiftRight,
                };
                if matches!(bit, BitOp::ShiftLeft | BitOp::ShiftRight) {
                    // int2/int4/int8 shifted by an integer count: the left operand's type.
                    let ty = if lt == DataType::Unknown {
                        DataType::Int4
                    } else {
                        lt
                    };
                    let lb = self.coerce(lb, lt, ty, left.span(), &symbol)?;
                    let rb = self.coerce(rb, rt, DataType::Int4, right.span(), &symbol)?;
                    return Ok((
                        Expr::Binary(BinOp::Bit(bit, ty), Box::new(lb), Box::new(rb)),
                        ty,
                    ));
                }
                let (lb, rb, common) = self.unify(lb, lt, rb, rt, &symbol, span)?;
                Ok((
                    Expr::Binary(BinOp::Bit(bit, common), Box::new(lb), Box::new(rb)),
                    common,
                ))
            }
            // `^` is `power`: numeric when an operand is numeric and none is a float.
            BinaryOperator::PGExp => {
                let numeric = |t: DataType| t.is_numeric_family() || t == DataType::Unknown;
                let missing = || {
                    SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} ^ {}", lt.name(), rt.name()))
                        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                        .at(position)
                };
                if !numeric(lt) || !numeric(rt) {
                    return Err(missing());
                }
                let mut bound = [(lb, lt, left.span()), (rb, rt, right.span())];
                self.library_function("power", &mut bound, &[lt, rt])?
                    .ok_or_else(missing)
            }
            other => Err(unsupported(format!("operator {other}")).at(position)),
        }
    }

    /// A comparison of two row constructors, as PostgreSQL defines it: `=` when every pair is
    /// equal, `<>` when some pair differs, and `< <= > >=` decided by the first pair that is not
    /// equal (NULL when that comparison meets a NULL). Bound as the pairwise comparisons joined
    /// with AND/OR, whose three-valued logic gives exactly those answers.
    fn bind_row_comparison(
        &mut self,
        lefts: &[&ast::Expr],
        op: &BinaryOperator,
        rights: &[&ast::Expr],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        if lefts.len() != rights.len() {
            return Err(
                SqlError::syntax("unequal number of entries in row expressions").at(position),
            );
        }
        if lefts.is_empty() {
            return Err(unsupported("comparing empty rows").at(position));
        }
        let and_or = |op: BinOp, a: Expr, b: Expr| Expr::Binary(op, Box::new(a), Box::new(b));
        let strict = match op {
            BinaryOperator::Eq | BinaryOperator::NotEq => None,
            BinaryOperator::Lt | BinaryOperator::LtEq => Some(BinaryOperator::Lt),
            BinaryOperator::Gt | BinaryOperator::GtEq => Some(BinaryOperator::Gt),
            other => {
                return Err(SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    format!(
                        "could not determine interpretation of row comparison operator {other}"
                    ),
                )
                .at(position))
            }
        };
        let last = lefts.len() - 1;
        let mut combined = self
            .bind_binary(lefts[last], op, rights[last], scope, aggs, position)?
            .0;
        for i in (0..last).rev() {
            combined = match &strict {
                None => {
                    let pair = self
                        .bind_binary(lefts[i], op, rights[i], scope, aggs, position)?
                        .0;
                    let join = if *op == BinaryOperator::Eq {
                        BinOp::And
                    } else {
                        BinOp::Or
                    };
                    and_or(join, pair, combined)
                }
                Some(strict) => {
                    let before = self
                        .bind_binary(lefts[i], strict, rights[i], scope, aggs, position)?
                        .0;
                    let equal = self
                        .bind_binary(
                            lefts[i],
                            &BinaryOperator::Eq,
                            rights[i],
                            scope,
                            aggs,
                            position,
                        )?
                        .0;
                    and_or(BinOp::Or, before, and_or(BinOp::And, equal, combined))
                }
            };
        }
        Ok((combined, DataType::Bool))
    }

    /// `+ - * /` with a date, timestamp or interval operand (PostgreSQL's operators for them).
    fn bind_time_arithmetic(
        &mut self,
        op: &BinaryOperator,
        (lb, lt): (Expr, DataType),
        (rb, rt): (Expr, DataType),
        span: Span,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        use crate::datetime::TimeOp as T;
        use DataType as D;
        let mismatch = |binder: &Binder<'_>| {
            SqlError::new(code::UNDEFINED_FUNCTION, format!("operator does not exist: {} {op} {}", lt.name(), rt.name()))
                .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
                .at(position.or(binder.pos(span)))
        };
        // An unknown literal takes the type the other operand's operators want.
        let resolve = |ty: DataType, other: DataType, op: &BinaryOperator| match (ty, other) {
            (D::Unknown, D::Time) if matches!(op, BinaryOperator::Minus) => D::Time,
            (D::Unknown, D::Time) => D::Interval,
            (D::Unknown, D::Date) if matches!(op, BinaryOperator::Minus) => D::Date,
            (D::Unknown, D::Date) => D::Int4,
            (D::Unknown, D::Interval) => D::Interval,
            (D::Unknown, t) if t.is_timestamp() && matches!(op, BinaryOperator::Plus) => {
                D::Interval
            }
            (D::Unknown, t) if t.is_timestamp() => t,
            (ty, _) => ty,
        };
        let (lt2, rt2) = (resolve(lt, rt, op), resolve(rt, lt, op));
        let lb = self.coerce_to(lb, lt, lt2, span)?;
        let rb = self.coerce_to(rb, rt, rt2, span)?;
        let as_ts = |binder: &mut Binder<'_>, e: Expr, t: DataType| -> SqlResult<Expr> {
            if t == D::Date {
                binder.coerce_to(e, D::Date, D::Timestamp, span)
            } else {
                Ok(e)
            }
        };
        let ts_type = |t: DataType| if t == D::Date { D::Timestamp } else { t };
        let (op, left, right, ty) = match (op, lt2, rt2) {
            (BinaryOperator::Plus, D::Time, D::Interval) => (T::TimeAdd, lb, rb, D::Time),
            (BinaryOperator::Plus, D::Interval, D::Time) => (T::TimeAdd, rb, lb, D::Time),
            (BinaryOperator::Minus, D::Time, D::Interval) => (T::TimeSub, lb, rb, D::Time),
            (BinaryOperator::Minus, D::Time, D::Time) => (T::TimeDiff, lb, rb, D::Interval),
            (BinaryOperator::Plus, D::Date, D::Time) => (T::DateAddTime, lb, rb, D::Timestamp),
            (BinaryOperator::Plus, D::Time, D::Date) => (T::DateAddTime, rb, lb, D::Timestamp),
            (BinaryOperator::Plus, D::Date, t) if t.is_integer() => (T::AddDays, lb, rb, D::Date),
            (BinaryOperator::Plus, t, D::Date) if t.is_integer() => (T::AddDays, rb, lb, D::Date),
            (BinaryOperator::Minus, D::Date, t) if t.is_integer() => (T::SubDays, lb, rb, D::Date),
            (BinaryOperator::Minus, D::Date, D::Date) => (T::DiffDays, lb, rb, D::Int4),
            (BinaryOperator::Plus, t, D::Interval) if t.is_datetime() => {
                (T::AddInterval, as_ts(self, lb, t)?, rb, ts_type(t))
            }
            (BinaryOperator::Plus, D::Interval, t) if t.is_datetime() => {
                (T::AddInterval, as_ts(self, rb, t)?, lb, ts_type(t))
            }
            (BinaryOperator::Minus, t, D::Interval) if t.is_datetime() => {
                (T::SubInterval, as_ts(self, lb, t)?, rb, ts_type(t))
            }
            (BinaryOperator::Minus, a, b) if a.is_datetime() && b.is_datetime() => {
                let common = if a == D::TimestampTz || b == D::TimestampTz {
                    D::TimestampTz
                } else {
                    D::Timestamp
                };
                let left = self.coerce_to(lb, a, common, span)?;
                let right = self.coerce_to(rb, b, common, span)?;
                (T::DiffTimestamps, left, right, D::Interval)
            }
            (BinaryOperator::Plus, D::Interval, D::Interval) => {
                (T::IntervalAdd, lb, rb, D::Interval)
            }
            (BinaryOperator::Minus, D::Interval, D::Interval) => {
                (T::IntervalSub, lb, rb, D::Interval)
            }
            (BinaryOperator::Multiply, D::Interval, t) if t.is_numeric_family() => {
                (T::IntervalMul, lb, rb, D::Interval)
            }
            (BinaryOperator::Multiply, t, D::Interval) if t.is_numeric_family() => {
                (T::IntervalMul, rb, lb, D::Interval)
            }
            (BinaryOperator::Divide, D::Interval, t) if t.is_numeric_family() => {
                (T::IntervalDiv, lb, rb, D::Interval)
            }
            _ => return Err(mismatch(self)),
        };
        if let (T::AddInterval | T::SubInterval, D::TimestampTz) = (op, ty) {
            let subtract = op == T::SubInterval;
            let args = vec![left.clone(), right.clone()];
            if let Some(zoned) = self.zoned(crate::tz::ZoneOp::Add(subtract), args) {
                return Ok((zoned, ty));
            }
        }
        Ok((
            Expr::Binary(BinOp::Time(op), Box::new(left), Box::new(right)),
            ty,
        ))
    }

    fn text_expr(&mut self, expr: Expr, ty: DataType, span: Span) -> SqlResult<Expr> {
        match ty {
            DataType::Text | DataType::Varchar(_) => Ok(expr),
            _ => {
                let folded = self.coerce_to(expr, ty, DataType::Text, span)?;
                Ok(folded)
            }
        }
    }

    /// Binds a function call; returns it with its type. The argument of a JSON function that
    /// takes a row may name a FROM item for its whole row (see `whole_row`).
    fn bind_function(
        &mut self,
        function: &ast::Function,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        let name = function_name(&function.name);
        let takes_row = matches!(
            name.trim_start_matches("pg_catalog."),
            "row_to_json" | "to_json" | "to_jsonb" | "json_agg" | "jsonb_agg"
        );
        let outer = std::mem::replace(&mut self.whole_row_json, takes_row);
        let bound = self.bind_function_call(function, scope, aggs, position);
        self.whole_row_json = outer;
        bound
    }

    fn bind_function_call(
        &mut self,
        function: &ast::Function,
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        let mut name = function_name(&function.name);
        if let Some(stripped) = name.strip_prefix("pg_catalog.") {
            name = stripped.to_string();
        }
        let ordered_set = matches!(
            name.as_str(),
            "percentile_cont" | "percentile_disc" | "mode"
        );
        if !function.within_group.is_empty() && !ordered_set {
            return Err(unsupported(format!("WITHIN GROUP for {name}")));
        }
        if ordered_set && function.within_group.len() != 1 {
            return Err(unsupported(format!("{name} without one WITHIN GROUP key")));
        }
        if let Some(oid) = self.domain_column_type(&name, function, scope, aggs)? {
            return Ok((
                Expr::Const(Value::Int(oid)),
                DataType::Reg(crate::types::RegKind::Type),
            ));
        }
        let (distinct, args): (bool, Vec<&FunctionArg>) = match &function.args {
            FunctionArguments::None => {
                return match name.as_str() {
                    "current_timestamp" | "localtimestamp" => Ok(self.now_expr(&name)),
                    "localtime" => Ok(self.local_now(DataType::Time)),
                    "current_date" => Ok(self.local_now(DataType::Date)),
                    "current_user" | "user" | "current_role" => Ok((
                        Expr::Const(Value::Text(self.session.user.clone())),
                        DataType::Text,
                    )),
                    "session_user" => Ok((
                        Expr::Const(Value::Text(self.session_user().to_string())),
                        DataType::Text,
                    )),
                    "current_schema" => Ok(self.current_schema()),
                    "current_catalog" => Ok((
                        Expr::Const(Value::Text(self.session.database.clone())),
                        DataType::Text,
                    )),
                    _ => Err(SqlError::new(
                        code::UNDEFINED_COLUMN,
                        format!("column \"{name}\" does not exist"),
                    )
                    .at(position)),
                }
            }
            FunctionArguments::Subquery(query) if name == "array" => {
                return self.bind_array_subquery(query, scope, position)
            }
            FunctionArguments::Subquery(_) => return Err(unsupported("subqueries")),
            FunctionArguments::List(list) => {
                if list
                    .clauses
                    .iter()
                    .any(|c| !matches!(c, ast::FunctionArgumentClause::OrderBy(_)))
                {
                    return Err(unsupported("this clause in a function call"));
                }
                (
                    matches!(
                        list.duplicate_treatment,
                        Some(ast::DuplicateTreatment::Distinct)
                    ),
                    list.args.iter().collect(),
                )
            }
        };
        let aggregate = match name.as_str() {
            "count" => Some(AggFunc::Count),
            "sum" => Some(AggFunc::Sum),
            "avg" => Some(AggFunc::Avg),
            "min" => Some(AggFunc::Min),
            "max" => Some(AggFunc::Max),
            "variance" | "var_samp" => Some(AggFunc::Variance {
                sample: true,
                root: false,
            }),
            "var_pop" => Some(AggFunc::Variance {
                sample: false,
                root: false,
            }),
            "stddev" | "stddev_samp" => Some(AggFunc::Variance {
                sample: true,
                root: true,
            }),
            "stddev_pop" => Some(AggFunc::Variance {
                sample: false,
                root: true,
            }),
            "bool_and" | "every" => Some(AggFunc::Bool(true)),
            "bool_or" => Some(AggFunc::Bool(false)),
            name if crate::expr::Regr::ALL.iter().any(|r| r.name() == name) => {
                let regr = crate::expr::Regr::ALL
                    .into_iter()
                    .find(|r| r.name() == name);
                regr.map(AggFunc::Regr)
            }
            "string_agg" | "json_agg" | "jsonb_agg" | "array_agg" | "percentile_cont"
            | "percentile_disc" | "mode" | "json_object_agg" | "jsonb_object_agg"
                if name != "mode" || ordered_set =>
            {
                Some(AggFunc::Collect(crate::expr::Collect {
                    kind: match name.as_str() {
                        "string_agg" => crate::expr::CollectKind::StringAgg,
                        "array_agg" => crate::expr::CollectKind::ArrayAgg,
                        "json_agg" => crate::expr::CollectKind::JsonAgg,
                        "json_object_agg" => crate::expr::CollectKind::JsonObjectAgg,
                        "jsonb_object_agg" => crate::expr::CollectKind::JsonbObjectAgg,
                        "percentile_cont" => crate::expr::CollectKind::PercentileCont,
                        "percentile_disc" => crate::expr::CollectKind::PercentileDisc,
                        "mode" => crate::expr::CollectKind::Mode,
                        _ => crate::expr::CollectKind::JsonbAgg,
                    },
                    keys: 0,
                    desc: 0,
                    nulls_first: 0,
                    structured: false,
                }))
            }
            _ => None,
        };
        if aggregate.is_none() && function.filter.is_some() {
            return Err(SqlError::syntax(format!(
                "FILTER specified, but {name} is not an aggregate function"
            ))
            .at(position));
        }
        if let Some(over) = &function.over {
            return self.bind_window_call(
                &name, function, over, aggregate, distinct, &args, scope, aggs, position,
            );
        }
        if let Some(func) = aggregate {
            if !aggs.allowed {
                let context = if aggs.context.is_empty() {
                    "this context"
                } else {
                    aggs.context
                };
                let code = match context {
                    RECURSIVE_TERM => code::INVALID_RECURSION,
                    _ => code::GROUPING_ERROR,
                };
                return Err(SqlError::new(
                    code,
                    format!("aggregate functions are not allowed in {context}"),
                )
                .at(position));
            }
            let mut inner = AggCollector {
                allowed: false,
                context: "aggregate function calls",
                ..Default::default()
            };
            let call = self.bind_agg_call(
                &name, func, function, distinct, &args, scope, &mut inner, position,
            )?;
            let result_type = call.result_type;
            aggs.aggs.push(call);
            return Ok((Expr::Agg(aggs.aggs.len() - 1), result_type));
        }
        if distinct {
            return Err(SqlError::syntax(format!(
                "DISTINCT specified, but {name} is not an aggregate function"
            ))
            .at(position));
        }
        if name == "make_interval" {
            return self.bind_make_interval(&args, scope, aggs, position);
        }
        if let Some(func) = crate::jsonpath::PathFunc::named(&name) {
            let slots = path_arguments(&args)?;
            let bound = self.bind_path_arguments(func, &slots, scope, aggs, position)?;
            if func == crate::jsonpath::PathFunc::Query {
                if aggs.context == "aggregate function calls" {
                    return self.bind_set_function(&name, &[], scope, aggs, position);
                }
                aggs.srfs.push((TableFunc::JsonPath, bound));
                return Ok((Expr::SetFn(aggs.srfs.len() - 1), DataType::Jsonb));
            }
            let ty = match func {
                crate::jsonpath::PathFunc::Exists | crate::jsonpath::PathFunc::Match => {
                    DataType::Bool
                }
                _ => DataType::Jsonb,
            };
            return Ok((
                Expr::Scalar(crate::functions::Scalar::JsonPath(func), bound),
                ty,
            ));
        }
        let exprs = positional_args(args.iter().copied())?;
        if matches!(
            name.as_str(),
            "unnest"
                | "generate_series"
                | "generate_subscripts"
                | "pg_partition_ancestors"
                | "information_schema._pg_expandarray"
                | "regexp_matches"
                | "regexp_split_to_table"
                | "string_to_table"
        ) || (crate::json::JsonRows::named(&name).is_some() && exprs.len() == 1)
        {
            return self.bind_set_function(&name, &exprs, scope, aggs, position);
        }
        if let Some(func) = match name.as_str() {
            "nextval" => Some(SeqFunc::NextVal),
            "currval" => Some(SeqFunc::CurrVal),
            "setval" => Some(SeqFunc::SetVal),
            "lastval" => Some(SeqFunc::LastVal),
            _ => None,
        } {
            return self.bind_sequence_call(func, &exprs, scope, aggs, position);
        }
        let bound = self.bind_args(&exprs, scope, aggs)?;
        self.call_function(&name, bound, position)
    }

    /// nextval('name'), currval('name'), setval('name', value [, is_called]), lastval(). The
    /// sequence is named by a constant (`'s'` or `'s'::regclass`), resolved now as PostgreSQL
    /// resolves the regclass literal.
    fn bind_sequence_call(
        &mut self,
        func: SeqFunc,
        exprs: &[&ast::Expr],
        scope: &Scope<'_>,
        aggs: &mut AggCollector,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        let arity_ok = match func {
            SeqFunc::LastVal => exprs.is_empty(),
            SeqFunc::SetVal => exprs.len() == 2 || exprs.len() == 3,
            _ => exprs.len() == 1,
        };
        if !arity_ok {
            let types = self
                .bind_args(exprs, scope, aggs)?
                .iter()
                .map(|(_, ty, _)| *ty)
                .collect::<Vec<_>>();
            return Err(self.no_function(func.name(), &types, position));
        }
        let mut args = Vec::new();
        let mut named_by = None;
        let seq = match exprs.first() {
            Some(first) if func != SeqFunc::LastVal => {
                let literal = match first {
                    ast::Expr::Cast {
                        expr, data_type, ..
                    } if data_type.to_string().eq_ignore_ascii_case("regclass") => expr.as_ref(),
                    other => other,
                };
                let constant = match literal {
                    ast::Expr::Value(v) => match &v.value {
                        ast::Value::SingleQuotedString(s) => Some(s.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                match constant {
                    None => {
                        // Named at run time: by a text (a name) or an OID.
                        let (name, ty) = self.bind_expr(first, scope, aggs)?;
                        if !(ty.is_string() || ty.is_integer()) {
                            return Err(self.no_function(func.name(), &[ty], position));
                        }
                        let name = if ty == DataType::Unknown {
                            self.coerce_to(name, ty, DataType::Text, first.span())?
                        } else {
                            name
                        };
                        args.push(name);
                        named_by = Some(Arc::new(
                            self.catalog
                                .sequences
                                .values()
                                .flat_map(|seq| {
                                    let oid = crate::system::relation_oid(self.catalog, &seq.name)
                                        .unwrap_or(0);
                                    let (schema, relation) = crate::catalog::split_name(&seq.name);
                                    let mut names =
                                        vec![(format!("{schema}.{relation}"), oid, seq.clone())];
                                    if self.relation_key_from_text(relation) == seq.name {
                                        names.push((relation.to_string(), oid, seq.clone()));
                                    }
                                    names
                                })
                                .collect::<Vec<_>>(),
                        ));
                        None
                    }
                    Some(text) => {
                        let name = parse_regclass(&text);
                        let key = self.relation_key_from_text(&text);
                        match self.catalog.sequences.get(&key) {
                            Some(seq) => Some(seq.clone()),
                            None if self.catalog.relation_exists(&key) => {
                                return Err(SqlError::new(
                                    code::WRONG_OBJECT_TYPE,
                                    format!(
                                        "\"{}\" is not a sequence",
                                        crate::catalog::relname(&key)
                                    ),
                                ))
                            }
                            None => {
                                return Err(SqlError::new(
                                    code::UNDEFINED_TABLE,
                                    format!("relation \"{name}\" does not exist"),
                                )
                                .at(self.pos(first.span())))
                            }
                        }
                    }
                }
            }
            _ => None,
        };
        if let Some(seq) = &seq {
            // PostgreSQL's rules: nextval needs USAGE or UPDATE, currval SELECT or USAGE, setval
            // UPDATE (lastval is checked against the sequence it reports, not known here).
            let wanted = match func {
                SeqFunc::NextVal => crate::catalog::PRIV_USAGE | PRIV_UPDATE,
                SeqFunc::CurrVal => PRIV_SELECT | crate::catalog::PRIV_USAGE,
                SeqFunc::SetVal => PRIV_UPDATE,
                SeqFunc::LastVal => 0,
                SeqFunc::StateLast | SeqFunc::StateLogCount | SeqFunc::StateCalled => PRIV_SELECT,
            };
            self.require_on(
                (seq.owner.as_deref(), seq.acl.as_deref()),
                wanted,
                "sequence",
                &seq.name,
            )?;
        }
        if func == SeqFunc::SetVal {
            let bound = self.bind_args(&exprs[1..], scope, aggs)?;
            let mut bound = bound.into_iter();
            let (value, ty, span) = bound.next().expect("arity checked");
            args.push(self.coerce(value, ty, DataType::Int8, span, "setval")?);
            if let Some((called, ty, span)) = bound.next() {
                args.push(self.coerce(called, ty, DataType::Bool, span, "setval")?);
            }
        }
        Ok((
            Expr::Sequence(
                SequenceCall {
                    func,
                    seq,
                    named_by,
                },
                args,
            ),
            DataType::Int8,
        ))
    }

    /// `has_table_privilege`, `has_sequence_privilege`, `has_schema_privilege` (`kind`: table,
    /// sequence, schema) with `([role,] object, privileges)`: the role (a name; the session's when
    /// left out) and the privilege list must be constants; the object may be a name or an OID.
    /// True when any listed privilege is held (`WITH GRANT OPTION`: held grantable).
    fn has_privilege(
        &mut self,
        kind: &str,
        bound: Vec<(Expr, DataType, Span)>,
    ) -> SqlResult<(Expr, DataType)> {
        self.has_privilege_on(kind, None, bound)
    }

    /// `has_function_privilege([role,] function, privileges)`: every built-in function may be
    /// executed by every role (PostgreSQL grants EXECUTE to PUBLIC), with the grant option by a
    /// superuser (the functions' owner). A function named by text must exist (`name(types)`,
    /// as regprocedure reads it); one named by OID that does not gives NULL.
    fn has_function_privilege(
        &mut self,
        bound: Vec<(Expr, DataType, Span)>,
    ) -> SqlResult<(Expr, DataType)> {
        if bound.len() == 3 && computed_oid(&bound[0]) {
            return self.per_role(bound, |this, bound| this.has_function_privilege(bound));
        }
        let (privileges, (function, ty, span), role) =
            self.privilege_call("has_function_privilege", bound)?;
        // A function's one privilege (PostgreSQL's letter X).
        let (_, grantable) = privilege_list(&privileges, &[(1, 'X', "EXECUTE")], GRANT_OPTION)?;
        let held = Value::Bool(!grantable || self.catalog.is_superuser(&role));
        if ty.is_string() {
            let name = constant_text(&function).ok_or_else(|| {
                unsupported("has_function_privilege with a computed function name")
            })?;
            regproc_oid(&name, true)?;
            return Ok((Expr::Const(held), DataType::Bool));
        }
        let oid = self.coerce_to(function, ty, DataType::Int8, span)?;
        let known = crate::procs::BUILTIN_PROCS
            .iter()
            .map(|proc| (Value::Int(proc.oid), held.clone()));
        Ok((
            lookup(&oid, known, Expr::Const(Value::Null)),
            DataType::Bool,
        ))
    }

    /// A has_*_privilege call whose role (`bound[0]`) is an OID computed when the statement
    /// runs: `answer` for each role there is, chosen by that OID then (an OID no role has: the
    /// answer for PUBLIC, as in PostgreSQL).
    fn per_role(
        &mut self,
        bound: Vec<(Expr, DataType, Span)>,
        mut answer: impl FnMut(&mut Self, Vec<(Expr, DataType, Span)>) -> SqlResult<(Expr, DataType)>,
    ) -> SqlResult<(Expr, DataType)> {
        let mut oids: Vec<i64> = self.catalog.all_roles().iter().map(|r| r.oid).collect();
        oids.sort_unstable();
        let (role, ty, span) = bound[0].clone();
        let role = self.coerce_to(role, ty, DataType::Int8, span)?;
        let mut with_role = |this: &mut Self, oid: i64| {
            let mut bound = bound.clone();
            bound[0] = (Expr::Const(Value::Int(oid)), DataType::Int8, span);
            answer(this, bound).map(|(expr, _)| expr)
        };
        let mut whens = Vec::with_capacity(oids.len());
        for oid in oids {
            let is_role = Expr::Binary(
                BinOp::Eq,
                Box::new(role.clone()),
                Box::new(Expr::Const(Value::Int(oid))),
            );
            whens.push((is_role, with_role(self, oid)?));
        }
        // No role has a negative OID. The functions are strict: a NULL role answers NULL.
        let public = with_role(self, -1)?;
        Ok((
            strict(role, Expr::Case(whens, Box::new(public))),
            DataType::Bool,
        ))
    }

    /// A privilege function's arguments `[role,] object, privileges`: the privilege list (a
    /// constant), the object argument, and the role asked about ([`Binder::privilege_role`]).
    fn privilege_call(
        &self,
        function: &str,
        mut bound: Vec<(Expr, DataType, Span)>,
    ) -> SqlResult<(String, (Expr, DataType, Span), String)> {
        let (privileges, _, _) = bound.pop().expect("two or three arguments");
        let privileges = constant_text(&privileges)
            .ok_or_else(|| unsupported(format!("{function} with a computed privilege list")))?;
        let object = bound.pop().expect("two or three arguments");
        let role = self.privilege_role(function, bound.pop())?;
        Ok((privileges, object, role))
    }

    /// The role a has_*_privilege call asks about: the current user when none is given, a
    /// constant name (which must exist), or a constant OID. An OID no role has holds only what
    /// PUBLIC holds, as in PostgreSQL (it is never a role's name: no name has a NUL).
    fn privilege_role(
        &self,
        function: &str,
        role: Option<(Expr, DataType, Span)>,
    ) -> SqlResult<String> {
        let Some((role, ty, _)) = role else {
            return Ok(self.session.user.clone());
        };
        if let (true, Expr::Const(Value::Int(oid))) =
            (ty.is_integer() || ty == DataType::Oid, &role)
        {
            return Ok(crate::system::role_named(self.catalog, *oid)
                .unwrap_or_else(|| format!("\0role {oid}")));
        }
        let role = constant_text(&role)
            .ok_or_else(|| unsupported(format!("{function} with a computed role")))?;
        if !self.catalog.has_role(&role) {
            return Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!("role \"{role}\" does not exist"),
            ));
        }
        Ok(role)
    }

    /// `pg_has_role([user,] role, privileges)`: MEMBER (a member of the role, directly or
    /// through others), USAGE (holds its privileges: through members that inherit), each also
    /// `WITH ADMIN OPTION` (some membership on the way grants it with the admin option); a
    /// superuser has every role. The role is a name (which must exist) or an OID (one no role
    /// has: only a superuser has it); a user OID computed per row goes through
    /// [`Binder::per_role`].
    fn pg_has_role(&mut self, bound: Vec<(Expr, DataType, Span)>) -> SqlResult<(Expr, DataType)> {
        if bound.len() == 3 && computed_oid(&bound[0]) {
            return self.per_role(bound, |this, bound| this.pg_has_role(bound));
        }
        let (privileges, (target, ty, span), user) = self.privilege_call("pg_has_role", bound)?;
        // PostgreSQL reads WITH ADMIN OPTION and WITH GRANT OPTION alike here.
        let (wanted, admin) = privilege_list(
            &privileges,
            &[(1, 'M', "MEMBER"), (2, 'U', "USAGE")],
            &[" WITH GRANT OPTION", " WITH ADMIN OPTION"],
        )?;
        let catalog = self.catalog;
        let superuser = catalog.is_superuser(&user);
        let roles = catalog.all_roles();
        // The user's roles, found once for every role asked about.
        let members = catalog.member_roles(&user);
        let usable = catalog.privilege_roles(&user);
        let holds = |role: &str| -> bool {
            if superuser {
                return true;
            }
            if admin {
                // A membership granted with the admin option, of the user or a role it is in.
                return user != role
                    && roles.iter().any(|r| {
                        members.contains(&r.name)
                            && r.member_of.iter().any(|m| m.role == role && m.admin)
                    });
            }
            (wanted & 1 != 0 && members.iter().any(|r| r == role))
                || (wanted & 2 != 0 && usable.iter().any(|r| r == role))
        };
        if let Some(name) =
            constant_text(&target).filter(|_| !ty.is_integer() && ty != DataType::Oid)
        {
            if !catalog.has_role(&name) {
                return Err(SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!("role \"{name}\" does not exist"),
                ));
            }
            return Ok((Expr::Const(Value::Bool(holds(&name))), DataType::Bool));
        }
        if ty.is_string() {
            return Err(unsupported("pg_has_role with a computed role name"));
        }
        let oid = self.coerce_to(target, ty, DataType::Int8, span)?;
        let pairs: Vec<(Value, Value)> = roles
            .iter()
            .map(|role| (Value::Int(role.oid), Value::Bool(holds(&role.name))))
            .collect();
        let unknown = Expr::Const(Value::Bool(superuser));
        let answer = lookup(&oid, pairs, unknown);
        Ok((strict(oid, answer), DataType::Bool))
    }

    /// [`Binder::has_privilege`], of a table's column when `column` is given.
    fn has_privilege_on(
        &mut self,
        kind: &str,
        column: Option<ColumnArg>,
        bound: Vec<(Expr, DataType, Span)>,
    ) -> SqlResult<(Expr, DataType)> {
        use crate::catalog::AclItem;
        if bound.len() == 3 && computed_oid(&bound[0]) {
            return self.per_role(bound, |this, bound| {
                this.has_privilege_on(kind, column.clone(), bound)
            });
        }
        let function = match &column {
            Some(ColumnArg::Any) => "has_any_column_privilege".to_string(),
            Some(_) => "has_column_privilege".to_string(),
            None => format!("has_{kind}_privilege"),
        };
        let (privileges, (object, ty, span), role) = self.privilege_call(&function, bound)?;
        let column_letters: Vec<(u8, char, &str)> = crate::catalog::TABLE_PRIVILEGES
            .into_iter()
            .filter(|(bit, _, _)| bit & crate::catalog::COLUMN_PRIVILEGES != 0)
            .collect();
        let letters: &[(u8, char, &str)] = match kind {
            _ if column.is_some() => &column_letters,
            "sequence" => &crate::catalog::SEQUENCE_PRIVILEGES,
            "schema" => &crate::catalog::SCHEMA_PRIVILEGES,
            _ => &crate::catalog::TABLE_PRIVILEGES,
        };
        let (wanted, grantable) = privilege_list(&privileges, letters, GRANT_OPTION)?;
        // (name, OID, owner, ACL, columns: (name, ACL)) of every object of the kind.
        type Object = (
            String,
            i64,
            Option<String>,
            Option<Vec<AclItem>>,
            Vec<(String, Option<Vec<AclItem>>)>,
        );
        let oid_of = |name: &str| crate::system::relation_oid(self.catalog, name).unwrap_or(0);
        // The system catalog a column privilege is asked of, by constant name or OID: its
        // columns are listed (building them for every catalog would build every catalog).
        let asked_catalog = column.as_ref().and_then(|_| {
            let name = match &object {
                Expr::Const(Value::Int(oid)) => {
                    let found = crate::system::CATALOG_OIDS.iter().find(|(_, o)| o == oid);
                    found?.0.to_string()
                }
                _ if ty.is_integer() || ty == DataType::Oid => return None,
                _ => constant_text(&object)?.to_lowercase(),
            };
            let name = name
                .strip_prefix("pg_catalog.")
                .unwrap_or(&name)
                .to_string();
            crate::system::catalog_oid(&name).map(|_| name)
        });
        let catalog_columns = |name: &str| -> Vec<(String, Option<Vec<AclItem>>)> {
            if asked_catalog.as_deref() != Some(name) {
                return Vec::new();
            }
            let relation =
                crate::system::relation(self.catalog, self.session, Some("pg_catalog"), name);
            relation.map_or(Vec::new(), |relation| {
                let visible = relation.columns.len() - relation.system_columns;
                let columns = relation.columns.into_iter().take(visible);
                columns.map(|c| (c.name, None)).collect()
            })
        };
        let objects: Vec<Object> = match kind {
            // Every schema, with the owner and ACL pg_namespace shows (grant options come from
            // them; the privileges themselves from `privileges_on_schema`).
            "schema" => crate::system::namespace_oids(self.catalog)
                .into_iter()
                .map(|(oid, name)| {
                    let (owner, acl) = self.catalog.schema_owner_acl(&name).unwrap_or_default();
                    (name, oid, Some(owner), acl, Vec::new())
                })
                .collect(),
            "sequence" => self
                .catalog
                .sequences
                .values()
                .map(|q| {
                    let oid = oid_of(&q.name);
                    (
                        q.name.clone(),
                        oid,
                        q.owner.clone(),
                        q.acl.clone(),
                        Vec::new(),
                    )
                })
                .collect(),
            _ => self
                .catalog
                .tables
                .values()
                .map(|t| {
                    let columns = t
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), c.acl.clone()))
                        .collect();
                    (t.name.clone(), t.owner.clone(), t.acl.clone(), columns)
                })
                .chain(self.catalog.views.values().map(|v| {
                    let columns = v.columns.iter().map(|c| (c.clone(), None)).collect();
                    (v.name.clone(), v.owner.clone(), v.acl.clone(), columns)
                }))
                .map(|(n, o, a, c)| {
                    let oid = oid_of(&n);
                    (n, oid, o, a, c)
                })
                .chain(
                    // The system catalogs, owned by the bootstrap superuser, which grants SELECT
                    // to PUBLIC on all but those holding secrets; columns listed only for the
                    // catalog a column privilege names.
                    (crate::system::CATALOG_OIDS.iter()).map(|(name, oid)| {
                        (
                            format!("pg_catalog.{name}"),
                            *oid,
                            Some(crate::catalog::BOOTSTRAP_ROLE.to_string()),
                            Some(crate::system::catalog_acl(name)),
                            catalog_columns(name),
                        )
                    }),
                )
                .collect(),
        };
        let superuser = self.catalog.is_superuser(&role);
        let roles = self.catalog.privilege_roles(&role);
        // What a column's own ACL adds for the role (grant options when `grantable`).
        let on_column = |acl: &Option<Vec<AclItem>>| {
            acl.iter()
                .flatten()
                .filter(|item| item.grantee.is_empty() || roles.contains(&item.grantee))
                .fold(0, |all, item| {
                    all | if grantable {
                        item.grantable
                    } else {
                        item.privileges
                    }
                })
        };
        // Whether the role holds a wanted privilege (None: no such column).
        let holds = |(name, _, owner, acl, columns): &Object| -> Option<bool> {
            let mut held = match (kind, grantable) {
                _ if superuser => u8::MAX,
                ("schema", false) => self.catalog.privileges_on_schema(name, &role),
                (_, false) => {
                    self.catalog
                        .relation_privileges(owner.as_deref(), acl.as_deref(), &role)
                }
                (_, true) => self
                    .catalog
                    .grant_options(owner.as_deref(), acl.as_deref(), &role),
            };
            match &column {
                None => {}
                Some(ColumnArg::Any) => {
                    held |= columns.iter().fold(0, |all, (_, acl)| all | on_column(acl))
                }
                Some(ColumnArg::Name(name)) => {
                    held |= on_column(&columns.iter().find(|(n, _)| n == name)?.1)
                }
                Some(ColumnArg::Number(n)) => {
                    held |= on_column(&columns.get(usize::try_from(*n - 1).ok()?)?.1)
                }
            }
            Some(held & wanted != 0)
        };
        if let Some(name) =
            constant_text(&object).filter(|_| !ty.is_integer() && ty != DataType::Oid)
        {
            // A schema's name is taken as written; a relation's is read as SQL reads one.
            let name = match kind {
                "schema" => name,
                _ => name.to_lowercase(),
            };
            let name = name.strip_prefix("public.").unwrap_or(&name);
            // A catalog's bare name finds it when no table of the user's has that name.
            let found = (objects.iter().find(|(n, ..)| n == name)).or_else(|| {
                objects
                    .iter()
                    .find(|(n, ..)| n.strip_prefix("pg_catalog.") == Some(name))
            });
            return match found {
                Some(object) => match (holds(object), &column) {
                    (Some(held), _) => Ok((Expr::Const(Value::Bool(held)), DataType::Bool)),
                    (None, Some(ColumnArg::Name(column))) => Err(SqlError::new(
                        code::UNDEFINED_COLUMN,
                        format!("column \"{column}\" of relation \"{name}\" does not exist"),
                    )),
                    (None, _) => Ok((Expr::Const(Value::Null), DataType::Bool)),
                },
                None if kind == "schema" => Err(SqlError::new(
                    "3F000",
                    format!("schema \"{name}\" does not exist"),
                )),
                None => Err(SqlError::new(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{name}\" does not exist"),
                )),
            };
        }
        // A name computed per row: its OID first, as the name's type reads it (an unknown name
        // answers NULL).
        let oid = match (ty.is_string(), kind) {
            (true, "schema") => {
                let text = self.coerce_to(object, ty, DataType::Text, span)?;
                self.named_oid("regnamespace", text, false)?
            }
            (true, _) => {
                let text = self.coerce_to(object, ty, DataType::Text, span)?;
                self.relation_oids(text)
            }
            (false, _) => self.coerce_to(object, ty, DataType::Int8, span)?,
        };
        let pairs: Vec<(Value, Value)> = objects
            .iter()
            .map(|object| {
                let held = holds(object).map_or(Value::Null, Value::Bool);
                (Value::Int(object.1), held)
            })
            .collect();
        Ok((
            lookup(&oid, pairs, Expr::Const(Value::Null)),
            DataType::Bool,
        ))
    }

    /// A scalar function call over bound arguments: picks the overload PostgreSQL would and casts
    /// the arguments to it.
    fn call_function(
        &mut self,
        name: &str,
        mut bound: Vec<(Expr, DataType, Span)>,
        position: Option<usize>,
    ) -> SqlResult<(Expr, DataType)> {
        let name = name.to_string();
        if name == "age" && bound.len() == 1 {
            // age(t) is age(current_date, t): from midnight today.
            let (today, ty) = self.local_now(DataType::Date);
            let span = bound[0].2;
            bound.insert(0, (today, ty, span));
        }
        let types: Vec<DataType> = bound.iter().map(|(_, t, _)| *t).collect();
        if name == "to_char" && types.len() == 2 && types[0] == DataType::Unknown {
            // A string literal could be a timestamp, a number or an interval.
            return Err(SqlError::new(
                "42725",
                format!(
                    "function to_char(unknown, {}) is not unique",
                    types[1].name()
                ),
            )
            .with_hint(
                "Could not choose a best candidate function. You might need to add explicit type casts.",
            )
            .at(position));
        }
        if let Some(result) = self.library_function(&name, &mut bound, &types)? {
            return Ok(result);
        }
        if let Some(result) = self.array_function(&name, &mut bound, &types, position)? {
            return Ok(result);
        }
        let session_const =
            |value: &str| Ok((Expr::Const(Value::Text(value.to_string())), DataType::Text));
        match (name.as_str(), bound.len()) {
            ("version", 0) => session_const(&self.session.version),
            // The enum support functions read the argument's type, not its value (NULL::mood):
            // constants from the type's labels.
            ("enum_first" | "enum_last" | "enum_range", 1 | 2)
                if types.iter().any(|t| matches!(t, DataType::Enum(_))) =>
            {
                let enum_type = types.iter().find(|t| matches!(t, DataType::Enum(_)));
                let Some(&DataType::Enum(id)) = enum_type else {
                    unreachable!("matched above")
                };
                // enum_range(NULL, 'x'::mood): an untyped NULL takes the other's type.
                let ty = DataType::Enum(id);
                let fits = |t: &DataType| *t == ty || (*t == DataType::Unknown && types.len() == 2);
                if !types.iter().all(fits) {
                    return Err(self.no_function(&name, &types, position));
                }
                let def = crate::enums::lookup(id)
                    .ok_or_else(|| SqlError::new(code::UNDEFINED_OBJECT, "no such enum type"))?;
                let labels = &def.labels;
                match (name.as_str(), bound.len()) {
                    ("enum_first" | "enum_last", 1) => {
                        let end = if name == "enum_first" {
                            labels.first()
                        } else {
                            labels.last()
                        };
                        let key = end.map_or(Value::Null, |(k, _)| Value::Int(*k));
                        Ok((Expr::Const(key), ty))
                    }
                    ("enum_range", n) => {
                        // (lower, upper): NULL leaves that end open.
                        let bound_of = |i: usize| match bound.get(i).map(|(e, _, _)| e) {
                            None | Some(Expr::Const(Value::Null)) => Ok(None),
                            Some(Expr::Const(Value::Int(key))) => Ok(Some(*key)),
                            Some(_) => Err(unsupported(
                                "enum_range of values not known when the statement is planned",
                            )),
                        };
                        let (low, high) = if n == 2 {
                            (bound_of(0)?, bound_of(1)?)
                        } else {
                            (None, None)
                        };
                        let items = labels
                            .iter()
                            .filter(|(k, _)| {
                                low.is_none_or(|l| *k >= l) && high.is_none_or(|h| *k <= h)
                            })
                            .map(|(key, _)| Value::Int(*key))
                            .collect();
                        Ok((
                            Expr::Const(Value::Array(Box::new(crate::array::Array::one_dim(
                                items,
                            )))),
                            ty.array(),
                        ))
                    }
                    _ => Err(self.no_function(&name, &types, position)),
                }
            }
            // Catalog functions psql and drivers call, over the OIDs of `crate::system`.
            ("pg_get_userbyid", 1) if types[0].is_integer() || types[0] == DataType::Unknown => {
                let (oid, ty, span) = bound.remove(0);
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let unknown = Expr::Binary(
                    BinOp::Concat,
                    Box::new(Expr::Binary(
                        BinOp::Concat,
                        Box::new(Expr::Const(Value::Text("unknown (OID=".into()))),
                        Box::new(Expr::Cast(
                            Box::new(oid.clone()),
                            DataType::Int8,
                            DataType::Text,
                            true,
                        )),
                    )),
                    Box::new(Expr::Const(Value::Text(")".into()))),
                );
                let roles = self
                    .catalog
                    .all_roles()
                    .into_iter()
                    .map(|role| (role.oid, role.name))
                    .map(|(role, name)| (Value::Int(role), Value::Text(name)));
                Ok((lookup(&oid, roles, unknown), DataType::Text))
            }
            (
                "pg_relation_size" | "pg_table_size" | "pg_indexes_size" | "pg_total_relation_size",
                1,
            ) => {
                let (expr, ty, span) = bound.remove(0);
                let oid = self.regclass_arg(expr, ty, span)?;
                let pairs = self
                    .relation_sizes(&name)
                    .into_iter()
                    .map(|(oid, bytes)| (Value::Int(oid), Value::Int(bytes)));
                Ok((
                    lookup(&oid, pairs, Expr::Const(Value::Null)),
                    DataType::Int8,
                ))
            }
            ("pg_relation_size", 2) if types[1].is_string() || types[1] == DataType::Unknown => {
                // Only the main fork holds pages here; fsm, vm and init are empty.
                let (fork, _, _) = bound.remove(1);
                let (expr, ty, span) = bound.remove(0);
                let oid = self.regclass_arg(expr, ty, span)?;
                let main = match &fork {
                    Expr::Const(Value::Null) => {
                        return Ok((Expr::Const(Value::Null), DataType::Int8))
                    }
                    Expr::Const(Value::Text(fork)) => match fork.as_str() {
                        "main" => true,
                        "fsm" | "vm" | "init" => false,
                        _ => {
                            return Err(SqlError::new(
                                code::INVALID_PARAMETER_VALUE,
                                "invalid fork name",
                            )
                            .with_hint(
                                "Valid fork names are \"main\", \"fsm\", \"vm\", and \"init\".",
                            ))
                        }
                    },
                    _ => return Err(unsupported("pg_relation_size with a computed fork name")),
                };
                let pairs = self.relation_sizes(&name).into_iter().map(|(oid, bytes)| {
                    (Value::Int(oid), Value::Int(if main { bytes } else { 0 }))
                });
                Ok((
                    lookup(&oid, pairs, Expr::Const(Value::Null)),
                    DataType::Int8,
                ))
            }
            ("pg_database_size", 1) => {
                let (expr, ty, _) = bound.remove(0);
                if let (true, Expr::Const(Value::Text(database))) = (ty.is_string(), &expr) {
                    if *database != self.session.database {
                        return Err(SqlError::new(
                            code::INVALID_CATALOG_NAME,
                            format!("database \"{database}\" does not exist"),
                        ));
                    }
                }
                let total: u64 = self.session.sizes.iter().map(|(_, bytes)| bytes).sum();
                // The node's one database holds everything.
                Ok((Expr::Const(Value::Int(total as i64)), DataType::Int8))
            }
            ("pg_table_is_visible", 1) => {
                // Visible: the first relation of its name along the search path (system
                // relations always).
                let (oid, _, _) = bound.remove(0);
                let schemas = self.search_schemas();
                let relations = crate::system::relation_oids(self.catalog);
                let visible = |key: &str| self.catalog.is_visible(key, &schemas);
                // information_schema's views only when the path names it.
                let information = self.path().iter().any(|s| s == "information_schema");
                let pairs: Vec<(Value, Value)> = relations
                    .iter()
                    .map(|(oid, key)| (*oid, visible(key)))
                    .chain(
                        (crate::system::INFORMATION_SCHEMA_OIDS.iter())
                            .map(|(_, oid)| (*oid, information)),
                    )
                    .map(|(oid, visible)| (Value::Int(oid), Value::Bool(visible)))
                    .collect();
                let answer = lookup(&oid, pairs, Expr::Const(Value::Bool(true)));
                Ok((strict(oid, answer), DataType::Bool))
            }
            // Every type is visible (Keel's types are in pg_catalog or the schemas searched).
            ("pg_type_is_visible", 1) => {
                let (oid, _, _) = bound.remove(0);
                Ok((strict(oid, Expr::Const(Value::Bool(true))), DataType::Bool))
            }
            // Built-in functions and collations are in pg_catalog, which every search path
            // searches; an OID of nothing (and every operator, operator class, conversion...:
            // Keel lists none) gives NULL.
            (
                "pg_function_is_visible"
                | "pg_operator_is_visible"
                | "pg_opclass_is_visible"
                | "pg_opfamily_is_visible"
                | "pg_collation_is_visible"
                | "pg_conversion_is_visible"
                | "pg_statistics_obj_is_visible"
                | "pg_ts_config_is_visible"
                | "pg_ts_dict_is_visible"
                | "pg_ts_parser_is_visible"
                | "pg_ts_template_is_visible",
                1,
            ) => {
                let (oid, ty, span) = bound.remove(0);
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let known: Vec<i64> = match name.as_str() {
                    "pg_function_is_visible" => {
                        crate::procs::BUILTIN_PROCS.iter().map(|p| p.oid).collect()
                    }
                    "pg_collation_is_visible" => crate::system::COLLATION_OIDS.to_vec(),
                    _ => Vec::new(),
                };
                let pairs = known
                    .into_iter()
                    .map(|oid| (Value::Int(oid), Value::Bool(true)));
                Ok((
                    lookup(&oid, pairs, Expr::Const(Value::Null)),
                    DataType::Bool,
                ))
            }
            ("pg_encoding_to_char", 1) => {
                let (encoding, ty, span) = bound.remove(0);
                let encoding = self.coerce_to(encoding, ty, DataType::Int8, span)?;
                let names = crate::system::ENCODINGS
                    .iter()
                    .map(|(n, name)| (Value::Int(*n), Value::Text(name.to_string())));
                let other = Expr::Const(Value::Text(String::new()));
                Ok((lookup(&encoding, names, other), DataType::Text))
            }
            // The node's one encoding.
            ("getdatabaseencoding", 0) => {
                Ok((Expr::Const(Value::Text("UTF8".into())), DataType::Text))
            }
            ("pg_char_to_encoding", 1) => {
                let (encoding, ty, span) = bound.remove(0);
                // Names compare without regard to case.
                let encoding = Expr::Func(
                    Func::Upper,
                    vec![self.coerce_to(encoding, ty, DataType::Text, span)?],
                );
                let numbers = crate::system::ENCODINGS
                    .iter()
                    .map(|(n, name)| (Value::Text(name.to_string()), Value::Int(*n)));
                let null = Expr::IsNull(Box::new(encoding.clone()), false);
                Ok((
                    Expr::Case(
                        vec![(null, Expr::Const(Value::Null))],
                        Box::new(lookup(&encoding, numbers, Expr::Const(Value::Int(-1)))),
                    ),
                    DataType::Int4,
                ))
            }
            ("obj_description", 1..=2) | ("col_description", 2) => {
                // COMMENT ON texts: a table's by its OID, a column's by table OID and attnum.
                let column = name == "col_description";
                let mut args = Vec::new();
                for (expr, ty, span) in bound.drain(..) {
                    args.push(self.coerce_to(
                        expr,
                        ty,
                        if args.is_empty() || column {
                            DataType::Int8
                        } else {
                            DataType::Text
                        },
                        span,
                    )?);
                }
                let key = if column {
                    Expr::Binary(
                        BinOp::Add(DataType::Int8),
                        Box::new(Expr::Binary(
                            BinOp::Mul(DataType::Int8),
                            Box::new(args[0].clone()),
                            Box::new(Expr::Const(Value::Int(COMMENT_KEY))),
                        )),
                        Box::new(args[1].clone()),
                    )
                } else {
                    args[0].clone()
                };
                let pairs = crate::system::comments(self.catalog)
                    .into_iter()
                    .filter(|(_, attnum, _)| (*attnum != 0) == column)
                    .map(|(oid, attnum, text)| {
                        let key = if column {
                            oid * COMMENT_KEY + attnum as i64
                        } else {
                            oid
                        };
                        (Value::Int(key), Value::Text(text))
                    })
                    .chain((!column).then(|| {
                        (
                            Value::Int(crate::system::PUBLIC),
                            Value::Text(crate::system::PUBLIC_COMMENT.into()),
                        )
                    }))
                    // The built-in functions' comments (their OIDs are below any relation's).
                    .chain(
                        crate::procs::BUILTIN_PROCS
                            .iter()
                            .filter(|_| !column)
                            .filter_map(|proc| {
                                let text = proc.description?;
                                Some((Value::Int(proc.oid), Value::Text(text.to_string())))
                            }),
                    );
                Ok((
                    lookup(&key, pairs, Expr::Const(Value::Null)),
                    DataType::Text,
                ))
            }
            ("shobj_description", 2) => Ok((Expr::Const(Value::Null), DataType::Text)),
            ("has_table_privilege", 2 | 3) => self.has_privilege("table", bound),
            ("has_sequence_privilege", 2 | 3) => self.has_privilege("sequence", bound),
            ("has_schema_privilege", 2 | 3) => self.has_privilege("schema", bound),
            // Every role may connect to the node's databases.
            ("has_database_privilege", 2 | 3) => {
                Ok((Expr::Const(Value::Bool(true)), DataType::Bool))
            }
            ("has_column_privilege", 3 | 4) => {
                // (role?, table, column, privileges): the table's or the column's grants.
                let (column, ty, _) = bound.remove(bound.len() - 2);
                let column = match column {
                    Expr::Const(Value::Int(n)) => ColumnArg::Number(n),
                    Expr::Const(Value::Text(name)) if !ty.is_integer() => ColumnArg::Name(name),
                    Expr::Cast(inner, ..) if matches!(*inner, Expr::Const(Value::Text(_))) => {
                        let Expr::Const(Value::Text(name)) = *inner else {
                            unreachable!("matched above")
                        };
                        ColumnArg::Name(name)
                    }
                    _ => return Err(unsupported("has_column_privilege with a computed column")),
                };
                self.has_privilege_on("table", Some(column), bound)
            }
            ("has_any_column_privilege", 2 | 3) => {
                self.has_privilege_on("table", Some(ColumnArg::Any), bound)
            }
            ("pg_get_indexdef", 1) => {
                let (oid, ty, span) = bound.remove(0);
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let pairs = crate::system::index_defs(self.catalog, self.session, false)
                    .into_iter()
                    .map(|(index_oid, def)| (Value::Int(index_oid), Value::Text(def)));
                Ok((
                    lookup(&oid, pairs, Expr::Const(Value::Null)),
                    DataType::Text,
                ))
            }
            ("pg_get_indexdef", 3) => {
                // (index, column number, pretty): column 0 is the whole definition, which
                // pretty prints a partial index's condition without outer parentheses, and
                // every expression as the pretty deparse does. The lookup key: oid * 2000 +
                // column * 2, + 1 for a pretty text.
                let (pretty, pt, pspan) = bound.remove(2);
                let (column, ct, cspan) = bound.remove(1);
                let (oid, ty, span) = bound.remove(0);
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let column = self.coerce_to(column, ct, DataType::Int8, cspan)?;
                let pretty = self.coerce_to(pretty, pt, DataType::Bool, pspan)?;
                let int = |v: i64| Box::new(Expr::Const(Value::Int(v)));
                let pretty_key = Expr::Case(vec![(pretty, Expr::Const(Value::Int(1)))], int(0));
                let key = Expr::Binary(
                    BinOp::Add(DataType::Int8),
                    Box::new(Expr::Binary(
                        BinOp::Add(DataType::Int8),
                        Box::new(Expr::Binary(
                            BinOp::Mul(DataType::Int8),
                            Box::new(oid),
                            int(2000),
                        )),
                        Box::new(Expr::Binary(
                            BinOp::Mul(DataType::Int8),
                            Box::new(column),
                            int(2),
                        )),
                    )),
                    Box::new(pretty_key),
                );
                let mut pairs = Vec::new();
                for pretty in [false, true] {
                    for (index_oid, def) in
                        crate::system::index_defs(self.catalog, self.session, pretty)
                    {
                        pairs.push((
                            Value::Int(index_oid * 2000 + i64::from(pretty)),
                            Value::Text(def),
                        ));
                    }
                }
                let columns = crate::system::index_columns(self.catalog, self.session);
                for (index_oid, names) in columns {
                    for (i, (plain, shown)) in names.into_iter().enumerate() {
                        let key = index_oid * 2000 + (i as i64 + 1) * 2;
                        pairs.push((Value::Int(key), Value::Text(plain)));
                        pairs.push((Value::Int(key + 1), Value::Text(shown)));
                    }
                }
                Ok((
                    lookup(&key, pairs, Expr::Const(Value::Null)),
                    DataType::Text,
                ))
            }
            ("pg_get_viewdef", 1..=2)
                if types[0].is_integer()
                    || types[0].is_string()
                    || types[0] == DataType::Unknown =>
            {
                // The view's query as it was written (PostgreSQL prints its own deparse). A
                // name (text, or an untyped literal: PostgreSQL's `pg_get_viewdef(text)`) names
                // the view as a regclass would.
                let (oid, ty, span) = bound.remove(0);
                let oid = if ty.is_integer() {
                    self.coerce_to(oid, ty, DataType::Int8, span)?
                } else {
                    match self.coerce_to(oid, ty, DataType::Text, span)? {
                        // (PostgreSQL's error has no position here.)
                        Expr::Const(Value::Text(name)) => Expr::Const(Value::Int(
                            self.regclass_oid(&name, span).map_err(SqlError::unplaced)?,
                        )),
                        text => self.relation_oids(text),
                    }
                };
                // Keyed by oid * 2, + 1 for the pretty form (a wrap column, the other
                // second argument, asks for it too).
                let pretty = match bound.pop() {
                    Some((pretty, DataType::Bool, _)) => pretty,
                    Some((Expr::Const(Value::Text(t)), DataType::Unknown, _)) => {
                        Expr::Const(Value::Bool(matches!(t.as_str(), "t" | "true" | "on")))
                    }
                    Some(_) => Expr::Const(Value::Bool(true)),
                    None => Expr::Const(Value::Bool(false)),
                };
                let key = plain_or_pretty(oid, pretty);
                let pairs = crate::system::view_defs(self.catalog, self.session)
                    .into_iter()
                    .flat_map(|(view_oid, plain, pretty)| {
                        [
                            (Value::Int(view_oid * 2), Value::Text(plain)),
                            (Value::Int(view_oid * 2 + 1), Value::Text(pretty)),
                        ]
                    });
                Ok((
                    lookup(&key, pairs, Expr::Const(Value::Null)),
                    DataType::Text,
                ))
            }
            ("pg_get_constraintdef", 1..=2) => {
                // Keyed by oid * 2, + 1 for the pretty form.
                let pretty = if bound.len() == 2 {
                    let (pretty, pt, pspan) = bound.remove(1);
                    self.coerce_to(pretty, pt, DataType::Bool, pspan)?
                } else {
                    Expr::Const(Value::Bool(false))
                };
                let (oid, ty, span) = bound.remove(0);
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let key = plain_or_pretty(oid, pretty);
                let mut pairs = Vec::new();
                for c in crate::system::constraints(self.catalog, &self.search_schemas()) {
                    let (mut plain, mut pretty) = match self.deparsed_check(&c) {
                        Some((plain, pretty)) => {
                            (format!("CHECK ({plain})"), format!("CHECK ({pretty})"))
                        }
                        None => (c.def.clone(), c.def.clone()),
                    };
                    if !c.validated {
                        plain.push_str(" NOT VALID");
                        pretty.push_str(" NOT VALID");
                    }
                    pairs.push((Value::Int(c.oid * 2), Value::Text(plain)));
                    pairs.push((Value::Int(c.oid * 2 + 1), Value::Text(pretty)));
                }
                for (oid, def, check) in crate::system::domain_checks(self.catalog) {
                    let (plain, pretty) = self
                        .deparsed_domain_check(def, check)
                        .unwrap_or_else(|| (check.sql.clone(), check.sql.clone()));
                    let suffix = if check.not_valid { " NOT VALID" } else { "" };
                    pairs.push((
                        Value::Int(oid * 2),
                        Value::Text(format!("CHECK ({plain}){suffix}")),
                    ));
                    pairs.push((
                        Value::Int(oid * 2 + 1),
                        Value::Text(format!("CHECK ({pretty}){suffix}")),
                    ));
                }
                Ok((
                    lookup(&key, pairs, Expr::Const(Value::Null)),
                    DataType::Text,
                ))
            }
            ("pg_relation_is_publishable", 1) => {
                Ok((Expr::Const(Value::Bool(true)), DataType::Bool))
            }
            ("pg_tablespace_location", 1) => session_const(""),
            // Keel has no rules but views' `_RETURN` (which psql asks about apart): no rule
            // to print.
            ("pg_get_ruledef", 1..=2) => Ok((Expr::Const(Value::Null), DataType::Text)),
            ("pg_column_size", 1) => {
                use crate::functions::{SIZE_NUMERIC, SIZE_VARLENA};
                let (expr, ty, _) = bound.remove(0);
                let kind = match (crate::stats::fixed_width(ty), ty) {
                    (Some(width), _) => width as i64,
                    (None, DataType::Numeric | DataType::Decimal(..)) => SIZE_NUMERIC,
                    (
                        None,
                        DataType::Text
                        | DataType::Varchar(_)
                        | DataType::Char(_)
                        | DataType::Bytea
                        | DataType::Json,
                    ) => SIZE_VARLENA,
                    // An untyped literal is a C string: its bytes and a terminating zero.
                    (None, DataType::Unknown) => match &expr {
                        Expr::Const(Value::Text(text)) => text.len() as i64 + 1,
                        _ => SIZE_VARLENA,
                    },
                    (None, other) => {
                        return Err(unsupported(format!(
                            "pg_column_size of type {}",
                            other.name()
                        )))
                    }
                };
                // A column's value is the one in the row, whose varlena header is short.
                let stored = matches!(expr, Expr::Column(_));
                Ok((
                    Expr::Scalar(
                        crate::functions::Scalar::ColumnSize,
                        vec![
                            expr,
                            Expr::Const(Value::Int(kind)),
                            Expr::Const(Value::Bool(stored)),
                        ],
                    ),
                    DataType::Int4,
                ))
            }
            ("pg_size_pretty", 1)
                if types[0].is_numeric_family() || types[0] == DataType::Unknown =>
            {
                let (expr, ty, span) = bound.remove(0);
                let expr = self.coerce_to(expr, ty, DataType::Int8, span)?;
                Ok((
                    Expr::Scalar(crate::functions::Scalar::SizePretty, vec![expr]),
                    DataType::Text,
                ))
            }
            ("current_setting", 1..=2) if types[0].is_string() => {
                let missing_ok = match bound.get(1) {
                    Some((Expr::Const(Value::Bool(ok)), _, _)) => *ok,
                    Some((Expr::Const(Value::Text(ok)), DataType::Unknown, _)) => {
                        crate::types::parse_bool(ok.trim()) == Some(true)
                    }
                    _ => false,
                };
                let (Expr::Const(Value::Text(setting)), _, _) = &bound[0] else {
                    // A computed name (psql's \dconfig reads `current_setting(s.name)` over
                    // pg_settings): looked up per row among the session's settings; a name
                    // none has is an error then (or NULL when `missing_ok`).
                    let (name, ty, span) = bound.remove(0);
                    let name = self.coerce_to(name, ty, DataType::Text, span)?;
                    let lower = Expr::Func(Func::Lower, vec![name.clone()]);
                    let pairs = (self.session.settings.iter()).map(|(setting, value)| {
                        let key = Value::Text(setting.to_lowercase());
                        (key, Value::Text(value.clone()))
                    });
                    let mut missing = vec![lower.clone()];
                    if missing_ok {
                        missing.push(Expr::Const(Value::Null));
                    }
                    let missing = Expr::Func(Func::CurrentSetting, missing);
                    return Ok((strict(name, lookup(&lower, pairs, missing)), DataType::Text));
                };
                let setting = setting.to_lowercase();
                match self.session.setting(&setting) {
                    Some(value) => Ok((
                        Expr::Func(
                            Func::CurrentSetting,
                            vec![
                                Expr::Const(Value::Text(setting.clone())),
                                Expr::Const(Value::Text(value.into())),
                            ],
                        ),
                        DataType::Text,
                    )),
                    None if missing_ok => Ok((
                        Expr::Func(
                            Func::CurrentSetting,
                            vec![
                                Expr::Const(Value::Text(setting.clone())),
                                Expr::Const(Value::Null),
                            ],
                        ),
                        DataType::Text,
                    )),
                    // A custom (dotted) setting may be given by set_config earlier in the
                    // statement; the error comes at run time otherwise.
                    None if setting.contains('.') => Ok((
                        Expr::Func(
                            Func::CurrentSetting,
                            vec![Expr::Const(Value::Text(setting.clone()))],
                        ),
                        DataType::Text,
                    )),
                    None => Err(SqlError::new(
                        code::UNDEFINED_OBJECT,
                        format!("unrecognized configuration parameter \"{setting}\""),
                    )),
                }
            }
            ("pg_get_triggerdef", 1..=2) => Ok((Expr::Const(Value::Null), DataType::Text)),
            ("pg_is_in_recovery", 0) => Ok((Expr::Const(Value::Bool(false)), DataType::Bool)),
            ("acldefault", 2) => {
                // The privileges an object of this kind has before any GRANT: its owner's all
                // (and PUBLIC's where PostgreSQL gives them), as aclitem text.
                let (kind, kind_ty, kind_span) = bound.remove(0);
                let (oid, ty, span) = bound.remove(0);
                let kind = self.coerce_to(kind, kind_ty, DataType::Text, kind_span)?;
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let items = |kind: &str, owner: &str| -> Vec<String> {
                    let own = |rights: &str| format!("{owner}={rights}/{owner}");
                    let public = |rights: &str| format!("={rights}/{owner}");
                    match kind {
                        "r" => vec![own("arwdDxt")],
                        "s" => vec![own("rwU")],
                        "d" => vec![public("Tc"), own("CTc")],
                        "f" => vec![public("X"), own("X")],
                        "l" | "T" => vec![public("U"), own("U")],
                        "L" => vec![own("rw")],
                        "n" => vec![own("UC")],
                        "t" => vec![own("C")],
                        "F" | "S" => vec![own("U")],
                        "p" => vec![own("sA")],
                        _ => Vec::new(),
                    }
                };
                let array = |items: Vec<String>| {
                    Value::Array(Box::new(crate::array::Array::one_dim(
                        items.into_iter().map(Value::Text).collect(),
                    )))
                };
                // Looked up by `kind:owner oid` (the kind may be computed per row, as pg_dump's
                // CASE over relkind is).
                let mut defaults: Vec<(Value, Value)> = Vec::new();
                for role in self.catalog.all_roles() {
                    let owner = crate::functions::quote_ident(&role.name);
                    for kind in [
                        "r", "s", "d", "f", "l", "T", "L", "n", "t", "F", "S", "c", "p",
                    ] {
                        defaults.push((
                            Value::Text(format!("{kind}:{}", role.oid)),
                            array(items(kind, &owner)),
                        ));
                    }
                }
                let key = Expr::Binary(
                    BinOp::Concat,
                    Box::new(Expr::Binary(
                        BinOp::Concat,
                        Box::new(kind),
                        Box::new(Expr::Const(Value::Text(":".into()))),
                    )),
                    Box::new(Expr::Cast(
                        Box::new(oid),
                        DataType::Int8,
                        DataType::Text,
                        true,
                    )),
                );
                Ok((
                    lookup(&key, defaults, Expr::Const(Value::Null)),
                    DataType::Text.array(),
                ))
            }
            (
                "pg_get_function_result"
                | "pg_get_function_arguments"
                | "pg_get_function_identity_arguments",
                1,
            ) => {
                let (oid, ty, span) = bound.remove(0);
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let pairs = crate::procs::BUILTIN_PROCS.iter().map(|proc| {
                    let shown = match name.as_str() {
                        "pg_get_function_result" => proc.result,
                        "pg_get_function_arguments" => proc.arguments,
                        _ => proc.identity,
                    };
                    (Value::Int(proc.oid), Value::Text(shown.to_string()))
                });
                Ok((
                    lookup(&oid, pairs, Expr::Const(Value::Null)),
                    DataType::Text,
                ))
            }
            ("has_function_privilege", 2 | 3) => self.has_function_privilege(bound),
            ("pg_has_role", 2 | 3) => self.pg_has_role(bound),
            // A SQL-standard function body (`BEGIN ATOMIC ...`): no function has one.
            ("pg_get_function_sqlbody", 1) => Ok((Expr::Const(Value::Null), DataType::Text)),
            ("pg_get_statisticsobjdef_columns", 1) => {
                Ok((Expr::Const(Value::Null), DataType::Text))
            }
            ("format_type", 2) => {
                let (typmod, tt, tspan) = bound.remove(1);
                let (oid, ty, span) = bound.remove(0);
                let oid = self.coerce_to(oid, ty, DataType::Int8, span)?;
                let typmod = self.coerce_to(typmod, tt, DataType::Int8, tspan)?;
                Ok((
                    Expr::Scalar(
                        crate::functions::Scalar::FormatType,
                        vec![oid, typmod, self.visible_schemas()],
                    ),
                    DataType::Text,
                ))
            }
            ("current_database", 0) => session_const(&self.session.database),
            ("current_schema", 0) => Ok(self.current_schema()),
            ("current_schemas", 1) => {
                let (implicit, ty, span) = bound.remove(0);
                let implicit =
                    self.coerce(implicit, ty, DataType::Bool, span, "current_schemas")?;
                let explicit: Vec<Value> = self
                    .search_schemas()
                    .into_iter()
                    .map(|s| Value::Text(s.to_string()))
                    .collect();
                let catalog_schema = Value::Text("pg_catalog".into());
                let mut all = vec![catalog_schema.clone()];
                all.extend(explicit.iter().filter(|v| **v != catalog_schema).cloned());
                let array = |items: Vec<Value>| {
                    Expr::Const(Value::Array(Box::new(crate::array::Array::one_dim(items))))
                };
                let name_array = DataType::Text.array();
                Ok((
                    Expr::Case(vec![(implicit, array(all))], Box::new(array(explicit))),
                    name_array,
                ))
            }
            ("current_user", 0) => session_const(&self.session.user),
            ("session_user", 0) => session_const(self.session_user()),
            // (PostgreSQL's pg_current_xact_id is of type xid8; Keel's ids are bigints.)
            (
                "txid_current"
                | "pg_current_xact_id"
                | "txid_current_if_assigned"
                | "pg_current_xact_id_if_assigned",
                0,
            ) => Ok((Expr::Func(Func::TransactionId, vec![]), DataType::Int8)),
            ("pg_backend_pid", 0) => Ok((
                Expr::Const(Value::Int(self.session.pid as i64)),
                DataType::Int4,
            )),
            ("pg_blocking_pids", 1) => {
                // The sessions whose transactions this session's waits for, as the node's
                // sessions stood when the statement was bound (it is bound at each execution).
                let (expr, ty, span) = bound.remove(0);
                let pid = self.coerce(expr, ty, DataType::Int4, span, &name)?;
                // Heavyweight locks: those holding a conflicting mode of what the session waits
                // for, and those queued ahead of it for a conflicting mode.
                let activity = &self.session.activity;
                let locks = &self.session.locks;
                let pairs: Vec<(Value, Value)> = activity
                    .iter()
                    .map(|waiter| {
                        let mut blockers: Vec<i32> = activity
                            .iter()
                            .filter(|holder| {
                                holder.txn.is_some_and(|t| waiter.waiting_for.contains(&t))
                            })
                            .map(|holder| holder.pid)
                            .collect();
                        for wait in locks.iter().filter(|l| !l.granted && l.pid == waiter.pid) {
                            blockers.extend(
                                locks
                                    .iter()
                                    .filter(|l| {
                                        l.tag == wait.tag
                                            && l.pid != waiter.pid
                                            && wait.mode.conflicts(l.mode)
                                            && (l.granted || l.queued < wait.queued)
                                    })
                                    .map(|l| l.pid),
                            );
                        }
                        blockers.sort_unstable();
                        blockers.dedup();
                        let blockers: Vec<Value> = blockers
                            .into_iter()
                            .map(|pid| Value::Int(pid as i64))
                            .collect();
                        let array = crate::array::Array::one_dim(blockers);
                        (Value::Int(waiter.pid as i64), Value::Array(Box::new(array)))
                    })
                    .collect();
                let none = Value::Array(Box::new(crate::array::Array::one_dim(Vec::new())));
                Ok((
                    lookup(&pid, pairs, Expr::Const(none)),
                    DataType::Int4.array(),
                ))
            }
            ("pg_stat_reset", 0)
            | ("pg_stat_reset_single_table_counters", 1)
            | ("pg_stat_reset_shared", 1) => {
                // PostgreSQL grants these to superusers only.
                if !self.catalog.is_superuser(&self.session.user) {
                    return Err(SqlError::new(
                        code::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied for function {name}"),
                    ));
                }
                let mut args = Vec::new();
                if let Some((expr, ty, span)) = bound.pop() {
                    let to = match name.as_str() {
                        "pg_stat_reset_shared" => DataType::Text,
                        _ => DataType::Int8,
                    };
                    args.push(self.coerce(expr, ty, to, span, &name)?);
                }
                Ok((Expr::Func(Func::ResetStats, args), DataType::Text))
            }
            ("pg_cancel_backend" | "pg_terminate_backend", 1) => {
                let (expr, ty, span) = bound.remove(0);
                let pid = self.coerce(expr, ty, DataType::Int4, span, &name)?;
                let terminate = name == "pg_terminate_backend";
                Ok((
                    Expr::Func(Func::SignalBackend(terminate), vec![pid]),
                    DataType::Bool,
                ))
            }
            (
                "json_extract_path"
                | "json_extract_path_text"
                | "jsonb_extract_path"
                | "jsonb_extract_path_text",
                2..,
            ) => {
                // json_extract_path[_text](doc, VARIADIC path) is doc #> / #>> ARRAY[path].
                let jsonb = name.starts_with("jsonb");
                let text = name.ends_with("_text");
                let doc_ty = if jsonb {
                    DataType::Jsonb
                } else {
                    DataType::Json
                };
                let mut args = bound.into_iter();
                let (doc, ty, span) = args.next().expect("two or more arguments");
                let doc = self.coerce(doc, ty, doc_ty, span, &name)?;
                let mut path = Vec::new();
                for (expr, ty, span) in args {
                    path.push(self.coerce(expr, ty, DataType::Text, span, &name)?);
                }
                let make = crate::functions::Scalar::Array(crate::array::ArrayFn::Make);
                let op = BinOp::Json(crate::json::JsonOp::Path { text }, jsonb);
                let path = Expr::Scalar(make, path);
                let result = if text { DataType::Text } else { doc_ty };
                Ok((Expr::Binary(op, Box::new(doc), Box::new(path)), result))
            }
            ("now" | "transaction_timestamp" | "statement_timestamp", 0) => {
                Ok(self.now_expr("now"))
            }
            // date_trunc(unit, timestamptz, zone): truncated on the zone's wall clock.
            ("date_trunc", 3)
                if types[0].is_string()
                    && matches!(types[1], DataType::TimestampTz | DataType::Unknown)
                    && types[2].is_string() =>
            {
                let (zone, zone_ty, zone_span) = bound.remove(2);
                let (value, ty, span) = bound.remove(1);
                let (field, field_ty, field_span) = bound.remove(0);
                let zone = self.coerce_to(zone, zone_ty, DataType::Text, zone_span)?;
                let field = self.coerce_to(field, field_ty, DataType::Text, field_span)?;
                let value = self.coerce_to(value, ty, DataType::TimestampTz, span)?;
                let op = crate::functions::Scalar::Zoned(crate::tz::ZoneOp::TruncIn);
                Ok((
                    Expr::Scalar(op, vec![zone, field, value]),
                    DataType::TimestampTz,
                ))
            }
            ("date_part" | "date_trunc", 2)
                if types[0].is_string()
                    && (types[1].is_datetime()
                        || types[1] == DataType::Interval
                        || (types[1] == DataType::Time && name == "date_part")
                        || types[1] == DataType::Unknown) =>
            {
                let (value, ty, span) = bound.remove(1);
                // A time of day is the interval since midnight here.
                let (value, ty) = if ty == DataType::Time {
                    (
                        Expr::Cast(Box::new(value), DataType::Time, DataType::Interval, true),
                        DataType::Interval,
                    )
                } else {
                    (value, ty)
                };
                let (field, field_ty, field_span) = bound.remove(0);
                let field = self.coerce_to(field, field_ty, DataType::Text, field_span)?;
                let (value, ty) = match ty {
                    DataType::Unknown | DataType::Date if name == "date_trunc" => (
                        self.coerce_to(value, ty, DataType::TimestampTz, span)?,
                        DataType::TimestampTz,
                    ),
                    DataType::Unknown => (
                        self.coerce_to(value, ty, DataType::TimestampTz, span)?,
                        DataType::TimestampTz,
                    ),
                    ty => (value, ty),
                };
                let op = match name.as_str() {
                    "date_trunc" => crate::tz::ZoneOp::Trunc,
                    _ => crate::tz::ZoneOp::Extract(false),
                };
                let zoned = (ty == DataType::TimestampTz)
                    .then(|| self.zoned(op, vec![field.clone(), value.clone()]))
                    .flatten();
                if name == "date_trunc" {
                    if !ty.is_timestamp() {
                        return Err(self.no_function(&name, &types, position));
                    }
                    let plain = || Expr::Func(Func::DateTrunc, vec![field, value]);
                    Ok((zoned.unwrap_or_else(plain), ty))
                } else {
                    let plain = || Expr::Func(Func::DatePart, vec![field, value]);
                    Ok((zoned.unwrap_or_else(plain), DataType::Float8))
                }
            }
            ("row_to_json", 1) if types[0] == DataType::Json => {
                // Only a whole-row reference binds to json here (see `whole_row`).
                let (expr, _, _) = bound.remove(0);
                Ok((expr, DataType::Json))
            }
            ("to_json" | "to_jsonb", 1) | ("row_to_json", 1)
                if name != "row_to_json" || matches!(types[0], DataType::Record(_)) =>
            {
                let (expr, ty, _) = bound.remove(0);
                let jsonb = name == "to_jsonb";
                Ok((
                    json_value(expr, ty, jsonb, self.session.timezone.as_ref()),
                    if jsonb {
                        DataType::Jsonb
                    } else {
                        DataType::Json
                    },
                ))
            }
            (
                "json_build_object" | "jsonb_build_object" | "json_build_array"
                | "jsonb_build_array",
                _,
            ) => {
                let jsonb = name.starts_with("jsonb");
                let object = name.ends_with("object");
                let mut args = Vec::with_capacity(bound.len());
                for (i, (expr, ty, span)) in bound.drain(..).enumerate() {
                    if object && i % 2 == 0 {
                        args.push(self.coerce_to(expr, ty, DataType::Text, span)?);
                    } else {
                        args.push(json_value(expr, ty, false, self.session.timezone.as_ref()));
                    }
                }
                let func = if object {
                    crate::functions::Scalar::JsonBuildObject(jsonb)
                } else {
                    crate::functions::Scalar::JsonBuildArray(jsonb)
                };
                Ok((
                    Expr::Scalar(func, args),
                    if jsonb {
                        DataType::Jsonb
                    } else {
                        DataType::Json
                    },
                ))
            }
            ("json_object" | "jsonb_object", 1 | 2)
                if types.iter().all(|ty| {
                    *ty == DataType::Unknown || ty.element().is_some_and(|elem| elem.is_string())
                }) =>
            {
                let jsonb = name == "jsonb_object";
                let mut args = Vec::with_capacity(bound.len());
                for (expr, ty, span) in bound.drain(..) {
                    args.push(self.coerce_to(expr, ty, DataType::Text.array(), span)?);
                }
                let result = if jsonb {
                    DataType::Jsonb
                } else {
                    DataType::Json
                };
                Ok((
                    Expr::Scalar(crate::functions::Scalar::JsonObject(jsonb), args),
                    result,
                ))
            }
            (
                "json_typeof" | "jsonb_typeof" | "json_array_length" | "jsonb_array_length"
                | "jsonb_pretty" | "json_strip_nulls" | "jsonb_strip_nulls",
                1,
            ) if matches!(
                types[0],
                DataType::Json | DataType::Jsonb | DataType::Unknown
            ) =>
            {
                let (expr, ty, span) = bound.remove(0);
                let target = if name.starts_with("jsonb") {
                    DataType::Jsonb
                } else {
                    DataType::Json
                };
                if ty != DataType::Unknown && ty != target {
                    return Err(self.no_function(&name, &types, position));
                }
                let expr = self.coerce_to(expr, ty, target, span)?;
                let (func, result) = match name.as_str() {
                    "json_typeof" | "jsonb_typeof" => {
                        (crate::functions::Scalar::JsonTypeof, DataType::Text)
                    }
                    "jsonb_pretty" => (crate::functions::Scalar::JsonbPretty, DataType::Text),
                    "json_strip_nulls" | "jsonb_strip_nulls" => (
                        crate::functions::Scalar::JsonStripNulls(target == DataType::Jsonb),
                        target,
                    ),
                    _ => (crate::functions::Scalar::JsonArrayLength, DataType::Int4),
                };
                Ok((Expr::Scalar(func, vec![expr]), result))
            }
            ("grouping", n) if n > 0 => {
                let args = bound.drain(..).map(|(e, _, _)| e).collect();
                Ok((Expr::Func(Func::Grouping, args), DataType::Int4))
            }
            ("pg_get_expr", 2..=3) if types[0].is_string() => {
                // pg_attrdef.adbin (pg_index.indpred ...) holds the expression's text already;
                // pretty drops its outermost parentheses.
                let pretty = (bound.len() == 3).then(|| bound.remove(2));
                let (expr, ty, span) = bound.remove(0);
                let expr = self.coerce_to(expr, ty, DataType::Text, span)?;
                let Some((pretty, pt, pspan)) = pretty else {
                    return Ok((expr, DataType::Text));
                };
                let pretty = self.coerce_to(pretty, pt, DataType::Bool, pspan)?;
                // A default's or generated column's deparsed text has its pretty form; other
                // texts lose the parentheses of their outermost operator.
                let mut pairs = Vec::new();
                for table in self.catalog.tables.values() {
                    for i in 0..table.columns.len() {
                        let deparsed = match table.columns[i].generated {
                            Some(_) => self.deparse_generation(table, i),
                            None => self.deparse_default(table, i),
                        };
                        if let Some((plain, pretty)) = deparsed {
                            pairs.push((Value::Text(plain), Value::Text(pretty)));
                        }
                    }
                    for index in &table.indexes {
                        if let Some((plain, pretty)) =
                            crate::system::deparsed_predicate(self, table, index)
                        {
                            pairs.push((Value::Text(plain), Value::Text(pretty)));
                        }
                    }
                }
                let stripped = lookup(
                    &expr,
                    pairs,
                    Expr::Scalar(crate::functions::Scalar::PrettyExpr, vec![expr.clone()]),
                );
                Ok((
                    Expr::Case(vec![(pretty, stripped)], Box::new(expr)),
                    DataType::Text,
                ))
            }
            ("pg_get_serial_sequence", 2) if types.iter().all(|t| t.is_string()) => {
                let (column, ct, cspan) = bound.remove(1);
                let (table, tt, tspan) = bound.remove(0);
                let column = self.coerce_to(column, ct, DataType::Text, cspan)?;
                let table = self.coerce_to(table, tt, DataType::Text, tspan)?;
                // A table by its key, schema-qualified, or by its bare name where the search
                // path (the session's temporary schema first) finds it by that.
                let schemas = self.search_schemas();
                let whens = crate::system::serial_sequences(self.catalog)
                    .into_iter()
                    .flat_map(|(t, c, seq)| {
                        let (schema, relation) = crate::catalog::split_name(&t);
                        let mut names = vec![format!("{schema}.{relation}"), t.clone()];
                        if self.catalog.is_visible(&t, &schemas) {
                            names.push(relation.to_string());
                        }
                        if schema == self.temp_schema {
                            names.push(format!("pg_temp.{relation}"));
                        }
                        names.dedup();
                        names.into_iter().map(move |t| (t, c.clone(), seq.clone()))
                    })
                    .map(|(t, c, seq)| {
                        let matches = Expr::Binary(
                            BinOp::And,
                            Box::new(Expr::Binary(
                                BinOp::Eq,
                                Box::new(table.clone()),
                                Box::new(Expr::Const(Value::Text(t))),
                            )),
                            Box::new(Expr::Binary(
                                BinOp::Eq,
                                Box::new(column.clone()),
                                Box::new(Expr::Const(Value::Text(c))),
                            )),
                        );
                        (matches, Expr::Const(Value::Text(seq)))
                    })
                    .collect::<Vec<_>>();
                if whens.is_empty() {
                    return Ok((Expr::Const(Value::Null), DataType::Text));
                }
                Ok((
                    Expr::Case(whens, Box::new(Expr::Const(Value::Null))),
                    DataType::Text,
                ))
            }
            ("to_regtype", 1) if types[0].is_string() => {
                let (expr, ty, span) = bound.remove(0);
                let expr = self.coerce_to(expr, ty, DataType::Text, span)?;
                let expr = match &expr {
                    Expr::Const(Value::Text(name)) if self.user_type_by_text(name).is_some() => {
                        Expr::Const(Value::Int(self.user_type_by_text(name).expect("checked")))
                    }
                    _ => self.computed_regtype(expr),
                };
                Ok((expr, DataType::Reg(crate::types::RegKind::Type)))
            }
            ("to_regnamespace" | "to_regrole", 1) if types[0].is_string() => {
                let (expr, ty, span) = bound.remove(0);
                let expr = self.coerce_to(expr, ty, DataType::Text, span)?;
                let kind = if name == "to_regrole" {
                    "regrole"
                } else {
                    "regnamespace"
                };
                let reg = crate::types::RegKind::from_name(kind).expect("a reg type");
                Ok((self.named_oid(kind, expr, false)?, DataType::Reg(reg)))
            }
            ("to_regclass", 1) if types[0].is_string() => {
                let (expr, ty, span) = bound.remove(0);
                let expr = self.coerce_to(expr, ty, DataType::Text, span)?;
                Ok((
                    self.relation_oids(expr),
                    DataType::Reg(crate::types::RegKind::Class),
                ))
            }
            // (`regtype` output: no type modifier.)
            // A regtype, as in PostgreSQL (it prints as the type's name).
            // A table's row type (a whole-row reference's) has no pg_type entry in Keel: its
            // name as text.
            // A value just made one of a domain is of the domain.
            ("pg_typeof", 1) if matches!(bound[0].0, Expr::Domain(..)) => {
                let Expr::Domain(coerce, _) = &bound[0].0 else {
                    unreachable!("checked by the guard")
                };
                Ok((
                    Expr::Const(Value::Int(coerce.oid)),
                    DataType::Reg(crate::types::RegKind::Type),
                ))
            }
            ("pg_typeof", 1) => match types[0] {
                DataType::Record(shape) if shape.type_name().is_some_and(|t| t != "record") => {
                    Ok((
                        Expr::Const(Value::Text(shape.type_name().unwrap_or_default().into())),
                        DataType::Text,
                    ))
                }
                ty => Ok((
                    Expr::Const(Value::Int(i64::from(ty.expression_type().oid()))),
                    DataType::Reg(crate::types::RegKind::Type),
                )),
            },
            ("set_config", 3) if types[0].is_string() && types[1].is_string() => {
                let mut args = Vec::with_capacity(3);
                for (i, (expr, ty, span)) in bound.drain(..).enumerate() {
                    let to = if i == 2 {
                        DataType::Bool
                    } else {
                        DataType::Text
                    };
                    args.push(self.coerce(expr, ty, to, span, "set_config")?);
                }
                Ok((Expr::Func(Func::SetConfig, args), DataType::Text))
            }
            ("gen_random_uuid", 0) => Ok((Expr::Func(Func::GenRandomUuid, vec![]), DataType::Uuid)),
            ("random", 0) => Ok((Expr::Func(Func::Random, vec![]), DataType::Float8)),
            ("clock_timestamp", 0) => Ok((
                Expr::Func(Func::ClockTimestamp, vec![]),
                DataType::TimestampTz,
            )),
            ("row", _) => self.make_row(bound),
            (function, n) if advisory_function(function, n).is_some() => {
                let advisory = advisory_function(function, n).expect("checked by the guard");
                let to = if n == 1 {
                    DataType::Int8
                } else {
                    DataType::Int4
                };
                let mut args = Vec::with_capacity(n);
                for (expr, ty, span) in bound {
                    args.push(self.coerce(expr, ty, to, span, &name)?);
                }
                let ty = match advisory.action {
                    AdvisoryAction::TryLock | AdvisoryAction::Unlock => DataType::Bool,
                    // void
                    AdvisoryAction::Lock | AdvisoryAction::UnlockAll => DataType::Text,
                };
                Ok((Expr::Func(Func::Advisory(advisory), args), ty))
            }
            ("setseed", 1) => {
                let (expr, ty, span) = bound.remove(0);
                let arg = self.coerce(expr, ty, DataType::Float8, span, "setseed")?;
                Ok((Expr::Func(Func::SetSeed, vec![arg]), DataType::Text))
            }
            ("pg_sleep", 1) => {
                let (expr, ty, span) = bound.remove(0);
                let arg = self.coerce(expr, ty, DataType::Float8, span, "pg_sleep")?;
                Ok((Expr::Func(Func::PgSleep, vec![arg]), DataType::Text))
            }
            ("abs", 1) if types[0].is_numeric_family() || types[0] == DataType::Unknown => {
                let (expr, ty, span) = bound.remove(0);
                let ty = if ty == DataType::Unknown {
                    DataType::Float8
                } else {
                    ty
                };
                let expr = self.coerce_to(expr, types[0], ty, span)?;
                Ok((Expr::Func(Func::Abs, vec![expr]), ty))
            }
            ("lower" | "upper" | "length" | "char_length" | "character_length", 1)
                if types[0].is_string() =>
            {
                let (expr, ty, span) = bound.remove(0);
                let expr = self.text_expr(expr, ty, span)?;
                Ok(match name.as_str() {
                    "lower" => (Expr::Func(Func::Lower, vec![expr]), DataType::Text),
                    "upper" => (Expr::Func(Func::Upper, vec![expr]), DataType::Text),
                    _ => (Expr::Func(Func::Length, vec![expr]), DataType::Int4),
                })
            }
            ("coalesce", n) if n > 0 => {
                // The arguments' common type as a UNION's (a date meets a timestamp as one).
                let mut common = DataType::Unknown;
                for (_, ty, span) in &bound {
                    common = match (common, *ty) {
                        (_, DataType::Unknown) => common,
                        (DataType::Unknown, ty) => ty,
                        (_, ty) => {
                            match self.common_types(&[vec![common], vec![ty]], "COALESCE", *span) {
                                Ok(found) => found[0],
                                Err(_) if assignable(ty, common) => common,
                                Err(error) => return Err(error),
                            }
                        }
                    };
                }
                let common = if common == DataType::Unknown {
                    DataType::Text
                } else {
                    common
                };
                let mut args = Vec::new();
                for (expr, ty, span) in bound {
                    if !(assignable(ty, common)) {
                        return Err(SqlError::new(
                            code::DATATYPE_MISMATCH,
                            format!(
                                "COALESCE types {} and {} cannot be matched",
                                common.name(),
                                ty.name()
                            ),
                        )
                        .at(self.pos(span)));
                    }
                    args.push(self.coerce_to(expr, ty, common, span)?);
                }
                Ok((Expr::Func(Func::Coalesce, args), common))
            }
            _ => Err(self.no_function(&name, &types, position)),
        }
    }

    /// String and math functions (see [`crate::functions`]); None when `name` is none of them.
    fn library_function(
        &mut self,
        name: &str,
        bound: &mut [(Expr, DataType, Span)],
        types: &[DataType],
    ) -> SqlResult<Option<(Expr, DataType)>> {
        use crate::functions::Scalar as S;
        use DataType as D;
        // Overloads take numeric for numeric(p,s) too.
        let types: Vec<DataType> = types.iter().map(|t| t.expression_type()).collect();
        let types = &types[..];
        let n = bound.len();
        let is_text = |t: DataType| t.is_string();
        let is_int = |t: DataType| t.is_integer() || t == D::Unknown;
        let is_num = |t: DataType| t.is_numeric_family() || t == D::Unknown;
        let is_float = |t: DataType| matches!(t, D::Float4 | D::Float8);
        // Overloads: (function, argument types, result type).
        let text_fn = |f: S, args: &[D], result: D| Some((f, args.to_vec(), result));
        let pick = match (name, n) {
            ("overlay", 3) if is_text(types[0]) && is_text(types[1]) && is_int(types[2]) => {
                text_fn(S::Overlay, &[D::Text, D::Text, D::Int8], D::Text)
            }
            ("overlay", 4)
                if is_text(types[0])
                    && is_text(types[1])
                    && is_int(types[2])
                    && is_int(types[3]) =>
            {
                text_fn(S::Overlay, &[D::Text, D::Text, D::Int8, D::Int8], D::Text)
            }
            // substring(text FROM pattern [FOR escape]): a POSIX pattern, or a SQL one with an
            // escape (an untyped literal is text here, as PostgreSQL resolves it).
            ("substring", 2 | 3) if types.iter().all(|t| is_text(*t)) && !types[1].is_integer() => {
                text_fn(
                    S::RegexSubstring,
                    &types[..n].iter().map(|_| D::Text).collect::<Vec<_>>(),
                    D::Text,
                )
            }
            ("convert_from", 2) if types[0] == D::Bytea && is_text(types[1]) => {
                text_fn(S::ConvertFrom, &[D::Bytea, D::Text], D::Text)
            }
            ("convert_to", 2) if is_text(types[0]) && is_text(types[1]) => {
                text_fn(S::ConvertTo, &[D::Text, D::Text], D::Bytea)
            }
            ("substr" | "substring", 2) if is_text(types[0]) && is_int(types[1]) => {
                text_fn(S::Substring, &[D::Text, D::Int8], D::Text)
            }
            ("substr" | "substring", 3)
                if is_text(types[0]) && is_int(types[1]) && is_int(types[2]) =>
            {
                text_fn(S::Substring, &[D::Text, D::Int8, D::Int8], D::Text)
            }
            ("strpos", 2) if is_text(types[0]) && is_text(types[1]) => {
                text_fn(S::Strpos, &[D::Text, D::Text], D::Int4)
            }
            ("replace", 3) if types.iter().all(|t| is_text(*t)) => {
                text_fn(S::Replace, &[D::Text, D::Text, D::Text], D::Text)
            }
            ("split_part", 3) if is_text(types[0]) && is_text(types[1]) && is_int(types[2]) => {
                text_fn(S::SplitPart, &[D::Text, D::Text, D::Int8], D::Text)
            }
            ("left" | "right", 2) if is_text(types[0]) && is_int(types[1]) => text_fn(
                if name == "left" { S::Left } else { S::Right },
                &[D::Text, D::Int8],
                D::Text,
            ),
            ("lpad" | "rpad", 2) if is_text(types[0]) && is_int(types[1]) => text_fn(
                if name == "lpad" { S::Lpad } else { S::Rpad },
                &[D::Text, D::Int8],
                D::Text,
            ),
            ("lpad" | "rpad", 3) if is_text(types[0]) && is_int(types[1]) && is_text(types[2]) => {
                text_fn(
                    if name == "lpad" { S::Lpad } else { S::Rpad },
                    &[D::Text, D::Int8, D::Text],
                    D::Text,
                )
            }
            ("md5", 1) if is_text(types[0]) => text_fn(S::Md5, &[D::Text], D::Text),
            ("md5", 1) if types[0] == D::Bytea => text_fn(S::Md5, &[D::Bytea], D::Text),
            ("sha256" | "sha384" | "sha512", 1) if matches!(types[0], D::Bytea | D::Unknown) => {
                let bits = name[3..].parse().expect("sha256, sha384 or sha512");
                text_fn(S::Sha2(bits), &[D::Bytea], D::Bytea)
            }
            ("repeat", 2) if is_text(types[0]) && is_int(types[1]) => {
                text_fn(S::Repeat, &[D::Text, D::Int8], D::Text)
            }
            ("translate", 3) if types.iter().all(|t| is_text(*t)) => {
                text_fn(S::Translate, &[D::Text, D::Text, D::Text], D::Text)
            }
            (
                "reverse" | "initcap" | "ascii" | "quote_ident" | "quote_literal"
                | "quote_nullable",
                1,
            ) if is_text(types[0]) => {
                let (f, result) = match name {
                    "reverse" => (S::Reverse, D::Text),
                    "initcap" => (S::Initcap, D::Text),
                    "quote_ident" => (S::QuoteIdent, D::Text),
                    "quote_literal" => (S::QuoteLiteral, D::Text),
                    "quote_nullable" => (S::QuoteNullable, D::Text),
                    _ => (S::Ascii, D::Int4),
                };
                text_fn(f, &[D::Text], result)
            }
            // quote_literal / quote_nullable(anyelement): the value's text form quoted.
            ("quote_literal" | "quote_nullable", 1) if !matches!(types[0], D::Record(_)) => {
                let f = match name {
                    "quote_literal" => S::QuoteLiteral,
                    _ => S::QuoteNullable,
                };
                text_fn(f, &[D::Text], D::Text)
            }
            ("btrim" | "ltrim" | "rtrim", 1) if is_text(types[0]) => {
                text_fn(trim_fn(name), &[D::Text], D::Text)
            }
            ("btrim" | "ltrim" | "rtrim", 2) if is_text(types[0]) && is_text(types[1]) => {
                text_fn(trim_fn(name), &[D::Text, D::Text], D::Text)
            }
            ("starts_with", 2) if is_text(types[0]) && is_text(types[1]) => {
                text_fn(S::StartsWith, &[D::Text, D::Text], D::Bool)
            }
            ("date_bin", 3)
                if matches!(types[0], D::Interval | D::Unknown)
                    && types[1..]
                        .iter()
                        .all(|t| matches!(t, D::Timestamp | D::TimestampTz | D::Unknown)) =>
            {
                // timestamptz when either timestamp is one (or both are literals).
                let ty = if types[1..].contains(&D::TimestampTz)
                    || types[1..].iter().all(|t| *t == D::Unknown)
                {
                    D::TimestampTz
                } else {
                    D::Timestamp
                };
                text_fn(S::DateBin, &[D::Interval, ty, ty], ty)
            }
            ("make_date", 3) if types.iter().all(|t| is_int(*t)) => {
                text_fn(S::MakeDate, &[D::Int8, D::Int8, D::Int8], D::Date)
            }
            // make_timestamptz reads the fields in the session's zone, or in its seventh
            // argument's (see the end of this function).
            ("make_timestamp", 6) | ("make_timestamptz", 6 | 7)
                if types[..5].iter().all(|t| is_int(*t))
                    && (is_num(types[5]) || is_float(types[5]))
                    && (n == 6 || is_text(types[6])) =>
            {
                let mut args = vec![D::Int8, D::Int8, D::Int8, D::Int8, D::Int8, D::Float8];
                if n == 7 {
                    args.push(D::Text);
                }
                let result = if name == "make_timestamp" {
                    D::Timestamp
                } else {
                    D::TimestampTz
                };
                text_fn(S::MakeTimestamp, &args, result)
            }
            ("to_timestamp", 1) if is_num(types[0]) || is_float(types[0]) => {
                text_fn(S::ToTimestamp, &[D::Float8], D::TimestampTz)
            }
            ("to_timestamp", 2) if is_text(types[0]) && is_text(types[1]) => {
                text_fn(S::ToTimestampText, &[D::Text, D::Text], D::TimestampTz)
            }
            ("similar_to_escape", 1 | 2) if types.iter().all(|t| is_text(*t)) => text_fn(
                S::SimilarEscape,
                &types[..n].iter().map(|_| D::Text).collect::<Vec<_>>(),
                D::Text,
            ),
            ("to_hex", 1) if is_int(types[0]) => {
                let wide = types[0] == D::Int8;
                text_fn(S::ToHex(wide), &[D::Int8], D::Text)
            }
            ("regexp_split_to_array", 2 | 3) if types.iter().all(|t| is_text(*t)) => text_fn(
                S::RegexpSplit,
                &types[..n].iter().map(|_| D::Text).collect::<Vec<_>>(),
                D::Text.array(),
            ),
            ("array_fill", 2 | 3)
                if types[1..]
                    .iter()
                    .all(|t| t.element().is_some_and(|e| e.is_integer()) || *t == D::Unknown) =>
            {
                if types[0] == D::Unknown {
                    return Err(SqlError::new(
                        code::DATATYPE_MISMATCH,
                        "could not determine polymorphic type because input has type unknown",
                    ));
                }
                let mut args = vec![types[0], D::Int4.array()];
                if n == 3 {
                    args.push(D::Int4.array());
                }
                text_fn(S::ArrayFill, &args, types[0].array())
            }
            ("isfinite", 1)
                if matches!(
                    types[0],
                    D::Date | D::Timestamp | D::TimestampTz | D::Interval
                ) =>
            {
                text_fn(S::IsFinite, &[types[0]], D::Bool)
            }
            ("to_date", 2) if is_text(types[0]) && is_text(types[1]) => {
                text_fn(S::ToDate, &[D::Text, D::Text], D::Date)
            }
            ("justify_days" | "justify_hours" | "justify_interval", 1)
                if matches!(types[0], D::Interval | D::Unknown) =>
            {
                let how = match name {
                    "justify_days" => crate::functions::Justify::Days,
                    "justify_hours" => crate::functions::Justify::Hours,
                    _ => crate::functions::Justify::Interval,
                };
                text_fn(S::Justify(how), &[D::Interval], D::Interval)
            }
            ("num_nulls" | "num_nonnulls", 1..) => {
                // VARIADIC "any": each argument as it is, NULLs counted.
                let args = bound.iter().map(|(e, _, _)| e.clone()).collect();
                let f = S::NumNulls(name == "num_nonnulls");
                return Ok(Some((Expr::Scalar(f, args), D::Int4)));
            }
            ("jsonb_set" | "jsonb_insert", 3 | 4)
                if matches!(types[0], D::Jsonb | D::Unknown)
                    && matches!(types[2], D::Jsonb | D::Unknown) =>
            {
                let mut args = vec![D::Jsonb, D::Text.array(), D::Jsonb];
                if n == 4 {
                    args.push(D::Bool);
                }
                let f = if name == "jsonb_set" {
                    S::JsonbSet
                } else {
                    S::JsonbInsert
                };
                text_fn(f, &args, D::Jsonb)
            }
            ("regexp_match", 2) if types.iter().all(|t| is_text(*t)) => {
                text_fn(S::RegexpMatch, &[D::Text, D::Text], D::Text.array())
            }
            ("regexp_match", 3) if types.iter().all(|t| is_text(*t)) => text_fn(
                S::RegexpMatch,
                &[D::Text, D::Text, D::Text],
                D::Text.array(),
            ),
            ("width_bucket", 4)
                if types[..3].iter().all(|t| is_num(*t) || is_float(*t)) && is_int(types[3]) =>
            {
                text_fn(
                    S::WidthBucket,
                    &[D::Float8, D::Float8, D::Float8, D::Int8],
                    D::Int4,
                )
            }
            ("regexp_replace", 3) if types.iter().all(|t| is_text(*t)) => {
                text_fn(S::RegexpReplace, &[D::Text, D::Text, D::Text], D::Text)
            }
            ("regexp_replace", 4) if types.iter().all(|t| is_text(*t)) => text_fn(
                S::RegexpReplace,
                &[D::Text, D::Text, D::Text, D::Text],
                D::Text,
            ),
            ("age", 2)
                if types
                    .iter()
                    .all(|t| matches!(t, D::Timestamp | D::Date | D::Unknown | D::TimestampTz)) =>
            {
                text_fn(S::Age, &[D::Timestamp, D::Timestamp], D::Interval)
            }
            ("chr", 1) if is_int(types[0]) => text_fn(S::Chr, &[D::Int8], D::Text),
            ("octet_length", 1) if is_text(types[0]) => {
                text_fn(S::OctetLength, &[D::Text], D::Int4)
            }
            ("length" | "octet_length", 1) if types[0] == D::Bytea => {
                text_fn(S::OctetLength, &[D::Bytea], D::Int4)
            }
            ("encode", 2) if types[0] == D::Bytea && is_text(types[1]) => {
                text_fn(S::Encode, &[D::Bytea, D::Text], D::Text)
            }
            ("decode", 2) if is_text(types[0]) && is_text(types[1]) => {
                text_fn(S::Decode, &[D::Text, D::Text], D::Bytea)
            }
            ("concat" | "concat_ws", _) | ("format", _)
                if n > usize::from(name == "concat_ws")
                    && (name != "format" || is_text(types[0])) =>
            {
                // Arguments in their output form (a boolean is t/f here, not true/false).
                for (expr, ty, _) in bound.iter_mut() {
                    if *ty == D::Bool {
                        *expr = Expr::Case(
                            vec![(expr.clone(), Expr::Const(Value::Text("t".into())))],
                            Box::new(Expr::Case(
                                vec![(
                                    Expr::Not(Box::new(expr.clone())),
                                    Expr::Const(Value::Text("f".into())),
                                )],
                                Box::new(Expr::Const(Value::Null)),
                            )),
                        );
                        *ty = D::Text;
                    }
                }
                let f = match name {
                    "concat" => S::Concat,
                    "format" => S::Format,
                    _ => S::ConcatWs,
                };
                Some((f, vec![D::Text; n], D::Text))
            }
            // Math: integer arguments resolve to the double precision overloads, as in
            // PostgreSQL (float8 is the numeric category's preferred type).
            ("round" | "trunc", 1) if is_num(types[0]) => {
                let ty = if types[0] == D::Numeric {
                    D::Numeric
                } else {
                    D::Float8
                };
                let f = if name == "round" { S::Round } else { S::Trunc };
                Some((f, vec![ty], ty))
            }
            ("round" | "trunc", 2) if is_num(types[0]) && is_int(types[1]) => {
                let f = if name == "round" { S::Round } else { S::Trunc };
                Some((f, vec![D::Numeric, D::Int8], D::Numeric))
            }
            ("ceil" | "ceiling" | "floor" | "sign", 1) if is_num(types[0]) => {
                let ty = if types[0] == D::Numeric {
                    D::Numeric
                } else {
                    D::Float8
                };
                let f = match name {
                    "floor" => S::Floor,
                    "sign" => S::Sign,
                    _ => S::Ceil,
                };
                Some((f, vec![ty], ty))
            }
            (
                "sqrt" | "cbrt" | "exp" | "ln" | "log" | "log10" | "degrees" | "radians" | "sin"
                | "cos" | "tan" | "asin" | "acos" | "atan",
                1,
            ) if is_num(types[0]) => {
                let float_only = matches!(
                    name,
                    "cbrt"
                        | "degrees"
                        | "radians"
                        | "sin"
                        | "cos"
                        | "tan"
                        | "asin"
                        | "acos"
                        | "atan"
                );
                // numeric has its own sqrt, exp, ln and log (exact to their result scale).
                let ty = if types[0] == D::Numeric && !float_only {
                    D::Numeric
                } else {
                    D::Float8
                };
                Some((S::Math(math_fn(name)), vec![ty], ty))
            }
            ("power" | "pow" | "atan2", 2) if is_num(types[0]) && is_num(types[1]) => {
                // numeric only when no argument is double precision.
                let f = if name == "atan2" { S::Atan2 } else { S::Power };
                let ty = if f == S::Power
                    && types.contains(&D::Numeric)
                    && !types.contains(&D::Float8)
                    && !types.contains(&D::Float4)
                {
                    D::Numeric
                } else {
                    D::Float8
                };
                Some((f, vec![ty, ty], ty))
            }
            ("to_char", 2)
                if matches!(types[0], D::Timestamp | D::TimestampTz | D::Date)
                    && is_text(types[1]) =>
            {
                // A date prints as the timestamptz of its midnight (PostgreSQL's preferred
                // cast: `TZ` names the session's zone).
                let ty = if types[0] == D::Timestamp {
                    D::Timestamp
                } else {
                    D::TimestampTz
                };
                Some((S::ToChar(ty == D::TimestampTz), vec![ty, D::Text], D::Text))
            }
            ("to_number", 2) if is_text(types[0]) && is_text(types[1]) => {
                Some((S::ToNumber, vec![D::Text, D::Text], D::Numeric))
            }
            ("to_char", 2) if types[0] == D::Interval && is_text(types[1]) => {
                Some((S::IntervalToChar, vec![D::Interval, D::Text], D::Text))
            }
            ("to_char", 2) if is_num(types[0]) && types[0] != D::Unknown && is_text(types[1]) => {
                let ty = match types[0] {
                    D::Int2 | D::Int4 => D::Int4,
                    other => other,
                };
                Some((S::NumberToChar(ty), vec![ty, D::Text], D::Text))
            }
            ("scale" | "min_scale", 1) if is_num(types[0]) && !is_float(types[0]) => {
                let f = if name == "scale" {
                    S::NumericScale
                } else {
                    S::MinScale
                };
                Some((f, vec![D::Numeric], D::Int4))
            }
            ("trim_scale", 1) if is_num(types[0]) && !is_float(types[0]) => {
                Some((S::TrimScale, vec![D::Numeric], D::Numeric))
            }
            ("div", 2) if types.iter().all(|t| is_num(*t) && !is_float(*t)) => {
                Some((S::DivTrunc, vec![D::Numeric, D::Numeric], D::Numeric))
            }
            ("factorial", 1) if is_int(types[0]) => Some((S::Factorial, vec![D::Int8], D::Numeric)),
            ("gcd" | "lcm", 2) if types.iter().all(|t| is_num(*t) && !is_float(*t)) => {
                let ty = if types.iter().all(|t| t.is_integer() || *t == D::Unknown) {
                    // int4 unless an argument is bigint (smallint widens to int4).
                    if types.contains(&D::Int8) {
                        D::Int8
                    } else {
                        D::Int4
                    }
                } else {
                    D::Numeric
                };
                let f = if name == "gcd" {
                    S::Gcd(ty)
                } else {
                    S::Lcm(ty)
                };
                Some((f, vec![ty, ty], ty))
            }
            // log(numeric, numeric) only: no double precision overload takes a base.
            ("log", 2)
                if is_num(types[0])
                    && is_num(types[1])
                    && !types.contains(&D::Float8)
                    && !types.contains(&D::Float4) =>
            {
                Some((S::LogBase, vec![D::Numeric, D::Numeric], D::Numeric))
            }
            ("pi", 0) => Some((S::Pi, Vec::new(), D::Float8)),
            // timezone(zone, ts): a timestamptz's wall clock in the zone, or the instant a
            // timestamp's wall clock in the zone is (an untyped literal or a date: as
            // timestamptz, PostgreSQL's preferred type).
            ("timezone", 2)
                if (is_text(types[0]) || types[0] == D::Interval)
                    && matches!(
                        types[1],
                        D::Timestamp | D::TimestampTz | D::Date | D::Unknown
                    ) =>
            {
                let zone = if types[0] == D::Interval {
                    D::Interval
                } else {
                    D::Text
                };
                Some(match types[1] {
                    D::Timestamp => (
                        S::AtTimeZone(false),
                        vec![zone, D::Timestamp],
                        D::TimestampTz,
                    ),
                    _ => (
                        S::AtTimeZone(true),
                        vec![zone, D::TimestampTz],
                        D::Timestamp,
                    ),
                })
            }
            ("mod", 2)
                if is_num(types[0])
                    && is_num(types[1])
                    && !types.contains(&D::Float8)
                    && !types.contains(&D::Float4) =>
            {
                let common = if types.iter().all(|t| *t == D::Unknown) {
                    D::Int4
                } else if types.iter().all(|t| is_int(*t)) {
                    let known: Vec<D> =
                        types.iter().copied().filter(|t| *t != D::Unknown).collect();
                    known.into_iter().fold(D::Int2, wider)
                } else {
                    D::Numeric
                };
                let (l, lt, ls) = bound[0].clone();
                let (r, rt, rs) = bound[1].clone();
                let l = self.coerce_to(l, lt, common, ls)?;
                let r = self.coerce_to(r, rt, common, rs)?;
                return Ok(Some((
                    Expr::Binary(BinOp::Mod(common), Box::new(l), Box::new(r)),
                    common,
                )));
            }
            ("greatest" | "least", _) if n > 0 => {
                let rows: Vec<Vec<D>> = types.iter().map(|t| vec![*t]).collect();
                let common = self.common_types(&rows, &name.to_uppercase(), bound[0].2)?[0];
                let f = if name == "greatest" {
                    S::Greatest
                } else {
                    S::Least
                };
                Some((f, vec![common; n], common))
            }
            ("nullif", 2) => {
                // NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END, of a's type.
                let (l, lt, ls) = bound[0].clone();
                let (r, rt, _) = bound[1].clone();
                let ty = if lt == D::Unknown { D::Text } else { lt };
                let original = self.coerce_to(l.clone(), lt, ty, ls)?;
                let (l, r, _) = self.unify(l, lt, r, rt, "=", ls)?;
                let equal = Expr::Binary(BinOp::Eq, Box::new(l), Box::new(r));
                return Ok(Some((
                    Expr::Case(vec![(equal, Expr::Const(Value::Null))], Box::new(original)),
                    ty,
                )));
            }
            _ => None,
        };
        let Some((func, arg_types, result)) = pick else {
            return Ok(None);
        };
        let mut args = Vec::with_capacity(n);
        for ((expr, from, span), to) in bound.iter().cloned().zip(arg_types) {
            let expr = if from.is_string() && to == D::Text {
                self.text_expr(expr, from, span)?
            } else if from == to || (from.is_integer() && to == D::Int8) {
                expr
            } else {
                // Other types reach text overloads (concat) in their text form.
                self.coerce_to(expr, from, to, span)?
            };
            args.push(expr);
        }
        let zone_op = match func {
            S::ToChar(true) => Some(crate::tz::ZoneOp::ToChar),
            S::ToTimestampText => Some(crate::tz::ZoneOp::ToTimestamp),
            _ => None,
        };
        if let Some(zoned) = zone_op.and_then(|op| self.zoned(op, args.clone())) {
            return Ok(Some((zoned, result)));
        }
        if name == "make_timestamptz" {
            let zone = (args.len() == 7).then(|| args.pop()).flatten();
            let local = Expr::Scalar(S::MakeTimestamp, args);
            let instant = match zone {
                Some(zone) => Expr::Scalar(S::AtTimeZone(false), vec![zone, local]),
                None => self.cast_node(local, D::Timestamp, D::TimestampTz, false),
            };
            return Ok(Some((instant, result)));
        }
        Ok(Some((Expr::Scalar(func, args), result)))
    }

    fn no_function(&self, name: &str, types: &[DataType], position: Option<usize>) -> SqlError {
        let args: Vec<String> = types.iter().map(|t| t.name()).collect();
        SqlError::new(code::UNDEFINED_FUNCTION, format!("function {name}({}) does not exist", args.join(", ")))
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
            .at(position)
    }
}

/// A WITH query visible to the statement's FROM clauses (inlined where named).
struct Cte {
    name: String,
    rel: Rel,
    columns: Vec<OutputColumn>,
    /// False for a data-modifying query without RETURNING: it has no rows to read.
    returning: bool,
    /// How many of the last columns are found by name but left out of `*` (a SEARCH or CYCLE
    /// clause's, while the recursive term is bound).
    hidden: usize,
    /// Where the query may not be read while its own terms are bound.
    guard: CteGuard,
}

/// What a reference to a recursive WITH query is checked against while the query itself is
/// bound (PostgreSQL's checkWellFormedRecursion).
enum CteGuard {
    None,
    /// Its non-recursive term is bound: no reference there.
    NonRecursiveTerm,
    /// It is no `base UNION [ALL] step`: a reference makes it malformed (the error at its name).
    NotUnion(Option<usize>),
    /// Its recursive term is bound: one reference (its position once read), outside
    /// expression subqueries (those around it then: `sublinks`) and the nullable side of outer
    /// joins.
    RecursiveTerm {
        sublinks: usize,
        read: std::cell::Cell<Option<Option<usize>>>,
    },
}

/// The integer type of `smallserial`, `serial`, `bigserial` (and `serial2/4/8`); None for
/// another type.
fn serial_type(data_type: &ast::DataType) -> Option<DataType> {
    match data_type {
        ast::DataType::Custom(type_name, modifiers) if modifiers.is_empty() => {
            match type_name.to_string().to_lowercase().as_str() {
                "smallserial" | "serial2" => Some(DataType::Int2),
                "serial" | "serial4" => Some(DataType::Int4),
                "bigserial" | "serial8" => Some(DataType::Int8),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The INSERT, UPDATE or DELETE a WITH query (or a statement's body) is, if it is one.
fn written_statement(query: &ast::Query) -> Option<&Statement> {
    match query.body.as_ref() {
        SetExpr::Insert(statement)
        | SetExpr::Update(statement)
        | SetExpr::Delete(statement)
        | SetExpr::Merge(statement) => Some(statement),
        _ => None,
    }
}

/// A locking clause of a query: how it locks, and the FROM items its OF names (none: all).
#[derive(Clone)]
struct BoundLock {
    locking: RowLocking,
    of: Vec<OfName>,
}

/// A name after a locking clause's OF: its parts (normalized as identifiers), and where it is
/// in the statement (for errors).
#[derive(Clone)]
struct OfName {
    parts: Vec<String>,
    position: Option<usize>,
}

/// The conditions of the inner joins (and inner LATERAL joins) of a FROM clause's tree as
/// written, over the FROM row (`rel` starts at `offset` in it); not those inside outer joins.
fn inner_join_conditions(rel: &Rel, offset: usize, out: &mut Vec<Expr>) {
    if let Rel::Join {
        kind: JoinKind::Inner,
        left,
        right,
        on,
        ..
    }
    | Rel::Apply {
        kind: JoinKind::Inner,
        left,
        right,
        on,
    } = rel
    {
        for condition in on {
            let mut split = Vec::new();
            crate::planner::conjuncts(condition.clone(), &mut split);
            out.extend(split.into_iter().map(|c| c.remap_columns(&|i| i + offset)));
        }
        inner_join_conditions(left, offset, out);
        inner_join_conditions(right, offset + left.width(), out);
    }
}

/// The items of a FROM clause's tree as written (joined by joins and LATERAL): per item, where
/// its row starts in the FROM row, its tree, and whether an outer join may pad it with NULLs.
fn from_items<'r>(
    rel: &'r Rel,
    offset: usize,
    nullable: bool,
    out: &mut Vec<(usize, &'r Rel, bool)>,
) {
    match rel {
        Rel::Join {
            kind, left, right, ..
        }
        | Rel::Apply {
            kind, left, right, ..
        } => {
            let padded = |side: JoinKind| matches!(kind, JoinKind::Full) || *kind == side;
            from_items(left, offset, nullable || padded(JoinKind::Right), out);
            let at = offset + left.width();
            from_items(right, at, nullable || padded(JoinKind::Left), out);
        }
        other => out.push((offset, other, nullable)),
    }
}

/// The parts of a bound SELECT, before they become a [`SelectPlan`] or a [`Rel`] tree.
struct SelectParts {
    from: Rel,
    filter: Option<Expr>,
    grouping: Option<Grouping>,
    /// Window calls; outputs name them as [`Expr::Window`].
    windows: Vec<WindowCall>,
    /// Set-returning calls of the SELECT list; outputs name them as [`Expr::SetFn`].
    srfs: Vec<(TableFunc, Vec<Expr>)>,
    /// Visible outputs first, then hidden sort and DISTINCT ON keys.
    outputs: Vec<Expr>,
    columns: Vec<OutputColumn>,
    /// None: all rows; Some(None): DISTINCT; Some(Some(outputs)): DISTINCT ON.
    distinct: Option<Option<Vec<usize>>>,
    order_by: Vec<SortKey>,
    limit: Option<Expr>,
    offset: Option<Expr>,
    /// FETCH ... WITH TIES: the limit also takes the rows that sort equal to its last one.
    with_ties: bool,
    /// The tables whose rows the locking clauses lock.
    locks: Vec<LockTarget>,
    /// What pulled-up views and subqueries add to a locked row's recheck, and the FROM row's
    /// columns they compute again (see [`Locks`]).
    lock_recheck: Vec<Expr>,
    lock_fixups: Vec<(usize, Expr)>,
}

/// What a SELECT's locking clauses lock, over its FROM row: the tables' rows, and for views
/// and subqueries pulled up into it ([`ItemLock::Carried`]) the conditions their locked rows
/// must still pass when changed meanwhile and their columns computed again from them.
#[derive(Default)]
struct Locks {
    targets: Vec<LockTarget>,
    recheck: Vec<Expr>,
    fixups: Vec<(usize, Expr)>,
}

impl SelectParts {
    /// The single-table form (one table or none, every expression runnable on a worker), or the
    /// parts back.
    fn into_select_plan(self) -> Result<SelectPlan, Box<SelectParts>> {
        let table = match &self.from {
            Rel::Scan {
                table,
                access: Access::Scan,
                filter: None,
                project: None,
                ..
            } => Some(table.clone()),
            Rel::Values { rows, width: 0 } if rows.len() == 1 => None,
            _ => return Err(Box::new(self)),
        };
        // Under a LIMIT, rows of a table with a primary key are locked by the tree's LockRows,
        // which reads only as many candidates as OFFSET + LIMIT need, in the ORDER BY's key or
        // index order (`plan::top_scans`); the single-table form reads every candidate (and
        // is the quicker without a LIMIT: one table's read and locks, no tree).
        if table.as_ref().is_some_and(|t| !t.primary_key.is_empty())
            && !self.locks.is_empty()
            && self.limit.is_some()
        {
            return Err(Box::new(self));
        }
        let mut exprs: Vec<&Expr> = self.outputs.iter().collect();
        exprs.extend(&self.filter);
        exprs.extend(&self.limit);
        exprs.extend(&self.offset);
        if let Some(grouping) = &self.grouping {
            exprs.extend(&grouping.keys);
            exprs.extend(grouping.aggs.iter().filter_map(|a| a.arg.as_ref()));
            exprs.extend(grouping.aggs.iter().filter_map(|a| a.filter.as_ref()));
            exprs.extend(&grouping.having);
        }
        if self.distinct.is_some()
            || self.with_ties
            || !self.windows.is_empty()
            || !self.srfs.is_empty()
            || self.grouping.as_ref().is_some_and(|g| g.sets.is_some())
            || !exprs.iter().all(|e| e.is_local())
        {
            return Err(Box::new(self));
        }
        // Constant parts are computed once, here (see `Expr::fold_constants`).
        let filter = self.filter.map(Expr::fold_constants);
        let access = match (&table, &filter) {
            (Some(table), Some(filter)) => key_access(table, filter),
            _ => Access::Scan,
        };
        Ok(SelectPlan {
            table,
            access,
            filter: filter.map(Arc::new),
            grouping: self.grouping,
            outputs: self.outputs,
            columns: self.columns,
            order_by: self.order_by,
            limit: self.limit,
            offset: self.offset,
            locking: self.locks.first().map(|target| target.locking),
        })
    }

    /// [`SelectParts::into_rel`], for a SELECT whose locking clauses the tree can run: its
    /// locked rows are named by their tables' keys (the row key after a table's row in the FROM
    /// row for a table without a primary key: [`SelectParts::add_row_keys`]), and it reads
    /// nothing of a query around it (the rows are locked before the statement's tree runs).
    fn into_locking_rel(mut self) -> SqlResult<(Rel, Vec<OutputColumn>)> {
        self.add_row_keys()?;
        let locked = !self.locks.is_empty();
        let (rel, columns) = self.into_rel();
        if locked && !rel.outer_refs_list().is_empty() {
            return Err(unsupported("FOR UPDATE/SHARE in a correlated subquery"));
        }
        Ok((rel, columns))
    }

    /// Makes the FROM row carry, right after the row of each locked table without a primary key,
    /// that row's row key (see [`crate::plan::add_row_key_at`]), which names the row to lock;
    /// what reads the FROM row's later columns reads them one further on. Such a table inside a
    /// view or subquery pulled up is not supported yet.
    fn add_row_keys(&mut self) -> SqlResult<()> {
        let mut at = 0;
        while at < self.locks.len() {
            let target = &self.locks[at];
            at += 1;
            if !target.table.primary_key.is_empty() {
                continue;
            }
            let offset = target.offset;
            let Some(width) = crate::plan::add_row_key_at(&mut self.from, offset) else {
                return Err(unsupported(format!(
                    "FOR {} of table \"{}\" (no primary key) in a view or subquery",
                    target.locking.strength.name(),
                    crate::catalog::relname(&target.table.name)
                )));
            };
            let after = |c: usize| if c >= offset + width { c + 1 } else { c };
            let shift = |e: &mut Expr| {
                let moved = std::mem::replace(e, Expr::Const(Value::Null));
                *e = moved.remap_columns(&after);
            };
            self.filter.iter_mut().for_each(shift);
            self.outputs.iter_mut().for_each(shift);
            self.lock_recheck.iter_mut().for_each(shift);
            for (column, fixup) in &mut self.lock_fixups {
                *column = after(*column);
                shift(fixup);
            }
            for (_, args) in &mut self.srfs {
                args.iter_mut().for_each(shift);
            }
            for target in &mut self.locks {
                if target.offset > offset {
                    target.offset += 1;
                }
            }
        }
        Ok(())
    }

    /// Under FOR UPDATE / SHARE: what a locked row changed meanwhile must still pass, over the
    /// FROM row: the WHERE clause's and inner joins' conditions (not those that run subqueries
    /// or sequence functions), and those of the views and subqueries pulled up.
    fn lock_recheck(&self) -> Vec<Expr> {
        let mut recheck = Vec::new();
        if let Some(filter) = &self.filter {
            crate::planner::conjuncts(filter.clone(), &mut recheck);
        }
        inner_join_conditions(&self.from, 0, &mut recheck);
        recheck.retain(Expr::recomputable);
        recheck.extend(self.lock_recheck.iter().cloned());
        recheck
    }

    /// Whether PostgreSQL would pull this SELECT up into a query around it (as far as its
    /// parts say: no WITH, ORDER BY, LIMIT or locking clause of its own, see
    /// `Binder::bind_with_body`): no grouping, DISTINCT, window or set-returning calls (under
    /// a locking clause each of those is an error already).
    fn is_plain(&self) -> bool {
        self.grouping.is_none()
            && self.distinct.is_none()
            && self.windows.is_empty()
            && self.srfs.is_empty()
            && self.order_by.is_empty()
            && self.limit.is_none()
            && self.offset.is_none()
    }

    /// A view or subquery in FROM pulled up for the locking clause of the query around it
    /// ([`ItemLock::Carried`]): its tree gives its visible columns followed by its FROM row
    /// (its WHERE placed as usual), and what the query around it needs to lock its tables'
    /// rows, over that row.
    fn into_carrying_rel(self) -> (Rel, Vec<OutputColumn>, Carried) {
        let visible = self.columns.len();
        let from_width = self.from.width();
        let shift = |e: Expr| e.remap_columns(&|c| c + visible);
        let recheck = self.lock_recheck().into_iter().map(shift).collect();
        let outputs: Vec<Expr> = self.outputs.into_iter().take(visible).collect();
        // Those of the views and subqueries inside first: its outputs may read them.
        let mut fixups: Vec<(usize, Expr)> = (self.lock_fixups.into_iter())
            .map(|(column, e)| (column + visible, shift(e)))
            .collect();
        fixups.extend(outputs.iter().cloned().map(shift).enumerate());
        let mut conjuncts = Vec::new();
        if let Some(filter) = self.filter {
            crate::planner::conjuncts(filter, &mut conjuncts);
        }
        let mut exprs = outputs;
        exprs.extend((0..from_width).map(Expr::Column));
        let rel = Rel::Project {
            input: Box::new(crate::planner::place(self.from, conjuncts)),
            exprs,
        };
        let targets = (self.locks.into_iter())
            .map(|target| LockTarget {
                offset: target.offset + visible,
                ..target
            })
            .collect();
        let carried = Carried {
            targets,
            recheck,
            fixups,
        };
        (rel, self.columns, carried)
    }

    /// The general tree: FROM with the WHERE conjuncts placed, then grouping, HAVING, outputs,
    /// DISTINCT, ORDER BY, LIMIT, and the hidden outputs dropped.
    fn into_rel(self) -> (Rel, Vec<OutputColumn>) {
        // Under FOR UPDATE / SHARE: the recheck, and the FROM row's width.
        let locked = (!self.locks.is_empty()).then(|| (self.lock_recheck(), self.from.width()));
        let lock_fixups = self.lock_fixups;
        let mut conjuncts = Vec::new();
        if let Some(filter) = self.filter {
            crate::planner::conjuncts(filter, &mut conjuncts);
        }
        let mut rel = crate::planner::place(self.from, conjuncts);
        // Whether grouping keys were carried (see below).
        let mut carried = false;
        if let Some(grouping) = self.grouping {
            rel = match grouping.sets {
                None => {
                    let (keys, aggs, restore) =
                        crate::planner::reduce_group_keys(&rel, grouping.keys, grouping.aggs);
                    carried = restore.is_some();
                    let aggregate = Rel::Aggregate {
                        input: Box::new(rel),
                        keys,
                        aggs,
                    };
                    match restore {
                        Some(exprs) => Rel::Project {
                            input: Box::new(aggregate),
                            exprs,
                        },
                        None => aggregate,
                    }
                }
                Some(sets) => grouping_sets(rel, &grouping.keys, &grouping.aggs, &sets),
            };
            if let Some(having) = grouping.having {
                rel = Rel::Filter {
                    input: Box::new(rel),
                    predicate: having,
                };
            }
        }
        let mut outputs = self.outputs;
        // Window and set-returning calls become the columns their operators append.
        fn place(expr: Expr, base: usize, set_fn: bool) -> Expr {
            match expr {
                Expr::Window(i) if !set_fn => Expr::Column(base + i),
                Expr::SetFn(i) if set_fn => Expr::Column(base + i),
                other => other
                    .try_map::<std::convert::Infallible>(&mut |e| Ok(place(e, base, set_fn)))
                    .unwrap_or_else(|never| match never {}),
            }
        }
        if !self.windows.is_empty() {
            let base = rel.width();
            outputs = outputs.into_iter().map(|e| place(e, base, false)).collect();
            rel = Rel::Window {
                input: Box::new(rel),
                calls: self.windows,
            };
        }
        if !self.srfs.is_empty() {
            let base = rel.width();
            outputs = outputs.into_iter().map(|e| place(e, base, true)).collect();
            rel = Rel::ProjectSet {
                input: Box::new(rel),
                calls: self.srfs,
            };
        }
        let width = outputs.len();
        // Locked rows carry the FROM row after the outputs; the outputs are computed again over
        // it when a locked row changed.
        let lock_outputs: Vec<Expr> = match &locked {
            Some((_, from_width)) => {
                let shifted = (outputs.iter().cloned())
                    .map(|e| e.remap_columns(&|c| c + width))
                    .collect();
                outputs.extend((0..*from_width).map(Expr::Column));
                shifted
            }
            None => Vec::new(),
        };
        rel = Rel::Project {
            input: Box::new(rel),
            exprs: outputs,
        };
        let ties = self.with_ties.then(|| self.order_by.clone());
        let sort = |rel: Rel, keys: Vec<SortKey>| {
            if keys.is_empty() {
                rel
            } else {
                Rel::Sort {
                    input: Box::new(rel),
                    keys,
                }
            }
        };
        rel = match self.distinct {
            None => sort(rel, self.order_by),
            Some(None) => sort(
                Rel::Distinct {
                    input: Box::new(rel),
                    on: None,
                },
                self.order_by,
            ),
            Some(Some(on)) => Rel::Distinct {
                input: Box::new(sort(rel, self.order_by)),
                on: Some(on),
            },
        };
        if let Some((recheck, _)) = locked {
            rel = Rel::LockRows {
                input: Box::new(rel),
                width,
                targets: self.locks,
                fixups: (lock_fixups.into_iter())
                    .map(|(column, e)| (column + width, e.remap_columns(&|c| c + width)))
                    .collect(),
                recheck: crate::planner::and_all(recheck).map(|e| e.remap_columns(&|c| c + width)),
                outputs: lock_outputs,
                limit: self.limit,
                offset: self.offset,
            };
        } else if self.limit.is_some() || self.offset.is_some() {
            rel = Rel::Limit {
                input: Box::new(rel),
                limit: self.limit,
                offset: self.offset,
                ties,
            };
        }
        if width > self.columns.len() {
            rel = Rel::Project {
                input: Box::new(rel),
                exprs: (0..self.columns.len()).map(Expr::Column).collect(),
            };
        }
        // The nodes above the aggregate read its row as `Group(i)` / `Agg(i)`; over the
        // projection that puts carried keys back in place they become the columns they read,
        // which column pruning follows (as after an eager aggregation, `crate::eager`).
        if carried {
            rel = rel.map_exprs(&mut crate::eager::as_columns);
        }
        (rel, self.columns)
    }
}

/// Where the first output of a set operation's branch is written (PostgreSQL's position for
/// column count errors).
fn first_output_span(body: &SetExpr) -> Span {
    output_span(body, 0)
}

/// The span of a query's `n`th output expression (0-based; the query's own span when it has no
/// such item of its own).
fn output_span(body: &SetExpr, n: usize) -> Span {
    match body {
        SetExpr::Select(select) => match select.projection.get(n) {
            Some(SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) => {
                e.span()
            }
            _ => body.span(),
        },
        SetExpr::Query(query) => output_span(&query.body, n),
        SetExpr::SetOperation { left, .. } => output_span(left, n),
        _ => body.span(),
    }
}

/// The scope entry of a subquery or WITH query's columns.
fn scope_rel(alias: String, columns: &[OutputColumn], offset: usize) -> ScopeRel {
    ScopeRel {
        alias,
        aliased: false,
        view: None,
        table: None,
        columns: columns
            .iter()
            .map(|c| ScopeColumn {
                name: c.name.clone(),
                ty: c.ty,
                source: c.source,
                merged: false,
                denied: false,
                system: false,
                name_type: false,
            })
            .collect(),
        offset,
        scalar: false,
        shown: None,
        lock: ItemLock::None,
        padded: false,
    }
}

/// Applies an alias's column names (`AS x(a, b)`) to the first columns.
fn rename_columns(
    mut columns: Vec<OutputColumn>,
    alias: &ast::TableAlias,
    name: &str,
) -> SqlResult<Vec<OutputColumn>> {
    if alias.columns.len() > columns.len() {
        return Err(SqlError::new(
            "42P10",
            format!(
                "table \"{name}\" has {} columns available but {} columns specified",
                columns.len(),
                alias.columns.len()
            ),
        ));
    }
    for (column, new) in columns.iter_mut().zip(&alias.columns) {
        column.name = ident_name(&new.name);
    }
    Ok(columns)
}

/// Finds a column in one scope level: its position in the FROM row and its type.
fn resolve(
    scope: &Scope<'_>,
    qualifier: Option<&str>,
    name: &str,
    full_name: &str,
) -> Result<(usize, DataType), Unresolved> {
    if let Some(qualifier) = qualifier {
        let Some(rel) = scope.rels.iter().find(|rel| rel.alias == qualifier) else {
            return Err(Unresolved::NotFound);
        };
        return match rel.columns.iter().position(|c| c.name == name) {
            Some(i) => Ok((rel.offset + i, rel.columns[i].ty)),
            None => Err(Unresolved::Error(SqlError::new(
                code::UNDEFINED_COLUMN,
                format!("column {full_name} does not exist"),
            ))),
        };
    }
    let mut found = None;
    for rel in &scope.rels {
        for (i, column) in rel.columns.iter().enumerate() {
            if column.name == name && !column.merged {
                if found.is_some() {
                    return Err(Unresolved::Error(SqlError::new(
                        code::AMBIGUOUS_COLUMN,
                        format!("column reference \"{name}\" is ambiguous"),
                    )));
                }
                found = Some((rel.offset + i, column.ty));
            }
        }
    }
    found.ok_or(Unresolved::NotFound)
}

/// PostgreSQL 15's hint for a column reference that names no column (`errorMissingColumn`),
/// over the FROM items in `scope` and the scopes around it (see [`nearest_column_hint`]).
/// `view`: the name of the view a rewritten write goes through and its columns, which an item
/// of that name has in place of its own.
fn missing_column_hint(
    scope: &Scope<'_>,
    view: Option<&(String, Vec<String>)>,
    qualifier: Option<&str>,
    name: &str,
) -> Option<String> {
    let mut items: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut level = Some(scope);
    while let Some(current) = level {
        for rel in &current.rels {
            let columns = match view {
                Some((alias, columns)) if *alias == rel.alias => {
                    columns.iter().map(String::as_str).collect()
                }
                _ => (rel.columns.iter())
                    .filter(|c| !c.system)
                    .map(|c| c.name.as_str())
                    .collect(),
            };
            items.push((rel.alias.as_str(), columns));
        }
        level = current.outer;
    }
    nearest_column_hint(&items, qualifier, name)
}

/// PostgreSQL 15's hint for a column reference `[qualifier.]name` that names no column
/// (`searchRangeTableForCol`): among the columns of `items` (each a FROM item's name and its
/// columns, innermost query first), the one nearest `name` in Levenshtein distance (at most 3,
/// and at most half of `name`'s length), a `qualifier` adding its own distance from each item's
/// name; two equally near ones are both named, more are none. A column of that very name in an
/// item of that very name (one the reference cannot see) is said so instead.
pub(super) fn nearest_column_hint(
    items: &[(&str, Vec<&str>)],
    qualifier: Option<&str>,
    name: &str,
) -> Option<String> {
    const MAX_DISTANCE: usize = 3;
    let mut distance = MAX_DISTANCE + 1;
    let mut first: Option<(&str, &str)> = None;
    let mut second: Option<(&str, &str)> = None;
    for &(item, ref columns) in items {
        let penalty = qualifier.map_or(0, |q| levenshtein(q, item));
        let mut exact = false;
        for &column in columns {
            exact |= column == name;
            if penalty > distance || column.is_empty() {
                continue;
            }
            let apart = levenshtein(column, name);
            if apart > name.len() / 2 {
                continue;
            }
            let apart = apart + penalty;
            if apart < distance {
                distance = apart;
                (first, second) = (Some((item, column)), None);
            } else if apart == distance {
                if second.is_some() {
                    // Three as near: none is a good guess, and only a nearer one will be.
                    (first, second) = (None, None);
                    distance = apart.saturating_sub(1);
                } else if first.is_some() {
                    second = Some((item, column));
                } else if distance <= MAX_DISTANCE {
                    first = Some((item, column));
                }
            }
        }
        if exact && penalty == 0 {
            return Some(format!(
                "There is a column named \"{name}\" in table \"{item}\", but it cannot be referenced from this part of the query."
            ));
        }
    }
    match (first, second) {
        (Some((r1, c1)), Some((r2, c2))) => Some(format!(
            "Perhaps you meant to reference the column \"{r1}.{c1}\" or the column \"{r2}.{c2}\"."
        )),
        (Some((r1, c1)), None) => Some(format!(
            "Perhaps you meant to reference the column \"{r1}.{c1}\"."
        )),
        _ => None,
    }
}

/// The Levenshtein distance between two strings, by characters (insertions, deletions and
/// substitutions each costing 1).
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substituted = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substituted.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

fn trim_fn(name: &str) -> crate::functions::Scalar {
    use crate::functions::Scalar as S;
    match name {
        "ltrim" => S::Trim(true, false),
        "rtrim" => S::Trim(false, true),
        _ => S::Trim(true, true),
    }
}

fn math_fn(name: &str) -> crate::functions::Math {
    use crate::functions::Math as M;
    match name {
        "sqrt" => M::Sqrt,
        "cbrt" => M::Cbrt,
        "exp" => M::Exp,
        "ln" => M::Ln,
        "log" => M::Log,
        "log10" => M::Log10,
        "degrees" => M::Degrees,
        "radians" => M::Radians,
        "sin" => M::Sin,
        "cos" => M::Cos,
        "tan" => M::Tan,
        "asin" => M::Asin,
        "acos" => M::Acos,
        _ => M::Atan,
    }
}

/// The expressions of a call's positional arguments (named and `*` arguments: 0A000).
/// A jsonpath function's arguments by position or by name (`target`, `path`, `vars`,
/// `silent`), as PostgreSQL's declaration names them: the expression given for each.
fn path_arguments<'e>(args: &[&'e FunctionArg]) -> SqlResult<Vec<Option<&'e ast::Expr>>> {
    const NAMES: [&str; 4] = ["target", "path", "vars", "silent"];
    let mut slots = vec![None; 4];
    let mut named = false;
    for (i, arg) in args.iter().enumerate() {
        let (slot, expr) = match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) if !named => (i, expr),
            FunctionArg::Named {
                name,
                arg: FunctionArgExpr::Expr(expr),
                ..
            }
            | FunctionArg::ExprNamed {
                name: ast::Expr::Identifier(name),
                arg: FunctionArgExpr::Expr(expr),
                ..
            } => {
                named = true;
                let name = ident_name(name);
                let slot = NAMES.iter().position(|n| *n == name).ok_or_else(|| {
                    SqlError::new(
                        code::UNDEFINED_FUNCTION,
                        format!("function has no argument named \"{name}\""),
                    )
                })?;
                (slot, expr)
            }
            FunctionArg::Unnamed(FunctionArgExpr::Expr(_)) => {
                return Err(SqlError::syntax(
                    "positional argument cannot follow named argument",
                ))
            }
            _ => return Err(unsupported("named or wildcard function arguments")),
        };
        if slot >= 4 || slots[slot].is_some() {
            return Err(SqlError::new(
                code::UNDEFINED_FUNCTION,
                "function has too many or repeated arguments",
            ));
        }
        slots[slot] = Some(expr);
    }
    Ok(slots)
}

fn positional_args<'e>(
    args: impl IntoIterator<Item = &'e FunctionArg>,
) -> SqlResult<Vec<&'e ast::Expr>> {
    args.into_iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => Ok(expr),
            _ => Err(unsupported("named or wildcard function arguments")),
        })
        .collect()
}

/// A new schema's name: `pg_` is PostgreSQL's (42939); a dot would break catalog keys (see
/// [`crate::catalog::qualify`]).
fn check_schema_name(name: &str) -> SqlResult<()> {
    if name.starts_with("pg_") {
        return Err(
            SqlError::new("42939", format!("unacceptable schema name \"{name}\""))
                .with_detail("The prefix \"pg_\" is reserved for system schemas."),
        );
    }
    if name.contains('.') {
        return Err(unsupported("schema names with a dot"));
    }
    Ok(())
}

/// The advisory lock function `name` called with `args` arguments, if it is one
/// (`pg_advisory_unlock_all()` takes none; the others one bigint or two integers).
fn advisory_function(name: &str, args: usize) -> Option<Advisory> {
    if name == "pg_advisory_unlock_all" {
        return (args == 0).then_some(Advisory {
            action: AdvisoryAction::UnlockAll,
            shared: false,
            xact: false,
        });
    }
    if !(1..=2).contains(&args) {
        return None;
    }
    let (rest, shared) = match name.strip_suffix("_shared") {
        Some(rest) => (rest, true),
        None => (name, false),
    };
    let (action, xact) = match rest {
        "pg_advisory_lock" => (AdvisoryAction::Lock, false),
        "pg_advisory_xact_lock" => (AdvisoryAction::Lock, true),
        "pg_try_advisory_lock" => (AdvisoryAction::TryLock, false),
        "pg_try_advisory_xact_lock" => (AdvisoryAction::TryLock, true),
        "pg_advisory_unlock" => (AdvisoryAction::Unlock, false),
        _ => return None,
    };
    Some(Advisory {
        action,
        shared,
        xact,
    })
}

/// The fields of a row constructor: `(a, b)` or `ROW(a, b)` (`ROW(a)` too; `(a)` is just a).
fn row_items(expr: &ast::Expr) -> Option<Vec<&ast::Expr>> {
    match expr {
        ast::Expr::Nested(inner) => row_items(inner),
        ast::Expr::Tuple(items) => Some(items.iter().collect()),
        ast::Expr::Function(function)
            if function.name.to_string().eq_ignore_ascii_case("row")
                && function.filter.is_none()
                && function.over.is_none() =>
        {
            let FunctionArguments::List(list) = &function.args else {
                return None;
            };
            list.args
                .iter()
                .map(|arg| match arg {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect()
        }
        _ => None,
    }
}

/// `DEFAULT` in a VALUES list or SET clause.
fn is_default_keyword(expr: &ast::Expr) -> bool {
    matches!(expr, ast::Expr::Identifier(ident) if ident.quote_style.is_none() && ident.value.eq_ignore_ascii_case("default"))
}

/// The wider of two numeric types (PostgreSQL's implicit-cast preference).
/// How a RANGE frame's offset steps from an ORDER BY value of type `sort` (its expression
/// type), if the type has PostgreSQL's `in_range` support; `zone` is the session's.
fn range_step(sort: DataType, zone: Option<String>) -> Option<RangeStep> {
    Some(match sort {
        DataType::Int2 | DataType::Int4 | DataType::Int8 => RangeStep::Integer,
        DataType::Float4 | DataType::Float8 => RangeStep::Float,
        DataType::Numeric => RangeStep::Numeric,
        DataType::Date | DataType::Timestamp => RangeStep::Timestamp,
        DataType::TimestampTz => RangeStep::TimestampTz(zone),
        DataType::Time => RangeStep::Time,
        DataType::Interval => RangeStep::Interval,
        _ => return None,
    })
}

/// The offset types PostgreSQL has `in_range` support functions for with an ORDER BY column of
/// type `sort` (whose step is `step`).
fn range_offset_types(sort: DataType, step: Option<&RangeStep>) -> &'static [DataType] {
    match step {
        None => &[],
        Some(RangeStep::Integer) => match sort {
            DataType::Int8 => &[DataType::Int8],
            _ => &[DataType::Int8, DataType::Int2, DataType::Int4],
        },
        Some(RangeStep::Float) => &[DataType::Float8],
        Some(RangeStep::Numeric) => &[DataType::Numeric],
        Some(_) => &[DataType::Interval],
    }
}

/// The type a RANGE offset of type `ty` takes (PostgreSQL's transformFrameOffset): of the
/// [`range_offset_types`] it casts to implicitly, its own type, or for an untyped literal the
/// column's, else any; None where it casts to none.
fn range_offset_type(sort: DataType, step: Option<&RangeStep>, ty: DataType) -> Option<DataType> {
    let preferred = if ty == DataType::Unknown {
        sort
    } else {
        ty.expression_type()
    };
    let implicit = |to: DataType| {
        let from = ty.expression_type();
        from == DataType::Unknown
            || from == to
            || (from.is_numeric_family() && to.is_numeric_family() && wider(from, to) == to)
    };
    let mut selected = None;
    for &candidate in range_offset_types(sort, step)
        .iter()
        .filter(|&&c| implicit(c))
    {
        if selected != Some(preferred) {
            selected = Some(candidate);
        }
    }
    selected
}

fn wider(a: DataType, b: DataType) -> DataType {
    let rank = |t: DataType| match t {
        DataType::Int2 => 0,
        DataType::Int4 => 1,
        // (Of oid and a reg* type the first wins, as in PostgreSQL's select_common_type.)
        DataType::Int8 | DataType::Oid | DataType::Reg(_) => 2,
        DataType::Numeric => 3,
        DataType::Float4 => 4,
        _ => 5,
    };
    if rank(a) >= rank(b) {
        a
    } else {
        b
    }
}

fn castable(from: DataType, to: DataType) -> bool {
    assignable(from, to)
        || from.is_string()
        || to.is_string()
        || (from == DataType::Bool && to == DataType::Int4)
        || (from == DataType::Int4 && to == DataType::Bool)
        || matches!(
            (from, to),
            (DataType::Json, DataType::Jsonb)
                | (DataType::Jsonb, DataType::Json)
                | (DataType::Timestamp | DataType::TimestampTz, DataType::Time)
        )
        || (from == DataType::Jsonb
            && (to.is_numeric_family() || to == DataType::Bool)
            && !matches!(to, DataType::Decimal(..)))
        || matches!((from.element(), to), (Some(a), DataType::Array(b)) if castable(a, b.ty()))
}

/// The column name PostgreSQL gives an unaliased output expression.
fn output_name(expr: &ast::Expr) -> String {
    use ast::Expr as E;
    match expr {
        E::Identifier(ident) => {
            let name = ident_name(ident);
            match name.as_str() {
                "current_timestamp" | "current_user" | "session_user" | "current_schema"
                | "current_catalog" | "localtimestamp" => name,
                "user" => "current_user".into(),
                _ => name,
            }
        }
        E::CompoundIdentifier(idents) => idents.last().map(ident_name).unwrap_or_default(),
        E::Function(function) => {
            let name = function
                .name
                .0
                .last()
                .map(|part| part.to_string().to_lowercase())
                .unwrap_or_default();
            match name.as_str() {
                "current_timestamp" | "localtimestamp" | "localtime" | "current_user"
                | "session_user" | "current_schema" => name,
                _ => name.trim_matches('"').to_string(),
            }
        }
        E::Cast {
            expr: inner,
            data_type,
            ..
        } => {
            // A column or function name wins over the type's (PostgreSQL's FigureColname).
            fn named(expr: &ast::Expr) -> bool {
                match expr {
                    E::Identifier(_) | E::CompoundIdentifier(_) | E::Function(_) | E::Array(_) => {
                        true
                    }
                    E::Cast { expr, .. } | E::Nested(expr) => named(expr),
                    _ => false,
                }
            }
            if named(inner) {
                output_name(inner)
            } else {
                cast_type_name(data_type)
            }
        }
        E::Extract { .. } => "extract".into(),
        E::AtTimeZone { .. } => "timezone".into(),
        E::Substring { shorthand, .. } => if *shorthand { "substr" } else { "substring" }.into(),
        E::Position { .. } => "position".into(),
        E::Overlay { .. } => "overlay".into(),
        E::Ceil { .. } => "ceil".into(),
        E::Floor { .. } => "floor".into(),
        E::Trim { trim_where, .. } => match trim_where {
            Some(ast::TrimWhereField::Leading) => "ltrim",
            Some(ast::TrimWhereField::Trailing) => "rtrim",
            _ => "btrim",
        }
        .into(),
        E::Interval(_) => "interval".into(),
        E::Array(_) => "array".into(),
        E::Tuple(_) => "row".into(),
        // `(record).field` is named by the field; `array[i]` by the array.
        E::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(ast::AccessExpr::Dot(ast::Expr::Identifier(field))) => ident_name(field),
            _ => output_name(root),
        },
        E::Nested(inner) | E::Collate { expr: inner, .. } => output_name(inner),
        E::TypedString(typed) => cast_type_name(&typed.data_type),
        E::Exists { .. } => "exists".into(),
        E::Subquery(query) => {
            // The name of the subquery's first output.
            match leftmost_select(&query.body) {
                Some(select) => match select.projection.first() {
                    Some(SelectItem::ExprWithAlias { alias, .. }) => ident_name(alias),
                    Some(SelectItem::UnnamedExpr(expr)) => output_name(expr),
                    _ => "?column?".into(),
                },
                _ => "?column?".into(),
            }
        }
        E::Case { else_result, .. } => match else_result.as_deref() {
            Some(e @ (E::Identifier(_) | E::CompoundIdentifier(_) | E::Function(_))) => {
                output_name(e)
            }
            _ => "case".into(),
        },
        _ => "?column?".into(),
    }
}

/// A value as json text (`to_json`; an unknown literal is text), as json_agg and
/// json_build_object take their values.
/// A FROM item named as a whole row (in the scope or an outer one) as its JSON object, in
/// column order: PostgreSQL's `row_to_json(t)` (Keel has no row values otherwise).
fn whole_row(scope: &Scope<'_>, name: &str, zone: Option<&String>) -> Option<(Expr, DataType)> {
    let mut depth = 0;
    let mut current = Some(scope);
    while let Some(level) = current {
        if let Some(rel) = level.rels.iter().find(|rel| rel.alias == name) {
            let mut args = Vec::with_capacity(rel.columns.len() * 2);
            for (i, column) in rel
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.merged && !c.system)
            {
                let index = rel.offset + i;
                let value = if depth == 0 {
                    Expr::Column(index)
                } else {
                    Expr::Outer(depth, index)
                };
                args.push(Expr::Const(Value::Text(column.name.clone())));
                args.push(json_value(value, column.ty, false, zone));
            }
            return Some((
                Expr::Scalar(crate::functions::Scalar::RowToJson, args),
                DataType::Json,
            ));
        }
        depth += 1;
        current = level.outer;
    }
    None
}

impl Binder<'_> {
    /// A FROM item named as a whole row (`SELECT t FROM t`, `count(t.*)`, `t IS NULL`): a
    /// record of its columns, of the table's (or view's) row type when it is one (named as
    /// PostgreSQL's `pg_typeof` names it), else of `record` with the item's column names. On
    /// a side an outer join pads with NULLs it is NULL for a padded row, as PostgreSQL's
    /// whole-row value is: found by the table's primary key (never NULL in a row), else by
    /// every column being NULL (which a stored row of NULLs there also reads as).
    fn whole_row_record(&self, scope: &Scope<'_>, name: &str) -> Option<(Expr, DataType)> {
        let mut depth = 0;
        let mut current = Some(scope);
        while let Some(level) = current {
            let Some(rel) = level
                .rels
                .iter()
                .find(|rel| rel.alias == name && !rel.scalar)
            else {
                depth += 1;
                current = level.outer;
                continue;
            };
            let at = |i: usize| match depth {
                0 => Expr::Column(rel.offset + i),
                _ => Expr::Outer(depth, rel.offset + i),
            };
            let fields: Vec<usize> = (rel.columns.iter().enumerate())
                .filter(|(_, c)| !c.merged && !c.system)
                .map(|(i, _)| i)
                .collect();
            let names: Vec<String> = fields
                .iter()
                .map(|&i| rel.columns[i].name.clone())
                .collect();
            let types: Vec<DataType> = fields.iter().map(|&i| rel.columns[i].ty).collect();
            let table = rel
                .table
                .as_deref()
                .and_then(|key| self.catalog.tables.get(key));
            let type_name = match (&rel.table, rel.view) {
                (Some(key), _) => crate::catalog::relname(key).to_string(),
                (None, Some(id)) => (self.catalog.views.values())
                    .find(|view| view.id == id)
                    .map_or("record".into(), |view| {
                        crate::catalog::relname(&view.name).to_string()
                    }),
                (None, None) => "record".into(),
            };
            let shape = crate::types::RecordShape::named(&type_name, &names, &types);
            let row = Expr::Func(Func::Row, fields.iter().map(|&i| at(i)).collect());
            if !rel.padded {
                return Some((row, DataType::Record(shape)));
            }
            let is_null = |i: usize| Expr::IsNull(Box::new(at(i)), false);
            let padded = match table.and_then(|t| t.primary_key.first()) {
                Some(&key) if key < rel.columns.len() => is_null(key),
                _ => (fields.iter().map(|&i| is_null(i)))
                    .reduce(|a, b| Expr::Binary(BinOp::And, Box::new(a), Box::new(b)))
                    .unwrap_or(Expr::Const(Value::Bool(false))),
            };
            let row = Expr::Case(vec![(padded, Expr::Const(Value::Null))], Box::new(row));
            return Some((row, DataType::Record(shape)));
        }
        None
    }
}

/// `to_json(expr)` of a value of type `ty` (`jsonb`), timestamptz values in the session's
/// zone (`zone`: [`SessionInfo::timezone`]).
fn json_value(expr: Expr, ty: DataType, jsonb: bool, zone: Option<&String>) -> Expr {
    use crate::json::JsonKind;
    let kind = JsonKind::of(ty);
    let zoned = matches!(
        kind,
        JsonKind::TimestampTz | JsonKind::Array(JsonKind::TimestampTz) | JsonKind::Record(_)
    );
    match zone.filter(|_| zoned) {
        Some(zone) => Expr::Scalar(
            crate::functions::Scalar::Zoned(crate::tz::ZoneOp::ToJson(kind, jsonb)),
            vec![Expr::Const(Value::Text(zone.clone())), expr],
        ),
        None => Expr::Scalar(crate::functions::Scalar::ToJson(kind, jsonb), vec![expr]),
    }
}

/// The function whose array `name`'s rows are the elements of (`regexp_split_to_table` is
/// `unnest(regexp_split_to_array(...))`).
pub(crate) fn split_to_array(name: &str) -> Option<&'static str> {
    match name {
        "regexp_split_to_table" => Some("regexp_split_to_array"),
        "string_to_table" => Some("string_to_array"),
        _ => None,
    }
}

/// A set-returning function in FROM with its columns: one per type, named by the alias (a
/// single column takes the alias's own name, as in PostgreSQL) or else by the function, then
/// WITH ORDINALITY's bigint.
fn function_rel(
    func: TableFunc,
    args: Vec<Expr>,
    types: &[DataType],
    function: &str,
    alias: Option<&ast::TableAlias>,
    ordinality: bool,
    offset: usize,
) -> SqlResult<(Rel, Vec<ScopeRel>)> {
    let alias_name = alias.map_or(function.to_string(), |a| ident_name(&a.name));
    let single = types.len() == 1;
    let mut columns: Vec<OutputColumn> = types
        .iter()
        .enumerate()
        .map(|(i, &ty)| OutputColumn {
            name: match func {
                // A function returning a record names its columns by the record's fields.
                TableFunc::ExpandArray { .. } => ["x", "n"][i].to_string(),
                TableFunc::Options => ["option_name", "option_value"][i].to_string(),
                // Named by the functions' OUT parameters.
                TableFunc::Json {
                    rows: crate::json::JsonRows::Each,
                    ..
                } => ["key", "value"][i].to_string(),
                TableFunc::Json {
                    rows: crate::json::JsonRows::Elements,
                    ..
                } => "value".to_string(),
                _ if single => alias_name.clone(),
                _ => function.to_string(),
            },
            ty,
            source: None,
        })
        .collect();
    if ordinality {
        columns.push(OutputColumn {
            name: "ordinality".into(),
            ty: DataType::Int8,
            source: None,
        });
    }
    if let Some(alias) = alias {
        columns = rename_columns(columns, alias, &alias_name)?;
    }
    let mut scope = scope_rel(alias_name, &columns, offset);
    scope.scalar = columns.len() == 1;
    Ok((
        Rel::Function {
            func,
            args,
            ordinality,
        },
        vec![scope],
    ))
}

/// Whether a FROM item may read the items before it: a LATERAL subquery, or a function call
/// (implicitly lateral, as in PostgreSQL).
fn is_lateral(factor: &TableFactor) -> bool {
    matches!(
        factor,
        TableFactor::Derived { lateral: true, .. }
            | TableFactor::Table { args: Some(_), .. }
            | TableFactor::UNNEST { .. }
            | TableFactor::Function { .. }
    )
}

/// A join of `left` and `right`; an apply when `right` was bound LATERAL and reads outer rows
/// (the left one, or through it the enclosing queries').
fn join_or_apply(kind: JoinKind, left: Rel, right: Rel, on: Vec<Expr>, lateral: bool) -> Rel {
    if lateral && !right.outer_refs_list().is_empty() {
        Rel::Apply {
            kind,
            left: Box::new(left),
            right: Box::new(right),
            on,
        }
    } else {
        Rel::Join {
            kind,
            left: Box::new(left),
            right: Box::new(right),
            keys: Vec::new(),
            on,
        }
    }
}

/// `LOCALTIME`: the statement's time of day (the session's time zone is UTC).
/// col_description's look-up key: table OID times this, plus the attnum.
const COMMENT_KEY: i64 = 4096;

/// A type by its internal name (`int4`, `pg_catalog.text`); `name` and `"char"` read as text.
fn named_type(name: &str) -> Option<DataType> {
    Some(match name {
        "int2" => DataType::Int2,
        "int4" => DataType::Int4,
        "int8" | "regproc" | "xid" => DataType::Int8,
        "oid" => DataType::Oid,
        "float8" => DataType::Float8,
        "float4" => DataType::Float4,
        "bool" => DataType::Bool,
        // bpchar without a length: blank-padded text of any length (`Char(0)`).
        "bpchar" => DataType::Char(0),
        "timestamptz" => DataType::TimestampTz,
        "timestamp" => DataType::Timestamp,
        "time" => DataType::Time,
        "text" | "name" | "\"char\"" | "char" => DataType::Text,
        "varchar" => DataType::Varchar(None),
        "numeric" => DataType::Numeric,
        "date" => DataType::Date,
        "interval" => DataType::Interval,
        "uuid" => DataType::Uuid,
        "bytea" => DataType::Bytea,
        "json" => DataType::Json,
        "jsonb" => DataType::Jsonb,
        "jsonpath" => DataType::JsonPath,
        _ => return None,
    })
}

/// The type name PostgreSQL uses as the column name of `'x'::type`.
fn cast_type_name(ty: &ast::DataType) -> String {
    use ast::DataType as T;
    match ty {
        T::Int(_) | T::Int4(_) | T::Integer(_) => "int4".into(),
        T::Int2(_) | T::SmallInt(_) => "int2".into(),
        T::Int8(_) | T::BigInt(_) => "int8".into(),
        T::Float8 | T::DoublePrecision | T::Double(_) => "float8".into(),
        T::Real | T::Float4 => "float4".into(),
        T::Float(ExactNumberInfo::Precision(1..=24)) => "float4".into(),
        T::Float(_) => "float8".into(),
        T::Bool | T::Boolean => "bool".into(),
        T::Numeric(_) | T::Decimal(_) => "numeric".into(),
        T::Text => "text".into(),
        T::Varchar(_) | T::CharacterVarying(_) => "varchar".into(),
        T::Char(_) | T::Character(_) => "bpchar".into(),
        T::Timestamp(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => "timestamptz".into(),
        T::Timestamp(..) => "timestamp".into(),
        T::Time(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => "timetz".into(),
        T::Time(..) => "time".into(),
        T::Interval { .. } => "interval".into(),
        T::Array(
            ast::ArrayElemTypeDef::SquareBracket(inner, _)
            | ast::ArrayElemTypeDef::AngleBracket(inner)
            | ast::ArrayElemTypeDef::Parenthesis(inner),
        ) => cast_type_name(inner),
        // A named type (an enum type, a domain) by its name without its schema.
        T::Custom(name, modifiers) if modifiers.is_empty() => match name.0.last() {
            Some(ObjectNamePart::Identifier(ident)) => ident_name(ident),
            _ => name.to_string().to_lowercase(),
        },
        other => other.to_string().to_lowercase(),
    }
}

/// GROUPING SETS as a UNION ALL of one aggregation per set, each laid out as the full grouped row
/// (`keys ++ aggregates`): NULL for the keys the set leaves out, and the grouping id (the last
/// key) as a constant.
fn grouping_sets(input: Rel, keys: &[Expr], aggs: &[AggCall], sets: &[Vec<usize>]) -> Rel {
    let real_keys = keys.len() - 1;
    let mut union: Option<Rel> = None;
    for set in sets {
        let aggregate = Rel::Aggregate {
            input: Box::new(input.clone()),
            keys: set.iter().map(|&k| keys[k].clone()).collect(),
            aggs: aggs.to_vec(),
        };
        let mut exprs: Vec<Expr> = (0..real_keys)
            .map(|k| match set.iter().position(|&s| s == k) {
                Some(at) => Expr::Column(at),
                None => Expr::Const(Value::Null),
            })
            .collect();
        let id: i64 = (0..real_keys)
            .filter(|k| !set.contains(k))
            .map(|k| 1i64 << k)
            .sum();
        exprs.push(Expr::Const(Value::Int(id)));
        exprs.extend((0..aggs.len()).map(|j| Expr::Column(set.len() + j)));
        let branch = Rel::Project {
            input: Box::new(aggregate),
            exprs,
        };
        union = Some(match union {
            None => branch,
            Some(left) => Rel::SetOp {
                op: SetOpKind::Union,
                all: true,
                left: Box::new(left),
                right: Box::new(branch),
            },
        });
    }
    union.expect("at least one grouping set")
}

/// Rewrites an output expression of a grouped query in terms of the grouped row
/// (`keys ++ aggregates`). A bare column that is not a group key is returned as `Err(column)`
/// (PostgreSQL's 42803).
fn regroup(expr: Expr, keys: &[Expr]) -> Result<Expr, usize> {
    if let Some(index) = keys.iter().position(|key| *key == expr) {
        return Ok(Expr::Group(index));
    }
    if let Expr::Func(Func::Grouping, args) = &expr {
        // GROUPING(a, b): bit i (from the left) set when argument i is not grouped in the row's
        // set, read from the grouping id; 0 everywhere without grouping sets.
        let mut positions = Vec::with_capacity(args.len());
        for arg in args {
            match keys.iter().position(|key| key == arg) {
                Some(at) => positions.push(at),
                None => {
                    let mut stray = None;
                    arg.visit(&mut |e| {
                        if let Expr::Column(c) = e {
                            stray.get_or_insert(*c);
                        }
                    });
                    return Err(stray.unwrap_or(0));
                }
            }
        }
        let Some(id) = keys.iter().position(|key| *key == crate::plan::GROUPING_ID) else {
            return Ok(Expr::Const(Value::Int(0)));
        };
        let int = |i: i64| Box::new(Expr::Const(Value::Int(i)));
        let mut total: Option<Expr> = None;
        let n = positions.len();
        for (i, at) in positions.into_iter().enumerate() {
            let bit = Expr::Binary(
                BinOp::Mod(DataType::Int8),
                Box::new(Expr::Binary(
                    BinOp::Div(DataType::Int8),
                    Box::new(Expr::Group(id)),
                    int(1 << at),
                )),
                int(2),
            );
            let weighted = Expr::Binary(
                BinOp::Mul(DataType::Int8),
                Box::new(bit),
                int(1 << (n - 1 - i)),
            );
            total = Some(match total {
                None => weighted,
                Some(sum) => Expr::Binary(
                    BinOp::Add(DataType::Int8),
                    Box::new(sum),
                    Box::new(weighted),
                ),
            });
        }
        return Ok(Expr::Cast(
            Box::new(total.unwrap_or(Expr::Const(Value::Int(0)))),
            DataType::Int8,
            DataType::Int4,
            false,
        ));
    }
    match expr {
        Expr::Column(index) => Err(index),
        Expr::Agg(index) => Ok(Expr::Agg(keys.len() + index)),
        Expr::Subquery(subquery) if !subquery.reads.is_empty() => {
            // A correlated subquery reads group keys of the grouped row.
            let group_of = |c: usize| keys.iter().position(|k| *k == Expr::Column(c));
            if let Some(&stray) = subquery.reads.iter().find(|&&c| group_of(c).is_none()) {
                return Err(stray);
            }
            let remapped =
                Expr::Subquery(subquery).remap_columns(&|c| group_of(c).expect("checked above"));
            // Its left operand (if any) is regrouped like any other expression.
            match remapped {
                Expr::Subquery(sub) => Expr::Subquery(sub).try_map(&mut |e| regroup(e, keys)),
                other => Ok(other),
            }
        }
        other => other.try_map(&mut |e| regroup(e, keys)),
    }
}

/// Finds `key_column = value` conjuncts covering the whole row key; else the best of a primary
/// key range and the secondary indexes (see [`index_access`]; the key range on a tie, since it
/// reads the rows where they lie); else a scan.
pub(crate) fn key_access(table: &TableDef, filter: &Expr) -> Access {
    let conjuncts = filter.and_terms();
    let equalities = equalities(&conjuncts);
    if !table.primary_key.is_empty() {
        let values: Option<Vec<Expr>> = table
            .primary_key
            .iter()
            .map(|column| equalities.get(column).cloned())
            .collect();
        if let Some(values) = values {
            return Access::Key(values);
        }
    }
    let range = key_range_access(table, &conjuncts, &equalities);
    let index = index_access(table, &conjuncts, &equalities);
    if let Some(keys) = key_list_access(table, &conjuncts, &equalities) {
        // Several keys beat a range of the key; an index beats them only when it names one row.
        let names_one = |access: &Access| {
            matches!(access, Access::Index { index, eq, .. }
                if index.unique && eq.len() == index.width())
        };
        return match index {
            Some((_, found)) if names_one(&found) => found,
            _ => keys,
        };
    }
    match (index, range) {
        (Some((index_score, index)), Some((score, _))) if index_score > score => index,
        (_, Some((_, range))) => range,
        (Some((_, index)), None) => index,
        (None, None) => (index_key_list_access(table, &conjuncts))
            .or_else(|| gin_access(table, &conjuncts))
            .unwrap_or(Access::Scan),
    }
}

/// A read through a GIN index ([`Access::Gin`]): the first conjunct `column op value` whose
/// column (or expression) a whole-table GIN index keys, whose operator its class serves and
/// whose value does not read the row: jsonb `@>`, `?`, `?|`, `?&`; array `@>` (also written
/// `value <@ column`) and `&&` (either way round).
fn gin_access(table: &TableDef, conjuncts: &[&Expr]) -> Option<Access> {
    use crate::array::ArrayFn;
    use crate::functions::Scalar;
    use crate::gin::GinOp;
    use crate::json::JsonOp;
    let indexes: Vec<&IndexDef> = (table.indexes.iter())
        .filter(|index| index.gin.is_some() && index.predicate.is_none())
        .collect();
    if indexes.is_empty() {
        return None;
    }
    // The index that keys `keyed`: a column, or the expression of an index on one.
    let keyed_by = |keyed: &Expr| {
        indexes
            .iter()
            .copied()
            .find(|index| match index.columns.first() {
                Some(&column) => *keyed == Expr::Column(column),
                None => (index.bound.as_ref())
                    .is_some_and(|b| b.parts.first().is_some_and(|p| p.0 == *keyed)),
            })
    };
    conjuncts.iter().find_map(|&conjunct| {
        let candidates: Vec<(GinOp, &Expr, &Expr)> = match conjunct {
            Expr::Binary(BinOp::Json(op, true), left, right) => {
                let op = match op {
                    JsonOp::Contains => GinOp::Contains,
                    JsonOp::HasKey => GinOp::HasKey,
                    JsonOp::HasAny => GinOp::HasAny,
                    JsonOp::HasAll => GinOp::HasAll,
                    _ => return None,
                };
                vec![(op, left, right)]
            }
            Expr::Scalar(Scalar::Array(ArrayFn::Contains), args) if args.len() == 2 => {
                vec![(GinOp::Contains, &args[0], &args[1])]
            }
            Expr::Scalar(Scalar::Array(ArrayFn::Overlaps), args) if args.len() == 2 => vec![
                (GinOp::Overlaps, &args[0], &args[1]),
                (GinOp::Overlaps, &args[1], &args[0]),
            ],
            _ => return None,
        };
        candidates.into_iter().find_map(|(op, keyed, query)| {
            let index = keyed_by(keyed)?;
            let serves = index.gin.is_some_and(|class| class.serves(op));
            (serves && !query.reads_row()).then(|| Access::Gin {
                index: Box::new(index.clone()),
                op,
                query: query.clone(),
                conds: vec![conjunct.clone()],
            })
        })
    })
}

/// Several rows by primary key ([`Access::Keys`]): equalities on the key's leading columns as
/// far as they go, then on the next an IN list or `= ANY (array)` of values that do not read
/// the row. When that column is the last, each value makes a whole key; before the last, a
/// prefix of keys (`ord IN (3, 4)` on a key (ord, line)), only for a table placed by its first
/// key column, where each prefix lies in one vshard (elsewhere every vshard would be sought for
/// each value, and a scan of a small table is quicker).
fn key_list_access(
    table: &TableDef,
    conjuncts: &[&Expr],
    equalities: &std::collections::HashMap<usize, Expr>,
) -> Option<Access> {
    let mut conds = Vec::new();
    let mut eq = Vec::new();
    for &column in &table.primary_key {
        let Some(value) = equalities.get(&column) else {
            break;
        };
        conds.extend(equality_source(conjuncts, &Expr::Column(column), value).cloned());
        eq.push(value.clone());
    }
    let &listed = table.primary_key.get(eq.len())?;
    if eq.len() + 1 < table.primary_key.len() && !table.placed_by_first_key_column() {
        return None;
    }
    conjuncts.iter().find_map(|&conjunct| {
        let (column, values) = key_list(conjunct)?;
        if column != listed {
            return None;
        }
        let mut conds = conds.clone();
        conds.push(conjunct.clone());
        Some(Access::Keys {
            index: None,
            eq: eq.clone(),
            values,
            conds,
        })
    })
}

/// Several values' index entries ([`Access::Keys`] through an index): an IN list or `= ANY
/// (array)` on the first column of an index of plain columns (no expressions, no predicate).
fn index_key_list_access(table: &TableDef, conjuncts: &[&Expr]) -> Option<Access> {
    conjuncts.iter().find_map(|&conjunct| {
        let (column, values) = key_list(conjunct)?;
        let index = (table.indexes.iter())
            .find(|index| index.is_plain() && index.columns.first() == Some(&column))?;
        Some(Access::Keys {
            index: Some(Box::new(index.clone())),
            eq: Vec::new(),
            values,
            conds: vec![conjunct.clone()],
        })
    })
}

/// The column an IN list or `= ANY (array)` conjunct tests and the values it tests it against,
/// when they do not read the row (`col IN (1, $1)`, `col = ANY ($2)`).
fn key_list(conjunct: &Expr) -> Option<(usize, KeyValues)> {
    use crate::array::{ArrayFn, Cmp};
    use crate::functions::Scalar;
    match conjunct {
        Expr::InList(left, list, false, _) if list.iter().all(|v| !v.reads_row()) => {
            Some((eq_column(left)?, KeyValues::List(list.clone())))
        }
        Expr::Scalar(
            Scalar::Array(ArrayFn::Compare {
                op: Cmp::Eq,
                all: false,
            }),
            args,
        ) => match args.as_slice() {
            [left, array] if !array.reads_row() => {
                Some((eq_column(left)?, KeyValues::Array(array.clone())))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A range of the primary key ([`Access::Range`]) from the conjuncts, with its score as
/// [`index_access`] counts one: equalities on the key's leading columns, then bounds on the next
/// one when its encoding sorts as its values.
fn key_range_access(
    table: &TableDef,
    conjuncts: &[&Expr],
    equalities: &std::collections::HashMap<usize, Expr>,
) -> Option<(usize, Access)> {
    let mut conds = Vec::new();
    let mut eq = Vec::new();
    for &column in &table.primary_key {
        let Some(value) = equalities.get(&column) else {
            break;
        };
        conds.extend(equality_source(conjuncts, &Expr::Column(column), value));
        eq.push(value.clone());
    }
    let (mut lower, mut upper) = (None, None);
    if let Some(&next) = table.primary_key.get(eq.len()) {
        if table.columns[next].ty.key_ordered() {
            (lower, upper) = range_bounds(&Expr::Column(next), conjuncts, &mut conds);
        }
    }
    let score = eq.len() * 4 + usize::from(lower.is_some()) + usize::from(upper.is_some());
    (score > 0).then(|| {
        let conds = conds.into_iter().cloned().collect();
        let access = Access::Range {
            eq,
            lower,
            upper,
            conds,
        };
        (score, access)
    })
}

/// The conjunct `part = value` (either way round) that an equality on a key part came from,
/// for EXPLAIN's Index Cond; a column part also matches under a cast ([`eq_column`]).
fn equality_source<'e>(conjuncts: &[&'e Expr], part: &Expr, value: &Expr) -> Option<&'e Expr> {
    let is_part = |e: &Expr| match part {
        Expr::Column(c) => eq_column(e) == Some(*c),
        _ => e == part,
    };
    conjuncts.iter().copied().find(|c| {
        matches!(c, Expr::Binary(BinOp::Eq, l, r)
            if (is_part(l) && **r == *value) || (is_part(r) && **l == *value))
    })
}

/// The table a `t.*` select item names (None: a plain `*`).
fn wildcard_qualifier(item: &SelectItem) -> SqlResult<Option<String>> {
    match item {
        SelectItem::QualifiedWildcard(
            ast::SelectItemQualifiedWildcardKind::ObjectName(name),
            _,
        ) => Ok(Some(name.to_string().trim_matches('"').to_lowercase())),
        SelectItem::QualifiedWildcard(..) => Err(unsupported("this kind of wildcard")),
        _ => Ok(None),
    }
}

/// A bound on a key part: (value, inclusive).
type BoundValue = Option<(Expr, bool)>;

/// The bounds `<`, `<=`, `>`, `>=` (BETWEEN's too) put on `part` among the conjuncts, as
/// (value, inclusive), the first of each side; the conjuncts used are added to `used`. Only
/// against `part` itself, so that the value has its type.
fn range_bounds<'e>(
    part: &Expr,
    conjuncts: &[&'e Expr],
    used: &mut Vec<&'e Expr>,
) -> (BoundValue, BoundValue) {
    let (mut lower, mut upper) = (None, None);
    for &conjunct in conjuncts {
        let Expr::Binary(op, left, right) = conjunct else {
            continue;
        };
        // Normalize to `part op value`.
        let (op, value) = match (left.as_ref(), right.as_ref()) {
            (l, value) if l == part && !value.reads_row() => (*op, value),
            (value, r) if r == part && !value.reads_row() => {
                let flipped = match op {
                    BinOp::Lt => BinOp::Gt,
                    BinOp::LtEq => BinOp::GtEq,
                    BinOp::Gt => BinOp::Lt,
                    BinOp::GtEq => BinOp::LtEq,
                    other => *other,
                };
                (flipped, value)
            }
            _ => continue,
        };
        let bound = match op {
            BinOp::Gt | BinOp::GtEq if lower.is_none() => &mut lower,
            BinOp::Lt | BinOp::LtEq if upper.is_none() => &mut upper,
            _ => continue,
        };
        *bound = Some((value.clone(), matches!(op, BinOp::GtEq | BinOp::LtEq)));
        used.push(conjunct);
    }
    (lower, upper)
}

/// The column of a conjunct side: a column, or one under a cast within the numeric family (the
/// value is cast back to the column's type, and the filter re-checks every row found).
fn eq_column(e: &Expr) -> Option<usize> {
    match e {
        Expr::Column(index) => Some(*index),
        Expr::Cast(inner, from, to, _) if from.is_numeric_family() && to.is_numeric_family() => {
            match inner.as_ref() {
                Expr::Column(index) => Some(*index),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `column = value` conjuncts (value not reading the row), by column.
fn equalities(conjuncts: &[&Expr]) -> std::collections::HashMap<usize, Expr> {
    let mut found = std::collections::HashMap::new();
    for conjunct in conjuncts {
        let Expr::Binary(BinOp::Eq, left, right) = conjunct else {
            continue;
        };
        let (column, value) = match (eq_column(left), eq_column(right)) {
            (Some(column), _) if !right.reads_row() => (column, right.as_ref()),
            (_, Some(column)) if !left.reads_row() => (column, left.as_ref()),
            _ => continue,
        };
        found.entry(column).or_insert_with(|| value.clone());
    }
    found
}

/// Whether `expr` gives the same value for the same row whatever the session or the time
/// (PostgreSQL's IMMUTABLE, which index expressions and predicates must be): no clock, no
/// random values, no sequences, no parameters or subqueries, nothing read through the
/// session's TimeZone or DateStyle (timestamptz conversions, date/time text), none of the
/// functions PostgreSQL marks STABLE (to_char, format, concat, to_json ...).
fn immutable(expr: &Expr) -> bool {
    use crate::functions::Scalar;
    let mut immutable = true;
    expr.visit(&mut |e| {
        immutable &= match e {
            Expr::StatementTime
            | Expr::Param(_)
            | Expr::Subquery(_)
            | Expr::Sequence(..)
            | Expr::Outer(..) => false,
            Expr::Func(func, _) => !matches!(
                func,
                Func::GenRandomUuid
                    | Func::Random
                    | Func::ClockTimestamp
                    | Func::PgSleep
                    | Func::Advisory(_)
                    | Func::SetConfig
                    | Func::CurrentSetting
                    | Func::SignalBackend(_)
                    | Func::ResetStats
                    | Func::TransactionId
                    | Func::SetSeed
            ),
            Expr::Scalar(func, _) => !matches!(
                func,
                Scalar::ToChar(_)
                    | Scalar::Format
                    | Scalar::Concat
                    | Scalar::ConcatWs
                    | Scalar::Zoned(_)
                    | Scalar::ToTimestampText
                    | Scalar::ToDate
                    | Scalar::ToRegtype
                    | Scalar::FormatType
                    | Scalar::ToJson(..)
                    | Scalar::RowToJson
                    | Scalar::JsonBuildObject(_)
                    | Scalar::JsonBuildArray(_)
            ),
            Expr::Cast(_, from, to, _) => {
                let zoned = (*from == DataType::TimestampTz) != (*to == DataType::TimestampTz);
                let styled = |a: DataType, b: DataType| {
                    a.is_string()
                        && matches!(
                            b,
                            DataType::Date
                                | DataType::Timestamp
                                | DataType::Time
                                | DataType::Interval
                        )
                };
                !(zoned || styled(*from, *to) || styled(*to, *from))
            }
            _ => true,
        };
    });
    immutable
}

/// The secondary index that narrows a scan most, with its score: equalities on its leading
/// columns, then a range (`<`, `<=`, `>`, `>=`, BETWEEN) on the next one when its entries sort
/// as its values. A unique index with every column equal wins (one entry); otherwise more equal
/// columns win, then a range. Range bounds are taken only against a bare column (the value then
/// has the column's type), so the entries scanned are a superset of the matches; the filter
/// runs on every row found.
fn index_access(
    table: &TableDef,
    conjuncts: &[&Expr],
    equalities: &std::collections::HashMap<usize, Expr>,
) -> Option<(usize, Access)> {
    let mut best: Option<(usize, Access)> = None;
    for index in table.indexes.iter().filter(|index| index.is_btree()) {
        // A partial index has entries only for the rows its predicate holds for: it serves a
        // query whose conditions include each of the predicate's.
        if index.predicate.is_some() {
            let predicate = index.bound.as_ref().and_then(|b| b.predicate.as_ref());
            let Some(predicate) = predicate else {
                continue;
            };
            if !predicate
                .and_terms()
                .iter()
                .all(|term| conjuncts.contains(term))
            {
                continue;
            }
        }
        // The key parts: columns, or the index's bound expressions.
        let parts: Vec<Expr> = if index.expressions.is_empty() {
            index.columns.iter().map(|&c| Expr::Column(c)).collect()
        } else {
            match &index.bound {
                Some(bound) => bound.parts.iter().map(|(e, _)| e.clone()).collect(),
                None => continue,
            }
        };
        // `part = value` among the conjuncts (a value that reads no column).
        let equal_to = |part: &Expr| -> Option<Expr> {
            if let Expr::Column(c) = part {
                return equalities.get(c).cloned();
            }
            conjuncts.iter().find_map(|conjunct| match conjunct {
                Expr::Binary(BinOp::Eq, l, r) if **l == *part && !r.reads_row() => {
                    Some((**r).clone())
                }
                Expr::Binary(BinOp::Eq, l, r) if **r == *part && !l.reads_row() => {
                    Some((**l).clone())
                }
                _ => None,
            })
        };
        let eq: Vec<Expr> = parts.iter().map_while(equal_to).collect();
        let mut conds: Vec<&Expr> = parts
            .iter()
            .zip(&eq)
            .filter_map(|(part, value)| equality_source(conjuncts, part, value))
            .collect();
        // Bounds only on a part whose entries sort as its values (not numeric's).
        let (lower, upper) = match parts.get(eq.len()) {
            Some(part) if index.part_type(table, eq.len()).key_ordered() => {
                range_bounds(part, conjuncts, &mut conds)
            }
            _ => (None, None),
        };
        let score = if index.unique && eq.len() == index.width() {
            usize::MAX
        } else {
            eq.len() * 4 + usize::from(lower.is_some()) + usize::from(upper.is_some())
        };
        if score == 0 || best.as_ref().is_some_and(|(s, _)| *s >= score) {
            continue;
        }
        best = Some((
            score,
            Access::Index {
                index: Box::new(index.clone()),
                eq,
                lower,
                upper,
                conds: conds.into_iter().cloned().collect(),
            },
        ));
    }
    best
}

/// PostgreSQL's 42601 for ALTER COLUMN ... SET DEFAULT (`drop`: DROP DEFAULT) of a generated
/// column.
fn generated_default(table: &TableDef, column: usize, drop: bool) -> SqlResult<()> {
    if table.columns[column].generated.is_none() {
        return Ok(());
    }
    let error = SqlError::syntax(format!(
        "column \"{}\" of relation \"{}\" is a generated column",
        table.columns[column].name,
        crate::catalog::relname(&table.name)
    ));
    Err(match drop {
        true => error.with_hint("Use ALTER TABLE ... ALTER COLUMN ... DROP EXPRESSION instead."),
        false => error,
    })
}

/// PostgreSQL's 42601 for a column given a DEFAULT and a generation expression.
fn both_default_and_generated(def: &ColumnDef, table: &str) -> SqlError {
    SqlError::syntax(format!(
        "both default and generation expression specified for column \"{}\" of table \"{}\"",
        def.name,
        crate::catalog::relname(table)
    ))
}

/// PostgreSQL's 42601 for an identity column given a generation expression.
fn both_identity_and_generated(def: &ColumnDef, table: &str) -> SqlError {
    SqlError::syntax(format!(
        "both identity and generation expression specified for column \"{}\" of table \"{}\"",
        def.name,
        crate::catalog::relname(table)
    ))
}

/// 428C9 for a value given to a generated column (also with OVERRIDING SYSTEM VALUE).
/// A constraint's INCLUDE naming no column of the table (PostgreSQL's message).
fn missing_key_column(name: &str) -> SqlError {
    SqlError::new(
        code::UNDEFINED_COLUMN,
        format!("column \"{name}\" named in key does not exist"),
    )
}

/// ALTER TABLE (or ALTER INDEX: `tag`) changing only `table`'s catalog entry, to `new`.
fn alter_table_plan(table: Arc<TableDef>, new: Arc<TableDef>, tag: &'static str) -> Plan {
    Plan::AlterTable {
        table,
        new,
        fill: Vec::new(),
        not_null: Vec::new(),
        notices: Vec::new(),
        sequences: Vec::new(),
        retype: Vec::new(),
        identity: Vec::new(),
        tag,
    }
}

/// A value other than DEFAULT given to `column` in an UPDATE: refused for a generated column
/// and a GENERATED ALWAYS identity column.
fn check_update(column: &ColumnDef) -> SqlResult<()> {
    let name = &column.name;
    let detail = if column.generated.is_some() {
        format!("Column \"{name}\" is a generated column.")
    } else if column.identity == Some(true) {
        format!("Column \"{name}\" is an identity column defined as GENERATED ALWAYS.")
    } else {
        return Ok(());
    };
    Err(SqlError::new(
        code::GENERATED_ALWAYS,
        format!("column \"{name}\" can only be updated to DEFAULT"),
    )
    .with_detail(detail))
}

/// A column an INSERT's column list names, with the subscripts written after it (see
/// `Binder::insert_targets`).
type InsertTarget = (usize, Option<ast::Expr>);

/// DEFAULT given to a subscripted assignment target (`SET v[1] = DEFAULT`), which PostgreSQL
/// refuses.
fn element_default(binder: &Binder<'_>, target: &ast::Expr) -> SqlError {
    SqlError::new(
        code::FEATURE_NOT_SUPPORTED,
        "cannot set an array element to DEFAULT",
    )
    .at(binder.pos(target.span()))
}

fn check_generated_insert(column: &ColumnDef) -> SqlResult<()> {
    if column.generated.is_some() {
        return Err(SqlError::new(
            code::GENERATED_ALWAYS,
            format!(
                "cannot insert a non-DEFAULT value into column \"{}\"",
                column.name
            ),
        )
        .with_detail(format!("Column \"{}\" is a generated column.", column.name)));
    }
    Ok(())
}

/// 428C9 for a value given to a `GENERATED ALWAYS AS IDENTITY` column.
fn check_identity_insert(column: &ColumnDef) -> SqlResult<()> {
    if column.identity == Some(true) {
        return Err(SqlError::new(
            code::GENERATED_ALWAYS,
            format!(
                "cannot insert a non-DEFAULT value into column \"{}\"",
                column.name
            ),
        )
        .with_detail(format!(
            "Column \"{}\" is an identity column defined as GENERATED ALWAYS.",
            column.name
        ))
        .with_hint("Use OVERRIDING SYSTEM VALUE to override."));
    }
    Ok(())
}

/// A sequence's definition from `CREATE SEQUENCE` options (also a SERIAL or identity column's),
/// checked as PostgreSQL checks them.
fn sequence_def(name: &str, ty: DataType, options: &[SequenceOptions]) -> SqlResult<SequenceDef> {
    let number = |expr: &ast::Expr| -> SqlResult<i64> {
        let text = expr.to_string().replace(' ', "");
        text.parse::<i64>().map_err(|_| {
            SqlError::new(
                code::INVALID_PARAMETER_VALUE,
                format!("invalid sequence option value: {text}"),
            )
        })
    };
    let (type_min, type_max) = crate::sequence::type_limits(ty);
    let (mut increment, mut min, mut max, mut start, mut cache, mut cycle) =
        (1, None, None, None, 1, false);
    for option in options {
        match option {
            SequenceOptions::IncrementBy(expr, _) => increment = number(expr)?,
            SequenceOptions::MinValue(expr) => min = expr.as_ref().map(number).transpose()?,
            SequenceOptions::MaxValue(expr) => max = expr.as_ref().map(number).transpose()?,
            SequenceOptions::StartWith(expr, _) => start = Some(number(expr)?),
            SequenceOptions::Cache(expr) => cache = number(expr)?,
            SequenceOptions::Cycle(no) => cycle = !no,
        }
    }
    let invalid = |message: String| SqlError::new(code::INVALID_PARAMETER_VALUE, message);
    if increment == 0 {
        return Err(invalid("INCREMENT must not be zero".into()));
    }
    let type_name = ty.name();
    let min = min.unwrap_or(if increment > 0 { 1 } else { type_min });
    let max = max.unwrap_or(if increment > 0 { type_max } else { -1 });
    if min < type_min || min > type_max {
        return Err(invalid(format!(
            "MINVALUE ({min}) is out of range for sequence data type {type_name}"
        )));
    }
    if max < type_min || max > type_max {
        return Err(invalid(format!(
            "MAXVALUE ({max}) is out of range for sequence data type {type_name}"
        )));
    }
    if min >= max {
        return Err(invalid(format!(
            "MINVALUE ({min}) must be less than MAXVALUE ({max})"
        )));
    }
    let start = start.unwrap_or(if increment > 0 { min } else { max });
    if start < min {
        return Err(invalid(format!(
            "START value ({start}) cannot be less than MINVALUE ({min})"
        )));
    }
    if start > max {
        return Err(invalid(format!(
            "START value ({start}) cannot be greater than MAXVALUE ({max})"
        )));
    }
    if cache <= 0 {
        return Err(invalid(format!(
            "CACHE ({cache}) must be greater than zero"
        )));
    }
    Ok(SequenceDef {
        id: 0,
        name: name.to_string(),
        ty,
        start,
        increment,
        min,
        max,
        cache,
        cycle,
        owned_by: None,
        owner: None,
        acl: None,
    })
}

/// `sql` with each unquoted identifier `from` (compared case-insensitively, as it folds) and each
/// quoted one equal to it replaced by `to`: a CHECK constraint's text after RENAME COLUMN.
fn rename_identifier(sql: &str, from: &str, to: &str) -> String {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return sql.to_string();
    };
    let quoted = |name: &str| {
        if name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
        {
            name.to_string()
        } else {
            format!("\"{}\"", name.replace('"', "\"\""))
        }
    };
    tokens
        .into_iter()
        .map(|token| match &token {
            Token::Word(word)
                if (word.quote_style.is_none() && word.value.to_lowercase() == from)
                    || (word.quote_style == Some('"') && word.value == from) =>
            {
                quoted(to)
            }
            _ => token.to_string(),
        })
        .collect()
}

/// A column default's SQL with every sequence function argument that names sequence `from`
/// (`nextval('from')`, `nextval('public.from'::regclass)`...) naming `to` instead: defaults name
/// their sequence by text, so they follow an `ALTER SEQUENCE ... RENAME TO`.
pub fn rename_sequence_in_default(sql: &str, from: &str, to: &str) -> String {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return sql.to_string();
    };
    let as_regclass = crate::catalog::regclass_text(to);
    // Stored defaults name their sequence by its key (see `default_text`).
    let key_of = |text: &str| {
        let name = regclass_name(text);
        match name.split_once('.') {
            Some((schema, relation)) => crate::catalog::qualify(schema, relation),
            None => name,
        }
    };
    // The two significant tokens before each one: a sequence function's name and "(".
    let mut before: [Option<Token>; 2] = [None, None];
    let mut out = String::new();
    for token in tokens {
        let renamed = match (&token, &before) {
            (Token::SingleQuotedString(text), [Some(Token::Word(func)), Some(Token::LParen)])
                if ["nextval", "currval", "setval"]
                    .contains(&func.value.to_lowercase().as_str())
                    && key_of(text) == from =>
            {
                Some(Token::SingleQuotedString(as_regclass.clone()))
            }
            _ => None,
        };
        out.push_str(&renamed.unwrap_or_else(|| token.clone()).to_string());
        if !matches!(token, Token::Whitespace(_)) {
            before = [before[1].take(), Some(token)];
        }
    }
    out
}

/// `CASE input WHEN k1 THEN v1 ... ELSE otherwise END` over constant pairs: the catalog
/// functions' look-ups of an OID or a name, built when the statement is bound.
/// The lookup key of a definition printed plain or pretty: `oid * 2`, + 1 when `pretty`.
fn plain_or_pretty(oid: Expr, pretty: Expr) -> Expr {
    Expr::Binary(
        BinOp::Add(DataType::Int8),
        Box::new(Expr::Binary(
            BinOp::Mul(DataType::Int8),
            Box::new(oid),
            Box::new(Expr::Const(Value::Int(2))),
        )),
        Box::new(Expr::Case(
            vec![(pretty, Expr::Const(Value::Int(1)))],
            Box::new(Expr::Const(Value::Int(0))),
        )),
    )
}

/// Whether a has_*_privilege role argument is an OID known only when the statement runs (or
/// NULL, which [`Binder::per_role`] answers with NULL).
fn computed_oid((expr, ty, _): &(Expr, DataType, Span)) -> bool {
    (ty.is_integer() || *ty == DataType::Oid) && !matches!(expr, Expr::Const(Value::Int(_)))
}

/// `answer`, or NULL when `input` is NULL: a strict function's result over a computed argument.
fn strict(input: Expr, answer: Expr) -> Expr {
    let null = Expr::IsNull(Box::new(input), false);
    Expr::Case(vec![(null, Expr::Const(Value::Null))], Box::new(answer))
}

fn lookup(input: &Expr, pairs: impl IntoIterator<Item = (Value, Value)>, otherwise: Expr) -> Expr {
    let whens: Vec<(Expr, Expr)> = pairs
        .into_iter()
        .map(|(key, value)| {
            (
                Expr::Binary(
                    BinOp::Eq,
                    Box::new(input.clone()),
                    Box::new(Expr::Const(key)),
                ),
                Expr::Const(value),
            )
        })
        .collect();
    if whens.is_empty() {
        return otherwise;
    }
    Expr::Case(whens, Box::new(otherwise))
}

/// A type's name as written: quoted parts as they are (`"regtype"`), others lower-cased.
fn written_type_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident_name(ident),
            other => other.to_string().to_lowercase(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The object identifier type a cast names (`oid`, `regtype`, `regclass`, `regnamespace`).
fn reg_type(ty: &ast::DataType) -> Option<&'static str> {
    if matches!(ty, ast::DataType::Regclass) {
        return Some("regclass");
    }
    let ast::DataType::Custom(name, modifiers) = ty else {
        return None;
    };
    if !modifiers.is_empty() {
        return None;
    }
    match written_type_name(name).trim_start_matches("pg_catalog.") {
        "oid" => Some("oid"),
        "regtype" => Some("regtype"),
        "regclass" => Some("regclass"),
        "regnamespace" => Some("regnamespace"),
        "regrole" => Some("regrole"),
        "regproc" => Some("regproc"),
        "regprocedure" => Some("regprocedure"),
        "regoper" => Some("regoper"),
        "regoperator" => Some("regoperator"),
        _ => None,
    }
}

/// A relation name as a regclass literal spells it: folded to lower case unless double-quoted
/// (`'"MySeq"'`), a schema prefix kept.
/// A view's `WITH (...)` options as PostgreSQL takes them, as `pg_class.reloptions` lists them:
/// `check_option` (`local` or `cascaded`, also what `WITH CHECK OPTION` after the query says)
/// and `security_barrier` / `security_invoker` (booleans; Keel's views read with their owner's
/// rights, and the planner moves no condition that could leak rows, so they change nothing);
/// any other is 22023.
fn view_options(options: &ast::CreateTableOptions) -> SqlResult<Vec<String>> {
    let list = match options {
        ast::CreateTableOptions::None => return Ok(Vec::new()),
        ast::CreateTableOptions::With(list) => list,
        _ => return Err(unsupported("these CREATE VIEW options")),
    };
    let mut shown = Vec::new();
    for option in list {
        let (key, value) = match option {
            ast::SqlOption::KeyValue { key, value } => (ident_name(key), Some(value)),
            ast::SqlOption::Ident(key) => (ident_name(key), None),
            _ => return Err(unsupported("this CREATE VIEW option")),
        };
        let text = value.map(|v| match v {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(s) => s.to_lowercase(),
                other => other.to_string().to_lowercase(),
            },
            ast::Expr::Identifier(i) => i.value.to_lowercase(),
            other => other.to_string().to_lowercase(),
        });
        // As pg_class.reloptions shows them: `name=value`, a bare name being true.
        shown.push(format!("{key}={}", text.as_deref().unwrap_or("true")));
        match key.as_str() {
            "check_option" => match text.as_deref() {
                Some("local" | "cascaded") => {}
                _ => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!(
                            "invalid value for enum option \"check_option\": {}",
                            text.as_deref().unwrap_or("")
                        ),
                    )
                    .with_detail("Valid values are \"local\" and \"cascaded\"."))
                }
            },
            "security_barrier" | "security_invoker" => {}
            other => {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("unrecognized parameter \"{other}\""),
                ))
            }
        }
    }
    Ok(shown)
}

/// EXPLAIN's view of a bound INSERT, UPDATE or DELETE (`statement`, for the name the target goes
/// by): the write's node line as PostgreSQL prints it (`Update on t`, `Delete on t a`), ON
/// CONFLICT's details, and the tree that finds the rows: the target's scan with its access path
/// and filter, the query of a write with FROM/USING or subqueries, INSERT's source (`Result` for
/// one row of values, a VALUES scan for several).
fn explain_write(
    plan: &Plan,
    statement: &Statement,
) -> SqlResult<(crate::plan::ExplainWrite, Rel)> {
    let alias = match statement {
        Statement::Insert(insert) => insert.table_alias.as_ref().map(ident_name),
        Statement::Update { table, .. } => match &table.relation {
            TableFactor::Table { alias, .. } => alias.as_ref().map(|a| ident_name(&a.name)),
            _ => None,
        },
        Statement::Merge {
            table: TableFactor::Table { alias, .. },
            ..
        } => alias.as_ref().map(|a| ident_name(&a.name)),
        Statement::Delete(delete) => match &delete.from {
            FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables) => {
                match tables.first().map(|t| &t.relation) {
                    Some(TableFactor::Table { alias, .. }) => {
                        alias.as_ref().map(|a| ident_name(&a.name))
                    }
                    _ => None,
                }
            }
        },
        _ => None,
    };
    let node = |verb: &str, table: &TableDef| {
        let name = crate::catalog::relname(&table.name);
        match alias.as_deref() {
            Some(alias) if alias != name => format!("{verb} on {name} {alias}"),
            _ => format!("{verb} on {name}"),
        }
    };
    let scan = |table: &Arc<TableDef>, access: &Access, filter: &Option<Arc<Expr>>| Rel::Scan {
        table: table.clone(),
        alias: alias
            .clone()
            .unwrap_or_else(|| crate::catalog::relname(&table.name).to_string()),
        access: access.clone(),
        filter: filter.clone(),
        project: None,
    };
    let none = || Rel::Values {
        rows: Vec::new(),
        width: 0,
    };
    let write = |lines: Vec<String>, child: Option<&str>| crate::plan::ExplainWrite {
        lines,
        child: child.map(str::to_string),
        plan: plan.clone(),
    };
    Ok(match plan {
        Plan::Update(update) => (
            write(vec![node("Update", &update.table)], None),
            scan(&update.table, &update.access, &update.filter),
        ),
        Plan::Delete(delete) => (
            write(vec![node("Delete", &delete.table)], None),
            scan(&delete.table, &delete.access, &delete.filter),
        ),
        Plan::Merge(merge) => (
            write(vec![node("Merge", &merge.table)], None),
            merge.rel.clone(),
        ),
        Plan::WriteFromQuery(w) => {
            let verb = if matches!(statement, Statement::Delete(_)) {
                "Delete"
            } else {
                "Update"
            };
            (write(vec![node(verb, &w.table)], None), w.rel.clone())
        }
        Plan::Insert(insert) => {
            let mut lines = vec![node("Insert", &insert.table)];
            if let Some(on_conflict) = &insert.on_conflict {
                let resolution = if on_conflict.update.is_some() {
                    "UPDATE"
                } else {
                    "NOTHING"
                };
                lines.push(format!("  Conflict Resolution: {resolution}"));
                let table = &insert.table;
                let mut arbiters: Vec<String> = (table.indexes.iter())
                    .filter(|index| on_conflict.indexes.contains(&index.id))
                    .map(|index| crate::catalog::relname(&index.name).to_string())
                    .collect();
                if arbiters.is_empty() && !table.primary_key.is_empty() {
                    arbiters.push(crate::catalog::relname(&table.pkey_name()).to_string());
                }
                if !arbiters.is_empty() {
                    lines.push(format!(
                        "  Conflict Arbiter Indexes: {}",
                        arbiters.join(", ")
                    ));
                }
            }
            match &insert.source {
                Some(source) => (write(lines, None), source.clone()),
                None if insert.rows.len() == 1 => (write(lines, Some("Result")), none()),
                None => (write(lines, Some("Values Scan on \"*VALUES*\"")), none()),
            }
        }
        _ => return Err(unsupported("EXPLAIN of this statement")),
    })
}

/// An INSERT of rows of expressions. Rows with subqueries or sequence calls run as a query, like
/// INSERT ... SELECT.
fn values_insert(
    table: Arc<TableDef>,
    rows: Vec<Vec<Expr>>,
    returning: Option<Returning>,
    on_conflict: Option<Arc<crate::plan::OnConflict>>,
) -> Plan {
    if !rows.iter().flatten().all(Expr::is_local) {
        let width = table.columns.len();
        return Plan::Insert(Arc::new(InsertPlan {
            table,
            rows: vec![(0..width).map(Expr::Column).collect()],
            source: Some(Rel::Values { rows, width }),
            returning,
            on_conflict,
        }));
    }
    Plan::Insert(Arc::new(InsertPlan {
        table,
        rows,
        source: None,
        returning,
        on_conflict,
    }))
}

/// A column default as it is stored, and shown by `\d` and information_schema: the expression's
/// text, except that `nextval` of a constant sequence name takes PostgreSQL's deparsed form,
/// `nextval('s'::regclass)` (unqualified for a sequence in public), whichever way it was written.
fn default_text(expr: &ast::Expr, resolve: &dyn Fn(&str) -> String) -> String {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let text = expr.to_string();
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, &text).tokenize() else {
        return text;
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let name = match tokens.as_slice() {
        [Token::Word(f), Token::LParen, Token::SingleQuotedString(name), Token::RParen] => {
            (f.value.eq_ignore_ascii_case("nextval")).then_some(name)
        }
        [Token::Word(f), Token::LParen, Token::SingleQuotedString(name), Token::DoubleColon, Token::Word(ty), Token::RParen] => {
            (f.value.eq_ignore_ascii_case("nextval") && ty.value.eq_ignore_ascii_case("regclass"))
                .then_some(name)
        }
        _ => None,
    };
    let Some(name) = name else {
        return text;
    };
    let key = resolve(name);
    format!(
        "nextval('{}'::regclass)",
        crate::catalog::regclass_text(&key).replace('\'', "''")
    )
}

/// A relation name read from text without its leading part when that names `database`
/// (`keel.public.t`, as regclass accepts it).
pub fn without_database(name: String, database: &str) -> String {
    match name
        .strip_prefix(database)
        .and_then(|rest| rest.strip_prefix('.'))
    {
        Some(rest) if rest.contains('.') => rest.to_string(),
        _ => name,
    }
}

/// The text a reg* value (`oid` of `kind`) is sent to a client as: the object's name as the
/// session sees it (its search path decides whether a relation is schema-qualified), as
/// PostgreSQL's `regclassout`/`regtypeout`/`regnamespaceout` print it.
pub fn reg_output(
    catalog: &Catalog,
    session: &SessionInfo,
    kind: crate::types::RegKind,
    oid: i64,
) -> String {
    let binder = Binder::new(catalog, session, "", 0, Vec::new());
    let named = binder.reg_names(kind, Expr::Const(Value::Int(oid)));
    match named.eval(&[], &EvalContext::new(&[], 0)) {
        Ok(Value::Text(name)) => name,
        _ => oid.to_string(),
    }
}

pub fn regclass_name(text: &str) -> String {
    parse_regclass(text)
}

fn parse_regclass(text: &str) -> String {
    text.split('.')
        .map(
            |part| match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => part.to_lowercase(),
            },
        )
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether a unary sign over `expr` was parsed around a `^`: `expr` is a chain of `^`, `*`,
/// `/` and `%` (operators PostgreSQL binds looser than a sign) with a `^` on its left edge.
fn leftmost_exp_operand(expr: &ast::Expr) -> bool {
    match expr {
        ast::Expr::BinaryOp {
            op: ast::BinaryOperator::PGExp,
            ..
        } => true,
        ast::Expr::BinaryOp {
            left,
            op:
                ast::BinaryOperator::Multiply
                | ast::BinaryOperator::Divide
                | ast::BinaryOperator::Modulo,
            ..
        } => leftmost_exp_operand(left),
        _ => false,
    }
}

/// `expr` with the sign `op` applied to its leftmost operand (see [`leftmost_exp_operand`]).
fn sign_leftmost(op: ast::UnaryOperator, expr: &ast::Expr) -> ast::Expr {
    match expr {
        ast::Expr::BinaryOp {
            left,
            op:
                binary @ (ast::BinaryOperator::PGExp
                | ast::BinaryOperator::Multiply
                | ast::BinaryOperator::Divide
                | ast::BinaryOperator::Modulo),
            right,
        } => ast::Expr::BinaryOp {
            left: Box::new(sign_leftmost(op, left)),
            op: binary.clone(),
            right: right.clone(),
        },
        other => ast::Expr::UnaryOp {
            op,
            expr: Box::new(other.clone()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ColumnDef, IndexDef};

    fn table() -> TableDef {
        let column = |name: &str| ColumnDef::new(name, DataType::Int4);
        let index = |id, columns: Vec<usize>, unique| IndexDef {
            id,
            name: format!("i{id}"),
            columns,
            unique,
            ..Default::default()
        };
        let columns = vec![column("id"), column("a"), column("b"), column("c")];
        TableDef {
            primary_key: vec![0],
            indexes: vec![
                index(2, vec![1], false),
                index(3, vec![2, 3], false),
                index(4, vec![3], true),
            ],
            ..TableDef::plain(1, "t".into(), columns)
        }
    }

    fn cmp(op: BinOp, column: usize, value: i64) -> Expr {
        Expr::Binary(
            op,
            Box::new(Expr::Column(column)),
            Box::new(Expr::Const(Value::Int(value))),
        )
    }

    fn and(a: Expr, b: Expr) -> Expr {
        Expr::Binary(BinOp::And, Box::new(a), Box::new(b))
    }

    fn index_of(access: &Access) -> Option<(u64, usize, bool, bool)> {
        match access {
            Access::Index {
                index,
                eq,
                lower,
                upper,
                ..
            } => Some((index.id, eq.len(), lower.is_some(), upper.is_some())),
            _ => None,
        }
    }

    #[test]
    fn the_planner_picks_the_key_then_the_narrowest_index() {
        let t = table();
        assert!(matches!(
            key_access(&t, &cmp(BinOp::Eq, 0, 1)),
            Access::Key(_)
        ));
        // The primary key wins over any index.
        let both = and(cmp(BinOp::Eq, 0, 1), cmp(BinOp::Eq, 1, 2));
        assert!(matches!(key_access(&t, &both), Access::Key(_)));
        assert_eq!(
            index_of(&key_access(&t, &cmp(BinOp::Eq, 1, 5))),
            Some((2, 1, false, false))
        );
        // A range on a leading column; a flipped comparison is normalized.
        let range = and(cmp(BinOp::Gt, 1, 5), cmp(BinOp::LtEq, 1, 9));
        assert_eq!(index_of(&key_access(&t, &range)), Some((2, 0, true, true)));
        let flipped = Expr::Binary(
            BinOp::Lt,
            Box::new(Expr::Const(Value::Int(5))),
            Box::new(Expr::Column(1)),
        );
        assert_eq!(
            index_of(&key_access(&t, &flipped)),
            Some((2, 0, true, false))
        );
        // Equality on b then a range on c: the two-column index.
        let composite = and(cmp(BinOp::Eq, 2, 1), cmp(BinOp::GtEq, 3, 4));
        assert_eq!(
            index_of(&key_access(&t, &composite)),
            Some((3, 1, true, false))
        );
        // A full unique key beats everything else.
        let unique = and(cmp(BinOp::Eq, 2, 1), cmp(BinOp::Eq, 3, 4));
        assert_eq!(
            index_of(&key_access(&t, &unique)),
            Some((4, 1, false, false))
        );
        // No usable predicate: a scan (a range on a non-leading column, an inequality).
        assert_eq!(key_access(&t, &cmp(BinOp::NotEq, 1, 5)), Access::Scan);
        let or = Expr::Binary(
            BinOp::Or,
            Box::new(cmp(BinOp::Eq, 1, 1)),
            Box::new(cmp(BinOp::Eq, 1, 2)),
        );
        assert_eq!(key_access(&t, &or), Access::Scan);
    }

    #[test]
    fn several_keys_are_read_by_key_unless_a_unique_index_names_one_row() {
        let t = table();
        let list = |column: usize, values: &[i64], negated: bool| {
            Expr::InList(
                Box::new(Expr::Column(column)),
                values.iter().map(|&v| Expr::Const(Value::Int(v))).collect(),
                negated,
                None,
            )
        };
        let values_of = |access: &Access| match access {
            Access::Keys {
                index: None,
                eq,
                values: KeyValues::List(list),
                conds,
            } => Some((eq.len(), list.len(), conds.len())),
            _ => None,
        };
        let through = |access: &Access| match access {
            Access::Keys {
                index: Some(index), ..
            } => Some(index.id),
            _ => None,
        };
        assert_eq!(
            values_of(&key_access(&t, &list(0, &[3, 1], false))),
            Some((0, 2, 1))
        );
        // With other conditions, which stay in the filter; and over a range of the key.
        let more = and(list(0, &[3, 1, 2], false), cmp(BinOp::Gt, 1, 5));
        assert_eq!(values_of(&key_access(&t, &more)), Some((0, 3, 1)));
        let ranged = and(cmp(BinOp::Gt, 0, 1), list(0, &[3, 1], false));
        assert_eq!(values_of(&key_access(&t, &ranged)), Some((0, 2, 1)));
        // `= ANY (array)` too.
        let any = Expr::Scalar(
            crate::functions::Scalar::Array(crate::array::ArrayFn::Compare {
                op: crate::array::Cmp::Eq,
                all: false,
            }),
            vec![Expr::Column(0), Expr::Param(0)],
        );
        assert!(matches!(
            key_access(&t, &any),
            Access::Keys {
                values: KeyValues::Array(Expr::Param(0)),
                ..
            }
        ));
        // A full unique key names one row: it beats them; an index on one value does not.
        let unique = and(
            list(0, &[3, 1], false),
            and(cmp(BinOp::Eq, 2, 1), cmp(BinOp::Eq, 3, 4)),
        );
        assert_eq!(
            index_of(&key_access(&t, &unique)),
            Some((4, 1, false, false))
        );
        let nonunique = and(list(0, &[3, 1], false), cmp(BinOp::Eq, 1, 1));
        assert!(values_of(&key_access(&t, &nonunique)).is_some());
        // Not for NOT IN, a list reading the row, or a column that is not the key.
        assert_eq!(key_access(&t, &list(0, &[3], true)), Access::Scan);
        let reads = Expr::InList(
            Box::new(Expr::Column(0)),
            vec![Expr::Column(1)],
            false,
            None,
        );
        assert_eq!(key_access(&t, &reads), Access::Scan);
        // On an index's first column: through it, unless another index or the key serves.
        assert_eq!(through(&key_access(&t, &list(1, &[1, 2], false))), Some(2));
        assert_eq!(through(&key_access(&t, &list(3, &[1, 2], false))), Some(4));
        let other = and(list(1, &[1, 2], false), cmp(BinOp::Eq, 2, 3));
        assert_eq!(
            index_of(&key_access(&t, &other)),
            Some((3, 1, false, false))
        );
        assert_eq!(through(&key_access(&t, &list(2, &[1, 2], false))), Some(3));
        assert_eq!(through(&key_access(&t, &list(1, &[1], true))), None);
        // A composite key: equalities on the leading columns, the list on the last.
        let mut composite = table();
        composite.primary_key = vec![1, 0];
        let led = and(cmp(BinOp::Eq, 1, 7), list(0, &[1, 2], false));
        assert_eq!(values_of(&key_access(&composite, &led)), Some((1, 2, 2)));
        assert!(values_of(&key_access(&composite, &list(0, &[1, 2], false))).is_none());
    }

    #[test]
    fn partial_and_expression_indexes_serve_the_queries_that_match_them() {
        let mut t = table();
        t.indexes.clear();
        // UNIQUE (a) WHERE b IS NULL.
        let live = Expr::IsNull(Box::new(Expr::Column(2)), false);
        t.indexes.push(IndexDef {
            id: 5,
            name: "live".into(),
            columns: vec![1],
            unique: true,
            predicate: Some("(b IS NULL)".into()),
            bound: Some(Arc::new(crate::catalog::BoundIndex {
                predicate: Some(live.clone()),
                parts: Vec::new(),
            })),
            ..Default::default()
        });
        // (c + 1)
        let plus = Expr::Binary(
            BinOp::Add(DataType::Int8),
            Box::new(Expr::Column(3)),
            Box::new(Expr::Const(Value::Int(1))),
        );
        t.indexes.push(IndexDef {
            id: 6,
            name: "plus".into(),
            expressions: vec!["(c + 1)".into()],
            bound: Some(Arc::new(crate::catalog::BoundIndex {
                predicate: None,
                parts: vec![(plus.clone(), DataType::Int8)],
            })),
            ..Default::default()
        });
        // Without the predicate among the conditions, the partial index has no rows to offer.
        assert_eq!(key_access(&t, &cmp(BinOp::Eq, 1, 5)), Access::Scan);
        let with = and(cmp(BinOp::Eq, 1, 5), live.clone());
        assert_eq!(index_of(&key_access(&t, &with)), Some((5, 1, false, false)));
        // An equality and a range on the expression; the column alone is no match.
        let eq = |value: i64| {
            Expr::Binary(
                BinOp::Eq,
                Box::new(plus.clone()),
                Box::new(Expr::Const(Value::Int(value))),
            )
        };
        assert_eq!(
            index_of(&key_access(&t, &eq(4))),
            Some((6, 1, false, false))
        );
        let above = Expr::Binary(
            BinOp::Gt,
            Box::new(Expr::Const(Value::Int(9))),
            Box::new(plus.clone()),
        );
        assert_eq!(index_of(&key_access(&t, &above)), Some((6, 0, false, true)));
        assert_eq!(key_access(&t, &cmp(BinOp::Eq, 3, 4)), Access::Scan);
        // Unbound (never from a statement): not used.
        t.indexes[1].bound = None;
        assert_eq!(key_access(&t, &eq(4)), Access::Scan);
    }
}
