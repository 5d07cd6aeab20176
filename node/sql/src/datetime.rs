//! Dates, intervals and date/time arithmetic with PostgreSQL's rules.
//!
//! A date is a day count since 2000-01-01 (PostgreSQL's epoch, so the binary wire form is the value
//! itself); an interval keeps months, days and microseconds apart, as PostgreSQL does, because a
//! month has no fixed length in days and a day none in microseconds (daylight saving). Adding an
//! interval to a timestamp adds the months first (clamping the day to the month's end), then the
//! days, then the microseconds. Intervals compare by a normalized length (30-day months, 24-hour
//! days), also PostgreSQL's choice.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::error::{code, SqlError, SqlResult};
use crate::types::{civil_from_days, days_from_civil, days_in_month, parse_timestamp, Value};

pub const USECS_PER_SEC: i64 = 1_000_000;
pub const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;
/// Days from 1970-01-01 to 2000-01-01.
pub const UNIX_TO_PG_DAYS: i64 = 10_957;

/// PostgreSQL's interval: months, days and microseconds, each with its own sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

impl Interval {
    /// Length with 30-day months and 24-hour days (for ordering and equality).
    pub fn normalized(&self) -> i128 {
        (self.months as i128 * 30 + self.days as i128) * USECS_PER_DAY as i128 + self.micros as i128
    }
}

fn datetime_error(ty: &str, text: &str) -> SqlError {
    SqlError::new(
        code::INVALID_DATETIME_FORMAT,
        format!("invalid input syntax for type {ty}: \"{text}\""),
    )
}

fn overflow(what: &str) -> SqlError {
    SqlError::new(
        code::DATETIME_FIELD_OVERFLOW,
        format!("{what} out of range"),
    )
}

/// Parses a date (`YYYY-MM-DD`, optionally followed by a time, which is dropped).
pub fn parse_date(text: &str) -> SqlResult<i32> {
    // ISO `YYYY-MM-DD` (what COPY input and drivers send) read directly.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let number = |d: &[u8]| d.iter().fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'));
            let (year, month, day) = (
                number(&digits[..4]),
                number(&digits[4..6]),
                number(&digits[6..]),
            );
            if year > 0
                && (1..=12).contains(&month)
                && day >= 1
                && day <= crate::types::days_in_month(year, month)
            {
                return Ok((date2j(year, month, day) - UNIX_JULIAN - UNIX_TO_PG_DAYS) as i32);
            }
        }
    }
    let trimmed = text.trim();
    match trimmed.to_ascii_lowercase().as_str() {
        "infinity" => return Ok(i32::MAX),
        "-infinity" => return Ok(i32::MIN),
        "epoch" => return Ok(-UNIX_TO_PG_DAYS as i32),
        _ => {}
    }
    // A time zone after the date (`2024-01-01 +00`, as JDBC sends dates) is ignored, as in
    // PostgreSQL.
    let zoned = trimmed
        .char_indices()
        .skip(10)
        .filter(|(_, c)| *c == '+' || *c == '-')
        .last()
        .map(|(at, _)| at)
        .filter(|&at| {
            let zone = &trimmed[at + 1..];
            !zone.is_empty() && zone.bytes().all(|b| b.is_ascii_digit() || b == b':')
        });
    let trimmed = match zoned {
        Some(at) => trimmed[..at].trim_end(),
        None => trimmed,
    };
    let usecs = parse_timestamp(trimmed, false).ok_or_else(|| {
        if well_formed_datetime(trimmed) {
            input_overflow(text)
        } else {
            datetime_error("date", text)
        }
    })?;
    i32::try_from(usecs.div_euclid(USECS_PER_DAY)).map_err(|_| overflow("date"))
}

/// Whether `text`, which did not read as a date or timestamp, has the shape of one
/// (`YYYY-MM-DD`, then only digits and the separators of a time and offset): then a field of it
/// was out of range (month 13, hour 25, year 0), PostgreSQL's 22008, not a syntax error.
pub(crate) fn well_formed_datetime(text: &str) -> bool {
    let (date, rest) = text.split_at(text.len().min(10));
    let fields: Vec<&str> = date.split('-').collect();
    fields.len() == 3
        && fields
            .iter()
            .all(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b' ' | b'T' | b'+' | b'-'))
}

/// PostgreSQL's 22008 for a date/time whose field is out of range (`text` as written).
pub(crate) fn field_overflow(text: &str) -> SqlError {
    SqlError::new(
        code::DATETIME_FIELD_OVERFLOW,
        format!("date/time field value out of range: \"{text}\""),
    )
}

/// [`field_overflow`] as the date and timestamp input functions report it: a month past 12
/// (perhaps a day written first) gets PostgreSQL's hint about DateStyle.
pub(crate) fn input_overflow(text: &str) -> SqlError {
    let month = text
        .trim()
        .split('-')
        .nth(1)
        .and_then(|m| m.parse::<u32>().ok());
    match month {
        Some(month) if month > 12 => {
            field_overflow(text).with_hint("Perhaps you need a different \"datestyle\" setting.")
        }
        _ => field_overflow(text),
    }
}

/// Writes `HH:MM:SS` (hours past 24 as they are) and a fraction only when there is one: the
/// clock part of times and intervals.
pub fn format_clock(micros: u64, out: &mut String) {
    let seconds = micros / USECS_PER_SEC as u64;
    let fraction = micros % USECS_PER_SEC as u64;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// Writes a date as PostgreSQL does with `DateStyle = ISO`.
pub fn format_date(days: i32, out: &mut String) {
    match days {
        i32::MAX => return out.push_str("infinity"),
        i32::MIN => return out.push_str("-infinity"),
        _ => {}
    }
    let (year, month, day) = civil_from_days(days as i64 + UNIX_TO_PG_DAYS);
    if year <= 0 {
        let _ = write!(out, "{:04}-{month:02}-{day:02} BC", 1 - year);
    } else {
        let _ = write!(out, "{year:04}-{month:02}-{day:02}");
    }
}

/// PostgreSQL's interval field bits (`INTERVAL_MASK`), as an interval typmod holds them.
const MONTH: u32 = 1 << 1;
const YEAR: u32 = 1 << 2;
const DAY: u32 = 1 << 3;
const HOUR: u32 = 1 << 10;
const MINUTE: u32 = 1 << 11;
const SECOND: u32 = 1 << 12;
/// No fields given: the whole range.
const FULL_RANGE: u32 = 0x7fff;
/// No precision given.
const FULL_PRECISION: u32 = 0xffff;

/// The typmod of `interval [fields] [(precision)]`, fields as written (`"hour to minute"`).
pub fn interval_typmod(fields: Option<&str>, precision: Option<u32>) -> Option<u32> {
    let range = match fields.map(str::to_ascii_lowercase).as_deref() {
        None => FULL_RANGE,
        Some("year") => YEAR,
        Some("month") => MONTH,
        Some("day") => DAY,
        Some("hour") => HOUR,
        Some("minute") => MINUTE,
        Some("second") => SECOND,
        Some("year to month") => YEAR | MONTH,
        Some("day to hour") => DAY | HOUR,
        Some("day to minute") => DAY | HOUR | MINUTE,
        Some("day to second") => DAY | HOUR | MINUTE | SECOND,
        Some("hour to minute") => HOUR | MINUTE,
        Some("hour to second") => HOUR | MINUTE | SECOND,
        Some("minute to second") => MINUTE | SECOND,
        Some(_) => return None,
    };
    Some((range << 16) | precision.map_or(FULL_PRECISION, |p| p.min(6)))
}

/// `format_type` of an interval typmod (PostgreSQL's intervaltypmodout): `interval`, then the
/// fields, then `(precision)`.
pub fn interval_type_name(typmod: i64) -> String {
    if typmod < 0 {
        return "interval".into();
    }
    let (range, precision) = ((typmod as u32 >> 16) & 0x7fff, typmod as u32 & 0xffff);
    let fields = match range {
        YEAR => " year",
        MONTH => " month",
        DAY => " day",
        HOUR => " hour",
        MINUTE => " minute",
        SECOND => " second",
        r if r == YEAR | MONTH => " year to month",
        r if r == DAY | HOUR => " day to hour",
        r if r == DAY | HOUR | MINUTE => " day to minute",
        r if r == DAY | HOUR | MINUTE | SECOND => " day to second",
        r if r == HOUR | MINUTE => " hour to minute",
        r if r == HOUR | MINUTE | SECOND => " hour to second",
        r if r == MINUTE | SECOND => " minute to second",
        _ => "",
    };
    if precision == FULL_PRECISION {
        format!("interval{fields}")
    } else {
        format!("interval{fields}({precision})")
    }
}

/// The unit of a bare number read as an interval of these fields (the range's last one).
pub fn interval_bare_unit(typmod: u32) -> Option<&'static str> {
    let range = (typmod >> 16) & 0x7fff;
    if range == FULL_RANGE {
        return None;
    }
    Some(if range & SECOND != 0 {
        "second"
    } else if range & MINUTE != 0 {
        "minute"
    } else if range & HOUR != 0 {
        "hour"
    } else if range & DAY != 0 {
        "day"
    } else if range & MONTH != 0 {
        "month"
    } else {
        "year"
    })
}

