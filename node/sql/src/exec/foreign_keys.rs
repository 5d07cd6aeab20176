//! FOREIGN KEY enforcement, run by the session after each write statement's rows are written
//! (PostgreSQL runs its RI triggers at the same point for NOT DEFERRABLE constraints).
//!
//! The owners report the rows a write changed (old and new images, see
//! `TableDef::tracks_changes`); from them the session derives
//! - on the referencing side, the keys of new rows and of rows whose key columns changed: each
//!   must name a row of the referenced table, which is locked FOR KEY SHARE so that it cannot go
//!   away before this transaction ends (a concurrent DELETE of it waits, then finds the new
//!   reference);
//! - on the referenced side, the keys that went away (deleted rows, changed key columns): NO
//!   ACTION and RESTRICT refuse them while a row still references them (NO ACTION lets a key
//!   that the statement put back pass), CASCADE deletes or updates the referencing rows, SET NULL
//!   and SET DEFAULT change them.
//!
//! Lookups and actions read a snapshot taken after the write (not the statement's), so a
//! concurrent transaction's reference that committed while this statement waited for a row lock
//! is seen. Lookups and actions are ordinary SQL statements run inside the same transaction, so the
//! actions' own writes are enforced the same way (cascades chain). A single-column key is looked
//! up for a whole statement at once (`= ANY($1)`); a multi-column one per key. NULL in a key
//! column means "references nothing" (MATCH SIMPLE).

use std::collections::HashSet;

use super::{quote_ident, quote_relation, Cancel, Cluster, Session, Tx};
use keel_storage::TableId;

use crate::catalog::{Catalog, FkAction, ForeignKeyDef, TableDef};
use crate::error::{code, SqlError, SqlResult};
use crate::fragment::{key_values_text, RowChange};
use crate::types::{cast, compare, encode_key, DataType, Value};

/// 23503 for a key of `table` (the values of `fk`'s columns) that names no row of `parent`. The
/// values are shown only to a role that may read `table` (`shown`), as PostgreSQL shows them.
pub(super) fn missing_reference(
    table: &TableDef,
    fk: &ForeignKeyDef,
    parent: &TableDef,
    key: &[Value],
    shown: bool,
) -> SqlError {
    let key = if shown {
        format!("Key {}", key_values_text(table, &fk.columns, key))
    } else {
        "Key".to_string()
    };
    SqlError::new(
        "23503",
        format!(
            "insert or update on table \"{}\" violates foreign key constraint \"{}\"",
            crate::catalog::relname(&table.name),
            fk.name
        ),
    )
    .with_detail(format!(
        "{key} is not present in table \"{}\".",
        crate::catalog::relname(&parent.name)
    ))
}

/// A foreign key check put off to the end of the transaction (a DEFERRED constraint).
#[derive(Clone)]
pub(super) struct DeferredCheck {
    /// The table written.
    table: TableId,
    /// The table the constraint belongs to (the referencing one).
    fk_table: TableId,
    fk: String,
    /// The referencing side (new keys must exist) or the referenced side (gone keys must not be
    /// referenced, NO ACTION).
    referencing: bool,
    changes: Vec<RowChange>,
    /// The savepoint level it was queued at (ROLLBACK TO a lower one drops it).
    pub(super) level: u32,
}

/// SET CONSTRAINTS in a transaction: ALL's mode and named constraints' (true: DEFERRED).
#[derive(Default, Clone)]
pub(super) struct ConstraintModes {
    pub(super) all: Option<bool>,
    pub(super) named: std::collections::HashMap<String, bool>,
}

impl Session {
    /// Whether the session's role may read `table` (and so see key values in errors about it).
    fn may_read(&self, catalog: &Catalog, table: &TableDef) -> bool {
        catalog.table_privileges(table, &self.info.user) & crate::catalog::PRIV_SELECT != 0
    }
}

/// `a = $first<separator>b = $first+1 ...` over quoted column names (conditions joined by AND,
/// assignments by a comma).
fn equalities(names: &[String], first: usize, separator: &str) -> String {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("{name} = ${}", first + i))
        .collect::<Vec<_>>()
        .join(separator)
}

/// A key's memcmp form, for sets of keys.
fn key_bytes(key: &[Value], types: &[DataType]) -> Vec<u8> {
    let pairs: Vec<(&Value, DataType)> = key.iter().zip(types.iter().copied()).collect();
    let mut out = Vec::new();
    encode_key(&pairs, &mut out);
    out
}

