"""The provider's Glue and Step Functions triggers, taking their first look one poll interval
after the task deferred instead of at once.

Why: Airflow 3.3.1's scheduler fails a resumed task when the executor's report that the
deferring process exited arrives after the trigger has already fired and the task is running
again (SchedulerJobRunner._process_executor_events only excuses a resumed task still in
SCHEDULED). A run that ends within seconds of the deferral, as on the local stack, hits that
window; waiting one poll interval before the first status call keeps the trigger's event
behind the deferring process's exit. On AWS a Glue run outlasts the interval anyway, so this
costs nothing there; the worker slot is free during the wait either way.

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


class _FirstLookAfterOneInterval:
    waiter_delay: int

    async def run(self) -> AsyncIterator[Any]:
        quiet_provider_warning()
        await asyncio.sleep(self.waiter_delay)
        async for event in super().run():  # type: ignore[misc]
            yield event


class GlueRunTrigger(_FirstLookAfterOneInterval, GlueJobCompleteTrigger):
    """GlueJobCompleteTrigger (same arguments, events and log copying)."""


class ExecutionTrigger(_FirstLookAfterOneInterval, StepFunctionsExecutionCompleteTrigger):
    """StepFunctionsExecutionCompleteTrigger (same arguments and events)."""
