//! A Secrets Manager secret: a value its readers fetch with
//! `GetSecretValue`, billed per secret-month and per 10,000 API calls.

use serde::{Deserialize, Serialize};

use super::Distribution;

/// When a reader fetches the secret.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SecretReads {
    /// Once per execution environment or task: a Lambda function reads it
    /// in its init (a cold start), a task as it starts, and both keep the
    /// value. What AWS recommends ("Use caching with Secrets Manager", the
    /// Parameters and Secrets Lambda extension). The export names the
    /// secret in the reader's environment (`<NAME>_SECRET_ARN`) and grants
    /// its role `secretsmanager:GetSecretValue` on it.
    #[default]
    Cached,
    /// On every request the reader handles: one `GetSecretValue` each.
    EveryRequest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SecretProps {
    /// What the secret holds (the template's `Description`).
    pub description: String,
    /// Secrets Manager makes the value (`GenerateSecretString`) rather
    /// than the template giving it.
    pub generated: bool,
    /// When readers fetch it.
    pub reads: SecretReads,
    /// Latency of one `GetSecretValue` as a reader sees it. archsim's
    /// assumption (AWS publishes none): lognormal, mean 20 ms, p99 80 ms.
    pub latency: Distribution,
}

impl Default for SecretProps {
    fn default() -> Self {
        Self {
            description: String::new(),
            generated: true,
            reads: SecretReads::Cached,
            latency: Distribution::Lognormal {
                mean_ms: 20.0,
                p99_ms: 80.0,
            },
        }
    }
}
