// Component icons: a tile in the category's colour with a short AWS-style
// abbreviation. Drawn inline (no fetches), so they work offline and under CSP.
import type { Category } from "./generated/Category";
import type { ComponentKind } from "./generated/ComponentKind";

export const CATEGORY_COLOUR: Record<Category, string> = {
  event_sources: "#e7157b",
  compute: "#ed7100",
  containers: "#d45b07",
  networking: "#8c4fff",
  data: "#3b48cc",
  registries: "#01a88d",
  security: "#dd344c",
  other: "#5a6b86",
};

const GLYPH: Record<ComponentKind, string> = {
  client: "USR",
  api_gateway: "API",
  cloudfront: "CF",
  alb: "ALB",
  nlb: "NLB",
  clb: "CLB",
  cognito: "COG",
  lex: "LEX",
  alexa: "ALX",
  s3_bucket: "S3",
  sqs_queue: "SQS",
  sns_topic: "SNS",
  eventbridge_rule: "EB",
  kinesis_stream: "KDS",
  firehose: "KDF",
  dynamodb_table: "DDB",
  aurora_serverless: "AUR",
  rds: "RDS",
  lambda_function: "λ",
  ec2_instance: "EC2",
  ecs_cluster: "ECS",
  ecs_service: "SVC",
  task_definition: "TD",
  fargate: "FG",
  fargate_spot: "FGS",
  ec2_capacity: "ASG",
  eks_cluster: "EKS",
  eks_node_group: "NG",
  eks_fargate_profile: "FP",
  eks_workload: "K8S",
  ecr_repository: "ECR",
  external_registry: "HUB",
  iam_role: "IAM",
  generic: "CFN",
};

export function KindIcon({ kind, category, size = 32 }: { kind: ComponentKind; category: Category; size?: number }) {
  const glyph = GLYPH[kind];
  const fontSize = glyph.length > 2 ? 10 : glyph === "λ" ? 18 : 13;
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" className="kind-icon">
      <rect x="1" y="1" width="30" height="30" rx="6" fill={CATEGORY_COLOUR[category]} />
      <text
        x="16"
        y="17"
        textAnchor="middle"
        dominantBaseline="middle"
        fontFamily="system-ui, sans-serif"
        fontWeight="700"
        fontSize={fontSize}
        fill="#fff"
      >
        {glyph}
      </text>
    </svg>
  );
}
