//! `to_char(number, format)`: PostgreSQL's numeric formatting (`formatting.c`, `NUM_processor`),
//! in the C locale (`D` is `.`, `G` is `,`, `L` is a space).
//!
//! The format is read into a description first: digit positions before the decimal point
//! (`9`, `0`) and after it, where zero-filling starts (the first `0`), the sign's form (`S`
//! before or after the number, `MI`, `PL`, `SG`, `PR`'s angle brackets, or the default: a space
//! or `-` just before the first digit), fill mode (`FM`: no padding, no trailing zeros), `V`
//! (shift by 10^n), `EEEE` (scientific) and `RN` (roman numerals). The number is then rounded to
//! the positions after the point and written as digits; too many digits before the point turn
//! every position into `#`. The format is walked again, each digit position taking the next
//! digit, a blank (leading positions of `9`), a `0` (from the first `0` on) or nothing (fill
//! mode), with PostgreSQL's rules for where the sign goes and for `0.5` printing as ` .50`.

use crate::error::{SqlError, SqlResult};
use crate::numeric::{Numeric, Rounding};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Nine,
    Zero,
    Point,
    Comma,
    Fill,
    Sign,
    Minus,
    Plus,
    PlusMinus,
    Brackets,
    Currency,
    Shift,
    Exponent,
    Roman { upper: bool },
    Ordinal { upper: bool },
}

/// A format item: a keyword or a literal character.
#[derive(Debug, Clone)]
enum Item {
    Key(Key),
    Literal(char),
}

/// Where an `S` stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignAt {
    Before,
    After,
}

/// PostgreSQL's `NUMDesc`: what the format asks for.
#[derive(Debug, Default)]
struct Desc {
    pre: usize,
    post: usize,
    /// 1-based position of the first `0` before the point (0: none).
    zero_start: usize,
    zero_end: usize,
    zero: bool,
    decimal: bool,
    fill: bool,
    minus: bool,
    plus: bool,
    brackets: bool,
    sign: Option<SignAt>,
    /// Digits before `S` (an `S` right after them is a trailing sign).
    pre_sign: usize,
    shift: usize,
    shifting: bool,
    exponent: bool,
    roman: bool,
}

fn format_error(message: &str) -> SqlError {
    SqlError::syntax(message.to_string())
}

/// Reads the format's items (PostgreSQL's `NUM_keywords`, longest first), text in double quotes
/// as literals.
fn parse(format: &str) -> SqlResult<(Vec<Item>, Desc)> {
    const KEYS: &[(&str, Key)] = &[
        (",", Key::Comma),
        (".", Key::Point),
        ("0", Key::Zero),
        ("9", Key::Nine),
        ("D", Key::Point),
        ("EEEE", Key::Exponent),
        ("FM", Key::Fill),
        ("G", Key::Comma),
        ("L", Key::Currency),
        ("MI", Key::Minus),
        ("PL", Key::Plus),
        ("PR", Key::Brackets),
        ("RN", Key::Roman { upper: true }),
        ("SG", Key::PlusMinus),
        ("S", Key::Sign),
        ("TH", Key::Ordinal { upper: true }),
        ("V", Key::Shift),
        ("d", Key::Point),
        ("eeee", Key::Exponent),
        ("fm", Key::Fill),
        ("g", Key::Comma),
        ("l", Key::Currency),
        ("mi", Key::Minus),
        ("pl", Key::Plus),
        ("pr", Key::Brackets),
        ("rn", Key::Roman { upper: false }),
        ("sg", Key::PlusMinus),
        ("s", Key::Sign),
        ("th", Key::Ordinal { upper: false }),
        ("v", Key::Shift),
    ];
    let mut items = Vec::new();
    let mut d = Desc::default();
    let mut rest = format;
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            items.extend(quoted[..end].chars().map(Item::Literal));
            rest = quoted.get(end + 1..).unwrap_or("");
            continue;
        }
        let Some(&(text, key)) = KEYS.iter().find(|(k, _)| rest.starts_with(k)) else {
            let mut chars = rest.chars();
            items.extend(chars.next().map(Item::Literal));
            rest = chars.as_str();
            continue;
        };
        rest = &rest[text.len()..];
        if d.exponent {
            return Err(format_error(if key == Key::Exponent {
                "cannot use \"EEEE\" twice"
            } else {
                "\"EEEE\" must be the last pattern used"
            }));
        }
        match key {
            Key::Nine | Key::Zero => {
                if d.brackets {
                    return Err(format_error("\"9\" must be ahead of \"PR\""));
                }
                if key == Key::Zero && !d.zero && !d.decimal {
                    d.zero = true;
                    d.zero_start = d.pre + 1;
                }
                if d.shifting {
                    d.shift += 1;
                } else if d.decimal {
                    d.post += 1;
                } else {
                    d.pre += 1;
                }
                if key == Key::Zero {
                    d.zero_end = d.pre + d.post;
                }
            }
            Key::Point => {
                if d.decimal {
                    return Err(format_error("multiple decimal points"));
                }
                if d.shifting {
                    return Err(format_error("cannot use \"V\" and decimal point together"));
                }
                d.decimal = true;
            }
            Key::Fill => d.fill = true,
            Key::Sign => {
                if d.sign.is_some() {
                    return Err(format_error("cannot use \"S\" twice"));
                }
                if d.plus || d.minus || d.brackets {
                    return Err(format_error(
                        "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together",
                    ));
                }
                d.sign = Some(if d.decimal {
                    SignAt::After
                } else {
                    d.pre_sign = d.pre;
                    SignAt::Before
                });
            }
            Key::Minus | Key::Plus | Key::PlusMinus => {
                if d.sign.is_some() {
                    return Err(format_error("cannot use \"S\" and \"MI\" together"));
                }
                d.minus |= matches!(key, Key::Minus | Key::PlusMinus);
                d.plus |= matches!(key, Key::Plus | Key::PlusMinus);
            }
            Key::Brackets => {
                if d.sign.is_some() || d.plus || d.minus {
                    return Err(format_error(
                        "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together",
                    ));
                }
                d.brackets = true;
            }
            Key::Shift => {
                if d.decimal {
                    return Err(format_error("cannot use \"V\" and decimal point together"));
                }
                d.shifting = true;
            }
            Key::Exponent => {
                if d.fill
                    || d.sign.is_some()
                    || d.brackets
                    || d.minus
                    || d.plus
                    || d.roman
                    || d.shifting
                {
                    return Err(format_error("\"EEEE\" is incompatible with other formats")
                        .with_detail(
                        "\"EEEE\" may only be used together with digit and decimal point patterns.",
                    ));
                }
                d.exponent = true;
            }
            Key::Roman { .. } => d.roman = true,
            Key::Comma | Key::Currency | Key::Ordinal { .. } => {}
        }
        items.push(Item::Key(key));
    }
    Ok((items, d))
}

