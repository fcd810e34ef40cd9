#!/usr/bin/env python3
"""Writes the seven regional price books (crates/cost/pricing/aws-<region>.json)
from the us-east-1 book and the regional rates below.

Every value of the us-east-1 book that has no regional entry here is copied
with "confirmed": false and the note "same as us-east-1: not confirmed for
<region>"; a regional entry is either confirmed (with its source) or
unconfirmed with a note saying where it came from. Run it after adding
rates or sections to the us-east-1 book (the regional books must have the
same keys: `cargo test -p archsim-cost` checks), then add the regional
rates you can confirm here and run it again:

    python3 scripts/regional_price_books.py

Dates: DATE below is the day the regional values were read.
"""
import json, copy, os, sys
from collections import OrderedDict

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
base = json.load(open(f"{ROOT}/crates/cost/pricing/aws-us-east-1.json"), object_pairs_hook=OrderedDict)
DATE = "2026-12-02"

LAMBDA_SRC = ("https://aws.amazon.com/lambda/pricing/; region exceptions as listed by "
              "aws-lambda-power-tuning's price table (only af-south-1, ap-east-1, eu-south-1, "
              "me-south-1 and me-central-1 differ from the base price)")
FARGATE_GROUP_SRC = ("https://aws.amazon.com/jp/fargate/pricing/ (AWS lists us-east-1, us-east-2, "
                     "us-west-2 and eu-west-1 under one price)")
APIGW_GROUP_SRC = ("https://aws.amazon.com/api-gateway/pricing/ (AWS's REST example: 'pricing for "
                   "US East (N. Virginia, Ohio), US West (Oregon), Asia Pacific (Mumbai)')")
ELB_TOKYO_SRC = "3rd-party: a Japanese summary of AWS's Tokyo ELB prices (aws.darcy-it.com)"
EC2_TABLE_SRC = ("3rd-party: a cost tool's table from the AWS price list API (2026-03), "
                 "agreeing with other public tables")
EC2_ASIA_SRC = ("3rd-party: three independent cost tables in public repositories agree on these "
                "figures for the region")
ALB_SG_SRC = "3rd-party: a Singapore cost table in a public repository (ALB 0.0252 $/h, NAT 0.059 $/h)"

# Paths that are rules, not prices: the same in every region.
RULES = {
    "lambda.included_ephemeral_storage", "lambda.provisioned_billing_increment",
    "lambda.free_tier.requests", "lambda.free_tier.gb_seconds",
    "fargate.included_ephemeral_storage", "fargate.minimum_billed_seconds",
    "ec2.minimum_billed_seconds", "elb.alb_lcu", "elb.nlb_nlcu",
    "api_gateway.free_tier.rest_requests", "api_gateway.free_tier.http_requests",
    "sqs.request_chunk_kb", "sqs.free_tier.requests", "lambda.duration_legacy_100ms",
    "rds.multi_az_factor", "kinesis.put_payload_unit_kb", "firehose.record_rounding_kb",
    "sns.request_chunk_kb", "sns.free_tier.publishes", "step_functions.free_tier.state_transitions",
    "eventbridge.event_chunk_kb",
    "eventbridge.free_tier.scheduler_invocations", "cognito.free_tier.monthly_active_users",
    "cloudfront.free_tier.data_out_gb", "cloudfront.free_tier.requests", "xray.sampling",
    "xray.sampling_percent", "xray.free_tier.traces_recorded",
    "data_transfer.free_tier.internet_out_gb", "cloudwatch_logs.free_tier.gb",
    "savings_plans.ec2_instance_1y.lambda_percent", "savings_plans.ec2_instance_1y.fargate_percent",
    "savings_plans.ec2_instance_3y.lambda_percent", "savings_plans.ec2_instance_3y.fargate_percent",
}

