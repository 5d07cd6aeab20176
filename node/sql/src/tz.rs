//! Time zones for `AT TIME ZONE`, `timezone(zone, ts)` and the session's `TimeZone`: what
//! offset from UTC a zone has at an instant, and which instant a local wall-clock time in it
//! names; and the operations a session's zone changes ([`ZoneOp`]).
//!
//! A `TimeZone` setting names a zone of the tz database or a POSIX zone, never an
//! abbreviation ([`Zone::setting`]; `SET TIME ZONE -5` is the POSIX `<-05>+05`).
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

use rust_decimal::Decimal;

use crate::datetime::{Interval, UNIX_TO_PG_DAYS, USECS_PER_SEC};
use crate::error::{code, SqlError, SqlResult};
use crate::types::{cast, civil_from_days, days_from_civil, days_in_month, DataType, Value};

/// Where the compiled tz database lives.
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// A time zone: a fixed offset, or a zone of the tz database.
#[derive(Debug, Clone)]
pub enum Zone {
    /// Seconds east of UTC.
    Fixed(i32),
    Tz(Arc<TzData>),
    /// A dynamic abbreviation of the `Default` set (`MSK`): at each instant, what it meant in
    /// its zone then (see `TzData::abbreviation_meaning`), else the zone's own offset.
    Abbrev(&'static str, Arc<TzData>),
}

/// A zone's transitions and rule.
#[derive(Debug)]
pub struct TzData {
    /// Instants (seconds since 1970, UTC) from which `types[index]` holds, ascending.
    transitions: Vec<(i64, usize)>,
    /// UTC offsets (seconds east) of the zone's local time types.
    types: Vec<i32>,
    /// The local time types' abbreviations (`CET`, `LMT`, `-03`).
    names: Vec<String>,
    /// Whether each local time type is daylight time.
    daylight: Vec<bool>,
    /// Leap-second records (the `right/` zones have them; PostgreSQL refuses such zones).
    leaps: usize,
    /// The type before the first transition.
    initial: usize,
    /// The rule after the last transition (the footer); None: the last type holds.
    rule: Option<Rule>,
}

/// A POSIX TZ rule: standard time, and daylight time between two yearly moments.
#[derive(Debug, Clone)]
struct Rule {
    /// Seconds east.
    std: i32,
    dst: Option<(i32, Moment, Moment)>,
    /// The abbreviations of standard and daylight time (empty for a bare offset).
    names: [String; 2],
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

/// What a time zone abbreviation means: a fixed offset (seconds east) and whether it is daylight
/// time, or what it means in a zone of the database at the time in question (PostgreSQL's
/// dynamic abbreviations: `MSK` was +04 from 2011 to 2014).
#[derive(Debug, Clone, Copy)]
enum Abbrev {
    Fixed(i32, bool),
    Zone(&'static str),
}

/// PostgreSQL 15's `Default` abbreviation set (its `share/timezonesets/Default`), sorted.
const ABBREVIATIONS: &[(&str, Abbrev)] = &[
    ("ACDT", Abbrev::Fixed(37800, true)),
    ("ACSST", Abbrev::Fixed(37800, true)),
    ("ACST", Abbrev::Fixed(34200, false)),
    ("ACT", Abbrev::Fixed(-18000, false)),
    ("ACWST", Abbrev::Fixed(31500, false)),
    ("ADT", Abbrev::Fixed(-10800, true)),
    ("AEDT", Abbrev::Fixed(39600, true)),
    ("AESST", Abbrev::Fixed(39600, true)),
    ("AEST", Abbrev::Fixed(36000, false)),
    ("AFT", Abbrev::Fixed(16200, false)),
    ("AKDT", Abbrev::Fixed(-28800, true)),
    ("AKST", Abbrev::Fixed(-32400, false)),
    ("ALMST", Abbrev::Fixed(25200, true)),
    ("ALMT", Abbrev::Fixed(21600, false)),
    ("AMST", Abbrev::Zone("Asia/Yerevan")),
    ("AMT", Abbrev::Fixed(-14400, false)),
    ("ANAST", Abbrev::Zone("Asia/Anadyr")),
    ("ANAT", Abbrev::Zone("Asia/Anadyr")),
    ("ARST", Abbrev::Zone("America/Argentina/Buenos_Aires")),
    ("ART", Abbrev::Zone("America/Argentina/Buenos_Aires")),
    ("AST", Abbrev::Fixed(-14400, false)),
    ("AWSST", Abbrev::Fixed(32400, true)),
    ("AWST", Abbrev::Fixed(28800, false)),
    ("AZOST", Abbrev::Fixed(0, true)),
    ("AZOT", Abbrev::Fixed(-3600, false)),
    ("AZST", Abbrev::Zone("Asia/Baku")),
    ("AZT", Abbrev::Zone("Asia/Baku")),
    ("BDST", Abbrev::Fixed(7200, true)),
    ("BDT", Abbrev::Fixed(21600, false)),
    ("BNT", Abbrev::Fixed(28800, false)),
    ("BORT", Abbrev::Fixed(28800, false)),
    ("BOT", Abbrev::Fixed(-14400, false)),
    ("BRA", Abbrev::Fixed(-10800, false)),
    ("BRST", Abbrev::Fixed(-7200, true)),
    ("BRT", Abbrev::Fixed(-10800, false)),
    ("BST", Abbrev::Fixed(3600, true)),
    ("BTT", Abbrev::Fixed(21600, false)),
    ("CADT", Abbrev::Fixed(37800, true)),
    ("CAST", Abbrev::Fixed(34200, false)),
    ("CCT", Abbrev::Fixed(28800, false)),
    ("CDT", Abbrev::Fixed(-18000, true)),
    ("CEST", Abbrev::Fixed(7200, true)),
    ("CET", Abbrev::Fixed(3600, false)),
    ("CETDST", Abbrev::Fixed(7200, true)),
    ("CHADT", Abbrev::Fixed(49500, true)),
    ("CHAST", Abbrev::Fixed(45900, false)),
    ("CHUT", Abbrev::Fixed(36000, false)),
    ("CKT", Abbrev::Zone("Pacific/Rarotonga")),
    ("CLST", Abbrev::Fixed(-10800, true)),
    ("CLT", Abbrev::Zone("America/Santiago")),
    ("COT", Abbrev::Fixed(-18000, false)),
    ("CST", Abbrev::Fixed(-21600, false)),
    ("CXT", Abbrev::Fixed(25200, false)),
    ("DAVT", Abbrev::Zone("Antarctica/Davis")),
    ("DDUT", Abbrev::Fixed(36000, false)),
    ("EASST", Abbrev::Zone("Pacific/Easter")),
    ("EAST", Abbrev::Zone("Pacific/Easter")),
    ("EAT", Abbrev::Fixed(10800, false)),
    ("EDT", Abbrev::Fixed(-14400, true)),
    ("EEST", Abbrev::Fixed(10800, true)),
    ("EET", Abbrev::Fixed(7200, false)),
    ("EETDST", Abbrev::Fixed(10800, true)),
    ("EGST", Abbrev::Fixed(0, true)),
    ("EGT", Abbrev::Fixed(-3600, false)),
    ("EST", Abbrev::Fixed(-18000, false)),
    ("FET", Abbrev::Fixed(10800, false)),
    ("FJST", Abbrev::Fixed(46800, true)),
    ("FJT", Abbrev::Fixed(43200, false)),
    ("FKST", Abbrev::Zone("Atlantic/Stanley")),
    ("FKT", Abbrev::Zone("Atlantic/Stanley")),
    ("FNST", Abbrev::Fixed(-3600, true)),
    ("FNT", Abbrev::Fixed(-7200, false)),
    ("GALT", Abbrev::Fixed(-21600, false)),
    ("GAMT", Abbrev::Fixed(-32400, false)),
    ("GEST", Abbrev::Zone("Asia/Tbilisi")),
    ("GET", Abbrev::Zone("Asia/Tbilisi")),
    ("GFT", Abbrev::Fixed(-10800, false)),
    ("GILT", Abbrev::Fixed(43200, false)),
    ("GMT", Abbrev::Fixed(0, false)),
    ("GYT", Abbrev::Zone("America/Guyana")),
    ("HKT", Abbrev::Fixed(28800, false)),
    ("HST", Abbrev::Fixed(-36000, false)),
    ("ICT", Abbrev::Fixed(25200, false)),
    ("IDT", Abbrev::Fixed(10800, true)),
    ("IOT", Abbrev::Zone("Indian/Chagos")),
    ("IRKST", Abbrev::Zone("Asia/Irkutsk")),
    ("IRKT", Abbrev::Zone("Asia/Irkutsk")),
    ("IRT", Abbrev::Fixed(12600, false)),
    ("IST", Abbrev::Fixed(7200, false)),
    ("JAYT", Abbrev::Fixed(32400, false)),
    ("JST", Abbrev::Fixed(32400, false)),
    ("KDT", Abbrev::Fixed(36000, true)),
    ("KGST", Abbrev::Fixed(21600, true)),
    ("KGT", Abbrev::Zone("Asia/Bishkek")),
    ("KOST", Abbrev::Zone("Pacific/Kosrae")),
    ("KRAST", Abbrev::Zone("Asia/Krasnoyarsk")),
    ("KRAT", Abbrev::Zone("Asia/Krasnoyarsk")),
    ("KST", Abbrev::Fixed(32400, false)),
    ("LHDT", Abbrev::Zone("Australia/Lord_Howe")),
    ("LHST", Abbrev::Fixed(37800, false)),
    ("LIGT", Abbrev::Fixed(36000, false)),
    ("LINT", Abbrev::Zone("Pacific/Kiritimati")),
    ("LKT", Abbrev::Zone("Asia/Colombo")),
    ("MAGST", Abbrev::Zone("Asia/Magadan")),
    ("MAGT", Abbrev::Zone("Asia/Magadan")),
    ("MART", Abbrev::Fixed(-34200, false)),
    ("MAWT", Abbrev::Zone("Antarctica/Mawson")),
    ("MDT", Abbrev::Fixed(-21600, true)),
    ("MEST", Abbrev::Fixed(7200, true)),
    ("MESZ", Abbrev::Fixed(7200, true)),
    ("MET", Abbrev::Fixed(3600, false)),
    ("METDST", Abbrev::Fixed(7200, true)),
    ("MEZ", Abbrev::Fixed(3600, false)),
    ("MHT", Abbrev::Fixed(43200, false)),
    ("MMT", Abbrev::Fixed(23400, false)),
    ("MPT", Abbrev::Fixed(36000, false)),
    ("MSD", Abbrev::Fixed(14400, true)),
    ("MSK", Abbrev::Zone("Europe/Moscow")),
    ("MST", Abbrev::Fixed(-25200, false)),
    ("MUST", Abbrev::Fixed(18000, true)),
    ("MUT", Abbrev::Fixed(14400, false)),
    ("MVT", Abbrev::Fixed(18000, false)),
    ("MYT", Abbrev::Fixed(28800, false)),
    ("NDT", Abbrev::Fixed(-9000, true)),
    ("NFT", Abbrev::Fixed(-12600, false)),
    ("NOVST", Abbrev::Zone("Asia/Novosibirsk")),
    ("NOVT", Abbrev::Zone("Asia/Novosibirsk")),
    ("NPT", Abbrev::Fixed(20700, false)),
    ("NST", Abbrev::Fixed(-12600, false)),
    ("NUT", Abbrev::Zone("Pacific/Niue")),
    ("NZDT", Abbrev::Fixed(46800, true)),
    ("NZST", Abbrev::Fixed(43200, false)),
    ("NZT", Abbrev::Fixed(43200, false)),
    ("OMSST", Abbrev::Zone("Asia/Omsk")),
    ("OMST", Abbrev::Zone("Asia/Omsk")),
    ("PDT", Abbrev::Fixed(-25200, true)),
    ("PET", Abbrev::Fixed(-18000, false)),
    ("PETST", Abbrev::Zone("Asia/Kamchatka")),
    ("PETT", Abbrev::Zone("Asia/Kamchatka")),
    ("PGT", Abbrev::Fixed(36000, false)),
    ("PHT", Abbrev::Fixed(28800, false)),
    ("PKST", Abbrev::Fixed(21600, true)),
    ("PKT", Abbrev::Fixed(18000, false)),
    ("PMDT", Abbrev::Fixed(-7200, true)),
    ("PMST", Abbrev::Fixed(-10800, false)),
    ("PONT", Abbrev::Fixed(39600, false)),
    ("PST", Abbrev::Fixed(-28800, false)),
    ("PWT", Abbrev::Fixed(32400, false)),
    ("PYST", Abbrev::Fixed(-10800, true)),
    ("PYT", Abbrev::Zone("America/Asuncion")),
    ("RET", Abbrev::Fixed(14400, false)),
    ("SADT", Abbrev::Fixed(37800, true)),
    ("SAST", Abbrev::Fixed(7200, false)),
    ("SCT", Abbrev::Fixed(14400, false)),
    ("SGT", Abbrev::Zone("Asia/Singapore")),
    ("TAHT", Abbrev::Fixed(-36000, false)),
    ("TFT", Abbrev::Fixed(18000, false)),
    ("TJT", Abbrev::Fixed(18000, false)),
    ("TKT", Abbrev::Zone("Pacific/Fakaofo")),
    ("TMT", Abbrev::Zone("Asia/Ashgabat")),
    ("TOT", Abbrev::Fixed(46800, false)),
    ("TRUT", Abbrev::Fixed(36000, false)),
    ("TVT", Abbrev::Fixed(43200, false)),
    ("UCT", Abbrev::Fixed(0, false)),
    ("ULAST", Abbrev::Fixed(32400, true)),
    ("ULAT", Abbrev::Zone("Asia/Ulaanbaatar")),
    ("UT", Abbrev::Fixed(0, false)),
    ("UTC", Abbrev::Fixed(0, false)),
    ("UYST", Abbrev::Fixed(-7200, true)),
    ("UYT", Abbrev::Fixed(-10800, false)),
    ("UZST", Abbrev::Fixed(21600, true)),
    ("UZT", Abbrev::Fixed(18000, false)),
    ("VET", Abbrev::Zone("America/Caracas")),
    ("VLAST", Abbrev::Zone("Asia/Vladivostok")),
    ("VLAT", Abbrev::Zone("Asia/Vladivostok")),
    ("VOLT", Abbrev::Zone("Europe/Volgograd")),
    ("VUT", Abbrev::Fixed(39600, false)),
    ("WADT", Abbrev::Fixed(28800, true)),
    ("WAKT", Abbrev::Fixed(43200, false)),
    ("WAST", Abbrev::Fixed(25200, false)),
    ("WAT", Abbrev::Fixed(3600, false)),
    ("WDT", Abbrev::Fixed(32400, true)),
    ("WET", Abbrev::Fixed(0, false)),
    ("WETDST", Abbrev::Fixed(3600, true)),
    ("WFT", Abbrev::Fixed(43200, false)),
    ("WGST", Abbrev::Fixed(-7200, true)),
    ("WGT", Abbrev::Fixed(-10800, false)),
    ("XJT", Abbrev::Fixed(21600, false)),
    ("YAKST", Abbrev::Zone("Asia/Yakutsk")),
    ("YAKT", Abbrev::Zone("Asia/Yakutsk")),
    ("YAPT", Abbrev::Fixed(36000, false)),
    ("YEKST", Abbrev::Fixed(21600, true)),
    ("YEKT", Abbrev::Zone("Asia/Yekaterinburg")),
    ("Z", Abbrev::Fixed(0, false)),
    ("ZULU", Abbrev::Fixed(0, false)),
];

/// The `Default` abbreviation `name` (any case): its spelling there and its meaning.
fn abbreviation(name: &str) -> Option<(&'static str, Abbrev)> {
    let upper = name.to_ascii_uppercase();
    ABBREVIATIONS
        .binary_search_by(|(a, _)| (*a).cmp(upper.as_str()))
        .ok()
        .map(|at| ABBREVIATIONS[at])
}

/// The `Default` abbreviations as `pg_timezone_abbrevs` shows them at timestamptz `at`:
/// (abbreviation, seconds east, daylight time). A dynamic one means what it last meant
/// in its zone at or before then (else what it first meant after), as PostgreSQL's
/// `pg_interpret_timezone_abbrev`; when its zone never uses it, the zone's offset then.
pub fn all_abbreviations(at: i64) -> Vec<(&'static str, i32, bool)> {
    let utc = at.div_euclid(USECS_PER_SEC) + SECS_1970_TO_2000;
    ABBREVIATIONS
        .iter()
        .map(|&(name, meaning)| match meaning {
            Abbrev::Fixed(offset, daylight) => (name, offset, daylight),
            Abbrev::Zone(zone) => match load(&zone.to_ascii_lowercase()) {
                Some((_, data)) => {
                    let (offset, daylight) = data
                        .abbreviation_meaning(name, utc)
                        .unwrap_or_else(|| (data.offset_at(utc), data.daylight_at(utc)));
                    (name, offset, daylight)
                }
                None => (name, 0, false),
            },
        })
        .collect()
}

/// Zones read so far, by the name asked for (lower case).
/// A zone file found: its name as the database spells it, and its data.
type Found = (String, Arc<TzData>);

fn cache() -> &'static Mutex<HashMap<String, Found>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Found>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn not_recognized(name: &str) -> SqlError {
    SqlError::new(
        code::INVALID_PARAMETER_VALUE,
        format!("time zone \"{name}\" not recognized"),
    )
}

impl Zone {
    /// UTC: the zone of a session that sets none, and of values printed without a session.
    pub const UTC: Zone = Zone::Fixed(0);

