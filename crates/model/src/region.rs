//! The AWS regions archsim prices.
//!
//! One list, read by validation (`REGION_UNKNOWN`) and by the cost crate,
//! which embeds one price book per region here; a test in archsim-cost
//! checks that its embedded books are exactly these regions, so
//! `archsim validate` and `archsim cost` agree on which regions exist.

/// Regions with a price book, in the order the designer lists them.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "ap-south-1",
];

/// Whether archsim has a price book for `region`.
pub fn is_known_region(region: &str) -> bool {
    REGIONS.contains(&region)
}
