//! The session side of execution: transactions, routing, and the parts of a query that need all its
//! rows (grouping, sorting, limits).
//!
//! A session runs on the worker that accepted its connection. For each statement it computes which
//! vshards hold the rows (one, for a lookup by the row key; all, otherwise), sends the owner-side
//! fragment ([`crate::fragment`]) to their workers through the [`Cluster`], and finishes the statement
//! with what comes back.
//!
//! Transactions: every statement runs in a transaction, explicit (`BEGIN` ... `COMMIT`) or implicit
//! (one statement, or one multi-statement simple-query string, as PostgreSQL does). The session
//! records which workers its transaction wrote on. Commit sends the commit to them: one worker commits
//! alone; several write their commit records in parallel and release their locks once all are durable
//! (the commit rule is in `keel_storage::wal`). Any error aborts the transaction's changes at once; an
//! explicit block then stays failed (`25P02`) until `ROLLBACK`, as in PostgreSQL.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use keel_storage::btree::Direction;
use keel_storage::{owner_of, vshard_of, TableId, TxnId, WorkerId, WHOLE_KEY};
use tokio::sync::Notify;

mod domains;
mod foreign_keys;
mod merge;
mod roles;
mod user_types;

use crate::bind::{Binder, SessionInfo};
use crate::catalog::{AclItem, Catalog, IndexDef, ReferencedKey, TableDef};
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{AggFunc, EvalContext, Expr, Func};
use crate::fragment::{
    check_row, generate_columns, key_text, AggregatePart, ChangedRow, KeyBounds, KeyTarget,
    KeyedRow, RowChange, ScanPart, ShardOp, ShardOutput, ShardRequest, Tx,
};
use crate::parse::{
    isolation_name, parse_statement, CopyOptions, CopySource, Isolation, Parsed, TxnMode,
};
use crate::plan::{
    scan_column, Access, KeyValues, OutputColumn, Plan, QueryPlan, Rel, Returning, RowLocking,
    SelectPlan,
};
use crate::query::{compare_rows, count_value, group, project, Executor, Row};
use crate::sequence::SessionSequences;
use crate::spill::{RowSet, RowSink, Sorter, StatementMemory};
use crate::types::{cast, compare, encode_key, now_timestamp, DataType, Value};
use keel_storage::mvcc::{SnapshotLease, Ts};
use keel_storage::ssi::Ssi;

/// The node as a session sees it: its own worker, the others, the catalog.
#[allow(async_fn_in_trait)]
pub trait Cluster {
    /// The worker this session runs on.
    fn worker(&self) -> WorkerId;
    /// Number of workers.
    fn workers(&self) -> usize;
    /// Runs a request on `worker` (locally when it is this one).
    async fn call(&self, worker: WorkerId, request: ShardRequest) -> SqlResult<ShardOutput>;
    /// Runs requests on several workers concurrently; results in request order.
    async fn call_all(
        &self,
        requests: Vec<(WorkerId, ShardRequest)>,
    ) -> Vec<SqlResult<ShardOutput>>;
    /// Sends requests without waiting for their answers (local ones run before it returns;
    /// remote ones arrive before anything this worker sends to those workers later).
    async fn post_all(&self, requests: Vec<(WorkerId, ShardRequest)>);
    /// The current catalog.
    fn catalog(&self) -> Arc<Catalog>;
    /// Publishes a committed catalog to every worker.
    fn publish_catalog(&self, catalog: Catalog);
    /// A new transaction id (unique across workers and restarts).
    fn next_txn(&self) -> TxnId;
    /// A snapshot of everything committed so far, held until the lease is dropped.
    fn snapshot(&self) -> SnapshotLease;
    /// A commit timestamp for a multi-worker transaction whose commit records are durable.
    fn commit_ts(&self) -> Ts;
    /// The node's SERIALIZABLE transactions and their conflicts.
    fn ssi(&self) -> &Ssi;
    /// Marks (or unmarks) `txn`'s running statement as canceled by its client: its lock waits end,
    /// on whichever worker they are.
    fn cancel_waits(&self, txn: TxnId, canceled: bool);
    /// A new hidden row id for tables without a primary key.
    fn next_row_id(&self) -> i64;
    /// Every sequence's counter (see `crate::sequence`).
    fn sequences(&self) -> Arc<crate::sequence::Registry>;
    /// Where operators that pass `work_mem` write their temporary files (see `crate::spill`).
    fn temp_dir(&self) -> std::path::PathBuf;
    /// Table statistics from ANALYZE (see `crate::stats`).
    fn statistics(&self) -> Arc<crate::stats::Statistics>;
    /// The node's activity counters (`pg_stat_*`; see [`crate::pgstat`]); this session's
    /// worker writes its own slot of them.
    fn activity_stats(&self) -> &crate::pgstat::Registry;
    /// The node's heavyweight locks: relation, advisory and catalog locks (see
    /// [`crate::locks`]).
    fn locks(&self) -> &Arc<crate::locks::Locks>;
    /// Runs a checkpoint round now (`CHECKPOINT`) and waits until it is published.
    async fn checkpoint(&self) -> SqlResult<()>;
}

/// A cancel request's mailbox for one session.
#[derive(Default)]
pub struct Cancel {
    requested: Cell<bool>,
    /// The transaction of the running statement, and whether its lock waits were told to end.
    txn: Cell<Option<TxnId>>,
    waits_ended: Cell<bool>,
    /// Why: a client's cancel request, or the statement timeout.
    timed_out: Cell<bool>,
    /// `pg_terminate_backend`: the session ends (its running statement is canceled first).
    terminated: Cell<bool>,
    /// When the running statement times out: [`Cancel::check`] sees it even where the timer
    /// could not run (a statement that never yields to the runtime).
    deadline: Cell<Option<std::time::Instant>>,
    notify: Notify,
}

impl Cancel {
    /// `pg_terminate_backend`: cancels the running statement and tells the session to end.
    pub fn terminate(&self) {
        self.terminated.set(true);
        self.request();
    }
    pub fn is_terminated(&self) -> bool {
        self.terminated.get()
    }
    /// Resolves once [`Cancel::terminate`] was called.
    pub async fn terminated(&self) {
        loop {
            let notified = self.notify.notified();
            if self.terminated.get() {
                return;
            }
            notified.await;
        }
    }
    /// A client's cancel request.
    pub fn request(&self) {
        self.requested.set(true);
        self.notify.notify_waiters();
    }
    fn request_timeout(&self) {
        self.timed_out.set(true);
        self.request();
    }
    /// A requested cancel ends the running statement's lock waits, wherever they are (they do not
    /// see this session's flag).
    fn end_waits<C: Cluster>(&self, cluster: &C) {
        if let (true, Some(txn), false) =
            (self.requested.get(), self.txn.get(), self.waits_ended.get())
        {
            cluster.cancel_waits(txn, true);
            self.waits_ended.set(true);
        }
    }

    /// Forgets a cancel that arrived between statements (PostgreSQL ignores those).
    pub fn reset(&self) {
        self.requested.set(false);
        self.timed_out.set(false);
    }
    pub fn check(&self) -> SqlResult<()> {
        if !self.requested.get()
            && self
                .deadline
                .get()
                .is_some_and(|deadline| std::time::Instant::now() >= deadline)
        {
            self.request_timeout();
        }
        if self.requested.get() {
            return Err(self.error());
        }
        Ok(())
    }
    fn error(&self) -> SqlError {
        let why = if self.timed_out.get() {
            "statement timeout"
        } else {
            "user request"
        };
        SqlError::new(
            code::QUERY_CANCELED,
            format!("canceling statement due to {why}"),
        )
    }
    async fn sleep(&self, duration: Duration) -> SqlResult<()> {
        let notified = self.notify.notified();
        self.check()?;
        tokio::select! {
            _ = tokio::time::sleep(duration) => Ok(()),
            _ = notified => Err(self.error()),
        }
    }
}

/// Parses a time setting as PostgreSQL does: a number of milliseconds, or a number with a unit
/// (us, ms, s, min, h, d).
pub fn parse_duration_ms(value: &str) -> Option<u64> {
    let value = value.trim();
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "ms" => 1.0,
        "us" => 0.001,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    let ms = number * factor;
    (ms.is_finite() && ms >= 0.0 && ms < i32::MAX as f64).then_some(ms.round() as u64)
}

/// Parses a memory setting in kilobytes as PostgreSQL does (`work_mem`): a number of kB, or a
/// number with a unit (B, kB, MB, GB, TB), rounded to whole kB; then checks it is within
/// `min..=max`. The error is PostgreSQL's (out of range, or an unknown unit with its hint).
pub fn parse_memory_kb(name: &str, value: &str, min: i64, max: i64) -> SqlResult<i64> {
    let invalid = || {
        SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"{name}\": \"{value}\""),
        )
    };
    let text = value.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| invalid())?;
    let factor = match unit.trim() {
        "" | "kB" => 1.0,
        "B" => 1.0 / 1024.0,
        "MB" => 1024.0,
        "GB" => 1024.0 * 1024.0,
        "TB" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(invalid().with_hint(
                "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".",
            ))
        }
    };
    let kb = (number * factor).round_ties_even();
    if !kb.is_finite() || kb.abs() > i32::MAX as f64 {
        return Err(invalid().with_hint("Value exceeds integer range."));
    }
    let kb = kb as i64;
    if !(min..=max).contains(&kb) {
        return Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("{kb} kB is outside the valid range for parameter \"{name}\" ({min} .. {max})"),
        ));
    }
    Ok(kb)
}

/// A size in kB as PostgreSQL shows it: in the largest unit that divides it.
fn format_memory_kb(kb: i64) -> String {
    for (unit, size) in [("TB", 1i64 << 30), ("GB", 1 << 20), ("MB", 1 << 10)] {
        if kb != 0 && kb % size == 0 {
            return format!("{}{unit}", kb / size);
        }
    }
    format!("{kb}kB")
}

/// The transaction state ReadyForQuery reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockState {
    Idle,
    InBlock,
    Failed,
}

/// An open savepoint.
struct Savepoint {
    name: String,
    /// The level changes after it are made at: ROLLBACK TO it undoes that level and those above.
    level: u32,
    /// How many saved settings (`local_saved`) came before it: ROLLBACK TO puts back the
    /// settings changed since.
    settings: usize,
    /// Where the transaction's DDL stood (None: it had run none): ROLLBACK TO puts the catalog
    /// back as it was.
    ddl: Option<DdlMark>,
}

/// The transaction's DDL at a savepoint: its catalog then, and how long its lists were.
#[derive(Clone)]
struct DdlMark {
    catalog: Arc<Catalog>,
    dropped: usize,
    sequences: usize,
}

struct Txn {
    id: TxnId,
    /// The session's process id: its transaction-level locks go when this ends.
    pid: i32,
    /// The session's fast-path lock slot (see [`crate::locks`]).
    locks: Arc<crate::locks::FastPath>,
    /// Workers this transaction sent writes to.
    writers: BTreeSet<WorkerId>,
    /// It truncated a table or wrote the catalog: it commits with a Commit record in every
    /// writer's log (see `keel_storage::wal`'s commit rule).
    logs_ddl: bool,
    /// Rows it sent to be inserted in batches (COPY, INSERT ... SELECT): from
    /// [`BULK_COMMIT_ROWS`] on it commits as `logs_ddl` does (see `Session::commit_writes`).
    bulk_rows: usize,
    explicit: bool,
    isolation: Isolation,
    read_only: bool,
    /// The snapshot reads use: the statement's under READ COMMITTED (dropped when it ends), the
    /// transaction's from its first statement on otherwise.
    snapshot: Option<SnapshotLease>,
    /// A statement has run (the isolation level is fixed from then on).
    started: bool,
    /// Open savepoints, innermost last. Changes are made at the innermost one's level.
    savepoints: Vec<Savepoint>,
    /// The last savepoint level handed out (levels are never reused).
    levels: u32,
    /// Foreign key checks of DEFERRED constraints, run at COMMIT (`exec/foreign_keys.rs`).
    deferred_checks: Vec<foreign_keys::DeferredCheck>,
    /// SET CONSTRAINTS' modes.
    constraint_modes: foreign_keys::ConstraintModes,
}

impl Txn {
    fn new(
        id: TxnId,
        pid: i32,
        locks: Arc<crate::locks::FastPath>,
        explicit: bool,
        settings: &Settings,
    ) -> Txn {
        Txn {
            id,
            pid,
            locks,
            writers: BTreeSet::new(),
            explicit,
            isolation: match settings.get("default_transaction_isolation") {
                Some("repeatable read") => Isolation::RepeatableRead,
                Some("serializable") => Isolation::Serializable,
                _ => Isolation::ReadCommitted,
            },
            read_only: settings.get("default_transaction_read_only") == Some("on"),
            snapshot: None,
            started: false,
            savepoints: Vec::new(),
            levels: 0,
            logs_ddl: false,
            bulk_rows: 0,
            deferred_checks: Vec::new(),
            constraint_modes: Default::default(),
        }
    }

    fn level(&self) -> u32 {
        self.savepoints
            .last()
            .map_or(0, |savepoint| savepoint.level)
    }

    /// The innermost savepoint called `name`.
    fn savepoint(&self, name: &str) -> SqlResult<usize> {
        self.savepoints
            .iter()
            .rposition(|savepoint| savepoint.name == name)
            .ok_or_else(|| {
                SqlError::new(
                    code::INVALID_SAVEPOINT_SPECIFICATION,
                    format!("savepoint \"{name}\" does not exist"),
                )
            })
    }

    /// What its statements send to the workers, with the statement's lock timeout and deadline.
    fn tx(&self, lock_timeout_ms: u64, deadline: Option<std::time::Instant>) -> Tx {
        Tx {
            id: self.id,
            snapshot: self.snapshot.as_ref().map_or(Ts::MAX, |lease| lease.ts),
            isolation: self.isolation,
            lock_timeout_ms,
            deadline,
            level: self.level(),
        }
    }

    /// Applies BEGIN's or SET TRANSACTION's characteristics.
    fn set_mode(&mut self, mode: TxnMode) -> SqlResult<()> {
        if let Some(isolation) = mode.isolation {
            if self.started && isolation != self.isolation {
                return Err(SqlError::new(
                    code::ACTIVE_SQL_TRANSACTION,
                    "SET TRANSACTION ISOLATION LEVEL must be called before any query",
                ));
            }
            self.isolation = isolation;
        }
        if let Some(read_only) = mode.read_only {
            if self.started && self.read_only && !read_only {
                return Err(SqlError::new(
                    code::ACTIVE_SQL_TRANSACTION,
                    "transaction read-write mode must be set before any query",
                ));
            }
            self.read_only = read_only;
        }
        Ok(())
    }
}

/// A prepared statement: parsed and bound once, re-bound when the catalog changes under it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub text: String,
    pub offset: usize,
    pub parsed: Option<Parsed>,
    pub plan: Option<Plan>,
    pub param_types: Vec<DataType>,
    pub catalog_version: u64,
    /// The search path names were resolved with (a different one binds again).
    pub search_path: Vec<String>,
    /// The session's zone it was bound with (see [`SessionInfo::timezone`]).
    pub timezone: Option<String>,
    /// The role it was bound as (privileges are checked when binding: SET ROLE binds again).
    pub user: String,
    /// The plan holds session or node state read at bind time (settings, pg_stat_activity):
    /// bound again at every execution.
    pub volatile: bool,
    /// The relation locks it takes before it runs (see [`crate::locks`]).
    pub locks: Vec<(TableId, crate::locks::LockMode)>,
    /// The node state its text (and the views it names, as of `catalog_version`) reads.
    pub reads: TextReads,
    /// What pg_prepared_statements shows of a named statement: the PREPARE statement that
    /// made it (None: the protocol's Parse did), when (a timestamp), how often it has run.
    pub prepare_text: Option<String>,
    pub prepare_time: i64,
    pub executions: Arc<std::sync::atomic::AtomicU64>,
}

/// Node state a statement reads as of each execution, found in its text and the texts of the
/// views it may name (see `with_views_text`): found once when it is prepared, again only when
/// DDL has changed the catalog since.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TextReads {
    /// pg_stats or reltuples: statistics refreshed first.
    pub statistics: bool,
    /// The pg_stat_* counters.
    pub activity_stats: bool,
    /// The size functions.
    pub sizes: bool,
    /// pg_sequences.
    pub sequence_states: bool,
    /// pg_prepared_statements.
    pub prepared_statements: bool,
    /// pg_cursors.
    pub cursors: bool,
    /// pg_hba_file_rules.
    pub hba_rules: bool,
    /// pg_file_settings.
    pub file_settings: bool,
}

impl TextReads {
    fn of(reached: &str) -> TextReads {
        TextReads {
            statistics: reads_statistics(reached),
            activity_stats: reads_activity_stats(reached),
            sizes: reads_sizes(reached),
            sequence_states: reads_sequence_states(reached),
            prepared_statements: reached.contains("pg_prepared_statements"),
            cursors: reached.contains("pg_cursors"),
            hba_rules: reached.contains("pg_hba_file_rules"),
            file_settings: reached.contains("pg_file_settings"),
        }
    }

    fn any(self) -> bool {
        self.statistics
            || self.activity_stats
            || self.sizes
            || self.sequence_states
            || self.prepared_statements
            || self.cursors
            || self.hba_rules
            || self.file_settings
    }
}

impl Prepared {
    /// Result columns (for Describe).
    pub fn columns(&self) -> Vec<OutputColumn> {
        match (&self.plan, &self.parsed) {
            (Some(plan), _) => plan.columns().to_vec(),
            (None, Some(Parsed::Show { name })) => vec![OutputColumn {
                name: show_column(name),
                ty: DataType::Text,
                source: None,
            }],
            _ => Vec::new(),
        }
    }
}

/// Rows per part of a whole-table read (see [`ScanPart`]).
const SCAN_PART_ROWS: usize = 8192;

/// What a statement produced.
#[derive(Debug, Default)]
pub struct QueryResult {
    pub columns: Vec<OutputColumn>,
    pub rows: Vec<Vec<Value>>,
    pub tag: String,
    /// Warnings and notices to send before the result.
    pub notices: Vec<SqlError>,
    /// Settings whose new values the client must be told (ParameterStatus).
    pub reports: Vec<(String, String)>,
    /// The statement is COPY FROM STDIN: the session switches to copy-in mode.
    pub copy: Option<CopyState>,
    /// COPY TO STDOUT: its CopyData messages, made as they are sent.
    pub copy_out: Option<CopyOut>,
    /// Rows after `rows`, read as they are sent: a large result held in temporary files
    /// (`crate::spill`) instead of memory.
    pub stream: Option<crate::spill::SortedRows>,
    /// FETCH from a BINARY cursor: in a simple query the rows go out in binary.
    pub binary: bool,
}

/// The output of `COPY ... TO STDOUT`: one CopyData message per row (text or CSV lines, or binary
/// tuples after the PGCOPY header), made from the query's rows as they are sent, so a table
/// larger than memory is copied out of the sorter's files row by row.
pub struct CopyOut {
    /// Columns per row.
    pub columns: usize,
    pub binary: bool,
    types: Vec<DataType>,
    options: CopyOptions,
    forced: Vec<bool>,
    rows: crate::spill::SortedRows,
    /// The message to send before the first row: the CSV header, or the binary signature
    /// (which leads the first tuple).
    header: Option<Vec<u8>>,
    /// The binary trailer is still to send.
    trailer: bool,
    /// The session's zone (timestamptz fields are written in it).
    zone: crate::tz::Zone,
}

impl std::fmt::Debug for CopyOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CopyOut")
            .field("columns", &self.columns)
            .field("binary", &self.binary)
            .field("rows", &self.rows)
            .finish()
    }
}

impl CopyOut {
    /// The next CopyData message; None after the last.
    pub fn next_message(&mut self) -> SqlResult<Option<Vec<u8>>> {
        if !self.binary {
            // The CSV header is a message of its own.
            if let Some(header) = self.header.take() {
                return Ok(Some(header));
            }
            return Ok(self.rows.next_row()?.map(|row| self.line(&row)));
        }
        let Some(row) = self.rows.next_row()? else {
            if !self.trailer {
                return Ok(None);
            }
            self.trailer = false;
            let mut trailer = self.header.take().unwrap_or_default();
            trailer.extend_from_slice(&(-1i16).to_be_bytes());
            return Ok(Some(trailer));
        };
        // Field count, then each field's length and binary form; the first tuple is led by the
        // PGCOPY header (PostgreSQL's framing, which drivers expect).
        let mut tuple = self.header.take().unwrap_or_default();
        tuple.extend_from_slice(&(row.len() as i16).to_be_bytes());
        for (value, ty) in row.iter().zip(&self.types) {
            if value.is_null() {
                tuple.extend_from_slice(&(-1i32).to_be_bytes());
                continue;
            }
            let at = tuple.len();
            tuple.extend_from_slice(&[0; 4]);
            crate::types::format_binary(value, *ty, &mut tuple)?;
            let len = (tuple.len() - at - 4) as i32;
            tuple[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        Ok(Some(tuple))
    }

    fn line(&self, row: &[Value]) -> Vec<u8> {
        let options = &self.options;
        let mut line = String::new();
        let mut text = String::new();
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                line.push(options.delimiter);
            }
            if value.is_null() {
                line.push_str(&options.null);
                continue;
            }
            text.clear();
            crate::types::format_text_in(value, self.types[i], &self.zone, &mut text);
            copy_out_field(&mut line, &text, self.forced[i], options);
        }
        line.push('\n');
        line.into_bytes()
    }
}

/// A row of a COPY: the columns' defaults, then each given field parsed by `parse` as its
/// column's type (NULL for None) and made a value of its domain, if it has one; a field that
/// does not parse or that its domain refuses has `context` added (PostgreSQL's domain_in).
fn copy_row<T>(
    state: &CopyState,
    fields: &[Option<T>],
    ctx: &EvalContext<'_>,
    parse: impl Fn(&T, DataType) -> SqlResult<Value>,
    context: impl Fn(&T, &str) -> String,
) -> SqlResult<Vec<Value>> {
    let mut row: Vec<Value> = state
        .defaults
        .iter()
        .map(|e| e.eval(&[], ctx))
        .collect::<SqlResult<_>>()?;
    for (field, &column) in fields.iter().zip(&state.columns) {
        let def = &state.table.columns[column];
        row[column] = match field {
            None => Value::Null,
            Some(field) => {
                let value = parse(field, def.ty)
                    .map_err(|error| error.with_context(context(field, &def.name)))?;
                if let Some(coerce) = def.domain.as_ref().and_then(|d| d.bound.as_ref()) {
                    coerce
                        .check(&value, ctx.now)
                        .map_err(|error| error.with_context(context(field, &def.name)))?;
                }
                value
            }
        };
    }
    Ok(row)
}

/// One record of text or CSV COPY input (`line` as read, for error messages; `lines`: how many
/// lines of input it takes, more than one for a CSV record with newlines in quotes): counts its
/// lines (an error names the last, as PostgreSQL's does), skips a header, checks its field count
/// and parses it into `batch`. False at the end marker (`\.`), after which the input is ignored.
fn copy_record<T: AsRef<str>>(
    state: &mut CopyState,
    line: &str,
    lines: u64,
    fields: &[Option<T>],
    ctx: &EvalContext<'_>,
    batch: &mut Vec<Vec<Value>>,
) -> SqlResult<bool> {
    let first = state.line == 0;
    state.line += lines;
    if line == "\\." {
        state.done = true;
        return Ok(false);
    }
    if state.options.header && first {
        return Ok(true);
    }
    let table_name = &state.table.name;
    let at_line = |error: SqlError| {
        error.with_context(format!(
            "COPY {table_name}, line {}: \"{line}\"",
            state.line
        ))
    };
    if fields.len() < state.columns.len() {
        let column = &state.table.columns[state.columns[fields.len()]].name;
        return Err(at_line(SqlError::new(
            code::BAD_COPY_FILE_FORMAT,
            format!("missing data for column \"{column}\""),
        )));
    }
    if fields.len() > state.columns.len() {
        return Err(at_line(SqlError::new(
            code::BAD_COPY_FILE_FORMAT,
            "extra data after last expected column",
        )));
    }
    let mut row = copy_row(
        state,
        fields,
        ctx,
        |field: &T, ty| crate::types::parse_text_in(field.as_ref(), ty, &state.zone),
        |field: &T, column| {
            format!(
                "COPY {table_name}, line {}, column {column}: \"{}\"",
                state.line,
                field.as_ref()
            )
        },
    )?;
    generate_columns(&state.table, &mut row).map_err(at_line)?;
    check_row(&state.table, &row).map_err(at_line)?;
    batch.push(row);
    Ok(true)
}

/// The columns a COPY of `table` names (`(name, offset)`; `positioned`: an unknown one's error
/// points at it): none named, every column but the generated ones, as PostgreSQL copies; a
/// generated column named is 42P10.
fn copy_columns(
    table: &TableDef,
    columns: &[(String, usize)],
    positioned: bool,
) -> SqlResult<Vec<usize>> {
    if columns.is_empty() {
        let plain = (table.columns.iter().enumerate()).filter(|(_, c)| c.generated.is_none());
        return Ok(plain.map(|(at, _)| at).collect());
    }
    let mut positions = Vec::with_capacity(columns.len());
    for (name, offset) in columns {
        let at = table
            .column_position(name)
            .map_err(|error| error.at(positioned.then_some(offset + 1)))?;
        if table.columns[at].generated.is_some() {
            return Err(
                SqlError::new("42P10", format!("column \"{name}\" is a generated column"))
                    .with_detail("Generated columns cannot be used in COPY."),
            );
        }
        positions.push(at);
    }
    Ok(positions)
}

/// PostgreSQL's 2BP01 message for a drop of several objects that others depend on.
const DEPENDED_ON: &str = "cannot drop desired object(s) because other objects depend on them";

/// The notice of a DROP ... IF EXISTS of a `kind` named `name` (a catalog key) that is not
/// there: PostgreSQL names the schema when that is what is missing.
fn skipping(catalog: &Catalog, kind: &str, name: &str) -> SqlError {
    let message = match name.split_once('.') {
        Some((schema, _)) if !catalog.schema_exists(schema) => {
            format!("schema \"{schema}\" does not exist, skipping")
        }
        _ => format!("{kind} \"{name}\" does not exist, skipping"),
    };
    SqlError::new(code::SUCCESSFUL_COMPLETION, message)
}

/// An identifier double-quoted for SQL text the session (or the binder) builds itself.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A relation's catalog key as SQL text naming it whatever the search path: `"schema"."name"`.
pub(crate) fn quote_relation(key: &str) -> String {
    let (schema, relation) = crate::catalog::split_name(key);
    format!("{}.{}", quote_ident(schema), quote_ident(relation))
}

/// The first 11 bytes of a binary COPY stream.
const COPY_BINARY_SIGNATURE: [u8; 11] = *b"PGCOPY\n\xff\r\n\0";

/// COPY input is parsed once this much is buffered.
const COPY_BATCH_BYTES: usize = 1 << 20;

/// Rows inserted in batches from which a multi-worker transaction commits with a Commit record
/// in every participant's log, written in parallel, instead of preparing the others and putting
/// their parts in the anchor's log: for a bulk load that rule encoded the parts one worker after
/// the other and wrote the other workers' records twice (a million-row COPY's commit took 0.9 s
/// of which 0.4 s was that). Below it the single durable write of the anchor's rule wins.
const BULK_COMMIT_ROWS: usize = 10_000;

/// A COPY FROM STDIN in progress.
#[derive(Debug)]
pub struct CopyState {
    pub table: Arc<TableDef>,
    pub columns: Vec<usize>,
    pub options: CopyOptions,
    defaults: Vec<Expr>,
    pending: Vec<u8>,
    pub rows: u64,
    line: u64,
    done: bool,
    /// Binary format: the stream's header has been read.
    header_read: bool,
    /// The session's zone (timestamptz fields without an offset are read in it).
    zone: crate::tz::Zone,
}

/// Session settings (GUCs).
#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<String, (String, String)>,
    defaults: BTreeMap<String, (String, String)>,
    /// What statements read of them, parsed when a value changes (not per statement).
    derived: Derived,
}

/// The settings every statement reads (its timeout, its memory budgets), in their units.
#[derive(Debug, Clone, Copy, Default)]
struct Derived {
    statement_timeout_ms: u64,
    lock_timeout_ms: u64,
    idle_in_transaction_ms: u64,
    work_mem: usize,
    statement_mem: usize,
    hash_mem: usize,
}

/// Settings reported to the client at startup and on change (PostgreSQL's GUC_REPORT set).
pub const REPORTED: &[&str] = &[
    "application_name",
    "client_encoding",
    "datestyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "intervalstyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "timezone",
];

const READ_ONLY: &[&str] = &[
    "server_version",
    "server_encoding",
    "integer_datetimes",
    "server_version_num",
    "max_identifier_length",
    "in_hot_standby",
    "is_superuser",
    "max_connections",
    "max_index_keys",
    "tcp_keepalives_idle",
    "tcp_keepalives_interval",
    "tcp_keepalives_count",
    "block_size",
];

impl Settings {
    pub fn new(user: &str) -> Settings {
        let mut values = BTreeMap::new();
        let mut put = |name: &str, value: &str| {
            values.insert(name.to_lowercase(), (name.to_string(), value.to_string()));
        };
        put("application_name", "");
        put("client_encoding", "UTF8");
        put("DateStyle", "ISO, MDY");
        put("default_transaction_read_only", "off");
        put("in_hot_standby", "off");
        put("integer_datetimes", "on");
        put("IntervalStyle", "postgres");
        put("is_superuser", "on");
        put("server_encoding", "UTF8");
        put("server_version", "15.0");
        put("server_version_num", "150000");
        put("session_authorization", user);
        put("standard_conforming_strings", "on");
        put("TimeZone", "UTC");
        put("extra_float_digits", "1");
        put("search_path", "\"$user\", public");
        put("statement_timeout", "0");
        put("lock_timeout", "0");
        put("idle_in_transaction_session_timeout", "0");
        put("transaction_isolation", "read committed");
        put("transaction_read_only", "off");
        put("default_transaction_isolation", "read committed");
        put("synchronous_commit", "on");
        put("track_wal_io_timing", "off");
        put("client_min_messages", "notice");
        put("bytea_output", "hex");
        put("max_identifier_length", "63");
        put("work_mem", "4MB");
        put("hash_mem_multiplier", "2");
        // Keel's own (Greenplum has one by this name): what a statement's materialized
        // results (scans, joins) may hold in memory together before they go to temporary files.
        put("statement_mem", "2GB");
        put("timezone_abbreviations", "Default");
        put("lc_messages", "C");
        put("lc_monetary", "C");
        put("lc_numeric", "C");
        put("lc_time", "C");
        put("geqo", "on");
        // Keel's scans always start at a table's first row (pg_dump turns it off).
        put("synchronize_seqscans", "on");
        // The node's limit replaces this at connection (see the server's wire.max_connections).
        put("max_connections", "100");
        put("max_index_keys", "32");
        // The node's wire.tcp_keepalives_* replace these at connection.
        put("tcp_keepalives_idle", "0");
        put("tcp_keepalives_interval", "0");
        put("tcp_keepalives_count", "0");
        put("block_size", "8192");
        put("jit", "off");
        put("row_security", "on");
        put("default_tablespace", "");
        put("default_table_access_method", "heap");
        put("check_function_bodies", "on");
        put("xmloption", "content");
        put("enable_seqscan", "on");
        put("enable_hashjoin", "on");
        put("enable_mergejoin", "on");
        put("enable_nestloop", "on");
        put("password_encryption", "scram-sha-256");
        let mut settings = Settings {
            defaults: values.clone(),
            values,
            derived: Derived::default(),
        };
        settings.derive();
        settings
    }

    /// Parses what statements read ([`Derived`]) from the current values.
    fn derive(&mut self) {
        let ms = |name: &str| self.get(name).and_then(parse_duration_ms).unwrap_or(0);
        let memory = |name: &str, default: usize| {
            self.get(name)
                .and_then(|value| parse_memory_kb(name, value, 64, i32::MAX as i64).ok())
                .map_or(default, |kb| kb as usize * 1024)
        };
        let work_mem = memory("work_mem", 4 << 20);
        let multiplier = self
            .get("hash_mem_multiplier")
            .and_then(|value| value.parse::<f64>().ok())
            .unwrap_or(2.0);
        self.derived = Derived {
            statement_timeout_ms: ms("statement_timeout"),
            lock_timeout_ms: ms("lock_timeout"),
            idle_in_transaction_ms: ms("idle_in_transaction_session_timeout"),
            work_mem,
            statement_mem: memory("statement_mem", 2 << 30),
            hash_mem: (work_mem as f64 * multiplier) as usize,
        };
    }

    /// `statement_timeout` in milliseconds (0: none).
    pub fn statement_timeout_ms(&self) -> u64 {
        self.derived.statement_timeout_ms
    }

    /// `lock_timeout` in milliseconds (0: none).
    pub fn lock_timeout_ms(&self) -> u64 {
        self.derived.lock_timeout_ms
    }

    /// `idle_in_transaction_session_timeout` in milliseconds (0: none).
    pub fn idle_in_transaction_timeout_ms(&self) -> u64 {
        self.derived.idle_in_transaction_ms
    }

    /// The canonical spelling of a setting's name (`DateStyle`), as SHOW labels its column.
    pub fn display_name(&self, name: &str) -> String {
        self.values
            .get(&name.to_lowercase())
            .map_or_else(|| name.to_lowercase(), |(display, _)| display.clone())
    }

    /// Every setting: (name as SHOW labels it, value).
    pub fn all(&self) -> Vec<(String, String)> {
        self.values
            .values()
            .map(|(display, value)| (display.clone(), value.clone()))
            .collect()
    }

    /// `work_mem` in bytes: what one sort or other spilling operator may hold in memory.
    pub fn work_mem_bytes(&self) -> usize {
        self.derived.work_mem
    }

    /// Joins on equalities run as merge joins: `enable_hashjoin` is off and `enable_mergejoin`
    /// on (with both off PostgreSQL still hash-joins where nothing else can run; so does Keel).
    pub fn merge_joins(&self) -> bool {
        self.get("enable_hashjoin") == Some("off") && self.get("enable_mergejoin") != Some("off")
    }

    /// The role that connected (what RESET SESSION AUTHORIZATION returns to).
    pub fn connected_user(&self) -> &str {
        self.defaults
            .get("session_authorization")
            .map_or("", |(_, user)| user.as_str())
    }

    /// Records the session user SET SESSION AUTHORIZATION chose (and whether it is a
    /// superuser); returns the reports of both.
    fn set_session_authorization(&mut self, user: &str, superuser: bool) -> Vec<(String, String)> {
        [
            ("session_authorization", user),
            ("is_superuser", if superuser { "on" } else { "off" }),
        ]
        .into_iter()
        .map(|(key, value)| {
            let display = self.display_name(key);
            self.values
                .insert(key.into(), (display.clone(), value.to_string()));
            (display, value.to_string())
        })
        .collect()
    }

    /// `statement_mem` in bytes: what one statement's materialized results (the scans a query
    /// tree reads, the joins it makes) may hold in memory together (`crate::spill::RowSet`).
    pub fn statement_mem_bytes(&self) -> usize {
        self.derived.statement_mem
    }

    /// What one hash table (a hash aggregation) may hold: `work_mem * hash_mem_multiplier`.
    pub fn hash_mem_bytes(&self) -> usize {
        self.derived.hash_mem
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        // The server's own lookups name settings in lower case: no string made for them.
        let key = match name.bytes().any(|b| b.is_ascii_uppercase()) || !name.is_ascii() {
            true => Cow::Owned(name.to_lowercase()),
            false => Cow::Borrowed(name),
        };
        self.values.get(&*key).map(|(_, value)| value.as_str())
    }

    /// Every reported setting with its display name (for the startup ParameterStatus burst).
    pub fn reported(&self) -> Vec<(String, String)> {
        REPORTED
            .iter()
            .filter_map(|name| {
                self.values
                    .get(*name)
                    .map(|(display, value)| (display.clone(), value.clone()))
            })
            .collect()
    }

    /// Sets a value (or resets it with `None`); returns the (name, value) to report, if reported.
    pub fn set(
        &mut self,
        name: &str,
        value: Option<&str>,
        startup: bool,
    ) -> SqlResult<Option<(String, String)>> {
        let key = name.to_lowercase();
        let known = self.defaults.get(&key).cloned();
        if known.is_none() && !key.contains('.') {
            return Err(SqlError::new(
                code::UNDEFINED_OBJECT,
                format!("unrecognized configuration parameter \"{name}\""),
            ));
        }
        if READ_ONLY.contains(&key.as_str()) && !startup {
            return Err(SqlError::new(
                code::CANT_CHANGE_RUNTIME_PARAM,
                format!("parameter \"{key}\" cannot be changed"),
            ));
        }
        let display = known
            .as_ref()
            .map_or(key.clone(), |(display, _)| display.clone());
        let value = match value {
            None => known.map(|(_, value)| value).unwrap_or_default(),
            Some(value) => validate_setting(&key, value)?,
        };
        self.values
            .insert(key.clone(), (display.clone(), value.clone()));
        if startup {
            // Values from the startup packet are what RESET returns to.
            self.defaults
                .insert(key.clone(), (display.clone(), value.clone()));
        }
        self.derive();
        Ok(REPORTED.contains(&key.as_str()).then_some((display, value)))
    }

    fn reset_all(&mut self) -> Vec<(String, String)> {
        let mut reports = Vec::new();
        for (key, default) in &self.defaults {
            if READ_ONLY.contains(&key.as_str()) || key == "session_authorization" {
                continue;
            }
            if self.values.get(key) != Some(default) && REPORTED.contains(&key.as_str()) {
                reports.push(default.clone());
            }
            self.values.insert(key.clone(), default.clone());
        }
        self.values.retain(|key, _| !key.contains('.'));
        self.derive();
        reports
    }
}

/// Checks values Keel acts on; others are stored as given.
fn validate_setting(key: &str, value: &str) -> SqlResult<String> {
    let invalid = || {
        SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"{key}\": \"{value}\""),
        )
    };
    Ok(match key {
        // Keel's tables are its own; "heap" (what pg_dump sets) names the one kind.
        "default_table_access_method" if value != "heap" => {
            return Err(invalid().with_detail(format!(
                "Table access method \"{value}\" does not exist."
            )))
        }
        // Encoding names compare without case or punctuation (asyncpg sends 'utf-8' quoted).
        "client_encoding" => match crate::functions::encoding_key(value).as_str() {
            "UTF8" | "UNICODE" => "UTF8".into(),
            "SQLASCII" => "SQL_ASCII".into(),
            _ => {
                return Err(SqlError::unsupported(format!(
                    "client encoding \"{value}\""
                )))
            }
        },
        "datestyle" => {
            let upper = value.to_uppercase();
            if !(upper.contains("ISO") || upper == "MDY" || upper == "DMY" || upper == "YMD") {
                return Err(SqlError::unsupported(format!("DateStyle \"{value}\"")));
            }
            "ISO, MDY".into()
        }
        "timezone" => {
            // A number is hours east (`SET TIME ZONE -5`), which PostgreSQL names as the
            // POSIX zone `<-05>+05`.
            let named = match value.trim().parse::<f64>() {
                Ok(hours) if hours.is_finite() && hours.abs() < 168.0 => {
                    let east = (hours * 3600.0).round() as i32;
                    let (mut inside, mut outside) = (String::new(), String::new());
                    crate::tz::format_offset(east, true, &mut inside);
                    crate::tz::format_offset(-east, true, &mut outside);
                    format!("<{inside}>{outside}")
                }
                _ => value.to_string(),
            };
            match crate::tz::Zone::setting(&named) {
                Some((_, canonical)) => canonical,
                None => {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("invalid value for parameter \"TimeZone\": \"{value}\""),
                    ))
                }
            }
        }
        "extra_float_digits" => {
            let digits: i32 = value.parse().map_err(|_| invalid())?;
            if !(-15..=3).contains(&digits) {
                return Err(invalid());
            }
            value.to_string()
        }
        "standard_conforming_strings" => match value.to_lowercase().as_str() {
            "on" | "true" | "1" => "on".into(),
            _ => return Err(SqlError::unsupported("standard_conforming_strings = off")),
        },
        "transaction_isolation" | "default_transaction_isolation" => {
            let level = value.to_lowercase();
            match level.as_str() {
                "read uncommitted" | "read committed" | "repeatable read" | "serializable" => level,
                _ => {
                    return Err(invalid().with_hint(
                        "Available values: serializable, repeatable read, read committed, read uncommitted.",
                    ))
                }
            }
        }
        // PostgreSQL's boolean settings take what boolean input takes and show on or off.
        _ if crate::system::is_bool_setting(key) => match crate::types::parse_bool(value) {
            Some(true) => "on".into(),
            Some(false) => "off".into(),
            None => {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("parameter \"{key}\" requires a Boolean value"),
                ))
            }
        },
        "work_mem" | "statement_mem" => {
            format_memory_kb(parse_memory_kb(key, value, 64, i32::MAX as i64)?)
        }
        "hash_mem_multiplier" => {
            let number: f64 = value.trim().parse().map_err(|_| invalid())?;
            if !(1.0..=1000.0).contains(&number) {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("{number} is outside the valid range for parameter \"{key}\" (1 .. 1000)"),
                ));
            }
            number.to_string()
        }
        "statement_timeout" | "lock_timeout" | "idle_in_transaction_session_timeout" => {
            parse_duration_ms(value).ok_or_else(invalid)?;
            value.to_string()
        }
        "password_encryption" => match value.to_lowercase().as_str() {
            level @ ("md5" | "scram-sha-256") => level.to_string(),
            _ => return Err(invalid().with_hint("Available values: md5, scram-sha-256.")),
        },
        "client_min_messages" => match value.to_lowercase().as_str() {
            "debug" => "debug2".into(),
            level @ ("debug5" | "debug4" | "debug3" | "debug2" | "debug1" | "log" | "notice"
            | "warning" | "error") => level.to_string(),
            _ => {
                return Err(invalid().with_hint(
                    "Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.",
                ))
            }
        },
        _ => value.to_string(),
    })
}

fn show_column(name: &str) -> String {
    Settings::new("").display_name(name)
}

/// One client session.
pub struct Session {
    pub info: SessionInfo,
    pub settings: Settings,
    /// The `TimeZone` setting's zone (kept in step by `refresh_search_path`).
    zone: crate::tz::Zone,
    txn: Option<Txn>,
    failed: bool,
    /// A multi-statement simple query, or the protocol's messages up to a Sync, is running as
    /// one implicit transaction.
    implicit_block: bool,
    /// A multi-statement simple query: PostgreSQL's implicit transaction block.
    statement_list: bool,
    /// DDL of the open transaction.
    ddl: Option<PendingDdl>,
    /// When the running statement times out (`statement_timeout`).
    deadline: Option<std::time::Instant>,
    /// currval/lastval and the sequence changes the running statement must log.
    sequences: Option<Rc<SessionSequences>>,
    /// RETURNING rows of the running statement's data-modifying WITH queries, by work table id
    /// ([`Plan::With`]).
    work_tables: HashMap<usize, Vec<Vec<Value>>>,
    /// Warnings of a statement that then failed: sent ahead of its error.
    notices: Vec<SqlError>,
    /// What SET LOCAL replaced in the open transaction block (see `restore_local_settings`).
    local_saved: Vec<LocalSaved>,
    /// Named prepared statements: the protocol's (Parse) and SQL's (PREPARE) share them.
    pub statements: HashMap<String, Arc<Prepared>>,
    /// The simple query string the running PREPARE or DECLARE came in (empty otherwise: the
    /// statement's own text stands for it), which pg_prepared_statements and pg_cursors show
    /// as PostgreSQL does.
    pub source: String,
    /// Open SQL cursors (DECLARE), by name: the protocol's portals share their names.
    cursors: std::collections::BTreeMap<String, crate::cursor::Cursor>,
    /// DISCARD TEMP (or ALL) ran: the temporary schema goes after the statement.
    discard_temp: bool,
    /// Temporary tables made with `ON COMMIT DELETE ROWS` or `DROP`, by id, with the
    /// transaction that made them until it commits (an entry of a transaction that did not
    /// commit, or whose table is gone, is dropped at the next commit: ids of rolled-back
    /// tables are given out again).
    on_commit: Vec<(TableId, crate::plan::OnCommit, Option<TxnId>)>,
    /// The node's sessions (pg_stat_activity, pg_cancel_backend), when the server provides them.
    pub backends: Option<Rc<dyn crate::system::Backends>>,
    /// The open transaction's id (0: none), for other sessions' `pg_locks`: set when a statement
    /// starts one, and again when each statement ends.
    pub txn_id: crate::system::TxnCell,
    /// This session's fast-path lock slot (made at its first transaction).
    lock_slot: Option<Arc<crate::locks::FastPath>>,
    /// What EXPLAIN ANALYZE of a write gathers while the write runs (None otherwise).
    instrument: Option<Instrument>,
}

/// What a write run under EXPLAIN ANALYZE reports of itself: the trees it ran to find its rows
/// (`query_rows` runs them with per-node statistics), and an INSERT's counts.
#[derive(Default)]
struct Instrument {
    /// (address of the tree a plan holds, the tree as it ran, its statistics by the addresses
    /// of the tree that ran: boxed so that they stay where they were).
    trees: Vec<(usize, Box<Rel>, crate::explain::Stats)>,
    /// The rows an INSERT proposed.
    proposed: u64,
    /// Under ON CONFLICT: how many of them were inserted (the rest conflicted).
    inserted: Option<u64>,
    /// Rows an UPDATE's or DELETE's scan on the workers visited, before its filter.
    visited: u64,
    /// MERGE's rows inserted, updated, deleted and skipped (joined rows no action changed).
    merged: Option<[u64; 4]>,
}

/// A value a SET in a transaction block replaced: a setting's (None: it had none) or the
/// current role; true when the SET was LOCAL.
enum LocalSaved {
    Setting(String, Option<String>, bool),
    Role(String, bool),
    /// Before SET SESSION AUTHORIZATION: the session user and the current role.
    Authorization(String, String, bool),
}

/// Catalog changes of an open transaction (it holds the catalog lock until it ends).
struct PendingDdl {
    catalog: Arc<Catalog>,
    dropped: Vec<keel_storage::TableId>,
    /// Counters of the sequences this transaction altered, as they were before each ALTER
    /// SEQUENCE, in order: an abort puts them back (latest first, so each ends as it was before
    /// the transaction), as PostgreSQL's rollback does; ROLLBACK TO those made since its
    /// savepoint.
    sequences: Vec<(Arc<crate::catalog::SequenceDef>, i64, bool)>,
}

impl Session {
    pub fn new(info: SessionInfo) -> Session {
        let settings = Settings::new(&info.user);
        let mut session = Session {
            info,
            settings,
            zone: crate::tz::Zone::UTC,
            txn: None,
            failed: false,
            implicit_block: false,
            statement_list: false,
            ddl: None,
            deadline: None,
            sequences: None,
            work_tables: HashMap::new(),
            discard_temp: false,
            on_commit: Vec::new(),
            lock_slot: None,
            notices: Vec::new(),
            local_saved: Vec::new(),
            statements: HashMap::new(),
            cursors: Default::default(),
            source: String::new(),
            backends: None,
            txn_id: Default::default(),
            instrument: None,
        };
        session.refresh_search_path();
        session
    }

    /// The session's `TimeZone`: timestamptz values are printed and read in it.
    pub fn zone(&self) -> &crate::tz::Zone {
        &self.zone
    }

    /// Publishes the open transaction's id (see `txn_id`).
    fn publish_txn_id(&self) {
        self.txn_id.set(self.txn.as_ref().map_or(0, |txn| txn.id));
    }

    /// Applies a setting (SET, SET LOCAL, set_config): `role` is SET ROLE. A local one keeps
    /// the value it replaces, to be put back when the transaction block ends.
    fn apply_setting<C: Cluster>(
        &mut self,
        cluster: &C,
        name: &str,
        value: Option<&str>,
        local: bool,
    ) -> SqlResult<Vec<(String, String)>> {
        let in_block = self.txn.as_ref().is_some_and(|txn| txn.explicit);
        if local && !in_block {
            // Outside a block a local change would end with the statement: nothing lasts.
            return Ok(Vec::new());
        }
        if name.eq_ignore_ascii_case("session_authorization") {
            let before = (self.info.session_user.clone(), self.info.user.clone());
            let reports = self.set_session_authorization(cluster, value)?;
            if in_block {
                self.local_saved
                    .push(LocalSaved::Authorization(before.0, before.1, local));
            }
            return Ok(reports);
        }
        if name.eq_ignore_ascii_case("role") {
            let before = self.info.user.clone();
            self.set_role(cluster, value)?;
            if in_block {
                self.local_saved.push(LocalSaved::Role(before, local));
            }
            return Ok(Vec::new());
        }
        let before = self.settings.get(name).map(str::to_string);
        let report = self.settings.set(name, value, false)?;
        self.refresh_search_path();
        if in_block {
            self.local_saved
                .push(LocalSaved::Setting(name.to_lowercase(), before, local));
        }
        Ok(report.into_iter().collect())
    }

    /// Ends the block's settings: SET LOCAL and set_config(..., true) always, plain SETs too
    /// when it rolled back. Replaced values come back latest first (a setting that had none is
    /// left empty, as PostgreSQL's placeholder is); at commit a local change under a later plain
    /// SET of the same setting leaves that SET's value.
    /// ROLLBACK TO SAVEPOINT passes the count of saved settings before the savepoint (`keep`):
    /// only those changed since are put back.
    fn restore_local_settings<C: Cluster>(
        &mut self,
        cluster: &C,
        committed: bool,
        keep: usize,
    ) -> Vec<(String, String)> {
        let mut reports = Vec::new();
        let mut kept: Vec<String> = Vec::new();
        while self.local_saved.len() > keep {
            let Some(saved) = self.local_saved.pop() else {
                break;
            };
            match saved {
                LocalSaved::Role(_, false)
                | LocalSaved::Setting(_, _, false)
                | LocalSaved::Authorization(_, _, false)
                    if committed =>
                {
                    let key = match &saved {
                        LocalSaved::Role(..) => "role".to_string(),
                        LocalSaved::Authorization(..) => "session_authorization".to_string(),
                        LocalSaved::Setting(name, ..) => name.clone(),
                    };
                    kept.push(key);
                }
                LocalSaved::Authorization(session_user, user, _) => {
                    if !(committed && kept.iter().any(|k| k == "session_authorization")) {
                        let superuser = self.catalog(cluster).is_superuser(&session_user);
                        reports.extend(
                            self.settings
                                .set_session_authorization(&session_user, superuser),
                        );
                        self.info.session_user = session_user;
                        self.info.user = user;
                    }
                }
                LocalSaved::Role(user, _) => {
                    if !(committed && kept.iter().any(|k| k == "role")) {
                        let _ = self.set_role(cluster, Some(&user));
                    }
                }
                LocalSaved::Setting(name, before, _) => {
                    if committed && kept.contains(&name) {
                        continue;
                    }
                    let value = before.unwrap_or_default();
                    if let Ok(Some(report)) = self.settings.set(&name, Some(&value), false) {
                        reports.push(report);
                    }
                }
            }
        }
        self.refresh_search_path();
        reports
    }

    /// SET SESSION AUTHORIZATION: the session user and the current role become `role` (None,
    /// DEFAULT or RESET: the role that connected). Only a superuser who connected may choose
    /// another role. Returns the `session_authorization` report.
    fn set_session_authorization<C: Cluster>(
        &mut self,
        cluster: &C,
        role: Option<&str>,
    ) -> SqlResult<Vec<(String, String)>> {
        let connected = self.settings.connected_user().to_string();
        let role = role.unwrap_or(&connected).to_string();
        if role != connected {
            let catalog = self.catalog(cluster);
            if catalog.role(&role).is_none() {
                return Err(SqlError::new(
                    code::UNDEFINED_OBJECT,
                    format!("role \"{role}\" does not exist"),
                ));
            }
            if !catalog.is_superuser(&connected) {
                return Err(SqlError::new(
                    code::INSUFFICIENT_PRIVILEGE,
                    "permission denied to set session authorization",
                ));
            }
        }
        self.info.session_user = role.clone();
        self.info.user = role.clone();
        let superuser = self.catalog(cluster).is_superuser(&role);
        Ok(self.settings.set_session_authorization(&role, superuser))
    }

    /// SET ROLE: the current role becomes `role` (None or `none`: the session user again). The
    /// session user must be a superuser or a member of it; privileges are then the role's.
    fn set_role<C: Cluster>(&mut self, cluster: &C, role: Option<&str>) -> SqlResult<()> {
        let session_user = self.info.session_user().to_string();
        let role = match role {
            None | Some("none") => session_user.clone(),
            Some(role) => {
                let catalog = self.catalog(cluster);
                if catalog.role(role).is_none() {
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("role \"{role}\" does not exist"),
                    ));
                }
                if !catalog.is_superuser(&session_user)
                    && !catalog.is_member_of(&session_user, role)
                {
                    return Err(SqlError::new(
                        code::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied to set role \"{role}\""),
                    ));
                }
                role.to_string()
            }
        };
        self.info.session_user = session_user;
        self.info.user = role;
        Ok(())
    }

    /// Keeps [`SessionInfo::search_path`] (what the binder resolves names with) in step with
    /// the `search_path` setting, and [`SessionInfo::timezone`] and the session's zone with
    /// `TimeZone`.
    pub fn refresh_search_path(&mut self) {
        let value = self.settings.get("search_path").unwrap_or("");
        self.info.search_path = crate::bind::parse_search_path(value);
        let name = self.settings.get("timezone").unwrap_or("UTC");
        if self.info.timezone.as_deref() != Some(name) {
            // Checked when set; a zone file gone since reads as UTC.
            self.zone = crate::tz::Zone::setting(name).map_or(crate::tz::Zone::UTC, |(z, _)| z);
            self.info.timezone = (!self.zone.is_utc()).then(|| name.to_string());
        }
    }

    /// Warnings a failed statement gave before its error (see [`QueryResult::notices`] for those
    /// of statements that succeed).
    pub fn take_notices(&mut self) -> Vec<SqlError> {
        std::mem::take(&mut self.notices)
    }

    /// The session's sequence state (made on first use).
    fn sequences<C: Cluster>(&mut self, cluster: &C) -> Rc<SessionSequences> {
        self.sequences
            .get_or_insert_with(|| {
                let backends = self
                    .backends
                    .clone()
                    .map(|backends| (backends, self.info.user.clone()));
                Rc::new(
                    SessionSequences::new(cluster.sequences(), backends)
                        .with_advisory(cluster.locks().clone(), self.info.pid)
                        .with_transaction(self.txn_id.clone()),
                )
            })
            .clone()
    }

    /// Waits for the advisory locks a statement without FROM asks for in its outputs
    /// (`SELECT pg_advisory_lock(1)`, as migration tools call it) and takes them, before the
    /// statement runs: expressions are evaluated without waiting, so the calls then find the
    /// locks taken (`SessionSequences::prepay`). A wait ends at the lock, a deadlock (40P01),
    /// `lock_timeout` (55P03), a cancel or the statement timeout (57014).
    async fn take_advisory_locks<C: Cluster>(
        &mut self,
        cluster: &C,
        outputs: &[Expr],
        ctx: &EvalContext<'_>,
        sequences: &SessionSequences,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        let mut calls = Vec::new();
        for output in outputs {
            output.visit(&mut |e| {
                if let Expr::Func(Func::Advisory(advisory), args) = e {
                    if advisory.action == crate::expr::AdvisoryAction::Lock {
                        calls.push((*advisory, args.clone()));
                    }
                }
            });
        }
        for (advisory, args) in calls {
            let values = args
                .iter()
                .map(|arg| arg.eval(&[], ctx))
                .collect::<SqlResult<Vec<_>>>()?;
            let Some(key) = crate::locks::LockKey::from_args(&values) else {
                continue;
            };
            let mode = crate::locks::LockMode::advisory(advisory.shared);
            self.acquire_lock(
                cluster,
                crate::locks::LockTag::Advisory(key),
                mode,
                advisory.xact,
                false,
                cancel,
            )
            .await?;
            sequences.prepay(advisory, key);
        }
        Ok(())
    }

    /// Waits for and takes a heavyweight lock (see [`crate::locks`]) for this session's
    /// transaction (`xact`) or for the session: a weak relation lock in the session's fast-path
    /// slot when no one wants a strong one there, else through the node's table, waiting until
    /// it is free, a deadlock (40P01), `lock_timeout` (55P03), a cancel or the statement timeout
    /// (57014). With `nowait`, a lock held elsewhere is 55P03 at once.
    async fn acquire_lock<C: Cluster>(
        &mut self,
        cluster: &C,
        tag: crate::locks::LockTag,
        mode: crate::locks::LockMode,
        xact: bool,
        nowait: bool,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        use crate::locks::{Attempt, LockTag};
        let locks = cluster.locks().clone();
        let pid = self.info.pid;
        if xact {
            self.open_txn(cluster);
        }
        if let (LockTag::Relation(table), true) = (tag, xact && mode.weak()) {
            let slot = self.lock_slot(cluster);
            if locks.fast_lock(&slot, table, mode) {
                return Ok(());
            }
        }
        let describe = |catalog: &Catalog| match tag {
            LockTag::Relation(table) => {
                let name = catalog
                    .table_by_id(table)
                    .map(|t| t.name.clone())
                    .or_else(|| {
                        catalog
                            .views
                            .values()
                            .find(|v| v.id == table)
                            .map(|v| v.name.clone())
                    })
                    .unwrap_or_default();
                (
                    format!(
                        "relation {} of database {}",
                        crate::system::locked_relation_oid(catalog, table),
                        crate::system::DATABASE
                    ),
                    crate::catalog::relname(&name).to_string(),
                )
            }
            LockTag::Advisory(key) => (format!("advisory lock [{}]", key.key), String::new()),
            LockTag::Catalog => ("the catalog".to_string(), String::new()),
        };
        if nowait {
            if locks.try_take(pid, tag, mode, xact) {
                return Ok(());
            }
            let (_, name) = describe(&self.catalog(cluster));
            return Err(SqlError::new(
                code::LOCK_NOT_AVAILABLE,
                format!("could not obtain lock on relation \"{name}\""),
            ));
        }
        let lock_timeout = self.lock_timeout_ms();
        let deadline = (lock_timeout > 0)
            .then(|| tokio::time::Instant::now() + Duration::from_millis(lock_timeout));
        loop {
            let released = locks.released();
            tokio::pin!(released);
            released.as_mut().enable();
            let canceled = cancel.notify.notified();
            tokio::pin!(canceled);
            canceled.as_mut().enable();
            match locks.attempt(pid, tag, mode, xact) {
                Attempt::Taken => return Ok(()),
                Attempt::Deadlock => {
                    count_activity(cluster, |slot| slot.database.deadlocks += 1);
                    let (what, _) = describe(&self.catalog(cluster));
                    return Err(SqlError::new(code::DEADLOCK_DETECTED, "deadlock detected")
                        .with_detail(format!(
                            "Process {pid} waits for {} on {what}; the lock's holders wait for this process.",
                            mode.name()
                        ))
                        .with_hint("See server log for query details."));
                }
                Attempt::Wait => {}
            }
            if let Err(error) = cancel.check() {
                locks.stop_waiting(pid);
                return Err(error);
            }
            let timeout = async {
                match deadline {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = released => {}
                _ = canceled => {}
                _ = timeout => {
                    locks.stop_waiting(pid);
                    return Err(SqlError::new(
                        code::LOCK_NOT_AVAILABLE,
                        "canceling statement due to lock timeout",
                    ));
                }
            }
        }
    }

    /// Takes a statement's relation locks, in their order (by relation, then mode).
    async fn take_relation_locks<C: Cluster>(
        &mut self,
        cluster: &C,
        relations: &[(TableId, crate::locks::LockMode)],
        cancel: &Cancel,
    ) -> SqlResult<()> {
        for &(table, mode) in relations {
            let tag = crate::locks::LockTag::Relation(table);
            self.acquire_lock(cluster, tag, mode, true, false, cancel)
                .await?;
        }
        Ok(())
    }

    /// Makes the sequence changes of the statement that just ran durable before anyone sees
    /// their values (see `crate::sequence`): each on its owner, which logs it unless it is already.
    async fn log_sequences<C: Cluster>(&mut self, cluster: &C) -> SqlResult<()> {
        let Some(sequences) = &self.sequences else {
            return Ok(());
        };
        let unlogged = sequences.take_unlogged();
        if unlogged.is_empty() {
            return Ok(());
        }
        // A sequence the open transaction created is logged inside it (nobody else sees it yet,
        // and a rollback must leave no row behind: its id may be given out again).
        let published = cluster.catalog();
        let lock_timeout = self.lock_timeout_ms();
        let mut requests = Vec::new();
        for (seq, version) in unlogged {
            let owner = owner_of(
                vshard_of(&crate::sequence::row_key(seq.id), WHOLE_KEY),
                cluster.workers(),
            );
            let in_txn = !published.sequences.values().any(|s| s.id == seq.id);
            let txn = match &self.txn {
                Some(txn) if in_txn => txn.tx(lock_timeout, None),
                _ => Tx::ending(cluster.next_txn()),
            };
            if in_txn {
                self.note_writers([owner]);
            }
            let op = ShardOp::LogSequence {
                seq,
                version,
                in_txn,
            };
            requests.push((owner, ShardRequest { txn, now: 0, op }));
        }
        for logged in cluster.call_all(requests).await {
            logged?;
        }
        Ok(())
    }

    /// What ReadyForQuery reports.
    pub fn block_state(&self) -> BlockState {
        match (&self.txn, self.failed) {
            (_, true) => BlockState::Failed,
            (Some(txn), _) if txn.explicit => BlockState::InBlock,
            _ => BlockState::Idle,
        }
    }

    /// Takes the node's statistics as they are now, for the statements bound next (join order,
    /// `pg_stats`).
    pub fn refresh_statistics<C: Cluster>(&mut self, cluster: &C) {
        self.info.statistics = cluster.statistics().snapshot();
    }

    /// Parses and binds one statement of a query string.
    pub fn prepare(
        &self,
        catalog: &Catalog,
        text: &str,
        offset: usize,
        param_types: Vec<Option<DataType>>,
    ) -> SqlResult<Prepared> {
        // `TABLE name` is bound as the SELECT it stands for; errors point into the text as
        // written, which the prepared statement keeps (it is bound again from it).
        let commands = match crate::parse::expand_table_commands(text) {
            None => return self.prepare_text(catalog, text, offset, param_types),
            Some(Err(mut error)) => {
                error.position = error.position.map(|p| p + offset);
                return Err(error);
            }
            Some(Ok(commands)) => commands,
        };
        let mut prepared = self
            .prepare_text(catalog, &commands.expanded, offset, param_types)
            .map_err(|mut error| {
                error.position = (error.position)
                    .map(|p| commands.original_position(p.saturating_sub(offset)) + offset);
                error
            })?;
        prepared.text = text.to_string();
        Ok(prepared)
    }

    /// [`Session::prepare`] of a statement sqlparser reads as it is.
    fn prepare_text(
        &self,
        catalog: &Catalog,
        text: &str,
        offset: usize,
        param_types: Vec<Option<DataType>>,
    ) -> SqlResult<Prepared> {
        let at = |mut error: SqlError| -> SqlError {
            error.position = error
                .position
                .map(|p| if p > offset { p } else { p + offset });
            error
        };
        let parsed = parse_statement(text).map_err(at)?;
        // In a failed transaction block only its end is taken, checked before the statement is
        // bound (as PostgreSQL checks before parse analysis): a statement naming a table that
        // is not there gets 25P02 too, not 42P01.
        if self.failed
            && !matches!(
                parsed,
                Parsed::Commit | Parsed::Rollback | Parsed::RollbackTo { .. }
            )
        {
            return Err(failed_transaction());
        }
        // What the statement may read is found in its text, and in the texts of the views it
        // may name (a view over pg_locks reads the node's locks too).
        let reached = with_views_text(catalog, text);
        let reads = |word: &str| reached.contains(word);
        // pg_stat_wal shows its times by the session's track_wal_io_timing.
        let reads_settings =
            reads("current_setting") || reads("pg_settings") || reads("pg_stat_wal");
        let reads_activity = reads("pg_stat_activity")
            || reads("pg_stat_ssl")
            || reads("pg_stat_gssapi")
            || reads("pg_stat_database")
            || reads("pg_locks")
            || reads("pg_blocking_pids");
        let text_reads = TextReads::of(&reached);
        let mut prepared = Prepared {
            text: text.to_string(),
            offset,
            parsed: None,
            plan: None,
            param_types: Vec::new(),
            catalog_version: catalog.version,
            search_path: self.info.search_path.clone(),
            timezone: self.info.timezone.clone(),
            user: self.info.user.clone(),
            volatile: reads_settings || reads_activity || text_reads.any(),
            locks: Vec::new(),
            reads: text_reads,
            prepare_text: None,
            prepare_time: 0,
            executions: Default::default(),
        };
        match parsed {
            Parsed::Sql(statement) => {
                // Settings and sessions are handed to the binder only for the statements that
                // read them (and such statements are bound again at each execution).
                let with_state;
                let info = if prepared.volatile {
                    let mut info = self.info.clone();
                    if reads_settings {
                        info.settings = self.settings.all();
                    }
                    if let (true, Some(backends)) = (reads_activity, &self.backends) {
                        info.activity = backends.activity();
                        info.locks = backends.locks();
                    }
                    with_state = info;
                    &with_state
                } else {
                    &self.info
                };
                let mut binder = Binder::new(catalog, info, text, offset, param_types);
                let plan = binder.bind(&statement)?;
                prepared.locks = binder.take_locks();
                // SELECT ... FOR UPDATE / SHARE: ROW SHARE on the tables it locks rows of.
                for (table, _) in plan.row_locks() {
                    prepared
                        .locks
                        .push((table.id, crate::locks::LockMode::RowShare));
                }
                prepared.plan = Some(plan);
                prepared.param_types = binder.param_types();
            }
            declare @ Parsed::Declare { .. } => {
                let Parsed::Declare {
                    scroll,
                    hold,
                    query,
                    offset: at,
                    ..
                } = &declare
                else {
                    unreachable!("matched above");
                };
                // The query is bound here for its parameters' types (and its errors); it is
                // bound again when the cursor is declared (`Session::declare`).
                let inner = self.prepare(catalog, query, offset + at, param_types)?;
                crate::cursor::check_query(inner.plan.as_ref(), *scroll, *hold)?;
                prepared.param_types = inner.param_types;
                prepared.parsed = Some(declare);
            }
            Parsed::AlterSequence(alter) => {
                let mut binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_alter_sequence(&alter)?);
            }
            Parsed::RenameView {
                name,
                if_exists,
                to,
            } => {
                let binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_rename_view(&name.0, if_exists, &to)?);
            }
            Parsed::ViewOwner {
                name,
                if_exists,
                role,
            } => {
                let binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_view_owner(&name.0, if_exists, &role)?);
            }
            Parsed::Cluster {
                table: Some(table),
                index,
            } => {
                let mut binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_cluster(&table, index.as_deref())?);
                prepared.locks = binder.take_locks();
            }
            Parsed::SetSchema {
                tag,
                name,
                if_exists,
                schema,
            } => {
                let binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_set_schema(tag, &name.0, if_exists, &schema)?);
            }
            Parsed::Domain(statement) => {
                let mut binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_domain(&statement)?);
            }
            Parsed::Refresh {
                name,
                concurrently,
                data,
            } => {
                let mut binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_refresh(&name, concurrently, data)?);
                prepared.locks = binder.take_locks();
            }
            Parsed::AlterIdentity {
                table,
                if_exists,
                actions,
            } => {
                let mut binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_alter_identity(&table, if_exists, &actions)?);
            }
            Parsed::AlterStorage {
                table,
                if_exists,
                change,
            } => {
                let mut binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_alter_storage(&table, if_exists, &change)?);
            }
            Parsed::AlterTypeOwner { name, role } => {
                let binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_alter_type_owner(&name.0, &role)?);
            }
            Parsed::AlterType { name, action } => {
                let mut binder = Binder::new(catalog, &self.info, text, offset, param_types);
                prepared.plan = Some(binder.bind_alter_type(&name, &action)?);
            }
            Parsed::GrantRole {
                grant,
                roles,
                members,
                admin,
                grantor,
            } => {
                prepared.plan = Some(Plan::Role(crate::plan::RoleCommand::Membership {
                    grant,
                    roles,
                    members,
                    admin,
                    grantor,
                }));
            }
            Parsed::DropOwned { roles, cascade } => {
                prepared.plan = Some(Plan::DropOwned { roles, cascade });
            }
            Parsed::ReassignOwned { from, to } => {
                prepared.plan = Some(Plan::Role(crate::plan::RoleCommand::ReassignOwned {
                    from,
                    to,
                }));
            }
            Parsed::RoleSetting {
                role,
                database,
                setting,
                value,
                all_roles,
                from_current,
            } => {
                prepared.plan = Some(Plan::Role(crate::plan::RoleCommand::Setting {
                    name: role,
                    database,
                    setting,
                    value,
                    all_roles,
                    from_current,
                }));
            }
            other => {
                prepared.param_types = param_types
                    .iter()
                    .map(|t| t.unwrap_or(DataType::Text))
                    .collect();
                prepared.parsed = Some(other);
            }
        }
        Ok(prepared)
    }

    /// DECLARE: runs the cursor's query in the current transaction (see [`crate::cursor`]).
    async fn declare<C: Cluster>(
        &mut self,
        cluster: &C,
        prepared: &Prepared,
        params: &[Value],
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let Some(Parsed::Declare {
            name,
            scroll,
            hold,
            binary,
            query,
            offset,
        }) = &prepared.parsed
        else {
            unreachable!("a DECLARE statement");
        };
        let in_block = self.statement_list || self.txn.as_ref().is_some_and(|txn| txn.explicit);
        if !hold && !in_block {
            return Err(SqlError::new(
                code::NO_ACTIVE_SQL_TRANSACTION,
                "DECLARE CURSOR can only be used in transaction blocks",
            ));
        }
        let catalog = self.catalog(cluster);
        let types = prepared.param_types.iter().map(|t| Some(*t)).collect();
        let inner = self.prepare(&catalog, query, prepared.offset + offset, types)?;
        crate::cursor::check_query(inner.plan.as_ref(), *scroll, *hold)?;
        self.drop_stale_cursors();
        if self.cursors.contains_key(name) {
            return Err(SqlError::new(
                code::DUPLICATE_CURSOR,
                format!("cursor \"{name}\" already exists"),
            ));
        }
        let scroll =
            scroll.unwrap_or_else(|| inner.plan.as_ref().is_some_and(crate::cursor::scrolls));
        let ran = Box::pin(self.execute_inner(cluster, &inner, params, cancel)).await?;
        let (declared_in, level) = match &self.txn {
            Some(txn) => (Some(txn.id), txn.levels),
            None => (None, 0),
        };
        let mut cursor = crate::cursor::Cursor::new(ran.columns, ran.rows, ran.stream, scroll);
        cursor.statement = match self.source.is_empty() {
            true => prepared.text.trim().to_string(),
            false => self.source.clone(),
        };
        cursor.hold = *hold;
        cursor.binary = *binary;
        cursor.created = now_timestamp();
        (cursor.declared_in, cursor.level) = (declared_in, level);
        self.cursors.insert(name.clone(), cursor);
        Ok(QueryResult {
            tag: "DECLARE CURSOR".into(),
            notices: ran.notices,
            reports: ran.reports,
            ..Default::default()
        })
    }

    /// Drops the cursors whose transaction ended without committing (a commit settles them:
    /// `settle_cursors`).
    fn drop_stale_cursors(&mut self) {
        let current = self.txn.as_ref().map(|txn| txn.id);
        self.cursors
            .retain(|_, c| c.declared_in.is_none() || c.declared_in == current);
    }

    /// The transaction that declared cursors committed: those WITH HOLD stay, the rest close.
    fn settle_cursors(&mut self, committed: TxnId) {
        self.cursors
            .retain(|_, c| c.declared_in != Some(committed) || c.hold);
        for cursor in self.cursors.values_mut() {
            if cursor.declared_in == Some(committed) {
                cursor.declared_in = None;
            }
        }
    }

    /// The columns a statement's rows will have: a FETCH's are its cursor's.
    pub fn result_columns(&mut self, prepared: &Prepared) -> Vec<OutputColumn> {
        match &prepared.parsed {
            Some(Parsed::Fetch {
                name, fetch: true, ..
            }) => self.cursor_columns(name).unwrap_or_default(),
            _ => prepared.columns(),
        }
    }

    /// An open cursor's columns (the protocol's Describe of a portal names cursors too).
    pub fn cursor_columns(&mut self, name: &str) -> Option<Vec<OutputColumn>> {
        self.drop_stale_cursors();
        self.cursors.get(name).map(|c| c.columns.clone())
    }

    /// The protocol's Close of a portal closes a cursor of that name.
    pub fn close_cursor(&mut self, name: &str) {
        self.cursors.remove(name);
    }

    /// Begins a multi-statement simple query (one implicit transaction for the whole string).
    pub fn begin_query_string(&mut self, statements: usize) {
        self.implicit_block = statements > 1;
        self.statement_list = statements > 1;
    }

    /// Begins the protocol's messages up to a Sync: one implicit transaction, as a query
    /// string's, but not a transaction block (DECLARE without HOLD is refused there, as in
    /// PostgreSQL).
    pub fn begin_extended_block(&mut self) {
        self.implicit_block = true;
        self.statement_list = false;
    }

    /// Ends a simple query string: commits its implicit transaction.
    pub async fn end_query_string<C: Cluster>(&mut self, cluster: &C) -> SqlResult<()> {
        self.implicit_block = false;
        self.statement_list = false;
        if self.txn.as_ref().is_some_and(|txn| !txn.explicit) {
            let committed = self.commit(cluster).await;
            self.publish_txn_id();
            return committed;
        }
        Ok(())
    }

    /// Runs a prepared statement. On error the transaction is aborted (and an explicit one marked failed).
    pub async fn execute<C: Cluster>(
        &mut self,
        cluster: &C,
        prepared: &Prepared,
        params: &[Value],
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        // statement_timeout: a timer flags the statement as canceled; the statement notices at
        // its next check point (it is never dropped mid-flight, so no remote work is orphaned).
        let timeout_ms = self.settings.statement_timeout_ms();
        self.deadline =
            (timeout_ms > 0).then(|| std::time::Instant::now() + Duration::from_millis(timeout_ms));
        cancel.deadline.set(self.deadline);
        cancel.txn.set(None);
        cancel.waits_ended.set(false);
        let result = {
            let execution = self.execute_inner(cluster, prepared, params, cancel);
            tokio::pin!(execution);
            // Made (and the clock read) only when polled: never without a timeout.
            let timer = async { tokio::time::sleep(Duration::from_millis(timeout_ms)).await };
            tokio::pin!(timer);
            let mut fired = timeout_ms == 0;
            loop {
                let requested = cancel.notify.notified();
                tokio::select! {
                    result = &mut execution => break result,
                    _ = &mut timer, if !fired => {
                        fired = true;
                        cancel.request_timeout();
                    }
                    _ = requested => cancel.end_waits(cluster),
                }
            }
        };
        cancel.deadline.set(None);
        // Warnings the statement's function calls gave go before its result or its error.
        let mut result = result;
        if let Some(sequences) = &self.sequences {
            let warnings = sequences.take_warnings();
            if !warnings.is_empty() {
                match &mut result {
                    Ok(done) => drop(done.notices.splice(0..0, warnings)),
                    Err(_) => self.notices.extend(warnings),
                }
            }
        }
        if let (true, Some(txn)) = (cancel.waits_ended.get(), cancel.txn.get()) {
            cluster.cancel_waits(txn, false);
        }
        if result.is_err() {
            self.fail(cluster).await;
        }
        self.publish_txn_id();
        result
    }

    /// Aborts the current transaction after an error; one with savepoints stays, failed, for
    /// ROLLBACK TO SAVEPOINT to revive.
    pub async fn fail<C: Cluster>(&mut self, cluster: &C) {
        if self
            .txn
            .as_ref()
            .is_some_and(|txn| txn.explicit && !txn.savepoints.is_empty())
        {
            self.failed = true;
            return;
        }
        self.discard_ddl(cluster).await;
        if let Some(txn) = self.txn.take() {
            abort(cluster, &txn).await;
            if txn.explicit {
                self.failed = true;
            }
        }
    }

    async fn execute_inner<C: Cluster>(
        &mut self,
        cluster: &C,
        prepared: &Prepared,
        params: &[Value],
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        if self.failed
            && !matches!(
                prepared.parsed,
                Some(Parsed::Commit | Parsed::Rollback | Parsed::RollbackTo { .. })
            )
        {
            return Err(failed_transaction());
        }
        if let Some(Parsed::Execute { name, args }) = &prepared.parsed {
            return Box::pin(self.execute_named(
                cluster,
                name,
                args.as_ref(),
                prepared.offset,
                cancel,
            ))
            .await;
        }
        if let Some(Parsed::Declare { .. }) = &prepared.parsed {
            return Box::pin(self.declare(cluster, prepared, params, cancel)).await;
        }
        if let Some(Parsed::CopyTo { source, options }) = &prepared.parsed {
            return self.copy_to(cluster, source, options, cancel).await;
        }
        if let Some(parsed) = &prepared.parsed {
            // A failed block has no transaction left but still ends here.
            let ends_block = matches!(parsed, Parsed::Commit | Parsed::Rollback)
                && (self.failed || self.txn.as_ref().is_some_and(|txn| txn.explicit));
            let committing = matches!(parsed, Parsed::Commit) && !self.failed;
            let mut outcome = self
                .run_command(cluster, parsed, &prepared.text, cancel)
                .await;
            if ends_block {
                // SET LOCAL ends with the block; a rolled-back block takes its SETs too.
                let committed = committing && outcome.is_ok();
                let reports = self.restore_local_settings(cluster, committed, 0);
                if let Ok(result) = &mut outcome {
                    result.reports.extend(reports);
                }
            }
            return outcome;
        }
        prepared
            .executions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // A statement is planned with the statistics taken before it was bound
        // (`Session::refresh_statistics`); one that shows them (pg_stats, pg_class.reltuples) is
        // bound again here, with them as of this execution.
        let views = self.catalog(cluster);
        let reads = match views.version == prepared.catalog_version {
            true => prepared.reads,
            false => TextReads::of(&with_views_text(&views, &prepared.text)),
        };
        if reads.statistics {
            self.refresh_statistics(cluster);
        }
        // The pg_stat_* views show the counters as of this execution, with every worker's
        // committed changes taken (this session's multi-worker commits were released there by
        // posts that reach each worker before this request).
        if reads.activity_stats {
            let requests = to_every_worker(cluster, || ShardOp::TakeChanges);
            for taken in cluster.call_all(requests).await {
                taken?;
            }
            let snapshot = cluster.activity_stats().snapshot();
            self.info.activity_stats = Some(Arc::new(snapshot));
        }
        // Size functions read the tables' sizes as of this execution (bound in as constants).
        if reads.sizes {
            self.info.sizes = table_sizes(cluster).await?;
        }
        // pg_prepared_statements shows the session's named statements as of this execution.
        if reads.prepared_statements {
            let mut statements: Vec<crate::system::PreparedStatement> = (self.statements.iter())
                .filter(|(name, _)| !name.is_empty())
                .map(|(name, p)| crate::system::PreparedStatement {
                    name: name.clone(),
                    statement: p.prepare_text.clone().unwrap_or_else(|| p.text.clone()),
                    prepare_time: p.prepare_time,
                    parameter_types: p.param_types.clone(),
                    from_sql: p.prepare_text.is_some(),
                    executions: p.executions.load(std::sync::atomic::Ordering::Relaxed),
                })
                .collect();
            statements.sort_by(|a, b| a.name.cmp(&b.name));
            self.info.prepared = statements;
        }
        // pg_cursors shows the session's cursors as of this execution.
        if reads.cursors {
            self.drop_stale_cursors();
            self.info.cursors = (self.cursors.iter())
                .map(|(name, c)| crate::system::CursorInfo {
                    name: name.clone(),
                    statement: c.statement.clone(),
                    holdable: c.hold,
                    binary: c.binary,
                    scrollable: c.scroll,
                    created: c.created,
                })
                .collect();
        }
        if reads.hba_rules {
            self.info.hba_rules = (self.backends.as_ref()).map_or_else(Vec::new, |b| b.hba_rules());
        }
        if reads.file_settings {
            self.info.file_settings =
                (self.backends.as_ref()).map_or_else(Vec::new, |b| b.file_settings());
        }
        // pg_sequences shows the counters as of this execution.
        if reads.sequence_states {
            let registry = cluster.sequences();
            self.info.sequence_states = self
                .catalog(cluster)
                .sequences
                .values()
                .map(|seq| {
                    let (last, called) = registry.current(seq);
                    (seq.id, last, called)
                })
                .collect();
        }
        // Re-bind when DDL changed the catalog since the statement was prepared; then take its
        // relation locks, and bind again if DDL committed before they were taken.
        let mut rebound: Option<Prepared> = None;
        let mut catalog = self.catalog(cluster);
        let reuse = prepared.plan.is_some()
            && prepared.catalog_version == catalog.version
            && prepared.search_path == self.info.search_path
            && prepared.timezone == self.info.timezone
            && prepared.user == self.info.user
            && !prepared.volatile;
        // The catalog version the plan in hand was bound against.
        let mut bound = reuse.then_some(catalog.version);
        loop {
            if bound != Some(catalog.version) {
                let types = prepared.param_types.iter().map(|t| Some(*t)).collect();
                rebound = Some(self.prepare(&catalog, &prepared.text, prepared.offset, types)?);
                bound = Some(catalog.version);
            }
            let current = rebound.as_ref().unwrap_or(prepared);
            // DDL transactions are serial: a DDL statement takes the catalog lock (held until
            // its transaction ends) before the check below, so no other DDL changes what it
            // was bound against (two ALTER TABLEs of one table would otherwise each rewrite
            // the definition they read).
            let ddl = current.plan.as_ref().filter(|plan| plan.is_ddl());
            // DDL locks what it changes as PostgreSQL does (`ddl_locks`; CREATE TABLE AS also
            // what its query reads), the rest what the binder noted.
            let locks: std::borrow::Cow<[_]> = match ddl {
                Some(plan) => {
                    let mut locks = ddl_locks(plan, &catalog);
                    let changed: Vec<TableId> = locks.iter().map(|(t, _)| *t).collect();
                    locks.extend(current.locks.iter().filter(|(t, _)| !changed.contains(t)));
                    locks.sort_unstable();
                    locks.into()
                }
                None => current.locks.as_slice().into(),
            };
            let ddl = ddl.is_some() && self.ddl.is_none();
            if locks.is_empty() && !ddl {
                break;
            }
            if ddl {
                // First the catalog lock: a DDL statement waiting for it holds nothing that
                // stops other statements.
                let (tag, mode) = (
                    crate::locks::LockTag::Catalog,
                    crate::locks::LockMode::Exclusive,
                );
                self.acquire_lock(cluster, tag, mode, true, false, cancel)
                    .await?;
            }
            self.take_relation_locks(cluster, &locks, cancel).await?;
            let now = self.catalog(cluster);
            if now.version == catalog.version {
                break;
            }
            catalog = now;
        }
        let plan = rebound
            .as_ref()
            .map_or(prepared.plan.as_ref(), |r| r.plan.as_ref())
            .expect("a statement that bound once binds to a plan");
        if let Some(command) = plan.write_command() {
            self.check_writable(command)?;
        }
        let now = now_timestamp();
        let txn_id = self.txn_for_statement(cluster);
        cancel.txn.set(Some(txn_id.id));
        cancel.end_waits(cluster);
        let result = if plan.is_ddl() {
            self.run_ddl(cluster, plan, txn_id, cancel).await?
        } else if let Plan::Select(select) = plan {
            // The statement's own result may stay in temporary files until it is sent.
            let params = Arc::new(params.to_vec());
            self.run_select(cluster, select, &params, txn_id, now, cancel, true)
                .await?
        } else if let Plan::Query(query) = plan {
            let params = Arc::new(params.to_vec());
            self.run_query(cluster, query, &params, txn_id, now, cancel, true)
                .await?
        } else {
            self.run_plan(cluster, plan, params, txn_id, now, cancel)
                .await?
        };
        let mut result = result;
        if let Some(sequences) = &self.sequences {
            // set_config calls of the statement, in order.
            for (name, value, local) in sequences.take_settings() {
                let report = self.apply_setting(cluster, &name, Some(&value), local)?;
                result.reports.extend(report);
            }
        }
        self.log_sequences(cluster).await?;
        self.end_statement(cluster).await?;
        Ok(result)
    }

    /// The open transaction block, for savepoint commands (25P01 outside one).
    fn explicit_txn(&mut self, command: &str) -> SqlResult<&mut Txn> {
        match &mut self.txn {
            Some(txn) if txn.explicit => Ok(txn),
            _ => Err(SqlError::new(
                code::NO_ACTIVE_SQL_TRANSACTION,
                format!("{command} can only be used in transaction blocks"),
            )),
        }
    }

    /// 25006 in a read-only transaction.
    fn check_writable(&self, command: &str) -> SqlResult<()> {
        let read_only = self.txn.as_ref().map_or_else(
            || self.settings.get("default_transaction_read_only") == Some("on"),
            |txn| txn.read_only,
        );
        if read_only {
            return Err(SqlError::new(
                code::READ_ONLY_SQL_TRANSACTION,
                format!("cannot execute {command} in a read-only transaction"),
            ));
        }
        Ok(())
    }

    /// The transaction a statement runs in (starting an implicit one if needed), with the
    /// snapshot the statement reads.
    fn txn_for_statement<C: Cluster>(&mut self, cluster: &C) -> Tx {
        let lock_timeout = self.lock_timeout_ms();
        let deadline = self.deadline;
        self.open_txn(cluster);
        let txn = self.txn.as_mut().expect("opened above");
        txn.started = true;
        self.txn_id.set(txn.id);
        if txn.isolation == Isolation::Serializable && txn.snapshot.is_none() {
            // Registered before the snapshot is taken: whatever SSI counts as committed before it,
            // the snapshot sees.
            cluster.ssi().register(txn.id, txn.read_only);
        }
        if txn.isolation == Isolation::ReadCommitted || txn.snapshot.is_none() {
            // A new snapshot first, then the old one goes: the horizon never passes either.
            let snapshot = cluster.snapshot();
            txn.snapshot = Some(snapshot);
        }
        txn.tx(lock_timeout, deadline)
    }

    /// The open transaction, or a new implicit one (without its snapshot yet).
    fn open_txn<C: Cluster>(&mut self, cluster: &C) -> &mut Txn {
        if self.txn.is_none() {
            let slot = self.lock_slot(cluster);
            let txn = Txn::new(
                cluster.next_txn(),
                self.info.pid,
                slot,
                false,
                &self.settings,
            );
            self.txn = Some(txn);
        }
        self.txn.as_mut().expect("made above")
    }

    /// The session's fast-path lock slot, registered with the node at its first transaction.
    fn lock_slot<C: Cluster>(&mut self, cluster: &C) -> Arc<crate::locks::FastPath> {
        self.lock_slot
            .get_or_insert_with(|| cluster.locks().slot(self.info.pid))
            .clone()
    }

    fn lock_timeout_ms(&self) -> u64 {
        self.settings.lock_timeout_ms()
    }

    /// Commits an implicit single-statement transaction.
    async fn end_statement<C: Cluster>(&mut self, cluster: &C) -> SqlResult<()> {
        if let Some(txn) = &mut self.txn {
            if txn.isolation == Isolation::ReadCommitted {
                // Between statements a READ COMMITTED transaction holds no snapshot.
                txn.snapshot = None;
            }
        }
        if self.txn.as_ref().is_some_and(|txn| !txn.explicit) && !self.implicit_block {
            self.commit(cluster).await?;
        }
        Ok(())
    }

    /// The worker that new rows of tables without a primary key go to. The session's own
    /// worker (no cross-core hop), unless the open transaction already wrote elsewhere and not
    /// there: then one of the workers it wrote to, so that the row adds no participant to the
    /// commit, whose every participant makes a durable write (pgbench's history insert beside
    /// its three updates: 2.8 participants on average over 16 workers instead of 3.6).
    fn row_home<C: Cluster>(&self, cluster: &C) -> WorkerId {
        let me = cluster.worker();
        match self.txn.as_ref().map(|txn| &txn.writers) {
            Some(writers) if !writers.is_empty() && !writers.contains(&me) => {
                // One of them by the transaction's id: the same for every row of the
                // transaction, and spread over the workers across transactions (the lowest
                // would pile a log table's rows onto the low-numbered workers).
                // (The id's low byte is the session's worker: the counter above it turns.)
                let id = self.txn.as_ref().map_or(0, |txn| txn.id);
                let pick = ((id >> 8) % writers.len() as u64) as usize;
                *writers.iter().nth(pick).expect("fewer than the count")
            }
            _ => me,
        }
    }

    fn note_writers(&mut self, workers: impl IntoIterator<Item = WorkerId>) {
        if let Some(txn) = &mut self.txn {
            txn.writers.extend(workers);
        }
    }

    /// Notes writers of a truncate or a catalog change (see [`Txn::logs_ddl`]).
    fn note_ddl_writers(&mut self, workers: impl IntoIterator<Item = WorkerId>) {
        if let Some(txn) = &mut self.txn {
            txn.writers.extend(workers);
            txn.logs_ddl = true;
        }
    }

    async fn commit<C: Cluster>(&mut self, cluster: &C) -> SqlResult<()> {
        // Temporary tables' ON COMMIT actions run in the transaction, then DEFERRED foreign
        // keys are checked; a failure of either rolls the transaction back.
        let mut prepared = self.run_on_commit_actions(cluster).await;
        if prepared.is_ok()
            && self
                .txn
                .as_ref()
                .is_some_and(|txn| !txn.deferred_checks.is_empty())
        {
            prepared = self.run_deferred_checks(cluster, &|_| true).await;
        }
        if let Err(error) = prepared {
            if let Some(txn) = self.txn.take() {
                abort(cluster, &txn).await;
            }
            self.discard_ddl(cluster).await;
            return Err(error);
        }
        let Some(txn) = self.txn.take() else {
            return Ok(());
        };
        // Only SERIALIZABLE transactions are in the SSI graph (the others never take its lock).
        let serializable = txn.isolation == Isolation::Serializable;
        let checked = if serializable {
            cluster.ssi().pre_commit(txn.id)
        } else {
            Ok(())
        };
        if let Err(failure) = checked {
            abort(cluster, &txn).await;
            self.discard_ddl(cluster).await;
            return Err(crate::fragment::serialization_error(failure));
        }
        let result = self.commit_writes(cluster, &txn).await;
        if result.is_ok() {
            count_activity(cluster, |slot| slot.database.xact_commit += 1);
            if serializable {
                cluster.ssi().committed(txn.id);
            }
        }
        match result {
            Ok(()) => {
                self.settle_on_commit(txn.id);
                self.settle_cursors(txn.id);
                self.publish_ddl(cluster, txn.id).await;
                // After the catalog is published: a statement that waited for these locks
                // binds against what this transaction did.
                cluster.locks().release_xact(txn.pid, &txn.locks);
            }
            Err(_) => self.discard_ddl(cluster).await,
        }
        result
    }

    /// Drops the temporary tables made `ON COMMIT DROP` and empties those made `ON COMMIT
    /// DELETE ROWS` (when the transaction wrote anything: PostgreSQL empties them when the
    /// transaction touched temporary tables), inside the committing transaction.
    async fn run_on_commit_actions<C: Cluster>(&mut self, cluster: &C) -> SqlResult<()> {
        if self.on_commit.is_empty() {
            return Ok(());
        }
        let Some((txn, wrote)) = self
            .txn
            .as_ref()
            .map(|txn| (txn.id, !txn.writers.is_empty()))
        else {
            return Ok(());
        };
        let catalog = self.catalog(cluster);
        self.on_commit.retain(|(id, _, made_by)| {
            made_by.is_none_or(|made_by| made_by == txn) && catalog.table_by_id(*id).is_some()
        });
        let mut statements = Vec::new();
        for (id, action, _) in &self.on_commit {
            let Some(table) = catalog.table_by_id(*id) else {
                continue;
            };
            let (schema, name) = crate::catalog::split_name(&table.name);
            let name = format!(
                "{}.{}",
                crate::functions::quote_ident(schema),
                crate::functions::quote_ident(name)
            );
            match action {
                crate::plan::OnCommit::Drop => {
                    statements.push(format!("DROP TABLE {name} CASCADE"))
                }
                crate::plan::OnCommit::DeleteRows if wrote => {
                    statements.push(format!("TRUNCATE {name}"))
                }
                crate::plan::OnCommit::DeleteRows => {}
            }
        }
        // Run as statements of the transaction: none of them may commit it.
        let implicit_block = std::mem::replace(&mut self.implicit_block, true);
        let mut outcome = Ok(());
        for statement in statements {
            let catalog = self.catalog(cluster);
            outcome = match self.prepare(&catalog, &statement, 0, Vec::new()) {
                // Boxed: `execute` ends in `commit`, which comes back here.
                Ok(prepared) => Box::pin(self.execute(cluster, &prepared, &[], &Cancel::default()))
                    .await
                    .map(|_| ()),
                Err(error) => Err(error),
            };
            if outcome.is_err() {
                break;
            }
        }
        self.implicit_block = implicit_block;
        outcome
    }

    /// After transaction `txn` committed: the ON COMMIT DELETE ROWS tables it made stay for the
    /// next transactions; its ON COMMIT DROP ones are gone. (The entries of a transaction that
    /// did not commit are dropped by the next `run_on_commit_actions`.)
    fn settle_on_commit(&mut self, txn: TxnId) {
        self.on_commit.retain_mut(|(_, action, made_by)| {
            if *made_by != Some(txn) {
                return true;
            }
            *made_by = None;
            *action == crate::plan::OnCommit::DeleteRows
        });
    }

    /// Makes `txn`'s writes durable and ends it everywhere (see `keel_storage::wal`'s commit rule).
    /// One writer: it logs and releases. Several: the other participants prepare (their parts go
    /// to their logs lazily), this session's worker (the anchor) logs the decision with their
    /// parts in one durable write, then every participant releases. A transaction that truncated
    /// or changed the catalog has every writer log and sync its records and a Commit record.
    async fn commit_writes<C: Cluster>(&mut self, cluster: &C, txn: &Txn) -> SqlResult<()> {
        let writers: Vec<WorkerId> = txn.writers.iter().copied().collect();
        let participants: Vec<u8> = writers.iter().map(|w| *w as u8).collect();
        let ending = Tx::ending(txn.id);
        let request = |op| ShardRequest {
            txn: ending,
            now: 0,
            op,
        };
        let released = match writers.as_slice() {
            [] => return Ok(()),
            [only] => {
                let op = ShardOp::Commit {
                    participants,
                    release: true,
                };
                if let Err(error) = cluster.call(*only, request(op)).await {
                    // Not committed (the log refused it, say on a full disk): undo it.
                    abort(cluster, txn).await;
                    return Err(error);
                }
                return Ok(());
            }
            // DDL (recovery reads catalogs and truncates from each log first), or a bulk load
            // (each participant encodes and writes its own records, at once: BULK_COMMIT_ROWS).
            _ if txn.logs_ddl || txn.bulk_rows >= BULK_COMMIT_ROWS => {
                let requests = writers
                    .iter()
                    .map(|w| {
                        let op = ShardOp::Commit {
                            participants: participants.clone(),
                            release: false,
                        };
                        (*w, request(op))
                    })
                    .collect();
                let results = cluster.call_all(requests).await;
                if let Some(error) = results.into_iter().find_map(Result::err) {
                    abort(cluster, txn).await;
                    return Err(error);
                }
                writers
            }
            _ => {
                let anchor = cluster.worker();
                let requests = writers
                    .iter()
                    .filter(|w| **w != anchor)
                    .map(|w| (*w, request(ShardOp::Prepare { anchor })))
                    .collect::<Vec<_>>();
                let others: Vec<WorkerId> = requests.iter().map(|(w, _)| *w).collect();
                let mut parts = Vec::with_capacity(others.len());
                for (worker, result) in others.into_iter().zip(cluster.call_all(requests).await) {
                    match result {
                        Ok(output) => {
                            if let Some((offset, frames)) = output.part {
                                parts.push((worker, offset, frames));
                            }
                        }
                        Err(error) => {
                            abort(cluster, txn).await;
                            return Err(error);
                        }
                    }
                }
                let decided = cluster
                    .call(anchor, request(ShardOp::CommitParts { parts }))
                    .await;
                if let Err(error) = decided {
                    abort(cluster, txn).await;
                    return Err(error);
                }
                let mut released = writers;
                if !released.contains(&anchor) {
                    released.push(anchor);
                }
                released
            }
        };
        // Committed (every participant's commit record, or the anchor's decision, is durable), as
        // of a timestamp newer than every snapshot taken before now.
        let ts = cluster.commit_ts();
        let releases = released
            .iter()
            .map(|w| (*w, request(ShardOp::Release { ts })))
            .collect();
        // Not waited for: the commit is durable and its timestamp taken; until a participant
        // has released, whoever meets its rows there waits for that (a reader too), and this
        // session's next requests reach each participant after its release.
        cluster.post_all(releases).await;
        Ok(())
    }

    /// Runs a command that is not bound to a plan (`text`: the statement as written).
    async fn run_command<C: Cluster>(
        &mut self,
        cluster: &C,
        parsed: &Parsed,
        text: &str,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let mut result = QueryResult::default();
        match parsed {
            Parsed::Lock {
                tables,
                mode,
                nowait,
            } => {
                // Any mode in a read-only transaction too (PostgreSQL limits them only on a
                // standby).
                self.explicit_txn("LOCK TABLE")?;
                let catalog = self.catalog(cluster);
                let mut relations = Vec::new();
                for (name, offset) in tables {
                    let key = self.resolve_written(&catalog, name);
                    let (id, owner, acl, kind) =
                        match (catalog.tables.get(&key), catalog.views.get(&key)) {
                            (Some(table), _) => (
                                table.id,
                                table.owner.as_deref(),
                                table.acl.as_deref(),
                                "table",
                            ),
                            (None, Some(view)) => {
                                (view.id, view.owner.as_deref(), view.acl.as_deref(), "view")
                            }
                            (None, None) if catalog.sequences.contains_key(&key) => {
                                return Err(SqlError::new(
                                    code::WRONG_OBJECT_TYPE,
                                    format!(
                                        "cannot lock relation \"{}\"",
                                        crate::catalog::relname(&key)
                                    ),
                                ));
                            }
                            (None, None) => {
                                return Err(catalog
                                    .table(&key)
                                    .map(|_| ())
                                    .unwrap_err()
                                    .at(Some(offset + 1)));
                            }
                        };
                    // PostgreSQL 15: UPDATE, DELETE or TRUNCATE allow every mode, SELECT ACCESS
                    // SHARE, INSERT up to ROW EXCLUSIVE.
                    let mut allowed = crate::catalog::PRIV_UPDATE
                        | crate::catalog::PRIV_DELETE
                        | crate::catalog::PRIV_TRUNCATE;
                    if *mode <= crate::locks::LockMode::AccessShare {
                        allowed |= crate::catalog::PRIV_SELECT;
                    }
                    if *mode <= crate::locks::LockMode::RowExclusive {
                        allowed |= crate::catalog::PRIV_INSERT;
                    }
                    if catalog.relation_privileges(owner, acl, &self.info.user) & allowed == 0 {
                        return Err(SqlError::new(
                            code::INSUFFICIENT_PRIVILEGE,
                            format!(
                                "permission denied for {kind} {}",
                                crate::catalog::relname(&key)
                            ),
                        ));
                    }
                    relations.push(id);
                    // A view's lock is also taken on what it reads, views through to tables.
                    let mut stack: Vec<TableId> = catalog
                        .views
                        .get(&key)
                        .map_or_else(Vec::new, |v| v.reads.clone());
                    while let Some(read) = stack.pop() {
                        if relations.contains(&read) {
                            continue;
                        }
                        relations.push(read);
                        if let Some(view) = catalog.views.values().find(|v| v.id == read) {
                            stack.extend(view.reads.iter().copied());
                        }
                    }
                }
                for id in relations {
                    let tag = crate::locks::LockTag::Relation(id);
                    self.acquire_lock(cluster, tag, *mode, true, *nowait, cancel)
                        .await?;
                }
                result.tag = "LOCK TABLE".into();
            }
            Parsed::Begin { mode, start } => {
                result.tag = if *start { "START TRANSACTION" } else { "BEGIN" }.into();
                match &mut self.txn {
                    // PostgreSQL warns, then applies the modes as SET TRANSACTION would.
                    Some(txn) if txn.explicit => {
                        let warning = SqlError::new(
                            code::ACTIVE_SQL_TRANSACTION,
                            "there is already a transaction in progress",
                        );
                        if let Err(error) = txn.set_mode(*mode) {
                            self.notices.push(warning);
                            return Err(error);
                        }
                        result.notices.push(warning);
                    }
                    Some(txn) => {
                        txn.explicit = true;
                        txn.set_mode(*mode)?;
                    }
                    None => {
                        let mut txn = Txn::new(
                            cluster.next_txn(),
                            self.info.pid,
                            self.lock_slot(cluster),
                            true,
                            &self.settings,
                        );
                        txn.set_mode(*mode)?;
                        self.txn = Some(txn);
                    }
                }
            }
            Parsed::Commit => {
                if self.failed {
                    self.failed = false;
                    if let Some(txn) = self.txn.take() {
                        self.discard_ddl(cluster).await;
                        abort(cluster, &txn).await;
                    }
                    result.tag = "ROLLBACK".into();
                } else if self.txn.as_ref().is_some_and(|txn| txn.explicit) {
                    self.commit(cluster).await?;
                    result.tag = "COMMIT".into();
                } else {
                    result.notices.push(SqlError::new(
                        code::NO_ACTIVE_SQL_TRANSACTION,
                        "there is no transaction in progress",
                    ));
                    result.tag = "COMMIT".into();
                }
            }
            Parsed::Rollback => {
                // A failed block was aborted when it failed: this ends it without a warning.
                let failed = std::mem::take(&mut self.failed);
                match self.txn.take() {
                    Some(txn) if txn.explicit => {
                        self.discard_ddl(cluster).await;
                        abort(cluster, &txn).await
                    }
                    other if failed => self.txn = other,
                    other => {
                        self.txn = other;
                        result.notices.push(SqlError::new(
                            code::NO_ACTIVE_SQL_TRANSACTION,
                            "there is no transaction in progress",
                        ));
                    }
                }
                result.tag = "ROLLBACK".into();
            }
            // CLUSTER of every table with a clustered index: nothing to rewrite (see
            // `Binder::bind_cluster`), but PostgreSQL's refusal in a transaction block.
            Parsed::Cluster { table: None, .. } => {
                if self.txn.as_ref().is_some_and(|txn| txn.explicit) {
                    return Err(SqlError::new(
                        code::ACTIVE_SQL_TRANSACTION,
                        "CLUSTER cannot run inside a transaction block",
                    ));
                }
                result.tag = "CLUSTER".into();
            }
            Parsed::Checkpoint => {
                // PostgreSQL 15 lets superusers and members of pg_checkpoint, which Keel does
                // not grant yet.
                if !self.catalog(cluster).is_superuser(&self.info.user) {
                    return Err(SqlError::new(
                        code::INSUFFICIENT_PRIVILEGE,
                        "must be superuser or have privileges of pg_checkpoint to do CHECKPOINT",
                    ));
                }
                cluster.checkpoint().await?;
                result.tag = "CHECKPOINT".into();
            }
            Parsed::Discard { what } => {
                use crate::parse::Discard;
                result.tag = match what {
                    Discard::All => "DISCARD ALL",
                    Discard::Plans => "DISCARD PLANS",
                    Discard::Sequences => "DISCARD SEQUENCES",
                    Discard::Temp => "DISCARD TEMP",
                }
                .into();
                if *what == Discard::All {
                    if self.txn.as_ref().is_some_and(|txn| txn.explicit) {
                        return Err(SqlError::new(
                            code::ACTIVE_SQL_TRANSACTION,
                            "DISCARD ALL cannot run inside a transaction block",
                        ));
                    }
                    // PostgreSQL's order: SET SESSION AUTHORIZATION DEFAULT, RESET ALL,
                    // DEALLOCATE ALL, then sequences and temporary tables.
                    self.set_role(cluster, None)?;
                    result.reports = self.settings.reset_all();
                    self.refresh_search_path();
                    self.statements.clear();
                    self.cursors.clear();
                }
                if matches!(what, Discard::All | Discard::Sequences) {
                    if let Some(sequences) = &self.sequences {
                        sequences.forget_values();
                    }
                }
                // Dropped by the connection once this statement is done (`finish_discard`): the
                // drop is a statement of its own.
                self.discard_temp |= matches!(what, Discard::All | Discard::Temp);
            }
            Parsed::Deallocate { name } => {
                result.tag = if name.is_some() {
                    "DEALLOCATE"
                } else {
                    "DEALLOCATE ALL"
                }
                .into();
                match name {
                    None => self.statements.clear(),
                    Some(name) => {
                        if self.statements.remove(name).is_none() {
                            return Err(SqlError::new(
                                code::INVALID_SQL_STATEMENT_NAME,
                                format!("prepared statement \"{name}\" does not exist"),
                            ));
                        }
                    }
                }
            }
            Parsed::Prepare {
                name,
                types,
                statement,
                offset,
            } => {
                if self.statements.contains_key(name) {
                    return Err(SqlError::new(
                        code::DUPLICATE_PREPARED_STATEMENT,
                        format!("prepared statement \"{name}\" already exists"),
                    ));
                }
                let catalog = self.catalog(cluster);
                let binder = Binder::new(&catalog, &self.info, "", 0, Vec::new());
                // (A parameter's type modifier is ignored, as PostgreSQL's: numeric(3,1) is
                // numeric, timestamp(0) timestamp.)
                let types = types
                    .iter()
                    .map(|t| binder.type_named(t).map(|ty| Some(ty.expression_type())))
                    .collect::<SqlResult<Vec<_>>>()?;
                let mut prepared = self.prepare(&catalog, statement, *offset, types)?;
                // pg_prepared_statements shows the PREPARE statement itself.
                prepared.prepare_time = crate::types::now_timestamp();
                prepared.prepare_text = Some(match self.source.is_empty() {
                    true => text.trim().to_string(),
                    false => self.source.clone(),
                });
                // PostgreSQL prepares queries and writes only: a utility statement (PREPARE,
                // DECLARE, FETCH, SET ...) there is a syntax error.
                if prepared.parsed.is_some() {
                    return Err(SqlError::syntax(format!(
                        "syntax error at or near \"{}\"",
                        statement.split_whitespace().next().unwrap_or("")
                    ))
                    .at(Some(*offset + 1)));
                }
                self.statements.insert(name.clone(), Arc::new(prepared));
                result.tag = "PREPARE".into();
            }
            Parsed::Execute { .. } => unreachable!("EXECUTE runs in execute_named"),
            Parsed::Declare { .. } => unreachable!("DECLARE runs in declare"),
            Parsed::Fetch {
                name,
                direction,
                fetch,
            } => {
                self.drop_stale_cursors();
                let cursor =
                    (self.cursors.get_mut(name)).ok_or_else(|| crate::cursor::missing(name))?;
                if cursor.failed {
                    return Err(SqlError::new(
                        code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                        format!("portal \"{name}\" cannot be run"),
                    ));
                }
                let (rows, stream, count) = cursor
                    .fetch(*direction, *fetch)
                    .inspect_err(|_| cursor.failed = true)?;
                if *fetch {
                    result.binary = cursor.binary;
                    result.columns = cursor.columns.clone();
                    result.rows = rows;
                    result.stream = stream;
                    result.tag = format!("FETCH {count}");
                } else {
                    result.tag = format!("MOVE {count}");
                }
            }
            Parsed::Close { name } => {
                self.drop_stale_cursors();
                match name {
                    None => {
                        self.cursors.clear();
                        result.tag = "CLOSE CURSOR ALL".into();
                    }
                    Some(name) => {
                        self.cursors
                            .remove(name)
                            .ok_or_else(|| crate::cursor::missing(name))?;
                        result.tag = "CLOSE CURSOR".into();
                    }
                }
            }
            Parsed::Savepoint { name } => {
                let settings = self.local_saved.len();
                let ddl = self.ddl.as_ref().map(|ddl| DdlMark {
                    catalog: ddl.catalog.clone(),
                    dropped: ddl.dropped.len(),
                    sequences: ddl.sequences.len(),
                });
                let txn = self.explicit_txn("SAVEPOINT")?;
                txn.levels += 1;
                let level = txn.levels;
                txn.savepoints.push(Savepoint {
                    name: name.clone(),
                    level,
                    settings,
                    ddl,
                });
                txn.locks.set_level(level);
                result.tag = "SAVEPOINT".into();
            }
            Parsed::RollbackTo { name } => {
                if self.failed && self.txn.is_none() {
                    // A failed block without savepoints (already aborted) has none to go to.
                    return Err(SqlError::new(
                        code::INVALID_SAVEPOINT_SPECIFICATION,
                        format!("savepoint \"{name}\" does not exist"),
                    ));
                }
                let txn = self.explicit_txn("ROLLBACK TO SAVEPOINT")?;
                let at = txn.savepoint(name)?;
                let level = txn.savepoints[at].level;
                let requests = txn
                    .writers
                    .iter()
                    .map(|w| {
                        let op = ShardOp::RollbackTo { level };
                        (
                            *w,
                            ShardRequest {
                                txn: Tx::ending(txn.id),
                                now: 0,
                                op,
                            },
                        )
                    })
                    .collect();
                for undone in cluster.call_all(requests).await {
                    undone?;
                }
                let txn = self.txn.as_mut().expect("checked above");
                txn.savepoints.truncate(at + 1);
                // Deferred checks of the rows undone go too.
                txn.deferred_checks.retain(|check| check.level < level);
                // The catalog as it was (while the catalog lock is still held), then the
                // locks taken since go.
                let mark = txn.savepoints[at].ddl.clone();
                let tx = txn.tx(0, None);
                self.rollback_ddl(cluster, mark, tx).await?;
                let txn = self.txn.as_mut().expect("checked above");
                cluster.locks().rollback_to(txn.pid, &txn.locks, level);
                let settings = txn.savepoints[at].settings;
                let id = Some(txn.id);
                self.failed = false;
                // The cursors declared since the savepoint go with it.
                self.cursors
                    .retain(|_, c| c.declared_in != id || c.level < level);
                // Settings changed since the savepoint (SET and SET LOCAL) go back too.
                result.reports = self.restore_local_settings(cluster, false, settings);
                result.tag = "ROLLBACK".into();
            }
            Parsed::Release { name } => {
                let txn = self.explicit_txn("RELEASE SAVEPOINT")?;
                let at = txn.savepoint(name)?;
                let level = txn.savepoints[at].level;
                txn.savepoints.truncate(at);
                let to = txn.level();
                let (pid, slot) = (txn.pid, txn.locks.clone());
                cluster.locks().release_savepoint(pid, &slot, level, to);
                result.tag = "RELEASE".into();
            }
            Parsed::SetConstraints { names, deferred } => {
                result.tag = "SET CONSTRAINTS".into();
                if !self.txn.as_ref().is_some_and(|txn| txn.explicit) {
                    result.notices.push(SqlError::new(
                        code::NO_ACTIVE_SQL_TRANSACTION,
                        "SET CONSTRAINTS can only be used in transaction blocks",
                    ));
                    return Ok(result);
                }
                let catalog = self.catalog(cluster);
                let constraints = crate::system::constraints(&catalog, &[]);
                for name in names {
                    match constraints.iter().find(|c| c.name == *name) {
                        Some(c) if c.deferrable.0 => {}
                        Some(_) => {
                            return Err(SqlError::new(
                                code::WRONG_OBJECT_TYPE,
                                format!("constraint \"{name}\" is not deferrable"),
                            ))
                        }
                        None => {
                            return Err(SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!("constraint \"{name}\" does not exist"),
                            ))
                        }
                    }
                }
                let txn = self.txn.as_mut().expect("checked above");
                if names.is_empty() {
                    txn.constraint_modes.all = Some(*deferred);
                    txn.constraint_modes.named.clear();
                } else {
                    for name in names {
                        txn.constraint_modes.named.insert(name.clone(), *deferred);
                    }
                }
                if !*deferred {
                    // IMMEDIATE: what waited for these constraints is checked now.
                    self.run_deferred_checks(cluster, &|fk| {
                        names.is_empty() || names.iter().any(|n| n == fk)
                    })
                    .await?;
                }
            }
            Parsed::SetTransaction { mode } => {
                match &mut self.txn {
                    Some(txn) if txn.explicit => txn.set_mode(*mode)?,
                    _ => result.notices.push(SqlError::new(
                        code::NO_ACTIVE_SQL_TRANSACTION,
                        "SET TRANSACTION can only be used in transaction blocks",
                    )),
                }
                result.tag = "SET".into();
            }
            Parsed::Set {
                name,
                value,
                local: true,
            } => {
                if self.txn.as_ref().is_some_and(|txn| txn.explicit) {
                    let report = self.apply_setting(cluster, name, value.as_deref(), true)?;
                    result.reports.extend(report);
                } else {
                    // PostgreSQL warns and changes nothing outside a transaction block.
                    result.notices.push(SqlError::new(
                        code::NO_ACTIVE_SQL_TRANSACTION,
                        "SET LOCAL can only be used in transaction blocks",
                    ));
                }
                result.tag = "SET".into();
            }
            Parsed::Set { name, value, .. }
                if name.eq_ignore_ascii_case("transaction_isolation")
                    || name.eq_ignore_ascii_case("transaction_read_only") =>
            {
                // Per transaction: the same as SET TRANSACTION.
                let value = validate_setting(&name.to_lowercase(), value.as_deref().unwrap_or(""))?;
                let mode = if name.eq_ignore_ascii_case("transaction_read_only") {
                    TxnMode {
                        read_only: Some(value == "on"),
                        ..TxnMode::default()
                    }
                } else {
                    TxnMode {
                        isolation: Some(match value.as_str() {
                            "repeatable read" => Isolation::RepeatableRead,
                            "serializable" => Isolation::Serializable,
                            _ => Isolation::ReadCommitted,
                        }),
                        ..TxnMode::default()
                    }
                };
                if let Some(txn) = &mut self.txn {
                    txn.set_mode(mode)?;
                }
                result.tag = "SET".into();
            }
            Parsed::Set {
                name,
                value,
                local: false,
            } => {
                let reports = self.apply_setting(cluster, name, value.as_deref(), false)?;
                result.reports.extend(reports);
                result.tag = "SET".into();
            }
            Parsed::Reset { name: Some(name) } => {
                let reports = self.apply_setting(cluster, name, None, false)?;
                result.reports.extend(reports);
                result.tag = "RESET".into();
            }
            Parsed::Reset { name: None } => {
                result.reports = self.settings.reset_all();
                self.refresh_search_path();
                self.set_role(cluster, None)?;
                result.tag = "RESET".into();
            }
            Parsed::Show { name } => {
                let value = match name.as_str() {
                    "all" => return Err(SqlError::unsupported("SHOW ALL")),
                    "transaction_isolation" => match &self.txn {
                        Some(txn) => isolation_name(txn.isolation).to_string(),
                        None => self
                            .settings
                            .get("default_transaction_isolation")
                            .unwrap_or("read committed")
                            .to_string(),
                    },
                    "transaction_read_only" => {
                        let read_only = self.txn.as_ref().map_or_else(
                            || self.settings.get("default_transaction_read_only") == Some("on"),
                            |txn| txn.read_only,
                        );
                        if read_only { "on" } else { "off" }.to_string()
                    }
                    _ => self.settings.get(name).map(str::to_string).ok_or_else(|| {
                        SqlError::new(
                            code::UNDEFINED_OBJECT,
                            format!("unrecognized configuration parameter \"{name}\""),
                        )
                    })?,
                };
                result.columns = vec![OutputColumn {
                    name: show_column(name),
                    ty: DataType::Text,
                    source: None,
                }];
                result.rows = vec![vec![Value::Text(value)]];
                result.tag = "SHOW".into();
            }
            Parsed::Reindex {
                target,
                name,
                concurrently,
            } => {
                result = self.reindex(cluster, *target, name, *concurrently).await?;
            }
            Parsed::Maintenance {
                vacuum,
                analyze,
                tables,
                columns,
            } => {
                if *vacuum && self.txn.as_ref().is_some_and(|txn| txn.explicit) {
                    return Err(SqlError::new(
                        code::ACTIVE_SQL_TRANSACTION,
                        "VACUUM cannot run inside a transaction block",
                    ));
                }
                let catalog = self.catalog(cluster);
                // (table, the positions of the columns listed; empty: all)
                let mut named = Vec::new();
                // PostgreSQL names a missing table or column without a position here.
                for ((name, _), listed) in tables.iter().zip(columns) {
                    let key = self.resolve_written(&catalog, name);
                    let table = catalog.table(&key)?.clone();
                    if !listed.is_empty() && !*analyze {
                        return Err(SqlError::new(
                            code::FEATURE_NOT_SUPPORTED,
                            "ANALYZE option must be specified when a column list is provided",
                        ));
                    }
                    let positions = listed
                        .iter()
                        .map(|column| table.column_position(column))
                        .collect::<SqlResult<Vec<_>>>()?;
                    named.push((table, positions));
                }
                if tables.is_empty() {
                    named = catalog
                        .tables
                        .values()
                        .map(|t| (t.clone(), Vec::new()))
                        .collect();
                }
                if *vacuum {
                    // Keel's vacuum is the purge each worker runs in the background: VACUUM
                    // runs it now, to the oldest snapshot still held.
                    let ids: Vec<TableId> = named.iter().map(|(t, _)| t.id).collect();
                    let requests = (0..cluster.workers() as WorkerId)
                        .map(|w| {
                            let op = ShardOp::Vacuum {
                                tables: ids.clone(),
                            };
                            (
                                w,
                                ShardRequest {
                                    txn: Tx::ending(0),
                                    now: 0,
                                    op,
                                },
                            )
                        })
                        .collect();
                    gather(cluster.call_all(requests).await)?;
                    let now = now_timestamp();
                    count_activity(cluster, |slot| {
                        for id in &ids {
                            let counts = slot.table(*id);
                            counts.last_vacuum = Some(now);
                            counts.vacuum_count += 1;
                        }
                    });
                }
                if *analyze {
                    let txn = self.txn_for_statement(cluster);
                    let cancel = Cancel::default();
                    for (table, positions) in &named {
                        self.analyze_table(cluster, table, positions, txn, &cancel)
                            .await?;
                    }
                    self.end_statement(cluster).await?;
                }
                result.tag = if *vacuum { "VACUUM" } else { "ANALYZE" }.into();
            }
            Parsed::Copy {
                table,
                table_offset,
                columns,
                options,
            } => {
                let catalog = self.catalog(cluster);
                let key = self.resolve_written(&catalog, table);
                let table = catalog
                    .table(&key)
                    .map_err(|error| error.at(Some(table_offset + 1)))?
                    .clone();
                if table.matview.is_some() {
                    return Err(SqlError::new(
                        code::WRONG_OBJECT_TYPE,
                        format!(
                            "cannot copy to materialized view \"{}\"",
                            crate::catalog::relname(&key)
                        ),
                    ));
                }
                let columns = copy_columns(&table, columns, true)?;
                // INSERT on the table, or on each column copied.
                catalog.require_columns(
                    &table,
                    crate::catalog::PRIV_INSERT,
                    &columns,
                    &self.info.user,
                )?;
                self.check_writable("COPY FROM")?;
                let mut binder = Binder::new(&catalog, &self.info, "", 0, Vec::new());
                let table = binder.write_target(table)?;
                // Defaults only for the columns the input does not give (a serial column's
                // sequence does not advance for ids the input has, as in PostgreSQL).
                let mut defaults = binder.defaults(&table)?;
                for &column in &columns {
                    defaults[column] = Expr::Const(Value::Null);
                }
                self.txn_for_statement(cluster);
                result.copy = Some(CopyState {
                    table,
                    columns,
                    options: options.clone(),
                    defaults,
                    pending: Vec::new(),
                    rows: 0,
                    line: 0,
                    done: false,
                    header_read: false,
                    zone: self.zone.clone(),
                });
            }
            Parsed::CopyTo { .. } => unreachable!("COPY TO runs in copy_to"),
            Parsed::Sql(_)
            | Parsed::AlterSequence(_)
            | Parsed::RenameView { .. }
            | Parsed::ViewOwner { .. }
            | Parsed::SetSchema { .. }
            | Parsed::Domain(_)
            | Parsed::Cluster { table: Some(_), .. }
            | Parsed::Refresh { .. }
            | Parsed::AlterIdentity { .. }
            | Parsed::AlterStorage { .. }
            | Parsed::AlterTypeOwner { .. }
            | Parsed::AlterType { .. }
            | Parsed::GrantRole { .. }
            | Parsed::ReassignOwned { .. }
            | Parsed::DropOwned { .. }
            | Parsed::RoleSetting { .. } => {
                unreachable!("SQL statements are bound to plans")
            }
        }
        Ok(result)
    }

    async fn run_plan<C: Cluster>(
        &mut self,
        cluster: &C,
        plan: &Plan,
        params: &[Value],
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let params = Arc::new(params.to_vec());
        let sequences = self.sequences(cluster);
        let mut ctx = EvalContext::new(&params, now);
        ctx.sequences = Some(&*sequences);
        match plan {
            Plan::Select(select) => {
                self.run_select(cluster, select, &params, txn, now, cancel, false)
                    .await
            }
            Plan::Query(query) => {
                self.run_query(cluster, query, &params, txn, now, cancel, false)
                    .await
            }
            Plan::With { writes, main } => {
                let mut result = Ok(QueryResult::default());
                for (id, write) in writes {
                    result =
                        Box::pin(self.run_plan(cluster, write, &params, txn, now, cancel)).await;
                    match &mut result {
                        Ok(written) => {
                            let rows = std::mem::take(&mut written.rows);
                            self.work_tables.insert(*id, rows);
                        }
                        Err(_) => break,
                    }
                }
                if result.is_ok() {
                    result =
                        Box::pin(self.run_plan(cluster, main, &params, txn, now, cancel)).await;
                }
                self.work_tables.clear();
                result
            }
            Plan::Merge(merge) => {
                self.run_merge(cluster, merge, &params, txn, now, cancel)
                    .await
            }
            Plan::WriteFromQuery(write) => {
                let found = self
                    .query_rows(cluster, &write.rel, &params, txn, now, cancel)
                    .await?;
                let changed = Changed::Recheck;
                self.write_found(cluster, write, found, changed, &params, txn, &ctx, cancel)
                    .await
            }
            Plan::Explain {
                analyze,
                timing,
                summary,
                query,
                write,
                columns,
            } => {
                let started = std::time::Instant::now();
                // The tree that runs, scans cut to the columns it reads (the stats are kept by
                // its nodes' addresses).
                let rel = runnable(&query.rel);
                if let (true, Some(write)) = (*analyze, write) {
                    let mut lines = self
                        .explain_analyzed_write(
                            cluster, write, &rel, &params, txn, now, cancel, *timing,
                        )
                        .await?;
                    if *summary {
                        lines.push(format!(
                            "Execution Time: {:.3} ms",
                            started.elapsed().as_secs_f64() * 1000.0
                        ));
                    }
                    return Ok(QueryResult {
                        columns: columns.clone(),
                        tag: "EXPLAIN".into(),
                        rows: lines.into_iter().map(|l| vec![Value::Text(l)]).collect(),
                        ..Default::default()
                    });
                }
                let stats = if *analyze {
                    self.run_tree(cluster, &rel, &params, txn, now, cancel, true)
                        .await?
                        .1
                } else {
                    None
                };
                let child = write.as_ref().and_then(|write| write.child.clone());
                let mut lines = match child {
                    Some(line) => vec![line],
                    None => crate::explain::explain(
                        &rel,
                        stats.as_ref(),
                        *timing,
                        self.settings.merge_joins(),
                    ),
                };
                if let Some(write) = write {
                    // The write's node, then what finds its rows as its child.
                    let tree = std::mem::replace(&mut lines, write.lines.clone());
                    nest_under(&mut lines, tree);
                }
                if *analyze && *summary {
                    lines.push(format!(
                        "Execution Time: {:.3} ms",
                        started.elapsed().as_secs_f64() * 1000.0
                    ));
                }
                let rows: Vec<Vec<Value>> =
                    lines.into_iter().map(|l| vec![Value::Text(l)]).collect();
                Ok(QueryResult {
                    columns: columns.clone(),
                    tag: "EXPLAIN".into(),
                    rows,
                    ..Default::default()
                })
            }
            Plan::Insert(insert) => {
                let sources = match &insert.source {
                    Some(rel) => {
                        self.query_rows(cluster, rel, &params, txn, now, cancel)
                            .await?
                    }
                    None => vec![Vec::new()],
                };
                let mut rows = Vec::with_capacity(insert.rows.len() * sources.len());
                for source in &sources {
                    for exprs in &insert.rows {
                        let mut row = exprs
                            .iter()
                            .map(|e| e.eval(source, &ctx))
                            .collect::<SqlResult<Vec<_>>>()?;
                        generate_columns(&insert.table, &mut row)?;
                        check_row(&insert.table, &row)?;
                        rows.push(row);
                    }
                }
                if let Some(instrument) = &mut self.instrument {
                    instrument.proposed = rows.len() as u64;
                }
                let (count, returning) = match &insert.on_conflict {
                    None => {
                        let count = rows.len();
                        // Computed before the rows are in (a subquery there does not see them).
                        let returning = match &insert.returning {
                            Some(r) => Some(
                                self.returned_rows(cluster, &rows, r, &ctx, txn, cancel)
                                    .await,
                            ),
                            None => None,
                        };
                        self.insert_rows(cluster, &insert.table, rows, txn, now, Some(cancel))
                            .await?;
                        (count, returning)
                    }
                    Some(on_conflict) => {
                        let (written, updated) = self
                            .upsert_rows(
                                cluster,
                                &insert.table,
                                rows,
                                on_conflict,
                                &params,
                                txn,
                                now,
                                cancel,
                            )
                            .await?;
                        if let Some(instrument) = &mut self.instrument {
                            instrument.inserted = Some(written.len() as u64 - updated);
                        }
                        let count = written.len();
                        let returning = match &insert.returning {
                            Some(r) => Some(
                                self.returned_rows(cluster, &written, r, &ctx, txn, cancel)
                                    .await,
                            ),
                            None => None,
                        };
                        (count, returning)
                    }
                };
                let mut result = QueryResult {
                    tag: format!("INSERT 0 {count}"),
                    ..Default::default()
                };
                if let (Some(r), Some(rows)) = (&insert.returning, returning) {
                    result.columns = r.columns.clone();
                    result.rows = rows?;
                }
                Ok(result)
            }
            Plan::Update(update) => {
                let returning = update.returning.is_some();
                let filter = self
                    .initplans_of(cluster, update.filter.as_ref(), &params, txn, now, cancel)
                    .await?;
                let mut assignments = update.assignments.clone();
                if assignments.iter().any(|(_, e)| !e.is_local()) {
                    let mut valued = Vec::with_capacity(assignments.len());
                    for (column, expr) in assignments.iter() {
                        let expr = self
                            .initplans(cluster, expr, &params, txn, now, cancel)
                            .await?;
                        valued.push((*column, expr));
                    }
                    assignments = Arc::new(valued);
                }
                let ops = |key: KeyTarget, range, prefixes| ShardOp::Update {
                    table: update.table.clone(),
                    key,
                    filter: filter.clone(),
                    assignments: assignments.clone(),
                    values: None,
                    params: params.clone(),
                    returning,
                    range,
                    prefixes,
                    recheck: false,
                };
                let access = access_after_initplans(
                    &update.table,
                    &update.access,
                    update.filter.as_deref(),
                    filter.as_deref(),
                );
                self.write_rows(
                    cluster,
                    &update.table,
                    &access,
                    update.returning.as_ref(),
                    "UPDATE",
                    ops,
                    txn,
                    &ctx,
                    cancel,
                )
                .await
            }
            Plan::Delete(delete) => {
                let returning = delete.returning.is_some();
                let filter = self
                    .initplans_of(cluster, delete.filter.as_ref(), &params, txn, now, cancel)
                    .await?;
                let ops = |key: KeyTarget, range, prefixes| ShardOp::Delete {
                    table: delete.table.clone(),
                    key,
                    filter: filter.clone(),
                    params: params.clone(),
                    returning,
                    range,
                    prefixes,
                    recheck: false,
                };
                let access = access_after_initplans(
                    &delete.table,
                    &delete.access,
                    delete.filter.as_deref(),
                    filter.as_deref(),
                );
                self.write_rows(
                    cluster,
                    &delete.table,
                    &access,
                    delete.returning.as_ref(),
                    "DELETE",
                    ops,
                    txn,
                    &ctx,
                    cancel,
                )
                .await
            }
            Plan::Truncate {
                tables, cascaded, ..
            } => self.truncate(cluster, tables, *cascaded, txn, now).await,
            Plan::CreateTable { .. }
            | Plan::RefreshMatView { .. }
            | Plan::CreateSequence { .. }
            | Plan::AlterSequence { .. }
            | Plan::AlterOwner { .. }
            | Plan::RenameView { .. }
            | Plan::SetSchema { .. }
            | Plan::DropOwned { .. }
            | Plan::AlterTableSteps { .. }
            | Plan::DropSequences { .. }
            | Plan::Type(_)
            | Plan::Domain(_)
            | Plan::CreateSchema { .. }
            | Plan::AlterSchema { .. }
            | Plan::DropSchemas { .. }
            | Plan::DropTables { .. }
            | Plan::AddPrimaryKey { .. }
            | Plan::CreateIndex { .. }
            | Plan::DropIndexes { .. }
            | Plan::DropConstraint { .. }
            | Plan::AddCheck { .. }
            | Plan::AddForeignKey { .. }
            | Plan::ValidateConstraint { .. }
            | Plan::DropColumn { .. }
            | Plan::Comment { .. }
            | Plan::Role(_)
            | Plan::Grant(_)
            | Plan::AlterTable { .. }
            | Plan::CreateView { .. }
            | Plan::DropViews { .. }
            | Plan::DropExtensions { .. } => {
                unreachable!("DDL runs in run_ddl")
            }
        }
    }

    /// Runs an UPDATE or DELETE: the owner-side `op` for each target, then RETURNING and the tag.
    #[allow(clippy::too_many_arguments)]
    async fn write_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &TableDef,
        access: &Access,
        returning: Option<&Returning>,
        verb: &str,
        op: impl Fn(KeyTarget, Option<Arc<KeyBounds>>, bool) -> ShardOp,
        txn: Tx,
        ctx: &EvalContext<'_>,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let targets = self.targets(cluster, table, access, ctx, txn).await?;
        self.write_targets(
            cluster, table, targets, returning, verb, op, txn, ctx, cancel,
        )
        .await
    }

    /// [`Session::write_rows`] once its targets are known.
    #[allow(clippy::too_many_arguments)]
    async fn write_targets<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &TableDef,
        targets: Targets,
        returning: Option<&Returning>,
        verb: &str,
        op: impl Fn(KeyTarget, Option<Arc<KeyBounds>>, bool) -> ShardOp,
        txn: Tx,
        ctx: &EvalContext<'_>,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let written = self
            .run_writes(cluster, table, targets, op, txn, ctx, cancel)
            .await?;
        let tag = format!("{verb} {}", written.count);
        self.written_result(cluster, tag, &written.rows, returning, ctx, txn, cancel)
            .await
    }

    /// An UPDATE's or DELETE's result: its command tag and, with RETURNING, RETURNING's rows
    /// over the rows written (`rows`).
    #[allow(clippy::too_many_arguments)]
    async fn written_result<C: Cluster>(
        &mut self,
        cluster: &C,
        tag: String,
        rows: &[Row],
        returning: Option<&Returning>,
        ctx: &EvalContext<'_>,
        txn: Tx,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let mut result = QueryResult {
            tag,
            ..Default::default()
        };
        if let Some(returning) = returning {
            result.columns = returning.columns.clone();
            result.rows = self
                .returned_rows(cluster, rows, returning, ctx, txn, cancel)
                .await?;
        }
        Ok(result)
    }

    /// Sends `op` to each target's owner, then writes the index entries of the rows changed and
    /// enforces the foreign keys.
    #[allow(clippy::too_many_arguments)]
    async fn run_writes<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &TableDef,
        targets: Targets,
        op: impl Fn(KeyTarget, Option<Arc<KeyBounds>>, bool) -> ShardOp,
        txn: Tx,
        ctx: &EvalContext<'_>,
        cancel: &Cancel,
    ) -> SqlResult<Written> {
        let Targets {
            list: targets,
            range,
            prefixes,
        } = targets;
        self.note_writers(targets.iter().map(|(w, _)| *w));
        let now = ctx.now;
        let requests = targets
            .into_iter()
            .map(|(worker, key)| {
                (
                    worker,
                    ShardRequest {
                        txn,
                        now,
                        op: op(key, range.clone(), prefixes),
                    },
                )
            })
            .collect();
        let mut written = Written::default();
        let mut changes = Vec::new();
        for output in cluster.call_all(requests).await {
            let output = output?;
            written.count += output.count;
            if let Some(instrument) = &mut self.instrument {
                instrument.visited += output.visible;
            }
            written.rows.extend(output.rows);
            written.keys.extend(output.keys);
            written.changed.extend(output.changed);
            changes.extend(output.changes);
        }
        self.write_index_entries(cluster, table, &changes, txn, now, false)
            .await?;
        self.enforce_foreign_keys(cluster, table, &changes, txn, now, cancel)
            .await?;
        Ok(written)
    }

    /// Where a statement's rows live: one (worker, key) for a key lookup, every worker for a scan,
    /// the owners of the rows an index scan found (grouped per worker) for an index, every
    /// worker (or the one its keys live on) for a key range, which comes back with them: the
    /// workers then read only its keys.
    async fn targets<C: Cluster>(
        &self,
        cluster: &C,
        table: &TableDef,
        access: &Access,
        ctx: &EvalContext<'_>,
        txn: Tx,
    ) -> SqlResult<Targets> {
        let pkey = crate::pgstat::IndexRef::PrimaryKey(table.id);
        let every = || {
            (0..cluster.workers() as WorkerId)
                .map(|w| (w, None))
                .collect()
        };
        let nothing = Ok(Targets::default());
        let targets = match access {
            Access::Scan => {
                count_scan(cluster, table.id, None, 0);
                every()
            }
            Access::Key(exprs) => {
                count_scan(cluster, table.id, Some(pkey), 0);
                let mut values = Vec::with_capacity(exprs.len());
                for (expr, &column) in exprs.iter().zip(&table.primary_key) {
                    let ty = table.columns[column].ty;
                    match key_value(expr, ty, ctx)? {
                        Some(value) => values.push((value, ty)),
                        None => return nothing,
                    }
                }
                let key = row_key(&values);
                vec![(
                    owner_of(table.vshard(&key), cluster.workers()),
                    Some(vec![key]),
                )]
            }
            Access::Keys {
                index: Some(index),
                values,
                ..
            } => {
                // Each value's entries start with its encoding (the first part's).
                let ty = index.part_type(table, 0);
                let mut prefixes: Vec<Vec<u8>> = (key_list_values(values, ty, ctx)?.into_iter())
                    .map(|value| row_key(&[(value, ty)]))
                    .collect();
                if prefixes.is_empty() {
                    return nothing;
                }
                prefixes.sort_unstable();
                prefixes.dedup();
                let requests = lookup_requests(index, prefixes, cluster.workers())
                    .into_iter()
                    .map(|(w, op)| {
                        let now = ctx.now;
                        (w, ShardRequest { txn, now, op })
                    })
                    .collect();
                index_targets(cluster, table, index, requests).await?
            }
            Access::Gin {
                index, op, query, ..
            } => {
                let class = index.gin.expect("a GIN read goes through a GIN index");
                let value = query.eval(&[], ctx)?;
                match class.search(*op, &value, index.part_type(table, 0))? {
                    crate::gin::Search::Nothing => return nothing,
                    crate::gin::Search::All => {
                        count_scan(cluster, table.id, None, 0);
                        every()
                    }
                    crate::gin::Search::Groups(groups) => {
                        gin_targets(cluster, table, index, groups, txn, ctx.now).await?
                    }
                }
            }
            Access::Keys { eq, values, .. } => {
                // Values of the key column after the equalities: whole keys when it is the
                // last, else prefixes of keys (the table is then placed by its first key
                // column, so each prefix lies in one vshard: see `bind::key_list_access`).
                let (leading, rest) = table
                    .primary_key
                    .split_at(eq.len().min(table.primary_key.len()));
                let Some(&listed) = rest.first() else {
                    return nothing;
                };
                let mut prefix = Vec::with_capacity(table.primary_key.len());
                for (expr, &column) in eq.iter().zip(leading) {
                    let ty = table.columns[column].ty;
                    match key_value(expr, ty, ctx)? {
                        Some(value) => prefix.push((value, ty)),
                        None => return nothing,
                    }
                }
                let ty = table.columns[listed].ty;
                let lasts = key_list_values(values, ty, ctx)?;
                let keys = lasts.into_iter().map(|value| {
                    let mut parts = prefix.clone();
                    parts.push((value, ty));
                    row_key(&parts)
                });
                let targets = keys_by_owner(table, keys, cluster.workers());
                if targets.is_empty() {
                    return nothing;
                }
                count_scan(cluster, table.id, Some(pkey), 0);
                return Ok(Targets {
                    list: targets,
                    range: None,
                    prefixes: rest.len() > 1,
                });
            }
            Access::Range {
                eq, lower, upper, ..
            } => {
                let Some(bounds) = key_bounds(table, eq, lower, upper, ctx)? else {
                    return nothing;
                };
                count_scan(cluster, table.id, Some(pkey), 0);
                // Keys that share the table's placement prefix live on one vshard.
                let targets = match bounds.vshard {
                    Some(vshard) => vec![(owner_of(vshard, cluster.workers()), None)],
                    None => every(),
                };
                return Ok(Targets {
                    list: targets,
                    range: Some(bounds),
                    prefixes: false,
                });
            }
            Access::Index {
                index,
                eq,
                lower,
                upper,
                ..
            } => {
                let types = |part| index.part_type(table, part);
                let unique = index.unique && eq.len() == index.width();
                let Some((from, to, point)) =
                    part_range(&types, index.width(), unique, eq, lower, upper, ctx)?
                else {
                    return nothing;
                };
                // A unique index's entry for a full key lives with that key's owner alone; the
                // entries of one value of the first key part, in one vshard when the index is
                // placed by that part.
                let vshard = match &point {
                    Some(key) => Some(index.vshard(key)),
                    None if eq.is_empty() => None,
                    None => eq_prefix(&types, index.width(), eq, ctx)?
                        .and_then(|prefix| index.prefix_vshard(&prefix)),
                };
                let scanned: Vec<WorkerId> = match vshard {
                    Some(vshard) => vec![owner_of(vshard, cluster.workers())],
                    None => (0..cluster.workers() as WorkerId).collect(),
                };
                let requests = scanned
                    .into_iter()
                    .map(|w| {
                        let op = ShardOp::IndexScan {
                            index: index.id,
                            placement: index.placement,
                            from: from.clone(),
                            to: to.clone(),
                            vshard,
                            order: None,
                        };
                        (
                            w,
                            ShardRequest {
                                txn,
                                now: ctx.now,
                                op,
                            },
                        )
                    })
                    .collect();
                index_targets(cluster, table, index, requests).await?
            }
        };
        Ok(Targets {
            list: targets,
            range: None,
            prefixes: false,
        })
    }

    /// Brings the entries of every index of `table` in line with rows just written: deletes the
    /// entries of the old rows and puts those of the new ones, grouped by the entries' owners.
    async fn write_index_entries<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &TableDef,
        changes: &[RowChange],
        txn: Tx,
        now: i64,
        building: bool,
    ) -> SqlResult<()> {
        let workers = cluster.workers();
        let table = self.with_bound_indexes(cluster, table)?;
        let table = &*table;
        for index in &table.indexes {
            // Per owner: the entries it removes, those it puts, their keys' texts (unique
            // indexes), the changes they come from; one request each.
            type Writes = (
                Vec<Vec<u8>>,
                Vec<(Vec<u8>, Vec<u8>)>,
                Vec<String>,
                Vec<usize>,
            );
            let mut writes: BTreeMap<WorkerId, Writes> = BTreeMap::new();
            if let Some(class) = index.gin {
                for (key, old, new) in changes {
                    let entries = |row: &Option<Vec<Value>>| -> SqlResult<Vec<Vec<u8>>> {
                        match row {
                            Some(row) => gin_entries(table, index, class, key, row),
                            None => Ok(Vec::new()),
                        }
                    };
                    let (old, new) = (entries(old)?, entries(new)?);
                    // Both sorted: what only the old row has goes, what only the new one has
                    // comes.
                    for entry in old.iter().filter(|e| new.binary_search(e).is_err()) {
                        let owner = owner_of(index.vshard(entry), workers);
                        writes.entry(owner).or_default().0.push(entry.clone());
                    }
                    for entry in new.iter().filter(|e| old.binary_search(e).is_err()) {
                        let owner = owner_of(index.vshard(entry), workers);
                        writes
                            .entry(owner)
                            .or_default()
                            .1
                            .push((entry.clone(), key.clone()));
                    }
                }
            }
            // A B+tree index's entry per row (a GIN index's entries are above).
            let btree_changes = if index.is_btree() { changes } else { &[] };
            for (change, (key, old, new)) in btree_changes.iter().enumerate() {
                let entry_of = |row: &Option<Vec<Value>>| -> SqlResult<Option<Vec<u8>>> {
                    Ok(match row {
                        Some(row) => index_entry(table, index, key, row)?.map(|(e, _)| e),
                        None => None,
                    })
                };
                let old_entry = entry_of(old)?;
                let new_entry = entry_of(new)?;
                if old_entry == new_entry {
                    continue;
                }
                if let Some(entry) = old_entry {
                    let owner = owner_of(index.vshard(&entry), workers);
                    writes.entry(owner).or_default().0.push(entry);
                }
                if let (Some(entry), Some(row)) = (new_entry, new) {
                    let owner = owner_of(index.vshard(&entry), workers);
                    let (_, entries, details, from) = writes.entry(owner).or_default();
                    entries.push((entry, key.clone()));
                    from.push(change);
                    if index.unique {
                        details.push(index_key_text(table, index, row)?);
                    }
                }
            }
            self.note_writers(writes.keys().copied());
            let mut from = Vec::with_capacity(writes.len());
            let requests: Vec<_> = writes
                .into_iter()
                .map(|(w, (deletes, entries, details, changes))| {
                    from.push(changes);
                    let op = ShardOp::IndexPut {
                        index: index.id,
                        placement: index.placement,
                        name: index.name.clone(),
                        deletes,
                        entries,
                        details,
                        building,
                    };
                    (w, ShardRequest { txn, now, op })
                })
                .collect();
            for (result, changes) in cluster.call_all(requests).await.into_iter().zip(&from) {
                if let Err(mut error) = result {
                    // The entry a duplicate was found at names the change it came from.
                    error.batch_row = error.batch_row.and_then(|i| changes.get(i).copied());
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    /// `table` with its indexes' expressions and predicates bound, when one is not (a table
    /// taken from the catalog by DDL; statements bind them with the table).
    fn with_bound_indexes<'t, C: Cluster>(
        &self,
        cluster: &C,
        table: &'t TableDef,
    ) -> SqlResult<std::borrow::Cow<'t, TableDef>> {
        if table.indexes.iter().all(IndexDef::is_bound) {
            return Ok(std::borrow::Cow::Borrowed(table));
        }
        let catalog = self.catalog(cluster);
        let binder = Binder::new(&catalog, &self.info, "", 0, Vec::new());
        let bound = binder.bind_indexes(Arc::new(table.clone()))?;
        Ok(std::borrow::Cow::Owned((*bound).clone()))
    }

    /// TRUNCATE: empties `tables` (and their indexes) on every worker in `txn`, with
    /// PostgreSQL's notice for each of the last `cascaded` (those CASCADE added).
    async fn truncate<C: Cluster>(
        &mut self,
        cluster: &C,
        tables: &[Arc<TableDef>],
        cascaded: usize,
        txn: Tx,
        now: i64,
    ) -> SqlResult<QueryResult> {
        let ids = tables
            .iter()
            .flat_map(|t| std::iter::once(t.id).chain(t.indexes.iter().map(|i| i.id)));
        self.truncate_everywhere(cluster, ids, txn, now).await?;
        let notices = tables[tables.len() - cascaded..]
            .iter()
            .map(|table| {
                SqlError::new(
                    code::SUCCESSFUL_COMPLETION,
                    format!(
                        "truncate cascades to table \"{}\"",
                        crate::catalog::relname(&table.name)
                    ),
                )
            })
            .collect();
        Ok(QueryResult {
            tag: "TRUNCATE TABLE".into(),
            notices,
            ..Default::default()
        })
    }

    /// `REINDEX target name`: every index of the tables it names (one index for INDEX) built
    /// again from the rows, each emptied first, in the statement's transaction; a primary
    /// key, which is the table's own storage order in Keel, has nothing to rebuild. Errors as
    /// PostgreSQL's: 25001 in a transaction block for CONCURRENTLY, SCHEMA, DATABASE and SYSTEM,
    /// 42809 for a relation of another kind, 42P01 / 3F000 for none, 0A000 for another
    /// database or system catalogs concurrently, 42501 for a table the role does not own
    /// (SCHEMA and DATABASE pass over those). Keel's catalogs are not stored tables: SYSTEM
    /// rebuilds nothing. CONCURRENTLY rebuilds as the plain form does (the storage's table lock
    /// on each index holds its writers until the statement commits).
    async fn reindex<C: Cluster>(
        &mut self,
        cluster: &C,
        target: crate::parse::ReindexTarget,
        (name, _): &(String, usize),
        concurrently: bool,
    ) -> SqlResult<QueryResult> {
        use crate::parse::ReindexTarget as T;
        let block = self.txn.as_ref().is_some_and(|txn| txn.explicit);
        if block && (concurrently || !matches!(target, T::Index | T::Table)) {
            let what = if concurrently {
                "REINDEX CONCURRENTLY".to_string()
            } else {
                format!("REINDEX {}", target.word())
            };
            return Err(SqlError::new(
                code::ACTIVE_SQL_TRANSACTION,
                format!("{what} cannot run inside a transaction block"),
            ));
        }
        let catalog = self.catalog(cluster);
        let user = self.info.user.clone();
        // (table, the indexes to build: None for all of them)
        let mut targets: Vec<(Arc<TableDef>, Option<TableId>)> = Vec::new();
        match target {
            T::Index => {
                let key = self.resolve_written(&catalog, name);
                if let Some(table) = catalog.table_of_index(&key) {
                    catalog.require_owner(table, &user)?;
                    let id = table.index(&key).map(|index| index.id);
                    targets.extend(id.map(|id| (table.clone(), Some(id))));
                } else if let Some(table) = (catalog.tables.values())
                    .find(|t| !t.primary_key.is_empty() && t.pkey_name() == key)
                {
                    catalog.require_owner(table, &user)?;
                } else if catalog.relation_exists(&key) || catalog.views.contains_key(&key) {
                    return Err(SqlError::new(
                        code::WRONG_OBJECT_TYPE,
                        format!("\"{}\" is not an index", crate::catalog::relname(&key)),
                    ));
                } else {
                    return Err(SqlError::new(
                        code::UNDEFINED_TABLE,
                        format!("relation \"{name}\" does not exist"),
                    ));
                }
            }
            T::Table => {
                let key = self.resolve_written(&catalog, name);
                if let Some(table) = catalog.tables.get(&key) {
                    catalog.require_owner(table, &user)?;
                    targets.push((table.clone(), None));
                } else if catalog.relation_exists(&key) || catalog.views.contains_key(&key) {
                    return Err(crate::catalog::not_a(&key, "table or materialized view"));
                } else {
                    return Err(SqlError::new(
                        code::UNDEFINED_TABLE,
                        format!("relation \"{name}\" does not exist"),
                    ));
                }
            }
            T::Schema => {
                if !catalog.schema_exists(name) {
                    return Err(SqlError::new(
                        code::INVALID_SCHEMA_NAME,
                        format!("schema \"{name}\" does not exist"),
                    ));
                }
                let tables = (catalog.tables.values()).filter(|t| {
                    crate::catalog::split_name(&t.name).0 == name && catalog.owns(t, &user)
                });
                targets.extend(tables.map(|t| (t.clone(), None)));
            }
            T::Database | T::System => {
                if *name != self.info.database {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        "can only reindex the currently open database",
                    ));
                }
                if target == T::System && concurrently {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        "cannot reindex system catalogs concurrently",
                    ));
                }
                if target == T::Database {
                    let tables = (catalog.tables.values()).filter(|t| {
                        !crate::catalog::is_temp_schema(crate::catalog::split_name(&t.name).0)
                            && catalog.owns(t, &user)
                    });
                    targets.extend(tables.map(|t| (t.clone(), None)));
                }
            }
        }
        // Partial and expression indexes need their predicates and parts bound.
        let binder = Binder::new(&catalog, &self.info, "", 0, Vec::new());
        let targets = (targets.into_iter())
            .map(|(table, only)| Ok((binder.bind_indexes(table)?, only)))
            .collect::<SqlResult<Vec<_>>>()?;
        let txn = self.txn_for_statement(cluster);
        let now = now_timestamp();
        for (table, only) in targets {
            for index in &table.indexes {
                if only.is_some_and(|id| id != index.id) {
                    continue;
                }
                self.truncate_everywhere(cluster, [index.id], txn, now)
                    .await?;
                self.build_index(cluster, &table, index, txn).await?;
            }
        }
        self.end_statement(cluster).await?;
        Ok(QueryResult {
            tag: "REINDEX".into(),
            ..Default::default()
        })
    }

    /// Truncates each of `ids` (tables, indexes) on every worker, in `txn`.
    async fn truncate_everywhere<C: Cluster>(
        &mut self,
        cluster: &C,
        ids: impl IntoIterator<Item = keel_storage::TableId>,
        txn: Tx,
        now: i64,
    ) -> SqlResult<()> {
        let all: Vec<WorkerId> = (0..cluster.workers() as WorkerId).collect();
        self.note_ddl_writers(all.iter().copied());
        for id in ids {
            let requests = all
                .iter()
                .map(|w| {
                    let op = ShardOp::Truncate { table: id };
                    (*w, ShardRequest { txn, now, op })
                })
                .collect();
            gather(cluster.call_all(requests).await)?;
        }
        Ok(())
    }

    /// Fills a new index from every row of `table` (CREATE INDEX), one worker's rows at a time.
    async fn build_index<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &TableDef,
        index: &IndexDef,
        txn: Tx,
    ) -> SqlResult<()> {
        let mut only = table.clone();
        only.indexes = vec![index.clone()];
        for worker in 0..cluster.workers() as WorkerId {
            let output = cluster
                .call(
                    worker,
                    ShardRequest {
                        txn,
                        now: 0,
                        op: ShardOp::Read {
                            table: Arc::new(table.clone()),
                            key: None,
                            filter: None,
                            params: Arc::new(Vec::new()),
                            keyed: true,
                            columns: None,
                            project: None,
                            part: None,
                            prefixes: false,
                            range: None,
                        },
                    },
                )
                .await?;
            let changes: Vec<_> = output
                .keys
                .into_iter()
                .zip(output.rows)
                .map(|(key, row)| (key, None, Some(row)))
                .collect();
            for chunk in changes.chunks(16_384) {
                self.write_index_entries(cluster, &only, chunk, txn, 0, true)
                    .await?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_select<C: Cluster>(
        &mut self,
        cluster: &C,
        plan: &SelectPlan,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
        stream: bool,
    ) -> SqlResult<QueryResult> {
        match (&plan.table, &plan.grouping, plan.locking) {
            (Some(table), None, None) => {
                return self
                    .scan_select(cluster, plan, table, params, txn, now, cancel, stream)
                    .await;
            }
            // A grouped read of one table aggregates on the workers, in parts merged here.
            (Some(table), Some(grouping), None)
                if grouping
                    .aggs
                    .iter()
                    .all(|call| !call.distinct && call.func.mergeable()) =>
            {
                return self
                    .grouped_select(
                        cluster, plan, table, grouping, params, txn, now, cancel, stream,
                    )
                    .await;
            }
            _ => {}
        }
        let sequences = self.sequences(cluster);
        let mut ctx = EvalContext::new(params, now);
        ctx.sequences = Some(&*sequences);
        let input: Vec<Vec<Value>> = match &plan.table {
            None => {
                // pg_sleep runs before the row is computed, and can be canceled.
                for output in &plan.outputs {
                    let mut sleeps = Vec::new();
                    output.visit(&mut |e| {
                        if let Expr::Func(Func::PgSleep, args) = e {
                            sleeps.push(args[0].clone());
                        }
                    });
                    for seconds in sleeps {
                        if let Value::Float(seconds) = seconds.eval(&[], &ctx)? {
                            if seconds > 0.0 {
                                cancel
                                    .sleep(Duration::from_secs_f64(seconds.min(86_400.0)))
                                    .await?;
                            }
                        }
                    }
                }
                match &plan.filter {
                    Some(filter) if !filter.is_true(&[], &ctx)? => Vec::new(),
                    _ => vec![Vec::new()],
                }
            }
            Some(table) => {
                let Targets {
                    list: targets,
                    range,
                    prefixes,
                } = self
                    .targets(cluster, table, &plan.access, &ctx, txn)
                    .await?;
                let keyed = plan.locking.is_some();
                let requests = targets
                    .into_iter()
                    .map(|(worker, key)| {
                        let op = ShardOp::Read {
                            table: table.clone(),
                            key,
                            filter: plan.filter.clone(),
                            params: params.clone(),
                            keyed,
                            columns: None,
                            project: None,
                            part: None,
                            prefixes,
                            range: range.clone(),
                        };
                        (worker, ShardRequest { txn, now, op })
                    })
                    .collect();
                if let Some(locking) = plan.locking {
                    let candidates = cluster.call_all(requests).await;
                    self.lock_rows(cluster, plan, locking, candidates, txn, params, now)
                        .await?
                } else {
                    gather(cluster.call_all(requests).await)?.1
                }
            }
        };
        cancel.check()?;
        let rows = match &plan.grouping {
            None => project(&input, &plan.outputs, &ctx)?,
            Some(grouping) => {
                let mut rows = Vec::new();
                for grouped in group(&input, &grouping.keys, &grouping.aggs, &ctx)? {
                    if let Some(having) = &grouping.having {
                        if !having.is_true(&grouped, &ctx)? {
                            continue;
                        }
                    }
                    rows.push(
                        plan.outputs
                            .iter()
                            .map(|e| e.eval(&grouped, &ctx))
                            .collect::<SqlResult<Vec<_>>>()?,
                    );
                }
                rows
            }
        };
        let mut rows = rows;
        if !plan.order_by.is_empty() {
            rows.sort_by(|a, b| compare_rows(a, b, &plan.order_by));
        }
        let offset = count_value(plan.offset.as_ref(), &ctx, "OFFSET")?.unwrap_or(0);
        let limit = count_value(plan.limit.as_ref(), &ctx, "LIMIT")?;
        let visible = plan.columns.len();
        let rows: Vec<Vec<Value>> = rows
            .into_iter()
            .skip(offset as usize)
            .take(limit.map_or(usize::MAX, |l| l as usize))
            .map(|mut row| {
                row.truncate(visible);
                row
            })
            .collect();
        Ok(select_result(&plan.columns, rows))
    }

    /// A one-table SELECT without grouping or row locks: reads the table in parts
    /// ([`ScanPart`]), computes each part's output rows and puts them into a [`Sorter`] in
    /// `ORDER BY` order (or as they come), which keeps at most `work_mem` of them in memory and
    /// the rest in temporary files. LIMIT stops the reads once enough rows came (without ORDER
    /// BY) and bounds the sort (with it). With `stream`, the result's rows are read from the
    /// sorter as they are sent ([`QueryResult::stream`]); else they are collected.
    #[allow(clippy::too_many_arguments)]
    async fn scan_select<C: Cluster>(
        &mut self,
        cluster: &C,
        plan: &SelectPlan,
        table: &Arc<TableDef>,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
        stream: bool,
    ) -> SqlResult<QueryResult> {
        let sequences = self.sequences(cluster);
        let mut ctx = EvalContext::new(params, now);
        ctx.sequences = Some(&*sequences);
        let mut output = SelectOutput::new(
            plan,
            &ctx,
            self.settings.work_mem_bytes(),
            cluster.temp_dir(),
        )?;
        // Ordered by the primary key with a LIMIT: each worker returns its first rows in key
        // order, so the sorter sees at most LIMIT + OFFSET rows per worker. Ordered by a
        // secondary index's columns: its entries are read in order until enough rows passed.
        let order = crate::plan::scan_order(table, &plan.access, &plan.outputs, &plan.order_by)
            .zip(output.wanted)
            .filter(|&(_, wanted)| wanted <= ORDERED_READ_ROWS);
        // Through a secondary index in order: its entries name the rows (below).
        let (through, order) = split_order(order);
        let Targets {
            list: targets,
            range,
            prefixes,
        } = match through {
            Some(_) => Targets::default(),
            None => {
                self.targets(cluster, table, &plan.access, &ctx, txn)
                    .await?
            }
        };
        // Otherwise, with a LIMIT + OFFSET of at most `TOP_ROWS` over a sort on columns, each
        // worker sorts its parts and returns their first rows (when computing the outputs of
        // fewer rows changes nothing but their number: no sequence or random function).
        let top = match (&order, &through, output.wanted) {
            (None, None, Some(wanted)) if wanted <= crate::fragment::TOP_ROWS && !prefixes => {
                let columns: Option<Vec<usize>> = plan
                    .order_by
                    .iter()
                    .map(|key| match plan.outputs.get(key.output) {
                        Some(Expr::Column(c)) => Some(*c),
                        _ => None,
                    })
                    .collect();
                let repeatable = plan
                    .outputs
                    .iter()
                    .all(|e| e.is_local() && !e.draws_random());
                columns
                    .filter(|columns| !columns.is_empty() && repeatable)
                    .map(|columns| {
                        let keys = plan
                            .order_by
                            .iter()
                            .zip(&columns)
                            .map(|(key, &c)| crate::plan::SortKey { output: c, ..*key })
                            .collect();
                        Arc::new(crate::fragment::TopRows {
                            keys,
                            columns,
                            count: wanted,
                        })
                    })
            }
            _ => None,
        };
        let read = ScanRead {
            parts: true,
            table,
            filter: &plan.filter,
            columns: &None,
            project: &None,
            params,
            txn,
            now,
            prefixes,
            range,
            order,
            top,
        };
        if let Some(through) = through {
            if output.sorter.wants_more() {
                let segments = index_segments(table, &plan.access, &through.0, &ctx)?;
                index_ordered_read(cluster, &read, through, segments, cancel, |rows| {
                    for row in &rows {
                        output.push(row, &ctx)?;
                    }
                    Ok(())
                })
                .await?;
            }
            return output.finish(stream);
        }
        // LIMIT 0 reads nothing.
        let targets = if output.sorter.wants_more() {
            targets
        } else {
            Vec::new()
        };
        read_in_parts(cluster, &read, targets, cancel, |_, rows| {
            for row in &rows {
                if !output.sorter.wants_more() {
                    break;
                }
                output.push(row, &ctx)?;
            }
            Ok(output.sorter.wants_more())
        })
        .await?;
        output.finish(stream)
    }

    /// A grouped one-table SELECT whose aggregates merge (no DISTINCT, no collecting ones):
    /// the workers aggregate in parts and the session merges them within `hash_mem`, spilling
    /// past it ([`Session::partial_aggregate`]); HAVING and the outputs run per group as the
    /// groups come, and the result goes through a [`Sorter`] as [`Session::scan_select`]'s
    /// does, so a GROUP BY of millions of groups holds about `hash_mem` + `work_mem` at a time.
    #[allow(clippy::too_many_arguments)]
    async fn grouped_select<C: Cluster>(
        &mut self,
        cluster: &C,
        plan: &SelectPlan,
        table: &Arc<TableDef>,
        grouping: &crate::plan::Grouping,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
        stream: bool,
    ) -> SqlResult<QueryResult> {
        let sequences = self.sequences(cluster);
        let mut ctx = EvalContext::new(params, now);
        ctx.sequences = Some(&*sequences);
        let mut output = SelectOutput::new(
            plan,
            &ctx,
            self.settings.work_mem_bytes(),
            cluster.temp_dir(),
        )?;
        if let Some((column, index, ends)) = key_extremes(table, &plan.access, grouping) {
            // min/max of the first primary key column alone: the first row each worker has in
            // key order (as PostgreSQL reads them from the index), not every row; of a
            // secondary index's first column, the first entries in its order.
            let project = Some(Arc::new(vec![column]));
            let mut group = Vec::with_capacity(ends.len());
            for direction in ends {
                // The end a row's value makes, if it is past the one found so far.
                let further = |end: &mut Option<Value>, value: Value| {
                    let first = end.as_ref().is_none_or(|end| {
                        let order = compare(&value, end);
                        (direction == Direction::Forward) == order.is_lt()
                    });
                    if first && !value.is_null() {
                        *end = Some(value);
                    }
                };
                let mut end: Option<Value> = None;
                let Targets {
                    list: targets,
                    range,
                    prefixes,
                } = match index {
                    Some(_) => Targets::default(),
                    None => {
                        self.targets(cluster, table, &plan.access, &ctx, txn)
                            .await?
                    }
                };
                let read = ScanRead {
                    parts: true,
                    table,
                    filter: &plan.filter,
                    columns: &None,
                    project: &project,
                    params,
                    txn,
                    now,
                    prefixes,
                    range,
                    order: index.is_none().then_some((direction, 1)),
                    top: None,
                };
                match index {
                    Some(index) => {
                        let order = crate::plan::ScanOrder::Index {
                            index,
                            direction,
                            nulls_first: false,
                            fixed: 0,
                        };
                        // The entries of values alone: min and max leave NULLs out.
                        let values = index_segments(table, &plan.access, &order, &ctx)?
                            .into_iter()
                            .take(1)
                            .collect();
                        index_ordered_read(
                            cluster,
                            &read,
                            (order, index, 1),
                            values,
                            cancel,
                            |rows| {
                                for value in
                                    rows.into_iter().filter_map(|row| row.into_iter().next())
                                {
                                    further(&mut end, value);
                                }
                                Ok(())
                            },
                        )
                        .await?;
                    }
                    None => {
                        read_in_parts(cluster, &read, targets, cancel, |_, rows| {
                            for value in rows.into_iter().filter_map(|row| row.into_iter().next()) {
                                further(&mut end, value);
                            }
                            Ok(true)
                        })
                        .await?;
                    }
                }
                group.push(end.unwrap_or(Value::Null));
            }
            if let Some(having) = &grouping.having {
                if !having.is_true(&group, &ctx)? {
                    return output.finish(stream);
                }
            }
            output.push(&group, &ctx)?;
            return output.finish(stream);
        }
        let mut grouped = self
            .partial_aggregate(
                cluster,
                table,
                &plan.access,
                (plan.filter.clone(), None),
                &grouping.keys,
                &grouping.aggs,
                params,
                txn,
                now,
                cancel,
            )
            .await?;
        while output.sorter.wants_more() {
            let Some(group) = grouped.next_row()? else {
                break;
            };
            if let Some(having) = &grouping.having {
                if !having.is_true(&group, &ctx)? {
                    continue;
                }
            }
            output.push(&group, &ctx)?;
        }
        drop(grouped);
        output.finish(stream)
    }

    /// A general query's result (see [`Session::query_rows`]); with `stream`, one that went to a
    /// temporary file is read from it as it is sent ([`QueryResult::stream`]) instead of
    /// collected.
    #[allow(clippy::too_many_arguments)]
    async fn run_query<C: Cluster>(
        &mut self,
        cluster: &C,
        plan: &QueryPlan,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
        stream: bool,
    ) -> SqlResult<QueryResult> {
        // A SELECT without FROM waits for the advisory locks it asks for before it runs.
        if let Rel::Project { input, exprs } = &plan.rel {
            if matches!(&**input, Rel::Values { rows, width: 0 } if rows.len() == 1) {
                let sequences = self.sequences(cluster);
                let mut ctx = EvalContext::new(params, now);
                ctx.sequences = Some(&*sequences);
                self.take_advisory_locks(cluster, exprs, &ctx, &sequences, cancel)
                    .await?;
            }
        }
        let rel = runnable(&plan.rel);
        let ran = self
            .run_tree(cluster, &rel, params, txn, now, cancel, false)
            .await;
        // A lock taken for a call the statement did not reach (it failed first) stays held, as
        // it would be in PostgreSQL had the call run; the next statement's calls take it anew.
        if let Some(sequences) = &self.sequences {
            sequences.clear_prepaid();
        }
        let (rows, _) = ran?;
        // A result in a temporary file is read from it as it is sent (`stream`).
        if stream && rows.is_spilled() {
            return Ok(QueryResult {
                columns: plan.columns.to_vec(),
                tag: format!("SELECT {}", rows.len()),
                stream: Some(rows.into_stream()?),
                ..Default::default()
            });
        }
        Ok(select_result(&plan.columns, rows.into_rows()?))
    }

    /// EXPLAIN ANALYZE of INSERT, UPDATE or DELETE: runs the write (`write.plan`, in the
    /// statement's transaction, as PostgreSQL does) and prints its node with the rows it returned
    /// (RETURNING's, else 0), ON CONFLICT's counts of rows inserted and conflicting, and under it
    /// what found the rows: the tree the write ran (an INSERT's query, the query of a write with
    /// FROM/USING or subqueries) with each node's statistics, an INSERT's VALUES with the rows it
    /// proposed, or the target's scan (`rel`). That scan runs inside the write on the workers,
    /// so its line carries the rows the write changed, the write's time, and as removed by its
    /// filter the rows the workers visited and did not change.
    #[allow(clippy::too_many_arguments)]
    async fn explain_analyzed_write<C: Cluster>(
        &mut self,
        cluster: &C,
        write: &crate::plan::ExplainWrite,
        rel: &Rel,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
        timing: bool,
    ) -> SqlResult<Vec<String>> {
        let started = std::time::Instant::now();
        self.instrument = Some(Instrument::default());
        let result = Box::pin(self.run_plan(cluster, &write.plan, params, txn, now, cancel)).await;
        let instrument = self.instrument.take().unwrap_or_default();
        let result = result?;
        let micros = started.elapsed().as_micros() as u64;
        // The write returns its rows when it is done: startup and total are the same.
        let counts = |rows: u64| crate::explain::NodeStats {
            rows,
            loops: 1,
            micros,
            startup_micros: micros,
            ..Default::default()
        };
        let actual = |rows: u64| crate::explain::actual(&counts(rows), timing);
        let changed = tag_count(&result.tag);
        let mut lines = write.lines.clone();
        lines[0].push_str(&actual(result.rows.len() as u64));
        if let Some(inserted) = instrument.inserted {
            lines.push(format!("  Tuples Inserted: {inserted}"));
            lines.push(format!(
                "  Conflicting Tuples: {}",
                instrument.proposed.saturating_sub(inserted)
            ));
        }
        if let Some(tuples) = instrument.merged {
            let counts: String = ["inserted", "updated", "deleted", "skipped"]
                .iter()
                .zip(tuples)
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| format!(" {name}={n}"))
                .collect();
            if !counts.is_empty() {
                lines.push(format!("  Tuples:{counts}"));
            }
        }
        let source = match &write.plan {
            Plan::WriteFromQuery(w) => Some(&w.rel),
            Plan::Merge(merge) => Some(&merge.rel),
            Plan::Insert(insert) => insert.source.as_ref(),
            _ => None,
        };
        let ran = source.and_then(|source| {
            let address = crate::query::address(source);
            (instrument.trees.iter()).find(|(from, ..)| *from == address)
        });
        let tree = match (&write.child, ran) {
            (Some(line), _) => vec![format!("{line}{}", actual(instrument.proposed))],
            (None, Some((_, tree, stats))) => {
                crate::explain::explain(tree, Some(stats), timing, self.settings.merge_joins())
            }
            (None, None) => {
                let stats = crate::explain::Stats::from([(
                    crate::query::address(rel),
                    crate::explain::NodeStats {
                        removed: Some(instrument.visited.saturating_sub(changed.unwrap_or(0))),
                        ..counts(changed.unwrap_or(0))
                    },
                )]);
                crate::explain::explain(rel, Some(&stats), timing, false)
            }
        };
        nest_under(&mut lines, tree);
        Ok(lines)
    }

    /// The rows of a query tree: reads every scan of the tree from the workers (filters pushed
    /// down), then runs the tree in memory (see `query.rs`).
    async fn query_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        rel: &Rel,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<Vec<Vec<Value>>> {
        if self.instrument.is_some() {
            // Under EXPLAIN ANALYZE of a write: run with statistics and keep them.
            let tree = Box::new(runnable(rel));
            let (rows, stats) = self
                .run_tree(cluster, &tree, params, txn, now, cancel, true)
                .await?;
            if let Some(instrument) = &mut self.instrument {
                let address = crate::query::address(rel);
                instrument
                    .trees
                    .push((address, tree, stats.unwrap_or_default()));
            }
            return rows.into_rows();
        }
        let rel = runnable(rel);
        self.run_tree(cluster, &rel, params, txn, now, cancel, false)
            .await?
            .0
            .into_rows()
    }

    /// The tree with the rows of its [`Rel::LockRows`] nodes in their place (as constants),
    /// locked first: each node's input runs as a tree of its own (the nodes inside it first),
    /// then [`Session::lock_candidates`] locks. They read nothing of the rows around them (a
    /// correlated one is refused when bound), so one run per statement is all their work, as
    /// PostgreSQL's InitPlans; the rest of the tree then reads the locked rows.
    #[allow(clippy::too_many_arguments)]
    async fn lock_subtrees<'r, C: Cluster>(
        &mut self,
        cluster: &C,
        rel: &'r Rel,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<Cow<'r, Rel>> {
        let mut any = false;
        rel.visit(&mut |node| any |= matches!(node, Rel::LockRows { .. }));
        if !any {
            return Ok(Cow::Borrowed(rel));
        }
        let mut tree = rel.clone();
        let mut nodes = Vec::new();
        tree.each_lock_rows(&mut |node| nodes.push(node.clone()));
        let mut locked = Vec::with_capacity(nodes.len());
        for node in &nodes {
            let Rel::LockRows {
                input,
                width,
                limit,
                offset,
                ..
            } = node
            else {
                unreachable!("each_lock_rows finds LockRows nodes");
            };
            // Under a LIMIT, the first candidates only (a LIMIT over the input's sort reads a
            // table's first rows in key or index order: `plan::top_scans`), more when too few
            // of them could be kept.
            let ctx = EvalContext::new(params, now);
            let skip = count_value(offset.as_ref(), &ctx, "OFFSET")?.unwrap_or(0);
            let skip = usize::try_from(skip).unwrap_or(usize::MAX);
            let wanted = count_value(limit.as_ref(), &ctx, "LIMIT")?
                .map(|limit| skip.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX)));
            let mut fetch = wanted.map(|wanted| wanted.saturating_mul(2).max(16));
            let mut newest = HashMap::new();
            let rows = loop {
                let limited;
                let input = match fetch {
                    Some(fetch) => {
                        limited = Rel::Limit {
                            input: input.clone(),
                            limit: Some(Expr::Const(Value::Int(
                                fetch.min(i64::MAX as usize) as i64
                            ))),
                            offset: None,
                            ties: None,
                        };
                        &limited
                    }
                    None => input.as_ref(),
                };
                let (candidates, _) =
                    Box::pin(self.run_tree(cluster, input, params, txn, now, cancel, false))
                        .await?;
                let candidates = candidates.into_rows()?;
                let all = fetch.is_none_or(|fetch| candidates.len() < fetch);
                let kept = self
                    .lock_candidates(
                        cluster,
                        node,
                        candidates,
                        wanted,
                        &mut newest,
                        params,
                        txn,
                        now,
                    )
                    .await?;
                let enough = wanted.is_some_and(|wanted| kept.len() >= wanted);
                let rows: Vec<Row> = kept.into_iter().skip(skip).collect();
                cancel.check()?;
                if enough || all {
                    break rows;
                }
                fetch = fetch.map(|fetch| fetch.saturating_mul(8));
            };
            locked.push(Rel::Constants {
                rows: crate::plan::ConstantRows(vec![Arc::new(rows)]),
                width: *width,
            });
        }
        let mut locked = locked.into_iter();
        tree.each_lock_rows(&mut |node| {
            *node = locked.next().expect("one result per LockRows node");
        });
        Ok(Cow::Owned(tree))
    }

    /// The rows a [`Rel::LockRows`] node gives, from its input's `candidates` (in the
    /// statement's order), as PostgreSQL's LockRows under a Limit: candidate after candidate,
    /// its rows of the node's tables are locked (by primary key, on their owners, a batch of
    /// candidates at a time: as many as OFFSET + LIMIT still need), until OFFSET + LIMIT are
    /// kept. A candidate with a row deleted meanwhile or skipped (SKIP LOCKED) is passed over;
    /// one with a row changed meanwhile (READ COMMITTED: the worker returns the newest version,
    /// REPEATABLE READ fails with 40001 instead) takes the newest versions into its FROM row,
    /// must still pass the node's `recheck`, and has its outputs computed again (those that run
    /// no subquery or sequence function). `newest` keeps the newest version of each row locked
    /// so far, by target and key (None: deleted, or skipped), across calls for one node.
    /// Returns the outputs of the first `wanted` (OFFSET + LIMIT) rows kept.
    #[allow(clippy::too_many_arguments)]
    async fn lock_candidates<C: Cluster>(
        &mut self,
        cluster: &C,
        node: &Rel,
        candidates: Vec<Row>,
        wanted: Option<usize>,
        newest: &mut HashMap<(usize, Vec<u8>), Option<Vec<Value>>>,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
    ) -> SqlResult<Vec<Row>> {
        let Rel::LockRows {
            width,
            targets,
            fixups,
            recheck,
            outputs,
            ..
        } = node
        else {
            unreachable!("lock_candidates runs LockRows nodes");
        };
        let ctx = EvalContext::new(params, now);
        let workers = cluster.workers();
        // Where each target's row lies in a candidate.
        let spans: Vec<std::ops::Range<usize>> = (targets.iter())
            .map(|t| width + t.offset..width + t.offset + t.table.columns.len())
            .collect();
        // The key of target `t`'s row in a candidate: its primary key, or the row key that
        // follows its row (see `SelectParts::add_row_keys`).
        let key_of = |t: usize, row: &[Value]| match row.get(spans[t].end) {
            Some(Value::Bytes(key)) if targets[t].table.primary_key.is_empty() => key.clone(),
            _ => primary_key_of(&targets[t].table, &row[spans[t].clone()]),
        };
        let mut kept: Vec<Row> = Vec::new();
        let mut next = 0;
        while next < candidates.len() && wanted.is_none_or(|wanted| kept.len() < wanted) {
            let left = candidates.len() - next;
            let take = wanted.map_or(left, |wanted| (wanted - kept.len()).min(left));
            let chunk = &candidates[next..next + take];
            next += take;
            for (t, target) in targets.iter().enumerate() {
                let mut by_worker: BTreeMap<WorkerId, Vec<Vec<u8>>> = BTreeMap::new();
                for row in chunk {
                    let key = key_of(t, row);
                    if let std::collections::hash_map::Entry::Vacant(entry) =
                        newest.entry((t, key.clone()))
                    {
                        entry.insert(None);
                        by_worker
                            .entry(owner_of(target.table.vshard(&key), workers))
                            .or_default()
                            .push(key);
                    }
                }
                if by_worker.is_empty() {
                    continue;
                }
                self.note_writers(by_worker.keys().copied());
                let requests = by_worker
                    .into_iter()
                    .map(|(worker, keys)| {
                        let op = ShardOp::LockRows {
                            table: target.table.clone(),
                            keys,
                            filter: None,
                            params: params.clone(),
                            locking: target.locking,
                        };
                        (worker, ShardRequest { txn, now, op })
                    })
                    .collect();
                for output in cluster.call_all(requests).await {
                    let output = output?;
                    for (key, row) in output.keys.into_iter().zip(output.rows) {
                        newest.insert((t, key), Some(row));
                    }
                }
            }
            'candidates: for candidate in chunk {
                let mut row = candidate.clone();
                let mut changed = false;
                for (t, span) in spans.iter().cloned().enumerate() {
                    let key = key_of(t, &row);
                    let Some(Some(version)) = newest.get(&(t, key)) else {
                        continue 'candidates;
                    };
                    if row[span.clone()] != version[..] {
                        row.splice(span, version.iter().cloned());
                        changed = true;
                    }
                }
                if changed {
                    for (column, fixup) in fixups {
                        if fixup.recomputable() {
                            row[*column] = fixup.eval(&row, &ctx)?;
                        }
                    }
                    if let Some(recheck) = recheck {
                        if !recheck.is_true(&row, &ctx)? {
                            continue;
                        }
                    }
                    for (i, output) in outputs.iter().enumerate() {
                        if output.recomputable() {
                            row[i] = output.eval(&row, &ctx)?;
                        }
                    }
                }
                row.truncate(*width);
                kept.push(row);
            }
        }
        Ok(kept)
    }

    /// [`Session::query_rows`] of a tree `runnable` made, with per-node statistics
    /// (by the tree's node addresses) when `analyze`.
    #[allow(clippy::too_many_arguments)]
    async fn run_tree<C: Cluster>(
        &mut self,
        cluster: &C,
        rel: &Rel,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
        analyze: bool,
    ) -> SqlResult<(RowSet, Option<crate::explain::Stats>)> {
        let locked = self
            .lock_subtrees(cluster, rel, params, txn, now, cancel)
            .await?;
        let rel = &*locked;
        let ctx = EvalContext::new(params, now);
        let used = crate::query::used_columns(rel);
        // Aggregates straight over a scan run in parts on the workers; their scans are not read.
        let mut pushed = Vec::new();
        rel.visit(&mut |node| {
            if crate::query::pushable_aggregate(node) {
                pushed.push(node);
            }
        });
        // A filter right above a pushed aggregate (HAVING) of functions of the groups alone goes
        // with it: workers that finish whole groups send only the rows it keeps (it is tested
        // here again, so a worker that merges partial states elsewhere may ignore it).
        let mut havings: HashMap<usize, Arc<Expr>> = HashMap::new();
        rel.visit(&mut |node| {
            if let Rel::Filter { input, predicate } = node {
                if predicate.is_local()
                    && predicate.calls_nothing()
                    && crate::query::pushable_aggregate(input)
                {
                    havings.insert(
                        crate::query::address(input.as_ref()),
                        Arc::new(predicate.clone()),
                    );
                }
            }
        });
        let mut aggregated: Vec<(&Rel, RowSet, crate::query::SpillStats)> = Vec::new();
        for node in &pushed {
            let Rel::Aggregate { input, keys, aggs } = node else {
                continue;
            };
            // The same aggregate twice (a WITH query named twice, as TPC-H Q15's revenue view)
            // is computed once, unless it makes random values.
            let random = node.node_exprs().iter().any(|e| {
                let mut found = false;
                e.visit(&mut |x| {
                    found |= matches!(
                        x,
                        Expr::Func(
                            crate::expr::Func::GenRandomUuid
                                | crate::expr::Func::Random
                                | crate::expr::Func::ClockTimestamp,
                            _
                        )
                    )
                });
                found
            });
            // (Only when the same HAVING went with both: the rows are the ones it kept.)
            let having_of = |node: &Rel| havings.get(&crate::query::address(node));
            if let Some((_, rows, stats)) = aggregated
                .iter()
                .find(|(done, ..)| !random && *done == *node && having_of(done) == having_of(node))
            {
                let (rows, stats) = (rows.duplicate(), *stats);
                aggregated.push((*node, rows, stats));
                continue;
            }
            let Rel::Scan {
                table,
                access,
                filter,
                ..
            } = input.as_ref()
            else {
                continue;
            };
            let mut grouped = self
                .partial_aggregate(
                    cluster,
                    table,
                    access,
                    (
                        filter.clone(),
                        havings.get(&crate::query::address(*node)).cloned(),
                    ),
                    keys,
                    aggs,
                    params,
                    txn,
                    now,
                    cancel,
                )
                .await?;
            let mut rows = Vec::new();
            while let Some(row) = grouped.next_row()? {
                rows.push(row);
            }
            aggregated.push((*node, RowSet::from(rows), grouped.stats()));
            cancel.check()?;
        }
        let skipped: Vec<usize> = pushed
            .iter()
            .filter_map(|node| match node {
                Rel::Aggregate { input, .. } => Some(input.as_ref() as *const Rel as usize),
                _ => None,
            })
            .collect();
        // The executor holds the aggregates already made and each scan as it is read: the
        // key sets of uncorrelated IN subqueries come from it before the scans they filter.
        let check = || cancel.check();
        let sequences = self.sequences(cluster);
        let mut executor = Executor::new(params, now, &check);
        executor.sequences = Some(&*sequences);
        executor.hash_mem = Some((self.settings.hash_mem_bytes(), cluster.temp_dir()));
        let memory = StatementMemory::new(self.settings.statement_mem_bytes(), cluster.temp_dir());
        executor.memory = Some(memory.clone());
        executor.work_mem = self.settings.work_mem_bytes();
        executor.merge_joins = self.settings.merge_joins();
        for (&id, rows) in &self.work_tables {
            executor.set_work(id, rows.clone());
        }
        if analyze {
            executor.record_stats();
        }
        for (node, rows, hash) in aggregated {
            executor.set_aggregate(node, rows);
            executor.record_hash(node, hash);
        }
        // Scans are read one after another; one read after a scan it is joined with on an
        // equality takes that scan's key values as a semi-join filter (`join_order::key_edges`),
        // so rows that can join nothing stay on the workers. With statistics for every table the
        // next scan is the one estimated smallest after the filters the scans read so far give
        // it, and a filter is sent when it is estimated to drop a tenth of the rows or more;
        // without, scans with filters of their own go first, then those joined to scans already
        // narrowed, and every filter from a narrowed scan is sent.
        let edges = crate::join_order::key_edges(rel);
        // Scans under a LIMIT over a sort by their primary key: read in key order, each worker's
        // first LIMIT + OFFSET rows (when read alone and without semi-join keys).
        let tops = crate::plan::top_scans(rel);
        let mut pending: Vec<&Rel> = crate::query::scans(rel)
            .into_iter()
            .filter(|scan| !skipped.contains(&(*scan as *const Rel as usize)))
            .collect();
        // LIMIT + OFFSET of a scan under a LIMIT over a sort of its rows, when it is read in
        // order (each worker returns that many) or sorted on the workers (each part does), and
        // whether it is read in order.
        let top_wanted = |top: &crate::plan::TopScan<'_>| -> SqlResult<Option<usize>> {
            let offset = count_value(top.offset, &ctx, "OFFSET")?.unwrap_or(0);
            // LIMIT NULL (or ALL) takes every row.
            let wanted = count_value(Some(top.limit), &ctx, "LIMIT")?
                .and_then(|limit| usize::try_from(limit.saturating_add(offset)).ok());
            let most = if top.order.is_some() {
                ORDERED_READ_ROWS
            } else {
                crate::fragment::TOP_ROWS
            };
            Ok(wanted.filter(|&wanted| wanted <= most))
        };
        let top_rows = |scan: &Rel| -> Option<(usize, bool)> {
            let top = tops.iter().find(|top| std::ptr::eq(top.scan, scan))?;
            Some((top_wanted(top).ok()??, top.order.is_some()))
        };
        let restricted = |scan: &Rel| match scan {
            Rel::Scan { filter, access, .. } => {
                filter.is_some() || !matches!(access, Access::Scan) || top_rows(scan).is_some()
            }
            _ => false,
        };
        let statistics = cluster.statistics().snapshot();
        let table_stats = |scan: &Rel| match scan {
            Rel::Scan { table, .. } => crate::stats::TableStats::of(&statistics, table),
            _ => None,
        };
        // A scan's rows after its own filter, estimated.
        let estimate = |scan: &Rel| -> Option<f64> {
            let Rel::Scan {
                access,
                filter,
                table,
                ..
            } = scan
            else {
                return None;
            };
            let stats = table_stats(scan)?;
            if let Some(rows) = access.most_rows(table) {
                return Some(rows);
            }
            let kept = filter
                .as_ref()
                .map_or(1.0, |f| crate::stats::selectivity(&stats, f, &ctx));
            let rows = (stats.reltuples * kept).max(1.0);
            let workers = cluster.workers() as f64;
            Some(match top_rows(scan) {
                Some((wanted, true)) => rows.min(wanted as f64 * workers),
                Some((wanted, false)) => {
                    let parts =
                        (stats.reltuples / workers / crate::fragment::SCAN_PART_VISITS as f64)
                            .ceil();
                    rows.min(wanted as f64 * workers * parts.max(1.0))
                }
                None => rows,
            })
        };
        let estimated = pending.iter().all(|scan| estimate(scan).is_some());
        // The share of `edge.to`'s rows a filter of `keys` keys keeps.
        let keep_share = |edge: &crate::join_order::KeyEdge<'_>, keys: usize| -> Option<f64> {
            let stats = table_stats(edge.to)?;
            let column = scan_column(edge.to, crate::join_order::column_of(&edge.to_expr)?);
            Some((keys as f64 / stats.distinct(column)?.max(1.0)).min(1.0))
        };
        // Key sets of edges whose source has been read (None: too many rows to make one).
        let mut edge_keys: HashMap<usize, Option<Arc<crate::query::KeyIds>>> = HashMap::new();
        let mut narrowed: Vec<*const Rel> = Vec::new();
        // Each scan read along with another ([`same_read`]), to the scan read first.
        let mut read_with: HashMap<*const Rel, *const Rel> = HashMap::new();
        // An uncorrelated IN subquery runs as soon as its scans are read (or made as
        // aggregates), once: the executor keeps its rows for the statement.
        let run_subqueries =
            |executor: &Executor<'_>,
             pending: &[&Rel],
             edge_keys: &mut HashMap<usize, Option<Arc<crate::query::KeyIds>>>| {
                for (i, edge) in edges.iter().enumerate() {
                    let crate::join_order::KeyFrom::Subquery(sub) = edge.from else {
                        continue;
                    };
                    let waiting = crate::query::scans(&sub.rel)
                        .iter()
                        .any(|scan| pending.iter().any(|p| std::ptr::eq(*p, *scan)));
                    if waiting || edge_keys.contains_key(&i) {
                        continue;
                    }
                    if let Ok(rows) = executor.uncorrelated_rows(sub) {
                        // A scalar subquery of several rows filters nothing: the comparison
                        // fails with 21000 where the rows meet it.
                        let several =
                            sub.kind == crate::expr::SubqueryKind::Scalar && rows.len() > 1;
                        let keys = match several {
                            true => None,
                            false => crate::query::key_set(&rows, &edge.from_expr, &ctx),
                        };
                        edge_keys.insert(i, keys.map(Arc::new));
                    }
                }
            };
        let from_narrowed =
            |from: &crate::join_order::KeyFrom<'_>, narrowed: &[*const Rel]| match from {
                crate::join_order::KeyFrom::Scan(scan) => narrowed.contains(&(*scan as *const Rel)),
                crate::join_order::KeyFrom::Subquery(_) => true,
            };
        while !pending.is_empty() {
            run_subqueries(&executor, &pending, &mut edge_keys);
            // The filters `scan` would take now, and the share of its rows each keeps.
            let filters_for = |scan: &Rel| -> Vec<(usize, f64)> {
                edges
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| std::ptr::eq(e.to, scan))
                    .filter_map(|(i, e)| {
                        let keys = edge_keys.get(&i)?.as_ref()?;
                        if estimated {
                            let share = keep_share(e, keys.len())?;
                            (share < 0.9).then_some((i, share))
                        } else {
                            from_narrowed(&e.from, &narrowed).then_some((i, 1.0))
                        }
                    })
                    .collect()
            };
            let pick = if estimated {
                let rows_now = |scan: &Rel| {
                    filters_for(scan)
                        .iter()
                        .fold(estimate(scan).unwrap_or(f64::MAX), |rows, (_, share)| {
                            rows * share
                        })
                };
                (0..pending.len())
                    .min_by(|&a, &b| rows_now(pending[a]).total_cmp(&rows_now(pending[b])))
                    .unwrap_or(0)
            } else {
                pending
                    .iter()
                    .position(|s| restricted(s))
                    .or_else(|| pending.iter().position(|s| !filters_for(s).is_empty()))
                    .unwrap_or(0)
            };
            let scan = pending.remove(pick);
            let Rel::Scan {
                table,
                access,
                filter,
                project,
                ..
            } = scan
            else {
                continue;
            };
            let taken = filters_for(scan);
            // Other scans of the table that would take the same semi-join filters now (TPC-H
            // Q21's two correlated subqueries over lineitem, both keyed by the outer l_orderkey)
            // are read with it, once; each then keeps the rows its own filter passes. Without
            // such filters, the same scan written twice (Q11's and Q15's subquery repeating the
            // main query's tables) is read once too, unless one is to take keys from the other.
            let mut twins = Vec::new();
            let same = |x: &Rel, y: &Rel| same_rows(x, y, &read_with);
            let mut at = 0;
            while at < pending.len() {
                let other = pending[at];
                let twin = if taken.is_empty() {
                    identical_scans(scan, other)
                        && filters_for(other).is_empty()
                        && !edges.iter().any(|e| {
                            e.from.is_scan(scan) && std::ptr::eq(e.to, other)
                                || e.from.is_scan(other) && std::ptr::eq(e.to, scan)
                        })
                } else {
                    same_read(scan, other, &taken, &filters_for(other), &edges, &same)
                };
                if twin {
                    twins.push(pending.remove(at));
                } else {
                    at += 1;
                }
            }
            for twin in &twins {
                read_with.insert(*twin as *const Rel, scan as *const Rel);
            }
            let shared = (!twins.is_empty()).then(|| SharedRead::of(scan, &twins, &used));
            let mut filter = match &shared {
                Some(shared) => shared.filter.clone(),
                None => filter.clone(),
            };
            let mut keyed = Vec::new();
            for &(i, _) in &taken {
                let (edge, Some(Some(keys))) = (&edges[i], edge_keys.get(&i)) else {
                    continue;
                };
                keyed.push(i);
                let source = match edge.from {
                    crate::join_order::KeyFrom::Scan(Rel::Scan { alias, .. }) => alias.clone(),
                    _ => "SubPlan".to_string(),
                };
                // The key expression reads the scan's returned row; the worker tests the table's.
                let to_expr = edge
                    .to_expr
                    .clone()
                    .remap_columns(&|c| scan_column(scan, c));
                let test = Expr::InKeys(
                    Box::new(to_expr),
                    crate::expr::KeyFilter {
                        keys: keys.clone(),
                        source,
                    },
                );
                filter = Some(Arc::new(match filter {
                    Some(f) => Expr::Binary(
                        crate::expr::BinOp::And,
                        Box::new((*f).clone()),
                        Box::new(test),
                    ),
                    None => test,
                }));
            }
            if !taken.is_empty() || restricted(scan) {
                narrowed.push(scan as *const Rel);
                narrowed.extend(twins.iter().map(|twin| *twin as *const Rel));
            }
            let filter = &filter;
            let project = match &shared {
                Some(shared) => shared.project.clone(),
                None => project.clone(),
            }
            .map(Arc::new);
            let columns = match &project {
                Some(project) => {
                    let mut mask = vec![false; table.columns.len()];
                    for &c in project.iter() {
                        // (Not the row key column: see `TableDef::row_key_column`.)
                        if let Some(slot) = mask.get_mut(c) {
                            *slot = true;
                        }
                    }
                    Some(Arc::new(mask))
                }
                None => match &shared {
                    Some(shared) => shared.mask.clone().map(Arc::new),
                    None => used
                        .get(&(scan as *const Rel as usize))
                        .filter(|mask| !mask.iter().all(|&u| u))
                        .map(|mask| Arc::new(mask.clone())),
                },
            };
            // Few semi-join keys on the first key column of a table placed by it: a seek per
            // key on its owner instead of the whole table.
            let seeks = taken.iter().find_map(|&(i, _)| {
                let edge = &edges[i];
                let keys = edge_keys.get(&i)?.as_ref()?;
                // The column itself, not a cast of it: the keys are then its own values' bytes.
                let Expr::Column(column) = edge.to_expr else {
                    return None;
                };
                let rows = table_stats(scan)?.reltuples;
                let first = scan_column(scan, column) == *table.primary_key.first()?;
                (first && matches!(access, Access::Scan))
                    .then(|| seek_targets(table, keys, rows, cluster.workers()))
                    .flatten()
            });
            // Few keys on the first column of a secondary index: looked up there, then the
            // rows it names read by key.
            let lookup = match (&seeks, access) {
                (None, Access::Scan) => taken.iter().find_map(|&(i, _)| {
                    let keys = edge_keys.get(&i)?.as_ref()?;
                    let Expr::Column(column) = edges[i].to_expr else {
                        return None;
                    };
                    let stats = table_stats(scan)?;
                    lookup_index(table, scan_column(scan, column), keys, &stats)
                }),
                _ => None,
            };
            let prefixes = seeks.as_ref().is_some_and(|(_, prefixes)| *prefixes);
            let top = match tops.iter().find(|top| std::ptr::eq(top.scan, scan)) {
                Some(top) if twins.is_empty() && taken.is_empty() && !prefixes => {
                    top_wanted(top)?.map(|wanted| (top, wanted))
                }
                _ => None,
            };
            let order = top.and_then(|(top, wanted)| Some((top.order?, wanted)));
            // Sorted on the workers, part by part.
            let top_rows = top
                .filter(|(top, _)| top.order.is_none())
                .map(|(top, wanted)| {
                    Arc::new(crate::fragment::TopRows {
                        keys: top.keys.clone(),
                        columns: top
                            .keys
                            .iter()
                            .map(|key| scan_column(scan, key.output))
                            .collect(),
                        count: wanted,
                    })
                });
            // Through a secondary index in order: its entries name the rows (below).
            let (through, order) = split_order(order);
            let Targets {
                list: targets,
                range,
                prefixes: listed,
            } = match seeks {
                Some((targets, _)) => {
                    let pkey = crate::pgstat::IndexRef::PrimaryKey(table.id);
                    count_scan(cluster, table.id, Some(pkey), 0);
                    Targets {
                        list: targets,
                        ..Targets::default()
                    }
                }
                None if through.is_some() => Targets::default(),
                None => match lookup {
                    Some((index, prefixes)) => {
                        let requests = lookup_requests(index, prefixes, cluster.workers())
                            .into_iter()
                            .map(|(w, op)| (w, ShardRequest { txn, now, op }))
                            .collect();
                        Targets {
                            list: index_targets(cluster, table, index, requests).await?,
                            ..Targets::default()
                        }
                    }
                    None => self.targets(cluster, table, access, &ctx, txn).await?,
                },
            };
            let prefixes = prefixes || listed;
            // A scan estimated to fit in a quarter of the statement's memory is read with one
            // request per worker (parts cost measurably here: TPC-H Q13 about 30% slower at
            // SF 1, not yet explained), each worker's rows in turn. Others, and scans without
            // statistics, are read in parts into a sink that goes to a temporary file if the
            // statement passes its memory, so no reply holds a whole table.
            let row_bytes = |stats: &crate::stats::TableStats| {
                let mask = columns.as_deref();
                let widths: f64 = (0..table.columns.len())
                    .filter(|&c| mask.is_none_or(|m| m.get(c).copied().unwrap_or(true)))
                    .map(|c| {
                        stats
                            .columns
                            .get(c)
                            .and_then(Option::as_ref)
                            .map_or(8.0, |column| f64::from(column.avg_width.max(0)))
                    })
                    .sum();
                let values = project.as_ref().map_or(table.columns.len(), |p| p.len());
                24.0 + (values * std::mem::size_of::<Value>()) as f64 + widths
            };
            let parts = order.is_some()
                || through.is_some()
                || top_rows.is_some()
                || match (estimate(scan), table_stats(scan)) {
                    (Some(rows), Some(stats)) => {
                        rows * row_bytes(&stats) > memory.limit() as f64 / 4.0
                    }
                    _ => true,
                };
            let read = ScanRead {
                parts,
                table,
                filter,
                columns: &columns,
                project: &project,
                params,
                txn,
                now,
                prefixes,
                range,
                order,
                top: top_rows.clone(),
            };
            let started = std::time::Instant::now();
            let visited;
            let rows = if let Some(through) = through {
                let segments = index_segments(table, access, &through.0, &ctx)?;
                let mut sink = RowSink::new(Some(memory.clone()));
                visited = index_ordered_read(cluster, &read, through, segments, cancel, |rows| {
                    for row in rows {
                        sink.push(row)?;
                    }
                    Ok(())
                })
                .await?;
                sink.finish()?
            } else if parts {
                let mut sink = RowSink::new(Some(memory.clone()));
                visited = read_in_parts(cluster, &read, targets, cancel, |_, rows| {
                    for row in rows {
                        sink.push(row)?;
                    }
                    Ok(true)
                })
                .await?;
                sink.finish()?
            } else {
                let mut per_target: Vec<Vec<Row>> = vec![Vec::new(); targets.len()];
                visited = read_in_parts(cluster, &read, targets, cancel, |target, rows| {
                    per_target[target].extend(rows);
                    Ok(true)
                })
                .await?;
                let mut sink = RowSink::new(Some(memory.clone()));
                for row in per_target.into_iter().flatten() {
                    sink.push(row)?;
                }
                sink.finish()?
            };
            let took = started.elapsed();
            // What the scan's own filter dropped, when nothing else filtered on the workers
            // (semi-join keys, a read shared with other scans, a sort cut by a LIMIT).
            if let (
                None,
                true,
                None,
                Rel::Scan {
                    filter: Some(_), ..
                },
            ) = (&shared, keyed.is_empty(), &top_rows, scan)
            {
                executor.record_removed(scan, visited.saturating_sub(rows.len() as u64));
            }
            let reads: Vec<(&Rel, RowSet)> = match &shared {
                None => vec![(scan, rows)],
                Some(shared) => {
                    let scans: Vec<&Rel> = std::iter::once(scan).chain(twins).collect();
                    let split = shared.split(&scans, rows, &memory, &ctx)?;
                    scans.into_iter().zip(split).collect()
                }
            };
            for (scan, rows) in reads {
                // One key set per expression, for every scan waiting on it.
                let mut made: Vec<(&Expr, Option<Arc<crate::query::KeyIds>>)> = Vec::new();
                for (i, edge) in edges.iter().enumerate() {
                    if edge.from.is_scan(scan) && pending.iter().any(|p| std::ptr::eq(*p, edge.to))
                    {
                        let keys = match made.iter().find(|(expr, _)| **expr == edge.from_expr) {
                            Some((_, keys)) => keys.clone(),
                            None => {
                                let keys = crate::query::key_set(&rows, &edge.from_expr, &ctx)
                                    .map(Arc::new);
                                made.push((&edge.from_expr, keys.clone()));
                                keys
                            }
                        };
                        edge_keys.insert(i, keys);
                    }
                }
                executor.record_read(scan, took);
                executor.set_scan(scan, rows);
            }
        }
        let rows = executor.run(rel, &[])?;
        let stats = executor.take_stats();
        drop(executor);
        // The tree's result, taken from the executor (which held the scans' rows too).
        let rows = match Arc::try_unwrap(rows) {
            Ok(rows) => rows,
            Err(shared) => shared.duplicate(),
        };
        Ok((rows, stats))
    }

    /// ANALYZE of one table: each worker samples its visible rows under the statement's
    /// snapshot, in parts ([`ShardOp::Sample`]); the merged sample's statistics are stored (see
    /// `crate::stats`).
    async fn analyze_table<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &Arc<TableDef>,
        only: &[usize],
        txn: Tx,
        cancel: &Cancel,
    ) -> SqlResult<()> {
        let now = now_timestamp();
        let workers = cluster.workers();
        let mut reservoirs: Vec<Vec<Row>> = vec![Vec::new(); workers];
        let mut seen = vec![0u64; workers];
        let quota = crate::stats::sample_leaves(workers);
        // Each worker's (leaves, leaves read), as its last part counted them.
        let mut leaves = vec![(0u64, 0u64); workers];
        // (worker, where its next part starts); None once it is done.
        let mut pending: Vec<(usize, Option<Vec<u8>>)> = (0..workers).map(|w| (w, None)).collect();
        while !pending.is_empty() {
            let requests = pending
                .iter()
                .map(|(w, after)| {
                    let op = ShardOp::Sample {
                        table: table.clone(),
                        seen: seen[*w],
                        after: after.clone(),
                        leaves: quota,
                    };
                    (*w as WorkerId, ShardRequest { txn, now, op })
                })
                .collect();
            let outputs = cluster.call_all(requests).await;
            let mut next = Vec::new();
            for ((w, _), output) in pending.into_iter().zip(outputs) {
                let output = output?;
                for mut row in output.rows {
                    let Some(Value::Int(slot)) = row.pop() else {
                        continue;
                    };
                    let reservoir = &mut reservoirs[w];
                    match reservoir.get_mut(slot as usize) {
                        Some(place) => *place = row,
                        None => reservoir.push(row),
                    }
                }
                seen[w] = output.count;
                leaves[w] = output.leaves;
                if let Some(after) = output.resume {
                    next.push((w, Some(after)));
                }
            }
            cancel.check()?;
            pending = next;
        }
        count_activity(cluster, |slot| {
            let counts = slot.table(table.id);
            counts.last_analyze = Some(now);
            counts.analyze_count += 1;
        });
        // A worker that read some of its leaves has about (rows seen) x (leaves) / (leaves read)
        // rows, as PostgreSQL extrapolates reltuples from the blocks it read.
        let rows: Vec<u64> = seen
            .iter()
            .zip(&leaves)
            .map(|(&seen, &(all, read))| match read {
                0 => seen,
                _ if read >= all => seen,
                _ => (seen as f64 * all as f64 / read as f64).round() as u64,
            })
            .collect();
        let sample = crate::stats::merge_samples(reservoirs, &rows);
        let mut stats = crate::stats::TableStats::compute(table, &sample, rows.iter().sum(), only);
        // A column list refreshes those columns; the others keep what they had, as do columns
        // with statistics target 0 (PostgreSQL's ANALYZE skips them, leaving their rows).
        let kept = |c: usize| {
            (!only.is_empty() && !only.contains(&c))
                || table
                    .columns
                    .get(c)
                    .is_some_and(|c| c.stat_target == Some(0))
        };
        if (0..table.columns.len()).any(kept) {
            if let Some(old) = crate::stats::TableStats::of(&cluster.statistics().snapshot(), table)
            {
                stats
                    .columns
                    .resize(table.columns.len().max(stats.columns.len()), None);
                for (c, slot) in stats.columns.iter_mut().enumerate() {
                    if kept(c) {
                        *slot = old.columns.get(c).cloned().flatten();
                    }
                }
            }
        }
        cluster.statistics().set(table.id, stats).map_err(|error| {
            SqlError::new(
                code::INTERNAL_ERROR,
                format!("could not write statistics: {error}"),
            )
        })
    }

    /// Groups a table's rows (those `access` and `filter` select) on the workers, each computing
    /// partial aggregates of its rows in parts whose groups stay within `hash_mem`
    /// ([`AggregatePart`]); merges the parts here into one [`crate::query::Groups`] that spills
    /// past the same budget. Returns its `keys ++ aggregates` rows, produced as they are read.
    #[allow(clippy::too_many_arguments)]
    async fn partial_aggregate<'p, C: Cluster>(
        &mut self,
        cluster: &C,
        table: &Arc<TableDef>,
        access: &Access,
        (filter, having): (Option<Arc<Expr>>, Option<Arc<Expr>>),
        keys: &'p [Expr],
        aggs: &'p [crate::expr::AggCall],
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<crate::query::GroupedRows<'p>> {
        let ctx = EvalContext::new(params, now);
        let budget = self.settings.hash_mem_bytes();
        let (keys_arc, aggs_arc) = (Arc::new(keys.to_vec()), Arc::new(aggs.to_vec()));
        // (worker, keys, where its next part starts)
        let Targets {
            list: targets,
            range,
            prefixes,
        } = self.targets(cluster, table, access, &ctx, txn).await?;
        let mut pending: Vec<(WorkerId, KeyTarget, Option<Vec<u8>>)> = targets
            .into_iter()
            .map(|(worker, key)| (worker, key, None))
            .collect();
        // Groups keyed by the column that places the rows are whole on their worker: its
        // finished rows need no merging here (see `AggregatePart::whole_groups`).
        let whole_groups = table.placed_by_first_key_column()
            && keys
                .iter()
                .any(|key| matches!(key, Expr::Column(c) if Some(c) == table.primary_key.first()));
        let mut finished = Vec::new();
        let mut groups = crate::query::Groups::new(keys, aggs);
        groups.spill_to(budget, cluster.temp_dir());
        while !pending.is_empty() {
            let requests = pending
                .iter()
                .map(|(worker, key, after)| {
                    let op = ShardOp::Aggregate {
                        table: table.clone(),
                        key: key.clone(),
                        filter: filter.clone(),
                        params: params.clone(),
                        keys: keys_arc.clone(),
                        aggs: aggs_arc.clone(),
                        having: having.clone(),
                        part: Some(AggregatePart {
                            after: after.clone(),
                            budget,
                            whole_groups,
                        }),
                        range: range.clone(),
                        prefixes,
                    };
                    (*worker, ShardRequest { txn, now, op })
                })
                .collect();
            let outputs = cluster.call_all(requests).await;
            let mut next = Vec::new();
            for ((worker, key, _), output) in pending.into_iter().zip(outputs) {
                let output = output?;
                if whole_groups {
                    finished.extend(output.rows);
                } else {
                    for partial in &output.rows {
                        groups.merge(partial)?;
                    }
                }
                if let Some(after) = output.resume {
                    next.push((worker, key, Some(after)));
                }
            }
            cancel.check()?;
            pending = next;
        }
        if whole_groups {
            return Ok(crate::query::GroupedRows::finished(keys, aggs, finished));
        }
        groups.finish_rows()
    }

    /// SELECT .. FOR UPDATE/SHARE: locks the candidate rows (read with their keys under the
    /// snapshot) in the statement's order, as PostgreSQL's LockRows does below LIMIT: only as
    /// many as OFFSET + LIMIT need, passing over rows a re-check drops or SKIP LOCKED skips.
    /// Returns the locked rows (their newest versions under READ COMMITTED), in that order.
    #[allow(clippy::too_many_arguments)]
    async fn lock_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        plan: &SelectPlan,
        locking: RowLocking,
        candidates: Vec<SqlResult<ShardOutput>>,
        txn: Tx,
        params: &Arc<Vec<Value>>,
        now: i64,
    ) -> SqlResult<Vec<Vec<Value>>> {
        let table = plan.table.as_ref().expect("a locking read has a table");
        let ctx = EvalContext::new(params, now);
        let mut rows: Vec<(Vec<u8>, Vec<Value>)> = Vec::new();
        for output in candidates {
            let output = output?;
            rows.extend(output.keys.into_iter().zip(output.rows));
        }
        if !plan.order_by.is_empty() {
            let mut ordered = rows
                .into_iter()
                .map(|(key, row)| {
                    Ok((
                        project(std::slice::from_ref(&row), &plan.outputs, &ctx)?,
                        key,
                        row,
                    ))
                })
                .collect::<SqlResult<Vec<_>>>()?;
            ordered.sort_by(|a, b| compare_rows(&a.0[0], &b.0[0], &plan.order_by));
            rows = ordered
                .into_iter()
                .map(|(_, key, row)| (key, row))
                .collect();
        }
        let offset = count_value(plan.offset.as_ref(), &ctx, "OFFSET")?.unwrap_or(0) as usize;
        let limit = count_value(plan.limit.as_ref(), &ctx, "LIMIT")?;
        let wanted = limit.map(|limit| offset.saturating_add(limit as usize));
        let workers = cluster.workers();
        let mut locked = Vec::new();
        let mut next = 0;
        while next < rows.len() && wanted.is_none_or(|wanted| locked.len() < wanted) {
            let left = rows.len() - next;
            let take = wanted.map_or(left, |wanted| (wanted - locked.len()).min(left));
            let chunk = &rows[next..next + take];
            next += take;
            let mut by_worker: BTreeMap<WorkerId, Vec<Vec<u8>>> = BTreeMap::new();
            for (key, _) in chunk {
                by_worker
                    .entry(owner_of(table.vshard(key), workers))
                    .or_default()
                    .push(key.clone());
            }
            self.note_writers(by_worker.keys().copied());
            let requests = by_worker
                .into_iter()
                .map(|(worker, keys)| {
                    let op = ShardOp::LockRows {
                        table: table.clone(),
                        keys,
                        filter: plan.filter.clone(),
                        params: params.clone(),
                        locking,
                    };
                    (worker, ShardRequest { txn, now, op })
                })
                .collect();
            let mut got: HashMap<Vec<u8>, Vec<Value>> = HashMap::new();
            for output in cluster.call_all(requests).await {
                let output = output?;
                got.extend(output.keys.into_iter().zip(output.rows));
            }
            locked.extend(chunk.iter().filter_map(|(key, _)| got.remove(key)));
        }
        Ok(locked)
    }

    /// Sends new rows to their owners (keys computed here).
    async fn insert_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &Arc<TableDef>,
        rows: Vec<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: Option<&Cancel>,
    ) -> SqlResult<()> {
        // Foreign keys are enforced unless the rows are only moving (no cancel given), when
        // the indexes are being built anew.
        let enforce = cancel.is_some() && !table.foreign_keys.is_empty();
        // A bulk load into a table without a primary key spreads its rows over every worker by
        // their row ids' hash, as a keyed table's: homed on the session's worker (which saves
        // small transactions a second participant) a large load had one core and one worker's
        // share of the buffer pool.
        let bulk = table.primary_key.is_empty()
            && (self.txn.as_ref())
                .is_some_and(|txn| txn.bulk_rows + rows.len() >= BULK_COMMIT_ROWS);
        let keyed = if bulk {
            (rows.into_iter())
                .map(|row| {
                    (
                        row_key(&[(Value::Int(cluster.next_row_id()), DataType::Int8)]),
                        row,
                    )
                })
                .collect()
        } else {
            keyed_rows(cluster, self.row_home(cluster), table, rows)
        };
        let changes = self
            .put_rows(
                cluster,
                table,
                keyed,
                enforce,
                txn,
                now,
                cancel.is_none(),
                false,
            )
            .await?;
        if let (Some(cancel), true) = (cancel, enforce) {
            self.enforce_foreign_keys(cluster, table, &changes, txn, now, cancel)
                .await?;
        }
        Ok(())
    }

    /// Writes new rows at their owners (with their keys: [`keyed_rows`]) and their index
    /// entries; returns them as changes (key, no old row, the row) when the table has indexes or
    /// `changes` asks. `fresh`: see `ShardOp::Insert`.
    #[allow(clippy::too_many_arguments)]
    async fn put_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &Arc<TableDef>,
        rows: Vec<KeyedRow>,
        changes: bool,
        txn: Tx,
        now: i64,
        building: bool,
        fresh: bool,
    ) -> SqlResult<Vec<RowChange>> {
        let workers = cluster.workers();
        if let Some(txn) = &mut self.txn {
            txn.bulk_rows += rows.len();
        }
        let mut per_worker: BTreeMap<WorkerId, Vec<KeyedRow>> = BTreeMap::new();
        // Original position of each row sent to each worker, to name the row an error is about.
        let mut positions: BTreeMap<WorkerId, Vec<usize>> = BTreeMap::new();
        // Rows with their keys, for the index entries written after them.
        let mut inserted = Vec::new();
        for (position, (key, row)) in rows.into_iter().enumerate() {
            let owner = owner_of(table.vshard(&key), workers);
            if !table.indexes.is_empty() || changes {
                inserted.push((key.clone(), row.clone()));
            }
            per_worker.entry(owner).or_default().push((key, row));
            positions.entry(owner).or_default().push(position);
        }
        self.note_writers(per_worker.keys().copied());
        let order: Vec<WorkerId> = per_worker.keys().copied().collect();
        let requests = per_worker
            .into_iter()
            .map(|(worker, rows)| {
                (
                    worker,
                    ShardRequest {
                        txn,
                        now,
                        op: ShardOp::Insert {
                            table: table.clone(),
                            rows,
                            on_conflict: None,
                            fresh,
                        },
                    },
                )
            })
            .collect();
        // Of the workers' errors, the one about the earliest row, as inserting the rows one
        // after another would have met it (PostgreSQL names the first line of a COPY that fails).
        let mut failed: Option<SqlError> = None;
        for (worker, result) in order.iter().zip(cluster.call_all(requests).await) {
            if let Err(mut error) = result {
                error.batch_row = error
                    .batch_row
                    .and_then(|i| positions[worker].get(i).copied());
                let earlier = match (&failed, error.batch_row) {
                    (None, _) => true,
                    (Some(first), Some(row)) => first.batch_row.is_none_or(|first| row < first),
                    (Some(_), None) => false,
                };
                if earlier {
                    failed = Some(error);
                }
            }
        }
        if let Some(error) = failed {
            return Err(error);
        }
        let changes: Vec<_> = inserted
            .into_iter()
            .map(|(key, row)| (key, None, Some(row)))
            .collect();
        if !table.indexes.is_empty() {
            // Indexes built anew (a table rewritten): a duplicate is PostgreSQL's "could not
            // create unique index".
            self.write_index_entries(cluster, table, &changes, txn, now, building)
                .await?;
        }
        Ok(changes)
    }

    /// Writes the rows of an UPDATE or DELETE that its query `found` (see
    /// [`crate::plan::WriteFromQuery`]): each owner gets its rows' keys, many in one request,
    /// with each row's new values for an UPDATE (`ShardOp::Update`'s `values`). RETURNING's
    /// rows come in the order the query found them, each with the FROM items' values it carried.
    /// A row whose target row changed since the snapshot (READ COMMITTED) is handled as
    /// `changed` says.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn write_found<C: Cluster>(
        &mut self,
        cluster: &C,
        write: &crate::plan::WriteFromQuery,
        found: Vec<Row>,
        mut changed: Changed<'_>,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        ctx: &EvalContext<'_>,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let table = &write.table;
        if table.changes_key(&write.columns) {
            return self
                .move_rows(cluster, write, found, changed, params, txn, ctx, cancel)
                .await;
        }
        let delete = write.columns.is_empty();
        let verb = if delete { "DELETE" } else { "UPDATE" };
        let key_width = write.key_width();
        // RETURNING reads the written row, then the FROM items' values the query carried
        // after the new values (see `Binder::write_from_query`).
        let carried_from = key_width + write.columns.len();
        let returning = write.returning.is_some();
        let mut order = Vec::new();
        let mut found_rows: HashMap<Vec<u8>, Row> = HashMap::with_capacity(found.len());
        for row in found {
            let key = found_key(table, &row);
            if returning {
                order.push(key.clone());
            }
            found_rows.insert(key, row);
        }
        let mut keys: Vec<Vec<u8>> = found_rows.keys().cloned().collect();
        let mut recheck = !matches!(changed, Changed::Write);
        let (mut count, mut rows, mut written_keys) = (0, Vec::new(), Vec::new());
        loop {
            let targets = Targets {
                list: keys_by_owner(table, std::mem::take(&mut keys), cluster.workers()),
                ..Default::default()
            };
            let op = |key: KeyTarget, range: Option<Arc<KeyBounds>>, prefixes: bool| {
                if delete {
                    return ShardOp::Delete {
                        table: table.clone(),
                        key,
                        filter: None,
                        params: params.clone(),
                        returning,
                        range,
                        prefixes,
                        recheck,
                    };
                }
                let values = key.as_ref().map(|keys| {
                    let new = |key: &Vec<u8>| {
                        let row = found_rows.get(key).map_or(&[][..], Vec::as_slice);
                        let values = row.get(key_width..carried_from).unwrap_or_default();
                        values.to_vec()
                    };
                    Arc::new(keys.iter().map(new).collect())
                });
                ShardOp::Update {
                    table: table.clone(),
                    key,
                    filter: None,
                    assignments: Arc::new(
                        write
                            .columns
                            .iter()
                            .map(|&c| (c, Expr::Column(c)))
                            .collect(),
                    ),
                    values,
                    params: params.clone(),
                    returning,
                    range,
                    prefixes,
                    recheck,
                }
            };
            let written = self
                .run_writes(cluster, table, targets, op, txn, ctx, cancel)
                .await?;
            count += written.count;
            rows.extend(written.rows);
            written_keys.extend(written.keys);
            let next = self
                .next_round(
                    cluster,
                    write,
                    &mut changed,
                    &mut found_rows,
                    written.changed,
                    ctx,
                    txn,
                    cancel,
                )
                .await?;
            match next {
                Some(next) => (keys, recheck) = (next, false),
                None => break,
            }
        }
        // With RETURNING, the new (UPDATE) or old (DELETE) row under each key.
        let mut written: HashMap<Vec<u8>, Row> = written_keys.into_iter().zip(rows).collect();
        let mut rows = Vec::new();
        if write.returning.is_some() {
            rows.reserve(written.len());
            for key in order {
                let (Some(mut new), Some(row)) = (written.remove(&key), found_rows.get(&key))
                else {
                    continue;
                };
                new.extend(row.get(carried_from..).unwrap_or_default().iter().cloned());
                rows.push(new);
            }
        }
        let tag = format!("{verb} {count}");
        self.written_result(
            cluster,
            tag,
            &rows,
            write.returning.as_ref(),
            ctx,
            txn,
            cancel,
        )
        .await
    }

    /// After a round of writes of found rows, the rows it left unwritten because they changed
    /// since the snapshot (`now_changed`), as `changed` says: the keys of those to write in
    /// another round (checked again), or None when there is none.
    #[allow(clippy::too_many_arguments)]
    async fn next_round<C: Cluster>(
        &mut self,
        cluster: &C,
        write: &crate::plan::WriteFromQuery,
        changed: &mut Changed<'_>,
        found_rows: &mut HashMap<Vec<u8>, Row>,
        now_changed: Vec<ChangedRow>,
        ctx: &EvalContext<'_>,
        txn: Tx,
        cancel: &Cancel,
    ) -> SqlResult<Option<Vec<Vec<u8>>>> {
        if now_changed.is_empty() {
            return Ok(None);
        }
        match changed {
            Changed::Recheck => {
                let keys = self
                    .recheck_found(cluster, write, found_rows, now_changed, ctx, txn, cancel)
                    .await?;
                Ok((!keys.is_empty()).then_some(keys))
            }
            Changed::Return(out) => {
                out.extend(now_changed);
                Ok(None)
            }
            Changed::Write => Ok(None),
        }
    }

    /// PostgreSQL's EvalPlanQual of rows an UPDATE's or DELETE's query found (`found_rows`, by
    /// key) whose target rows changed since the snapshot (`changed`: each key with its newest
    /// version, None: deleted): the joined row is rebuilt from the newest version and the FROM
    /// items' values the query carried, must still pass the WHERE clause, and gives the row's
    /// new values again (through the query executor where a subquery runs, as for RETURNING).
    /// Returns the keys of the rows to write; the others leave `found_rows`.
    #[allow(clippy::too_many_arguments)]
    async fn recheck_found<C: Cluster>(
        &mut self,
        cluster: &C,
        write: &crate::plan::WriteFromQuery,
        found_rows: &mut HashMap<Vec<u8>, Row>,
        changed: Vec<ChangedRow>,
        ctx: &EvalContext<'_>,
        txn: Tx,
        cancel: &Cancel,
    ) -> SqlResult<Vec<Vec<u8>>> {
        let recheck = write.recheck.as_ref().ok_or_else(|| {
            SqlError::new(
                code::INTERNAL_ERROR,
                "a found row to check again without a recheck",
            )
        })?;
        let table = &write.table;
        let width = table.columns.len();
        let mut keys = Vec::with_capacity(changed.len());
        let mut joined_rows = Vec::with_capacity(changed.len());
        for (key, newest) in changed {
            let (Some(newest), Some(found)) = (newest, found_rows.get(&key)) else {
                found_rows.remove(&key);
                continue;
            };
            let mut joined = vec![Value::Null; recheck.width];
            for (slot, value) in joined.iter_mut().zip(newest) {
                *slot = value;
            }
            if table.primary_key.is_empty() {
                joined[width] = Value::Bytes(key.clone());
            }
            let carried = found.len() - recheck.columns.len();
            for (&column, value) in recheck.columns.iter().zip(&found[carried..]) {
                joined[column] = value.clone();
            }
            keys.push(key);
            joined_rows.push(joined);
        }
        if keys.is_empty() {
            return Ok(keys);
        }
        let checked = if recheck.exprs.iter().all(Expr::recomputable) {
            project(&joined_rows, &recheck.exprs, ctx)?
        } else {
            let rel = Rel::Project {
                input: Box::new(Rel::Constants {
                    width: recheck.width,
                    rows: crate::plan::ConstantRows(vec![Arc::new(joined_rows)]),
                }),
                exprs: recheck.exprs.clone(),
            };
            let params = Arc::new(ctx.params.to_vec());
            self.query_rows(cluster, &rel, &params, txn, ctx.now, cancel)
                .await?
        };
        let key_width = write.key_width();
        let mut kept = Vec::with_capacity(keys.len());
        for (key, checked) in keys.into_iter().zip(checked) {
            let (Some(found), Some(Value::Bool(true))) =
                (found_rows.get_mut(&key), checked.first())
            else {
                found_rows.remove(&key);
                continue;
            };
            for (at, value) in (key_width..).zip(checked.into_iter().skip(1)) {
                found[at] = value;
            }
            kept.push(key);
        }
        Ok(kept)
    }

    /// UPDATE of primary key columns: the rows `found` names (each its old key, then the new
    /// values of `write.columns`) are deleted under their old keys and written under their new
    /// ones (every delete first, so rows of one statement may trade keys); index entries
    /// follow, and the foreign keys see each row as updated (ON UPDATE actions, the new keys'
    /// references). A row changed since the snapshot is handled as `changed` says.
    #[allow(clippy::too_many_arguments)]
    async fn move_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        write: &crate::plan::WriteFromQuery,
        found: Vec<Vec<Value>>,
        mut changed: Changed<'_>,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        ctx: &EvalContext<'_>,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let home = self.row_home(cluster);
        let table = &write.table;
        let width = table.primary_key.len();
        let mut found_rows: HashMap<Vec<u8>, Row> = (found.into_iter())
            .map(|row| (key_of_values(table, &row[..width]), row))
            .collect();
        let mut keys: Vec<Vec<u8>> = found_rows.keys().cloned().collect();
        let mut recheck = !matches!(changed, Changed::Write);
        let mut deleted = Vec::new();
        let mut gone = Vec::new();
        loop {
            let targets = keys_by_owner(table, std::mem::take(&mut keys), cluster.workers());
            self.note_writers(targets.iter().map(|(w, _)| *w));
            let requests = targets
                .into_iter()
                .map(|(worker, key)| {
                    let op = ShardOp::Delete {
                        table: table.clone(),
                        key,
                        filter: None,
                        params: params.clone(),
                        returning: true,
                        range: None,
                        prefixes: false,
                        recheck,
                    };
                    let now = ctx.now;
                    (worker, ShardRequest { txn, now, op })
                })
                .collect();
            let mut now_changed = Vec::new();
            for output in cluster.call_all(requests).await {
                let output = output?;
                deleted.extend(output.rows);
                gone.extend(output.changes);
                now_changed.extend(output.changed);
            }
            let next = self
                .next_round(
                    cluster,
                    write,
                    &mut changed,
                    &mut found_rows,
                    now_changed,
                    ctx,
                    txn,
                    cancel,
                )
                .await?;
            match next {
                Some(next) => (keys, recheck) = (next, false),
                None => break,
            }
        }
        self.write_index_entries(cluster, table, &gone, txn, ctx.now, false)
            .await?;
        let mut olds = Vec::with_capacity(deleted.len());
        let mut moved = Vec::with_capacity(deleted.len());
        for old in deleted {
            let Some(found) = found_rows.get(&new_row_key(cluster, home, table, &old)) else {
                continue;
            };
            let mut new = old.clone();
            for (&column, value) in write.columns.iter().zip(&found[width..]) {
                new[column] = value.clone();
            }
            crate::fragment::generate_columns(table, &mut new)?;
            crate::fragment::check_row(table, &new)?;
            olds.push(old);
            moved.push(new);
        }
        let tracked = table.tracks_changes();
        let put = self
            .put_rows(
                cluster,
                table,
                keyed_rows(cluster, home, table, moved.clone()),
                tracked,
                txn,
                ctx.now,
                false,
                false,
            )
            .await?;
        // Each row as an update, for the foreign keys: its old image beside its new one.
        let changes: Vec<RowChange> = put
            .into_iter()
            .zip(olds)
            .map(|((key, _, new), old)| (key, Some(old), new))
            .collect();
        self.enforce_foreign_keys(cluster, table, &changes, txn, ctx.now, cancel)
            .await?;
        let tag = format!("UPDATE {}", moved.len());
        self.written_result(
            cluster,
            tag,
            &moved,
            write.returning.as_ref(),
            ctx,
            txn,
            cancel,
        )
        .await
    }

    /// [`Session::initplans`] of a write's filter, when it has subqueries.
    #[allow(clippy::too_many_arguments)]
    async fn initplans_of<C: Cluster>(
        &mut self,
        cluster: &C,
        filter: Option<&Arc<Expr>>,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<Option<Arc<Expr>>> {
        match filter {
            Some(filter) if !filter.is_local() => {
                let valued = self
                    .initplans(cluster, filter, params, txn, now, cancel)
                    .await?;
                Ok(Some(Arc::new(valued)))
            }
            other => Ok(other.cloned()),
        }
    }

    /// `expr` with each of its subqueries, which read nothing of the row (see
    /// [`Expr::is_local_but_initplans`]), run once and replaced by its result, as PostgreSQL
    /// runs an InitPlan: a scalar, ARRAY or EXISTS subquery by its value, `x op ANY | ALL
    /// (subquery)` by the comparisons with its values (`IN` and `NOT IN` as a list), so that the
    /// workers can run what is left.
    #[allow(clippy::too_many_arguments)]
    async fn initplans<C: Cluster>(
        &mut self,
        cluster: &C,
        expr: &Expr,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<Expr> {
        use crate::expr::{BinOp, SubqueryKind};
        let mut subqueries = Vec::new();
        let _ = expr.clone().map_subqueries::<()>(&mut |subquery| {
            subqueries.push(subquery.clone());
            Ok(Expr::Subquery(subquery))
        });
        let mut values: HashMap<*const crate::expr::Subquery, Expr> = HashMap::new();
        for subquery in subqueries {
            let value = match &subquery.kind {
                SubqueryKind::Compare { left, op, all } => {
                    let rows = self
                        .query_rows(cluster, &subquery.rel, params, txn, now, cancel)
                        .await?;
                    let items: Vec<Expr> = (rows.into_iter())
                        .map(|row| Expr::Const(row.into_iter().next().unwrap_or(Value::Null)))
                        .collect();
                    match (op, all) {
                        (BinOp::Eq, false) | (BinOp::NotEq, true) => {
                            Expr::InList(left.clone(), items, *all, None)
                        }
                        _ => {
                            // A tree of ANDs (ALL) or ORs (ANY), balanced so that a long list
                            // stays shallow.
                            fn joined(mut items: Vec<Expr>, joiner: BinOp) -> Option<Expr> {
                                if items.len() < 2 {
                                    return items.pop();
                                }
                                let right = items.split_off(items.len() / 2);
                                let (left, right) =
                                    (joined(items, joiner)?, joined(right, joiner)?);
                                Some(Expr::Binary(joiner, Box::new(left), Box::new(right)))
                            }
                            let joiner = if *all { BinOp::And } else { BinOp::Or };
                            let compares = (items.into_iter())
                                .map(|item| Expr::Binary(*op, left.clone(), Box::new(item)))
                                .collect();
                            joined(compares, joiner).unwrap_or(Expr::Const(Value::Bool(*all)))
                        }
                    }
                }
                _ => {
                    // Its value, as the query executor computes it for a row of nothing.
                    let rel = Rel::Project {
                        input: Box::new(Rel::Values {
                            rows: vec![Vec::new()],
                            width: 0,
                        }),
                        exprs: vec![Expr::Subquery(subquery.clone())],
                    };
                    let rows = self
                        .query_rows(cluster, &rel, params, txn, now, cancel)
                        .await?;
                    let value = rows
                        .into_iter()
                        .next()
                        .and_then(|row| row.into_iter().next());
                    Expr::Const(value.unwrap_or(Value::Null))
                }
            };
            values.insert(Arc::as_ptr(&subquery), value);
        }
        let valued = expr.clone().map_subqueries::<()>(&mut |subquery| {
            Ok(values
                .remove(&Arc::as_ptr(&subquery))
                .unwrap_or(Expr::Subquery(subquery)))
        });
        Ok(valued.unwrap_or_else(|()| expr.clone()).fold_constants())
    }

    /// RETURNING's rows: its expressions over each written row (`rows`); through the query
    /// executor when one runs a subquery, which only the session can run (it reads under the
    /// statement's snapshot, as PostgreSQL's RETURNING subqueries do).
    async fn returned_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        rows: &[Row],
        returning: &Returning,
        ctx: &EvalContext<'_>,
        txn: Tx,
        cancel: &Cancel,
    ) -> SqlResult<Vec<Row>> {
        let mut subquery = false;
        for expr in &returning.exprs {
            expr.visit(&mut |e| subquery |= matches!(e, Expr::Subquery(_)));
        }
        if !subquery || rows.is_empty() {
            return project(rows, &returning.exprs, ctx);
        }
        let rel = Rel::Project {
            input: Box::new(Rel::Constants {
                width: rows[0].len(),
                rows: crate::plan::ConstantRows(vec![Arc::new(rows.to_vec())]),
            }),
            exprs: returning.exprs.clone(),
        };
        let params = Arc::new(ctx.params.to_vec());
        self.query_rows(cluster, &rel, &params, txn, ctx.now, cancel)
            .await
    }

    /// `INSERT ... ON CONFLICT`: each owner inserts its rows or, where a key is taken, skips the
    /// row or updates the one there. Conflicts on unique indexes (the target, or all of them for
    /// DO NOTHING without one) are found first through the indexes' entries: such a row is
    /// skipped, or sent by the key of the row it conflicts with to update that one. Returns the
    /// rows written, in the order they were proposed, and how many of them were updates.
    #[allow(clippy::too_many_arguments)]
    async fn upsert_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &Arc<TableDef>,
        rows: Vec<Vec<Value>>,
        on_conflict: &Arc<crate::plan::OnConflict>,
        params: &Arc<Vec<Value>>,
        txn: Tx,
        now: i64,
        cancel: &Cancel,
    ) -> SqlResult<(Vec<Vec<Value>>, u64)> {
        let home = self.row_home(cluster);
        let workers = cluster.workers();
        let keyed: Vec<(Vec<u8>, Vec<Value>)> = rows
            .into_iter()
            .map(|row| (new_row_key(cluster, home, table, &row), row))
            .collect();
        // Per proposed row: None to drop it, Some(existing key) to update that row.
        let mut redirect: Vec<Option<Option<Vec<u8>>>> = vec![Some(None); keyed.len()];
        let bound = self.with_bound_indexes(cluster, table)?;
        let indexes: Vec<&IndexDef> = bound
            .indexes
            .iter()
            .filter(|index| on_conflict.indexes.contains(&index.id))
            .collect();
        for index in indexes {
            let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
            for (position, (key, row)) in keyed.iter().enumerate() {
                if redirect[position].is_none() {
                    continue;
                }
                // A row with NULL in the key, or outside a partial index, conflicts with none.
                let Some((entry, true)) = index_entry(table, index, key, row)? else {
                    continue;
                };
                if seen.insert(entry.clone(), position).is_some() {
                    if on_conflict.update.is_some() {
                        return Err(SqlError::new(
                            code::CARDINALITY_VIOLATION,
                            "ON CONFLICT DO UPDATE command cannot affect row a second time",
                        )
                        .with_hint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values."));
                    }
                    redirect[position] = None;
                    continue;
                }
                let op = ShardOp::IndexScan {
                    index: index.id,
                    placement: index.placement,
                    from: Bound::Included(entry.clone()),
                    to: Bound::Included(entry.clone()),
                    vshard: None,
                    order: None,
                };
                let owner = owner_of(index.vshard(&entry), workers);
                let found = cluster
                    .call(owner, ShardRequest { txn, now, op })
                    .await?
                    .keys;
                if let Some(existing) = found.into_iter().next() {
                    redirect[position] = on_conflict.update.as_ref().map(|_| Some(existing));
                }
            }
        }
        let update_only = Arc::new(crate::plan::OnConflict {
            update_only: true,
            ..(**on_conflict).clone()
        });
        type Batch = BTreeMap<(WorkerId, bool), Vec<KeyedRow>>;
        let mut batches: Batch = BTreeMap::new();
        // Where each key was first proposed: the order RETURNING shows.
        let mut first: HashMap<Vec<u8>, usize> = HashMap::new();
        for (position, ((key, row), route)) in keyed.into_iter().zip(redirect).enumerate() {
            let Some(existing) = route else {
                continue;
            };
            let (key, only) = match existing {
                Some(existing) => (existing, true),
                None => (key, false),
            };
            first.entry(key.clone()).or_insert(position);
            let owner = owner_of(table.vshard(&key), workers);
            batches.entry((owner, only)).or_default().push((key, row));
        }
        self.note_writers(batches.keys().map(|(w, _)| *w));
        let requests = batches
            .into_iter()
            .map(|((worker, only), rows)| {
                let conflict = if only { &update_only } else { on_conflict };
                let op = ShardOp::Insert {
                    table: table.clone(),
                    rows,
                    on_conflict: Some((conflict.clone(), params.clone())),
                    fresh: false,
                };
                (worker, ShardRequest { txn, now, op })
            })
            .collect();
        let mut written = Vec::new();
        let mut changes = Vec::new();
        let mut updated = 0;
        for output in cluster.call_all(requests).await {
            let output = output?;
            updated += output.updated;
            for (key, row) in output.keys.into_iter().zip(output.rows) {
                written.push((first[&key], row));
            }
            changes.extend(output.changes);
        }
        if !table.indexes.is_empty() && !changes.is_empty() {
            self.write_index_entries(cluster, table, &changes, txn, now, false)
                .await?;
        }
        self.enforce_foreign_keys(cluster, table, &changes, txn, now, cancel)
            .await?;
        written.sort_by_key(|(position, _)| *position);
        Ok((written.into_iter().map(|(_, row)| row).collect(), updated))
    }

    /// `EXECUTE name (arguments)`: the named prepared statement with the arguments' values as its
    /// parameters.
    async fn execute_named<C: Cluster>(
        &mut self,
        cluster: &C,
        name: &str,
        args: Option<&(String, usize)>,
        offset: usize,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let statement = self.statements.get(name).cloned().ok_or_else(|| {
            SqlError::new(
                code::INVALID_SQL_STATEMENT_NAME,
                format!("prepared statement \"{name}\" does not exist"),
            )
        })?;
        let texts = args
            .map(|(text, _)| crate::parse::split_top_level(text))
            .unwrap_or_default();
        if texts.len() != statement.param_types.len() {
            return Err(SqlError::syntax(format!(
                "wrong number of parameters for prepared statement \"{name}\""
            ))
            .with_detail(format!(
                "Expected {} parameters but got {}.",
                statement.param_types.len(),
                texts.len()
            )));
        }
        let catalog = self.catalog(cluster);
        let ctx = EvalContext::new(&[], now_timestamp());
        let mut values = Vec::with_capacity(texts.len());
        // Each argument's place in the query string, for error positions.
        let (all, args_offset) = args.map_or(("", 0), |(text, at)| (text.as_str(), *at));
        let mut searched = 0;
        for (text, ty) in texts.iter().zip(&statement.param_types) {
            let found = all[searched..]
                .find(text.as_str())
                .map_or(0, |at| searched + at);
            searched = found + text.len();
            let at = offset + args_offset + all[..found].chars().count();
            let mut binder = Binder::new(&catalog, &self.info, text, at, Vec::new());
            let expr = binder.bind_argument(text, Some(*ty))?;
            values.push(expr.eval(&[], &ctx)?);
        }
        self.execute_inner(cluster, &statement, &values, cancel)
            .await
    }

    /// COPY ... TO STDOUT: runs the table's or the query's rows and formats them as COPY text or
    /// CSV lines (PostgreSQL's escaping and quoting rules).
    async fn copy_to<C: Cluster>(
        &mut self,
        cluster: &C,
        source: &CopySource,
        options: &CopyOptions,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let catalog = self.catalog(cluster);
        let (sql, offset) = match source {
            CopySource::Query { text, offset } => (text.clone(), *offset),
            CopySource::Table {
                table,
                table_offset,
                columns,
            } => {
                let table = &self.resolve_written(&catalog, table);
                let matview = (catalog.tables.get(table)).is_some_and(|t| t.matview.is_some());
                if catalog.views.contains_key(table) || matview {
                    let kind = if matview { "materialized view" } else { "view" };
                    return Err(SqlError::new(
                        code::WRONG_OBJECT_TYPE,
                        format!(
                            "cannot copy from {kind} \"{}\"",
                            crate::catalog::relname(table)
                        ),
                    )
                    .with_hint("Try the COPY (SELECT ...) TO variant."));
                }
                // PostgreSQL reports these without a position.
                let _ = table_offset;
                let def = catalog.table(table)?;
                let positions = copy_columns(def, columns, false)?;
                // SELECT on the table, or on each column copied.
                catalog.require_columns(
                    def,
                    crate::catalog::PRIV_SELECT,
                    &positions,
                    &self.info.user,
                )?;
                let names: Vec<String> = (positions.iter())
                    .map(|&c| quote_ident(&def.columns[c].name))
                    .collect();
                let sql = format!(
                    "SELECT {} FROM {}",
                    names.join(", "),
                    quote_relation(&def.name)
                );
                (sql, 0)
            }
        };
        // The query is bound as a statement of its own; its errors point into the COPY.
        let prepared = self
            .prepare(&catalog, &sql, 0, Vec::new())
            .map_err(|mut error| {
                error.position = error.position.map(|p| p + offset);
                error
            })?;
        let plan = match prepared.plan {
            Some(plan @ (Plan::Select(_) | Plan::Query(_))) => plan,
            _ => {
                return Err(SqlError::unsupported(
                    "COPY (...) TO with a statement other than a query",
                ))
            }
        };
        let now = now_timestamp();
        let txn = self.txn_for_statement(cluster);
        cancel.txn.set(Some(txn.id));
        let mut queried = match &plan {
            // A one-table query's rows may stay in the sorter's files until they are sent.
            Plan::Select(select) => {
                let params = Arc::new(Vec::new());
                self.run_select(cluster, select, &params, txn, now, cancel, true)
                    .await?
            }
            Plan::Query(query) => {
                let params = Arc::new(Vec::new());
                self.run_query(cluster, query, &params, txn, now, cancel, true)
                    .await?
            }
            _ => self.run_plan(cluster, &plan, &[], txn, now, cancel).await?,
        };
        self.log_sequences(cluster).await?;
        self.end_statement(cluster).await?;
        for name in &options.force_quote {
            if !queried.columns.iter().any(|c| c.name == *name) {
                let message = match source {
                    CopySource::Table { table, .. } => {
                        format!("column \"{name}\" of relation \"{table}\" does not exist")
                    }
                    CopySource::Query { .. } => format!("column \"{name}\" does not exist"),
                };
                return Err(SqlError::new(code::UNDEFINED_COLUMN, message));
            }
        }
        let forced: Vec<bool> = queried
            .columns
            .iter()
            .map(|c| options.force_quote_all || options.force_quote.contains(&c.name))
            .collect();
        let rows = match queried.stream.take() {
            Some(rows) => rows,
            None => crate::spill::SortedRows::from_rows(std::mem::take(&mut queried.rows)),
        };
        let header = if options.binary {
            let mut header = COPY_BINARY_SIGNATURE.to_vec();
            header.extend_from_slice(&[0; 8]);
            Some(header)
        } else if options.header {
            let mut line = String::new();
            for (i, column) in queried.columns.iter().enumerate() {
                if i > 0 {
                    line.push(options.delimiter);
                }
                copy_out_field(&mut line, &column.name, false, options);
            }
            line.push('\n');
            Some(line.into_bytes())
        } else {
            None
        };
        Ok(QueryResult {
            tag: format!("COPY {}", rows.len()),
            copy_out: Some(CopyOut {
                columns: queried.columns.len(),
                binary: options.binary,
                types: queried.columns.iter().map(|c| c.ty).collect(),
                options: options.clone(),
                forced,
                rows,
                header,
                trailer: options.binary,
                zone: self.zone.clone(),
            }),
            ..Default::default()
        })
    }

    /// Feeds COPY data; inserts every complete line.
    pub async fn copy_data<C: Cluster>(
        &mut self,
        cluster: &C,
        state: &mut CopyState,
        data: &[u8],
    ) -> SqlResult<()> {
        if state.done {
            return Ok(());
        }
        state.pending.extend_from_slice(data);
        // Clients send a row or less per message: parse and ship in large batches.
        if state.pending.len() < COPY_BATCH_BYTES {
            return Ok(());
        }
        if state.options.binary {
            let result = self.copy_binary(cluster, state, false).await;
            if result.is_err() {
                self.fail(cluster).await;
            }
            return result;
        }
        let last_newline = if state.options.csv {
            // A CSV record may hold newlines inside quotes: end at the last one outside them.
            let quote = state.options.quote as u8;
            let mut quoted = false;
            let mut last = None;
            for (i, &b) in state.pending.iter().enumerate() {
                if b == quote {
                    quoted = !quoted;
                } else if b == b'\n' && !quoted {
                    last = Some(i);
                }
            }
            last
        } else {
            state.pending.iter().rposition(|&b| b == b'\n')
        };
        let Some(last_newline) = last_newline else {
            return Ok(());
        };
        let complete: Vec<u8> = state.pending.drain(..=last_newline).collect();
        let result = self.copy_lines(cluster, state, &complete).await;
        if result.is_err() {
            self.fail(cluster).await;
        }
        result
    }

    async fn copy_lines<C: Cluster>(
        &mut self,
        cluster: &C,
        state: &mut CopyState,
        bytes: &[u8],
    ) -> SqlResult<()> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| SqlError::new("22021", "invalid byte sequence for encoding \"UTF8\""))?;
        let lock_timeout = self.lock_timeout_ms();
        let txn = self
            .txn
            .as_ref()
            .map(|txn| txn.tx(lock_timeout, None))
            .ok_or_else(|| SqlError::new(code::INTERNAL_ERROR, "COPY outside a transaction"))?;
        let now = now_timestamp();
        let sequences = self.sequences(cluster);
        let mut ctx = EvalContext::new(&[], now);
        ctx.sequences = Some(&*sequences);
        let mut batch = Vec::new();
        let first_line = state.line + 1;
        if state.options.csv {
            // Fields borrow the input unless they hold escaped quotes; one vector serves every
            // record.
            let mut fields: Vec<Option<Cow<str>>> = Vec::with_capacity(state.columns.len());
            let mut rest = text;
            while !rest.is_empty() {
                let (used, raw) = csv_record(rest, &state.options, &mut fields);
                rest = &rest[used..];
                let lines = 1 + memchr::memchr_iter(b'\n', raw.as_bytes()).count() as u64;
                if !copy_record(state, raw, lines, &fields, &ctx, &mut batch)? {
                    break;
                }
            }
        } else {
            // Fields borrow the input unless they hold escapes; one vector serves every line.
            let mut fields: Vec<Option<Cow<str>>> = Vec::with_capacity(state.columns.len());
            for line in text.split_terminator('\n') {
                let line = line.strip_suffix('\r').unwrap_or(line);
                let (delimiter, null) = (state.options.delimiter, state.options.null.as_str());
                fields.clear();
                fields.extend(
                    line.split(delimiter)
                        .map(|field| (field != null).then(|| unescape_copy(field))),
                );
                if !copy_record(state, line, 1, &fields, &ctx, &mut batch)? {
                    break;
                }
            }
        }
        self.insert_copy_batch(cluster, state, batch, txn, now, first_line)
            .await
    }

    /// Inserts rows parsed from COPY input (the first of them from input line `first_line`),
    /// naming the line of a row that fails.
    async fn insert_copy_batch<C: Cluster>(
        &mut self,
        cluster: &C,
        state: &mut CopyState,
        batch: Vec<Vec<Value>>,
        txn: Tx,
        now: i64,
        first_line: u64,
    ) -> SqlResult<()> {
        state.rows += batch.len() as u64;
        if batch.is_empty() {
            return Ok(());
        }
        let table = state.table.clone();
        self.insert_rows(cluster, &table, batch, txn, now, Some(&Cancel::default()))
            .await
            .map_err(|mut error| {
                if let Some(row) = error.batch_row.take() {
                    error = error.with_context(format!(
                        "COPY {}, line {}",
                        table.name,
                        first_line + row as u64
                    ));
                }
                error
            })
    }

    /// Parses the complete tuples of a binary COPY stream buffered so far (`last`: the stream
    /// ended, so it must end with the trailer) and inserts them.
    async fn copy_binary<C: Cluster>(
        &mut self,
        cluster: &C,
        state: &mut CopyState,
        last: bool,
    ) -> SqlResult<()> {
        let bad = |message: &str| SqlError::new(code::BAD_COPY_FILE_FORMAT, message.to_string());
        let table_name = state.table.name.clone();
        let mut at = 0;
        let pending = std::mem::take(&mut state.pending);
        if !state.header_read {
            // The header: signature, flags, header extension.
            if pending.len() < 19 {
                if last {
                    return Err(bad("COPY file signature not recognized"));
                }
                state.pending = pending;
                return Ok(());
            }
            if pending[..11] != COPY_BINARY_SIGNATURE {
                return Err(bad("COPY file signature not recognized"));
            }
            let flags = u32::from_be_bytes(pending[11..15].try_into().expect("4 bytes"));
            if flags & (1 << 16) != 0 {
                return Err(bad("invalid COPY file header (WITH OIDS)"));
            }
            let extension = u32::from_be_bytes(pending[15..19].try_into().expect("4 bytes"));
            at = 19 + extension as usize;
            if pending.len() < at {
                return Err(bad("invalid COPY file header (missing length)"));
            }
            state.header_read = true;
        }
        let now = now_timestamp();
        let sequences = self.sequences(cluster);
        let mut ctx = EvalContext::new(&[], now);
        ctx.sequences = Some(&*sequences);
        let mut batch = Vec::new();
        let first_line = state.line.max(1);
        while let Some(count) = pending.get(at..at + 2) {
            let count = i16::from_be_bytes([count[0], count[1]]);
            if count == -1 {
                state.done = true;
                at += 2;
                break;
            }
            // A whole tuple is there, or wait for more.
            let mut end = at + 2;
            let mut fields = Vec::with_capacity(count.max(0) as usize);
            let mut complete = true;
            for _ in 0..count.max(0) {
                let Some(len) = pending.get(end..end + 4) else {
                    complete = false;
                    break;
                };
                let len = i32::from_be_bytes(len.try_into().expect("4 bytes"));
                end += 4;
                if len < 0 {
                    fields.push(None);
                    continue;
                }
                if pending.len() < end + len as usize {
                    complete = false;
                    break;
                }
                fields.push(Some(&pending[end..end + len as usize]));
                end += len as usize;
            }
            if !complete {
                break;
            }
            state.line += 1;
            let context = |error: SqlError| {
                error.with_context(format!("COPY {table_name}, line {}", state.line))
            };
            if count as usize != state.columns.len() {
                return Err(context(bad(&format!(
                    "row field count is {count}, expected {}",
                    state.columns.len()
                ))));
            }
            let mut row = copy_row(
                state,
                &fields,
                &ctx,
                |bytes: &&[u8], ty| crate::types::parse_binary(bytes, ty),
                |_: &&[u8], column| {
                    format!("COPY {table_name}, line {}, column {column}", state.line)
                },
            )?;
            generate_columns(&state.table, &mut row).map_err(context)?;
            check_row(&state.table, &row).map_err(context)?;
            batch.push(row);
            at = end;
        }
        state.pending = pending[at..].to_vec();
        if last && !state.done {
            return Err(bad("unexpected EOF in COPY data"));
        }
        let lock_timeout = self.lock_timeout_ms();
        let txn = self
            .txn
            .as_ref()
            .map(|txn| txn.tx(lock_timeout, None))
            .ok_or_else(|| SqlError::new(code::INTERNAL_ERROR, "COPY outside a transaction"))?;
        self.insert_copy_batch(cluster, state, batch, txn, now, first_line)
            .await
    }

    /// Ends COPY: inserts any last line and commits an implicit transaction.
    pub async fn copy_done<C: Cluster>(
        &mut self,
        cluster: &C,
        mut state: CopyState,
    ) -> SqlResult<QueryResult> {
        if state.options.binary && !state.done {
            if let Err(error) = self.copy_binary(cluster, &mut state, true).await {
                self.fail(cluster).await;
                return Err(error);
            }
        } else if !state.pending.is_empty() && !state.done {
            let mut rest = std::mem::take(&mut state.pending);
            if rest.last() != Some(&b'\n') {
                rest.push(b'\n');
            }
            if let Err(error) = self.copy_lines(cluster, &mut state, &rest).await {
                self.fail(cluster).await;
                return Err(error);
            }
        }
        let ended = match self.log_sequences(cluster).await {
            Ok(()) => self.end_statement(cluster).await,
            Err(error) => Err(error),
        };
        if let Err(error) = ended {
            self.fail(cluster).await;
            return Err(error);
        }
        Ok(QueryResult {
            tag: format!("COPY {}", state.rows),
            ..Default::default()
        })
    }

    /// The catalog this session sees: its own transaction's uncommitted DDL, else the published one.
    pub fn catalog<C: Cluster>(&self, cluster: &C) -> Arc<Catalog> {
        match &self.ddl {
            Some(ddl) => ddl.catalog.clone(),
            None => cluster.catalog(),
        }
    }

    /// DROP OWNED BY: the objects `roles` own are dropped by the DROP statements PostgreSQL's
    /// own would amount to (views, tables with their sequences and indexes, sequences, types,
    /// then schemas; CASCADE or RESTRICT as given), run here one after the other in the
    /// statement's transaction, then every privilege granted to the roles is revoked. Objects
    /// in temporary schemas are left to their sessions.
    async fn drop_owned<C: Cluster>(
        &mut self,
        cluster: &C,
        roles: &[String],
        cascade: bool,
        txn: Tx,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        let catalog = self.catalog(cluster);
        let roles: Vec<String> = roles.iter().map(|r| self.info.role_named(r)).collect();
        self.check_owned_by(&catalog, &roles, &[], roles::OwnedBy::Drop)?;
        let owned = |owner: Option<&str>| {
            roles
                .iter()
                .any(|role| crate::catalog::owner_name(owner) == role)
        };
        let temporary = |key: &str| crate::catalog::split_name(key).0.starts_with("pg_temp");
        let list = |keys: Vec<&String>| -> Option<String> {
            let keys: Vec<String> = (keys.into_iter())
                .filter(|key| !temporary(key))
                .map(|key| quote_relation(key))
                .collect();
            (!keys.is_empty()).then(|| keys.join(", "))
        };
        let behavior = if cascade { " CASCADE" } else { " RESTRICT" };
        let views = catalog
            .views
            .iter()
            .filter(|(_, v)| owned(v.owner.as_deref()));
        let tables = catalog
            .tables
            .iter()
            .filter(|(_, t)| owned(t.owner.as_deref()));
        // Sequences of a column go with their table.
        let sequences = (catalog.sequences.iter())
            .filter(|(_, q)| owned(q.owner.as_deref()) && q.owned_by.is_none());
        let enums = (catalog.enums.iter()).filter(|(_, e)| owned(e.owner.as_deref()));
        let composites = (catalog.composites.iter()).filter(|(_, c)| owned(c.owner.as_deref()));
        let types = enums
            .map(|(key, _)| key)
            .chain(composites.map(|(key, _)| key));
        let domains = (catalog.domains.iter()).filter(|(_, d)| owned(d.owner.as_deref()));
        let groups = [
            ("VIEW", views.map(|(key, _)| key).collect(), behavior),
            ("TABLE", tables.map(|(key, _)| key).collect(), behavior),
            (
                "SEQUENCE",
                sequences.map(|(key, _)| key).collect(),
                behavior,
            ),
            ("DOMAIN", domains.map(|(key, _)| key).collect(), behavior),
            ("TYPE", types.collect(), behavior),
        ];
        let mut statements = Vec::new();
        for (kind, keys, behavior) in groups {
            if let Some(names) = list(keys) {
                statements.push(format!("DROP {kind} IF EXISTS {names}{behavior}"));
            }
        }
        let schemas: Vec<String> = (catalog.schemas.values())
            .filter(|schema| roles.contains(&schema.owner) && !schema.name.starts_with("pg_temp"))
            .map(|schema| quote_ident(&schema.name))
            .collect();
        if !schemas.is_empty() {
            statements.push(format!(
                "DROP SCHEMA IF EXISTS {}{behavior}",
                schemas.join(", ")
            ));
        }
        let mut result = QueryResult {
            tag: "DROP OWNED".into(),
            ..Default::default()
        };
        for text in statements {
            let catalog = self.catalog(cluster);
            let prepared = self.prepare(&catalog, &text, 0, Vec::new())?;
            let plan = prepared.plan.expect("a DROP statement binds to a plan");
            let locks = ddl_locks(&plan, &catalog);
            self.take_relation_locks(cluster, &locks, cancel).await?;
            // One drop of them all to PostgreSQL, so its message for what stops it.
            let dropped = Box::pin(self.run_ddl(cluster, &plan, txn, cancel))
                .await
                .map_err(|mut error| {
                    if error.code == code::DEPENDENT_OBJECTS_STILL_EXIST {
                        error.message = DEPENDED_ON.into();
                    }
                    error
                })?;
            // What CASCADE took with them; not the "does not exist, skipping" of objects
            // an earlier drop already took.
            let taken = |n: &SqlError| !n.message.ends_with("does not exist, skipping");
            (result.notices).extend(dropped.notices.into_iter().filter(taken));
        }
        let revoke = Plan::Role(crate::plan::RoleCommand::RevokeAllFrom { roles });
        Box::pin(self.run_ddl(cluster, &revoke, txn, cancel)).await?;
        Ok(result)
    }

    /// Runs DDL inside the current transaction. The new catalog image is part of the transaction's
    /// write set on this worker; it is published when the transaction commits. The node-wide DDL
    /// lock is held until then, so DDL transactions are serial.
    async fn run_ddl<C: Cluster>(
        &mut self,
        cluster: &C,
        plan: &Plan,
        txn: Tx,
        cancel: &Cancel,
    ) -> SqlResult<QueryResult> {
        // The statement took the catalog lock and its relation locks before it ran (see
        // `execute_inner`).
        if self.ddl.is_none() {
            self.ddl = Some(PendingDdl {
                catalog: cluster.catalog(),
                dropped: Vec::new(),
                sequences: Vec::new(),
            });
        }
        if let Plan::DropOwned { roles, cascade } = plan {
            return Box::pin(self.drop_owned(cluster, roles, *cascade, txn, cancel)).await;
        }
        if let Plan::AlterTableSteps { table, steps } = plan {
            self.check_ddl_privileges(&self.catalog(cluster), plan)?;
            let mut result = QueryResult {
                tag: "ALTER TABLE".into(),
                ..Default::default()
            };
            for text in steps {
                let catalog = self.catalog(cluster);
                // Positions would point into the step's text, not the statement's.
                let prepared =
                    (self.prepare(&catalog, text, 0, Vec::new())).map_err(SqlError::unplaced)?;
                let plan = prepared.plan.ok_or_else(|| {
                    SqlError::new(code::INTERNAL_ERROR, format!("{} has no plan", table.name))
                })?;
                let locks = ddl_locks(&plan, &catalog);
                self.take_relation_locks(cluster, &locks, cancel).await?;
                let done = Box::pin(self.run_ddl(cluster, &plan, txn, cancel))
                    .await
                    .map_err(SqlError::unplaced)?;
                result.notices.extend(done.notices);
            }
            return Ok(result);
        }
        let catalog = self.catalog(cluster);
        self.check_ddl_privileges(&catalog, plan)?;
        let mut next = (*catalog).clone();
        next.version = crate::catalog::next_version(catalog.version);
        let local = cluster.worker();
        let mut result = QueryResult::default();
        let mut dropped = Vec::new();
        match plan {
            Plan::DropExtensions { names } => {
                result.tag = "DROP EXTENSION".into();
                for name in names {
                    result.notices.push(SqlError::new(
                        code::SUCCESSFUL_COMPLETION,
                        format!("extension \"{name}\" does not exist, skipping"),
                    ));
                }
                return Ok(result);
            }
            Plan::CreateTable {
                table,
                if_not_exists,
                sequences,
                source,
                with_data,
                on_commit,
            } => {
                result.tag = if table.matview.is_some() {
                    "CREATE MATERIALIZED VIEW"
                } else if source.is_some() {
                    "CREATE TABLE AS"
                } else {
                    "CREATE TABLE"
                }
                .into();
                if catalog.relation_exists(&table.name) {
                    if *if_not_exists {
                        result.notices.push(SqlError::new(
                            code::DUPLICATE_TABLE,
                            format!(
                                "relation \"{}\" already exists, skipping",
                                crate::catalog::relname(&table.name)
                            ),
                        ));
                        return Ok(result);
                    }
                    return Err(SqlError::new(
                        code::DUPLICATE_TABLE,
                        format!(
                            "relation \"{}\" already exists",
                            crate::catalog::relname(&table.name)
                        ),
                    ));
                }
                // A temporary table's schema comes with the session's first one (and goes with
                // it, if this DDL is rolled back).
                let owner = self.info.session_user().to_string();
                ensure_temp_schema(&mut next, crate::catalog::split_name(&table.name).0, owner);
                // SERIAL/identity sequences first: PostgreSQL makes them before the table, so
                // their OIDs come first (the order dependency lists follow).
                for seq in sequences {
                    let id = add_sequence(&mut next, seq)?;
                    cluster.sequences().forget(id);
                }
                let mut table = table.clone();
                table.id = next.next_table_id.max(1);
                next.next_table_id = table.id + 1;
                if let Some(matview) = &mut table.matview {
                    matview.query.id = table.id;
                }
                table.placement = TableDef::placement_for(&table.columns, &table.primary_key);
                // A foreign key to the table itself names it by its new id.
                for fk in &mut table.foreign_keys {
                    if fk.parent == 0 {
                        fk.parent = table.id;
                    }
                }
                // Indexes of its UNIQUE constraints: ids, and PostgreSQL's names where unnamed.
                let indexes = std::mem::take(&mut table.indexes);
                for mut index in indexes {
                    if index.name.is_empty() {
                        // A constraint's index `_key`, another (copied by LIKE) `_idx`.
                        let names = index.name_parts(&table);
                        let suffix = if index.constraint { "key" } else { "idx" };
                        index.name = default_index_name(&next, &table, &names, suffix);
                    }
                    if next.relation_exists(&index.name)
                        || table.indexes.iter().any(|other| other.name == index.name)
                        || index.name == table.name
                    {
                        return Err(SqlError::new(
                            code::DUPLICATE_TABLE,
                            format!(
                                "relation \"{}\" already exists",
                                crate::catalog::relname(&index.name)
                            ),
                        ));
                    }
                    index.id = next.next_table_id;
                    next.next_table_id += 1;
                    index.placement = IndexDef::placement_for(index.part_type(&table, 0));
                    table.indexes.push(index);
                }
                let table = Arc::new(table);
                if let (Some(action), Some(txn)) = (on_commit, &self.txn) {
                    self.on_commit.push((table.id, *action, Some(txn.id)));
                }
                next.tables.insert(table.name.clone(), table.clone());
                if let (Some(source), true) = (source, with_data) {
                    // CREATE TABLE AS: the query's rows, written in the DDL's transaction.
                    let cancel = Cancel::default();
                    let params = Arc::new(Vec::new());
                    let now = now_timestamp();
                    let rows = self
                        .query_rows(cluster, &source.rel, &params, txn, now, &cancel)
                        .await?;
                    result.tag = format!("SELECT {}", rows.len());
                    let keyed = keyed_rows(cluster, self.row_home(cluster), &table, rows);
                    (self.insert_moved(cluster, &table, keyed, txn, now, false)).await?;
                }
            }
            Plan::RefreshMatView {
                table,
                source,
                concurrently,
            } => {
                result.tag = "REFRESH MATERIALIZED VIEW".into();
                let now = now_timestamp();
                let cancel = Cancel::default();
                if *concurrently {
                    let delete = Plan::Delete(Arc::new(crate::plan::DeletePlan {
                        table: table.clone(),
                        access: Access::Scan,
                        filter: None,
                        returning: None,
                    }));
                    Box::pin(self.run_plan(cluster, &delete, &[], txn, now, &cancel)).await?;
                } else {
                    let ids = std::iter::once(table.id).chain(table.indexes.iter().map(|i| i.id));
                    self.truncate_everywhere(cluster, ids, txn, now).await?;
                }
                if let Some(source) = source {
                    let params = Arc::new(Vec::new());
                    let rows = self
                        .query_rows(cluster, &source.rel, &params, txn, now, &cancel)
                        .await?;
                    let keyed = keyed_rows(cluster, self.row_home(cluster), table, rows);
                    (self.insert_moved(cluster, table, keyed, txn, now, false)).await?;
                }
                let populated = source.is_some();
                if let Some(stored) = next.tables.get_mut(&table.name) {
                    if let Some(matview) = &mut Arc::make_mut(stored).matview {
                        matview.populated = populated;
                    }
                }
            }
            Plan::CreateSequence { seq, if_not_exists } => {
                result.tag = "CREATE SEQUENCE".into();
                if catalog.relation_exists(&seq.name) && *if_not_exists {
                    result.notices.push(SqlError::new(
                        code::DUPLICATE_TABLE,
                        format!(
                            "relation \"{}\" already exists, skipping",
                            crate::catalog::relname(&seq.name)
                        ),
                    ));
                    return Ok(result);
                }
                let id = add_sequence(&mut next, seq)?;
                // The id may have been a rolled-back sequence's: start afresh.
                cluster.sequences().forget(id);
            }
            Plan::AlterOwner {
                relation,
                role,
                tag,
            } => {
                result.tag = (*tag).into();
                if next.role(role).is_none() {
                    return Err(SqlError::new(
                        code::UNDEFINED_OBJECT,
                        format!("role \"{role}\" does not exist"),
                    ));
                }
                let give = |owner: &mut Option<String>, acl: &mut Option<Vec<AclItem>>| {
                    let old = owner.replace(role.clone());
                    if let Some(acl) = acl {
                        let old = crate::catalog::owner_name(old.as_deref());
                        *acl = crate::catalog::acl_new_owner(acl, old, role);
                    }
                };
                if let Some(table) = next.tables.get_mut(relation) {
                    let table = Arc::make_mut(table);
                    give(&mut table.owner, &mut table.acl);
                    // Its SERIAL/identity and OWNED BY sequences go with it, as in PostgreSQL.
                    for seq in next.sequences.values_mut() {
                        if seq.owned_by.as_ref().is_some_and(|(t, _)| t == relation) {
                            let seq = Arc::make_mut(seq);
                            give(&mut seq.owner, &mut seq.acl);
                        }
                    }
                } else if let Some(seq) = next.sequences.get_mut(relation) {
                    if let Some((table, _)) = &seq.owned_by {
                        return Err(SqlError::new(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("cannot change owner of sequence \"{relation}\""),
                        )
                        .with_detail(format!(
                            "Sequence \"{relation}\" is linked to table \"{table}\"."
                        )));
                    }
                    let seq = Arc::make_mut(seq);
                    give(&mut seq.owner, &mut seq.acl);
                } else if let Some(view) = next.views.get_mut(relation) {
                    give(&mut view.owner, &mut view.acl);
                } else {
                    return Err(SqlError::new(
                        code::UNDEFINED_TABLE,
                        format!("relation \"{relation}\" does not exist"),
                    ));
                }
            }
            Plan::RenameView {
                view,
                name,
                to,
                tag,
            } => {
                result.tag = (*tag).into();
                let Some(key) = view else {
                    result.notices.push(SqlError::new(
                        code::SUCCESSFUL_COMPLETION,
                        format!("relation \"{name}\" does not exist, skipping"),
                    ));
                    return Ok(result);
                };
                if next.relation_exists(to) {
                    return Err(SqlError::new(
                        code::DUPLICATE_TABLE,
                        format!(
                            "relation \"{}\" already exists",
                            crate::catalog::relname(to)
                        ),
                    ));
                }
                let Some(mut view) = next.views.remove(key) else {
                    return Err(SqlError::new(
                        code::UNDEFINED_TABLE,
                        format!("relation \"{name}\" does not exist"),
                    ));
                };
                let id = view.id;
                view.name = to.clone();
                next.views.insert(to.clone(), view);
                // Views that read it name it anew (see `ViewDef::names`).
                next.change_stored_queries(|reader| {
                    reader.rename(id, 0, crate::catalog::relname(to))
                });
            }
            Plan::SetSchema {
                relation,
                schema,
                tag,
            } => {
                result.tag = (*tag).into();
                set_schema(&mut next, relation, schema)?;
            }
            Plan::Truncate {
                tables,
                cascaded,
                restart,
            } => {
                // RESTART IDENTITY: as ALTER SEQUENCE .. RESTART, undone if the transaction
                // aborts (the truncation with it).
                result = self
                    .truncate(cluster, tables, *cascaded, txn, now_timestamp())
                    .await?;
                for name in restart {
                    let old = catalog_sequence(&next, name)?;
                    let seq = (*old).clone();
                    let start = seq.start;
                    self.replace_sequence(cluster, &mut next, &old, seq, Some(start))?;
                }
            }
            Plan::AlterSequence { name, seq, restart } => {
                result.tag = "ALTER SEQUENCE".into();
                let Some(seq) = seq else {
                    result.notices.push(SqlError::new(
                        code::SUCCESSFUL_COMPLETION,
                        format!("relation \"{name}\" does not exist, skipping"),
                    ));
                    return Ok(result);
                };
                let old = catalog_sequence(&next, name)?;
                if seq.name != *name {
                    // Column defaults name the sequence by its name: they follow it.
                    let renamed = |default: &str| {
                        crate::bind::rename_sequence_in_default(default, name, &seq.name)
                    };
                    for table in next.tables.values_mut() {
                        let changes = |c: &crate::catalog::ColumnDef| {
                            c.default.as_deref().is_some_and(|d| renamed(d) != d)
                        };
                        if table.columns.iter().any(changes) {
                            for column in &mut Arc::make_mut(table).columns {
                                if let Some(default) = &mut column.default {
                                    *default = renamed(default);
                                }
                            }
                        }
                    }
                }
                self.replace_sequence(cluster, &mut next, &old, seq.clone(), *restart)?;
            }
            Plan::DropSequences {
                names,
                if_exists,
                cascade,
            } => {
                result.tag = "DROP SEQUENCE".into();
                // Column defaults that take values from the sequences: (table, column, sequence).
                let mut takers = Vec::new();
                for name in names {
                    let Some(seq) = next.sequences.get(name).cloned() else {
                        if *if_exists {
                            result.notices.push(skipping(&next, "sequence", name));
                            continue;
                        }
                        return Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!("sequence \"{name}\" does not exist"),
                        ));
                    };
                    let mut found = sequence_takers(&next, name);
                    found.sort_unstable();
                    // An identity column's sequence is part of the column (CASCADE or not).
                    if let Some((_, _, table, column, _)) = found.iter().find(|f| f.4) {
                        return Err(SqlError::new(
                            code::DEPENDENT_OBJECTS_STILL_EXIST,
                            format!(
                                "cannot drop sequence {name} because column {column} of table {table} requires it"
                            ),
                        )
                        .with_hint(format!(
                            "You can drop column {column} of table {table} instead."
                        )));
                    }
                    takers.extend(
                        found
                            .into_iter()
                            .map(|(_, _, t, c, _)| (t, c, name.clone())),
                    );
                    next.sequences.remove(name);
                    dropped.push(seq.id);
                }
                // PostgreSQL lists a later sequence's dependents first.
                let mut lines = Vec::new();
                for name in names.iter().rev() {
                    for (table, column, _) in takers.iter().filter(|(_, _, seq)| seq == name) {
                        lines.push((table, column, name));
                    }
                }
                if !lines.is_empty() && !*cascade {
                    let detail: Vec<String> = lines
                        .iter()
                        .map(|(table, column, name)| {
                            format!(
                                "default value for column {column} of table {table} depends on sequence {name}"
                            )
                        })
                        .collect();
                    let message = match names.as_slice() {
                        [name] => {
                            format!(
                                "cannot drop sequence {name} because other objects depend on it"
                            )
                        }
                        _ => DEPENDED_ON.to_string(),
                    };
                    return Err(depended_on(message, &detail));
                }
                // CASCADE: the defaults go.
                let mut lines: Vec<String> = lines
                    .into_iter()
                    .map(|(table, column, _)| {
                        if let Some(def) = next.tables.get_mut(table) {
                            let def = Arc::make_mut(def);
                            if let Some(c) = def.columns.iter_mut().find(|c| &c.name == column) {
                                c.default = None;
                            }
                        }
                        format!(
                            "drop cascades to default value for column {column} of table {table}"
                        )
                    })
                    .collect();
                match lines.len() {
                    0 => {}
                    1 => result
                        .notices
                        .push(SqlError::new(code::SUCCESSFUL_COMPLETION, lines.remove(0))),
                    n => result.notices.push(
                        SqlError::new(
                            code::SUCCESSFUL_COMPLETION,
                            format!("drop cascades to {n} other objects"),
                        )
                        .with_detail(lines.join("\n")),
                    ),
                }
                if dropped.is_empty() {
                    return Ok(result);
                }
            }
            Plan::CreateView {
                view,
                or_replace,
                implicit_temp,
            } => {
                result.tag = "CREATE VIEW".into();
                if *implicit_temp {
                    result.notices.push(SqlError::new(
                        code::SUCCESSFUL_COMPLETION,
                        format!(
                            "view \"{}\" will be a temporary view",
                            crate::catalog::relname(&view.name)
                        ),
                    ));
                }
                let owner = self.info.session_user().to_string();
                ensure_temp_schema(&mut next, crate::catalog::split_name(&view.name).0, owner);
                let replacing = *or_replace && catalog.views.contains_key(&view.name);
                if catalog.relation_exists(&view.name) && !replacing {
                    return Err(SqlError::new(
                        code::DUPLICATE_TABLE,
                        format!(
                            "relation \"{}\" already exists",
                            crate::catalog::relname(&view.name)
                        ),
                    ));
                }
                let mut view = view.clone();
                // A replaced view keeps its owner, grants and age.
                if let Some(old) = catalog.views.get(&view.name).filter(|_| replacing) {
                    view.owner = old.owner.clone();
                    view.acl = old.acl.clone();
                    view.id = old.id;
                } else {
                    view.id = next.next_table_id.max(1);
                    next.next_table_id = view.id + 1;
                }
                next.views.insert(view.name.clone(), view);
            }
            Plan::CreateSchema {
                name,
                owner,
                if_not_exists,
            } => {
                result.tag = "CREATE SCHEMA".into();
                let user = &self.info.user;
                // CREATE on the database: its owner (the bootstrap role) and superusers.
                if !catalog.is_owner(None, user) {
                    return Err(SqlError::new(
                        code::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied for database {}", self.info.database),
                    ));
                }
                if next.schema_exists(name) || matches!(name.as_str(), "information_schema") {
                    let error = SqlError::new(
                        code::DUPLICATE_SCHEMA,
                        format!("schema \"{name}\" already exists"),
                    );
                    if *if_not_exists {
                        let mut notice = error;
                        notice.message.push_str(", skipping");
                        result.notices.push(notice);
                        return Ok(result);
                    }
                    return Err(error);
                }
                next.add_schema(name, owner.clone());
            }
            Plan::AlterSchema {
                name,
                rename,
                owner,
            } => {
                result.tag = "ALTER SCHEMA".into();
                let user = &self.info.user;
                let Some(schema) = next.schemas.get(name).cloned() else {
                    if name == crate::catalog::PUBLIC_SCHEMA {
                        return Err(SqlError::unsupported("ALTER SCHEMA public"));
                    }
                    return Err(SqlError::new(
                        code::INVALID_SCHEMA_NAME,
                        format!("schema \"{name}\" does not exist"),
                    ));
                };
                if !catalog.is_owner(Some(&schema.owner), user) {
                    return Err(SqlError::new(
                        code::INSUFFICIENT_PRIVILEGE,
                        format!("must be owner of schema {name}"),
                    ));
                }
                if let Some(role) = owner {
                    // The new owner must be a role the user is a member of.
                    if role != user
                        && !catalog.is_superuser(user)
                        && !catalog.is_member_of(user, role)
                    {
                        return Err(SqlError::new(
                            code::INSUFFICIENT_PRIVILEGE,
                            format!("must be member of role \"{role}\""),
                        ));
                    }
                    let stored = next.schemas.get_mut(name).expect("checked above");
                    if let Some(acl) = &stored.acl {
                        stored.acl = Some(crate::catalog::acl_new_owner(acl, &schema.owner, role));
                    }
                    stored.owner = role.clone();
                }
                if let Some(new) = rename {
                    if !catalog.is_owner(None, user) {
                        return Err(SqlError::new(
                            code::INSUFFICIENT_PRIVILEGE,
                            format!("permission denied for database {}", self.info.database),
                        ));
                    }
                    if next.schema_exists(new) || new == "information_schema" {
                        return Err(SqlError::new(
                            code::DUPLICATE_SCHEMA,
                            format!("schema \"{new}\" already exists"),
                        ));
                    }
                    rename_schema(&mut next, name, new)?;
                }
            }
            Plan::DropSchemas {
                names,
                if_exists,
                cascade,
            } => {
                result.tag = "DROP SCHEMA".into();
                let user = &self.info.user;
                let mut going: Vec<(String, &'static str)> = Vec::new();
                for name in names {
                    if name == crate::catalog::PUBLIC_SCHEMA && !next.schemas.contains_key(name) {
                        // public is an ordinary schema in PostgreSQL; here it cannot go.
                        return Err(SqlError::unsupported("DROP SCHEMA public"));
                    }
                    let Some(schema) = next.schemas.get(name) else {
                        let error = SqlError::new(
                            code::INVALID_SCHEMA_NAME,
                            format!("schema \"{name}\" does not exist"),
                        );
                        if *if_exists {
                            let mut notice = error;
                            notice.code = code::SUCCESSFUL_COMPLETION;
                            notice.message.push_str(", skipping");
                            result.notices.push(notice);
                            continue;
                        }
                        return Err(error);
                    };
                    if !catalog.is_owner(Some(&schema.owner), user) {
                        return Err(SqlError::new(
                            code::INSUFFICIENT_PRIVILEGE,
                            format!("must be owner of schema {name}"),
                        ));
                    }
                    // Indexes and the sequences of SERIAL columns go with their tables
                    // unmentioned, as PostgreSQL lists only what depends on the schema itself.
                    let owned_sequence = |key: &str| {
                        next.sequences
                            .get(key)
                            .is_some_and(|seq| seq.owned_by.is_some())
                    };
                    let mut objects: Vec<(String, &'static str)> = next
                        .relations_in(name)
                        .into_iter()
                        .filter(|(key, kind)| *kind != "index" && !owned_sequence(key))
                        .collect();
                    let types = next.enums.keys().chain(next.composites.keys());
                    let types = types.filter(|key| crate::catalog::split_name(key).0 == name);
                    objects.extend(types.map(|key| (key.clone(), "type")));
                    let domains = next.domains.keys();
                    let domains = domains.filter(|key| crate::catalog::split_name(key).0 == name);
                    objects.extend(domains.map(|key| (key.clone(), "domain")));
                    // Creation order (the ids), as PostgreSQL lists dependents.
                    let order = |(key, kind): &(String, &str)| match *kind {
                        "table" => next.tables[key].id,
                        "sequence" => next.sequences[key].id,
                        "type" => match next.enums.get(key) {
                            Some(def) => def.id,
                            None => next.composites[key].id,
                        },
                        "domain" => next.domains[key].id,
                        _ => next.views[key].id,
                    };
                    objects.sort_by_key(|object| order(object));
                    going.extend(objects);
                }
                // Named bare when the session's search path finds them so, as PostgreSQL does.
                let schemas = catalog.search_schemas(&self.info.search_path, user);
                // (PostgreSQL calls a domain a type here.)
                let describe = |(key, kind): &(String, &str)| {
                    let kind = if *kind == "domain" { "type" } else { kind };
                    format!("{kind} {}", catalog.display_name(key, &schemas))
                };
                if !going.is_empty() && !cascade {
                    let detail: Vec<String> = going
                        .iter()
                        .map(|object| {
                            let schema = crate::catalog::split_name(&object.0).0;
                            format!("{} depends on schema {schema}", describe(object))
                        })
                        .collect();
                    return Err(depended_on(
                        format!(
                            "cannot drop schema {} because other objects depend on it",
                            names[0]
                        ),
                        &detail,
                    ));
                }
                if !going.is_empty() {
                    let lines: Vec<String> = going
                        .iter()
                        .map(|object| format!("drop cascades to {}", describe(object)))
                        .collect();
                    result.notices.push(cascade_notice(&lines));
                }
                let in_dropped =
                    |key: &str| names.iter().any(|n| crate::catalog::split_name(key).0 == n);
                // A foreign key from a table that stays onto one that goes would dangle.
                for (key, table) in &next.tables {
                    if !in_dropped(key) {
                        continue;
                    }
                    if let Some((child, fk)) = next
                        .referencing(table.id)
                        .into_iter()
                        .find(|(child, _)| !in_dropped(&child.name))
                    {
                        return Err(SqlError::new(
                            code::DEPENDENT_OBJECTS_STILL_EXIST,
                            format!(
                                "cannot drop schema {} because other objects depend on it",
                                crate::catalog::split_name(key).0
                            ),
                        )
                        .with_detail(format!(
                            "constraint {} on table {} depends on table {}",
                            fk.name,
                            crate::catalog::relname(&child.name),
                            crate::catalog::relname(key)
                        ))
                        .with_hint(
                            "Dropping the referencing table or constraint first lets it go.",
                        ));
                    }
                }
                next.views.retain(|key, _| !in_dropped(key));
                // An enum or composite type that goes must not be held by a column of a table
                // that stays, or by a field of a composite type that stays.
                let enums = (next.enums.values())
                    .filter(|def| in_dropped(&def.name))
                    .map(|def| (def.relname(), DataType::Enum(def.id as u32)));
                let composites = (next.composites.values())
                    .filter(|def| in_dropped(&def.name))
                    .map(|def| (def.relname(), def.data_type()));
                for (relname, ty) in enums.chain(composites) {
                    let holds = |held: DataType| crate::composites::holds(held, ty);
                    let table = (next.tables.values())
                        .find(|t| !in_dropped(&t.name) && t.columns.iter().any(|c| holds(c.ty)));
                    let composite = (next.composites.values())
                        .find(|c| !in_dropped(&c.name) && c.fields.iter().any(|f| holds(f.ty)));
                    let user = match (table, composite) {
                        (Some(table), _) => {
                            format!("table {}", crate::catalog::relname(&table.name))
                        }
                        (None, Some(c)) => format!("type {}", c.relname()),
                        (None, None) => continue,
                    };
                    return Err(SqlError::unsupported(format!(
                        "DROP SCHEMA ... CASCADE of type {relname} that {user} uses"
                    )));
                }
                next.enums.retain(|key, _| !in_dropped(key));
                next.composites.retain(|key, _| !in_dropped(key));
                // So must a domain, or one over it.
                for def in next.domains.values().filter(|def| in_dropped(&def.name)) {
                    let mut users = next.tables.values().filter(|t| !in_dropped(&t.name));
                    let over = next
                        .domains
                        .values()
                        .find(|d| d.parent == Some(def.id) && !in_dropped(&d.name));
                    let user = users.find(|t| {
                        t.columns
                            .iter()
                            .any(|c| c.domain.as_ref().is_some_and(|d| d.id == def.id))
                    });
                    if user.is_some() || over.is_some() {
                        return Err(SqlError::unsupported(format!(
                            "DROP SCHEMA ... CASCADE of domain {} that {} uses",
                            def.relname(),
                            match (user, over) {
                                (Some(table), _) =>
                                    format!("table {}", crate::catalog::relname(&table.name)),
                                (None, over) =>
                                    format!("domain {}", over.map_or("", |d| d.relname())),
                            }
                        )));
                    }
                }
                next.domains.retain(|key, _| !in_dropped(key));
                let tables: Vec<Arc<TableDef>> = next
                    .tables
                    .values()
                    .filter(|t| in_dropped(&t.name))
                    .cloned()
                    .collect();
                for table in tables {
                    next.tables.remove(&table.name);
                    dropped.push(table.id);
                    dropped.extend(table.indexes.iter().map(|index| index.id));
                    next.comments.retain(|c| c.table != table.id);
                }
                next.sequences.retain(|key, seq| {
                    let owner_gone = seq
                        .owned_by
                        .as_ref()
                        .is_some_and(|(owner, _)| in_dropped(owner));
                    if in_dropped(key) || owner_gone {
                        dropped.push(seq.id);
                        return false;
                    }
                    true
                });
                for name in names {
                    next.schemas.remove(name);
                }
            }
            Plan::DropViews {
                names,
                if_exists,
                cascade,
            } => {
                result.tag = "DROP VIEW".into();
                for name in names {
                    match next.tables.get(name) {
                        Some(table) if table.matview.is_some() => {
                            let drop = "MATERIALIZED VIEW";
                            return Err(wrong_kind(name, "view", drop, "materialized view"));
                        }
                        Some(_) => return Err(wrong_kind(name, "view", "TABLE", "table")),
                        None => {}
                    }
                }
                let roots = names
                    .iter()
                    .filter_map(|name| next.views.get(name))
                    .map(|view| (view.id, "view", view.name.clone()))
                    .collect();
                let dropping: Vec<&str> = names.iter().map(String::as_str).collect();
                let dependents = Dependents::of(&next, roots, &dropping);
                dependents.check_or_notice(names.first(), "view", *cascade, &mut result)?;
                dropped.extend(dependents.drop_from(&mut next));
                for name in names {
                    if next.views.remove(name).is_none() {
                        if *if_exists {
                            result.notices.push(skipping(&next, "view", name));
                        } else {
                            return Err(SqlError::new(
                                code::UNDEFINED_TABLE,
                                format!("view \"{name}\" does not exist"),
                            ));
                        }
                    }
                }
            }
            Plan::DropTables {
                names,
                if_exists,
                cascade,
                matviews,
            } => {
                let (kind, tag) = if *matviews {
                    ("materialized view", "DROP MATERIALIZED VIEW")
                } else {
                    ("table", "DROP TABLE")
                };
                result.tag = tag.into();
                for (name, _) in names {
                    let wrong = match (next.tables.get(name), next.views.contains_key(name)) {
                        (None, true) => Some(("VIEW", "view")),
                        (Some(table), _) if table.matview.is_some() != *matviews => {
                            Some(match table.matview {
                                Some(_) => ("MATERIALIZED VIEW", "materialized view"),
                                None => ("TABLE", "table"),
                            })
                        }
                        _ => None,
                    };
                    if let Some((drop, what)) = wrong {
                        return Err(wrong_kind(name, kind, drop, what));
                    }
                }
                // Foreign keys of tables not dropped with them, and views, that depend on the
                // tables: they stop the drop, or go with it (CASCADE).
                let roots = names
                    .iter()
                    .filter_map(|(name, _)| next.tables.get(name))
                    .map(|table| (table.id, kind, table.name.clone()))
                    .collect();
                let dropping: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
                let dependents = Dependents::of(&next, roots, &dropping);
                let first = names.first().map(|(name, _)| name);
                (dependents.check_or_notice(first, kind, *cascade, &mut result)).map_err(
                    |mut error| {
                        // More than one table named: PostgreSQL's message for them all.
                        if names.len() > 1 {
                            error.message = DEPENDED_ON.into();
                        }
                        error
                    },
                )?;
                dropped.extend(dependents.drop_from(&mut next));
                for (name, _) in names {
                    match next.tables.remove(name) {
                        Some(table) => {
                            dropped.push(table.id);
                            next.comments.retain(|c| c.table != table.id);
                            dropped.extend(table.indexes.iter().map(|index| index.id));
                            // Its SERIAL and identity sequences go with it.
                            next.sequences.retain(|_, seq| {
                                let owned = seq
                                    .owned_by
                                    .as_ref()
                                    .is_some_and(|(owner, _)| *owner == table.name);
                                if owned {
                                    dropped.push(seq.id);
                                }
                                !owned
                            });
                        }
                        None if *if_exists => result.notices.push(skipping(&next, kind, name)),
                        None => {
                            return Err(SqlError::new(
                                code::UNDEFINED_TABLE,
                                format!("{kind} \"{name}\" does not exist"),
                            ))
                        }
                    }
                }
                if dropped.is_empty() {
                    return Ok(result);
                }
            }
            Plan::AddPrimaryKey {
                table,
                columns,
                name,
                include,
            } => {
                result.tag = "ALTER TABLE".into();
                let table = current_table(&catalog, table)?;
                if !table.primary_key.is_empty() {
                    return Err(SqlError::new(
                        code::INVALID_TABLE_DEFINITION,
                        format!(
                            "multiple primary keys for table \"{}\" are not allowed",
                            crate::catalog::relname(&table.name)
                        ),
                    ));
                }
                let mut keyed = (*table).clone();
                keyed.primary_key = columns.clone();
                keyed.primary_key_include = include.clone();
                keyed.primary_key_name = name.clone();
                // Placed as a table made with this key is (pg_dump and pgbench add keys after
                // loading). The rows keep their vshards until the rewrite moves them: a hidden
                // row id is one integer, whose whole key is the prefix either rule hashes.
                keyed.placement = TableDef::placement_for(&keyed.columns, &keyed.primary_key);
                for &column in columns {
                    keyed.columns[column].not_null = true;
                }
                let keyed = Arc::new(keyed);
                self.rewrite(cluster, &table, &keyed, None, txn).await?;
                next.tables.insert(keyed.name.clone(), keyed);
            }
            Plan::CreateIndex {
                table,
                name,
                columns,
                options,
                unique,
                if_not_exists,
                constraint,
                predicate,
                expressions,
                expression_types,
                include,
                nulls_not_distinct,
                storage,
                bound,
                gin,
            } => {
                result.tag = if *constraint {
                    "ALTER TABLE"
                } else {
                    "CREATE INDEX"
                }
                .into();
                let table = current_table(&catalog, table)?;
                let mut index = IndexDef {
                    clustered: false,
                    id: next.next_table_id.max(1),
                    name: String::new(),
                    columns: columns.clone(),
                    unique: *unique,
                    constraint: *constraint,
                    options: options.clone(),
                    predicate: predicate.clone(),
                    expressions: expressions.clone(),
                    expression_types: expression_types.clone(),
                    include: include.clone(),
                    nulls_not_distinct: *nulls_not_distinct,
                    storage: storage.clone(),
                    bound: bound.clone(),
                    placement: keel_storage::WHOLE_KEY,
                    gin: *gin,
                };
                // A GIN index's entries are placed by their items.
                let first = index.part_type(&table, 0);
                let first = gin.map_or(first, |class| class.item_type(first));
                index.placement = IndexDef::placement_for(first);
                let name = match name {
                    Some(name) => name.clone(),
                    None => default_index_name(
                        &next,
                        &table,
                        &index.name_parts(&table),
                        if *constraint { "key" } else { "idx" },
                    ),
                };
                if next.relation_exists(&name) {
                    if *if_not_exists {
                        result.notices.push(SqlError::new(
                            code::DUPLICATE_TABLE,
                            format!("relation \"{name}\" already exists, skipping"),
                        ));
                        return Ok(result);
                    }
                    return Err(SqlError::new(
                        code::DUPLICATE_TABLE,
                        format!("relation \"{name}\" already exists"),
                    ));
                }
                index.name = name;
                next.next_table_id = index.id + 1;
                self.build_index(cluster, &table, &index, txn).await?;
                let mut indexed = (*table).clone();
                index.bound = None;
                indexed.indexes.push(index);
                next.tables.insert(indexed.name.clone(), Arc::new(indexed));
            }
            Plan::AlterTable {
                table,
                new,
                fill,
                not_null,
                notices,
                sequences,
                retype,
                identity,
                tag,
            } => {
                result.tag = (*tag).into();
                result.notices.extend(notices.iter().cloned());
                let current = current_table(&next, table)?;
                // Index expressions are bound anew over the changed columns when rows are
                // rewritten (`with_bound_indexes`).
                let new = &{
                    let mut unbound = (**new).clone();
                    unbound.unbind_indexes();
                    Arc::new(unbound)
                };
                let mut made = Vec::new();
                for seq in sequences {
                    let id = add_sequence(&mut next, seq)?;
                    cluster.sequences().forget(id);
                    made.extend(next.sequences.get(&seq.name).cloned());
                }
                // Values from the sequences just made (bound before they had ids).
                let retype: Vec<(usize, Expr)> = (retype.iter())
                    .map(|(column, value)| (*column, with_sequences(value.clone(), &made)))
                    .collect();
                let retype = &retype;
                if new.name != current.name && next.relation_exists(&new.name) {
                    return Err(SqlError::new(
                        code::DUPLICATE_TABLE,
                        format!(
                            "relation \"{}\" already exists",
                            crate::catalog::relname(&new.name)
                        ),
                    ));
                }
                let all: Vec<WorkerId> = (0..cluster.workers() as WorkerId).collect();
                if !retype.is_empty() {
                    self.retype_rows(cluster, &current, new, retype, fill, txn)
                        .await?;
                }
                // Columns that must hold no NULL: look for one first.
                check_existing_rows(cluster, new, not_null, &[], txn).await?;
                // Added columns with a default: existing rows take it, then must pass the
                // checks that read them.
                if !fill.is_empty() {
                    self.note_writers(all.iter().copied());
                    let assignments = Arc::new(fill.clone());
                    let mut unchecked = (**new).clone();
                    let (checked, kept): (Vec<_>, Vec<_>) =
                        unchecked.checks.drain(..).partition(|check| {
                            let mut read = Vec::new();
                            if let Some(bound) = &check.bound {
                                bound.columns(&mut read);
                            }
                            read.iter().any(|&c| c >= current.columns.len())
                        });
                    unchecked.checks = kept;
                    let unchecked = Arc::new(unchecked);
                    let updates = all
                        .iter()
                        .map(|&w| {
                            let op = ShardOp::Update {
                                table: unchecked.clone(),
                                key: None,
                                filter: None,
                                assignments: assignments.clone(),
                                values: None,
                                params: Arc::new(Vec::new()),
                                returning: false,
                                range: None,
                                prefixes: false,
                                recheck: false,
                            };
                            (
                                w,
                                ShardRequest {
                                    txn,
                                    now: now_timestamp(),
                                    op,
                                },
                            )
                        })
                        .collect();
                    gather(cluster.call_all(updates).await)?;
                    check_existing_rows(cluster, new, &[], &checked, txn).await?;
                }
                let mut stored = (**new).clone();
                stored.unbind_expressions();
                if let Some(matview) = &mut stored.matview {
                    // A materialized view's query gives its rows the table's column names.
                    matview.query.name = stored.name.clone();
                    matview.query.columns = stored.columns.iter().map(|c| c.name.clone()).collect();
                }
                if stored.name != current.name {
                    next.tables.remove(&current.name);
                }
                // Views name the table and its columns as they were: renamed with them (see
                // `ViewDef::names`).
                let renamed: Vec<(i16, &str)> = current
                    .columns
                    .iter()
                    .zip(&stored.columns)
                    .enumerate()
                    .filter(|(_, (was, now))| was.name != now.name)
                    .map(|(i, (_, now))| (i as i16 + 1, now.name.as_str()))
                    .chain(
                        (stored.name != current.name)
                            .then(|| (0, crate::catalog::relname(&stored.name))),
                    )
                    .collect();
                next.change_stored_queries(|view| {
                    for &(column, to) in &renamed {
                        view.rename(current.id, column, to);
                    }
                });
                for seq in next.sequences.values_mut() {
                    if let Some((owner, column)) = &seq.owned_by {
                        if *owner != current.name {
                            continue;
                        }
                        let index = current.column_index(column);
                        let mut changed = (**seq).clone();
                        changed.owned_by = Some((
                            stored.name.clone(),
                            index.map_or(column.clone(), |i| stored.columns[i].name.clone()),
                        ));
                        *seq = Arc::new(changed);
                    }
                }
                let stored = Arc::new(stored);
                next.tables.insert(stored.name.clone(), stored.clone());
                // Identity columns' sequences: changed as ALTER SEQUENCE changes them, or
                // dropped with the identity.
                for (name, change) in identity {
                    let old = catalog_sequence(&next, name)?;
                    match change {
                        Some(change) => {
                            let seq = change.seq.clone();
                            self.replace_sequence(cluster, &mut next, &old, seq, change.restart)?;
                        }
                        None => {
                            next.sequences.remove(name);
                            dropped.push(old.id);
                        }
                    }
                }
                if !retype.is_empty() {
                    self.retyped(cluster, &mut next, &stored, retype, txn)
                        .await?;
                }
            }
            Plan::AddCheck { table, check } => {
                result.tag = "ALTER TABLE".into();
                let table = current_table(&next, table)?;
                if !check.not_valid {
                    let checks = std::slice::from_ref(check);
                    check_existing_rows(cluster, &table, &[], checks, txn).await?;
                }
                let mut changed = (*table).clone();
                let mut stored = check.clone();
                stored.bound = None;
                changed.checks.push(stored);
                changed.checks.sort_by(|a, b| a.name.cmp(&b.name));
                next.tables.insert(changed.name.clone(), Arc::new(changed));
            }
            Plan::DropColumn {
                table,
                name,
                cascade,
                checks,
                generated,
                ..
            } => {
                result.tag = "ALTER TABLE".into();
                // Generated columns that read the column: without CASCADE PostgreSQL's 2BP01;
                // with it they go first, each as a DROP COLUMN of its own.
                let cascaded = Dependents {
                    views: Vec::new(),
                    foreign_keys: Vec::new(),
                    columns: (generated.iter())
                        .map(|g| (g.clone(), table.name.clone()))
                        .collect(),
                    defaults: Vec::new(),
                };
                let of = format!("{name} of table {}", table.name);
                cascaded.check_or_notice(Some(&of), "column", *cascade, &mut result)?;
                for name in generated.iter().chain(std::iter::once(name)) {
                    let current = current_table(&next, table)?;
                    let Some(column) = current.column_index(name) else {
                        result.notices.push(SqlError::new(
                            code::SUCCESSFUL_COMPLETION,
                            format!(
                                "column \"{name}\" of relation \"{}\" does not exist, skipping",
                                crate::catalog::relname(&current.name)
                            ),
                        ));
                        return Ok(result);
                    };
                    // Other tables' foreign keys to the column, and views that read it (and views of
                    // those), go only with CASCADE.
                    let attnum = column as i16 + 1;
                    let mut dependents = Dependents::of_column(&next, &current, attnum, name);
                    dependents.foreign_keys = (next.referencing(current.id).into_iter())
                        .filter(|(child, fk)| {
                            fk.parent_columns.contains(&column)
                                && !(child.id == current.id && fk.columns.contains(&column))
                        })
                        .map(|(child, fk)| {
                            let line = format!(
                                "constraint {} on table {} depends on column {name} of table {}",
                                fk.name, child.name, current.name
                            );
                            (child.name.clone(), fk.name.clone(), line)
                        })
                        .collect();
                    dependents.check_or_notice(
                        Some(&format!("{name} of table {}", current.name)),
                        "column",
                        *cascade,
                        &mut result,
                    )?;
                    dropped.extend(dependents.drop_from(&mut next));
                    next.change_stored_queries(|view| view.column_dropped(current.id, attnum));
                    let shift = |c: usize| if c > column { c - 1 } else { c };
                    // Referencing tables: drop the cascaded keys, renumber the referenced columns.
                    let children: Vec<Arc<TableDef>> = next
                        .tables
                        .values()
                        .filter(|t| {
                            t.id != current.id
                                && t.foreign_keys.iter().any(|fk| fk.parent == current.id)
                        })
                        .cloned()
                        .collect();
                    for child in children {
                        let mut changed = (*child).clone();
                        changed.foreign_keys.retain(|fk| {
                            !(fk.parent == current.id && fk.parent_columns.contains(&column))
                        });
                        for fk in &mut changed.foreign_keys {
                            if fk.parent == current.id {
                                fk.parent_columns =
                                    fk.parent_columns.iter().map(|&c| shift(c)).collect();
                            }
                        }
                        next.tables.insert(changed.name.clone(), Arc::new(changed));
                    }
                    let mut new = (*current).clone();
                    new.columns.remove(column);
                    if new.primary_key.contains(&column)
                        || new.primary_key_include.contains(&column)
                    {
                        // The primary key goes with its column (an included one too): the
                        // rows get hidden row ids.
                        new = new.without_primary_key();
                    }
                    new.primary_key = new.primary_key.iter().map(|&c| shift(c)).collect();
                    new.primary_key_include = (new.primary_key_include.iter())
                        .map(|&c| shift(c))
                        .collect();
                    // Indexes, constraints and owned sequences over the column go with it.
                    let mut kept_indexes = Vec::new();
                    // (An index's expressions and predicate name columns: they are bound anew.)
                    // (Bound over the table as planned: its column there, by name.)
                    let reads_column = |index: &IndexDef| {
                        let bound = table.indexes.iter().find(|i| i.id == index.id);
                        let planned = table.column_index(name);
                        bound.is_some_and(|i| planned.is_some_and(|c| i.reads_column(c)))
                    };
                    for index in std::mem::take(&mut new.indexes) {
                        if index.columns.contains(&column) || reads_column(&index) {
                            dropped.push(index.id);
                        } else {
                            kept_indexes.push(IndexDef {
                                columns: index.columns.iter().map(|&c| shift(c)).collect(),
                                include: index.include.iter().map(|&c| shift(c)).collect(),
                                bound: None,
                                ..index
                            });
                        }
                    }
                    new.indexes = kept_indexes;
                    new.checks.retain(|check| !checks.contains(&check.name));
                    new.foreign_keys.retain(|fk| {
                        let self_referenced =
                            fk.parent == current.id && fk.parent_columns.contains(&column);
                        !(fk.columns.contains(&column) || self_referenced)
                    });
                    for fk in &mut new.foreign_keys {
                        fk.columns = fk.columns.iter().map(|&c| shift(c)).collect();
                        if fk.parent == current.id {
                            fk.parent_columns =
                                fk.parent_columns.iter().map(|&c| shift(c)).collect();
                        }
                    }
                    next.sequences.retain(|_, seq| {
                        let owned = seq
                            .owned_by
                            .as_ref()
                            .is_some_and(|(t, c)| *t == current.name && c == name);
                        if owned {
                            dropped.push(seq.id);
                        }
                        !owned
                    });
                    // Its comment goes; later columns' comments move down one attnum.
                    next.comments
                        .retain(|c| !(c.table == current.id && c.column == attnum));
                    for comment in &mut next.comments {
                        if comment.table == current.id && comment.column > attnum {
                            comment.column -= 1;
                        }
                    }
                    let new = Arc::new(new);
                    let drop = |row: &mut Vec<Value>| {
                        row.remove(column);
                        Ok(())
                    };
                    self.rewrite(cluster, &current, &new, Some(&drop), txn)
                        .await?;
                    next.tables.insert(new.name.clone(), new);
                }
            }
            Plan::Role(command) => {
                result.tag = plan.write_command().unwrap_or_default().into();
                self.run_role(&mut next, command, &mut result.notices)?;
            }
            Plan::Type(command) => {
                result.tag = plan.write_command().unwrap_or_default().into();
                self.run_type(&mut next, command, &mut result.notices)?;
            }
            Plan::Domain(command) => {
                result.tag = plan.write_command().unwrap_or_default().into();
                self.run_domain(cluster, &mut next, command, txn, &mut result.notices)
                    .await?;
            }
            Plan::Grant(command) => {
                result.tag = plan.write_command().unwrap_or_default().into();
                self.run_grant(&mut next, command, &mut result.notices)?;
            }
            Plan::Comment {
                table,
                column,
                text,
            } => {
                result.tag = "COMMENT".into();
                let table = current_table(&next, table)?;
                let attnum = column.map_or(0, |c| c as i16 + 1);
                next.comments
                    .retain(|c| !(c.table == table.id && c.column == attnum));
                if let Some(text) = text {
                    next.comments.push(crate::catalog::Comment {
                        table: table.id,
                        column: attnum,
                        text: text.clone(),
                    });
                }
            }
            Plan::AddForeignKey { table, fk } => {
                result.tag = "ALTER TABLE".into();
                let table = current_table(&next, table)?;
                let taken = table.index(&fk.name).is_some()
                    || table.checks.iter().any(|c| c.name == fk.name)
                    || table.foreign_keys.iter().any(|f| f.name == fk.name)
                    || (!table.primary_key.is_empty() && table.pkey_name() == fk.name);
                if taken {
                    return Err(SqlError::new(
                        "42710",
                        format!(
                            "constraint \"{}\" for relation \"{}\" already exists",
                            fk.name,
                            crate::catalog::relname(&table.name)
                        ),
                    ));
                }
                if !fk.not_valid {
                    (self.validate_foreign_key(cluster, &next, &table, fk, txn)).await?;
                }
                let mut changed = (*table).clone();
                changed.foreign_keys.push(fk.clone());
                changed.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
                next.tables.insert(changed.name.clone(), Arc::new(changed));
            }
            Plan::ValidateConstraint { table: bound, name } => {
                result.tag = "ALTER TABLE".into();
                let table = current_table(&next, bound)?;
                let mut changed = (*table).clone();
                let check = changed.checks.iter_mut().find(|c| c.name == *name);
                if let Some(check) = check {
                    if check.not_valid {
                        // The binder's copy of the table has its checks bound.
                        let checks = (bound.checks.iter())
                            .filter(|c| c.name == *name)
                            .cloned()
                            .collect::<Vec<_>>();
                        check_existing_rows(cluster, &table, &[], &checks, txn).await?;
                        check.not_valid = false;
                    }
                } else if let Some(fk) = changed.foreign_keys.iter_mut().find(|f| f.name == *name) {
                    if fk.not_valid {
                        fk.not_valid = false;
                        (self.validate_foreign_key(cluster, &next, &table, fk, txn)).await?;
                    }
                } else {
                    let relname = crate::catalog::relname(&table.name);
                    let keyed =
                        crate::catalog::qualify(crate::catalog::split_name(&table.name).0, name);
                    let keyed_constraint = table
                        .indexes
                        .iter()
                        .any(|i| i.constraint && i.name == keyed)
                        || (!table.primary_key.is_empty() && table.pkey_name() == *name);
                    return Err(if keyed_constraint {
                        SqlError::new(
                            code::WRONG_OBJECT_TYPE,
                            format!("constraint \"{name}\" of relation \"{relname}\" is not a foreign key or check constraint"),
                        )
                    } else {
                        SqlError::new(
                            code::UNDEFINED_OBJECT,
                            format!(
                                "constraint \"{name}\" of relation \"{relname}\" does not exist"
                            ),
                        )
                    });
                }
                next.tables.insert(changed.name.clone(), Arc::new(changed));
            }
            Plan::DropConstraint {
                table,
                name,
                if_exists,
                cascade,
            } => {
                result.tag = "ALTER TABLE".into();
                let table = current_table(&next, table)?;
                // Index-backed constraints are named in the table's schema (see `qualify`).
                let keyed =
                    crate::catalog::qualify(crate::catalog::split_name(&table.name).0, name);
                // Foreign keys standing on a unique or primary key go first, with CASCADE.
                let drop_dependents = |next: &mut Catalog, key, result: &mut QueryResult| {
                    let dependents = Dependents::of_key(next, &table, key, name);
                    let constraint = format!("{name} on table {}", table.name);
                    dependents.check_or_notice(
                        Some(&constraint),
                        "constraint",
                        *cascade,
                        result,
                    )?;
                    dependents.drop_from(next);
                    current_table(next, &table)
                };
                match table.index(&keyed) {
                    Some(index) if index.constraint => {
                        let id = index.id;
                        let table =
                            drop_dependents(&mut next, ReferencedKey::Index(id), &mut result)?;
                        dropped.push(id);
                        let mut changed = (*table).clone();
                        changed.indexes.retain(|index| index.id != id);
                        next.tables.insert(changed.name.clone(), Arc::new(changed));
                    }
                    _ if table.checks.iter().any(|check| check.name == *name) => {
                        let mut changed = (*table).clone();
                        changed.checks.retain(|check| check.name != *name);
                        next.tables.insert(changed.name.clone(), Arc::new(changed));
                    }
                    _ if table.foreign_keys.iter().any(|fk| fk.name == *name) => {
                        let mut changed = (*table).clone();
                        changed.foreign_keys.retain(|fk| fk.name != *name);
                        next.tables.insert(changed.name.clone(), Arc::new(changed));
                    }
                    _ if !table.primary_key.is_empty() && table.pkey_name() == keyed => {
                        let table =
                            drop_dependents(&mut next, ReferencedKey::Primary, &mut result)?;
                        // The rows go under hidden row ids; the key's columns stay NOT NULL,
                        // as in PostgreSQL.
                        let unkeyed = Arc::new(table.without_primary_key());
                        self.rewrite(cluster, &table, &unkeyed, None, txn).await?;
                        next.tables.insert(unkeyed.name.clone(), unkeyed);
                    }
                    _ if *if_exists => {
                        result.notices.push(SqlError::new(
                            code::SUCCESSFUL_COMPLETION,
                            format!(
                                "constraint \"{name}\" of relation \"{}\" does not exist, skipping",
                                crate::catalog::relname(&table.name)
                            ),
                        ));
                        return Ok(result);
                    }
                    _ => {
                        return Err(SqlError::new(
                            code::UNDEFINED_OBJECT,
                            format!(
                                "constraint \"{name}\" of relation \"{}\" does not exist",
                                crate::catalog::relname(&table.name)
                            ),
                        ))
                    }
                }
            }
            Plan::DropIndexes {
                names,
                if_exists,
                cascade,
            } => {
                result.tag = "DROP INDEX".into();
                for name in names {
                    match next.table_of_index(name).cloned() {
                        Some(table) if table.index(name).is_some_and(|index| index.constraint) => {
                            return Err(SqlError::new(
                                code::DEPENDENT_OBJECTS_STILL_EXIST,
                                format!(
                                    "cannot drop index {name} because constraint {name} on table {} requires it",
                                    table.name
                                ),
                            )
                            .with_hint(format!(
                                "You can drop constraint {name} on table {} instead.",
                                table.name
                            )));
                        }
                        Some(table) => {
                            // Foreign keys standing on a unique index go first, with CASCADE.
                            let id = table.index(name).map_or(0, |index| index.id);
                            let dependents =
                                Dependents::of_key(&next, &table, ReferencedKey::Index(id), name);
                            dependents.check_or_notice(
                                Some(name),
                                "index",
                                *cascade,
                                &mut result,
                            )?;
                            dependents.drop_from(&mut next);
                            let table = current_table(&next, &table)?;
                            let mut changed = (*table).clone();
                            changed.indexes.retain(|index| {
                                if index.name == *name {
                                    dropped.push(index.id);
                                    false
                                } else {
                                    true
                                }
                            });
                            next.tables.insert(changed.name.clone(), Arc::new(changed));
                        }
                        None if next.tables.contains_key(name) => {
                            return Err(SqlError::new(
                                code::WRONG_OBJECT_TYPE,
                                format!("\"{name}\" is not an index"),
                            )
                            .with_hint("Use DROP TABLE to remove a table."))
                        }
                        None if *if_exists => result.notices.push(skipping(&next, "index", name)),
                        None => {
                            return Err(SqlError::new(
                                code::UNDEFINED_OBJECT,
                                format!("index \"{name}\" does not exist"),
                            ))
                        }
                    }
                }
                if dropped.is_empty() {
                    return Ok(result);
                }
            }
            _ => unreachable!("only DDL plans reach run_ddl"),
        }
        next.forget_bound_indexes();
        next.refresh_references();
        let image = next.to_image()?;
        let version = next.version;
        self.note_ddl_writers([local]);
        cluster
            .call(
                local,
                ShardRequest {
                    txn,
                    now: 0,
                    op: ShardOp::WriteCatalog { version, image },
                },
            )
            .await?;
        let ddl = self.ddl.as_mut().expect("taken above");
        ddl.catalog = Arc::new(next);
        ddl.dropped.extend(dropped);
        Ok(result)
    }

    /// After a commit: publishes the transaction's catalog and frees dropped tables' rows.
    async fn publish_ddl<C: Cluster>(&mut self, cluster: &C, txn: TxnId) {
        let Some(ddl) = self.ddl.take() else { return };
        let mut catalog = (*ddl.catalog).clone();
        catalog.commit_enums();
        cluster.publish_catalog(catalog);
        let _ = free_tables(cluster, txn, ddl.dropped).await;
    }

    /// Writes every row of `old` again as a row of `new` inside `txn`, as `reshape` makes it:
    /// under the key of `new` (ALTER TABLE ADD PRIMARY KEY: no reshape), without a column (DROP
    /// COLUMN), with columns of other types (ALTER COLUMN TYPE). New indexes are built anew.
    async fn rewrite<C: Cluster>(
        &mut self,
        cluster: &C,
        old: &Arc<TableDef>,
        new: &Arc<TableDef>,
        reshape: Option<&Reshape<'_>>,
        txn: Tx,
    ) -> SqlResult<()> {
        let all: Vec<WorkerId> = (0..cluster.workers() as WorkerId).collect();
        if reshape.is_none() && !new.primary_key.is_empty() && new.indexes.is_empty() {
            return self.rekey(cluster, old, new, txn).await;
        }
        let reads = all
            .iter()
            .map(|w| {
                (
                    *w,
                    ShardRequest {
                        txn,
                        now: 0,
                        op: ShardOp::Read {
                            table: old.clone(),
                            key: None,
                            filter: None,
                            params: Arc::new(Vec::new()),
                            keyed: true,
                            columns: None,
                            project: None,
                            part: None,
                            prefixes: false,
                            range: None,
                        },
                    },
                )
            })
            .collect();
        let mut read = Vec::new();
        for output in cluster.call_all(reads).await {
            let output = output?;
            read.extend(output.keys.into_iter().zip(output.rows));
        }
        if reshape.is_some() {
            // In the old keys' order (near PostgreSQL's heap order, in which it meets the rows):
            // a row that cannot be reshaped is the one PostgreSQL would name.
            read.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
        let mut rows: Vec<Vec<Value>> = read.into_iter().map(|(_, row)| row).collect();
        if let Some(reshape) = reshape {
            for row in &mut rows {
                reshape(row)?;
            }
        }
        if new.primary_key.is_empty() {
            // Keyed by hidden row ids: new ones as the rows go in again.
            let ids = std::iter::once(old.id).chain(old.indexes.iter().map(|index| index.id));
            self.truncate_everywhere(cluster, ids, txn, 0).await?;
            let keyed = keyed_rows(cluster, self.row_home(cluster), new, rows);
            return self.insert_moved(cluster, new, keyed, txn, 0, false).await;
        }
        let mut keyed = Vec::with_capacity(rows.len());
        for row in rows {
            for &column in &new.primary_key {
                if row[column].is_null() {
                    return Err(contains_nulls(new, column));
                }
            }
            keyed.push((primary_key_of(new, &row), row));
        }
        // In key order: duplicates end up side by side, and every (table, vshard) tree is then
        // filled by appending, so the pages being written stay few even when the table is much
        // larger than the buffer pool (in the old order each vshard's rows would land all over
        // every new tree, once per old vshard).
        // A stable sort: each worker's rows come in its old keys' order, often the new keys'
        // too (a key added to rows loaded in its order), and runs in order are merged, not sorted.
        keyed.sort_by(|a, b| keel_storage::btree::compare_keys(&a.0, &b.0));
        if let Some(pair) = keyed.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(repeated_primary_key(new, &pair[1].1));
        }
        // Index entries name row keys, which all change: the inserts below write them anew.
        let ids = std::iter::once(old.id).chain(old.indexes.iter().map(|index| index.id));
        self.truncate_everywhere(cluster, ids, txn, 0).await?;
        // Distinct keys into truncated trees: the owners need not look for them.
        self.insert_moved(cluster, new, keyed, txn, 0, true).await
    }

    /// [`Session::rewrite`] of a table whose rows keep their columns and get the keys of `new`
    /// (ADD PRIMARY KEY), without secondary indexes to build: the workers key their rows
    /// (`ShardOp::Rekey`), the rows go as stored bytes to the owners of their new keys, which
    /// sort them, check them distinct and write them (`ShardOp::InsertMoved`), each worker's
    /// share at once. The general path decodes every row into values, sends them through the
    /// session, sorts them there and has the owners encode them again.
    async fn rekey<C: Cluster>(
        &mut self,
        cluster: &C,
        old: &Arc<TableDef>,
        new: &Arc<TableDef>,
        txn: Tx,
    ) -> SqlResult<()> {
        let workers = cluster.workers();
        let reads = (0..workers as WorkerId)
            .map(|worker| {
                let op = ShardOp::Rekey {
                    table: old.clone(),
                    new: new.clone(),
                    workers,
                };
                (worker, ShardRequest { txn, now: 0, op })
            })
            .collect();
        let mut owned = vec![crate::fragment::PackedRows::default(); workers];
        for output in cluster.call_all(reads).await {
            for (owner, rows) in output?.moved.into_iter().enumerate() {
                owned[owner].append(rows);
            }
        }
        // Index entries name row keys, which all change: none is kept (`new` has no index).
        let ids = std::iter::once(old.id).chain(old.indexes.iter().map(|index| index.id));
        self.truncate_everywhere(cluster, ids, txn, 0).await?;
        let writes: Vec<(WorkerId, ShardRequest)> = (owned.into_iter().enumerate())
            .filter(|(_, rows)| !rows.is_empty())
            .map(|(owner, rows)| {
                let op = ShardOp::InsertMoved {
                    table: new.clone(),
                    rows,
                };
                (owner as WorkerId, ShardRequest { txn, now: 0, op })
            })
            .collect();
        self.note_writers(writes.iter().map(|(worker, _)| *worker));
        // Of the workers' repeated keys, the smallest (the first in key order, as a sort of
        // every row finds it).
        let mut repeated: Option<(Vec<u8>, Vec<Value>)> = None;
        for output in cluster.call_all(writes).await {
            let output = output?;
            if let (Some(key), Some(row)) = (
                output.keys.into_iter().next(),
                output.rows.into_iter().next(),
            ) {
                let smaller = repeated.as_ref().is_none_or(|(first, _)| {
                    keel_storage::btree::compare_keys(&key, first).is_lt()
                });
                if smaller {
                    repeated = Some((key, row));
                }
            }
        }
        match repeated {
            Some((_, row)) => Err(repeated_primary_key(new, &row)),
            None => Ok(()),
        }
    }

    /// Inserts rows a statement moves into `table` whole, with their keys (a rewrite, CREATE
    /// TABLE AS: no foreign keys to check, indexes built anew), in batches, each row moved
    /// rather than copied.
    async fn insert_moved<C: Cluster>(
        &mut self,
        cluster: &C,
        table: &Arc<TableDef>,
        rows: Vec<KeyedRow>,
        txn: Tx,
        now: i64,
        fresh: bool,
    ) -> SqlResult<()> {
        let mut rows = rows.into_iter();
        loop {
            let batch: Vec<KeyedRow> = rows.by_ref().take(16_384).collect();
            if batch.is_empty() {
                return Ok(());
            }
            // As `insert_rows` without foreign keys to check: the rows are only moving.
            self.put_rows(cluster, table, batch, false, txn, now, true, fresh)
                .await?;
        }
    }

    /// Whether every row of `table` whose key for `fk` has no NULL names a row of the
    /// referenced table (ADD FOREIGN KEY, and keys whose type changed): else PostgreSQL's
    /// error for the first one found.
    async fn validate_foreign_key<C: Cluster>(
        &mut self,
        cluster: &C,
        catalog: &Catalog,
        table: &TableDef,
        fk: &crate::catalog::ForeignKeyDef,
        txn: Tx,
    ) -> SqlResult<()> {
        let parent = catalog
            .table_by_id(fk.parent)
            .cloned()
            .ok_or_else(|| SqlError::new(code::UNDEFINED_TABLE, "referenced table is gone"))?;
        let keys: Vec<String> = fk
            .columns
            .iter()
            .map(|&c| format!("c.{}", quote_ident(&table.columns[c].name)))
            .collect();
        let not_null: Vec<String> = keys.iter().map(|k| format!("{k} IS NOT NULL")).collect();
        let matches: Vec<String> = fk
            .parent_columns
            .iter()
            .zip(&keys)
            .map(|(&p, k)| format!("p.{} = {k}", quote_ident(&parent.columns[p].name)))
            .collect();
        // The smallest such key: the same one whatever the rows' placement.
        let sql = format!(
            "SELECT {keys} FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {}) \
             ORDER BY {keys} LIMIT 1",
            quote_relation(&table.name),
            not_null.join(" AND "),
            quote_relation(&parent.name),
            matches.join(" AND "),
            keys = keys.join(", "),
        );
        let found = self
            .run_internal(
                cluster,
                catalog,
                &sql,
                Vec::new(),
                txn,
                0,
                &Cancel::default(),
            )
            .await?;
        match found.rows.first() {
            Some(key) => Err(foreign_keys::missing_reference(
                table, fk, &parent, key, true,
            )),
            None => Ok(()),
        }
    }

    /// ALTER COLUMN ... TYPE, and ADD COLUMN of a SERIAL, identity or generated column (or
    /// another default only the session computes): every row of `old` written again as a row
    /// of `new`, the `retype` columns' values computed from the row as it was with the other
    /// columns the statement adds holding their `fill` defaults (written again after). NOT NULL and the checks that read a changed column are
    /// checked once all rows are in (PostgreSQL's errors for a rewritten table); unique
    /// indexes are built anew.
    async fn retype_rows<C: Cluster>(
        &mut self,
        cluster: &C,
        old: &Arc<TableDef>,
        new: &Arc<TableDef>,
        retype: &[(usize, Expr)],
        fill: &[(usize, Expr)],
        txn: Tx,
    ) -> SqlResult<()> {
        let changed = |column: &usize| retype.iter().any(|(c, _)| c == column);
        let mut unchecked = (**new).clone();
        let (checked, kept): (Vec<_>, Vec<_>) = unchecked.checks.drain(..).partition(|check| {
            let mut read = Vec::new();
            if let Some(bound) = &check.bound {
                bound.columns(&mut read);
            }
            read.iter().any(changed)
        });
        unchecked.checks = kept;
        let mut not_null = Vec::new();
        for (column, def) in unchecked.columns.iter_mut().enumerate() {
            if def.not_null && changed(&column) && !new.primary_key.contains(&column) {
                def.not_null = false;
                not_null.push(column);
            }
        }
        let unchecked = Arc::new(unchecked);
        let sequences = self.sequences(cluster);
        let mut ctx = EvalContext::new(&[], now_timestamp());
        ctx.sequences = Some(&*sequences);
        let width = new.columns.len();
        let reshape = |row: &mut Vec<Value>| {
            // Columns added by the statement hold their defaults (which `fill` writes again
            // after): a generated column's expression may read one.
            row.resize(width, Value::Null);
            for (column, value) in fill {
                row[*column] = value.eval(row, &ctx)?;
            }
            let values = retype
                .iter()
                .map(|(_, value)| value.eval(row, &ctx))
                .collect::<SqlResult<Vec<Value>>>()?;
            for (&(column, _), value) in retype.iter().zip(values) {
                row[column] = value;
            }
            Ok(())
        };
        self.rewrite(cluster, old, &unchecked, Some(&reshape), txn)
            .await?;
        self.log_sequences(cluster).await?;
        check_existing_rows(cluster, new, &not_null, &checked, txn).await
    }

    /// After ALTER COLUMN ... TYPE, with `table` in `next`: the foreign keys over a changed
    /// column (this table's, and other tables' that reference it) hold for the new values,
    /// and an identity column's sequence takes its new type (as ALTER SEQUENCE ... AS would).
    async fn retyped<C: Cluster>(
        &mut self,
        cluster: &C,
        next: &mut Catalog,
        table: &Arc<TableDef>,
        retype: &[(usize, Expr)],
        txn: Tx,
    ) -> SqlResult<()> {
        let changed =
            |columns: &[usize]| columns.iter().any(|c| retype.iter().any(|(r, _)| r == c));
        let mut keys: Vec<(Arc<TableDef>, crate::catalog::ForeignKeyDef)> = table
            .foreign_keys
            .iter()
            .filter(|fk| {
                changed(&fk.columns) || (fk.parent == table.id && changed(&fk.parent_columns))
            })
            .map(|fk| (table.clone(), fk.clone()))
            .collect();
        for (child, fk) in next.referencing(table.id) {
            if child.id != table.id && changed(&fk.parent_columns) {
                keys.push((child.clone(), fk.clone()));
            }
        }
        for (child, fk) in &keys {
            self.validate_foreign_key(cluster, next, child, fk, txn)
                .await?;
        }
        for &(column, _) in retype {
            let def = &table.columns[column];
            if def.identity.is_none() {
                continue;
            }
            let owner = Some((table.name.clone(), def.name.clone()));
            let Some(old) = next
                .sequences
                .values()
                .find(|s| s.owned_by == owner)
                .cloned()
            else {
                continue;
            };
            if old.ty == def.ty {
                continue;
            }
            let mut seq = (*old).clone();
            seq.set_type(def.ty);
            self.replace_sequence(cluster, next, &old, seq, None)?;
        }
        Ok(())
    }

    /// ALTER SEQUENCE (or a change to an identity column, TRUNCATE ... RESTART IDENTITY) puts
    /// `seq` in place of `old` in `next`, its counter going on from `restart` (the next nextval
    /// gives it) or else from where it is, which must lie within the new bounds (PostgreSQL's
    /// words, also without RESTART).
    fn replace_sequence<C: Cluster>(
        &mut self,
        cluster: &C,
        next: &mut Catalog,
        old: &Arc<crate::catalog::SequenceDef>,
        seq: crate::catalog::SequenceDef,
        restart: Option<i64>,
    ) -> SqlResult<()> {
        let (last, called) = match restart {
            Some(value) => (value, false),
            None => cluster.sequences().current(old),
        };
        if last < seq.min {
            return Err(SqlError::new(
                code::INVALID_PARAMETER_VALUE,
                format!(
                    "RESTART value ({last}) cannot be less than MINVALUE ({})",
                    seq.min
                ),
            ));
        }
        if last > seq.max {
            return Err(SqlError::new(
                code::INVALID_PARAMETER_VALUE,
                format!(
                    "RESTART value ({last}) cannot be greater than MAXVALUE ({})",
                    seq.max
                ),
            ));
        }
        next.sequences.remove(&old.name);
        let seq = Arc::new(seq);
        next.sequences.insert(seq.name.clone(), seq.clone());
        if let Some(ddl) = &mut self.ddl {
            let (last, called) = cluster.sequences().current(old);
            ddl.sequences.push((old.clone(), last, called));
        }
        // The counter goes on under the new settings (a reserved window of the old ones is
        // dropped), logged before the statement completes.
        self.sequences(cluster).set_state(&seq, last, called)
    }

    /// Drops an aborted transaction's DDL (its catalog is never published) and puts back the
    /// counters of the sequences it altered, logged like any other sequence change.
    async fn discard_ddl<C: Cluster>(&mut self, cluster: &C) {
        let Some(ddl) = self.ddl.take() else { return };
        // Enum labels the transaction added or renamed are no more, nor the domains it changed.
        if !ddl.catalog.enums.is_empty() || !ddl.catalog.domains.is_empty() {
            self.catalog(cluster).register_enums();
        }
        if ddl.sequences.is_empty() {
            return;
        }
        let sequences = self.sequences(cluster);
        // A sequence the transaction created goes with it: nothing to put back.
        let existed = |id| ddl.catalog.sequences.values().any(|s| s.id == id);
        // Latest first: a sequence altered twice ends as it was before the first.
        let altered = ddl.sequences.iter().rev().filter(|(s, _, _)| existed(s.id));
        for (seq, last, called) in altered {
            // The old bounds held this state when it was taken.
            let _ = sequences.set_state(seq, *last, *called);
        }
        // The DDL lock is held until the old states are logged.
        let _ = self.log_sequences(cluster).await;
        drop(ddl);
    }

    /// ROLLBACK TO a savepoint: the transaction's DDL since goes. The catalog is again the one
    /// of the savepoint (`mark`; None: the published one, and the transaction's catalog image
    /// went with the undone level on its worker), under a version number never handed out
    /// (`catalog::next_version`), so statements bound since bind again, and its image replaces
    /// the transaction's. Tables, indexes and
    /// sequences made since are freed now (no catalog anyone can see names them, and their
    /// ids will be given out again); sequences altered since get their counters back.
    async fn rollback_ddl<C: Cluster>(
        &mut self,
        cluster: &C,
        mark: Option<DdlMark>,
        txn: Tx,
    ) -> SqlResult<()> {
        let Some(ddl) = &mut self.ddl else {
            return Ok(());
        };
        let unchanged = mark.as_ref().is_some_and(|mark| {
            Arc::ptr_eq(&mark.catalog, &ddl.catalog)
                && mark.dropped == ddl.dropped.len()
                && mark.sequences == ddl.sequences.len()
        });
        if unchanged {
            return Ok(());
        }
        let (dropped, sequences) = match &mark {
            Some(mark) => (mark.dropped, mark.sequences),
            None => (0, 0),
        };
        let restored = match &mark {
            Some(mark) => mark.catalog.clone(),
            None => cluster.catalog(),
        };
        // What the undone DDL made: in its catalog, or made and dropped again, and not in the
        // restored one.
        let ids = |catalog: &Catalog| {
            let tables = catalog.tables.values();
            let indexes = tables.clone().flat_map(|table| &table.indexes);
            (tables.map(|table| table.id))
                .chain(indexes.map(|index| index.id))
                .chain(catalog.sequences.values().map(|seq| seq.id))
                .collect::<std::collections::HashSet<TableId>>()
        };
        let kept = ids(&restored);
        let mut made: Vec<TableId> = (ids(&ddl.catalog).into_iter())
            .chain(ddl.dropped.split_off(dropped))
            .filter(|id| !kept.contains(id))
            .collect();
        made.sort_unstable();
        made.dedup();
        let altered = ddl.sequences.split_off(sequences);
        let version = crate::catalog::next_version(ddl.catalog.version);
        match mark {
            Some(_) => {
                let mut next = (*restored).clone();
                next.version = version;
                let image = next.to_image()?;
                let local = cluster.worker();
                let op = ShardOp::WriteCatalog { version, image };
                let request = ShardRequest { txn, now: 0, op };
                cluster.call(local, request).await?;
                let ddl = self.ddl.as_mut().expect("checked above");
                ddl.catalog = Arc::new(next);
            }
            None => self.ddl = None,
        }
        let catalog = self.catalog(cluster);
        catalog.register_enums();
        let sequences = self.sequences(cluster);
        for (seq, last, called) in altered.iter().rev() {
            if kept.contains(&seq.id) {
                sequences.set_state(seq, *last, *called)?;
            }
        }
        self.log_sequences(cluster).await?;
        free_tables(cluster, txn.id, made).await
    }

    /// Aborts whatever is open (the connection is closing), then drops the session's temporary
    /// schema and everything in it.
    pub async fn close<C: Cluster>(&mut self, cluster: &C) {
        self.implicit_block = false;
        self.discard_ddl(cluster).await;
        if let Some(txn) = self.txn.take() {
            abort(cluster, &txn).await;
        }
        // The drop's transaction takes and releases its locks through the session's lock slot:
        // the session's locks go (and its slot with them) only after it.
        self.drop_temp_schema(cluster).await;
        cluster.locks().release_session(self.info.pid, true);
    }

    /// Drops the temporary schema of this session's process id with all it holds, as its
    /// owner: at the end of the session, and at its start, for one a session of the same id
    /// left behind when the node was killed (PostgreSQL also clears a temporary schema when the
    /// next backend to use it starts).
    pub async fn drop_temp_schema<C: Cluster>(&mut self, cluster: &C) {
        let temp = crate::catalog::temp_schema(self.info.pid);
        let catalog = self.catalog(cluster);
        let Some(owner) = catalog
            .schemas
            .get(&temp)
            .map(|schema| schema.owner.clone())
        else {
            return;
        };
        let role = std::mem::replace(&mut self.info.user, owner);
        let drop = format!(
            "DROP SCHEMA {} CASCADE",
            crate::functions::quote_ident(&temp)
        );
        self.begin_query_string(1);
        let dropped = match self.prepare(&catalog, &drop, 0, Vec::new()) {
            Ok(prepared) => {
                let executed = self
                    .execute(cluster, &prepared, &[], &Cancel::default())
                    .await;
                if executed.is_err() {
                    self.fail(cluster).await;
                }
                executed.map(|_| ())
            }
            Err(error) => Err(error),
        };
        if let Err(error) = dropped {
            eprintln!(
                "keel: dropping the temporary schema {temp} failed: {}",
                error.message
            );
        }
        let _ = self.end_query_string(cluster).await;
        self.info.user = role;
    }

    /// After a statement: drops the temporary tables when it was DISCARD TEMP or ALL.
    pub async fn finish_discard<C: Cluster>(&mut self, cluster: &C) {
        if std::mem::take(&mut self.discard_temp) {
            let block = self.implicit_block;
            self.drop_temp_schema(cluster).await;
            self.implicit_block = block;
        }
    }

    /// The key of a relation named as the hand-parsed statements give it (COPY, VACUUM, ALTER
    /// SEQUENCE): the session's temporary relation of that name first, as the binder finds
    /// names (`Binder::search_schemas`), then along the search path.
    fn resolve_written(&self, catalog: &Catalog, written: &str) -> String {
        let temp = crate::catalog::temp_schema(self.info.pid);
        let written = match written.strip_prefix("pg_temp.") {
            Some(name) => crate::catalog::qualify(&temp, name),
            None => written.to_string(),
        };
        if !written.contains('.') {
            let key = crate::catalog::qualify(&temp, &written);
            if catalog.relation_exists(&key) {
                return key;
            }
        }
        catalog.resolve_written(&written, &self.info.search_path, &self.info.user)
    }

    /// Aborts a COPY whose client sent CopyFail or an error.
    pub async fn copy_fail<C: Cluster>(&mut self, cluster: &C, message: &str) -> SqlError {
        self.fail(cluster).await;
        SqlError::new(
            code::QUERY_CANCELED,
            format!("COPY from stdin failed: {message}"),
        )
    }
}

/// The relation locks a DDL statement takes on what it changes, as PostgreSQL takes them:
/// ACCESS EXCLUSIVE on a table or view it alters or drops, SHARE for CREATE INDEX, SHARE ROW
/// EXCLUSIVE on both ends of a new foreign key, SHARE UPDATE EXCLUSIVE for COMMENT.
fn ddl_locks(plan: &Plan, catalog: &Catalog) -> Vec<(TableId, crate::locks::LockMode)> {
    use crate::locks::LockMode::{AccessExclusive, Share, ShareRowExclusive, ShareUpdateExclusive};
    let relation = |name: &str| {
        catalog
            .tables
            .get(name)
            .map(|t| t.id)
            .or_else(|| catalog.views.get(name).map(|v| v.id))
    };
    let mut locks: Vec<(TableId, crate::locks::LockMode)> = match plan {
        Plan::DropTables { names, .. } => names
            .iter()
            .filter_map(|(name, _)| relation(name))
            .map(|id| (id, AccessExclusive))
            .collect(),
        Plan::DropViews { names, .. } => names
            .iter()
            .filter_map(|name| relation(name))
            .map(|id| (id, AccessExclusive))
            .collect(),
        Plan::AlterOwner { relation: name, .. } => relation(name)
            .map(|id| (id, AccessExclusive))
            .into_iter()
            .collect(),
        Plan::SetSchema { relation: name, .. } => relation(name)
            .map(|id| (id, AccessExclusive))
            .into_iter()
            .collect(),
        Plan::RenameView { view, .. } => view
            .as_deref()
            .and_then(relation)
            .map(|id| (id, AccessExclusive))
            .into_iter()
            .collect(),
        Plan::CreateView {
            view,
            or_replace: true,
            ..
        } => relation(&view.name)
            .map(|id| (id, AccessExclusive))
            .into_iter()
            .collect(),
        Plan::Truncate { tables, .. } => tables.iter().map(|t| (t.id, AccessExclusive)).collect(),
        Plan::AddPrimaryKey { table, .. }
        | Plan::AlterTable { table, .. }
        | Plan::AddCheck { table, .. }
        | Plan::DropColumn { table, .. }
        | Plan::AlterTableSteps { table, .. }
        | Plan::DropConstraint { table, .. } => vec![(table.id, AccessExclusive)],
        Plan::CreateIndex { table, .. } => vec![(table.id, Share)],
        Plan::AddForeignKey { table, fk } => {
            vec![
                (table.id, ShareRowExclusive),
                (fk.parent, ShareRowExclusive),
            ]
        }
        Plan::CreateTable { table, .. } => table
            .foreign_keys
            .iter()
            .map(|fk| (fk.parent, ShareRowExclusive))
            .collect(),
        // As PostgreSQL: writers go on while the rows are checked.
        Plan::Comment { table, .. } | Plan::ValidateConstraint { table, .. } => {
            vec![(table.id, ShareUpdateExclusive)]
        }
        Plan::DropIndexes { names, .. } => names
            .iter()
            .filter_map(|name| catalog.table_of_index(name))
            .map(|t| (t.id, AccessExclusive))
            .collect(),
        _ => Vec::new(),
    };
    locks.sort_unstable();
    locks.dedup();
    locks
}

async fn abort<C: Cluster>(cluster: &C, txn: &Txn) {
    count_activity(cluster, |slot| slot.database.xact_rollback += 1);
    cluster.locks().release_xact(txn.pid, &txn.locks);
    if txn.isolation == Isolation::Serializable {
        cluster.ssi().aborted(txn.id);
    }
    let requests = txn
        .writers
        .iter()
        .map(|w| {
            (
                *w,
                ShardRequest {
                    txn: Tx::ending(txn.id),
                    now: 0,
                    op: ShardOp::Abort,
                },
            )
        })
        .collect();
    // Abort cannot fail on a worker; a worker that is gone took the transaction with it.
    let _ = cluster.call_all(requests).await;
}

/// PostgreSQL's error for DROP TABLE of a view (or DROP VIEW of a table).
fn wrong_kind(name: &str, wanted: &str, verb: &str, kind: &str) -> SqlError {
    crate::catalog::not_a(name, wanted).with_hint(format!("Use DROP {verb} to remove a {kind}."))
}

/// What depends on relations being dropped: foreign keys of other tables that reference them,
/// and views that read them (directly or through other views), as PostgreSQL's dependency walk
/// finds them.
struct Dependents {
    /// Views and materialized views: (relation, its kind, "view v depends on table t") in the
    /// order found.
    views: Vec<(String, &'static str, String)>,
    /// (table, constraint name, "constraint c on table x depends on table t").
    foreign_keys: Vec<(String, String, String)>,
    /// Columns of the same table (generated ones that read a dropped column): (column, table).
    columns: Vec<(String, String)>,
    /// Column defaults of other tables that take values from a dropped table's owned sequence
    /// (`CREATE TABLE ... (LIKE t INCLUDING DEFAULTS)` shares t's SERIAL sequence): (table,
    /// column, sequence).
    defaults: Vec<(String, String, String)>,
}

/// The column defaults that take values from sequence `name` (`nextval('name'::regclass)` as
/// SERIAL writes it, or as typed): (table id, column, table, column name, identity column).
fn sequence_takers(catalog: &Catalog, name: &str) -> Vec<(TableId, usize, String, String, bool)> {
    let (cast, call) = (format!("'{name}'::regclass"), format!("'{name}')"));
    let takes = |d: &str| d.contains(&cast) || d.contains(&call);
    (catalog.tables.values())
        .flat_map(|table| {
            table.columns.iter().enumerate().filter_map(|(i, c)| {
                c.default.as_deref().filter(|d| takes(d)).map(|_| {
                    (
                        table.id,
                        i,
                        table.name.clone(),
                        c.name.clone(),
                        c.identity.is_some(),
                    )
                })
            })
        })
        .collect()
}

impl Dependents {
    /// The dependents of `roots` (id, kind, catalog key), leaving out relations in `dropping`.
    fn of(
        catalog: &Catalog,
        roots: Vec<(TableId, &'static str, String)>,
        dropping: &[&str],
    ) -> Dependents {
        let mut found = Dependents {
            views: Vec::new(),
            foreign_keys: Vec::new(),
            columns: Vec::new(),
            defaults: Vec::new(),
        };
        for (id, kind, name) in &roots {
            if *kind != "table" {
                continue;
            }
            let owned = (catalog.sequences.values()).filter(|seq| {
                seq.owned_by
                    .as_ref()
                    .is_some_and(|(owner, _)| owner == name)
            });
            for seq in owned {
                let mut takers = sequence_takers(catalog, &seq.name);
                takers.sort_unstable();
                for (_, _, table, column, _) in takers {
                    if !dropping.contains(&table.as_str()) {
                        found.defaults.push((table, column, seq.name.clone()));
                    }
                }
            }
            for (child, fk) in catalog.referencing(*id) {
                if !dropping.contains(&child.name.as_str()) {
                    found.foreign_keys.push((
                        child.name.clone(),
                        fk.name.clone(),
                        format!(
                            "constraint {} on table {} depends on table {name}",
                            fk.name, child.name
                        ),
                    ));
                }
            }
        }
        // Depth first, as PostgreSQL's walk: each reader, then what reads it, then the next.
        fn walk(
            catalog: &Catalog,
            (id, kind, name): (TableId, &str, &str),
            dropping: &[&str],
            seen: &mut std::collections::HashSet<TableId>,
            views: &mut Vec<(String, &'static str, String)>,
        ) {
            let mut readers: Vec<(&'static str, &crate::catalog::ViewDef)> = catalog
                .stored_queries()
                .filter(|(_, view)| {
                    view.reads.contains(&id) && !dropping.contains(&view.name.as_str())
                })
                .collect();
            readers.sort_by_key(|(_, view)| view.id);
            for (reader, view) in readers {
                if seen.insert(view.id) {
                    views.push((
                        view.name.clone(),
                        reader,
                        format!("{reader} {} depends on {kind} {name}", view.name),
                    ));
                    walk(
                        catalog,
                        (view.id, reader, &view.name),
                        dropping,
                        seen,
                        views,
                    );
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (id, kind, name) in &roots {
            walk(
                catalog,
                (*id, kind, name),
                dropping,
                &mut seen,
                &mut found.views,
            );
        }
        found
    }

    /// The foreign keys that stand on `key` of `table` ([`TableDef::referenced_key`]), which
    /// PostgreSQL names by the key's index, `index`.
    fn of_key(catalog: &Catalog, table: &TableDef, key: ReferencedKey, index: &str) -> Dependents {
        let foreign_keys = (catalog.referencing(table.id).into_iter())
            .filter(|(_, fk)| table.referenced_key(&fk.parent_columns) == Some(key))
            .map(|(child, fk)| {
                let line = format!(
                    "constraint {} on table {} depends on index {index}",
                    fk.name, child.name
                );
                (child.name.clone(), fk.name.clone(), line)
            })
            .collect();
        Dependents {
            views: Vec::new(),
            foreign_keys,
            columns: Vec::new(),
            defaults: Vec::new(),
        }
    }

    /// The views that read `table`'s column `attnum` (named `column`), then the views that
    /// read those, as PostgreSQL's dependency walk finds them.
    fn of_column(catalog: &Catalog, table: &TableDef, attnum: i16, column: &str) -> Dependents {
        let mut readers: Vec<(&'static str, &crate::catalog::ViewDef)> = catalog
            .stored_queries()
            .filter(|(_, view)| view.columns_read.contains(&(table.id, attnum)))
            .collect();
        readers.sort_by_key(|(_, view)| view.id);
        // Each reader, then what reads it, as PostgreSQL's walk goes.
        let direct: Vec<&str> = readers.iter().map(|(_, view)| view.name.as_str()).collect();
        let mut views: Vec<(String, &'static str, String)> = Vec::new();
        for &(reader, view) in &readers {
            if views.iter().any(|(name, _, _)| *name == view.name) {
                continue;
            }
            views.push((
                view.name.clone(),
                reader,
                format!(
                    "{reader} {} depends on column {column} of table {}",
                    view.name, table.name
                ),
            ));
            let roots = vec![(view.id, reader, view.name.clone())];
            for (name, kind, line) in Dependents::of(catalog, roots, &direct).views {
                if !views.iter().any(|(seen, _, _)| *seen == name) {
                    views.push((name, kind, line));
                }
            }
        }
        Dependents {
            views,
            foreign_keys: Vec::new(),
            columns: Vec::new(),
            defaults: Vec::new(),
        }
    }

    /// Without CASCADE, PostgreSQL's 2BP01 when there are any; with it, its notice of what goes.
    fn check_or_notice(
        &self,
        first: Option<&String>,
        kind: &str,
        cascade: bool,
        result: &mut QueryResult,
    ) -> SqlResult<()> {
        let lines: Vec<String> = (self.foreign_keys.iter())
            .map(|(_, _, line)| line.clone())
            .chain(self.views.iter().map(|(_, _, line)| line.clone()))
            .chain((self.columns.iter().rev()).map(|(column, table)| {
                let of = first.map_or("", String::as_str);
                format!("column {column} of table {table} depends on {kind} {of}")
            }))
            .chain(self.defaults.iter().map(|(table, column, seq)| {
                format!(
                    "default value for column {column} of table {table} depends on sequence {seq}"
                )
            }))
            .collect();
        if lines.is_empty() {
            return Ok(());
        }
        let name = first.map_or("", String::as_str);
        if !cascade {
            return Err(depended_on(
                format!("cannot drop {kind} {name} because other objects depend on it"),
                &lines,
            ));
        }
        let goes: Vec<String> = self
            .foreign_keys
            .iter()
            .map(|(table, fk, _)| format!("drop cascades to constraint {fk} on table {table}"))
            .chain(
                self.views
                    .iter()
                    .map(|(view, kind, _)| format!("drop cascades to {kind} {view}")),
            )
            .chain((self.columns.iter()).map(|(column, table)| {
                format!("drop cascades to column {column} of table {table}")
            }))
            .chain(self.defaults.iter().map(|(table, column, _)| {
                format!("drop cascades to default value for column {column} of table {table}")
            }))
            .collect();
        result.notices.push(cascade_notice(&goes));
        Ok(())
    }

    /// Drops the dependents from `next` (CASCADE): the ids of the storage that goes with them
    /// (materialized views' tables and indexes).
    fn drop_from(&self, next: &mut Catalog) -> Vec<TableId> {
        let mut dropped = Vec::new();
        for (view, _, _) in &self.views {
            if next.views.remove(view).is_none() {
                if let Some(table) = next.tables.remove(view) {
                    dropped.push(table.id);
                    dropped.extend(table.indexes.iter().map(|index| index.id));
                    next.comments.retain(|c| c.table != table.id);
                }
            }
        }
        for (table, column, _) in &self.defaults {
            if let Some(def) = next.tables.get_mut(table) {
                let def = Arc::make_mut(def);
                if let Some(c) = def.columns.iter_mut().find(|c| c.name == *column) {
                    c.default = None;
                }
            }
        }
        for (table, fk, _) in &self.foreign_keys {
            if let Some(child) = next.tables.get(table) {
                let mut child = (**child).clone();
                child.foreign_keys.retain(|other| other.name != *fk);
                next.tables.insert(table.clone(), Arc::new(child));
            }
        }
        dropped
    }
}

/// Adds the session's temporary schema `schema` to `next` when a temporary relation is its
/// first (it goes with the DDL if that is rolled back); nothing for another schema.
fn ensure_temp_schema(next: &mut Catalog, schema: &str, owner: String) {
    if crate::catalog::is_temp_schema(schema) && !next.schema_exists(schema) {
        next.add_schema(schema, owner);
    }
}

/// Counts something in this worker's slot of the activity counters (only this worker writes
/// it; see [`crate::pgstat`]).
pub fn count_activity<C: Cluster>(cluster: &C, count: impl FnOnce(&mut crate::pgstat::Slot)) {
    cluster
        .activity_stats()
        .with(usize::from(cluster.worker()), count);
}

/// Counts a scan of `table` a statement starts: a whole-table one (`index` None) or one by
/// `index` that found `entries` index entries (pg_stat's `seq_scan`, `idx_scan`,
/// `idx_tup_read`; see [`crate::pgstat`]).
fn count_scan<C: Cluster>(
    cluster: &C,
    table: TableId,
    index: Option<crate::pgstat::IndexRef>,
    entries: usize,
) {
    count_activity(cluster, |slot| match index {
        None => slot.table(table).seq_scan += 1,
        Some(index) => {
            slot.table(table).idx_scan += 1;
            let counts = slot.index(index);
            counts.idx_scan += 1;
            counts.idx_tup_read += entries as i64;
        }
    });
}

/// A hidden key for a new row of a table without a primary key, owned by worker `home`
/// ([`Session::row_home`]): nothing looks such a row up by its key, so it may live anywhere. Ids
/// owned by other workers are skipped (ids are plentiful).
fn homed_row_key<C: Cluster>(cluster: &C, home: WorkerId) -> Vec<u8> {
    let workers = cluster.workers();
    let mut key = Vec::new();
    for _ in 0..64 * workers.max(1) {
        key = row_key(&[(Value::Int(cluster.next_row_id()), DataType::Int8)]);
        if owner_of(vshard_of(&key, WHOLE_KEY), workers) == home {
            break;
        }
    }
    key
}

/// A SELECT's result: its rows and the `SELECT n` tag.
fn select_result(columns: &[OutputColumn], rows: Vec<Vec<Value>>) -> QueryResult {
    QueryResult {
        columns: columns.to_vec(),
        tag: format!("SELECT {}", rows.len()),
        rows,
        ..Default::default()
    }
}

/// Whether a statement calls a size function (`pg_relation_size`...): it is bound again at each
/// execution, with the sizes of that moment ([`SessionInfo::sizes`]).
/// Whether a statement reads what ANALYZE keeps (`pg_stats`, `pg_class.reltuples`).
/// `text` followed by the query texts of the views it may name (their names appear in it),
/// and of the views those may name, and so on.
fn with_views_text<'t>(catalog: &Catalog, text: &'t str) -> std::borrow::Cow<'t, str> {
    let mut reached = std::borrow::Cow::Borrowed(text);
    let mut taken: Vec<&str> = Vec::new();
    loop {
        let more: Vec<&crate::catalog::ViewDef> = (catalog.views.values())
            .filter(|view| !taken.contains(&view.name.as_str()))
            .filter(|view| reached.contains(crate::catalog::relname(&view.name)))
            .collect();
        if more.is_empty() {
            return reached;
        }
        for view in more {
            taken.push(&view.name);
            let text = reached.to_mut();
            text.push('\n');
            text.push_str(&view.sql);
        }
    }
}

fn reads_statistics(text: &str) -> bool {
    text.contains("pg_stats") || text.contains("reltuples")
}

/// Whether a statement reads the activity counters (`pg_stat_user_tables`,
/// `pg_stat_database`, ...; see [`crate::pgstat`]).
fn reads_activity_stats(text: &str) -> bool {
    text.match_indices("pg_stat_")
        .any(|(at, _)| !text[at..].starts_with("pg_stat_activity"))
}

fn reads_sizes(text: &str) -> bool {
    const FUNCTIONS: [&str; 5] = [
        "pg_relation_size",
        "pg_table_size",
        "pg_indexes_size",
        "pg_total_relation_size",
        "pg_database_size",
    ];
    FUNCTIONS.iter().any(|f| text.contains(f))
}

/// Whether a statement reads `pg_sequences`, whose `last_value` is each counter as of the
/// execution ([`SessionInfo::sequence_states`]).
fn reads_sequence_states(text: &str) -> bool {
    text.contains("pg_sequences")
}

/// One request of `op` to each worker, outside any transaction (they read no rows).
fn to_every_worker<C: Cluster>(
    cluster: &C,
    op: impl Fn() -> ShardOp,
) -> Vec<(WorkerId, ShardRequest)> {
    (0..cluster.workers())
        .map(|worker| {
            let txn = Tx::ending(cluster.next_txn());
            (
                worker as WorkerId,
                ShardRequest {
                    txn,
                    now: 0,
                    op: op(),
                },
            )
        })
        .collect()
}

/// The bytes each table's trees take, summed over the workers, by table id.
async fn table_sizes<C: Cluster>(cluster: &C) -> SqlResult<Vec<(keel_storage::TableId, u64)>> {
    let requests = to_every_worker(cluster, || ShardOp::TableSizes);
    let mut sizes: HashMap<keel_storage::TableId, u64> = HashMap::new();
    for output in cluster.call_all(requests).await {
        for row in output?.rows {
            if let [Value::Int(table), Value::Int(bytes)] = row.as_slice() {
                *sizes.entry(*table as keel_storage::TableId).or_default() += *bytes as u64;
            }
        }
    }
    Ok(sizes.into_iter().collect())
}

/// Whether scans `a` and `b`, taking the semi-join filters `taken_a` and `taken_b` (indexes
/// into `edges`), ask the workers for the same rows but for their own filters: one table read
/// whole (not by key or index), both cut to columns or neither, and filters that pair up (keys
/// from the same source, over the same expression, tested on the same table expression).
fn same_read(
    a: &Rel,
    b: &Rel,
    taken_a: &[(usize, f64)],
    taken_b: &[(usize, f64)],
    edges: &[crate::join_order::KeyEdge<'_>],
    same_rows: &dyn Fn(&Rel, &Rel) -> bool,
) -> bool {
    use crate::join_order::{KeyEdge, KeyFrom};
    let (
        Rel::Scan {
            table: table_a,
            access: Access::Scan,
            project: project_a,
            ..
        },
        Rel::Scan {
            table: table_b,
            access: Access::Scan,
            project: project_b,
            ..
        },
    ) = (a, b)
    else {
        return false;
    };
    // A filter running a subquery (a co-located EXISTS, `crate::colocate`) runs on the workers
    // only: the session could not test it again on the shared rows.
    let runs_subquery = |scan: &Rel| {
        let Rel::Scan {
            filter: Some(filter),
            ..
        } = scan
        else {
            return false;
        };
        let mut found = false;
        filter.visit(&mut |e| found |= matches!(e, Expr::Subquery(_)));
        found
    };
    if table_a.id != table_b.id
        || project_a.is_some() != project_b.is_some()
        || taken_a.len() != taken_b.len()
        || runs_subquery(a)
        || runs_subquery(b)
    {
        return false;
    }
    let tested = |scan: &Rel, edge: &KeyEdge<'_>| {
        edge.to_expr
            .clone()
            .remap_columns(&|c| scan_column(scan, c))
    };
    // Keys over the same rows (one scan, or two that were read as one with the same filter of
    // their own), by the same expression of the table's columns.
    let same_keys = |x: &KeyEdge<'_>, y: &KeyEdge<'_>| match (x.from, y.from) {
        (KeyFrom::Scan(p), KeyFrom::Scan(q)) => {
            same_rows(p, q)
                && x.from_expr.clone().remap_columns(&|c| scan_column(p, c))
                    == y.from_expr.clone().remap_columns(&|c| scan_column(q, c))
        }
        (KeyFrom::Subquery(p), KeyFrom::Subquery(q)) => {
            std::ptr::eq(p, q) && x.from_expr == y.from_expr
        }
        _ => false,
    };
    taken_a.iter().all(|&(i, _)| {
        let x = &edges[i];
        taken_b.iter().any(|&(j, _)| {
            let y = &edges[j];
            same_keys(x, y) && tested(a, x) == tested(b, y)
        })
    })
}

/// Whether scans `a` and `b` ask for the same rows: one table read whole (not by key or
/// index) under the same filter, with no subquery or function call in it, both cut to columns
/// or neither (see [`same_read`]).
fn identical_scans(a: &Rel, b: &Rel) -> bool {
    match (a, b) {
        (
            Rel::Scan {
                table: table_a,
                access: Access::Scan,
                filter: filter_a,
                project: project_a,
                ..
            },
            Rel::Scan {
                table: table_b,
                access: Access::Scan,
                filter: filter_b,
                project: project_b,
                ..
            },
        ) => {
            // A filter that could answer differently per scan (random(), clock_timestamp(),
            // nextval(): any function call, to be sure) or runs a subquery keeps its own read.
            let own = filter_a
                .as_ref()
                .is_some_and(|filter| !filter.calls_nothing());
            table_a.id == table_b.id
                && filter_a == filter_b
                && project_a.is_some() == project_b.is_some()
                && !own
        }
        _ => false,
    }
}

/// Whether scans `a` and `b` hold the same rows: one scan, or two read as one (`read_with`:
/// each twin to the scan read first) under the same filter of their own.
fn same_rows(a: &Rel, b: &Rel, read_with: &HashMap<*const Rel, *const Rel>) -> bool {
    let first = |scan: &Rel| {
        let at = scan as *const Rel;
        read_with.get(&at).copied().unwrap_or(at)
    };
    std::ptr::eq(a, b)
        || first(a) == first(b)
            && matches!(
                (a, b),
                (Rel::Scan { filter: x, .. }, Rel::Scan { filter: y, .. }) if x == y
            )
}

/// One read of a table serving several scans of it ([`same_read`]): what is asked of the
/// workers, and how each scan's rows are taken from what they return.
struct SharedRead {
    /// The scans' own filters OR-ed when each has one (else none: a scan takes every row).
    filter: Option<Arc<Expr>>,
    /// When every scan is cut to columns: the table columns read, in table order (the scans'
    /// own and those their filters test, which the session tests again).
    project: Option<Vec<usize>>,
    /// Otherwise the columns decoded (None: all).
    mask: Option<Vec<bool>>,
}

impl SharedRead {
    fn of(scan: &Rel, twins: &[&Rel], used: &HashMap<usize, Vec<bool>>) -> SharedRead {
        let scans: Vec<&Rel> = std::iter::once(scan).chain(twins.iter().copied()).collect();
        let mut filters: Vec<Arc<Expr>> = Vec::new();
        let mut all_filtered = true;
        let mut all_projected = true;
        let width = match scan {
            Rel::Scan { table, .. } => table.columns.len(),
            _ => 0,
        };
        // (Scans cut to columns may read the row key column, past the table's: see
        // `TableDef::row_key_column`.)
        let mut needed = vec![false; width + 1];
        for each in &scans {
            let Rel::Scan {
                filter, project, ..
            } = each
            else {
                continue;
            };
            match filter {
                Some(filter) => {
                    let mut columns = Vec::new();
                    filter.columns(&mut columns);
                    for c in columns {
                        needed[c] = true;
                    }
                    if !filters.contains(filter) {
                        filters.push(filter.clone());
                    }
                }
                None => all_filtered = false,
            }
            match project {
                Some(project) => project.iter().for_each(|&c| needed[c] = true),
                None => {
                    all_projected = false;
                    match used.get(&(*each as *const Rel as usize)) {
                        Some(mask) => {
                            for (slot, &u) in needed.iter_mut().zip(mask) {
                                *slot |= u;
                            }
                        }
                        None => needed.iter_mut().for_each(|slot| *slot = true),
                    }
                }
            }
        }
        let filter = all_filtered
            .then(|| {
                filters.into_iter().reduce(|a, b| {
                    Arc::new(Expr::Binary(
                        crate::expr::BinOp::Or,
                        Box::new((*a).clone()),
                        Box::new((*b).clone()),
                    ))
                })
            })
            .flatten();
        let (project, mask) = if all_projected {
            (Some((0..=width).filter(|&c| needed[c]).collect()), None)
        } else {
            needed.truncate(width);
            (None, (!needed.iter().all(|&u| u)).then_some(needed))
        };
        SharedRead {
            filter,
            project,
            mask,
        }
    }

    /// The rows of each of `scans` among the shared read's `rows`: those its own filter passes
    /// (unless the workers tested just that one), cut to its columns. The first scan that takes
    /// them all as they are gets `rows` themselves.
    fn split(
        &self,
        scans: &[&Rel],
        rows: RowSet,
        memory: &Arc<StatementMemory>,
        ctx: &EvalContext<'_>,
    ) -> SqlResult<Vec<RowSet>> {
        // Where a table column is in the shared rows.
        let position = |c: usize| match &self.project {
            Some(read) => read.iter().position(|&r| r == c).unwrap_or(c),
            None => c,
        };
        // Per scan: the test its rows must pass, and the columns it takes (None: all).
        let plans: Vec<(Option<Expr>, Option<Vec<usize>>)> = scans
            .iter()
            .map(|scan| match scan {
                Rel::Scan {
                    filter, project, ..
                } => {
                    let test = filter
                        .as_ref()
                        .filter(|filter| self.filter.as_ref() != Some(*filter))
                        .map(|filter| (**filter).clone().remap_columns(&position));
                    // The scan's columns, unless they are the shared rows' as they are.
                    let pick = match (&self.project, project) {
                        (Some(read), Some(project)) => {
                            let pick: Vec<usize> = project.iter().map(|&c| position(c)).collect();
                            (!pick.iter().copied().eq(0..read.len())).then_some(pick)
                        }
                        _ => None,
                    };
                    (test, pick)
                }
                _ => (Some(Expr::Const(Value::Bool(false))), None),
            })
            .collect();
        let whole = plans
            .iter()
            .position(|(test, pick)| test.is_none() && pick.is_none());
        let mut split = Vec::with_capacity(scans.len());
        for (at, (test, pick)) in plans.iter().enumerate() {
            if Some(at) == whole {
                split.push(None);
                continue;
            }
            let mut sink = RowSink::new(Some(memory.clone()));
            rows.each(|row| {
                if let Some(test) = test {
                    if !test.is_true(row, ctx)? {
                        return Ok(true);
                    }
                }
                sink.push(match pick {
                    Some(pick) => pick.iter().map(|&at| row[at].clone()).collect(),
                    None => row.clone(),
                })?;
                Ok(true)
            })?;
            split.push(Some(sink.finish()?));
        }
        let mut rows = Some(rows);
        Ok(split
            .into_iter()
            .map(|made| {
                made.or_else(|| rows.take())
                    .unwrap_or_else(|| RowSet::from(Vec::new()))
            })
            .collect())
    }
}

/// The tree that runs for a bound query tree: aggregates over joins by the left key made eager
/// ([`crate::eager`]), co-located EXISTS moved into their outer scans ([`crate::colocate`]),
/// limits moved below joins that keep their rows ([`crate::topn`]), then scans cut to the
/// columns the tree reads ([`crate::prune::narrow`]).
fn runnable(rel: &Rel) -> Rel {
    let eager = crate::eager::rewritten(rel);
    let colocated = crate::colocate::rewritten(&eager);
    crate::prune::narrow(&crate::topn::rewritten(&colocated))
}

/// Rows of a table a seek costs about as much as visiting in a whole-table scan (a descent of
/// the key's tree, mostly cache misses, against about 0.1 us per row scanned; measured on TPC-H
/// SF 1's lineitem).
const SEEK_ROWS: f64 = 16.0;

/// Keys per request of a read by key prefixes, bounding how long one holds its worker.
const SEEKS_PER_REQUEST: usize = 4096;

/// The targets of a read of `table`'s rows under a semi-join's `keys` (values of its first key
/// column), when seeking each key on its owner is estimated cheaper than scanning the table's
/// `rows`: per owner, its keys in order, and whether they are key prefixes (`ShardOp::Read`'s
/// `prefixes`) or whole keys. The owner is known when the table is placed by that column (an
/// integer first column: the keys are prefixes), or when that column is the whole key, of a
/// text type (placed by the key, which is the value's encoding: the keys are whole keys, read
/// by point lookups). None otherwise, or when a key is not such a value's encoding.
fn seek_targets(
    table: &TableDef,
    keys: &crate::query::KeyIds,
    rows: f64,
    workers: usize,
) -> Option<(Vec<(WorkerId, KeyTarget)>, bool)> {
    let by_first = table.placed_by_first_key_column();
    let whole_text = match table.primary_key.as_slice() {
        [column] => is_text_key(table.columns[*column].ty),
        _ => false,
    };
    if !(by_first || whole_text) || keys.len() as f64 * SEEK_ROWS > rows {
        return None;
    }
    let mut found = Vec::with_capacity(keys.len());
    for id in 0..keys.len() {
        // A semi-join key is its value's `append_hash_key` bytes: its key encoding, for an
        // integer the 9 bytes the table is placed by.
        let key = keys.key(id);
        let integer = key.len() == crate::catalog::FIRST_COLUMN_PLACEMENT as usize;
        if key.first() != Some(&0x01) || (by_first && !integer) {
            return None;
        }
        found.push(key.to_vec());
    }
    Some((keys_by_owner(table, found, workers), by_first))
}

/// PostgreSQL's error for a statement in a failed transaction block.
fn failed_transaction() -> SqlError {
    SqlError::new(
        code::IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

/// What [`Session::run_writes`] wrote: how many rows; with RETURNING, the rows (and, for
/// rows given by key, their keys); and the rows it was to write that changed since the
/// snapshot (see `ShardOutput::changed`).
#[derive(Default)]
struct Written {
    count: u64,
    rows: Vec<Row>,
    keys: Vec<Vec<u8>>,
    changed: Vec<ChangedRow>,
}

/// What [`Session::write_found`] does with a row its query found whose target row changed
/// since the snapshot (READ COMMITTED), and which it therefore holds locked unwritten.
pub(super) enum Changed<'a> {
    /// Checks it again by the write's [`crate::plan::FoundRecheck`], then writes it if it still
    /// qualifies.
    Recheck,
    /// Hands its key and newest version (None: deleted meanwhile) back unwritten (MERGE, which
    /// chooses the row's clause again).
    Return(&'a mut Vec<ChangedRow>),
    /// Writes it: it was checked again already.
    Write,
}

/// The access path of an UPDATE or DELETE whose WHERE clause (`bound`) ran subqueries that read
/// nothing of the row (`Session::initplans`): the binder could only read the table whole; with
/// their values in place (`valued`) the clause may name keys or an index's bounds, as
/// PostgreSQL's `WHERE id = (SELECT ..)` reads by the InitPlan's value.
fn access_after_initplans(
    table: &TableDef,
    access: &Access,
    bound: Option<&Expr>,
    valued: Option<&Expr>,
) -> Access {
    match (access, bound, valued) {
        (Access::Scan, Some(bound), Some(valued)) if !bound.is_local() => {
            crate::bind::key_access(table, valued)
        }
        _ => access.clone(),
    }
}

/// Where a statement's rows are ([`Session::targets`]).
#[derive(Default)]
struct Targets {
    /// Per request: the worker and the keys it visits (None: all its rows, within `range`).
    list: Vec<(WorkerId, KeyTarget)>,
    /// A key range the requests without keys visit.
    range: Option<Arc<KeyBounds>>,
    /// The keys are key prefixes (see `ShardOp::Read`).
    prefixes: bool,
}

/// Reads of `table`'s rows under `keys` (row keys, or prefixes of them: see
/// [`crate::fragment::KeyTarget`]): each owner's keys sorted, once each, a request per
/// [`SEEKS_PER_REQUEST`] of them.
fn keys_by_owner(
    table: &TableDef,
    keys: impl IntoIterator<Item = Vec<u8>>,
    workers: usize,
) -> Vec<(WorkerId, KeyTarget)> {
    let mut per_worker: BTreeMap<WorkerId, Vec<Vec<u8>>> = BTreeMap::new();
    for key in keys {
        let owner = owner_of(table.vshard(&key), workers);
        per_worker.entry(owner).or_default().push(key);
    }
    let mut targets = Vec::new();
    for (worker, mut keys) in per_worker {
        keys.sort_unstable();
        keys.dedup();
        for chunk in keys.chunks(SEEKS_PER_REQUEST) {
            targets.push((worker, Some(chunk.to_vec())));
        }
    }
    targets
}

/// Whether a column's values are texts (text, varchar, uuid): the key encoding of such a value is
/// the semi-join key of any value equal to it.
fn is_text_key(ty: DataType) -> bool {
    matches!(ty, DataType::Text | DataType::Varchar(_) | DataType::Uuid)
}

/// The targets of a read of `table`'s rows through secondary index `index`: the row keys the
/// index `requests` (`ShardOp::IndexScan`, `ShardOp::IndexLookup`) return, each worker's own in
/// order, once each (counted as scans of the index).
async fn index_targets<C: Cluster>(
    cluster: &C,
    table: &TableDef,
    index: &IndexDef,
    requests: Vec<(WorkerId, ShardRequest)>,
) -> SqlResult<Vec<(WorkerId, KeyTarget)>> {
    let mut per_worker: BTreeMap<WorkerId, Vec<Vec<u8>>> = BTreeMap::new();
    let mut entries = 0;
    for output in cluster.call_all(requests).await {
        for key in output?.keys {
            entries += 1;
            let owner = owner_of(table.vshard(&key), cluster.workers());
            per_worker.entry(owner).or_default().push(key);
        }
    }
    let index = crate::pgstat::IndexRef::Secondary(index.id);
    count_scan(cluster, table.id, Some(index), entries);
    Ok(per_worker
        .into_iter()
        .map(|(w, mut keys)| {
            keys.sort_unstable();
            keys.dedup();
            (w, Some(keys))
        })
        .collect())
}

/// The row keys of `table` a GIN index's search may match, by owner: each group's items
/// looked up (each item's entries lie on its own vshard), the row keys kept only when every
/// group before named them too (see [`crate::gin`]); the lookups stop once the keys are few
/// ([`crate::gin::FEW_ROWS`]: the recheck of the rows is cheaper than more lookups).
async fn gin_targets<C: Cluster>(
    cluster: &C,
    table: &TableDef,
    index: &IndexDef,
    groups: Vec<Vec<Vec<u8>>>,
    txn: Tx,
    now: i64,
) -> SqlResult<Vec<(WorkerId, KeyTarget)>> {
    let mut found: Option<BTreeSet<Vec<u8>>> = None;
    let mut entries = 0;
    for mut items in groups {
        items.sort_unstable();
        items.dedup();
        let requests = (lookup_requests(index, items, cluster.workers()).into_iter())
            .map(|(w, op)| (w, ShardRequest { txn, now, op }))
            .collect();
        let mut keys = BTreeSet::new();
        for output in cluster.call_all(requests).await {
            for key in output?.keys {
                entries += 1;
                if found.as_ref().is_none_or(|before| before.contains(&key)) {
                    keys.insert(key);
                }
            }
        }
        let few = keys.len() <= crate::gin::FEW_ROWS;
        found = Some(keys);
        if few {
            break;
        }
    }
    count_scan(
        cluster,
        table.id,
        Some(crate::pgstat::IndexRef::Secondary(index.id)),
        entries,
    );
    Ok(keys_by_owner(
        table,
        found.unwrap_or_default(),
        cluster.workers(),
    ))
}

/// The secondary index a read of `table`'s rows under a semi-join's `keys` (values of table
/// column `column`) goes through, and the keys as its entries' prefixes, when looking each key up
/// in the index (on every worker: an index's entries of one value are spread by their row keys)
/// and fetching the rows it names is estimated cheaper than scanning the table's `rows`: a plain
/// index whose first column is `column`, of an integer or text type (`is_text_key`). A
/// semi-join key is its value's `append_hash_key` bytes, which are the value's key encoding, as
/// an entry's first part is when the column holds values of the same kind: an integer's 9 bytes,
/// a text's escaped bytes (the keys are compared with the column itself, not a cast of it, so
/// they are of its type). PostgreSQL's nested loop over an index scan, with the probes batched
/// per worker.
fn lookup_index<'t>(
    table: &'t TableDef,
    column: usize,
    keys: &crate::query::KeyIds,
    stats: &crate::stats::TableStats,
) -> Option<(&'t IndexDef, Vec<Vec<u8>>)> {
    let ty = table.columns[column].ty;
    let text = is_text_key(ty);
    if !ty.is_integer() && !text {
        return None;
    }
    let index = table
        .indexes
        .iter()
        .find(|index| index.is_plain() && index.columns.first() == Some(&column))?;
    // A probe descends every vshard's tree of the index (one tree, on one worker, for a unique
    // index of one column or an index placed by its first column); each row it finds is a seek.
    let per_key = stats.reltuples / stats.distinct(column)?.max(1.0);
    let probes = keys.len() as f64;
    let trees = if exact_entries(index) || index.placement != keel_storage::WHOLE_KEY {
        1.0
    } else {
        f64::from(keel_storage::VSHARD_COUNT)
    };
    let cost = probes * (trees + per_key) * SEEK_ROWS;
    if cost > stats.reltuples {
        return None;
    }
    let mut prefixes = Vec::with_capacity(keys.len());
    for id in 0..keys.len() {
        let key = keys.key(id);
        let integer = key.len() == crate::catalog::FIRST_COLUMN_PLACEMENT as usize;
        if key.first() != Some(&0x01) || !(text || integer) {
            return None;
        }
        prefixes.push(key.to_vec());
    }
    prefixes.sort_unstable();
    Some((index, prefixes))
}

/// Whether an index's entry for a value of its first column is keyed by that value's encoding
/// alone, and so placed by it: a unique index of one column (a NULL is never probed).
fn exact_entries(index: &IndexDef) -> bool {
    index.unique && index.columns.len() == 1
}

/// The requests of an index lookup of `prefixes` (sorted): each prefix's one owner gets it
/// when the index is placed by its first part ([`IndexDef::prefix_vshard`]; for a unique
/// index of one column, [`exact_entries`], as a whole key); otherwise every worker gets them
/// all, as each holds entries of every value.
fn lookup_requests(
    index: &IndexDef,
    prefixes: Vec<Vec<u8>>,
    workers: usize,
) -> Vec<(WorkerId, ShardOp)> {
    let op = |prefixes: Vec<Vec<u8>>, exact: bool| ShardOp::IndexLookup {
        index: index.id,
        placement: index.placement,
        prefixes: Arc::new(prefixes),
        exact,
    };
    let exact = exact_entries(index);
    let placed = |key: &[u8]| match exact {
        true => Some(index.vshard(key)),
        false => index.prefix_vshard(key),
    };
    if !prefixes.iter().all(|key| placed(key).is_some()) {
        return (0..workers as WorkerId)
            .map(|w| (w, op(prefixes.clone(), false)))
            .collect();
    }
    let mut per_owner: BTreeMap<WorkerId, Vec<Vec<u8>>> = BTreeMap::new();
    for key in prefixes {
        let owner = owner_of(placed(&key).expect("checked above"), workers);
        per_owner.entry(owner).or_default().push(key);
    }
    per_owner
        .into_iter()
        .map(|(w, keys)| (w, op(keys, exact)))
        .collect()
}

/// The most rows of LIMIT + OFFSET a query ordered by its table's primary key reads from each
/// worker in key order (more: the whole table goes through the sort).
pub(crate) const ORDERED_READ_ROWS: usize = 100_000;

/// When `grouping` is an aggregate of one group (no GROUP BY) whose aggregates are all plain
/// `min`/`max` of one column, of a type whose key encoding sorts as its values, that is the first
/// primary key column or the first column of a secondary index on plain columns (which `access`
/// reads, or any when it reads the whole table): the column, the index (None: the primary key)
/// and each aggregate's read direction. min is the first value in key order, max the last.
fn key_extremes<'t>(
    table: &'t TableDef,
    access: &'t Access,
    grouping: &crate::plan::Grouping,
) -> Option<(usize, Option<&'t IndexDef>, Vec<Direction>)> {
    if !grouping.keys.is_empty() || grouping.sets.is_some() {
        return None;
    }
    let Some(Expr::Column(column)) = grouping.aggs.first()?.arg else {
        return None;
    };
    if !table.columns[column].ty.key_ordered() {
        return None;
    }
    let ends = grouping
        .aggs
        .iter()
        .map(|agg| {
            let plain = agg.arg == Some(Expr::Column(column)) && !agg.distinct;
            match agg.func {
                AggFunc::Min if plain && agg.filter.is_none() => Some(Direction::Forward),
                AggFunc::Max if plain && agg.filter.is_none() => Some(Direction::Backward),
                _ => None,
            }
        })
        .collect::<Option<Vec<_>>>()?;
    let leads = |index: &IndexDef| index.is_plain() && index.columns.first() == Some(&column);
    let index = match access {
        _ if table.primary_key.first() == Some(&column) => None,
        Access::Scan => Some(table.indexes.iter().find(|index| leads(index))?),
        Access::Index { index, eq, .. } if eq.is_empty() && leads(index) => Some(&**index),
        _ => return None,
    };
    Some((column, index, ends))
}

/// A table read's parameters (see [`read_in_parts`]).
struct ScanRead<'a> {
    /// Whole-table reads go in parts; else in one request per worker.
    parts: bool,
    table: &'a Arc<TableDef>,
    filter: &'a Option<Arc<Expr>>,
    columns: &'a Option<Arc<Vec<bool>>>,
    /// The table columns each row holds (see `ShardOp::Read`).
    project: &'a Option<Arc<Vec<usize>>>,
    params: &'a Arc<Vec<Value>>,
    txn: Tx,
    now: i64,
    /// The targets' keys are prefixes (see `ShardOp::Read`).
    prefixes: bool,
    /// Whole-table targets read only these keys (a primary key range).
    range: Option<Arc<KeyBounds>>,
    /// Whole-table targets return their rows in key order, ascending or descending, each at
    /// most this many (the first LIMIT + OFFSET rows of a query ordered by the primary key).
    order: Option<(Direction, usize)>,
    /// Whole-table targets return only the first rows of each part in this order (a LIMIT over
    /// a sort the workers can compute).
    top: Option<Arc<crate::fragment::TopRows>>,
}

/// Where a one-table SELECT's output rows go: a [`Sorter`] in ORDER BY order (or as they come),
/// bounded by LIMIT + OFFSET, holding `work_mem`; OFFSET is skipped and the visible columns
/// kept when the result is made.
struct SelectOutput<'p> {
    plan: &'p SelectPlan,
    sorter: Sorter,
    offset: u64,
    /// LIMIT + OFFSET.
    wanted: Option<usize>,
}

impl<'p> SelectOutput<'p> {
    fn new(
        plan: &'p SelectPlan,
        ctx: &EvalContext<'_>,
        work_mem: usize,
        dir: std::path::PathBuf,
    ) -> SqlResult<SelectOutput<'p>> {
        let offset = count_value(plan.offset.as_ref(), ctx, "OFFSET")?.unwrap_or(0) as u64;
        let limit = count_value(plan.limit.as_ref(), ctx, "LIMIT")?;
        let wanted =
            limit.map(|l| (l as u64).saturating_add(offset).min(usize::MAX as u64) as usize);
        Ok(SelectOutput {
            plan,
            sorter: Sorter::new(plan.order_by.clone(), work_mem, wanted, dir),
            offset,
            wanted,
        })
    }

    /// The output row of one input row (a table row, or a group's `keys ++ aggregates`).
    fn push(&mut self, input: &[Value], ctx: &EvalContext<'_>) -> SqlResult<()> {
        let mut row = self
            .plan
            .outputs
            .iter()
            .map(|e| e.eval(input, ctx))
            .collect::<SqlResult<Vec<_>>>()?;
        if self.plan.order_by.is_empty() {
            row.truncate(self.plan.columns.len());
        }
        self.sorter.push(row)
    }

    /// The result: streamed from the sorter as it is sent (`stream`), or collected.
    fn finish(self, stream: bool) -> SqlResult<QueryResult> {
        let mut rows = self.sorter.finish()?;
        rows.keep_columns(self.plan.columns.len());
        rows.skip(self.offset)?;
        let mut result = QueryResult {
            columns: self.plan.columns.clone(),
            tag: format!("SELECT {}", rows.len()),
            ..QueryResult::default()
        };
        if stream {
            result.stream = Some(rows);
        } else {
            result.rows = rows.collect()?;
        }
        Ok(result)
    }
}

/// Reads a table from each target worker: keyed targets in one request each, a whole table in
/// parts ([`ScanPart`]) when `read.parts` so that no request holds a worker for long, all under
/// the statement's snapshot. Passes each reply's rows to `take` with its target's index as they come, and stops
/// once `take` returns false (enough rows) or the statement is canceled.
async fn read_in_parts<C: Cluster>(
    cluster: &C,
    read: &ScanRead<'_>,
    targets: Vec<(WorkerId, KeyTarget)>,
    cancel: &Cancel,
    mut take: impl FnMut(usize, Vec<Row>) -> SqlResult<bool>,
) -> SqlResult<u64> {
    let mut visited = 0;
    // (target, worker, keys, where its next part starts)
    let mut pending: Vec<(usize, WorkerId, KeyTarget, Option<Vec<u8>>)> = targets
        .into_iter()
        .enumerate()
        .map(|(target, (worker, key))| (target, worker, key, None))
        .collect();
    // Rows each target returned (an ordered read asks each for a number of rows).
    let mut taken = vec![0usize; pending.len()];
    while !pending.is_empty() {
        let requests = pending
            .iter()
            .map(|(target, worker, key, after)| {
                let op = ShardOp::Read {
                    table: read.table.clone(),
                    key: key.clone(),
                    filter: read.filter.clone(),
                    params: read.params.clone(),
                    keyed: false,
                    columns: read.columns.clone(),
                    project: read.project.clone(),
                    part: (read.parts && key.is_none()).then(|| ScanPart {
                        after: after.clone(),
                        rows: read.order.map_or(SCAN_PART_ROWS, |(_, most)| {
                            most.saturating_sub(taken[*target]).min(SCAN_PART_ROWS)
                        }),
                        order: read.order.map(|(direction, _)| direction),
                        top: read.top.clone(),
                    }),
                    prefixes: read.prefixes,
                    range: read.range.clone(),
                };
                let (txn, now) = (read.txn, read.now);
                (*worker, ShardRequest { txn, now, op })
            })
            .collect();
        let outputs = cluster.call_all(requests).await;
        let mut next = Vec::new();
        let mut more = true;
        for ((target, worker, key, _), output) in pending.into_iter().zip(outputs) {
            let output = output?;
            visited += output.visible;
            taken[target] += output.rows.len();
            more = more && take(target, output.rows)?;
            let enough = read.order.is_some_and(|(_, most)| taken[target] >= most);
            if let Some(after) = output.resume.filter(|_| !enough) {
                next.push((target, worker, key, Some(after)));
            }
        }
        cancel.check()?;
        if !more {
            break;
        }
        pending = next;
    }
    Ok(visited)
}

/// The ranges of index entries an ordered read through a secondary index takes
/// ([`crate::plan::ScanOrder::Index`]), in the order their rows come: the entries `access`
/// selects (all of them, or those of its equalities and bounds) whose first ordered column is
/// not NULL, and, unless that column is NOT NULL or bounded, those where it is NULL, before or
/// after the others as the query orders NULLs (entries hold a NULL first in key order). Empty
/// when no row can match.
fn index_segments(
    table: &TableDef,
    access: &Access,
    order: &crate::plan::ScanOrder<'_>,
    ctx: &EvalContext<'_>,
) -> SqlResult<Vec<Segment>> {
    let crate::plan::ScanOrder::Index {
        index,
        nulls_first,
        fixed,
        ..
    } = *order
    else {
        return Ok(Vec::new());
    };
    let (eq, lower, upper): (&[Expr], _, _) = match access {
        Access::Index {
            eq, lower, upper, ..
        } => (eq, lower, upper),
        _ => (&[], &None, &None),
    };
    let types = |part| index.part_type(table, part);
    let width = index.width();
    let Some((from, to, _)) = part_range(&types, width, false, eq, lower, upper, ctx)? else {
        return Ok(Vec::new());
    };
    // Every entry of the range starts with its equalities' prefix; a value of the next part
    // then starts with 1, a NULL with 0 (`encode_key`).
    let Some(prefix) = eq_prefix(&types, width, eq, ctx)? else {
        return Ok(Vec::new());
    };
    let with = |byte: u8| {
        let mut key = prefix.clone();
        key.push(byte);
        key
    };
    let values = intersect_ranges(
        (from, to),
        (
            Bound::Included(with(1)),
            keel_storage::store::prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded),
        ),
    );
    // Entries that start with one value of the index's first part may lie in one vshard.
    let vshard = index.prefix_vshard(&prefix);
    let mut segments = vec![(values, vshard)];
    // The first ordered column: the index's next one, or past its columns (all fixed by the
    // equalities) the primary key's first, which holds no NULL.
    let nullable = index
        .columns
        .get(fixed)
        .is_some_and(|&column| !table.columns[column].not_null);
    if nullable && lower.is_none() && upper.is_none() {
        let nulls = ((Bound::Included(with(0)), Bound::Excluded(with(1))), vshard);
        if nulls_first {
            segments.insert(0, nulls);
        } else {
            segments.push(nulls);
        }
    }
    Ok(segments)
}

/// A range of encoded keys.
type EntryRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// A range of an index's entries, and the one vshard they all lie in when they share one.
type Segment = (EntryRange, Option<keel_storage::VShard>);

/// The keys within both ranges.
fn intersect_ranges(a: EntryRange, b: EntryRange) -> EntryRange {
    // The bound that admits fewer keys: `high` picks the higher key (lower bounds), else the
    // lower one; on equal keys an excluded bound is the tighter.
    fn tighter(x: Bound<Vec<u8>>, y: Bound<Vec<u8>>, high: bool) -> Bound<Vec<u8>> {
        let key = |b: &Bound<Vec<u8>>| match b {
            Bound::Included(k) | Bound::Excluded(k) => Some(k.clone()),
            Bound::Unbounded => None,
        };
        match (key(&x), key(&y)) {
            (None, _) => y,
            (_, None) => x,
            (Some(kx), Some(ky)) => match kx.cmp(&ky) {
                std::cmp::Ordering::Equal => match x {
                    Bound::Excluded(_) => x,
                    _ => y,
                },
                order => {
                    if (order == std::cmp::Ordering::Greater) == high {
                        x
                    } else {
                        y
                    }
                }
            },
        }
    }
    (tighter(a.0, b.0, true), tighter(a.1, b.1, false))
}

/// A read through a secondary index in order: the order, the index, LIMIT + OFFSET.
type Through<'t> = (crate::plan::ScanOrder<'t>, &'t IndexDef, usize);

/// An ordered read (its order, LIMIT + OFFSET) as a read through a secondary index, or as the
/// primary key's direction and row count for [`ScanRead::order`].
fn split_order(
    order: Option<(crate::plan::ScanOrder<'_>, usize)>,
) -> (Option<Through<'_>>, Option<(Direction, usize)>) {
    match order {
        Some((order @ crate::plan::ScanOrder::Index { index, .. }, wanted)) => {
            (Some((order, index, wanted)), None)
        }
        Some((order, wanted)) => (None, order.key().map(|direction| (direction, wanted))),
        None => (None, None),
    }
}

/// Entries each worker returns in the first round of [`index_ordered_read`], at most.
const INDEX_ORDER_BATCH: usize = 1 << 16;

/// Reads the rows of `read.table` through `index`'s entries in order (`direction`) over
/// `segments` ([`index_segments`]), until `wanted` rows have passed the read's filter or the
/// entries end, passing the rows (in no particular order) to `take`; returns the visible rows
/// the workers visited.
///
/// An index's entries are placed by their own key, so each worker holds a share of every range
/// of them, read in order across its vshards (`ShardOp::IndexScan` with an order). In rounds:
/// each worker returns its next entries (about twice its share of the rows wanted, then enough
/// for the rows still wanted at the rate rows passed the filter so far, and at least twice as
/// many as the round before), and the entries up to the first of the workers' last ones (the
/// frontier: a worker that may have more holds none before it unreturned) are the next stretch
/// of the whole index in order; their rows are fetched from their owners by key, the filter
/// running there. Entries past the frontier are read again next round, from past it. Rows come
/// in stretches of the index's order, so once `wanted` have passed, the first `wanted` in
/// ORDER BY order are among them (the caller's sort picks them). The index's scan and the
/// entries read count in its statistics (`pg_stat_user_indexes`).
#[allow(clippy::too_many_arguments)]
async fn index_ordered_read<C: Cluster>(
    cluster: &C,
    read: &ScanRead<'_>,
    (order, index, wanted): Through<'_>,
    segments: Vec<Segment>,
    cancel: &Cancel,
    mut take: impl FnMut(Vec<Row>) -> SqlResult<()>,
) -> SqlResult<u64> {
    let direction = order.direction();
    let workers = cluster.workers().max(1);
    let forward = direction == Direction::Forward;
    let before = |a: &[u8], b: &[u8]| crate::fragment::comes_before(forward, a, b);
    let (mut found, mut visited, mut entries) = (0usize, 0u64, 0usize);
    for ((from, to), vshard) in segments {
        // Where every worker's next read starts past (None: the segment's start), and which
        // have returned all their entries (all but one when the entries share a vshard).
        let mut after: Option<Vec<u8>> = None;
        let mut done = vec![false; workers];
        let mut sharing = workers;
        if let Some(vshard) = vshard {
            let owner = owner_of(vshard, workers) as usize;
            for (w, done) in done.iter_mut().enumerate() {
                *done = w != owner;
            }
            sharing = 1;
        }
        let mut batch =
            (wanted.saturating_sub(found).saturating_mul(2) / sharing + 2).min(INDEX_ORDER_BATCH);
        while found < wanted && done.contains(&false) {
            let (from, to) = match (&after, forward) {
                (None, _) => (from.clone(), to.clone()),
                (Some(after), true) => (Bound::Excluded(after.clone()), to.clone()),
                (Some(after), false) => (from.clone(), Bound::Excluded(after.clone())),
            };
            let asked: Vec<WorkerId> = (0..workers as WorkerId)
                .filter(|&w| !done[w as usize])
                .collect();
            let requests = asked
                .iter()
                .map(|&w| {
                    let op = ShardOp::IndexScan {
                        index: index.id,
                        placement: index.placement,
                        from: from.clone(),
                        to: to.clone(),
                        vshard,
                        order: Some((direction, batch)),
                    };
                    let (txn, now) = (read.txn, read.now);
                    (w, ShardRequest { txn, now, op })
                })
                .collect();
            let mut outputs = Vec::with_capacity(asked.len());
            for output in cluster.call_all(requests).await {
                outputs.push(output?);
            }
            cancel.check()?;
            // The first of the last entries of the workers that may have more.
            let frontier = outputs
                .iter()
                .filter_map(|output| output.resume.as_deref())
                .reduce(|a, b| if before(b, a) { b } else { a })
                .map(<[u8]>::to_vec);
            let mut keys: BTreeMap<WorkerId, Vec<Vec<u8>>> = BTreeMap::new();
            for (&w, output) in asked.iter().zip(outputs) {
                let mut all = true;
                for (entry, key) in output.entries.iter().zip(output.keys) {
                    if frontier.as_deref().is_some_and(|f| before(f, entry)) {
                        all = false;
                        break;
                    }
                    entries += 1;
                    let owner = owner_of(read.table.vshard(&key), workers);
                    keys.entry(owner).or_default().push(key);
                }
                done[w as usize] = output.resume.is_none() && all;
            }
            let targets = keys
                .into_iter()
                .map(|(w, mut keys)| {
                    keys.sort_unstable();
                    (w, Some(keys))
                })
                .collect();
            visited += read_in_parts(cluster, read, targets, cancel, |_, rows| {
                found += rows.len();
                take(rows)?;
                Ok(true)
            })
            .await?;
            match frontier {
                Some(frontier) => after = Some(frontier),
                None => break,
            }
            // Enough entries for the rows still wanted at the rate rows have passed so far
            // (with half again to spare), at least twice the last batch.
            let rate = (found.max(1) as f64 / entries.max(1) as f64).min(1.0);
            let needed = wanted.saturating_sub(found) as f64 / rate * 1.5 / sharing as f64;
            batch = (needed as usize).max(batch * 2).min(INDEX_ORDER_BATCH);
        }
        if found >= wanted {
            break;
        }
    }
    let secondary = crate::pgstat::IndexRef::Secondary(index.id);
    count_scan(cluster, read.table.id, Some(secondary), entries);
    Ok(visited)
}

/// Appends EXPLAIN's `tree` to `lines` as the child of the node they end with (a write's).
fn nest_under(lines: &mut Vec<String>, tree: Vec<String>) {
    for (i, line) in tree.into_iter().enumerate() {
        let indent = if i == 0 { "  ->  " } else { "      " };
        lines.push(format!("{indent}{line}"));
    }
}

/// The row count a command tag ends with (`UPDATE 3`, `INSERT 0 2`).
fn tag_count(tag: &str) -> Option<u64> {
    tag.rsplit(' ').next().and_then(|n| n.parse().ok())
}

/// Combines the outputs of several workers: total count and all rows.
fn gather(results: Vec<SqlResult<ShardOutput>>) -> SqlResult<(u64, Vec<Vec<Value>>)> {
    let mut count = 0;
    let mut rows = Vec::new();
    for result in results {
        let output = result?;
        count += output.count;
        rows.extend(output.rows);
    }
    Ok((count, rows))
}

/// The entry of `row` (whose key is `row_key`) in `index` (see [`IndexDef`]), and whether it
/// constrains (a unique index's entry without NULL, or any with NULLS NOT DISTINCT); None when the row has no entry (a partial
/// index's condition does not hold for it).
fn index_entry(
    table: &TableDef,
    index: &IndexDef,
    row_key: &[u8],
    row: &[Value],
) -> SqlResult<Option<(Vec<u8>, bool)>> {
    let entry = |values: &[(&Value, DataType)]| {
        let mut entry = Vec::with_capacity(32);
        encode_key(values, &mut entry);
        let constrains =
            index.unique && (index.nulls_not_distinct || !values.iter().any(|(v, _)| v.is_null()));
        if !constrains {
            entry.extend_from_slice(row_key);
        }
        (entry, constrains)
    };
    if !index.needs_binding() {
        let values: Vec<(&Value, DataType)> = index
            .columns
            .iter()
            .map(|&c| (&row[c], table.columns[c].ty))
            .collect();
        return Ok(Some(entry(&values)));
    }
    let Some(values) = index_values(table, index, row)? else {
        return Ok(None);
    };
    let refs: Vec<(&Value, DataType)> = values.iter().map(|(v, t)| (v, *t)).collect();
    Ok(Some(entry(&refs)))
}

/// The entries of `row` (whose key is `row_key`) in GIN index `index` of operator class
/// `class`, sorted: one per item of its value (see [`crate::gin`]); none when a partial
/// index's condition does not hold for it.
fn gin_entries(
    table: &TableDef,
    index: &IndexDef,
    class: crate::gin::GinClass,
    row_key: &[u8],
    row: &[Value],
) -> SqlResult<Vec<Vec<u8>>> {
    let (value, ty) = match index.needs_binding() {
        false => (
            Cow::Borrowed(&row[index.columns[0]]),
            table.columns[index.columns[0]].ty,
        ),
        true => match index_values(table, index, row)? {
            Some(mut values) if !values.is_empty() => {
                let (value, ty) = values.swap_remove(0);
                (Cow::Owned(value), ty)
            }
            _ => return Ok(Vec::new()),
        },
    };
    let mut entries = class.items(&value, ty)?;
    for entry in &mut entries {
        entry.extend_from_slice(row_key);
    }
    Ok(entries)
}

/// The key values of `row` in an index with a predicate or expressions (bound: see
/// [`crate::catalog::BoundIndex`]); None when the predicate does not hold for it.
fn index_values(
    table: &TableDef,
    index: &IndexDef,
    row: &[Value],
) -> SqlResult<Option<Vec<(Value, DataType)>>> {
    let bound = index.bound.as_ref().ok_or_else(|| {
        SqlError::new(
            code::INTERNAL_ERROR,
            format!("index \"{}\" is used unbound", index.name),
        )
    })?;
    // Index expressions are immutable: no parameters, no clock.
    let ctx = EvalContext::new(&[], 0);
    if let Some(predicate) = &bound.predicate {
        if predicate.eval(row, &ctx)? != Value::Bool(true) {
            return Ok(None);
        }
    }
    if index.expressions.is_empty() {
        let values = index.columns.iter();
        let values = values.map(|&c| (row[c].clone(), table.columns[c].ty));
        return Ok(Some(values.collect()));
    }
    let values = bound
        .parts
        .iter()
        .map(|(expr, ty)| Ok((expr.eval(row, &ctx)?, *ty)));
    values.collect::<SqlResult<Vec<_>>>().map(Some)
}

/// `Key (parts)=(values)` of a unique index's entry for `row`, as PostgreSQL's detail words it.
fn index_key_text(table: &TableDef, index: &IndexDef, row: &[Value]) -> SqlResult<String> {
    if index.expressions.is_empty() {
        return Ok(key_text(table, &index.columns, row));
    }
    let values = index_values(table, index, row)?.unwrap_or_default();
    let values: Vec<String> = values
        .iter()
        .map(|(v, ty)| crate::fragment::key_value_text(v, *ty))
        .collect();
    Ok(format!(
        "({})=({})",
        index.expressions.join(", "),
        values.join(", ")
    ))
}

/// `expr`'s value as a key of type `ty`; None when no key can equal it (NULL, or a value that
/// cannot be one of this type).
fn key_value(expr: &Expr, ty: DataType, ctx: &EvalContext<'_>) -> SqlResult<Option<Value>> {
    Ok(
        match cast(expr.eval(&[], ctx)?, value_type(expr, ty), ty, false) {
            Ok(Value::Null) | Err(_) => None,
            Ok(value) => Some(value),
        },
    )
}

type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>, Option<Vec<u8>>);

/// The row keys of `table` an [`Access::Range`] with these parts covers; None when no row can
/// match (a NULL or impossible value).
fn key_bounds(
    table: &TableDef,
    eq: &[Expr],
    lower: &Option<(Expr, bool)>,
    upper: &Option<(Expr, bool)>,
    ctx: &EvalContext<'_>,
) -> SqlResult<Option<Arc<KeyBounds>>> {
    let types = |part: usize| table.columns[table.primary_key[part]].ty;
    let width = table.primary_key.len();
    let Some((from, to, _)) = part_range(&types, width, false, eq, lower, upper, ctx)? else {
        return Ok(None);
    };
    // A value of the first key column of a table placed by it fixes the vshard: every key in
    // the range starts with its encoding (a bound on a later column never carries into it).
    let vshard = match (&from, &to) {
        (Bound::Included(a), _) if !eq.is_empty() && table.placed_by_first_key_column() => {
            Some(table.vshard(a))
        }
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
            keel_storage::range_vshard(a, b, table.placement)
        }
        _ => None,
    };
    Ok(Some(Arc::new(KeyBounds { from, to, vshard })))
}

/// The encoding of `eq`'s values on the leading key parts (every key of a range they fix starts
/// with it; empty without equalities), or None when no row can match ([`part_range`]).
fn eq_prefix(
    types: &dyn Fn(usize) -> DataType,
    width: usize,
    eq: &[Expr],
    ctx: &EvalContext<'_>,
) -> SqlResult<Option<Vec<u8>>> {
    Ok(
        match part_range(types, width, false, eq, &None, &None, ctx)? {
            Some((Bound::Included(prefix), ..)) => Some(prefix),
            _ => None,
        },
    )
}

/// What a range's bound on a key part gives ([`part_range`]).
enum PartBound {
    /// No row matches (a NULL).
    Nothing,
    /// No bound (a value out of the part's type's range).
    Open,
    /// The key of the bound's value, and whether it is included.
    At(Vec<u8>, bool),
}

/// The keys of an index or primary key whose parts have types `types` (`width` of them) that are
/// equal to `eq` on the leading parts, then within `lower`/`upper` on the next; with `unique`
/// (`eq` names a whole unique key), the one key as well. None when no row can match (a NULL or
/// impossible value).
fn part_range(
    types: &dyn Fn(usize) -> DataType,
    width: usize,
    unique: bool,
    eq: &[Expr],
    lower: &Option<(Expr, bool)>,
    upper: &Option<(Expr, bool)>,
    ctx: &EvalContext<'_>,
) -> SqlResult<Option<KeyRange>> {
    // Key part `part`'s value (a column's or an expression's type).
    let value_of = |expr: &Expr, part: usize| -> SqlResult<Option<(Value, DataType)>> {
        let ty = types(part);
        Ok(key_value(expr, ty, ctx)?.map(|value| (value, ty)))
    };
    let mut values = Vec::with_capacity(eq.len());
    for (part, expr) in eq.iter().enumerate() {
        match value_of(expr, part)? {
            Some(value) => values.push(value),
            None => return Ok(None),
        }
    }
    let prefix = row_key(&values);
    if unique {
        return Ok(Some((
            Bound::Included(prefix.clone()),
            Bound::Included(prefix.clone()),
            Some(prefix),
        )));
    }
    let mut from = Bound::Included(prefix.clone());
    let mut to = keel_storage::store::prefix_end(&prefix).map_or(Bound::Unbounded, Bound::Excluded);
    let next = (eq.len() < width).then_some(eq.len());
    let with = |value: (Value, DataType)| {
        let mut key = prefix.clone();
        encode_key(&[(&value.0, value.1)], &mut key);
        key
    };
    // A bound's value in the part's type: a NULL matches nothing; one rounded on the way (a
    // numeric against an integer column) is taken inclusive, and one out of the type's range
    // bounds nothing, so the keys read are always a superset of the matches, which the filter
    // then picks.
    let bound_of = |(expr, inclusive): &(Expr, bool), part: usize| -> SqlResult<PartBound> {
        let ty = types(part);
        let value = expr.eval(&[], ctx)?;
        if value.is_null() {
            return Ok(PartBound::Nothing);
        }
        let from = value_type(expr, ty);
        let exact =
            from == ty || from == DataType::Unknown || (from.is_integer() && ty.is_integer());
        Ok(match cast(value, from, ty, false) {
            Ok(Value::Null) | Err(_) => PartBound::Open,
            Ok(value) => PartBound::At(with((value, ty)), *inclusive || !exact),
        })
    };
    if let (Some(lower), Some(column)) = (lower, next) {
        match bound_of(lower, column)? {
            PartBound::Nothing => return Ok(None),
            PartBound::Open => {}
            PartBound::At(key, true) => from = Bound::Included(key),
            PartBound::At(key, false) => match keel_storage::store::prefix_end(&key) {
                Some(above) => from = Bound::Included(above),
                None => return Ok(None),
            },
        }
    }
    if let (Some(upper), Some(column)) = (upper, next) {
        match bound_of(upper, column)? {
            PartBound::Nothing => return Ok(None),
            PartBound::Open => {}
            PartBound::At(key, true) => {
                to = keel_storage::store::prefix_end(&key).map_or(Bound::Unbounded, Bound::Excluded)
            }
            PartBound::At(key, false) => to = Bound::Excluded(key),
        }
    }
    Ok(Some((from, to, None)))
}

/// The row key of a new row: its primary key, or a fresh hidden row id owned by `home`.
fn new_row_key<C: Cluster>(
    cluster: &C,
    home: WorkerId,
    table: &TableDef,
    row: &[Value],
) -> Vec<u8> {
    if table.primary_key.is_empty() {
        return homed_row_key(cluster, home);
    }
    primary_key_of(table, row)
}

/// Frees the rows of `tables` (and forgets their sequence counters) on every worker: tables no
/// catalog names any more, after the commit that dropped them or the ROLLBACK TO that undid
/// their making. Every table is freed; the first error comes back.
async fn free_tables<C: Cluster>(
    cluster: &C,
    txn: TxnId,
    tables: impl IntoIterator<Item = TableId>,
) -> SqlResult<()> {
    let mut outcome = Ok(());
    for table in tables {
        cluster.sequences().forget(table);
        let requests = (0..cluster.workers() as WorkerId)
            .map(|w| {
                let op = ShardOp::DropTable { table };
                (
                    w,
                    ShardRequest {
                        txn: Tx::ending(txn),
                        now: 0,
                        op,
                    },
                )
            })
            .collect();
        for freed in cluster.call_all(requests).await {
            if outcome.is_ok() {
                outcome = freed.map(|_| ());
            }
        }
    }
    outcome
}

/// PostgreSQL's refusal of a DROP (`message`: `cannot drop ... because other objects depend on
/// it`) without CASCADE, with what depends on the object (`lines`) as its detail.
pub(crate) fn depended_on(message: String, lines: &[String]) -> SqlError {
    SqlError::new(code::DEPENDENT_OBJECTS_STILL_EXIST, message)
        .with_detail(lines.join("\n"))
        .with_hint("Use DROP ... CASCADE to drop the dependent objects too.")
}

/// PostgreSQL's notice of what a DROP ... CASCADE takes with it (`lines`: `drop cascades to
/// ...`, one or more): the one line, or a count with the lines as its detail.
pub(crate) fn cascade_notice(lines: &[String]) -> SqlError {
    match lines {
        [one] => SqlError::new(code::SUCCESSFUL_COMPLETION, one.clone()),
        many => SqlError::new(
            code::SUCCESSFUL_COMPLETION,
            format!("drop cascades to {} other objects", many.len()),
        )
        .with_detail(many.join("\n")),
    }
}

/// How a table rewrite changes each row (see `Session::rewrite`).
type Reshape<'a> = dyn Fn(&mut Vec<Value>) -> SqlResult<()> + 'a;

/// The encoded primary key of `table` whose columns hold `values` (in the key's order; more
/// values than key columns are ignored).
fn key_of_values(table: &TableDef, values: &[Value]) -> Vec<u8> {
    let typed: Vec<(&Value, DataType)> = (table.primary_key.iter())
        .zip(values)
        .map(|(&c, value)| (value, table.columns[c].ty))
        .collect();
    let mut key = Vec::with_capacity(16);
    encode_key(&typed, &mut key);
    key
}

/// The storage key of the row of `table` that a row a write's query found names by its first
/// values (see [`crate::plan::WriteFromQuery`]): its primary key, or its row key.
fn found_key(table: &TableDef, found: &[Value]) -> Vec<u8> {
    match found.first() {
        Some(Value::Bytes(key)) if table.primary_key.is_empty() => key.clone(),
        _ => key_of_values(table, found),
    }
}

/// PostgreSQL's error for a NULL found in `column` of `table`'s rows when it must have none
/// (SET NOT NULL, a primary key added over it).
pub(crate) fn contains_nulls(table: &TableDef, column: usize) -> SqlError {
    SqlError::new(
        code::NOT_NULL_VIOLATION,
        format!(
            "column \"{}\" of relation \"{}\" contains null values",
            table.columns[column].name,
            crate::catalog::relname(&table.name)
        ),
    )
}

/// PostgreSQL's error for a primary key of `table` that rows being rewritten repeat (`row` is
/// one of them).
fn repeated_primary_key(table: &TableDef, row: &[Value]) -> SqlError {
    SqlError::new(
        code::UNIQUE_VIOLATION,
        format!("could not create unique index \"{}\"", table.pkey_name()),
    )
    .with_detail(format!(
        "Key {} is duplicated.",
        key_text(table, &table.primary_key, row)
    ))
}

/// The encoded primary key of `row`, a row of `table` (which has one).
pub(crate) fn primary_key_of(table: &TableDef, row: &[Value]) -> Vec<u8> {
    let values: Vec<(&Value, DataType)> = (table.primary_key.iter())
        .map(|&c| (&row[c], table.columns[c].ty))
        .collect();
    let mut key = Vec::with_capacity(16);
    encode_key(&values, &mut key);
    key
}

/// New rows of `table` with their keys ([`new_row_key`]).
fn keyed_rows<C: Cluster>(
    cluster: &C,
    home: WorkerId,
    table: &TableDef,
    rows: Vec<Vec<Value>>,
) -> Vec<KeyedRow> {
    rows.into_iter()
        .map(|row| (new_row_key(cluster, home, table, &row), row))
        .collect()
}

/// `table` as `catalog` has it now (a DDL statement's plan names the table it was bound to).
/// The sequence `name` of the catalog a DDL statement is making (42P01 when it is not there).
fn catalog_sequence(next: &Catalog, name: &str) -> SqlResult<Arc<crate::catalog::SequenceDef>> {
    next.sequences.get(name).cloned().ok_or_else(|| {
        SqlError::new(
            code::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        )
    })
}

fn current_table(catalog: &Catalog, table: &TableDef) -> SqlResult<Arc<TableDef>> {
    catalog.table_by_id(table.id).cloned().ok_or_else(|| {
        SqlError::new(
            code::UNDEFINED_TABLE,
            format!(
                "relation \"{}\" does not exist",
                crate::catalog::relname(&table.name)
            ),
        )
    })
}

/// A row of `table` (as transaction `txn` sees it) where `filter` holds, if there is one: the
/// checks of ALTER TABLE against the rows there.
/// `expr` with its calls of the sequences in `made` (by name) calling those definitions.
fn with_sequences(expr: Expr, made: &[Arc<crate::catalog::SequenceDef>]) -> Expr {
    let expr = match expr {
        Expr::Sequence(mut call, args) => {
            let named = call.seq.as_ref().map(|seq| seq.name.clone());
            if let Some(seq) = made.iter().find(|m| Some(&m.name) == named.as_ref()) {
                call.seq = Some(seq.clone());
            }
            Expr::Sequence(call, args)
        }
        other => other,
    };
    let mapped: Result<Expr, std::convert::Infallible> =
        expr.try_map(&mut |child| Ok(with_sequences(child, made)));
    match mapped {
        Ok(expr) => expr,
    }
}

/// PostgreSQL's errors for constraints added to a table, or checked again over rewritten rows:
/// a row with a NULL in one of `not_null`, then a row that fails one of `checks` (bound).
async fn check_existing_rows<C: Cluster>(
    cluster: &C,
    table: &Arc<TableDef>,
    not_null: &[usize],
    checks: &[crate::catalog::CheckDef],
    txn: Tx,
) -> SqlResult<()> {
    for &column in not_null {
        let nulls = Expr::IsNull(Box::new(Expr::Column(column)), false);
        if first_row_where(cluster, table, nulls, txn).await?.is_some() {
            return Err(contains_nulls(table, column));
        }
    }
    for check in checks {
        let condition = check.bound.clone().expect("bound by the binder");
        let violated = Expr::Not(Box::new(condition));
        if first_row_where(cluster, table, violated, txn)
            .await?
            .is_some()
        {
            return Err(SqlError::new(
                "23514",
                format!(
                    "check constraint \"{}\" of relation \"{}\" is violated by some row",
                    check.name,
                    crate::catalog::relname(&table.name)
                ),
            ));
        }
    }
    Ok(())
}

async fn first_row_where<C: Cluster>(
    cluster: &C,
    table: &Arc<TableDef>,
    filter: Expr,
    txn: Tx,
) -> SqlResult<Option<Vec<Value>>> {
    let filter = Arc::new(filter);
    let reads = (0..cluster.workers() as WorkerId)
        .map(|w| {
            let op = ShardOp::Read {
                table: table.clone(),
                key: None,
                filter: Some(filter.clone()),
                params: Arc::new(Vec::new()),
                keyed: false,
                columns: None,
                project: None,
                part: None,
                prefixes: false,
                range: None,
            };
            (w, ShardRequest { txn, now: 0, op })
        })
        .collect();
    let (_, rows) = gather(cluster.call_all(reads).await)?;
    Ok(rows.into_iter().next())
}

/// Adds sequence `seq` to catalog `next` under a new id, returned (42P07 when its name is taken).
fn add_sequence(
    next: &mut Catalog,
    seq: &crate::catalog::SequenceDef,
) -> SqlResult<keel_storage::TableId> {
    if next.relation_exists(&seq.name) {
        return Err(SqlError::new(
            code::DUPLICATE_TABLE,
            format!(
                "relation \"{}\" already exists",
                crate::catalog::relname(&seq.name)
            ),
        ));
    }
    let mut seq = seq.clone();
    seq.id = next.next_table_id.max(1);
    next.next_table_id = seq.id + 1;
    let id = seq.id;
    next.sequences.insert(seq.name.clone(), Arc::new(seq));
    Ok(id)
}

/// PostgreSQL's name for an unnamed index: `<table>_<columns>_idx`, numbered when taken.
/// Moves every relation of schema `from` to `to` (their keys change; ids, and so foreign keys,
/// comments and storage, stay). Column defaults follow their sequences. A view whose query text
/// names the old schema would break, so the rename is refused while one does.
fn rename_schema(next: &mut Catalog, from: &str, to: &str) -> SqlResult<()> {
    use crate::catalog::{qualify, split_name};
    let moved = |key: &str| -> Option<String> {
        let (schema, relation) = split_name(key);
        (schema == from).then(|| qualify(to, relation))
    };
    let mentions = |sql: &str| {
        let lower = sql.to_lowercase();
        lower.contains(&format!("{from}.")) || lower.contains(&format!("\"{from}\"."))
    };
    if let Some(view) = next
        .views
        .values()
        .find(|view| mentions(&view.sql) || view.qualifiers.iter().any(|(_, s)| s == from))
    {
        return Err(SqlError::unsupported(format!(
            "renaming a schema that view {} names in its query",
            crate::catalog::relname(&view.name)
        )));
    }
    move_relations(next, &moved);
    for view in next.views.values_mut() {
        for entry in &mut view.search_path {
            if entry == from {
                *entry = to.to_string();
            }
        }
    }
    if let Some(mut schema) = next.schemas.remove(from) {
        schema.name = to.to_string();
        next.schemas.insert(to.to_string(), schema);
    }
    Ok(())
}

/// `ALTER ... SET SCHEMA`: relation `key` moves to `schema`, a table with its primary key,
/// indexes and the sequences its columns own, as in PostgreSQL (42P07 when one of their names
/// is taken there). Views and materialized views that read what moved name it in its new
/// schema ([`crate::catalog::ViewDef::move_schema`]).
fn set_schema(next: &mut Catalog, key: &str, schema: &str) -> SqlResult<()> {
    use crate::catalog::{qualify, relname, split_name};
    if split_name(key).0 == schema {
        return Ok(());
    }
    let mut keys = vec![key.to_string()];
    let mut id = next.views.get(key).map(|view| view.id);
    if let Some(table) = next.tables.get(key) {
        id = Some(table.id);
        if !table.primary_key.is_empty() {
            keys.push(table.pkey_name());
        }
        keys.extend(table.indexes.iter().map(|index| index.name.clone()));
        keys.extend(
            (next.sequences.values())
                .filter(|seq| seq.owned_by.as_ref().is_some_and(|(owner, _)| owner == key))
                .map(|seq| seq.name.clone()),
        );
    }
    for old in &keys {
        if next.relation_exists(&qualify(schema, relname(old))) {
            return Err(SqlError::new(
                code::DUPLICATE_TABLE,
                format!(
                    "relation \"{}\" already exists in schema \"{schema}\"",
                    relname(old)
                ),
            ));
        }
    }
    move_relations(next, &|k: &str| {
        keys.iter()
            .any(|moved| moved == k)
            .then(|| qualify(schema, relname(k)))
    });
    if let Some(id) = id {
        next.change_stored_queries(|view| view.move_schema(id, schema));
    }
    Ok(())
}

/// Gives the relations `moved` names a new key for (tables with their primary keys and
/// indexes, sequences, views) those keys; ids, and so foreign keys, comments, grants and
/// storage, stay. Column defaults follow their sequences, owned sequences their tables.
fn move_relations(next: &mut Catalog, moved: &dyn Fn(&str) -> Option<String>) {
    let sequences: Vec<(String, String)> = next
        .sequences
        .keys()
        .filter_map(|key| moved(key).map(|new| (key.clone(), new)))
        .collect();
    let tables = std::mem::take(&mut next.tables);
    for (key, table) in tables {
        let mut table = (*table).clone();
        if let Some(new) = moved(&key) {
            table.name = new;
            if let Some(matview) = &mut table.matview {
                matview.query.name = table.name.clone();
            }
        }
        if let Some(new) = table.primary_key_name.as_deref().and_then(moved) {
            table.primary_key_name = Some(new);
        }
        for index in &mut table.indexes {
            if let Some(new) = moved(&index.name) {
                index.name = new;
            }
        }
        for column in &mut table.columns {
            if let Some(default) = &column.default {
                let mut text = default.clone();
                for (old, new) in &sequences {
                    text = crate::bind::rename_sequence_in_default(&text, old, new);
                }
                column.default = Some(text);
            }
        }
        next.tables.insert(table.name.clone(), Arc::new(table));
    }
    let old_sequences = std::mem::take(&mut next.sequences);
    for (key, seq) in old_sequences {
        let mut seq = (*seq).clone();
        if let Some(new) = moved(&key) {
            seq.name = new;
        }
        if let Some((owner, _)) = &mut seq.owned_by {
            if let Some(new) = moved(owner) {
                *owner = new;
            }
        }
        next.sequences.insert(seq.name.clone(), Arc::new(seq));
    }
    let views = std::mem::take(&mut next.views);
    for (key, mut view) in views {
        if let Some(new) = moved(&key) {
            view.name = new;
        }
        next.views.insert(view.name.clone(), view);
    }
}

fn default_index_name(
    catalog: &Catalog,
    table: &TableDef,
    columns: &[String],
    suffix: &str,
) -> String {
    let base = format!("{}_{}_{suffix}", table.name, columns.join("_"));
    let mut name = base.clone();
    let mut n = 0;
    while catalog.relation_exists(&name) || table.index(&name).is_some() {
        n += 1;
        name = format!("{base}{n}");
    }
    name
}

/// The row key of key column values.
pub fn row_key(values: &[(Value, DataType)]) -> Vec<u8> {
    let refs: Vec<(&Value, DataType)> = values.iter().map(|(v, t)| (v, *t)).collect();
    let mut key = Vec::with_capacity(16);
    encode_key(&refs, &mut key);
    key
}

/// The type of a key lookup value: parameters and constants already carry the column's type or a
/// numeric one.
fn value_type(expr: &Expr, column: DataType) -> DataType {
    match expr {
        Expr::Const(value) => literal_type(value, column),
        Expr::Cast(_, _, to, _) => *to,
        _ => column,
    }
}

/// The values of an [`Access::Keys`] as values of a key column of type `ty`; a value no row
/// can hold (NULL, outside the type's range) is left out.
fn key_list_values(
    values: &KeyValues,
    ty: DataType,
    ctx: &EvalContext<'_>,
) -> SqlResult<Vec<Value>> {
    let mut found = Vec::new();
    match values {
        KeyValues::List(list) => {
            for expr in list {
                found.extend(key_value(expr, ty, ctx)?);
            }
        }
        KeyValues::Array(array) => {
            if let Value::Array(array) = array.eval(&[], ctx)? {
                for item in array.items {
                    match cast(item.clone(), literal_type(&item, ty), ty, false) {
                        Ok(Value::Null) | Err(_) => {}
                        Ok(value) => found.push(value),
                    }
                }
            }
        }
    }
    Ok(found)
}

/// The type of a key lookup value given as a value (a constant, an array's element).
fn literal_type(value: &Value, column: DataType) -> DataType {
    match value {
        Value::Numeric(_) | Value::BigNumeric(_) => DataType::Numeric,
        Value::Float(_) => DataType::Float8,
        Value::Text(_) => DataType::Unknown,
        _ => column,
    }
}

/// One CSV record from the start of `text`: how many bytes it used (through its newline), its
/// text (for error messages, without the line break) and, in `fields`, its fields (None: NULL,
/// an unquoted field equal to the NULL string). A newline inside quotes belongs to the field.
/// Quote, escape and delimiter are one-byte characters, so the record is found by a scan of its
/// bytes; a field borrows the input unless it holds an escaped character or quotes in its
/// middle, when it is rebuilt (inside quotes the escape character takes the next quote or
/// escape character literally; with ESCAPE equal to QUOTE that is a doubled quote).
fn csv_record<'t>(
    text: &'t str,
    options: &CopyOptions,
    fields: &mut Vec<Option<Cow<'t, str>>>,
) -> (usize, &'t str) {
    let (quote, escape, delimiter) = (
        options.quote as u8,
        options.escape as u8,
        options.delimiter as u8,
    );
    let bytes = text.as_bytes();
    fields.clear();
    let mut quoted = false;
    let mut field_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if quoted {
            if b == escape && matches!(bytes.get(at + 1), Some(&n) if n == quote || n == escape) {
                at += 2;
                continue;
            }
            if b == quote {
                quoted = false;
            }
        } else if b == b'\n' {
            break;
        } else if b == quote {
            quoted = true;
        } else if b == delimiter {
            fields.push(csv_field(&text[field_start..at], options, quote, escape));
            field_start = at + 1;
        }
        at += 1;
    }
    let used = (at + 1).min(bytes.len());
    let mut end = at.min(bytes.len());
    if !quoted && end > 0 && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    fields.push(csv_field(&text[field_start..end], options, quote, escape));
    (used, &text[..end])
}

/// One field of a CSV record as [`csv_record`] found it (`field` as written).
fn csv_field<'t>(
    field: &'t str,
    options: &CopyOptions,
    quote: u8,
    escape: u8,
) -> Option<Cow<'t, str>> {
    let bytes = field.as_bytes();
    if !bytes.contains(&quote) {
        return (field != options.null).then_some(Cow::Borrowed(field));
    }
    // Quoted as a whole, nothing escaped inside: the text between the quotes.
    if bytes.len() >= 2 && bytes[0] == quote && bytes[bytes.len() - 1] == quote {
        let inner = &bytes[1..bytes.len() - 1];
        if !inner.contains(&quote) && !inner.contains(&escape) {
            return Some(Cow::Borrowed(&field[1..field.len() - 1]));
        }
    }
    let mut value = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    let mut quoted = false;
    let (quote, escape) = (quote as char, escape as char);
    while let Some(c) = chars.next() {
        if quoted {
            if c == escape && matches!(chars.peek(), Some(&next) if next == quote || next == escape)
            {
                value.push(chars.next().expect("peeked"));
                continue;
            }
            if c == quote {
                quoted = false;
                continue;
            }
        } else if c == quote {
            quoted = true;
            continue;
        }
        value.push(c);
    }
    Some(Cow::Owned(value))
}

/// Appends one non-NULL field of a COPY TO line: text format escapes backslashes, control
/// characters and the delimiter; CSV quotes a field that holds the delimiter, the quote, a line
/// break, equals the NULL string, or is forced, doubling quotes (or escaping them).
fn copy_out_field(line: &mut String, field: &str, forced: bool, options: &CopyOptions) {
    if !options.csv {
        for c in field.chars() {
            match c {
                '\\' => line.push_str("\\\\"),
                '\n' => line.push_str("\\n"),
                '\r' => line.push_str("\\r"),
                '\t' => line.push_str("\\t"),
                '\u{8}' => line.push_str("\\b"),
                '\u{c}' => line.push_str("\\f"),
                '\u{b}' => line.push_str("\\v"),
                c if c == options.delimiter => {
                    line.push('\\');
                    line.push(c);
                }
                c => line.push(c),
            }
        }
        return;
    }
    let needs_quotes = forced
        || field == options.null
        || field == "\\."
        || field
            .chars()
            .any(|c| c == options.delimiter || c == options.quote || c == '\n' || c == '\r');
    if !needs_quotes {
        line.push_str(field);
        return;
    }
    line.push(options.quote);
    for c in field.chars() {
        if c == options.quote || c == options.escape {
            line.push(options.escape);
        }
        line.push(c);
    }
    line.push(options.quote);
}

/// Undoes COPY text-format escapes.
fn unescape_copy(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_placed_by_its_first_column_sends_each_probe_to_one_owner() {
        // Entries of one value of the first column lie in one vshard (`IndexDef::placement`):
        // an equality's prefix has that vshard, a probe goes to its owner alone.
        let key = |value: Value, ty| row_key(&[(value, ty)]);
        let text = |s: &str| key(Value::Text(s.into()), DataType::Text);
        let index = IndexDef {
            id: 5,
            columns: vec![1, 0],
            placement: IndexDef::placement_for(DataType::Text),
            ..Default::default()
        };
        assert_eq!(index.placement, keel_storage::FIRST_FIELD);
        let queued = text("queued");
        let mut entry = queued.clone();
        entry.extend(key(Value::Int(42), DataType::Int8));
        assert_eq!(index.prefix_vshard(&queued), Some(index.vshard(&entry)));
        assert_eq!(index.prefix_vshard(&[]), None);
        let prefixes = vec![text("done"), queued.clone(), text("running")];
        let requests = lookup_requests(&index, prefixes.clone(), 16);
        let mut sent = 0;
        for (worker, op) in &requests {
            let ShardOp::IndexLookup {
                prefixes, exact, ..
            } = op
            else {
                panic!("a lookup");
            };
            assert!(!exact);
            for prefix in prefixes.iter() {
                assert_eq!(owner_of(index.vshard(prefix), 16), *worker);
                sent += 1;
            }
        }
        assert_eq!(sent, 3, "each probe once");
        // An integer-led index: by the value's 9 bytes; one made before placements: every
        // worker gets every probe.
        let ints = IndexDef {
            placement: IndexDef::placement_for(DataType::Int4),
            ..index.clone()
        };
        let seven = key(Value::Int(7), DataType::Int4);
        let mut seventh = seven.clone();
        seventh.extend(key(Value::Int(1), DataType::Int8));
        assert_eq!(ints.prefix_vshard(&seven), Some(ints.vshard(&seventh)));
        let old = IndexDef {
            placement: keel_storage::WHOLE_KEY,
            ..index
        };
        assert_eq!(old.prefix_vshard(&queued), None);
        assert_eq!(lookup_requests(&old, prefixes, 16).len(), 16);
    }
}
