"""Redshift SQL rewritten into the PostgreSQL that means the same, for the local stack only.

Two mechanisms, each for what it does right:

- sqlglot (Redshift dialect) for the clauses that need a query restructured: TOP n and
  QUALIFY. The statement is parsed and written back *in Redshift's dialect* with
  sqlglot's own eliminate_qualify transform, so every function call stays as written and
  the token pass below still sees it. sqlglot's PostgreSQL generator is not used: it maps
  DATEDIFF, LISTAGG, MEDIAN and GETDATE to expressions with other semantics.
- Edits on the lexer's tokens for everything else: unquoted dateparts quoted, NVL, NVL2,
  DECODE, CONCAT, LISTAGG, percentiles, EXTRACT, SYSDATE, MINUS, #temp names, quoted
  identifiers folded to lower case, aliases for derived tables, the table DDL of ddl.py.
  Only the recognised spans change: comments, quoting and the rest reach PostgreSQL as
  written.

Functions whose semantics PostgreSQL lacks but whose call syntax it accepts (GETDATE,
DATEADD once its datepart is quoted, MEDIAN...) are not rewritten at all: the compat schema
(compat.py) defines them. Which function is which is the table in functions.py.

This never runs for engine redshift: production gets every statement exactly as written.
"""

import re
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError
from sqlrunner.lexer import Token, quote_string, string_value

from . import ddl
from .compat import DATEPART_OF, SCHEMA
from .functions import AS_WRITTEN, BY_NAME, REFUSED, TRANSLATED
from .statements import ANALYZE_COLUMN_CHOICES, SYNTAX, SYSTEM_TABLES_DOC, is_system_table
from .words import ident, significant


class Feature(NamedTuple):
    name: str
    status: str  # emulated | translated | refused (functions.py)
    doc: str


class Translation(NamedTuple):
    sql: str  # what PostgreSQL runs
    features: Tuple[Feature, ...]  # the Redshift features involved, in order of appearance
    changed: bool


_SYNTAX = {row.name: row for row in SYNTAX}


def syntax_feature(name: str) -> Feature:
    row = _SYNTAX[name]
    return Feature(row.name, row.status, row.doc)


def function_feature(name: str) -> Feature:
    row = BY_NAME[name]
    return Feature(row.name, row.status, row.doc)


def refusal(feature: Feature) -> NotEmulatedError:
    return NotEmulatedError(f"not emulated locally: {feature.name} ({feature.doc})")


# Compat functions that replace a built-in of the same signature: their calls are
# qualified with the compat schema (the search_path has pg_catalog first, see compat.py).
QUALIFIED = frozenset(
    {"AVG", "DATE_PART", "DATE_TRUNC", "REGEXP_REPLACE", "REGEXP_COUNT", "REGEXP_INSTR",
     "REGEXP_SUBSTR", "TO_NUMBER", "TIMEOFDAY", "SQRT", "POWER", "POW", "STDDEV_SAMP",
     "STDDEV", "STDDEV_POP", "VAR_SAMP", "VARIANCE", "VAR_POP"}
)  # fmt: skip
# Type names CONVERT accepts beyond CAST's (r_CONVERT_function.html converts to `datetime`).
CONVERT_TYPE_ALIASES = {"DATETIME": "timestamp"}
# The column name Redshift gives a select-list item that is a call of these (each
# function's page, "the default column name is ..."), where PostgreSQL's would differ.
DEFAULT_COLUMN_NAMES = {
    "DATE_PART": "pgdate_part",
    "PGDATE_PART": "pgdate_part",
    "DATEADD": "date_add",
    "DATEDIFF": "date_diff",
    "EXTRACT": "date_part",
    "NVL2": "nvl2",
    "CONCAT": "concat",
    "LISTAGG": "listagg",
    "RATIO_TO_REPORT": "ratio_to_report",
    "POSITION": "position",
}
# Words that end a select-list item.
_ITEM_ENDS = frozenset(
    {"FROM", "INTO", "UNION", "EXCEPT", "MINUS", "INTERSECT", "ORDER", "GROUP", "WHERE",
     "LIMIT", "HAVING", "QUALIFY", "WINDOW", "OFFSET"}
)  # fmt: skip
# Words after which `name (` is a table or routine being named, not a function call.
_NAME_BEFORE = frozenset(
    {"INTO", "TABLE", "UPDATE", "REFERENCES", "VIEW", "FUNCTION", "PROCEDURE", "TRIGGER"}
)
# Words that can follow a derived table's ')' when it has no alias.
_NOT_ALIAS = frozenset(
    {
        "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "UNION", "INTERSECT",
        "EXCEPT", "MINUS", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL",
        "ON", "USING", "WINDOW", "QUALIFY", "FETCH", "FOR", "RETURNING",
    }
)  # fmt: skip
# Clause keywords that end a FROM list at their depth.
_END_FROM = _NOT_ALIAS - {"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL"}
_QUERY_STARTS = frozenset({"SELECT", "WITH", "VALUES"})
# Redshift-only types a cast or DDL may name (CREATE TABLE columns are checked in ddl.py).
_REFUSED_TYPES = frozenset(ddl.REFUSED_TYPES)
_TABLE_NAME_BEFORE = frozenset(
    {"FROM", "JOIN", "INTO", "TABLE", "UPDATE", "EXISTS", "ONLY", "TRUNCATE", "DELETE", "COPY"}
    | {"USING", "LIKE", "AS"}
)
_WINDOW_FRAME = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
# Redshift functions called without parentheses that PostgreSQL does not have.
_BARE_FUNCTIONS = frozenset({"CURRENT_USER_ID", "CURRENT_AWS_ACCOUNT", "CURRENT_NAMESPACE"})


