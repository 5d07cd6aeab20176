//! `CREATE TABLE name (..., LIKE source [ INCLUDING | EXCLUDING option ]..., ...)`, as
//! PostgreSQL's transformTableLikeClause makes it: the source table's columns, with their types
//! and NOT NULL, stand where the LIKE does, and the options copy the rest:
//!
//! - DEFAULTS: the columns' defaults (a serial column's `nextval` names the source's sequence,
//!   which the new table then shares, not owns);
//! - GENERATED: stored generated columns' expressions;
//! - IDENTITY: identity columns, each with a sequence of its own with the source's options;
//! - CONSTRAINTS: CHECK constraints, under their names;
//! - INDEXES: the primary key, UNIQUE constraints and the other indexes (expressions,
//!   predicates, INCLUDE columns, orderings), named as PostgreSQL names them for the new table;
//! - COMMENTS, COMPRESSION, STATISTICS and STORAGE copy nothing Keel keeps per column.
//!
//! sqlparser reads none of it (it would take `like` for a column name), so the parser blanks
//! the items and the binder reads them back from the statement's text
//! (`parse::create_table_likes`). Each is written out as SQL over the source's catalog entry
//! (its stored default, generation and CHECK texts are SQL already), read by sqlparser and
//! spliced into the statement's list, which then binds like one written by hand: a LIKE'd
//! column that another item also names is PostgreSQL's 42701, a second primary key its 42P16.
//! Indexes other than the primary key are copied as catalog entries once the table's columns
//! are known, by column name.

use std::sync::Arc;

use sqlparser::ast;

use super::{Binder, ObjectName, ObjectNamePart};
use crate::catalog::{ColumnDef, IndexDef, TableDef, PRIV_SELECT};
use crate::error::{code, SqlError, SqlResult};
use crate::functions::quote_ident;
use crate::parse::{self, TableLike};

/// An index of a LIKE source copied to the new table: its entry (name cleared, so the new
/// table's is chosen when it is made) and its key and INCLUDE columns by name.
pub(super) struct CopiedIndex {
    index: IndexDef,
    key: Vec<String>,
    include: Vec<String>,
}

