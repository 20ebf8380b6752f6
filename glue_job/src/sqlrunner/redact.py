"""Secret masking for everything the runner writes.

The password is registered the moment the secret is parsed; every log line, the JSON
summary and error messages pass through `redact` on their way out. Belt and braces:
no code path is meant to print a secret, and this catches the ones nobody meant to
write (a driver message echoing a connection string, say).
"""

from typing import Set

MASK = "***"
_secrets: Set[str] = set()


def register(value: str) -> None:
    if value:
        _secrets.add(value)


def redact(text: str) -> str:
    for value in sorted(_secrets, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


def forget_all() -> None:
    """For tests that run several secrets through one process."""
    _secrets.clear()
