//! What the simulator does with each component kind, as the model's
//! [`Coverage`]: modelled, nothing to model, or a gap and what is skipped.
//! The test below keeps this honest against the behaviours `build.rs`
//! gives each kind.

use archsim_model::Coverage;
use archsim_model::component::ComponentKind;

/// Whether the simulator models what AWS does with components of `kind`.
///
/// ```
/// use archsim_model::component::ComponentKind;
/// use archsim_sim::coverage;
/// assert!(coverage(ComponentKind::LambdaFunction).is_modelled());
/// assert!(coverage(ComponentKind::Cognito).reason().is_some());
/// ```
pub fn coverage(kind: ComponentKind) -> Coverage {
    use ComponentKind as K;
    use Coverage::{Modelled, NotApplicable, NotModelled};
    match kind {
        K::Client
        | K::ApiGateway
        | K::CloudFront
        | K::Alb
        | K::Nlb
        | K::S3Bucket
        | K::SqsQueue
        | K::SnsTopic
        | K::EventBridgeRule
        | K::EventBus
        | K::EventBridgePipe
        | K::KinesisStream
        | K::DynamoDbTable
        | K::AuroraServerless
        | K::Rds
        | K::LambdaFunction
        | K::StepFunctions
        | K::EcsService
        | K::Ec2AutoScalingGroup
        | K::EksNodeGroup
        | K::EksWorkload
        | K::Secret => Modelled,
        K::Clb => NotModelled(
            "the Classic Load Balancer is not simulated: requests to it complete at once, \
             with no latency, and are not forwarded to its instances or services",
        ),
        K::Cognito => NotModelled(
            "Cognito is not simulated: callers skip it (sign-in and authorizer checks add no \
             latency and are never refused) and its triggers are not invoked",
        ),
        K::Lex => NotModelled(
            "Lex is not simulated: conversations complete at once, with no latency, and its \
             code hook function is not invoked",
        ),
        K::Alexa => NotModelled(
            "Alexa skills are not simulated: voice requests complete at once, with no \
             latency, and the skill's endpoint function is not invoked",
        ),
        K::Firehose => NotModelled(
            "Firehose is not simulated: records put to it are accepted at once, with no \
             latency; it transforms and delivers nothing, and does not read a Kinesis stream",
        ),
        K::Ec2Instance => NotModelled(
            "standalone EC2 instances are not simulated: requests routed to one complete at \
             once, with no latency or capacity limit, and it calls nothing",
        ),
        K::Generic => NotModelled(
            "the simulator does not know what this resource does: it receives no traffic, \
             and a request sent to it completes at once",
        ),
        K::EcsCluster => NotApplicable(
            "an ECS cluster carries no traffic; its services and their capacity are simulated",
        ),
        K::EksCluster => NotApplicable(
            "an EKS cluster carries no traffic; its workloads and their capacity are simulated",
        ),
        K::TaskDefinition => NotApplicable(
            "a task definition carries no traffic; its CPU, memory, ports and image size \
             decide where the service's tasks fit and how long they take to start",
        ),
        K::Fargate => NotApplicable(
            "Fargate capacity carries no traffic; task start times on it are simulated on \
             the services that run there",
        ),
        K::FargateSpot => NotApplicable(
            "Fargate Spot capacity carries no traffic; task start times and Spot \
             interruptions are simulated on the services that run there",
        ),
        K::EksFargateProfile => NotApplicable(
            "an EKS Fargate profile carries no traffic; pod start times on it are simulated \
             on the workloads that run there",
        ),
        K::EcrRepository => NotApplicable(
            "a repository carries no request traffic; image pulls are part of each task's \
             start time",
        ),
        K::ExternalRegistry => NotApplicable(
            "a registry carries no request traffic; image pulls are part of each task's \
             start time",
        ),
        K::IamRole => NotApplicable("an IAM role carries no traffic"),
        K::VpcEndpoint => NotApplicable(
            "a VPC endpoint carries its VPC's calls to an AWS service, as the NAT gateway \
             would: the simulator adds no latency for either path",
        ),
    }
}

