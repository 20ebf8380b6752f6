"""Fails loudly when moto's version or any spot that infra.local patches has changed.

Each failure names the spot (module.Class.attribute), says what changed and what to
re-check before updating the spot's fingerprint in its extension module.
"""

from __future__ import annotations

import moto
import pytest

from infra.local import extensions
from infra.local.patching import PINNED_MOTO_VERSION, Spot, drift, source_fingerprint


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


class _Stored:
    @property
    def value(self) -> int:
        return 1

    @value.setter
    def value(self, new: int) -> None:
        self.kept = new


class _StoredElsewhere:
    @property
    def value(self) -> int:
        return 1

    @value.setter
    def value(self, new: int) -> None:
        self.kept = -new


def test_a_property_fingerprint_covers_its_setter() -> None:
    """infra/local/s3_storage.py replaces a property's setter: a changed setter must
    show up as drift even when the getter is the same."""
    ours = source_fingerprint(_Stored.__dict__["value"])
    assert ours != source_fingerprint(_StoredElsewhere.__dict__["value"])
    assert drift(Spot(_Stored, "value", ours, "why", "re-check")) is None
