//! A device in memory, for unit tests: every request completes at the next poll, in order, and
//! everything written is immediately durable (there is nothing to lose).

use std::collections::VecDeque;

use crate::device::{check_aligned, check_in_range, Completion, Device, DeviceError, IoId, IoKind};
use crate::{AlignedBuf, BLOCK_BYTES};

/// The in-memory device.
pub struct MemoryDevice {
    data: Vec<u8>,
    capacity: u64,
    queued: VecDeque<Completion>,
    submitted: VecDeque<Completion>,
    next_id: IoId,
}

impl MemoryDevice {
    /// A device of `capacity` bytes (a multiple of the block size), initially all zeros.
    pub fn new(capacity: u64) -> MemoryDevice {
        MemoryDevice {
            data: Vec::new(),
            capacity,
            queued: VecDeque::new(),
            submitted: VecDeque::new(),
            next_id: 1,
        }
    }

    fn push(
        &mut self,
        kind: IoKind,
        offset: u64,
        buf: Option<AlignedBuf>,
        result: Result<(), DeviceError>,
    ) -> IoId {
        let id = self.next_id;
        self.next_id += 1;
        self.queued.push_back(Completion {
            id,
            kind,
            offset,
            result,
            buf,
        });
        id
    }
}

impl Device for MemoryDevice {
    fn block_bytes(&self) -> usize {
        BLOCK_BYTES
    }

    fn capacity(&self) -> u64 {
        self.capacity
    }

    fn submit_read(&mut self, offset: u64, mut buf: AlignedBuf) -> Result<IoId, DeviceError> {
        check_aligned(offset, buf.len(), BLOCK_BYTES)?;
        check_in_range(offset, buf.len(), self.capacity)?;
        let start = offset as usize;
        let target = buf.as_mut_slice();
        target.fill(0);
        if start < self.data.len() {
            let available = (self.data.len() - start).min(target.len());
            target[..available].copy_from_slice(&self.data[start..start + available]);
        }
        Ok(self.push(IoKind::Read, offset, Some(buf), Ok(())))
    }

    fn submit_write(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError> {
        check_aligned(offset, buf.len(), BLOCK_BYTES)?;
        let end = offset + buf.len() as u64;
        let result = if end > self.capacity {
            Err(DeviceError::NoSpace)
        } else {
            if self.data.len() < end as usize {
                self.data.resize(end as usize, 0);
            }
            self.data[offset as usize..end as usize].copy_from_slice(buf.as_slice());
            Ok(())
        };
        Ok(self.push(IoKind::Write, offset, Some(buf), result))
    }

    fn submit_write_durable(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError> {
        let id = self.submit_write(offset, buf)?;
        if let Some(last) = self.queued.back_mut() {
            last.kind = IoKind::WriteDurable;
        }
        Ok(id)
    }

    fn submit_sync(&mut self) -> Result<IoId, DeviceError> {
        Ok(self.push(IoKind::Sync, 0, None, Ok(())))
    }

    fn flush_submissions(&mut self) -> Result<(), DeviceError> {
        self.submitted.append(&mut self.queued);
        Ok(())
    }

    fn poll(&mut self, out: &mut Vec<Completion>) {
        out.extend(self.submitted.drain(..));
    }

    fn wait(&mut self, _min: usize, out: &mut Vec<Completion>) -> Result<(), DeviceError> {
        self.flush_submissions()?;
        self.poll(out);
        Ok(())
    }

    fn in_flight(&self) -> usize {
        self.queued.len() + self.submitted.len()
    }
}
