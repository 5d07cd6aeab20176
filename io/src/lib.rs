//! keel-io: Keel's only way to the disk and to raw memory. It knows nothing of SQL.
//!
//! - [`device`]: the completion-based [`device::Device`] trait, with three backends:
//!   [`memory`] (unit tests), [`uring`] (a file or block device through the worker's own io_uring
//!   ring) and [`sim`] (deterministic from a seed, with torn and lost writes, read errors, ENOSPC).
//! - [`AlignedBuf`]: a heap buffer aligned to [`BLOCK_BYTES`], the unit O_DIRECT transfers in.
//!
//! The write-ahead log runs on the `uring` device: a durable write is one *linked pair*
//! `WRITE -> FSYNC(DATASYNC)` in a single `io_uring_enter`, and completions wake the worker through
//! its tokio reactor (the ring's fd is pollable, [`device::Device::completion_fd`]), never a
//! blocking wait.
//!
//! One ring belongs to one worker thread; nothing here is shared between threads.
//!
//! - [`uffd`]: userfaultfd regions ("active virtual memory"): first touches of missing pages are
//!   filled by a page source, pages are evicted with `MADV_DONTNEED`.
//!
//! - [`arena`]: memfd-backed buffer arenas on 2 MiB hugetlb pages, transparent huge pages or 4 KiB
//!   pages, carved into aligned chunks; [`arena::check_limits`] says what to raise at start-up.
//!
//! An arena registered with a device ([`device::Device::register_arena`]) makes IO on its chunks
//! fixed-buffer IO on io_uring: the kernel pinned the pages once, at registration, instead of on
//! every request.

pub mod arena;
pub mod device;
pub mod memory;
pub mod sim;
pub mod uffd;
pub mod uring;

use std::alloc::{self, Layout};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Alignment and size granularity of direct IO.
pub const BLOCK_BYTES: usize = 4096;

/// A buffer whose address and length are multiples of [`BLOCK_BYTES`]: either its own heap
/// allocation ([`AlignedBuf::zeroed`]) or a chunk of an [`arena::Arena`] ([`arena::Arena::chunk`]),
/// which it gives back when dropped. Devices accept both; the `uring` device turns IO on a chunk of an
/// arena registered with its ring into fixed-buffer IO (no page pinning per request).
pub struct AlignedBuf {
    ptr: *mut u8,
    len: usize,
    capacity: usize,
    origin: Origin,
}

enum Origin {
    Heap,
    /// Memory owned elsewhere (a buffer manager's page); nothing to free.
    Borrowed,
    Arena(std::sync::Arc<arena::Shared>, u32),
}

// SAFETY: the buffer is uniquely owned; moving it between threads moves the ownership (an arena
// chunk keeps its arena alive through an `Arc`, and the arena's free list is behind a mutex).
unsafe impl Send for AlignedBuf {}

impl AlignedBuf {
    /// Allocates `len` bytes rounded up to a whole block, zeroed.
    pub fn zeroed(len: usize) -> AlignedBuf {
        let len = round_up(len.max(1), BLOCK_BYTES);
        let layout = Layout::from_size_align(len, BLOCK_BYTES).expect("valid layout");
        // SAFETY: layout has a non-zero size.
        let ptr = unsafe { alloc::alloc_zeroed(layout) };
        if ptr.is_null() {
            alloc::handle_alloc_error(layout);
        }
        AlignedBuf {
            ptr,
            len,
            capacity: len,
            origin: Origin::Heap,
        }
    }

    /// A chunk of an arena (see [`arena::Arena::chunk`]).
    pub(crate) fn from_arena(
        shared: std::sync::Arc<arena::Shared>,
        index: u32,
        ptr: *mut u8,
        len: usize,
    ) -> AlignedBuf {
        AlignedBuf {
            ptr,
            len,
            capacity: len,
            origin: Origin::Arena(shared, index),
        }
    }

    /// A view of `len` bytes at `ptr` owned elsewhere, for IO straight into (or out of) memory the
    /// caller manages, such as a buffer manager's page at its virtual address.
    ///
    /// # Safety
    /// `ptr` and `len` must be multiples of [`BLOCK_BYTES`], the memory must stay valid and must not
    /// be accessed by anyone else until the buffer comes back from the device (or is dropped).
    pub unsafe fn borrowed(ptr: *mut u8, len: usize) -> AlignedBuf {
        debug_assert!(
            (ptr as usize).is_multiple_of(BLOCK_BYTES)
                && len.is_multiple_of(BLOCK_BYTES)
                && len > 0
        );
        AlignedBuf {
            ptr,
            len,
            capacity: len,
            origin: Origin::Borrowed,
        }
    }

