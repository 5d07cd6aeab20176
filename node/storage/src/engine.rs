//! The ordered key/value tree under one (table, vshard), on the worker's pages.
//!
//! A [`PagedTree`] maps order-preserving key bytes to row bytes in a [`BTree`] on the worker's
//! [`BufferManager`], so a worker's tables can be larger than its memory budget. It holds the *newest*
//! version of every row, committed or not; row locks and before-images live beside it in
//! [`crate::store`]. [`Pages`] is the worker's page space (one data file, one buffer manager) that all
//! its trees share.
//!
//! The data file holds the last checkpoint's image beside the pages written since (shadow paging,
//! see [`crate::bm`]); recovery opens the image and replays the log from the checkpoint's cut. A
//! storage error under a tree (an IO error, a page that fails its checksum) stops the node rather
//! than serve a wrong row; the error names the file and the page.

use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use crate::bm::{BmConfig, BmError, BufferManager, MissMode, Pid};
use crate::btree::{BTree, Direction, TreeError};

/// A worker's page space: one file, one buffer manager.
#[derive(Clone)]
pub struct Pages {
    bm: Arc<BufferManager>,
}

impl Pages {
    /// Pages in memory only (tests, and tools that need no file): a memory device behind the buffer
    /// manager with a budget of `budget_bytes`.
    pub fn in_memory(budget_bytes: usize) -> Pages {
        let device = Box::new(keel_io::memory::MemoryDevice::new(1 << 40));
        Pages::on_device("memory", device, budget_bytes, &[])
            .unwrap_or_else(|error| fatal(&format!("cannot map the page space: {error}")))
    }

    /// A fresh page space in the file at `path` (created or emptied), through io_uring with
    /// O_DIRECT, keeping at most `budget_bytes` resident and growing to at most `max_bytes` (the
    /// virtual range reserved for it). With `userfault`, misses are served by a userfaultfd resolver
    /// ("active virtual memory") instead of explicit reads.
    pub fn create_file(
        path: &Path,
        budget_bytes: usize,
        max_bytes: usize,
        userfault: bool,
    ) -> Result<Pages, String> {
        Pages::open_file(path, budget_bytes, max_bytes, userfault, &[])
    }

    /// As [`create_file`](Self::create_file) for a file that holds a checkpoint image whose page
    /// table is `image` (see [`BufferManager::with_misses`]); an empty `image` creates or empties
    /// the file.
    pub fn open_file(
        path: &Path,
        budget_bytes: usize,
        max_bytes: usize,
        userfault: bool,
        image: &[u64],
    ) -> Result<Pages, String> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(image.is_empty())
            .open(path)
            .map_err(|e| format!("open {}: {e}", path.display()))?;
        drop(file);
        let device = keel_io::uring::UringDevice::open(
            path,
            max_bytes as u64,
            // Completions must wake the worker's reactor (nonblocking reads are awaited through
            // the ring's descriptor), so no cooperative task running.
            keel_io::uring::UringOptions {
                entries: 256,
                coop_taskrun: false,
                ..Default::default()
            },
        )
        .map_err(|e| format!("open {}: {e}", path.display()))?;
        let misses = if userfault {
            let (file, _) = keel_io::open_direct(path)
                .map_err(|e| format!("open {} for the userfault resolver: {e}", path.display()))?;
            MissMode::Userfault(file)
        } else {
            MissMode::Explicit
        };
        let bm = BufferManager::with_misses(
            &path.display().to_string(),
            Box::new(device),
            BmConfig {
                budget_bytes,
                virtual_bytes: max_bytes,
            },
            image,
            misses,
        )
        .map_err(|e| {
            format!(
                "map the page space of {} ({max_bytes} bytes of address space; lower storage.data_file_max_bytes under vm.overcommit_memory=2): {e}",
                path.display()
            )
        })?;
        Ok(Pages { bm: Arc::new(bm) })
    }

    /// Pages on any device (the simulated one in tests), explicit misses, a virtual range of
    /// 1 TiB; `image` as in [`BufferManager::with_misses`].
    pub fn on_device(
        name: &str,
        device: Box<dyn keel_io::device::Device + Send>,
        budget_bytes: usize,
        image: &[u64],
    ) -> Result<Pages, String> {
        let bm = BufferManager::with_misses(
            name,
            device,
            BmConfig {
                budget_bytes,
                virtual_bytes: 1 << 40,
            },
            image,
            MissMode::Explicit,
        )
        .map_err(|e| format!("map the page space of {name}: {e}"))?;
        Ok(Pages { bm: Arc::new(bm) })
    }

    pub fn buffer_manager(&self) -> &Arc<BufferManager> {
        &self.bm
    }
}

