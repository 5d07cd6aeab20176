//! Serializable snapshot isolation: the rw-antidependency graph of SERIALIZABLE transactions and the
//! dangerous-structure checks of PostgreSQL's implementation (Ports and Grittner, "Serializable
//! Snapshot Isolation in PostgreSQL", VLDB 2012), so SERIALIZABLE fails the same transactions, at
//! the same statements, as PostgreSQL does.
//!
//! - **Edges.** `R -> W` (R read a version that W's write replaced, so R must serialize before W) is
//!   found from either side: a reader that meets a version newer than its snapshot (conflict out),
//!   or a writer that meets a SIREAD lock of a concurrent reader (conflict in; the locks live on the
//!   worker that owns the rows, see `keel_sql::fragment`).
//! - **Dangerous structure.** `T0 -> T1 -> T2` where T2 commits first: some transaction of it must
//!   fail. [`Ssi::conflict`] checks when an edge appears (PostgreSQL's
//!   `OnConflict_CheckForSerializationFailure`), [`Ssi::pre_commit`] when a transaction is about to
//!   commit (`PreCommit_CheckForSerializationFailure`): there the committer dooms a reader of its
//!   writes that is itself read by a third transaction still running; a doomed transaction fails at
//!   its next read, write or commit.
//! - **Order.** A sequence number orders prepares (the pre-commit check passed) and commits; a
//!   transaction remembers the number current when it took its snapshot. A committed transaction is
//!   kept, with its edges and SIREAD locks, while a running one's snapshot is older than its commit.
//!
//! Only SERIALIZABLE transactions are registered; edges to anyone else are not tracked (PostgreSQL
//! does the same). One mutex guards the graph: only SERIALIZABLE transactions take it.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::TxnId;

/// Why a transaction must fail (PostgreSQL's reason codes, shown in the error detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

#[derive(Debug, Default)]
struct Sxact {
    /// The sequence number when its snapshot was taken (PostgreSQL's lastCommitBeforeSnapshot).
    snapshot_seq: u64,
    read_only: bool,
    prepared: Option<u64>,
    committed: Option<u64>,
    doomed: bool,
    /// Readers R with R -> this.
    ins: HashSet<TxnId>,
    /// Writers W with this -> W.
    outs: HashSet<TxnId>,
    /// Edges to and from committed transactions already forgotten: the earliest prepare of a
    /// forgotten W with this -> W, and the latest commit of a forgotten R with R -> this
    /// (PostgreSQL's summarized conflicts).
    out_to_forgotten: Option<u64>,
    in_from_forgotten: Option<u64>,
}

#[derive(Debug, Default)]
struct Graph {
    seq: u64,
    xacts: HashMap<TxnId, Sxact>,
}

/// The node's SERIALIZABLE transactions and their conflicts.
#[derive(Debug, Default)]
pub struct Ssi {
    graph: Mutex<Graph>,
}

impl Graph {
    fn committed(&self, txn: TxnId) -> Option<u64> {
        self.xacts.get(&txn).and_then(|x| x.committed)
    }
    fn prepared(&self, txn: TxnId) -> Option<u64> {
        self.xacts.get(&txn).and_then(|x| x.prepared)
    }
    fn doomed(&self, txn: TxnId) -> bool {
        self.xacts.get(&txn).is_some_and(|x| x.doomed)
    }
    fn read_only(&self, txn: TxnId) -> bool {
        self.xacts.get(&txn).is_some_and(|x| x.read_only)
    }
    fn snapshot_seq(&self, txn: TxnId) -> u64 {
        self.xacts.get(&txn).map_or(0, |x| x.snapshot_seq)
    }
}

impl Ssi {
    fn graph(&self) -> std::sync::MutexGuard<'_, Graph> {
        self.graph
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a SERIALIZABLE transaction when it takes its snapshot.
    pub fn register(&self, txn: TxnId, read_only: bool) {
        let mut graph = self.graph();
        let snapshot_seq = graph.seq;
        graph.xacts.insert(
            txn,
            Sxact {
                snapshot_seq,
                read_only,
                ..Sxact::default()
            },
        );
    }

    /// Whether `txn` is a registered (running or recently committed) SERIALIZABLE transaction.
    pub fn tracks(&self, txn: TxnId) -> bool {
        self.graph().xacts.contains_key(&txn)
    }

    /// Which of `txns` are still tracked (SIREAD locks of the others can go).
    pub fn live(&self, txns: impl IntoIterator<Item = TxnId>) -> HashSet<TxnId> {
        let graph = self.graph();
        txns.into_iter()
            .filter(|txn| graph.xacts.contains_key(txn))
            .collect()
    }

    /// Fails if `txn` was doomed by another transaction's commit or conflict.
    pub fn check(&self, txn: TxnId) -> Result<(), Failure> {
        if self.graph().doomed(txn) {
            return Err(Failure(
                "Reason code: Canceled on identification as a pivot, during conflict out checking."
                    .into(),
            ));
        }
        Ok(())
    }

