//! The rule on where an EC2 Auto Scaling group's instances register: an
//! ECS cluster, which the export writes into their user data.

use super::*;

/// An EC2 Auto Scaling group is ECS capacity: its instances join one ECS
/// cluster (`Design::ecs_cluster_of_capacity`). Outside every ECS
/// cluster, or inside an EKS cluster (whose nodes are node groups), the
/// simulator still runs its instances and the bill still prices them,
/// but the export cannot name the cluster they join, so it refuses.
pub(super) fn ec2_capacity_cluster(d: &Design, out: &mut Found) {
    for c in d.components_of(K::Ec2AutoScalingGroup) {
        if d.ecs_cluster_of_capacity(&c.id).is_some() {
            continue;
        }
        let (involved, message) = match d.cluster_of(&c.id) {
            Some(eks) => (
                ids(&[&c.id, &eks.id]),
                format!(
                    "{} is ECS capacity (an EC2 Auto Scaling group for ECS) inside EKS cluster {}, whose nodes are EKS node groups: it is simulated and priced, but the template export refuses it",
                    c.name, eks.name
                ),
            ),
            None => (
                ids(&[&c.id]),
                format!(
                    "{} is in no ECS cluster's group and no service of an ECS cluster runs on it: it is simulated and priced, but the template export refuses it (it cannot say which cluster the instances join)",
                    c.name
                ),
            ),
        };
        out.push((involved, message));
    }
}

/// An EC2 Auto Scaling group serves one ECS cluster: its capacity provider
/// is associated with one cluster (ECS's PutClusterCapacityProviders
/// refuses a provider another cluster uses) and its instances' agent
/// registers with one (`ECS_CLUSTER`). Services of two clusters on one
/// group could not all be placed on it.
pub(super) fn ec2_capacity_one_cluster(d: &Design, out: &mut Found) {
    for c in d.components_of(K::Ec2AutoScalingGroup) {
        let clusters = d.ecs_clusters_served_by_capacity(&c.id);
        if clusters.len() < 2 {
            continue;
        }
        let names: Vec<&str> = clusters.iter().map(|k| k.name.as_str()).collect();
        let mut involved = vec![c.id.as_str()];
        involved.extend(clusters.iter().map(|k| k.id.as_str()));
        out.push((
            ids(&involved),
            format!(
                "{} serves services of ECS clusters {}: its capacity provider and its instances belong to one cluster",
                c.name,
                names.join(" and ")
            ),
        ));
    }
}