impl Binder<'_> {
    /// `create` with its LIKE items (`likes`) written out as column definitions and table
    /// constraints, and the indexes they copy besides.
    pub(super) fn expand_table_likes(
        &self,
        create: &ast::CreateTable,
        likes: &[TableLike],
    ) -> SqlResult<(ast::CreateTable, Vec<CopiedIndex>, Vec<String>)> {
        let mut expanded = create.clone();
        let mut copied = Vec::new();
        // The copied primary key's INCLUDE columns (the key itself is a constraint of the
        // copy's text, which has no INCLUDE).
        let mut pkey_include = Vec::new();
        let mut inserted = 0;
        for like in likes {
            let source = self.like_source(like)?;
            let including = |bit: u32| like.including & bit != 0;
            let mut items: Vec<String> = source
                .columns
                .iter()
                .map(|column| self.like_column(column, like.including))
                .collect();
            if including(parse::LIKE_CONSTRAINTS) {
                for check in source.checks.iter().filter(|check| !check.view) {
                    items.push(format!(
                        "CONSTRAINT {} CHECK ({})",
                        quote_ident(&check.name),
                        check.sql
                    ));
                }
            }
            if including(parse::LIKE_INDEXES) {
                let names = |columns: &[usize]| -> Vec<String> {
                    columns
                        .iter()
                        .map(|&c| source.columns[c].name.clone())
                        .collect()
                };
                if !source.primary_key.is_empty() {
                    let key: Vec<String> = names(&source.primary_key)
                        .iter()
                        .map(|name| quote_ident(name))
                        .collect();
                    items.push(format!("PRIMARY KEY ({})", key.join(", ")));
                    pkey_include = names(&source.primary_key_include);
                }
                for index in &source.indexes {
                    copied.push(CopiedIndex {
                        index: IndexDef {
                            id: 0,
                            name: String::new(),
                            columns: Vec::new(),
                            include: Vec::new(),
                            bound: None,
                            placement: 0,
                            // PostgreSQL's copies are not marked for CLUSTER.
                            clustered: false,
                            ..index.clone()
                        },
                        key: names(&index.columns),
                        include: names(&index.include),
                    });
                }
            }
            let text = format!("CREATE TABLE t ({})", items.join(", "));
            let parse::Parsed::Sql(statement) = parse::parse_statement(&text)? else {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "a LIKE clause's columns did not read back as CREATE TABLE",
                ));
            };
            let ast::Statement::CreateTable(written) = *statement else {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "a LIKE clause's columns did not read back as CREATE TABLE",
                ));
            };
            let at = (like.columns_before + inserted).min(expanded.columns.len());
            inserted += written.columns.len();
            expanded.columns.splice(at..at, written.columns);
            expanded.constraints.extend(written.constraints);
        }
        Ok((expanded, copied, pkey_include))
    }

    /// The table or view a LIKE copies (a view: its columns' names and types): 42P01 at its
    /// name when there is none; 42501 without SELECT on it, as PostgreSQL requires.
    fn like_source(&self, like: &TableLike) -> SqlResult<Arc<TableDef>> {
        let position = Some(self.offset + like.at + 1);
        let name = ObjectName(
            like.source
                .iter()
                .map(|part| ObjectNamePart::Identifier(ast::Ident::with_quote('"', part)))
                .collect(),
        );
        if let Some(view) = self.view(&name)? {
            self.require_view_select(&view, true)?;
            let columns = crate::system::view_column_defs(&view);
            return Ok(Arc::new(TableDef::plain(view.id, view.name, columns)));
        }
        let table = self
            .lookup_table(&name)
            .map_err(|error| match error.position {
                None => error.at(position),
                Some(_) => error,
            })?;
        self.require(&table, PRIV_SELECT)?;
        Ok(table)
    }

    /// One LIKE'd column's definition as SQL: its name, type and NOT NULL, and what
    /// `including` copies of its default, generation expression or identity.
    fn like_column(&self, column: &ColumnDef, including: u32) -> String {
        // A column of a domain stays of it (named in its schema, whatever the search path).
        let domain = (column.domain.as_ref()).and_then(|d| self.catalog.domain_by_id(d.id));
        let ty = match domain {
            Some(def) => {
                let (schema, name) = crate::catalog::split_name(&def.name);
                format!("{}.{}", quote_ident(schema), quote_ident(name))
            }
            None => column.ty.name(),
        };
        let mut sql = format!("{} {ty}", quote_ident(&column.name));
        if column.not_null {
            sql.push_str(" NOT NULL");
        }
        if let Some(generated) = &column.generated {
            if including & parse::LIKE_GENERATED != 0 {
                sql.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", generated.sql));
            }
        } else if let Some(always) = column.identity {
            if including & parse::LIKE_IDENTITY != 0 {
                let kind = if always { "ALWAYS" } else { "BY DEFAULT" };
                sql.push_str(&format!(" GENERATED {kind} AS IDENTITY"));
                if let Some(seq) = column.default.as_deref().and_then(|d| self.nextval_of(d)) {
                    let cycle = if seq.cycle { "CYCLE" } else { "NO CYCLE" };
                    sql.push_str(&format!(
                        " (START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {cycle})",
                        seq.start, seq.increment, seq.min, seq.max, seq.cache
                    ));
                }
            }
        } else if let Some(default) = &column.default {
            if including & parse::LIKE_DEFAULTS != 0 {
                sql.push_str(&format!(" DEFAULT {default}"));
            }
        }
        sql
    }

    /// The sequence a default of the form `nextval('name'::regclass)` takes its values from.
    fn nextval_of(&self, default: &str) -> Option<Arc<crate::catalog::SequenceDef>> {
        let tokens = parse::lex(default).ok()?;
        let name = tokens.iter().find_map(|tok| match &tok.token {
            parse::Token::Str(name) => Some(name.clone()),
            _ => None,
        })?;
        let sequences = &self.catalog.sequences;
        sequences
            .get(&name)
            .or_else(|| sequences.get(name.strip_prefix("public.")?))
            .cloned()
    }

    /// The LIKE-copied indexes and primary key INCLUDE columns on the new `table`, their
    /// columns found by name.
    pub(super) fn add_copied_indexes(
        &self,
        table: &mut TableDef,
        copied: Vec<CopiedIndex>,
        pkey_include: &[String],
    ) {
        let position = |name: &String| table.columns.iter().position(|c| c.name == *name);
        let mut indexes = Vec::with_capacity(copied.len());
        for CopiedIndex {
            mut index,
            key,
            include,
        } in copied
        {
            index.columns = key.iter().filter_map(position).collect();
            index.include = include.iter().filter_map(position).collect();
            indexes.push(index);
        }
        table.indexes.extend(indexes);
        if !pkey_include.is_empty() {
            table.primary_key_include = pkey_include.iter().filter_map(position).collect();
        }
    }
}
