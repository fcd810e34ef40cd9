//! The connections an import of the shared corpus draws
//! (`../shared/templates/serverless-patterns`), template by template, and
//! the evidence each inferred connection carries. Without the corpus the
//! tests are skipped and say so (see `import_templates.rs`).

mod common;

use common::{corpus, edges, pattern, set};

/// The connections a reader of each template draws, exactly: what its
/// events, target groups, notifications, roles and policies say, and
/// nothing drawn from a variable's name or a read-only policy.
const CORPUS_CONNECTIONS: &[(&str, &[&str])] = &[
    // SQSPollerPolicy on its own queue only receives: the event polls,
    // the function does not send back (no recursive loop).
    (
        "sqs-lambda-dotnet-sam.yaml",
        &[
            "ProcessingQueue -poll-> ProcessorFunction",
            "ProcessingQueue -dead_letter-> ProcessingDLQ",
        ],
    ),
    // The listener rule forwards to the target group that holds the
    // function (the permission lets the load balancer invoke it).
    (
        "alb-lambda-rest-api-sam-py.yaml",
        &["AlbLambdaRestApiSamPyFunctionLoadBalancer -route-> AlbLambdaRestApiSamPyFunction"],
    ),
    (
        "alb-cognito-lambda.yaml",
        &[
            "LoadBalancer -route-> LambdaFunction",
            // The role is named MyLambdaFunctionPermission.
            "LambdaFunction -assumes_role-> MyLambdaFunctionPermission",
        ],
    ),
    // NLB -> ALB-type target group -> ALB -> Lambda target group.
    (
        "apigw-rest-api-private-alb-integration.yaml",
        &[
            "PrivateNLB -route-> PrivateALB",
            "PrivateALB -route-> LambdaFunction",
        ],
    ),
    // EventBridge notifications: the rule that names the bucket.
    (
        "s3-eventbridge-wildcard-sam.yaml",
        &[
            "MyS3Bucket -publishes-> MyEventRule",
            "MyEventRule -publishes-> MyQueue",
        ],
    ),
    // The rule's target is the topic's ARN spelled out with its
    // TopicName.
    (
        "s3-eventbridge-sns-sam.yaml",
        &[
            "MyS3Bucket -publishes-> MyEventRule",
            "MyEventRule -publishes-> MySNSTopic",
        ],
    ),
    // A SAM EventBridgeRule event on aws.s3 from any bucket; the function
    // may read the bucket (S3ReadPolicy), not write it.
    (
        "s3-lambda-bedrock-aoss.yaml",
        &[
            "SourceBucket -publishes-> DocumentIngestionLambdaFunctionTrigger",
            "DocumentIngestionLambdaFunctionTrigger -invoke_async-> DocumentIngestionLambdaFunction",
            "DocumentIngestionLambdaFunction -uses_read-> SourceBucket",
            "DocumentIngestionLambdaFunction -assumes_role-> DocumentIngestionLambdaExecutionRole",
            "IndexCreationLambdaFunction -assumes_role-> IndexCreationLambdaExecutionRole",
        ],
    ),
    (
        "s3-eventbridge-direct-java.yaml",
        &[
            "SourceBucket -publishes-> MyFunctionTrigger",
            "MyFunctionTrigger -invoke_async-> MyFunction",
            "MyFunction -uses_read-> SourceBucket",
        ],
    ),
    // The processor's explicit role lets it invoke the tenant function
    // (lambda:InvokeFunction) and receive from its queue (no connection
    // of its own: the SQS event polls).
    (
        "sqs-lambda-tenant-isolation-sam-py.yml",
        &[
            "ProcessingQueue -poll-> SQSProcessorFunction",
            "ProcessingQueue -dead_letter-> DeadLetterQueue",
            "SQSProcessorFunction -assumes_role-> SQSProcessorFunctionRole",
            "SQSProcessorFunction -invoke_async-> TenantIsolatedFunction",
            "TenantIsolatedFunction -assumes_role-> TenantIsolatedFunctionRole",
        ],
    ),
    // SQSSendMessagePolicy: a send.
    (
        "lambda-sqs.yaml",
        &["QueuePublisherFunction -publishes-> MySqsQueue"],
    ),
    // A statement with dynamodb:PutItem only is a write; the Kinesis
    // event polls the stream.
    (
        "apigw-kinesis-lambda-ddb.yaml",
        &[
            "KinesisStream -poll-> KinesisHandlerFunction",
            "KinesisHandlerFunction -uses_write-> EventTable",
            "KinesisHandlerFunction -dead_letter-> DeadLetterQueue",
            // The API's default authorizer (Auth.Authorizers: FunctionArn).
            "GatewayAuthorizerFunction -authorizes-> RestApi",
            "GatewayAuthorizerFunction -assumes_role-> AuthorizerLambdaExecutionRole",
            // The basic-auth authorizer reads both secrets (its role's
            // statement secretsmanager:GetSecretValue).
            "GatewayAuthorizerFunction -uses_read-> BasicAuthUsername",
            "GatewayAuthorizerFunction -uses_read-> BasicAuthPassword",
        ],
    ),
    // A REST API with a TOKEN Lambda authorizer on the header Firehose
    // sends its access key in; the authorizer reads the secret it checks
    // the key against; the delivery stream reads the Kinesis stream. (The
    // delivery stream's HTTP endpoint, the API, and its S3 backup are not
    // drawn: import reads S3 destinations only.)
    (
        "kinesis-data-stream-firehose-apigw-sam.yaml",
        &[
            "LambdaAuthorizerFunction -authorizes-> MyApiGateway",
            "LambdaAuthorizerFunction -uses_read-> MySecret",
            "MyApiGateway -invoke_sync-> TestLambdaFunction",
            // The delivery stream's KinesisStreamSourceConfiguration.
            "MyKinesisStream -poll-> KinesisFirehoseDeliveryStream",
        ],
    ),
    // DynamoDBWritePolicy: a write, though a variable names the table too.
    (
        "lambda-dynamodb-rust.yml",
        &["LambdaPutDynamoDB -uses_write-> DynamoTable"],
    ),
    // SAM builds the functions' images (Metadata DockerContext) and
    // deploys them to a repository given at deploy time: drawn as one
    // repository per function, so the image has its registry.
    (
        "lambda-ecs-durable-python-sam.yaml",
        &[
            "SyncLambdaFunction -pulls_image-> SyncLambdaFunctionImageRepository",
            "CallbackLambdaFunction -pulls_image-> CallbackLambdaFunctionImageRepository",
            "SyncTaskDefinition -assumes_role-> ECSTaskExecutionRole",
            "SyncTaskDefinition -pulls_image-> RegistryPublicEcrAws",
            "CallbackTaskDefinition -assumes_role-> ECSTaskRole",
            "CallbackTaskDefinition -assumes_role-> ECSTaskExecutionRole",
            "CallbackTaskDefinition -pulls_image-> RegistryPublicEcrAws",
        ],
    ),
    // s3:GetObject on `*`: a read of the bucket the function's event
    // names (its s3:PutObject on `*` is too weak a sign of a write back to
    // the bucket that invokes it, which would be a loop); dynamodb:PutItem
    // on the table: a write.
    (
        "rekognition-image-moderation-tagging.yaml",
        &[
            "ImageFileBucket -invoke_async-> StartProcessingFunction",
            "StartProcessingFunction -uses_read-> ImageFileBucket",
            "StartProcessingFunction -uses_write-> DynamoDBTable",
        ],
    ),
    (
        "lambda-bedrock-dynamodb-sam.yaml",
        &["InvokeBedrock -uses_write-> Outputtable"],
    ),
    // The WebSocket API invokes its functions through their permissions;
    // each function's DynamoDBCrudPolicy reads and writes the table.
    (
        "apigw-websocket-mapping-template-authorizer.yaml",
        &[
            "WebsocketApi -invoke_sync-> AuthFunction",
            "WebsocketApi -invoke_sync-> OnConnectFunction",
            "WebsocketApi -invoke_sync-> OnDisconnectFunction",
            "WebsocketApi -invoke_sync-> SendMessageFunction",
            "OnConnectFunction -uses_read_write-> ConnectionsTable",
            "OnDisconnectFunction -uses_read_write-> ConnectionsTable",
            "SendMessageFunction -uses_read_write-> ConnectionsTable",
        ],
    ),
    // LambdaInvokePolicy: the orchestrator invokes both functions.
    (
        "lambda-durable-eventbridge-cron-nodejs-sam.yaml",
        &[
            "DurableOrchestratorFunctionFiveMinuteSchedule -invoke_async-> DurableOrchestratorFunction",
            "DurableOrchestratorFunction -invoke_async-> DataProcessorFunction",
            "DurableOrchestratorFunction -invoke_async-> NotificationServiceFunction",
        ],
    ),
    (
        "lambda-lambda-sam-java.yml",
        &["LambdaRequest -invoke_async-> LambdaResponse"],
    ),
    (
        "inspector-eventbridge-multi-destinations.yaml",
        &[
            "CriticalOrHighFindingsRule -invoke_async-> WriteToDynamoDBFunction",
            "CriticalOrHighFindingsWithScoreRule -publishes-> VulnerabilityNotifierTopic",
            "WriteToDynamoDBFunction -uses_read_write-> DynamoDBTable",
        ],
    ),
    (
        "apigw-lambda-dynamodb-kinesis-lambda.yaml",
        &[
            "ServerlessRestApi -invoke_sync-> LambdaProducerFunction",
            "LambdaProducerFunction -uses_read_write-> DynamoDBTable",
            "KinesisStream -poll-> LambdaConsumerFunction",
        ],
    ),
    (
        "dynamodb-eventbridge-java.yaml",
        &[
            "MyDynamoStream -poll-> EventProcessingFunction",
            "MyEventBus -publishes-> EventRuleInsert",
            "MyEventBus -publishes-> EventRuleRemove",
            "EventRuleInsert -invoke_async-> SubscribeInsertFunction",
            "EventRuleRemove -invoke_async-> SubscribeRemoveFunction",
        ],
    ),
    // sqs:* on `*` says nothing of sending: the function polls its queue
    // and is not drawn sending back to it.
    (
        "apigw-sqs-lambda-iot.yaml",
        &[
            "AppApi -publishes-> MySqsQueue",
            "MySqsQueue -poll-> iotpublish",
            "iotpublish -assumes_role-> LambdaExecutionRole",
        ],
    ),
    // AWS service integrations: the URI names the service and action,
    // the credentials role's policy the resource (PutItem and Query
    // methods on one table are one read-write use).
    (
        "apigw-rest-api-dynamodb.yml",
        &["Api -uses_read_write-> DynamoDBTable"],
    ),
    // PutRecord(s) write to the stream the role allows; GetRecords and
    // GetShardIterator only read it, which draws nothing of its own.
    ("apigw-kinesis.yaml", &["Api -publishes-> KinesisStream"]),
    // An HTTP API integration's subtype (SQS-SendMessage) and the queue
    // its parameters name.
    (
        "custom-http-headers-to-sqs-message-attributes-using-http-api-gateway.yaml",
        &["MyHttpApi -publishes-> MyQueue"],
    ),
    // A WebSocket route starts a state machine (StartExecution: the
    // route does not wait for it).
    (
        "apigw-websocket-api-sfn-async.yaml",
        &[
            "WebSocketApi -invoke_async-> AsyncSFn",
            "AsyncSFn -assumes_role-> AsyncSFnRole",
        ],
    ),
    // State machines whose definitions are files not in the corpus: their
    // DefinitionSubstitutions name what their Tasks call (a function is
    // invoked, a topic published to, a task definition run; a cluster,
    // subnet or connection is a name, not a call), SAM events and rule
    // targets start them, and they assume their roles.
    (
        "eventbridge-stepfunction-lambda-getfunctionstatus.yaml",
        &[
            "DailyEventRule -invoke_async-> StepFunction",
            "StepFunction -invoke_sync-> LambdaFunction",
            "StepFunction -publishes-> MySNSTopic",
            "StepFunction -assumes_role-> StepFunctionEventRole",
        ],
    ),
    (
        "stepfunctions-fargate-lambda.yaml",
        &[
            "S3Bucket -publishes-> StateMachineBucketEBRule",
            "StateMachineBucketEBRule -invoke_async-> StateMachine",
            "StateMachine -invoke_sync-> LambdaFunction",
            "StateMachine -runs_task-> TaskDefinition",
            "TaskDefinition -assumes_role-> ECSTaskRole",
            "TaskDefinition -assumes_role-> ECSTaskExecutionRole",
            "TaskDefinition -pulls_image-> ECRRepo",
        ],
    ),
    (
        "stepfunctions-httpendpoint-sam.yaml",
        &["StateMachineHTTPEndpoint -assumes_role-> StatesExecutionRole"],
    ),
    (
        "sfn-comprehend-sam.yaml",
        &["StateMachineExpressSyncToComprehend -assumes_role-> StatesExecutionRole"],
    ),
    // The task definition and cluster are parameters: nothing to draw.
    (
        "sfn-ecs-sam.yml",
        &["StateMachine -assumes_role-> StepFunctionExecutionRole"],
    ),
    // The HTTP API's integration is in an OpenAPI file beside the
    // template; its role, trusted by API Gateway, may StartSyncExecution
    // on the state machine (weak evidence: one API, one role).
    (
        "apigw-sfn.yaml",
        &["HttpApiforSyncWF -invoke_sync-> StateMachineExpressSync"],
    ),
    // Lambda destinations: OnSuccess is an async invoke, OnFailure where
    // failed events go.
    (
        "lambda-destinations-sam.yaml",
        &[
            "MainLambdaFunction -invoke_async-> OnSuccessLambdaFunction",
            "MainLambdaFunction -dead_letter-> OnFailureSqsQueue",
        ],
    ),
    (
        "lambda-lambda.yaml",
        &[
            "ProducerFunction -invoke_async-> OnSuccessFunction",
            "ProducerFunction -dead_letter-> OnFailureFunction",
        ],
    ),
    // The origin's domain name is the function URL's.
    (
        "cloudfront-lambda-url-java.yml",
        &["CloudFrontDistribution -invoke_sync-> LambdaFunction"],
    ),
    // A pipe is kept as written, drawn between its source and target.
    (
        "eventbridge-pipes-sqs-to-eventbridge-with-filters.yaml",
        &["Source -poll-> Pipe", "Pipe -publishes-> Target"],
    ),
    // Targets archsim has no kind for (a Timestream table, a Batch job
    // queue, a state machine) stay generic resources, referenced.
    (
        "eventbridge-pipes-sqs-to-timestream.yaml",
        &[
            "Source -poll-> TimestreamPipe",
            "TimestreamPipe -references-> TimestreamTargetTable",
        ],
    ),
    (
        "eventbridge-pipes-sqs-to-aws-batch-with-filters.yaml",
        &["Source -poll-> Pipe", "Pipe -references-> JobQueue"],
    ),
    // Two pipes on one table's stream, each filtering its event names,
    // onto one bus; failed batches go to the dead-letter queue.
    (
        "eventbridge-pipes-ddbstream-with-filters-to-eventbridge.yaml",
        &[
            "OrdersTable -poll-> OrderCreatedPipe",
            "OrdersTable -poll-> OrderUpdatedPipe",
            "OrderCreatedPipe -publishes-> ApplicationEventBus",
            "OrderUpdatedPipe -publishes-> ApplicationEventBus",
            "OrderCreatedPipe -dead_letter-> PipeDLQueue",
            "OrderUpdatedPipe -dead_letter-> PipeDLQueue",
        ],
    ),
    // The rule is on the custom bus (its target, an AppSync API, is kept
    // as written).
    (
        "eventbridge-appsync-subscription-sam.yaml",
        &["EBBus -publishes-> EBRule"],
    ),
    // EventBridgePutEventsPolicy on the bus: the function puts events on
    // exactly it.
    (
        "dynamodb-streams-lambda-eventbridge-sam-rust.yml",
        &[
            "MyTable -poll-> MyFunction",
            "MyFunction -publishes-> MyBus",
        ],
    ),
    (
        "eventbridge-pipes-ddbstream-sfn.yaml",
        &[
            "DynamoDBWCTable -poll-> DDBStreamToSFN",
            "DDBStreamToSFN -invoke_async-> TargetStateMachine",
            "TargetStateMachine -assumes_role-> TargetStateMachineRole",
        ],
    ),
    // DynamoDBCrudPolicy: reads and writes.
    (
        "apigw-lambda-dynamodb.yaml",
        &[
            "ServerlessRestApi -invoke_sync-> LambdaFunction",
            "LambdaFunction -uses_read_write-> DynamoDBTable",
        ],
    ),
];

