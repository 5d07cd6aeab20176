//! Sequences: `CREATE SEQUENCE`, SERIAL and identity columns, nextval/currval/setval/lastval.
//!
//! As in PostgreSQL a sequence's counter stands outside transactions: nextval never waits for a
//! lock and a rollback does not give values back. The [`Registry`] holds every sequence's counter
//! in memory, shared by all workers (one mutex per node; a nextval is a few instructions under
//! it), so expressions take values synchronously wherever the session evaluates them.
//!
//! # Durability: logging ahead
//! A sequence's state is kept as one row, `(last_value, is_called)`, of a hidden table named by
//! the sequence's id, placed on its owner worker by its key like any row. When nextval runs past
//! the values covered by that row, it reserves the next [`LOG_AHEAD`] values in memory (PostgreSQL
//! logs 32 ahead the same way) and the change gets a new version number. Before the statement
//! that took values completes (before a client sees one or a commit can hold one), the session
//! asks the owner to log the newest state unless that version is durable already
//! (`Shard::log_sequence`): a one-row transaction of its own, committed at once. So a crash skips
//! at most [`LOG_AHEAD`] values and never hands one out twice; one statement in 32 pays a log
//! write. setval is logged the same way, with its exact value. The rows are read back at start
//! ([`Registry::load`]); a sequence without a row was never used and starts at its START.
//!
//! currval and lastval are the session's ([`SessionSequences`]).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use keel_storage::TableId;

use crate::catalog::SequenceDef;
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{SeqFunc, SequenceCall};
use crate::types::{DataType, Value};

/// Values reserved (and logged) ahead of the last one handed out.
pub const LOG_AHEAD: i64 = 32;

/// The key of a sequence's row in its hidden table (spreads sequences over the workers).
pub fn row_key(id: TableId) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

/// The row that logs `(last_value, is_called)`.
pub fn encode_state(last: i64, called: bool) -> Vec<u8> {
    let mut out = Vec::new();
    crate::types::encode_row(&[Value::Int(last), Value::Bool(called)], &mut out);
    out
}

/// Reads a logged row back.
pub fn decode_state(bytes: &[u8]) -> SqlResult<(i64, bool)> {
    match crate::types::decode_row(bytes, 2)?.as_slice() {
        [Value::Int(last), Value::Bool(called)] => Ok((*last, *called)),
        _ => Err(SqlError::new(
            code::DATA_CORRUPTED,
            "a sequence's logged state does not decode",
        )),
    }
}

#[derive(Debug, Clone)]
struct State {
    last: i64,
    called: bool,
    /// The last value the log covers (None: the log holds exactly `last`/`called`, as after
    /// setval or at start).
    window: Option<i64>,
    /// Changes that must reach the log, counted; `logged` of them are durable.
    version: u64,
    logged: u64,
}

/// Every sequence's counter (see the module docs).
#[derive(Debug, Default)]
pub struct Registry {
    states: Mutex<HashMap<TableId, State>>,
}

impl Registry {
    fn with<T>(&self, seq: &SequenceDef, f: impl FnOnce(&mut State) -> T) -> T {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let state = states.entry(seq.id).or_insert_with(|| State {
            last: seq.start,
            called: false,
            window: None,
            version: 0,
            logged: 0,
        });
        f(state)
    }

