//! Heavyweight locks: the node's table of relation locks (`LOCK TABLE`, and the locks every
//! statement takes on the relations it names), advisory locks (`pg_advisory_lock`: numbers
//! the application chooses), and the catalog lock DDL holds until its transaction ends.
//!
//! **Modes and conflicts.** PostgreSQL's eight table lock modes with its conflict table
//! ([`LockMode::conflicts`]): a SELECT takes ACCESS SHARE on what it reads, a write ROW
//! EXCLUSIVE on its target, `SELECT ... FOR UPDATE` ROW SHARE, CREATE INDEX SHARE, ANALYZE and
//! VACUUM SHARE UPDATE EXCLUSIVE, DDL that changes or drops a table ACCESS EXCLUSIVE. Advisory
//! locks are SHARE (shared) or EXCLUSIVE. Locks of one session never conflict with each other.
//!
//! **One table, a queue per lock.** A hold is (session, mode, session- or transaction-level,
//! count). A request waits while another session's hold conflicts, or while an earlier waiter
//! for the same lock wants a conflicting mode (so a waiting ACCESS EXCLUSIVE is not starved by
//! a stream of readers, as in PostgreSQL) unless the requester already holds that lock. A
//! session about to wait follows the waits-for edges from what blocks it; a path back to
//! itself is a deadlock, reported to the session that closes the cycle (40P01). Waiters wake on
//! every release and try again.
//!
//! **The fast path.** Nearly every statement takes weak relation locks (ACCESS SHARE, ROW
//! SHARE, ROW EXCLUSIVE), which conflict only with strong ones; going through the one table for
//! each would put a node-wide mutex on every statement. As in PostgreSQL, a session records a
//! weak lock in its own slot ([`FastPath`], a mutex nobody else takes but a strong locker or a
//! `pg_locks` reader) when no session holds or wants a strong lock on the relation; a counter
//! per relation (hashed into [`PARTITIONS`] counters) says so. A strong locker first raises the
//! counter, then moves every session's fast-path holds on the relation into the table, so it
//! sees them; a weak locker reads the counter under its slot's mutex, so either it sees the
//! raised counter (and takes the table's path) or its hold is in its slot before the strong
//! locker looks there. A transaction's end clears the slot and touches the table only when the
//! session has something there (a flag in the slot).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use keel_storage::TableId;
use tokio::sync::Notify;

/// An advisory lock's name: one bigint, or two integers (`pair`, packed high and low).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LockKey {
    pub key: i64,
    pub pair: bool,
}

impl LockKey {
    pub fn single(key: i64) -> LockKey {
        LockKey { key, pair: false }
    }

    pub fn pair(high: i32, low: i32) -> LockKey {
        LockKey {
            key: (i64::from(high) << 32) | i64::from(low as u32),
            pair: true,
        }
    }

    /// The lock a function's arguments name (one bigint, or two integers); None when one is
    /// NULL (the functions are strict).
    pub fn from_args(args: &[crate::types::Value]) -> Option<LockKey> {
        use crate::types::Value;
        match args {
            [Value::Int(key)] => Some(LockKey::single(*key)),
            [Value::Int(high), Value::Int(low)] => Some(LockKey::pair(*high as i32, *low as i32)),
            _ => None,
        }
    }

    /// `pg_locks`' classid, objid and objsubid for the lock, as PostgreSQL shows them.
    pub fn pg_locks_ids(self) -> (i64, i64, i16) {
        let high = (self.key >> 32) & 0xffff_ffff;
        let low = self.key & 0xffff_ffff;
        (high, low, if self.pair { 2 } else { 1 })
    }
}

/// What a lock is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockTag {
    /// A table, view or sequence, by its catalog id.
    Relation(TableId),
    /// An advisory lock's number.
    Advisory(LockKey),
    /// The catalog itself: DDL holds it EXCLUSIVE until its transaction ends, so DDL
    /// transactions are serial (and a wait for it is searched for deadlocks with the rest).
    Catalog,
}

