//! keel-io: Keel's only way to the disk and to raw memory. It knows nothing of SQL.
//!
//! - [`device`]: the completion-based [`device::Device`] trait, with three backends:
//!   [`memory`] (unit tests), [`uring`] (a file or block device through the worker's own io_uring
//!   ring) and [`sim`] (deterministic from a seed, with torn and lost writes, read errors, ENOSPC).
//! - [`AlignedBuf`]: a heap buffer aligned to [`BLOCK_BYTES`], the unit O_DIRECT transfers in.
//! - [`UringFile`]: the async append path the write-ahead log uses today: a durable write is one
//!   *linked pair* `WRITE -> FSYNC(DATASYNC)` in a single `io_uring_enter`, and completions wake the
//!   worker through its tokio reactor (the ring's fd is pollable), never a blocking wait.
//!
//! One ring belongs to one worker thread; nothing here is shared between threads.
//!
//! - [`uffd`]: userfaultfd regions ("active virtual memory"): first touches of missing pages are
//!   filled by a page source, pages are evicted with `MADV_DONTNEED`.
//!
//! - [`arena`]: memfd-backed buffer arenas on 2 MiB hugetlb pages, transparent huge pages or 4 KiB
//!   pages, carved into aligned chunks; [`arena::check_limits`] says what to raise at start-up.
//!
//! Still to come (the keel-io issue): arenas registered as io_uring fixed buffers and used by the
//! `uring` device, 2 MiB pages in userfaultfd regions, and the WAL on top of the `Device` trait.

pub mod arena;
pub mod device;
pub mod memory;
pub mod sim;
pub mod uffd;
pub mod uring;

use std::alloc::{self, Layout};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use io_uring::{opcode, squeue, types, IoUring};
use tokio::io::unix::AsyncFd;

/// Alignment and size granularity of direct IO.
pub const BLOCK_BYTES: usize = 4096;

/// A zeroed heap buffer whose address and length are multiples of [`BLOCK_BYTES`].
pub struct AlignedBuf {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the buffer is uniquely owned; moving it between threads moves the ownership.
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
        AlignedBuf { ptr, len }
    }

    /// Length in bytes (a multiple of [`BLOCK_BYTES`]).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never empty: the smallest buffer is one block.
    pub fn is_empty(&self) -> bool {
        false
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
        let layout = Layout::from_size_align(self.len, BLOCK_BYTES).expect("valid layout");
        // SAFETY: allocated in `zeroed` with this layout.
        unsafe { alloc::dealloc(self.ptr, layout) }
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

/// A file written through its owner's io_uring ring.
pub struct UringFile {
    ready: AsyncFd<RawFd>,
    ring: IoUring,
    file: File,
    direct: bool,
}

impl UringFile {
    /// Opens (creating if needed) `path` for reading and writing. Tries O_DIRECT first and falls back
    /// to buffered IO (plus `fdatasync`) on file systems that refuse it, such as tmpfs; see
    /// [`UringFile::is_direct`]. Must be called inside a tokio runtime (the ring joins its reactor).
    pub fn open(path: &Path) -> io::Result<UringFile> {
        let (file, direct) = open_direct(path)?;
        let ring = IoUring::new(64).map_err(|error| {
            io::Error::new(
                error.kind(),
                format!("io_uring_setup failed ({error}); Keel needs io_uring (Linux 5.6+, not disabled by seccomp or kernel.io_uring_disabled)"),
            )
        })?;
        ring.submitter().register_files(&[file.as_raw_fd()])?;
        // SAFETY: the ring's descriptor stays open for as long as `ready` exists: both live in the
        // returned UringFile, where `ready` is declared (and so dropped) before `ring`.
        let ready = unsafe {
            AsyncFd::register_with_interest(ring.as_raw_fd(), tokio::io::Interest::READABLE)?
        };
        Ok(UringFile {
            ready,
            ring,
            file,
            direct,
        })
    }

    /// Whether writes bypass the page cache (O_DIRECT).
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Writes `buf` at byte `offset` (both block aligned) and makes it durable (`fdatasync`) before
    /// returning: one linked submission, one system call.
    pub async fn write_durable(&mut self, buf: &AlignedBuf, offset: u64) -> io::Result<()> {
        debug_assert_eq!(offset as usize % BLOCK_BYTES, 0);
        let write = opcode::Write::new(types::Fixed(0), buf.ptr as *const u8, buf.len as u32)
            .offset(offset)
            .build()
            .flags(squeue::Flags::IO_LINK)
            .user_data(1);
        let sync = opcode::Fsync::new(types::Fixed(0))
            .flags(types::FsyncFlags::DATASYNC)
            .build()
            .user_data(2);
        // SAFETY: `buf` outlives the operation: this function does not return before both
        // completions are reaped, and the future holds `&buf`. If the future is dropped mid-flight the
        // worker is shutting down; `Drop` for UringFile waits for outstanding completions.
        unsafe {
            let mut sq = self.ring.submission();
            sq.push(&write)
                .map_err(|_| io::Error::other("submission queue full"))?;
            sq.push(&sync)
                .map_err(|_| io::Error::other("submission queue full"))?;
        }
        self.ring.submit()?;
        let mut results = [None, None];
        while results.iter().any(Option::is_none) {
            let mut guard = self.ready.readable().await?;
            let mut reaped = false;
            for cqe in self.ring.completion() {
                reaped = true;
                let slot = (cqe.user_data() - 1) as usize;
                results[slot.min(1)] = Some(cqe.result());
            }
            if !reaped {
                guard.clear_ready();
            }
        }
        let written = results[0].unwrap_or(-libc::EIO);
        if written < 0 {
            return Err(io::Error::from_raw_os_error(-written));
        }
        if written as usize != buf.len {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("short write: {written} of {} bytes", buf.len),
            ));
        }
        let synced = results[1].unwrap_or(-libc::EIO);
        if synced < 0 {
            return Err(io::Error::from_raw_os_error(-synced));
        }
        Ok(())
    }

    /// The file's length in bytes.
    pub fn len_bytes(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
}

impl Drop for UringFile {
    fn drop(&mut self) {
        // Reap anything still in flight so that no buffer is written after its owner freed it.
        let _ = self.ring.submit_and_wait(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_buf_is_aligned_and_zeroed() {
        let buf = AlignedBuf::zeroed(100);
        assert_eq!(buf.len(), BLOCK_BYTES);
        assert_eq!(buf.as_slice().as_ptr() as usize % BLOCK_BYTES, 0);
        assert!(buf.as_slice().iter().all(|&b| b == 0));
    }

    #[test]
    fn durable_write_reaches_the_file() {
        let dir = std::env::temp_dir().join(format!("keel-io-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("file");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut file = UringFile::open(&path).unwrap();
            let mut buf = AlignedBuf::zeroed(2 * BLOCK_BYTES);
            buf.as_mut_slice()[..5].copy_from_slice(b"hello");
            buf.as_mut_slice()[BLOCK_BYTES..BLOCK_BYTES + 5].copy_from_slice(b"world");
            file.write_durable(&buf, BLOCK_BYTES as u64).await.unwrap();
            assert_eq!(file.len_bytes().unwrap(), 3 * BLOCK_BYTES as u64);
        });
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[BLOCK_BYTES..BLOCK_BYTES + 5], b"hello");
        assert_eq!(&bytes[2 * BLOCK_BYTES..2 * BLOCK_BYTES + 5], b"world");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