/// Roman numerals of 1..=3999.
fn roman(mut n: i64) -> String {
    const NUMERALS: [(i64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, text) in NUMERALS {
        while n >= value {
            out.push_str(text);
            n -= value;
        }
    }
    out
}

/// What a number becomes before the format is walked: its digits (`numstr`, without the
/// sign; `#`s on overflow), the sign, and the leading digit positions it leaves empty.
pub enum Source {
    Numeric(Numeric),
    Float(f64, usize),
    Int(i64),
}

/// PostgreSQL's `to_char` of a number.
pub fn to_char(source: Source, format: &str) -> SqlResult<String> {
    let (items, mut d) = parse(format)?;
    if d.roman {
        let value = match &source {
            Source::Numeric(n) => n.to_i128(Rounding::HalfAway).unwrap_or(0) as i64,
            Source::Float(f, _) => f.round() as i64,
            Source::Int(i) => *i,
        };
        let text = if (1..=3999).contains(&value) {
            roman(value)
        } else {
            "#".repeat(15)
        };
        let upper = !items
            .iter()
            .any(|i| matches!(i, Item::Key(Key::Roman { upper: false })));
        let text = if upper { text } else { text.to_lowercase() };
        return Ok(if d.fill { text } else { format!("{text:>15}") });
    }
    if d.exponent {
        return Ok(exponent_form(&source, d.post));
    }
    // The digits: rounded to the positions after the point (V shifts first).
    let text = match &source {
        Source::Numeric(n) => {
            let mut n = n.clone();
            if d.shifting {
                n = n.mul(&Numeric::parse(&format!("1e{}", d.shift)).unwrap_or(Numeric::ONE))?;
            }
            // NaN and the infinities go through as their text, as numeric_out gives them.
            if !n.is_finite() {
                n.to_string()
            } else {
                n.round(d.post as i64, Rounding::HalfAway)?.to_string()
            }
        }
        Source::Float(f, digits) => {
            let mut value = *f;
            if d.shifting {
                value *= 10f64.powi(d.shift as i32);
            }
            // float8_to_char: no more digits than the type holds.
            let integer = format!("{:.0}", value.abs()).len();
            if integer >= *digits {
                d.post = 0;
            } else if integer + d.post > *digits {
                d.post = digits - integer;
            }
            format!("{value:.*}", d.post)
        }
        Source::Int(i) => {
            let value = if d.shifting {
                *i as i128 * 10i128.pow(d.shift as u32)
            } else {
                *i as i128
            };
            if d.post > 0 {
                format!("{value}.{}", "0".repeat(d.post))
            } else {
                value.to_string()
            }
        }
    };
    if d.shifting {
        d.pre += d.shift;
    }
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ('-', rest.to_string()),
        None => ('+', text),
    };
    let pre_len = digits.find('.').unwrap_or(digits.len());
    let (digits, pre_spaces) = if digits.starts_with('#') || pre_len > d.pre {
        let mut overflow = "#".repeat(d.pre + d.post + 1);
        overflow.replace_range(d.pre..d.pre + 1, ".");
        (overflow, 0)
    } else {
        (digits, d.pre - pre_len)
    };
    Ok(Walk::new(&d, sign, digits, pre_spaces).run(&items))
}

