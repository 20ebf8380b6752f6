"""S3 prefixes a step owns (`-- @owns`): after the run, they hold exactly its output.

Redshift's UNLOAD ... PARTITION BY ... CLEANPATH only empties the partition folders the
new UNLOAD writes (r_UNLOAD.html, CLEANPATH), so a rerun of a day that lost a partition
keeps the old partition's file, and readers see a report the data no longer supports.
The runner lists the owned prefix before the first statement, and once every statement
has succeeded and committed it deletes the objects of that first listing that the run
did not write again. New files are in place before any old one goes, so a reader never
sees the prefix empty; a failed run deletes nothing.

"Did not write again" is judged without trusting clocks: an object is stale if it is
still the very version listed before (same ETag and LastModified) and it was last
modified before the first listing by S3's own clock (the listing's Date header), so a
rewrite within the same second as the listing is never mistaken for a leftover. Works
with boto3 against S3 and the local AWS alike; the Glue job's role needs s3:ListBucket on
the bucket and s3:DeleteObject on the prefix.
"""

import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, List, NamedTuple, Tuple

from .errors import OwnedPrefixError, aws_error_code, aws_failure

_DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


class Listing(NamedTuple):
    uri: str
    bucket: str
    prefix: str
    objects: Dict[str, Tuple[str, dt.datetime]]  # key -> (ETag, LastModified)
    listed_at: dt.datetime  # S3's time of the listing, to the second


def split_uri(uri: str) -> Tuple[str, str]:
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    return bucket, prefix


def list_prefix(s3: Any, uri: str) -> Listing:
    """Every object under `uri` now."""
    bucket, prefix = split_uri(uri)
    objects: Dict[str, Tuple[str, dt.datetime]] = {}
    listed_at = None
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            if listed_at is None:
                listed_at = _server_time(page)
            for item in page.get("Contents", []):
                objects[item["Key"]] = (item["ETag"], item["LastModified"])
    except Exception as exc:
        raise OwnedPrefixError(
            f"cannot list {uri} (-- @owns): {aws_error_code(exc) or type(exc).__name__}",
            failure=aws_failure(exc),
        ) from None
    return Listing(uri, bucket, prefix, objects, listed_at or _now())


def remove_stale(s3: Any, before: Listing, log: Callable[[str], None]) -> List[str]:
    """Delete what `before` listed that the run did not write again; returns the keys."""
    after = list_prefix(s3, before.uri)
    stale = sorted(
        key
        for key, (etag, modified) in before.objects.items()
        if after.objects.get(key) == (etag, modified) and modified < before.listed_at
    )
    for start in range(0, len(stale), _DELETE_BATCH):
        batch = stale[start : start + _DELETE_BATCH]
        try:
            answer = s3.delete_objects(
                Bucket=before.bucket,
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
        except Exception as exc:
            raise OwnedPrefixError(
                f"cannot delete stale objects under {before.uri} (-- @owns): "
                f"{aws_error_code(exc) or type(exc).__name__}",
                failure=aws_failure(exc),
            ) from None
        errors = answer.get("Errors") or []
        if errors:
            first = errors[0]
            raise OwnedPrefixError(
                f"cannot delete s3://{before.bucket}/{first.get('Key')} (-- @owns): "
                f"{first.get('Code')}; {len(errors)} object(s) left"
            )
    if stale:
        shown = ", ".join(key[len(before.prefix) :] for key in stale[:5])
        more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
        log(f"{before.uri}: removed {len(stale)} object(s) this run did not write: {shown}{more}")
    return stale


def _server_time(page: Dict[str, Any]) -> dt.datetime:
    header = page.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not header:
        return _now()
    return parsedate_to_datetime(header)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
