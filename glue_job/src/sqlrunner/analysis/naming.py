"""Datasets named the way OpenLineage names them, with one deployment's values.

The analysis names tables logically (`public.reviews`); which cluster, region, port and
database they live in comes from the deployment, here and nowhere else. The naming
follows OpenLineage's dataset naming spec (https://openlineage.io/docs/spec/naming):

- Redshift table: `redshift://{cluster_identifier}.{region}:{port}`, named
  `{database}.{schema}.{table}`;
- S3 object or prefix: `s3://{bucket}`, named `{key}` (`/` for the bucket itself);
- another URI (COPY from DynamoDB or EMR): `{scheme}://{authority}`, named `{path}`.

The S3 key is kept as written, trailing slash included, which is how Airflow's Amazon
provider converts an `s3://` Asset to OpenLineage (`S3Hook.parse_s3_url`). A Spectrum
external table is named like any Redshift table (that is how its readers address it);
the S3 locations reading it reads are datasets of their own. Schemas have
no OpenLineage name: they order a pipeline's steps but are not datasets.
"""

from typing import Mapping, NamedTuple, Optional, Tuple
from urllib.parse import urlsplit

from .model import S3, SCHEMA, TABLE, AnalysisError, Dataset

REDSHIFT_PORT = 5439


class Deployment(NamedTuple):
    cluster_identifier: str
    region: str
    database: str
    port: int = REDSHIFT_PORT


def openlineage_name(
    dataset: Dataset, deployment: Deployment, values: Optional[Mapping[str, str]] = None
) -> Optional[Tuple[str, str]]:
    """(namespace, name) of `dataset` rendered with a run's parameter `values`; None for
    a schema."""
    concrete = dataset.render(values or {})
    if concrete.kind == SCHEMA:
        return None
    if concrete.kind == TABLE:
        parts = concrete.name.split(".")
        if len(parts) == 2:
            parts.insert(0, deployment.database.lower())
        if len(parts) != 3 or not all(parts):
            raise AnalysisError(f"{concrete.name!r} is not a [database.]schema.table name")
        namespace = (
            f"redshift://{deployment.cluster_identifier}.{deployment.region}:{deployment.port}"
        )
        return namespace, ".".join(parts)
    parsed = urlsplit(concrete.name)
    if not parsed.scheme or not parsed.netloc:
        raise AnalysisError(f"{concrete.name!r} is not a URI with a scheme and a location")
    if concrete.kind == S3 and parsed.scheme.lower() != "s3":
        raise AnalysisError(f"{concrete.name!r} is not an s3:// URI")
    key = concrete.name.split(parsed.netloc, 1)[1].lstrip("/")
    return f"{parsed.scheme.lower()}://{parsed.netloc}", key or "/"


def dataset_uri(
    dataset: Dataset, deployment: Deployment, values: Optional[Mapping[str, str]] = None
) -> Optional[str]:
    """The dataset as one URI, `{namespace}/{name}` (an Airflow Asset's URI), or None."""
    named = openlineage_name(dataset, deployment, values)
    if named is None:
        return None
    namespace, name = named
    return namespace + "/" if name == "/" else f"{namespace}/{name}"
