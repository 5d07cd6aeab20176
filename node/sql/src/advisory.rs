//! Advisory locks: `pg_advisory_lock` and its family, locks on numbers the application
//! chooses (migration tools, job queues and schedulers take them to run something once).
//!
//! A lock is named by one bigint, or by two integers (a separate key space, as in PostgreSQL),
//! and held exclusive or shared, by a session (until unlocked as many times as locked, or the
//! session ends) or by its transaction (until it ends). Two holds conflict when they belong to
//! different sessions and either is exclusive; a session never blocks itself.
//!
//! The table is node-wide (a session on any worker may hold what one on another wants) and
//! small: one entry per number held, under one mutex, taken only by these functions. A session
//! that must wait registers what it waits for; before it waits it follows the waits-for edges
//! from the holders it waits for, and a path back to itself is a deadlock, reported to the
//! session that closes the cycle (40P01), as PostgreSQL's detector reports it to one of them.
//! Waiters wake on every release and try again.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::Notify;

/// An advisory lock's name: one bigint, or two integers (`pair`, packed high and low).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// One holder's hold on a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hold {
    pid: i32,
    shared: bool,
    /// Held by the session's transaction (released when it ends), not the session.
    xact: bool,
    /// Times taken (a session lock is released after as many unlocks).
    count: u32,
}

#[derive(Debug, Default)]
struct State {
    holds: HashMap<LockKey, Vec<Hold>>,
    /// What each waiting session waits for: the lock and whether it wants it shared.
    waits: HashMap<i32, (LockKey, bool)>,
}

impl State {
    /// The sessions whose holds on `key` stop `pid` from taking it (`shared` or not).
    fn blockers(&self, pid: i32, key: LockKey, shared: bool) -> Vec<i32> {
        self.holds.get(&key).map_or_else(Vec::new, |holds| {
            holds
                .iter()
                .filter(|h| h.pid != pid && !(shared && h.shared))
                .map(|h| h.pid)
                .collect()
        })
    }

    fn take(&mut self, pid: i32, key: LockKey, shared: bool, xact: bool) {
        let holds = self.holds.entry(key).or_default();
        match holds
            .iter_mut()
            .find(|h| h.pid == pid && h.shared == shared && h.xact == xact)
        {
            Some(hold) => hold.count += 1,
            None => holds.push(Hold {
                pid,
                shared,
                xact,
                count: 1,
            }),
        }
    }

