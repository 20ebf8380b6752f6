"""The operators' extra links (the provider's AWS console links) are offered on AWS and not
against the local AWS, where they would lead nowhere: what the serialized DAG lists is what
the UI shows."""

from __future__ import annotations

import pytest

from etlkit import config
from etlkit.dag_factory import dags_for


def _links(specs) -> dict[str, list]:
    from airflow.serialization.serialized_objects import DagSerialization

    found = {}
    for dag_id, dag in dags_for([specs["reviews_etl"]]).items():
        loaded = DagSerialization.from_dict(DagSerialization.to_dict(dag))
        for task in loaded.tasks:
            found[f"{dag_id}.{task.task_id}"] = sorted(
                getattr(link, "name", str(link)) for link in task.operator_extra_links
            )
    return found


@pytest.mark.parametrize("local", [False, True])
def test_console_links_only_on_aws(specs, monkeypatch, local):
    if local:
        monkeypatch.setenv(config.LOCAL_ENDPOINT_ENV, "http://127.0.0.1:4566")
    else:
        monkeypatch.delenv(config.LOCAL_ENDPOINT_ENV, raising=False)
    links = _links(specs)
    assert links and all(bool(names) != local for names in links.values()), links
