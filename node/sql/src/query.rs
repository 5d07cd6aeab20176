//! The session side of a general query: runs a [`Rel`] tree over the rows its scans returned.
//!
//! A statement runs in two phases. First the session reads every [`Rel::Scan`] leaf of the tree
//! (also those inside subqueries) from the workers, each with its filter pushed down, under the
//! statement's snapshot; then [`Executor::run`] evaluates the tree in memory, bottom-up, one
//! operator at a time:
//!
//! - joins hash the right input on the equality keys the planner found (`Rel::Join::keys`) and
//!   probe with each left row; without keys they compare every pair. Outer joins pad the rows that
//!   found no partner with NULLs;
//! - grouping hashes rows on their encoded keys ([`group`]);
//! - a subquery that reads nothing of the enclosing row runs once per statement; a correlated one
//!   runs per distinct enclosing values (its results are memoized on the values it reads), and its
//!   equality conditions on outer values become [`Rel::Lookup`]s: a hash index built once over
//!   the scanned rows, probed per outer row.
//!
//! Every operator's result is a [`RowSet`] made through a [`RowSink`]: in memory while the
//! statement stays within `statement_mem`, in a temporary file after ([`crate::spill`]). Most
//! operators read their input one row at a time, so they work the same on either; a join with
//! an input in a file is a grace hash join (`Executor::grace_join`), a sort of one merges runs
//! of `work_mem`. Window functions, set operations, recursive queries and lookups read their
//! inputs whole.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use keel_storage::hash::{fold, random_seed, MULTIPLIER};

use crate::arith::NumericProgram;
use crate::error::{code, SqlError, SqlResult};
use crate::expr::{
    binary, Accumulator, AggCall, AggFunc, BinOp, EvalContext, Expr, FrameBound, FrameExclusion,
    FrameUnits, RangeStep, Subqueries, Subquery, SubqueryKind, WindowCall, WindowFunc,
};
use crate::numeric::{Fixed, Numeric};
use crate::plan::{JoinKind, Rel, SetOpKind, SortKey, TableFunc};
use crate::spill::{RowSet, RowSink, StatementMemory};
use crate::types::{compare, encode_key, DataType, Value};

pub type Row = Vec<Value>;
/// An operator's result, shared (a scan's rows serve every node that reads them).
pub type Rows = Arc<RowSet>;

/// Where a streaming node passes its rows: made rows owned, rows of a materialized input lent.
type Emit<'e> = dyn for<'r> FnMut(Cow<'r, Row>) -> SqlResult<()> + 'e;

/// Whether a node passes its rows on as it makes them (`Executor::run_into`): a join or
/// constant rows (lent: a filter over a system catalog copies only the rows it keeps), or a
/// filter or projection over one.
fn streams(rel: &Rel) -> bool {
    match rel {
        Rel::Join { .. } | Rel::Constants { .. } => true,
        Rel::Filter { input, .. } | Rel::Project { input, .. } => streams(input),
        _ => false,
    }
}

/// An uncorrelated `IN` subquery's values (hashed) and whether one of them is NULL.
type InSet = Arc<(KeyIds, bool)>;

/// A [`Rel::Lookup`]'s input rows and their positions by key.
type LookupIndex = Arc<(Rows, KeyIndex)>;

/// The keys of a lookup's rows, for an EXISTS that tests nothing else of them (a semi- or
/// anti-join: TPC-H Q22's `NOT EXISTS (.. WHERE o_custkey = c_custkey)`): a bitmap when the key
/// is one integer column of a close range (1.5M orders by 150k customers: no hashing at all),
/// else the distinct keys. No positions, and a probe is one test.
enum KeyPresence {
    Ints(DenseInts),
    Keys(KeyIds),
}

impl KeyPresence {
    fn build(rows: &[Row], columns: &[usize]) -> KeyPresence {
        if let [c] = columns {
            let ints: Option<Vec<i64>> = rows
                .iter()
                .filter(|row| !row[*c].is_null())
                .map(|row| match row[*c] {
                    Value::Int(i) => Some(i),
                    _ => None,
                })
                .collect();
            if let Some(dense) = ints.as_deref().and_then(DenseInts::of) {
                return KeyPresence::Ints(dense);
            }
        }
        let mut keys = KeyIds::default();
        let mut key = Vec::new();
        'rows: for row in rows {
            key.clear();
            for &c in columns {
                if row[c].is_null() {
                    continue 'rows;
                }
                append_hash_key(&row[c], &mut key);
            }
            keys.find_or_add(&key);
        }
        KeyPresence::Keys(keys)
    }
}

/// The scans of a tree (also inside subqueries), each once, in a fixed order.
pub fn scans(rel: &Rel) -> Vec<&Rel> {
    let mut found: Vec<&Rel> = Vec::new();
    rel.visit(&mut |node| {
        if matches!(node, Rel::Scan { .. }) && !found.iter().any(|f| std::ptr::eq(*f, node)) {
            found.push(node);
        }
    });
    found
}

/// The columns of each scan (by node address) that the tree reads: a scan's filter runs on the
/// worker before the rest are dropped, so only what the operators above use counts. A scan
/// missing from the map needs every column.
pub fn used_columns(rel: &Rel) -> HashMap<usize, Vec<bool>> {
    let mut used = HashMap::new();
    need(rel, &vec![true; rel.width()], &mut used);
    used
}

/// Marks what `rel` must produce (`out`) and, from it, what its inputs must.
fn need(rel: &Rel, out: &[bool], used: &mut HashMap<usize, Vec<bool>>) {
    // Columns an expression reads (into `into`), and what every subquery it holds must produce:
    // nothing for EXISTS (only whether a row comes), the first column for the other kinds.
    fn mark(expr: &Expr, into: &mut [bool], used: &mut HashMap<usize, Vec<bool>>) {
        let mut columns = Vec::new();
        expr.columns(&mut columns);
        for c in columns {
            if let Some(slot) = into.get_mut(c) {
                *slot = true;
            }
        }
        expr.visit(&mut |e| {
            if let Expr::Subquery(sub) = e {
                let mut out = vec![false; sub.rel.width()];
                if !matches!(sub.kind, SubqueryKind::Exists) {
                    if let Some(first) = out.first_mut() {
                        *first = true;
                    }
                }
                need(&sub.rel, &out, used);
            }
        });
    }
    let all = |r: &Rel| vec![true; r.width()];
    match rel {
        Rel::Scan { .. } => {
            let entry = used
                .entry(address(rel))
                .or_insert_with(|| vec![false; out.len()]);
            for (slot, &o) in entry.iter_mut().zip(out) {
                *slot |= o;
            }
        }
        Rel::Lookup {
            input,
            columns,
            probes,
        } => {
            let mut inner = out.to_vec();
            for &c in columns {
                inner[c] = true;
            }
            for probe in probes {
                mark(probe, &mut [], used);
            }
            need(input, &inner, used);
        }
        Rel::Values { rows, .. } => {
            for expr in rows.iter().flatten() {
                mark(expr, &mut [], used);
            }
        }
        Rel::Function { args, .. } => {
            for expr in args {
                mark(expr, &mut [], used);
            }
        }
        Rel::WorkTable { .. } | Rel::Constants { .. } => {}
        Rel::Filter { input, predicate } => {
            let mut inner = out.to_vec();
            mark(predicate, &mut inner, used);
            need(input, &inner, used);
        }
        Rel::Project { input, exprs } => {
            // Every output is computed (an unused one must not see NULLs it could fail on), but an
            // unused plain column reference cannot fail: it needs nothing.
            let mut inner = vec![false; input.width()];
            for (expr, &o) in exprs.iter().zip(out) {
                if o || !matches!(expr, Expr::Column(_)) {
                    mark(expr, &mut inner, used);
                }
            }
            need(input, &inner, used);
        }
        Rel::Apply { left, right, .. } => {
            need(left, &all(left), used);
            need(right, &all(right), used);
        }
        Rel::Join {
            left,
            right,
            keys,
            on,
            ..
        } => {
            let left_width = left.width();
            let mut both = out.to_vec();
            for condition in on {
                mark(condition, &mut both, used);
            }
            let (mut l, mut r) = (both[..left_width].to_vec(), both[left_width..].to_vec());
            for (lk, rk) in keys {
                mark(lk, &mut l, used);
                mark(rk, &mut r, used);
            }
            need(left, &l, used);
            need(right, &r, used);
        }
        Rel::Aggregate { input, keys, aggs } => {
            let mut inner = vec![false; input.width()];
            for key in keys {
                mark(key, &mut inner, used);
            }
            for call in aggs {
                for expr in call.arg.iter().chain(call.filter.iter()) {
                    mark(expr, &mut inner, used);
                }
            }
            need(input, &inner, used);
        }
        Rel::ProjectSet { input, calls } => {
            let mut inner = out[..input.width()].to_vec();
            for (_, args) in calls {
                for expr in args {
                    mark(expr, &mut inner, used);
                }
            }
            need(input, &inner, used);
        }
        Rel::Window { input, calls } => {
            let mut inner = out[..input.width()].to_vec();
            for call in calls {
                for expr in call.exprs() {
                    mark(expr, &mut inner, used);
                }
            }
            need(input, &inner, used);
        }
        Rel::Distinct { input, on } => match on {
            None => need(input, &all(input), used),
            Some(columns) => {
                let mut inner = out.to_vec();
                for &c in columns {
                    inner[c] = true;
                }
                need(input, &inner, used);
            }
        },
        Rel::Sort { input, keys } => {
            let mut inner = out.to_vec();
            for key in keys {
                inner[key.output] = true;
            }
            need(input, &inner, used);
        }
        Rel::Limit {
            input,
            limit,
            offset,
            ties,
        } => {
            for expr in limit.iter().chain(offset.iter()) {
                mark(expr, &mut [], used);
            }
            // WITH TIES compares the rows on the sort keys.
            let mut inner = out.to_vec();
            for key in ties.iter().flatten() {
                if let Some(slot) = inner.get_mut(key.output) {
                    *slot = true;
                }
            }
            need(input, &inner, used);
        }
        Rel::SetOp { left, right, .. }
        | Rel::Recursive {
            base: left,
            step: right,
            ..
        } => {
            need(left, &all(left), used);
            need(right, &all(right), used);
        }
        // The FROM row is read whole: the locked rows' keys, and the row checked again.
        Rel::LockRows { input, .. } => {
            for expr in rel.node_exprs() {
                mark(expr, &mut [], used);
            }
            need(input, &all(input), used);
        }
    }
}

/// A hash map keyed by [`hash_key`] bytes.
pub type KeyMap<V> = HashMap<Vec<u8>, V>;
/// A hash set of [`hash_key`] bytes.
pub type KeySet = std::collections::HashSet<Vec<u8>>;

/// Distinct keys ([`hash_key`] bytes) numbered 0, 1, 2... in the order they were first added:
/// a hashbrown table of slots and all keys' bytes back to back in one buffer, so a new key costs
/// no allocation of its own (a `HashMap<Vec<u8>, _>` allocates per key, a visible share of
/// building a million-key index). A slot holds its key's hash and, for a key of up to
/// `INLINE_KEY` (16) bytes (an integer's is 9), the key itself, so finding a key touches only its
/// slot. What grouping and [`KeyIndex`] are made of.
#[derive(Default)]
pub struct KeyIds {
    table: hashbrown::HashTable<KeySlot>,
    /// When every key is an integer within a small range: one bit per value of the range
    /// ([`KeyIds::index_integers`]), so a semi-join filter tests a row with one load instead of
    /// a hash and a probe.
    dense: Option<DenseInts>,
    bytes: Vec<u8>,
    /// Where key `n` starts in `bytes` (it ends where key `n + 1` starts).
    starts: Vec<usize>,
    hasher: KeyHasher,
}

/// The hash of [`KeyIds`]: a folded multiply (the 128-bit product's halves xor-ed:
/// [`keel_storage::hash::fold`], the storage's lock tables hash with it too) per eight bytes of
/// the key, from a random seed per table. Keys are short (an integer's is 9 bytes), where
/// SipHash (std's default) cost a sixth of a hash join's probe side. Not a cryptographic hash; the
/// random seed keeps crafted keys from colliding on purpose, as in foldhash and aHash.
struct KeyHasher {
    seed: u64,
}

impl Default for KeyHasher {
    fn default() -> KeyHasher {
        KeyHasher {
            seed: random_seed() | 1,
        }
    }
}

impl KeyHasher {
    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        let mut state = self.seed ^ (key.len() as u64);
        let mut words = key.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            state = fold(state ^ word, MULTIPLIER);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            state = fold(state ^ u64::from_le_bytes(last), MULTIPLIER);
        }
        // Both ends of the hash are used (hashbrown: low bits for the bucket, top 7 as a tag).
        fold(state, self.seed ^ MULTIPLIER)
    }
}

/// Keys this long or shorter are kept in their table slot too.
const INLINE_KEY: usize = 16;

/// 32 bytes: two slots per cache line.
struct KeySlot {
    hash: u64,
    id: u32,
    len: u32,
    /// The key when it fits, else zeros.
    inline: [u8; INLINE_KEY],
}

/// A set of integers as bits from `min` on.
struct DenseInts {
    min: i64,
    bits: Vec<u64>,
}

impl DenseInts {
    /// Widest range (in values) worth a bitmap: 2^23 bits, 1 MiB.
    const MAX_RANGE: u64 = 1 << 23;

    /// The bitmap of `ints` (repeats allowed), when they span at most `MAX_RANGE` values.
    fn of(ints: &[i64]) -> Option<DenseInts> {
        let (&min, &max) = (ints.iter().min()?, ints.iter().max()?);
        let range = (max as i128 - min as i128) as u128 + 1;
        if range > u128::from(DenseInts::MAX_RANGE) {
            return None;
        }
        let mut bits = vec![0u64; (range as usize).div_ceil(64)];
        for &i in ints {
            let offset = (i - min) as u64;
            bits[(offset >> 6) as usize] |= 1 << (offset & 63);
        }
        Some(DenseInts { min, bits })
    }

    fn contains(&self, value: i64) -> bool {
        let offset = value.wrapping_sub(self.min) as u64;
        self.bits
            .get((offset >> 6) as usize)
            .is_some_and(|word| word & (1 << (offset & 63)) != 0)
            && value >= self.min
    }
}

impl KeyIds {
    /// Whether `value` is among the keys: the bitmap for integers when there is one, else its
    /// [`append_hash_key`] bytes (written into `scratch`) looked up.
    #[inline]
    pub fn contains(&self, value: &Value, scratch: &mut Vec<u8>) -> bool {
        if let (Some(dense), Value::Int(i)) = (&self.dense, value) {
            return dense.contains(*i);
        }
        scratch.clear();
        append_hash_key(value, scratch);
        self.find(scratch).is_some()
    }

    /// Makes the bitmap [`KeyIds::contains`] tests integers with, when `ints` (the keys, each an
    /// integer; other keys, if any, are only in the table) span at most
    /// [`DenseInts::MAX_RANGE`] values.
    fn index_integers(&mut self, ints: &[i64]) {
        if let Some(dense) = DenseInts::of(ints) {
            self.dense = Some(dense);
        }
    }

    /// The number of distinct keys.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Key number `id`'s bytes.
    pub fn key(&self, id: usize) -> &[u8] {
        let end = self.starts.get(id + 1).copied().unwrap_or(self.bytes.len());
        &self.bytes[self.starts[id]..end]
    }

    fn slot_holds(&self, slot: &KeySlot, hash: u64, key: &[u8]) -> bool {
        slot.hash == hash
            && slot.len as usize == key.len()
            && if key.len() <= INLINE_KEY {
                slot.inline[..key.len()] == *key
            } else {
                self.key(slot.id as usize) == key
            }
    }

    /// Takes back the key numbered last (its group could not be made).
    pub fn remove_last(&mut self) {
        let Some(start) = self.starts.pop() else {
            return;
        };
        let id = self.starts.len() as u32;
        let hash = self.hash(&self.bytes[start..]);
        if let Ok(entry) = self.table.find_entry(hash, |slot| slot.id == id) {
            entry.remove();
        }
        self.bytes.truncate(start);
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash(key)
    }

    /// `key`'s number, if it was added.
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        let hash = self.hash(key);
        self.table
            .find(hash, |slot| self.slot_holds(slot, hash, key))
            .map(|slot| slot.id as usize)
    }

    /// `key`'s number, and whether it is new (numbered now).
    pub fn find_or_add(&mut self, key: &[u8]) -> (usize, bool) {
        let hash = self.hash(key);
        if let Some(slot) = self
            .table
            .find(hash, |slot| self.slot_holds(slot, hash, key))
        {
            return (slot.id as usize, false);
        }
        let id = self.starts.len();
        let (Ok(id32), Ok(len32)) = (u32::try_from(id), u32::try_from(key.len())) else {
            panic!("more than 2^32 distinct keys, or a key of 4 GiB, in one hash table");
        };
        self.starts.push(self.bytes.len());
        self.bytes.extend_from_slice(key);
        let mut inline = [0; INLINE_KEY];
        if key.len() <= INLINE_KEY {
            inline[..key.len()].copy_from_slice(key);
        }
        let slot = KeySlot {
            hash,
            id: id32,
            len: len32,
            inline,
        };
        self.table.insert_unique(hash, slot, |slot| slot.hash);
        (id, true)
    }
}

/// Row positions by key: what hash joins and [`Rel::Lookup`] build, in two passes over the rows
/// as a counting sort does: number each row's key ([`KeyIds`]), then place the positions of each
/// key next to each other in one array. Building allocates nothing per key or row, and a probe
/// reads its key's positions from one contiguous stretch (chaining rows through a `next` array
/// instead cost a cache miss per matching row: Q13 at SF1 slowed from 3.5 to 5.5 s). Positions
/// come back in row order.
pub struct KeyIndex {
    ids: KeyIds,
    /// Where key `n`'s positions start in `positions` (they end where key `n + 1`'s start).
    starts: Vec<usize>,
    positions: Vec<usize>,
}

impl KeyIndex {
    /// Indexes positions `0..n` by the key `key_of` writes for each into the (cleared) buffer it
    /// is given; a position for which it answers false (a NULL key part) is left out.
    pub fn build(
        n: usize,
        mut key_of: impl FnMut(usize, &mut Vec<u8>) -> SqlResult<bool>,
    ) -> SqlResult<KeyIndex> {
        const NO_KEY: usize = usize::MAX;
        let mut ids = KeyIds::default();
        let mut row_ids = Vec::with_capacity(n);
        let mut counts: Vec<usize> = Vec::new();
        let mut key = Vec::new();
        for i in 0..n {
            key.clear();
            if !key_of(i, &mut key)? {
                row_ids.push(NO_KEY);
                continue;
            }
            let (id, new) = ids.find_or_add(&key);
            if new {
                counts.push(0);
            }
            counts[id] += 1;
            row_ids.push(id);
        }
        // Counts become start offsets; each row then goes to its key's next free place.
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut total = 0;
        for count in &mut counts {
            let start = total;
            starts.push(start);
            total += *count;
            *count = start;
        }
        starts.push(total);
        let mut positions = vec![0; total];
        for (i, &id) in row_ids.iter().enumerate() {
            if id != NO_KEY {
                positions[counts[id]] = i;
                counts[id] += 1;
            }
        }
        Ok(KeyIndex {
            ids,
            starts,
            positions,
        })
    }

    /// The positions under `key`, in row order.
    pub fn positions(&self, key: &[u8]) -> &[usize] {
        &self.positions[self.slots(key)]
    }

    /// Where `key`'s positions are in [`KeyIndex::all_positions`].
    pub fn slots(&self, key: &[u8]) -> std::ops::Range<usize> {
        match self.ids.find(key) {
            Some(id) => self.starts[id]..self.starts[id + 1],
            None => 0..0,
        }
    }

    /// Every indexed position, those of one key together.
    pub fn all_positions(&self) -> &[usize] {
        &self.positions
    }
}

/// Rows past which a scan's key values are not made into a semi-join filter for another scan.
pub const MAX_KEY_SET_ROWS: usize = 1 << 22;

/// The distinct values of `expr` over `rows` as hash keys (NULLs left out): a semi-join filter
/// ([`Expr::InKeys`]). None for more than [`MAX_KEY_SET_ROWS`] rows, or when a value cannot be
/// computed (the join reports that error, if it meets the row).
pub fn key_set(rows: &RowSet, expr: &Expr, ctx: &EvalContext<'_>) -> Option<KeyIds> {
    if rows.len() > MAX_KEY_SET_ROWS {
        return None;
    }
    let mut keys = ValueKeys::default();
    let mut failed = false;
    rows.each(|row| {
        let Ok(value) = expr.eval_ref(row, ctx) else {
            failed = true;
            return Ok(false);
        };
        keys.add(&value);
        Ok(true)
    })
    .ok()?;
    (!failed).then(|| keys.finish())
}

/// Makes the [`KeyIds`] of a set of values (NULLs left out, noted in `null`), with the bitmap
/// [`KeyIds::contains`] tests integers with when every value is a close enough integer.
#[derive(Default)]
struct ValueKeys {
    keys: KeyIds,
    key: Vec<u8>,
    /// The integer keys while every key is one, each once.
    ints: Option<Vec<i64>>,
    any: bool,
    null: bool,
}

impl ValueKeys {
    fn add(&mut self, value: &Value) {
        if value.is_null() {
            self.null = true;
            return;
        }
        self.key.clear();
        append_hash_key(value, &mut self.key);
        let (_, new) = self.keys.find_or_add(&self.key);
        match (self.any, &mut self.ints, value) {
            (false, _, Value::Int(i)) => self.ints = Some(vec![*i]),
            (true, Some(ints), Value::Int(i)) if new => ints.push(*i),
            (true, Some(_), Value::Int(_)) => {}
            _ => self.ints = None,
        }
        self.any = true;
    }

    fn finish(mut self) -> KeyIds {
        if let Some(ints) = &self.ints {
            self.keys.index_integers(ints);
        }
        self.keys
    }
}