def leaves(book):
    """Every rate-like object: path -> dict (rates, tiered rates, quantities, instance types)."""
    out = OrderedDict()
    def walk(v, path):
        if isinstance(v, dict):
            if "source" in v and "date" in v:
                out[path] = v
                return
            for k, c in v.items():
                walk(c, f"{path}.{k}" if path else k)
    walk(book, "")
    return out

def unc(value=None, note=None, tiers=None):
    return {"value": value, "tiers": tiers, "confirmed": False, "note": note}

def conf(value=None, source=None, tiers=None, note=None):
    return {"value": value, "tiers": tiers, "confirmed": True, "source": source, "note": note}

def scale_tiers(path, factor, first=None):
    t = copy.deepcopy(base_leaves[path]["tiers"])
    for i, tier in enumerate(t):
        tier["usd"] = round(tier["usd"] * factor, 4)
    if first is not None:
        t[0]["usd"] = first
    return t

base_leaves = leaves(base)

def same_note(region):
    return f"same as us-east-1: not confirmed for {region}"

def recalled(region, what=""):
    return (f"{region} rate as recalled from AWS's regional price list{what}; not confirmed by a source "
            "read for this book")

def ec2(region, prices, confirmed_types=(), src=None):
    out = {}
    for name, usd in prices.items():
        path = f"ec2.instance_types.{name}"
        if usd is None:
            continue
        if name in confirmed_types:
            out[path] = conf(usd, src)
        else:
            out[path] = unc(usd, recalled(region))
    return out

def dynamo(region, wru, rru, storage):
    n = recalled(region, " (on-demand: half the rate before AWS's November 2024 reduction)")
    return {
        "dynamodb.write_request_units": unc(wru, n),
        "dynamodb.read_request_units": unc(rru, n),
        "dynamodb.storage": unc(storage, recalled(region)),
    }

def per_second(hourly, path):
    """AWS's per-second rate: us-east-1's own figure when the hourly rate is
    us-east-1's, else the hourly rate / 3600 to 5 significant digits."""
    us = base_leaves[path]
    if us.get("note") == f"${hourly} per {'vCPU' if 'vcpu' in path else 'GB'}-hour":
        return us["usd"]
    from decimal import Decimal, Context
    return float(Context(prec=5).create_decimal(Decimal(str(hourly)) / Decimal(3600)))


def fargate(region, vcpu, mem, vcpu_arm, mem_arm, x86_src=None):
    d = {}
    if x86_src:
        d["fargate.vcpu_x86"] = conf(per_second(vcpu, "fargate.vcpu_x86"), x86_src, note=f"${vcpu} per vCPU-hour")
        d["fargate.memory_x86"] = conf(per_second(mem, "fargate.memory_x86"), x86_src, note=f"${mem} per GB-hour")
    else:
        d["fargate.vcpu_x86"] = unc(per_second(vcpu, "fargate.vcpu_x86"), f"${vcpu} per vCPU-hour; " + recalled(region))
        d["fargate.memory_x86"] = unc(per_second(mem, "fargate.memory_x86"), f"${mem} per GB-hour; " + recalled(region))
    d["fargate.vcpu_arm"] = unc(per_second(vcpu_arm, "fargate.vcpu_arm"), f"${vcpu_arm} per vCPU-hour; " + recalled(region))
    d["fargate.memory_arm"] = unc(per_second(mem_arm, "fargate.memory_arm"), f"${mem_arm} per GB-hour; " + recalled(region))
    return d

def elb(region, hour, lcu, nlcu, src=None):
    mk = (lambda v: conf(v, src)) if src else (lambda v: unc(v, recalled(region)))
    return {"elb.alb_hour": mk(hour), "elb.alb_lcu_hour": mk(lcu), "elb.nlb_hour": mk(hour),
            "elb.nlb_nlcu_hour": mk(nlcu)}

def s3(region, storage, put, get):
    n = recalled(region)
    return {"s3.storage_standard": unc(storage, n), "s3.put_requests": unc(put, n),
            "s3.get_requests": unc(get, n)}

