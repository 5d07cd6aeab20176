//! SQL cursors: `DECLARE`, `FETCH`, `MOVE`, `CLOSE` and what `pg_cursors` shows.
//!
//! A cursor runs its query once, when it is declared, in the declaring transaction's snapshot
//! (PostgreSQL's cursor sees that snapshot too, however late its rows are fetched), and keeps the
//! result: the rows in memory and, for a large result, the rest in the sorter's temporary files
//! (`crate::spill::SortedRows`), read as fetches reach them. A cursor that cannot scroll
//! backward forgets the rows behind it, so reading a large result through it holds one batch at
//! a time, and its FETCH ALL hands the rest of the files to the result as a stream, read as the
//! rows are sent; a scrollable one keeps every row it has read.
//!
//! Positions follow PostgreSQL's portal (`pquery.c`): 0 is before the first row, `n` on row `n`,
//! `len + 1` after the last. FETCH and MOVE are made of the same two steps PostgreSQL's
//! `PortalRunFetch` uses, so their counts, end positions and errors agree with it: `step` reads
//! up to `count` rows forward or backward from the position (ending before the first or after
//! the last row when fewer were left), and `rewind` goes back to the start. A backward step or a
//! rewind away from the start on a NO SCROLL cursor is 55000 "cursor can only scan forward".
//!
//! Lifetime (as PostgreSQL): a cursor without HOLD lives until its transaction ends; one WITH
//! HOLD outlives the transaction that commits it (its rows are already kept), and goes with a
//! rollback of the transaction that declared it. ROLLBACK TO SAVEPOINT closes the cursors
//! declared after the savepoint.

use crate::error::{code, SqlError, SqlResult};
use crate::parse::FetchDirection;
use crate::plan::{OutputColumn, Plan, Rel, SetOpKind};
use crate::query::Row;
use crate::spill::SortedRows;
use keel_storage::TxnId;

/// One open cursor.
pub struct Cursor {
    /// The DECLARE statement, as `pg_cursors.statement` shows it.
    pub statement: String,
    pub columns: Vec<OutputColumn>,
    pub scroll: bool,
    pub hold: bool,
    pub binary: bool,
    /// When it was declared (a timestamp).
    pub created: i64,
    /// The open transaction that declared it, and the savepoint level it was declared at; None
    /// once that transaction committed (a held cursor).
    pub declared_in: Option<TxnId>,
    pub level: u32,
    /// A FETCH or MOVE failed on it: PostgreSQL runs such a portal no more.
    pub failed: bool,
    /// Rows read from the result and kept, the first being row `base + 1`.
    rows: Vec<Row>,
    base: usize,
    /// Rows of the result not read yet.
    pending: Option<SortedRows>,
    len: usize,
    position: usize,
}

impl Cursor {
    /// A cursor over a query's result (its rows in memory, then those of `stream`), before the
    /// first row.
    pub fn new(
        columns: Vec<OutputColumn>,
        rows: Vec<Row>,
        stream: Option<SortedRows>,
        scroll: bool,
    ) -> Cursor {
        let len = rows.len() + stream.as_ref().map_or(0, |s| s.len() as usize);
        Cursor {
            statement: String::new(),
            columns,
            scroll,
            hold: false,
            binary: false,
            created: 0,
            declared_in: None,
            level: 0,
            failed: false,
            rows,
            base: 0,
            pending: stream,
            len,
            position: 0,
        }
    }

    /// Row `n` (1-based) of the result, read from the temporary files if need be.
    fn row(&mut self, n: usize) -> SqlResult<Row> {
        while self.base + self.rows.len() < n {
            let next = self.pending.as_mut().map(|p| p.next_row()).transpose()?;
            match next.flatten() {
                Some(row) => self.rows.push(row),
                None => {
                    return Err(SqlError::new(
                        code::INTERNAL_ERROR,
                        format!("cursor row {n} of {} is missing", self.len),
                    ))
                }
            }
        }
        match n.checked_sub(self.base + 1) {
            Some(at) => Ok(self.rows[at].clone()),
            None => Err(SqlError::new(
                code::INTERNAL_ERROR,
                "a forward-only cursor's row was read again",
            )),
        }
    }

    /// Forgets the rows behind the position of a cursor that cannot go back to them.
    fn trim(&mut self) {
        if self.scroll {
            return;
        }
        let behind = (self.position.min(self.len))
            .saturating_sub(self.base)
            .min(self.rows.len());
        // Drained once half the kept rows are behind, so each row is moved at most once more.
        if behind > 0 && behind * 2 >= self.rows.len() {
            self.rows.drain(..behind);
            self.base += behind;
        }
    }

