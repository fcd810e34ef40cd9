//! Environment variables that name what a function, task or workload
//! talks to (`ORDERS_TABLE_NAME`, `JOBS_QUEUE_URL`).

use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::Value;

use super::*;
use crate::names::kebab;

impl<'a> Ctx<'a> {
    /// Environment variables naming what a compute component talks to.
    pub(super) fn env_for(&self, compute: &str) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        // `Jobs queue` -> JOBS_QUEUE_URL, `Orders` (a table) -> ORDERS_TABLE_NAME.
        let var = |c: &Component, what: &str| {
            let (word, detail) = what.split_once('_').unwrap_or((what, "NAME"));
            let base = kebab(&c.name).replace('-', "_").to_uppercase();
            if base == word || base.ends_with(&format!("_{word}")) {
                format!("{base}_{detail}")
            } else {
                format!("{base}_{word}_{detail}")
            }
        };
        for (conn, to) in self.d.outgoing(compute) {
            let tid = self.id(&to.id);
            match (&conn.kind, to.kind()) {
                (ConnectionKind::Uses { .. }, K::DynamoDbTable) => {
                    out.push((var(to, "TABLE_NAME"), r(&tid)));
                }
                (ConnectionKind::Uses { .. }, K::S3Bucket) => {
                    // A bucket that notifies a function is named by its
                    // fixed name: `!Ref` would make a dependency cycle.
                    let name = self.bucket_name(to).unwrap_or_else(|| r(&tid));
                    out.push((var(to, "BUCKET_NAME"), name));
                }
                (ConnectionKind::Publishes, K::SqsQueue) => {
                    out.push((var(to, "QUEUE_URL"), r(&tid)))
                }
                (ConnectionKind::Publishes, K::SnsTopic) => {
                    out.push((var(to, "TOPIC_ARN"), r(&tid)))
                }
                (ConnectionKind::Publishes, K::KinesisStream) => {
                    out.push((var(to, "STREAM_NAME"), r(&tid)))
                }
                (ConnectionKind::Publishes, K::Firehose) => {
                    out.push((var(to, "STREAM_NAME"), r(&tid)))
                }
                (ConnectionKind::Uses { .. }, K::AuroraServerless) => {
                    out.push((var(to, "CLUSTER_ARN"), ga(&tid, "DBClusterArn")));
                    out.push((
                        var(to, "SECRET_ARN"),
                        ga(&tid, "MasterUserSecret.SecretArn"),
                    ));
                }
                (ConnectionKind::Uses { .. }, K::Rds) => {
                    out.push((var(to, "DATABASE_HOST"), ga(&tid, "Endpoint.Address")));
                    out.push((
                        var(to, "SECRET_ARN"),
                        ga(&tid, "MasterUserSecret.SecretArn"),
                    ));
                }
                (ConnectionKind::Invoke { .. }, K::LambdaFunction) => {
                    out.push((var(to, "FUNCTION_NAME"), r(&tid)))
                }
                _ => {}
            }
        }
        if self.d.component(compute).map(Component::kind) != Some(K::LambdaFunction) {
            for (conn, from) in self.d.incoming(compute) {
                if matches!(conn.kind, ConnectionKind::Poll { .. }) && from.kind() == K::SqsQueue {
                    out.push((var(from, "QUEUE_URL"), r(&self.id(&from.id))));
                }
            }
        }
        out
    }
}