US_EC2 = {k: v["usd_per_hour"] for k, v in base["ec2"]["instance_types"].items()}

REGIONS = OrderedDict()

def lambda_confirmed():
    return {
        "lambda.duration_x86": conf(source=LAMBDA_SRC, note="the base (us-east-1) tiers; tiers aggregate per account, region and architecture; up_to is cumulative GB-s a month"),
        "lambda.duration_arm": conf(source=LAMBDA_SRC, note="the base (us-east-1) tiers; tiers aggregate per account, region and architecture; up_to is cumulative GB-s a month"),
    }

# us-east-2 (Ohio)
r = "us-east-2"
d = lambda_confirmed()
d.update(fargate(r, 0.04048, 0.004445, 0.03238, 0.00356, x86_src=FARGATE_GROUP_SRC))
d["api_gateway.rest_requests"] = conf(source=APIGW_GROUP_SRC)
d.update({"ec2.instance_types.m5.large": conf(0.096, EC2_TABLE_SRC),
          "ec2.instance_types.c5.large": conf(0.085, EC2_TABLE_SRC)})
REGIONS[r] = d

# us-west-2 (Oregon)
r = "us-west-2"
d = lambda_confirmed()
d.update(fargate(r, 0.04048, 0.004445, 0.03238, 0.00356, x86_src=FARGATE_GROUP_SRC))
d["api_gateway.rest_requests"] = conf(source=APIGW_GROUP_SRC)
for name in ["t3.medium", "t3.large", "m5.large", "m5.xlarge", "c5.large", "c5.xlarge"]:
    d[f"ec2.instance_types.{name}"] = conf(US_EC2[name], EC2_TABLE_SRC)
REGIONS[r] = d

# eu-west-1 (Ireland)
r = "eu-west-1"
d = lambda_confirmed()
d.update(fargate(r, 0.04048, 0.004445, 0.03238, 0.00356, x86_src=FARGATE_GROUP_SRC))
d.update(ec2(r, {"t3.small": 0.0228, "t3.medium": 0.0456, "t3.large": 0.0912, "m5.large": 0.107,
                 "m5.xlarge": 0.214, "c5.large": 0.096, "c5.xlarge": 0.192, "m6i.large": 0.107,
                 "g4dn.xlarge": 0.587, "g5.xlarge": 1.123},
             confirmed_types={"t3.medium", "t3.large", "m5.large", "m5.xlarge", "c5.large", "c5.xlarge"},
             src=EC2_TABLE_SRC))
d.update(elb(r, 0.0252, 0.008, 0.006))
d.update(dynamo(r, 0.70675, 0.1415, 0.283))
REGIONS[r] = d

# eu-central-1 (Frankfurt)
r = "eu-central-1"
d = lambda_confirmed()
d.update(fargate(r, 0.04656, 0.00511, 0.03725, 0.00409))
d.update(ec2(r, {"t3.small": 0.024, "t3.medium": 0.048, "t3.large": 0.096, "m5.large": 0.115,
                 "m5.xlarge": 0.23, "c5.large": 0.097, "c5.xlarge": 0.194, "m6i.large": 0.115,
                 "g4dn.xlarge": 0.658, "g5.xlarge": 1.258}))
d.update(elb(r, 0.027, 0.008, 0.006))
d.update(dynamo(r, 0.7625, 0.1525, 0.306))
d.update(s3(r, 0.0245, 0.0054, 0.00043))
REGIONS[r] = d

# ap-southeast-1 (Singapore)
r = "ap-southeast-1"
d = lambda_confirmed()
d.update(fargate(r, 0.05056, 0.00553, 0.04045, 0.00442))
d.update(ec2(r, {"t3.small": 0.0264, "t3.medium": 0.0528, "t3.large": 0.1056, "m5.large": 0.12,
                 "m5.xlarge": 0.24, "c5.large": 0.098, "c5.xlarge": 0.196, "m6i.large": 0.12,
                 "g4dn.xlarge": 0.736},
             confirmed_types={"t3.small", "t3.medium", "t3.large", "m5.large", "m5.xlarge"},
             src=EC2_ASIA_SRC))