/// The constant items of `x [NOT] IN (...)` or `x = ANY (array)` hashed, so that a row's test
/// is one probe instead of a comparison per item (PostgreSQL hashes such lists from 9 items on:
/// `MIN_ARRAY_SIZE_FOR_HASHED_SAOP`). Made only when every item that is not NULL is of one
/// *kind* (`ValueSet::kind_of`), within which two values have equal [`append_hash_key`] bytes
/// exactly when [`crate::types::compare`] finds them equal; a value of another kind (a binder's
/// implicit coercion left mixed operands) is for the caller to compare item by item.
pub struct ValueSet {
    keys: KeyIds,
    kind: u8,
    /// Whether an item is NULL (then `x NOT IN` is never true, and `x IN` of a value not found
    /// is NULL rather than false).
    pub had_null: bool,
}

impl ValueSet {
    /// Lists shorter than this are compared item by item.
    pub const MIN_ITEMS: usize = 9;

    /// The set of `items`; None for fewer than [`ValueSet::MIN_ITEMS`], or when two items that
    /// are not NULL differ in kind or one is of a kind not hashed (arrays, records).
    pub fn of<'v>(items: impl ExactSizeIterator<Item = &'v Value>) -> Option<ValueSet> {
        if items.len() < ValueSet::MIN_ITEMS {
            return None;
        }
        let mut keys = ValueKeys::default();
        let mut kind = None;
        for item in items {
            if !item.is_null() {
                let of = ValueSet::kind_of(item)?;
                if *kind.get_or_insert(of) != of {
                    return None;
                }
            }
            keys.add(item);
        }
        let had_null = keys.null;
        Some(ValueSet {
            keys: keys.finish(),
            // All NULL: no value is looked up (each is of another kind, compared as NULL).
            kind: kind.unwrap_or(0),
            had_null,
        })
    }

    /// The kind of a value a set may hold: values of one kind compare equal exactly when their
    /// hash keys are equal (a numeric of either form is one kind; -0 and 0, and every NaN, are
    /// one key each: see [`append_hash_key`]). 0 is no kind.
    fn kind_of(value: &Value) -> Option<u8> {
        Some(match value {
            Value::Bool(_) => 1,
            Value::Int(_) => 2,
            Value::Float(_) => 3,
            Value::Numeric(_) | Value::BigNumeric(_) => 4,
            Value::Text(_) => 5,
            Value::Timestamp(_) => 6,
            Value::Date(_) => 7,
            Value::Interval(_) => 8,
            Value::Bytes(_) => 9,
            Value::Null | Value::Array(_) | Value::Record(_) => return None,
        })
    }

    /// Whether `value` (not NULL) equals an item; None when it is of another kind than the
    /// items, which the caller then compares one by one.
    pub fn contains(&self, value: &Value) -> Option<bool> {
        thread_local! {
            static KEY: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        if ValueSet::kind_of(value) != Some(self.kind) {
            return None;
        }
        Some(KEY.with(|key| self.keys.contains(value, &mut key.borrow_mut())))
    }
}

/// Memcmp-comparable encoding of values, for hashing and grouping (equal values, equal bytes).
pub fn hash_key(values: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for value in values {
        append_hash_key(value, &mut out);
    }
    out
}

/// Appends one value's [`hash_key`] encoding to `out` (so a probe can reuse one buffer).
pub fn append_hash_key(value: &Value, out: &mut Vec<u8>) {
    match value {
        // -0 and 0 are equal, and so are all NaNs (PostgreSQL's float order).
        Value::Float(f) if *f == 0.0 => encode_key(&[(&Value::Float(0.0), DataType::Float8)], out),
        Value::Float(f) if f.is_nan() => {
            encode_key(&[(&Value::Float(f64::NAN), DataType::Float8)], out)
        }
        value => encode_key(&[(value, DataType::Text)], out),
    }
}

/// Runs the in-memory phase of a statement.
pub struct Executor<'a> {
    params: &'a [Value],
    now: i64,
    /// Rows of each scan, by the address of its node in the plan.
    scans: HashMap<usize, Rows>,
    /// Results of aggregates the workers computed in parts, by node address.
    aggregates: HashMap<usize, Rows>,
    /// Hash indexes of [`Rel::Lookup`] nodes: key -> positions in the input's rows.
    lookups: RefCell<HashMap<usize, LookupIndex>>,
    /// The key sets of lookups an EXISTS only probes ([`KeyPresence`]), by node address.
    presence: RefCell<HashMap<usize, Arc<KeyPresence>>>,
    /// Rows of subqueries that read nothing of the enclosing rows.
    once: RefCell<HashMap<usize, Rows>>,
    /// `x IN (subquery)` of such subqueries: their values hashed, and whether one is NULL.
    in_sets: RefCell<HashMap<usize, InSet>>,
    /// Filters' predicates with their uncorrelated subqueries' values in place (see
    /// [`Executor::predicate_with_values`]), by the predicate's address; None: as written.
    valued: RefCell<HashMap<usize, Option<Arc<Expr>>>>,
    /// A buffer for one key's bytes, reused by probes of [`Executor::in_sets`].
    key_scratch: RefCell<Vec<u8>>,
    /// Results of correlated subqueries, by the values they read.
    memo: RefCell<HashMap<(usize, Vec<u8>), Value>>,
    /// The rows the current round of each recursive query works on.
    work: RefCell<HashMap<usize, Rows>>,
    /// Join orders picked for chains of inner joins, by the address of the chain's top join.
    orders: RefCell<HashMap<usize, Vec<usize>>>,
    /// Checked between operators (a canceled statement stops).
    check: &'a dyn Fn() -> SqlResult<()>,
    /// Per-node rows, loops and time, under EXPLAIN ANALYZE.
    stats: Option<RefCell<crate::explain::Stats>>,
    /// The session's sequences (nextval and friends in the query).
    pub sequences: Option<&'a dyn crate::sequence::Sequences>,
    /// What a hash aggregation may hold, and where it spills the rest (see [`Groups`]); also
    /// the size of a grace hash join's partitions.
    pub hash_mem: Option<(usize, std::path::PathBuf)>,
    /// What the statement's materialized results may hold in memory together; without it every
    /// result stays in memory.
    pub memory: Option<Arc<StatementMemory>>,
    /// `work_mem`: what a sort of a spilled input holds in memory.
    pub work_mem: usize,
    /// Joins on equalities are merge joins (`enable_hashjoin` off: see `Executor::merge_join`).
    pub merge_joins: bool,
    /// Set by a LIMIT for the sort right under it: the rows the sort must keep (LIMIT +
    /// OFFSET). Taken by that sort before its input runs, so no sort below sees it.
    sort_bound: std::cell::Cell<Option<usize>>,
}

pub(crate) fn address<T>(node: &T) -> usize {
    node as *const T as usize
}