def _end(token: Token) -> int:
    return token.start + len(token.text)


def _upper(token: Optional[Token]) -> str:
    return token.text.upper() if token is not None and token.kind == "word" else ""


def _is(token: Optional[Token], op: str) -> bool:
    return token is not None and token.kind == "op" and token.text == op


def _matching(tokens: Sequence[Token]) -> Dict[int, int]:
    """'(' index -> its ')' index (unbalanced parentheses are left to PostgreSQL)."""
    close: Dict[int, int] = {}
    stack: List[int] = []
    for i, token in enumerate(tokens):
        if token.kind == "op":
            if token.text == "(":
                stack.append(i)
            elif token.text == ")" and stack:
                close[stack.pop()] = i
    return close


class _Statement:
    """The edits of one statement (or one procedure body), applied once at the end."""

    def __init__(
        self, sql: str, features: Dict[str, Feature], tokens: Optional[List[Token]] = None
    ) -> None:
        self.sql = sql
        self.tokens = significant(sql) if tokens is None else tokens
        self.close = _matching(self.tokens)
        self.edits: List[ddl.Edit] = []
        self.features = features
        self.derived = 0

    # --- bookkeeping

    def note(self, feature: Feature) -> None:
        if feature.status == REFUSED:
            raise refusal(feature)
        self.features.setdefault(feature.name, feature)

    def token(self, i: int) -> Optional[Token]:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def replace(self, start: int, end: int, text: str) -> None:
        """Replace sql[start:end], dropping the edits inside it (already folded into `text`)."""
        self.edits = [
            e
            for e in self.edits
            if not (start <= e.start and e.end <= end) or e.start == e.end == end
        ]
        self.edits.append(ddl.Edit(start, end, text))

    def render(self, start: int, end: int) -> str:
        """sql[start:end] with the edits inside it applied."""
        inside = sorted(e for e in self.edits if start <= e.start and e.end <= end)
        out, pos = [], start
        for edit in inside:
            if edit.start < pos:
                continue
            out.append(self.sql[pos : edit.start])
            out.append(edit.text)
            pos = edit.end
        out.append(self.sql[pos:end])
        return "".join(out)

    def span(self, first: int, last: int) -> str:
        """The rendered text of tokens[first..last] (inclusive)."""
        return self.render(self.tokens[first].start, _end(self.tokens[last]))

    def result(self) -> str:
        return self.render(0, len(self.sql))

    def args(self, open_i: int) -> List[Tuple[int, int]]:
        """(first, last) token indexes of each top-level argument of the call at open_i."""
        close = self.close[open_i]
        items: List[Tuple[int, int]] = []
        start, i = open_i + 1, open_i + 1
        while i < close:
            if _is(self.tokens[i], "(") and i in self.close:
                i = self.close[i] + 1
                continue
            if _is(self.tokens[i], ","):
                items.append((start, i - 1))
                start = i + 1
            i += 1
        if start <= close - 1:
            items.append((start, close - 1))
        return items

    # --- the walk

    def walk(self, lo: int, hi: int) -> None:
        """Translate tokens[lo:hi]. Nested calls whose whole text is rewritten walk their
        inside first, so the rewrite is built from already translated arguments."""
        clause: List[str] = [""]  # per parenthesis depth: "from" inside a FROM list
        i = lo
        while i < hi:
            token = self.tokens[i]
            kind = token.kind
            if kind == "ident":
                folded = '"' + token.text[1:-1].lower() + '"'
                if folded != token.text:
                    self.edits.append(ddl.Edit(token.start, _end(token), folded))
                    self.note(syntax_feature("quoted identifiers"))
                self._system_table(i, clause[-1])
            elif kind == "op":
                if token.text == "(":
                    after_rows = self._row_comparison(i)
                    if after_rows is not None:
                        i = after_rows
                        continue
                    self._maybe_derived_table(i, clause[-1])
                    clause.append("")
                elif token.text == ")" and len(clause) > 1:
                    clause.pop()
                elif token.text == "#":
                    self._temp_name(i)
                elif token.text == "::":
                    self._check_type(i + 1)
                elif token.text == "," and clause[-1] == "on":
                    clause[-1] = "from"
            elif kind == "word":
                word = token.text.upper()
                self._system_table(i, clause[-1])
                if word == "SELECT":
                    clause[-1] = "select"
                elif word in ("FROM", "JOIN", "INTO"):
                    clause[-1] = "from" if word != "INTO" else ""
                elif word in ("ON", "USING") and clause[-1] == "from":
                    clause[-1] = "on"
                elif word in _END_FROM:
                    clause[-1] = ""
                following = self.token(i + 1)
                if word in ("PIVOT", "UNPIVOT") and _is(following, "("):
                    self.note(syntax_feature("PIVOT / UNPIVOT"))
                elif _is(following, "(") and (i + 1) in self.close and self._is_call(i):
                    if clause[-1] == "select" and word in DEFAULT_COLUMN_NAMES:
                        self._default_column_name(i, word)
                    skip_to = self._call(i, word)
                    if skip_to is not None:
                        i = skip_to
                        continue
                elif word == "SYSDATE" and not _is(self.token(i - 1), "."):
                    self.edits.append(ddl.Edit(token.start, _end(token), "LOCALTIMESTAMP"))
                    self.note(syntax_feature("SYSDATE"))
                    if clause[-1] == "select" and self._whole_select_item(i, i):
                        self.edits.append(ddl.Edit(_end(token), _end(token), ' AS "timestamp"'))
                elif word in _BARE_FUNCTIONS and not _is(self.token(i - 1), "."):
                    self.note(function_feature(word))
                elif word == "APPROXIMATE":
                    self._approximate(i)
                elif word == "IGNORE" and _upper(following) == "NULLS":
                    self.note(syntax_feature("IGNORE NULLS in window functions"))
                elif word == "RESPECT" and _upper(following) == "NULLS":
                    self.edits.append(ddl.Edit(token.start, _end(self.tokens[i + 1]), ""))
                elif word == "MINUS":
                    self.edits.append(ddl.Edit(token.start, _end(token), "EXCEPT"))
                    self.note(syntax_feature("MINUS"))
            i += 1

    def _system_table(self, i: int, clause: str) -> None:
        """A Redshift system table or view named where a table goes is refused by name."""
        token = self.tokens[i]
        before = self.token(i - 1)
        if _is(before, "."):
            schema = self.token(i - 2)
            in_table_position = schema is not None and _upper(schema) == "PG_CATALOG"
        else:
            in_table_position = _upper(before) in ("FROM", "JOIN") or (
                _is(before, ",") and clause == "from"
            )
        if not in_table_position or _is(self.token(i + 1), "("):
            return
        name = token.text[1:-1] if token.kind == "ident" else token.text
        if is_system_table(name):
            self.note(Feature(f"system table {name.upper()}", REFUSED, SYSTEM_TABLES_DOC))

    def _whole_select_item(self, first: int, last: int) -> bool:
        """tokens[first..last] are a whole select-list item without an alias."""
        before = self.token(first - 1)
        if not (_upper(before) in ("SELECT", "DISTINCT", "ALL") or _is(before, ",")):
            return False
        after = self.token(last + 1)
        return after is None or _is(after, ",") or _is(after, ")") or _upper(after) in _ITEM_ENDS

    def _default_column_name(self, i: int, name: str) -> None:
        """A call that is a whole select-list item gets the column name Redshift gives it
        (CREATE TABLE AS and later references depend on it); the rewrites below would
        otherwise leave PostgreSQL's name."""
        last = self.close[i + 1]
        group = self._within_group(last)
        if group is not None:
            last = group[1]
        over = self._over(last)
        if over is not None:
            last = over[1]
        if self._whole_select_item(i, last):
            end = _end(self.tokens[last])
            self.edits.append(ddl.Edit(end, end, f" AS {DEFAULT_COLUMN_NAMES[name]}"))

    def _is_call(self, i: int) -> bool:
        before = self.token(i - 1)
        return not _is(before, ".") and _upper(before) not in _NAME_BEFORE

    def _check_type(self, i: int) -> None:
        word = _upper(self.token(i))
        if word in _REFUSED_TYPES:
            self.note(
                Feature(
                    f"{word} type",
                    REFUSED,
                    _SYNTAX["SUPER, GEOMETRY, GEOGRAPHY, HLLSKETCH, VARBYTE types"].doc,
                )
            )

    def _temp_name(self, i: int) -> None:
        """`#name` right after a keyword that names a table: a temporary table, called
        "#name" locally so it never collides with a permanent `name`."""
        hash_token, name = self.tokens[i], self.token(i + 1)
        if name is None or name.kind not in ("word", "ident") or name.start != _end(hash_token):
            return
        before = self.token(i - 1)
        qualifies_a_column = _is(self.token(i + 2), ".")  # #name.column
        if not (
            before is None
            or _upper(before) in _TABLE_NAME_BEFORE
            or _is(before, ",")
            or qualifies_a_column
        ):
            return  # the # operator (bitwise XOR)
        text = name.text[1:-1] if name.kind == "ident" else name.text
        self.edits.append(ddl.Edit(hash_token.start, _end(name), ident("#" + text.lower())))
        self.note(syntax_feature("#name temporary tables"))

    def _row_comparison(self, i: int) -> Optional[int]:
        """(a, b) [NOT] IN ((x1, y1), (x2, y2)) and (a, b) = (x, y), spelt out as ANDs and
        ORs of the columns' comparisons: PostgreSQL compares rows only through operators of
        btree families, which the compat schema's VARCHAR comparisons cannot join (they
        need a superuser), and Redshift's trailing-blank rule must hold inside rows too."""
        if i not in self.close or _upper(self.token(i - 1)) in ("IN", "VALUES"):
            return None
        left = self.args(i)
        if len(left) < 2 or _upper(self.token(i + 1)) in _QUERY_STARTS:
            return None
        close = self.close[i]
        at = close + 1
        negated = _upper(self.token(at)) == "NOT"
        if negated:
            at += 1
        if _upper(self.token(at)) == "IN" and _is(self.token(at + 1), "("):
            list_open = at + 1
            tuples = self.args(list_open) if list_open in self.close else []
            if not tuples or not all(
                _is(self.tokens[a], "(") and self.close.get(a) == b for a, b in tuples
            ):
                return None
            end = self.close[list_open]
        elif _is(self.token(at), "=") and not negated and _is(self.token(at + 1), "("):
            if (at + 1) not in self.close:
                return None
            tuples = [(at + 1, self.close[at + 1])]
            end = tuples[0][1]
        else:
            return None
        self.walk(i + 1, close)
        names = [self.span(a, b) for a, b in left]
        alternatives = []
        for open_i, close_i in tuples:
            self.walk(open_i + 1, close_i)
            values = [self.span(a, b) for a, b in self.args(open_i)]
            if len(values) != len(names):
                return None
            pairs = " AND ".join(f"({n}) = ({values[k]})" for k, n in enumerate(names))
            alternatives.append(f"({pairs})")
        text = "(" + " OR ".join(alternatives) + ")"
        self.replace(
            self.tokens[i].start, _end(self.tokens[end]), f"(NOT {text})" if negated else text
        )
        return end + 1

    def _maybe_derived_table(self, i: int, clause: str) -> None:
        before = self.token(i - 1)
        after = self.token(i + 1)
        starts_query = _upper(after) in _QUERY_STARTS or _is(after, "(")
        if not starts_query or i not in self.close:
            return
        if not (_upper(before) in ("FROM", "JOIN") or (_is(before, ",") and clause == "from")):
            return
        close = self.close[i]
        following = self.token(close + 1)
        if following is not None and (
            following.kind == "ident"
            or (following.kind == "word" and following.text.upper() not in _NOT_ALIAS)
        ):
            return  # it has an alias (AS x, or x)
        self.derived += 1
        end = _end(self.tokens[close])
        self.edits.append(ddl.Edit(end, end, f" AS derived_table{self.derived}"))
        self.note(syntax_feature("subquery in FROM without an alias"))

    def _approximate(self, i: int) -> None:
        following = _upper(self.token(i + 1))
        if following == "COUNT":
            self.note(function_feature("APPROXIMATE COUNT"))
        elif following == "PERCENTILE_DISC":
            self.note(function_feature("APPROXIMATE PERCENTILE_DISC"))
        else:
            return
        token = self.tokens[i]
        self.edits.append(ddl.Edit(token.start, self.tokens[i + 1].start, ""))

    # --- function calls

    def _call(self, i: int, name: str) -> Optional[int]:
        """Handle the call of `name` at token i; returns the index to continue from when
        the handler walked the call itself, None to walk on into its arguments."""
        row = BY_NAME.get(name)
        if name in QUALIFIED:
            token = self.tokens[i]
            self.edits.append(ddl.Edit(token.start, _end(token), f"{SCHEMA}.{token.text.lower()}"))
        handler = _HANDLERS.get(name)
        if handler is not None:
            return handler(self, i)
        if row is not None and row.status != AS_WRITTEN:
            self.note(Feature(row.name, row.status, row.doc))
        return None

    def _walk_call(self, i: int) -> int:
        """Walk the inside of the call at i (its arguments) and return its ')' index."""
        close = self.close[i + 1]
        self.walk(i + 2, close)
        return close

    def _within_group(self, close: int) -> Optional[Tuple[int, int]]:
        """WITHIN GROUP (ORDER BY ...) after tokens[close]: (its '(' index, its ')' index)."""
        if _upper(self.token(close + 1)) == "WITHIN" and _upper(self.token(close + 2)) == "GROUP":
            open_i = close + 3
            if _is(self.token(open_i), "(") and open_i in self.close:
                return open_i, self.close[open_i]
        return None

    def _over(self, after: int) -> Optional[Tuple[int, int]]:
        if _upper(self.token(after + 1)) == "OVER" and _is(self.token(after + 2), "("):
            open_i = after + 2
            if open_i in self.close:
                return open_i, self.close[open_i]
        return None

    def _order_by(self, group: Tuple[int, int]) -> Tuple[str, bool]:
        """The rendered sort key of a WITHIN GROUP (ORDER BY key [ASC|DESC]) and whether it
        is descending."""
        open_i, close = group
        self.walk(open_i + 1, close)
        first, last = open_i + 1, close - 1
        if _upper(self.token(first)) == "ORDER" and _upper(self.token(first + 1)) == "BY":
            first += 2
        descending = _upper(self.token(last)) == "DESC"
        if _upper(self.token(last)) in ("ASC", "DESC"):
            last -= 1
        if first > last:
            raise EmulationError("WITHIN GROUP needs ORDER BY an expression")
        return self.span(first, last), descending


