//! Cumulative activity statistics: what `pg_stat_user_tables`, `pg_stat_user_indexes` and
//! `pg_stat_database` show (PostgreSQL's "cumulative statistics system", pgstat).
//!
//! The counts are kept the shared-nothing way: each worker has one [`Slot`] that only that
//! worker writes, under a mutex nobody else takes but a session reading the views, which sums
//! the slots ([`Registry::tables`], [`Registry::database`]). Nothing is counted per row: each
//! request a worker serves adds its totals once (`Shard::serve`), so the cost is one uncontended
//! lock per request.
//!
//! Who counts what:
//! - **Scans** (`seq_scan`, `idx_scan`) are counted by the session that plans the access, once
//!   per scan however many workers take part (`Session::targets`, the semi-join seeks): a scan
//!   on a node of eight workers is one scan, as a query is in PostgreSQL without parallel
//!   workers.
//! - **Rows read** (`seq_tup_read`: visible rows a whole-table read visited before its filter;
//!   `idx_tup_fetch`: visible rows read by key) and **rows written** (`n_tup_ins`, `n_tup_upd`,
//!   `n_tup_del`: counted when the statement writes them, committed or not, as in PostgreSQL)
//!   by the worker that read or wrote them.
//! - **Live and dead rows** by the store that commits and purges them
//!   ([`keel_storage::store::Store::take_changes`], taken by the worker): a committed insert adds a live row, a committed delete takes one away, and
//!   each version a commit replaces (an update's or a delete's) is a dead row until the
//!   background purge drops its undo record, which is Keel's vacuum: `n_dead_tup` is exactly
//!   the versions waiting for it, and a purge round that drops some is an autovacuum.
//!   `ANALYZE` sets each worker's live count to the rows its sample saw; at start the counts
//!   begin from the last ANALYZE's row count ([`Registry::seed`]).
//! - **Transactions** (`xact_commit`, `xact_rollback`) and sessions by the session's worker.
//!
//! The counts live in memory. As PostgreSQL's, they are kept over a clean shutdown and dropped
//! after a crash: a node that shuts down cleanly writes them to `keel.pgstat` in its data
//! directory ([`Registry::save`]), and a starting node reads that file and deletes it
//! ([`Registry::load`]), so a crash later leaves none behind. Saved live-row counts are taken
//! as they were (a restart changes no rows); dead rows are not kept, since the versions they
//! count do not outlive the process (their undo records are in memory).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use keel_storage::bm::BufferManager;
use keel_storage::store::TableChange;
use keel_storage::wal::WalStats;
use keel_storage::TableId;
use serde::{Deserialize, Serialize};

/// One table's counters (or one worker's share of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableCounts {
    pub seq_scan: i64,
    pub seq_tup_read: i64,
    pub idx_scan: i64,
    pub idx_tup_fetch: i64,
    pub n_tup_ins: i64,
    pub n_tup_upd: i64,
    pub n_tup_del: i64,
    /// Updates that changed no indexed column: they wrote no index entry (PostgreSQL's HOT
    /// updates, which Keel's in-place updates are whenever no index key changes).
    pub n_tup_hot_upd: i64,
    /// Committed inserts minus committed deletes since the worker's last sample of the table
    /// (absolute once `sampled`).
    pub n_live_tup: i64,
    /// `n_live_tup` counts from an ANALYZE sample on this worker, not from the seed.
    pub sampled: bool,
    /// Versions replaced by commits whose undo records are not purged yet.
    pub n_dead_tup: i64,
    pub n_mod_since_analyze: i64,
    pub n_ins_since_vacuum: i64,
    /// Timestamps: microseconds since 2000-01-01 UTC.
    pub last_vacuum: Option<i64>,
    pub last_autovacuum: Option<i64>,
    pub last_analyze: Option<i64>,
    pub last_autoanalyze: Option<i64>,
    pub vacuum_count: i64,
    pub autovacuum_count: i64,
    pub analyze_count: i64,
    pub autoanalyze_count: i64,
}

