"""What Redshift remembers about COPY, so SQL written against it runs locally:
STL_LOAD_ERRORS and SYS_LOAD_ERROR_DETAIL (the rows a COPY rejected), and
PG_LAST_COPY_COUNT() / PG_LAST_COPY_ID() (the session's last COPY).

They live in the schema SCHEMA, which the adapter appends to every session's
search_path, so `select * from stl_load_errors` and `select pg_last_copy_count()`
resolve as on Redshift. Both views read one table, load_errors, with the columns each
view shows (Redshift's names and types):
https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html
https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_ERROR_DETAIL.html
https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_COUNT.html
https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_ID.html

The session's last COPY is kept in two custom settings (set_config), so a COPY rolled
back with its transaction leaves the previous values, as on Redshift. One difference:
Redshift writes load errors outside the transaction; here a COPY that fails inside a
BEGIN block writes them in that block, so the block's rollback removes them (the
error message still names the first rejected line). A COPY outside a block, the usual
case, keeps them.
"""

from typing import Any, List, NamedTuple

from . import pgcopy
from .words import literal

SCHEMA = "sqlrunner_system"
LAST_COUNT = "sqlrunner.last_copy_count"
LAST_ID = "sqlrunner.last_copy_id"
DOC = "https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html"
# What this module gives a session, by the names Redshift users query them by.
SYSTEM_TABLES = ("stl_load_errors", "sys_load_error_detail")
FUNCTIONS = ("pg_last_copy_count", "pg_last_copy_id")

_DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"CREATE SEQUENCE {SCHEMA}.query_ids",
    f"CREATE TABLE {SCHEMA}.load_errors ("
    " userid integer, slice integer, tbl integer, starttime timestamp, session integer,"
    " query integer, transaction_id bigint, database_name character(64),"
    " filename character(256), line_number bigint, colname character(127),"
    " type character(10), col_length character(10), position integer,"
    " raw_line character(1024), raw_field_value character(1024), err_code integer,"
    " err_reason character(512), is_partial integer, start_offset bigint,"
    " copy_job_id bigint)",
    f"CREATE VIEW {SCHEMA}.stl_load_errors AS SELECT userid, slice, tbl, starttime, session,"
    " query, filename, line_number, colname, type, col_length, position, raw_line,"
    " raw_field_value, err_code, err_reason::character(100) AS err_reason, is_partial,"
    f" start_offset, copy_job_id FROM {SCHEMA}.load_errors",
    f"CREATE VIEW {SCHEMA}.sys_load_error_detail AS SELECT userid AS user_id,"
    " query::bigint AS query_id, transaction_id, session AS session_id, database_name,"
    " tbl AS table_id, starttime AS start_time, filename AS file_name, line_number,"
    " colname AS column_name, type AS column_type, col_length AS column_length, position,"
    f" err_code AS error_code, err_reason AS error_message FROM {SCHEMA}.load_errors",
    f"CREATE FUNCTION {SCHEMA}.pg_last_copy_count() RETURNS bigint LANGUAGE sql STABLE AS"
    f" $$ SELECT coalesce(nullif(current_setting('{LAST_COUNT}', true), ''), '0')::bigint $$",
    f"CREATE FUNCTION {SCHEMA}.pg_last_copy_id() RETURNS integer LANGUAGE sql STABLE AS"
    f" $$ SELECT coalesce(nullif(current_setting('{LAST_ID}', true), ''), '-1')::integer $$",
)


class Rejected(NamedTuple):
    """One row of STL_LOAD_ERRORS."""

    filename: str
    line_number: int
    colname: str
    type: str
    col_length: str
    position: int
    raw_line: str
    raw_field_value: str
    err_code: int
    err_reason: str


def ensure(db: Any) -> None:
    if _installed(db):
        return
    with pgcopy.transaction(db, SCHEMA):
        if not _installed(db):
            for ddl in _DDL:
                db.query(ddl)


def _installed(db: Any) -> bool:
    found = db.fetch(
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        f" WHERE n.nspname = {literal(SCHEMA)} AND c.relname = 'load_errors'"
    )
    return bool(found)


def start(db: Any) -> int:
    """A new COPY's query id, made the session's last one (pg_last_copy_id)."""
    copy_id = int(db.fetch(f"SELECT nextval('{SCHEMA}.query_ids')")[0][0])
    db.query(f"SELECT set_config('{LAST_ID}', '{copy_id}', false)")
    return copy_id


def finish(db: Any, rows: int) -> None:
    """pg_last_copy_count(): rows loaded by the last COPY, 0 if it failed."""
    db.query(f"SELECT set_config('{LAST_COUNT}', '{int(rows)}', false)")


def record(db: Any, copy_id: int, table_oid: int, started: str, rejected: List[Rejected]) -> None:
    if not rejected:
        return
    rows = ", ".join(
        "("
        + ", ".join(
            (
                "(SELECT oid::integer FROM pg_roles WHERE rolname = current_user)",
                "0",
                str(table_oid),
                f"{literal(started)}::timestamp",
                "pg_backend_pid()",
                str(copy_id),
                "txid_current()",
                "current_database()",
                literal(r.filename),
                str(r.line_number),
                literal(r.colname),
                literal(r.type[:10]),
                literal(r.col_length[:10]),
                str(r.position),
                literal(_dotted(r.raw_line)[:1024]),
                literal(_dotted(r.raw_field_value)[:1024]),
                str(r.err_code),
                literal(r.err_reason[:512]),
                "0",
                "0",
                "0",
            )
        )
        + ")"
        for r in rejected
    )
    db.query(f"INSERT INTO {SCHEMA}.load_errors VALUES {rows}")


def _dotted(text: str) -> str:
    """Multibyte characters of the load data shown as periods (r_STL_LOAD_ERRORS.html)."""
    return "".join(ch if ord(ch) < 128 else "." for ch in text)
