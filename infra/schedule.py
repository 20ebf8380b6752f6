"""A spec's 5-field cron (UTC) as an EventBridge Scheduler cron expression.

EventBridge cron has six fields (minutes hours day-of-month month day-of-week year), needs
`?` in exactly one of the two day fields, and numbers weekdays 1-7 from Sunday where
classic cron uses 0-6 (EventBridge Scheduler user guide, "Schedule types": cron-based
schedules). Classic cron ORs a restricted day-of-month with a restricted day-of-week,
which EventBridge cannot express, so such a spec is refused rather than approximated.

Written by hand: the conversion is a few rules over the spec's already-validated numeric
grammar (etlkit_core.spec), and no maintained library targets EventBridge's dialect.
"""

from __future__ import annotations

import re

from infra.errors import ScheduleError

# Lowest value of each classic field: what "*/n" starts from, spelled "low/n" because
# EventBridge documents increments as "start/step" (e.g. 0/15).
_LOWEST = {"minute": 0, "hour": 0, "day of month": 1, "month": 1, "day of week": 0}
_ITEM = re.compile(r"^(?:(\*)|(\d+)(?:-(\d+))?)(?:/(\d+))?$")


def eventbridge_cron(cron: str) -> str:
    """`'0 2 * * *'` -> `'cron(0 2 * * ? *)'`."""
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(f"{cron!r}: expected 5 fields (minute hour day month weekday)")
    minute, hour, dom, month, dow = fields
    if dom != "*" and dow != "*":
        raise ScheduleError(
            f"{cron!r}: restricts both day of month and day of week (cron runs on either); "
            "EventBridge Scheduler cannot express that, so use one of them"
        )
    converted = [
        _field(minute, "minute", 0),
        _field(hour, "hour", 0),
        "?" if dow != "*" else _field(dom, "day of month", 0),
        _field(month, "month", 0),
        _field(dow, "day of week", 1) if dow != "*" else "?",
        "*",
    ]
    return f"cron({' '.join(converted)})"


def _field(text: str, label: str, shift: int) -> str:
    """One field's comma-separated items, numbers shifted by `shift` (weekdays: +1)."""
    return ",".join(_item(item, label, shift) for item in text.split(","))


def _item(item: str, label: str, shift: int) -> str:
    match = _ITEM.match(item)
    if match is None:
        raise ScheduleError(f"{label} item {item!r} is not numeric cron syntax")
    star, first, last, step = match.groups()
    if star:
        if step is None:
            return "*"
        start = _LOWEST[label] + shift
        # Weekday */n means 0,n,2n.. up to 6: a bounded range keeps it inside 1-7.
        span = f"{start}-7" if label == "day of week" else str(start)
        return f"{span}/{step}"
    text = str(int(first) + shift)
    if last is not None:
        text += f"-{int(last) + shift}"
    if step is not None:
        text += f"/{step}"
    return text
