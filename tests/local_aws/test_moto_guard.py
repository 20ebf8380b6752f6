"""Fails loudly when moto's version or any spot that infra.local patches has changed.

Each failure names the spot (module.Class.attribute), says what changed and what to
re-check before updating the spot's fingerprint in its extension module.
"""

from __future__ import annotations

import moto
import pytest

from infra.local import extensions
from infra.local.patching import PINNED_MOTO_VERSION, Spot, drift


def test_moto_is_the_pinned_version() -> None:
    assert moto.__version__ == PINNED_MOTO_VERSION, (
        f"moto {moto.__version__} is installed but infra.local patches moto "
        f"{PINNED_MOTO_VERSION}: re-check every spot of infra.local.extensions.all_spots()"
    )


@pytest.mark.parametrize("spot", extensions.all_spots(), ids=lambda spot: spot.dotted)
def test_patched_spot_is_unchanged(spot: Spot) -> None:
    problem = drift(spot)
    assert problem is None, str(problem)


def _helper() -> int:
    return 1


def test_guard_notices_a_changed_source() -> None:
    """The fingerprint check itself can fail: a wrong fingerprint is reported with its spot."""
    import sys

    module = sys.modules[__name__]
    problem = drift(Spot(module, "_helper", "0000000000000000", "why", "what to re-check"))
    assert problem is not None
    assert problem.spot.endswith("._helper")
    assert "what to re-check" in str(problem)
    assert drift(Spot(module, "_helper", None, "why", "re-check")) is not None
