//! B+trees on buffer-managed pages, with optimistic lock coupling.
//!
//! **Keys and values are bytes**, ordered by `memcmp`: the SQL layer's order-preserving encoding
//! (integers, floats, numeric, text, bool, timestamps, NULL ordering, composite keys) makes byte order
//! the SQL order. Keys up to [`MAX_KEY_BYTES`]; a value whose entry would exceed [`INLINE_BYTES`] goes
//! out of line into a chain of overflow pages and the leaf keeps a 16-byte reference.
//!
//! **Pages** (4 KiB, slotted): a 40-byte header (checksum and page id for the buffer manager, kind,
//! entry count, heap start, the two fence keys, a link), a slot array growing up (offset, key length,
//! value length, flags per entry) and a heap of key+value bytes growing down; the header also keeps
//! the node's level (0 for leaves). Inner entries map a
//! separator to a child: child `i` holds keys in `(sep[i-1], sep[i]]`, the link holds keys above the
//! last separator. Every node stores its **fence keys** (exclusive lower, inclusive upper, each
//! possibly infinite), as in vmcache's B-tree and LeanStore: there are no sibling pointers; a scan
//! moves to the next leaf by searching for the current leaf's fence, and any thread can check that
//! the leaf it latched is still the one that covers its key.
//!
//! **Concurrency (optimistic lock coupling).** A descent reads inner nodes without latching them:
//! it remembers each node's version ([`BufferManager::optimistic`]), reads the child pointer and
//! validates the version before going on, restarting from the root when a validation fails. Only
//! the leaf is latched: shared to read, exclusive to write; after latching, its fences must cover the
//! key, else the descent restarts. Structure changes latch top-down and exclusively: a split latches
//! the parent and the node, a merge the parent and two siblings (left before right). A node with no
//! room for a separator is split first (its parent in turn, up to the root, which grows a level).
//! A node under a quarter full after a delete is merged with a sibling when both fit in one page:
//! a leaf, then its parent if that merge left it under a quarter full, and so on up; a root left
//! with one child is dropped (the tree shrinks by a level).
//!
//! Optimistic reads may see a page while a writer changes it (the seqlock pattern): every offset read
//! from a page is bounds-checked, so garbage can only produce a wrong answer that validation then
//! discards, never an access outside the page.

use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

use crate::bm::{BmError, BufferManager, Pid, PAGE_BYTES};

/// Longest key.
pub const MAX_KEY_BYTES: usize = 512;
/// Largest key + value kept in the leaf; larger values go to overflow pages.
pub const INLINE_BYTES: usize = 1024;

const HEADER: usize = 40;
const SLOT: usize = 8;
const KIND_FREE: u8 = 0;
const KIND_LEAF: u8 = 1;
const KIND_INNER: u8 = 2;
const KIND_OVERFLOW: u8 = 3;
const KIND_META: u8 = 4;
const FLAG_LOWER_INF: u8 = 1;
const FLAG_UPPER_INF: u8 = 2;
const SLOT_OVERFLOW: u16 = 1;
const NO_PAGE: Pid = u64::MAX;
const OVERFLOW_DATA: usize = PAGE_BYTES - HEADER;
/// Leaves a scan reads ahead of itself.
const READ_AHEAD: usize = 16;

/// Why a tree operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum TreeError {
    /// The buffer manager could not give a page (IO error, corruption, full file).
    Bm(BmError),
    /// A key longer than [`MAX_KEY_BYTES`].
    KeyTooLong { len: usize },
}

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TreeError::Bm(error) => error.fmt(f),
            TreeError::KeyTooLong { len } => write!(
                f,
                "index row size {len} exceeds btree maximum, {MAX_KEY_BYTES}"
            ),
        }
    }
}

impl std::error::Error for TreeError {}

impl From<BmError> for TreeError {
    fn from(error: BmError) -> Self {
        TreeError::Bm(error)
    }
}

/// Internal outcome: start over from the root, or give up with an error.
enum Fail {
    Restart,
    Error(TreeError),
}

impl From<BmError> for Fail {
    fn from(error: BmError) -> Self {
        Fail::Error(TreeError::Bm(error))
    }
}

/// Where a descent stops: at the leaf, at a given node, or at the inner node of a given level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Leaf,
    Node(Pid),
    Level(usize),
}

type Step<T> = Result<T, Fail>;

#[inline]
fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn put_u16(b: &mut [u8], at: usize, value: usize) {
    b[at..at + 2].copy_from_slice(&(value as u16).to_le_bytes());
}

#[inline]
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn put_u64(b: &mut [u8], at: usize, value: u64) {
    b[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// Byte-wise (memcmp) order of two keys, eight bytes at a time as big-endian words. Keys are short
/// (an integer key is nine bytes), where a call into libc's `memcmp` per probe of a binary search
/// costs more than the comparison.
#[inline]
pub fn compare_keys(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let common = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= common {
        let x = u64::from_be_bytes(a[at..at + 8].try_into().expect("8 bytes"));
        let y = u64::from_be_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        if x != y {
            return x.cmp(&y);
        }
        at += 8;
    }
    while at < common {
        if a[at] != b[at] {
            return a[at].cmp(&b[at]);
        }
        at += 1;
    }
    a.len().cmp(&b.len())
}

/// A read-only view of a node. Safe on garbage: every range is clamped to the page.
#[derive(Clone, Copy)]
struct Node<'a> {
    b: &'a [u8],
}

/// How many of the next leaf's cache lines a scan prefetches per entry it visits of a leaf with
/// `entries` entries: the next leaf arrives while this one is read, a few lines at a time.
fn prefetch_lines(entries: usize) -> usize {
    BufferManager::PAGE_LINES.div_ceil(entries.max(1)).max(2)
}

#[inline]
fn clamp(b: &[u8], offset: usize, len: usize) -> &[u8] {
    if offset >= HEADER && offset + len <= PAGE_BYTES {
        &b[offset..offset + len]
    } else {
        &[]
    }
}

impl<'a> Node<'a> {
    fn kind(&self) -> u8 {
        self.b[4]
    }
    fn flags(&self) -> u8 {
        self.b[5]
    }
    #[inline]
    fn count(&self) -> usize {
        u16_at(self.b, 6).min((PAGE_BYTES - HEADER) / SLOT)
    }
    fn heap_start(&self) -> usize {
        u16_at(self.b, 16)
    }
    fn link(&self) -> u64 {
        u64_at(self.b, 32)
    }
    /// Height above the leaves (0 for a leaf).
    fn level(&self) -> usize {
        u16_at(self.b, 26)
    }
    fn lower(&self) -> Option<&'a [u8]> {
        (self.flags() & FLAG_LOWER_INF == 0)
            .then(|| clamp(self.b, u16_at(self.b, 18), u16_at(self.b, 20)))
    }
    fn upper(&self) -> Option<&'a [u8]> {
        (self.flags() & FLAG_UPPER_INF == 0)
            .then(|| clamp(self.b, u16_at(self.b, 22), u16_at(self.b, 24)))
    }
    #[inline]
    fn slot(&self, i: usize) -> (usize, usize, usize, u16) {
        let at = HEADER + i * SLOT;
        (
            u16_at(self.b, at),
            u16_at(self.b, at + 2),
            u16_at(self.b, at + 4),
            u16_at(self.b, at + 6) as u16,
        )
    }
    #[inline]
    fn key(&self, i: usize) -> &'a [u8] {
        let (offset, klen, _, _) = self.slot(i);
        clamp(self.b, offset, klen)
    }
    fn value(&self, i: usize) -> &'a [u8] {
        let (offset, klen, vlen, _) = self.slot(i);
        clamp(self.b, offset + klen, vlen)
    }
    fn overflowed(&self, i: usize) -> bool {
        self.slot(i).3 & SLOT_OVERFLOW != 0
    }
    fn child(&self, i: usize) -> Pid {
        let value = self.value(i);
        if value.len() == 8 {
            u64_at(value, 0)
        } else {
            NO_PAGE
        }
    }
    /// First index whose key is >= `key` (or > `key` when `after`).
    fn search(&self, key: &[u8], after: bool) -> usize {
        let (mut low, mut high) = (0, self.count());
        while low < high {
            let mid = (low + high) / 2;
            let probe = self.key(mid);
            let order = compare_keys(probe, key);
            let go_right = if after { order.is_le() } else { order.is_lt() };
            if go_right {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }
    /// The child to follow for `key` (just above `key` when `after`).
    fn child_for(&self, key: &[u8], after: bool) -> (usize, Pid) {
        let index = self.search(key, after);
        if index < self.count() {
            (index, self.child(index))
        } else {
            (index, self.link())
        }
    }
    /// Whether the node covers `key`: lower < key <= upper.
    fn covers(&self, key: &[u8]) -> bool {
        self.lower()
            .is_none_or(|lower| compare_keys(lower, key).is_lt())
            && self
                .upper()
                .is_none_or(|upper| compare_keys(key, upper).is_le())
    }
    /// Whether the node covers the keys just above `key`: lower <= key < upper.
    fn covers_after(&self, key: &[u8]) -> bool {
        self.lower()
            .is_none_or(|lower| compare_keys(lower, key).is_le())
            && self
                .upper()
                .is_none_or(|upper| compare_keys(key, upper).is_lt())
    }
    fn fence_bytes(&self) -> usize {
        self.lower().map_or(0, <[u8]>::len) + self.upper().map_or(0, <[u8]>::len)
    }
    /// Whether an entry taking `need` bytes (its slot included) fits, compacting the page if it
    /// must. The gap between the slots and the heap answers at once for most inserts; only a
    /// gap too small counts the live bytes (the dead ones come back when the page is compacted),
    /// which reads every slot.
    fn fits(&self, need: usize) -> bool {
        let slots_end = HEADER + self.count() * SLOT;
        self.heap_start().saturating_sub(slots_end) >= need || self.used() + need <= PAGE_BYTES
    }
    /// Whether at least `bytes` are in use (as [`used`](Self::used) counts), reading only as many
    /// slots as it takes to know.
    fn uses_at_least(&self, bytes: usize) -> bool {
        let mut used = HEADER + self.fence_bytes();
        for i in 0..self.count() {
            if used >= bytes {
                return true;
            }
            let (_, klen, vlen, _) = self.slot(i);
            used += SLOT + klen + vlen;
        }
        used >= bytes
    }
    /// Bytes in use, counting the header, slots, live entries and fences (not dead heap bytes).
    fn used(&self) -> usize {
        HEADER
            + self.fence_bytes()
            + (0..self.count())
                .map(|i| {
                    let (_, klen, vlen, _) = self.slot(i);
                    SLOT + klen + vlen
                })
                .sum::<usize>()
    }
}

/// An entry as it is moved between nodes.
#[derive(Clone)]
struct Entry<'a> {
    key: &'a [u8],
    value: &'a [u8],
    flags: u16,
}