    /// Length in bytes (a multiple of [`BLOCK_BYTES`]): what a read fills and a write writes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never empty: the smallest buffer is one block.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Bytes allocated (the length can be set anywhere up to this).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Sets the length to `len` rounded up to a whole block, at most the capacity (so a large chunk
    /// can carry a short write). Returns the new length.
    pub fn set_len(&mut self, len: usize) -> usize {
        self.len = round_up(len.max(1), BLOCK_BYTES).min(self.capacity);
        self.len
    }

    /// The arena this buffer is a chunk of (its id) and its byte offset there.
    pub fn arena_slot(&self) -> Option<(u64, usize)> {
        match &self.origin {
            Origin::Heap | Origin::Borrowed => None,
            Origin::Arena(shared, _) => Some((shared.id, self.ptr as usize - shared.base as usize)),
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: ptr is valid for len bytes for the lifetime of self.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: ptr is valid for len bytes and uniquely borrowed.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl std::fmt::Debug for AlignedBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AlignedBuf({} bytes)", self.len)
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        match &self.origin {
            Origin::Heap => {
                let layout =
                    Layout::from_size_align(self.capacity, BLOCK_BYTES).expect("valid layout");
                // SAFETY: allocated in `zeroed` with this layout.
                unsafe { alloc::dealloc(self.ptr, layout) }
            }
            Origin::Arena(shared, index) => shared.give_back(*index),
            Origin::Borrowed => {}
        }
    }
}

/// Rounds `value` up to a multiple of `unit` (a power of two).
pub fn round_up(value: usize, unit: usize) -> usize {
    (value + unit - 1) & !(unit - 1)
}

/// Rounds `value` down to a multiple of `unit` (a power of two).
pub fn round_down(value: usize, unit: usize) -> usize {
    value & !(unit - 1)
}

/// Allocates the blocks of `len` bytes of `file` at `offset` without changing its length
/// (`fallocate` with `FALLOC_FL_KEEP_SIZE`), so that later writes there cannot run out of space.
/// A file system without fallocate reports success: its writes find out for themselves.
pub fn allocate(file: &File, offset: u64, len: u64) -> io::Result<()> {
    fallocate(file, libc::FALLOC_FL_KEEP_SIZE, offset, len)
}

/// Allocates the blocks of `len` bytes of `file` at `offset` and extends the file's length over
/// them (`fallocate` mode 0; the blocks read as zeros until written). A direct write there is
/// then an overwrite inside the file: ext4 and XFS take the inode's lock shared and io_uring issues
/// it from the submitting thread, where a write past the end takes the lock exclusively, journals
/// the new length, and io_uring hands it to one of its worker threads (measured with the data file
/// grown by [`allocate`]: those workers were 43% of the node's CPU during `pgbench -i -s 100`,
/// mostly waiting for the exclusive lock). A file system without fallocate reports success.
pub fn allocate_extending(file: &File, offset: u64, len: u64) -> io::Result<()> {
    fallocate(file, 0, offset, len)
}

fn fallocate(file: &File, mode: i32, offset: u64, len: u64) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: fallocate on a descriptor the caller owns, with a mode that only allocates blocks
    // (and, without KEEP_SIZE, extends the length): no existing byte changes.
    let rc = unsafe { libc::fallocate(file.as_raw_fd(), mode, offset as i64, len as i64) };
    if rc == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EOPNOTSUPP) => Ok(()),
        _ => Err(error),
    }
}

