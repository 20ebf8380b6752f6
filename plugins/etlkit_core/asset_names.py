"""What a step reads and writes, named for one deployment before any run: the names of
the Airflow Assets a step's task produces and consumes, and what another team's DAG
schedules on.

A dataset's name in the step graph is a template (`${report_uri}run_date=${run_date}/`).
A param is filled where its value is known without a run: its default, with the
deployment's settings (`{data_bucket}`). A run-dependent param (the run date, a param
without a default) is not: an S3 name is cut back to the folder before it (every run's
files are under it), and a table named by one is left out, since no single table is meant.

Each dataset gets two names: its OpenLineage name (`redshift://<cluster>.<region>:5439/
<db>.<schema>.<table>`, `s3://bucket/prefix`; sqlrunner.analysis.naming, what the runner's
lineage events use), and the URI Airflow's Amazon provider accepts for it (for Redshift
`redshift://<host>:5439/<db>/<schema>/<table>`, which it converts back to the very same
OpenLineage dataset).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from sqlrunner.analysis.model import S3, TABLE, Dataset
from sqlrunner.analysis.naming import Deployment, dataset_uri

from .spec import PipelineSpec, expand_settings

REDSHIFT = "redshift://"
_PLACEHOLDER = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")


class AssetName(NamedTuple):
    name: str  # the OpenLineage name as one URI
    uri: str  # what Airflow's Amazon provider takes for it

    @classmethod
    def of(cls, name: str) -> AssetName:
        """The names of the dataset OpenLineage calls `name`."""
        if name.startswith(REDSHIFT):
            namespace, _, qualified = name.rpartition("/")
            return cls(name, f"{namespace}/{qualified.replace('.', '/')}")
        return cls(name, name)


def static_values(spec: PipelineSpec, settings: Mapping[str, str]) -> dict[str, str]:
    """The params whose value is known before a run: defaults, with `settings` filled in
    (a default naming a setting not in `settings` is not known)."""
    known = {}
    for name, param in spec.params.items():
        if param.source is not None or param.default is None:
            continue
        try:
            known[name] = str(expand_settings(param.default, dict(settings)))
        except KeyError:
            continue
    return known


def asset_name(
    dataset: Dataset, deployment: Deployment, values: Mapping[str, str]
) -> AssetName | None:
    """`dataset` named with the known `values` (see the module docstring), or None where it
    names no one dataset (a schema, a table named by a run-dependent param)."""
    if dataset.kind not in (TABLE, S3):
        return None
    name = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), dataset.name)
    schema = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), dataset.default_schema)
    if "${" in name + schema:
        if dataset.kind == TABLE:
            return None
        name = name[: name.index("${")]
        name = name[: name.rfind("/") + 1]
        if not name.startswith("s3://") or len(name.split("/")) < 4:
            return None  # not even the bucket is known
    concrete = Dataset(dataset.kind, name, schema).render({})
    ol_name = dataset_uri(concrete, deployment)
    return None if ol_name is None else AssetName.of(ol_name)
