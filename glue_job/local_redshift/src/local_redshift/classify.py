"""Every statement classified before the runner connects: passed as written, translated,
emulated, or refused by name (with its AWS page), so a Redshift-only construct never
reaches PostgreSQL to fail there half-way through a file.

`classify(sql)` is pure: no database, no AWS. The executor calls `check` on a file's
statements after reading the secret (engine postgres) and before connecting; `sqlrunner
check` prints the same plans. Most statements of a pipeline (INSERT, SELECT, DELETE with
FROM...) use nothing Redshift-only: a few regular-expression searches over the raw text
tell so (`needs_classifying`), and they are passed on without being lexed.
"""

import re
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError, RunnerError
from sqlrunner.lexer import Token

from . import access, copy_from_s3, ddl, unload
from .compat import DEFAULT_PATH, SCHEMA, search_path
from .functions import AS_WRITTEN, BY_NAME, DOCS, EMULATED, REFUSED, TRANSLATED
from .statements import (
    ACCEPTED_SETTINGS,
    ANALYZE_COLUMN_CHOICES,
    COMMANDS,
    QUOTA_UNITS,
    REFUSED_SETTINGS,
    SEARCH_PATH_DOC,
    SESSION_DEFAULTS,
    VACUUM_OPTIONS,
    Command,
    command_of,
)
from .translate import _HANDLERS, Feature, refusal, translate, translate_unload
from .words import Words, literal, name_of, significant

INVALID = "invalid"  # a plan Redshift itself would refuse (EmulationError)


class Plan(NamedTuple):
    kind: str  # as written | translated | emulated | refused | invalid
    sql: str  # what PostgreSQL (or the emulation) gets
    features: Tuple[Feature, ...] = ()
    action: str = "run"  # run | accept | unload | copy | external_schema | external_table
    #                      | alter_table | drop_table | drop_schema | reset_all
    detail: str = ""
    error: Optional[RunnerError] = None
    rewritten: bool = False  # `sql` differs from the statement as written

    @property
    def runs_as_written(self) -> bool:
        """PostgreSQL can run the statement's own text (nothing to translate)."""
        return self.error is None and not self.rewritten and self.kind != TRANSLATED

    def describe(self) -> str:
        """One line for `sqlrunner check` and the run log."""
        if self.error is not None:
            return f"{self.kind}: {self.error.message}"
        names = ", ".join(f.name for f in self.features)
        if self.kind == AS_WRITTEN:
            return "runs as written" + (f" ({names})" if names else "")
        return f"{self.kind}: {names}" if names else self.kind


# --------------------------------------------------------------------- cheap pre-filter

# First words after which a statement may be emulated or refused: every command that is
# not run as written, and VACUUM (its options).
_SPECIAL_LEADS = frozenset({c.words[0] for c in COMMANDS if c.status != AS_WRITTEN} | {"VACUUM"})
_FIRST_WORD = re.compile(r"[A-Za-z_]+")
_WATCHED_CALLS = frozenset(
    {name for name, row in BY_NAME.items() if row.status != AS_WRITTEN} | set(_HANDLERS)
)
# What makes a statement need classifying beyond its first word, as (substrings, pattern):
# the pattern is searched only when one of the substrings is in the lowered text, so a plain
# statement costs a few `in` tests at C speed.
_CHECKS = (
    (
        ("top", "qualify", "minus", "sysdate", "approximate", "pivot", "current_"),
        r"\b(?:top|qualify|minus|sysdate|approximate|pivot|unpivot|current_user_id"
        r"|current_aws_account|current_namespace)\b",
    ),
    (("#",), r"#"),
    (("::",), r"::\s*(?:super|geometry|geography|hllsketch|varbyte|varbinary|binary)\b"),
    (("max",), r"\(\s*max\s*\)"),
    (("nulls",), r"\b(?:ignore|respect)\s+nulls\b"),
    (
        ("stl_", "stv_", "svl_", "svv_", "svcs_", "sys_", "stcs_", "pg_", "_info"),
        r"\b(?:stl|stv|svl|svv|svcs|sys|stcs)_\w+"
        r"|\bpg_(?:table_def|user_info|external_schema|library|statistic_indicator)\b"
        r"|\b(?:attribute|class|database|namespace|proc)_info\b",
    ),
    ((") =", ")=", "((", "( ("), r"\)\s*(?:not\s+)?in\s*\(\s*\(|,[^()]*\)\s*=\s*\("),
)
_COMPILED_CHECKS = tuple(re.compile(p, re.IGNORECASE) for _hints, p in _CHECKS)
_HINTS = tuple(hint for hints, _p in _CHECKS for hint in hints)
# a subquery in FROM (maybe without an alias): only where a second query starts
_DERIVED = re.compile(r"\b(?:from|join)\s*\(|,\s*\(\s*(?:select|with)\b", re.IGNORECASE)
_QUOTED_UPPER = re.compile(r'"[^"]*[A-Z]')
_DELETE_FROM = re.compile(r"delete\s+from\s", re.IGNORECASE)
_VALUES_SUBQUERY = re.compile(r"\bvalues\b.*\(\s*select\b", re.IGNORECASE | re.DOTALL)


