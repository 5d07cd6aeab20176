//! `numeric`: exact decimal numbers of any precision, with PostgreSQL's NaN and infinities.
//!
//! A finite value is `mantissa * 10^-scale` with `scale >= 0`; the scale is also the *display
//! scale* (PostgreSQL's `dscale`: `1.50` keeps its two decimals). Two representations:
//!
//! - [`Numeric::Small`]: a `rust_decimal::Decimal` (96-bit mantissa, scale up to 28), 16 bytes and
//!   no allocation. Almost every value a table holds fits, and TPC-H's sums and products run on
//!   its arithmetic;
//! - [`Numeric::Big`]: an [`Exact`] (sign, base-10^9 magnitude, scale), shared behind an `Arc`,
//!   for everything else, up to PostgreSQL's limits (131072 digits before the point, 16383
//!   after: "value overflows numeric format" beyond).
//!
//! Rows hold the small form as `Value::Numeric(Decimal)`, a plain copy, and the rest as
//! `Value::BigNumeric` ([`crate::types::Value::numeric`] picks).
//!
//! A value is `Small` whenever it fits, so each value has one representation; `+`, `-` and `*`
//! of small values first compute on their digits as an i128 ([`Fixed`]: exact, at the scale
//! PostgreSQL gives the result, `max` of the inputs' for `+`/`-`, their sum for `*`) and keep a
//! result a Decimal holds; otherwise, and for
//! division and rounding, they compute on the [`Exact`] form. Division computes the quotient at
//! PostgreSQL's result scale (`select_div_scale`: at least 16 significant digits, no fewer
//! decimals than either input, at most 1000) from one long division of integers and rounds half
//! away from zero, as PostgreSQL does.
//!
//! The magnitude's long division (`divmod`) is schoolbook division in base 10^9: each quotient
//! limb is estimated from the top three limbs of the running remainder over the top two of the
//! divisor (off by at most two) and corrected by comparing products.
//!
//! `sqrt`, `ln`, `exp` and `power` follow PostgreSQL's choice of result scale (`numeric_sqrt`,
//! `numeric_ln`, `numeric_exp`, `power_var`) and compute with guard digits before rounding.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::error::{code, SqlError, SqlResult};

/// Most digits after the decimal point (`NUMERIC_DSCALE_MAX`).
pub const MAX_SCALE: u32 = 16_383;
/// Most digits before the decimal point (a weight of 32767 base-10000 digits).
pub const MAX_INTEGER_DIGITS: u64 = 131_072;
/// Largest scale division and the functions choose (`NUMERIC_MAX_DISPLAY_SCALE`).
pub const MAX_DISPLAY_SCALE: i64 = 1000;
/// log10(e) as PostgreSQL writes it: result scales depend on its exact (rounded) value.
#[allow(clippy::approx_constant)]
const PG_LOG10_E: f64 = 0.434294481903252;
/// Bound on the digits `round` and `trunc` take (`NUMERIC_MAX_RESULT_SCALE`).
const MAX_RESULT_SCALE: i64 = 2000;
/// Significant digits a division or function result has at least (`NUMERIC_MIN_SIG_DIGITS`).
const MIN_SIG_DIGITS: i64 = 16;

const BASE: u64 = 1_000_000_000;
/// `Decimal`'s limits: a 96-bit mantissa and 28 decimals.
const SMALL_MAX_SCALE: u32 = 28;
const SMALL_MAX_MANTISSA: u128 = (1u128 << 96) - 1;

/// `10^k` for every `k` an i128 holds.
const POW10: [i128; 39] = {
    let mut table = [1i128; 39];
    let mut k = 1;
    while k < 39 {
        table[k] = table[k - 1] * 10;
        k += 1;
    }
    table
};

/// A small numeric as a count of `10^-scale` units in an i128: `+`, `-` and `*` on it are exact
/// integer operations (the result scale PostgreSQL gives: the larger of the inputs' for `+` and
/// `-`, their sum for `*`), several times quicker than Decimal's own arithmetic, which rescales,
/// rounds and normalizes at every step. An operation whose digits leave the i128 answers None,
/// and [`Fixed::decimal`] answers None for a result a Decimal cannot hold (more than 96 bits or
/// 28 decimals): the caller computes on the [`Exact`] form. Chained operations (an aggregate's
/// running sum, `price * (1 - discount) * (1 + tax)`) stay in this form between steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixed {
    pub units: i128,
    pub scale: u32,
}

impl Fixed {
    #[inline]
    pub fn of(value: Decimal) -> Fixed {
        Fixed {
            units: value.mantissa(),
            scale: value.scale(),
        }
    }

    /// The value as a Decimal, when one holds it exactly.
    #[inline]
    pub fn decimal(self) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(self.units, self.scale).ok()
    }

    /// The units at a scale at least this one's.
    #[inline]
    fn units_at(self, scale: u32) -> Option<i128> {
        if scale == self.scale {
            return Some(self.units);
        }
        self.units
            .checked_mul(*POW10.get((scale - self.scale) as usize)?)
    }

    /// The order of the two values, when their units meet at one scale in an i128 (a
    /// comparison of a stored numeric with a constant, without Decimal's rescaling).
    #[inline]
    pub fn checked_cmp(self, other: Fixed) -> Option<std::cmp::Ordering> {
        let scale = self.scale.max(other.scale);
        Some(self.units_at(scale)?.cmp(&other.units_at(scale)?))
    }

    #[inline]
    pub fn checked_add(self, other: Fixed) -> Option<Fixed> {
        let scale = self.scale.max(other.scale);
        Some(Fixed {
            units: self.units_at(scale)?.checked_add(other.units_at(scale)?)?,
            scale,
        })
    }

    #[inline]
    pub fn checked_sub(self, other: Fixed) -> Option<Fixed> {
        let scale = self.scale.max(other.scale);
        Some(Fixed {
            units: self.units_at(scale)?.checked_sub(other.units_at(scale)?)?,
            scale,
        })
    }

    #[inline]
    pub fn checked_mul(self, other: Fixed) -> Option<Fixed> {
        let scale = self.scale + other.scale;
        if scale as usize >= POW10.len() {
            return None;
        }
        Some(Fixed {
            units: self.units.checked_mul(other.units)?,
            scale,
        })
    }
}

impl From<Fixed> for Numeric {
    fn from(value: Fixed) -> Numeric {
        match value.decimal() {
            Some(small) => Numeric::Small(small),
            None => Numeric::from_exact(Exact::new(
                value.units < 0,
                mag_from_u128(value.units.unsigned_abs()),
                value.scale,
            ))
            .expect("an i128 at under 39 decimals fits numeric"),
        }
    }
}

/// A `numeric` value.
#[derive(Debug)]
pub enum Numeric {
    Small(Decimal),
    Big(Arc<Exact>),
    NaN,
    /// `Infinity` (false) or `-Infinity` (true).
    Inf(bool),
}

/// A finite value as sign, magnitude (base 10^9 limbs, least significant first, no high zero
/// limbs; zero is empty and never negative) and scale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exact {
    neg: bool,
    mag: Vec<u32>,
    scale: u32,
}

/// Why a text is not a numeric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    Syntax,
    Overflow,
}

/// How [`Exact::rescale`] drops digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Half away from zero (`round`, casts, division).
    HalfAway,
    /// Toward zero (`trunc`).
    Trunc,
    /// Toward positive infinity (`ceil`).
    Ceil,
    /// Toward negative infinity (`floor`).
    Floor,
}

pub fn overflow() -> SqlError {
    SqlError::new(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        "value overflows numeric format",
    )
}

fn division_by_zero() -> SqlError {
    SqlError::new(code::DIVISION_BY_ZERO, "division by zero")
}

// ---- magnitudes: base 10^9, least significant limb first ----

fn trim(mag: &mut Vec<u32>) {
    while mag.last() == Some(&0) {
        mag.pop();
    }
}

fn mag_from_u128(mut x: u128) -> Vec<u32> {
    let mut mag = Vec::new();
    while x > 0 {
        mag.push((x % BASE as u128) as u32);
        x /= BASE as u128;
    }
    mag
}

fn mag_to_u128(mag: &[u32]) -> Option<u128> {
    mag.iter().rev().try_fold(0u128, |acc, &limb| {
        acc.checked_mul(BASE as u128)?.checked_add(limb as u128)
    })
}

fn cmp_mag(a: &[u32], b: &[u32]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn add_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(long.len() + 1);
    let mut carry = 0u64;
    for (i, &limb) in long.iter().enumerate() {
        let sum = limb as u64 + short.get(i).copied().unwrap_or(0) as u64 + carry;
        out.push((sum % BASE) as u32);
        carry = sum / BASE;
    }
    if carry > 0 {
        out.push(carry as u32);
    }
    out
}

/// `a - b` for `a >= b`.
fn sub_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i64;
    for (i, &limb) in a.iter().enumerate() {
        let mut diff = limb as i64 - b.get(i).copied().unwrap_or(0) as i64 - borrow;
        borrow = 0;
        if diff < 0 {
            diff += BASE as i64;
            borrow = 1;
        }
        out.push(diff as u32);
    }
    debug_assert_eq!(borrow, 0, "sub_mag needs a >= b");
    trim(&mut out);
    out
}

fn mul_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &y) in b.iter().enumerate() {
            let t = out[i + j] as u64 + x as u64 * y as u64 + carry;
            out[i + j] = (t % BASE) as u32;
            carry = t / BASE;
        }
        let mut k = i + b.len();
        while carry > 0 {
            let t = out[k] as u64 + carry;
            out[k] = (t % BASE) as u32;
            carry = t / BASE;
            k += 1;
        }
    }
    trim(&mut out);
    out
}

