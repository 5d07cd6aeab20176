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
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use keel_sql::catalog::Catalog;
use keel_sql::error::{code, SqlError, SqlResult};
use keel_sql::exec::{Cancel, Cluster};
use keel_sql::fragment::{Shard, ShardOutput, ShardRequest};
use keel_storage::checkpoint::{self, WorkerCheckpoint};
use keel_storage::engine::Pages;
use keel_storage::mvcc::{Clock, LocalSnapshots, SnapshotLease, Ts};
use keel_storage::ssi::Ssi;
use keel_storage::store::Store;
use keel_storage::waits::WaitGraph;
use keel_storage::wal::{self, LogFile, Wal};
use keel_storage::{owner_of, TxnId, WorkerId};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};

use crate::config::Config;

/// Capacity of each worker-to-worker mailbox.
const MAILBOX_CAPACITY: usize = 1024;

/// Messages taken from one mailbox before the worker turns to the others and to its reactor.
const MAILBOX_BATCH: usize = 64;

/// A message between workers.
pub enum Envelope {
    Shard(ShardRequest, oneshot::Sender<SqlResult<ShardOutput>>),
    /// A client's cancel request for a session of this worker; `done` is told once the
    /// session's flag is set.
    Cancel {
        process_id: i32,
        secret_key: i32,
        done: oneshot::Sender<()>,
    },
    /// `pg_cancel_backend` / `pg_terminate_backend` from another worker's session (checked there).
    Signal {
        process_id: i32,
        terminate: bool,
    },
}

/// What the checkpointer tells a worker (see `keel_storage::checkpoint` for the round).
pub enum Control {
    /// Take this worker's part of checkpoint `round`; the answer is the cut (its log offset) once
    /// the part is durable.
    Checkpoint {
        round: u64,
        reply: oneshot::Sender<Result<Share, String>>,
    },
    /// Every worker has taken its cut: make this worker's log durable up to its end now (what a
    /// participant appended lazily before another worker's cut must not be lost once the round
    /// cuts that worker's log; see `keel_storage::wal`).
    SyncLog { reply: oneshot::Sender<()> },
    /// The round is published (`durable`) or abandoned.
    Finished { durable: bool },
}

/// What all workers share (read-mostly).
pub struct Node {
    pub config: Config,
    pub workers: usize,
    catalog: RwLock<Arc<Catalog>>,
    next_row_id: AtomicI64,
    /// Client sessions open on the node (cancel requests not counted), for `max_connections`.
    pub connections: AtomicUsize,
    /// What each worker's sessions are doing (`pg_stat_activity`), by process id; each worker
    /// writes only its own map.
    pub activity: Vec<std::sync::Mutex<HashMap<i32, keel_sql::system::Activity>>>,
    /// Sessions open per role, for roles' CONNECTION LIMIT.
    pub role_connections: std::sync::Mutex<HashMap<String, usize>>,
    /// Client authentication rules (`wire.hba_file`).
    pub hba: crate::hba::Hba,
    /// TLS, when `wire.tls_cert_file` / `wire.tls_key_file` are set.
    pub tls: Option<crate::tls::Tls>,
    sequences: Arc<keel_sql::sequence::Registry>,
    /// Table statistics from ANALYZE, saved in `DATA_DIR/keel.stats`.
    statistics: Arc<keel_sql::stats::Statistics>,
    /// Activity counters (`pg_stat_user_tables`, `pg_stat_database`), a slot per worker.
    pgstat: Arc<keel_sql::pgstat::Registry>,
    /// Heavyweight locks, node-wide: relation, advisory and catalog locks (`keel_sql::locks`).
    pub locks: Arc<keel_sql::locks::Locks>,
    /// Commit timestamps and snapshots (see `keel_storage::mvcc`).
    clock: Arc<Clock>,
    ssi: Arc<Ssi>,
    waits: Arc<WaitGraph>,
    /// `senders[from][to]`
    senders: Vec<Vec<mpsc::Sender<Envelope>>>,
    pub shutdown: watch::Receiver<bool>,
    pub version: String,
    /// Sessions' CHECKPOINT requests to the checkpointer (None: checkpoints are off).
    checkpoints: Option<std::sync::mpsc::Sender<CheckpointRequest>>,
}

/// How long a worker that found its core contended sleeps on wakers before it polls again.
const COOL_DOWN: Duration = Duration::from_millis(50);

/// Keeps a worker polling instead of sleeping for a while after cross-core traffic, as Seastar's
/// reactor polls for `--idle-poll-time-us` before it sleeps. A worker that waits for another
/// worker's answer, or that has just served one, is likely to get the next message within
/// microseconds; asleep in `epoll_wait`, it would be woken by the sender's eventfd write and the
/// kernel's scheduler, which costs far more than the work (measured on 16 cores: select-only at 8
/// clients, where nearly every read hops to another worker, ran at 0.56x PostgreSQL's tps, its
/// median latency 68 us against 39).
///
/// While the window since the last `touch` is open, the worker's mailbox task takes messages with
/// `try_recv` and the session waiting for an answer checks it with `try_recv`, each yielding to
/// the runtime in between (after a `sched_yield`, so that a thread ready on this core, a client on
/// the same machine, still runs): with a task ready the runtime checks the reactor without blocking
/// (`epoll_wait` with timeout 0), so socket data and timers are seen at once, and since no waker
/// is registered on a mailbox or an answer meanwhile, a sender does not wake anything: no eventfd
/// write, no cross-thread schedule. Once the window closes they register wakers and the worker
/// sleeps as before: an idle node burns no CPU.
///
/// Polling pays only on a core the worker has to itself. Where another thread wants the CPU (a
/// compile, a neighbour, more clients than cores), `sched_yield` hands it a whole time slice
/// (EEVDF pushes the yielder's deadline back by one), so each poll round costs milliseconds while
/// a sleeping worker would have been woken at once: measured on the 2-core VM with two busy
/// loops beside it, select-only at 8 clients ran 13-16k tps without polling and 1.2-2.2k with it.
/// So a round whose yield took longer than the window itself shows contention: the worker stops
/// polling and sleeps on wakers for `COOL_DOWN` before it tries again (one such probe per
/// cool-down costs at most one slice).
pub struct HotPoll {
    window: Duration,
    until: Cell<std::time::Instant>,
    /// No polling before this instant: a yield lost the CPU to another thread (see above).
    cool_until: Cell<std::time::Instant>,
    /// Whether the mailbox task is polling (else it sleeps until a message or a `touch`).
    polling: Cell<bool>,
    wake: tokio::sync::Notify,
}

