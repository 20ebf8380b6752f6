"""Spectrum's loading: which files of S3 an external table's partitions hold, and each
partition's rows copied from them into its local child table.

Spectrum's reading rules followed: files in the location and its subfolders, except
hidden ones (names starting with . _ or #, or ending with ~); Parquet columns matched by
name; strings wider than their column become NULL unless the table's
surplus_char_handling says otherwise (parquet_load).
https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html

Each partition's rows live in a child table `BOOKKEEPING.p_<hash>` inheriting the
external table, its partition columns defaulted and CHECK-constrained to the
partition's values (so queries filtering on them skip the other children); what was
loaded is recorded in BOOKKEEPING.external_partitions with the listing's fingerprint.
"""

import hashlib
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import parquet_load, s3io
from .spectrum_grammar import ExternalColumn
from .words import ident, literal, qualified

BOOKKEEPING = "sqlrunner_local"
# Spectrum skips these files (r_CREATE_EXTERNAL_TABLE.html, LOCATION).
_HIDDEN = re.compile(r"(?:^|/)[._#][^/]*$|~$|_\$folder\$$")


def exists(db: Any, schema: str, table: str) -> bool:
    """Read from pg_class itself, not with to_regclass: after waiting on an advisory lock,
    to_regclass can still answer from a catalog cache that predates what the session
    that held the lock committed (two first runs racing saw that)."""
    return bool(
        db.fetch(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            f" WHERE n.nspname = {literal(schema)} AND c.relname = {literal(table)}"
        )
    )


def drop(db: Any, schema: str, table: str) -> None:
    """DROP TABLE ... CASCADE if it exists (checked first: IF EXISTS prints a NOTICE)."""
    if exists(db, schema, table):
        db.query(f"DROP TABLE {qualified(schema, table)} CASCADE")


def load_partition(
    db: Any,
    s3: Any,
    schema: str,
    table: str,
    columns: List[ExternalColumn],
    keys: List[ExternalColumn],
    values: Tuple[str, ...],
    key_values: str,
    files: List[s3io.S3Object],
    fingerprint: str,
    surplus: str,
    loaded: Optional[Tuple[str, str]],
) -> int:
    child = "p_" + hashlib.sha256(f"{schema}.{table}:{key_values}".encode("utf-8")).hexdigest()[:24]
    child_sql = qualified(BOOKKEEPING, child)
    if loaded is None:
        drop(db, BOOKKEEPING, child)
        db.query(f"CREATE UNLOGGED TABLE {child_sql} () INHERITS ({qualified(schema, table)})")
        for key, value in ((key, values[i]) for i, key in enumerate(keys)):
            typed = f"CAST({literal(value)} AS {key.postgres_type})"
            db.query(f"ALTER TABLE {child_sql} ALTER COLUMN {ident(key.name)} SET DEFAULT {typed}")
            db.query(f"ALTER TABLE {child_sql} ADD CHECK ({ident(key.name)} = {typed})")
    else:
        db.query(f"TRUNCATE {child_sql}")
    targets = [parquet_load.TargetColumn(c.name, c.max_bytes) for c in columns]
    rows = parquet_load.load(
        db.raw,
        s3,
        files,
        child_sql,
        targets,
        by_name=True,
        surplus=surplus,
        what=f"{schema}.{table}",
    )
    db.query(
        f"INSERT INTO {BOOKKEEPING}.external_partitions"
        f" VALUES ({literal(schema)}, {literal(table)},"
        f" {literal(key_values)}, {literal(child)}, {literal(fingerprint)}, {rows})"
        " ON CONFLICT (schema_name, table_name, key_values) DO UPDATE"
        " SET fingerprint = EXCLUDED.fingerprint, rows = EXCLUDED.rows"
    )
    return rows


def _folder(location: str, what: str) -> Tuple[str, str]:
    bucket, prefix = s3io.parse_url(location, what)
    if prefix and not prefix.endswith("/"):
        prefix += "/"  # a folder: 'x/Books' must not also read 'x/Books_and_more/'
    return bucket, prefix


def _visible(obj: s3io.S3Object, prefix: str) -> bool:
    return not obj.key.endswith("/") and not _HIDDEN.search(obj.key[len(prefix) :])


def listings(
    s3: Any, table_location: str, locations: Sequence[str], what: str
) -> Dict[str, List[s3io.S3Object]]:
    """The files Spectrum reads at each location. Checking a table before each statement
    that names it lists its partitions' folders; when they all sit under the table's
    LOCATION (the usual layout), one paginated listing of that prefix serves them all, so
    a table of many partitions costs a listing per 1,000 files, not one per partition."""
    folders = {location: _folder(location, what) for location in locations}
    bucket, root = _folder(table_location, what)
    shared = len(folders) > 1 and all(
        b == bucket and prefix.startswith(root) for b, prefix in folders.values()
    )
    if not shared:
        found = {}
        for location, (b, prefix) in folders.items():
            objects = s3io.list_objects(s3, b, prefix, what)
            found[location] = [obj for obj in objects if _visible(obj, prefix)]
        return found
    by_prefix: Dict[str, List[str]] = {}
    for location, (_, prefix) in folders.items():
        by_prefix.setdefault(prefix, []).append(location)
    listings: Dict[str, List[s3io.S3Object]] = {location: [] for location in locations}
    for obj in s3io.list_objects(s3, bucket, root, what):
        # every folder above the key (down to the root) that is a partition's location
        cut = len(obj.key)
        while True:
            cut = obj.key.rfind("/", 0, cut)
            prefix = obj.key[: cut + 1]  # "" above the first '/'
            if len(prefix) < len(root):
                break
            for location in by_prefix.get(prefix, ()):
                if _visible(obj, prefix):
                    listings[location].append(obj)
            if cut < 0:
                break
    return listings


def fingerprint(location: str, files: Sequence[s3io.S3Object]) -> str:
    listing = "\n".join(f"{o.key}\t{o.size}\t{o.etag}" for o in files)
    return hashlib.sha256(f"{location}\n{listing}".encode("utf-8")).hexdigest()