fn entries<'a>(node: Node<'a>, range: std::ops::Range<usize>) -> Vec<Entry<'a>> {
    range
        .map(|i| Entry {
            key: node.key(i),
            value: node.value(i),
            flags: node.slot(i).3,
        })
        .collect()
}

/// Writes a whole node. The caller made sure it fits.
fn build(
    b: &mut [u8],
    kind: u8,
    lower: Option<&[u8]>,
    upper: Option<&[u8]>,
    link: u64,
    items: &[Entry<'_>],
) {
    b[4..].fill(0);
    b[4] = kind;
    let mut heap = PAGE_BYTES;
    let mut flags = 0;
    let mut fence = |b: &mut [u8], at: usize, value: Option<&[u8]>, infinite: u8| match value {
        Some(value) => {
            heap -= value.len();
            b[heap..heap + value.len()].copy_from_slice(value);
            put_u16(b, at, heap);
            put_u16(b, at + 2, value.len());
        }
        None => flags |= infinite,
    };
    fence(b, 18, lower, FLAG_LOWER_INF);
    fence(b, 22, upper, FLAG_UPPER_INF);
    b[5] = flags;
    put_u64(b, 32, link);
    for (i, item) in items.iter().enumerate() {
        heap -= item.key.len() + item.value.len();
        b[heap..heap + item.key.len()].copy_from_slice(item.key);
        b[heap + item.key.len()..heap + item.key.len() + item.value.len()]
            .copy_from_slice(item.value);
        let at = HEADER + i * SLOT;
        put_u16(b, at, heap);
        put_u16(b, at + 2, item.key.len());
        put_u16(b, at + 4, item.value.len());
        put_u16(b, at + 6, item.flags as usize);
    }
    put_u16(b, 6, items.len());
    put_u16(b, 16, heap);
}

fn entries_bytes(items: &[Entry<'_>]) -> usize {
    items
        .iter()
        .map(|e| SLOT + e.key.len() + e.value.len())
        .sum()
}

fn fits(lower: Option<&[u8]>, upper: Option<&[u8]>, items: &[Entry<'_>]) -> bool {
    HEADER + lower.map_or(0, <[u8]>::len) + upper.map_or(0, <[u8]>::len) + entries_bytes(items)
        <= PAGE_BYTES
}

/// Inserts an entry at `index`, compacting the page first when the free space is fragmented.
/// Returns false when it does not fit at all.
fn insert_at(b: &mut [u8], index: usize, key: &[u8], value: &[u8], flags: u16) -> bool {
    let node = Node { b };
    let count = node.count();
    if !node.fits(SLOT + key.len() + value.len()) {
        return false;
    }
    if node.heap_start() < HEADER + (count + 1) * SLOT + key.len() + value.len() {
        compact(b);
    }
    let heap = u16_at(b, 16) - key.len() - value.len();
    b[heap..heap + key.len()].copy_from_slice(key);
    b[heap + key.len()..heap + key.len() + value.len()].copy_from_slice(value);
    let at = HEADER + index * SLOT;
    b.copy_within(at..HEADER + count * SLOT, at + SLOT);
    put_u16(b, at, heap);
    put_u16(b, at + 2, key.len());
    put_u16(b, at + 4, value.len());
    put_u16(b, at + 6, flags as usize);
    put_u16(b, 6, count + 1);
    put_u16(b, 16, heap);
    true
}

/// Writes `value` over entry `index`'s value, which is at least as long (the bytes past it are
/// dead until the page is compacted).
fn overwrite_value(b: &mut [u8], index: usize, value: &[u8]) {
    let (offset, klen, vlen, _) = Node { b }.slot(index);
    debug_assert!(value.len() <= vlen);
    let at = offset + klen;
    b[at..at + value.len()].copy_from_slice(value);
    put_u16(b, HEADER + index * SLOT + 4, value.len());
}

fn remove_at(b: &mut [u8], index: usize) {
    let count = Node { b }.count();
    let at = HEADER + index * SLOT;
    b.copy_within(at + SLOT..HEADER + count * SLOT, at);
    put_u16(b, 6, count - 1);
}

/// Rewrites the page without dead heap bytes.
fn compact(b: &mut [u8]) {
    let copy = b.to_vec();
    let node = Node { b: &copy };
    let items = entries(node, 0..node.count());
    build(
        b,
        node.kind(),
        node.lower(),
        node.upper(),
        node.link(),
        &items,
    );
    put_u16(b, 26, node.level());
}

/// Where a range scan stands.
enum Position {
    Start,
    Included(Vec<u8>),
    Excluded(Vec<u8>),
    End,
}

/// A test of a key against one end of a scan's range.
type KeyTest<'a> = &'a dyn Fn(&[u8]) -> bool;

/// A leaf's keys: above the first bound (exclusive), up to the second (inclusive); None: no bound.
pub type LeafRange = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Direction of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

/// A B+tree in a buffer manager's file, rooted at its meta page.
pub struct BTree {
    bm: Arc<BufferManager>,
    meta: Pid,
    /// Whether any value ever went out of line (if not, dropping the tree need not read leaves).
    /// Kept in memory: trees are rebuilt from the log at every start until checkpoints land.
    has_overflow: std::sync::atomic::AtomicBool,
    /// The leaf the last keyed lookup or write ended in (NO_PAGE: none), tried before a descent:
    /// see [`BTree::hint_holds`].
    hint: AtomicU64,
}

impl BTree {
    /// Creates an empty tree: a meta page pointing at an empty root leaf.
    pub fn create(bm: Arc<BufferManager>) -> Result<BTree, TreeError> {
        let mut meta = bm.allocate()?;
        let mut root = bm.allocate()?;
        build(root.bytes_mut(), KIND_LEAF, None, None, NO_PAGE, &[]);
        let root_pid = root.pid();
        build(meta.bytes_mut(), KIND_META, None, None, root_pid, &[]);
        let meta_pid = meta.pid();
        drop(root);
        drop(meta);
        Ok(BTree {
            bm,
            meta: meta_pid,
            has_overflow: std::sync::atomic::AtomicBool::new(false),
            hint: AtomicU64::new(NO_PAGE),
        })
    }

    /// Opens the tree whose meta page is `meta`.
    pub fn open(bm: Arc<BufferManager>, meta: Pid) -> BTree {
        BTree {
            bm,
            meta,
            has_overflow: std::sync::atomic::AtomicBool::new(true),
            hint: AtomicU64::new(NO_PAGE),
        }
    }

    /// Levels of the tree (1: the root is a leaf).
    pub fn height(&self) -> Result<usize, TreeError> {
        let root = Node {
            b: self.bm.fix_s(self.meta)?.bytes(),
        }
        .link();
        let guard = self.bm.fix_s(root)?;
        Ok(Node { b: guard.bytes() }.level() + 1)
    }

    /// The meta page's id (what a catalog stores to find the tree again).
    pub fn meta_pid(&self) -> Pid {
        self.meta
    }

    pub fn buffer_manager(&self) -> &Arc<BufferManager> {
        &self.bm
    }

    fn view(&self, pid: Pid) -> Node<'_> {
        // SAFETY: the page lies inside the buffer manager's mapping, which lives as long as `self`.
        // This may be an optimistic read racing with a writer (see the module docs): `Node` clamps
        // every offset to the page, and the caller validates the version before trusting the result.
        Node {
            b: unsafe { std::slice::from_raw_parts(self.bm.page_ptr(pid), PAGE_BYTES) },
        }
    }

    fn valid_pid(&self, pid: Pid) -> bool {
        pid < self.bm.pages_in_use()
    }

    /// Descends optimistically towards `key` (just above it when `after`; the rightmost leaf when
    /// `key` is `None`) and returns the leaf, or the node where `stop` says to stop on the way. Also
    /// returns the parent and its version.
    fn descend(&self, key: Option<&[u8]>, after: bool, stop: Stop) -> Step<(Pid, Pid, u64)> {
        self.descend_indexed(key, after, stop)
            .map(|(node, parent, version, _)| (node, parent, version))
    }

    /// As [`descend`](Self::descend), also returning where the node is among its parent's
    /// children (None under the meta page), as the parent's search found it: a scan reads the
    /// leaves after it from there, without looking for it in the parent again.
    fn descend_indexed(
        &self,
        key: Option<&[u8]>,
        after: bool,
        stop: Stop,
    ) -> Step<(Pid, Pid, u64, Option<usize>)> {
        let meta_version = self.bm.optimistic(self.meta)?;
        let mut node = self.view(self.meta).link();
        if !self.bm.validate(self.meta, meta_version) {
            return Err(Fail::Restart);
        }
        let (mut parent, mut parent_version) = (self.meta, meta_version);
        let mut index = None;
        loop {
            if !self.valid_pid(node) {
                return Err(Fail::Restart);
            }
            let version = self.bm.optimistic(node)?;
            if !self.bm.validate(parent, parent_version) {
                return Err(Fail::Restart);
            }
            if stop == Stop::Node(node) {
                return Ok((node, parent, parent_version, index));
            }
            let view = self.view(node);
            if let Stop::Level(level) = stop {
                if view.kind() == KIND_INNER && view.level() == level {
                    if !self.bm.validate(node, version) {
                        return Err(Fail::Restart);
                    }
                    return Ok((node, parent, parent_version, index));
                }
            }
            match view.kind() {
                KIND_LEAF => {
                    if !self.bm.validate(node, version) {
                        return Err(Fail::Restart);
                    }
                    return Ok((node, parent, parent_version, index));
                }
                KIND_INNER => {
                    let (at, child) = match key {
                        Some(key) => view.child_for(key, after),
                        None => (view.count(), view.link()),
                    };
                    if !self.bm.validate(node, version) {
                        return Err(Fail::Restart);
                    }
                    parent = node;
                    parent_version = version;
                    node = child;
                    index = Some(at);
                }
                _ => {
                    if self.bm.validate(node, version) {
                        return Err(Fail::Error(self.corrupt(node, "not a tree node")));
                    }
                    return Err(Fail::Restart);
                }
            }
        }
    }

    fn corrupt(&self, pid: Pid, detail: &str) -> TreeError {
        TreeError::Bm(BmError::Corrupt {
            file: self.bm.name().to_string(),
            pid,
            detail: detail.to_string(),
        })
    }

    fn retry<T>(&self, mut step: impl FnMut() -> Step<T>) -> Result<T, TreeError> {
        loop {
            match step() {
                Ok(value) => return Ok(value),
                Err(Fail::Restart) => std::thread::yield_now(),
                Err(Fail::Error(error)) => return Err(error),
            }
        }
    }

    /// The leaf the previous keyed lookup or write ended in (see [`BTree::hint_holds`]).
    fn hint(&self) -> Option<Pid> {
        let pid = self.hint.load(AtomicOrdering::Acquire);
        (pid != NO_PAGE && self.valid_pid(pid)).then_some(pid)
    }

    /// Whether `page`, the hinted leaf `pid` as latched, may take `key`'s lookup or write
    /// without a descent. Keys that come in order (a bulk load, a commit logging its rows,
    /// appends at a table's end) mostly land in the leaf the one before them did, and skip the
    /// inner nodes' binary searches. The hint is only a guess: the latched page must be a leaf
    /// whose fences cover the key, and the hint must still name it once latched; a leaf this
    /// tree frees has its hint cleared first ([`BTree::forget_hint`]), so a page freed and
    /// reused by another tree after the hint was read fails that second check.
    fn hint_holds(&self, pid: Pid, page: &[u8], key: &[u8]) -> bool {
        let node = Node { b: page };
        node.kind() == KIND_LEAF
            && node.covers(key)
            && self.hint.load(AtomicOrdering::Acquire) == pid
    }

    /// Clears the hint if it names `pid`, before the tree frees that page.
    fn forget_hint(&self, pid: Pid) {
        let _ = (self.hint).compare_exchange(
            pid,
            NO_PAGE,
            AtomicOrdering::AcqRel,
            AtomicOrdering::Relaxed,
        );
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, TreeError> {
        self.retry(|| {
            let hinted = (self.hint()).and_then(|pid| {
                let guard = self.bm.fix_s(pid).ok()?;
                self.hint_holds(pid, guard.bytes(), key).then_some(guard)
            });
            let guard = match hinted {
                Some(guard) => guard,
                None => {
                    let (leaf, _, _) = self.descend(Some(key), false, Stop::Leaf)?;
                    let guard = self.bm.fix_s(leaf)?;
                    let node = Node { b: guard.bytes() };
                    if node.kind() != KIND_LEAF || !node.covers(key) {
                        return Err(Fail::Restart);
                    }
                    self.hint.store(leaf, AtomicOrdering::Release);
                    guard
                }
            };
            let node = Node { b: guard.bytes() };
            let index = node.search(key, false);
            if index < node.count() && compare_keys(node.key(index), key).is_eq() {
                Ok(Some(self.read_value(node, index)?))
            } else {
                Ok(None)
            }
        })
    }

    /// The value of entry `index` of a latched leaf, following its overflow chain.
    fn read_value(&self, node: Node<'_>, index: usize) -> Result<Vec<u8>, Fail> {
        let mut out = Vec::new();
        self.append_value(node, index, &mut out)?;
        Ok(out)
    }

    /// Appends the value of entry `index` (following its overflow chain) to `out`.
    fn append_value(&self, node: Node<'_>, index: usize, out: &mut Vec<u8>) -> Result<(), Fail> {
        let value = node.value(index);
        if !node.overflowed(index) {
            out.extend_from_slice(value);
            return Ok(());
        }
        let total = u64_at(value, 0) as usize;
        let mut next = u64_at(value, 8);
        let start = out.len();
        out.reserve(total);
        while out.len() - start < total {
            if !self.valid_pid(next) {
                return Err(Fail::Error(self.corrupt(next, "broken overflow chain")));
            }
            let page = self.bm.fix_s(next)?;
            let chunk = Node { b: page.bytes() };
            if chunk.kind() != KIND_OVERFLOW {
                return Err(Fail::Error(self.corrupt(next, "not an overflow page")));
            }
            let len = (u16_at(page.bytes(), 16))
                .min(OVERFLOW_DATA)
                .min(total - (out.len() - start));
            out.extend_from_slice(&page.bytes()[HEADER..HEADER + len]);
            next = chunk.link();
        }
        Ok(())
    }

    /// Writes `value` to a new overflow chain; returns the 16-byte reference.
    fn write_overflow(&self, value: &[u8]) -> Result<[u8; 16], Fail> {
        self.has_overflow
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let mut next = NO_PAGE;
        for chunk in value.chunks(OVERFLOW_DATA).rev() {
            let mut page = self.bm.allocate()?;
            let b = page.bytes_mut();
            b[4] = KIND_OVERFLOW;
            put_u16(b, 16, chunk.len());
            put_u64(b, 32, next);
            b[HEADER..HEADER + chunk.len()].copy_from_slice(chunk);
            next = page.pid();
        }
        let mut reference = [0u8; 16];
        reference[..8].copy_from_slice(&(value.len() as u64).to_le_bytes());
        reference[8..].copy_from_slice(&next.to_le_bytes());
        Ok(reference)
    }

    /// Frees the overflow chain of entry `index` of an exclusively latched leaf.
    fn free_overflow(&self, node: Node<'_>, index: usize) -> Result<(), Fail> {
        if !node.overflowed(index) {
            return Ok(());
        }
        let mut next = u64_at(node.value(index), 8);
        while next != NO_PAGE && self.valid_pid(next) {
            let mut page = self.bm.fix_x(next)?;
            let following = Node { b: page.bytes() }.link();
            page.bytes_mut()[4] = KIND_FREE;
            self.bm.free(page);
            next = following;
        }
        Ok(())
    }

    /// The leaf that covers `key`, latched exclusively (found optimistically, checked by its fences).
    fn leaf_for_write(&self, key: &[u8]) -> Step<(Pid, crate::bm::GuardX<'_>)> {
        if let Some(pid) = self.hint() {
            if let Ok(guard) = self.bm.fix_x(pid) {
                if self.hint_holds(pid, guard.bytes(), key) {
                    return Ok((pid, guard));
                }
                guard.release_unchanged();
            }
        }
        let (leaf, _, _) = self.descend(Some(key), false, Stop::Leaf)?;
        let guard = self.bm.fix_x(leaf)?;
        let node = Node { b: guard.bytes() };
        if node.kind() != KIND_LEAF || !node.covers(key) {
            guard.release_unchanged();
            return Err(Fail::Restart);
        }
        self.hint.store(leaf, AtomicOrdering::Release);
        Ok((leaf, guard))
    }

    /// Stores `value` under `key`; returns the value it replaced.
    pub fn insert(&self, key: &[u8], value: &[u8]) -> Result<Option<Vec<u8>>, TreeError> {
        if key.len() > MAX_KEY_BYTES {
            return Err(TreeError::KeyTooLong { len: key.len() });
        }
        let out_of_line = key.len() + value.len() > INLINE_BYTES;
        let inline_len = if out_of_line { 16 } else { value.len() };
        self.retry(|| {
            let (leaf, mut guard) = self.leaf_for_write(key)?;
            let node = Node { b: guard.bytes() };
            let index = node.search(key, false);
            let found = index < node.count() && compare_keys(node.key(index), key).is_eq();
            if found && !out_of_line && !node.overflowed(index) {
                let old = node.value(index);
                if value.len() <= old.len() {
                    // No longer than the value it replaces: written over it, the slots left
                    // where they are (a commit turning rows into tombstones does this per row).
                    let old = old.to_vec();
                    overwrite_value(guard.bytes_mut(), index, value);
                    return Ok(Some(old));
                }
            }
            let freed = if found {
                SLOT + key.len() + node.value(index).len()
            } else {
                0
            };
            let need = SLOT + key.len() + inline_len;
            let room = node.fits(need) || (found && node.used() - freed + need <= PAGE_BYTES);
            if !room {
                guard.release_unchanged();
                self.split(key, leaf)?;
                return Err(Fail::Restart);
            }
            let old = if found {
                let old = self.read_value(node, index)?;
                self.free_overflow(node, index)?;
                remove_at(guard.bytes_mut(), index);
                Some(old)
            } else {
                None
            };
            let inserted = if out_of_line {
                let reference = self.write_overflow(value)?;
                insert_at(guard.bytes_mut(), index, key, &reference, SLOT_OVERFLOW)
            } else {
                insert_at(guard.bytes_mut(), index, key, value, 0)
            };
            debug_assert!(inserted, "space was checked");
            Ok(old)
        })
    }

    /// Removes `key`; returns its value.
    pub fn remove(&self, key: &[u8]) -> Result<Option<Vec<u8>>, TreeError> {
        let (old, underfull) = self.retry(|| {
            let (_, mut guard) = self.leaf_for_write(key)?;
            let node = Node { b: guard.bytes() };
            let index = node.search(key, false);
            if index >= node.count() || node.key(index) != key {
                guard.release_unchanged();
                return Ok((None, false));
            }
            let old = self.read_value(node, index)?;
            self.free_overflow(node, index)?;
            remove_at(guard.bytes_mut(), index);
            let underfull = !Node { b: guard.bytes() }.uses_at_least(PAGE_BYTES / 4);
            Ok((Some(old), underfull))
        })?;
        if underfull {
            // Best effort: a merge that meets contention is simply skipped. A merge takes a
            // separator out of the parent, which may leave it under-full in turn: go up while
            // levels merge, then drop a root left with one child.
            let mut level = 0;
            loop {
                match self.merge(key, level) {
                    Ok(true) => level += 1,
                    Ok(false) | Err(Fail::Restart) => break,
                    Err(Fail::Error(error)) => return Err(error),
                }
            }
            if level > 0 {
                match self.shrink_root() {
                    Ok(()) | Err(Fail::Restart) => {}
                    Err(Fail::Error(error)) => return Err(error),
                }
            }
        }
        Ok(old)
    }

    /// Splits `node` (the node on `key`'s path): latches its parent and it, top-down. When the
    /// parent has no room for the separator, the parent is split instead (the caller retries).
    fn split(&self, key: &[u8], node: Pid) -> Step<()> {
        let (found, parent, _) = self.descend(Some(key), false, Stop::Node(node))?;
        if found != node {
            return Err(Fail::Restart);
        }
        let mut parent_guard = self.bm.fix_x(parent)?;
        let parent_view = Node {
            b: parent_guard.bytes(),
        };
        let still_parent = if parent == self.meta {
            parent_view.link() == node
        } else {
            parent_view.kind() == KIND_INNER
                && parent_view.covers(key)
                && parent_view.child_for(key, false).1 == node
        };
        if !still_parent {
            parent_guard.release_unchanged();
            return Err(Fail::Restart);
        }
        let mut node_guard = self.bm.fix_x(node)?;
        let view = Node {
            b: node_guard.bytes(),
        };
        if !matches!(view.kind(), KIND_LEAF | KIND_INNER) || view.count() < 2 {
            node_guard.release_unchanged();
            parent_guard.release_unchanged();
            return Err(Fail::Restart);
        }
        let copy = node_guard.bytes().to_vec();
        let view = Node { b: &copy };
        let leaf = view.kind() == KIND_LEAF;
        // Split where the left half holds about half of the entry bytes; but when keys arrive in
        // ascending order (the key goes past the last one of the rightmost node), keep the left
        // page 90% full, as PostgreSQL does for its rightmost leaf: a half-empty page left behind
        // by every append would double the file and the pages a scan reads.
        let total = entries_bytes(&entries(view, 0..view.count()));
        let appending = view.upper().is_none() && key > view.key(view.count() - 1);
        let target = if appending { total * 9 / 10 } else { total / 2 };
        let mut split = 0;
        let mut acc = 0;
        while split < view.count() - 1 && acc < target {
            let (_, klen, vlen, _) = view.slot(split);
            acc += SLOT + klen + vlen;
            split += 1;
        }
        // Leaves: left keeps [0, split), separator = its last key. Inner: left keeps [0, split),
        // the separator key(split) moves up and its child becomes the left's link.
        let split = split.clamp(1, view.count() - 1);
        let (separator, left_items, left_link, right_items) = if leaf {
            (
                view.key(split - 1),
                entries(view, 0..split),
                NO_PAGE,
                entries(view, split..view.count()),
            )
        } else {
            (
                view.key(split),
                entries(view, 0..split),
                view.child(split),
                entries(view, split + 1..view.count()),
            )
        };
        let room_in_parent = parent == self.meta
            || Node {
                b: parent_guard.bytes(),
            }
            .used()
                + SLOT
                + separator.len()
                + 8
                <= PAGE_BYTES;
        if !room_in_parent {
            node_guard.release_unchanged();
            parent_guard.release_unchanged();
            return self.split(key, parent);
        }
        let mut left = self.bm.allocate()?;
        build(
            left.bytes_mut(),
            view.kind(),
            view.lower(),
            Some(separator),
            left_link,
            &left_items,
        );
        build(
            node_guard.bytes_mut(),
            view.kind(),
            Some(separator),
            view.upper(),
            view.link(),
            &right_items,
        );
        put_u16(left.bytes_mut(), 26, view.level());
        put_u16(node_guard.bytes_mut(), 26, view.level());
        let left_pid = left.pid().to_le_bytes();
        if parent == self.meta {
            // The root splits: a new root with one separator over the two halves.
            let mut root = self.bm.allocate()?;
            let item = Entry {
                key: separator,
                value: &left_pid,
                flags: 0,
            };
            build(root.bytes_mut(), KIND_INNER, None, None, node, &[item]);
            put_u16(root.bytes_mut(), 26, view.level() + 1);
            put_u64(parent_guard.bytes_mut(), 32, root.pid());
        } else {
            let index = Node {
                b: parent_guard.bytes(),
            }
            .search(separator, false);
            let inserted = insert_at(parent_guard.bytes_mut(), index, separator, &left_pid, 0);
            debug_assert!(inserted, "room was checked");
        }
        Ok(())
    }

    /// Merges the node at `level` on `key`'s path (0: the leaf) with a sibling when it is under a
    /// quarter full and both fit in one page. Two inner nodes merge around the parent's separator
    /// between them: `left entries, (separator -> left's link), right entries`, right's link.
    /// Returns whether it merged.
    fn merge(&self, key: &[u8], level: usize) -> Step<bool> {
        let stop = if level == 0 {
            Stop::Leaf
        } else {
            Stop::Level(level)
        };
        let (node, parent, _) = self.descend(Some(key), false, stop)?;
        if parent == self.meta {
            return Ok(false);
        }
        let mut parent_guard = self.bm.fix_x(parent)?;
        let parent_view = Node {
            b: parent_guard.bytes(),
        };
        if parent_view.kind() != KIND_INNER || !parent_view.covers(key) {
            parent_guard.release_unchanged();
            return Err(Fail::Restart);
        }
        let (index, child) = parent_view.child_for(key, false);
        if child != node {
            parent_guard.release_unchanged();
            return Err(Fail::Restart);
        }
        let count = parent_view.count();
        if count == 0 {
            parent_guard.release_unchanged();
            return Ok(false);
        }
        // The pair (left, right) and the parent slot that points at the left one.
        let (slot, left, right) = if index < count {
            let right = if index + 1 < count {
                parent_view.child(index + 1)
            } else {
                parent_view.link()
            };
            (index, node, right)
        } else {
            (count - 1, parent_view.child(count - 1), node)
        };
        let separator = parent_view.key(slot).to_vec();
        if !self.valid_pid(left) || !self.valid_pid(right) {
            parent_guard.release_unchanged();
            return Err(Fail::Restart);
        }
        let mut left_guard = self.bm.fix_x(left)?;
        let mut right_guard = self.bm.fix_x(right)?;
        let left_copy = left_guard.bytes().to_vec();
        let left_view = Node { b: &left_copy };
        let right_copy = right_guard.bytes().to_vec();
        let right_view = Node { b: &right_copy };
        let kind = if level == 0 { KIND_LEAF } else { KIND_INNER };
        let left_link = left_view.link().to_le_bytes();
        let mut items = entries(left_view, 0..left_view.count());
        if kind == KIND_INNER {
            items.push(Entry {
                key: &separator,
                value: &left_link,
                flags: 0,
            });
        }
        items.extend(entries(right_view, 0..right_view.count()));
        let node_view = if node == left { left_view } else { right_view };
        let wanted = left_view.kind() == kind
            && right_view.kind() == kind
            && left_view.level() == level
            && right_view.level() == level
            && node_view.used() < PAGE_BYTES / 4
            && fits(left_view.lower(), right_view.upper(), &items);
        if !wanted {
            right_guard.release_unchanged();
            left_guard.release_unchanged();
            parent_guard.release_unchanged();
            return Ok(false);
        }
        let link = if kind == KIND_LEAF {
            NO_PAGE
        } else {
            right_view.link()
        };
        build(
            right_guard.bytes_mut(),
            kind,
            left_view.lower(),
            right_view.upper(),
            link,
            &items,
        );
        put_u16(right_guard.bytes_mut(), 26, level);
        remove_at(parent_guard.bytes_mut(), slot);
        left_guard.bytes_mut()[4] = KIND_FREE;
        self.forget_hint(left);
        self.bm.free(left_guard);
        Ok(true)
    }

    /// When the root is an inner node left with a single child, that child becomes the root (the
    /// tree loses a level).
    fn shrink_root(&self) -> Step<()> {
        let mut meta = self.bm.fix_x(self.meta)?;
        let root = Node { b: meta.bytes() }.link();
        if !self.valid_pid(root) {
            meta.release_unchanged();
            return Err(Fail::Restart);
        }
        let mut root_guard = self.bm.fix_x(root)?;
        let view = Node {
            b: root_guard.bytes(),
        };
        if view.kind() != KIND_INNER || view.count() > 0 {
            root_guard.release_unchanged();
            meta.release_unchanged();
            return Ok(());
        }
        let child = view.link();
        put_u64(meta.bytes_mut(), 32, child);
        root_guard.bytes_mut()[4] = KIND_FREE;
        self.forget_hint(root);
        self.bm.free(root_guard);
        Ok(())
    }

    /// Visits the entries with keys between `from` and `to` in `direction` order until `visit`
    /// returns false. Each leaf's matching entries are copied out under its shared latch and visited
    /// after it is released, so `visit` may use the tree.
    pub fn scan(
        &self,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        direction: Direction,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), TreeError> {
        self.scan_ranges(&mut std::iter::once((from, to)), direction, visit)
    }

    /// [`BTree::scan`] of each range in turn, until `visit` returns false: many seeks (a
    /// semi-join's keys) read with one set of buffers. Forward, a range that starts in the leaf
    /// the one before ended in (ranges in ascending order, several keys per leaf) is read from
    /// that leaf, as its parent still points to it, without descending from the root again.
    pub fn scan_ranges<'k>(
        &self,
        ranges: &mut dyn Iterator<Item = (Bound<&'k [u8]>, Bound<&'k [u8]>)>,
        direction: Direction,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), TreeError> {
        self.scan_ranges_visiting(ranges, direction, false, visit)
    }

    /// [`BTree::scan_ranges`] for a `visit` that reads and never writes this tree: each leaf's
    /// entries are visited where they lie, under the leaf's shared latch (which other readers
    /// share), not copied out first. A whole-table scan then reads each leaf's bytes once from
    /// memory instead of copying the page and reading the copy. A `visit` that changed this tree
    /// would wait forever for its own latch.
    pub fn scan_ranges_latched<'k>(
        &self,
        ranges: &mut dyn Iterator<Item = (Bound<&'k [u8]>, Bound<&'k [u8]>)>,
        direction: Direction,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), TreeError> {
        self.scan_ranges_visiting(ranges, direction, true, visit)
    }

    fn scan_ranges_visiting<'k>(
        &self,
        ranges: &mut dyn Iterator<Item = (Bound<&'k [u8]>, Bound<&'k [u8]>)>,
        direction: Direction,
        latched: bool,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), TreeError> {
        let owned = |bound: Bound<&[u8]>| match bound {
            Bound::Included(key) => Position::Included(key.to_vec()),
            Bound::Excluded(key) => Position::Excluded(key.to_vec()),
            Bound::Unbounded => Position::Start,
        };
        // One leaf's matching entries, copied out under its latch: the leaf's page whole into
        // `page` when they fill a quarter of it or more (one copy instead of one per entry),
        // else each into `bytes`, as are the values kept in overflow chains; `entries` holds
        // (in page, start, key end, value end) offsets into one of them. All three are reused
        // per leaf and per range.
        let mut page: Vec<u8> = Vec::new();
        let mut bytes: Vec<u8> = Vec::new();
        let mut entries: Vec<(bool, usize, usize, usize)> = Vec::new();
        // The leaf the last range ended in, as its parent placed it (parent, its version, the
        // leaf's index), and whether it has an upper fence, held in `ended_below`.
        let mut ended: Option<(Pid, u64, usize, bool)> = None;
        let mut ended_below: Vec<u8> = Vec::new();
        for (from, to) in ranges {
            let in_from = |key: &[u8]| match from {
                Bound::Included(bound) => key >= bound,
                Bound::Excluded(bound) => key > bound,
                Bound::Unbounded => true,
            };
            let in_to = |key: &[u8]| match to {
                Bound::Included(bound) => key <= bound,
                Bound::Excluded(bound) => key < bound,
                Bound::Unbounded => true,
            };
            let mut position = match direction {
                Direction::Forward => owned(from),
                Direction::Backward => match owned(to) {
                    Position::Start => Position::End,
                    other => other,
                },
            };
            // Where the next leaf is likely to be: (parent, its version when read, the leaf's index
            // in it). The next leaf is then read from the parent, still unchanged, instead of
            // descending from the root again; the fence check below makes a stale guess harmless.
            // A range's first leaf is the one the last range ended in when it starts below that
            // leaf's upper fence.
            let mut hint: Option<(Pid, u64, usize)> = match (ended.take(), &position) {
                (
                    Some((parent, version, index, bounded)),
                    Position::Included(key) | Position::Excluded(key),
                ) if direction == Direction::Forward
                    && (!bounded || key.as_slice() < ended_below.as_slice()) =>
                {
                    Some((parent, version, index))
                }
                _ => None,
            };
            // The hint names the leaf itself, not the next one: no read-ahead for it.
            let mut same_leaf = hint.is_some();
            let mut upcoming: Option<Pid> = None;
            // A latched visit said stop.
            let mut stopped = false;
            loop {
                let (next, done) = self.retry(|| {
                    bytes.clear();
                    entries.clear();
                    page.clear();
                    // The leaf that holds the position, latched shared and checked against its fences.
                    let (key, after) = match &position {
                        Position::Start => (Some(&[][..]), false),
                        Position::Included(key) => (Some(key.as_slice()), false),
                        Position::Excluded(key) => {
                            (Some(key.as_slice()), direction == Direction::Forward)
                        }
                        Position::End => (None, false),
                    };
                    // The leaf's place in its parent when it was found by a descent, not as the
                    // next leaf of one read before.
                    let mut descended = None;
                    let (leaf, parent, parent_version, index) =
                        match hint.take().and_then(|(p, v, i)| self.sibling(p, v, i)) {
                            Some((leaf, parent, version, index)) => {
                                // Read ahead once per window of leaves under this parent.
                                if index % READ_AHEAD == 0 && !std::mem::take(&mut same_leaf) {
                                    self.read_ahead(parent, version, index, direction);
                                }
                                (leaf, parent, version, Some(index))
                            }
                            None => {
                                let (leaf, parent, version, index) =
                                    self.descend_indexed(key, after, Stop::Leaf)?;
                                descended = index;
                                (leaf, parent, version, index)
                            }
                        };
                    // The leaf after this one is read next: its lines come into the cache while
                    // this one's entries are visited (an unvalidated guess; a wrong one is harmless).
                    upcoming = index.and_then(|i| {
                        let next = match direction {
                            Direction::Forward => i + 1,
                            Direction::Backward => i.checked_sub(1)?,
                        };
                        self.child_guess(parent, next)
                    });
                    let guard = self.bm.fix_s(leaf)?;
                    let node = Node { b: guard.bytes() };
                    let covered = node.kind() == KIND_LEAF
                        && match (&position, direction) {
                            (Position::Start, _) => node.lower().is_none(),
                            (Position::End, _) => node.upper().is_none(),
                            (Position::Excluded(key), Direction::Forward) => node.covers_after(key),
                            (Position::Included(key) | Position::Excluded(key), _) => {
                                node.covers(key)
                            }
                        };
                    if !covered {
                        return Err(Fail::Restart);
                    }
                    // The entries from the position on, in scan order (indexes `start..end`, upward
                    // or downward); the scan is done at the first key past its far bound, and skips
                    // keys before its near bound.
                    let (start, end, far, near): (usize, usize, KeyTest, KeyTest) = match direction
                    {
                        Direction::Forward => {
                            let start = match &position {
                                Position::Start | Position::End => 0,
                                // Every key of a leaf is above its lower fence.
                                Position::Excluded(key) if node.lower() == Some(key) => 0,
                                Position::Included(key) => node.search(key, false),
                                Position::Excluded(key) => node.search(key, true),
                            };
                            (start, node.count(), &in_to, &in_from)
                        }
                        Direction::Backward => {
                            let end = match &position {
                                Position::Start | Position::End => node.count(),
                                // Every key of a leaf is at most its upper fence.
                                Position::Included(key) if node.upper() == Some(key) => {
                                    node.count()
                                }
                                Position::Included(key) => node.search(key, true),
                                Position::Excluded(key) => node.search(key, false),
                            };
                            (0, end, &in_from, &in_to)
                        }
                    };
                    let mut done = false;
                    // Keys come in order: when the leaf's last one in scan order is within the far
                    // bound all are, and once one is past the near bound so is every later one, so
                    // most keys are compared with neither.
                    let last = match direction {
                        Direction::Forward => node.count().checked_sub(1),
                        Direction::Backward => (node.count() > 0).then_some(0),
                    };
                    let all_within = last.is_some_and(|i| far(node.key(i)));
                    let mut past_near = false;
                    let mut in_page = 0;
                    for n in 0..end.saturating_sub(start) {
                        let index = match direction {
                            Direction::Forward => start + n,
                            Direction::Backward => end - 1 - n,
                        };
                        let (offset, klen, vlen, flags) = node.slot(index);
                        let key = clamp(node.b, offset, klen);
                        if !all_within && !far(key) {
                            done = true;
                            break;
                        }
                        if past_near || near(key) {
                            past_near = true;
                            if flags & SLOT_OVERFLOW == 0 && offset + klen + vlen <= PAGE_BYTES {
                                in_page += klen + vlen;
                                entries.push((true, offset, offset + klen, offset + klen + vlen));
                            } else {
                                let start = bytes.len();
                                bytes.extend_from_slice(key);
                                let key_end = bytes.len();
                                self.append_value(node, index, &mut bytes)?;
                                entries.push((false, start, key_end, bytes.len()));
                            }
                        }
                    }
                    // Visited here, under the latch: the entries in the page where they lie, the
                    // others from `bytes`. Nothing after this fails, so none is visited twice.
                    if latched {
                        let mut line = 0;
                        let per_entry = prefetch_lines(entries.len());
                        for &(in_page, start, key_end, value_end) in &entries {
                            if let Some(pid) = upcoming.filter(|_| line < BufferManager::PAGE_LINES)
                            {
                                self.bm.prefetch_cache(pid, line..line + per_entry);
                                line += per_entry;
                            }
                            let from = if in_page { node.b } else { &bytes[..] };
                            if !visit(&from[start..key_end], &from[key_end..value_end]) {
                                stopped = true;
                                break;
                            }
                        }
                        if let Some(pid) = upcoming.filter(|_| line < BufferManager::PAGE_LINES) {
                            self.bm.prefetch_cache(pid, line..BufferManager::PAGE_LINES);
                        }
                        entries.clear();
                    } else if in_page >= PAGE_BYTES / 4 {
                        // Copied out, the entries stored in the page: the page whole when they are
                        // much of it, else each one (a seek's few rows would not pay for copying
                        // the rest).
                        page.extend_from_slice(node.b);
                    } else if in_page > 0 {
                        for entry in entries.iter_mut().filter(|entry| entry.0) {
                            let (_, start, key_end, value_end) = *entry;
                            let at = bytes.len();
                            bytes.extend_from_slice(&node.b[start..value_end]);
                            *entry = (false, at, at + key_end - start, at + value_end - start);
                        }
                    }
                    // No key beyond the leaf's far fence is in range: the scan ends here too,
                    // and reads nothing ahead (a range of exactly one leaf, as ANALYZE's leaf
                    // sample reads, would otherwise read the next leaves ahead for nothing).
                    let done = done
                        || match direction {
                            Direction::Forward => node.upper().is_some_and(|upper| match to {
                                Bound::Included(bound) | Bound::Excluded(bound) => upper >= bound,
                                Bound::Unbounded => false,
                            }),
                            Direction::Backward => node.lower().is_some_and(|lower| match from {
                                Bound::Included(bound) => lower < bound,
                                Bound::Excluded(bound) => lower <= bound,
                                Bound::Unbounded => false,
                            }),
                        };
                    let next = match direction {
                        _ if done => None,
                        Direction::Forward => {
                            node.upper().map(|upper| Position::Excluded(upper.to_vec()))
                        }
                        Direction::Backward => {
                            node.lower().map(|lower| Position::Included(lower.to_vec()))
                        }
                    };
                    // A scan that goes on past the leaf it descended to starts reading the next
                    // ones; one that ends in it (a seek) reads nothing more.
                    if let (Some(index), Some(_)) = (descended, &next) {
                        self.read_ahead(parent, parent_version, index, direction);
                    }
                    hint = index.and_then(|i| {
                        let next = match direction {
                            Direction::Forward => i + 1,
                            Direction::Backward => i.checked_sub(1)?,
                        };
                        Some((parent, parent_version, next))
                    });
                    // Where the next range may start reading (a range that ends here).
                    ended = None;
                    if let (true, Some(i)) = (done, index) {
                        ended_below.clear();
                        let upper = node.upper();
                        ended_below.extend_from_slice(upper.unwrap_or_default());
                        ended = Some((parent, parent_version, i, upper.is_some()));
                    }
                    Ok((next, done))
                })?;
                if stopped {
                    return Ok(());
                }
                // The next leaf's lines, a few per entry visited and the rest after the last.
                let per_entry = prefetch_lines(entries.len());
                let mut line = 0;
                for &(in_page, start, key_end, value_end) in &entries {
                    if let Some(pid) = upcoming.filter(|_| line < BufferManager::PAGE_LINES) {
                        self.bm.prefetch_cache(pid, line..line + per_entry);
                        line += per_entry;
                    }
                    let from = if in_page { &page } else { &bytes };
                    if !visit(&from[start..key_end], &from[key_end..value_end]) {
                        return Ok(());
                    }
                }
                if let Some(pid) = upcoming.filter(|_| line < BufferManager::PAGE_LINES) {
                    self.bm.prefetch_cache(pid, line..BufferManager::PAGE_LINES);
                }
                match next {
                    Some(next) if !done => position = next,
                    _ => break,
                }
            }
        }
        Ok(())
    }

    /// Frees every page of the tree (nodes, overflow chains, the meta page). Nobody may use the tree
    /// any more: it is consumed.
    pub fn destroy(self) -> Result<(), TreeError> {
        let root = {
            let meta = self.bm.fix_s(self.meta)?;
            Node { b: meta.bytes() }.link()
        };
        let mut stack = vec![root];
        while let Some(pid) = stack.pop() {
            if !self.valid_pid(pid) {
                return Err(self.corrupt(pid, "child pointer past the end of the file"));
            }
            let mut guard = self.bm.fix_x(pid)?;
            let node = Node { b: guard.bytes() };
            match node.kind() {
                KIND_INNER => {
                    let children = (0..node.count())
                        .map(|i| node.child(i))
                        .chain([node.link()]);
                    if node.level() == 1
                        && !self.has_overflow.load(std::sync::atomic::Ordering::Relaxed)
                    {
                        // Leaves without overflow chains hold nothing to follow: free them unread
                        // (an evicted one stays on disk, to be overwritten when reused).
                        for child in children {
                            if !self.valid_pid(child) {
                                return Err(
                                    self.corrupt(pid, "child pointer past the end of the file")
                                );
                            }
                            self.bm.free_unread(child)?;
                        }
                    } else {
                        stack.extend(children);
                    }
                }
                KIND_LEAF => {
                    for i in 0..node.count() {
                        self.free_overflow(node, i).map_err(|fail| match fail {
                            Fail::Error(error) => error,
                            Fail::Restart => self.corrupt(pid, "overflow chain changed"),
                        })?;
                    }
                }
                _ => return Err(self.corrupt(pid, "not a tree node")),
            }
            guard.bytes_mut()[4] = KIND_FREE;
            self.bm.free(guard);
        }
        let mut meta = self.bm.fix_x(self.meta)?;
        meta.bytes_mut()[4] = KIND_FREE;
        self.bm.free(meta);
        Ok(())
    }

    /// Child `index` of inner node `parent` (its link after the last key), if the parent is
    /// still as it was at `version`: (child, parent, version, index).
    fn sibling(&self, parent: Pid, version: u64, index: usize) -> Option<(Pid, Pid, u64, usize)> {
        let child = self.child_guess(parent, index)?;
        self.bm
            .validate(parent, version)
            .then_some((child, parent, version, index))
    }

    /// Child `index` of inner node `parent` (its link past the last key) as read without
    /// validation: a guess, for prefetching, or for [`BTree::sibling`] to validate.
    fn child_guess(&self, parent: Pid, index: usize) -> Option<Pid> {
        if parent == self.meta {
            return None;
        }
        let node = self.view(parent);
        if node.kind() != KIND_INNER {
            return None;
        }
        let count = node.count();
        let child = match index.cmp(&count) {
            std::cmp::Ordering::Less => node.child(index),
            std::cmp::Ordering::Equal => node.link(),
            std::cmp::Ordering::Greater => return None,
        };
        self.valid_pid(child).then_some(child)
    }

    /// Starts reading the next [`READ_AHEAD`] leaves after child `index` of `parent` in
    /// `direction` (its siblings), so a scan over a table larger than memory keeps several reads
    /// in flight.
    fn read_ahead(&self, parent: Pid, parent_version: u64, index: usize, direction: Direction) {
        if parent == self.meta {
            return;
        }
        let node = self.view(parent);
        let count = node.count();
        let child = |i: usize| {
            if i < count {
                node.child(i)
            } else {
                node.link()
            }
        };
        let mut next = [NO_PAGE; READ_AHEAD];
        let mut n = 0;
        let indexes: &mut dyn Iterator<Item = usize> = match direction {
            Direction::Forward => &mut (index + 1..=count),
            Direction::Backward => &mut (0..index.min(count + 1)).rev(),
        };
        for (slot, i) in next.iter_mut().zip(indexes) {
            *slot = child(i);
            n += 1;
        }
        // Garbage from a racing writer is dropped here; a stale but valid id only costs a read.
        if self.bm.validate(parent, parent_version) {
            for &pid in &next[..n] {
                self.bm.prefetch(pid);
            }
        }
    }

    /// Checks the whole tree's structure: fences nest, keys are sorted and inside their node's
    /// fences, every leaf is at the same depth. Returns the number of entries. For tests and a
    /// future `amcheck`; run it without concurrent writers.
    pub fn verify(&self) -> Result<usize, TreeError> {
        let root = {
            let meta = self.bm.fix_s(self.meta)?;
            Node { b: meta.bytes() }.link()
        };
        let mut leaf_depth = None;
        self.verify_node(root, None, None, 0, &mut leaf_depth)
    }

    /// The key range of each leaf, in key order: (exclusive lower, inclusive upper), None where
    /// infinite. Read from the inner nodes just above the leaves (each child's range lies between
    /// its neighbouring separators, the first and last bounded by the node's fences), so no leaf is
    /// read unless the root is one: a sample of leaves costs the inner nodes, about one page in a
    /// hundred (ANALYZE's block sample, `keel_sql`'s `ShardOp::Sample`).
    pub fn leaf_ranges(&self) -> Result<Vec<LeafRange>, TreeError> {
        let root = {
            let meta = self.bm.fix_s(self.meta)?;
            Node { b: meta.bytes() }.link()
        };
        let mut out = Vec::new();
        self.collect_leaf_ranges(root, &mut out)?;
        Ok(out)
    }

    fn collect_leaf_ranges(&self, pid: Pid, out: &mut Vec<LeafRange>) -> Result<(), TreeError> {
        if !self.valid_pid(pid) {
            return Err(self.corrupt(pid, "child pointer past the end of the file"));
        }
        let children: Vec<Pid> = {
            let guard = self.bm.fix_s(pid)?;
            let node = Node { b: guard.bytes() };
            let owned = |bytes: Option<&[u8]>| bytes.map(<[u8]>::to_vec);
            if node.kind() != KIND_INNER {
                out.push((owned(node.lower()), owned(node.upper())));
                return Ok(());
            }
            if node.level() == 1 {
                let mut lower = owned(node.lower());
                for i in 0..node.count() {
                    let upper = node.key(i).to_vec();
                    out.push((lower, Some(upper.clone())));
                    lower = Some(upper);
                }
                out.push((lower, owned(node.upper())));
                return Ok(());
            }
            (0..node.count())
                .map(|i| node.child(i))
                .chain([node.link()])
                .collect()
        };
        for child in children {
            self.collect_leaf_ranges(child, out)?;
        }
        Ok(())
    }

    /// Pages the tree's nodes take (the meta page, inner nodes and leaves; overflow chains of
    /// long values are not counted): every inner node is read, a leaf only when it is the first
    /// child of the lowest inner level (to learn that its siblings are leaves too).
    pub fn page_count(&self) -> Result<u64, TreeError> {
        let root = {
            let meta = self.bm.fix_s(self.meta)?;
            Node { b: meta.bytes() }.link()
        };
        Ok(1 + self.count_pages(root)?)
    }

    /// Pages of the subtree under `pid`: its nodes and the overflow chains of its leaves' long
    /// values (each chain one page per `OVERFLOW_DATA` bytes, as `write_overflow` cuts it).
    fn count_pages(&self, pid: Pid) -> Result<u64, TreeError> {
        let children: Vec<Pid> = {
            let guard = self.bm.fix_s(pid)?;
            let node = Node { b: guard.bytes() };
            if node.kind() != KIND_INNER {
                let chains: u64 = (0..node.count())
                    .filter(|&i| node.overflowed(i))
                    .map(|i| {
                        let value = node.value(i);
                        let total = if value.len() >= 8 {
                            u64_at(value, 0)
                        } else {
                            0
                        };
                        total.div_ceil(OVERFLOW_DATA as u64)
                    })
                    .sum();
                return Ok(1 + chains);
            }
            (0..node.count())
                .map(|i| node.child(i))
                .chain([node.link()])
                .collect()
        };
        // Every leaf is at the same depth: when the first child is a leaf (an inner node counts
        // at least itself and two children), all of them are, and without overflow chains each
        // counts one page.
        let overflow = self.has_overflow.load(std::sync::atomic::Ordering::Relaxed);
        let first = self.count_pages(children[0])?;
        if first == 1 && !overflow {
            return Ok(1 + children.len() as u64);
        }
        let mut total = 1 + first;
        for &child in &children[1..] {
            total += self.count_pages(child)?;
        }
        Ok(total)
    }

    fn verify_node(
        &self,
        pid: Pid,
        lower: Option<&[u8]>,
        upper: Option<&[u8]>,
        depth: usize,
        leaf_depth: &mut Option<usize>,
    ) -> Result<usize, TreeError> {
        let guard = self.bm.fix_s(pid)?;
        let copy = guard.bytes().to_vec();
        drop(guard);
        let node = Node { b: &copy };
        let fail = |what: &str| Err(self.corrupt(pid, what));
        if node.lower() != lower || node.upper() != upper {
            return fail("fences do not match the parent's separators");
        }
        for i in 0..node.count() {
            let key = node.key(i);
            if i > 0 && node.key(i - 1) >= key {
                return fail("keys out of order");
            }
            if !node.covers(key) {
                return fail("key outside the fences");
            }
        }
        match node.kind() {
            KIND_LEAF => {
                if *leaf_depth.get_or_insert(depth) != depth {
                    return fail("leaves at different depths");
                }
                Ok(node.count())
            }
            KIND_INNER => {
                let mut total = 0;
                let mut low = lower;
                for i in 0..node.count() {
                    total += self.verify_node(
                        node.child(i),
                        low,
                        Some(node.key(i)),
                        depth + 1,
                        leaf_depth,
                    )?;
                    low = Some(node.key(i));
                }
                total += self.verify_node(node.link(), low, upper, depth + 1, leaf_depth)?;
                Ok(total)
            }
            _ => fail("not a tree node"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bm::BmConfig;
    use keel_io::memory::MemoryDevice;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    fn tree(budget_pages: usize) -> BTree {
        let bm = BufferManager::new(
            "tree.keel",
            Box::new(MemoryDevice::new(1 << 32)),
            BmConfig {
                budget_bytes: budget_pages * PAGE_BYTES,
                virtual_bytes: 1 << 32,
            },
        )
        .unwrap();
        BTree::create(Arc::new(bm)).unwrap()
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn random_key(rng: &mut Rng) -> Vec<u8> {
        // Short keys from a small alphabet collide often (updates, deletes of present keys);
        // some long ones stress splits of inner nodes.
        let len = if rng.below(10) == 0 {
            1 + rng.below(MAX_KEY_BYTES as u64) as usize
        } else {
            1 + rng.below(12) as usize
        };
        (0..len).map(|_| b'a' + rng.below(6) as u8).collect()
    }

    #[test]
    fn compare_keys_is_byte_order() {
        let mut rng = Rng(0x51ed_2701);
        for _ in 0..20_000 {
            // Long shared prefixes, so the word loop and the byte tail both decide some pairs.
            let a = random_key(&mut rng);
            let mut b = a.clone();
            match rng.below(4) {
                0 => b = random_key(&mut rng),
                1 => b.truncate(rng.below(a.len() as u64 + 1) as usize),
                2 => b.push(rng.below(256) as u8),
                _ => {
                    let at = rng.below(a.len() as u64) as usize;
                    b[at] = rng.below(256) as u8;
                }
            }
            assert_eq!(compare_keys(&a, &b), a.as_slice().cmp(&b), "{a:?} {b:?}");
            assert_eq!(compare_keys(&b, &a), b.as_slice().cmp(&a), "{b:?} {a:?}");
        }
    }

    fn random_value(rng: &mut Rng) -> Vec<u8> {
        let len = match rng.below(20) {
            0 => 1000 + rng.below(12_000) as usize, // out of line
            1 => 0,
            _ => rng.below(120) as usize,
        };
        let seed = rng.next() as u8;
        (0..len).map(|i| seed.wrapping_add(i as u8)).collect()
    }

    fn collect(
        tree: &BTree,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        direction: Direction,
    ) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        tree.scan(from, to, direction, &mut |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            true
        })
        .unwrap();
        out
    }

    fn bound(rng: &mut Rng, key: &[u8]) -> Bound<Vec<u8>> {
        match rng.below(3) {
            0 => Bound::Unbounded,
            1 => Bound::Included(key.to_vec()),
            _ => Bound::Excluded(key.to_vec()),
        }
    }

    fn as_ref(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
        match bound {
            Bound::Included(k) => Bound::Included(k.as_slice()),
            Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
            Bound::Unbounded => Bound::Unbounded,
        }
    }

    /// Random inserts, updates, deletes, lookups and scans in both directions, checked against a
    /// `BTreeMap`, with a buffer pool small enough that pages are evicted and read back all the time.
    #[test]
    fn matches_a_btreemap_model_under_eviction() {
        for seed in 1..=3u64 {
            let tree = tree(96);
            let mut model = BTreeMap::new();
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            for step in 0..8_000 {
                let key = random_key(&mut rng);
                match rng.below(10) {
                    0..=4 => {
                        let value = random_value(&mut rng);
                        assert_eq!(
                            tree.insert(&key, &value).unwrap(),
                            model.insert(key.clone(), value),
                            "seed {seed} step {step}: insert"
                        );
                    }
                    5..=6 => assert_eq!(
                        tree.remove(&key).unwrap(),
                        model.remove(&key),
                        "seed {seed} step {step}: remove"
                    ),
                    7..=8 => assert_eq!(
                        tree.get(&key).unwrap(),
                        model.get(&key).cloned(),
                        "seed {seed} step {step}: get"
                    ),
                    _ => {
                        let other = random_key(&mut rng);
                        let (low, high) = if key <= other {
                            (key, other)
                        } else {
                            (other, key)
                        };
                        let from = bound(&mut rng, &low);
                        let to = bound(&mut rng, &high);
                        let direction = if rng.below(2) == 0 {
                            Direction::Forward
                        } else {
                            Direction::Backward
                        };
                        let mut expected: Vec<_> = model
                            .range::<[u8], _>((as_ref(&from), as_ref(&to)))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        if direction == Direction::Backward {
                            expected.reverse();
                        }
                        assert_eq!(
                            collect(&tree, as_ref(&from), as_ref(&to), direction),
                            expected,
                            "seed {seed} step {step}: scan"
                        );
                    }
                }
            }
            assert_eq!(tree.verify().unwrap(), model.len(), "seed {seed}");
            assert!(
                tree.buffer_manager()
                    .stats()
                    .evictions
                    .load(Ordering::Relaxed)
                    > 0
            );
            // Delete everything: merges run, and the tree is empty and valid afterwards.
            let keys: Vec<_> = model.keys().cloned().collect();
            for key in keys {
                assert!(tree.remove(&key).unwrap().is_some());
            }
            assert_eq!(tree.verify().unwrap(), 0);
            assert!(collect(
                &tree,
                Bound::Unbounded,
                Bound::Unbounded,
                Direction::Forward
            )
            .is_empty());
        }
    }

    /// Runs of ranges read by one `scan_ranges` or `scan_ranges_latched` (ascending keys several
    /// to a leaf, as semi-join seeks are; descending; overlapping; empty; a stop in the middle),
    /// against the same ranges scanned one by one on a `BTreeMap`, under eviction.
    #[test]
    fn scan_ranges_reads_each_range_in_turn() {
        let tree = tree(64);
        let mut model = BTreeMap::new();
        let mut rng = Rng(0x5eed_1234_9876_0001);
        for i in 0..20_000u64 {
            // Keys (i, 0..k) of every third i: prefixes of several entries, gaps between them.
            if i % 3 != 0 {
                continue;
            }
            for j in 0..(1 + i % 4) {
                let key = [i.to_be_bytes(), j.to_be_bytes()].concat();
                let value = random_value(&mut rng);
                tree.insert(&key, &value).unwrap();
                model.insert(key, value);
            }
        }
        for round in 0..40 {
            // Sometimes dense: several ranges start in one leaf.
            let count = 1 + rng.below(if round % 3 == 0 { 4000 } else { 300 }) as usize;
            let mut starts: Vec<u64> = (0..count).map(|_| rng.below(21_000)).collect();
            match round % 4 {
                0 | 1 => starts.sort_unstable(),
                2 => starts.sort_unstable_by(|a, b| b.cmp(a)),
                _ => {}
            }
            // Each range: the entries of one i (a prefix), or of i..i + width.
            let ranges: Vec<(Vec<u8>, Vec<u8>)> = starts
                .iter()
                .map(|&i| {
                    let width = if round % 2 == 0 { 1 } else { 1 + rng.below(30) };
                    (i.to_be_bytes().to_vec(), (i + width).to_be_bytes().to_vec())
                })
                .collect();
            let stop_after = (round % 5 == 4).then(|| rng.below(200) as usize);
            let mut expected = Vec::new();
            'ranges: for (from, to) in &ranges {
                for (k, v) in model.range::<[u8], _>((
                    Bound::Included(from.as_slice()),
                    Bound::Excluded(to.as_slice()),
                )) {
                    if stop_after.is_some_and(|most| expected.len() == most) {
                        break 'ranges;
                    }
                    expected.push((k.clone(), v.clone()));
                }
            }
            let mut got = Vec::new();
            let mut bounds = ranges.iter().map(|(from, to)| {
                (
                    Bound::Included(from.as_slice()),
                    Bound::Excluded(to.as_slice()),
                )
            });
            // Every other pair of rounds visits under the leaf's latch, reading the tree again
            // from the visit (the leaf it holds shared, others brought in under eviction).
            let latched = round / 2 % 2 == 1;
            let mut visit = |k: &[u8], v: &[u8]| {
                if stop_after.is_some_and(|most| got.len() == most) {
                    return false;
                }
                if latched {
                    assert_eq!(tree.get(k).unwrap().as_deref(), Some(v), "round {round}");
                }
                got.push((k.to_vec(), v.to_vec()));
                true
            };
            if latched {
                tree.scan_ranges_latched(&mut bounds, Direction::Forward, &mut visit)
            } else {
                tree.scan_ranges(&mut bounds, Direction::Forward, &mut visit)
            }
            .unwrap();
            assert_eq!(got.len(), expected.len(), "round {round}");
            assert!(got == expected, "round {round}");
        }
    }

    #[test]
    fn page_count_counts_overflow_chains() {
        let tree = tree(10_000);
        // Long values (out of line, chains of 1 to 4 pages) between short ones, over many leaves.
        for i in 0..3_000u64 {
            let len = if i % 7 == 0 {
                PAGE_BYTES * (1 + i as usize % 4) - 100
            } else {
                40
            };
            tree.insert(&i.to_be_bytes(), &vec![i as u8; len]).unwrap();
        }
        // The only tree in its file: every page in use is its.
        assert_eq!(
            tree.page_count().unwrap(),
            tree.buffer_manager().pages_in_use()
        );
    }

    /// The leaves' ranges from the inner nodes: one per leaf, in key order, adjoining, from
    /// infinity to infinity, each holding the keys a scan of it finds, together every key once;
    /// with the tree larger than the pool, only inner nodes are read for them.
    #[test]
    fn leaf_ranges_cover_every_key_once_without_reading_leaves() {
        let tree = tree(64);
        assert_eq!(tree.leaf_ranges().unwrap(), vec![(None, None)]);
        let mut rng = Rng(7);
        let mut model = std::collections::BTreeSet::new();
        for _ in 0..30_000 {
            let key = rng.next().to_be_bytes();
            tree.insert(&key, &[1u8; 40]).unwrap();
            model.insert(key.to_vec());
        }
        assert!(tree.height().unwrap() >= 3);
        let bm = tree.buffer_manager().clone();
        bm.evict_all();
        let reads = bm.stats().reads.load(AtomicOrdering::Relaxed);
        let ranges = tree.leaf_ranges().unwrap();
        let read = bm.stats().reads.load(AtomicOrdering::Relaxed) - reads;
        let leaves = ranges.len() as u64;
        // Meta page, root and inner nodes: a page per inner node at most, besides the leaves.
        assert_eq!(tree.page_count().unwrap() - leaves - 1, read - 1);
        assert_eq!(ranges.first().unwrap().0, None);
        assert_eq!(ranges.last().unwrap().1, None);
        assert!(ranges
            .windows(2)
            .all(|w| w[0].1.is_some() && w[0].1 == w[1].0));
        let mut found = 0;
        for (lower, upper) in &ranges {
            let rows = collect(
                &tree,
                lower.as_deref().map_or(Bound::Unbounded, Bound::Excluded),
                upper.as_deref().map_or(Bound::Unbounded, Bound::Included),
                Direction::Forward,
            );
            assert!(!rows.is_empty(), "an empty leaf after inserts only");
            found += rows.len();
        }
        assert_eq!(found, model.len());
        // A scan of one leaf's range reads that leaf alone: it ends at the leaf's upper fence,
        // with nothing read ahead.
        for (lower, upper) in ranges.iter().skip(3).step_by(7).take(10) {
            bm.evict_all();
            tree.leaf_ranges().unwrap();
            let reads = bm.stats().reads.load(AtomicOrdering::Relaxed);
            collect(
                &tree,
                Bound::Excluded(lower.as_deref().unwrap()),
                Bound::Included(upper.as_deref().unwrap()),
                Direction::Forward,
            );
            assert_eq!(bm.stats().reads.load(AtomicOrdering::Relaxed) - reads, 1);
        }
    }

    #[test]
    fn sequential_keys_split_into_a_deep_tree_and_scan_both_ways() {
        let tree = tree(10_000);
        let n = 50_000u64;
        for i in 0..n {
            tree.insert(&i.to_be_bytes(), &(i * 3).to_le_bytes())
                .unwrap();
        }
        assert_eq!(tree.verify().unwrap(), n as usize);
        // Appends leave full pages behind (90%), not half-empty ones.
        let bytes = n as usize * (SLOT + 8 + 8);
        let minimum = bytes.div_ceil(PAGE_BYTES - HEADER) as u64;
        let pages = tree.buffer_manager().pages_in_use();
        assert!(
            pages <= minimum * 5 / 4,
            "{pages} pages for {minimum} pages' worth of entries"
        );
        // The only tree in its file: it counts every page in use (pg_relation_size's source).
        assert_eq!(tree.page_count().unwrap(), pages);
        let forward = collect(
            &tree,
            Bound::Included(&100u64.to_be_bytes()),
            Bound::Excluded(&40_000u64.to_be_bytes()),
            Direction::Forward,
        );
        assert_eq!(forward.len(), 39_900);
        assert!(forward.windows(2).all(|w| w[0].0 < w[1].0));
        let backward = collect(
            &tree,
            Bound::Unbounded,
            Bound::Unbounded,
            Direction::Backward,
        );
        assert_eq!(backward.len(), n as usize);
        assert_eq!(backward[0].0, (n - 1).to_be_bytes());
        // Delete every other key, then the rest in reverse: leaves merge back.
        for i in (0..n).step_by(2) {
            tree.remove(&i.to_be_bytes()).unwrap();
        }
        assert_eq!(tree.verify().unwrap(), n as usize / 2);
        let pages_before = tree.buffer_manager().pages_in_use();
        let height = tree.height().unwrap();
        assert!(height >= 3, "height {height}");
        for i in (1..n).rev().step_by(2) {
            tree.remove(&i.to_be_bytes()).unwrap();
            if i % 1001 == 1 {
                tree.verify().unwrap();
            }
        }
        assert_eq!(tree.verify().unwrap(), 0);
        // Inner nodes merged too, up to the root: the empty tree is one leaf again.
        assert_eq!(tree.height().unwrap(), 1);
        // Freed pages are reused instead of growing the file.
        for i in 0..n / 2 {
            tree.insert(&i.to_be_bytes(), b"again").unwrap();
        }
        assert_eq!(tree.buffer_manager().pages_in_use(), pages_before);
    }

    #[test]
    fn dropping_a_tree_frees_its_leaves_without_reading_them() {
        let first = tree(64);
        let bm = first.buffer_manager().clone();
        let fill = |tree: &BTree| {
            for i in 0..20_000u64 {
                tree.insert(&i.to_be_bytes(), &[7u8; 40]).unwrap();
            }
        };
        fill(&first);
        let pages = bm.pages_in_use();
        let reads = bm.stats().reads.load(Ordering::Relaxed);
        first.destroy().unwrap();
        let read_to_drop = bm.stats().reads.load(Ordering::Relaxed) - reads;
        assert!(
            read_to_drop < pages / 10,
            "{read_to_drop} of {pages} pages read to drop"
        );
        // The freed pages (evicted ones included) are reused, and come back clean.
        let second = BTree::create(bm.clone()).unwrap();
        fill(&second);
        assert_eq!(bm.pages_in_use(), pages);
        assert_eq!(second.verify().unwrap(), 20_000);
        assert_eq!(
            second.get(&77u64.to_be_bytes()).unwrap(),
            Some(vec![7u8; 40])
        );
    }

    #[test]
    fn scans_read_ahead_when_the_table_is_larger_than_the_pool() {
        let tree = tree(64);
        let bm = tree.buffer_manager().clone();
        let n = 30_000u64;
        for i in 0..n {
            tree.insert(&i.to_be_bytes(), &[1u8; 60]).unwrap();
        }
        for direction in [Direction::Forward, Direction::Backward] {
            bm.evict_all();
            let reads = bm.stats().reads.load(Ordering::Relaxed);
            let keys: Vec<u64> = collect(&tree, Bound::Unbounded, Bound::Unbounded, direction)
                .into_iter()
                .map(|(k, _)| u64::from_be_bytes(k.try_into().unwrap()))
                .collect();
            let mut expected: Vec<u64> = (0..n).collect();
            if direction == Direction::Backward {
                expected.reverse();
            }
            assert_eq!(keys, expected);
            // Read-ahead pages are read once, not again by the scan that reaches them (only a few
            // inner nodes are read twice, evicted between two descents through a 64-page pool).
            let pages = bm.pages_in_use();
            let read = bm.stats().reads.load(Ordering::Relaxed) - reads;
            assert!(read <= pages + 64, "{read} reads for {pages} pages");
        }
        // The first leaf of a scan starts the reads of the next ones.
        bm.evict_all();
        tree.scan(
            Bound::Unbounded,
            Bound::Unbounded,
            Direction::Forward,
            &mut |_, _| false,
        )
        .unwrap();
        bm.pump();
        assert!(
            bm.resident_pages() >= READ_AHEAD,
            "{} resident",
            bm.resident_pages()
        );
        // A scan that ends in the leaf it descended to (a seek) reads nothing ahead: only the
        // pages on its path come in.
        bm.evict_all();
        let (from, to) = (1000u64.to_be_bytes(), 1003u64.to_be_bytes());
        let mut seen = 0;
        tree.scan(
            Bound::Included(&from),
            Bound::Excluded(&to),
            Direction::Forward,
            &mut |_, _| {
                seen += 1;
                true
            },
        )
        .unwrap();
        bm.pump();
        assert_eq!(seen, 3);
        assert!(
            bm.resident_pages() < READ_AHEAD / 2,
            "{} resident",
            bm.resident_pages()
        );
        assert_eq!(tree.verify().unwrap(), n as usize);
    }

    #[test]
    fn keys_too_long_are_refused() {
        let tree = tree(100);
        let key = vec![1u8; MAX_KEY_BYTES + 1];
        assert_eq!(
            tree.insert(&key, b"x"),
            Err(TreeError::KeyTooLong {
                len: MAX_KEY_BYTES + 1
            })
        );
        assert!(tree
            .insert(&key[..MAX_KEY_BYTES], &[7u8; 5000])
            .unwrap()
            .is_none());
        assert_eq!(
            tree.get(&key[..MAX_KEY_BYTES]).unwrap(),
            Some(vec![7u8; 5000])
        );
    }

    /// Readers on other threads look up keys the writer has already inserted, and scan, while the
    /// writer splits nodes all the time (and pages are evicted): they must always find them.
    #[test]
    fn concurrent_readers_during_splits() {
        let tree = Arc::new(tree(400));
        let written = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let key = |i: u64| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).to_be_bytes();
        let readers: Vec<_> = (0..3)
            .map(|r| {
                let (tree, written, stop) = (tree.clone(), written.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut rng = Rng(0x1234_5678 + r);
                    let mut checks = 0u64;
                    while !stop.load(Ordering::Acquire) {
                        let upto = written.load(Ordering::Acquire);
                        if upto == 0 {
                            continue;
                        }
                        let i = rng.below(upto);
                        let value = tree.get(&key(i)).unwrap();
                        assert_eq!(value, Some(i.to_le_bytes().to_vec()), "key {i} of {upto}");
                        if checks.is_multiple_of(64) {
                            let mut last: Option<Vec<u8>> = None;
                            let mut seen = 0;
                            tree.scan(
                                Bound::Unbounded,
                                Bound::Unbounded,
                                Direction::Forward,
                                &mut |k, _| {
                                    assert!(
                                        last.as_deref().is_none_or(|l| l < k),
                                        "scan out of order"
                                    );
                                    last = Some(k.to_vec());
                                    seen += 1;
                                    true
                                },
                            )
                            .unwrap();
                            assert!(seen >= upto, "scan saw {seen} of at least {upto}");
                        }
                        checks += 1;
                    }
                    checks
                })
            })
            .collect();
        for i in 0..30_000u64 {
            tree.insert(&key(i), &i.to_le_bytes()).unwrap();
            written.store(i + 1, Ordering::Release);
        }
        stop.store(true, Ordering::Release);
        for reader in readers {
            assert!(reader.join().unwrap() > 0);
        }
        assert_eq!(tree.verify().unwrap(), 30_000);
    }
}
