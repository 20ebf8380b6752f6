"""A rerun leaves exactly its date's report, and a day without data fails (issue 14, items
4 and 5), on the reviews pipeline as committed, through both orchestrators.

- Stale partitions: UNLOAD ... PARTITION BY ... CLEANPATH only empties the partition folders
  the new run writes (Redshift UNLOAD reference, CLEANPATH). A day that lost its only
  Automotive review kept its old Automotive report file; the unload step now owns its
  run-dated prefix (`-- @owns`, the runner's side of issue 14), so the rerun removes it.
- Empty days: the load's `-- @check lake_has_the_day` fails a day with fewer than min_rows
  reviews (a permanent failure: one attempt, an alert naming the check); the spec's
  `min_rows: 0` accepts the day.

Both need the runner of issue 14's runner side (`-- @owns`, `-- @check`).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infra.local import stack
from tests.airflow.conftest import (
    REPORT_PREFIX,
    Airflow,
    LocalStack,
    expected_report,
    report_by_partition,
)

from .platform import glue_attempts
from .stack_pipelines import Alerts, wait_execution

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

PIPELINE = "reviews_etl"
LOST_DAY = dt.date(2015, 6, 20)  # a day of this test only
EMPTY_DAY = dt.date(2015, 7, 1)  # no review in the lake
TEST_PART = "part-issue14-test.parquet"


def _start(local_stack: LocalStack, name: str, execution_input: dict) -> dict:
    arn = local_stack.client("stepfunctions").start_execution(
        stateMachineArn=local_stack.state.state_machines[PIPELINE],
        name=name,
        input=json.dumps(execution_input),
    )["executionArn"]
    return wait_execution(local_stack, arn)


def _write_day(local_stack: LocalStack, day: dt.date, per_category: dict[str, int]) -> None:
    """Lake files of `day` only: rows borrowed from the sample data, re-dated."""
    s3, bucket = local_stack.client("s3"), local_stack.data_bucket
    for category, rows in per_category.items():
        prefix = f"{stack.LAKE_PREFIX}product_category={category}/"
        source = next(
            item["Key"]
            for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
            if not item["Key"].endswith(TEST_PART)
        )
        table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=source)["Body"].read()))
        table = table.slice(0, rows)
        dates = pa.array([day] * rows, table.schema.field("review_date").type)
        table = table.set_column(table.schema.get_field_index("review_date"), "review_date", dates)
        out = io.BytesIO()
        pq.write_table(table, out)
        s3.put_object(Bucket=bucket, Key=prefix + TEST_PART, Body=out.getvalue())


def _other_reports(local_stack: LocalStack, day: dt.date) -> dict[str, tuple]:
    """Every report object of the other dates: key -> (ETag, last modified)."""
    s3 = local_stack.client("s3")
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=local_stack.data_bucket, Prefix=REPORT_PREFIX
    )
    return {
        item["Key"]: (item["ETag"], item["LastModified"])
        for page in pages
        for item in page.get("Contents", [])
        if f"run_date={day}/" not in item["Key"]
    }


def test_a_rerun_of_a_day_that_lost_a_partition_leaves_exactly_its_current_report(
    local_stack: LocalStack,
) -> None:
    _write_day(local_stack, LOST_DAY, {"Automotive": 1, "Books": 3})
    first = _start(local_stack, str(LOST_DAY), {"run_date": str(LOST_DAY)})
    assert first["status"] == "SUCCEEDED", first
    report = local_stack.unloaded(LOST_DAY)
    assert {key for key in report if "product_category=Automotive/" in key}, report
    assert report_by_partition(report) == expected_report(local_stack.lake_rows(LOST_DAY))

    # the day loses its only Automotive review; the rerun must drop that partition's file
    s3 = local_stack.client("s3")
    neighbour = f"{REPORT_PREFIX}run_date={LOST_DAY - dt.timedelta(days=1)}/marketplace=US/x.txt"
    s3.put_object(Bucket=local_stack.data_bucket, Key=neighbour, Body=b"another date's file")
    others_before = _other_reports(local_stack, LOST_DAY)
    assert neighbour in others_before
    s3.delete_object(
        Bucket=local_stack.data_bucket,
        Key=f"{stack.LAKE_PREFIX}product_category=Automotive/{TEST_PART}",
    )
    rerun = _start(local_stack, f"{LOST_DAY}_rerun_lost", {"run_date": str(LOST_DAY)})
    assert rerun["status"] == "SUCCEEDED", rerun
    after = local_stack.unloaded(LOST_DAY)
    assert not [key for key in after if "product_category=Automotive/" in key], after
    assert report_by_partition(after) == expected_report(local_stack.lake_rows(LOST_DAY))
    # nothing outside the run date's prefix was touched
    assert _other_reports(local_stack, LOST_DAY) == others_before


def test_an_empty_day_fails_the_state_machine_once_naming_the_check(
    local_stack: LocalStack,
) -> None:
    alerts = Alerts(local_stack)
    done = _start(local_stack, f"{EMPTY_DAY}_rerun_sfn", {"run_date": str(EMPTY_DAY)})
    assert done["status"] == "FAILED", done
    assert glue_attempts(done["history"], "load_reviews") == 1  # permanent: not retried
    assert glue_attempts(done["history"], "unload_helpful_reviews") == 0
    (alert,) = alerts.read()
    assert "check lake_has_the_day failed" in alert.message
    assert "  load_reviews (sql/reviews/load_reviews.sql): Glue run jr_" in alert.message
    assert "[permanent]" in alert.message

    accepted = _start(
        local_stack, f"{EMPTY_DAY}_rerun_ok", {"run_date": str(EMPTY_DAY), "min_rows": 0}
    )
    assert accepted["status"] == "SUCCEEDED", accepted
    assert local_stack.loaded_rows(EMPTY_DAY) == 0


def test_an_empty_day_fails_the_glue_dag_without_retries_naming_the_check(
    local_stack: LocalStack, airflow: Airflow
) -> None:
    alerts = Alerts(local_stack)
    run = airflow.run(
        "dags", "test", f"{PIPELINE}_glue", "--conf", json.dumps({"run_date": str(EMPTY_DAY)})
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-5000:]
    assert "check lake_has_the_day failed" in output
    (alert,) = alerts.read()
    assert "Task:      load_reviews" in alert.message
    assert "check lake_has_the_day failed" in alert.message
    assert "Try:       1 of 3" in alert.message