impl<'a> Executor<'a> {
    pub fn new(
        params: &'a [Value],
        now: i64,
        check: &'a dyn Fn() -> SqlResult<()>,
    ) -> Executor<'a> {
        Executor {
            params,
            now,
            scans: HashMap::new(),
            aggregates: HashMap::new(),
            lookups: RefCell::default(),
            presence: RefCell::default(),
            once: RefCell::default(),
            in_sets: RefCell::default(),
            valued: RefCell::default(),
            key_scratch: RefCell::default(),
            memo: RefCell::default(),
            work: RefCell::default(),
            orders: RefCell::default(),
            check,
            stats: None,
            sequences: None,
            hash_mem: None,
            memory: None,
            work_mem: 4 << 20,
            merge_joins: false,
            sort_bound: std::cell::Cell::new(None),
        }
    }

    /// A sink for an operator's output, charged to the statement's memory.
    fn sink(&self) -> RowSink {
        RowSink::new(self.memory.clone())
    }

    /// The rows work table `id` holds before the statement runs (a data-modifying WITH
    /// query's RETURNING rows).
    pub fn set_work(&mut self, id: usize, rows: Vec<Vec<Value>>) {
        self.work
            .borrow_mut()
            .insert(id, Arc::new(RowSet::from(rows)));
    }

    /// Records what each node does (EXPLAIN ANALYZE).
    pub fn record_stats(&mut self) {
        self.stats = Some(RefCell::default());
    }

    pub fn take_stats(&mut self) -> Option<crate::explain::Stats> {
        self.stats.take().map(RefCell::into_inner)
    }

    /// Notes what a hash aggregation of `node` held and spilled (EXPLAIN ANALYZE).
    pub fn record_hash(&self, node: &Rel, hash: SpillStats) {
        if let Some(stats) = &self.stats {
            stats.borrow_mut().entry(address(node)).or_default().hash = Some(hash);
        }
    }

    /// Gives an aggregate node its (merged) result rows.
    pub fn set_aggregate(&mut self, node: &Rel, rows: RowSet) {
        self.aggregates.insert(address(node), Arc::new(rows));
    }

    /// Gives a scan node its rows.
    /// Notes the time reading `scan`'s rows from the workers took (EXPLAIN ANALYZE shows it as
    /// the scan's time: its rows are read before the tree runs).
    pub fn record_read(&self, scan: &Rel, took: std::time::Duration) {
        if let Some(stats) = &self.stats {
            let mut stats = stats.borrow_mut();
            let node = stats.entry(address(scan)).or_default();
            // Read whole before the tree runs: its first row comes with its last.
            node.micros += took.as_micros() as u64;
            node.startup_micros += took.as_micros() as u64;
        }
    }

    /// Notes how many rows `scan`'s filter dropped on the workers (EXPLAIN ANALYZE).
    pub fn record_removed(&self, scan: &Rel, removed: u64) {
        if let Some(stats) = &self.stats {
            let mut stats = stats.borrow_mut();
            let node = stats.entry(address(scan)).or_default();
            node.removed = Some(node.removed.unwrap_or(0) + removed);
        }
    }

    /// Notes how many pairs a join's filter turned down (EXPLAIN ANALYZE).
    fn record_join_removed(&self, join: &Rel, removed: u64) {
        if let Some(stats) = &self.stats {
            let mut stats = stats.borrow_mut();
            let node = stats.entry(address(join)).or_default();
            node.join_removed = Some(node.join_removed.unwrap_or(0) + removed);
        }
    }

    pub fn set_scan(&mut self, scan: &Rel, rows: RowSet) {
        self.scans.insert(address(scan), Arc::new(rows));
    }

    /// `input` in `keys` order (ties in input order) through a `crate::spill::Sorter`: in runs
    /// of `work_mem` in the statement's temporary directory, and with `bound` only the first
    /// `bound` rows, as PostgreSQL's "top-N heapsort" (the sorter's buffer is cut back to
    /// `bound` rows whenever it reaches twice that, so an ORDER BY .. LIMIT 20 over 40,000
    /// groups keeps about a thousand rows instead of sorting them all).
    fn sort_with_sorter(
        &self,
        input: Rows,
        keys: &[SortKey],
        bound: Option<usize>,
    ) -> SqlResult<Rows> {
        let (budget, dir) = self.sort_space();
        let mut sorter = crate::spill::Sorter::new(keys.to_vec(), budget, bound, dir);
        if input.is_spilled() {
            input.each(|row| {
                sorter.push(row.clone())?;
                Ok(true)
            })?;
            drop(input);
        } else {
            for row in RowSet::unwrap_rows(input)? {
                sorter.push(row)?;
            }
        }
        let mut sorted = sorter.finish()?;
        let mut out = self.sink();
        while let Some(row) = sorted.next_row()? {
            out.push(row)?;
        }
        Ok(Arc::new(out.finish()?))
    }

    /// What a sort holds in memory and where it writes its runs: `work_mem` in the statement's
    /// temporary directory. Without a statement memory nothing spills (only a bounded sort or a
    /// small merge join comes here then).
    fn sort_space(&self) -> (usize, std::path::PathBuf) {
        match &self.memory {
            Some(memory) => (self.work_mem, memory.dir().to_path_buf()),
            None => (usize::MAX, std::path::PathBuf::new()),
        }
    }

    fn ctx<'c>(&'c self, outer: &'c [Row]) -> EvalContext<'c> {
        EvalContext {
            params: self.params,
            now: self.now,
            outer,
            subqueries: Some(self),
            sequences: self.sequences,
        }
    }

    /// The rows of `rel`; `outer` are the enclosing queries' rows (innermost last).
    pub fn run(&self, rel: &Rel, outer: &[Row]) -> SqlResult<Rows> {
        let Some(stats) = &self.stats else {
            return self.run_node(rel, outer);
        };
        let started = std::time::Instant::now();
        let rows = self.run_node(rel, outer)?;
        // The rows are made all at once: the first is there when the last is.
        let took = started.elapsed();
        note_loop(stats, rel, rows.len() as u64, took, took);
        Ok(rows)
    }

    /// Passes `rel`'s rows to `out` one at a time. Joins, and filters and projections over
    /// them, stream (their rows are made and passed on, never held: [`Executor::stream_node`]);
    /// other nodes run as [`Executor::run`] does and their rows are lent.
    fn run_into(&self, rel: &Rel, outer: &[Row], out: &mut Emit<'_>) -> SqlResult<()> {
        self.run_into_as(rel, outer, out, true)
    }

    /// [`Executor::run_into`]; `lend`: `out` keeps none of the rows it is given, so a join may
    /// lend it each row instead of giving it one to own (see [`hash_join`]).
    fn run_into_as(
        &self,
        rel: &Rel,
        outer: &[Row],
        out: &mut Emit<'_>,
        lend: bool,
    ) -> SqlResult<()> {
        if !streams(rel) {
            return self.run(rel, outer)?.each(|row| {
                out(Cow::Borrowed(row))?;
                Ok(true)
            });
        }
        let Some(stats) = &self.stats else {
            return self.stream_node(rel, outer, out, lend);
        };
        let started = std::time::Instant::now();
        let mut rows = 0u64;
        let mut first = None;
        self.stream_node(
            rel,
            outer,
            &mut |row| {
                if rows == 0 {
                    first = Some(started.elapsed());
                }
                rows += 1;
                out(row)
            },
            lend,
        )?;
        let took = started.elapsed();
        // No row: PostgreSQL's startup is then the whole time too.
        note_loop(stats, rel, rows, first.unwrap_or(took), took);
        Ok(())
    }

    /// A filter, projection or join, its rows passed to `out` as they are made (lent when
    /// `lend`, see [`Executor::run_into_as`]).
    fn stream_node(
        &self,
        rel: &Rel,
        outer: &[Row],
        out: &mut Emit<'_>,
        lend: bool,
    ) -> SqlResult<()> {
        (self.check)()?;
        let ctx = self.ctx(outer);
        match rel {
            Rel::Constants { rows, .. } => {
                for row in rows.iter() {
                    out(Cow::Borrowed(row))?;
                }
                Ok(())
            }
            Rel::Filter { input, predicate } => {
                // Made when the first row comes (no row: no subquery runs).
                let mut valued: Option<Option<Arc<Expr>>> = None;
                self.run_into_as(
                    input,
                    outer,
                    &mut |row| {
                        let valued = valued
                            .get_or_insert_with(|| self.predicate_with_values(predicate, &ctx));
                        if valued.as_deref().unwrap_or(predicate).is_true(&row, &ctx)? {
                            out(row)?;
                        }
                        Ok(())
                    },
                    lend,
                )
            }
            Rel::Project { input, exprs } => {
                // Each projected row is lent from one buffer when `out` keeps none (an
                // aggregate over a join: no allocation per row or text value).
                let mut lent: Row = Vec::with_capacity(exprs.len());
                self.run_into(input, outer, &mut |row| {
                    if lend {
                        lent.truncate(exprs.len());
                        for (i, e) in exprs.iter().enumerate() {
                            assign_value(&mut lent, i, e.eval_ref(&row, &ctx)?);
                        }
                        return out(Cow::Borrowed(&lent));
                    }
                    let projected = exprs
                        .iter()
                        .map(|e| e.eval(&row, &ctx))
                        .collect::<SqlResult<Row>>()?;
                    out(Cow::Owned(projected))
                })
            }
            Rel::Join {
                kind,
                left,
                right,
                keys,
                on,
            } => {
                // (A merge join runs as one, not in a chain of hash joins.)
                let merged = self.merge_joins && !keys.is_empty();
                if *kind == JoinKind::Inner
                    && !merged
                    && self.run_chain(rel, outer, &ctx, (out, lend))?
                {
                    return Ok(());
                }
                let left_rows = self.run(left, outer)?;
                let right_rows = self.run(right, outer)?;
                let (spill, removed) = self.join(
                    *kind,
                    (&left_rows, left.width()),
                    (&right_rows, right.width()),
                    keys,
                    on,
                    &ctx,
                    (out, lend),
                )?;
                if let Some(spill) = spill {
                    self.record_hash(rel, spill);
                }
                if !on.is_empty() {
                    self.record_join_removed(rel, removed);
                }
                Ok(())
            }
            _ => Err(SqlError::new(
                code::INTERNAL_ERROR,
                "only filters, projections and joins stream",
            )),
        }
    }

    fn run_node(&self, rel: &Rel, outer: &[Row]) -> SqlResult<Rows> {
        (self.check)()?;
        let ctx = self.ctx(outer);
        Ok(Arc::new(match rel {
            Rel::Scan { .. } => {
                return self
                    .scans
                    .get(&address(rel))
                    .cloned()
                    .ok_or_else(|| SqlError::new(code::INTERNAL_ERROR, "scan without rows"))
            }
            Rel::Lookup {
                input,
                columns,
                probes,
            } => {
                let index = self.lookup_index(rel, input, columns)?;
                // No row to find: the probes are not computed (an uncorrelated subquery
                // probing no row runs as PostgreSQL's InitPlan does then: not at all).
                if index.0.is_empty() {
                    return Ok(Arc::new(RowSet::default()));
                }
                let probe = probes
                    .iter()
                    .map(|p| p.eval(&[], &ctx))
                    .collect::<SqlResult<Vec<_>>>()?;
                if probe.iter().any(Value::is_null) {
                    RowSet::default()
                } else {
                    let (rows, map) = &*index;
                    let rows = rows.rows()?;
                    map.positions(&hash_key(&probe))
                        .iter()
                        .map(|&i| rows[i].clone())
                        .collect::<Vec<_>>()
                        .into()
                }
            }
            Rel::Values { rows, .. } => rows
                .iter()
                .map(|row| row.iter().map(|e| e.eval(&[], &ctx)).collect())
                .collect::<SqlResult<Vec<_>>>()?
                .into(),
            Rel::Constants { rows, .. } => rows.iter().cloned().collect::<Vec<_>>().into(),
            Rel::Function {
                func,
                args,
                ordinality,
            } => {
                let args = args
                    .iter()
                    .map(|e| e.eval(&[], &ctx))
                    .collect::<SqlResult<Vec<_>>>()?;
                let mut rows = table_function(*func, args)?;
                if *ordinality {
                    for (i, row) in rows.iter_mut().enumerate() {
                        row.push(Value::Int(i as i64 + 1));
                    }
                }
                rows.into()
            }
            Rel::WorkTable { id, .. } => {
                return Ok(self.work.borrow().get(id).cloned().unwrap_or_default())
            }
            Rel::Recursive {
                id,
                all,
                base,
                step,
            } => {
                let mut seen = KeySet::default();
                let mut keep = |rows: &[Row], out: &mut Vec<Row>| {
                    let mut added = Vec::new();
                    for row in rows {
                        if *all || seen.insert(hash_key(row)) {
                            out.push(row.clone());
                            added.push(row.clone());
                        }
                    }
                    added
                };
                let mut result = Vec::new();
                let mut working = keep(&self.run(base, outer)?.rows()?, &mut result);
                while !working.is_empty() {
                    self.work
                        .borrow_mut()
                        .insert(*id, Arc::new(RowSet::from(working)));
                    // Results cached for the previous round may have read the work table.
                    self.once.borrow_mut().clear();
                    self.in_sets.borrow_mut().clear();
                    self.memo.borrow_mut().clear();
                    let next = self.run(step, outer)?;
                    working = keep(&next.rows()?, &mut result);
                }
                self.work.borrow_mut().remove(id);
                result.into()
            }
            Rel::Filter { .. } | Rel::Project { .. } | Rel::Join { .. } => {
                let mut out = self.sink();
                self.stream_node(rel, outer, &mut |row| out.push(row.into_owned()), false)?;
                out.finish()?
            }
            Rel::Apply {
                kind,
                left,
                right,
                on,
            } => {
                let left_rows = self.run(left, outer)?;
                let right_width = right.width();
                let mut stack = outer.to_vec();
                let mut out = self.sink();
                left_rows.each(|l| {
                    stack.push(l.clone());
                    let right_rows = self.run(right, &stack)?;
                    stack.pop();
                    let mut matched = false;
                    for r in right_rows.rows()?.iter() {
                        let mut row = l.clone();
                        row.extend(r.iter().cloned());
                        let mut keep = true;
                        for condition in on {
                            if !condition.is_true(&row, &ctx)? {
                                keep = false;
                                break;
                            }
                        }
                        if keep {
                            matched = true;
                            out.push(row)?;
                        }
                    }
                    if !matched && *kind == JoinKind::Left {
                        let mut row = l.clone();
                        row.resize(l.len() + right_width, Value::Null);
                        out.push(row)?;
                    }
                    Ok(true)
                })?;
                out.finish()?
            }
            Rel::ProjectSet { input, calls } => {
                let input = self.run(input, outer)?;
                let mut out = self.sink();
                input.each(|row| {
                    let mut sets = Vec::with_capacity(calls.len());
                    for (func, args) in calls {
                        let args = args
                            .iter()
                            .map(|e| e.eval(row, &ctx))
                            .collect::<SqlResult<Vec<_>>>()?;
                        sets.push(table_function(*func, args)?.into_iter());
                    }
                    loop {
                        let mut any = false;
                        let mut extended = row.to_vec();
                        for set in sets.iter_mut() {
                            match set.next() {
                                Some(mut values) => {
                                    any = true;
                                    extended.push(values.pop().unwrap_or(Value::Null));
                                }
                                None => extended.push(Value::Null),
                            }
                        }
                        if !any {
                            break;
                        }
                        out.push(extended)?;
                    }
                    Ok(true)
                })?;
                out.finish()?
            }
            Rel::Window { input, calls } => {
                let input = self.run(input, outer)?;
                let input = input.rows()?;
                let mut columns = Vec::with_capacity(calls.len());
                let mut order: Vec<usize> = (0..input.len()).collect();
                for call in calls {
                    let (values, sorted) = window(call, &input, &ctx)?;
                    columns.push(values);
                    order = sorted;
                }
                // Rows come out in the last window's order, as PostgreSQL's do.
                let mut out = self.sink();
                for i in order {
                    let mut row = input[i].clone();
                    row.extend(columns.iter().map(|c| c[i].clone()));
                    out.push(row)?;
                }
                out.finish()?
            }
            Rel::Aggregate { .. } if self.aggregates.contains_key(&address(rel)) => {
                return Ok(self.aggregates[&address(rel)].clone());
            }
            Rel::Aggregate { input, keys, aggs } => {
                let mut groups = Groups::new(keys, aggs);
                if let Some((budget, dir)) = &self.hash_mem {
                    groups.spill_to(*budget, dir.clone());
                }
                // A join's rows (also through filters and projections) go straight into the
                // groups, never materialized.
                self.run_into(input, outer, &mut |row| groups.add(&row, &ctx))?;
                let mut grouped = groups.finish_rows()?;
                let mut out = self.sink();
                while let Some(row) = grouped.next_row()? {
                    out.push(row)?;
                }
                self.record_hash(rel, grouped.stats());
                out.finish()?
            }
            Rel::Distinct { input, on } => {
                let input = self.run(input, outer)?;
                let mut seen = KeySet::default();
                let mut out = self.sink();
                input.each(|row| {
                    let key = match on {
                        Some(columns) => {
                            hash_key(&columns.iter().map(|&c| row[c].clone()).collect::<Vec<_>>())
                        }
                        None => hash_key(row),
                    };
                    if seen.insert(key) {
                        out.push(row.clone())?;
                    }
                    Ok(true)
                })?;
                out.finish()?
            }
            Rel::Sort { input, keys } => {
                let bound = self.sort_bound.take();
                let input = self.run(input, outer)?;
                // A spilled input is sorted in runs of `work_mem` (see `crate::spill`), and a
                // bounded sort keeps its first rows only; anything else sorts in memory.
                if bound.is_some() || (self.memory.is_some() && input.is_spilled()) {
                    return self.sort_with_sorter(input, keys, bound);
                }
                let mut rows = RowSet::unwrap_rows(input)?;
                rows.sort_by(|a, b| compare_rows(a, b, keys));
                rows.into()
            }
            Rel::Limit {
                input,
                limit,
                offset,
                ties,
            } => {
                let offset = count_value(offset.as_ref(), &ctx, "OFFSET")?.unwrap_or(0);
                let limit = count_value(limit.as_ref(), &ctx, "LIMIT")?;
                // A sort right under a LIMIT keeps only the rows the LIMIT can take (WITH TIES
                // may take more: that sort sorts all).
                if let (Rel::Sort { .. }, None, Some(limit)) = (input.as_ref(), ties, limit) {
                    let bound = limit.saturating_add(offset);
                    self.sort_bound
                        .set(Some(usize::try_from(bound).unwrap_or(usize::MAX)));
                }
                let input = self.run(input, outer);
                // Taken by the sort unless it failed first: no later sort may see it.
                self.sort_bound.set(None);
                let input = input?;
                let (mut skip, mut take) = (offset, limit.unwrap_or(i64::MAX));
                let mut out = self.sink();
                // With ties, the last row taken: rows equal to it on the sort keys follow.
                let mut last: Option<Row> = None;
                input.each(|row| {
                    if skip > 0 {
                        skip -= 1;
                        return Ok(true);
                    }
                    if take <= 0 {
                        let tied = match (ties, &last) {
                            (Some(keys), Some(last)) => {
                                compare_rows(row, last, keys) == std::cmp::Ordering::Equal
                            }
                            _ => false,
                        };
                        if !tied {
                            return Ok(false);
                        }
                    } else {
                        take -= 1;
                        if ties.is_some() && take == 0 {
                            last = Some(row.clone());
                        }
                    }
                    out.push(row.clone())?;
                    Ok(take > 0 || ties.is_some())
                })?;
                out.finish()?
            }
            Rel::SetOp {
                op,
                all,
                left,
                right,
            } => set_op(
                *op,
                *all,
                &self.run(left, outer)?.rows()?,
                &self.run(right, outer)?.rows()?,
            )
            .into(),
            Rel::LockRows { .. } => {
                return Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "row locks are taken before the tree runs",
                ))
            }
        }))
    }

    /// The [`KeyPresence`] of a lookup's rows, built once (from the rows of its index when
    /// that was built already).
    fn presence(&self, node: &Rel, input: &Rel, columns: &[usize]) -> SqlResult<Arc<KeyPresence>> {
        if let Some(presence) = self.presence.borrow().get(&address(node)) {
            return Ok(presence.clone());
        }
        let indexed = self.lookups.borrow().get(&address(node)).cloned();
        let rows = match indexed {
            Some(index) => index.0.clone(),
            None => self.run(input, &[])?,
        };
        let presence = Arc::new(KeyPresence::build(&rows.rows()?, columns));
        self.presence
            .borrow_mut()
            .insert(address(node), presence.clone());
        Ok(presence)
    }

    fn lookup_index(&self, node: &Rel, input: &Rel, columns: &[usize]) -> SqlResult<LookupIndex> {
        if let Some(index) = self.lookups.borrow().get(&address(node)) {
            return Ok(index.clone());
        }
        // The input reads nothing of the enclosing rows (the planner only builds lookups so);
        // probes index its rows, so they are held in memory.
        let input = self.run(input, &[])?;
        let rows: Rows = if input.is_spilled() {
            Arc::new(RowSet::from(input.rows()?.into_owned()))
        } else {
            input
        };
        let map = {
            let rows = rows.rows()?;
            KeyIndex::build(rows.len(), |i, key| {
                for &c in columns {
                    if rows[i][c].is_null() {
                        return Ok(false);
                    }
                    append_hash_key(&rows[i][c], key);
                }
                Ok(true)
            })?
        };
        let index = Arc::new((rows, map));
        self.lookups
            .borrow_mut()
            .insert(address(node), index.clone());
        Ok(index)
    }

    /// A chain of three or more inner joins, in the order [`crate::join_order`] picks from the
    /// leaves' real row counts (the planned order when they are few), its rows passed to `out`
    /// as the last join makes them. False (nothing done) for shorter chains, and when a leaf's
    /// rows are in a temporary file (the planned joins then run one by one).
    ///
    /// Late materialization: a joined row is a tuple of row numbers into the leaves' rows, one
    /// per leaf joined so far, and each join hashes the smaller of the tuples and the next
    /// leaf's rows, reading key columns where they lie in the leaves (a key that is an
    /// expression, and a condition that is no key, are evaluated over a scratch row holding
    /// just the columns they read). Only the last join makes rows, in the tree's column order,
    /// lent to `out` when it keeps none. Copying each intermediate row (texts included) and
    /// freeing it after the next join had been most of TPC-H Q9's and Q10's joins: Q9 3.5 ->
    /// 2.6 s, Q10 1.2 -> 1.0 s. Tuples past a quarter of the statement's memory give the chain
    /// up to the planned joins, which spill, before any row has gone to `out`.
    fn run_chain(
        &self,
        rel: &Rel,
        outer: &[Row],
        ctx: &EvalContext<'_>,
        (out, lend): (&mut Emit<'_>, bool),
    ) -> SqlResult<bool> {
        use crate::join_order::{order, Chain, MIN_ROWS};
        let chain = Chain::of(rel);
        if chain.leaves.len() < 3 || !chain.left_deep {
            return Ok(false);
        }
        let inputs = chain
            .leaves
            .iter()
            .map(|(leaf, ..)| self.run(leaf, outer))
            .collect::<SqlResult<Vec<Rows>>>()?;
        if inputs.iter().any(|rows| rows.is_spilled()) {
            return Ok(false);
        }
        let total_rows: usize = inputs.iter().map(|rows| rows.len()).sum();
        let guards = inputs
            .iter()
            .map(|rows| rows.rows())
            .collect::<SqlResult<Vec<_>>>()?;
        let slices: Vec<&[Row]> = guards.iter().map(|rows| &rows[..]).collect();
        // A chain run again (inside a correlated subquery) keeps the order picked the first time.
        let cached = self.orders.borrow().get(&address(rel)).cloned();
        let order: Vec<usize> = match cached {
            Some(order) => order,
            None if total_rows < MIN_ROWS => (0..inputs.len()).collect(),
            None => {
                let order = order(&chain, &slices);
                self.orders.borrow_mut().insert(address(rel), order.clone());
                order
            }
        };
        if slices.iter().any(|rows| rows.len() > u32::MAX as usize) {
            return Ok(false);
        }
        let total_width: usize = chain.leaves.iter().map(|(_, _, width)| width).sum();
        // Conditions over the tree's row (each with the leaves it reads), taken by the first
        // join after which all their leaves are joined; those that read none are tested last.
        let mut pending: Vec<(Vec<usize>, &Expr)> = chain
            .conds
            .iter()
            .map(|cond| (chain.touched(cond), cond))
            .collect();
        // Joined rows are tuples of row numbers, one per leaf joined so far (in `joined`'s
        // order), `joined.len()` numbers each: nothing is copied until the last join makes the
        // rows `out` gets.
        let mut joined: Vec<usize> = vec![order[0]];
        let mut tuples: Vec<u32> = (0..slices[order[0]].len() as u32).collect();
        // What the joined rows may hold before the chain gives up for the planned joins (which
        // spill): a quarter of the statement's memory.
        let most_tuples = self
            .memory
            .as_ref()
            .map_or(usize::MAX, |memory| memory.limit() / 4 / 4);
        // A row in the tree's layout, only the columns a condition or computed key reads set:
        // what those are evaluated over. And the row made for `out`, when lent.
        let mut scratch: Row = vec![Value::Null; total_width];
        let mut lent: Row = Vec::with_capacity(total_width);
        let mut key = Vec::new();
        for (step, &next) in order.iter().enumerate().skip(1) {
            (self.check)()?;
            let last = step + 1 == order.len();
            let slot_of = |leaf: usize| joined.iter().position(|&j| j == leaf);
            // This join's equalities between the joined leaves and `next` (keys), and its other
            // conditions.
            let (mut keys, mut on): (Vec<(&Expr, &Expr)>, Vec<&Expr>) = (Vec::new(), Vec::new());
            let mut k = 0;
            while k < pending.len() {
                let (touched, cond) = &pending[k];
                let ready = touched.contains(&next)
                    && touched.iter().all(|t| *t == next || joined.contains(t));
                if !(ready || last) {
                    k += 1;
                    continue;
                }
                let cond = *cond;
                pending.swap_remove(k);
                let side = |e: &Expr| -> Option<bool> {
                    let mut columns = Vec::new();
                    e.columns(&mut columns);
                    let leaves: Vec<usize> =
                        columns.iter().filter_map(|&c| chain.leaf_of(c)).collect();
                    if leaves.len() != columns.len() || leaves.is_empty() || !e.is_local() {
                        return None;
                    }
                    if leaves.iter().all(|&l| l == next) {
                        Some(false)
                    } else if leaves.iter().all(|&l| l != next) {
                        Some(true)
                    } else {
                        None
                    }
                };
                match cond {
                    Expr::Binary(BinOp::Eq, a, b) => match (side(a), side(b)) {
                        (Some(true), Some(false)) => keys.push((&**a, &**b)),
                        (Some(false), Some(true)) => keys.push((&**b, &**a)),
                        _ => on.push(cond),
                    },
                    _ => on.push(cond),
                }
            }
            // Where each tree column a condition or computed key reads comes from: (column,
            // the joined slot holding its leaf's row number, None for `next`, the leaf, the
            // column in the leaf's row).
            let mut read = Vec::new();
            for e in on.iter().copied().chain(
                keys.iter()
                    .filter(|(l, _)| !matches!(l, Expr::Column(_)))
                    .map(|(l, _)| *l),
            ) {
                e.columns(&mut read);
            }
            read.sort_unstable();
            read.dedup();
            let sources: Vec<(usize, Option<usize>, usize, usize)> = read
                .iter()
                .filter_map(|&c| {
                    let leaf = chain.leaf_of(c)?;
                    Some((c, slot_of(leaf), leaf, c - chain.leaves[leaf].1))
                })
                .collect();
            // The joined side's keys: a column read from its leaf's row, else computed over
            // the scratch row.
            let left_keys: Vec<Result<(usize, usize, usize), &Expr>> = keys
                .iter()
                .map(|(l, _)| match l {
                    Expr::Column(c) => chain
                        .leaf_of(*c)
                        .and_then(|leaf| Some((slot_of(leaf)?, leaf, c - chain.leaves[leaf].1)))
                        .ok_or(*l),
                    other => Err(*other),
                })
                .collect();
            // `next`'s keys over its own rows.
            let offset = chain.leaves[next].1;
            let right_keys: Vec<Expr> = keys
                .iter()
                .map(|(_, r)| (*r).clone().remap_columns(&|c| c - offset))
                .collect();
            let stride = joined.len();
            let rows = slices[next];
            // Sets the scratch row's read columns from a joined tuple and (when given) a row of
            // `next`.
            let fill = |scratch: &mut Row, tuple: &[u32], row: Option<usize>| {
                for &(c, slot, leaf, local) in &sources {
                    let from = match (slot, row) {
                        (Some(slot), _) => &slices[leaf][tuple[slot] as usize][local],
                        (None, Some(row)) => &slices[leaf][row][local],
                        (None, None) => continue,
                    };
                    assign_value(scratch, c, Cow::Borrowed(from));
                }
            };
            let tuple_key = |scratch: &mut Row, tuple: &[u32], key: &mut Vec<u8>| {
                key.clear();
                if left_keys.iter().any(Result::is_err) {
                    fill(scratch, tuple, None);
                }
                for part in &left_keys {
                    let value = match part {
                        Ok((slot, leaf, local)) => {
                            Cow::Borrowed(&slices[*leaf][tuple[*slot] as usize][*local])
                        }
                        Err(e) => e.eval_ref(scratch, ctx)?,
                    };
                    if value.is_null() {
                        return Ok(false);
                    }
                    append_hash_key(&value, key);
                }
                Ok(true)
            };
            let mut made: Vec<u32> = Vec::new();
            let mut found = 0usize;
            // Per leaf, in the tree's order: the slot of its row number in a joined tuple (None:
            // `next`'s row).
            let slots: Vec<Option<usize>> = (0..slices.len()).map(slot_of).collect();
            // Set when the joined tuples pass `most_tuples`: the chain stops there.
            let over = std::cell::Cell::new(false);
            // A joined tuple and a row of `next` that match on the keys: kept when the other
            // conditions hold, as a longer tuple or (last) as a row for `out`.
            let mut pair = |scratch: &mut Row, tuple: &[u32], row: usize| -> SqlResult<()> {
                if !on.is_empty() {
                    fill(scratch, tuple, Some(row));
                    for cond in &on {
                        if !cond.is_true(scratch, ctx)? {
                            return Ok(());
                        }
                    }
                }
                found += 1;
                if found.is_multiple_of(65_536) {
                    (self.check)()?;
                }
                if !last {
                    made.extend_from_slice(tuple);
                    made.push(row as u32);
                    over.set(made.len() > most_tuples);
                    return Ok(());
                }
                let row_of = |leaf: usize| match slots[leaf] {
                    Some(slot) => tuple[slot] as usize,
                    None => row,
                };
                if lend {
                    lent.truncate(total_width);
                    let mut at = 0;
                    for (leaf, rows) in slices.iter().enumerate() {
                        for value in &rows[row_of(leaf)] {
                            assign_value(&mut lent, at, Cow::Borrowed(value));
                            at += 1;
                        }
                    }
                    out(Cow::Borrowed(&lent))
                } else {
                    let mut owned = Vec::with_capacity(total_width);
                    for (leaf, rows) in slices.iter().enumerate() {
                        owned.extend(rows[row_of(leaf)].iter().cloned());
                    }
                    out(Cow::Owned(owned))
                }
            };
            let count = tuples.len() / stride;
            if rows.len() <= count {
                // Hash `next`'s rows, probe with the tuples.
                let index = KeyIndex::build(rows.len(), |r, key| {
                    join_key(&mut right_keys.iter(), &rows[r], ctx, key)
                })?;
                for tuple in tuples.chunks_exact(stride) {
                    if over.get() {
                        break;
                    }
                    if !tuple_key(&mut scratch, tuple, &mut key)? {
                        continue;
                    }
                    for &r in index.positions(&key) {
                        pair(&mut scratch, tuple, r)?;
                    }
                }
            } else {
                // Hash the tuples, probe with `next`'s rows.
                let index = KeyIndex::build(count, |t, key| {
                    tuple_key(&mut scratch, &tuples[t * stride..(t + 1) * stride], key)
                })?;
                for (r, row) in rows.iter().enumerate() {
                    if over.get() {
                        break;
                    }
                    if !join_key(&mut right_keys.iter(), row, ctx, &mut key)? {
                        continue;
                    }
                    for &t in index.positions(&key) {
                        pair(&mut scratch, &tuples[t * stride..(t + 1) * stride], r)?;
                    }
                }
            }
            if last {
                break;
            }
            if over.get() {
                // Too many joined rows to hold as numbers: the planned joins, which spill, run
                // instead (nothing has gone to `out` yet).
                return Ok(false);
            }
            tuples = made;
            joined.push(next);
        }
        Ok(true)
    }

    /// Joins two inputs: a hash join on `keys` (every pair without keys) with `on` tested on
    /// each joined row. Inputs in memory join in memory; when one is in a temporary file the
    /// join is a grace hash join (`Executor::grace_join`), whose partitions come back too.
    /// `out`'s flag: it keeps no row it is given, so rows may be lent (see [`hash_join`]).
    /// Returns the grace join's partitions, and the pairs `on` turned down.
    #[allow(clippy::too_many_arguments)]
    fn join(
        &self,
        kind: JoinKind,
        (left, left_width): (&RowSet, usize),
        (right, right_width): (&RowSet, usize),
        keys: &[(Expr, Expr)],
        on: &[Expr],
        ctx: &EvalContext<'_>,
        out: (&mut Emit<'_>, bool),
    ) -> SqlResult<(Option<SpillStats>, u64)> {
        let widths = (left_width, right_width);
        if self.merge_joins && !keys.is_empty() {
            let removed = self.merge_join(kind, (left, right), widths, keys, on, ctx, out)?;
            return Ok((None, removed));
        }
        if (left.is_spilled() || right.is_spilled()) && !keys.is_empty() {
            if let (Some(memory), Some((budget, _))) = (&self.memory, &self.hash_mem) {
                let inputs = (left, right);
                let (spill, removed) =
                    self.grace_join(kind, inputs, widths, keys, on, ctx, (memory, *budget), out)?;
                return Ok((Some(spill), removed));
            }
        }
        if kind == JoinKind::Inner && right.len() >= 1024 && right.len() > 2 * left.len() {
            // An inner join hashes the smaller input when the right one is much larger (both
            // are in memory, so their sizes are known) and probes with the larger one; the rows
            // then come out in the right side's order. Small joins keep the planned side, and so
            // the order their rows (and RETURNING lists) have always had.
            let build = left.rows()?;
            let removed = hash_join(kind, right, (&build, true), widths, keys, on, ctx, out)?;
            Ok((None, removed))
        } else {
            let build = right.rows()?;
            let removed = hash_join(kind, left, (&build, false), widths, keys, on, ctx, out)?;
            Ok((None, removed))
        }
    }

    /// A merge join (PostgreSQL's, when `enable_hashjoin` is off): each input is sorted on its
    /// join key through a `crate::spill::Sorter` (in `work_mem`, in runs on disk past it), then
    /// the two sorted streams are walked together. The sort order is that of the key's hash
    /// encoding (`append_hash_key`, carried as an extra bytea column), which equates exactly the
    /// values a hash join equates; a SQL order is not needed, only equal keys side by side.
    /// For each key the right input's rows are held, and every left row with that key is paired
    /// with each, `on` tested on the pair; rows with a NULL key or no partner are padded for an
    /// outer join. Returns the pairs `on` turned down.
    #[allow(clippy::too_many_arguments)]
    fn merge_join(
        &self,
        kind: JoinKind,
        (left, right): (&RowSet, &RowSet),
        (left_width, right_width): (usize, usize),
        keys: &[(Expr, Expr)],
        on: &[Expr],
        ctx: &EvalContext<'_>,
        (out, lend): (&mut Emit<'_>, bool),
    ) -> SqlResult<u64> {
        let (budget, dir) = self.sort_space();
        let pad_left = matches!(kind, JoinKind::Left | JoinKind::Full);
        let pad_right = matches!(kind, JoinKind::Right | JoinKind::Full);
        let null_left: Row = vec![Value::Null; left_width];
        let null_right: Row = vec![Value::Null; right_width];
        let mut removed = 0;
        let mut lent: Row = Vec::with_capacity(left_width + right_width);
        let mut emit = |l: &[Value], r: &[Value], test: bool| -> SqlResult<bool> {
            let on = if test { on } else { &[] };
            emit_pair(l, r, on, ctx, (&mut *out, lend), &mut lent, &mut removed)
        };
        // Each input sorted on its key (rows with a NULL key are padded now or dropped).
        let sort = |rows: &RowSet,
                    is_left: bool,
                    emit: &mut PairEmit<'_>|
         -> SqlResult<crate::spill::SortedRows> {
            let width = if is_left { left_width } else { right_width };
            let order = vec![SortKey {
                output: width,
                descending: false,
                nulls_first: false,
            }];
            let mut sorter = crate::spill::Sorter::new(order, budget, None, dir.clone());
            let mut key = Vec::new();
            rows.each(|row| {
                let mut exprs = keys.iter().map(|(l, r)| if is_left { l } else { r });
                if join_key(&mut exprs, row, ctx, &mut key)? {
                    let mut keyed = Vec::with_capacity(width + 1);
                    keyed.extend(row.iter().cloned());
                    keyed.push(Value::Bytes(key.clone()));
                    sorter.push(keyed)?;
                } else if is_left && pad_left {
                    emit(row, &null_right, false)?;
                } else if !is_left && pad_right {
                    emit(&null_left, row, false)?;
                }
                (self.check)()?;
                Ok(true)
            })?;
            sorter.finish()
        };
        let mut lefts = sort(left, true, &mut emit)?;
        let mut rights = sort(right, false, &mut emit)?;
        fn key_of(row: &Row) -> &[u8] {
            match row.last() {
                Some(Value::Bytes(key)) => key,
                _ => &[],
            }
        }
        let mut l = lefts.next_row()?;
        let mut r = rights.next_row()?;
        // The right rows of the current key, and whether each found a partner.
        let mut group: Vec<Row> = Vec::new();
        let mut matched: Vec<bool> = Vec::new();
        let mut steps = 0u32;
        loop {
            steps = steps.wrapping_add(1);
            if steps.is_multiple_of(65_536) {
                (self.check)()?;
            }
            let order = match (&l, &r) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(a), Some(b)) => key_of(a).cmp(key_of(b)),
            };
            match order {
                std::cmp::Ordering::Less => {
                    let row = l.take().expect("a left row");
                    if pad_left {
                        emit(&row[..left_width], &null_right, false)?;
                    }
                    l = lefts.next_row()?;
                }
                std::cmp::Ordering::Greater => {
                    let row = r.take().expect("a right row");
                    if pad_right {
                        emit(&null_left, &row[..right_width], false)?;
                    }
                    r = rights.next_row()?;
                }
                std::cmp::Ordering::Equal => {
                    let key = key_of(r.as_ref().expect("a right row")).to_vec();
                    group.clear();
                    while let Some(row) = r.take() {
                        if key_of(&row) != key.as_slice() {
                            r = Some(row);
                            break;
                        }
                        group.push(row);
                        r = rights.next_row()?;
                    }
                    matched.clear();
                    matched.resize(group.len(), false);
                    while let Some(row) = l.take() {
                        if key_of(&row) != key.as_slice() {
                            l = Some(row);
                            break;
                        }
                        let mut found = false;
                        for (partner, hit) in group.iter().zip(matched.iter_mut()) {
                            if emit(&row[..left_width], &partner[..right_width], true)? {
                                found = true;
                                *hit = true;
                            }
                        }
                        if !found && pad_left {
                            emit(&row[..left_width], &null_right, false)?;
                        }
                        l = lefts.next_row()?;
                    }
                    if pad_right {
                        for (partner, hit) in group.iter().zip(&matched) {
                            if !hit {
                                emit(&null_left, &partner[..right_width], false)?;
                            }
                        }
                    }
                }
            }
        }
        Ok(removed)
    }

    /// A grace hash join (DeWitt et al. 1984, PostgreSQL's multi-batch hash join): both inputs
    /// are written to as many partition files, by a hash of their join key, as it takes for a
    /// partition of the build side (the smaller input of an inner join, the right one
    /// otherwise) to fit in `hash_mem`; then each pair of partitions is joined in memory. Rows
    /// with a NULL key join nothing: an outer join pads them at once. A partition larger than
    /// `hash_mem` (many rows of one key) is still joined in memory.
    #[allow(clippy::too_many_arguments)]
    fn grace_join(
        &self,
        kind: JoinKind,
        (left, right): (&RowSet, &RowSet),
        (left_width, right_width): (usize, usize),
        keys: &[(Expr, Expr)],
        on: &[Expr],
        ctx: &EvalContext<'_>,
        (memory, budget): (&Arc<StatementMemory>, usize),
        (out, lend): (&mut Emit<'_>, bool),
    ) -> SqlResult<(SpillStats, u64)> {
        let build_left = kind == JoinKind::Inner && left.bytes() < right.bytes();
        let build_bytes = if build_left {
            left.bytes()
        } else {
            right.bytes()
        };
        let parts = (build_bytes / budget.max(1) as u64 + 1)
            .next_power_of_two()
            .clamp(2, GRACE_MAX_PARTITIONS as u64) as usize;
        // Writes one input's rows to `parts` files; pads (or drops) those with a NULL key.
        let partition = |rows: &RowSet,
                         is_left: bool,
                         out: &mut Emit<'_>|
         -> SqlResult<Vec<RowSet>> {
            let pad = match (kind, is_left) {
                (JoinKind::Left | JoinKind::Full, true) => Some(vec![Value::Null; right_width]),
                (JoinKind::Right | JoinKind::Full, false) => Some(vec![Value::Null; left_width]),
                _ => None,
            };
            let mut files: Vec<RowSink> = (0..parts)
                .map(|_| RowSink::file(memory.clone(), GRACE_BUFFER))
                .collect();
            let mut key = Vec::new();
            rows.each(|row| {
                let mut exprs = keys.iter().map(|(l, r)| if is_left { l } else { r });
                if join_key(&mut exprs, row, ctx, &mut key)? {
                    files[partition_of(&key, GRACE_DEPTH, parts)].push(row.clone())?;
                } else if let Some(pad) = &pad {
                    out(Cow::Owned(if is_left {
                        row.iter().chain(pad).cloned().collect()
                    } else {
                        pad.iter().chain(row).cloned().collect()
                    }))?;
                }
                (self.check)()?;
                Ok(true)
            })?;
            files.into_iter().map(RowSink::finish).collect()
        };
        let lefts = partition(left, true, out)?;
        let rights = partition(right, false, out)?;
        let mut stats = SpillStats {
            partitions: parts as u64,
            ..SpillStats::default()
        };
        let mut removed = 0;
        for part in lefts.iter().chain(&rights) {
            stats.rows += part.len() as u64;
            stats.bytes += part.bytes();
        }
        for (l, r) in lefts.into_iter().zip(rights) {
            (self.check)()?;
            let (build, probe) = if build_left { (&l, &r) } else { (&r, &l) };
            stats.peak = stats.peak.max(build.bytes() as usize);
            let build = build.rows()?;
            let widths = (left_width, right_width);
            removed += hash_join(
                kind,
                probe,
                (&build, build_left),
                widths,
                keys,
                on,
                ctx,
                (&mut *out, lend),
            )?;
        }
        Ok((stats, removed))
    }

    /// The rows of an uncorrelated subquery, run now if it has not run yet (and kept for the
    /// statement, as when an expression runs it).
    pub fn uncorrelated_rows(&self, subquery: &Subquery) -> SqlResult<Rows> {
        let ctx = self.ctx(&[]);
        self.subquery_rows(subquery, &[], &ctx)
    }

    fn subquery_rows(
        &self,
        subquery: &Subquery,
        row: &[Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<Rows> {
        if subquery.reads.is_empty() && !subquery.reads_further {
            if let Some(rows) = self.once.borrow().get(&address(subquery)) {
                return Ok(rows.clone());
            }
            let rows = self.run(&subquery.rel, &[])?;
            self.once
                .borrow_mut()
                .insert(address(subquery), rows.clone());
            return Ok(rows);
        }
        let mut outer = ctx.outer.to_vec();
        outer.push(row.to_vec());
        self.run(&subquery.rel, &outer)
    }
}

impl Executor<'_> {
    /// `predicate` with each subquery that reads nothing of the rows around it and gives one
    /// value (a scalar or `ARRAY(..)` subquery: PostgreSQL's InitPlan) replaced by that value,
    /// then constant parts folded ([`Expr::fold_constants`]): `x = ANY (ARRAY(SELECT ..))`
    /// becomes a hashed list tested with one probe per row, where it built the array and
    /// compared it item by item for every row. None when there is no such subquery. A subquery
    /// that fails stays as written (its error is raised if a row reaches it, as before), and one
    /// calling a sequence function is left to run when reached, as PostgreSQL runs an InitPlan.
    fn predicate_with_values(&self, predicate: &Expr, ctx: &EvalContext<'_>) -> Option<Arc<Expr>> {
        fn one_value(sub: &Subquery) -> bool {
            if !sub.reads.is_empty()
                || sub.reads_further
                || !matches!(sub.kind, SubqueryKind::Scalar | SubqueryKind::Array)
            {
                return false;
            }
            let mut sequence = false;
            sub.rel.visit(&mut |node| {
                for expr in node.node_exprs() {
                    expr.visit(&mut |e| sequence |= matches!(e, Expr::Sequence(..)));
                }
            });
            !sequence
        }
        fn substitute(expr: Expr, executor: &Executor<'_>, ctx: &EvalContext<'_>) -> Expr {
            match expr {
                Expr::Subquery(sub) if one_value(&sub) => {
                    match Subqueries::eval(executor, &sub, &[], ctx) {
                        Ok(value) => Expr::Const(value),
                        Err(_) => Expr::Subquery(sub),
                    }
                }
                other => other
                    .try_map::<std::convert::Infallible>(&mut |child| {
                        Ok(substitute(child, executor, ctx))
                    })
                    .unwrap_or_else(|never| match never {}),
            }
        }
        let key = address(predicate);
        if let Some(valued) = self.valued.borrow().get(&key) {
            return valued.clone();
        }
        let mut any = false;
        predicate.visit(&mut |e| any |= matches!(e, Expr::Subquery(sub) if one_value(sub)));
        let valued =
            any.then(|| Arc::new(substitute(predicate.clone(), self, ctx).fold_constants()));
        self.valued.borrow_mut().insert(key, valued.clone());
        valued
    }

    fn in_set(
        &self,
        subquery: &Subquery,
        row: &[Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<InSet> {
        if let Some(set) = self.in_sets.borrow().get(&address(subquery)) {
            return Ok(set.clone());
        }
        let rows = self.subquery_rows(subquery, row, ctx)?;
        let rows = rows.rows()?;
        let mut values = ValueKeys::default();
        for r in rows.iter() {
            values.add(r.first().unwrap_or(&Value::Null));
        }
        let null = values.null;
        let values = values.finish();
        let set = Arc::new((values, null));
        self.in_sets
            .borrow_mut()
            .insert(address(subquery), set.clone());
        Ok(set)
    }
}

impl Executor<'_> {
    /// `EXISTS` over filters over a [`Rel::Lookup`] (what the planner makes of `exists (select
    /// .. where inner = outer and ..)`, also under a projection, whose outputs EXISTS never
    /// computes, as in PostgreSQL): probes the lookup's index and tests the filters on each row
    /// it gives, innermost first, stopping at the first row that passes them all, as a semi-join
    /// does. Nothing is materialized per outer row (running the subquery's tree cost a few
    /// microseconds per probe: 0.8 s of TPC-H Q21 at SF 1). None: another shape, or EXPLAIN
    /// ANALYZE counting the lookup's loops.
    fn exists_by_lookup(
        &self,
        subquery: &Subquery,
        row: &[Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<Option<bool>> {
        if !matches!(subquery.kind, SubqueryKind::Exists) || self.stats.is_some() {
            return Ok(None);
        }
        let Some((
            filters,
            rel @ Rel::Lookup {
                input,
                columns,
                probes,
            },
        )) = subquery.rel.filtered_lookup()
        else {
            return Ok(None);
        };
        // Probes of the enclosing row's columns alone and no filter (TPC-H Q22's `NOT EXISTS
        // (... WHERE o_custkey = c_custkey)`): whether the key is among the lookup's, from the
        // row where it lies (not from a copy of every enclosing row made for the evaluator).
        let direct = probes
            .iter()
            .all(|probe| matches!(probe, Expr::Outer(1, c) if *c < row.len()));
        if filters.is_empty() && direct {
            let presence = self.presence(rel, input, columns)?;
            let mut key = self.key_scratch.borrow_mut();
            key.clear();
            for probe in probes {
                let Expr::Outer(1, c) = probe else {
                    unreachable!("direct probes");
                };
                match (&row[*c], &*presence) {
                    (Value::Null, _) => return Ok(Some(false)),
                    (Value::Int(i), KeyPresence::Ints(ints)) => return Ok(Some(ints.contains(*i))),
                    // Only integers are in the bitmap (a key is its type's too).
                    (_, KeyPresence::Ints(_)) => return Ok(Some(false)),
                    (value, KeyPresence::Keys(_)) => append_hash_key(value, &mut key),
                }
            }
            let KeyPresence::Keys(keys) = &*presence else {
                unreachable!("a bitmap has one key column");
            };
            return Ok(Some(keys.find(&key).is_some()));
        }
        let index = self.lookup_index(rel, input, columns)?;
        let mut outer = ctx.outer.to_vec();
        outer.push(row.to_vec());
        let inner = self.ctx(&outer);
        let mut key = Vec::new();
        for probe in probes {
            let value = probe.eval(&[], &inner)?;
            if value.is_null() {
                return Ok(Some(false));
            }
            append_hash_key(&value, &mut key);
        }
        let (rows, map) = &*index;
        let rows = rows.rows()?;
        'rows: for &at in map.positions(&key) {
            for filter in filters.iter().rev() {
                if !filter.is_true(&rows[at], &inner)? {
                    continue 'rows;
                }
            }
            return Ok(Some(true));
        }
        Ok(Some(false))
    }
}

impl Subqueries for Executor<'_> {
    fn eval(&self, subquery: &Subquery, row: &[Value], ctx: &EvalContext<'_>) -> SqlResult<Value> {
        if let Some(found) = self.exists_by_lookup(subquery, row, ctx)? {
            return Ok(Value::Bool(found));
        }
        let left = match &subquery.kind {
            SubqueryKind::Compare { left, .. } => Some(left.eval_ref(row, ctx)?),
            _ => None,
        };
        // A correlated subquery gives the same answer for the same values it reads.
        let memo_key = (!subquery.reads.is_empty() && !subquery.reads_further).then(|| {
            let mut values: Vec<Value> = subquery.reads.iter().map(|&c| row[c].clone()).collect();
            values.extend(left.as_deref().cloned());
            (address(subquery), hash_key(&values))
        });
        if let Some(key) = &memo_key {
            if let Some(value) = self.memo.borrow().get(key) {
                return Ok(value.clone());
            }
        }
        if let (
            SubqueryKind::Compare {
                op: BinOp::Eq,
                all: false,
                ..
            },
            Some(left),
            true,
        ) = (
            &subquery.kind,
            &left,
            subquery.reads.is_empty() && !subquery.reads_further,
        ) {
            // Uncorrelated `IN`: a hash set of the subquery's values, built once.
            let set = self.in_set(subquery, row, ctx)?;
            return Ok(if left.is_null() {
                if set.0.is_empty() && !set.1 {
                    Value::Bool(false)
                } else {
                    Value::Null
                }
            } else if set.0.contains(left, &mut self.key_scratch.borrow_mut()) {
                Value::Bool(true)
            } else if set.1 {
                Value::Null
            } else {
                Value::Bool(false)
            });
        }
        let rows = self.subquery_rows(subquery, row, ctx)?;
        let rows = rows.rows()?;
        let value = match &subquery.kind {
            SubqueryKind::Exists => Value::Bool(!rows.is_empty()),
            SubqueryKind::Array => {
                let items: Vec<Value> = rows
                    .iter()
                    .map(|r| r.first().cloned().unwrap_or(Value::Null))
                    .collect();
                if items.iter().any(|v| matches!(v, Value::Array(_))) {
                    crate::array::call(crate::array::ArrayFn::MakeNested, items)?
                } else {
                    Value::Array(Box::new(crate::array::Array::one_dim(items)))
                }
            }
            SubqueryKind::Scalar => match rows.len() {
                0 => Value::Null,
                1 => rows[0].first().cloned().unwrap_or(Value::Null),
                _ => {
                    return Err(SqlError::new(
                        code::CARDINALITY_VIOLATION,
                        "more than one row returned by a subquery used as an expression",
                    ))
                }
            },
            SubqueryKind::Compare { op, all, .. } => {
                let left = left.expect("a comparison has a left operand");
                let mut saw_null = false;
                let mut decided = None;
                for r in rows.iter() {
                    let right = r.first().cloned().unwrap_or(Value::Null);
                    if left.is_null() || right.is_null() {
                        saw_null = true;
                        continue;
                    }
                    let outcome = binary(*op, (*left).clone(), right)? == Value::Bool(true);
                    if outcome != *all {
                        decided = Some(Value::Bool(outcome));
                        break;
                    }
                }
                match decided {
                    Some(value) => value,
                    None if saw_null => Value::Null,
                    None => Value::Bool(*all),
                }
            }
        };
        if let Some(key) = memo_key {
            self.memo.borrow_mut().insert(key, value.clone());
        }
        Ok(value)
    }
}

/// Partitions of a grace hash join, at most (each has a write buffer while inputs are split).
const GRACE_MAX_PARTITIONS: usize = 256;

/// The hash a grace hash join partitions on: one no hash aggregation's spill uses at its first
/// levels, nor a `KeyIds` table (which seeds its own).
const GRACE_DEPTH: u32 = 7;

/// Write buffer of each partition file of a grace hash join.
const GRACE_BUFFER: usize = 32 * 1024;

/// A row's join key from `exprs` into `out`; false when a key value is NULL (the row matches
/// nothing).
/// Passes the row of `l` then `r` to `out` if every condition of `on` holds for it (lent through
/// `lent` when `lend`: see [`hash_join`]); counts in `removed` a row `on` turns down. Answers
/// whether it passed the row on.
fn emit_pair(
    l: &[Value],
    r: &[Value],
    on: &[Expr],
    ctx: &EvalContext<'_>,
    (out, lend): (&mut Emit<'_>, bool),
    lent: &mut Row,
    removed: &mut u64,
) -> SqlResult<bool> {
    let row = if lend {
        assign_row(lent, l, r);
        Cow::Borrowed(&*lent)
    } else {
        Cow::Owned(l.iter().chain(r).cloned().collect())
    };
    for condition in on {
        if !condition.is_true(&row, ctx)? {
            *removed += 1;
            return Ok(false);
        }
    }
    out(row)?;
    Ok(true)
}

/// Passes the row of a left and a right part on (with `true`: if the join's condition holds for
/// it); answers whether it did.
type PairEmit<'e> = dyn FnMut(&[Value], &[Value], bool) -> SqlResult<bool> + 'e;

fn join_key(
    exprs: &mut dyn Iterator<Item = &Expr>,
    row: &Row,
    ctx: &EvalContext<'_>,
    out: &mut Vec<u8>,
) -> SqlResult<bool> {
    out.clear();
    for expr in exprs {
        let value = expr.eval_ref(row, ctx)?;
        if value.is_null() {
            return Ok(false);
        }
        append_hash_key(&value, out);
    }
    Ok(true)
}

/// Adds one run of `rel` to its EXPLAIN ANALYZE counts: its rows, the time to its first row and
/// its whole time.
fn note_loop(
    stats: &RefCell<crate::explain::Stats>,
    rel: &Rel,
    rows: u64,
    first: std::time::Duration,
    took: std::time::Duration,
) {
    let mut stats = stats.borrow_mut();
    let node = stats.entry(address(rel)).or_default();
    node.rows += rows;
    node.loops += 1;
    node.micros += took.as_micros() as u64;
    node.startup_micros += first.as_micros() as u64;
}

/// The in-memory hash join: hashes `build` on its keys and probes with each `probe` row, into
/// `out`. The build side is the right input unless `build_left` (an inner join only). An outer
/// join pads the probe rows that found no partner (left, full) and, at the end, the build rows
/// none found (right, full).
///
/// When `out` only reads its rows (`lend`: an aggregate, a filter or a projection above),
/// each joined row is made in one buffer lent to it ([`assign_row`]), so a row costs no
/// allocation, nor one per text value in it (TPC-H Q14 and Q16 feed aggregates so); else each
/// is built owned, for `out` to keep. Returns how many pairs with equal keys `on` turned down
/// (EXPLAIN ANALYZE's "Rows Removed by Join Filter").
#[allow(clippy::too_many_arguments)]
fn hash_join(
    kind: JoinKind,
    probe: &RowSet,
    (build, build_left): (&[Row], bool),
    (left_width, right_width): (usize, usize),
    keys: &[(Expr, Expr)],
    on: &[Expr],
    ctx: &EvalContext<'_>,
    (out, lend): (&mut Emit<'_>, bool),
) -> SqlResult<u64> {
    debug_assert!(!build_left || kind == JoinKind::Inner);
    let mut removed = 0;
    // Build rows by key (all in one bucket when there are no keys), copied into one array in
    // the index's order: the rows of a key lie together, so a probe reads them in sequence
    // instead of chasing each row's own allocation (on a join with many matches, that chase
    // was most of the time).
    let buckets = KeyIndex::build(build.len(), |i, key| {
        join_key(
            &mut keys.iter().map(|(l, r)| if build_left { l } else { r }),
            &build[i],
            ctx,
            key,
        )
    })?;
    let build_width = if build_left { left_width } else { right_width };
    let mut packed: Vec<Value> = Vec::with_capacity(buckets.all_positions().len() * build_width);
    for &i in buckets.all_positions() {
        debug_assert_eq!(build[i].len(), build_width);
        packed.extend(build[i].iter().cloned());
    }
    let mut build_matched = vec![false; if build_left { 0 } else { build.len() }];
    let null_right: Row = vec![Value::Null; right_width];
    let mut key = Vec::new();
    let mut lent: Row = Vec::with_capacity(left_width + right_width);
    let mut emit = |l: &[Value], r: &[Value], test: bool| -> SqlResult<bool> {
        let on = if test { on } else { &[] };
        emit_pair(l, r, on, ctx, (&mut *out, lend), &mut lent, &mut removed)
    };
    probe.each(|p| {
        let mut found = false;
        if join_key(
            &mut keys.iter().map(|(l, r)| if build_left { r } else { l }),
            p,
            ctx,
            &mut key,
        )? {
            for slot in buckets.slots(&key) {
                let b = &packed[slot * build_width..(slot + 1) * build_width];
                let (l, r) = if build_left { (b, &p[..]) } else { (&p[..], b) };
                if emit(l, r, true)? {
                    found = true;
                    if !build_left {
                        build_matched[buckets.all_positions()[slot]] = true;
                    }
                }
            }
        }
        if !found && matches!(kind, JoinKind::Left | JoinKind::Full) {
            emit(p, &null_right, false)?;
        }
        Ok(true)
    })?;
    if matches!(kind, JoinKind::Right | JoinKind::Full) {
        let null_left: Row = vec![Value::Null; left_width];
        for (i, r) in build.iter().enumerate() {
            if !build_matched[i] {
                emit(&null_left, r, false)?;
            }
        }
    }
    Ok(removed)
}

/// Makes `row` the values of `l` then `r`, reusing what its old values hold: a text or bytes
/// value copied over one of the same kind keeps that one's buffer (a joined row's columns keep
/// their types from row to row, so after the first row this allocates nothing).
fn assign_row(row: &mut Row, l: &[Value], r: &[Value]) {
    row.truncate(l.len() + r.len());
    for (i, value) in l.iter().chain(r).enumerate() {
        assign_value(row, i, Cow::Borrowed(value));
    }
}

/// Makes `row[i]` (or a value pushed at `i == row.len()`) `value`, a borrowed text or bytes
/// value copied into the buffer of the one there when that is of the same kind.
fn assign_value(row: &mut Row, i: usize, value: Cow<'_, Value>) {
    match (row.get_mut(i), value) {
        (Some(Value::Text(to)), Cow::Borrowed(Value::Text(from))) => to.clone_from(from),
        (Some(Value::Bytes(to)), Cow::Borrowed(Value::Bytes(from))) => to.clone_from(from),
        (Some(to), from) => *to = from.into_owned(),
        (None, from) => row.push(from.into_owned()),
    }
}

/// The rows of a set-returning function.
fn table_function(func: TableFunc, args: Vec<Value>) -> SqlResult<Vec<Row>> {
    match func {
        TableFunc::Json {
            rows,
            jsonb,
            text,
            record,
        } => {
            let Some(Value::Text(doc)) = args.into_iter().next() else {
                return Ok(Vec::new());
            };
            let rows = rows.rows(&doc, jsonb, text)?;
            Ok(match record {
                true => rows
                    .into_iter()
                    .map(|fields| vec![Value::Record(Box::new(fields))])
                    .collect(),
                false => rows,
            })
        }
        TableFunc::JsonRecord { jsonb, set, .. } => {
            let mut args = args.into_iter();
            let Some(Value::Text(doc)) = args.next() else {
                return Ok(Vec::new());
            };
            let mut columns = Vec::new();
            while let (Some(Value::Text(name)), Some(Value::Bool(json))) =
                (args.next(), args.next())
            {
                columns.push((name, json));
            }
            crate::json::record_rows(&doc, jsonb, set, &columns)
        }
        TableFunc::JsonPath => {
            let [Value::Text(doc), Value::Text(path), vars, Value::Bool(silent)] = &args[..] else {
                return Ok(Vec::new());
            };
            let Value::Text(vars) = vars else {
                return Ok(Vec::new());
            };
            let items = crate::jsonpath::call(
                crate::jsonpath::PathFunc::Query,
                doc,
                path,
                Some(vars),
                *silent,
            )?;
            Ok(items.into_iter().map(|item| vec![item]).collect())
        }
        TableFunc::ExpandArray { record } => {
            // PostgreSQL's SQL definition: `$1[s], s - array_lower($1, 1) + 1` for s over the
            // first dimension's subscripts (`$1[s]` is NULL in an array of more dimensions).
            let Some(Value::Array(array)) = args.into_iter().next() else {
                return Ok(Vec::new());
            };
            let Some(first) = array.dims.first() else {
                return Ok(Vec::new());
            };
            let one_dim = array.dims.len() == 1;
            Ok((0..first.len.max(0) as usize)
                .map(|i| {
                    let x = if one_dim {
                        array.items.get(i).cloned().unwrap_or(Value::Null)
                    } else {
                        Value::Null
                    };
                    let fields = vec![x, Value::Int(i as i64 + 1)];
                    if record {
                        vec![Value::Record(Box::new(fields))]
                    } else {
                        fields
                    }
                })
                .collect())
        }
        TableFunc::Options => {
            let Some(Value::Array(array)) = args.into_iter().next() else {
                return Ok(Vec::new());
            };
            Ok(array
                .items
                .iter()
                .map(|item| match item {
                    Value::Text(option) => match option.split_once('=') {
                        Some((name, value)) => {
                            vec![Value::Text(name.into()), Value::Text(value.into())]
                        }
                        None => vec![Value::Text(option.clone()), Value::Null],
                    },
                    _ => vec![Value::Null, Value::Null],
                })
                .collect())
        }
        TableFunc::RegexpMatches => {
            let (Value::Text(source), Value::Text(pattern)) = (&args[0], &args[1]) else {
                return Ok(Vec::new());
            };
            let flags = match args.get(2) {
                Some(Value::Text(flags)) => flags.as_str(),
                Some(_) => return Ok(Vec::new()),
                None => "",
            };
            let (insensitive, global) = crate::functions::regexp_flags(flags)?;
            let regex = crate::expr::compiled_regex(pattern, insensitive)?;
            let matches = regex
                .captures_iter(source)
                .take(if global { usize::MAX } else { 1 });
            Ok(matches
                .map(|found| vec![crate::functions::match_array(&found)])
                .collect())
        }
        TableFunc::Subscripts => {
            let (Value::Array(array), Value::Int(dim)) = (&args[0], &args[1]) else {
                return Ok(Vec::new());
            };
            let Some(d) = usize::try_from(*dim - 1)
                .ok()
                .and_then(|d| array.dims.get(d))
            else {
                return Ok(Vec::new());
            };
            let mut rows: Vec<Row> = (d.lower..d.lower + d.len)
                .map(|i| vec![Value::Int(i as i64)])
                .collect();
            if args.get(2) == Some(&Value::Bool(true)) {
                rows.reverse();
            }
            Ok(rows)
        }
        TableFunc::Unnest(_) => {
            let arrays: Vec<Vec<Value>> = args
                .into_iter()
                .map(|arg| match arg {
                    Value::Array(array) => array.items,
                    _ => Vec::new(),
                })
                .collect();
            let count = arrays.iter().map(Vec::len).max().unwrap_or(0);
            let mut columns: Vec<_> = arrays.into_iter().map(Vec::into_iter).collect();
            Ok((0..count)
                .map(|_| {
                    columns
                        .iter_mut()
                        .map(|c| c.next().unwrap_or(Value::Null))
                        .collect()
                })
                .collect())
        }
        TableFunc::GenerateSeries(_) => {
            if args.iter().any(Value::is_null) {
                return Ok(Vec::new());
            }
            let zero_step =
                || SqlError::new(code::INVALID_PARAMETER_VALUE, "step size cannot equal zero");
            match args.as_slice() {
                [Value::Int(start), Value::Int(stop), rest @ ..] => {
                    let step = match rest.first() {
                        Some(Value::Int(step)) => *step,
                        _ => 1,
                    };
                    if step == 0 {
                        return Err(zero_step());
                    }
                    let mut rows = Vec::new();
                    let mut current = *start;
                    while (step > 0 && current <= *stop) || (step < 0 && current >= *stop) {
                        rows.push(vec![Value::Int(current)]);
                        match current.checked_add(step) {
                            Some(next) => current = next,
                            None => break,
                        }
                    }
                    Ok(rows)
                }
                [Value::Timestamp(start), Value::Timestamp(stop), Value::Interval(step), zone @ ..] =>
                {
                    if step.normalized() == 0 {
                        return Err(zero_step());
                    }
                    // A timestamptz series in a session zone that is not UTC: its setting.
                    let zone = match zone {
                        [Value::Text(name)] => Some(crate::tz::Zone::of_setting(name)?),
                        _ => None,
                    };
                    let forward = step.normalized() > 0;
                    let mut rows = Vec::new();
                    let mut current = *start;
                    while (forward && current <= *stop) || (!forward && current >= *stop) {
                        rows.push(vec![Value::Timestamp(current)]);
                        let next = match &zone {
                            Some(zone) => crate::tz::add_interval(zone, current, step)?,
                            None => crate::datetime::add_interval(current, step)?,
                        };
                        // An interval that moves nothing forward here (months on infinity).
                        if next == current {
                            break;
                        }
                        current = next;
                    }
                    Ok(rows)
                }
                [start, stop, rest @ ..] if start.is_numeric() && stop.is_numeric() => {
                    let (start, stop) = (start.as_numeric().unwrap(), stop.as_numeric().unwrap());
                    let step = rest
                        .first()
                        .and_then(Value::as_numeric)
                        .unwrap_or(crate::numeric::Numeric::ONE);
                    for (value, what) in [
                        (&start, "start value"),
                        (&stop, "stop value"),
                        (&step, "step size"),
                    ] {
                        if !value.is_finite() {
                            let kind = if value.is_nan() { "NaN" } else { "infinity" };
                            return Err(SqlError::new(
                                code::INVALID_PARAMETER_VALUE,
                                format!("{what} cannot be {kind}"),
                            ));
                        }
                    }
                    if step.is_zero() {
                        return Err(zero_step());
                    }
                    let mut rows = Vec::new();
                    let mut current = start;
                    while (!step.is_negative() && current <= stop)
                        || (step.is_negative() && current >= stop)
                    {
                        let next = current.add(&step)?;
                        rows.push(vec![Value::numeric(current)]);
                        current = next;
                    }
                    Ok(rows)
                }
                _ => Err(SqlError::new(
                    code::INTERNAL_ERROR,
                    "generate_series arguments of unexpected types",
                )),
            }
        }
    }
}

/// Evaluates `exprs` over each row.
pub fn project(rows: &[Row], exprs: &[Expr], ctx: &EvalContext<'_>) -> SqlResult<Vec<Row>> {
    rows.iter()
        .map(|row| exprs.iter().map(|e| e.eval(row, ctx)).collect())
        .collect()
}

/// Groups `rows` on `keys` and computes `aggs` per group: rows of `keys ++ aggregates`, in key
/// order. Without keys there is exactly one group, also for no rows.
pub fn group(
    rows: &[Row],
    keys: &[Expr],
    aggs: &[AggCall],
    ctx: &EvalContext<'_>,
) -> SqlResult<Vec<Row>> {
    let mut groups = Groups::new(keys, aggs);
    for row in rows {
        groups.add(row, ctx)?;
    }
    groups.finish()
}

/// One window function over all rows: its value for each row (by input position), and the rows'
/// order by partition and window ORDER BY.
///
/// Rows are sorted by partition then ORDER BY; each partition is a run of equal partition keys,
/// and within it peers are runs of equal ORDER BY keys. A frame is a range of positions in the
/// partition: ROWS counts rows, GROUPS counts peer groups, RANGE extends to the current row's
/// peers or, with an offset, to the values within it of the current row's (binary search over
/// the sorted non-NULL values: see [`in_range_reach`]). Frames move forward as the current row
/// does, and an aggregate's state moves with them ([`Sliding`]): inputs entering are added,
/// those leaving removed where the accumulator can take them back exactly; else (or where a
/// frame does not move forward) the frame is aggregated again.
fn window(
    call: &WindowCall,
    rows: &[Row],
    ctx: &EvalContext<'_>,
) -> SqlResult<(Vec<Value>, Vec<usize>)> {
    let n_part = call.partition.len();
    let mut keyed = Vec::with_capacity(rows.len());
    for row in rows {
        let mut key = Vec::with_capacity(n_part + call.order.len());
        for e in &call.partition {
            key.push(e.eval(row, ctx)?);
        }
        for (e, ..) in &call.order {
            key.push(e.eval(row, ctx)?);
        }
        keyed.push(key);
    }
    let sort_keys: Vec<SortKey> = (0..n_part)
        .map(|output| SortKey {
            output,
            descending: false,
            nulls_first: false,
        })
        .chain(
            call.order
                .iter()
                .enumerate()
                .map(|(i, (_, descending, nulls_first))| SortKey {
                    output: n_part + i,
                    descending: *descending,
                    nulls_first: *nulls_first,
                }),
        )
        .collect();
    let mut sorted: Vec<usize> = (0..rows.len()).collect();
    sorted.sort_by(|&a, &b| compare_rows(&keyed[a], &keyed[b], &sort_keys));
    let same = |a: usize, b: usize, range: std::ops::Range<usize>| {
        keyed[a][range.clone()]
            .iter()
            .zip(&keyed[b][range])
            .all(|(x, y)| {
                (x.is_null() && y.is_null())
                    || (!x.is_null() && !y.is_null() && compare(x, y).is_eq())
            })
    };
    // The offsets, once (constants and parameters).
    let offset_of = |bound: &FrameBound, end: &str| -> SqlResult<Value> {
        let (FrameBound::Preceding(e) | FrameBound::Following(e)) = bound else {
            return Ok(Value::Null);
        };
        match e.eval(&[], ctx)? {
            Value::Null => Err(SqlError::new(
                "22004",
                format!("frame {end} offset must not be null"),
            )),
            Value::Int(n) if n < 0 && call.step.is_none() => Err(SqlError::new(
                "22013",
                format!("frame {end} offset must not be negative"),
            )),
            value => Ok(value),
        }
    };
    // (Checked also without rows, as PostgreSQL's.)
    let offsets = [
        offset_of(&call.start, "starting")?,
        offset_of(&call.end, "ending")?,
    ];
    let count = |value: &Value| match value {
        Value::Int(n) => *n as usize,
        _ => 0,
    };
    let descending = call
        .order
        .first()
        .is_some_and(|(_, descending, _)| *descending);
    let mut values = vec![Value::Null; rows.len()];
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start + 1;
        while end < sorted.len() && same(sorted[start], sorted[end], 0..n_part) {
            end += 1;
        }
        let part = &sorted[start..end];
        // Peer group of each position, and each group's first position.
        let mut group_of = Vec::with_capacity(part.len());
        let mut group_start = Vec::new();
        for (i, &row) in part.iter().enumerate() {
            if i == 0 || !same(part[i - 1], row, n_part..n_part + call.order.len()) {
                group_start.push(i);
            }
            group_of.push(group_start.len() - 1);
        }
        group_start.push(part.len());
        let m = part.len();
        // RANGE offsets: the ORDER BY values, and the positions of the non-null ones (NULLs are
        // one run at either end).
        let value_at = |p: usize| &keyed[part[p]][n_part];
        let (lo, hi) = match &call.step {
            Some(_) => {
                let lo = (0..m).find(|&p| !value_at(p).is_null()).unwrap_or(m);
                let hi = (lo..m).find(|&p| value_at(p).is_null()).unwrap_or(m);
                (lo, hi)
            }
            None => (0, m),
        };
        // Where a RANGE offset bound from row `i` falls: the first position whose value is in
        // range (a frame start) or past it (a frame end). A NULL row's frame is its peers.
        let range_bound = |i: usize, offset: &Value, preceding: bool, end: bool| {
            let Some(step) = &call.step else {
                return Ok(0);
            };
            let base = value_at(i);
            if base.is_null() {
                let (nulls_from, nulls_to) = if lo == 0 { (hi, m) } else { (0, lo) };
                return Ok(if end { nulls_to } else { nulls_from });
            }
            // PostgreSQL's in_range(value, base, offset, sub, less): a start takes values at or
            // beyond base ∓ offset, an end those up to it; descending flips both.
            let (sub, less) = (preceding != descending, end != descending);
            let reach = in_range_reach(step, base, offset, sub, less)?;
            let within = |p: usize| reach.holds(value_at(p), less);
            let first = |test: &dyn Fn(usize) -> bool| {
                let (mut a, mut b) = (lo, hi);
                while a < b {
                    let mid = (a + b) / 2;
                    if test(mid) {
                        a = mid + 1;
                    } else {
                        b = mid;
                    }
                }
                a
            };
            Ok(if end {
                first(&within)
            } else {
                first(&|p| !within(p))
            })
        };
        // The rows EXCLUDE takes out of row `i`'s frame `from..to`.
        let excluded = |i: usize, from: usize, to: usize| {
            let g = group_of[i];
            let clip = |r: std::ops::Range<usize>| {
                let start = r.start.max(from);
                start..r.end.min(to).max(start)
            };
            let group = group_start[g]..group_start[g + 1];
            Excluded(match call.exclusion {
                None => [0..0, 0..0],
                Some(FrameExclusion::CurrentRow) => [clip(i..i + 1), 0..0],
                Some(FrameExclusion::Group) => [clip(group), 0..0],
                Some(FrameExclusion::Ties) => [clip(group.start..i), clip(i + 1..group.end)],
            })
        };
        let frame = |i: usize| -> SqlResult<(usize, usize)> {
            let g = group_of[i];
            let from = match &call.start {
                FrameBound::UnboundedPreceding => 0,
                FrameBound::CurrentRow => match call.units {
                    FrameUnits::Rows => i,
                    _ => group_start[g],
                },
                FrameBound::Preceding(_) => match call.units {
                    FrameUnits::Groups => group_start[g.saturating_sub(count(&offsets[0]))],
                    FrameUnits::Rows => i.saturating_sub(count(&offsets[0])),
                    FrameUnits::Range => range_bound(i, &offsets[0], true, false)?,
                },
                FrameBound::Following(_) => match call.units {
                    FrameUnits::Groups => {
                        group_start[(g + count(&offsets[0])).min(group_start.len() - 1)]
                    }
                    FrameUnits::Rows => (i + count(&offsets[0])).min(m),
                    FrameUnits::Range => range_bound(i, &offsets[0], false, false)?,
                },
                FrameBound::UnboundedFollowing => m,
            };
            let to = match &call.end {
                FrameBound::UnboundedFollowing => m,
                FrameBound::CurrentRow => match call.units {
                    FrameUnits::Rows => i + 1,
                    _ => group_start[g + 1],
                },
                FrameBound::Following(_) => match call.units {
                    FrameUnits::Groups => {
                        group_start[(g + 1 + count(&offsets[1])).min(group_start.len() - 1)]
                    }
                    FrameUnits::Rows => (i + 1 + count(&offsets[1])).min(m),
                    FrameUnits::Range => range_bound(i, &offsets[1], false, true)?,
                },
                FrameBound::Preceding(_) => match call.units {
                    FrameUnits::Groups => {
                        let back = count(&offsets[1]);
                        if back > g {
                            0
                        } else {
                            group_start[g - back + 1]
                        }
                    }
                    FrameUnits::Rows => (i + 1).saturating_sub(count(&offsets[1])),
                    FrameUnits::Range => range_bound(i, &offsets[1], true, true)?,
                },
                FrameBound::UnboundedPreceding => 0,
            };
            Ok((from, to.max(from)))
        };
        let arg = |i: usize, k: usize| -> SqlResult<Value> {
            match call.args.get(k) {
                Some(e) => e.eval(&rows[part[i]], ctx),
                None => Ok(Value::Null),
            }
        };
        // Each row's aggregate input, in partition order (None: FILTER drops the row).
        let inputs: Vec<Option<Value>> = match &call.func {
            WindowFunc::Agg(agg) => part
                .iter()
                .map(|&r| {
                    let row = &rows[r];
                    if let Some(filter) = &agg.filter {
                        if !filter.is_true(row, ctx)? {
                            return Ok(None);
                        }
                    }
                    Ok(Some(match &agg.arg {
                        Some(e) => e.eval(row, ctx)?,
                        None => Value::Null,
                    }))
                })
                .collect::<SqlResult<_>>()?,
            _ => Vec::new(),
        };
        let mut sliding: Option<Sliding> = None;
        for i in 0..m {
            let g = group_of[i];
            let value = match &call.func {
                WindowFunc::RowNumber => Value::Int(i as i64 + 1),
                WindowFunc::Rank => Value::Int(group_start[g] as i64 + 1),
                WindowFunc::DenseRank => Value::Int(g as i64 + 1),
                WindowFunc::PercentRank => Value::Float(if m > 1 {
                    group_start[g] as f64 / (m - 1) as f64
                } else {
                    0.0
                }),
                WindowFunc::CumeDist => Value::Float(group_start[g + 1] as f64 / m as f64),
                WindowFunc::Ntile => match arg(i, 0)? {
                    Value::Int(buckets) if buckets > 0 => {
                        let buckets = buckets as usize;
                        let (size, extra) = (m / buckets, m % buckets);
                        // The first `extra` buckets hold one row more.
                        let big = extra * (size + 1);
                        Value::Int(if i < big {
                            i / (size + 1) + 1
                        } else {
                            extra + (i - big) / size.max(1) + 1
                        } as i64)
                    }
                    Value::Null => Value::Null,
                    _ => {
                        return Err(SqlError::new(
                            "22014",
                            "argument of ntile must be greater than zero",
                        ))
                    }
                },
                WindowFunc::Shift { forward } => {
                    let by = match call.args.get(1) {
                        Some(_) => match arg(i, 1)? {
                            Value::Int(n) => n,
                            _ => {
                                values[part[i]] = Value::Null;
                                continue;
                            }
                        },
                        None => 1,
                    };
                    let target = if *forward {
                        i as i64 + by
                    } else {
                        i as i64 - by
                    };
                    if target >= 0 && (target as usize) < m {
                        arg(target as usize, 0)?
                    } else {
                        arg(i, 2)?
                    }
                }
                WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue => {
                    let (from, to) = frame(i)?;
                    let nth = match call.func {
                        WindowFunc::NthValue => match arg(i, 1)? {
                            Value::Int(nth) if nth > 0 => Some(nth as usize),
                            Value::Null => None,
                            _ => {
                                return Err(SqlError::new(
                                    "22016",
                                    "argument of nth_value must be greater than zero",
                                ))
                            }
                        },
                        _ => Some(1),
                    };
                    let gone = excluded(i, from, to);
                    let last = matches!(call.func, WindowFunc::LastValue);
                    let at = match (last, nth) {
                        (_, None) => None,
                        (true, _) if gone.is_empty() => to.checked_sub(1),
                        (true, _) => (from..to).rev().find(|j| !gone.holds(*j)),
                        (_, Some(nth)) if gone.is_empty() => Some(from + nth - 1),
                        (_, Some(nth)) => (from..to).filter(|j| !gone.holds(*j)).nth(nth - 1),
                    };
                    match at {
                        Some(at) if at >= from && at < to => arg(at, 0)?,
                        _ => Value::Null,
                    }
                }
                WindowFunc::Agg(agg) => {
                    let (from, to) = frame(i)?;
                    // The frame moves on from the last one where it can: inputs entering are
                    // added, those leaving taken back out (`Accumulator::remove`); else the
                    // frame is aggregated afresh.
                    let reusable = sliding.as_ref().is_some_and(|s| {
                        s.from <= from
                            && s.to <= to
                            && s.to >= from
                            && (s.from == from || { !agg.distinct })
                    });
                    if !reusable {
                        sliding = None;
                    }
                    let state = sliding.get_or_insert_with(|| Sliding {
                        from,
                        to: from,
                        acc: Accumulator::new(agg),
                        seen: KeySet::default(),
                        nonnull: 0,
                    });
                    while state.from < from {
                        if let Some(value) = &inputs[state.from] {
                            if !state.acc.remove(agg, value) {
                                break;
                            }
                            state.nonnull -= i64::from(!value.is_null());
                        }
                        state.from += 1;
                    }
                    if state.from < from {
                        // An input this kind cannot take back out: start over.
                        *state = Sliding {
                            from,
                            to: from,
                            acc: Accumulator::new(agg),
                            seen: KeySet::default(),
                            nonnull: 0,
                        };
                    } else if state.nonnull == 0 && agg.func != AggFunc::CountStar {
                        state.acc = Accumulator::new(agg);
                    }
                    while state.to < to {
                        if let Some(value) = &inputs[state.to] {
                            let first = !agg.distinct
                                || (!value.is_null()
                                    && state.seen.insert(hash_key(std::slice::from_ref(value))));
                            if first {
                                state.nonnull += i64::from(!value.is_null());
                                state.acc.add(agg, value.clone())?;
                            }
                        }
                        state.to += 1;
                    }
                    // An EXCLUDE clause takes its rows out of the frame's state, or (where
                    // they cannot be taken back out) the frame is aggregated without them.
                    let gone = excluded(i, from, to);
                    let mut acc = state.acc.clone();
                    let mut nonnull = state.nonnull;
                    let mut exact = true;
                    for j in gone.positions() {
                        if let Some(value) = &inputs[j] {
                            if !acc.remove(agg, value) {
                                exact = false;
                                break;
                            }
                            nonnull -= i64::from(!value.is_null());
                        }
                    }
                    if !exact {
                        acc = Accumulator::new(agg);
                        for j in (from..to).filter(|j| !gone.holds(*j)) {
                            if let Some(value) = &inputs[j] {
                                acc.add(agg, value.clone())?;
                            }
                        }
                    } else if !gone.is_empty() && nonnull == 0 && agg.func != AggFunc::CountStar {
                        acc = Accumulator::new(agg);
                    }
                    acc.finish(agg)?
                }
            };
            values[part[i]] = value;
        }
        start = end;
    }
    Ok((values, sorted))
}

/// The positions an EXCLUDE clause takes out of a frame: at most two runs.
struct Excluded([std::ops::Range<usize>; 2]);

impl Excluded {
    fn is_empty(&self) -> bool {
        self.0.iter().all(|r| r.is_empty())
    }

    fn holds(&self, j: usize) -> bool {
        self.0.iter().any(|r| r.contains(&j))
    }

    fn positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().flat_map(|r| r.clone())
    }
}

/// A window aggregate's state over the frame `from..to` of its partition, and the number of
/// non-null inputs in it (DISTINCT: the values it has seen).
struct Sliding {
    from: usize,
    to: usize,
    acc: Accumulator,
    seen: KeySet,
    nonnull: i64,
}

/// Where a RANGE frame bound lies from the current row's ORDER BY value: the values a bound
/// takes are those at or above (a start) or at or below (an end) `base ∓ offset`, except where
/// that sum leaves the type's range.
enum Reach {
    /// Compare with this sum.
    Sum(Value),
    /// The sum is above every value (an integer overflow upward).
    Above,
    /// The sum is below every value.
    Below,
}

impl Reach {
    /// Whether `value` is within the bound: at most the sum (`less`) or at least it.
    fn holds(&self, value: &Value, less: bool) -> bool {
        match self {
            Reach::Sum(sum) => match compare(value, sum) {
                std::cmp::Ordering::Less => less,
                std::cmp::Ordering::Equal => true,
                std::cmp::Ordering::Greater => !less,
            },
            Reach::Above => less,
            Reach::Below => !less,
        }
    }
}

/// PostgreSQL's `in_range` support functions as a bound: `base` minus (`sub`) or plus `offset`,
/// for values tested with at most (`less`) or at least. NaN sorts above every number, so a NaN
/// base's bound is NaN; an infinite offset from the same infinity reaches every value (PostgreSQL
/// takes +inf as infinitely preceding +inf). A negative offset is an error (22013).
fn in_range_reach(
    step: &RangeStep,
    base: &Value,
    offset: &Value,
    sub: bool,
    less: bool,
) -> SqlResult<Reach> {
    let invalid = || {
        SqlError::new(
            "22013",
            "invalid preceding or following size in window function",
        )
    };
    let unexpected = || {
        SqlError::new(
            code::INTERNAL_ERROR,
            "a RANGE frame offset of an unexpected type",
        )
    };
    let interval = |value: &Value| match value {
        Value::Interval(i) if i.normalized() < 0 => Err(invalid()),
        Value::Interval(i) => Ok(if sub {
            crate::datetime::negate(*i)?
        } else {
            *i
        }),
        _ => Err(unexpected()),
    };
    Ok(match step {
        RangeStep::Integer => {
            let (Value::Int(base), Value::Int(offset)) = (base, offset) else {
                return Err(unexpected());
            };
            if *offset < 0 {
                return Err(invalid());
            }
            let sum = *base as i128
                + if sub {
                    -(*offset as i128)
                } else {
                    *offset as i128
                };
            match i64::try_from(sum) {
                Ok(sum) => Reach::Sum(Value::Int(sum)),
                Err(_) if sum > 0 => Reach::Above,
                Err(_) => Reach::Below,
            }
        }
        RangeStep::Float => {
            let (Value::Float(base), Value::Float(offset)) = (base, offset) else {
                return Err(unexpected());
            };
            if offset.is_nan() || *offset < 0.0 {
                return Err(invalid());
            }
            let everything = offset.is_infinite()
                && base.is_infinite()
                && if sub { *base > 0.0 } else { *base < 0.0 };
            Reach::Sum(Value::Float(match (everything, less) {
                (true, true) => f64::INFINITY,
                (true, false) => f64::NEG_INFINITY,
                _ if sub => base - offset,
                _ => base + offset,
            }))
        }
        RangeStep::Numeric => {
            let (Some(base), Some(offset)) = (base.as_numeric(), offset.as_numeric()) else {
                return Err(unexpected());
            };
            if offset.is_nan() || offset.is_negative() {
                return Err(invalid());
            }
            let everything = !offset.is_finite()
                && !base.is_finite()
                && !base.is_nan()
                && base.is_negative() != sub;
            Reach::Sum(Value::numeric(match (everything, less) {
                (true, neg) => crate::numeric::Numeric::Inf(!neg),
                _ if sub => base.sub(&offset)?,
                _ => base.add(&offset)?,
            }))
        }
        RangeStep::Timestamp => {
            let Value::Timestamp(base) = base else {
                return Err(unexpected());
            };
            let shift = interval(offset)?;
            Reach::Sum(Value::Timestamp(crate::datetime::add_interval(
                *base, &shift,
            )?))
        }
        RangeStep::TimestampTz(zone) => {
            let Value::Timestamp(base) = base else {
                return Err(unexpected());
            };
            let shift = interval(offset)?;
            let zone = match zone {
                Some(name) => crate::tz::Zone::of_setting(name)?,
                None => crate::tz::Zone::of_setting("UTC")?,
            };
            Reach::Sum(Value::Timestamp(crate::tz::add_interval(
                &zone, *base, &shift,
            )?))
        }
        RangeStep::Time => {
            let (Value::Timestamp(base), Value::Interval(offset)) = (base, offset) else {
                return Err(unexpected());
            };
            // Only the time part counts, as time ± interval's (but without wrapping).
            if offset.micros < 0 {
                return Err(invalid());
            }
            match (sub, base.checked_add(offset.micros)) {
                (true, _) => Reach::Sum(Value::Timestamp(base - offset.micros)),
                (false, Some(sum)) => Reach::Sum(Value::Timestamp(sum)),
                (false, None) => Reach::Above,
            }
        }
        RangeStep::Interval => {
            let Value::Interval(base) = base else {
                return Err(unexpected());
            };
            let shift = interval(offset)?;
            Reach::Sum(crate::datetime::time_op(
                crate::datetime::TimeOp::IntervalAdd,
                Value::Interval(*base),
                Value::Interval(shift),
            )?)
        }
    })
}

/// Grouping state: per group its key values, an accumulator per aggregate, and for DISTINCT
/// aggregates the values already added. Used whole on the session ([`group`]) and in parts on
/// the workers (a partial aggregate per worker, merged on the session). Groups are found through
/// a hash index of their encoded keys (a B-tree of them made every row of a million-group
/// aggregate pay ~20 key comparisons) and put in key order once, by [`Groups::finish`].
///
/// **Spilling** (PostgreSQL 13's hash aggregation beyond `hash_mem`): with [`Groups::spill_to`],
/// once the groups' estimated memory ([`Groups::bytes`]) passes the budget, rows of groups not
/// in memory no longer make new groups; they go, as partial states (`keys ++` each aggregate's
/// [`Accumulator::state_into`] over that one row), to one of [`PARTITIONS`] temporary files chosen
/// by a hash of their key. Groups already in memory keep absorbing their rows, so each group is
/// wholly in memory or wholly in one partition. After the input, the groups in memory are
/// finished, then each partition is aggregated alone by a new `Groups` (which may spill again,
/// partitioning on another hash), so memory stays near the budget at any input size. Only
/// mergeable aggregates spill (no DISTINCT, no collecting ones: those have no partial state).
pub struct Groups<'a> {
    keys: &'a [Expr],
    aggs: &'a [AggCall],
    /// Encoded keys, numbered as their groups' positions: every group's, or, while
    /// `dense_only`, those of the groups made before the dense index was.
    index: KeyIds,
    /// How many groups there are.
    groups: usize,
    /// The dense index holds every group, and groups made since it was are in it alone (a
    /// hash-table entry is half a group's memory): see [`Groups::hash_all`].
    dense_only: bool,
    /// Group `g`'s key values: `values[g * keys.len()..][..keys.len()]`. Groups live in flat
    /// arrays, so a new group allocates nothing of its own (a row and an accumulator vector per
    /// group were a quarter of a 150k-group aggregation's time, in malloc and free).
    values: Vec<Value>,
    /// Group `g`'s accumulators: `accs[g * aggs.len()..][..aggs.len()]`.
    accs: Vec<Accumulator>,
    /// With a DISTINCT aggregate, the values each group's aggregates have seen: one table for
    /// all groups, keyed by group, aggregate and value (a set per group and aggregate cost an
    /// allocation per value and per group; TPC-H Q16's 18k groups spent a quarter of their time
    /// growing them).
    seen: Seen,
    /// Arguments that hold an earlier aggregate's argument (None: no such sharing).
    shared: Option<SharedArgs>,
    /// Per aggregate: its argument compiled, when it is numeric arithmetic (see
    /// `crate::arith`); tried before the argument is evaluated as an expression.
    programs: Vec<Option<crate::arith::NumericProgram>>,
    /// With one key: group numbers by the key's integer value, looked up before the key is
    /// encoded and hashed (None: more than one key, or a value that is not an integer, or
    /// values too spread out).
    dense: Option<DenseKeys>,
    /// The current row's encoded key (reused: a row of an existing group allocates nothing).
    scratch: Vec<u8>,
    /// The encoded key of the last row [`Groups::add`] found a group for, and that group: rows
    /// often come in runs of one group (TPC-H Q1's flags follow the dates the rows were loaded
    /// by), and such a row is then placed by comparing its key's bytes, without hashing it or
    /// probing the table. Groups keep their numbers once made, so the pair stays true.
    last: Option<(Vec<u8>, usize)>,
    /// Estimated memory of the groups (keys, values, accumulators).
    bytes: usize,
    /// The memory of one group's accumulators ([`Accumulator::bytes`] of each aggregate).
    state_bytes: usize,
    spill: Option<Box<Spill>>,
}

/// Whether two encoded keys are the same bytes, compared eight at a time in line: group keys
/// are short (a one-letter text's is 6 bytes), where a call to `memcmp` cost more than the
/// comparison.
#[inline]
fn same_key(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    x.by_ref().zip(y.by_ref()).all(|(p, q)| word(p) == word(q))
        && x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// The memory of a group's hash-table entry in [`Groups`]: its key's bytes and its slot.
fn entry_bytes(key: &[u8]) -> usize {
    key.len() + std::mem::size_of::<KeySlot>()
}

/// The groups of a single integer key by value: `ids[value - base]` is the group's number plus
/// one (0: no group yet), made once a grouping has [`DenseKeys::AFTER`] groups. A row of a
/// known group finds it with one load from a small array instead of encoding its key, hashing
/// it and comparing it in the hash table's slot (three dependent memory reads); TPC-H's groupings by customer, order, part or supplier key are
/// such keys, and their tables' misses were most of an aggregation's time. The array covers the
/// values seen so far, grown to twice its size (towards the new value) as they spread; a value
/// that would make it longer than eight entries per group (and than [`DenseKeys::FREE`]
/// entries, whatever the groups) turns it off, as does a key that is not an integer.
///
/// Once made, the array holds every group and new groups go into it alone, without a hash-table
/// entry (`Groups::dense_only`): the entry (the key's bytes, its offset, a 32-byte slot) was
/// about half a group's memory, so twice as many groups fit a budget before a worker's partial
/// aggregate ends its part or the session's spills (TPC-H Q13's 100k customers). A key the array
/// cannot take, and the groups' key order at the end, give every group its entry then
/// (`Groups::hash_all`), numbered as the groups are.
#[derive(Default)]
struct DenseKeys {
    base: i64,
    ids: Vec<u32>,
}

impl DenseKeys {
    /// Groups there are when the array is made.
    const AFTER: usize = 1 << 10;
    /// Entries of a new array.
    const START: usize = 1 << 12;
    /// Entries allowed whatever the number of groups (1 MiB).
    const FREE: usize = 1 << 18;
    /// Entries never exceeded (16 MiB).
    const MAX: usize = 1 << 22;

    #[inline]
    fn get(&self, value: i64) -> Option<usize> {
        let offset = usize::try_from(value.checked_sub(self.base)?).ok()?;
        match *self.ids.get(offset)? {
            0 => None,
            id => Some(id as usize - 1),
        }
    }

    /// Records that `value`'s group is number `group` of `groups`; the bytes the array grew by.
    /// Refused when the array would grow past its allowance (the caller drops it) or by more
    /// than `room` bytes (what the groups' memory budget has left), changing nothing.
    fn set(
        &mut self,
        value: i64,
        group: usize,
        groups: usize,
        room: usize,
    ) -> Result<usize, Refusal> {
        let id = u32::try_from(group + 1).map_err(|_| Refusal::Spread)?;
        if self.ids.is_empty() {
            if Self::START * 4 > room {
                return Err(Refusal::Room);
            }
            self.base = value.saturating_sub(Self::START as i64 / 2);
            self.ids = vec![0; Self::START];
            self.ids[(value as i128 - self.base as i128) as usize] = id;
            return Ok(Self::START * 4);
        }
        let (base, len) = (self.base as i128, self.ids.len() as i128);
        let wanted = value as i128;
        if base <= wanted && wanted < base + len {
            self.ids[(wanted - base) as usize] = id;
            return Ok(0);
        }
        let needed = (base + len).max(wanted + 1) - base.min(wanted);
        let allowed = (8 * groups).clamp(Self::FREE, Self::MAX) as i128;
        let new_len = needed.max(2 * len).min(allowed);
        if needed > allowed {
            return Err(Refusal::Spread);
        }
        // Grown towards the value: up past it, or down below it.
        let new_base = if wanted < base {
            (base + len - new_len).max(i64::MIN as i128)
        } else {
            base
        };
        if new_base + new_len > i64::MAX as i128 + 1 {
            return Err(Refusal::Spread);
        }
        let grown = (new_len - len) as usize * 4;
        if grown > room {
            return Err(Refusal::Room);
        }
        let mut ids = vec![0u32; new_len as usize];
        let at = (base - new_base) as usize;
        ids[at..at + self.ids.len()].copy_from_slice(&self.ids);
        self.base = new_base as i64;
        self.ids = ids;
        self.ids[(wanted - new_base) as usize] = id;
        Ok(grown)
    }
}

/// Why [`DenseKeys::set`] refused a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// The values spread too far (or past i64's ends) for an array.
    Spread,
    /// Growing the array would pass the memory budget.
    Room,
}

/// Partitions a spilling [`Groups`] writes: 16 files, 32 kB of buffer each.
pub const PARTITIONS: usize = 16;
const PARTITION_BUFFER: usize = 32 * 1024;
/// Levels of partitioning after which a partition is aggregated in memory whatever its size
/// (16^8 partitions: only keys that collide on every level get there).
const MAX_SPILL_DEPTH: u32 = 8;

/// Where a [`Groups`] past its budget writes, and what it wrote.
struct Spill {
    budget: usize,
    dir: std::path::PathBuf,
    /// Partitioning level: 0 for the first aggregation, one more for each re-partitioning.
    depth: u32,
    files: Vec<Option<crate::spill::RowFile>>,
    stats: SpillStats,
}

/// What a spilling aggregation did (EXPLAIN ANALYZE's "Batches" and "Disk Usage").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpillStats {
    /// Partitions aggregated after the groups that stayed in memory (PostgreSQL counts these
    /// plus one as batches).
    pub partitions: u64,
    /// Rows written to partitions.
    pub rows: u64,
    /// Bytes written to partitions.
    pub bytes: u64,
    /// The most memory groups were estimated to take at once (of any one pass).
    pub peak: usize,
}

/// The partition of an encoded key at partitioning level `depth`.
fn partition_of(key: &[u8], depth: u32, parts: usize) -> usize {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys: one hash per level, independent of the table's hash.
    let mut hasher = std::hash::DefaultHasher::new();
    depth.hash(&mut hasher);
    key.hash(&mut hasher);
    (hasher.finish() % parts as u64) as usize
}

/// Aggregate arguments that hold an earlier aggregate's argument whole (TPC-H Q1's
/// `sum(p * (1 - d) * (1 + t))` after `sum(p * (1 - d))`): that part is read from the value the
/// earlier argument had for the row instead of computed again. Only arguments of columns,
/// constants, arithmetic and casts take part (a function may be volatile), and only an
/// aggregate without FILTER is a source (the argument of one whose filter fails is not
/// computed).
struct SharedArgs {
    /// Per aggregate: its argument with earlier arguments' subtrees as `Outer(1, j)` (aggregate
    /// j's argument's value for the row), when it holds one.
    args: Vec<Option<Expr>>,
    /// Per aggregate: whether a later argument reads its value.
    read: Vec<bool>,
    /// The row's argument values, as the one enclosing row `Outer(1, j)` reads: place j is
    /// aggregate j's (written only where `read[j]`, and stale where `fixed[j]` holds it).
    values: Vec<Vec<Value>>,
    /// Per aggregate: its argument's value for the row as a compiled program computed it, not
    /// yet made a `Value` (most rows never need it as one: a later program reads it as is).
    fixed: Vec<Option<Fixed>>,
}

impl SharedArgs {
    fn of(aggs: &[AggCall]) -> Option<SharedArgs> {
        fn plain(expr: &Expr) -> bool {
            let mut plain = true;
            expr.visit(&mut |e| {
                plain &= matches!(
                    e,
                    Expr::Column(_)
                        | Expr::Const(_)
                        | Expr::Binary(..)
                        | Expr::Neg(..)
                        | Expr::Cast(..)
                )
            });
            plain
        }
        fn substitute(expr: Expr, sources: &[(usize, &Expr)], used: &mut [bool]) -> Expr {
            if let Some(&(j, _)) = sources.iter().find(|(_, source)| **source == expr) {
                used[j] = true;
                return Expr::Outer(1, j);
            }
            expr.try_map::<std::convert::Infallible>(&mut |e| Ok(substitute(e, sources, used)))
                .unwrap_or_else(|never| match never {})
        }
        let mut read = vec![false; aggs.len()];
        let mut args = Vec::with_capacity(aggs.len());
        let mut sources: Vec<(usize, &Expr)> = Vec::new();
        for (i, call) in aggs.iter().enumerate() {
            let Some(arg) = call.arg.as_ref().filter(|arg| plain(arg)) else {
                args.push(None);
                continue;
            };
            let mut used = vec![false; aggs.len()];
            let rewritten = substitute(arg.clone(), &sources, &mut used);
            if used.iter().any(|&u| u) {
                for (slot, u) in read.iter_mut().zip(used) {
                    *slot |= u;
                }
                args.push(Some(rewritten));
            } else {
                args.push(None);
            }
            // A bare column or constant is as cheap to read again.
            if call.filter.is_none() && !matches!(arg, Expr::Column(_) | Expr::Const(_)) {
                sources.push((i, arg));
            }
        }
        read.iter().any(|&r| r).then(|| SharedArgs {
            args,
            read,
            values: vec![vec![Value::Null; aggs.len()]],
            fixed: vec![None; aggs.len()],
        })
    }

    /// Makes the values still held as [`Fixed`] `Value`s, for an expression that reads them.
    fn materialize(&mut self) {
        for (slot, fixed) in self.values[0].iter_mut().zip(&mut self.fixed) {
            if let Some(x) = fixed.take() {
                *slot = Value::numeric(Numeric::from(x));
            }
        }
    }

    /// Notes aggregate `i`'s argument value for the row, where a later one reads it.
    #[inline]
    fn keep(&mut self, i: usize, value: &Value) {
        if self.read[i] {
            self.fixed[i] = None;
            self.values[0][i] = value.clone();
        }
    }
}

/// The values DISTINCT aggregates have seen, per group ([`Groups::seen`]).
#[derive(Default)]
struct Seen {
    ids: KeyIds,
    /// The key being tested (reused).
    key: Vec<u8>,
}

impl Seen {
    /// Whether aggregate `agg` of group `group` sees `value` for the first time (noting it).
    /// The key is the group and aggregate numbers in 4 and 2 bytes, then the value's hash key:
    /// 15 bytes for an integer, so it stays in its [`KeyIds`] slot (with 8 + 4 it did not, and
    /// each test read the key from the table's byte array too: a second cache miss, most of
    /// TPC-H Q16's count(DISTINCT)). Numbers past those widths are written in 8 + 8 bytes
    /// after six bytes whose last is 0xff, which no short key has there (its sixth byte is the
    /// aggregate number's high byte, kept below 0xff).
    fn first(&mut self, group: usize, agg: usize, value: &Value) -> bool {
        self.key.clear();
        match (u32::try_from(group), u16::try_from(agg)) {
            (Ok(group), Ok(agg)) if agg < 0xff00 => {
                self.key.extend_from_slice(&group.to_le_bytes());
                self.key.extend_from_slice(&agg.to_le_bytes());
            }
            _ => {
                self.key.extend_from_slice(&[0; 5]);
                self.key.push(0xff);
                self.key.extend_from_slice(&(group as u64).to_le_bytes());
                self.key.extend_from_slice(&(agg as u64).to_le_bytes());
            }
        }
        append_hash_key(value, &mut self.key);
        self.ids.find_or_add(&self.key).1
    }
}

impl<'a> Groups<'a> {
    pub fn new(keys: &'a [Expr], aggs: &'a [AggCall]) -> Groups<'a> {
        let mut groups = Groups {
            keys,
            aggs,
            index: KeyIds::default(),
            groups: 0,
            dense_only: false,
            values: Vec::new(),
            accs: Vec::new(),
            seen: Seen::default(),
            shared: SharedArgs::of(aggs),
            programs: Vec::new(),
            dense: (keys.len() == 1).then(DenseKeys::default),
            scratch: Vec::new(),
            last: None,
            bytes: 0,
            state_bytes: aggs.iter().map(Accumulator::bytes).sum(),
            spill: None,
        };
        groups.programs = aggs
            .iter()
            .enumerate()
            .map(|(i, call)| {
                let shared = groups.shared.as_ref().and_then(|s| s.args[i].as_ref());
                if call.arg_type != DataType::Numeric {
                    return None;
                }
                match (shared, &call.arg) {
                    (Some(rewritten), _) => NumericProgram::compile(rewritten, true),
                    (None, Some(arg)) => NumericProgram::compile(arg, false),
                    (None, None) => None,
                }
            })
            .collect();
        if keys.is_empty() {
            // Without keys there is exactly one group, also for no rows.
            groups.index.find_or_add(&[]);
            groups.groups = 1;
            groups.push_states();
        }
        groups
    }

    /// The accumulators of a new group.
    fn push_states(&mut self) {
        self.accs.extend(self.aggs.iter().map(Accumulator::new));
    }

    /// Group `at`'s accumulators.
    fn states(&mut self, at: usize) -> &mut [Accumulator] {
        let n = self.aggs.len();
        &mut self.accs[at * n..(at + 1) * n]
    }

    /// Lets the groups take about `budget` bytes, then spill to files in `dir` (see the type's
    /// docs); without keys, or with an aggregate that has no partial state, they never spill.
    pub fn spill_to(&mut self, budget: usize, dir: std::path::PathBuf) {
        self.spill_at(budget, dir, 0);
    }

    fn spill_at(&mut self, budget: usize, dir: std::path::PathBuf, depth: u32) {
        let mergeable = self
            .aggs
            .iter()
            .all(|call| !call.distinct && call.func.mergeable());
        if !self.keys.is_empty() && mergeable && depth < MAX_SPILL_DEPTH {
            self.spill = Some(Box::new(Spill {
                budget,
                dir,
                depth,
                files: (0..PARTITIONS).map(|_| None).collect(),
                stats: SpillStats::default(),
            }));
        }
    }

    /// The groups' estimated memory: their key values, encoded keys and accumulators.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The position of the group whose encoded key is `key`, made from `values` when new; None
    /// when the group is not in memory and the budget is spent (the row goes to a partition).
    /// `values` writes the new group's key values (as many as there are keys) into the vector
    /// it is given.
    fn slot(
        &mut self,
        key: &[u8],
        values: impl FnOnce(&mut Vec<Value>) -> SqlResult<()>,
    ) -> SqlResult<Option<usize>> {
        let over = self.spill.as_ref().is_some_and(|s| self.bytes >= s.budget);
        if self.dense_only {
            // A group made since the dense index is in it alone; one made before may be in
            // the hash table alone (a NULL key's).
            let int = crate::types::integer_of_key(key);
            if let Some(at) = int.and_then(|v| self.dense.as_ref()?.get(v)) {
                return Ok(Some(at));
            }
            // The array was made from every group, so an integer it lacks is a new group.
            if int.is_none() {
                if let Some(at) = self.index.find(key) {
                    return Ok(Some(at));
                }
            }
            if over {
                return Ok(None);
            }
            let (at, start) = (self.groups, self.values.len());
            if let Err(error) = values(&mut self.values) {
                self.values.truncate(start);
                return Err(error);
            }
            let room = self.room();
            let set = match (&mut self.dense, &self.values[start]) {
                (Some(dense), Value::Int(v)) => Some(dense.set(*v, at, at + 1, room)),
                _ => None,
            };
            if set == Some(Err(Refusal::Room)) {
                // No memory for the array to take it: the group is not made here.
                self.values.truncate(start);
                return Ok(None);
            }
            self.groups += 1;
            self.bytes += self.group_bytes(start);
            self.push_states();
            match set {
                Some(Ok(grown)) => self.bytes += grown,
                _ => {
                    // A key the array cannot take (NULL, or too far out): from here the hash
                    // table numbers every group, this one included.
                    if set.is_some() {
                        self.dense = None;
                    }
                    self.hash_all();
                }
            }
            return Ok(Some(at));
        }
        if over {
            return Ok(self.index.find(key));
        }
        // One probe: most rows of a many-group aggregate start a group.
        let (at, new) = self.index.find_or_add(key);
        if new {
            debug_assert_eq!(at, self.groups);
            self.groups += 1;
            let start = self.values.len();
            match values(&mut self.values) {
                Ok(()) => {
                    debug_assert_eq!(self.values.len() - start, self.keys.len());
                    self.bytes += self.group_bytes(start) + entry_bytes(key);
                    self.push_states();
                    self.note_dense(start, at);
                }
                Err(error) => {
                    // No numbered key without its group.
                    self.values.truncate(start);
                    self.index.remove_last();
                    self.groups -= 1;
                    return Err(error);
                }
            }
        }
        Ok(Some(at))
    }

    /// Enters new group `at`, whose key values start at `values[start]`, in the dense index;
    /// the index is made once there are [`DenseKeys::AFTER`] groups, from all of them (a
    /// grouping of a few groups, as a correlated subquery's per outer row, never makes one).
    fn note_dense(&mut self, start: usize, at: usize) {
        let room = self.room();
        let Some(dense) = &mut self.dense else {
            return;
        };
        let groups = self.groups;
        let key = |value: &Value| match value {
            Value::Int(value) => Ok(Some(*value)),
            Value::Null => Ok(None),
            _ => Err(()),
        };
        let made = dense.ids.is_empty();
        // A refusal of either kind turns the array off: it holds every integer group or none.
        let grown = if made {
            if groups < DenseKeys::AFTER {
                return;
            }
            // One key per group: group g's is values[g].
            self.values
                .iter()
                .enumerate()
                .try_fold(0, |grown, (g, value)| match key(value).ok()? {
                    Some(value) => {
                        let room = room.saturating_sub(grown);
                        Some(grown + dense.set(value, g, groups, room).ok()?)
                    }
                    None => Some(grown),
                })
        } else {
            match key(&self.values[start]) {
                Ok(Some(value)) => dense.set(value, at, groups, room).ok(),
                Ok(None) => Some(0),
                Err(()) => None,
            }
        };
        match grown {
            Some(grown) => {
                self.bytes += grown;
                // Made now from every group: later ones need no hash-table entry.
                if made {
                    self.dense_only = true;
                }
            }
            None => self.dense = None,
        }
    }

    /// The memory of the group whose key values start at `values[start]`, less its hash-table
    /// entry: the key values alone (they live in one flat array, so no row's header counts) and
    /// its accumulators.
    fn group_bytes(&self, start: usize) -> usize {
        crate::spill::row_bytes(&self.values[start..]) - std::mem::size_of::<Row>()
            + self.state_bytes
    }

    /// What the groups' memory budget has left (unbounded without one).
    fn room(&self) -> usize {
        self.spill
            .as_ref()
            .map_or(usize::MAX, |s| s.budget.saturating_sub(self.bytes))
    }

    /// Gives the groups made in the dense index alone their hash-table entries, numbered as
    /// they are (the table numbers keys in the order added); from then on every new group
    /// gets one, the dense index caching their numbers as before.
    fn hash_all(&mut self) {
        if !self.dense_only {
            return;
        }
        self.dense_only = false;
        let width = self.keys.len();
        let mut key = Vec::new();
        for g in self.index.len()..self.groups {
            key.clear();
            for value in &self.values[g * width..(g + 1) * width] {
                append_hash_key(value, &mut key);
            }
            let (at, new) = self.index.find_or_add(&key);
            debug_assert!(new && at == g, "each group has its own key");
            self.bytes += entry_bytes(&key);
        }
    }

    /// The group of a row whose single key is `key`, when the dense index knows it.
    #[inline]
    fn dense_group(&self, key: &Value) -> Option<usize> {
        match (&self.dense, key) {
            (Some(dense), Value::Int(value)) => dense.get(*value),
            _ => None,
        }
    }

    /// Writes a partial row (`keys ++ states`) whose encoded key is `key` to its partition.
    fn spill_row(&mut self, key: &[u8], partial: &[Value]) -> SqlResult<()> {
        let spill = self.spill.as_mut().expect("spilling");
        let at = partition_of(key, spill.depth, PARTITIONS);
        let file = match &mut spill.files[at] {
            Some(file) => file,
            empty => {
                spill.stats.partitions += 1;
                empty.insert(crate::spill::RowFile::create(&spill.dir, PARTITION_BUFFER)?)
            }
        };
        let before = file.written();
        file.push(partial)?;
        spill.stats.bytes += file.written() - before;
        spill.stats.rows += 1;
        Ok(())
    }

    /// Adds one input row.
    pub fn add(&mut self, row: &[Value], ctx: &EvalContext<'_>) -> SqlResult<()> {
        // Without keys there is one group, made by `new`: no key to encode or look up.
        let known = match self.keys {
            [key] if self.dense.is_some() => self.dense_group(&*key.eval_ref(row, ctx)?),
            _ => None,
        };
        let at = if self.keys.is_empty() {
            0
        } else if let Some(at) = known {
            at
        } else {
            let mut key = std::mem::take(&mut self.scratch);
            key.clear();
            for expr in self.keys {
                append_hash_key(&*expr.eval_ref(row, ctx)?, &mut key);
            }
            if let Some((last, at)) = &self.last {
                if same_key(last, &key) {
                    let at = *at;
                    self.scratch = key;
                    return self.accumulate_into(at, row, ctx);
                }
            }
            let keys = self.keys;
            let at = self.slot(&key, |out| {
                for k in keys {
                    out.push(k.eval(row, ctx)?);
                }
                Ok(())
            });
            let at = match at {
                Ok(Some(at)) => {
                    // The key is kept as the last one; its buffer's last holder is reused.
                    let reused = match self.last.take() {
                        Some((buffer, _)) => buffer,
                        None => Vec::new(),
                    };
                    self.last = Some((key, at));
                    key = reused;
                    at
                }
                Ok(None) => {
                    // The row's group is not in memory: its one-row partial state goes out.
                    let mut partial = keys
                        .iter()
                        .map(|k| k.eval(row, ctx))
                        .collect::<SqlResult<Row>>()?;
                    let mut accs: Vec<Accumulator> =
                        self.aggs.iter().map(Accumulator::new).collect();
                    let mut seen = Seen::default();
                    let shared = self.shared.as_mut();
                    let args = (shared, self.programs.as_slice());
                    Self::accumulate(self.aggs, &mut accs, (&mut seen, 0), args, row, ctx)?;
                    for acc in &accs {
                        acc.state_into(&mut partial)?;
                    }
                    let written = self.spill_row(&key, &partial);
                    self.scratch = key;
                    return written;
                }
                Err(error) => return Err(error),
            };
            self.scratch = key;
            at
        };
        self.accumulate_into(at, row, ctx)
    }

    /// Adds `row` into group `at`'s accumulators.
    #[inline]
    fn accumulate_into(
        &mut self,
        at: usize,
        row: &[Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<()> {
        let aggs = self.aggs;
        let n = aggs.len();
        let accs = &mut self.accs[at * n..(at + 1) * n];
        let shared = self.shared.as_mut();
        let args = (shared, self.programs.as_slice());
        Self::accumulate(aggs, accs, (&mut self.seen, at), args, row, ctx)
    }

    /// Adds a row to the one group held when groups come whole and one after another (a
    /// worker's rows of one value of the column that places them, grouped by that column
    /// alone: see [`crate::fragment::AggregatePart::whole_groups`]), without hashing its key.
    /// `new_group`: the row starts a group; the one before is finished into `out` first.
    pub fn add_streamed(
        &mut self,
        row: &[Value],
        ctx: &EvalContext<'_>,
        new_group: bool,
        out: &mut Vec<Row>,
    ) -> SqlResult<()> {
        if new_group || self.groups == 0 {
            self.finish_streamed(out)?;
            for key in self.keys {
                self.values.push(key.eval(row, ctx)?);
            }
            self.push_states();
            self.groups = 1;
        }
        let shared = self.shared.as_mut();
        let args = (shared, self.programs.as_slice());
        Self::accumulate(
            self.aggs,
            &mut self.accs,
            (&mut self.seen, 0),
            args,
            row,
            ctx,
        )
    }

    /// Finishes the group [`Groups::add_streamed`] holds, if any, into `out`.
    pub fn finish_streamed(&mut self, out: &mut Vec<Row>) -> SqlResult<()> {
        if self.groups == 0 {
            return Ok(());
        }
        let row = finished_row(&mut self.values, &mut self.accs, self.aggs)?;
        self.values.clear();
        self.accs.clear();
        self.groups = 0;
        self.last = None;
        if self.aggs.iter().any(|call| call.distinct) {
            self.seen = Seen::default();
        }
        out.push(row);
        Ok(())
    }

    /// Adds `row` into one group's accumulators (`seen`: what DISTINCT aggregates have seen,
    /// and the group's number there; `shared`: arguments computed from earlier ones).
    fn accumulate(
        aggs: &[AggCall],
        accs: &mut [Accumulator],
        (seen, group): (&mut Seen, usize),
        (mut shared, programs): (Option<&mut SharedArgs>, &[Option<NumericProgram>]),
        row: &[Value],
        ctx: &EvalContext<'_>,
    ) -> SqlResult<()> {
        // Every aggregate a later argument reads writes its place in `shared` for each row
        // (one with a FILTER is never read), so no place is cleared between rows.
        for (i, (acc, call)) in accs.iter_mut().zip(aggs).enumerate() {
            if let Some(filter) = &call.filter {
                if !filter.is_true(row, ctx)? {
                    continue;
                }
            }
            // The common case first: a small numeric argument added to a numeric sum or
            // average in place, without making it a value; a later argument reads it as is.
            let fast = programs
                .get(i)
                .and_then(Option::as_ref)
                .and_then(|program| match shared.as_deref() {
                    Some(s) => program.run_fixed(row, &s.values[0], &s.fixed),
                    None => program.run_fixed(row, &[], &[]),
                });
            if let Some(x) = fast {
                if !call.distinct && acc.add_fixed(x) {
                    if let Some(shared) = shared.as_deref_mut() {
                        if shared.read[i] {
                            shared.fixed[i] = Some(x);
                        }
                    }
                    continue;
                }
            }
            let fast = fast.map(|x| Value::numeric(Numeric::from(x)));
            let value = match (&call.arg, shared.as_deref_mut()) {
                (None, _) => Value::Null,
                (Some(arg), None) => match fast {
                    Some(value) => value,
                    None => arg.eval(row, ctx)?,
                },
                (Some(arg), Some(shared)) => {
                    let value = match (fast, &shared.args[i]) {
                        (Some(value), _) => value,
                        (None, Some(_)) => {
                            shared.materialize();
                            let rewritten = shared.args[i].as_ref().expect("matched");
                            rewritten.eval(
                                row,
                                &EvalContext {
                                    outer: &shared.values,
                                    ..*ctx
                                },
                            )?
                        }
                        (None, None) => arg.eval(row, ctx)?,
                    };
                    shared.keep(i, &value);
                    value
                }
            };
            if call.distinct && (value.is_null() || !seen.first(group, i, &value)) {
                continue;
            }
            acc.add(call, value)?;
        }
        Ok(())
    }

    /// Adds a row of another worker's partial aggregate (`keys ++ states`).
    pub fn merge(&mut self, partial: &[Value]) -> SqlResult<()> {
        let width = self.keys.len();
        let aggs = self.aggs;
        let known = match partial {
            [key, ..] if width == 1 => self.dense_group(key),
            _ => None,
        };
        let at = match known {
            Some(at) => at,
            None => match self.merge_slot(partial)? {
                Some(at) => at,
                None => return Ok(()),
            },
        };
        let accs = self.states(at);
        let mut at = width;
        for (acc, call) in accs.iter_mut().zip(aggs) {
            let n = Accumulator::state_width(call);
            acc.merge(call, &partial[at..at + n])?;
            at += n;
        }
        Ok(())
    }

    /// The group of a partial row found or made through the hash table; None when the row
    /// went to a partition.
    fn merge_slot(&mut self, partial: &[Value]) -> SqlResult<Option<usize>> {
        let width = self.keys.len();
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        for value in &partial[..width] {
            append_hash_key(value, &mut key);
        }
        let at = self.slot(&key, |out| {
            out.extend_from_slice(&partial[..width]);
            Ok(())
        });
        let at = match at {
            Ok(None) => {
                let written = self.spill_row(&key, partial);
                self.scratch = key;
                return written.map(|()| None);
            }
            other => {
                self.scratch = key;
                other?
            }
        };
        Ok(at)
    }

    /// Rows of `keys ++ partial states`, for merging elsewhere (in no particular order).
    pub fn partial_rows(self) -> SqlResult<Vec<Row>> {
        let width = self.keys.len();
        let states: usize = self.aggs.iter().map(Accumulator::state_width).sum();
        let n = self.aggs.len();
        let mut values = self.values.into_iter();
        (0..self.groups)
            .map(|g| {
                let mut row = Vec::with_capacity(width + states);
                row.extend(values.by_ref().take(width));
                for acc in &self.accs[g * n..(g + 1) * n] {
                    acc.state_into(&mut row)?;
                }
                Ok(row)
            })
            .collect()
    }

    /// Rows of `keys ++ aggregate results`: in key order, or, when the groups spilled, those
    /// that stayed in memory in key order and then each partition's in key order.
    pub fn finish(self) -> SqlResult<Vec<Row>> {
        let mut grouped = self.finish_rows()?;
        let mut rows = Vec::new();
        while let Some(row) = grouped.next_row()? {
            rows.push(row);
        }
        Ok(rows)
    }

    /// [`Groups::finish`]'s rows, one at a time: each partition is aggregated only once the rows
    /// before it were taken, so memory holds one partition's groups at a time.
    pub fn finish_rows(self) -> SqlResult<GroupedRows<'a>> {
        let (keys, aggs, bytes) = (self.keys, self.aggs, self.bytes);
        let (rows, spill) = self.finish_memory()?;
        let mut grouped = GroupedRows::finished(keys, aggs, rows);
        grouped.stats.peak = bytes;
        if let Some(spill) = spill {
            grouped.take_spill(*spill);
        }
        Ok(grouped)
    }

    /// The groups in memory, finished in key order, and what went to partitions.
    fn finish_memory(mut self) -> SqlResult<(Vec<Row>, Option<Box<Spill>>)> {
        let (aggs, width, n) = (self.aggs, self.keys.len(), self.aggs.len());
        // Key order is the encoded keys' order.
        self.hash_all();
        let mut order: Vec<usize> = (0..self.groups).collect();
        order.sort_unstable_by(|&a, &b| self.index.key(a).cmp(self.index.key(b)));
        let (mut values, mut accs) = (self.values, self.accs);
        let rows = order
            .into_iter()
            .map(|at| {
                finished_row(
                    &mut values[at * width..(at + 1) * width],
                    &mut accs[at * n..(at + 1) * n],
                    aggs,
                )
            })
            .collect::<SqlResult<Vec<Row>>>()?;
        Ok((rows, self.spill))
    }
}

/// A group's result row, `keys ++ aggregate results`, its key values and accumulators taken
/// (NULLs and empty counts are left in their place).
fn finished_row(
    values: &mut [Value],
    accs: &mut [Accumulator],
    aggs: &[AggCall],
) -> SqlResult<Row> {
    let mut row = Vec::with_capacity(values.len() + accs.len());
    for value in values {
        row.push(std::mem::replace(value, Value::Null));
    }
    for (acc, call) in accs.iter_mut().zip(aggs) {
        let acc = std::mem::replace(acc, Accumulator::Count(0));
        row.push(acc.finish(call)?);
    }
    Ok(row)
}

/// The result rows of a [`Groups`], read one at a time ([`Groups::finish_rows`]).
pub struct GroupedRows<'a> {
    keys: &'a [Expr],
    aggs: &'a [AggCall],
    current: std::vec::IntoIter<Row>,
    /// Partitions not aggregated yet, with the partitioning level their own spills use.
    pending: Vec<(crate::spill::RowFile, u32)>,
    budget: usize,
    dir: std::path::PathBuf,
    stats: SpillStats,
}

