"""The bad-input catalogue: every way we tried to feed the kit garbage, as one table.

Each case is run by tests/reliability/test_bad_input.py through the real entry point a
user would use (the `sqlrunner` CLI, the Glue entry script `glue_job/run_sql.py`, the
spec generator `python -m infra.asl`) as a subprocess, and must end with a non-zero
exit, an error naming the culprit (`names`, a fragment of stderr), no traceback, and no
change to any table, S3 object or output file.

Placeholders in `argv` and `names`, filled per case at run time:
    {db} {secret} {bucket} {key}   the runner's arguments (the case's own secret and key)
    {location}                     s3://{bucket}/{key}, how the runner names the file
    {path}                         the local SQL file (split/render)
    {redshift_secret}              a secret like {secret} but with engine redshift
    {junk}                         a local file that is not a certificate bundle
    {spec}                         the pipeline.yaml path (spec cases)

Bad SQL starts with a statement that would change a table (`INSERT INTO canary ...`), so a
check that ran too late would show as a changed snapshot, not pass silently.

`python -m tests.reliability.catalogue` prints the table as Markdown for the README.
The exit code says the failure class (2 bad_input, 1 permanent, 3 transient), which the
runner's last stderr line also names: `(failure: <class>)`.
"""

from __future__ import annotations

import base64
import json
import sys
from dataclasses import dataclass

CANARY_PASSWORD = "reliabCanaryPw-5b1e0c"
# The runner's exit codes (sqlrunner.errors.EXIT_CODES, inverted for the table).
FAILURE_CLASSES = {2: "bad_input", 1: "permanent", 3: "transient"}


@dataclass(frozen=True)
class Generated:
    """SQL made at run time: `lines` copies of a valid INSERT, then `tail`."""

    lines: int
    tail: str

    ROW = "INSERT INTO canary (note) VALUES ('row of a very large file; still fine');\n"

    def render(self) -> bytes:
        return (self.ROW * self.lines + self.tail).encode()

    @property
    def description(self) -> str:
        size = len(self.ROW) * self.lines + len(self.tail)
        return f"{size / 2**20:.0f} MB: {self.lines:,} INSERTs, then `{self.tail.strip()}`"


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    tool: str  # run | glue | split | render | cli | spec
    input: str  # what the table shows
    exit: int
    names: str  # stderr fragment that names the culprit
    sql: str | bytes | Generated | None = None
    params: str | None = None
    argv: tuple[str, ...] | None = None  # replaces the tool's default arguments
    secret: str | bytes | None = None  # str: SecretString, bytes: SecretBinary
    spec: str | None = None


BIG = Generated(700_000, "SELECT 'never closed\n")
CANARY = "INSERT INTO canary (note) VALUES ('should never land');\n"
P_DATE = "-- @param d date\nINSERT INTO canary (note) VALUES ('${d}');\n"
P_INT = "-- @param n integer\nINSERT INTO canary (note) VALUES ('n=' || ${n});\n"
P_IDENT = "-- @param t identifier\nINSERT INTO ${t} (note) VALUES ('ident');\n"
P_URI = "-- @param u s3_uri\nINSERT INTO canary (note) VALUES ('${u}');\n"
GOOD_SECRET = {
    "engine": "postgres",
    "host": "127.0.0.1",
    "port": 5432,
    "username": "postgres",
    "password": CANARY_PASSWORD,
}


def _secret(**changes: object) -> str:
    fields = {**GOOD_SECRET, **changes}
    return json.dumps({key: value for key, value in fields.items() if value is not _DROP})


_DROP = object()

SPEC_OK = """\
name: bad_probe
schedule: "0 3 * * *"
scheduler: airflow
start_date: 2024-01-01
params:
  run_date: {type: date, from: data_interval_start}
steps:
  - {id: make_table, file: make_table.sql}
  - {id: load_day, file: load_day.sql, params: [run_date]}
"""


