//! userfaultfd regions: "active virtual memory".
//!
//! A [`Region`] is a range of anonymous virtual memory registered with a userfaultfd in *missing*
//! mode. The first touch of a page that is not resident does not reach the kernel's page allocator:
//! the faulting thread sleeps while a resolver thread asks a [`PageSource`] to fill the page (from a
//! device, in the buffer manager), installs it atomically with `UFFDIO_COPY` (or `UFFDIO_ZEROPAGE`
//! for pages the source says are empty), which wakes the faulting thread. [`Region::evict`] gives
//! pages back with `madvise(MADV_DONTNEED)`; the next touch faults again. So a region can be far
//! larger than the memory it is allowed to keep resident: that is the buffer manager's out-of-core
//! path (vmcache, Leis et al., SIGMOD 2023, with userfaultfd instead of explicit reads).
//!
//! ```text
//!   app thread:  load [addr] --(missing page)--> sleeps in the kernel
//!   resolver:    read(uffd) -> PAGEFAULT addr -> source.fill(page, buf) -> UFFDIO_COPY -> app wakes
//! ```
//!
//! Pages are 4 KiB ([`Region::new`]), or 2 MiB ([`Region::with_pages`] and [`PageSize::Huge2M`]: the
//! region is a `MAP_HUGETLB` mapping, so it needs reserved huge pages, and every page, empty ones
//! included, is installed with `UFFDIO_COPY`, as hugetlb has no zero page).
//! Counters: faults resolved, zero pages, total resolve time, and a log2 histogram of resolve times
//! from which [`FaultStats::latency_percentile`] reads p50/p99/p99.9.
//! Needs the userfaultfd syscall: root, CAP_SYS_PTRACE, or `vm.unprivileged_userfaultfd=1`.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

/// Fills pages of a region on first touch.
pub trait PageSource: Send + 'static {
    /// Fills `page` (one page) for byte `offset` of the region; returns false to install zeros.
    fn fill(&mut self, offset: u64, page: &mut [u8]) -> bool;
}

/// Fault statistics of a region.
#[derive(Debug, Default)]
pub struct FaultStats {
    pub faults: AtomicU64,
    pub zero_pages: AtomicU64,
    pub resolve_nanos: AtomicU64,
    /// `latency[i]` counts faults resolved in `[2^i, 2^(i+1))` nanoseconds.
    pub latency: [AtomicU64; 32],
}

impl FaultStats {
    fn record(&self, nanos: u64) {
        self.resolve_nanos.fetch_add(nanos, Ordering::Relaxed);
        let bucket = (63 - nanos.max(1).leading_zeros() as usize).min(self.latency.len() - 1);
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// The resolve time (nanoseconds, the upper edge of its power-of-two bucket, so within 2x)
    /// under which a fraction `p` (0..=1) of the faults were resolved; 0 before any fault.
    pub fn latency_percentile(&self, p: f64) -> u64 {
        let counts: Vec<u64> = self
            .latency
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return 0;
        }
        let rank = ((p.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, count) in counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return (2u64 << bucket) - 1;
            }
        }
        u64::MAX
    }
}

/// The page size of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSize {
    /// 4 KiB base pages.
    Base4K,
    /// 2 MiB hugetlb pages (needs reserved huge pages: `/proc/sys/vm/nr_hugepages`).
    Huge2M,
}

impl PageSize {
    pub fn bytes(self) -> usize {
        match self {
            PageSize::Base4K => 4096,
            PageSize::Huge2M => 2 << 20,
        }
    }
}

const PAGE_BYTES: usize = 4096;
const UFFD_API: u64 = 0xAA;
const UFFDIO_REGISTER_MODE_MISSING: u64 = 1;
const UFFD_EVENT_PAGEFAULT: u8 = 0x12;

/// `_IOWR(0xAA, nr, size)` / `_IOR(0xAA, nr, size)` as in linux/userfaultfd.h.
const fn iowr(nr: u64, size: usize) -> u64 {
    (3 << 30) | ((size as u64) << 16) | (0xAA << 8) | nr
}
const fn ior(nr: u64, size: usize) -> u64 {
    (2 << 30) | ((size as u64) << 16) | (0xAA << 8) | nr
}

