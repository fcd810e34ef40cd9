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
    for key in ["usd", "usd_per_hour", "value"] {
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

fn bump(slot: &mut serde_json::Value) {
    if let Some(n) = slot.as_f64() {
        *slot = serde_json::json!(n * 2.0 + 1.0);
    }
}