impl<'a> GroupedRows<'a> {
    /// Rows already finished (in memory here, or by workers that hold their groups whole),
    /// handed on as they are.
    pub fn finished(keys: &'a [Expr], aggs: &'a [AggCall], rows: Vec<Row>) -> GroupedRows<'a> {
        GroupedRows {
            keys,
            aggs,
            current: rows.into_iter(),
            pending: Vec::new(),
            budget: 0,
            dir: std::path::PathBuf::new(),
            stats: SpillStats::default(),
        }
    }

    fn take_spill(&mut self, spill: Spill) {
        self.budget = spill.budget;
        self.dir = spill.dir;
        self.stats.partitions += spill.stats.partitions;
        self.stats.rows += spill.stats.rows;
        self.stats.bytes += spill.stats.bytes;
        let depth = spill.depth + 1;
        self.pending
            .extend(spill.files.into_iter().flatten().map(|file| (file, depth)));
    }

    pub fn next_row(&mut self) -> SqlResult<Option<Row>> {
        loop {
            if let Some(row) = self.current.next() {
                return Ok(Some(row));
            }
            let Some((file, depth)) = self.pending.pop() else {
                return Ok(None);
            };
            let width = self.keys.len()
                + self
                    .aggs
                    .iter()
                    .map(Accumulator::state_width)
                    .sum::<usize>();
            let mut reader = file.into_reader(width)?;
            let mut groups = Groups::new(self.keys, self.aggs);
            groups.spill_at(self.budget, self.dir.clone(), depth);
            while let Some(partial) = reader.next_row()? {
                groups.merge(&partial)?;
            }
            drop(reader);
            self.stats.peak = self.stats.peak.max(groups.bytes);
            let (rows, spill) = groups.finish_memory()?;
            self.current = rows.into_iter();
            if let Some(spill) = spill {
                self.take_spill(*spill);
            }
        }
    }

    /// What the aggregation wrote to partitions (all zeros when it stayed in memory).
    pub fn stats(&self) -> SpillStats {
        self.stats
    }
}