impl TableCounts {
    /// Adds another worker's share.
    fn add(&mut self, other: &TableCounts) {
        self.seq_scan += other.seq_scan;
        self.seq_tup_read += other.seq_tup_read;
        self.idx_scan += other.idx_scan;
        self.idx_tup_fetch += other.idx_tup_fetch;
        self.n_tup_ins += other.n_tup_ins;
        self.n_tup_upd += other.n_tup_upd;
        self.n_tup_del += other.n_tup_del;
        self.n_tup_hot_upd += other.n_tup_hot_upd;
        self.n_live_tup += other.n_live_tup;
        self.sampled |= other.sampled;
        self.n_dead_tup += other.n_dead_tup;
        self.n_mod_since_analyze += other.n_mod_since_analyze;
        self.n_ins_since_vacuum += other.n_ins_since_vacuum;
        self.last_vacuum = self.last_vacuum.max(other.last_vacuum);
        self.last_autovacuum = self.last_autovacuum.max(other.last_autovacuum);
        self.last_analyze = self.last_analyze.max(other.last_analyze);
        self.last_autoanalyze = self.last_autoanalyze.max(other.last_autoanalyze);
        self.vacuum_count += other.vacuum_count;
        self.autovacuum_count += other.autovacuum_count;
        self.analyze_count += other.analyze_count;
        self.autoanalyze_count += other.autoanalyze_count;
    }
}

/// One index's counters: scans of it and the entries they returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexCounts {
    pub idx_scan: i64,
    pub idx_tup_read: i64,
}

/// An index as the counters name it: a table's primary key, or a secondary index (its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndexRef {
    PrimaryKey(TableId),
    Secondary(TableId),
}

/// The database's counters (one database per node).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseCounts {
    pub xact_commit: i64,
    pub xact_rollback: i64,
    pub blks_read: i64,
    pub blks_hit: i64,
    pub temp_files: i64,
    pub temp_bytes: i64,
    pub deadlocks: i64,
    pub sessions: i64,
    pub sessions_abandoned: i64,
    pub sessions_fatal: i64,
    pub sessions_killed: i64,
    /// Microseconds (the views show milliseconds).
    pub session_time: i64,
    pub active_time: i64,
    pub idle_in_transaction_time: i64,
}

impl DatabaseCounts {
    fn add(&mut self, other: &DatabaseCounts) {
        self.xact_commit += other.xact_commit;
        self.xact_rollback += other.xact_rollback;
        self.blks_read += other.blks_read;
        self.blks_hit += other.blks_hit;
        self.deadlocks += other.deadlocks;
        self.sessions += other.sessions;
        self.sessions_abandoned += other.sessions_abandoned;
        self.sessions_fatal += other.sessions_fatal;
        self.sessions_killed += other.sessions_killed;
        self.session_time += other.session_time;
        self.active_time += other.active_time;
        self.idle_in_transaction_time += other.idle_in_transaction_time;
    }
}

/// What one worker counted.
#[derive(Debug, Default)]
pub struct Slot {
    pub tables: HashMap<TableId, TableCounts>,
    pub indexes: HashMap<IndexRef, IndexCounts>,
    pub database: DatabaseCounts,
}

impl Slot {
    pub fn table(&mut self, table: TableId) -> &mut TableCounts {
        self.tables.entry(table).or_default()
    }

    pub fn index(&mut self, index: IndexRef) -> &mut IndexCounts {
        self.indexes.entry(index).or_default()
    }