#[repr(C)]
#[derive(Default)]
struct UffdioApi {
    api: u64,
    features: u64,
    ioctls: u64,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct UffdioRange {
    start: u64,
    len: u64,
}

#[repr(C)]
#[derive(Default)]
struct UffdioRegister {
    range: UffdioRange,
    mode: u64,
    ioctls: u64,
}

#[repr(C)]
#[derive(Default)]
struct UffdioCopy {
    dst: u64,
    src: u64,
    len: u64,
    mode: u64,
    copy: i64,
}

#[repr(C)]
#[derive(Default)]
struct UffdioZeropage {
    range: UffdioRange,
    mode: u64,
    zeropage: i64,
}

/// `struct uffd_msg` (32 bytes); only the page-fault arm is read.
#[repr(C)]
#[derive(Default)]
struct UffdMsg {
    event: u8,
    reserved1: u8,
    reserved2: u16,
    reserved3: u32,
    flags: u64,
    address: u64,
    feat: u64,
}

const UFFDIO_API: u64 = iowr(0x3F, std::mem::size_of::<UffdioApi>());
const UFFDIO_REGISTER: u64 = iowr(0x00, std::mem::size_of::<UffdioRegister>());
const UFFDIO_UNREGISTER: u64 = ior(0x01, std::mem::size_of::<UffdioRange>());
const UFFDIO_COPY: u64 = iowr(0x03, std::mem::size_of::<UffdioCopy>());
const UFFDIO_ZEROPAGE: u64 = iowr(0x04, std::mem::size_of::<UffdioZeropage>());

fn os_error(what: &str) -> io::Error {
    let error = io::Error::last_os_error();
    io::Error::new(error.kind(), format!("{what}: {error}"))
}

/// A registered region and its resolver thread.
pub struct Region {
    base: usize,
    len: usize,
    page_bytes: usize,
    uffd: i32,
    stop: Arc<AtomicBool>,
    resolver: Option<JoinHandle<()>>,
    stats: Arc<FaultStats>,
}

impl Region {
    /// Maps `len` bytes (rounded up to 4 KiB pages) of virtual memory and resolves its faults from
    /// `source`.
    pub fn new(len: usize, source: impl PageSource) -> io::Result<Region> {
        Region::with_pages(len, PageSize::Base4K, source)
    }

    /// As [`Region::new`], with pages of `pages` (rounded up to whole pages).
    pub fn with_pages(len: usize, pages: PageSize, source: impl PageSource) -> io::Result<Region> {
        let page_bytes = pages.bytes();
        let len = crate::round_up(len.max(page_bytes), page_bytes);
        let huge_flags = match pages {
            PageSize::Base4K => 0,
            PageSize::Huge2M => libc::MAP_HUGETLB | libc::MAP_HUGE_2MB,
        };
        // SAFETY: plain syscalls; every result is checked before use.
        unsafe {
            let uffd =
                libc::syscall(libc::SYS_userfaultfd, libc::O_CLOEXEC | libc::O_NONBLOCK) as i32;
            if uffd < 0 {
                return Err(os_error(
                    "userfaultfd (needs root, CAP_SYS_PTRACE or vm.unprivileged_userfaultfd=1)",
                ));
            }
            let mut api = UffdioApi {
                api: UFFD_API,
                ..Default::default()
            };
            if libc::ioctl(uffd, UFFDIO_API as _, &mut api) != 0 {
                let error = os_error("UFFDIO_API");
                libc::close(uffd);
                return Err(error);
            }
            let base = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | huge_flags,
                -1,
                0,
            );
            if base == libc::MAP_FAILED {
                let error = os_error(match pages {
                    PageSize::Base4K => "mmap",
                    PageSize::Huge2M => "mmap with 2 MiB huge pages (reserve them: echo N > /proc/sys/vm/nr_hugepages)",
                });
                libc::close(uffd);
                return Err(error);
            }
            let mut register = UffdioRegister {
                range: UffdioRange {
                    start: base as u64,
                    len: len as u64,
                },
                mode: UFFDIO_REGISTER_MODE_MISSING,
                ioctls: 0,
            };
            if libc::ioctl(uffd, UFFDIO_REGISTER as _, &mut register) != 0 {
                let error = os_error("UFFDIO_REGISTER");
                libc::munmap(base, len);
                libc::close(uffd);
                return Err(error);
            }
            let stop = Arc::new(AtomicBool::new(false));
            let stats = Arc::new(FaultStats::default());
            let resolver = {
                let stop = stop.clone();
                let stats = stats.clone();
                let base = base as usize;
                std::thread::Builder::new()
                    .name("keel-uffd".into())
                    .spawn(move || resolve_faults(uffd, base, page_bytes, source, stop, stats))
                    .inspect_err(|_| {
                        libc::munmap(base as *mut libc::c_void, len);
                        libc::close(uffd);
                    })?
            };
            Ok(Region {
                base: base as usize,
                len,
                page_bytes,
                uffd,
                stop,
                resolver: Some(resolver),
                stats,
            })
        }
    }

