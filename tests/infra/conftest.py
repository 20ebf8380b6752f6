"""Shared helpers of the infra tests: the asl-validator CLI and a JSONata evaluator.

The evaluator binds `$states` the way Step Functions (and the local AWS, which uses the
same jsonata-python) does: the expression runs inside `($states := {...}; <expression>)`,
with `$parse`, which Step Functions adds to JSONata, defined as the local AWS defines it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonata
import pytest

from infra import REPO_ROOT

ASL_VALIDATOR = REPO_ROOT / "infra" / "node_modules" / ".bin" / "asl-validator"

# Values the placeholders take in validation runs (what DefinitionSubstitutions would put).
SAMPLE_SUBSTITUTIONS = {
    "GlueJobName": "etlkit-platform-sql-runner",
    "AlertTopicArn": "arn:aws:sns:us-east-1:123456789012:etlkit-platform-alerts",
    "DataBucket": "etlkit-data-bucket",
}


def substitute(text: str, values: dict[str, str] = SAMPLE_SUBSTITUTIONS) -> str:
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


def validate_asl(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """Run asl-validator on the files; a missing tool is a failure unless node is absent."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed on this machine, so asl-validator cannot run")
    if not ASL_VALIDATOR.exists():
        pytest.fail(f"{ASL_VALIDATOR} is missing: run `npm ci --prefix infra` (part of make setup)")
    arguments = [str(ASL_VALIDATOR)]
    for path in paths:
        arguments += ["--json-path", str(path)]
    return subprocess.run(arguments, capture_output=True, text=True, check=False, timeout=60)


def jsonata_expression(field: str) -> str:
    assert field.startswith("{%") and field.endswith("%}"), field
    return field[2:-2].strip()


def evaluate(field: str, **states: Any) -> Any:
    """Evaluate a `{% ... %}` field with `$states` bound to `states`."""
    functions = "$parse := function($text) { $eval($text) }; "
    composed = f"({functions}$states := {json.dumps(states)}; {jsonata_expression(field)})"
    return jsonata.Jsonata(composed).evaluate(None)
