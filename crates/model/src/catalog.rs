//! Facts about AWS that the model needs to judge a design: EC2 instance
//! types (size, GPUs, network interfaces) and Fargate's valid task sizes.
//!
//! Sources: EC2 "Maximum IP addresses per network interface per instance
//! type" (ENIs and IPv4 addresses per ENI), ECS "Elastic network interface
//! trunking" (trunk limits), Fargate "Task CPU and memory" (valid sizes,
//! also in SPEC-COST.md), the EKS optimized AMI's `eni-max-pods.txt` and
//! `bootstrap.sh` (max pods, kube-reserved CPU and memory).

/// One EC2 instance type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceType {
    pub name: &'static str,
    pub vcpus: u32,
    pub memory_mib: u32,
    pub gpus: u32,
    /// Network interfaces the instance can attach (the primary included).
    pub max_enis: u32,
    /// Task ENIs with awsvpc trunking on, 0 where trunking is unsupported.
    pub trunk_enis: u32,
    /// Private IPv4 addresses per network interface.
    pub ipv4_per_eni: u32,
    pub arm: bool,
}

impl InstanceType {
    /// ECS CPU units (1 vCPU = 1,024 units).
    pub fn cpu_units(&self) -> u32 {
        self.vcpus * 1024
    }

    /// awsvpc tasks one instance can hold: one ENI per task, minus the
    /// primary ENI, or the trunk limit when trunking is on.
    pub fn awsvpc_task_capacity(&self, trunking: bool) -> u32 {
        if trunking && self.trunk_enis > 0 {
            self.trunk_enis
        } else {
            self.max_enis.saturating_sub(1)
        }
    }

    /// The EKS AMI's max pods with the VPC CNI (no prefix delegation):
    /// `ENIs x (IPv4 per ENI - 1) + 2`; the 2 are `aws-node` and
    /// `kube-proxy`, which use the host's network and take no address.
    pub fn eks_max_pods(&self) -> u32 {
        self.max_enis * self.ipv4_per_eni.saturating_sub(1) + 2
    }

    /// Pods of workloads a node can hold: one VPC address each, so
    /// `ENIs x (IPv4 per ENI - 1)` (max pods less the two host-network
    /// DaemonSet pods every node runs).
    pub fn eks_workload_pods(&self) -> u32 {
        self.eks_max_pods() - 2
    }

    /// What the kubelet can give pods, as the EKS AMI's `bootstrap.sh`
    /// reserves: (millicores, MiB). CPU: 6% of the first core, 1% of the
    /// second, 0.5% of the third and fourth, 0.25% of each beyond;
    /// memory: kube-reserved 255 MiB + 11 MiB per max pod, and the
    /// 100 MiB hard eviction threshold. The memory the kernel keeps
    /// (a node reports a little less than its type's size) is not
    /// subtracted.
    pub fn eks_allocatable(&self) -> (u64, u64) {
        let cores = u64::from(self.vcpus);
        // Tenths of a millicore per core: 600, 100, 50, 50, then 25.
        let reserved_tenths: u64 = (0..cores)
            .map(|c| match c {
                0 => 600,
                1 => 100,
                2 | 3 => 50,
                _ => 25,
            })
            .sum();
        let cpu = (cores * 1000).saturating_sub(reserved_tenths.div_ceil(10));
        let mem = u64::from(self.memory_mib)
            .saturating_sub(255 + 11 * u64::from(self.eks_max_pods()) + 100);
        (cpu, mem)
    }
}

// One positional argument per column keeps the table below one line a type.
#[allow(clippy::too_many_arguments)]
const fn it(
    name: &'static str,
    vcpus: u32,
    memory_mib: u32,
    gpus: u32,
    max_enis: u32,
    trunk_enis: u32,
    ipv4_per_eni: u32,
    arm: bool,
) -> InstanceType {
    InstanceType {
        name,
        vcpus,
        memory_mib,
        gpus,
        max_enis,
        trunk_enis,
        ipv4_per_eni,
        arm,
    }
}

