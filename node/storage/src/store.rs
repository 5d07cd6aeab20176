//! A worker's share of the data: trees per (table, vshard), row versions, row locks, write sets.
//!
//! ```text
//!   trees[(table, vshard)] : key -> newest version (mvcc header + row; a tombstone after a delete)
//!   undo                   : (commit ts, table, key) -> the version that commit replaced
//!   commits[txn]           : commit ts of transactions newer than the horizon that wrote here
//!   locks[(table, key)]    : holder txn, before-image (the newest committed version), deleted flag
//!   implicit               : (txn, table) of open transactions' implicitly locked inserts
//!   table_locks[table]     : holder txn of an exclusive table lock (TRUNCATE, table rewrite)
//! ```
//!
//! Invariants (see [`crate::mvcc`] for versions and timestamps):
//! - A row written (or locked FOR UPDATE) by an open transaction is locked by it until it commits or
//!   aborts; nobody else writes it meanwhile (writers get [`Blocked`] and wait for the holder).
//! - Readers see the version their snapshot selects: they start from the before-image of a locked row
//!   (never uncommitted data) and walk the undo tree back past versions committed after the
//!   snapshot. Readers never wait for writers, with one exception: a multi-worker transaction between
//!   its durable commit records and its release, whose commit timestamp is not known here yet (it
//!   takes one log write).
//! - A row inserted where no version was (no row, no tombstone), outside savepoints, is locked
//!   implicitly (InnoDB's implicit locks): no lock-table entry, only the key in the write set's
//!   `fresh` list and the writer's id in the version's header. A reader that finds no explicit
//!   lock asks whether the version's writer has implicit locks on the table (`implicit`, a short
//!   list of open transactions): if so the row is that writer's uncommitted insert (to others: no
//!   before-image, locked; to the writer: its own). The first explicit lock of such a row (the
//!   writer updating or deleting it) converts it into an ordinary lock with no before-image,
//!   taken at level 0, and the `fresh` entry is skipped from then on (a row with an explicit lock
//!   is the lock's business). A bulk insert thus keeps nothing per row but its key: a lock table
//!   of a million rows (~100 MB of hash buckets, a cache miss per probe) cost a quarter of a
//!   COPY's time.
//! - An uncommitted delete keeps the row in place (marked in the lock) so that other readers still
//!   see it; the release writes a tombstone, which purge removes once no snapshot needs the row.
//! - Commit is two steps: [`Store::commit_records`] hands the write set to the log while the locks stay
//!   held; [`Store::release`] runs once the log says the records are durable, with the commit
//!   timestamp. A reader can therefore never observe a change that a crash could still take back.
//! - Every tombstone in place (or in a lock's before-image) has an undo record: purge and recovery
//!   find tombstones through the undo tree.
//!
//! Every method is synchronous: the store is owned by one worker thread and never awaits. A caller that
//! gets [`Blocked`] waits (asynchronously) for the holder to finish and retries the whole operation.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use crate::btree::Direction;
use crate::engine::{PagedTree, Pages};
use crate::hash::FastMap;
use crate::mvcc::{self, Snapshot, Ts};
use crate::wal::Record;
use crate::{vshard_of, Placement, TableId, TxnId, VShard, WHOLE_KEY};

/// The operation must wait for another transaction to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub holder: TxnId,
}

#[derive(Debug)]
struct RowLock {
    holder: TxnId,
    /// The newest committed version when the lock was taken, as stored in place (None: no row).
    before: Option<Vec<u8>>,
    deleted: bool,
    /// The holder changed the row (not just locked it FOR UPDATE).
    changed: bool,
    /// The holder keeps the row's key: it only updated other columns, or locked it FOR NO KEY
    /// UPDATE. A FOR KEY SHARE (a foreign key's check) does not wait for such a lock, nor does
    /// such a lock wait for FOR KEY SHARE holders (PostgreSQL's FOR NO KEY UPDATE).
    key_kept: bool,
    /// The holder's savepoint level when it last recorded the row's state (see `Sub`).
    level: u32,
}

/// A row's key as the lock table and write sets hold it: inline up to 22 bytes (an integer
/// key is nine), so that a probe of a lock table of a million rows compares bytes in the table's
/// own memory instead of following a pointer to them (a second cache miss), and a lock costs no
/// allocation for its key; longer keys go to the heap. Hashes and compares as its bytes, so maps
/// keyed by it are searched by `&[u8]`.
#[derive(Clone)]
enum RowKey {
    Inline(u8, [u8; INLINE_KEY]),
    Heap(Box<[u8]>),
}

/// The longest key a [`RowKey`] holds inline (the enum stays 24 bytes).
const INLINE_KEY: usize = 22;

impl RowKey {
    fn new(key: &[u8]) -> RowKey {
        if key.len() <= INLINE_KEY {
            let mut bytes = [0; INLINE_KEY];
            bytes[..key.len()].copy_from_slice(key);
            RowKey::Inline(key.len() as u8, bytes)
        } else {
            RowKey::Heap(key.into())
        }
    }

    #[inline]
    fn as_slice(&self) -> &[u8] {
        match self {
            RowKey::Inline(len, bytes) => &bytes[..*len as usize],
            RowKey::Heap(bytes) => bytes,
        }
    }
}

impl std::borrow::Borrow<[u8]> for RowKey {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for RowKey {
    fn eq(&self, other: &RowKey) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for RowKey {}

impl std::hash::Hash for RowKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `[u8]` hashes, which `Borrow` requires.
        self.as_slice().hash(state)
    }
}

impl std::fmt::Debug for RowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

/// Row locks (or share locks) by table and key. A map per table, so that a lookup by a borrowed
/// key allocates nothing (a map keyed by `(table, key)` pairs needs an owned pair to look one up),
/// hashed with [`FastHasher`](crate::hash::FastHasher): a bulk insert consults it several times
/// per row.
#[derive(Debug)]
struct RowMap<V> {
    tables: FastMap<TableId, FastMap<RowKey, V>>,
    len: usize,
}

impl<V> Default for RowMap<V> {
    fn default() -> Self {
        RowMap {
            tables: FastMap::default(),
            len: 0,
        }
    }
}

impl<V> RowMap<V> {
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn get(&self, table: TableId, key: &[u8]) -> Option<&V> {
        if self.len == 0 {
            return None;
        }
        self.tables.get(&table)?.get(key)
    }

    /// Whether any row of `table` has an entry.
    fn has_table(&self, table: TableId) -> bool {
        self.len > 0 && self.tables.get(&table).is_some_and(|rows| !rows.is_empty())
    }

    fn get_mut(&mut self, table: TableId, key: &[u8]) -> Option<&mut V> {
        self.tables.get_mut(&table)?.get_mut(key)
    }

    /// The value under `key`, made by `make` if there is none.
    fn get_or_insert_with(
        &mut self,
        table: TableId,
        key: &[u8],
        make: impl FnOnce() -> V,
    ) -> &mut V {
        let rows = self.tables.entry(table).or_default();
        if !rows.contains_key(key) {
            rows.insert(RowKey::new(key), make());
            self.len += 1;
        }
        rows.get_mut(key).expect("present")
    }

    fn insert(&mut self, table: TableId, key: &[u8], value: V) -> &mut V {
        use std::collections::hash_map::Entry;
        match self
            .tables
            .entry(table)
            .or_default()
            .entry(RowKey::new(key))
        {
            Entry::Occupied(mut entry) => {
                entry.insert(value);
                entry.into_mut()
            }
            Entry::Vacant(entry) => {
                self.len += 1;
                entry.insert(value)
            }
        }
    }

    fn remove(&mut self, table: TableId, key: &[u8]) -> Option<V> {
        let rows = self.tables.get_mut(&table)?;
        let value = rows.remove(key)?;
        self.len -= 1;
        if rows.is_empty() {
            self.tables.remove(&table);
        }
        Some(value)
    }

    /// The entries of one table.
    fn of_table(&self, table: TableId) -> impl Iterator<Item = (&[u8], &V)> {
        self.tables
            .get(&table)
            .into_iter()
            .flatten()
            .map(|(key, value)| (key.as_slice(), value))
    }

    fn iter(&self) -> impl Iterator<Item = (TableId, &[u8], &V)> {
        self.tables.iter().flat_map(|(table, rows)| {
            rows.iter()
                .map(|(key, value)| (*table, key.as_slice(), value))
        })
    }
}

/// What ROLLBACK TO SAVEPOINT puts back: recorded the first time a savepoint level touches a row.
#[derive(Debug)]
enum Sub {
    /// A row the transaction had locked before the level, as it was then (with the lock's
    /// strength: a FOR NO KEY UPDATE made FOR UPDATE at the level is one again after it).
    Row {
        table: TableId,
        key: Vec<u8>,
        raw: Option<Vec<u8>>,
        deleted: bool,
        changed: bool,
        key_kept: bool,
        level: u32,
    },
    /// A row first locked at the level.
    NewLock { table: TableId, key: Vec<u8> },
    /// A share lock first taken at the level.
    NewShare { table: TableId, key: Vec<u8> },
    /// A FOR KEY SHARE lock taken before the level and made FOR SHARE at it.
    SharedWhole { table: TableId, key: Vec<u8> },
    /// A row of a table the transaction truncated before the level (it changes such rows
    /// without locks), as it was (None: absent).
    Exclusive {
        table: TableId,
        key: Vec<u8>,
        raw: Option<Vec<u8>>,
    },
}

/// A table a transaction truncated on this worker.
#[derive(Debug)]
struct Truncated {
    table: TableId,
    /// The trees it had: put back by an abort, or by a rollback to a savepoint at or below
    /// `level`.
    old: Vec<(VShard, PagedTree)>,
    /// The savepoint level of the truncate.
    level: u32,
    /// The transaction's own changes to the table's rows before the truncate, set aside: they
    /// are in `old`, their locks are here. An abort undoes them in `old` once it is back; a
    /// rollback to a savepoint at or below `level` puts `old` and the locks back as they were
    /// (then undoes those of them made at or after the savepoint); a commit drops them with
    /// `old`.
    own: OwnRows,
    /// How many savepoint undo records the transaction had (`WriteSet::sub`) at the truncate: a
    /// rollback puts the truncate back after undoing the records made since, before the earlier
    /// ones (those are about the rows in `old`).
    sub_len: usize,
}

/// A transaction's locked rows of one table, taken out of the lock table and write set.
#[derive(Debug, Default)]
struct OwnRows {
    locks: Vec<(RowKey, RowLock)>,
    /// Its implicitly locked inserts (none of them locked explicitly since).
    fresh: Vec<RowKey>,
}

#[derive(Default, Debug)]
struct WriteSet {
    /// Rows this transaction locked, in first-touch order.
    rows: Vec<(TableId, RowKey)>,
    /// Rows it inserted under implicit locks (see the module docs), in insert order; those it
    /// locked explicitly since are in `rows` too and belong to their locks.
    fresh: Vec<(TableId, RowKey)>,
    /// Rows it holds share locks on (SELECT .. FOR SHARE).
    shared: Vec<(TableId, Vec<u8>)>,
    /// Tables this transaction truncated, in order.
    truncated: Vec<Truncated>,
    /// A catalog image this transaction writes: (version, bytes).
    catalog: Option<(u64, Vec<u8>)>,
    /// The savepoint level of its first catalog image: ROLLBACK TO a level at or below it
    /// drops the image (the transaction then changed no catalog); one above it leaves the
    /// image for the session to replace with the catalog as it was at the savepoint.
    catalog_since: u32,
    /// Undo for savepoints: (level, what to put back), in the order recorded.
    sub: Vec<(u32, Sub)>,
}

/// The newest version of a row, as a writer must consider it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Newest<'a> {
    /// This transaction holds the row's lock: its own version (None: it deleted the row).
    Mine(Option<Cow<'a, [u8]>>),
    /// The newest committed version (None: no row, or a committed delete), and whether it was
    /// committed after the reader's snapshot.
    Committed {
        row: Option<Cow<'a, [u8]>>,
        after_snapshot: bool,
    },
    /// Another transaction holds the row's lock.
    Locked(TxnId),
}

/// What a read shows of one row.
pub struct RowView<'a> {
    pub key: &'a [u8],
    /// The version the snapshot sees (None: invisible to it).
    pub visible: Option<Cow<'a, [u8]>>,
    pub newest: Newest<'a>,
    /// The writer of the oldest version the snapshot does not see (committed after it, or being
    /// written): the reader must serialize before it.
    pub newer: Option<TxnId>,
}

/// Result of an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Yes,
    /// A committed or own row already has this key.
    Duplicate,
}

/// A key [`Store::check_inserts`] found free to insert: what lies in place for it (a tombstone, a
/// row its inserter deleted), and whether no lock was on it.
#[derive(Debug)]
pub struct FreeKey {
    raw: Option<Vec<u8>>,
    unlocked: bool,
}

/// One worker's rows.
pub struct Store {
    pages: Pages,
    trees: FastMap<(TableId, VShard), PagedTree>,
    /// vshards that hold a tree, per table (for scans).
    table_vshards: HashMap<TableId, Vec<VShard>>,
    /// Placement rules other than the whole key, per table ([`Store::set_placement`]).
    placements: HashMap<TableId, Placement>,
    /// Versions replaced by commits newer than the horizon (see [`crate::mvcc`]): the young ones in
    /// memory (most are purged within milliseconds), the rest on pages.
    young: BTreeMap<Vec<u8>, Vec<u8>>,
    young_bytes: usize,
    undo: PagedTree,
    /// Commit timestamps of transactions that wrote here, until the horizon passes them.
    commits: FastMap<TxnId, Ts>,
    commit_order: BTreeSet<(Ts, TxnId)>,
    /// Rows in place carry no version header (a data directory of an older format, opened to be
    /// moved into the current one).
    legacy: bool,
    locks: RowMap<RowLock>,
    /// Share locks: rows nobody else may change (or lock FOR UPDATE) until their holders end.
    /// The holders of each row's share locks, and whether each holds only FOR KEY SHARE.
    shares: RowMap<Vec<(TxnId, bool)>>,
    table_locks: HashMap<TableId, TxnId>,
    /// Open transactions with implicitly locked inserts, and the table of each (see the module
    /// docs): (transaction, table), a pair each.
    implicit: Vec<(TxnId, TableId)>,
    txns: FastMap<TxnId, WriteSet>,
    /// Transactions whose commit records are in the log, not yet released: whether each is a
    /// multi-worker one.
    committing: HashMap<TxnId, bool>,
    /// Multi-worker transactions released since the last durable checkpoint's cut.
    released_multi: Vec<TxnId>,
    /// How many of `released_multi` the checkpoint being written lists.
    settled_in_image: usize,
    /// The newest catalog image a released transaction wrote here: (version, bytes).
    catalog: Option<(u64, Vec<u8>)>,
    /// The largest transaction id that changed anything here.
    max_txn: TxnId,
    /// The savepoint level of the operation running now (0: none; see [`Store::set_level`]).
    level: u32,
    /// What commits and purges did per table since [`Store::take_changes`] last took it.
    changes: HashMap<TableId, TableChange>,
}

