"""`${param}` placeholders made parseable: each is replaced by a sentinel value of its
declared type before the SQL is parsed, and every name or string taken from the parse
gets its sentinels turned back into placeholders.

A sentinel is a valid value of its type (the runner's own grammar accepts it), so the
statement parses exactly as it does with a run's real values: a parameter value never
changes a statement's shape. Each sentinel is unique in the file and unlikely in real
SQL, so mapping it back is a plain text replacement.
"""

import re
from typing import Callable, Dict, Mapping, NamedTuple, Optional

from .. import params
from ..errors import ParamError

# One sentinel per type, numbered by the parameter's position among the declarations.
# Lower-case, since unquoted names are folded to lower case before they are mapped back.
_MAKERS: Dict[str, Callable[[int], str]] = {
    "date": lambda n: f"1{n:03d}-11-11",
    "timestamp": lambda n: f"1{n:03d}-11-11 11:11:11.111111",
    "integer": lambda n: f"7{n:03d}1357913579135",
    "identifier": lambda n: f"etlkitparam{n:03d}x",
    "s3_uri": lambda n: f"s3://etlkit-param-{n:03d}",
}


_MAX_PARAMS = 999  # three digits of numbering keep every sentinel valid for its type


def sentinel(kind: str, number: int) -> str:
    return _MAKERS[kind](number)


class Sentinels(NamedTuple):
    by_param: Mapping[str, str]  # param name -> its sentinel
    kinds: Mapping[str, str]  # sentinel -> its parameter's type
    back: Mapping[str, str]  # sentinel -> "${param}"
    pattern: Optional["re.Pattern[str]"]  # any sentinel

    def restore(self, text: str) -> str:
        """`text` with every sentinel turned back into its `${param}`."""
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.back[m.group()], text)

    def is_identifier(self, text: str) -> bool:
        """Whether `text` is exactly the sentinel of an identifier parameter, whose value
        may name a table with or without its schema."""
        return self.kinds.get(text) == "identifier"


def prepare(
    text: str, declarations: Mapping[str, params.Declaration], file: Optional[str] = None
) -> "tuple[str, Sentinels]":
    """`text` with every placeholder replaced by its sentinel. An undeclared or malformed
    placeholder raises ParamError with its line, as the runner would."""
    if len(declarations) > _MAX_PARAMS:
        raise ParamError(f"more than {_MAX_PARAMS} parameters to analyse", file=file)
    by_param = {
        name: sentinel(declaration.type, number)
        for number, (name, declaration) in enumerate(sorted(declarations.items()))
    }
    kinds = {by_param[name]: declarations[name].type for name in by_param}
    back = {value: f"${{{name}}}" for name, value in by_param.items()}
    pattern = (
        re.compile("|".join(map(re.escape, sorted(back, key=len, reverse=True)))) if back else None
    )
    # sentinels are type-correct stand-ins, filled in as they are (no shape check: the
    # analysis reads the whole file, and a sentinel is a plain value of its type)
    bound = {name: params.Bound(value, declarations[name].type) for name, value in by_param.items()}
    return params.expand(text, bound, file), Sentinels(by_param, kinds, back, pattern)
