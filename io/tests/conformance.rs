//! One conformance suite that every `Device` backend passes, plus the simulator's own guarantees.

use keel_io::arena::Arena;
use keel_io::device::{Completion, Device, DeviceError, IoKind};
use keel_io::memory::MemoryDevice;
use keel_io::sim::{SimConfig, SimDevice};
use keel_io::uring::{UringDevice, UringOptions};
use keel_io::{AlignedBuf, BLOCK_BYTES};

const CAPACITY: u64 = 64 * 1024 * 1024;

fn filled(len: usize, byte: u8) -> AlignedBuf {
    let mut buf = AlignedBuf::zeroed(len);
    buf.as_mut_slice().fill(byte);
    buf
}

fn wait_one(device: &mut dyn Device) -> Completion {
    let mut out = Vec::new();
    device.wait(1, &mut out).unwrap();
    assert!(!out.is_empty());
    out.remove(0)
}

/// Everything a backend must do the same way.
fn conformance(device: &mut dyn Device, arena: Option<&Arena>) {
    // Buffers come from the heap, or from a registered arena (fixed-buffer IO on io_uring).
    let zeroed = |len: usize| match arena {
        Some(arena) => {
            let mut buf = arena.chunk().expect("arena has room");
            buf.set_len(len);
            buf.as_mut_slice().fill(0);
            buf
        }
        None => AlignedBuf::zeroed(len),
    };
    let filled = |len: usize, byte: u8| {
        let mut buf = zeroed(len);
        buf.as_mut_slice().fill(byte);
        buf
    };
    let block = device.block_bytes();
    assert_eq!(block, BLOCK_BYTES);
    // Write, sync, read back.
    device.submit_write(0, filled(2 * block, 0xab)).unwrap();
    device.submit_sync().unwrap();
    device.flush_submissions().unwrap();
    let mut done = Vec::new();
    while done.len() < 2 {
        device.wait(2 - done.len(), &mut done).unwrap();
    }
    assert!(done.iter().all(|c| c.result.is_ok()), "{done:?}");
    assert!(done.iter().any(|c| c.kind == IoKind::Sync));
    device.submit_read(block as u64, zeroed(block)).unwrap();
    device.flush_submissions().unwrap();
    let read = wait_one(device);
    assert_eq!(read.kind, IoKind::Read);
    read.result.unwrap();
    assert!(read.buf.unwrap().as_slice().iter().all(|&b| b == 0xab));

    // A durable write is one request: one completion, and the data reads back.
    let id = device
        .submit_write_durable(8 * block as u64, filled(block, 0xcd))
        .unwrap();
    device.flush_submissions().unwrap();
    let durable = wait_one(device);
    assert_eq!((durable.id, durable.kind), (id, IoKind::WriteDurable));
    durable.result.unwrap();
    device.submit_read(8 * block as u64, zeroed(block)).unwrap();
    device.flush_submissions().unwrap();
    assert!(wait_one(device)
        .buf
        .unwrap()
        .as_slice()
        .iter()
        .all(|&b| b == 0xcd));

    // A batch of 64 writes in one submission, then 64 reads, matched by id.
    let mut ids = Vec::new();
    for i in 0..64u64 {
        ids.push((
            device
                .submit_write((16 + i) * block as u64, filled(block, i as u8))
                .unwrap(),
            i,
        ));
    }
    device.flush_submissions().unwrap();
    let mut out = Vec::new();
    while out.len() < 64 {
        device.wait(64 - out.len(), &mut out).unwrap();
    }
    assert!(out.iter().all(|c| c.result.is_ok()));
    let mut reads = Vec::new();
    for i in 0..64u64 {
        reads.push((
            device
                .submit_read((16 + i) * block as u64, zeroed(block))
                .unwrap(),
            i,
        ));
    }
    device.flush_submissions().unwrap();
    let mut out = Vec::new();
    while out.len() < 64 {
        device.wait(64 - out.len(), &mut out).unwrap();
    }
    for completion in out {
        let (_, i) = reads
            .iter()
            .find(|(id, _)| *id == completion.id)
            .expect("known id");
        assert!(completion
            .buf
            .unwrap()
            .as_slice()
            .iter()
            .all(|&b| b == *i as u8));
    }
    assert_eq!(device.in_flight(), 0);

    // Bad input: typed errors, nothing submitted.
    assert!(matches!(
        device.submit_write(1, filled(block, 1)),
        Err(DeviceError::Misaligned { .. })
    ));
    assert!(matches!(
        device.submit_read(513, zeroed(block)),
        Err(DeviceError::Misaligned { .. })
    ));
    // (A misaligned length cannot be built: AlignedBuf lengths are whole blocks by construction.)
    assert!(matches!(
        device.submit_read(device.capacity(), zeroed(block)),
        Err(DeviceError::OutOfRange { .. })
    ));
    let past_end = device.submit_write(device.capacity(), filled(block, 1));
    match past_end {
        Err(DeviceError::NoSpace) => {}
        Ok(_) => {
            device.flush_submissions().unwrap();
            let completion = wait_one(device);
            assert_eq!(completion.result, Err(DeviceError::NoSpace));
        }
        Err(other) => panic!("unexpected {other}"),
    }
    assert_eq!(device.in_flight(), 0);
}