    /// The zone a text names (see the module docs); PostgreSQL's 22023 when none.
    pub fn named(name: &str) -> SqlResult<Zone> {
        let lower = name.to_ascii_lowercase();
        match abbreviation(name) {
            Some((_, Abbrev::Fixed(offset, _))) => return Ok(Zone::Fixed(offset)),
            Some((canonical, Abbrev::Zone(zone))) => {
                if let Some((_, data)) = load(&zone.to_ascii_lowercase()) {
                    return Ok(Zone::Abbrev(canonical, data));
                }
            }
            None => {}
        }
        if let Some((_, data)) = load(&lower) {
            return Ok(Zone::Tz(data));
        }
        rule_zone(name).ok_or_else(|| not_recognized(name))
    }

    /// The zone a `TimeZone` setting names, with the name as SHOW gives it: a zone of the tz
    /// database (its file's spelling: `europe/berlin` is `Europe/Berlin`), else a POSIX zone.
    /// Abbreviations are not zones here (`CEST` is refused), as in PostgreSQL; None when the
    /// text names none.
    pub fn setting(name: &str) -> Option<(Zone, String)> {
        if let Some((canonical, data)) = load(&name.to_ascii_lowercase()) {
            return Some((Zone::Tz(data), canonical));
        }
        rule_zone(name).map(|zone| (zone, name.to_string()))
    }

