"""Fault: the Glue concurrency limit during a backfill.

The chaos platform is deployed with GlueMaxConcurrentRuns=1 and three dates of the
committed reviews state machine start at once, so StartJobRun is refused with
ConcurrentRunsExceededException again and again. The state machine's Retry must absorb
that: every execution succeeds, every date holds exactly the lake's rows once, and
each date's report is there.
"""

from __future__ import annotations

import pytest

from .platform import DAYS, Platform, failed_tasks

pytestmark = pytest.mark.slow

PIPELINE = "reviews_etl"
CONCURRENCY_ERROR = "Glue.ConcurrentRunsExceededException"


def test_three_dates_at_once_on_a_one_run_job_all_end_correct(
    schema_ready: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = schema_ready
    job = platform.client("glue").get_job(JobName=platform.job)["Job"]
    assert job["ExecutionProperty"]["MaxConcurrentRuns"] == 1
    # The Retry waits 15 s x 2^n (full jitter, capped at 300 s): a fifth of that here.
    monkeypatch.setenv("LOCALAWS_RETRY_SCALE", "0.2")
    days = DAYS[4:7]
    executions = {day: platform.start(PIPELINE, {"run_date": day.isoformat()}) for day in days}
    done = {day: platform.wait_execution(arn, timeout=420) for day, arn in executions.items()}

    refusals = 0
    for day, execution in done.items():
        assert execution["status"] == "SUCCEEDED", (day, execution)
        failures = failed_tasks(execution["history"])
        assert {error for _, error in failures} <= {CONCURRENCY_ERROR}, failures
        refusals += len(failures)
    assert refusals > 0, "the backfill never hit the concurrency limit: the test proves nothing"

    counts = dict(
        (day, (total, distinct))
        for day, total, distinct in platform.query(
            "SELECT review_date, count(*), count(DISTINCT review_id) FROM reviews "
            "WHERE review_date = ANY($1::date[]) GROUP BY review_date",
            "{" + ",".join(day.isoformat() for day in days) + "}",
        )
    )
    for day in days:
        expected = platform.lake.rows_on(day)
        assert counts.get(day) == (expected, expected), day
        report = f"reports/helpful_reviews/run_date={day.isoformat()}/"
        assert platform.keys(platform.data_bucket, report), f"no report for {day}"
