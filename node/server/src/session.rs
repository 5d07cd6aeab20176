//! One Postgres connection: the protocol state machine between the socket and `keel_sql::exec`.
//!
//! The codec (`keel_wire`) turns bytes into messages; this module decides what each message means in
//! the session's state (startup, idle, extended-protocol error recovery, COPY IN) and turns results
//! into backend messages. Output is buffered and written when the client waits for it (ReadyForQuery,
//! Flush, CopyInResponse) or when the buffer grows large.
//!
//! A protocol violation (garbage, a truncated or oversized message) gets a FATAL `08P01` and closes
//! this connection only. The session's open transaction is aborted whenever the connection ends.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use keel_sql::auth::{self, Secret};
use keel_sql::bind::SessionInfo;
use keel_sql::catalog::RoleDef;
use keel_sql::error::{code, SqlError};
use keel_sql::exec::{BlockState, Cancel, CopyState, Prepared, QueryResult, Session};
use keel_sql::parse::{split_statements, Parsed};
use keel_sql::plan::OutputColumn;
use keel_sql::types::{
    format_binary, format_text_in, parse_binary, parse_text_in, DataType, Value,
};
use keel_wire::{
    decode_message, decode_startup, BackendWriter, ErrorFields, FieldDescription, FrontendMessage,
    StartupPacket, Target, TransactionStatus,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::hba::Method;
use crate::runtime::{NodeBackends, Worker};
use crate::tls::Stream;
use keel_sql::exec::Cluster;
use keel_sql::system::Activity;

/// Output is written once this much is buffered, even mid-result.
const FLUSH_BYTES: usize = 64 * 1024;

/// Why a connection ends.
enum Close {
    /// The client went away or said Terminate.
    Client,
    /// A protocol violation or a fatal condition: send this FATAL error first.
    Fatal(SqlError),
}

struct Portal {
    statement: Arc<Prepared>,
    params: Vec<Value>,
    result_formats: Vec<i16>,
    /// Rows computed on first Execute and how many were sent.
    result: Option<(QueryResult, usize)>,
    /// A FETCH from the SQL cursor an Execute named, with the Execute's row limit (see
    /// [`Connection::execute_cursor`]).
    from_cursor: Option<u64>,
}

struct Connection {
    stream: Stream,
    input: Vec<u8>,
    /// Bytes of `input` already consumed.
    consumed: usize,
    out: BackendWriter,
    worker: Rc<Worker>,
    session: Session,
    cancel: Rc<Cancel>,
    portals: HashMap<String, Portal>,
    /// After an error in extended query mode, messages are skipped until Sync.
    skip_until_sync: bool,
    /// Statements executed since the last Sync share one implicit transaction (as in PostgreSQL),
    /// committed at Sync unless a BEGIN made it explicit.
    extended_block: bool,
    max_message_bytes: usize,
    /// The client said Terminate (a session that ends without it was abandoned).
    said_goodbye: bool,
    /// Names of reg* values already sent (`keel_sql::bind::reg_output`, a lookup over every
    /// relation), for the catalog and search path they were named under.
    reg_names: RegNames,
}

/// The cache of [`Connection::reg_names`]: valid while the catalog image, the search path and
/// the role (`$user` in the path) it was filled under are the session's.
#[derive(Default)]
struct RegNames {
    catalog: Option<std::sync::Arc<keel_sql::catalog::Catalog>>,
    search_path: Vec<String>,
    user: String,
    names: HashMap<(keel_sql::types::RegKind, i64), String>,
}

fn fields(error: &SqlError, severity: &'static str) -> ErrorFields {
    ErrorFields {
        severity,
        code: error.code.to_string(),
        message: error.message.clone(),
        detail: error.detail.as_deref().map(str::to_string),
        hint: error.hint.as_deref().map(str::to_string),
        position: error.position,
        context: error.context.as_deref().map(str::to_string),
    }
}

/// The end of a session shut down by the node or by pg_terminate_backend.
fn terminated() -> Close {
    Close::Fatal(SqlError::new(
        code::ADMIN_SHUTDOWN,
        "terminating connection due to administrator command",
    ))
}

fn protocol_error(message: impl Into<String>) -> Close {
    Close::Fatal(SqlError::new(code::PROTOCOL_VIOLATION, message))
}

/// A password message's text (a C string).
fn cstring(body: &[u8]) -> &str {
    let end = body.iter().position(|&b| b == 0).unwrap_or(body.len());
    std::str::from_utf8(&body[..end]).unwrap_or("")
}

/// A SASLInitialResponse: the mechanism the client chose and its client-first-message.
fn sasl_initial_response(body: &[u8]) -> Result<(&str, &[u8]), Close> {
    let malformed = || protocol_error("malformed SASLInitialResponse message");
    let end = body.iter().position(|&b| b == 0).ok_or_else(malformed)?;
    let mechanism = std::str::from_utf8(&body[..end]).map_err(|_| malformed())?;
    let rest = &body[end + 1..];
    let length = rest
        .get(..4)
        .map(|b| i32::from_be_bytes(b.try_into().expect("4 bytes")))
        .ok_or_else(malformed)?;
    let data = &rest[4..];
    if length < 0 || length as usize != data.len() {
        return Err(malformed());
    }
    Ok((mechanism, data))
}

fn auth_close(failure: auth::AuthFailure, user: &str) -> Close {
    match failure {
        auth::AuthFailure::Protocol(message) => protocol_error(message),
        auth::AuthFailure::Failed => Close::Fatal(SqlError::new(
            code::INVALID_PASSWORD,
            format!("password authentication failed for user \"{user}\""),
        )),
    }
}

/// Serves one connection until it closes.
pub async fn run(stream: TcpStream, peer: SocketAddr, worker: Rc<Worker>) {
    let max_message_bytes = worker.node.config.wire.max_message_bytes;
    let cancel = Rc::new(Cancel::default());
    let info = SessionInfo {
        database: String::new(),
        user: String::new(),
        version: worker.node.version.clone(),
        settings: Vec::new(),
        pid: 0,
        activity: Vec::new(),
        locks: Vec::new(),
        sizes: Vec::new(),
        sequence_states: Vec::new(),
        search_path: Vec::new(),
        session_user: String::new(),
        statistics: Default::default(),
        activity_stats: None,
        timezone: None,
        prepared: Vec::new(),
        cursors: Vec::new(),
        hba_rules: Vec::new(),
        file_settings: Vec::new(),
    };
    let mut connection = Connection {
        stream: Stream::Plain(stream),
        input: Vec::with_capacity(8192),
        consumed: 0,
        out: BackendWriter::default(),
        worker: worker.clone(),
        session: Session::new(info),
        cancel: cancel.clone(),
        portals: HashMap::new(),
        skip_until_sync: false,
        extended_block: false,
        max_message_bytes,
        said_goodbye: false,
        reg_names: RegNames::default(),
    };
    let mut pid = None;
    let mut counted = false;
    let mut role_counted = None;
    let outcome = match connection.startup(peer).await {
        Ok(Some(role)) => {
            counted = true;
            let open = worker.node.connections.fetch_add(1, Ordering::SeqCst);
            let role_open = {
                let mut per_role = worker.node.role_connections.lock().expect("never poisoned");
                let count = per_role.entry(role.name.clone()).or_default();
                *count += 1;
                role_counted = Some(role.name.clone());
                *count - 1
            };
            if open >= worker.node.config.wire.max_connections {
                // Only the refusal goes out, not the startup's answer (as in PostgreSQL).
                connection.out.buf.clear();
                Close::Fatal(SqlError::new(
                    code::TOO_MANY_CONNECTIONS,
                    "sorry, too many clients already",
                ))
            } else if !role.superuser
                && role.connection_limit >= 0
                && role_open >= role.connection_limit as usize
            {
                connection.out.buf.clear();
                Close::Fatal(SqlError::new(
                    code::TOO_MANY_CONNECTIONS,
                    format!("too many connections for role \"{}\"", role.name),
                ))
            } else {
                let (process_id, secret) = worker.register_session(cancel);
                pid = Some(process_id);
                connection.register_activity(process_id, peer);
                // A temporary schema of this process id is one a killed node left behind.
                connection.session.drop_temp_schema(worker.as_ref()).await;
                connection.out.backend_key_data(process_id, secret);
                connection.out.ready_for_query(TransactionStatus::Idle);
                match connection.flush().await {
                    Ok(()) => connection.serve().await,
                    Err(close) => close,
                }
            }
        }
        Ok(None) => Close::Client,
        Err(close) => close,
    };
    if let Some(pid) = pid {
        // How the session ended, and its time, in pg_stat_database.
        let ended = keel_sql::types::now_timestamp();
        let mut started = ended;
        worker.note_activity(pid, |a| {
            a.state_change = ended;
            started = a.backend_start;
        });
        keel_sql::exec::count_activity(worker.as_ref(), |slot| {
            let db = &mut slot.database;
            db.session_time += (ended - started).max(0);
            match &outcome {
                Close::Fatal(error) if error.code == code::ADMIN_SHUTDOWN => {
                    db.sessions_killed += 1
                }
                Close::Fatal(_) => db.sessions_fatal += 1,
                Close::Client if !connection.said_goodbye => db.sessions_abandoned += 1,
                Close::Client => {}
            }
        });
    }
    if let Close::Fatal(error) = outcome {
        connection.out.error_response(&fields(&error, "FATAL"));
        let _ = connection.flush().await;
    }
    connection.session.close(worker.as_ref()).await;
    if let Some(pid) = pid {
        worker.unregister_session(pid);
        worker.node.activity[worker.id as usize]
            .lock()
            .expect("never poisoned")
            .remove(&pid);
    }
    if counted {
        worker.node.connections.fetch_sub(1, Ordering::SeqCst);
    }
    if let Some(name) = role_counted {
        let mut per_role = worker.node.role_connections.lock().expect("never poisoned");
        if let Some(count) = per_role.get_mut(&name) {
            *count -= 1;
            if *count == 0 {
                per_role.remove(&name);
            }
        }
    }
}

impl Connection {
    async fn flush(&mut self) -> Result<(), Close> {
        if !self.out.buf.is_empty() {
            self.stream
                .write_all(&self.out.buf)
                .await
                .map_err(|_| Close::Client)?;
            if self.stream.is_tls() {
                self.stream.flush().await.map_err(|_| Close::Client)?;
            }
            self.out.buf.clear();
        }
        Ok(())
    }

    /// Reads more bytes; returns false at end of stream. Idle sessions also watch for shutdown.
    async fn fill(&mut self) -> Result<bool, Close> {
        if self.consumed > 0 {
            self.input.drain(..self.consumed);
            self.consumed = 0;
        }
        self.input.reserve(8192);
        let mut shutdown = self.worker.node.shutdown.clone();
        tokio::select! {
            read = self.stream.read_buf(&mut self.input) => match read {
                Ok(0) | Err(_) => Ok(false),
                Ok(_) => Ok(true),
            },
            _ = shutdown.wait_for(|stop| *stop) => Err(terminated()),
            _ = self.cancel.terminated() => Err(terminated()),
        }
    }

    /// Handles SSL/GSS refusals, cancel requests, the startup message and authentication; returns
    /// the authenticated role. `Ok(None)`: the connection was only a cancel request.
    async fn startup(&mut self, peer: SocketAddr) -> Result<Option<RoleDef>, Close> {
        loop {
            let packet = loop {
                match decode_startup(&self.input[self.consumed..], self.max_message_bytes) {
                    Ok(Some((packet, used))) => {
                        self.consumed += used;
                        break packet;
                    }
                    Ok(None) => {
                        if !self.fill().await? {
                            return Err(Close::Client);
                        }
                    }
                    Err(error) => return Err(protocol_error(error.0)),
                }
            };
            match packet {
                StartupPacket::SslRequest => match self.worker.node.tls.clone() {
                    Some(tls) if !self.stream.is_tls() => {
                        // Nothing may come between the request and the handshake.
                        if self.consumed < self.input.len() {
                            return Err(protocol_error(
                                "received unencrypted data after SSL request",
                            ));
                        }
                        self.out.buf.push(b'S');
                        self.flush().await?;
                        if self.stream.upgrade(tls.config).await.is_err() {
                            return Err(Close::Client);
                        }
                    }
                    Some(_) => return Err(protocol_error("unexpected SSLRequest inside TLS")),
                    None => {
                        self.out.refuse_encryption();
                        self.flush().await?;
                    }
                },
                StartupPacket::GssEncRequest => {
                    self.out.refuse_encryption();
                    self.flush().await?;
                }
                StartupPacket::Cancel {
                    process_id,
                    secret_key,
                } => {
                    self.worker.cancel(process_id, secret_key).await;
                    return Ok(None);
                }
                StartupPacket::Startup { parameters, .. } => {
                    if self.worker.node.config.wire.loopback_only && !peer.ip().is_loopback() {
                        return Err(Close::Fatal(SqlError::new(
                            code::INVALID_AUTHORIZATION,
                            format!("no pg_hba.conf entry for host \"{}\", user, database: Keel accepts loopback connections only", peer.ip()),
                        )));
                    }
                    let get = |name: &str| {
                        parameters
                            .iter()
                            .find(|(k, _)| k == name)
                            .map(|(_, v)| v.clone())
                    };
                    let user = get("user").unwrap_or_default();
                    if user.is_empty() {
                        return Err(Close::Fatal(SqlError::new(
                            code::INVALID_AUTHORIZATION,
                            "no PostgreSQL user name specified in startup packet",
                        )));
                    }
                    let database = get("database")
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| user.clone());
                    let role = self.authenticate(peer, &user, &database).await?;
                    if database != "postgres" && database != "keel" {
                        return Err(Close::Fatal(SqlError::new(
                            code::INVALID_CATALOG_NAME,
                            format!("database \"{database}\" does not exist"),
                        )));
                    }
                    self.session.info.user = user.clone();
                    self.session.info.session_user = user.clone();
                    self.session.info.database = database;
                    self.session.settings = keel_sql::exec::Settings::new(&user);
                    let wire = &self.worker.node.config.wire;
                    for (name, value) in [
                        ("max_connections", wire.max_connections.to_string()),
                        ("tcp_keepalives_idle", wire.tcp_keepalives_idle.to_string()),
                        (
                            "tcp_keepalives_interval",
                            wire.tcp_keepalives_interval.to_string(),
                        ),
                        (
                            "tcp_keepalives_count",
                            wire.tcp_keepalives_count.to_string(),
                        ),
                    ] {
                        self.session
                            .settings
                            .set(name, Some(&value), true)
                            .map_err(Close::Fatal)?;
                    }
                    let superuser = if role.superuser { "on" } else { "off" };
                    self.session
                        .settings
                        .set("is_superuser", Some(superuser), true)
                        .map_err(Close::Fatal)?;
                    // ALTER DATABASE ... SET defaults, the role's over them, then the startup
                    // packet's (which win). A stored value that no longer applies is passed
                    // over.
                    // ALTER ROLE ALL SET (every database) first, then ALTER DATABASE's.
                    let catalog = self.worker.catalog();
                    let database = Some(self.session.info.database.as_str());
                    let database_settings: Vec<(String, String)> = [None, database]
                        .iter()
                        .flat_map(|db| {
                            catalog
                                .database_settings
                                .iter()
                                .filter(move |s| s.database.as_deref() == *db)
                        })
                        .map(|s| (s.name.clone(), s.value.clone()))
                        .collect();
                    for (name, value) in database_settings
                        .into_iter()
                        .chain(role.settings_for(&self.session.info.database))
                    {
                        let _ = self.session.settings.set(&name, Some(&value), true);
                    }
                    for (name, value) in &parameters {
                        match name.as_str() {
                            "user" | "database" | "replication" => {}
                            "options" => {
                                // `-c name=value` pairs, as libpq's PGOPTIONS sends them.
                                let mut words = value.split_whitespace();
                                while let Some(word) = words.next() {
                                    let setting = if word == "-c" {
                                        words.next().unwrap_or("")
                                    } else {
                                        word.trim_start_matches("--")
                                    };
                                    if let Some((k, v)) = setting.split_once('=') {
                                        self.session
                                            .settings
                                            .set(k, Some(v), true)
                                            .map_err(Close::Fatal)?;
                                    }
                                }
                            }
                            _ => {
                                self.session
                                    .settings
                                    .set(name, Some(value), true)
                                    .map_err(Close::Fatal)?;
                            }
                        }
                    }
                    // A search_path from the startup packet (pgjdbc's currentSchema, PGOPTIONS).
                    self.session.refresh_search_path();
                    self.out.authentication_ok();
                    for (name, value) in self.session.settings.reported() {
                        self.out.parameter_status(&name, &value);
                    }
                    return Ok(Some(role));
                }
            }
        }
    }

    /// Authenticates `user` as the first matching `wire.hba_file` rule says (see `hba.rs` and
    /// `keel_sql::auth`), then checks that the role may log in. Whether the role exists is told only
    /// after its password was proven (or trusted).
    async fn authenticate(
        &mut self,
        peer: SocketAddr,
        user: &str,
        database: &str,
    ) -> Result<RoleDef, Close> {
        let role = self.worker.catalog().role(user);
        let secret = role.as_ref().and_then(|r| r.password.clone());
        let secret = secret.as_deref();
        let failed = || {
            Close::Fatal(SqlError::new(
                code::INVALID_PASSWORD,
                format!("password authentication failed for user \"{user}\""),
            ))
        };
        let host = peer.ip();
        let tls = self.stream.is_tls();
        let encryption = if tls {
            "SSL encryption"
        } else {
            "no encryption"
        };
        let by_password = match self.worker.node.hba.method(host, database, user, tls) {
            None => {
                return Err(Close::Fatal(SqlError::new(
                    code::INVALID_AUTHORIZATION,
                    format!("no pg_hba.conf entry for host \"{host}\", user \"{user}\", database \"{database}\", {encryption}"),
                )))
            }
            Some(Method::Reject) => {
                return Err(Close::Fatal(SqlError::new(
                    code::INVALID_AUTHORIZATION,
                    format!("pg_hba.conf rejects connection for host \"{host}\", user \"{user}\", database \"{database}\", {encryption}"),
                )))
            }
            Some(Method::Trust) => false,
            Some(Method::Md5) if !matches!(secret.and_then(Secret::parse), Some(Secret::Scram { .. })) => {
                let salt = auth::md5_salt();
                self.out.authentication_md5(salt);
                let response = self.read_password().await?;
                if !auth::md5_response_matches(secret, salt, cstring(&response)) {
                    return Err(failed());
                }
                true
            }
            Some(Method::ScramSha256 | Method::Md5) => {
                let mut exchange = auth::ScramExchange::new(user, secret);
                if let (true, Some(node_tls)) = (tls, &self.worker.node.tls) {
                    exchange = exchange.with_channel_binding(node_tls.end_point.clone());
                }
                self.out.authentication_sasl(exchange.mechanisms());
                let initial = self.read_password().await?;
                let (mechanism, data) = sasl_initial_response(&initial)?;
                let first = exchange
                    .server_first(mechanism, data)
                    .map_err(|f| auth_close(f, user))?;
                self.out.authentication_sasl_data(&first, false);
                let response = self.read_password().await?;
                let last = exchange
                    .server_final(&response)
                    .map_err(|f| auth_close(f, user))?;
                self.out.authentication_sasl_data(&last, true);
                true
            }
            Some(Method::Password) => {
                self.out.authentication_cleartext();
                let response = self.read_password().await?;
                if !auth::password_matches(secret, user, cstring(&response)) {
                    return Err(failed());
                }
                true
            }
        };
        let Some(role) = role else {
            return Err(if by_password {
                failed()
            } else {
                Close::Fatal(SqlError::new(
                    code::INVALID_AUTHORIZATION,
                    format!("role \"{user}\" does not exist"),
                ))
            });
        };
        // An expired password proves nothing (PostgreSQL's VALID UNTIL).
        if by_password
            && role
                .valid_until
                .is_some_and(|until| until < keel_sql::types::now_timestamp())
        {
            return Err(failed());
        }
        if !role.login {
            return Err(Close::Fatal(SqlError::new(
                code::INVALID_AUTHORIZATION,
                format!("role \"{user}\" is not permitted to log in"),
            )));
        }
        Ok(role)
    }

    /// The body of the client's next message, which must be a password/SASL response (`p`).
    async fn read_password(&mut self) -> Result<Vec<u8>, Close> {
        match self.next_message().await? {
            FrontendMessage::Password(body) => Ok(body),
            // A client that cannot answer (psql about to prompt) just goes.
            FrontendMessage::Terminate => Err(Close::Client),
            _ => Err(protocol_error(
                "expected password response, got another message type",
            )),
        }
    }

    /// The next message, reading (and first flushing pending output) as needed.
    async fn next_message(&mut self) -> Result<FrontendMessage, Close> {
        loop {
            match decode_message(&self.input[self.consumed..], self.max_message_bytes) {
                Ok(Some((message, used))) => {
                    self.consumed += used;
                    return Ok(message);
                }
                Ok(None) => {
                    self.flush().await?;
                    if !self.fill().await? {
                        return Err(Close::Client);
                    }
                }
                Err(error) => return Err(protocol_error(error.0)),
            }
        }
    }

    /// The message loop after startup.
    async fn serve(&mut self) -> Close {
        loop {
            let message = match self.idle_timeout() {
                Some(limit) => match tokio::time::timeout(limit, self.next_message()).await {
                    Ok(message) => message,
                    Err(_) => {
                        return Close::Fatal(SqlError::new(
                            code::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                            "terminating connection due to idle-in-transaction timeout",
                        ))
                    }
                },
                None => self.next_message().await,
            };
            let step = match message {
                Ok(message) => self.handle(message).await,
                Err(close) => return close,
            };
            if let Err(close) = step {
                return close;
            }
            if self.cancel.is_terminated() {
                return terminated();
            }
            if self.out.buf.len() >= FLUSH_BYTES {
                if let Err(close) = self.flush().await {
                    return close;
                }
            }
        }
    }

    fn status(&self) -> TransactionStatus {
        match self.session.block_state() {
            BlockState::Idle => TransactionStatus::Idle,
            BlockState::InBlock => TransactionStatus::InBlock,
            BlockState::Failed => TransactionStatus::Failed,
        }
    }

    /// Sends a NOTICE or WARNING unless `client_min_messages` is above its severity.
    fn send_notice(&mut self, notice: &SqlError) {
        let severity = notice.notice_severity();
        let shown = match self.session.settings.get("client_min_messages") {
            Some("error") => false,
            Some("warning") => severity == "WARNING",
            _ => true,
        };
        if shown {
            self.out.notice_response(&fields(notice, severity));
        }
    }

    fn send_error(&mut self, error: &SqlError) {
        for notice in self.session.take_notices() {
            self.send_notice(&notice);
        }
        // pg_terminate_backend canceled it: the session's FATAL says why, not this.
        if self.cancel.is_terminated() {
            return;
        }
        self.out.error_response(&fields(error, "ERROR"));
    }

    /// `idle_in_transaction_session_timeout` while a transaction block waits for the client.
    fn idle_timeout(&self) -> Option<std::time::Duration> {
        if self.session.block_state() == BlockState::Idle {
            return None;
        }
        let ms = self.session.settings.idle_in_transaction_timeout_ms();
        (ms > 0).then(|| std::time::Duration::from_millis(ms))
    }

    /// Enters this session in its worker's `pg_stat_activity` map.
    fn register_activity(&mut self, pid: i32, peer: SocketAddr) {
        self.session.info.pid = pid;
        self.session.backends = Some(Rc::new(NodeBackends(self.worker.clone())));
        let now = keel_sql::types::now_timestamp();
        let activity = Activity {
            pid,
            user: self.session.info.user.clone(),
            database: self.session.info.database.clone(),
            application_name: self
                .session
                .settings
                .get("application_name")
                .unwrap_or("")
                .to_string(),
            client_addr: peer.ip().to_string(),
            client_port: peer.port() as i32,
            backend_start: now,
            xact_start: None,
            query_start: None,
            state_change: now,
            state: "idle",
            query: String::new(),
            txn_cell: self.session.txn_id.clone(),
            txn: None,
            waiting_for: Vec::new(),
            ssl: self.stream.ssl_info(),
        };
        self.worker.node.activity[self.worker.id as usize]
            .lock()
            .expect("never poisoned")
            .insert(pid, activity);
        keel_sql::exec::count_activity(self.worker.as_ref(), |slot| slot.database.sessions += 1);
    }

    /// The session starts running `query` (`pg_stat_activity`).
    fn note_active(&self, query: &str) {
        let now = keel_sql::types::now_timestamp();
        self.worker.note_activity(self.session.info.pid, |a| {
            a.state = "active";
            a.query.clear();
            a.query.push_str(query);
            a.query_start = Some(now);
            a.state_change = now;
            a.xact_start.get_or_insert(now);
        });
    }

    /// The session waits for its client again.
    fn note_idle(&self) {
        let state = match self.session.block_state() {
            BlockState::Idle => "idle",
            BlockState::InBlock => "idle in transaction",
            BlockState::Failed => "idle in transaction (aborted)",
        };
        let now = keel_sql::types::now_timestamp();
        self.worker.note_activity(self.session.info.pid, |a| {
            a.state = state;
            a.state_change = now;
            if state == "idle" {
                a.xact_start = None;
            }
        });
    }

    async fn handle(&mut self, message: FrontendMessage) -> Result<(), Close> {
        if self.skip_until_sync
            && !matches!(message, FrontendMessage::Sync | FrontendMessage::Terminate)
        {
            return Ok(());
        }
        match message {
            FrontendMessage::Query(sql) => {
                self.note_active(&sql);
                self.simple_query(&sql).await?;
                self.note_idle();
                self.out.ready_for_query(self.status());
                self.flush().await?;
            }
            FrontendMessage::Parse {
                name,
                query,
                param_types,
            } => {
                if let Err(error) = self.parse(name, &query, &param_types) {
                    self.extended_error(&error);
                } else {
                    self.out.parse_complete();
                }
            }
            FrontendMessage::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            } => match self.bind(&statement, &param_formats, params, result_formats) {
                Ok(bound) => {
                    self.portals.insert(portal, bound);
                    self.out.bind_complete();
                }
                Err(error) => self.extended_error(&error),
            },
            FrontendMessage::Describe { target, name } => {
                if let Err(error) = self.describe(target, &name) {
                    self.extended_error(&error);
                }
            }
            FrontendMessage::Execute { portal, max_rows } => {
                if let Some(bound) = self.portals.get(&portal) {
                    self.note_active(&bound.statement.text);
                }
                if let Err(error) = self.execute(&portal, max_rows).await? {
                    self.extended_error(&error);
                }
            }
            FrontendMessage::Close { target, name } => {
                match target {
                    Target::Statement => drop(self.session.statements.remove(&name)),
                    // Portals and SQL cursors share one namespace.
                    Target::Portal => {
                        if self.portals.remove(&name).is_none() {
                            self.session.close_cursor(&name);
                        }
                    }
                }
                self.out.close_complete();
            }
            FrontendMessage::Sync => {
                self.skip_until_sync = false;
                self.portals.remove("");
                if self.extended_block {
                    self.extended_block = false;
                    let worker = self.worker.clone();
                    if let Err(error) = self.session.end_query_string(worker.as_ref()).await {
                        self.send_error(&error);
                    }
                }
                self.note_idle();
                self.out.ready_for_query(self.status());
                self.flush().await?;
            }
            FrontendMessage::Flush => self.flush().await?,
            FrontendMessage::Terminate => {
                self.said_goodbye = true;
                return Err(Close::Client);
            }
            FrontendMessage::CopyData(_)
            | FrontendMessage::CopyDone
            | FrontendMessage::CopyFail(_) => {
                // Outside COPY these are ignored, as PostgreSQL does after a failed COPY.
            }
            FrontendMessage::Password(_) => {
                return Err(protocol_error("unexpected password message"))
            }
        }
        Ok(())
    }

    fn extended_error(&mut self, error: &SqlError) {
        self.send_error(error);
        self.skip_until_sync = true;
    }

    async fn simple_query(&mut self, sql: &str) -> Result<(), Close> {
        self.cancel.reset();
        let statements = split_statements(sql);
        if statements.is_empty() {
            self.out.empty_query_response();
            return Ok(());
        }
        // An unnamed portal/statement does not survive a simple query.
        self.session.statements.remove("");
        self.portals.remove("");
        self.session.begin_query_string(statements.len());
        let worker = self.worker.clone();
        for statement in &statements {
            self.session.refresh_statistics(worker.as_ref());
            let catalog = self.session.catalog(worker.as_ref());
            let prepared =
                match self
                    .session
                    .prepare(&catalog, statement.text, statement.offset, Vec::new())
                {
                    // A simple query has no parameters: a `$n` in it is PostgreSQL's 42P02.
                    Ok(prepared) if !prepared.param_types.is_empty() => {
                        let (at, number) = keel_sql::parse::first_parameter(statement.text)
                            .unwrap_or((0, "1".into()));
                        let error = SqlError::new(
                            code::UNDEFINED_PARAMETER,
                            format!("there is no parameter ${number}"),
                        )
                        .at(Some(statement.offset + at + 1));
                        self.session.fail(worker.as_ref()).await;
                        self.send_error(&error);
                        break;
                    }
                    Ok(prepared) => prepared,
                    Err(error) => {
                        let error = statement.locate_end_error(error);
                        self.session.fail(worker.as_ref()).await;
                        self.send_error(&error);
                        break;
                    }
                };
            let shows_source = matches!(
                prepared.parsed,
                Some(Parsed::Declare { .. } | Parsed::Prepare { .. })
            );
            if shows_source {
                self.session.source = sql.to_string();
            }
            let executed = self
                .session
                .execute(worker.as_ref(), &prepared, &[], &self.cancel)
                .await;
            if shows_source {
                self.session.source.clear();
            }
            self.session.finish_discard(worker.as_ref()).await;
            match executed {
                Ok(result) => match self.send_result_as_asked(result).await? {
                    Ok(Some(state)) => {
                        if !self.copy_in(state).await? {
                            break;
                        }
                    }
                    Ok(None) => {}
                    Err(error) => {
                        // Reading the result back failed (a temporary file).
                        self.session.fail(worker.as_ref()).await;
                        self.send_error(&error);
                        break;
                    }
                },
                Err(error) => {
                    self.send_error(&error);
                    break;
                }
            }
        }
        if let Err(error) = self.session.end_query_string(worker.as_ref()).await {
            self.send_error(&error);
        }
        Ok(())
    }

    /// A simple query's result: in text, but in binary for a FETCH from a BINARY cursor (as in
    /// PostgreSQL; through the protocol's Bind the client chooses).
    async fn send_result_as_asked(
        &mut self,
        result: QueryResult,
    ) -> Result<Result<Option<CopyState>, SqlError>, Close> {
        let formats: &[i16] = if result.binary { &[1] } else { &[] };
        self.send_result(result, formats, None).await
    }

    /// Sends notices, setting reports, then rows and the tag. Returns a COPY state when the
    /// statement switches to copy-in, or the error that ended a streamed result early (its
    /// rows so far are sent, the tag is not).
    async fn send_result(
        &mut self,
        mut result: QueryResult,
        formats: &[i16],
        describe: Option<()>,
    ) -> Result<Result<Option<CopyState>, SqlError>, Close> {
        for notice in &result.notices {
            self.send_notice(notice);
        }
        for (name, value) in &result.reports {
            self.out.parameter_status(name, value);
            if name == "application_name" {
                let value = value.clone();
                self.worker
                    .note_activity(self.session.info.pid, |a| a.application_name = value);
            }
        }
        if let Some(state) = result.copy {
            self.out
                .copy_in_response(state.columns.len(), state.options.binary);
            return Ok(Ok(Some(state)));
        }
        if let Some(mut copy) = result.copy_out.take() {
            if let Err(error) = self.send_copy_out(&mut copy).await? {
                return Ok(Err(error));
            }
            self.out.command_complete(&result.tag);
            return Ok(Ok(None));
        }
        if describe.is_none() && !result.columns.is_empty() {
            self.row_description(&result.columns, formats);
        }
        for row in &result.rows {
            self.data_row(row, &result.columns, formats)
                .map_err(Close::Fatal)?;
        }
        if let Some(mut stream) = result.stream.take() {
            if let Err(error) = self
                .send_stream(&mut stream, usize::MAX, &result.columns, formats)
                .await?
            {
                return Ok(Err(error));
            }
        }
        self.out.command_complete(&result.tag);
        Ok(Ok(None))
    }

    /// Sends COPY TO STDOUT's CopyOutResponse, its messages (written whenever a buffer's worth
    /// is ready) and CopyDone.
    async fn send_copy_out(
        &mut self,
        copy: &mut keel_sql::exec::CopyOut,
    ) -> Result<Result<(), SqlError>, Close> {
        self.out.copy_out_response(copy.columns, copy.binary);
        loop {
            match copy.next_message() {
                Ok(Some(message)) => self.out.copy_data(&message),
                Ok(None) => break,
                Err(error) => return Ok(Err(error)),
            }
            if let Err(error) = self.flush_mid_result().await? {
                return Ok(Err(error));
            }
        }
        self.out.copy_done();
        Ok(Ok(()))
    }

    /// Writes the output once a buffer's worth of a long result is ready; then a terminated
    /// session closes, and a cancel (or statement_timeout) ends the result, as in PostgreSQL.
    async fn flush_mid_result(&mut self) -> Result<Result<(), SqlError>, Close> {
        if self.out.buf.len() >= FLUSH_BYTES {
            self.flush().await?;
            if self.cancel.is_terminated() {
                return Err(terminated());
            }
            if let Err(error) = self.cancel.check() {
                return Ok(Err(error));
            }
        }
        Ok(Ok(()))
    }

    /// Sends up to `max` rows of a streamed result, writing the output whenever a buffer's
    /// worth is ready, so a result in temporary files never gathers in memory.
    async fn send_stream(
        &mut self,
        stream: &mut keel_sql::spill::SortedRows,
        max: usize,
        columns: &[OutputColumn],
        formats: &[i16],
    ) -> Result<Result<(), SqlError>, Close> {
        for _ in 0..max {
            let row = match stream.next_row() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(error) => return Ok(Err(error)),
            };
            if let Err(error) = self.data_row(&row, columns, formats) {
                return Ok(Err(error));
            }
            if let Err(error) = self.flush_mid_result().await? {
                return Ok(Err(error));
            }
        }
        Ok(Ok(()))
    }

    fn row_description(&mut self, columns: &[OutputColumn], formats: &[i16]) {
        let catalog = self.session.catalog(self.worker.as_ref());
        let fields: Vec<FieldDescription> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| FieldDescription {
                name: column.name.clone(),
                table_oid: column.source.map_or(0, |(table, _)| table as u32 + 16_384),
                column: column.source.map_or(0, |(_, attnum)| attnum),
                type_oid: column.ty.oid(),
                type_size: column.ty.size(),
                type_modifier: column.declared_type(&catalog).type_modifier(),
                format: format_of(formats, i),
            })
            .collect();
        self.out.row_description(&fields);
    }

    fn data_row(
        &mut self,
        row: &[Value],
        columns: &[OutputColumn],
        formats: &[i16],
    ) -> Result<(), SqlError> {
        let at = self.out.data_row_begin(row.len());
        let mut text = String::new();
        let mut binary = Vec::new();
        for (i, value) in row.iter().enumerate() {
            if value.is_null() {
                self.out.data_value(None);
                continue;
            }
            let ty = columns.get(i).map_or(DataType::Text, |c| c.ty);
            if format_of(formats, i) == 1 {
                binary.clear();
                if let Err(error) = format_binary(value, ty, &mut binary) {
                    // Take back the half-written DataRow (its tag byte precedes `at`).
                    self.out.buf.truncate(at - 1);
                    return Err(error);
                }
                self.out.data_value(Some(&binary));
            } else {
                text.clear();
                match (ty, value) {
                    // A reg* value prints as its object's name, which needs the catalog.
                    (DataType::Reg(kind), Value::Int(oid)) => {
                        let catalog = self.session.catalog(self.worker.as_ref());
                        let cache = &mut self.reg_names;
                        let current = cache
                            .catalog
                            .as_ref()
                            .is_some_and(|cached| std::sync::Arc::ptr_eq(cached, &catalog))
                            && cache.search_path == self.session.info.search_path
                            && cache.user == self.session.info.user;
                        if !current {
                            cache.names.clear();
                            cache.search_path = self.session.info.search_path.clone();
                            cache.user = self.session.info.user.clone();
                            cache.catalog = Some(catalog.clone());
                        }
                        let info = &self.session.info;
                        let name = cache.names.entry((kind, *oid)).or_insert_with(|| {
                            keel_sql::bind::reg_output(&catalog, info, kind, *oid)
                        });
                        text.push_str(name);
                    }
                    _ => format_text_in(value, ty, self.session.zone(), &mut text),
                }
                self.out.data_value(Some(text.as_bytes()));
            }
        }
        self.out.data_row_end(at);
        Ok(())
    }

    /// COPY FROM STDIN: reads CopyData until CopyDone/CopyFail. Returns whether the query goes on.
    async fn copy_in(&mut self, mut state: CopyState) -> Result<bool, Close> {
        self.flush().await?;
        let worker = self.worker.clone();
        let mut failed: Option<SqlError> = None;
        loop {
            let message = self.next_message().await?;
            match message {
                FrontendMessage::CopyData(data) => {
                    if failed.is_none() {
                        if let Err(error) = self
                            .session
                            .copy_data(worker.as_ref(), &mut state, &data)
                            .await
                        {
                            failed = Some(error);
                        }
                    }
                }
                FrontendMessage::CopyDone => {
                    if let Some(error) = failed {
                        self.send_error(&error);
                        return Ok(false);
                    }
                    return match self.session.copy_done(worker.as_ref(), state).await {
                        Ok(result) => {
                            if let Err(error) = self.send_result(result, &[], None).await? {
                                self.send_error(&error);
                                return Ok(false);
                            }
                            Ok(true)
                        }
                        Err(error) => {
                            self.send_error(&error);
                            Ok(false)
                        }
                    };
                }
                FrontendMessage::CopyFail(reason) => {
                    let error = match failed {
                        Some(error) => error,
                        None => self.session.copy_fail(worker.as_ref(), &reason).await,
                    };
                    self.send_error(&error);
                    return Ok(false);
                }
                FrontendMessage::Flush | FrontendMessage::Sync => {}
                FrontendMessage::Terminate => {
                    self.said_goodbye = true;
                    return Err(Close::Client);
                }
                other => {
                    self.session.fail(worker.as_ref()).await;
                    return Err(protocol_error(
                        format!("unexpected message type during COPY from stdin: {other:?}")
                            .chars()
                            .take(120)
                            .collect::<String>(),
                    ));
                }
            }
        }
    }

    fn parse(&mut self, name: String, query: &str, param_types: &[u32]) -> Result<(), SqlError> {
        if !name.is_empty() && self.session.statements.contains_key(&name) {
            return Err(SqlError::new(
                code::DUPLICATE_PREPARED_STATEMENT,
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        let types = param_types
            .iter()
            .map(|&oid| DataType::from_oid(oid))
            .collect::<Result<Vec<_>, _>>()?;
        let statements = split_statements(query);
        let prepared = match statements.as_slice() {
            [] => Prepared {
                volatile: false,
                text: String::new(),
                offset: 0,
                parsed: None,
                plan: None,
                param_types: Vec::new(),
                catalog_version: 0,
                search_path: Vec::new(),
                timezone: None,
                user: String::new(),
                locks: Vec::new(),
                reads: Default::default(),
                prepare_text: None,
                prepare_time: 0,
                executions: Default::default(),
            },
            [one] => {
                self.session.refresh_statistics(self.worker.as_ref());
                self.session
                    .prepare(
                        &self.session.catalog(self.worker.as_ref()),
                        one.text,
                        one.offset,
                        types,
                    )
                    .map_err(|e| one.locate_end_error(e))?
            }
            _ => {
                return Err(SqlError::syntax(
                    "cannot insert multiple commands into a prepared statement",
                ))
            }
        };
        let mut prepared = prepared;
        prepared.prepare_time = keel_sql::types::now_timestamp();
        self.session.statements.insert(name, Arc::new(prepared));
        Ok(())
    }

    fn bind(
        &mut self,
        statement: &str,
        formats: &[i16],
        params: Vec<Option<Vec<u8>>>,
        result_formats: Vec<i16>,
    ) -> Result<Portal, SqlError> {
        let prepared = self
            .session
            .statements
            .get(statement)
            .cloned()
            .ok_or_else(|| {
                SqlError::new(
                    code::INVALID_SQL_STATEMENT_NAME,
                    format!("prepared statement \"{statement}\" does not exist"),
                )
            })?;
        if params.len() != prepared.param_types.len() {
            return Err(SqlError::new(
                code::PROTOCOL_VIOLATION,
                format!("bind message supplies {} parameters, but prepared statement \"{statement}\" requires {}", params.len(), prepared.param_types.len()),
            ));
        }
        if formats.len() > 1 && formats.len() != params.len() {
            return Err(SqlError::new(
                code::PROTOCOL_VIOLATION,
                format!(
                    "bind message has {} parameter formats but {} parameters",
                    formats.len(),
                    params.len()
                ),
            ));
        }
        let mut values = Vec::with_capacity(params.len());
        for (i, (param, ty)) in params.into_iter().zip(&prepared.param_types).enumerate() {
            let ty = if *ty == DataType::Unknown {
                DataType::Text
            } else {
                *ty
            };
            values.push(match param {
                None => Value::Null,
                Some(bytes) if format_of(formats, i) == 1 => parse_binary(&bytes, ty)?,
                Some(bytes) => {
                    let text = String::from_utf8(bytes).map_err(|_| {
                        SqlError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
                    })?;
                    parse_text_in(&text, ty, self.session.zone())?
                }
            });
        }
        Ok(Portal {
            statement: prepared,
            params: values,
            result_formats,
            result: None,
            from_cursor: None,
        })
    }

    fn describe(&mut self, target: Target, name: &str) -> Result<(), SqlError> {
        match target {
            Target::Statement => {
                let prepared = self.session.statements.get(name).cloned().ok_or_else(|| {
                    SqlError::new(
                        code::INVALID_SQL_STATEMENT_NAME,
                        format!("prepared statement \"{name}\" does not exist"),
                    )
                })?;
                let oids: Vec<u32> = prepared.param_types.iter().map(|t| t.oid()).collect();
                self.out.parameter_description(&oids);
                let columns = self.session.result_columns(&prepared);
                if columns.is_empty() {
                    self.out.no_data();
                } else {
                    self.row_description(&columns, &[]);
                }
            }
            Target::Portal => {
                let Some(portal) = self.portals.get(name) else {
                    // Portals and SQL cursors share one namespace (psycopg's server-side
                    // cursors describe the cursor they declared).
                    let columns = self.session.cursor_columns(name).ok_or_else(|| {
                        SqlError::new(
                            code::INVALID_CURSOR_NAME,
                            format!("portal \"{name}\" does not exist"),
                        )
                    })?;
                    self.row_description(&columns, &[]);
                    return Ok(());
                };
                let statement = portal.statement.clone();
                let formats = portal.result_formats.clone();
                let columns = self.session.result_columns(&statement);
                if columns.is_empty() {
                    self.out.no_data();
                } else {
                    self.row_description(&columns, &formats);
                }
            }
        }
        Ok(())
    }

    /// Carries out DEALLOCATE on the prepared statements this connection holds.
    async fn execute(&mut self, name: &str, max_rows: i32) -> Result<Result<(), SqlError>, Close> {
        let Some(mut portal) = self.portals.remove(name) else {
            // Portals and SQL cursors share one namespace.
            if self.session.cursor_columns(name).is_some() {
                return self.execute_cursor(name, max_rows).await;
            }
            return Ok(Err(SqlError::new(
                code::INVALID_CURSOR_NAME,
                format!("portal \"{name}\" does not exist"),
            )));
        };
        match self.execute_portal(&mut portal, max_rows).await? {
            Ok(()) => {
                self.portals.insert(name.to_string(), portal);
                Ok(Ok(()))
            }
            // A failed portal is gone (with any temporary files of its result).
            Err(error) => Ok(Err(error)),
        }
    }

    /// Execute of a cursor DECLARE made: the next `max_rows` rows (0: the rest), sent as a
    /// FETCH FORWARD of them would send them, in text; as PostgreSQL does, the tag reads
    /// `SELECT n`, and a fetch that filled `max_rows` ends with PortalSuspended.
    async fn execute_cursor(
        &mut self,
        name: &str,
        max_rows: i32,
    ) -> Result<Result<(), SqlError>, Close> {
        let count = match max_rows {
            1.. => max_rows.to_string(),
            _ => "ALL".to_string(),
        };
        let quoted = keel_sql::functions::quote_ident(name);
        let text = format!("FETCH FORWARD {count} FROM {quoted}");
        let catalog = self.session.catalog(self.worker.as_ref());
        let statement = match self.session.prepare(&catalog, &text, 0, Vec::new()) {
            Ok(statement) => statement,
            Err(error) => return Ok(Err(error)),
        };
        let mut portal = Portal {
            statement: Arc::new(statement),
            params: Vec::new(),
            result_formats: Vec::new(),
            result: None,
            from_cursor: Some(max_rows.max(0) as u64),
        };
        self.execute_portal(&mut portal, 0).await
    }

    /// Runs a portal's statement once, then sends its rows: at most `max_rows` (0: all) per
    /// Execute, PortalSuspended until the last.
    async fn execute_portal(
        &mut self,
        portal: &mut Portal,
        max_rows: i32,
    ) -> Result<Result<(), SqlError>, Close> {
        match self.run_portal(portal).await {
            Ok(true) => {}
            Ok(false) => return Ok(Ok(())),
            Err(error) => return Ok(Err(error)),
        }
        let formats = portal.result_formats.clone();
        let (result, sent) = portal.result.as_mut().expect("computed above");
        if let Some(state) = result.copy.take() {
            // COPY FROM STDIN through Execute: copy-in mode until CopyDone or CopyFail (a Sync
            // the client sent ahead of its data is ignored there, as PostgreSQL does). A failed
            // copy has sent its error; what follows up to the next Sync is skipped.
            self.out
                .copy_in_response(state.columns.len(), state.options.binary);
            if !self.copy_in(state).await? {
                self.skip_until_sync = true;
            }
            portal.result = None;
            return Ok(Ok(()));
        }
        if let Some(mut copy) = result.copy_out.take() {
            let tag = result.tag.clone();
            if let Err(error) = self.send_copy_out(&mut copy).await? {
                return Ok(Err(error));
            }
            self.out.command_complete(&tag);
            return Ok(Ok(()));
        }
        let max = if max_rows > 0 {
            max_rows as usize
        } else {
            usize::MAX
        };
        let end = sent.saturating_add(max).min(result.rows.len());
        let columns = result.columns.clone();
        let rows: Vec<Vec<Value>> = result.rows[*sent..end].to_vec();
        *sent = end;
        let tag = result.tag.clone();
        let mut stream = result.stream.take();
        for row in &rows {
            if let Err(error) = self.data_row(row, &columns, &formats) {
                return Ok(Err(error));
            }
        }
        if let Some(stream) = stream.as_mut() {
            if let Err(error) = self
                .send_stream(stream, max - rows.len(), &columns, &formats)
                .await?
            {
                return Ok(Err(error));
            }
        }
        let (result, sent) = portal.result.as_mut().expect("computed above");
        let finished = *sent == result.rows.len() && stream.as_ref().is_none_or(|s| s.is_empty());
        result.stream = stream;
        if let (true, Some(limit)) = (finished, portal.from_cursor) {
            let fetched: u64 = (tag.strip_prefix("FETCH ")).map_or(0, |n| n.parse().unwrap_or(0));
            if limit > 0 && fetched == limit {
                self.out.portal_suspended();
            } else {
                self.out.command_complete(&format!("SELECT {fetched}"));
            }
        } else if finished {
            self.out.command_complete(&tag);
        } else {
            self.out.portal_suspended();
        }
        Ok(Ok(()))
    }

    /// Runs the portal's statement unless it ran already; false when there is nothing to send
    /// (an empty query, answered here).
    async fn run_portal(&mut self, portal: &mut Portal) -> Result<bool, SqlError> {
        if portal.statement.plan.is_none() && portal.statement.parsed.is_none() {
            self.out.empty_query_response();
            return Ok(false);
        }
        if portal.result.is_none() {
            self.cancel.reset();
            if !self.extended_block {
                self.extended_block = true;
                self.session.begin_extended_block();
            }
            let worker = self.worker.clone();
            let result = self
                .session
                .execute(
                    worker.as_ref(),
                    &portal.statement,
                    &portal.params,
                    &self.cancel,
                )
                .await;
            self.session.finish_discard(worker.as_ref()).await;
            let mut result = result?;
            for notice in std::mem::take(&mut result.notices) {
                self.send_notice(&notice);
            }
            for (name, value) in std::mem::take(&mut result.reports) {
                self.out.parameter_status(&name, &value);
            }
            portal.result = Some((result, 0));
        }
        Ok(true)
    }
}

/// The format code of column or parameter `i` (none: text; one: all; else per item).
fn format_of(formats: &[i16], i: usize) -> i16 {
    match formats.len() {
        0 => 0,
        1 => formats[0],
        _ => formats.get(i).copied().unwrap_or(0),
    }
}
