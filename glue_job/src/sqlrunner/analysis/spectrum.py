"""Spectrum across a pipeline's files: one file creates an external table (or adds its
partitions), another queries it. Reading an external table reads the S3 locations its
data lives under, and INSERT into one writes there; only the pipeline as a whole knows
both halves, so this runs over all of its files' analyses.
https://docs.aws.amazon.com/redshift/latest/dg/c-spectrum-external-tables.html
"""

from typing import Dict, List, Mapping, Sequence, Tuple

from .model import S3, TABLE, Dataset, ExternalTable, FileAnalysis, StatementEffects, merge_external

_WRITES_DATA = ("INSERT",)  # Spectrum's INSERT (external table) writes files to LOCATION


def external_tables(analyses: Sequence[FileAnalysis]) -> Dict[str, ExternalTable]:
    """Every external table the files define, with all the locations they give it."""
    merged: Dict[str, ExternalTable] = {}
    for analysis in analyses:
        for table in analysis.external_tables.values():
            merged = merge_external(merged, table.name, table.locations)
    return merged


def with_locations(analysis: FileAnalysis, tables: Mapping[str, ExternalTable]) -> FileAnalysis:
    """`analysis` where reading an external table also reads its locations and INSERT
    into one also writes them."""
    statements = tuple(_expanded(s, tables) for s in analysis.statements)
    return analysis._replace(statements=statements)


def _expanded(statement: StatementEffects, tables: Mapping[str, ExternalTable]) -> StatementEffects:
    reads = set(statement.reads)
    for dataset in statement.reads:
        reads.update(_locations(dataset, tables))
    writes = set(statement.writes)
    if statement.kind in _WRITES_DATA:
        for dataset in statement.writes:
            writes.update(_locations(dataset, tables))
    return statement._replace(reads=frozenset(reads), writes=frozenset(writes))


def _locations(dataset: Dataset, tables: Mapping[str, ExternalTable]) -> List[Dataset]:
    table = tables.get(dataset.name) if dataset.kind == TABLE else None
    if table is None:
        return []
    return [Dataset(S3, location) for location in outermost(table.locations)]


def outermost(locations: Sequence[str]) -> Tuple[str, ...]:
    """The locations not under another one (partition folders under the table's own
    LOCATION add nothing to what reading the table reads)."""
    return tuple(
        location
        for location in locations
        if not any(other != location and location.startswith(other) for other in locations)
    )
