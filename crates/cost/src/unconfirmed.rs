//! Which of a book's unconfirmed values a bill depends on.
//!
//! A book marks a value it could not confirm for its region with
//! `"confirmed": false` (and says in `note` where the value came from). A
//! bill should say which of those it used. Rather than have every pricing
//! rule report what it read, each unconfirmed value is changed in turn and
//! the usage priced again: the bill depends on the value when its exact
//! (unrounded) cost moves. Pricing is pure and cheap, and this stays right
//! whatever rules and services the engine gains.

use crate::billing::exact_monthly_cost;
use crate::pricebook::PriceBook;
use crate::usage::{Assumptions, UsageError, UsageProfile};
use rust_decimal::Decimal;

/// Paths (as [`PriceBook::unconfirmed`] names them) of the unconfirmed
/// values that the bill of `profile` depends on, in the book's order.
pub fn unconfirmed_rates_used(
    book: &PriceBook,
    profile: &UsageProfile,
    assumptions: &Assumptions,
) -> Result<Vec<String>, UsageError> {
    let keys = book.unconfirmed_keys();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // A 100% discount would hide every rate.
    let assumptions = Assumptions {
        discount_percent: 0.0,
        ..assumptions.clone()
    };
    let baseline = exact_monthly_cost(book, profile, &assumptions)?;
    let Ok(value) = serde_json::to_value(book) else {
        return Ok(Vec::new());
    };
    let mut used = Vec::new();
    for path in keys {
        let mut changed = value.clone();
        let Some(target) = path
            .iter()
            .try_fold(&mut changed, |v, key| v.get_mut(key.as_str()))
        else {
            continue;
        };
        perturb(target);
        let moved = match serde_json::from_value::<PriceBook>(changed) {
            Ok(other) => match exact_monthly_cost(&other, profile, &assumptions) {
                Ok(cost) => cost != baseline,
                // The changed value breaks pricing: the bill reads it.
                Err(_) => true,
            },
            Err(_) => true,
        };
        if moved {
            used.push(path.join("."));
        }
    }
    Ok(used)
}

/// Moves every number of a rate, tiered rate, instance type or quantity.
fn perturb(value: &mut serde_json::Value) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    for key in [
        "usd",
        "usd_per_hour",
        "postgres_usd_per_hour",
        "mysql_usd_per_hour",
        "value",
    ] {
        if let Some(slot) = map.get_mut(key) {
            bump(slot);
        }
    }
    if let Some(serde_json::Value::Array(tiers)) = map.get_mut("tiers") {
        for tier in tiers {
            if let Some(slot) = tier.get_mut("usd") {
                bump(slot);
            }
        }
    }
}

/// x -> 2x + 1, for the value as the book serialises it (decimals are
/// written as strings; plain numbers are kept as numbers).
fn bump(slot: &mut serde_json::Value) {
    let bumped = |d: Decimal| d * Decimal::TWO + Decimal::ONE;
    match slot {
        serde_json::Value::String(text) => {
            if let Ok(d) = text.parse::<Decimal>() {
                *text = bumped(d).to_string();
            }
        }
        serde_json::Value::Number(n) => {
            if let Some(d) = n.as_f64().and_then(|f| Decimal::try_from(f).ok()) {
                *slot = serde_json::Value::String(bumped(d).to_string());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{ComponentUsage, LambdaUsage, S3Usage};

    fn lambda_profile() -> UsageProfile {
        UsageProfile {
            components: vec![ComponentUsage::new(
                "fn",
                LambdaUsage::new(3e6, 120.0, 1536),
            )],
        }
    }

    #[test]
    fn a_confirmed_book_names_none() {
        let book = PriceBook::default_book().unwrap();
        let used =
            unconfirmed_rates_used(&book, &lambda_profile(), &Assumptions::default()).unwrap();
        assert!(used.is_empty(), "{used:?}");
    }

    #[test]
    fn only_the_unconfirmed_rates_the_bill_reads_are_named() {
        let book = PriceBook::embedded("eu-central-1").unwrap();
        assert!(!book.lambda.requests.confirmed);
        assert!(book.lambda.duration_x86.confirmed);
        let used =
            unconfirmed_rates_used(&book, &lambda_profile(), &Assumptions::default()).unwrap();
        // A Lambda function reads the requests rate (unconfirmed) and the x86
        // duration (confirmed); nothing of S3, Fargate or Arm.
        assert_eq!(used, vec!["lambda.requests".to_string()]);

        // A free tier that covers the requests hides the rate: it no longer
        // moves the bill.
        let free = Assumptions {
            free_tier: true,
            ..Assumptions::default()
        };
        let small = UsageProfile {
            components: vec![ComponentUsage::new("fn", LambdaUsage::new(1e5, 10.0, 128))],
        };
        assert!(
            unconfirmed_rates_used(&book, &small, &free)
                .unwrap()
                .is_empty()
        );

        let s3 = UsageProfile {
            components: vec![ComponentUsage::new(
                "bucket",
                S3Usage {
                    storage_gb_month: 100.0,
                    put_requests: 1e5,
                    get_requests: 0.0,
                },
            )],
        };
        let used = unconfirmed_rates_used(&book, &s3, &Assumptions::default()).unwrap();
        assert_eq!(
            used,
            vec![
                "s3.storage_standard".to_string(),
                "s3.put_requests".to_string()
            ]
        );
    }

    #[test]
    fn a_full_discount_does_not_hide_them() {
        let book = PriceBook::embedded("ap-south-1").unwrap();
        let all_off = Assumptions {
            discount_percent: 100.0,
            ..Assumptions::default()
        };
        let used = unconfirmed_rates_used(&book, &lambda_profile(), &all_off).unwrap();
        assert_eq!(used, vec!["lambda.requests".to_string()]);
    }
}
