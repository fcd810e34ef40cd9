//! Bills reproduced to the cent: AWS's two worked examples (SPEC-COST.md)
//! and cases derived by hand from the published rates. Each expected figure
//! is computed in the comment above it, from the rate as printed in
//! SPEC-COST.md, never from the engine.

use archsim_cost::{
    ApiGatewayUsage, ApiKind, Architecture, Assumptions, AuroraUsage, CloudFrontUsage,
    CognitoUsage, ComponentUsage, CostReport, DynamoDbUsage, Ec2Usage, EcrUsage, EksUsage,
    EventBridgeUsage, FargateUsage, FirehoseUsage, KinesisMode, KinesisUsage, LambdaBilling,
    LambdaUsage, LexUsage, LoadBalancerKind, LoadBalancerUsage, LogsUsage, NetworkUsage, PriceBook,
    ProvisionedCapacity, ProvisionedConcurrencyUsage, QueueType, RdsEngine, RdsUsage, S3Usage,
    SavingsPlan, SavingsPlanKind, SecretsManagerUsage, ServiceUsage, SnsUsage, SqsUsage,
    StepFunctionsUsage, UsageError, UsageProfile, VpcEndpointUsage, XRayUsage, monthly_cost,
};
use rust_decimal::Decimal;
use std::str::FromStr;

fn usd(text: &str) -> Decimal {
    Decimal::from_str(text).expect("test literal")
}

fn bill(components: Vec<ComponentUsage>, assumptions: &Assumptions) -> CostReport {
    let book = PriceBook::default_book().expect("embedded book");
    monthly_cost(&book, &UsageProfile { components }, assumptions).expect("valid usage")
}

fn with_free_tier() -> Assumptions {
    Assumptions {
        free_tier: true,
        ..Assumptions::default()
    }
}

/// Amounts of the report's lines whose description contains `needle`.
fn amounts(report: &CostReport, needle: &str) -> Vec<Decimal> {
    report
        .line_items
        .iter()
        .filter(|l| l.description.contains(needle))
        .map(|l| l.amount_usd)
        .collect()
}

fn mobile_backend() -> LambdaUsage {
    LambdaUsage::new(3_000_000.0, 120.0, 1536)
}

#[test]
fn aws_example_lambda_mobile_backend_is_2_73() {
    // AWS: 3M requests x 120 ms x 1536 MB (1.5 GB), x86, free tier applied.
    // 360,000 s x 1.5 GB = 540,000 GB-s - 400,000 free = 140,000 GB-s
    // x $0.0000166667 = $2.333338 -> $2.33; (3M - 1M) x $0.20/M = $0.40.
    let report = bill(
        vec![ComponentUsage::new("api-fn", mobile_backend())],
        &with_free_tier(),
    );
    assert_eq!(
        amounts(&report, "Duration (x86)"),
        vec![usd("0.00"), usd("2.33")]
    );
    assert_eq!(amounts(&report, "Requests"), vec![usd("0.00"), usd("0.40")]);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["line_items"][0]["description"], "Requests (free tier)");
    assert_eq!(json["line_items"][0]["amount_usd"], "0.00");
    assert_eq!(report.total_usd, usd("2.73"));
    let duration = report
        .line_items
        .iter()
        .find(|l| l.description == "Duration (x86), tier 1 (first 6 B GB-seconds)");
    assert_eq!(duration.map(|l| l.quantity), Some(usd("140000")));
}

#[test]
fn aws_example_fargate_scheduled_tasks_is_1_26() {
    // AWS: 5 tasks, 10 minutes a day for 30 days, 1 vCPU, 2 GB, 30 GB storage.
    // vCPU 5 x 1 x 0.000011244 x 600 x 30 = $1.01196 -> $1.01
    // memory 5 x 2 x 0.000001235 x 600 x 30 = $0.2223 -> $0.22
    // storage 5 x (30 - 20) x 0.0000000308 x 600 x 30 = $0.02772 -> $0.03
    let usage = FargateUsage {
        tasks: 5.0,
        runs_per_task: 30.0,
        seconds_per_run: Some(600.0),
        ephemeral_storage_gb: 30.0,
        ..FargateUsage::always_on(5.0, 1.0, 2.0)
    };
    let assumptions = Assumptions {
        month_hours: 720.0,
        ..Assumptions::default()
    };
    let report = bill(vec![ComponentUsage::new("batch", usage)], &assumptions);
    let lines: Vec<Decimal> = report.line_items.iter().map(|l| l.amount_usd).collect();
    assert_eq!(lines, vec![usd("1.01"), usd("0.22"), usd("0.03")]);
    assert_eq!(report.total_usd, usd("1.26"));
}

#[test]
fn lambda_x86_tiers_cross_6_billion_gb_seconds() {
    // 700M invocations x 1,000 ms x 10,240 MB (10 GB) = 7 B GB-s, no free tier.
    // tier 1: 6 B x $0.0000166667 = $100,000.20; tier 2: 1 B x $0.000015 =
    // $15,000.00; requests 700M x $0.20/M = $140.00; total $115,140.20.
    let one = bill(
        vec![ComponentUsage::new(
            "big",
            LambdaUsage::new(700e6, 1000.0, 10_240),
        )],
        &Assumptions::default(),
    );
    assert_eq!(amounts(&one, "tier 1"), vec![usd("100000.20")]);
    assert_eq!(amounts(&one, "tier 2"), vec![usd("15000.00")]);
    assert_eq!(one.total_usd, usd("115140.20"));

    // Tiers aggregate over the account: two functions of 3.5 B GB-s each
    // cross the tier together and each pays half of each tier:
    // $50,000.10 + $7,500.00 + $70.00 each, the same $115,140.20 in all.
    let two = bill(
        vec![
            ComponentUsage::new("a", LambdaUsage::new(350e6, 1000.0, 10_240)),
            ComponentUsage::new("b", LambdaUsage::new(350e6, 1000.0, 10_240)),
        ],
        &Assumptions::default(),
    );
    assert_eq!(
        amounts(&two, "tier 1"),
        vec![usd("50000.10"), usd("50000.10")]
    );
    assert_eq!(
        amounts(&two, "tier 2"),
        vec![usd("7500.00"), usd("7500.00")]
    );
    assert_eq!(two.total_usd, usd("115140.20"));
}