/// PostgreSQL's table lock modes, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockMode {
    AccessShare = 1,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    /// Per mode, the modes it conflicts with (bit `m` for mode `m`): PostgreSQL's table.
    const CONFLICTS: [u16; 9] = [
        0,
        1 << 8,
        1 << 7 | 1 << 8,
        1 << 5 | 1 << 6 | 1 << 7 | 1 << 8,
        1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8,
        1 << 3 | 1 << 4 | 1 << 6 | 1 << 7 | 1 << 8,
        1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8,
        1 << 2 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8,
        0b1_1111_1110,
    ];

    pub fn conflicts(self, other: LockMode) -> bool {
        LockMode::CONFLICTS[self as usize] & (1 << other as u16) != 0
    }

    /// ACCESS SHARE, ROW SHARE and ROW EXCLUSIVE: they conflict with none of themselves, and
    /// take the fast path.
    pub fn weak(self) -> bool {
        self <= LockMode::RowExclusive
    }

    /// The name `pg_locks.mode` shows.
    pub fn name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// An advisory lock's mode.
    pub fn advisory(shared: bool) -> LockMode {
        if shared {
            LockMode::Share
        } else {
            LockMode::Exclusive
        }
    }
}

/// One holder's hold on a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hold {
    pid: i32,
    mode: LockMode,
    /// Held by the session's transaction (released when it ends), not the session.
    xact: bool,
    /// Times taken (a session lock is released after as many unlocks).
    count: u32,
    /// For a transaction's hold, the savepoint level it was first taken at (0: outside any):
    /// ROLLBACK TO a savepoint releases the holds taken since it was set.
    level: u32,
}

/// A session's wait: the lock, the mode, and its place in the lock's queue.
#[derive(Debug, Clone, Copy)]
struct Wait {
    tag: LockTag,
    mode: LockMode,
    seq: u64,
}

#[derive(Debug, Default)]
struct State {
    holds: HashMap<LockTag, Vec<Hold>>,
    waits: HashMap<i32, Wait>,
    next_seq: u64,
    /// (session, relation) while the session holds or waits for a strong lock on it: each
    /// counts once in the relation's fast-path counter.
    strong: HashSet<(i32, TableId)>,
}

impl State {
    /// The sessions that stop `pid` from taking `tag` in `mode`: holders whose mode conflicts,
    /// and earlier waiters for a conflicting mode (unless `pid` already holds the lock).
    fn blockers(&self, pid: i32, tag: LockTag, mode: LockMode) -> Vec<i32> {
        let holds = self.holds.get(&tag).map_or(&[][..], Vec::as_slice);
        let mut out: Vec<i32> = holds
            .iter()
            .filter(|h| h.pid != pid && mode.conflicts(h.mode))
            .map(|h| h.pid)
            .collect();
        if !holds.iter().any(|h| h.pid == pid) {
            let mine = self
                .waits
                .get(&pid)
                .filter(|w| w.tag == tag)
                .map_or(u64::MAX, |w| w.seq);
            out.extend(
                self.waits
                    .iter()
                    .filter(|(other, w)| {
                        **other != pid && w.tag == tag && w.seq < mine && mode.conflicts(w.mode)
                    })
                    .map(|(other, _)| *other),
            );
        }
        out
    }

    /// Adds a hold (a transaction's at savepoint `level`); false when it only counted one
    /// more of a hold there was (which keeps the lower level).
    fn take(&mut self, pid: i32, tag: LockTag, mode: LockMode, xact: bool, level: u32) -> bool {
        let holds = self.holds.entry(tag).or_default();
        let level = if xact { level } else { 0 };
        match holds
            .iter_mut()
            .find(|h| h.pid == pid && h.mode == mode && h.xact == xact)
        {
            Some(hold) => {
                hold.count += 1;
                hold.level = hold.level.min(level);
                false
            }
            None => {
                holds.push(Hold {
                    pid,
                    mode,
                    xact,
                    count: 1,
                    level,
                });
                true
            }
        }
    }

    /// Whether `pid` waiting for `tag` in `mode` closes a cycle of waits back to itself.
    fn deadlocks(&self, pid: i32, tag: LockTag, mode: LockMode) -> bool {
        let mut stack = self.blockers(pid, tag, mode);
        let mut seen = Vec::new();
        while let Some(holder) = stack.pop() {
            if holder == pid {
                return true;
            }
            if seen.contains(&holder) {
                continue;
            }
            seen.push(holder);
            if let Some(wait) = self.waits.get(&holder) {
                stack.extend(self.blockers(holder, wait.tag, wait.mode));
            }
        }
        false
    }

