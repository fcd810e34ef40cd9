//! archsim-cost: what a month of AWS usage costs, how that cost moves with
//! traffic, and where Lambda, Fargate and ECS on EC2 break even.
//!
//! - [`pricebook`]: every rate as data (`pricing/aws-<region>.json`, each
//!   rate with unit, date read and source), validated on load, with
//!   user overrides. Books for eight regions are embedded; a value not
//!   confirmed for its region is marked `"confirmed": false`, and
//!   [`unconfirmed`] finds which of those a bill depends on.
//! - [`usage`]: the input, a [`UsageProfile`]: per component id, usage in
//!   AWS quantities (requests, GB-s, task-seconds, instance-hours, LCU
//!   dimensions, ...), plus the [`Assumptions`] of a bill (month length,
//!   free tier, 1 ms or legacy 100 ms Lambda billing, discount).
//! - [`billing`]: [`monthly_cost`] turns both into a [`CostReport`]: line
//!   items rounded to the cent as AWS rounds them, and their total.
//! - [`curves`]: cost against traffic (stacked by component), break-even
//!   of one workload on three platforms with the crossings computed by
//!   bisection, and Lambda cost against memory size.
//! - [`charts`]: those curves drawn to SVG or PNG with an embedded font.
//! - [`estimate`]: the adapter from a design and a scenario to a usage
//!   profile, by following the scenario's mean traffic through the design.
//! - [`measured`]: the adapter from a simulation run's measured usage,
//!   scaled to a month.
//! - [`design_cost`]: a design's bill as the CLI and the designer compute
//!   it: the usage source (estimate or simulation), the cost curve's axis
//!   and the break-even comparison of a Lambda function.
//!
//! Architecture invariant: the engine (`pricebook`, `billing`, `curves`,
//! `charts`) prices usage keyed by component ids and knows nothing of the
//! design; only the `estimate` and `measured` adapters read the design
//! model and a simulation run's usage. The crate knows nothing of the
//! simulation internals, templates or user interfaces.
//!
//! ```
//! use archsim_cost::{Assumptions, ComponentUsage, LambdaUsage, PriceBook, UsageProfile, monthly_cost};
//!
//! // AWS's mobile backend example: 3M requests of 120 ms at 1,536 MB.
//! let book = PriceBook::default_book()?;
//! let profile = UsageProfile {
//!     components: vec![ComponentUsage::new("api-fn", LambdaUsage::new(3e6, 120.0, 1536))],
//! };
//! let assumptions = Assumptions { free_tier: true, ..Assumptions::default() };
//! let report = monthly_cost(&book, &profile, &assumptions)?;
//! assert_eq!(report.total_usd.to_string(), "2.73");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod billing;
pub mod charts;
pub mod coverage;
pub mod curves;
pub mod design_cost;
pub mod estimate;
mod eventbridge;
pub mod measured;
pub mod money;
pub mod pricebook;
mod rated;
mod step_functions;
pub mod unconfirmed;
pub mod usage;

pub use billing::{
    CostReport, LineItem, NotPriced, SAVINGS_PLANS_ID, exact_monthly_cost, monthly_cost,
};
pub use charts::{
    Chart, ChartError, ImageFormat, break_even_title, render_breakeven, render_cost_curve,
    render_memory,
};
pub use curves::{
    BreakEven, BreakEvenInput, ComponentSeries, CostCurve, Crossing, CurveError, CurveOptions,
    Ec2Sizing, FargateSizing, MemoryCurve, MemoryPoint, Platform, PlatformSeries, PowerTuningInput,
    Workload, break_even, cost_curve, memory_curve, scale_profile,
};
pub use pricebook::{PriceBook, PriceBookError, instance_prices};
pub use rated::{NETWORK_ID, NETWORK_NAME, PROFILE_ID, PROFILE_NAME};
pub use rust_decimal::Decimal;
pub use unconfirmed::unconfirmed_rates_used;
pub use usage::{
    ApiGatewayUsage, ApiKind, Architecture, Assumptions, AuroraUsage, CloudFrontUsage,
    CognitoUsage, ComponentUsage, DynamoDbUsage, Ec2Usage, EcrUsage, EksSupport, EksUsage,
    EventBridgeUsage, FargateUsage, FirehoseUsage, KinesisMode, KinesisUsage, LambdaBilling,
    LambdaUsage, LexUsage, LoadBalancerKind, LoadBalancerUsage, LogsUsage, NetworkUsage,
    ProvisionedCapacity, ProvisionedConcurrencyUsage, QueueType, RdsEngine, RdsUsage, S3Usage,
    SavingsPlan, SavingsPlanKind, Scaling, SecretsManagerUsage, ServiceUsage, SnsUsage, SqsUsage,
    StepFunctionsUsage, UsageError, UsageProfile, VpcEndpointUsage, XRayUsage,
};