#[test]
fn lambda_arm_mobile_backend() {
    // The mobile backend on Arm: 140,000 GB-s after the free tier
    // x $0.0000133334 = $1.866676 -> $1.87; requests $0.40; total $2.27.
    let usage = LambdaUsage {
        architecture: Architecture::Arm64,
        ..mobile_backend()
    };
    let report = bill(vec![ComponentUsage::new("fn", usage)], &with_free_tier());
    assert_eq!(
        amounts(&report, "Duration (Arm), tier 1"),
        vec![usd("1.87")]
    );
    assert_eq!(report.total_usd, usd("2.27"));
}

#[test]
fn lambda_free_tier_is_shared_by_x86_and_arm() {
    // Two mobile backends, one x86 and one Arm, 540,000 GB-s each: the
    // 400,000 free GB-s are shared in proportion, 200,000 each.
    // x86 340,000 x $0.0000166667 = $5.666678 -> $5.67
    // Arm 340,000 x $0.0000133334 = $4.533356 -> $4.53
    // requests: 1M free shared, 2.5M billed each x $0.20/M = $0.50 each
    // total $11.20.
    let arm = LambdaUsage {
        architecture: Architecture::Arm64,
        ..mobile_backend()
    };
    let report = bill(
        vec![
            ComponentUsage::new("x86-fn", mobile_backend()),
            ComponentUsage::new("arm-fn", arm),
        ],
        &with_free_tier(),
    );
    assert_eq!(
        amounts(&report, "Duration (x86), tier 1"),
        vec![usd("5.67")]
    );
    assert_eq!(
        amounts(&report, "Duration (Arm), tier 1"),
        vec![usd("4.53")]
    );
    assert_eq!(report.total_usd, usd("11.20"));
}

#[test]
fn lambda_provisioned_concurrency_with_overflow() {
    // 1,024 MB (1 GB) x86, provisioned concurrency 10 for the whole 730 h
    // month; 12M requests of 100 ms, 10M served by provisioned
    // environments, 2M overflow on demand. Free tier on: as in AWS's own
    // example it covers the requests and the on-demand duration, never the
    // provisioned charges.
    // configured: 10 x 1 GB x 2,628,000 s = 26,280,000 GB-s x $0.0000041667
    //   = $109.500876 -> $109.50
    // served: 10M x 0.1 s x 1 GB = 1,000,000 GB-s x $0.0000097222 = $9.72
    // overflow: 2M x 0.1 s = 200,000 GB-s, all within the 400,000 free
    // requests: (12M - 1M free) x $0.20/M = $2.20; total $121.42.
    let usage = LambdaUsage {
        provisioned_concurrency: Some(ProvisionedConcurrencyUsage::new(10, 10e6)),
        ..LambdaUsage::new(12e6, 100.0, 1024)
    };
    let report = bill(vec![ComponentUsage::new("pc-fn", usage)], &with_free_tier());
    assert_eq!(
        amounts(&report, "Provisioned concurrency"),
        vec![usd("109.50")]
    );
    assert_eq!(amounts(&report, "Provisioned duration"), vec![usd("9.72")]);
    assert_eq!(amounts(&report, "Duration (x86)"), vec![usd("0.00")]);
    assert_eq!(amounts(&report, "Requests"), vec![usd("0.00"), usd("2.20")]);
    assert_eq!(report.total_usd, usd("121.42"));
    // Without the free tier the overflow and every request are billed:
    // 200,000 GB-s x $0.0000166667 = $3.33; 12M x $0.20/M = $2.40.
    let usage = LambdaUsage {
        provisioned_concurrency: Some(ProvisionedConcurrencyUsage::new(10, 10e6)),
        ..LambdaUsage::new(12e6, 100.0, 1024)
    };
    let report = bill(
        vec![ComponentUsage::new("pc-fn", usage)],
        &Assumptions::default(),
    );
    assert_eq!(amounts(&report, "Duration (x86)"), vec![usd("3.33")]);
    assert_eq!(report.total_usd, usd("124.95"));
}

#[test]
fn aws_example_app_launch_with_provisioned_concurrency_is_19_96() {
    // AWS's Lambda pricing page, "app launch with provisioned concurrency":
    // 1,536 MB (1.5 GB) x86, provisioned concurrency 100 for 8 hours;
    // 500,000 invocations of 100 ms served by it, 2.5M of 120 ms on demand,
    // 3M requests in all, free tier applied.
    // configured: 100 x 1.5 GB x 28,800 s = 4,320,000 GB-s x $0.0000041667
    //   = $18.000144 -> $18.00
    // provisioned duration: 500,000 x 0.1 s x 1.5 GB = 75,000 GB-s
    //   x $0.0000097222 = $0.729165 -> $0.73
    // on-demand duration: 2.5M x 0.12 s x 1.5 GB = 450,000 GB-s
    //   - 400,000 free = 50,000 x $0.0000166667 = $0.833335 -> $0.83
    // requests: (3M - 1M free) x $0.20/M = $0.40
    // total $19.96.
    let usage = LambdaUsage {
        // All invocations: 500,000 x 100 ms + 2.5M x 120 ms.
        billed_duration_ms_total: Some(500_000.0 * 100.0 + 2.5e6 * 120.0),
        provisioned_concurrency: Some(ProvisionedConcurrencyUsage {
            hours_enabled: Some(8.0),
            served_duration_ms: Some(100.0),
            ..ProvisionedConcurrencyUsage::new(100, 500_000.0)
        }),
        ..LambdaUsage::new(3e6, 116.67, 1536)
    };
    let report = bill(
        vec![ComponentUsage::new("launch", usage)],
        &with_free_tier(),
    );
    assert_eq!(
        amounts(&report, "Provisioned concurrency"),
        vec![usd("18.00")]
    );
    assert_eq!(amounts(&report, "Provisioned duration"), vec![usd("0.73")]);
    assert_eq!(
        amounts(&report, "Duration (x86)"),
        vec![usd("0.00"), usd("0.83")]
    );
    assert_eq!(amounts(&report, "Requests"), vec![usd("0.00"), usd("0.40")]);
    assert_eq!(report.total_usd, usd("19.96"));
}

