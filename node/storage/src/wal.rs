//! The per-worker write-ahead log.
//!
//! # Format
//! A log file is a sequence of frames; a frame is `len: u32 LE | crc32c(body): u32 LE | body[len]`.
//! The body starts with `kind: u8 | epoch: u32 | txn: u64` and then the kind's fields:
//!
//! ```text
//!   1 Put      table u64, key, before?, after       (insert or update: row-level, before and after)
//!   2 Delete   table u64, key, before?
//!   3 Truncate table u64                             (this worker's share of the table)
//!   4 Catalog  version u64, image                    (the whole catalog, opaque to storage)
//!   5 Commit   n u16, participants u8 * n
//!   6 Prepared anchor u8                             (this worker's part of txn ends here)
//!   7 Parts    n u16, (worker u8, offset u64, frames)*n   (the decision: committed)
//! ```
//! byte strings are `u32 len | bytes`; optional ones have a leading `u8` flag. Row-level records are
//! what recovery, replication and change capture all read.
//!
//! # Commit rule
//! A transaction that changed one worker's rows writes its records and a Commit record naming that
//! worker into its log: one durable write, no coordinator.
//!
//! A transaction that changed several workers' rows commits with **one durable write** too, in
//! the log of its *anchor* (the session's worker). Each other participant encodes its records (its
//! *part*), appends them and a `Prepared{anchor}` frame to its own log *lazily* (nothing wakes its
//! flusher: they go out with the next write anyone waits for) and hands the part's bytes and its
//! log offset to the anchor. The anchor appends its own records and one `Parts` frame holding every
//! other part, and waits for that write: the transaction is committed iff its `Parts` frame is
//! durable. A participant's records replay at their place in its own log when its `Prepared` frame
//! is durable; when it is not (the node died before that log was written), recovery applies the
//! part from the `Parts` frame after that log's end — nothing later in that log survived either,
//! since a log is durable up to a prefix — and writes it into the log again before serving.
//! A part whose offset lies before the worker's checkpoint cut is in its checkpoint image already.
//! A checkpoint round makes every log durable up to where it stood once all the round's cuts were
//! taken, before the round is published, so a `Parts` frame cut off its anchor's log never holds a
//! part that only it has.
//!
//! Transactions that truncate a table or change the catalog keep the older rule, since recovery
//! reads catalogs and truncates from each log: their records and a Commit record naming all
//! participants go into *every* participant's log, and they committed iff every participant's log
//! holds its Commit record (the "implicit commit" idea of parallel commits / Cornus), so they take
//! one parallel round of durable writes. Recovery sees all the node's logs, so it decides every
//! transaction locally. Nothing is acknowledged before the deciding records are durable.
//!
//! # Group commit
//! Appending only copies bytes into the pending buffer. One flusher task per worker takes everything
//! pending, writes it with O_DIRECT and `fdatasync` in one linked io_uring submission, then publishes the
//! new durable offset; commits that arrived meanwhile ride the next write. It writes only when
//! someone waits for what is pending (a commit appended, a wait for durability, or a large backlog
//! of lazily appended parts), so parts never cost a write of their own. The last partial block is
//! rewritten with identical bytes for its durable prefix, so a torn write can only damage bytes that
//! were never acknowledged.
//!
//! # End of log
//! Replay stops at the first frame that is short, has a zero length, fails its checksum, or carries an
//! epoch lower than one already seen (stale bytes from an earlier run beyond the point where the
//! current run started writing). Everything after is ignored and overwritten.
//!
//! A write or sync error is fatal: the process aborts rather than guess what reached the disk
//! (PostgreSQL learned this with fsyncgate).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use keel_io::arena::Arena;
use keel_io::device::Device;
use keel_io::{round_down, AlignedBuf, BLOCK_BYTES};
use tokio::io::unix::AsyncFd;
use tokio::sync::{watch, Notify};

use crate::{TableId, TxnId, WorkerId};

/// A log record, borrowing its byte strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record<'a> {
    Put {
        txn: TxnId,
        table: TableId,
        key: &'a [u8],
        before: Option<&'a [u8]>,
        after: &'a [u8],
    },
    Delete {
        txn: TxnId,
        table: TableId,
        key: &'a [u8],
        before: Option<&'a [u8]>,
    },
    Truncate {
        txn: TxnId,
        table: TableId,
    },
    Catalog {
        txn: TxnId,
        version: u64,
        image: &'a [u8],
    },
    /// `participants`: one byte per worker id (workers are numbered below 256, see [`crate::TxnId`]).
    Commit {
        txn: TxnId,
        participants: &'a [u8],
    },
    /// The end of a participant's part of a multi-worker transaction whose decision is the `Parts`
    /// frame in worker `anchor`'s log.
    Prepared {
        txn: TxnId,
        anchor: u8,
    },
    /// The anchor's decision: `txn` committed, with the other participants' parts (see
    /// [`parts`] and [`encode_parts`]).
    Parts {
        txn: TxnId,
        parts: &'a [u8],
    },
}

impl Record<'_> {
    pub fn txn(&self) -> TxnId {
        match self {
            Record::Put { txn, .. }
            | Record::Delete { txn, .. }
            | Record::Truncate { txn, .. }
            | Record::Catalog { txn, .. }
            | Record::Commit { txn, .. }
            | Record::Prepared { txn, .. }
            | Record::Parts { txn, .. } => *txn,
        }
    }
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

pub(crate) fn put_optional(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => out.push(0),
        Some(bytes) => {
            out.push(1);
            put_bytes(out, bytes);
        }
    }
}

