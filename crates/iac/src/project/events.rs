//! Sample events, one per trigger edge of a function, in the shape
//! `sam local generate-event` gives for its source (for EventBridge
//! patterns, Cognito user pool triggers and direct invokes, which it has no
//! generator for, the shape AWS documents), chained through the design: an
//! S3 notification inside an SQS message, an SNS envelope inside an SQS
//! message, the rule's source and detail-type on an EventBridge event.
//! Payloads have the scenario's request size; names and ARNs use the
//! resources' logical ids.

use std::collections::{HashSet, VecDeque};

use archsim_model::component::{ApiType, AuthorizerPayload};
use archsim_model::filter_policy::AttributeValue;
use archsim_model::scenario::RequestAttributes;
use archsim_model::{Component, ConnectionKind, Design, Props};
use serde_json::{Value, json};

use super::plan::{FunctionPlan, TriggerKind, rule_source_and_detail_type};
use crate::names::{camel, kebab, logical_ids};

/// The account in sample ARNs, as `sam local generate-event` uses.
pub(crate) const ACCOUNT: &str = "123456789012";
const TIME: &str = "2026-01-01T00:00:00.000Z";
const EPOCH_MS: u64 = 1_767_225_600_000;
/// The payload size when no scenario sends traffic along the chain.
const DEFAULT_PAYLOAD_BYTES: usize = 256;
/// How far a chain is followed upstream (S3 -> SNS -> SQS -> Lambda is 3).
const MAX_DEPTH: usize = 4;

struct Names {
    ids: std::collections::BTreeMap<String, String>,
    region: String,
}

impl Names {
    fn id(&self, c: &Component) -> String {
        self.ids
            .get(&c.id)
            .cloned()
            .unwrap_or_else(|| camel(&c.name))
    }
    fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{ACCOUNT}:{resource}", self.region)
    }
    fn bucket(&self, c: &Component) -> String {
        let mut name = kebab(&c.name);
        name.truncate(24);
        format!("{}-{ACCOUNT}", name.trim_end_matches('-'))
    }
}

/// The events of one function: `(file name under events/, event)`.
pub(crate) fn for_function(
    design: &Design,
    plan: &FunctionPlan,
    notes: &mut Vec<String>,
) -> Vec<(String, Value)> {
    let names = Names {
        ids: logical_ids(design, &Default::default()),
        region: design.region.clone(),
    };
    let mut out = Vec::new();
    for t in &plan.triggers {
        let source = t.source;
        let size = payload_bytes(design, source);
        let file = |suffix: &str| format!("{}/{}{suffix}.json", plan.folder, kebab(&source.name));
        match t.kind {
            TriggerKind::Other => continue,
            // (Beside the API's own event, when the function is both.)
            TriggerKind::Authorizer => {
                out.push((file("-authorizer"), authorizer_event(&names, source)));
            }
            TriggerKind::Sqs | TriggerKind::Sns => {
                // A topic's message: what the scenario's traffic sends it.
                let sns = t.kind == TriggerKind::Sns;
                let sent = sns
                    .then(|| topic_message(design, source, plan.component))
                    .flatten();
                let with_attributes = |mut event: Value| {
                    if sns {
                        event["Records"][0]["Sns"]["MessageAttributes"] = sns_attributes(sent);
                    }
                    event
                };
                let senders = senders(design, source);
                if senders.is_empty() {
                    let body = sent_body(sent).unwrap_or_else(|| payload(source, size));
                    let event = wrap(&names, t.kind, source, body, size);
                    out.push((file(""), with_attributes(event)));
                }
                for sender in senders {
                    let body = match sent_body(sent) {
                        Some(body) if plain(sender) => body,
                        _ => message_from(design, &names, sender, source, size, MAX_DEPTH),
                    };
                    let event = wrap(&names, t.kind, source, body, size);
                    out.push((
                        file(&format!("-from-{}", kebab(&sender.name))),
                        with_attributes(event),
                    ));
                }
            }
            TriggerKind::EventBridge => {
                let sender = senders(design, source).into_iter().next();
                let detail = match sender {
                    Some(s) if matches!(s.props, Props::S3Bucket(_)) => s3_detail(&names, s, size),
                    _ => payload(source, size),
                };
                out.push((file(""), eventbridge(design, &names, source, detail)));
            }
            _ => {
                let body = payload(source, size);
                out.push((file(""), wrap(&names, t.kind, source, body, size)));
            }
        }
    }
    if plan.triggers.is_empty() {
        notes.push(format!(
            "{}: nothing in the design invokes it; events/{}/invoke.json is a direct invoke",
            plan.component.name, plan.folder
        ));
        let size = payload_bytes(design, plan.component);
        out.push((
            format!("{}/invoke.json", plan.folder),
            payload(plan.component, size),
        ));
    }
    out
}