    fn forward_only() -> SqlError {
        SqlError::new(
            code::OBJECT_NOT_IN_PREREQUISITE_STATE,
            "cursor can only scan forward",
        )
        .with_hint("Declare it with SCROLL option to enable backward scan.")
    }

    /// PostgreSQL's `PortalRunSelect`: up to `count` rows (None: all) forward or backward from
    /// the position, kept in `out` when given; the number of rows gone over.
    fn step(
        &mut self,
        forward: bool,
        count: Option<u64>,
        mut out: Option<&mut Vec<Row>>,
    ) -> SqlResult<u64> {
        if !forward && !self.scroll {
            return Err(Cursor::forward_only());
        }
        if count == Some(0) {
            return Ok(0);
        }
        let wanted = count.unwrap_or(u64::MAX);
        let mut done = 0u64;
        if forward {
            while done < wanted && self.position < self.len {
                self.position += 1;
                if let Some(out) = out.as_deref_mut() {
                    out.push(self.row(self.position)?);
                }
                done += 1;
            }
            if done < wanted {
                self.position = self.len + 1;
            }
        } else {
            while done < wanted && self.position > 1 {
                self.position -= 1;
                if let Some(out) = out.as_deref_mut() {
                    out.push(self.row(self.position)?);
                }
                done += 1;
            }
            if done < wanted {
                self.position = 0;
            }
        }
        Ok(done)
    }

    /// PostgreSQL's `DoPortalRewind`.
    fn rewind(&mut self) -> SqlResult<()> {
        if self.position == 0 {
            return Ok(());
        }
        if !self.scroll {
            return Err(Cursor::forward_only());
        }
        self.position = 0;
        Ok(())
    }

    /// FETCH (`fetch`) or MOVE: the rows fetched (none for MOVE), then the rows still in the
    /// temporary files when they are all fetched, and the count the command tag shows;
    /// PostgreSQL's `PortalRunFetch`.
    pub fn fetch(
        &mut self,
        direction: FetchDirection,
        fetch: bool,
    ) -> SqlResult<(Vec<Row>, Option<SortedRows>, u64)> {
        if fetch && direction == FetchDirection::Forward(None) {
            if let Some((rows, stream, count)) = self.take_rest()? {
                return Ok((rows, Some(stream), count));
            }
        }
        let mut rows = Vec::new();
        let counted = self.fetch_into(direction, fetch.then_some(&mut rows))?;
        self.trim();
        Ok((rows, None, counted))
    }

    /// FETCH ALL from a cursor that cannot go back, whose result is partly in temporary files:
    /// the rest of the result as it is (the rows read ahead, then the files' rows, read as they
    /// are sent), so fetching a result larger than memory does not gather it. The cursor is
    /// then after its last row.
    fn take_rest(&mut self) -> SqlResult<Option<(Vec<Row>, SortedRows, u64)>> {
        if self.scroll || self.position >= self.len {
            return Ok(None);
        }
        let Some(mut stream) = self.pending.take() else {
            return Ok(None);
        };
        // The next row is `position + 1`; kept rows start at `base + 1` (a forward-only cursor
        // keeps none behind `base`, see `trim`). Rows a MOVE went over without reading them
        // are skipped in the files.
        let passed = self.position - self.base;
        let rows: Vec<Row> = if passed <= self.rows.len() {
            self.rows.drain(passed..).collect()
        } else {
            for _ in self.rows.len()..passed {
                stream.next_row()?;
            }
            Vec::new()
        };
        let count = (self.len - self.position) as u64;
        self.rows.clear();
        self.base = self.len;
        self.position = self.len + 1;
        Ok(Some((rows, stream, count)))
    }

