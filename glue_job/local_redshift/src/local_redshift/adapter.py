"""LocalRedshift: the one object the executor talks to when the secret says engine=postgres.

`execute(sql)` classifies one statement by its leading keywords (lexer tokens, never a
regex over raw SQL) and either handles it (returns a Result), refuses it by name
(NotEmulatedError), or returns None so the executor runs it on PostgreSQL as written.
The classification is the tables below; each handler lives in its own module.
"""

import re
from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple

from sqlrunner.errors import EmulationError, NotEmulatedError
from sqlrunner.result import Result

from . import copy_from_s3, ddl, load_history, unload
from .spectrum import Spectrum
from .words import Words, literal, name_of, significant

DOCS = "https://docs.aws.amazon.com/redshift/latest/dg/"


class Setting(NamedTuple):
    name: str
    value: str
    doc: str


# Session settings applied on connect so PostgreSQL reads and prints like Redshift:
# backslash escapes in '...' literals (Redshift keeps PostgreSQL 8's string rules), ISO
# dates, UTC, and Redshift's float output digits.
SESSION_DEFAULTS: Tuple[Setting, ...] = (
    Setting("standard_conforming_strings", "off", DOCS + "r_Literals.html"),
    Setting("escape_string_warning", "off", DOCS + "r_Literals.html"),
    Setting("DateStyle", "ISO, MDY", DOCS + "r_datestyle.html"),
    Setting("TimeZone", "UTC", DOCS + "r_timezone_config.html"),
    Setting("extra_float_digits", "0", DOCS + "r_extra_float_digits.html"),
)

# Redshift-only session settings that label or tune work without changing results:
# SET/RESET of these is accepted locally and has no effect.
ACCEPTED_SETTINGS = {
    "query_group": DOCS + "r_query_group.html",
    "wlm_query_slot_count": DOCS + "r_wlm_query_slot_count.html",
    "enable_result_cache_for_session": DOCS + "r_enable_result_cache_for_session.html",
    "analyze_threshold_percent": DOCS + "r_analyze_threshold_percent.html",
    "auto_mv": DOCS + "r_auto_mv.html",
    "mv_enable_aqmv_for_session": DOCS + "r_mv_enable_aqmv_for_session.html",
    "spectrum_query_maxerror": DOCS + "r_spectrum_query_maxerror.html",
    "describe_field_name_in_uppercase": DOCS + "r_describe_field_name_in_uppercase.html",
}
# Redshift-only settings that change results: refused rather than silently ignored.
REFUSED_SETTINGS = {
    "enable_case_sensitive_identifier": DOCS + "r_enable_case_sensitive_identifier.html",
    "enable_case_sensitive_super_attribute": DOCS + "r_enable_case_sensitive_super_attribute.html",
    "json_parse_truncate_strings": DOCS + "r_json_parse_truncate_strings.html",
    "datashare_break_glass_session_var": DOCS + "r_datashare_break_glass_session_var.html",
}


class Refused(NamedTuple):
    words: Tuple[str, ...]  # leading keywords
    what: str
    doc: str


