//! The thread-per-core runtime.
//!
//! ```text
//!   main thread: config -> recovery (all logs) -> spawn workers -> wait for SIGINT/SIGTERM
//!   worker i (pinned to a core, current-thread tokio + LocalSet):
//!       SO_REUSEPORT listener -> sessions (keel_server::session)
//!       Shard i: its vshards' rows, its WAL + group-commit flusher
//!       mailboxes: one bounded channel from every worker j to i, served here
//! ```
//!
//! Nothing mutable is shared between workers except the published catalog (an immutable snapshot
//! behind a lock, replaced whole by DDL) and two counters. A session talks to another worker only by
//! sending a request on the bounded mailbox from its worker to that one and awaiting the reply.
//!
//! Start-up recovery replays every worker's log of the current generation (see `keel_storage::wal`).
//! If the worker count changed, or the logs grew past `checkpoint_at_start_wal_bytes`, it first writes a
//! new generation holding the recovered state as one committed transaction split across the new
//! workers' logs, switches the metadata file to it atomically, and deletes the old generation.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use keel_sql::catalog::Catalog;
use keel_sql::error::SqlResult;
use keel_sql::exec::{Cancel, Cluster};
use keel_sql::fragment::{Shard, ShardOutput, ShardRequest};
use keel_storage::store::Store;
use keel_storage::wal::{self, LogFile, Record, Wal};
use keel_storage::{owner_of, vshard_of, TxnId, WorkerId};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};

use crate::config::Config;

/// Capacity of each worker-to-worker mailbox.
const MAILBOX_CAPACITY: usize = 1024;

/// A message between workers.
pub enum Envelope {
    Shard(ShardRequest, oneshot::Sender<SqlResult<ShardOutput>>),
    Cancel { process_id: i32, secret_key: i32 },
}

/// What all workers share (read-mostly).
pub struct Node {
    pub config: Config,
    pub workers: usize,
    catalog: RwLock<Arc<Catalog>>,
    ddl: Arc<tokio::sync::Mutex<()>>,
    next_row_id: AtomicI64,
    /// `senders[from][to]`
    senders: Vec<Vec<mpsc::Sender<Envelope>>>,
    pub shutdown: watch::Receiver<bool>,
    pub version: String,
}

/// Per-worker state reachable from sessions on that worker.
pub struct Worker {
    pub id: WorkerId,
    pub node: Arc<Node>,
    pub shard: Rc<Shard>,
    txn_counter: Cell<u64>,
    /// Sessions by process id: secret key and cancel mailbox.
    pub sessions: RefCell<HashMap<i32, (i32, Rc<Cancel>)>>,
    session_counter: Cell<i32>,
}

impl Worker {
    /// A process id for a new session: the worker in the high bits so any worker can route a cancel.
    pub fn register_session(&self, cancel: Rc<Cancel>) -> (i32, i32) {
        let seq = self.session_counter.get().wrapping_add(1) & 0x3f_ffff;
        self.session_counter.set(seq);
        let pid = ((self.id as i32) << 22) | seq;
        let secret = random_i32();
        self.sessions.borrow_mut().insert(pid, (secret, cancel));
        (pid, secret)
    }

    pub fn unregister_session(&self, pid: i32) {
        self.sessions.borrow_mut().remove(&pid);
    }

    /// Delivers a cancel request to the session's worker (this one or another).
    pub async fn cancel(&self, process_id: i32, secret_key: i32) {
        let target = (process_id >> 22) as usize;
        if target == self.id as usize {
            self.cancel_local(process_id, secret_key);
        } else if let Some(sender) = self.node.senders[self.id as usize].get(target) {
            let _ = sender
                .send(Envelope::Cancel {
                    process_id,
                    secret_key,
                })
                .await;
        }
    }

    fn cancel_local(&self, process_id: i32, secret_key: i32) {
        if let Some((secret, cancel)) = self.sessions.borrow().get(&process_id) {
            if *secret == secret_key {
                cancel.request();
            }
        }
    }
}