/// Appends `record` as one frame to `out`.
pub fn encode(record: &Record<'_>, epoch: u32, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    let kind = match record {
        Record::Put { .. } => 1u8,
        Record::Delete { .. } => 2,
        Record::Truncate { .. } => 3,
        Record::Catalog { .. } => 4,
        Record::Commit { .. } => 5,
        Record::Prepared { .. } => 6,
        Record::Parts { .. } => 7,
    };
    out.push(kind);
    out.extend_from_slice(&epoch.to_le_bytes());
    out.extend_from_slice(&record.txn().to_le_bytes());
    match record {
        Record::Put {
            table,
            key,
            before,
            after,
            ..
        } => {
            out.extend_from_slice(&table.to_le_bytes());
            put_bytes(out, key);
            put_optional(out, *before);
            put_bytes(out, after);
        }
        Record::Delete {
            table, key, before, ..
        } => {
            out.extend_from_slice(&table.to_le_bytes());
            put_bytes(out, key);
            put_optional(out, *before);
        }
        Record::Truncate { table, .. } => out.extend_from_slice(&table.to_le_bytes()),
        Record::Catalog { version, image, .. } => {
            out.extend_from_slice(&version.to_le_bytes());
            put_bytes(out, image);
        }
        Record::Commit { participants, .. } => {
            out.extend_from_slice(&(participants.len() as u16).to_le_bytes());
            out.extend_from_slice(participants);
        }
        Record::Prepared { anchor, .. } => out.push(*anchor),
        Record::Parts { parts, .. } => out.extend_from_slice(parts),
    }
    let body_len = (out.len() - start - 8) as u32;
    let crc = crc32c::crc32c(&out[start + 8..]);
    out[start..start + 4].copy_from_slice(&body_len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// The body of a `Parts` frame: each other participant's worker, the log offset its part starts
/// at, and the part's frames (as that worker appended them, `Prepared` frame excluded).
pub fn encode_parts(parts: &[(WorkerId, u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    for (worker, offset, frames) in parts {
        out.push(*worker as u8);
        out.extend_from_slice(&offset.to_le_bytes());
        put_bytes(&mut out, frames);
    }
    out
}

/// The parts in a `Parts` frame's body: (worker, offset, frames).
pub fn parts(bytes: &[u8]) -> impl Iterator<Item = (WorkerId, u64, &[u8])> {
    let mut c = Cursor(bytes);
    let n = c.u16().unwrap_or(0);
    (0..n).map_while(move |_| {
        let worker = c.take(1)?[0] as WorkerId;
        let offset = c.u64()?;
        Some((worker, offset, c.bytes()?))
    })
}

/// Whether a `Parts` body parses whole (the frame's checksum passed; this guards the format).
fn parts_checked(bytes: &[u8]) -> Option<()> {
    let mut c = Cursor(bytes);
    let n = c.u16()?;
    for _ in 0..n {
        c.take(9)?;
        c.bytes()?;
    }
    c.0.is_empty().then_some(())
}

/// The records of a run of frames (a part).
pub fn frames(bytes: &[u8]) -> impl Iterator<Item = Record<'_>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (record, _, len) = decode(&bytes[at..])?;
        at += len;
        Some(record)
    })
}

pub(crate) struct Cursor<'a>(pub(crate) &'a [u8]);

impl<'a> Cursor<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    pub(crate) fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }
    pub(crate) fn optional(&mut self) -> Option<Option<&'a [u8]>> {
        match self.take(1)?[0] {
            0 => Some(None),
            1 => Some(Some(self.bytes()?)),
            _ => None,
        }
    }
}

/// Decodes the frame at the start of `bytes`: the record, its epoch and the frame's length. `None` at
/// the end of the log (see the module docs).
pub fn decode(bytes: &[u8]) -> Option<(Record<'_>, u32, usize)> {
    let mut header = Cursor(bytes);
    let len = header.u32()? as usize;
    let crc = header.u32()?;
    if len < 13 {
        return None;
    }
    let body = header.take(len)?;
    if crc32c::crc32c(body) != crc {
        return None;
    }
    let mut c = Cursor(body);
    let kind = c.take(1)?[0];
    let epoch = c.u32()?;
    let txn = c.u64()?;
    let record = match kind {
        1 => Record::Put {
            txn,
            table: c.u64()?,
            key: c.bytes()?,
            before: c.optional()?,
            after: c.bytes()?,
        },
        2 => Record::Delete {
            txn,
            table: c.u64()?,
            key: c.bytes()?,
            before: c.optional()?,
        },
        3 => Record::Truncate {
            txn,
            table: c.u64()?,
        },
        4 => Record::Catalog {
            txn,
            version: c.u64()?,
            image: c.bytes()?,
        },
        5 => {
            let n = c.u16()? as usize;
            Record::Commit {
                txn,
                participants: c.take(n)?,
            }
        }
        6 => Record::Prepared {
            txn,
            anchor: c.take(1)?[0],
        },
        7 => {
            let parts = std::mem::take(&mut c.0);
            parts_checked(parts)?;
            Record::Parts { txn, parts }
        }
        _ => return None,
    };
    if !c.0.is_empty() {
        return None;
    }
    Some((record, epoch, 8 + len))
}

/// Why the frame at the start of `bytes` does not decode (the end of a log; see the module docs).
/// `None` when it does.
pub fn undecodable(bytes: &[u8]) -> Option<&'static str> {
    if decode(bytes).is_some() {
        return None;
    }
    let mut header = Cursor(bytes);
    let (Some(len), Some(crc)) = (header.u32(), header.u32()) else {
        return Some("the file ends inside a frame header");
    };
    Some(match len as usize {
        0 => "a zero length (space never written)",
        1..13 => "a length too small for a frame",
        len if header.0.len() < len => "a frame longer than the bytes left in the file",
        len if crc32c::crc32c(&header.0[..len]) != crc => "a checksum mismatch",
        _ => "a frame whose body does not parse",
    })
}