/// Whether an aggregate over a scan can run in parts on the workers: no DISTINCT aggregate (a
/// value seen on two workers would count twice), and everything evaluable there.
pub fn pushable_aggregate(rel: &Rel) -> bool {
    let Rel::Aggregate { input, keys, aggs } = rel else {
        return false;
    };
    matches!(input.as_ref(), Rel::Scan { .. })
        && keys.iter().all(Expr::is_local)
        && aggs.iter().all(|call| {
            !call.distinct
                && call.func.mergeable()
                && call.arg.as_ref().is_none_or(Expr::is_local)
                && call.filter.as_ref().is_none_or(Expr::is_local)
        })
}

/// UNION / INTERSECT / EXCEPT, with or without ALL. Without ALL the result has no duplicates;
/// with it, a row appears as often as the operation's counts say (min for INTERSECT, difference
/// for EXCEPT).
fn set_op(op: SetOpKind, all: bool, left: &[Row], right: &[Row]) -> Vec<Row> {
    let mut out = Vec::new();
    if op == SetOpKind::Union {
        let mut seen = KeySet::default();
        for row in left.iter().chain(right) {
            if all || seen.insert(hash_key(row)) {
                out.push(row.clone());
            }
        }
        return out;
    }
    let mut counts: KeyMap<usize> = KeyMap::default();
    for row in right {
        *counts.entry(hash_key(row)).or_default() += 1;
    }
    let mut emitted = KeySet::default();
    for row in left {
        let key = hash_key(row);
        let in_right = counts.get(&key).copied().unwrap_or(0);
        let keep = match (op, all) {
            (SetOpKind::Intersect, true) => {
                if in_right > 0 {
                    counts.insert(key.clone(), in_right - 1);
                    true
                } else {
                    false
                }
            }
            (SetOpKind::Intersect, false) => in_right > 0 && emitted.insert(key),
            (SetOpKind::Except, true) => {
                if in_right > 0 {
                    counts.insert(key.clone(), in_right - 1);
                    false
                } else {
                    true
                }
            }
            (SetOpKind::Except, false) => in_right == 0 && emitted.insert(key),
            (SetOpKind::Union, _) => unreachable!("handled above"),
        };
        if keep {
            out.push(row.clone());
        }
    }
    out
}

