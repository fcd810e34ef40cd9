"""Transforms SAM templates into CloudFormation with aws-sam-translator,
the library behind the SAM CLI's transform.

Usage: sam_translate.py INPUT OUTPUT [INPUT OUTPUT ...]. Exit 0 when every
input transforms; otherwise prints each failing input's errors, prefixed by
its file name, and exits 1. Needs AWS_DEFAULT_REGION (the tests set
us-east-1). The managed-policy loader is empty: the SAM policy templates we
write need no lookups.
"""
import json
import sys

from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}


def translate(source, target):
    with open(source, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    try:
        out = transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"{source}: {cause.message}", file=sys.stderr)
        return False
    except Exception as e:  # the translator's other failures, reported alike
        print(f"{source}: {type(e).__name__}: {e}", file=sys.stderr)
        return False
    with open(target, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)
    return True


def main():
    args = sys.argv[1:]
    if not args or len(args) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    ok = True
    for source, target in zip(args[::2], args[1::2]):
        ok &= translate(source, target)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
