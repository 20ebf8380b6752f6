"""Every SQL command in Redshift's reference, the syntax it adds to PostgreSQL's, and the
session settings it has: what the local adapter does with each.

`status` as in functions.py: "as written" (PostgreSQL runs it unchanged), "emulated" (a
handler of the adapter does what Redshift does: Spectrum DDL, UNLOAD, COPY...),
"translated" (rewritten before PostgreSQL runs it), "refused" (fails by name before
anything runs). The classifier, the adapter and the support matrix read these tables.
"""

from typing import Dict, List, NamedTuple, Tuple

from . import load_history
from .functions import AS_WRITTEN, DOCS, EMULATED, REFUSED, TRANSLATED


class Command(NamedTuple):
    words: Tuple[str, ...]  # the leading keywords that identify it
    status: str
    page: str
    note: str = ""

    @property
    def name(self) -> str:
        return " ".join(self.words)

    @property
    def doc(self) -> str:
        return DOCS + self.page + ".html"


def _c(words: str, status: str, page: str, note: str = "") -> Command:
    return Command(tuple(words.split()), status, page, note)


_NO_DATASHARING = "no data sharing locally"
_NO_POLICIES = "row-level security and masking policies are not emulated"
_USER_OPTIONS = (
    "PASSWORD DISABLE, CONNECTION LIMIT UNLIMITED and [NO]CREATEUSER as PostgreSQL writes "
    "them; SYSLOG ACCESS, SESSION TIMEOUT and EXTERNALID removed (access.py)"
)
_ROLE_GRANTS = (
    "ROLE r written as r; system privileges (CREATE TABLE, ACCESS CATALOG...) accepted with "
    "no local effect (access.py)"
)