/// `EEEE`: the number in scientific notation with `post` digits after the point, a space for a
/// positive sign, at least two exponent digits (PostgreSQL returns it as it is).
fn exponent_form(source: &Source, post: usize) -> String {
    let value = match source {
        Source::Numeric(n) if !n.is_finite() => None,
        Source::Numeric(n) => Some(n.to_f64()),
        Source::Float(f, _) if !f.is_finite() => None,
        Source::Float(f, _) => Some(*f),
        Source::Int(i) => Some(*i as f64),
    };
    let Some(value) = value else {
        let mut text = " ".to_string() + &"#".repeat(post + 1 + 5);
        text.replace_range(2..3, ".");
        return text;
    };
    let text = format!("{value:.post$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    let body = format!("{mantissa}e{sign}{:02}", exponent.abs());
    if body.starts_with('-') {
        body
    } else {
        format!(" {body}")
    }
}

/// PostgreSQL's `NUMProc` while it writes.
struct Walk<'a> {
    d: &'a Desc,
    sign: char,
    digits: Vec<char>,
    /// Next digit to write.
    at: usize,
    pre_spaces: usize,
    /// Digit positions written.
    current: usize,
    count: usize,
    sign_wrote: bool,
    sign_after: bool,
    /// A digit was written (group separators print from then on).
    started: bool,
    /// In fill mode: the last digit worth writing (trailing zeros after it are dropped).
    last_relevant: Option<usize>,
    /// The first digit position a `0` fills, counted from 0.
    zero_start: usize,
    brackets: bool,
    out: String,
}

