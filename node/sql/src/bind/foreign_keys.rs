//! Binding of FOREIGN KEY constraints (`REFERENCES` on a column, `FOREIGN KEY (...) REFERENCES`
//! on the table, `ALTER TABLE ... ADD CONSTRAINT`): the referenced table and columns, checked as
//! PostgreSQL checks them (a primary key or UNIQUE constraint over exactly those columns,
//! comparable types), and PostgreSQL's constraint name.

use sqlparser::ast::{self, ObjectName, ReferentialAction};

use super::{ident_name, unsupported, Binder};
use crate::catalog::{FkAction, ForeignKeyDef, TableDef};
use crate::error::{code, SqlError, SqlResult};

/// A FOREIGN KEY clause as written, its referencing columns resolved.
pub(super) struct ForeignKeyClause<'a> {
    pub name: Option<String>,
    pub columns: Vec<usize>,
    pub parent: &'a ObjectName,
    pub parent_columns: &'a [ast::Ident],
    pub on_delete: Option<ReferentialAction>,
    pub on_update: Option<ReferentialAction>,
    pub characteristics: Option<&'a ast::ConstraintCharacteristics>,
}

fn action(action: Option<ReferentialAction>) -> FkAction {
    match action {
        None | Some(ReferentialAction::NoAction) => FkAction::NoAction,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

/// Whether values of the two types compare as keys (PostgreSQL finds an equality operator).
fn comparable(a: crate::types::DataType, b: crate::types::DataType) -> bool {
    a.expression_type() == b.expression_type()
        || (a.is_numeric_family() && b.is_numeric_family())
        || (a.is_string() && b.is_string())
        || (a.is_datetime() && b.is_datetime())
}

/// A foreign key's columns must compare with the referenced ones (when it is made, and when a
/// column's type changes): else PostgreSQL's error naming the first pair that does not.
pub(crate) fn check_key_types(
    name: &str,
    child: &TableDef,
    columns: &[usize],
    parent: &TableDef,
    parent_columns: &[usize],
) -> SqlResult<()> {
    for (&c, &p) in columns.iter().zip(parent_columns) {
        let (child_column, parent_column) = (&child.columns[c], &parent.columns[p]);
        if !comparable(child_column.ty, parent_column.ty) {
            return Err(SqlError::new(
                code::DATATYPE_MISMATCH,
                format!("foreign key constraint \"{name}\" cannot be implemented"),
            )
            .with_detail(format!(
                "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                child_column.name,
                parent_column.name,
                child_column.ty.name(),
                parent_column.ty.name()
            )));
        }
    }
    Ok(())
}

impl Binder<'_> {
    /// A foreign key of `child` (the table being created or altered). A table that references
    /// itself while being created is its own parent (parent id 0 until it gets its id).
    pub(super) fn bind_foreign_key(
        &self,
        child: &TableDef,
        clause: ForeignKeyClause<'_>,
    ) -> SqlResult<ForeignKeyDef> {
        // DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]; INITIALLY DEFERRED alone implies
        // DEFERRABLE, as in PostgreSQL.
        let (mut deferrable, mut initially_deferred) = (false, false);
        if let Some(c) = clause.characteristics {
            initially_deferred = c.initially == Some(ast::DeferrableInitial::Deferred);
            deferrable = c.deferrable.unwrap_or(initially_deferred);
            if initially_deferred && !deferrable {
                // PostgreSQL points at INITIALLY (the clause carries no position of its own).
                let lower = self.text.to_lowercase();
                let at = lower
                    .find("not deferrable")
                    .and_then(|from| lower[from..].find("initially").map(|i| from + i))
                    .map(|byte| self.offset + lower[..byte].chars().count() + 1);
                return Err(SqlError::syntax(
                    "constraint declared INITIALLY DEFERRED must be DEFERRABLE",
                )
                .at(at));
            }
            if c.enforced == Some(false) {
                return Err(unsupported("NOT ENFORCED foreign keys"));
            }
        }
        let (parent_name, _) = self.table_name(clause.parent)?;
        let parent: &TableDef = if parent_name == child.name {
            child
        } else {
            self.catalog.table(&parent_name)?
        };
        // A permanent table references only permanent ones; an unlogged one no temporary one;
        // a temporary one only temporary ones (PostgreSQL's rule, as crash recovery keeps
        // only what is logged).
        let refused = match (child.persistence(), parent.persistence()) {
            ('p', 'u' | 't') => {
                Some("constraints on permanent tables may reference only permanent tables")
            }
            ('u', 't') => Some(
                "constraints on unlogged tables may reference only permanent or unlogged tables",
            ),
            ('t', 'p' | 'u') => {
                Some("constraints on temporary tables may reference only temporary tables")
            }
            _ => None,
        };
        if let Some(message) = refused {
            return Err(SqlError::new(code::INVALID_TABLE_DEFINITION, message));
        }
        let parent_columns = if clause.parent_columns.is_empty() {
            if parent.primary_key.is_empty() {
                return Err(SqlError::new(
                    "42830",
                    format!(
                        "there is no primary key for referenced table \"{}\"",
                        crate::catalog::relname(&parent.name)
                    ),
                ));
            }
            parent.primary_key.clone()
        } else {
            clause
                .parent_columns
                .iter()
                .map(|ident| {
                    let column = ident_name(ident);
                    parent.column_index(&column).ok_or_else(|| {
                        SqlError::new(
                            code::UNDEFINED_COLUMN,
                            format!(
                                "column \"{column}\" referenced in foreign key constraint does not exist"
                            ),
                        )
                    })
                })
                .collect::<SqlResult<Vec<_>>>()?
        };
        if parent_columns.len() != clause.columns.len() {
            return Err(SqlError::new(
                "42830",
                "number of referencing and referenced columns for foreign key disagree",
            ));
        }
        if parent.referenced_key(&parent_columns).is_none() {
            return Err(SqlError::new(
                "42830",
                format!(
                    "there is no unique constraint matching given keys for referenced table \"{}\"",
                    crate::catalog::relname(&parent.name)
                ),
            ));
        }
        let name = clause.name.unwrap_or_else(|| {
            let columns: Vec<&str> = clause
                .columns
                .iter()
                .map(|&c| child.columns[c].name.as_str())
                .collect();
            let base = format!(
                "{}_{}_fkey",
                crate::catalog::relname(&child.name),
                columns.join("_")
            );
            let taken = |name: &str| child.foreign_keys.iter().any(|fk| fk.name == name);
            let mut name = base.clone();
            let mut n = 0;
            while taken(&name) {
                n += 1;
                name = format!("{base}{n}");
            }
            name
        });
        check_key_types(&name, child, &clause.columns, parent, &parent_columns)?;
        Ok(ForeignKeyDef {
            name,
            columns: clause.columns,
            parent: parent.id,
            parent_columns,
            on_delete: action(clause.on_delete),
            on_update: action(clause.on_update),
            deferrable,
            initially_deferred,
            not_valid: false,
        })
    }
}
