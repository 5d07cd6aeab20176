//! The node's wait-for graph: which transaction waits for which, for deadlock detection.
//!
//! A waiter adds an edge to the transaction holding what it wants, and removes it when it stops
//! waiting. As in PostgreSQL, nobody looks for cycles while waits are short: a waiter that has
//! waited `deadlock_timeout` searches the graph once from itself, and fails (40P01) if it finds a
//! path back to itself. The first waiter of a cycle to time out is the one that fails, so the others
//! go on. Edges span workers (a transaction waits on the worker that owns the row), so the graph is
//! node-wide, behind one mutex taken only by waiters. A session whose client cancels a statement
//! marks its transaction here, which ends its waits on every worker.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::TxnId;

/// waiter -> holder -> number of waits (a statement may wait on several workers at once).
#[derive(Debug, Default)]
pub struct WaitGraph {
    edges: Mutex<HashMap<TxnId, HashMap<TxnId, usize>>>,
    /// Transactions whose running statement a client canceled, and the signal waiters watch.
    canceled: Mutex<HashSet<TxnId>>,
    cancel: tokio::sync::Notify,
}

/// An edge of the graph, removed when dropped.
pub struct Waiting<'a> {
    graph: &'a WaitGraph,
    pub waiter: TxnId,
    pub holder: TxnId,
}

impl WaitGraph {
    fn edges(&self) -> std::sync::MutexGuard<'_, HashMap<TxnId, HashMap<TxnId, usize>>> {
        self.edges
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records that `waiter` waits for `holder` until the result is dropped.
    pub fn wait(&self, waiter: TxnId, holder: TxnId) -> Waiting<'_> {
        *self
            .edges()
            .entry(waiter)
            .or_default()
            .entry(holder)
            .or_default() += 1;
        Waiting {
            graph: self,
            waiter,
            holder,
        }
    }

    /// Every wait now: (waiter, holder) pairs (`pg_locks`, `pg_blocking_pids`).
    pub fn waiting(&self) -> Vec<(TxnId, TxnId)> {
        let edges = self.edges();
        let mut pairs: Vec<(TxnId, TxnId)> = edges
            .iter()
            .flat_map(|(waiter, holders)| holders.keys().map(move |holder| (*waiter, *holder)))
            .collect();
        pairs.sort_unstable();
        pairs
    }

    /// Marks (or, with `false`, unmarks) `txn`'s running statement as canceled and wakes waiters.
    pub fn set_canceled(&self, txn: TxnId, canceled: bool) {
        let mut set = self.canceled.lock().unwrap_or_else(|p| p.into_inner());
        if canceled {
            set.insert(txn);
            drop(set);
            self.cancel.notify_waiters();
        } else {
            set.remove(&txn);
        }
    }

    /// Whether `txn`'s running statement was canceled.
    pub fn is_canceled(&self, txn: TxnId) -> bool {
        let set = self.canceled.lock().unwrap_or_else(|p| p.into_inner());
        !set.is_empty() && set.contains(&txn)
    }

    /// Signalled whenever a statement is canceled (arm it before checking [`is_canceled`]).
    ///
    /// [`is_canceled`]: Self::is_canceled
    pub fn cancel_signal(&self) -> &tokio::sync::Notify {
        &self.cancel
    }

    /// A cycle through `txn`, as the transactions on it starting with `txn`, if there is one.
    pub fn cycle_through(&self, txn: TxnId) -> Option<Vec<TxnId>> {
        let edges = self.edges();
        let mut path = vec![txn];
        let mut seen = HashSet::new();
        fn search(
            edges: &HashMap<TxnId, HashMap<TxnId, usize>>,
            start: TxnId,
            path: &mut Vec<TxnId>,
            seen: &mut HashSet<TxnId>,
        ) -> bool {
            let at = *path.last().expect("the path starts with the waiter");
            for next in edges.get(&at).into_iter().flat_map(HashMap::keys) {
                if *next == start {
                    return true;
                }
                if seen.insert(*next) {
                    path.push(*next);
                    if search(edges, start, path, seen) {
                        return true;
                    }
                    path.pop();
                }
            }
            false
        }
        search(&edges, txn, &mut path, &mut seen).then_some(path)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut edges = self.graph.edges();
        if let Some(holders) = edges.get_mut(&self.waiter) {
            if let Some(count) = holders.get_mut(&self.holder) {
                *count -= 1;
                if *count == 0 {
                    holders.remove(&self.holder);
                }
            }
            if holders.is_empty() {
                edges.remove(&self.waiter);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_forgets_finished_waits() {
        let graph = WaitGraph::default();
        let a = graph.wait(1, 2);
        let _b = graph.wait(2, 3);
        assert_eq!(graph.cycle_through(1), None);
        let c = graph.wait(3, 1);
        assert_eq!(graph.cycle_through(1), Some(vec![1, 2, 3]));
        assert_eq!(graph.cycle_through(2), Some(vec![2, 3, 1]));
        drop(c);
        assert_eq!(graph.cycle_through(1), None);
        drop(a);
        let _d = graph.wait(3, 2);
        assert_eq!(graph.cycle_through(2), Some(vec![2, 3]));
        assert_eq!(graph.cycle_through(1), None);
    }
}
