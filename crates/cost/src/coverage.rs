//! What the bill prices, kind by kind, and the "not priced" lines for what
//! it leaves out. An adapter like [`crate::estimate`]: it reads designs.
//!
//! [`coverage`] is an exhaustive match, so a new component kind does not
//! compile until the bill has decided what it does with it; a component the
//! bill does not price reaches the reader as a [`NotPriced`] line and the
//! total is marked incomplete, never as a silent $0.
//!
//! ```
//! use archsim_cost::coverage::{coverage, not_priced};
//! use archsim_model::{Component, ComponentKind, Coverage, Editor, Op};
//!
//! assert_eq!(coverage(ComponentKind::LambdaFunction), Coverage::Modelled);
//! let mut editor = Editor::default();
//! editor.apply(Op::AddComponent { component: Component::new("db", "Orders DB", ComponentKind::Generic) })?;
//! let lines = not_priced(editor.design());
//! assert_eq!(lines[0].component_id, "db");
//! # Ok::<(), archsim_model::EditError>(())
//! ```

use archsim_model::{Component, ComponentKind, Coverage, Design};

pub use crate::billing::NotPriced;

/// Whether the bill prices a component kind, and if not, why.
pub fn coverage(kind: ComponentKind) -> Coverage {
    use ComponentKind as K;
    use Coverage::{Modelled, NotApplicable, NotModelled};
    match kind {
        K::LambdaFunction
        | K::ApiGateway
        | K::Alb
        | K::Nlb
        | K::EcsService
        | K::Ec2AutoScalingGroup
        | K::Ec2Instance
        | K::EksCluster
        | K::EksNodeGroup
        | K::EksWorkload
        | K::EcrRepository
        | K::SqsQueue
        | K::DynamoDbTable
        | K::S3Bucket
        | K::CloudFront
        | K::Clb
        | K::Cognito
        | K::Lex
        | K::SnsTopic
        | K::EventBridgeRule
        | K::EventBus
        | K::EventBridgePipe
        | K::StepFunctions
        | K::KinesisStream
        | K::Firehose
        | K::AuroraServerless
        | K::Rds
        | K::Secret => Modelled,
        // Interface endpoints by the hour and GB; gateway ones are free.
        K::VpcEndpoint => Modelled,
        K::Client => NotApplicable("not an AWS resource: the traffic's source"),
        K::Alexa => NotApplicable(
            "the Alexa Skills Kit has no AWS charge; the function it invokes is priced",
        ),
        K::EcsCluster => NotApplicable(
            "an ECS cluster has no charge of its own; its services' tasks and instances are priced",
        ),
        K::TaskDefinition => {
            NotApplicable("a task definition has no charge; the tasks its service runs are priced")
        }
        K::Fargate | K::FargateSpot => {
            NotApplicable("capacity is priced through the tasks of the services that run on it")
        }
        K::EksFargateProfile => NotApplicable(
            "a Fargate profile has no charge; the pods it runs are priced through their workloads",
        ),
        K::ExternalRegistry => NotApplicable("outside AWS: no AWS charge"),
        K::IamRole => NotApplicable("IAM has no charge"),
        K::Generic => {
            NotModelled("a CloudFormation resource archsim does not model: its charges are unknown")
        }
    }
}

/// Whether the bill prices this component: its kind's [`coverage`], but
/// for a gateway VPC endpoint, which AWS does not charge for.
pub fn component_coverage(c: &Component) -> Coverage {
    match &c.props {
        archsim_model::Props::VpcEndpoint(e)
            if e.endpoint_type == archsim_model::component::EndpointType::Gateway =>
        {
            Coverage::NotApplicable(
                "a gateway endpoint has no charge; the calls it carries leave the NAT gateway's data processed",
            )
        }
        _ => coverage(c.kind()),
    }
}

/// One line per component the bill does not price although AWS charges for
/// it, in component id order.
pub fn not_priced(design: &Design) -> Vec<NotPriced> {
    design
        .components()
        .filter_map(|c| match component_coverage(c) {
            Coverage::NotModelled(reason) => Some(NotPriced {
                component_id: c.id.clone(),
                service: c.kind().label().to_string(),
                reason: reason.to_string(),
            }),
            Coverage::Modelled | Coverage::NotApplicable(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::starters::{STARTERS, starter};

    #[test]
    fn every_kind_has_an_answer_with_a_reason_when_not_priced() {
        for &kind in ComponentKind::ALL {
            match coverage(kind) {
                Coverage::Modelled => {}
                c => assert!(c.reason().is_some_and(|r| r.len() > 10), "{kind:?}"),
            }
        }
    }

    #[test]
    fn starters_list_what_they_leave_out() {
        for s in STARTERS {
            let design = starter(s.name).unwrap().build().unwrap();
            let lines = not_priced(&design);
            for c in design.components() {
                let listed = lines.iter().any(|l| l.component_id == c.id);
                assert_eq!(
                    listed,
                    matches!(component_coverage(c), Coverage::NotModelled(_)),
                    "{} in {}",
                    c.id,
                    s.name
                );
            }
        }
    }
}