/// PostgreSQL's AdjustIntervalForTypmod: the fields below the range's last one dropped (toward
/// zero), then the seconds rounded to the precision (half away from zero).
pub fn adjust_interval(mut i: Interval, typmod: u32) -> Interval {
    const HOUR_USECS: i64 = 3_600_000_000;
    const MINUTE_USECS: i64 = 60_000_000;
    let (range, precision) = ((typmod >> 16) & 0x7fff, typmod & 0xffff);
    if range == YEAR {
        i.months = i.months / 12 * 12;
        i.days = 0;
        i.micros = 0;
    } else if range == MONTH || range == YEAR | MONTH {
        i.days = 0;
        i.micros = 0;
    } else if range == DAY {
        i.micros = 0;
    } else if range == HOUR || range == DAY | HOUR {
        i.micros = i.micros / HOUR_USECS * HOUR_USECS;
    } else if range == MINUTE || range == DAY | HOUR | MINUTE || range == HOUR | MINUTE {
        i.micros = i.micros / MINUTE_USECS * MINUTE_USECS;
    }
    if precision != FULL_PRECISION && precision < 6 {
        i.micros = crate::types::round_seconds(i.micros, precision as u8);
    }
    i
}

/// Parses an interval in PostgreSQL's forms: `1 year 2 mons 3 days 04:05:06.5`, `90 minutes`,
/// `-1 day`, `@ 3 days ago`, `1.5 hours`; `unit` is the unit of a bare number (`INTERVAL '90'
/// DAY`).
pub fn parse_interval(text: &str, unit: Option<&str>) -> SqlResult<Interval> {
    let bad = || datetime_error("interval", text);
    let mut result = Interval::default();
    let mut fraction_days = 0f64;
    let mut fraction_micros = 0f64;
    let lower = text.trim().to_ascii_lowercase();
    let mut tokens: Vec<&str> = lower.split_whitespace().collect();
    if tokens.first() == Some(&"@") {
        tokens.remove(0);
    }
    let ago = tokens.last() == Some(&"ago");
    if ago {
        tokens.pop();
    }
    if tokens.is_empty() {
        return Err(bad());
    }
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if token.contains(':') {
            // [-]HH:MM[:SS[.ffffff]]
            let (negative, clock) = match token.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, token.strip_prefix('+').unwrap_or(token)),
            };
            let parts: Vec<&str> = clock.split(':').collect();
            if parts.len() > 3 {
                return Err(bad());
            }
            let hours: i64 = parts[0].parse().map_err(|_| bad())?;
            let minutes: i64 = parts
                .get(1)
                .map_or(Ok(0), |p| p.parse())
                .map_err(|_| bad())?;
            let seconds: f64 = parts
                .get(2)
                .map_or(Ok(0.0), |p| p.parse())
                .map_err(|_| bad())?;
            let micros = (hours * 3600 + minutes * 60) * USECS_PER_SEC
                + (seconds * USECS_PER_SEC as f64).round() as i64;
            result.micros += if negative { -micros } else { micros };
            i += 1;
            continue;
        }
        let number: f64 = token.parse().map_err(|_| bad())?;
        let unit = match tokens.get(i + 1) {
            Some(next) if next.chars().all(|c| c.is_ascii_alphabetic()) => {
                i += 2;
                *next
            }
            // A number before a time of day is days (`2 03:04:05`), as in PostgreSQL.
            Some(next) if next.contains(':') => {
                i += 1;
                "day"
            }
            _ => {
                i += 1;
                unit.unwrap_or("second")
            }
        };
        let (months, days, micros): (f64, f64, f64) = match unit {
            "microsecond" | "microseconds" | "us" | "usec" | "usecs" => (0.0, 0.0, 1.0),
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => (0.0, 0.0, 1e3),
            "second" | "seconds" | "s" | "sec" | "secs" => (0.0, 0.0, 1e6),
            "minute" | "minutes" | "m" | "min" | "mins" => (0.0, 0.0, 60e6),
            "hour" | "hours" | "h" | "hr" | "hrs" => (0.0, 0.0, 3600e6),
            "day" | "days" | "d" => (0.0, 1.0, 0.0),
            "week" | "weeks" | "w" => (0.0, 7.0, 0.0),
            "month" | "months" | "mon" | "mons" => (1.0, 0.0, 0.0),
            "year" | "years" | "y" | "yr" | "yrs" => (12.0, 0.0, 0.0),
            "decade" | "decades" => (120.0, 0.0, 0.0),
            "century" | "centuries" => (1200.0, 0.0, 0.0),
            "millennium" | "millennia" => (12000.0, 0.0, 0.0),
            _ => return Err(bad()),
        };
        if months != 0.0 {
            let total = number * months;
            result.months += total.trunc() as i32;
            fraction_days += total.fract() * 30.0;
        }
        if days != 0.0 {
            let total = number * days;
            result.days += total.trunc() as i32;
            fraction_micros += total.fract() * USECS_PER_DAY as f64;
        }
        if micros != 0.0 {
            fraction_micros += number * micros;
        }
    }
    result.days += fraction_days.trunc() as i32;
    fraction_micros += fraction_days.fract() * USECS_PER_DAY as f64;
    result.micros += fraction_micros.round() as i64;
    if ago {
        result = negate(result)?;
    }
    Ok(result)
}

/// Writes an interval in PostgreSQL's default style (`IntervalStyle = postgres`).
pub fn format_interval(interval: &Interval, out: &mut String) {
    let years = interval.months / 12;
    let months = interval.months % 12;
    let mut negative_seen = false;
    let mut wrote = false;
    let mut field = |value: i64, unit: &str, out: &mut String| {
        if value == 0 {
            return;
        }
        if wrote {
            out.push(' ');
        }
        if value > 0 && negative_seen {
            out.push('+');
        }
        let plural = if value == 1 { "" } else { "s" };
        let _ = write!(out, "{value} {unit}{plural}");
        negative_seen |= value < 0;
        wrote = true;
    };
    field(years as i64, "year", out);
    field(months as i64, "mon", out);
    field(interval.days as i64, "day", out);
    if interval.micros != 0 || !wrote {
        if wrote {
            out.push(' ');
        }
        let micros = interval.micros;
        if micros < 0 {
            out.push('-');
        } else if negative_seen {
            out.push('+');
        }
        format_clock(micros.unsigned_abs(), out);
    }
}

