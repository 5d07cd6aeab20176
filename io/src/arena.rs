//! Buffer arenas: one large region per worker, carved into equal aligned chunks.
//!
//! The region is memfd-backed so it can later be shared with a device or a child process, and it
//! uses the biggest pages available, in this order:
//!
//! 1. 2 MiB hugetlb pages (`MFD_HUGETLB | MFD_HUGE_2MB`), when the hugepage pool has enough reserved;
//! 2. transparent huge pages (`madvise(MADV_HUGEPAGE)` on the shared mapping), when the kernel allows
//!    them for shmem;
//! 3. 4 KiB pages.
//!
//! [`Arena::kind`] says which one it got. Chunks are handed out as [`AlignedBuf`]s, which any
//! [`crate::device::Device`] accepts and which go back to the free list when dropped. An arena is
//! meant to be registered with its worker's io_uring ring once
//! ([`crate::device::Device::register_arena`], built on [`Arena::iovecs`]); IO on its chunks is then
//! fixed-buffer IO.
//! [`check_limits`] tells at start-up, in one line, what to raise when `RLIMIT_MEMLOCK` or the
//! hugepage pool is too small for the arenas a node wants.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::AlignedBuf;

const HUGE_PAGE_BYTES: usize = 2 << 20;

/// What backs an arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// Reserved 2 MiB hugetlb pages.
    Huge2M,
    /// Transparent huge pages (best effort by the kernel).
    Transparent,
    /// Base 4 KiB pages.
    Small,
}

/// A region of equal, aligned chunks. Cloning gives another handle on the same region; the mapping
/// lives until the last handle and the last chunk are gone.
#[derive(Clone)]
pub struct Arena {
    shared: Arc<Shared>,
}

/// The mapping and its free list, shared by the arena's handles and its chunks.
pub(crate) struct Shared {
    /// Unique per process: devices recognise chunks of an arena registered with them by it.
    pub(crate) id: u64,
    pub(crate) base: *mut u8,
    len: usize,
    kind: PageKind,
    chunk_bytes: usize,
    free: Mutex<Vec<u32>>,
    _memfd: File,
}

// SAFETY: the mapping is plain shared memory, every chunk has exactly one owner (an `AlignedBuf`),
// and the free list is behind a mutex.
unsafe impl Send for Shared {}
// SAFETY: as above; `&Shared` only reads immutable fields or locks the free list.
unsafe impl Sync for Shared {}

impl Shared {
    pub(crate) fn give_back(&self, index: u32) {
        self.free
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(index);
    }
}

static NEXT_ARENA_ID: AtomicU64 = AtomicU64::new(1);

