//! keel-storage: where rows live on one worker, and how they survive a crash.
//!
//! - [`bm`]: the vmcache-style buffer manager: one virtual range per file, a page-state array that is
//!   also the latch, misses read straight into the page's address, clock eviction in batches,
//!   checksummed pages.
//! - [`checkpoint`]: copy-on-write checkpoints of a worker's data file (the round, the file format).
//! - [`btree`]: B+trees on those pages with optimistic lock coupling, fence keys, overflow values,
//!   splits and merges.
//! - [`hash`]: the fast hasher of the maps a worker consults per row (row locks, trees).
//! - [`engine`]: a worker's page space (one data file) and the ordered key/value tree a vshard's
//!   table data sits in.
//! - [`mvcc`]: timestamps, snapshots, version headers and the horizon of undo-log MVCC.
//! - [`ssi`]: serializable snapshot isolation: the rw-conflict graph and PostgreSQL's
//!   dangerous-structure checks.
//! - [`store`]: a worker's share of the data: one engine tree per (table, vshard) holding the newest
//!   versions, an undo tree of older ones, row locks, per-transaction write sets, purge.
//! - [`waits`]: the node's wait-for graph, searched for deadlocks after `deadlock_timeout`.
//! - [`wal`]: the per-worker write-ahead log: row-level records with checksums, group commit through
//!   io_uring, and recovery.
//!
//! Keys and rows are bytes here; the SQL layer owns their encodings. Nothing in this crate is shared
//! between threads: each worker owns its [`store::Store`] and its [`wal::Wal`].

pub mod bm;
pub mod btree;
pub mod checkpoint;
pub mod engine;
pub mod hash;
pub mod mvcc;
pub mod ssi;
pub mod store;
pub mod waits;
pub mod wal;

/// A table's identity, never reused (a dropped and re-created table gets a new id).
pub type TableId = u64;
/// A transaction's identity: `counter << 8 | worker`, unique across restarts (see [`wal::Recovered`]).
pub type TxnId = u64;
/// A virtual shard: the unit of ownership (one worker at a time) and, later, of movement.
pub type VShard = u16;
/// A worker (core) number.
pub type WorkerId = u16;

/// Number of vshards a table's keys hash into. Fixed for the life of a data directory.
pub const VSHARD_COUNT: u16 = 256;

/// A table's placement rule: how many leading bytes of a key choose its vshard; 0 (and any key
/// shorter than that): the whole key. A rule that hashes exactly the encoding of the key's first
/// column puts every row with one value there on one vshard (ScyllaDB's partition key), so a
/// lookup by that column alone goes to one tree on one worker, and tables keyed by the same
/// values (orders and their lines) are placed alike. The SQL layer picks a table's rule when it
/// creates the table and never changes it (`TableDef::placement`).
pub type Placement = u8;

/// The placement by the whole key (sequences' rows, hidden row ids, and tables and indexes made
/// before placements existed).
pub const WHOLE_KEY: Placement = 0;

/// The placement by the key's first field of the SQL layer's order-preserving encoding when
/// that field has no fixed width (text, numeric, bytea): a leading 0x00 byte (a NULL) alone, else
/// the bytes through the first 0x00 0x01 pair (the terminator; a 0x00 inside the value is written
/// 0x00 0xff). Secondary index entries are placed by their first column this way, or by its
/// width when it has one, so that the entries of one value (`status = 'queued'`, `cust = 42`)
/// lie in one vshard's tree.
pub const FIRST_FIELD: Placement = u8::MAX;

/// The leading bytes of `key` that `placement` hashes, when `key` holds all of them: every key
/// that starts with them is placed where they are. None: the whole key is hashed (placement by
/// the whole key, or a key shorter than its placement's prefix).
pub fn placement_prefix(key: &[u8], placement: Placement) -> Option<&[u8]> {
    match placement {
        WHOLE_KEY => None,
        FIRST_FIELD => match key.first() {
            Some(0) => Some(&key[..1]),
            _ => key
                .windows(2)
                .position(|pair| pair == [0x00, 0x01])
                .map(|at| &key[..at + 2]),
        },
        n => key.get(..n as usize),
    }
}

/// The vshard a key of a table placed by `placement` belongs to: a hash of its placement prefix
/// ([`placement_prefix`]), or of the whole key, so that placement does not depend on the key's
/// type and adjacent keys spread over workers.
pub fn vshard_of(key: &[u8], placement: Placement) -> VShard {
    let hashed = placement_prefix(key, placement).unwrap_or(key);
    (key_crc32c(hashed) % VSHARD_COUNT as u32) as VShard
}