    /// Applies what the worker's store committed and purged ([`keel_storage::store::Store::take_changes`]); `now` stamps
    /// the tables a purge cleaned.
    pub fn apply(&mut self, changes: HashMap<TableId, TableChange>, now: i64) {
        for (table, change) in changes {
            let counts = self.table(table);
            if change.truncated {
                // Every worker empties its part: the live count is known again (zero).
                counts.n_live_tup = 0;
                counts.sampled = true;
                counts.n_dead_tup = 0;
            }
            counts.n_live_tup += change.inserted - change.deleted;
            counts.n_dead_tup = (counts.n_dead_tup + change.replaced - change.purged).max(0);
            counts.n_mod_since_analyze += change.inserted + change.updated + change.deleted;
            if change.purged > 0 {
                counts.last_autovacuum = Some(now);
                counts.autovacuum_count += 1;
            }
        }
    }
}

/// The node's counters summed at one moment, as the `pg_stat_*` views show them.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub tables: HashMap<TableId, TableCounts>,
    pub indexes: HashMap<IndexRef, IndexCounts>,
    pub database: DatabaseCounts,
    /// When the counters were last reset (None: never).
    pub reset_at: Option<i64>,
    pub wal: WalCounts,
    pub bgwriter: BgwriterCounts,
    /// When `pg_stat_archiver` was last reset.
    pub archiver_reset_at: i64,
}

/// What a reset function sets back to zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// `pg_stat_reset()`: the database's counters.
    Database,
    /// `pg_stat_reset_single_table_counters(oid)`.
    Table(i64),
    /// `pg_stat_reset_shared('wal')`.
    Wal,
    /// `pg_stat_reset_shared('bgwriter')`.
    Bgwriter,
    /// `pg_stat_reset_shared('archiver')`.
    Archiver,
}

/// The write-ahead logs' counters summed over the workers (`pg_stat_wal`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WalCounts {
    pub records: i64,
    pub bytes: i64,
    /// Durable writes: each is a write and an `fdatasync`, linked (so PostgreSQL's wal_write
    /// and wal_sync are both this).
    pub writes: i64,
    /// Microseconds those writes took (submission to completion).
    pub write_micros: i64,
    /// When they were last reset (`pg_stat_reset_shared('wal')`; else when the node started).
    pub reset_at: i64,
}

/// The checkpointer's and the buffer pools' writes (`pg_stat_bgwriter`). Keel has no background
/// writer: its columns stay 0.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BgwriterCounts {
    /// Checkpoint rounds run on schedule (`storage.checkpoint_interval_s`).
    pub timed: i64,
    /// Rounds run on request (CHECKPOINT).
    pub requested: i64,
    /// Milliseconds the rounds spent writing pages, and then syncing the data files and writing
    /// the checkpoint files (per round the slowest worker's).
    pub write_ms: f64,
    pub sync_ms: f64,
    /// Pages written for checkpoints.
    pub checkpoint_pages: i64,
    /// Pages written by evictions (PostgreSQL's buffers_backend: written to make room).
    pub evicted_pages: i64,
    /// Pages read into the pools or made new there (buffers_alloc).
    pub allocated_pages: i64,
    /// When they were last reset (`pg_stat_reset_shared('bgwriter')`; else the node's start).
    pub reset_at: i64,
}

/// The node's counters: one slot per worker, and what the counts start from.
pub struct Registry {
    slots: Vec<Mutex<Slot>>,
    /// Live rows per table at start (the last ANALYZE's count), for tables no sample has
    /// counted since.
    seed: Mutex<HashMap<TableId, i64>>,
    /// When the database's counters were last reset (None: never).
    reset_at: Mutex<Option<i64>>,
    /// The workers' buffer pools, whose counters are the blocks read and hit, and those
    /// counters when last reset (pages latched, pages read).
    pools: Mutex<Vec<Arc<BufferManager>>>,
    pools_at_reset: Mutex<(u64, u64)>,
    /// [`crate::spill::temp_file_totals`] when last reset.
    temp_at_reset: Mutex<(u64, u64)>,
    /// The workers' logs (`pg_stat_wal`), and their sums when last reset.
    wals: Mutex<Vec<Arc<WalStats>>>,
    wal_at_reset: Mutex<WalCounts>,
    /// The checkpointer's rounds and times so far ([`Registry::add_checkpoint`]), and
    /// [`Registry::bgwriter`]'s sums when last reset.
    checkpoints: Mutex<BgwriterCounts>,
    bgwriter_at_reset: Mutex<BgwriterCounts>,
    /// When `pg_stat_archiver` was last reset (Keel archives no log: its only changing column).
    archiver_reset_at: Mutex<i64>,
    /// Blocks read and hit, temporary files and bytes, counted before the node last started
    /// (from [`Registry::load`]); the pools' and temporary files' own counts add to them.
    carried: Mutex<[i64; 4]>,
}

