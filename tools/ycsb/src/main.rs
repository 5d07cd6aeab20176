//! `keel-ycsb`: the YCSB core workloads A, B and C over the Postgres protocol.
//!
//! ```text
//! keel-ycsb --port 5433 load --records 100000
//! keel-ycsb --port 5433 run --workload a --records 100000 --threads 8 --seconds 20 [--distribution uniform]
//! ```
//!
//! Follows YCSB's defaults: table `usertable` with key `ycsb_key` and ten 100-byte text fields;
//! workload A is 50 % reads / 50 % updates, B 95 / 5, C reads only; keys are drawn from a scrambled
//! Zipfian distribution (theta 0.99, Gray et al., "Quickly generating billion-record synthetic
//! databases", SIGMOD 1994), as YCSB's `ScrambledZipfianGenerator` does, or uniformly with
//! `--distribution uniform`. Reads fetch the whole row;
//! an update sets one random field. Each thread holds one connection and runs prepared statements
//! (Parse once, then Bind/Execute/Sync per operation). It prints one JSON line with throughput and
//! latency percentiles, which `bench/suite.py` reads. Blocking sockets and threads: the driver
//! should cost the machine as little as the servers it measures.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use keel_wire::client::{decode_backend, BackendMessage, FrontendWriter};

const FIELDS: usize = 10;
const FIELD_BYTES: usize = 100;

/// A blocking Postgres connection.
struct Connection {
    stream: TcpStream,
    input: Vec<u8>,
    out: FrontendWriter,
}

impl Connection {
    fn connect(host: &str, port: u16, user: &str, database: &str) -> Result<Connection, String> {
        let stream =
            TcpStream::connect((host, port)).map_err(|e| format!("connect {host}:{port}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut connection = Connection {
            stream,
            input: Vec::with_capacity(1 << 16),
            out: FrontendWriter::default(),
        };
        connection
            .out
            .startup(&[("user", user), ("database", database)]);
        connection.finish()?;
        Ok(connection)
    }

    fn next_message(&mut self) -> Result<BackendMessage, String> {
        loop {
            if let Some((message, used)) = decode_backend(&self.input).map_err(|e| e.to_string())? {
                self.input.drain(..used);
                return Ok(message);
            }
            let mut chunk = [0u8; 65536];
            let n = self.stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("server closed the connection".into());
            }
            self.input.extend_from_slice(&chunk[..n]);
        }
    }

    /// Sends what is buffered and reads to ReadyForQuery; returns the rows seen or the error.
    fn finish(&mut self) -> Result<usize, String> {
        self.stream
            .write_all(&self.out.buf)
            .map_err(|e| e.to_string())?;
        self.out.buf.clear();
        let mut rows = 0;
        let mut error = None;
        loop {
            match self.next_message()? {
                BackendMessage::ReadyForQuery(_) => break,
                BackendMessage::DataRow { .. } => rows += 1,
                BackendMessage::ErrorResponse(fields) => {
                    error = Some(BackendMessage::error_text(&fields))
                }
                BackendMessage::Authentication(code) => {
                    return Err(format!("authentication method {code} is not supported"))
                }
                _ => {}
            }
        }
        match error {
            Some(error) => Err(error),
            None => Ok(rows),
        }
    }

    fn simple(&mut self, sql: &str) -> Result<usize, String> {
        self.out.query(sql);
        self.finish()
    }

    fn prepare(&mut self, name: &str, sql: &str) -> Result<(), String> {
        self.out.parse(name, sql);
        self.out.sync();
        self.finish().map(drop)
    }

    fn execute(&mut self, name: &str, params: &[&[u8]]) -> Result<usize, String> {
        self.out.bind(name, params);
        self.out.execute();
        self.out.sync();
        self.finish()
    }
}

/// xorshift64*: fast, seeded per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn field(&mut self) -> String {
        (0..FIELD_BYTES)
            .map(|_| (b'a' + (self.next() % 26) as u8) as char)
            .collect()
    }
}