# In the order of the SQL commands reference (c_SQL_commands.html). Where several rows
# share leading words the longer one decides (ALTER TABLE APPEND before ALTER TABLE).
COMMANDS: Tuple[Command, ...] = (
    _c("ABORT", AS_WRITTEN, "r_ABORT"),
    _c("ALTER DATABASE", AS_WRITTEN, "r_ALTER_DATABASE"),
    _c("ALTER DATASHARE", REFUSED, "r_ALTER_DATASHARE", _NO_DATASHARING),
    _c("ALTER DEFAULT PRIVILEGES", AS_WRITTEN, "r_ALTER_DEFAULT_PRIVILEGES"),
    _c("ALTER EXTERNAL VIEW", REFUSED, "r_ALTER_EXTERNAL_VIEW"),
    _c("ALTER FUNCTION", AS_WRITTEN, "r_ALTER_FUNCTION"),
    _c("ALTER GROUP", AS_WRITTEN, "r_ALTER_GROUP"),
    _c("ALTER IDENTITY PROVIDER", REFUSED, "r_ALTER_IDENTITY_PROVIDER"),
    _c("ALTER MASKING POLICY", REFUSED, "r_ALTER_MASKING_POLICY", _NO_POLICIES),
    _c(
        "ALTER MATERIALIZED VIEW",
        REFUSED,
        "r_ALTER_MATERIALIZED_VIEW",
        "AUTO REFRESH is not emulated",
    ),
    _c("ALTER RLS POLICY", REFUSED, "r_ALTER_RLS_POLICY", _NO_POLICIES),
    _c("ALTER ROLE", AS_WRITTEN, "r_ALTER_ROLE"),
    _c("ALTER PROCEDURE", AS_WRITTEN, "r_ALTER_PROCEDURE"),
    _c(
        "ALTER SCHEMA",
        AS_WRITTEN,
        "r_ALTER_SCHEMA",
        "QUOTA is accepted with no local effect (no storage limit is enforced)",
    ),
    _c("ALTER SYSTEM", REFUSED, "r_ALTER_SYSTEM"),
    _c("ALTER TABLE APPEND", REFUSED, "r_ALTER_TABLE_APPEND"),
    _c(
        "ALTER TABLE",
        TRANSLATED,
        "r_ALTER_TABLE",
        "physical-layout changes (DISTKEY, SORTKEY, ENCODE...) are accepted with no effect; "
        "ADD PARTITION on an external table is emulated",
    ),
    _c("ALTER USER", TRANSLATED, "r_ALTER_USER", _USER_OPTIONS),
    _c("ANALYZE COMPRESSION", REFUSED, "r_ANALYZE_COMPRESSION"),
    _c("ANALYZE", AS_WRITTEN, "r_ANALYZE", "PREDICATE COLUMNS and ALL COLUMNS are removed"),
    _c("ATTACH MASKING POLICY", REFUSED, "r_ATTACH_MASKING_POLICY", _NO_POLICIES),
    _c("ATTACH RLS POLICY", REFUSED, "r_ATTACH_RLS_POLICY", _NO_POLICIES),
    _c("BEGIN", AS_WRITTEN, "r_BEGIN"),
    _c("CALL", AS_WRITTEN, "r_CALL_procedure"),
    _c("CANCEL", REFUSED, "r_CANCEL"),
    _c("CLOSE", AS_WRITTEN, "close"),
    _c("COMMENT", AS_WRITTEN, "r_COMMENT"),
    _c("COMMIT", AS_WRITTEN, "r_COMMIT"),
    _c("COPY", EMULATED, "r_COPY", "from local S3; options in the COPY table"),
    _c("CREATE DATABASE", REFUSED, "r_CREATE_DATABASE", "one local database per stack"),
    _c("CREATE DATASHARE", REFUSED, "r_CREATE_DATASHARE", _NO_DATASHARING),
    _c("CREATE EXTERNAL FUNCTION", REFUSED, "r_CREATE_EXTERNAL_FUNCTION", "no Lambda UDFs locally"),
    _c(
        "CREATE OR REPLACE EXTERNAL FUNCTION",
        REFUSED,
        "r_CREATE_EXTERNAL_FUNCTION",
        "no Lambda UDFs locally",
    ),
    _c("CREATE EXTERNAL MODEL", REFUSED, "r_CREATE_MODEL", "no Redshift ML locally"),
    _c(
        "CREATE EXTERNAL SCHEMA",
        EMULATED,
        "r_CREATE_EXTERNAL_SCHEMA",
        "FROM DATA CATALOG: a Glue database in the local AWS",
    ),
    _c(
        "CREATE EXTERNAL TABLE",
        EMULATED,
        "r_CREATE_EXTERNAL_TABLE",
        "Parquet in local S3, registered in the local Glue catalog; difference left in "
        "place: its files are read again before a statement that names the table, not "
        "before one that reads it through a view, procedure or function",
    ),
    _c("CREATE EXTERNAL VIEW", REFUSED, "r_CREATE_EXTERNAL_VIEW"),
    _c("CREATE OR REPLACE EXTERNAL VIEW", REFUSED, "r_CREATE_EXTERNAL_VIEW"),
    _c(
        "CREATE FUNCTION",
        TRANSLATED,
        "r_CREATE_FUNCTION",
        "SQL bodies translated like any statement; Python UDFs are refused",
    ),
    _c("CREATE GROUP", AS_WRITTEN, "r_CREATE_GROUP"),
    _c("CREATE IDENTITY PROVIDER", REFUSED, "r_CREATE_IDENTITY_PROVIDER"),
    _c("CREATE LIBRARY", REFUSED, "r_CREATE_LIBRARY", "Python libraries are not emulated"),
    _c("CREATE MASKING POLICY", REFUSED, "r_CREATE_MASKING_POLICY", _NO_POLICIES),
    _c(
        "CREATE MATERIALIZED VIEW",
        TRANSLATED,
        "materialized-view-create-sql-command",
        "BACKUP, DISTKEY, SORTKEY dropped; AUTO REFRESH YES is refused",
    ),
    _c("CREATE MODEL", REFUSED, "r_CREATE_MODEL", "no Redshift ML locally"),
    _c(
        "CREATE PROCEDURE",
        TRANSLATED,
        "r_CREATE_PROCEDURE",
        "the body's statements translated like any statement (not SQL built at run time); "
        "difference left in place: an EXCEPTION block ends the error, where Redshift raises "
        "it again once the handler has run (stored-procedure-trapping-errors.html)",
    ),
    _c("CREATE RLS POLICY", REFUSED, "r_CREATE_RLS_POLICY", _NO_POLICIES),
    _c("CREATE ROLE", AS_WRITTEN, "r_CREATE_ROLE"),
    _c(
        "CREATE SCHEMA",
        AS_WRITTEN,
        "r_CREATE_SCHEMA",
        "QUOTA is removed (no storage limit is enforced locally)",
    ),
    _c(
        "CREATE TABLE",
        TRANSLATED,
        "r_CREATE_TABLE_NEW",
        "DISTKEY/SORTKEY/ENCODE/BACKUP dropped, IDENTITY mapped, #name is a temporary table, "
        "VARCHAR lengths counted in bytes",
    ),
    _c("CREATE USER", TRANSLATED, "r_CREATE_USER", _USER_OPTIONS),
    _c(
        "CREATE VIEW",
        TRANSLATED,
        "r_CREATE_VIEW",
        "WITH NO SCHEMA BINDING accepted; the view is bound at creation "
        "(late binding is not emulated)",
    ),
    _c("DEALLOCATE", AS_WRITTEN, "r_DEALLOCATE"),
    _c("DECLARE", AS_WRITTEN, "declare"),
    _c("DELETE", TRANSLATED, "r_DELETE", "DELETE table WHERE ... gets its FROM"),
    _c("DESC DATASHARE", REFUSED, "r_DESC_DATASHARE", _NO_DATASHARING),
    _c("DESC IDENTITY PROVIDER", REFUSED, "r_DESC_IDENTITY_PROVIDER"),
    _c("DETACH MASKING POLICY", REFUSED, "r_DETACH_MASKING_POLICY", _NO_POLICIES),
    _c("DETACH RLS POLICY", REFUSED, "r_DETACH_RLS_POLICY", _NO_POLICIES),
    _c("DROP DATABASE", REFUSED, "r_DROP_DATABASE", "one local database per stack"),
    _c("DROP DATASHARE", REFUSED, "r_DROP_DATASHARE", _NO_DATASHARING),
    _c("DROP FUNCTION", AS_WRITTEN, "r_DROP_FUNCTION"),
    _c("DROP GROUP", AS_WRITTEN, "r_DROP_GROUP"),
    _c("DROP IDENTITY PROVIDER", REFUSED, "r_DROP_IDENTITY_PROVIDER"),
    _c("DROP LIBRARY", REFUSED, "r_DROP_LIBRARY"),
    _c("DROP MASKING POLICY", REFUSED, "r_DROP_MASKING_POLICY", _NO_POLICIES),
    _c("DROP MODEL", REFUSED, "r_DROP_MODEL", "no Redshift ML locally"),
    _c("DROP MATERIALIZED VIEW", AS_WRITTEN, "materialized-view-drop-sql-command"),
    _c("DROP PROCEDURE", AS_WRITTEN, "r_DROP_PROCEDURE"),
    _c("DROP RLS POLICY", REFUSED, "r_DROP_RLS_POLICY", _NO_POLICIES),
    _c("DROP ROLE", AS_WRITTEN, "r_DROP_ROLE"),
    _c(
        "DROP SCHEMA",
        EMULATED,
        "r_DROP_SCHEMA",
        "external schemas drop their Glue database with DROP EXTERNAL DATABASE; "
        "that clause is accepted on an absent or local schema",
    ),
    _c("DROP TABLE", EMULATED, "r_DROP_TABLE", "external tables leave the local Glue catalog"),
    _c("DROP USER", AS_WRITTEN, "r_DROP_USER"),
    _c("DROP VIEW", AS_WRITTEN, "r_DROP_VIEW"),
    _c("END", AS_WRITTEN, "r_END"),
    _c("EXECUTE", AS_WRITTEN, "r_EXECUTE"),
    _c("EXPLAIN", AS_WRITTEN, "r_EXPLAIN", "PostgreSQL's plan, not Redshift's"),
    _c("FETCH", AS_WRITTEN, "fetch"),
    _c("GRANT", TRANSLATED, "r_GRANT", _ROLE_GRANTS),
    _c("INSERT", AS_WRITTEN, "r_INSERT_30", "into an external table: refused"),
    _c("LOCK", AS_WRITTEN, "r_LOCK"),
    _c(
        "MERGE",
        TRANSLATED,
        "r_MERGE",
        "PostgreSQL 15's MERGE; REMOVE DUPLICATES becomes a delete of the matches and an "
        "insert; difference left in place: WHEN MATCHED AND <condition>, which Redshift "
        "refuses, runs",
    ),
    _c("PREPARE", AS_WRITTEN, "r_PREPARE"),
    _c("REFRESH MATERIALIZED VIEW", AS_WRITTEN, "materialized-view-refresh-sql-command"),
    _c("RESET", EMULATED, "r_RESET", "Redshift-only settings: see the settings table"),
    _c("REVOKE", TRANSLATED, "r_REVOKE", _ROLE_GRANTS),
    _c("ROLLBACK", AS_WRITTEN, "r_ROLLBACK"),
    _c("SELECT", AS_WRITTEN, "r_SELECT_synopsis", "Redshift syntax and functions translated"),
    _c("SET SESSION AUTHORIZATION", AS_WRITTEN, "r_SET_SESSION_AUTHORIZATION"),
    _c("SET SESSION CHARACTERISTICS", AS_WRITTEN, "r_SET_SESSION_CHARACTERISTICS"),
    _c("SET", EMULATED, "r_SET", "Redshift-only settings: see the settings table"),
    _c("SHOW EXTERNAL TABLE", REFUSED, "r_SHOW_EXTERNAL_TABLE"),
    _c("SHOW DATABASES", REFUSED, "r_SHOW_DATABASES"),
    _c("SHOW MODEL", REFUSED, "r_SHOW_MODEL"),
    _c("SHOW DATASHARES", REFUSED, "r_SHOW_DATASHARES", _NO_DATASHARING),
    _c("SHOW PROCEDURE", REFUSED, "r_SHOW_PROCEDURE"),
    _c("SHOW TABLES", REFUSED, "r_SHOW_TABLES"),
    _c("SHOW TABLE", REFUSED, "r_SHOW_TABLE"),
    _c("SHOW VIEW", REFUSED, "r_SHOW_VIEW"),
    _c("SHOW COLUMNS", REFUSED, "r_SHOW_COLUMNS"),
    _c("SHOW SCHEMAS", REFUSED, "r_SHOW_SCHEMAS"),
    _c("SHOW GRANTS", REFUSED, "r_SHOW_GRANTS"),
    _c("SHOW", AS_WRITTEN, "r_SHOW"),
    _c("START TRANSACTION", AS_WRITTEN, "r_START_TRANSACTION"),
    _c(
        "TRUNCATE",
        AS_WRITTEN,
        "r_TRUNCATE",
        "commits the open transaction, as Redshift: not emulated",
    ),
    _c(
        "UNLOAD",
        EMULATED,
        "r_UNLOAD",
        "to local S3; the query translated like any statement; options in the UNLOAD table",
    ),
    _c(
        "UPDATE",
        AS_WRITTEN,
        "r_UPDATE",
        "difference left in place: a row that several FROM rows match is updated from one of "
        'them, where Redshift fails ("Found multiple matches to update the same tuple"); '
        "telling needs the join run twice",
    ),
    _c(
        "VACUUM",
        EMULATED,
        "r_VACUUM_command",
        "a plain VACUUM runs; with Redshift's options (FULL, SORT ONLY, DELETE ONLY, REINDEX, "
        "RECLUSTER, TO n PERCENT, BOOST) it is accepted with no local effect: they re-sort "
        "rows and reclaim space, which no query result shows",
    ),
    _c("WITH", AS_WRITTEN, "r_WITH_clause"),
)

