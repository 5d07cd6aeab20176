//! The ordered key/value interface under one (table, vshard).
//!
//! A tree maps order-preserving key bytes to row bytes. It holds the *newest* version of every row,
//! committed or not; row locks and before-images live beside it in [`crate::store`]. The in-memory
//! implementation is a `BTreeMap`, rebuilt from the write-ahead log at start. The storage-engine issue
//! puts a B+tree on buffer-managed pages behind this same trait.

use std::collections::BTreeMap;
use std::ops::Bound;

/// Ordered bytes-to-bytes map for one (table, vshard).
pub trait Tree: Default {
    /// The row stored under `key`.
    fn get(&self, key: &[u8]) -> Option<&[u8]>;
    /// Stores `row` under `key`, returning the row it replaced.
    fn put(&mut self, key: Vec<u8>, row: Vec<u8>) -> Option<Vec<u8>>;
    /// Removes `key`, returning its row.
    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>>;
    /// Visits rows with keys in `[from, to)` in key order until `visit` returns false.
    fn scan(
        &self,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    );
    /// Number of rows.
    fn len(&self) -> usize;
    /// Whether the tree holds no row.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The in-memory tree.
#[derive(Default, Debug, Clone)]
pub struct MemTree {
    map: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Tree for MemTree {
    fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.map.get(key).map(Vec::as_slice)
    }
    fn put(&mut self, key: Vec<u8>, row: Vec<u8>) -> Option<Vec<u8>> {
        self.map.insert(key, row)
    }
    fn remove(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.map.remove(key)
    }
    fn scan(
        &self,
        from: Bound<&[u8]>,
        to: Bound<&[u8]>,
        visit: &mut dyn FnMut(&[u8], &[u8]) -> bool,
    ) {
        for (key, row) in self.map.range::<[u8], _>((from, to)) {
            if !visit(key, row) {
                break;
            }
        }
    }
    fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_is_ordered_and_bounded() {
        let mut tree = MemTree::default();
        for key in [b"c", b"a", b"b", b"d"] {
            tree.put(key.to_vec(), key.to_vec());
        }
        let mut seen = Vec::new();
        tree.scan(
            Bound::Included(b"b"),
            Bound::Excluded(b"d"),
            &mut |key, _| {
                seen.push(key.to_vec());
                true
            },
        );
        assert_eq!(seen, vec![b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(tree.remove(b"a"), Some(b"a".to_vec()));
        assert_eq!(tree.len(), 3);
    }
}
