//! Time zones for `AT TIME ZONE` and `timezone(zone, ts)`: what offset from UTC a zone has at
//! an instant, and which instant a local wall-clock time in it names.
//!
//! A zone is named as PostgreSQL resolves it (`timezone_text`): first as an abbreviation of
//! its `Default` set (`EST`, `CEST`, ...: a fixed offset), then as a time zone of the tz
//! database (`Europe/Berlin`, `UTC`, `EST5EDT`; the system's compiled files under
//! `/usr/share/zoneinfo`, found without regard to case), then as a POSIX offset (`UTC+3`, `+3`,
//! `<+0530>-5:30`: the POSIX sign, west of Greenwich positive). An interval is an offset east.
//!
//! **The tz database's files** (TZif, RFC 8536): the 64-bit block of a version 2+ file gives
//! each transition's instant and the local time type from then on (UTC offset, DST, name);
//! the footer's POSIX rule (`EST5EDT,M3.2.0,M11.1.0`) gives the transitions after the last
//! one, computed per year. Files are read once per name and kept.
//!
//! **Local to UTC** follows PostgreSQL's `DetermineTimeZoneOffset`: a local time near a
//! transition is tried with the offsets before and after it; one that lies on its side of the
//! transition wins, and a time that does not exist (spring forward) or exists twice (fall back)
//! takes the "before" offset when read with it it falls after the transition, else the
//! "after" one (so 02:30 of a spring-forward night is standard time, 01:30 of a fall-back
//! night is standard time too).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{code, SqlError, SqlResult};
use crate::types::{civil_from_days, days_from_civil, days_in_month};

/// Where the compiled tz database lives.
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// A time zone: a fixed offset, or a zone of the tz database.
#[derive(Debug, Clone)]
pub enum Zone {
    /// Seconds east of UTC.
    Fixed(i32),
    Tz(Arc<TzData>),
}

/// A zone's transitions and rule.
#[derive(Debug)]
pub struct TzData {
    /// Instants (seconds since 1970, UTC) from which `types[index]` holds, ascending.
    transitions: Vec<(i64, usize)>,
    /// UTC offsets (seconds east) of the zone's local time types.
    types: Vec<i32>,
    /// The type before the first transition.
    initial: usize,
    /// The rule after the last transition (the footer); None: the last type holds.
    rule: Option<Rule>,
}

/// A POSIX TZ rule: standard time, and daylight time between two yearly moments.
#[derive(Debug, Clone, Copy)]
struct Rule {
    /// Seconds east.
    std: i32,
    dst: Option<(i32, Moment, Moment)>,
}

/// A yearly moment of a rule: the day, and the local time of day (seconds) at which it is.
#[derive(Debug, Clone, Copy)]
struct Moment {
    day: Day,
    time: i32,
}

#[derive(Debug, Clone, Copy)]
enum Day {
    /// `Jn`: day 1..365, February 29 never counted.
    Julian(u16),
    /// `n`: day 0..365, February 29 counted.
    Zero(u16),
    /// `Mm.w.d`: day `d` (0 Sunday) of week `w` (5: the last) of month `m`.
    Month(u8, u8, u8),
}

/// PostgreSQL 15's `Default` abbreviations with a fixed offset (hours east, as minutes).
const ABBREVIATIONS: &[(&str, i32)] = &[
    ("acdt", 630),
    ("acst", 570),
    ("adt", -180),
    ("aedt", 660),
    ("aest", 600),
    ("akdt", -480),
    ("akst", -540),
    ("ast", -240),
    ("awst", 480),
    ("bst", 60),
    ("cat", 120),
    ("cdt", -300),
    ("cest", 120),
    ("cet", 60),
    ("cst", -360),
    ("eat", 180),
    ("edt", -240),
    ("eest", 180),
    ("eet", 120),
    ("est", -300),
    ("gmt", 0),
    ("hkt", 480),
    ("hst", -600),
    ("ist", 120),
    ("jst", 540),
    ("kst", 540),
    ("mdt", -360),
    ("mest", 120),
    ("met", 60),
    ("mst", -420),
    ("nzdt", 780),
    ("nzst", 720),
    ("pdt", -420),
    ("pst", -480),
    ("sast", 120),
    ("ut", 0),
    ("utc", 0),
    ("wat", 60),
    ("west", 60),
    ("wet", 0),
    ("z", 0),
    ("zulu", 0),
];