    /// Readers holding SIREAD locks on what `writer` writes, kept only if they are concurrent with
    /// it: running, or committed after its snapshot.
    pub fn concurrent_readers(&self, writer: TxnId, readers: &[TxnId]) -> Vec<TxnId> {
        let graph = self.graph();
        let Some(me) = graph.xacts.get(&writer) else {
            return Vec::new();
        };
        readers
            .iter()
            .copied()
            .filter(|r| *r != writer)
            .filter(|r| {
                graph
                    .xacts
                    .get(r)
                    .is_some_and(|x| !x.doomed && x.committed.is_none_or(|c| c > me.snapshot_seq))
            })
            .collect()
    }

    /// Adds `reader -> writer` found by `me` (one of them) and checks for a dangerous structure:
    /// fails `me` when it must go, or dooms the writer.
    pub fn conflict(&self, me: TxnId, reader: TxnId, writer: TxnId) -> Result<(), Failure> {
        if reader == writer {
            return Ok(());
        }
        let mut graph = self.graph();
        if !graph.xacts.contains_key(&reader) || !graph.xacts.contains_key(&writer) {
            return Ok(());
        }
        if graph.doomed(me) {
            return Err(Failure(
                "Reason code: Canceled on identification as a pivot, during conflict checking."
                    .into(),
            ));
        }
        if graph.xacts[&reader].outs.contains(&writer) {
            return Ok(());
        }
        graph
            .xacts
            .get_mut(&reader)
            .expect("checked")
            .outs
            .insert(writer);
        graph
            .xacts
            .get_mut(&writer)
            .expect("checked")
            .ins
            .insert(reader);
        let reader_committed = graph.committed(reader);
        let writer_committed = graph.committed(writer);
        let reader_read_only = graph.read_only(reader);
        // R -> W -> T2 with T2 prepared first.
        let writer_x = &graph.xacts[&writer];
        let t2_prepares = writer_x
            .outs
            .iter()
            .filter_map(|t2| graph.prepared(*t2))
            .chain(writer_x.out_to_forgotten);
        let mut failure = t2_prepares.into_iter().any(|t2_prepared| {
            reader_committed.is_none_or(|c| t2_prepared <= c)
                && writer_committed.is_none_or(|c| t2_prepared <= c)
                && (!reader_read_only || t2_prepared <= graph.snapshot_seq(reader))
        });
        // T0 -> R -> W with W prepared first.
        if !failure && !reader_read_only {
            if let Some(writer_prepared) = graph.prepared(writer) {
                let reader_x = &graph.xacts[&reader];
                failure = reader_x.ins.iter().any(|t0| {
                    !graph.doomed(*t0)
                        && graph.committed(*t0).is_none_or(|c| c >= writer_prepared)
                        && (!graph.read_only(*t0) || graph.snapshot_seq(*t0) >= writer_prepared)
                }) || reader_x
                    .in_from_forgotten
                    .is_some_and(|c| c >= writer_prepared);
            }
        }
        if !failure {
            return Ok(());
        }
        if me == writer {
            return Err(Failure(
                "Reason code: Canceled on identification as a pivot, during write.".into(),
            ));
        }
        if graph.prepared(writer).is_some() {
            return Err(Failure(format!(
                "Reason code: Canceled on conflict out to pivot {writer}, during read."
            )));
        }
        graph.xacts.get_mut(&writer).expect("checked").doomed = true;
        Ok(())
    }

    /// The check before `txn` writes its commit records: fails a doomed transaction; dooms each
    /// running reader of `txn`'s writes that has a running (or this) transaction reading its own.
    pub fn pre_commit(&self, txn: TxnId) -> Result<(), Failure> {
        let mut graph = self.graph();
        let Some(me) = graph.xacts.get(&txn) else {
            return Ok(());
        };
        if me.doomed {
            return Err(Failure(
                "Reason code: Canceled on identification as a pivot, during commit attempt.".into(),
            ));
        }
        let mut doom = Vec::new();
        for near in &me.ins {
            let Some(pivot) = graph.xacts.get(near) else {
                continue;
            };
            if pivot.committed.is_some() || pivot.doomed {
                continue;
            }
            let dangerous = pivot.ins.iter().any(|far| {
                *far == txn
                    || graph
                        .xacts
                        .get(far)
                        .is_some_and(|x| x.committed.is_none() && !x.read_only && !x.doomed)
            });
            if dangerous {
                if pivot.prepared.is_some() {
                    return Err(Failure(
                        "Reason code: Canceled on commit attempt with conflict in from prepared pivot."
                            .into(),
                    ));
                }
                doom.push(*near);
            }
        }
        for pivot in doom {
            graph.xacts.get_mut(&pivot).expect("present").doomed = true;
        }
        graph.seq += 1;
        let seq = graph.seq;
        graph.xacts.get_mut(&txn).expect("present").prepared = Some(seq);
        Ok(())
    }

