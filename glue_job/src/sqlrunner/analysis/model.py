"""What the analysis returns: datasets, each statement's effects, a file's effects, and
the statements it could not understand.

A dataset's `name` is a template: `${param}` placeholders stay in it where the SQL has
them (`${report_uri}run_date=${run_date}/`), so one analysis serves every run; `render`
fills them with a run's values. Names are logical (`public.reviews`, `s3://bucket/key`):
which cluster, region and database they live in is a deployment's business
(`naming.py`).
"""

import re
from typing import Dict, FrozenSet, Iterable, Mapping, NamedTuple, Tuple

from ..errors import RunnerError

# Dataset kinds. TABLE: a Redshift table, view or Spectrum external table,
# `schema.table` or `database.schema.table`. S3: an S3 URI (an object or a key prefix).
# URI: another COPY source (dynamodb://, emr://). SCHEMA: a schema, internal or
# external; created tables require theirs.
TABLE = "table"
S3 = "s3"
URI = "uri"
SCHEMA = "schema"

_PLACEHOLDER = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")


class AnalysisError(RunnerError):
    """The analysis cannot be done or rendered: sqlglot missing, a parameter without a
    value, a dataset that cannot be named."""


class Dataset(NamedTuple):
    kind: str
    name: str
    # Only for a table named by one identifier parameter alone (`INSERT INTO ${target}`):
    # its value may or may not carry a schema, so the schema unqualified names resolve to
    # at that statement travels with it and is applied when the name is rendered.
    default_schema: str = ""

    @property
    def params(self) -> FrozenSet[str]:
        return frozenset(_PLACEHOLDER.findall(self.name + self.default_schema))

    def render(self, values: Mapping[str, str]) -> "Dataset":
        """The dataset with every `${param}` replaced by `values[param]` (text, or bound
        values as `sqlrunner.params.bind` returns them)."""
        values = {name: getattr(value, "text", value) for name, value in values.items()}
        name = fill(self.name, values)
        if self.kind == TABLE:
            parts = name.lower().split(".")
            if len(parts) == 1:
                parts.insert(0, fill(self.default_schema, values).lower())
            return Dataset(TABLE, ".".join(parts))
        return Dataset(self.kind, name)

    def overlaps(self, other: "Dataset") -> bool:
        """Whether writing one can change what reading the other sees: the same dataset,
        or S3 locations one of which is a key prefix of the other (COPY reads every key
        under a prefix, UNLOAD writes under one). Templates compare as text, so render
        them with the same values first where their parameters differ."""
        if self == other:
            return True
        if self.kind == other.kind == S3:
            return self.name.startswith(other.name) or other.name.startswith(self.name)
        return False

    def __str__(self) -> str:
        return self.name if self.kind in (S3, URI) else f"{self.kind} {self.name}"


def fill(template: str, values: Mapping[str, str]) -> str:
    def value(match: "re.Match[str]") -> str:
        name = match.group(1)
        if name not in values:
            raise AnalysisError(f"no value for parameter {name!r} to render {template!r}")
        return str(values[name])

    return _PLACEHOLDER.sub(value, template)


class StatementEffects(NamedTuple):
    """One statement: what it reads, writes, and requires to exist (a created table's
    schema, a foreign key's table) without reading its data."""

    index: int
    line: int
    kind: str  # e.g. "INSERT", "COPY", "UNLOAD", "CREATE EXTERNAL TABLE"
    reads: FrozenSet[Dataset] = frozenset()
    writes: FrozenSet[Dataset] = frozenset()
    requires: FrozenSet[Dataset] = frozenset()


class Unanalysable(NamedTuple):
    """A statement whose effects are unknown: not understood, or a CALL of a stored
    procedure (whose body is out of sight). Reported, never guessed."""

    file: str
    line: int
    statement: int
    reason: str
    text: str  # the statement's first line

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: statement {self.statement}: {self.reason}: {self.text}"


class ExternalTable(NamedTuple):
    """A Spectrum table the file defines or alters: where its data lives. Reading the
    table reads these locations (`catalog.py` applies that across a pipeline's files)."""

    name: str  # logical `schema.table`
    locations: Tuple[str, ...]  # S3 URI templates: the table's LOCATION, its partitions'


class ExternalSchema(NamedTuple):
    name: str
    source: str  # "DATA CATALOG", "HIVE METASTORE", "POSTGRES", "REDSHIFT", ...
    database: str  # the source's database ('' when not given)


class FileAnalysis(NamedTuple):
    file: str
    statements: Tuple[StatementEffects, ...]
    unknown: Tuple[Unanalysable, ...]
    external_tables: Mapping[str, ExternalTable]
    external_schemas: Mapping[str, ExternalSchema]

    @property
    def reads(self) -> FrozenSet[Dataset]:
        return _union(s.reads for s in self.statements)

    @property
    def writes(self) -> FrozenSet[Dataset]:
        return _union(s.writes for s in self.statements)

    @property
    def requires(self) -> FrozenSet[Dataset]:
        return _union(s.requires for s in self.statements)

    @property
    def params(self) -> FrozenSet[str]:
        datasets = self.reads | self.writes | self.requires
        return frozenset(p for d in datasets for p in d.params)

    def check(self) -> "FileAnalysis":
        """Self, if every statement was understood; else AnalysisError listing each."""
        if self.unknown:
            listed = "\n  ".join(map(str, self.unknown))
            raise AnalysisError(
                f"{len(self.unknown)} statement(s) with unknown effects:\n  {listed}",
                file=self.file,
            )
        return self


def _union(sets: Iterable[FrozenSet[Dataset]]) -> FrozenSet[Dataset]:
    result: "set[Dataset]" = set()
    for one in sets:
        result |= one
    return frozenset(result)


def merge_external(
    first: Mapping[str, ExternalTable], name: str, locations: Iterable[str]
) -> Dict[str, ExternalTable]:
    """`first` with `locations` added to table `name` (created if new), order kept."""
    merged = dict(first)
    known = merged.get(name, ExternalTable(name, ()))
    added = tuple(loc for loc in locations if loc not in known.locations)
    merged[name] = ExternalTable(name, known.locations + added)
    return merged