    fn remove_where(&mut self, gone: impl Fn(&Hold) -> bool) -> bool {
        let mut any = false;
        self.holds.retain(|_, holds| {
            holds.retain(|hold| {
                let drop = gone(hold);
                any |= drop;
                !drop
            });
            !holds.is_empty()
        });
        any
    }

    fn holds_any(&self, pid: i32) -> bool {
        self.waits.contains_key(&pid)
            || self
                .holds
                .values()
                .any(|holds| holds.iter().any(|h| h.pid == pid))
    }
}

/// The outcome of one try at a lock for a session that would wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Taken,
    /// Held by others: wait for a release (the wait is registered).
    Wait,
    /// Waiting would close a cycle of waits (nothing registered).
    Deadlock,
}

/// A held or awaited lock, for `pg_locks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub tag: LockTag,
    pub pid: i32,
    pub mode: LockMode,
    pub granted: bool,
    /// Held in the session's fast-path slot.
    pub fastpath: bool,
    /// A wait's place in its lock's queue (0 for a hold).
    pub queued: u64,
}

/// A session's fast-path slot: its weak relation locks while no one wants a strong one (each
/// with the savepoint level it was taken at).
#[derive(Debug, Default)]
pub struct FastPath {
    held: Mutex<Vec<(TableId, LockMode, u32)>>,
    /// The session has holds or a wait in the node's table (its own, or fast-path holds a
    /// strong locker moved there): its transaction's end must look there.
    in_table: AtomicBool,
    /// The savepoint level the session's transaction takes locks at now (0: outside any).
    level: AtomicU32,
}

impl FastPath {
    fn held(&self) -> std::sync::MutexGuard<'_, Vec<(TableId, LockMode, u32)>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The transaction entered or left a savepoint: locks are taken at `level` from now on.
    pub fn set_level(&self, level: u32) {
        self.level.store(level, Ordering::SeqCst);
    }

    fn level(&self) -> u32 {
        self.level.load(Ordering::SeqCst)
    }
}

/// How many counters the relations' strong-lock counts are hashed into.
pub const PARTITIONS: usize = 1024;

/// The node's heavyweight locks.
#[derive(Debug)]
pub struct Locks {
    state: Mutex<State>,
    /// Signalled on every release: waiters try again.
    released: Notify,
    /// Per partition of relations, the (session, relation) pairs holding or wanting a strong
    /// lock there: weak lockers take the fast path only where it is 0.
    strong: Box<[AtomicU32]>,
    /// Each session's fast-path slot, by process id.
    sessions: Mutex<HashMap<i32, Arc<FastPath>>>,
}

impl Default for Locks {
    fn default() -> Locks {
        Locks {
            state: Mutex::default(),
            released: Notify::new(),
            strong: (0..PARTITIONS).map(|_| AtomicU32::new(0)).collect(),
            sessions: Mutex::default(),
        }
    }
}