impl HotPoll {
    pub fn new(window: Duration) -> HotPoll {
        HotPoll {
            window,
            until: Cell::new(std::time::Instant::now()),
            cool_until: Cell::new(std::time::Instant::now()),
            polling: Cell::new(false),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// Cross-core traffic now: poll for the next window.
    pub fn touch(&self) {
        if self.window.is_zero() {
            return;
        }
        let now = std::time::Instant::now();
        if now < self.cool_until.get() {
            return;
        }
        self.until.set(now + self.window);
        if !self.polling.get() {
            self.polling.set(true);
            self.wake.notify_one();
        }
    }

    fn is_hot(&self) -> bool {
        !self.window.is_zero() && std::time::Instant::now() < self.until.get()
    }

    /// One round of polling: give the CPU to a thread ready on this core, then let the runtime
    /// check the reactor and run what is ready.
    async fn spin(&self) {
        let before = std::time::Instant::now();
        // SAFETY: sched_yield takes no arguments and only gives up the CPU.
        unsafe { libc::sched_yield() };
        let after = std::time::Instant::now();
        if after - before > self.window {
            // Another thread had this core for longer than the window: stop polling for a while.
            self.until.set(after);
            self.cool_until.set(after + COOL_DOWN);
        }
        tokio::task::yield_now().await;
    }

    /// The answer to a request sent to another worker: polled while the window is open.
    async fn answer<T>(&self, mut answer: oneshot::Receiver<T>) -> Result<T, ()> {
        loop {
            match answer.try_recv() {
                Ok(value) => return Ok(value),
                Err(oneshot::error::TryRecvError::Closed) => return Err(()),
                Err(oneshot::error::TryRecvError::Empty) if self.is_hot() => self.spin().await,
                Err(oneshot::error::TryRecvError::Empty) => return answer.await.map_err(|_| ()),
            }
        }
    }
}

/// A worker's mailboxes, one per sending worker, served by one task: drained with `try_recv`
/// while the worker is hot (see `HotPoll`), else asleep until a message comes or a session's
/// `touch` makes the worker hot. Ends when every sender is gone.
async fn serve_mailboxes(worker: Rc<Worker>, mut inbox: Vec<mpsc::Receiver<Envelope>>) {
    let mut open = vec![true; inbox.len()];
    loop {
        let mut served = false;
        for (receiver, open) in inbox.iter_mut().zip(open.iter_mut()) {
            // A bounded batch per mailbox, so that a busy sender cannot keep the worker from its
            // sessions and its reactor (`try_recv` spends no cooperative budget).
            for _ in 0..MAILBOX_BATCH {
                match receiver.try_recv() {
                    Ok(envelope) => {
                        worker.deliver(envelope);
                        served = true;
                    }
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => {
                        *open = false;
                        break;
                    }
                }
            }
        }
        if !open.contains(&true) {
            return;
        }
        if served {
            worker.hot.touch();
        }
        if worker.hot.is_hot() {
            worker.hot.spin().await;
            continue;
        }
        worker.hot.polling.set(false);
        let woken = worker.hot.wake.notified();
        let message = std::future::poll_fn(|context| {
            for (receiver, open) in inbox.iter_mut().zip(open.iter_mut()) {
                if !*open {
                    continue;
                }
                match receiver.poll_recv(context) {
                    std::task::Poll::Ready(Some(envelope)) => {
                        return std::task::Poll::Ready(Some(envelope))
                    }
                    std::task::Poll::Ready(None) => *open = false,
                    std::task::Poll::Pending => {}
                }
            }
            if open.contains(&true) {
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(None)
            }
        });
        tokio::select! {
            envelope = message => {
                if let Some(envelope) = envelope {
                    worker.deliver(envelope);
                    worker.hot.touch();
                }
            }
            _ = woken => {}
        }
    }
}

/// Per-worker state reachable from sessions on that worker.
pub struct Worker {
    pub id: WorkerId,
    pub node: Arc<Node>,
    pub shard: Rc<Shard>,
    txn_counter: Cell<u64>,
    /// Snapshots held by this worker's sessions.
    snapshots: Rc<LocalSnapshots>,
    /// Sessions by process id: secret key and cancel mailbox.
    pub sessions: RefCell<HashMap<i32, (i32, Rc<Cancel>)>>,
    session_counter: Cell<i32>,
    /// Polling after cross-core traffic (`node.idle_poll_us`).
    hot: HotPoll,
}

impl Worker {
    /// Serves a message from another worker's mailbox. Most requests finish without waiting (no
    /// lock, no page miss): they run right here; only one that waits becomes a task of its own.
    fn deliver(&self, envelope: Envelope) {
        match envelope {
            Envelope::Shard(request, reply) => {
                let shard = self.shard.clone();
                let mut serving = Box::pin(async move { reply.send(shard.serve(request).await) });
                let mut context = std::task::Context::from_waker(std::task::Waker::noop());
                if std::future::Future::poll(serving.as_mut(), &mut context).is_pending() {
                    tokio::task::spawn_local(serving);
                }
            }
            Envelope::Cancel {
                process_id,
                secret_key,
                done,
            } => {
                self.cancel_local(process_id, secret_key);
                let _ = done.send(());
            }
            Envelope::Signal {
                process_id,
                terminate,
            } => self.signal_local(process_id, terminate),
        }
    }

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

    /// Delivers a cancel request to the session's worker (this one or another), returning once
    /// the session's flag is set: the cancel connection closes only then, as PostgreSQL's
    /// does once it has signalled the backend. A client waits for that close before it goes on
    /// (psycopg cancels a stream that failed, then drains it and sends its next statement), so
    /// a request still on its way could otherwise cancel the next statement.
    pub async fn cancel(&self, process_id: i32, secret_key: i32) {
        let target = (process_id >> 22) as usize;
        if target == self.id as usize {
            self.cancel_local(process_id, secret_key);
        } else if let Some(sender) = self.node.senders[self.id as usize].get(target) {
            let (done, delivered) = oneshot::channel();
            let envelope = Envelope::Cancel {
                process_id,
                secret_key,
                done,
            };
            if sender.send(envelope).await.is_ok() {
                let _ = delivered.await;
            }
        }
    }

    fn cancel_local(&self, process_id: i32, secret_key: i32) {
        if let Some((secret, cancel)) = self.sessions.borrow().get(&process_id) {
            if *secret == secret_key {
                cancel.request();
            }
        }
    }

    fn signal_local(&self, process_id: i32, terminate: bool) {
        if let Some((_, cancel)) = self.sessions.borrow().get(&process_id) {
            if terminate {
                cancel.terminate();
            } else {
                cancel.request();
            }
        }
    }

    /// Records what session `pid` of this worker is doing (`pg_stat_activity`); the time it
    /// spent in the state it leaves counts in `pg_stat_database` (active, idle in transaction).
    pub fn note_activity(&self, pid: i32, change: impl FnOnce(&mut keel_sql::system::Activity)) {
        let mut sessions = self.node.activity[self.id as usize]
            .lock()
            .expect("never poisoned");
        if let Some(activity) = sessions.get_mut(&pid) {
            let (was, since) = (activity.state, activity.state_change);
            change(activity);
            let micros = (activity.state_change - since).max(0);
            drop(sessions);
            if micros > 0 {
                keel_sql::exec::count_activity(self, |slot| match was {
                    "active" => slot.database.active_time += micros,
                    "idle in transaction" | "idle in transaction (aborted)" => {
                        slot.database.idle_in_transaction_time += micros
                    }
                    _ => {}
                });
            }
        }
    }
}

/// The node's sessions as a session's SQL sees them (see `keel_sql::system::Backends`).
pub struct NodeBackends(pub Rc<Worker>);

impl std::fmt::Debug for NodeBackends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeBackends(worker {})", self.0.id)
    }
}