/// Orders rows by `keys` (PostgreSQL's NULLS FIRST/LAST defaults are decided by the binder).
pub fn compare_rows(a: &[Value], b: &[Value], keys: &[SortKey]) -> std::cmp::Ordering {
    for key in keys {
        let order = compare_key(&a[key.output], &b[key.output], key);
        if order.is_ne() {
            return order;
        }
    }
    std::cmp::Ordering::Equal
}

/// Two values in the order of one sort key (its direction and NULLS FIRST/LAST).
pub fn compare_key(x: &Value, y: &Value, key: &SortKey) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (x.is_null(), y.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) if key.nulls_first => Ordering::Less,
        (true, false) => Ordering::Greater,
        (false, true) if key.nulls_first => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) if key.descending => compare(x, y).reverse(),
        (false, false) => compare(x, y),
    }
}

/// The value of LIMIT or OFFSET: NULL means none; negative is an error, as in PostgreSQL.
pub fn count_value(
    expr: Option<&Expr>,
    ctx: &EvalContext<'_>,
    what: &str,
) -> SqlResult<Option<i64>> {
    let Some(expr) = expr else { return Ok(None) };
    match expr.eval(&[], ctx)? {
        Value::Null => Ok(None),
        Value::Int(n) if n < 0 => Err(SqlError::new(
            "2201W",
            format!("{what} must not be negative"),
        )),
        Value::Int(n) => Ok(Some(n)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_hashes_spread_integer_keys_over_buckets_and_tags() {
        // A million consecutive integer keys (as a hash join's keys often are): the low 16 bits
        // (a bucket of a 64k-bucket table) and the top 7 (hashbrown's tag) are both near uniform.
        let hasher = KeyHasher::default();
        let (mut low, mut top) = (vec![0u32; 1 << 16], [0u32; 128]);
        let mut key = Vec::new();
        for i in 0..1_000_000i64 {
            key.clear();
            append_hash_key(&Value::Int(i), &mut key);
            let hash = hasher.hash(&key);
            low[(hash & 0xffff) as usize] += 1;
            top[(hash >> 57) as usize] += 1;
        }
        // Expected 15.3 per bucket, 7812 per tag.
        assert!(low.iter().all(|&n| n < 50), "{:?}", low.iter().max());
        assert!(top.iter().all(|&n| (7000..8700).contains(&n)), "{top:?}");
        let ids = {
            let mut ids = KeyIds::default();
            for i in 0..1000i64 {
                key.clear();
                append_hash_key(&Value::Int(i), &mut key);
                assert_eq!(ids.find_or_add(&key), (i as usize, true));
            }
            ids
        };
        key.clear();
        append_hash_key(&Value::Int(999), &mut key);
        assert_eq!(ids.find(&key), Some(999));
    }

    #[test]
    fn integer_key_sets_answer_by_bitmap_as_by_hash() {
        let ctx = EvalContext::new(&[], 0);
        let set = |values: Vec<Value>| {
            let rows: Vec<Row> = values.into_iter().map(|v| vec![v]).collect();
            key_set(&RowSet::from(rows), &Expr::Column(0), &ctx).unwrap()
        };
        let members = [5i64, 9, -3, 70];
        let mut values: Vec<Value> = members.iter().map(|&i| Value::Int(i)).collect();
        values.extend([Value::Int(5), Value::Null]);
        let keys = set(values);
        assert!(keys.dense.is_some());
        assert_eq!(keys.len(), 4);
        let mut scratch = Vec::new();
        for i in -200..200 {
            assert_eq!(
                keys.contains(&Value::Int(i), &mut scratch),
                members.contains(&i),
                "{i}"
            );
        }
        for far in [i64::MIN, i64::MAX, 1 << 40] {
            assert!(!keys.contains(&Value::Int(far), &mut scratch));
        }
        // A range too wide for a bitmap, and keys that are not all integers: the hash table.
        let wide = set(vec![
            Value::Int(0),
            Value::Int(1 << 40),
            Value::Int(i64::MIN),
        ]);
        assert!(wide.dense.is_none());
        assert!(wide.contains(&Value::Int(1 << 40), &mut scratch));
        assert!(wide.contains(&Value::Int(i64::MIN), &mut scratch));
        assert!(!wide.contains(&Value::Int(1), &mut scratch));
        let mixed = set(vec![Value::Int(1), Value::Text("1".into())]);
        assert!(mixed.dense.is_none());
        assert!(mixed.contains(&Value::Int(1), &mut scratch));
        assert!(mixed.contains(&Value::Text("1".into()), &mut scratch));
        assert!(!mixed.contains(&Value::Int(2), &mut scratch));
    }

    #[test]
    fn key_ids_number_distinct_keys_in_order_of_arrival() {
        let mut ids = KeyIds::default();
        assert!(ids.is_empty());
        assert_eq!(ids.find_or_add(b"b"), (0, true));
        assert_eq!(ids.find_or_add(b""), (1, true));
        assert_eq!(ids.find_or_add(b"abc"), (2, true));
        assert_eq!(ids.find_or_add(b"b"), (0, false));
        assert_eq!(
            (ids.find(b""), ids.find(b"abc"), ids.find(b"ab")),
            (Some(1), Some(2), None)
        );
        assert_eq!(
            (ids.key(0), ids.key(1), ids.key(2)),
            (&b"b"[..], &b""[..], &b"abc"[..])
        );
        assert_eq!(ids.len(), 3);
        ids.remove_last();
        assert_eq!((ids.len(), ids.find(b"abc")), (2, None));
        assert_eq!(ids.find_or_add(b"abcd"), (2, true));
        assert_eq!(ids.key(2), b"abcd");
    }

    #[test]
    fn spilling_groups_equal_the_in_memory_ones_and_remove_their_files() {
        let dir = std::env::temp_dir().join(format!("keel-groups-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let call = |func, arg: Option<usize>, arg_type, result_type| AggCall {
            func,
            arg: arg.map(Expr::Column),
            arg_type,
            result_type,
            distinct: false,
            filter: None,
        };
        let keys = vec![Expr::Column(0)];
        let aggs = vec![
            call(AggFunc::Sum, Some(1), DataType::Int8, DataType::Numeric),
            call(AggFunc::CountStar, None, DataType::Int8, DataType::Int8),
            call(AggFunc::Avg, Some(1), DataType::Int8, DataType::Numeric),
            call(AggFunc::Min, Some(2), DataType::Text, DataType::Text),
            call(AggFunc::Max, Some(1), DataType::Int8, DataType::Int8),
        ];
        let rows: Vec<Row> = (0..20_000i64)
            .map(|i| {
                vec![
                    Value::Int((i * 7_919) % 5_000),
                    if i % 11 == 0 {
                        Value::Null
                    } else {
                        Value::Int(i)
                    },
                    Value::Text(format!("t{}", i % 97)),
                ]
            })
            .collect();
        let ctx = EvalContext::new(&[], 0);
        let sorted = |mut rows: Vec<Row>| {
            rows.sort_by(|a, b| compare(&a[0], &b[0]));
            rows
        };
        let mut whole = Groups::new(&keys, &aggs);
        for row in &rows {
            whole.add(row, &ctx).unwrap();
        }
        let expected = whole.finish().unwrap();
        assert_eq!(expected.len(), 5_000);

        // Input rows into a small budget: most groups go through partitions, some twice.
        let mut spilled = Groups::new(&keys, &aggs);
        spilled.spill_to(16 * 1024, dir.clone());
        for row in &rows {
            spilled.add(row, &ctx).unwrap();
        }
        assert!(spilled.bytes() < 32 * 1024);
        let mut grouped = spilled.finish_rows().unwrap();
        let mut got = Vec::new();
        while let Some(row) = grouped.next_row().unwrap() {
            got.push(row);
        }
        let stats = grouped.stats();
        assert!(stats.partitions > PARTITIONS as u64, "{stats:?}");
        assert!(stats.rows > 10_000 && stats.bytes > 0, "{stats:?}");
        assert_eq!(sorted(got), expected);

        // Partial rows of two "workers" merged under a budget.
        let (mut first, mut second) = (Groups::new(&keys, &aggs), Groups::new(&keys, &aggs));
        for (i, row) in rows.iter().enumerate() {
            let part = if i % 3 == 0 { &mut first } else { &mut second };
            part.add(row, &ctx).unwrap();
        }
        let mut merged = Groups::new(&keys, &aggs);
        merged.spill_to(16 * 1024, dir.clone());
        for partial in first
            .partial_rows()
            .unwrap()
            .into_iter()
            .chain(second.partial_rows().unwrap())
        {
            merged.merge(&partial).unwrap();
        }
        assert_eq!(sorted(merged.finish().unwrap()), expected);

        // Files go with the values that own them: none is left.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir(&dir).unwrap();
    }

    #[test]
    fn dense_integer_keys_group_as_the_hash_table_does() {
        use std::collections::BTreeMap;
        let call = |func, arg: Option<usize>| AggCall {
            func,
            arg: arg.map(Expr::Column),
            arg_type: DataType::Int8,
            result_type: DataType::Int8,
            distinct: false,
            filter: None,
        };
        let keys = vec![Expr::Column(0)];
        let aggs = vec![call(AggFunc::CountStar, None), call(AggFunc::Max, Some(1))];
        let ctx = EvalContext::new(&[], 0);
        // Keys close together, growing down from negative values, spread far apart from the
        // start, and close together until extreme values and NULLs turn the array off.
        let cases: Vec<Vec<Option<i64>>> = vec![
            (0..30_000i64).map(|i| Some((i * 7_919) % 9_000)).collect(),
            (0..30_000i64)
                .map(|i| Some(-i / 3 - (i % 5) * 1_000))
                .collect(),
            (0..5_000i64)
                .map(|i| Some((i % 3_000) * 1_000_003))
                .collect(),
            (0..30_000i64)
                .map(|i| match i {
                    20_000 => Some(i64::MAX),
                    20_001 => Some(i64::MIN),
                    _ if i % 101 == 0 => None,
                    _ => Some(i % 3_000 - 1_500),
                })
                .collect(),
        ];
        for (case, values) in cases.iter().enumerate() {
            let mut expected: BTreeMap<Option<i64>, (i64, i64)> = BTreeMap::new();
            let mut groups = Groups::new(&keys, &aggs);
            let mut halves = (Groups::new(&keys, &aggs), Groups::new(&keys, &aggs));
            for (i, value) in values.iter().enumerate() {
                let row = vec![value.map_or(Value::Null, Value::Int), Value::Int(i as i64)];
                let entry = expected.entry(*value).or_insert((0, i64::MIN));
                *entry = (entry.0 + 1, entry.1.max(i as i64));
                groups.add(&row, &ctx).unwrap();
                let half = if i % 2 == 0 {
                    &mut halves.0
                } else {
                    &mut halves.1
                };
                half.add(&row, &ctx).unwrap();
            }
            // Close keys keep the array; spread ones and extreme values drop it.
            let kept = groups.dense.as_ref().is_some_and(|d| !d.ids.is_empty());
            assert_eq!(kept, case < 2, "case {case}");
            let mut merged = Groups::new(&keys, &aggs);
            for partial in halves
                .0
                .partial_rows()
                .unwrap()
                .into_iter()
                .chain(halves.1.partial_rows().unwrap())
            {
                merged.merge(&partial).unwrap();
            }
            for got in [groups.finish().unwrap(), merged.finish().unwrap()] {
                let got: BTreeMap<Option<i64>, (i64, i64)> = got
                    .into_iter()
                    .map(|row| match row.as_slice() {
                        [key, Value::Int(count), Value::Int(max)] => {
                            let key = match key {
                                Value::Int(k) => Some(*k),
                                _ => None,
                            };
                            (key, (*count, *max))
                        }
                        other => panic!("unexpected row {other:?}"),
                    })
                    .collect();
                assert!(got == expected, "case {case}");
            }
        }
        // The array: values found where they were put, grown both ways, refused when sparse.
        let mut dense = DenseKeys::default();
        let all = usize::MAX;
        assert_eq!(dense.set(10, 0, 1, 1024), Err(Refusal::Room));
        assert!(dense.ids.is_empty());
        assert_eq!(dense.set(10, 0, 1, all), Ok(DenseKeys::START * 4));
        assert_eq!(dense.get(10), Some(0));
        assert_eq!(dense.get(11), None);
        assert_eq!(dense.set(-100_000, 1, 2, 1024), Err(Refusal::Room));
        assert_eq!(dense.get(-100_000), None);
        assert!(dense.set(-100_000, 1, 2, all).is_ok());
        assert!(dense.set(100_000, 2, 3, all).is_ok());
        assert_eq!(
            (dense.get(10), dense.get(-100_000), dense.get(100_000)),
            (Some(0), Some(1), Some(2))
        );
        assert!(dense.ids.len() <= DenseKeys::FREE);
        assert_eq!(dense.set(10_000_000, 3, 4, all), Err(Refusal::Spread));
        assert_eq!(dense.get(i64::MIN), None);
        assert_eq!(dense.get(i64::MAX), None);
    }

    #[test]
    fn key_index_gives_each_keys_positions_in_order() {
        let keys: Vec<Vec<u8>> = (0..10_000)
            .map(|i| hash_key(&[Value::Int(i % 3_000)]))
            .collect();
        // Every seventh row has no key (a NULL part): it is under no key.
        let index = KeyIndex::build(keys.len(), |i, key| {
            key.extend_from_slice(&keys[i]);
            Ok(i % 7 != 0)
        })
        .unwrap();
        for k in [0, 1, 2_999] {
            let expected: Vec<usize> = (0..10_000)
                .filter(|i| (*i as i64) % 3_000 == k && i % 7 != 0)
                .collect();
            assert_eq!(index.positions(&hash_key(&[Value::Int(k)])), expected);
        }
        assert!(index.positions(&hash_key(&[Value::Int(3_000)])).is_empty());
        // No key columns: every row under the empty key; a long key is found too.
        let all = KeyIndex::build(5, |_, _| Ok(true)).unwrap();
        assert_eq!(all.positions(&[]), [0, 1, 2, 3, 4]);
        let long = KeyIndex::build(3, |i, key| {
            key.extend_from_slice(&[i as u8 % 2; 40]);
            Ok(true)
        })
        .unwrap();
        assert_eq!(long.positions(&[0; 40]), [0, 2]);
        assert_eq!(long.positions(&[1; 40]), [1]);
        assert!(KeyIndex::build(0, |_, _| Ok(true))
            .unwrap()
            .positions(&[])
            .is_empty());
    }

    #[test]
    fn grace_joins_equal_in_memory_joins_for_every_kind() {
        let dir = std::env::temp_dir().join(format!("keel-grace-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Keys repeat (many to many) and are NULL now and then on both sides.
        let side = |n: i64, step: i64| -> Vec<Row> {
            (0..n)
                .map(|i| {
                    let key = if i % 13 == 0 {
                        Value::Null
                    } else {
                        Value::Int((i * step) % 701)
                    };
                    vec![key, Value::Int(i), Value::Text(format!("row {i}"))]
                })
                .collect()
        };
        let (left, right) = (side(6_000, 7), side(3_000, 11));
        let keys = vec![(Expr::Column(0), Expr::Column(0))];
        // A condition beyond the key: some key matches do not join.
        let on = vec![Expr::Binary(
            BinOp::Lt,
            Box::new(Expr::Column(1)),
            Box::new(Expr::Binary(
                BinOp::Add(DataType::Int8),
                Box::new(Expr::Column(4)),
                Box::new(Expr::Const(Value::Int(2_000))),
            )),
        )];
        let check = || Ok(());
        let ctx = EvalContext::new(&[], 0);
        let sorted = |rows: RowSet| {
            let mut rows = rows.into_rows().unwrap();
            rows.sort_by(|a, b| {
                compare_rows(a, b, &[]).then_with(|| hash_key(a).cmp(&hash_key(b)))
            });
            rows
        };
        for kind in [
            JoinKind::Inner,
            JoinKind::Left,
            JoinKind::Right,
            JoinKind::Full,
        ] {
            let in_memory = Executor::new(&[], 0, &check);
            let mut expected = RowSink::new(None);
            let (l, r) = (RowSet::from(left.clone()), RowSet::from(right.clone()));
            // Rows lent to the consumer here, given to it in the grace join below: the same.
            let mut push = |row: Cow<'_, Row>| expected.push(row.into_owned());
            let out = (&mut push as &mut Emit<'_>, true);
            let (spill, removed) = in_memory
                .join(kind, (&l, 3), (&r, 3), &keys, &on, &ctx, out)
                .unwrap();
            assert!(spill.is_none());
            assert!(removed > 0, "the condition turns down some key matches");
            let expected = expected.finish().unwrap();
            // The statement's memory is tiny: both inputs go to files, so does the output.
            let mut grace = Executor::new(&[], 0, &check);
            let memory = StatementMemory::new(64 * 1024, dir.clone());
            grace.memory = Some(memory.clone());
            grace.hash_mem = Some((32 * 1024, dir.clone()));
            let spilled = |rows: &[Row]| {
                let mut sink = RowSink::new(Some(memory.clone()));
                for row in rows {
                    sink.push(row.clone()).unwrap();
                }
                sink.finish().unwrap()
            };
            let (l, r) = (spilled(&left), spilled(&right));
            assert!(l.is_spilled() && r.is_spilled());
            let mut joined = RowSink::new(Some(memory.clone()));
            let mut push = |row: Cow<'_, Row>| joined.push(row.into_owned());
            let out = (&mut push as &mut Emit<'_>, false);
            let (spill, grace_removed) = grace
                .join(kind, (&l, 3), (&r, 3), &keys, &on, &ctx, out)
                .unwrap();
            let spill = spill.expect("a join of spilled inputs partitions them");
            assert!(spill.partitions >= 2, "{spill:?}");
            assert_eq!(
                grace_removed, removed,
                "the filter turns down the same pairs"
            );
            let joined = joined.finish().unwrap();
            assert!(joined.is_spilled());
            assert_eq!(sorted(joined), sorted(expected), "{kind:?}");
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
