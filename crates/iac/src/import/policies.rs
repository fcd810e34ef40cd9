//! What an IAM policy lets its holder do with the resources it names.
//!
//! Import draws a connection from a function to a resource only when a
//! policy (a SAM policy template or a statement) says what the function
//! may do with it, and the actions decide which connection: reading a
//! table is a read, `sqs:SendMessage` a send, `sqs:ReceiveMessage` only
//! the polling an event source already draws.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::references;

/// What a policy allows on one resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Grant {
    /// Reads items, objects or rows.
    pub read: bool,
    /// Writes items, objects or rows.
    pub write: bool,
    /// Sends messages, publishes, puts records or events.
    pub send: bool,
    /// Receives from a queue or reads a stream's records (what an event
    /// source mapping does).
    pub receive: bool,
    /// Invokes a function.
    pub invoke: bool,
    /// The invoke waits for the answer: `states:StartSyncExecution`, or
    /// an invoke statement whose `Sid` is the one archsim's export gives
    /// a synchronous invoke ([`SYNC_INVOKE_SID`]).
    /// IAM itself cannot say: the caller picks the invocation type.
    pub sync: bool,
    /// Runs a task definition's tasks (`ecs:RunTask`).
    pub run: bool,
}

/// How archsim's export begins the `Sid` of a statement that lets a
/// caller invoke a function it waits for (`SyncInvokeOrdersHandler`).
pub(crate) const SYNC_INVOKE_SID: &str = "SyncInvoke";

/// How archsim's export begins the `Sid` of an `events:PutEvents`
/// statement for the events one rule matches (`PutEventsForOrderPlaced`):
/// the statement names the rule's bus, the Sid the rule.
pub(crate) const PUT_EVENTS_SID: &str = "PutEventsFor";

impl Grant {
    const READ: Grant = Grant {
        read: true,
        ..Grant::NONE
    };
    const WRITE: Grant = Grant {
        write: true,
        ..Grant::NONE
    };
    const READ_WRITE: Grant = Grant {
        read: true,
        write: true,
        ..Grant::NONE
    };
    const SEND: Grant = Grant {
        send: true,
        ..Grant::NONE
    };
    const RECEIVE: Grant = Grant {
        receive: true,
        ..Grant::NONE
    };
    const SEND_RECEIVE: Grant = Grant {
        send: true,
        receive: true,
        ..Grant::NONE
    };
    const INVOKE: Grant = Grant {
        invoke: true,
        ..Grant::NONE
    };
    const RUN: Grant = Grant {
        run: true,
        ..Grant::NONE
    };
    const NONE: Grant = Grant {
        read: false,
        write: false,
        send: false,
        receive: false,
        invoke: false,
        sync: false,
        run: false,
    };

    pub fn union(self, o: Grant) -> Grant {
        Grant {
            read: self.read || o.read,
            write: self.write || o.write,
            send: self.send || o.send,
            receive: self.receive || o.receive,
            invoke: self.invoke || o.invoke,
            sync: self.sync || o.sync,
            run: self.run || o.run,
        }
    }

    /// What both grant.
    pub fn intersect(self, o: Grant) -> Grant {
        Grant {
            read: self.read && o.read,
            write: self.write && o.write,
            send: self.send && o.send,
            receive: self.receive && o.receive,
            invoke: self.invoke && o.invoke,
            sync: self.sync && o.sync,
            run: self.run && o.run,
        }
    }

    pub fn is_empty(self) -> bool {
        self == Grant::NONE
    }
}

/// SAM policy templates that say what is done with the resource they name
/// (`DynamoDBReadPolicy: {TableName: !Ref T}`). Templates not listed grant
/// nothing archsim draws (metrics, secrets, AI services, ...).
const SAM_TEMPLATES: &[(&str, Grant)] = &[
    ("DynamoDBCrudPolicy", Grant::READ_WRITE),
    ("DynamoDBReadPolicy", Grant::READ),
    ("DynamoDBWritePolicy", Grant::WRITE),
    ("DynamoDBStreamReadPolicy", Grant::RECEIVE),
    ("S3CrudPolicy", Grant::READ_WRITE),
    ("S3FullAccessPolicy", Grant::READ_WRITE),
    ("S3ReadPolicy", Grant::READ),
    ("S3WritePolicy", Grant::WRITE),
    ("SQSSendMessagePolicy", Grant::SEND),
    ("SQSPollerPolicy", Grant::RECEIVE),
    ("SNSPublishMessagePolicy", Grant::SEND),
    ("SNSCrudPolicy", Grant::SEND),
    ("KinesisStreamReadPolicy", Grant::RECEIVE),
    ("KinesisCrudPolicy", Grant::SEND_RECEIVE),
    ("FirehoseWritePolicy", Grant::SEND),
    ("FirehoseCrudPolicy", Grant::SEND),
    ("EventBridgePutEventsPolicy", Grant::SEND),
    ("LambdaInvokePolicy", Grant::INVOKE),
    ("AWSSecretsManagerGetSecretValuePolicy", Grant::READ),
];