/// Waits until no direct write to `path` is still in flight, from this process or any other,
/// including one that has exited: a process killed with SIGKILL leaves its io_uring ring to be torn
/// down in the background, and O_DIRECT writes it submitted keep landing for a while after it was
/// reaped (measured here: ~100 ms and a few MiB after `waitpid` for a killed fio with 256 writes in
/// flight). A restarted node that read its log before such a write landed would write new records
/// into the same blocks and then have them overwritten by the old bytes. `fallocate` takes the
/// inode's lock and waits for every direct IO in flight on it (`inode_dio_wait`, ext4 and XFS);
/// it is asked for blocks that already exist (the file's last block, with `FALLOC_FL_KEEP_SIZE`),
/// so it changes nothing. A missing file has nothing in flight; a file system without fallocate
/// has no asynchronous direct IO either (tmpfs refuses O_DIRECT).
pub fn wait_for_direct_writes(path: &Path) -> io::Result<()> {
    let file = match OpenOptions::new().write(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    let len = file.metadata()?.len();
    let last = round_down(len.saturating_sub(1) as usize, BLOCK_BYTES) as u64;
    allocate(&file, last, BLOCK_BYTES as u64)
}

/// Writes zeros over `len` bytes of `file` from `offset` and makes them durable, so that later
/// writes there overwrite blocks that exist and lie inside the file's length: their `fdatasync` then
/// flushes data only, with no file-system journal commit for new extents or a new length (the
/// reason PostgreSQL zero-fills its WAL segments). The range is widened to whole blocks from
/// `offset` rounded up (the caller's last partial block may have a write in flight), and written
/// from an aligned buffer so that `file` may be, and for a file written with O_DIRECT must be,
/// opened with O_DIRECT too: buffered zeros beside direct writes leave page-cache folios that a
/// direct write cannot always invalidate (large folios span the boundary), and a buffered reader
/// then sees zeros where the disk holds data.
pub fn allocate_written(file: &File, offset: u64, len: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let start = round_up(offset as usize, BLOCK_BYTES) as u64;
    let end = round_up((offset + len) as usize, BLOCK_BYTES) as u64;
    let zeros = AlignedBuf::zeroed(1 << 20);
    let mut at = start;
    while at < end {
        let n = (end - at).min(zeros.len() as u64) as usize;
        file.write_all_at(&zeros.as_slice()[..n], at)?;
        at += n as u64;
    }
    file.sync_data()
}

/// Reads `file` from `offset` to its end with O_DIRECT when the file system allows it (from the
/// disk, never from a page cache another writer may have left stale), else buffered. `offset` must
/// be a multiple of [`BLOCK_BYTES`].
pub fn read_direct_from(path: &Path, offset: u64) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    debug_assert_eq!(offset % BLOCK_BYTES as u64, 0);
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
    {
        Ok(file) => file,
        Err(error) if error.raw_os_error() == Some(libc::EINVAL) => File::open(path)?,
        Err(error) => return Err(error),
    };
    let len = file.metadata()?.len().saturating_sub(offset) as usize;
    let mut buf = AlignedBuf::zeroed(len.clamp(BLOCK_BYTES, 8 << 20));
    let mut out = Vec::with_capacity(len);
    let mut at = offset;
    loop {
        let n = file.read_at(buf.as_mut_slice(), at)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf.as_slice()[..n]);
        at += n as u64;
        if n % BLOCK_BYTES != 0 {
            // A short read ends at the file's end (O_DIRECT reads the last partial block whole).
            break;
        }
    }
    Ok(out)
}