/// The key of `row` in `columns`, cast to `types`; None when a column is NULL.
fn key_of(
    row: &[Value],
    columns: &[usize],
    from: &[DataType],
    to: &[DataType],
) -> SqlResult<Option<Vec<Value>>> {
    let mut key = Vec::with_capacity(columns.len());
    for ((&c, &f), &t) in columns.iter().zip(from).zip(to) {
        if row[c].is_null() {
            return Ok(None);
        }
        key.push(cast(row[c].clone(), f, t, false)?);
    }
    Ok(Some(key))
}

fn same_key(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| compare(x, y).is_eq())
}

impl Session {
    /// Enforces every foreign key a write on `table` touched (see the module docs).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn enforce_foreign_keys<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &TableDef,
        changes: &[RowChange],
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        if changes.is_empty() || (!table.referenced && table.foreign_keys.is_empty()) {
            return Ok(());
        }
        let catalog = self.catalog(cluster);
        // Checks and actions read the newest committed rows, not the statement's snapshot
        // (PostgreSQL's RI crosscheck): a reference another transaction committed while this
        // statement waited for its row lock counts.
        let lease = cluster.snapshot();
        let txn = Tx {
            snapshot: lease.ts,
            ..txn
        };
        for fk in &table.foreign_keys {
            if self.deferred_now(fk) {
                self.defer(table.id, table.id, fk, true, changes);
                continue;
            }
            self.check_references(
                cluster, &catalog, table, fk, changes, false, txn, now, cancel,
            )
            .await?;
        }
        if table.referenced {
            let deleting = changes.iter().any(|(_, _, new)| new.is_none());
            for (child, fk) in catalog.referencing(table.id) {
                // Only NO ACTION's check waits; actions (and RESTRICT) happen now, as in
                // PostgreSQL.
                let action = if deleting { fk.on_delete } else { fk.on_update };
                if action == FkAction::NoAction && self.deferred_now(fk) {
                    self.defer(table.id, child.id, fk, false, changes);
                    continue;
                }
                self.referenced_keys_gone(
                    cluster, &catalog, table, child, fk, changes, txn, now, cancel,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Whether `fk`'s check waits for the end of the transaction: a DEFERRABLE constraint that is
    /// INITIALLY DEFERRED, or that SET CONSTRAINTS made DEFERRED (IMMEDIATE wins back).
    fn deferred_now(&self, fk: &ForeignKeyDef) -> bool {
        if !fk.deferrable {
            return false;
        }
        let Some(txn) = &self.txn else { return false };
        let modes = &txn.constraint_modes;
        modes
            .named
            .get(&fk.name)
            .copied()
            .or(modes.all)
            .unwrap_or(fk.initially_deferred)
    }

    /// Queues the check of `fk` (of table `fk_table`) for the rows a write on `table` changed.
    fn defer(
        &mut self,
        table: TableId,
        fk_table: TableId,
        fk: &ForeignKeyDef,
        referencing: bool,
        changes: &[RowChange],
    ) {
        if let Some(txn) = &mut self.txn {
            let level = txn.level();
            txn.deferred_checks.push(DeferredCheck {
                table,
                fk_table,
                fk: fk.name.clone(),
                referencing,
                changes: changes.to_vec(),
                level,
            });
        }
    }

    /// Runs the deferred checks of the constraints `which` picks (all at COMMIT; those SET
    /// CONSTRAINTS ... IMMEDIATE names): a referencing row's key must name a row of the
    /// referenced table if that row still holds it, and a key gone from the referenced table
    /// (NO ACTION) must not be referenced still, unless it came back.
    pub(super) async fn run_deferred_checks<C: Cluster>(
        &mut self,
        cluster: &C,
        which: &dyn Fn(&str) -> bool,
    ) -> SqlResult<()> {
        let Some(txn) = &mut self.txn else {
            return Ok(());
        };
        let (due, kept): (Vec<DeferredCheck>, Vec<DeferredCheck>) =
            std::mem::take(&mut txn.deferred_checks)
                .into_iter()
                .partition(|check| which(&check.fk));
        txn.deferred_checks = kept;
        if due.is_empty() {
            return Ok(());
        }
        let catalog = self.catalog(cluster);
        let tx = self.txn_for_statement(cluster);
        let lease = cluster.snapshot();
        let tx = Tx {
            snapshot: lease.ts,
            ..tx
        };
        let now = super::now_timestamp();
        let cancel = Cancel::default();
        for check in due {
            let (Some(table), Some(fk_table)) = (
                catalog.table_by_id(check.table),
                catalog.table_by_id(check.fk_table),
            ) else {
                continue;
            };
            // A constraint dropped since is not checked.
            let Some(fk) = fk_table.foreign_keys.iter().find(|fk| fk.name == check.fk) else {
                continue;
            };
            if check.referencing {
                self.check_references(
                    cluster,
                    &catalog,
                    table,
                    fk,
                    &check.changes,
                    true,
                    tx,
                    now,
                    &cancel,
                )
                .await?;
            } else {
                self.referenced_keys_gone(
                    cluster,
                    &catalog,
                    table,
                    fk_table,
                    fk,
                    &check.changes,
                    tx,
                    now,
                    &cancel,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The referencing side: every new key must exist in the referenced table.
    #[allow(clippy::too_many_arguments)]
    async fn check_references<C: Cluster>(
        &mut self,
        cluster: &C,
        catalog: &Catalog,
        table: &TableDef,
        fk: &ForeignKeyDef,
        changes: &[RowChange],
        recheck: bool,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        let parent = catalog.table_by_id(fk.parent).ok_or_else(|| {
            SqlError::new(code::INTERNAL_ERROR, "foreign key to a table that is gone")
        })?;
        let from: Vec<DataType> = fk.columns.iter().map(|&c| table.columns[c].ty).collect();
        let to: Vec<DataType> = fk
            .parent_columns
            .iter()
            .map(|&c| parent.columns[c].ty)
            .collect();
        let mut keys = Vec::new();
        let mut seen = HashSet::new();
        for (_, old, new) in changes {
            let Some(new) = new else { continue };
            let Some(key) = key_of(new, &fk.columns, &from, &to)? else {
                continue;
            };
            if let Some(old) = old {
                if let Some(before) = key_of(old, &fk.columns, &from, &to)? {
                    if same_key(&before, &key) {
                        continue;
                    }
                }
            }
            if seen.insert(key_bytes(&key, &to)) {
                keys.push(key);
            }
        }
        if recheck && !keys.is_empty() {
            // A deferred check: only keys some row of the table still holds must exist.
            let own: Vec<Vec<Value>> = keys
                .iter()
                .map(|k| {
                    k.iter()
                        .zip(to.iter().zip(&from))
                        .map(|(v, (&t, &f))| cast(v.clone(), t, f, false))
                        .collect::<SqlResult<Vec<_>>>()
                })
                .collect::<SqlResult<_>>()?;
            let held = self
                .existing_keys(
                    cluster,
                    catalog,
                    table,
                    &fk.columns,
                    &own,
                    false,
                    txn,
                    now,
                    cancel,
                )
                .await?;
            let mut still = own.iter().map(|k| held.contains(&key_bytes(k, &from)));
            keys.retain(|_| still.next().unwrap_or(false));
        }
        if keys.is_empty() {
            return Ok(());
        }
        let found = self
            .existing_keys(
                cluster,
                catalog,
                parent,
                &fk.parent_columns,
                &keys,
                true,
                txn,
                now,
                cancel,
            )
            .await?;
        if let Some(missing) = keys.iter().find(|k| !found.contains(&key_bytes(k, &to))) {
            let shown = self.may_read(catalog, table);
            return Err(missing_reference(table, fk, parent, missing, shown));
        }
        Ok(())
    }

    /// The referenced side: keys of `table` that went away, and the rows of `child` that
    /// reference them.
    #[allow(clippy::too_many_arguments)]
    async fn referenced_keys_gone<C: Cluster>(
        &mut self,
        cluster: &C,
        catalog: &Catalog,
        table: &TableDef,
        child: &TableDef,
        fk: &ForeignKeyDef,
        changes: &[RowChange],
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        let types: Vec<DataType> = fk
            .parent_columns
            .iter()
            .map(|&c| table.columns[c].ty)
            .collect();
        // (old key, new key when updated)
        let mut gone: Vec<(Vec<Value>, Option<Vec<Value>>)> = Vec::new();
        let mut seen = HashSet::new();
        let mut deleting = false;
        for (_, old, new) in changes {
            let Some(old) = old else { continue };
            let Some(old_key) = key_of(old, &fk.parent_columns, &types, &types)? else {
                continue;
            };
            let new_key = match new {
                None => {
                    deleting = true;
                    None
                }
                Some(new) => {
                    let new_key = key_of(new, &fk.parent_columns, &types, &types)?;
                    if new_key.as_ref().is_some_and(|k| same_key(k, &old_key)) {
                        continue;
                    }
                    new_key
                }
            };
            if seen.insert(key_bytes(&old_key, &types)) {
                gone.push((old_key, new_key));
            }
        }
        if gone.is_empty() {
            return Ok(());
        }
        let action = if deleting { fk.on_delete } else { fk.on_update };
        let child_types: Vec<DataType> = fk.columns.iter().map(|&c| child.columns[c].ty).collect();
        let as_child = |key: &[Value]| -> SqlResult<Vec<Value>> {
            key.iter()
                .zip(&types)
                .zip(&child_types)
                .map(|((v, &f), &t)| cast(v.clone(), f, t, false))
                .collect()
        };
        match action {
            FkAction::NoAction | FkAction::Restrict => {
                let mut old_keys: Vec<Vec<Value>> = gone.into_iter().map(|(k, _)| k).collect();
                if action == FkAction::NoAction {
                    // A key the statement put back (or never removed) is still there to reference.
                    let still = self
                        .existing_keys(
                            cluster,
                            catalog,
                            table,
                            &fk.parent_columns,
                            &old_keys,
                            false,
                            txn,
                            now,
                            cancel,
                        )
                        .await?;
                    old_keys.retain(|k| !still.contains(&key_bytes(k, &types)));
                }
                let child_keys = old_keys
                    .iter()
                    .map(|k| as_child(k))
                    .collect::<SqlResult<Vec<_>>>()?;
                let referenced = self
                    .existing_keys(
                        cluster,
                        catalog,
                        child,
                        &fk.columns,
                        &child_keys,
                        false,
                        txn,
                        now,
                        cancel,
                    )
                    .await?;
                if let Some(key) = child_keys
                    .iter()
                    .find(|k| referenced.contains(&key_bytes(k, &child_types)))
                {
                    let parent_key =
                        old_keys[child_keys.iter().position(|k| k == key).unwrap_or(0)].clone();
                    return Err(SqlError::new(
                        "23503",
                        format!(
                            "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
                            crate::catalog::relname(&table.name), fk.name, crate::catalog::relname(&child.name)
                        ),
                    )
                    .with_detail(if self.may_read(catalog, table) {
                        format!(
                            "Key {} is still referenced from table \"{}\".",
                            key_values_text(table, &fk.parent_columns, &parent_key),
                            crate::catalog::relname(&child.name)
                        )
                    } else {
                        format!("Key is still referenced from table \"{}\".", crate::catalog::relname(&child.name))
                    }));
                }
                Ok(())
            }
            FkAction::Cascade if !deleting => {
                for (old, new) in gone {
                    let old = as_child(&old)?;
                    let (assignments, values) = match new {
                        Some(new) => {
                            let new = as_child(&new)?;
                            let names: Vec<String> = fk
                                .columns
                                .iter()
                                .map(|&c| quote_ident(&child.columns[c].name))
                                .collect();
                            (equalities(&names, 1, ", "), new)
                        }
                        None => (self.set_all(child, fk, "NULL"), Vec::new()),
                    };
                    self.for_matching(
                        cluster,
                        catalog,
                        child,
                        &fk.columns,
                        &[old],
                        "UPDATE",
                        &assignments,
                        values,
                        txn,
                        now,
                        cancel,
                    )
                    .await?;
                }
                Ok(())
            }
            FkAction::Cascade | FkAction::SetNull | FkAction::SetDefault => {
                // Delete the referencing rows, or set their key to NULL or its default.
                let (verb, assignments) = match action {
                    FkAction::Cascade => ("DELETE FROM", String::new()),
                    FkAction::SetNull => ("UPDATE", self.set_all(child, fk, "NULL")),
                    _ => ("UPDATE", self.set_all(child, fk, "DEFAULT")),
                };
                let keys = gone
                    .iter()
                    .map(|(k, _)| as_child(k))
                    .collect::<SqlResult<Vec<_>>>()?;
                self.for_matching(
                    cluster,
                    catalog,
                    child,
                    &fk.columns,
                    &keys,
                    verb,
                    &assignments,
                    Vec::new(),
                    txn,
                    now,
                    cancel,
                )
                .await
            }
        }
    }

    /// `c1 = value, c2 = value` over the key columns of `fk` in `child`.
    fn set_all(&self, child: &TableDef, fk: &ForeignKeyDef, value: &str) -> String {
        fk.columns
            .iter()
            .map(|&c| format!("{} = {value}", quote_ident(&child.columns[c].name)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The keys among `keys` that rows of `table` hold in `columns` (as memcmp forms), the
    /// rows locked FOR KEY SHARE when `lock` (as PostgreSQL's checks lock them: an UPDATE of the
    /// row's other columns neither waits for it nor makes it wait).
    #[allow(clippy::too_many_arguments)]
    async fn existing_keys<C: Cluster>(
        &mut self,
        cluster: &C,
        catalog: &Catalog,
        table: &TableDef,
        columns: &[usize],
        keys: &[Vec<Value>],
        lock: bool,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<HashSet<Vec<u8>>> {
        let types: Vec<DataType> = columns.iter().map(|&c| table.columns[c].ty).collect();
        let names: Vec<String> = columns
            .iter()
            .map(|&c| quote_ident(&table.columns[c].name))
            .collect();
        let suffix = if lock { " FOR KEY SHARE" } else { "" };
        let mut found = HashSet::new();
        if let ([name], [ty], true) = (names.as_slice(), types.as_slice(), keys.len() > 4) {
            let sql = format!(
                "SELECT {name} FROM {} WHERE {name} = ANY($1){suffix}",
                quote_relation(&table.name)
            );
            let array = Value::Array(Box::new(crate::array::Array::one_dim(
                keys.iter().map(|k| k[0].clone()).collect(),
            )));
            let result = self
                .run_internal(
                    cluster,
                    catalog,
                    &sql,
                    vec![(array, ty.array())],
                    txn,
                    now,
                    cancel,
                )
                .await?;
            for row in result.rows {
                found.insert(key_bytes(&row, &types));
            }
            return Ok(found);
        }
        let sql = format!(
            "SELECT 1 FROM {} WHERE {} LIMIT 1{suffix}",
            quote_relation(&table.name),
            equalities(&names, 1, " AND ")
        );
        for key in keys {
            let params = key.iter().cloned().zip(types.iter().copied()).collect();
            let result = self
                .run_internal(cluster, catalog, &sql, params, txn, now, cancel)
                .await?;
            if !result.rows.is_empty() {
                found.insert(key_bytes(key, &types));
            }
        }
        Ok(found)
    }

    /// Runs `verb table [SET assignments] WHERE <columns match one of keys>` (DELETE FROM or
    /// UPDATE), `values` being the assignments' parameters.
    #[allow(clippy::too_many_arguments)]
    async fn for_matching<C: Cluster>(
        &mut self,
        cluster: &C,
        catalog: &Catalog,
        table: &TableDef,
        columns: &[usize],
        keys: &[Vec<Value>],
        verb: &str,
        assignments: &str,
        values: Vec<Value>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        let types: Vec<DataType> = columns.iter().map(|&c| table.columns[c].ty).collect();
        let set = if assignments.is_empty() {
            String::new()
        } else {
            format!(" SET {assignments}")
        };
        let value_params: Vec<(Value, DataType)> =
            values.into_iter().zip(types.iter().copied()).collect();
        let first = value_params.len() + 1;
        let names: Vec<String> = columns
            .iter()
            .map(|&c| quote_ident(&table.columns[c].name))
            .collect();
        if let ([name], [ty]) = (names.as_slice(), types.as_slice()) {
            let sql = format!(
                "{verb} {}{set} WHERE {name} = ANY(${first})",
                quote_relation(&table.name)
            );
            let array = Value::Array(Box::new(crate::array::Array::one_dim(
                keys.iter().map(|k| k[0].clone()).collect(),
            )));
            let mut params = value_params;
            params.push((array, ty.array()));
            self.run_internal(cluster, catalog, &sql, params, txn, now, cancel)
                .await?;
            return Ok(());
        }
        let sql = format!(
            "{verb} {}{set} WHERE {}",
            quote_relation(&table.name),
            equalities(&names, first, " AND ")
        );
        for key in keys {
            let mut params = value_params.clone();
            params.extend(key.iter().cloned().zip(types.iter().copied()));
            self.run_internal(cluster, catalog, &sql, params, txn, now, cancel)
                .await?;
        }
        Ok(())
    }

    /// Binds and runs one statement of the session's own inside transaction `txn`.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn run_internal<C: Cluster>(
        &mut self,
        cluster: &C,
        catalog: &Catalog,
        sql: &str,
        params: Vec<(Value, DataType)>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<super::QueryResult> {
        let (values, types): (Vec<Value>, Vec<DataType>) = params.into_iter().unzip();
        // Bound with the bootstrap superuser's privileges: the checks and actions a foreign key
        // makes were authorized when it was made (REFERENCES on the parent), as PostgreSQL runs
        // them as the tables' owner, whatever the writing role may read.
        let user = std::mem::replace(
            &mut self.info.user,
            crate::catalog::BOOTSTRAP_ROLE.to_string(),
        );
        let prepared = self.prepare(catalog, sql, 0, types.into_iter().map(Some).collect());
        self.info.user = user;
        let prepared = prepared?;
        let plan = prepared.plan.ok_or_else(|| {
            SqlError::new(code::INTERNAL_ERROR, "an internal statement without a plan")
        })?;
        Box::pin(self.run_plan(cluster, &plan, &values, txn, now, cancel)).await
    }
}