d["ec2.instance_types.c5.large"]["note"] = recalled(r) + " (public tables disagree: 0.098, 0.102, 0.107)"
d.update(elb(r, 0.0252, 0.008, 0.006))
d["elb.alb_hour"] = conf(0.0252, ALB_SG_SRC)
d.update(dynamo(r, 0.71155, 0.1423, 0.285))
d.update(s3(r, 0.025, 0.005, 0.0004))
REGIONS[r] = d

# ap-northeast-1 (Tokyo)
r = "ap-northeast-1"
d = lambda_confirmed()
d.update(fargate(r, 0.05056, 0.00553, 0.04045, 0.00442))
d["fargate.vcpu_x86"]["note"] = ("$0.05056 per vCPU-hour: AWS's Tokyo rate before the January 2019 "
    "reduction ($0.0632, https://aws.amazon.com/jp/fargate/pricing/) less that reduction's 20%; derived, not confirmed")
d["fargate.memory_x86"]["note"] = ("$0.00553 per GB-hour: AWS's Tokyo rate before the January 2019 "
    "reduction ($0.0158) less that reduction's 65%; derived, not confirmed")
d.update(ec2(r, {"t3.small": 0.0272, "t3.medium": 0.0544, "t3.large": 0.1088, "m5.large": 0.124,
                 "m5.xlarge": 0.248, "c5.large": 0.107, "c5.xlarge": 0.214, "m6i.large": 0.124,
                 "m7g.large": 0.1051, "m7g.xlarge": 0.2102, "g4dn.xlarge": 0.71, "g5.xlarge": 1.459},
             confirmed_types={"t3.small", "t3.medium", "t3.large", "m5.large", "m5.xlarge", "c5.large", "c5.xlarge"},
             src=EC2_ASIA_SRC))
d["ec2.instance_types.m6i.large"]["note"] = recalled(r) + " (one public table gives 0.134)"
d["ec2.instance_types.m7g.large"]["note"] = "one public cost table (2026); not confirmed"
d["ec2.instance_types.m7g.xlarge"]["note"] = "twice m7g.large from one public cost table; not confirmed"
d.update(elb(r, 0.0243, 0.008, 0.006, src=ELB_TOKYO_SRC))
d["api_gateway.rest_requests"] = unc(tiers=scale_tiers("api_gateway.rest_requests", 4.25 / 3.5, 4.25),
    note=("first tier recalled as $4.25 per million in Tokyo; the lower tiers are us-east-1's scaled by the same "
          "ratio; not confirmed"))
d.update(dynamo(r, 0.71345, 0.1427, 0.285))
d.update(s3(r, 0.025, 0.0047, 0.00037))
REGIONS[r] = d

# ap-south-1 (Mumbai)
r = "ap-south-1"
d = lambda_confirmed()
d.update(fargate(r, 0.04256, 0.00467, 0.03405, 0.00374))
d.update(ec2(r, {"t3.small": 0.0224, "t3.medium": 0.0448, "t3.large": 0.0896, "m5.large": 0.101,
                 "m5.xlarge": 0.202, "c5.large": 0.085, "c5.xlarge": 0.17, "m6i.large": 0.101,
                 "g4dn.xlarge": 0.579}))
d["api_gateway.rest_requests"] = conf(source=APIGW_GROUP_SRC)
d.update(elb(r, 0.0239, 0.008, 0.006))
d.update(dynamo(r, 0.71155, 0.1423, 0.285))
d.update(s3(r, 0.025, 0.005, 0.0004))
REGIONS[r] = d