/// What [`Registry::save`] writes: the summed counters.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Saved {
    reset_at: Option<i64>,
    database: DatabaseCounts,
    tables: Vec<SavedTable>,
    indexes: Vec<SavedIndex>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedTable {
    table: TableId,
    counts: TableCounts,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedIndex {
    index: IndexRef,
    counts: IndexCounts,
}

impl Registry {
    pub fn new(workers: usize) -> Registry {
        Registry {
            slots: (0..workers.max(1))
                .map(|_| Mutex::new(Slot::default()))
                .collect(),
            seed: Mutex::default(),
            reset_at: Mutex::default(),
            pools: Mutex::default(),
            pools_at_reset: Mutex::default(),
            temp_at_reset: Mutex::default(),
            carried: Mutex::default(),
            wals: Mutex::default(),
            wal_at_reset: Mutex::new(WalCounts {
                reset_at: crate::types::now_timestamp(),
                ..WalCounts::default()
            }),
            checkpoints: Mutex::default(),
            archiver_reset_at: Mutex::new(crate::types::now_timestamp()),
            bgwriter_at_reset: Mutex::new(BgwriterCounts {
                reset_at: crate::types::now_timestamp(),
                ..BgwriterCounts::default()
            }),
        }
    }

    /// Writes the counters to `path` (a clean shutdown; see the module docs).
    pub fn save(&self, path: &std::path::Path) -> std::io::Result<()> {
        let snapshot = self.snapshot();
        let saved = Saved {
            reset_at: snapshot.reset_at,
            database: snapshot.database,
            tables: snapshot
                .tables
                .into_iter()
                .map(|(table, counts)| SavedTable { table, counts })
                .collect(),
            indexes: snapshot
                .indexes
                .into_iter()
                .map(|(index, counts)| SavedIndex { index, counts })
                .collect(),
        };
        let text = toml::to_string(&saved).map_err(std::io::Error::other)?;
        let fresh = path.with_extension("pgstat.new");
        std::fs::write(&fresh, text)?;
        std::fs::rename(&fresh, path)
    }

    /// Starts from the counters [`Registry::save`] wrote to `path`, if it did, and deletes the
    /// file (a crash from here on loses the counters, as in PostgreSQL). A file that cannot be
    /// read is reported and dropped: the counters start from zero.
    pub fn load(&self, path: &std::path::Path) -> Result<bool, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(format!("could not read {}: {error}", path.display())),
        };
        std::fs::remove_file(path)
            .map_err(|error| format!("could not remove {}: {error}", path.display()))?;
        let saved: Saved = toml::from_str(&text)
            .map_err(|error| format!("could not read {}: {error}", path.display()))?;
        self.with(0, |slot| {
            for SavedTable { table, mut counts } in saved.tables {
                // The live count as it was (absolute, like a sample's); no dead versions
                // outlive the process.
                counts.sampled = true;
                counts.n_dead_tup = 0;
                slot.tables.insert(table, counts);
            }
            for SavedIndex { index, counts } in saved.indexes {
                slot.indexes.insert(index, counts);
            }
            slot.database = saved.database.clone();
        });
        let database = &saved.database;
        *self.carried.lock().unwrap_or_else(|p| p.into_inner()) = [
            database.blks_read,
            database.blks_hit,
            database.temp_files,
            database.temp_bytes,
        ];
        *self.reset_at.lock().unwrap_or_else(|p| p.into_inner()) = saved.reset_at;
        Ok(true)
    }

    /// A worker's buffer pool, counted in `blks_read` and `blks_hit`.
    pub fn add_pool(&self, pool: Arc<BufferManager>) {
        self.pools
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(pool);
    }

    /// A worker's write-ahead log, counted in `pg_stat_wal`.
    pub fn add_wal(&self, wal: Arc<WalStats>) {
        self.wals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(wal);
    }

    /// A checkpoint round finished: on schedule or on `requested`, with the time its slowest
    /// worker spent writing pages and then syncing.
    pub fn add_checkpoint(&self, requested: bool, write_ms: f64, sync_ms: f64) {
        let mut counts = self.checkpoints.lock().unwrap_or_else(|p| p.into_inner());
        if requested {
            counts.requested += 1;
        } else {
            counts.timed += 1;
        }
        counts.write_ms += write_ms;
        counts.sync_ms += sync_ms;
    }

    /// `pg_stat_bgwriter`'s counts since the last reset.
    pub fn bgwriter(&self) -> BgwriterCounts {
        let then = *self
            .bgwriter_at_reset
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let now = self.bgwriter_totals();
        BgwriterCounts {
            timed: now.timed - then.timed,
            requested: now.requested - then.requested,
            write_ms: now.write_ms - then.write_ms,
            sync_ms: now.sync_ms - then.sync_ms,
            checkpoint_pages: now.checkpoint_pages - then.checkpoint_pages,
            evicted_pages: now.evicted_pages - then.evicted_pages,
            allocated_pages: now.allocated_pages - then.allocated_pages,
            reset_at: then.reset_at,
        }
    }

    /// The checkpointer's counts and the pools' page counters since the node started.
    fn bgwriter_totals(&self) -> BgwriterCounts {
        let mut totals = *self.checkpoints.lock().unwrap_or_else(|p| p.into_inner());
        for pool in self.pools.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let stats = pool.stats();
            let count =
                |counter: &std::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed) as i64;
            let checkpoint = count(&stats.checkpoint_writes);
            totals.checkpoint_pages += checkpoint;
            totals.evicted_pages += (count(&stats.writes) - checkpoint).max(0);
            totals.allocated_pages += count(&stats.reads) + count(&stats.allocated);
        }
        totals
    }

    /// `pg_stat_reset_shared('bgwriter')`: its counters back to zero, as of `now`.
    pub fn reset_bgwriter(&self, now: i64) {
        let mut then = self.bgwriter_totals();
        then.reset_at = now;
        *self
            .bgwriter_at_reset
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = then;
    }

    /// When `pg_stat_archiver` was last reset.
    pub fn archiver_reset_at(&self) -> i64 {
        *self
            .archiver_reset_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// `pg_stat_reset_shared('archiver')`.
    pub fn reset_archiver(&self, now: i64) {
        *self
            .archiver_reset_at
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = now;
    }

    /// The logs' counters since the last reset.
    pub fn wal(&self) -> WalCounts {
        let wals = self.wals.lock().unwrap_or_else(|p| p.into_inner());
        let then = *self.wal_at_reset.lock().unwrap_or_else(|p| p.into_inner());
        let sum = |count: fn(&WalStats) -> &std::sync::atomic::AtomicU64| {
            let total: u64 = wals.iter().map(|w| count(w).load(Ordering::Relaxed)).sum();
            total as i64
        };
        WalCounts {
            records: sum(|w| &w.records) - then.records,
            bytes: sum(|w| &w.bytes) - then.bytes,
            writes: sum(|w| &w.writes) - then.writes,
            write_micros: sum(|w| &w.write_micros) - then.write_micros,
            reset_at: then.reset_at,
        }
    }

    /// `pg_stat_reset_shared('wal')`: the logs' counters back to zero, as of `now`.
    pub fn reset_wal(&self, now: i64) {
        let current = self.wal();
        let mut then = self.wal_at_reset.lock().unwrap_or_else(|p| p.into_inner());
        *then = WalCounts {
            records: then.records + current.records,
            bytes: then.bytes + current.bytes,
            writes: then.writes + current.writes,
            write_micros: then.write_micros + current.write_micros,
            reset_at: now,
        };
    }

    /// Pages latched and pages read by the workers' pools since they started.
    fn pool_counts(&self) -> (u64, u64) {
        let pools = self.pools.lock().unwrap_or_else(|p| p.into_inner());
        pools.iter().fold((0, 0), |(fixes, reads), pool| {
            let stats = pool.stats();
            (
                fixes + stats.fixes.load(Ordering::Relaxed),
                reads + stats.reads.load(Ordering::Relaxed),
            )
        })
    }

    /// Runs `f` on worker `worker`'s slot (only that worker writes it).
    pub fn with<T>(&self, worker: usize, f: impl FnOnce(&mut Slot) -> T) -> T {
        let slot = &self.slots[worker % self.slots.len()];
        f(&mut slot.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Live rows per table as of the last ANALYZE before start.
    pub fn seed(&self, counts: impl IntoIterator<Item = (TableId, i64)>) {
        let mut seed = self.seed.lock().unwrap_or_else(|p| p.into_inner());
        seed.extend(counts);
    }

    /// Everything, summed over the workers.
    pub fn snapshot(&self) -> Snapshot {
        let (database, reset_at) = self.database();
        Snapshot {
            tables: self.tables(),
            indexes: self.indexes(),
            database,
            reset_at,
            wal: self.wal(),
            bgwriter: self.bgwriter(),
            archiver_reset_at: self.archiver_reset_at(),
        }
    }

    /// Every table's counters summed over the workers.
    pub fn tables(&self) -> HashMap<TableId, TableCounts> {
        let mut all: HashMap<TableId, TableCounts> = HashMap::new();
        for slot in &self.slots {
            let slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            for (table, counts) in &slot.tables {
                all.entry(*table).or_default().add(counts);
            }
        }
        let seed = self.seed.lock().unwrap_or_else(|p| p.into_inner());
        for (table, counts) in all.iter_mut() {
            if !counts.sampled {
                counts.n_live_tup += seed.get(table).copied().unwrap_or(0);
            }
            counts.n_live_tup = counts.n_live_tup.max(0);
        }
        for (table, rows) in seed.iter() {
            all.entry(*table).or_insert_with(|| TableCounts {
                n_live_tup: *rows,
                ..TableCounts::default()
            });
        }
        all
    }

    /// Every index's counters summed over the workers.
    pub fn indexes(&self) -> HashMap<IndexRef, IndexCounts> {
        let mut all: HashMap<IndexRef, IndexCounts> = HashMap::new();
        for slot in &self.slots {
            let slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            for (index, counts) in &slot.indexes {
                let sum = all.entry(*index).or_default();
                sum.idx_scan += counts.idx_scan;
                sum.idx_tup_read += counts.idx_tup_read;
            }
        }
        all
    }

    /// The database's counters summed over the workers, and when they were last reset.
    pub fn database(&self) -> (DatabaseCounts, Option<i64>) {
        let mut sum = DatabaseCounts::default();
        for slot in &self.slots {
            sum.add(&slot.lock().unwrap_or_else(|p| p.into_inner()).database);
        }
        let (fixes, reads) = self.pool_counts();
        let (fixes_then, reads_then) = *self
            .pools_at_reset
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let (fixes, reads) = (
            fixes.saturating_sub(fixes_then),
            reads.saturating_sub(reads_then),
        );
        sum.blks_read = reads as i64;
        // A page read is latched too: the other latches found it resident.
        sum.blks_hit = fixes.saturating_sub(reads) as i64;
        let (files, bytes) = crate::spill::temp_file_totals();
        let (files_then, bytes_then) =
            *self.temp_at_reset.lock().unwrap_or_else(|p| p.into_inner());
        sum.temp_files = files.saturating_sub(files_then) as i64;
        sum.temp_bytes = bytes.saturating_sub(bytes_then) as i64;
        let [blks_read, blks_hit, temp_files, temp_bytes] =
            *self.carried.lock().unwrap_or_else(|p| p.into_inner());
        sum.blks_read += blks_read;
        sum.blks_hit += blks_hit;
        sum.temp_files += temp_files;
        sum.temp_bytes += temp_bytes;
        (
            sum,
            *self.reset_at.lock().unwrap_or_else(|p| p.into_inner()),
        )
    }

    /// `pg_stat_reset()`: every counter of the database back to zero, as of `now`.
    pub fn reset(&self, now: i64) {
        for slot in &self.slots {
            *slot.lock().unwrap_or_else(|p| p.into_inner()) = Slot::default();
        }
        self.seed.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *self
            .pools_at_reset
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = self.pool_counts();
        *self.temp_at_reset.lock().unwrap_or_else(|p| p.into_inner()) =
            crate::spill::temp_file_totals();
        *self.carried.lock().unwrap_or_else(|p| p.into_inner()) = [0; 4];
        *self.reset_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
    }

    /// `pg_stat_reset_single_table_counters(oid)`: one table's counters (and its indexes')
    /// back to zero.
    pub fn reset_table(&self, table: TableId, indexes: &[TableId]) {
        for slot in &self.slots {
            let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
            slot.tables.remove(&table);
            slot.indexes.remove(&IndexRef::PrimaryKey(table));
            for index in indexes {
                slot.indexes.remove(&IndexRef::Secondary(*index));
            }
        }
        self.seed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_sum_and_live_rows_start_from_the_seed() {
        let registry = Registry::new(2);
        registry.seed([(7, 100), (8, 5)]);
        registry.with(0, |slot| {
            slot.table(7).seq_scan += 1;
            let mut changes = HashMap::new();
            changes.insert(
                7,
                TableChange {
                    inserted: 3,
                    deleted: 1,
                    updated: 2,
                    replaced: 3,
                    purged: 0,
                    truncated: false,
                },
            );
            slot.apply(changes, 10);
        });
        registry.with(1, |slot| {
            let mut changes = HashMap::new();
            changes.insert(
                7,
                TableChange {
                    purged: 2,
                    ..TableChange::default()
                },
            );
            slot.apply(changes, 20);
        });
        let tables = registry.tables();
        let t = &tables[&7];
        assert_eq!(t.seq_scan, 1);
        assert_eq!(t.n_live_tup, 102);
        // Worker 1 purged records it counted none of (from before a restart): never below 0.
        assert_eq!(t.n_dead_tup, 3);
        assert_eq!(t.n_mod_since_analyze, 6);
        assert_eq!(t.last_autovacuum, Some(20));
        assert_eq!(t.autovacuum_count, 1);
        assert_eq!(tables[&8].n_live_tup, 5);
        // A sample makes the live count absolute.
        registry.with(0, |slot| {
            let t = slot.table(7);
            t.n_live_tup = 40;
            t.sampled = true;
        });
        registry.with(1, |slot| {
            let t = slot.table(7);
            t.n_live_tup = 41;
            t.sampled = true;
        });
        assert_eq!(registry.tables()[&7].n_live_tup, 81);
        registry.reset_table(7, &[]);
        assert!(!registry.tables().contains_key(&7));
        registry.reset(99);
        assert_eq!(registry.database().1, Some(99));
        assert!(registry.tables().is_empty());
    }
}