    /// The zone of a `TimeZone` setting already checked by [`Zone::setting`] (the argument
    /// the binder gives session-zone operations), the last one kept per thread.
    pub fn of_setting(name: &str) -> SqlResult<Zone> {
        thread_local! {
            static LAST: std::cell::RefCell<Option<(String, Zone)>> = const {
                std::cell::RefCell::new(None)
            };
        }
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if let Some((held, zone)) = last.as_ref() {
                if held == name {
                    return Ok(zone.clone());
                }
            }
            let (zone, _) = Zone::setting(name).ok_or_else(|| not_recognized(name))?;
            *last = Some((name.to_string(), zone.clone()));
            Ok(zone)
        })
    }

    /// Whether the zone is UTC at every instant (`UTC`, `Etc/GMT`, `+0`).
    pub fn is_utc(&self) -> bool {
        match self {
            Zone::Fixed(offset) => *offset == 0,
            Zone::Abbrev(..) => false,
            Zone::Tz(data) => {
                data.types.iter().all(|t| *t == 0)
                    && data
                        .rule
                        .as_ref()
                        .is_none_or(|r| r.std == 0 && r.dst.is_none())
            }
        }
    }

    /// The abbreviation of the zone's local time at instant `utc` (`to_char`'s `TZ`): the tz
    /// database's (`CEST`, `LMT`), or the offset (`+0530`'s `+05:30`) where it has none.
    pub fn abbreviation_at(&self, utc: i64) -> String {
        let offset = self.offset_at(utc);
        let named = match self {
            Zone::Fixed(_) => None,
            Zone::Tz(data) => data.name_at(utc),
            Zone::Abbrev(name, _) => Some(name.to_string()),
        };
        named.filter(|n| !n.is_empty()).unwrap_or_else(|| {
            let mut text = String::new();
            format_offset(offset, false, &mut text);
            text
        })
    }

