//! The owner side of a statement: what runs on the worker that owns the rows.
//!
//! A session sends a [`ShardRequest`] to each worker owning vshards it touches (a point lookup goes to
//! one worker, a scan to all). The worker runs it against its [`Store`] without awaiting in the middle,
//! so each operation is atomic on that worker. An operation that meets a row locked by another
//! transaction changes nothing, waits until some transaction on this worker finishes, and starts over
//! (PostgreSQL re-checks the newest row version the same way after a lock wait). A wait longer than the
//! lock-wait timeout fails with `40P01`; deadlocks across workers are broken that way for now.
//!
//! Commit runs here too: the worker appends the transaction's records and commit record to its own
//! log, waits for the group commit to make them durable, and only then releases the locks (see
//! `keel_storage::wal` for the multi-worker commit rule).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use keel_storage::btree::Direction;
use keel_storage::hash::FastState;
use keel_storage::mvcc::{Clock, Snapshot, Ts};
use keel_storage::ssi::Ssi;
use keel_storage::store::{Blocked, Inserted, Newest, RowView, Store};
use keel_storage::waits::{WaitGraph, Waiting};
use keel_storage::wal::{Record, Wal};
use keel_storage::{Placement, TableId, TxnId, VShard, WorkerId};
use tokio::sync::Notify;

use crate::catalog::TableDef;
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{EvalContext, Expr};
use crate::filter::ScanFilter;
use crate::parse::Isolation;
use crate::plan::{LockStrength, LockWait, RowLocking};
use crate::query::Row;
use crate::types::{decode_row, decode_row_into, encode_row, to_text, Value};

/// The transaction an operation runs in, and what it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tx {
    pub id: TxnId,
    /// The statement's snapshot (READ COMMITTED) or the transaction's.
    pub snapshot: Ts,
    pub isolation: Isolation,
    /// How long one lock wait may last (`lock_timeout`; 0: no limit).
    pub lock_timeout_ms: u64,
    /// When the statement times out (`statement_timeout`): lock waits end then too.
    pub deadline: Option<std::time::Instant>,
    /// The innermost savepoint's level (0: none): what ROLLBACK TO it undoes.
    pub level: u32,
}

impl Tx {
    /// For operations that end a transaction (they read nothing).
    pub fn ending(id: TxnId) -> Tx {
        Tx {
            id,
            snapshot: Ts::MAX,
            isolation: Isolation::ReadCommitted,
            lock_timeout_ms: 0,
            deadline: None,
            level: 0,
        }
    }

    fn snap(&self) -> Snapshot {
        Snapshot {
            txn: self.id,
            ts: self.snapshot,
        }
    }
}

/// Work for the owner of some rows, on behalf of transaction `txn`.
#[derive(Debug)]
pub struct ShardRequest {
    pub txn: Tx,
    /// Statement start (for `now()` evaluated at the owner).
    pub now: i64,
    pub op: ShardOp,
}

/// A row with its key, as sent to its owner.
pub type KeyedRow = (Vec<u8>, Vec<Value>);

/// Called for each visible row of a read: its key and decoded values. The values' memory is
/// reused for the next row unless the visitor takes them (`std::mem::replace`). Returns whether
/// the read goes on (false: it stops after this row).
/// Adds a decoded stored row to a read's output: the `project`ed columns, moved out of `row`
/// (which the scan reuses; the table's [`TableDef::row_key_column`] is `key`), or the whole row
/// with the columns `columns` leaves out as NULL.
fn push_row(
    rows: &mut Vec<Row>,
    (table, key): (&TableDef, &[u8]),
    row: &mut Vec<Value>,
    project: &Option<Arc<Vec<usize>>>,
    columns: &Option<Arc<Vec<bool>>>,
) {
    if let Some(project) = project {
        let key_column = table.row_key_column();
        rows.push(
            project
                .iter()
                .map(|&c| match row.get_mut(c) {
                    _ if c == key_column => Value::Bytes(key.to_vec()),
                    Some(v) => std::mem::replace(v, Value::Null),
                    None => Value::Null,
                })
                .collect(),
        );
        return;
    }
    if let Some(used) = columns {
        for (value, used) in row.iter_mut().zip(used.iter()) {
            if !used {
                *value = Value::Null;
            }
        }
    }
    let width = row.len();
    rows.push(std::mem::replace(row, Vec::with_capacity(width)));
}

type RowVisitor<'a> = dyn FnMut(&[u8], &mut Vec<Value>) -> SqlResult<bool> + 'a;

/// A whole-table read in parts: each request returns at most `rows` rows and visits at most
/// [`SCAN_PART_VISITS`] versions, starting after the key where the previous part stopped
/// ([`ShardOutput::resume`]). The parts read under one snapshot, so together they are the rows
/// one request would return, while no request holds the worker for long.
///
/// With an `order`, the part's rows come in key order (ascending or descending) across the
/// worker's vshards, and `after` is the last key the previous part returned in that order: each
/// vshard's tree is read from there in batches, merged (see `ordered_scan`).
///
/// With `top`, the part returns only the rows that can be among the first `top.count` of the
/// whole read in `top.keys` order: its own first `count` in that order (see [`TopRows`]).
#[derive(Debug, Clone)]
pub struct ScanPart {
    pub after: Option<Vec<u8>>,
    pub rows: usize,
    pub order: Option<Direction>,
    pub top: Option<Arc<TopRows>>,
}

/// A LIMIT over a sort that a worker computes on its part of a read (PostgreSQL's top-N
/// heapsort, per part): rows go to a buffer that, once it holds `2 * count`, is sorted and cut to
/// its first `count`, whose last (the cut) then turns away every row not before it, before the
/// row is built; the part returns its buffer sorted and cut. Rows the part drops are behind
/// `count` of its own, so behind the first `count` of the whole read: the session's sort under
/// the LIMIT sees every row it can take. Ties with the cut are dropped too (any of tied rows may
/// be taken).
#[derive(Debug, Clone)]
pub struct TopRows {
    /// The sort keys, over the returned row.
    pub keys: Vec<crate::plan::SortKey>,
    /// Each key's column in the stored row as decoded (the table column it returns).
    pub columns: Vec<usize>,
    /// LIMIT + OFFSET: at most [`TOP_ROWS`].
    pub count: usize,
}

/// The largest LIMIT + OFFSET a worker sorts for (its buffer holds twice as many rows, below
/// a part's row count).
pub const TOP_ROWS: usize = 2048;

impl TopRows {
    /// Whether a decoded stored row comes before `cut` (a returned row).
    fn before(&self, stored: &[Value], cut: &[Value]) -> bool {
        for (key, &column) in self.keys.iter().zip(&self.columns) {
            let Some(value) = stored.get(column) else {
                return true;
            };
            match crate::query::compare_key(value, &cut[key.output], key) {
                std::cmp::Ordering::Less => return true,
                std::cmp::Ordering::Greater => return false,
                std::cmp::Ordering::Equal => {}
            }
        }
        false
    }

    /// Sorts `rows` and keeps the first `count`; the last of them once there are that many.
    fn trim(&self, rows: &mut Vec<Row>) -> Option<Row> {
        rows.sort_by(|a, b| crate::query::compare_rows(a, b, &self.keys));
        rows.truncate(self.count);
        rows.last().filter(|_| rows.len() == self.count).cloned()
    }
}

/// Bounds on the row keys a whole-table read visits: a primary key range
/// ([`crate::plan::Access::Range`]) the session encoded. Rows outside cannot match the read's
/// filter, which still runs on every row inside.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyBounds {
    pub from: Bound<Vec<u8>>,
    pub to: Bound<Vec<u8>>,
    /// The one vshard every key in the range lives in (they share the table's placement
    /// prefix: the range fixes the column the table is placed by).
    pub vshard: Option<VShard>,
}

impl KeyBounds {
    fn as_ref(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (
            self.from.as_ref().map(Vec::as_slice),
            self.to.as_ref().map(Vec::as_slice),
        )
    }
}

/// Where a part of a whole-table aggregate starts, and the memory its groups may take.
#[derive(Debug, Clone)]
pub struct AggregatePart {
    pub after: Option<Vec<u8>>,
    pub budget: usize,
    /// The grouping keys include the first primary key column of a table placed by it
    /// ([`crate::catalog::TableDef::placed_by_first_key_column`]): every row of a group lies on
    /// this worker, in one run of that column's value in key order. A part then ends only
    /// between two such runs, so each group it holds is whole, and the worker sends finished
    /// rows (`keys ++ results`) rather than partial states to merge.
    pub whole_groups: bool,
}

/// Undo records VACUUM purges between two yields to the worker's other tasks.
const VACUUM_STEP: usize = 4096;

/// Row versions one part of a scan visits at most (matching or not), bounding the time a
/// selective scan holds its worker.
pub const SCAN_PART_VISITS: usize = 65_536;

/// Which rows an operation targets on the worker: these keys, or all.
pub type KeyTarget = Option<Vec<Vec<u8>>>;

#[derive(Debug)]
pub enum ShardOp {
    /// Rows matching `filter` (all columns), with their keys when `keyed`.
    Read {
        table: Arc<TableDef>,
        key: KeyTarget,
        filter: Option<Arc<Expr>>,
        params: Arc<Vec<Value>>,
        keyed: bool,
        /// The columns the statement uses (None: all); the others come back as NULL, so
        /// unused values (long comments, say) are not copied to the session.
        columns: Option<Arc<Vec<bool>>>,
        /// The table columns each returned row holds, in this order (None: the row as wide as
        /// the table): a query tree's scan cut to what the tree reads ([`crate::prune`]).
        project: Option<Arc<Vec<usize>>>,
        /// Read a whole table (`key` None) in parts; None: all in one reply.
        part: Option<ScanPart>,
        /// `key`'s entries are key prefixes, each the encoding of values of the leading key
        /// columns (the first at least) of a table placed by its first
        /// ([`TableDef::placed_by_first_key_column`]): the rows under each, in key order, prefix
        /// after prefix (a semi-join's keys read by seeks, `ord IN (3, 4)` on a key (ord,
        /// line)).
        prefixes: bool,
        /// A whole-table read (`key` None) visits only these keys.
        range: Option<Arc<KeyBounds>>,
    },
    /// ANALYZE's sample of a table's visible rows on this worker, in parts: the part starting
    /// after `after` continues a reservoir sample ([`crate::stats::SAMPLE_ROWS`] slots) that has
    /// seen `seen` rows. Each row the reservoir takes comes back with its slot appended (an int
    /// column); `count` is the rows seen so far, `resume` where the next part starts. Only taken
    /// rows are decoded, so a part costs little more than visiting its rows. The rows are those
    /// of at most `leaves` of the table's leaves here, chosen at random (all of them when it has
    /// no more), as PostgreSQL samples blocks; `leaves` in the output says how many it has and
    /// how many were chosen.
    Sample {
        table: Arc<TableDef>,
        seen: u64,
        after: Option<Vec<u8>>,
        leaves: usize,
    },
    /// The bytes each table's trees take on this worker: rows of (table id, bytes), for
    /// `pg_relation_size` and friends.
    TableSizes,
    /// Applies what this worker's commits and purges did to the live and dead row counts
    /// ([`Shard::take_changes`]): sent to every worker before a statement reads the `pg_stat_*`
    /// views, it also comes after the releases this session posted, so a session sees its own
    /// multi-worker commits counted.
    TakeChanges,
    /// Groups the rows a `Read` would return by `keys` and computes `aggs` over each group:
    /// rows of `keys ++ each aggregate's partial state` ([`crate::expr::Accumulator::state_into`]),
    /// which the session merges across workers.
    ///
    /// With a `part`, a whole-table aggregate starts after `part.after` and stops, setting
    /// `resume`, once its groups take `part.budget` bytes ([`crate::query::Groups::bytes`]):
    /// the session asks again from there, so no worker holds more groups than the budget.
    Aggregate {
        table: Arc<TableDef>,
        key: KeyTarget,
        filter: Option<Arc<Expr>>,
        params: Arc<Vec<Value>>,
        keys: Arc<Vec<Expr>>,
        aggs: Arc<Vec<crate::expr::AggCall>>,
        /// With whole groups (`part.whole_groups`): the condition (HAVING) a finished row must
        /// meet to be sent; the session tests it again.
        having: Option<Arc<Expr>>,
        part: Option<AggregatePart>,
        /// A whole-table aggregate (`key` None) visits only these keys.
        range: Option<Arc<KeyBounds>>,
        /// `key`'s entries are key prefixes (see [`ShardOp::Read`]).
        prefixes: bool,
    },
    /// New rows with their keys; fails on a duplicate key. With `on_conflict`, a row whose key
    /// is taken is skipped or updates the row there instead, and the output holds the rows
    /// written (with their keys, and as changes when the table has indexes).
    Insert {
        table: Arc<TableDef>,
        rows: Vec<(Vec<u8>, Vec<Value>)>,
        on_conflict: Option<(Arc<crate::plan::OnConflict>, Arc<Vec<Value>>)>,
        /// No row has any of the keys, and none repeats: a table rewrite's, checked distinct
        /// by the session, going into trees its transaction truncated. Not looked up.
        fresh: bool,
    },
    /// A table rewrite that keeps the columns (ADD PRIMARY KEY), first step: every row of
    /// `table` the transaction sees, as stored, under its key in `new`, grouped by the worker
    /// of `workers` that owns that key (`ShardOutput::moved`). A NULL in a key column of `new`
    /// is PostgreSQL's 23502. Rows move between workers as stored bytes: nothing is decoded
    /// but the key columns, nothing goes through the session's memory as values.
    Rekey {
        table: Arc<TableDef>,
        new: Arc<TableDef>,
        workers: usize,
    },
    /// Its second step: stored rows under new keys (from `Rekey`) into `table`, whose trees the
    /// transaction truncated. Sorted here, so that each tree fills by appending and a repeated
    /// key is found next to its twin; with a repeat nothing is written and the smallest repeated
    /// key comes back (`keys`, with its row in `rows`) for the session to name.
    InsertMoved {
        table: Arc<TableDef>,
        rows: PackedRows,
    },
    /// Changes matching rows; returns the new rows when `returning`.
    Update {
        table: Arc<TableDef>,
        key: KeyTarget,
        filter: Option<Arc<Expr>>,
        assignments: Arc<Vec<(usize, Expr)>>,
        /// Per row: the new values of `assignments`' columns for each of `key`'s entries (whole
        /// keys, sorted), which then take the place of their expressions. An UPDATE whose rows
        /// and values a query found (UPDATE FROM, MERGE) writes many rows in one request so.
        values: Option<Arc<Vec<Vec<Value>>>>,
        params: Arc<Vec<Value>>,
        /// Return the new rows, with their keys (`ShardOutput::keys`) when `values` is set.
        returning: bool,
        /// Without `key`, only these keys are visited.
        range: Option<Arc<KeyBounds>>,
        /// `key`'s entries are key prefixes (see [`ShardOp::Read`]).
        prefixes: bool,
        /// Rows changed since the snapshot are handed back, not written (see
        /// [`ShardOutput::changed`]).
        recheck: bool,
    },
    /// Deletes matching rows; returns them, with their keys, when `returning`.
    Delete {
        table: Arc<TableDef>,
        key: KeyTarget,
        filter: Option<Arc<Expr>>,
        params: Arc<Vec<Value>>,
        returning: bool,
        /// Without `key`, only these keys are visited.
        range: Option<Arc<KeyBounds>>,
        /// `key`'s entries are key prefixes (see [`ShardOp::Read`]).
        prefixes: bool,
        /// Rows changed since the snapshot are handed back, not deleted (see
        /// [`ShardOutput::changed`]).
        recheck: bool,
    },
    Truncate {
        table: TableId,
    },
    /// Logs a sequence's state (its owner runs it; see `crate::sequence`) unless `version` of it
    /// is durable already. The request's transaction id is the one-row transaction's.
    LogSequence {
        seq: Arc<crate::catalog::SequenceDef>,
        version: u64,
        /// The sequence was created by the request's (open) transaction: the row is written
        /// inside it, not committed here.
        in_txn: bool,
    },
    /// Locks the rows under `keys` that the snapshot sees and that match `filter` (SELECT .. FOR
    /// UPDATE/SHARE); returns the locked rows with their keys. Under READ COMMITTED a row changed
    /// since the snapshot is re-checked and its newest version locked and returned.
    LockRows {
        table: Arc<TableDef>,
        keys: Vec<Vec<u8>>,
        filter: Option<Arc<Expr>>,
        params: Arc<Vec<Value>>,
        locking: RowLocking,
    },
    /// Removes the entries `deletes` of index `index` (those this transaction sees), then puts
    /// new ones (see [`crate::catalog::IndexDef`]): (entry key, row key), one round trip for
    /// an UPDATE's moved entries on one worker (the deletes first, so that rows of one
    /// statement may trade the keys of a unique index). For a unique index an entry key
    /// already visible is a unique violation, reported with the matching `details` text
    /// (`Key (..)=(..)`), as an insert's error or, with `building`, as CREATE UNIQUE INDEX's.
    IndexPut {
        index: TableId,
        /// The index's placement ([`crate::catalog::IndexDef::placement`]): every index
        /// operation names it, so that a worker places the entries before it learns the catalog.
        placement: Placement,
        name: String,
        deletes: Vec<Vec<u8>>,
        entries: Vec<(Vec<u8>, Vec<u8>)>,
        details: Vec<String>,
        building: bool,
    },
    /// The row keys of the visible entries of index `index` between `from` and `to`. With
    /// `order` (a direction and a number of entries): at most that many, the first in entry
    /// order across this worker's vshards (`ordered_scan`), with the entries themselves in
    /// [`ShardOutput::entries`] and, when more may follow, the last entry read in
    /// [`ShardOutput::resume`] (an ordered read through a secondary index: `ORDER BY
    /// indexed_column LIMIT n`).
    IndexScan {
        index: TableId,
        placement: Placement,
        from: Bound<Vec<u8>>,
        to: Bound<Vec<u8>>,
        /// The one vshard every entry between `from` and `to` lives in, when they share
        /// one (the first key part is fixed: [`crate::catalog::IndexDef::prefix_vshard`]);
        /// its tree alone is read.
        vshard: Option<VShard>,
        order: Option<(Direction, usize)>,
    },
    /// The row keys of the visible entries of index `index` under each of `prefixes` (encoded
    /// values of its first column: an index nested loop's probes, taken from the rows of the
    /// scan on the other side of a join). With `exact`, each prefix is a whole entry key (a
    /// unique index of one column), read as one key.
    IndexLookup {
        index: TableId,
        placement: Placement,
        prefixes: Arc<Vec<Vec<u8>>>,
        exact: bool,
    },
    /// The transaction writes this catalog image.
    WriteCatalog {
        version: u64,
        image: Vec<u8>,
    },
    /// Log and make durable; with `release`, also end the transaction (single participant).
    Commit {
        participants: Vec<u8>,
        release: bool,
    },
    /// A participant's part of a multi-worker transaction decided by worker `anchor`: append its
    /// records and a `Prepared` frame to this worker's log lazily (see `keel_storage::wal`) and
    /// hand back the part ([`ShardOutput::part`]).
    Prepare {
        anchor: WorkerId,
    },
    /// The anchor's decision: log this worker's records and a `Parts` frame holding the other
    /// participants' parts (worker, offset, frames), and make it durable.
    CommitParts {
        parts: Vec<(WorkerId, u64, Vec<u8>)>,
    },
    /// End a transaction whose commit records are durable everywhere, as committed at `ts`.
    Release {
        ts: Ts,
    },
    Abort,
    /// Undo what the transaction did at savepoint `level` and deeper.
    RollbackTo {
        level: u32,
    },
    /// VACUUM: purge what no snapshot can read any more, now; `tables` start counting inserts
    /// since a vacuum again (activity statistics).
    Vacuum {
        tables: Vec<TableId>,
    },
    /// Free a dropped table's rows.
    DropTable {
        table: TableId,
    },
}

