"""Every in-process extension of moto, installed together and listed for the drift guard."""

from __future__ import annotations

import logging

from infra.local import (
    cfn,
    glue_runs,
    jsonata_engine,
    redshift_api,
    s3_storage,
    stepfunctions_events,
    stepfunctions_fixes,
    stepfunctions_redrive,
    stepfunctions_retry,
    stepfunctions_sdk,
)
from infra.local.errors import MotoDriftError
from infra.local.patching import Spot, drift, version_drift

LOG = logging.getLogger(__name__)

_MODULES = (
    glue_runs,
    stepfunctions_fixes,
    stepfunctions_redrive,
    stepfunctions_events,
    stepfunctions_retry,
    stepfunctions_sdk,
    jsonata_engine,
    redshift_api,
    s3_storage,
    cfn,
)


def all_spots() -> tuple[Spot, ...]:
    return tuple(spot for module in _MODULES for spot in module.SPOTS)


def drifts() -> list[MotoDriftError]:
    found = [error for error in (version_drift(),) if error is not None]
    found += [error for error in map(drift, all_spots()) if error is not None]
    return found


def install() -> None:
    """Patch moto in this process (idempotent); warn about every drifted spot first."""
    for error in drifts():
        LOG.warning("moto drift: %s", error)
    for module in _MODULES:
        module.install()
