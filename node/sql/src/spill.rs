//! Operator memory beyond `work_mem`: rows written to temporary files and read back.
//!
//! [`Sorter`] is PostgreSQL's tuplesort in small. Rows go into memory until their estimated size
//! ([`row_bytes`]) passes the budget; then the buffer is sorted and written out as a *run* (a
//! temporary file of length-prefixed rows in [`encode_row`]'s format) and emptied. When the
//! input ends, rows that never left memory are sorted there; otherwise the last buffer becomes a
//! run too and the runs are merged: at most `Sorter::fan_in` at a time (each reader holds a
//! [`READ_BUFFER`]-sized buffer, so the merge stays near the budget), in passes that merge the
//! oldest runs into a new one until one pass can produce the output. The merge takes the smallest
//! head row with a binary heap and, on ties, the older run: with the stable in-memory sort of
//! each run the whole sort is stable, as the in-memory one is.
//!
//! Without sort keys the same structure keeps rows in their order (a tuplestore), spilled as one
//! run after another and read back in turn. With a row limit (LIMIT, plus OFFSET) a sort keeps
//! only the first `limit` rows of each buffer (PostgreSQL's bounded "top-N heapsort"), so
//! `ORDER BY .. LIMIT 10` over any input holds a few buffers of rows; after the first trim the
//! last row kept is a cutoff, and a row that does not sort before it is dropped with one
//! comparison (it could only follow `limit` rows already held).
//!
//! [`RowSet`] is a materialized operator result of a query tree, made through a [`RowSink`]:
//! rows stay in memory, charged to the statement's [`StatementMemory`] (`statement_mem`), until
//! the statement passes its limit; the sink that does writes its rows to a file instead, and the
//! set reads them back as often as asked (a tuplestore shared by every reader).
//!
//! Temporary files live in the node's `tmp/` directory (PostgreSQL's `base/pgsql_tmp`), named
//! `keel-tmp-<pid>-<n>`. Each belongs to one value (`TempFile`) and is removed when that value
//! is dropped: when the result is sent, or when the statement fails or is canceled (its future
//! drops everything it owns). The node clears the directory at start ([`clear_temp_dir`]), for
//! files a killed process left. File IO is plain buffered `std::fs` (the page cache absorbs most
//! of it); moving it to the worker's io_uring is future work.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Arc;

use crate::error::{code, SqlError, SqlResult};
use crate::plan::SortKey;
use crate::query::{compare_rows, Row};
use crate::types::{decode_row, encode_row, Value};

/// Buffer of each run being read by a merge.
pub const READ_BUFFER: usize = 64 * 1024;

/// Buffer of the run being written.
const WRITE_BUFFER: usize = 256 * 1024;

/// Rows kept before a bounded sort trims its buffer, at least (trimming is a sort).
const TRIM_AT_LEAST: usize = 1024;

/// Temporary files made by this process, for unique names.
static FILES: AtomicU64 = AtomicU64::new(0);

/// Estimated memory of a row in a buffer: the values, the vector that holds them, and what
/// each value owns on the heap.
pub fn row_bytes(row: &[Value]) -> usize {
    std::mem::size_of::<Row>() + row.iter().map(value_bytes).sum::<usize>()
}

fn value_bytes(value: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match value {
            Value::Text(text) => text.capacity(),
            Value::Bytes(bytes) => bytes.capacity(),
            Value::Array(array) => {
                std::mem::size_of_val(array.as_ref())
                    + array.dims.capacity() * std::mem::size_of::<crate::array::Dim>()
                    + array.items.iter().map(value_bytes).sum::<usize>()
            }
            Value::Record(fields) => {
                std::mem::size_of::<Vec<Value>>() + fields.iter().map(value_bytes).sum::<usize>()
            }
            _ => 0,
        }
}