def _datepart_call(st: _Statement, i: int) -> Optional[int]:
    """DATEADD/DATEDIFF/DATE_PART(datepart, ...): an unquoted datepart becomes a string
    (PostgreSQL would read it as a column); a quoted one is checked against Redshift's
    names. The compat schema defines the functions."""
    name = st.tokens[i].text.upper()
    st.note(function_feature(name))
    if name == "DATEPART":  # the compat datepart(text) is the datepart names' helper
        st.edits.append(ddl.Edit(st.tokens[i].start, _end(st.tokens[i]), f"{SCHEMA}.date_part"))
    arguments = st.args(i + 1)
    if not arguments:
        return None
    first, last = arguments[0]
    token = st.tokens[first]
    if first != last or token.kind not in ("word", "ident", "string"):
        return None
    part = string_value(token.text) if token.kind == "string" else token.text.strip('"')
    if part.lower() not in DATEPART_OF:
        raise EmulationError(f"{name}: {part!r} is not a Redshift datepart")
    if token.kind != "string":
        st.edits.append(ddl.Edit(token.start, _end(token), quote_string(part.lower())))
    return None


def _extract(st: _Statement, i: int) -> Optional[int]:
    """EXTRACT(part FROM source): Redshift returns an integer of that part alone for a
    TIMESTAMP (PostgreSQL 15 a NUMERIC with fractions): the compat extract_part."""
    open_i = i + 1
    close = st.close[open_i]
    part = st.token(open_i + 1)
    if part is None or _upper(st.token(open_i + 2)) != "FROM" or open_i + 3 > close - 1:
        return None
    name = string_value(part.text) if part.kind == "string" else part.text.strip('"')
    if name.lower() not in DATEPART_OF:
        return None  # PostgreSQL's own fields (isodow, julian...) as written
    st.walk(open_i + 3, close)
    source = st.span(open_i + 3, close - 1)
    st.replace(
        st.tokens[i].start,
        _end(st.tokens[close]),
        f"{SCHEMA}.extract_part({quote_string(name.lower())}, {source})",
    )
    st.note(function_feature("EXTRACT"))
    return close + 1


