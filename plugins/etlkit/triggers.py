"""The provider's Glue and Step Functions triggers, taking their first look one poll interval
after the task deferred instead of at once.

Why: Airflow 3.3.1's scheduler fails a resumed task when the executor's report that the
deferring process exited arrives after the trigger has already fired and the task is running
again (SchedulerJobRunner._process_executor_events only excuses a resumed task still in
SCHEDULED). A run that ends within seconds of the deferral, as on the local stack, hits that
window. The trigger waits before its first status call: one poll interval, and in a
triggerer at least FIRST_LOOK_FLOOR_SECONDS, since with a short interval (the local stack
polls every 1-5 s) a loaded machine still lost the race: the deferring process took 5 s to
exit and the scheduler failed the resumed try ("finished with state success, but the task
instance's state attribute is queued"), and once the retries were spent, the run. `airflow
dags test` runs the trigger in the task's own process (trigger_id is None there: the
triggerer sets it), where no such race exists, so it keeps the plain interval. On AWS a Glue
run outlasts both anyway, so this costs nothing there; the worker slot is free during the
wait either way.

quiet_provider_warning() silences one warning the provider raises on every AWS client it
makes: AwsBaseHook reads its own version for the user agent through
`ProvidersManager().hooks`, which Airflow 3.3.1 deprecates (DeprecatedImportWarning). It came
three times per task attempt into every task log, about code that is not ours and nothing a
reader can act on; only that message is filtered. The triggers and the operators call it
where they start work: a filter set while the DAG file is imported does not last, since
Airflow parses DAG files inside `warnings.catch_warnings()` (to record parse warnings).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.amazon.aws.triggers.glue import GlueJobCompleteTrigger
from airflow.providers.amazon.aws.triggers.step_function import (
    StepFunctionsExecutionCompleteTrigger,
)


def quiet_provider_warning() -> None:
    warnings.filterwarnings("ignore", message=r"ProvidersManager\.hooks is deprecated")


# Longer than a loaded machine took from a deferral to the scheduler seeing the deferring
# process exit (about 6 s measured with both cores busy).
FIRST_LOOK_FLOOR_SECONDS = 15


class _FirstLookAfterOneInterval:
    waiter_delay: int
    trigger_id: int | None

    def first_look_seconds(self) -> int:
        """Seconds from the deferral to the first status call."""
        if self.trigger_id is None:  # run in the task's process (`airflow dags test`)
            return self.waiter_delay
        return max(self.waiter_delay, FIRST_LOOK_FLOOR_SECONDS)

    async def run(self) -> AsyncIterator[Any]:
        quiet_provider_warning()
        await asyncio.sleep(self.first_look_seconds())
        async for event in super().run():  # type: ignore[misc]
            yield event


class GlueRunTrigger(_FirstLookAfterOneInterval, GlueJobCompleteTrigger):
    """GlueJobCompleteTrigger (same arguments, events and log copying)."""


class ExecutionTrigger(_FirstLookAfterOneInterval, StepFunctionsExecutionCompleteTrigger):
    """StepFunctionsExecutionCompleteTrigger (same arguments and events)."""
