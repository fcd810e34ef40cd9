//! Savings Plans over a priced bill: which charges a plan may cover, and
//! the order AWS applies plans in.

use super::*;

/// Which Savings Plan discount a charge can take, if any: Lambda duration
/// and provisioned concurrency, Fargate vCPU and memory (not Spot), EC2
/// instance hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlanService {
    Lambda,
    Fargate,
    Ec2,
}

fn plan_service(c: &Charge) -> Option<PlanService> {
    let d = c.description.as_str();
    match c.service {
        LAMBDA if d.starts_with("Duration") || d.starts_with("Provisioned") => {
            Some(PlanService::Lambda)
        }
        FARGATE if d.starts_with("Fargate vCPU") || d.starts_with("Fargate memory") => {
            Some(PlanService::Fargate)
        }
        EC2 => Some(PlanService::Ec2),
        _ => None,
    }
}

/// Applies the account's Savings Plans to the priced charges, as AWS does:
/// EC2 Instance plans first, then Compute plans; each to the eligible
/// usage with the highest discount first, buying it at the discounted
/// rate until the month's commitment is spent. Each plan adds its
/// commitment as a line; the usage it covers gets a negative line that
/// takes its on-demand cost back off.
pub(super) fn apply_savings_plans(
    book: &PriceBook,
    assumptions: &Assumptions,
    month_hours: Decimal,
    mut charges: Vec<(Option<usize>, Charge)>,
) -> Result<Vec<(Option<usize>, Charge)>, UsageError> {
    let mut plans: Vec<&SavingsPlan> = assumptions.savings_plans.iter().collect();
    plans.sort_by_key(|p| match p.kind {
        SavingsPlanKind::Ec2Instance => 0,
        SavingsPlanKind::Compute => 1,
    });
    // What of each charge is still billed on demand.
    let mut left: Vec<Decimal> = charges.iter().map(|(_, c)| c.amount()).collect();
    let mut credits = Vec::new();
    for (n, plan) in plans.into_iter().enumerate() {
        let invalid = |field: &str, value: String, expected: &str| UsageError::InvalidAssumption {
            field: format!("savings_plans[{n}].{field}"),
            value,
            expected: expected.into(),
        };
        let commitment = match decimal_from_f64(plan.commitment_usd_per_hour) {
            Some(c) if plan.commitment_usd_per_hour > 0.0 && plan.commitment_usd_per_hour < 1e9 => {
                c
            }
            _ => {
                return Err(invalid(
                    "commitment_usd_per_hour",
                    plan.commitment_usd_per_hour.to_string(),
                    "give the dollars an hour committed, above 0",
                ));
            }
        };
        let sp = &book.savings_plans;
        let (discounts, name) = match (plan.kind, plan.term_years) {
            (SavingsPlanKind::Compute, 1) => (&sp.compute_1y, "Compute Savings Plan, 1 year"),
            (SavingsPlanKind::Compute, 3) => (&sp.compute_3y, "Compute Savings Plan, 3 years"),
            (SavingsPlanKind::Ec2Instance, 1) => {
                (&sp.ec2_instance_1y, "EC2 Instance Savings Plan, 1 year")
            }
            (SavingsPlanKind::Ec2Instance, 3) => {
                (&sp.ec2_instance_3y, "EC2 Instance Savings Plan, 3 years")
            }
            (_, years) => {
                return Err(invalid(
                    "term_years",
                    years.to_string(),
                    "a Savings Plan's term is 1 or 3 years",
                ));
            }
        };
        let discount = |service: PlanService| {
            let q = match (plan.kind, service) {
                (_, PlanService::Ec2) => &discounts.ec2_percent,
                (SavingsPlanKind::Compute, PlanService::Lambda) => &discounts.lambda_percent,
                (SavingsPlanKind::Compute, PlanService::Fargate) => &discounts.fargate_percent,
                (SavingsPlanKind::Ec2Instance, _) => return Decimal::ZERO,
            };
            (q.value.value() / Decimal::ONE_HUNDRED).min(Decimal::ONE)
        };
        let mut eligible: Vec<(usize, Decimal)> = charges
            .iter()
            .enumerate()
            .filter_map(|(i, (_, c))| {
                let d = discount(plan_service(c)?);
                (d > Decimal::ZERO && d < Decimal::ONE && left[i] > Decimal::ZERO).then_some((i, d))
            })
            .collect();
        // Highest discount first; ties in bill order.
        eligible.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut budget = commitment * month_hours;
        charges.push((
            None,
            Charge {
                service: SAVINGS_PLANS,
                description: format!("{name}: ${}/h commitment", commitment.normalize()),
                quantity: month_hours,
                unit: "hour".into(),
                rate_usd: commitment,
                per: Decimal::ONE,
            },
        ));
        left.push(Decimal::ZERO);
        for (i, d) in eligible {
            if budget <= Decimal::ZERO {
                break;
            }
            let at_plan_rate = left[i] * (Decimal::ONE - d);
            let spent = budget.min(at_plan_rate);
            let covered = spent / (Decimal::ONE - d);
            budget -= spent;
            left[i] -= covered;
            let (owner, c) = &charges[i];
            let share = covered / c.amount();
            credits.push((
                *owner,
                Charge {
                    service: c.service,
                    description: format!(
                        "Covered by the {name} ({}% off): {}",
                        (d * Decimal::ONE_HUNDRED).normalize(),
                        c.description
                    ),
                    quantity: c.quantity * share,
                    unit: c.unit.clone(),
                    rate_usd: -c.rate_usd,
                    per: c.per,
                },
            ));
        }
    }
    charges.extend(credits);
    Ok(charges)
}