def _nvl(st: _Statement, i: int) -> Optional[int]:
    token = st.tokens[i]
    st.edits.append(ddl.Edit(token.start, _end(token), "COALESCE"))
    st.note(function_feature("NVL"))
    return None


def _rewrite(st: _Statement, i: int, build) -> int:  # type: ignore[no-untyped-def]
    """Replace the call at i by build([argument texts]) (the arguments translated first)."""
    close = st._walk_call(i)
    texts = [st.span(a, b) for a, b in st.args(i + 1)]
    st.replace(st.tokens[i].start, _end(st.tokens[close]), build(texts))
    return close + 1


def _nvl2(st: _Statement, i: int) -> Optional[int]:
    st.note(function_feature("NVL2"))

    def build(a: List[str]) -> str:
        if len(a) != 3:
            raise EmulationError("NVL2 takes three arguments")
        return f"(CASE WHEN ({a[0]}) IS NOT NULL THEN ({a[1]}) ELSE ({a[2]}) END)"

    return _rewrite(st, i, build)


def _decode(st: _Statement, i: int) -> Optional[int]:
    """DECODE(expr, search, result [, search, result]... [, default]): NULL matches NULL
    (r_DECODE_expression.html), hence IS NOT DISTINCT FROM."""
    st.note(function_feature("DECODE"))

    def build(a: List[str]) -> str:
        if len(a) < 3:
            raise EmulationError("DECODE needs an expression and at least one search/result pair")
        pairs = a[1:]
        default = pairs.pop() if len(pairs) % 2 else None
        whens = " ".join(
            f"WHEN ({a[0]}) IS NOT DISTINCT FROM ({pairs[k]}) THEN ({pairs[k + 1]})"
            for k in range(0, len(pairs), 2)
        )
        tail = f" ELSE ({default})" if default is not None else ""
        return f"(CASE {whens}{tail} END)"

    return _rewrite(st, i, build)


