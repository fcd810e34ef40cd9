//! The design document: components and connections in a petgraph
//! `StableGraph`, addressed by stable string ids, plus groups, account
//! settings and scenarios.
//!
//! Node and edge indices never leave this module: the file format, the UI
//! and edits use ids, because `StableGraph` reuses freed slots.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Serialize};

use crate::component::{Component, ComponentKind};
use crate::connection::Connection;
use crate::scenario::Scenario;

/// Lambda's concurrency scaling rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LambdaScalingRule {
    /// Since Nov 2023: each function adds up to 1,000 environments per 10 s.
    #[default]
    PerFunction,
    /// Before: an account-wide burst (3,000 in the largest regions), then
    /// +500 per minute.
    LegacyBurst,
}

/// Account and region settings that bound the whole design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSettings {
    /// Concurrent executions across all functions of the region.
    pub lambda_concurrency_limit: u32,
    /// Concurrency that reserved concurrency may never take.
    pub unreserved_concurrency_min: u32,
    pub lambda_scaling: LambdaScalingRule,
    pub availability_zones: Vec<String>,
    /// Seconds after its last invocation that Lambda reclaims an idle
    /// execution environment. AWS does not publish it; 600 s is what has
    /// been observed since 2019 (SPEC-SIM.md) and SimFaaS's default. A
    /// what-if setting: "what if AWS reclaims after 5 minutes?"
    pub lambda_idle_expiry_s: u32,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            lambda_concurrency_limit: 1_000,
            unreserved_concurrency_min: 100,
            lambda_scaling: LambdaScalingRule::PerFunction,
            availability_zones: vec![
                "us-east-1a".into(),
                "us-east-1b".into(),
                "us-east-1c".into(),
            ],
            lambda_idle_expiry_s: 600,
        }
    }
}

/// How much a template export adds around the design's own resources.
/// A design-level setting: the architect decides once whether
/// the design is meant for production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ExportProfile {
    /// What a security review accepts: HTTPS listeners, access logs to a
    /// log bucket, one customer-managed KMS key for the stack, point-in-time
    /// recovery, versioned TLS-only buckets, and a stated reason for every
    /// scanner check that does not apply. New designs start here.
    #[default]
    Production,
    /// The minimal stack: the design's resources and nothing around them.
    /// Files saved before the profile existed read as this, so they export
    /// as they always did.
    Sandbox,
}

impl ExportProfile {
    pub const ALL: [ExportProfile; 2] = [ExportProfile::Production, ExportProfile::Sandbox];

    pub fn slug(self) -> &'static str {
        match self {
            ExportProfile::Production => "production",
            ExportProfile::Sandbox => "sandbox",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// An ECS cluster and the services and capacity in it.
    EcsCluster,
    /// An EKS cluster and its node groups, Fargate profiles and workloads.
    EksCluster,
    Vpc,
    AvailabilityZone,
    /// A frame the user drew to organise the canvas.
    Frame,
}

/// A set of components drawn together. Cluster groups are owned by their
/// cluster component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub kind: GroupKind,
    /// The cluster component this group belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub members: BTreeSet<String>,
}

/// The design document.
#[derive(Debug, Clone)]
pub struct Design {
    pub name: String,
    pub description: String,
    pub region: String,
    /// The architect means this design to be serverless: servers are flagged.
    pub serverless: bool,
    pub account: AccountSettings,
    /// What a template export adds around the design (see [`ExportProfile`]).
    pub export_profile: ExportProfile,
    pub scenarios: Vec<Scenario>,
    /// Opaque data other tools keep with a design, by tool name (e.g. the
    /// template sections an import must write back on export). The model
    /// never reads it; it only saves and loads it. Empty for most designs,
    /// and then absent from the file.
    pub extensions: BTreeMap<String, serde_json::Value>,
    graph: StableGraph<Component, Connection>,
    nodes: BTreeMap<String, NodeIndex>,
    edges: BTreeMap<String, EdgeIndex>,
    groups: BTreeMap<String, Group>,
}

impl PartialEq for Design {
    /// Two designs are equal when they would save to the same file.
    fn eq(&self, other: &Self) -> bool {
        crate::file::DesignFile::from(self) == crate::file::DesignFile::from(other)
    }
}

impl Default for Design {
    fn default() -> Self {
        Self::new("Untitled")
    }
}

