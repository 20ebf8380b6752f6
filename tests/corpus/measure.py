"""The corpus's shares: how many statements behave as Redshift documents, are refused by
name before anything runs, give a different result, or fail while running.

    .venv/bin/python -m tests.corpus.measure            the emulation as it is
    PYTHONPATH=<older glue_job/local_redshift/src> .venv/bin/python -m tests.corpus.measure
                                                          an older copy, for before/after
"""

from __future__ import annotations

import sys
from collections import Counter

import boto3

from .harness import BEHAVED, DIFFERENT, ERROR, REFUSED, corpus_files, run_file

KINDS = (BEHAVED, REFUSED, DIFFERENT, ERROR)


def main() -> int:
    import os

    from moto import mock_aws

    for name, value in (
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ):
        os.environ[name] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    total: Counter = Counter()
    verbose = "-v" in sys.argv
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        glue = boto3.client("glue", region_name="us-east-1")
        for path in corpus_files():
            outcomes = run_file(path, s3, glue)
            counts = Counter(o.kind for o in outcomes)
            total.update(counts)
            print(f"{path.name:42} " + "  ".join(f"{k} {counts[k]:3}" for k in KINDS))
            if verbose:
                for o in outcomes:
                    if o.kind != BEHAVED:
                        print(f"    {o.line:4} {o.kind}: {o.detail[:150]}")
    n = sum(total.values())
    print(f"{'total':42} " + "  ".join(f"{k} {total[k]:3}" for k in KINDS) + f"  of {n}")
    print(
        "shares: "
        + ", ".join(f"{k} {100 * total[k] / n:.1f}%" for k in KINDS)
        + f"; behaved or refused by name: {100 * (total[BEHAVED] + total[REFUSED]) / n:.1f}%"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