#[test]
fn provisioned_time_cannot_exceed_the_functions_time() {
    let usage = LambdaUsage {
        provisioned_concurrency: Some(ProvisionedConcurrencyUsage {
            served_duration_ms: Some(500.0),
            ..ProvisionedConcurrencyUsage::new(1, 1000.0)
        }),
        ..LambdaUsage::new(1000.0, 100.0, 1024)
    };
    let book = PriceBook::default_book().expect("embedded book");
    let err = monthly_cost(
        &book,
        &UsageProfile {
            components: vec![ComponentUsage::new("f", usage)],
        },
        &Assumptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("component `f`") && err.to_string().contains("served_duration_ms"),
        "{err}"
    );
}

#[test]
fn lambda_provisioned_hours_round_up_to_five_minutes() {
    // Enabled 1 h 1 min -> billed 65 min = 3,900 s; 100 x 2 GB x 3,900 s =
    // 780,000 GB-s x $0.0000041667 = $3.250026 -> $3.25.
    let usage = LambdaUsage {
        provisioned_concurrency: Some(ProvisionedConcurrencyUsage {
            hours_enabled: Some(1.0 + 1.0 / 60.0),
            ..ProvisionedConcurrencyUsage::new(100, 0.0)
        }),
        ..LambdaUsage::new(0.0, 100.0, 2048)
    };
    let report = bill(
        vec![ComponentUsage::new("pc", usage)],
        &Assumptions::default(),
    );
    assert_eq!(report.total_usd, usd("3.25"));
}

#[test]
fn lambda_legacy_100ms_rounding() {
    // Before December 2020: 120 ms rounds up to 200 ms at $0.00001667.
    // 3M x 0.2 s x 1.5 GB = 900,000 - 400,000 free = 500,000 GB-s
    // x $0.00001667 = $8.335 exactly -> $8.34 (half up); requests $0.40;
    // total $8.74.
    let assumptions = Assumptions {
        lambda_billing: LambdaBilling::Legacy100Ms,
        ..with_free_tier()
    };
    let report = bill(
        vec![ComponentUsage::new("fn", mobile_backend())],
        &assumptions,
    );
    assert_eq!(
        amounts(&report, "legacy 100 ms"),
        vec![usd("0.00"), usd("8.34")]
    );
    assert_eq!(report.total_usd, usd("8.74"));
}

#[test]
fn lambda_ephemeral_storage_above_512_mb() {
    // 2,048 MB of /tmp: 1,536 MB (1.5 GB) billed for the 360,000 s
    // = 540,000 GB-s x $0.0000000309 = $0.016686 -> $0.02.
    let usage = LambdaUsage {
        ephemeral_storage_mb: 2048,
        ..mobile_backend()
    };
    let report = bill(vec![ComponentUsage::new("fn", usage)], &with_free_tier());
    assert_eq!(amounts(&report, "Ephemeral storage"), vec![usd("0.02")]);
    assert_eq!(report.total_usd, usd("2.75"));
}

#[test]
fn alb_where_processed_bytes_dominate_the_lcu() {
    // 730 h; per hour: 100 new conn/s / 25 = 4 LCU; 6,000 active/min / 3,000
    // = 2; 10 GB/h / 1 = 10; 500 req/s x (12 - 10) rules / 1,000 = 1.
    // LCU = max = 10 (bytes). 730 x $0.0225 = $16.425 -> $16.43 (half up);
    // 7,300 LCU-h x $0.008 = $58.40; total $74.83.
    let alb = LoadBalancerUsage {
        new_connections_per_s: 100.0,
        active_connections_per_min: 6000.0,
        gb_processed_per_hour: 10.0,
        requests_per_s: 500.0,
        rules_processed: 12.0,
        ..LoadBalancerUsage::alb()
    };
    let report = bill(
        vec![ComponentUsage::new("alb", alb.clone())],
        &Assumptions::default(),
    );
    assert_eq!(amounts(&report, "ALB hours"), vec![usd("16.43")]);
    assert_eq!(amounts(&report, "LCU-hours"), vec![usd("58.40")]);
    assert!(
        report.line_items[1]
            .description
            .contains("processed bytes dominate")
    );
    assert_eq!(report.total_usd, usd("74.83"));

    // Lambda targets: 10 GB/h / 0.4 = 25 LCU; 18,250 LCU-h x $0.008 = $146.00.
    let to_lambda = LoadBalancerUsage {
        lambda_targets: true,
        ..alb
    };
    let report = bill(
        vec![ComponentUsage::new("alb", to_lambda)],
        &Assumptions::default(),
    );
    assert_eq!(amounts(&report, "LCU-hours"), vec![usd("146.00")]);
    assert_eq!(report.total_usd, usd("162.43"));
}

#[test]
fn nlb_nlcu_from_new_connections() {
    // 730 h; 1,600 new conn/s / 800 = 2 NLCU; 50,000 active/min / 100,000 =
    // 0.5; 0.5 GB/h / 1 = 0.5. 1,460 NLCU-h x $0.006 = $8.76; hours $16.43;
    // total $25.19.
    let nlb = LoadBalancerUsage {
        kind: LoadBalancerKind::Nlb,
        new_connections_per_s: 1600.0,
        active_connections_per_min: 50_000.0,
        gb_processed_per_hour: 0.5,
        ..LoadBalancerUsage::alb()
    };
    let report = bill(
        vec![ComponentUsage::new("nlb", nlb)],
        &Assumptions::default(),
    );
    assert_eq!(amounts(&report, "NLCU-hours"), vec![usd("8.76")]);
    assert_eq!(report.total_usd, usd("25.19"));
}