/// What `sender` puts in a message to `to` (a queue or topic): an S3
/// notification, an SNS envelope around what reaches the topic (with the
/// scenario's message attributes), an EventBridge event, or the request's
/// payload.
fn message_from(
    design: &Design,
    names: &Names,
    sender: &Component,
    to: &Component,
    size: usize,
    depth: usize,
) -> Value {
    match &sender.props {
        Props::S3Bucket(_) => s3_event(names, sender, size),
        Props::SnsTopic(_) if depth > 0 => {
            let sent = topic_message(design, sender, to);
            let inner = match (senders(design, sender).first(), sent_body(sent)) {
                (Some(up), Some(body)) if plain(up) => body,
                (Some(up), _) => message_from(design, names, up, sender, size, depth - 1),
                (None, body) => body.unwrap_or_else(|| payload(sender, size)),
            };
            sns_envelope(names, sender, &inner, sent)
        }
        Props::EventBridgeRule(_) if depth > 0 => {
            let detail = match senders(design, sender).first() {
                Some(up) if matches!(up.props, Props::S3Bucket(_)) => s3_detail(names, up, size),
                _ => payload(sender, size),
            };
            eventbridge(design, names, sender, detail)
        }
        _ => payload(sender, size),
    }
}

/// Whether what `sender` sends is the request's own payload (not an S3
/// notification, an SNS envelope or an EventBridge event), which a
/// scenario's `message_body` stands for.
fn plain(sender: &Component) -> bool {
    !matches!(
        sender.props,
        Props::S3Bucket(_) | Props::SnsTopic(_) | Props::EventBridgeRule(_)
    )
}

/// The message the scenario's traffic publishes to `topic`, as the
/// simulation sends it on to `subscriber`: the first traffic reaching the
/// topic whose message passes the subscription's filter policy, or else
/// the first reaching it (`None`: no traffic does).
fn topic_message<'a>(
    design: &'a Design,
    topic: &Component,
    subscriber: &Component,
) -> Option<&'a RequestAttributes> {
    let policy = design
        .outgoing(&topic.id)
        .into_iter()
        .find(|(_, to)| to.id == subscriber.id)
        .and_then(|(conn, _)| conn.filter_policy.as_ref())
        .and_then(|f| f.parse().ok());
    let reaching: Vec<&RequestAttributes> = design
        .scenarios
        .iter()
        .flat_map(|s| &s.traffic)
        .filter(|t| reaches(design, &t.entry, &topic.id))
        .map(|t| &t.request)
        .collect();
    reaching
        .iter()
        .find(|r| {
            policy
                .as_ref()
                .is_none_or(|p| p.passes(&r.message_attributes, r.message_body.as_ref()))
        })
        .or(reaching.first())
        .copied()
}

/// The JSON body a scenario's messages carry, as the message text.
fn sent_body(sent: Option<&RequestAttributes>) -> Option<Value> {
    sent.and_then(|r| r.message_body.clone())
}

/// A message's attributes as SNS delivers them: each a `Type` (`String`,
/// `Number`, `String.Array`) and its `Value` as text, a String.Array's a
/// JSON array (Lambda Developer Guide, "Using Lambda with Amazon SNS",
/// example event, https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html;
/// SNS Developer Guide, "Amazon SNS message attributes",
/// https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html).
fn sns_attributes(sent: Option<&RequestAttributes>) -> Value {
    let mut out = serde_json::Map::new();
    for (name, value) in sent.map(|r| &r.message_attributes).into_iter().flatten() {
        let (ty, text) = match value {
            AttributeValue::String(s) => ("String", s.clone()),
            AttributeValue::Number(n) => ("Number", number_text(*n)),
            AttributeValue::StringArray(a) => {
                ("String.Array", serde_json::to_string(a).unwrap_or_default())
            }
        };
        out.insert(name.clone(), json!({"Type": ty, "Value": text}));
    }
    Value::Object(out)
}

/// A number as a publisher would write it: `42`, not `42.0`.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Who publishes to a queue, topic or rule (or notifies it, for buckets).
fn senders<'a>(design: &'a Design, target: &Component) -> Vec<&'a Component> {
    design
        .incoming(&target.id)
        .into_iter()
        .filter(|(conn, _)| matches!(conn.kind, ConnectionKind::Publishes))
        .map(|(_, from)| from)
        .collect()
}

