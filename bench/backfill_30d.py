"""A 30-day backfill of the reviews pipeline on the local stack, 3 executions at a time.

`make local-up`'s stack (its own state dir, port and database, so a stack the user has
up is not touched; the platform's GlueMaxConcurrentRuns default is 4, enough for 3),
sample reviews spread over 30 days, then the committed reviews state machine started
for each day with at most 3 executions running at once (a new one starts as soon as
one ends), as a backfill tool would. Figures: wall time, executions per minute, peak
memory (resident sets of this process, the local AWS server and every Glue run it
starts, sampled every 0.2 s), and whether every execution succeeded and every day holds
exactly the generated rows once."""

import datetime as dt
import json
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

from demo_1m import _tree_rss  # same resident-set accounting as the demo benchmark

from infra.local import sample_data, stack

DAYS = 30
CONCURRENCY = 3
ROWS = 150_000
FIRST_DAY = dt.date(2015, 6, 1)
PIPELINE = "reviews_etl"


class _PeakMemory:
    def __init__(self, roots: "set[int]") -> None:
        self.roots, self.peak = roots, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.roots))
            time.sleep(0.2)

    def __enter__(self) -> "_PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _backfill(state: "stack.StackState", days: "list[dt.date]") -> "dict[dt.date, str]":
    """Start one execution per day, CONCURRENCY at a time; returns each day's status."""
    sfn = state.client("stepfunctions")
    pending, running, status = list(days), {}, {}
    while pending or running:
        while pending and len(running) < CONCURRENCY:
            day = pending.pop(0)
            running[day] = sfn.start_execution(
                stateMachineArn=state.state_machines[PIPELINE],
                name=f"backfill-{day:%Y%m%d}-{uuid.uuid4().hex[:6]}",
                input=json.dumps({"run_date": day.isoformat()}),
            )["executionArn"]
        time.sleep(0.5)
        for day, arn in list(running.items()):
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                status[day] = described["status"]
                del running[day]
    return status


def run() -> dict:
    database = "chaos_bench_backfill_" + uuid.uuid4().hex[:8]
    days = [FIRST_DAY + dt.timedelta(days=i) for i in range(DAYS)]
    with tempfile.TemporaryDirectory() as scratch:
        state_dir = Path(scratch) / "stack"
        state = stack.up(
            state_dir=state_dir, aws_port=0, database=database, sample_rows=0, say=lambda _: None
        )
        try:
            lake = sample_data.generate(
                state.client("s3"),
                state.outputs["DataBucket"],
                stack.LAKE_PREFIX,
                rows=ROWS,
                dates=days,
            )
            started = time.perf_counter()
            with _PeakMemory({state.server_pid, os.getpid()}) as memory:
                status = _backfill(state, days)
            wall = time.perf_counter() - started
            db = state.postgres.connect(database)
            try:
                loaded = {
                    day: (total, distinct)
                    for day, total, distinct in db.query(
                        "SELECT review_date, count(*), count(DISTINCT review_id) FROM reviews "
                        "GROUP BY review_date"
                    ).getresult()
                }
            finally:
                db.close()
        finally:
            stack.discard(state_dir, state)
    succeeded = sum(1 for value in status.values() if value == "SUCCEEDED")
    wrong_days = [
        day.isoformat() for day in days if loaded.get(day) != (lake.rows_on(day), lake.rows_on(day))
    ]
    return {
        "days": DAYS,
        "concurrency": CONCURRENCY,
        "rows": lake.rows,
        "executions_succeeded": succeeded,
        "days_with_wrong_counts": wrong_days,
        "backfill_wall_s": round(wall, 1),
        "seconds_per_day": round(wall / DAYS, 1),
        "peak_rss_mb": round(memory.peak / 2**20),
        "target": f"all {DAYS} executions SUCCEEDED and every day's count equals the lake's",
        "met": succeeded == DAYS and not wrong_days,
    }


if __name__ == "__main__":  # PYTHONPATH=. python bench/backfill_30d.py
    print(json.dumps(run(), indent=2))