/// PostgreSQL's `age(a, b)` of two timestamps (microseconds since 2000-01-01): the field-wise
/// difference in years, months, days and time, borrowing from the next field up where one is
/// negative (a month borrows the length of the earlier timestamp's month), as `timestamp_age`
/// computes it, so `age('2024-01-01', '2023-01-15')` is 11 mons 17 days.
pub fn age(a: i64, b: i64) -> SqlResult<Interval> {
    if [a, b].iter().any(|t| *t == i64::MAX || *t == i64::MIN) {
        return Err(SqlError::new(
            code::DATETIME_FIELD_OVERFLOW,
            "cannot subtract infinite timestamps",
        ));
    }
    // (year, month, day, hour, minute, second, microsecond)
    let fields = |t: i64| {
        let days = t.div_euclid(USECS_PER_DAY);
        let clock = t.rem_euclid(USECS_PER_DAY);
        let (year, month, day) = civil_from_days(days + UNIX_TO_PG_DAYS);
        [
            year,
            month,
            day,
            clock / 3_600_000_000,
            clock / 60_000_000 % 60,
            clock / 1_000_000 % 60,
            clock % 1_000_000,
        ]
    };
    let (f1, f2) = (fields(a), fields(b));
    let mut d: Vec<i64> = f1.iter().zip(&f2).map(|(x, y)| x - y).collect();
    let flip = a < b;
    if flip {
        d.iter_mut().for_each(|v| *v = -*v);
    }
    let [year, month, day, hour, minute, second, micro] = &mut d[..] else {
        unreachable!("seven fields")
    };
    while *micro < 0 {
        *micro += 1_000_000;
        *second -= 1;
    }
    while *second < 0 {
        *second += 60;
        *minute -= 1;
    }
    while *minute < 0 {
        *minute += 60;
        *hour -= 1;
    }
    while *hour < 0 {
        *hour += 24;
        *day -= 1;
    }
    while *day < 0 {
        // The month of the earlier timestamp lends its length.
        let (y, m) = if flip { (f1[0], f1[1]) } else { (f2[0], f2[1]) };
        *day += days_in_month(y, m);
        *month -= 1;
    }
    while *month < 0 {
        *month += 12;
        *year -= 1;
    }
    let sign = if flip { -1 } else { 1 };
    let months = sign * (*year * 12 + *month);
    let days = sign * *day;
    let micros = sign * (((*hour * 60 + *minute) * 60 + *second) * 1_000_000 + *micro);
    let out_of_range = || SqlError::new(code::DATETIME_FIELD_OVERFLOW, "interval out of range");
    Ok(Interval {
        months: i32::try_from(months).map_err(|_| out_of_range())?,
        days: i32::try_from(days).map_err(|_| out_of_range())?,
        micros,
    })
}

/// justify_days / justify_hours / justify_interval: whole 30-day periods of days become months,
/// whole 24-hour periods of time become days, and mixed signs are evened out, as PostgreSQL does.
pub fn justify(interval: Interval, how: crate::functions::Justify) -> SqlResult<Interval> {
    use crate::functions::Justify;
    let overflow = || SqlError::new(code::DATETIME_FIELD_OVERFLOW, "interval out of range");
    let (mut months, mut days, mut time) = (
        interval.months as i64,
        interval.days as i64,
        interval.micros,
    );
    if how != Justify::Days {
        days += time / USECS_PER_DAY;
        time %= USECS_PER_DAY;
    }
    if how != Justify::Hours {
        months += days / 30;
        days %= 30;
    }
    if how == Justify::Interval {
        if months > 0 && (days < 0 || (days == 0 && time < 0)) {
            days += 30;
            months -= 1;
        } else if months < 0 && (days > 0 || (days == 0 && time > 0)) {
            days -= 30;
            months += 1;
        }
    }
    if how == Justify::Days {
        if months > 0 && days < 0 {
            days += 30;
            months -= 1;
        } else if months < 0 && days > 0 {
            days -= 30;
            months += 1;
        }
    } else if days > 0 && time < 0 {
        time += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && time > 0 {
        time -= USECS_PER_DAY;
        days += 1;
    }
    Ok(Interval {
        months: i32::try_from(months).map_err(|_| overflow())?,
        days: i32::try_from(days).map_err(|_| overflow())?,
        micros: time,
    })
}

pub fn negate(interval: Interval) -> SqlResult<Interval> {
    Ok(Interval {
        months: interval
            .months
            .checked_neg()
            .ok_or_else(|| overflow("interval"))?,
        days: interval
            .days
            .checked_neg()
            .ok_or_else(|| overflow("interval"))?,
        micros: interval
            .micros
            .checked_neg()
            .ok_or_else(|| overflow("interval"))?,
    })
}

/// Date/time operators, typed by the binder (operands in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeOp {
    /// date + integer
    AddDays,
    /// date - integer
    SubDays,
    /// date - date: days between
    DiffDays,
    /// timestamp + interval
    AddInterval,
    /// timestamp - interval
    SubInterval,
    /// timestamp - timestamp: an interval of days and time
    DiffTimestamps,
    IntervalAdd,
    IntervalSub,
    /// interval * number
    IntervalMul,
    /// interval / number
    IntervalDiv,
    /// time + interval (wrapping at midnight)
    TimeAdd,
    /// time - interval
    TimeSub,
    /// time - time: an interval
    TimeDiff,
    /// date + time: a timestamp
    DateAddTime,
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        numeric if numeric.is_numeric() => Some(numeric.as_numeric()?.to_f64()),
        _ => None,
    }
}

/// Adds months, then days, then microseconds to a timestamp (microseconds since 2000-01-01).
pub fn add_interval(usecs: i64, interval: &Interval) -> SqlResult<i64> {
    if usecs == i64::MAX || usecs == i64::MIN {
        return Ok(usecs);
    }
    let mut days = usecs.div_euclid(USECS_PER_DAY);
    let time = usecs.rem_euclid(USECS_PER_DAY);
    if interval.months != 0 {
        let (year, month, day) = civil_from_days(days + UNIX_TO_PG_DAYS);
        let total = year * 12 + (month - 1) + interval.months as i64;
        let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        let day = day.min(days_in_month(year, month));
        days = days_from_civil(year, month, day) - UNIX_TO_PG_DAYS;
    }
    days += interval.days as i64;
    days.checked_mul(USECS_PER_DAY)
        .and_then(|d| d.checked_add(time))
        .and_then(|t| t.checked_add(interval.micros))
        .ok_or_else(|| overflow("timestamp"))
}