impl<'a> Walk<'a> {
    fn new(d: &'a Desc, sign: char, digits: String, pre_spaces: usize) -> Walk<'a> {
        let digits: Vec<char> = digits.chars().collect();
        let mut brackets = d.brackets;
        let mut sign_after = d.sign == Some(SignAt::After);
        let sign_wrote = if d.plus || d.minus {
            // MI and SG write the sign themselves; PL alone writes only `+`, so a `-` still
            // goes before the digits.
            !d.plus || d.minus
        } else {
            if sign != '-' && d.fill {
                brackets = false;
            }
            if d.sign == Some(SignAt::Before) && d.pre == d.pre_sign {
                sign_after = true;
            }
            sign == '+' && d.fill && d.sign.is_none()
        };
        let mut last_relevant = None;
        if d.fill && d.decimal {
            // The last nonzero digit after the point, or the point itself.
            if let Some(point) = digits.iter().position(|c| *c == '.') {
                let mut last = point;
                for (i, c) in digits.iter().enumerate().skip(point + 1) {
                    if *c != '0' {
                        last = i;
                    }
                }
                // Digits a `0` asks for stay.
                if d.zero_end > pre_spaces {
                    last = last.max((d.zero_end - pre_spaces).min(digits.len() - 1));
                }
                last_relevant = Some(last);
            }
        }
        let mut count = d.post + d.pre - 1;
        if !sign_wrote && pre_spaces == 0 {
            count += 1;
        }
        Walk {
            d,
            sign,
            digits,
            at: 0,
            pre_spaces,
            current: 0,
            count,
            sign_wrote,
            sign_after,
            started: false,
            last_relevant,
            zero_start: d.zero_start.saturating_sub(1),
            brackets,
            out: String::new(),
        }
    }

    fn digit(&self) -> char {
        self.digits.get(self.at).copied().unwrap_or('\0')
    }

    /// `IS_PREDEC_SPACE`: `0.5` under `9.9` prints ` .5`.
    fn predecimal_space(&self) -> bool {
        !self.d.zero && self.at == 0 && self.digit() == '0' && self.d.post != 0
    }

    fn relevant_is_point(&self) -> bool {
        self.last_relevant.is_some_and(|i| self.digits[i] == '.')
    }

    fn run(mut self, items: &[Item]) -> String {
        for item in items {
            match item {
                Item::Literal(c) => self.out.push(*c),
                Item::Key(Key::Nine | Key::Zero | Key::Point) => {
                    let zero = matches!(item, Item::Key(Key::Zero));
                    self.number_part(zero);
                }
                Item::Key(Key::Comma) => {
                    if self.started {
                        self.out.push(',');
                    } else if !self.d.fill {
                        self.out.push(' ');
                    }
                }
                Item::Key(Key::Currency) => self.out.push(' '),
                Item::Key(Key::Minus) => {
                    if self.sign == '-' {
                        self.out.push('-');
                    } else if !self.d.fill {
                        self.out.push(' ');
                    }
                }
                Item::Key(Key::Plus) => {
                    if self.sign == '+' {
                        self.out.push('+');
                    } else if !self.d.fill {
                        self.out.push(' ');
                    }
                }
                Item::Key(Key::PlusMinus) => self.out.push(self.sign),
                Item::Key(Key::Ordinal { upper }) => {
                    if self.sign != '-' && !self.d.decimal && self.digits.first() != Some(&'#') {
                        let integer: String = self.digits.iter().collect();
                        let n: i64 = integer.parse().unwrap_or(0);
                        let suffix = match (n % 100, n % 10) {
                            (11..=13, _) => "th",
                            (_, 1) => "st",
                            (_, 2) => "nd",
                            (_, 3) => "rd",
                            _ => "th",
                        };
                        self.out.push_str(&if *upper {
                            suffix.to_uppercase()
                        } else {
                            suffix.to_string()
                        });
                    }
                }
                Item::Key(_) => {}
            }
        }
        self.out
    }

    /// `NUM_numpart_to_char`: a digit position or the decimal point.
    fn number_part(&mut self, zero_key: bool) {
        let d = self.d;
        if !self.sign_wrote
            && (self.current >= self.pre_spaces || (d.zero && self.zero_start == self.current))
            && (!self.predecimal_space() || self.relevant_is_point())
        {
            if d.sign.is_some() {
                if !self.sign_after {
                    self.out.push(if self.sign == '-' { '-' } else { '+' });
                    self.sign_wrote = true;
                }
            } else if self.brackets {
                self.out.push(if self.sign == '+' { ' ' } else { '<' });
                self.sign_wrote = true;
            } else if self.sign == '+' {
                if !d.fill {
                    self.out.push(' ');
                }
                self.sign_wrote = true;
            } else {
                self.out.push('-');
                self.sign_wrote = true;
            }
        }
        if self.current < self.pre_spaces && (self.zero_start > self.current || !d.zero) {
            if !d.fill {
                self.out.push(' ');
            }
        } else if d.zero && self.current < self.pre_spaces && self.zero_start <= self.current {
            self.out.push('0');
            self.started = true;
        } else {
            if self.digit() == '.' {
                if self.last_relevant.is_none() || !self.relevant_is_point() || d.fill {
                    self.out.push('.');
                }
            } else if self.last_relevant.is_some_and(|last| self.at > last) && !zero_key {
                // Fill mode: a trailing zero nobody asked for.
            } else if self.predecimal_space() {
                if !d.fill {
                    self.out.push(' ');
                } else if self.relevant_is_point() {
                    self.out.push('0');
                }
            } else if self.digit() != '\0' {
                self.out.push(self.digit());
                self.started = true;
            }
            if self.digit() != '\0' {
                self.at += 1;
            }
        }
        let mut end = self.count + usize::from(self.pre_spaces > 0) + usize::from(d.decimal);
        if self.last_relevant.is_some_and(|last| last == self.at) {
            end = self.current;
        }
        if self.current + 1 == end {
            if self.sign_wrote && self.brackets {
                self.out.push(if self.sign == '+' { ' ' } else { '>' });
            } else if d.sign.is_some() && self.sign_after {
                self.out.push(if self.sign == '-' { '-' } else { '+' });
            }
        }
        self.current += 1;
    }
}

/// PostgreSQL's `to_number(text, format)`: the format walked against the input (the reverse of
/// [`to_char`]). Each digit position takes the digit it finds (a blank before it is skipped; a
/// sign before the first digit, or `<` under `PR`, is read as the number's sign); `.` or `D`
/// takes the decimal point; `,`/`G` skip a comma when there is one, `L` a currency sign;
/// `MI`, `PL`, `SG` and a
/// trailing `S` read a sign where they stand; any other character of the format skips one of
/// the input. At most the format's positions after the point are read; the result has the
/// decimals read and must fit the format's digits (`numeric(pre + decimals, decimals)`).
pub fn to_number(input: &str, format: &str) -> SqlResult<Numeric> {
    let (items, d) = parse(format)?;
    for (flag, name) in [(d.roman, "RN"), (d.exponent, "EEEE")] {
        if flag {
            return Err(SqlError::new(
                crate::error::code::FEATURE_NOT_SUPPORTED,
                format!("\"{name}\" not supported for input"),
            ));
        }
    }
    let input: Vec<char> = input.chars().collect();
    let mut read = Reader {
        d: &d,
        input: &input,
        at: 0,
        sign: ' ',
        digits: String::new(),
        pre: 0,
        post: 0,
        point: false,
    };
    for item in &items {
        if read.at >= input.len() {
            break;
        }
        match item {
            Item::Key(Key::Nine | Key::Zero) => read.number_part(true),
            Item::Key(Key::Point) => read.number_part(false),
            // A separator is skipped only where the input has one; L skips a currency sign
            // (anything but a digit) and leaves a digit to the positions after it.
            Item::Key(Key::Comma) if input[read.at] != ',' => continue,
            Item::Key(Key::Currency) if input[read.at].is_ascii_digit() => continue,
            // MI, PL and SG read a sign where they stand (and take the character either way).
            Item::Key(Key::Minus) if input[read.at] == '-' => read.sign = '-',
            Item::Key(Key::Plus | Key::PlusMinus) if matches!(input[read.at], '-' | '+') => {
                read.sign = input[read.at]
            }
            // Neither takes a character of the input.
            Item::Key(Key::Fill | Key::Shift | Key::Sign) => continue,
            _ => {}
        }
        read.at += 1;
    }
    let mut text = format!("{}{}", read.sign, read.digits);
    if text.ends_with('.') {
        text.pop();
    }
    let scale = read.post;
    let value = Numeric::parse(text.trim_start()).map_err(|_| {
        SqlError::new(
            crate::error::code::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type numeric: \"{text}\""),
        )
    })?;
    let precision = d.pre + d.shift + scale;
    let value = value.apply_typmod(precision as u16, scale as i16)?;
    if d.shifting {
        // V's digits were shifted in: shift them back (PostgreSQL multiplies by 10^-n).
        let shift = Numeric::from(10).pow(&Numeric::from(-(d.shift as i64)))?;
        return value.mul(&shift);
    }
    Ok(value)
}

