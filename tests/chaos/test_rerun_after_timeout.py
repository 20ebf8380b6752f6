"""A step that timed out frees the date at once (issue 14, item 3; contract C4).

Glue ends a run that reaches its Timeout with SIGTERM (then SIGKILL after a grace period).
The runner must cancel its statement, roll back and close on SIGTERM: then, by the time the
run reads TIMEOUT, its database session is gone with its locks, and a rerun of the date
proceeds at once instead of waiting behind the old transaction (the load's LOCK would make
it wait the whole statement otherwise). The load here holds its transaction for 4 seconds,
past the run's 3-second Timeout (a Glue minute lasts a second on the test server).

Needs the runner of issue 14's runner side (its SIGTERM handler).
"""

from __future__ import annotations

import json
import time

import pytest

from .platform import CHAOS_DIR, DAYS, Platform, backend_gone, backend_in, wait_for

pytestmark = pytest.mark.slow

HELD_LOAD = f"sql/{CHAOS_DIR}/load_reviews.sql"
REAL_LOAD = "sql/reviews/load_reviews.sql"


def test_a_timed_out_load_leaves_no_session_and_the_rerun_runs_at_once(
    schema_ready: Platform,
) -> None:
    platform = schema_ready
    day = DAYS[6]
    glue = platform.client("glue")
    timed_out = glue.start_job_run(
        JobName=platform.job,
        Arguments={"--file": HELD_LOAD, "--params": json.dumps({"run_date": str(day)})},
        Timeout=3,
    )["JobRunId"]
    # Python shell runs get no --JOB_RUN_ID, so the session is named after the step only;
    # this test's day is its own and nothing else loads it meanwhile
    application = f"sqlrunner:{CHAOS_DIR}/load_reviews%"
    # the load holds its transaction (and the LOCK) when the Timeout comes
    wait_for(
        backend_in(platform.database, application, "SELECT pg_sleep%"),
        timeout=3,
        what="the load to hold its transaction before the Timeout",
    )
    run = platform.wait_glue_run(timed_out)
    assert run["JobRunState"] == "TIMEOUT", run
    # gone when the run is reported ended (a second's slack for the server to notice)
    wait_for(
        backend_gone(platform.database, application),
        timeout=1,
        what="the timed-out run's session to end",
    )
    started = time.monotonic()
    rerun = platform.wait_glue_run(platform.start_glue_run(REAL_LOAD, {"run_date": str(day)}))
    took = time.monotonic() - started
    assert rerun["JobRunState"] == "SUCCEEDED", rerun
    expected = platform.lake.rows_on(day)
    assert platform.query(
        "SELECT count(*), count(DISTINCT review_id) FROM reviews WHERE review_date = $1", day
    ) == [(expected, expected)]
    print(f"rerun right after the timeout took {took:.1f} s")