fn mul_small(a: &[u32], m: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + 1);
    let mut carry = 0u64;
    for &limb in a {
        let t = limb as u64 * m as u64 + carry;
        out.push((t % BASE) as u32);
        carry = t / BASE;
    }
    if carry > 0 {
        out.push(carry as u32);
    }
    trim(&mut out);
    out
}

fn divmod_small(a: &[u32], d: u32) -> (Vec<u32>, u32) {
    let mut q = vec![0u32; a.len()];
    let mut rem = 0u64;
    for i in (0..a.len()).rev() {
        let cur = rem * BASE + a[i] as u64;
        q[i] = (cur / d as u64) as u32;
        rem = cur % d as u64;
    }
    trim(&mut q);
    (q, rem as u32)
}

/// `10^k`.
fn pow10(k: u64) -> Vec<u32> {
    let mut mag = vec![0u32; (k / 9) as usize];
    mag.push(10u32.pow((k % 9) as u32));
    mag
}

/// `a * 10^k`.
fn shift_up(a: &[u32], k: u64) -> Vec<u32> {
    if a.is_empty() || k == 0 {
        return a.to_vec();
    }
    let mut out = vec![0u32; (k / 9) as usize];
    out.extend_from_slice(a);
    mul_small(&out, 10u32.pow((k % 9) as u32))
}

/// Quotient and remainder of `a / b` (`b` nonzero).
fn divmod(a: &[u32], b: &[u32]) -> (Vec<u32>, Vec<u32>) {
    assert!(!b.is_empty(), "division by a zero magnitude");
    if cmp_mag(a, b) == Ordering::Less {
        return (Vec::new(), a.to_vec());
    }
    if b.len() == 1 {
        let (q, r) = divmod_small(a, b[0]);
        return (q, if r == 0 { Vec::new() } else { vec![r] });
    }
    let n = b.len();
    let top = b[n - 1] as u128 * BASE as u128 + b[n - 2] as u128;
    let mut q = vec![0u32; a.len()];
    let mut rem: Vec<u32> = Vec::with_capacity(n + 1);
    for i in (0..a.len()).rev() {
        // rem = rem * BASE + a[i]
        rem.insert(0, a[i]);
        trim(&mut rem);
        if cmp_mag(&rem, b) == Ordering::Less {
            continue;
        }
        let limb = |k: usize| rem.get(k).copied().unwrap_or(0) as u128;
        let head = (limb(n) * BASE as u128 + limb(n - 1)) * BASE as u128 + limb(n - 2);
        let mut digit = (head / top).min(BASE as u128 - 1) as u32;
        let mut product = mul_small(b, digit);
        while cmp_mag(&product, &rem) == Ordering::Greater {
            digit -= 1;
            product = sub_mag(&product, b);
        }
        let mut left = sub_mag(&rem, &product);
        while cmp_mag(&left, b) != Ordering::Less {
            digit += 1;
            left = sub_mag(&left, b);
        }
        q[i] = digit;
        rem = left;
    }
    trim(&mut q);
    (q, rem)
}

/// Decimal digits of a magnitude ("0" for zero).
fn mag_digits(mag: &[u32]) -> String {
    let Some((top, rest)) = mag.split_last() else {
        return "0".to_string();
    };
    let mut out = top.to_string();
    for limb in rest.iter().rev() {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// Number of decimal digits of a magnitude (0 for zero).
fn digit_count(mag: &[u32]) -> u64 {
    match mag.last() {
        None => 0,
        Some(&top) => (mag.len() as u64 - 1) * 9 + top.ilog10() as u64 + 1,
    }
}

/// A magnitude from decimal digits (ASCII, no sign).
fn mag_from_digits(digits: &[u8]) -> Vec<u32> {
    let mut mag = Vec::with_capacity(digits.len() / 9 + 1);
    let mut end = digits.len();
    while end > 0 {
        let start = end.saturating_sub(9);
        let limb = digits[start..end]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + (d - b'0') as u32);
        mag.push(limb);
        end = start;
    }
    trim(&mut mag);
    mag
}

// ---- exact values ----

impl Exact {
    fn new(neg: bool, mut mag: Vec<u32>, scale: u32) -> Exact {
        trim(&mut mag);
        let neg = neg && !mag.is_empty();
        Exact { neg, mag, scale }
    }

    fn from_decimal(d: &Decimal) -> Exact {
        let m = d.mantissa();
        Exact::new(m < 0, mag_from_u128(m.unsigned_abs()), d.scale())
    }

    pub fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }

    /// The magnitude at scale `scale` (>= the value's scale).
    fn mag_at(&self, scale: u32) -> Vec<u32> {
        shift_up(&self.mag, (scale - self.scale) as u64)
    }

    fn add(&self, other: &Exact) -> Exact {
        let scale = self.scale.max(other.scale);
        let (a, b) = (self.mag_at(scale), other.mag_at(scale));
        if self.neg == other.neg {
            return Exact::new(self.neg, add_mag(&a, &b), scale);
        }
        match cmp_mag(&a, &b) {
            Ordering::Less => Exact::new(other.neg, sub_mag(&b, &a), scale),
            _ => Exact::new(self.neg, sub_mag(&a, &b), scale),
        }
    }

    fn negated(&self) -> Exact {
        Exact::new(!self.neg, self.mag.clone(), self.scale)
    }

    fn mul(&self, other: &Exact) -> Exact {
        Exact::new(
            self.neg != other.neg,
            mul_mag(&self.mag, &other.mag),
            self.scale + other.scale,
        )
    }

    fn cmp(&self, other: &Exact) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => return Ordering::Greater,
            (true, false) => return Ordering::Less,
            _ => {}
        }
        let scale = self.scale.max(other.scale);
        let order = cmp_mag(&self.mag_at(scale), &other.mag_at(scale));
        if self.neg {
            order.reverse()
        } else {
            order
        }
    }

    /// The value with `digits` decimals (negative: rounded left of the point, scale 0).
    pub fn rescale(&self, digits: i64, mode: Rounding) -> Exact {
        if digits >= self.scale as i64 {
            let scale = digits as u32;
            return Exact::new(self.neg, self.mag_at(scale), scale);
        }
        let drop = (self.scale as i64 - digits) as u64;
        let divisor = pow10(drop);
        let (mut q, r) = divmod(&self.mag, &divisor);
        let up = !r.is_empty()
            && match mode {
                Rounding::HalfAway => cmp_mag(&mul_small(&r, 2), &divisor) != Ordering::Less,
                Rounding::Trunc => false,
                Rounding::Ceil => !self.neg,
                Rounding::Floor => self.neg,
            };
        if up {
            q = add_mag(&q, &[1]);
        }
        if digits < 0 {
            Exact::new(self.neg, shift_up(&q, (-digits) as u64), 0)
        } else {
            Exact::new(self.neg, q, digits as u32)
        }
    }

    /// Decimal exponent of the leading digit (`floor(log10(|x|))`); None for zero.
    fn exponent(&self) -> Option<i64> {
        let digits = digit_count(&self.mag);
        (digits > 0).then(|| digits as i64 - 1 - self.scale as i64)
    }

    /// PostgreSQL's base-10000 weight and first digit of |x| (`NumericVar`), for result scales.
    fn weight_and_first_digit(&self) -> (i64, u32) {
        let Some(exponent) = self.exponent() else {
            return (0, 0);
        };
        let weight = exponent.div_euclid(4);
        // The first base-10000 digit: the leading (exponent - 4 * weight + 1) decimal digits.
        let width = (exponent - 4 * weight + 1) as usize;
        let digits = mag_digits(&self.mag);
        let lead: String = digits
            .chars()
            .chain(std::iter::repeat('0'))
            .take(width)
            .collect();
        (weight, lead.parse().unwrap_or(0))
    }

    fn text(&self) -> String {
        let digits = mag_digits(&self.mag);
        let mut out = String::with_capacity(digits.len() + 3);
        if self.neg {
            out.push('-');
        }
        let scale = self.scale as usize;
        if scale == 0 {
            out.push_str(&digits);
        } else if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', scale - digits.len()));
            out.push_str(&digits);
        }
        out
    }
}

// ---- numeric values ----

impl Numeric {
    pub const ZERO: Numeric = Numeric::Small(Decimal::ZERO);
    pub const ONE: Numeric = Numeric::Small(Decimal::ONE);

    /// `mantissa * 10^-scale` (scale <= 28).
    pub fn new(mantissa: i64, scale: u32) -> Numeric {
        Numeric::Small(Decimal::new(mantissa, scale))
    }

    pub fn from_i128(value: i128) -> Numeric {
        Numeric::from_exact(Exact::new(
            value < 0,
            mag_from_u128(value.unsigned_abs()),
            0,
        ))
        .expect("an i128 fits numeric")
    }

    /// The canonical form of an exact value, or an overflow error past PostgreSQL's limits.
    fn from_exact(e: Exact) -> SqlResult<Numeric> {
        if e.scale <= SMALL_MAX_SCALE {
            if let Some(m) = mag_to_u128(&e.mag).filter(|m| *m <= SMALL_MAX_MANTISSA) {
                let signed = if e.neg { -(m as i128) } else { m as i128 };
                if let Ok(d) = Decimal::try_from_i128_with_scale(signed, e.scale) {
                    return Ok(Numeric::Small(d));
                }
            }
        }
        if e.scale > MAX_SCALE
            || digit_count(&e.mag).saturating_sub(e.scale as u64) > MAX_INTEGER_DIGITS
        {
            return Err(overflow());
        }
        Ok(Numeric::Big(Arc::new(e)))
    }

    /// The exact form of a finite value.
    fn exact(&self) -> Option<Exact> {
        match self {
            Numeric::Small(d) => Some(Exact::from_decimal(d)),
            Numeric::Big(e) => Some((**e).clone()),
            Numeric::NaN | Numeric::Inf(_) => None,
        }
    }