def needs_classifying(sql: str) -> bool:
    """False when the statement certainly runs on PostgreSQL as written (a false True only
    costs the full classification)."""
    first = _FIRST_WORD.match(sql)
    if first is None:
        return True
    lead = first.group(0).upper()
    if lead in _SPECIAL_LEADS and not (lead == "DELETE" and _DELETE_FROM.match(sql)):
        return True
    if lead == "INSERT" and "select" in sql.lower() and _VALUES_SUBQUERY.search(sql):
        return True
    if '"' in sql and _QUOTED_UPPER.search(sql):
        return True
    lowered = sql.lower()
    for hint in _HINTS:
        if hint in lowered:
            if any(pattern.search(sql) for pattern in _COMPILED_CHECKS):
                return True
            break
    if lowered.count("select") + lowered.count("values") > 1 and _DERIVED.search(sql):
        return True
    return "(" in sql and any(name in _WATCHED_CALLS for name in _called(lowered))


def _called(lowered: str) -> Iterator[str]:
    """The names written right before a '(' (function calls and a few keywords)."""
    for piece in lowered.split("(")[:-1]:
        piece = piece.rstrip()
        end = start = len(piece)
        while start and (piece[start - 1].isalnum() or piece[start - 1] in "_$"):
            start -= 1
        if start < end:
            yield piece[start:end].upper()


# --------------------------------------------------------------------- classification


def classify(sql: str) -> Plan:
    if not needs_classifying(sql):
        return Plan(AS_WRITTEN, sql)
    try:
        return _classify(sql)
    except NotEmulatedError as err:
        return Plan(REFUSED, sql, error=err)
    except EmulationError as err:
        return Plan(INVALID, sql, error=err)


def _lead(tokens: List[Token]) -> Tuple[str, ...]:
    return tuple(t.text.upper() if t.kind == "word" else t.text for t in tokens[:6])


def _command_feature(command: Command) -> Feature:
    return Feature(command.name, command.status, command.doc)


