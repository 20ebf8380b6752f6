"""Errors of the local AWS server (one hierarchy for the whole component, under infra's
one root, InfraError)."""

from __future__ import annotations

from infra.errors import InfraError


class LocalAwsError(InfraError):
    """Base of every error raised by infra.local."""


class MotoDriftError(LocalAwsError):
    """A moto function or class that infra.local patches is not the one it was written against.

    Carries the dotted name of the spot and what to re-check, so a moto upgrade names
    exactly which extension needs a second look.
    """

    def __init__(self, spot: str, problem: str, recheck: str) -> None:
        self.spot = spot
        self.problem = problem
        self.recheck = recheck
        super().__init__(f"{spot}: {problem}. Re-check: {recheck}")


class ServerStartError(LocalAwsError):
    """The server could not be started (port, state dir, interpreter)."""


class UnsupportedGlueFeature(LocalAwsError):
    """A Glue job uses a feature the local runtime does not emulate; the run fails with this."""


class LocalStackError(LocalAwsError):
    """`make local-up` cannot bring the stack up; the message says what to do."""
