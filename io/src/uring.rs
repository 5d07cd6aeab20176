//! A file or block device through the worker's own io_uring ring.
//!
//! O_DIRECT (when the file system allows it; see [`crate::open_direct`]), the file registered with
//! the ring once, requests batched: `submit_*` only fill submission-queue entries, and
//! `flush_submissions` hands the whole batch to the kernel in one `io_uring_enter`. `poll` drains the
//! completion queue without a system call; `wait` blocks in `io_uring_enter(GETEVENTS)` (the worker's
//! async loop instead polls the ring's fd, as the WAL does). IOPOLL (completions by polling the
//! device, no interrupts) and SQPOLL (a kernel thread consumes submissions) are options; when the
//! kernel or the device refuses them, opening says so.
//!
//! Registered (fixed) buffers: [`Device::register_arena`] registers an arena's region with the ring
//! once; reads and writes of its chunks then go out as `READ_FIXED` / `WRITE_FIXED` with the index
//! of the 1 GiB piece that holds them, so the kernel does not pin and unpin pages per request. Any
//! other buffer still works, as plain `READ` / `WRITE`.

use std::collections::HashMap;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use io_uring::{opcode, squeue, types, IoUring};

use crate::device::{check_aligned, check_in_range, Completion, Device, DeviceError, IoId, IoKind};
use crate::{open_direct, AlignedBuf, BLOCK_BYTES};

/// Ring options.
#[derive(Debug, Clone, Copy)]
pub struct UringOptions {
    /// Submission and completion queue depth.
    pub entries: u32,
    /// Poll the device for completions (needs O_DIRECT and a polling-capable block device).
    pub iopoll: bool,
    /// A kernel thread polls the submission queue; its idle time in milliseconds.
    pub sqpoll_idle_ms: Option<u32>,
    /// Run completion work only when this thread enters the kernel (no interrupting IPIs):
    /// `IORING_SETUP_COOP_TASKRUN`. Ignored by kernels that lack it.
    pub coop_taskrun: bool,
}

impl Default for UringOptions {
    fn default() -> Self {
        UringOptions {
            entries: 256,
            iopoll: false,
            sqpoll_idle_ms: None,
            coop_taskrun: true,
        }
    }
}

struct Pending {
    kind: IoKind,
    offset: u64,
    buf: Option<AlignedBuf>,
    /// Completions still expected (2 for a linked write + fdatasync) and the first error seen.
    parts_left: u8,
    error: Option<DeviceError>,
}

/// The io_uring backend.
pub struct UringDevice {
    ring: IoUring,
    file: File,
    capacity: u64,
    direct: bool,
    pending: HashMap<IoId, Pending>,
    queued: usize,
    next_id: IoId,
    iopoll: bool,
    /// The arena registered as fixed buffers (kept alive while registered).
    fixed: Option<crate::arena::Arena>,
}

fn io_error(error: std::io::Error, what: &str) -> DeviceError {
    DeviceError::Io {
        errno: error.raw_os_error().unwrap_or(libc::EIO),
        what: what.to_string(),
    }
}

impl UringDevice {
    /// Opens (creating) `path` with room for `capacity` bytes.
    pub fn open(
        path: &Path,
        capacity: u64,
        options: UringOptions,
    ) -> Result<UringDevice, DeviceError> {
        let (file, direct) =
            open_direct(path).map_err(|e| io_error(e, &format!("open {}", path.display())))?;
        let mut builder = IoUring::builder();
        if options.iopoll {
            if !direct {
                return Err(DeviceError::Io {
                    errno: libc::EINVAL,
                    what: format!(
                        "IOPOLL needs O_DIRECT, which the file system under {} refuses",
                        path.display()
                    ),
                });
            }
            builder.setup_iopoll();
        }
        if let Some(idle) = options.sqpoll_idle_ms {
            builder.setup_sqpoll(idle);
        }
        let mut cooperative = builder.clone();
        if options.coop_taskrun && options.sqpoll_idle_ms.is_none() {
            cooperative.setup_coop_taskrun();
        }
        let ring = cooperative.build(options.entries).or_else(|_| builder.build(options.entries)).map_err(|e| {
            io_error(e, "io_uring_setup (Keel needs io_uring: Linux 5.6+, not disabled by seccomp or kernel.io_uring_disabled; IOPOLL/SQPOLL need support from the kernel)")
        })?;
        ring.submitter()
            .register_files(&[file.as_raw_fd()])
            .map_err(|e| io_error(e, "register the file with io_uring"))?;
        Ok(UringDevice {
            ring,
            file,
            capacity,
            direct,
            pending: HashMap::new(),
            queued: 0,
            next_id: 1,
            iopoll: options.iopoll,
            fixed: None,
        })
    }

