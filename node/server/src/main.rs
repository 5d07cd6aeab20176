//! `keel`: the Keel database node.
//!
//! `keel serve` recovers the data directory, starts one pinned worker per core, and serves the
//! Postgres wire protocol until SIGINT or SIGTERM. See `configs/node.toml` for every option.

mod config;
mod hba;
mod runtime;
mod session;
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "keel",
    version,
    about = "Keel: a Postgres-compatible database node, thread-per-core on io_uring"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the node and serve the Postgres protocol.
    Serve(ServeArgs),
    /// Print a stopped node's write-ahead logs from the last checkpoint: every frame, where and
    /// why each log ends, and what recovery would replay or discard (as pg_waldump).
    Waldump(WaldumpArgs),
}

#[derive(clap::Args)]
struct WaldumpArgs {
    /// Data directory of a node that is not running.
    #[arg(long)]
    data_dir: PathBuf,
    /// Only this worker's log (all by default).
    #[arg(long)]
    worker: Option<u16>,
    /// Start at this file offset (a frame boundary) instead of the checkpoint's cut.
    #[arg(long)]
    from: Option<u64>,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Configuration file layered over the built-in defaults (configs/node.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Override one configuration key, e.g. `--set storage.deadlock_timeout_ms=500`. Repeatable.
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    sets: Vec<String>,
    /// Data directory (node.data_dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Address for the Postgres protocol, HOST:PORT (node.listen).
    #[arg(long)]
    listen: Option<String>,
    /// Worker threads, one per core; 0 = all online cores (node.cores).
    #[arg(long)]
    cores: Option<usize>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => match serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("keel: FATAL: {message}");
                ExitCode::FAILURE
            }
        },
        Command::Waldump(args) => match runtime::dump_wal(&args.data_dir, args.worker, args.from) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("keel: {message}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Lifts the open-file limit to its hard maximum: every client connection is a descriptor, and the
/// usual soft limit (1024) would refuse connections long before `wire.max_connections`.
fn raise_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    raise_file_limit();
    let mut config = config::load(args.config.as_ref(), &args.sets)?;
    if let Some(dir) = args.data_dir {
        config.node.data_dir = dir;
    }
    if let Some(listen) = args.listen {
        config.node.listen = listen;
    }
    if let Some(cores) = args.cores {
        config.node.cores = cores;
    }
    match keel_io::device::DeviceKind::parse(&config.storage.device)? {
        keel_io::device::DeviceKind::Uring => {}
        keel_io::device::DeviceKind::Vfio => return Err(
            "storage.device = \"vfio\": the userspace NVMe driver is not built yet; use \"uring\""
                .into(),
        ),
        _ => {
            return Err(format!(
                "storage.device = \"{}\" is for tests only (no durability); use \"uring\"",
                config.storage.device
            ))
        }
    }
    if !matches!(
        config.storage.buffer_mode.as_str(),
        "explicit" | "userfault"
    ) {
        return Err(format!(
            "storage.buffer_mode = \"{}\": use \"explicit\" or \"userfault\"",
            config.storage.buffer_mode
        ));
    }
    if config.storage.data_file_max_bytes < 64 << 20 {
        return Err(format!(
            "storage.data_file_max_bytes = {}: at least 67108864 (64 MiB)",
            config.storage.data_file_max_bytes
        ));
    }
    let interval = config.storage.checkpoint_interval_s;
    if !(interval.is_finite() && (0.0..=1e9).contains(&interval)) {
        return Err(format!(
            "storage.checkpoint_interval_s = {interval}: expected seconds between checkpoints (0 turns them off)"
        ));
    }
    let online = runtime::online_cpus().len();
    let workers = if config.node.cores == 0 {
        online
    } else {
        config.node.cores
    };
    if workers > 255 {
        return Err(format!(
            "{workers} workers requested; at most 255 are supported"
        ));
    }
    // Each worker's log registers a write-buffer arena with its ring: say once what to raise when
    // RLIMIT_MEMLOCK or the hugepage pool is short (the node still runs, a little slower).
    if let Some(advice) =
        keel_io::arena::check_limits((workers * keel_storage::wal::WAL_ARENA_BYTES) as u64)
    {
        eprintln!("keel: note: {advice}");
    }
    let recovered = runtime::recover(&config, workers)?;
    eprintln!("keel: {}", recovered.summary);
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut running = runtime::start(config.clone(), workers, recovered, shutdown)?;
    let host = running.listen.ip();
    let port = running.listen.port();
    println!(
        "keel: listening on {} with {workers} worker(s), data in {}; connect with: psql -h {host} -p {port} -U postgres keel",
        running.listen,
        config.node.data_dir.display()
    );
    // Wait for SIGINT or SIGTERM on a small runtime of the main thread.
    let signals = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    signals.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        Ok::<(), String>(())
    })?;
    eprintln!("keel: shutting down: finishing in-flight statements, flushing logs");
    let _ = stop.send(true);
    for thread in running.threads.drain(..) {
        let _ = thread.join();
    }
    if let Err(error) = running.save_activity_stats() {
        eprintln!("keel: {error}; the activity statistics start from zero at the next start");
    }
    eprintln!("keel: shut down cleanly");
    Ok(())
}