def _classify(sql: str) -> Plan:
    tokens = significant(sql)
    if not tokens:
        return Plan(AS_WRITTEN, sql)
    lead = _lead(tokens)
    command = command_of(lead)
    if command is not None and command.status == REFUSED:
        raise refusal(_command_feature(command))
    first = lead[0]
    if first == "UNLOAD":
        translation = translate_unload(sql)
        _check_options(translation.sql, "UNLOAD")
        return _emulated(command, translation.sql, translation.features, "unload")
    if first == "COPY":
        translation = translate(sql, tokens)
        _check_options(translation.sql, "COPY")
        return _emulated(command, translation.sql, translation.features, "copy")
    if first in ("SET", "RESET"):
        return _setting(sql, tokens, lead)
    if first == "VACUUM":
        return _vacuum(sql, lead, command)
    if first in ("GRANT", "REVOKE") or lead[:2] in (("CREATE", "USER"), ("ALTER", "USER")):
        return _access(sql, tokens, command)
    if first == "ANALYZE":
        return _analyze(sql, tokens)
    if lead[:2] in (("CREATE", "SCHEMA"), ("ALTER", "SCHEMA")):
        quota = _quota_span(tokens)
        if quota is not None:
            doc = command.doc if command else ""
            if first == "ALTER":
                feature = Feature("ALTER SCHEMA ... QUOTA", EMULATED, doc)
                detail = "QUOTA: accepted, no local effect (no storage limit locally)"
                return Plan(EMULATED, sql, (feature,), "accept", detail)
            feature = Feature("CREATE SCHEMA ... QUOTA", TRANSLATED, doc)
            plan = _classify(ddl.apply(sql, [ddl.Edit(quota[0], quota[1], "")]))
            kind = TRANSLATED if plan.kind == AS_WRITTEN else plan.kind
            return plan._replace(kind=kind, features=(feature, *plan.features), rewritten=True)
    if lead[:3] == ("CREATE", "EXTERNAL", "SCHEMA"):
        return _emulated(command, sql, (), "external_schema")
    if lead[:3] == ("CREATE", "EXTERNAL", "TABLE"):
        return _emulated(command, sql, (), "external_table")
    if lead[:2] == ("ALTER", "TABLE"):
        _check_alter_table(tokens)
    translation = translate(sql, tokens)
    action = {("ALTER", "TABLE"): "alter_table", ("DROP", "TABLE"): "drop_table"}.get(lead[:2])
    if lead[:2] == ("DROP", "SCHEMA"):
        action = "drop_schema"
    if action is not None:
        # decided at run time: external objects are emulated, local ones run on PostgreSQL
        return Plan(
            TRANSLATED if translation.changed else AS_WRITTEN,
            translation.sql,
            translation.features,
            action,
        )
    if translation.changed:
        return Plan(TRANSLATED, translation.sql, translation.features)
    emulated = any(f.status == EMULATED for f in translation.features)
    return Plan(EMULATED if emulated else AS_WRITTEN, sql, translation.features)


def _access(sql: str, tokens: List[Token], command: Optional[Command]) -> Plan:
    """Users and grants with Redshift's options or role syntax (access.py)."""
    user = ddl.upper_word(tokens[0]) in ("CREATE", "ALTER")
    rewrite = (access.user_statement if user else access.grant_statement)(sql, tokens)
    if rewrite is None:
        return Plan(AS_WRITTEN, sql)
    doc = command.doc if command else access.GRANT_DOC
    features = tuple(Feature(name, TRANSLATED, doc) for name in rewrite.names)
    if rewrite.accepted:
        detail = f"{', '.join(rewrite.names)}: accepted, no local effect"
        return Plan(EMULATED, sql, features, "accept", detail)
    return Plan(TRANSLATED, rewrite.sql, features, rewritten=True)


def _vacuum(sql: str, lead: Tuple[str, ...], command: Optional[Command]) -> Plan:
    """A plain VACUUM runs; Redshift's options only re-sort and reclaim, so a VACUUM that
    uses them is accepted without running (PostgreSQL's VACUUM FULL would rewrite the table
    under an exclusive lock for nothing)."""
    options = [word for word in lead[1:] if word in VACUUM_OPTIONS]
    if not options:
        return Plan(AS_WRITTEN, sql)
    name = f"VACUUM {options[0]}"
    feature = Feature(name, EMULATED, command.doc if command else "")
    return Plan(EMULATED, sql, (feature,), "accept", f"{name}: accepted, no local effect")


def _analyze(sql: str, tokens: List[Token]) -> Plan:
    """ANALYZE ... PREDICATE COLUMNS | ALL COLUMNS: the choice of columns is removed."""
    words = tuple(ddl.upper_word(t) for t in tokens[-2:])
    if len(tokens) < 3 or words not in ANALYZE_COLUMN_CHOICES:
        return Plan(AS_WRITTEN, sql)
    feature = Feature(f"ANALYZE ... {' '.join(words)}", TRANSLATED, DOCS + "r_ANALYZE.html")
    kept = sql[: tokens[-2].start].rstrip()
    return Plan(TRANSLATED, kept, (feature,), rewritten=True)