    /// The region's first byte.
    pub fn as_ptr(&self) -> *mut u8 {
        self.base as *mut u8
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never empty (at least one page).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Page size in bytes.
    pub fn page_bytes(&self) -> usize {
        self.page_bytes
    }

    /// Fault counters.
    pub fn stats(&self) -> &FaultStats {
        &self.stats
    }

    /// Drops the pages of `[offset, offset + len)` (page aligned); the next touch faults again.
    pub fn evict(&self, offset: usize, len: usize) -> io::Result<()> {
        if !offset.is_multiple_of(self.page_bytes)
            || !len.is_multiple_of(self.page_bytes)
            || offset + len > self.len
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("evict {len} bytes at {offset}: not page aligned or past the region"),
            ));
        }
        // SAFETY: the range lies inside our own mapping; MADV_DONTNEED only drops its pages.
        if unsafe {
            libc::madvise(
                (self.base + offset) as *mut libc::c_void,
                len,
                libc::MADV_DONTNEED,
            )
        } != 0
        {
            return Err(os_error("madvise(MADV_DONTNEED)"));
        }
        Ok(())
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(resolver) = self.resolver.take() {
            let _ = resolver.join();
        }
        let mut range = UffdioRange {
            start: self.base as u64,
            len: self.len as u64,
        };
        // SAFETY: unregistering and unmapping our own region once its resolver has stopped; no
        // reference into the region outlives `self` (callers hold raw pointers at their own risk).
        unsafe {
            libc::ioctl(self.uffd, UFFDIO_UNREGISTER as _, &mut range);
            libc::munmap(self.base as *mut libc::c_void, self.len);
            libc::close(self.uffd);
        }
    }
}