def _concat(st: _Statement, i: int) -> Optional[int]:
    """CONCAT(a, b) is NULL if either is (r_CONCAT.html); PostgreSQL's skips NULLs."""
    st.note(function_feature("CONCAT"))

    def build(a: List[str]) -> str:
        if len(a) != 2:
            raise EmulationError("CONCAT takes two arguments")
        return f"(CAST(({a[0]}) AS varchar) || CAST(({a[1]}) AS varchar))"

    return _rewrite(st, i, build)


def _convert(st: _Statement, i: int) -> Optional[int]:
    """CONVERT(type, expression) is a CAST (r_CONVERT_function.html)."""
    arguments = st.args(i + 1)
    if len(arguments) != 2 or st.tokens[arguments[0][0]].kind != "word":
        return None
    st.note(function_feature("CONVERT"))
    return _rewrite(
        st, i, lambda a: f"CAST(({a[1]}) AS {CONVERT_TYPE_ALIASES.get(a[0].upper(), a[0])})"
    )


def _listagg(st: _Statement, i: int) -> Optional[int]:
    """LISTAGG([DISTINCT] expr [, delimiter]) [WITHIN GROUP (ORDER BY ...)] [OVER (...)]
    as string_agg; over a window, the whole partition in the WITHIN GROUP order."""
    st.note(function_feature("LISTAGG"))
    close = st._walk_call(i)
    arguments = st.args(i + 1)
    if not arguments:
        raise EmulationError("LISTAGG needs an expression")
    first, last = arguments[0]
    distinct = ""
    if _upper(st.token(first)) in ("DISTINCT", "ALL"):
        distinct = "DISTINCT " if _upper(st.token(first)) == "DISTINCT" else ""
        first += 1
    value = f"CAST(({st.span(first, last)}) AS varchar)"
    delimiter = st.span(*arguments[1]) if len(arguments) > 1 else "''"
    group = st._within_group(close)
    end = close
    order = ""
    if group is not None:
        order_text, _ = st._order_by(group)
        order = st.span(group[0] + 1, group[1] - 1)
        end = group[1]
        if distinct:
            order = f"ORDER BY CAST(({order_text}) AS varchar)"
    over = st._over(end)
    if over is not None:
        st.walk(over[0] + 1, over[1])
        partition = st.span(over[0] + 1, over[1] - 1) if over[0] + 1 <= over[1] - 1 else ""
        frame = f"{order} {_WINDOW_FRAME}" if order else ""
        text = f"string_agg({distinct}{value}, {delimiter}) OVER ({partition} {frame})"
        end = over[1]
    else:
        text = f"string_agg({distinct}{value}, {delimiter}{' ' + order if order else ''})"
    st.replace(st.tokens[i].start, _end(st.tokens[end]), text)
    return end + 1


def _percentile_cont(st: _Statement, i: int) -> Optional[int]:
    """PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY e [DESC]) [OVER (...)]: the compat
    aggregate, which PostgreSQL can also run over a window and which returns Redshift's
    result types."""
    close = st._walk_call(i)
    group = st._within_group(close)
    if group is None:
        return close + 1
    st.note(function_feature("PERCENTILE_CONT"))
    key, descending = st._order_by(group)
    percentile = st.span(i + 2, close - 1)
    text = f"{SCHEMA}.percentile_cont(({percentile}), {key}, {'true' if descending else 'false'})"
    st.replace(st.tokens[i].start, _end(st.tokens[group[1]]), text)
    return group[1] + 1


def _percentile_disc(st: _Statement, i: int) -> Optional[int]:
    close = st.close[i + 1]
    group = st._within_group(close)
    if group is not None and st._over(group[1]) is not None:
        st.note(Feature("PERCENTILE_DISC window function", REFUSED, BY_NAME["PERCENTILE_DISC"].doc))
    return None


