"""What a SQL file reads and writes, from its text: the source of a pipeline's graph,
its Airflow Assets and its lineage.

    from sqlrunner.analysis import analyse
    result = analyse(text, "sql/reviews/load_reviews.sql")
    result.reads, result.writes          # frozensets of Dataset(kind, name)
    result.statements                    # per statement: kind, line, reads, writes, requires
    result.unknown                       # statements whose effects are unknown (CALL, ...)

Covered: SELECT, INSERT, UPDATE, DELETE, MERGE, TRUNCATE, CREATE TABLE (AS), SELECT
INTO, CREATE/DROP TABLE, VIEW and MATERIALIZED VIEW, ALTER TABLE (RENAME, APPEND,
partitions), COPY (the source, a manifest, a JSONPaths file), UNLOAD (its query's
tables, its TO prefix), Spectrum external schemas, tables (CETAS too) and partitions,
SET search_path, temporary tables (never reported: they stay inside the file).
`${param}` placeholders stay in the names (`s3://...` templates); `Dataset.render`
fills in a run's values and `naming.openlineage_name` names a dataset for a deployment.

Queries and DML are parsed by sqlglot's Redshift dialect, imported on first use (the
`sqlrunner[lineage]` extra; Glue's runtime has no sqlglot and the runner never needs
it). Statement splitting, string and identifier rules are the runner's own, so the
analysis sees the statements the runner would run.
"""

from typing import Mapping, Optional

from .. import params
from ..splitter import split
from .model import (
    S3,
    SCHEMA,
    TABLE,
    URI,
    AnalysisError,
    Dataset,
    ExternalSchema,
    ExternalTable,
    FileAnalysis,
    StatementEffects,
    Unanalysable,
)
from .naming import Deployment, dataset_uri, openlineage_name
from .sentinels import prepare
from .spectrum import external_tables, with_locations
from .statements import Session


def analyse(
    text: str,
    file: str = "<sql>",
    declarations: Optional[Mapping[str, params.Declaration]] = None,
) -> FileAnalysis:
    """The reads and writes of every statement of `text`. `declarations` are the file's
    `-- @param` declarations (read from its header when not given). Raises ParamError
    for an undeclared placeholder and SqlSyntaxError for text the runner could not
    split; a statement it cannot understand is listed in `unknown`, not raised. Reading
    a Spectrum table the file defines reads its S3 locations; for tables other files
    define, apply `with_locations(analysis, external_tables(all_analyses))`."""
    if declarations is None:
        declarations = params.parse_declarations(text, file)
    prepared, sentinels = prepare(text, declarations, file)
    session = Session(file, sentinels)
    for statement in split(prepared, file):
        session.run(statement)
    result = FileAnalysis(
        file,
        tuple(session.effects),
        tuple(session.unknown),
        dict(session.external_tables),
        dict(session.external_schemas),
    )
    # what the file itself says of its Spectrum tables; a pipeline adds the other files'
    return with_locations(result, result.external_tables)


__all__ = [
    "S3",
    "SCHEMA",
    "TABLE",
    "URI",
    "AnalysisError",
    "Dataset",
    "Deployment",
    "ExternalSchema",
    "ExternalTable",
    "FileAnalysis",
    "StatementEffects",
    "Unanalysable",
    "analyse",
    "dataset_uri",
    "external_tables",
    "openlineage_name",
    "with_locations",
]
