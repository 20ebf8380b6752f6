"""The registry of moto internals that infra.local replaces or adds to.

Every extension declares its spots as data: which attribute of which moto module or
class it replaces (or adds), a fingerprint of the moto source it was written against,
why the patch exists and what to re-check when that source changes. Patching moto's
internals is only safe with moto pinned exactly, so `tests/local_aws/test_moto_guard.py`
compares each fingerprint with the installed moto and fails naming the spot.

Written by hand: monkeypatching helpers (e.g. pytest's monkeypatch) restore state but
keep no record of what the patched source looked like, which is the point here.
"""

from __future__ import annotations

import hashlib
import inspect
import threading
from dataclasses import dataclass
from typing import Any

import moto

from infra.local.errors import MotoDriftError

PINNED_MOTO_VERSION = "5.2.5"

_ABSENT = object()


@dataclass(frozen=True)
class Spot:
    """One attribute of moto that infra.local replaces (fingerprint) or adds (fingerprint None)."""

    owner: Any
    name: str
    fingerprint: str | None
    why: str
    recheck: str

    @property
    def dotted(self) -> str:
        owner_name = getattr(self.owner, "__qualname__", None) or self.owner.__name__
        module = getattr(self.owner, "__module__", None)
        prefix = f"{module}.{owner_name}" if module and module != owner_name else owner_name
        return f"{prefix}.{self.name}"


_lock = threading.Lock()
_originals: dict[tuple[int, str], Any] = {}


def source_fingerprint(obj: Any) -> str:
    """First 16 hex digits of the sha256 of the object's source text (a property's
    getter and setter)."""
    if isinstance(obj, property):
        source = "".join(inspect.getsource(f) for f in (obj.fget, obj.fset) if f is not None)
    else:
        source = inspect.getsource(getattr(obj, "__func__", obj))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _key(spot: Spot) -> tuple[int, str]:
    return (id(spot.owner), spot.name)


def original_of(spot: Spot) -> Any:
    """What moto itself defines at the spot (the saved original once patched)."""
    key = _key(spot)
    if key in _originals:
        return _originals[key]
    return inspect.getattr_static(spot.owner, spot.name, _ABSENT)


def apply(spot: Spot, replacement: Any) -> Any:
    """Install `replacement` at the spot once; return moto's original (or None if added)."""
    with _lock:
        key = _key(spot)
        if key not in _originals:
            _originals[key] = inspect.getattr_static(spot.owner, spot.name, _ABSENT)
            setattr(spot.owner, spot.name, replacement)
        original = _originals[key]
    return None if original is _ABSENT else original


def drift(spot: Spot) -> MotoDriftError | None:
    """Why the installed moto no longer matches what the spot was written against, if it does not."""
    original = original_of(spot)
    if spot.fingerprint is None:
        if original is not _ABSENT:
            return MotoDriftError(
                spot.dotted, "moto now defines this attribute that infra.local adds", spot.recheck
            )
        return None
    if original is _ABSENT:
        return MotoDriftError(spot.dotted, "moto no longer defines this attribute", spot.recheck)
    try:
        found = source_fingerprint(original)
    except (OSError, TypeError) as error:
        return MotoDriftError(spot.dotted, f"its source cannot be read ({error})", spot.recheck)
    if found != spot.fingerprint:
        return MotoDriftError(
            spot.dotted,
            f"source fingerprint {found} differs from {spot.fingerprint} (written against "
            f"moto {PINNED_MOTO_VERSION})",
            spot.recheck,
        )
    return None


def version_drift() -> MotoDriftError | None:
    if moto.__version__ != PINNED_MOTO_VERSION:
        return MotoDriftError(
            "moto",
            f"installed version {moto.__version__} is not the pinned {PINNED_MOTO_VERSION}",
            "every spot listed by infra.local.extensions.all_spots()",
        )
    return None