/// Evaluates a date/time operator on non-null operands.
pub fn time_op(op: TimeOp, left: Value, right: Value) -> SqlResult<Value> {
    let mismatch = || {
        SqlError::new(
            code::INTERNAL_ERROR,
            "date/time operands of unexpected types",
        )
    };
    Ok(match (op, left, right) {
        (TimeOp::AddDays, Value::Date(d), Value::Int(n)) => {
            Value::Date(i32::try_from(d as i64 + n).map_err(|_| overflow("date"))?)
        }
        (TimeOp::SubDays, Value::Date(d), Value::Int(n)) => {
            Value::Date(i32::try_from(d as i64 - n).map_err(|_| overflow("date"))?)
        }
        (TimeOp::DiffDays, Value::Date(a), Value::Date(b)) => Value::Int(a as i64 - b as i64),
        (TimeOp::TimeAdd | TimeOp::TimeSub, Value::Timestamp(t), Value::Interval(i)) => {
            // Only the interval's time part counts (days and months are whole days).
            let shift = if op == TimeOp::TimeSub {
                -i.micros
            } else {
                i.micros
            };
            Value::Timestamp((t + shift.rem_euclid(USECS_PER_DAY)).rem_euclid(USECS_PER_DAY))
        }
        (TimeOp::TimeDiff, Value::Timestamp(a), Value::Timestamp(b)) => Value::Interval(Interval {
            months: 0,
            days: 0,
            micros: a - b,
        }),
        (TimeOp::DateAddTime, Value::Date(d), Value::Timestamp(t)) => match d {
            i32::MAX => Value::Timestamp(i64::MAX),
            i32::MIN => Value::Timestamp(i64::MIN),
            d => Value::Timestamp(d as i64 * USECS_PER_DAY + t),
        },
        (TimeOp::AddInterval, Value::Timestamp(t), Value::Interval(i)) => {
            Value::Timestamp(add_interval(t, &i)?)
        }
        (TimeOp::SubInterval, Value::Timestamp(t), Value::Interval(i)) => {
            Value::Timestamp(add_interval(t, &negate(i)?)?)
        }
        (TimeOp::DiffTimestamps, Value::Timestamp(a), Value::Timestamp(b)) => {
            let diff = a.checked_sub(b).ok_or_else(|| overflow("interval"))?;
            // PostgreSQL moves whole days out of the time part (interval_justify_hours).
            Value::Interval(Interval {
                months: 0,
                days: (diff / USECS_PER_DAY) as i32,
                micros: diff % USECS_PER_DAY,
            })
        }
        (TimeOp::IntervalAdd | TimeOp::IntervalSub, Value::Interval(a), Value::Interval(b)) => {
            let b = if op == TimeOp::IntervalSub {
                negate(b)?
            } else {
                b
            };
            Value::Interval(Interval {
                months: a
                    .months
                    .checked_add(b.months)
                    .ok_or_else(|| overflow("interval"))?,
                days: a
                    .days
                    .checked_add(b.days)
                    .ok_or_else(|| overflow("interval"))?,
                micros: a
                    .micros
                    .checked_add(b.micros)
                    .ok_or_else(|| overflow("interval"))?,
            })
        }
        (TimeOp::IntervalMul | TimeOp::IntervalDiv, Value::Interval(a), factor) => {
            let mut f = as_f64(&factor).ok_or_else(mismatch)?;
            if op == TimeOp::IntervalDiv {
                if f == 0.0 {
                    return Err(SqlError::new(code::DIVISION_BY_ZERO, "division by zero"));
                }
                f = 1.0 / f;
            }
            let months = a.months as f64 * f;
            let days = a.days as f64 * f + months.fract() * 30.0;
            let micros = a.micros as f64 * f + days.fract() * USECS_PER_DAY as f64;
            if !months.is_finite() || months.abs() > i32::MAX as f64 || days.abs() > i32::MAX as f64
            {
                return Err(overflow("interval"));
            }
            Value::Interval(Interval {
                months: months.trunc() as i32,
                days: days.trunc() as i32,
                micros: micros.round() as i64,
            })
        }
        _ => return Err(mismatch()),
    })
}

fn unit_error(unit: &str, ty: &str) -> SqlError {
    const KNOWN: &[&str] = &[
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "millisecond",
        "microsecond",
        "week",
        "quarter",
        "decade",
        "century",
        "millennium",
        "dow",
        "doy",
        "isodow",
        "isoyear",
        "epoch",
        "julian",
        "timezone",
        "timezone_hour",
        "timezone_minute",
    ];
    let verb = if KNOWN.contains(&unit) {
        "not supported"
    } else {
        "not recognized"
    };
    SqlError::new(
        code::INVALID_PARAMETER_VALUE,
        format!("unit \"{unit}\" {verb} for type {ty}"),
    )
}

pub(crate) fn canonical_unit(unit: &str) -> String {
    let lower = unit.trim().to_ascii_lowercase();
    match lower.as_str() {
        "years" | "y" | "yr" | "yrs" => "year".into(),
        "months" | "mon" | "mons" => "month".into(),
        "days" | "d" => "day".into(),
        "hours" | "h" | "hr" | "hrs" => "hour".into(),
        "minutes" | "m" | "min" | "mins" => "minute".into(),
        "seconds" | "s" | "sec" | "secs" => "second".into(),
        "milliseconds" | "ms" | "msec" | "msecs" => "millisecond".into(),
        "microseconds" | "us" | "usec" | "usecs" => "microsecond".into(),
        "weeks" | "w" => "week".into(),
        "quarters" => "quarter".into(),
        "decades" => "decade".into(),
        "centuries" => "century".into(),
        "millennia" | "millenniums" | "millenium" => "millennium".into(),
        _ => lower,
    }
}

