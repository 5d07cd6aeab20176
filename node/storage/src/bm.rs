//! The buffer manager: vmcache-style (Leis et al., "Virtual-Memory Assisted Buffer Management",
//! SIGMOD 2023), one per data file of a worker.
//!
//! **One virtual range per file.** Page `pid` lives at `base + pid * PAGE_BYTES` of an
//! anonymous `MAP_NORESERVE` mapping as large as the file may ever grow, so a page id *is* its
//! address: no hash table maps ids to frames and no pointer swizzling is needed. A resident page has
//! memory behind its address; an evicted page has none (`MADV_DONTNEED` gave it back), and a miss reads
//! the page with the device straight into its address.
//!
//! **The page-state array is the latch.** One `AtomicU64` per page (also a lazily-touched anonymous
//! mapping): `state:8 | dirty:1 | version:55`. States: `EVICTED` (0, so untouched memory reads as
//! evicted), `UNLOCKED`, `MARKED` (unlocked, picked by the clock for eviction), `LOCKED` (exclusive)
//! and `SHARED + n` (n shared holders). Readers can also go *optimistically*: remember the version,
//! read, then [`BufferManager::validate`] that the page was neither locked nor evicted since. Every
//! exclusive unlock and every eviction bumps the version, so a validated read saw a consistent page.
//!
//! **Eviction.** When the resident pages reach the budget (`storage.buffer_pool_bytes`), a clock
//! sweeps the resident set: an unlocked page is first `MARKED`; a page still marked on the next pass
//! (nobody touched it: any optimistic read or latch clears the mark) is locked, written back when
//! dirty, and evicted. Candidates go in batches: their dirty pages are written with one submission,
//! then each is dropped with `madvise(MADV_DONTNEED)`. An optimistic reader racing with an eviction
//! reads zeros, not a fault, and fails validation.
//!
//! **Huge pages.** The clock also counts resident pages per 2 MiB region of the range; a region whose
//! 512 pages are all resident is collapsed into one transparent huge page (`BufferManager::collapse`),
//! so hot B-tree nodes stop costing a TLB miss each. Eviction splits it again.
//!
//! **Checksums.** Every page starts with a CRC-32C of bytes `4..` and holds its own id at bytes
//! `8..16`; both are written when the page goes to the device and checked when it comes back, so a
//! flipped byte or a misdirected write is reported with the file and page, never served.
//!
//! **Shadow paging.** Where a page lives in the file (its *slot*) is kept in a page table beside the
//! state array, so a write never has to overwrite a slot that a checkpoint image needs: a slot is
//! flagged as mapped by a live page, part of the last durable checkpoint, or part of the checkpoint
//! being written, and a write goes to the page's own slot only when neither checkpoint needs it,
//! else to a free one. [`BufferManager::begin_checkpoint`] is the cut: clean pages keep their slots
//! in the image, dirty ones are written by [`BufferManager::checkpoint_step`] (or by an eviction that
//! gets there first), and a page about to change before that is copied first (copy-on-write, in
//! [`GuardX::bytes_mut`]). [`BufferManager::finish_checkpoint`] syncs and returns the image's page
//! table; once the caller has stored it durably, [`BufferManager::checkpoint_durable`] frees the
//! slots only the previous image needed. [`BufferManager::with_misses`] opens a file at an image.
//!
//! **Two ways to serve a miss** ([`MissMode`]). *Explicit* (the default): the thread that finds the
//! page evicted latches it and reads it with the device straight into its address. *Userfault*
//! ("active virtual memory"): the range is a [`keel_io::uffd::Region`]; the thread just touches the
//! page, the kernel suspends it, and the region's resolver thread reads the page from the file and
//! installs it with `UFFDIO_COPY` (a page never written is installed as zeros). Latching, eviction,
//! write-back and checksums are the same in both modes.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use keel_io::device::{Device, DeviceError};
use keel_io::AlignedBuf;

/// Page size: the unit of caching, IO and checksums.
pub const PAGE_BYTES: usize = 4096;

/// The least the data file's allocated length grows by when writes reach it (16 MiB).
const ALLOCATE_AHEAD_SLOTS: u64 = 4096;

/// A page's number in its file.
pub type Pid = u64;

const EVICTED: u64 = 0;
const UNLOCKED: u64 = 1;
const MARKED: u64 = 2;
const LOCKED: u64 = 3;
/// `SHARED + n` means n shared holders.
const SHARED: u64 = 3;
const MAX_SHARED: u64 = 250;
const DIRTY: u64 = 1 << 55;
const VERSION_MASK: u64 = DIRTY - 1;

fn state_of(word: u64) -> u64 {
    word >> 56
}

fn word(state: u64, dirty: bool, version: u64) -> u64 {
    state << 56 | if dirty { DIRTY } else { 0 } | (version & VERSION_MASK)
}

fn next_version(word: u64) -> u64 {
    (word & VERSION_MASK) + 1
}

/// Why the buffer manager could not give a page.
#[derive(Debug, Clone, PartialEq)]
pub enum BmError {
    /// The device failed (EIO, ENOSPC, ...).
    Io {
        file: String,
        pid: Pid,
        error: DeviceError,
    },
    /// A page read back with a wrong checksum or page id.
    Corrupt {
        file: String,
        pid: Pid,
        detail: String,
    },
    /// The file's virtual range is full.
    Full { file: String, pages: u64 },
    /// In [`nonblocking`] mode: the page is being read; wait for it ([`BufferManager::is_loading`],
    /// [`BufferManager::pump`]) and try again.
    WouldBlock(Pid),
}

impl fmt::Display for BmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BmError::Io { file, pid, error } => write!(f, "page {pid} of {file}: {error}"),
            BmError::Corrupt { file, pid, detail } => {
                write!(
                    f,
                    "page {pid} of {file} is corrupt ({detail}); refusing to serve it"
                )
            }
            BmError::Full { file, pages } => {
                write!(f, "{file} reached its limit of {pages} pages")
            }
            BmError::WouldBlock(pid) => write!(f, "page {pid} is being read"),
        }
    }
}

impl std::error::Error for BmError {}

thread_local! {
    static NONBLOCKING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static MISSED: std::cell::Cell<Option<Pid>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with misses that do not block this thread: a page that must be read is submitted to the
/// device and the access fails with [`BmError::WouldBlock`] instead of waiting (explicit mode only;
/// a userfault miss always blocks). For read-only work that can be retried once the page is in: the
/// worker awaits the read through its event loop and serves other sessions meanwhile, so many misses
/// are in flight at once.
///
/// Returns `f`'s result and the first page an access found missing (recorded with [`record_miss`]
/// by whoever turned the [`BmError::WouldBlock`] into a retry): when it is `Some`, the result is
/// incomplete and must be discarded.
pub fn nonblocking<R>(f: impl FnOnce() -> R) -> (R, Option<Pid>) {
    scoped(&NONBLOCKING, &MISSED, f)
}

/// Runs `f` with the thread-local `flag` set (its previous value comes back afterwards, also on
/// unwind), with `outcome` cleared before and taken after: the shape of [`nonblocking`] and
/// `engine::reads_fail_softly`.
pub(crate) fn scoped<R, T>(
    flag: &'static std::thread::LocalKey<std::cell::Cell<bool>>,
    outcome: &'static std::thread::LocalKey<std::cell::Cell<Option<T>>>,
    f: impl FnOnce() -> R,
) -> (R, Option<T>) {
    struct Reset(&'static std::thread::LocalKey<std::cell::Cell<bool>>, bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            self.0.with(|flag| flag.set(self.1));
        }
    }
    let _reset = Reset(flag, flag.with(|flag| flag.replace(true)));
    outcome.with(|outcome| outcome.take());
    let result = f();
    (result, outcome.with(|outcome| outcome.take()))
}

/// Notes that an access in [`nonblocking`] mode found `pid` missing.
pub fn record_miss(pid: Pid) {
    MISSED.with(|missed| {
        if missed.get().is_none() {
            missed.set(Some(pid));
        }
    });
}

fn is_nonblocking() -> bool {
    NONBLOCKING.with(std::cell::Cell::get)
}

/// Reads in flight that nobody waits for synchronously.
#[derive(Default)]
struct Loads {
    by_id: HashMap<u64, Pid>,
    pages: std::collections::HashSet<Pid>,
    /// Failed loads, for the next access of the page to report.
    errors: HashMap<Pid, BmError>,
}

/// Sizes of a buffer manager.
#[derive(Debug, Clone, Copy)]
pub struct BmConfig {
    /// Resident memory budget in bytes (at least 64 pages are kept).
    pub budget_bytes: usize,
    /// Largest file size (the virtual range reserved for it).
    pub virtual_bytes: usize,
}

/// How misses are served (see the module docs).
pub enum MissMode {
    /// The node reads the page through the device into its address.
    Explicit,
    /// A userfaultfd resolver reads the page from this file (opened for reading) on first touch.
    Userfault(std::fs::File),
}

/// Serves a userfault region's misses from the data file.
struct FileSource {
    file: std::fs::File,
    /// Where each page lives in the file; a page never written is all zeros.
    slots: std::sync::Arc<SlotTable>,
}

impl keel_io::uffd::PageSource for FileSource {
    fn fill(&mut self, offset: u64, page: &mut [u8]) -> bool {
        use std::os::unix::fs::FileExt;
        let Some(slot) = self.slots.get(offset / PAGE_BYTES as u64) else {
            return false;
        };
        // A failed read leaves zeros, which the buffer manager's checksum check reports.
        if self
            .file
            .read_exact_at(page, slot * PAGE_BYTES as u64)
            .is_err()
        {
            page.fill(0);
        }
        true
    }
}