impl ShardOp {
    /// The table whose rows the operation reads or writes by key (not an index's entries).
    pub fn table(&self) -> Option<&TableDef> {
        match self {
            ShardOp::Read { table, .. }
            | ShardOp::Sample { table, .. }
            | ShardOp::Aggregate { table, .. }
            | ShardOp::Insert { table, .. }
            | ShardOp::InsertMoved { table, .. }
            | ShardOp::Update { table, .. }
            | ShardOp::Delete { table, .. }
            | ShardOp::LockRows { table, .. } => Some(table),
            _ => None,
        }
    }

    /// The index an index operation names, and its placement.
    pub fn index(&self) -> Option<(TableId, Placement)> {
        match self {
            ShardOp::IndexPut {
                index, placement, ..
            }
            | ShardOp::IndexScan {
                index, placement, ..
            }
            | ShardOp::IndexLookup {
                index, placement, ..
            } => Some((*index, *placement)),
            _ => None,
        }
    }
}

/// Rows as stored with their keys, packed in one buffer (a table rewrite moves a million of
/// them: two allocations each, and their frees, cost more than the copying).
#[derive(Debug, Default, Clone)]
pub struct PackedRows {
    bytes: Vec<u8>,
    /// Each row's key's offset in `bytes`, its length, and the row's length (the row follows
    /// its key).
    at: Vec<(usize, u32, u32)>,
}

impl PackedRows {
    pub fn push(&mut self, key: &[u8], row: &[u8]) {
        self.at
            .push((self.bytes.len(), key.len() as u32, row.len() as u32));
        self.bytes.extend_from_slice(key);
        self.bytes.extend_from_slice(row);
    }

    /// Row `i`'s key and bytes.
    pub fn get(&self, i: usize) -> (&[u8], &[u8]) {
        let (at, key, row) = self.at[i];
        let key_end = at + key as usize;
        (
            &self.bytes[at..key_end],
            &self.bytes[key_end..key_end + row as usize],
        )
    }

    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// Moves `other`'s rows to the end of these.
    pub fn append(&mut self, other: PackedRows) {
        if self.is_empty() {
            *self = other;
            return;
        }
        let shift = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        (self.at).extend(
            other
                .at
                .into_iter()
                .map(|(at, key, row)| (at + shift, key, row)),
        );
    }

    /// The rows' positions in key order (memcmp order, as the trees keep keys): sorted by
    /// each key's first 16 bytes as one big-endian integer, read from the buffer once, and
    /// by the whole keys only where those are equal. A comparison of the keys themselves
    /// follows a pointer into the buffer per probe: that sort took a fifth of a million-row
    /// rewrite.
    pub fn key_order(&self) -> Vec<usize> {
        let mut order: Vec<(u128, usize)> = (0..self.len())
            .map(|i| {
                let key = self.get(i).0;
                let mut prefix = [0u8; 16];
                let len = key.len().min(16);
                prefix[..len].copy_from_slice(&key[..len]);
                (u128::from_be_bytes(prefix), i)
            })
            .collect();
        order.sort_unstable_by(|a, b| {
            (a.0.cmp(&b.0))
                .then_with(|| keel_storage::btree::compare_keys(self.get(a.1).0, self.get(b.1).0))
        });
        order.into_iter().map(|(_, i)| i).collect()
    }
}

/// What an operation produced.
#[derive(Debug, Default)]
pub struct ShardOutput {
    pub rows: Vec<Vec<Value>>,
    pub count: u64,
    /// Row keys (index scans, keyed reads: one per row).
    pub keys: Vec<Vec<u8>>,
    /// An ordered index scan's entries, in order, one per row key in `keys`.
    pub entries: Vec<Vec<u8>>,
    /// For a table with secondary indexes, what an update or delete changed: (row key, old row,
    /// new row; None for a delete), so that the session updates the index entries.
    pub changes: Vec<RowChange>,
    /// A read in parts stopped early: the key of the last row it visited, where the next part
    /// starts ([`ScanPart::after`]). None: the read is complete.
    pub resume: Option<Vec<u8>>,
    /// Visible rows the operation visited, before its filter (activity statistics).
    pub visible: u64,
    /// Of an `INSERT ... ON CONFLICT DO UPDATE`'s `count`, the rows that updated one there.
    pub updated: u64,
    /// A prepared participant's part: the log offset it starts at and its frames (`Prepare`).
    pub part: Option<(u64, Vec<u8>)>,
    /// A `Rekey`'s rows, as stored under their new keys, by the worker that owns each key.
    pub moved: Vec<PackedRows>,
    /// A `Sample`'s leaves: how many the table has on this worker, and how many it reads.
    pub leaves: (u64, u64),
    /// Of an update or delete with `recheck` under READ COMMITTED, the rows it was to write
    /// that changed since the snapshot: each key with its newest version, which the
    /// transaction now holds locked (None: deleted meanwhile). Their writes were not made:
    /// the session checks the rows again, as PostgreSQL's EvalPlanQual, and writes those that
    /// still qualify in a second request (without `recheck`).
    pub changed: Vec<ChangedRow>,
}

/// A row a write found changed since its snapshot: its key and newest version (None: deleted).
pub type ChangedRow = (Vec<u8>, Option<Vec<Value>>);

/// A row a write changed: (row key, old row, new row); no old row for an insert, no new row for a
/// delete.
pub type RowChange = (Vec<u8>, Option<Vec<Value>>, Option<Vec<Value>>);

/// What an `INSERT ... ON CONFLICT` writes under one key: the row there (None: an insert) and the
/// new row.
type Upsert<'k> = (&'k [u8], Option<Vec<Value>>, Vec<Value>);

/// A commit's log records did not fit on the disk (nothing was appended): the session aborts.
fn wal_full(error: std::io::Error) -> SqlError {
    SqlError::new(
        code::DISK_FULL,
        format!("could not write to the write-ahead log: {error}"),
    )
    .with_hint("Free disk space; the transaction was rolled back.")
}

/// A worker's rows, log and lock waiters.
pub struct Shard {
    pub worker: WorkerId,
    /// Readiness of the page device's completions, to await nonblocking page reads (created on
    /// first use, on the worker's runtime).
    page_ready: std::cell::OnceCell<Option<tokio::io::unix::AsyncFd<std::os::fd::RawFd>>>,
    pub store: RefCell<Store>,
    pub wal: Rc<Wal>,
    /// Commit timestamps for single-worker transactions.
    pub clock: Arc<Clock>,
    /// The node's SERIALIZABLE transactions, and the SIREAD locks they hold on this worker's rows.
    pub ssi: Arc<Ssi>,
    sireads: RefCell<Sireads>,
    /// Signalled whenever a transaction on this worker ends (its locks are gone).
    pub released: Notify,
    /// The node's wait-for graph, and how long a wait lasts before it is searched for a deadlock.
    pub waits: Arc<WaitGraph>,
    pub deadlock_timeout: Duration,
    /// The node's sequence counters; the rows of those this worker owns are logged here, one
    /// logging at a time per sequence.
    pub sequences: Arc<crate::sequence::Registry>,
    sequence_logs: RefCell<HashMap<TableId, Rc<tokio::sync::Mutex<()>>>>,
    /// The node's activity counters; this worker writes its own slot (see [`crate::pgstat`]).
    pub stats: Arc<crate::pgstat::Registry>,
}

/// What a request counts in the worker's activity statistics once it succeeds.
enum Counted {
    Nothing,
    /// It ends (part of) a transaction: what the store committed is taken.
    Ended,
    /// A read of the table: whole (seq_tup_read) or by key (idx_tup_fetch).
    Read {
        table: TableId,
        whole: bool,
    },
    Insert {
        table: TableId,
    },
    /// An update; `hot`: it sets no column an index (the primary key's too) is on.
    Update {
        table: TableId,
        whole: bool,
        hot: bool,
    },
    Delete {
        table: TableId,
        whole: bool,
    },
    /// ANALYZE's sample: its last part's count is the worker's live rows.
    Sample {
        table: TableId,
    },
}

impl Counted {
    fn of(op: &ShardOp) -> Counted {
        match op {
            ShardOp::Read { table, key, .. } | ShardOp::Aggregate { table, key, .. } => {
                Counted::Read {
                    table: table.id,
                    whole: key.is_none(),
                }
            }
            ShardOp::Insert { table, .. } | ShardOp::InsertMoved { table, .. } => {
                Counted::Insert { table: table.id }
            }
            ShardOp::Update {
                table,
                key,
                assignments,
                ..
            } => Counted::Update {
                table: table.id,
                whole: key.is_none(),
                hot: assignments.iter().all(|(column, _)| {
                    !table.primary_key.contains(column)
                        && !table
                            .indexes
                            .iter()
                            .any(|i| i.reads_column(*column) || !i.is_bound())
                }),
            },
            ShardOp::Delete { table, key, .. } => Counted::Delete {
                table: table.id,
                whole: key.is_none(),
            },
            ShardOp::Sample { table, .. } => Counted::Sample { table: table.id },
            ShardOp::Commit { release: true, .. } | ShardOp::Release { .. } | ShardOp::Abort => {
                Counted::Ended
            }
            _ => Counted::Nothing,
        }
    }