/// The data-plane actions that decide a connection, by service. A
/// statement's action (which may be a wildcard such as `dynamodb:*` or
/// `s3:Get*`) grants what every action here it matches grants.
const ACTIONS: &[(&str, &[(&str, Grant)])] = &[
    (
        "dynamodb",
        &[
            ("GetItem", Grant::READ),
            ("BatchGetItem", Grant::READ),
            ("Query", Grant::READ),
            ("Scan", Grant::READ),
            ("PartiQLSelect", Grant::READ),
            ("PutItem", Grant::WRITE),
            ("UpdateItem", Grant::WRITE),
            ("DeleteItem", Grant::WRITE),
            ("BatchWriteItem", Grant::WRITE),
            ("PartiQLInsert", Grant::WRITE),
            ("PartiQLUpdate", Grant::WRITE),
            ("PartiQLDelete", Grant::WRITE),
            ("GetRecords", Grant::RECEIVE),
            ("GetShardIterator", Grant::RECEIVE),
        ],
    ),
    (
        "s3",
        &[
            ("GetObject", Grant::READ),
            ("GetObjectVersion", Grant::READ),
            ("ListBucket", Grant::READ),
            ("PutObject", Grant::WRITE),
            ("DeleteObject", Grant::WRITE),
        ],
    ),
    (
        "sqs",
        &[
            ("SendMessage", Grant::SEND),
            ("SendMessageBatch", Grant::SEND),
            ("ReceiveMessage", Grant::RECEIVE),
            ("DeleteMessage", Grant::RECEIVE),
        ],
    ),
    ("sns", &[("Publish", Grant::SEND)]),
    (
        "kinesis",
        &[
            ("PutRecord", Grant::SEND),
            ("PutRecords", Grant::SEND),
            ("GetRecords", Grant::RECEIVE),
            ("GetShardIterator", Grant::RECEIVE),
            ("SubscribeToShard", Grant::RECEIVE),
        ],
    ),
    (
        "firehose",
        &[("PutRecord", Grant::SEND), ("PutRecordBatch", Grant::SEND)],
    ),
    ("events", &[("PutEvents", Grant::SEND)]),
    ("ecs", &[("RunTask", Grant::RUN)]),
    ("lambda", &[("InvokeFunction", Grant::INVOKE)]),
    (
        "states",
        &[
            ("StartExecution", Grant::INVOKE),
            ("StartSyncExecution", Grant::INVOKE),
        ],
    ),
    (
        "rds-data",
        &[
            ("ExecuteStatement", Grant::READ),
            ("BatchExecuteStatement", Grant::READ),
            ("BeginTransaction", Grant::WRITE),
            ("CommitTransaction", Grant::WRITE),
        ],
    ),
    ("rds-db", &[("connect", Grant::READ_WRITE)]),
    (
        "secretsmanager",
        &[
            ("GetSecretValue", Grant::READ),
            ("BatchGetSecretValue", Grant::READ),
            ("PutSecretValue", Grant::WRITE),
            ("UpdateSecret", Grant::WRITE),
        ],
    ),
];