#[test]
fn fargate_arm_always_on() {
    // 2 always-on Arm tasks, 0.5 vCPU, 1 GB, 730 h = 2,628,000 s each.
    // vCPU 2 x 0.5 x 2,628,000 = 2,628,000 vCPU-s x $0.0000089944
    //   = $23.6372832 -> $23.64
    // memory 2 x 1 x 2,628,000 = 5,256,000 GB-s x $0.0000009889
    //   = $5.1976584 -> $5.20; total $28.84.
    let usage = FargateUsage {
        architecture: Architecture::Arm64,
        ..FargateUsage::always_on(2.0, 0.5, 1.0)
    };
    let report = bill(
        vec![ComponentUsage::new("svc", usage)],
        &Assumptions::default(),
    );
    let lines: Vec<Decimal> = report.line_items.iter().map(|l| l.amount_usd).collect();
    assert_eq!(lines, vec![usd("23.64"), usd("5.20")]);
    assert_eq!(report.total_usd, usd("28.84"));
}

#[test]
fn fargate_spot_takes_the_book_discount() {
    // 1 task 1 vCPU / 2 GB x86 all month on Spot at the book's 70% off:
    // 2,628,000 x $0.000011244 x 0.3 = $8.8647696 -> $8.86
    // 5,256,000 x $0.000001235 x 0.3 = $1.947348 -> $1.95; total $10.81.
    let usage = FargateUsage {
        spot: true,
        ..FargateUsage::always_on(1.0, 1.0, 2.0)
    };
    let report = bill(
        vec![ComponentUsage::new("svc", usage)],
        &Assumptions::default(),
    );
    assert_eq!(report.total_usd, usd("10.81"));
    assert!(
        report.line_items[0]
            .description
            .contains("Fargate Spot (70% off)")
    );
}

#[test]
fn fargate_bills_one_minute_minimum_per_run() {
    // 1,000 runs of 20 s are billed 60 s each: 60,000 s.
    // vCPU 60,000 x $0.000011244 = $0.67464 -> $0.67 (not $0.22 for 20 s)
    // memory 60,000 x 2 x $0.000001235 = $0.1482 -> $0.15; total $0.82.
    let usage = FargateUsage {
        runs_per_task: 1000.0,
        seconds_per_run: Some(20.0),
        ..FargateUsage::always_on(1.0, 1.0, 2.0)
    };
    let report = bill(
        vec![ComponentUsage::new("job", usage)],
        &Assumptions::default(),
    );
    assert_eq!(report.total_usd, usd("0.82"));
}

#[test]
fn api_gateway_rest_crosses_the_333m_tier() {
    // 500M REST calls, no free tier: 333M x $3.50/M = $1,165.50;
    // 167M x $2.80/M = $467.60; total $1,633.10.
    let rest = ApiGatewayUsage {
        kind: ApiKind::Rest,
        requests: 500e6,
    };
    let report = bill(
        vec![ComponentUsage::new("api", rest.clone())],
        &Assumptions::default(),
    );
    let lines: Vec<Decimal> = report.line_items.iter().map(|l| l.amount_usd).collect();
    assert_eq!(lines, vec![usd("1165.50"), usd("467.60")]);
    assert_eq!(report.total_usd, usd("1633.10"));

    // With the free tier the first 1M is free and tiers count what is
    // billed (499M): 333M x $3.50 = $1,165.50 + 166M x $2.80 = $464.80;
    // total $1,630.30.
    let report = bill(vec![ComponentUsage::new("api", rest)], &with_free_tier());
    assert_eq!(report.total_usd, usd("1630.30"));
}

#[test]
fn api_gateway_http_tiers() {
    // 400M HTTP API calls: 300M x $1.00/M + 100M x $0.90/M = $390.00.
    let http = ApiGatewayUsage {
        kind: ApiKind::Http,
        requests: 400e6,
    };
    let report = bill(
        vec![ComponentUsage::new("api", http)],
        &Assumptions::default(),
    );
    assert_eq!(report.total_usd, usd("390.00"));
}

#[test]
fn sqs_with_free_tier_and_64_kb_chunks() {
    // 5M sends of 100 KB = 2 chunks each = 10M billed requests; 1M free;
    // 9M x $0.40/M = $3.60.
    let standard = SqsUsage {
        queue_type: QueueType::Standard,
        requests: 5e6,
        payload_kb: 100.0,
    };
    let report = bill(
        vec![ComponentUsage::new("queue", standard.clone())],
        &with_free_tier(),
    );
    assert_eq!(
        amounts(&report, "Standard queue requests"),
        vec![usd("0.00"), usd("3.60")]
    );
    assert_eq!(report.total_usd, usd("3.60"));

    // A FIFO queue with 2M requests shares the 1M free requests in
    // proportion (10:2): standard 10M - 833,333.33 = 9,166,666.67 x
    // $0.40/M = $3.67; FIFO 2M - 166,666.67 = 1,833,333.33 x $0.50/M =
    // $0.92; total $4.59.
    let fifo = SqsUsage {
        queue_type: QueueType::Fifo,
        requests: 2e6,
        payload_kb: 1.0,
    };
    let report = bill(
        vec![
            ComponentUsage::new("queue", standard),
            ComponentUsage::new("orders.fifo", fifo),
        ],
        &with_free_tier(),
    );
    assert_eq!(report.total_usd, usd("4.59"));
}

