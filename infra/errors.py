"""The one error hierarchy of the infra tools (generator, cron conversion, deploy).

Every message names what is at fault (spec file and field, stack and resource, S3 key)
so the CLI can print it as is and exit non-zero; none ever carries a secret value.
"""


class InfraError(Exception):
    """Base class: anything infra/ raises on purpose."""


class AslError(InfraError):
    """A pipeline spec cannot become a state machine; the message names the spec and field."""


class ScheduleError(InfraError):
    """A spec's cron cannot be expressed as an EventBridge Scheduler cron expression."""


class DeployError(InfraError):
    """A deploy step failed; the message says which step and why."""


class StackError(DeployError):
    """A CloudFormation stack did not reach a complete state.

    `reasons` are the ResourceStatusReason lines of the stack's failed events, oldest
    first, as "<logical id> (<type>): <reason>".
    """

    def __init__(self, stack_name: str, status: str, reasons: list[str]) -> None:
        self.stack_name = stack_name
        self.status = status
        self.reasons = reasons
        detail = "".join(f"\n  - {reason}" for reason in reasons) or " (no failure reason recorded)"
        super().__init__(f"stack {stack_name} ended {status}:{detail}")


class CostError(InfraError):
    """`make cost` cannot price the runs asked for; the message says what is missing."""
