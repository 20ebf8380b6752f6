"""Fault: the UNLOAD target's neighbourhood already holds other runs' files.

The unload step writes under `run_date=<day>/` with CLEANPATH. Another date's report,
objects whose keys merely start with the same characters, and the bare key equal to
the prefix without its slash must come through a run and a rerun untouched: same
version ids, ETags and modification times, no delete markers (each run takes seconds,
so a rewrite or a delete would show). Without CLEANPATH, an UNLOAD into a prefix that holds files must fail
as Redshift's does, and touch nothing.
"""

from __future__ import annotations

import time

import pytest

from .platform import CHAOS_DIR, DAYS, REPORT_PREFIX, UNLOAD_NO_CLEANPATH, Platform

pytestmark = pytest.mark.slow


def _load_and_unload(platform: Platform, day, unload_file: str) -> dict:
    params = {"run_date": day.isoformat()}
    load = platform.wait_glue_run(platform.start_glue_run("sql/reviews/load_reviews.sql", params))
    assert load["JobRunState"] == "SUCCEEDED", load
    report_uri = f"s3://{platform.data_bucket}/{REPORT_PREFIX}"
    return platform.wait_glue_run(
        platform.start_glue_run(unload_file, {**params, "report_uri": report_uri})
    )


def test_a_run_and_its_rerun_touch_no_other_run_s_files(schema_ready: Platform) -> None:
    platform = schema_ready
    other_day, day = DAYS[6], DAYS[7]
    other = _load_and_unload(platform, other_day, "sql/reviews/unload_helpful_reviews.sql")
    assert other["JobRunState"] == "SUCCEEDED", other
    target = f"{REPORT_PREFIX}run_date={day.isoformat()}/"
    s3 = platform.client("s3")
    for key in (
        target.rstrip("/"),  # the prefix without its slash is another object
        target.rstrip("/") + ".bak/part-0000.parquet",
        target.rstrip("/") + "0/part-0000.parquet",
        f"{REPORT_PREFIX}other_team/run_date={day.isoformat()}/keep.csv",
    ):
        s3.put_object(Bucket=platform.data_bucket, Key=key, Body=b"not ours")
    everything_else = platform.object_versions(platform.data_bucket, REPORT_PREFIX)
    time.sleep(1.1)  # modification times have one-second resolution
    assert any(key.startswith(f"{REPORT_PREFIX}run_date={other_day}/") for key in everything_else)

    outputs = []
    for _attempt in range(2):  # the run, then a rerun of the same date
        run = platform.run("reviews_etl", {"run_date": day.isoformat()})
        assert run["status"] == "SUCCEEDED", run
        keys = platform.keys(platform.data_bucket, target)
        assert keys, "the run unloaded nothing"
        outputs.append(
            {
                key: s3.get_object(Bucket=platform.data_bucket, Key=key)["Body"].read()
                for key in keys
            }
        )
        after = platform.object_versions(platform.data_bucket, REPORT_PREFIX)
        untouched = {key: after.get(key) for key in everything_else}
        assert untouched == everything_else
    assert outputs[0] == outputs[1], "the rerun did not rewrite the same files"


def test_unload_without_cleanpath_into_a_used_prefix_fails_and_touches_nothing(
    schema_ready: Platform,
) -> None:
    platform = schema_ready
    day = DAYS[7]
    first = _load_and_unload(platform, day, "sql/reviews/unload_helpful_reviews.sql")
    assert first["JobRunState"] == "SUCCEEDED", first
    before = platform.object_versions(platform.data_bucket, REPORT_PREFIX)
    assert any(f"run_date={day.isoformat()}/" in key for key in before)
    time.sleep(1.1)  # modification times have one-second resolution

    run = _load_and_unload(platform, day, f"sql/{CHAOS_DIR}/{UNLOAD_NO_CLEANPATH}")
    assert run["JobRunState"] == "FAILED", run
    message = platform.runner_error(run["Id"])
    assert UNLOAD_NO_CLEANPATH in message
    assert "ALLOWOVERWRITE" in message, message
    assert platform.object_versions(platform.data_bucket, REPORT_PREFIX) == before