/// The request size of the first scenario traffic whose entry reaches
/// `target` through the design.
fn payload_bytes(design: &Design, target: &Component) -> usize {
    for scenario in &design.scenarios {
        for traffic in &scenario.traffic {
            if reaches(design, &traffic.entry, &target.id) {
                return traffic.request.payload_bytes as usize;
            }
        }
    }
    DEFAULT_PAYLOAD_BYTES
}

fn reaches(design: &Design, from: &str, to: &str) -> bool {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([from.to_string()]);
    while let Some(id) = queue.pop_front() {
        if id == to {
            return true;
        }
        if !seen.insert(id.clone()) {
            continue;
        }
        for (_, next) in design.outgoing(&id) {
            queue.push_back(next.id.clone());
        }
    }
    false
}

/// A JSON request body of `size` bytes (at least its fields' length).
pub(crate) fn payload(source: &Component, size: usize) -> Value {
    let mut v =
        json!({"id": format!("{}-0001", kebab(&source.name)), "source": source.name, "data": ""});
    let used = serde_json::to_string(&v).map(|s| s.len()).unwrap_or(0);
    v["data"] = json!("x".repeat(size.saturating_sub(used)));
    v
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// A trigger's event around a body.
fn wrap(names: &Names, kind: TriggerKind, source: &Component, body: Value, size: usize) -> Value {
    let id = names.id(source);
    match kind {
        TriggerKind::RestApi => rest_api(&text(&body)),
        TriggerKind::HttpApi | TriggerKind::FunctionUrl => http_api(&text(&body)),
        TriggerKind::Alb => alb(names, &id, &text(&body)),
        TriggerKind::S3 => s3_event(names, source, size),
        TriggerKind::Sqs => {
            let fifo = matches!(&source.props, Props::SqsQueue(q) if q.fifo);
            let queue = if fifo { format!("{id}.fifo") } else { id };
            json!({"Records": [{
                "messageId": uuid(&queue, 1),
                "receiptHandle": "MessageReceiptHandle",
                "body": text(&body),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": EPOCH_MS.to_string(),
                    "SenderId": ACCOUNT,
                    "ApproximateFirstReceiveTimestamp": (EPOCH_MS + 1).to_string()
                },
                "messageAttributes": {},
                "md5OfBody": "7b270e59b47ff90a553787216d55d91d",
                "eventSource": "aws:sqs",
                "eventSourceARN": names.arn("sqs", &queue),
                "awsRegion": names.region
            }]})
        }
        TriggerKind::Sns => {
            let topic = names.arn("sns", &id);
            json!({"Records": [{
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": format!("{topic}:{}", uuid(&id, 2)),
                "Sns": sns_fields(names, source, &text(&body))
            }]})
        }
        TriggerKind::Kinesis => {
            let seq = "49545115243490985018280067714973144582180062593244200961";
            json!({"Records": [{
                "kinesis": {
                    "partitionKey": body.get("id").map(text).unwrap_or_else(|| "key".into()),
                    "kinesisSchemaVersion": "1.0",
                    "data": base64(text(&body).as_bytes()),
                    "sequenceNumber": seq,
                    "approximateArrivalTimestamp": (EPOCH_MS / 1000) as f64
                },
                "eventSource": "aws:kinesis",
                "eventID": format!("shardId-000000000000:{seq}"),
                "invokeIdentityArn": format!("arn:aws:iam::{ACCOUNT}:role/{id}Reader"),
                "eventVersion": "1.0",
                "eventName": "aws:kinesis:record",
                "eventSourceARN": names.arn("kinesis", &format!("stream/{id}")),
                "awsRegion": names.region
            }]})
        }
        TriggerKind::DynamoDb => dynamodb_stream(names, source, &body),
        TriggerKind::Schedule => json!({
            "version": "0",
            "id": uuid(&id, 3),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": "2026-01-01T00:00:00Z",
            "region": names.region,
            "resources": [names.arn("events", &format!("rule/{id}"))],
            "detail": {}
        }),
        TriggerKind::Cognito => json!({
            "version": "1",
            "triggerSource": "PreSignUp_SignUp",
            "region": names.region,
            "userPoolId": format!("{}_Example", names.region),
            "userName": "jane.doe",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "exampleclientid"},
            "request": {"userAttributes": {"email": "jane.doe@example.com"}, "validationData": null},
            "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
        }),
        TriggerKind::Firehose => json!({
            "invocationId": uuid(&id, 4),
            "deliveryStreamArn": names.arn("firehose", &format!("deliverystream/{id}")),
            "region": names.region,
            "records": [{
                "recordId": "49546986683135544286507457936321625675700192471156785154",
                "approximateArrivalTimestamp": EPOCH_MS,
                "data": base64(text(&body).as_bytes())
            }]
        }),
        TriggerKind::Authorizer => authorizer_event(names, source),
        // Another function's or a service's Invoke: the payload as sent.
        TriggerKind::Invoke | TriggerKind::EventBridge | TriggerKind::Other => body,
    }
}

