"""Runs a generated Python handler with sample events, its AWS calls stubbed.

Usage: python run_handler.py CONFIG.json
CONFIG: {"src": dir, "file": "app.py", "function": "handler",
         "env": {NAME: value}, "events": [path, ...]}

Every boto3 client is a real client with botocore's Stubber activated: each
call gets a canned response, and botocore still validates the call's
parameters against the service model (a wrong parameter name or type
fails). Prints one JSON line per event: {"event", "response", "calls"}.
"""

import importlib.util
import io
import json
import os
import sys

import boto3
from botocore.response import StreamingBody
from botocore.stub import Stubber

CANNED = {
    ("dynamodb", "get_item"): {"Item": {"pk": {"S": "x"}}},
    ("dynamodb", "put_item"): {},
    ("s3", "get_object"): lambda: {"Body": StreamingBody(io.BytesIO(b"hello"), 5)},
    ("s3", "put_object"): {},
    ("sqs", "send_message"): {"MessageId": "m-1", "MD5OfMessageBody": "d41d8cd98f00b204e9800998ecf8427e"},
    ("sns", "publish"): {"MessageId": "m-1"},
    ("kinesis", "put_record"): {"ShardId": "shardId-000000000000", "SequenceNumber": "1"},
    ("firehose", "put_record"): {"RecordId": "r-1"},
    ("events", "put_events"): {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]},
    ("lambda", "invoke"): {"StatusCode": 202},
    ("rds-data", "execute_statement"): {"records": []},
}

CALLS = []
_real_client = boto3.client


class StubbedClient:
    def __init__(self, service):
        self._service = service
        self._client = _real_client(
            service,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self._stubber = Stubber(self._client)
        self._stubber.activate()

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(**kwargs):
            canned = CANNED[(self._service, name)]
            self._stubber.add_response(name, canned() if callable(canned) else canned, kwargs)
            CALLS.append(f"{self._service}.{name}")
            return method(**kwargs)

        return call


def main():
    config = json.load(open(sys.argv[1]))
    os.environ.update(config["env"])
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    boto3.client = lambda service, *args, **kwargs: StubbedClient(service)
    sys.path.insert(0, config["src"])
    spec = importlib.util.spec_from_file_location("handler_under_test", os.path.join(config["src"], config["file"]))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler = getattr(module, config["function"])
    for path in config["events"]:
        CALLS.clear()
        event = json.load(open(path))
        response = handler(event, None)
        print(json.dumps({"event": path, "response": response, "calls": list(CALLS)}))


if __name__ == "__main__":
    main()