    /// Adds what a request that succeeded read and wrote.
    fn add(&self, output: &ShardOutput, slot: &mut crate::pgstat::Slot) {
        let visible = output.visible as i64;
        let read = |slot: &mut crate::pgstat::Slot, table: TableId, whole: bool| {
            let counts = slot.table(table);
            if whole {
                counts.seq_tup_read += visible;
            } else {
                counts.idx_tup_fetch += visible;
            }
        };
        match *self {
            Counted::Nothing | Counted::Ended => {}
            Counted::Read { table, whole } => read(slot, table, whole),
            Counted::Insert { table } => {
                // An ON CONFLICT DO UPDATE's rows that found one are updates.
                let counts = slot.table(table);
                let inserted = output.count.saturating_sub(output.updated) as i64;
                counts.n_tup_upd += output.updated as i64;
                counts.n_tup_ins += inserted;
                // Rolled back or not, as PostgreSQL counts them (its aborted inserts leave
                // dead rows for a vacuum).
                counts.n_ins_since_vacuum += inserted;
            }
            Counted::Update { table, whole, hot } => {
                read(slot, table, whole);
                let counts = slot.table(table);
                counts.n_tup_upd += output.count as i64;
                if hot {
                    counts.n_tup_hot_upd += output.count as i64;
                }
            }
            Counted::Delete { table, whole } => {
                read(slot, table, whole);
                slot.table(table).n_tup_del += output.count as i64;
            }
            Counted::Sample { table } if output.resume.is_none() => {
                let counts = slot.table(table);
                counts.n_live_tup = output.count as i64;
                counts.sampled = true;
                counts.n_mod_since_analyze = 0;
            }
            Counted::Sample { .. } => {}
        }
    }
}

enum Failure {
    Wait(Blocked),
    Error(SqlError),
}

/// SIREAD locks: which SERIALIZABLE transactions read a row (or a key that had no row), or a whole
/// table or index (scans), on this worker. They outlive their transactions while the transaction is
/// tracked by [`Ssi`]; purge drops the others.
#[derive(Default)]
struct Sireads {
    rows: HashMap<(TableId, Vec<u8>), Vec<TxnId>>,
    tables: HashMap<TableId, Vec<TxnId>>,
}

/// What an operation of a SERIALIZABLE transaction read (`on`), for its SIREAD locks and its
/// conflicts out: the writers of versions newer than its snapshot that it met.
#[derive(Default)]
struct Reads {
    on: bool,
    /// Visible rows seen (counted whether or not `on`).
    visible: u64,
    rows: Vec<(TableId, Vec<u8>)>,
    tables: Vec<TableId>,
    newer: Vec<TxnId>,
}

impl Reads {
    fn row(&mut self, table: TableId, key: &[u8]) {
        if self.on {
            self.rows.push((table, key.to_vec()));
        }
    }
    fn table(&mut self, table: TableId) {
        if self.on {
            self.tables.push(table);
        }
    }
    /// What an operation on `keys` of `table` (None: all of it) reads.
    fn target(&mut self, table: TableId, keys: Option<&[Vec<u8>]>) {
        match keys {
            Some(keys) => keys.iter().for_each(|key| self.row(table, key)),
            None => self.table(table),
        }
    }
    fn saw(&mut self, view: &RowView<'_>) {
        self.visible += u64::from(view.visible.is_some());
        if self.on {
            self.newer.extend(view.newer);
        }
    }
}

fn add_holder(holders: &mut Vec<TxnId>, txn: TxnId) {
    if !holders.contains(&txn) {
        holders.push(txn);
    }
}

/// PostgreSQL's error for the waiter that finds a deadlock, with the cycle.
fn deadlock_error(cycle: &[TxnId]) -> SqlError {
    let detail = cycle
        .iter()
        .zip(cycle.iter().cycle().skip(1))
        .map(|(waiter, holder)| format!("Transaction {waiter} waits for transaction {holder}."))
        .collect::<Vec<_>>()
        .join("\n");
    SqlError::new(code::DEADLOCK_DETECTED, "deadlock detected").with_detail(detail)
}

fn ssi_error(failure: keel_storage::ssi::Failure) -> Failure {
    Failure::Error(serialization_error(failure))
}

/// PostgreSQL's error for a transaction SSI must cancel.
pub fn serialization_error(failure: keel_storage::ssi::Failure) -> SqlError {
    SqlError::new(
        code::SERIALIZATION_FAILURE,
        "could not serialize access due to read/write dependencies among transactions",
    )
    .with_detail(failure.0)
    .with_hint("The transaction might succeed if retried.")
}

impl From<SqlError> for Failure {
    fn from(error: SqlError) -> Self {
        Failure::Error(error)
    }
}

impl From<Blocked> for Failure {
    fn from(blocked: Blocked) -> Self {
        Failure::Wait(blocked)
    }
}

type Attempt<T> = Result<T, Failure>;

/// Pages of the data file kept allocated ahead of writes (8 MiB).
const WRITE_HEADROOM_PAGES: u64 = 2048;

