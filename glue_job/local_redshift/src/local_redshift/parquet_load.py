"""Parquet files from S3 into a PostgreSQL table, streamed: pyarrow reads one batch at a
time, writes it as CSV (C++, no Python per row) and the CSV goes into `COPY ... FROM
STDIN` as one message per batch.

Used by Spectrum partitions (columns matched by name, as Redshift Spectrum maps Parquet
columns; missing ones read as NULL; strings wider than the column follow the table's
surplus_char_handling, SET_TO_NULL by default) and by COPY ... FORMAT PARQUET (columns
matched by position, their number must match).
https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_TABLE.html
https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-columnar.html
"""

from typing import Any, Iterator, List, NamedTuple, Optional, Sequence

from sqlrunner.errors import EmulationError

from . import pgcopy, s3io
from .words import ident

BATCH_ROWS = 65_536
# surplus_char_handling values (CREATE EXTERNAL TABLE ... TABLE PROPERTIES): what a
# string longer than its VARCHAR/CHAR column becomes.
SURPLUS_ACTIONS = ("SET_TO_NULL", "TRUNCATE", "FAIL", "DROP_ROW", "DISABLED")


class TargetColumn(NamedTuple):
    name: str
    max_bytes: Optional[int]  # VARCHAR(n)/CHAR(n) width, None for other types


def load(
    raw: Any,
    s3: Any,
    objects: Sequence[s3io.S3Object],
    table_sql: str,
    columns: Sequence[TargetColumn],
    *,
    by_name: bool,
    surplus: str = "SET_TO_NULL",
    what: str = "Spectrum",
) -> int:
    """Copy every row of `objects` into `table_sql` (already quoted); returns the rows."""
    if not objects:
        return 0
    column_list = ", ".join(ident(c.name) for c in columns)
    sql = f"COPY {table_sql} ({column_list}) FROM STDIN WITH (FORMAT csv)"
    chunks = _csv_chunks(s3, objects, columns, by_name, surplus, what)
    return pgcopy.copy_in(raw, sql, chunks)


def _csv_chunks(
    s3: Any,
    objects: Sequence[s3io.S3Object],
    columns: Sequence[TargetColumn],
    by_name: bool,
    surplus: str,
    what: str,
) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    options = pacsv.WriteOptions(include_header=False)
    for obj in objects:
        handle = s3io.download(s3, obj)
        try:
            try:
                parquet = pq.ParquetFile(handle)
            except (pa.ArrowException, OSError) as exc:
                raise EmulationError(f"{what}: {obj.url} is not a Parquet file: {exc}") from None
            names = parquet.schema_arrow.names
            picks = _pick_columns(names, columns, by_name, obj, what)
            present = [names[i] for i in picks if i is not None]
            for batch in parquet.iter_batches(
                batch_size=BATCH_ROWS, columns=present or None, use_threads=False
            ):
                arrays = _arrange(pa, batch, picks, names, columns, surplus, obj, what)
                table = pa.Table.from_arrays(arrays, names=[c.name for c in columns])
                sink = pa.BufferOutputStream()
                try:
                    pacsv.write_csv(table, sink, options)
                except pa.ArrowException as exc:
                    raise EmulationError(
                        f"{what}: {obj.url}: a column type is not emulated: {exc}"
                    ) from None
                yield sink.getvalue().to_pybytes()
        finally:
            handle.close()


def _pick_columns(
    names: List[str], columns: Sequence[TargetColumn], by_name: bool, obj: s3io.S3Object, what: str
) -> List[Optional[int]]:
    """For each target column, the index of the file column that feeds it (None: NULL)."""
    if by_name:
        index = {name.lower(): i for i, name in enumerate(names)}
        return [index.get(c.name.lower()) for c in columns]
    if len(names) != len(columns):
        raise EmulationError(
            f"{what}: {obj.url} has {len(names)} columns but the target has {len(columns)} "
            "(COPY matches Parquet columns by position)"
        )
    return list(range(len(columns)))


def _arrange(
    pa: Any,
    batch: Any,
    picks: List[Optional[int]],
    names: List[str],
    columns: Sequence[TargetColumn],
    surplus: str,
    obj: s3io.S3Object,
    what: str,
) -> List[Any]:
    import pyarrow.compute as pc

    arrays = []
    drop_rows = None
    for pick, column in ((picks[i], column) for i, column in enumerate(columns)):
        if pick is None:
            arrays.append(pa.nulls(batch.num_rows))
            continue
        array = batch.column(names[pick])
        if (
            column.max_bytes is not None
            and surplus != "DISABLED"
            and pa.types.is_string(array.type)
        ):
            too_long = pc.greater(pc.binary_length(array), column.max_bytes)
            if not pc.any(too_long).as_py():  # the usual case: the column stays as it is
                arrays.append(array)
                continue
            if surplus == "FAIL":
                raise EmulationError(
                    f"{what}: {obj.url}: a value of {column.name} exceeds {column.max_bytes} bytes"
                )
            if surplus == "TRUNCATE":
                array = pc.utf8_slice_codeunits(array, 0, column.max_bytes)
            elif surplus == "DROP_ROW":
                drop_rows = too_long if drop_rows is None else pc.or_(drop_rows, too_long)
            else:
                array = pc.if_else(too_long, pa.scalar(None, array.type), array)
        arrays.append(array)
    if drop_rows is not None:
        arrays = [pc.if_else(drop_rows, pa.scalar(None, a.type), a) for a in arrays]
    return arrays