/// `extract(field FROM value)` as numeric (PostgreSQL 14+); `date_part` casts it to float8.
/// `value` is a timestamp (microseconds), a date, or an interval.
pub fn extract(field: &str, value: &Value, type_name: &str) -> SqlResult<Decimal> {
    let field = canonical_unit(field);
    let int = |n: i64| Ok(Decimal::from(n));
    match value {
        Value::Timestamp(_) | Value::Date(_) => {
            let is_date = matches!(value, Value::Date(_));
            let usecs = match value {
                Value::Date(d) => *d as i64 * USECS_PER_DAY,
                Value::Timestamp(t) => *t,
                _ => unreachable!("matched above"),
            };
            let days = usecs.div_euclid(USECS_PER_DAY);
            let time = usecs.rem_euclid(USECS_PER_DAY);
            let (year, month, day) = civil_from_days(days + UNIX_TO_PG_DAYS);
            let seconds_in_minute = time % (60 * USECS_PER_SEC);
            match field.as_str() {
                "year" => int(if year <= 0 { year - 1 } else { year }),
                "month" => int(month),
                "day" => int(day),
                "quarter" => int((month - 1) / 3 + 1),
                "decade" => int(year.div_euclid(10)),
                "century" => int(if year > 0 {
                    (year + 99) / 100
                } else {
                    -((99 - (year - 1)) / 100)
                }),
                "millennium" => int(if year > 0 {
                    (year + 999) / 1000
                } else {
                    -((999 - (year - 1)) / 1000)
                }),
                "dow" => int((days + UNIX_TO_PG_DAYS + 4).rem_euclid(7)),
                "isodow" => int((days + UNIX_TO_PG_DAYS + 3).rem_euclid(7) + 1),
                "doy" => int(days + UNIX_TO_PG_DAYS - days_from_civil(year, 1, 1) + 1),
                "week" | "isoyear" => {
                    // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
                    let ordinal = days + UNIX_TO_PG_DAYS;
                    let weekday = (ordinal + 3).rem_euclid(7); // Monday = 0
                    let thursday = ordinal - weekday + 3;
                    let (iso_year, _, _) = civil_from_days(thursday);
                    let week = (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1;
                    int(if field == "week" { week } else { iso_year })
                }
                "julian" if is_date => int(days + UNIX_TO_PG_DAYS + UNIX_JULIAN),
                "julian" => {
                    // The Julian day and the fraction of it, to 20 places as PostgreSQL's
                    // numeric division gives it.
                    let fraction =
                        (Decimal::from(time) / Decimal::from(USECS_PER_DAY)).round_dp(20);
                    let mut day = Decimal::from(days + UNIX_TO_PG_DAYS + UNIX_JULIAN) + fraction;
                    day.rescale(20);
                    Ok(day)
                }
                "epoch" if is_date => int((days) * 86_400 + UNIX_TO_PG_DAYS * 86_400),
                "epoch" => Ok(Decimal::new(
                    usecs as i64 + UNIX_TO_PG_DAYS * USECS_PER_DAY,
                    6,
                )),
                "hour" if !is_date => int(time / (3600 * USECS_PER_SEC)),
                "minute" if !is_date => int(time / (60 * USECS_PER_SEC) % 60),
                "second" if !is_date => Ok(Decimal::new(seconds_in_minute, 6)),
                "millisecond" if !is_date => Ok(Decimal::new(seconds_in_minute, 3)),
                "microsecond" if !is_date => int(seconds_in_minute),
                other => Err(unit_error(other, type_name)),
            }
        }
        Value::Interval(interval) => {
            let time = interval.micros;
            match field.as_str() {
                "year" => int(interval.months as i64 / 12),
                "month" => int(interval.months as i64 % 12),
                "day" => int(interval.days as i64),
                "quarter" => int((interval.months as i64 % 12) / 3 + 1),
                "decade" => int(interval.months as i64 / 120),
                "century" => int(interval.months as i64 / 1200),
                "millennium" => int(interval.months as i64 / 12000),
                "hour" => int(time / (3600 * USECS_PER_SEC)),
                "minute" => int(time / (60 * USECS_PER_SEC) % 60),
                "second" => Ok(Decimal::new(time % (60 * USECS_PER_SEC), 6)),
                "millisecond" => Ok(Decimal::new(time % (60 * USECS_PER_SEC), 3)),
                "microsecond" => int(time % (60 * USECS_PER_SEC)),
                "epoch" => {
                    // 365.25-day years and 30-day months, as PostgreSQL computes it.
                    let years = interval.months as i64 / 12;
                    let months = interval.months as i64 % 12;
                    let seconds = Decimal::from(years) * Decimal::new(31_557_600, 0)
                        + Decimal::from(months * 30 + interval.days as i64) * Decimal::from(86_400)
                        + Decimal::new(time, 6);
                    let mut seconds = seconds;
                    seconds.rescale(6);
                    Ok(seconds)
                }
                other => Err(unit_error(other, "interval")),
            }
        }
        _ => Err(SqlError::new(
            code::INTERNAL_ERROR,
            "extract from a value of unexpected type",
        )),
    }
}

/// `date_trunc(unit, timestamp)`.
pub fn date_trunc(unit: &str, usecs: i64, type_name: &str) -> SqlResult<i64> {
    if usecs == i64::MAX || usecs == i64::MIN {
        return Ok(usecs);
    }
    let unit = canonical_unit(unit);
    let days = usecs.div_euclid(USECS_PER_DAY);
    let time = usecs.rem_euclid(USECS_PER_DAY);
    let (year, month, _) = civil_from_days(days + UNIX_TO_PG_DAYS);
    let start_of = |y: i64, m: i64| (days_from_civil(y, m, 1) - UNIX_TO_PG_DAYS) * USECS_PER_DAY;
    let floor_to = |step: i64| days * USECS_PER_DAY + time - time % step;
    Ok(match unit.as_str() {
        "microsecond" => usecs,
        "millisecond" => floor_to(1000),
        "second" => floor_to(USECS_PER_SEC),
        "minute" => floor_to(60 * USECS_PER_SEC),
        "hour" => floor_to(3600 * USECS_PER_SEC),
        "day" => days * USECS_PER_DAY,
        "week" => {
            let weekday = (days + UNIX_TO_PG_DAYS + 3).rem_euclid(7);
            (days - weekday) * USECS_PER_DAY
        }
        "month" => start_of(year, month),
        "quarter" => start_of(year, (month - 1) / 3 * 3 + 1),
        "year" => start_of(year, 1),
        "decade" => start_of(year - year.rem_euclid(10), 1),
        "century" => start_of(
            if year > 0 {
                (year - 1) / 100 * 100 + 1
            } else {
                year
            },
            1,
        ),
        "millennium" => start_of(
            if year > 0 {
                (year - 1) / 1000 * 1000 + 1
            } else {
                year
            },
            1,
        ),
        other => return Err(unit_error(other, type_name)),
    })
}

/// The fields `to_char` prints of one timestamp.
struct Stamp {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
    /// Days since 1970-01-01 (for an interval: of its fields read as a date, as PostgreSQL's
    /// `date2j` reads them).
    ordinal: i64,
    /// An interval's fields: hours past 24, negative parts, no calendar names.
    interval: bool,
}

/// PostgreSQL's `date2j`: the Julian day of year/month/day, also of fields that are no date
/// (an interval's month 0).
fn date2j(year: i64, month: i64, day: i64) -> i64 {
    let (month, year) = if month > 2 {
        (month + 1, year + 4800)
    } else {
        (month + 13, year + 4799)
    };
    let century = year / 100;
    year * 365 - 32167 + year / 4 - century + century / 4 + 7834 * month / 256 + day
}

/// Julian day of 1970-01-01.
const UNIX_JULIAN: i64 = 2_440_588;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const ROMAN_MONTHS: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// `to_char`'s date/time patterns, longest first where one is a prefix of another (PostgreSQL's
/// `DCH_keywords`). Text patterns come in the three cases PostgreSQL knows (`MONTH`, `Month`,
/// `month`); numeric ones in upper and lower case.
const PATTERNS: &[&str] = &[
    "A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D",
    "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "FX", "HH24", "HH12", "HH", "IDDD", "ID", "IW",
    "IYYY", "IYY", "IY", "I", "J", "MI", "MM", "MONTH", "MON", "MS", "Month", "Mon", "OF", "P.M.",
    "PM", "Q", "RM", "SSSSS", "SSSS", "SS", "TZH", "TZM", "TZ", "US", "WW", "W", "Y,YYY", "YYYY",
    "YYY", "YY", "Y", "a.d.", "a.m.", "ad", "am", "b.c.", "bc", "cc", "day", "ddd", "dd", "dy",
    "d", "ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "fx", "hh24", "hh12", "hh", "iddd", "id", "iw",
    "iyyy", "iyy", "iy", "i", "j", "mi", "mm", "month", "mon", "ms", "of", "p.m.", "pm", "q", "rm",
    "sssss", "ssss", "ss", "tz", "us", "ww", "w", "y,yyy", "yyyy", "yyy", "yy", "y",
];

/// The ordinal suffix of a number (`TH`/`th`): st, nd, rd or th.
fn ordinal_suffix(n: i64, upper: bool) -> &'static str {
    let n = n.abs();
    let suffix = if (11..=13).contains(&(n % 100)) {
        "th"
    } else {
        match n % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    match (upper, suffix) {
        (false, s) => s,
        (true, "st") => "ST",
        (true, "nd") => "ND",
        (true, "rd") => "RD",
        (true, _) => "TH",
    }
}

/// A name in the case its pattern was written in (`MONTH`, `Month`, `month`), padded to `width`
/// unless in fill mode.
fn cased(name: &str, pattern: &str, width: usize, fill: bool, out: &mut String) {
    let text = if pattern.chars().all(|c| !c.is_ascii_lowercase()) {
        name.to_uppercase()
    } else if pattern.chars().all(|c| !c.is_ascii_uppercase()) {
        name.to_lowercase()
    } else {
        name.to_string()
    };
    if fill {
        out.push_str(&text);
    } else {
        let _ = write!(out, "{text:<width$}");
    }
}

/// PostgreSQL's `to_char(timestamp, text)` (and timestamptz's, in UTC, the session's zone, and
/// date's, at midnight). `zone` is a timestamptz's zone at the instant (abbreviation, UTC
/// offset in seconds east; `usecs` is then its wall clock there) for `TZ`, `OF`, `TZH` and
/// `TZM`. None for infinity.
pub fn to_char(usecs: i64, zone: Option<(&str, i32)>, format: &str) -> Option<String> {
    if usecs == i64::MAX || usecs == i64::MIN {
        return None;
    }
    let days = usecs.div_euclid(USECS_PER_DAY);
    let ordinal = days + UNIX_TO_PG_DAYS;
    let (year, month, day) = civil_from_days(ordinal);
    let stamp = Stamp::new(
        (year, month, day),
        usecs.rem_euclid(USECS_PER_DAY),
        ordinal,
        false,
    );
    // Timestamps have no pattern they refuse.
    stamp.format(format, zone).ok()
}

/// A format's quoted text after its opening `"`: the text (a backslash escapes the next
/// character), whether it ended on a backslash with nothing after it, and the format after
/// the closing `"` (the end when there is none).
fn quoted_literal(quoted: &str) -> (String, bool, &str) {
    let mut text = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (text, false, &quoted[i + 1..]),
            '\\' => match chars.next() {
                Some((_, escaped)) => text.push(escaped),
                None => return (text, true, ""),
            },
            c => text.push(c),
        }
    }
    (text, false, "")
}

/// The fields `to_timestamp(text, format)` and `to_date` read (see [`from_char`]).
#[derive(Default)]
struct Read {
    year: Option<i64>,
    /// The pattern gave fewer than four digits (`YY`): a year near 2020 (PostgreSQL's
    /// `adjust_partial_year_to_2020`).
    partial_year: bool,
    bc: bool,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    julian: Option<i64>,
    hour: i64,
    /// A 12-hour clock was read (`HH`, `HH12`, `AM`/`PM`), with PM when true.
    twelve: Option<bool>,
    minute: i64,
    second: i64,
    micros: i64,
    /// Seconds east, from `TZH`/`TZM`/`OF`.
    offset: Option<i32>,
}

