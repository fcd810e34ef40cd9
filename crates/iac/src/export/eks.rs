//! EKS: clusters, managed node groups and Fargate profiles with their
//! roles, and workloads as Kubernetes manifests beside the template.

use archsim_model::component::*;
use archsim_model::{Component, ComponentKind as K, ConnectionKind};
use serde_json::{Map, Value, json};

use super::iam::trust;
use super::*;
use crate::ExportError;
use crate::names::kebab;
use crate::properties::eks;

impl<'a> Ctx<'a> {
    pub(super) fn eks_role(
        &mut self,
        owner: &Component,
        purpose: RolePurpose,
        default_id: String,
        service: &str,
        policies: &[&str],
    ) -> String {
        let comp = self
            .assumed_role(&owner.id, purpose)
            .or_else(|| self.assumed_role(&owner.id, RolePurpose::EksRole));
        let role = comp.map(|r| self.id(&r.id)).unwrap_or(default_id);
        if !self.resources.contains_key(&role) {
            let mut arns: Vec<Value> = policies.iter().map(|p| managed(p)).collect();
            arns.extend(self.role_extra_managed(comp));
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": trust(service), "ManagedPolicyArns": arns}}),
            );
        }
        role
    }

    pub(super) fn eks_cluster(
        &mut self,
        c: &'a Component,
        id: &str,
        p: &EksClusterProps,
    ) -> Result<(), ExportError> {
        let role = self.eks_role(
            c,
            RolePurpose::EksRole,
            format!("{id}ClusterRole"),
            "eks.amazonaws.com",
            &["AmazonEKSClusterPolicy"],
        );
        let mut props = Map::new();
        eks::VERSION.put(&mut props, p);
        props.insert("RoleArn".into(), ga(&role, "Arn"));
        props.insert(
            "ResourcesVpcConfig".into(),
            json!({"SubnetIds": self.all_subnets()}),
        );
        eks::ENDPOINT_PUBLIC.put(&mut props, p);
        if let Some(Value::Object(vpc)) = props.get_mut("ResourcesVpcConfig") {
            vpc.insert("EndpointPrivateAccess".into(), json!(true));
        }
        props.insert(
            "AccessConfig".into(),
            json!({"AuthenticationMode": "API_AND_CONFIG_MAP"}),
        );
        eks::SUPPORT.put(&mut props, p);
        self.add(
            id.into(),
            json!({"Type": "AWS::EKS::Cluster", "Properties": props}),
        );
        self.add(
            format!("{id}PodIdentityAgent"),
            json!({"Type": "AWS::EKS::Addon", "Properties": {"ClusterName": r(id), "AddonName": "eks-pod-identity-agent"}}),
        );
        self.outputs.insert(
            format!("{id}Endpoint"),
            json!({"Description": format!("API endpoint of {}", c.name), "Value": ga(id, "Endpoint")}),
        );
        Ok(())
    }

    pub(super) fn eks_cluster_id(&self, c: &Component) -> Result<String, ExportError> {
        self.cluster_of(&c.id)
            .map(|k| self.id(&k.id))
            .ok_or_else(|| ExportError::Component {
                component: c.id.clone(),
                message: "must belong to an EKS cluster (put it in the cluster's group)".into(),
            })
    }

    pub(super) fn eks_node_group(
        &mut self,
        c: &'a Component,
        id: &str,
        p: &EksNodeGroupProps,
    ) -> Result<(), ExportError> {
        let cluster = self.eks_cluster_id(c)?;
        let role = self.eks_role(
            c,
            RolePurpose::InstanceRole,
            format!("{id}NodeRole"),
            "ec2.amazonaws.com",
            &[
                "AmazonEKSWorkerNodePolicy",
                "AmazonEKS_CNI_Policy",
                "AmazonEC2ContainerRegistryReadOnly",
            ],
        );
        let mut props = object(json!({
            "ClusterName": r(&cluster), "NodeRole": ga(&role, "Arn"), "Subnets": self.subnets(false)}));
        eks::INSTANCE_TYPES.put(&mut props, p);
        eks::CAPACITY_TYPE.put(&mut props, p);
        eks::MIN_SIZE.put(&mut props, p);
        eks::MAX_SIZE.put(&mut props, p);
        eks::DESIRED_SIZE.put(&mut props, p);
        self.add(
            id.into(),
            json!({"Type": "AWS::EKS::Nodegroup", "Properties": props}),
        );
        if p.autoscaler == NodeAutoscaler::Karpenter {
            // Karpenter is a Helm chart and its NodePool a Kubernetes
            // object: nothing in CloudFormation to write them to.
            self.notes.push(format!(
                "{}: its Karpenter NodePool ({}) is not in the template: install Karpenter with its Helm chart and apply a NodePool and EC2NodeClass; the managed node group is exported with its own size",
                c.name,
                p.karpenter.instance_types.join(", ")
            ));
        }
        Ok(())
    }

    pub(super) fn eks_fargate_profile(
        &mut self,
        c: &'a Component,
        id: &str,
        p: &EksFargateProfileProps,
    ) -> Result<(), ExportError> {
        let cluster = self.eks_cluster_id(c)?;
        let role = self.eks_role(
            c,
            RolePurpose::ExecutionRole,
            format!("{id}PodExecutionRole"),
            "eks-fargate-pods.amazonaws.com",
            &["AmazonEKSFargatePodExecutionRolePolicy"],
        );
        let mut props = object(json!({
            "ClusterName": r(&cluster), "PodExecutionRoleArn": ga(&role, "Arn"),
            "Subnets": self.subnets(false)}));
        eks::SELECTORS.put(&mut props, p);
        self.add(
            id.into(),
            json!({"Type": "AWS::EKS::FargateProfile", "Properties": props}),
        );
        Ok(())
    }

    pub(super) fn eks_workload(
        &mut self,
        c: &'a Component,
        id: &str,
        p: &EksWorkloadProps,
    ) -> Result<(), ExportError> {
        let cluster = self.eks_cluster_id(c)?;
        let name = kebab(&c.name);
        // Application permissions: a role for the workload's service account
        // through EKS Pod Identity.
        let stmts = self.statements(&c.id);
        let mut service_account = None;
        if !stmts.is_empty() {
            let role = format!("{id}PodRole");
            let mut props = json!({"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"]}]}});
            if let Some(pol) = self.inline_policy(&format!("{id}Access"), stmts) {
                props["Policies"] = json!([pol]);
            }
            self.add(
                role.clone(),
                json!({"Type": "AWS::IAM::Role", "Properties": props}),
            );
            self.add(
                format!("{id}PodIdentity"),
                json!({"Type": "AWS::EKS::PodIdentityAssociation", "DependsOn": [format!("{cluster}PodIdentityAgent")], "Properties": {
                    "ClusterName": r(&cluster), "Namespace": p.namespace, "ServiceAccount": name, "RoleArn": ga(&role, "Arn")}}),
            );
            service_account = Some(name.clone());
        }
        // The manifest cannot hold a CloudFormation reference: an image from
        // an ECR repository of this stack names the stack output to use.
        let image = self
            .d
            .outgoing(&c.id)
            .into_iter()
            .find(|(conn, to)| {
                matches!(conn.kind, ConnectionKind::PullsImage) && to.kind() == K::EcrRepository
            })
            .map(|(_, to)| format!("{{{{{}Uri}}}}:latest", self.id(&to.id)))
            .unwrap_or_else(|| p.image.clone());
        let mut docs = Vec::new();
        if let Some(sa) = &service_account {
            docs.push(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa, "namespace": p.namespace}}));
        }
        let mut resources = json!({"requests": {"cpu": format!("{}m", p.cpu_request_millicores), "memory": format!("{}Mi", p.memory_request_mb)}});
        let mut limits = Map::new();
        if let Some(cpu) = p.cpu_limit_millicores {
            limits.insert("cpu".into(), json!(format!("{cpu}m")));
        }
        if let Some(mem) = p.memory_limit_mb {
            limits.insert("memory".into(), json!(format!("{mem}Mi")));
        }
        if !limits.is_empty() {
            resources["limits"] = Value::Object(limits);
        }
        // Manifests cannot hold CloudFormation references: each value a
        // workload needs is a stack output, named in a `{{Output}}`
        // placeholder for the deploy script to fill in.
        let mut env: Vec<Value> = Vec::new();
        for (k, v) in self.env_for(&c.id) {
            let output = match &v {
                Value::Object(m) => m
                    .get("Ref")
                    .and_then(Value::as_str)
                    .map(|r| format!("{r}Ref")),
                _ => None,
            };
            let value = match output {
                Some(output) => {
                    self.outputs.entry(output.clone()).or_insert_with(|| {
                        json!({"Description": format!("{k} for the {} manifests", c.name), "Value": v.clone()})
                    });
                    format!("{{{{{output}}}}}")
                }
                None => v.as_str().unwrap_or_default().to_string(),
            };
            env.push(json!({"name": k, "value": value}));
        }
        let on_fargate = self.d.outgoing(&c.id).iter().any(|(conn, to)| {
            matches!(conn.kind, ConnectionKind::RunsOn { .. }) && to.kind() == K::EksFargateProfile
        });
        if on_fargate && service_account.is_some() {
            self.notes.push(format!(
                "{}: runs on a Fargate profile, where EKS Pod Identity is not available; bind its role {id}PodRole through IAM roles for service accounts (IRSA) instead",
                c.name
            ));
        }
        let mut container = json!({"name": name, "image": image, "ports": [{"containerPort": p.container_port}], "resources": resources});
        if !env.is_empty() {
            container["env"] = Value::Array(env);
        }
        let mut pod_spec = json!({"containers": [container]});
        if let Some(sa) = &service_account {
            pod_spec["serviceAccountName"] = json!(sa);
        }
        let labels = json!({"app": name});
        docs.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": p.namespace, "labels": labels},
            "spec": {"replicas": p.replicas, "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec}}}));
        docs.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": p.namespace},
            "spec": {"selector": labels, "ports": [{"port": p.container_port, "targetPort": p.container_port, "protocol": "TCP"}]}}));
        if let Some(hpa) = &p.hpa {
            docs.push(json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": name, "namespace": p.namespace},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": hpa.min_replicas, "maxReplicas": hpa.max_replicas,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": hpa.target_cpu_percent}}}]}}));
        }
        let text = docs.iter().map(to_yaml).collect::<Vec<_>>().join("---\n");
        self.manifests.push(Manifest {
            file_name: format!("{name}.k8s.yaml"),
            text,
        });
        Ok(())
    }
}