/// Whether `pattern` (IAM's `*` and `?` wildcards, case-insensitive)
/// matches `text`.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob(&pattern[1..], text) || (!text.is_empty() && glob(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p.eq_ignore_ascii_case(t) => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// What one action (`sqs:SendMessage`, `dynamodb:*`, `*`) grants.
pub(crate) fn action_grant(action: &str) -> Grant {
    let (service, name) = action.split_once(':').unwrap_or((action, "*"));
    let mut grant = Grant::NONE;
    for (s, actions) in ACTIONS {
        if !glob(service.as_bytes(), s.as_bytes()) {
            continue;
        }
        for (a, g) in *actions {
            if glob(name.as_bytes(), a.as_bytes()) {
                grant = grant.union(*g);
            }
        }
    }
    grant
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The buckets of `spelled` (see [`Grants`]) an ARN in `v` names by
/// joining their name's parts (`arn:`, partition, `:s3:::`, the name's
/// parts with their separators, `/*`).
fn joined_names(v: &Value, spelled: &[(String, Vec<Value>)], out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(join)) = m.get("Fn::Join")
                && join.first().and_then(Value::as_str) == Some("")
                && let Some(Value::Array(list)) = join.get(1)
            {
                for (bucket, run) in spelled {
                    if !run.is_empty() && list.windows(run.len()).any(|w| w == run.as_slice()) {
                        out.insert(bucket.clone());
                    }
                }
            }
            m.values().for_each(|c| joined_names(c, spelled, out));
        }
        Value::Array(a) => a.iter().for_each(|c| joined_names(c, spelled, out)),
        _ => {}
    }
}

/// What policies grant, per resource logical id, with the evidence of each
/// (`DynamoDBReadPolicy`, `statement dynamodb:GetItem, dynamodb:Query`).
#[derive(Debug, Default)]
pub(crate) struct Grants(
    pub BTreeMap<String, (Grant, BTreeSet<String>)>,
    /// What statements on every resource (`Resource: "*"`) grant, by
    /// service (`s3`), with their evidence: it applies to the resources of
    /// that service the function names elsewhere (see [`Grants::named`]).
    pub BTreeMap<String, (Grant, BTreeSet<String>)>,
    /// The resources of the first map that a statement or policy template
    /// names itself; the others are known only from statements on every
    /// resource and a name elsewhere, which is weak evidence.
    pub BTreeSet<String>,
    /// Buckets whose `BucketName` is a `Fn::Join` (the name archsim's
    /// export gives a bucket that notifies, so its policies can name it
    /// before it exists), each with that name's parts and separators in
    /// order: an ARN joined from the same run of values names the bucket.
    pub Vec<(String, Vec<Value>)>,
);

impl Grants {
    pub fn add(&mut self, resource: String, grant: Grant, evidence: String) {
        if grant.is_empty() {
            return;
        }
        self.2.insert(resource.clone());
        self.add_weak(resource, grant, evidence);
    }

    /// As [`add`](Self::add), for evidence that only suggests the grant.
    pub fn add_weak(&mut self, resource: String, grant: Grant, evidence: String) {
        if grant.is_empty() {
            return;
        }
        let entry = self.0.entry(resource).or_default();
        entry.0 = entry.0.union(grant);
        entry.1.insert(evidence);
    }

    /// A policy document (`{Statement: [...]}`) or a list of statements.
    pub fn document(&mut self, doc: &Value) {
        match doc.get("Statement") {
            Some(Value::Array(list)) => list.iter().for_each(|s| self.statement(s)),
            Some(s @ Value::Object(_)) => self.statement(s),
            _ => {}
        }
    }

