//! A simulated device that fails the way real ones do, deterministically from a seed.
//!
//! ```text
//!   submit -> flush: each request gets a completion time = now + latency (seeded, uniform)
//!   poll:    completions due at the current simulated time, in (time, id) order
//!   wait:    advances simulated time to the next due completion(s)
//!   a write, when it completes, becomes visible to reads but is NOT durable;
//!   a sync, when it completes, makes every write completed before it durable;
//!   crash(): every write that is not durable (completed-unsynced or still in flight) is, by a
//!            seeded draw, lost, kept, or torn: kept sector by sector at random.
//! ```
//!
//! Faults on demand: read errors (EIO) on chosen sectors or with a probability, and a space limit
//! (ENOSPC) below the capacity. Reordering comes from the latency draw: two writes in flight may
//! complete in either order. The same seed and the same calls give the same run, bit for bit.

use std::collections::BTreeSet;

use crate::device::{check_aligned, check_in_range, Completion, Device, DeviceError, IoId, IoKind};
use crate::{AlignedBuf, BLOCK_BYTES};

/// What the simulated device does.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub capacity: u64,
    /// Writes past this many bytes fail with ENOSPC (a full file system).
    pub space_limit: u64,
    /// Atomic unit of a write: a torn write keeps or loses whole sectors.
    pub sector_bytes: usize,
    /// Completion latency, uniform in [min, max] microseconds of simulated time.
    pub latency_us: (u64, u64),
    /// Probability that a read fails with EIO.
    pub read_error_probability: f64,
    /// Sector numbers whose reads fail with EIO.
    pub bad_sectors: BTreeSet<u64>,
    /// The next this many reads fail with EIO, whatever they read (a deterministic error for a
    /// test that must meet one); each failed read counts it down.
    pub failing_reads: u32,
}

impl SimConfig {
    pub fn new(seed: u64, capacity: u64) -> SimConfig {
        SimConfig {
            seed,
            capacity,
            space_limit: capacity,
            sector_bytes: 512,
            latency_us: (20, 200),
            read_error_probability: 0.0,
            bad_sectors: BTreeSet::new(),
            failing_reads: 0,
        }
    }
}

/// splitmix64: small, seeded, reproducible.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

struct InFlight {
    due_us: u64,
    id: IoId,
    kind: IoKind,
    offset: u64,
    buf: Option<AlignedBuf>,
    /// Decided at submission (errors that do not depend on timing).
    result: Result<(), DeviceError>,
}

/// What a crash did to the writes that were not durable.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CrashReport {
    pub lost: usize,
    pub kept: usize,
    pub torn: usize,
}

/// The simulated device.
pub struct SimDevice {
    config: SimConfig,
    rng: Rng,
    now_us: u64,
    /// What survives a crash.
    durable: Vec<u8>,
    /// What reads see.
    visible: Vec<u8>,
    /// Completed writes not yet covered by a sync, in completion order.
    unsynced: Vec<(u64, Vec<u8>)>,
    queued: Vec<InFlight>,
    in_flight: Vec<InFlight>,
    next_id: IoId,
}

impl SimDevice {
    pub fn new(config: SimConfig) -> SimDevice {
        let rng = Rng(config.seed);
        SimDevice {
            config,
            rng,
            now_us: 0,
            durable: Vec::new(),
            visible: Vec::new(),
            unsynced: Vec::new(),
            queued: Vec::new(),
            in_flight: Vec::new(),
            next_id: 1,
        }
    }

    /// Simulated time, in microseconds.
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    /// The configuration, to change faults mid-run (a disk that fills up, a sector that goes bad).
    pub fn config_mut(&mut self) -> &mut SimConfig {
        &mut self.config
    }

