//! keel-storage: where rows live on one worker, and how they survive a crash.
//!
//! - [`bm`]: the vmcache-style buffer manager: one virtual range per file, a page-state array that is
//!   also the latch, misses read straight into the page's address, clock eviction in batches,
//!   checksummed pages.
//! - [`checkpoint`]: copy-on-write checkpoints of a worker's data file (the round, the file format).
//! - [`btree`]: B+trees on those pages with optimistic lock coupling, fence keys, overflow values,
//!   splits and merges.
//! - [`hash`]: the fast hasher of the maps a worker consults per row (row locks, trees).
//! - [`engine`]: a worker's page space (one data file) and the ordered key/value tree a vshard's
//!   table data sits in.
//! - [`mvcc`]: timestamps, snapshots, version headers and the horizon of undo-log MVCC.
//! - [`ssi`]: serializable snapshot isolation: the rw-conflict graph and PostgreSQL's
//!   dangerous-structure checks.
//! - [`store`]: a worker's share of the data: one engine tree per (table, vshard) holding the newest
//!   versions, an undo tree of older ones, row locks, per-transaction write sets, purge.
//! - [`waits`]: the node's wait-for graph, searched for deadlocks after `deadlock_timeout`.
//! - [`wal`]: the per-worker write-ahead log: row-level records with checksums, group commit through
//!   io_uring, and recovery.
//!
//! Keys and rows are bytes here; the SQL layer owns their encodings. Nothing in this crate is shared
//! between threads: each worker owns its [`store::Store`] and its [`wal::Wal`].

pub mod bm;
pub mod btree;
pub mod checkpoint;
pub mod engine;
pub mod hash;
pub mod mvcc;
pub mod ssi;
pub mod store;
pub mod waits;
pub mod wal;

/// A table's identity, never reused (a dropped and re-created table gets a new id).
pub type TableId = u64;
/// A transaction's identity: `counter << 8 | worker`, unique across restarts (see [`wal::Recovered`]).
pub type TxnId = u64;
/// A virtual shard: the unit of ownership (one worker at a time) and, later, of movement.
pub type VShard = u16;
/// A worker (core) number.
pub type WorkerId = u16;

/// Number of vshards a table's keys hash into. Fixed for the life of a data directory.
pub const VSHARD_COUNT: u16 = 256;

/// A table's placement rule: how many leading bytes of a key choose its vshard; 0 (and any key
/// shorter than that): the whole key. A rule that hashes exactly the encoding of the key's first
/// column puts every row with one value there on one vshard (ScyllaDB's partition key), so a
/// lookup by that column alone goes to one tree on one worker, and tables keyed by the same
/// values (orders and their lines) are placed alike. The SQL layer picks a table's rule when it
/// creates the table and never changes it (`TableDef::placement`).
pub type Placement = u8;

/// The placement by the whole key (index entries, sequences' rows, hidden row ids, and tables
/// made before placements existed).
pub const WHOLE_KEY: Placement = 0;

/// The vshard a key of a table placed by `placement` belongs to: a hash of the key's bytes (or of
/// its first `placement` bytes), so that placement does not depend on the key's type and adjacent
/// keys spread over workers.
pub fn vshard_of(key: &[u8], placement: Placement) -> VShard {
    let n = placement as usize;
    let hashed = if n == 0 || key.len() < n {
        key
    } else {
        &key[..n]
    };
    (crc32c::crc32c(hashed) % VSHARD_COUNT as u32) as VShard
}

/// The vshard every key between `a` and `b` (of a table placed by `placement`) belongs to, when
/// one does: they are equal, or share the placement prefix (keys between two that share a prefix
/// share it too).
pub fn range_vshard(a: &[u8], b: &[u8], placement: Placement) -> Option<VShard> {
    let n = placement as usize;
    let shared = a == b || (n > 0 && a.len() >= n && b.len() >= n && a[..n] == b[..n]);
    shared.then(|| vshard_of(a, placement))
}

/// The worker that owns `vshard` when the node runs `workers` workers.
pub fn owner_of(vshard: VShard, workers: usize) -> WorkerId {
    (vshard as usize % workers) as WorkerId
}

/// The worker a transaction id was minted on.
pub fn txn_worker(txn: TxnId) -> WorkerId {
    (txn & 0xff) as WorkerId
}
