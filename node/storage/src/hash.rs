//! A fast hasher for the maps a worker consults on every row: row locks by key, trees by
//! (table, vshard), write sets by transaction.
//!
//! The standard library's SipHash-1-3 resists hash flooding by keys an attacker chooses, at about
//! 20 ns for a nine-byte key; a COPY of a million rows looks each key up several times. These
//! maps are keyed by the node's own encodings of primary keys and by ids it minted; flooding
//! would need a client to choose keys whose encodings collide under a fixed function, which costs
//! it only the speed of its own inserts (a hashbrown table degrades to longer probes, never to an
//! error). Each 8-byte word is xored into the state, which becomes the "folded multiply" of it
//! and an odd constant: the 128-bit product's two halves xored together (as foldhash and aHash
//! do), so every input bit reaches every output bit. A plain 64-bit multiply (FxHash) only
//! carries bits upwards: keys that differ in the high bytes of a word (where a big-endian integer
//! key's low bytes land) then share the low bits hashbrown picks buckets from, and a million
//! sequential keys fell into 256 buckets.

use std::hash::{BuildHasherDefault, Hasher};

/// The folded-multiply word hash (see the module docs).
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

/// Odd constant with well-spread bits (2^64 / the golden ratio, as Fibonacci hashing uses).
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        let product = ((self.hash ^ word) as u128) * (SEED as u128);
        self.hash = (product as u64) ^ ((product >> 64) as u64);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length keeps "ab" and "ab\0" apart.
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u16(&mut self, n: u16) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builds [`FastHasher`]s: `HashMap<K, V, FastState>`.
pub type FastState = BuildHasherDefault<FastHasher>;

/// A `HashMap` hashed with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, FastState>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::{BuildHasher, Hash};

    fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
        FastState::default().hash_one(value)
    }

    /// How many of `2^bits` buckets the low bits of `hashes` fall into, and how many random
    /// hashes would fill on average.
    fn buckets(hashes: impl Iterator<Item = u64>, bits: u32) -> (usize, f64) {
        let mask = (1u64 << bits) - 1;
        let mut n = 0;
        let filled: HashSet<u64> = hashes.inspect(|_| n += 1).map(|h| h & mask).collect();
        let size = (1u64 << bits) as f64;
        let expected = size * (1.0 - (1.0 - 1.0 / size).powi(n));
        (filled.len(), expected)
    }

    #[test]
    fn sequential_keys_spread_over_buckets() {
        // Keys as the SQL layer encodes integers (a tag, then eight big-endian bytes, whose low
        // bytes land in the high bytes of the first word and in the last byte alone): their
        // bucket bits must fill about as many buckets as random hashes do.
        let keys = (0u64..1 << 18).map(|i| {
            let mut key = vec![1u8];
            key.extend_from_slice(&(i ^ 1 << 63).to_be_bytes());
            hash_of(&key)
        });
        let (filled, expected) = buckets(keys, 19);
        assert!(filled as f64 > 0.97 * expected, "{filled} of {expected}");
        // Integers as map keys, small and shifted high.
        let (filled, expected) = buckets((0u64..1 << 18).map(|i| hash_of(&(7u64, i))), 19);
        assert!(filled as f64 > 0.97 * expected, "{filled} of {expected}");
        let (filled, expected) = buckets((0u64..1 << 18).map(|i| hash_of(&(i << 40))), 19);
        assert!(filled as f64 > 0.97 * expected, "{filled} of {expected}");
        // And the top seven bits (hashbrown's tags) take all their values.
        let tags: HashSet<u64> = (0u64..4096).map(|i| hash_of(&(7u64, i)) >> 57).collect();
        assert_eq!(tags.len(), 128);
    }

    #[test]
    fn trailing_zero_bytes_change_the_hash() {
        assert_ne!(hash_of(&[1u8, 2][..]), hash_of(&[1u8, 2, 0][..]));
        let mut a = FastHasher::default();
        a.write(b"ab");
        let mut b = FastHasher::default();
        b.write(b"ab\0");
        assert_ne!(a.finish(), b.finish());
    }
}
