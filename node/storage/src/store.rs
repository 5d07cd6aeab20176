//! A worker's share of the data: trees per (table, vshard), row locks, transaction write sets.
//!
//! ```text
//!   trees[(table, vshard)] : key -> newest row bytes (committed, or written by the lock holder)
//!   locks[(table, key)]    : holder txn, before-image (None: the row did not exist), deleted flag
//!   table_locks[table]     : holder txn of an exclusive table lock (TRUNCATE, table rewrite)
//! ```
//!
//! Invariants:
//! - A row written by an open transaction is locked by it until it commits or aborts; nobody else
//!   writes it meanwhile (writers get [`Blocked`] and wait for the holder).
//! - Other transactions read the before-image of a locked row: they never see uncommitted data.
//!   This is READ COMMITTED with row-level write locks; the newest-in-place / before-image split is the
//!   shape the undo-log MVCC issue extends into version chains with snapshots.
//! - An uncommitted delete keeps the row in its tree (marked in the lock) so that other readers still see
//!   it; commit removes it.
//! - Commit is two steps: [`Store::commit_records`] hands the write set to the log while the locks stay
//!   held; [`Store::release`] runs once the log says the records are durable. A reader can therefore
//!   never observe a change that a crash could still take back.
//!
//! Every method is synchronous: the store is owned by one worker thread and never awaits. A caller that
//! gets [`Blocked`] waits (asynchronously) for the holder to finish and retries the whole operation.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Bound;

use crate::engine::{PagedTree, Pages};
use crate::wal::Record;
use crate::{vshard_of, TableId, TxnId, VShard};

/// The operation must wait for another transaction to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub holder: TxnId,
}

#[derive(Debug)]
struct RowLock {
    holder: TxnId,
    before: Option<Vec<u8>>,
    deleted: bool,
}

#[derive(Default, Debug)]
struct WriteSet {
    /// Rows this transaction locked and changed, in first-touch order.
    rows: Vec<(TableId, Vec<u8>)>,
    /// Tables this transaction truncated, with the trees they had (restored on abort).
    truncated: Vec<(TableId, Vec<(VShard, PagedTree)>)>,
    /// A catalog image this transaction writes: (version, bytes).
    catalog: Option<(u64, Vec<u8>)>,
}

/// What a scan shows of one row.
pub struct RowView<'a> {
    pub key: &'a [u8],
    /// The version this transaction sees (None: invisible to it).
    pub visible: Option<&'a [u8]>,
    /// The newest version when another transaction holds the row's lock.
    pub locked_newest: Option<(TxnId, Option<&'a [u8]>)>,
}

/// Result of an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Yes,
    /// A visible row already has this key.
    Duplicate,
}

/// One worker's rows.
pub struct Store {
    pages: Pages,
    trees: HashMap<(TableId, VShard), PagedTree>,
    /// vshards that hold a tree, per table (for scans).
    table_vshards: HashMap<TableId, Vec<VShard>>,
    locks: HashMap<(TableId, Vec<u8>), RowLock>,
    table_locks: HashMap<TableId, TxnId>,
    txns: HashMap<TxnId, WriteSet>,
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
}

