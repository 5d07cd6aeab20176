//! `keel-iobench`: drives keel-io's `uring` backend the way fio drives a file, for bench/io_vs_fio.py.
//!
//! ```text
//! keel-iobench --file F --size BYTES --mode randread --bs 4096 --qd 32 --seconds 10
//! keel-iobench --file F --size BYTES --mode seqwrite --bs 131072 --qd 32 --seconds 10
//! ```
//!
//! Buffers are chunks of an arena registered with the ring as fixed buffers (as the node does);
//! `--fixed 0` uses plain heap buffers instead, for comparison.
//!
//! Keeps `qd` requests in flight: every completion is replaced by a new request that is submitted
//! at once, as fio does by default (`iodepth_batch_submit=1`). Holding replacements back to submit
//! them in one batch drained the queue in bursts on this machine's virtio disk (0.80x fio at QD 32,
//! against 0.99x submitting each at once). Prints one JSON line (operations, IOPS, MB/s,
//! CPU seconds of this process).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use keel_io::arena::Arena;
use keel_io::device::{Device, IoKind};
use keel_io::uring::{UringDevice, UringOptions};
use keel_io::AlignedBuf;

struct Options {
    file: PathBuf,
    size: u64,
    random: bool,
    bs: usize,
    qd: usize,
    seconds: u64,
    fixed: bool,
}

fn parse() -> Result<Options, String> {
    let mut options = Options {
        file: PathBuf::new(),
        size: 1 << 30,
        random: true,
        bs: 4096,
        qd: 32,
        seconds: 10,
        fixed: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|e| format!("{arg}: {e}"));
        match arg.as_str() {
            "--file" => options.file = PathBuf::from(&value),
            "--size" => options.size = number()?,
            "--mode" => {
                options.random = match value.as_str() {
                    "randread" => true,
                    "seqwrite" => false,
                    other => return Err(format!("--mode {other}: randread or seqwrite")),
                }
            }
            "--bs" => options.bs = number()? as usize,
            "--qd" => options.qd = number()? as usize,
            "--seconds" => options.seconds = number()?,
            "--fixed" => options.fixed = number()? != 0,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.file.as_os_str().is_empty() {
        return Err("--file is required".into());
    }
    Ok(options)
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct we pass; zeroed is a valid initial value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

fn run(options: &Options) -> Result<(), String> {
    let mut device = UringDevice::open(
        &options.file,
        options.size,
        UringOptions {
            entries: (options.qd * 2).next_power_of_two() as u32,
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    if !device.is_direct() {
        return Err("the file system refuses O_DIRECT; the comparison with fio --direct=1 would be meaningless".into());
    }
    if !options.bs.is_power_of_two() || options.bs < keel_io::BLOCK_BYTES {
        return Err("--bs must be a power of two of at least 4096".into());
    }
    let arena = if options.fixed {
        let arena = Arena::new(options.qd * options.bs, options.bs).map_err(|e| e.to_string())?;
        device.register_arena(&arena).map_err(|e| e.to_string())?;
        Some(arena)
    } else {
        None
    };
    let blocks = options.size / options.bs as u64;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next_sequential = 0u64;
    let mut next_offset = |random: bool| -> u64 {
        if random {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % blocks) * options.bs as u64
        } else {
            let offset = (next_sequential % blocks) * options.bs as u64;
            next_sequential += 1;
            offset
        }
    };
    let submit = |device: &mut UringDevice, offset: u64, buf: AlignedBuf| -> Result<(), String> {
        if options.random {
            device
                .submit_read(offset, buf)
                .map(drop)
                .map_err(|e| e.to_string())
        } else {
            device
                .submit_write(offset, buf)
                .map(drop)
                .map_err(|e| e.to_string())
        }
    };
    let cpu_start = cpu_seconds();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    for _ in 0..options.qd {
        let mut buf = match &arena {
            Some(arena) => arena.chunk().expect("one chunk per request in flight"),
            None => AlignedBuf::zeroed(options.bs),
        };
        buf.as_mut_slice().fill(0x5a);
        submit(&mut device, next_offset(options.random), buf)?;
    }
    device.flush_submissions().map_err(|e| e.to_string())?;
    let mut completions = Vec::with_capacity(options.qd);
    let mut done = 0u64;
    loop {
        completions.clear();
        device
            .wait(1, &mut completions)
            .map_err(|e| e.to_string())?;
        let stop = Instant::now() >= deadline;
        for completion in completions.drain(..) {
            completion.result.map_err(|e| e.to_string())?;
            done += 1;
            if !stop {
                let buf = completion
                    .buf
                    .expect("reads and writes return their buffer");
                debug_assert!(completion.kind != IoKind::Sync);
                submit(&mut device, next_offset(options.random), buf)?;
                device.flush_submissions().map_err(|e| e.to_string())?;
            }
        }
        if stop {
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut rest = Vec::new();
    device
        .wait(usize::MAX, &mut rest)
        .map_err(|e| e.to_string())?;
    done += rest.len() as u64;
    let cpu = cpu_seconds() - cpu_start;
    println!(
        "{{\"ops\": {done}, \"seconds\": {elapsed:.3}, \"iops\": {:.1}, \"mb_per_s\": {:.1}, \"cpu_seconds\": {cpu:.3}}}",
        done as f64 / elapsed,
        done as f64 * options.bs as f64 / elapsed / 1e6
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse().and_then(|options| run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("keel-iobench: {message}");
            ExitCode::FAILURE
        }
    }
}