    /// The state logged for sequence `id` (read back at start).
    pub fn load(&self, id: TableId, last: i64, called: bool) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.insert(
            id,
            State {
                last,
                called,
                window: None,
                version: 0,
                logged: 0,
            },
        );
    }

    /// Forgets a dropped sequence.
    pub fn forget(&self, id: TableId) {
        self.states
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }

    /// The next value, and the version that must be durable before it may be seen.
    pub fn nextval(&self, seq: &SequenceDef) -> SqlResult<(i64, u64)> {
        self.with(seq, |state| {
            let next = if state.called {
                match state.last.checked_add(seq.increment) {
                    Some(next) if next >= seq.min && next <= seq.max => next,
                    _ if !seq.cycle => {
                        let (which, limit) = if seq.increment > 0 {
                            ("maximum", seq.max)
                        } else {
                            ("minimum", seq.min)
                        };
                        return Err(SqlError::new(
                            code::SEQUENCE_LIMIT_EXCEEDED,
                            format!(
                                "nextval: reached {which} value of sequence \"{}\" ({limit})",
                                seq.name
                            ),
                        ));
                    }
                    _ => {
                        // A cycle starts a new run of values: log it afresh.
                        state.window = None;
                        if seq.increment > 0 {
                            seq.min
                        } else {
                            seq.max
                        }
                    }
                }
            } else {
                state.last
            };
            let covered = state.window.is_some_and(|window| {
                if seq.increment > 0 {
                    next <= window
                } else {
                    next >= window
                }
            });
            if !covered {
                let ahead = seq.increment.saturating_mul(LOG_AHEAD - 1);
                let window = next.saturating_add(ahead).clamp(seq.min, seq.max);
                state.window = Some(window);
                state.version += 1;
            }
            state.last = next;
            state.called = true;
            Ok((state.last, state.version))
        })
    }

    /// setval: the next nextval returns `value` (`called`: the value after it).
    pub fn setval(&self, seq: &SequenceDef, value: i64, called: bool) -> SqlResult<u64> {
        if value < seq.min || value > seq.max {
            return Err(SqlError::new(
                code::NUMERIC_VALUE_OUT_OF_RANGE,
                format!(
                    "setval: value {value} is out of bounds for sequence \"{}\" ({}..{})",
                    seq.name, seq.min, seq.max
                ),
            ));
        }
        Ok(self.with(seq, |state| {
            state.last = value;
            state.called = called;
            state.window = None;
            state.version += 1;
            state.version
        }))
    }

    /// What to log now, `(last_value, is_called)`, and the version that makes durable.
    pub fn to_log(&self, seq: &SequenceDef) -> ((i64, bool), u64) {
        self.with(seq, |state| match state.window {
            Some(window) => ((window, true), state.version),
            None => ((state.last, state.called), state.version),
        })
    }

    /// Whether `version` of the sequence is durable.
    pub fn is_logged(&self, seq: &SequenceDef, version: u64) -> bool {
        self.with(seq, |state| state.logged >= version)
    }

    /// `version` is durable.
    pub fn set_logged(&self, seq: &SequenceDef, version: u64) {
        self.with(seq, |state| state.logged = state.logged.max(version));
    }

    /// How many more values nextval hands out before it logs again (PostgreSQL's `log_cnt`: the
    /// values reserved ahead and logged, counted in increments).
    pub fn log_count(&self, seq: &SequenceDef) -> i64 {
        self.with(seq, |state| match state.window {
            Some(window) if state.called => (window - state.last) / seq.increment,
            _ => 0,
        })
    }

    /// `(last_value, is_called)` as a reader of the sequence sees it.
    pub fn current(&self, seq: &SequenceDef) -> (i64, bool) {
        self.with(seq, |state| (state.last, state.called))
    }
}

/// Evaluates the sequence functions for expressions (see [`crate::expr::EvalContext`]).
pub trait Sequences {
    fn call(&self, call: &SequenceCall, args: &[Value]) -> SqlResult<Value>;
    /// `set_config(name, value, false)`: the session applies it when the statement ends.
    fn set_config(&self, name: &str, value: &str, local: bool) -> SqlResult<()>;
    /// The value the running statement's set_config calls gave `name` so far (the latest).
    fn pending_setting(&self, name: &str) -> Option<String>;
    /// `pg_cancel_backend` / `pg_terminate_backend` (see [`crate::system::Backends::signal`]).
    fn signal_backend(&self, pid: i32, terminate: bool) -> SqlResult<bool>;
    /// `pg_stat_reset()`, `pg_stat_reset_single_table_counters(oid)`,
    /// `pg_stat_reset_shared('wal')` (see [`crate::system::Backends::reset_stats`]).
    fn reset_stats(&self, what: crate::pgstat::Reset) -> SqlResult<()>;
    /// An advisory lock function on the lock its arguments name (see [`crate::locks`]).
    fn advisory(&self, advisory: crate::expr::Advisory, args: &[Value]) -> SqlResult<Value>;
    /// `txid_current()`: the id of the session's transaction (every statement runs in one).
    fn transaction_id(&self) -> SqlResult<Value>;
    /// `random()` from the session's generator (see [`Prng`]).
    fn random(&self) -> f64;
    /// `setseed(seed)`: the session's generator starts over from `seed` (in [-1, 1]).
    fn set_seed(&self, seed: f64);
}

