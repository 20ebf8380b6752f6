"""JSONata for moto's Step Functions interpreter, evaluated by the pure-Python jsonata-python.

moto 5.2.5 evaluates JSONata through jpype and a Java jar it would download at first use
(and its lazy initialiser leaves the evaluator None, so every JSONata state fails). We
swap in jsonata-python at moto's evaluation point. moto composes each expression as text
— `($states := {...}; $var := ...; <expression>)` — so the evaluator needs no input
document. Two details of that composition are fixed on the way:
- string variables were pasted between double quotes unescaped, so an `Assign`ed value
  holding a quote or a newline broke the expression: values are now JSON-encoded, which
  is valid JSONata literal syntax;
- JavaScript has one number type, so an integral result is an int (3, not 3.0), as AWS
  prints it.

Not emulated: `$uuid()` and `$hash()` (moto declares them as placeholders returning a
"not supported" string).
"""

from __future__ import annotations

import math
from typing import Any

import jsonata
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.eval import states as states_module
from moto.stepfunctions.parser.asl.eval import variable_store as variable_store_module
from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
from moto.stepfunctions.parser.asl.jsonata import validations
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

from infra.local.patching import Spot, apply

_EVAL_RECHECK = (
    "that moto still routes every JSONata evaluation through eval_jsonata_expression(str)"
)
_ENCODE_RECHECK = (
    "moto's encode_jsonata_variable_declarations: it must still emit `$name:=value;` pairs"
)
_EVAL_FINGERPRINT = "696d324549c4e699"
_ENCODE_FINGERPRINT = "c33b311faa45e2ff"
_WHY_EVAL = "moto's JSONata needs jpype and a downloaded Java jar"
_WHY_ENCODE = "string variables were pasted into JSONata unescaped"

SPOTS = (
    *(
        Spot(module, "eval_jsonata_expression", _EVAL_FINGERPRINT, _WHY_EVAL, _EVAL_RECHECK)
        for module in (moto_jsonata, string_expression, validations)
    ),
    *(
        Spot(
            module,
            "encode_jsonata_variable_declarations",
            _ENCODE_FINGERPRINT,
            _WHY_ENCODE,
            _ENCODE_RECHECK,
        )
        for module in (moto_jsonata, states_module, variable_store_module)
    ),
)


def _as_javascript_numbers(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_as_javascript_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_javascript_numbers(item) for key, item in value.items()}
    return value


def eval_jsonata_expression(expression: str) -> Any:
    """Evaluate a composed expression; errors surface as moto's JSONataException."""
    try:
        result = jsonata.Jsonata(expression).evaluate(None)
    except Exception as error:  # jsonata-python raises JException and plain errors alike
        raise moto_jsonata.JSONataException("UNKNOWN", str(error)) from error
    return _as_javascript_numbers(result)


def encode_jsonata_variable_declarations(bindings: dict[str, Any]) -> str:
    """`$name:=<JSON literal>;` for each binding; JSON string literals are JSONata ones."""
    return "".join(
        f"{name}:={to_json_str(value, separators=(',', ':'))};" for name, value in bindings.items()
    )


def install() -> None:
    for spot in SPOTS:
        replacement = (
            eval_jsonata_expression
            if spot.name == "eval_jsonata_expression"
            else encode_jsonata_variable_declarations
        )
        apply(spot, replacement)