# Redshift-only statements that are not emulated: each fails by name, before anything runs.
NOT_EMULATED: Tuple[Refused, ...] = (
    Refused(("CREATE", "LIBRARY"), "CREATE LIBRARY", DOCS + "r_CREATE_LIBRARY.html"),
    Refused(("DROP", "LIBRARY"), "DROP LIBRARY", DOCS + "r_DROP_LIBRARY.html"),
    Refused(("CREATE", "MODEL"), "CREATE MODEL", DOCS + "r_CREATE_MODEL.html"),
    Refused(("DROP", "MODEL"), "DROP MODEL", DOCS + "r_DROP_MODEL.html"),
    Refused(("SHOW", "MODEL"), "SHOW MODEL", DOCS + "r_SHOW_MODEL.html"),
    Refused(
        ("CREATE", "EXTERNAL", "FUNCTION"),
        "CREATE EXTERNAL FUNCTION",
        DOCS + "r_CREATE_EXTERNAL_FUNCTION.html",
    ),
    Refused(
        ("CREATE", "OR", "REPLACE", "EXTERNAL", "FUNCTION"),
        "CREATE EXTERNAL FUNCTION",
        DOCS + "r_CREATE_EXTERNAL_FUNCTION.html",
    ),
    Refused(
        ("CREATE", "EXTERNAL", "VIEW"), "CREATE EXTERNAL VIEW", DOCS + "r_CREATE_EXTERNAL_VIEW.html"
    ),
    Refused(
        ("CREATE", "OR", "REPLACE", "EXTERNAL", "VIEW"),
        "CREATE EXTERNAL VIEW",
        DOCS + "r_CREATE_EXTERNAL_VIEW.html",
    ),
    Refused(("CREATE", "DATASHARE"), "CREATE DATASHARE", DOCS + "r_CREATE_DATASHARE.html"),
    Refused(("ALTER", "DATASHARE"), "ALTER DATASHARE", DOCS + "r_ALTER_DATASHARE.html"),
    Refused(("DROP", "DATASHARE"), "DROP DATASHARE", DOCS + "r_DROP_DATASHARE.html"),
    Refused(("DESC", "DATASHARE"), "DESC DATASHARE", DOCS + "r_DESC_DATASHARE.html"),
    Refused(("SHOW", "DATASHARES"), "SHOW DATASHARES", DOCS + "r_SHOW_DATASHARES.html"),
    Refused(("ANALYZE", "COMPRESSION"), "ANALYZE COMPRESSION", DOCS + "r_ANALYZE_COMPRESSION.html"),
    Refused(("CANCEL",), "CANCEL", DOCS + "r_CANCEL.html"),
    Refused(
        ("SHOW", "EXTERNAL", "TABLE"), "SHOW EXTERNAL TABLE", DOCS + "r_SHOW_EXTERNAL_TABLE.html"
    ),
    Refused(("SHOW", "TABLE"), "SHOW TABLE", DOCS + "r_SHOW_TABLE.html"),
    Refused(("SHOW", "TABLES"), "SHOW TABLES", DOCS + "r_SHOW_TABLES.html"),
    Refused(("SHOW", "VIEW"), "SHOW VIEW", DOCS + "r_SHOW_VIEW.html"),
    Refused(("SHOW", "COLUMNS"), "SHOW COLUMNS", DOCS + "r_SHOW_COLUMNS.html"),
    Refused(("SHOW", "SCHEMAS"), "SHOW SCHEMAS", DOCS + "r_SHOW_SCHEMAS.html"),
    Refused(("SHOW", "DATABASES"), "SHOW DATABASES", DOCS + "r_SHOW_DATABASES.html"),
    Refused(("SHOW", "GRANTS"), "SHOW GRANTS", DOCS + "r_SHOW_GRANTS.html"),
    Refused(("SHOW", "PROCEDURE"), "SHOW PROCEDURE", DOCS + "r_SHOW_PROCEDURE.html"),
    Refused(("CREATE", "RLS", "POLICY"), "CREATE RLS POLICY", DOCS + "r_CREATE_RLS_POLICY.html"),
    Refused(("ATTACH", "RLS", "POLICY"), "ATTACH RLS POLICY", DOCS + "r_ATTACH_RLS_POLICY.html"),
    Refused(
        ("CREATE", "MASKING", "POLICY"),
        "CREATE MASKING POLICY",
        DOCS + "r_CREATE_MASKING_POLICY.html",
    ),
    Refused(
        ("ATTACH", "MASKING", "POLICY"),
        "ATTACH MASKING POLICY",
        DOCS + "r_ATTACH_MASKING_POLICY.html",
    ),
    Refused(
        ("CREATE", "IDENTITY", "PROVIDER"),
        "CREATE IDENTITY PROVIDER",
        DOCS + "r_CREATE_IDENTITY_PROVIDER.html",
    ),
)
# VACUUM's Redshift options (a plain VACUUM [table] runs on PostgreSQL as is).
VACUUM_OPTIONS = ("FULL", "SORT", "DELETE", "REINDEX", "RECLUSTER", "BOOST", "TO")
VACUUM_DOC = DOCS + "r_VACUUM_command.html"
CREATE_TABLE_LEADS = (
    ("CREATE", "TABLE"),
    ("CREATE", "TEMP", "TABLE"),
    ("CREATE", "TEMPORARY", "TABLE"),
    ("CREATE", "LOCAL", "TEMP", "TABLE"),
    ("CREATE", "LOCAL", "TEMPORARY", "TABLE"),
)