fn bad_field(rest: &str, pattern: &str, detail: &str) -> SqlError {
    SqlError::new(
        code::INVALID_DATETIME_FORMAT,
        format!("invalid value \"{rest}\" for \"{pattern}\""),
    )
    .with_detail(detail)
}

/// The patterns [`from_char`] reads as numbers: (pattern, digits it takes when another number
/// follows it without a separator).
fn numeric_width(upper: &str) -> Option<usize> {
    Some(match upper {
        "YYYY" | "IYYY" => 4,
        "YYY" | "IYY" | "DDD" | "MS" | "IDDD" => 3,
        "YY" | "IY" | "MM" | "DD" | "HH" | "HH12" | "HH24" | "MI" | "SS" | "CC" | "WW" | "IW"
        | "TZH" | "TZM" => 2,
        "Y" | "I" | "D" | "ID" | "Q" | "W" => 1,
        "US" => 6,
        "SSSS" | "SSSSS" => 5,
        "J" => 7,
        _ if upper.starts_with("FF") => upper[2..].parse().ok()?,
        _ => return None,
    })
}

/// PostgreSQL's reading of `to_timestamp(input, format)` and `to_date` (`DCH_from_char`): the
/// format's patterns read fields from the input in turn. A number reads as many digits as it
/// has when another number follows it directly (`YYYYMMDD`), else all there are; names match
/// without regard to case; a space or separator in the format matches any one separator in the
/// input (spaces before a field are skipped unless `FX`); quoted text and other letters skip
/// one input character each; input after the last field is ignored. Fields not given are those
/// of 0001-01-01 BC, midnight. Returns the wall clock read and the UTC offset (seconds east) if
/// `TZH`/`TZM`/`OF` gave one.
pub fn from_char(input: &str, format: &str) -> SqlResult<(i64, Option<i32>)> {
    let chars: Vec<char> = input.chars().collect();
    let mut at = 0;
    let rest = |at: usize| chars[at.min(chars.len())..].iter().collect::<String>();
    let mut read = Read::default();
    let mut fx = false;
    let mut f = format;
    let is_separator = |c: char| !c.is_alphanumeric();
    while let Some(first) = f.chars().next() {
        // The rest of the format reads nothing once the input is used up.
        if at >= chars.len() {
            break;
        }
        if let Some(quoted) = f.strip_prefix('"') {
            // Quoted text skips as many input characters as it has.
            let (literal, dangling, after) = quoted_literal(quoted);
            at += literal.chars().count() + usize::from(dangling);
            f = after;
            continue;
        }
        let body = f
            .strip_prefix("FM")
            .or_else(|| f.strip_prefix("fm"))
            .unwrap_or(f);
        let fill = body.len() != f.len();
        let Some(pattern) = PATTERNS.iter().find(|p| body.starts_with(**p)) else {
            f = &f[first.len_utf8()..];
            if fx {
                at += 1;
            } else if first.is_whitespace() {
                let before = at;
                while chars.get(at).is_some_and(|c| c.is_whitespace()) {
                    at += 1;
                }
                if at == before && chars.get(at).is_some_and(|c| is_separator(*c)) {
                    at += 1;
                }
            } else if is_separator(first) {
                if chars.get(at).is_some_and(|c| is_separator(*c)) {
                    at += 1;
                }
            } else {
                at += 1;
            }
            continue;
        };
        let mut after = &body[pattern.len()..];
        let ordinal = match after
            .strip_prefix("TH")
            .or_else(|| after.strip_prefix("th"))
        {
            Some(next) => {
                after = next;
                true
            }
            None => false,
        };
        f = after;
        let upper = pattern.to_ascii_uppercase();
        if upper == "FX" {
            fx = true;
            continue;
        }
        if !fx {
            while chars.get(at).is_some_and(|c| c.is_whitespace()) {
                at += 1;
            }
        }
        if let Some(width) = numeric_width(&upper) {
            // Exactly `width` digits when a number follows directly.
            let next_is_number = f
                .strip_prefix("FM")
                .or_else(|| f.strip_prefix("fm"))
                .unwrap_or(f)
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
                || PATTERNS
                    .iter()
                    .find(|p| f.starts_with(**p))
                    .is_some_and(|p| numeric_width(&p.to_ascii_uppercase()).is_some());
            let mut negative = false;
            if upper == "TZH" {
                match chars.get(at) {
                    Some('-') => {
                        negative = true;
                        at += 1;
                    }
                    Some('+') | Some(' ') => at += 1,
                    _ => {}
                }
            }
            let limit = if fill || !next_is_number { 18 } else { width };
            let start = at;
            while at - start < limit && chars.get(at).is_some_and(|c| c.is_ascii_digit()) {
                at += 1;
            }
            if at == start {
                let shown: String = rest(start).chars().take(width).collect();
                return Err(bad_field(&shown, pattern, "Value must be an integer."));
            }
            let digits = at - start;
            let value: i64 = chars[start..at]
                .iter()
                .collect::<String>()
                .parse()
                .map_err(|_| bad_field(&rest(start), pattern, "Value must be an integer."))?;
            if ordinal {
                at = (at + 2).min(chars.len());
            }
            let fraction = |scale: usize| value * 10i64.pow((scale.saturating_sub(digits)) as u32);
            match upper.as_str() {
                "YYYY" | "IYYY" => read.year = Some(value),
                "YYY" | "YY" | "Y" | "IYY" | "IY" | "I" => {
                    read.year = Some(value);
                    read.partial_year = true;
                }
                "MM" => read.month = Some(value),
                "DD" => read.day = Some(value),
                "DDD" | "IDDD" => read.day_of_year = Some(value),
                "J" => read.julian = Some(value),
                "HH" | "HH12" => {
                    if !(1..=12).contains(&value) {
                        return Err(SqlError::new(
                            code::INVALID_DATETIME_FORMAT,
                            format!("hour \"{value}\" is invalid for the 12-hour clock"),
                        )
                        .with_hint("Use the 24-hour clock, or give an hour between 1 and 12."));
                    }
                    read.hour = value;
                    read.twelve.get_or_insert(false);
                }
                "HH24" => read.hour = value,
                "MI" => read.minute = value,
                "SS" => read.second = value,
                "SSSS" | "SSSSS" => {
                    read.hour = value / 3600;
                    read.minute = value / 60 % 60;
                    read.second = value % 60;
                }
                "MS" => read.micros = fraction(3) * 1000,
                "US" => read.micros = fraction(6),
                _ if upper.starts_with("FF") => {
                    read.micros = fraction(width) * 10i64.pow((6 - width) as u32)
                }
                "TZH" => {
                    let offset = if negative { -value } else { value } * 3600;
                    read.offset = Some(offset as i32 + read.offset.unwrap_or(0));
                }
                "TZM" => {
                    let sign = if read.offset.is_some_and(|o| o < 0) {
                        -1
                    } else {
                        1
                    };
                    read.offset = Some(read.offset.unwrap_or(0) + sign * (value as i32) * 60);
                }
                // Weeks, quarters, centuries, days of the week: read, not used.
                _ => {}
            }
            continue;
        }
        let lower_rest = rest(at).to_lowercase();
        let names: Vec<(String, i64)> = match upper.as_str() {
            "MONTH" => MONTHS
                .iter()
                .zip(1..)
                .map(|(m, i)| (m.to_lowercase(), i))
                .collect(),
            "MON" => MONTHS
                .iter()
                .zip(1..)
                .map(|(m, i)| (m[..3].to_lowercase(), i))
                .collect(),
            "DAY" => DAYS
                .iter()
                .zip(0..)
                .map(|(d, i)| (d.to_lowercase(), i))
                .collect(),
            "DY" => DAYS
                .iter()
                .zip(0..)
                .map(|(d, i)| (d[..3].to_lowercase(), i))
                .collect(),
            // Longest first: XII before XI before X.
            "RM" => (1..=12i64)
                .rev()
                .map(|i| (ROMAN_MONTHS[i as usize - 1].to_lowercase(), i))
                .collect(),
            "AM" | "PM" => vec![("am".into(), 0), ("pm".into(), 1)],
            "A.M." | "P.M." => vec![("a.m.".into(), 0), ("p.m.".into(), 1)],
            "AD" | "BC" => vec![("ad".into(), 0), ("bc".into(), 1)],
            "A.D." | "B.C." => vec![("a.d.".into(), 0), ("b.c.".into(), 1)],
            "TZ" | "OF" => {
                return Err(SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("formatting field \"{pattern}\" is only supported in to_char"),
                ))
            }
            _ => Vec::new(),
        };
        let Some((name, value)) = names
            .into_iter()
            .find(|(n, _)| lower_rest.starts_with(n.as_str()))
        else {
            let shown: String = rest(at)
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            return Err(bad_field(
                &shown,
                pattern,
                "The given value did not match any of the allowed values for this field.",
            ));
        };
        at += name.chars().count();
        match upper.as_str() {
            "MONTH" | "MON" | "RM" => read.month = Some(value),
            "AM" | "PM" | "A.M." | "P.M." => read.twelve = Some(value == 1),
            "AD" | "BC" | "A.D." | "B.C." => read.bc = value == 1,
            _ => {}
        }
    }
    let out_of_range = || field_overflow(input);
    // A field read as 0 counts as not given, as in PostgreSQL.
    let given = |field: Option<i64>| field.filter(|v| *v != 0);
    let (month, day) = (given(read.month), given(read.day));
    let mut year = read.year.unwrap_or(0);
    if read.partial_year {
        year = match year {
            y if y < 70 => y + 2000,
            y if y < 100 => y + 1900,
            y if y < 520 => y + 2000,
            y if y < 1000 => y + 1000,
            y => y,
        };
    }
    if read.bc && read.year.is_some() {
        year = 1 - year;
    }
    let mut hour = read.hour;
    match read.twelve {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let days = if let Some(julian) = read.julian {
        julian - UNIX_JULIAN - UNIX_TO_PG_DAYS
    } else {
        let (month, day) = (month.unwrap_or(1), day.unwrap_or(1));
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(out_of_range());
        }
        match read
            .day_of_year
            .filter(|_| read.month.is_none() && read.day.is_none())
        {
            Some(doy) => {
                let length = days_from_civil(year + 1, 1, 1) - days_from_civil(year, 1, 1);
                if !(1..=length).contains(&doy) {
                    return Err(out_of_range());
                }
                days_from_civil(year, 1, 1) + doy - 1 - UNIX_TO_PG_DAYS
            }
            None => days_from_civil(year, month, day) - UNIX_TO_PG_DAYS,
        }
    };
    if !(0..=24).contains(&hour)
        || !(0..=59).contains(&read.minute)
        || !(0..=60).contains(&read.second)
        || (hour == 24 && (read.minute, read.second, read.micros) != (0, 0, 0))
    {
        return Err(out_of_range());
    }
    let time = ((hour * 60 + read.minute) * 60 + read.second) * USECS_PER_SEC + read.micros;
    let usecs = days
        .checked_mul(USECS_PER_DAY)
        .and_then(|d| d.checked_add(time))
        .ok_or_else(out_of_range)?;
    Ok((usecs, read.offset))
}