/// One line describing `record` (for `keel waldump`).
pub fn describe(record: &Record<'_>) -> String {
    let optional = |bytes: Option<&[u8]>| match bytes {
        Some(bytes) => format!("{} B", bytes.len()),
        None => "none".into(),
    };
    match record {
        Record::Put {
            table,
            key,
            before,
            after,
            ..
        } => format!(
            "put      table {table} key {} before {} after {} B",
            hex(key),
            optional(*before),
            after.len()
        ),
        Record::Delete {
            table, key, before, ..
        } => format!(
            "delete   table {table} key {} before {}",
            hex(key),
            optional(*before)
        ),
        Record::Truncate { table, .. } => format!("truncate table {table}"),
        Record::Catalog { version, image, .. } => {
            format!("catalog  version {version}, {} B", image.len())
        }
        Record::Commit { participants, .. } => format!("commit   participants {participants:?}"),
        Record::Prepared { anchor, .. } => format!("prepared decided by worker {anchor}"),
        Record::Parts { parts: bytes, .. } => {
            let listed: Vec<String> = parts(bytes)
                .map(|(worker, offset, frames)| {
                    format!("worker {worker} at {offset} ({} B)", frames.len())
                })
                .collect();
            format!("parts    committed; parts of {}", listed.join(", "))
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes every frame of a log's `bytes` (which start at file offset `start`) to `out`, one line
/// each, then where and why the valid frames end, and where valid frames begin again after that
/// end, if anywhere (bytes the next run overwrites; a frame of the current epoch there would be a
/// lost write). What `keel waldump` prints per log.
pub fn dump(bytes: &[u8], start: u64, out: &mut dyn std::io::Write) -> io::Result<()> {
    let mut at = 0;
    let mut epoch_seen = 0;
    let mut frames = 0usize;
    while let Some((record, epoch, len)) = decode(&bytes[at..]) {
        if epoch < epoch_seen {
            break;
        }
        epoch_seen = epoch;
        writeln!(
            out,
            "{:>12}  epoch {epoch:<5} txn {:<14} {}",
            start + at as u64,
            record.txn(),
            describe(&record)
        )?;
        frames += 1;
        at += len;
    }
    let reason = match decode(&bytes[at..]) {
        Some((_, epoch, _)) => format!("a frame of epoch {epoch}, older than epoch {epoch_seen}"),
        None if at == bytes.len() => "the end of the file".to_string(),
        None => undecodable(&bytes[at..]).unwrap_or("?").to_string(),
    };
    writeln!(
        out,
        "end of log at offset {} after {frames} frames: {reason}",
        start + at as u64
    )?;
    // The first offset after the end where a run of valid frames starts again (stale bytes of an
    // earlier run, or a write that landed beyond a hole).
    let Some(resume) = (at + 1..bytes.len()).find(|&i| {
        bytes[i..].len() >= 21 && bytes[i..i + 4] != [0; 4] && decode(&bytes[i..]).is_some()
    }) else {
        return writeln!(out, "no valid frame after the end");
    };
    let mut next = resume;
    let mut epochs = (u32::MAX, 0);
    let mut count = 0usize;
    while let Some((_, epoch, len)) = decode(&bytes[next..]) {
        epochs = (epochs.0.min(epoch), epochs.1.max(epoch));
        count += 1;
        next += len;
    }
    writeln!(
        out,
        "after the end: {count} valid frames from offset {} to {} (epochs {} to {})",
        start + resume as u64,
        start + next as u64,
        epochs.0,
        epochs.1
    )
}

/// Name of worker `worker`'s log file in generation `generation`.
pub fn file_name(generation: u64, worker: WorkerId) -> String {
    format!("wal-{generation:06}-{worker:03}.log")
}

/// One worker's log from a given offset on (the cut of the last checkpoint), as found on disk.
#[derive(Clone)]
pub struct LogFile {
    pub worker: WorkerId,
    /// File offset of `bytes[0]`, where replay starts.
    pub start: u64,
    /// The file's bytes from the start of the block holding `start` up to `start` (the head of the
    /// partial block the flusher rewrites when the log ends inside it).
    pub head: Vec<u8>,
    /// Bytes from `start` up to the end of the last valid frame.
    pub bytes: Vec<u8>,
}

impl LogFile {
    /// Reads a log file from offset `from` (a frame boundary) and cuts it at its end of log.
    pub fn read(path: &Path, worker: WorkerId, from: u64) -> io::Result<LogFile> {
        let block = round_down(from as usize, BLOCK_BYTES) as u64;
        // From the disk, not the page cache: the log is written with O_DIRECT.
        let mut bytes = match keel_io::read_direct_from(path, block) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(error) => return Err(error),
        };
        let head_len = ((from - block) as usize).min(bytes.len());
        let rest = bytes.split_off(head_len);
        let mut log = LogFile::from_bytes(worker, rest);
        log.start = from;
        log.head = bytes;
        log.head.resize((from - block) as usize, 0);
        Ok(log)
    }

    /// A log from its raw bytes (from offset 0), cut at its end of log.
    pub fn from_bytes(worker: WorkerId, mut bytes: Vec<u8>) -> LogFile {
        let mut at = 0;
        let mut epoch_seen = 0;
        while let Some((_, epoch, len)) = decode(&bytes[at..]) {
            if epoch < epoch_seen {
                break;
            }
            epoch_seen = epoch;
            at += len;
        }
        bytes.truncate(at);
        LogFile {
            worker,
            start: 0,
            head: Vec::new(),
            bytes,
        }
    }

    /// File offset just past the last valid frame (where appending resumes).
    pub fn end(&self) -> u64 {
        self.start + self.bytes.len() as u64
    }

    /// The frames of this log.
    pub fn records(&self) -> impl Iterator<Item = Record<'_>> {
        frames(&self.bytes)
    }
}

/// Gives back the disk space of a log's bytes before `upto` (the last durable checkpoint's cut):
/// whole blocks below it become a hole; offsets stay as they are.
pub fn punch_prefix(path: &Path, upto: u64) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let len = round_down(upto as usize, BLOCK_BYTES) as i64;
    if len == 0 {
        return Ok(());
    }
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    // SAFETY: fallocate on a descriptor we own; the range lies inside the file.
    let rc = unsafe {
        libc::fallocate(
            file.as_raw_fd(),
            libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE,
            0,
            len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Which transactions in a node's logs committed (see the module docs for the commit rule), and
/// what each worker replays.
pub struct Outcome {
    pub committed: HashSet<TxnId>,
    /// The largest transaction id found.
    pub max_txn: TxnId,
    /// Transactions found without their deciding records (discarded).
    pub discarded: usize,
    /// Per worker, the transactions whose last frame (Commit, Prepared or Parts) its log holds:
    /// only their records replay there (a part cut off before its `Prepared` frame does not).
    ended: HashMap<WorkerId, HashSet<TxnId>>,
    /// Per worker, the parts of committed transactions that its log lost, in log order: applied
    /// after its log, and appended to it again before the node serves.
    pub lost: HashMap<WorkerId, Vec<LostPart>>,
}

/// A committed transaction's part that its worker's log lost (see [`Outcome::lost`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostPart {
    pub txn: TxnId,
    /// Where the part began in that log when it was first appended.
    pub offset: u64,
    /// The worker whose `Parts` frame decided it.
    pub anchor: WorkerId,
    /// Its frames.
    pub frames: Vec<u8>,
}

impl LostPart {
    pub fn records(&self) -> impl Iterator<Item = Record<'_>> {
        frames(&self.frames)
    }
}

impl Outcome {
    /// How many parts recovery applies from `Parts` frames (all workers' [`Outcome::lost`]).
    pub fn lost_parts(&self) -> usize {
        self.lost.values().map(Vec::len).sum()
    }

    /// Whether `record`, found in `worker`'s log, is replayed.
    pub fn replays(&self, worker: WorkerId, record: &Record<'_>) -> bool {
        let txn = record.txn();
        self.committed.contains(&txn)
            && self
                .ended
                .get(&worker)
                .is_some_and(|ended| ended.contains(&txn))
    }

    /// Calls `apply` with every record `log` replays, in order: the committed ones in the log, then
    /// the parts it lost.
    pub fn replay<'a>(&'a self, log: &'a LogFile, mut apply: impl FnMut(Record<'a>)) {
        for record in log.records() {
            if self.replays(log.worker, &record) {
                apply(record);
            }
        }
        for part in self.lost.get(&log.worker).into_iter().flatten() {
            part.records().for_each(&mut apply);
        }
    }
}

