//! Timestamps, snapshots and row versions: the parts of undo-log MVCC that are not the store.
//!
//! ```text
//!   in place (tree value):  [writer txn: u64 LE, bit 63 = tombstone][row bytes]
//!   undo tree key:          [commit ts of the replacing txn: u64 BE][table: u64 BE][row key]
//!   undo tree value:        the replaced version, as it was in place (header + row)
//! ```
//!
//! - **Timestamps** come from one node-wide counter ([`Clock`]). A transaction's commit timestamp is
//!   taken when it is released: on its worker for a single-worker transaction (atomically with the
//!   release, so nobody ever sees it half done), by the session after every participant's commit
//!   record is durable for a multi-worker one. A snapshot is the counter's value: it sees exactly the
//!   versions whose commit timestamp is at most that value, plus its own transaction's changes.
//! - **Versions.** The newest version of a row lives in place, stamped with its writer's transaction
//!   id. A worker maps the transaction ids of recent commits to their timestamps (`Store::commits`);
//!   a writer not in the map committed before every live snapshot. When a transaction commits a
//!   change, the version it replaced goes to the undo tree under the committer's timestamp, so a
//!   reader whose snapshot is older walks back: in-place version, then undo records keyed by the
//!   timestamps of the writers it cannot see, until it reaches one it can (or none: the row did not
//!   exist for it). A committed delete leaves a tombstone in place until no snapshot needs the row.
//! - **Purge.** Undo records under timestamps at or below the horizon (the oldest snapshot any session
//!   holds) are never read again: a worker drops them in the background in timestamp order (the undo
//!   tree's key order), with the tombstones they explain. Undo records are B+tree pages in the
//!   worker's buffer pool, so a long snapshot costs disk space, not memory.
//! - **Horizon.** Each worker publishes the oldest snapshot its sessions hold ([`LocalSnapshots`]);
//!   the horizon is the minimum of those and the counter. A new snapshot registers a lower bound of
//!   itself before reading the counter, so a purge racing with it never removes what it needs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::{TableId, TxnId, WorkerId};

/// A commit timestamp or snapshot.
pub type Ts = u64;

/// What one operation of a transaction reads: versions committed at or before `ts`, and the
/// transaction's own changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub txn: TxnId,
    pub ts: Ts,
}

impl Snapshot {
    /// Sees every released commit (recovery, tests, moving rows).
    pub const fn latest(txn: TxnId) -> Snapshot {
        Snapshot { txn, ts: Ts::MAX }
    }
}

const TOMBSTONE: u64 = 1 << 63;
/// Bytes of the version header in front of every row in place.
pub const HEADER: usize = 8;

/// A version as stored in place: `writer`'s row, or its tombstone.
pub fn version(writer: TxnId, row: Option<&[u8]>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER + row.map_or(0, <[u8]>::len));
    match row {
        Some(row) => {
            bytes.extend_from_slice(&writer.to_le_bytes());
            bytes.extend_from_slice(row);
        }
        None => bytes.extend_from_slice(&(writer | TOMBSTONE).to_le_bytes()),
    }
    bytes
}

/// The writer of a stored version, and its row (None: a tombstone).
pub fn parse(bytes: &[u8]) -> (TxnId, Option<&[u8]>) {
    let header = u64::from_le_bytes(bytes[..HEADER].try_into().expect("8-byte version header"));
    if header & TOMBSTONE != 0 {
        (header & !TOMBSTONE, None)
    } else {
        (header, Some(&bytes[HEADER..]))
    }
}

/// The undo tree key of the version of `(table, key)` that the transaction committed at `ts`
/// replaced.
pub fn undo_key(ts: Ts, table: TableId, key: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(16 + key.len());
    bytes.extend_from_slice(&ts.to_be_bytes());
    bytes.extend_from_slice(&table.to_be_bytes());
    bytes.extend_from_slice(key);
    bytes
}

/// The parts of an undo tree key.
pub fn parse_undo_key(bytes: &[u8]) -> (Ts, TableId, &[u8]) {
    let ts = u64::from_be_bytes(bytes[..8].try_into().expect("undo key"));
    let table = u64::from_be_bytes(bytes[8..16].try_into().expect("undo key"));
    (ts, table, &bytes[16..])
}