def _quota_span(tokens: List[Token]) -> Optional[Tuple[int, int]]:
    """Where `QUOTA n [MB|GB|TB]` or `QUOTA UNLIMITED` is in a CREATE/ALTER SCHEMA."""
    for k, token in enumerate(tokens):
        if ddl.upper_word(token) != "QUOTA" or k + 1 >= len(tokens):
            continue
        last = k + 1
        if tokens[last].kind == "number" and k + 2 < len(tokens):
            if ddl.upper_word(tokens[k + 2]) in QUOTA_UNITS:
                last = k + 2
        elif ddl.upper_word(tokens[last]) != "UNLIMITED" and tokens[last].kind != "number":
            return None
        return token.start, ddl.end_of(tokens[last])
    return None


def _check_alter_table(tokens: List[Token]) -> None:
    """ALTER TABLE t APPEND FROM s names its table between the keywords, so the command
    table cannot see it by its leading words."""
    words = [t.text.upper() for t in tokens if t.kind == "word"]
    for k in range(2, len(words) - 1):
        if words[k] == "APPEND" and words[k + 1] == "FROM":
            command = command_of(("ALTER", "TABLE", "APPEND"))
            assert command is not None
            raise refusal(_command_feature(command))


def _emulated(
    command: Optional[Command], sql: str, features: Iterable[Feature], action: str
) -> Plan:
    head = (_command_feature(command),) if command is not None else ()
    return Plan(EMULATED, sql, head + tuple(features), action)


def _check_options(sql: str, statement: str) -> None:
    """The UNLOAD or COPY read by its own module's parser (options against options.py's
    tables, formats, conversions), without the database or S3, so what is not emulated is
    refused here, before anything runs. What Redshift itself would refuse is left to fail
    when the statement runs, as it would on Redshift."""
    try:
        (unload.parse if statement == "UNLOAD" else copy_from_s3.parse)(sql)
    except EmulationError:
        return


def _setting(sql: str, tokens: List[Token], lead: Tuple[str, ...]) -> Plan:
    at = 2 if len(lead) > 1 and lead[1] in ("SESSION", "LOCAL") else 1
    if at >= len(tokens) or tokens[at].kind not in ("word", "ident"):
        return Plan(AS_WRITTEN, sql)
    name = name_of(tokens[at])
    values = tokens[at + 1 :]
    if values and values[0].text.upper() in ("TO", "="):
        values = values[1:]
    if name == "search_path":
        return _search_path(lead[0], values)
    to_default = lead[0] == "RESET" or [t.text.upper() for t in values] == ["DEFAULT"]
    if to_default and name == "all":
        feature = Feature("RESET ALL (to Redshift's defaults)", EMULATED, DOCS + "r_RESET.html")
        return Plan(EMULATED, sql, (feature,), "reset_all")
    default = _SESSION_DEFAULT.get(name)
    if to_default and default is not None:
        # the connection's defaults are PostgreSQL's; Redshift's are those on_connect sets
        feature = Feature(f"RESET {name} (to Redshift's default)", EMULATED, default[1])
        reset = f"SET {name} TO {literal(default[0])}"
        return Plan(EMULATED, reset, (feature,), "run", rewritten=True)
    if name in REFUSED_SETTINGS:
        value = " ".join(t.text for t in values).lower().strip("'")
        feature = Feature(f"SET {name}", REFUSED, REFUSED_SETTINGS[name])
        if lead[0] == "RESET" or value in ("off", "false", "default"):
            return Plan(EMULATED, sql, (feature._replace(status=EMULATED),), "accept",
                        f"{name}: Redshift's default, nothing to do")  # fmt: skip
        raise refusal(feature)
    if name in ACCEPTED_SETTINGS:
        feature = Feature(f"SET {name}", EMULATED, ACCEPTED_SETTINGS[name])
        return Plan(EMULATED, sql, (feature,), "accept", f"{name}: accepted, no local effect")
    return Plan(AS_WRITTEN, sql)