/// Where each page lives in the file (shadow paging, see the module docs): `slot + 1` per page id,
/// 0 for a page that has no copy on disk. A lazily-touched anonymous mapping like the state array;
/// shared with the userfault resolver thread, which only reads it.
struct SlotTable {
    entries: *const AtomicU64,
    len: usize,
}

// SAFETY: the table is a fixed mapping of atomics.
unsafe impl Send for SlotTable {}
// SAFETY: as above.
unsafe impl Sync for SlotTable {}

impl SlotTable {
    fn new(len: usize) -> std::io::Result<SlotTable> {
        Ok(SlotTable {
            entries: map_anonymous(len * 8)? as *const AtomicU64,
            len,
        })
    }

    fn entry(&self, pid: Pid) -> &AtomicU64 {
        assert!((pid as usize) < self.len, "page {pid} outside the file");
        // SAFETY: inside the mapping, which lives as long as self; zeroed memory is a valid value.
        unsafe { &*self.entries.add(pid as usize) }
    }

    fn get(&self, pid: Pid) -> Option<u64> {
        let raw = self.entry(pid).load(Ordering::Acquire);
        raw.checked_sub(1)
    }

    fn set(&self, pid: Pid, slot: Option<u64>) {
        self.entry(pid)
            .store(slot.map_or(0, |slot| slot + 1), Ordering::Release);
    }
}

impl Drop for SlotTable {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping; nobody holds a reference past self.
        unsafe { libc::munmap(self.entries as *mut libc::c_void, self.len * 8) };
    }
}

/// Slot flags: mapped by a live page, part of the last durable checkpoint, part of the checkpoint
/// being written. A slot with no flag is free.
const SLOT_LIVE: u8 = 1;
const SLOT_DURABLE: u8 = 2;
const SLOT_NEXT: u8 = 4;

/// The file's slots and who needs them.
#[derive(Default)]
struct Slots {
    flags: Vec<u8>,
    free: Vec<u64>,
}

impl Slots {
    fn take(&mut self) -> u64 {
        self.free.pop().unwrap_or_else(|| {
            self.flags.push(0);
            self.flags.len() as u64 - 1
        })
    }

    fn clear(&mut self, slot: u64, flag: u8) {
        let flags = &mut self.flags[slot as usize];
        if *flags != 0 {
            *flags &= !flag;
            if *flags == 0 {
                self.free.push(slot);
            }
        }
    }
}

/// A checkpoint being written (see the module docs).
struct CheckpointRun {
    /// Pages whose state at the cut is not on disk yet.
    pending: std::collections::HashSet<Pid>,
    /// Cut-time copies of pending pages that changed since (copy-on-write).
    copies: HashMap<Pid, AlignedBuf>,
    /// The image's page table: `slot + 1` per page id, 0 for a free page.
    image: Vec<u64>,
}

/// Counters.
#[derive(Debug, Default)]
pub struct BmStats {
    /// Pages latched (`fix_s`, `fix_x`): each a hit unless it was one of `reads`.
    pub fixes: AtomicU64,
    pub reads: AtomicU64,
    pub writes: AtomicU64,
    pub evictions: AtomicU64,
    /// New pages made (`allocate`).
    pub allocated: AtomicU64,
    /// Of `writes`, the pages written for checkpoints (each page dirty at a cut, once).
    pub checkpoint_writes: AtomicU64,
    /// 2 MiB regions of the mapping made into one huge page (see `BufferManager::collapse`).
    pub collapsed: AtomicU64,
}

/// Bytes in one transparent huge page: the unit [`BufferManager::collapse`] works in.
const HUGE_PAGE_BYTES: usize = 2 << 20;

/// The clock's resident set: ids in a ring, with their positions for removal, and how many pages
/// are resident in each 2 MiB region of the address space (keyed by address / 2 MiB).
#[derive(Default)]
struct Clock {
    pids: Vec<Pid>,
    position: HashMap<Pid, usize>,
    hand: usize,
    regions: HashMap<usize, u32>,
}

impl Clock {
    /// Adds `pid` (at address `addr`); true when that filled its 2 MiB region.
    fn insert(&mut self, pid: Pid, addr: usize) -> bool {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.position.entry(pid) {
            slot.insert(self.pids.len());
            self.pids.push(pid);
            let count = self.regions.entry(addr / HUGE_PAGE_BYTES).or_default();
            *count += 1;
            return *count as usize == HUGE_PAGE_BYTES / PAGE_BYTES;
        }
        false
    }

    fn remove(&mut self, pid: Pid, addr: usize) {
        if let Some(index) = self.position.remove(&pid) {
            self.pids.swap_remove(index);
            if let Some(&moved) = self.pids.get(index) {
                self.position.insert(moved, index);
            }
            let region = addr / HUGE_PAGE_BYTES;
            if let Some(count) = self.regions.get_mut(&region) {
                *count -= 1;
                if *count == 0 {
                    self.regions.remove(&region);
                }
            }
        }
    }
}

/// A buffer manager over one file (see the module docs).
pub struct BufferManager {
    name: String,
    base: *mut u8,
    states: *const AtomicU64,
    virtual_pages: u64,
    budget_pages: usize,
    next_pid: AtomicU64,
    free_pids: Mutex<Vec<Pid>>,
    resident: Mutex<Clock>,
    resident_count: AtomicUsize,
    device: Mutex<Box<dyn Device + Send>>,
    stats: BmStats,
    /// In userfault mode, the region that owns the page range (and serves its misses).
    region: Option<keel_io::uffd::Region>,
    /// Where each page lives in the file.
    slot_table: std::sync::Arc<SlotTable>,
    slots: Mutex<Slots>,
    checkpoint: Mutex<Option<CheckpointRun>>,
    /// Whether a checkpoint is being written (the fast check before every page change).
    checkpointing: std::sync::atomic::AtomicBool,
    /// Slots of the file whose blocks are allocated ([`BufferManager::ensure_headroom`]).
    reserved_slots: AtomicU64,
    loads: Mutex<Loads>,
    /// Signalled whenever a nonblocking read finishes. Waiters cannot rely on the device's
    /// descriptor alone: a blocking access on the same thread may reap the completion first.
    loaded: tokio::sync::Notify,
}

// SAFETY: the mappings are plain memory shared by design; every page access is coordinated by the
// page-state words (atomics), and the device, free list and resident set are behind mutexes.
unsafe impl Send for BufferManager {}
// SAFETY: as above.
unsafe impl Sync for BufferManager {}

/// Drops the memory of `ranges` of the pool's mapping, as `madvise(MADV_DONTNEED)` on each would
/// (anonymous pages read as zeros afterwards), with one TLB flush for all of them where the kernel
/// can: every `madvise` call flushes the TLB of each core the process ran on, an IPI each, which
/// for an eviction batch of scattered pages was a quarter to a third of the node's CPU while
/// `pgbench -i -s 100` overflowed the pool. `process_madvise` on the process itself takes
/// MADV_DONTNEED since Linux 6.13 and flushes once per call since 6.16; where it refuses, one
/// `madvise` per range.
///
/// # Safety
/// Each range lies inside the pool's mapping, its pages exclusively latched by the caller.
unsafe fn discard(ranges: &[libc::iovec]) {
    use std::sync::atomic::AtomicI32;
    /// A pidfd of this process once opened; -1 before, -2 where `process_madvise` refused.
    static SELF_PIDFD: AtomicI32 = AtomicI32::new(-1);
    let total: usize = ranges.iter().map(|r| r.iov_len).sum();
    let mut pidfd = SELF_PIDFD.load(Ordering::Relaxed);
    if pidfd == -1 {
        // SAFETY: pidfd_open of our own pid creates a descriptor and touches no memory.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) } as i32;
        pidfd = if fd >= 0 { fd } else { -2 };
        if let Err(other) =
            SELF_PIDFD.compare_exchange(-1, pidfd, Ordering::AcqRel, Ordering::Acquire)
        {
            if fd >= 0 {
                // SAFETY: the descriptor was opened just above and is not shared.
                unsafe { libc::close(fd) };
            }
            pidfd = other;
        }
    }
    if pidfd >= 0 && !ranges.is_empty() && ranges.len() <= 1024 {
        // SAFETY: the iovecs name ranges of our own mapping (the caller's contract); the kernel
        // only reads them.
        let done = unsafe {
            libc::syscall(
                libc::SYS_process_madvise,
                pidfd,
                ranges.as_ptr(),
                ranges.len(),
                libc::MADV_DONTNEED,
                0,
            )
        };
        if done >= 0 && done as usize == total {
            return;
        }
        if done < 0 {
            SELF_PIDFD.store(-2, Ordering::Relaxed);
        }
    }
    for range in ranges {
        // SAFETY: as above; dropping a range twice is harmless.
        unsafe { libc::madvise(range.iov_base, range.iov_len, libc::MADV_DONTNEED) };
    }
}

fn map_anonymous(bytes: usize) -> std::io::Result<*mut u8> {
    // SAFETY: a fresh private anonymous mapping; the result is checked.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(std::io::Error::last_os_error());
    }
    Ok(base.cast())
}

/// Writes the checksum and page id into `page` (before it goes to the device).
pub fn seal(page: &mut [u8], pid: Pid) {
    page[8..16].copy_from_slice(&pid.to_le_bytes());
    let sum = crc32c::crc32c(&page[4..]);
    page[..4].copy_from_slice(&sum.to_le_bytes());
}