def _ratio_to_report(st: _Statement, i: int) -> Optional[int]:
    """RATIO_TO_REPORT(e) OVER (w) = e / SUM(e) OVER (w) (r_WF_RATIO_TO_REPORT.html)."""
    close = st._walk_call(i)
    over = st._over(close)
    if over is None:
        return close + 1
    st.note(function_feature("RATIO_TO_REPORT"))
    st.walk(over[0] + 1, over[1])
    value = st.span(i + 2, close - 1)
    window = st.span(over[0], over[1])
    text = f"(({value})::numeric / NULLIF(SUM({value}) OVER {window}, 0))"
    st.replace(st.tokens[i].start, _end(st.tokens[over[1]]), text)
    return over[1] + 1


def _keyword_arguments(st: _Statement, i: int, keyword: str) -> Optional[List[Tuple[int, int]]]:
    """The parts of a call written with a keyword between its arguments
    (POSITION(a IN b), SUBSTRING(x FROM a FOR b)): [(first, last), ...] split at
    top-level `keyword`s and FOR, or None when the call does not use them."""
    open_i = i + 1
    close = st.close[open_i]
    parts: List[Tuple[int, int]] = []
    start, k = open_i + 1, open_i + 1
    while k < close:
        if _is(st.tokens[k], "(") and k in st.close:
            k = st.close[k] + 1
            continue
        if _upper(st.tokens[k]) in (keyword, "FOR"):
            parts.append((start, k - 1))
            start = k + 1
        k += 1
    if not parts:
        return None
    parts.append((start, close - 1))
    return parts


def _position(st: _Statement, i: int) -> Optional[int]:
    """POSITION(a IN b) as strpos(b, a), which takes a number or datetime too (Redshift
    converts them to text)."""
    parts = _keyword_arguments(st, i, "IN")
    if parts is None or len(parts) != 2:
        return None
    close = st._walk_call(i)
    needle, haystack = (st.span(a, b) for a, b in parts)
    st.replace(st.tokens[i].start, _end(st.tokens[close]), f"strpos({haystack}, {needle})")
    return close + 1


def _substring(st: _Statement, i: int) -> Optional[int]:
    """SUBSTRING(x FROM a [FOR b]) as substring(x, a[, b]) (the overloads take numbers
    and datetimes as Redshift does)."""
    parts = _keyword_arguments(st, i, "FROM")
    if parts is None:
        return None
    close = st._walk_call(i)
    texts = ", ".join(st.span(a, b) for a, b in parts)
    st.replace(st.tokens[i].start, _end(st.tokens[close]), f"substring({texts})")
    return close + 1


_HANDLERS = {
    "POSITION": _position,
    "SUBSTRING": _substring,
    "DATEADD": _datepart_call,
    "DATEDIFF": _datepart_call,
    "DATE_PART": _datepart_call,
    "PGDATE_PART": _datepart_call,
    "DATEPART": _datepart_call,
    "EXTRACT": _extract,
    "NVL": _nvl,
    "NVL2": _nvl2,
    "DECODE": _decode,
    "CONCAT": _concat,
    "CONVERT": _convert,
    "LISTAGG": _listagg,
    "PERCENTILE_CONT": _percentile_cont,
    "PERCENTILE_DISC": _percentile_disc,
    "RATIO_TO_REPORT": _ratio_to_report,
}


# --------------------------------------------------------------------- statements


def translate(sql: str, tokens: Optional[List[Token]] = None) -> Translation:
    """The PostgreSQL for one Redshift statement (`tokens`: its significant tokens, when
    the caller has them). Raises NotEmulatedError naming the first Redshift feature that is
    not emulated, EmulationError for what Redshift would refuse."""
    features: Dict[str, Feature] = {}
    text = _structural(sql, features)
    st = _Statement(text, features, tokens if text is sql else None)
    _statement_level(st)
    _max_types(st)
    st.walk(0, len(st.tokens))
    edits_made = bool(st.edits)
    out = st.result() if edits_made else text
    return Translation(out, tuple(features.values()), out != sql)


def _max_types(st: _Statement) -> None:
    """VARCHAR(MAX) anywhere (casts included), not only in CREATE TABLE."""
    notes: List[str] = []
    ddl.max_type_edits(st.tokens, st.edits, notes)
    if notes:
        st.note(syntax_feature("VARCHAR(MAX), NVARCHAR, TEXT, BPCHAR"))


def _lead(tokens: Sequence[Token], count: int = 6) -> List[str]:
    return [t.text.upper() if t.kind == "word" else t.text for t in tokens[:count]]


def _statement_level(st: _Statement) -> None:
    tokens = st.tokens
    if not tokens:
        return
    lead = _lead(tokens)
    words = [w for w in lead if w not in ("OR", "REPLACE")]
    if words[:1] == ["CREATE"] and "TABLE" in lead[:5]:
        _create_table(st, 0, len(tokens))
    elif words[:2] == ["CREATE", "VIEW"]:
        _late_binding(st)
    elif words[:3] == ["CREATE", "MATERIALIZED", "VIEW"]:
        _materialized_view(st)
    elif words[:2] in (["CREATE", "FUNCTION"], ["CREATE", "PROCEDURE"]):
        _routine(st)
    elif lead[:1] == ["DELETE"] and len(tokens) > 1 and _upper(tokens[1]) != "FROM":
        st.edits.append(ddl.Edit(tokens[1].start, tokens[1].start, "FROM "))
        st.note(syntax_feature("DELETE table WHERE"))
    elif lead[:1] == ["MERGE"]:
        _merge(st)
    elif lead[:1] in (["SELECT"], ["WITH"]):
        _select_into_temp(st)
    elif lead[:1] == ["INSERT"]:
        _multi_row_values(st)


