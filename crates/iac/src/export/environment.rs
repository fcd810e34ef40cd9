//! Environment variables that name what a function, task or workload
//! talks to (`ORDERS_TABLE_NAME`, `JOBS_QUEUE_URL`).

use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::Value;

use super::*;
use crate::names::kebab;

/// The variable naming `c` for what a connection needs (`TABLE_NAME`,
/// `QUEUE_URL`): `Jobs queue` -> `JOBS_QUEUE_URL`, `Orders` (a table) ->
/// `ORDERS_TABLE_NAME`. The generated project's handlers read the same names.
pub(crate) fn env_var(c: &Component, what: &str) -> String {
    let (word, detail) = what.split_once('_').unwrap_or((what, "NAME"));
    let base = kebab(&c.name).replace('-', "_").to_uppercase();
    if base == word || base.ends_with(&format!("_{word}")) {
        format!("{base}_{detail}")
    } else {
        format!("{base}_{word}_{detail}")
    }
}

impl<'a> Ctx<'a> {
    /// Environment variables naming what a compute component talks to.
    pub(super) fn env_for(&self, compute: &str) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let var = env_var;
        for (conn, to) in self.d.outgoing(compute) {
            let tid = self.id(&to.id);
            let uses = matches!(conn.kind, ConnectionKind::Uses { .. });
            let publishes = matches!(conn.kind, ConnectionKind::Publishes);
            match to.kind() {
                K::DynamoDbTable if uses => {
                    out.push((var(to, "TABLE_NAME"), r(&tid)));
                }
                K::S3Bucket if uses => {
                    // A bucket that notifies a function is named by its
                    // fixed name: `!Ref` would make a dependency cycle.
                    let name = self.bucket_name(to).unwrap_or_else(|| r(&tid));
                    out.push((var(to, "BUCKET_NAME"), name));
                }
                K::SqsQueue if publishes => out.push((var(to, "QUEUE_URL"), r(&tid))),
                K::SnsTopic if publishes => out.push((var(to, "TOPIC_ARN"), r(&tid))),
                K::KinesisStream | K::Firehose if publishes => {
                    out.push((var(to, "STREAM_NAME"), r(&tid)))
                }
                K::AuroraServerless if uses => {
                    out.push((var(to, "CLUSTER_ARN"), ga(&tid, "DBClusterArn")));
                    out.push((
                        var(to, "SECRET_ARN"),
                        ga(&tid, "MasterUserSecret.SecretArn"),
                    ));
                }
                K::Rds if uses => {
                    out.push((var(to, "DATABASE_HOST"), ga(&tid, "Endpoint.Address")));
                    out.push((
                        var(to, "SECRET_ARN"),
                        ga(&tid, "MasterUserSecret.SecretArn"),
                    ));
                }
                K::LambdaFunction if matches!(conn.kind, ConnectionKind::Invoke { .. }) => {
                    out.push((var(to, "FUNCTION_NAME"), r(&tid)))
                }
                K::Secret if uses => out.push((var(to, "SECRET_ARN"), r(&tid))),
                K::EventBus if publishes => out.push((var(to, "EVENT_BUS_NAME"), r(&tid))),
                // Connected some other way, or nothing the code looks up by
                // name (an event bus is named in the events it puts).
                K::DynamoDbTable
                | K::S3Bucket
                | K::SqsQueue
                | K::SnsTopic
                | K::KinesisStream
                | K::Firehose
                | K::AuroraServerless
                | K::Rds
                | K::LambdaFunction
                | K::StepFunctions
                | K::Client
                | K::ApiGateway
                | K::CloudFront
                | K::Alb
                | K::Nlb
                | K::Clb
                | K::Cognito
                | K::Lex
                | K::Alexa
                | K::EventBridgeRule
                | K::EventBus
                | K::EventBridgePipe
                | K::Ec2Instance
                | K::EcsCluster
                | K::EcsService
                | K::TaskDefinition
                | K::Fargate
                | K::FargateSpot
                | K::Ec2AutoScalingGroup
                | K::EksCluster
                | K::EksNodeGroup
                | K::EksFargateProfile
                | K::EksWorkload
                | K::EcrRepository
                | K::ExternalRegistry
                | K::IamRole
                | K::VpcEndpoint
                | K::Secret
                | K::Generic => {}
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