/// A storage error under a tree: stop the node (see the module docs).
fn fatal(message: &str) -> ! {
    eprintln!("keel: FATAL: storage: {message}; stopping rather than serve wrong data");
    std::process::abort();
}

fn check<T>(result: Result<T, TreeError>) -> T {
    result.unwrap_or_else(|error| fatal(&error.to_string()))
}

thread_local! {
    static SOFT_READS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static READ_FAILURE: std::cell::Cell<Option<BmError>> = const { std::cell::Cell::new(None) };
}

/// Runs read-only work so that a page that cannot be read (it fails its checksum, or the device
/// fails) fails the read instead of stopping the node. Returns `f`'s result and the first such
/// failure: when it is `Some`, the result is incomplete and must be discarded. (A write that meets
/// such a page still stops the node: it could not finish its change.)
pub fn reads_fail_softly<R>(f: impl FnOnce() -> R) -> (R, Option<BmError>) {
    crate::bm::scoped(&SOFT_READS, &READ_FAILURE, f)
}

/// For reads: a page being read in ([`crate::bm::nonblocking`] mode) gives `missing` (the caller
/// discards the result and retries once the page is in); so does a page that cannot be read under
/// [`reads_fail_softly`] (the caller reports it).
fn check_read<T>(result: Result<T, TreeError>, missing: T) -> T {
    match result {
        Err(TreeError::Bm(BmError::WouldBlock(pid))) => {
            crate::bm::record_miss(pid);
            missing
        }
        Err(TreeError::Bm(error @ (BmError::Corrupt { .. } | BmError::Io { .. })))
            if SOFT_READS.with(std::cell::Cell::get) =>
        {
            // The first failure is the one reported.
            READ_FAILURE.with(|failure| {
                let first = failure.take().unwrap_or(error);
                failure.set(Some(first));
            });
            missing
        }
        other => check(other),
    }
}

/// Ordered bytes-to-bytes map for one (table, vshard), on pages.
pub struct PagedTree {
    tree: BTree,
    rows: usize,
    /// The lowest and highest keys stored since they were first asked for (None inside: the
    /// tree was empty then and has had nothing since); None until then. Removing a key leaves
    /// them be, so they stay bounds of the keys in the tree (see [`PagedTree::key_bound`]).
    bounds: std::cell::RefCell<Option<Option<KeyRange>>>,
}

/// The lowest and the highest of some keys.
type KeyRange = (Vec<u8>, Vec<u8>);

/// Where a read of a whole tree in one direction meets its first key at the earliest
/// ([`PagedTree::key_bound`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyBound {
    /// No key at all.
    Empty,
    /// No key comes before this one in the read's direction (it may be gone).
    At(Vec<u8>),
    /// Not known (a page the tree's ends are on could not be read right now).
    Unknown,
}

impl std::fmt::Debug for PagedTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PagedTree(meta page {}, {} rows)",
            self.tree.meta_pid(),
            self.rows
        )
    }
}

impl PagedTree {
    /// An empty tree in `pages`.
    pub fn new(pages: &Pages) -> PagedTree {
        PagedTree {
            tree: check(BTree::create(pages.bm.clone())),
            rows: 0,
            bounds: std::cell::RefCell::new(Some(None)),
        }
    }

    /// The tree whose meta page is `meta` in `pages`, holding `rows` rows (from a checkpoint).
    pub fn open(pages: &Pages, meta: Pid, rows: usize) -> PagedTree {
        PagedTree {
            tree: BTree::open(pages.bm.clone(), meta),
            rows,
            bounds: std::cell::RefCell::new(None),
        }
    }

    /// The key a read of the whole tree in `direction` meets first at the earliest: the lowest
    /// key (Forward) or the highest (Backward) stored since the tree was made or first asked,
    /// found then by reading its first and last keys, kept up to date by [`PagedTree::put`]. A
    /// key-ordered merge over many trees reads only the trees whose bound comes before the rows
    /// it has taken so far (`keel_sql::fragment::ordered_scan`).
    pub fn key_bound(&self, direction: Direction) -> KeyBound {
        if self.bounds.borrow().is_none() {
            let edge = |direction| {
                let mut found = None;
                let read = self.tree.scan(
                    Bound::Unbounded,
                    Bound::Unbounded,
                    direction,
                    &mut |key, _| {
                        found = Some(key.to_vec());
                        false
                    },
                );
                read.map(|()| found)
            };
            match (edge(Direction::Forward), edge(Direction::Backward)) {
                (Ok(low), Ok(high)) => *self.bounds.borrow_mut() = Some(low.zip(high)),
                _ => return KeyBound::Unknown,
            }
        }
        match &*self.bounds.borrow() {
            Some(Some((low, high))) => KeyBound::At(match direction {
                Direction::Forward => low.clone(),
                Direction::Backward => high.clone(),
            }),
            _ => KeyBound::Empty,
        }
    }

