//! What export and import do with each component kind. Both answers are
//! exhaustive matches, so a new kind does not compile until it has both;
//! export's reasons are the notes it gives for the components it skips.

use archsim_model::{ComponentKind as K, Coverage};

/// What [`export`](crate::export()) writes for a component of `kind`.
pub fn export_coverage(kind: K) -> Coverage {
    match kind {
        K::Client => {
            Coverage::NotApplicable("a client is traffic, not a resource; nothing exported")
        }
        K::ExternalRegistry => {
            Coverage::NotApplicable("an external registry is referenced by image name only")
        }
        K::Lex => {
            Coverage::NotModelled("Lex bot is not exported yet; add it to the template by hand")
        }
        K::Alexa => {
            Coverage::NotModelled("Alexa skill is not exported yet; add it to the template by hand")
        }
        // Fargate capacity has no resource of its own: services and the
        // cluster name it (FARGATE, FARGATE_SPOT) in their capacity
        // provider strategies. An IAM role is written by the task
        // definition, EC2 capacity or instance, or EKS resource that
        // assumes it (a note says when none does). A workload is a set of
        // Kubernetes manifests beside the template.
        K::Fargate | K::FargateSpot | K::IamRole | K::EksWorkload => Coverage::Modelled,
        K::ApiGateway
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::Clb
        | K::Cognito
        | K::S3Bucket
        | K::SqsQueue
        | K::SnsTopic
        | K::EventBridgeRule
        | K::EventBus
        | K::EventBridgePipe
        | K::KinesisStream
        | K::Firehose
        | K::DynamoDbTable
        | K::AuroraServerless
        | K::Rds
        | K::LambdaFunction
        | K::StepFunctions
        | K::Ec2Instance
        | K::EcsCluster
        | K::EcsService
        | K::TaskDefinition
        | K::Ec2AutoScalingGroup
        | K::EksCluster
        | K::EksNodeGroup
        | K::EksFargateProfile
        | K::EcrRepository
        | K::Secret
        | K::VpcEndpoint
        | K::Generic => Coverage::Modelled,
    }
}

/// What [`import`](crate::import()) draws a component of `kind` from.
pub fn import_coverage(kind: K) -> Coverage {
    match kind {
        K::Client => {
            Coverage::NotApplicable("a template has no clients: traffic is not a resource")
        }
        K::Lex => Coverage::NotModelled("a Lex bot is drawn as a generic resource"),
        K::Alexa => Coverage::NotModelled("an Alexa skill is drawn as a generic resource"),
        K::EksWorkload => Coverage::NotModelled(
            "workloads are Kubernetes manifests beside the template, which import does not read",
        ),
        // Drawn from what names them: Fargate from capacity provider
        // strategies and launch types, an external registry from the
        // hosts of container images, an API from SAM events.
        K::Fargate | K::FargateSpot | K::ExternalRegistry => Coverage::Modelled,
        // Drawn from their resources; EC2 capacity from a capacity
        // provider, with the model's defaults for its settings.
        K::ApiGateway
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::Clb
        | K::Cognito
        | K::S3Bucket
        | K::SqsQueue
        | K::SnsTopic
        | K::EventBridgeRule
        | K::EventBus
        | K::EventBridgePipe
        | K::KinesisStream
        | K::Firehose
        | K::DynamoDbTable
        | K::AuroraServerless
        | K::Rds
        | K::LambdaFunction
        | K::StepFunctions
        | K::EcsCluster
        | K::EcsService
        | K::TaskDefinition
        | K::Ec2AutoScalingGroup
        | K::Ec2Instance
        | K::EksCluster
        | K::EksNodeGroup
        | K::EksFargateProfile
        | K::EcrRepository
        | K::IamRole
        | K::Secret
        | K::VpcEndpoint
        | K::Generic => Coverage::Modelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind a layer does not model says why.
    #[test]
    fn gaps_have_reasons() {
        for &kind in K::ALL {
            for coverage in [export_coverage(kind), import_coverage(kind)] {
                assert_eq!(
                    coverage.is_modelled(),
                    coverage.reason().is_none(),
                    "{kind:?}"
                );
            }
        }
    }
}