impl Design {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            region: "us-east-1".into(),
            serverless: false,
            account: AccountSettings::default(),
            export_profile: ExportProfile::Production,
            scenarios: Vec::new(),
            extensions: BTreeMap::new(),
            graph: StableGraph::new(),
            nodes: BTreeMap::new(),
            edges: BTreeMap::new(),
            groups: BTreeMap::new(),
        }
    }

    // --- reading ---------------------------------------------------------

    pub fn component(&self, id: &str) -> Option<&Component> {
        self.nodes.get(id).map(|&ix| &self.graph[ix])
    }

    pub fn connection(&self, id: &str) -> Option<&Connection> {
        self.edges.get(id).map(|&ix| &self.graph[ix])
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    /// Components in id order.
    pub fn components(&self) -> impl Iterator<Item = &Component> {
        self.nodes.values().map(|&ix| &self.graph[ix])
    }

    /// Connections in id order.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.edges.values().map(|&ix| &self.graph[ix])
    }

    /// Groups in id order.
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    pub fn component_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn connection_count(&self) -> usize {
        self.edges.len()
    }

    pub fn components_of(&self, kind: ComponentKind) -> impl Iterator<Item = &Component> {
        self.components().filter(move |c| c.kind() == kind)
    }

    /// Connections leaving a component, with their targets, in id order.
    pub fn outgoing(&self, id: &str) -> Vec<(&Connection, &Component)> {
        self.neighbours(id, Direction::Outgoing)
    }

    /// Connections arriving at a component, with their sources, in id order.
    pub fn incoming(&self, id: &str) -> Vec<(&Connection, &Component)> {
        self.neighbours(id, Direction::Incoming)
    }

    fn neighbours(&self, id: &str, dir: Direction) -> Vec<(&Connection, &Component)> {
        let Some(&ix) = self.nodes.get(id) else {
            return Vec::new();
        };
        let mut out: Vec<_> = self
            .graph
            .edges_directed(ix, dir)
            .map(|e| {
                let other = match dir {
                    Direction::Outgoing => e.target(),
                    Direction::Incoming => e.source(),
                };
                (e.weight(), &self.graph[other])
            })
            .collect();
        out.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        out
    }

    /// Groups a component belongs to.
    pub fn groups_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Group> + 'a {
        self.groups.values().filter(move |g| g.members.contains(id))
    }

    /// The cluster component a component is grouped under, if any.
    pub fn cluster_of(&self, id: &str) -> Option<&Component> {
        self.groups_of(id)
            .filter(|g| matches!(g.kind, GroupKind::EcsCluster | GroupKind::EksCluster))
            .find_map(|g| g.owner.as_deref().and_then(|o| self.component(o)))
    }

    /// The ECS cluster an EC2 Auto Scaling group's instances join (its
    /// user data's `ECS_CLUSTER`, and the cluster its capacity provider
    /// is associated with): the ECS cluster whose group holds it, or,
    /// outside every cluster group, the ECS cluster of the first service
    /// (by connection id) that runs on it. `None` for a group in an EKS
    /// cluster's group (EKS nodes are node groups, not ECS capacity) or
    /// one no ECS cluster reaches: validation warns of it
    /// (`EC2_CAPACITY_NO_ECS_CLUSTER`) and the export refuses it.
    pub fn ecs_cluster_of_capacity(&self, id: &str) -> Option<&Component> {
        if self
            .cluster_of(id)
            .is_some_and(|c| c.kind() != ComponentKind::EcsCluster)
        {
            return None;
        }
        self.ecs_clusters_served_by_capacity(id).into_iter().next()
    }

    /// Every ECS cluster an EC2 Auto Scaling group serves, each once, in
    /// order: the one whose group holds it, then those of the services
    /// that run on it (by connection id). An Auto Scaling group's
    /// capacity provider belongs to one cluster and its instances join
    /// one, so more than one is an error
    /// (`EC2_CAPACITY_SEVERAL_ECS_CLUSTERS`) the export refuses.
    pub fn ecs_clusters_served_by_capacity(&self, id: &str) -> Vec<&Component> {
        let ecs = |c: &&Component| c.kind() == ComponentKind::EcsCluster;
        let mut out: Vec<&Component> = self.cluster_of(id).filter(ecs).into_iter().collect();
        for (conn, service) in self.incoming(id) {
            if conn.kind.meaning() != crate::Meaning::RunsOn {
                continue;
            }
            if let Some(cluster) = self.cluster_of(&service.id).filter(ecs)
                && !out.iter().any(|c| c.id == cluster.id)
            {
                out.push(cluster);
            }
        }
        out
    }

    /// The group a cluster component owns.
    pub fn group_owned_by(&self, owner: &str) -> Option<&Group> {
        self.groups
            .values()
            .find(|g| g.owner.as_deref() == Some(owner))
    }

    /// Whether an id is taken by a component, connection or group.
    pub fn contains_id(&self, id: &str) -> bool {
        self.nodes.contains_key(id) || self.edges.contains_key(id) || self.groups.contains_key(id)
    }

    /// A new id `prefix-N`, the smallest N not taken.
    pub fn fresh_id(&self, prefix: &str) -> String {
        (1..)
            .map(|n| format!("{prefix}-{n}"))
            .find(|id| !self.contains_id(id))
            .unwrap_or_else(|| prefix.to_string())
    }

    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// The petgraph graph, for algorithms (cycles, layering). Indices are
    /// only valid until the next edit.
    pub fn graph(&self) -> &StableGraph<Component, Connection> {
        &self.graph
    }

    /// The id of a node index from [`Design::graph`].
    pub fn node_id(&self, ix: NodeIndex) -> Option<&str> {
        self.graph.node_weight(ix).map(|c| c.id.as_str())
    }

    /// The node index of an id, for use with [`Design::graph`].
    pub fn node_index(&self, id: &str) -> Option<NodeIndex> {
        self.nodes.get(id).copied()
    }

    // --- structural changes (checked by `edit`, trusted here) --------------

    pub(crate) fn insert_component(&mut self, component: Component) {
        let id = component.id.clone();
        let ix = self.graph.add_node(component);
        self.nodes.insert(id, ix);
    }

    pub(crate) fn component_mut(&mut self, id: &str) -> Option<&mut Component> {
        let ix = *self.nodes.get(id)?;
        self.graph.node_weight_mut(ix)
    }

    pub(crate) fn connection_mut(&mut self, id: &str) -> Option<&mut Connection> {
        let ix = *self.edges.get(id)?;
        self.graph.edge_weight_mut(ix)
    }

    pub(crate) fn group_mut(&mut self, id: &str) -> Option<&mut Group> {
        self.groups.get_mut(id)
    }

    /// Removes a component; its connections must be removed first.
    pub(crate) fn remove_component(&mut self, id: &str) -> Option<Component> {
        let ix = self.nodes.remove(id)?;
        for g in self.groups.values_mut() {
            g.members.remove(id);
        }
        self.graph.remove_node(ix)
    }

    /// Inserts a connection between two existing components.
    pub(crate) fn insert_connection(&mut self, connection: Connection) -> bool {
        let (Some(&a), Some(&b)) = (
            self.nodes.get(&connection.from),
            self.nodes.get(&connection.to),
        ) else {
            return false;
        };
        let id = connection.id.clone();
        let ix = self.graph.add_edge(a, b, connection);
        self.edges.insert(id, ix);
        true
    }

    pub(crate) fn remove_connection(&mut self, id: &str) -> Option<Connection> {
        let ix = self.edges.remove(id)?;
        self.graph.remove_edge(ix)
    }

    pub(crate) fn insert_group(&mut self, group: Group) {
        self.groups.insert(group.id.clone(), group);
    }

    pub(crate) fn remove_group(&mut self, id: &str) -> Option<Group> {
        self.groups.remove(id)
    }

    /// Checks the invariants every edit must keep: the id maps and the
    /// graph agree, every connection joins existing components, every
    /// group member exists, ids are unique across all three namespaces.
    pub fn check_integrity(&self) -> Result<(), String> {
        if self.nodes.len() != self.graph.node_count() {
            return Err(format!(
                "{} node ids for {} nodes",
                self.nodes.len(),
                self.graph.node_count()
            ));
        }
        if self.edges.len() != self.graph.edge_count() {
            return Err(format!(
                "{} edge ids for {} edges",
                self.edges.len(),
                self.graph.edge_count()
            ));
        }
        for (id, &ix) in &self.nodes {
            match self.graph.node_weight(ix) {
                Some(c) if &c.id == id => {}
                _ => return Err(format!("node id {id} points at the wrong node")),
            }
        }
        for (id, &ix) in &self.edges {
            let Some(c) = self.graph.edge_weight(ix) else {
                return Err(format!("edge id {id} points at no edge"));
            };
            let Some((a, b)) = self.graph.edge_endpoints(ix) else {
                return Err(format!("edge {id} has no endpoints"));
            };
            if &c.id != id || self.graph[a].id != c.from || self.graph[b].id != c.to {
                return Err(format!("edge {id} does not join {} -> {}", c.from, c.to));
            }
        }
        for g in self.groups.values() {
            if self.nodes.contains_key(&g.id) || self.edges.contains_key(&g.id) {
                return Err(format!(
                    "group id {} is also a component or connection",
                    g.id
                ));
            }
            if let Some(m) = g.members.iter().find(|m| !self.nodes.contains_key(*m)) {
                return Err(format!("group {} lists missing member {m}", g.id));
            }
            if let Some(o) = &g.owner
                && !self.nodes.contains_key(o)
            {
                return Err(format!("group {} is owned by missing {o}", g.id));
            }
        }
        if let Some(id) = self.edges.keys().find(|id| self.nodes.contains_key(*id)) {
            return Err(format!("id {id} names both a component and a connection"));
        }
        Ok(())
    }
}