/// Checks what [`seal`] wrote; the error says what is wrong.
pub fn check_seal(page: &[u8], pid: Pid) -> Result<(), String> {
    let stored = u32::from_le_bytes(page[..4].try_into().expect("4 bytes"));
    let computed = crc32c::crc32c(&page[4..]);
    if stored != computed {
        return Err(format!(
            "checksum {stored:08x} stored, {computed:08x} computed"
        ));
    }
    let id = u64::from_le_bytes(page[8..16].try_into().expect("8 bytes"));
    if id != pid {
        return Err(format!("it holds page {id}"));
    }
    Ok(())
}

impl BufferManager {
    /// A buffer manager for an empty file behind `device`, named `name` in errors.
    pub fn new(
        name: &str,
        device: Box<dyn Device + Send>,
        config: BmConfig,
    ) -> std::io::Result<BufferManager> {
        BufferManager::with_misses(name, device, config, &[], MissMode::Explicit)
    }

    /// A buffer manager over a file holding the checkpoint image whose page table is `image`
    /// (`slot + 1` per page id, 0 for a free page; empty for a new file), serving misses as `misses`
    /// says. Every page starts evicted; the image's slots are kept until the next checkpoint is
    /// durable.
    pub fn with_misses(
        name: &str,
        device: Box<dyn Device + Send>,
        config: BmConfig,
        image: &[u64],
        misses: MissMode,
    ) -> std::io::Result<BufferManager> {
        let virtual_pages = (config.virtual_bytes / PAGE_BYTES).max(64) as u64;
        if image.len() as u64 > virtual_pages {
            return Err(std::io::Error::other(format!(
                "{name} holds {} pages, more than its limit of {virtual_pages}",
                image.len()
            )));
        }
        let slot_table = std::sync::Arc::new(SlotTable::new(virtual_pages as usize)?);
        let mut slots = Slots::default();
        let mut free_pids = Vec::new();
        for (pid, &raw) in image.iter().enumerate() {
            match raw.checked_sub(1) {
                None => free_pids.push(pid as Pid),
                Some(slot) => {
                    slot_table.set(pid as Pid, Some(slot));
                    if slots.flags.len() <= slot as usize {
                        slots.flags.resize(slot as usize + 1, 0);
                    }
                    slots.flags[slot as usize] = SLOT_LIVE | SLOT_DURABLE;
                }
            }
        }
        slots.free = (0..slots.flags.len() as u64)
            .rev()
            .filter(|&slot| slots.flags[slot as usize] == 0)
            .collect();
        free_pids.reverse();
        let (base, region) = match misses {
            MissMode::Explicit => (map_anonymous(virtual_pages as usize * PAGE_BYTES)?, None),
            MissMode::Userfault(file) => {
                let region = keel_io::uffd::Region::new(
                    virtual_pages as usize * PAGE_BYTES,
                    FileSource {
                        file,
                        slots: slot_table.clone(),
                    },
                )?;
                (region.as_ptr(), Some(region))
            }
        };
        let states = map_anonymous(virtual_pages as usize * 8).inspect_err(|_| {
            if region.is_none() {
                // SAFETY: unmapping the range mapped just above.
                unsafe { libc::munmap(base.cast(), virtual_pages as usize * PAGE_BYTES) };
            }
        })?;
        Ok(BufferManager {
            name: name.to_string(),
            base,
            states: states as *const AtomicU64,
            virtual_pages,
            budget_pages: (config.budget_bytes / PAGE_BYTES).max(64),
            next_pid: AtomicU64::new(image.len() as u64),
            free_pids: Mutex::new(free_pids),
            resident: Mutex::new(Clock::default()),
            resident_count: AtomicUsize::new(0),
            device: Mutex::new(device),
            stats: BmStats::default(),
            region,
            slot_table,
            slots: Mutex::new(slots),
            checkpoint: Mutex::new(None),
            checkpointing: std::sync::atomic::AtomicBool::new(false),
            reserved_slots: AtomicU64::new(0),
            loads: Mutex::new(Loads::default()),
            loaded: tokio::sync::Notify::new(),
        })
    }

    /// The userfault region's fault counters (userfault mode only).
    pub fn fault_stats(&self) -> Option<&keel_io::uffd::FaultStats> {
        self.region.as_ref().map(|region| region.stats())
    }