fn random_i32() -> i32 {
    let mut bytes = [0u8; 4];
    // SAFETY: getrandom writes at most `bytes.len()` bytes into the buffer.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n != 4 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        return nanos as i32;
    }
    i32::from_ne_bytes(bytes)
}

impl Cluster for Worker {
    fn worker(&self) -> WorkerId {
        self.id
    }
    fn workers(&self) -> usize {
        self.node.workers
    }
    async fn call(&self, worker: WorkerId, request: ShardRequest) -> SqlResult<ShardOutput> {
        if worker == self.id {
            return self.shard.serve(request).await;
        }
        let (reply, answer) = oneshot::channel();
        self.node.senders[self.id as usize][worker as usize]
            .send(Envelope::Shard(request, reply))
            .await
            .map_err(|_| shutting_down())?;
        answer.await.map_err(|_| shutting_down())?
    }
    async fn call_all(
        &self,
        requests: Vec<(WorkerId, ShardRequest)>,
    ) -> Vec<SqlResult<ShardOutput>> {
        // Send every remote request first so the workers run in parallel, then serve local ones.
        let mut pending = Vec::with_capacity(requests.len());
        let mut local = Vec::new();
        for (index, (worker, request)) in requests.into_iter().enumerate() {
            if worker == self.id {
                local.push((index, request));
                continue;
            }
            let (reply, answer) = oneshot::channel();
            let sent = self.node.senders[self.id as usize][worker as usize]
                .send(Envelope::Shard(request, reply))
                .await;
            pending.push((index, sent.map(|_| answer)));
        }
        let mut results: Vec<Option<SqlResult<ShardOutput>>> =
            (0..pending.len() + local.len()).map(|_| None).collect();
        for (index, request) in local {
            results[index] = Some(self.shard.serve(request).await);
        }
        for (index, answer) in pending {
            results[index] = Some(match answer {
                Ok(answer) => answer.await.unwrap_or_else(|_| Err(shutting_down())),
                Err(_) => Err(shutting_down()),
            });
        }
        results
            .into_iter()
            .map(|r| r.expect("every request answered"))
            .collect()
    }
    fn catalog(&self) -> Arc<Catalog> {
        self.node
            .catalog
            .read()
            .expect("catalog lock is never poisoned")
            .clone()
    }
    fn publish_catalog(&self, catalog: Catalog) {
        *self
            .node
            .catalog
            .write()
            .expect("catalog lock is never poisoned") = Arc::new(catalog);
    }
    fn ddl_lock(&self) -> Arc<tokio::sync::Mutex<()>> {
        self.node.ddl.clone()
    }
    fn next_txn(&self) -> TxnId {
        let counter = self.txn_counter.get() + 1;
        self.txn_counter.set(counter);
        (counter << 8) | self.id as u64
    }
    fn next_row_id(&self) -> i64 {
        self.node.next_row_id.fetch_add(1, Ordering::Relaxed)
    }
}

fn shutting_down() -> keel_sql::error::SqlError {
    keel_sql::error::SqlError::new(
        keel_sql::error::code::ADMIN_SHUTDOWN,
        "terminating connection due to administrator command",
    )
}

/// The data directory's metadata file.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
struct Meta {
    format: u32,
    generation: u64,
    workers: usize,
    epoch: u32,
}

const META_FILE: &str = "keel.meta";

fn read_meta(dir: &Path) -> Result<Option<Meta>, String> {
    match std::fs::read_to_string(dir.join(META_FILE)) {
        Ok(text) => toml::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", dir.join(META_FILE).display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("{}: {error}", dir.join(META_FILE).display())),
    }
}

