"""The one error hierarchy of etlkit_core (the pipeline spec's Airflow-free core).

Every refusal names what it is about (steps, a dataset) as data on the exception, so a
caller can point at the spec lines and a test can assert on more than the wording.
"""

from __future__ import annotations

from collections.abc import Sequence


class EtlkitCoreError(Exception):
    """Base of every error etlkit_core raises on purpose."""


class GraphError(EtlkitCoreError):
    """A pipeline's steps do not form a graph both orchestrators can run."""

    def __init__(self, message: str, steps: Sequence[str], dataset: str = "") -> None:
        super().__init__(message)
        self.steps = tuple(steps)
        self.dataset = dataset


class UnknownStepError(GraphError):
    """A step id is given twice, or `after:` names a step that does not exist."""


class CycleError(GraphError):
    """The steps depend on each other in a circle; `steps` is the circle, in order."""


class WriteConflictError(GraphError):
    """Two steps write the same dataset and neither runs after the other."""