#[test]
fn flat_rated_services() {
    // EC2 2 x m5.large x 730 h = 1,460 h x $0.096 = $140.16
    // EC2 g5.xlarge 100 h x $1.006 = $100.60
    // EKS 1 cluster x 730 h x $0.10 = $73.00
    // ECR 10 GB-month x $0.10 = $1.00
    // DynamoDB 10M WRU x $0.625/M = $6.25; 50M RRU x $0.125/M = $6.25;
    //   20 GB x $0.25 = $5.00
    // S3 100 GB x $0.023 = $2.30; 1M PUT x $0.005/1,000 = $5.00;
    //   10M GET x $0.0004/1,000 = $4.00
    // total $343.56.
    let components = vec![
        ComponentUsage::new(
            "asg",
            Ec2Usage {
                instance_type: "m5.large".into(),
                instances: 2.0,
                hours_per_instance: None,
            },
        ),
        ComponentUsage::new(
            "gpu",
            Ec2Usage {
                instance_type: "g5.xlarge".into(),
                instances: 1.0,
                hours_per_instance: Some(100.0),
            },
        ),
        ComponentUsage::new(
            "eks",
            EksUsage {
                clusters: 1.0,
                hours: None,
                support: Default::default(),
            },
        ),
        ComponentUsage::new(
            "ecr",
            EcrUsage {
                storage_gb_month: 10.0,
            },
        ),
        ComponentUsage::new("table", DynamoDbUsage::on_demand(10e6, 50e6, 20.0)),
        ComponentUsage::new(
            "bucket",
            S3Usage {
                storage_gb_month: 100.0,
                put_requests: 1e6,
                get_requests: 10e6,
            },
        ),
    ];
    let report = bill(components, &Assumptions::default());
    let lines: Vec<Decimal> = report.line_items.iter().map(|l| l.amount_usd).collect();
    let expected: Vec<Decimal> = [
        "140.16", "100.60", "73.00", "1.00", "6.25", "6.25", "5.00", "2.30", "5.00", "4.00",
    ]
    .iter()
    .map(|s| usd(s))
    .collect();
    assert_eq!(lines, expected);
    assert_eq!(report.total_usd, usd("343.56"));
    let per_component = report.component_totals();
    assert_eq!(per_component[0], ("asg".to_string(), usd("140.16")));
    assert_eq!(per_component[4], ("table".to_string(), usd("17.50")));
}

#[test]
fn discount_applies_to_the_rounded_subtotal() {
    // 10% off the $2.73 mobile backend: $0.273 -> $0.27; total $2.46.
    let assumptions = Assumptions {
        discount_percent: 10.0,
        ..with_free_tier()
    };
    let report = bill(
        vec![ComponentUsage::new("fn", mobile_backend())],
        &assumptions,
    );
    assert_eq!(report.subtotal_usd, usd("2.73"));
    assert_eq!(report.discount_usd, usd("0.27"));
    assert_eq!(report.total_usd, usd("2.46"));
}

#[test]
fn invalid_usage_names_the_component_and_field() {
    let book = PriceBook::default_book().unwrap();
    let profile = |usage: ServiceUsage| UsageProfile {
        components: vec![ComponentUsage {
            component_id: "orders-fn".into(),
            usage,
            scaling: None,
        }],
    };
    let err = monthly_cost(
        &book,
        &profile(LambdaUsage::new(1e6, 100.0, 64).into()),
        &Assumptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, UsageError::InvalidValue { component_id, field, .. }
        if component_id == "orders-fn" && field == "memory_mb")
    );
    assert!(err.to_string().contains("128 to 10,240 MB"), "{err}");

    let err = monthly_cost(
        &book,
        &profile(LambdaUsage::new(f64::NAN, 100.0, 128).into()),
        &Assumptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("`requests`"), "{err}");

    let unknown = Ec2Usage {
        instance_type: "m99.huge".into(),
        instances: 1.0,
        hours_per_instance: None,
    };
    let err = monthly_cost(&book, &profile(unknown.into()), &Assumptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("m99.huge") && text.contains("m5.large") && text.contains("orders-fn"),
        "{text}"
    );

    let err = monthly_cost(
        &book,
        &UsageProfile::default(),
        &Assumptions {
            month_hours: 800.0,
            ..Assumptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("month_hours"), "{err}");
}

#[test]
fn usage_profile_reads_from_json_and_report_writes_exact_amounts() {
    let text = r#"{
        "components": [
            { "component_id": "api-fn",
              "usage": { "lambda": { "requests": 3000000, "duration_ms": 120, "memory_mb": 1536 } } },
            { "component_id": "svc",
              "usage": { "fargate": { "tasks": 2, "vcpu": 0.5, "memory_gb": 1, "architecture": "arm64" } },
              "scaling": { "whole_units": { "min": 2 } } }
        ]
    }"#;
    let profile: UsageProfile = serde_json::from_str(text).expect("profile parses");
    let book = PriceBook::default_book().unwrap();
    let report = monthly_cost(&book, &profile, &with_free_tier()).unwrap();
    // $2.73 (mobile backend) + $28.84 (two Arm tasks, see fargate_arm_always_on).
    assert_eq!(report.total_usd, usd("31.57"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["total_usd"], "31.57");
    assert_eq!(json["assumptions"]["lambda_billing"], "1ms");
    assert_eq!(json["line_items"][0]["component_id"], "api-fn");

    let typo = text.replace("\"duration_ms\"", "\"duration\"");
    assert!(serde_json::from_str::<UsageProfile>(&typo).is_err());
}

// ---------------------------------------------------------------------------
// Services priced since the bill stopped leaving them out. Each figure is
// worked by hand from the us-east-1 rate in the comment (AWS pricing pages).

fn one(usage: impl Into<ServiceUsage>, assumptions: &Assumptions) -> CostReport {
    bill(vec![ComponentUsage::new("c", usage)], assumptions)
}

#[test]
fn provisioned_dynamodb_table_bills_capacity_hours_not_requests() {
    // 100 WCU and 500 RCU for a 730 h month:
    // 100 x 730 = 73,000 WCU-h x $0.00065 = $47.45;
    // 500 x 730 = 365,000 RCU-h x $0.00013 = $47.45; 10 GB x $0.25 = $2.50.
    // The 50M request units the capacity served are not billed again.
    let usage = DynamoDbUsage {
        provisioned: Some(ProvisionedCapacity {
            read_capacity_units: 500.0,
            write_capacity_units: 100.0,
            hours: None,
        }),
        ..DynamoDbUsage::on_demand(25e6, 25e6, 10.0)
    };
    let report = one(usage, &Assumptions::default());
    assert_eq!(amounts(&report, "write capacity"), vec![usd("47.45")]);
    assert_eq!(amounts(&report, "read capacity"), vec![usd("47.45")]);
    assert!(amounts(&report, "On-demand").is_empty());
    assert_eq!(report.total_usd, usd("97.40"));
}