/// Zipfian over `0..n` with theta 0.99, then scrambled with FNV-1a so hot keys spread over the table.
struct ScrambledZipfian {
    n: u64,
    theta: f64,
    zetan: f64,
    alpha: f64,
    eta: f64,
}

impl ScrambledZipfian {
    fn new(n: u64) -> ScrambledZipfian {
        let theta = 0.99;
        let zeta = |count: u64| {
            (1..=count)
                .map(|i| 1.0 / (i as f64).powf(theta))
                .sum::<f64>()
        };
        let zetan = zeta(n);
        let zeta2 = zeta(2);
        let eta = (1.0 - (2.0 / n as f64).powf(1.0 - theta)) / (1.0 - zeta2 / zetan);
        ScrambledZipfian {
            n,
            theta,
            zetan,
            alpha: 1.0 / (1.0 - theta),
            eta,
        }
    }
    fn next(&self, rng: &mut Rng) -> u64 {
        let u = rng.unit();
        let uz = u * self.zetan;
        let rank = if uz < 1.0 {
            0
        } else if uz < 1.0 + 0.5f64.powf(self.theta) {
            1
        } else {
            ((self.n as f64) * (self.eta * u - self.eta + 1.0).powf(self.alpha)) as u64
        };
        fnv1a(rank) % self.n
    }
}