/// Whether a scenario can send traffic into components of `kind`: not into
/// what carries none (a cluster, a task definition, capacity, a registry,
/// a role). The scenario editor offers only these, and a scenario that
/// names another is refused with the reason.
pub fn takes_traffic(kind: ComponentKind) -> bool {
    !matches!(coverage(kind), Coverage::NotApplicable(_))
        && !matches!(
            kind,
            ComponentKind::Ec2AutoScalingGroup | ComponentKind::EksNodeGroup
        )
}

/// Why traffic cannot go into a kind, when it cannot.
pub fn no_traffic_reason(kind: ComponentKind) -> Option<&'static str> {
    if takes_traffic(kind) {
        return None;
    }
    Some(match coverage(kind) {
        Coverage::NotApplicable(reason) => reason,
        _ if kind == ComponentKind::EksNodeGroup => {
            "a node group carries no traffic; the pods placed on its nodes are simulated"
        }
        _ => {
            "EC2 Auto Scaling capacity carries no traffic; the services placed on it are simulated"
        }
    })
}

#[cfg(test)]
mod tests {
    use archsim_model::component::Props;
    use archsim_model::scenario::Scenario;
    use archsim_model::{Component, Design, Editor, Op};

    use super::super::{Behaviour, Simulation};
    use super::*;
    use crate::RunOptions;

    /// One component of every kind, with the kind's default properties.
    fn every_kind() -> Design {
        let mut e = Editor::default();
        for (i, &kind) in ComponentKind::ALL.iter().enumerate() {
            let id = format!("{i:02}-{}", kind.slug());
            e.apply(Op::AddComponent {
                component: Component::new(&id, &id, kind).with(Props::default_for(kind)),
            })
            .unwrap_or_else(|err| panic!("add {id}: {err}"));
        }
        e.into_design()
    }

    #[test]
    fn modelled_kinds_and_only_they_get_a_behaviour() {
        let design = every_kind();
        let scenario = Scenario {
            name: "coverage".into(),
            start: None,
            description: String::new(),
            duration_s: 1.0,
            seed: 1,
            traffic: Vec::new(),
            events: Vec::new(),
        };
        let opts = RunOptions {
            skip_validation: true,
            ..RunOptions::default()
        };
        let sim = Simulation::new(&design, &scenario, &opts).unwrap();
        assert_eq!(sim.nodes.len(), ComponentKind::ALL.len());
        for node in &sim.nodes {
            let passive = matches!(node.behaviour, Behaviour::Passive);
            let c = coverage(node.kind);
            assert_eq!(
                c.is_modelled(),
                !passive,
                "{:?}: coverage {c:?}, but its behaviour is {}",
                node.kind,
                if passive { "passive" } else { "not passive" }
            );
        }
    }

    #[test]
    fn traffic_into_what_carries_none_is_refused_with_the_reason() {
        let design = every_kind();
        let role = design
            .components()
            .find(|c| c.kind() == ComponentKind::IamRole)
            .unwrap()
            .id
            .clone();
        let scenario: Scenario = serde_json::from_value(serde_json::json!({
            "name": "into a role",
            "duration_s": 10.0,
            "seed": 1,
            "traffic": [{"entry": role, "pattern": {"type": "poisson", "rps": 1.0}}],
        }))
        .unwrap();
        let opts = RunOptions {
            skip_validation: true,
            ..RunOptions::default()
        };
        let err = Simulation::new(&design, &scenario, &opts)
            .err()
            .expect("refused");
        let text = err.to_string();
        assert!(text.contains("an IAM role carries no traffic"), "{text}");
        assert!(!takes_traffic(ComponentKind::IamRole));
        assert!(!takes_traffic(ComponentKind::Ec2AutoScalingGroup));
        assert!(!takes_traffic(ComponentKind::EksNodeGroup));
        assert!(takes_traffic(ComponentKind::ApiGateway));
        assert!(takes_traffic(ComponentKind::Client));
    }
}