/// Opens (creating if needed) `path` for reading and writing with O_DIRECT, or buffered when the
/// file system refuses O_DIRECT (tmpfs does); the flag says which.
pub fn open_direct(path: &Path) -> io::Result<(File, bool)> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    match options.clone().custom_flags(libc::O_DIRECT).open(path) {
        Ok(file) => Ok((file, true)),
        Err(error) if error.raw_os_error() == Some(libc::EINVAL) => {
            Ok((options.open(path)?, false))
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zero-filling ahead of a direct writer leaves the writer's bytes (and its partial last
    /// block) alone, and a direct read sees exactly what was written.
    #[test]
    fn zero_fill_and_direct_read_keep_the_written_prefix() {
        use std::os::unix::fs::FileExt;
        let dir = std::env::temp_dir().join(format!("keel-io-zero-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log");
        let (file, _) = open_direct(&path).unwrap();
        let mut data = AlignedBuf::zeroed(2 * BLOCK_BYTES);
        data.as_mut_slice()[..5000].fill(7);
        file.write_all_at(data.as_slice(), 0).unwrap();
        allocate_written(&file, 5000, 3 * BLOCK_BYTES as u64 + 17).unwrap();
        // Widened to whole blocks: from the block after 5000 to past 5000 + len.
        assert_eq!(file.metadata().unwrap().len(), 5 * BLOCK_BYTES as u64);
        let all = read_direct_from(&path, 0).unwrap();
        assert_eq!(all.len(), 5 * BLOCK_BYTES);
        assert!(all[..5000].iter().all(|&b| b == 7));
        assert!(all[5000..].iter().all(|&b| b == 0));
        assert_eq!(
            read_direct_from(&path, BLOCK_BYTES as u64).unwrap(),
            all[BLOCK_BYTES..]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// `allocate` leaves the length alone; `allocate_extending` (the data file's reservation
    /// through the uring device) moves it over the new blocks, which read as zeros and keep the
    /// bytes already written.
    #[test]
    fn extending_allocation_moves_the_length_and_keeps_the_bytes() {
        use crate::device::Device;
        use std::os::unix::fs::FileExt;
        let dir = std::env::temp_dir().join(format!("keel-io-extend-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data");
        let mut device = crate::uring::UringDevice::open(
            &path,
            64 * BLOCK_BYTES as u64,
            crate::uring::UringOptions::default(),
        )
        .unwrap();
        let (file, _) = open_direct(&path).unwrap();
        let mut data = AlignedBuf::zeroed(BLOCK_BYTES);
        data.as_mut_slice().fill(9);
        file.write_all_at(data.as_slice(), 0).unwrap();
        allocate(&file, BLOCK_BYTES as u64, 3 * BLOCK_BYTES as u64).unwrap();
        assert_eq!(file.metadata().unwrap().len(), BLOCK_BYTES as u64);
        device.reserve(0, 8 * BLOCK_BYTES as u64).unwrap();
        assert_eq!(device.file_len(), 8 * BLOCK_BYTES as u64);
        let all = read_direct_from(&path, 0).unwrap();
        assert_eq!(all.len(), 8 * BLOCK_BYTES);
        assert!(all[..BLOCK_BYTES].iter().all(|&b| b == 9));
        assert!(all[BLOCK_BYTES..].iter().all(|&b| b == 0));
        // Past the device's capacity: refused as a full disk, the length unchanged.
        assert!(matches!(
            device.reserve(0, 65 * BLOCK_BYTES as u64),
            Err(crate::device::DeviceError::NoSpace)
        ));
        assert_eq!(device.file_len(), 8 * BLOCK_BYTES as u64);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Writes the killed writer of `writes_of_a_killed_process_are_waited_for` submits: 1 MiB each,
    /// all in flight at once.
    const KILLED_WRITES: u64 = 192;

    /// The writer that `writes_of_a_killed_process_are_waited_for` kills: the test binary itself,
    /// run as a child with `KEEL_IO_KILLED_WRITER` naming the file. It submits its writes through
    /// io_uring and kills itself with everything in flight. Without the variable it does nothing.
    #[test]
    fn killed_writer_child() {
        use crate::device::Device;
        let Some(path) = std::env::var_os("KEEL_IO_KILLED_WRITER") else {
            return;
        };
        let mut device = crate::uring::UringDevice::open(
            Path::new(&path),
            KILLED_WRITES << 20,
            crate::uring::UringOptions::default(),
        )
        .unwrap();
        for i in 0..KILLED_WRITES {
            let mut buf = AlignedBuf::zeroed(1 << 20);
            buf.as_mut_slice().fill(0xff);
            device.submit_write(i << 20, buf).unwrap();
        }
        device.flush_submissions().unwrap();
        // SAFETY: the process ends here, as a crash would end it.
        unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
    }

    /// Direct writes of a process killed with writes in flight can land after it was reaped (its
    /// ring is torn down in the background): once `wait_for_direct_writes` returns, none is left,
    /// so two reads of the file some time apart see the same bytes.
    #[test]
    fn writes_of_a_killed_process_are_waited_for() {
        let dir = std::env::temp_dir().join(format!("keel-io-killed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("file");
        let (file, direct) = open_direct(&path).unwrap();
        if !direct {
            // No O_DIRECT here (tmpfs): nothing is written asynchronously.
            std::fs::remove_dir_all(&dir).unwrap();
            return;
        }
        allocate_written(&file, 0, KILLED_WRITES << 20).unwrap();
        drop(file);
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "tests::killed_writer_child", "--test-threads=1"])
            .env("KEEL_IO_KILLED_WRITER", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
        wait_for_direct_writes(&path).unwrap();
        let first = read_direct_from(&path, 0).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let second = read_direct_from(&path, 0).unwrap();
        let changed = first.iter().zip(&second).filter(|(a, b)| a != b).count();
        assert_eq!(
            changed, 0,
            "bytes landed after wait_for_direct_writes returned"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn aligned_buf_is_aligned_and_zeroed() {
        let buf = AlignedBuf::zeroed(100);
        assert_eq!(buf.len(), BLOCK_BYTES);
        assert_eq!(buf.as_slice().as_ptr() as usize % BLOCK_BYTES, 0);
        assert!(buf.as_slice().iter().all(|&b| b == 0));
    }
}
