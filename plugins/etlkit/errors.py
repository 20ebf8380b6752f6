"""The errors the Airflow side of etlkit raises on purpose.

They surface in a task's log and in the failure alert, so each message names what is wrong
(the Airflow Variable, the param, the Glue run) and what to do about it. Pipeline spec errors
are `etlkit_core.spec.SpecError`; they happen at parse time and show as DAG import errors.
"""


class EtlkitError(Exception):
    """Base class of the errors below."""


class SettingError(EtlkitError):
    """An Airflow Variable the DAGs read at run time is missing or malformed."""


class RunParamError(EtlkitError):
    """A run's params cannot be resolved: unknown name, or no value and no default."""


class RunFailedError(EtlkitError):
    """A Glue run or a state machine execution did not succeed; the message carries its error."""


class PipelinesNotFoundError(EtlkitError):
    """No directory of pipeline specs where the DAG file looks for them."""


class ExecutionConflict(RunFailedError):
    """A run of the same date is running with other params: this one waits for it (retried)."""