# VACUUM's Redshift options (a plain VACUUM [table] runs on PostgreSQL as is).
VACUUM_OPTIONS = ("FULL", "SORT", "DELETE", "REINDEX", "RECLUSTER", "BOOST", "TO")
# ANALYZE's column choice (r_ANALYZE.html): which columns Redshift samples, not the result.
ANALYZE_COLUMN_CHOICES = (("PREDICATE", "COLUMNS"), ("ALL", "COLUMNS"))
# CREATE/ALTER SCHEMA ... QUOTA {n [MB | GB | TB] | UNLIMITED} (r_CREATE_SCHEMA.html):
# a storage limit, which the local database does not enforce.
QUOTA_UNITS = ("MB", "GB", "TB")


class Syntax(NamedTuple):
    """Redshift syntax inside statements that PostgreSQL 15 lacks or reads differently."""

    name: str
    status: str
    page: str
    note: str

    @property
    def doc(self) -> str:
        return DOCS + self.page + ".html"


SYNTAX: Tuple[Syntax, ...] = (
    Syntax(
        "#name temporary tables",
        TRANSLATED,
        "r_CREATE_TABLE_NEW",
        'a temporary table named "#name"',
    ),
    Syntax("TOP n", TRANSLATED, "r_TOP_clause", "LIMIT n (sqlglot)"),
    Syntax("QUALIFY", TRANSLATED, "r_QUALIFY_clause", "a filtered subquery (sqlglot)"),
    Syntax("MINUS", TRANSLATED, "r_UNION", "EXCEPT"),
    Syntax(
        "subquery in FROM without an alias",
        TRANSLATED,
        "r_FROM_clause30",
        "an alias is added (PostgreSQL 15 requires one)",
    ),
    Syntax("SYSDATE", TRANSLATED, "r_SYSDATE", "LOCALTIMESTAMP"),
    Syntax(
        "quoted identifiers",
        TRANSLATED,
        "r_names",
        "folded to lower case, as Redshift does by default",
    ),
    Syntax(
        "VARCHAR(MAX), NVARCHAR, TEXT, BPCHAR",
        TRANSLATED,
        "c_Supported_data_types",
        "VARCHAR(65535), VARCHAR, VARCHAR(256), CHAR(256)",
    ),
    Syntax("VARCHAR without a length", TRANSLATED, "r_Character_types", "VARCHAR(256)"),
    Syntax(
        "VARCHAR(n) and CHAR(n) lengths in bytes",
        EMULATED,
        "r_Character_types",
        "a CHECK on octet_length per column, failing with Redshift's message "
        "'value too long for type character varying(n)'",
    ),
    Syntax(
        "trailing blanks in character comparisons",
        EMULATED,
        "r_Character_types",
        "=, <>, <, <=, >, >= ignore trailing blanks (compat operators); GROUP BY, DISTINCT "
        "and UNION still tell 'a' from 'a ' (PostgreSQL's default text equality)",
    ),
    Syntax("+ on strings", EMULATED, "r_concat_op", "concatenation (compat operator)"),
    Syntax(
        "row comparisons: (a, b) IN ((x, y), ...) and (a, b) = (x, y)",
        TRANSLATED,
        "r_expression_lists",
        "spelt out as ANDs and ORs of the columns' comparisons; (a, b) IN (subquery) runs "
        "as written, with PostgreSQL's trailing-blank rule",
    ),
    Syntax(
        "numbers and datetimes in string functions and LIKE",
        EMULATED,
        "r_REPEAT",
        "converted to text, as Redshift converts them implicitly",
    ),
    Syntax("BOOLEAN = 1 / 0", EMULATED, "r_Boolean_type", "compared as true / false"),
    Syntax(
        "WITH NO SCHEMA BINDING",
        TRANSLATED,
        "r_CREATE_VIEW",
        "removed: the view is bound at creation, so dropping a table it reads needs CASCADE",
    ),
    Syntax("DELETE table WHERE", TRANSLATED, "r_DELETE", "DELETE FROM table WHERE"),
    Syntax(
        "MERGE ... REMOVE DUPLICATES",
        TRANSLATED,
        "r_MERGE",
        "delete the matches, insert the source",
    ),
    Syntax("UNLOAD ($$query$$)", TRANSLATED, "r_UNLOAD", "the dollar-quoted query as a string"),
    Syntax(
        "table attributes in stored procedures",
        TRANSLATED,
        "r_CREATE_PROCEDURE",
        "the CREATE TABLE statements of a procedure body are rewritten like top-level ones",
    ),
    Syntax(
        "COPY or UNLOAD in a stored procedure",
        REFUSED,
        "stored-procedure-create",
        "the local database cannot reach the local S3; COPY and UNLOAD run as statements of "
        "the SQL file",
    ),
    Syntax(
        "NONATOMIC stored procedures",
        REFUSED,
        "stored-procedure-trapping-errors",
        "NONATOMIC mode (each statement commits; CONTINUE_HANDLER) has no PostgreSQL counterpart",
    ),
    Syntax("IDENTITY(seed, step)", TRANSLATED, "r_CREATE_TABLE_NEW", "GENERATED ... AS IDENTITY"),
    Syntax(
        "informational constraints",
        TRANSLATED,
        "t_Defining_constraints",
        "PRIMARY KEY, UNIQUE and FOREIGN KEY dropped (Redshift does not enforce them)",
    ),
    Syntax("PIVOT / UNPIVOT", REFUSED, "r_FROM_clause-pivot-unpivot-examples", "not emulated"),
    Syntax(
        "IGNORE NULLS in window functions",
        REFUSED,
        "r_WF_first_value",
        "PostgreSQL 15 has no IGNORE NULLS (RESPECT NULLS, the default, is accepted)",
    ),
    Syntax(
        "Redshift system tables and views (STL_, STV_, SVL_, SVV_, SYS_, PG_TABLE_DEF...)",
        REFUSED,
        "cm_chap_system-tables",
        "the local database has PostgreSQL's catalog only",
    ),
    Syntax(
        "subqueries in a multi-row VALUES list",
        EMULATED,
        "c_Examples_of_INSERT_30",
        "refused as Redshift refuses them (PostgreSQL would accept them)",
    ),
    Syntax(
        "SUPER, GEOMETRY, GEOGRAPHY, HLLSKETCH, VARBYTE types",
        REFUSED,
        "c_Supported_data_types",
        "not emulated",
    ),
    Syntax("COLLATE CASE_INSENSITIVE", REFUSED, "r_CREATE_TABLE_NEW", "not emulated"),
    Syntax(
        "GROUP BY / DISTINCT of values differing in trailing blanks",
        AS_WRITTEN,
        "r_Character_types",
        "difference left in place: grouped apart locally, together on Redshift",
    ),
    Syntax(
        "numeric division and AVG of DECIMAL",
        AS_WRITTEN,
        "r_numeric_computations201",
        "difference left in place: PostgreSQL keeps more fractional digits than Redshift's "
        "result scale",
    ),
)

