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

/// Two workers' logs under the one-write rule for multi-worker transactions: the participant's
/// parts are appended without a write of their own (they reach its device with its next commit or
/// not at all), the anchor's parts frame is synced. Every transaction writes the participant's
/// hot row, so recovery must apply what it keeps in commit order: the hot row holds the newest
/// transaction recovered, every acknowledged one is there, and a multi-worker one is there whole
/// or not at all.
#[test]
fn one_write_commits_recover_whole_and_in_order() {
    use keel_storage::wal::encode_parts;
    for seed in 0..200u64 {
        let mut anchor = SimDevice::new(SimConfig::new(seed, 1 << 24));
        let mut participant = SimDevice::new(SimConfig::new(seed ^ 0x5eed, 1 << 24));
        let (mut log0, mut log1) = (Vec::new(), Vec::new());
        let (mut written0, mut written1) = (0, 0);
        let mut acknowledged = Vec::new();
        let mut multi = Vec::new();
        let mut rng = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            rng >> 33
        };
        let sync = |device: &mut SimDevice| {
            let mut out = Vec::new();
            while device.in_flight() > 0 {
                device.wait(1, &mut out).unwrap();
            }
            assert!(out.iter().all(|c| c.result.is_ok()));
        };
        for txn in 1..=60u64 {
            let value = txn.to_be_bytes();
            let put = |key: &'static [u8]| Record::Put {
                txn,
                table: 1,
                key,
                before: None,
                after: &value,
            };
            let last_rounds = txn > 50;
            if next() % 2 == 0 {
                // Multi-worker: the participant's part (its row and the hot row), lazily.
                let offset = log1.len() as u64;
                let mut part = Vec::new();
                encode(&put(b"w"), 1, &mut part);
                encode(&put(b"hot"), 1, &mut part);
                log1.extend_from_slice(&part);
                encode(&Record::Prepared { txn, anchor: 0 }, 1, &mut log1);
                let parts = encode_parts(&[(1, offset, part)]);
                encode(&put(b"a"), 1, &mut log0);
                encode(&Record::Parts { txn, parts: &parts }, 1, &mut log0);
                flush(&mut anchor, &log0, written0, !last_rounds);
                written0 = log0.len();
                multi.push(txn);
                if !last_rounds {
                    sync(&mut anchor);
                    acknowledged.push(txn);
                }
            } else {
                // The participant alone: its write carries the parts before it.
                encode(&put(b"hot"), 1, &mut log1);
                encode(
                    &Record::Commit {
                        txn,
                        participants: &[1],
                    },
                    1,
                    &mut log1,
                );
                flush(&mut participant, &log1, written1, !last_rounds);
                written1 = log1.len();
                if !last_rounds {
                    sync(&mut participant);
                    acknowledged.push(txn);
                }
            }
        }
        anchor.crash();
        participant.crash();
        let logs = [
            LogFile::from_bytes(0, anchor.durable_image().to_vec()),
            LogFile::from_bytes(1, participant.durable_image().to_vec()),
        ];
        let recovered = recover(&logs);
        let rows = recovered.tables.get(&1).cloned().unwrap_or_default();
        let txn_of = |key: &[u8]| {
            rows.get(key)
                .map(|v| u64::from_be_bytes(v[..8].try_into().unwrap()))
        };
        // What recovery kept: every acknowledged transaction must be among them; the rows below
        // must agree with them.
        let committed = keel_storage::wal::decide(&logs, &Default::default()).committed;
        let present: Vec<u64> = (1..=60).filter(|txn| committed.contains(txn)).collect();
        for txn in &acknowledged {
            assert!(
                present.contains(txn),
                "seed {seed}: lost acknowledged txn {txn}"
            );
        }
        let newest = present.iter().max().copied();
        assert_eq!(
            txn_of(b"hot"),
            newest,
            "seed {seed}: the hot row is not the newest commit's"
        );
        // The newest multi-worker transaction kept has both its rows.
        let newest_multi = present.iter().filter(|t| multi.contains(t)).max().copied();
        assert_eq!(txn_of(b"a"), newest_multi, "seed {seed}: anchor's row");
        assert_eq!(txn_of(b"w"), newest_multi, "seed {seed}: participant's row");
    }
}