    /// Whether `pid` waiting for `key` closes a cycle of waits back to itself.
    fn deadlocks(&self, pid: i32, key: LockKey, shared: bool) -> bool {
        let mut stack = self.blockers(pid, key, shared);
        let mut seen = Vec::new();
        while let Some(holder) = stack.pop() {
            if holder == pid {
                return true;
            }
            if seen.contains(&holder) {
                continue;
            }
            seen.push(holder);
            if let Some(&(wanted, shared)) = self.waits.get(&holder) {
                stack.extend(self.blockers(holder, wanted, shared));
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
    pub key: LockKey,
    pub pid: i32,
    pub shared: bool,
    pub granted: bool,
}

/// The node's advisory locks.
#[derive(Debug, Default)]
pub struct AdvisoryLocks {
    state: Mutex<State>,
    /// Signalled on every release: waiters try again.
    released: Notify,
}

impl AdvisoryLocks {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the lock if no other session's hold conflicts (`pg_try_advisory_lock`).
    pub fn try_lock(&self, pid: i32, key: LockKey, shared: bool, xact: bool) -> bool {
        let mut state = self.state();
        if !state.blockers(pid, key, shared).is_empty() {
            return false;
        }
        state.take(pid, key, shared, xact);
        true
    }

    /// One try for a session that waits when it must: takes the lock, or registers the wait,
    /// or finds that waiting would deadlock.
    pub fn attempt(&self, pid: i32, key: LockKey, shared: bool, xact: bool) -> Attempt {
        let mut state = self.state();
        if state.blockers(pid, key, shared).is_empty() {
            state.waits.remove(&pid);
            state.take(pid, key, shared, xact);
            return Attempt::Taken;
        }
        if state.deadlocks(pid, key, shared) {
            state.waits.remove(&pid);
            return Attempt::Deadlock;
        }
        state.waits.insert(pid, (key, shared));
        Attempt::Wait
    }

    /// A future that resolves at the next release (armed before [`AdvisoryLocks::attempt`], so
    /// a release in between is not missed).
    pub fn released(&self) -> tokio::sync::futures::Notified<'_> {
        self.released.notified()
    }

    /// The session stopped waiting (it gave up: timeout, cancel).
    pub fn stop_waiting(&self, pid: i32) {
        self.state().waits.remove(&pid);
    }

    /// `pg_advisory_unlock[_shared]`: one session-level hold fewer; false when the session
    /// holds none of that kind.
    pub fn unlock(&self, pid: i32, key: LockKey, shared: bool) -> bool {
        let mut state = self.state();
        let Some(holds) = state.holds.get_mut(&key) else {
            return false;
        };
        let Some(at) = holds
            .iter()
            .position(|h| h.pid == pid && h.shared == shared && !h.xact)
        else {
            return false;
        };
        holds[at].count -= 1;
        if holds[at].count == 0 {
            holds.remove(at);
            if holds.is_empty() {
                state.holds.remove(&key);
            }
            drop(state);
            self.released.notify_waiters();
        }
        true
    }

    /// Releases the session's session-level holds (`pg_advisory_unlock_all`), or also those of
    /// its transaction (`and_xact`: the session ends).
    pub fn release_session(&self, pid: i32, and_xact: bool) {
        let released = {
            let mut state = self.state();
            state.waits.remove(&pid);
            state.remove_where(|h| h.pid == pid && (and_xact || !h.xact))
        };
        if released {
            self.released.notify_waiters();
        }
    }

    /// Releases the holds of the session's transaction (it ended).
    pub fn release_xact(&self, pid: i32) {
        if self.state().remove_where(|h| h.pid == pid && h.xact) {
            self.released.notify_waiters();
        }
    }

    /// Every hold and wait, for `pg_locks`.
    pub fn list(&self) -> Vec<Listed> {
        let state = self.state();
        let mut out: Vec<Listed> = state
            .holds
            .iter()
            .flat_map(|(key, holds)| {
                holds.iter().map(|h| Listed {
                    key: *key,
                    pid: h.pid,
                    shared: h.shared,
                    granted: true,
                })
            })
            .collect();
        // One row per session and mode, however it holds it (session and transaction level).
        out.sort_by_key(|l| (l.key.key, l.key.pair, l.pid, l.shared));
        out.dedup();
        out.extend(state.waits.iter().map(|(pid, (key, shared))| Listed {
            key: *key,
            pid: *pid,
            shared: *shared,
            granted: false,
        }));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_conflict_across_sessions_and_stack_within_one() {
        let locks = AdvisoryLocks::default();
        let k = LockKey::single(42);
        assert!(locks.try_lock(1, k, false, false));
        assert!(
            locks.try_lock(1, k, false, false),
            "a session never blocks itself"
        );
        assert!(!locks.try_lock(2, k, true, false));
        assert!(locks.unlock(1, k, false));
        assert!(
            !locks.try_lock(2, k, false, false),
            "taken twice, unlocked once"
        );
        assert!(locks.unlock(1, k, false));
        assert!(!locks.unlock(1, k, false), "nothing left to unlock");
        // Shared holds share; an exclusive one waits for them.
        assert!(locks.try_lock(2, k, true, false));
        assert!(locks.try_lock(3, k, true, true));
        assert_eq!(locks.attempt(1, k, false, false), Attempt::Wait);
        locks.release_xact(3);
        assert_eq!(locks.attempt(1, k, false, false), Attempt::Wait);
        locks.release_session(2, true);
        assert_eq!(locks.attempt(1, k, false, false), Attempt::Taken);
        // The two key spaces are apart; pg_locks' ids.
        assert!(locks.try_lock(2, LockKey::pair(0, 42), false, false));
        assert_eq!(LockKey::pair(-1, 7).pg_locks_ids(), (0xffff_ffff, 7, 2));
        assert_eq!(LockKey::single(1 << 33 | 5).pg_locks_ids(), (2, 5, 1));
    }

    #[test]
    fn a_wait_that_closes_a_cycle_is_a_deadlock() {
        let locks = AdvisoryLocks::default();
        let (a, b) = (LockKey::single(1), LockKey::single(2));
        assert!(locks.try_lock(10, a, false, false));
        assert!(locks.try_lock(20, b, false, false));
        assert_eq!(locks.attempt(10, b, false, false), Attempt::Wait);
        assert_eq!(locks.attempt(20, a, false, false), Attempt::Deadlock);
        assert_eq!(locks.list().iter().filter(|l| !l.granted).count(), 1);
        locks.stop_waiting(10);
        assert!(locks.list().iter().all(|l| l.granted));
    }
}