# Redshift's system tables and views: not emulated (the local stack has PostgreSQL's
# catalog, not Redshift's), so a query reading one is refused by name. STL_/STV_ are
# logs and snapshots, SVL_/SVV_/SVCS_ views over them, SYS_ the monitoring views.
# https://docs.aws.amazon.com/redshift/latest/dg/cm_chap_system-tables.html
SYSTEM_TABLE_PREFIXES = ("stl_", "stv_", "svl_", "svv_", "svcs_", "sys_", "stcs_")
SYSTEM_VIEWS = frozenset(
    {
        "pg_table_def", "pg_user_info", "pg_external_schema", "pg_library",
        "pg_statistic_indicator", "pg_attribute_info", "pg_class_info", "pg_database_info",
        "pg_default_acl", "pg_namespace_info", "pg_proc_info",
    }
)  # fmt: skip
SYSTEM_TABLES_DOC = DOCS + "cm_chap_system-tables.html"
# System tables the emulation provides (the names a system-table check lets through).
EMULATED_SYSTEM_TABLES: frozenset = frozenset(load_history.SYSTEM_TABLES)


def is_system_table(name: str) -> bool:
    lowered = name.lower()
    if lowered in EMULATED_SYSTEM_TABLES:
        return False
    return lowered in SYSTEM_VIEWS or lowered.startswith(SYSTEM_TABLE_PREFIXES)