    /// Loses power: every write that is not durable is lost, kept or torn (seeded), in-flight
    /// requests vanish, and reads then see exactly the durable image.
    pub fn crash(&mut self) -> CrashReport {
        let mut report = CrashReport::default();
        let mut pending: Vec<(u64, Vec<u8>)> = std::mem::take(&mut self.unsynced);
        let mut in_flight: Vec<InFlight> = std::mem::take(&mut self.in_flight);
        in_flight.sort_by_key(|r| (r.due_us, r.id));
        for request in in_flight {
            if let (IoKind::Write | IoKind::WriteDurable, Some(buf), Ok(())) =
                (request.kind, &request.buf, &request.result)
            {
                pending.push((request.offset, buf.as_slice().to_vec()));
            }
        }
        self.queued.clear();
        let sector = self.config.sector_bytes;
        for (offset, data) in pending {
            match self.rng.below(3) {
                0 => report.lost += 1,
                1 => {
                    report.kept += 1;
                    write_into(&mut self.durable, offset, &data);
                }
                _ => {
                    report.torn += 1;
                    for (i, chunk) in data.chunks(sector).enumerate() {
                        if self.rng.below(2) == 1 {
                            write_into(&mut self.durable, offset + (i * sector) as u64, chunk);
                        }
                    }
                }
            }
        }
        self.visible = self.durable.clone();
        report
    }

    /// The bytes a crash would leave right now if every unsynced write were lost (for assertions).
    pub fn durable_image(&self) -> &[u8] {
        &self.durable
    }

    fn new_request(
        &mut self,
        kind: IoKind,
        offset: u64,
        buf: Option<AlignedBuf>,
        result: Result<(), DeviceError>,
    ) -> IoId {
        let id = self.next_id;
        self.next_id += 1;
        self.queued.push(InFlight {
            due_us: 0,
            id,
            kind,
            offset,
            buf,
            result,
        });
        id
    }

    /// Completes every request due by now, in (time, id) order.
    fn complete_due(&mut self, out: &mut Vec<Completion>) {
        self.in_flight.sort_by_key(|r| (r.due_us, r.id));
        let due = self
            .in_flight
            .iter()
            .take_while(|r| r.due_us <= self.now_us)
            .count();
        let finished: Vec<InFlight> = self.in_flight.drain(..due).collect();
        for mut request in finished {
            match (request.kind, &request.result) {
                (IoKind::Write, Ok(())) => {
                    let data = request
                        .buf
                        .as_ref()
                        .expect("writes carry a buffer")
                        .as_slice()
                        .to_vec();
                    write_into(&mut self.visible, request.offset, &data);
                    self.unsynced.push((request.offset, data));
                }
                (IoKind::Read, Ok(())) => {
                    let buf = request.buf.as_mut().expect("reads carry a buffer");
                    let start = request.offset as usize;
                    let target = buf.as_mut_slice();
                    target.fill(0);
                    if start < self.visible.len() {
                        let n = (self.visible.len() - start).min(target.len());
                        target[..n].copy_from_slice(&self.visible[start..start + n]);
                    }
                }
                (IoKind::Sync, Ok(())) => {
                    for (offset, data) in std::mem::take(&mut self.unsynced) {
                        write_into(&mut self.durable, offset, &data);
                    }
                }
                (IoKind::WriteDurable, Ok(())) => {
                    let data = request
                        .buf
                        .as_ref()
                        .expect("writes carry a buffer")
                        .as_slice();
                    write_into(&mut self.visible, request.offset, data);
                    for (offset, data) in std::mem::take(&mut self.unsynced) {
                        write_into(&mut self.durable, offset, &data);
                    }
                    write_into(&mut self.durable, request.offset, data);
                }
                _ => {}
            }
            out.push(Completion {
                id: request.id,
                kind: request.kind,
                offset: request.offset,
                result: request.result,
                buf: request.buf,
            });
        }
    }
}

fn write_into(image: &mut Vec<u8>, offset: u64, data: &[u8]) {
    let end = offset as usize + data.len();
    if image.len() < end {
        image.resize(end, 0);
    }
    image[offset as usize..end].copy_from_slice(data);
}