/// Decides every transaction found in `logs` (each read from its worker's checkpoint cut,
/// `LogFile::start`). `settled` holds, per worker, the multi-worker transactions whose deciding
/// records the last checkpoint cut off that worker's log: a Commit record there (they committed
/// everywhere before it finished), or a `Parts` frame where that worker was the anchor.
pub fn decide(logs: &[LogFile], settled: &HashSet<(WorkerId, TxnId)>) -> Outcome {
    let mut commits: HashMap<TxnId, Vec<u8>> = HashMap::new();
    let mut present: HashSet<(WorkerId, TxnId)> = HashSet::new();
    let mut all_txns: HashSet<TxnId> = HashSet::new();
    let mut ended: HashMap<WorkerId, HashSet<TxnId>> = HashMap::new();
    // Each `Parts` frame: its anchor, transaction and body.
    let mut decided: Vec<(WorkerId, TxnId, &[u8])> = Vec::new();
    let mut anchors: HashMap<TxnId, WorkerId> = HashMap::new();
    let mut max_txn = 0;
    for log in logs {
        let ended = ended.entry(log.worker).or_default();
        for record in log.records() {
            let txn = record.txn();
            max_txn = max_txn.max(txn);
            all_txns.insert(txn);
            match record {
                Record::Commit { participants, .. } => {
                    present.insert((log.worker, txn));
                    commits.insert(txn, participants.to_vec());
                    ended.insert(txn);
                }
                Record::Prepared { anchor, .. } => {
                    anchors.insert(txn, anchor as WorkerId);
                    ended.insert(txn);
                }
                Record::Parts { parts, .. } => {
                    decided.push((log.worker, txn, parts));
                    ended.insert(txn);
                }
                _ => {}
            }
        }
    }
    let mut committed: HashSet<TxnId> = commits
        .iter()
        .filter(|(txn, participants)| {
            participants.iter().all(|p| {
                present.contains(&(*p as WorkerId, **txn))
                    || settled.contains(&(*p as WorkerId, **txn))
            })
        })
        .map(|(txn, _)| *txn)
        .collect();
    committed.extend(decided.iter().map(|(_, txn, _)| *txn));
    committed.extend(
        anchors
            .iter()
            .filter(|(txn, anchor)| settled.contains(&(**anchor, **txn)))
            .map(|(txn, _)| *txn),
    );
    // Parts the `Parts` frames hold that neither their worker's log nor its image has.
    let mut lost: HashMap<WorkerId, Vec<LostPart>> = HashMap::new();
    for &(anchor, txn, bytes) in &decided {
        for (worker, offset, frames) in parts(bytes) {
            let Some(home) = logs.iter().find(|home| home.worker == worker) else {
                continue;
            };
            let has = ended.get(&worker).is_some_and(|ended| ended.contains(&txn));
            if has || offset < home.start {
                continue;
            }
            lost.entry(worker).or_default().push(LostPart {
                txn,
                offset,
                anchor,
                frames: frames.to_vec(),
            });
        }
    }
    for parts in lost.values_mut() {
        parts.sort_unstable_by_key(|part| part.offset);
    }
    Outcome {
        discarded: all_txns.len() - committed.len(),
        committed,
        max_txn,
        ended,
        lost,
    }
}

/// What recovery rebuilt from all of a node's logs, in memory.
#[derive(Default)]
pub struct Recovered {
    /// The newest committed catalog image and its version.
    pub catalog: Option<(u64, Vec<u8>)>,
    /// Committed rows per table, keyed by row key.
    pub tables: HashMap<TableId, BTreeMap<Vec<u8>, Vec<u8>>>,
    /// The largest transaction id found: new ids must be larger.
    pub max_txn: TxnId,
    /// Committed transactions replayed.
    pub committed: usize,
    /// Transactions found without all their commit records (discarded).
    pub discarded: usize,
}

/// Replays whole logs (from offset 0, no checkpoint) into memory: the reference the checkpointed
/// recovery of the node is tested against.
pub fn recover(logs: &[LogFile]) -> Recovered {
    let outcome = decide(logs, &HashSet::new());
    // Replay each log in order into its own worker's image (keys never cross workers within a
    // generation, and a Truncate clears only its own worker's share), then merge.
    let mut recovered = Recovered {
        max_txn: outcome.max_txn,
        committed: outcome.committed.len(),
        discarded: outcome.discarded,
        ..Default::default()
    };
    for log in logs {
        let mut tables: HashMap<TableId, BTreeMap<Vec<u8>, Vec<u8>>> = HashMap::new();
        outcome.replay(log, |record| match record {
            Record::Put {
                table, key, after, ..
            } => {
                tables
                    .entry(table)
                    .or_default()
                    .insert(key.to_vec(), after.to_vec());
            }
            Record::Delete { table, key, .. } => {
                if let Some(rows) = tables.get_mut(&table) {
                    rows.remove(key);
                }
            }
            Record::Truncate { table, .. } => {
                tables.remove(&table);
            }
            Record::Catalog { version, image, .. } => {
                if recovered
                    .catalog
                    .as_ref()
                    .is_none_or(|(newest, _)| version > *newest)
                {
                    recovered.catalog = Some((version, image.to_vec()));
                }
            }
            Record::Commit { .. } | Record::Prepared { .. } | Record::Parts { .. } => {}
        });
        for (table, rows) in tables {
            recovered.tables.entry(table).or_default().extend(rows);
        }
    }
    recovered
}

/// Largest single write (a multiple of the block size).
const WRITE_CHUNK_BYTES: usize = 32 << 20;

/// A worker's log writer (see the module docs: group commit).
/// What a worker's log has done since the node started, as `pg_stat_wal` shows it (summed over
/// the workers): read by other threads, so atomics.
#[derive(Debug, Default)]
pub struct WalStats {
    /// Records appended.
    pub records: AtomicU64,
    /// Bytes appended.
    pub bytes: AtomicU64,
    /// Writes to the log file, each a linked write and `fdatasync` (one per chunk of a batch).
    pub writes: AtomicU64,
    /// Microseconds those writes took, from submission until the flusher saw them complete.
    pub write_micros: AtomicU64,
}

pub struct Wal {
    /// Counters for `pg_stat_wal`.
    pub stats: Arc<WalStats>,
    epoch: u32,
    pending: RefCell<Vec<u8>>,
    /// Offset in the file where `pending` begins.
    pending_offset: Cell<u64>,
    wake: Notify,
    /// Someone waits for what is pending (a commit appended, or a wait for durability): the
    /// flusher writes only then, so that lazily appended parts ride along with a wanted write.
    wanted: Cell<bool>,
    durable: watch::Sender<u64>,
    /// The log file (for `fallocate`) and the offset up to which its blocks are allocated.
    reservation: RefCell<Option<(std::fs::File, u64)>>,
}

/// Pending bytes past which a lazy append ([`Wal::append_part`]) wakes the flusher after all.
const LAZY_PENDING_BYTES: usize = 256 << 10;

/// Log space is allocated this much ahead at a time.
const RESERVE_BYTES: u64 = 4 << 20;