    pub fn is_nan(&self) -> bool {
        matches!(self, Numeric::NaN)
    }

    pub fn is_finite(&self) -> bool {
        matches!(self, Numeric::Small(_) | Numeric::Big(_))
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Numeric::Small(d) => d.is_zero(),
            Numeric::Big(e) => e.is_zero(),
            _ => false,
        }
    }

    /// Below zero (`-Infinity` included; NaN is not).
    pub fn is_negative(&self) -> bool {
        match self {
            Numeric::Small(d) => d.is_sign_negative() && !d.is_zero(),
            Numeric::Big(e) => e.neg,
            Numeric::Inf(neg) => *neg,
            Numeric::NaN => false,
        }
    }

    /// The display scale (decimals shown); 0 for NaN and the infinities.
    pub fn scale(&self) -> u32 {
        match self {
            Numeric::Small(d) => d.scale(),
            Numeric::Big(e) => e.scale,
            _ => 0,
        }
    }

    pub fn neg(&self) -> Numeric {
        match self {
            Numeric::Small(d) => Numeric::Small(-*d),
            Numeric::Big(e) => Numeric::Big(Arc::new(e.negated())),
            Numeric::NaN => Numeric::NaN,
            Numeric::Inf(neg) => Numeric::Inf(!neg),
        }
    }

    pub fn abs(&self) -> Numeric {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// -1, 0 or 1 with scale 0 (NaN for NaN).
    pub fn signum(&self) -> Numeric {
        if self.is_nan() {
            Numeric::NaN
        } else if self.is_zero() {
            Numeric::ZERO
        } else if self.is_negative() {
            Numeric::new(-1, 0)
        } else {
            Numeric::ONE
        }
    }

    /// `self + other` (the common case, two small values with an exact sum, inline).
    #[inline]
    pub fn add(&self, other: &Numeric) -> SqlResult<Numeric> {
        if let (Numeric::Small(a), Numeric::Small(b)) = (self, other) {
            if let Some(sum) = Fixed::of(*a)
                .checked_add(Fixed::of(*b))
                .and_then(Fixed::decimal)
            {
                return Ok(Numeric::Small(sum));
            }
        }
        self.add_slow(other)
    }

    fn add_slow(&self, other: &Numeric) -> SqlResult<Numeric> {
        match (self, other) {
            (Numeric::NaN, _) | (_, Numeric::NaN) => Ok(Numeric::NaN),
            (Numeric::Inf(a), Numeric::Inf(b)) => Ok(if a == b {
                Numeric::Inf(*a)
            } else {
                Numeric::NaN
            }),
            (Numeric::Inf(a), _) | (_, Numeric::Inf(a)) => Ok(Numeric::Inf(*a)),
            // Finite values Decimal could not add exactly.
            _ => Numeric::from_exact(self.exact().unwrap().add(&other.exact().unwrap())),
        }
    }

    #[inline]
    pub fn sub(&self, other: &Numeric) -> SqlResult<Numeric> {
        if let (Numeric::Small(a), Numeric::Small(b)) = (self, other) {
            if let Some(difference) = Fixed::of(*a)
                .checked_sub(Fixed::of(*b))
                .and_then(Fixed::decimal)
            {
                return Ok(Numeric::Small(difference));
            }
        }
        self.add_slow(&other.neg())
    }

    /// `self * other` (two small values with an exact product inline).
    #[inline]
    pub fn mul(&self, other: &Numeric) -> SqlResult<Numeric> {
        if let (Numeric::Small(a), Numeric::Small(b)) = (self, other) {
            if let Some(product) = Fixed::of(*a)
                .checked_mul(Fixed::of(*b))
                .and_then(Fixed::decimal)
            {
                return Ok(Numeric::Small(product));
            }
        }
        self.mul_slow(other)
    }

    fn mul_slow(&self, other: &Numeric) -> SqlResult<Numeric> {
        match (self, other) {
            (Numeric::NaN, _) | (_, Numeric::NaN) => Ok(Numeric::NaN),
            (Numeric::Inf(_), x) | (x, Numeric::Inf(_)) if x.is_zero() => Ok(Numeric::NaN),
            (Numeric::Inf(_), _) | (_, Numeric::Inf(_)) => {
                Ok(Numeric::Inf(self.is_negative() != other.is_negative()))
            }
            _ => Numeric::mul_exact(&self.exact().unwrap(), &other.exact().unwrap()),
        }
    }

    fn mul_exact(a: &Exact, b: &Exact) -> SqlResult<Numeric> {
        let mut product = a.mul(b);
        // PostgreSQL rounds an exact product with more decimals than it can store.
        if product.scale > MAX_SCALE {
            product = product.rescale(MAX_SCALE as i64, Rounding::HalfAway);
        }
        Numeric::from_exact(product)
    }

    /// Division at PostgreSQL's result scale (see the module docs).
    pub fn div(&self, other: &Numeric) -> SqlResult<Numeric> {
        if let (Numeric::Small(a), Numeric::Small(b)) = (self, other) {
            if let Some(quotient) = div_small(a, b) {
                return Ok(Numeric::Small(quotient));
            }
        }
        self.divide(other, |a, b| (div_scale(a, b), Rounding::HalfAway))
    }

    /// A quotient at the scale and rounding `at` picks for the two finite operands, with
    /// PostgreSQL's rules for NaN, the infinities and zero divisors.
    fn divide(
        &self,
        other: &Numeric,
        at: impl FnOnce(&Exact, &Exact) -> (i64, Rounding),
    ) -> SqlResult<Numeric> {
        match (self, other) {
            (Numeric::NaN, _) | (_, Numeric::NaN) => Ok(Numeric::NaN),
            (Numeric::Inf(_), Numeric::Inf(_)) => Ok(Numeric::NaN),
            (Numeric::Inf(_), x) if x.is_zero() => Err(division_by_zero()),
            (Numeric::Inf(_), _) => Ok(Numeric::Inf(self.is_negative() != other.is_negative())),
            (_, Numeric::Inf(_)) => Ok(Numeric::ZERO),
            _ => {
                let (a, b) = (self.exact().unwrap(), other.exact().unwrap());
                if b.is_zero() {
                    return Err(division_by_zero());
                }
                let (scale, mode) = at(&a, &b);
                Numeric::from_exact(quotient(&a, &b, scale, mode))
            }
        }
    }

    /// `a - b * trunc(a / b)` with the larger input scale (PostgreSQL's `numeric_mod`).
    pub fn rem(&self, other: &Numeric) -> SqlResult<Numeric> {
        match (self, other) {
            (Numeric::NaN, _) | (_, Numeric::NaN) => Ok(Numeric::NaN),
            (Numeric::Inf(_), x) if x.is_zero() => Err(division_by_zero()),
            (Numeric::Inf(_), _) => Ok(Numeric::NaN),
            (_, Numeric::Inf(_)) => Ok(self.clone()),
            _ => {
                let (a, b) = (self.exact().unwrap(), other.exact().unwrap());
                if b.is_zero() {
                    return Err(division_by_zero());
                }
                let scale = a.scale.max(b.scale);
                let (_, r) = divmod(&a.mag_at(scale), &b.mag_at(scale));
                Numeric::from_exact(Exact::new(a.neg, r, scale))
            }
        }
    }

    /// `trunc(a / b)` with scale 0 (PostgreSQL's `div`).
    pub fn div_trunc(&self, other: &Numeric) -> SqlResult<Numeric> {
        self.divide(other, |_, _| (0, Rounding::Trunc))
    }

    /// The value with `digits` decimals (`round`/`trunc` with a digit count; negative digits
    /// round left of the point and give scale 0). NaN and the infinities stay.
    pub fn round(&self, digits: i64, mode: Rounding) -> SqlResult<Numeric> {
        // PostgreSQL limits the digits to NUMERIC_MAX_RESULT_SCALE either way.
        let digits = digits.clamp(-MAX_RESULT_SCALE, MAX_RESULT_SCALE);
        match self {
            Numeric::NaN | Numeric::Inf(_) => Ok(self.clone()),
            // A scale above what the value has only adds zeros: cheap for Small values.
            Numeric::Small(d) if digits >= d.scale() as i64 && digits <= SMALL_MAX_SCALE as i64 => {
                let mut d = *d;
                d.rescale(digits as u32);
                if d.scale() == digits as u32 {
                    return Ok(Numeric::Small(d));
                }
                Numeric::from_exact(Exact::from_decimal(&d).rescale(digits, mode))
            }
            _ => Numeric::from_exact(self.exact().unwrap().rescale(digits, mode)),
        }
    }

    /// Without trailing fractional zeros (`trim_scale`).
    pub fn normalized(&self) -> Numeric {
        match self {
            Numeric::Small(d) => Numeric::Small(d.normalize()),
            Numeric::Big(e) => {
                let mut scale = e.scale;
                let mut mag = e.mag.clone();
                while scale > 0 && !mag.is_empty() {
                    let (q, r) = divmod_small(&mag, 10);
                    if r != 0 {
                        break;
                    }
                    mag = q;
                    scale -= 1;
                }
                if mag.is_empty() {
                    scale = 0;
                }
                Numeric::from_exact(Exact::new(e.neg, mag, scale)).expect("smaller than before")
            }
            other => other.clone(),
        }
    }

    /// The value rounded half away from zero to an integer, if it fits i64.
    pub fn to_i64_rounded(&self) -> Option<i64> {
        i64::try_from(self.to_i128(Rounding::HalfAway)?).ok()
    }

    /// The value rounded to an integer by `mode`, if it fits i128.
    pub fn to_i128(&self, mode: Rounding) -> Option<i128> {
        let e = self.exact()?.rescale(0, mode);
        let m = mag_to_u128(&e.mag)?;
        if e.neg {
            0i128.checked_sub_unsigned(m)
        } else {
            i128::try_from(m).ok()
        }
    }

    /// The nearest double (through the decimal text, as PostgreSQL's `numeric_float8`).
    pub fn to_f64(&self) -> f64 {
        match self {
            Numeric::NaN => f64::NAN,
            Numeric::Inf(neg) => {
                if *neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            finite => finite.to_string().parse().unwrap_or(f64::NAN),
        }
    }

    /// A double as numeric: its `significant` significant digits (15 for double precision, 6 for
    /// real, as PostgreSQL prints them with `%.*g`), without trailing zeros.
    pub fn from_f64(f: f64, significant: usize) -> Numeric {
        if f.is_nan() {
            return Numeric::NaN;
        }
        if f.is_infinite() {
            return Numeric::Inf(f < 0.0);
        }
        let text = format!("{:.*e}", significant.max(1) - 1, f);
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        Numeric::parse(&format!("{mantissa}e{exponent}")).unwrap_or(Numeric::NaN)
    }

    /// PostgreSQL's `numeric_in`: optional blanks and sign, digits with an optional point, an
    /// optional exponent; `NaN`, `Infinity`, `inf` in any case.
    pub fn parse(text: &str) -> Result<Numeric, ParseError> {
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        let (neg, body) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        if text.eq_ignore_ascii_case("nan") {
            return Ok(Numeric::NaN);
        }
        if body.eq_ignore_ascii_case("infinity") || body.eq_ignore_ascii_case("inf") {
            return Ok(Numeric::Inf(neg));
        }
        let bytes = body.as_bytes();
        let mut i = 0;
        let mut digits: Vec<u8> = Vec::new();
        let mut frac = 0i64;
        let mut seen_point = false;
        let mut any = false;
        while i < bytes.len() {
            match bytes[i] {
                b'0'..=b'9' => {
                    any = true;
                    if !(digits.is_empty() && bytes[i] == b'0') {
                        digits.push(bytes[i]);
                    }
                    if seen_point {
                        frac += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if !any {
            return Err(ParseError::Syntax);
        }
        let mut exponent = 0i64;
        if i < bytes.len() && matches!(bytes[i], b'e' | b'E') {
            let rest = &body[i + 1..];
            let digits_start = usize::from(rest.starts_with(['+', '-']));
            let exp_digits = &rest[digits_start..];
            if exp_digits.is_empty() || !exp_digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ParseError::Syntax);
            }
            // Anything past the limits overflows; keep the number small while reading it.
            let magnitude = exp_digits
                .trim_start_matches('0')
                .parse::<i64>()
                .unwrap_or(if exp_digits.trim_start_matches('0').is_empty() {
                    0
                } else {
                    i64::MAX / 4
                })
                .min(i64::MAX / 4);
            exponent = if rest.starts_with('-') {
                -magnitude
            } else {
                magnitude
            };
            i = bytes.len();
        }
        if i != bytes.len() {
            return Err(ParseError::Syntax);
        }
        // value = digits * 10^(exponent - frac)
        let shift = exponent - frac;
        let scale = (-shift).max(0);
        let zeros = shift.max(0);
        if scale > MAX_SCALE as i64
            || digits.len() as i64 + zeros - scale > MAX_INTEGER_DIGITS as i64
        {
            if digits.is_empty() && scale <= MAX_SCALE as i64 {
                return Ok(Numeric::ZERO);
            }
            return Err(ParseError::Overflow);
        }
        let scale = scale as u32;
        if digits.len() <= 38 && zeros == 0 {
            let m = digits
                .iter()
                .fold(0u128, |acc, d| acc * 10 + (d - b'0') as u128);
            if scale <= SMALL_MAX_SCALE && m <= SMALL_MAX_MANTISSA {
                let signed = if neg { -(m as i128) } else { m as i128 };
                if let Ok(d) = Decimal::try_from_i128_with_scale(signed, scale) {
                    // No negative zero.
                    return Ok(Numeric::Small(if m == 0 {
                        Decimal::new(0, scale)
                    } else {
                        d
                    }));
                }
            }
        }
        let mag = shift_up(&mag_from_digits(&digits), zeros as u64);
        Numeric::from_exact(Exact::new(neg, mag, scale)).map_err(|_| ParseError::Overflow)
    }

    /// The value rounded to `scale` decimals, checked to have fewer than `precision - scale`
    /// digits before the point (a `numeric(precision, scale)` column).
    pub fn apply_typmod(&self, precision: u16, scale: i16) -> SqlResult<Numeric> {
        let field_overflow = |detail: String| {
            SqlError::new(code::NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow")
                .with_detail(detail)
        };
        match self {
            Numeric::NaN => return Ok(Numeric::NaN),
            Numeric::Inf(_) => {
                return Err(field_overflow(format!(
                "A field with precision {precision}, scale {scale} cannot hold an infinite value."
            )))
            }
            _ => {}
        }
        let rounded = self.round(scale as i64, Rounding::HalfAway)?;
        let e = rounded.exact().unwrap();
        let integer_digits = precision as i64 - scale as i64;
        if let Some(exponent) = e.exponent() {
            if exponent >= integer_digits {
                return Err(field_overflow(format!(
                    "A field with precision {precision}, scale {scale} must round to an absolute value less than {}.",
                    if integer_digits == 0 { "1".to_string() } else { format!("10^{integer_digits}") }
                )));
            }
        }
        Ok(rounded)
    }

    /// Text that is equal exactly for equal values (trailing zeros dropped): hash and group keys.
    pub fn key_text(&self) -> String {
        match self {
            Numeric::Small(d) if d.is_zero() => "0".to_string(),
            Numeric::Small(d) => d.normalize().to_string(),
            other => other.normalized().to_string(),
        }
    }

    /// PostgreSQL's base-10000 digits of |x| and the weight of the first (binary `numeric`).
    pub fn base10000(&self) -> (Vec<i16>, i16) {
        let Some(e) = self.exact() else {
            return (Vec::new(), 0);
        };
        let digits = mag_digits(&e.mag);
        let scale = e.scale as usize;
        let (int, frac) = if digits.len() > scale {
            digits.split_at(digits.len() - scale)
        } else {
            ("", digits.as_str())
        };
        let frac = format!("{}{frac}", "0".repeat(scale - frac.len()));
        let int = int.trim_start_matches('0');
        let int = format!("{}{int}", "0".repeat((4 - int.len() % 4) % 4));
        let frac = format!("{frac}{}", "0".repeat((4 - frac.len() % 4) % 4));
        let group = |chunk: &[u8]| {
            chunk
                .iter()
                .fold(0i16, |acc, b| acc * 10 + (b - b'0') as i16)
        };
        let mut out: Vec<i16> = int
            .as_bytes()
            .chunks(4)
            .chain(frac.as_bytes().chunks(4))
            .map(group)
            .collect();
        let mut weight = (int.len() / 4) as i16 - 1;
        while out.first() == Some(&0) {
            out.remove(0);
            weight -= 1;
        }
        while out.last() == Some(&0) {
            out.pop();
        }
        if out.is_empty() {
            weight = 0;
        }
        (out, weight)
    }
}

/// `a / b` at `scale` decimals, rounded by `mode` (HalfAway or Trunc).
fn quotient(a: &Exact, b: &Exact, scale: i64, mode: Rounding) -> Exact {
    // a / b * 10^scale = ma * 10^(scale - sa + sb) / mb
    let shift = scale - a.scale as i64 + b.scale as i64;
    let (num, den) = if shift >= 0 {
        (shift_up(&a.mag, shift as u64), b.mag.clone())
    } else {
        (a.mag.clone(), shift_up(&b.mag, (-shift) as u64))
    };
    let (mut q, r) = match (mag_to_u128(&num), mag_to_u128(&den)) {
        (Some(n), Some(d)) => (mag_from_u128(n / d), mag_from_u128(n % d)),
        _ => divmod(&num, &den),
    };
    if mode == Rounding::HalfAway && cmp_mag(&mul_small(&r, 2), &den) != Ordering::Less {
        q = add_mag(&q, &[1]);
    }
    Exact::new(a.neg != b.neg, q, scale.max(0) as u32)
}

/// [`Numeric::div`] of two nonzero small values in u128 arithmetic, when the quotient at
/// PostgreSQL's scale fits a Decimal (no allocation: the usual case).
fn div_small(a: &Decimal, b: &Decimal) -> Option<Decimal> {
    let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    if ma == 0 || mb == 0 {
        return None;
    }
    // Base-10000 weight and first digit, as `Exact::weight_and_first_digit`.
    let weight = |m: u128, scale: u32| {
        let digits = m.ilog10() as i64 + 1;
        let exponent = digits - 1 - scale as i64;
        let weight = exponent.div_euclid(4);
        let width = exponent - 4 * weight + 1;
        let first = if digits >= width {
            m / 10u128.pow((digits - width) as u32)
        } else {
            m * 10u128.pow((width - digits) as u32)
        };
        (weight, first)
    };
    let ((weight1, first1), (weight2, first2)) = (weight(ma, a.scale()), weight(mb, b.scale()));
    let mut qweight = weight1 - weight2;
    if first1 <= first2 {
        qweight -= 1;
    }
    let scale = (MIN_SIG_DIGITS - qweight * 4)
        .max(a.scale() as i64)
        .max(b.scale() as i64)
        .clamp(0, MAX_DISPLAY_SCALE);
    if scale > SMALL_MAX_SCALE as i64 {
        return None;
    }
    let shift = scale - a.scale() as i64 + b.scale() as i64;
    let (num, den) = if shift >= 0 {
        (ma.checked_mul(10u128.checked_pow(shift as u32)?)?, mb)
    } else {
        (ma, mb.checked_mul(10u128.checked_pow((-shift) as u32)?)?)
    };
    let (mut q, r) = (num / den, num % den);
    if r >= den - r {
        q += 1;
    }
    if q > SMALL_MAX_MANTISSA {
        return None;
    }
    let signed = if a.is_sign_negative() != b.is_sign_negative() {
        -(q as i128)
    } else {
        q as i128
    };
    Decimal::try_from_i128_with_scale(signed, scale as u32).ok()
}

/// PostgreSQL's `select_div_scale`.
fn div_scale(a: &Exact, b: &Exact) -> i64 {
    let (weight1, first1) = a.weight_and_first_digit();
    let (weight2, first2) = b.weight_and_first_digit();
    let mut qweight = weight1 - weight2;
    if first1 <= first2 {
        qweight -= 1;
    }
    (MIN_SIG_DIGITS - qweight * 4)
        .max(a.scale as i64)
        .max(b.scale as i64)
        .clamp(0, MAX_DISPLAY_SCALE)
}

impl From<i64> for Numeric {
    fn from(value: i64) -> Numeric {
        Numeric::Small(Decimal::from(value))
    }
}

impl Clone for Numeric {
    /// Inline: a small value is 16 bytes copied (constants are cloned per row).
    #[inline(always)]
    fn clone(&self) -> Numeric {
        match self {
            Numeric::Small(d) => Numeric::Small(*d),
            Numeric::Big(e) => Numeric::Big(e.clone()),
            Numeric::NaN => Numeric::NaN,
            Numeric::Inf(negative) => Numeric::Inf(*negative),
        }
    }
}

impl std::ops::Neg for Numeric {
    type Output = Numeric;
    fn neg(self) -> Numeric {
        Numeric::neg(&self)
    }
}

impl fmt::Display for Numeric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Numeric::Small(d) if d.is_zero() => {
                // Decimal keeps the sign of a negative zero; numeric has none.
                write!(f, "{}", Decimal::new(0, d.scale()))
            }
            Numeric::Small(d) => write!(f, "{d}"),
            Numeric::Big(e) => f.write_str(&e.text()),
            Numeric::NaN => f.write_str("NaN"),
            Numeric::Inf(false) => f.write_str("Infinity"),
            Numeric::Inf(true) => f.write_str("-Infinity"),
        }
    }
}

impl Ord for Numeric {
    /// PostgreSQL's order: -Infinity < numbers < Infinity < NaN, and NaN equals NaN.
    #[inline]
    fn cmp(&self, other: &Numeric) -> Ordering {
        let rank = |n: &Numeric| match n {
            Numeric::Inf(true) => 0,
            Numeric::Small(_) | Numeric::Big(_) => 1,
            Numeric::Inf(false) => 2,
            Numeric::NaN => 3,
        };
        match (self, other) {
            (Numeric::Small(a), Numeric::Small(b)) => a.cmp(b),
            (a, b) if rank(a) != rank(b) || rank(a) != 1 => rank(a).cmp(&rank(b)),
            (a, b) => a.exact().unwrap().cmp(&b.exact().unwrap()),
        }
    }
}

impl PartialOrd for Numeric {
    fn partial_cmp(&self, other: &Numeric) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Numeric {
    fn eq(&self, other: &Numeric) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Numeric {}

// ---- functions: sqrt, exp, ln, log, power ----

fn invalid_power(message: &str) -> SqlError {
    SqlError::new("2201F", message)
}

fn invalid_log(message: &str) -> SqlError {
    SqlError::new("2201E", message)
}

/// `floor(sqrt(n))` by Newton's iteration from above.
fn isqrt(n: &[u32]) -> Vec<u32> {
    if let Some(small) = mag_to_u128(n) {
        let mut x = (small as f64).sqrt() as u128;
        while x.checked_mul(x).is_none_or(|sq| sq > small) {
            x -= 1;
        }
        while (x + 1).checked_mul(x + 1).is_some_and(|sq| sq <= small) {
            x += 1;
        }
        return mag_from_u128(x);
    }
    // Start above the root: sqrt(lead + 1) * 10^(e / 2) with n < (lead + 1) * 10^e, e even.
    let digits = mag_digits(n);
    let mut lead_len = 17.min(digits.len());
    if (digits.len() - lead_len) % 2 == 1 {
        lead_len -= 1;
    }
    let lead: f64 = digits[..lead_len].parse().unwrap_or(0.0);
    let start = ((lead + 1.0).sqrt().ceil() as u128) + 1;
    let mut x = shift_up(
        &mag_from_u128(start),
        ((digits.len() - lead_len) / 2) as u64,
    );
    loop {
        let (q, _) = divmod(n, &x);
        let (y, _) = divmod_small(&add_mag(&x, &q), 2);
        if cmp_mag(&y, &x) != Ordering::Less {
            return x;
        }
        x = y;
    }
}

impl Exact {
    fn from_i64(value: i64) -> Exact {
        Exact::new(value < 0, mag_from_u128(value.unsigned_abs() as u128), 0)
    }

    /// 1 with `scale` decimals.
    fn one(scale: u32) -> Exact {
        Exact::new(false, pow10(scale as u64), scale)
    }

    fn abs(&self) -> Exact {
        Exact::new(false, self.mag.clone(), self.scale)
    }

    fn to_f64(&self) -> f64 {
        self.text().parse().unwrap_or(f64::NAN)
    }

    fn is_integer(&self) -> bool {
        self.rescale(0, Rounding::Trunc).cmp(self) == Ordering::Equal
    }

    /// The base-10000 weight of the leading digit (0 for zero), as a `NumericVar`'s.
    fn weight(&self) -> i64 {
        self.weight_and_first_digit().0
    }

    /// `sqrt(self)` at `scale` decimals, truncated (self >= 0).
    fn sqrt_trunc(&self, scale: u32) -> Exact {
        let shift = 2 * scale as i64 - self.scale as i64;
        let n = if shift >= 0 {
            shift_up(&self.mag, shift as u64)
        } else {
            divmod(&self.mag, &pow10((-shift) as u64)).0
        };
        Exact::new(false, isqrt(&n), scale)
    }
}

fn gcd_mag(mut x: Vec<u32>, mut y: Vec<u32>) -> Vec<u32> {
    while !y.is_empty() {
        let (_, r) = divmod(&x, &y);
        x = std::mem::replace(&mut y, r);
    }
    x
}

/// PostgreSQL's `estimate_ln_dweight`: the decimal weight of `ln(x)` (x > 0), roughly.
fn estimate_ln_dweight(x: &Exact) -> i64 {
    if x.neg {
        return 0;
    }
    let near_one = x.cmp(&Exact::new(false, vec![9], 1)) != Ordering::Less
        && x.cmp(&Exact::new(false, vec![11], 1)) != Ordering::Greater;
    if near_one {
        // ln(1 + d) ~= d
        let d = x.add(&Exact::from_i64(-1));
        return d.exponent().unwrap_or(0);
    }
    let (digits, weight) = Numeric::Big(Arc::new(x.clone())).base10000();
    let Some(&first) = digits.first() else {
        return 0;
    };
    let mut lead = first as f64;
    let mut dweight = weight as i64 * 4;
    if let Some(&second) = digits.get(1) {
        lead = lead * 10_000.0 + second as f64;
        dweight -= 4;
    }
    let ln = lead.ln() + dweight as f64 * std::f64::consts::LN_10;
    ln.abs().log10() as i64
}

/// `ln(y)` for `1 <= y < 10`, accurate at `scale` decimals (a few guard digits inside): square
/// roots bring y below 1.01, then `ln y = 2^(k+1) * atanh((y - 1) / (y + 1))` by its series.
fn ln_reduced(y: &Exact, scale: u32) -> Exact {
    let work = scale + 4;
    let mut y = y.rescale(work as i64, Rounding::HalfAway);
    let limit = Exact::new(false, vec![101], 2);
    let mut k = 0u32;
    while y.cmp(&limit) == Ordering::Greater {
        y = y.sqrt_trunc(work);
        k += 1;
    }
    let one = Exact::one(0);
    let z = quotient(
        &y.add(&one.negated()),
        &y.add(&one),
        work as i64,
        Rounding::HalfAway,
    );
    let z2 = z.mul(&z).rescale(work as i64, Rounding::HalfAway);
    let mut sum = z.clone();
    let mut power = z;
    let mut n = 1i64;
    loop {
        power = power.mul(&z2).rescale(work as i64, Rounding::HalfAway);
        n += 2;
        let term = quotient(&power, &Exact::from_i64(n), work as i64, Rounding::HalfAway);
        if term.is_zero() {
            break;
        }
        sum = sum.add(&term);
    }
    sum.mul(&Exact::new(false, mag_from_u128(1u128 << (k + 1)), 0))
}

/// `ln(x)` (x > 0) with absolute error well below `10^-scale`.
fn ln_fixed(x: &Exact, scale: u32) -> Exact {
    let exponent = x.exponent().expect("ln of a positive value");
    // x = y * 10^exponent with 1 <= y < 10
    let y = Exact::new(false, x.mag.clone(), (digit_count(&x.mag) - 1) as u32);
    let guard = 4 + exponent.unsigned_abs().checked_ilog10().unwrap_or(0) + 1;
    let work = scale + guard;
    let mut ln = ln_reduced(&y, work);
    if exponent != 0 {
        let ln10 = ln_reduced(&Exact::from_i64(10), work);
        ln = ln.add(&ln10.mul(&Exact::from_i64(exponent)));
    }
    ln
}

/// `ln(x)` rounded to `scale` decimals (PostgreSQL's `ln_var`).
fn ln_rounded(x: &Exact, scale: i64) -> Exact {
    let scale = scale.max(0) as u32;
    ln_fixed(x, scale + 2).rescale(scale as i64, Rounding::HalfAway)
}

/// `exp(x)` rounded to `rscale` decimals (PostgreSQL's `exp_var`), |x| < 6000: halvings bring
/// |x| below 0.01, the Taylor series sums there, squarings undo the halvings.
fn exp_rounded(x: &Exact, rscale: i64) -> SqlResult<Exact> {
    let value = x.to_f64();
    if value.abs() >= MAX_RESULT_SCALE as f64 * 3.0 {
        if value > 0.0 {
            return Err(overflow());
        }
        return Ok(Exact::new(false, Vec::new(), rscale.max(0) as u32));
    }
    let a = x.abs();
    let af = value.abs();
    let k = if af > 0.01 {
        (af / 0.01).log2().ceil() as u32
    } else {
        0
    };
    let magnitude = if x.neg {
        0
    } else {
        (af * std::f64::consts::LOG10_E).ceil() as i64
    };
    let work = (rscale.max(0) + 6 + magnitude + (k as i64 * 31 + 99) / 100) as u32;
    let r = quotient(
        &a,
        &Exact::new(false, mag_from_u128(1u128 << k), 0),
        work as i64,
        Rounding::HalfAway,
    );
    let mut sum = Exact::one(work);
    let mut term = Exact::one(work);
    let mut n = 1i64;
    loop {
        term = quotient(
            &term.mul(&r).rescale(work as i64, Rounding::HalfAway),
            &Exact::from_i64(n),
            work as i64,
            Rounding::HalfAway,
        );
        if term.is_zero() {
            break;
        }
        sum = sum.add(&term);
        n += 1;
    }
    for _ in 0..k {
        sum = sum.mul(&sum).rescale(work as i64, Rounding::HalfAway);
    }
    Ok(if x.neg {
        quotient(&Exact::one(0), &sum, rscale, Rounding::HalfAway)
    } else {
        sum.rescale(rscale, Rounding::HalfAway)
    })
}

/// PostgreSQL's `power_var_int`: `base ^ exp` by repeated squaring at the precision the result
/// needs, rounded to `rscale`.
fn power_int(base: &Exact, exp: i32, rscale: i64) -> SqlResult<Exact> {
    match exp {
        0 => return Ok(Exact::one(rscale as u32)),
        1 => return Ok(base.rescale(rscale, Rounding::HalfAway)),
        -1 => return Ok(quotient(&Exact::one(0), base, rscale, Rounding::HalfAway)),
        2 => return Ok(base.mul(base).rescale(rscale, Rounding::HalfAway)),
        _ => {}
    }
    if base.is_zero() {
        return Ok(Exact::new(false, Vec::new(), rscale as u32));
    }
    // base ~= f * 10^p from its first base-10000 digits.
    let (digits, weight) = Numeric::Big(Arc::new(base.clone())).base10000();
    let mut f = digits[0] as f64;
    let mut p = weight as i64 * 4;
    for &digit in digits.iter().skip(1).take(3) {
        f = f * 10_000.0 + digit as f64;
        p -= 4;
    }
    let f = exp as f64 * (f.log10() + p as f64);
    if f > 3.0 * i16::MAX as f64 * 4.0 {
        return Err(overflow());
    }
    if f + 1.0 < -(rscale as f64) || f + 1.0 < -(MAX_DISPLAY_SCALE as f64) {
        return Ok(Exact::new(false, Vec::new(), rscale as u32));
    }
    let sig_digits = 1 + rscale + f as i64 + (exp.unsigned_abs() as f64).ln() as i64 + 8;
    let mut neg = exp < 0;
    let mut mask = exp.unsigned_abs();
    let mut base_prod = base.clone();
    let mut result = if mask & 1 == 1 {
        base.clone()
    } else {
        Exact::one(0)
    };
    loop {
        mask >>= 1;
        if mask == 0 {
            break;
        }
        let scale = (sig_digits - 2 * base_prod.weight() * 4)
            .min(2 * base_prod.scale as i64)
            .max(0);
        base_prod = base_prod.mul(&base_prod).rescale(scale, Rounding::HalfAway);
        if mask & 1 == 1 {
            let scale = (sig_digits - (base_prod.weight() + result.weight()) * 4)
                .min(base_prod.scale as i64 + result.scale as i64)
                .max(0);
            result = base_prod.mul(&result).rescale(scale, Rounding::HalfAway);
        }
        if base_prod.weight() > i16::MAX as i64 || result.weight() > i16::MAX as i64 {
            if !neg {
                return Err(overflow());
            }
            result = Exact::new(false, Vec::new(), 0);
            neg = false;
            break;
        }
    }
    Ok(if neg {
        quotient(&Exact::one(0), &result, rscale, Rounding::HalfAway)
    } else {
        result.rescale(rscale, Rounding::HalfAway)
    })
}

/// PostgreSQL's choice of result scale for functions: at least 16 significant digits for a
/// result of decimal weight `dweight`, no fewer decimals than `inputs`, at most 1000.
fn function_scale(dweight: i64, inputs: &[u32]) -> i64 {
    inputs
        .iter()
        .fold(MIN_SIG_DIGITS - dweight, |scale, &s| scale.max(s as i64))
        .clamp(0, MAX_DISPLAY_SCALE)
}

impl Numeric {
    /// `sqrt(numeric)`.
    pub fn sqrt(&self) -> SqlResult<Numeric> {
        let negative = || invalid_power("cannot take square root of a negative number");
        let x = match self {
            Numeric::NaN | Numeric::Inf(false) => return Ok(self.clone()),
            Numeric::Inf(true) => return Err(negative()),
            finite => finite.exact().unwrap(),
        };
        if x.neg {
            return Err(negative());
        }
        // numeric_sqrt: sweight = (weight + 1) * DEC_DIGITS / 2 - 1
        let sweight = (x.weight() + 1) * 4 / 2 - 1;
        let rscale = function_scale(sweight, &[x.scale]);
        let t = x.sqrt_trunc(rscale as u32 + 1);
        Numeric::from_exact(t.rescale(rscale, Rounding::HalfAway))
    }

    /// The square root of a non-negative number at `rscale` decimals (PostgreSQL's `sqrt_var`,
    /// as stddev takes it).
    pub fn sqrt_at(&self, rscale: u32) -> SqlResult<Numeric> {
        match self {
            Numeric::NaN | Numeric::Inf(_) => Ok(self.clone()),
            finite => {
                let x = finite.exact().unwrap();
                let t = x.sqrt_trunc(rscale + 1);
                Numeric::from_exact(t.rescale(i64::from(rscale), Rounding::HalfAway))
            }
        }
    }

    /// `exp(numeric)`.
    pub fn exp(&self) -> SqlResult<Numeric> {
        let x = match self {
            Numeric::NaN | Numeric::Inf(false) => return Ok(self.clone()),
            Numeric::Inf(true) => return Ok(Numeric::ZERO),
            finite => finite.exact().unwrap(),
        };
        let dweight =
            (x.to_f64() * PG_LOG10_E).clamp(-MAX_RESULT_SCALE as f64, MAX_RESULT_SCALE as f64);
        let rscale = function_scale(dweight as i64, &[x.scale]);
        Numeric::from_exact(exp_rounded(&x, rscale)?)
    }

    fn log_argument(&self) -> SqlResult<Exact> {
        if self.is_negative() {
            return Err(invalid_log("cannot take logarithm of a negative number"));
        }
        if self.is_zero() {
            return Err(invalid_log("cannot take logarithm of zero"));
        }
        Ok(self.exact().expect("finite"))
    }

    /// `ln(numeric)`.
    pub fn ln(&self) -> SqlResult<Numeric> {
        match self {
            Numeric::NaN | Numeric::Inf(false) => return Ok(self.clone()),
            _ => {}
        }
        let x = self.log_argument()?;
        let rscale = function_scale(estimate_ln_dweight(&x), &[x.scale]);
        Numeric::from_exact(ln_rounded(&x, rscale))
    }

    /// `log(base, x)` (`log(x)` is `log(10, x)`).
    pub fn log(base: &Numeric, x: &Numeric) -> SqlResult<Numeric> {
        if base.is_nan() || x.is_nan() {
            return Ok(Numeric::NaN);
        }
        let (b, n) = match (base, x) {
            (Numeric::Inf(_), _) | (_, Numeric::Inf(_)) => {
                base.log_argument().or_else(|e| match base {
                    Numeric::Inf(false) => Ok(Exact::one(0)),
                    _ => Err(e),
                })?;
                x.log_argument().or_else(|e| match x {
                    Numeric::Inf(false) => Ok(Exact::one(0)),
                    _ => Err(e),
                })?;
                return Ok(match (base, x) {
                    (Numeric::Inf(_), Numeric::Inf(_)) => Numeric::NaN,
                    (Numeric::Inf(_), _) => Numeric::ZERO,
                    _ => Numeric::Inf(false),
                });
            }
            _ => (base.log_argument()?, x.log_argument()?),
        };
        let base_dweight = estimate_ln_dweight(&b);
        let num_dweight = estimate_ln_dweight(&n);
        let result_dweight = num_dweight - base_dweight;
        let rscale = function_scale(result_dweight, &[b.scale, n.scale]);
        let ln_base = ln_rounded(&b, rscale + result_dweight - base_dweight + 8);
        let ln_num = ln_rounded(&n, rscale + result_dweight - num_dweight + 8);
        if ln_base.is_zero() {
            return Err(division_by_zero());
        }
        Numeric::from_exact(quotient(&ln_num, &ln_base, rscale, Rounding::HalfAway))
    }

    /// `base ^ exp` (`power(numeric, numeric)`), with PostgreSQL's scale and special cases.
    pub fn pow(&self, exp: &Numeric) -> SqlResult<Numeric> {
        if self.is_nan() {
            return Ok(if exp.is_zero() {
                Numeric::ONE
            } else {
                Numeric::NaN
            });
        }
        if exp.is_nan() {
            return Ok(if *self == Numeric::ONE {
                Numeric::ONE
            } else {
                Numeric::NaN
            });
        }
        if !self.is_finite() || !exp.is_finite() {
            return self.pow_special(exp);
        }
        let (b, e) = (self.exact().unwrap(), exp.exact().unwrap());
        if b.is_zero() && e.neg {
            return Err(invalid_power(
                "zero raised to a negative power is undefined",
            ));
        }
        if e.is_integer() {
            if let Some(n) = exp
                .to_i128(Rounding::Trunc)
                .and_then(|n| i32::try_from(n).ok())
            {
                let rscale = function_scale(0, &[b.scale]).max(MIN_SIG_DIGITS);
                return Numeric::from_exact(power_int(&b, n, rscale)?);
            }
        }
        if b.is_zero() {
            return Numeric::from_exact(Exact::new(false, Vec::new(), MIN_SIG_DIGITS as u32));
        }
        let mut negative_result = false;
        let b = if b.neg {
            if !e.is_integer() {
                return Err(invalid_power(
                    "a negative number raised to a non-integer power yields a complex result",
                ));
            }
            let whole = e.rescale(0, Rounding::Trunc);
            negative_result = whole.mag.first().is_some_and(|limb| limb % 2 == 1);
            b.abs()
        } else {
            b
        };
        // A low-precision exp * ln(base) first, for the result's weight (power_var).
        let ln_dweight = estimate_ln_dweight(&b);
        let local = (8 - ln_dweight).max(0);
        let ln_num = ln_rounded(&b, local)
            .mul(&e)
            .rescale(local, Rounding::HalfAway);
        let value = ln_num.to_f64();
        if value.abs() > MAX_RESULT_SCALE as f64 * 3.01 {
            if value > 0.0 {
                return Err(overflow());
            }
            return Numeric::from_exact(Exact::new(false, Vec::new(), MAX_DISPLAY_SCALE as u32));
        }
        let dweight = (value * PG_LOG10_E) as i64;
        let rscale = function_scale(dweight, &[b.scale, e.scale]);
        let sig_digits = (rscale + dweight).max(0);
        let local = (sig_digits - ln_dweight + 8).max(0);
        let ln_num = ln_rounded(&b, local)
            .mul(&e)
            .rescale(local, Rounding::HalfAway);
        let result = exp_rounded(&ln_num, rscale)?;
        Numeric::from_exact(if negative_result {
            result.negated()
        } else {
            result
        })
    }

    /// `factorial(n)`.
    pub fn factorial(n: i64) -> SqlResult<Numeric> {
        if n < 0 {
            return Err(SqlError::new(
                code::NUMERIC_VALUE_OUT_OF_RANGE,
                "factorial of a negative number is undefined",
            ));
        }
        // PostgreSQL's bound: 32177! is the largest that fits.
        if n > 32_177 {
            return Err(overflow());
        }
        let mag = (2..=n as u32).fold(vec![1u32], |mag, i| mul_small(&mag, i));
        Numeric::from_exact(Exact::new(false, mag, 0))
    }

    /// Greatest common divisor of the two values at the larger scale (`gcd(numeric, numeric)`;
    /// NaN when either is not finite).
    pub fn gcd(&self, other: &Numeric) -> SqlResult<Numeric> {
        let (Some(a), Some(b)) = (self.exact(), other.exact()) else {
            return Ok(Numeric::NaN);
        };
        let scale = a.scale.max(b.scale);
        let g = gcd_mag(a.mag_at(scale), b.mag_at(scale));
        Numeric::from_exact(Exact::new(false, g, scale))
    }

    /// Least common multiple (`lcm(numeric, numeric)`): 0 when either is 0.
    pub fn lcm(&self, other: &Numeric) -> SqlResult<Numeric> {
        let (Some(a), Some(b)) = (self.exact(), other.exact()) else {
            return Ok(Numeric::NaN);
        };
        let scale = a.scale.max(b.scale);
        if a.is_zero() || b.is_zero() {
            return Numeric::from_exact(Exact::new(false, Vec::new(), scale));
        }
        let (x, y) = (a.mag_at(scale), b.mag_at(scale));
        let g = gcd_mag(x.clone(), y.clone());
        let (quotient, _) = divmod(&x, &g);
        Numeric::from_exact(Exact::new(false, mul_mag(&quotient, &y), scale))
    }

    /// The fewest decimals that show the value exactly (`min_scale`); None for NaN and the
    /// infinities.
    pub fn min_scale(&self) -> Option<u32> {
        self.is_finite().then(|| self.normalized().scale())
    }

    /// `power` where an input is infinite (POSIX `pow`'s rules, as PostgreSQL follows them).
    fn pow_special(&self, exp: &Numeric) -> SqlResult<Numeric> {
        if exp.is_zero() {
            return Ok(Numeric::ONE);
        }
        if let Numeric::Inf(exp_negative) = exp {
            let base = self.abs();
            if self.is_finite() && base.is_zero() {
                return if *exp_negative {
                    Err(invalid_power(
                        "zero raised to a negative power is undefined",
                    ))
                } else {
                    Ok(Numeric::ZERO)
                };
            }
            return Ok(match base.cmp(&Numeric::ONE) {
                Ordering::Equal => Numeric::ONE,
                Ordering::Greater if !exp_negative => Numeric::Inf(false),
                Ordering::Less if *exp_negative => Numeric::Inf(false),
                _ => Numeric::ZERO,
            });
        }
        // The base is infinite, the exponent finite and nonzero.
        let e = exp.exact().unwrap();
        if matches!(self, Numeric::Inf(true)) {
            if !e.is_integer() {
                return Err(invalid_power(
                    "a negative number raised to a non-integer power yields a complex result",
                ));
            }
            if e.neg {
                return Ok(Numeric::ZERO);
            }
            let odd = e
                .rescale(0, Rounding::Trunc)
                .mag
                .first()
                .is_some_and(|limb| limb % 2 == 1);
            return Ok(Numeric::Inf(odd));
        }
        Ok(if e.neg {
            Numeric::ZERO
        } else {
            Numeric::Inf(false)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Numeric {
        Numeric::parse(text).unwrap()
    }

    /// A deterministic pseudo-random sequence (xorshift64) for property checks.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    #[test]
    fn text_round_trips_with_scale() {
        for text in [
            "0",
            "0.000",
            "1.50",
            "-12.345",
            "123456789012345678901234567890.123456789",
            "0.0000000000000000000000000000000001",
            "-99999999999999999999999999999999999999999999",
            "NaN",
            "Infinity",
            "-Infinity",
        ] {
            assert_eq!(n(text).to_string(), text);
        }
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("-0.00").to_string(), "0.00");
        assert_eq!(n(" 1e3 ").to_string(), "1000");
        assert_eq!(n("1.5e-3").to_string(), "0.0015");
        assert_eq!(n(".5").to_string(), "0.5");
        assert_eq!(n("5.").to_string(), "5");
        assert_eq!(n("-.5e1").to_string(), "-5");
        assert_eq!(n("inf").to_string(), "Infinity");
        assert_eq!(n("1e100").to_string(), format!("1{}", "0".repeat(100)));
        assert_eq!(Numeric::parse("1.2.3"), Err(ParseError::Syntax));
        assert_eq!(Numeric::parse(""), Err(ParseError::Syntax));
        assert_eq!(Numeric::parse("e5"), Err(ParseError::Syntax));
        assert_eq!(Numeric::parse("1e"), Err(ParseError::Syntax));
        assert_eq!(Numeric::parse("1e131072"), Err(ParseError::Overflow));
        assert_eq!(Numeric::parse("1e-16384"), Err(ParseError::Overflow));
        assert_eq!(n("1e131071").to_string().len(), 131_072);
        assert_eq!(n("1e-16383").to_string().len(), 16_385);
    }

    #[test]
    fn small_values_stay_small() {
        assert!(matches!(n("12.5"), Numeric::Small(_)));
        assert!(matches!(
            n("79228162514264337593543950335"),
            Numeric::Small(_)
        ));
        assert!(matches!(
            n("79228162514264337593543950336"),
            Numeric::Big(_)
        ));
        let big = n("79228162514264337593543950336");
        assert!(matches!(big.sub(&Numeric::ONE).unwrap(), Numeric::Small(_)));
    }

    #[test]
    fn arithmetic_is_exact_past_decimal() {
        let max = n("79228162514264337593543950335");
        assert_eq!(
            max.add(&n("0.5")).unwrap().to_string(),
            "79228162514264337593543950335.5"
        );
        assert_eq!(n("1.50").mul(&n("2.0")).unwrap().to_string(), "3.000");
        assert_eq!(
            n("0.00000000000001")
                .mul(&n("0.00000000000001"))
                .unwrap()
                .to_string(),
            "0.0000000000000000000000000001"
        );
        assert_eq!(
            n("0.000000000000001")
                .mul(&n("0.000000000000001"))
                .unwrap()
                .to_string(),
            "0.000000000000000000000000000001"
        );
        let mut p = Numeric::ONE;
        for _ in 0..200 {
            p = p.mul(&n("2")).unwrap();
        }
        assert_eq!(
            p.to_string(),
            "1606938044258990275541962092341162602522202993782792835301376"
        );
        assert_eq!(p.sub(&p).unwrap().to_string(), "0");
        assert_eq!(n("-5").add(&n("3.25")).unwrap().to_string(), "-1.75");
    }

    #[test]
    fn division_follows_postgres_scale() {
        let div = |a: &str, b: &str| n(a).div(&n(b)).unwrap().to_string();
        assert_eq!(div("1", "3"), "0.33333333333333333333");
        assert_eq!(div("3", "2"), "1.5000000000000000");
        assert_eq!(div("10", "4"), "2.5000000000000000");
        assert_eq!(div("123456789", "1000"), "123456.789000000000");
        assert_eq!(div("2", "3"), "0.66666666666666666667");
        assert_eq!(div("-2", "3"), "-0.66666666666666666667");
        assert_eq!(div("1e40", "7"), "1428571428571428571428571428571428571429");
        assert_eq!(
            div("1e40", "7.0"),
            "1428571428571428571428571428571428571428.6"
        );
        assert_eq!(div("10", "3.3"), "3.0303030303030303");
        assert_eq!(
            div("7.0", "1e40"),
            "0.00000000000000000000000000000000000000070000000000000000"
        );
        assert_eq!(div("1", "Infinity"), "0");
        assert_eq!(div("NaN", "0"), "NaN");
        assert!(n("1").div(&Numeric::ZERO).is_err());
        assert_eq!(n("10").rem(&n("3.3")).unwrap().to_string(), "0.1");
        assert_eq!(n("-7").rem(&n("2")).unwrap().to_string(), "-1");
        assert_eq!(n("5").rem(&n("Infinity")).unwrap().to_string(), "5");
    }

    #[test]
    fn long_division_matches_small_division() {
        // Pseudo-random multi-limb operands checked by multiplying back.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..300 {
            let a: Vec<u32> = (0..(next() % 8 + 1))
                .map(|_| (next() % BASE) as u32)
                .collect();
            let b: Vec<u32> = (0..(next() % 4 + 1))
                .map(|_| (next() % BASE) as u32)
                .collect();
            let (mut a, mut b) = (a, b);
            trim(&mut a);
            trim(&mut b);
            if b.is_empty() {
                continue;
            }
            let (q, r) = divmod(&a, &b);
            assert_eq!(cmp_mag(&r, &b), Ordering::Less);
            assert_eq!(add_mag(&mul_mag(&q, &b), &r), {
                let mut a = a.clone();
                trim(&mut a);
                a
            });
        }
    }

    #[test]
    fn fixed_arithmetic_is_the_exact_one_or_declines() {
        // Operands from a few digits to Decimal's 96 bits and 28 decimals: Fixed gives the exact
        // result at PostgreSQL's scale, and declines exactly when a Decimal cannot hold it.
        let mut next = xorshift(0x6a09_e667_f3bc_c909u64);
        let operand = |next: &mut dyn FnMut() -> u64| {
            let bits = next() % 97;
            let magnitude = (u128::from(next()) << 64 | u128::from(next())) >> (128 - bits.max(1));
            let scale = (next() % 29) as u32;
            let negative = next() & 1 == 0;
            Decimal::from_i128_with_scale(
                if negative {
                    -(magnitude as i128)
                } else {
                    magnitude as i128
                },
                scale,
            )
        };
        let mut declined = 0;
        for _ in 0..20_000 {
            let (a, b) = (operand(&mut next), operand(&mut next));
            let (ea, eb) = (Exact::from_decimal(&a), Exact::from_decimal(&b));
            for (op, fixed, exact) in [
                ("+", Fixed::of(a).checked_add(Fixed::of(b)), ea.add(&eb)),
                (
                    "-",
                    Fixed::of(a).checked_sub(Fixed::of(b)),
                    ea.add(&eb.negated()),
                ),
                ("*", Fixed::of(a).checked_mul(Fixed::of(b)), ea.mul(&eb)),
            ] {
                let exact = Numeric::from_exact(exact).unwrap();
                match (fixed.and_then(Fixed::decimal), &exact) {
                    (Some(fast), Numeric::Small(exact)) => assert_eq!(
                        (fast.mantissa(), fast.scale()),
                        (exact.mantissa(), exact.scale()),
                        "{a} {op} {b}"
                    ),
                    (None, Numeric::Big(_)) => declined += 1,
                    (fast, exact) => panic!("{a} {op} {b}: {fast:?} against {exact:?}"),
                }
            }
            // Comparing on units is Decimal's order where it answers (a stored numeric with a
            // scan's constant), and it answers where the scales meet in an i128.
            match Fixed::of(a).checked_cmp(Fixed::of(b)) {
                Some(order) => assert_eq!(order, a.cmp(&b), "{a} <=> {b}"),
                None => assert!(a.scale().abs_diff(b.scale()) > 9, "{a} <=> {b} declined"),
            }
        }
        assert!(
            declined > 1_000,
            "the cases past a Decimal were tried: {declined}"
        );
    }

    #[test]
    fn small_division_equals_the_exact_one() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        for _ in 0..5_000 {
            let a = Decimal::new(
                (next() % 2_000_000_000) as i64 - 1_000_000_000,
                (next() % 12) as u32,
            );
            let b = Decimal::new((next() % 20_000) as i64 - 10_000, (next() % 6) as u32);
            if b.is_zero() {
                continue;
            }
            let (ea, eb) = (Exact::from_decimal(&a), Exact::from_decimal(&b));
            let exact = quotient(&ea, &eb, div_scale(&ea, &eb), Rounding::HalfAway);
            let fast = Numeric::Small(a).div(&Numeric::Small(b)).unwrap();
            assert_eq!(fast.to_string(), exact.text(), "{a} / {b}");
        }
    }

    #[test]
    fn order_puts_nan_last() {
        let mut values = [
            n("NaN"),
            n("Infinity"),
            n("1e40"),
            n("-Infinity"),
            n("-1.5"),
        ];
        values.sort();
        let texts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let big = format!("1{}", "0".repeat(40));
        assert_eq!(
            texts,
            ["-Infinity", "-1.5", big.as_str(), "Infinity", "NaN"]
        );
        assert_eq!(n("1.0"), n("1.00"));
        assert_eq!(n("NaN"), n("NaN"));
        assert_eq!(n("1.10").key_text(), n("1.1").key_text());
    }

    #[test]
    fn rounding_modes() {
        let r = |t: &str, d: i64, m: Rounding| n(t).round(d, m).unwrap().to_string();
        assert_eq!(r("2.5", 0, Rounding::HalfAway), "3");
        assert_eq!(r("-2.5", 0, Rounding::HalfAway), "-3");
        assert_eq!(r("1234.5678", -2, Rounding::HalfAway), "1200");
        assert_eq!(r("1.5", 3, Rounding::HalfAway), "1.500");
        assert_eq!(r("-1.25", 1, Rounding::Trunc), "-1.2");
        assert_eq!(r("-1.25", 0, Rounding::Floor), "-2");
        assert_eq!(r("1.25", 0, Rounding::Ceil), "2");
        assert_eq!(r("0.4", 0, Rounding::HalfAway), "0");
        assert_eq!(r("-0.4", 0, Rounding::HalfAway), "0");
    }

    #[test]
    fn integer_square_roots_are_floors() {
        for text in [
            "0",
            "1",
            "2",
            "99",
            "100",
            "12345678901234567890123456789012345678901234567890",
        ] {
            let n = mag_from_digits(text.as_bytes());
            let r = isqrt(&n);
            let next = add_mag(&r, &[1]);
            assert_ne!(cmp_mag(&mul_mag(&r, &r), &n), Ordering::Greater, "{text}");
            assert_eq!(
                cmp_mag(&mul_mag(&next, &next), &n),
                Ordering::Greater,
                "{text}"
            );
        }
    }

    #[test]
    fn functions_use_postgres_scales() {
        assert_eq!(n("2").sqrt().unwrap().to_string(), "1.414213562373095");
        assert_eq!(n("2").ln().unwrap().to_string(), "0.6931471805599453");
        assert_eq!(n("1").exp().unwrap().to_string(), "2.7182818284590452");
        assert_eq!(
            n("2").pow(&n("0.5")).unwrap().to_string(),
            "1.4142135623730950"
        );
        assert_eq!(
            n("2.5").pow(&n("2")).unwrap().to_string(),
            "6.2500000000000000"
        );
        assert_eq!(
            n("7").pow(&n("-1")).unwrap().to_string(),
            "0.1428571428571429"
        );
        assert_eq!(
            Numeric::log(&n("2"), &n("8")).unwrap().to_string(),
            "3.0000000000000000"
        );
        assert_eq!(
            Numeric::factorial(25).unwrap().to_string(),
            "15511210043330985984000000"
        );
        assert_eq!(n("12").gcd(&n("18.0")).unwrap().to_string(), "6.0");
        assert!(n("-1").sqrt().is_err());
        assert!(n("0").ln().is_err());
        assert!(n("0").pow(&n("-1")).is_err());
    }

    #[test]
    fn conversions() {
        assert_eq!(Numeric::from_f64(0.1, 15).to_string(), "0.1");
        assert_eq!(
            Numeric::from_f64(1.0 / 3.0, 15).to_string(),
            "0.333333333333333"
        );
        assert_eq!(
            Numeric::from_f64(1e30, 15).to_string(),
            format!("1{}", "0".repeat(30))
        );
        assert_eq!(
            Numeric::from_f64(123456789012345678.0, 15).to_string(),
            "123456789012346000"
        );
        assert_eq!(
            Numeric::from_f64(1e-20, 15).to_string(),
            "0.00000000000000000001"
        );
        assert_eq!(n("2.5").to_i64_rounded(), Some(3));
        assert_eq!(n("-2.5").to_i64_rounded(), Some(-3));
        assert_eq!(n("1e30").to_i64_rounded(), None);
        assert_eq!(n("0.1").to_f64(), 0.1);
        let (digits, weight) = n("12345.678").base10000();
        assert_eq!((digits, weight), (vec![1, 2345, 6780], 1));
        let (digits, weight) = n("0.00012").base10000();
        assert_eq!((digits, weight), (vec![1, 2000], -1));
    }
}