/// Zones read so far, by the name asked for (lower case).
fn cache() -> &'static Mutex<HashMap<String, Arc<TzData>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<TzData>>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn not_recognized(name: &str) -> SqlError {
    SqlError::new(
        code::INVALID_PARAMETER_VALUE,
        format!("time zone \"{name}\" not recognized"),
    )
}

impl Zone {
    /// The zone a text names (see the module docs); PostgreSQL's 22023 when none.
    pub fn named(name: &str) -> SqlResult<Zone> {
        let lower = name.to_ascii_lowercase();
        if let Some(&(_, minutes)) = ABBREVIATIONS.iter().find(|(a, _)| *a == lower) {
            return Ok(Zone::Fixed(minutes * 60));
        }
        if let Some(data) = load(&lower) {
            return Ok(Zone::Tz(data));
        }
        match parse_rule(name) {
            Some(Rule { std, dst: None }) => Ok(Zone::Fixed(std)),
            Some(rule) => Ok(Zone::Tz(Arc::new(TzData {
                transitions: Vec::new(),
                types: vec![rule.std],
                initial: 0,
                rule: Some(rule),
            }))),
            None => Err(not_recognized(name)),
        }
    }

    /// The UTC offset (seconds east) at instant `utc` (seconds since 1970).
    pub fn offset_at(&self, utc: i64) -> i32 {
        match self {
            Zone::Fixed(offset) => *offset,
            Zone::Tz(data) => data.offset_at(utc),
        }
    }

    /// The UTC offset that local time `local` (seconds since 1970, wall clock) is read with.
    pub fn offset_of_local(&self, local: i64) -> i32 {
        let Zone::Tz(data) = self else {
            return self.offset_at(local);
        };
        // The transition nearest the instant, if one is within a day of it.
        let guess = local - i64::from(data.offset_at(local));
        let Some((boundary, before, after)) = data.transition_near(guess) else {
            return data.offset_at(guess);
        };
        let (before_time, after_time) = (local - i64::from(before), local - i64::from(after));
        if before_time < boundary && after_time < boundary {
            before
        } else if before_time >= boundary && after_time >= boundary {
            after
        } else if before_time > after_time {
            before
        } else {
            after
        }
    }
}

impl TzData {
    fn offset_at(&self, utc: i64) -> i32 {
        let after_last = self.transitions.last().is_none_or(|(at, _)| utc >= *at);
        if let (true, Some(rule)) = (after_last, &self.rule) {
            return rule.offset_at(utc);
        }
        let index = match self.transitions.partition_point(|(at, _)| *at <= utc) {
            0 => self.initial,
            n => self.transitions[n - 1].1,
        };
        self.types[index]
    }

    /// The transition within a day of `utc`: (instant, offset before, offset after).
    fn transition_near(&self, utc: i64) -> Option<(i64, i32, i32)> {
        const DAY: i64 = 86_400;
        let from = self.transitions.partition_point(|(at, _)| *at < utc - DAY);
        if let Some(&(at, _)) = self
            .transitions
            .get(from)
            .filter(|(at, _)| *at <= utc + DAY)
        {
            return Some((at, self.offset_at(at - 1), self.offset_at(at)));
        }
        let rule = self.rule.as_ref()?;
        if self
            .transitions
            .last()
            .is_some_and(|(at, _)| utc + DAY < *at)
        {
            return None;
        }
        let year = civil_year(utc);
        (year - 1..=year + 1)
            .flat_map(|y| rule.transitions(y))
            .find(|at| (utc - DAY..=utc + DAY).contains(at))
            .map(|at| (at, self.offset_at(at - 1), self.offset_at(at)))
    }
}

impl Rule {
    fn offset_at(&self, utc: i64) -> i32 {
        let Some((dst, start, end)) = self.dst else {
            return self.std;
        };
        let year = civil_year(utc + i64::from(self.std));
        let begin = start.instant(year, self.std);
        let finish = end.instant(year, dst);
        let summer = if begin < finish {
            (begin..finish).contains(&utc)
        } else {
            // Southern hemisphere: daylight time spans the new year.
            !(finish..begin).contains(&utc)
        };
        if summer {
            dst
        } else {
            self.std
        }
    }

