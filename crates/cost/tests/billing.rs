//! Bills reproduced to the cent: AWS's two worked examples (SPEC-COST.md)
//! and cases derived by hand from the published rates. Each expected figure
//! is computed in the comment above it, from the rate as printed in
//! SPEC-COST.md, never from the engine.

use archsim_cost::{
    ApiGatewayUsage, ApiKind, Architecture, Assumptions, ComponentUsage, CostReport, DynamoDbUsage,
    Ec2Usage, EcrUsage, EksUsage, FargateUsage, LambdaBilling, LambdaUsage, LoadBalancerKind,
    LoadBalancerUsage, PriceBook, ProvisionedConcurrencyUsage, QueueType, S3Usage, ServiceUsage,
    SqsUsage, UsageError, UsageProfile, monthly_cost,
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
        ComponentUsage::new(
            "table",
            DynamoDbUsage {
                write_request_units: 10e6,
                read_request_units: 50e6,
                storage_gb_month: 20.0,
            },
        ),
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
