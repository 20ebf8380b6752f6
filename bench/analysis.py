"""SQL analysis throughput: `sqlrunner.analysis.analyse` over 500 generated pipeline SQL
files (deterministic: the same files every run), the size of a large Redshift ETL
repository. Target (issue 15): <= 10 s for the 500 files, three runs, best and worst
published. The same run measures the runner's statement splitter over the same files as
a baseline: the ratio says what the parse costs on top of reading the statements."""

import random
import time

from sqlrunner.analysis import analyse
from sqlrunner.splitter import split

FILES = 500
TARGET_S = 10.0
RUNS = 3

HEADER = """-- Generated step {n} of a large pipeline: load, transform, publish.
--
-- @param run_date date
-- @param batch_size integer default 1000
-- @param target_schema identifier default mart
-- @param export_uri s3_uri
"""

# One statement each, in the shapes a Redshift ETL repository is made of.
STATEMENTS = [
    "BEGIN",
    "COMMIT",
    "SET search_path TO staging, public",
    "DELETE FROM {t0} WHERE event_date = '${{run_date}}'",
    "INSERT INTO {t0} (id, amount, event_date)\n"
    "SELECT s.id, sum(s.amount) AS amount, s.event_date\n"
    "FROM {t1} s JOIN {t2} d ON d.id = s.dim_id\n"
    "WHERE s.event_date = '${{run_date}}' AND d.active\n"
    "GROUP BY s.id, s.event_date",
    "INSERT INTO ${{target_schema}}.{n0}\n"
    "WITH recent AS (\n  SELECT id, amount FROM {t1} WHERE event_date >= DATEADD(day, -7, '${{run_date}}')\n),\n"
    "ranked AS (\n  SELECT id, amount, ROW_NUMBER() OVER (PARTITION BY id ORDER BY amount DESC) AS rn\n"
    "  FROM recent\n)\nSELECT id, amount FROM ranked WHERE rn <= ${{batch_size}}",
    "UPDATE {t0} SET amount = x.amount FROM {t1} x WHERE {t0}.id = x.id AND x.id IN (SELECT id FROM {t2})",
    "MERGE INTO {t0} USING {t1} s ON {t0}.id = s.id\n"
    "WHEN MATCHED THEN UPDATE SET amount = s.amount\n"
    "WHEN NOT MATCHED THEN INSERT (id, amount) VALUES (s.id, s.amount)",
    "CREATE TEMP TABLE stage_{n0} AS SELECT * FROM {t1} WHERE event_date = '${{run_date}}'",
    "INSERT INTO {t2} SELECT * FROM stage_{n0}",
    "CREATE TABLE IF NOT EXISTS {t0} (\n  id bigint ENCODE az64,\n  amount decimal(12,2),\n"
    "  event_date date ENCODE raw\n) DISTSTYLE KEY DISTKEY (id) SORTKEY (event_date)",
    "COPY {t1} FROM '${{export_uri}}incoming/{n0}/' IAM_ROLE default "
    "DELIMITER '|' TIMEFORMAT 'YYYY-MM-DD HH:MI:SS' IGNOREHEADER 1",
    "UNLOAD ('SELECT id, amount FROM {t0} WHERE event_date = ''${{run_date}}''')\n"
    "TO '${{export_uri}}{n0}/run_date=${{run_date}}/' IAM_ROLE default FORMAT AS PARQUET CLEANPATH",
    "TRUNCATE {t2}",
    "CREATE OR REPLACE VIEW {t0}_v AS SELECT id, amount FROM {t0} WHERE amount > 0 "
    "WITH NO SCHEMA BINDING",
    "DROP TABLE IF EXISTS stage_{n0}",
    "ANALYZE {t0}",
]


def generate(files: int = FILES, seed: int = 15) -> "list[tuple[str, str]]":
    """(file name, text) of `files` SQL files, the same for the same seed."""
    rng = random.Random(seed)
    tables = [f"{schema}.t{i}" for schema in ("staging", "core", "mart") for i in range(60)]
    generated = []
    for n in range(files):
        lines = [HEADER.format(n=n)]
        for _ in range(rng.randint(6, 14)):
            t0, t1, t2 = rng.sample(tables, 3)
            template = rng.choice(STATEMENTS)
            lines.append(template.format(t0=t0, t1=t1, t2=t2, n0=f"n{n}") + ";\n")
        generated.append((f"step_{n:03d}.sql", "\n".join(lines)))
    return generated


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def run() -> dict:
    files = generate()
    analyse(files[0][1], files[0][0])  # import sqlglot outside the timing
    analysis = [timed(lambda: [analyse(text, name) for name, text in files]) for _ in range(RUNS)]
    baseline = min(timed(lambda: [split(text, name) for name, text in files]) for _ in range(RUNS))
    results = [analyse(text, name) for name, text in files]
    statements = sum(len(result.statements) + len(result.unknown) for result in results)
    return {
        "files": FILES,
        "statements": statements,
        "unknown": sum(len(result.unknown) for result in results),
        "analysis_s": [round(seconds, 2) for seconds in analysis],
        "split_only_s": round(baseline, 3),
        "parse_cost_ratio": round(min(analysis) / baseline, 1),
        "target": f"analysis of {FILES} files <= {TARGET_S} s in each of {RUNS} runs",
        "met": max(analysis) <= TARGET_S,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
