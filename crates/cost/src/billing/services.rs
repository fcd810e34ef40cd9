//! Each service's lines: what one component's usage of it costs, as
//! flat-rate charges and quantities pooled at the account level.

use super::*;

impl Ctx<'_> {
    pub(super) fn lambda(&self, u: &LambdaUsage) -> Result<Vec<Entry>, UsageError> {
        let prices = &self.book.lambda;
        if !(128..=10_240).contains(&u.memory_mb) {
            return Err(self.invalid(
                "memory_mb",
                u.memory_mb,
                "Lambda memory is 128 to 10,240 MB",
            ));
        }
        if !(512..=10_240).contains(&u.ephemeral_storage_mb) {
            return Err(self.invalid(
                "ephemeral_storage_mb",
                u.ephemeral_storage_mb,
                "Lambda ephemeral storage is 512 to 10,240 MB",
            ));
        }
        let requests = self.amount("requests", u.requests)?;
        let duration_ms = self.amount("duration_ms", u.duration_ms)?;
        let memory_gb = Decimal::from(u.memory_mb) / Decimal::from(1024);
        let granularity_ms = match self.assumptions.lambda_billing {
            LambdaBilling::Millisecond => Decimal::ONE,
            LambdaBilling::Legacy100Ms => Decimal::ONE_HUNDRED,
        };
        let billed_ms = (duration_ms / granularity_ms).ceil() * granularity_ms;
        let thousand = Decimal::from(1000);
        let billed_seconds = match u.billed_duration_ms_total {
            Some(total) => self.amount("billed_duration_ms_total", total)? / thousand,
            None => requests * billed_ms / thousand,
        };

        let mut provisioned = Vec::new();
        let mut served_seconds = Decimal::ZERO;
        if let Some(pc) = &u.provisioned_concurrency {
            let served = self.amount(
                "provisioned_concurrency.requests_served",
                pc.requests_served,
            )?;
            if served > requests {
                return Err(self.invalid(
                    "provisioned_concurrency.requests_served",
                    served,
                    &format!("at most the function's {requests} requests"),
                ));
            }
            let enabled_seconds = self
                .hours_or_month("provisioned_concurrency.hours_enabled", pc.hours_enabled)?
                * Decimal::from(3600);
            let increment = prices
                .provisioned_billing_increment
                .value
                .value()
                .max(Decimal::ONE);
            let billed_enabled = (enabled_seconds / increment).ceil() * increment;
            served_seconds = match (pc.served_billed_duration_ms_total, pc.served_duration_ms) {
                (Some(total), _) => {
                    self.amount(
                        "provisioned_concurrency.served_billed_duration_ms_total",
                        total,
                    )? / thousand
                }
                (None, Some(ms)) => {
                    let ms = self.amount("provisioned_concurrency.served_duration_ms", ms)?;
                    served * ((ms / granularity_ms).ceil() * granularity_ms) / thousand
                }
                (None, None) if requests.is_zero() => Decimal::ZERO,
                (None, None) => billed_seconds * served / requests,
            };
            if served_seconds > billed_seconds {
                return Err(self.invalid(
                    "provisioned_concurrency.served_duration_ms",
                    (served_seconds * thousand).normalize(),
                    &format!(
                        "the served invocations' billed time (ms) is at most the function's {} ms",
                        (billed_seconds * thousand).normalize()
                    ),
                ));
            }
            let (configured_rate, duration_rate) = match u.architecture {
                Architecture::X86_64 => (
                    &prices.provisioned_concurrency_x86,
                    &prices.provisioned_duration_x86,
                ),
                Architecture::Arm64 => (
                    &prices.provisioned_concurrency_arm,
                    &prices.provisioned_duration_arm,
                ),
            };
            provisioned.push(Entry::Charge(Charge::from_rate(
                LAMBDA,
                format!(
                    "Provisioned concurrency ({}): {} x {} GB for {} h",
                    u.architecture.label(),
                    pc.concurrency,
                    memory_gb.normalize(),
                    (billed_enabled / Decimal::from(3600))
                        .round_dp(3)
                        .normalize()
                ),
                Decimal::from(pc.concurrency) * memory_gb * billed_enabled,
                configured_rate,
            )));
            provisioned.push(Entry::Charge(Charge::from_rate(
                LAMBDA,
                format!(
                    "Provisioned duration ({}): {} invocations served",
                    u.architecture.label(),
                    served
                ),
                served_seconds * memory_gb,
                duration_rate,
            )));
        }

        // AWS's worked example (PC 100 for 8 h) applies the free tier to
        // the requests and to the duration billed on demand, provisioned
        // or not; the provisioned charges above never get it.
        let duration_pool = match (self.assumptions.lambda_billing, u.architecture) {
            (LambdaBilling::Legacy100Ms, Architecture::X86_64) => Pool::LambdaDurationLegacy,
            (_, arch) => Pool::LambdaDuration(arch),
        };
        let mut entries = vec![
            Entry::Pooled {
                pool: Pool::LambdaRequests,
                quantity: requests,
            },
            Entry::Pooled {
                pool: duration_pool,
                quantity: (billed_seconds - served_seconds) * memory_gb,
            },
        ];
        entries.extend(provisioned);

        let included_mb = prices.included_ephemeral_storage.value.value();
        let extra_mb = Decimal::from(u.ephemeral_storage_mb) - included_mb;
        if extra_mb > Decimal::ZERO {
            entries.push(Entry::Charge(Charge::from_rate(
                LAMBDA,
                format!("Ephemeral storage above {included_mb} MB ({extra_mb} MB)"),
                billed_seconds * extra_mb / Decimal::from(1024),
                &prices.ephemeral_storage,
            )));
        }
        Ok(entries)
    }

    pub(super) fn fargate(&self, u: &FargateUsage) -> Result<Vec<Entry>, UsageError> {
        let prices = &self.book.fargate;
        let tasks = self.amount("tasks", u.tasks)?;
        let runs = self.amount("runs_per_task", u.runs_per_task)?;
        let vcpu = self.size("vcpu", u.vcpu)?;
        let memory_gb = self.size("memory_gb", u.memory_gb)?;
        let storage_gb = self.amount("ephemeral_storage_gb", u.ephemeral_storage_gb)?;
        let included_gb = prices.included_ephemeral_storage.value.value();
        if storage_gb < included_gb || u.ephemeral_storage_gb > 200.0 {
            return Err(self.invalid(
                "ephemeral_storage_gb",
                u.ephemeral_storage_gb,
                &format!("Fargate ephemeral storage is {included_gb} to 200 GB"),
            ));
        }
        let run_seconds = match u.seconds_per_run {
            Some(s) => self.amount("seconds_per_run", s)?.ceil(),
            None => self.month_seconds(),
        };
        let billed_run = run_seconds.max(prices.minimum_billed_seconds.value.value());
        let task_seconds = tasks * runs * billed_run;

        let (vcpu_rate, memory_rate) = match u.architecture {
            Architecture::X86_64 => (&prices.vcpu_x86, &prices.memory_x86),
            Architecture::Arm64 => (&prices.vcpu_arm, &prices.memory_arm),
        };
        let spot_pct = prices.spot_discount_percent.value.value();
        let (factor, kind) = if u.spot {
            (
                Decimal::ONE - spot_pct / Decimal::ONE_HUNDRED,
                format!("Fargate Spot ({spot_pct}% off)"),
            )
        } else {
            (Decimal::ONE, "Fargate".to_string())
        };
        let arch = u.architecture.label();
        let shape = format!(
            "{} tasks x {} runs x {} s",
            tasks.normalize(),
            runs.normalize(),
            billed_run.normalize()
        );
        let discounted = |rate: &Rate, description: String, quantity: Decimal| {
            let mut charge = Charge::from_rate(FARGATE, description, quantity, rate);
            charge.rate_usd *= factor;
            Entry::Charge(charge)
        };
        let mut entries = vec![
            discounted(
                vcpu_rate,
                format!("{kind} vCPU ({arch}): {shape} x {} vCPU", vcpu.normalize()),
                task_seconds * vcpu,
            ),
            discounted(
                memory_rate,
                format!(
                    "{kind} memory ({arch}): {shape} x {} GB",
                    memory_gb.normalize()
                ),
                task_seconds * memory_gb,
            ),
        ];
        let extra_gb = storage_gb - included_gb;
        if extra_gb > Decimal::ZERO {
            entries.push(Entry::Charge(Charge::from_rate(
                FARGATE,
                format!(
                    "Ephemeral storage above {included_gb} GB: {shape} x {} GB",
                    extra_gb.normalize()
                ),
                task_seconds * extra_gb,
                &prices.ephemeral_storage,
            )));
        }
        Ok(entries)
    }

    pub(super) fn ec2(&self, u: &Ec2Usage) -> Result<Vec<Entry>, UsageError> {
        let instance = self.book.instance_type(&u.instance_type).ok_or_else(|| {
            UsageError::UnknownInstanceType {
                component_id: self.component_id.to_string(),
                instance_type: u.instance_type.clone(),
                region: self.book.region.clone(),
                known: self
                    .book
                    .ec2
                    .instance_types
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?;
        let instances = self.amount("instances", u.instances)?;
        let hour = Decimal::from(3600);
        let seconds =
            (self.hours_or_month("hours_per_instance", u.hours_per_instance)? * hour).ceil();
        let billed_seconds = seconds.max(self.book.ec2.minimum_billed_seconds.value.value());
        let instance_hours = instances * billed_seconds / hour;
        Ok(vec![Entry::Charge(Charge {
            service: EC2,
            description: format!(
                "{} Linux on-demand: {} instances x {} h",
                u.instance_type,
                instances.normalize(),
                (billed_seconds / hour).round_dp(3).normalize()
            ),
            quantity: instance_hours,
            unit: "instance-hour".into(),
            rate_usd: instance.usd_per_hour.value(),
            per: Decimal::ONE,
        })])
    }

    pub(super) fn load_balancer(&self, u: &LoadBalancerUsage) -> Result<Vec<Entry>, UsageError> {
        let elb = &self.book.elb;
        let hours = self.hours_or_month("hours", u.hours)?;
        let new_connections = self.amount("new_connections_per_s", u.new_connections_per_s)?;
        let active_connections =
            self.amount("active_connections_per_min", u.active_connections_per_min)?;
        let gb_per_hour = self.amount("gb_processed_per_hour", u.gb_processed_per_hour)?;
        let (name, hour_rate, capacity_rate, capacity_unit, dimensions) = match u.kind {
            LoadBalancerKind::Clb => {
                let clb = &self.book.clb;
                return Ok(vec![
                    Entry::Charge(Charge::from_rate(ELB, "CLB hours".into(), hours, &clb.hour)),
                    Entry::Charge(Charge::from_rate(
                        ELB,
                        "CLB data processed".into(),
                        gb_per_hour * hours,
                        &clb.gb_processed,
                    )),
                ]);
            }
            LoadBalancerKind::Alb => {
                let d = &elb.alb_lcu;
                let requests = self.amount("requests_per_s", u.requests_per_s)?;
                let rules = self.amount("rules_processed", u.rules_processed)?;
                let paid_rules = (rules - d.free_rules_per_request.value()).max(Decimal::ZERO);
                let bytes_divisor = if u.lambda_targets {
                    d.gb_processed_per_hour_lambda_targets.value()
                } else {
                    d.gb_processed_per_hour.value()
                };
                (
                    "ALB",
                    &elb.alb_hour,
                    &elb.alb_lcu_hour,
                    "LCU",
                    vec![
                        (
                            new_connections / d.new_connections_per_second.value(),
                            "new connections",
                        ),
                        (
                            active_connections / d.active_connections_per_minute.value(),
                            "active connections",
                        ),
                        (gb_per_hour / bytes_divisor, "processed bytes"),
                        (
                            requests * paid_rules / d.rule_evaluations_per_second.value(),
                            "rule evaluations",
                        ),
                    ],
                )
            }
            LoadBalancerKind::Nlb => {
                let d = &elb.nlb_nlcu;
                (
                    "NLB",
                    &elb.nlb_hour,
                    &elb.nlb_nlcu_hour,
                    "NLCU",
                    vec![
                        (
                            new_connections / d.new_connections_per_second.value(),
                            "new connections",
                        ),
                        (
                            active_connections / d.active_connections_per_minute.value(),
                            "active connections",
                        ),
                        (
                            gb_per_hour / d.gb_processed_per_hour.value(),
                            "processed bytes",
                        ),
                    ],
                )
            }
        };
        // Usage is an hourly average, so the hourly maximum over the
        // dimensions is the same every hour.
        let (units, dominant) =
            dimensions
                .into_iter()
                .fold((Decimal::ZERO, "no traffic"), |best, (value, name)| {
                    if value > best.0 { (value, name) } else { best }
                });
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                ELB,
                format!("{name} hours"),
                hours,
                hour_rate,
            )),
            Entry::Charge(Charge::from_rate(
                ELB,
                format!(
                    "{name} {capacity_unit}-hours: {} {capacity_unit} per hour, {dominant} dominate",
                    units.round_dp(4).normalize()
                ),
                units * hours,
                capacity_rate,
            )),
        ])
    }

    pub(super) fn api_gateway(&self, u: &ApiGatewayUsage) -> Result<Vec<Entry>, UsageError> {
        let pool = match u.kind {
            ApiKind::Rest => Pool::ApiRest,
            ApiKind::Http => Pool::ApiHttp,
        };
        Ok(vec![Entry::Pooled {
            pool,
            quantity: self.amount("requests", u.requests)?,
        }])
    }

    pub(super) fn eks(&self, u: &EksUsage) -> Result<Vec<Entry>, UsageError> {
        let clusters = self.amount("clusters", u.clusters)?;
        let hours = self.hours_or_month("hours", u.hours)?;
        let (rate, support) = match u.support {
            EksSupport::Standard => (&self.book.eks.cluster_hour_standard, "standard"),
            EksSupport::Extended => (&self.book.eks.cluster_hour_extended, "extended"),
        };
        Ok(vec![Entry::Charge(Charge::from_rate(
            EKS,
            format!(
                "Cluster control plane ({support} support): {} clusters",
                clusters.normalize()
            ),
            clusters * hours,
            rate,
        ))])
    }

    pub(super) fn ecr(&self, u: &EcrUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![self.charge(
            ECR,
            "Repository storage",
            "storage_gb_month",
            u.storage_gb_month,
            &self.book.ecr.storage,
        )?])
    }

    pub(super) fn sqs(&self, u: &SqsUsage) -> Result<Vec<Entry>, UsageError> {
        let requests = self.amount("requests", u.requests)?;
        let payload_kb = self.amount("payload_kb", u.payload_kb)?;
        let chunk_kb = self
            .book
            .sqs
            .request_chunk_kb
            .value
            .value()
            .max(Decimal::ONE);
        let chunks = (payload_kb / chunk_kb).ceil().max(Decimal::ONE);
        let pool = match u.queue_type {
            QueueType::Standard => Pool::SqsStandard,
            QueueType::Fifo => Pool::SqsFifo,
        };
        Ok(vec![Entry::Pooled {
            pool,
            quantity: requests * chunks,
        }])
    }

    pub(super) fn dynamodb(&self, u: &DynamoDbUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.dynamodb;
        let writes = self.amount("write_request_units", u.write_request_units)?;
        let reads = self.amount("read_request_units", u.read_request_units)?;
        let mut entries = match &u.provisioned {
            None => vec![
                Entry::Charge(Charge::from_rate(
                    DYNAMODB,
                    "On-demand write request units".into(),
                    writes,
                    &p.write_request_units,
                )),
                Entry::Charge(Charge::from_rate(
                    DYNAMODB,
                    "On-demand read request units".into(),
                    reads,
                    &p.read_request_units,
                )),
            ],
            Some(c) => {
                let hours = self.hours_or_month("provisioned.hours", c.hours)?;
                let wcu =
                    self.amount("provisioned.write_capacity_units", c.write_capacity_units)?;
                let rcu = self.amount("provisioned.read_capacity_units", c.read_capacity_units)?;
                vec![
                    Entry::Charge(Charge::from_rate(
                        DYNAMODB,
                        format!(
                            "Provisioned write capacity: {} WCU x {} h",
                            wcu.round_dp(3).normalize(),
                            hours.round_dp(3).normalize()
                        ),
                        wcu * hours,
                        &p.provisioned_wcu_hour,
                    )),
                    Entry::Charge(Charge::from_rate(
                        DYNAMODB,
                        format!(
                            "Provisioned read capacity: {} RCU x {} h",
                            rcu.round_dp(3).normalize(),
                            hours.round_dp(3).normalize()
                        ),
                        rcu * hours,
                        &p.provisioned_rcu_hour,
                    )),
                ]
            }
        };
        entries.push(self.charge(
            DYNAMODB,
            "Table storage",
            "storage_gb_month",
            u.storage_gb_month,
            &p.storage,
        )?);
        entries.push(self.charge(
            DYNAMODB,
            "Streams read request units",
            "stream_read_request_units",
            u.stream_read_request_units,
            &p.stream_read_request_units,
        )?);
        entries.push(self.charge(
            DYNAMODB,
            "Point-in-time recovery (continuous backups)",
            "pitr_storage_gb_month",
            u.pitr_storage_gb_month,
            &p.pitr_storage,
        )?);
        Ok(entries)
    }

    pub(super) fn rds(&self, u: &RdsUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.rds;
        let Some(class) = p.instance_types.get(&u.instance_class) else {
            return Err(UsageError::UnknownInstanceType {
                component_id: self.component_id.to_string(),
                instance_type: u.instance_class.clone(),
                region: self.book.region.clone(),
                known: p
                    .instance_types
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let hours = self.hours_or_month("hours", u.hours)?;
        let storage = self.amount("storage_gb", u.storage_gb)?;
        let (engine, hourly) = match u.engine {
            RdsEngine::Postgres => ("PostgreSQL", class.postgres_usd_per_hour.value()),
            RdsEngine::Mysql => ("MySQL", class.mysql_usd_per_hour.value()),
        };
        let (factor, deployment) = if u.multi_az {
            (p.multi_az_factor.value.value(), "Multi-AZ")
        } else {
            (Decimal::ONE, "Single-AZ")
        };
        let mut storage_charge = Charge::from_rate(
            RDS,
            format!("General Purpose (gp2) storage, {deployment}"),
            storage * hours / self.month_hours,
            &p.storage_gp2,
        );
        storage_charge.rate_usd *= factor;
        Ok(vec![
            Entry::Charge(Charge {
                service: RDS,
                description: format!(
                    "{} {engine} on-demand, {deployment}: {} h",
                    u.instance_class,
                    hours.round_dp(3).normalize()
                ),
                quantity: hours,
                unit: "instance-hour".into(),
                rate_usd: hourly * factor,
                per: Decimal::ONE,
            }),
            Entry::Charge(storage_charge),
        ])
    }

    pub(super) fn aurora(&self, u: &AuroraUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.aurora;
        let hours = self.hours_or_month("hours", u.hours)?;
        let acu = self.amount("mean_acu", u.mean_acu)?;
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                AURORA,
                format!(
                    "Serverless v2 capacity: {} ACU (mean) x {} h",
                    acu.round_dp(3).normalize(),
                    hours.round_dp(3).normalize()
                ),
                acu * hours,
                &p.serverless_v2_acu_hour,
            )),
            self.charge(
                AURORA,
                "Storage (Aurora Standard)",
                "storage_gb_month",
                u.storage_gb_month,
                &p.storage,
            )?,
            self.charge(
                AURORA,
                "I/O requests (Aurora Standard)",
                "io_requests",
                u.io_requests,
                &p.io_requests,
            )?,
        ])
    }

    pub(super) fn kinesis(&self, u: &KinesisUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.kinesis;
        let hours = self.hours_or_month("hours", u.hours)?;
        let records = self.amount("records", u.records)?;
        let record_kb = self.amount("record_kb", u.record_kb)?;
        let kb_per_gb = Decimal::from(1024 * 1024);
        Ok(match u.mode {
            KinesisMode::Provisioned => {
                let shards = self.amount("shards", u.shards)?;
                let unit_kb = p.put_payload_unit_kb.value.value().max(Decimal::ONE);
                let units = (record_kb / unit_kb).ceil().max(Decimal::ONE);
                vec![
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        format!("Shard hours: {} shards", shards.normalize()),
                        shards * hours,
                        &p.shard_hour,
                    )),
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        format!("PUT payload units ({unit_kb} KB each)"),
                        records * units,
                        &p.put_payload_units,
                    )),
                ]
            }
            KinesisMode::OnDemand => {
                let consumers = self.amount("consumers", u.consumers)?;
                let gb_in = records * record_kb.ceil().max(Decimal::ONE) / kb_per_gb;
                vec![
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        "On-demand stream hours".into(),
                        hours,
                        &p.on_demand_stream_hour,
                    )),
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        "On-demand data in (1 KB per record at least)".into(),
                        gb_in,
                        &p.on_demand_data_in,
                    )),
                    Entry::Charge(Charge::from_rate(
                        KINESIS,
                        format!("On-demand data out: {} consumers", consumers.normalize()),
                        gb_in * consumers,
                        &p.on_demand_data_out,
                    )),
                ]
            }
        })
    }

    pub(super) fn firehose(&self, u: &FirehoseUsage) -> Result<Vec<Entry>, UsageError> {
        let records = self.amount("records", u.records)?;
        let record_kb = self.amount("record_kb", u.record_kb)?;
        let step = self
            .book
            .firehose
            .record_rounding_kb
            .value
            .value()
            .max(Decimal::ONE);
        let billed_kb = ((record_kb / step).ceil() * step).max(step);
        Ok(vec![Entry::Pooled {
            pool: Pool::FirehoseGb,
            quantity: records * billed_kb / Decimal::from(1024 * 1024),
        }])
    }

    pub(super) fn sns(&self, u: &SnsUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.sns;
        let publishes = self.amount("publishes", u.publishes)?;
        let payload_kb = self.amount("payload_kb", u.payload_kb)?;
        let chunk = p.request_chunk_kb.value.value().max(Decimal::ONE);
        let chunks = (payload_kb / chunk).ceil().max(Decimal::ONE);
        let mut free = Charge::from_rate(
            SNS,
            "Deliveries to SQS and Lambda (free)".into(),
            self.amount("free_deliveries", u.free_deliveries)?,
            &p.http_deliveries,
        );
        free.rate_usd = Decimal::ZERO;
        Ok(vec![
            Entry::Pooled {
                pool: Pool::SnsPublishes,
                quantity: publishes * chunks,
            },
            Entry::Charge(Charge::from_rate(
                SNS,
                "HTTP/S deliveries".into(),
                self.amount("http_deliveries", u.http_deliveries)? * chunks,
                &p.http_deliveries,
            )),
            self.charge(
                SNS,
                "Email deliveries",
                "email_deliveries",
                u.email_deliveries,
                &p.email_deliveries,
            )?,
            Entry::Charge(free),
        ])
    }

    /// Standard workflows: state transitions (the monthly free tier
    /// pooled over the account); Express: requests and GB-seconds.
    pub(super) fn step_functions(&self, u: &StepFunctionsUsage) -> Result<Vec<Entry>, UsageError> {
        if !u.express {
            return Ok(vec![Entry::Pooled {
                pool: Pool::StepFunctionsTransitions,
                quantity: self.amount("transitions", u.transitions)?,
            }]);
        }
        Ok(vec![
            Entry::Pooled {
                pool: Pool::StepFunctionsExpressRequests,
                quantity: self.amount("executions", u.executions)?,
            },
            Entry::Pooled {
                pool: Pool::StepFunctionsExpressDuration,
                quantity: self.amount("gb_seconds", u.gb_seconds)?,
            },
        ])
    }

    pub(super) fn eventbridge(&self, u: &EventBridgeUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.eventbridge;
        let events = self.amount("custom_events", u.custom_events)?;
        let payload_kb = self.amount("payload_kb", u.payload_kb)?;
        let chunk = p.event_chunk_kb.value.value().max(Decimal::ONE);
        let chunks = (payload_kb / chunk).ceil().max(Decimal::ONE);
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                EVENTBRIDGE,
                "Custom events published".into(),
                events * chunks,
                &p.custom_events,
            )),
            self.pooled(
                Pool::SchedulerInvocations,
                "scheduler_invocations",
                u.scheduler_invocations,
            )?,
            Entry::Charge(Charge {
                rate_usd: Decimal::ZERO,
                ..Charge::from_rate(
                    EVENTBRIDGE,
                    "Scheduled rule invocations (free)".into(),
                    self.amount("scheduled_rule_invocations", u.scheduled_rule_invocations)?,
                    &p.scheduler_invocations,
                )
            }),
            Entry::Charge(Charge::from_rate(
                EVENTBRIDGE,
                "Archive: events processed".into(),
                self.amount("archive_processed_gb", u.archive_processed_gb)?,
                &p.archive_processed_gb,
            )),
            Entry::Charge(Charge::from_rate(
                EVENTBRIDGE,
                "Archive: storage".into(),
                self.amount("archive_storage_gb_month", u.archive_storage_gb_month)?,
                &p.archive_storage_gb_month,
            )),
            Entry::Charge(Charge::from_rate(
                EVENTBRIDGE,
                "Pipes requests (after filtering)".into(),
                self.amount("pipe_requests", u.pipe_requests)? * chunks,
                &p.pipe_requests,
            )),
        ])
    }

    pub(super) fn cognito(&self, u: &CognitoUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![self.pooled(
            Pool::CognitoMau,
            "monthly_active_users",
            u.monthly_active_users,
        )?])
    }

    pub(super) fn cloudfront(&self, u: &CloudFrontUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![
            self.pooled(Pool::CloudFrontRequests, "requests", u.requests)?,
            self.pooled(Pool::CloudFrontDataOut, "data_out_gb", u.data_out_gb)?,
        ])
    }

    pub(super) fn lex(&self, u: &LexUsage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.lex;
        Ok(vec![
            self.charge(
                LEX,
                "Text requests",
                "text_requests",
                u.text_requests,
                &p.text_requests,
            )?,
            self.charge(
                LEX,
                "Speech requests",
                "speech_requests",
                u.speech_requests,
                &p.speech_requests,
            )?,
        ])
    }

    pub(super) fn xray(&self, u: &XRayUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![
            self.pooled(Pool::XRayRecorded, "traces_recorded", u.traces_recorded)?,
            self.charge(
                XRAY,
                "Traces retrieved or scanned",
                "traces_retrieved",
                u.traces_retrieved,
                &self.book.xray.traces_retrieved,
            )?,
        ])
    }

    pub(super) fn vpc_endpoint(&self, u: &VpcEndpointUsage) -> Result<Vec<Entry>, UsageError> {
        let v = &self.book.vpc;
        let azs = self.amount("availability_zones", u.availability_zones)?;
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                VPC,
                format!("Interface endpoint hours: {} AZs", azs.normalize()),
                azs * self.month_hours,
                &v.interface_endpoint_az_hour,
            )),
            self.charge(
                VPC,
                "Interface endpoint data processed",
                "gb_processed",
                u.gb_processed,
                &v.interface_endpoint_gb,
            )?,
        ])
    }

    pub(super) fn network(&self, u: &NetworkUsage) -> Result<Vec<Entry>, UsageError> {
        let v = &self.book.vpc;
        let hours = self.month_hours;
        let nat = self.amount("nat_gateways", u.nat_gateways)?;
        let ips = self.amount("public_ipv4_addresses", u.public_ipv4_addresses)?;
        Ok(vec![
            Entry::Charge(Charge::from_rate(
                VPC,
                format!("NAT gateway hours: {} gateways", nat.normalize()),
                nat * hours,
                &v.nat_gateway_hour,
            )),
            self.charge(
                VPC,
                "NAT gateway data processed",
                "nat_gb_processed",
                u.nat_gb_processed,
                &v.nat_gateway_gb,
            )?,
            Entry::Charge(Charge::from_rate(
                VPC,
                format!("Public IPv4 addresses: {}", ips.normalize()),
                ips * hours,
                &v.public_ipv4_hour,
            )),
            self.pooled(Pool::InternetOut, "internet_out_gb", u.internet_out_gb)?,
            Entry::Charge(Charge::from_rate(
                DATA_TRANSFER,
                "Data transfer across availability zones (each direction)".into(),
                self.amount("inter_az_gb", u.inter_az_gb)? * Decimal::TWO,
                &self.book.data_transfer.inter_az,
            )),
        ])
    }

    pub(super) fn logs(&self, u: &LogsUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![
            self.pooled(Pool::LogsIngestion, "ingested_gb", u.ingested_gb)?,
            self.pooled(Pool::LogsStorage, "stored_gb_month", u.stored_gb_month)?,
        ])
    }

    pub(super) fn kms(&self, u: &KmsUsage) -> Result<Vec<Entry>, UsageError> {
        Ok(vec![self.charge(
            KMS,
            "Customer-managed keys",
            "keys",
            u.keys,
            &self.book.kms.key_month,
        )?])
    }

    pub(super) fn secrets_manager(
        &self,
        u: &SecretsManagerUsage,
    ) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.secrets_manager;
        Ok(vec![
            self.charge(
                SECRETS_MANAGER,
                "Secrets stored",
                "secrets",
                u.secrets,
                &p.secret_month,
            )?,
            self.charge(
                SECRETS_MANAGER,
                "API calls",
                "api_calls",
                u.api_calls,
                &p.api_calls,
            )?,
        ])
    }

    pub(super) fn s3(&self, u: &S3Usage) -> Result<Vec<Entry>, UsageError> {
        let p = &self.book.s3;
        Ok(vec![
            self.charge(
                S3,
                "S3 Standard storage",
                "storage_gb_month",
                u.storage_gb_month,
                &p.storage_standard,
            )?,
            self.charge(
                S3,
                "PUT, COPY, POST, LIST requests",
                "put_requests",
                u.put_requests,
                &p.put_requests,
            )?,
            self.charge(
                S3,
                "GET and other requests",
                "get_requests",
                u.get_requests,
                &p.get_requests,
            )?,
        ])
    }
}