    fn fetch_into(
        &mut self,
        direction: FetchDirection,
        mut out: Option<&mut Vec<Row>>,
    ) -> SqlResult<u64> {
        let move_only = out.is_none();
        let (forward, count) = match direction {
            FetchDirection::Absolute(count) if count > 0 => {
                let count = count as u64;
                // PostgreSQL's position: after the end it is the row count, one less than here.
                let position = self.position.min(self.len) as u64;
                if count - 1 <= position / 2 {
                    self.rewind()?;
                    if count > 1 {
                        self.step(true, Some(count - 1), None)?;
                    }
                } else {
                    let at = position + u64::from(self.position > self.len);
                    if count <= at {
                        self.step(false, Some(at - count + 1), None)?;
                    } else if count > at + 1 {
                        self.step(true, Some(count - at - 1), None)?;
                    }
                }
                return self.step(true, Some(1), out);
            }
            FetchDirection::Absolute(count) if count < 0 => {
                self.step(true, None, None)?;
                if count < -1 {
                    self.step(false, Some(count.unsigned_abs() - 1), None)?;
                }
                return self.step(false, Some(1), out);
            }
            FetchDirection::Absolute(_) => {
                self.rewind()?;
                return Ok(0);
            }
            FetchDirection::Relative(count) if count > 0 => {
                if count > 1 {
                    self.step(true, Some(count as u64 - 1), None)?;
                }
                return self.step(true, Some(1), out);
            }
            FetchDirection::Relative(count) if count < 0 => {
                if count < -1 {
                    self.step(false, Some(count.unsigned_abs() - 1), None)?;
                }
                return self.step(false, Some(1), out);
            }
            FetchDirection::Relative(_) => (true, Some(0)),
            FetchDirection::Forward(Some(count)) if count < 0 => {
                (false, Some(count.unsigned_abs()))
            }
            FetchDirection::Forward(count) => (true, count.map(|c| c as u64)),
            FetchDirection::Backward(Some(count)) if count < 0 => {
                (true, Some(count.unsigned_abs()))
            }
            FetchDirection::Backward(count) => (false, count.map(|c| c as u64)),
        };
        let (mut forward, mut count) = (forward, count);
        // A zero count fetches the current row again, if the cursor is on one.
        if count == Some(0) {
            let on_row = self.position >= 1 && self.position <= self.len;
            if move_only {
                return Ok(u64::from(on_row));
            }
            if on_row {
                self.step(false, Some(1), None)?;
                (forward, count) = (true, Some(1));
            }
        }
        // MOVE BACKWARD ALL is a rewind.
        if !forward && count.is_none() && move_only {
            let gone = self.position.min(self.len);
            let gone = if gone > 0 && self.position <= self.len {
                gone - 1
            } else {
                gone
            };
            self.rewind()?;
            return Ok(gone as u64);
        }
        self.step(forward, count, out.take())
    }
}

/// What a cursor may run: a query (PostgreSQL's grammar takes nothing else) that changes no
/// rows, and locks rows only when it neither scrolls nor is held.
pub fn check_query(plan: Option<&Plan>, scroll: Option<bool>, hold: bool) -> SqlResult<()> {
    let locking = match plan {
        Some(plan @ (Plan::Select(_) | Plan::Query(_))) => plan.row_locking(),
        Some(Plan::With { .. }) => {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                "DECLARE CURSOR must not contain data-modifying statements in WITH",
            ))
        }
        _ => return Err(SqlError::syntax("DECLARE CURSOR takes a query")),
    };
    let Some(locking) = locking else {
        return Ok(());
    };
    let clause = format!("FOR {}", locking.strength.name());
    if scroll == Some(true) {
        return Err(SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            format!("DECLARE SCROLL CURSOR ... {clause} is not supported"),
        )
        .with_detail("Scrollable cursors must be READ ONLY."));
    }
    if hold {
        return Err(SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            format!("DECLARE CURSOR WITH HOLD ... {clause} is not supported"),
        )
        .with_detail("Holdable cursors must be READ ONLY."));
    }
    Ok(())
}

/// Whether a cursor declared with neither SCROLL nor NO SCROLL may go backward: PostgreSQL's
/// rule (`ExecSupportsBackwardScan`) over Keel's plan: scans, VALUES, function scans and sorts
/// can, and so can what only filters, projects, limits or appends (UNION ALL) their rows;
/// aggregation, joins, DISTINCT, windows and row locks cannot, nor can a SELECT without FROM.
pub fn scrolls(plan: &Plan) -> bool {
    fn rel_scrolls(rel: &Rel) -> bool {
        match rel {
            Rel::Scan { .. }
            | Rel::Lookup { .. }
            | Rel::Values { .. }
            | Rel::Constants { .. }
            | Rel::Function { .. } => true,
            Rel::Sort { .. } => true,
            Rel::Filter { input, .. } | Rel::Project { input, .. } | Rel::Limit { input, .. } => {
                rel_scrolls(input)
            }
            Rel::SetOp {
                op: SetOpKind::Union,
                all: true,
                left,
                right,
            } => rel_scrolls(left) && rel_scrolls(right),
            _ => false,
        }
    }
    match plan {
        Plan::Select(select) => {
            select.table.is_some() && select.grouping.is_none() && select.locking.is_none()
        }
        Plan::Query(query) => rel_scrolls(&query.rel),
        _ => false,
    }
}