/// What a checkpoint keeps of a store beside its page image: enough to open the trees as of the cut
/// with only released transactions' changes in them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoreImage {
    /// (table, vshard, tree meta page, rows).
    pub trees: Vec<(TableId, VShard, u64, u64)>,
    /// Before-images of rows that open transactions had changed in place at the cut: (table, key,
    /// row; None: the row did not exist). Applied when the image is opened.
    pub undo: Vec<(TableId, Vec<u8>, Option<Vec<u8>>)>,
    /// Meta pages of trees that are garbage once the image is opened (a truncate's new trees whose
    /// transaction was open at the cut, or the old trees of one that was committing).
    pub garbage: Vec<u64>,
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
        Store {
            pages,
            trees: HashMap::new(),
            table_vshards: HashMap::new(),
            locks: HashMap::new(),
            table_locks: HashMap::new(),
            txns: HashMap::new(),
            committing: HashMap::new(),
            released_multi: Vec::new(),
            settled_in_image: 0,
            catalog: None,
            max_txn: 0,
        }
    }

    /// A store over `pages` holding a checkpoint image: its trees as of the cut, with the changes
    /// of transactions that were open then taken back.
    pub fn restore(pages: Pages, image: &StoreImage) -> Store {
        let mut store = Store::new(pages);
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
            Record::Commit { .. } => {}
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
        self.pages.buffer_manager().begin_checkpoint();
        let committing: Vec<TxnId> = self.committing.keys().copied().collect();
        let mut image = StoreImage {
            catalog: self.catalog.clone(),
            max_txn: self.max_txn,
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
            for (table, old) in &writes.truncated {
                let old_trees = old
                    .iter()
                    .map(|(vshard, tree)| (*vshard, tree.meta_pid(), tree.len() as u64));
                if open && !replaced.contains_key(table) {
                    replaced.insert(*table, old_trees.collect());
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
        for ((table, key), lock) in &self.locks {
            if !self.committing.contains_key(&lock.holder) {
                image.undo.push((*table, key.clone(), lock.before.clone()));
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

    /// Loads recovered rows (already committed) for a table.
    pub fn load(&mut self, table: TableId, rows: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) {
        for (key, row) in rows {
            let vshard = vshard_of(&key);
            self.tree_mut(table, vshard).put(&key, &row);
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

    /// Row lock holder of `key`, if another transaction than `txn`.
    fn other_holder(&self, txn: TxnId, table: TableId, key: &[u8]) -> Option<&RowLock> {
        // The map is keyed by owned keys; avoid allocating when no lock exists at all.
        if self.locks.is_empty() {
            return None;
        }
        self.locks
            .get(&(table, key.to_vec()))
            .filter(|lock| lock.holder != txn)
    }

    /// The transaction other than `txn` holding the lock on `key`, if any.
    pub fn lock_holder_other_than(&self, txn: TxnId, table: TableId, key: &[u8]) -> Option<TxnId> {
        self.other_holder(txn, table, key).map(|lock| lock.holder)
    }

    /// The version of `key` that `txn` sees.
    pub fn get(
        &self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
    ) -> Result<Option<Cow<'_, [u8]>>, Blocked> {
        self.check_table(txn, table)?;
        let newest = || {
            self.trees
                .get(&(table, vshard_of(key)))
                .and_then(|tree| tree.get(key))
                .map(Cow::Owned)
        };
        if self.locks.is_empty() {
            return Ok(newest());
        }
        Ok(match self.locks.get(&(table, key.to_vec())) {
            None => newest(),
            Some(lock) if lock.holder == txn => newest().filter(|_| !lock.deleted),
            Some(lock) => lock.before.as_deref().map(Cow::Borrowed),
        })
    }

    /// Visits every row of `table` on this worker as `txn` sees it, until `visit` returns false.
    pub fn scan(
        &self,
        txn: TxnId,
        table: TableId,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<(), Blocked> {
        self.scan_range(txn, table, Bound::Unbounded, Bound::Unbounded, visit)
    }

    /// As [`scan`](Self::scan), for keys between `from` and `to` (in key order within each
    /// vshard's tree; the vshards one after the other; only the key's own for a single key).
    pub fn scan_range(
        &self,
        txn: TxnId,
        table: TableId,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(RowView<'_>) -> bool,
    ) -> Result<(), Blocked> {
        self.check_table(txn, table)?;
        let Some(vshards) = self.table_vshards.get(&table) else {
            return Ok(());
        };
        // A single key lives in one vshard's tree: do not descend every other tree for it.
        let single = match (from, to) {
            (Bound::Included(a), Bound::Included(b)) if a == b => Some(vshard_of(a)),
            _ => None,
        };
        let vshards = vshards
            .iter()
            .filter(|vshard| single.is_none_or(|only| **vshard == only));
        let any_locks = !self.locks.is_empty();
        let mut go_on = true;
        for vshard in vshards {
            let Some(tree) = self.trees.get(&(table, *vshard)) else {
                continue;
            };
            tree.scan(from, to, &mut |key, row| {
                let view = match any_locks
                    .then(|| self.locks.get(&(table, key.to_vec())))
                    .flatten()
                {
                    None => RowView {
                        key,
                        visible: Some(row),
                        locked_newest: None,
                    },
                    Some(lock) if lock.holder == txn => RowView {
                        key,
                        visible: (!lock.deleted).then_some(row),
                        locked_newest: None,
                    },
                    Some(lock) => RowView {
                        key,
                        visible: lock.before.as_deref(),
                        locked_newest: Some((lock.holder, (!lock.deleted).then_some(row))),
                    },
                };
                go_on = visit(view);
                go_on
            });
            if !go_on {
                break;
            }
        }
        Ok(())
    }

    /// Takes the row lock on `key` for `txn` (a no-op if it holds it), remembering the before-image.
    fn lock(&mut self, txn: TxnId, table: TableId, key: &[u8]) -> Result<(), Blocked> {
        self.check_table(txn, table)?;
        if let Some(lock) = self.other_holder(txn, table, key) {
            return Err(Blocked {
                holder: lock.holder,
            });
        }
        let map_key = (table, key.to_vec());
        if !self.locks.contains_key(&map_key) {
            let before = self
                .trees
                .get(&(table, vshard_of(key)))
                .and_then(|tree| tree.get(key));
            self.locks.insert(
                map_key,
                RowLock {
                    holder: txn,
                    before,
                    deleted: false,
                },
            );
            self.writes(txn).rows.push((table, key.to_vec()));
        }
        Ok(())
    }

    /// Inserts a row unless a row with that key is visible to `txn`.
    pub fn insert(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: Vec<u8>,
        row: Vec<u8>,
    ) -> Result<Inserted, Blocked> {
        if self.exclusive(txn, table) {
            // The table is this transaction's alone (it truncated it): no row locks needed, an
            // abort restores the saved trees, and commit logs every row of the table.
            let tree = self.tree_mut(table, vshard_of(&key));
            if tree.contains(&key) {
                return Ok(Inserted::Duplicate);
            }
            tree.put(&key, &row);
            return Ok(Inserted::Yes);
        }
        if self.get(txn, table, &key)?.is_some() {
            return Ok(Inserted::Duplicate);
        }
        self.lock(txn, table, &key)?;
        let lock = self
            .locks
            .get_mut(&(table, key.clone()))
            .expect("locked above");
        lock.deleted = false;
        let vshard = vshard_of(&key);
        self.tree_mut(table, vshard).put(&key, &row);
        Ok(Inserted::Yes)
    }

    /// Replaces the row under `key` (which `txn` must see).
    pub fn update(
        &mut self,
        txn: TxnId,
        table: TableId,
        key: &[u8],
        row: Vec<u8>,
    ) -> Result<(), Blocked> {
        if !self.exclusive(txn, table) {
            self.lock(txn, table, key)?;
        }
        let vshard = vshard_of(key);
        self.tree_mut(table, vshard).put(key, &row);
        Ok(())
    }

    /// Deletes the row under `key` (which `txn` must see).
    pub fn delete(&mut self, txn: TxnId, table: TableId, key: &[u8]) -> Result<(), Blocked> {
        if self.exclusive(txn, table) {
            if let Some(tree) = self.trees.get_mut(&(table, vshard_of(key))) {
                tree.remove(key);
            }
            return Ok(());
        }
        self.lock(txn, table, key)?;
        self.locks
            .get_mut(&(table, key.to_vec()))
            .expect("locked above")
            .deleted = true;
        Ok(())
    }

    /// Empties `table` on this worker under an exclusive table lock held until commit or abort.
    pub fn truncate(&mut self, txn: TxnId, table: TableId) -> Result<(), Blocked> {
        self.check_table(txn, table)?;
        if let Some((_, lock)) = self
            .locks
            .iter()
            .find(|((t, _), lock)| *t == table && lock.holder != txn)
        {
            return Err(Blocked {
                holder: lock.holder,
            });
        }
        // Rows this transaction itself changed in the table go back to their before-images: the saved
        // trees must be the state an abort returns to, and a commit empties the table anyway.
        self.finish_rows(txn, |(t, _)| *t == table, true);
        self.table_locks.insert(txn_table_key(table), txn);
        let vshards = self.table_vshards.remove(&table).unwrap_or_default();
        let old = vshards
            .into_iter()
            .filter_map(|vshard| {
                self.trees
                    .remove(&(table, vshard))
                    .map(|tree| (vshard, tree))
            })
            .collect();
        self.writes(txn).truncated.push((table, old));
        Ok(())
    }

    /// `txn`'s write set, created on its first change here.
    fn writes(&mut self, txn: TxnId) -> &mut WriteSet {
        self.max_txn = self.max_txn.max(txn);
        self.txns.entry(txn).or_default()
    }

    /// Records that `txn` writes a new catalog image.
    pub fn write_catalog(&mut self, txn: TxnId, version: u64, image: Vec<u8>) {
        self.writes(txn).catalog = Some((version, image));
    }

    /// Whether `txn` changed anything on this worker.
    pub fn has_writes(&self, txn: TxnId) -> bool {
        self.txns.contains_key(&txn)
    }

    /// The log records of `txn`'s changes, ending with its commit record. Locks stay held.
    pub fn commit_records(
        &self,
        txn: TxnId,
        participants: &[u8],
        emit: &mut dyn FnMut(Record<'_>),
    ) {
        let Some(writes) = self.txns.get(&txn) else {
            return;
        };
        // A truncated table holds only this transaction's rows: log the truncate, then all of them.
        let mut truncated: Vec<TableId> =
            writes.truncated.iter().map(|(table, _)| *table).collect();
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
            let lock = &self.locks[&(*table, key.clone())];
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
                let after = self.trees[&(*table, vshard_of(key))]
                    .get(key)
                    .expect("locked row is in its tree");
                emit(Record::Put {
                    txn,
                    table: *table,
                    key,
                    before,
                    after: &after,
                });
            }
        }
        if let Some((version, image)) = &writes.catalog {
            emit(Record::Catalog {
                txn,
                version: *version,
                image,
            });
        }
        emit(Record::Commit { txn, participants });
    }

    /// Ends `txn` after its commit is durable: its changes become everyone's, its locks go.
    pub fn release(&mut self, txn: TxnId) {
        self.finish_rows(txn, |_| true, false);
        if self.committing.remove(&txn) == Some(true) {
            self.released_multi.push(txn);
        }
        if let Some(writes) = self.txns.remove(&txn) {
            if let Some((version, image)) = &writes.catalog {
                self.note_catalog(*version, image);
            }
            for (table, old) in writes.truncated {
                self.table_locks.remove(&txn_table_key(table));
                // The rows the truncate removed are gone for good: free their pages.
                for (_, tree) in old {
                    tree.destroy();
                }
            }
        }
    }

    /// Undoes everything `txn` did on this worker and releases its locks.
    pub fn abort(&mut self, txn: TxnId) {
        self.finish_rows(txn, |_| true, true);
        self.committing.remove(&txn);
        if let Some(writes) = self.txns.remove(&txn) {
            for (table, trees) in writes.truncated.into_iter().rev() {
                self.table_locks.remove(&txn_table_key(table));
                for vshard in self.table_vshards.remove(&table).unwrap_or_default() {
                    if let Some(tree) = self.trees.remove(&(table, vshard)) {
                        tree.destroy();
                    }
                }
                for (vshard, tree) in trees {
                    self.trees.insert((table, vshard), tree);
                    self.table_vshards.entry(table).or_default().push(vshard);
                }
                if let Some(vshards) = self.table_vshards.get_mut(&table) {
                    vshards.sort_unstable();
                }
            }
        }
    }

    /// Settles the row locks of `txn` that `which` selects: commit (keep newest) or undo (restore).
    fn finish_rows(&mut self, txn: TxnId, which: impl Fn(&(TableId, Vec<u8>)) -> bool, undo: bool) {
        let Some(writes) = self.txns.get_mut(&txn) else {
            return;
        };
        let (chosen, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut writes.rows)
            .into_iter()
            .partition(|row| which(row));
        writes.rows = kept;
        for (table, key) in chosen {
            let Some(lock) = self.locks.remove(&(table, key.clone())) else {
                continue;
            };
            let restore = if undo {
                lock.before.map(Some).unwrap_or(None)
            } else {
                None
            };
            let remove = if undo {
                restore.is_none()
            } else {
                lock.deleted
            };
            if let Some(before) = restore {
                self.set_row(table, &key, Some(&before));
            } else if remove {
                self.set_row(table, &key, None);
            }
        }
    }

    /// Stores `row` under `key` in the key's tree of `table`; None removes the key.
    fn set_row(&mut self, table: TableId, key: &[u8], row: Option<&[u8]>) {
        let vshard = vshard_of(key);
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

    /// Number of rows of `table` on this worker, including uncommitted ones.
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

/// Table locks share the map with nothing else; the helper keeps the key type explicit.
fn txn_table_key(table: TableId) -> TableId {
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_writes_are_private_until_release() {
        let mut store = Store::default();
        store.load(1, [(b"k".to_vec(), b"old".to_vec())]);
        store.update(10, 1, b"k", b"new".to_vec()).unwrap();
        assert_eq!(
            store.get(10, 1, b"k").unwrap(),
            Some(Cow::Borrowed(&b"new"[..]))
        );
        assert_eq!(
            store.get(20, 1, b"k").unwrap(),
            Some(Cow::Borrowed(&b"old"[..]))
        );
        assert_eq!(
            store.update(20, 1, b"k", b"x".to_vec()),
            Err(Blocked { holder: 10 })
        );
        let mut records = Vec::new();
        store.commit_records(10, &[0], &mut |record| records.push(format!("{record:?}")));
        assert_eq!(records.len(), 2);
        store.release(10);
        assert_eq!(
            store.get(20, 1, b"k").unwrap(),
            Some(Cow::Borrowed(&b"new"[..]))
        );
    }

    #[test]
    fn abort_restores_inserts_deletes_and_truncates() {
        let mut store = Store::default();
        store.load(
            1,
            [
                (b"a".to_vec(), b"1".to_vec()),
                (b"b".to_vec(), b"2".to_vec()),
            ],
        );
        assert_eq!(
            store.insert(5, 1, b"a".to_vec(), b"dup".to_vec()),
            Ok(Inserted::Duplicate)
        );
        store.insert(5, 1, b"c".to_vec(), b"3".to_vec()).unwrap();
        store.delete(5, 1, b"a").unwrap();
        assert_eq!(store.get(5, 1, b"a").unwrap(), None);
        assert_eq!(
            store.get(6, 1, b"a").unwrap(),
            Some(Cow::Borrowed(&b"1"[..]))
        );
        assert_eq!(store.get(6, 1, b"c").unwrap(), None);
        store.truncate(5, 1).unwrap();
        assert_eq!(store.row_count(1), 0);
        assert_eq!(store.get(6, 1, b"a"), Err(Blocked { holder: 5 }));
        store.abort(5);
        let mut keys = Vec::new();
        store
            .scan(6, 1, &mut |view| {
                keys.push((view.key.to_vec(), view.visible.map(<[u8]>::to_vec)));
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
            .update(9, 1, &8u32.to_be_bytes(), b"u".to_vec())
            .unwrap();
        assert!(store.locks.is_empty(), "no row locks under the table lock");
        assert_eq!(store.get(3, 1, b"old"), Err(Blocked { holder: 9 }));
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
            aborted.get(3, 1, b"old").unwrap(),
            Some(Cow::Borrowed(&b"0"[..]))
        );
        assert_eq!(aborted.get(3, 1, b"new").unwrap(), None);
        store.release(9);
        assert_eq!(store.row_count(1), 99);
        assert_eq!(
            store.get(3, 1, &8u32.to_be_bytes()).unwrap(),
            Some(Cow::Borrowed(&b"u"[..]))
        );
    }

    fn rows_of(store: &Store, table: TableId) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut rows = Vec::new();
        store
            .scan(u64::MAX, table, &mut |view| {
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
        store.release(txn);
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
        store.update(2, 1, &key(5), row(5, "open")).unwrap();
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
            store.update(2, 1, &key(i), row(i, "b")).unwrap();
        }
        commit(&mut store, 2, &mut after_cut);
        store.delete(3, 1, &key(7)).unwrap();
        commit(&mut store, 3, &mut after_cut);
        let page_table = store.pages().buffer_manager().finish_checkpoint().unwrap();
        // More changes reach the file after the image is finished, then the process "dies".
        for i in 0..3000 {
            store.update(4, 1, &key(i), row(i, "lost")).unwrap();
        }
        store.pages().buffer_manager().flush_all().unwrap();
        let expected_now = rows_of(&store, 1);
        drop(store);

        let pages = Pages::open_file(&path, 64 * 4096, 1 << 30, false, &page_table).unwrap();
        let mut restored = Store::restore(pages, &image);
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
    fn committed_delete_removes_the_row() {
        let mut store = Store::default();
        store.load(1, [(b"a".to_vec(), b"1".to_vec())]);
        store.delete(7, 1, b"a").unwrap();
        store.release(7);
        assert_eq!(store.row_count(1), 0);
        assert!(!store.has_writes(7));
    }
}