def _create_table(st: _Statement, lo: int, hi: int) -> None:
    """CREATE TABLE (top level or inside a procedure body): ddl.py's rewrites, and `#name`
    makes it temporary."""
    tokens = st.tokens[lo:hi]
    edits, notes = ddl.create_table_edits(tokens)
    st.edits.extend(edits)
    for note in notes:
        _note_ddl(st, note)
    table_at = next((k for k, t in enumerate(tokens) if _upper(t) == "TABLE"), None)
    if table_at is None:
        return
    name_at = table_at + 1
    if [_upper(t) for t in tokens[name_at : name_at + 3]] == ["IF", "NOT", "EXISTS"]:
        name_at += 3
    temporary = any(_upper(t) in ("TEMP", "TEMPORARY") for t in tokens[:table_at])
    if _is(st.token(lo + name_at), "#") and not temporary:
        table = tokens[table_at]
        st.edits.append(ddl.Edit(table.start, table.start, "TEMP "))


def _note_ddl(st: _Statement, note: str) -> None:
    if note == "(MAX)":
        st.note(syntax_feature("VARCHAR(MAX), NVARCHAR, TEXT, BPCHAR"))
    elif note.endswith("without a length"):
        st.note(syntax_feature("VARCHAR without a length"))
    elif note == "informational constraint":
        st.note(syntax_feature("informational constraints"))
    elif note == "IDENTITY":
        st.note(syntax_feature("IDENTITY(seed, step)"))
    elif note in ddl.TYPE_RENAMES:
        st.note(syntax_feature("VARCHAR(MAX), NVARCHAR, TEXT, BPCHAR"))
    else:
        st.note(Feature(note, TRANSLATED, ddl.CREATE_TABLE_DOC))


def _late_binding(st: _Statement) -> None:
    tail = [_upper(t) for t in st.tokens[-4:]]
    if tail == ["WITH", "NO", "SCHEMA", "BINDING"] and len(st.tokens) > 4:
        previous = st.tokens[-5]
        st.edits.append(ddl.Edit(_end(previous), _end(st.tokens[-1]), ""))
        st.note(syntax_feature("WITH NO SCHEMA BINDING"))


def _materialized_view(st: _Statement) -> None:
    """CREATE MATERIALIZED VIEW name [BACKUP ...] [DIST...] [SORTKEY ...] [AUTO REFRESH ...]
    AS query: the physical attributes dropped; AUTO REFRESH YES is not emulated."""
    tokens = st.tokens
    i = 3
    while i < len(tokens) and _upper(tokens[i]) != "AS":
        if _upper(tokens[i]) == "AUTO" and _upper(st.token(i + 1)) == "REFRESH":
            if _upper(st.token(i + 2)) == "YES":
                st.note(
                    Feature(
                        "CREATE MATERIALIZED VIEW ... AUTO REFRESH YES",
                        REFUSED,
                        "https://docs.aws.amazon.com/redshift/latest/dg/"
                        "materialized-view-create-sql-command.html",
                    )
                )
            st.edits.append(ddl.Edit(tokens[i].start, _end(tokens[i + 2]), ""))
            i += 3
            continue
        before = len(st.edits)
        notes: List[str] = []
        i = ddl.drop_attribute(tokens, i, ddl.TABLE_ATTRIBUTES, st.edits, notes)
        if len(st.edits) > before:
            st.note(Feature("materialized view attributes", TRANSLATED, ddl.CREATE_TABLE_DOC))


def _routine(st: _Statement) -> None:
    """CREATE FUNCTION/PROCEDURE: a Python UDF is refused; a SQL or PL/pgSQL body is
    translated like statements are (its CREATE TABLE statements included)."""
    tokens = st.tokens
    language = None
    for k, token in enumerate(tokens):
        if _upper(token) == "LANGUAGE" and k + 1 < len(tokens):
            language = tokens[k + 1].text.strip("'\"").lower()
    if any(_upper(token) == "NONATOMIC" for token in tokens):
        st.note(syntax_feature("NONATOMIC stored procedures"))
    if language is not None and language.startswith("plpython"):
        st.note(
            Feature(
                "Python UDF (LANGUAGE plpythonu)",
                REFUSED,
                "https://docs.aws.amazon.com/redshift/latest/dg/udf-creating-a-scalar-udf.html",
            )
        )
    for token in tokens:
        if token.kind == "dollar":
            tag_end = token.text.index("$", 1) + 1
            tag = token.text[:tag_end]
            body = token.text[tag_end : -len(tag)]
            translated = _body(body, st.features)
            if translated != body:
                st.edits.append(ddl.Edit(token.start, _end(token), tag + translated + tag))
                st.note(syntax_feature("table attributes in stored procedures"))
        elif token.kind == "string" and _upper_before_is_as(tokens, token):
            body = string_value(token.text)
            translated = _body(body, st.features)
            if translated != body:
                st.edits.append(ddl.Edit(token.start, _end(token), quote_string(translated)))


def _upper_before_is_as(tokens: Sequence[Token], token: Token) -> bool:
    index = tokens.index(token)
    return index > 0 and _upper(tokens[index - 1]) == "AS"


# PL/pgSQL words after which a statement starts (besides ';').
_BLOCK_WORDS = frozenset({"BEGIN", "THEN", "ELSE", "LOOP"})


def _body(body: str, features: Dict[str, Feature]) -> str:
    """A routine body: each CREATE TABLE in it rewritten as at top level, and the walk
    over all of it."""
    inner = _Statement(body, features)
    tokens = inner.tokens
    k = 0
    while k < len(tokens):
        word = _upper(tokens[k])
        starts = k == 0 or _is(tokens[k - 1], ";") or _upper(tokens[k - 1]) in _BLOCK_WORDS
        if starts and word in ("COPY", "UNLOAD"):
            inner.note(syntax_feature("COPY or UNLOAD in a stored procedure"))
        if word == "CREATE" or (starts and word == "ANALYZE"):
            end = k
            while end < len(tokens) and not _is(tokens[end], ";"):
                end += 1
            if word == "CREATE" and "TABLE" in [_upper(t) for t in tokens[k : min(end, k + 5)]]:
                _create_table(inner, k, end)
            last_two = (_upper(tokens[end - 2]), _upper(tokens[end - 1])) if end - k > 2 else ()
            if word == "ANALYZE" and last_two in ANALYZE_COLUMN_CHOICES:
                inner.edits.append(ddl.Edit(tokens[end - 2].start, _end(tokens[end - 1]), ""))
            k = end
        k += 1
    inner.walk(0, len(tokens))
    return inner.result() if inner.edits else body