/// The instance types archsim knows, sorted by name.
pub const INSTANCE_TYPES: &[InstanceType] = &[
    it("c5.large", 2, 4096, 0, 3, 10, 10, false),
    it("c5.xlarge", 4, 8192, 0, 4, 12, 15, false),
    it("g4dn.xlarge", 4, 16384, 1, 3, 29, 10, false),
    it("g5.xlarge", 4, 16384, 1, 4, 34, 15, false),
    it("m5.large", 2, 8192, 0, 3, 10, 10, false),
    it("m5.xlarge", 4, 16384, 0, 4, 20, 15, false),
    it("m6i.large", 2, 8192, 0, 3, 10, 10, false),
    it("m7g.large", 2, 8192, 0, 3, 10, 10, true),
    it("m7g.xlarge", 4, 16384, 0, 4, 20, 15, true),
    it("t3.large", 2, 8192, 0, 3, 0, 12, false),
    it("t3.medium", 2, 4096, 0, 3, 0, 6, false),
    it("t3.small", 2, 2048, 0, 3, 0, 4, false),
];

/// Looks up an instance type by its API name (`m5.large`).
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// Valid Fargate task sizes: (CPU units, memory MiB choices).
pub fn fargate_memory_choices(cpu_units: u32) -> Option<Vec<u32>> {
    let gib = |from: u32, to: u32, step: u32| -> Vec<u32> {
        (from..=to)
            .step_by(step as usize)
            .map(|g| g * 1024)
            .collect()
    };
    Some(match cpu_units {
        256 => vec![512, 1024, 2048],
        512 => gib(1, 4, 1),
        1024 => gib(2, 8, 1),
        2048 => gib(4, 16, 1),
        4096 => gib(8, 30, 1),
        8192 => gib(16, 60, 4),
        16384 => gib(32, 120, 8),
        _ => return None,
    })
}

/// Whether (CPU units, memory MiB) is a size Fargate accepts.
pub fn is_valid_fargate_size(cpu_units: u32, memory_mib: u32) -> bool {
    fargate_memory_choices(cpu_units).is_some_and(|m| m.contains(&memory_mib))
}

/// The Fargate CPU values, in units.
pub const FARGATE_CPU_UNITS: &[u32] = &[256, 512, 1024, 2048, 4096, 8192, 16384];

