//! Facts about AWS that the model needs to judge a design: EC2 instance
//! types (size, GPUs, network interfaces) and Fargate's valid task sizes.
//!
//! Sources: EC2 "Maximum IP addresses per network interface per instance
//! type" (ENIs), ECS "Elastic network interface trunking" (trunk limits),
//! Fargate "Task CPU and memory" (valid sizes, also in SPEC-COST.md).

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
}

const fn it(
    name: &'static str,
    vcpus: u32,
    memory_mib: u32,
    gpus: u32,
    max_enis: u32,
    trunk_enis: u32,
    arm: bool,
) -> InstanceType {
    InstanceType {
        name,
        vcpus,
        memory_mib,
        gpus,
        max_enis,
        trunk_enis,
        arm,
    }
}

/// The instance types archsim knows, sorted by name.
pub const INSTANCE_TYPES: &[InstanceType] = &[
    it("c5.large", 2, 4096, 0, 3, 10, false),
    it("c5.xlarge", 4, 8192, 0, 4, 12, false),
    it("g4dn.xlarge", 4, 16384, 1, 3, 29, false),
    it("g5.xlarge", 4, 16384, 1, 4, 34, false),
    it("m5.large", 2, 8192, 0, 3, 10, false),
    it("m5.xlarge", 4, 16384, 0, 4, 20, false),
    it("m6i.large", 2, 8192, 0, 3, 10, false),
    it("m7g.large", 2, 8192, 0, 3, 10, true),
    it("m7g.xlarge", 4, 16384, 0, 4, 20, true),
    it("t3.large", 2, 8192, 0, 3, 0, false),
    it("t3.medium", 2, 4096, 0, 3, 0, false),
    it("t3.small", 2, 2048, 0, 3, 0, false),
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
    fn awsvpc_capacity_is_enis_minus_primary_or_trunk() {
        let c5 = instance_type("c5.large").unwrap();
        assert_eq!(c5.awsvpc_task_capacity(false), 2);
        assert_eq!(c5.awsvpc_task_capacity(true), 10);
        let t3 = instance_type("t3.medium").unwrap();
        assert_eq!(t3.awsvpc_task_capacity(true), 2);
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
