"""Secret masking for everything the runner writes.

The password is registered the moment the secret is parsed; every log line, the JSON
summary and error messages pass through `redact` on their way out. Belt and braces:
no code path is meant to print a secret, and this catches the ones nobody meant to
write (a driver message echoing a connection string, say).
"""

from typing import List

MASK = "***"
_secrets: List[str] = []  # longest first, so a secret containing another is masked whole


def register(value: str) -> None:
    if value and value not in _secrets:
        _secrets.append(value)
        _secrets.sort(key=len, reverse=True)


def redact(text: str) -> str:
    for value in _secrets:
        if value in text:
            text = text.replace(value, MASK)
    return text


def forget_all() -> None:
    """For tests that run several secrets through one process."""
    _secrets.clear()
