//! The WAL's recovery against the simulated device's crash semantics: synced data survives, unsynced
//! writes are lost, kept or torn at sector boundaries, and recovery always ends with exactly a prefix
//! of the committed transactions that includes every synced one.

use keel_io::device::Device;
use keel_io::sim::{SimConfig, SimDevice};
use keel_io::{round_down, round_up, AlignedBuf, BLOCK_BYTES};
use keel_storage::wal::{encode, recover, LogFile, Record};

/// Writes the log from `durable_end` (rounded down to a block, the tail rewritten with identical
/// bytes) to its end, the way the WAL flusher does; optionally syncs.
fn flush(device: &mut SimDevice, log: &[u8], written_end: usize, sync: bool) {
    let start = round_down(written_end, BLOCK_BYTES);
    let mut buf = AlignedBuf::zeroed(round_up(log.len() - start, BLOCK_BYTES));
    buf.as_mut_slice()[..log.len() - start].copy_from_slice(&log[start..]);
    device.submit_write(start as u64, buf).unwrap();
    if sync {
        device.submit_sync().unwrap();
    }
    device.flush_submissions().unwrap();
}

#[test]
fn recovery_keeps_every_synced_commit_and_never_a_torn_one() {
    for seed in 0..200u64 {
        let mut device = SimDevice::new(SimConfig::new(seed, 1 << 24));
        let mut log = Vec::new();
        let mut written = 0;
        let mut synced_txns = 0u64;
        let mut txn = 0u64;
        // Rounds of commits: most flushed and synced (acknowledged), the last ones only written.
        for round in 0..12 {
            for _ in 0..(1 + seed % 5) {
                txn += 1;
                let row = vec![(txn % 251) as u8; 100 + (txn as usize * 37) % 700];
                encode(
                    &Record::Put {
                        txn,
                        table: 1,
                        key: &txn.to_be_bytes(),
                        before: None,
                        after: &row,
                    },
                    1,
                    &mut log,
                );
                encode(
                    &Record::Commit {
                        txn,
                        participants: &[0],
                    },
                    1,
                    &mut log,
                );
            }
            let acknowledged = round < 9;
            flush(&mut device, &log, written, acknowledged);
            written = log.len();
            if acknowledged {
                let mut out = Vec::new();
                while device.in_flight() > 0 {
                    device.wait(1, &mut out).unwrap();
                }
                assert!(out.iter().all(|c| c.result.is_ok()));
                synced_txns = txn;
            }
        }
        device.crash();
        let image = device.durable_image().to_vec();
        let recovered = recover(&[LogFile::from_bytes(0, image)]);
        let rows = recovered.tables.get(&1).cloned().unwrap_or_default();
        let present: Vec<u64> = rows
            .keys()
            .map(|k| u64::from_be_bytes(k[..8].try_into().unwrap()))
            .collect();
        // A prefix 1..=n with n >= every acknowledged transaction, each row intact.
        assert!(
            present.len() as u64 >= synced_txns,
            "seed {seed}: lost acknowledged commits"
        );
        for (i, id) in present.iter().enumerate() {
            assert_eq!(*id, i as u64 + 1, "seed {seed}: recovery is not a prefix");
            let row = &rows[&id.to_be_bytes().to_vec()];
            assert_eq!(row.len(), 100 + (*id as usize * 37) % 700);
            assert!(
                row.iter().all(|&b| b == (*id % 251) as u8),
                "seed {seed}: torn row {id}"
            );
        }
    }
}
