"""Helpers of the local AWS tests. The server itself is the session fixture `local_aws`
in tests/conftest.py: Glue Timeout minutes last one second there, so a run with
Timeout=2 times out after two seconds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Names that no other test of the session uses (moto state is shared)."""

    def make(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    return make


def wait_for(read: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 30.0) -> Any:
    """Poll `read` until `done(value)`; fail the test with the last value on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still not done after {timeout} s: {value!r}")
        time.sleep(0.1)
