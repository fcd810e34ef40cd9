//! What a state machine is connected to: its SAM `Events` (what starts
//! it), its role, and what its Task states call. A `${Variable}` of
//! `DefinitionSubstitutions` (or of a `DefinitionString`'s `Fn::Sub`)
//! naming a resource of the template maps to that component; the Task
//! that uses it says what the call is (an invoke, a table's read or
//! write, a message sent, a task run). Without a definition (a
//! `DefinitionUri` file that is not beside the template) the component a
//! substitution names says it: a function is invoked, a queue, topic or
//! bus is sent to, a task definition is run, anything else is a
//! reference. Then the policies (SAM's, the role's) draw what they allow
//! on resources nothing above connected.

use archsim_model::component::{
    IntegrationPattern, StepFunctionsProps, TaskService, TaskTarget, Workflow,
};

use super::*;
use crate::properties::step_functions;

impl Importer<'_> {
    pub(super) fn state_machine(&mut self, sm: &str, props: &Value) {
        if let Some(Value::Object(events)) = props.get("Events") {
            for (name, ev) in events {
                self.sam_event(sm, name, ev);
            }
        }
        let Some(Props::StepFunctions(p)) = self.design.component(sm).map(|c| c.props.clone())
        else {
            return;
        };
        // `${Variable}` -> logical id of the resource it names.
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        let named = |vars: &mut BTreeMap<String, String>, subs: Option<&Value>| {
            for (var, v) in subs.and_then(Value::as_object).into_iter().flatten() {
                let mut refs = BTreeSet::new();
                references(v, &mut refs);
                if let Some(r) = refs.into_iter().find(|r| self.comp(r).is_some()) {
                    vars.insert(var.clone(), r);
                }
            }
        };
        named(
            &mut vars,
            props.get(step_functions::DEFINITION_SUBSTITUTIONS.path),
        );
        if let Some(Value::Array(a)) = props
            .get(step_functions::DEFINITION_STRING.path)
            .and_then(|d| d.get("Fn::Sub"))
        {
            named(&mut vars, a.get(1));
        }
        let substitutions: BTreeMap<String, String> = vars
            .iter()
            .filter_map(|(var, r)| Some((var.clone(), self.comp(r)?)))
            .collect();
        if !substitutions.is_empty() {
            let _ = apply_op(
                &mut self.design,
                Op::SetProperty {
                    id: sm.to_string(),
                    path: "substitutions".into(),
                    value: json!(substitutions),
                },
            );
        }
        let p = StepFunctionsProps {
            substitutions: substitutions.clone(),
            ..p
        };
        let workflow = p.workflow().ok();
        let mut used = BTreeSet::new();
        if let Some(w) = &workflow {
            self.tasks(sm, w, &p, &vars, &mut used);
        }
        for (var, logical) in &vars {
            if used.contains(var) {
                continue;
            }
            let (Some(kind), Some(to)) = (self.kind_of(logical), self.comp(logical)) else {
                continue;
            };
            // A name substituted into a definition archsim could not read:
            // what its kind is called for; anything else (a cluster, a
            // connection, a subnet) is a name, not a call.
            let kind = match kind {
                K::LambdaFunction | K::StepFunctions => Meaning::InvokeSync.default_kind(),
                K::SqsQueue | K::SnsTopic | K::EventBridgeRule | K::EventBus => {
                    ConnectionKind::Publishes
                }
                K::TaskDefinition => ConnectionKind::RunsTask,
                K::DynamoDbTable => ConnectionKind::Uses {
                    access: Access::ReadWrite,
                },
                K::Client
                | K::ApiGateway
                | K::CloudFront
                | K::Alb
                | K::Nlb
                | K::Clb
                | K::Cognito
                | K::Lex
                | K::Alexa
                | K::S3Bucket
                | K::KinesisStream
                | K::Firehose
                | K::AuroraServerless
                | K::Rds
                | K::Ec2Instance
                | K::EcsCluster
                | K::EcsService
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
                | K::EventBridgePipe
                | K::Secret
                | K::VpcEndpoint
                | K::Generic => continue,
            };
            let why = format!("{sm} DefinitionSubstitutions {var}");
            if workflow.is_some() {
                self.connect(sm, &to, kind, &why);
            } else {
                // What the definition does with it is not known here.
                self.connect_marked(sm, &to, kind, &why, true);
            }
        }
        let mut grants = self.new_grants();
        if let Some(policies) = props.get("Policies") {
            grants.sam_policies(policies);
        }
        let mut roles = BTreeSet::new();
        references(
            props
                .get("Role")
                .or_else(|| props.get("RoleArn"))
                .unwrap_or(&Value::Null),
            &mut roles,
        );
        for role in roles {
            // A role, drawn or the state machine's own (not drawn).
            if self.resources().get(&role).and_then(|r| r["Type"].as_str())
                != Some("AWS::IAM::Role")
            {
                continue;
            }
            if let Some(r) = self.comp(&role) {
                self.connect(sm, &r, ConnectionKind::AssumesRole, &format!("{sm} Role"));
            }
            let g = self.role_grants(&role);
            for (r, (grant, evidence)) in g.0 {
                grants.0.entry(r).or_insert((grant, evidence));
            }
        }
        // What the Tasks and substitutions drew stands; the policies draw
        // only what they alone name.
        let connected: BTreeSet<String> = self
            .design
            .outgoing(sm)
            .iter()
            .map(|(_, c)| c.id.clone())
            .collect();
        grants
            .0
            .retain(|r, _| self.comp(r).is_some_and(|c| !connected.contains(&c)));
        self.grants(sm, &grants, "policy");
        self.started_by_api_role(sm);
    }

    /// An API whose integration is not in the template (an OpenAPI file
    /// beside it) but whose role, trusted by API Gateway, may start this
    /// state machine: when the template has one API, it is the one that
    /// starts it (weak evidence: the inspector asks to confirm it).
    fn started_by_api_role(&mut self, sm: &str) {
        if self
            .design
            .incoming(sm)
            .iter()
            .any(|(_, c)| c.kind() == K::ApiGateway)
        {
            return;
        }
        let apis: Vec<String> = self
            .design
            .components_of(K::ApiGateway)
            .map(|c| c.id.clone())
            .collect();
        let [api] = apis.as_slice() else { return };
        let api = api.clone();
        for (role, res) in self.resources() {
            if res["Type"].as_str() != Some("AWS::IAM::Role")
                || !res["Properties"]["AssumeRolePolicyDocument"]
                    .to_string()
                    .contains("apigateway.amazonaws.com")
            {
                continue;
            }
            let grants = self.role_grants(role);
            let Some((grant, evidence)) = grants.0.get(sm) else {
                continue;
            };
            if !grant.invoke {
                continue;
            }
            let sync = evidence.iter().any(|e| e.contains("StartSyncExecution"));
            let meaning = if sync {
                Meaning::InvokeSync
            } else {
                Meaning::InvokeAsync
            };
            self.connect_marked(
                &api,
                sm,
                meaning.default_kind(),
                &format!(
                    "role {role}, trusted by API Gateway: {}",
                    evidence.iter().cloned().collect::<Vec<_>>().join("; ")
                ),
                true,
            );
        }
    }

    /// Draws each Task's call to the component its variable names.
    fn tasks(
        &mut self,
        sm: &str,
        w: &Workflow,
        p: &StepFunctionsProps,
        vars: &BTreeMap<String, String>,
        used: &mut BTreeSet<String>,
    ) {
        for (state, task) in w.tasks() {
            let Some(TaskTarget::Variable(var)) = &task.target else {
                continue;
            };
            let Some(to) = vars.get(var).and_then(|l| self.comp(l)) else {
                continue;
            };
            used.insert(var.clone());
            let kind = match &task.service {
                TaskService::Lambda => Meaning::InvokeSync.default_kind(),
                TaskService::DynamoDb { action } => ConnectionKind::Uses {
                    access: if action == "getItem" {
                        Access::Read
                    } else {
                        Access::Write
                    },
                },
                TaskService::Sqs | TaskService::Sns | TaskService::EventBridge => {
                    ConnectionKind::Publishes
                }
                TaskService::Ecs => ConnectionKind::RunsTask,
                TaskService::StepFunctions if task.pattern == IntegrationPattern::Sync => {
                    Meaning::InvokeSync.default_kind()
                }
                TaskService::StepFunctions => Meaning::InvokeAsync.default_kind(),
                TaskService::Other(_) => ConnectionKind::References,
            };
            let _ = p;
            self.connect(
                sm,
                &to,
                kind,
                &format!("{sm} Task {state} ({})", task.resource),
            );
        }
    }
}