impl keel_sql::system::Backends for NodeBackends {
    fn locks(&self) -> Vec<keel_sql::locks::Listed> {
        self.0.node.locks.list()
    }
    fn hba_rules(&self) -> Vec<keel_sql::system::HbaRule> {
        self.0.node.hba.rows()
    }
    fn file_settings(&self) -> Vec<keel_sql::system::FileSetting> {
        crate::config::file_settings(&self.0.node.config)
    }
    fn reset_stats(&self, what: keel_sql::pgstat::Reset) {
        use keel_sql::pgstat::Reset;
        let stats = &self.0.node.pgstat;
        match what {
            Reset::Database => stats.reset(keel_sql::types::now_timestamp()),
            Reset::Wal => stats.reset_wal(keel_sql::types::now_timestamp()),
            Reset::Bgwriter => stats.reset_bgwriter(keel_sql::types::now_timestamp()),
            Reset::Archiver => stats.reset_archiver(keel_sql::types::now_timestamp()),
            Reset::Table(oid) => {
                let catalog = self.0.catalog();
                if let Some((table, indexes)) = keel_sql::system::table_of_oid(&catalog, oid) {
                    stats.reset_table(table, &indexes);
                }
            }
        }
    }
    fn activity(&self) -> Vec<keel_sql::system::Activity> {
        let mut all: Vec<_> = self
            .0
            .node
            .activity
            .iter()
            .flat_map(|sessions| {
                sessions
                    .lock()
                    .expect("never poisoned")
                    .values()
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .collect();
        all.sort_by_key(|a| (a.backend_start, a.pid));
        // Transactions and waits as they are now (`pg_locks`, `pg_blocking_pids`).
        let waits = self.0.node.waits.waiting();
        for a in &mut all {
            let txn = a.txn_cell.get();
            a.txn = (txn != 0).then_some(txn);
            a.waiting_for = waits
                .iter()
                .filter(|(waiter, _)| *waiter == txn && txn != 0)
                .map(|(_, holder)| *holder)
                .collect();
        }
        all
    }

    fn signal(&self, pid: i32, terminate: bool, by: &str) -> SqlResult<bool> {
        let worker = &self.0;
        let target = (pid >> 22) as usize;
        let Some(owner) = worker.node.activity.get(target).and_then(|sessions| {
            let sessions = sessions.lock().expect("never poisoned");
            sessions.get(&pid).map(|a| a.user.clone())
        }) else {
            return Ok(false);
        };
        let catalog = worker.catalog();
        let by_super = catalog.role(by).is_some_and(|r| r.superuser);
        let owner_super = catalog.role(&owner).is_some_and(|r| r.superuser);
        // PostgreSQL 15's words.
        if owner_super && !by_super {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                if terminate {
                    "must be a superuser to terminate superuser process"
                } else {
                    "must be a superuser to cancel superuser query"
                },
            ));
        }
        if !by_super && owner != by {
            return Err(SqlError::new(
                code::INSUFFICIENT_PRIVILEGE,
                if terminate {
                    "must be a member of the role whose process is being terminated or member of pg_signal_backend"
                } else {
                    "must be a member of the role whose query is being canceled or member of pg_signal_backend"
                },
            ));
        }
        if target == worker.id as usize {
            worker.signal_local(pid, terminate);
        } else if let Some(sender) = worker.node.senders[worker.id as usize].get(target).cloned() {
            tokio::task::spawn_local(async move {
                let _ = sender
                    .send(Envelope::Signal {
                        process_id: pid,
                        terminate,
                    })
                    .await;
            });
        }
        Ok(true)
    }
}