impl Shard {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        worker: WorkerId,
        store: Store,
        wal: Rc<Wal>,
        clock: Arc<Clock>,
        ssi: Arc<Ssi>,
        waits: Arc<WaitGraph>,
        deadlock_timeout: Duration,
        sequences: Arc<crate::sequence::Registry>,
        stats: Arc<crate::pgstat::Registry>,
    ) -> Shard {
        Shard {
            worker,
            page_ready: std::cell::OnceCell::new(),
            store: RefCell::new(store),
            wal,
            clock,
            ssi,
            sireads: RefCell::new(Sireads::default()),
            released: Notify::new(),
            waits,
            deadlock_timeout,
            sequences,
            sequence_logs: RefCell::default(),
            stats,
        }
    }

    /// Runs one request, and counts what it read and wrote (see [`crate::pgstat`]).
    pub async fn serve(&self, request: ShardRequest) -> SqlResult<ShardOutput> {
        let counted = Counted::of(&request.op);
        let result = self.serve_op(request).await;
        match (&counted, &result) {
            (Counted::Nothing, _) => {}
            (Counted::Ended, _) => self.take_changes(),
            (_, Err(error)) if error.code == code::DEADLOCK_DETECTED => {
                self.count_activity(|slot| slot.database.deadlocks += 1);
            }
            (_, Err(_)) => {}
            (counted, Ok(output)) => self.count_activity(|slot| counted.add(output, slot)),
        }
        result
    }

    /// Counts something in this worker's slot of the activity counters.
    fn count_activity(&self, count: impl FnOnce(&mut crate::pgstat::Slot)) {
        self.stats.with(usize::from(self.worker), count);
    }

    /// Applies what this worker's commits and purges did to its tables' live and dead rows.
    pub fn take_changes(&self) {
        let changes = self.store.borrow_mut().take_changes();
        if !changes.is_empty() {
            let now = crate::types::now_timestamp();
            self.count_activity(|slot| slot.apply(changes, now));
        }
    }

    async fn serve_op(&self, request: ShardRequest) -> SqlResult<ShardOutput> {
        let ShardRequest { txn: tx, now, op } = request;
        // A table's rows go where its placement puts them, from its first request on (a table
        // created by an open transaction is known to the store only through its requests).
        if let Some(table) = op.table() {
            self.store
                .borrow_mut()
                .set_placement(table.id, table.placement);
        }
        if let Some((index, placement)) = op.index() {
            self.store.borrow_mut().set_placement(index, placement);
        }
        let txn = tx.id;
        match op {
            ShardOp::Commit {
                participants,
                release,
            } => {
                let end = {
                    let mut store = self.store.borrow_mut();
                    // Only row locks here, the only participant: nothing to log or wait for.
                    if participants.len() <= 1 && !store.logs_changes(txn) {
                        let locked = store.has_writes(txn);
                        drop(store);
                        if release && locked {
                            self.finish(txn, Some(self.clock.tick()));
                        }
                        return Ok(ShardOutput::default());
                    }
                    // A checkpoint cut taken from here until the release must wait for it.
                    let appended = if store.has_writes(txn) {
                        let store = &*store;
                        self.wal
                            .append(|emit| store.commit_records(txn, &participants, emit))
                    } else if participants.len() > 1 {
                        // Named as a participant but nothing changed here (a write that matched no
                        // row): the commit record must exist all the same, or recovery would
                        // discard the transaction on every other participant.
                        self.wal.append(|emit| {
                            emit(Record::Commit {
                                txn,
                                participants: &participants,
                            })
                        })
                    } else {
                        return Ok(ShardOutput::default());
                    };
                    // Nothing was appended when the log is out of space: the session aborts.
                    let end = appended.map_err(wal_full)?;
                    store.note_commit(txn, participants.len() > 1);
                    end
                };
                self.wal.wait_durable(end).await;
                if release {
                    self.finish(txn, Some(self.clock.tick()));
                }
                Ok(ShardOutput::default())
            }
            ShardOp::Prepare { anchor } => {
                let mut store = self.store.borrow_mut();
                // Nothing here but row locks (or nothing): no part, and nothing for readers to
                // wait for; the release ends it.
                if !store.logs_changes(txn) {
                    return Ok(ShardOutput::default());
                }
                let store = &mut *store;
                let marker = Record::Prepared {
                    txn,
                    anchor: anchor as u8,
                };
                let (offset, frames) = self
                    .wal
                    .append_part(marker, |emit| store.change_records(txn, emit))
                    .map_err(wal_full)?;
                // Readers of its rows wait for the release (the commit timestamp is taken after
                // the decision), and a checkpoint cut from here on waits for its end. (It is
                // listed as settled here too, which decides nothing: see `wal::decide`.)
                store.note_commit(txn, true);
                Ok(ShardOutput {
                    part: (!frames.is_empty()).then_some((offset, frames)),
                    ..ShardOutput::default()
                })
            }
            ShardOp::CommitParts { parts } => {
                let end = {
                    let mut store = self.store.borrow_mut();
                    // No participant changed anything (row locks only): no decision to log.
                    if parts.is_empty() && !store.logs_changes(txn) {
                        return Ok(ShardOutput::default());
                    }
                    let parts = keel_storage::wal::encode_parts(&parts);
                    let appended = {
                        let store = &*store;
                        self.wal.append(|emit| {
                            store.change_records(txn, emit);
                            emit(Record::Parts { txn, parts: &parts })
                        })
                    };
                    let end = appended.map_err(wal_full)?;
                    // Listed as settled by a checkpoint cut from here on: the decision is in
                    // this log before the cut.
                    store.note_commit(txn, true);
                    end
                };
                self.wal.wait_durable(end).await;
                Ok(ShardOutput::default())
            }
            ShardOp::Release { ts } => {
                self.finish(txn, Some(ts));
                Ok(ShardOutput::default())
            }
            ShardOp::TakeChanges => {
                self.take_changes();
                Ok(ShardOutput::default())
            }
            ShardOp::Abort => {
                self.finish(txn, None);
                Ok(ShardOutput::default())
            }
            ShardOp::RollbackTo { level } => {
                self.store.borrow_mut().rollback_to(txn, level);
                self.released.notify_waiters();
                Ok(ShardOutput::default())
            }
            ShardOp::WriteCatalog { version, image } => {
                let level = tx.level;
                (self.store.borrow_mut()).write_catalog(txn, level, version, image);
                Ok(ShardOutput::default())
            }
            ShardOp::LogSequence {
                seq,
                version,
                in_txn,
            } => {
                self.log_sequence(&seq, version, txn, in_txn).await?;
                Ok(ShardOutput::default())
            }
            ShardOp::DropTable { table } => {
                self.store.borrow_mut().drop_table(table);
                Ok(ShardOutput::default())
            }
            ShardOp::Vacuum { tables } => {
                let horizon = self.clock.horizon();
                while self.store.borrow_mut().purge(horizon, VACUUM_STEP) == VACUUM_STEP {
                    tokio::task::yield_now().await;
                }
                self.take_changes();
                self.count_activity(|slot| {
                    for table in tables {
                        slot.table(table).n_ins_since_vacuum = 0;
                    }
                });
                Ok(ShardOutput::default())
            }
            op => {
                let started = tokio::time::Instant::now();
                let lock_deadline = (tx.lock_timeout_ms > 0)
                    .then(|| started + Duration::from_millis(tx.lock_timeout_ms));
                let statement_deadline = tx.deadline.map(tokio::time::Instant::from_std);
                let mut deadlock_checked = false;
                let mut waiting: Option<Waiting<'_>> = None;
                // Point reads run with nonblocking page misses: a missing page is read while this
                // task waits and other sessions go on, then the read starts over. Scans stay
                // blocking: starting a scan larger than the pool over would never finish.
                let read_only = matches!(op, ShardOp::Read { key: Some(_), .. });
                // A read that meets a page it cannot read (checksum, IO) fails alone; the node
                // stays up and serves everything else.
                let is_read = matches!(
                    op,
                    ShardOp::Read { .. }
                        | ShardOp::Sample { .. }
                        | ShardOp::IndexScan { .. }
                        | ShardOp::IndexLookup { .. }
                        | ShardOp::Aggregate { .. }
                        | ShardOp::TableSizes
                );
                if !is_read {
                    self.check_space()?;
                }
                loop {
                    let released = self.released.notified();
                    let (outcome, failure) = if read_only {
                        let ((outcome, missing), failure) =
                            keel_storage::engine::reads_fail_softly(|| {
                                keel_storage::bm::nonblocking(|| self.attempt(tx, now, &op))
                            });
                        if let (Some(pid), None) = (missing, &failure) {
                            self.wait_page(pid).await?;
                            continue;
                        }
                        (outcome, failure)
                    } else if is_read {
                        keel_storage::engine::reads_fail_softly(|| self.attempt(tx, now, &op))
                    } else {
                        (self.attempt(tx, now, &op), None)
                    };
                    if let Some(error) = failure {
                        return Err(storage_error(error));
                    }
                    match outcome {
                        Ok(output) => return Ok(output),
                        Err(Failure::Error(error)) => return Err(error),
                        Err(Failure::Wait(blocked)) => {
                            // Armed before looking: a cancel after the look wakes the wait.
                            let canceled = self.waits.cancel_signal().notified();
                            tokio::pin!(canceled);
                            canceled.as_mut().enable();
                            if self.waits.is_canceled(txn) {
                                return Err(SqlError::new(
                                    code::QUERY_CANCELED,
                                    "canceling statement due to user request",
                                ));
                            }
                            if waiting.as_ref().is_none_or(|w| w.holder != blocked.holder) {
                                drop(waiting.take());
                                waiting = Some(self.waits.wait(txn, blocked.holder));
                            }
                            let never = started + Duration::from_secs(1 << 30);
                            tokio::select! {
                                _ = released => {}
                                _ = canceled => {}
                                _ = tokio::time::sleep_until(started + self.deadlock_timeout),
                                    if !deadlock_checked => {
                                    deadlock_checked = true;
                                    if let Some(cycle) = self.waits.cycle_through(txn) {
                                        return Err(deadlock_error(&cycle));
                                    }
                                }
                                _ = tokio::time::sleep_until(lock_deadline.unwrap_or(never)),
                                    if lock_deadline.is_some() => {
                                    return Err(SqlError::new(
                                        code::LOCK_NOT_AVAILABLE,
                                        "canceling statement due to lock timeout",
                                    ));
                                }
                                _ = tokio::time::sleep_until(statement_deadline.unwrap_or(never)),
                                    if statement_deadline.is_some() => {
                                    return Err(SqlError::new(
                                        code::QUERY_CANCELED,
                                        "canceling statement due to statement timeout",
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Waits until the nonblocking read of page `pid` has finished; its failure is the statement's.
    async fn wait_page(&self, pid: keel_storage::bm::Pid) -> SqlResult<()> {
        let pages = self.store.borrow().pages().clone();
        let bm = pages.buffer_manager();
        let ready = self.page_ready.get_or_init(|| {
            bm.completion_fd().and_then(|fd| {
                // SAFETY: the descriptor is the page device's ring, owned by the buffer manager that
                // `store` keeps alive; `page_ready` is declared before `store`, so it is dropped
                // (deregistered) first.
                unsafe {
                    tokio::io::unix::AsyncFd::register_with_interest(
                        fd,
                        tokio::io::Interest::READABLE,
                    )
                }
                .ok()
            })
        });
        loop {
            // Armed before looking, so a read finished by anyone after the look wakes us.
            let finished = bm.load_finished().notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            bm.pump();
            if !bm.is_loading(pid) {
                break;
            }
            match ready {
                Some(ready) => tokio::select! {
                    _ = finished => {}
                    readable = ready.readable() => match readable {
                        Ok(mut guard) => guard.clear_ready(),
                        Err(_) => tokio::task::yield_now().await,
                    },
                },
                None => tokio::task::yield_now().await,
            }
        }
        match bm.take_load_error(pid) {
            None => Ok(()),
            Some(error) => Err(storage_error(error)),
        }
    }

    /// Before a write: room for its pages in the data file, or 53100 (nothing changed yet). A
    /// write larger than the headroom that still meets a full disk stops the node; every
    /// acknowledged commit is in the log and the last checkpoint.
    fn check_space(&self) -> SqlResult<()> {
        let pages = self.store.borrow().pages().clone();
        pages
            .buffer_manager()
            .ensure_headroom(WRITE_HEADROOM_PAGES)
            .map_err(|error| {
                SqlError::new(
                    code::DISK_FULL,
                    format!("could not extend the data file: {error}"),
                )
                .with_hint("Free disk space.")
            })
    }

    /// Ends `txn`: released as committed at `ts`, or aborted (None).
    /// Logs sequence `seq`'s newest state unless `version` of it is durable already: its row,
    /// written and committed at once by transaction `txn` of its own (see `crate::sequence`), or
    /// with `in_txn` written as part of `txn`, the open transaction that created the sequence.
    async fn log_sequence(
        &self,
        seq: &crate::catalog::SequenceDef,
        version: u64,
        txn: TxnId,
        in_txn: bool,
    ) -> SqlResult<()> {
        let lock = self
            .sequence_logs
            .borrow_mut()
            .entry(seq.id)
            .or_default()
            .clone();
        // One logging at a time: a later one usually finds its version logged by this one.
        let _guard = lock.lock().await;
        if self.sequences.is_logged(seq, version) {
            return Ok(());
        }
        let ((last, called), logging) = self.sequences.to_log(seq);
        let key = crate::sequence::row_key(seq.id);
        let row = crate::sequence::encode_state(last, called);
        let end = {
            let mut store = self.store.borrow_mut();
            let written = match store.get(Snapshot::latest(txn), seq.id, &key) {
                Ok(Some(_)) => store.update(txn, seq.id, &key, row, true),
                Ok(None) => store.insert(txn, seq.id, key, row).map(|_| ()),
                Err(blocked) => Err(blocked),
            };
            if in_txn {
                written.map_err(|_| {
                    SqlError::new(
                        code::INTERNAL_ERROR,
                        format!(
                            "sequence \"{}\": its row is locked",
                            crate::catalog::relname(&seq.name)
                        ),
                    )
                })?;
                drop(store);
                self.sequences.set_logged(seq, logging);
                return Ok(());
            }
            let appended = written
                .map_err(|_| {
                    SqlError::new(
                        code::LOCK_NOT_AVAILABLE,
                        format!(
                            "could not log sequence \"{}\": its row is locked",
                            crate::catalog::relname(&seq.name)
                        ),
                    )
                })
                .and_then(|()| {
                    let store = &*store;
                    self.wal
                        .append(|emit| store.commit_records(txn, &[self.worker as u8], emit))
                        .map_err(|error| {
                            SqlError::new(
                                code::DISK_FULL,
                                format!("could not write to the write-ahead log: {error}"),
                            )
                        })
                });
            match appended {
                Ok(end) => {
                    store.note_commit(txn, false);
                    end
                }
                Err(error) => {
                    drop(store);
                    self.finish(txn, None);
                    return Err(error);
                }
            }
        };
        self.wal.wait_durable(end).await;
        self.finish(txn, Some(self.clock.tick()));
        self.sequences.set_logged(seq, logging);
        Ok(())
    }

    fn finish(&self, txn: TxnId, ts: Option<Ts>) {
        let mut store = self.store.borrow_mut();
        match ts {
            Some(ts) => store.release(txn, ts),
            None => store.abort(txn),
        }
        drop(store);
        self.released.notify_waiters();
    }

    /// One try at a row operation; changes nothing unless it succeeds.
    /// Takes the SIREAD locks of what a SERIALIZABLE operation read and records its conflicts out.
    fn serialize_reads(&self, txn: TxnId, reads: Reads) -> Attempt<()> {
        if !reads.on {
            return Ok(());
        }
        {
            let mut locks = self.sireads.borrow_mut();
            for row in reads.rows {
                add_holder(locks.rows.entry(row).or_default(), txn);
            }
            for table in reads.tables {
                add_holder(locks.tables.entry(table).or_default(), txn);
            }
        }
        for writer in reads.newer {
            self.ssi.conflict(txn, txn, writer).map_err(ssi_error)?;
        }
        Ok(())
    }

    /// Before a SERIALIZABLE transaction writes `keys` of `table`: its conflicts in, from the
    /// concurrent transactions holding SIREAD locks on them.
    fn serialize_writes<'k>(
        &self,
        txn: TxnId,
        on: bool,
        table: TableId,
        keys: impl Iterator<Item = &'k [u8]>,
    ) -> Attempt<()> {
        if !on {
            return Ok(());
        }
        let mut readers = Vec::new();
        {
            let locks = self.sireads.borrow();
            readers.extend(locks.tables.get(&table).into_iter().flatten());
            if !locks.rows.is_empty() {
                for key in keys {
                    readers.extend(locks.rows.get(&(table, key.to_vec())).into_iter().flatten());
                }
            }
        }
        if readers.is_empty() {
            return Ok(());
        }
        readers.sort_unstable();
        readers.dedup();
        for reader in self.ssi.concurrent_readers(txn, &readers) {
            self.ssi.conflict(txn, reader, txn).map_err(ssi_error)?;
        }
        Ok(())
    }

    /// Drops SIREAD locks of transactions SSI no longer tracks.
    pub fn clean_sireads(&self) {
        let mut locks = self.sireads.borrow_mut();
        if locks.rows.is_empty() && locks.tables.is_empty() {
            return;
        }
        let mut holders: Vec<TxnId> = locks
            .rows
            .values()
            .chain(locks.tables.values())
            .flatten()
            .copied()
            .collect();
        holders.sort_unstable();
        holders.dedup();
        let live = self.ssi.live(holders);
        for holders in locks.rows.values_mut() {
            holders.retain(|txn| live.contains(txn));
        }
        for holders in locks.tables.values_mut() {
            holders.retain(|txn| live.contains(txn));
        }
        locks.rows.retain(|_, holders| !holders.is_empty());
        locks.tables.retain(|_, holders| !holders.is_empty());
    }

    fn attempt(&self, tx: Tx, now: i64, op: &ShardOp) -> Attempt<ShardOutput> {
        let mut store = self.store.borrow_mut();
        store.set_level(tx.level);
        let txn = tx.id;
        let ser = tx.isolation == Isolation::Serializable;
        if ser {
            self.ssi.check(txn).map_err(ssi_error)?;
        }
        let mut reads = Reads {
            on: ser,
            ..Reads::default()
        };
        match op {
            ShardOp::Read {
                table,
                key,
                filter,
                params,
                keyed,
                columns,
                project,
                part,
                prefixes,
                range,
            } => {
                let ctx = EvalContext::new(params, now);
                let mut output = ShardOutput::default();
                let max_rows = part.as_ref().map_or(usize::MAX, |p| p.rows.max(1));
                let keys = match key.as_deref() {
                    Some(keys) if *prefixes => Target::Prefixes(keys),
                    Some(keys) => Target::Keys(keys),
                    None => Target::All {
                        range: range.as_deref(),
                        order: part.as_ref().and_then(|p| p.order.map(|d| (d, max_rows))),
                    },
                };
                // Decode what the filter and the statement read; return only the latter.
                let projected = project.as_ref().map(|project| {
                    let mut used = vec![false; table.columns.len()];
                    for &c in project.iter() {
                        if let Some(slot) = used.get_mut(c) {
                            *slot = true;
                        }
                    }
                    used
                });
                let filter = filter.as_deref().map(|f| ScanFilter::new(f, &ctx));
                let top = part
                    .as_ref()
                    .and_then(|p| p.top.as_deref())
                    .filter(|top| !*keyed && top.count > 0);
                // With `top`: the row at the buffer's cut (see `TopRows`).
                let mut cut: Option<Row> = None;
                let decode = projected.as_ref().or(columns.as_deref()).map(|used| {
                    let mut decode = used.to_vec();
                    if let Some(filter) = &filter {
                        filter.mark_decoded(&mut decode);
                    }
                    decode
                });
                output.resume = for_each_visible(
                    &store,
                    tx.snap(),
                    table,
                    keys,
                    part.as_ref()
                        .map(|p| (p.after.as_deref(), SCAN_PART_VISITS)),
                    &mut reads,
                    decode.as_deref(),
                    filter.as_ref().map(|f| (f, &ctx)),
                    &mut |key, row| {
                        if let (Some(top), Some(cut)) = (top, &cut) {
                            if !top.before(row, cut) {
                                return Ok(true);
                            }
                        }
                        if *keyed {
                            output.keys.push(key.to_vec());
                        }
                        push_row(&mut output.rows, (table, key), row, project, columns);
                        if let Some(top) = top {
                            if output.rows.len() >= 2 * top.count {
                                cut = top.trim(&mut output.rows);
                            }
                            return Ok(true);
                        }
                        Ok(output.rows.len() < max_rows)
                    },
                )?;
                if let Some(top) = top {
                    top.trim(&mut output.rows);
                }
                let visible = reads.visible;
                self.serialize_reads(txn, reads)?;
                output.count = output.rows.len() as u64;
                output.visible = visible;
                Ok(output)
            }
            ShardOp::Sample {
                table,
                seen,
                after,
                leaves,
            } => {
                let mut output = ShardOutput::default();
                let width = table.columns.len();
                let (mut seen, mut visits) = (*seen, 0usize);
                let mut failure = None;
                let mut stopped_at = None;
                let ranges = store.leaf_ranges(table.id);
                let chosen = crate::stats::sample_indexes(self.worker, ranges.len(), *leaves);
                output.leaves = (ranges.len() as u64, chosen.len() as u64);
                let mut visit = |view: RowView<'_>| {
                    visits += 1;
                    if let Some(bytes) = &view.visible {
                        if let Some(slot) = crate::stats::reservoir_slot(self.worker, seen) {
                            match crate::types::decode_row(bytes, width) {
                                Ok(mut row) => {
                                    row.push(Value::Int(slot as i64));
                                    output.rows.push(row);
                                }
                                Err(error) => {
                                    failure = Some(error);
                                    return false;
                                }
                            }
                        }
                        seen += 1;
                    }
                    if visits >= SCAN_PART_VISITS {
                        stopped_at = Some(view.key.to_vec());
                        return false;
                    }
                    true
                };
                if chosen.len() == ranges.len() {
                    store.scan_after(tx.snap(), table.id, after.as_deref(), &mut visit)?;
                } else {
                    // The chosen leaves in scan order, (vshard, key), from where the last part
                    // stopped: a leaf wholly before it is done, the one it lies in goes on after it.
                    let resume = after
                        .as_deref()
                        .map(|key| (store.vshard(table.id, key), key));
                    for (vshard, (lower, upper)) in chosen.iter().map(|&i| &ranges[i]) {
                        let mut from = lower.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
                        if let Some((at, key)) = resume {
                            let passed = upper.as_deref().is_some_and(|upper| upper <= key);
                            if *vshard < at || (*vshard == at && passed) {
                                continue;
                            }
                            if *vshard == at && lower.as_deref().is_none_or(|lower| lower < key) {
                                from = Bound::Excluded(key);
                            }
                        }
                        let to = upper.as_deref().map_or(Bound::Unbounded, Bound::Included);
                        let bounds = (from, to);
                        if !store.scan_vshard(
                            tx.snap(),
                            table.id,
                            *vshard,
                            bounds,
                            Direction::Forward,
                            &mut visit,
                        )? {
                            break;
                        }
                    }
                }
                if let Some(error) = failure {
                    return Err(error.into());
                }
                output.count = seen;
                output.resume = stopped_at;
                Ok(output)
            }
            ShardOp::Rekey {
                table,
                new,
                workers,
            } => {
                let width = table.columns.len();
                let mut moved = vec![PackedRows::default(); *workers];
                let mut failure = None;
                store.scan(tx.snap(), table.id, &mut |view| {
                    let Some(bytes) = view.visible else {
                        return true;
                    };
                    let row = match crate::types::decode_row(&bytes, width) {
                        Ok(row) => row,
                        Err(error) => {
                            failure = Some(error);
                            return false;
                        }
                    };
                    if let Some(&column) = (new.primary_key.iter()).find(|&&c| row[c].is_null()) {
                        failure = Some(crate::exec::contains_nulls(new, column));
                        return false;
                    }
                    let key = crate::exec::primary_key_of(new, &row);
                    let owner = keel_storage::owner_of(new.vshard(&key), *workers);
                    moved[owner as usize].push(&key, &bytes);
                    true
                })?;
                if let Some(error) = failure {
                    return Err(error.into());
                }
                Ok(ShardOutput {
                    moved,
                    ..ShardOutput::default()
                })
            }
            ShardOp::InsertMoved { table, rows } => {
                let sorted: Vec<(&[u8], &[u8])> = (rows.key_order().into_iter())
                    .map(|i| rows.get(i))
                    .collect();
                if let Some(pair) = sorted.windows(2).find(|pair| pair[0].0 == pair[1].0) {
                    let (key, bytes) = pair[1];
                    let row = decode_row(bytes, table.columns.len())?;
                    return Ok(ShardOutput {
                        keys: vec![key.to_vec()],
                        rows: vec![row],
                        ..ShardOutput::default()
                    });
                }
                let free = store.check_fresh_inserts(txn, table.id, sorted.len())?;
                let keys = sorted.iter().map(|(key, _)| *key);
                self.serialize_writes(txn, ser, table.id, keys)?;
                for ((key, bytes), free) in sorted.into_iter().zip(free) {
                    store.insert_checked(txn, table.id, key, bytes, free)?;
                }
                Ok(ShardOutput {
                    count: rows.len() as u64,
                    ..ShardOutput::default()
                })
            }
            ShardOp::TableSizes => {
                let mut output = ShardOutput::default();
                for table in store.tables() {
                    let bytes = store.table_bytes(table);
                    output
                        .rows
                        .push(vec![Value::Int(table as i64), Value::Int(bytes as i64)]);
                }
                output.count = output.rows.len() as u64;
                Ok(output)
            }
            ShardOp::Aggregate {
                table,
                key,
                filter,
                params,
                keys,
                aggs,
                having,
                part,
                range,
                prefixes,
            } => {
                let ctx = EvalContext::new(params, now);
                let mut groups = crate::query::Groups::new(keys, aggs);
                let whole_groups = part.as_ref().is_some_and(|p| p.whole_groups);
                let part = part.as_ref().filter(|_| key.is_none());
                let budget = part.map_or(usize::MAX, |p| p.budget);
                // With whole groups, a part past its budget goes on to the end of the run of
                // first-column values it is in (`run`, that value's encoding), and stops before
                // the first row of the next.
                let placement = usize::from(crate::catalog::FIRST_COLUMN_PLACEMENT);
                let mut run: Option<Vec<u8>> = None;
                let mut cut = false;
                // Grouped by that column alone, each run is one group: rows are added to it
                // without hashing their key, and it is finished when the next run starts
                // (`finished`); `current` is the run's value.
                let streamed = whole_groups
                    && matches!(&keys[..], [Expr::Column(c)] if table.primary_key.first() == Some(c));
                let mut finished: Vec<Vec<Value>> = Vec::new();
                // Drops the finished rows from `from` on that HAVING does not keep.
                let keep_having = |rows: &mut Vec<Vec<Value>>, from: usize| -> SqlResult<()> {
                    let Some(having) = having.as_deref().filter(|_| whole_groups) else {
                        return Ok(());
                    };
                    let mut kept = from;
                    for at in from..rows.len() {
                        if having.is_true(&rows[at], &ctx)? {
                            rows.swap(kept, at);
                            kept += 1;
                        }
                    }
                    rows.truncate(kept);
                    Ok(())
                };
                let mut current: Vec<u8> = Vec::new();
                let row_bytes = (keys.len() + aggs.len()) * std::mem::size_of::<Value>()
                    + std::mem::size_of::<Vec<Value>>();
                let mut decode = vec![false; table.columns.len()];
                for expr in keys.iter().chain(
                    aggs.iter()
                        .flat_map(|call| call.arg.iter().chain(call.filter.iter())),
                ) {
                    mark_columns(expr, &mut decode);
                }
                let scan_filter = filter.as_deref().map(|f| ScanFilter::new(f, &ctx));
                if let Some(filter) = &scan_filter {
                    filter.mark_decoded(&mut decode);
                }
                let resume = for_each_visible(
                    &store,
                    tx.snap(),
                    table,
                    match key.as_deref() {
                        Some(keys) if *prefixes => Target::Prefixes(keys),
                        Some(keys) => Target::Keys(keys),
                        None => Target::All {
                            range: range.as_deref(),
                            order: None,
                        },
                    },
                    part.map(|p| (p.after.as_deref(), usize::MAX)),
                    &mut reads,
                    Some(&decode),
                    scan_filter.as_ref().map(|f| (f, &ctx)),
                    &mut |key, row| {
                        if !whole_groups {
                            groups.add(row, &ctx)?;
                            return Ok(groups.bytes() < budget);
                        }
                        let value = &key[..placement.min(key.len())];
                        if streamed {
                            let new_group = current.as_slice() != value;
                            if new_group
                                && !current.is_empty()
                                && finished.len() * row_bytes >= budget
                            {
                                // Past the budget: the part ends after the run before.
                                run = Some(std::mem::take(&mut current));
                                cut = true;
                                return Ok(false);
                            }
                            if new_group {
                                current.clear();
                                current.extend_from_slice(value);
                            }
                            let before = finished.len();
                            groups.add_streamed(row, &ctx, new_group, &mut finished)?;
                            keep_having(&mut finished, before)?;
                            return Ok(true);
                        }
                        if run.as_deref().is_some_and(|run| run != value) {
                            cut = true;
                            return Ok(false);
                        }
                        groups.add(row, &ctx)?;
                        if run.is_none() && groups.bytes() >= budget {
                            run = Some(value.to_vec());
                        }
                        Ok(true)
                    },
                )?;
                let resume = match run {
                    // After every key of the run (the next key byte is a column's tag, 0x00 or
                    // 0x01) and before the next run's first row, in the run's vshard, which its
                    // value decides.
                    Some(mut run) if cut => {
                        run.push(0xff);
                        Some(run)
                    }
                    _ => resume,
                };
                let visible = reads.visible;
                self.serialize_reads(txn, reads)?;
                let mut output = ShardOutput::default();
                output.resume = resume;
                output.rows = if streamed {
                    let before = finished.len();
                    groups.finish_streamed(&mut finished)?;
                    keep_having(&mut finished, before)?;
                    finished
                } else if whole_groups {
                    let mut rows = groups.finish()?;
                    keep_having(&mut rows, 0)?;
                    rows
                } else {
                    groups.partial_rows()?
                };
                output.count = output.rows.len() as u64;
                output.visible = visible;
                Ok(output)
            }
            ShardOp::LockRows {
                table,
                keys,
                filter,
                params,
                locking,
            } => {
                let ctx = EvalContext::new(params, now);
                let width = table.columns.len();
                let mut output = ShardOutput::default();
                reads.target(table.id, Some(keys));
                for key in keys {
                    let mut decision: Attempt<Option<Vec<Value>>> = Ok(None);
                    store.newest(tx.snap(), table.id, key, &mut |view| {
                        reads.saw(&view);
                        decision = (|| {
                            let Some(visible) = &view.visible else {
                                return Ok(None);
                            };
                            let row = decode_row(visible, width)?;
                            if !matches(filter.as_deref(), &row, &ctx)? {
                                return Ok(None);
                            }
                            // PostgreSQL's conflicts: FOR KEY SHARE waits only for a lock
                            // that may change the key; FOR NO KEY UPDATE not for FOR KEY SHARE.
                            let key_only = locking.strength == LockStrength::KeyShare;
                            let key_kept = locking.strength == LockStrength::NoKeyUpdate;
                            let holder = match &view.newest {
                                Newest::Locked(_)
                                    if key_only && store.lock_keeps_key(table.id, key) =>
                                {
                                    None
                                }
                                Newest::Locked(holder) => Some(*holder),
                                _ if locking.exclusive() => {
                                    store.sharer_other_than(txn, table.id, key, key_kept)
                                }
                                _ => None,
                            };
                            if let Some(holder) = holder {
                                return match locking.wait {
                                    LockWait::Wait => Err(Failure::Wait(Blocked { holder })),
                                    LockWait::SkipLocked => Ok(None),
                                    LockWait::NoWait => Err(SqlError::new(
                                        code::LOCK_NOT_AVAILABLE,
                                        format!(
                                            "could not obtain lock on row in relation \"{}\"",
                                            crate::catalog::relname(&table.name)
                                        ),
                                    )
                                    .into()),
                                };
                            }
                            version_to_change(tx, &view.newest, row, width, filter.as_deref(), &ctx)
                        })();
                    })?;
                    let Some(row) = decision? else {
                        continue;
                    };
                    if locking.exclusive() {
                        let key_kept = locking.strength == LockStrength::NoKeyUpdate;
                        store.lock_row(txn, table.id, key, key_kept)?;
                    } else {
                        let key_only = locking.strength == LockStrength::KeyShare;
                        store.share_row(txn, table.id, key, key_only)?;
                    }
                    output.keys.push(key.clone());
                    output.rows.push(row);
                }
                self.serialize_reads(txn, reads)?;
                output.count = output.rows.len() as u64;
                Ok(output)
            }
            ShardOp::IndexPut {
                index,
                name,
                deletes,
                entries,
                details,
                building,
                ..
            } => {
                let mut present = Vec::with_capacity(deletes.len());
                for key in deletes {
                    if newest_row(&store, txn, *index, key)?.is_some() {
                        present.push(key);
                    }
                }
                let written = present.iter().map(|key| key.as_slice());
                self.serialize_writes(txn, ser, *index, written)?;
                for key in present {
                    store.delete(txn, *index, key)?;
                }
                // Check every entry first, so that a wait or a violation leaves nothing behind:
                // against the entries there, and against the others of the batch (two rows of
                // one statement with the same key of a unique index).
                let mut batch: HashMap<&[u8], &[u8]> = HashMap::with_capacity(entries.len());
                for (position, (key, row_key)) in entries.iter().enumerate() {
                    let twice = batch
                        .insert(key, row_key)
                        .is_some_and(|other| other != row_key.as_slice());
                    let existing = match twice {
                        true => None,
                        false => newest_row(&store, txn, *index, key)?,
                    };
                    if twice || existing.is_some() {
                        if existing.as_ref() == Some(row_key) {
                            continue;
                        }
                        let detail = details.get(position).cloned().unwrap_or_default();
                        let error = if *building {
                            SqlError::new(
                                code::UNIQUE_VIOLATION,
                                format!(
                                    "could not create unique index \"{}\"",
                                    crate::catalog::relname(name)
                                ),
                            )
                            .with_detail(format!("Key {detail} is duplicated."))
                        } else {
                            SqlError::new(
                                code::UNIQUE_VIOLATION,
                                format!(
                                    "duplicate key value violates unique constraint \"{}\"",
                                    crate::catalog::relname(name)
                                ),
                            )
                            .with_detail(format!("Key {detail} already exists."))
                        };
                        // Which entry of the batch (COPY names its line).
                        let mut error = error;
                        error.batch_row = Some(position);
                        return Err(error.into());
                    }
                }
                let keys = entries.iter().map(|(key, _)| key.as_slice());
                self.serialize_writes(txn, ser, *index, keys)?;
                let mut count = 0;
                for (key, row_key) in entries {
                    if store.insert(txn, *index, key.clone(), row_key.clone())? == Inserted::Yes {
                        count += 1;
                    }
                }
                Ok(ShardOutput {
                    count,
                    ..Default::default()
                })
            }
            ShardOp::IndexScan {
                index,
                from,
                to,
                vshard,
                order: Some((direction, want)),
                ..
            } => {
                let mut output = ShardOutput::default();
                reads.table(*index);
                let (want, ShardOutput { keys, entries, .. }) = (*want, &mut output);
                output.resume = ordered_scan(
                    &store,
                    tx.snap(),
                    *index,
                    (as_bound(from), as_bound(to), *vshard),
                    (None, SCAN_PART_VISITS, *direction, want),
                    (&mut |view| reads.saw(view), &mut |row_key| {
                        Ok(Some(vec![Value::Bytes(row_key.to_vec())]))
                    }),
                    &mut |entry, row| {
                        if let Some(Value::Bytes(row_key)) = row.pop() {
                            keys.push(row_key);
                            entries.push(entry.to_vec());
                        }
                        Ok(keys.len() < want)
                    },
                )?;
                self.serialize_reads(txn, reads)?;
                output.count = output.keys.len() as u64;
                Ok(output)
            }
            ShardOp::IndexLookup {
                index,
                prefixes,
                exact,
                ..
            } => {
                let mut output = ShardOutput::default();
                reads.table(*index);
                let mut visit = |view: RowView<'_>| {
                    reads.saw(&view);
                    if let Some(row_key) = view.visible {
                        output.keys.push(row_key.to_vec());
                    }
                    true
                };
                if *exact {
                    for key in prefixes.iter() {
                        let key = Bound::Included(key.as_slice());
                        store.scan_range(tx.snap(), *index, key, key, &mut visit)?;
                    }
                } else {
                    store.scan_prefixes(tx.snap(), *index, prefixes, &mut visit)?;
                }
                self.serialize_reads(txn, reads)?;
                output.count = output.keys.len() as u64;
                Ok(output)
            }
            ShardOp::IndexScan {
                index,
                from,
                to,
                vshard,
                ..
            } => {
                let mut output = ShardOutput::default();
                reads.table(*index);
                let mut visit = |view: RowView<'_>| {
                    reads.saw(&view);
                    if let Some(row_key) = view.visible {
                        output.keys.push(row_key.to_vec());
                    }
                    true
                };
                let bounds = (as_bound(from), as_bound(to));
                match vshard {
                    Some(vshard) => {
                        let forward = Direction::Forward;
                        store.scan_vshard(
                            tx.snap(),
                            *index,
                            *vshard,
                            bounds,
                            forward,
                            &mut visit,
                        )?;
                    }
                    None => store.scan_range(tx.snap(), *index, bounds.0, bounds.1, &mut visit)?,
                }
                self.serialize_reads(txn, reads)?;
                output.count = output.keys.len() as u64;
                Ok(output)
            }
            ShardOp::Insert {
                table,
                rows,
                on_conflict: Some((on_conflict, params)),
                ..
            } => {
                let ctx = EvalContext::new(params, now);
                let width = table.columns.len();
                // Decide every row first so that a wait or an error leaves nothing behind.
                let mut writes: Vec<Upsert<'_>> = Vec::new();
                let mut seen = HashSet::with_capacity(rows.len());
                for (key, values) in rows {
                    if !seen.insert(key.as_slice()) {
                        if on_conflict.update.is_none() {
                            continue;
                        }
                        return Err(SqlError::new(
                            code::CARDINALITY_VIOLATION,
                            "ON CONFLICT DO UPDATE command cannot affect row a second time",
                        )
                        .with_hint(
                            "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
                        )
                        .into());
                    }
                    let updating = on_conflict.update.is_some();
                    let Some(old) = conflicting_row(&store, tx, table, key, updating)? else {
                        if on_conflict.update_only {
                            // The row the proposal conflicted with is gone since the session
                            // looked: a new row under its key would be wrong.
                            return Err(concurrent_change(true).into());
                        }
                        writes.push((key, None, values.clone()));
                        continue;
                    };
                    let Some(update) = &on_conflict.update else {
                        continue;
                    };
                    let mut both = old.clone();
                    both.extend(values.iter().cloned());
                    if !matches(update.filter.as_ref(), &both, &ctx)? {
                        continue;
                    }
                    let mut new = old.clone();
                    for (column, expr) in &update.assignments {
                        new[*column] = expr.eval(&both, &ctx)?;
                    }
                    generate_columns(table, &mut new)?;
                    check_row(table, &new)?;
                    writes.push((key, Some(old), new));
                }
                let keys = writes.iter().map(|(key, ..)| *key);
                self.serialize_writes(txn, ser, table.id, keys)?;
                let mut output = ShardOutput {
                    count: writes.len() as u64,
                    updated: writes.iter().filter(|(_, old, _)| old.is_some()).count() as u64,
                    ..Default::default()
                };
                let mut bytes = Vec::new();
                for (key, old, new) in writes {
                    bytes.clear();
                    encode_row(&new, &mut bytes);
                    if let Some(old) = &old {
                        let key_kept = table.keeps_key(old, &new);
                        store.update(txn, table.id, key, bytes.clone(), key_kept)?;
                    } else {
                        let inserted = store.insert(txn, table.id, key.to_vec(), bytes.clone())?;
                        assert_eq!(
                            inserted,
                            Inserted::Yes,
                            "keys were checked before inserting"
                        );
                    }
                    debug_assert_eq!(new.len(), width);
                    output.keys.push(key.to_vec());
                    output.rows.push(new.clone());
                    if table.tracks_changes() {
                        output.changes.push((key.to_vec(), old, Some(new)));
                    }
                }
                Ok(output)
            }
            ShardOp::Insert {
                table,
                rows,
                on_conflict: None,
                fresh,
            } => {
                // Check every key first so that a wait or a duplicate leaves nothing behind.
                let free = if *fresh || table.primary_key.is_empty() {
                    // Keys no row has: hidden row ids (never given out twice; a rewrite keeps
                    // each row's own, into trees of its own), or a rewrite's keys, which the
                    // session found distinct. Only the table lock counts.
                    store.check_fresh_inserts(txn, table.id, rows.len())?
                } else {
                    let mut seen: HashSet<&[u8], FastState> =
                        HashSet::with_capacity_and_hasher(rows.len(), FastState::default());
                    let duplicate = |index: usize| {
                        let mut error = duplicate_key(table, &rows[index].1);
                        error.batch_row = Some(index);
                        error
                    };
                    // The first row that fails is the one named: a key repeated in the batch,
                    // or one before it that has a row.
                    let repeated = rows
                        .iter()
                        .position(|(key, _)| !seen.insert(key.as_slice()));
                    let checked = rows[..repeated.unwrap_or(rows.len())]
                        .iter()
                        .map(|(key, _)| key.as_slice());
                    let free = match store.check_inserts(txn, table.id, checked)? {
                        Ok(free) => free,
                        Err(index) => return Err(duplicate(index).into()),
                    };
                    if let Some(index) = repeated {
                        return Err(duplicate(index).into());
                    }
                    free
                };
                let keys = rows.iter().map(|(key, _)| key.as_slice());
                self.serialize_writes(txn, ser, table.id, keys)?;
                let mut bytes = Vec::new();
                for ((key, values), free) in rows.iter().zip(free) {
                    bytes.clear();
                    encode_row(values, &mut bytes);
                    store.insert_checked(txn, table.id, key, &bytes, free)?;
                }
                Ok(ShardOutput {
                    count: rows.len() as u64,
                    ..Default::default()
                })
            }
            ShardOp::Update {
                table,
                key,
                filter,
                assignments,
                values,
                params,
                returning,
                range,
                prefixes,
                recheck,
            } => {
                let ctx = EvalContext::new(params, now);
                let keys = key.as_deref();
                let (filter, range) = (filter.as_deref(), range.as_deref());
                // The row `old` under `key` becomes.
                let updated = |key: &[u8], old: &[Value]| -> SqlResult<Vec<Value>> {
                    let mut new = old.to_vec();
                    match (values.as_deref(), keys) {
                        (Some(values), Some(keys)) => {
                            let at = keys.binary_search_by(|k| k.as_slice().cmp(key));
                            let row = at.ok().and_then(|at| values.get(at)).ok_or_else(|| {
                                SqlError::new(code::INTERNAL_ERROR, "no new values for a row")
                            })?;
                            for ((column, _), value) in assignments.iter().zip(row) {
                                new[*column] = value.clone();
                            }
                        }
                        _ => {
                            for (column, expr) in assignments.iter() {
                                new[*column] = expr.eval(old, &ctx)?;
                            }
                        }
                    }
                    generate_columns(table, &mut new)?;
                    Ok(new)
                };
                let mut changed_rows = Vec::new();
                let targets = collect_targets(
                    &store,
                    tx,
                    table,
                    (keys, *prefixes, range),
                    filter,
                    Some(&updated),
                    &ctx,
                    &mut reads,
                    recheck.then_some(&mut changed_rows),
                )?;
                for (key, newest) in &changed_rows {
                    if let Some(newest) = newest {
                        let key_kept = table.keeps_key(newest, &updated(key, newest)?);
                        store.lock_row(txn, table.id, key, key_kept)?;
                    }
                }
                let visible = reads.visible;
                self.serialize_reads(txn, reads)?;
                let written = targets.iter().map(|(key, _)| key.as_slice());
                self.serialize_writes(txn, ser, table.id, written)?;
                let mut changed = Vec::with_capacity(targets.len());
                for (key, old) in targets {
                    let new = updated(&key, &old)?;
                    check_row(table, &new)?;
                    changed.push((key, old, new));
                }
                let mut output = ShardOutput {
                    count: changed.len() as u64,
                    visible,
                    changed: changed_rows,
                    ..Default::default()
                };
                for (key, old, new) in changed {
                    let mut bytes = Vec::new();
                    encode_row(&new, &mut bytes);
                    store.update(txn, table.id, &key, bytes, table.keeps_key(&old, &new))?;
                    if *returning {
                        output.rows.push(new.clone());
                        if values.is_some() {
                            output.keys.push(key.clone());
                        }
                    }
                    if table.tracks_changes() {
                        output.changes.push((key, Some(old), Some(new)));
                    }
                }
                Ok(output)
            }
            ShardOp::Delete {
                table,
                key,
                filter,
                params,
                returning,
                range,
                prefixes,
                recheck,
            } => {
                let ctx = EvalContext::new(params, now);
                let keys = key.as_deref();
                let (filter, range) = (filter.as_deref(), range.as_deref());
                let mut changed = Vec::new();
                let targets = collect_targets(
                    &store,
                    tx,
                    table,
                    (keys, *prefixes, range),
                    filter,
                    None,
                    &ctx,
                    &mut reads,
                    recheck.then_some(&mut changed),
                )?;
                for (key, newest) in &changed {
                    if newest.is_some() {
                        store.lock_row(txn, table.id, key, false)?;
                    }
                }
                let visible = reads.visible;
                self.serialize_reads(txn, reads)?;
                let written = targets.iter().map(|(key, _)| key.as_slice());
                self.serialize_writes(txn, ser, table.id, written)?;
                let mut output = ShardOutput {
                    count: targets.len() as u64,
                    visible,
                    changed,
                    ..Default::default()
                };
                for (key, old) in targets {
                    store.delete(txn, table.id, &key)?;
                    if *returning {
                        output.keys.push(key.clone());
                    }
                    if table.tracks_changes() {
                        output.changes.push((key, Some(old.clone()), None));
                    }
                    if *returning {
                        output.rows.push(old);
                    }
                }
                Ok(output)
            }
            ShardOp::Truncate { table } => {
                store.truncate(txn, *table)?;
                Ok(ShardOutput::default())
            }
            _ => unreachable!("handled in serve"),
        }
    }
}

/// Marks the columns `expr` reads.
fn mark_columns(expr: &Expr, used: &mut [bool]) {
    let mut columns = Vec::new();
    expr.columns(&mut columns);
    for c in columns {
        if let Some(slot) = used.get_mut(c) {
            *slot = true;
        }
    }
}

fn matches(filter: Option<&Expr>, row: &[Value], ctx: &EvalContext<'_>) -> SqlResult<bool> {
    match filter {
        None => Ok(true),
        Some(filter) => filter.is_true(row, ctx),
    }
}

/// The rows of a table an operation visits.
#[derive(Clone, Copy)]
enum Target<'a> {
    /// Every row, or those with keys in `range`; in key order across vshards with an `order`
    /// (a read in parts only), wanting that many rows.
    All {
        range: Option<&'a KeyBounds>,
        order: Option<(Direction, usize)>,
    },
    /// The rows under these keys.
    Keys(&'a [Vec<u8>]),
    /// The rows whose keys start with one of these (see `ShardOp::Read`'s `prefixes`).
    Prefixes(&'a [Vec<u8>]),
}

/// Visits the rows of `table` (the `target`'s) visible to `snapshot` that pass `filter`
/// (tested while the row is decoded, see [`ScanFilter`]), decoding only the columns `used` marks
/// (None: all; the others read as NULL), noting what it read in `reads`.
/// With a `part` (where to start, most row versions to visit), a whole-table scan returns the
/// key to resume after when it stopped early (the visitor said stop, or the visits ran out).
#[allow(clippy::too_many_arguments)]
fn for_each_visible(
    store: &Store,
    snapshot: Snapshot,
    table: &TableDef,
    target: Target<'_>,
    part: Option<(Option<&[u8]>, usize)>,
    reads: &mut Reads,
    used: Option<&[bool]>,
    filter: Option<(&ScanFilter, &EvalContext<'_>)>,
    visit: &mut RowVisitor<'_>,
) -> Attempt<Option<Vec<u8>>> {
    let width = table.columns.len();
    match target {
        Target::Keys(keys) => reads.target(table.id, Some(keys)),
        // Ranges: serializable readers take the whole table, as a scan does.
        Target::All { .. } | Target::Prefixes(_) => reads.target(table.id, None),
    }
    // The filter's co-located EXISTS run here, by seeks into this store (`crate::colocate`);
    // serializable readers take their tables whole.
    let colocated = filter.and_then(|(f, _)| Colocated::new(store, snapshot, f));
    if let Some(local) = &colocated {
        for &table in local.masks.keys() {
            reads.target(table, None);
        }
    }
    let local_ctx = colocated
        .as_ref()
        .zip(filter)
        .map(|(local, (_, ctx))| EvalContext {
            subqueries: Some(local as &dyn crate::expr::Subqueries),
            ..*ctx
        });
    let filter = match (filter, &local_ctx) {
        (Some((f, _)), Some(ctx)) => Some((f, ctx)),
        (filter, _) => filter,
    };
    let used_end = crate::types::used_end(used, width);
    // Decodes a visible row into `row`; whether it passes the filter.
    let keep = |bytes: &[u8], row: &mut Vec<Value>| -> SqlResult<bool> {
        match filter {
            None => decode_row_into(bytes, width, (used, used_end), row).map(|()| true),
            Some((filter, ctx)) => filter.scan_row(bytes, width, (used, used_end), row, ctx),
        }
    };
    let mut failure = None;
    let mut stopped_at = None;
    let mut visits = 0;
    let mut row = Vec::with_capacity(width);
    if let Target::All {
        range,
        order: Some((direction, want)),
    } = target
    {
        let (after, most) = part.unwrap_or((None, usize::MAX));
        let mut spare = Vec::with_capacity(width);
        stopped_at = ordered_scan(
            store,
            snapshot,
            table.id,
            match range {
                Some(range) => {
                    let (from, to) = range.as_ref();
                    (from, to, range.vshard)
                }
                None => (Bound::Unbounded, Bound::Unbounded, None),
            },
            (after, most, direction, want),
            (&mut |view| reads.saw(view), &mut |bytes| {
                Ok(keep(bytes, &mut spare)?
                    .then(|| std::mem::replace(&mut spare, Vec::with_capacity(width))))
            }),
            visit,
        )?;
    }
    let mut step = |view: RowView<'_>| -> bool {
        reads.saw(&view);
        visits += 1;
        let go_on = match view.visible {
            None => true,
            Some(bytes) => match keep(&bytes, &mut row).and_then(|kept| {
                if kept {
                    visit(view.key, &mut row)
                } else {
                    Ok(true)
                }
            }) {
                Ok(go_on) => go_on,
                Err(error) => {
                    failure = Some(error);
                    return false;
                }
            },
        };
        if !go_on || part.is_some_and(|(_, most)| visits >= most) {
            stopped_at = Some(view.key.to_vec());
            return false;
        }
        true
    };
    match target {
        Target::Keys(keys) => {
            for key in keys {
                let mut go_on = true;
                store.newest(snapshot, table.id, key, &mut |view| go_on = step(view))?;
                if !go_on {
                    break;
                }
            }
        }
        Target::Prefixes(prefixes) => {
            store.scan_prefixes(snapshot, table.id, prefixes, &mut step)?;
        }
        // Read above.
        Target::All { order: Some(_), .. } => {}
        Target::All { range, order: None } => {
            store.scan_range_after(
                snapshot,
                table.id,
                range.map_or((Bound::Unbounded, Bound::Unbounded), KeyBounds::as_ref),
                range.and_then(|r| r.vshard),
                part.and_then(|(after, _)| after),
                &mut step,
            )?;
        }
    }
    if let Some(local) = &colocated {
        if let Some(blocked) = local.blocked.take() {
            return Err(Failure::Wait(blocked));
        }
        if reads.on {
            reads.newer.extend(local.newer.take());
        }
    }
    match failure {
        Some(error) => Err(error.into()),
        // Only a read in parts of a whole table resumes; a keyed one visits all its keys.
        None if part.is_some() && matches!(target, Target::All { .. }) => Ok(stopped_at),
        None => Ok(None),
    }
}

/// One vshard's tree in a key-ordered read ([`ordered_scan`]): the rows read and kept but not
/// yet returned, the last key visited (kept or not), how many versions its next read visits, and
/// whether the tree has no more.
struct Run {
    vshard: VShard,
    /// The visible rows read and not yet merged: their keys and stored bytes (decoded only
    /// when merged: most rows of most runs never are, under a small LIMIT).
    rows: std::collections::VecDeque<(Vec<u8>, Vec<u8>)>,
    last: Option<Vec<u8>>,
    batch: usize,
    done: bool,
    /// Not read yet, and no key of its tree comes before this one (the tree's
    /// [`keel_storage::engine::KeyBound`]): the tree is read once the merge reaches it.
    unread: Option<Vec<u8>>,
}

impl Run {
    /// The key this run holds the merge at, when it has no row in hand and its tree may have
    /// more: its tree's bound when it is not read yet, else the last key it read (a dry run).
    /// No row after that key may be returned before the run is read (again).
    fn waits_at(&self) -> Option<&[u8]> {
        if !self.rows.is_empty() || self.done {
            return None;
        }
        self.unread.as_deref().or(self.last.as_deref())
    }
}

/// Whether key `a` comes before `b` in a read in key order (`forward`: ascending).
pub(crate) fn comes_before(forward: bool, a: &[u8], b: &[u8]) -> bool {
    if forward {
        a < b
    } else {
        a > b
    }
}

/// Decodes and filters a stored row's bytes for [`ordered_scan`] (None: left out).
type RowKeeper<'k> = dyn FnMut(&[u8]) -> SqlResult<Option<Vec<Value>>> + 'k;

/// A run's first key in [`ordered_scan`]'s heap: the first in the read's order (`forward`:
/// the smallest) on top.
struct Head {
    key: Vec<u8>,
    run: usize,
    forward: bool,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self.forward {
            other.key.cmp(&self.key)
        } else {
            self.key.cmp(&other.key)
        }
    }
}

/// A part of a read of `table`'s keys between `from` and `to` (all in vshard `single`, when
/// given) in key order (`direction`) across this worker's vshards, starting past `after` (the last key the previous part returned) and wanting `want`
/// rows; `see` is shown every version read (as the scan meets it), `keep` decodes and filters
/// a visible row's bytes when the merge reaches it (None: left out), `visit` takes the rows in
/// order.
///
/// Each vshard's tree is read in batches into its [`Run`], the first batch about twice the
/// run's share of `want`, each later one of that run twice its previous; the runs are merged by
/// their first rows through a heap. A run that ran dry before its tree ended may still hold rows
/// that come before the others' first ones (its tree was read only up to its `last` key), so the
/// merge stops at the first such key, the dry runs are read again, and so on. After about `most`
/// visits the part ends there: every row up to it has been returned (or was left out), so the
/// next part starts past it. Returns where the next part starts (None: the read is complete).
///
/// A tree whose first key in the read's order is known to come no earlier than some key (its
/// [`KeyBound`](keel_storage::engine::KeyBound): its lowest or highest key) is not read until
/// the merge reaches that key: it stops there as at a dry run's, and reads that tree then. With
/// keys hashed over the vshards, `ORDER BY id DESC LIMIT 20` reads the few trees that hold the
/// 20 highest keys (and those whose highest key lies between them), not every tree.
fn ordered_scan(
    store: &Store,
    snapshot: Snapshot,
    table: TableId,
    (from, to, single): (Bound<&[u8]>, Bound<&[u8]>, Option<VShard>),
    (after, most, direction, want): (Option<&[u8]>, usize, Direction, usize),
    (see, keep): (&mut dyn FnMut(&RowView<'_>), &mut RowKeeper<'_>),
    visit: &mut RowVisitor<'_>,
) -> Attempt<Option<Vec<u8>>> {
    let forward = direction == Direction::Forward;
    let vshards: Vec<VShard> = store
        .vshards(table)
        .iter()
        .copied()
        .filter(|&v| single.is_none_or(|only| only == v))
        .collect();
    let most_each = (most / vshards.len().max(1)).clamp(16, 4096);
    let first = (want.saturating_mul(2) / vshards.len().max(1) + 2).clamp(4, most_each);
    let mut runs: Vec<Run> = Vec::with_capacity(vshards.len());
    for vshard in vshards {
        use keel_storage::engine::KeyBound;
        let (unread, done) = match store.key_bound(table, vshard, direction) {
            KeyBound::Empty => (None, true),
            KeyBound::At(key) => (Some(key), false),
            KeyBound::Unknown => (None, false),
        };
        runs.push(Run {
            vshard,
            rows: Default::default(),
            // The previous part's last key: each tree is read from past it.
            last: after.map(<[u8]>::to_vec),
            batch: first,
            done,
            unread,
        });
    }
    let mut visits = 0usize;
    // The first row in hand of each run that has one.
    let mut heap = std::collections::BinaryHeap::with_capacity(runs.len());
    // The runs not read yet, by their trees' bounds in the read's order, and how many of them
    // have been read since; the others, read (or to be read: their bounds are unknown).
    let mut unread: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].unread.is_some())
        .collect();
    unread.sort_unstable_by(|&a, &b| {
        let (a, b) = (&runs[a].unread, &runs[b].unread);
        if forward {
            a.cmp(b)
        } else {
            b.cmp(a)
        }
    });
    let mut opened_unread = 0;
    let mut read: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].unread.is_none() && !runs[i].done)
        .collect();
    // The merge last stopped at the next unread tree's bound: that tree is read now.
    let mut open_next = false;
    loop {
        if open_next {
            let next = unread[opened_unread];
            runs[next].unread = None;
            read.push(next);
            opened_unread += 1;
        }
        for &i in &read {
            let run = &mut runs[i];
            if !run.rows.is_empty() || run.done {
                continue;
            }
            let bounds = match (&run.last, forward) {
                (None, _) => (from, to),
                (Some(last), true) => (Bound::Excluded(last.as_slice()), to),
                (Some(last), false) => (from, Bound::Excluded(last.as_slice())),
            };
            let (mut seen, batch) = (0usize, run.batch);
            let mut last = Vec::new();
            let rows = &mut run.rows;
            let ended = store.scan_vshard(
                snapshot,
                table,
                run.vshard,
                bounds,
                direction,
                &mut |view| {
                    seen += 1;
                    see(&view);
                    last.clear();
                    last.extend_from_slice(view.key);
                    if let Some(bytes) = view.visible {
                        rows.push_back((last.clone(), bytes.into_owned()));
                    }
                    seen < batch
                },
            )?;
            visits += seen;
            run.done = ended;
            run.batch = (run.batch * 2).min(most_each);
            if seen > 0 {
                run.last = Some(last);
            }
            if let Some((key, _)) = run.rows.front() {
                heap.push(Head {
                    key: key.clone(),
                    run: i,
                    forward,
                });
            }
        }
        // The run whose key holds the merge first (see `Run::waits_at`): a dry one, or the
        // next unread one.
        let first = |a: Option<usize>, b: usize, runs: &[Run]| match (a, runs[b].waits_at()) {
            (_, None) => a,
            (None, Some(_)) => Some(b),
            (Some(a_run), Some(key)) => {
                let held = runs[a_run].waits_at().expect("a waiting run");
                comes_before(forward, key, held).then_some(b).or(a)
            }
        };
        let next_unread = unread.get(opened_unread).copied();
        let mut frontier = (read.iter().copied())
            .chain(next_unread)
            .fold(None, |f, i| first(f, i, &runs));
        while let Some(head) = heap.peek() {
            let held = frontier.and_then(|f| runs[f].waits_at());
            if held.is_some_and(|f| comes_before(forward, f, &head.key)) {
                break;
            }
            let i = heap.pop().expect("a head").run;
            let run = &mut runs[i];
            let (key, bytes) = run.rows.pop_front().expect("a first row");
            match run.rows.front() {
                Some((next, _)) => heap.push(Head {
                    key: next.clone(),
                    run: i,
                    forward,
                }),
                None => frontier = first(frontier, i, &runs),
            }
            if let Some(mut row) = keep(&bytes)? {
                if !visit(&key, &mut row)? {
                    return Ok(Some(key));
                }
            }
        }
        if heap.is_empty() && frontier.is_none() {
            return Ok(None);
        }
        // Only the next unread tree can hold the merge among the unread ones. Its bound may be
        // a key of that tree, not yet returned: the part goes on until it is read, and ends at
        // a dry run's last key only.
        open_next = frontier.is_some() && frontier == next_unread;
        if visits >= most && !open_next {
            if let Some(resume) = frontier.and_then(|f| runs[f].waits_at()) {
                return Ok(Some(resume.to_vec()));
            }
        }
    }
}

/// Runs the co-located `[NOT] EXISTS` of a scan's filter on the worker scanning it (see
/// [`crate::colocate`]): the rows an outer row asks about lie in this store, under the outer
/// key column's value, so each is a seek ([`Store::scan_prefix`]) under the scan's snapshot.
/// The rows under the last key read are kept per table (Q21's EXISTS and NOT EXISTS ask about
/// one order in turn), decoded in the columns any of the filter's subqueries reads, into rows
/// reused from key to key.
///
/// (Reading ahead past the key, to answer the scan's next keys without a seek, was measured
/// slower on Q21: a read without an upper bound copies the rest of each leaf it meets, and
/// the descent it saves is a tenth of a seek's cost.)
struct Colocated<'s> {
    store: &'s Store,
    snapshot: Snapshot,
    /// Per inner table: the columns its subqueries read.
    masks: HashMap<TableId, Vec<bool>>,
    /// Per inner table: the key last read and its visible rows.
    last: RefCell<HashMap<TableId, KeyRows>>,
    /// The enclosing rows a subquery's conditions see, reused from row to row.
    outer: RefCell<Vec<Vec<Value>>>,
    /// A row another transaction holds, met by a seek: the scan waits for it.
    blocked: std::cell::Cell<Option<Blocked>>,
    /// Writers of versions the snapshot does not see (serializable readers note them).
    newer: RefCell<Vec<TxnId>>,
}

/// A key and the visible rows under it, decoded: the first `len` of `rows` (the others keep
/// their allocations for the next key).
#[derive(Default)]
struct KeyRows {
    key: Vec<u8>,
    /// The key asked about last (its buffer, reused).
    asked: Vec<u8>,
    read: bool,
    rows: Vec<Vec<Value>>,
    len: usize,
}

impl<'s> Colocated<'s> {
    /// The runner for `filter`'s co-located subqueries; None when it has none.
    fn new(store: &'s Store, snapshot: Snapshot, filter: &ScanFilter) -> Option<Colocated<'s>> {
        let mut masks: HashMap<TableId, Vec<bool>> = HashMap::new();
        for condition in filter.general() {
            condition.visit(&mut |e| {
                let Expr::Subquery(sub) = e else {
                    return;
                };
                let Some(shape) = crate::colocate::shape(sub) else {
                    return;
                };
                let (table, filter, project) = (shape.table, shape.filter, shape.project);
                let mask = masks
                    .entry(table.id)
                    .or_insert_with(|| vec![false; table.columns.len()]);
                let mut columns: Vec<usize> =
                    table.primary_key.first().copied().into_iter().collect();
                if let Some(filter) = filter {
                    filter.columns(&mut columns);
                }
                let mut above = Vec::new();
                for predicate in &shape.filters {
                    predicate.columns(&mut above);
                }
                columns.extend(above.into_iter().map(|c| match project {
                    Some(project) => project.get(c).copied().unwrap_or(c),
                    None => c,
                }));
                for c in columns {
                    if let Some(slot) = mask.get_mut(c) {
                        *slot = true;
                    }
                }
            });
        }
        (!masks.is_empty()).then(|| Colocated {
            store,
            snapshot,
            masks,
            last: RefCell::default(),
            outer: RefCell::default(),
            blocked: std::cell::Cell::new(None),
            newer: RefCell::default(),
        })
    }
}

impl crate::expr::Subqueries for Colocated<'_> {
    fn eval(
        &self,
        sub: &crate::expr::Subquery,
        row: &[Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<Value> {
        let not_here = || {
            SqlError::new(
                code::INTERNAL_ERROR,
                "a subquery reached a worker that cannot run it",
            )
        };
        let shape = crate::colocate::shape(sub).ok_or_else(not_here)?;
        let (table, filter, project) = (shape.table, shape.filter, shape.project);
        let value = row.get(shape.outer_column).unwrap_or(&Value::Null);
        if value.is_null() {
            return Ok(Value::Bool(false));
        }
        let mask = self.masks.get(&table.id).ok_or_else(not_here)?;
        let mut last = self.last.borrow_mut();
        let last = last.entry(table.id).or_default();
        // An integer's semi-join key bytes are its key column encoding (see `seek_targets`).
        let mut key = std::mem::take(&mut last.asked);
        key.clear();
        crate::query::append_hash_key(value, &mut key);
        if !last.read || last.key != key {
            let width = table.columns.len();
            let end = crate::types::used_end(Some(mask), width);
            last.read = false;
            last.len = 0;
            let mut failure = None;
            let read = self
                .store
                .scan_prefix(self.snapshot, table.id, &key, &mut |view| {
                    self.newer.borrow_mut().extend(view.newer);
                    if let Some(bytes) = view.visible {
                        if last.len == last.rows.len() {
                            last.rows.push(Vec::with_capacity(width));
                        }
                        let row = &mut last.rows[last.len];
                        last.len += 1;
                        if let Err(error) = decode_row_into(&bytes, width, (Some(mask), end), row) {
                            failure = Some(error);
                            return false;
                        }
                    }
                    true
                });
            if let Err(blocked) = read {
                self.blocked.set(Some(blocked));
                return Err(SqlError::new(
                    code::LOCK_NOT_AVAILABLE,
                    "a row the subquery reads is held by another transaction",
                ));
            }
            if let Some(error) = failure {
                return Err(error);
            }
            std::mem::swap(&mut last.key, &mut key);
            last.read = true;
        }
        last.asked = key;
        let rows = &last.rows[..last.len];
        // The enclosing rows, this one innermost (a subquery of this shape runs none of its
        // own, so the buffer is free; a fresh one else).
        let mut reused = self.outer.try_borrow_mut().ok();
        let mut fresh = Vec::new();
        let outer = reused.as_deref_mut().unwrap_or(&mut fresh);
        outer.resize_with(ctx.outer.len() + 1, Vec::new);
        for (slot, enclosing) in outer.iter_mut().zip(ctx.outer) {
            slot.clone_from(enclosing);
        }
        let innermost = &mut outer[ctx.outer.len()];
        innermost.clear();
        innermost.extend_from_slice(row);
        let inner = EvalContext {
            outer: &outer[..],
            ..*ctx
        };
        'rows: for stored in rows {
            if let Some(filter) = filter {
                if !filter.is_true(stored, &inner)? {
                    continue;
                }
            }
            let out: std::borrow::Cow<'_, [Value]> = match project {
                Some(project) => project
                    .iter()
                    .map(|&c| stored.get(c).cloned().unwrap_or(Value::Null))
                    .collect::<Vec<_>>()
                    .into(),
                None => stored.as_slice().into(),
            };
            for predicate in shape.filters.iter().rev() {
                if !predicate.is_true(&out, &inner)? {
                    continue 'rows;
                }
            }
            return Ok(Value::Bool(true));
        }
        Ok(Value::Bool(false))
    }
}

/// The newest version of `key` a writer must respect (its own, or the newest committed one),
/// waiting for a transaction that holds the row.
fn newest_row(store: &Store, txn: TxnId, table: TableId, key: &[u8]) -> Attempt<Option<Vec<u8>>> {
    let mut found = Ok(None);
    store.newest(Snapshot::latest(txn), table, key, &mut |view| {
        found = match view.newest {
            Newest::Mine(row) | Newest::Committed { row, .. } => {
                Ok(row.map(std::borrow::Cow::into_owned))
            }
            Newest::Locked(holder) => Err(Failure::Wait(Blocked { holder })),
        }
    })?;
    found
}

/// The row a row of an UPDATE becomes, given its key and values.
type Updated<'a> = dyn Fn(&[u8], &[Value]) -> SqlResult<Vec<Value>> + 'a;

/// Rows a write changes: those the snapshot sees that match, among `keys` (or, without, every
/// row or those in `range`): an UPDATE's (with the rows they become) or a DELETE's. A row another
/// transaction holds, or shares (FOR KEY SHARE only: when the write changes the row's key),
/// means waiting for it (and starting over). A row changed since the snapshot is a serialization
/// failure under REPEATABLE READ and SERIALIZABLE; READ COMMITTED re-checks its newest version
/// against the filter and changes that one (PostgreSQL's EvalPlanQual), or, with `changed`
/// (rows a query found, which only the session can check again), leaves it out and puts its key
/// and newest version (None: deleted) in `changed`.
#[allow(clippy::too_many_arguments)]
fn collect_targets(
    store: &Store,
    tx: Tx,
    table: &TableDef,
    (keys, prefixes, range): (Option<&[Vec<u8>]>, bool, Option<&KeyBounds>),
    filter: Option<&Expr>,
    updated: Option<&Updated<'_>>,
    ctx: &EvalContext<'_>,
    reads: &mut Reads,
    mut changed: Option<&mut Vec<ChangedRow>>,
) -> Attempt<Vec<KeyedRow>> {
    let width = table.columns.len();
    // Ranges: serializable writers read the whole table, as a scan does.
    reads.target(table.id, keys.filter(|_| !prefixes));
    // Whether updating `row` under `key` keeps its key (a DELETE never does).
    let keeps_key = |key: &[u8], row: &[Value]| -> SqlResult<bool> {
        let Some(updated) = updated else {
            return Ok(false);
        };
        Ok(table.keeps_key(row, &updated(key, row)?))
    };
    let mut targets = Vec::new();
    let mut consider = |view: RowView<'_>| -> Attempt<()> {
        reads.saw(&view);
        let Some(visible) = view.visible else {
            return Ok(());
        };
        let row = decode_row(&visible, width)?;
        if !matches(filter, &row, ctx)? {
            return Ok(());
        }
        if let Some(holder) = store.sharer_other_than(tx.id, table.id, view.key, false) {
            let holder = match keeps_key(view.key, &row)? {
                true => store.sharer_other_than(tx.id, table.id, view.key, true),
                false => Some(holder),
            };
            if let Some(holder) = holder {
                return Err(Failure::Wait(Blocked { holder }));
            }
        }
        if let Newest::Locked(holder) = view.newest {
            return Err(Failure::Wait(Blocked { holder }));
        }
        // A row a query found, changed since: back to the session (READ COMMITTED).
        if let (
            Some(changed),
            Newest::Committed {
                row: newest,
                after_snapshot: true,
            },
            Isolation::ReadCommitted,
        ) = (changed.as_deref_mut(), &view.newest, tx.isolation)
        {
            let newest = newest
                .as_deref()
                .map(|n| decode_row(n, width))
                .transpose()?;
            changed.push((view.key.to_vec(), newest));
            return Ok(());
        }
        if let Some(row) = version_to_change(tx, &view.newest, row, width, filter, ctx)? {
            targets.push((view.key.to_vec(), row));
        }
        Ok(())
    };
    let mut failure = None;
    let mut visit = |view: RowView<'_>| match consider(view) {
        Ok(()) => true,
        Err(stop) => {
            failure = Some(stop);
            false
        }
    };
    match keys {
        Some(keys) if prefixes => {
            store.scan_prefixes(tx.snap(), table.id, keys, &mut visit)?;
        }
        Some(keys) => {
            for key in keys {
                let mut go_on = true;
                store.newest(tx.snap(), table.id, key, &mut |view| go_on = visit(view))?;
                if !go_on {
                    break;
                }
            }
        }
        None => {
            let bounds = range.map_or((Bound::Unbounded, Bound::Unbounded), KeyBounds::as_ref);
            let single = range.and_then(|r| r.vshard);
            store.scan_range_after(tx.snap(), table.id, bounds, single, None, &mut visit)?;
        }
    }
    match failure {
        Some(stop) => Err(stop),
        None => Ok(targets),
    }
}