fn fnv1a(value: u64) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in value.to_le_bytes() {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn key(index: u64) -> String {
    format!("user{index:012}")
}

struct Options {
    host: String,
    port: u16,
    user: String,
    database: String,
    command: String,
    workload: char,
    records: u64,
    threads: usize,
    seconds: u64,
    uniform: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        host: "127.0.0.1".into(),
        port: 5433,
        user: "postgres".into(),
        database: "keel".into(),
        command: String::new(),
        workload: 'a',
        records: 100_000,
        threads: 8,
        seconds: 10,
        uniform: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--host" => options.host = value()?,
            "--port" => options.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--user" => options.user = value()?,
            "--database" => options.database = value()?,
            "--workload" => {
                options.workload = value()?
                    .to_ascii_lowercase()
                    .chars()
                    .next()
                    .filter(|c| "abc".contains(*c))
                    .ok_or("--workload: a, b or c")?
            }
            "--records" => {
                options.records = value()?.parse().map_err(|e| format!("--records: {e}"))?
            }
            "--threads" => {
                options.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?
            }
            "--seconds" => {
                options.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--distribution" => {
                options.uniform = match value()?.as_str() {
                    "uniform" => true,
                    "zipfian" => false,
                    other => return Err(format!("--distribution {other}: zipfian or uniform")),
                }
            }
            "load" | "run" => options.command = arg,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.command.is_empty() {
        return Err("say `load` or `run`".into());
    }
    Ok(options)
}

fn load(options: &Options) -> Result<(), String> {
    let mut conn = Connection::connect(
        &options.host,
        options.port,
        &options.user,
        &options.database,
    )?;
    conn.simple("drop table if exists usertable")?;
    let fields: Vec<String> = (0..FIELDS).map(|i| format!("field{i} text")).collect();
    conn.simple(&format!(
        "create table usertable (ycsb_key varchar(64) primary key, {})",
        fields.join(", ")
    ))?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let mut next = 0;
    while next < options.records {
        let batch_end = (next + 500).min(options.records);
        let rows: Vec<String> = (next..batch_end)
            .map(|i| {
                let values: Vec<String> =
                    (0..FIELDS).map(|_| format!("'{}'", rng.field())).collect();
                format!("('{}', {})", key(i), values.join(", "))
            })
            .collect();
        conn.simple(&format!("insert into usertable values {}", rows.join(", ")))?;
        next = batch_end;
    }
    println!(
        "{{\"loaded\": {}, \"seconds\": {:.3}}}",
        options.records,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[derive(Default)]
struct ThreadResult {
    reads_us: Vec<u32>,
    updates_us: Vec<u32>,
    errors: u64,
}

fn worker(options: &Options, seed: u64, deadline: Instant) -> Result<ThreadResult, String> {
    let mut conn = Connection::connect(
        &options.host,
        options.port,
        &options.user,
        &options.database,
    )?;
    conn.prepare("read", "select * from usertable where ycsb_key = $1")?;
    for field in 0..FIELDS {
        conn.prepare(
            &format!("update{field}"),
            &format!("update usertable set field{field} = $1 where ycsb_key = $2"),
        )?;
    }
    let zipf = ScrambledZipfian::new(options.records);
    let mut rng = Rng(seed | 1);
    let read_fraction = match options.workload {
        'a' => 0.5,
        'b' => 0.95,
        _ => 1.0,
    };
    let mut result = ThreadResult::default();
    while Instant::now() < deadline {
        let k = key(if options.uniform {
            rng.next() % options.records
        } else {
            zipf.next(&mut rng)
        });
        let started = Instant::now();
        if rng.unit() < read_fraction {
            let rows = conn.execute("read", &[k.as_bytes()])?;
            if rows != 1 {
                result.errors += 1;
            }
            result
                .reads_us
                .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        } else {
            let field = (rng.next() % FIELDS as u64) as usize;
            let value = rng.field();
            match conn.execute(&format!("update{field}"), &[value.as_bytes(), k.as_bytes()]) {
                Ok(_) => {}
                Err(_) => result.errors += 1,
            }
            result
                .updates_us
                .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        }
    }
    conn.out.terminate();
    let _ = conn.stream.write_all(&conn.out.buf);
    Ok(result)
}

fn percentile(sorted: &[u32], fraction: f64) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    Some(sorted[((sorted.len() - 1) as f64 * fraction).round() as usize])
}

fn json_percentiles(name: &str, sorted: &[u32]) -> String {
    let show = |p: Option<u32>| p.map_or("null".to_string(), |v| v.to_string());
    format!(
        "\"{name}_ops\": {}, \"{name}_p50_us\": {}, \"{name}_p99_us\": {}, \"{name}_p999_us\": {}",
        sorted.len(),
        show(percentile(sorted, 0.5)),
        show(percentile(sorted, 0.99)),
        show(percentile(sorted, 0.999))
    )
}

fn run(options: &Options) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let results: Vec<Result<ThreadResult, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..options.threads)
            .map(|t| {
                scope.spawn(move || worker(options, 0x1234_5678 ^ ((t as u64 + 1) << 32), deadline))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("worker thread panicked".into()))
            })
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut reads = Vec::new();
    let mut updates = Vec::new();
    let mut errors = 0;
    for result in results {
        let result = result?;
        reads.extend(result.reads_us);
        updates.extend(result.updates_us);
        errors += result.errors;
    }
    reads.sort_unstable();
    updates.sort_unstable();
    let ops = reads.len() + updates.len();
    println!(
        "{{\"workload\": \"{}\", \"threads\": {}, \"seconds\": {elapsed:.3}, \"ops\": {ops}, \"ops_per_s\": {:.1}, \"errors\": {errors}, {}, {}}}",
        options.workload,
        options.threads,
        ops as f64 / elapsed,
        json_percentiles("read", &reads),
        json_percentiles("update", &updates)
    );
    Ok(())
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("keel-ycsb: {message}");
            }
            eprintln!("usage: keel-ycsb [--host H] [--port P] [--user U] [--database D] (load | run) [--workload a|b|c] [--records N] [--threads N] [--seconds N] [--distribution zipfian|uniform]");
            return ExitCode::FAILURE;
        }
    };
    let result = if options.command == "load" {
        load(&options)
    } else {
        run(&options)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("keel-ycsb: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipfian_stays_in_range_and_is_skewed() {
        let zipf = ScrambledZipfian::new(1000);
        let mut rng = Rng(42);
        let mut counts = vec![0u32; 1000];
        for _ in 0..100_000 {
            counts[zipf.next(&mut rng) as usize] += 1;
        }
        counts.sort_unstable_by(|a, b| b.cmp(a));
        // The hottest key gets far more than a uniform share (100), the coldest far less.
        assert!(counts[0] > 2_000, "{}", counts[0]);
        assert!(counts[999] < 100);
    }
}