/// 34000 for a cursor name nobody declared.
pub fn missing(name: &str) -> SqlError {
    SqlError::new(
        code::INVALID_CURSOR_NAME,
        format!("cursor \"{name}\" does not exist"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    fn cursor(n: i64, scroll: bool, spilled: bool) -> Cursor {
        let rows: Vec<Row> = (1..=n).map(|i| vec![Value::Int(i)]).collect();
        let (rows, stream) = match spilled {
            true => (Vec::new(), Some(SortedRows::from_rows(rows))),
            false => (rows, None),
        };
        Cursor::new(Vec::new(), rows, stream, scroll)
    }

    fn ints(rows: &[Row]) -> Vec<i64> {
        rows.iter()
            .map(|row| match row[0] {
                Value::Int(i) => i,
                _ => unreachable!(),
            })
            .collect()
    }

    /// The rows a FETCH gives, those handed over in a stream too.
    fn fetch(c: &mut Cursor, direction: FetchDirection) -> (Vec<i64>, u64) {
        let (mut rows, stream, count) = c.fetch(direction, true).unwrap();
        if let Some(mut stream) = stream {
            while let Some(row) = stream.next_row().unwrap() {
                rows.push(row);
            }
        }
        (ints(&rows), count)
    }

    /// Each case checked against PostgreSQL 15 on a five-row SCROLL cursor.
    #[test]
    fn positions_follow_postgres() {
        use FetchDirection::*;
        for spilled in [false, true] {
            let mut c = cursor(5, true, spilled);
            assert_eq!(fetch(&mut c, Forward(Some(2))), (vec![1, 2], 2));
            assert_eq!(fetch(&mut c, Relative(0)), (vec![2], 1));
            assert_eq!(fetch(&mut c, Backward(Some(5))), (vec![1], 1));
            assert_eq!(fetch(&mut c, Backward(Some(1))), (vec![], 0));
            assert_eq!(fetch(&mut c, Absolute(-2)), (vec![4], 1));
            assert_eq!(fetch(&mut c, Forward(None)), (vec![5], 1));
            assert_eq!(fetch(&mut c, Forward(Some(1))), (vec![], 0));
            assert_eq!(fetch(&mut c, Backward(Some(1))), (vec![5], 1));
            assert_eq!(fetch(&mut c, Absolute(9)), (vec![], 0));
            assert_eq!(fetch(&mut c, Relative(-2)), (vec![4], 1));
            assert_eq!(fetch(&mut c, Forward(Some(-2))), (vec![3, 2], 2));
            assert_eq!(c.fetch(Backward(None), false).unwrap().2, 1);
            assert_eq!(fetch(&mut c, Absolute(1)), (vec![1], 1));
            assert_eq!(fetch(&mut c, Absolute(0)), (vec![], 0));
            assert_eq!(fetch(&mut c, Backward(None)), (vec![], 0));
            assert_eq!(c.fetch(Forward(None), false).unwrap().2, 5);
            assert_eq!(c.fetch(Relative(0), false).unwrap().2, 0);
            assert_eq!(fetch(&mut c, Backward(None)), (vec![5, 4, 3, 2, 1], 5));
        }
    }

    #[test]
    fn no_scroll_only_goes_forward_and_forgets() {
        use FetchDirection::*;
        let mut c = cursor(100, false, true);
        assert_eq!(fetch(&mut c, Absolute(1)), (vec![1], 1));
        assert_eq!(fetch(&mut c, Forward(Some(60))).1, 60);
        assert!(c.rows.len() < 61, "rows behind the position are forgotten");
        let error = c.fetch(Backward(Some(1)), true).unwrap_err();
        assert_eq!(error.code, code::OBJECT_NOT_IN_PREREQUISITE_STATE);
        assert!(c.fetch(Absolute(3), true).is_err());
        assert!(c.fetch(Relative(0), true).is_err());
        assert_eq!(fetch(&mut c, Absolute(62)), (vec![62], 1));
        // FETCH ALL hands the files' rows over as a stream instead of reading them in.
        let (kept, stream, count) = c.fetch(Forward(None), true).unwrap();
        assert_eq!(count, 38);
        let mut stream = stream.expect("the rest is still in the files");
        assert!(kept.len() < 38);
        let mut all = ints(&kept);
        while let Some(row) = stream.next_row().unwrap() {
            all.push(ints(&[row])[0]);
        }
        assert_eq!(all, (63..=100).collect::<Vec<i64>>());
        assert_eq!(fetch(&mut c, Forward(None)), (vec![], 0));
        assert_eq!(fetch(&mut c, Forward(Some(1))), (vec![], 0));
        assert!(c.fetch(Backward(Some(1)), true).is_err());
        // Rows a MOVE went over are not handed over.
        let mut c = cursor(100, false, true);
        assert_eq!(c.fetch(Forward(Some(70)), false).unwrap().2, 70);
        assert_eq!(fetch(&mut c, Forward(None)), ((71..=100).collect(), 30));
    }
}