/// The version a write or a row lock acts on, given `row`: the version the snapshot sees, which
/// matches `filter`, of a row no other transaction holds. That one, unless the row changed since
/// the snapshot: then a serialization failure under REPEATABLE READ and SERIALIZABLE, and under
/// READ COMMITTED the newest version if it still matches (PostgreSQL's EvalPlanQual), else none.
fn version_to_change(
    tx: Tx,
    newest: &Newest<'_>,
    row: Vec<Value>,
    width: usize,
    filter: Option<&Expr>,
    ctx: &EvalContext<'_>,
) -> Attempt<Option<Vec<Value>>> {
    let Newest::Committed {
        row: newest,
        after_snapshot: true,
    } = newest
    else {
        return Ok(Some(row));
    };
    if tx.isolation != Isolation::ReadCommitted {
        return Err(concurrent_change(newest.is_none()).into());
    }
    let Some(newest) = newest else {
        return Ok(None);
    };
    let newest = decode_row(newest, width)?;
    Ok(matches(filter, &newest, ctx)?.then_some(newest))
}

/// The row an `INSERT ... ON CONFLICT` meets under `key`: its newest version (committed, or this
/// transaction's own), after waiting for a transaction that holds it (or, when `updating`, shares
/// it). Under REPEATABLE READ and SERIALIZABLE a row the snapshot does not see is a serialization
/// failure, as in PostgreSQL.
fn conflicting_row(
    store: &Store,
    tx: Tx,
    table: &TableDef,
    key: &[u8],
    updating: bool,
) -> Attempt<Option<Vec<Value>>> {
    let mut found = Ok(None);
    store.newest(tx.snap(), table.id, key, &mut |view| {
        found = match view.newest {
            Newest::Locked(holder) => Err(Failure::Wait(Blocked { holder })),
            Newest::Mine(row) => Ok(row),
            Newest::Committed {
                row: Some(_),
                after_snapshot: true,
            } if tx.isolation != Isolation::ReadCommitted => Err(concurrent_change(false).into()),
            Newest::Committed { row, .. } => Ok(row),
        }
        .and_then(|row| match row {
            Some(_) if updating => match store.sharer_other_than(tx.id, table.id, key, false) {
                Some(holder) => Err(Failure::Wait(Blocked { holder })),
                None => Ok(row),
            },
            _ => Ok(row),
        })
        .and_then(|row| {
            row.map(|row| decode_row(&row, table.columns.len()))
                .transpose()
                .map_err(Failure::from)
        });
    })?;
    found
}