#[test]
fn kinesis_provisioned_stream_month() {
    // 2 shards x 730 h = 1,460 shard-h x $0.015 = $21.90;
    // 100 records/s of 30 KB for 2,628,000 s = 262.8M records, 2 PUT
    // payload units each (25 KB units) = 525.6M x $0.014/M = $7.3584 -> $7.36.
    let usage = KinesisUsage {
        mode: KinesisMode::Provisioned,
        shards: 2.0,
        hours: None,
        records: 100.0 * 2_628_000.0,
        record_kb: 30.0,
        consumers: 1.0,
    };
    let report = one(usage, &Assumptions::default());
    assert_eq!(amounts(&report, "Shard hours"), vec![usd("21.90")]);
    assert_eq!(amounts(&report, "PUT payload units"), vec![usd("7.36")]);
    assert_eq!(report.total_usd, usd("29.26"));
}

#[test]
fn kinesis_on_demand_rounds_records_to_1_kb() {
    // 730 stream-h x $0.04 = $29.20; 1,048,576 records of 0.5 KB round
    // up to 1 KB: 1 GB in x $0.08 = $0.08; read by 2 consumers: 2 GB out
    // x $0.04 = $0.08.
    let usage = KinesisUsage {
        mode: KinesisMode::OnDemand,
        shards: 0.0,
        hours: None,
        records: 1_048_576.0,
        record_kb: 0.5,
        consumers: 2.0,
    };
    let report = one(usage, &Assumptions::default());
    assert_eq!(amounts(&report, "stream hours"), vec![usd("29.20")]);
    assert_eq!(amounts(&report, "data in"), vec![usd("0.08")]);
    assert_eq!(amounts(&report, "data out"), vec![usd("0.08")]);
}

#[test]
fn aurora_serverless_v2_month() {
    // 2 ACU mean x 730 h = 1,460 ACU-h x $0.12 = $175.20;
    // 50 GB x $0.10 = $5.00; 100M I/O x $0.20/M = $20.00.
    let usage = AuroraUsage {
        mean_acu: 2.0,
        hours: None,
        storage_gb_month: 50.0,
        io_requests: 100e6,
    };
    let report = one(usage, &Assumptions::default());
    assert_eq!(amounts(&report, "Serverless v2"), vec![usd("175.20")]);
    assert_eq!(report.total_usd, usd("200.20"));
}

#[test]
fn rds_multi_az_doubles_instance_and_storage() {
    // db.t3.medium PostgreSQL $0.072/h: Multi-AZ $0.144 x 730 h = $105.12;
    // 100 GB gp2 x $0.115 x 2 = $23.00.
    let usage = RdsUsage {
        engine: RdsEngine::Postgres,
        instance_class: "db.t3.medium".into(),
        multi_az: true,
        hours: None,
        storage_gb: 100.0,
    };
    let report = one(usage, &Assumptions::default());
    assert_eq!(amounts(&report, "db.t3.medium"), vec![usd("105.12")]);
    assert_eq!(amounts(&report, "storage"), vec![usd("23.00")]);
    let unknown = RdsUsage {
        instance_class: "db.x99.huge".into(),
        engine: RdsEngine::Mysql,
        multi_az: false,
        hours: None,
        storage_gb: 20.0,
    };
    let book = PriceBook::default_book().unwrap();
    let err = monthly_cost(
        &book,
        &UsageProfile {
            components: vec![ComponentUsage::new("db", unknown)],
        },
        &Assumptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("db.x99.huge"), "{err}");
}

#[test]
fn nat_gateway_month_with_public_addresses() {
    // One NAT gateway: 730 h x $0.045 = $32.85; 100 GB processed x $0.045
    // = $4.50; 3 public IPv4 addresses x 730 h x $0.005 = $10.95;
    // 500 GB out to the internet: 100 GB free (free tier on), 400 GB x
    // $0.09 = $36.00; 10 GB across zones, each direction: 20 GB x $0.01 =
    // $0.20.
    let usage = NetworkUsage {
        nat_gateways: 1.0,
        nat_gb_processed: 100.0,
        public_ipv4_addresses: 3.0,
        internet_out_gb: 500.0,
        inter_az_gb: 10.0,
    };
    let report = one(usage, &with_free_tier());
    assert_eq!(amounts(&report, "NAT gateway hours"), vec![usd("32.85")]);
    assert_eq!(amounts(&report, "NAT gateway data"), vec![usd("4.50")]);
    assert_eq!(amounts(&report, "Public IPv4"), vec![usd("10.95")]);
    assert_eq!(
        amounts(&report, "to the internet"),
        vec![usd("0.00"), usd("36.00")]
    );
    assert_eq!(
        amounts(&report, "across availability zones"),
        vec![usd("0.20")]
    );
    assert_eq!(report.total_usd, usd("84.50"));
}

#[test]
fn sns_bills_publishes_in_64_kb_chunks_and_free_deliveries_at_zero() {
    // 10M publishes of 100 KB = 2 chunks each = 20M requests x $0.50/M =
    // $10.00; 10M HTTP deliveries of 2 chunks = 20M x $0.60/M = $12.00;
    // 10M deliveries to SQS: free.
    let usage = SnsUsage {
        publishes: 10e6,
        payload_kb: 100.0,
        http_deliveries: 10e6,
        email_deliveries: 0.0,
        free_deliveries: 10e6,
    };
    let report = one(usage, &Assumptions::default());
    assert_eq!(amounts(&report, "Publish"), vec![usd("10.00")]);
    assert_eq!(amounts(&report, "HTTP/S"), vec![usd("12.00")]);
    assert_eq!(amounts(&report, "(free)"), vec![usd("0.00")]);
    assert_eq!(report.total_usd, usd("22.00"));
}

#[test]
fn firehose_rounds_each_record_up_to_5_kb() {
    // 1,048,576 records of 1 KB are billed as 5 KB each: 5 GB x $0.029 =
    // $0.145 -> $0.15 (half up).
    let usage = FirehoseUsage {
        records: 1_048_576.0,
        record_kb: 1.0,
    };
    let report = one(usage, &Assumptions::default());
    assert_eq!(report.total_usd, usd("0.15"));
}