/// The Fargate size (CPU units, memory MiB) an EKS pod on a Fargate
/// profile gets, and is billed for: its CPU and memory requests, plus
/// 256 MiB for the Kubernetes components (kubelet, kube-proxy,
/// containerd), rounded up to the smallest configuration that holds both
/// (EKS "Understand Fargate Pod configuration details": 1 vCPU and 8 GB
/// requested becomes 2 vCPU and 9 GB). None when no configuration is
/// large enough.
pub fn eks_fargate_pod_size(cpu_millicores: u32, memory_mib: u32) -> Option<(u32, u32)> {
    let memory = memory_mib + 256;
    FARGATE_CPU_UNITS
        .iter()
        .filter(|&&units| u64::from(units) * 1000 >= u64::from(cpu_millicores) * 1024)
        .find_map(|&units| {
            let choices = fargate_memory_choices(units)?;
            choices
                .into_iter()
                .find(|&m| m >= memory)
                .map(|m| (units, m))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_sizes_follow_the_published_table() {
        assert!(is_valid_fargate_size(256, 512));
        assert!(is_valid_fargate_size(256, 2048));
        assert!(!is_valid_fargate_size(256, 4096));
        assert!(is_valid_fargate_size(1024, 2048));
        assert!(!is_valid_fargate_size(1024, 1024));
        assert!(is_valid_fargate_size(4096, 30 * 1024));
        assert!(is_valid_fargate_size(8192, 20 * 1024));
        assert!(!is_valid_fargate_size(8192, 18 * 1024));
        assert!(is_valid_fargate_size(16384, 120 * 1024));
        assert!(!is_valid_fargate_size(300, 1024));
    }

    #[test]
    fn eks_fargate_pods_get_256_mib_more_rounded_up_to_a_configuration() {
        // EKS's own example: 1 vCPU and 8 GB requested -> 2 vCPU, 9 GB.
        assert_eq!(eks_fargate_pod_size(1000, 8192), Some((2048, 9 * 1024)));
        // 250m and 512 MiB: 768 MiB -> 0.25 vCPU, 1 GB.
        assert_eq!(eks_fargate_pod_size(250, 512), Some((256, 1024)));
        // Nothing requested: the smallest configuration.
        assert_eq!(eks_fargate_pod_size(0, 0), Some((256, 512)));
        // 1 GB requested is 1.25 GB: 2 GB, still 0.25 vCPU.
        assert_eq!(eks_fargate_pod_size(100, 1024), Some((256, 2048)));
        // 0.3 vCPU needs 0.5 vCPU; 2 GB + 256 MiB -> 3 GB.
        assert_eq!(eks_fargate_pod_size(300, 2048), Some((512, 3 * 1024)));
        // A whole vCPU in millicores fits 1 vCPU (1,024 units).
        assert_eq!(eks_fargate_pod_size(1000, 1024), Some((1024, 2048)));
        // 16 vCPU and 120 GB is the largest; 120 GB + 256 MiB fits none.
        assert_eq!(
            eks_fargate_pod_size(16_000, 119 * 1024),
            Some((16384, 120 * 1024))
        );
        assert_eq!(eks_fargate_pod_size(16_000, 120 * 1024), None);
        assert_eq!(eks_fargate_pod_size(17_000, 1024), None);
    }

    #[test]
    fn awsvpc_capacity_is_enis_minus_primary_or_trunk() {
        let c5 = instance_type("c5.large").unwrap();
        assert_eq!(c5.awsvpc_task_capacity(false), 2);
        assert_eq!(c5.awsvpc_task_capacity(true), 10);
        let t3 = instance_type("t3.medium").unwrap();
        assert_eq!(t3.awsvpc_task_capacity(true), 2);
    }

    #[test]
    fn eks_max_pods_follow_the_amis_table() {
        // eni-max-pods.txt of the EKS optimized AMI.
        for (name, pods) in [
            ("c5.large", 29),
            ("c5.xlarge", 58),
            ("g4dn.xlarge", 29),
            ("g5.xlarge", 58),
            ("m5.large", 29),
            ("m5.xlarge", 58),
            ("m6i.large", 29),
            ("m7g.large", 29),
            ("m7g.xlarge", 58),
            ("t3.large", 35),
            ("t3.medium", 17),
            ("t3.small", 11),
        ] {
            assert_eq!(instance_type(name).unwrap().eks_max_pods(), pods, "{name}");
        }
        assert_eq!(instance_type("t3.small").unwrap().eks_workload_pods(), 9);
    }

    #[test]
    fn eks_allocatable_is_capacity_less_kube_reserved_and_eviction() {
        // m5.large: 2 vCPU -> 60 + 10 = 70 m reserved; 8,192 MiB less
        // 255 + 11 x 29 = 574 MiB and 100 MiB eviction.
        assert_eq!(
            instance_type("m5.large").unwrap().eks_allocatable(),
            (1_930, 7_518)
        );
        // m5.xlarge: 4 vCPU -> 60 + 10 + 5 + 5 = 80 m; 255 + 11 x 58 = 893 MiB.
        assert_eq!(
            instance_type("m5.xlarge").unwrap().eks_allocatable(),
            (3_920, 15_391)
        );
    }

    #[test]
    fn instance_table_is_sorted_and_unique() {
        let names: Vec<_> = INSTANCE_TYPES.iter().map(|t| t.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
}