    /// `txn` committed: kept while a running transaction's snapshot predates the commit.
    pub fn committed(&self, txn: TxnId) {
        let mut graph = self.graph();
        graph.seq += 1;
        let seq = graph.seq;
        if let Some(me) = graph.xacts.get_mut(&txn) {
            me.committed = Some(seq);
            if me.prepared.is_none() {
                me.prepared = Some(seq);
            }
        }
        Self::clean(&mut graph);
    }

    /// `txn` aborted: it and its edges go.
    pub fn aborted(&self, txn: TxnId) {
        let mut graph = self.graph();
        if let Some(me) = graph.xacts.remove(&txn) {
            for other in me.ins.iter().chain(&me.outs) {
                if let Some(x) = graph.xacts.get_mut(other) {
                    x.ins.remove(&txn);
                    x.outs.remove(&txn);
                }
            }
        }
        Self::clean(&mut graph);
    }

    /// Forgets committed transactions no running one overlaps, keeping what the edges to and from
    /// them mean for the others.
    fn clean(graph: &mut Graph) {
        let oldest = graph
            .xacts
            .values()
            .filter(|x| x.committed.is_none())
            .map(|x| x.snapshot_seq)
            .min();
        let gone: Vec<TxnId> = graph
            .xacts
            .iter()
            .filter(|(_, x)| x.committed.is_some_and(|c| oldest.is_none_or(|o| c <= o)))
            .map(|(txn, _)| *txn)
            .collect();
        for txn in gone {
            let Some(me) = graph.xacts.remove(&txn) else {
                continue;
            };
            let prepared = me.prepared.unwrap_or(0);
            let committed = me.committed.unwrap_or(0);
            for reader in &me.ins {
                if let Some(x) = graph.xacts.get_mut(reader) {
                    x.outs.remove(&txn);
                    x.out_to_forgotten =
                        Some(x.out_to_forgotten.map_or(prepared, |p| p.min(prepared)));
                }
            }
            for writer in &me.outs {
                if let Some(x) = graph.xacts.get_mut(writer) {
                    x.ins.remove(&txn);
                    x.in_from_forgotten =
                        Some(x.in_from_forgotten.map_or(committed, |c| c.max(committed)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Write skew (G2-item): both read both rows, each writes one; the first commit dooms the
    /// other, which fails at its commit.
    #[test]
    fn write_skew_fails_the_second_committer() {
        let ssi = Ssi::default();
        ssi.register(1, false);
        ssi.register(2, false);
        // T1 writes what T2 read; T2 writes what T1 read.
        ssi.conflict(1, 2, 1).unwrap();
        ssi.conflict(2, 1, 2).unwrap();
        ssi.pre_commit(1).unwrap();
        ssi.committed(1);
        assert!(ssi.check(2).is_err());
        assert!(ssi.pre_commit(2).is_err());
        ssi.aborted(2);
        assert!(
            !ssi.tracks(1),
            "nothing overlaps the committed transaction any more"
        );
    }

    /// A reader that only read (G-single): no structure, both commit.
    #[test]
    fn one_edge_is_harmless() {
        let ssi = Ssi::default();
        ssi.register(1, false);
        ssi.register(2, false);
        ssi.pre_commit(2).unwrap();
        ssi.committed(2);
        ssi.conflict(1, 1, 2).unwrap();
        ssi.pre_commit(1).unwrap();
        ssi.committed(1);
    }

    /// R -> W -> T2 where T2 committed first and was forgotten before the R -> W edge appeared
    /// (nobody running overlapped it any more): the edge W -> T2 still counts.
    #[test]
    fn a_forgotten_out_conflict_still_counts() {
        let ssi = Ssi::default();
        ssi.register(1, false); // W
        ssi.register(2, false); // T2
        ssi.conflict(2, 1, 2).unwrap(); // W read what T2 wrote
        ssi.pre_commit(2).unwrap();
        ssi.committed(2);
        ssi.register(3, false); // R, after T2 committed
        ssi.pre_commit(1).unwrap();
        ssi.committed(1);
        assert!(!ssi.tracks(2), "nothing running overlaps T2");
        // R reads a version W wrote after R's snapshot: R -> W -> T2, T2 first.
        assert!(ssi.conflict(3, 3, 1).is_err());
    }

    /// T0 -> T1 -> T2 with T2 committed first: the writer of the second edge fails when it writes.
    #[test]
    fn a_pivot_writing_after_its_out_conflict_committed_fails_at_the_write() {
        let ssi = Ssi::default();
        for txn in 1..=3 {
            ssi.register(txn, false);
        }
        // T1 read x, which T2 then wrote and committed.
        ssi.conflict(2, 1, 2).unwrap();
        ssi.pre_commit(2).unwrap();
        ssi.committed(2);
        // T3 read y; T1 writes y: T3 -> T1 -> T2, T2 committed first.
        assert!(ssi.conflict(1, 3, 1).is_err());
        assert_eq!(
            ssi.concurrent_readers(1, &[1, 3]),
            vec![3],
            "a running reader is concurrent with the writer"
        );
    }
}
