//! The block-device interface every storage layer above keel-io uses.
//!
//! Completion-based, like the hardware: a caller *submits* reads, writes and syncs (each takes an
//! owned, aligned buffer, so nothing is borrowed while the device works), *flushes* the batch to the
//! device (one system call for io_uring, one doorbell for NVMe), and later *polls* completions from
//! its worker loop, or *waits* for them. Offsets and lengths are multiples of [`Device::block_bytes`].
//!
//! Backends: [`crate::memory::MemoryDevice`] (unit tests), [`crate::uring::UringDevice`] (a file or
//! block device through the worker's own io_uring ring), [`crate::sim::SimDevice`] (deterministic from
//! a seed, with latency, reordering, torn and lost writes, read errors and a full disk). The NVMe-over-
//! VFIO driver will be one more backend (`DeviceKind::Vfio`): its queue pairs map onto the same
//! submit / flush / poll cycle.

use std::fmt;

use crate::AlignedBuf;

/// Identifies one submitted request; completions carry it back.
pub type IoId = u64;

/// What a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoKind {
    Read,
    Write,
    Sync,
    /// A write that is durable when it completes (write + fdatasync linked, or an FUA write).
    WriteDurable,
}

/// Why a request (or a submission) failed. The message says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// An offset or length that is not a multiple of the block size.
    Misaligned {
        offset: u64,
        len: usize,
        block: usize,
    },
    /// A read past the end of the device.
    OutOfRange {
        offset: u64,
        len: usize,
        capacity: u64,
    },
    /// The device (or its file system) is full.
    NoSpace,
    /// The device reported an IO error (errno).
    Io { errno: i32, what: String },
    /// Too many requests in flight; poll completions first.
    QueueFull,
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceError::Misaligned { offset, len, block } => {
                write!(
                    f,
                    "offset {offset} / length {len} not aligned to the {block}-byte block size"
                )
            }
            DeviceError::OutOfRange {
                offset,
                len,
                capacity,
            } => {
                write!(f, "{len} bytes at offset {offset} reach past the end of the device ({capacity} bytes)")
            }
            DeviceError::NoSpace => {
                f.write_str("no space left on device: free space or grow the volume")
            }
            DeviceError::Io { errno, what } => {
                write!(f, "{what}: {}", std::io::Error::from_raw_os_error(*errno))
            }
            DeviceError::QueueFull => {
                f.write_str("submission queue full: poll completions before submitting more")
            }
        }
    }
}

impl std::error::Error for DeviceError {}

/// A finished request. The buffer comes back to its owner: filled for a read, as written for a write.
#[derive(Debug)]
pub struct Completion {
    pub id: IoId,
    pub kind: IoKind,
    pub offset: u64,
    pub result: Result<(), DeviceError>,
    pub buf: Option<AlignedBuf>,
}

/// A block device driven by one worker (see the module docs).
pub trait Device {
    /// Alignment and granularity of offsets and lengths, in bytes.
    fn block_bytes(&self) -> usize;
    /// Bytes the device can hold.
    fn capacity(&self) -> u64;
    /// Queues a read of `buf.len()` bytes at `offset` into `buf`.
    fn submit_read(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError>;
    /// Queues a write of `buf` at `offset`. It is durable only after a later sync completes.
    fn submit_write(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError>;
    /// Queues a sync: when it completes, every write completed before it was submitted is durable.
    fn submit_sync(&mut self) -> Result<IoId, DeviceError>;
    /// Queues a write that is durable when it completes, with every write completed before it.
    fn submit_write_durable(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError>;
    /// Hands everything queued to the device (one system call or doorbell per batch).
    fn flush_submissions(&mut self) -> Result<(), DeviceError>;
    /// Moves the completions that are ready into `out`, without blocking.
    fn poll(&mut self, out: &mut Vec<Completion>);
    /// Blocks until at least `min` more completions are in `out` (or nothing is in flight).
    fn wait(&mut self, min: usize, out: &mut Vec<Completion>) -> Result<(), DeviceError>;
    /// Requests submitted and not yet completed.
    fn in_flight(&self) -> usize;
    /// Registers `arena` with the device once, so that IO on its chunks skips per-request page
    /// pinning (io_uring fixed buffers; an NVMe driver would map it for DMA). Devices without such a
    /// path accept and ignore it. On failure (typically `RLIMIT_MEMLOCK` too small) IO still works,
    /// unregistered, and the error says what to raise.
    fn register_arena(&mut self, arena: &crate::arena::Arena) -> Result<(), DeviceError> {
        let _ = arena;
        Ok(())
    }
    /// A descriptor that turns readable when completions are ready, for a worker's event loop to
    /// watch; `None` when completions are ready whenever `poll`/`wait` is called (memory, sim).
    fn completion_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }
    /// Makes sure `len` bytes at `offset` can be written later without running out of space
    /// (`fallocate` on a file, which also extends the file's length over them; see
    /// [`crate::allocate_extending`]), so that a full disk is met here, where the caller can refuse work
    /// cleanly, rather than in the middle of a write it cannot take back. [`DeviceError::NoSpace`]
    /// when the space is not there. Devices with fixed space accept it.
    fn reserve(&mut self, offset: u64, len: u64) -> Result<(), DeviceError> {
        let _ = (offset, len);
        Ok(())
    }
}

/// Which backend a configuration names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Memory,
    Uring,
    Sim,
    /// NVMe over VFIO: the userspace driver is its own issue; the configuration value exists so
    /// that deployments can name it once it lands.
    Vfio,
}

impl DeviceKind {
    pub fn parse(name: &str) -> Result<DeviceKind, String> {
        match name {
            "memory" => Ok(DeviceKind::Memory),
            "uring" => Ok(DeviceKind::Uring),
            "sim" => Ok(DeviceKind::Sim),
            "vfio" => Ok(DeviceKind::Vfio),
            other => Err(format!(
                "unknown device kind \"{other}\": use memory, uring, sim or vfio"
            )),
        }
    }
}

/// Checks alignment; shared by the backends.
pub fn check_aligned(offset: u64, len: usize, block: usize) -> Result<(), DeviceError> {
    if !offset.is_multiple_of(block as u64) || !len.is_multiple_of(block) {
        return Err(DeviceError::Misaligned { offset, len, block });
    }
    Ok(())
}

/// Checks that a read stays inside the device; shared by the backends.
pub fn check_in_range(offset: u64, len: usize, capacity: u64) -> Result<(), DeviceError> {
    if offset
        .checked_add(len as u64)
        .is_none_or(|end| end > capacity)
    {
        return Err(DeviceError::OutOfRange {
            offset,
            len,
            capacity,
        });
    }
    Ok(())
}
