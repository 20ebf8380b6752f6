"""A spec's 5-field UTC cron becomes EventBridge Scheduler's 6-field cron."""

from __future__ import annotations

import pytest

from etlkit_core.spec import discover
from infra.asl import SQL_ROOT
from infra.errors import ScheduleError
from infra.schedule import eventbridge_cron


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("0 2 * * *", "cron(0 2 * * ? *)"),  # the reviews pipeline: daily at 02:00 UTC
        ("30 4 1 * *", "cron(30 4 1 * ? *)"),  # day of month kept, weekday becomes ?
        ("0 3 * * 1-5", "cron(0 3 ? * 2-6 *)"),  # Mon-Fri: weekdays shift to Sunday=1
        ("0 0 * * 0,6", "cron(0 0 ? * 1,7 *)"),  # Sunday and Saturday
        ("*/15 * * * *", "cron(0/15 * * * ? *)"),  # increments are spelled start/step
        ("0 */6 * * 1/2", "cron(0 0/6 ? * 2/2 *)"),
        ("0 1 * * */2", "cron(0 1 ? * 1-7/2 *)"),  # Sun, Tue, Thu, Sat
        ("5 1 */2 1-6 *", "cron(5 1 1/2 1-6 ? *)"),
    ],
)
def test_conversion(cron: str, expected: str) -> None:
    assert eventbridge_cron(cron) == expected


def test_day_of_month_or_weekday_cannot_be_expressed() -> None:
    with pytest.raises(ScheduleError, match="restricts both day of month and day of week"):
        eventbridge_cron("0 2 1 * 1")


@pytest.mark.parametrize("cron", ["0 2 * *", "0 2 * * MON", "0 2 L * *"])
def test_malformed_input_is_refused(cron: str) -> None:
    with pytest.raises(ScheduleError):
        eventbridge_cron(cron)


def test_every_committed_spec_schedule_converts() -> None:
    for spec in discover(SQL_ROOT):
        if spec.schedule:
            assert eventbridge_cron(spec.schedule).startswith("cron(")