/// What API Gateway sends an API's Lambda authorizer: a REST API's TOKEN
/// or REQUEST event (the shapes of `sam local generate-event apigateway
/// authorizer` and `request-authorizer`), or an HTTP API's REQUEST event
/// in payload format 2.0; the caller's identity in the API's header.
fn authorizer_event(names: &Names, api: &Component) -> Value {
    let Props::ApiGateway(p) = &api.props else {
        return json!({});
    };
    let id = names.id(api);
    let (header, token) = (&p.lambda_authorizer.identity_header, "allow-0001");
    let api_id = kebab(&id).replace('-', "");
    let arn = |stage: &str, method: &str, path: &str| {
        format!(
            "arn:aws:execute-api:{}:{ACCOUNT}:{api_id}/{stage}/{method}{path}",
            names.region
        )
    };
    match (p.api_type, p.lambda_authorizer.payload) {
        (ApiType::Rest, AuthorizerPayload::Token) => json!({
            "type": "TOKEN",
            "authorizationToken": token,
            "methodArn": arn(&p.stage_name, "POST", "/{proxy+}")
        }),
        (ApiType::Rest, AuthorizerPayload::Request) => json!({
            "type": "REQUEST",
            "methodArn": arn(&p.stage_name, "POST", "/"),
            "resource": "/{proxy+}",
            "path": "/",
            "httpMethod": "POST",
            "headers": {header: token, "Content-Type": "application/json"},
            "queryStringParameters": {},
            "pathParameters": {"proxy": ""},
            "stageVariables": {},
            "requestContext": {
                "path": format!("/{}/", p.stage_name),
                "accountId": ACCOUNT,
                "resourceId": "abc123",
                "stage": p.stage_name,
                "requestId": uuid(&id, 5),
                "identity": {"sourceIp": "203.0.113.10"},
                "resourcePath": "/{proxy+}",
                "httpMethod": "POST",
                "apiId": api_id
            }
        }),
        (ApiType::Http, _) => json!({
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": arn("$default", "POST", "/"),
            "identitySource": [token],
            "routeKey": "ANY /{proxy+}",
            "rawPath": "/",
            "rawQueryString": "",
            "headers": {header.to_lowercase(): token, "content-type": "application/json"},
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": api_id,
                "domainName": format!("{api_id}.execute-api.{}.amazonaws.com", names.region),
                "domainPrefix": api_id,
                "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1",
                    "sourceIp": "203.0.113.10", "userAgent": "archsim"},
                "requestId": uuid(&id, 5),
                "routeKey": "ANY /{proxy+}",
                "stage": "$default",
                "time": "01/Jan/2026:00:00:00 +0000",
                "timeEpoch": EPOCH_MS
            },
            "pathParameters": {"proxy": ""},
            "stageVariables": {}
        }),
    }
}

fn rest_api(body: &str) -> Value {
    json!({
        "body": body,
        "resource": "/{proxy+}",
        "path": "/",
        "httpMethod": "POST",
        "isBase64Encoded": false,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": {"proxy": ""},
        "stageVariables": null,
        "headers": {"Content-Type": "application/json", "Host": "example.execute-api.amazonaws.com"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["example.execute-api.amazonaws.com"]},
        "requestContext": {
            "accountId": ACCOUNT,
            "resourceId": "123456",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "01/Jan/2026:00:00:00 +0000",
            "requestTimeEpoch": EPOCH_MS,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "archsim sample"},
            "path": "/prod/",
            "resourcePath": "/{proxy+}",
            "httpMethod": "POST",
            "apiId": "1234567890",
            "protocol": "HTTP/1.1"
        }
    })
}

fn http_api(body: &str) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "cookies": [],
        "headers": {"content-type": "application/json"},
        "queryStringParameters": {},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "api-id",
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "192.168.0.1", "userAgent": "archsim sample"},
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": EPOCH_MS
        },
        "body": body,
        "pathParameters": {},
        "isBase64Encoded": false,
        "stageVariables": {}
    })
}

fn alb(names: &Names, id: &str, body: &str) -> Value {
    json!({
        "requestContext": {"elb": {"targetGroupArn": names.arn("elasticloadbalancing", &format!("targetgroup/{id}/49e9d65c45c6791a"))}},
        "httpMethod": "POST",
        "path": "/",
        "queryStringParameters": {},
        "headers": {"content-type": "application/json", "host": "example.elb.amazonaws.com"},
        "body": body,
        "isBase64Encoded": false
    })
}

