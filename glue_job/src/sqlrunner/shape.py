"""A parameter value never changes the shape of a statement: the check.

Type grammars keep quotes, semicolons and comment markers out of values, but a value can
still merge with the SQL around it: `-${n}` with n = -5 is `--5`, a comment to the end
of the line; an identifier with `$` closes a `$$` body early; an S3 URI ending in `/`
opens a comment inside `/*${u}*/`. So a statement with placeholders is lexed twice after
substitution, once with the real values and once with a plain reference value of each
type (params.TYPES), and the two token structures must be the same:
- tokens that do not touch a value are compared by kind and text;
- a token that holds a value (a string literal around `'${d}'`, a word around `t_${n}`)
  is compared by kind and by its text outside the value;
- tokens that lie wholly inside a value count as that value, whatever they are, as long
  as none is a string, quoted identifier, dollar quote or comment of its own.
Only statements that have placeholders pay for this (two or three lexings of the
statement); the rest are never lexed again.
"""

from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from .errors import SqlSyntaxError
from .lexer import tokenize

_QUOTED_KINDS = frozenset({"string", "ident", "dollar", "comment"})
_KIND_NAMES = {
    "string": "a quoted string",
    "ident": "a quoted identifier",
    "dollar": "a dollar-quoted body",
    "comment": "a comment",
}


class Slot(NamedTuple):
    start: int  # of `${name}` in the template
    end: int
    name: str


Structure = Optional[List[Tuple[object, ...]]]  # None: the text does not lex


def fill(template: str, slots: Sequence[Slot], values: Dict[str, str]) -> str:
    return _filled(template, slots, lambda slot: values[slot.name])[0]


def changed_by(
    template: str,
    slots: Sequence[Slot],
    values: Dict[str, str],
    references: Dict[str, str],
) -> List[Slot]:
    """The slots whose value changes the statement's token structure (empty if none):
    each one that does so alone, else all of them (they do it together)."""

    def reference(slot: Slot) -> str:
        return references[slot.name]

    expected = structure(*_filled(template, slots, reference))
    if structure(*_filled(template, slots, lambda slot: values[slot.name])) == expected:
        return []
    alone = []
    for culprit in slots:

        def one(slot: Slot, culprit: Slot = culprit) -> str:
            return values[slot.name] if slot == culprit else references[slot.name]

        if structure(*_filled(template, slots, one)) != expected:
            alone.append(culprit)
    return alone or list(slots)


def _filled(
    template: str, slots: Sequence[Slot], value_of: Callable[[Slot], str]
) -> Tuple[str, List[Tuple[int, int]]]:
    """The template with each slot replaced by value_of(slot), and where each value is."""
    pieces: List[str] = []
    spans: List[Tuple[int, int]] = []
    done = length = 0
    for slot in slots:
        before, value = template[done : slot.start], value_of(slot)
        pieces += [before, value]
        length += len(before)
        spans.append((length, length + len(value)))
        length += len(value)
        done = slot.end
    pieces.append(template[done:])
    return "".join(pieces), spans


def structure(text: str, spans: Sequence[Tuple[int, int]]) -> Structure:
    """The token structure of `text` with each value's span [start, end) abstracted."""
    try:
        tokens = [token for token in tokenize(text) if token.kind != "space"]
    except SqlSyntaxError:
        return None
    shape: List[Tuple[object, ...]] = []
    for token in tokens:
        start, end = token.start, token.start + len(token.text)
        touched = [i for i, (a, b) in enumerate(spans) if start < b and end > a]
        if not touched:
            shape.append((token.kind, token.text))
            continue
        first = touched[0]
        a, b = spans[first]
        if len(touched) == 1 and a <= start and end <= b:  # wholly inside one value
            quoted = token.kind in _QUOTED_KINDS
            item: Tuple[object, ...] = ("value", first, quoted)
            if shape[-1:] != [("value", first, False)] or quoted:
                shape.append(item)
            continue
        masked, done = [], start
        for i in touched:
            a, b = spans[i]
            masked.append(text[done : max(a, start)])
            masked.append(f"\0{i}{'<' if a < start else ''}{'>' if b > end else ''}\0")
            done = min(b, end)
        masked.append(text[done:end])
        shape.append((token.kind, "".join(masked)))
    return shape


def describe(template: str, slot: Slot, values: Dict[str, str]) -> str:
    """What substituting the slot's value does, for the error message: the line of the
    template around it, before and after."""
    line_start = template.rfind("\n", 0, slot.start) + 1
    line_end = template.find("\n", slot.end)
    line_end = len(template) if line_end < 0 else line_end
    start = max(line_start, template.rfind(" ", line_start, max(line_start, slot.start - 20)))
    end = template.find(" ", min(line_end, slot.end + 20), line_end)
    before = template[start : line_end if end < 0 else end]
    value = values[slot.name]
    after = before.replace(template[slot.start : slot.end], value, 1)
    rendered, spans = _filled(template, [slot], lambda _: value)
    reading = _first_change(rendered, spans[0])
    return f"`{before.strip()}` would read `{after.strip()}`{reading}"


def _first_change(text: str, span: Tuple[int, int]) -> str:
    try:
        tokens = list(tokenize(text))
    except SqlSyntaxError as error:
        return f" ({error.message})"
    a, b = span
    for token in tokens:
        end = token.start + len(token.text)
        straddles = token.start < a < end or token.start < b < end
        if token.kind in _QUOTED_KINDS and (straddles or (a <= token.start and end <= b)):
            return f", {_KIND_NAMES[token.kind]} where the template has none"
        if straddles:
            return f", where `{token.text}` is one token across the value"
    return ""