def _spec(old: str, new: str) -> str:
    assert old in SPEC_OK, old
    return SPEC_OK.replace(old, new)


S = "malformed SQL"
P = "parameter attack"
A = "runner arguments"
C = "CLI arguments"
Y = "pipeline spec"
K = "secret"

CASES: tuple[Case, ...] = (
    # ---------------------------------------------------------------- malformed SQL
    Case("sql-unterminated-quote", S, "run", "`SELECT 'abc` (no closing quote)", 2,
         "{location}:2:8: unterminated quoted string", sql=CANARY + "SELECT 'abc;\n"),
    Case("sql-unterminated-identifier", S, "run", '`SELECT "col` (no closing double quote)', 2,
         '{location}:2:8: unterminated quoted identifier (")', sql=CANARY + 'SELECT "col;\n'),
    Case("sql-unterminated-comment", S, "run", "`SELECT 1 /* never closed`", 2,
         "{location}:2:10: unterminated block comment (/*)", sql=CANARY + "SELECT 1 /* x;\n"),
    Case("sql-nested-comment-unclosed", S, "run", "`/* outer /* inner */` (outer never closed)", 2,
         "{location}:2:1: unterminated block comment (/*)",
         sql=CANARY + "/* outer /* inner */ SELECT 1;\n"),
    Case("sql-unterminated-dollar", S, "run", "`SELECT $$body;` (no closing `$$`)", 2,
         "{location}:2:8: unterminated dollar-quoted string ($$)",
         sql=CANARY + "SELECT $$body;\n"),
    Case("sql-mismatched-dollar-tag", S, "run", "`$fn$ ... $$` (tag never closed)", 2,
         "{location}:2:8: unterminated dollar-quoted string ($fn$)",
         sql=CANARY + "SELECT $fn$ body $$;\n"),
    Case("sql-escape-string-unclosed", S, "run", r"`E'abc\'` (escaped quote eats the end)", 2,
         "{location}:2:9: unterminated quoted string", sql=CANARY + "SELECT E'abc\\';\n"),
    Case("sql-backslash-quote", S, "run", r"`'it\'s` (Redshift backslash escape, unclosed)", 2,
         "{location}:2:8: unterminated quoted string", sql=CANARY + "SELECT 'it\\'s;\n"),
    Case("sql-binary-garbage", S, "run", "binary bytes with NULs (a gzip header)",2,
         "{location} contains NUL bytes: not a SQL text file",
         sql=b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(range(256))),
    Case("sql-not-utf8", S, "run", "Latin-1 text (`café` as byte 0xE9)",2,
         "{location} is not UTF-8 text (invalid byte at offset 67)",
         sql=CANARY.encode() + b"SELECT 'caf\xe9';\n"),
    Case("sql-empty", S, "run", "an empty file",2,
         "{location} contains no SQL statements", sql=""),
    Case("sql-only-comments", S, "run", "only `--` and `/* */` comments",2,
         "{location} contains no SQL statements",
         sql="-- nothing here;\n/* nor; here */\n-- the end\n"),
    Case("sql-only-semicolons", S, "run", "only `;` and blank lines",2,
         "{location} contains no SQL statements", sql=";\n\n ; ;\n"),
    Case("sql-50mb-unterminated", S, "run", BIG.description,
         2, "{location}:700001:8: unterminated quoted string",
         sql=BIG),
    Case("sql-block-never-committed", S, "run", "`BEGIN; INSERT ...;` and no COMMIT", 1,
         "{location}:1: statement 1: transaction block opened by statement 1 (line 1) is never "
         "committed; rolled back", sql="BEGIN;\n" + CANARY),
    Case("sql-serializable-block-never-committed", S, "run",
         "`BEGIN ISOLATION LEVEL SERIALIZABLE; INSERT ...;` and no COMMIT", 1,
         "{location}:1: statement 1: transaction block opened by statement 1 (line 1) is never "
         "committed; rolled back", sql="BEGIN ISOLATION LEVEL SERIALIZABLE;\n" + CANARY),
    Case("sql-start-transaction-read-write-open", S, "run",
         "`START TRANSACTION READ WRITE; INSERT ...;` and no COMMIT", 1,
         "{location}:1: statement 1: transaction block opened by statement 1 (line 1) is never "
         "committed; rolled back", sql="START TRANSACTION READ WRITE;\n" + CANARY),
    Case("sql-failure-inside-block", S, "run", "`BEGIN; INSERT; INSERT INTO missing; COMMIT;`", 1,
         '{location}:3: statement 3: relation "no_such_table" does not exist',
         sql="BEGIN;\n" + CANARY + "INSERT INTO no_such_table VALUES (1);\nCOMMIT;\n"),
    Case("sql-check-after-last-statement", S, "run", "`-- @check` after the last statement", 2,
         "{location}:2: -- @check dangling is after the last statement",
         sql=CANARY + "-- @check dangling\n"),
    Case("sql-check-not-a-query", S, "run", "`-- @check` before an INSERT", 2,
         "{location}:2: statement 1: check not_a_query must be a query",
         sql="-- @check not_a_query\n" + CANARY),
    Case("sql-check-fails", S, "run", "a `-- @check` query that returns rows, in a block", 1,
         "{location}:4: statement 3: check canary_empty failed: 1 row(s) returned (no canary "
         "rows); first: note=should never land",
         sql="BEGIN;\n" + CANARY + "-- @check canary_empty: no canary rows\n"
         "SELECT DISTINCT note FROM canary WHERE note = 'should never land';\nCOMMIT;\n"),
    Case("sql-owns-whole-bucket", S, "run", "`-- @owns s3://bucket/` (a whole bucket)", 2,
         "{location}:1: @owns 's3://reliability-owned/' must be an s3://bucket/prefix/ URI",
         sql="-- @owns s3://reliability-owned/\n" + CANARY),
    # ---------------------------------------------------------------- parameter attacks
    Case("param-quote-injection", P, "run", """d = `2015-06-01'); DROP TABLE canary; --`""", 2,
         "{location}:1: value of parameter 'd' is not a date YYYY-MM-DD", sql=P_DATE,
         params=json.dumps({"d": "2015-06-01'); DROP TABLE canary; --"})),
    Case("param-semicolon", P, "run", "d = `2015-06-01;`", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": "2015-06-01;"})),
    Case("param-comment-marker", P, "run", "d = `2015-06-01--`", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": "2015-06-01--"})),
    Case("param-block-comment", P, "run", "d = `2015/*x*/-06-01`", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": "2015/*x*/-06-01"})),
    Case("param-fullwidth-digits", P, "run", "d = `２０１５-06-01` (full-width digits)", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": "２０１５-06-01"}, ensure_ascii=False)),
    Case("param-unicode-hyphen", P, "run", "d = `2015‐06‐01` (U+2010 hyphens)", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": "2015\u201006\u201001"}, ensure_ascii=False)),
    Case("param-cyrillic-identifier", P, "run", "t = `сanary` (Cyrillic с)", 2,
         "{location}:1: value of parameter 't' is not an unquoted identifier", sql=P_IDENT,
         params=json.dumps({"t": "\u0441anary"}, ensure_ascii=False)),
    Case("param-identifier-injection", P, "run", """t = `canary" ; DROP TABLE canary; --`""", 2,
         "{location}:1: value of parameter 't' is not an unquoted identifier", sql=P_IDENT,
         params=json.dumps({"t": 'canary" ; DROP TABLE canary; --'})),
    Case("param-identifier-too-long", P, "run", "t = 200 letters (limit 127 per part)", 2,
         "{location}:1: value of parameter 't' is not an unquoted identifier", sql=P_IDENT,
         params=json.dumps({"t": "a" * 200})),
    Case("param-identifier-four-parts", P, "run", "t = `a.b.c.d`", 2,
         "{location}:1: value of parameter 't' is not an unquoted identifier", sql=P_IDENT,
         params=json.dumps({"t": "a.b.c.d"})),
    Case("param-s3-uri-comment", P, "run", "u = `s3://bucket/a--b`", 2,
         "{location}:1: value of parameter 'u' is not an s3://bucket/key URI", sql=P_URI,
         params=json.dumps({"u": "s3://bucket/a--b"})),
    Case("param-s3-uri-quote", P, "run", "u = `s3://bucket/a'b`", 2,
         "{location}:1: value of parameter 'u' is not an s3://bucket/key URI", sql=P_URI,
         params=json.dumps({"u": "s3://bucket/a'b"})),
    Case("param-s3-uri-too-long", P, "run", "u = 2,000-character key", 2,
         "{location}:1: value of parameter 'u' is not an s3://bucket/key URI", sql=P_URI,
         params=json.dumps({"u": "s3://bucket/" + "k" * 2000})),
    Case("param-minus-before-negative", P, "run",
         "n = -5 in `... WHERE note <> '' -${n} AND ...` (would be `--5`, a comment)", 2,
         "{location}:2: value of parameter 'n' would change the statement's structure",
         sql="-- @param n integer\n"
         "DELETE FROM canary WHERE length(note) > 0 -${n} AND note = 'none';\n",
         params=json.dumps({"n": -5})),
    Case("param-identifier-closes-dollar-body", P, "run",
         "t = `a$$b` inside a `$$` function body", 2,
         "{location}:3: value of parameter 't' would change the statement's structure",
         sql="-- @param t identifier\nCREATE FUNCTION canary_count() RETURNS bigint AS $$\n"
         "  SELECT count(*) FROM ${t}\n$$ LANGUAGE sql;\n",
         params=json.dumps({"t": "a$$b"})),
    Case("param-s3-uri-opens-comment", P, "run", "u = `s3://bucket/x/` in `/*${u}*/`", 2,
         "{location}:2: value of parameter 'u' would change the statement's structure",
         sql="-- @param u s3_uri\nINSERT INTO canary (note) VALUES ('x') /*${u}*/;\n",
         params=json.dumps({"u": "s3://bucket/x/"})),
    Case("param-identifier-reserved-word", P, "run", "t = `TRUE`", 2,
         "{location}:1: value of parameter 't' is not an unquoted identifier", sql=P_IDENT,
         params=json.dumps({"t": "TRUE"})),
    Case("param-identifier-public", P, "run", "t = `PUBLIC` (every user, in GRANT)", 2,
         "'PUBLIC' names every user", sql=P_IDENT, params=json.dumps({"t": "PUBLIC"})),
    Case("param-identifier-current-user", P, "run", "t = `current_user`", 2,
         "'current_user' is a reserved word", sql=P_IDENT,
         params=json.dumps({"t": "current_user"})),
    Case("param-identifier-catalog-table", P, "run", "t = `pg_catalog.pg_user`", 2,
         "'pg_catalog' is a system schema", sql=P_IDENT,
         params=json.dumps({"t": "pg_catalog.pg_user"})),
    Case("param-identifier-system-table", P, "run", "t = `stl_query`", 2,
         "'stl_query' has a system table prefix", sql=P_IDENT,
         params=json.dumps({"t": "stl_query"})),
    Case("param-integer-minus-zero", P, "run", "n = `-0` (one spelling per value: `0`)", 2,
         "{location}:1: value of parameter 'n' is not a 64-bit integer", sql=P_INT,
         params=json.dumps({"n": "-0"})),
    Case("param-integer-overflow", P, "run", "n = `9223372036854775808` (2^63)", 2,
         "{location}:1: value of parameter 'n' is not a 64-bit integer", sql=P_INT,
         params=json.dumps({"n": "9223372036854775808"})),
    Case("param-integer-expression", P, "run", "n = `1 OR 1=1`", 2,
         "{location}:1: value of parameter 'n' is not a 64-bit integer", sql=P_INT,
         params=json.dumps({"n": "1 OR 1=1"})),
    Case("param-float-for-integer", P, "run", "n = `1.5` (JSON number)", 2,
         "{location}:1: value of parameter 'n' is not a 64-bit integer", sql=P_INT,
         params=json.dumps({"n": 1.5})),
    Case("param-bool-for-integer", P, "run", "n = `true`", 2,
         "{location}:1: value of parameter 'n' is not a 64-bit integer", sql=P_INT,
         params=json.dumps({"n": True})),
    Case("param-number-for-date", P, "run", "d = `20150601` (JSON number)", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": 20150601})),
    Case("param-null", P, "run", "d = `null`", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": None})),
    Case("param-list", P, "run", 'd = `["2015-06-01"]`', 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": ["2015-06-01"]})),
    Case("param-impossible-date", P, "run", "d = `2015-02-30`", 2,
         "{location}:1: value of parameter 'd' is not a date", sql=P_DATE,
         params=json.dumps({"d": "2015-02-30"})),
    Case("param-extra", P, "run", 'an undeclared extra `{"x": 1}`', 2,
         "{location}: parameter(s) 'x' given but not declared (declared: d)", sql=P_DATE,
         params=json.dumps({"d": "2015-06-01", "x": 1})),
    Case("param-missing", P, "run", "`{}` for a file that needs d", 2,
         "{location}:1: parameter 'd' (date) has no value and no default", sql=P_DATE,
         params="{}"),
    Case("param-not-json", P, "run", "--params `{d: 1}`", 2,
         "--params is not valid JSON", sql=P_DATE, params="{d: 1}"),
    Case("param-json-array", P, "run", '--params `["2015-06-01"]`', 2,
         "--params must be a JSON object", sql=P_DATE, params='["2015-06-01"]'),
    Case("param-duplicate-key", P, "run", '--params `{"d": "2015-06-01", "d": "2015-06-02"}`', 2,
         "--params gives parameter 'd' twice", sql=P_DATE,
         params='{"d": "2015-06-01", "d": "2015-06-02"}'),
    Case("param-deep-nesting", P, "run", "--params nested 20,000 arrays deep", 2,
         "--params is nested too deeply", sql=P_DATE,
         params='{"d": ' + "[" * 20_000 + "]" * 20_000 + "}"),
    Case("param-undeclared-placeholder", P, "run",
         "`${e}` in the 2nd statement, only d declared", 2,
         "{location}:3: placeholder ${{e}} is not declared with -- @param",
         sql="-- @param d date\n" + CANARY + "INSERT INTO canary (note) VALUES ('${e}');\n",
         params=json.dumps({"d": "2015-06-01"})),
    Case("param-unclosed-placeholder", P, "run", "`${d` without `}` in the 2nd statement", 2,
         "{location}:3: unclosed placeholder",
         sql="-- @param d date\n" + CANARY + "SELECT '${d';\n",
         params=json.dumps({"d": "2015-06-01"})),
    Case("param-declared-late", P, "run", "`-- @param` after the first statement", 2,
         "{location}:2: @param declarations belong in the header comment",
         sql=CANARY + "-- @param d date\n", params=json.dumps({"d": "2015-06-01"})),
    Case("param-unknown-type", P, "run", "`-- @param d float`", 2,
         "{location}:1: parameter 'd' has unknown type 'float'",
         sql="-- @param d float\n" + CANARY, params=json.dumps({"d": "1.5"})),
    # ---------------------------------------------------------------- runner arguments
    Case("args-missing-bucket-glue", A, "glue", "Glue entry without `--bucket`", 2,
         "the following arguments are required: --bucket", sql=CANARY,
         argv=("--db", "{db}", "--db_creds", "{secret}", "--file", "{key}")),
    Case("args-empty-db", A, "glue", "`--db ''`", 2, "argument --db must not be empty",
         sql=CANARY,
         argv=("--db", "", "--db_creds", "{secret}", "--bucket", "{bucket}", "--file", "{key}")),
    Case("args-file-not-in-s3", A, "glue", "`--file` key that is not in the bucket", 1,
         "s3://{bucket}/sql/bad/no-such-file.sql does not exist (--file)",
         argv=("--db", "{db}", "--db_creds", "{secret}", "--bucket", "{bucket}",
               "--file", "sql/bad/no-such-file.sql")),
    Case("args-wrong-bucket", A, "glue", "`--bucket` that does not exist", 1,
         "bucket 'reliability-no-such-bucket' does not exist (--bucket)",
         argv=("--db", "{db}", "--db_creds", "{secret}", "--bucket",
               "reliability-no-such-bucket", "--file", "{key}")),
    Case("args-unknown-secret", A, "glue", "`--db_creds` naming no secret", 1,
         "secret 'reliability/no-such-secret' does not exist (--db_creds)", sql=CANARY,
         argv=("--db", "{db}", "--db_creds", "reliability/no-such-secret", "--bucket",
               "{bucket}", "--file", "{key}")),
    Case("args-unknown-database", A, "glue", "`--db` naming no database", 1,
         'database "reliability_no_such_db" does not exist', sql=CANARY,
         argv=("--db", "reliability_no_such_db", "--db_creds", "{secret}", "--bucket",
               "{bucket}", "--file", "{key}")),
    Case("args-bad-timeout", A, "run", "`--statement_timeout 10s`", 2,
         "--statement_timeout must be a whole number of milliseconds", sql=CANARY,
         argv=("--db", "{db}", "--db_creds", "{secret}", "--bucket", "{bucket}",
               "--file", "{key}", "--statement_timeout", "10s")),
    Case("args-run-missing-required", A, "run", "`sqlrunner run --db x` only", 2,
         "the following arguments are required: --db_creds, --file", argv=("--db", "x")),
    Case("args-sslrootcert-not-pem", A, "glue", "`--sslrootcert` a file that holds no certificate", 2,
         "--sslrootcert {junk} holds no PEM certificate",
         sql=CANARY, argv=("--db", "{db}", "--db_creds", "{redshift_secret}", "--bucket",
                           "{bucket}", "--file", "{key}", "--sslrootcert", "{junk}")),
    Case("args-sslrootcert-missing", A, "glue", "`--sslrootcert` naming no file", 2,
         "--sslrootcert /no/such/bundle.pem: No such file or directory",
         sql=CANARY, argv=("--db", "{db}", "--db_creds", "{redshift_secret}", "--bucket",
                           "{bucket}", "--file", "{key}", "--sslrootcert", "/no/such/bundle.pem")),
    Case("args-sslrootcert-local-engine", A, "glue", "`--sslrootcert` with engine postgres", 2,
         "--sslrootcert applies to engine redshift; this secret's engine is postgres",
         sql=CANARY, argv=("--db", "{db}", "--db_creds", "{secret}", "--bucket", "{bucket}",
                           "--file", "{key}", "--sslrootcert", "/no/such/bundle.pem")),
    # ---------------------------------------------------------------- CLI arguments
    Case("cli-no-command", C, "cli", "`sqlrunner` alone", 2,
         "the following arguments are required: {{run,split,render,check}}", argv=()),
    Case("cli-unknown-command", C, "cli", "`sqlrunner frobnicate`", 2,
         "invalid choice: 'frobnicate'", argv=("frobnicate",)),
    Case("cli-split-no-file", C, "cli", "`sqlrunner split` without FILE", 2,
         "the following arguments are required: file", argv=("split",)),
    Case("cli-split-missing-file", C, "cli", "`sqlrunner split /no/such.sql`", 1,
         "cannot read /no/such.sql: No such file or directory", argv=("split", "/no/such.sql")),
    Case("cli-split-unterminated", C, "split", "`sqlrunner split` of `SELECT $x$`", 2,
         "{path}:1:8: unterminated dollar-quoted string ($x$)", sql="SELECT $x$ never closed"),
    Case("cli-render-bad-value", C, "render", "`sqlrunner render` with d = `yesterday`", 2,
         "{path}:1: value of parameter 'd' is not a date YYYY-MM-DD", sql=P_DATE,
         params=json.dumps({"d": "yesterday"})),
    # ---------------------------------------------------------------- pipeline specs
    Case("spec-unknown-step-file", Y, "spec", "a step whose file does not exist", 2,
         "{spec}: steps[1].file: load_day_typo.sql does not exist next to the spec",
         spec=_spec("file: load_day.sql", "file: load_day_typo.sql")),
    Case("spec-duplicate-step-id", Y, "spec", "two steps with id `make_table`", 2,
         "{spec}: steps[1].id: duplicate step id 'make_table'",
         spec=_spec("id: load_day", "id: make_table")),
    Case("spec-schedule-six-fields", Y, "spec", 'schedule `"0 0 3 * * *"`', 2,
         "{spec}: schedule: '0 0 3 * * *' must be a 5-field cron",
         spec=_spec('"0 3 * * *"', '"0 0 3 * * *"')),
    Case("spec-schedule-out-of-range", Y, "spec", 'schedule `"61 3 * * *"`', 2,
         "{spec}: schedule: minute value 61 is outside 0-59",
         spec=_spec('"0 3 * * *"', '"61 3 * * *"')),
    Case("spec-schedule-words", Y, "spec", "schedule `daily`", 2,
         "{spec}: schedule: 'daily' must be a 5-field cron", spec=_spec('"0 3 * * *"', "daily")),
    Case("spec-param-type-float", Y, "spec", "param type `float`", 2,
         "{spec}: params.run_date.type: 'float' must be one of date, timestamp",
         spec=_spec("{type: date, from", "{type: float, from")),
    Case("spec-retries-string", Y, "spec", "`retries: two`", 2,
         "{spec}: retries: 'two' must be an integer from 0 to 10",
         spec=SPEC_OK + "retries: two\n"),
    Case("spec-retries-outlast-timeout", Y, "spec",
         "`retries: 3`, 5 min apart, doubling, in a 30-minute step", 2,
         "{spec}: retries: 3 retries wait 5, 10, 20 min (35 min in all), which does not fit",
         spec=SPEC_OK + "retries: 3\nretry_delay_minutes: 5\nstep_timeout_minutes: 30\n"),
    Case("spec-catchup-string", Y, "spec", '`catchup: "yes"`', 2,
         "{spec}: catchup: 'yes' must be true or false", spec=SPEC_OK + 'catchup: "yes"\n'),
    Case("spec-step-param-undeclared", Y, "spec", "a step passing an undeclared param", 2,
         "{spec}: steps[1].params: 'day' is not declared under the pipeline's params",
         spec=_spec("params: [run_date]", "params: [day]")),
    Case("spec-file-escapes-directory", Y, "spec", "step file `../etc/x.sql`", 2,
         "{spec}: steps[1].file: '../etc/x.sql' must be a relative path",
         spec=_spec("file: load_day.sql", "file: ../etc/x.sql")),
    Case("spec-unknown-key", Y, "spec", "top-level key `shedule` (typo)", 2,
         "{spec}: top level: unknown key(s) shedule", spec=SPEC_OK + "shedule: daily\n"),
    Case("spec-not-yaml", Y, "spec", "a tab-indented, unclosed mapping", 2,
         "{spec}: line 3: is not valid YAML",
         spec="name: bad_probe\nsteps: [\n\t- {id: x\n"),
    Case("spec-no-start-date", Y, "spec", "no `start_date`", 2,
         "{spec}: start_date: is required", spec=_spec("start_date: 2024-01-01\n", "")),
    # ---------------------------------------------------------------- secrets
    Case("secret-missing-password", K, "run", "no `password` field", 1,
         "secret '{secret}': field 'password' is missing", sql=CANARY,
         secret=_secret(password=_DROP)),
    Case("secret-missing-host", K, "run", "no `host` field", 1,
         "secret '{secret}': field 'host' is missing", sql=CANARY, secret=_secret(host=_DROP)),
    Case("secret-missing-engine", K, "run", "no `engine` field", 1,
         "secret '{secret}': field 'engine' is missing", sql=CANARY,
         secret=_secret(engine=_DROP)),
    Case("secret-unknown-engine", K, "run", '`"engine": "mysql"`', 1,
         "secret '{secret}': field 'engine' must be one of redshift, postgres", sql=CANARY,
         secret=_secret(engine="mysql")),
    Case("secret-port-text", K, "run", '`"port": "fifty"`', 1,
         "secret '{secret}': field 'port' must be an integer from 1 to 65535", sql=CANARY,
         secret=_secret(port="fifty")),
    Case("secret-port-out-of-range", K, "run", '`"port": 70000`', 1,
         "secret '{secret}': field 'port' must be an integer from 1 to 65535", sql=CANARY,
         secret=_secret(port=70000)),
    Case("secret-port-bool", K, "run", '`"port": true`', 1,
         "secret '{secret}': field 'port' must be an integer from 1 to 65535", sql=CANARY,
         secret=_secret(port=True)),
    Case("secret-username-number", K, "run", '`"username": 42`', 1,
         "secret '{secret}': field 'username' must be a non-empty string", sql=CANARY,
         secret=_secret(username=42)),
    Case("secret-password-empty", K, "run", '`"password": ""`', 1,
         "secret '{secret}': field 'password' must be a non-empty string", sql=CANARY,
         secret=_secret(password="")),
    Case("secret-dbname-number", K, "run", '`"dbname": 5`', 1,
         "secret '{secret}': field 'dbname' must be a non-empty string", sql=CANARY,
         secret=_secret(dbname=5)),
    Case("secret-not-json", K, "run", "SecretString `host=... password=...` (not JSON)", 1,
         "secret '{secret}': SecretString is not JSON", sql=CANARY,
         secret=f"host=127.0.0.1 password={CANARY_PASSWORD}"),
    Case("secret-json-array", K, "run", "SecretString `[...]`", 1,
         "secret '{secret}': SecretString must be a JSON object", sql=CANARY,
         secret=json.dumps([GOOD_SECRET])),
    Case("secret-binary-not-base64", K, "run", "SecretBinary of raw bytes, not base64", 1,
         "secret '{secret}': SecretBinary is not base64 of UTF-8 JSON", sql=CANARY,
         secret=b"\x00\xff" + CANARY_PASSWORD.encode()),
    Case("secret-binary-base64-not-json", K, "run", "SecretBinary = base64 of `key=value` text", 1,
         "secret '{secret}': SecretBinary is not JSON", sql=CANARY,
         secret=base64.b64encode(f"password={CANARY_PASSWORD}".encode())),
)  # fmt: skip


def markdown() -> str:
    """The catalogue as the README's Markdown table."""
    lines = [
        f"{len(CASES)} cases, run by `pytest tests/reliability/test_bad_input.py`; each exits "
        "non-zero with the error below (stderr), no traceback, and no change to any table, "
        "S3 object or output file.",
        "",
        "| # | category | entry point | input | exit (class) | error names |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    entry = {
        "run": "`sqlrunner run`",
        "glue": "`run_sql.py` (Glue)",
        "split": "`sqlrunner split`",
        "render": "`sqlrunner render`",
        "cli": "`sqlrunner`",
        "spec": "`python -m infra.asl`",
    }
    for number, case in enumerate(CASES, 1):
        names = case.names.replace("{{", "{").replace("}}", "}").replace("|", "\\|")
        text = case.input.replace("|", "\\|")
        failure = f" ({FAILURE_CLASSES[case.exit]})" if case.tool != "spec" else ""
        lines.append(
            f"| {number} | {case.category} | {entry[case.tool]} | {text} | {case.exit}{failure} | "
            f"`{names}` |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
