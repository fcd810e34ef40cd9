//! Money arithmetic: exact decimals, rounding to the cent as AWS bills do.
//!
//! Why `rust_decimal` rather than `f64`: AWS rounds each line item to the
//! cent, half up, and real line items land exactly on a half cent (730
//! ALB-hours x $0.0225 = $16.425 -> $16.43; 10 ALB-hours = $0.225 -> $0.23;
//! the legacy 100 ms example gives $8.335 -> $8.34). In binary floating
//! point 10 x 0.0225 is 0.22499999999999998, which rounds to the wrong cent. Rates have ten decimal
//! places and quantities reach 10^12, well inside a decimal's 28 digits, so
//! every product is exact. Curves and charts convert to `f64` only at the
//! end, for drawing.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Rounds an amount to the cent, half away from zero (half up for the
/// non-negative amounts of a bill), always with two decimals ("0.00").
pub fn round_cents(amount: Decimal) -> Decimal {
    let mut cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    cents.rescale(2);
    cents
}

/// Converts a finite `f64` to a decimal through its shortest round-trip
/// text, so that `0.12` becomes exactly `0.12` (not 0.11999999999999999556).
/// Returns `None` for NaN, infinities and magnitudes a decimal cannot hold.
pub fn decimal_from_f64(value: f64) -> Option<Decimal> {
    if !value.is_finite() {
        return None;
    }
    Decimal::from_str(&value.to_string())
        .ok()
        .or_else(|| Decimal::from_f64(value))
}

/// A decimal as `f64`, for curves and charts.
pub fn to_f64(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

/// Formats a quantity compactly for descriptions: 6 B, 333 M, 400 K, 12.5.
pub fn compact(value: Decimal) -> String {
    let units = [
        (Decimal::from(1_000_000_000_000u64), "T"),
        (Decimal::from(1_000_000_000u64), "B"),
        (Decimal::from(1_000_000u64), "M"),
        (Decimal::from(1_000u64), "K"),
    ];
    for (scale, suffix) in units {
        if value >= scale {
            return format!("{} {suffix}", (value / scale).round_dp(2).normalize());
        }
    }
    value.round_dp(4).normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_cents_round_up() {
        // 730 h x $0.0225 = $16.425 exactly; AWS bills $16.43.
        let hours = Decimal::from(730);
        let rate = Decimal::from_str("0.0225").unwrap();
        assert_eq!(round_cents(hours * rate).to_string(), "16.43");
        // 10 h x $0.0225 = $0.225 -> $0.23, where f64 falls below the half
        // cent (0.22499999999999998) and would round down to $0.22.
        let ten = Decimal::from(10);
        assert_eq!(round_cents(ten * rate).to_string(), "0.23");
        assert!(std::hint::black_box(10.0_f64) * 0.0225 < 0.225);
    }

    #[test]
    fn f64_converts_through_shortest_text() {
        assert_eq!(decimal_from_f64(0.12).unwrap().to_string(), "0.12");
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(compact(Decimal::from(6_000_000_000u64)), "6 B");
        assert_eq!(compact(Decimal::from(333_000_000u64)), "333 M");
    }
}