/// PostgreSQL's `to_char(interval, text)`: the interval's years, months (of the year), days,
/// hours (any number), minutes, seconds, each with its own sign; calendar names, weekdays,
/// BC/AD and zones are errors.
pub fn interval_to_char(interval: &Interval, format: &str) -> SqlResult<String> {
    let (year, month, day) = (
        interval.months as i64 / 12,
        interval.months as i64 % 12,
        interval.days as i64,
    );
    let ordinal = date2j(year, month, day) - UNIX_JULIAN;
    Stamp::new((year, month, day), interval.micros, ordinal, true).format(format, None)
}

impl Stamp {
    /// The fields of a date (or an interval's years, months, days) and a time of `micros`.
    fn new(
        (year, month, day): (i64, i64, i64),
        micros: i64,
        ordinal: i64,
        interval: bool,
    ) -> Stamp {
        Stamp {
            year,
            month,
            day,
            hour: micros / (3600 * USECS_PER_SEC),
            minute: micros / (60 * USECS_PER_SEC) % 60,
            second: micros / USECS_PER_SEC % 60,
            micros: micros % USECS_PER_SEC,
            ordinal,
            interval,
        }
    }

    /// The format's patterns filled in from these fields.
    fn format(&self, format: &str, zone: Option<(&str, i32)>) -> SqlResult<String> {
        let stamp = self;
        let mut out = String::new();
        let mut rest = format;
        while !rest.is_empty() {
            // Literal text: "quoted" (a backslash escapes within), or \" for a quote.
            if let Some(quoted) = rest.strip_prefix('"') {
                let (literal, _, after) = quoted_literal(quoted);
                out.push_str(&literal);
                rest = after;
                continue;
            }
            if let Some(escaped) = rest.strip_prefix("\\\"") {
                out.push('"');
                rest = escaped;
                continue;
            }
            let (fill, body) = match rest.strip_prefix("FM").or_else(|| rest.strip_prefix("fm")) {
                Some(body) => (true, body),
                None => (false, rest),
            };
            let Some(pattern) = PATTERNS.iter().find(|p| body.starts_with(**p)) else {
                let mut chars = rest.chars();
                out.extend(chars.next());
                rest = chars.as_str();
                continue;
            };
            let mut after = &body[pattern.len()..];
            let suffix = if let Some(next) = after.strip_prefix("TH") {
                after = next;
                Some(true)
            } else if let Some(next) = after.strip_prefix("th") {
                after = next;
                Some(false)
            } else {
                None
            };
            stamp.field(pattern, fill, suffix, zone, &mut out)?;
            rest = after;
        }
        Ok(out)
    }
}

impl Stamp {
    /// The year as printed: BC years count from 1 backwards (an interval's as it is).
    fn display_year(&self) -> i64 {
        if self.interval {
            self.year
        } else if self.year <= 0 {
            1 - self.year
        } else {
            self.year
        }
    }