/// Removes what a previous process left in the temporary directory `dir` (made if missing).
pub fn clear_temp_dir(dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// PostgreSQL's error for a failed temporary file operation: 53100 when the disk is full.
fn file_error(what: &str, path: &Path, error: std::io::Error) -> SqlError {
    let sqlstate = if error.kind() == std::io::ErrorKind::StorageFull {
        code::DISK_FULL
    } else {
        code::IO_ERROR
    };
    // The system's message without Rust's " (os error N)", as strerror gives it.
    let message = error.to_string();
    let message = message.split(" (os error").next().unwrap_or(&message);
    SqlError::new(
        sqlstate,
        format!(
            "could not {what} temporary file \"{}\": {message}",
            path.display()
        ),
    )
}

/// A temporary file, removed when dropped.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    fn create(dir: &Path) -> SqlResult<(TempFile, File)> {
        let n = FILES.fetch_add(1, AtomicOrdering::Relaxed);
        let path = dir.join(format!("keel-tmp-{}-{n}", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .or_else(|error| {
                // The directory goes with a data directory wiped under a running node: make it again.
                if error.kind() == std::io::ErrorKind::NotFound {
                    std::fs::create_dir_all(dir).and_then(|()| {
                        File::options()
                            .read(true)
                            .write(true)
                            .create_new(true)
                            .open(&path)
                    })
                } else {
                    Err(error)
                }
            })
            .map_err(|error| file_error("create", &path, error))?;
        Ok((TempFile { path }, file))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Counted when removed, as PostgreSQL counts them (pg_stat_database.temp_files).
        let bytes = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        TEMP_FILES_DONE.fetch_add(1, AtomicOrdering::Relaxed);
        TEMP_BYTES_DONE.fetch_add(bytes, AtomicOrdering::Relaxed);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Temporary files this process has removed, and the bytes they held when removed.
static TEMP_FILES_DONE: AtomicU64 = AtomicU64::new(0);
static TEMP_BYTES_DONE: AtomicU64 = AtomicU64::new(0);

/// Temporary files made and removed by this process so far, and the bytes they held.
pub fn temp_file_totals() -> (u64, u64) {
    (
        TEMP_FILES_DONE.load(AtomicOrdering::Relaxed),
        TEMP_BYTES_DONE.load(AtomicOrdering::Relaxed),
    )
}

/// A sorted run on disk: `rows` rows of `width` columns. Clones read the same file, which goes
/// when the last of them does.
#[derive(Clone)]
struct Run {
    file: Arc<TempFile>,
    rows: u64,
}

/// Writes the rows `next` gives as a run in `dir`; returns it and the bytes written.
fn write_run(
    dir: &Path,
    mut next: impl FnMut() -> SqlResult<Option<Row>>,
) -> SqlResult<(Run, u64)> {
    let (temp, file) = TempFile::create(dir)?;
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut bytes = Vec::new();
    let mut count = 0;
    let mut written = 0u64;
    let fail = |error| file_error("write to", &temp.path, error);
    while let Some(row) = next()? {
        bytes.clear();
        encode_row(&row, &mut bytes);
        out.write_all(&(bytes.len() as u32).to_le_bytes())
            .and_then(|()| out.write_all(&bytes))
            .map_err(fail)?;
        written += 4 + bytes.len() as u64;
        count += 1;
    }
    out.flush().map_err(fail)?;
    drop(out);
    Ok((
        Run {
            file: Arc::new(temp),
            rows: count,
        },
        written,
    ))
}

/// Reads a run's rows in order.
struct RunReader {
    input: BufReader<File>,
    left: u64,
    width: usize,
    bytes: Vec<u8>,
    /// Owns (and removes) the file.
    run: Run,
}

impl RunReader {
    fn open(run: Run, width: usize) -> SqlResult<RunReader> {
        let file = File::open(&run.file.path)
            .map_err(|error| file_error("open", &run.file.path, error))?;
        Ok(RunReader {
            input: BufReader::with_capacity(READ_BUFFER, file),
            left: run.rows,
            width,
            bytes: Vec::new(),
            run,
        })
    }

    fn next_row(&mut self) -> SqlResult<Option<Row>> {
        if self.left == 0 {
            return Ok(None);
        }
        let path = &self.run.file.path;
        let mut len = [0u8; 4];
        self.input
            .read_exact(&mut len)
            .map_err(|error| file_error("read from", path, error))?;
        self.bytes.resize(u32::from_le_bytes(len) as usize, 0);
        self.input
            .read_exact(&mut self.bytes)
            .map_err(|error| file_error("read from", path, error))?;
        self.left -= 1;
        decode_row(&self.bytes, self.width).map(Some)
    }
}

/// Rows appended one at a time to a temporary file, then read back in order: a partition of a
/// hash aggregation that went past its memory (`crate::query::Groups`).
pub struct RowFile {
    out: BufWriter<File>,
    run: Run,
    bytes: Vec<u8>,
    written: u64,
}

impl RowFile {
    /// A new file in `dir`, written through a buffer of `buffer` bytes.
    pub fn create(dir: &Path, buffer: usize) -> SqlResult<RowFile> {
        let (temp, file) = TempFile::create(dir)?;
        Ok(RowFile {
            out: BufWriter::with_capacity(buffer, file),
            run: Run {
                file: Arc::new(temp),
                rows: 0,
            },
            bytes: Vec::new(),
            written: 0,
        })
    }

    pub fn push(&mut self, row: &[Value]) -> SqlResult<()> {
        self.bytes.clear();
        encode_row(row, &mut self.bytes);
        let path = &self.run.file.path;
        self.out
            .write_all(&(self.bytes.len() as u32).to_le_bytes())
            .and_then(|()| self.out.write_all(&self.bytes))
            .map_err(|error| file_error("write to", path, error))?;
        self.written += 4 + self.bytes.len() as u64;
        self.run.rows += 1;
        Ok(())
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Reads the rows back (rows of `width` columns); the file goes when the reader does.
    pub fn into_reader(self, width: usize) -> SqlResult<RowReader> {
        Ok(RowReader(RunReader::open(self.finish()?, width)?))
    }

    /// The file written out, to be read (any number of times) as a run.
    fn finish(mut self) -> SqlResult<Run> {
        let path = self.run.file.path.clone();
        self.out
            .flush()
            .map_err(|error| file_error("write to", &path, error))?;
        drop(self.out);
        Ok(self.run)
    }
}

/// Reads a [`RowFile`]'s rows in the order they were written.
pub struct RowReader(RunReader);

impl RowReader {
    pub fn next_row(&mut self) -> SqlResult<Option<Row>> {
        self.0.next_row()
    }
}

/// Sorts (or, without keys, keeps in order) rows within a memory budget; see the module docs.
pub struct Sorter {
    keys: Vec<SortKey>,
    budget: usize,
    limit: Option<usize>,
    dir: PathBuf,
    rows: Vec<Row>,
    bytes: usize,
    width: usize,
    runs: Vec<Run>,
    count: u64,
    /// Bytes written to temporary files (runs and merge passes).
    spilled: u64,
    /// The largest the buffer got, in estimated bytes.
    peak: usize,
    /// With a limit, the last row kept at the latest trim: later rows that do not sort before
    /// it cannot be among the first `limit`.
    cutoff: Option<Row>,
}

/// How a [`Sorter`] did its work, for EXPLAIN ANALYZE (PostgreSQL's "Sort Method").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SortStats {
    /// Rows went to temporary files (PostgreSQL's "external merge").
    pub external: bool,
    /// The sort was bounded by a row limit ("top-N heapsort").
    pub bounded: bool,
    /// Kilobytes written to disk when external, else of memory at the peak.
    pub kb: u64,
}

impl Sorter {
    /// A sorter on `keys` (none: rows keep their order) holding at most about `budget` bytes,
    /// its files in `dir`; with `limit`, only the first `limit` rows of the result are kept.
    pub fn new(keys: Vec<SortKey>, budget: usize, limit: Option<usize>, dir: PathBuf) -> Sorter {
        Sorter {
            keys,
            budget: budget.max(64 * 1024),
            limit,
            dir,
            rows: Vec::new(),
            bytes: 0,
            width: 0,
            runs: Vec::new(),
            count: 0,
            spilled: 0,
            peak: 0,
            cutoff: None,
        }
    }

    /// Rows put in so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether more rows can change the result (false once an unsorted store holds its limit).
    pub fn wants_more(&self) -> bool {
        match self.limit {
            Some(0) => false,
            Some(limit) => !self.keys.is_empty() || self.count < limit as u64,
            None => true,
        }
    }

    /// Runs merged at once: as many read buffers as fit the budget, at least 2.
    fn fan_in(&self) -> usize {
        (self.budget / READ_BUFFER).clamp(2, 1024)
    }

    pub fn push(&mut self, row: Row) -> SqlResult<()> {
        if !self.wants_more() {
            return Ok(());
        }
        self.count += 1;
        if let Some(cutoff) = &self.cutoff {
            if compare_rows(&row, cutoff, &self.keys) != Ordering::Less {
                return Ok(());
            }
        }
        self.width = row.len();
        self.bytes += row_bytes(&row);
        self.rows.push(row);
        self.peak = self.peak.max(self.bytes);
        if let Some(limit) = self.limit.filter(|_| !self.keys.is_empty()) {
            if self.rows.len() >= (2 * limit).max(TRIM_AT_LEAST) {
                self.sort_buffer();
                self.trim(limit);
            }
        }
        if self.bytes > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn sort_buffer(&mut self) {
        if !self.keys.is_empty() {
            let keys = &self.keys;
            self.rows.sort_by(|a, b| compare_rows(a, b, keys));
        }
    }

    fn trim(&mut self, limit: usize) {
        if self.rows.len() > limit {
            self.rows.truncate(limit);
            self.cutoff = self.rows.last().cloned();
            self.bytes = self.rows.iter().map(|row| row_bytes(row)).sum();
        }
    }

    /// Writes the buffer out as a sorted run.
    fn spill(&mut self) -> SqlResult<()> {
        self.sort_buffer();
        let keep = self.limit.unwrap_or(usize::MAX);
        let rows = std::mem::take(&mut self.rows);
        self.bytes = 0;
        let mut rows = rows.into_iter().take(keep);
        let (run, written) = write_run(&self.dir, || Ok(rows.next()))?;
        self.spilled += written;
        self.runs.push(run);
        Ok(())
    }

    /// What the sort did, so far.
    pub fn stats(&self) -> SortStats {
        let bounded = self.limit.is_some() && !self.keys.is_empty();
        SortStats {
            external: !self.runs.is_empty(),
            bounded: bounded && self.runs.is_empty(),
            kb: if self.runs.is_empty() {
                (self.peak as u64).div_ceil(1024)
            } else {
                self.spilled.div_ceil(1024)
            },
        }
    }

    /// The rows in order (at most `limit` of them).
    pub fn finish(mut self) -> SqlResult<SortedRows> {
        let limit = self.limit.map_or(u64::MAX, |l| l as u64);
        if self.runs.is_empty() {
            self.sort_buffer();
            let rows = std::mem::take(&mut self.rows);
            let len = (rows.len() as u64).min(limit);
            let stats = self.stats();
            return Ok(SortedRows {
                source: Source::Memory(rows.into_iter()),
                left: len,
                stats,
                width: None,
            });
        }
        if !self.rows.is_empty() {
            self.spill()?;
        }
        let width = self.width;
        if !self.keys.is_empty() {
            // Passes merge each `fan_in` consecutive runs into one (keeping the runs' order,
            // so that ties stay in input order) until a single merge is left.
            let fan_in = self.fan_in();
            while self.runs.len() > fan_in {
                let mut runs = std::mem::take(&mut self.runs).into_iter().peekable();
                while runs.peek().is_some() {
                    let group: Vec<Run> = runs.by_ref().take(fan_in).collect();
                    if group.len() == 1 {
                        self.runs.extend(group);
                        continue;
                    }
                    let mut merge = Merge::new(group, width, self.keys.clone())?;
                    let mut left = limit;
                    let (run, written) = write_run(&self.dir, || {
                        if left == 0 {
                            return Ok(None);
                        }
                        left -= 1;
                        merge.next_row()
                    })?;
                    self.spilled += written;
                    self.runs.push(run);
                }
            }
        }
        let total: u64 = self.runs.iter().map(|run| run.rows).sum();
        let stats = self.stats();
        let runs = std::mem::take(&mut self.runs);
        let source = if self.keys.is_empty() {
            let mut readers = Vec::with_capacity(runs.len());
            for run in runs {
                readers.push(RunReader::open(run, width)?);
            }
            readers.reverse();
            Source::Runs(readers)
        } else {
            Source::Merge(Merge::new(runs, width, self.keys.clone())?)
        };
        Ok(SortedRows {
            source,
            left: total.min(limit),
            stats,
            width: None,
        })
    }
}

/// A k-way merge of sorted runs: a binary min-heap of run indexes ordered by their head rows.
struct Merge {
    readers: Vec<RunReader>,
    heads: Vec<Option<Row>>,
    heap: Vec<usize>,
    keys: Vec<SortKey>,
}

impl Merge {
    /// A merge pass over `runs` holds one read buffer per run; the caller keeps them few
    /// ([`Sorter::fan_in`]).
    fn new(runs: Vec<Run>, width: usize, keys: Vec<SortKey>) -> SqlResult<Merge> {
        let mut readers = Vec::with_capacity(runs.len());
        for run in runs {
            readers.push(RunReader::open(run, width)?);
        }
        let mut merge = Merge {
            heads: Vec::with_capacity(readers.len()),
            heap: Vec::with_capacity(readers.len()),
            readers,
            keys,
        };
        for i in 0..merge.readers.len() {
            let head = merge.readers[i].next_row()?;
            merge.heads.push(head);
            if merge.heads[i].is_some() {
                merge.heap.push(i);
                merge.sift_up(merge.heap.len() - 1);
            }
        }
        Ok(merge)
    }

    /// Whether run `a`'s head comes before run `b`'s (the older run first on ties).
    fn before(&self, a: usize, b: usize) -> bool {
        let (Some(x), Some(y)) = (&self.heads[a], &self.heads[b]) else {
            return false;
        };
        match compare_rows(x, y, &self.keys) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => a < b,
        }
    }

    fn sift_up(&mut self, mut at: usize) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if !self.before(self.heap[at], self.heap[parent]) {
                break;
            }
            self.heap.swap(at, parent);
            at = parent;
        }
    }

    fn sift_down(&mut self, mut at: usize) {
        loop {
            let (left, right) = (2 * at + 1, 2 * at + 2);
            let mut first = at;
            if left < self.heap.len() && self.before(self.heap[left], self.heap[first]) {
                first = left;
            }
            if right < self.heap.len() && self.before(self.heap[right], self.heap[first]) {
                first = right;
            }
            if first == at {
                return;
            }
            self.heap.swap(at, first);
            at = first;
        }
    }

    fn next_row(&mut self) -> SqlResult<Option<Row>> {
        let Some(&run) = self.heap.first() else {
            return Ok(None);
        };
        let next = self.readers[run].next_row()?;
        let row = std::mem::replace(&mut self.heads[run], next);
        if self.heads[run].is_none() {
            let last = self.heap.pop().expect("not empty");
            if !self.heap.is_empty() {
                self.heap[0] = last;
            }
        }
        self.sift_down(0);
        Ok(row)
    }
}

enum Source {
    Memory(std::vec::IntoIter<Row>),
    /// Unsorted runs, the next one last.
    Runs(Vec<RunReader>),
    Merge(Merge),
}

/// A [`Sorter`]'s result: rows read from memory or merged from its runs (whose files go when
/// this is dropped).
pub struct SortedRows {
    source: Source,
    left: u64,
    stats: SortStats,
    /// Columns rows keep on the way out (sort keys past a select list go).
    width: Option<usize>,
}

impl SortedRows {
    /// Rows that are in memory already, as a result of the same kind.
    pub fn from_rows(rows: Vec<Row>) -> SortedRows {
        SortedRows {
            left: rows.len() as u64,
            source: Source::Memory(rows.into_iter()),
            stats: SortStats::default(),
            width: None,
        }
    }

    /// Rows still to come.
    pub fn len(&self) -> u64 {
        self.left
    }

    pub fn is_empty(&self) -> bool {
        self.left == 0
    }

    pub fn stats(&self) -> SortStats {
        self.stats
    }

    /// Rows come out with their first `width` columns only.
    pub fn keep_columns(&mut self, width: usize) {
        self.width = Some(width);
    }

    /// Skips the first `n` rows (OFFSET).
    pub fn skip(&mut self, n: u64) -> SqlResult<()> {
        for _ in 0..n {
            if self.next_row()?.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// Every row left.
    pub fn collect(mut self) -> SqlResult<Vec<Row>> {
        let mut rows = Vec::with_capacity(self.left.min(1 << 20) as usize);
        while let Some(row) = self.next_row()? {
            rows.push(row);
        }
        Ok(rows)
    }

    pub fn next_row(&mut self) -> SqlResult<Option<Row>> {
        if self.left == 0 {
            return Ok(None);
        }
        let row = match &mut self.source {
            Source::Memory(rows) => rows.next(),
            Source::Merge(merge) => merge.next_row()?,
            Source::Runs(readers) => loop {
                let Some(reader) = readers.last_mut() else {
                    break None;
                };
                match reader.next_row()? {
                    Some(row) => break Some(row),
                    None => {
                        readers.pop();
                    }
                }
            },
        };
        match row {
            Some(mut row) => {
                self.left -= 1;
                if let Some(width) = self.width {
                    row.truncate(width);
                }
                Ok(Some(row))
            }
            None => {
                self.left = 0;
                Ok(None)
            }
        }
    }
}

impl std::fmt::Debug for SortedRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SortedRows")
            .field("left", &self.left)
            .field("stats", &self.stats)
            .finish()
    }
}

/// What the materialized results of one statement ([`RowSet`]s) may hold in memory together
/// (`statement_mem`), and where the rest is written. Shared by the statement's row sets, which
/// charge it for the rows they keep and give the charge back when dropped.
#[derive(Debug)]
pub struct StatementMemory {
    limit: usize,
    used: AtomicUsize,
    dir: PathBuf,
    /// Bytes the statement's row sets wrote to temporary files.
    spilled: AtomicU64,
}

impl StatementMemory {
    pub fn new(limit: usize, dir: PathBuf) -> Arc<StatementMemory> {
        Arc::new(StatementMemory {
            limit,
            used: AtomicUsize::new(0),
            dir,
            spilled: AtomicU64::new(0),
        })
    }

    /// What the statement's row sets may hold in memory, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Where the statement's temporary files go.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Bytes written to temporary files by the statement's row sets so far.
    pub fn spilled(&self) -> u64 {
        self.spilled.load(AtomicOrdering::Relaxed)
    }

    /// Takes `bytes` more; whether the statement is now past its limit.
    fn charge(&self, bytes: usize) -> bool {
        self.used.fetch_add(bytes, AtomicOrdering::Relaxed) + bytes > self.limit
    }

    fn release(&self, bytes: usize) {
        self.used.fetch_sub(bytes, AtomicOrdering::Relaxed);
    }
}

/// A materialized operator result (a scan's rows, a join's output): rows in memory, or rows in a
/// temporary file once the statement went past its [`StatementMemory`] while they were being
/// made. Either kind is read any number of times ([`RowSet::each`]); operators that stream take
/// rows one at a time, the others ask for all of them ([`RowSet::rows`]).
pub struct RowSet {
    inner: Stored,
    len: usize,
}

enum Stored {
    Memory {
        rows: Vec<Row>,
        /// What the rows are charged to, and how much (given back when the set goes).
        charged: Option<(Arc<StatementMemory>, usize)>,
    },
    File {
        run: Run,
        width: usize,
        bytes: u64,
    },
}

impl Drop for RowSet {
    fn drop(&mut self) {
        if let Stored::Memory {
            charged: Some((memory, bytes)),
            ..
        } = &self.inner
        {
            memory.release(*bytes);
        }
    }
}

impl Default for RowSet {
    fn default() -> RowSet {
        RowSet::from(Vec::new())
    }
}

impl From<Vec<Row>> for RowSet {
    /// Rows in memory, charged to no statement.
    fn from(rows: Vec<Row>) -> RowSet {
        RowSet {
            len: rows.len(),
            inner: Stored::Memory {
                rows,
                charged: None,
            },
        }
    }
}

impl std::fmt::Debug for RowSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowSet")
            .field("len", &self.len)
            .field("spilled", &self.is_spilled())
            .finish()
    }
}