fn memfd(flags: libc::c_uint) -> io::Result<File> {
    // SAFETY: memfd_create with a static NUL-terminated name; the result is checked.
    let fd = unsafe { libc::memfd_create(c"keel-arena".as_ptr(), flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor we own.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// Maps `len` bytes of `file` shared at an address aligned to `align` (so chunks are aligned to
/// their size and huge pages can back the region); `None` when the kernel refuses (no huge pages
/// left, say).
///
/// The file's pages are allocated first (`fallocate`), so that a hugetlb file short of huge pages
/// fails there, before any address space is touched. The mapping then goes over an aligned part
/// of a PROT_NONE reservation with MAP_FIXED. Should that still fail, only the reservation's
/// slack on both sides is released: a failed MAP_FIXED can leave a gap where it was asked to map
/// (the kernel could not restore the replaced range), another thread's mmap (a new thread's stack)
/// may already sit in that gap, and unmapping the whole reservation would pull that thread's stack
/// from under it (a node died so at start, with SIGSEGV in `clone3`). At worst `len` bytes of
/// PROT_NONE address space stay reserved, no memory.
fn map(file: &File, len: usize, align: usize) -> Option<*mut u8> {
    if file.set_len(len as u64).is_err() {
        return None;
    }
    // SAFETY: fallocate on a descriptor we own, within the length just set.
    if unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, len as i64) } != 0 {
        let error = io::Error::last_os_error();
        // Tmpfs and hugetlbfs support it; a file system that does not is left to mmap.
        if error.raw_os_error() != Some(libc::EOPNOTSUPP) {
            return None;
        }
    }
    // SAFETY: reserve address space (no memory) big enough to find an aligned start, map the file
    // over the aligned part with MAP_FIXED (replacing only our own reservation), then release the
    // unused slack on both sides. Every result is checked.
    unsafe {
        let span = len + align;
        let reserve = libc::mmap(
            std::ptr::null_mut(),
            span,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        );
        if reserve == libc::MAP_FAILED {
            return None;
        }
        let start = crate::round_up(reserve as usize, align);
        let flags = libc::MAP_SHARED | libc::MAP_FIXED | libc::MAP_POPULATE;
        let base = libc::mmap(
            start as *mut libc::c_void,
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            flags,
            file.as_raw_fd(),
            0,
        );
        let before = start - reserve as usize;
        if before > 0 {
            libc::munmap(reserve, before);
        }
        let after = span - before - len;
        if after > 0 {
            libc::munmap((start + len) as *mut libc::c_void, after);
        }
        // Failed: [start, start + len) is left alone (see above).
        (base != libc::MAP_FAILED).then_some(base.cast())
    }
}

/// Whether the kernel may back shmem (memfd) mappings with transparent huge pages on request.
fn shmem_thp_allowed() -> bool {
    std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/shmem_enabled")
        .map(|text| {
            ["[always]", "[within_size]", "[advise]", "[force]"]
                .iter()
                .any(|mode| text.contains(mode))
        })
        .unwrap_or(false)
}

impl Arena {
    /// An arena of at least `bytes` bytes in chunks of `chunk_bytes` (a power of two, at least 4096).
    pub fn new(bytes: usize, chunk_bytes: usize) -> io::Result<Arena> {
        if !chunk_bytes.is_power_of_two() || chunk_bytes < crate::BLOCK_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("chunk size {chunk_bytes} must be a power of two of at least 4096 bytes"),
            ));
        }
        let align = HUGE_PAGE_BYTES.max(chunk_bytes);
        let len = crate::round_up(bytes.max(chunk_bytes), align);
        let chunks = len / chunk_bytes;
        if chunks > u32::MAX as usize {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "too many chunks",
            ));
        }
        let (file, base, kind) = if let Some((file, base)) =
            memfd(libc::MFD_CLOEXEC | libc::MFD_HUGETLB | libc::MFD_HUGE_2MB)
                .ok()
                .and_then(|file| map(&file, len, align).map(|base| (file, base)))
        {
            (file, base, PageKind::Huge2M)
        } else {
            let file = memfd(libc::MFD_CLOEXEC)?;
            let base = map(&file, len, align).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::OutOfMemory,
                    format!("cannot map a {len}-byte arena"),
                )
            })?;
            // SAFETY: advice on our own mapping.
            let advised = unsafe { libc::madvise(base.cast(), len, libc::MADV_HUGEPAGE) } == 0;
            (
                file,
                base,
                if advised && shmem_thp_allowed() {
                    PageKind::Transparent
                } else {
                    PageKind::Small
                },
            )
        };
        let free = (0..chunks as u32).rev().collect();
        Ok(Arena {
            shared: Arc::new(Shared {
                id: NEXT_ARENA_ID.fetch_add(1, Ordering::Relaxed),
                base,
                len,
                kind,
                chunk_bytes,
                free: Mutex::new(free),
                _memfd: file,
            }),
        })
    }

    /// Unique per process; [`AlignedBuf::arena_slot`] names it.
    pub fn id(&self) -> u64 {
        self.shared.id
    }

    pub fn kind(&self) -> PageKind {
        self.shared.kind
    }

    pub fn len(&self) -> usize {
        self.shared.len
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn chunk_bytes(&self) -> usize {
        self.shared.chunk_bytes
    }

    /// Chunks not handed out.
    pub fn available(&self) -> usize {
        self.shared
            .free
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// A free chunk (aligned to its size, contents as its last user left them), or `None` when all
    /// are in use. It returns to the arena when dropped.
    pub fn chunk(&self) -> Option<AlignedBuf> {
        let index = self
            .shared
            .free
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop()?;
        let chunk_bytes = self.shared.chunk_bytes;
        // SAFETY: index < chunks, so the chunk lies inside the mapping.
        let ptr = unsafe { self.shared.base.add(index as usize * chunk_bytes) };
        Some(AlignedBuf::from_arena(
            self.shared.clone(),
            index,
            ptr,
            chunk_bytes,
        ))
    }

    /// The region as io_uring fixed-buffer vectors (at most 1 GiB each, the kernel's limit).
    /// Piece `i` starts at byte `i * IOVEC_BYTES`, so a chunk's piece is its offset divided by it
    /// (chunks are aligned to their power-of-two size and never straddle two pieces).
    pub fn iovecs(&self) -> Vec<libc::iovec> {
        let len = self.shared.len;
        (0..len)
            .step_by(IOVEC_BYTES)
            // SAFETY: pointer arithmetic inside our own mapping.
            .map(|start| libc::iovec {
                iov_base: unsafe { self.shared.base.add(start) }.cast(),
                iov_len: IOVEC_BYTES.min(len - start),
            })
            .collect()
    }
}

/// Largest fixed buffer io_uring registers in one vector.
pub const IOVEC_BYTES: usize = 1 << 30;

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: every chunk holds an `Arc<Shared>`, so when this runs no chunk, handle or device
        // registration (devices keep a handle) uses the mapping any more.
        unsafe { libc::munmap(self.base.cast(), self.len) };
    }
}

