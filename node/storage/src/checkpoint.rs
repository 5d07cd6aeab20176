//! Checkpoint files: what a worker's checkpoint stores beside the pages in its data file.
//!
//! A checkpoint of the node is a round over all workers (driven by the server's runtime):
//!
//! 1. **Cut.** Each worker, between two operations, calls [`crate::store::Store::begin_checkpoint`]: the buffer
//!    manager notes which slot of the data file holds each page's current state, or that a dirty
//!    page still has to be written (copy-on-write keeps its cut-time state if it changes first), and
//!    the store notes its trees, the before-images of rows that open transactions changed in place,
//!    and the log offset at that moment (the cut). Writers go on at once.
//! 2. **Write.** The worker writes the pending pages in small batches between other work, waits until
//!    the transactions that were committing at the cut are released (their commit records lie before
//!    the cut), syncs the data file, and writes this file: the page table, the [`StoreImage`] and the
//!    cut, checksummed, synced.
//! 3. **Publish.** Once every worker's file is durable, the node's metadata file names the round
//!    (atomic rename). Only then do the slots that only the previous image needed become free, and
//!    the log before each cut is given back ([`crate::wal::punch_prefix`]).
//!
//! Recovery opens each worker's image (applying its undo list and freeing its garbage trees) and
//! replays the log from the cut, so its time is bounded by the log written in one checkpoint
//! interval, not by the size of the data.
//!
//! # Format
//! `"KEELCKP1" | crc32c(body): u32 | len: u64 | body`, all little-endian; the body holds the cut,
//! the page table and the store image (see [`encode`]).

use std::io::Write as _;
use std::path::Path;

use crate::store::StoreImage;
use crate::wal::{put_bytes, put_optional, Cursor};

const MAGIC: &[u8; 8] = b"KEELCKP2";
/// Files of builds before MVCC: no undo tree field.
const MAGIC_V1: &[u8; 8] = b"KEELCKP1";

/// One worker's part of a checkpoint.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WorkerCheckpoint {
    /// The log offset at the cut: replay starts here.
    pub cut: u64,
    /// The data file's page table: `slot + 1` per page id, 0 for a free page.
    pub pages: Vec<u64>,
    pub store: StoreImage,
}

/// The file name of worker `worker`'s part of checkpoint `round` in generation `generation`.
pub fn file_name(generation: u64, worker: u16, round: u64) -> String {
    format!("ckpt-{generation:06}-{worker:03}-{round:08}.keel")
}

fn put_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// The file's bytes.
pub fn encode(checkpoint: &WorkerCheckpoint) -> Vec<u8> {
    let mut body = Vec::with_capacity(64 + checkpoint.pages.len() * 8);
    put_u64(&mut body, checkpoint.cut);
    put_u64(&mut body, checkpoint.pages.len() as u64);
    for &slot in &checkpoint.pages {
        put_u64(&mut body, slot);
    }
    let image = &checkpoint.store;
    put_u64(&mut body, image.trees.len() as u64);
    for &(table, vshard, meta, rows) in &image.trees {
        put_u64(&mut body, table);
        body.extend_from_slice(&vshard.to_le_bytes());
        put_u64(&mut body, meta);
        put_u64(&mut body, rows);
    }
    put_u64(&mut body, image.undo.len() as u64);
    for (table, key, before) in &image.undo {
        put_u64(&mut body, *table);
        put_bytes(&mut body, key);
        put_optional(&mut body, before.as_deref());
    }
    put_u64(&mut body, image.garbage.len() as u64);
    for &meta in &image.garbage {
        put_u64(&mut body, meta);
    }
    match &image.catalog {
        None => body.push(0),
        Some((version, bytes)) => {
            body.push(1);
            put_u64(&mut body, *version);
            put_bytes(&mut body, bytes);
        }
    }
    put_u64(&mut body, image.max_txn);
    put_u64(&mut body, image.versions);
    put_u64(&mut body, image.settled.len() as u64);
    for &txn in &image.settled {
        put_u64(&mut body, txn);
    }
    let mut out = Vec::with_capacity(body.len() + 20);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
    put_u64(&mut out, body.len() as u64);
    out.extend_from_slice(&body);
    out
}

/// Parses a file's bytes; `None` when they are not a whole, intact checkpoint file.
pub fn decode(bytes: &[u8]) -> Option<WorkerCheckpoint> {
    let mut header = Cursor(bytes);
    let v1 = match header.take(8)? {
        magic if magic == MAGIC => false,
        magic if magic == MAGIC_V1 => true,
        _ => return None,
    };
    let crc = header.u32()?;
    let len = header.u64()? as usize;
    let body = header.take(len)?;
    if crc32c::crc32c(body) != crc || !header.0.is_empty() {
        return None;
    }
    let mut c = Cursor(body);
    let count = |c: &mut Cursor<'_>| -> Option<usize> {
        let n = c.u64()? as usize;
        // Every entry takes at least one byte: a larger count is corrupt, not a huge allocation.
        (n <= c.0.len()).then_some(n)
    };
    let cut = c.u64()?;
    let n = count(&mut c)?;
    let pages = (0..n).map(|_| c.u64()).collect::<Option<Vec<_>>>()?;
    let mut store = StoreImage::default();
    for _ in 0..count(&mut c)? {
        store.trees.push((c.u64()?, c.u16()?, c.u64()?, c.u64()?));
    }
    for _ in 0..count(&mut c)? {
        let table = c.u64()?;
        let key = c.bytes()?.to_vec();
        let before = c.optional()?.map(<[u8]>::to_vec);
        store.undo.push((table, key, before));
    }
    for _ in 0..count(&mut c)? {
        store.garbage.push(c.u64()?);
    }
    store.catalog = match c.take(1)?[0] {
        0 => None,
        1 => Some((c.u64()?, c.bytes()?.to_vec())),
        _ => return None,
    };
    store.max_txn = c.u64()?;
    if !v1 {
        store.versions = c.u64()?;
    }
    for _ in 0..count(&mut c)? {
        store.settled.push(c.u64()?);
    }
    c.0.is_empty()
        .then_some(WorkerCheckpoint { cut, pages, store })
}

/// Writes a checkpoint file durably (the caller syncs the directory).
pub fn write(path: &Path, checkpoint: &WorkerCheckpoint) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(&encode(checkpoint))?;
    file.sync_all()
}

/// Reads a checkpoint file; the error names the file and what is wrong.
pub fn read(path: &Path) -> Result<WorkerCheckpoint, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    decode(&bytes).ok_or_else(|| {
        format!(
            "{}: not an intact checkpoint file (checksum or length wrong)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_flipped_byte_is_caught() {
        let checkpoint = WorkerCheckpoint {
            cut: 4242,
            pages: vec![0, 3, 1, 2],
            store: StoreImage {
                trees: vec![(7, 3, 1, 10), (8, 255, 2, 0)],
                undo: vec![
                    (7, b"k".to_vec(), None),
                    (7, b"j".to_vec(), Some(b"r".to_vec())),
                ],
                garbage: vec![9],
                catalog: Some((3, b"catalog".to_vec())),
                max_txn: 77 << 8,
                versions: 12,
                settled: vec![5, 6],
            },
        };
        let bytes = encode(&checkpoint);
        assert_eq!(decode(&bytes), Some(checkpoint));
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x10;
            assert_eq!(decode(&flipped), None, "byte {i}");
        }
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
    }
}
