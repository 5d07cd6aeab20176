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
//! sequential keys fell into 256 buckets. Each map starts from a random seed, so that its keys'
//! hashes cannot be known in advance (as foldhash and aHash do). The SQL layer's key tables
//! (`keel_sql::query::KeyIds`) hash with the same [`fold`].

use std::hash::{BuildHasher, Hasher};

/// Odd constant with well-spread bits (2^64 / the golden ratio, as Fibonacci hashing uses).
pub const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// The folded multiply: the 128-bit product of `a` and `b`, its two halves xored.
#[inline]
pub fn fold(a: u64, b: u64) -> u64 {
    let product = (a as u128) * (b as u128);
    (product as u64) ^ ((product >> 64) as u64)
}

/// The folded-multiply word hash (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = fold(self.hash ^ word, MULTIPLIER);
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

/// Builds [`FastHasher`]s from a seed drawn when the map is made: `HashMap<K, V, FastState>`.
#[derive(Debug, Clone, Copy)]
pub struct FastState {
    seed: u64,
}

/// A seed for one map's hashes: std's `RandomState` draws random keys once per thread and steps
/// them per call, and hashes a constant with them.
pub fn random_seed() -> u64 {
    std::hash::RandomState::new().hash_one(0x6b65_656c_u64)
}

impl Default for FastState {
    fn default() -> FastState {
        FastState {
            seed: random_seed(),
        }
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    #[inline]
    fn build_hasher(&self) -> FastHasher {
        FastHasher { hash: self.seed }
    }
}

/// A `HashMap` hashed with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, FastState>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::Hash;

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
        // One map's hashes (one seed) of keys as the SQL layer encodes integers (a tag, then
        // eight big-endian bytes, whose low bytes land in the high bytes of the first word and
        // in the last byte alone): their bucket bits must fill about as many buckets as random
        // hashes do.
        let state = FastState::default();
        let hash_of = |value: &dyn Fn(&mut FastHasher)| {
            let mut hasher = state.build_hasher();
            value(&mut hasher);
            hasher.finish()
        };
        let keys = (0u64..1 << 18).map(|i| {
            let mut key = vec![1u8];
            key.extend_from_slice(&(i ^ 1 << 63).to_be_bytes());
            hash_of(&|h| key.hash(h))
        });
        let (filled, expected) = buckets(keys, 19);
        assert!(filled as f64 > 0.97 * expected, "{filled} of {expected}");
        // Integers as map keys, small and shifted high.
        let pairs = (0u64..1 << 18).map(|i| hash_of(&|h| (7u64, i).hash(h)));
        let (filled, expected) = buckets(pairs, 19);
        assert!(filled as f64 > 0.97 * expected, "{filled} of {expected}");
        let high = (0u64..1 << 18).map(|i| hash_of(&|h| (i << 40).hash(h)));
        let (filled, expected) = buckets(high, 19);
        assert!(filled as f64 > 0.97 * expected, "{filled} of {expected}");
        // And the top seven bits (hashbrown's tags) take all their values.
        let tags: HashSet<u64> = (0u64..4096)
            .map(|i| hash_of(&|h| (7u64, i).hash(h)) >> 57)
            .collect();
        assert_eq!(tags.len(), 128);
    }

    #[test]
    fn one_map_hashes_a_key_alike_and_trailing_zero_bytes_apart() {
        let state = FastState::default();
        assert_eq!(
            state.hash_one(&b"key"[..]),
            state.hash_one(b"key".to_vec().as_slice())
        );
        assert_ne!(
            state.hash_one(&[1u8, 2][..]),
            state.hash_one(&[1u8, 2, 0][..])
        );
        let mut a = state.build_hasher();
        a.write(b"ab");
        let mut b = state.build_hasher();
        b.write(b"ab\0");
        assert_ne!(a.finish(), b.finish());
    }
}