/// Start-up check for arenas of `arena_bytes` in total: `None` when the limits suffice, else one line
/// saying what to raise. Root is exempt from `RLIMIT_MEMLOCK`; huge pages are optional (the arena
/// falls back), so a short pool is reported as a performance hint, not an error.
pub fn check_limits(arena_bytes: u64) -> Option<String> {
    let mut advice = Vec::new();
    // SAFETY: getrlimit fills the struct we pass.
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let is_root = unsafe { libc::geteuid() } == 0;
    if unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) } == 0
        && !is_root
        && limit.rlim_cur != libc::RLIM_INFINITY
        && limit.rlim_cur < arena_bytes
    {
        advice.push(format!(
            "RLIMIT_MEMLOCK is {} KiB but registered IO buffers need {} KiB: raise it (ulimit -l {}, or LimitMEMLOCK= in the systemd unit)",
            limit.rlim_cur / 1024,
            arena_bytes / 1024,
            arena_bytes.div_ceil(1024)
        ));
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |name: &str| {
        meminfo
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    if let (Some(free), Some(size_kib)) = (field("HugePages_Free:"), field("Hugepagesize:")) {
        let needed = arena_bytes.div_ceil(size_kib * 1024);
        if free < needed {
            let total = field("HugePages_Total:").unwrap_or(0);
            advice.push(format!(
                "only {free} free huge pages of {size_kib} KiB for {needed} needed: reserve more (echo {} > /proc/sys/vm/nr_hugepages) or run on transparent/4 KiB pages",
                total + needed - free
            ));
        }
    }
    (!advice.is_empty()).then(|| advice.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Arenas made while other threads start (each new thread maps its stack): a huge-page attempt
    /// that fails (no huge pages reserved, as on most machines) must not unmap anything but its own
    /// reservation. Measured on this kernel: a MAP_FIXED hugetlb mmap that fails with ENOMEM leaves
    /// a gap where the reservation was; the old clean-up then unmapped the whole reservation, and a
    /// new thread's stack that had landed in the gap went with it (SIGSEGV in `clone3`). The window
    /// is two system calls wide, so this stress finds a regression only sometimes; the crash
    /// harness and the history checker start nodes (and these arenas) hundreds of times.
    #[test]
    fn failed_huge_page_arenas_leave_other_mappings_alone() {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let spawner = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut spawned = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    // Touch the new stack: an unmapped one faults at once.
                    let sum = std::thread::spawn(|| {
                        std::hint::black_box([1u8; 4096])
                            .iter()
                            .map(|&b| b as u64)
                            .sum::<u64>()
                    })
                    .join()
                    .expect("the thread ran");
                    assert_eq!(sum, 4096);
                    spawned += 1;
                }
                spawned
            })
        };
        let makers: Vec<_> = (0..2)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..300 {
                        let arena = Arena::new(4 << 20, 2 << 20).expect("an arena");
                        assert_eq!(arena.len(), 4 << 20);
                    }
                })
            })
            .collect();
        for maker in makers {
            maker.join().expect("arenas made");
        }
        stop.store(true, Ordering::Relaxed);
        assert!(spawner.join().expect("threads spawned") > 0);
    }

    #[test]
    fn chunks_are_aligned_distinct_and_recycled() {
        let arena = Arena::new(8 << 20, 64 << 10).unwrap();
        assert!(arena.len() >= 8 << 20);
        let total = arena.available();
        let mut a = arena.chunk().unwrap();
        let mut b = arena.chunk().unwrap();
        assert_eq!(a.as_slice().as_ptr() as usize % (64 << 10), 0);
        a.as_mut_slice().fill(1);
        b.as_mut_slice().fill(2);
        assert!(a.as_slice().iter().all(|&x| x == 1));
        assert_ne!(a.arena_slot(), b.arena_slot());
        assert_eq!(a.arena_slot().unwrap().0, arena.id());
        assert_eq!(arena.available(), total - 2);
        drop(a);
        drop(b);
        assert_eq!(arena.available(), total);
        let all: Vec<_> = (0..total).map(|_| arena.chunk().unwrap()).collect();
        assert!(arena.chunk().is_none());
        drop(all);
        assert_eq!(
            arena.iovecs().iter().map(|v| v.iov_len).sum::<usize>(),
            arena.len()
        );
    }

    #[test]
    fn bad_chunk_sizes_are_refused() {
        assert!(Arena::new(1 << 20, 1000).is_err());
        assert!(Arena::new(1 << 20, 2048).is_err());
    }

    #[test]
    fn huge_pages_are_used_when_reserved() {
        // With no reserved pool (the default here), the arena falls back instead of failing.
        let arena = Arena::new(4 << 20, 1 << 20).unwrap();
        let free = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let has_pool = free
            .lines()
            .any(|l| l.starts_with("HugePages_Free:") && !l.trim_end().ends_with(" 0"));
        if !has_pool {
            assert_ne!(arena.kind(), PageKind::Huge2M);
        }
        assert!(
            check_limits(1 << 40).is_some(),
            "a 1 TiB arena cannot fit any real pool"
        );
    }
}

#[cfg(test)]
mod hugetlb_probe {
    #[test]
    #[ignore = "needs a reserved hugepage pool: echo 8 > /proc/sys/vm/nr_hugepages"]
    fn uses_reserved_huge_pages() {
        let arena = super::Arena::new(4 << 20, 1 << 20).unwrap();
        assert_eq!(arena.kind(), super::PageKind::Huge2M);
        let mut chunk = arena.chunk().unwrap();
        chunk.as_mut_slice().fill(7);
        assert_eq!(chunk.as_slice()[12345], 7);
    }
}
