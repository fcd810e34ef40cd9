//! Prints AWS's mobile-backend Lambda example as a JSON cost report.
use archsim_cost::{
    Assumptions, ComponentUsage, LambdaUsage, PriceBook, UsageProfile, monthly_cost,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let book = PriceBook::default_book()?;
    let profile = UsageProfile {
        components: vec![ComponentUsage::new(
            "api-fn",
            LambdaUsage::new(3e6, 120.0, 1536),
        )],
    };
    let assumptions = Assumptions {
        free_tier: true,
        ..Assumptions::default()
    };
    let report = monthly_cost(&book, &profile, &assumptions)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
