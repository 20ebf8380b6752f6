"""The Airflow Assets of a pipeline's step tasks: a task's outlets are what its step writes,
its inlets what it reads, named by etlkit_core.asset_names from the committed step graph
(no SQL is read at parse time) and the deployment's parse-time environment (etlkit.config).

Another DAG schedules on one with `asset("redshift://<cluster>.<region>:5439/<db>.<schema>.
<table>")` (or the same Asset spelled out: OpenLineage name as `name`, the Amazon
provider's URI as `uri`).
"""

from __future__ import annotations

from typing import Any

from etlkit import config
from etlkit.compat import AIRFLOW_3, Asset
from etlkit_core.asset_names import AssetName, asset_name, static_values
from etlkit_core.graph import Graph
from etlkit_core.spec import PipelineSpec


def asset(name: str) -> Any:
    """The Asset a step task produces or consumes, by its OpenLineage name."""
    return _asset(AssetName.of(name))


def step_assets(spec: PipelineSpec, graph: Graph) -> dict[str, tuple[list[Any], list[Any]]]:
    """(inlets, outlets) of every step's task, by step id; none without a deployment."""
    deployment = config.asset_deployment()
    if deployment is None:
        return {step: ([], []) for step in graph.steps}
    values = static_values(spec, config.asset_settings())
    # A table is written by one step and read by others: each dataset is named, and each
    # Asset built, once per pipeline (as a DAG author shares one Asset between tasks).
    names: dict[Any, AssetName | None] = {}
    assets: dict[AssetName, Any] = {}

    def named(datasets: Any) -> list[Any]:
        for dataset in datasets:
            if dataset not in names:
                names[dataset] = asset_name(dataset, deployment, values)
        found = sorted({names[d] for d in datasets if names[d] is not None})
        for one in found:
            if one not in assets:
                assets[one] = _asset(one)
        return [assets[one] for one in found]

    return {
        step: (named(graph.nodes[step].reads), named(graph.nodes[step].writes))
        for step in graph.steps
    }


def _asset(named: AssetName) -> Any:
    return Asset(name=named.name, uri=named.uri) if AIRFLOW_3 else Asset(named.uri)