/// The node-wide timestamp counter and each worker's oldest snapshot.
#[derive(Debug)]
pub struct Clock {
    now: AtomicU64,
    /// Per worker: the oldest snapshot its sessions hold (`Ts::MAX`: none).
    oldest: Vec<AtomicU64>,
}

impl Clock {
    pub fn new(workers: usize) -> Clock {
        Clock {
            now: AtomicU64::new(1),
            oldest: (0..workers).map(|_| AtomicU64::new(Ts::MAX)).collect(),
        }
    }

    /// The newest commit timestamp handed out.
    pub fn now(&self) -> Ts {
        self.now.load(Ordering::SeqCst)
    }

    /// A new commit timestamp, larger than every snapshot taken before.
    pub fn tick(&self) -> Ts {
        self.now.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The oldest snapshot anyone may still read with: versions replaced at or before it are
    /// garbage.
    pub fn horizon(&self) -> Ts {
        // The counter first: a snapshot registered after the slots are read is at least this.
        let now = self.now();
        self.oldest
            .iter()
            .map(|slot| slot.load(Ordering::SeqCst))
            .fold(now, Ts::min)
    }

    fn publish(&self, worker: WorkerId, oldest: Ts) {
        if let Some(slot) = self.oldest.get(worker as usize) {
            slot.store(oldest, Ordering::SeqCst);
        }
    }
}

/// The snapshots held by the sessions of one worker (used on that worker's thread only).
#[derive(Debug)]
pub struct LocalSnapshots {
    clock: Arc<Clock>,
    worker: WorkerId,
    held: RefCell<BTreeMap<Ts, usize>>,
}

impl LocalSnapshots {
    pub fn new(clock: Arc<Clock>, worker: WorkerId) -> Rc<LocalSnapshots> {
        Rc::new(LocalSnapshots {
            clock,
            worker,
            held: RefCell::new(BTreeMap::new()),
        })
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Takes a snapshot of everything committed so far; it counts for the horizon until the lease is
    /// dropped.
    pub fn take(self: &Rc<Self>) -> SnapshotLease {
        // Register a lower bound before reading the snapshot itself (see the module docs).
        let bound = self.clock.now();
        *self.held.borrow_mut().entry(bound).or_default() += 1;
        self.publish();
        let ts = self.clock.now();
        SnapshotLease {
            owner: self.clone(),
            bound,
            ts,
        }
    }

    fn publish(&self) {
        let oldest = self.held.borrow().keys().next().copied().unwrap_or(Ts::MAX);
        self.clock.publish(self.worker, oldest);
    }
}

/// A snapshot a session holds; purge keeps what it needs until it is dropped.
#[derive(Debug)]
pub struct SnapshotLease {
    owner: Rc<LocalSnapshots>,
    bound: Ts,
    pub ts: Ts,
}

impl Drop for SnapshotLease {
    fn drop(&mut self) {
        {
            let mut held = self.owner.held.borrow_mut();
            if let Some(count) = held.get_mut(&self.bound) {
                *count -= 1;
                if *count == 0 {
                    held.remove(&self.bound);
                }
            }
        }
        self.owner.publish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_undo_keys_round_trip() {
        let row = version(42 << 8 | 3, Some(b"row"));
        assert_eq!(parse(&row), (42 << 8 | 3, Some(&b"row"[..])));
        let tomb = version(7, None);
        assert_eq!(parse(&tomb), (7, None));
        let key = undo_key(9, 4, b"k");
        assert_eq!(parse_undo_key(&key), (9, 4, &b"k"[..]));
        assert!(undo_key(9, 4, b"zzz") < undo_key(10, 0, b""));
    }

    #[test]
    fn the_horizon_is_the_oldest_held_snapshot() {
        let clock = Arc::new(Clock::new(2));
        let local = LocalSnapshots::new(clock.clone(), 1);
        clock.tick();
        let old = local.take();
        assert_eq!(old.ts, 2);
        clock.tick();
        clock.tick();
        let new = local.take();
        assert_eq!(new.ts, 4);
        assert_eq!(clock.horizon(), 2);
        drop(old);
        assert_eq!(clock.horizon(), 4);
        drop(new);
        clock.tick();
        assert_eq!(clock.horizon(), 5);
    }
}