/// Replaces the metadata file atomically and durably.
fn write_meta(dir: &Path, meta: &Meta) -> Result<(), String> {
    let text = toml::to_string(meta).map_err(|e| e.to_string())?;
    let tmp = dir.join("keel.meta.tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, dir.join(META_FILE)).map_err(|e| format!("{}: {e}", dir.display()))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), String> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("{}: {e}", dir.display()))
}

/// Takes an exclusive lock on the data directory for the life of the process, so that two nodes
/// never write the same logs.
fn lock_data_dir(dir: &Path) -> Result<std::fs::File, String> {
    use std::os::fd::AsRawFd;
    let path = dir.join("keel.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(format!(
            "data directory {} is in use by another keel process",
            dir.display()
        ));
    }
    Ok(file)
}

/// Everything the workers start from.
pub struct Recovered {
    /// Held until the process exits (see [`lock_data_dir`]).
    pub lock: std::fs::File,
    pub catalog: Catalog,
    pub stores: Vec<Store>,
    pub logs: Vec<(PathBuf, Vec<u8>, u64)>,
    pub epoch: u32,
    pub next_txn_counter: u64,
    pub next_row_id: i64,
    pub summary: String,
}

/// Reads the data directory and rebuilds the state for `workers` workers.
pub fn recover(config: &Config, workers: usize) -> Result<Recovered, String> {
    let dir = &config.node.data_dir;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))?;
    let lock = lock_data_dir(dir)?;
    let mut meta = read_meta(dir)?.unwrap_or(Meta {
        format: 1,
        generation: 1,
        workers,
        epoch: 0,
    });
    if meta.format != 1 {
        return Err(format!(
            "{}: data format {} is not supported by this build",
            dir.display(),
            meta.format
        ));
    }
    meta.epoch += 1;
    write_meta(dir, &meta)?;
    let logs = (0..meta.workers)
        .map(|w| {
            LogFile::read(
                &dir.join(wal::file_name(meta.generation, w as WorkerId)),
                w as WorkerId,
            )
            .map_err(|e| format!("reading WAL: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let wal_bytes: u64 = logs.iter().map(|log| log.bytes.len() as u64).sum();
    let recovered = wal::recover(&logs);
    let catalog = match &recovered.catalog {
        Some((_, image)) => {
            Catalog::from_image(image).map_err(|e| format!("catalog in WAL does not parse: {e}"))?
        }
        None => Catalog {
            version: 0,
            next_table_id: 1,
            tables: Default::default(),
        },
    };
    let summary = format!(
        "recovered {} tables, {} rows from {} bytes of WAL ({} committed transactions, {} incomplete discarded)",
        catalog.tables.len(),
        recovered.tables.values().map(|t| t.len()).sum::<usize>(),
        wal_bytes,
        recovered.committed,
        recovered.discarded
    );
    let mut max_txn = recovered.max_txn;
    let mut tables = recovered.tables;
    // Rows of tables that no longer exist are dropped here.
    tables.retain(|id, _| catalog.table_by_id(*id).is_some());
    let mut next_row_id = 1;
    for table in catalog.tables.values().filter(|t| t.primary_key.is_empty()) {
        if let Some(rows) = tables.get(&table.id) {
            for key in rows.keys() {
                if key.len() == 9 {
                    let raw =
                        u64::from_be_bytes(key[1..9].try_into().expect("8 bytes")) ^ (1 << 63);
                    next_row_id = next_row_id.max(raw as i64 + 1);
                }
            }
        }
    }
    let needs_checkpoint =
        meta.workers != workers || wal_bytes > config.storage.checkpoint_at_start_wal_bytes;
    if needs_checkpoint {
        max_txn += 256;
        let old_generation = meta.generation;
        let new_generation = old_generation + 1;
        let participants: Vec<u8> = (0..workers).map(|w| w as u8).collect();
        let txn = max_txn;
        let mut files: Vec<Vec<u8>> = vec![Vec::new(); workers];
        if catalog.version > 0 {
            let image = catalog.to_image();
            wal::encode(
                &Record::Catalog {
                    txn,
                    version: catalog.version,
                    image: &image,
                },
                meta.epoch,
                &mut files[0],
            );
        }
        for (table, rows) in &tables {
            for (key, row) in rows {
                let owner = owner_of(vshard_of(key), workers) as usize;
                wal::encode(
                    &Record::Put {
                        txn,
                        table: *table,
                        key,
                        before: None,
                        after: row,
                    },
                    meta.epoch,
                    &mut files[owner],
                );
            }
        }
        for (worker, bytes) in files.iter_mut().enumerate() {
            wal::encode(
                &Record::Commit {
                    txn,
                    participants: &participants,
                },
                meta.epoch,
                bytes,
            );
            let path = dir.join(wal::file_name(new_generation, worker as WorkerId));
            let mut file =
                std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            file.write_all(bytes)
                .and_then(|_| file.sync_all())
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        sync_dir(dir)?;
        let old_workers = meta.workers;
        meta.generation = new_generation;
        meta.workers = workers;
        write_meta(dir, &meta)?;
        for worker in 0..old_workers {
            let _ =
                std::fs::remove_file(dir.join(wal::file_name(old_generation, worker as WorkerId)));
        }
    }
    // Each worker's tables live on its own pages (data-<worker>.keel). Until checkpoints land the
    // files are rebuilt from the log at every start.
    let budget = (config.storage.buffer_pool_bytes / workers as u64) as usize;
    let userfault = config.storage.buffer_mode == "userfault";
    let mut stores: Vec<Store> = (0..workers)
        .map(|w| {
            let path = dir.join(format!("data-{w}.keel"));
            keel_storage::engine::Pages::create_file(
                &path,
                budget,
                config.storage.data_file_max_bytes as usize,
                userfault,
            )
            .map(Store::new)
        })
        .collect::<Result<_, String>>()?;
    // Data files of workers that no longer exist (fewer --cores than last time).
    for w in workers..256 {
        let _ = std::fs::remove_file(dir.join(format!("data-{w}.keel")));
    }
    for (table, rows) in tables {
        let mut per_worker: Vec<Vec<(Vec<u8>, Vec<u8>)>> = vec![Vec::new(); workers];
        for (key, row) in rows {
            per_worker[owner_of(vshard_of(&key), workers) as usize].push((key, row));
        }
        for (worker, rows) in per_worker.into_iter().enumerate() {
            stores[worker].load(table, rows);
        }
    }
    let logs = (0..workers)
        .map(|w| {
            let path = dir.join(wal::file_name(meta.generation, w as WorkerId));
            let log =
                LogFile::read(&path, w as WorkerId).map_err(|e| format!("reading WAL: {e}"))?;
            let end = log.bytes.len() as u64;
            Ok((path, wal::tail_of(&log), end))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Recovered {
        lock,
        catalog,
        stores,
        logs,
        epoch: meta.epoch,
        next_txn_counter: (max_txn >> 8) + 1,
        next_row_id,
        summary,
    })
}

/// Online CPUs from sysfs (`/sys/devices/system/cpu/online`, e.g. `0-3,6`).
pub fn online_cpus() -> Vec<usize> {
    let parsed = std::fs::read_to_string("/sys/devices/system/cpu/online")
        .ok()
        .map(|text| {
            let mut cpus = Vec::new();
            for part in text.trim().split(',').filter(|p| !p.is_empty()) {
                match part.split_once('-') {
                    Some((a, b)) => {
                        if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                            cpus.extend(a..=b);
                        }
                    }
                    None => cpus.extend(part.parse::<usize>().ok()),
                }
            }
            cpus
        });
    match parsed {
        Some(cpus) if !cpus.is_empty() => cpus,
        _ => (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect(),
    }
}

/// A running node.
pub struct Running {
    pub threads: Vec<std::thread::JoinHandle<()>>,
    /// The data directory lock, held while the node runs.
    pub _lock: std::fs::File,
    pub listen: SocketAddr,
}

/// Starts the workers.
pub fn start(
    config: Config,
    workers: usize,
    recovered: Recovered,
    shutdown: watch::Receiver<bool>,
) -> Result<Running, String> {
    let listen: SocketAddr = config
        .node
        .listen
        .parse()
        .map_err(|e| format!("--listen {}: {e}", config.node.listen))?;
    // SO_REUSEPORT would let a second process share a port it does not own: check that the port
    // is free with a plain bind first.
    if listen.port() != 0 {
        std::net::TcpListener::bind(listen)
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    }
    // Bind once here to report errors before spawning anything, and to learn port 0's choice.
    let probe = bind_reuseport(listen).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let listen = probe.local_addr().map_err(|e| e.to_string())?;
    let mut senders: Vec<Vec<mpsc::Sender<Envelope>>> = (0..workers).map(|_| Vec::new()).collect();
    let mut receivers: Vec<Vec<mpsc::Receiver<Envelope>>> =
        (0..workers).map(|_| Vec::new()).collect();
    for sender_row in senders.iter_mut() {
        for receiver_row in receivers.iter_mut() {
            let (tx, rx) = mpsc::channel(MAILBOX_CAPACITY);
            sender_row.push(tx);
            receiver_row.push(rx);
        }
    }
    let node = Arc::new(Node {
        config: config.clone(),
        workers,
        catalog: RwLock::new(Arc::new(recovered.catalog)),
        ddl: Arc::new(tokio::sync::Mutex::new(())),
        next_row_id: AtomicI64::new(recovered.next_row_id),
        senders,
        shutdown,
        version: format!(
            "PostgreSQL 15.0 (Keel {}) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit",
            env!("CARGO_PKG_VERSION")
        ),
    });
    let cpus = online_cpus();
    let core_ids = core_affinity::get_core_ids().unwrap_or_default();
    let mut threads = Vec::new();
    let mut probe = Some(probe);
    let lock = recovered.lock;
    let stores = recovered.stores.into_iter();
    let logs = recovered.logs.into_iter();
    for ((id, (store, (path, tail, end))), inbox) in stores.zip(logs).enumerate().zip(receivers) {
        let node = node.clone();
        let cpu = cpus[id % cpus.len()];
        let core = core_ids.iter().find(|c| c.id == cpu).copied();
        let epoch = recovered.epoch;
        let counter = recovered.next_txn_counter;
        // Worker 0 keeps the probe listener; the others bind their own.
        let listener = probe.take();
        let thread = std::thread::Builder::new()
            .name(format!("keel-worker-{id}"))
            .spawn(move || {
                if let Some(core) = core {
                    core_affinity::set_for_current(core);
                }
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("worker runtime");
                let local = tokio::task::LocalSet::new();
                local.block_on(
                    &runtime,
                    worker_main(
                        id as WorkerId,
                        node,
                        store,
                        path,
                        tail,
                        end,
                        epoch,
                        counter,
                        inbox,
                        listener,
                        listen,
                    ),
                );
            })
            .map_err(|e| format!("cannot spawn worker: {e}"))?;
        threads.push(thread);
    }
    Ok(Running {
        threads,
        listen,
        _lock: lock,
    })
}

/// A TCP listener with SO_REUSEPORT, so each worker accepts on the same port (the kernel spreads
/// new connections over the workers' listeners).
fn bind_reuseport(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use std::os::fd::FromRawFd;
    let family = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: plain socket syscalls on a descriptor this function owns until it is wrapped.
    unsafe {
        let fd = libc::socket(
            family,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            0,
        );
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let listener = std::net::TcpListener::from_raw_fd(fd);
        let one: libc::c_int = 1;
        for option in [libc::SO_REUSEADDR, libc::SO_REUSEPORT] {
            let size = std::mem::size_of_val(&one) as libc::socklen_t;
            if libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                option,
                (&one as *const libc::c_int).cast(),
                size,
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
        }
        let (storage, len) = socket_address(addr);
        if libc::bind(fd, (&storage as *const libc::sockaddr_storage).cast(), len) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::listen(fd, 1024) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(listener)
    }
}

/// `addr` as a C socket address.
fn socket_address(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    match addr {
        SocketAddr::V4(v4) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: v4.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large enough and suitably aligned for sockaddr_in.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            (
                storage,
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        }
        SocketAddr::V6(v6) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                },
                sin6_scope_id: v6.scope_id(),
            };
            // SAFETY: sockaddr_storage is large enough and suitably aligned for sockaddr_in6.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            (
                storage,
                std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
            )
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn worker_main(
    id: WorkerId,
    node: Arc<Node>,
    store: Store,
    wal_path: PathBuf,
    tail: Vec<u8>,
    end: u64,
    epoch: u32,
    txn_counter: u64,
    inbox: Vec<mpsc::Receiver<Envelope>>,
    probe: Option<std::net::TcpListener>,
    listen: SocketAddr,
) {
    let (device, arena) = match wal::open_device(&wal_path) {
        Ok(opened) => opened,
        Err(error) => {
            eprintln!(
                "keel: FATAL: worker {id}: cannot open WAL {}: {error}",
                wal_path.display()
            );
            std::process::exit(1);
        }
    };
    if !device.is_direct() && id == 0 {
        eprintln!(
            "keel: WARNING: the file system under {} refuses O_DIRECT; the WAL uses buffered writes + fdatasync",
            wal_path.display()
        );
    }
    let wal = Wal::new(epoch, end);
    let flusher = tokio::task::spawn_local(wal.clone().run_flusher(device, tail, arena));
    let lock_wait = Duration::from_millis(node.config.storage.lock_wait_timeout_ms);
    let shard = Rc::new(Shard::new(id, store, wal.clone(), lock_wait));
    let worker = Rc::new(Worker {
        id,
        node: node.clone(),
        shard: shard.clone(),
        txn_counter: Cell::new(txn_counter),
        sessions: RefCell::new(HashMap::new()),
        session_counter: Cell::new(0),
    });
    for mut receiver in inbox {
        let worker = worker.clone();
        tokio::task::spawn_local(async move {
            while let Some(envelope) = receiver.recv().await {
                match envelope {
                    Envelope::Shard(request, reply) => {
                        let shard = worker.shard.clone();
                        tokio::task::spawn_local(async move {
                            let _ = reply.send(shard.serve(request).await);
                        });
                    }
                    Envelope::Cancel {
                        process_id,
                        secret_key,
                    } => worker.cancel_local(process_id, secret_key),
                }
            }
        });
    }
    let listener = match probe.map(Ok).unwrap_or_else(|| bind_reuseport(listen)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("keel: FATAL: worker {id}: cannot listen on {listen}: {error}");
            std::process::exit(1);
        }
    };
    let listener = tokio::net::TcpListener::from_std(listener).expect("listener joins the reactor");
    let active = Rc::new(Cell::new(0usize));
    let mut shutdown = node.shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let worker = worker.clone();
                let active = active.clone();
                active.set(active.get() + 1);
                tokio::task::spawn_local(async move {
                    crate::session::run(stream, peer, worker).await;
                    active.set(active.get() - 1);
                });
            }
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
    drop(listener);
    // Sessions see the shutdown at their next idle moment; give in-flight statements time to finish.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while active.get() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Everything appended is made durable before the worker exits.
    let appended = wal.append(|_| {});
    wal.wait_durable(appended).await;
    flusher.abort();
    // The buffer pool's counters, for sizing storage.buffer_pool_bytes.
    let bm = shard.store.borrow().pages().buffer_manager().clone();
    let stats = bm.stats();
    eprintln!(
        "keel: worker {id} pages: {} resident of a {}-page budget, {} in the data file; {} reads, {} writes, {} evictions",
        bm.resident_pages(),
        bm.budget_pages(),
        bm.pages_in_use(),
        stats.reads.load(std::sync::atomic::Ordering::Relaxed),
        stats.writes.load(std::sync::atomic::Ordering::Relaxed),
        stats.evictions.load(std::sync::atomic::Ordering::Relaxed),
    );
}