fn partition(table: TableId) -> usize {
    (table.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize % PARTITIONS
}

impl Locks {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<i32, Arc<FastPath>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fast-path slot of session `pid` (made at its first lock).
    pub fn slot(&self, pid: i32) -> Arc<FastPath> {
        self.sessions().entry(pid).or_default().clone()
    }

    /// Takes a weak relation lock in the session's slot when no one holds or wants a strong
    /// one on the relation; false: take it through [`Locks::attempt`].
    pub fn fast_lock(&self, slot: &FastPath, table: TableId, mode: LockMode) -> bool {
        debug_assert!(mode.weak());
        let mut held = slot.held();
        if self.strong[partition(table)].load(Ordering::SeqCst) != 0 {
            return false;
        }
        if !held.iter().any(|&(t, m, _)| (t, m) == (table, mode)) {
            held.push((table, mode, slot.level()));
        }
        true
    }

    /// Notes that `pid` holds or wants a strong lock on `table`: the first time, raises the
    /// relation's counter and moves every session's fast-path holds on it into the table.
    fn note_strong(&self, state: &mut State, pid: i32, table: TableId) {
        if !state.strong.insert((pid, table)) {
            return;
        }
        self.strong[partition(table)].fetch_add(1, Ordering::SeqCst);
        for (holder, slot) in self.sessions().iter() {
            let mut held = slot.held();
            let mut moved = false;
            held.retain(|&(t, mode, level)| {
                if t != table {
                    return true;
                }
                state.take(*holder, LockTag::Relation(t), mode, true, level);
                moved = true;
                false
            });
            if moved {
                slot.in_table.store(true, Ordering::SeqCst);
            }
        }
    }

    /// Drops `pid`'s strong-lock notes for the relations it no longer holds or waits for
    /// strongly.
    fn settle_strong(&self, state: &mut State, pid: i32) {
        let notes: Vec<TableId> = state
            .strong
            .iter()
            .filter(|(p, _)| *p == pid)
            .map(|(_, t)| *t)
            .collect();
        for table in notes {
            let tag = LockTag::Relation(table);
            let holds = state
                .holds
                .get(&tag)
                .is_some_and(|holds| holds.iter().any(|h| h.pid == pid && !h.mode.weak()));
            let waits = state
                .waits
                .get(&pid)
                .is_some_and(|w| w.tag == tag && !w.mode.weak());
            if !holds && !waits {
                state.strong.remove(&(pid, table));
                self.strong[partition(table)].fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    fn mark_in_table(&self, pid: i32) {
        self.slot(pid).in_table.store(true, Ordering::SeqCst);
    }

    /// Takes the lock if nothing blocks it (`pg_try_advisory_lock`, `LOCK TABLE ... NOWAIT`).
    pub fn try_take(&self, pid: i32, tag: LockTag, mode: LockMode, xact: bool) -> bool {
        let mut state = self.state();
        let strong = match tag {
            LockTag::Relation(table) if !mode.weak() => Some(table),
            _ => None,
        };
        if let Some(table) = strong {
            self.note_strong(&mut state, pid, table);
        }
        if !state.blockers(pid, tag, mode).is_empty() {
            if strong.is_some() {
                self.settle_strong(&mut state, pid);
            }
            return false;
        }
        state.take(pid, tag, mode, xact, self.slot(pid).level());
        drop(state);
        self.mark_in_table(pid);
        true
    }

    /// One try for a session that waits when it must: takes the lock, or registers the wait
    /// (keeping its place in the queue from an earlier try), or finds that waiting would
    /// deadlock.
    pub fn attempt(&self, pid: i32, tag: LockTag, mode: LockMode, xact: bool) -> Attempt {
        let mut state = self.state();
        if let LockTag::Relation(table) = tag {
            if !mode.weak() {
                self.note_strong(&mut state, pid, table);
            }
        }
        if state.blockers(pid, tag, mode).is_empty() {
            state.waits.remove(&pid);
            state.take(pid, tag, mode, xact, self.slot(pid).level());
            drop(state);
            self.mark_in_table(pid);
            return Attempt::Taken;
        }
        if state.deadlocks(pid, tag, mode) {
            let queued = state.waits.remove(&pid).is_some();
            self.settle_strong(&mut state, pid);
            drop(state);
            if queued {
                self.released.notify_waiters();
            }
            return Attempt::Deadlock;
        }
        if !state
            .waits
            .get(&pid)
            .is_some_and(|w| w.tag == tag && w.mode == mode)
        {
            let seq = state.next_seq;
            state.next_seq += 1;
            state.waits.insert(pid, Wait { tag, mode, seq });
        }
        drop(state);
        self.mark_in_table(pid);
        Attempt::Wait
    }

    /// A future that resolves at the next release (armed before [`Locks::attempt`], so a
    /// release in between is not missed).
    pub fn released(&self) -> tokio::sync::futures::Notified<'_> {
        self.released.notified()
    }

    /// The session stopped waiting (it gave up: timeout, cancel); those queued behind it may
    /// go.
    pub fn stop_waiting(&self, pid: i32) {
        let mut state = self.state();
        if state.waits.remove(&pid).is_some() {
            self.settle_strong(&mut state, pid);
            drop(state);
            self.released.notify_waiters();
        }
    }

    /// `pg_advisory_unlock[_shared]`: one session-level hold fewer; false when the session
    /// holds none of that kind.
    pub fn unlock(&self, pid: i32, key: LockKey, shared: bool) -> bool {
        let tag = LockTag::Advisory(key);
        let mode = LockMode::advisory(shared);
        let mut state = self.state();
        let Some(holds) = state.holds.get_mut(&tag) else {
            return false;
        };
        let Some(at) = holds
            .iter()
            .position(|h| h.pid == pid && h.mode == mode && !h.xact)
        else {
            return false;
        };
        holds[at].count -= 1;
        if holds[at].count == 0 {
            holds.remove(at);
            if holds.is_empty() {
                state.holds.remove(&tag);
            }
            drop(state);
            self.released.notify_waiters();
        }
        true
    }

    /// Releases the session's session-level holds (`pg_advisory_unlock_all`), or, when the
    /// session ends (`and_xact`), everything it has (and forgets its slot).
    pub fn release_session(&self, pid: i32, and_xact: bool) {
        let released = {
            let mut state = self.state();
            let waited = and_xact && state.waits.remove(&pid).is_some();
            let released = state.remove_where(|h| h.pid == pid && (and_xact || !h.xact));
            self.settle_strong(&mut state, pid);
            waited || released
        };
        if and_xact {
            self.sessions().remove(&pid);
        }
        if released {
            self.released.notify_waiters();
        }
    }

    /// Releases the holds of the session's transaction (it ended): its fast-path slot, and
    /// what it has in the table when it has anything there.
    pub fn release_xact(&self, pid: i32, slot: &FastPath) {
        slot.set_level(0);
        {
            let mut held = slot.held();
            held.clear();
            if !slot.in_table.load(Ordering::SeqCst) {
                return;
            }
        }
        let released = {
            let mut state = self.state();
            let released = state.remove_where(|h| h.pid == pid && h.xact);
            self.settle_strong(&mut state, pid);
            if !state.holds_any(pid) {
                slot.in_table.store(false, Ordering::SeqCst);
            }
            released
        };
        if released {
            self.released.notify_waiters();
        }
    }

    /// ROLLBACK TO a savepoint of level `level`: the transaction's holds taken since it was
    /// set (at `level` or deeper) go, as PostgreSQL releases a rolled-back subtransaction's
    /// locks; those taken before stay.
    pub fn rollback_to(&self, pid: i32, slot: &FastPath, level: u32) {
        slot.held().retain(|&(_, _, taken)| taken < level);
        slot.set_level(level);
        if !slot.in_table.load(Ordering::SeqCst) {
            return;
        }
        let released = {
            let mut state = self.state();
            let released = state.remove_where(|h| h.pid == pid && h.xact && h.level >= level);
            self.settle_strong(&mut state, pid);
            released
        };
        if released {
            self.released.notify_waiters();
        }
    }

    /// RELEASE of a savepoint of level `level`, inside one of level `to` (0: none): the holds
    /// taken since it was set belong to the enclosing level now.
    pub fn release_savepoint(&self, pid: i32, slot: &FastPath, level: u32, to: u32) {
        for (_, _, taken) in slot.held().iter_mut() {
            if *taken >= level {
                *taken = to;
            }
        }
        slot.set_level(to);
        if !slot.in_table.load(Ordering::SeqCst) {
            return;
        }
        let mut state = self.state();
        for holds in state.holds.values_mut() {
            for hold in holds.iter_mut() {
                if hold.pid == pid && hold.xact && hold.level >= level {
                    hold.level = to;
                }
            }
        }
    }

    /// Every hold and wait, for `pg_locks`.
    pub fn list(&self) -> Vec<Listed> {
        let state = self.state();
        let mut out: Vec<Listed> = state
            .holds
            .iter()
            .flat_map(|(tag, holds)| {
                holds.iter().map(|h| Listed {
                    tag: *tag,
                    pid: h.pid,
                    mode: h.mode,
                    granted: true,
                    fastpath: false,
                    queued: 0,
                })
            })
            .collect();
        for (pid, slot) in self.sessions().iter() {
            out.extend(slot.held().iter().map(|&(table, mode, _)| Listed {
                tag: LockTag::Relation(table),
                pid: *pid,
                mode,
                granted: true,
                fastpath: true,
                queued: 0,
            }));
        }
        // One row per session and mode, however it holds it (session and transaction level).
        out.sort_by_key(|l| (l.tag, l.pid, l.mode, l.fastpath));
        out.dedup_by_key(|l| (l.tag, l.pid, l.mode));
        out.extend(state.waits.iter().map(|(pid, wait)| Listed {
            tag: wait.tag,
            pid: *pid,
            mode: wait.mode,
            granted: false,
            fastpath: false,
            queued: wait.seq + 1,
        }));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(key: LockKey) -> LockTag {
        LockTag::Advisory(key)
    }

    #[test]
    fn the_conflict_table_is_postgresqls() {
        use LockMode::*;
        let modes = [
            AccessShare,
            RowShare,
            RowExclusive,
            ShareUpdateExclusive,
            Share,
            ShareRowExclusive,
            Exclusive,
            AccessExclusive,
        ];
        for a in modes {
            for b in modes {
                assert_eq!(a.conflicts(b), b.conflicts(a), "{a:?} {b:?}");
            }
        }
        assert!(!AccessShare.conflicts(Exclusive));
        assert!(AccessShare.conflicts(AccessExclusive));
        assert!(!RowExclusive.conflicts(RowExclusive));
        assert!(RowExclusive.conflicts(Share));
        assert!(!Share.conflicts(Share));
        assert!(ShareUpdateExclusive.conflicts(ShareUpdateExclusive));
        assert!(!ShareUpdateExclusive.conflicts(RowExclusive));
        assert!(ShareRowExclusive.conflicts(ShareRowExclusive));
        assert!(Exclusive.conflicts(RowShare));
        assert!(modes.iter().all(|m| AccessExclusive.conflicts(*m)));
    }

    #[test]
    fn holds_conflict_across_sessions_and_stack_within_one() {
        let locks = Locks::default();
        let k = advisory(LockKey::single(42));
        let (exclusive, shared) = (LockMode::advisory(false), LockMode::advisory(true));
        assert!(locks.try_take(1, k, exclusive, false));
        assert!(
            locks.try_take(1, k, exclusive, false),
            "a session never blocks itself"
        );
        assert!(!locks.try_take(2, k, shared, false));
        assert!(locks.unlock(1, LockKey::single(42), false));
        assert!(
            !locks.try_take(2, k, exclusive, false),
            "taken twice, unlocked once"
        );
        assert!(locks.unlock(1, LockKey::single(42), false));
        assert!(
            !locks.unlock(1, LockKey::single(42), false),
            "nothing left to unlock"
        );
        // Shared holds share; an exclusive one waits for them.
        assert!(locks.try_take(2, k, shared, false));
        assert!(locks.try_take(3, k, shared, true));
        assert_eq!(locks.attempt(1, k, exclusive, false), Attempt::Wait);
        locks.release_xact(3, &locks.slot(3));
        assert_eq!(locks.attempt(1, k, exclusive, false), Attempt::Wait);
        locks.release_session(2, true);
        assert_eq!(locks.attempt(1, k, exclusive, false), Attempt::Taken);
        // The two key spaces are apart; pg_locks' ids.
        assert!(locks.try_take(2, advisory(LockKey::pair(0, 42)), exclusive, false));
        assert_eq!(LockKey::pair(-1, 7).pg_locks_ids(), (0xffff_ffff, 7, 2));
        assert_eq!(LockKey::single(1 << 33 | 5).pg_locks_ids(), (2, 5, 1));
    }

    #[test]
    fn a_wait_that_closes_a_cycle_is_a_deadlock() {
        let locks = Locks::default();
        let (a, b) = (advisory(LockKey::single(1)), advisory(LockKey::single(2)));
        let x = LockMode::Exclusive;
        assert!(locks.try_take(10, a, x, false));
        assert!(locks.try_take(20, b, x, false));
        assert_eq!(locks.attempt(10, b, x, false), Attempt::Wait);
        assert_eq!(locks.attempt(20, a, x, false), Attempt::Deadlock);
        assert_eq!(locks.list().iter().filter(|l| !l.granted).count(), 1);
        locks.stop_waiting(10);
        assert!(locks.list().iter().all(|l| l.granted));
        // Through the catalog lock and a relation lock alike.
        let t = LockTag::Relation(7);
        assert!(locks.try_take(30, LockTag::Catalog, x, true));
        assert!(locks.try_take(40, t, LockMode::AccessShare, true));
        assert_eq!(
            locks.attempt(30, t, LockMode::AccessExclusive, true),
            Attempt::Wait
        );
        assert_eq!(
            locks.attempt(40, LockTag::Catalog, x, true),
            Attempt::Deadlock
        );
    }

    #[test]
    fn rollback_to_a_savepoint_releases_the_holds_taken_since() {
        let locks = Locks::default();
        let (one, two) = (locks.slot(1), locks.slot(2));
        let (a, b) = (LockTag::Relation(5), LockTag::Relation(6));
        // Before the savepoint: a weak lock (fast path) and a strong one.
        assert!(locks.fast_lock(&one, 5, LockMode::AccessShare));
        assert_eq!(locks.attempt(1, b, LockMode::Share, true), Attempt::Taken);
        one.set_level(1);
        assert!(locks.fast_lock(&one, 7, LockMode::RowExclusive));
        assert_eq!(
            locks.attempt(1, a, LockMode::Exclusive, true),
            Attempt::Taken
        );
        // Taken again since: still held from before.
        assert_eq!(locks.attempt(1, b, LockMode::Share, true), Attempt::Taken);
        assert_eq!(locks.attempt(2, a, LockMode::RowShare, true), Attempt::Wait);
        locks.stop_waiting(2);
        locks.rollback_to(1, &one, 1);
        let held: Vec<(LockTag, LockMode)> = (locks.list().into_iter())
            .filter(|l| l.pid == 1)
            .map(|l| (l.tag, l.mode))
            .collect();
        assert_eq!(held, vec![(a, LockMode::AccessShare), (b, LockMode::Share)]);
        assert_eq!(
            locks.attempt(2, a, LockMode::RowShare, true),
            Attempt::Taken
        );
        locks.release_xact(2, &two);
        // RELEASE: what was taken inside belongs to the level around it.
        one.set_level(2);
        assert_eq!(
            locks.attempt(1, a, LockMode::Exclusive, true),
            Attempt::Taken
        );
        locks.release_savepoint(1, &one, 2, 1);
        locks.rollback_to(1, &one, 2);
        assert!(locks
            .list()
            .iter()
            .any(|l| l.pid == 1 && l.mode == LockMode::Exclusive));
        locks.rollback_to(1, &one, 1);
        assert!(!locks
            .list()
            .iter()
            .any(|l| l.pid == 1 && l.mode == LockMode::Exclusive));
        locks.release_xact(1, &one);
        assert!(locks.list().is_empty());
    }

    #[test]
    fn weak_locks_take_the_fast_path_until_a_strong_locker_moves_them() {
        let locks = Locks::default();
        let (one, two) = (locks.slot(1), locks.slot(2));
        let t = LockTag::Relation(5);
        assert!(locks.fast_lock(&one, 5, LockMode::AccessShare));
        assert!(locks.fast_lock(&two, 5, LockMode::RowExclusive));
        assert!(locks.list().iter().all(|l| l.fastpath && l.granted));
        // A strong request sees both fast-path holds (moved into the table) and waits.
        assert_eq!(
            locks.attempt(3, t, LockMode::AccessExclusive, true),
            Attempt::Wait
        );
        assert!(locks.list().iter().all(|l| !l.fastpath));
        // While it waits, new weak lockers take the table's path and queue behind it.
        assert!(!locks.fast_lock(&one, 5, LockMode::AccessShare));
        assert!(
            locks.fast_lock(&one, 6, LockMode::AccessShare),
            "another table"
        );
        assert_eq!(
            locks.attempt(4, t, LockMode::AccessShare, true),
            Attempt::Wait
        );
        // One that holds the table already is not queued.
        assert_eq!(
            locks.attempt(1, t, LockMode::RowShare, true),
            Attempt::Taken
        );
        locks.release_xact(1, &one);
        assert_eq!(
            locks.attempt(3, t, LockMode::AccessExclusive, true),
            Attempt::Wait
        );
        locks.release_xact(2, &two);
        assert_eq!(
            locks.attempt(3, t, LockMode::AccessExclusive, true),
            Attempt::Taken
        );
        assert_eq!(
            locks.attempt(4, t, LockMode::AccessShare, true),
            Attempt::Wait
        );
        locks.release_xact(3, &locks.slot(3));
        assert_eq!(
            locks.attempt(4, t, LockMode::AccessShare, true),
            Attempt::Taken
        );
        // The strong locker is gone: the fast path is open again.
        locks.release_xact(4, &locks.slot(4));
        assert!(locks.fast_lock(&one, 5, LockMode::AccessShare));
        assert!(locks.strong.iter().all(|c| c.load(Ordering::SeqCst) == 0));
        // NOWAIT fails and leaves no strong note behind.
        assert!(!locks.try_take(9, t, LockMode::AccessExclusive, true));
        assert!(locks.strong.iter().all(|c| c.load(Ordering::SeqCst) == 0));
        assert!(locks.fast_lock(&two, 5, LockMode::AccessShare));
    }
}