/// PostgreSQL's `pg_prng` (xoroshiro128**, seeded through splitmix64), so that a session's
/// `random()` after `setseed(x)` gives the numbers PostgreSQL's gives.
#[derive(Debug, Clone, Copy)]
pub struct Prng {
    s0: u64,
    s1: u64,
}

impl Prng {
    /// `pg_prng_seed`: two splitmix64 outputs of `seed` (never both zero).
    pub fn seeded(mut seed: u64) -> Prng {
        let mut splitmix = || {
            seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut v = seed;
            v = (v ^ (v >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            v = (v ^ (v >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            v ^ (v >> 31)
        };
        let (s0, s1) = (splitmix(), splitmix());
        match (s0, s1) {
            (0, 0) => Prng {
                s0: 0x5851_F42D_4C95_7F2D,
                s1: 0,
            },
            _ => Prng { s0, s1 },
        }
    }

    /// `pg_prng_fseed`: a seed in [-1, 1] scaled by 2^52 - 1 (the sign counts too).
    pub fn from_fraction(seed: f64) -> Prng {
        let scaled = ((1u64 << 52) - 1) as f64 * seed;
        Prng::seeded(scaled as i64 as u64)
    }

    fn next(&mut self) -> u64 {
        let (s0, mut sv) = (self.s0, self.s1);
        let value = s0.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        sv ^= s0;
        self.s0 = s0.rotate_left(24) ^ sv ^ (sv << 16);
        self.s1 = sv.rotate_left(37);
        value
    }

    /// `pg_prng_double`: 52 random bits as a fraction in [0, 1).
    pub fn double(&mut self) -> f64 {
        (self.next() >> 12) as f64 / (1u64 << 52) as f64
    }
}

/// One session's view of the sequences: the node's registry, its currval/lastval values, and the
/// changes its running statement must log before it completes.
#[derive(Debug)]
pub struct SessionSequences {
    registry: Arc<Registry>,
    current: RefCell<HashMap<TableId, i64>>,
    last: Cell<Option<i64>>,
    unlogged: RefCell<Vec<(Arc<SequenceDef>, u64)>>,
    /// Settings the running statement changed through set_config, in order (true: is_local).
    settings: RefCell<Vec<(String, String, bool)>>,
    /// The node's sessions, and the role signalling them (absent where there are none to reach).
    backends: Option<(Rc<dyn crate::system::Backends>, String)>,
    /// The node's advisory locks and this session's process id (absent outside a session).
    advisory: Option<(Arc<crate::locks::Locks>, i32)>,
    /// Locks the session waited for and took before the statement ran (see
    /// [`SessionSequences::prepay`]): the statement's lock calls for them take nothing more.
    prepaid: RefCell<Vec<(crate::expr::Advisory, crate::locks::LockKey)>>,
    /// Warnings the running statement's calls gave (an unlock of a lock not held).
    warnings: RefCell<Vec<SqlError>>,
    /// The session's open transaction's id (absent outside a session).
    txn: Option<crate::system::TxnCell>,
    /// The session's `random()` generator: seeded by `setseed`, or from the thread's
    /// generator at its first use.
    prng: Cell<Option<Prng>>,
}

impl SessionSequences {
    pub fn new(
        registry: Arc<Registry>,
        backends: Option<(Rc<dyn crate::system::Backends>, String)>,
    ) -> SessionSequences {
        SessionSequences {
            registry,
            current: RefCell::default(),
            last: Cell::new(None),
            unlogged: RefCell::default(),
            settings: RefCell::default(),
            backends,
            advisory: None,
            prepaid: RefCell::default(),
            warnings: RefCell::default(),
            txn: None,
            prng: Cell::new(None),
        }
    }

    /// The session's open transaction, for `txid_current()`.
    pub fn with_transaction(mut self, txn: crate::system::TxnCell) -> SessionSequences {
        self.txn = Some(txn);
        self
    }

    /// The advisory locks this session's statements take, as session `pid`.
    pub fn with_advisory(mut self, locks: Arc<crate::locks::Locks>, pid: i32) -> SessionSequences {
        self.advisory = Some((locks, pid));
        self
    }

    /// A lock the session waited for and took before running the statement that asks for it:
    /// that statement's call for it finds it taken.
    pub fn prepay(&self, advisory: crate::expr::Advisory, key: crate::locks::LockKey) {
        self.prepaid.borrow_mut().push((advisory, key));
    }

    /// Forgets prepaid locks no call took (the statement ended).
    pub fn clear_prepaid(&self) {
        self.prepaid.borrow_mut().clear();
    }

    /// Forgets currval and lastval (DISCARD SEQUENCES).
    pub fn forget_values(&self) {
        self.current.borrow_mut().clear();
        self.last.set(None);
    }

    /// The warnings the statement's calls gave, in order.
    pub fn take_warnings(&self) -> Vec<SqlError> {
        std::mem::take(&mut *self.warnings.borrow_mut())
    }

    /// The settings the statement changed (see [`Sequences::set_config`]).
    pub fn take_settings(&self) -> Vec<(String, String, bool)> {
        std::mem::take(&mut *self.settings.borrow_mut())
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The changes the statement made that are not durable yet: each sequence once, with the
    /// newest version it needs.
    pub fn take_unlogged(&self) -> Vec<(Arc<SequenceDef>, u64)> {
        let mut unlogged = std::mem::take(&mut *self.unlogged.borrow_mut());
        unlogged.sort_by_key(|(seq, version)| (seq.id, std::cmp::Reverse(*version)));
        unlogged.dedup_by_key(|(seq, _)| seq.id);
        unlogged.retain(|(seq, version)| !self.registry.is_logged(seq, *version));
        unlogged
    }

    /// Sets a sequence's counter as setval does (ALTER SEQUENCE), to be logged with the
    /// statement's other sequence changes.
    pub fn set_state(&self, seq: &Arc<SequenceDef>, last: i64, called: bool) -> SqlResult<()> {
        let version = self.registry.setval(seq, last, called)?;
        self.note(seq, version);
        Ok(())
    }

    fn note(&self, seq: &Arc<SequenceDef>, version: u64) {
        if !self.registry.is_logged(seq, version) {
            self.unlogged.borrow_mut().push((seq.clone(), version));
        }
    }
}

impl Sequences for SessionSequences {
    fn random(&self) -> f64 {
        let mut prng = self.prng.get().unwrap_or_else(|| {
            let bytes = crate::expr::random_bytes();
            Prng::seeded(u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")))
        });
        let value = prng.double();
        self.prng.set(Some(prng));
        value
    }

    fn set_seed(&self, seed: f64) {
        self.prng.set(Some(Prng::from_fraction(seed)));
    }

    fn set_config(&self, name: &str, value: &str, local: bool) -> SqlResult<()> {
        self.settings
            .borrow_mut()
            .push((name.to_string(), value.to_string(), local));
        Ok(())
    }

    fn pending_setting(&self, name: &str) -> Option<String> {
        self.settings
            .borrow()
            .iter()
            .rev()
            .find(|(set, _, _)| set.eq_ignore_ascii_case(name))
            .map(|(_, value, _)| value.clone())
    }

    fn transaction_id(&self) -> SqlResult<Value> {
        match self.txn.as_ref().map(|txn| txn.get()) {
            Some(id) if id != 0 => Ok(Value::Int(id as i64)),
            _ => Err(SqlError::unsupported(
                "txid_current() outside a transaction",
            )),
        }
    }

    fn signal_backend(&self, pid: i32, terminate: bool) -> SqlResult<bool> {
        match &self.backends {
            Some((backends, user)) => backends.signal(pid, terminate, user),
            None => Ok(false),
        }
    }

    fn advisory(&self, advisory: crate::expr::Advisory, args: &[Value]) -> SqlResult<Value> {
        use crate::expr::AdvisoryAction;
        use crate::locks::LockKey;
        let Some((locks, pid)) = &self.advisory else {
            return Err(SqlError::unsupported("advisory locks in this context"));
        };
        let pid = *pid;
        if advisory.action == AdvisoryAction::UnlockAll {
            locks.release_session(pid, false);
            return Ok(Value::Text(String::new()));
        }
        let Some(key) = LockKey::from_args(args) else {
            return Ok(Value::Null);
        };
        let tag = crate::locks::LockTag::Advisory(key);
        let mode = crate::locks::LockMode::advisory(advisory.shared);
        Ok(match advisory.action {
            AdvisoryAction::Lock => {
                let mut prepaid = self.prepaid.borrow_mut();
                if let Some(at) = prepaid.iter().position(|p| *p == (advisory, key)) {
                    prepaid.remove(at);
                } else if !locks.try_take(pid, tag, mode, advisory.xact) {
                    // Waiting happens before a statement runs, for the calls it can see
                    // there (a SELECT without FROM): here the statement cannot wait.
                    return Err(SqlError::new(
                        code::LOCK_NOT_AVAILABLE,
                        "could not obtain advisory lock: it is held by another session",
                    )
                    .with_hint(
                        "Keel waits for an advisory lock in a SELECT without FROM; call it there, or use pg_try_advisory_lock.",
                    ));
                }
                Value::Text(String::new())
            }
            AdvisoryAction::TryLock => Value::Bool(locks.try_take(pid, tag, mode, advisory.xact)),
            AdvisoryAction::Unlock => {
                let unlocked = locks.unlock(pid, key, advisory.shared);
                if !unlocked {
                    // PostgreSQL's words: the lock's mode by its lock-manager name.
                    let mode = if advisory.shared {
                        "ShareLock"
                    } else {
                        "ExclusiveLock"
                    };
                    self.warnings.borrow_mut().push(SqlError::new(
                        code::WARNING,
                        format!("you don't own a lock of type {mode}"),
                    ));
                }
                Value::Bool(unlocked)
            }
            AdvisoryAction::UnlockAll => unreachable!("handled above"),
        })
    }

    fn reset_stats(&self, what: crate::pgstat::Reset) -> SqlResult<()> {
        if let Some((backends, _)) = &self.backends {
            backends.reset_stats(what);
        }
        Ok(())
    }

    fn call(&self, call: &SequenceCall, args: &[Value]) -> SqlResult<Value> {
        if args.iter().any(|arg| matches!(arg, Value::Null)) && call.func != SeqFunc::SetVal {
            return Ok(Value::Null);
        }
        // A sequence named at run time: the first argument is its name or OID.
        let (named, args) = match &call.named_by {
            Some(candidates) => {
                let found = match args.first() {
                    Some(Value::Null) | None => return Ok(Value::Null),
                    Some(Value::Int(oid)) => candidates.iter().find(|(_, o, _)| o == oid),
                    Some(Value::Text(name)) => {
                        let name = crate::bind::regclass_name(name);
                        candidates.iter().find(|(n, _, _)| *n == name)
                    }
                    Some(_) => None,
                };
                match found {
                    Some((_, _, seq)) => (Some(seq), &args[1..]),
                    None => {
                        return Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!(
                                "relation \"{}\" does not exist",
                                match args.first() {
                                    Some(Value::Text(name)) => name.clone(),
                                    Some(Value::Int(oid)) => oid.to_string(),
                                    _ => String::new(),
                                }
                            ),
                        ))
                    }
                }
            }
            None => (None, args),
        };
        let seq = named.or(call.seq.as_ref());
        match (call.func, seq) {
            (SeqFunc::NextVal, Some(seq)) => {
                let (value, version) = self.registry.nextval(seq)?;
                self.note(seq, version);
                self.current.borrow_mut().insert(seq.id, value);
                self.last.set(Some(value));
                Ok(Value::Int(value))
            }
            (SeqFunc::CurrVal, Some(seq)) => match self.current.borrow().get(&seq.id) {
                Some(value) => Ok(Value::Int(*value)),
                None => Err(SqlError::new(
                    code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    format!(
                        "currval of sequence \"{}\" is not yet defined in this session",
                        seq.name
                    ),
                )),
            },
            (SeqFunc::SetVal, Some(seq)) => {
                let (value, called) = match args {
                    [Value::Null, ..] | [_, Value::Null] => return Ok(Value::Null),
                    [Value::Int(value)] => (*value, true),
                    [Value::Int(value), Value::Bool(called)] => (*value, *called),
                    _ => {
                        return Err(SqlError::new(
                            code::INTERNAL_ERROR,
                            "setval called with unexpected arguments",
                        ))
                    }
                };
                let version = self.registry.setval(seq, value, called)?;
                self.note(seq, version);
                // As PostgreSQL: a called setval is the session's currval of the sequence (not
                // its lastval).
                if called {
                    self.current.borrow_mut().insert(seq.id, value);
                }
                Ok(Value::Int(value))
            }
            (SeqFunc::StateLast, Some(seq)) => Ok(Value::Int(self.registry.current(seq).0)),
            (SeqFunc::StateCalled, Some(seq)) => Ok(Value::Bool(self.registry.current(seq).1)),
            (SeqFunc::StateLogCount, Some(seq)) => Ok(Value::Int(self.registry.log_count(seq))),
            (SeqFunc::LastVal, _) => match self.last.get() {
                Some(value) => Ok(Value::Int(value)),
                None => Err(SqlError::new(
                    code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "lastval is not yet defined in this session",
                )),
            },
            (_, None) => Err(SqlError::new(
                code::INTERNAL_ERROR,
                "sequence function without a sequence",
            )),
        }
    }
}

/// The limits of a sequence `AS ty` (PostgreSQL's defaults for MINVALUE/MAXVALUE).
pub fn type_limits(ty: DataType) -> (i64, i64) {
    match ty {
        DataType::Int2 => (i16::MIN as i64, i16::MAX as i64),
        DataType::Int4 => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(increment: i64, min: i64, max: i64, cycle: bool) -> SequenceDef {
        SequenceDef {
            id: 9,
            name: "s".into(),
            ty: DataType::Int8,
            start: if increment > 0 { min } else { max },
            increment,
            min,
            max,
            cache: 1,
            cycle,
            owned_by: None,
            owner: None,
            acl: None,
        }
    }

    #[test]
    fn values_come_in_order_and_log_ahead_once_per_window() {
        let registry = Registry::default();
        let s = seq(1, 1, i64::MAX, false);
        let (first, v1) = registry.nextval(&s).unwrap();
        assert_eq!(first, 1);
        assert_eq!(registry.to_log(&s), ((LOG_AHEAD, true), v1));
        registry.set_logged(&s, v1);
        for expected in 2..=LOG_AHEAD {
            let (value, version) = registry.nextval(&s).unwrap();
            assert_eq!((value, version), (expected, v1));
            assert!(registry.is_logged(&s, version));
        }
        let (value, version) = registry.nextval(&s).unwrap();
        assert_eq!(value, LOG_AHEAD + 1);
        assert!(version > v1 && !registry.is_logged(&s, version));
        // After a crash the logged row resumes past everything handed out.
        let restarted = Registry::default();
        restarted.load(s.id, LOG_AHEAD, true);
        assert_eq!(restarted.nextval(&s).unwrap().0, LOG_AHEAD + 1);
    }

    #[test]
    fn limits_cycle_and_setval() {
        let registry = Registry::default();
        let s = seq(-2, 1, 5, false);
        assert_eq!(registry.nextval(&s).unwrap().0, 5);
        assert_eq!(registry.nextval(&s).unwrap().0, 3);
        assert_eq!(registry.nextval(&s).unwrap().0, 1);
        let error = registry.nextval(&s).unwrap_err();
        assert_eq!(error.code, code::SEQUENCE_LIMIT_EXCEEDED);
        assert_eq!(
            error.message,
            "nextval: reached minimum value of sequence \"s\" (1)"
        );
        let c = SequenceDef {
            id: 10,
            ..seq(1, 1, 2, true)
        };
        let values: Vec<i64> = (0..5).map(|_| registry.nextval(&c).unwrap().0).collect();
        assert_eq!(values, [1, 2, 1, 2, 1]);
        let version = registry.setval(&c, 2, false).unwrap();
        assert_eq!(registry.to_log(&c), ((2, false), version));
        assert_eq!(registry.nextval(&c).unwrap().0, 2);
        assert_eq!(
            registry.setval(&c, 7, true).unwrap_err().message,
            "setval: value 7 is out of bounds for sequence \"s\" (1..2)"
        );
    }
}