# Step Functions state transitions: the pricing page's regional table
# (read 2026-12-03).
SFN_SRC = "https://aws.amazon.com/step-functions/pricing/ (state transitions pricing table)"
for r, usd in {"us-east-2": 0.025, "us-west-2": 0.025, "eu-west-1": 0.025, "eu-central-1": 0.025,
               "ap-southeast-1": 0.025, "ap-northeast-1": 0.025, "ap-south-1": 0.0285}.items():
    REGIONS[r]["step_functions.state_transitions"] = conf(usd, SFN_SRC)

def set_value(leaf, value):
    for key in ("usd", "usd_per_hour", "value"):
        if key in leaf:
            leaf[key] = value
            return
    raise KeyError(leaf)


def reorder(leaf):
    """Keeps note and confirmed last, as the book's readers expect."""
    note = leaf.pop("note", None)
    confirmed = leaf.pop("confirmed", None)
    if note is not None:
        leaf["note"] = note
    if confirmed is not None:
        leaf["confirmed"] = confirmed


counts = {}
# The network and logs rates a source confirms per region (the research
# behind the services added after the first regional books).
IPV4_SRC = "3rd-party: cloudburn.io ('$0.005/hour per IP', the same in every commercial region)"
for r in REGIONS:
    REGIONS[r]["vpc.public_ipv4_hour"] = conf(0.005, IPV4_SRC)
for r, src in [("us-east-2", "3rd-party: cloudburn.io and hub.pointfive.co (US East (Ohio) $0.045/h and /GB)"),
               ("us-west-2", "3rd-party: a cloud pipelines guide (US West (Oregon) $0.045/h and /GB)"),
               ("ap-southeast-1", "3rd-party: basavytix.com ('ap-southeast-1 (Singapore) is $0.059/hr and $0.059/GB')")]:
    rate = 0.059 if r == "ap-southeast-1" else 0.045
    REGIONS[r]["vpc.nat_gateway_hour"] = conf(rate, src)
    REGIONS[r]["vpc.nat_gateway_gb"] = conf(rate, src)
TOKYO_LOGS = "3rd-party: awsi.click ('$0.76 per GB in ap-northeast-1', storage '$0.033 per GB per month')"
REGIONS["ap-northeast-1"]["cloudwatch_logs.ingestion"] = conf(0.76, TOKYO_LOGS)
REGIONS["ap-northeast-1"]["cloudwatch_logs.storage"] = conf(0.033, TOKYO_LOGS)

for region, specs in REGIONS.items():
    book = copy.deepcopy(base)
    book["region"] = region
    lv = leaves(book)
    unknown = set(specs) - set(lv)
    assert not unknown, (region, unknown)
    n_conf = n_unc = 0
    for path, leaf in lv.items():
        if path in RULES:
            continue
        spec = specs.get(path)
        leaf["date"] = DATE
        if spec is None:
            leaf["confirmed"] = False
            old = leaf.get("note")
            leaf["note"] = same_note(region) + (f" (us-east-1 note: {old})" if old else "")
            n_unc += 1
        else:
            if spec["value"] is not None:
                set_value(leaf, spec["value"])
            if spec["tiers"] is not None:
                leaf["tiers"] = spec["tiers"]
            if spec["confirmed"]:
                leaf["source"] = spec["source"]
                leaf.pop("confirmed", None)
                if spec["note"]:
                    leaf["note"] = spec["note"]
                else:
                    leaf.pop("note", None)
                n_conf += 1
            else:
                leaf["confirmed"] = False
                leaf["note"] = spec["note"]
                n_unc += 1
        reorder(leaf)
    counts[region] = (n_conf, n_unc)
    text = json.dumps(book, indent=2)
    # Plain decimals, as in the us-east-1 book (no exponents).
    import re
    from decimal import Decimal
    text = re.sub(r"-?\d+(\.\d+)?e-?\d+", lambda m: format(Decimal(m.group(0)), "f"), text)
    with open(f"{ROOT}/crates/cost/pricing/aws-{region}.json", "w") as f:
        f.write(text + "\n")
print(json.dumps(counts))