    /// ISO 8601 week-numbering year and week (weeks start on Monday; week 1 holds the first
    /// Thursday).
    fn iso_week(&self) -> (i64, i64) {
        let weekday = (self.ordinal + 3).rem_euclid(7); // Monday = 0
        let thursday = self.ordinal - weekday + 3;
        let (iso_year, _, _) = civil_from_days(thursday);
        (
            iso_year,
            (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1,
        )
    }

    fn field(
        &self,
        pattern: &str,
        fill: bool,
        suffix: Option<bool>,
        zone: Option<(&str, i32)>,
        out: &mut String,
    ) -> SqlResult<()> {
        // A negative value takes one more position for its sign in the fields PostgreSQL
        // prints so (hours, minutes, seconds, years, centuries); elsewhere the sign is inside
        // the width, as C's %0*d puts it (an interval's day -3 under DD is -3).
        let signed = |value: i64, width: usize, sign_extra: bool, out: &mut String| {
            if fill {
                let _ = write!(out, "{value}");
            } else if value < 0 {
                let width = if sign_extra {
                    width
                } else {
                    width.saturating_sub(1)
                };
                let _ = write!(out, "-{:0width$}", -value);
            } else {
                let _ = write!(out, "{value:0width$}");
            }
            if let Some(upper) = suffix {
                out.push_str(ordinal_suffix(value, upper));
            }
        };
        let number = |value: i64, width: usize, out: &mut String| signed(value, width, true, out);
        let lower = pattern.to_ascii_lowercase();
        if self.interval
            && matches!(
                lower.as_str(),
                "a.d."
                    | "b.c."
                    | "ad"
                    | "bc"
                    | "day"
                    | "dy"
                    | "d"
                    | "id"
                    | "month"
                    | "mon"
                    | "tz"
                    | "of"
                    | "tzh"
                    | "tzm"
            )
        {
            return Err(SqlError::new(
                code::INVALID_DATETIME_FORMAT,
                "invalid format specification for an interval value",
            )
            .with_hint("Intervals are not tied to specific calendar dates."));
        }
        let dow = (self.ordinal + 4).rem_euclid(7); // Sunday = 0
                                                    // An interval's day of year counts 30-day months.
        let doy = if self.interval {
            (self.year * 12 + self.month) * 30 + self.day
        } else {
            self.ordinal - days_from_civil(self.year, 1, 1) + 1
        };
        let hour12 = if self.hour % 12 == 0 {
            12
        } else {
            self.hour % 12
        };
        let upper = pattern.chars().any(|c| c.is_ascii_uppercase());
        match lower.as_str() {
            "a.d." | "b.c." => out.push_str(match (self.year <= 0, upper) {
                (true, true) => "B.C.",
                (true, false) => "b.c.",
                (false, true) => "A.D.",
                (false, false) => "a.d.",
            }),
            "ad" | "bc" => out.push_str(match (self.year <= 0, upper) {
                (true, true) => "BC",
                (true, false) => "bc",
                (false, true) => "AD",
                (false, false) => "ad",
            }),
            "a.m." | "p.m." => out.push_str(match (self.hour % 24 >= 12, upper) {
                (true, true) => "P.M.",
                (true, false) => "p.m.",
                (false, true) => "A.M.",
                (false, false) => "a.m.",
            }),
            "am" | "pm" => out.push_str(match (self.hour % 24 >= 12, upper) {
                (true, true) => "PM",
                (true, false) => "pm",
                (false, true) => "AM",
                (false, false) => "am",
            }),
            "cc" => {
                let century = if self.interval {
                    self.year / 100
                } else if self.year > 0 {
                    (self.year + 99) / 100
                } else {
                    -((99 - (self.year - 1)) / 100)
                };
                number(century, 2, out)
            }
            "day" => cased(DAYS[dow as usize], pattern, 9, fill, out),
            "dy" => cased(&DAYS[dow as usize][..3], pattern, 3, fill, out),
            "ddd" => signed(doy, 3, false, out),
            "dd" => signed(self.day, 2, false, out),
            "d" => number(dow + 1, 1, out),
            "hh24" => number(self.hour, 2, out),
            "hh12" | "hh" => number(hour12, 2, out),
            "mi" => number(self.minute, 2, out),
            "ss" => number(self.second, 2, out),
            "ssss" | "sssss" => number(self.hour * 3600 + self.minute * 60 + self.second, 0, out),
            "ms" => signed(self.micros / 1000, 3, false, out),
            "us" => signed(self.micros, 6, false, out),
            "fx" => {}
            ff if ff.starts_with("ff") => {
                let digits: usize = ff[2..].parse().unwrap_or(6);
                let value = self.micros / 10i64.pow(6 - digits as u32);
                number(value, digits, out)
            }
            "mm" => number(self.month, 2, out),
            "month" => cased(MONTHS[self.month as usize - 1], pattern, 9, fill, out),
            "mon" => cased(&MONTHS[self.month as usize - 1][..3], pattern, 3, fill, out),
            // An interval of whole years names December (January when negative), of no
            // months nothing; -1 month is December, -2 November...
            "rm" if self.interval && self.month == 0 && self.year == 0 => {}
            "rm" => {
                let at = match self.month {
                    0 if self.year >= 0 => 11,
                    0 => 0,
                    m if m < 0 => (12 + m) as usize,
                    m => m as usize - 1,
                };
                cased(ROMAN_MONTHS[at], pattern, 4, fill, out)
            }
            "q" if self.month == 0 => {}
            "q" => number((self.month - 1) / 3 + 1, 1, out),
            "w" => signed((self.day - 1) / 7 + 1, 1, false, out),
            "ww" => signed((doy - 1) / 7 + 1, 2, false, out),
            "iw" => number(self.iso_week().1, 2, out),
            "id" => number((self.ordinal + 3).rem_euclid(7) + 1, 1, out),
            "iddd" => {
                let (_, week) = self.iso_week();
                number(
                    (week - 1) * 7 + (self.ordinal + 3).rem_euclid(7) + 1,
                    3,
                    out,
                )
            }
            "j" => number(self.ordinal + UNIX_JULIAN, 0, out),
            "y,yyy" => {
                let year = self.display_year();
                let _ = write!(out, "{},{:03}", year / 1000, year % 1000);
                if let Some(upper) = suffix {
                    out.push_str(ordinal_suffix(year, upper));
                }
            }
            "yyyy" => number(self.display_year(), 4, out),
            "yyy" => number(self.display_year() % 1000, 3, out),
            "yy" => number(self.display_year() % 100, 2, out),
            "y" => number(self.display_year() % 10, 1, out),
            "iyyy" | "iyy" | "iy" | "i" => {
                let year = self.iso_week().0;
                let year = if year <= 0 && !self.interval {
                    1 - year
                } else {
                    year
                };
                // IYYY is the whole year; IYY, IY and I its last digits. PostgreSQL widens
                // the field for a sign when the interval's own years are negative.
                let width = pattern.len();
                let year = if width == 4 {
                    year
                } else {
                    year % 10i64.pow(width as u32)
                };
                signed(year, width, self.year < 0, out)
            }
            "tz" => {
                if let Some((name, _)) = zone {
                    out.push_str(&if upper {
                        name.to_uppercase()
                    } else {
                        name.to_lowercase()
                    });
                }
            }
            "of" => crate::tz::format_offset(zone.map_or(0, |(_, o)| o), false, out),
            "tzh" => {
                let offset = zone.map_or(0, |(_, o)| o);
                let sign = if offset < 0 { '-' } else { '+' };
                let _ = write!(out, "{sign}{:02}", offset.unsigned_abs() / 3600);
            }
            "tzm" => {
                let offset = zone.map_or(0, |(_, o)| o);
                let _ = write!(out, "{:02}", offset.unsigned_abs() / 60 % 60);
            }
            _ => out.push_str(pattern),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_read_directly_as_the_general_parser_reads_them() {
        // The general parser is reached by a leading space (trimmed), the direct read not.
        for year in [
            1, 4, 100, 1582, 1899, 1900, 1970, 1999, 2000, 2024, 2100, 9999,
        ] {
            for month in 0..=13 {
                for day in [0, 1, 15, 28, 29, 30, 31, 32] {
                    let text = format!("{year:04}-{month:02}-{day:02}");
                    let direct = parse_date(&text).map_err(|e| e.code);
                    let general = parse_date(&format!(" {text}")).map_err(|e| e.code);
                    assert_eq!(direct, general, "{text}");
                }
            }
        }
        assert!(parse_date("0000-01-01").is_err());
    }

    fn interval(text: &str) -> String {
        let mut out = String::new();
        format_interval(&parse_interval(text, None).unwrap(), &mut out);
        out
    }

    #[test]
    fn intervals_print_like_postgres() {
        assert_eq!(
            interval("1 year 2 months 3 days 04:05:06"),
            "1 year 2 mons 3 days 04:05:06"
        );
        assert_eq!(interval("90 minutes"), "01:30:00");
        assert_eq!(interval("-1 day"), "-1 days");
        assert_eq!(interval("-1 day 2 hours"), "-1 days +02:00:00");
        assert_eq!(interval("1.5 days"), "1 day 12:00:00");
        assert_eq!(interval("0"), "00:00:00");
        assert_eq!(interval("@ 3 days ago"), "-3 days");
        assert_eq!(interval("25 hours"), "25:00:00");
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        let jan31 = parse_timestamp("2024-01-31", false).unwrap();
        let month = Interval {
            months: 1,
            days: 0,
            micros: 0,
        };
        assert_eq!(
            add_interval(jan31, &month).unwrap(),
            parse_timestamp("2024-02-29", false).unwrap()
        );
    }
}