/// `NUM_numpart_from_char`'s state: the input, the sign and digits read so far.
struct Reader<'a> {
    d: &'a Desc,
    input: &'a [char],
    at: usize,
    sign: char,
    digits: String,
    pre: usize,
    post: usize,
    point: bool,
}

impl Reader<'_> {
    fn current(&self) -> Option<char> {
        self.input.get(self.at).copied()
    }

    fn number_part(&mut self, digit_key: bool) {
        if self.current() == Some(' ') {
            self.at += 1;
        }
        let Some(c) = self.current() else {
            return;
        };
        // A sign before the number.
        if self.sign == ' ' && digit_key && self.pre + self.post == 0 {
            let leading = self.d.sign.is_none() || self.d.sign == Some(SignAt::Before);
            if leading && (c == '-' || (self.d.brackets && c == '<')) {
                self.sign = '-';
                self.at += 1;
            } else if leading && c == '+' {
                self.sign = '+';
                self.at += 1;
            }
        }
        let Some(c) = self.current() else {
            return;
        };
        let mut read = false;
        if c.is_ascii_digit() {
            if self.point && self.post == self.d.post {
                return;
            }
            self.digits.push(c);
            if self.point {
                self.post += 1;
            } else {
                self.pre += 1;
            }
            read = true;
        } else if self.d.decimal && !self.point && c == '.' {
            self.digits.push('.');
            self.point = true;
            read = true;
        }
        // A sign right behind the last digit (S), or where MI/PL/SG could not be placed.
        if self.sign == ' ' && self.pre + self.post > 0 {
            let next = self.input.get(self.at + 1).copied();
            if self.d.sign.is_some() && read && next.is_some_and(|n| !n.is_ascii_digit()) {
                if let Some(sign @ ('-' | '+')) = next {
                    self.sign = sign;
                    self.at += 1;
                }
            } else if !read && self.d.sign.is_none() && (self.d.plus || self.d.minus) {
                if let Some(sign @ ('-' | '+')) = self.current() {
                    self.sign = sign;
                }
            }
        }
    }
}
