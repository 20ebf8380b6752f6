"""Fault: a statement runs past `statement_timeout`.

The server cancels it (SQLSTATE 57014), the runner rolls the open transaction block
back and fails the step naming the statement; the day's rows are what they were.
"""

from __future__ import annotations

import pytest

from .platform import CHAOS_DIR, DAYS, HOLD_SECONDS, Platform

pytestmark = pytest.mark.slow

TIMEOUT_MS = 1500
assert TIMEOUT_MS < HOLD_SECONDS * 1000


def test_a_statement_past_the_timeout_is_cancelled_and_nothing_is_half_applied(
    schema_ready: Platform,
) -> None:
    platform = schema_ready
    day = DAYS[2]
    good = platform.wait_glue_run(
        platform.start_glue_run("sql/reviews/load_reviews.sql", {"run_date": day.isoformat()})
    )
    assert good["JobRunState"] == "SUCCEEDED", good
    platform.query("UPDATE reviews SET star_rating = 0 WHERE review_date = $1", day)
    previous = platform.query(
        "SELECT review_id, star_rating FROM reviews WHERE review_date = $1 ORDER BY 1", day
    )
    assert len(previous) == platform.lake.rows_on(day)
    before = platform.tables_snapshot()

    # the held load: BEGIN; LOCK; DELETE; INSERT; check; SELECT pg_sleep(4); COMMIT
    run = platform.wait_glue_run(
        platform.start_glue_run(
            f"sql/{CHAOS_DIR}/load_reviews.sql",
            {"run_date": day.isoformat()},
            statement_timeout=str(TIMEOUT_MS),
        )
    )
    assert run["JobRunState"] == "FAILED", run
    message = platform.runner_error(run["Id"])
    assert f"{CHAOS_DIR}/load_reviews.sql" in message
    # BEGIN, LOCK, DELETE, INSERT, the check, then the held pg_sleep: statement 6
    assert "statement 6" in message and "statement timeout" in message
    assert "SQLSTATE 57014" in message
    output = "\n".join(platform.log_lines("/aws-glue/python-jobs/output", run["Id"]))
    assert "rolled back the transaction block opened by statement 1" in output

    assert (
        platform.query(
            "SELECT review_id, star_rating FROM reviews WHERE review_date = $1 ORDER BY 1", day
        )
        == previous
    )
    assert platform.tables_snapshot() == before