impl Device for SimDevice {
    fn block_bytes(&self) -> usize {
        BLOCK_BYTES
    }

    fn capacity(&self) -> u64 {
        self.config.capacity
    }

    fn submit_read(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError> {
        check_aligned(offset, buf.len(), BLOCK_BYTES)?;
        check_in_range(offset, buf.len(), self.config.capacity)?;
        let sector = self.config.sector_bytes as u64;
        let first = offset / sector;
        let last = (offset + buf.len() as u64 - 1) / sector;
        let bad = self.config.bad_sectors.range(first..=last).next().copied();
        let result = match bad {
            Some(sector) => Err(DeviceError::Io {
                errno: libc::EIO,
                what: format!("simulated read error at sector {sector}"),
            }),
            None if self.config.failing_reads > 0 => {
                self.config.failing_reads -= 1;
                Err(DeviceError::Io {
                    errno: libc::EIO,
                    what: format!("simulated failing read at offset {offset}"),
                })
            }
            None if self.rng.chance(self.config.read_error_probability) => Err(DeviceError::Io {
                errno: libc::EIO,
                what: format!("simulated read error at offset {offset}"),
            }),
            None => Ok(()),
        };
        Ok(self.new_request(IoKind::Read, offset, Some(buf), result))
    }

    fn submit_write(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError> {
        check_aligned(offset, buf.len(), BLOCK_BYTES)?;
        let end = offset + buf.len() as u64;
        let result = if end > self.config.space_limit.min(self.config.capacity) {
            Err(DeviceError::NoSpace)
        } else {
            Ok(())
        };
        Ok(self.new_request(IoKind::Write, offset, Some(buf), result))
    }

    fn reserve(&mut self, offset: u64, len: u64) -> Result<(), DeviceError> {
        if offset + len > self.config.space_limit.min(self.config.capacity) {
            return Err(DeviceError::NoSpace);
        }
        Ok(())
    }

    fn submit_write_durable(&mut self, offset: u64, buf: AlignedBuf) -> Result<IoId, DeviceError> {
        self.submit_write(offset, buf)?;
        let request = self.queued.last_mut().expect("just queued");
        request.kind = IoKind::WriteDurable;
        Ok(request.id)
    }

    fn submit_sync(&mut self) -> Result<IoId, DeviceError> {
        Ok(self.new_request(IoKind::Sync, 0, None, Ok(())))
    }

    fn flush_submissions(&mut self) -> Result<(), DeviceError> {
        let (low, high) = self.config.latency_us;
        // A sync completes after every write submitted before it (fdatasync waits for them).
        let mut latest_write_due = self
            .in_flight
            .iter()
            .filter(|r| matches!(r.kind, IoKind::Write | IoKind::WriteDurable))
            .map(|r| r.due_us)
            .max()
            .unwrap_or(0);
        for mut request in std::mem::take(&mut self.queued) {
            let latency = low + self.rng.below(high.saturating_sub(low) + 1);
            request.due_us = self.now_us + latency;
            match request.kind {
                IoKind::Write | IoKind::WriteDurable => {
                    latest_write_due = latest_write_due.max(request.due_us)
                }
                IoKind::Sync => request.due_us = request.due_us.max(latest_write_due + 1),
                IoKind::Read => {}
            }
            self.in_flight.push(request);
        }
        Ok(())
    }

    fn poll(&mut self, out: &mut Vec<Completion>) {
        self.complete_due(out);
    }

    fn wait(&mut self, min: usize, out: &mut Vec<Completion>) -> Result<(), DeviceError> {
        self.flush_submissions()?;
        let target = out.len() + min;
        loop {
            self.complete_due(out);
            if out.len() >= target || self.in_flight.is_empty() {
                return Ok(());
            }
            self.now_us = self
                .in_flight
                .iter()
                .map(|r| r.due_us)
                .min()
                .expect("not empty");
        }
    }

    fn in_flight(&self) -> usize {
        self.queued.len() + self.in_flight.len()
    }
}