fn s3_key(source: &Component) -> String {
    match &source.props {
        Props::S3Bucket(b) => format!("{}example-0001{}", b.prefix, b.suffix),
        _ => "example-0001".into(),
    }
}

/// An S3 event notification for one new object of `size` bytes.
fn s3_event(names: &Names, bucket: &Component, size: usize) -> Value {
    let name = names.bucket(bucket);
    json!({"Records": [{
        "eventVersion": "2.0",
        "eventSource": "aws:s3",
        "awsRegion": names.region,
        "eventTime": TIME,
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": format!("{}Notification", names.id(bucket)),
            "bucket": {"name": name, "ownerIdentity": {"principalId": "EXAMPLE"}, "arn": format!("arn:aws:s3:::{name}")},
            "object": {"key": s3_key(bucket), "size": size, "eTag": "0123456789abcdef0123456789abcdef", "sequencer": "0A1B2C3D4E5F678901"}
        }
    }]})
}

/// The detail of S3's "Object Created" event on EventBridge.
fn s3_detail(names: &Names, bucket: &Component, size: usize) -> Value {
    json!({"version": "0", "bucket": {"name": names.bucket(bucket)}, "object": {"key": s3_key(bucket), "size": size}, "reason": "PutObject"})
}

fn sns_fields(names: &Names, topic: &Component, message: &str) -> Value {
    let id = names.id(topic);
    json!({
        "Type": "Notification",
        "MessageId": uuid(&id, 5),
        "TopicArn": names.arn("sns", &id),
        "Subject": null,
        "Message": message,
        "Timestamp": TIME,
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertUrl": "EXAMPLE",
        "UnsubscribeUrl": "EXAMPLE",
        "MessageAttributes": {}
    })
}

/// What an SQS subscription without raw delivery receives: the SNS
/// envelope as JSON, with `Message` the published text (SNS spells the
/// URL fields `SigningCertURL`/`UnsubscribeURL` here); the message's
/// attributes, when it has any, as in a Lambda event.
fn sns_envelope(
    names: &Names,
    topic: &Component,
    inner: &Value,
    sent: Option<&RequestAttributes>,
) -> Value {
    let id = names.id(topic);
    let mut envelope = json!({
        "Type": "Notification",
        "MessageId": uuid(&id, 5),
        "TopicArn": names.arn("sns", &id),
        "Message": text(inner),
        "Timestamp": TIME,
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "EXAMPLE",
        "UnsubscribeURL": "EXAMPLE"
    });
    if sent.is_some_and(|r| !r.message_attributes.is_empty()) {
        envelope["MessageAttributes"] = sns_attributes(sent);
    }
    envelope
}

fn eventbridge(design: &Design, names: &Names, rule: &Component, detail: Value) -> Value {
    let (source, detail_type) = rule_source_and_detail_type(design, rule);
    let id = names.id(rule);
    json!({
        "version": "0",
        "id": uuid(&id, 6),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": "2026-01-01T00:00:00Z",
        "region": names.region,
        "resources": [names.arn("events", &format!("rule/{id}"))],
        "detail": detail
    })
}

fn dynamodb_stream(names: &Names, table: &Component, body: &Value) -> Value {
    let (key, sort) = match &table.props {
        Props::DynamoDbTable(t) => (t.partition_key.clone(), t.sort_key.clone()),
        _ => ("pk".into(), String::new()),
    };
    let mut keys = json!({key.clone(): {"S": body.get("id").map(text).unwrap_or_default()}});
    if !sort.is_empty() {
        keys[sort] = json!({"S": "0"});
    }
    let mut image = keys.clone();
    image["payload"] = json!({"S": text(body)});
    let id = names.id(table);
    json!({"Records": [{
        "eventID": "c4ca4238a0b923820dcc509a6f75849b",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": names.region,
        "dynamodb": {
            "Keys": keys,
            "NewImage": image,
            "ApproximateCreationDateTime": EPOCH_MS / 1000,
            "SequenceNumber": "4421584500000000017450439091",
            "SizeBytes": text(body).len(),
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        },
        "eventSourceARN": names.arn("dynamodb", &format!("table/{id}/stream/2026-01-01T00:00:00.000"))
    }]})
}

/// A stable UUID-shaped id from a name (FNV-1a), so exports are
/// byte-identical.
fn uuid(name: &str, salt: u64) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let g = h.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15;
    let hex = format!("{h:016x}{g:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

pub(crate) fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