#[test]
fn cognito_cloudfront_eventbridge_lex_xray_logs_clb() {
    // Cognito: 25,000 MAU, 10,000 free: 15,000 x $0.015 = $225.00.
    let r = one(
        CognitoUsage {
            monthly_active_users: 25_000.0,
        },
        &with_free_tier(),
    );
    assert_eq!(r.total_usd, usd("225.00"));
    // CloudFront: 20M requests (10M free) = 10M x $0.01/10k = $10.00;
    // 2,048 GB out (1,024 free) = 1,024 GB x $0.085 = $87.04.
    let r = one(
        CloudFrontUsage {
            requests: 20e6,
            data_out_gb: 2048.0,
        },
        &with_free_tier(),
    );
    assert_eq!(r.total_usd, usd("97.04"));
    // EventBridge: 3M custom events of 100 KB = 6M x $1/M = $6.00.
    let r = one(
        EventBridgeUsage {
            custom_events: 3e6,
            payload_kb: 100.0,
            scheduler_invocations: 0.0,
            scheduled_rule_invocations: 8_760.0,
            ..Default::default()
        },
        &Assumptions::default(),
    );
    assert_eq!(r.total_usd, usd("6.00"));
    // AWS's example: an event with a 256 KB payload is billed as 4
    // events: 1M of them = 4M x $1/M = $4.00.
    let r = one(
        EventBridgeUsage {
            custom_events: 1e6,
            payload_kb: 256.0,
            ..Default::default()
        },
        &Assumptions::default(),
    );
    assert_eq!(r.total_usd, usd("4.00"));
    // Pipes: 5M requests after filtering of 10 KB = 5M x $0.40/M =
    // $2.00; an archive: 100 GB processed x $0.10 = $10.00 and 50
    // GB-months x $0.023 = $1.15.
    let r = one(
        EventBridgeUsage {
            payload_kb: 10.0,
            pipe_requests: 5e6,
            archive_processed_gb: 100.0,
            archive_storage_gb_month: 50.0,
            ..Default::default()
        },
        &Assumptions::default(),
    );
    assert_eq!(r.total_usd, usd("13.15"));
    // Lex: 10,000 text requests x $0.00075 = $7.50.
    let r = one(
        LexUsage {
            text_requests: 10_000.0,
            speech_requests: 0.0,
        },
        &Assumptions::default(),
    );
    assert_eq!(r.total_usd, usd("7.50"));
    // X-Ray: 1.1M traces, 100k free: 1M x $5/M = $5.00.
    let r = one(
        XRayUsage {
            traces_recorded: 1.1e6,
            traces_retrieved: 0.0,
        },
        &with_free_tier(),
    );
    assert_eq!(r.total_usd, usd("5.00"));
    // Logs: 15 GB ingested and stored, 5 GB free shared: 20 GB billable
    // of 30 in proportion: ingestion 10 x $0.50 = $5.00, storage 10 x
    // $0.03 = $0.30.
    let r = one(
        LogsUsage {
            ingested_gb: 15.0,
            stored_gb_month: 15.0,
        },
        &with_free_tier(),
    );
    assert_eq!(amounts(&r, "Log ingestion"), vec![usd("0.00"), usd("6.25")]);
    // (free 5 GB shared in proportion: 2.5 each; 12.5 x $0.50 = $6.25,
    // 12.5 x $0.03 = $0.375 -> $0.38)
    assert_eq!(amounts(&r, "Log storage"), vec![usd("0.00"), usd("0.38")]);
    // CLB: 730 h x $0.025 = $18.25; 1 GB/h x 730 h x $0.008 = $5.84.
    let r = one(
        LoadBalancerUsage {
            kind: LoadBalancerKind::Clb,
            gb_processed_per_hour: 1.0,
            ..LoadBalancerUsage::alb()
        },
        &Assumptions::default(),
    );
    assert_eq!(r.total_usd, usd("24.09"));
}

/// 10 m5.large instances all month: 7,300 h x $0.096 = $700.80 on demand.
fn m5_fleet() -> ComponentUsage {
    ComponentUsage::new(
        "asg",
        Ec2Usage {
            instance_type: "m5.large".into(),
            instances: 10.0,
            hours_per_instance: None,
        },
    )
}

#[test]
fn a_compute_savings_plan_buys_the_deepest_discount_first_up_to_its_commitment() {
    // The book's 1-year Compute Savings Plan: 27% off EC2, 20% off
    // Fargate, 12% off Lambda duration (no upfront).
    // 10 x m5.large all month: 7,300 h x $0.096 = $700.80 on demand.
    // One always-on 1 vCPU / 2 GB Fargate task: $36.04 on demand.
    // A $0.50/h commitment is $365.00 for the month. EC2 has the deepest
    // discount: its $700.80 costs $511.584 at the plan's rate, more than
    // the commitment, so the plan buys $365.00 / 0.73 = $500.00 of it and
    // nothing of Fargate. Bill: 700.80 - 500.00 + 36.04 + 365.00 = $601.84.
    let assumptions = Assumptions {
        savings_plans: vec![SavingsPlan {
            kind: SavingsPlanKind::Compute,
            commitment_usd_per_hour: 0.5,
            term_years: 1,
        }],
        ..Assumptions::default()
    };
    let report = bill(
        vec![
            m5_fleet(),
            ComponentUsage::new("svc", FargateUsage::always_on(1.0, 1.0, 2.0)),
        ],
        &assumptions,
    );
    assert_eq!(amounts(&report, "commitment"), vec![usd("365.00")]);
    assert_eq!(
        amounts(&report, "Covered by the Compute Savings Plan"),
        vec![usd("-500.00")]
    );
    let covered = report
        .line_items
        .iter()
        .find(|l| l.description.starts_with("Covered"))
        .unwrap();
    assert_eq!(covered.component_id, "asg");
    let commitment = report
        .line_items
        .iter()
        .find(|l| l.description.contains("commitment"))
        .unwrap();
    assert_eq!(commitment.component_id, archsim_cost::SAVINGS_PLANS_ID);
    assert_eq!(report.total_usd, usd("601.84"));

    // A commitment larger than the usage at the plan's rate covers all of
    // it and the rest of the commitment is paid unused: $1/h = $730.00 >
    // 511.584 + 36.04 x 0.80 = $540.416: bill = $730.00.
    let big = Assumptions {
        savings_plans: vec![SavingsPlan {
            commitment_usd_per_hour: 1.0,
            ..assumptions.savings_plans[0].clone()
        }],
        ..Assumptions::default()
    };
    let report = bill(
        vec![
            m5_fleet(),
            ComponentUsage::new("svc", FargateUsage::always_on(1.0, 1.0, 2.0)),
        ],
        &big,
    );
    assert_eq!(report.total_usd, usd("730.00"));
}