impl RowSet {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the rows are in a temporary file.
    pub fn is_spilled(&self) -> bool {
        matches!(self.inner, Stored::File { .. })
    }

    /// The rows' size: estimated in memory, written in a file.
    pub fn bytes(&self) -> u64 {
        match &self.inner {
            Stored::Memory { rows, charged } => match charged {
                Some((_, bytes)) => *bytes as u64,
                None => rows.iter().map(|row| row_bytes(row) as u64).sum(),
            },
            Stored::File { bytes, .. } => *bytes,
        }
    }

    /// Another set of the same rows: the same file (read independently), or the rows copied.
    pub fn duplicate(&self) -> RowSet {
        let inner = match &self.inner {
            Stored::Memory { rows, .. } => Stored::Memory {
                rows: rows.clone(),
                charged: None,
            },
            Stored::File { run, width, bytes } => Stored::File {
                run: run.clone(),
                width: *width,
                bytes: *bytes,
            },
        };
        RowSet {
            inner,
            len: self.len,
        }
    }

    /// Calls `f` with each row in order until it returns false.
    pub fn each(&self, mut f: impl FnMut(&Row) -> SqlResult<bool>) -> SqlResult<()> {
        match &self.inner {
            Stored::Memory { rows, .. } => {
                for row in rows {
                    if !f(row)? {
                        break;
                    }
                }
            }
            Stored::File { run, width, .. } => {
                let mut reader = RunReader::open(run.clone(), *width)?;
                while let Some(row) = reader.next_row()? {
                    if !f(&row)? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every row at once: borrowed from memory, or read back from the file.
    pub fn rows(&self) -> SqlResult<std::borrow::Cow<'_, [Row]>> {
        match &self.inner {
            Stored::Memory { rows, .. } => Ok(std::borrow::Cow::Borrowed(rows)),
            Stored::File { .. } => {
                let mut rows = Vec::with_capacity(self.len);
                self.each(|row| {
                    rows.push(row.clone());
                    Ok(true)
                })?;
                Ok(std::borrow::Cow::Owned(rows))
            }
        }
    }

    /// The rows, taken out of memory or read back from the file.
    pub fn into_rows(mut self) -> SqlResult<Vec<Row>> {
        match &mut self.inner {
            Stored::Memory { rows, .. } => Ok(std::mem::take(rows)),
            Stored::File { .. } => Ok(self.rows()?.into_owned()),
        }
    }

    /// The rows of a shared set: taken when this is the only holder, copied otherwise.
    pub fn unwrap_rows(rows: Arc<RowSet>) -> SqlResult<Vec<Row>> {
        match Arc::try_unwrap(rows) {
            Ok(rows) => rows.into_rows(),
            Err(shared) => Ok(shared.rows()?.into_owned()),
        }
    }

    /// The rows as a result streamed to the client (`SortedRows` without sort keys).
    pub fn into_stream(mut self) -> SqlResult<SortedRows> {
        let left = self.len as u64;
        let source = match &mut self.inner {
            Stored::Memory { rows, .. } => Source::Memory(std::mem::take(rows).into_iter()),
            Stored::File { run, width, .. } => {
                Source::Runs(vec![RunReader::open(run.clone(), *width)?])
            }
        };
        Ok(SortedRows {
            source,
            left,
            stats: SortStats::default(),
            width: None,
        })
    }
}

/// Makes a [`RowSet`] one row at a time: rows stay in memory, charged to the statement, until
/// the statement passes its limit; then the rows so far and all that follow go to a temporary
/// file (the rows of other sets stay where they are).
pub struct RowSink {
    memory: Option<Arc<StatementMemory>>,
    /// Rows go to a file from the first one, written through a buffer of this size.
    file_buffer: Option<usize>,
    rows: Vec<Row>,
    /// Bytes of `rows` charged to `memory`, and bytes not charged yet (the shared counter is
    /// touched every [`CHARGE_STEP`] bytes, not every row).
    charged: usize,
    uncharged: usize,
    file: Option<RowFile>,
    len: usize,
    width: usize,
}

/// Bytes a [`RowSink`] gathers before it charges them to the statement.
const CHARGE_STEP: usize = 64 * 1024;

impl RowSink {
    /// A sink charging `memory` (None: rows stay in memory whatever their size).
    pub fn new(memory: Option<Arc<StatementMemory>>) -> RowSink {
        RowSink {
            memory,
            file_buffer: None,
            rows: Vec::new(),
            charged: 0,
            uncharged: 0,
            file: None,
            len: 0,
            width: 0,
        }
    }

    /// A sink whose rows go to a temporary file in `memory`'s directory from the first one
    /// (a grace hash join's partition), written through a buffer of `buffer` bytes.
    pub fn file(memory: Arc<StatementMemory>, buffer: usize) -> RowSink {
        let mut sink = RowSink::new(Some(memory));
        sink.file_buffer = Some(buffer);
        sink
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, row: Row) -> SqlResult<()> {
        self.len += 1;
        self.width = row.len();
        if let (None, Some(buffer), Some(memory)) = (&self.file, self.file_buffer, &self.memory) {
            self.file = Some(RowFile::create(&memory.dir, buffer)?);
        }
        if let Some(file) = &mut self.file {
            return file.push(&row);
        }
        let Some(memory) = &self.memory else {
            self.rows.push(row);
            return Ok(());
        };
        self.uncharged += row_bytes(&row);
        self.rows.push(row);
        if self.uncharged < CHARGE_STEP {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.uncharged);
        self.charged += bytes;
        if memory.charge(bytes) {
            let mut file = RowFile::create(&memory.dir, WRITE_BUFFER)?;
            for row in self.rows.drain(..) {
                file.push(&row)?;
            }
            self.rows = Vec::new();
            memory.release(std::mem::take(&mut self.charged));
            self.file = Some(file);
        }
        Ok(())
    }

    pub fn finish(mut self) -> SqlResult<RowSet> {
        let len = self.len;
        if let Some(memory) = &self.memory {
            let bytes = std::mem::take(&mut self.uncharged);
            memory.charge(bytes);
            self.charged += bytes;
        }
        match self.file.take() {
            Some(file) => {
                let bytes = file.written();
                if let Some(memory) = &self.memory {
                    memory.spilled.fetch_add(bytes, AtomicOrdering::Relaxed);
                }
                Ok(RowSet {
                    inner: Stored::File {
                        run: file.finish()?,
                        width: self.width,
                        bytes,
                    },
                    len,
                })
            }
            None => Ok(RowSet {
                inner: Stored::Memory {
                    rows: std::mem::take(&mut self.rows),
                    charged: self
                        .memory
                        .take()
                        .map(|memory| (memory, std::mem::take(&mut self.charged))),
                },
                len,
            }),
        }
    }
}

impl Drop for RowSink {
    fn drop(&mut self) {
        if let Some(memory) = &self.memory {
            memory.release(self.charged);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test's own spill directory, removed with whatever is left in it when the test ends
    /// (passed or panicked), so test runs leave nothing under the system's temp dir.
    struct TempDir(PathBuf);

    impl std::ops::Deref for TempDir {
        type Target = PathBuf;
        fn deref(&self) -> &PathBuf {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn temp_dir(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("keel-spill-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn files(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    /// Pseudo-random rows: a key with many ties, a sequence number, a text payload.
    fn rows(n: u64) -> Vec<Row> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let key = if state.is_multiple_of(17) {
                    Value::Null
                } else {
                    Value::Int((state % 1000) as i64)
                };
                vec![
                    key,
                    Value::Int(i as i64),
                    Value::Text(format!("row {i} {}", "x".repeat((state % 50) as usize))),
                ]
            })
            .collect()
    }

    fn drain(mut sorted: SortedRows) -> Vec<Row> {
        let mut out = Vec::new();
        while let Some(row) = sorted.next_row().unwrap() {
            out.push(row);
        }
        assert!(sorted.is_empty());
        out
    }

    #[test]
    fn external_sort_matches_the_in_memory_sort_and_removes_its_files() {
        let dir = temp_dir("sort");
        let keys = vec![SortKey {
            output: 0,
            descending: true,
            nulls_first: false,
        }];
        let input = rows(50_000);
        let mut expected = input.clone();
        expected.sort_by(|a, b| compare_rows(a, b, &keys));
        // 64 kB of budget: hundreds of runs, merged in several passes (fan-in 2 at this budget).
        let mut sorter = Sorter::new(keys.clone(), 64 * 1024, None, dir.clone());
        for row in input.clone() {
            sorter.push(row).unwrap();
        }
        assert!(files(&dir) > 50, "{} runs", files(&dir));
        let sorted = sorter.finish().unwrap();
        assert!(sorted.stats().external);
        assert_eq!(sorted.len(), 50_000);
        // Stable like the in-memory sort: ties keep their input order.
        assert!(drain(sorted) == expected, "external sort differs");
        assert_eq!(files(&dir), 0);
        // Small input: no files at all.
        let mut sorter = Sorter::new(keys.clone(), 4 << 20, None, dir.clone());
        for row in input[..100].iter().cloned() {
            sorter.push(row).unwrap();
        }
        let sorted = sorter.finish().unwrap();
        assert!(!sorted.stats().external);
        assert_eq!(files(&dir), 0);
        let mut small = input[..100].to_vec();
        small.sort_by(|a, b| compare_rows(a, b, &keys));
        assert!(drain(sorted) == small, "in-memory sort differs");
    }

    #[test]
    fn bounded_and_unsorted_stores_and_dropped_sorts() {
        let dir = temp_dir("bounded");
        let keys = vec![
            SortKey {
                output: 0,
                descending: false,
                nulls_first: true,
            },
            SortKey {
                output: 1,
                descending: true,
                nulls_first: false,
            },
        ];
        let input = rows(30_000);
        let mut expected = input.clone();
        expected.sort_by(|a, b| compare_rows(a, b, &keys));
        for limit in [0, 1, 10, 5_000] {
            let mut sorter = Sorter::new(keys.clone(), 64 * 1024, Some(limit), dir.clone());
            for row in input.clone() {
                sorter.push(row).unwrap();
            }
            assert!(
                drain(sorter.finish().unwrap()) == expected[..limit],
                "limit {limit}"
            );
        }
        // One key with many ties: rows equal to the cutoff row are dropped, and the rows kept
        // are the first ones in input order, as a whole stable sort keeps them.
        let first_key = &keys[..1];
        let mut expected = input.clone();
        expected.sort_by(|a, b| compare_rows(a, b, first_key));
        for limit in [1, 7, 2_500] {
            let mut sorter = Sorter::new(first_key.to_vec(), 4 << 20, Some(limit), dir.clone());
            for row in input.clone() {
                sorter.push(row).unwrap();
            }
            let sorted = sorter.finish().unwrap();
            assert!(sorted.stats().bounded);
            assert!(drain(sorted) == expected[..limit], "ties, limit {limit}");
        }
        // Without keys: the input order, through files.
        let mut store = Sorter::new(Vec::new(), 64 * 1024, None, dir.clone());
        for row in input.clone() {
            store.push(row).unwrap();
        }
        assert!(files(&dir) > 1);
        assert!(
            drain(store.finish().unwrap()) == input,
            "unsorted store differs"
        );
        assert_eq!(files(&dir), 0);
        // A sort dropped half read (an error or a cancel) leaves nothing behind.
        let mut sorter = Sorter::new(keys.clone(), 64 * 1024, None, dir.clone());
        for row in input.clone() {
            sorter.push(row).unwrap();
        }
        let mut sorted = sorter.finish().unwrap();
        sorted.next_row().unwrap();
        assert!(files(&dir) > 0);
        drop(sorted);
        assert_eq!(files(&dir), 0);
        let mut sorter = Sorter::new(keys, 64 * 1024, None, dir.clone());
        for row in input {
            sorter.push(row).unwrap();
        }
        drop(sorter);
        assert_eq!(files(&dir), 0);
        assert_eq!(clear_temp_dir(&dir).unwrap(), 0);
    }

    #[test]
    fn row_sinks_spill_past_the_statement_memory_and_give_their_charge_back() {
        let dir = temp_dir("sink");
        let memory = StatementMemory::new(256 * 1024, dir.clone());
        let input = rows(20_000);
        // A small set stays in memory and is charged while it lives.
        let mut small = RowSink::new(Some(memory.clone()));
        for row in &input[..100] {
            small.push(row.clone()).unwrap();
        }
        let small = small.finish().unwrap();
        assert!(!small.is_spilled() && small.len() == 100);
        assert!(memory.used.load(AtomicOrdering::Relaxed) > 0);
        // A large one goes to a file once the statement passes its limit; it reads back the
        // same rows in order, as often as asked, and the file goes with the set.
        let mut big = RowSink::new(Some(memory.clone()));
        for row in &input {
            big.push(row.clone()).unwrap();
        }
        let big = big.finish().unwrap();
        assert!(big.is_spilled() && big.len() == input.len() && big.bytes() > 0);
        assert_eq!(files(&dir), 1);
        assert!(memory.spilled() > 0);
        for _ in 0..2 {
            assert_eq!(big.rows().unwrap().as_ref(), &input[..]);
        }
        let mut first = Vec::new();
        big.each(|row| {
            first.push(row.clone());
            Ok(first.len() < 3)
        })
        .unwrap();
        assert_eq!(first, &input[..3]);
        let mut stream = big.into_stream().unwrap();
        assert_eq!(stream.len(), input.len() as u64);
        assert_eq!(stream.next_row().unwrap().as_ref(), Some(&input[0]));
        drop(stream);
        assert_eq!(files(&dir), 0);
        drop(small);
        assert_eq!(memory.used.load(AtomicOrdering::Relaxed), 0);
        // Without a statement the rows stay in memory whatever their size.
        let mut free = RowSink::new(None);
        for row in &input {
            free.push(row.clone()).unwrap();
        }
        assert!(!free.finish().unwrap().is_spilled());
        // A file sink writes from the first row; an empty one makes no file.
        let mut part = RowSink::file(memory.clone(), 4096);
        part.push(input[0].clone()).unwrap();
        let part = part.finish().unwrap();
        assert!(part.is_spilled());
        assert!(!RowSink::file(memory.clone(), 4096)
            .finish()
            .unwrap()
            .is_spilled());
        drop(part);
        assert_eq!(files(&dir), 0);
    }
}