    /// The UTC offset (seconds east) at instant `utc` (seconds since 1970).
    pub fn offset_at(&self, utc: i64) -> i32 {
        match self {
            Zone::Fixed(offset) => *offset,
            Zone::Tz(data) => data.offset_at(utc),
            Zone::Abbrev(name, data) => (data.abbreviation_meaning(name, utc))
                .map_or_else(|| data.offset_at(utc), |(offset, _)| offset),
        }
    }

    /// The UTC offset that local time `local` (seconds since 1970, wall clock) is read with.
    pub fn offset_of_local(&self, local: i64) -> i32 {
        let data = match self {
            Zone::Fixed(offset) => return *offset,
            // PostgreSQL's DetermineTimeZoneAbbrevOffset: the instant the wall clock is in
            // the zone, then what the abbreviation meant there.
            Zone::Abbrev(name, data) => {
                let zone_offset = Zone::Tz(data.clone()).offset_of_local(local);
                let utc = local - i64::from(zone_offset);
                return (data.abbreviation_meaning(name, utc))
                    .map_or(zone_offset, |(offset, _)| offset);
            }
            Zone::Tz(data) => data,
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

/// Seconds from 1970 to 2000 (timestamps count microseconds from 2000-01-01).
const SECS_1970_TO_2000: i64 = UNIX_TO_PG_DAYS * 86_400;

/// The offset (seconds east) of `zone` at instant `usecs` (a timestamptz).
pub fn instant_offset(zone: &Zone, usecs: i64) -> i32 {
    zone.offset_at(usecs.div_euclid(USECS_PER_SEC) + SECS_1970_TO_2000)
}

/// The offset (seconds east) a wall-clock time `local` (a timestamp) in `zone` is read with.
pub fn local_offset(zone: &Zone, local: i64) -> i32 {
    zone.offset_of_local(local.div_euclid(USECS_PER_SEC) + SECS_1970_TO_2000)
}

/// `t` moved by `offset` seconds; infinities stay, a value carried past the range (or onto
/// infinity) is 22008.
fn shifted(t: i64, offset: i32) -> SqlResult<i64> {
    if t == i64::MAX || t == i64::MIN {
        return Ok(t);
    }
    t.checked_add(i64::from(offset) * USECS_PER_SEC)
        .filter(|s| *s != i64::MAX && *s != i64::MIN)
        .ok_or_else(|| SqlError::new(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range"))
}

/// A timestamptz's wall clock in `zone` (`t AT TIME ZONE zone`).
pub fn to_local(zone: &Zone, t: i64) -> SqlResult<i64> {
    shifted(t, instant_offset(zone, t))
}

/// The instant a wall clock `local` in `zone` is (`local AT TIME ZONE zone`).
pub fn from_local(zone: &Zone, local: i64) -> SqlResult<i64> {
    shifted(local, -local_offset(zone, local))
}

/// What a session's `TimeZone` changes. PostgreSQL stores a timestamptz as an instant and
/// reads the session's zone wherever it meets a wall clock: printing and reading text, casts
/// to and from timestamp, date and time, calendar arithmetic (`+ interval '1 day'` is the same
/// time of day tomorrow, 23 or 25 hours away across a DST change), date_trunc, extract and
/// to_char. The binder turns each such operation into `Scalar::Zoned(op)` with the zone's
/// setting as its first argument (a session in UTC keeps the plain operations), so the plan
/// carries the zone to whichever worker evaluates it and a prepared statement is bound again
/// when the zone changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneOp {
    /// A cast (from, to, explicit) with timestamptz on one side and a wall clock (timestamp,
    /// date, time) or text on the other.
    Cast(DataType, DataType, bool),
    /// timestamptz + interval (- when true): months, then days, on the wall clock (each
    /// re-read in the zone), then the time on the instant, as PostgreSQL adds them.
    Add(bool),
    /// `date_trunc(unit, timestamptz)`: truncated on the wall clock; for a day or longer the
    /// result is re-read in the zone, for shorter units it keeps the instant's offset.
    Trunc,
    /// `date_trunc(unit, timestamptz, zone)`: [`ZoneOp::Trunc`] in a zone named as `AT TIME
    /// ZONE` names one (its first argument).
    TruncIn,
    /// `extract(field FROM timestamptz)` (numeric; `date_part`'s float8 when false): the wall
    /// clock's fields, `epoch` of the instant, `timezone[_hour|_minute]` the offset.
    Extract(bool),
    /// `to_char(timestamptz, format)`: the wall clock, `TZ` the zone's abbreviation.
    ToChar,
    /// `to_timestamp(text, format)`: a wall clock read without an offset is in the zone.
    ToTimestamp,
    /// `to_json[b]` of a value of this kind holding timestamptz values (see
    /// [`crate::json::to_json_in`]).
    ToJson(crate::json::JsonKind, bool),
}

/// Evaluates a [`ZoneOp`]: `args[0]` is the zone's setting, the operands follow (NULL when
/// one is).
pub fn zoned(op: ZoneOp, args: &[Value]) -> SqlResult<Value> {
    if args[1..].iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let Value::Text(name) = &args[0] else {
        return Ok(Value::Null);
    };
    let zone = match op {
        ZoneOp::TruncIn => Zone::named(name)?,
        _ => Zone::of_setting(name)?,
    };
    let timestamp = |value: &Value| match value {
        Value::Timestamp(t) => Ok(*t),
        _ => Err(SqlError::new(
            code::INTERNAL_ERROR,
            "a zoned operation on a value that is no timestamp",
        )),
    };
    Ok(match op {
        ZoneOp::ToTimestamp => {
            let (Value::Text(input), Value::Text(format)) = (&args[1], &args[2]) else {
                return Ok(Value::Null);
            };
            let (local, offset) = crate::datetime::from_char(input, format)?;
            Value::Timestamp(match offset {
                Some(offset) => shifted(local, -offset)?,
                None => from_local(&zone, local)?,
            })
        }
        ZoneOp::ToJson(kind, jsonb) => {
            Value::Text(crate::json::to_json_in(&args[1], kind, jsonb, &zone)?)
        }
        ZoneOp::Cast(from, to, explicit) => zoned_cast(&zone, args[1].clone(), from, to, explicit)?,
        ZoneOp::Add(subtract) => {
            let Value::Interval(interval) = &args[2] else {
                return Ok(Value::Null);
            };
            let interval = match subtract {
                true => crate::datetime::negate(*interval)?,
                false => *interval,
            };
            Value::Timestamp(add_interval(&zone, timestamp(&args[1])?, &interval)?)
        }
        ZoneOp::Trunc | ZoneOp::TruncIn => {
            let Value::Text(unit) = &args[1] else {
                return Ok(Value::Null);
            };
            let t = timestamp(&args[2])?;
            if t == i64::MAX || t == i64::MIN {
                return Ok(Value::Timestamp(t));
            }
            let local = to_local(&zone, t)?;
            let truncated = crate::datetime::date_trunc(unit, local, TIMESTAMPTZ)?;
            let short = matches!(
                crate::datetime::canonical_unit(unit).as_str(),
                "hour" | "minute" | "second" | "millisecond" | "microsecond"
            );
            Value::Timestamp(match short {
                true => shifted(truncated, -instant_offset(&zone, t))?,
                false => from_local(&zone, truncated)?,
            })
        }
        ZoneOp::Extract(numeric) => {
            let Value::Text(field) = &args[1] else {
                return Ok(Value::Null);
            };
            let t = timestamp(&args[2])?;
            let offset = instant_offset(&zone, t);
            let unit = crate::datetime::canonical_unit(field);
            let infinite = t == i64::MAX || t == i64::MIN;
            let number = match unit.as_str() {
                "timezone" if !infinite => Decimal::from(offset),
                "timezone_hour" if !infinite => Decimal::from(offset / 3600),
                "timezone_minute" if !infinite => Decimal::from(offset / 60 % 60),
                "epoch" => crate::datetime::extract(&unit, &args[2], TIMESTAMPTZ)?,
                _ => {
                    let local = Value::Timestamp(to_local(&zone, t)?);
                    crate::datetime::extract(&unit, &local, TIMESTAMPTZ)?
                }
            };
            match numeric {
                true => Value::Numeric(number),
                false => Value::Float(number.to_string().parse().unwrap_or(f64::NAN)),
            }
        }
        ZoneOp::ToChar => {
            let Value::Text(format) = &args[2] else {
                return Ok(Value::Null);
            };
            let t = timestamp(&args[1])?;
            if t == i64::MAX || t == i64::MIN {
                return Ok(Value::Null);
            }
            let offset = instant_offset(&zone, t);
            let name = zone.abbreviation_at(t.div_euclid(USECS_PER_SEC) + SECS_1970_TO_2000);
            let local = shifted(t, offset)?;
            crate::datetime::to_char(local, Some((&name, offset)), format)
                .map_or(Value::Null, Value::Text)
        }
    })
}

const TIMESTAMPTZ: &str = "timestamp with time zone";

/// A cast across timestamptz read through `zone` (see [`ZoneOp::Cast`]).
fn zoned_cast(
    zone: &Zone,
    value: Value,
    from: DataType,
    to: DataType,
    explicit: bool,
) -> SqlResult<Value> {
    use DataType as D;
    let value = match (from.element(), to.element(), value) {
        (Some(from_elem), Some(to_elem), Value::Array(array)) => {
            return zoned_array_cast(zone, *array, from_elem, to_elem, explicit)
        }
        (_, _, value) => value,
    };
    Ok(match (from, to, value) {
        (D::TimestampTz, D::Timestamp, Value::Timestamp(t)) => Value::Timestamp(to_local(zone, t)?),
        (D::TimestampTz, D::Date | D::Time, Value::Timestamp(t)) => cast(
            Value::Timestamp(to_local(zone, t)?),
            D::Timestamp,
            to,
            explicit,
        )?,
        (D::TimestampTz, _, Value::Timestamp(t)) => {
            let mut text = String::new();
            crate::types::format_timestamptz(t, zone, &mut text);
            cast(Value::Text(text), D::Text, to, explicit)?
        }
        (D::Timestamp, D::TimestampTz, Value::Timestamp(t)) => {
            Value::Timestamp(from_local(zone, t)?)
        }
        (D::Date, D::TimestampTz, value) => match cast(value, D::Date, D::Timestamp, explicit)? {
            Value::Timestamp(t) => Value::Timestamp(from_local(zone, t)?),
            other => other,
        },
        (_, D::TimestampTz, Value::Text(text)) => {
            crate::types::parse_text_in(&text, D::TimestampTz, zone)?
        }
        // timestamptz[] from and to text.
        (_, to, Value::Text(text)) if to.element() == Some(D::TimestampTz) => {
            crate::types::parse_text_in(&text, to, zone)?
        }
        (from, to, value @ Value::Array(_)) if from.element() == Some(D::TimestampTz) => {
            let mut text = String::new();
            crate::types::format_text_in(&value, from, zone, &mut text);
            cast(Value::Text(text), D::Text, to, explicit)?
        }
        (from, to, value) => cast(value, from, to, explicit)?,
    })
}

/// An array cast element by element through [`zoned_cast`].
fn zoned_array_cast(
    zone: &Zone,
    mut array: crate::array::Array,
    from: DataType,
    to: DataType,
    explicit: bool,
) -> SqlResult<Value> {
    for item in &mut array.items {
        if !item.is_null() {
            let value = std::mem::replace(item, Value::Null);
            *item = zoned_cast(zone, value, from, to, explicit)?;
        }
    }
    Ok(Value::Array(Box::new(array)))
}

/// timestamptz + interval in `zone` (see [`ZoneOp::Add`]).
pub fn add_interval(zone: &Zone, t: i64, interval: &Interval) -> SqlResult<i64> {
    if t == i64::MAX || t == i64::MIN {
        return Ok(t);
    }
    let mut t = t;
    for part in [
        Interval {
            months: interval.months,
            days: 0,
            micros: 0,
        },
        Interval {
            months: 0,
            days: interval.days,
            micros: 0,
        },
    ] {
        if part.months != 0 || part.days != 0 {
            let local = crate::datetime::add_interval(to_local(zone, t)?, &part)?;
            t = from_local(zone, local)?;
        }
    }
    t.checked_add(interval.micros)
        .filter(|s| *s != i64::MAX && *s != i64::MIN)
        .ok_or_else(|| SqlError::new(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range"))
}

/// A POSIX zone (`UTC+3`, `<+0530>-5:30`, `EST5EDT`): a fixed offset when it has no daylight
/// time.
fn rule_zone(text: &str) -> Option<Zone> {
    let rule = parse_rule(text)?;
    Some(match rule.dst {
        None if rule.names[0].is_empty() => Zone::Fixed(rule.std),
        _ => Zone::Tz(Arc::new(TzData::of_rule(rule))),
    })
}

/// Writes a UTC offset as PostgreSQL prints one after a timestamptz: `+HH`, with `:MM` when
/// it has minutes and `:SS` when seconds (`with_seconds`; `to_char`'s `OF` leaves them off).
pub fn format_offset(offset: i32, with_seconds: bool, out: &mut String) {
    use std::fmt::Write as _;
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let (hours, minutes, seconds) = (abs / 3600, abs / 60 % 60, abs % 60);
    let _ = write!(out, "{sign}{hours:02}");
    if minutes != 0 || (seconds != 0 && with_seconds) {
        let _ = write!(out, ":{minutes:02}");
    }
    if seconds != 0 && with_seconds {
        let _ = write!(out, ":{seconds:02}");
    }
}

impl TzData {
    /// A zone that is a POSIX rule and nothing else.
    fn of_rule(rule: Rule) -> TzData {
        TzData {
            transitions: Vec::new(),
            types: vec![rule.std],
            names: vec![rule.names[0].clone()],
            daylight: vec![false],
            leaps: 0,
            initial: 0,
            rule: Some(rule),
        }
    }

    fn offset_at(&self, utc: i64) -> i32 {
        let after_last = self.transitions.last().is_none_or(|(at, _)| utc >= *at);
        if let (true, Some(rule)) = (after_last, &self.rule) {
            return rule.offset_at(utc);
        }
        self.types[self.type_at(utc)]
    }

    /// The local time type at `utc` by the transitions (not the rule).
    fn type_at(&self, utc: i64) -> usize {
        match self.transitions.partition_point(|(at, _)| *at <= utc) {
            0 => self.initial,
            n => self.transitions[n - 1].1,
        }
    }

    /// The abbreviation in use at `utc`.
    fn name_at(&self, utc: i64) -> Option<String> {
        let after_last = self.transitions.last().is_none_or(|(at, _)| utc >= *at);
        if let (true, Some(rule)) = (after_last, &self.rule) {
            let daylight = rule.dst.is_some() && rule.offset_at(utc) != rule.std;
            return Some(rule.names[usize::from(daylight)].clone());
        }
        self.names.get(self.type_at(utc)).cloned()
    }

    /// What abbreviation `abbr` meant at `utc`: (seconds east, daylight time) of the latest
    /// local time type of that name in use at or before it, else of the first after it.
    fn abbreviation_meaning(&self, abbr: &str, utc: i64) -> Option<(i32, bool)> {
        let from_rule = |rule: &Rule| {
            if rule.names[0] == abbr {
                return Some((rule.std, false));
            }
            match rule.dst {
                Some((dst, ..)) if rule.names[1] == abbr => Some((dst, true)),
                _ => None,
            }
        };
        let after_last = self.transitions.last().is_none_or(|(at, _)| utc >= *at);
        if let (true, Some(rule)) = (after_last, &self.rule) {
            if let Some(meaning) = from_rule(rule) {
                return Some(meaning);
            }
        }
        let cutoff = self.transitions.partition_point(|(at, _)| *at <= utc);
        let (before, after) = self.transitions.split_at(cutoff);
        let meaning = |&(_, ty): &(i64, usize)| {
            (self.names[ty] == abbr).then(|| (self.types[ty], self.daylight[ty]))
        };
        before
            .iter()
            .rev()
            .find_map(meaning)
            .or_else(|| after.iter().find_map(meaning))
            .or_else(|| self.rule.as_ref().and_then(from_rule))
    }

    /// Whether `utc` falls in daylight time.
    fn daylight_at(&self, utc: i64) -> bool {
        let after_last = self.transitions.last().is_none_or(|(at, _)| utc >= *at);
        if let (true, Some(rule)) = (after_last, &self.rule) {
            return rule.dst.is_some() && rule.offset_at(utc) != rule.std;
        }
        self.daylight
            .get(self.type_at(utc))
            .copied()
            .unwrap_or(false)
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

/// A zone of the database as `pg_timezone_names` shows it at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneNow {
    pub name: String,
    pub abbreviation: String,
    /// Seconds east of UTC.
    pub offset: i32,
    pub daylight: bool,
}

/// Every zone of the tz database at timestamptz `at`, as PostgreSQL's
/// `pg_timezone_names` lists them: each file below the database that is a zone (symbolic links
/// followed, so `posix/` repeats the tree), except zones with leap seconds (`right/`), which
/// PostgreSQL cannot use. The files are read once per process.
pub fn all_zones(at: i64) -> Vec<ZoneNow> {
    let utc = at.div_euclid(USECS_PER_SEC) + SECS_1970_TO_2000;
    static ZONES: OnceLock<Vec<(String, Arc<TzData>)>> = OnceLock::new();
    let zones = ZONES.get_or_init(|| {
        fn walk(
            dir: &std::path::Path,
            prefix: &str,
            depth: usize,
            out: &mut Vec<(String, Arc<TzData>)>,
        ) {
            // PostgreSQL stops at ten levels; the database has three.
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            if depth >= 10 {
                return;
            }
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                let full = format!("{prefix}{name}");
                match std::fs::metadata(&path) {
                    Ok(meta) if meta.is_dir() => walk(&path, &format!("{full}/"), depth + 1, out),
                    Ok(_) => {
                        let zone = std::fs::read(&path).ok().and_then(|b| parse_tzif(&b));
                        if let Some(zone) = zone.filter(|z| z.leaps == 0) {
                            out.push((full, Arc::new(zone)));
                        }
                    }
                    Err(_) => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(std::path::Path::new(ZONEINFO), "", 0, &mut out);
        out
    });
    zones
        .iter()
        .map(|(name, zone)| ZoneNow {
            name: name.clone(),
            abbreviation: zone.name_at(utc).unwrap_or_default(),
            offset: zone.offset_at(utc),
            daylight: zone.daylight_at(utc),
        })
        .collect()
}

/// The zone file for `lower` (a lower-case name), read once, with its name as the database
/// spells it; None when there is none.
fn load(lower: &str) -> Option<Found> {
    if let Some(found) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(lower) {
        return Some(found.clone());
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
    let mut canonical = Vec::new();
    for part in parts {
        let entry = std::fs::read_dir(&path)
            .ok()?
            .filter_map(Result::ok)
            .find(|e| e.file_name().to_string_lossy().to_ascii_lowercase() == part)?;
        canonical.push(entry.file_name().to_string_lossy().into_owned());
        path.push(entry.file_name());
    }
    let bytes = std::fs::read(&path).ok()?;
    let found = (canonical.join("/"), Arc::new(parse_tzif(&bytes)?));
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(lower.to_string(), found.clone());
    Some(found)
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
    let chars = &data[types_at + 6 * h.typecnt..types_at + 6 * h.typecnt + h.charcnt];
    let names = (0..h.typecnt)
        .map(|i| {
            let from = (data[types_at + 6 * i + 5] as usize).min(chars.len());
            let len = chars[from..].iter().position(|&b| b == 0);
            let name = &chars[from..from + len.unwrap_or(chars.len() - from)];
            String::from_utf8_lossy(name).into_owned()
        })
        .collect();
    // RFC 8536: before the first transition, the first type.
    let initial = 0;
    let daylight = (0..h.typecnt)
        .map(|i| data[types_at + 6 * i + 4] != 0)
        .collect();
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
        names,
        daylight,
        leaps: h.leapcnt,
        initial,
        rule,
    })
}

/// A POSIX TZ string: `std offset [dst [offset] [,start[/time],end[/time]]]`, names of three
/// or more letters or `<...>`, offsets west of Greenwich positive. None when it is not one.
fn parse_rule(text: &str) -> Option<Rule> {
    let mut rest = text;
    let name = |rest: &mut &str| -> Option<String> {
        if let Some(quoted) = rest.strip_prefix('<') {
            let end = quoted.find('>')?;
            let name = quoted[..end].to_string();
            *rest = &quoted[end + 1..];
            return Some(name);
        }
        let len = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        if len < 3 {
            return None;
        }
        let name = rest[..len].to_string();
        *rest = &rest[len..];
        Some(name)
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
            names: Default::default(),
        });
    }
    let std_name = name(&mut rest)?;
    let std = -clock(&mut rest, true)?;
    if rest.is_empty() {
        return Some(Rule {
            std,
            dst: None,
            names: [std_name, String::new()],
        });
    }
    let dst_name = name(&mut rest)?;
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
        names: [std_name, dst_name],
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
    fn settings_name_zones_as_postgresql_shows_them() {
        let (zone, name) = Zone::setting("europe/berlin").unwrap();
        assert_eq!(name, "Europe/Berlin");
        assert!(!zone.is_utc());
        assert_eq!(zone.abbreviation_at(secs(2024, 7, 1, 12, 0)), "CEST");
        assert_eq!(zone.abbreviation_at(secs(2024, 1, 1, 12, 0)), "CET");
        assert_eq!(zone.abbreviation_at(secs(1800, 1, 1, 12, 0)), "LMT");
        assert!(Zone::setting("Etc/UTC").unwrap().0.is_utc());
        assert_eq!(Zone::setting("<-05>+05").unwrap().1, "<-05>+05");
        // Abbreviations are no settings (the CET file, with summer time, is).
        assert!(Zone::setting("CEST").is_none());
        assert_eq!(
            Zone::setting("CET")
                .unwrap()
                .0
                .offset_at(secs(2024, 7, 1, 0, 0)),
            7200
        );
        assert!(Zone::setting("Europe/Nowhere").is_none());
        let mut text = String::new();
        for offset in [0, 19_800, -12_600, 3208] {
            format_offset(offset, true, &mut text);
            text.push(' ');
        }
        assert_eq!(text, "+00 +05:30 -03:30 +00:53:28 ");
    }

    #[test]
    fn calendar_arithmetic_keeps_the_wall_clock_across_dst() {
        let (zone, _) = Zone::setting("America/New_York").unwrap();
        let usecs = |y, m, d, h| (secs(y, m, d, h, 0) - SECS_1970_TO_2000) * USECS_PER_SEC;
        // 2024-03-09 12:00 EST is 17:00 UTC; a day later it is 12:00 EDT, 16:00 UTC.
        let day = Interval {
            months: 0,
            days: 1,
            micros: 0,
        };
        assert_eq!(
            add_interval(&zone, usecs(2024, 3, 9, 17), &day).unwrap(),
            usecs(2024, 3, 10, 16)
        );
        assert_eq!(
            to_local(&zone, usecs(2024, 3, 10, 16)).unwrap(),
            usecs(2024, 3, 10, 12)
        );
        assert_eq!(
            from_local(&zone, usecs(2024, 3, 10, 12)).unwrap(),
            usecs(2024, 3, 10, 16)
        );
        assert_eq!(to_local(&zone, i64::MAX).unwrap(), i64::MAX);
    }

    #[test]
    fn local_times_at_transitions_read_as_postgresql_reads_them() {
        let rule = parse_rule("EST5EDT,M3.2.0,M11.1.0").unwrap();
        let zone = Zone::Tz(Arc::new(TzData::of_rule(rule)));
        // Spring forward: 02:30 does not exist, read as standard time.
        assert_eq!(zone.offset_of_local(secs(2024, 3, 10, 2, 30)), -5 * 3600);
        // Fall back: 01:30 happens twice, read as standard time.
        assert_eq!(zone.offset_of_local(secs(2024, 11, 3, 1, 30)), -5 * 3600);
        assert_eq!(zone.offset_of_local(secs(2024, 7, 1, 12, 0)), -4 * 3600);
        assert_eq!(zone.offset_of_local(secs(2024, 1, 1, 12, 0)), -5 * 3600);
    }
}