# First keywords execute() acts on; a statement starting otherwise only matters to the
# emulation if it names an external table or a MAX type (see LocalRedshift._plain).
_SPECIAL_LEADS = frozenset(
    {"UNLOAD", "COPY", "VACUUM", "SET", "RESET", "CREATE", "ALTER", "DROP"}
    | {refused.words[0] for refused in NOT_EMULATED}
)
_FIRST_WORD = re.compile(r"[A-Za-z_]+")


class LocalRedshift:
    """Redshift-only statements emulated on PostgreSQL + local S3 + local Glue."""

    def __init__(self, db: Any, *, s3: Any, glue: Any, log: Callable[[str], None] = print) -> None:
        self.db, self.s3, self.log = db, s3, log
        self.spectrum = Spectrum(db, s3, glue)

    def on_connect(self) -> None:
        for setting in SESSION_DEFAULTS:
            self.db.query(f"SET {setting.name} TO {literal(setting.value)}")
        load_history.on_connect(self.db)  # STL_LOAD_ERRORS, pg_last_copy_count() on the path
        self.spectrum.load_schemas()

    def execute(self, sql: str) -> Optional[Result]:
        if self._plain(sql):
            return None
        tokens = significant(sql)
        if not tokens:
            return None
        lead = [t.text.upper() if t.kind == "word" else t.text for t in tokens[:6]]
        for refused in NOT_EMULATED:
            if tuple(lead[: len(refused.words)]) == refused.words:
                raise NotEmulatedError(f"not emulated locally: {refused.what} ({refused.doc})")
        first = lead[0]
        if first == "UNLOAD":
            return unload.unload(self.db, self.s3, sql, self._prepare_query)
        if first == "COPY":
            return copy_from_s3.copy(self.db, self.s3, sql)
        if first == "VACUUM":
            self._check_vacuum(lead)
        if first in ("SET", "RESET"):
            return self._setting(tokens, lead)
        if lead[:3] == ["CREATE", "EXTERNAL", "SCHEMA"]:
            return self.spectrum.create_schema(sql)
        if lead[:3] == ["CREATE", "EXTERNAL", "TABLE"]:
            return self.spectrum.create_table(sql)
        if lead[:2] == ["ALTER", "TABLE"]:
            return self._alter_table(sql)
        if lead[:2] == ["DROP", "TABLE"]:
            return self._drop_tables(sql)
        if lead[:2] == ["DROP", "SCHEMA"]:
            return self._drop_schemas(sql)
        self._refuse_writes_to_external(tokens, first)
        self._sync(tokens)
        if any(tuple(lead[: len(words)]) == words for words in CREATE_TABLE_LEADS):
            rewrite = ddl.rewrite_create_table(sql)
        else:
            rewrite = self._max_types(sql, tokens)
        if rewrite is None:
            return None
        return self._run_rewritten(rewrite)

    # --- helpers

    def _plain(self, sql: str) -> bool:
        """True when the statement cannot concern the emulation, decided without lexing
        all of it: it does not start with a keyword handled above, names no external
        schema, and has no MAX type. Most statements of a pipeline (INSERT, SELECT,
        DELETE...) take this path, which keeps the adapter's cost per statement small."""
        first = _FIRST_WORD.match(sql)
        if first is None or first.group(0).upper() in _SPECIAL_LEADS:
            return False
        lowered = sql.lower()
        if "max" in lowered:
            return False
        return not any(schema in lowered for schema in self.spectrum.schemas)

    def _prepare_query(self, query: str) -> None:
        self._sync(significant(query))

    def _sync(self, tokens: Sequence[Any]) -> None:
        if not self.spectrum.schemas:
            return
        for schema, table in self.spectrum.referenced(tokens):
            rows = self.spectrum.sync(schema, table)
            if rows:
                self.log(f"local Spectrum: {schema}.{table}: {rows:,} rows (re)loaded from S3")

    def _run_rewritten(self, rewrite: ddl.Rewrite) -> Result:
        result = self.db.query(rewrite.sql)
        notes = ", ".join(sorted(set(rewrite.notes)))
        return Result(result.rows, f"rewritten for PostgreSQL: {notes}")

    @staticmethod
    def _max_types(sql: str, tokens: Sequence[Any]) -> Optional[ddl.Rewrite]:
        edits: List[ddl.Edit] = []
        notes: List[str] = []
        ddl.max_type_edits(tokens, edits, notes)
        return ddl.Rewrite(ddl.apply(sql, edits), notes) if edits else None

    @staticmethod
    def _check_vacuum(lead: List[str]) -> None:
        for word in lead[1:]:
            if word in VACUUM_OPTIONS:
                raise NotEmulatedError(f"not emulated locally: VACUUM {word} ({VACUUM_DOC})")

    @staticmethod
    def _setting(tokens: Sequence[Any], lead: List[str]) -> Optional[Result]:
        if len(tokens) < 2:
            return None
        at = 2 if lead[1] in ("SESSION", "LOCAL") else 1
        if at >= len(tokens):
            return None
        name = name_of(tokens[at])
        if name in REFUSED_SETTINGS:
            value = " ".join(t.text for t in tokens[at + 1 :]).lower()
            if lead[0] == "RESET" or value.split()[-1:] in (
                ["off"],
                ["false"],
                ["'off'"],
                ["'false'"],
            ):
                return Result(None, f"{name}: Redshift's default, nothing to do")
            raise NotEmulatedError(f"not emulated locally: SET {name} ({REFUSED_SETTINGS[name]})")
        if name in ACCEPTED_SETTINGS:
            return Result(None, f"{name}: accepted, no local effect")
        return None

    def _alter_table(self, sql: str) -> Optional[Result]:
        words = Words(sql, "ALTER TABLE")
        words.expect("ALTER", "TABLE")
        words.accept("IF", "EXISTS")
        schema, table = words.qualified_name()
        if schema in self.spectrum.schemas:
            return self.spectrum.alter_table(sql, schema, table)
        rewrite = ddl.rewrite_alter_table(sql)
        if rewrite is None:
            return None
        if not rewrite.sql:
            return Result(
                None, f"accepted: {', '.join(rewrite.notes)} changes physical layout only"
            )
        return self._run_rewritten(rewrite)

    def _drop_tables(self, sql: str) -> Optional[Result]:
        words = Words(sql, "DROP TABLE")
        words.expect("DROP", "TABLE")
        if_exists = words.accept("IF", "EXISTS")
        names = [words.qualified_name()]
        while words.accept_op(","):
            names.append(words.qualified_name())
        external = [(s, t) for s, t in names if s in self.spectrum.schemas]
        if not external:
            return None
        if len(external) != len(names):
            raise NotEmulatedError(
                "not emulated locally: DROP TABLE of external and local tables in one statement"
            )
        return self.spectrum.drop_tables(external, if_exists)  # type: ignore[arg-type]

    def _drop_schemas(self, sql: str) -> Optional[Result]:
        words = Words(sql, "DROP SCHEMA")
        words.expect("DROP", "SCHEMA")
        if_exists = words.accept("IF", "EXISTS")
        names = [words.name()]
        while words.accept_op(","):
            names.append(words.name())
        external = [name for name in names if name in self.spectrum.schemas]
        if not external:
            return None
        if len(external) != len(names):
            raise NotEmulatedError(
                "not emulated locally: DROP SCHEMA of external and local schemas in one statement"
            )
        drop_database = words.accept("DROP", "EXTERNAL", "DATABASE")
        cascade = words.accept("CASCADE")
        if not cascade:
            words.accept("RESTRICT")
        if not words.done:
            raise words.error("unexpected text")
        return self.spectrum.drop_schemas(external, if_exists, drop_database, cascade)

    def _refuse_writes_to_external(self, tokens: Sequence[Any], first: str) -> None:
        if not self.spectrum.schemas or first not in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            return
        at = 1
        while (
            at < len(tokens)
            and tokens[at].kind == "word"
            and tokens[at].text.upper() in ("INTO", "FROM", "TABLE", "ONLY")
        ):
            at += 1
        if (
            at < len(tokens)
            and name_of(tokens[at]) in self.spectrum.schemas
            and at + 1 < len(tokens)
            and tokens[at + 1].text == "."
        ):
            if first == "INSERT":
                raise NotEmulatedError("not emulated locally: INSERT into an external table")
            raise EmulationError(
                f"{first} is not allowed on an external table (Spectrum tables are read-only)"
            )