    /// The tree's meta page (what a checkpoint stores to find it again).
    pub fn meta_pid(&self) -> Pid {
        self.tree.meta_pid()
    }

    /// The last key, if any.
    pub fn last_key(&self) -> Option<Vec<u8>> {
        let mut last = None;
        check_read(
            self.tree.scan(
                Bound::Unbounded,
                Bound::Unbounded,
                Direction::Backward,
                &mut |key, _| {
                    last = Some(key.to_vec());
                    false
                },
            ),
            (),
        );
        last
    }

    /// The row stored under `key`.
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        check_read(self.tree.get(key), None)
    }

    /// Whether a row is stored under `key`.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// Stores `row` under `key`, returning the row it replaced.
    pub fn put(&mut self, key: &[u8], row: &[u8]) -> Option<Vec<u8>> {
        let old = check(self.tree.insert(key, row));
        if old.is_none() {
            self.rows += 1;
            match self.bounds.get_mut() {
                Some(Some((low, high))) => {
                    if key < low.as_slice() {
                        *low = key.to_vec();
                    }
                    if key > high.as_slice() {
                        high.clear();
                        high.extend_from_slice(key);
                    }
                }
                Some(bounds @ None) => *bounds = Some((key.to_vec(), key.to_vec())),
                None => {}
            }
        }
        old
    }

    /// Removes `key`, returning its row.
    pub fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let old = check(self.tree.remove(key));
        if old.is_some() {
            self.rows -= 1;
        }
        old
    }

    /// Visits rows with keys between `from` and `to` in key order until `visit` returns false.
    pub fn scan(
        &self,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) {
        check_read(self.tree.scan(from, to, Direction::Forward, visit), ())
    }

    /// [`PagedTree::scan`] of each range in turn, in `direction` order, visiting each leaf's rows
    /// under its latch (see [`BTree::scan_ranges_latched`]): `visit` cannot change this tree,
    /// which takes `&mut self`.
    pub fn scan_ranges<'k>(
        &self,
        ranges: &mut dyn Iterator<Item = (Bound<&'k [u8]>, Bound<&'k [u8]>)>,
        direction: Direction,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) {
        check_read(self.tree.scan_ranges_latched(ranges, direction, visit), ())
    }

    /// Each leaf's key range, in key order (see [`BTree::leaf_ranges`]).
    pub fn leaf_ranges(&self) -> Vec<crate::btree::LeafRange> {
        check_read(self.tree.leaf_ranges(), Vec::new())
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Pages of the tree (see [`BTree::page_count`]).
    pub fn page_count(&self) -> u64 {
        check_read(self.tree.page_count(), 0)
    }

    /// Whether the tree holds no row.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Frees every page of the tree.
    pub fn destroy(self) {
        check(self.tree.destroy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both miss paths on a real file, with a budget far below the data: rows written, evicted, read
    /// back (through io_uring, or through the userfaultfd resolver), all intact.
    #[test]
    fn both_miss_modes_page_a_file_larger_than_the_budget() {
        let dir = std::env::temp_dir().join(format!("keel-engine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for userfault in [false, true] {
            let path = dir.join(format!("data-{userfault}.keel"));
            let pages = match Pages::create_file(&path, 64 * 4096, 1 << 30, userfault) {
                Ok(pages) => pages,
                Err(error) if userfault && error.contains("userfaultfd") => {
                    eprintln!("skipping the userfault mode: {error}");
                    continue;
                }
                Err(error) => panic!("{error}"),
            };
            let mut tree = PagedTree::new(&pages);
            let row = |i: u32| format!("row {i} {}", "x".repeat((i % 300) as usize)).into_bytes();
            for i in 0..20_000u32 {
                tree.put(&i.to_be_bytes(), &row(i));
            }
            for i in (0..20_000u32).rev() {
                assert_eq!(
                    tree.get(&i.to_be_bytes()),
                    Some(row(i)),
                    "userfault {userfault}"
                );
            }
            let bm = pages.buffer_manager();
            assert!(bm.resident_pages() <= bm.budget_pages() + 1);
            assert!(bm.stats().reads.load(std::sync::atomic::Ordering::Relaxed) > 100);
            if userfault {
                let faults = bm.fault_stats().unwrap();
                assert!(faults.faults.load(std::sync::atomic::Ordering::Relaxed) > 100);
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Dropping a userfault page space unmaps its range once: a range another thread maps at that
    /// address as soon as it is free stays mapped. (The buffer manager once unmapped the range
    /// itself and then again through its region, pulling away what had been mapped there in
    /// between: a SIGSEGV in the unit tests, which run side by side in one process.)
    #[test]
    fn dropping_a_userfault_page_space_leaves_other_mappings_alone() {
        let dir = std::env::temp_dir().join(format!("keel-engine-drop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let len = 1usize << 30;
        let pages = match Pages::create_file(&dir.join("data.keel"), 64 * 4096, len, true) {
            Ok(pages) => pages,
            Err(error) if error.contains("userfaultfd") => {
                eprintln!("skipping: {error}");
                return;
            }
            Err(error) => panic!("{error}"),
        };
        let base = pages.buffer_manager().page_ptr(0) as usize;
        // Maps the page space's range (without replacing anything) as soon as it is free.
        let mapper = std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while std::time::Instant::now() < deadline {
                // SAFETY: reserves address space (no memory) where nothing is mapped, or fails.
                let at = unsafe {
                    libc::mmap(
                        base as *mut libc::c_void,
                        len,
                        libc::PROT_NONE,
                        libc::MAP_PRIVATE
                            | libc::MAP_ANONYMOUS
                            | libc::MAP_NORESERVE
                            | libc::MAP_FIXED_NOREPLACE,
                        -1,
                        0,
                    )
                };
                if at as usize == base {
                    return true;
                }
                if at != libc::MAP_FAILED {
                    // An old kernel takes the flag as a hint and maps elsewhere.
                    // SAFETY: releasing the range just reserved.
                    unsafe { libc::munmap(at, len) };
                    return false;
                }
            }
            false
        });
        drop(pages);
        if mapper.join().unwrap() {
            // mincore fails with ENOMEM on a range that is not (wholly) mapped.
            let mut resident = vec![0u8; len / 4096];
            // SAFETY: asks about the range the mapper reserved; writes one byte per page.
            let mapped =
                unsafe { libc::mincore(base as *mut libc::c_void, len, resident.as_mut_ptr()) };
            assert_eq!(
                mapped, 0,
                "the range mapped where the page space was is gone"
            );
            // SAFETY: releasing the mapper's range.
            unsafe { libc::munmap(base as *mut libc::c_void, len) };
        } else {
            eprintln!("could not map the page space's range after it: nothing to check");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn key_bounds_follow_puts_and_are_found_in_a_reopened_tree() {
        let ends = |tree: &PagedTree| {
            (
                tree.key_bound(Direction::Forward),
                tree.key_bound(Direction::Backward),
            )
        };
        let at =
            |low: &[u8], high: &[u8]| (KeyBound::At(low.to_vec()), KeyBound::At(high.to_vec()));
        let pages = Pages::in_memory(1 << 20);
        let mut tree = PagedTree::new(&pages);
        assert_eq!(ends(&tree), (KeyBound::Empty, KeyBound::Empty));
        for key in [b"m", b"c", b"x", b"d"] {
            tree.put(key, key);
        }
        assert_eq!(ends(&tree), at(b"c", b"x"));
        // A removed key may stay the bound (no key comes before it either way).
        tree.remove(b"x");
        assert_eq!(ends(&tree), at(b"c", b"x"));
        tree.put(b"a", b"a");
        tree.put(b"z", b"z");
        assert_eq!(ends(&tree), at(b"a", b"z"));
        // Opened again (as from a checkpoint): read from the tree's ends when first asked, then
        // kept up to date.
        let mut reopened = PagedTree::open(&pages, tree.meta_pid(), tree.len());
        assert_eq!(ends(&reopened), at(b"a", b"z"));
        reopened.put(b"zz", b"zz");
        assert_eq!(ends(&reopened), at(b"a", b"zz"));
        // A key put before the bounds were first asked for is found when they are.
        let mut fresh = PagedTree::open(&pages, tree.meta_pid(), tree.len());
        fresh.put(b"0", b"0");
        assert_eq!(ends(&fresh), at(b"0", b"zz"));
    }

    #[test]
    fn scan_is_ordered_and_bounded() {
        let pages = Pages::in_memory(1 << 20);
        let mut tree = PagedTree::new(&pages);
        for key in [b"c", b"a", b"b", b"d"] {
            tree.put(key, key);
        }
        let mut seen = Vec::new();
        tree.scan(
            Bound::Included(b"b"),
            Bound::Excluded(b"d"),
            &mut |key, _| {
                seen.push(key.to_vec());
                true
            },
        );
        assert_eq!(seen, vec![b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(tree.remove(b"a"), Some(b"a".to_vec()));
        assert_eq!(tree.len(), 3);
        let used = pages.buffer_manager().pages_in_use();
        tree.destroy();
        // The pages come back: a new tree reuses them.
        let mut again = PagedTree::new(&pages);
        again.put(b"x", b"y");
        assert_eq!(pages.buffer_manager().pages_in_use(), used);
    }
}