/// The directory of operators' temporary files (PostgreSQL's `base/pgsql_tmp`).
pub fn temp_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tmp")
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
    fn temp_dir(&self) -> PathBuf {
        temp_dir(&self.node.config.node.data_dir)
    }
    fn statistics(&self) -> Arc<keel_sql::stats::Statistics> {
        self.node.statistics.clone()
    }
    fn activity_stats(&self) -> &keel_sql::pgstat::Registry {
        &self.node.pgstat
    }
    fn locks(&self) -> &Arc<keel_sql::locks::Locks> {
        &self.node.locks
    }
    async fn checkpoint(&self) -> SqlResult<()> {
        let Some(requests) = &self.node.checkpoints else {
            return Err(SqlError::new(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "checkpoints are off on this node",
            )
            .with_hint("storage.checkpoint_interval_s = 0 turns them off."));
        };
        let (reply, answer) = oneshot::channel();
        let failed = |error: String| {
            SqlError::new(
                code::INTERNAL_ERROR,
                format!("checkpoint request failed: {error}"),
            )
        };
        requests
            .send(reply)
            .map_err(|_| failed("the checkpointer has stopped".into()))?;
        answer
            .await
            .map_err(|_| failed("the checkpointer has stopped".into()))?
            .map_err(failed)
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
        self.hot.touch();
        self.hot.answer(answer).await.map_err(|_| shutting_down())?
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
        if !pending.is_empty() {
            self.hot.touch();
        }
        let mut results: Vec<Option<SqlResult<ShardOutput>>> =
            (0..pending.len() + local.len()).map(|_| None).collect();
        for (index, request) in local {
            results[index] = Some(self.shard.serve(request).await);
        }
        for (index, answer) in pending {
            results[index] = Some(match answer {
                Ok(answer) => {
                    (self.hot.answer(answer).await).unwrap_or_else(|_| Err(shutting_down()))
                }
                Err(_) => Err(shutting_down()),
            });
        }
        results
            .into_iter()
            .map(|r| r.expect("every request answered"))
            .collect()
    }
    async fn post_all(&self, requests: Vec<(WorkerId, ShardRequest)>) {
        for (worker, request) in requests {
            if worker == self.id {
                let _ = self.shard.serve(request).await;
                continue;
            }
            // Nobody waits for the answer: the reply channel's receiver is dropped at once.
            let (reply, _) = oneshot::channel();
            let _ = self.node.senders[self.id as usize][worker as usize]
                .send(Envelope::Shard(request, reply))
                .await;
        }
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
    fn next_txn(&self) -> TxnId {
        let counter = self.txn_counter.get() + 1;
        self.txn_counter.set(counter);
        (counter << 8) | self.id as u64
    }
    fn next_row_id(&self) -> i64 {
        self.node.next_row_id.fetch_add(1, Ordering::Relaxed)
    }
    fn sequences(&self) -> Arc<keel_sql::sequence::Registry> {
        self.node.sequences.clone()
    }
    fn snapshot(&self) -> SnapshotLease {
        self.snapshots.take()
    }
    fn commit_ts(&self) -> Ts {
        self.node.clock.tick()
    }
    fn ssi(&self) -> &Ssi {
        &self.node.ssi
    }
    fn cancel_waits(&self, txn: TxnId, canceled: bool) {
        self.node.waits.set_canceled(txn, canceled);
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
pub struct Meta {
    /// [`FORMAT`]; 1 (older builds): logs only, replayed whole.
    format: u32,
    generation: u64,
    workers: usize,
    epoch: u32,
    /// The last durable checkpoint round of this generation (0: none yet).
    #[serde(default)]
    checkpoint: u64,
}

/// The current data format: 4 has one-write commits' `Prepared` and `Parts` log frames (see
/// `keel_storage::wal`); 3 stamps every row with its writer (MVCC). Directories of formats 1 (logs
/// only), 2 (rows without version headers) and 3 are moved into format 4 at start.
const FORMAT: u32 = 4;

/// How often each worker purges versions below the horizon, and how many undo records a step
/// drops before it lets other work run.
const PURGE_INTERVAL: Duration = Duration::from_millis(50);
const PURGE_STEP: usize = 1024;

fn data_file_name(generation: u64, worker: WorkerId) -> String {
    format!("data-{generation:06}-{worker:03}.keel")
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

/// Worker `w`'s part of the checkpoint `meta` names (empty before the first one: replay from 0).
fn last_checkpoint(dir: &Path, meta: &Meta, w: WorkerId) -> Result<WorkerCheckpoint, String> {
    match meta.checkpoint {
        0 => Ok(WorkerCheckpoint::default()),
        round => checkpoint::read(&dir.join(checkpoint::file_name(meta.generation, w, round))),
    }
}

/// Waits until no direct write of a previous process on this directory is still landing in its
/// logs or data files. A node killed with SIGKILL is gone (its lock released) while its io_uring
/// writes can still be in flight for a while; one landing after recovery read the log would
/// overwrite records this run wrote since (see `keel_io::wait_for_direct_writes`).
fn wait_for_previous_writes(dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let file = entry.file_type().is_ok_and(|t| t.is_file());
        if file && (name.starts_with("wal-") || name.starts_with("data-")) {
            keel_io::wait_for_direct_writes(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Everything the workers start from.
pub struct Recovered {
    /// Held until the process exits (see [`lock_data_dir`]).
    pub lock: std::fs::File,
    pub catalog: Catalog,
    pub stores: Vec<Store>,
    pub logs: Vec<LogTail>,
    pub epoch: u32,
    pub next_txn_counter: u64,
    pub next_row_id: i64,
    /// Sequence counters as last logged (see `keel_sql::sequence`).
    pub sequences: keel_sql::sequence::Registry,
    pub summary: String,
    /// The metadata as written at start (generation, last checkpoint round).
    pub meta: Meta,
}

/// Where a worker's log goes on after recovery.
pub struct LogTail {
    pub path: PathBuf,
    /// The bytes from the start of the block holding `end` up to it.
    pub tail: Vec<u8>,
    /// Offset just past the last valid frame.
    pub end: u64,
    /// Parts of committed multi-worker transactions this log lost (recovery applied them from
    /// their anchors' `Parts` frames): appended to it again before the worker serves, with their
    /// `Prepared` frames, so that the log holds them when those frames are cut off.
    pub relog: Vec<wal::LostPart>,
}

/// Reads the data directory and rebuilds the state for `workers` workers: each worker's data file
/// is opened at its last checkpoint image and its log replayed from that checkpoint's cut (see
/// `keel_storage::checkpoint`); with another worker count than last time, the rows move to a new
/// generation of files for the new workers, checkpointed before anything is served.
pub fn recover(config: &Config, workers: usize) -> Result<Recovered, String> {
    let dir = &config.node.data_dir;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))?;
    let lock = lock_data_dir(dir)?;
    wait_for_previous_writes(dir)?;
    // Sorts' and other operators' temporary files left by a killed node.
    let temp = temp_dir(dir);
    let removed = keel_sql::spill::clear_temp_dir(&temp)
        .map_err(|e| format!("cannot clear temporary directory {}: {e}", temp.display()))?;
    if removed > 0 {
        eprintln!(
            "keel: removed {removed} temporary files left in {}",
            temp.display()
        );
    }
    let mut meta = read_meta(dir)?.unwrap_or(Meta {
        format: FORMAT,
        generation: 1,
        workers,
        epoch: 0,
        checkpoint: 0,
    });
    // Older formats are read as they are, then moved into the current one (`regenerate`, which
    // writes the new format into the metadata only once the new files are complete). Format 3's
    // files are format 4's (its logs lack only the frames of one-write commits): the metadata
    // says 4 from this start on, so that an older build refuses logs it would misread.
    let legacy = meta.format < 3;
    match meta.format {
        FORMAT | 2 => {}
        3 => meta.format = FORMAT,
        1 => {
            // Logs only: replayed whole onto empty data files (the old spill files go).
            for w in 0..meta.workers {
                let _ = std::fs::remove_file(dir.join(format!("data-{w}.keel")));
            }
            meta.checkpoint = 0;
        }
        other => {
            return Err(format!(
                "{}: data format {other} is not supported by this build",
                dir.display()
            ))
        }
    }
    meta.epoch += 1;
    write_meta(dir, &meta)?;
    let userfault = config.storage.buffer_mode == "userfault";
    let max_bytes = config.storage.data_file_max_bytes as usize;
    let pool = config.storage.pool_bytes();
    let old_workers = meta.workers;
    // Each old worker's share as of its last checkpoint, its log from that checkpoint's cut, and
    // the multi-worker transactions the checkpoint lists as settled there.
    let mut checkpoints = Vec::with_capacity(old_workers);
    let mut logs = Vec::with_capacity(old_workers);
    let mut settled: HashSet<(WorkerId, TxnId)> = HashSet::new();
    for w in 0..old_workers as WorkerId {
        let checkpoint = last_checkpoint(dir, &meta, w)?;
        logs.push(
            LogFile::read(
                &dir.join(wal::file_name(meta.generation, w)),
                w,
                checkpoint.cut,
            )
            .map_err(|e| format!("reading WAL: {e}"))?,
        );
        settled.extend(checkpoint.store.settled.iter().map(|txn| (w, *txn)));
        checkpoints.push(checkpoint);
    }
    // Which transactions in the logs committed.
    let outcome = wal::decide(&logs, &settled);
    // The newest committed catalog, read before any row is put back: its tables' and indexes'
    // placements (neither ever changes) say which tree each row and entry goes into.
    let catalog = newest_catalog(&checkpoints, &logs, &outcome.committed)?;
    let placements: HashMap<_, _> = (catalog.tables.values())
        .flat_map(|table| {
            let indexes = table
                .indexes
                .iter()
                .map(|index| (index.id, index.placement));
            std::iter::once((table.id, table.placement)).chain(indexes)
        })
        .filter(|&(_, placement)| placement != keel_storage::WHOLE_KEY)
        .collect();
    // Each worker's share as of its checkpoint, then each worker replays its own log.
    let mut stores = Vec::with_capacity(old_workers);
    for (w, checkpoint) in checkpoints.iter().enumerate() {
        let pages = Pages::open_file(
            &dir.join(data_file_name(meta.generation, w as WorkerId)),
            (pool / old_workers as u64) as usize,
            max_bytes,
            userfault,
            &checkpoint.pages,
        )?;
        let mut store = Store::restore(pages, &checkpoint.store, &placements);
        if legacy {
            store.set_legacy();
        }
        stores.push(store);
    }
    drop(checkpoints);
    let wal_bytes: u64 = logs.iter().map(|log| log.bytes.len() as u64).sum();
    for (store, log) in stores.iter_mut().zip(&logs) {
        outcome.replay(log, |record| store.redo(&record));
    }
    let lost_parts = outcome.lost_parts();
    let max_txn = stores
        .iter()
        .map(Store::max_txn)
        .fold(outcome.max_txn, TxnId::max);
    // Rows of tables (and entries of indexes) that no longer exist go.
    for store in &mut stores {
        for table in store.tables() {
            if !catalog.owns_id(table) {
                store.drop_table(table);
            }
        }
    }
    let rows: usize = catalog
        .tables
        .values()
        .map(|table| stores.iter().map(|s| s.row_count(table.id)).sum::<usize>())
        .sum();
    let summary = format!(
        "recovered {} tables, {rows} rows: checkpoint {} of generation {}, then {wal_bytes} bytes of WAL ({} committed transactions replayed, {} incomplete discarded, {lost_parts} parts applied from their anchors' logs)",
        catalog.tables.len(),
        meta.checkpoint,
        meta.generation,
        outcome.committed.len(),
        outcome.discarded
    );
    let regenerated = old_workers != workers || legacy;
    if regenerated {
        stores = regenerate(config, &mut meta, stores, workers)?;
    }
    // Row ids continue after the largest one stored (hidden keys: a tag byte, then the id).
    let mut next_row_id = 1;
    for table in catalog.tables.values().filter(|t| t.primary_key.is_empty()) {
        for store in &stores {
            if let Some(key) = store.last_key(table.id).filter(|key| key.len() == 9) {
                let raw = u64::from_be_bytes(key[1..9].try_into().expect("8 bytes")) ^ (1 << 63);
                next_row_id = next_row_id.max(raw as i64 + 1);
            }
        }
    }
    // Sequences go on from their logged rows (one never used has none: it starts at START).
    let sequences = keel_sql::sequence::Registry::default();
    for seq in catalog.sequences.values() {
        let key = keel_sql::sequence::row_key(seq.id);
        for store in &stores {
            let row = store
                .get(keel_storage::mvcc::Snapshot::latest(0), seq.id, &key)
                .map_err(|_| format!("sequence \"{}\": its row is locked at start", seq.name))?;
            if let Some(row) = row {
                let (last, called) = keel_sql::sequence::decode_state(&row)
                    .map_err(|e| format!("sequence \"{}\": {}", seq.name, e.message))?;
                sequences.load(seq.id, last, called);
            }
        }
    }
    // Where each worker's log goes on: after what was just replayed, or at the start of the new
    // generation's empty logs.
    // (A new generation's images hold the lost parts: nothing to log again there.)
    let mut lost = outcome.lost;
    let logs = (0..workers)
        .map(|w| {
            let path = dir.join(wal::file_name(meta.generation, w as WorkerId));
            match logs.get(w).filter(|_| !regenerated) {
                Some(log) => LogTail {
                    path,
                    tail: wal::tail_of(log),
                    end: log.end(),
                    relog: lost.remove(&log.worker).unwrap_or_default(),
                },
                None => LogTail {
                    path,
                    tail: Vec::new(),
                    end: 0,
                    relog: Vec::new(),
                },
            }
        })
        .collect();
    Ok(Recovered {
        lock,
        catalog,
        stores,
        logs,
        epoch: meta.epoch,
        next_txn_counter: (max_txn >> 8) + 1,
        next_row_id,
        sequences,
        summary,
        meta,
    })
}

/// The newest catalog committed as of the checkpoints and logs (what the stores hold once the
/// logs are replayed: each checkpoint's, then the committed transactions' catalog records); an
/// empty one for a new data directory.
fn newest_catalog(
    checkpoints: &[WorkerCheckpoint],
    logs: &[LogFile],
    committed: &HashSet<TxnId>,
) -> Result<Catalog, String> {
    let in_checkpoints = checkpoints.iter().filter_map(|checkpoint| {
        let (version, image) = checkpoint.store.catalog.as_ref()?;
        Some((*version, image.as_slice()))
    });
    let in_logs = logs.iter().flat_map(|log| {
        log.records().filter_map(|record| match record {
            wal::Record::Catalog {
                txn,
                version,
                image,
            } if committed.contains(&txn) => Some((version, image)),
            _ => None,
        })
    });
    match in_checkpoints
        .chain(in_logs)
        .max_by_key(|(version, _)| *version)
    {
        Some((_, image)) => {
            Catalog::from_image(image).map_err(|e| format!("stored catalog does not parse: {e}"))
        }
        None => Ok(Catalog {
            version: 0,
            next_table_id: 1,
            ..Default::default()
        }),
    }
}

/// Moves every row into a new generation of data files for `workers` workers (rows are owned by
/// vshard, and vshards by `vshard % workers`), checkpoints it with empty logs, switches the
/// metadata file to it and deletes the old generation.
fn regenerate(
    config: &Config,
    meta: &mut Meta,
    old: Vec<Store>,
    workers: usize,
) -> Result<Vec<Store>, String> {
    let dir = &config.node.data_dir;
    let generation = meta.generation + 1;
    let mut stores = (0..workers)
        .map(|w| {
            Pages::create_file(
                &dir.join(data_file_name(generation, w as WorkerId)),
                (config.storage.pool_bytes() / workers as u64) as usize,
                config.storage.data_file_max_bytes as usize,
                config.storage.buffer_mode == "userfault",
            )
            .map(Store::new)
        })
        .collect::<Result<Vec<_>, String>>()?;
    // The rows keep their tables' placements (each old store knows them all).
    if let Some(first) = old.first() {
        for store in &mut stores {
            for (&table, &placement) in first.placements() {
                store.set_placement(table, placement);
            }
        }
    }
    for store in &old {
        for table in store.tables() {
            store
                .scan(
                    keel_storage::mvcc::Snapshot::latest(TxnId::MAX),
                    table,
                    &mut |view| {
                        if let Some(row) = view.visible {
                            let owner = owner_of(store.vshard(table, view.key), workers) as usize;
                            stores[owner].load(table, [(view.key.to_vec(), row.to_vec())]);
                        }
                        true
                    },
                )
                .map_err(|_| "a recovered table is locked".to_string())?;
        }
    }
    let newest = old
        .iter()
        .filter_map(Store::newest_catalog)
        .max_by_key(|(version, _)| *version)
        .cloned();
    let max_txn = old.iter().map(Store::max_txn).max().unwrap_or(0);
    drop(old);
    for (w, store) in stores.iter_mut().enumerate() {
        store.inherit(newest.clone(), max_txn);
        let (image, _) = store.begin_checkpoint();
        let pages = store
            .pages()
            .buffer_manager()
            .finish_checkpoint()
            .map_err(|e| e.to_string())?;
        let path = dir.join(checkpoint::file_name(generation, w as WorkerId, 1));
        checkpoint::write(
            &path,
            &WorkerCheckpoint {
                cut: 0,
                pages,
                store: image,
            },
        )
        .map_err(|e| format!("{}: {e}", path.display()))?;
        let log = dir.join(wal::file_name(generation, w as WorkerId));
        std::fs::File::create(&log)
            .and_then(|file| file.sync_all())
            .map_err(|e| format!("{}: {e}", log.display()))?;
    }
    sync_dir(dir)?;
    let old_meta = meta.clone();
    meta.generation = generation;
    meta.workers = workers;
    meta.checkpoint = 1;
    meta.format = FORMAT;
    write_meta(dir, meta)?;
    for store in &stores {
        store.pages().buffer_manager().checkpoint_durable();
    }
    for w in 0..old_meta.workers as WorkerId {
        let _ = std::fs::remove_file(dir.join(data_file_name(old_meta.generation, w)));
        let _ = std::fs::remove_file(dir.join(wal::file_name(old_meta.generation, w)));
        let _ = std::fs::remove_file(dir.join(checkpoint::file_name(
            old_meta.generation,
            w,
            old_meta.checkpoint,
        )));
    }
    Ok(stores)
}

/// `keel waldump`: prints each worker's log of the current generation from its last checkpoint's
/// cut (or from `from`), frame by frame, where and why each log ends, and which transactions
/// recovery would replay or discard, naming the commit records an incomplete one lacks. Changes
/// nothing; the node must not be running on `dir` (its lock is taken), and writes of a killed one
/// still in flight are waited for first, as at recovery.
pub fn dump_wal(dir: &Path, worker: Option<WorkerId>, from: Option<u64>) -> Result<(), String> {
    let _lock = lock_data_dir(dir)?;
    wait_for_previous_writes(dir)?;
    let meta = read_meta(dir)?.ok_or_else(|| format!("{}: no {META_FILE}", dir.display()))?;
    let mut out = std::io::stdout().lock();
    let mut print = |text: String| writeln!(out, "{text}").map_err(|e| e.to_string());
    print(format!(
        "{}: format {}, generation {}, {} workers, epoch {}, checkpoint {}",
        dir.display(),
        meta.format,
        meta.generation,
        meta.workers,
        meta.epoch,
        meta.checkpoint
    ))?;
    let mut logs = Vec::new();
    let mut settled: HashSet<(WorkerId, TxnId)> = HashSet::new();
    for w in 0..meta.workers as WorkerId {
        let checkpoint = last_checkpoint(dir, &meta, w)?;
        settled.extend(checkpoint.store.settled.iter().map(|txn| (w, *txn)));
        let path = dir.join(wal::file_name(meta.generation, w));
        let log = LogFile::read(&path, w, checkpoint.cut)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if worker.is_none_or(|only| only == w) {
            let start = from.unwrap_or(checkpoint.cut);
            let block = keel_io::round_down(start as usize, keel_io::BLOCK_BYTES) as u64;
            let bytes = keel_io::read_direct_from(&path, block)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let skip = ((start - block) as usize).min(bytes.len());
            print(format!(
                "\n== worker {w}: {}, cut {} (settled there: {} transactions), from offset {start}",
                path.display(),
                checkpoint.cut,
                checkpoint.store.settled.len()
            ))?;
            let mut text = Vec::new();
            wal::dump(&bytes[skip..], start, &mut text).map_err(|e| e.to_string())?;
            print(String::from_utf8_lossy(&text).trim_end().to_string())?;
        }
        logs.push(log);
    }
    let outcome = wal::decide(&logs, &settled);
    print(format!(
        "\nrecovery from checkpoint {}: {} committed transactions replayed, {} incomplete discarded, {} parts applied from their anchors' logs",
        meta.checkpoint,
        outcome.committed.len(),
        outcome.discarded,
        outcome.lost_parts()
    ))?;
    // Each discarded transaction with a commit record somewhere: where it has one, what it lacks.
    let mut found: HashMap<TxnId, (Vec<WorkerId>, Vec<u8>)> = HashMap::new();
    for log in &logs {
        for record in log.records() {
            if let wal::Record::Commit { txn, participants } = record {
                let entry = found
                    .entry(txn)
                    .or_insert_with(|| (Vec::new(), participants.to_vec()));
                entry.0.push(log.worker);
            }
        }
    }
    let mut incomplete: Vec<_> = found
        .into_iter()
        .filter(|(txn, _)| !outcome.committed.contains(txn))
        .collect();
    incomplete.sort_unstable_by_key(|(txn, _)| *txn);
    for (txn, (on, participants)) in incomplete {
        print(format!(
            "  txn {txn}: commit records on workers {on:?} of participants {participants:?}"
        ))?;
    }
    // Committed parts whose worker's log lost them: applied from their anchors' `Parts` frames.
    let mut lost: Vec<_> = outcome.lost.iter().collect();
    lost.sort_unstable_by_key(|(worker, _)| **worker);
    for (worker, parts) in lost {
        for part in parts {
            print(format!(
                "  txn {}: part for worker {worker} at offset {} ({} B) lost from its log, applied from worker {}'s parts frame",
                part.txn,
                part.offset,
                part.frames.len(),
                part.anchor
            ))?;
        }
    }
    Ok(())
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
    /// The activity counters, saved at a clean shutdown ([`Running::save_activity_stats`]).
    pgstat: Arc<keel_sql::pgstat::Registry>,
    data_dir: PathBuf,
}

impl Running {
    /// Saves the activity counters for the next start (a clean shutdown, once the workers
    /// stopped; see `keel_sql::pgstat`).
    pub fn save_activity_stats(&self) -> Result<(), String> {
        let path = self.data_dir.join(PGSTAT_FILE);
        self.pgstat
            .save(&path)
            .map_err(|error| format!("could not write {}: {error}", path.display()))
    }
}

/// The file in the data directory that keeps the activity counters over a clean shutdown.
const PGSTAT_FILE: &str = "keel.pgstat";

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
    let hba = match config.wire.hba_file.as_str() {
        "" => crate::hba::Hba::parse(include_str!("../../../configs/hba.conf"))
            .map_err(|e| format!("built-in configs/hba.conf: {e}"))?,
        path => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read wire.hba_file {path}: {e}"))?;
            crate::hba::Hba::parse(&text).map_err(|e| format!("wire.hba_file {path}: {e}"))?
        }
    };
    let tls = crate::tls::server_config(&config.wire)?;
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
    let statistics = Arc::new(keel_sql::stats::Statistics::open(
        config.node.data_dir.join("keel.stats"),
    ));
    // Live rows start from the last ANALYZE's counts (see `keel_sql::pgstat`).
    let pgstat = Arc::new(keel_sql::pgstat::Registry::new(workers));
    pgstat.seed(
        statistics
            .snapshot()
            .iter()
            .map(|(table, stats)| (*table, stats.reltuples.max(0.0) as i64)),
    );
    // Counters kept over a clean shutdown (see `keel_sql::pgstat`).
    if let Err(error) = pgstat.load(&config.node.data_dir.join(PGSTAT_FILE)) {
        eprintln!("keel: {error}; activity statistics start from zero");
    }
    // With checkpoints on, workers report when their sessions are done and wait for the last
    // checkpoint before they go.
    let checkpoints = config.storage.checkpoint_interval_s > 0.0;
    let (requests_tx, requests_rx) = std::sync::mpsc::channel();
    let node = Arc::new(Node {
        checkpoints: checkpoints.then_some(requests_tx),
        config: config.clone(),
        workers,
        catalog: RwLock::new(Arc::new(recovered.catalog)),
        next_row_id: AtomicI64::new(recovered.next_row_id),
        connections: AtomicUsize::new(0),
        role_connections: Default::default(),
        activity: (0..workers).map(|_| Default::default()).collect(),
        hba,
        tls,
        sequences: Arc::new(recovered.sequences),
        statistics,
        pgstat,
        locks: Default::default(),
        clock: Arc::new(Clock::new(workers)),
        ssi: Arc::new(Ssi::default()),
        waits: Arc::new(WaitGraph::default()),
        senders,
        shutdown,
        version: format!(
            "PostgreSQL 15.0 (Keel {}) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit",
            env!("CARGO_PKG_VERSION")
        ),
    });
    let (controls, control_inboxes): (Vec<_>, Vec<_>) =
        (0..workers).map(|_| mpsc::unbounded_channel()).unzip();
    let cpus = online_cpus();
    let core_ids = core_affinity::get_core_ids().unwrap_or_default();
    let mut threads = Vec::new();
    let dir = config.node.data_dir.clone();
    let generation = recovered.meta.generation;
    let (drained_tx, drained_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = watch::channel(false);
    let mut probe = Some(probe);
    let lock = recovered.lock;
    let stores = recovered.stores.into_iter();
    let logs = recovered.logs.into_iter();
    for (((id, (store, log)), inbox), control) in stores
        .zip(logs)
        .enumerate()
        .zip(receivers)
        .zip(control_inboxes)
    {
        let node = node.clone();
        let checkpoint_files = (dir.clone(), generation);
        let last_checkpoint = checkpoints.then(|| (drained_tx.clone(), done_rx.clone()));
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
                        log,
                        epoch,
                        counter,
                        inbox,
                        control,
                        checkpoint_files,
                        last_checkpoint,
                        listener,
                        listen,
                    ),
                );
            })
            .map_err(|e| format!("cannot spawn worker: {e}"))?;
        threads.push(thread);
    }
    drop(drained_tx);
    if checkpoints {
        let interval = Duration::from_secs_f64(config.storage.checkpoint_interval_s);
        let meta = recovered.meta;
        let shutdown = node.shutdown.clone();
        let stats = node.pgstat.clone();
        let thread = std::thread::Builder::new()
            .name("keel-checkpoint".into())
            .spawn(move || {
                checkpointer(
                    dir,
                    meta,
                    controls,
                    interval,
                    shutdown,
                    drained_rx,
                    done_tx,
                    requests_rx,
                    stats,
                )
            })
            .map_err(|e| format!("cannot spawn the checkpointer: {e}"))?;
        threads.push(thread);
    }
    Ok(Running {
        threads,
        listen,
        _lock: lock,
        pgstat: node.pgstat.clone(),
        data_dir: config.node.data_dir.clone(),
    })
}