/// What commits and purges did to one table's row versions in a store (activity statistics:
/// live and dead rows; see [`Store::take_changes`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableChange {
    /// Rows a commit made where there was none (an insert, or a row put over a tombstone).
    pub inserted: i64,
    /// Rows a commit replaced with a new version.
    pub updated: i64,
    /// Rows a commit deleted.
    pub deleted: i64,
    /// Undo records the commits made (one per version they replaced: a dead version until the
    /// purge drops it).
    pub replaced: i64,
    /// Undo records the purge dropped.
    pub purged: i64,
    /// A committed TRUNCATE emptied the table (the counts above came after it).
    pub truncated: bool,
}

/// The smallest byte string greater than every string starting with `prefix` (None: there is
/// none, every byte is 0xff).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Bytes of young undo records a worker keeps in memory before moving the oldest to the undo tree.
const YOUNG_UNDO_BYTES: usize = 8 << 20;

/// What a checkpoint keeps of a store beside its page image: enough to open the trees as of the cut
/// with only released transactions' changes in them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoreImage {
    /// (table, vshard, tree meta page, rows).
    pub trees: Vec<(TableId, VShard, u64, u64)>,
    /// Rows to put back when the image is opened: before-images of rows that open transactions had
    /// changed in place at the cut, and removals of rows that committing transactions deleted (table,
    /// key, row as stored; None: no row).
    pub undo: Vec<(TableId, Vec<u8>, Option<Vec<u8>>)>,
    /// Meta pages of trees that are garbage once the image is opened (a truncate's new trees whose
    /// transaction was open at the cut, or the old trees of one that was committing).
    pub garbage: Vec<u64>,
    /// Meta page of the undo tree at the cut (0: none): garbage once opened, after the tombstones it
    /// explains are removed.
    pub versions: u64,
    /// The newest catalog image released here before the cut.
    pub catalog: Option<(u64, Vec<u8>)>,
    pub max_txn: TxnId,
    /// Multi-worker transactions whose commit records lie before the cut and were released after
    /// the previous cut (see `keel_storage::wal::decide`).
    pub settled: Vec<TxnId>,
}

impl Default for Store {
    /// A store on an in-memory page space (tests).
    fn default() -> Self {
        Store::new(Pages::in_memory(1 << 30))
    }
}

impl Store {
    /// An empty store whose trees live in `pages`.
    pub fn new(pages: Pages) -> Store {
        let undo = PagedTree::new(&pages);
        Store {
            pages,
            trees: FastMap::default(),
            table_vshards: HashMap::new(),
            placements: HashMap::new(),
            young: BTreeMap::new(),
            young_bytes: 0,
            undo,
            commits: FastMap::default(),
            commit_order: BTreeSet::new(),
            legacy: false,
            locks: RowMap::default(),
            shares: RowMap::default(),
            table_locks: HashMap::new(),
            implicit: Vec::new(),
            txns: FastMap::default(),
            committing: HashMap::new(),
            released_multi: Vec::new(),
            settled_in_image: 0,
            catalog: None,
            max_txn: 0,
            level: 0,
            changes: HashMap::new(),
        }
    }

    /// Per table, what commits and purges did since the last call: rows inserted, updated and
    /// deleted by commits, versions they replaced and undo records purged.
    pub fn take_changes(&mut self) -> HashMap<TableId, TableChange> {
        std::mem::take(&mut self.changes)
    }

    /// The savepoint level the next changes are made at (each operation sets it): changes at a
    /// level are undone by [`rollback_to`](Self::rollback_to) that level.
    pub fn set_level(&mut self, level: u32) {
        self.level = level;
    }

    /// Marks the rows in place as headerless (an older data format): they are read as committed
    /// before everything, to be moved into a store of the current format.
    pub fn set_legacy(&mut self) {
        self.legacy = true;
    }

    /// Places `table`'s keys on vshards by `placement` (see [`crate::Placement`]; tables never
    /// named here are placed by the whole key). A table's rule must be set before any of its keys
    /// is read or written here, and must never change.
    pub fn set_placement(&mut self, table: TableId, placement: Placement) {
        if placement != WHOLE_KEY {
            self.placements.insert(table, placement);
        }
    }

    /// The placement rules set here (to carry into stores that take these rows over).
    pub fn placements(&self) -> &HashMap<TableId, Placement> {
        &self.placements
    }

    /// `table`'s placement rule.
    #[inline]
    fn placement(&self, table: TableId) -> Placement {
        self.placements.get(&table).copied().unwrap_or(WHOLE_KEY)
    }

    /// The vshard `key` of `table` lives in.
    #[inline]
    pub fn vshard(&self, table: TableId, key: &[u8]) -> VShard {
        vshard_of(key, self.placement(table))
    }

    /// The vshard every key between `a` and `b` lives in, when one does: they are equal, or share
    /// the table's placement prefix (keys between two that share a prefix share it too).
    fn one_vshard(&self, table: TableId, a: &[u8], b: &[u8]) -> Option<VShard> {
        crate::range_vshard(a, b, self.placement(table))
    }

    /// A store over `pages` holding a checkpoint image: its trees as of the cut, with the changes
    /// of transactions that were open then taken back. `placements` are the tables' placement
    /// rules ([`Store::set_placement`]), needed to put those changes back in the right trees.
    pub fn restore(
        pages: Pages,
        image: &StoreImage,
        placements: &HashMap<TableId, Placement>,
    ) -> Store {
        let mut store = Store::new(pages);
        for (&table, &placement) in placements {
            store.set_placement(table, placement);
        }
        for &(table, vshard, meta, rows) in &image.trees {
            let tree = PagedTree::open(&store.pages, meta, rows as usize);
            store.trees.insert((table, vshard), tree);
            store.table_vshards.entry(table).or_default().push(vshard);
        }
        for vshards in store.table_vshards.values_mut() {
            vshards.sort_unstable();
        }
        for &meta in &image.garbage {
            PagedTree::open(&store.pages, meta, 0).destroy();
        }
        for (table, key, before) in &image.undo {
            store.set_row(*table, key, before.as_deref());
        }
        if image.versions != 0 {
            // No snapshot survives a restart: every tombstone is garbage, and the undo tree with it.
            let versions = PagedTree::open(&store.pages, image.versions, 0);
            let mut explained = Vec::new();
            versions.scan(Bound::Unbounded, Bound::Unbounded, &mut |key, _| {
                let (_, table, key) = mvcc::parse_undo_key(key);
                explained.push((table, key.to_vec()));
                true
            });
            for (table, key) in explained {
                if store
                    .raw(table, &key)
                    .is_some_and(|raw| mvcc::parse(&raw).1.is_none())
                {
                    store.set_row(table, &key, None);
                }
            }
            versions.destroy();
        }
        store.catalog = image.catalog.clone();
        store.max_txn = image.max_txn;
        store
    }

    /// Applies a committed transaction's log record during recovery.
    pub fn redo(&mut self, record: &Record<'_>) {
        self.max_txn = self.max_txn.max(record.txn());
        match *record {
            Record::Put {
                table, key, after, ..
            } => self.set_row(table, key, Some(after)),
            Record::Delete { table, key, .. } => self.set_row(table, key, None),
            Record::Truncate { table, .. } => self.drop_table(table),
            Record::Catalog { version, image, .. } => self.note_catalog(version, image),
            Record::Commit { .. } | Record::Prepared { .. } | Record::Parts { .. } => {}
        }
    }

    fn note_catalog(&mut self, version: u64, image: &[u8]) {
        if self
            .catalog
            .as_ref()
            .is_none_or(|(newest, _)| version > *newest)
        {
            self.catalog = Some((version, image.to_vec()));
        }
    }

    /// The newest catalog this store knows of (released or recovered).
    pub fn newest_catalog(&self) -> Option<&(u64, Vec<u8>)> {
        self.catalog.as_ref()
    }

    /// The largest transaction id that changed anything here (new ids must be larger).
    pub fn max_txn(&self) -> TxnId {
        self.max_txn
    }

    /// Takes over the newest catalog and transaction id of stores this one replaces (recovery
    /// moving rows to a new worker count): its checkpoints must carry them on.
    pub fn inherit(&mut self, catalog: Option<(u64, Vec<u8>)>, max_txn: TxnId) {
        if let Some((version, image)) = catalog {
            self.note_catalog(version, &image);
        }
        self.max_txn = self.max_txn.max(max_txn);
    }

    /// The tables that have trees here.
    pub fn tables(&self) -> Vec<TableId> {
        self.table_vshards.keys().copied().collect()
    }

    /// The largest key of `table` here, including uncommitted rows.
    pub fn last_key(&self, table: TableId) -> Option<Vec<u8>> {
        self.table_vshards
            .get(&table)?
            .iter()
            .filter_map(|vshard| self.trees.get(&(table, *vshard))?.last_key())
            .max()
    }

    /// Notes that `txn`'s commit records are being appended to the log (`multi`: with other
    /// workers as participants). Call before appending them.
    pub fn note_commit(&mut self, txn: TxnId, multi: bool) {
        self.max_txn = self.max_txn.max(txn);
        self.committing.insert(txn, multi);
    }

    /// The cut of a checkpoint (see [`crate::bm::BufferManager::begin_checkpoint`]): what the image
    /// needs beside the pages, and the transactions that were committing at the cut. Their commit
    /// records lie before the cut, so the checkpoint may only be finished once they are released.
    pub fn begin_checkpoint(&mut self) -> (StoreImage, Vec<TxnId>) {
        // Every undo record goes to the tree the image names, so that the tombstones they explain
        // can be found when it is opened.
        self.spill_young(0);
        self.pages.buffer_manager().begin_checkpoint();
        let committing: Vec<TxnId> = self.committing.keys().copied().collect();
        let mut image = StoreImage {
            catalog: self.catalog.clone(),
            max_txn: self.max_txn,
            versions: self.undo.meta_pid(),
            ..Default::default()
        };
        // Until this checkpoint is durable the previous one counts: keep listing what was released
        // since that one's cut (see `checkpoint_durable`).
        image.settled = self.released_multi.clone();
        self.settled_in_image = self.released_multi.len();
        image.settled.extend(
            self.committing
                .iter()
                .filter(|(_, multi)| **multi)
                .map(|(txn, _)| *txn),
        );
        // Tables truncated by open transactions show their old trees; the new ones are garbage.
        let mut replaced: HashMap<TableId, Vec<(VShard, u64, u64)>> = HashMap::new();
        for (txn, writes) in &self.txns {
            let open = !self.committing.contains_key(txn);
            for Truncated {
                table, old, own, ..
            } in &writes.truncated
            {
                let old_trees = old
                    .iter()
                    .map(|(vshard, tree)| (*vshard, tree.meta_pid(), tree.len() as u64));
                if open && !replaced.contains_key(table) {
                    replaced.insert(*table, old_trees.collect());
                    // The transaction's changes from before the truncate are in those trees.
                    for (key, lock) in own.locks.iter().filter(|(_, lock)| lock.changed) {
                        let key = key.as_slice().to_vec();
                        image.undo.push((*table, key, lock.before.clone()));
                    }
                    for key in &own.fresh {
                        image.undo.push((*table, key.as_slice().to_vec(), None));
                    }
                } else {
                    image.garbage.extend(old_trees.map(|(_, meta, _)| meta));
                }
            }
        }
        for ((table, vshard), tree) in &self.trees {
            if replaced.contains_key(table) {
                image.garbage.push(tree.meta_pid());
            } else {
                image
                    .trees
                    .push((*table, *vshard, tree.meta_pid(), tree.len() as u64));
            }
        }
        for (table, trees) in replaced {
            image.trees.extend(
                trees
                    .into_iter()
                    .map(|(vshard, meta, rows)| (table, vshard, meta, rows)),
            );
        }
        for (table, key, lock) in self.locks.iter() {
            if !lock.changed {
                continue;
            }
            if !self.committing.contains_key(&lock.holder) {
                image.undo.push((table, key.to_vec(), lock.before.clone()));
            } else if lock.deleted {
                // Committed in the image, but the row is still in place until the release.
                image.undo.push((table, key.to_vec(), None));
            }
        }
        // Open transactions' implicitly locked inserts are not in the image either.
        for (txn, writes) in &self.txns {
            if self.committing.contains_key(txn) {
                continue;
            }
            for (table, key) in self.still_implicit(&writes.fresh) {
                image.undo.push((table, key.to_vec(), None));
            }
        }
        (image, committing)
    }

    /// The checkpoint begun last is durable: what it lists as settled need not be listed again.
    pub fn checkpoint_durable(&mut self) {
        let listed = std::mem::take(&mut self.settled_in_image);
        self.released_multi
            .drain(..listed.min(self.released_multi.len()));
    }

    /// Whether none of `txns` is still committing (each was released or aborted).
    pub fn settled(&self, txns: &[TxnId]) -> bool {
        txns.iter().all(|txn| !self.committing.contains_key(txn))
    }

    /// The page space under this store's trees.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    /// Loads rows committed before everything (moving rows between stores).
    pub fn load(&mut self, table: TableId, rows: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) {
        for (key, row) in rows {
            let vshard = self.vshard(table, &key);
            self.tree_mut(table, vshard)
                .put(&key, &mvcc::version(0, Some(&row)));
        }
    }

    fn tree_mut(&mut self, table: TableId, vshard: VShard) -> &mut PagedTree {
        let pages = &self.pages;
        self.trees.entry((table, vshard)).or_insert_with(|| {
            let vshards = self.table_vshards.entry(table).or_default();
            vshards.push(vshard);
            vshards.sort_unstable();
            PagedTree::new(pages)
        })
    }

    fn check_table(&self, txn: TxnId, table: TableId) -> Result<(), Blocked> {
        match self.table_locks.get(&table) {
            Some(&holder) if holder != txn => Err(Blocked { holder }),
            _ => Ok(()),
        }
    }

    /// Whether `txn` holds `table`'s exclusive lock (it truncated the table).
    fn exclusive(&self, txn: TxnId, table: TableId) -> bool {
        self.table_locks.get(&table) == Some(&txn)
    }

    fn lock_of(&self, table: TableId, key: &[u8]) -> Option<&RowLock> {
        self.locks.get(table, key)
    }

    /// The open transaction whose implicit lock covers `raw`, the version in place of a row of
    /// `table` that has no explicit lock (see the module docs): its writer, if that writer has
    /// implicitly locked inserts in the table.
    #[inline]
    fn implicit_holder(&self, table: TableId, raw: &[u8]) -> Option<TxnId> {
        if self.implicit.is_empty() || self.legacy {
            return None;
        }
        let writer = self.parse(raw).0;
        self.implicit.contains(&(writer, table)).then_some(writer)
    }

    /// The holder of an implicit lock on `key` of `table`, if one covers the row in place.
    fn implicit_lock(&self, table: TableId, key: &[u8]) -> Option<TxnId> {
        if self.implicit.is_empty() {
            return None;
        }
        (self.raw(table, key)).and_then(|raw| self.implicit_holder(table, &raw))
    }