    /// The rule's two transition instants in `year`.
    fn transitions(&self, year: i64) -> Vec<i64> {
        match self.dst {
            None => Vec::new(),
            Some((dst, start, end)) => vec![start.instant(year, self.std), end.instant(year, dst)],
        }
    }
}

impl Moment {
    /// The instant of this moment in `year`, its local time read with `offset`.
    fn instant(self, year: i64, offset: i32) -> i64 {
        let jan1 = days_from_civil(year, 1, 1);
        let leap = days_in_month(year, 2) == 29;
        let day = match self.day {
            Day::Julian(n) => {
                let n = i64::from(n);
                jan1 + n - 1 + i64::from(leap && n > 59)
            }
            Day::Zero(n) => jan1 + i64::from(n),
            Day::Month(month, week, weekday) => {
                let first = days_from_civil(year, i64::from(month), 1);
                // 1970-01-01 was a Thursday (4).
                let first_weekday = (first + 4).rem_euclid(7);
                let mut day = first + (i64::from(weekday) - first_weekday).rem_euclid(7);
                day += 7 * (i64::from(week) - 1);
                let next_month = match month {
                    12 => days_from_civil(year + 1, 1, 1),
                    m => days_from_civil(year, i64::from(m) + 1, 1),
                };
                while day >= next_month {
                    day -= 7;
                }
                day
            }
        };
        day * 86_400 + i64::from(self.time) - i64::from(offset)
    }
}

/// The civil year of an instant (seconds since 1970).
fn civil_year(secs: i64) -> i64 {
    civil_from_days(secs.div_euclid(86_400)).0
}

/// The zone file for `lower` (a lower-case name), read once; None when there is none.
fn load(lower: &str) -> Option<Arc<TzData>> {
    if let Some(data) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(lower) {
        return Some(data.clone());
    }
    // Names are paths below the database: no way out of it.
    let parts: Vec<&str> = lower.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.starts_with('.'))
    {
        return None;
    }
    let mut path = std::path::PathBuf::from(ZONEINFO);
    for part in parts {
        let entry = std::fs::read_dir(&path)
            .ok()?
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().to_ascii_lowercase() == part)?;
        path.push(entry.file_name());
    }
    let bytes = std::fs::read(&path).ok()?;
    let data = Arc::new(parse_tzif(&bytes)?);
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(lower.to_string(), data.clone());
    Some(data)
}

/// A TZif file's 64-bit data and footer (version 2 and later; version 1 files' 32-bit data
/// otherwise).
fn parse_tzif(bytes: &[u8]) -> Option<TzData> {
    struct Header {
        isutcnt: usize,
        isstdcnt: usize,
        leapcnt: usize,
        timecnt: usize,
        typecnt: usize,
        charcnt: usize,
    }
    let header = |at: usize| -> Option<(u8, Header)> {
        let h = bytes.get(at..at + 44)?;
        if &h[..4] != b"TZif" {
            return None;
        }
        let count = |i: usize| u32::from_be_bytes(h[20 + 4 * i..24 + 4 * i].try_into().unwrap());
        Some((
            h[4],
            Header {
                isutcnt: count(0) as usize,
                isstdcnt: count(1) as usize,
                leapcnt: count(2) as usize,
                timecnt: count(3) as usize,
                typecnt: count(4) as usize,
                charcnt: count(5) as usize,
            },
        ))
    };
    let block_len = |h: &Header, time: usize| {
        h.timecnt * time
            + h.timecnt
            + h.typecnt * 6
            + h.charcnt
            + h.leapcnt * (time + 4)
            + h.isstdcnt
            + h.isutcnt
    };
    let (version, first) = header(0)?;
    let (at, h, time) = if version >= b'2' {
        let second = 44 + block_len(&first, 4);
        let (_, h) = header(second)?;
        (second + 44, h, 8)
    } else {
        (44, first, 4)
    };
    let data = bytes.get(at..at + block_len(&h, time))?;
    let mut transitions = Vec::with_capacity(h.timecnt);
    for i in 0..h.timecnt {
        let raw = &data[i * time..(i + 1) * time];
        let instant = match time {
            8 => i64::from_be_bytes(raw.try_into().ok()?),
            _ => i64::from(i32::from_be_bytes(raw.try_into().ok()?)),
        };
        let index = data[h.timecnt * time + i] as usize;
        transitions.push((instant, index));
    }
    let types_at = h.timecnt * time + h.timecnt;
    let types: Vec<i32> = (0..h.typecnt)
        .map(|i| {
            let t = &data[types_at + 6 * i..types_at + 6 * i + 6];
            i32::from_be_bytes(t[..4].try_into().unwrap())
        })
        .collect();
    if types.is_empty() || transitions.iter().any(|(_, i)| *i >= types.len()) {
        return None;
    }
    // RFC 8536: before the first transition, the first type.
    let initial = 0;
    let rule = if version >= b'2' {
        let footer = &bytes[at + block_len(&h, time)..];
        let text = std::str::from_utf8(footer).ok()?;
        let text = text.trim_matches('\n');
        if text.is_empty() {
            None
        } else {
            parse_rule(text)
        }
    } else {
        None
    };
    Some(TzData {
        transitions,
        types,
        initial,
        rule,
    })
}