# Session settings applied on connect so PostgreSQL reads and prints like Redshift:
# backslash escapes in '...' literals (Redshift keeps PostgreSQL 8's string rules), ISO
# dates, UTC, and Redshift's float output digits.
SESSION_DEFAULTS: Tuple[Tuple[str, str, str], ...] = (
    ("standard_conforming_strings", "off", DOCS + "r_Literals.html"),
    ("escape_string_warning", "off", DOCS + "r_Literals.html"),
    ("DateStyle", "ISO, MDY", DOCS + "r_datestyle.html"),
    ("TimeZone", "UTC", DOCS + "r_timezone_config.html"),
    ("extra_float_digits", "0", DOCS + "r_extra_float_digits.html"),
)

# Redshift-only session settings that label or tune work without changing results:
# SET/RESET of these is accepted locally and has no effect.
ACCEPTED_SETTINGS: Dict[str, str] = {
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
REFUSED_SETTINGS: Dict[str, str] = {
    "enable_case_sensitive_identifier": DOCS + "r_enable_case_sensitive_identifier.html",
    "enable_case_sensitive_super_attribute": DOCS + "r_enable_case_sensitive_super_attribute.html",
    "json_parse_truncate_strings": DOCS + "r_json_parse_truncate_strings.html",
    "datashare_break_glass_session_var": DOCS + "r_datashare_break_glass_session_var.html",
}
SEARCH_PATH_DOC = DOCS + "r_search_path.html"


def command_of(lead: Tuple[str, ...]) -> "Command | None":
    """The command row whose words start `lead` (upper-case leading keywords), longest first."""
    best = None
    for command in _BY_FIRST_WORD.get(lead[0] if lead else "", ()):
        n = len(command.words)
        if lead[:n] == command.words and (best is None or n > len(best.words)):
            best = command
    return best


REFUSED_COMMANDS: Tuple[Command, ...] = tuple(c for c in COMMANDS if c.status == REFUSED)
_BY_FIRST_WORD: Dict[str, List[Command]] = {}
for _command in COMMANDS:
    _BY_FIRST_WORD.setdefault(_command.words[0], []).append(_command)