    /// Of a write set's `fresh` rows, those whose implicit lock still stands (a row locked
    /// explicitly since is its lock's business: logged, released and undone with it).
    fn still_implicit<'a>(
        &'a self,
        fresh: &'a [(TableId, RowKey)],
    ) -> impl Iterator<Item = (TableId, &'a [u8])> + 'a {
        (fresh.iter())
            .map(|(table, key)| (*table, key.as_slice()))
            .filter(|(table, key)| self.locks.get(*table, key).is_none())
    }

    /// Whether some open transaction has implicitly locked inserts in `table`.
    fn has_implicit(&self, table: TableId) -> bool {
        self.implicit.iter().any(|(_, t)| *t == table)
    }

    /// The transaction other than `txn` holding the lock on `key`, if any.
    pub fn lock_holder_other_than(&self, txn: TxnId, table: TableId, key: &[u8]) -> Option<TxnId> {
        let holder = match self.lock_of(table, key) {
            Some(lock) => Some(lock.holder),
            None => self.implicit_lock(table, key),
        };
        holder.filter(|holder| *holder != txn)
    }

    /// A transaction other than `txn` holding a share lock on `key` that a writer must wait
    /// for: any, or, for one that keeps the key (`key_kept`), one holding more than FOR KEY
    /// SHARE.
    pub fn sharer_other_than(
        &self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        key_kept: bool,
    ) -> Option<TxnId> {
        self.shares
            .get(table, key)?
            .iter()
            .find(|(holder, key_only)| *holder != txn && !(key_kept && *key_only))
            .map(|(holder, _)| *holder)
    }

    /// Whether the lock on `key`, if one is there, keeps the row's key (an UPDATE of other
    /// columns, FOR NO KEY UPDATE).
    pub fn lock_keeps_key(&self, table: TableId, key: &[u8]) -> bool {
        self.lock_of(table, key).is_some_and(|lock| lock.key_kept)
    }

    /// The stored bytes in place for `key`.
    fn raw(&self, table: TableId, key: &[u8]) -> Option<Vec<u8>> {
        self.trees.get(&(table, self.vshard(table, key)))?.get(key)
    }

    /// The writer and row of a stored version (legacy rows: written before everything).
    fn parse<'b>(&self, raw: &'b [u8]) -> (TxnId, Option<&'b [u8]>) {
        if self.legacy {
            (0, Some(raw))
        } else {
            mvcc::parse(raw)
        }
    }

    /// The row of a stored version (None: a tombstone).
    fn live<'b>(&self, raw: Cow<'b, [u8]>) -> Option<Cow<'b, [u8]>> {
        let skip = if self.legacy { 0 } else { mvcc::HEADER };
        self.parse(&raw).1?;
        Some(match raw {
            Cow::Borrowed(bytes) => Cow::Borrowed(&bytes[skip..]),
            Cow::Owned(mut bytes) => {
                bytes.drain(..skip);
                Cow::Owned(bytes)
            }
        })
    }

    /// The commit timestamp of a released writer (0: before every live snapshot).
    fn commit_ts(&self, writer: TxnId) -> Ts {
        // Most of the time no released writer is remembered (every snapshot is past them): no
        // hashing per row of a scan then.
        if self.commits.is_empty() {
            return 0;
        }
        self.commits.get(&writer).copied().unwrap_or(0)
    }

    /// The row `snapshot` sees, starting from a committed version of `key` and walking back
    /// through the undo tree past versions committed after the snapshot; with the writer of the
    /// last version passed (None: none was).
    fn resolve<'a>(
        &'a self,
        snapshot: Snapshot,
        table: TableId,
        key: &[u8],
        mut version: Option<Cow<'a, [u8]>>,
    ) -> (Option<Cow<'a, [u8]>>, Option<TxnId>) {
        let mut newer = None;
        loop {
            let Some(raw) = version else {
                return (None, newer);
            };
            let writer = self.parse(&raw).0;
            let ts = self.commit_ts(writer);
            if ts <= snapshot.ts {
                return (self.live(raw), newer);
            }
            newer = Some(writer);
            let undo_key = mvcc::undo_key(ts, table, key);
            version = match self.young.get(&undo_key) {
                Some(young) => Some(Cow::Borrowed(young.as_slice())),
                None => self.undo.get(&undo_key).map(Cow::Owned),
            };
        }
    }

    /// Moves the oldest young undo records to the undo tree until at most `keep` bytes are left.
    fn spill_young(&mut self, keep: usize) {
        while self.young_bytes > keep {
            let Some((key, value)) = self.young.pop_first() else {
                break;
            };
            self.young_bytes -= key.len() + value.len();
            self.undo.put(&key, &value);
        }
    }

    /// What `snapshot` sees of `key`, whose bytes in place are `raw`.
    fn view<'a>(
        &'a self,
        snapshot: Snapshot,
        table: TableId,
        key: &'a [u8],
        raw: Option<&'a [u8]>,
    ) -> Result<RowView<'a>, Blocked> {
        Ok(match self.lock_of(table, key) {
            Some(lock) if lock.holder == snapshot.txn => {
                let own = if lock.deleted {
                    None
                } else {
                    raw.and_then(|raw| self.live(Cow::Borrowed(raw)))
                };
                RowView {
                    key,
                    visible: own.clone(),
                    newest: Newest::Mine(own),
                    newer: None,
                }
            }
            Some(lock) => {
                if self.committing.get(&lock.holder) == Some(&true) {
                    // Its commit timestamp may be older than the snapshot: wait for the release.
                    return Err(Blocked {
                        holder: lock.holder,
                    });
                }
                let (visible, newer) = self.resolve(
                    snapshot,
                    table,
                    key,
                    lock.before.as_deref().map(Cow::Borrowed),
                );
                RowView {
                    key,
                    visible,
                    newest: Newest::Locked(lock.holder),
                    newer: newer.or(lock.changed.then_some(lock.holder)),
                }
            }
            None => match raw.and_then(|raw| Some((raw, self.implicit_holder(table, raw)?))) {
                Some((raw, holder)) => self.implicit_view(snapshot, key, raw, holder)?,
                None => self.committed_view(snapshot, table, key, raw),
            },
        })
    }

    /// [`Store::view`] of `raw`, a row `holder` inserted under an implicit lock: its own row to
    /// it; to others locked, with no version before it.
    fn implicit_view<'a>(
        &'a self,
        snapshot: Snapshot,
        key: &'a [u8],
        raw: &'a [u8],
        holder: TxnId,
    ) -> Result<RowView<'a>, Blocked> {
        if holder == snapshot.txn {
            let own = self.live(Cow::Borrowed(raw));
            return Ok(RowView {
                key,
                visible: own.clone(),
                newest: Newest::Mine(own),
                newer: None,
            });
        }
        if self.committing.get(&holder) == Some(&true) {
            // As for an explicit lock: its commit timestamp may be older than the snapshot.
            return Err(Blocked { holder });
        }
        Ok(RowView {
            key,
            visible: None,
            newest: Newest::Locked(holder),
            newer: Some(holder),
        })
    }

    /// [`Store::view`] of a row nobody holds locked: the version in place, or the one before it
    /// the snapshot sees.
    fn committed_view<'a>(
        &'a self,
        snapshot: Snapshot,
        table: TableId,
        key: &'a [u8],
        raw: Option<&'a [u8]>,
    ) -> RowView<'a> {
        let Some(bytes) = raw else {
            return RowView {
                key,
                visible: None,
                newest: Newest::Committed {
                    row: None,
                    after_snapshot: false,
                },
                newer: None,
            };
        };
        // One parse of the version: its writer and its row (what `live` returns).
        let (writer, body) = self.parse(bytes);
        let row = body.map(Cow::Borrowed);
        let after_snapshot = self.commit_ts(writer) > snapshot.ts;
        // The version in place is the one the snapshot sees unless it committed after
        // the snapshot (what `resolve` finds first, without parsing it again).
        let (visible, newer) = if after_snapshot {
            self.resolve(snapshot, table, key, Some(Cow::Borrowed(bytes)))
        } else {
            (row.clone(), None)
        };
        RowView {
            key,
            visible,
            newest: Newest::Committed {
                row,
                after_snapshot,
            },
            newer,
        }
    }

    /// The version of `key` that `snapshot` sees.
    pub fn get(
        &self,
        snapshot: Snapshot,
        table: TableId,
        key: &[u8],
    ) -> Result<Option<Cow<'_, [u8]>>, Blocked> {
        self.check_table(snapshot.txn, table)?;
        let raw = self.raw(table, key);
        let view = self.view(snapshot, table, key, raw.as_deref())?;
        Ok(view.visible.map(|row| Cow::Owned(row.into_owned())))
    }

    /// What `snapshot` sees of `key` and its newest version, for a writer.
    pub fn newest(
        &self,
        snapshot: Snapshot,
        table: TableId,
        key: &[u8],
        visit: &mut dyn FnMut(RowView<'_>),
    ) -> Result<(), Blocked> {
        self.check_table(snapshot.txn, table)?;
        let raw = self.raw(table, key);
        visit(self.view(snapshot, table, key, raw.as_deref())?);
        Ok(())
    }

    /// Visits every row of `table` on this worker as `snapshot` sees it, until `visit` returns false.
    pub fn scan(
        &self,
        snapshot: Snapshot,
        table: TableId,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<(), Blocked> {
        self.scan_range(snapshot, table, Bound::Unbounded, Bound::Unbounded, visit)
    }

    /// As [`scan`](Self::scan), for keys between `from` and `to` (in key order within each
    /// vshard's tree; the vshards one after the other; only the key's own for a single key). Rows
    /// that no version of exists for anyone (tombstones) are visited too, with nothing visible.
    pub fn scan_range(
        &self,
        snapshot: Snapshot,
        table: TableId,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<(), Blocked> {
        // A single key, or keys sharing the table's placement prefix, live in one vshard's tree:
        // do not descend every other tree for them.
        let single = match (from, to) {
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
                self.one_vshard(table, a, b)
            }
            _ => None,
        };
        self.scan_between(snapshot, table, single, from, to, visit)
            .map(|_| ())
    }

    /// The rows of `table` between `from` and `to`: of vshard `single`'s tree alone when every
    /// such key lives there, else of every tree. Whether `visit` never returned false.
    fn scan_between(
        &self,
        snapshot: Snapshot,
        table: TableId,
        single: Option<VShard>,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<bool, Blocked> {
        match single {
            Some(vshard) => {
                self.check_table(snapshot.txn, table)?;
                self.scan_tree(snapshot, table, vshard, from, to, visit)
            }
            None => self.scan_trees(snapshot, table, |_| Some(from), to, visit),
        }
    }

    /// As [`scan`](Self::scan), for the rows after `after` in the scan's order (all of them for
    /// None): a long scan resumes where its previous part stopped. The vshards' trees are kept in
    /// vshard order and a key lives in its own vshard's tree, so the order is (vshard, key);
    /// trees made after the scan began hold only rows its snapshot cannot see.
    pub fn scan_after(
        &self,
        snapshot: Snapshot,
        table: TableId,
        after: Option<&[u8]>,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<(), Blocked> {
        self.scan_range_after(
            snapshot,
            table,
            (Bound::Unbounded, Bound::Unbounded),
            None,
            after,
            visit,
        )
    }

    /// [`Store::scan_after`] of the keys between `range`'s bounds (a primary key range): each
    /// tree seeks to the range's start; with `single`, every such key lives in that vshard (the
    /// caller knows them to share the table's placement prefix) and its tree alone is read.
    pub fn scan_range_after(
        &self,
        snapshot: Snapshot,
        table: TableId,
        (from, to): (Bound<&[u8]>, Bound<&[u8]>),
        single: Option<VShard>,
        after: Option<&[u8]>,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<(), Blocked> {
        let resume = after.map(|key| (self.vshard(table, key), key));
        self.scan_trees(
            snapshot,
            table,
            |vshard| match resume {
                _ if single.is_some_and(|only| only != vshard) => None,
                None => Some(from),
                Some((at, _)) if vshard < at => None,
                Some((at, key)) if vshard == at => Some(Bound::Excluded(key)),
                Some(_) => Some(from),
            },
            to,
            visit,
        )
        .map(|_| ())
    }

    /// The key range of every leaf of `table`'s trees here, in scan order (vshard, then key),
    /// read from their inner nodes (see [`crate::btree::BTree::leaf_ranges`]): ANALYZE samples
    /// leaves from them and reads those alone with [`Store::scan_vshard`].
    pub fn leaf_ranges(&self, table: TableId) -> Vec<(VShard, crate::btree::LeafRange)> {
        let mut out = Vec::new();
        for &vshard in self.vshards(table) {
            if let Some(tree) = self.trees.get(&(table, vshard)) {
                out.extend(tree.leaf_ranges().into_iter().map(|range| (vshard, range)));
            }
        }
        out
    }

    /// The vshards that hold a tree of `table` here, in vshard order.
    pub fn vshards(&self, table: TableId) -> &[VShard] {
        self.table_vshards.get(&table).map_or(&[], Vec::as_slice)
    }

    /// Where a read of `table`'s tree of `vshard` in `direction` meets its first key at the
    /// earliest (see [`PagedTree::key_bound`]).
    pub fn key_bound(
        &self,
        table: TableId,
        vshard: VShard,
        direction: Direction,
    ) -> crate::engine::KeyBound {
        match self.trees.get(&(table, vshard)) {
            Some(tree) => tree.key_bound(direction),
            None => crate::engine::KeyBound::Empty,
        }
    }

    /// The rows of `table` in vshard `vshard`'s tree between `from` and `to`, in `direction`
    /// order, until `visit` returns false; whether it never did. Key-ordered reads of a whole
    /// table merge these per tree (`keel_sql`'s ordered scan parts).
    pub fn scan_vshard(
        &self,
        snapshot: Snapshot,
        table: TableId,
        vshard: VShard,
        (from, to): (Bound<&[u8]>, Bound<&[u8]>),
        direction: Direction,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<bool, Blocked> {
        self.check_table(snapshot.txn, table)?;
        self.scan_tree_ranges(
            snapshot,
            table,
            vshard,
            &mut std::iter::once((from, to)),
            direction,
            visit,
        )
    }

    /// Visits the rows of `table`'s trees in vshard order, each tree from the bound `from` gives
    /// its vshard (None: skipped) up to `to`, until `visit` returns false; whether it never did.
    fn scan_trees<'k>(
        &self,
        snapshot: Snapshot,
        table: TableId,
        from: impl Fn(VShard) -> Option<Bound<&'k [u8]>>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<bool, Blocked> {
        self.check_table(snapshot.txn, table)?;
        let Some(vshards) = self.table_vshards.get(&table) else {
            return Ok(true);
        };
        for vshard in vshards {
            let Some(from) = from(*vshard) else {
                continue;
            };
            if !self.scan_tree(snapshot, table, *vshard, from, to, visit)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Visits the rows of one of `table`'s trees between `from` and `to` until `visit` returns
    /// false; whether it never did.
    fn scan_tree(
        &self,
        snapshot: Snapshot,
        table: TableId,
        vshard: VShard,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<bool, Blocked> {
        self.scan_tree_ranges(
            snapshot,
            table,
            vshard,
            &mut std::iter::once((from, to)),
            Direction::Forward,
            visit,
        )
    }

    /// [`Store::scan_tree`] of each range in turn, in `direction` order.
    fn scan_tree_ranges<'k>(
        &self,
        snapshot: Snapshot,
        table: TableId,
        vshard: VShard,
        ranges: &mut dyn Iterator<Item = (Bound<&'k [u8]>, Bound<&'k [u8]>)>,
        direction: Direction,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<bool, Blocked> {
        let Some(tree) = self.trees.get(&(table, vshard)) else {
            return Ok(true);
        };
        let mut go_on = true;
        let mut blocked = None;
        // No row of the table locked (most scans): each row's view is the committed one, with no
        // lookup per row. The store cannot change during the scan (it is borrowed).
        if !self.locks.has_table(table) && !self.has_implicit(table) {
            tree.scan_ranges(ranges, direction, &mut |key, raw| {
                go_on = visit(self.committed_view(snapshot, table, key, Some(raw)));
                go_on
            });
            return Ok(go_on);
        }
        tree.scan_ranges(ranges, direction, &mut |key, raw| {
            go_on = match self.view(snapshot, table, key, Some(raw)) {
                Ok(view) => visit(view),
                Err(wait) => {
                    blocked = Some(wait);
                    false
                }
            };
            go_on
        });
        match blocked {
            Some(wait) => Err(wait),
            None => Ok(go_on),
        }
    }

    /// As [`scan`](Self::scan), for the rows whose keys start with `prefix`, in key order; one
    /// at least as long as the table's placement prefix reads that prefix's tree alone. Whether
    /// `visit` never returned false.
    pub fn scan_prefix(
        &self,
        snapshot: Snapshot,
        table: TableId,
        prefix: &[u8],
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<bool, Blocked> {
        let end = prefix_end(prefix);
        let to = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let single = crate::placement_prefix(prefix, self.placement(table))
            .map(|_| self.vshard(table, prefix));
        self.scan_between(snapshot, table, single, Bound::Included(prefix), to, visit)
    }

    /// [`Store::scan_prefix`] of each prefix, until `visit` returns false; whether it never did.
    /// Prefixes at least as long as the table's placement prefix are read tree by tree, each
    /// tree's in the order given (ascending keys read with one descent per leaf at most, see
    /// [`BTree::scan_ranges`](crate::btree::BTree::scan_ranges)), so rows come in tree
    /// order, not in the prefixes' order.
    pub fn scan_prefixes(
        &self,
        snapshot: Snapshot,
        table: TableId,
        prefixes: &[Vec<u8>],
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<bool, Blocked> {
        let placement = self.placement(table);
        if (prefixes.iter()).any(|prefix| crate::placement_prefix(prefix, placement).is_none()) {
            for prefix in prefixes {
                if !self.scan_prefix(snapshot, table, prefix, visit)? {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        self.check_table(snapshot.txn, table)?;
        let ends: Vec<Option<Vec<u8>>> = prefixes.iter().map(|p| prefix_end(p)).collect();
        let mut by_tree: Vec<(VShard, usize)> = prefixes
            .iter()
            .enumerate()
            .map(|(i, prefix)| (self.vshard(table, prefix), i))
            .collect();
        by_tree.sort_unstable();
        for group in by_tree.chunk_by(|a, b| a.0 == b.0) {
            let mut ranges = group.iter().map(|&(_, i)| {
                let to = ends[i].as_deref().map_or(Bound::Unbounded, Bound::Excluded);
                (Bound::Included(prefixes[i].as_slice()), to)
            });
            if !self.scan_tree_ranges(
                snapshot,
                table,
                group[0].0,
                &mut ranges,
                Direction::Forward,
                visit,
            )? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Takes the row lock on `key` for `txn` (a no-op if it holds it), remembering the before-image;
    /// `key_kept`: the holder will not change the row's key or delete it.
    fn lock(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        key_kept: bool,
    ) -> Result<&mut RowLock, Blocked> {
        let lock = self.lock_seen(txn, table, key, None, key_kept)?;
        lock.key_kept &= key_kept;
        Ok(lock)
    }

    /// [`lock`](Self::lock), given what the caller read already: `Some(raw)`, the bytes in place
    /// for `key` when no lock was on it (None: look here).
    fn lock_seen(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        unlocked: Option<Option<Vec<u8>>>,
        key_kept: bool,
    ) -> Result<&mut RowLock, Blocked> {
        self.check_table(txn, table)?;
        let mut unlocked = unlocked;
        let held = if unlocked.is_some() {
            None
        } else {
            match self.locks.get(table, key) {
                Some(lock) if lock.holder != txn => {
                    return Err(Blocked {
                        holder: lock.holder,
                    })
                }
                Some(lock) => Some(lock.level),
                None => {
                    // Read once: the version an implicit lock may cover, else the before-image
                    // of the lock taken below.
                    let raw = self.raw(table, key);
                    let adopted = self.adopt_implicit(txn, table, key, raw.as_deref())?;
                    unlocked = Some(raw);
                    adopted
                }
            }
        };
        if let Some(holder) = self.sharer_other_than(txn, table, key, key_kept) {
            return Err(Blocked { holder });
        }
        let level = self.level;
        match held {
            None => {
                let before = unlocked.expect("given, or read above");
                let writes = self.writes(txn);
                writes.rows.push((table, RowKey::new(key)));
                if level > 0 {
                    writes.sub.push((
                        level,
                        Sub::NewLock {
                            table,
                            key: key.to_vec(),
                        },
                    ));
                }
                return Ok(self.locks.insert(
                    table,
                    key,
                    RowLock {
                        holder: txn,
                        before,
                        deleted: false,
                        changed: false,
                        key_kept,
                        level,
                    },
                ));
            }
            Some(held_level) if held_level < level => {
                let lock = self.locks.get(table, key).expect("held");
                let sub = Sub::Row {
                    table,
                    key: key.to_vec(),
                    raw: self.raw(table, key),
                    deleted: lock.deleted,
                    changed: lock.changed,
                    key_kept: lock.key_kept,
                    level: lock.level,
                };
                self.writes(txn).sub.push((level, sub));
            }
            Some(_) => {}
        }
        let lock = self.locks.get_mut(table, key).expect("locked above");
        lock.level = lock.level.max(level);
        Ok(lock)
    }

    /// Turns `txn`'s implicit lock on `key`, whose version in place is `raw`, into an explicit
    /// one (see the module docs): taken at level 0, with no before-image, changed (by the
    /// insert). Its level if it did (then a savepoint level above 0 records the row as it is,
    /// as for any lock held from before); Blocked if another transaction's implicit lock covers
    /// the row; None if none does.
    fn adopt_implicit(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        raw: Option<&[u8]>,
    ) -> Result<Option<u32>, Blocked> {
        match raw.and_then(|raw| self.implicit_holder(table, raw)) {
            None => Ok(None),
            Some(holder) if holder != txn => Err(Blocked { holder }),
            Some(_) => {
                self.writes(txn).rows.push((table, RowKey::new(key)));
                self.locks.insert(
                    table,
                    key,
                    RowLock {
                        holder: txn,
                        before: None,
                        deleted: false,
                        changed: true,
                        key_kept: false,
                        level: 0,
                    },
                );
                Ok(Some(0))
            }
        }
    }

    /// Locks `key` for `txn` without changing it (SELECT .. FOR UPDATE, or FOR NO KEY UPDATE
    /// when `key_kept`): other writers wait until `txn` ends.
    pub fn lock_row(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        key_kept: bool,
    ) -> Result<(), Blocked> {
        if !self.exclusive(txn, table) {
            self.lock(txn, table, key, key_kept)?;
        }
        Ok(())
    }

    /// Takes a share lock on `key` for `txn` (SELECT .. FOR SHARE, or FOR KEY SHARE when
    /// `key_only`): writers and FOR UPDATE wait until `txn` ends (for FOR KEY SHARE, only those
    /// that may change the key or delete the row); other sharers do not. FOR KEY SHARE does not
    /// wait for a lock that keeps the key either.
    pub fn share_row(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        key_only: bool,
    ) -> Result<(), Blocked> {
        self.check_table(txn, table)?;
        if self.exclusive(txn, table) {
            return Ok(());
        }
        match self.lock_of(table, key) {
            Some(lock) if lock.holder != txn && !(key_only && lock.key_kept) => {
                return Err(Blocked {
                    holder: lock.holder,
                })
            }
            Some(lock) if lock.holder == txn => return Ok(()),
            Some(_) => {}
            None => match self.implicit_lock(table, key) {
                Some(holder) if holder != txn => return Err(Blocked { holder }),
                Some(_) => return Ok(()),
                None => {}
            },
        }
        let level = self.level;
        let holders = self.shares.get_or_insert_with(table, key, Vec::new);
        if let Some(held) = holders.iter_mut().find(|(holder, _)| *holder == txn) {
            // FOR SHARE over FOR KEY SHARE: the stronger one (until the transaction ends, or
            // a rollback to a savepoint taken before it).
            if held.1 && !key_only {
                held.1 = false;
                if level > 0 {
                    let (table, key) = (table, key.to_vec());
                    self.writes(txn)
                        .sub
                        .push((level, Sub::SharedWhole { table, key }));
                }
            }
        } else {
            let map_key = (table, key.to_vec());
            holders.push((txn, key_only));
            let writes = self.writes(txn);
            writes.shared.push(map_key.clone());
            if level > 0 {
                let (table, key) = map_key;
                writes.sub.push((level, Sub::NewShare { table, key }));
            }
        }
        Ok(())
    }

    fn unshare(&mut self, txn: TxnId, rows: Vec<(TableId, Vec<u8>)>) {
        for (table, key) in rows {
            if let Some(holders) = self.shares.get_mut(table, &key) {
                holders.retain(|(holder, _)| *holder != txn);
                if holders.is_empty() {
                    self.shares.remove(table, &key);
                }
            }
        }
    }

    /// Inserts a row unless a committed row (or one of `txn`'s own) has that key.
    pub fn insert(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: Vec<u8>,
        row: Vec<u8>,
    ) -> Result<Inserted, Blocked> {
        let stored = mvcc::version(txn, Some(&row));
        if self.exclusive(txn, table) {
            // The table is this transaction's alone (it truncated it): no row locks needed, an
            // abort restores the saved trees, and commit logs every row of the table.
            let vshard = self.vshard(table, &key);
            if self.tree_mut(table, vshard).contains(&key) {
                return Ok(Inserted::Duplicate);
            }
            self.note_exclusive(txn, table, &key);
            self.tree_mut(table, vshard).put(&key, &stored);
            return Ok(Inserted::Yes);
        }
        match self.insertable(txn, table, &key)? {
            Some(free) => {
                self.put_new(txn, table, &key, &stored, free)?;
                Ok(Inserted::Yes)
            }
            None => Ok(Inserted::Duplicate),
        }
    }

    /// Whether `txn` may insert `key` into `table`: no row it must consider is there (None: one
    /// is, a duplicate), or the lock holder to wait for; with what the insert needs to know (the
    /// bytes in place for the lock's before-image, whether a lock is there). One read of the
    /// tree and one of the lock table.
    fn insertable(
        &self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
    ) -> Result<Option<FreeKey>, Blocked> {
        self.check_table(txn, table)?;
        let raw = self.raw(table, key);
        let (free, unlocked) = match self
            .view(Snapshot::latest(txn), table, key, raw.as_deref())?
            .newest
        {
            Newest::Mine(row) => (row.is_none(), false),
            Newest::Committed { row, .. } => (row.is_none(), true),
            Newest::Locked(holder) => return Err(Blocked { holder }),
        };
        Ok(free.then_some(FreeKey { raw, unlocked }))
    }

    /// Puts a new version of `key` (`stored`: header and row) where [`insertable`](Self::insertable)
    /// found it `free`, under `txn`'s lock (none in a table it truncated).
    fn put_new(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        stored: &[u8],
        free: FreeKey,
    ) -> Result<(), Blocked> {
        if self.exclusive(txn, table) {
            self.note_exclusive(txn, table, key);
        } else if free.unlocked && free.raw.is_none() && self.level == 0 && !self.legacy {
            // No version was there and no lock: an implicit lock (see the module docs).
            if let Some(holder) = self.sharer_other_than(txn, table, key, false) {
                return Err(Blocked { holder });
            }
            self.writes(txn).fresh.push((table, RowKey::new(key)));
            if !self.implicit.contains(&(txn, table)) {
                self.implicit.push((txn, table));
            }
        } else {
            let unlocked = free.unlocked.then_some(free.raw);
            let lock = self.lock_seen(txn, table, key, unlocked, false)?;
            lock.key_kept = false;
            lock.deleted = false;
            lock.changed = true;
        }
        let vshard = self.vshard(table, key);
        self.tree_mut(table, vshard).put(key, stored);
        Ok(())
    }

    /// Checks that `txn` may insert every one of `keys` into `table` (distinct keys; see
    /// [`insert`](Self::insert)), changing nothing, so that a batch that must wait or holds a
    /// duplicate leaves nothing behind: `Ok(Err(i))` names the first key that has a row. The
    /// result goes to [`insert_checked`](Self::insert_checked), key by key, before anything else
    /// changes the store: each key is read once for both steps.
    pub fn check_inserts<'k>(
        &self,
        txn: TxnId,
        table: TableId,
        keys: impl IntoIterator<Item = &'k [u8]>,
    ) -> Result<Result<Vec<FreeKey>, usize>, Blocked> {
        let mut free = Vec::new();
        for (index, key) in keys.into_iter().enumerate() {
            match self.insertable(txn, table, key)? {
                Some(key) => free.push(key),
                None => return Ok(Err(index)),
            }
        }
        Ok(Ok(free))
    }

    /// As [`check_inserts`](Self::check_inserts) for `count` keys no row can have (a table's
    /// hidden row ids, never given out twice): only the table lock is checked, no key looked up.
    pub fn check_fresh_inserts(
        &self,
        txn: TxnId,
        table: TableId,
        count: usize,
    ) -> Result<Vec<FreeKey>, Blocked> {
        self.check_table(txn, table)?;
        Ok((0..count)
            .map(|_| FreeKey {
                raw: None,
                unlocked: true,
            })
            .collect())
    }

    /// Inserts `row` under a key [`check_inserts`](Self::check_inserts) found free.
    pub fn insert_checked(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        row: &[u8],
        free: FreeKey,
    ) -> Result<(), Blocked> {
        let stored = mvcc::version(txn, Some(row));
        self.put_new(txn, table, key, &stored, free)
    }

    /// Replaces the row under `key` (which `txn` must see).
    /// `key_kept`: the new version has the old one's key columns (PostgreSQL's FOR NO KEY
    /// UPDATE lock, which FOR KEY SHARE holders do not block).
    pub fn update(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        row: Vec<u8>,
        key_kept: bool,
    ) -> Result<(), Blocked> {
        if self.exclusive(txn, table) {
            self.note_exclusive(txn, table, key);
        } else {
            self.lock(txn, table, key, key_kept)?.changed = true;
        }
        let vshard = self.vshard(table, key);
        self.tree_mut(table, vshard)
            .put(key, &mvcc::version(txn, Some(&row)));
        Ok(())
    }

    /// Deletes the row under `key` (which `txn` must see).
    pub fn delete(&mut self, txn: TxnId, table: TableId, key: &[u8]) -> Result<(), Blocked> {
        if self.exclusive(txn, table) {
            self.note_exclusive(txn, table, key);
            let vshard = self.vshard(table, key);
            if let Some(tree) = self.trees.get_mut(&(table, vshard)) {
                tree.remove(key);
            }
            return Ok(());
        }
        let lock = self.lock(txn, table, key, false)?;
        lock.deleted = true;
        lock.changed = true;
        Ok(())
    }

    /// Empties `table` on this worker under an exclusive table lock held until commit or abort.
    /// Like PostgreSQL's, it is not MVCC-safe: older snapshots see the table empty afterwards.
    pub fn truncate(&mut self, txn: TxnId, table: TableId) -> Result<(), Blocked> {
        self.check_table(txn, table)?;
        if let Some((_, lock)) = self
            .locks
            .of_table(table)
            .find(|(_, lock)| lock.holder != txn)
        {
            return Err(Blocked {
                holder: lock.holder,
            });
        }
        if let Some(holder) = self
            .shares
            .of_table(table)
            .flat_map(|(_, holders)| holders)
            .find(|(holder, _)| *holder != txn)
        {
            return Err(Blocked { holder: holder.0 });
        }
        if let Some((holder, _)) = (self.implicit.iter()).find(|(t, tb)| *tb == table && *t != txn)
        {
            return Err(Blocked { holder: *holder });
        }
        // Rows this transaction itself changed in the table stay changed in the saved trees:
        // their locks go aside with them (see `Truncated::own`).
        let own = self.set_aside(txn, table);
        let sub_len = self.txns.get(&txn).map_or(0, |writes| writes.sub.len());
        self.table_locks.insert(table, txn);
        let level = self.level;
        let vshards = self.table_vshards.remove(&table).unwrap_or_default();
        let old = vshards
            .into_iter()
            .filter_map(|vshard| {
                self.trees
                    .remove(&(table, vshard))
                    .map(|tree| (vshard, tree))
            })
            .collect();
        self.writes(txn).truncated.push(Truncated {
            table,
            old,
            level,
            own,
            sub_len,
        });
        Ok(())
    }

    /// Takes `txn`'s locks on rows of `table` (and its implicitly locked inserts there) out of
    /// the lock table and its write set, leaving the rows as they are.
    fn set_aside(&mut self, txn: TxnId, table: TableId) -> OwnRows {
        let Some(writes) = self.txns.get_mut(&txn) else {
            return OwnRows::default();
        };
        let (rows, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut writes.rows)
            .into_iter()
            .partition(|(t, _)| *t == table);
        writes.rows = kept;
        let (fresh, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut writes.fresh)
            .into_iter()
            .partition(|(t, _)| *t == table);
        writes.fresh = kept;
        self.implicit.retain(|held| *held != (txn, table));
        let fresh = (fresh.into_iter())
            .filter(|(_, key)| self.locks.get(table, key.as_slice()).is_none())
            .map(|(_, key)| key)
            .collect();
        let locks = (rows.into_iter())
            .filter_map(|(_, key)| {
                let lock = self.locks.remove(table, key.as_slice())?;
                Some((key, lock))
            })
            .collect();
        OwnRows { locks, fresh }
    }

    /// Undoes the changes `own` holds locked in `table`'s trees (an abort, after the truncate
    /// that set them aside is undone).
    fn undo_own(&mut self, table: TableId, own: OwnRows) {
        for (key, lock) in own.locks {
            if lock.changed {
                self.set_row(table, key.as_slice(), lock.before.as_deref());
            }
        }
        for key in own.fresh {
            self.set_row(table, key.as_slice(), None);
        }
    }

    /// Puts a truncate of `txn` back (ROLLBACK TO a savepoint at or below its level): the old
    /// trees and the row locks set aside with them; the table lock goes unless an earlier
    /// truncate of the transaction holds it.
    fn untruncate(&mut self, txn: TxnId, truncated: Truncated) {
        let table = truncated.table;
        let own = self.restore_truncated(truncated);
        if !own.fresh.is_empty() && !self.implicit.contains(&(txn, table)) {
            self.implicit.push((txn, table));
        }
        for (key, lock) in own.locks {
            self.locks.insert(table, key.as_slice(), lock);
            self.writes(txn).rows.push((table, key));
        }
        let writes = self.writes(txn);
        writes
            .fresh
            .extend(own.fresh.into_iter().map(|key| (table, key)));
        if !writes.truncated.iter().any(|t| t.table == table) {
            self.table_locks.remove(&table);
        }
    }

    /// Before `txn` changes `key` of `table`, which it truncated (so holds no row lock on it):
    /// the row as it is, for a rollback to a savepoint taken after the truncate (a rollback to
    /// one before it takes the whole table back).
    fn note_exclusive(&mut self, txn: TxnId, table: TableId, key: &[u8]) {
        let level = self.level;
        if level == 0 {
            return;
        }
        let after_truncate = (self.txns.get(&txn))
            .and_then(|writes| writes.truncated.iter().rev().find(|t| t.table == table))
            .is_some_and(|truncated| truncated.level < level);
        if after_truncate {
            let raw = self.raw(table, key);
            self.writes(txn).sub.push((
                level,
                Sub::Exclusive {
                    table,
                    key: key.to_vec(),
                    raw,
                },
            ));
        }
    }

    /// Puts back the trees `truncated` replaced, dropping those the transaction filled since;
    /// returns the rows it set aside.
    fn restore_truncated(&mut self, truncated: Truncated) -> OwnRows {
        let Truncated {
            table, old, own, ..
        } = truncated;
        for vshard in self.table_vshards.remove(&table).unwrap_or_default() {
            if let Some(tree) = self.trees.remove(&(table, vshard)) {
                tree.destroy();
            }
        }
        for (vshard, tree) in old {
            self.trees.insert((table, vshard), tree);
            self.table_vshards.entry(table).or_default().push(vshard);
        }
        if let Some(vshards) = self.table_vshards.get_mut(&table) {
            vshards.sort_unstable();
        }
        own
    }

    /// `txn`'s write set, created on its first change here.
    fn writes(&mut self, txn: TxnId) -> &mut WriteSet {
        self.max_txn = self.max_txn.max(txn);
        self.txns.entry(txn).or_default()
    }

    /// Records that `txn` writes a new catalog image, at savepoint level `level`.
    pub fn write_catalog(&mut self, txn: TxnId, level: u32, version: u64, image: Vec<u8>) {
        let writes = self.writes(txn);
        if writes.catalog.is_none() {
            writes.catalog_since = level;
        }
        writes.catalog = Some((version, image));
    }

    /// Whether `txn` changed (or locked) anything on this worker.
    pub fn has_writes(&self, txn: TxnId) -> bool {
        self.txns.contains_key(&txn)
    }

    /// Whether `txn` changed anything here that its commit must log: a row written (not only
    /// locked), a truncate, a catalog image. Row locks alone need no record: they do not
    /// outlive a crash.
    pub fn logs_changes(&self, txn: TxnId) -> bool {
        let Some(writes) = self.txns.get(&txn) else {
            return false;
        };
        !writes.truncated.is_empty()
            || writes.catalog.is_some()
            || !writes.fresh.is_empty()
            || (writes.rows.iter()).any(|(table, key)| {
                (self.locks.get(*table, key.as_slice())).is_some_and(|lock| lock.changed)
            })
    }

    /// The log records of `txn`'s changes, ending with its commit record. Locks stay held.
    pub fn commit_records(
        &self,
        txn: TxnId,
        participants: &[u8],
        emit: &mut dyn FnMut(Record<'_>),
    ) {
        if self.txns.contains_key(&txn) {
            self.change_records(txn, emit);
            emit(Record::Commit { txn, participants });
        }
    }

    /// The log records of `txn`'s changes here (none for a transaction that only locked rows).
    pub fn change_records(&self, txn: TxnId, emit: &mut dyn FnMut(Record<'_>)) {
        let Some(writes) = self.txns.get(&txn) else {
            return;
        };
        // A truncated table holds only this transaction's rows: log the truncate, then all of them.
        let mut truncated: Vec<TableId> = writes.truncated.iter().map(|t| t.table).collect();
        truncated.dedup();
        for table in truncated {
            emit(Record::Truncate { txn, table });
            for vshard in self.table_vshards.get(&table).into_iter().flatten() {
                if let Some(tree) = self.trees.get(&(table, *vshard)) {
                    tree.scan(Bound::Unbounded, Bound::Unbounded, &mut |key, row| {
                        emit(Record::Put {
                            txn,
                            table,
                            key,
                            before: None,
                            after: row,
                        });
                        true
                    });
                }
            }
        }
        for (table, key) in &writes.rows {
            let key = key.as_slice();
            let lock = self
                .locks
                .get(*table, key)
                .expect("a written row is locked");
            if !lock.changed {
                continue;
            }
            let before = lock.before.as_deref();
            if lock.deleted {
                if before.is_some() {
                    emit(Record::Delete {
                        txn,
                        table: *table,
                        key,
                        before,
                    });
                }
            } else {
                let after = self.raw(*table, key).expect("locked row is in its tree");
                emit(Record::Put {
                    txn,
                    table: *table,
                    key,
                    before,
                    after: &after,
                });
            }
        }
        for (table, key) in self.still_implicit(&writes.fresh) {
            let after = self
                .raw(table, key)
                .expect("an inserted row is in its tree");
            emit(Record::Put {
                txn,
                table,
                key,
                before: None,
                after: &after,
            });
        }
        if let Some((version, image)) = &writes.catalog {
            emit(Record::Catalog {
                txn,
                version: *version,
                image,
            });
        }
    }

    /// Ends `txn` after its commit is durable, as committed at `ts`: its changes become visible to
    /// snapshots from `ts` on, the versions they replaced go to the undo tree, its locks go.
    pub fn release(&mut self, txn: TxnId, ts: Ts) {
        if self.committing.remove(&txn) == Some(true) {
            self.released_multi.push(txn);
        }
        let Some(mut writes) = self.txns.remove(&txn) else {
            return;
        };
        self.unshare(txn, std::mem::take(&mut writes.shared));
        let mut wrote = !writes.truncated.is_empty();
        self.implicit.retain(|(holder, _)| *holder != txn);
        if !writes.fresh.is_empty() {
            // Implicitly locked inserts (before the explicit locks go: those rows are theirs).
            let mut inserted: Vec<(TableId, i64)> = Vec::new();
            for (table, _) in self.still_implicit(&writes.fresh) {
                match inserted.iter_mut().find(|(t, _)| *t == table) {
                    Some((_, count)) => *count += 1,
                    None => inserted.push((table, 1)),
                }
            }
            wrote |= !inserted.is_empty();
            for (table, count) in inserted {
                self.changes.entry(table).or_default().inserted += count;
            }
        }
        for (table, key) in writes.rows {
            let key = key.as_slice();
            let Some(lock) = self.locks.remove(table, key) else {
                continue;
            };
            if !lock.changed {
                continue;
            }
            wrote = true;
            let existed = lock
                .before
                .as_deref()
                .is_some_and(|before| self.parse(before).1.is_some());
            let change = self.changes.entry(table).or_default();
            match (existed, lock.deleted) {
                (false, false) => change.inserted += 1,
                (true, false) => change.updated += 1,
                (true, true) => change.deleted += 1,
                (false, true) => {}
            }
            if let Some(before) = &lock.before {
                change.replaced += 1;
                let undo_key = mvcc::undo_key(ts, table, key);
                self.young_bytes += undo_key.len() + before.len();
                self.young.insert(undo_key, before.clone());
            }
            if lock.deleted {
                let tombstone = lock.before.is_some().then(|| mvcc::version(txn, None));
                self.set_row(table, key, tombstone.as_deref());
            }
        }
        if wrote {
            self.commits.insert(txn, ts);
            self.commit_order.insert((ts, txn));
        }
        if self.young_bytes > YOUNG_UNDO_BYTES {
            self.spill_young(YOUNG_UNDO_BYTES / 2);
        }
        if let Some((version, image)) = &writes.catalog {
            self.note_catalog(*version, image);
        }
        for Truncated { table, old, .. } in writes.truncated {
            self.table_locks.remove(&table);
            self.changes.entry(table).or_default().truncated = true;
            // The rows the truncate removed are gone for good: free their pages.
            for (_, tree) in old {
                tree.destroy();
            }
        }
    }

    /// Undoes what `txn` did here at savepoint `level` and deeper (ROLLBACK TO SAVEPOINT): rows go
    /// back to their state before it, locks first taken there are released, tables truncated
    /// there get their old trees back (with the transaction's changes from before the truncate
    /// and their locks, see `Truncated::own`), and rows of tables truncated before it (changed
    /// without locks) their states at it. Undo records and truncates are taken back newest
    /// first.
    pub fn rollback_to(&mut self, txn: TxnId, level: u32) {
        let Some(writes) = self.txns.get_mut(&txn) else {
            return;
        };
        // Savepoint levels only grow, so what came at or after the savepoint is a suffix.
        let first = (writes.truncated.iter())
            .position(|t| t.level >= level)
            .unwrap_or(writes.truncated.len());
        let mut untruncated = writes.truncated.split_off(first);
        if writes.catalog_since >= level {
            writes.catalog = None;
        }
        let keep = writes.sub.partition_point(|(at, _)| *at < level);
        let undo: Vec<(u32, Sub)> = writes.sub.drain(keep..).collect();
        for (at, (_, sub)) in undo.into_iter().enumerate().rev() {
            // Truncates made after this record are taken back first (the record may be about
            // the trees they replaced).
            while untruncated.last().is_some_and(|t| t.sub_len > keep + at) {
                let truncated = untruncated.pop().expect("checked");
                self.untruncate(txn, truncated);
            }
            match sub {
                Sub::Row {
                    table,
                    key,
                    raw,
                    deleted,
                    changed,
                    key_kept,
                    level,
                } => {
                    self.set_row(table, &key, raw.as_deref());
                    if let Some(lock) = self.locks.get_mut(table, &key) {
                        lock.deleted = deleted;
                        lock.changed = changed;
                        lock.key_kept = key_kept;
                        lock.level = level;
                    }
                }
                Sub::SharedWhole { table, key } => {
                    if let Some(holders) = self.shares.get_mut(table, &key) {
                        for held in holders.iter_mut().filter(|(holder, _)| *holder == txn) {
                            held.1 = true;
                        }
                    }
                }
                Sub::NewLock { table, key } => {
                    if let Some(lock) = self.locks.remove(table, &key) {
                        if lock.changed {
                            self.set_row(table, &key, lock.before.as_deref());
                        }
                    }
                    if let Some(writes) = self.txns.get_mut(&txn) {
                        writes
                            .rows
                            .retain(|(t, k)| !(*t == table && k.as_slice() == key));
                    }
                }
                Sub::NewShare { table, key } => {
                    let map_key = (table, key);
                    if let Some(writes) = self.txns.get_mut(&txn) {
                        writes.shared.retain(|row| *row != map_key);
                    }
                    self.unshare(txn, vec![map_key]);
                }
                Sub::Exclusive { table, key, raw } => self.set_row(table, &key, raw.as_deref()),
            }
        }
        while let Some(truncated) = untruncated.pop() {
            self.untruncate(txn, truncated);
        }
    }

    /// Undoes everything `txn` did on this worker and releases its locks.
    pub fn abort(&mut self, txn: TxnId) {
        self.undo_rows(txn, |_| true);
        self.committing.remove(&txn);
        if let Some(mut writes) = self.txns.remove(&txn) {
            self.unshare(txn, std::mem::take(&mut writes.shared));
            for truncated in writes.truncated.into_iter().rev() {
                let table = truncated.table;
                self.table_locks.remove(&table);
                let own = self.restore_truncated(truncated);
                self.undo_own(table, own);
            }
        }
    }

    /// Puts the rows of `txn` that `which` selects back as they were and releases their locks.
    fn undo_rows(&mut self, txn: TxnId, which: impl Fn(TableId) -> bool) {
        let Some(writes) = self.txns.get_mut(&txn) else {
            return;
        };
        let (chosen, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut writes.rows)
            .into_iter()
            .partition(|(table, _)| which(*table));
        writes.rows = kept;
        let (fresh, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut writes.fresh)
            .into_iter()
            .partition(|(table, _)| which(*table));
        writes.fresh = kept;
        self.implicit
            .retain(|(holder, table)| *holder != txn || !which(*table));
        // Implicitly locked inserts first: a row locked explicitly since is its lock's to undo.
        for (table, key) in fresh {
            let key = key.as_slice();
            if self.locks.get(table, key).is_none() {
                self.set_row(table, key, None);
            }
        }
        for (table, key) in chosen {
            let key = key.as_slice();
            let Some(lock) = self.locks.remove(table, key) else {
                continue;
            };
            if lock.changed {
                self.set_row(table, key, lock.before.as_deref());
            }
        }
    }

    /// Drops what no snapshot can read any more: undo records of commits at or before `horizon`
    /// (oldest first, at most `budget` of them), the tombstones they explain, and the commit
    /// timestamps at or before it. Returns how many undo records went.
    pub fn purge(&mut self, horizon: Ts, budget: usize) -> usize {
        let upto = horizon.saturating_add(1).to_be_bytes();
        // Young records first: all of them at or below the horizon, they are in memory.
        let younger = self.young.split_off(&upto[..]);
        let mut garbage: Vec<Vec<u8>> = Vec::new();
        for (key, value) in std::mem::replace(&mut self.young, younger) {
            self.young_bytes -= key.len() + value.len();
            garbage.push(key);
        }
        let from_young = garbage.len();
        self.undo
            .scan(Bound::Unbounded, Bound::Excluded(&upto), &mut |key, _| {
                garbage.push(key.to_vec());
                garbage.len() - from_young < budget
            });
        for (index, undo_key) in garbage.iter().enumerate() {
            if index >= from_young {
                self.undo.remove(undo_key);
            }
            let (_, table, key) = mvcc::parse_undo_key(undo_key);
            self.changes.entry(table).or_default().purged += 1;
            let old_tombstone = |store: &Store, raw: &[u8]| {
                let (writer, row) = store.parse(raw);
                row.is_none() && store.commit_ts(writer) <= horizon
            };
            match self.locks.get(table, key) {
                Some(lock) if lock.changed => {
                    // A transaction re-inserted the row: an abort must not bring the tombstone back.
                    if lock
                        .before
                        .as_deref()
                        .is_some_and(|b| old_tombstone(self, b))
                    {
                        self.locks.get_mut(table, key).expect("present").before = None;
                    }
                }
                Some(_) => {}
                None => {
                    if self
                        .raw(table, key)
                        .is_some_and(|raw| old_tombstone(self, &raw))
                    {
                        self.set_row(table, key, None);
                    }
                }
            }
        }
        while let Some(&(ts, txn)) = self.commit_order.first() {
            if ts > horizon {
                break;
            }
            self.commit_order.pop_first();
            self.commits.remove(&txn);
        }
        garbage.len() - from_young
    }

    /// Undo records and commit timestamps kept for snapshots (for tests and telemetry).
    pub fn versions_kept(&self) -> (usize, usize) {
        (self.young.len() + self.undo.len(), self.commits.len())
    }

    /// Stores `row` under `key` in the key's tree of `table`; None removes the key.
    fn set_row(&mut self, table: TableId, key: &[u8], row: Option<&[u8]>) {
        let vshard = self.vshard(table, key);
        match row {
            Some(row) => {
                self.tree_mut(table, vshard).put(key, row);
            }
            None => {
                if let Some(tree) = self.trees.get_mut(&(table, vshard)) {
                    tree.remove(key);
                }
            }
        }
    }

    /// Forgets a dropped table's rows.
    pub fn drop_table(&mut self, table: TableId) {
        for vshard in self.table_vshards.remove(&table).unwrap_or_default() {
            if let Some(tree) = self.trees.remove(&(table, vshard)) {
                tree.destroy();
            }
        }
    }

    /// Bytes of `table`'s trees on this worker (their pages; see `BTree::page_count`).
    pub fn table_bytes(&self, table: TableId) -> u64 {
        let pages: u64 = self
            .table_vshards
            .get(&table)
            .into_iter()
            .flatten()
            .filter_map(|v| self.trees.get(&(table, *v)))
            .map(PagedTree::page_count)
            .sum();
        pages * crate::bm::PAGE_BYTES as u64
    }

    /// Number of rows of `table` on this worker, including uncommitted ones and tombstones.
    pub fn row_count(&self, table: TableId) -> usize {
        self.table_vshards
            .get(&table)
            .map(|vshards| {
                vshards
                    .iter()
                    .map(|v| self.trees.get(&(table, *v)).map_or(0, PagedTree::len))
                    .sum()
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_in_parts_visits_every_row_once_in_the_scans_order() {
        let mut store = Store::default();
        let key = |i: u32| format!("row-{i}").into_bytes();
        store.load(1, (0..5_000).map(|i| (key(i), i.to_le_bytes().to_vec())));
        let snapshot = Snapshot::latest(99);
        let mut whole = Vec::new();
        store
            .scan(snapshot, 1, &mut |view| {
                whole.push(view.key.to_vec());
                true
            })
            .unwrap();
        assert_eq!(whole.len(), 5_000);
        // Parts of 7 rows, each resuming after the last key the previous one saw.
        let mut parts = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let mut part = Vec::new();
            store
                .scan_after(snapshot, 1, after.as_deref(), &mut |view| {
                    part.push(view.key.to_vec());
                    part.len() < 7
                })
                .unwrap();
            let Some(last) = part.last().cloned() else {
                break;
            };
            parts.extend(part);
            after = Some(last);
        }
        assert_eq!(parts, whole);
        // Resuming after the very last row finds nothing more.
        let mut rest = 0;
        store
            .scan_after(snapshot, 1, Some(&whole[whole.len() - 1]), &mut |_| {
                rest += 1;
                true
            })
            .unwrap();
        assert_eq!(rest, 0);
    }

    #[test]
    fn a_placement_prefix_keeps_the_keys_sharing_it_in_one_tree() {
        let mut store = Store::default();
        store.set_placement(1, 2);
        // Keys: a 2-byte "partition" then a 2-byte line number.
        let key = |p: u16, l: u16| [p.to_be_bytes(), l.to_be_bytes()].concat();
        for p in 0..300u16 {
            for l in 0..7u16 {
                store.insert(1, 1, key(p, l), vec![l as u8]).unwrap();
            }
        }
        let mut log = Vec::new();
        commit(&mut store, 1, &mut log);
        for p in 0..300u16 {
            let vshard = vshard_of(&p.to_be_bytes(), 0);
            for l in 0..7u16 {
                assert_eq!(store.vshard(1, &key(p, l)), vshard);
                assert!(store.trees[&(1, vshard)].contains(&key(p, l)));
            }
        }
        // A range within one prefix reads one tree, and all of that prefix's keys in order.
        let snapshot = Snapshot::latest(99);
        let mut seen = Vec::new();
        let (from, to) = (key(42, 0), key(42, u16::MAX));
        store
            .scan_range(
                snapshot,
                1,
                Bound::Included(&from),
                Bound::Included(&to),
                &mut |view| {
                    seen.push((view.key.to_vec(), view.visible.map(|row| row.to_vec())));
                    true
                },
            )
            .unwrap();
        let expected: Vec<_> = (0..7u16)
            .map(|l| (key(42, l), Some(vec![l as u8])))
            .collect();
        assert_eq!(seen, expected);
        assert_eq!(
            store.one_vshard(1, &from, &to),
            Some(store.vshard(1, &from))
        );
        assert_eq!(store.one_vshard(1, &key(42, 0), &key(43, 0)), None);
        let mut by_prefix = Vec::new();
        let done = store
            .scan_prefix(snapshot, 1, &42u16.to_be_bytes(), &mut |view| {
                by_prefix.push((view.key.to_vec(), view.visible.map(|row| row.to_vec())));
                true
            })
            .unwrap();
        assert!(done);
        assert_eq!(by_prefix, expected);
        // A prefix shorter than the placement's reads every tree; one past every key, nothing.
        let mut short = 0;
        store
            .scan_prefix(snapshot, 1, &[0], &mut |_| {
                short += 1;
                true
            })
            .unwrap();
        assert_eq!(short, 256 * 7);
        let mut none = 0;
        store
            .scan_prefix(snapshot, 1, &[0xff, 0xff], &mut |_| {
                none += 1;
                true
            })
            .unwrap();
        assert_eq!(none, 0);
        assert_eq!(prefix_end(&[1, 0xff, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff]), None);
        // Reads, updates and deletes find the rows where the rule put them.
        store.update(2, 1, &key(7, 3), vec![99], false).unwrap();
        store.delete(2, 1, &key(8, 1)).unwrap();
        commit(&mut store, 2, &mut log);
        let latest = Snapshot::latest(100);
        assert_eq!(
            store.get(latest, 1, &key(7, 3)).unwrap().as_deref(),
            Some(&[99u8][..])
        );
        assert_eq!(store.get(latest, 1, &key(8, 1)).unwrap(), None);
        assert_eq!(
            store.get(latest, 1, &key(8, 2)).unwrap().as_deref(),
            Some(&[2u8][..])
        );
    }

    #[test]
    fn uncommitted_writes_are_private_until_release() {
        let mut store = Store::default();
        store.load(1, [(b"k".to_vec(), b"old".to_vec())]);
        store.update(10, 1, b"k", b"new".to_vec(), false).unwrap();
        assert_eq!(
            store.get(Snapshot::latest(10), 1, b"k").unwrap(),
            Some(Cow::Borrowed(&b"new"[..]))
        );
        assert_eq!(
            store.get(Snapshot::latest(20), 1, b"k").unwrap(),
            Some(Cow::Borrowed(&b"old"[..]))
        );
        assert_eq!(
            store.update(20, 1, b"k", b"x".to_vec(), false),
            Err(Blocked { holder: 10 })
        );
        let mut records = Vec::new();
        store.commit_records(10, &[0], &mut |record| records.push(format!("{record:?}")));
        assert_eq!(records.len(), 2);
        store.release(10, 1);
        assert_eq!(
            store.get(Snapshot::latest(20), 1, b"k").unwrap(),
            Some(Cow::Borrowed(&b"new"[..]))
        );
    }

    #[test]
    fn only_changes_need_logging_not_row_locks() {
        let mut store = store_with_a_and_b();
        store.lock_row(10, 1, b"a", true).unwrap();
        store.share_row(10, 1, b"b", false).unwrap();
        assert!(store.has_writes(10) && !store.logs_changes(10));
        // A lock taken first, then the row changed under it: logged.
        store.update(10, 1, b"a", b"3".to_vec(), true).unwrap();
        assert!(store.logs_changes(10));
        // Changed, then rolled back to a savepoint before the change: locks only again.
        store.set_level(1);
        store.lock_row(30, 1, b"c", false).unwrap();
        store.set_level(2);
        store.insert(30, 1, b"c".to_vec(), b"5".to_vec()).unwrap();
        assert!(store.logs_changes(30));
        store.rollback_to(30, 2);
        store.set_level(0);
        assert!(!store.logs_changes(30));
        assert!(!store.logs_changes(40));
    }

    /// Rows inserted where nothing was carry implicit locks: no lock-table entry, yet to others
    /// they are locked uncommitted inserts (invisible, a duplicate insert, share lock or
    /// truncate waits) and to their writer its own rows, until the release; an update or delete
    /// by the writer (here after a savepoint) turns the lock explicit without losing the insert.
    #[test]
    fn implicitly_locked_inserts_are_locked_uncommitted_rows() {
        let mut store = store_with_a_and_b();
        let rows = |store: &Store, snapshot: Snapshot| {
            let mut seen = Vec::new();
            store
                .scan(snapshot, 1, &mut |view| {
                    if let Some(row) = view.visible {
                        seen.push((view.key.to_vec(), row.into_owned()));
                    }
                    true
                })
                .unwrap();
            seen
        };
        for key in [b"k1", b"k2"] {
            assert_eq!(
                store.insert(10, 1, key.to_vec(), b"i".to_vec()),
                Ok(Inserted::Yes)
            );
        }
        assert!(store.locks.is_empty(), "no lock-table entry for an insert");
        assert_eq!(store.get(Snapshot::latest(20), 1, b"k1").unwrap(), None);
        assert_eq!(rows(&store, Snapshot::latest(20)).len(), 2, "a and b only");
        assert_eq!(rows(&store, Snapshot::latest(10)).len(), 4);
        assert_eq!(
            store.insert(20, 1, b"k1".to_vec(), b"x".to_vec()),
            Err(Blocked { holder: 10 })
        );
        assert_eq!(
            store.share_row(20, 1, b"k1", true),
            Err(Blocked { holder: 10 })
        );
        assert_eq!(store.lock_holder_other_than(20, 1, b"k2"), Some(10));
        assert_eq!(store.truncate(20, 1), Err(Blocked { holder: 10 }));
        assert_eq!(
            store.insert(10, 1, b"k1".to_vec(), b"again".to_vec()),
            Ok(Inserted::Duplicate)
        );
        store.share_row(10, 1, b"k1", false).unwrap();
        // Changed after a savepoint and rolled back: the insert is still there.
        store.set_level(1);
        store.delete(10, 1, b"k2").unwrap();
        store.update(10, 1, b"k1", b"u".to_vec(), false).unwrap();
        assert_eq!(store.get(Snapshot::latest(10), 1, b"k2").unwrap(), None);
        store.rollback_to(10, 1);
        store.set_level(0);
        assert_eq!(
            store.get(Snapshot::latest(10), 1, b"k1").unwrap(),
            Some(Cow::Borrowed(&b"i"[..]))
        );
        assert_eq!(
            store.get(Snapshot::latest(10), 1, b"k2").unwrap(),
            Some(Cow::Borrowed(&b"i"[..]))
        );
        store.update(10, 1, b"k1", b"u".to_vec(), false).unwrap();
        assert!(store.logs_changes(10));
        let mut records = Vec::new();
        store.commit_records(10, &[0], &mut |record| records.push(format!("{record:?}")));
        assert_eq!(records.len(), 3, "{records:?}");
        assert!(records.iter().any(|r| r.contains("before: None")));
        store.release(10, 5);
        assert!(store.implicit.is_empty() && store.locks.is_empty());
        assert_eq!(store.take_changes()[&1].inserted, 2);
        // Committed at 5: a snapshot before it does not see the rows, one after does.
        assert_eq!(rows(&store, Snapshot { txn: 20, ts: 4 }).len(), 2);
        let after = rows(&store, Snapshot { txn: 20, ts: 5 });
        assert_eq!(after.len(), 4);
        assert!(after.contains(&(b"k1".to_vec(), b"u".to_vec())));
        // An abort takes implicitly locked inserts away.
        store.insert(30, 1, b"k3".to_vec(), b"i".to_vec()).unwrap();
        store.abort(30);
        assert!(store.implicit.is_empty());
        assert_eq!(store.get(Snapshot::latest(40), 1, b"k3").unwrap(), None);
        assert_eq!(store.row_count(1), 4);
        // A truncate by the writer itself sets them aside with the old trees; the abort, having
        // put those back, removes them.
        store.insert(50, 1, b"k5".to_vec(), b"i".to_vec()).unwrap();
        store.truncate(50, 1).unwrap();
        assert!(store.implicit.is_empty());
        assert_eq!(store.row_count(1), 0);
        store.abort(50);
        assert_eq!(store.row_count(1), 4);
        assert_eq!(store.get(Snapshot::latest(40), 1, b"k5").unwrap(), None);
    }

    #[test]
    fn rollback_to_drops_a_catalog_image_first_written_after_the_savepoint() {
        let mut store = Store::default();
        // First written at level 2: ROLLBACK TO 2 leaves no catalog change to log.
        store.write_catalog(10, 2, 5, b"v5".to_vec());
        store.write_catalog(10, 3, 6, b"v6".to_vec());
        assert!(store.logs_changes(10));
        store.rollback_to(10, 2);
        assert!(!store.logs_changes(10));
        // First written at level 1: the image stays for the session to replace.
        store.write_catalog(20, 1, 5, b"v5".to_vec());
        store.write_catalog(20, 2, 6, b"v6".to_vec());
        store.rollback_to(20, 2);
        store.write_catalog(20, 2, 7, b"v5 again".to_vec());
        let mut images = Vec::new();
        store.commit_records(20, &[], &mut |record| {
            if let Record::Catalog { version, image, .. } = record {
                images.push((version, image.to_vec()));
            }
        });
        assert_eq!(images, vec![(7, b"v5 again".to_vec())]);
    }

    /// A store whose table 1 holds the committed rows a = 1 and b = 2.
    fn store_with_a_and_b() -> Store {
        let mut store = Store::default();
        store.load(
            1,
            [
                (b"a".to_vec(), b"1".to_vec()),
                (b"b".to_vec(), b"2".to_vec()),
            ],
        );
        store
    }

    #[test]
    fn a_rollback_to_a_savepoint_weakens_the_locks_strengthened_after_it() {
        let mut store = store_with_a_and_b();
        // FOR NO KEY UPDATE, then FOR UPDATE after a savepoint: FOR KEY SHARE waits until the
        // rollback to it, then goes ahead (as PostgreSQL's aborted subtransaction's lock).
        store.set_level(0);
        store.lock_row(10, 1, b"a", true).unwrap();
        store.set_level(1);
        store.lock_row(10, 1, b"a", false).unwrap();
        assert_eq!(
            store.share_row(20, 1, b"a", true),
            Err(Blocked { holder: 10 })
        );
        store.rollback_to(10, 1);
        store.set_level(0);
        store.share_row(20, 1, b"a", true).unwrap();
        store.release(20, 1);
        // FOR KEY SHARE, then FOR SHARE after a savepoint: an update keeping the key waits
        // until the rollback.
        store.share_row(30, 1, b"b", true).unwrap();
        store.set_level(1);
        store.share_row(30, 1, b"b", false).unwrap();
        store.set_level(0);
        assert_eq!(
            store.update(40, 1, b"b", b"x".to_vec(), true),
            Err(Blocked { holder: 30 })
        );
        store.rollback_to(30, 1);
        store.update(40, 1, b"b", b"x".to_vec(), true).unwrap();
    }

    #[test]
    fn key_share_and_key_keeping_locks_pass_each_other() {
        let mut store = store_with_a_and_b();
        // FOR KEY SHARE on `a`: an update that keeps the key goes ahead, one that changes it
        // waits, as do a delete and FOR UPDATE; FOR NO KEY UPDATE does not.
        store.share_row(10, 1, b"a", true).unwrap();
        store.lock_row(30, 1, b"a", true).unwrap();
        store.release(30, 1);
        assert_eq!(store.delete(40, 1, b"a"), Err(Blocked { holder: 10 }));
        assert_eq!(
            store.lock_row(40, 1, b"a", false),
            Err(Blocked { holder: 10 })
        );
        assert_eq!(
            store.update(40, 1, b"a", b"x".to_vec(), false),
            Err(Blocked { holder: 10 })
        );
        store.update(20, 1, b"a", b"3".to_vec(), true).unwrap();
        // Under that update's lock another FOR KEY SHARE is granted; FOR SHARE waits for it.
        store.share_row(50, 1, b"a", true).unwrap();
        assert_eq!(
            store.share_row(60, 1, b"a", false),
            Err(Blocked { holder: 20 })
        );
        // Changing the key within the same transaction now waits for the key sharers.
        assert!(store.update(20, 1, b"a", b"4".to_vec(), false).is_err());
        // A full share lock holds back updates that keep the key too, and FOR KEY SHARE waits
        // for a lock that may change the key (a delete's).
        store.share_row(70, 1, b"b", false).unwrap();
        assert_eq!(
            store.update(80, 1, b"b", b"x".to_vec(), true),
            Err(Blocked { holder: 70 })
        );
        store.release(70, 1);
        store.delete(80, 1, b"b").unwrap();
        assert_eq!(
            store.share_row(90, 1, b"b", true),
            Err(Blocked { holder: 80 })
        );
    }

    #[test]
    fn checked_inserts_leave_nothing_behind_until_every_key_is_free() {
        let mut store = store_with_a_and_b();
        // A key longer than a lock holds inline, beside short ones.
        let long = vec![7u8; 40];
        let keys = |list: &[&[u8]]| list.iter().map(|k| k.to_vec()).collect::<Vec<_>>();
        let check = |store: &Store, txn, list: &[Vec<u8>]| {
            store
                .check_inserts(txn, 1, list.iter().map(Vec::as_slice))
                .map(|free| free.map(|free| free.len()))
        };
        // The first key with a row is named; nothing was locked.
        assert_eq!(check(&store, 5, &keys(&[b"c", b"b", b"a"])), Ok(Err(1)));
        assert!(store.locks.is_empty());
        // Txn 5 deletes `a` and inserts the long key: `a` is free for it again, the long key is
        // its own row now, and for txn 6 both wait on txn 5.
        store.delete(5, 1, b"a").unwrap();
        store.insert(5, 1, long.clone(), b"L".to_vec()).unwrap();
        assert_eq!(check(&store, 5, std::slice::from_ref(&long)), Ok(Err(0)));
        assert_eq!(
            check(&store, 6, &keys(&[b"c", b"a"])),
            Err(Blocked { holder: 5 })
        );
        assert_eq!(
            check(&store, 6, std::slice::from_ref(&long)),
            Err(Blocked { holder: 5 })
        );
        let list = keys(&[b"a", b"c"]);
        let free = store
            .check_inserts(5, 1, list.iter().map(Vec::as_slice))
            .unwrap()
            .unwrap();
        for (key, free) in list.iter().zip(free) {
            store.insert_checked(5, 1, key, b"new", free).unwrap();
        }
        assert_eq!(
            store.get(Snapshot::latest(5), 1, b"a").unwrap(),
            Some(Cow::Borrowed(&b"new"[..]))
        );
        // Others still see the committed `a`; an abort puts it back and drops the rest.
        assert_eq!(
            store.get(Snapshot::latest(6), 1, b"a").unwrap(),
            Some(Cow::Borrowed(&b"1"[..]))
        );
        store.abort(5);
        assert!(store.locks.is_empty());
        assert_eq!(
            store.get(Snapshot::latest(6), 1, b"a").unwrap(),
            Some(Cow::Borrowed(&b"1"[..]))
        );
        assert_eq!(store.get(Snapshot::latest(6), 1, b"c").unwrap(), None);
        assert_eq!(store.get(Snapshot::latest(6), 1, &long).unwrap(), None);
        // Committed inserts are logged with what they replaced and then seen by everyone.
        let list = keys(&[b"c"]);
        let free = store
            .check_inserts(8, 1, [b"c".as_slice()])
            .unwrap()
            .unwrap();
        store
            .insert_checked(8, 1, &list[0], b"3", free.into_iter().next().unwrap())
            .unwrap();
        store.insert(8, 1, long.clone(), b"L".to_vec()).unwrap();
        let mut records = Vec::new();
        store.commit_records(8, &[0], &mut |record| records.push(format!("{record:?}")));
        assert_eq!(records.len(), 3, "{records:?}");
        store.release(8, 1);
        assert!(store.locks.is_empty());
        assert_eq!(
            store.get(Snapshot::latest(9), 1, &long).unwrap(),
            Some(Cow::Borrowed(&b"L"[..]))
        );
        assert_eq!(std::mem::size_of::<RowKey>(), 24);
    }

    #[test]
    fn abort_restores_inserts_deletes_and_truncates() {
        let mut store = store_with_a_and_b();
        assert_eq!(
            store.insert(5, 1, b"a".to_vec(), b"dup".to_vec()),
            Ok(Inserted::Duplicate)
        );
        store.insert(5, 1, b"c".to_vec(), b"3".to_vec()).unwrap();
        store.delete(5, 1, b"a").unwrap();
        assert_eq!(store.get(Snapshot::latest(5), 1, b"a").unwrap(), None);
        assert_eq!(
            store.get(Snapshot::latest(6), 1, b"a").unwrap(),
            Some(Cow::Borrowed(&b"1"[..]))
        );
        assert_eq!(store.get(Snapshot::latest(6), 1, b"c").unwrap(), None);
        store.truncate(5, 1).unwrap();
        assert_eq!(store.row_count(1), 0);
        assert_eq!(
            store.get(Snapshot::latest(6), 1, b"a"),
            Err(Blocked { holder: 5 })
        );
        store.abort(5);
        let mut keys = Vec::new();
        store
            .scan(Snapshot::latest(6), 1, &mut |view| {
                keys.push((view.key.to_vec(), view.visible.map(|row| row.to_vec())));
                true
            })
            .unwrap();
        keys.sort();
        assert_eq!(
            keys,
            vec![
                (b"a".to_vec(), Some(b"1".to_vec())),
                (b"b".to_vec(), Some(b"2".to_vec()))
            ]
        );
    }

    #[test]
    fn truncate_then_bulk_load_logs_every_row_and_aborts_cleanly() {
        let mut store = Store::default();
        store.load(1, [(b"old".to_vec(), b"0".to_vec())]);
        store.truncate(9, 1).unwrap();
        for i in 0..100u32 {
            assert_eq!(
                store.insert(9, 1, i.to_be_bytes().to_vec(), b"r".to_vec()),
                Ok(Inserted::Yes)
            );
        }
        assert_eq!(
            store.insert(9, 1, 5u32.to_be_bytes().to_vec(), b"dup".to_vec()),
            Ok(Inserted::Duplicate)
        );
        store.delete(9, 1, &7u32.to_be_bytes()).unwrap();
        store
            .update(9, 1, &8u32.to_be_bytes(), b"u".to_vec(), false)
            .unwrap();
        assert!(store.locks.is_empty(), "no row locks under the table lock");
        assert_eq!(
            store.get(Snapshot::latest(3), 1, b"old"),
            Err(Blocked { holder: 9 })
        );
        let mut puts = 0;
        let mut truncates = 0;
        store.commit_records(9, &[0], &mut |record| match record {
            Record::Put { .. } => puts += 1,
            Record::Truncate { .. } => truncates += 1,
            _ => {}
        });
        assert_eq!((truncates, puts), (1, 99));
        let mut aborted = Store::default();
        aborted.load(1, [(b"old".to_vec(), b"0".to_vec())]);
        aborted.truncate(9, 1).unwrap();
        aborted
            .insert(9, 1, b"new".to_vec(), b"1".to_vec())
            .unwrap();
        aborted.abort(9);
        assert_eq!(
            aborted.get(Snapshot::latest(3), 1, b"old").unwrap(),
            Some(Cow::Borrowed(&b"0"[..]))
        );
        assert_eq!(aborted.get(Snapshot::latest(3), 1, b"new").unwrap(), None);
        store.release(9, 1);
        assert_eq!(store.row_count(1), 99);
        assert_eq!(
            store
                .get(Snapshot::latest(3), 1, &8u32.to_be_bytes())
                .unwrap(),
            Some(Cow::Borrowed(&b"u"[..]))
        );
    }

    fn rows_of(store: &Store, table: TableId) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut rows = Vec::new();
        store
            .scan(Snapshot::latest(u64::MAX), table, &mut |view| {
                if let Some(row) = view.visible {
                    rows.push((view.key.to_vec(), row.to_vec()));
                }
                true
            })
            .unwrap();
        rows.sort();
        rows
    }

    fn commit(store: &mut Store, txn: TxnId, log: &mut Vec<u8>) {
        store.note_commit(txn, false);
        store.commit_records(txn, &[0], &mut |record| crate::wal::encode(&record, 1, log));
        store.release(txn, 1);
    }

    /// A checkpoint taken while a transaction is open and another truncates a table: the image,
    /// opened on the same file after the store is gone (no flush: a crash), holds exactly the
    /// released transactions' rows; the log written after the cut brings it up to date.
    #[test]
    fn checkpoint_image_plus_log_after_the_cut_is_the_committed_state() {
        let dir = std::env::temp_dir().join(format!("keel-store-ckpt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.keel");
        let pages = Pages::create_file(&path, 64 * 4096, 1 << 30, false).unwrap();
        let mut store = Store::new(pages);
        // Table 1 is placed by its keys' first 3 bytes (runs of 256 keys per vshard).
        store.set_placement(1, 3);
        let key = |i: u32| i.to_be_bytes().to_vec();
        let row =
            |i: u32, v: &str| format!("{v}{i}{}", "x".repeat((i % 200) as usize)).into_bytes();
        let mut before_cut = Vec::new();
        for i in 0..3000 {
            store.insert(1, 1, key(i), row(i, "a")).unwrap();
            store.insert(1, 2, key(i), row(i, "t")).unwrap();
        }
        commit(&mut store, 1, &mut before_cut);
        // Open at the cut: an update, an insert, a delete, and a truncate of table 2.
        store.update(2, 1, &key(5), row(5, "open"), false).unwrap();
        store.insert(2, 1, key(9000), row(9000, "open")).unwrap();
        store.delete(2, 1, &key(6)).unwrap();
        store.truncate(2, 2).unwrap();
        store.insert(2, 2, key(1), row(1, "open")).unwrap();
        let expected_at_cut = (rows_of(&store, 1), {
            let mut t2: Vec<_> = (0..3000).map(|i| (key(i), row(i, "t"))).collect();
            t2.sort();
            t2
        });
        let (image, committing) = store.begin_checkpoint();
        assert!(committing.is_empty());
        // After the cut: the open transaction goes on and commits; another one too.
        let mut after_cut = Vec::new();
        for i in 10..2000 {
            store.update(2, 1, &key(i), row(i, "b"), false).unwrap();
        }
        commit(&mut store, 2, &mut after_cut);
        store.delete(3, 1, &key(7)).unwrap();
        commit(&mut store, 3, &mut after_cut);
        let page_table = store.pages().buffer_manager().finish_checkpoint().unwrap();
        // More changes reach the file after the image is finished, then the process "dies".
        for i in 0..3000 {
            store.update(4, 1, &key(i), row(i, "lost"), false).unwrap();
        }
        store.pages().buffer_manager().flush_all().unwrap();
        let expected_now = rows_of(&store, 1);
        let placements = store.placements().clone();
        drop(store);

        let pages = Pages::open_file(&path, 64 * 4096, 1 << 30, false, &page_table).unwrap();
        let mut restored = Store::restore(pages, &image, &placements);
        assert_eq!(rows_of(&restored, 1), expected_at_cut.0);
        assert_eq!(rows_of(&restored, 2), expected_at_cut.1);
        assert_eq!(restored.row_count(1), 3000);
        for record in crate::wal::LogFile::from_bytes(0, after_cut).records() {
            restored.redo(&record);
        }
        // The committed state (the open transaction 4's changes are others' before-images).
        assert_eq!(rows_of(&restored, 1), expected_now);
        assert_eq!(restored.row_count(1), 2999);
        assert_eq!(rows_of(&restored, 2).len(), 1);
        assert_eq!(restored.last_key(1), Some(key(9000)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn committed_delete_leaves_a_tombstone_until_purge() {
        let mut store = Store::default();
        store.load(1, [(b"a".to_vec(), b"1".to_vec())]);
        store.delete(7, 1, b"a").unwrap();
        store.release(7, 5);
        assert!(!store.has_writes(7));
        let at = |ts| Snapshot { txn: 99, ts };
        assert_eq!(store.get(at(5), 1, b"a").unwrap(), None);
        assert_eq!(
            store.get(at(4), 1, b"a").unwrap().as_deref(),
            Some(&b"1"[..])
        );
        assert_eq!(
            store.row_count(1),
            1,
            "the tombstone stays while ts 4 may read"
        );
        assert_eq!(store.purge(4, 100), 0);
        assert_eq!(store.row_count(1), 1);
        store.purge(5, 100);
        assert_eq!(store.row_count(1), 0);
        assert_eq!(store.versions_kept(), (0, 0));
    }

    /// Undo records move from memory to the undo tree past the budget and at a checkpoint; reads
    /// and purge find them in either place.
    #[test]
    fn young_undo_spills_to_the_tree_and_stays_readable() {
        let mut store = Store::default();
        let key = |i: u32| i.to_be_bytes().to_vec();
        for i in 0..1000u32 {
            store.insert(1, 1, key(i), vec![0; 100]).unwrap();
        }
        store.release(1, 1);
        // Enough versions to pass the in-memory budget: the oldest go to pages.
        let rounds = (YOUNG_UNDO_BYTES / (1000 * 120)) as u64 + 2;
        for round in 0..rounds {
            let txn = 10 + round;
            for i in 0..1000u32 {
                store
                    .update(txn, 1, &key(i), vec![round as u8 + 1; 100], false)
                    .unwrap();
            }
            store.release(txn, 2 + round);
        }
        assert!(
            !store.undo.is_empty() && !store.young.is_empty(),
            "some on pages, some in memory"
        );
        let at = |ts| Snapshot { txn: 99, ts };
        for ts in [1, 2, 1 + rounds / 2, 1 + rounds] {
            let expect = [(ts - 1) as u8; 100];
            assert_eq!(
                store.get(at(ts), 1, &key(7)).unwrap().as_deref(),
                Some(&expect[..])
            );
        }
        let (image, _) = store.begin_checkpoint();
        assert!(store.young.is_empty() && image.versions == store.undo.meta_pid());
        store.pages().buffer_manager().abandon_checkpoint();
        while store.purge(1 + rounds, 1000) == 1000 {}
        assert_eq!(store.versions_kept(), (0, 0));
    }

    /// Snapshots read the version of their time through a chain of commits; writers see the
    /// newest version and whether it is newer than their snapshot; purge keeps exactly what the
    /// horizon needs.
    #[test]
    fn snapshots_walk_the_undo_chain() {
        let mut store = Store::default();
        let at = |ts| Snapshot { txn: 1000, ts };
        store.insert(10, 1, b"k".to_vec(), b"v1".to_vec()).unwrap();
        store.release(10, 2);
        store.update(20, 1, b"k", b"v2".to_vec(), false).unwrap();
        // Open update: everyone else reads the committed version.
        assert_eq!(
            store.get(at(9), 1, b"k").unwrap().as_deref(),
            Some(&b"v1"[..])
        );
        store.release(20, 4);
        store.delete(30, 1, b"k").unwrap();
        store.release(30, 6);
        store.insert(40, 1, b"k".to_vec(), b"v4".to_vec()).unwrap();
        store.release(40, 8);
        let read = |store: &Store, ts| store.get(at(ts), 1, b"k").unwrap().map(|r| r.to_vec());
        assert_eq!(read(&store, 1), None);
        assert_eq!(read(&store, 2), Some(b"v1".to_vec()));
        assert_eq!(read(&store, 3), Some(b"v1".to_vec()));
        assert_eq!(read(&store, 5), Some(b"v2".to_vec()));
        assert_eq!(read(&store, 6), None);
        assert_eq!(read(&store, 8), Some(b"v4".to_vec()));
        let mut newest = None;
        store
            .newest(at(5), 1, b"k", &mut |view| {
                newest = Some(view.newest.clone().into_owned_for_test())
            })
            .unwrap();
        assert_eq!(newest, Some((Some(b"v4".to_vec()), true)));
        // Purge up to 4: versions for snapshots 4 and older go, 5 still reads v2.
        store.purge(4, 100);
        assert_eq!(read(&store, 5), Some(b"v2".to_vec()));
        assert_eq!(read(&store, 7), None);
        store.purge(8, 100);
        assert_eq!(store.versions_kept(), (0, 0));
        assert_eq!(read(&store, 8), Some(b"v4".to_vec()));
    }

    impl Newest<'_> {
        fn into_owned_for_test(self) -> (Option<Vec<u8>>, bool) {
            match self {
                Newest::Committed {
                    row,
                    after_snapshot,
                } => (row.map(|r| r.to_vec()), after_snapshot),
                Newest::Mine(row) => (row.map(|r| r.to_vec()), false),
                Newest::Locked(_) => panic!("locked"),
            }
        }
    }

    /// ROLLBACK TO SAVEPOINT puts back rows changed at and below a level, releases locks first
    /// taken there, and keeps what came before.
    #[test]
    fn rollback_to_a_savepoint_keeps_what_came_before() {
        let mut store = store_with_a_and_b();
        let me = Snapshot::latest(5);
        let read =
            |store: &Store, key: &[u8]| store.get(me, 1, key).unwrap().map(|row| row.to_vec());
        store.update(5, 1, b"a", b"10".to_vec(), false).unwrap();
        store.set_level(1);
        store.update(5, 1, b"a", b"11".to_vec(), false).unwrap();
        store.delete(5, 1, b"b").unwrap();
        store.insert(5, 1, b"c".to_vec(), b"3".to_vec()).unwrap();
        store.set_level(2);
        store.update(5, 1, b"c", b"30".to_vec(), false).unwrap();
        store.rollback_to(5, 2);
        assert_eq!(read(&store, b"c"), Some(b"3".to_vec()));
        store.rollback_to(5, 1);
        assert_eq!(read(&store, b"a"), Some(b"10".to_vec()));
        assert_eq!(read(&store, b"b"), Some(b"2".to_vec()));
        assert_eq!(read(&store, b"c"), None);
        assert_eq!(
            store.lock_holder_other_than(6, 1, b"b"),
            None,
            "b's lock went"
        );
        assert_eq!(
            store.lock_holder_other_than(6, 1, b"a"),
            Some(5),
            "a's stays"
        );
        store.set_level(0);
        let mut records = 0;
        store.commit_records(5, &[0], &mut |_| records += 1);
        assert_eq!(records, 2, "one put and the commit record");
        store.release(5, 9);
        assert_eq!(read(&store, b"a"), Some(b"10".to_vec()));
    }

    /// ROLLBACK TO SAVEPOINT around a TRUNCATE: one taken before it gives the table its old
    /// trees back (the lock with them); rows of a table truncated before the savepoint (changed
    /// without row locks) go back to their state at it; rows the transaction changed before the
    /// savepoint come back changed and locked, those it changed after it as they were.
    #[test]
    fn rollback_to_a_savepoint_around_a_truncate() {
        let me = Snapshot::latest(7);
        let read =
            |store: &Store, key: &[u8]| store.get(me, 1, key).unwrap().map(|row| row.to_vec());
        // Savepoint, truncate, rollback: the table as before, its lock gone.
        let mut store = store_with_a_and_b();
        store.set_level(1);
        store.update(7, 1, b"a", b"10".to_vec(), false).unwrap();
        store.truncate(7, 1).unwrap();
        store.insert(7, 1, b"c".to_vec(), b"3".to_vec()).unwrap();
        assert_eq!(read(&store, b"a"), None);
        store.rollback_to(7, 1);
        assert_eq!(read(&store, b"a"), Some(b"1".to_vec()));
        assert_eq!(read(&store, b"b"), Some(b"2".to_vec()));
        assert_eq!(read(&store, b"c"), None);
        assert_eq!(store.lock_holder_other_than(8, 1, b"a"), None);
        assert_eq!(store.truncate(8, 1), Ok(()), "the table lock went");
        store.abort(8);
        // Truncate, savepoint, changes, rollback: the rows as at the savepoint.
        store.set_level(0);
        store.truncate(7, 1).unwrap();
        store.insert(7, 1, b"c".to_vec(), b"3".to_vec()).unwrap();
        store.insert(7, 1, b"d".to_vec(), b"4".to_vec()).unwrap();
        store.set_level(2);
        store.update(7, 1, b"c", b"30".to_vec(), false).unwrap();
        store.update(7, 1, b"c", b"31".to_vec(), false).unwrap();
        store.delete(7, 1, b"d").unwrap();
        store.insert(7, 1, b"e".to_vec(), b"5".to_vec()).unwrap();
        store.rollback_to(7, 2);
        assert_eq!(read(&store, b"c"), Some(b"3".to_vec()));
        assert_eq!(read(&store, b"d"), Some(b"4".to_vec()));
        assert_eq!(read(&store, b"e"), None);
        // Truncated twice, the second time after a savepoint: back to the first truncate's rows.
        store.set_level(3);
        store.truncate(7, 1).unwrap();
        store.insert(7, 1, b"f".to_vec(), b"6".to_vec()).unwrap();
        store.rollback_to(7, 3);
        assert_eq!(read(&store, b"c"), Some(b"3".to_vec()));
        assert_eq!(read(&store, b"f"), None);
        assert!(
            store.truncate(8, 1).is_err(),
            "the first truncate's lock stays"
        );
        store.abort(7);
        assert_eq!(read(&store, b"a"), Some(b"1".to_vec()));
        assert_eq!(read(&store, b"c"), None);
        // Changes before the savepoint (an update, an implicitly locked insert) and after it,
        // then a truncate: the rollback brings back the table as at the savepoint, with the
        // locks of the changes before it.
        store.set_level(0);
        store.update(7, 1, b"a", b"10".to_vec(), false).unwrap();
        store.insert(7, 1, b"g".to_vec(), b"7".to_vec()).unwrap();
        store.set_level(4);
        store.update(7, 1, b"b", b"20".to_vec(), false).unwrap();
        store.delete(7, 1, b"g").unwrap();
        store.truncate(7, 1).unwrap();
        store.insert(7, 1, b"z".to_vec(), b"26".to_vec()).unwrap();
        assert_eq!(read(&store, b"a"), None);
        store.rollback_to(7, 4);
        assert_eq!(read(&store, b"a"), Some(b"10".to_vec()));
        assert_eq!(read(&store, b"b"), Some(b"2".to_vec()));
        assert_eq!(read(&store, b"g"), Some(b"7".to_vec()));
        assert_eq!(read(&store, b"z"), None);
        assert_eq!(store.lock_holder_other_than(8, 1, b"a"), Some(7));
        assert_eq!(store.lock_holder_other_than(8, 1, b"g"), Some(7));
        assert_eq!(store.lock_holder_other_than(8, 1, b"b"), None);
        assert_eq!(
            store.get(Snapshot::latest(8), 1, b"a").unwrap().as_deref(),
            Some(&b"1"[..])
        );
        // Truncated again and aborted: nothing of it stays.
        store.set_level(5);
        store.truncate(7, 1).unwrap();
        store.abort(7);
        assert_eq!(read(&store, b"a"), Some(b"1".to_vec()));
        assert_eq!(read(&store, b"g"), None);
        assert!(store.locks.is_empty() && store.implicit.is_empty());
        // The same, committed: the rows as at the savepoint, logged.
        store.set_level(0);
        store.update(7, 1, b"a", b"10".to_vec(), false).unwrap();
        store.insert(7, 1, b"g".to_vec(), b"7".to_vec()).unwrap();
        store.set_level(6);
        store.truncate(7, 1).unwrap();
        store.rollback_to(7, 6);
        store.set_level(0);
        let mut records = Vec::new();
        store.commit_records(7, &[0], &mut |record| records.push(format!("{record:?}")));
        assert_eq!(records.len(), 3, "{records:?}");
        store.release(7, 20);
        let rows = rows_of(&store, 1);
        assert_eq!(rows.len(), 3, "a, b and g");
        assert_eq!(read(&store, b"a"), Some(b"10".to_vec()));
        assert_eq!(read(&store, b"g"), Some(b"7".to_vec()));
    }

    /// A multi-worker transaction between its durable commit and its release holds readers back
    /// (its timestamp is not known yet); a single-worker one does not (its timestamp will be newer
    /// than any snapshot taken before).
    #[test]
    fn readers_wait_only_for_multi_worker_commits() {
        let mut store = Store::default();
        store.load(1, [(b"a".to_vec(), b"1".to_vec())]);
        store.update(5, 1, b"a", b"2".to_vec(), false).unwrap();
        store.note_commit(5, false);
        let reader = Snapshot { txn: 6, ts: 100 };
        assert_eq!(
            store.get(reader, 1, b"a").unwrap().as_deref(),
            Some(&b"1"[..])
        );
        store.release(5, 101);
        store.update(7, 1, b"a", b"3".to_vec(), false).unwrap();
        store.note_commit(7, true);
        assert_eq!(store.get(reader, 1, b"a"), Err(Blocked { holder: 7 }));
        store.release(7, 102);
        assert_eq!(
            store.get(reader, 1, b"a").unwrap().as_deref(),
            Some(&b"1"[..])
        );
        let later = Snapshot { txn: 6, ts: 102 };
        assert_eq!(
            store.get(later, 1, b"a").unwrap().as_deref(),
            Some(&b"3"[..])
        );
    }
}