/// A POSIX TZ string: `std offset [dst [offset] [,start[/time],end[/time]]]`, names of three
/// or more letters or `<...>`, offsets west of Greenwich positive. None when it is not one.
fn parse_rule(text: &str) -> Option<Rule> {
    let mut rest = text;
    let name = |rest: &mut &str| -> Option<()> {
        if let Some(quoted) = rest.strip_prefix('<') {
            let end = quoted.find('>')?;
            *rest = &quoted[end + 1..];
            return Some(());
        }
        let len = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        if len < 3 {
            return None;
        }
        *rest = &rest[len..];
        Some(())
    };
    // `hh[:mm[:ss]]` with an optional sign: seconds.
    let clock = |rest: &mut &str, signed: bool| -> Option<i32> {
        let mut sign = 1;
        if signed {
            if let Some(r) = rest.strip_prefix('+') {
                *rest = r;
            } else if let Some(r) = rest.strip_prefix('-') {
                *rest = r;
                sign = -1;
            }
        }
        let mut total = 0;
        for (i, scale) in [3600, 60, 1].into_iter().enumerate() {
            if i > 0 {
                match rest.strip_prefix(':') {
                    Some(r) => *rest = r,
                    None => break,
                }
            }
            let len = rest.chars().take_while(char::is_ascii_digit).count();
            if len == 0 || len > 3 {
                return None;
            }
            let n: i32 = rest[..len].parse().ok()?;
            *rest = &rest[len..];
            total += n * scale;
        }
        Some(sign * total)
    };
    // PostgreSQL also takes a bare offset (`+3`, `-05:30`) as a POSIX zone.
    if rest.starts_with(['+', '-']) || rest.starts_with(|c: char| c.is_ascii_digit()) {
        let offset = clock(&mut rest, true)?;
        return rest.is_empty().then_some(Rule {
            std: -offset,
            dst: None,
        });
    }
    name(&mut rest)?;
    let std = -clock(&mut rest, true)?;
    if rest.is_empty() {
        return Some(Rule { std, dst: None });
    }
    name(&mut rest)?;
    let dst = if rest.starts_with(',') || rest.is_empty() {
        std + 3600
    } else {
        -clock(&mut rest, true)?
    };
    let moment = |rest: &mut &str| -> Option<Moment> {
        let day = if let Some(r) = rest.strip_prefix('J') {
            let len = r.chars().take_while(char::is_ascii_digit).count();
            let n: u16 = r[..len].parse().ok()?;
            *rest = &r[len..];
            (1..=365).contains(&n).then_some(Day::Julian(n))?
        } else if let Some(r) = rest.strip_prefix('M') {
            let mut fields = [0u8; 3];
            let mut r = r;
            for (i, field) in fields.iter_mut().enumerate() {
                if i > 0 {
                    r = r.strip_prefix('.')?;
                }
                let len = r.chars().take_while(char::is_ascii_digit).count();
                *field = r[..len].parse().ok()?;
                r = &r[len..];
            }
            *rest = r;
            let [m, w, d] = fields;
            ((1..=12).contains(&m) && (1..=5).contains(&w) && d <= 6)
                .then_some(Day::Month(m, w, d))?
        } else {
            let len = rest.chars().take_while(char::is_ascii_digit).count();
            let n: u16 = rest[..len].parse().ok()?;
            *rest = &rest[len..];
            (n <= 365).then_some(Day::Zero(n))?
        };
        let time = match rest.strip_prefix('/') {
            Some(r) => {
                *rest = r;
                clock(rest, true)?
            }
            None => 7200,
        };
        Some(Moment { day, time })
    };
    let (start, end) = match rest.strip_prefix(',') {
        Some(r) => {
            rest = r;
            let start = moment(&mut rest)?;
            rest = rest.strip_prefix(',')?;
            (start, moment(&mut rest)?)
        }
        // POSIX leaves the default rule to the implementation: the US one, as PostgreSQL.
        None => (
            Moment {
                day: Day::Month(3, 2, 0),
                time: 7200,
            },
            Moment {
                day: Day::Month(11, 1, 0),
                time: 7200,
            },
        ),
    };
    rest.is_empty().then_some(Rule {
        std,
        dst: Some((dst, start, end)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(y: i64, m: i64, d: i64, h: i64, min: i64) -> i64 {
        days_from_civil(y, m, d) * 86_400 + h * 3600 + min * 60
    }

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for y in [1600, 1899, 1970, 2000, 2024, 2100, 2401] {
            assert_eq!(civil_year(secs(y, 1, 1, 0, 0)), y);
            assert_eq!(civil_year(secs(y, 12, 31, 23, 59)), y);
        }
    }

    #[test]
    fn posix_rules_give_the_us_transitions() {
        let rule = parse_rule("EST5EDT,M3.2.0,M11.1.0").unwrap();
        // 2024: March 10 07:00 UTC and November 3 06:00 UTC.
        assert_eq!(
            rule.transitions(2024),
            vec![secs(2024, 3, 10, 7, 0), secs(2024, 11, 3, 6, 0)]
        );
        assert_eq!(rule.offset_at(secs(2024, 7, 1, 0, 0)), -4 * 3600);
        assert_eq!(rule.offset_at(secs(2024, 1, 1, 0, 0)), -5 * 3600);
        // Southern hemisphere: daylight time over the new year.
        let south = parse_rule("<-03>3<-02>,M9.1.0/0,M4.1.0/0").unwrap();
        assert_eq!(south.offset_at(secs(2024, 1, 15, 0, 0)), -2 * 3600);
        assert_eq!(south.offset_at(secs(2024, 6, 15, 0, 0)), -3 * 3600);
        assert_eq!(parse_rule("UTC+3").unwrap().std, -3 * 3600);
        assert_eq!(parse_rule("+3").unwrap().std, -3 * 3600);
        assert_eq!(parse_rule("<+0530>-5:30").unwrap().std, 5 * 3600 + 1800);
        assert!(parse_rule("Nowhere/Land").is_none());
    }

    #[test]
    fn local_times_at_transitions_read_as_postgresql_reads_them() {
        let zone = Zone::Tz(Arc::new(TzData {
            transitions: Vec::new(),
            types: vec![-5 * 3600],
            initial: 0,
            rule: parse_rule("EST5EDT,M3.2.0,M11.1.0"),
        }));
        // Spring forward: 02:30 does not exist, read as standard time.
        assert_eq!(zone.offset_of_local(secs(2024, 3, 10, 2, 30)), -5 * 3600);
        // Fall back: 01:30 happens twice, read as standard time.
        assert_eq!(zone.offset_of_local(secs(2024, 11, 3, 1, 30)), -5 * 3600);
        assert_eq!(zone.offset_of_local(secs(2024, 7, 1, 12, 0)), -4 * 3600);
        assert_eq!(zone.offset_of_local(secs(2024, 1, 1, 12, 0)), -5 * 3600);
    }
}