impl Wal {
    /// A writer that appends at `end_offset` of a file whose valid bytes are `tail` up to there.
    pub fn new(epoch: u32, end_offset: u64) -> Rc<Wal> {
        Rc::new(Wal {
            stats: Arc::default(),
            epoch,
            pending: RefCell::new(Vec::with_capacity(1 << 20)),
            pending_offset: Cell::new(end_offset),
            wake: Notify::new(),
            wanted: Cell::new(false),
            durable: watch::Sender::new(end_offset),
            reservation: RefCell::new(None),
        })
    }

    /// Appends records; returns the log offset that must be durable for them to be. With a
    /// reservation ([`reserve_space_in`](Self::reserve_space_in)) the file's blocks are allocated
    /// ahead of the records: when the disk is full the records are taken back and the error says so
    /// (the commit fails; nothing was written), instead of a write failing later, which would stop
    /// the node.
    pub fn append(&self, write: impl FnOnce(&mut dyn FnMut(Record<'_>))) -> Result<u64, io::Error> {
        let mut pending = self.pending.borrow_mut();
        let before = pending.len();
        let epoch = self.epoch;
        let mut records = 0;
        write(&mut |record| {
            encode(&record, epoch, &mut pending);
            records += 1;
        });
        drop(pending);
        let end = self.appended(before, records)?;
        self.want();
        Ok(end)
    }

    /// Appends a participant's part of a multi-worker transaction (the records `write` emits) and
    /// then `marker` (its `Prepared` frame), lazily: the flusher is not woken for them (see the
    /// module docs), unless a lot is pending. Returns the offset where the part begins and its
    /// frames, for the anchor's `Parts` frame; no frames and nothing appended when `write` emits
    /// nothing.
    pub fn append_part(
        &self,
        marker: Record<'_>,
        write: impl FnOnce(&mut dyn FnMut(Record<'_>)),
    ) -> Result<(u64, Vec<u8>), io::Error> {
        let mut pending = self.pending.borrow_mut();
        let before = pending.len();
        let start = self.pending_offset.get() + before as u64;
        let epoch = self.epoch;
        let mut records = 1;
        write(&mut |record| {
            encode(&record, epoch, &mut pending);
            records += 1;
        });
        if pending.len() == before {
            // Nothing changed here (rows only locked): no part.
            return Ok((start, Vec::new()));
        }
        let frames = pending[before..].to_vec();
        encode(&marker, epoch, &mut pending);
        let lots = pending.len() >= LAZY_PENDING_BYTES;
        drop(pending);
        self.appended(before, records)?;
        if lots {
            self.want();
        }
        Ok((start, frames))
    }

    /// Accounts for `records` just encoded into the pending buffer after its first `before` bytes:
    /// the file's blocks are reserved for them (on failure they are taken back) and the counters
    /// move. Returns the end offset.
    fn appended(&self, before: usize, records: u64) -> Result<u64, io::Error> {
        let mut pending = self.pending.borrow_mut();
        let end = self.pending_offset.get() + pending.len() as u64;
        if let Some((file, reserved)) = &mut *self.reservation.borrow_mut() {
            if end > *reserved {
                // One append larger than a step (a bulk load's rows at its commit): its blocks
                // are allocated unwritten instead of zero-filled, which would write them twice;
                // the one fdatasync after them also journals their conversion. Zeros go ahead of
                // it as usual, so that small commits after it sync data only.
                // (A shorter one lies within the zeros from where they stopped.)
                let zeros_from = if end - *reserved > RESERVE_BYTES {
                    keel_io::allocate_extending(file, *reserved, end - *reserved).map(|()| end)
                } else {
                    Ok(*reserved)
                };
                let zeroed = zeros_from.and_then(|from| {
                    keel_io::allocate_written(file, from, RESERVE_BYTES).map(|()| from)
                });
                match zeroed {
                    Ok(from) => *reserved = from + RESERVE_BYTES,
                    Err(error) => {
                        pending.truncate(before);
                        return Err(error);
                    }
                }
            }
        }
        let stats = &self.stats;
        stats.records.fetch_add(records, Ordering::Relaxed);
        let bytes = (pending.len() - before) as u64;
        stats.bytes.fetch_add(bytes, Ordering::Relaxed);
        Ok(end)
    }

    /// Has the flusher write what is pending.
    fn want(&self) {
        self.wanted.set(true);
        self.wake.notify_one();
    }

    /// Allocates the log file's blocks ahead of the records appended (see [`append`](Self::append)).
    pub fn reserve_space_in(&self, file: std::fs::File) {
        let end = self.end();
        *self.reservation.borrow_mut() = Some((file, end));
    }

    /// The offset just past everything appended so far.
    pub fn end(&self) -> u64 {
        self.pending_offset.get() + self.pending.borrow().len() as u64
    }

    /// Waits until the log is durable up to `offset` (wanting the write: what is pending may have
    /// been appended lazily).
    pub async fn wait_durable(&self, offset: u64) {
        let mut durable = self.durable.subscribe();
        // (Bytes before `pending_offset` are written or being written.)
        if offset > self.pending_offset.get() {
            self.want();
        }
        // The sender lives as long as `self`, which the caller borrows: the wait cannot fail.
        let _ = durable.wait_for(|&at| at >= offset).await;
    }

    /// The offset known durable.
    pub fn durable_offset(&self) -> u64 {
        *self.durable.borrow()
    }

    /// Runs the flusher: writes whatever is pending to `device`, forever. `tail` holds the log's
    /// bytes from the start of the block containing the current end up to that end.
    /// Writes come from `arena` (registered with the device as fixed buffers by [`open_device`])
    /// when they fit one of its chunks, else from the heap.
    pub async fn run_flusher<D: Device>(
        self: Rc<Self>,
        mut device: D,
        mut tail: Vec<u8>,
        arena: Option<Arena>,
    ) {
        // Completions wake this task through the worker's reactor when the device has a pollable
        // completion descriptor (io_uring); otherwise `wait` finds them at once (memory, sim).
        let ready = device.completion_fd().map(|fd| {
            // SAFETY: `device` owns the descriptor and outlives `ready` (locals drop before the
            // parameters of this function).
            unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }
                .unwrap_or_else(|error| {
                    fatal(&format!(
                        "cannot watch the WAL device: {}",
                        error.into_parts().1
                    ))
                })
        });
        loop {
            if !self.wanted.get() || self.pending.borrow().is_empty() {
                self.wake.notified().await;
                continue;
            }
            self.wanted.set(false);
            let batch = std::mem::take(&mut *self.pending.borrow_mut());
            let start = self.pending_offset.get();
            let end = start + batch.len() as u64;
            self.pending_offset.set(end);
            let block_start = round_down(start as usize, BLOCK_BYTES) as u64;
            debug_assert_eq!(tail.len() as u64, start - block_start);
            // The bytes from `block_start` to `end`: the durable tail, then the batch. Written in
            // chunks so that one huge transaction never needs one huge aligned buffer.
            let total = tail.len() + batch.len();
            let byte_at = |i: usize| {
                if i < tail.len() {
                    tail[i]
                } else {
                    batch[i - tail.len()]
                }
            };
            let mut written = 0;
            while written < total {
                let length = (total - written).min(WRITE_CHUNK_BYTES);
                let mut buf = match arena
                    .as_ref()
                    .filter(|arena| length <= arena.chunk_bytes())
                    .and_then(Arena::chunk)
                {
                    Some(mut chunk) => {
                        chunk.set_len(length);
                        // The last block's slack goes to disk too: keep it zero, as on the heap.
                        chunk.as_mut_slice()[length..].fill(0);
                        chunk
                    }
                    None => AlignedBuf::zeroed(length),
                };
                let target = &mut buf.as_mut_slice()[..length];
                // Only the first chunk holds tail bytes (the tail is shorter than a block).
                let from_tail = tail.len().saturating_sub(written).min(length);
                if from_tail > 0 {
                    target[..from_tail].copy_from_slice(&tail[written..written + from_tail]);
                }
                let batch_from = written + from_tail - tail.len();
                target[from_tail..]
                    .copy_from_slice(&batch[batch_from..batch_from + length - from_tail]);
                let started = std::time::Instant::now();
                if let Err(error) = write_durable(
                    &mut device,
                    ready.as_ref(),
                    buf,
                    block_start + written as u64,
                )
                .await
                {
                    fatal(&format!("write-ahead log write failed: {error}"));
                }
                self.stats.writes.fetch_add(1, Ordering::Relaxed);
                let micros = started.elapsed().as_micros() as u64;
                self.stats.write_micros.fetch_add(micros, Ordering::Relaxed);
                written += length;
            }
            let new_block_start = round_down(end as usize, BLOCK_BYTES);
            let from = new_block_start - block_start as usize;
            tail = (from..total).map(byte_at).collect();
            // Give back the big pending buffer's capacity when it is idle.
            let mut pending = self.pending.borrow_mut();
            if pending.is_empty()
                && pending.capacity() < batch.capacity()
                && batch.capacity() <= 64 << 20
            {
                let mut batch = batch;
                batch.clear();
                *pending = batch;
            }
            drop(pending);
            self.durable.send_replace(end);
        }
    }
}

/// Logical size of a WAL file: writes past it fail as a full device.
pub const WAL_FILE_BYTES_MAX: u64 = 1 << 44;

/// Bytes of write buffers each log registers with its ring (one chunk: group commits larger than
/// this are written from the heap).
pub const WAL_ARENA_BYTES: usize = 2 << 20;

/// Opens a log file as an io_uring device for [`Wal::run_flusher`], with a [`WAL_ARENA_BYTES`] arena
/// registered as its fixed write buffers. When registering fails (`RLIMIT_MEMLOCK`, said once at
/// start by the node), the arena is `None` and writes go out unregistered. Cooperative task running
/// stays off: the flusher learns of completions by watching the ring's descriptor from the worker's
/// reactor, which must see them without the worker entering the kernel first.
pub fn open_device(
    path: &Path,
) -> Result<(keel_io::uring::UringDevice, Option<Arena>), keel_io::device::DeviceError> {
    let options = keel_io::uring::UringOptions {
        entries: 16,
        coop_taskrun: false,
        ..Default::default()
    };
    let mut device = keel_io::uring::UringDevice::open(path, WAL_FILE_BYTES_MAX, options)?;
    let arena = Arena::new(WAL_ARENA_BYTES, WAL_ARENA_BYTES)
        .ok()
        .filter(|arena| device.register_arena(arena).is_ok());
    Ok((device, arena))
}

/// A WAL IO error: crash rather than guess what reached the disk.
fn fatal(message: &str) -> ! {
    eprintln!("keel: FATAL: {message}; stopping to protect committed data");
    std::process::abort();
}

/// Writes `buf` at `offset` durably and waits for it, without blocking the worker.
async fn write_durable<D: Device>(
    device: &mut D,
    ready: Option<&AsyncFd<std::os::fd::RawFd>>,
    buf: AlignedBuf,
    offset: u64,
) -> Result<(), String> {
    let id = device
        .submit_write_durable(offset, buf)
        .map_err(|e| e.to_string())?;
    device.flush_submissions().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    loop {
        device.poll(&mut out);
        if let Some(done) = out.iter().find(|c| c.id == id) {
            return done.result.clone().map_err(|e| e.to_string());
        }
        match ready {
            Some(fd) => {
                let mut guard = fd.readable().await.map_err(|e| e.to_string())?;
                device.poll(&mut out);
                if let Some(done) = out.iter().find(|c| c.id == id) {
                    return done.result.clone().map_err(|e| e.to_string());
                }
                guard.clear_ready();
            }
            None => device.wait(1, &mut out).map_err(|e| e.to_string())?,
        }
    }
}

/// The bytes of `log` from the start of the block holding its end to its end.
pub fn tail_of(log: &LogFile) -> Vec<u8> {
    let end = log.end() as usize;
    let block = round_down(end, BLOCK_BYTES) as u64;
    if block >= log.start {
        log.bytes[(block - log.start) as usize..].to_vec()
    } else {
        // The end lies in the block that holds the start.
        let mut tail = log.head.clone();
        tail.extend_from_slice(&log.bytes);
        tail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_of(worker: WorkerId, records: &[Record<'_>], epoch: u32) -> LogFile {
        let mut bytes = Vec::new();
        for record in records {
            encode(record, epoch, &mut bytes);
        }
        LogFile::from_bytes(worker, bytes)
    }

    /// The dump names where a log ends and why, and finds valid frames beyond a hole (what a lost
    /// or misplaced write looks like).
    #[test]
    fn dump_says_where_and_why_a_log_ends() {
        let put = |txn| Record::Put {
            txn,
            table: 3,
            key: b"k",
            before: None,
            after: b"row",
        };
        let mut bytes = Vec::new();
        encode(&put(1), 2, &mut bytes);
        encode(
            &Record::Commit {
                txn: 1,
                participants: &[0],
            },
            2,
            &mut bytes,
        );
        let end = bytes.len();
        bytes.extend_from_slice(&[0; 100]);
        let resume = bytes.len();
        encode(&put(2), 2, &mut bytes);
        encode(&put(3), 3, &mut bytes);
        let dumped = |bytes: &[u8], start: u64| {
            let mut out = Vec::new();
            dump(bytes, start, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let text = dumped(&bytes, 1000);
        assert!(
            text.contains("txn 1              commit   participants [0]"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "end of log at offset {} after 2 frames: a zero length",
                1000 + end
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "after the end: 2 valid frames from offset {} to {} (epochs 2 to 3)",
                1000 + resume,
                1000 + bytes.len()
            )),
            "{text}"
        );
        // A flipped byte in the second frame: the end comes there, as a checksum mismatch.
        let second = decode(&bytes).unwrap().2;
        bytes[second + 20] ^= 1;
        let text = dumped(&bytes, 0);
        assert!(
            text.contains(&format!(
                "end of log at offset {second} after 1 frames: a checksum mismatch"
            )),
            "{text}"
        );
        // An older epoch after a newer one ends the log too.
        let mut stale = Vec::new();
        encode(&put(4), 5, &mut stale);
        encode(&put(5), 4, &mut stale);
        let text = dumped(&stale, 0);
        assert!(
            text.contains("a frame of epoch 4, older than epoch 5"),
            "{text}"
        );
        assert_eq!(
            undecodable(&stale[..5]),
            Some("the file ends inside a frame header")
        );
    }

    #[test]
    fn records_round_trip() {
        let records = [
            Record::Put {
                txn: 7,
                table: 3,
                key: b"k",
                before: None,
                after: b"row",
            },
            Record::Delete {
                txn: 7,
                table: 3,
                key: b"j",
                before: Some(b"old"),
            },
            Record::Truncate { txn: 7, table: 4 },
            Record::Catalog {
                txn: 7,
                version: 9,
                image: b"catalog",
            },
            Record::Commit {
                txn: 7,
                participants: &[0, 1],
            },
        ];
        let log = log_of(0, &records, 1);
        let decoded: Vec<_> = log.records().collect();
        assert_eq!(decoded, records);
    }

    #[test]
    fn torn_tail_ends_replay_and_multi_worker_commits_need_every_participant() {
        let mut log0 = log_of(
            0,
            &[
                Record::Put {
                    txn: 1,
                    table: 1,
                    key: b"a",
                    before: None,
                    after: b"1",
                },
                Record::Commit {
                    txn: 1,
                    participants: &[0],
                },
                Record::Put {
                    txn: 2,
                    table: 1,
                    key: b"b",
                    before: None,
                    after: b"2",
                },
                Record::Commit {
                    txn: 2,
                    participants: &[0, 1],
                },
                Record::Put {
                    txn: 3,
                    table: 1,
                    key: b"c",
                    before: None,
                    after: b"3",
                },
                Record::Commit {
                    txn: 3,
                    participants: &[0, 1],
                },
            ],
            1,
        );
        let log1 = log_of(
            1,
            &[
                Record::Put {
                    txn: 2,
                    table: 1,
                    key: b"x",
                    before: None,
                    after: b"2",
                },
                Record::Commit {
                    txn: 2,
                    participants: &[0, 1],
                },
            ],
            1,
        );
        // Tear the last frame of log 0: flip a byte, then re-read through the file path.
        let last = log0.bytes.len() - 3;
        log0.bytes[last] ^= 0xff;
        let dir = std::env::temp_dir().join(format!("keel-wal-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0"), &log0.bytes).unwrap();
        let log0 = LogFile::read(&dir.join("0"), 0, 0).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let recovered = recover(&[log0, log1]);
        let rows = &recovered.tables[&1];
        let keys: Vec<_> = rows.keys().cloned().collect();
        assert_eq!(keys, vec![b"a".to_vec(), b"b".to_vec(), b"x".to_vec()]);
        assert_eq!(recovered.max_txn, 3);
        assert_eq!(recovered.committed, 2);
    }

    #[test]
    fn stale_epoch_ends_replay() {
        let mut bytes = Vec::new();
        encode(
            &Record::Commit {
                txn: 1,
                participants: &[0],
            },
            2,
            &mut bytes,
        );
        encode(
            &Record::Commit {
                txn: 2,
                participants: &[0],
            },
            1,
            &mut bytes,
        );
        let dir = std::env::temp_dir().join(format!("keel-wal-epoch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0"), &bytes).unwrap();
        let log = LogFile::read(&dir.join("0"), 0, 0).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(log.records().count(), 1);
    }

    /// Runs `body` with a new log (in a directory named after `name`) and its flusher, on a
    /// current-thread runtime as a worker's; returns the log as read back from its file.
    fn with_flusher<F: std::future::Future<Output = ()>>(
        name: &str,
        body: impl FnOnce(Rc<Wal>) -> F,
    ) -> LogFile {
        let dir = std::env::temp_dir().join(format!("keel-wal-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(file_name(1, 0));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let local = tokio::task::LocalSet::new();
        local.block_on(&runtime, async {
            let wal = Wal::new(1, 0);
            let (file, arena) = open_device(&path).unwrap();
            tokio::task::spawn_local(wal.clone().run_flusher(file, Vec::new(), arena));
            body(wal).await;
        });
        let log = LogFile::read(&path, 0, 0).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        log
    }

    #[test]
    fn group_commit_writes_and_publishes_durability() {
        let log = with_flusher("flush", |wal| async move {
            let mut last = 0;
            for txn in 1..=100u64 {
                last = wal
                    .append(|emit| {
                        emit(Record::Put {
                            txn,
                            table: 1,
                            key: &txn.to_be_bytes(),
                            before: None,
                            after: b"row",
                        });
                        emit(Record::Commit {
                            txn,
                            participants: &[0],
                        });
                    })
                    .unwrap();
            }
            wal.wait_durable(last).await;
            assert_eq!(wal.durable_offset(), last);
        });
        assert_eq!(recover(&[log]).tables[&1].len(), 100);
    }

    /// A part is appended without waking the flusher: it reaches the disk with the next write
    /// someone waits for (a commit there, or a checkpoint's sync of the log, as here).
    #[test]
    fn a_part_waits_for_the_next_write() {
        let log = with_flusher("lazy", |wal| async move {
            // The flusher finds nothing and waits to be woken.
            tokio::task::yield_now().await;
            let put = |emit: &mut dyn FnMut(Record<'_>)| {
                emit(Record::Put {
                    txn: 7,
                    table: 1,
                    key: b"k",
                    before: None,
                    after: b"row",
                })
            };
            let (offset, frames) = wal
                .append_part(Record::Prepared { txn: 7, anchor: 3 }, put)
                .unwrap();
            assert_eq!(offset, 0);
            assert_eq!(super::frames(&frames).count(), 1);
            // Nothing woke the flusher.
            for _ in 0..20 {
                tokio::task::yield_now().await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            assert_eq!(wal.durable_offset(), 0);
            let end = wal.end();
            wal.wait_durable(end).await;
            assert_eq!(wal.durable_offset(), end);
        });
        let kinds: Vec<_> = log.records().map(|r| describe(&r)).collect();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert_eq!(kinds[1], "prepared decided by worker 3");
    }

    #[test]
    fn a_transaction_larger_than_a_write_chunk_is_written_whole() {
        let big = vec![7u8; WRITE_CHUNK_BYTES + 12_345];
        let big_len = big.len();
        let log = with_flusher("big", |wal| async move {
            // A small commit first, so the big one starts mid-block (with a tail).
            let first = wal
                .append(|emit| {
                    emit(Record::Put {
                        txn: 1,
                        table: 1,
                        key: b"a",
                        before: None,
                        after: b"x",
                    });
                    emit(Record::Commit {
                        txn: 1,
                        participants: &[0],
                    });
                })
                .unwrap();
            wal.wait_durable(first).await;
            let second = wal
                .append(|emit| {
                    emit(Record::Put {
                        txn: 2,
                        table: 1,
                        key: b"b",
                        before: None,
                        after: &big,
                    });
                    emit(Record::Commit {
                        txn: 2,
                        participants: &[0],
                    });
                })
                .unwrap();
            wal.wait_durable(second).await;
        });
        let recovered = recover(&[log]);
        assert_eq!(recovered.tables[&1][&b"b".to_vec()].len(), big_len);
        assert_eq!(recovered.tables[&1][&b"a".to_vec()], b"x".to_vec());
    }

    /// A two-worker transaction under the one-write rule: worker 1's part (txn 10 sets `a` to 1)
    /// ends with its `Prepared` frame, worker 0's `Parts` frame decides it; then txn 11 sets `a`
    /// to 2 on worker 1 alone. Returns worker 1's log bytes, the offset where txn 11 starts,
    /// and worker 0's log.
    fn one_write_commit() -> (Vec<u8>, usize, LogFile) {
        let put = |txn, after: &'static [u8]| Record::Put {
            txn,
            table: 1,
            key: b"a",
            before: None,
            after,
        };
        let mut part = Vec::new();
        encode(&put(10, b"1"), 1, &mut part);
        let mut log1 = part.clone();
        encode(&Record::Prepared { txn: 10, anchor: 0 }, 1, &mut log1);
        let later = log1.len();
        encode(&put(11, b"2"), 1, &mut log1);
        encode(
            &Record::Commit {
                txn: 11,
                participants: &[1],
            },
            1,
            &mut log1,
        );
        let parts = encode_parts(&[(1, 0, part)]);
        let log0 = log_of(
            0,
            &[
                Record::Put {
                    txn: 10,
                    table: 1,
                    key: b"z",
                    before: None,
                    after: b"0",
                },
                Record::Parts {
                    txn: 10,
                    parts: &parts,
                },
            ],
            1,
        );
        (log1, later, log0)
    }

    fn value_of_a(logs: &[LogFile]) -> Option<Vec<u8>> {
        recover(logs).tables.get(&1)?.get(&b"a".to_vec()).cloned()
    }

    #[test]
    fn parts_and_prepared_frames_round_trip() {
        let parts = encode_parts(&[(3, 4096, b"abc".to_vec()), (7, 9, Vec::new())]);
        let records = [
            Record::Prepared { txn: 5, anchor: 2 },
            Record::Parts {
                txn: 5,
                parts: &parts,
            },
        ];
        let log = log_of(0, &records, 1);
        let decoded: Vec<_> = log.records().collect();
        assert_eq!(decoded, records);
        let listed: Vec<_> = super::parts(&parts).collect();
        assert_eq!(listed, vec![(3, 4096, &b"abc"[..]), (7, 9, &b""[..])]);
        assert_eq!(
            describe(&records[1]),
            "parts    committed; parts of worker 3 at 4096 (3 B), worker 7 at 9 (0 B)"
        );
        // A parts body that does not parse whole is the end of the log, checksum or not.
        let mut bad = Vec::new();
        encode(
            &Record::Parts {
                txn: 5,
                parts: &parts[..parts.len() - 1],
            },
            1,
            &mut bad,
        );
        assert!(decode(&bad).is_none());
    }

    #[test]
    fn a_part_replays_in_its_own_log_or_from_the_parts_frame_when_that_log_lost_it() {
        let (log1, later, log0) = one_write_commit();
        // Both logs whole: the part replays in place, txn 11 after it.
        let whole = [log0.clone(), LogFile::from_bytes(1, log1.clone())];
        assert_eq!(value_of_a(&whole).as_deref(), Some(&b"2"[..]));
        let outcome = decide(&whole, &HashSet::new());
        assert!(outcome.lost.is_empty());
        assert_eq!(outcome.committed.len(), 2);
        // Worker 1's log lost everything from the part on (and so txn 11, later there): the
        // part comes from worker 0's parts frame.
        let lost = [log0.clone(), LogFile::from_bytes(1, Vec::new())];
        assert_eq!(value_of_a(&lost).as_deref(), Some(&b"1"[..]));
        let outcome = decide(&lost, &HashSet::new());
        assert_eq!(outcome.lost[&1].len(), 1);
        assert_eq!(
            (outcome.lost[&1][0].txn, outcome.lost[&1][0].anchor),
            (10, 0)
        );
        // Torn after the part's records, before its prepared frame: the records there do not
        // replay on their own; the whole part comes from the parts frame.
        let put_len = decode(&log1).unwrap().2;
        let torn = [
            log0.clone(),
            LogFile::from_bytes(1, log1[..put_len].to_vec()),
        ];
        assert_eq!(value_of_a(&torn).as_deref(), Some(&b"1"[..]));
        assert_eq!(decide(&torn, &HashSet::new()).lost[&1].len(), 1);
        // Worker 1's checkpoint cut lies after the part: its image has it, and only txn 11 is
        // replayed from its log.
        let mut cut = LogFile::from_bytes(1, log1[later..].to_vec());
        cut.start = later as u64;
        let outcome = decide(&[log0.clone(), cut], &HashSet::new());
        assert!(outcome.lost.is_empty());
        // No parts frame (worker 0's log lost it): txn 10 did not commit, even with its prepared
        // frame durable on worker 1.
        let undecided = [
            LogFile::from_bytes(0, Vec::new()),
            LogFile::from_bytes(1, log1.clone()),
        ];
        let outcome = decide(&undecided, &HashSet::new());
        assert!(!outcome.committed.contains(&10) && outcome.committed.contains(&11));
        assert_eq!(value_of_a(&undecided).as_deref(), Some(&b"2"[..]));
        // Worker 0's checkpoint cut its parts frame off, listing txn 10 as settled there: the
        // part on worker 1 replays. Settled on worker 1 (a participant) decides nothing.
        let settled = HashSet::from([(0, 10)]);
        assert!(decide(&undecided, &settled).committed.contains(&10));
        let settled = HashSet::from([(1, 10)]);
        assert!(!decide(&undecided, &settled).committed.contains(&10));
    }
}