#[test]
fn an_ec2_instance_plan_applies_before_a_compute_plan_and_never_to_lambda() {
    // EC2 Instance plan, 1 year, 34% off EC2: $0.10/h = $73.00 buys
    // 73.00 / 0.66 = $110.606 of the $700.80 EC2; then the Compute plan
    // ($0.05/h = $36.50) takes the deepest discount left, EC2 at 27%:
    // 36.50 / 0.73 = $50.00. The Lambda function is not touched by the
    // first plan. Bill: 700.80 - 110.61 - 50.00 + 73.00 + 36.50 + Lambda.
    let assumptions = Assumptions {
        savings_plans: vec![
            SavingsPlan {
                kind: SavingsPlanKind::Compute,
                commitment_usd_per_hour: 0.05,
                term_years: 1,
            },
            SavingsPlan {
                kind: SavingsPlanKind::Ec2Instance,
                commitment_usd_per_hour: 0.1,
                term_years: 1,
            },
        ],
        ..Assumptions::default()
    };
    let report = bill(
        vec![ComponentUsage::new("fn", mobile_backend()), m5_fleet()],
        &assumptions,
    );
    assert_eq!(
        amounts(&report, "Covered by the EC2 Instance Savings Plan"),
        vec![usd("-110.61")]
    );
    assert_eq!(
        amounts(&report, "Covered by the Compute Savings Plan"),
        vec![usd("-50.00")]
    );
    // A 2-year term does not exist.
    let bad = Assumptions {
        savings_plans: vec![SavingsPlan {
            kind: SavingsPlanKind::Compute,
            commitment_usd_per_hour: 1.0,
            term_years: 2,
        }],
        ..Assumptions::default()
    };
    let book = PriceBook::default_book().unwrap();
    let err = monthly_cost(
        &book,
        &UsageProfile {
            components: vec![ComponentUsage::new("fn", mobile_backend())],
        },
        &bad,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("savings_plans[0].term_years"),
        "{err}"
    );
}

#[test]
fn secrets_manager_bills_each_secret_month_and_each_10_000_api_calls() {
    // The pricing page's two rates: $0.40 per secret per month, $0.05 per
    // 10,000 API calls. Three secrets read 6M times in all:
    // 3 x $0.40 + 600 x $0.05 = $1.20 + $30.00 = $31.20.
    let r = one(
        SecretsManagerUsage {
            secrets: 3.0,
            api_calls: 6e6,
        },
        &with_free_tier(),
    );
    assert_eq!(r.total_usd, usd("31.20"));
    assert_eq!(amounts(&r, "Secrets stored"), vec![usd("1.20")]);
    assert_eq!(amounts(&r, "API calls"), vec![usd("30.00")]);
}

#[test]
fn an_interface_endpoint_bills_each_zone_hour_and_each_gb() {
    // AWS PrivateLink pricing: $0.01 per endpoint per AZ per hour, $0.01
    // per GB processed. Two zones for a 730 h month and 100 GB:
    // 1,460 h x $0.01 + 100 x $0.01 = $14.60 + $1.00 = $15.60.
    let r = one(
        VpcEndpointUsage {
            availability_zones: 2.0,
            gb_processed: 100.0,
        },
        &with_free_tier(),
    );
    assert_eq!(r.total_usd, usd("15.60"));
}

#[test]
fn step_functions_standard_bills_transitions_past_the_free_4000() {
    // AWS's Standard example: a workflow of four state transitions run
    // 100,000 times a month: 400,000 transitions, less 4,000 free =
    // 396,000 x $0.025/1,000 = $9.90; without the free tier $10.00.
    let usage = || StepFunctionsUsage {
        express: false,
        executions: 100_000.0,
        transitions: 400_000.0,
        gb_seconds: 0.0,
    };
    assert_eq!(one(usage(), &with_free_tier()).total_usd, usd("9.90"));
    assert_eq!(
        one(usage(), &Assumptions::default()).total_usd,
        usd("10.00")
    );
}

#[test]
fn step_functions_express_bills_requests_and_tiered_gb_seconds() {
    // 1,000,000 Express executions of 30 s at 64 MB: 1,000,000 x 30 x
    // 64/1,024 = 1,875,000 GB-s x $0.00001667 = $31.25625 -> $31.26;
    // requests 1M x $1.00/M = $1.00. No free tier.
    let report = one(
        StepFunctionsUsage {
            express: true,
            executions: 1e6,
            transitions: 0.0,
            gb_seconds: 1_875_000.0,
        },
        &with_free_tier(),
    );
    assert_eq!(amounts(&report, "Express requests"), vec![usd("1.00")]);
    assert_eq!(report.total_usd, usd("32.26"));
    // 80M executions of 1 s at 64 MB = 5,000,000 GB-s: the first 3,600,000
    // (1,000 GB-hours) x $0.00001667 = $60.012, the next 1,400,000 x
    // $0.00000833 = $11.662; requests $80.00.
    let report = one(
        StepFunctionsUsage {
            express: true,
            executions: 80e6,
            transitions: 0.0,
            gb_seconds: 5_000_000.0,
        },
        &Assumptions::default(),
    );
    let duration: Decimal = amounts(&report, "Express duration").iter().sum();
    assert!(
        duration == usd("71.67") || duration == usd("71.68"),
        "{duration}"
    );
    assert_eq!(amounts(&report, "Express requests"), vec![usd("80.00")]);
}