/// The resolver loop: wait for fault messages, fill and install pages.
fn resolve_faults(
    uffd: i32,
    base: usize,
    page_bytes: usize,
    mut source: impl PageSource,
    stop: Arc<AtomicBool>,
    stats: Arc<FaultStats>,
) {
    let mut page = crate::AlignedBuf::zeroed(page_bytes);
    // hugetlb has no shared zero page: empty huge pages are copied from zeros.
    let zero_by_copy = page_bytes != PAGE_BYTES;
    while !stop.load(Ordering::Acquire) {
        let mut poll = libc::pollfd {
            fd: uffd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: polling one valid descriptor with a timeout, so `stop` is rechecked.
        let ready = unsafe { libc::poll(&mut poll, 1, 50) };
        if ready <= 0 {
            continue;
        }
        let mut message = UffdMsg::default();
        // SAFETY: reading one uffd_msg-sized record into a matching repr(C) struct.
        let n = unsafe {
            libc::read(
                uffd,
                (&mut message as *mut UffdMsg).cast(),
                std::mem::size_of::<UffdMsg>(),
            )
        };
        if n != std::mem::size_of::<UffdMsg>() as isize || message.event != UFFD_EVENT_PAGEFAULT {
            continue;
        }
        let started = Instant::now();
        // Counted before the page is installed: installing it wakes the faulting thread, which
        // may look at the counters right away.
        stats.faults.fetch_add(1, Ordering::Relaxed);
        let page_address = (message.address as usize) & !(page_bytes - 1);
        let offset = (page_address - base) as u64;
        let filled = source.fill(offset, page.as_mut_slice());
        if !filled {
            stats.zero_pages.fetch_add(1, Ordering::Relaxed);
            if zero_by_copy {
                page.as_mut_slice().fill(0);
            }
        }
        // SAFETY: UFFDIO_COPY/ZEROPAGE install one page at a faulting address inside the region;
        // the source buffer is ours and one page long. EEXIST (raced with another fault on the same
        // page) is harmless: the page is there and the waiter is woken.
        unsafe {
            if filled || zero_by_copy {
                let mut copy = UffdioCopy {
                    dst: page_address as u64,
                    src: page.as_slice().as_ptr() as u64,
                    len: page_bytes as u64,
                    mode: 0,
                    copy: 0,
                };
                libc::ioctl(uffd, UFFDIO_COPY as _, &mut copy);
            } else {
                let mut zero = UffdioZeropage {
                    range: UffdioRange {
                        start: page_address as u64,
                        len: page_bytes as u64,
                    },
                    mode: 0,
                    zeropage: 0,
                };
                libc::ioctl(uffd, UFFDIO_ZEROPAGE as _, &mut zero);
            }
        }
        stats.record(started.elapsed().as_nanos() as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Page `i` holds words `i * 1000 + w`; every tenth page is empty (zeros).
    struct Pattern;

    impl PageSource for Pattern {
        fn fill(&mut self, offset: u64, page: &mut [u8]) -> bool {
            let index = offset / page.len() as u64;
            if index % 10 == 9 {
                return false;
            }
            for (i, chunk) in page.chunks_mut(8).enumerate() {
                chunk.copy_from_slice(&(index * 1000 + i as u64).to_le_bytes());
            }
            true
        }
    }

    fn open(len: usize, pages: PageSize) -> Option<Region> {
        match Region::with_pages(len, pages, Pattern) {
            Ok(region) => Some(region),
            Err(error)
                if error.raw_os_error() == Some(libc::EPERM)
                    || error.raw_os_error() == Some(libc::ENOSYS) =>
            {
                eprintln!("skipping: {error}");
                None
            }
            Err(error) => panic!("{error}"),
        }
    }

    /// Reads the region twice, page by page, keeping at most `budget_pages` resident; checks one word
    /// of every page and that every page faulted exactly once per pass.
    fn read_through(region: &Region, budget_pages: usize) {
        let page = region.page_bytes();
        let pages = region.len() / page;
        for round in 0..2 {
            for index in 0..pages {
                let word_index = (index * 7919) % (page / 8);
                // SAFETY: reading inside the region; a missing page is resolved by the resolver.
                let word = unsafe {
                    std::ptr::read_volatile(
                        region.as_ptr().add(index * page + 8 * word_index) as *const u64
                    )
                };
                let expected = if index % 10 == 9 {
                    0
                } else {
                    (index * 1000 + word_index) as u64
                };
                assert_eq!(word, expected, "round {round}, page {index}");
                if index >= budget_pages {
                    region.evict((index - budget_pages) * page, page).unwrap();
                }
            }
            region.evict(0, region.len()).unwrap();
        }
        let stats = region.stats();
        assert_eq!(
            stats.faults.load(Ordering::Relaxed),
            2 * pages as u64,
            "every page faulted once per round"
        );
        assert!(stats.zero_pages.load(Ordering::Relaxed) > 0);
        let (p50, p99, p999) = (
            stats.latency_percentile(0.5),
            stats.latency_percentile(0.99),
            stats.latency_percentile(0.999),
        );
        assert!(0 < p50 && p50 <= p99 && p99 <= p999, "{p50} {p99} {p999}");
        eprintln!(
            "{} faults on {} KiB pages: p50 {p50} ns, p99 {p99} ns, p99.9 {p999} ns",
            stats.faults.load(Ordering::Relaxed),
            page / 1024
        );
        assert!(region.evict(1, page).is_err());
    }

    #[test]
    fn a_region_larger_than_its_resident_budget_reads_through_page_by_page() {
        if let Some(region) = open(64 << 20, PageSize::Base4K) {
            read_through(&region, 256); // 1 MiB resident at most
        }
    }

    #[test]
    #[ignore = "needs reserved huge pages (tests/run.sh reserves them for this test when it may)"]
    fn hugetlb_region_reads_through_2m_pages() {
        if let Some(region) = open(64 << 20, PageSize::Huge2M) {
            read_through(&region, 4); // 8 MiB resident at most
        }
    }

    #[test]
    fn latency_percentiles_come_from_the_histogram() {
        let stats = FaultStats::default();
        assert_eq!(stats.latency_percentile(0.5), 0);
        for nanos in [1000u64; 98].iter().chain(&[1_000_000, 4_000_000]) {
            stats.record(*nanos);
        }
        assert_eq!(stats.latency_percentile(0.5), 1023);
        assert_eq!(stats.latency_percentile(0.98), 1023);
        assert_eq!(stats.latency_percentile(0.99), (1 << 20) - 1);
        assert_eq!(stats.latency_percentile(1.0), (1 << 22) - 1);
    }
}