/// Turns TCP keepalives on for a client connection, with the configured timings (0: the kernel's).
fn keepalive(stream: &tokio::net::TcpStream, wire: &crate::config::WireConfig) {
    use std::os::fd::AsRawFd;
    let fd = stream.as_raw_fd();
    let set = |level: libc::c_int, option: libc::c_int, value: u32| {
        let value = value as libc::c_int;
        // SAFETY: a valid socket descriptor and an int option value of the right size.
        unsafe {
            libc::setsockopt(
                fd,
                level,
                option,
                (&value as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
    };
    set(libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1);
    for (option, value) in [
        (libc::TCP_KEEPIDLE, wire.tcp_keepalives_idle),
        (libc::TCP_KEEPINTVL, wire.tcp_keepalives_interval),
        (libc::TCP_KEEPCNT, wire.tcp_keepalives_count),
    ] {
        if value > 0 {
            set(libc::IPPROTO_TCP, option, value);
        }
    }
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
    log: LogTail,
    epoch: u32,
    txn_counter: u64,
    inbox: Vec<mpsc::Receiver<Envelope>>,
    mut control: mpsc::UnboundedReceiver<Control>,
    (dir, generation): (PathBuf, u64),
    last_checkpoint: Option<(std::sync::mpsc::Sender<()>, watch::Receiver<bool>)>,
    probe: Option<std::net::TcpListener>,
    listen: SocketAddr,
) {
    let LogTail {
        path: wal_path,
        tail,
        end,
        relog,
    } = log;
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
    // The log's blocks are allocated ahead of its records, so a full disk fails a commit (53100)
    // instead of a log write.
    // With O_DIRECT like the flusher's writes (see `keel_io::allocate_written`).
    match keel_io::open_direct(&wal_path) {
        Ok((file, _)) => wal.reserve_space_in(file),
        Err(error) => {
            eprintln!(
                "keel: FATAL: worker {id}: cannot open WAL {}: {error}",
                wal_path.display()
            );
            std::process::exit(1);
        }
    }
    let flusher = tokio::task::spawn_local(wal.clone().run_flusher(device, tail, arena));
    // Parts this log lost go into it again (they are in the store already), before any commit
    // here and before any checkpoint cut: a later commit's write makes them durable first.
    for part in &relog {
        let appended = wal.append(|emit| {
            part.records().for_each(&mut *emit);
            emit(wal::Record::Prepared {
                txn: part.txn,
                anchor: part.anchor as u8,
            });
        });
        if let Err(error) = appended {
            eprintln!(
                "keel: FATAL: worker {id}: cannot log recovered parts in {}: {error}",
                wal_path.display()
            );
            std::process::exit(1);
        }
    }
    let deadlock_timeout = Duration::from_millis(node.config.storage.deadlock_timeout_ms);
    let shard = Rc::new(Shard::new(
        id,
        store,
        wal.clone(),
        node.clock.clone(),
        node.ssi.clone(),
        node.waits.clone(),
        deadlock_timeout,
        node.sequences.clone(),
        node.pgstat.clone(),
    ));
    node.pgstat
        .add_pool(shard.store.borrow().pages().buffer_manager().clone());
    node.pgstat.add_wal(wal.stats.clone());
    let worker = Rc::new(Worker {
        id,
        node: node.clone(),
        shard: shard.clone(),
        txn_counter: Cell::new(txn_counter),
        snapshots: LocalSnapshots::new(node.clock.clone(), id),
        sessions: RefCell::new(HashMap::new()),
        session_counter: Cell::new(0),
        hot: HotPoll::new(Duration::from_micros(node.config.node.idle_poll_us)),
    });
    tokio::task::spawn_local(serve_mailboxes(worker.clone(), inbox));
    {
        let shard = shard.clone();
        let wal = wal.clone();
        tokio::task::spawn_local(async move {
            while let Some(message) = control.recv().await {
                match message {
                    Control::Checkpoint { round, reply } => {
                        let path = dir.join(checkpoint::file_name(generation, id, round));
                        let _ = reply.send(checkpoint_share(&shard, &wal, &path).await);
                    }
                    Control::SyncLog { reply } => {
                        // Not waited for here: the next message must not wait behind the write.
                        let wal = wal.clone();
                        tokio::task::spawn_local(async move {
                            wal.wait_durable(wal.end()).await;
                            let _ = reply.send(());
                        });
                    }
                    Control::Finished { durable } => {
                        let bm = shard.store.borrow().pages().buffer_manager().clone();
                        if durable {
                            shard.store.borrow_mut().checkpoint_durable();
                            bm.checkpoint_durable();
                        } else {
                            bm.abandon_checkpoint();
                        }
                    }
                }
            }
        });
    }
    // Purge: versions no snapshot can read any more go, in the background, in small steps.
    {
        let shard = shard.clone();
        let clock = node.clock.clone();
        tokio::task::spawn_local(async move {
            loop {
                tokio::time::sleep(PURGE_INTERVAL).await;
                let horizon = clock.horizon();
                while shard.store.borrow_mut().purge(horizon, PURGE_STEP) == PURGE_STEP {
                    tokio::task::yield_now().await;
                }
                shard.take_changes();
                shard.clean_sireads();
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
                keepalive(&stream, &node.config.wire);
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
    wal.wait_durable(wal.end()).await;
    // The last checkpoint (served by the control task meanwhile), so a restart replays nothing.
    if let Some((drained, mut done)) = last_checkpoint {
        let _ = drained.send(());
        let _ = tokio::time::timeout(Duration::from_secs(120), done.wait_for(|done| *done)).await;
    }
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

/// A worker's part of a checkpoint round, done: its cut (a log offset) and how long it took to
/// write its pages, then to sync them and write its checkpoint file.
pub struct Share {
    cut: u64,
    write: Duration,
    sync: Duration,
}

/// This worker's part of a checkpoint round (see `keel_storage::checkpoint`): the cut, the pages
/// written in batches between other work, then the file.
async fn checkpoint_share(shard: &Shard, wal: &Wal, path: &Path) -> Result<Share, String> {
    let started = std::time::Instant::now();
    let (image, committing, cut, bm) = {
        let mut store = shard.store.borrow_mut();
        let (image, committing) = store.begin_checkpoint();
        // The log offset at the same moment: records before it are in the image.
        let cut = wal.end();
        (
            image,
            committing,
            cut,
            store.pages().buffer_manager().clone(),
        )
    };
    while !bm.checkpoint_step(64).map_err(|e| e.to_string())? {
        tokio::task::yield_now().await;
    }
    // Transactions committing at the cut are in the image as committed: wait until they are
    // (one round of log writes, normally). One that never settles fails this round, not the node.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        // Armed before looking: a release after the look wakes it.
        let released = shard.released.notified();
        if shard.store.borrow().settled(&committing) {
            break;
        }
        if tokio::time::timeout_at(deadline, released).await.is_err() {
            return Err("a transaction committing at the cut did not finish within 30 s".into());
        }
    }
    wal.wait_durable(cut).await;
    let write = started.elapsed();
    let pages = bm.finish_checkpoint().map_err(|e| e.to_string())?;
    checkpoint::write(
        path,
        &WorkerCheckpoint {
            cut,
            pages,
            store: image,
        },
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Share {
        cut,
        write,
        sync: started.elapsed() - write,
    })
}

/// A session's CHECKPOINT: answered when the round it asked for is published (or failed).
pub type CheckpointRequest = oneshot::Sender<Result<(), String>>;

/// Runs a checkpoint round every `interval` and whenever a session asks (`requests`) until shutdown, then a last one once every worker has
/// finished its sessions (so that a restart after a clean shutdown replays nothing), then tells the
/// workers they may go (`done`, also sent when the last round cannot run).
#[allow(clippy::too_many_arguments)]
fn checkpointer(
    dir: PathBuf,
    mut meta: Meta,
    controls: Vec<mpsc::UnboundedSender<Control>>,
    interval: Duration,
    shutdown: watch::Receiver<bool>,
    drained: std::sync::mpsc::Receiver<()>,
    done: watch::Sender<bool>,
    requests: std::sync::mpsc::Receiver<CheckpointRequest>,
    stats: Arc<keel_sql::pgstat::Registry>,
) {
    struct Release(watch::Sender<bool>);
    impl Drop for Release {
        fn drop(&mut self) {
            let _ = self.0.send(true);
        }
    }
    let _release = Release(done);
    loop {
        let deadline = std::time::Instant::now() + interval;
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            if *shutdown.borrow() {
                // The last round, once every worker's sessions are done (or a minute passed).
                let until = std::time::Instant::now() + Duration::from_secs(60);
                for _ in 0..controls.len() {
                    let left = until.saturating_duration_since(std::time::Instant::now());
                    if drained.recv_timeout(left).is_err() {
                        return;
                    }
                }
                if let Err(error) = checkpoint_round(&dir, &mut meta, &controls, None) {
                    eprintln!("keel: the checkpoint at shutdown failed: {error}");
                }
                return;
            }
            match requests.recv_timeout(left.min(Duration::from_millis(100))) {
                Ok(first) => {
                    // Every request waiting now is answered by one round, which restarts the
                    // interval (as PostgreSQL's checkpoint_timeout counts from the last one).
                    let waiting: Vec<CheckpointRequest> =
                        std::iter::once(first).chain(requests.try_iter()).collect();
                    let result = checkpoint_round(&dir, &mut meta, &controls, Some((&stats, true)));
                    for reply in waiting {
                        let _ = reply.send(result.clone());
                    }
                    break;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(left.min(Duration::from_millis(100)))
                }
            }
        }
        if std::time::Instant::now() < deadline {
            continue; // a requested round ran
        }
        if let Err(error) = checkpoint_round(&dir, &mut meta, &controls, Some((&stats, false))) {
            if *shutdown.borrow() {
                continue;
            }
            eprintln!(
                "keel: {error}; checkpoint {} stays the latest",
                meta.checkpoint
            );
        }
    }
}

/// Sends every worker the message `ask` makes around a reply channel, then waits for all the
/// answers (from the checkpointer's thread).
fn ask_workers<T>(
    controls: &[mpsc::UnboundedSender<Control>],
    ask: impl Fn(oneshot::Sender<T>) -> Control,
) -> Result<Vec<T>, String> {
    let answers: Vec<_> = controls
        .iter()
        .map(|control| {
            let (reply, answer) = oneshot::channel();
            let _ = control.send(ask(reply));
            answer
        })
        .collect();
    answers
        .into_iter()
        .map(|answer| {
            answer
                .blocking_recv()
                .map_err(|_| "the worker stopped".to_string())
        })
        .collect()
}

/// One checkpoint round over all workers (see `keel_storage::checkpoint`): every worker writes its
/// part, every log is made durable up to its end (after all the cuts: see `Control::SyncLog`),
/// the metadata file names the round, then slots only the previous round needed are freed
/// and the logs before the cuts are given back. A failed round is abandoned everywhere. A round
/// published is counted in `stats` (`pg_stat_bgwriter`), as requested or timed, when given (the
/// one at shutdown is not: the counters are not saved).
fn checkpoint_round(
    dir: &Path,
    meta: &mut Meta,
    controls: &[mpsc::UnboundedSender<Control>],
    stats: Option<(&keel_sql::pgstat::Registry, bool)>,
) -> Result<(), String> {
    let round = meta.checkpoint + 1;
    let started = std::time::Instant::now();
    let cuts = ask_workers(controls, |reply| Control::Checkpoint { round, reply })
        .and_then(|shares| shares.into_iter().collect::<Result<Vec<Share>, String>>());
    let synced = cuts.and_then(|shares| {
        ask_workers(controls, |reply| Control::SyncLog { reply })?;
        Ok(shares)
    });
    let published = synced.and_then(|shares| {
        let mut next = meta.clone();
        next.checkpoint = round;
        sync_dir(dir)?;
        write_meta(dir, &next)?;
        *meta = next;
        Ok(shares)
    });
    let shares = match published {
        Ok(shares) => shares,
        Err(error) => {
            for control in controls {
                let _ = control.send(Control::Finished { durable: false });
            }
            return Err(format!("checkpoint {round} failed: {error}"));
        }
    };
    for control in controls {
        let _ = control.send(Control::Finished { durable: true });
    }
    if let Some((stats, requested)) = stats {
        let slowest = |phase: fn(&Share) -> Duration| {
            let longest = shares.iter().map(phase).max().unwrap_or_default();
            longest.as_secs_f64() * 1000.0
        };
        stats.add_checkpoint(requested, slowest(|s| s.write), slowest(|s| s.sync));
    }
    for (w, share) in shares.iter().enumerate() {
        let w = w as WorkerId;
        let log = dir.join(wal::file_name(meta.generation, w));
        if let Err(error) = wal::punch_prefix(&log, share.cut) {
            eprintln!(
                "keel: checkpoint {round}: cannot trim {}: {error}",
                log.display()
            );
        }
        let previous = checkpoint::file_name(meta.generation, w, round - 1);
        let _ = std::fs::remove_file(dir.join(previous));
    }
    eprintln!(
        "keel: checkpoint {round} done in {} ms",
        started.elapsed().as_millis()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A busy thread on the polling thread's core: the poll round's yield gives it a time slice,
    /// so the window closes and polling cools down; a touch meanwhile does not reopen it.
    #[test]
    fn contended_core_stops_polling() {
        let cores = core_affinity::get_core_ids().unwrap_or_default();
        let Some(&core) = cores.first() else {
            return; // no affinity here: nothing to pin the two threads to
        };
        assert!(core_affinity::set_for_current(core));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let hog = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                core_affinity::set_for_current(core);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let hot = HotPoll::new(Duration::from_micros(50));
        hot.touch();
        // Until the busy thread has been scheduled on the core, a yield may come straight back.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while hot.cool_until.get() <= std::time::Instant::now()
            && std::time::Instant::now() < deadline
        {
            hot.touch();
            runtime.block_on(hot.spin());
        }
        let (closed_at, cool_until) = (hot.until.get(), hot.cool_until.get());
        hot.touch();
        let still_cooling = std::time::Instant::now() < cool_until;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        hog.join().unwrap();
        assert!(
            cool_until > closed_at,
            "a contended yield closes the window and cools down"
        );
        assert_eq!(closed_at + COOL_DOWN, cool_until);
        if still_cooling {
            assert_eq!(
                hot.until.get(),
                closed_at,
                "a touch while cooling down does not reopen it"
            );
        }
    }
}