    /// Whether IO bypasses the page cache.
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// The file's current length.
    pub fn file_len(&self) -> u64 {
        self.file.metadata().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether an arena is registered as fixed buffers.
    pub fn has_fixed_buffers(&self) -> bool {
        self.fixed.is_some()
    }

    /// The fixed-buffer index for `buf` when it is a chunk of the registered arena.
    fn fixed_index(&self, buf: &AlignedBuf) -> Option<u16> {
        let arena = self.fixed.as_ref()?;
        let (id, offset) = buf.arena_slot()?;
        (id == arena.id()).then_some((offset / crate::arena::IOVEC_BYTES) as u16)
    }

    fn read_entry(&self, offset: u64, buf: &mut AlignedBuf) -> squeue::Entry {
        let len = buf.len() as u32;
        let ptr = buf.as_mut_slice().as_mut_ptr();
        match self.fixed_index(buf) {
            Some(index) => opcode::ReadFixed::new(types::Fixed(0), ptr, len, index)
                .offset(offset)
                .build(),
            None => opcode::Read::new(types::Fixed(0), ptr, len)
                .offset(offset)
                .build(),
        }
    }

    fn write_entry(&self, offset: u64, buf: &AlignedBuf) -> squeue::Entry {
        let len = buf.len() as u32;
        let ptr = buf.as_slice().as_ptr();
        match self.fixed_index(buf) {
            Some(index) => opcode::WriteFixed::new(types::Fixed(0), ptr, len, index)
                .offset(offset)
                .build(),
            None => opcode::Write::new(types::Fixed(0), ptr, len)
                .offset(offset)
                .build(),
        }
    }

    /// Queues `entries` as one request (linked when more than one); completions carry
    /// `id << 1 | part`.
    fn push(
        &mut self,
        kind: IoKind,
        offset: u64,
        buf: Option<AlignedBuf>,
        entries: &[io_uring::squeue::Entry],
    ) -> Result<IoId, DeviceError> {
        let id = self.next_id;
        let mut submission = self.ring.submission();
        if submission.capacity() - submission.len() < entries.len() {
            return Err(DeviceError::QueueFull);
        }
        for (part, entry) in entries.iter().enumerate() {
            let mut entry = entry.clone().user_data(id << 1 | part as u64);
            if part + 1 < entries.len() {
                entry = entry.flags(squeue::Flags::IO_LINK);
            }
            // SAFETY: the buffer the entry points into is owned by `self.pending` until its
            // completions are reaped (and `Drop` waits for everything in flight), so the kernel
            // never touches freed memory. Space was checked above.
            unsafe { submission.push(&entry).expect("space checked") };
        }
        drop(submission);
        self.next_id += 1;
        self.queued += entries.len();
        self.pending.insert(
            id,
            Pending {
                kind,
                offset,
                buf,
                parts_left: entries.len() as u8,
                error: None,
            },
        );
        Ok(id)
    }

    fn reap(&mut self, out: &mut Vec<Completion>) {
        for cqe in self.ring.completion() {
            let id = cqe.user_data() >> 1;
            let is_sync_part = cqe.user_data() & 1 == 1
                || self
                    .pending
                    .get(&id)
                    .is_some_and(|p| p.kind == IoKind::Sync);
            let Some(pending) = self.pending.get_mut(&id) else {
                continue;
            };
            let code = cqe.result();
            let expected = pending.buf.as_ref().map_or(0, |b| b.len()) as i32;
            let error = if code < 0 {
                Some(match -code {
                    libc::ENOSPC => DeviceError::NoSpace,
                    libc::EOPNOTSUPP if self.iopoll => DeviceError::Io { errno: libc::EOPNOTSUPP, what: "the device does not support IOPOLL (completion polling); open it without iopoll".into() },
                    errno => DeviceError::Io { errno, what: format!("{:?} at offset {}", pending.kind, pending.offset) },
                })
            } else if !is_sync_part && code != expected {
                Some(DeviceError::Io {
                    errno: libc::EIO,
                    what: format!(
                        "short {:?}: {code} of {expected} bytes at offset {}",
                        pending.kind, pending.offset
                    ),
                })
            } else {
                None
            };
            // The first failure wins (a failed write cancels its linked sync with ECANCELED).
            if pending.error.is_none() {
                pending.error = error;
            }
            pending.parts_left -= 1;
            if pending.parts_left > 0 {
                continue;
            }
            let pending = self.pending.remove(&id).expect("present above");
            out.push(Completion {
                id,
                kind: pending.kind,
                offset: pending.offset,
                result: pending.error.map_or(Ok(()), Err),
                buf: pending.buf,
            });
        }
    }
}

impl Device for UringDevice {
    fn block_bytes(&self) -> usize {
        BLOCK_BYTES
    }

    fn capacity(&self) -> u64 {
        self.capacity
    }

    fn submit_read(&mut self, offset: u64, mut buf: AlignedBuf) -> Result<IoId, DeviceError> {
        check_aligned(offset, buf.len(), BLOCK_BYTES)?;
        check_in_range(offset, buf.len(), self.capacity)?;
        let entry = self.read_entry(offset, &mut buf);
        self.push(IoKind::Read, offset, Some(buf), &[entry])
    }