/// CRC-32C of a key, the same value as `crc32c::crc32c`. Keys are short (an integer key is nine
/// bytes): the crate's routine, made for long buffers (aligned start, three interleaved streams),
/// cost about 0.1 us a key, a tenth of a bulk load's time when every row's owner and tree are
/// found this way; eight bytes per instruction and a byte tail is a few cycles.
#[inline]
fn key_crc32c(key: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if key.len() <= 64 && std::arch::is_x86_feature_detected!("sse4.2") {
        // SAFETY: the CPU has SSE 4.2, checked above.
        return unsafe { short_crc32c(key) };
    }
    crc32c::crc32c(key)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
unsafe fn short_crc32c(bytes: &[u8]) -> u32 {
    use std::arch::x86_64::{_mm_crc32_u64, _mm_crc32_u8};
    let mut crc = u64::from(u32::MAX);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        crc = _mm_crc32_u64(crc, u64::from_le_bytes(word.try_into().expect("8 bytes")));
    }
    let mut crc = crc as u32;
    for &byte in words.remainder() {
        crc = _mm_crc32_u8(crc, byte);
    }
    !crc
}

/// The vshard every key between `a` and `b` (of a table placed by `placement`) belongs to, when
/// one does: they are equal, or share the placement prefix (keys between two that share it
/// share it too: they start with its bytes, and for [`FIRST_FIELD`] its terminator is the first
/// one in them).
pub fn range_vshard(a: &[u8], b: &[u8], placement: Placement) -> Option<VShard> {
    if a == b {
        return Some(vshard_of(a, placement));
    }
    match (
        placement_prefix(a, placement),
        placement_prefix(b, placement),
    ) {
        (Some(x), Some(y)) if x == y => Some(vshard_of(a, placement)),
        _ => None,
    }
}

/// The worker that owns `vshard` when the node runs `workers` workers.
pub fn owner_of(vshard: VShard, workers: usize) -> WorkerId {
    (vshard as usize % workers) as WorkerId
}

/// The worker a transaction id was minted on.
pub fn txn_worker(txn: TxnId) -> WorkerId {
    (txn & 0xff) as WorkerId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_crc32c_is_the_crates() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..=80 {
            for _ in 0..50 {
                let key: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as u8
                    })
                    .collect();
                assert_eq!(key_crc32c(&key), crc32c::crc32c(&key), "{key:?}");
            }
        }
    }

    #[test]
    fn first_field_placement_keeps_one_value_on_one_vshard() {
        // Entries of a text-led index: 0x01, the text (0x00 written 0x00 0xff), 0x00 0x01,
        // then the rest (another column, the row key).
        let entry = |text: &[u8], rest: &[u8]| {
            let mut key = vec![0x01];
            for &b in text {
                match b {
                    0 => key.extend_from_slice(&[0x00, 0xff]),
                    b => key.push(b),
                }
            }
            key.extend_from_slice(&[0x00, 0x01]);
            key.extend_from_slice(rest);
            key
        };
        let queued = vshard_of(&entry(b"queued", &[]), FIRST_FIELD);
        let mut spread = std::collections::HashSet::new();
        for id in 0u32..500 {
            let key = entry(b"queued", &[&[0x01][..], &id.to_be_bytes()].concat());
            assert_eq!(vshard_of(&key, FIRST_FIELD), queued);
            spread.insert(vshard_of(&key, WHOLE_KEY));
        }
        assert!(spread.len() > 100, "the whole key spreads them");
        // A 0x00 inside the value is not its end; a NULL is one byte.
        let (zero, value) = (entry(b"a\0b", &[0x01, 7]), entry(b"a\0b", &[]));
        assert_eq!(placement_prefix(&zero, FIRST_FIELD), Some(&value[..]));
        assert_eq!(
            placement_prefix(&[0x00, 0x01, 5], FIRST_FIELD),
            Some(&[0x00][..])
        );
        // A range inside one value's entries has its vshard; one across two values has none.
        let (from, to) = (entry(b"queued", &[]), entry(b"queued", &[0xff]));
        assert_eq!(range_vshard(&from, &to, FIRST_FIELD), Some(queued));
        assert_eq!(range_vshard(&entry(b"done", &[]), &to, FIRST_FIELD), None);
        // An unterminated key (a prefix of a value) is hashed whole and fixes no vshard.
        assert_eq!(placement_prefix(&[0x01, b'q'], FIRST_FIELD), None);
        assert_eq!(
            range_vshard(&[0x01, b'q'], &[0x01, b'r'], FIRST_FIELD),
            None
        );
        // Fixed widths as before.
        assert_eq!(placement_prefix(&[1, 2, 3], 2), Some(&[1, 2][..]));
        assert_eq!(placement_prefix(&[1], 2), None);
    }
}