/// PostgreSQL's error for a row changed after the snapshot of a REPEATABLE READ or SERIALIZABLE
/// transaction that wants to change it.
fn concurrent_change(deleted: bool) -> SqlError {
    SqlError::new(
        code::SERIALIZATION_FAILURE,
        format!(
            "could not serialize access due to concurrent {}",
            if deleted { "delete" } else { "update" }
        ),
    )
}

/// Computes a new row's stored generated columns from its other columns (after its defaults
/// or SET values, before [`check_row`], as PostgreSQL does). Their expressions read no other
/// generated column, so the order does not matter.
pub fn generate_columns(table: &TableDef, row: &mut [Value]) -> SqlResult<()> {
    for (at, column) in table.columns.iter().enumerate() {
        let Some(generated) = &column.generated else {
            continue;
        };
        let Some(expr) = &generated.bound else {
            return Err(SqlError::new(
                code::INTERNAL_ERROR,
                format!("generated column \"{}\" is not bound", column.name),
            ));
        };
        let value = expr.eval(row, &EvalContext::new(&[], 0))?;
        row[at] = value;
    }
    Ok(())
}

/// PostgreSQL's checks of a new row: its columns' domains, NOT NULL columns, then CHECK constraints (23514 when one is
/// false; NULL passes), with the failing row.
pub fn check_row(table: &TableDef, row: &[Value]) -> SqlResult<()> {
    // The values become the columns' domains' first, as PostgreSQL coerces a new tuple's
    // values before it checks the relation's constraints.
    for (column, value) in table.columns.iter().zip(row) {
        let Some(domain) = &column.domain else {
            continue;
        };
        let Some(coerce) = &domain.bound else {
            return Err(SqlError::new(
                code::INTERNAL_ERROR,
                format!("the domain of column \"{}\" is not bound", column.name),
            ));
        };
        coerce.check(value, 0)?;
    }
    check_not_null(table, row)?;
    for check in &table.checks {
        let Some(condition) = &check.bound else {
            return Err(SqlError::new(
                code::INTERNAL_ERROR,
                format!("check constraint \"{}\" is not bound", check.name),
            ));
        };
        let passed = condition.eval(row, &EvalContext::new(&[], 0))?;
        if check.view && passed != Value::Bool(true) {
            return Err(SqlError::new(
                code::WITH_CHECK_OPTION_VIOLATION,
                format!("new row violates check option for view \"{}\"", check.name),
            )
            .with_detail(format!("Failing row contains ({}).", row_text(table, row))));
        }
        if passed == Value::Bool(false) {
            return Err(SqlError::new(
                "23514",
                format!(
                    "new row for relation \"{}\" violates check constraint \"{}\"",
                    crate::catalog::relname(&table.name),
                    check.name
                ),
            )
            .with_detail(format!("Failing row contains ({}).", row_text(table, row))));
        }
    }
    Ok(())
}