#[test]
fn corpus_templates_draw_what_a_reader_draws() {
    let Some(dir) = corpus(
        "corpus_templates_draw_what_a_reader_draws",
        &format!(
            "the expected connections of {} templates of templates/serverless-patterns",
            CORPUS_CONNECTIONS.len()
        ),
    ) else {
        return;
    };
    let mut wrong = Vec::new();
    for (file, expected) in CORPUS_CONNECTIONS {
        let imported = pattern(&dir, file);
        let got = edges(&imported.design);
        let want = set(expected);
        if got != want {
            wrong.push(format!(
                "{file}:\n  missing {:?}\n  not expected {:?}\n  report: {:#?}",
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(&want).collect::<Vec<_>>(),
                imported.report.inferred
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Each connection the import infers says where it comes from: the policy
/// template or statement's actions, the target group and its permission,
/// the bucket's notification settings and the rule's pattern.
#[test]
fn inferred_connections_carry_their_evidence() {
    let Some(dir) = corpus(
        "inferred_connections_carry_their_evidence",
        "its evidence checks on templates/serverless-patterns",
    ) else {
        return;
    };
    let expect = [
        (
            "alb-cognito-lambda.yaml",
            "LoadBalancer -> LambdaFunction (routes to, from Listener -> target group \
             TargetGroup, permission LambdaFunctionInvokePermission)",
        ),
        (
            "apigw-kinesis-lambda-ddb.yaml",
            "KinesisHandlerFunction -> EventTable (uses, from KinesisHandlerFunction policy: \
             statement dynamodb:PutItem)",
        ),
        (
            "sqs-lambda-tenant-isolation-sam-py.yml",
            "SQSProcessorFunction -> TenantIsolatedFunction (invokes asynchronously, from \
             SQSProcessorFunction role SQSProcessorFunctionRole: statement lambda:InvokeFunction)",
        ),
        (
            "s3-eventbridge-wildcard-sam.yaml",
            "MyS3Bucket -> MyEventRule (publishes to, from MyS3Bucket EventBridgeConfiguration; \
             rule MyEventRule matches source aws.s3, bucket MyS3Bucket)",
        ),
        (
            "lambda-sqs.yaml",
            "QueuePublisherFunction -> MySqsQueue (publishes to, from QueuePublisherFunction \
             policy: SQSSendMessagePolicy)",
        ),
        (
            "kinesis-data-stream-firehose-apigw-sam.yaml",
            "LambdaAuthorizerFunction -> MyApiGateway (authorizes, from MyApiGateway \
             Auth.Authorizers.MyLambdaAuthorizer (Lambda authorizer))",
        ),
    ];
    for (file, line) in expect {
        let imported = pattern(&dir, file);
        assert!(
            imported.report.inferred.iter().any(|l| l == line),
            "{file}: no {line:?} in {:#?}",
            imported.report.inferred
        );
    }
}
