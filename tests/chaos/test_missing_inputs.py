"""Faults: the SQL file is missing from S3, the secret is missing or malformed, the bucket
is wrong. Each run of the committed reviews state machine must end FAILED after one
attempt (retrying cannot help: permanent, exit code 1), its alert must say which pipeline,
step and date failed and why (the runner's own error line, naming what is missing), no
secret value may appear in it, and no table may change.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .platform import DAYS, PASSWORD, Platform, failed_tasks

pytestmark = pytest.mark.slow

PIPELINE = "reviews_etl"
MISSING_SECRET = "chaos/no-such-secret"
MISSING_BUCKET = "chaos-no-such-bucket"


@contextlib.contextmanager
def sql_file_removed(platform: Platform, key: str) -> Iterator[None]:
    s3 = platform.client("s3")
    body = s3.get_object(Bucket=platform.scripts_bucket, Key=key)["Body"].read()
    s3.delete_object(Bucket=platform.scripts_bucket, Key=key)
    try:
        yield
    finally:
        s3.put_object(Bucket=platform.scripts_bucket, Key=key, Body=body)


def _without(field: str) -> Callable[[Platform], Any]:
    def broken(platform: Platform) -> Any:
        value = {k: v for k, v in platform.secret_value.items() if k != field}
        return platform.secret_replaced(json.dumps(value))

    return broken


# (case id, what breaks it, failing step, what the reason must name)
CASES: list[tuple[str, Callable[[Platform], Any], str, Callable[[Platform], str]]] = [
    (
        "sql-file-missing",
        lambda p: sql_file_removed(p, "sql/reviews/load_reviews.sql"),
        "load_reviews",
        lambda p: f"s3://{p.scripts_bucket}/sql/reviews/load_reviews.sql does not exist (--file)",
    ),
    (
        "secret-missing",
        lambda p: p.job_arguments(db_creds=MISSING_SECRET),
        "create_schema",
        lambda p: f"secret '{MISSING_SECRET}' does not exist (--db_creds)",
    ),
    (
        "secret-without-host",
        _without("host"),
        "create_schema",
        lambda p: "field 'host' is missing",
    ),
    (
        "secret-not-json",
        lambda p: p.secret_replaced(f"host=127.0.0.1 password={PASSWORD}"),
        "create_schema",
        lambda p: "SecretString is not JSON",
    ),
    (
        "secret-port-not-a-number",
        lambda p: p.secret_replaced(json.dumps({**p.secret_value, "port": "fifty"})),
        "create_schema",
        lambda p: "field 'port' must be an integer from 1 to 65535",
    ),
    (
        "bucket-wrong",
        lambda p: p.job_arguments(bucket=MISSING_BUCKET),
        "create_schema",
        lambda p: f"bucket '{MISSING_BUCKET}' does not exist (--bucket)",
    ),
]


@pytest.mark.parametrize(
    ("break_it", "step", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_run_fails_and_the_alert_names_pipeline_step_date_and_cause(
    schema_ready: Platform,
    monkeypatch: pytest.MonkeyPatch,
    break_it: Callable[[Platform], Any],
    step: str,
    reason: Callable[[Platform], str],
) -> None:
    platform = schema_ready
    # no LOCALAWS_RETRY_SCALE: a permanent failure waits for no retry, at AWS's timing
    day = DAYS[3].isoformat()
    platform.alerts()  # drop earlier alerts
    before = platform.tables_snapshot()
    with break_it(platform):
        done = platform.run(PIPELINE, {"run_date": day})

    assert done["status"] == "FAILED", done
    # one attempt though the spec allows two retries; nothing after the step ran
    assert failed_tasks(done["history"]) == [(step, "States.TaskFailed")]
    expected_reason = reason(platform)
    assert done["error"] == "States.TaskFailed"
    assert json.loads(done["cause"])["Arguments"]["--file"] == f"sql/reviews/{step}.sql"
    (alert,) = platform.alerts(expected=1)
    message, subject = alert["Message"], alert.get("Subject", "")
    assert f"execution {done['name']} ended FAILED." in message
    assert f"  {step} (sql/reviews/{step}.sql): Glue run jr_" in message
    assert "Command failed with exit code 1 [permanent]" in message
    assert f'"run_date":"{day}"' in message
    assert "Error:     sqlrunner: error: " in message
    assert expected_reason in message
    assert f"redrive-execution --execution-arn {done['executionArn']}" in message
    assert subject.endswith(f"FAILED at {step} ({done['name']})")
    assert PASSWORD not in json.dumps(alert) and PASSWORD not in json.dumps(done, default=str)
    assert platform.tables_snapshot() == before