/// PostgreSQL's not-null violation, with the failing row.
fn check_not_null(table: &TableDef, row: &[Value]) -> SqlResult<()> {
    for (column, value) in table.columns.iter().zip(row) {
        if column.not_null && value.is_null() {
            return Err(SqlError::new(
                code::NOT_NULL_VIOLATION,
                format!(
                    "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                    column.name,
                    crate::catalog::relname(&table.name)
                ),
            )
            .with_detail(format!("Failing row contains ({}).", row_text(table, row))));
        }
    }
    Ok(())
}

/// A row as PostgreSQL prints it in error details: `1, null, abc`.
pub fn row_text(table: &TableDef, row: &[Value]) -> String {
    table
        .columns
        .iter()
        .zip(row)
        .map(|(column, value)| {
            if value.is_null() {
                "null".to_string()
            } else {
                to_text(value, column.ty)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text of a row's key columns: `(a, b)=(1, 2)`.
pub fn key_text(table: &TableDef, columns: &[usize], row: &[Value]) -> String {
    let values: Vec<Value> = columns.iter().map(|&c| row[c].clone()).collect();
    key_values_text(table, columns, &values)
}

/// [`key_text`] of a key given as its values (one per column of `columns`).
pub fn key_values_text(table: &TableDef, columns: &[usize], values: &[Value]) -> String {
    let names: Vec<&str> = columns
        .iter()
        .map(|&c| table.columns[c].name.as_str())
        .collect();
    let values: Vec<String> = columns
        .iter()
        .zip(values)
        .map(|(&c, v)| key_value_text(v, table.columns[c].ty))
        .collect();
    format!("({})=({})", names.join(", "), values.join(", "))
}

/// One value of a key as PostgreSQL's `Key (...)=(...)` details write it (`null` for NULL,
/// which a NULLS NOT DISTINCT key may hold).
pub fn key_value_text(value: &Value, ty: crate::types::DataType) -> String {
    match value {
        Value::Null => "null".into(),
        value => to_text(value, ty),
    }
}

fn duplicate_key(table: &TableDef, row: &[Value]) -> SqlError {
    SqlError::new(
        code::UNIQUE_VIOLATION,
        format!(
            "duplicate key value violates unique constraint \"{}\"",
            crate::catalog::relname(&table.pkey_name())
        ),
    )
    .with_detail(format!(
        "Key {} already exists.",
        key_text(table, &table.primary_key, row)
    ))
}

fn as_bound(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(key) => Bound::Included(key),
        Bound::Excluded(key) => Bound::Excluded(key),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// A page that could not be read, as the statement's error: XX001 for a page that fails its
/// checksum (the message names the file and page), 58030 for a device error.
fn storage_error(error: keel_storage::bm::BmError) -> SqlError {
    match error {
        error @ keel_storage::bm::BmError::Corrupt { .. } => {
            SqlError::new(code::DATA_CORRUPTED, error.to_string())
        }
        error => SqlError::new(code::IO_ERROR, format!("could not read a page: {error}")),
    }
}