    /// The file's name, as errors give it.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn stats(&self) -> &BmStats {
        &self.stats
    }

    /// Pages resident now.
    pub fn resident_pages(&self) -> usize {
        self.resident_count.load(Ordering::Relaxed)
    }

    /// The resident budget in pages.
    pub fn budget_pages(&self) -> usize {
        self.budget_pages
    }

    /// Pages allocated so far (the file's length in pages).
    pub fn pages_in_use(&self) -> u64 {
        self.next_pid.load(Ordering::Relaxed)
    }

    fn state(&self, pid: Pid) -> &AtomicU64 {
        assert!(pid < self.virtual_pages, "page {pid} outside the file");
        // SAFETY: pid is inside the state array, whose mapping lives as long as self; AtomicU64 has
        // the layout of u64 and zeroed memory is a valid value.
        unsafe { &*self.states.add(pid as usize) }
    }

    /// The page's address. Reading or writing it is only sound under the page's latch (or as an
    /// optimistic read that is validated afterwards).
    pub fn page_ptr(&self, pid: Pid) -> *mut u8 {
        assert!(pid < self.virtual_pages, "page {pid} outside the file");
        // SAFETY: inside the virtual range.
        unsafe { self.base.add(pid as usize * PAGE_BYTES) }
    }

    /// A new page, zeroed and exclusively latched (dirty once released). Reuses freed pages first.
    pub fn allocate(&self) -> Result<GuardX<'_>, BmError> {
        self.make_room()?;
        self.stats.allocated.fetch_add(1, Ordering::Relaxed);
        let mut free = lock(&self.free_pids);
        if let Some(pid) = free.pop() {
            drop(free);
            let mut guard = self.latch_unread(pid)?;
            guard.bytes_mut().fill(0);
            return Ok(guard);
        }
        // Under the free-list mutex: the page is latched before its id becomes valid (a racing
        // optimistic reader that follows a stale pointer can never reach it unlatched).
        let pid = self.next_pid.load(Ordering::Relaxed);
        if pid >= self.virtual_pages {
            return Err(BmError::Full {
                file: self.name.clone(),
                pages: self.virtual_pages,
            });
        }
        let state = self.state(pid);
        let current = state.load(Ordering::Acquire);
        debug_assert_eq!(state_of(current), EVICTED);
        state.store(word(LOCKED, true, next_version(current)), Ordering::Release);
        self.next_pid.store(pid + 1, Ordering::Release);
        drop(free);
        self.note_resident(pid);
        let addr = self.page_ptr(pid) as usize;
        if addr.is_multiple_of(HUGE_PAGE_BYTES) && self.region.is_none() {
            // The first page of a 2 MiB region no page has used: the next allocations fill it in
            // order, so it becomes one huge page now (zeroed by the kernel) instead of 512 page
            // faults now and a collapse that copies them when the last one arrives. Until then
            // the process holds up to 2 MiB more than the resident pages it counts.
            // SAFETY: the page is in our mapping and latched by us; a fresh page is zeros.
            unsafe { std::ptr::write_volatile(addr as *mut u8, 0) };
            self.collapse(addr);
        }
        Ok(GuardX { bm: self, pid })
    }

    /// Gives `guard`'s page back for reuse (its content is the caller's business: mark it free).
    pub fn free(&self, guard: GuardX<'_>) {
        let pid = guard.pid;
        drop(guard);
        self.release_slot(pid);
        lock(&self.free_pids).push(pid);
    }

    /// Forgets where a freed page lived: its slot is free once no checkpoint needs it.
    fn release_slot(&self, pid: Pid) {
        if let Some(slot) = self.slot_table.get(pid) {
            self.slot_table.set(pid, None);
            lock(&self.slots).clear(slot, SLOT_LIVE);
        }
    }

    /// Where `pid` lives in the file, for reading it.
    fn read_offset(&self, pid: Pid) -> Result<u64, BmError> {
        match self.slot_table.get(pid) {
            Some(slot) => Ok(slot * PAGE_BYTES as u64),
            None => Err(BmError::Corrupt {
                file: self.name.clone(),
                pid,
                detail: "the page has no copy in the file".into(),
            }),
        }
    }

    /// Latches `pid` exclusively for overwriting: an evicted page is not read (its memory is zeros),
    /// and becomes resident and dirty. In userfault mode the first touch faults the page in: as zeros, since a free page has no
    /// copy in the file.
    fn latch_unread(&self, pid: Pid) -> Result<GuardX<'_>, BmError> {
        let state = self.state(pid);
        let mut spins = 0u32;
        loop {
            let current = state.load(Ordering::Acquire);
            match state_of(current) {
                was @ (EVICTED | UNLOCKED | MARKED) => {
                    if try_latch(state, current, true) {
                        if was == EVICTED {
                            self.note_resident(pid);
                        }
                        return Ok(GuardX { bm: self, pid });
                    }
                }
                _ => self.wait_latched(pid, &mut spins)?,
            }
        }
    }

    /// Frees `pid` without reading it when it is not in memory (its content no longer matters).
    pub fn free_unread(&self, pid: Pid) -> Result<(), BmError> {
        let state = self.state(pid);
        loop {
            let current = state.load(Ordering::Acquire);
            if state_of(current) == EVICTED {
                // Latch and unlatch with a new version, so stale optimistic readers restart.
                if state
                    .compare_exchange(
                        current,
                        word(EVICTED, false, next_version(current)),
                        Ordering::AcqRel,
                        Ordering::Relaxed,
                    )
                    .is_err()
                {
                    continue;
                }
                self.release_slot(pid);
                lock(&self.free_pids).push(pid);
                return Ok(());
            }
            let mut guard = self.fix_x(pid)?;
            guard.bytes_mut()[4] = 0;
            self.free(guard);
            return Ok(());
        }
    }

    fn note_resident(&self, pid: Pid) {
        let addr = self.page_ptr(pid) as usize;
        let filled = lock(&self.resident).insert(pid, addr);
        self.resident_count.fetch_add(1, Ordering::Relaxed);
        if filled {
            self.collapse(addr);
        }
    }

    /// Backs the 2 MiB region around `addr`, now wholly resident, with one transparent huge page
    /// (`MADV_COLLAPSE`, Linux 6.1+), so that reaching its 512 pages costs one TLB entry instead
    /// of 512. A lookup touches a few pages spread over the pool, and with 4 KiB pages each touch
    /// missed the TLB (a two-dimensional walk in a VM): measured as about a third of a pgbench
    /// select-only transaction's user time. Only whole regions are collapsed, so the memory
    /// behind the pool stays exactly its resident pages; evicting a page later splits the huge
    /// page again (`MADV_DONTNEED` on 4 KiB of it). The kernel copies the pages with them
    /// unmapped, so concurrent readers wait in a fault and see the same bytes. Best effort: a
    /// kernel without it, or a region with a page pinned by IO, stays in small pages. Not in
    /// userfault mode, whose region the resolver fills page by page.
    fn collapse(&self, addr: usize) {
        if self.region.is_some() {
            return;
        }
        let start = addr / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
        // SAFETY: the region lies inside our mapping (every one of its pages is resident);
        // MADV_COLLAPSE only changes how the memory is mapped, never its content.
        let done = unsafe {
            libc::madvise(
                start as *mut libc::c_void,
                HUGE_PAGE_BYTES,
                libc::MADV_COLLAPSE,
            )
        } == 0;
        if done {
            self.stats.collapsed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Latches `pid` exclusively, reading it in when evicted.
    pub fn fix_x(&self, pid: Pid) -> Result<GuardX<'_>, BmError> {
        self.stats.fixes.fetch_add(1, Ordering::Relaxed);
        let state = self.state(pid);
        let mut spins = 0u32;
        loop {
            let current = state.load(Ordering::Acquire);
            match state_of(current) {
                EVICTED => {
                    if try_latch(state, current, false) {
                        if self.region.is_none() && is_nonblocking() {
                            return Err(self.start_load(pid, current));
                        }
                        if let Err(error) = self.load(pid) {
                            // Whatever the failed read left at the address goes.
                            self.drop_page(pid, current);
                            return Err(error);
                        }
                        self.note_resident(pid);
                        return Ok(GuardX { bm: self, pid });
                    }
                }
                UNLOCKED | MARKED => {
                    if try_latch(state, current, current & DIRTY != 0) {
                        return Ok(GuardX { bm: self, pid });
                    }
                }
                _ => self.wait_latched(pid, &mut spins)?,
            }
        }
    }

    /// Latches `pid` shared, reading it in when evicted.
    pub fn fix_s(&self, pid: Pid) -> Result<GuardS<'_>, BmError> {
        self.stats.fixes.fetch_add(1, Ordering::Relaxed);
        let state = self.state(pid);
        let mut spins = 0u32;
        loop {
            let current = state.load(Ordering::Acquire);
            let next = match state_of(current) {
                EVICTED => {
                    drop(self.fix_x_clean(pid)?);
                    continue;
                }
                UNLOCKED | MARKED => SHARED + 1,
                LOCKED => {
                    self.wait_latched(pid, &mut spins)?;
                    continue;
                }
                n if n - SHARED < MAX_SHARED => n + 1,
                _ => {
                    backoff(&mut spins);
                    continue;
                }
            };
            if state
                .compare_exchange(
                    current,
                    word(next, current & DIRTY != 0, current),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
            {
                return Ok(GuardS { bm: self, pid });
            }
        }
    }

    /// As [`fix_x`](Self::fix_x), for bringing a page in without changing it.
    fn fix_x_clean(&self, pid: Pid) -> Result<CleanX<'_>, BmError> {
        let guard = self.fix_x(pid)?;
        let pid = guard.pid;
        std::mem::forget(guard);
        Ok(CleanX { bm: self, pid })
    }

    /// Starts an optimistic read of `pid` (reading it in when evicted): returns the version to
    /// [`validate`](Self::validate) after reading.
    pub fn optimistic(&self, pid: Pid) -> Result<u64, BmError> {
        let state = self.state(pid);
        let mut spins = 0u32;
        loop {
            let current = state.load(Ordering::Acquire);
            match state_of(current) {
                EVICTED => drop(self.fix_x_clean(pid)?),
                LOCKED => self.wait_latched(pid, &mut spins)?,
                MARKED => {
                    // Touched: not a candidate for eviction any more.
                    let _ = state.compare_exchange(
                        current,
                        word(UNLOCKED, current & DIRTY != 0, current),
                        Ordering::AcqRel,
                        Ordering::Relaxed,
                    );
                }
                _ => return Ok(current & VERSION_MASK),
            }
        }
    }

    /// Whether `pid` is unchanged since [`optimistic`](Self::optimistic) returned `version`.
    pub fn validate(&self, pid: Pid, version: u64) -> bool {
        std::sync::atomic::fence(Ordering::Acquire);
        let current = self.state(pid).load(Ordering::Acquire);
        !matches!(state_of(current), EVICTED | LOCKED) && current & VERSION_MASK == version
    }

    /// Waits a moment for a latched page. A page latched by a read in flight is finished by
    /// reaping completions here (the read may belong to a task of this very thread, which cannot run
    /// while we wait), or reported as [`BmError::WouldBlock`] in nonblocking mode.
    fn wait_latched(&self, pid: Pid, spins: &mut u32) -> Result<(), BmError> {
        if self.is_loading(pid) {
            if is_nonblocking() {
                return Err(BmError::WouldBlock(pid));
            }
            self.pump_blocking();
        } else {
            backoff(spins);
        }
        Ok(())
    }

    /// Submits the read of `pid` (latched exclusively by the caller, `old` its state word before) and
    /// returns the error a nonblocking access reports: [`BmError::WouldBlock`], or the submission's
    /// failure.
    fn start_load(&self, pid: Pid, old: u64) -> BmError {
        let unlatch = |error: BmError| {
            self.state(pid)
                .store(word(EVICTED, false, next_version(old)), Ordering::Release);
            error
        };
        if let Err(error) = self.make_room() {
            return unlatch(error);
        }
        let offset = match self.read_offset(pid) {
            Ok(offset) => offset,
            Err(error) => return unlatch(error),
        };
        let ptr = self.page_ptr(pid);
        // SAFETY: the page is exclusively latched until its completion is reaped (finish_load), its
        // address is page aligned and stays mapped.
        let buf = unsafe { AlignedBuf::borrowed(ptr, PAGE_BYTES) };
        let mut device = lock(&self.device);
        let submitted = device.submit_read(offset, buf).map(|id| {
            // Registered before the device can hand the completion to anyone.
            let mut loads = lock(&self.loads);
            loads.by_id.insert(id, pid);
            loads.pages.insert(pid);
        });
        let flushed = submitted.and_then(|()| device.flush_submissions());
        drop(device);
        match flushed {
            Ok(()) => BmError::WouldBlock(pid),
            // A failed flush leaves the read queued; it is submitted with the next flush and
            // finished like any other, so only a refused submission unlatches here.
            Err(_) if self.is_loading(pid) => BmError::WouldBlock(pid),
            Err(error) => unlatch(BmError::Io {
                file: self.name.clone(),
                pid,
                error,
            }),
        }
    }

    /// Asks the CPU to bring cache lines `lines` (64-byte units) of resident page `pid` into its
    /// caches without waiting. A scan spreads the lines of the next leaf over the rows of this
    /// one, so the leaf it moves to next is in cache instead of a DRAM miss per line (the
    /// hardware prefetcher stops at 4 KiB boundaries, and consecutive leaves are rarely adjacent
    /// in memory); a few lines at a time, since a burst of 64 prefetches waits for the CPU's
    /// handful of line-fill buffers. A hint only: an evicted page or a stale id costs nothing
    /// but the instructions.
    #[inline]
    pub fn prefetch_cache(&self, pid: Pid, lines: std::ops::Range<usize>) {
        if pid >= self.virtual_pages {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        {
            let page = self.page_ptr(pid);
            for line in lines.start..lines.end.min(PAGE_BYTES / 64) {
                // SAFETY: a prefetch never faults and has no effect on memory; the address lies
                // inside our mapping.
                unsafe {
                    std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                        page.add(line * 64).cast::<i8>(),
                    )
                };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = lines;
    }

    /// Cache lines in one page (see [`BufferManager::prefetch_cache`]).
    pub const PAGE_LINES: usize = PAGE_BYTES / 64;

    /// Starts reading `pid` in the background when it is not in memory (read-ahead for scans); the
    /// access that later needs it finds it in memory, or finishes the read in flight. Explicit mode
    /// only; a no-op for pages that are resident, latched or outside the file.
    pub fn prefetch(&self, pid: Pid) {
        if self.region.is_some() || pid >= self.pages_in_use() {
            return;
        }
        let state = self.state(pid);
        let current = state.load(Ordering::Acquire);
        if state_of(current) == EVICTED && try_latch(state, current, false) {
            // Submitted, or refused and unlatched: either way there is nothing to wait for here.
            let _ = self.start_load(pid, current);
        }
    }

    /// Whether a nonblocking read of `pid` is in flight.
    pub fn is_loading(&self, pid: Pid) -> bool {
        lock(&self.loads).pages.contains(&pid)
    }

    /// The error of a failed nonblocking read of `pid`, once (the next access tries again).
    pub fn take_load_error(&self, pid: Pid) -> Option<BmError> {
        lock(&self.loads).errors.remove(&pid)
    }

    /// The descriptor that turns readable when the device has completions (to await reads).
    pub fn completion_fd(&self) -> Option<std::os::fd::RawFd> {
        lock(&self.device).completion_fd()
    }

    /// Reaps the completions that are ready without blocking, finishing nonblocking reads.
    pub fn pump(&self) {
        let mut out = Vec::new();
        lock(&self.device).poll(&mut out);
        for completion in out {
            self.finish_io(completion);
        }
    }

    /// Blocks until at least one completion arrives (when anything is in flight) and reaps it.
    fn pump_blocking(&self) {
        let mut out = Vec::new();
        {
            let mut device = lock(&self.device);
            if device.in_flight() > 0 {
                let _ = device.wait(1, &mut out);
            }
        }
        for completion in out {
            self.finish_io(completion);
        }
    }

    /// Finishes a nonblocking read: check the page, publish it (or drop it and keep the error).
    fn finish_io(&self, completion: keel_io::device::Completion) {
        let Some(pid) = lock(&self.loads).by_id.remove(&completion.id) else {
            return;
        };
        let state = self.state(pid);
        let current = state.load(Ordering::Acquire);
        debug_assert_eq!(state_of(current), LOCKED);
        let checked = completion
            .result
            .map_err(|error| BmError::Io {
                file: self.name.clone(),
                pid,
                error,
            })
            .and_then(|()| self.check_read_page(pid));
        let mut loads = lock(&self.loads);
        match checked {
            Ok(()) => {
                self.note_resident(pid);
                state.store(
                    word(UNLOCKED, false, next_version(current)),
                    Ordering::Release,
                );
            }
            Err(error) => {
                self.drop_page(pid, current);
                loads.errors.insert(pid, error);
            }
        }
        loads.pages.remove(&pid);
        drop(loads);
        self.loaded.notify_waiters();
    }

    /// Signalled whenever a nonblocking read finishes (see [`is_loading`](Self::is_loading)).
    pub fn load_finished(&self) -> &tokio::sync::Notify {
        &self.loaded
    }

    /// Reads `pid` from the device into its address and checks its seal.
    fn load(&self, pid: Pid) -> Result<(), BmError> {
        self.make_room()?;
        let ptr = self.page_ptr(pid);
        if self.region.is_some() {
            // SAFETY: the page is exclusively latched; touching it faults it in through the
            // region's resolver (or finds it present), after which it is ordinary memory.
            unsafe { std::ptr::read_volatile(ptr) };
            return self.check_read_page(pid);
        }
        let offset = self.read_offset(pid)?;
        // SAFETY: the page is exclusively latched by the caller, its address is page aligned and
        // stays mapped; the buffer comes back from the device before this function returns.
        let buf = unsafe { AlignedBuf::borrowed(ptr, PAGE_BYTES) };
        let io_error = |error| BmError::Io {
            file: self.name.clone(),
            pid,
            error,
        };
        {
            let mut device = lock(&self.device);
            let id = device.submit_read(offset, buf).map_err(io_error)?;
            device.flush_submissions().map_err(io_error)?;
            self.wait_for(&mut **device, &[id]).map_err(io_error)?;
        }
        self.check_read_page(pid)
    }

    /// Counts a page just read in (latched exclusively by the caller) and checks its seal.
    fn check_read_page(&self, pid: Pid) -> Result<(), BmError> {
        self.stats.reads.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the page is exclusively latched and its read has completed.
        let page = unsafe { std::slice::from_raw_parts(self.page_ptr(pid), PAGE_BYTES) };
        check_seal(page, pid).map_err(|detail| BmError::Corrupt {
            file: self.name.clone(),
            pid,
            detail,
        })
    }

    /// Gives up the memory of `pid` (latched exclusively by the caller, `old` its state word before
    /// the latch) and marks it evicted with a new version: optimistic readers that raced with this
    /// read zeros and fail validation. For eviction and for a failed read alike.
    fn drop_page(&self, pid: Pid, old: u64) {
        // SAFETY: the page is exclusively latched and lies inside our mapping; MADV_DONTNEED only
        // drops its memory (an anonymous page reads as zeros afterwards).
        unsafe { libc::madvise(self.page_ptr(pid).cast(), PAGE_BYTES, libc::MADV_DONTNEED) };
        self.mark_evicted(pid, old);
    }

    /// Marks `pid` (exclusively latched, its memory dropped) evicted with a new version.
    fn mark_evicted(&self, pid: Pid, old: u64) {
        self.state(pid)
            .store(word(EVICTED, false, next_version(old)), Ordering::Release);
    }

    /// Evicts a batch when the resident pages reach the budget.
    fn make_room(&self) -> Result<(), BmError> {
        let mut fruitless = 0;
        // Batches of 64, but never more than a sixteenth of the pool: in a small pool a big batch
        // would throw out pages just read ahead, before their reader gets to them.
        let batch = (self.budget_pages / 16).clamp(1, 64);
        while self.resident_count.load(Ordering::Relaxed) >= self.budget_pages {
            if self.evict_batch(batch)? > 0 {
                fruitless = 0;
                continue;
            }
            // One revolution may only mark pages (their second chance); the next evicts those
            // still marked. If that finds nothing either, everything is latched right now: go over
            // budget rather than wait forever.
            fruitless += 1;
            if fruitless >= 2 {
                break;
            }
        }
        Ok(())
    }

    /// Picks up to `want` victims with the clock, writes the dirty ones back and drops them all.
    /// Returns how many pages were evicted.
    pub fn evict_batch(&self, want: usize) -> Result<usize, BmError> {
        let mut victims = Vec::with_capacity(want);
        {
            let mut clock = lock(&self.resident);
            // At most one revolution: a page marked now is evicted only if it is still marked when
            // the hand comes back (nobody touched it in between), never within the same call.
            let steps = clock.pids.len();
            for _ in 0..steps {
                if victims.len() >= want || clock.pids.is_empty() {
                    break;
                }
                if clock.hand >= clock.pids.len() {
                    clock.hand = 0;
                }
                let pid = clock.pids[clock.hand];
                clock.hand += 1;
                let state = self.state(pid);
                let current = state.load(Ordering::Acquire);
                match state_of(current) {
                    UNLOCKED => {
                        let _ = state.compare_exchange(
                            current,
                            word(MARKED, current & DIRTY != 0, current),
                            Ordering::AcqRel,
                            Ordering::Relaxed,
                        );
                    }
                    MARKED if try_latch(state, current, current & DIRTY != 0) => {
                        victims.push((pid, current));
                    }
                    _ => {}
                }
            }
        }
        if victims.is_empty() {
            return Ok(0);
        }
        let dirty: Vec<Pid> = victims
            .iter()
            .filter(|(_, w)| w & DIRTY != 0)
            .map(|(pid, _)| *pid)
            .collect();
        if let Err(error) = self.write_pages(&dirty) {
            // Nothing was dropped: unlatch the victims as they were and report.
            for (pid, old) in &victims {
                self.state(*pid).store(
                    word(UNLOCKED, old & DIRTY != 0, next_version(*old)),
                    Ordering::Release,
                );
            }
            return Err(error);
        }
        // Runs of adjacent pages, dropped together (see `discard`).
        victims.sort_unstable_by_key(|&(pid, _)| pid);
        let runs: Vec<libc::iovec> = victims
            .chunk_by(|a, b| a.0 + 1 == b.0)
            .map(|run| libc::iovec {
                iov_base: self.page_ptr(run[0].0).cast(),
                iov_len: run.len() * PAGE_BYTES,
            })
            .collect();
        // SAFETY: every page of every run is exclusively latched and inside our mapping.
        unsafe { discard(&runs) };
        let mut clock = lock(&self.resident);
        for &(pid, old) in &victims {
            self.mark_evicted(pid, old);
            clock.remove(pid, self.page_ptr(pid) as usize);
        }
        self.resident_count
            .fetch_sub(victims.len(), Ordering::Relaxed);
        self.stats
            .evictions
            .fetch_add(victims.len() as u64, Ordering::Relaxed);
        Ok(victims.len())
    }

    /// Seals and writes pages the caller holds exclusively, as one batch. Each goes to a slot that
    /// no checkpoint image needs: its own when it may be overwritten, else a new one (shadow
    /// paging). A page whose cut-time state the running checkpoint still needs, unchanged since,
    /// is written as that checkpoint's copy on the way.
    fn write_pages(&self, pids: &[Pid]) -> Result<(), BmError> {
        if pids.is_empty() {
            return Ok(());
        }
        let offsets = self.place(pids);
        let writes = pids
            .iter()
            .zip(offsets)
            .map(|(&pid, offset)| {
                let ptr = self.page_ptr(pid);
                // SAFETY: exclusively latched by the caller; the write completes before we return.
                let page = unsafe { std::slice::from_raw_parts_mut(ptr, PAGE_BYTES) };
                seal(page, pid);
                // SAFETY: as above; the buffer is a view of the latched page.
                (pid, offset, unsafe {
                    AlignedBuf::borrowed(ptr, PAGE_BYTES)
                })
            })
            .collect();
        self.submit_writes(writes)
    }

    /// Chooses the file offset each page of `pids` is written to (see [`write_pages`]).
    fn place(&self, pids: &[Pid]) -> Vec<u64> {
        let mut checkpoint = lock(&self.checkpoint);
        let mut slots = lock(&self.slots);
        pids.iter()
            .map(|&pid| {
                let mut run = checkpoint
                    .as_mut()
                    .filter(|run| !run.copies.contains_key(&pid) && run.pending.contains(&pid));
                if let Some(run) = run.as_mut() {
                    run.pending.remove(&pid);
                    self.stats.checkpoint_writes.fetch_add(1, Ordering::Relaxed);
                }
                let current = self.slot_table.get(pid);
                let slot = match current {
                    Some(slot) if slots.flags[slot as usize] & (SLOT_DURABLE | SLOT_NEXT) == 0 => {
                        slot
                    }
                    _ => {
                        let slot = slots.take();
                        slots.flags[slot as usize] = SLOT_LIVE;
                        if let Some(old) = current {
                            slots.clear(old, SLOT_LIVE);
                        }
                        self.slot_table.set(pid, Some(slot));
                        slot
                    }
                };
                slots.flags[slot as usize] |= SLOT_LIVE;
                if let Some(run) = run {
                    slots.flags[slot as usize] |= SLOT_NEXT;
                    run.image[pid as usize] = slot + 1;
                }
                slot * PAGE_BYTES as u64
            })
            .collect()
    }

    /// Submits `writes` (page, offset, sealed buffer) as one batch and waits for them.
    fn submit_writes(&self, writes: Vec<(Pid, u64, AlignedBuf)>) -> Result<(), BmError> {
        let Some(&(first, _, _)) = writes.first() else {
            return Ok(());
        };
        let mut device = lock(&self.device);
        let end = writes.iter().map(|w| w.1).max().unwrap_or(0) / PAGE_BYTES as u64 + 1;
        self.allocate_ahead(&mut **device, end);
        let mut ids = Vec::with_capacity(writes.len());
        let mut refused = None;
        for (pid, offset, buf) in writes {
            match device.submit_write(offset, buf) {
                Ok(id) => ids.push(id),
                Err(error) => {
                    refused = Some(BmError::Io {
                        file: self.name.clone(),
                        pid,
                        error,
                    });
                    break;
                }
            }
        }
        let io_error = |error| BmError::Io {
            file: self.name.clone(),
            pid: first,
            error,
        };
        // The writes already submitted finish before the caller unlatches their pages, even when a
        // later one was refused.
        device.flush_submissions().map_err(io_error)?;
        self.wait_for(&mut **device, &ids).map_err(io_error)?;
        self.stats
            .writes
            .fetch_add(ids.len() as u64, Ordering::Relaxed);
        refused.map_or(Ok(()), Err)
    }

    /// Writes every dirty resident page and syncs the device.
    pub fn flush_all(&self) -> Result<(), BmError> {
        let pids: Vec<Pid> = lock(&self.resident).pids.clone();
        for chunk in pids.chunks(64) {
            let mut latched = Vec::new();
            for &pid in chunk {
                if self.state(pid).load(Ordering::Acquire) & DIRTY == 0 {
                    continue;
                }
                let guard = self.fix_x(pid)?;
                latched.push(guard);
            }
            self.write_latched(latched)?;
        }
        self.sync()
    }

    /// Writes exclusively latched pages and releases them clean.
    fn write_latched(&self, latched: Vec<GuardX<'_>>) -> Result<(), BmError> {
        let pids: Vec<Pid> = latched.iter().map(|g| g.pid).collect();
        self.write_pages(&pids)?;
        for guard in latched {
            guard.release_written();
        }
        Ok(())
    }

    /// Makes every write so far durable.
    fn sync(&self) -> Result<(), BmError> {
        let mut device = lock(&self.device);
        let io_error = |error| BmError::Io {
            file: self.name.clone(),
            pid: 0,
            error,
        };
        let id = device.submit_sync().map_err(io_error)?;
        device.flush_submissions().map_err(io_error)?;
        self.wait_for(&mut **device, &[id]).map_err(io_error)
    }

    /// The cut of a checkpoint: from now until [`finish_checkpoint`](Self::finish_checkpoint),
    /// the state every page has at this moment is written to slots that nothing overwrites, while
    /// pages go on changing. A clean page's current slot already holds it; a dirty page is written
    /// by [`checkpoint_step`](Self::checkpoint_step) (or by an eviction that gets to it first), and
    /// copied before its first change if it changes before that (copy-on-write). Call it when no
    /// page is latched for a change (between operations of the worker that owns the pages).
    pub fn begin_checkpoint(&self) {
        let free: std::collections::HashSet<Pid> = lock(&self.free_pids).iter().copied().collect();
        let pages = self.pages_in_use();
        let mut run = CheckpointRun {
            pending: Default::default(),
            copies: HashMap::new(),
            image: vec![0; pages as usize],
        };
        let mut slots = lock(&self.slots);
        for pid in (0..pages).filter(|pid| !free.contains(pid)) {
            let current = self.state(pid).load(Ordering::Acquire);
            match self.slot_table.get(pid) {
                Some(slot) if state_of(current) == EVICTED || current & DIRTY == 0 => {
                    slots.flags[slot as usize] |= SLOT_NEXT;
                    run.image[pid as usize] = slot + 1;
                }
                _ => {
                    run.pending.insert(pid);
                }
            }
        }
        drop(slots);
        *lock(&self.checkpoint) = Some(run);
        self.checkpointing.store(true, Ordering::Release);
    }

    /// Writes up to `max` pages of the running checkpoint as one batch; true when none is left.
    pub fn checkpoint_step(&self, max: usize) -> Result<bool, BmError> {
        let (copies, live) = {
            let mut checkpoint = lock(&self.checkpoint);
            let Some(run) = checkpoint.as_mut() else {
                return Ok(true);
            };
            let chosen: Vec<Pid> = run.pending.iter().take(max).copied().collect();
            let mut copies = Vec::new();
            let mut live = Vec::new();
            for pid in chosen {
                match run.copies.remove(&pid) {
                    Some(buf) => {
                        run.pending.remove(&pid);
                        self.stats.checkpoint_writes.fetch_add(1, Ordering::Relaxed);
                        copies.push((pid, buf));
                    }
                    None => live.push(pid),
                }
            }
            (copies, live)
        };
        if copies.is_empty() && live.is_empty() {
            return Ok(true);
        }
        self.write_copies(copies)?;
        let mut latched = Vec::with_capacity(live.len());
        for pid in live {
            latched.push(self.fix_x(pid)?);
        }
        // Unchanged since the cut: written as the checkpoint's copy, and clean afterwards.
        self.write_latched(latched)?;
        Ok(lock(&self.checkpoint)
            .as_ref()
            .is_none_or(|run| run.pending.is_empty()))
    }

    /// Writes cut-time copies of pages that changed after the cut, each to a new slot.
    fn write_copies(&self, copies: Vec<(Pid, AlignedBuf)>) -> Result<(), BmError> {
        if copies.is_empty() {
            return Ok(());
        }
        let writes = {
            let mut checkpoint = lock(&self.checkpoint);
            let run = checkpoint
                .as_mut()
                .expect("copies belong to a running checkpoint");
            let mut slots = lock(&self.slots);
            copies
                .into_iter()
                .map(|(pid, mut buf)| {
                    let slot = slots.take();
                    slots.flags[slot as usize] = SLOT_NEXT;
                    run.image[pid as usize] = slot + 1;
                    seal(buf.as_mut_slice(), pid);
                    (pid, slot * PAGE_BYTES as u64, buf)
                })
                .collect()
        };
        self.submit_writes(writes)
    }

    /// Copies `pid` aside before its first change after the cut, while the running checkpoint
    /// still needs its cut-time state.
    fn copy_before_change(&self, pid: Pid) {
        let mut checkpoint = lock(&self.checkpoint);
        if let Some(run) = checkpoint.as_mut() {
            if run.pending.contains(&pid) && !run.copies.contains_key(&pid) {
                let mut copy = AlignedBuf::zeroed(PAGE_BYTES);
                // SAFETY: the caller holds the page's exclusive latch and has not changed it yet.
                let page = unsafe { std::slice::from_raw_parts(self.page_ptr(pid), PAGE_BYTES) };
                copy.as_mut_slice().copy_from_slice(page);
                run.copies.insert(pid, copy);
            }
        }
    }

    /// Ends the running checkpoint: writes what is left, syncs the file and returns the image's page
    /// table (`slot + 1` per page id, 0 for a free page) for the caller to store durably, after
    /// which it calls [`checkpoint_durable`](Self::checkpoint_durable).
    pub fn finish_checkpoint(&self) -> Result<Vec<u64>, BmError> {
        while !self.checkpoint_step(64)? {}
        self.sync()?;
        let run = lock(&self.checkpoint)
            .take()
            .expect("a checkpoint is running");
        self.checkpointing.store(false, Ordering::Release);
        Ok(run.image)
    }

    /// The last finished checkpoint's image is durable: the slots only the image before it needed
    /// are free now.
    pub fn checkpoint_durable(&self) {
        self.retire_slots(|flags| {
            if flags & SLOT_NEXT != 0 {
                (flags & SLOT_LIVE) | SLOT_DURABLE
            } else {
                flags & SLOT_LIVE
            }
        });
    }

    /// Forgets a checkpoint that will not become durable: its slots are free again unless live.
    pub fn abandon_checkpoint(&self) {
        lock(&self.checkpoint).take();
        self.checkpointing.store(false, Ordering::Release);
        self.retire_slots(|flags| flags & !SLOT_NEXT);
    }

    fn retire_slots(&self, next: impl Fn(u8) -> u8) {
        let mut slots = lock(&self.slots);
        let Slots { flags, free } = &mut *slots;
        for (slot, flags) in flags.iter_mut().enumerate() {
            let was = *flags;
            *flags = next(was);
            if was != 0 && *flags == 0 {
                free.push(slot as u64);
            }
        }
    }

    /// Makes sure `pages` more pages can be written without the file running out of space:
    /// allocates the file's blocks ahead (a quarter of `pages` beyond the need) when its free slots and
    /// allocated room are short. Call before work that dirties pages, so that a full disk fails that
    /// work cleanly instead of a write during it; [`DeviceError::NoSpace`] says the disk is full.
    pub fn ensure_headroom(&self, pages: u64) -> Result<(), BmError> {
        let (slots, free) = self.file_slots();
        let needed = slots + pages.saturating_sub(free);
        let reserved = self.reserved_slots.load(Ordering::Acquire);
        if needed <= reserved {
            return Ok(());
        }
        self.reserve_slots(&mut **lock(&self.device), reserved, needed + pages / 4)
            .map_err(|error| BmError::Io {
                file: self.name.clone(),
                pid: 0,
                error,
            })
    }

    /// Allocates the file's slots from `reserved` (the allocated ones) up to `target`.
    fn reserve_slots(
        &self,
        device: &mut dyn Device,
        reserved: u64,
        target: u64,
    ) -> Result<(), DeviceError> {
        let page = PAGE_BYTES as u64;
        device.reserve(reserved * page, (target - reserved) * page)?;
        self.reserved_slots.fetch_max(target, Ordering::AcqRel);
        Ok(())
    }

    /// Keeps the file's allocated length ahead of writes that reach slot `end` (exclusive): grows
    /// it by an eighth, at least [`ALLOCATE_AHEAD_SLOTS`], when they would pass it. A write past the
    /// file's length costs several times one inside it (see [`keel_io::allocate_extending`]); work
    /// that dirties pages reserves room before it starts ([`Self::ensure_headroom`]), but evictions
    /// in the middle of a large write, and checkpoints, place pages faster than that. A failure is
    /// left to the writes themselves, which report a full disk as before.
    fn allocate_ahead(&self, device: &mut dyn Device, end: u64) {
        let reserved = self.reserved_slots.load(Ordering::Acquire);
        if end <= reserved {
            return;
        }
        let target = end + (end / 8).max(ALLOCATE_AHEAD_SLOTS);
        let capacity = device.capacity() / PAGE_BYTES as u64;
        let _ = self.reserve_slots(device, reserved, target.min(capacity.max(end)));
    }

    /// Slots in the file (its length in pages) and how many of them are free.
    pub fn file_slots(&self) -> (u64, u64) {
        let slots = lock(&self.slots);
        (slots.flags.len() as u64, slots.free.len() as u64)
    }

    /// Waits until every request in `ids` has completed (the first failure wins); completions of
    /// nonblocking reads that arrive meanwhile are finished on the way.
    fn wait_for(&self, device: &mut dyn Device, ids: &[u64]) -> Result<(), DeviceError> {
        let mut left = ids.len();
        let mut first_error = None;
        let mut out = Vec::new();
        while left > 0 {
            out.clear();
            device.wait(1, &mut out)?;
            if out.is_empty() && device.in_flight() == 0 {
                break;
            }
            for completion in out.drain(..) {
                if ids.contains(&completion.id) {
                    left -= 1;
                    if let (Err(error), None) = (&completion.result, &first_error) {
                        first_error = Some(error.clone());
                    }
                } else {
                    self.finish_io(completion);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
impl BufferManager {
    /// Writes every dirty page back and evicts every page (tests start cold with it).
    pub(crate) fn evict_all(&self) {
        self.flush_all().unwrap();
        while self.resident_pages() > 0 {
            self.evict_batch(64).unwrap();
        }
    }
}

impl Drop for BufferManager {
    fn drop(&mut self) {
        // In userfault mode the page range is the region's: it stops its resolver and unmaps the
        // range itself, once. Unmapping it here as well would unmap it twice, and the second
        // time whatever another thread had mapped at that address in between (a thread's stack:
        // a SIGSEGV in the unit tests, which run side by side in one process).
        match self.region.take() {
            Some(region) => drop(region),
            // SAFETY: unmapping our own range; guards borrow `self`, so none is alive.
            None => unsafe {
                libc::munmap(self.base.cast(), self.virtual_pages as usize * PAGE_BYTES);
            },
        }
        // SAFETY: as above, for the page states.
        unsafe {
            libc::munmap(
                self.states as *mut libc::c_void,
                self.virtual_pages as usize * 8,
            )
        };
    }
}

/// Locks `mutex`, also after a panic elsewhere poisoned it (the data it guards stays consistent:
/// every critical section here is a plain insert, remove or device call).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Latches a page exclusively if its state word is still `current`, with the dirty bit as given.
fn try_latch(state: &AtomicU64, current: u64, dirty: bool) -> bool {
    state
        .compare_exchange(
            current,
            word(LOCKED, dirty, current),
            Ordering::AcqRel,
            Ordering::Relaxed,
        )
        .is_ok()
}

fn backoff(spins: &mut u32) {
    *spins += 1;
    if *spins < 64 {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

/// An exclusive latch; releasing it marks the page dirty and bumps its version.
pub struct GuardX<'a> {
    bm: &'a BufferManager,
    pid: Pid,
}

impl GuardX<'_> {
    pub fn pid(&self) -> Pid {
        self.pid
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: exclusively latched: nobody else writes the page while the guard lives.
        unsafe { std::slice::from_raw_parts(self.bm.page_ptr(self.pid), PAGE_BYTES) }
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        if self.bm.checkpointing.load(Ordering::Acquire) {
            self.bm.copy_before_change(self.pid);
        }
        // SAFETY: exclusively latched and uniquely borrowed.
        unsafe { std::slice::from_raw_parts_mut(self.bm.page_ptr(self.pid), PAGE_BYTES) }
    }

    /// Releases a page that was not changed under this latch (its dirty bit stays as it was).
    pub fn release_unchanged(self) {
        let state = self.bm.state(self.pid);
        let current = state.load(Ordering::Acquire);
        state.store(
            word(UNLOCKED, current & DIRTY != 0, next_version(current)),
            Ordering::Release,
        );
        std::mem::forget(self);
    }

    /// Releases a page that was just written back: it is clean now.
    fn release_written(self) {
        let state = self.bm.state(self.pid);
        let current = state.load(Ordering::Acquire);
        state.store(
            word(UNLOCKED, false, next_version(current)),
            Ordering::Release,
        );
        std::mem::forget(self);
    }
}

impl Drop for GuardX<'_> {
    fn drop(&mut self) {
        let state = self.bm.state(self.pid);
        let current = state.load(Ordering::Acquire);
        state.store(
            word(UNLOCKED, true, next_version(current)),
            Ordering::Release,
        );
    }
}

/// An exclusive latch taken only to bring a page in; released unchanged (dirty bit kept).
struct CleanX<'a> {
    bm: &'a BufferManager,
    pid: Pid,
}

impl Drop for CleanX<'_> {
    fn drop(&mut self) {
        let state = self.bm.state(self.pid);
        let current = state.load(Ordering::Acquire);
        state.store(
            word(UNLOCKED, current & DIRTY != 0, next_version(current)),
            Ordering::Release,
        );
    }
}

/// A shared latch.
pub struct GuardS<'a> {
    bm: &'a BufferManager,
    pid: Pid,
}

impl GuardS<'_> {
    pub fn pid(&self) -> Pid {
        self.pid
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: shared latch: no writer while it lives.
        unsafe { std::slice::from_raw_parts(self.bm.page_ptr(self.pid), PAGE_BYTES) }
    }
}

impl Drop for GuardS<'_> {
    fn drop(&mut self) {
        let state = self.bm.state(self.pid);
        let mut current = state.load(Ordering::Acquire);
        loop {
            let holders = state_of(current) - SHARED;
            let next = if holders == 1 {
                UNLOCKED
            } else {
                SHARED + holders - 1
            };
            match state.compare_exchange_weak(
                current,
                word(next, current & DIRTY != 0, current),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keel_io::memory::MemoryDevice;

    fn bm(budget_pages: usize) -> BufferManager {
        BufferManager::new(
            "test.keel",
            Box::new(MemoryDevice::new(1 << 30)),
            BmConfig {
                budget_bytes: budget_pages * PAGE_BYTES,
                virtual_bytes: 1 << 30,
            },
        )
        .unwrap()
    }

    /// `n` new pages, page `i` holding `i` at byte 100.
    fn numbered_pages(bm: &BufferManager, n: u64) -> Vec<Pid> {
        (0..n)
            .map(|i| {
                let mut page = bm.allocate().unwrap();
                page.bytes_mut()[100..108].copy_from_slice(&i.to_le_bytes());
                page.pid()
            })
            .collect()
    }

    #[test]
    fn pages_survive_eviction_and_come_back_checked() {
        let bm = bm(64);
        let pids = numbered_pages(&bm, 1000);
        assert!(bm.resident_pages() <= 64 + 1);
        assert!(bm.stats().evictions.load(Ordering::Relaxed) > 900);
        for (i, pid) in pids.iter().enumerate() {
            let page = bm.fix_s(*pid).unwrap();
            assert_eq!(page.bytes()[100..108], (i as u64).to_le_bytes());
        }
        // Optimistic read: valid until somebody latches the page exclusively.
        let version = bm.optimistic(pids[3]).unwrap();
        assert!(bm.validate(pids[3], version));
        drop(bm.fix_x(pids[3]).unwrap());
        assert!(!bm.validate(pids[3], version));
    }

    /// One eviction batch of pages with kept pages between them: the evicted ones' memory is
    /// dropped (reads as zeros) range by range, their neighbours keep theirs untouched, and the
    /// evicted ones come back from the device.
    #[test]
    fn an_eviction_batch_drops_scattered_pages_and_keeps_their_neighbours() {
        let bm = bm(4096);
        let pids = numbered_pages(&bm, 300);
        // The clock's first revolution only marks; touching a page unmarks it.
        assert_eq!(bm.evict_batch(300).unwrap(), 0);
        let kept = |i: usize| i.is_multiple_of(3) || i.is_multiple_of(7);
        for (i, pid) in pids.iter().enumerate() {
            if kept(i) {
                bm.optimistic(*pid).unwrap();
            }
        }
        let evicted = bm.evict_batch(300).unwrap();
        let expected = (0..300).filter(|&i| !kept(i)).count();
        assert_eq!(evicted, expected);
        let word_at = |pid: Pid| {
            // SAFETY: inside the mapping; no page is latched by anybody else in this test.
            let page = unsafe { std::slice::from_raw_parts(bm.page_ptr(pid), PAGE_BYTES) };
            u64::from_le_bytes(page[100..108].try_into().unwrap())
        };
        for (i, pid) in pids.iter().enumerate() {
            let expect = if kept(i) { i as u64 } else { 0 };
            assert_eq!(word_at(*pid), expect, "page {i} in memory after the batch");
        }
        let reads = bm.stats().reads.load(Ordering::Relaxed);
        for (i, pid) in pids.iter().enumerate() {
            let page = bm.fix_s(*pid).unwrap();
            assert_eq!(page.bytes()[100..108], (i as u64).to_le_bytes());
        }
        let read_back = bm.stats().reads.load(Ordering::Relaxed) - reads;
        assert_eq!(read_back as usize, expected);
    }

    #[test]
    fn whole_resident_regions_become_huge_pages_and_split_on_eviction() {
        let bm = bm(4096);
        // Three regions' worth: at least two whole 2 MiB regions are among them.
        let pids = numbered_pages(&bm, 3 * 512);
        let collapsed = bm.stats().collapsed.load(Ordering::Relaxed);
        assert!(collapsed >= 2, "{collapsed} regions collapsed");
        let word_of = |page: &[u8]| u64::from_le_bytes(page[100..108].try_into().unwrap());
        // Every page kept its content through the collapse.
        for (i, pid) in pids.iter().enumerate() {
            assert_eq!(word_of(bm.fix_s(*pid).unwrap().bytes()), i as u64);
        }
        // Evicting pages of a collapsed region drops just them; their neighbours stay, and the
        // evicted ones come back from the device.
        let evicted = bm.evict_batch(2000).unwrap() + bm.evict_batch(300).unwrap();
        assert!(evicted > 0);
        for (i, pid) in pids.iter().enumerate() {
            assert_eq!(word_of(bm.fix_s(*pid).unwrap().bytes()), i as u64);
        }
        // Resident again, whole again: collapsed again.
        assert!(bm.stats().collapsed.load(Ordering::Relaxed) > collapsed);
    }

    #[test]
    fn nonblocking_misses_are_read_in_the_background() {
        let bm = bm(64);
        let pids = numbered_pages(&bm, 300);
        bm.evict_all();
        let word_of = |page: &[u8]| u64::from_le_bytes(page[100..108].try_into().unwrap());
        // A nonblocking access submits the read and says so instead of waiting.
        let (result, _) = nonblocking(|| bm.fix_s(pids[7]).map(|g| word_of(g.bytes())));
        assert_eq!(result, Err(BmError::WouldBlock(pids[7])));
        assert!(bm.is_loading(pids[7]));
        // Asking again while it is in flight does not submit a second read.
        let (again, _) = nonblocking(|| bm.optimistic(pids[7]));
        assert_eq!(again, Err(BmError::WouldBlock(pids[7])));
        // A blocking access finishes the read in flight instead of spinning on its latch.
        assert_eq!(word_of(bm.fix_s(pids[7]).unwrap().bytes()), 7);
        assert!(!bm.is_loading(pids[7]));
        // Or the event loop pumps completions, and the retried access finds the page in memory.
        let (result, _) = nonblocking(|| bm.optimistic(pids[8]));
        assert_eq!(result, Err(BmError::WouldBlock(pids[8])));
        bm.pump();
        assert!(!bm.is_loading(pids[8]));
        let (result, _) = nonblocking(|| bm.fix_s(pids[8]).map(|g| word_of(g.bytes())));
        assert_eq!(result, Ok(8));
        assert_eq!(bm.stats().reads.load(Ordering::Relaxed), 2);
    }

    /// Reads page `pid`'s copy at `slot + 1` (a page table entry) straight from the device.
    fn read_slot(bm: &BufferManager, pid: Pid, raw: u64) -> u64 {
        let mut device = bm.device.lock().unwrap();
        let id = device
            .submit_read(
                (raw - 1) * PAGE_BYTES as u64,
                AlignedBuf::zeroed(PAGE_BYTES),
            )
            .unwrap();
        device.flush_submissions().unwrap();
        let mut out = Vec::new();
        while out.is_empty() {
            device.wait(1, &mut out).unwrap();
        }
        assert_eq!(out[0].id, id);
        let page = out.pop().unwrap().buf.unwrap();
        check_seal(page.as_slice(), pid).unwrap();
        u64::from_le_bytes(page.as_slice()[100..108].try_into().unwrap())
    }

    fn set_word(bm: &BufferManager, pid: Pid, value: u64) {
        let mut page = bm.fix_x(pid).unwrap();
        page.bytes_mut()[100..108].copy_from_slice(&value.to_le_bytes());
    }

    /// A checkpoint's image holds every page as it was at the cut, although pages change, are
    /// evicted, freed and reused while it is written; the slots it needs are never overwritten
    /// until the next one is durable, and the file stops growing once slots are recycled.
    #[test]
    fn checkpoint_images_are_the_cut_and_survive_later_writes() {
        let bm = bm(64);
        let pids = numbered_pages(&bm, 400);
        for round in 1..=4u64 {
            let cut: Vec<u64> = (0..400).map(|i| (round - 1) * 1000 + i).collect();
            // Dirty pages at the cut: written by the checkpoint, copied first when they change.
            for (i, &pid) in pids.iter().enumerate().skip(300) {
                set_word(&bm, pid, cut[i]);
            }
            bm.begin_checkpoint();
            for (i, &pid) in pids.iter().enumerate() {
                if i % 3 == 0 {
                    set_word(&bm, pid, round * 1000 + i as u64);
                }
                if i % 50 == 0 {
                    bm.checkpoint_step(8).unwrap();
                }
            }
            // A page freed and reused after the cut still shows its cut-time state in the image.
            let freed = pids[7];
            let guard = bm.fix_x(freed).unwrap();
            bm.free(guard);
            let mut reused = bm.allocate().unwrap();
            assert_eq!(reused.pid(), freed);
            reused.bytes_mut()[100..108].copy_from_slice(&(round * 1000 + 7).to_le_bytes());
            drop(reused);
            let image = bm.finish_checkpoint().unwrap();
            for (i, &pid) in pids.iter().enumerate() {
                assert_eq!(
                    read_slot(&bm, pid, image[pid as usize]),
                    cut[i],
                    "round {round}"
                );
            }
            // Everything changes again and is written back: the image stays intact.
            for (i, &pid) in pids.iter().enumerate() {
                set_word(&bm, pid, round * 1000 + i as u64);
            }
            bm.flush_all().unwrap();
            for (i, &pid) in pids.iter().enumerate() {
                assert_eq!(read_slot(&bm, pid, image[pid as usize]), cut[i]);
            }
            bm.checkpoint_durable();
        }
        let (slots, free) = bm.file_slots();
        assert!(slots <= 3 * 400, "the file grew to {slots} slots");
        assert!(free > 0);
        // A buffer manager opened on the last image sees it (pages read through their slots).
        let image = {
            bm.begin_checkpoint();
            bm.finish_checkpoint().unwrap()
        };
        for (i, &pid) in pids.iter().enumerate() {
            assert_eq!(read_slot(&bm, pid, image[pid as usize]), 4000 + i as u64);
        }
    }

    #[test]
    fn a_flipped_byte_on_disk_is_reported_not_served() {
        let bm = bm(64);
        let pids: Vec<Pid> = (0..200).map(|_| bm.allocate().unwrap().pid()).collect();
        bm.evict_all();
        // Flip a byte of page 5 on the device.
        {
            let offset = bm.read_offset(pids[5]).unwrap();
            let mut device = bm.device.lock().unwrap();
            let mut buf = AlignedBuf::zeroed(PAGE_BYTES);
            buf.as_mut_slice().fill(0);
            let id = device.submit_read(offset, buf).unwrap();
            device.flush_submissions().unwrap();
            let mut out = Vec::new();
            device.wait(1, &mut out).unwrap();
            assert_eq!(out[0].id, id);
            let mut page = out.pop().unwrap().buf.unwrap();
            page.as_mut_slice()[2000] ^= 0x40;
            device.submit_write(offset, page).unwrap();
            device.flush_submissions().unwrap();
            device.wait(1, &mut out).unwrap();
        }
        match bm.fix_s(pids[5]) {
            Err(BmError::Corrupt { pid, file, .. }) => {
                assert_eq!((pid, file.as_str()), (5, "test.keel"))
            }
            other => panic!("expected corruption, got {:?}", other.map(|g| g.pid())),
        }
        // Still refused on a second try, and other pages are fine.
        assert!(bm.fix_x(pids[5]).is_err());
        assert!(bm.fix_s(pids[6]).is_ok());
    }
}