def _merge(st: _Statement) -> None:
    """MERGE INTO target USING source [[AS] alias] ON condition REMOVE DUPLICATES: target
    rows matching a source row are replaced by the source's rows, the others inserted
    (r_MERGE.html, simplified mode), which is one statement in PostgreSQL: delete the
    matches and insert the whole source."""
    tokens = st.tokens
    if [_upper(t) for t in tokens[-2:]] != ["REMOVE", "DUPLICATES"]:
        return
    st.note(syntax_feature("MERGE ... REMOVE DUPLICATES"))
    using = next((k for k, t in enumerate(tokens) if _upper(t) == "USING"), None)
    on = next(
        (k for k, t in enumerate(tokens) if _upper(t) == "ON" and using is not None and k > using),
        None,
    )
    if using is None or on is None or _upper(st.token(1)) != "INTO":
        raise EmulationError("MERGE ... REMOVE DUPLICATES: expected MERGE INTO t USING s ON ...")
    st.walk(0, len(tokens))
    target = st.span(2, using - 1)
    source = st.span(using + 1, on - 1)
    condition = st.span(on + 1, len(tokens) - 3)
    st.replace(
        0,
        len(st.sql),
        f"WITH merge_matches AS (DELETE FROM {target} USING {source} WHERE {condition}) "
        f"INSERT INTO {target} SELECT * FROM {source}",
    )
    st.tokens = []  # nothing left to walk


def _multi_row_values(st: _Statement) -> None:
    """Redshift refuses subqueries in a multi-row VALUES list (c_Examples_of_INSERT_30.html:
    "can't use subqueries in multi-row VALUES"); PostgreSQL would run them."""
    tokens = st.tokens
    at = next((k for k, t in enumerate(tokens) if _upper(t) == "VALUES"), None)
    if at is None:
        return
    rows: List[Tuple[int, int]] = []
    k = at + 1
    while _is(st.token(k), "(") and k in st.close:
        rows.append((k, st.close[k]))
        k = st.close[k] + 1
        if not _is(st.token(k), ","):
            break
        k += 1
    if len(rows) > 1 and any(
        _upper(tokens[j]) == "SELECT" for first, last in rows for j in range(first, last)
    ):
        raise EmulationError("can't use subqueries in multi-row VALUES")


def _select_into_temp(st: _Statement) -> None:
    """SELECT ... INTO #name makes a temporary table in Redshift."""
    depth = 0
    for k, token in enumerate(st.tokens):
        if _is(token, "("):
            depth += 1
        elif _is(token, ")"):
            depth -= 1
        elif depth == 0 and _upper(token) == "INTO" and _is(st.token(k + 1), "#"):
            st.edits.append(ddl.Edit(_end(token), _end(token), " TEMP"))
            return


_TOP_OR_QUALIFY = re.compile(r"\b(?:top|qualify)\b", re.IGNORECASE)


def _structural(sql: str, features: Dict[str, Feature]) -> str:
    """TOP n and QUALIFY through sqlglot, written back in Redshift's dialect."""
    if not _TOP_OR_QUALIFY.search(sql):
        return sql
    tokens = significant(sql)
    top = any(
        _upper(t) == "TOP"
        and (_upper(tokens[k - 1]) in ("SELECT", "DISTINCT", "ALL") if k else False)
        for k, t in enumerate(tokens)
    )
    qualify = any(_upper(t) == "QUALIFY" for t in tokens)
    if not (top or qualify):
        return sql
    import sqlglot
    from sqlglot import transforms
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(sql, read="redshift")
        if qualify:
            tree = tree.transform(transforms.eliminate_qualify)
        out = tree.sql(dialect="redshift")
    except SqlglotError as exc:
        raise EmulationError(
            f"{'QUALIFY' if qualify else 'TOP'}: the statement could not be parsed: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    if top:
        features.setdefault("TOP n", syntax_feature("TOP n"))
    if qualify:
        features.setdefault("QUALIFY", syntax_feature("QUALIFY"))
    return out


def translate_unload(sql: str) -> Translation:
    """UNLOAD ('query' | $$query$$) ...: the query translated like any statement and passed
    on as a quoted string, the form unload.py reads (Airflow's RedshiftToS3Operator sends
    $$...$$)."""
    tokens = significant(sql)
    if len(tokens) < 3 or not _is(tokens[1], "(") or tokens[2].kind not in ("string", "dollar"):
        return Translation(sql, (), False)
    body_token = tokens[2]
    features: Dict[str, Feature] = {}
    if body_token.kind == "dollar":
        tag_end = body_token.text.index("$", 1) + 1
        query = body_token.text[tag_end:-tag_end]
        features["UNLOAD ($$query$$)"] = syntax_feature("UNLOAD ($$query$$)")
    else:
        query = string_value(body_token.text)
    inner = translate(query)
    for feature in inner.features:
        features.setdefault(feature.name, feature)
    if body_token.kind == "string" and not inner.changed:
        return Translation(sql, tuple(features.values()), False)
    rebuilt = sql[: body_token.start] + quote_string(inner.sql) + sql[_end(body_token) :]
    return Translation(rebuilt, tuple(features.values()), True)