    fn submit_write(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError> {
        check_aligned(offset, buf.len(), BLOCK_BYTES)?;
        if offset + buf.len() as u64 > self.capacity {
            return Err(DeviceError::NoSpace);
        }
        let entry = self.write_entry(offset, &buf);
        self.push(IoKind::Write, offset, Some(buf), &[entry])
    }

    fn submit_sync(&mut self) -> Result<IoId, DeviceError> {
        let entry = opcode::Fsync::new(types::Fixed(0))
            .flags(types::FsyncFlags::DATASYNC)
            .build();
        self.push(IoKind::Sync, 0, None, &[entry])
    }

    fn submit_write_durable(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError> {
        check_aligned(offset, buf.len(), BLOCK_BYTES)?;
        if offset + buf.len() as u64 > self.capacity {
            return Err(DeviceError::NoSpace);
        }
        let write = self.write_entry(offset, &buf);
        let sync = opcode::Fsync::new(types::Fixed(0))
            .flags(types::FsyncFlags::DATASYNC)
            .build();
        self.push(IoKind::WriteDurable, offset, Some(buf), &[write, sync])
    }

    fn reserve(&mut self, offset: u64, len: u64) -> Result<(), DeviceError> {
        if offset.saturating_add(len) > self.capacity {
            return Err(DeviceError::NoSpace);
        }
        crate::allocate_extending(&self.file, offset, len).map_err(|error| {
            match error.raw_os_error() {
                Some(libc::ENOSPC) | Some(libc::EDQUOT) => DeviceError::NoSpace,
                _ => io_error(error, "fallocate"),
            }
        })
    }

    fn completion_fd(&self) -> Option<std::os::fd::RawFd> {
        Some(self.ring.as_raw_fd())
    }

    fn register_arena(&mut self, arena: &crate::arena::Arena) -> Result<(), DeviceError> {
        if self.fixed.is_some() {
            if !self.pending.is_empty() {
                return Err(DeviceError::Io {
                    errno: libc::EBUSY,
                    what: "replace the registered arena while IO is in flight".into(),
                });
            }
            let _ = self.ring.submitter().unregister_buffers();
            self.fixed = None;
        }
        let iovecs = arena.iovecs();
        // SAFETY: the vectors describe the arena's mapping, which stays mapped while registered:
        // `self.fixed` holds a handle on it until the ring is dropped or another arena replaces it
        // (unregistered first, with nothing in flight).
        unsafe { self.ring.submitter().register_buffers(&iovecs) }.map_err(|error| {
            let errno = error.raw_os_error().unwrap_or(libc::EIO);
            let hint = if errno == libc::ENOMEM || errno == libc::EPERM {
                format!(
                    "; raise RLIMIT_MEMLOCK to at least {} KiB (ulimit -l, or LimitMEMLOCK= in the systemd unit)",
                    arena.len().div_ceil(1024)
                )
            } else {
                String::new()
            };
            DeviceError::Io {
                errno,
                what: format!(
                    "register a {} KiB arena as io_uring fixed buffers{hint}",
                    arena.len() / 1024
                ),
            }
        })?;
        self.fixed = Some(arena.clone());
        Ok(())
    }

    fn flush_submissions(&mut self) -> Result<(), DeviceError> {
        if self.queued > 0 {
            self.ring
                .submit()
                .map_err(|e| io_error(e, "io_uring_enter"))?;
            self.queued = 0;
        }
        Ok(())
    }

    fn poll(&mut self, out: &mut Vec<Completion>) {
        if self.iopoll {
            // With IOPOLL, completions are only found by entering the kernel to poll.
            let _ = self.ring.submit_and_wait(0);
        }
        self.reap(out);
        // Completions that found the completion ring full wait in the kernel's overflow list
        // (IORING_FEAT_NODROP) until the ring is entered to fetch them; reaping alone never sees
        // them. Reads started ahead of a scan and never waited for filled the ring so, and a
        // point read waiting for one of them then waited until some other IO entered the
        // ring (52 s once: the next checkpoint). `submit_and_wait` asks for events while the
        // ring says it overflowed.
        while self.ring.submission().cq_overflow() {
            match self.ring.submit_and_wait(0) {
                Ok(_) => self.queued = 0,
                Err(_) => break,
            }
            let before = out.len();
            self.reap(out);
            if out.len() == before {
                break;
            }
        }
    }

    fn wait(&mut self, min: usize, out: &mut Vec<Completion>) -> Result<(), DeviceError> {
        let target = out.len() + min;
        loop {
            self.reap(out);
            if out.len() >= target || self.pending.is_empty() {
                // Whatever was queued goes to the kernel before returning.
                return self.flush_submissions();
            }
            let want = (target - out.len()).min(self.pending.len());
            match self.ring.submit_and_wait(want) {
                Ok(_) => self.queued = 0,
                Err(error) if error.raw_os_error() == Some(libc::EINTR) => {}
                Err(error) => return Err(io_error(error, "io_uring_enter")),
            }
        }
    }

    fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

impl Drop for UringDevice {
    fn drop(&mut self) {
        // Reap everything in flight so no buffer is freed while the kernel still uses it.
        let mut sink = Vec::new();
        let _ = self.wait(usize::MAX, &mut sink);
    }
}