#[test]
fn memory_backend_conforms() {
    conformance(&mut MemoryDevice::new(CAPACITY), None);
}

#[test]
fn sim_backend_conforms() {
    conformance(&mut SimDevice::new(SimConfig::new(7, CAPACITY)), None);
}

#[test]
fn uring_backend_conforms() {
    let dir = std::env::temp_dir().join(format!("keel-io-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    {
        let mut device =
            UringDevice::open(&dir.join("device"), CAPACITY, UringOptions::default()).unwrap();
        conformance(&mut device, None);
        // Again with every buffer a chunk of an arena registered as fixed buffers.
        let arena = Arena::new(1 << 20, 2 * BLOCK_BYTES).unwrap();
        device.register_arena(&arena).unwrap();
        assert!(device.has_fixed_buffers());
        conformance(&mut device, Some(&arena));
        // Chunks of an arena the ring does not know still work (plain IO), and every chunk came back.
        let other = Arena::new(1 << 20, BLOCK_BYTES).unwrap();
        conformance(&mut device, Some(&other));
        assert_eq!(arena.available(), arena.len() / arena.chunk_bytes());
        // The memory and sim devices accept an arena and ignore it.
        let mut memory = MemoryDevice::new(CAPACITY);
        memory.register_arena(&arena).unwrap();
        conformance(&mut memory, Some(&arena));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// More reads in flight than the completion ring holds, none reaped until all are done: the
/// ones that overflowed wait in the kernel, and `poll` alone (no submission, no wait) must still
/// hand every one of them back. (Reads started ahead of a scan and waited for by nobody once
/// filled the ring so; a point read polling for its page then waited until some other IO came.)
#[test]
fn uring_poll_reaps_completions_past_a_full_completion_ring() {
    let dir = std::env::temp_dir().join(format!("keel-io-overflow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    {
        let options = UringOptions {
            entries: 4,
            ..UringOptions::default()
        };
        let mut device = UringDevice::open(&dir.join("device"), CAPACITY, options).unwrap();
        let reads = 40u64;
        let mut ids = Vec::new();
        for i in 0..reads {
            let offset = i * BLOCK_BYTES as u64;
            let id = loop {
                match device.submit_read(offset, AlignedBuf::zeroed(BLOCK_BYTES)) {
                    Ok(id) => break id,
                    // The submission ring is full: hand it to the kernel, reaping nothing.
                    Err(DeviceError::QueueFull) => device.flush_submissions().unwrap(),
                    Err(error) => panic!("{error:?}"),
                }
            };
            ids.push(id);
            device.flush_submissions().unwrap();
        }
        // Every read is done well before this (40 blocks of a fresh file).
        std::thread::sleep(std::time::Duration::from_millis(200));
        let mut out = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while out.len() < ids.len() && std::time::Instant::now() < deadline {
            device.poll(&mut out);
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let mut reaped: Vec<u64> = out.iter().map(|c| c.id).collect();
        reaped.sort_unstable();
        assert_eq!(
            reaped,
            ids,
            "poll reaped {} of {} completions",
            out.len(),
            ids.len()
        );
        assert_eq!(device.in_flight(), 0);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn trace(seed: u64) -> (Vec<(u64, IoKind)>, keel_io::sim::CrashReport, Vec<u8>) {
    let mut device = SimDevice::new(SimConfig::new(seed, CAPACITY));
    let mut order = Vec::new();
    for i in 0..32u64 {
        device
            .submit_write(i * BLOCK_BYTES as u64, filled(BLOCK_BYTES, i as u8 + 1))
            .unwrap();
        if i % 8 == 7 {
            device.submit_sync().unwrap();
        }
    }
    device.flush_submissions().unwrap();
    let mut out = Vec::new();
    device.wait(20, &mut out).unwrap();
    order.extend(out.iter().map(|c| (c.id, c.kind)));
    let report = device.crash();
    (order, report, device.durable_image().to_vec())
}

#[test]
fn sim_is_deterministic_per_seed() {
    assert_eq!(trace(42), trace(42));
    assert_ne!(
        trace(42).0,
        trace(43).0,
        "different seeds reorder differently"
    );
}

#[test]
fn sim_crash_keeps_synced_data_and_tears_unsynced_at_sector_boundaries() {
    for seed in 0..50 {
        let mut device = SimDevice::new(SimConfig::new(seed, CAPACITY));
        device.submit_write(0, filled(BLOCK_BYTES, 0x11)).unwrap();
        device.submit_sync().unwrap();
        let mut out = Vec::new();
        device.wait(2, &mut out).unwrap();
        while device.in_flight() > 0 {
            device.wait(1, &mut out).unwrap();
        }
        // Overwrite without sync, then crash.
        device.submit_write(0, filled(BLOCK_BYTES, 0x22)).unwrap();
        device
            .submit_write(BLOCK_BYTES as u64, filled(BLOCK_BYTES, 0x33))
            .unwrap();
        device.flush_submissions().unwrap();
        if seed % 2 == 0 {
            device.wait(1, &mut out).unwrap();
        }
        device.crash();
        // Bytes never written read as zeros.
        let mut image = device.durable_image().to_vec();
        image.resize(image.len().max(2 * BLOCK_BYTES), 0);
        for sector in image[..BLOCK_BYTES].chunks(512) {
            assert!(
                sector.iter().all(|&b| b == 0x11) || sector.iter().all(|&b| b == 0x22),
                "seed {seed}: a sector mixes old and new"
            );
        }
        for sector in image[BLOCK_BYTES..2 * BLOCK_BYTES].chunks(512) {
            assert!(
                sector.iter().all(|&b| b == 0) || sector.iter().all(|&b| b == 0x33),
                "seed {seed}"
            );
        }
        // After the crash, reads see exactly the durable image.
        device
            .submit_read(0, AlignedBuf::zeroed(BLOCK_BYTES))
            .unwrap();
        let read = wait_one(&mut device);
        assert_eq!(
            read.buf.unwrap().as_slice(),
            &device.durable_image()[..BLOCK_BYTES]
        );
    }
}

#[test]
fn sim_injects_read_errors_and_a_full_disk() {
    let mut config = SimConfig::new(1, CAPACITY);
    config.bad_sectors.insert(8); // inside the second 4 KiB block
    config.space_limit = 4 * BLOCK_BYTES as u64;
    let mut device = SimDevice::new(config);
    device
        .submit_read(BLOCK_BYTES as u64, AlignedBuf::zeroed(BLOCK_BYTES))
        .unwrap();
    let failed = wait_one(&mut device);
    assert!(matches!(failed.result, Err(DeviceError::Io { errno, .. }) if errno == libc::EIO));
    device
        .submit_read(0, AlignedBuf::zeroed(BLOCK_BYTES))
        .unwrap();
    wait_one(&mut device).result.unwrap();
    device
        .submit_write(4 * BLOCK_BYTES as u64, filled(BLOCK_BYTES, 1))
        .unwrap();
    assert_eq!(wait_one(&mut device).result, Err(DeviceError::NoSpace));
}

#[test]
fn sim_durable_writes_survive_a_crash_with_the_writes_before_them() {
    for seed in 0..20 {
        let mut device = SimDevice::new(SimConfig::new(seed, CAPACITY));
        device.submit_write(0, filled(BLOCK_BYTES, 1)).unwrap();
        device.flush_submissions().unwrap();
        let mut out = Vec::new();
        device.wait(1, &mut out).unwrap();
        device
            .submit_write_durable(BLOCK_BYTES as u64, filled(BLOCK_BYTES, 2))
            .unwrap();
        device.flush_submissions().unwrap();
        device.wait(1, &mut out).unwrap();
        device.crash();
        let image = device.durable_image();
        assert!(
            image[..BLOCK_BYTES].iter().all(|&b| b == 1),
            "seed {seed}: the completed write before it"
        );
        assert!(
            image[BLOCK_BYTES..2 * BLOCK_BYTES].iter().all(|&b| b == 2),
            "seed {seed}"
        );
    }
}