_SESSION_DEFAULT = {name.lower(): (value, doc) for name, value, doc in SESSION_DEFAULTS}


def _search_path(verb: str, values: List[Token]) -> Plan:
    """SET search_path keeps the compat schema ahead of pg_catalog (compat.py)."""
    schemas = [t.text for t in values if t.kind in ("word", "ident", "string")]
    if verb == "RESET" or [s.upper() for s in schemas] in ([], ["DEFAULT"]):
        schemas = list(DEFAULT_PATH)
    schemas = [f'"{s[1:-1]}"' if s.startswith("'") else s for s in schemas]
    feature = Feature(f"search_path (with {SCHEMA})", EMULATED, SEARCH_PATH_DOC)
    sql = f"SET search_path TO {search_path(schemas)}"
    return Plan(EMULATED, sql, (feature,), "run", rewritten=True)


# --------------------------------------------------------------------- a file's statements


class Classifier:
    """Plans for the statements of one run: `check` classifies them all before anything
    runs and keeps the plans (up to `keep_chars` of SQL) so `plan` does not classify the
    same statement twice."""

    def __init__(self, keep_chars: int = 8 << 20) -> None:
        self._kept: Dict[str, Plan] = {}
        self._budget = keep_chars
        self._external: set = set()  # external schemas created by earlier statements

    def plan(self, sql: str) -> Plan:
        plan = self._kept.pop(sql, None)
        return plan if plan is not None else classify(sql)

    def plans(self, statements: Iterable) -> Iterator[Tuple[object, Plan]]:
        for statement in statements:
            plan = self._with_externals(classify(statement.text))
            if self._budget >= len(statement.text):  # the run classifies each text once
                self._budget -= len(statement.text)
                self._kept[statement.text] = plan
            yield statement, plan

    def _with_externals(self, plan: Plan) -> Plan:
        """Statements on external schemas that earlier statements of the file create are
        emulated (Spectrum); which schemas already exist is only known at run time."""
        if plan.action == "external_schema":
            words = Words(plan.sql)
            words.expect("CREATE", "EXTERNAL", "SCHEMA")
            words.accept("IF", "NOT", "EXISTS")
            self._external.add(words.name())
        elif plan.action in ("alter_table", "drop_table", "drop_schema") and plan.error is None:
            words = Words(plan.sql)
            words.take()
            words.take()
            words.accept("IF", "EXISTS")
            name = words.qualified_name() if plan.action != "drop_schema" else (words.name(), "")
            if name[0] in self._external:
                command = command_of(_lead(significant(plan.sql)))
                head = (_command_feature(command),) if command is not None else ()
                return plan._replace(kind=EMULATED, features=head + plan.features)
        return plan

    def check(self, statements: Iterable, location: str) -> None:
        """Classify every statement; raise (exit 2, nothing run) if any is refused or
        invalid, naming each with its file:line."""
        problems: List[Tuple[object, Plan]] = [
            (statement, plan) for statement, plan in self.plans(statements) if plan.error
        ]
        if not problems:
            return
        first_statement, first_plan = problems[0]
        error = first_plan.error
        assert error is not None
        lines = [
            f"line {s.line} (statement {s.index}): {p.error.message}"  # type: ignore[attr-defined, union-attr]
            for s, p in problems[1:6]
        ]
        more = f" (and {len(problems) - 6} more)" if len(problems) > 6 else ""
        also = f"; also {'; '.join(lines)}{more}" if lines else ""
        message = f"{error.message}{also}. Nothing was run."
        kind = NotEmulatedError if any(p.kind == REFUSED for _, p in problems) else type(error)
        raise kind(
            message,
            file=location,
            line=first_statement.line,  # type: ignore[attr-defined]
            statement=first_statement.index,  # type: ignore[attr-defined]
        )