    /// One statement: its allowed actions on the resources its `Resource`
    /// names (a `*` resource names none).
    fn statement(&mut self, st: &Value) {
        if st.get("Effect").and_then(Value::as_str) != Some("Allow") {
            return;
        }
        let actions = strings(st.get("Action"));
        let mut grant = actions
            .iter()
            .fold(Grant::NONE, |g, a| g.union(action_grant(a)));
        let sid = st.get("Sid").and_then(Value::as_str).unwrap_or_default();
        grant.sync = grant.invoke
            && (sid.starts_with(SYNC_INVOKE_SID)
                || actions
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case("states:StartSyncExecution")));
        let mut named = BTreeSet::new();
        let resource = st.get("Resource").unwrap_or(&Value::Null);
        references(resource, &mut named);
        joined_names(resource, &self.3, &mut named);
        if let Some(rule) = sid.strip_prefix(PUT_EVENTS_SID)
            && actions
                .iter()
                .any(|a| a.eq_ignore_ascii_case("events:PutEvents"))
        {
            named.insert(rule.to_string());
        }
        let evidence = if (grant.sync && sid.starts_with(SYNC_INVOKE_SID))
            || sid.starts_with(PUT_EVENTS_SID)
        {
            format!("statement {sid}: {}", actions.join(", "))
        } else {
            format!("statement {}", actions.join(", "))
        };
        for r in named {
            self.add(r, grant, evidence.clone());
        }
        // Only reads spelled out: `sqs:*` on `*` says nothing of what is
        // done with a queue, and a write to every bucket is too weak a
        // sign that the function writes to the one that invokes it (that
        // would be a recursive loop).
        if strings(Some(resource)).contains(&"*") {
            let mut reads: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for a in actions.iter().filter(|a| !a.contains('*')) {
                if let Some((service, _)) = a.split_once(':')
                    && action_grant(a).read
                {
                    reads.entry(service.to_lowercase()).or_default().push(a);
                }
            }
            for (service, list) in reads {
                let entry = self.1.entry(service).or_default();
                entry.0 = entry.0.union(Grant::READ);
                entry
                    .1
                    .insert(format!("statement {} on *", list.join(", ")));
            }
        }
    }

    /// Whether what is known of `resource` comes only from statements on
    /// every resource and a name elsewhere.
    pub fn weak(&self, resource: &str) -> bool {
        !self.2.contains(resource)
    }

    /// A resource of `service` the function names otherwise (`how`: in
    /// its environment, by an event) gets what statements on every
    /// resource of that service grant.
    pub fn named(&mut self, resource: &str, service: &str, how: &str) {
        let Some((grant, evidence)) = self.1.get(service).cloned() else {
            return;
        };
        for e in evidence {
            self.add_weak(resource.to_string(), grant, format!("{e}, {how}"));
        }
    }

    /// A SAM function's `Policies`: policy templates, inline documents,
    /// and managed policy names (which name no resource of the template).
    pub fn sam_policies(&mut self, policies: &Value) {
        let list = match policies {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for p in list {
            let Value::Object(m) = p else { continue };
            if m.contains_key("Statement") {
                self.document(p);
                continue;
            }
            for (name, params) in m {
                let Some((_, grant)) = SAM_TEMPLATES.iter().find(|(n, _)| n == name) else {
                    continue;
                };
                let mut named = BTreeSet::new();
                references(params, &mut named);
                for r in named {
                    self.add(r, *grant, name.clone());
                }
            }
        }
    }

    /// An IAM role's inline `Policies` (`[{PolicyName, PolicyDocument}]`).
    pub fn role_policies(&mut self, policies: Option<&Value>) {
        if let Some(Value::Array(list)) = policies {
            for p in list {
                if let Some(doc) = p.get("PolicyDocument") {
                    self.document(doc);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_and_wildcards_grant_what_they_match() {
        assert_eq!(action_grant("dynamodb:GetItem"), Grant::READ);
        assert_eq!(action_grant("dynamodb:PutItem"), Grant::WRITE);
        assert_eq!(
            action_grant("dynamodb:*"),
            Grant::READ_WRITE.union(Grant::RECEIVE)
        );
        assert_eq!(action_grant("s3:Get*"), Grant::READ);
        assert_eq!(action_grant("sqs:SendMessage"), Grant::SEND);
        assert_eq!(action_grant("SQS:receivemessage"), Grant::RECEIVE);
        assert_eq!(action_grant("sqs:GetQueueAttributes"), Grant::NONE);
        assert_eq!(action_grant("logs:CreateLogGroup"), Grant::NONE);
        assert_eq!(action_grant("ecs:RunTask"), Grant::RUN);
        assert!(action_grant("*").send && action_grant("*").invoke);
    }

    /// A caller waits for what it invokes when the statement says so by
    /// archsim's Sid or by `states:StartSyncExecution`; otherwise IAM
    /// does not say, and the invoke is taken as asynchronous. A
    /// `PutEventsFor<rule>` Sid names the rule a PutEvents is for.
    #[test]
    fn an_invoke_is_synchronous_by_the_exports_sid_or_start_sync_execution() {
        let mut g = Grants::default();
        g.document(&json!({"Statement": [
            {"Sid": "SyncInvokeOrders", "Effect": "Allow", "Action": "lambda:InvokeFunction",
                "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}},
            {"Effect": "Allow", "Action": "lambda:InvokeFunction",
                "Resource": {"Fn::GetAtt": ["Audit", "Arn"]}},
            {"Sid": "Invoke", "Effect": "Allow", "Action": "lambda:InvokeFunction",
                "Resource": {"Fn::GetAtt": ["Other", "Arn"]}},
            {"Effect": "Allow", "Action": "states:StartSyncExecution", "Resource": {"Ref": "Flow"}},
            {"Sid": "SyncInvokeTable", "Effect": "Allow", "Action": "dynamodb:GetItem",
                "Resource": {"Fn::GetAtt": ["Table", "Arn"]}}
        ]}));
        g.statement(&json!({"Sid": "PutEventsForOrderPlaced", "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"}}));
        g.statement(&json!({"Sid": "PutEventsForIgnored", "Effect": "Allow",
            "Action": "sqs:SendMessage", "Resource": "*"}));
        // The Sid names the rule a PutEvents on its bus is for.
        assert_eq!(g.0["OrderPlaced"].0, Grant::SEND);
        assert!(!g.0.contains_key("Ignored"));
        let sync = |r: &str| g.0[r].0.sync;
        assert!(sync("Orders") && sync("Flow"));
        assert!(!sync("Audit") && !sync("Other"));
        // Not an invoke: nothing to wait for.
        assert!(!sync("Table") && g.0["Table"].0.read);
        assert_eq!(
            g.0["Orders"].1.iter().collect::<Vec<_>>(),
            ["statement SyncInvokeOrders: lambda:InvokeFunction"]
        );
    }

    /// A bucket named by a `Fn::Join` is named by an ARN joined from the
    /// same run of parts; a different run names nothing.
    #[test]
    fn an_arn_joined_from_a_buckets_name_names_the_bucket() {
        let account = json!({"Ref": "AWS::AccountId"});
        let mut g = Grants::default();
        g.3.push((
            "Uploads".into(),
            vec![json!("uploads"), json!("-"), account.clone()],
        ));
        let arn = |name: Vec<Value>, suffix: &str| {
            let mut parts = vec![
                json!("arn:"),
                json!({"Ref": "AWS::Partition"}),
                json!(":s3:::"),
            ];
            parts.extend(name);
            parts.push(json!(suffix));
            json!({"Fn::Join": ["", parts]})
        };
        g.statement(&json!({"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": [arn(vec![json!("uploads"), json!("-"), account.clone()], "/*")]}));
        g.statement(&json!({"Effect": "Allow", "Action": "s3:PutObject",
            "Resource": [arn(vec![json!("other"), json!("-"), account], "/*")]}));
        // (Pseudo parameters come out too: callers look up resources.)
        let named: Vec<&String> = g.0.keys().filter(|k| !k.starts_with("AWS::")).collect();
        assert_eq!(named, ["Uploads"]);
        assert_eq!(g.0["Uploads"].0, Grant::READ);
    }

    #[test]
    fn read_templates_and_statements_are_not_writes() {
        let mut g = Grants::default();
        g.sam_policies(&json!([
            {"SQSPollerPolicy": {"QueueName": {"Fn::GetAtt": ["Q", "QueueName"]}}},
            {"DynamoDBReadPolicy": {"TableName": {"Ref": "T"}}},
            "AWSLambdaBasicExecutionRole",
            {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
                "Resource": {"Fn::Sub": "${B.Arn}/*"}},
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
        ]));
        assert_eq!(g.0["Q"].0, Grant::RECEIVE);
        assert_eq!(g.0["T"].0, Grant::READ);
        assert_eq!(g.0["B"].0, Grant::READ);
        assert_eq!(g.0.len(), 3);
        // `sqs:SendMessage` on `*` draws nothing, even for a queue the
        // function names; a read on `*` is a read of a table it names.
        g.named("Other", "sqs", "named in its environment");
        assert!(!g.0.contains_key("Other"));
        g.statement(
            &json!({"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": "*"}),
        );
        g.named("T2", "dynamodb", "named in its environment");
        assert_eq!(g.0["T2"].0, Grant::READ);
        assert_eq!(
            g.0["T2"].1.iter().collect::<Vec<_>>(),
            ["statement dynamodb:GetItem on *, named in its environment"]
        );
        g.named("B2", "s3", "named by its events");
        assert!(!g.0.contains_key("B2"));
        assert_eq!(
            g.0["B"].1.iter().collect::<Vec<_>>(),
            ["statement s3:GetObject"]
        );
    }
}
